/*
 * SPEC B3: after completion OVERLAPPED.Internal holds the NT status - 0 success, 0xC000020D
 * connection reset, 0xC0000120 cancelled, 0x80000005 buffer overflow - and InternalHigh the byte
 * count; Offset/OffsetHigh are never touched (nor is hEvent).
 *
 * Internal is compared as a whole ULONG_PTR with the zero-extended 32-bit status, which is what
 * Windows stores.  Offset/OffsetHigh hold junk from before the call and must keep it.
 */
#include "ov_helpers.h"

#define STATUS_OK_ 0x00000000u
#define STATUS_RESET_ 0xC000020Du
#define STATUS_CANCELLED_ 0xC0000120u
#define STATUS_OVERFLOW_ 0x80000005u

static void preset(WSAOVERLAPPED *ov, WSAEVENT ev)
{
    memset(ov, 0, sizeof *ov);
    ov->Offset = 0xdeadbeef;
    ov->OffsetHigh = 0xcafef00d;
    ov->hEvent = ev;
}

static void check_done(const WSAOVERLAPPED *ov, WSAEVENT ev, uint32_t status, ULONG_PTR bytes,
                       const char *what)
{
    if (ov->Internal != (ULONG_PTR)status)
        FAIL("%s: Internal 0x%llx, wanted 0x%08x", what, (unsigned long long)ov->Internal,
             (unsigned)status);
    if (ov->InternalHigh != bytes)
        FAIL("%s: InternalHigh %llu, wanted %llu", what, (unsigned long long)ov->InternalHigh,
             (unsigned long long)bytes);
    CHECK_EQ(ov->Offset, 0xdeadbeef);
    CHECK_EQ(ov->OffsetHigh, 0xcafef00d);
    CHECK(ov->hEvent == ev);
}

int main(void)
{
    test_init();
    WSAEVENT ev = ovt_event();
    WSAOVERLAPPED ov;
    char in[64];
    SOCKET c, s;
    tcp_pair(&c, &s);

    /* Success, pending then completed. */
    preset(&ov, ev);
    ovt_recv_pending(s, in, sizeof in, &ov, NULL);
    send_all(c, "success", 7);
    WAIT_SET(ev);
    check_done(&ov, ev, STATUS_OK_, 7, "completed receive");

    /* Success, immediate. */
    CHECK(WSAResetEvent(ev));
    preset(&ov, ev);
    ovt_send_now(c, "immediate", 9, &ov, NULL);
    CHECK_SET(ev);
    check_done(&ov, ev, STATUS_OK_, 9, "immediate send");
    recv_all(s, in, 9);

    /* Cancelled: CancelIoEx on a pending receive. */
    CHECK(WSAResetEvent(ev));
    preset(&ov, ev);
    ovt_recv_pending(s, in, sizeof in, &ov, NULL);
    CHECK(CancelIoEx((HANDLE)s, &ov));
    WAIT_SET(ev);
    check_done(&ov, ev, STATUS_CANCELLED_, 0, "cancelled receive");

    /* Connection reset: the peer closes abortively under a pending receive. */
    CHECK(WSAResetEvent(ev));
    preset(&ov, ev);
    ovt_recv_pending(s, in, sizeof in, &ov, NULL);
    ovt_close_with_rst(c);
    WAIT_SET(ev);
    check_done(&ov, ev, STATUS_RESET_, 0, "receive under a reset");
    closesocket(s);

    /* Buffer overflow: a datagram longer than the buffer; InternalHigh is the truncated count. */
    SOCKET a, b;
    SOCKADDR_IN b_addr;
    udp_pair(&a, &b, &b_addr);
    CHECK(WSAResetEvent(ev));
    preset(&ov, ev);
    WSABUF wb;
    wb.len = 4;
    wb.buf = in;
    SOCKADDR_IN from;
    int fromlen = sizeof from;
    DWORD n = 0xdeadbeef, flags = 0;
    CHECK_ERR(WSARecvFrom(b, &wb, 1, &n, &flags, (SOCKADDR *)&from, &fromlen, &ov, NULL),
              SOCKET_ERROR, WSA_IO_PENDING);
    CHECK_EQ(sendto(a, "0123456789", 10, 0, (const SOCKADDR *)&b_addr, sizeof b_addr), 10);
    WAIT_SET(ev);
    check_done(&ov, ev, STATUS_OVERFLOW_, 4, "truncated datagram");
    CHECK(memcmp(in, "0123", 4) == 0);

    /* A UDP receive cancelled by CancelIoEx: cancelled too. */
    CHECK(WSAResetEvent(ev));
    preset(&ov, ev);
    wb.len = sizeof in;
    fromlen = sizeof from;
    flags = 0;
    CHECK_ERR(WSARecvFrom(b, &wb, 1, &n, &flags, (SOCKADDR *)&from, &fromlen, &ov, NULL),
              SOCKET_ERROR, WSA_IO_PENDING);
    CHECK(CancelIoEx((HANDLE)b, &ov));
    WAIT_SET(ev);
    check_done(&ov, ev, STATUS_CANCELLED_, 0, "cancelled datagram receive");

    closesocket(a);
    closesocket(b);
    WSACloseEvent(ev);
    WSACleanup();
    return 0;
}

/*
 * SPEC B2: while an operation is pending, OVERLAPPED.Internal is STATUS_PENDING (0x103) - already
 * when the issuing call returns - and InternalHigh is untouched (as are Offset/OffsetHigh and
 * hEvent).
 *
 * The fields are preset to junk before each call; right after the call returns WSA_IO_PENDING
 * Internal must read 0x103 (a full ULONG_PTR compare, as the SDK's HasOverlappedIoCompleted does)
 * and the others their junk.  Cases: WSARecv (event), WSARecv (routine), WSARecvFrom, WSASend
 * larger than the kernel buffers.
 */
#include "ov_helpers.h"

#define JUNK_INTERNAL ((ULONG_PTR)0x1122334455667788ull)
#define JUNK_HIGH ((ULONG_PTR)0x0123456789abcdefull)

static void CALLBACK routine(DWORD err, DWORD bytes, LPWSAOVERLAPPED ov, DWORD flags)
{
    (void)err;
    (void)bytes;
    (void)ov;
    (void)flags;
}

static void preset(WSAOVERLAPPED *ov, WSAEVENT ev)
{
    memset(ov, 0, sizeof *ov);
    ov->Internal = JUNK_INTERNAL;
    ov->InternalHigh = JUNK_HIGH;
    ov->Offset = 0xa5a5a5a5;
    ov->OffsetHigh = 0x5a5a5a5a;
    ov->hEvent = ev;
}

static void check_pending(const WSAOVERLAPPED *ov, WSAEVENT ev, const char *what)
{
    if (ov->Internal != (ULONG_PTR)STATUS_PENDING)
        FAIL("%s: Internal is 0x%llx right after the call, wanted STATUS_PENDING (0x103)", what,
             (unsigned long long)ov->Internal);
    if (ov->InternalHigh != JUNK_HIGH)
        FAIL("%s: InternalHigh changed to 0x%llx while pending", what,
             (unsigned long long)ov->InternalHigh);
    CHECK_EQ(ov->Offset, 0xa5a5a5a5);
    CHECK_EQ(ov->OffsetHigh, 0x5a5a5a5a);
    CHECK(ov->hEvent == ev);
}

int main(void)
{
    test_init();
    SOCKET c, s;
    tcp_pair(&c, &s);
    WSAEVENT ev = ovt_event();
    char in[32];
    WSABUF wb;
    wb.len = sizeof in;
    wb.buf = in;
    DWORD n, flags;
    WSAOVERLAPPED ov;

    /* WSARecv with an event. */
    preset(&ov, ev);
    flags = 0;
    CHECK_ERR(WSARecv(s, &wb, 1, &n, &flags, &ov, NULL), SOCKET_ERROR, WSA_IO_PENDING);
    check_pending(&ov, ev, "WSARecv");
    /* Still so a while later (bounded wait that must time out: nothing can complete it). */
    CHECK_STAYS_UNSET(ev);
    check_pending(&ov, ev, "WSARecv, later");
    send_all(c, "xx", 2);
    WAIT_SET(ev);
    ovt_result_ok(s, &ov, 2);

    /* WSARecv with a routine (hEvent free for the program, SPEC B6). */
    WSAEVENT ctx = (WSAEVENT)(uintptr_t)0x12340;
    preset(&ov, ctx);
    flags = 0;
    CHECK_ERR(WSARecv(s, &wb, 1, &n, &flags, &ov, routine), SOCKET_ERROR, WSA_IO_PENDING);
    check_pending(&ov, ctx, "WSARecv with a routine");
    send_all(c, "yy", 2);
    CHECK_EQ(SleepEx(DUE_MS, TRUE), WAIT_IO_COMPLETION);

    /* WSARecvFrom. */
    SOCKET a, b;
    SOCKADDR_IN b_addr;
    udp_pair(&a, &b, &b_addr);
    CHECK(WSAResetEvent(ev));
    preset(&ov, ev);
    SOCKADDR_IN from;
    int fromlen = sizeof from;
    flags = 0;
    CHECK_ERR(WSARecvFrom(b, &wb, 1, &n, &flags, (SOCKADDR *)&from, &fromlen, &ov, NULL),
              SOCKET_ERROR, WSA_IO_PENDING);
    check_pending(&ov, ev, "WSARecvFrom");
    CHECK_EQ(sendto(a, "zz", 2, 0, (const SOCKADDR *)&b_addr, sizeof b_addr), 2);
    WAIT_SET(ev);
    ovt_result_ok(b, &ov, 2);

    /* WSASend that cannot be absorbed at once: pending with STATUS_PENDING, and InternalHigh is
     * not a running count while the send progresses. */
    enum { BIG = 8 * 1024 * 1024 };
    SOCKET c2, s2;
    tcp_pair(&c2, &s2);
    ovt_small_buffers(c2, s2);
    char *big = ovt_pattern_buffer(BIG);
    CHECK(WSAResetEvent(ev));
    preset(&ov, ev);
    WSABUF bw;
    bw.len = BIG;
    bw.buf = big;
    CHECK_ERR(WSASend(c2, &bw, 1, &n, 0, &ov, NULL), SOCKET_ERROR, WSA_IO_PENDING);
    check_pending(&ov, ev, "WSASend");
    /* Take half: the send is still pending, with InternalHigh untouched. */
    ovt_drain_pattern(s2, BIG / 2);
    check_pending(&ov, ev, "WSASend, half taken");
    ovt_drain_pattern_range(s2, BIG / 2, BIG);
    WAIT_SET(ev);
    ovt_result_ok(c2, &ov, BIG);

    free(big);
    closesocket(c2);
    closesocket(s2);
    closesocket(a);
    closesocket(b);
    WSACloseEvent(ev);
    closesocket(c);
    closesocket(s);
    WSACleanup();
    return 0;
}

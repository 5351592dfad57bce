/*
 * SPEC A2: an overlapped call that cannot complete at once returns SOCKET_ERROR with last error
 * WSA_IO_PENDING (997); the byte count and *lpFlags are not written - neither by the call nor
 * later, when the operation completes (they may be dead stack slots by then).
 *
 * Cases: WSARecv and WSARecvFrom with nothing to receive, WSASend of more than the kernel can
 * buffer.  The count variables hold sentinels that must survive the call and the completion.
 */
#include "ov_helpers.h"

static void recv_pending(SOCKET c, SOCKET s)
{
    WSAEVENT ev = ovt_event();
    WSAOVERLAPPED ov;
    ovt_ov(&ov, ev);
    char in[32];
    WSABUF wb;
    wb.len = sizeof in;
    wb.buf = in;
    DWORD n = 0xdeadbeef, flags = 0;
    WSASetLastError(0);
    int r = WSARecv(s, &wb, 1, &n, &flags, &ov, NULL);
    CHECK_ERR(r, SOCKET_ERROR, WSA_IO_PENDING);
    CHECK_EQ(GetLastError(), 997);
    CHECK_EQ(n, 0xdeadbeef);
    CHECK_EQ(flags, 0);
    /* The program owns its variables again: a later write by the library would show. */
    flags = 0xfeedface;

    send_all(c, "pending", 7);
    WAIT_SET(ev);
    ovt_result_ok(s, &ov, 7);
    CHECK(memcmp(in, "pending", 7) == 0);
    CHECK_EQ(n, 0xdeadbeef);
    CHECK_EQ(flags, 0xfeedface);
    CHECK(WSACloseEvent(ev));
}

/* Pending receives complete with whatever count arrives, one byte included. */
static void recv_pending_sizes(SOCKET c, SOCKET s)
{
    static const int sizes[] = {1, 2, 5};
    WSAEVENT ev = ovt_event();
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        WSAOVERLAPPED ov;
        ovt_ov(&ov, ev);
        char in[32];
        memset(in, 0, sizeof in);
        ovt_recv_pending(s, in, sizeof in, &ov, NULL);
        send_all(c, "abcde", (size_t)sizes[k]);
        if (ovt_wait(ev, DUE_MS) != WSA_WAIT_EVENT_0)
            FAIL("a pending receive did not complete when %d byte(s) arrived", sizes[k]);
        ovt_result_ok(s, &ov, (DWORD)sizes[k]);
        CHECK(memcmp(in, "abcde", (size_t)sizes[k]) == 0);
    }
    CHECK(WSACloseEvent(ev));
}

static void recvfrom_pending(void)
{
    SOCKET a, b;
    SOCKADDR_IN b_addr;
    udp_pair(&a, &b, &b_addr);
    WSAEVENT ev = ovt_event();
    WSAOVERLAPPED ov;
    ovt_ov(&ov, ev);
    char in[32];
    WSABUF wb;
    wb.len = sizeof in;
    wb.buf = in;
    SOCKADDR_IN from;
    int fromlen = sizeof from;
    DWORD n = 0xdeadbeef, flags = 0;
    int r = WSARecvFrom(b, &wb, 1, &n, &flags, (SOCKADDR *)&from, &fromlen, &ov, NULL);
    CHECK_ERR(r, SOCKET_ERROR, WSA_IO_PENDING);
    CHECK_EQ(n, 0xdeadbeef);
    CHECK_EQ(flags, 0);
    flags = 0xfeedface;

    CHECK_EQ(sendto(a, "dgram", 5, 0, (const SOCKADDR *)&b_addr, sizeof b_addr), 5);
    WAIT_SET(ev);
    ovt_result_ok(b, &ov, 5);
    CHECK(memcmp(in, "dgram", 5) == 0);
    CHECK_EQ(n, 0xdeadbeef);
    CHECK_EQ(flags, 0xfeedface);
    CHECK(WSACloseEvent(ev));
    closesocket(a);
    closesocket(b);
}

static void send_pending(void)
{
    enum { BIG = 8 * 1024 * 1024 };
    SOCKET c, s;
    tcp_pair(&c, &s);
    ovt_small_buffers(c, s);
    char *big = ovt_pattern_buffer(BIG);

    WSAEVENT ev = ovt_event();
    WSAOVERLAPPED ov;
    ovt_ov(&ov, ev);
    WSABUF wb;
    wb.len = BIG;
    wb.buf = big;
    DWORD n = 0xdeadbeef;
    WSASetLastError(0);
    int r = WSASend(c, &wb, 1, &n, 0, &ov, NULL);
    CHECK_ERR(r, SOCKET_ERROR, WSA_IO_PENDING);
    CHECK_EQ(n, 0xdeadbeef);

    ovt_drain_pattern(s, BIG);
    WAIT_SET(ev);
    ovt_result_ok(c, &ov, BIG);
    CHECK_EQ(n, 0xdeadbeef);
    CHECK(WSACloseEvent(ev));
    free(big);
    closesocket(c);
    closesocket(s);
}

int main(void)
{
    test_init();
    SOCKET c, s;
    tcp_pair(&c, &s);
    recv_pending(c, s);
    recv_pending_sizes(c, s);
    recvfrom_pending();
    send_pending();
    closesocket(c);
    closesocket(s);
    WSACleanup();
    return 0;
}

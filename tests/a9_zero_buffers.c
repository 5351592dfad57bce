/*
 * SPEC A9: dwBufferCount == 0 fails with WSAEINVAL (WSASend, WSARecv, WSASendTo, WSARecvFrom,
 * overlapped or not), and nothing is notified for it.  A zero-length overlapped receive (one
 * WSABUF of length 0) pends until data arrives, then completes with 0 bytes without consuming
 * any of it.
 */
#include "ov_helpers.h"

int main(void)
{
    test_init();
    SOCKET c, s;
    tcp_pair(&c, &s);
    SOCKET a, b;
    SOCKADDR_IN b_addr;
    udp_pair(&a, &b, &b_addr);
    WSAEVENT ev = ovt_event();
    char buf[64] = "data";
    char in0[8];
    WSABUF wb;
    wb.len = sizeof buf;
    wb.buf = buf;
    WSAOVERLAPPED ov;
    DWORD n, flags;
    SOCKADDR_IN from;
    int fromlen;

    /* dwBufferCount == 0. */
    for (int overlapped = 0; overlapped <= 1; overlapped++) {
        WSAOVERLAPPED *pov = overlapped ? &ov : NULL;
        ovt_ov(&ov, ev);
        CHECK_ERR(WSASend(c, &wb, 0, &n, 0, pov, NULL), SOCKET_ERROR, WSAEINVAL);
        ovt_ov(&ov, ev);
        flags = 0;
        CHECK_ERR(WSARecv(s, &wb, 0, &n, &flags, pov, NULL), SOCKET_ERROR, WSAEINVAL);
        ovt_ov(&ov, ev);
        CHECK_ERR(WSASendTo(a, &wb, 0, &n, 0, (const SOCKADDR *)&b_addr, sizeof b_addr, pov, NULL),
                  SOCKET_ERROR, WSAEINVAL);
        ovt_ov(&ov, ev);
        flags = 0;
        fromlen = sizeof from;
        CHECK_ERR(WSARecvFrom(b, &wb, 0, &n, &flags, (SOCKADDR *)&from, &fromlen, pov, NULL),
                  SOCKET_ERROR, WSAEINVAL);
    }
    /* Nothing notified for those (bounded wait that must time out). */
    CHECK_STAYS_UNSET(ev);
    /* And nothing sent: the peer's first byte is the marker sent next. */
    send_all(c, "M", 1);
    char m;
    recv_all(s, &m, 1);
    CHECK_EQ(m, 'M');
    /* No empty datagram either (an iovec count of 0 would send one). */
    CHECK_EQ(sendto(a, "D", 1, 0, (const SOCKADDR *)&b_addr, sizeof b_addr), 1);
    CHECK_EQ(recvfrom(b, in0, sizeof in0, 0, NULL, NULL), 1);
    CHECK_EQ(in0[0], 'D');

    /* Zero-length overlapped receive: pends while nothing is queued... */
    WSABUF zero;
    zero.len = 0;
    zero.buf = buf;
    ovt_ov(&ov, ev);
    n = 0xdeadbeef;
    flags = 0;
    CHECK_ERR(WSARecv(s, &zero, 1, &n, &flags, &ov, NULL), SOCKET_ERROR, WSA_IO_PENDING);
    CHECK_STAYS_UNSET(ev); /* bounded wait that must time out: it really waits for data */
    /* ...completes with 0 bytes when data arrives... */
    send_all(c, "12345", 5);
    WAIT_SET(ev);
    ovt_result_ok(s, &ov, 0);
    /* ...and consumed nothing: all five bytes are still there. */
    char in[8];
    memset(in, 0, sizeof in);
    recv_all(s, in, 5);
    CHECK(memcmp(in, "12345", 5) == 0);

    /* Zero-length receive with data already queued: at once or pending (SPEC A5), 0 bytes,
     * nothing consumed. */
    send_all(c, "abc", 3);
    ovt_wait_queued(s, 3);
    CHECK(WSAResetEvent(ev));
    ovt_ov(&ov, ev);
    n = 0xdeadbeef;
    flags = 0;
    int r = WSARecv(s, &zero, 1, &n, &flags, &ov, NULL);
    if (r == 0)
        CHECK_EQ(n, 0);
    else
        CHECK_ERR(r, SOCKET_ERROR, WSA_IO_PENDING);
    WAIT_SET(ev);
    ovt_result_ok(s, &ov, 0);
    recv_all(s, in, 3);
    CHECK(memcmp(in, "abc", 3) == 0);

    WSACloseEvent(ev);
    closesocket(a);
    closesocket(b);
    closesocket(c);
    closesocket(s);
    WSACleanup();
    return 0;
}

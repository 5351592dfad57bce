/*
 * SPEC A6: non-blocking mode (ioctlsocket FIONBIO) does not change overlapped calls - they still
 * pend (never WSAEWOULDBLOCK, never a short send); without lpOverlapped the same calls on the
 * non-blocking socket fail with WSAEWOULDBLOCK.
 */
#include "ov_helpers.h"

int main(void)
{
    test_init();
    SOCKET c, s;
    tcp_pair(&c, &s);
    u_long one = 1;
    CHECK(ioctlsocket(s, FIONBIO, &one) == 0);
    CHECK(ioctlsocket(c, FIONBIO, &one) == 0);

    /* Non-overlapped receive, nothing queued: WSAEWOULDBLOCK (WSARecv and recv). */
    char in[64];
    WSABUF wb;
    wb.len = sizeof in;
    wb.buf = in;
    DWORD n = 0xdeadbeef, flags = 0;
    CHECK_ERR(WSARecv(s, &wb, 1, &n, &flags, NULL, NULL), SOCKET_ERROR, WSAEWOULDBLOCK);
    CHECK_ERR(recv(s, in, sizeof in, 0), SOCKET_ERROR, WSAEWOULDBLOCK);

    /* Overlapped receive, nothing queued: pends, then completes with the data. */
    WSAEVENT ev = ovt_event();
    WSAOVERLAPPED ov;
    ovt_ov(&ov, ev);
    flags = 0;
    n = 0xdeadbeef;
    CHECK_ERR(WSARecv(s, &wb, 1, &n, &flags, &ov, NULL), SOCKET_ERROR, WSA_IO_PENDING);
    /* Still pending a while later (bounded wait that must time out): the non-blocking mode did
     * not turn it into a failed or empty completion. */
    CHECK_STAYS_UNSET(ev);
    send_all(c, "nonblocking", 11);
    WAIT_SET(ev);
    ovt_result_ok(s, &ov, 11);
    CHECK(memcmp(in, "nonblocking", 11) == 0);

    /* Overlapped send of more than the kernel can take on a non-blocking socket: pends (not
     * WSAEWOULDBLOCK) and completes with the whole count (SPEC E3). */
    enum { BIG = 8 * 1024 * 1024 };
    ovt_small_buffers(c, s);
    char *big = ovt_pattern_buffer(BIG);
    WSAOVERLAPPED sov;
    WSAEVENT sev = ovt_event();
    ovt_ov(&sov, sev);
    WSABUF bw;
    bw.len = BIG;
    bw.buf = big;
    n = 0xdeadbeef;
    CHECK_ERR(WSASend(c, &bw, 1, &n, 0, &sov, NULL), SOCKET_ERROR, WSA_IO_PENDING);

    ovt_drain_pattern(s, BIG);
    WAIT_SET(sev);
    ovt_result_ok(c, &sov, BIG);

    /* UDP: WSARecvFrom without lpOverlapped gives WSAEWOULDBLOCK; with it, it pends. */
    SOCKET a, b;
    SOCKADDR_IN b_addr;
    udp_pair(&a, &b, &b_addr);
    CHECK(ioctlsocket(b, FIONBIO, &one) == 0);
    SOCKADDR_IN from;
    int fromlen = sizeof from;
    flags = 0;
    CHECK_ERR(WSARecvFrom(b, &wb, 1, &n, &flags, (SOCKADDR *)&from, &fromlen, NULL, NULL),
              SOCKET_ERROR, WSAEWOULDBLOCK);
    CHECK(WSAResetEvent(ev));
    ovt_ov(&ov, ev);
    fromlen = sizeof from;
    flags = 0;
    CHECK_ERR(WSARecvFrom(b, &wb, 1, &n, &flags, (SOCKADDR *)&from, &fromlen, &ov, NULL),
              SOCKET_ERROR, WSA_IO_PENDING);
    CHECK_EQ(sendto(a, "dgram", 5, 0, (const SOCKADDR *)&b_addr, sizeof b_addr), 5);
    WAIT_SET(ev);
    ovt_result_ok(b, &ov, 5);
    CHECK(memcmp(in, "dgram", 5) == 0);
    closesocket(a);
    closesocket(b);

    free(big);
    WSACloseEvent(ev);
    WSACloseEvent(sev);
    closesocket(c);
    closesocket(s);
    WSACleanup();
    return 0;
}

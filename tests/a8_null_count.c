/*
 * SPEC A8: lpNumberOfBytesSent/lpNumberOfBytesRecvd may be NULL when lpOverlapped is given (the
 * count then comes from WSAGetOverlappedResult).  A non-overlapped WSASend/WSASendTo with a NULL
 * count fails with WSAEFAULT.
 */
#include "ov_helpers.h"

int main(void)
{
    test_init();
    SOCKET c, s;
    tcp_pair(&c, &s);
    WSAEVENT ev = ovt_event();
    char in[64];
    WSABUF wb;
    WSAOVERLAPPED ov;

    /* Overlapped WSASend, NULL count: succeeds (at once or later). */
    ovt_ov(&ov, ev);
    wb.len = 7;
    wb.buf = (char *)"nocount";
    int r = WSASend(c, &wb, 1, NULL, 0, &ov, NULL);
    if (r != 0)
        CHECK_ERR(r, SOCKET_ERROR, WSA_IO_PENDING);
    WAIT_SET(ev);
    ovt_result_ok(c, &ov, 7);
    recv_all(s, in, 7);
    CHECK(memcmp(in, "nocount", 7) == 0);

    /* Overlapped WSARecv, NULL count: pends, completes. */
    CHECK(WSAResetEvent(ev));
    ovt_ov(&ov, ev);
    wb.len = sizeof in;
    wb.buf = in;
    DWORD flags = 0;
    CHECK_ERR(WSARecv(s, &wb, 1, NULL, &flags, &ov, NULL), SOCKET_ERROR, WSA_IO_PENDING);
    send_all(c, "later", 5);
    WAIT_SET(ev);
    ovt_result_ok(s, &ov, 5);
    CHECK(memcmp(in, "later", 5) == 0);

    /* Overlapped WSARecv, NULL count, data queued: either; no crash, correct result. */
    send_all(c, "queued", 6);
    ovt_wait_queued(s, 6);
    CHECK(WSAResetEvent(ev));
    ovt_ov(&ov, ev);
    flags = 0;
    r = WSARecv(s, &wb, 1, NULL, &flags, &ov, NULL);
    if (r != 0)
        CHECK_ERR(r, SOCKET_ERROR, WSA_IO_PENDING);
    WAIT_SET(ev);
    ovt_result_ok(s, &ov, 6);
    CHECK(memcmp(in, "queued", 6) == 0);

    /* Overlapped WSASendTo / WSARecvFrom, NULL count. */
    SOCKET a, b;
    SOCKADDR_IN b_addr;
    udp_pair(&a, &b, &b_addr);
    WSAOVERLAPPED rov;
    WSAEVENT rev = ovt_event();
    ovt_ov(&rov, rev);
    SOCKADDR_IN from;
    int fromlen = sizeof from;
    flags = 0;
    CHECK_ERR(WSARecvFrom(b, &wb, 1, NULL, &flags, (SOCKADDR *)&from, &fromlen, &rov, NULL),
              SOCKET_ERROR, WSA_IO_PENDING);
    CHECK(WSAResetEvent(ev));
    ovt_ov(&ov, ev);
    WSABUF dw;
    dw.len = 3;
    dw.buf = (char *)"udp";
    r = WSASendTo(a, &dw, 1, NULL, 0, (const SOCKADDR *)&b_addr, sizeof b_addr, &ov, NULL);
    if (r != 0)
        CHECK_ERR(r, SOCKET_ERROR, WSA_IO_PENDING);
    WAIT_SET(ev);
    ovt_result_ok(a, &ov, 3);
    WAIT_SET(rev);
    ovt_result_ok(b, &rov, 3);
    CHECK(memcmp(in, "udp", 3) == 0);

    /* Non-overlapped WSASend and WSASendTo with a NULL count: WSAEFAULT. */
    CHECK_ERR(WSASend(c, &dw, 1, NULL, 0, NULL, NULL), SOCKET_ERROR, WSAEFAULT);
    CHECK_ERR(WSASendTo(a, &dw, 1, NULL, 0, (const SOCKADDR *)&b_addr, sizeof b_addr, NULL, NULL),
              SOCKET_ERROR, WSAEFAULT);

    closesocket(a);
    closesocket(b);
    WSACloseEvent(ev);
    WSACloseEvent(rev);
    closesocket(c);
    closesocket(s);
    WSACleanup();
    return 0;
}

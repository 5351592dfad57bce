/*
 * SPEC C4: WSAGetOverlappedResult only reads the OVERLAPPED: it works after the socket was closed
 * (with fWait TRUE it waits on hEvent), and it never resets the event.
 */
#include "ov_helpers.h"

int main(void)
{
    test_init();
    WSAEVENT ev = ovt_event();
    WSAOVERLAPPED ov;
    char in[32];
    DWORD n, flags;
    SOCKET c, s;
    tcp_pair(&c, &s);

    /* Never resets the event: ask several times, both ways; the event stays set. */
    ovt_ov(&ov, ev);
    ovt_recv_pending(s, in, sizeof in, &ov, NULL);
    send_all(c, "result", 6);
    WAIT_SET(ev);
    for (int i = 0; i < 3; i++) {
        n = 0;
        CHECK(WSAGetOverlappedResult(s, &ov, &n, FALSE, &flags));
        CHECK_EQ(n, 6);
        CHECK_SET(ev);
        n = 0;
        CHECK(WSAGetOverlappedResult(s, &ov, &n, TRUE, &flags));
        CHECK_EQ(n, 6);
        CHECK_SET(ev);
    }

    /* A completed operation's result, read after the socket was closed. */
    CHECK(closesocket(s) == 0);
    n = 0;
    flags = 0xdeadbeef;
    if (!WSAGetOverlappedResult(s, &ov, &n, FALSE, &flags))
        FAIL("WSAGetOverlappedResult after closesocket: FALSE, error %d", WSAGetLastError());
    CHECK_EQ(n, 6);
    CHECK_EQ(flags, 0);
    n = 0;
    CHECK(WSAGetOverlappedResult(s, &ov, &n, TRUE, NULL));
    CHECK_EQ(n, 6);
    CHECK_SET(ev);
    closesocket(c);

    /* A receive pending when its socket is closed: it completes aborted (SPEC E6), and
     * WSAGetOverlappedResult(fWait = TRUE) on the closed socket waits for that on hEvent. */
    tcp_pair(&c, &s);
    CHECK(WSAResetEvent(ev));
    ovt_ov(&ov, ev);
    ovt_recv_pending(s, in, sizeof in, &ov, NULL);
    CHECK(closesocket(s) == 0);
    n = 0xdeadbeef;
    WSASetLastError(0);
    CHECK(!WSAGetOverlappedResult(s, &ov, &n, TRUE, &flags));
    CHECK_EQ(WSAGetLastError(), WSAECONNABORTED);
    CHECK(ov.Internal != STATUS_PENDING);
    CHECK_SET(ev);
    /* Asked again with fWait FALSE: the same answer, event still set. */
    CHECK(!WSAGetOverlappedResult(s, &ov, &n, FALSE, &flags));
    CHECK_EQ(WSAGetLastError(), WSAECONNABORTED);
    CHECK_SET(ev);
    closesocket(c);

    /* A UDP receive pending when its socket is closed: cancelled (SPEC E6), read the same way. */
    SOCKET a, b;
    SOCKADDR_IN b_addr;
    udp_pair(&a, &b, &b_addr);
    CHECK(WSAResetEvent(ev));
    ovt_ov(&ov, ev);
    WSABUF wb;
    wb.len = sizeof in;
    wb.buf = in;
    SOCKADDR_IN from;
    int fromlen = sizeof from;
    flags = 0;
    CHECK_ERR(WSARecvFrom(b, &wb, 1, &n, &flags, (SOCKADDR *)&from, &fromlen, &ov, NULL),
              SOCKET_ERROR, WSA_IO_PENDING);
    CHECK(closesocket(b) == 0);
    CHECK(!WSAGetOverlappedResult(b, &ov, &n, TRUE, &flags));
    CHECK_EQ(WSAGetLastError(), WSA_OPERATION_ABORTED);
    CHECK_SET(ev);
    closesocket(a);

    WSACloseEvent(ev);
    WSACleanup();
    return 0;
}

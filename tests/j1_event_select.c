/*
 * SPEC J1: WSAEventSelect records FD_ACCEPT, FD_WRITE, FD_READ and FD_CLOSE, sets the event, makes
 * the socket non-blocking; WSAEnumNetworkEvents returns lNetworkEvents and iErrorCode[FD_*_BIT]
 * and resets the event.  An event is recorded once, and again only after its re-enabling call
 * (recv for FD_READ) when its cause is still there; FD_CLOSE reports a reset with WSAECONNRESET.
 */
#include "helpers.h"

/* Bounded wait used where the event must NOT be set: 50 ms is plenty on loopback. */
#define QUIET_MS 50

static long take(SOCKET s, WSAEVENT ev, int *close_err)
{
    WSANETWORKEVENTS ne;
    memset(&ne, 0x55, sizeof ne);
    CHECK_EQ(WSAEnumNetworkEvents(s, ev, &ne), 0);
    CHECK_EQ(WSAWaitForMultipleEvents(1, &ev, FALSE, 0, FALSE), WSA_WAIT_TIMEOUT); /* reset */
    if (close_err)
        *close_err = ne.iErrorCode[FD_CLOSE_BIT];
    return ne.lNetworkEvents;
}

int main(void)
{
    test_init();
    SOCKADDR_IN a;
    SOCKET l = tcp_listener(&a);
    WSAEVENT le = WSACreateEvent();
    CHECK_EQ(WSAEventSelect(l, le, FD_ACCEPT), 0);
    CHECK_EQ(WSAWaitForMultipleEvents(1, &le, FALSE, QUIET_MS, FALSE), WSA_WAIT_TIMEOUT);

    /* The socket is non-blocking now: accept with nothing pending says WSAEWOULDBLOCK. */
    CHECK_ERR(accept(l, NULL, NULL), INVALID_SOCKET, WSAEWOULDBLOCK);

    SOCKET c = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(connect(c, (SOCKADDR *)&a, sizeof a) == 0);
    CHECK_EQ(WSAWaitForMultipleEvents(1, &le, FALSE, 5000, FALSE), WSA_WAIT_EVENT_0);
    CHECK_EQ(take(l, le, NULL), FD_ACCEPT);
    SOCKET s = accept(l, NULL, NULL);
    CHECK(s != INVALID_SOCKET);

    WSAEVENT se = WSACreateEvent();
    CHECK_EQ(WSAEventSelect(s, se, FD_READ | FD_WRITE | FD_CLOSE), 0);
    /* A connected socket with room to send records FD_WRITE at once. */
    CHECK_EQ(WSAWaitForMultipleEvents(1, &se, FALSE, 5000, FALSE), WSA_WAIT_EVENT_0);
    CHECK_EQ(take(s, se, NULL), FD_WRITE);
    CHECK_EQ(WSAWaitForMultipleEvents(1, &se, FALSE, QUIET_MS, FALSE), WSA_WAIT_TIMEOUT);

    send_all(c, "abc", 3);
    CHECK_EQ(WSAWaitForMultipleEvents(1, &se, FALSE, 5000, FALSE), WSA_WAIT_EVENT_0);
    CHECK_EQ(take(s, se, NULL), FD_READ);
    /* Not again until recv re-enables it... */
    CHECK_EQ(WSAWaitForMultipleEvents(1, &se, FALSE, QUIET_MS, FALSE), WSA_WAIT_TIMEOUT);
    char b[8];
    CHECK_EQ(recv(s, b, 2, 0), 2);
    /* ...and then at once, because a byte is still there. */
    CHECK_EQ(WSAWaitForMultipleEvents(1, &se, FALSE, 5000, FALSE), WSA_WAIT_EVENT_0);
    CHECK_EQ(take(s, se, NULL), FD_READ);
    CHECK_EQ(recv(s, b, sizeof b, 0), 1);
    CHECK_EQ(WSAWaitForMultipleEvents(1, &se, FALSE, QUIET_MS, FALSE), WSA_WAIT_TIMEOUT);

    /* A reset from the peer: FD_CLOSE with WSAECONNRESET. */
    LINGER lg = {1, 0};
    CHECK(setsockopt(c, SOL_SOCKET, SO_LINGER, (const char *)&lg, sizeof lg) == 0);
    closesocket(c);
    CHECK_EQ(WSAWaitForMultipleEvents(1, &se, FALSE, 5000, FALSE), WSA_WAIT_EVENT_0);
    int close_err = -1;
    long ev = take(s, se, &close_err);
    CHECK(ev & FD_CLOSE);
    CHECK_EQ(close_err, WSAECONNRESET);

    /* A graceful close: FD_CLOSE with no error. */
    c = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(connect(c, (SOCKADDR *)&a, sizeof a) == 0);
    CHECK_EQ(WSAWaitForMultipleEvents(1, &le, FALSE, 5000, FALSE), WSA_WAIT_EVENT_0);
    CHECK_EQ(take(l, le, NULL), FD_ACCEPT);
    SOCKET s2 = accept(l, NULL, NULL);
    CHECK(s2 != INVALID_SOCKET);
    WSAEVENT se2 = WSACreateEvent();
    CHECK_EQ(WSAEventSelect(s2, se2, FD_CLOSE), 0);
    CHECK_EQ(WSAWaitForMultipleEvents(1, &se2, FALSE, QUIET_MS, FALSE), WSA_WAIT_TIMEOUT);
    closesocket(c);
    CHECK_EQ(WSAWaitForMultipleEvents(1, &se2, FALSE, 5000, FALSE), WSA_WAIT_EVENT_0);
    close_err = -1;
    CHECK_EQ(take(s2, se2, &close_err), FD_CLOSE);
    CHECK_EQ(close_err, 0);

    /* Bad arguments. */
    CHECK_ERR(WSAEventSelect(INVALID_SOCKET, se, FD_READ), SOCKET_ERROR, WSAENOTSOCK);
    CHECK_ERR(WSAEnumNetworkEvents(s, se, NULL), SOCKET_ERROR, WSAEFAULT);

    closesocket(s);
    closesocket(s2);
    closesocket(l);
    WSACloseEvent(le);
    WSACloseEvent(se);
    WSACloseEvent(se2);
    WSACleanup();
    return 0;
}

/*
 * SPEC G2: INVALID_SOCKET, a forged SOCKET value, a closed socket and a handle that is not a
 * socket (an event) give WSAENOTSOCK from every BSD-style call: bind, listen, accept, WSAAccept,
 * connect, WSAConnect, shutdown, send, recv, sendto, recvfrom, setsockopt, getsockopt,
 * getsockname, getpeername, ioctlsocket, WSAHtonl/WSAHtons/WSANtohl/WSANtohs, select; WSAPoll
 * marks such an entry POLLNVAL instead.  Nothing crashes.
 */
#include "helpers.h"

static void expect_all_notsock(SOCKET bad, const char *what)
{
    SOCKADDR_IN a = loopback_any_port();
    int len = sizeof a;
    char buf[8] = "x";
    BOOL b = TRUE;
    int blen = sizeof b;
    u_long ul = 1;
    u_short us = 1;

#define EXPECT(call, failure)                                                                      \
    do {                                                                                           \
        WSASetLastError(0);                                                                        \
        long long r_ = (long long)(call);                                                          \
        int e_ = WSAGetLastError();                                                                \
        if (r_ != (long long)(failure) || e_ != WSAENOTSOCK)                                       \
            FAIL("%s: %s returned %lld, error %d; wanted %lld, WSAENOTSOCK (10038)", what, #call,  \
                 r_, e_, (long long)(failure));                                                    \
    } while (0)

    EXPECT(bind(bad, (SOCKADDR *)&a, sizeof a), SOCKET_ERROR);
    EXPECT(listen(bad, 5), SOCKET_ERROR);
    len = sizeof a;
    EXPECT(accept(bad, (SOCKADDR *)&a, &len), INVALID_SOCKET);
    EXPECT(accept(bad, NULL, NULL), INVALID_SOCKET);
    EXPECT(WSAAccept(bad, NULL, NULL, NULL, 0), INVALID_SOCKET);
    EXPECT(connect(bad, (SOCKADDR *)&a, sizeof a), SOCKET_ERROR);
    EXPECT(WSAConnect(bad, (SOCKADDR *)&a, sizeof a, NULL, NULL, NULL, NULL), SOCKET_ERROR);
    EXPECT(shutdown(bad, SD_BOTH), SOCKET_ERROR);
    EXPECT(send(bad, buf, 1, 0), SOCKET_ERROR);
    EXPECT(recv(bad, buf, sizeof buf, 0), SOCKET_ERROR);
    EXPECT(sendto(bad, buf, 1, 0, (SOCKADDR *)&a, sizeof a), SOCKET_ERROR);
    len = sizeof a;
    EXPECT(recvfrom(bad, buf, sizeof buf, 0, (SOCKADDR *)&a, &len), SOCKET_ERROR);
    EXPECT(setsockopt(bad, SOL_SOCKET, SO_REUSEADDR, (const char *)&b, sizeof b), SOCKET_ERROR);
    EXPECT(getsockopt(bad, SOL_SOCKET, SO_REUSEADDR, (char *)&b, &blen), SOCKET_ERROR);
    len = sizeof a;
    EXPECT(getsockname(bad, (SOCKADDR *)&a, &len), SOCKET_ERROR);
    len = sizeof a;
    EXPECT(getpeername(bad, (SOCKADDR *)&a, &len), SOCKET_ERROR);
    EXPECT(ioctlsocket(bad, FIONBIO, &ul), SOCKET_ERROR);
    EXPECT(ioctlsocket(bad, FIONREAD, &ul), SOCKET_ERROR);
    EXPECT(WSAHtonl(bad, 1, &ul), SOCKET_ERROR);
    EXPECT(WSAHtons(bad, 1, &us), SOCKET_ERROR);
    EXPECT(WSANtohl(bad, 1, &ul), SOCKET_ERROR);
    EXPECT(WSANtohs(bad, 1, &us), SOCKET_ERROR);

    /* select: one bad socket among good ones fails the whole call. */
    SOCKET good = socket(AF_INET, SOCK_DGRAM, 0);
    CHECK(good != INVALID_SOCKET);
    fd_set r;
    FD_ZERO(&r);
    FD_SET(good, &r);
    FD_SET(bad, &r);
    struct timeval tv = {0, 0};
    EXPECT(select(0, &r, NULL, NULL, &tv), SOCKET_ERROR);

    /* WSAPoll reports the bad entry instead of failing. */
    WSAPOLLFD p[2];
    memset(p, 0, sizeof p);
    p[0].fd = good;
    p[0].events = POLLWRNORM;
    p[1].fd = bad;
    p[1].events = POLLRDNORM;
    int n = WSAPoll(p, 2, 0);
    if (bad == INVALID_SOCKET) {
        /* INVALID_SOCKET is "negative": the entry is skipped. */
        CHECK_EQ(n, 1);
        CHECK_EQ(p[1].revents, 0);
    } else {
        CHECK_EQ(n, 2);
        CHECK_EQ(p[1].revents, POLLNVAL);
    }
    CHECK_EQ(p[0].revents, POLLWRNORM);
    closesocket(good);
#undef EXPECT
}

int main(void)
{
    test_init();
    expect_all_notsock(INVALID_SOCKET, "INVALID_SOCKET");
    expect_all_notsock((SOCKET)0x12345678, "a forged value");
    expect_all_notsock((SOCKET)0, "0");

    SOCKET closed = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(closed != INVALID_SOCKET);
    CHECK_EQ(closesocket(closed), 0);
    expect_all_notsock(closed, "a closed socket");

    WSAEVENT ev = WSACreateEvent();
    CHECK(ev != WSA_INVALID_EVENT);
    expect_all_notsock((SOCKET)ev, "an event handle");
    WSACloseEvent(ev);

    WSACleanup();
    printf("g2_notsock: ok (%s)\n", test_engine());
    return 0;
}

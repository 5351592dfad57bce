/*
 * SPEC G3 for the BSD-style calls: NULL pointers, address lengths too small for the family, and
 * unmapped pointers (a PROT_NONE page) give WSAEFAULT, never a crash - for bind, connect, accept,
 * getsockname, getpeername, sendto, recvfrom, send, recv, setsockopt, getsockopt, ioctlsocket,
 * select, gethostname and inet_pton/inet_ntop.  A call that fails this way consumes nothing: an
 * accept with a too-small address buffer leaves the connection to the next accept.
 */
#include "helpers.h"

#include <sys/mman.h>

#define EXPECT_EFAULT(call, failure)                                                               \
    do {                                                                                           \
        WSASetLastError(0);                                                                        \
        long long r_ = (long long)(call);                                                          \
        int e_ = WSAGetLastError();                                                                \
        if (r_ != (long long)(failure) || e_ != WSAEFAULT)                                         \
            FAIL("%s returned %lld, error %d; wanted %lld, WSAEFAULT (10014)", #call, r_, e_,      \
                 (long long)(failure));                                                            \
    } while (0)

int main(void)
{
    test_init();
    const size_t bad_size = 65536; /* a page of any size Linux uses */
    char *bad = mmap(NULL, bad_size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(bad != MAP_FAILED);

    SOCKADDR_IN a = loopback_any_port();
    SOCKADDR_IN6 a6;
    memset(&a6, 0, sizeof a6);
    a6.sin6_family = AF_INET6;

    /* ---- input addresses ---- */
    SOCKET s = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(s != INVALID_SOCKET);
    EXPECT_EFAULT(bind(s, NULL, sizeof a), SOCKET_ERROR);
    EXPECT_EFAULT(bind(s, (SOCKADDR *)&a, sizeof a - 1), SOCKET_ERROR);
    EXPECT_EFAULT(bind(s, (SOCKADDR *)&a, 0), SOCKET_ERROR);
    EXPECT_EFAULT(bind(s, (SOCKADDR *)&a, -1), SOCKET_ERROR);
    EXPECT_EFAULT(bind(s, (SOCKADDR *)bad, sizeof a), SOCKET_ERROR);
    EXPECT_EFAULT(bind(s, (SOCKADDR *)&a6, 20), SOCKET_ERROR); /* shorter than any sockaddr_in6 */
    EXPECT_EFAULT(connect(s, NULL, sizeof a), SOCKET_ERROR);
    EXPECT_EFAULT(connect(s, (SOCKADDR *)&a, 8), SOCKET_ERROR);
    EXPECT_EFAULT(connect(s, (SOCKADDR *)bad, sizeof a), SOCKET_ERROR);
    /* The address straddles the end of a readable page. */
    char *edge = mmap(NULL, 2 * 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(edge != MAP_FAILED);
    CHECK_EQ(mprotect(edge + 65536, 65536, PROT_NONE), 0);
    SOCKADDR_IN *straddle = (SOCKADDR_IN *)(edge + 65536 - 8);
    straddle->sin_family = AF_INET;
    EXPECT_EFAULT(bind(s, (SOCKADDR *)straddle, sizeof a), SOCKET_ERROR);
    closesocket(s);

    /* ---- output addresses ---- */
    SOCKADDR_IN la;
    SOCKET l = tcp_listener(&la);
    int len = sizeof a;
    EXPECT_EFAULT(getsockname(l, NULL, &len), SOCKET_ERROR);
    EXPECT_EFAULT(getsockname(l, (SOCKADDR *)&a, NULL), SOCKET_ERROR);
    len = sizeof a - 1;
    EXPECT_EFAULT(getsockname(l, (SOCKADDR *)&a, &len), SOCKET_ERROR);
    len = sizeof a;
    EXPECT_EFAULT(getsockname(l, (SOCKADDR *)bad, &len), SOCKET_ERROR);
    EXPECT_EFAULT(getsockname(l, (SOCKADDR *)&a, (int *)bad), SOCKET_ERROR);

    SOCKET c = socket(AF_INET, SOCK_STREAM, 0);
    CHECK_EQ(connect(c, (SOCKADDR *)&la, sizeof la), 0);
    len = 4;
    EXPECT_EFAULT(accept(l, (SOCKADDR *)&a, &len), INVALID_SOCKET);
    EXPECT_EFAULT(accept(l, (SOCKADDR *)&a, NULL), INVALID_SOCKET);
    EXPECT_EFAULT(accept(l, (SOCKADDR *)&a, (int *)bad), INVALID_SOCKET);
    len = sizeof a; /* the failed accepts consumed nothing */
    SOCKET t = accept(l, (SOCKADDR *)&a, &len);
    CHECK(t != INVALID_SOCKET);
    len = 2;
    EXPECT_EFAULT(getpeername(t, (SOCKADDR *)&a, &len), SOCKET_ERROR);
    EXPECT_EFAULT(getpeername(t, NULL, NULL), SOCKET_ERROR);

    /* ---- data buffers ---- */
    EXPECT_EFAULT(send(c, NULL, 10, 0), SOCKET_ERROR);
    EXPECT_EFAULT(send(c, "x", -1, 0), SOCKET_ERROR);
    EXPECT_EFAULT(send(c, bad, 10, 0), SOCKET_ERROR);
    send_all(c, "abc", 3);
    EXPECT_EFAULT(recv(t, NULL, 10, 0), SOCKET_ERROR);
    EXPECT_EFAULT(recv(t, bad, 10, 0), SOCKET_ERROR);

    /* ---- options and ioctls ---- */
    BOOL b = TRUE;
    int size = 0;
    EXPECT_EFAULT(setsockopt(c, SOL_SOCKET, SO_KEEPALIVE, NULL, sizeof b), SOCKET_ERROR);
    EXPECT_EFAULT(setsockopt(c, SOL_SOCKET, SO_KEEPALIVE, (const char *)&b, 0), SOCKET_ERROR);
    EXPECT_EFAULT(setsockopt(c, SOL_SOCKET, SO_RCVBUF, (const char *)&size, 2), SOCKET_ERROR);
    EXPECT_EFAULT(setsockopt(c, SOL_SOCKET, SO_RCVBUF, bad, sizeof size), SOCKET_ERROR);
    EXPECT_EFAULT(setsockopt(c, SOL_SOCKET, SO_LINGER, (const char *)&b, 2), SOCKET_ERROR);
    len = sizeof size;
    EXPECT_EFAULT(getsockopt(c, SOL_SOCKET, SO_RCVBUF, NULL, &len), SOCKET_ERROR);
    EXPECT_EFAULT(getsockopt(c, SOL_SOCKET, SO_RCVBUF, (char *)&size, NULL), SOCKET_ERROR);
    len = 2;
    EXPECT_EFAULT(getsockopt(c, SOL_SOCKET, SO_RCVBUF, (char *)&size, &len), SOCKET_ERROR);
    len = sizeof size;
    EXPECT_EFAULT(getsockopt(c, SOL_SOCKET, SO_RCVBUF, bad, &len), SOCKET_ERROR);
    EXPECT_EFAULT(ioctlsocket(c, FIONBIO, NULL), SOCKET_ERROR);
    EXPECT_EFAULT(ioctlsocket(c, FIONBIO, (u_long *)bad), SOCKET_ERROR);
    EXPECT_EFAULT(ioctlsocket(c, FIONREAD, (u_long *)bad), SOCKET_ERROR);

    /* ---- datagrams ---- */
    SOCKET u1, u2;
    SOCKADDR_IN u2addr;
    udp_pair(&u1, &u2, &u2addr);
    EXPECT_EFAULT(sendto(u1, "x", 1, 0, (SOCKADDR *)&u2addr, 3), SOCKET_ERROR);
    EXPECT_EFAULT(sendto(u1, "x", 1, 0, (SOCKADDR *)bad, sizeof u2addr), SOCKET_ERROR);
    CHECK_EQ(sendto(u1, "dgram", 5, 0, (SOCKADDR *)&u2addr, sizeof u2addr), 5);
    char buf[16];
    SOCKADDR_IN from;
    len = 3;
    EXPECT_EFAULT(recvfrom(u2, buf, sizeof buf, 0, (SOCKADDR *)&from, &len), SOCKET_ERROR);
    EXPECT_EFAULT(recvfrom(u2, buf, sizeof buf, 0, (SOCKADDR *)&from, NULL), SOCKET_ERROR);
    len = sizeof from; /* the datagram is still there */
    CHECK_EQ(recvfrom(u2, buf, sizeof buf, 0, (SOCKADDR *)&from, &len), 5);

    /* ---- select ---- */
    struct timeval tv = {0, 0};
    EXPECT_EFAULT(select(0, (fd_set *)bad, NULL, NULL, &tv), SOCKET_ERROR);
    fd_set r;
    FD_ZERO(&r);
    FD_SET(t, &r);
    EXPECT_EFAULT(select(0, &r, NULL, NULL, (const struct timeval *)bad), SOCKET_ERROR);

    /* ---- names ---- */
    char name[256];
    EXPECT_EFAULT(gethostname(NULL, 256), SOCKET_ERROR);
    EXPECT_EFAULT(gethostname(name, 1), SOCKET_ERROR);
    EXPECT_EFAULT(gethostname(bad, 256), SOCKET_ERROR);
    IN_ADDR ia;
    EXPECT_EFAULT(inet_pton(AF_INET, NULL, &ia), -1);
    EXPECT_EFAULT(inet_pton(AF_INET, "1.2.3.4", NULL), -1);
    EXPECT_EFAULT(inet_pton(AF_INET, "1.2.3.4", bad), -1);
    WSASetLastError(0);
    CHECK(inet_ntop(AF_INET, bad, name, sizeof name) == NULL);
    CHECK_EQ(WSAGetLastError(), WSAEFAULT);
    u_long ul;
    EXPECT_EFAULT(WSAHtonl(c, 1, NULL), SOCKET_ERROR);
    EXPECT_EFAULT(WSAHtonl(c, 1, (u_long *)bad), SOCKET_ERROR);
    (void)ul;

    closesocket(u1);
    closesocket(u2);
    closesocket(c);
    closesocket(t);
    closesocket(l);
    WSACleanup();
    printf("g3_efault_bsd: ok (%s)\n", test_engine());
    return 0;
}

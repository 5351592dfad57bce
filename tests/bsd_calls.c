/*
 * The BSD-style Winsock calls with Windows' semantics: socket/bind/listen/connect/accept, send and
 * recv, getsockname/getpeername, socket options in Windows' formats (BOOL, DWORD milliseconds for
 * SO_RCVTIMEO, linger with u_short fields), ioctlsocket (FIONBIO, FIONREAD), select on Windows
 * fd_sets, shutdown, datagrams, WSAPoll.
 */
#include "helpers.h"

#include <time.h>

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* select() on one socket for one set, with a timeout in ms; returns whether it is in the set. */
static int ready(SOCKET s, int which, int ms)
{
    fd_set set;
    FD_ZERO(&set);
    FD_SET(s, &set);
    struct timeval tv;
    tv.tv_sec = ms / 1000;
    tv.tv_usec = (ms % 1000) * 1000;
    int n = select(0, which == 0 ? &set : NULL, which == 1 ? &set : NULL, which == 2 ? &set : NULL,
                   &tv);
    if (n == SOCKET_ERROR)
        FAIL("select: error %d", WSAGetLastError());
    CHECK_EQ(n, (int)set.fd_count);
    CHECK_EQ(n != 0, FD_ISSET(s, &set) != 0);
    return n;
}

static void test_connect_accept_names(void)
{
    SOCKADDR_IN la;
    SOCKET l = tcp_listener(&la);
    CHECK_EQ(la.sin_family, AF_INET);
    CHECK(la.sin_port != 0);
    CHECK_EQ(la.sin_addr.s_addr, htonl(INADDR_LOOPBACK));

    SOCKET c = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    CHECK(c != INVALID_SOCKET);
    CHECK_EQ(connect(c, (SOCKADDR *)&la, sizeof la), 0);

    SOCKADDR_STORAGE peer;
    int peerlen = sizeof peer; /* a larger buffer than needed is fine */
    SOCKET s = accept(l, (SOCKADDR *)&peer, &peerlen);
    CHECK(s != INVALID_SOCKET);
    CHECK_EQ(peerlen, sizeof(SOCKADDR_IN));
    CHECK_EQ(peer.ss_family, AF_INET);

    SOCKADDR_IN ca, pa;
    int len = sizeof ca;
    CHECK_EQ(getsockname(c, (SOCKADDR *)&ca, &len), 0);
    CHECK_EQ(len, sizeof ca);
    CHECK_EQ(((SOCKADDR_IN *)&peer)->sin_port, ca.sin_port);
    len = sizeof pa;
    CHECK_EQ(getpeername(c, (SOCKADDR *)&pa, &len), 0);
    CHECK_EQ(pa.sin_port, la.sin_port);
    CHECK_EQ(pa.sin_addr.s_addr, la.sin_addr.s_addr);

    /* Data both ways. */
    send_all(c, "hello", 5);
    char buf[16];
    recv_all(s, buf, 5);
    CHECK(memcmp(buf, "hello", 5) == 0);
    CHECK_EQ(send(s, "xy", 2, 0), 2);
    recv_all(c, buf, 2);
    CHECK(memcmp(buf, "xy", 2) == 0);

    /* getsockname on a socket that was never bound: WSAEINVAL (Linux would say 0.0.0.0:0). */
    SOCKET u = socket(AF_INET, SOCK_STREAM, 0);
    len = sizeof ca;
    CHECK_ERR(getsockname(u, (SOCKADDR *)&ca, &len), SOCKET_ERROR, WSAEINVAL);
    /* listen on an unbound socket: WSAEINVAL (Linux would bind it implicitly). */
    CHECK_ERR(listen(u, 5), SOCKET_ERROR, WSAEINVAL);
    /* getpeername on an unconnected socket. */
    CHECK_ERR(getpeername(u, (SOCKADDR *)&ca, &len), SOCKET_ERROR, WSAENOTCONN);
    /* A second listener on the same port. */
    SOCKADDR_IN same = la;
    CHECK_ERR(bind(u, (SOCKADDR *)&same, sizeof same), SOCKET_ERROR, WSAEADDRINUSE);

    closesocket(u);
    closesocket(c);
    closesocket(s);
    closesocket(l);
}

static void test_options(void)
{
    SOCKET c, s;
    tcp_pair(&c, &s);
    BOOL b = 99;
    int len = sizeof b;

    /* SO_REUSEADDR reads back what the program set, 0 by default. */
    CHECK_EQ(getsockopt(c, SOL_SOCKET, SO_REUSEADDR, (char *)&b, &len), 0);
    CHECK_EQ(b, FALSE);
    CHECK_EQ(len, sizeof(BOOL));
    b = TRUE;
    CHECK_EQ(setsockopt(c, SOL_SOCKET, SO_REUSEADDR, (const char *)&b, sizeof b), 0);
    b = 99;
    CHECK_EQ(getsockopt(c, SOL_SOCKET, SO_REUSEADDR, (char *)&b, &len), 0);
    CHECK_EQ(b, TRUE);
    /* Windows refuses SO_EXCLUSIVEADDRUSE together with SO_REUSEADDR. */
    CHECK_ERR(setsockopt(c, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, (const char *)&b, sizeof b),
              SOCKET_ERROR, WSAEINVAL);

    /* TCP_NODELAY as a BOOL, and as the single byte Windows also accepts. */
    b = TRUE;
    CHECK_EQ(setsockopt(c, IPPROTO_TCP, TCP_NODELAY, (const char *)&b, sizeof b), 0);
    b = 0;
    len = sizeof b;
    CHECK_EQ(getsockopt(c, IPPROTO_TCP, TCP_NODELAY, (char *)&b, &len), 0);
    CHECK_EQ(b, TRUE);
    char one = 0;
    CHECK_EQ(setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, 1), 0);
    len = sizeof b;
    CHECK_EQ(getsockopt(c, IPPROTO_TCP, TCP_NODELAY, (char *)&b, &len), 0);
    CHECK_EQ(b, FALSE);

    b = TRUE;
    CHECK_EQ(setsockopt(c, SOL_SOCKET, SO_KEEPALIVE, (const char *)&b, sizeof b), 0);
    len = sizeof b;
    CHECK_EQ(getsockopt(c, SOL_SOCKET, SO_KEEPALIVE, (char *)&b, &len), 0);
    CHECK_EQ(b, TRUE);

    /* Buffer sizes read back as set (Linux doubles them internally). */
    int size = 65536;
    CHECK_EQ(setsockopt(c, SOL_SOCKET, SO_RCVBUF, (const char *)&size, sizeof size), 0);
    size = 0;
    len = sizeof size;
    CHECK_EQ(getsockopt(c, SOL_SOCKET, SO_RCVBUF, (char *)&size, &len), 0);
    CHECK_EQ(size, 65536);

    int type = 0;
    len = sizeof type;
    CHECK_EQ(getsockopt(c, SOL_SOCKET, SO_TYPE, (char *)&type, &len), 0);
    CHECK_EQ(type, SOCK_STREAM);
    int err = -1;
    len = sizeof err;
    CHECK_EQ(getsockopt(c, SOL_SOCKET, SO_ERROR, (char *)&err, &len), 0);
    CHECK_EQ(err, 0);

    /* SO_LINGER with Windows' u_short fields; SO_DONTLINGER is its negation. */
    LINGER lg;
    lg.l_onoff = 1;
    lg.l_linger = 5;
    CHECK_EQ(setsockopt(c, SOL_SOCKET, SO_LINGER, (const char *)&lg, sizeof lg), 0);
    memset(&lg, 0xff, sizeof lg);
    len = sizeof lg;
    CHECK_EQ(getsockopt(c, SOL_SOCKET, SO_LINGER, (char *)&lg, &len), 0);
    CHECK_EQ(len, sizeof(LINGER));
    CHECK_EQ(lg.l_onoff, 1);
    CHECK_EQ(lg.l_linger, 5);
    len = sizeof b;
    CHECK_EQ(getsockopt(c, SOL_SOCKET, SO_DONTLINGER, (char *)&b, &len), 0);
    CHECK_EQ(b, FALSE);
    b = TRUE;
    CHECK_EQ(setsockopt(c, SOL_SOCKET, SO_DONTLINGER, (const char *)&b, sizeof b), 0);
    len = sizeof lg;
    CHECK_EQ(getsockopt(c, SOL_SOCKET, SO_LINGER, (char *)&lg, &len), 0);
    CHECK_EQ(lg.l_onoff, 0);

    /* Accepted and ignored: they only exist to complete AcceptEx/ConnectEx sockets. */
    CHECK_EQ(setsockopt(s, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT, (const char *)&c, sizeof c), 0);
    CHECK_EQ(setsockopt(c, SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, NULL, 0), 0);

    /* Unknown options and levels. */
    CHECK_ERR(setsockopt(c, SOL_SOCKET, 0x7777, (const char *)&b, sizeof b), SOCKET_ERROR,
              WSAENOPROTOOPT);
    len = sizeof b;
    CHECK_ERR(getsockopt(c, SOL_SOCKET, 0x7777, (char *)&b, &len), SOCKET_ERROR, WSAENOPROTOOPT);
    CHECK_ERR(setsockopt(c, 12345, 1, (const char *)&b, sizeof b), SOCKET_ERROR, WSAEINVAL);

    closesocket(c);
    closesocket(s);
}

static void test_rcvtimeo(void)
{
    SOCKET c, s;
    tcp_pair(&c, &s);
    DWORD ms = 200;
    CHECK_EQ(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, (const char *)&ms, sizeof ms), 0);
    ms = 0;
    int len = sizeof ms;
    CHECK_EQ(getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, (char *)&ms, &len), 0);
    CHECK_EQ(ms, 200);
    CHECK_EQ(len, sizeof(DWORD));

    char buf[8];
    long long t0 = now_ms();
    CHECK_ERR(recv(s, buf, sizeof buf, 0), SOCKET_ERROR, WSAETIMEDOUT);
    long long took = now_ms() - t0;
    if (took < 150)
        FAIL("recv timed out after %lld ms, wanted about 200", took);
    closesocket(c);
    closesocket(s);
}

static void test_fionbio_fionread(void)
{
    SOCKET c, s;
    tcp_pair(&c, &s);
    u_long on = 1;
    CHECK_EQ(ioctlsocket(s, FIONBIO, &on), 0);
    char buf[16];
    CHECK_ERR(recv(s, buf, sizeof buf, 0), SOCKET_ERROR, WSAEWOULDBLOCK);

    u_long avail = 99;
    CHECK_EQ(ioctlsocket(s, FIONREAD, &avail), 0);
    CHECK_EQ(avail, 0);
    send_all(c, "12345", 5);
    CHECK(ready(s, 0, 5000));
    CHECK_EQ(ioctlsocket(s, FIONREAD, &avail), 0);
    CHECK_EQ(avail, 5);
    CHECK_EQ(recv(s, buf, sizeof buf, 0), 5);

    /* SIOCATMARK: TRUE when no out-of-band data is waiting. */
    u_long at = 0;
    CHECK_EQ(ioctlsocket(s, SIOCATMARK, &at), 0);
    CHECK_EQ(at, TRUE);

    on = 0;
    CHECK_EQ(ioctlsocket(s, FIONBIO, &on), 0);
    CHECK_ERR(ioctlsocket(s, 0x12345, &on), SOCKET_ERROR, WSAEINVAL);
    closesocket(c);
    closesocket(s);
}

static void test_select(void)
{
    SOCKADDR_IN la;
    SOCKET l = tcp_listener(&la);
    /* Nothing pending: a zero timeout polls. */
    CHECK_EQ(ready(l, 0, 0), 0);

    SOCKET c = socket(AF_INET, SOCK_STREAM, 0);
    CHECK_EQ(connect(c, (SOCKADDR *)&la, sizeof la), 0);
    /* A pending connection makes the listener readable. */
    CHECK_EQ(ready(l, 0, 5000), 1);
    SOCKET s = accept(l, NULL, NULL);
    CHECK(s != INVALID_SOCKET);

    CHECK_EQ(ready(s, 0, 0), 0);
    CHECK_EQ(ready(s, 1, 5000), 1);
    send_all(c, "x", 1);
    CHECK_EQ(ready(s, 0, 5000), 1);

    /* The same socket in two sets counts twice; fd_sets are rewritten to the ready ones. */
    fd_set r, w;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_SET(s, &r);
    FD_SET(c, &r); /* c has nothing to read */
    FD_SET(s, &w);
    struct timeval tv = {5, 0};
    CHECK_EQ(select(0, &r, &w, NULL, &tv), 2);
    CHECK_EQ(r.fd_count, 1);
    CHECK_EQ(r.fd_array[0], s);
    CHECK(FD_ISSET(s, &w));
    CHECK(!FD_ISSET(c, &r));

    /* FD_SET ignores duplicates; FD_CLR removes. */
    FD_ZERO(&r);
    FD_SET(s, &r);
    FD_SET(s, &r);
    FD_SET(c, &r);
    CHECK_EQ(r.fd_count, 2);
    FD_CLR(s, &r);
    CHECK_EQ(r.fd_count, 1);
    CHECK_EQ(r.fd_array[0], c);

    /* No sockets at all: WSAEINVAL (Windows does not sleep in select). */
    tv.tv_sec = 0;
    CHECK_ERR(select(0, NULL, NULL, NULL, &tv), SOCKET_ERROR, WSAEINVAL);
    FD_ZERO(&r);
    CHECK_ERR(select(0, &r, NULL, NULL, &tv), SOCKET_ERROR, WSAEINVAL);

    /* A peer's close makes the socket readable; recv then returns 0. */
    closesocket(c);
    CHECK_EQ(ready(s, 0, 5000), 1);
    char buf[4];
    CHECK_EQ(recv(s, buf, sizeof buf, 0), 1);
    CHECK_EQ(recv(s, buf, sizeof buf, 0), 0);
    closesocket(s);
    closesocket(l);
}

static void test_nonblocking_connect(void)
{
    SOCKADDR_IN la;
    SOCKET l = tcp_listener(&la);
    SOCKET c = socket(AF_INET, SOCK_STREAM, 0);
    u_long on = 1;
    CHECK_EQ(ioctlsocket(c, FIONBIO, &on), 0);
    int r = connect(c, (SOCKADDR *)&la, sizeof la);
    if (r == SOCKET_ERROR)
        CHECK_EQ(WSAGetLastError(), WSAEWOULDBLOCK);
    CHECK_EQ(ready(c, 1, 5000), 1);
    SOCKET s = accept(l, NULL, NULL);
    CHECK(s != INVALID_SOCKET);
    closesocket(s);
    closesocket(c);

    /* A refused non-blocking connect is reported in exceptfds, not writefds; SO_ERROR tells why.
     * The port is held by a bound socket that does not listen, so no other test can take it. */
    closesocket(l);
    SOCKADDR_IN dead;
    SOCKET hold = socket(AF_INET, SOCK_STREAM, 0);
    dead = loopback_any_port();
    CHECK_EQ(bind(hold, (SOCKADDR *)&dead, sizeof dead), 0);
    int dlen = sizeof dead;
    CHECK_EQ(getsockname(hold, (SOCKADDR *)&dead, &dlen), 0);
    c = socket(AF_INET, SOCK_STREAM, 0);
    CHECK_EQ(ioctlsocket(c, FIONBIO, &on), 0);
    r = connect(c, (SOCKADDR *)&dead, sizeof dead);
    CHECK_ERR(r, SOCKET_ERROR, WSAEWOULDBLOCK);
    fd_set w, e;
    FD_ZERO(&w);
    FD_ZERO(&e);
    FD_SET(c, &w);
    FD_SET(c, &e);
    struct timeval tv = {5, 0};
    CHECK_EQ(select(0, NULL, &w, &e, &tv), 1);
    CHECK_EQ(w.fd_count, 0);
    CHECK_EQ(e.fd_count, 1);
    int err = 0, len = sizeof err;
    CHECK_EQ(getsockopt(c, SOL_SOCKET, SO_ERROR, (char *)&err, &len), 0);
    CHECK_EQ(err, WSAECONNREFUSED);
    closesocket(c);
    closesocket(hold);
}

static void test_shutdown_and_reset(void)
{
    SOCKET c, s;
    tcp_pair(&c, &s);
    CHECK_EQ(shutdown(c, SD_SEND), 0);
    CHECK_ERR(send(c, "x", 1, 0), SOCKET_ERROR, WSAESHUTDOWN);
    char buf[4];
    CHECK_EQ(recv(s, buf, sizeof buf, 0), 0);
    CHECK_EQ(shutdown(s, SD_RECEIVE), 0);
    CHECK_ERR(recv(s, buf, sizeof buf, 0), SOCKET_ERROR, WSAESHUTDOWN);
    CHECK_ERR(shutdown(s, 7), SOCKET_ERROR, WSAEINVAL);
    closesocket(c);
    closesocket(s);

    /* A reset peer gives WSAECONNRESET (never SIGPIPE). */
    tcp_pair(&c, &s);
    LINGER lg = {1, 0};
    CHECK_EQ(setsockopt(s, SOL_SOCKET, SO_LINGER, (const char *)&lg, sizeof lg), 0);
    closesocket(s); /* linger 0: RST */
    CHECK_EQ(ready(c, 0, 5000), 1);
    CHECK_ERR(recv(c, buf, sizeof buf, 0), SOCKET_ERROR, WSAECONNRESET);
    int r, tries = 0;
    while ((r = send(c, "x", 1, 0)) == 1 && ++tries < 100)
        ;
    CHECK_ERR(r, SOCKET_ERROR, WSAECONNRESET);
    closesocket(c);

    /* send on a socket that was never connected. */
    c = socket(AF_INET, SOCK_STREAM, 0);
    CHECK_ERR(send(c, "x", 1, 0), SOCKET_ERROR, WSAENOTCONN);
    CHECK_ERR(recv(c, buf, 1, 0), SOCKET_ERROR, WSAENOTCONN);
    closesocket(c);
}

static void test_datagrams(void)
{
    SOCKET a, b;
    SOCKADDR_IN baddr;
    udp_pair(&a, &b, &baddr);
    CHECK_EQ(sendto(a, "datagram", 8, 0, (SOCKADDR *)&baddr, sizeof baddr), 8);
    char buf[32];
    SOCKADDR_IN from;
    int fromlen = sizeof from;
    CHECK_EQ(recvfrom(b, buf, sizeof buf, 0, (SOCKADDR *)&from, &fromlen), 8);
    CHECK_EQ(fromlen, sizeof from);
    CHECK_EQ(from.sin_family, AF_INET);
    SOCKADDR_IN aaddr;
    int len = sizeof aaddr;
    CHECK_EQ(getsockname(a, (SOCKADDR *)&aaddr, &len), 0);
    CHECK_EQ(from.sin_port, aaddr.sin_port);

    /* Too small a buffer: filled, then WSAEMSGSIZE. */
    CHECK_EQ(sendto(a, "0123456789", 10, 0, (SOCKADDR *)&baddr, sizeof baddr), 10);
    memset(buf, 0, sizeof buf);
    fromlen = sizeof from;
    CHECK_ERR(recvfrom(b, buf, 4, 0, (SOCKADDR *)&from, &fromlen), SOCKET_ERROR, WSAEMSGSIZE);
    CHECK(memcmp(buf, "0123", 4) == 0);

    /* MSG_PEEK leaves the datagram. */
    CHECK_EQ(sendto(a, "peek", 4, 0, (SOCKADDR *)&baddr, sizeof baddr), 4);
    CHECK_EQ(recv(b, buf, sizeof buf, MSG_PEEK), 4);
    CHECK_EQ(recv(b, buf, sizeof buf, 0), 4);

    /* send without a destination on an unconnected datagram socket. */
    CHECK_ERR(send(a, "x", 1, 0), SOCKET_ERROR, WSAENOTCONN);
    /* Flags a send does not take. */
    CHECK_ERR(sendto(a, "x", 1, MSG_PEEK, (SOCKADDR *)&baddr, sizeof baddr), SOCKET_ERROR,
              WSAEOPNOTSUPP);

    /* connect() a datagram socket, then plain send/recv. */
    CHECK_EQ(connect(a, (SOCKADDR *)&baddr, sizeof baddr), 0);
    CHECK_EQ(send(a, "conn", 4, 0), 4);
    CHECK_EQ(recv(b, buf, sizeof buf, 0), 4);
    closesocket(a);
    closesocket(b);
}

static void test_ipv6(void)
{
    SOCKET s = socket(AF_INET6, SOCK_STREAM, 0);
    if (s == INVALID_SOCKET) {
        CHECK_EQ(WSAGetLastError(), WSAEAFNOSUPPORT);
        fprintf(stderr, "no IPv6 here: IPv6 part skipped\n");
        return;
    }
    /* IPV6_V6ONLY is on by default, as on Windows. */
    BOOL v6only = FALSE;
    int len = sizeof v6only;
    CHECK_EQ(getsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, (char *)&v6only, &len), 0);
    CHECK_EQ(v6only, TRUE);

    SOCKADDR_IN6 a;
    memset(&a, 0, sizeof a);
    a.sin6_family = AF_INET6;
    a.sin6_addr = in6addr_loopback;
    if (bind(s, (SOCKADDR *)&a, sizeof a) != 0) {
        CHECK_EQ(WSAGetLastError(), WSAEADDRNOTAVAIL);
        fprintf(stderr, "no ::1 here: IPv6 part skipped\n");
        closesocket(s);
        return;
    }
    CHECK_EQ(listen(s, 4), 0);
    len = sizeof a;
    CHECK_EQ(getsockname(s, (SOCKADDR *)&a, &len), 0);
    CHECK_EQ(len, sizeof(SOCKADDR_IN6));
    CHECK_EQ(a.sin6_family, 23); /* Windows' AF_INET6, not Linux's 10 */

    SOCKET c = socket(AF_INET6, SOCK_STREAM, 0);
    CHECK_EQ(connect(c, (SOCKADDR *)&a, sizeof a), 0);
    SOCKADDR_IN6 peer;
    len = sizeof(SOCKADDR_IN); /* too small for an IPv6 peer */
    CHECK_ERR(accept(s, (SOCKADDR *)&peer, &len), INVALID_SOCKET, WSAEFAULT);
    len = sizeof peer; /* the connection is still there */
    SOCKET t = accept(s, (SOCKADDR *)&peer, &len);
    CHECK(t != INVALID_SOCKET);
    CHECK_EQ(peer.sin6_family, AF_INET6);
    CHECK(memcmp(&peer.sin6_addr, &in6addr_loopback, sizeof peer.sin6_addr) == 0);
    closesocket(t);
    closesocket(c);
    closesocket(s);
}

static void test_wsapoll(void)
{
    SOCKET c, s;
    tcp_pair(&c, &s);
    WSAPOLLFD p[3];
    memset(p, 0, sizeof p);
    p[0].fd = s;
    p[0].events = POLLRDNORM;
    p[1].fd = c;
    p[1].events = POLLWRNORM;
    p[2].fd = INVALID_SOCKET; /* "negative": ignored */
    p[2].events = POLLRDNORM;
    CHECK_EQ(WSAPoll(p, 3, 1000), 1);
    CHECK_EQ(p[0].revents, 0);
    CHECK_EQ(p[1].revents, POLLWRNORM);
    CHECK_EQ(p[2].revents, 0);
    send_all(c, "z", 1);
    CHECK_EQ(WSAPoll(p, 1, 5000), 1);
    CHECK_EQ(p[0].revents, POLLRDNORM);
    CHECK_ERR(WSAPoll(p, 0, 0), SOCKET_ERROR, WSAEINVAL);
    closesocket(c);
    closesocket(s);
}

int main(void)
{
    test_init();
    test_connect_accept_names();
    test_options();
    test_rcvtimeo();
    test_fionbio_fionread();
    test_select();
    test_nonblocking_connect();
    test_shutdown_and_reset();
    test_datagrams();
    test_ipv6();
    test_wsapoll();
    WSACleanup();
    printf("bsd_calls: ok (%s)\n", test_engine());
    return 0;
}

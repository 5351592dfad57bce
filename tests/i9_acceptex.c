/*
 * SPEC I9 (behaviour; the error cases are in i9_acceptex_errors): AcceptEx, through
 * WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER) and as the direct <mswsock.h> import:
 *   - it pends (FALSE, ERROR_IO_PENDING) and nothing completes before a client connects;
 *   - with a receive length of 0 it completes when the connection arrives (0 bytes);
 *   - with a receive length > 0 it waits for the first data and completes with that many bytes
 *     (or with 0 when the client closes without sending, as Wine's test_AcceptEx shows);
 *   - the packet carries the listener's key, even when the accept socket is bound to the port
 *     with a key of its own (Wine's test_completion_port);
 *   - GetAcceptExSockaddrs (both ways of getting it) finds the local and remote addresses;
 *   - setsockopt(SO_UPDATE_ACCEPT_CONTEXT) with the listener is accepted, and afterwards the
 *     accepted socket has its names and carries data both ways (its own I/O posts its own key).
 */
#include "iocp_helpers.h"

#define KL 0x125 /* listener */
#define KA 0x236 /* accept socket */
#define ADDRLEN (sizeof(SOCKADDR_IN) + 16)

static SOCKADDR_IN name_of(SOCKET s, int peer)
{
    SOCKADDR_IN a;
    int len = sizeof a;
    memset(&a, 0, sizeof a);
    if (peer)
        CHECK(getpeername(s, (SOCKADDR *)&a, &len) == 0);
    else
        CHECK(getsockname(s, (SOCKADDR *)&a, &len) == 0);
    CHECK_EQ(len, sizeof a);
    return a;
}

static void same_addr(const SOCKADDR *got, int got_len, const SOCKADDR_IN *want, const char *what)
{
    if (!got)
        FAIL("%s: no address", what);
    if (got_len != (int)sizeof(SOCKADDR_IN))
        FAIL("%s: length %d, wanted %d", what, got_len, (int)sizeof(SOCKADDR_IN));
    const SOCKADDR_IN *a = (const SOCKADDR_IN *)got;
    if (a->sin_family != AF_INET || a->sin_addr.s_addr != want->sin_addr.s_addr ||
        a->sin_port != want->sin_port)
        FAIL("%s: family %d %08lx:%u, wanted %08lx:%u", what, a->sin_family,
             (unsigned long)ntohl(a->sin_addr.s_addr), ntohs(a->sin_port),
             (unsigned long)ntohl(want->sin_addr.s_addr), ntohs(want->sin_port));
}

static void check_sockaddrs(LPFN_GETACCEPTEXSOCKADDRS fn, char *out, DWORD recv_len,
                            const SOCKADDR_IN *local, const SOCKADDR_IN *remote)
{
    SOCKADDR *l = NULL, *r = NULL;
    int llen = -1, rlen = -1;
    fn(out, recv_len, ADDRLEN, ADDRLEN, &l, &llen, &r, &rlen);
    same_addr(l, llen, local, "GetAcceptExSockaddrs local");
    same_addr(r, rlen, remote, "GetAcceptExSockaddrs remote");
}

int main(void)
{
    test_init();
    HANDLE port = iot_port(0);
    SOCKADDR_IN la;
    SOCKET l = tcp_listener(&la);
    iot_bind(l, port, KL);
    LPFN_ACCEPTEX pAcceptEx = iot_acceptex(l);
    LPFN_GETACCEPTEXSOCKADDRS pGetAcceptExSockaddrs = iot_getacceptexsockaddrs(l);
    WSAEVENT ev = ovt_event();
    char out[256];
    DWORD got, n, fl;
    WSAOVERLAPPED ov;

    /* 1. Through WSAIoctl, receive length 0: pends, completes on connect. */
    SOCKET a = iot_tcp();
    iot_bind(a, port, KA);
    ovt_ov(&ov, ev);
    got = 0xdeadbeef;
    EXT_PENDING(pAcceptEx(l, a, out, 0, ADDRLEN, ADDRLEN, &got, (LPOVERLAPPED)&ov));
    CHECK_STAYS_UNSET(ev);
    CHECK(!HasOverlappedIoCompleted((LPOVERLAPPED)&ov));
    EXPECT_NO_PACKET(port, 0);
    SOCKET conn = iot_tcp();
    CHECK(connect(conn, (SOCKADDR *)&la, sizeof la) == 0);
    SOCKADDR_IN conn_name = name_of(conn, 0);
    EXPECT_PACKET(port, &ov, KL, 0, 0);
    CHECK_SET(ev);
    CHECK_EQ(ov.Internal, 0);
    CHECK(WSAGetOverlappedResult(l, &ov, &n, FALSE, &fl));
    CHECK_EQ(n, 0);
    check_sockaddrs(pGetAcceptExSockaddrs, out, 0, &la, &conn_name);
    check_sockaddrs(GetAcceptExSockaddrs, out, 0, &la, &conn_name);

    /* SO_UPDATE_ACCEPT_CONTEXT, then the accepted socket is a connected socket. */
    CHECK_EQ(setsockopt(a, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT, (char *)&l, sizeof l), 0);
    SOCKADDR_IN an = name_of(a, 0), ap = name_of(a, 1);
    CHECK(an.sin_addr.s_addr == la.sin_addr.s_addr && an.sin_port == la.sin_port);
    CHECK(ap.sin_addr.s_addr == conn_name.sin_addr.s_addr && ap.sin_port == conn_name.sin_port);
    send_all(a, "to-client", 9);
    char in[16];
    recv_all(conn, in, 9);
    CHECK(memcmp(in, "to-client", 9) == 0);
    WSAOVERLAPPED rov;
    ovt_ov(&rov, NULL);
    iot_recv_pending(a, in, sizeof in, &rov);
    send_all(conn, "to-server", 9);
    EXPECT_PACKET(port, &rov, KA, 9, 0);
    CHECK(memcmp(in, "to-server", 9) == 0);
    closesocket(conn);
    closesocket(a);

    /* 2. The direct import, receive length > 0: the connection alone does not complete it. */
    enum { RECV = 64 };
    a = iot_tcp();
    CHECK(WSAResetEvent(ev));
    ovt_ov(&ov, ev);
    EXT_PENDING(AcceptEx(l, a, out, RECV, ADDRLEN, ADDRLEN, &got, (LPOVERLAPPED)&ov));
    conn = iot_tcp();
    CHECK(connect(conn, (SOCKADDR *)&la, sizeof la) == 0);
    conn_name = name_of(conn, 0);
    CHECK_STAYS_UNSET(ev);
    CHECK(!HasOverlappedIoCompleted((LPOVERLAPPED)&ov));
    EXPECT_NO_PACKET(port, 0);
    send_all(conn, "first", 5);
    EXPECT_PACKET(port, &ov, KL, 5, 0);
    CHECK_SET(ev);
    CHECK(memcmp(out, "first", 5) == 0);
    CHECK(WSAGetOverlappedResult(l, &ov, &n, FALSE, &fl));
    CHECK_EQ(n, 5);
    check_sockaddrs(GetAcceptExSockaddrs, out, RECV, &la, &conn_name);
    check_sockaddrs(pGetAcceptExSockaddrs, out, RECV, &la, &conn_name);
    CHECK_EQ(setsockopt(a, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT, (char *)&l, sizeof l), 0);
    send_all(conn, "more", 4);
    recv_all(a, in, 4); /* the first data went to AcceptEx's buffer, the rest follows */
    CHECK(memcmp(in, "more", 4) == 0);
    send_all(a, "ok", 2);
    recv_all(conn, in, 2);
    CHECK(memcmp(in, "ok", 2) == 0);
    closesocket(conn);
    closesocket(a);

    /* 3. Receive length > 0 and the client closes without sending: success with 0 bytes. */
    a = iot_tcp();
    CHECK(WSAResetEvent(ev));
    ovt_ov(&ov, ev);
    EXT_PENDING(pAcceptEx(l, a, out, RECV, ADDRLEN, ADDRLEN, &got, (LPOVERLAPPED)&ov));
    conn = iot_tcp();
    CHECK(connect(conn, (SOCKADDR *)&la, sizeof la) == 0);
    CHECK_EQ(closesocket(conn), 0);
    EXPECT_PACKET(port, &ov, KL, 0, 0);
    CHECK(WSAGetOverlappedResult(l, &ov, &n, FALSE, &fl));
    CHECK_EQ(n, 0);
    closesocket(a);

    /* 4. Several AcceptEx pending on one listener: each connection completes one of them. */
    SOCKET as[3];
    WSAOVERLAPPED aov[3];
    char outs[3][2 * ADDRLEN];
    for (int i = 0; i < 3; i++) {
        as[i] = iot_tcp();
        ovt_ov(&aov[i], NULL);
        EXT_PENDING(pAcceptEx(l, as[i], outs[i], 0, ADDRLEN, ADDRLEN, &got, (LPOVERLAPPED)&aov[i]));
    }
    SOCKET cs[3];
    int seen[3] = {0, 0, 0};
    for (int i = 0; i < 3; i++) {
        cs[i] = iot_tcp();
        CHECK(connect(cs[i], (SOCKADDR *)&la, sizeof la) == 0);
    }
    for (int i = 0; i < 3; i++) {
        DWORD bytes = 0xdeadbeef;
        ULONG_PTR key = 0;
        LPOVERLAPPED pov = NULL;
        CHECK(GetQueuedCompletionStatus(port, &bytes, &key, &pov, DUE_MS));
        CHECK_EQ(key, KL);
        CHECK_EQ(bytes, 0);
        int which = -1;
        for (int j = 0; j < 3; j++)
            if (pov == (LPOVERLAPPED)&aov[j])
                which = j;
        CHECK(which >= 0 && !seen[which]);
        seen[which] = 1;
    }
    EXPECT_NO_PACKET(port, QUIET_MS);
    for (int i = 0; i < 3; i++) {
        closesocket(cs[i]);
        closesocket(as[i]);
    }

    closesocket(l);
    WSACloseEvent(ev);
    CHECK(CloseHandle(port));
    WSACleanup();
    return 0;
}

/*
 * SPEC I10: ConnectEx (only through WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER)).
 *   - it pends even on loopback (FALSE, ERROR_IO_PENDING), then succeeds: event set, packet with
 *     the socket's key, byte count 0 - or the number of bytes sent from its optional buffer,
 *     which the peer receives;
 *   - refused: it pends, then fails - ERROR_CONNECTION_REFUSED (1225) in the packet,
 *     WSAECONNREFUSED from WSAGetOverlappedResult, STATUS_CONNECTION_REFUSED in Internal;
 *   - afterwards SO_UPDATE_CONNECT_CONTEXT is accepted and the socket is connected;
 *   - errors at once: an unbound socket WSAEINVAL, a listening one WSAEINVAL, a connected one
 *     WSAEISCONN (the connecting end, the accepted end, and a socket ConnectEx connected), not a
 *     socket WSAENOTSOCK, a NULL OVERLAPPED ERROR_INVALID_PARAMETER - no packet for any.
 * Values as in Wine's test_connect / test_connect_completion_port (checked on Windows).
 */
#include "iocp_helpers.h"

#define KEY 0xC0

int main(void)
{
    test_init();
    HANDLE port = iot_port(0);
    SOCKADDR_IN la;
    SOCKET l = tcp_listener(&la);
    WSAEVENT ev = ovt_event();
    WSAOVERLAPPED ov;
    DWORD sent, n, fl;
    char in[16];

    /* Pends on loopback; succeeds with 0 bytes. */
    SOCKET k = iot_tcp_bound();
    LPFN_CONNECTEX pConnectEx = iot_connectex(k);
    iot_bind(k, port, KEY);
    ovt_ov(&ov, ev);
    sent = 0xdeadbeef;
    EXT_PENDING(pConnectEx(k, (SOCKADDR *)&la, sizeof la, NULL, 0, &sent, (LPOVERLAPPED)&ov));
    EXPECT_PACKET(port, &ov, KEY, 0, 0);
    CHECK_SET(ev);
    CHECK_EQ(ov.Internal, 0);
    CHECK(WSAGetOverlappedResult(k, &ov, &n, FALSE, &fl));
    CHECK_EQ(n, 0);
    CHECK_EQ(setsockopt(k, SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, NULL, 0), 0);
    SOCKADDR_IN peer;
    int len = sizeof peer;
    CHECK_EQ(getpeername(k, (SOCKADDR *)&peer, &len), 0);
    CHECK(peer.sin_port == la.sin_port && peer.sin_addr.s_addr == la.sin_addr.s_addr);
    SOCKET a = accept(l, NULL, NULL);
    CHECK(a != INVALID_SOCKET);
    send_all(k, "ping", 4);
    recv_all(a, in, 4);
    CHECK(memcmp(in, "ping", 4) == 0);
    send_all(a, "pong", 4);
    recv_all(k, in, 4);
    CHECK(memcmp(in, "pong", 4) == 0);

    /* Connected sockets: WSAEISCONN (the ConnectEx'd one, and both ends of a plain pair). */
    WSAOVERLAPPED eov;
    ovt_ov(&eov, NULL);
    EXT_FAILS(pConnectEx(k, (SOCKADDR *)&la, sizeof la, NULL, 0, &sent, (LPOVERLAPPED)&eov),
              WSAEISCONN);
    EXT_FAILS(pConnectEx(a, (SOCKADDR *)&la, sizeof la, NULL, 0, &sent, (LPOVERLAPPED)&eov),
              WSAEISCONN);
    SOCKET pc, ps;
    tcp_pair(&pc, &ps);
    EXT_FAILS(pConnectEx(pc, (SOCKADDR *)&la, sizeof la, NULL, 0, &sent, (LPOVERLAPPED)&eov),
              WSAEISCONN);
    EXT_FAILS(pConnectEx(ps, (SOCKADDR *)&la, sizeof la, NULL, 0, &sent, (LPOVERLAPPED)&eov),
              WSAEISCONN);
    closesocket(pc);
    closesocket(ps);
    closesocket(a);
    closesocket(k);

    /* With a send buffer: the count is what was sent; the peer gets it. */
    k = iot_tcp_bound();
    iot_bind(k, port, KEY + 1);
    CHECK(WSAResetEvent(ev));
    ovt_ov(&ov, ev);
    char data[3] = {'1', '2', '3'};
    EXT_PENDING(pConnectEx(k, (SOCKADDR *)&la, sizeof la, data, 3, &sent, (LPOVERLAPPED)&ov));
    EXPECT_PACKET(port, &ov, KEY + 1, 3, 0);
    CHECK(WSAGetOverlappedResult(k, &ov, &n, FALSE, &fl));
    CHECK_EQ(n, 3);
    a = accept(l, NULL, NULL);
    CHECK(a != INVALID_SOCKET);
    recv_all(a, in, 3);
    CHECK(memcmp(in, "123", 3) == 0);
    closesocket(a);
    closesocket(k);

    /* A bigger buffer, without a port: the event, and the whole buffer counted and received. */
    enum { BIG = 50000 };
    char *big = ovt_pattern_buffer(BIG);
    k = iot_tcp_bound();
    CHECK(WSAResetEvent(ev));
    ovt_ov(&ov, ev);
    EXT_PENDING(pConnectEx(k, (SOCKADDR *)&la, sizeof la, big, BIG, &sent, (LPOVERLAPPED)&ov));
    a = accept(l, NULL, NULL);
    CHECK(a != INVALID_SOCKET);
    ovt_drain_pattern(a, BIG);
    WAIT_SET(ev);
    CHECK(WSAGetOverlappedResult(k, &ov, &n, FALSE, &fl));
    CHECK_EQ(n, BIG);
    free(big);
    closesocket(a);
    closesocket(k);

    /* Refused. */
    SOCKET holder;
    SOCKADDR_IN refusing = iot_refusing_addr(&holder);
    k = iot_tcp_bound();
    iot_bind(k, port, KEY + 2);
    CHECK(WSAResetEvent(ev));
    ovt_ov(&ov, ev);
    EXT_PENDING(
        pConnectEx(k, (SOCKADDR *)&refusing, sizeof refusing, NULL, 0, &sent, (LPOVERLAPPED)&ov));
    EXPECT_PACKET(port, &ov, KEY + 2, 0, ERROR_CONNECTION_REFUSED);
    CHECK_SET(ev);
    CHECK_EQ(ov.Internal, 0xC0000236); /* STATUS_CONNECTION_REFUSED */
    CHECK_ERR(WSAGetOverlappedResult(k, &ov, &n, FALSE, &fl), FALSE, WSAECONNREFUSED);
    closesocket(k);
    closesocket(holder);

    /* Errors at once, no packet. */
    SOCKET u = iot_tcp(); /* not bound */
    iot_bind(u, port, KEY + 3);
    EXT_FAILS(pConnectEx(u, (SOCKADDR *)&la, sizeof la, NULL, 0, &sent, (LPOVERLAPPED)&eov),
              WSAEINVAL);
    iot_bind(l, port, KEY + 4);
    EXT_FAILS(pConnectEx(l, (SOCKADDR *)&la, sizeof la, NULL, 0, &sent, (LPOVERLAPPED)&eov),
              WSAEINVAL);
    EXT_FAILS(
        pConnectEx(INVALID_SOCKET, (SOCKADDR *)&la, sizeof la, NULL, 0, &sent, (LPOVERLAPPED)&eov),
        WSAENOTSOCK);
    k = iot_tcp_bound();
    EXT_FAILS(pConnectEx(k, (SOCKADDR *)&la, sizeof la, NULL, 0, &sent, NULL),
              ERROR_INVALID_PARAMETER);
    EXPECT_NO_PACKET(port, QUIET_MS);
    /* The bound socket refused for a NULL OVERLAPPED still connects properly. */
    CHECK(WSAResetEvent(ev));
    ovt_ov(&ov, ev);
    EXT_PENDING(pConnectEx(k, (SOCKADDR *)&la, sizeof la, NULL, 0, &sent, (LPOVERLAPPED)&ov));
    WAIT_SET(ev);
    CHECK(WSAGetOverlappedResult(k, &ov, &n, FALSE, &fl));

    closesocket(k);
    closesocket(u);
    closesocket(l);
    WSACloseEvent(ev);
    CHECK(CloseHandle(port));
    WSACleanup();
    return 0;
}

/*
 * SPEC I11: DisconnectEx (through WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER)).
 *   - with an OVERLAPPED it pends (FALSE, ERROR_IO_PENDING), then succeeds with 0 bytes: event
 *     set, WSAGetOverlappedResult TRUE, packet with the key when the socket is bound to a port;
 *   - with a NULL OVERLAPPED it runs to its end inside the call: TRUE (a second call too), and no
 *     packet;
 *   - afterwards sends fail at once with WSAESHUTDOWN (overlapped ones too, posting nothing), the
 *     peer reads end-of-stream (0), and - no TF_REUSE_SOCKET, so only the sending side is shut -
 *     the peer can still send and we still receive; connect says WSAEISCONN;
 *   - an unconnected socket: WSAENOTCONN; not a socket: WSAENOTSOCK.
 * As Wine's test_DisconnectEx and test_shutdown_completion_port (checked on Windows).
 */
#include "iocp_helpers.h"

#define KEY 0xD1

static void aftermath(SOCKET s, SOCKET peer, HANDLE port)
{
    char in[16];
    /* our sends fail at once */
    CHECK_ERR(send(s, "x", 1, 0), SOCKET_ERROR, WSAESHUTDOWN);
    WSAOVERLAPPED ov;
    ovt_ov(&ov, NULL);
    WSABUF wb;
    wb.len = 1;
    wb.buf = (char *)"y";
    DWORD n = 0xdeadbeef;
    CHECK_ERR(WSASend(s, &wb, 1, &n, 0, &ov, NULL), SOCKET_ERROR, WSAESHUTDOWN);
    EXPECT_NO_PACKET(port, QUIET_MS);
    /* the peer reads the end of the stream */
    CHECK_EQ(recv(peer, in, sizeof in, 0), 0);
    /* the other direction still works */
    send_all(peer, "back", 4);
    recv_all(s, in, 4);
    CHECK(memcmp(in, "back", 4) == 0);
    /* still connected */
    SOCKADDR_IN pa;
    int len = sizeof pa;
    CHECK_EQ(getpeername(s, (SOCKADDR *)&pa, &len), 0);
    CHECK_ERR(connect(s, (SOCKADDR *)&pa, sizeof pa), SOCKET_ERROR, WSAEISCONN);
}

int main(void)
{
    test_init();
    HANDLE port = iot_port(0);
    WSAEVENT ev = ovt_event();
    WSAOVERLAPPED ov;
    DWORD n, fl;

    SOCKET u = iot_tcp();
    LPFN_DISCONNECTEX pDisconnectEx = iot_disconnectex(u);

    /* Errors. */
    ovt_ov(&ov, ev);
    EXT_FAILS(pDisconnectEx(INVALID_SOCKET, (LPOVERLAPPED)&ov, 0, 0), WSAENOTSOCK);
    iot_bind(u, port, KEY);
    EXT_FAILS(pDisconnectEx(u, (LPOVERLAPPED)&ov, 0, 0), WSAENOTCONN);
    EXT_FAILS(pDisconnectEx(u, NULL, 0, 0), WSAENOTCONN);
    CHECK_UNSET(ev);
    EXPECT_NO_PACKET(port, QUIET_MS);
    closesocket(u);

    /* Overlapped: pends, then succeeds with 0 bytes; packet. */
    SOCKET c, s;
    tcp_pair(&c, &s);
    iot_bind(c, port, KEY + 1);
    ovt_ov(&ov, ev);
    EXT_PENDING(pDisconnectEx(c, (LPOVERLAPPED)&ov, 0, 0));
    EXPECT_PACKET(port, &ov, KEY + 1, 0, 0);
    CHECK_SET(ev);
    CHECK_EQ(ov.Internal, 0);
    n = 0xdeadbeef;
    CHECK(WSAGetOverlappedResult(c, &ov, &n, FALSE, &fl));
    CHECK_EQ(n, 0);
    aftermath(c, s, port);
    closesocket(c);
    closesocket(s);

    /* Overlapped, no port: the event alone. */
    tcp_pair(&c, &s);
    CHECK(WSAResetEvent(ev));
    ovt_ov(&ov, ev);
    EXT_PENDING(pDisconnectEx(c, (LPOVERLAPPED)&ov, 0, 0));
    WAIT_SET(ev);
    CHECK(WSAGetOverlappedResult(c, &ov, &n, FALSE, &fl));
    CHECK_EQ(n, 0);
    CHECK_EQ(recv(s, (char *)&n, 1, 0), 0);
    closesocket(c);
    closesocket(s);

    /* NULL OVERLAPPED: synchronous, TRUE twice, no packet. */
    tcp_pair(&c, &s);
    iot_bind(c, port, KEY + 2);
    SetLastError(0xdeadbeef);
    CHECK(pDisconnectEx(c, NULL, 0, 0));
    CHECK(pDisconnectEx(c, NULL, 0, 0));
    EXPECT_NO_PACKET(port, QUIET_MS);
    aftermath(c, s, port);

    closesocket(c);
    closesocket(s);
    WSACloseEvent(ev);
    CHECK(CloseHandle(port));
    WSACleanup();
    return 0;
}

/*
 * SPEC I7: an OVERLAPPED whose hEvent has its low-order bit set keeps the completion from being
 * queued to the port its socket is bound to; the event itself (hEvent without that bit) is still
 * set and the result is still in the OVERLAPPED (GetQueuedCompletionStatus page; Wine's
 * test_connect_completion_port / test_shutdown_completion_port do it for ConnectEx and
 * DisconnectEx).  For each kind of operation the same call without the bit does post, so the test
 * would see a port that ignored the bit.
 */
#include "iocp_helpers.h"

#define KEY 0x1b

static HANDLE tagged(WSAEVENT ev)
{
    return (HANDLE)((uintptr_t)ev | 1);
}

int main(void)
{
    test_init();
    HANDLE port = iot_port(0);
    WSAEVENT ev = ovt_event();
    CHECK(((uintptr_t)ev & 1) == 0);
    SOCKET c, s;
    tcp_pair(&c, &s);
    iot_bind(s, port, KEY);
    char buf[32];
    WSAOVERLAPPED ov;
    DWORD n, fl;

    /* A pending receive that then succeeds: event set, result stored, no packet. */
    ovt_ov(&ov, tagged(ev));
    iot_recv_pending(s, buf, sizeof buf, &ov);
    send_all(c, "tagged", 6);
    WAIT_SET(ev);
    CHECK(HasOverlappedIoCompleted((LPOVERLAPPED)&ov));
    CHECK_EQ(ov.InternalHigh, 6);
    CHECK(WSAGetOverlappedResult(s, &ov, &n, FALSE, &fl));
    CHECK_EQ(n, 6);
    EXPECT_NO_PACKET(port, QUIET_MS);
    CHECK(ov.hEvent == tagged(ev)); /* the program's value is left as it was */
    /* control: without the bit the same receive posts */
    CHECK(WSAResetEvent(ev));
    ovt_ov(&ov, ev);
    iot_recv_pending(s, buf, sizeof buf, &ov);
    send_all(c, "plain", 5);
    EXPECT_PACKET(port, &ov, KEY, 5, 0);
    CHECK_SET(ev);

    /* An immediate success (a small send): event set, no packet. */
    CHECK(WSAResetEvent(ev));
    ovt_ov(&ov, tagged(ev));
    ovt_send_now(s, "0123456789", 10, &ov, NULL);
    WAIT_SET(ev);
    EXPECT_NO_PACKET(port, QUIET_MS);
    recv_all(c, buf, 10);
    CHECK(WSAResetEvent(ev));
    ovt_ov(&ov, ev);
    ovt_send_now(s, "0123456789", 10, &ov, NULL);
    EXPECT_PACKET(port, &ov, KEY, 10, 0);
    recv_all(c, buf, 10);

    /* A failure (the peer resets a pending receive): event set, error stored, no packet. */
    CHECK(WSAResetEvent(ev));
    ovt_ov(&ov, tagged(ev));
    iot_recv_pending(s, buf, sizeof buf, &ov);
    ovt_close_with_rst(c);
    WAIT_SET(ev);
    CHECK_ERR(WSAGetOverlappedResult(s, &ov, &n, FALSE, &fl), FALSE, WSAECONNRESET);
    EXPECT_NO_PACKET(port, QUIET_MS);
    closesocket(s);

    /* A cancelled receive: event set, no packet. */
    tcp_pair(&c, &s);
    iot_bind(s, port, KEY);
    CHECK(WSAResetEvent(ev));
    ovt_ov(&ov, tagged(ev));
    iot_recv_pending(s, buf, sizeof buf, &ov);
    CHECK(CancelIoEx((HANDLE)s, (LPOVERLAPPED)&ov));
    WAIT_SET(ev);
    CHECK_ERR(WSAGetOverlappedResult(s, &ov, &n, FALSE, &fl), FALSE, WSA_OPERATION_ABORTED);
    EXPECT_NO_PACKET(port, QUIET_MS);

    /* DisconnectEx: event set, no packet; control posts. */
    LPFN_DISCONNECTEX pDisconnectEx = iot_disconnectex(s);
    CHECK(WSAResetEvent(ev));
    ovt_ov(&ov, tagged(ev));
    BOOL ok = pDisconnectEx(s, (LPOVERLAPPED)&ov, 0, 0);
    CHECK(ok || GetLastError() == ERROR_IO_PENDING);
    WAIT_SET(ev);
    CHECK(WSAGetOverlappedResult(s, &ov, &n, FALSE, &fl));
    EXPECT_NO_PACKET(port, QUIET_MS);
    closesocket(c);
    closesocket(s);
    tcp_pair(&c, &s);
    iot_bind(s, port, KEY);
    CHECK(WSAResetEvent(ev));
    ovt_ov(&ov, ev);
    ok = pDisconnectEx(s, (LPOVERLAPPED)&ov, 0, 0);
    CHECK(ok || GetLastError() == ERROR_IO_PENDING);
    EXPECT_PACKET(port, &ov, KEY, 0, 0);
    closesocket(c);
    closesocket(s);

    /* ConnectEx: event set, no packet; control posts. */
    SOCKADDR_IN la;
    SOCKET l = tcp_listener(&la);
    SOCKET k = iot_tcp_bound();
    LPFN_CONNECTEX pConnectEx = iot_connectex(k);
    iot_bind(k, port, KEY + 1);
    CHECK(WSAResetEvent(ev));
    ovt_ov(&ov, tagged(ev));
    DWORD sent;
    EXT_PENDING(pConnectEx(k, (SOCKADDR *)&la, sizeof la, NULL, 0, &sent, (LPOVERLAPPED)&ov));
    WAIT_SET(ev);
    CHECK(WSAGetOverlappedResult(k, &ov, &n, FALSE, &fl));
    EXPECT_NO_PACKET(port, QUIET_MS);
    SOCKET a = accept(l, NULL, NULL);
    CHECK(a != INVALID_SOCKET);
    closesocket(a);
    closesocket(k);
    k = iot_tcp_bound();
    iot_bind(k, port, KEY + 1);
    CHECK(WSAResetEvent(ev));
    ovt_ov(&ov, ev);
    EXT_PENDING(pConnectEx(k, (SOCKADDR *)&la, sizeof la, NULL, 0, &sent, (LPOVERLAPPED)&ov));
    EXPECT_PACKET(port, &ov, KEY + 1, 0, 0);
    a = accept(l, NULL, NULL);
    CHECK(a != INVALID_SOCKET);
    closesocket(a);
    closesocket(k);

    /* AcceptEx on a bound listener: event set, no packet. */
    iot_bind(l, port, KEY + 2);
    SOCKET acc = iot_tcp();
    char out[2 * (sizeof(SOCKADDR_IN) + 16)];
    CHECK(WSAResetEvent(ev));
    ovt_ov(&ov, tagged(ev));
    EXT_PENDING(AcceptEx(l, acc, out, 0, sizeof(SOCKADDR_IN) + 16, sizeof(SOCKADDR_IN) + 16, &n,
                         (LPOVERLAPPED)&ov));
    SOCKET conn = iot_tcp();
    CHECK(connect(conn, (SOCKADDR *)&la, sizeof la) == 0);
    WAIT_SET(ev);
    CHECK(WSAGetOverlappedResult(l, &ov, &n, FALSE, &fl));
    EXPECT_NO_PACKET(port, QUIET_MS);

    closesocket(conn);
    closesocket(acc);
    closesocket(l);
    WSACloseEvent(ev);
    CHECK(CloseHandle(port));
    WSACleanup();
    return 0;
}

/*
 * SPEC I8: SetFileCompletionNotificationModes(s, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS) - an
 * operation that succeeds inside its call posts no packet (its event is still set: that is
 * FILE_SKIP_SET_EVENT_ON_HANDLE's business, not set here); operations that pend still post,
 * whether they then succeed or fail (a receive; a reset; a ConnectEx, refused or not, as in Wine's
 * test_connect_completion_port; a DisconnectEx).  A mode once set cannot be removed: setting 0
 * leaves it in force.  A receive with data already queued may complete at once or pend (SPEC A5):
 * either way there is a packet exactly when it pended.
 */
#include "iocp_helpers.h"

#define KEY 0x58

int main(void)
{
    test_init();
    HANDLE port = iot_port(0);
    WSAEVENT ev = ovt_event();
    SOCKET c, s;
    tcp_pair(&c, &s);
    iot_bind(s, port, KEY);
    char buf[64];
    WSAOVERLAPPED ov;
    DWORD n, fl;

    /* Before the mode: an immediate success posts (control). */
    ovt_ov(&ov, ev);
    ovt_send_now(s, "before", 6, &ov, NULL);
    EXPECT_PACKET(port, &ov, KEY, 6, 0);
    recv_all(c, buf, 6);

    SetLastError(0xdeadbeef);
    CHECK(SetFileCompletionNotificationModes((HANDLE)s, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));

    /* Immediate success: no packet; event set, result stored. */
    CHECK(WSAResetEvent(ev));
    ovt_ov(&ov, ev);
    ovt_send_now(s, "skipped", 7, &ov, NULL);
    CHECK_SET(ev);
    CHECK(WSAGetOverlappedResult(s, &ov, &n, FALSE, &fl));
    CHECK_EQ(n, 7);
    EXPECT_NO_PACKET(port, QUIET_MS);
    recv_all(c, buf, 7);
    CHECK(memcmp(buf, "skipped", 7) == 0);

    /* Pending, then success: packet. */
    CHECK(WSAResetEvent(ev));
    ovt_ov(&ov, ev);
    iot_recv_pending(s, buf, sizeof buf, &ov);
    send_all(c, "pended", 6);
    EXPECT_PACKET(port, &ov, KEY, 6, 0);
    CHECK_SET(ev);

    /* Data already queued: a packet exactly when the call pended (either is allowed). */
    send_all(c, "queued", 6);
    ovt_wait_queued(s, 6);
    CHECK(WSAResetEvent(ev));
    ovt_ov(&ov, ev);
    WSABUF wb;
    wb.len = sizeof buf;
    wb.buf = buf;
    fl = 0;
    n = 0xdeadbeef;
    int r = WSARecv(s, &wb, 1, &n, &fl, &ov, NULL);
    if (r == 0) {
        CHECK_EQ(n, 6);
        CHECK_SET(ev);
        EXPECT_NO_PACKET(port, QUIET_MS);
    } else {
        CHECK_EQ(WSAGetLastError(), WSA_IO_PENDING);
        EXPECT_PACKET(port, &ov, KEY, 6, 0);
    }

    /* Setting 0 does not clear the mode: an immediate success still posts nothing. */
    SetFileCompletionNotificationModes((HANDLE)s, 0); /* the result is not specified */
    CHECK(WSAResetEvent(ev));
    ovt_ov(&ov, ev);
    ovt_send_now(s, "still", 5, &ov, NULL);
    CHECK_SET(ev);
    EXPECT_NO_PACKET(port, QUIET_MS);
    recv_all(c, buf, 5);

    /* Pending, then failure: packet (ERROR_NETNAME_DELETED for the reset). */
    CHECK(WSAResetEvent(ev));
    ovt_ov(&ov, ev);
    iot_recv_pending(s, buf, sizeof buf, &ov);
    ovt_close_with_rst(c);
    EXPECT_PACKET(port, &ov, KEY, 0, ERROR_NETNAME_DELETED);
    CHECK_SET(ev);
    closesocket(s);

    /* Pending, then cancelled: packet (995). */
    tcp_pair(&c, &s);
    iot_bind(s, port, KEY + 1);
    CHECK(SetFileCompletionNotificationModes((HANDLE)s, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
    ovt_ov(&ov, NULL);
    iot_recv_pending(s, buf, sizeof buf, &ov);
    CHECK(CancelIoEx((HANDLE)s, (LPOVERLAPPED)&ov));
    EXPECT_PACKET(port, &ov, KEY + 1, 0, ERROR_OPERATION_ABORTED);

    /* DisconnectEx pends, so it posts (Wine: test_shutdown_completion_port). */
    LPFN_DISCONNECTEX pDisconnectEx = iot_disconnectex(s);
    ovt_ov(&ov, NULL);
    EXT_PENDING(pDisconnectEx(s, (LPOVERLAPPED)&ov, 0, 0));
    EXPECT_PACKET(port, &ov, KEY + 1, 0, 0);
    closesocket(c);
    closesocket(s);

    /* ConnectEx pends, so it posts - on success and on refusal (Wine). */
    SOCKADDR_IN la;
    SOCKET l = tcp_listener(&la);
    SOCKET k = iot_tcp_bound();
    LPFN_CONNECTEX pConnectEx = iot_connectex(k);
    iot_bind(k, port, KEY + 2);
    CHECK(SetFileCompletionNotificationModes((HANDLE)k, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
    ovt_ov(&ov, NULL);
    DWORD sent;
    EXT_PENDING(pConnectEx(k, (SOCKADDR *)&la, sizeof la, NULL, 0, &sent, (LPOVERLAPPED)&ov));
    EXPECT_PACKET(port, &ov, KEY + 2, 0, 0);
    SOCKET a = accept(l, NULL, NULL);
    CHECK(a != INVALID_SOCKET);
    closesocket(a);
    closesocket(k);
    SOCKET holder;
    SOCKADDR_IN refusing = iot_refusing_addr(&holder);
    k = iot_tcp_bound();
    iot_bind(k, port, KEY + 3);
    CHECK(SetFileCompletionNotificationModes((HANDLE)k, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
    ovt_ov(&ov, NULL);
    EXT_PENDING(
        pConnectEx(k, (SOCKADDR *)&refusing, sizeof refusing, NULL, 0, &sent, (LPOVERLAPPED)&ov));
    EXPECT_PACKET(port, &ov, KEY + 3, 0, ERROR_CONNECTION_REFUSED);
    EXPECT_NO_PACKET(port, 0);

    closesocket(k);
    closesocket(holder);
    closesocket(l);
    WSACloseEvent(ev);
    CHECK(CloseHandle(port));
    WSACleanup();
    return 0;
}

/*
 * SPEC I2: what GetQueuedCompletionStatus returns.
 *   - success: TRUE, the byte count, the key, the OVERLAPPED (last error untouched);
 *   - failed I/O: FALSE with the OVERLAPPED, key and a count of 0 set, and the Win32 code:
 *     ERROR_NETNAME_DELETED (64) for a reset, ERROR_OPERATION_ABORTED (995) for a cancel,
 *     ERROR_CONNECTION_REFUSED (1225) for a refused ConnectEx, ERROR_CONNECTION_ABORTED (1236) for
 *     a TCP receive pending when its socket was closed;
 *   - timeout: FALSE, WAIT_TIMEOUT, *lpOverlapped NULL, count and key untouched (0 ms and > 0 ms).
 * The port closed during a wait (ERROR_ABANDONED_WAIT_0) is in i2_port_closed_mt.
 * Values as in Wine's test_completion_port / test_connect_completion_port (checked on Windows).
 */
#include "iocp_helpers.h"

#define KEY 0x5eed

static void expect_timeout(HANDLE port, DWORD ms)
{
    DWORD n = 0xdeadbeef;
    ULONG_PTR key = (ULONG_PTR)0xdeadbeef;
    LPOVERLAPPED ov = (LPOVERLAPPED)(uintptr_t)0xdeadbeef;
    SetLastError(0);
    BOOL ok = GetQueuedCompletionStatus(port, &n, &key, &ov, ms);
    CHECK(!ok);
    CHECK_EQ(GetLastError(), WAIT_TIMEOUT);
    CHECK(ov == NULL);
    CHECK_EQ(n, 0xdeadbeef);
    CHECK_EQ(key, 0xdeadbeef);
}

int main(void)
{
    test_init();
    HANDLE port = iot_port(0);
    char buf[64];
    WSAOVERLAPPED ov;

    /* Timeout, on an empty port: 0 ms and a bounded wait. */
    expect_timeout(port, 0);
    expect_timeout(port, 50);

    /* Success. */
    SOCKET c, s;
    tcp_pair(&c, &s);
    iot_bind(s, port, KEY);
    ovt_ov(&ov, NULL);
    iot_recv_pending(s, buf, sizeof buf, &ov);
    send_all(c, "success", 7);
    EXPECT_PACKET(port, &ov, KEY, 7, 0);
    CHECK(memcmp(buf, "success", 7) == 0);
    expect_timeout(port, 0);

    /* Reset: ERROR_NETNAME_DELETED (64). */
    ovt_ov(&ov, NULL);
    iot_recv_pending(s, buf, sizeof buf, &ov);
    ovt_close_with_rst(c);
    EXPECT_PACKET(port, &ov, KEY, 0, ERROR_NETNAME_DELETED);
    CHECK_EQ(ov.Internal, 0xC000020D); /* STATUS_CONNECTION_RESET */
    expect_timeout(port, 0);
    closesocket(s);

    /* Cancelled: ERROR_OPERATION_ABORTED (995), with CancelIoEx(h, ov) and CancelIo(h). */
    tcp_pair(&c, &s);
    iot_bind(s, port, KEY + 1);
    ovt_ov(&ov, NULL);
    iot_recv_pending(s, buf, sizeof buf, &ov);
    CHECK(CancelIoEx((HANDLE)s, (LPOVERLAPPED)&ov));
    EXPECT_PACKET(port, &ov, KEY + 1, 0, ERROR_OPERATION_ABORTED);
    CHECK_EQ(ov.Internal, 0xC0000120); /* STATUS_CANCELLED */
    ovt_ov(&ov, NULL);
    iot_recv_pending(s, buf, sizeof buf, &ov);
    CHECK(CancelIo((HANDLE)s));
    EXPECT_PACKET(port, &ov, KEY + 1, 0, ERROR_OPERATION_ABORTED);
    expect_timeout(port, 0);

    /* Aborted: closesocket with a TCP receive pending, ERROR_CONNECTION_ABORTED (1236). */
    ovt_ov(&ov, NULL);
    iot_recv_pending(s, buf, sizeof buf, &ov);
    CHECK_EQ(closesocket(s), 0);
    EXPECT_PACKET(port, &ov, KEY + 1, 0, ERROR_CONNECTION_ABORTED);
    expect_timeout(port, 0);
    closesocket(c);

    /* Refused: ConnectEx to an address where nobody listens, ERROR_CONNECTION_REFUSED (1225). */
    SOCKET holder;
    SOCKADDR_IN refusing = iot_refusing_addr(&holder);
    SOCKET k = iot_tcp_bound();
    LPFN_CONNECTEX pConnectEx = iot_connectex(k);
    iot_bind(k, port, KEY + 2);
    ovt_ov(&ov, NULL);
    DWORD sent = 0xdeadbeef;
    EXT_PENDING(
        pConnectEx(k, (SOCKADDR *)&refusing, sizeof refusing, NULL, 0, &sent, (LPOVERLAPPED)&ov));
    EXPECT_PACKET(port, &ov, KEY + 2, 0, ERROR_CONNECTION_REFUSED);
    CHECK_EQ(ov.Internal, 0xC0000236); /* STATUS_CONNECTION_REFUSED */
    expect_timeout(port, 0);
    closesocket(k);
    closesocket(holder);

    /* Success again after failures: the last error is left alone on TRUE (checked inside
     * EXPECT_PACKET), a zero-byte success is TRUE with 0. */
    tcp_pair(&c, &s);
    iot_bind(s, port, KEY + 3);
    ovt_ov(&ov, NULL);
    iot_recv_pending(s, buf, sizeof buf, &ov);
    CHECK_EQ(shutdown(c, SD_SEND), 0); /* graceful close: the receive succeeds with 0 bytes */
    EXPECT_PACKET(port, &ov, KEY + 3, 0, 0);
    expect_timeout(port, 50);

    closesocket(c);
    closesocket(s);
    CHECK(CloseHandle(port));
    WSACleanup();
    return 0;
}

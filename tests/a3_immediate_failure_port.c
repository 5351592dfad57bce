/*
 * SPEC A3 (completion-port part): an overlapped call that fails at once posts no completion
 * packet, while an operation that pends and then fails does post one (so the port binding works
 * and the absence of a packet means something).
 *
 * The socket is bound to a port; after each failed call GetQueuedCompletionStatus with a bounded
 * timeout must time out (FALSE, WAIT_TIMEOUT, *lpOverlapped NULL).
 */
#include "ov_helpers.h"

#define KEY 0x5eed

static void expect_no_packet(HANDLE port, const char *what)
{
    DWORD n = 0xdeadbeef;
    ULONG_PTR key = 0xdeadbeef;
    LPOVERLAPPED pov = (LPOVERLAPPED)(uintptr_t)0x1;
    /* Bounded wait that must time out: a failed call posts nothing. */
    BOOL ok = GetQueuedCompletionStatus(port, &n, &key, &pov, QUIET_MS);
    if (ok || pov != NULL)
        FAIL("%s: a completion packet arrived (ok %d, overlapped %p, %lu bytes)", what, ok,
             (void *)pov, (unsigned long)n);
    CHECK_EQ(GetLastError(), WAIT_TIMEOUT);
}

int main(void)
{
    test_init();
    HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
    CHECK(port != NULL);

    /* Unconnected socket bound to the port: WSARecv and WSASend fail with WSAENOTCONN. */
    SOCKET u = WSASocket(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_OVERLAPPED);
    CHECK(u != INVALID_SOCKET);
    CHECK(CreateIoCompletionPort((HANDLE)u, port, KEY, 0) == port);
    char buf[16] = "x";
    WSABUF wb;
    wb.len = sizeof buf;
    wb.buf = buf;
    WSAOVERLAPPED ov;
    DWORD n, flags = 0;
    ovt_ov(&ov, NULL);
    CHECK_ERR(WSARecv(u, &wb, 1, &n, &flags, &ov, NULL), SOCKET_ERROR, WSAENOTCONN);
    expect_no_packet(port, "WSARecv on an unconnected socket");
    ovt_ov(&ov, NULL);
    CHECK_ERR(WSASend(u, &wb, 1, &n, 0, &ov, NULL), SOCKET_ERROR, WSAENOTCONN);
    expect_no_packet(port, "WSASend on an unconnected socket");
    closesocket(u);

    /* Connected socket: a pending receive that fails (reset) does post a packet; the send that
     * then fails at once does not. */
    SOCKET c, s;
    tcp_pair(&c, &s);
    CHECK(CreateIoCompletionPort((HANDLE)c, port, KEY, 0) == port);
    char in[8];
    WSAOVERLAPPED rov;
    ovt_ov(&rov, NULL);
    ovt_recv_pending(c, in, sizeof in, &rov, NULL);
    ovt_close_with_rst(s);
    LPOVERLAPPED pov = NULL;
    ULONG_PTR key = 0;
    n = 0xdeadbeef;
    BOOL ok = GetQueuedCompletionStatus(port, &n, &key, &pov, DUE_MS);
    CHECK(!ok);
    CHECK(pov == (LPOVERLAPPED)&rov);
    CHECK_EQ(key, KEY);
    CHECK_EQ(n, 0);

    ovt_ov(&ov, NULL);
    CHECK_ERR(WSASend(c, &wb, 1, &n, 0, &ov, NULL), SOCKET_ERROR, WSAECONNRESET);
    expect_no_packet(port, "WSASend after a reset");
    ovt_ov(&ov, NULL);
    flags = 0;
    CHECK_ERR(WSARecv(c, &wb, 1, &n, &flags, &ov, NULL), SOCKET_ERROR, WSAECONNRESET);
    expect_no_packet(port, "WSARecv after a reset");

    closesocket(c);
    CHECK(CloseHandle(port));
    WSACleanup();
    return 0;
}

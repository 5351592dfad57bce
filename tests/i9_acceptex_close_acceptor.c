/*
 * SPEC I9 with E6: closing the accept socket of a pending AcceptEx ends that AcceptEx - its packet
 * arrives (listener's key) with ERROR_OPERATION_ABORTED, its event is set - as in Wine's
 * test_AcceptEx ("Test closing with pending requests") and test_completion_port (checked on
 * Windows).  The closed socket's number must not be reused under the operation (E6): a connection
 * that arrives afterwards is not pushed into a socket created after the close, and stays for
 * accept() on the listener.  The same when the connection arrived but AcceptEx still waits for
 * its first data (Windows: ERROR_OPERATION_ABORTED or ERROR_CONNECTION_ABORTED).
 */
#include "iocp_helpers.h"

#define KL 0x125
#define ADDRLEN (sizeof(SOCKADDR_IN) + 16)

static void untouched_socket(SOCKET x)
{
    SOCKADDR_IN pa;
    int len = sizeof pa;
    int r = getpeername(x, (SOCKADDR *)&pa, &len);
    if (r == 0)
        FAIL("a socket created after the accept socket was closed got connected to peer port %u "
             "(the AcceptEx took over its descriptor)",
             ntohs(pa.sin_port));
    CHECK_EQ(WSAGetLastError(), WSAENOTCONN);
}

int main(void)
{
    test_init();
    HANDLE port = iot_port(0);
    SOCKADDR_IN la;
    SOCKET l = tcp_listener(&la);
    iot_bind(l, port, KL);
    WSAEVENT ev = ovt_event();
    char out[256];
    DWORD got, n, fl;
    WSAOVERLAPPED ov;

    /* 1. Closed before any connection. */
    SOCKET a = iot_tcp();
    ovt_ov(&ov, ev);
    EXT_PENDING(AcceptEx(l, a, out, 0, ADDRLEN, ADDRLEN, &got, (LPOVERLAPPED)&ov));
    CHECK_EQ(closesocket(a), 0);
    EXPECT_PACKET(port, &ov, KL, 0, ERROR_OPERATION_ABORTED);
    CHECK_SET(ev);
    CHECK_ERR(WSAGetOverlappedResult(l, &ov, &n, FALSE, &fl), FALSE, WSA_OPERATION_ABORTED);
    SOCKET x[8];
    for (int i = 0; i < 8; i++) /* sockets that may reuse the closed one's resources */
        x[i] = iot_tcp();
    SOCKET conn = iot_tcp();
    CHECK(connect(conn, (SOCKADDR *)&la, sizeof la) == 0);
    WSAPOLLFD pfd;
    pfd.fd = l;
    pfd.events = POLLRDNORM;
    pfd.revents = 0;
    if (WSAPoll(&pfd, 1, DUE_MS) != 1)
        FAIL("the connection made after the AcceptEx ended is not waiting on the listener");
    SOCKET acc = accept(l, NULL, NULL);
    CHECK(acc != INVALID_SOCKET);
    send_all(conn, "hi", 2);
    char in[4];
    recv_all(acc, in, 2);
    for (int i = 0; i < 8; i++)
        untouched_socket(x[i]);
    EXPECT_NO_PACKET(port, QUIET_MS);
    closesocket(acc);
    closesocket(conn);
    for (int i = 0; i < 8; i++)
        closesocket(x[i]);

    /* 2. The connection arrived; AcceptEx waits for data; the accept socket is closed. */
    a = iot_tcp();
    CHECK(WSAResetEvent(ev));
    ovt_ov(&ov, ev);
    EXT_PENDING(AcceptEx(l, a, out, 64, ADDRLEN, ADDRLEN, &got, (LPOVERLAPPED)&ov));
    conn = iot_tcp();
    CHECK(connect(conn, (SOCKADDR *)&la, sizeof la) == 0);
    CHECK_STAYS_UNSET(ev);
    CHECK_EQ(closesocket(a), 0);
    DWORD bytes = 0xdeadbeef;
    ULONG_PTR key = 0;
    LPOVERLAPPED pov = NULL;
    CHECK(!GetQueuedCompletionStatus(port, &bytes, &key, &pov, DUE_MS));
    DWORD err = GetLastError();
    CHECK(pov == (LPOVERLAPPED)&ov);
    if (err != ERROR_OPERATION_ABORTED && err != ERROR_CONNECTION_ABORTED)
        FAIL("AcceptEx ended by closing its accept socket: error %lu, wanted 995 or 1236",
             (unsigned long)err);
    CHECK_EQ(key, KL);
    CHECK_EQ(bytes, 0);
    for (int i = 0; i < 8; i++)
        x[i] = iot_tcp();
    send_all(conn, "late data", 9);
    for (int i = 0; i < 8; i++)
        untouched_socket(x[i]);
    EXPECT_NO_PACKET(port, QUIET_MS);

    for (int i = 0; i < 8; i++)
        closesocket(x[i]);
    closesocket(conn);
    closesocket(l);
    WSACloseEvent(ev);
    CHECK(CloseHandle(port));
    WSACleanup();
    return 0;
}

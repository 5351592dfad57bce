/*
 * SPEC E6 through a completion port (with SPEC I2): closesocket with a TCP receive pending posts
 * one packet, FALSE with ERROR_CONNECTION_ABORTED (1236); a UDP receive, ERROR_OPERATION_ABORTED
 * (995).  The OVERLAPPED, the key and a count of 0 come back; exactly one packet per operation.
 * Needs completion ports.
 */
#include "wait_helpers.h"

static void expect_one_packet(HANDLE port, LPWSAOVERLAPPED ov, ULONG_PTR key, DWORD err)
{
    DWORD n = 0xFFFF;
    ULONG_PTR k = 0;
    LPOVERLAPPED got = NULL;
    CHECK(!GetQueuedCompletionStatus(port, &n, &k, &got, 10000));
    CHECK_EQ(GetLastError(), err);
    CHECK(got == (LPOVERLAPPED)ov);
    CHECK_EQ(k, key);
    CHECK_EQ(n, 0);
    /* one packet only: a bounded wait that must time out */
    CHECK(!GetQueuedCompletionStatus(port, &n, &k, &got, 50));
    CHECK_EQ(GetLastError(), WAIT_TIMEOUT);
}

int main(void)
{
    test_init();
    HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1);
    CHECK(port != NULL);

    SOCKET c, s;
    tcp_pair(&c, &s);
    CHECK(CreateIoCompletionPort((HANDLE)s, port, 0x7C9, 0) == port);
    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    char b[16];
    POST_RECV_PENDING(s, b, sizeof b, &ov, NULL);
    CHECK_EQ(closesocket(s), 0);
    expect_one_packet(port, &ov, 0x7C9, ERROR_CONNECTION_ABORTED);
    closesocket(c);

    SOCKET u1, u2;
    SOCKADDR_IN addr;
    udp_pair(&u1, &u2, &addr);
    CHECK(CreateIoCompletionPort((HANDLE)u2, port, 0x0D9, 0) == port);
    memset(&ov, 0, sizeof ov);
    WSABUF wb;
    wb.len = sizeof b;
    wb.buf = b;
    DWORD fl = 0;
    CHECK_EQ(WSARecvFrom(u2, &wb, 1, NULL, &fl, NULL, NULL, &ov, NULL), SOCKET_ERROR);
    CHECK_EQ(WSAGetLastError(), WSA_IO_PENDING);
    CHECK_EQ(closesocket(u2), 0);
    expect_one_packet(port, &ov, 0x0D9, ERROR_OPERATION_ABORTED);
    closesocket(u1);

    CloseHandle(port);
    WSACleanup();
    return 0;
}

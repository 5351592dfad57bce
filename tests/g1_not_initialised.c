/*
 * SPEC G1: before WSAStartup (and after the WSACleanup that balances it) socket calls fail with
 * WSANOTINITIALISED (10093): WSASocket, socket, closesocket, and the overlapped calls WSASend,
 * WSARecv, WSASendTo, WSARecvFrom and WSAGetOverlappedResult (Microsoft lists WSANOTINITIALISED
 * for each).  GetLastError reads the same value (SPEC G4).
 */
#include "ov_helpers.h"

static void check_all_fail(SOCKET some_socket, const char *when)
{
    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    char buf[8] = "x";
    WSABUF wb;
    wb.len = sizeof buf;
    wb.buf = buf;
    DWORD n = 0xdeadbeef, flags = 0;
    SOCKADDR_IN to = loopback_any_port();
    to.sin_port = htons(9);
    int tolen = sizeof to;

#define EXPECT(call, bad)                                                                          \
    do {                                                                                           \
        WSASetLastError(0);                                                                        \
        long long r_ = (long long)(call);                                                          \
        if (r_ != (long long)(bad) || WSAGetLastError() != WSANOTINITIALISED)                      \
            FAIL("%s: %s returned %lld, error %d; wanted WSANOTINITIALISED (10093)", when, #call,  \
                 r_, WSAGetLastError());                                                           \
        CHECK_EQ(GetLastError(), 10093);                                                           \
    } while (0)

    EXPECT(WSASocket(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_OVERLAPPED),
           INVALID_SOCKET);
    EXPECT(socket(AF_INET, SOCK_STREAM, IPPROTO_TCP), INVALID_SOCKET);
    EXPECT(WSASend(some_socket, &wb, 1, &n, 0, &ov, NULL), SOCKET_ERROR);
    EXPECT(WSARecv(some_socket, &wb, 1, &n, &flags, &ov, NULL), SOCKET_ERROR);
    EXPECT(WSASendTo(some_socket, &wb, 1, &n, 0, (const SOCKADDR *)&to, tolen, &ov, NULL),
           SOCKET_ERROR);
    EXPECT(WSARecvFrom(some_socket, &wb, 1, &n, &flags, (SOCKADDR *)&to, &tolen, &ov, NULL),
           SOCKET_ERROR);
    EXPECT(WSAGetOverlappedResult(some_socket, &ov, &n, FALSE, &flags), FALSE);
    EXPECT(closesocket(some_socket), SOCKET_ERROR);
    CHECK_EQ(n, 0xdeadbeef);
#undef EXPECT
}

int main(void)
{
    alarm(60);

    /* Never started: any value, including one that will later be a real socket. */
    check_all_fail((SOCKET)4, "before WSAStartup");
    check_all_fail(INVALID_SOCKET, "before WSAStartup");

    /* Started: a real socket works... */
    WSADATA wsa;
    CHECK_EQ(WSAStartup(MAKEWORD(2, 2), &wsa), 0);
    SOCKET s = WSASocket(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_OVERLAPPED);
    CHECK(s != INVALID_SOCKET);

    /* ...until the balancing WSACleanup, after which even that socket is refused. */
    CHECK_EQ(WSACleanup(), 0);
    check_all_fail(s, "after WSACleanup");

    /* Two WSAStartups need two WSACleanups. */
    CHECK_EQ(WSAStartup(MAKEWORD(2, 2), &wsa), 0);
    CHECK_EQ(WSAStartup(MAKEWORD(2, 2), &wsa), 0);
    CHECK_EQ(WSACleanup(), 0);
    SOCKET s2 = WSASocket(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_OVERLAPPED);
    CHECK(s2 != INVALID_SOCKET);
    CHECK(closesocket(s2) == 0);
    CHECK_EQ(WSACleanup(), 0);
    check_all_fail(s2, "after the second WSACleanup");
    return 0;
}

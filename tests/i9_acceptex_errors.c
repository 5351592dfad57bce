/*
 * SPEC I9, the errors ("as Windows"): AcceptEx fails at once, posting nothing, with
 *   - WSAENOTSOCK for an invalid listening or accept socket;
 *   - ERROR_INVALID_PARAMETER for a NULL OVERLAPPED;
 *   - WSAEFAULT for a NULL output buffer and for a remote address length of 0;
 *   - WSAEINVAL when the listening socket does not listen, when the accept socket is connected,
 *     bound, or not a stream socket, and when the accept socket is already used by a pending
 *     AcceptEx (the pending one is not disturbed and completes).
 * The values are those of Wine's test_AcceptEx, which records what Windows returns (several are
 * todo_wine there: Windows behaviour Wine does not match).  Last, lengths Windows does NOT reject
 * at issue time (test_AcceptEx, not todo): address lengths of sizeof(SOCKADDR_IN) + 15, one less
 * than Microsoft's page asks for, pend like correct ones.
 */
#include "iocp_helpers.h"

#define ADDRLEN (sizeof(SOCKADDR_IN) + 16)

/* A fresh OVERLAPPED for every call: one that wrongly pends must not spoil the next check. */
static WSAOVERLAPPED ovs[32];
static int novs;
#define OV (ovt_ov(&ovs[novs], NULL), (LPOVERLAPPED)&ovs[novs++])

int main(void)
{
    test_init();
    HANDLE port = iot_port(0);
    SOCKADDR_IN la;
    SOCKET l = tcp_listener(&la);
    iot_bind(l, port, 0x1);
    LPFN_ACCEPTEX pAcceptEx = iot_acceptex(l);
    char out[256];
    DWORD got;
    SOCKET a = iot_tcp();

    /* Not sockets. */
    EXT_FAILS(pAcceptEx(INVALID_SOCKET, a, out, 0, ADDRLEN, ADDRLEN, &got, OV), WSAENOTSOCK);
    EXT_FAILS(pAcceptEx(l, INVALID_SOCKET, out, 0, ADDRLEN, ADDRLEN, &got, OV), WSAENOTSOCK);

    /* NULL OVERLAPPED. */
    EXT_FAILS(pAcceptEx(l, a, out, 0, ADDRLEN, ADDRLEN, &got, NULL), ERROR_INVALID_PARAMETER);
    EXT_FAILS(AcceptEx(l, a, out, 0, 0, 0, &got, NULL), ERROR_INVALID_PARAMETER);

    /* Bad buffers. */
    EXT_FAILS(pAcceptEx(l, a, NULL, 0, ADDRLEN, ADDRLEN, &got, OV), WSAEFAULT);
    EXT_FAILS(pAcceptEx(l, a, out, 0, ADDRLEN, 0, &got, OV), WSAEFAULT);

    /* A listening socket that does not listen. */
    SOCKET nl = iot_tcp_bound();
    EXT_FAILS(pAcceptEx(nl, a, out, 0, ADDRLEN, ADDRLEN, &got, OV), WSAEINVAL);
    closesocket(nl);

    /* Accept sockets that cannot take a connection: connected (either end), bound, UDP. */
    SOCKET c, s;
    tcp_pair(&c, &s);
    EXT_FAILS(pAcceptEx(l, c, out, 0, ADDRLEN, ADDRLEN, &got, OV), WSAEINVAL);
    EXT_FAILS(pAcceptEx(l, s, out, 0, ADDRLEN, ADDRLEN, &got, OV), WSAEINVAL);
    SOCKET b = iot_tcp_bound();
    EXT_FAILS(pAcceptEx(l, b, out, 0, ADDRLEN, ADDRLEN, &got, OV), WSAEINVAL);
    SOCKET u = WSASocket(AF_INET, SOCK_DGRAM, IPPROTO_UDP, NULL, 0, WSA_FLAG_OVERLAPPED);
    CHECK(u != INVALID_SOCKET);
    EXT_FAILS(pAcceptEx(l, u, out, 0, ADDRLEN, ADDRLEN, &got, OV), WSAEINVAL);

    /* Nothing of the above posted a packet. */
    EXPECT_NO_PACKET(port, QUIET_MS);

    /* The same accept socket twice: the second fails, the first stays pending and completes. */
    WSAOVERLAPPED ov;
    ovt_ov(&ov, NULL);
    EXT_PENDING(pAcceptEx(l, a, out, 0, ADDRLEN, ADDRLEN, &got, (LPOVERLAPPED)&ov));
    char out2[2 * ADDRLEN];
    EXT_FAILS(pAcceptEx(l, a, out2, 0, ADDRLEN, ADDRLEN, &got, OV), WSAEINVAL);
    SOCKET conn = iot_tcp();
    CHECK(connect(conn, (SOCKADDR *)&la, sizeof la) == 0);
    EXPECT_PACKET(port, &ov, 0x1, 0, 0);
    EXPECT_NO_PACKET(port, QUIET_MS);

    /* Address lengths one short of the documented minimum: Windows pends (then we cancel). */
    SOCKET a2 = iot_tcp(), a3 = iot_tcp();
    WSAOVERLAPPED o2, o3;
    ovt_ov(&o2, NULL);
    ovt_ov(&o3, NULL);
    char b2[2 * ADDRLEN], b3[2 * ADDRLEN];
    EXT_PENDING(pAcceptEx(l, a2, b2, 0, ADDRLEN - 1, ADDRLEN, &got, (LPOVERLAPPED)&o2));
    EXT_PENDING(pAcceptEx(l, a3, b3, 0, ADDRLEN, ADDRLEN - 1, &got, (LPOVERLAPPED)&o3));
    CHECK(CancelIoEx((HANDLE)l, NULL));
    for (int i = 0; i < 2; i++) {
        DWORD n;
        ULONG_PTR key;
        LPOVERLAPPED pov = NULL;
        CHECK(!GetQueuedCompletionStatus(port, &n, &key, &pov, DUE_MS));
        CHECK_EQ(GetLastError(), ERROR_OPERATION_ABORTED);
        CHECK(pov == (LPOVERLAPPED)&o2 || pov == (LPOVERLAPPED)&o3);
    }

    closesocket(a2);
    closesocket(a3);
    closesocket(conn);
    closesocket(a);
    closesocket(u);
    closesocket(b);
    closesocket(c);
    closesocket(s);
    closesocket(l);
    CHECK(CloseHandle(port));
    WSACleanup();
    return 0;
}

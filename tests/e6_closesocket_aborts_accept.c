/*
 * SPEC E6 for accepts (with SPEC I9): closing a listening socket with an AcceptEx pending ends the
 * accept with WSA_OPERATION_ABORTED (ERROR_OPERATION_ABORTED through a completion port); the event
 * is set exactly once; the accept socket is not connected.  Needs AcceptEx.
 */
#include "wait_helpers.h"

static LPFN_ACCEPTEX get_acceptex(SOCKET l)
{
    GUID guid = WSAID_ACCEPTEX;
    LPFN_ACCEPTEX fn = NULL;
    DWORD n = 0;
    if (WSAIoctl(l, SIO_GET_EXTENSION_FUNCTION_POINTER, &guid, sizeof guid, &fn, sizeof fn, &n,
                 NULL, NULL) != 0)
        FAIL("WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER, AcceptEx): %d", WSAGetLastError());
    CHECK(fn != NULL);
    return fn;
}

int main(void)
{
    test_init();

    /* 1. with an event */
    {
        SOCKET l = tcp_listener(NULL);
        LPFN_ACCEPTEX acceptex = get_acceptex(l);
        SOCKET a = WSASocket(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_OVERLAPPED);
        CHECK(a != INVALID_SOCKET);
        static char out[2 * (sizeof(SOCKADDR_IN) + 16)];
        WSAOVERLAPPED ov;
        memset(&ov, 0, sizeof ov);
        ov.hEvent = WSACreateEvent();
        DWORD n = 0;
        BOOL ok =
            acceptex(l, a, out, 0, sizeof(SOCKADDR_IN) + 16, sizeof(SOCKADDR_IN) + 16, &n, &ov);
        CHECK(!ok);
        CHECK_EQ(WSAGetLastError(), WSA_IO_PENDING);
        CHECK_EQ(closesocket(l), 0);
        CHECK_EQ(WaitForSingleObject(ov.hEvent, 10000), WAIT_OBJECT_0);
        DWORD fl = 0;
        n = 0xFFFF;
        CHECK_ERR(WSAGetOverlappedResult(l, &ov, &n, FALSE, &fl), FALSE, WSA_OPERATION_ABORTED);
        CHECK_EQ(n, 0);
        /* exactly once: reset, then a bounded wait that must time out */
        CHECK(WSAResetEvent(ov.hEvent));
        CHECK_EQ(WaitForSingleObject(ov.hEvent, 50), WAIT_TIMEOUT);
        /* the accept socket was not connected */
        char x;
        CHECK_ERR(send(a, &x, 1, 0), SOCKET_ERROR, WSAENOTCONN);
        WSACloseEvent(ov.hEvent);
        closesocket(a);
    }

    /* 2. through a completion port: ERROR_OPERATION_ABORTED, one packet */
    {
        SOCKET l = tcp_listener(NULL);
        LPFN_ACCEPTEX acceptex = get_acceptex(l);
        HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1);
        CHECK(port != NULL);
        CHECK(CreateIoCompletionPort((HANDLE)l, port, 0xACCE, 0) == port);
        SOCKET a = WSASocket(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_OVERLAPPED);
        static char out[2 * (sizeof(SOCKADDR_IN) + 16)];
        WSAOVERLAPPED ov;
        memset(&ov, 0, sizeof ov);
        DWORD n = 0;
        CHECK(!acceptex(l, a, out, 0, sizeof(SOCKADDR_IN) + 16, sizeof(SOCKADDR_IN) + 16, &n, &ov));
        CHECK_EQ(WSAGetLastError(), WSA_IO_PENDING);
        CHECK_EQ(closesocket(l), 0);
        ULONG_PTR key = 0;
        LPOVERLAPPED got = NULL;
        CHECK(!GetQueuedCompletionStatus(port, &n, &key, &got, 10000));
        CHECK_EQ(GetLastError(), ERROR_OPERATION_ABORTED);
        CHECK(got == (LPOVERLAPPED)&ov);
        CHECK_EQ(key, 0xACCE);
        CHECK_EQ(n, 0);
        /* one packet only (bounded wait that must time out) */
        CHECK(!GetQueuedCompletionStatus(port, &n, &key, &got, 50));
        CHECK_EQ(GetLastError(), WAIT_TIMEOUT);
        closesocket(a);
        CloseHandle(port);
    }
    WSACleanup();
    return 0;
}

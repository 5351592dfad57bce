/*
 * SPEC E9, the completion-port exception: an operation on a handle bound to a completion port,
 * issued without an event, survives its thread's exit - it completes later with the data and its
 * packet arrives.  The same kind of operation with an event is cancelled at exit (packet with
 * ERROR_OPERATION_ABORTED, event set).  Needs completion ports.
 */
#include "wait_helpers.h"

static SOCKET c, s;
static WSAOVERLAPPED ov_port, ov_event;
static char b_port[16], b_event[16];

static DWORD WINAPI issuer(LPVOID arg)
{
    int with_event = (int)(ULONG_PTR)arg;
    if (with_event) {
        memset(&ov_event, 0, sizeof ov_event);
        ov_event.hEvent = WSACreateEvent();
        POST_RECV_PENDING(s, b_event, sizeof b_event, &ov_event, NULL);
    } else {
        memset(&ov_port, 0, sizeof ov_port);
        POST_RECV_PENDING(s, b_port, sizeof b_port, &ov_port, NULL);
    }
    return 0;
}

static void run_thread(int with_event)
{
    HANDLE h = CreateThread(NULL, 0, issuer, (LPVOID)(ULONG_PTR)with_event, 0, NULL);
    CHECK(h != NULL);
    CHECK_EQ(WaitForSingleObject(h, 10000), WAIT_OBJECT_0);
    CloseHandle(h);
}

int main(void)
{
    test_init();
    tcp_pair(&c, &s);
    HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1);
    CHECK(port != NULL);
    CHECK(CreateIoCompletionPort((HANDLE)s, port, 0xE9, 0) == port);

    DWORD n;
    ULONG_PTR key;
    LPOVERLAPPED got;

    /* no event: survives the exit */
    run_thread(0);
    /* bounded port wait that must time out: nothing was cancelled */
    CHECK(!GetQueuedCompletionStatus(port, &n, &key, &got, 50));
    CHECK_EQ(GetLastError(), WAIT_TIMEOUT);
    CHECK(!HasOverlappedIoCompleted((LPOVERLAPPED)&ov_port));
    send_all(c, "survivor", 8);
    CHECK(GetQueuedCompletionStatus(port, &n, &key, &got, 10000));
    CHECK(got == (LPOVERLAPPED)&ov_port);
    CHECK_EQ(key, 0xE9);
    CHECK_EQ(n, 8);
    CHECK(memcmp(b_port, "survivor", 8) == 0);

    /* with an event: cancelled at exit, event set and a packet posted */
    run_thread(1);
    CHECK_EQ(WaitForSingleObject(ov_event.hEvent, 10000), WAIT_OBJECT_0);
    CHECK(!GetQueuedCompletionStatus(port, &n, &key, &got, 10000));
    CHECK_EQ(GetLastError(), ERROR_OPERATION_ABORTED);
    CHECK(got == (LPOVERLAPPED)&ov_event);
    CHECK_EQ(n, 0);
    DWORD fl = 0;
    CHECK_ERR(WSAGetOverlappedResult(s, &ov_event, &n, FALSE, &fl), FALSE, WSA_OPERATION_ABORTED);
    WSACloseEvent(ov_event.hEvent);

    closesocket(c);
    closesocket(s);
    CloseHandle(port);
    WSACleanup();
    return 0;
}

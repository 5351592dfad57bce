/*
 * SPEC D3 as the seed chapter's programs use it: the receiver (CmplRoutineRecv_win) issues a
 * WSARecv with a completion routine and then blocks in
 *     WSAWaitForMultipleEvents(1, &evObj, FALSE, WSA_INFINITE, TRUE)
 * on a dummy event that nobody ever sets.  The data arrives while it is blocked there; the wait
 * must run the routine and return WAIT_IO_COMPLETION.  The sender is the chapter's
 * OverlappedSend_win (WSASend with an event, WSAWaitForMultipleEvents, WSAGetOverlappedResult), in
 * another thread. Repeated, so that the data arrives both before and after the receiver is asleep.
 */
#include "wait_helpers.h"

#define ROUNDS 30

static SOCKADDR_IN listen_addr;
static HANDLE receiver_ready;
static atomic_long receiver_tid;
static atomic_int sender_failed;

static DWORD recv_thread_id;
static char buf[1024];
static DWORD recvBytes;
static int routine_calls;

static void CALLBACK CompRoutine(DWORD dwError, DWORD szRecvBytes, LPWSAOVERLAPPED lpOverlapped,
                                 DWORD flags)
{
    (void)lpOverlapped;
    wh_routine_enter(recv_thread_id, "CompRoutine");
    CHECK_EQ(dwError, 0);
    CHECK_EQ(flags, 0);
    recvBytes = szRecvBytes;
    routine_calls++;
    wh_routine_leave();
}

/* OverlappedSend_win, one message per round. */
static DWORD WINAPI sender(LPVOID arg)
{
    (void)arg;
    for (int round = 0; round < ROUNDS; round++) {
        CHECK_EQ(WaitForSingleObject(receiver_ready, 20000), WAIT_OBJECT_0);
        /* Every other round, let the receiver get into its wait first. */
        if (round % 2 == 0)
            wait_thread_sleeping(atomic_load(&receiver_tid), 2000);

        SOCKET hSocket = WSASocket(PF_INET, SOCK_STREAM, 0, NULL, 0, WSA_FLAG_OVERLAPPED);
        CHECK(hSocket != INVALID_SOCKET);
        CHECK(connect(hSocket, (SOCKADDR *)&listen_addr, sizeof listen_addr) == 0);

        WSAEVENT evObj = WSACreateEvent();
        WSAOVERLAPPED overlapped;
        memset(&overlapped, 0, sizeof(overlapped));
        overlapped.hEvent = evObj;
        char msg[] = "Network is Computer!";
        WSABUF dataBuf;
        dataBuf.len = (ULONG)strlen(msg) + 1;
        dataBuf.buf = msg;
        DWORD sendBytes = 0;
        if (WSASend(hSocket, &dataBuf, 1, &sendBytes, 0, &overlapped, NULL) == SOCKET_ERROR) {
            CHECK_EQ(WSAGetLastError(), WSA_IO_PENDING);
            CHECK_EQ(WSAWaitForMultipleEvents(1, &evObj, TRUE, WSA_INFINITE, FALSE),
                     WSA_WAIT_EVENT_0);
            CHECK(WSAGetOverlappedResult(hSocket, &overlapped, &sendBytes, FALSE, NULL));
        }
        CHECK_EQ(sendBytes, strlen(msg) + 1);
        WSACloseEvent(evObj);
        closesocket(hSocket);
    }
    return 0;
}

int main(void)
{
    test_init();
    recv_thread_id = GetCurrentThreadId();
    atomic_store(&receiver_tid, linux_tid());
    receiver_ready = CreateEvent(NULL, FALSE, FALSE, NULL);
    CHECK(receiver_ready != NULL);

    SOCKET hLisnSock = tcp_listener(&listen_addr);
    HANDLE th = CreateThread(NULL, 0, sender, NULL, 0, NULL);
    CHECK(th != NULL);

    for (int round = 0; round < ROUNDS; round++) {
        CHECK(SetEvent(receiver_ready));
        SOCKADDR_IN recvAdr;
        int recvAdrSz = sizeof(recvAdr);
        SOCKET hRecvSock = accept(hLisnSock, (SOCKADDR *)&recvAdr, &recvAdrSz);
        CHECK(hRecvSock != INVALID_SOCKET);

        WSAEVENT evObj = WSACreateEvent(); /* dummy event object */
        WSAOVERLAPPED overlapped;
        memset(&overlapped, 0, sizeof(overlapped));
        WSABUF dataBuf;
        dataBuf.len = sizeof buf;
        dataBuf.buf = buf;
        memset(buf, 0, sizeof buf);
        DWORD flags = 0;
        routine_calls = 0;
        recvBytes = 0;

        int rc =
            ISSUE(WSARecv(hRecvSock, &dataBuf, 1, &recvBytes, &flags, &overlapped, CompRoutine));
        if (rc == SOCKET_ERROR)
            CHECK_EQ(WSAGetLastError(), WSA_IO_PENDING);
        /* (rc == 0 is fine too when the data was already there: SPEC A5; the routine is still
         * queued, SPEC A4.) */

        DWORD idx = ALERTABLE(WSAWaitForMultipleEvents(1, &evObj, FALSE, WSA_INFINITE, TRUE));
        if (idx != WAIT_IO_COMPLETION)
            FAIL("round %d: WSAWaitForMultipleEvents returned %lu, wanted WAIT_IO_COMPLETION",
                 round, (unsigned long)idx);
        CHECK_EQ(routine_calls, 1);
        CHECK_EQ(recvBytes, 21);
        CHECK(strcmp(buf, "Network is Computer!") == 0);

        WSACloseEvent(evObj);
        closesocket(hRecvSock);
    }

    CHECK_EQ(WaitForSingleObject(th, 20000), WAIT_OBJECT_0);
    CHECK_EQ(atomic_load(&sender_failed), 0);
    CloseHandle(th);
    closesocket(hLisnSock);
    WSACleanup();
    return 0;
}

/*
 * SPEC F5 (events; thread handles are in f5_wait_thread_handles_mt.c):
 * WaitForSingleObject(Ex) and WaitForMultipleObjects(Ex) accept events - WSACreateEvent ones and
 * the events of overlapped operations included - with the SDK's return values: WAIT_OBJECT_0(+i),
 * WAIT_TIMEOUT (258), WAIT_IO_COMPLETION (0xC0) from alertable forms when routines ran, WAIT_FAILED
 * with ERROR_INVALID_HANDLE for a bad handle, WAIT_FAILED with ERROR_INVALID_PARAMETER for a count
 * outside 1..MAXIMUM_WAIT_OBJECTS (64).
 */
#include "wait_helpers.h"

static int apc_ran;
static void CALLBACK apc(ULONG_PTR arg)
{
    wh_routine_enter(0, "APC");
    apc_ran += (int)arg;
    wh_routine_leave();
}

int main(void)
{
    test_init();
    CHECK_EQ(WAIT_OBJECT_0, 0);
    CHECK_EQ(WAIT_TIMEOUT, 258);
    CHECK_EQ(WAIT_IO_COMPLETION, 0xC0);
    CHECK_EQ(WAIT_FAILED, 0xFFFFFFFFu);
    CHECK_EQ(MAXIMUM_WAIT_OBJECTS, 64);
    CHECK_EQ(INFINITE, 0xFFFFFFFFu);

    HANDLE e[64];
    for (int i = 0; i < 64; i++) {
        e[i] = (i % 2) ? CreateEvent(NULL, FALSE, FALSE, NULL) : WSACreateEvent();
        CHECK(e[i] != NULL);
    }

    /* single */
    CHECK_EQ(WaitForSingleObject(e[0], 0), WAIT_TIMEOUT);
    CHECK_EQ(WaitForSingleObjectEx(e[0], 0, FALSE), WAIT_TIMEOUT);
    CHECK_EQ(ALERTABLE(WaitForSingleObjectEx(e[0], 20, TRUE)), WAIT_TIMEOUT);
    CHECK(SetEvent(e[0]));
    CHECK_EQ(WaitForSingleObject(e[0], 0), WAIT_OBJECT_0);
    CHECK_EQ(WaitForSingleObject(e[0], INFINITE), WAIT_OBJECT_0);
    CHECK_EQ(WaitForSingleObjectEx(e[0], INFINITE, FALSE), WAIT_OBJECT_0);
    CHECK_EQ(ALERTABLE(WaitForSingleObjectEx(e[0], INFINITE, TRUE)), WAIT_OBJECT_0);
    CHECK(ResetEvent(e[0]));
    ULONGLONG t0 = now_ms();
    CHECK_EQ(WaitForSingleObject(e[0], 100), WAIT_TIMEOUT);
    CHECK(now_ms() - t0 >= 90);

    /* multiple: lowest signalled index; counts */
    CHECK_EQ(WaitForMultipleObjects(64, e, FALSE, 0), WAIT_TIMEOUT);
    CHECK(SetEvent(e[37]));
    CHECK(SetEvent(e[12]));
    CHECK_EQ(WaitForMultipleObjects(64, e, FALSE, 0), WAIT_OBJECT_0 + 12);
    CHECK_EQ(ResetEvent(e[12]), TRUE);
    CHECK_EQ(WaitForMultipleObjectsEx(64, e, FALSE, INFINITE, FALSE), WAIT_OBJECT_0 + 37);
    CHECK_EQ(WaitForMultipleObjects(64, e, FALSE, 0), WAIT_TIMEOUT); /* e[37] was auto-reset */
    CHECK(SetEvent(e[63]));
    CHECK_EQ(ALERTABLE(WaitForMultipleObjectsEx(64, e, FALSE, 0, TRUE)), WAIT_OBJECT_0 + 63);
    CHECK_EQ(WaitForMultipleObjects(64, e, TRUE, 0), WAIT_TIMEOUT);
    for (int i = 0; i < 64; i++)
        CHECK(SetEvent(e[i]));
    CHECK_EQ(WaitForMultipleObjects(64, e, TRUE, 0), WAIT_OBJECT_0);
    CHECK_EQ(WaitForSingleObject(e[1], 0), WAIT_TIMEOUT);  /* auto ones consumed by the wait-all */
    CHECK_EQ(WaitForSingleObject(e[2], 0), WAIT_OBJECT_0); /* manual ones stay set */
    for (int i = 0; i < 64; i++)
        CHECK(ResetEvent(e[i]));

    SetLastError(0);
    CHECK_EQ(WaitForMultipleObjects(0, e, FALSE, 0), WAIT_FAILED);
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);
    HANDLE e65[65];
    memcpy(e65, e, sizeof e);
    e65[64] = e[0];
    CHECK_EQ(WaitForMultipleObjects(65, e65, FALSE, 0), WAIT_FAILED);
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);
    CHECK_EQ(WaitForMultipleObjectsEx(65, e65, TRUE, 0, TRUE), WAIT_FAILED);
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);

    /* bad handles */
    HANDLE dead = CreateEvent(NULL, TRUE, TRUE, NULL);
    CHECK(CloseHandle(dead));
    CHECK_EQ(WaitForSingleObject(dead, 0), WAIT_FAILED);
    CHECK_EQ(GetLastError(), ERROR_INVALID_HANDLE);
    CHECK_EQ(WaitForSingleObject(NULL, 0), WAIT_FAILED);
    CHECK_EQ(GetLastError(), ERROR_INVALID_HANDLE);
    HANDLE withdead[2] = {e[0], dead};
    CHECK_EQ(WaitForMultipleObjects(2, withdead, FALSE, 0), WAIT_FAILED);
    CHECK_EQ(GetLastError(), ERROR_INVALID_HANDLE);

    /* alertable forms: WAIT_IO_COMPLETION when an APC ran */
    CHECK(QueueUserAPC(apc, GetCurrentThread(), 1));
    CHECK_EQ(ALERTABLE(WaitForSingleObjectEx(e[0], INFINITE, TRUE)), WAIT_IO_COMPLETION);
    CHECK(QueueUserAPC(apc, GetCurrentThread(), 10));
    CHECK_EQ(ALERTABLE(WaitForMultipleObjectsEx(3, e, TRUE, INFINITE, TRUE)), WAIT_IO_COMPLETION);
    CHECK_EQ(apc_ran, 11);

    /* the events of overlapped operations */
    SOCKET c, s;
    tcp_pair(&c, &s);
    WSAOVERLAPPED ov[2];
    char b[2][8];
    HANDLE oe[2];
    for (int i = 0; i < 2; i++) {
        memset(&ov[i], 0, sizeof ov[i]);
        oe[i] = ov[i].hEvent = CreateEvent(NULL, TRUE, FALSE, NULL);
    }
    POST_RECV_PENDING(s, b[0], 4, &ov[0], NULL);
    CHECK_EQ(WaitForSingleObject(oe[0], 20), WAIT_TIMEOUT);
    send_all(c, "abcd", 4);
    CHECK_EQ(WaitForSingleObject(oe[0], 10000), WAIT_OBJECT_0);
    POST_RECV_PENDING(s, b[1], 4, &ov[1], NULL);
    CHECK_EQ(WaitForMultipleObjects(2, oe, TRUE, 20), WAIT_TIMEOUT);
    send_all(c, "efgh", 4);
    CHECK_EQ(WaitForMultipleObjects(2, oe, TRUE, 10000), WAIT_OBJECT_0);
    CHECK(memcmp(b[1], "efgh", 4) == 0);
    for (int i = 0; i < 2; i++)
        CloseHandle(oe[i]);
    closesocket(c);
    closesocket(s);

    for (int i = 0; i < 64; i++)
        CHECK(CloseHandle(e[i]));
    WSACleanup();
    return 0;
}

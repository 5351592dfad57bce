/*
 * SPEC F5 for thread handles: a thread handle is unsignalled while the thread runs and signalled
 * (for good) once it has ended; WaitForSingleObject(Ex), WaitForMultipleObjects(Ex) (wait-any and
 * wait-all, mixed with events) and WSAWaitForMultipleEvents accept it with the usual return
 * values; GetExitCodeThread reports STILL_ACTIVE, then the exit code (returned or ExitThread).
 */
#include "wait_helpers.h"

static HANDLE gate;

static DWORD WINAPI worker(LPVOID arg)
{
    CHECK_EQ(WaitForSingleObject(gate, INFINITE), WAIT_OBJECT_0);
    DWORD code = (DWORD)(ULONG_PTR)arg;
    if (code == 7)
        ExitThread(code);
    return code;
}

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
    gate = CreateEvent(NULL, TRUE, FALSE, NULL);
    CHECK(gate != NULL);
    HANDLE t[3];
    for (int i = 0; i < 3; i++) {
        t[i] = CreateThread(NULL, 0, worker, (LPVOID)(ULONG_PTR)(5 + i), 0, NULL);
        CHECK(t[i] != NULL);
    }
    HANDLE never = CreateEvent(NULL, TRUE, FALSE, NULL);

    /* running: unsignalled */
    DWORD code = 0;
    CHECK(GetExitCodeThread(t[0], &code));
    CHECK_EQ(code, STILL_ACTIVE);
    CHECK_EQ(STILL_ACTIVE, 259);
    CHECK_EQ(WaitForSingleObject(t[0], 0), WAIT_TIMEOUT);
    CHECK_EQ(WaitForSingleObjectEx(t[0], 20, FALSE), WAIT_TIMEOUT);
    CHECK_EQ(WaitForMultipleObjects(3, t, FALSE, 20), WAIT_TIMEOUT);
    CHECK_EQ(WaitForMultipleObjects(3, t, TRUE, 0), WAIT_TIMEOUT);
    CHECK_EQ(WSAWaitForMultipleEvents(3, t, FALSE, 20, FALSE), WSA_WAIT_TIMEOUT);

    /* an alertable wait on a running thread returns WAIT_IO_COMPLETION for an APC */
    CHECK(QueueUserAPC(apc, GetCurrentThread(), 3));
    CHECK_EQ(ALERTABLE(WaitForSingleObjectEx(t[1], INFINITE, TRUE)), WAIT_IO_COMPLETION);
    CHECK_EQ(apc_ran, 3);

    /* let them end */
    CHECK(SetEvent(gate));
    HANDLE mix[2] = {never, t[2]};
    CHECK_EQ(WaitForMultipleObjects(2, mix, FALSE, 10000), WAIT_OBJECT_0 + 1);
    CHECK_EQ(WaitForMultipleObjectsEx(3, t, TRUE, 10000, FALSE), WAIT_OBJECT_0);
    /* signalled for good: every later wait succeeds */
    for (int k = 0; k < 3; k++) {
        CHECK_EQ(WaitForSingleObject(t[k], 0), WAIT_OBJECT_0);
        CHECK_EQ(WaitForSingleObject(t[k], INFINITE), WAIT_OBJECT_0);
        CHECK_EQ(ALERTABLE(WaitForSingleObjectEx(t[k], 0, TRUE)), WAIT_OBJECT_0);
    }
    CHECK_EQ(WaitForMultipleObjects(3, t, FALSE, 0), WAIT_OBJECT_0);
    CHECK_EQ(WSAWaitForMultipleEvents(3, t, TRUE, 0, FALSE), WSA_WAIT_EVENT_0);
    HANDLE mix2[2] = {never, t[1]};
    CHECK_EQ(WaitForMultipleObjects(2, mix2, TRUE, 20), WAIT_TIMEOUT); /* `never` is not set */
    for (int k = 0; k < 3; k++) {
        CHECK(GetExitCodeThread(t[k], &code));
        CHECK_EQ(code, 5 + k);
        CHECK(CloseHandle(t[k]));
    }
    CloseHandle(never);
    CloseHandle(gate);
    WSACleanup();
    return 0;
}

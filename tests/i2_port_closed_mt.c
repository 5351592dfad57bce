/*
 * SPEC I2, last sentence: the port's handle closed while threads wait on it: their
 * GetQueuedCompletionStatus returns FALSE with ERROR_ABANDONED_WAIT_0 (735) and *lpOverlapped NULL
 * (Microsoft's GetQueuedCompletionStatus page; GetQueuedCompletionStatusEx likewise), at once, not
 * at the end of an INFINITE wait.  The closed handle is then refused (ERROR_INVALID_HANDLE).
 */
#include "iocp_helpers.h"

static HANDLE port;

struct waiter {
    int use_ex;
    atomic_int entering;
    atomic_long tid;
    BOOL ok;
    DWORD err;
    LPOVERLAPPED ov;
    ULONG removed;
};

static DWORD WINAPI waiter_main(LPVOID arg)
{
    struct waiter *w = arg;
    atomic_store(&w->tid, iot_gettid());
    DWORD n = 0xdeadbeef;
    ULONG_PTR key = 0;
    w->ov = (LPOVERLAPPED)(uintptr_t)0xdeadbeef;
    atomic_store(&w->entering, 1);
    if (w->use_ex) {
        OVERLAPPED_ENTRY e[4];
        w->removed = 0xdeadbeef;
        w->ok = GetQueuedCompletionStatusEx(port, e, 4, &w->removed, INFINITE, FALSE);
        w->ov = NULL;
    } else {
        w->ok = GetQueuedCompletionStatus(port, &n, &key, &w->ov, INFINITE);
    }
    w->err = GetLastError();
    return 0;
}

int main(void)
{
    test_init();
    port = iot_port(0);

    static struct waiter w[2];
    HANDLE th[2];
    for (int i = 0; i < 2; i++) {
        w[i].use_ex = i;
        th[i] = CreateThread(NULL, 0, waiter_main, &w[i], 0, NULL);
        CHECK(th[i] != NULL);
    }
    for (int i = 0; i < 2; i++) {
        while (!atomic_load(&w[i].tid))
            sched_yield();
        iot_wait_asleep(atomic_load(&w[i].tid), &w[i].entering);
    }
    /* Still waiting (bounded check that must time out): nothing ended them yet. */
    CHECK_EQ(WaitForMultipleObjects(2, th, FALSE, 50), WAIT_TIMEOUT);

    CHECK(CloseHandle(port));
    for (int i = 0; i < 2; i++)
        CHECK_EQ(WaitForSingleObject(th[i], DUE_MS), WAIT_OBJECT_0);

    CHECK(!w[0].ok);
    CHECK_EQ(w[0].err, ERROR_ABANDONED_WAIT_0);
    CHECK(w[0].ov == NULL);
    CHECK(!w[1].ok);
    CHECK_EQ(w[1].err, ERROR_ABANDONED_WAIT_0);

    /* The handle is gone. */
    DWORD n;
    ULONG_PTR key;
    LPOVERLAPPED ov = (LPOVERLAPPED)(uintptr_t)1;
    SetLastError(0);
    CHECK(!GetQueuedCompletionStatus(port, &n, &key, &ov, 0));
    CHECK_EQ(GetLastError(), ERROR_INVALID_HANDLE);
    CHECK(ov == NULL);
    SetLastError(0);
    CHECK(!PostQueuedCompletionStatus(port, 0, 0, NULL));
    CHECK_EQ(GetLastError(), ERROR_INVALID_HANDLE);

    for (int i = 0; i < 2; i++)
        CloseHandle(th[i]);
    WSACleanup();
    return 0;
}

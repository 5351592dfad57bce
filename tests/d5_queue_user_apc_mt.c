/*
 * SPEC D5: QueueUserAPC(fn, thread, arg) queues fn(arg) to any thread and wakes it when it is
 * already blocked in an alertable wait (every kind); the APC runs in that thread, with arg exactly,
 * once.  A thread in a non-alertable wait is not woken and does not run it; a later alertable wait
 * does.  APCs from several threads all run, each producer's in its order.  Also SPEC D2/D3 for
 * APCs: they run only in alertable waits, which then return WAIT_IO_COMPLETION.
 */
#include "wait_helpers.h"

static HANDLE ready, go;
static atomic_long target_ltid;
static DWORD target_tid;
static atomic_int got;
static ULONG_PTR last_arg;

static void CALLBACK count_apc(ULONG_PTR arg)
{
    wh_routine_enter(target_tid, "APC");
    last_arg = arg;
    atomic_fetch_add(&got, 1);
    wh_routine_leave();
}

/* ---- part 2: woken out of every kind of alertable wait --------------------------------------- */

#define WAKE_ROUNDS 40

static DWORD WINAPI sleeper(LPVOID arg)
{
    (void)arg;
    target_tid = GetCurrentThreadId();
    atomic_store(&target_ltid, linux_tid());
    HANDLE never = CreateEvent(NULL, TRUE, FALSE, NULL);
    CHECK(never != NULL);
    HANDLE two[2] = {never, never};
    WSAEVENT wnever = never;
    for (int round = 0; round < WAKE_ROUNDS; round++) {
        CHECK(SetEvent(ready));
        DWORD w;
        switch (round % 4) {
        case 0:
            w = ALERTABLE(SleepEx(INFINITE, TRUE));
            break;
        case 1:
            w = ALERTABLE(WaitForSingleObjectEx(never, INFINITE, TRUE));
            break;
        case 2:
            w = ALERTABLE(WaitForMultipleObjectsEx(2, two, FALSE, INFINITE, TRUE));
            break;
        default:
            w = ALERTABLE(WSAWaitForMultipleEvents(1, &wnever, FALSE, WSA_INFINITE, TRUE));
            break;
        }
        if (w != WAIT_IO_COMPLETION)
            FAIL("round %d: alertable wait returned %lu", round, (unsigned long)w);
        CHECK_EQ(atomic_load(&got), round + 1);
        CHECK_EQ(last_arg, (ULONG_PTR)round * 0x10001u + 7);
    }
    CloseHandle(never);
    return 0;
}

/* ---- part 3: a non-alertable wait is not woken ---------------------------------------------- */

static DWORD WINAPI non_alertable(LPVOID arg)
{
    (void)arg;
    target_tid = GetCurrentThreadId();
    atomic_store(&target_ltid, linux_tid());
    CHECK(SetEvent(ready));
    /* Blocked in a non-alertable wait while the APC is queued: must stay blocked until `go`. */
    CHECK_EQ(WaitForSingleObject(go, INFINITE), WAIT_OBJECT_0);
    CHECK_EQ(atomic_load(&got), 0);
    CHECK_EQ(WaitForSingleObjectEx(go, 0, FALSE), WAIT_OBJECT_0);
    CHECK_EQ(SleepEx(0, FALSE), 0);
    CHECK_EQ(atomic_load(&got), 0);
    /* Alertable now: runs it. */
    CHECK_EQ(ALERTABLE(SleepEx(0, TRUE)), WAIT_IO_COMPLETION);
    CHECK_EQ(atomic_load(&got), 1);
    CHECK_EQ(last_arg, 99);
    return 0;
}

/* ---- part 4: many producers ---- */

#define PRODUCERS 4
#define PER_PRODUCER 500

static HANDLE consumer_h;
static atomic_int consumer_done;
static int next_seq[PRODUCERS];
static int consumed;

static void CALLBACK seq_apc(ULONG_PTR arg)
{
    wh_routine_enter(target_tid, "producer APC");
    int p = (int)(arg >> 16), seq = (int)(arg & 0xffff);
    CHECK(p >= 0 && p < PRODUCERS);
    if (seq != next_seq[p])
        FAIL("producer %d: APC %d ran, expected %d (FIFO)", p, seq, next_seq[p]);
    next_seq[p]++;
    consumed++;
    wh_routine_leave();
}

static DWORD WINAPI consumer(LPVOID arg)
{
    (void)arg;
    target_tid = GetCurrentThreadId();
    CHECK(SetEvent(ready));
    while (consumed < PRODUCERS * PER_PRODUCER) {
        DWORD w = ALERTABLE(SleepEx(10000, TRUE));
        CHECK_EQ(w, WAIT_IO_COMPLETION);
    }
    /* each exactly once: nothing more arrives (bounded wait that must time out) */
    CHECK_EQ(ALERTABLE(SleepEx(30, TRUE)), 0);
    CHECK_EQ(consumed, PRODUCERS * PER_PRODUCER);
    atomic_store(&consumer_done, 1);
    return 0;
}

static DWORD WINAPI producer(LPVOID arg)
{
    ULONG_PTR p = (ULONG_PTR)arg;
    for (int i = 0; i < PER_PRODUCER; i++)
        CHECK(QueueUserAPC(seq_apc, consumer_h, (p << 16) | (ULONG_PTR)i) != 0);
    return 0;
}

static void CALLBACK self_apc(ULONG_PTR arg)
{
    wh_routine_enter(target_tid, "self APC");
    last_arg = arg;
    atomic_fetch_add(&got, 1);
    wh_routine_leave();
}

int main(void)
{
    test_init();
    ready = CreateEvent(NULL, FALSE, FALSE, NULL);
    go = CreateEvent(NULL, TRUE, FALSE, NULL);
    CHECK(ready && go);

    /* 1. To the calling thread, through the GetCurrentThread() pseudo handle. */
    target_tid = GetCurrentThreadId();
    const ULONG_PTR big = (ULONG_PTR)0xDEADBEEFCAFEF00DULL;
    CHECK(QueueUserAPC(self_apc, GetCurrentThread(), big) != 0);
    CHECK_EQ(SleepEx(10, FALSE), 0);
    CHECK_EQ(WaitForSingleObject(go, 10), WAIT_TIMEOUT);
    CHECK_EQ(atomic_load(&got), 0);
    CHECK_EQ(ALERTABLE(SleepEx(0, TRUE)), WAIT_IO_COMPLETION);
    CHECK_EQ(atomic_load(&got), 1);
    CHECK(last_arg == big);
    CHECK_EQ(ALERTABLE(SleepEx(0, TRUE)), 0);
    atomic_store(&got, 0);

    /* Bad thread handles fail: NULL, and a handle that is an event, not a thread. */
    CHECK_EQ(QueueUserAPC(self_apc, NULL, 1), 0);
    CHECK_EQ(QueueUserAPC(self_apc, go, 1), 0);
    CHECK_EQ(ALERTABLE(SleepEx(0, TRUE)), 0);
    CHECK_EQ(atomic_load(&got), 0);

    /* 2. Woken from every kind of alertable wait it is already blocked in. */
    HANDLE t = CreateThread(NULL, 0, sleeper, NULL, 0, NULL);
    CHECK(t != NULL);
    for (int round = 0; round < WAKE_ROUNDS; round++) {
        CHECK_EQ(WaitForSingleObject(ready, 10000), WAIT_OBJECT_0);
        /* get it asleep in the wait first (the test is also correct when it is not yet) */
        wait_thread_sleeping(atomic_load(&target_ltid), 2000);
        CHECK(QueueUserAPC(count_apc, t, (ULONG_PTR)round * 0x10001u + 7) != 0);
    }
    CHECK_EQ(WaitForSingleObject(t, 10000), WAIT_OBJECT_0);
    DWORD code = 1;
    CHECK(GetExitCodeThread(t, &code));
    CHECK_EQ(code, 0);
    CloseHandle(t);
    CHECK_EQ(atomic_load(&got), WAKE_ROUNDS);

    /* 3. Not woken from a non-alertable wait. */
    atomic_store(&got, 0);
    t = CreateThread(NULL, 0, non_alertable, NULL, 0, NULL);
    CHECK(t != NULL);
    CHECK_EQ(WaitForSingleObject(ready, 10000), WAIT_OBJECT_0);
    wait_thread_sleeping(atomic_load(&target_ltid), 2000);
    CHECK(QueueUserAPC(count_apc, t, 99) != 0);
    /* The thread must still be blocked: a bounded wait on its handle that must time out. */
    CHECK_EQ(WaitForSingleObject(t, 100), WAIT_TIMEOUT);
    CHECK_EQ(atomic_load(&got), 0);
    CHECK(SetEvent(go));
    CHECK_EQ(WaitForSingleObject(t, 10000), WAIT_OBJECT_0);
    CloseHandle(t);
    CHECK_EQ(atomic_load(&got), 1);

    /* 4. Many producers to one consumer: all run, once, each producer's in order. */
    consumer_h = CreateThread(NULL, 0, consumer, NULL, 0, NULL);
    CHECK(consumer_h != NULL);
    CHECK_EQ(WaitForSingleObject(ready, 10000), WAIT_OBJECT_0);
    HANDLE prod[PRODUCERS];
    for (int p = 0; p < PRODUCERS; p++) {
        prod[p] = CreateThread(NULL, 0, producer, (LPVOID)(ULONG_PTR)p, 0, NULL);
        CHECK(prod[p] != NULL);
    }
    CHECK_EQ(WaitForMultipleObjects(PRODUCERS, prod, TRUE, 20000), WAIT_OBJECT_0);
    CHECK_EQ(WaitForSingleObject(consumer_h, 20000), WAIT_OBJECT_0);
    CHECK_EQ(atomic_load(&consumer_done), 1);
    for (int p = 0; p < PRODUCERS; p++) {
        CHECK_EQ(next_seq[p], PER_PRODUCER);
        CloseHandle(prod[p]);
    }
    CloseHandle(consumer_h);

    CloseHandle(ready);
    CloseHandle(go);
    WSACleanup();
    return 0;
}

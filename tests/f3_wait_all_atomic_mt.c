/*
 * SPEC F3: a wait for all is atomic - it changes no state until all its objects are signalled at
 * the same moment, and then consumes its auto-reset events together.
 *  1. one thread: A set, B not: wait-all times out and A is still set afterwards.
 *  2. a waiter blocked in wait-all {A, B} must not hold on to A: another thread can take A; with A
 *     taken and B set, the waiter stays blocked (and leaves B set); once both are set together it
 *     returns and both are consumed.
 *  3. two waiters wait-all on {A, B} and {B, A} while both are set over and over: each round
 * exactly one of them wins and consumes both.  A wait-all that grabs its events one by one
 * deadlocks here (one holds A, the other B) or lets both through. Works through
 * WaitForMultipleObjects and WSAWaitForMultipleEvents.
 */
#include "wait_helpers.h"

static HANDLE A, B;
static HANDLE started, done_ev;
static atomic_long waiter_ltid;
static atomic_int waiter_result = -1;

static DWORD WINAPI wait_all_once(LPVOID arg)
{
    int use_wsa = (int)(ULONG_PTR)arg;
    atomic_store(&waiter_ltid, linux_tid());
    HANDLE h[2] = {A, B};
    CHECK(SetEvent(started));
    DWORD w = use_wsa ? WSAWaitForMultipleEvents(2, h, TRUE, 20000, FALSE)
                      : WaitForMultipleObjects(2, h, TRUE, 20000);
    atomic_store(&waiter_result, (int)w);
    return 0;
}

#define ROUNDS 2000
static atomic_int stop;
static atomic_int wins[2];

static DWORD WINAPI contender(LPVOID arg)
{
    int id = (int)(ULONG_PTR)arg;
    HANDLE h[2];
    h[0] = id ? B : A;
    h[1] = id ? A : B;
    for (;;) {
        DWORD w = id ? WSAWaitForMultipleEvents(2, h, TRUE, WSA_INFINITE, FALSE)
                     : WaitForMultipleObjects(2, h, TRUE, INFINITE);
        CHECK_EQ(w, WAIT_OBJECT_0);
        if (atomic_load(&stop))
            return 0;
        atomic_fetch_add(&wins[id], 1);
        CHECK(SetEvent(done_ev));
    }
}

int main(void)
{
    test_init();
    A = CreateEvent(NULL, FALSE, FALSE, NULL);
    B = CreateEvent(NULL, FALSE, FALSE, NULL);
    started = CreateEvent(NULL, FALSE, FALSE, NULL);
    done_ev = CreateEvent(NULL, FALSE, FALSE, NULL);
    CHECK(A && B && started && done_ev);
    HANDLE ab[2] = {A, B};

    /* 1. single thread */
    CHECK(SetEvent(A));
    CHECK_EQ(WaitForMultipleObjects(2, ab, TRUE, 0), WAIT_TIMEOUT);
    CHECK_EQ(WaitForMultipleObjects(2, ab, TRUE, 30), WAIT_TIMEOUT);
    CHECK_EQ(WSAWaitForMultipleEvents(2, ab, TRUE, 30, FALSE), WSA_WAIT_TIMEOUT);
    CHECK_EQ(WaitForSingleObject(A, 0), WAIT_OBJECT_0); /* A survived the failed wait-alls */
    CHECK(SetEvent(A));
    CHECK(SetEvent(B));
    CHECK_EQ(WaitForMultipleObjects(2, ab, TRUE, 0), WAIT_OBJECT_0);
    CHECK_EQ(WaitForSingleObject(A, 0), WAIT_TIMEOUT); /* both consumed */
    CHECK_EQ(WaitForSingleObject(B, 0), WAIT_TIMEOUT);
    /* manual + auto: the manual one stays set, the auto one is consumed */
    HANDLE m = CreateEvent(NULL, TRUE, TRUE, NULL);
    HANDLE ma[2] = {m, A};
    CHECK(SetEvent(A));
    CHECK_EQ(WaitForMultipleObjects(2, ma, TRUE, 0), WAIT_OBJECT_0);
    CHECK_EQ(WaitForSingleObject(m, 0), WAIT_OBJECT_0);
    CHECK_EQ(WaitForSingleObject(A, 0), WAIT_TIMEOUT);
    CloseHandle(m);

    /* 2. a blocked wait-all holds nothing */
    for (int use_wsa = 0; use_wsa <= 1; use_wsa++) {
        atomic_store(&waiter_result, -1);
        CHECK(SetEvent(A));
        HANDLE t = CreateThread(NULL, 0, wait_all_once, (LPVOID)(ULONG_PTR)use_wsa, 0, NULL);
        CHECK(t != NULL);
        CHECK_EQ(WaitForSingleObject(started, 10000), WAIT_OBJECT_0);
        wait_thread_sleeping(atomic_load(&waiter_ltid), 2000);
        /* A is still there for others to take */
        CHECK_EQ(WaitForSingleObject(A, 0), WAIT_OBJECT_0);
        /* B alone: the waiter must stay blocked (bounded wait on it that must time out) */
        CHECK(SetEvent(B));
        CHECK_EQ(WaitForSingleObject(t, 100), WAIT_TIMEOUT);
        CHECK_EQ(atomic_load(&waiter_result), -1);
        CHECK_EQ(WaitForSingleObject(B, 0), WAIT_OBJECT_0); /* B was left set */
        /* both together: it returns with both consumed */
        CHECK(SetEvent(B));
        CHECK(SetEvent(A));
        CHECK_EQ(WaitForSingleObject(t, 10000), WAIT_OBJECT_0);
        CHECK_EQ(atomic_load(&waiter_result), WAIT_OBJECT_0);
        CHECK_EQ(WaitForSingleObject(A, 0), WAIT_TIMEOUT);
        CHECK_EQ(WaitForSingleObject(B, 0), WAIT_TIMEOUT);
        CloseHandle(t);
    }

    /* 3. two contenders with opposite orders */
    HANDLE t0 = CreateThread(NULL, 0, contender, (LPVOID)0, 0, NULL);
    HANDLE t1 = CreateThread(NULL, 0, contender, (LPVOID)1, 0, NULL);
    CHECK(t0 && t1);
    for (int i = 0; i < ROUNDS; i++) {
        CHECK(SetEvent(A));
        CHECK(SetEvent(B));
        if (WaitForSingleObject(done_ev, 10000) != WAIT_OBJECT_0)
            FAIL("round %d: no wait-all completed with both events set (deadlock)", i);
        /* exactly one winner, who took both */
        CHECK_EQ(atomic_load(&wins[0]) + atomic_load(&wins[1]), i + 1);
        CHECK_EQ(WaitForSingleObject(A, 0), WAIT_TIMEOUT);
        CHECK_EQ(WaitForSingleObject(B, 0), WAIT_TIMEOUT);
    }
    /* release the contenders: each pair of sets lets exactly one of them return */
    atomic_store(&stop, 1);
    HANDLE both[2] = {t0, t1};
    CHECK(SetEvent(A));
    CHECK(SetEvent(B));
    DWORD w = WaitForMultipleObjects(2, both, FALSE, 10000);
    CHECK(w == WAIT_OBJECT_0 || w == WAIT_OBJECT_0 + 1);
    CHECK(SetEvent(A));
    CHECK(SetEvent(B));
    CHECK_EQ(WaitForMultipleObjects(2, both, TRUE, 10000), WAIT_OBJECT_0);
    fprintf(stderr, "%s: wins %d / %d\n", test_engine(), atomic_load(&wins[0]),
            atomic_load(&wins[1]));
    CHECK_EQ(atomic_load(&wins[0]) + atomic_load(&wins[1]), ROUNDS);
    CloseHandle(t0);
    CloseHandle(t1);
    CloseHandle(A);
    CloseHandle(B);
    CloseHandle(started);
    CloseHandle(done_ev);
    WSACleanup();
    return 0;
}

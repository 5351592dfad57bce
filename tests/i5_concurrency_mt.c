/*
 * SPEC I5 (with I1's "n == 0 means the CPU count"): a port lets at most n threads run its packets
 * at once - a thread runs a packet from the moment GetQueuedCompletionStatus gives it one until it
 * asks the port again - and a worker that blocks elsewhere (here in WaitForSingleObject) stops
 * counting, so another waiting worker is released ("I/O Completion Ports": concurrency value).
 *
 * Workers spin (CPU-bound, never blocking) in their packet handler until the test lets them go,
 * so "running" is unambiguous.  That a packet is NOT handed out is proven by a bounded wait
 * (QUIET_MS) on the event a worker sets when it takes that packet.
 */
#include "iocp_helpers.h"

#define MAXW 20
#define QUIT 0xFFFF

enum { CMD_SPIN, CMD_FINISH, CMD_BLOCK };

static HANDLE port;
static HANDLE block_ev;
static HANDLE taken_ev[MAXW];
static atomic_int cmd[MAXW];
static atomic_int holder[MAXW];
static atomic_int running_now, max_running;
static atomic_int blocked[MAXW];

struct worker {
    int index;
    atomic_int entering;
    atomic_long tid;
};
static struct worker workers[MAXW];
static HANDLE threads[MAXW];

static DWORD WINAPI worker_main(LPVOID arg)
{
    struct worker *w = arg;
    atomic_store(&w->tid, iot_gettid());
    for (;;) {
        DWORD n;
        ULONG_PTR key = 0;
        LPOVERLAPPED ov;
        atomic_store(&w->entering, 1);
        BOOL ok = GetQueuedCompletionStatus(port, &n, &key, &ov, INFINITE);
        atomic_store(&w->entering, 0);
        if (!ok)
            FAIL("worker %d: GetQueuedCompletionStatus failed, error %lu", w->index,
                 (unsigned long)GetLastError());
        if (key == QUIT)
            return 0;
        int k = (int)key;
        int now = atomic_fetch_add(&running_now, 1) + 1;
        int m = atomic_load(&max_running);
        while (now > m && !atomic_compare_exchange_weak(&max_running, &m, now))
            ;
        atomic_store(&holder[k], w->index);
        CHECK(SetEvent(taken_ev[k]));
        for (;;) { /* the packet handler: CPU-bound until told otherwise */
            int c = atomic_load(&cmd[k]);
            if (c == CMD_FINISH)
                break;
            if (c == CMD_BLOCK) {
                atomic_fetch_sub(&running_now, 1);
                atomic_store(&blocked[k], 1);
                CHECK_EQ(WaitForSingleObject(block_ev, 30000), WAIT_OBJECT_0);
                atomic_fetch_add(&running_now, 1);
                break;
            }
            sched_yield();
        }
        atomic_fetch_sub(&running_now, 1); /* about to ask the port again */
    }
}

static void start(HANDLE p, int nworkers)
{
    port = p;
    atomic_store(&running_now, 0);
    atomic_store(&max_running, 0);
    for (int k = 0; k < MAXW; k++) {
        atomic_store(&cmd[k], CMD_SPIN);
        atomic_store(&holder[k], -1);
        atomic_store(&blocked[k], 0);
        CHECK(ResetEvent(taken_ev[k]));
    }
    for (int i = 0; i < nworkers; i++) {
        memset(&workers[i], 0, sizeof workers[i]);
        workers[i].index = i;
        threads[i] = CreateThread(NULL, 0, worker_main, &workers[i], 0, NULL);
        CHECK(threads[i] != NULL);
        while (!atomic_load(&workers[i].tid))
            sched_yield();
        iot_wait_asleep(atomic_load(&workers[i].tid), &workers[i].entering);
    }
}

static void stop(int nworkers, int npackets)
{
    for (int k = 0; k < npackets; k++)
        atomic_store(&cmd[k], CMD_FINISH);
    for (int i = 0; i < nworkers; i++)
        CHECK(PostQueuedCompletionStatus(port, 0, QUIT, NULL));
    for (int i = 0; i < nworkers; i++) {
        CHECK_EQ(WaitForSingleObject(threads[i], DUE_MS), WAIT_OBJECT_0);
        CloseHandle(threads[i]);
    }
    CHECK(CloseHandle(port));
}

static void post(int k)
{
    CHECK(PostQueuedCompletionStatus(port, 0, (ULONG_PTR)k, NULL));
}

#define TAKEN(k) CHECK_EQ(WaitForSingleObject(taken_ev[k], DUE_MS), WAIT_OBJECT_0)
#define NOT_TAKEN(k)                                                                               \
    do {                                                                                           \
        if (WaitForSingleObject(taken_ev[k], QUIET_MS) != WAIT_TIMEOUT)                            \
            FAIL("packet %d was handed to worker %d while the port's concurrency was used up "     \
                 "(running now %d)",                                                               \
                 k, atomic_load(&holder[k]), atomic_load(&running_now));                           \
    } while (0)

/* n running, one more packet waits; when one of them finishes, the waiting packet runs. */
static void at_most_n(HANDLE p, int n, const char *what)
{
    int nworkers = n + 1;
    start(p, nworkers);
    for (int k = 0; k < n; k++) {
        post(k);
        TAKEN(k);
    }
    for (int k = 0; k < n; k++)
        for (int j = 0; j < k; j++)
            if (atomic_load(&holder[k]) == atomic_load(&holder[j]))
                FAIL("%s: packets %d and %d ran on the same worker", what, j, k);
    post(n);
    NOT_TAKEN(n);
    atomic_store(&cmd[0], CMD_FINISH); /* its worker asks the port again */
    TAKEN(n);
    if (atomic_load(&max_running) > n)
        FAIL("%s: %d workers ran packets at once, the port allows %d", what,
             atomic_load(&max_running), n);
    stop(nworkers, n + 1);
}

int main(void)
{
    test_init();
    block_ev = CreateEvent(NULL, TRUE, FALSE, NULL);
    CHECK(block_ev != NULL);
    for (int k = 0; k < MAXW; k++) {
        taken_ev[k] = CreateEvent(NULL, TRUE, FALSE, NULL);
        CHECK(taken_ev[k] != NULL);
    }

    /* Concurrency 1, two workers: the second packet waits while the first runs ... */
    start(iot_port(1), 2);
    post(0);
    TAKEN(0);
    post(1);
    NOT_TAKEN(1);
    /* ... and is released when the first worker blocks elsewhere. */
    atomic_store(&cmd[0], CMD_BLOCK);
    TAKEN(1);
    CHECK(atomic_load(&blocked[0]));
    CHECK(atomic_load(&holder[1]) != atomic_load(&holder[0]));
    CHECK(SetEvent(block_ev));
    stop(2, 2);
    CHECK(ResetEvent(block_ev));

    /* At most n: an explicit 2, and 0 = the processor count. */
    at_most_n(iot_port(2), 2, "concurrency 2");
    int ncpu = iot_ncpu();
    if (ncpu + 1 <= MAXW)
        at_most_n(iot_port(0), ncpu, "concurrency 0 (processor count)");
    else
        fprintf(stderr, "note: %d processors; concurrency 0 not checked\n", ncpu);

    for (int k = 0; k < MAXW; k++)
        CloseHandle(taken_ev[k]);
    CloseHandle(block_ev);
    WSACleanup();
    return 0;
}

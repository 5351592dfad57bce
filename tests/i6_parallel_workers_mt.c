/*
 * SPEC I6: workers on several threads really run in parallel - throughput grows with worker
 * threads and cores.  The proof is not a timing but a rendezvous inside the packet handler: N
 * workers (N = min(processors, 4), port concurrency 0) each take one packet and spin, CPU-bound,
 * until all N handlers are inside at once.  That can only finish if N packets run on N threads at
 * the same time; if the port hands out only one packet at a time, or a queued packet is left
 * waiting while a worker sleeps, the rendezvous times out and the test fails.
 *   1. N posted packets, posted back to back to N workers asleep in GetQueuedCompletionStatus;
 *   2. N receive completions on N sockets bound to the port, the data sent back to back;
 *   3. (reported, not asserted) time for a batch of CPU-bound packets with N workers on a port of
 *      concurrency 1 and on one of concurrency 0.
 * Skipped on a single processor.
 */
#include "iocp_helpers.h"

#define MAXN 4
#define QUIT 0xFFFF
#define RDV_POSTED 0x100
#define RDV_SOCK 0x200 /* + socket index */
#define WORK 0x300

static HANDLE port;
static int nworkers;

/* rendezvous of one phase */
static atomic_int arrived, done, failed, worst_seen;
static HANDLE done_ev;
/* phase 2: what each socket's packet must carry */
static WSAOVERLAPPED rov[MAXN];
static atomic_int bad_packet;
/* phase 3 */
static atomic_int work_done;
static HANDLE work_ev;
static int work_total;
static atomic_uint sink; /* keeps the CPU work from being optimised away */

struct worker {
    atomic_int entering;
    atomic_long tid;
};
static struct worker workers[MAXN];

static unsigned cpu_work(unsigned x, int rounds)
{
    for (int i = 0; i < rounds; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
    }
    return x;
}

static void rendezvous(void)
{
    atomic_fetch_add(&arrived, 1);
    uint64_t end = ovt_now_ms() + DUE_MS;
    unsigned x = 0x9e3779b9u;
    while (atomic_load(&arrived) < nworkers) {
        x = cpu_work(x, 1000); /* CPU-bound: not blocked in any wait */
        if (ovt_now_ms() > end) {
            int seen = atomic_load(&arrived);
            int w = atomic_load(&worst_seen);
            if (w == 0 || seen < w)
                atomic_store(&worst_seen, seen);
            atomic_fetch_add(&failed, 1);
            break;
        }
    }
    atomic_store_explicit(&sink, x, memory_order_relaxed);
    if (atomic_fetch_add(&done, 1) + 1 == nworkers)
        CHECK(SetEvent(done_ev));
}

static DWORD WINAPI worker_main(LPVOID arg)
{
    struct worker *w = arg;
    atomic_store(&w->tid, iot_gettid());
    for (;;) {
        DWORD n = 0;
        ULONG_PTR key = 0;
        LPOVERLAPPED ov = NULL;
        atomic_store(&w->entering, 1);
        BOOL ok = GetQueuedCompletionStatus(port, &n, &key, &ov, INFINITE);
        atomic_store(&w->entering, 0);
        if (!ok)
            FAIL("GetQueuedCompletionStatus failed, error %lu", (unsigned long)GetLastError());
        if (key == QUIT)
            return 0;
        if (key == RDV_POSTED) {
            rendezvous();
        } else if (key >= RDV_SOCK && key < RDV_SOCK + MAXN) {
            if (ov != (LPOVERLAPPED)&rov[key - RDV_SOCK] || n != 1)
                atomic_store(&bad_packet, 1);
            rendezvous();
        } else if (key == WORK) {
            atomic_store_explicit(&sink, cpu_work((unsigned)n + 1, 1000000), memory_order_relaxed);
            if (atomic_fetch_add(&work_done, 1) + 1 == work_total)
                CHECK(SetEvent(work_ev));
        } else {
            FAIL("unexpected key %#lx", (unsigned long)key);
        }
    }
}

static HANDLE threads[MAXN];

static void start_workers(void)
{
    for (int i = 0; i < nworkers; i++) {
        memset(&workers[i], 0, sizeof workers[i]);
        threads[i] = CreateThread(NULL, 0, worker_main, &workers[i], 0, NULL);
        CHECK(threads[i] != NULL);
    }
    for (int i = 0; i < nworkers; i++) {
        while (!atomic_load(&workers[i].tid))
            sched_yield();
        iot_wait_asleep(atomic_load(&workers[i].tid), &workers[i].entering);
    }
}

static void stop_workers(void)
{
    for (int i = 0; i < nworkers; i++)
        CHECK(PostQueuedCompletionStatus(port, 0, QUIT, NULL));
    for (int i = 0; i < nworkers; i++) {
        CHECK_EQ(WaitForSingleObject(threads[i], DUE_MS), WAIT_OBJECT_0);
        CloseHandle(threads[i]);
    }
}

static void reset_rendezvous(void)
{
    atomic_store(&arrived, 0);
    atomic_store(&done, 0);
    atomic_store(&failed, 0);
    atomic_store(&worst_seen, 0);
    CHECK(ResetEvent(done_ev));
}

static void check_rendezvous(const char *what)
{
    CHECK_EQ(WaitForSingleObject(done_ev, 3 * DUE_MS), WAIT_OBJECT_0);
    if (atomic_load(&failed))
        FAIL("%s: %d of %d handlers waited in vain for the others - at most %d packets ran at "
             "once, the port allows %d (concurrency 0 = processors)",
             what, atomic_load(&failed), nworkers, atomic_load(&worst_seen), nworkers);
}

static uint64_t timed_batch(HANDLE p, int packets)
{
    port = p;
    start_workers();
    atomic_store(&work_done, 0);
    work_total = packets;
    CHECK(ResetEvent(work_ev));
    uint64_t t0 = ovt_now_ms();
    for (int i = 0; i < packets; i++)
        CHECK(PostQueuedCompletionStatus(port, (DWORD)i, WORK, NULL));
    CHECK_EQ(WaitForSingleObject(work_ev, 3 * DUE_MS), WAIT_OBJECT_0);
    uint64_t t = ovt_now_ms() - t0;
    stop_workers();
    CHECK(CloseHandle(p));
    return t;
}

int main(void)
{
    test_init();
    int ncpu = iot_ncpu();
    if (ncpu < 2)
        SKIP("one processor: nothing can run in parallel");
    nworkers = ncpu < MAXN ? ncpu : MAXN;
    done_ev = CreateEvent(NULL, TRUE, FALSE, NULL);
    work_ev = CreateEvent(NULL, TRUE, FALSE, NULL);
    CHECK(done_ev && work_ev);

    port = iot_port(0);
    start_workers();

    /* 1. Posted packets, back to back, to workers asleep in the port. */
    reset_rendezvous();
    for (int i = 0; i < nworkers; i++)
        CHECK(PostQueuedCompletionStatus(port, 0, RDV_POSTED, NULL));
    check_rendezvous("posted packets");

    /* 2. I/O completions: one receive per socket, the data sent back to back. */
    for (int i = 0; i < nworkers; i++)
        iot_wait_asleep(atomic_load(&workers[i].tid), &workers[i].entering);
    reset_rendezvous();
    SOCKET c[MAXN], s[MAXN];
    char buf[MAXN][8];
    for (int i = 0; i < nworkers; i++) {
        tcp_pair(&c[i], &s[i]);
        iot_bind(s[i], port, RDV_SOCK + (ULONG_PTR)i);
        ovt_ov(&rov[i], NULL);
        iot_recv_pending(s[i], buf[i], sizeof buf[i], &rov[i]);
    }
    for (int i = 0; i < nworkers; i++)
        send_all(c[i], "x", 1);
    check_rendezvous("receive completions");
    CHECK(!atomic_load(&bad_packet));
    stop_workers();
    CHECK(CloseHandle(port));

    /* 3. Throughput with the same workers: one at a time, then all (reported only). */
    int packets = 16 * nworkers;
    uint64_t serial = timed_batch(iot_port(1), packets);
    uint64_t parallel = timed_batch(iot_port(0), packets);
    fprintf(stderr,
            "note: %d CPU-bound packets, %d workers: %llu ms at concurrency 1, %llu ms at "
            "concurrency 0 (%d processors)\n",
            packets, nworkers, (unsigned long long)serial, (unsigned long long)parallel, ncpu);

    for (int i = 0; i < nworkers; i++) {
        closesocket(c[i]);
        closesocket(s[i]);
    }
    CloseHandle(done_ev);
    CloseHandle(work_ev);
    WSACleanup();
    return 0;
}

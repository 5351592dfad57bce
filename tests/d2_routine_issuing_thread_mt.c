/*
 * SPEC D2 (threads): a completion routine runs only in the thread that issued the operation, and
 * only while that thread is in an alertable wait - never in another thread (even one sitting in an
 * alertable wait the whole time), never while the issuing thread is busy in ordinary code or
 * blocked in a non-alertable wait.
 *
 * Thread A issues; the main thread completes the operation and itself waits alertably; thread C
 * spends the whole test in alertable waits.  rec_routine fails the test if it runs in any thread
 * but A or outside an alertable wait (see wait_helpers.h).  Then a stress part: A issues and waits
 * alertably in a loop while main and C keep entering alertable waits too.
 */
#include "wait_helpers.h"

static SOCKET c, s;
static HANDLE issued, go, stop_c;
static atomic_int phase;
static atomic_long a_linux_tid;
static atomic_int c_apcs;
static atomic_int c_wakeups;
static io_rec r;
static char rbuf[32];

#define ROUNDS 200
static HANDLE round_issued;
static atomic_int stress_done;

static DWORD WINAPI thread_a(LPVOID arg)
{
    (void)arg;
    atomic_store(&a_linux_tid, linux_tid());
    io_rec_init(&r, 1);
    POST_RECV_PENDING(s, rbuf, sizeof rbuf, &r.ov, rec_routine);
    CHECK(SetEvent(issued));

    /* Busy in code that is not ovio at all, until main has seen the completion. */
    volatile unsigned long spin = 0;
    while (atomic_load(&phase) == 0)
        spin++;
    CHECK_EQ(rec_calls(&r), 0);

    /* Blocked in a non-alertable wait on something else: still not run. */
    CHECK_EQ(WaitForSingleObject(go, INFINITE), WAIT_OBJECT_0);
    CHECK_EQ(rec_calls(&r), 0);

    /* Now alertable: runs here, in this thread. */
    CHECK_EQ(ALERTABLE(SleepEx(10000, TRUE)), WAIT_IO_COMPLETION);
    CHECK_EQ(rec_calls(&r), 1);
    CHECK_EQ(r.err, 0);
    CHECK_EQ(r.bytes, 4);
    CHECK(memcmp(rbuf, "data", 4) == 0);

    /* Stress: issue, let main complete it, wait alertably; ROUNDS times. */
    for (int i = 0; i < ROUNDS; i++) {
        static io_rec q;
        static char qb[8];
        io_rec_init(&q, 1000 + i);
        POST_RECV_PENDING(s, qb, sizeof qb, &q.ov, rec_routine);
        CHECK(SetEvent(round_issued));
        while (rec_calls(&q) == 0) {
            DWORD w = ALERTABLE(SleepEx(10000, TRUE));
            CHECK_EQ(w, WAIT_IO_COMPLETION);
        }
        CHECK_EQ(rec_calls(&q), 1);
        CHECK_EQ(q.err, 0);
        CHECK_EQ(q.bytes, 1);
        CHECK_EQ(qb[0], (char)i);
    }
    atomic_store(&stress_done, 1);
    return 0;
}

static atomic_int c_stop;
static DWORD c_tid;

static void CALLBACK stop_apc(ULONG_PTR arg)
{
    wh_routine_enter(c_tid, "stop APC");
    CHECK_EQ(arg, 0x5eed);
    atomic_fetch_add(&c_apcs, 1);
    atomic_store(&c_stop, 1);
    wh_routine_leave();
}

/* A bystander that is always in an alertable wait. */
static DWORD WINAPI thread_c(LPVOID arg)
{
    (void)arg;
    c_tid = GetCurrentThreadId();
    CHECK(SetEvent(stop_c)); /* "started" */
    while (!atomic_load(&c_stop)) {
        DWORD w = ALERTABLE(SleepEx(INFINITE, TRUE));
        CHECK_EQ(w, WAIT_IO_COMPLETION);
        atomic_fetch_add(&c_wakeups, 1);
        /* the only thing ever queued to C is stop_apc */
        if (!atomic_load(&c_stop))
            FAIL("thread C woke from an alertable wait without its APC");
    }
    return 0;
}

int main(void)
{
    test_init();
    tcp_pair(&c, &s);
    issued = CreateEvent(NULL, FALSE, FALSE, NULL);
    go = CreateEvent(NULL, TRUE, FALSE, NULL);
    stop_c = CreateEvent(NULL, FALSE, FALSE, NULL);
    round_issued = CreateEvent(NULL, FALSE, FALSE, NULL);
    CHECK(issued && go && stop_c && round_issued);

    HANDLE hc = CreateThread(NULL, 0, thread_c, NULL, 0, NULL);
    CHECK(hc != NULL);
    CHECK_EQ(WaitForSingleObject(stop_c, 10000), WAIT_OBJECT_0);

    HANDLE ha = CreateThread(NULL, 0, thread_a, NULL, 0, NULL);
    CHECK(ha != NULL);
    CHECK_EQ(WaitForSingleObject(issued, 10000), WAIT_OBJECT_0);

    send_all(c, "data", 4);
    /* main observes the completion (non-alertable wait on the socket, SPEC B5). */
    DWORD n = 0, fl = 0;
    CHECK(WSAGetOverlappedResult(s, &r.ov, &n, TRUE, &fl));
    CHECK_EQ(n, 4);

    /* Bounded alertable waits in main that must time out: the routine belongs to A, so it must
     * not be delivered here; and A is busy in non-ovio code, so it must not run there either. */
    CHECK_EQ(ALERTABLE(SleepEx(100, TRUE)), 0);
    CHECK_EQ(rec_calls(&r), 0);

    atomic_store(&phase, 1);
    wait_thread_sleeping(atomic_load(&a_linux_tid), 5000); /* A blocked on `go` */
    CHECK_EQ(ALERTABLE(SleepEx(50, TRUE)), 0);
    CHECK_EQ(rec_calls(&r), 0);
    CHECK(SetEvent(go));

    /* Stress rounds: main sends one byte per round while itself in alertable waits. */
    for (int i = 0; i < ROUNDS; i++) {
        CHECK_EQ(WaitForSingleObject(round_issued, 10000), WAIT_OBJECT_0);
        char b = (char)i;
        send_all(c, &b, 1);
        CHECK_EQ(ALERTABLE(SleepEx(0, TRUE)), 0); /* nothing of A's may run here */
    }

    CHECK_EQ(WaitForSingleObject(ha, 20000), WAIT_OBJECT_0);
    DWORD code = 1;
    CHECK(GetExitCodeThread(ha, &code));
    CHECK_EQ(code, 0);
    CHECK_EQ(atomic_load(&stress_done), 1);

    /* C, in an alertable wait the whole time, saw nothing but its stop APC. */
    CHECK(QueueUserAPC(stop_apc, hc, 0x5eed) != 0);
    CHECK_EQ(WaitForSingleObject(hc, 10000), WAIT_OBJECT_0);
    CHECK_EQ(atomic_load(&c_apcs), 1);
    CHECK_EQ(atomic_load(&c_wakeups), 1);

    CloseHandle(ha);
    CloseHandle(hc);
    closesocket(c);
    closesocket(s);
    WSACleanup();
    return 0;
}

/*
 * SPEC D3: an alertable wait runs every queued routine, in FIFO order, then returns
 * WAIT_IO_COMPLETION (0xC0) - even when it waits on an event nobody will ever set (the seed's third
 * program).  SleepEx returns 0 when its time ran out with nothing run; WSAWaitForMultipleEvents
 * returns WSA_WAIT_TIMEOUT then.  Also SPEC A4: an operation that succeeds inside the issuing call
 * still queues its routine, in order with everything else.
 *
 * The "data arrives while the thread is already blocked" form of the seed program is in
 * d3_seed_program_mt.c.
 */
#include "wait_helpers.h"

static DWORD main_tid;
static int apc_order[8];
static int apc_seq[8];

static void CALLBACK apc_fn(ULONG_PTR arg)
{
    wh_routine_enter(main_tid, "APC");
    apc_seq[arg] = atomic_fetch_add(&wh_seq, 1) + 1;
    apc_order[arg]++;
    wh_routine_leave();
}

static HANDLE set_me;
static void CALLBACK setting_routine(DWORD err, DWORD bytes, LPWSAOVERLAPPED ov, DWORD flags)
{
    rec_routine(err, bytes, ov, flags);
    CHECK(SetEvent(set_me)); /* the event the thread is waiting on becomes signalled */
}

int main(void)
{
    test_init();
    main_tid = GetCurrentThreadId();
    SOCKET c1, s1, c2, s2;
    tcp_pair(&c1, &s1);
    tcp_pair(&c2, &s2);
    WSAEVENT never = WSACreateEvent();
    CHECK(never != WSA_INVALID_EVENT);

    /* 1. The seed's third program: a routine receive, then WSAWaitForMultipleEvents on a dummy
     *    event that is never set, alertable, infinite: returns WAIT_IO_COMPLETION. */
    {
        static io_rec r;
        static char buf[1024];
        io_rec_init(&r, 1);
        POST_RECV_PENDING(s1, buf, sizeof buf, &r.ov, rec_routine);
        send_all(c1, "Network is Computer!", 21);
        DWORD idx = ALERTABLE(WSAWaitForMultipleEvents(1, &never, FALSE, WSA_INFINITE, TRUE));
        CHECK_EQ(idx, WAIT_IO_COMPLETION);
        CHECK_EQ(WSA_WAIT_IO_COMPLETION, 0xC0);
        CHECK_EQ(rec_calls(&r), 1);
        CHECK_EQ(r.err, 0);
        CHECK_EQ(r.bytes, 21);
        CHECK(strcmp(buf, "Network is Computer!") == 0);
    }

    /* 2. Nothing queued: SleepEx returns 0 after its time, WSAWaitForMultipleEvents
     *    WSA_WAIT_TIMEOUT, WaitForSingleObjectEx WAIT_TIMEOUT (all alertable). */
    {
        ULONGLONG t0 = now_ms();
        CHECK_EQ(ALERTABLE(SleepEx(100, TRUE)), 0);
        CHECK(now_ms() - t0 >= 90);
        CHECK_EQ(ALERTABLE(SleepEx(0, TRUE)), 0);
        CHECK_EQ(ALERTABLE(WSAWaitForMultipleEvents(1, &never, FALSE, 30, TRUE)), WSA_WAIT_TIMEOUT);
        CHECK_EQ(ALERTABLE(WaitForSingleObjectEx(never, 30, TRUE)), WAIT_TIMEOUT);
    }

    /* 3. FIFO over APCs, routines of pending operations and of immediate successes; all of them
     *    run in ONE wait, which then returns WAIT_IO_COMPLETION. */
    {
        atomic_store(&wh_seq, 0);
        static io_rec r1, r2, r3;
        static char b1[16], b3[16];
        static char out[16] = "sendsend";
        DWORD n, fl;

        CHECK(QueueUserAPC(apc_fn, GetCurrentThread(), 0) != 0); /* #1 */

        io_rec_init(&r1, 1); /* #2: pending receive, completed */
        POST_RECV_PENDING(s1, b1, sizeof b1, &r1.ov, rec_routine);
        send_all(c1, "one", 3);
        CHECK(WSAGetOverlappedResult(s1, &r1.ov, &n, TRUE, &fl));

        CHECK(QueueUserAPC(apc_fn, GetCurrentThread(), 1) != 0); /* #3 */

        io_rec_init(&r2, 2); /* #4: send, usually an immediate success (either is fine) */
        ISSUED_OK(post_send(c2, out, 8, &r2.ov, rec_routine));
        WAIT_DONE(c2, &r2.ov);

        io_rec_init(&r3, 3); /* #5: a second pending receive, completed */
        POST_RECV_PENDING(s1, b3, sizeof b3, &r3.ov, rec_routine);
        send_all(c1, "three", 5);
        CHECK(WSAGetOverlappedResult(s1, &r3.ov, &n, TRUE, &fl));

        CHECK(QueueUserAPC(apc_fn, GetCurrentThread(), 2) != 0); /* #6 */

        CHECK_EQ(rec_calls(&r1) + rec_calls(&r2) + rec_calls(&r3), 0);
        CHECK_EQ(apc_order[0] + apc_order[1] + apc_order[2], 0);

        DWORD w = ALERTABLE(WaitForSingleObjectEx(never, INFINITE, TRUE));
        CHECK_EQ(w, WAIT_IO_COMPLETION);
        /* all six ran before the wait returned, each once */
        CHECK_EQ(apc_order[0], 1);
        CHECK_EQ(apc_order[1], 1);
        CHECK_EQ(apc_order[2], 1);
        CHECK_EQ(rec_calls(&r1), 1);
        CHECK_EQ(rec_calls(&r2), 1);
        CHECK_EQ(rec_calls(&r3), 1);
        /* in the order they were queued */
        CHECK_EQ(apc_seq[0], 1);
        CHECK_EQ(r1.seq, 2);
        CHECK_EQ(apc_seq[1], 3);
        CHECK_EQ(r2.seq, 4);
        CHECK_EQ(r3.seq, 5);
        CHECK_EQ(apc_seq[2], 6);
        CHECK_EQ(r1.bytes, 3);
        CHECK_EQ(r2.bytes, 8);
        CHECK_EQ(r3.bytes, 5);
        /* and nothing remains: a bounded wait that must time out */
        CHECK_EQ(ALERTABLE(SleepEx(30, TRUE)), 0);
        char in[8];
        recv_all(s2, in, 8);
    }

    /* 4. Many routines of one socket, completed one after another: FIFO, one wait. */
    {
        enum { N = 16 };
        static io_rec r[N];
        static char b[N][4];
        atomic_store(&wh_seq, 0);
        for (int i = 0; i < N; i++) {
            io_rec_init(&r[i], i);
            POST_RECV_PENDING(s1, b[i], 1, &r[i].ov, rec_routine);
        }
        char data[N];
        for (int i = 0; i < N; i++)
            data[i] = (char)('a' + i);
        send_all(c1, data, N);
        for (int i = 0; i < N; i++)
            WAIT_DONE(s1, &r[i].ov);
        CHECK_EQ(ALERTABLE(SleepEx(INFINITE, TRUE)), WAIT_IO_COMPLETION);
        for (int i = 0; i < N; i++) {
            CHECK_EQ(rec_calls(&r[i]), 1);
            CHECK_EQ(r[i].seq, i + 1);
            CHECK_EQ(r[i].bytes, 1);
            CHECK_EQ(b[i][0], 'a' + i);
        }
    }

    /* 5. A routine that signals the very event being waited on: the wait still reports that
     *    routines ran (WAIT_IO_COMPLETION); the event is signalled for the next wait. */
    {
        static io_rec r;
        static char b[8];
        set_me = CreateEvent(NULL, TRUE, FALSE, NULL);
        CHECK(set_me != NULL);
        io_rec_init(&r, 5);
        POST_RECV_PENDING(s1, b, sizeof b, &r.ov, setting_routine);
        send_all(c1, "x", 1);
        WAIT_DONE(s1, &r.ov);
        CHECK_EQ(ALERTABLE(WaitForSingleObjectEx(set_me, INFINITE, TRUE)), WAIT_IO_COMPLETION);
        CHECK_EQ(rec_calls(&r), 1);
        CHECK_EQ(ALERTABLE(WaitForSingleObjectEx(set_me, 0, TRUE)), WAIT_OBJECT_0);
        CloseHandle(set_me);
    }

    WSACloseEvent(never);
    closesocket(c1);
    closesocket(s1);
    closesocket(c2);
    closesocket(s2);
    WSACleanup();
    return 0;
}

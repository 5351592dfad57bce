/*
 * SPEC D2 (single-thread part; the other-thread part is d2_routine_issuing_thread_mt.c):
 * a completion routine runs only while its thread is in an alertable wait - SleepEx(ms, TRUE),
 * WaitForSingleObjectEx/WaitForMultipleObjectsEx(..., TRUE), WSAWaitForMultipleEvents(..., TRUE) -
 * never inside the issuing call (SPEC A4), never in a non-alertable wait or any other call.
 *
 * For each kind of alertable wait: one operation completes (its completion is observed through
 * non-alertable means first), then a series of non-alertable waits and ordinary calls must leave
 * the routine unrun, then the alertable wait runs it and returns WAIT_IO_COMPLETION.
 */
#include "wait_helpers.h"

static SOCKET c, s;
static HANDLE never; /* an event nobody sets */

/* Every way of waiting or calling that must NOT run a queued routine. */
static void non_alertable_calls(io_rec *r, SOCKET owner, DWORD bytes)
{
    HANDLE h[2] = {never, never};
    WSAEVENT wev = never;

    /* Bounded waits that must time out: they prove the routine is not run by these waits. */
    CHECK_EQ(SleepEx(20, FALSE), 0);
    Sleep(20);
    CHECK_EQ(WaitForSingleObject(never, 20), WAIT_TIMEOUT);
    CHECK_EQ(WaitForSingleObjectEx(never, 20, FALSE), WAIT_TIMEOUT);
    CHECK_EQ(WaitForMultipleObjects(1, h, FALSE, 20), WAIT_TIMEOUT);
    CHECK_EQ(WaitForMultipleObjectsEx(1, h, FALSE, 20, FALSE), WAIT_TIMEOUT);
    CHECK_EQ(WSAWaitForMultipleEvents(1, &wev, FALSE, 20, FALSE), WSA_WAIT_TIMEOUT);
    CHECK_EQ(SleepEx(0, FALSE), 0);

    /* Reading the result and polling the OVERLAPPED are not waits either (SPEC C5). */
    DWORD n = 0, fl = 0;
    CHECK(WSAGetOverlappedResult(owner, &r->ov, &n, FALSE, &fl));
    CHECK_EQ(n, bytes);
    CHECK(WSAGetOverlappedResult(owner, &r->ov, &n, TRUE, &fl));
    CHECK_EQ(n, bytes);
    CHECK(HasOverlappedIoCompleted((LPOVERLAPPED)&r->ov));

    /* Ordinary socket calls, including issuing and completing other operations. */
    char tmp[4];
    send_all(c, "zz", 2);
    recv_all(s, tmp, 2);
    static WSAOVERLAPPED ov2;
    static char b2[8];
    memset(&ov2, 0, sizeof ov2);
    ov2.hEvent = WSACreateEvent();
    CHECK(ov2.hEvent != WSA_INVALID_EVENT);
    POST_RECV_PENDING(s, b2, sizeof b2, &ov2, NULL);
    CHECK(CancelIoEx((HANDLE)s, (LPOVERLAPPED)&ov2));
    CHECK_EQ(WaitForSingleObject(ov2.hEvent, 5000), WAIT_OBJECT_0);
    CHECK(WSACloseEvent(ov2.hEvent));
    CHECK(CancelIo((HANDLE)s));

    /* After all that, the routine still has not run. */
    CHECK_EQ(rec_calls(r), 0);
}

/* Issue one receive with a routine, make it complete, check nothing runs it but an alertable
 * wait, then run it with `kind`. */
static void one_round(int kind)
{
    static io_rec r;
    static char buf[32];
    io_rec_init(&r, kind);
    memset(buf, 0, sizeof buf);

    POST_RECV_PENDING(s, buf, sizeof buf, &r.ov, rec_routine);
    /* Right after the issuing call: not run there (the routine would also fail wh_in_issue). */
    CHECK_EQ(rec_calls(&r), 0);
    send_all(c, "ping", 4);

    /* Completion observed by a non-alertable wait on the socket (hEvent is NULL, SPEC B5/C5). */
    DWORD n = 0, fl = 0;
    CHECK(WSAGetOverlappedResult(s, &r.ov, &n, TRUE, &fl));
    CHECK_EQ(n, 4);
    CHECK_EQ(rec_calls(&r), 0);

    non_alertable_calls(&r, s, 4);

    HANDLE h[2] = {never, never};
    WSAEVENT wev = never;
    DWORD w;
    switch (kind) {
    case 0:
        w = ALERTABLE(SleepEx(10000, TRUE));
        break;
    case 1:
        w = ALERTABLE(SleepEx(INFINITE, TRUE));
        break;
    case 2:
        w = ALERTABLE(WaitForSingleObjectEx(never, 10000, TRUE));
        break;
    case 3:
        w = ALERTABLE(WaitForMultipleObjectsEx(2, h, FALSE, INFINITE, TRUE));
        break;
    case 4:
        w = ALERTABLE(WSAWaitForMultipleEvents(1, &wev, FALSE, WSA_INFINITE, TRUE));
        break;
    case 5:
        w = ALERTABLE(SleepEx(0, TRUE)); /* a zero-time alertable wait still runs them */
        break;
    default:
        w = ALERTABLE(WaitForSingleObjectEx(never, 0, TRUE));
        break;
    }
    if (w != WAIT_IO_COMPLETION)
        FAIL("alertable wait kind %d returned %lu, wanted WAIT_IO_COMPLETION", kind,
             (unsigned long)w);
    CHECK_EQ(rec_calls(&r), 1);
    CHECK_EQ(r.err, 0);
    CHECK_EQ(r.bytes, 4);
    CHECK(memcmp(buf, "ping", 4) == 0);
}

/* An operation that completes inside the issuing call still runs its routine only later. */
static void immediate_round(void)
{
    static io_rec r;
    static char out[16] = "immediate";
    io_rec_init(&r, 100);
    int rc = post_send(c, out, 9, &r.ov, rec_routine);
    ISSUED_OK(rc);
    CHECK_EQ(rec_calls(&r), 0);
    WAIT_DONE(c, &r.ov);
    char in[9];
    recv_all(s, in, 9); /* plain blocking recv: not a wait that runs routines either */
    CHECK(memcmp(in, "immediate", 9) == 0);
    non_alertable_calls(&r, c, 9);
    CHECK_EQ(ALERTABLE(SleepEx(10000, TRUE)), WAIT_IO_COMPLETION);
    CHECK_EQ(rec_calls(&r), 1);
    CHECK_EQ(r.err, 0);
    CHECK_EQ(r.bytes, 9);
}

int main(void)
{
    test_init();
    never = CreateEvent(NULL, TRUE, FALSE, NULL);
    CHECK(never != NULL);
    tcp_pair(&c, &s);

    for (int kind = 0; kind <= 6; kind++)
        one_round(kind);
    immediate_round();

    /* Nothing left over (bounded wait that must time out). */
    CHECK_EQ(ALERTABLE(SleepEx(30, TRUE)), 0);
    closesocket(c);
    closesocket(s);
    CloseHandle(never);
    WSACleanup();
    return 0;
}

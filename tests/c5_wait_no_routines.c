/*
 * SPEC C5: WSAGetOverlappedResult(fWait = TRUE) waits on hEvent (or, when hEvent is NULL, on the
 * socket) and is not an alertable wait: completion routines queued to the waiting thread do not
 * run inside it, even while it blocks.  They run at the thread's next alertable wait.
 */
#include "ov_helpers.h"

static SOCKET g_peer;
static HANDLE g_never;
static volatile LONG g_sent;
static int calls;
static int in_alertable;

static void CALLBACK routine(DWORD err, DWORD bytes, LPWSAOVERLAPPED ov, DWORD flags)
{
    (void)err;
    (void)bytes;
    (void)ov;
    (void)flags;
    if (!in_alertable)
        FAIL("a completion routine ran outside an alertable wait");
    calls++;
}

/* Sends after giving the main thread time to block in WSAGetOverlappedResult (a bounded wait on
 * an event nobody sets). */
static DWORD WINAPI late_sender(LPVOID arg)
{
    (void)arg;
    CHECK_EQ(WaitForSingleObject(g_never, QUIET_MS), WAIT_TIMEOUT);
    __atomic_store_n(&g_sent, 1, __ATOMIC_SEQ_CST);
    send_all(g_peer, "late!", 5);
    return 0;
}

static void round_(SOCKET c, SOCKET s, WSAEVENT ev)
{
    /* A routine queued to this thread: an immediate send (s -> c) with a routine. */
    WSAOVERLAPPED rov;
    ovt_ov(&rov, NULL);
    ovt_send_now(s, "rr", 2, &rov, routine);

    /* With an event: another receive with a routine, completing while we wait (it takes the
     * first byte).  Not with hEvent NULL, where any completion on the socket signals it. */
    WSAOVERLAPPED rov2;
    ovt_ov(&rov2, NULL);
    char in2[2];
    if (ev)
        ovt_recv_pending(s, in2, sizeof in2, &rov2, routine);

    /* The operation we wait for. */
    WSAOVERLAPPED ov;
    ovt_ov(&ov, ev);
    char in[16];
    ovt_recv_pending(s, in, sizeof in, &ov, NULL);

    __atomic_store_n(&g_sent, 0, __ATOMIC_SEQ_CST);
    HANDLE t = ovt_thread(late_sender, NULL);
    DWORD n = 0;
    CHECK(WSAGetOverlappedResult(s, &ov, &n, TRUE, NULL));
    CHECK(__atomic_load_n(&g_sent, __ATOMIC_SEQ_CST));
    if (ev) {
        /* "late!": 2 bytes to rov2, 3 to ov (receives are filled in posting order, SPEC E1). */
        CHECK_EQ(n, 3);
        CHECK(memcmp(in, "te!", 3) == 0);
        CHECK(HasOverlappedIoCompleted(&rov2));
    } else {
        CHECK_EQ(n, 5);
        CHECK(memcmp(in, "late!", 5) == 0);
    }
    CHECK_EQ(calls, 0);
    ovt_join(t);

    /* Now they run, all of them, in the alertable wait. */
    in_alertable = 1;
    CHECK_EQ(SleepEx(DUE_MS, TRUE), WAIT_IO_COMPLETION);
    in_alertable = 0;
    CHECK_EQ(calls, ev ? 2 : 1);
    calls = 0;
    char r[2];
    recv_all(c, r, 2);
    CHECK(memcmp(r, "rr", 2) == 0);
}

int main(void)
{
    test_init();
    g_never = CreateEvent(NULL, TRUE, FALSE, NULL);
    CHECK(g_never != NULL);
    SOCKET c, s;
    tcp_pair(&c, &s);
    g_peer = c;
    WSAEVENT ev = ovt_event();

    round_(c, s, ev);   /* waits on hEvent */
    round_(c, s, NULL); /* waits on the socket */

    WSACloseEvent(ev);
    CloseHandle(g_never);
    closesocket(c);
    closesocket(s);
    WSACleanup();
    return 0;
}

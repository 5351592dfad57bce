/*
 * SPEC A4: an overlapped call that completes at once still notifies: its event is set, and its
 * completion routine is queued for the issuing thread's next alertable wait - never run inside the
 * issuing call, nor inside a later issuing call, nor in a non-alertable wait.  (The completion
 * packet: a4_immediate_success_port.c.)
 *
 * Immediate completions used: small WSASend and WSASendTo on idle sockets, WSARecv on a socket
 * without WSA_FLAG_OVERLAPPED with data queued (SPEC A7), and WSARecv with data queued on an
 * overlapped socket when the library completes it at once (SPEC A5 lets it pend instead; then it
 * is only checked that the routine runs in the alertable wait).
 */
#include "ov_helpers.h"

static DWORD main_tid;
static int calls;
static int in_alertable; /* raised by the test only around its alertable waits */
static struct {
    DWORD err, bytes, flags;
    LPWSAOVERLAPPED ov;
} seen[4];

static void CALLBACK routine(DWORD err, DWORD bytes, LPWSAOVERLAPPED ov, DWORD flags)
{
    if (!in_alertable)
        FAIL("completion routine ran outside an alertable wait");
    if (GetCurrentThreadId() != main_tid)
        FAIL("completion routine ran in another thread");
    if (calls < 4) {
        seen[calls].err = err;
        seen[calls].bytes = bytes;
        seen[calls].flags = flags;
        seen[calls].ov = ov;
    }
    calls++;
}

static DWORD alertable_sleep(DWORD ms)
{
    in_alertable = 1;
    DWORD r = SleepEx(ms, TRUE);
    in_alertable = 0;
    return r;
}

int main(void)
{
    test_init();
    main_tid = GetCurrentThreadId();
    SOCKET c, s;
    tcp_pair(&c, &s);

    /* 1. Event: set by the time the call returns. */
    WSAEVENT ev = ovt_event();
    WSAOVERLAPPED ov;
    ovt_ov(&ov, ev);
    ovt_send_now(c, "event", 5, &ov, NULL);
    CHECK_SET(ev);
    ovt_result_ok(c, &ov, 5);
    char in[64];
    recv_all(s, in, 5);

    /* 2. Routines: two immediate sends, each with a routine.  Neither runs inside its own call,
     * nor inside the other call, nor in non-alertable waits. */
    WSAOVERLAPPED ov1, ov2;
    ovt_ov(&ov1, NULL);
    ovt_ov(&ov2, NULL);
    ovt_send_now(c, "first", 5, &ov1, routine);
    CHECK_EQ(calls, 0);
    ovt_send_now(c, "second!", 7, &ov2, routine);
    CHECK_EQ(calls, 0);
    /* Non-alertable waits do not run routines (bounded waits on an event nobody sets: they must
     * time out, and the routines must still be queued afterwards). */
    WSAEVENT never = ovt_event();
    CHECK_EQ(WSAWaitForMultipleEvents(1, &never, FALSE, 50, FALSE), WSA_WAIT_TIMEOUT);
    CHECK_EQ(SleepEx(50, FALSE), 0);
    CHECK_EQ(calls, 0);
    /* The results are readable before the routines ran. */
    CHECK(HasOverlappedIoCompleted(&ov1));
    CHECK(HasOverlappedIoCompleted(&ov2));

    /* The next alertable wait runs both (FIFO) and returns WAIT_IO_COMPLETION at once. */
    CHECK_EQ(alertable_sleep(DUE_MS), WAIT_IO_COMPLETION);
    CHECK_EQ(calls, 2);
    CHECK(seen[0].ov == &ov1);
    CHECK_EQ(seen[0].err, 0);
    CHECK_EQ(seen[0].bytes, 5);
    CHECK_EQ(seen[0].flags, 0);
    CHECK(seen[1].ov == &ov2);
    CHECK_EQ(seen[1].err, 0);
    CHECK_EQ(seen[1].bytes, 7);
    /* Exactly once: nothing left (bounded wait that must time out). */
    CHECK_EQ(alertable_sleep(QUIET_MS), 0);
    CHECK_EQ(calls, 2);
    recv_all(s, in, 12);
    CHECK(memcmp(in, "firstsecond!", 12) == 0);

    /* 3. WSASendTo with a routine. */
    SOCKET a, b;
    SOCKADDR_IN b_addr;
    udp_pair(&a, &b, &b_addr);
    WSAOVERLAPPED ov3;
    ovt_ov(&ov3, NULL);
    WSABUF wb;
    wb.len = 3;
    wb.buf = (char *)"udp";
    DWORD n = 0xdeadbeef;
    CHECK_EQ(WSASendTo(a, &wb, 1, &n, 0, (const SOCKADDR *)&b_addr, sizeof b_addr, &ov3, routine),
             0);
    CHECK_EQ(n, 3);
    CHECK_EQ(calls, 2);
    CHECK_EQ(alertable_sleep(DUE_MS), WAIT_IO_COMPLETION);
    CHECK_EQ(calls, 3);
    CHECK(seen[2].ov == &ov3);
    CHECK_EQ(seen[2].bytes, 3);

    /* 4. An immediate receive (socket without WSA_FLAG_OVERLAPPED, data queued): the event is
     * set by the time the call returns. */
    SOCKET sc, ss;
    tcp_pair_flags(&sc, &ss, 0);
    send_all(ss, "0123456789", 10);
    ovt_wait_queued(sc, 10);
    CHECK(WSAResetEvent(ev));
    WSAOVERLAPPED ov4;
    ovt_ov(&ov4, ev);
    wb.len = 4;
    wb.buf = in;
    DWORD flags = 0;
    CHECK_EQ(WSARecv(sc, &wb, 1, &n, &flags, &ov4, NULL), 0);
    CHECK_EQ(n, 4);
    CHECK_SET(ev);
    ovt_result_ok(sc, &ov4, 4);

    /* 5. An immediate receive with a routine on an overlapped socket, when the library completes
     * it at once (SPEC A5 lets it pend instead): queued, not run in the call. */
    send_all(c, "xyz", 3);
    ovt_wait_queued(s, 3);
    WSAOVERLAPPED ov5;
    ovt_ov(&ov5, NULL);
    wb.len = sizeof in;
    flags = 0;
    int r = WSARecv(s, &wb, 1, &n, &flags, &ov5, routine);
    if (r == 0)
        CHECK_EQ(n, 3);
    else
        CHECK_EQ(WSAGetLastError(), WSA_IO_PENDING);
    CHECK_EQ(calls, 3);
    /* Runs in the next alertable wait (at once if it completed; SleepEx returns when the routine
     * has run). */
    CHECK_EQ(alertable_sleep(DUE_MS), WAIT_IO_COMPLETION);
    CHECK_EQ(calls, 4);
    CHECK(seen[3].ov == &ov5);
    CHECK_EQ(seen[3].bytes, 3);
    CHECK_EQ(seen[3].err, 0);

    closesocket(sc);
    closesocket(ss);
    closesocket(a);
    closesocket(b);
    closesocket(c);
    closesocket(s);
    WSACloseEvent(ev);
    WSACloseEvent(never);
    WSACleanup();
    return 0;
}

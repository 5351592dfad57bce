/*
 * SPEC B6: when a completion routine is given, hEvent is ignored and free for the program - often
 * a context pointer.  The library neither validates it, nor resets or sets it, nor overwrites it;
 * the routine sees it unchanged.
 */
#include "ov_helpers.h"

struct context {
    int magic;
};

static int calls;
static WSAEVENT seen_hevent;
static DWORD seen_err, seen_bytes;

static void CALLBACK routine(DWORD err, DWORD bytes, LPWSAOVERLAPPED ov, DWORD flags)
{
    (void)flags;
    seen_hevent = ov->hEvent;
    seen_err = err;
    seen_bytes = bytes;
    calls++;
}

int main(void)
{
    test_init();
    SOCKET c, s;
    tcp_pair(&c, &s);
    char in[32];
    WSAOVERLAPPED ov;

    /* hEvent = a context pointer (not a handle): accepted, handed back unchanged. */
    static struct context ctx = {0x600d};
    ovt_ov(&ov, (WSAEVENT)&ctx);
    ovt_recv_pending(s, in, sizeof in, &ov, routine);
    CHECK(ov.hEvent == (WSAEVENT)&ctx);
    send_all(c, "ctx", 3);
    CHECK_EQ(SleepEx(DUE_MS, TRUE), WAIT_IO_COMPLETION);
    CHECK_EQ(calls, 1);
    CHECK(seen_hevent == (WSAEVENT)&ctx);
    CHECK_EQ(((struct context *)seen_hevent)->magic, 0x600d);
    CHECK_EQ(seen_err, 0);
    CHECK_EQ(seen_bytes, 3);
    CHECK(ov.hEvent == (WSAEVENT)&ctx);

    /* The same for an immediate completion. */
    ovt_ov(&ov, (WSAEVENT)&ctx);
    ovt_send_now(c, "now", 3, &ov, routine);
    CHECK_EQ(SleepEx(DUE_MS, TRUE), WAIT_IO_COMPLETION);
    CHECK_EQ(calls, 2);
    CHECK(seen_hevent == (WSAEVENT)&ctx);
    recv_all(s, in, 3);

    /* hEvent = a real event: not reset when the operation is issued... */
    WSAEVENT ev = ovt_event();
    CHECK(WSASetEvent(ev));
    ovt_ov(&ov, ev);
    ovt_recv_pending(s, in, sizeof in, &ov, routine);
    CHECK_SET(ev);
    /* ...and not set when it completes. */
    CHECK(WSAResetEvent(ev));
    send_all(c, "event", 5);
    CHECK_EQ(SleepEx(DUE_MS, TRUE), WAIT_IO_COMPLETION);
    CHECK_EQ(calls, 3);
    CHECK_EQ(seen_bytes, 5);
    CHECK(seen_hevent == ev);
    CHECK_UNSET(ev);
    /* An immediate completion with a routine does not set it either. */
    ovt_ov(&ov, ev);
    ovt_send_now(c, "imm", 3, &ov, routine);
    CHECK_UNSET(ev);
    CHECK_EQ(SleepEx(DUE_MS, TRUE), WAIT_IO_COMPLETION);
    CHECK_EQ(calls, 4);
    CHECK_UNSET(ev);
    recv_all(s, in, 3);

    WSACloseEvent(ev);
    closesocket(c);
    closesocket(s);
    WSACleanup();
    return 0;
}

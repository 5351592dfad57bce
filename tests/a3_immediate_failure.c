/*
 * SPEC A3: an overlapped call that fails at once returns SOCKET_ERROR with the error, and no event,
 * completion routine or completion packet follows (packets: a3_immediate_failure_port.c).
 *
 * Failures: receive and send on an unconnected TCP socket (WSAENOTCONN), send after a local
 * shutdown(SD_SEND) (WSAESHUTDOWN), send and receive after the peer reset the connection
 * (WSAECONNRESET, SPEC E5).  Each failing call is made once with an event and once with a
 * completion routine; then a bounded wait proves the event stays unset and an alertable SleepEx
 * proves no routine was queued (it returns 0 only when its time ran out with nothing run, SPEC D3).
 */
#include "ov_helpers.h"

static int routine_calls;

static void CALLBACK routine(DWORD err, DWORD bytes, LPWSAOVERLAPPED ov, DWORD flags)
{
    (void)err;
    (void)bytes;
    (void)ov;
    (void)flags;
    routine_calls++;
}

enum { OP_RECV, OP_SEND };

/* Issue op on s twice (event, then routine); both must fail at once with want; nothing follows. */
static void check_fails_silently(SOCKET s, int op, int want, const char *what)
{
    WSAEVENT ev = ovt_event();
    char buf[16] = "payload";
    WSABUF wb;
    wb.len = sizeof buf;
    wb.buf = buf;

    for (int with_routine = 0; with_routine <= 1; with_routine++) {
        WSAOVERLAPPED ov;
        ovt_ov(&ov, with_routine ? NULL : ev);
        LPWSAOVERLAPPED_COMPLETION_ROUTINE fn = with_routine ? routine : NULL;
        DWORD n = 0xdeadbeef, flags = 0;
        int r;
        if (op == OP_RECV)
            r = WSARecv(s, &wb, 1, &n, &flags, &ov, fn);
        else
            r = WSASend(s, &wb, 1, &n, 0, &ov, fn);
        int e = WSAGetLastError();
        if (r != SOCKET_ERROR || e != want)
            FAIL("%s (%s): returned %d, error %d; wanted SOCKET_ERROR, error %d", what,
                 with_routine ? "routine" : "event", r, e, want);
    }
    /* Bounded waits that must time out: nothing is notified for a call that failed. */
    CHECK_STAYS_UNSET(ev);
    DWORD w = SleepEx(QUIET_MS, TRUE);
    if (w != 0 || routine_calls != 0)
        FAIL("%s: a routine ran after a failed call (SleepEx %lu, %d calls)", what,
             (unsigned long)w, routine_calls);
    CHECK(WSACloseEvent(ev));
}

int main(void)
{
    test_init();

    /* Unconnected TCP socket. */
    SOCKET u = WSASocket(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_OVERLAPPED);
    CHECK(u != INVALID_SOCKET);
    check_fails_silently(u, OP_RECV, WSAENOTCONN, "WSARecv on an unconnected socket");
    check_fails_silently(u, OP_SEND, WSAENOTCONN, "WSASend on an unconnected socket");
    closesocket(u);

    /* Send after shutdown(SD_SEND). */
    SOCKET c, s;
    tcp_pair(&c, &s);
    CHECK(shutdown(c, SD_SEND) == 0);
    check_fails_silently(c, OP_SEND, WSAESHUTDOWN, "WSASend after shutdown(SD_SEND)");
    closesocket(c);
    closesocket(s);

    /* Send and receive after a reset.  A pending receive learns of the reset first (SPEC E5). */
    tcp_pair(&c, &s);
    WSAEVENT ev = ovt_event();
    WSAOVERLAPPED ov;
    ovt_ov(&ov, ev);
    char in[8];
    ovt_recv_pending(c, in, sizeof in, &ov, NULL);
    ovt_close_with_rst(s);
    WAIT_SET(ev);
    ovt_result_err(c, &ov, WSAECONNRESET);
    check_fails_silently(c, OP_SEND, WSAECONNRESET, "WSASend after a reset");
    check_fails_silently(c, OP_RECV, WSAECONNRESET, "WSARecv after a reset");
    closesocket(c);
    CHECK(WSACloseEvent(ev));

    WSACleanup();
    return 0;
}

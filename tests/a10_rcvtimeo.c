/*
 * SPEC A10: SO_RCVTIMEO affects only blocking non-overlapped calls, which fail with WSAETIMEDOUT
 * when it runs out; overlapped receives ignore it and keep pending until data comes.
 */
#include "ov_helpers.h"

#define TIMEOUT_MS 100

static int calls;
static DWORD seen_err = 0xdeadbeef, seen_bytes;

static void CALLBACK routine(DWORD err, DWORD bytes, LPWSAOVERLAPPED ov, DWORD flags)
{
    (void)ov;
    (void)flags;
    seen_err = err;
    seen_bytes = bytes;
    calls++;
}

int main(void)
{
    test_init();
    SOCKET c, s;
    tcp_pair(&c, &s);
    DWORD tmo = TIMEOUT_MS;
    CHECK(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, (const char *)&tmo, sizeof tmo) == 0);

    /* Blocking, non-overlapped: WSAETIMEDOUT, after about the timeout. */
    char in[32];
    WSABUF wb;
    wb.len = sizeof in;
    wb.buf = in;
    DWORD n = 0xdeadbeef, flags = 0;
    uint64_t t0 = ovt_now_ms();
    CHECK_ERR(WSARecv(s, &wb, 1, &n, &flags, NULL, NULL), SOCKET_ERROR, WSAETIMEDOUT);
    CHECK(ovt_now_ms() - t0 >= TIMEOUT_MS / 2);
    CHECK_ERR(recv(s, in, sizeof in, 0), SOCKET_ERROR, WSAETIMEDOUT);

    /* Overlapped: pends and stays pending well past the timeout (bounded wait of 5 times the
     * timeout that must time out), then completes normally when data comes. */
    WSAEVENT ev = ovt_event();
    WSAOVERLAPPED ov;
    ovt_ov(&ov, ev);
    flags = 0;
    CHECK_ERR(WSARecv(s, &wb, 1, &n, &flags, &ov, NULL), SOCKET_ERROR, WSA_IO_PENDING);
    CHECK_EQ(ovt_wait(ev, 5 * TIMEOUT_MS), WSA_WAIT_TIMEOUT);
    CHECK_EQ(ov.Internal, STATUS_PENDING);
    DWORD got = 0;
    CHECK(!WSAGetOverlappedResult(s, &ov, &got, FALSE, &flags));
    CHECK_EQ(WSAGetLastError(), WSA_IO_INCOMPLETE);
    send_all(c, "after timeout", 13);
    WAIT_SET(ev);
    ovt_result_ok(s, &ov, 13);
    CHECK(memcmp(in, "after timeout", 13) == 0);

    /* The same with a completion routine: not run with a timeout error (bounded alertable wait
     * that must time out), run once with the data. */
    ovt_ov(&ov, NULL);
    flags = 0;
    CHECK_ERR(WSARecv(s, &wb, 1, &n, &flags, &ov, routine), SOCKET_ERROR, WSA_IO_PENDING);
    CHECK_EQ(SleepEx(5 * TIMEOUT_MS, TRUE), 0);
    CHECK_EQ(calls, 0);
    send_all(c, "routine", 7);
    CHECK_EQ(SleepEx(DUE_MS, TRUE), WAIT_IO_COMPLETION);
    CHECK_EQ(calls, 1);
    CHECK_EQ(seen_err, 0);
    CHECK_EQ(seen_bytes, 7);

    WSACloseEvent(ev);
    closesocket(c);
    closesocket(s);
    WSACleanup();
    return 0;
}

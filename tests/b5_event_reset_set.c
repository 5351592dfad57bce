/*
 * SPEC B5: issuing an operation resets its hEvent; completion sets it, whether the operation
 * completed at once or later.  With hEvent NULL the socket itself is the waitable object:
 * WSAGetOverlappedResult(fWait = TRUE) waits on it until the operation completes.
 */
#include "ov_helpers.h"

static SOCKET g_peer;
static HANDLE g_never;
static volatile LONG g_sent;

/* Sends after giving the main thread time to block in WSAGetOverlappedResult (a bounded wait on
 * an event nobody sets). */
static DWORD WINAPI late_sender(LPVOID arg)
{
    (void)arg;
    CHECK_EQ(WaitForSingleObject(g_never, QUIET_MS), WAIT_TIMEOUT);
    __atomic_store_n(&g_sent, 1, __ATOMIC_SEQ_CST);
    send_all(g_peer, "socket-wait", 11);
    return 0;
}

int main(void)
{
    test_init();
    g_never = CreateEvent(NULL, TRUE, FALSE, NULL);
    CHECK(g_never != NULL);
    SOCKET c, s;
    tcp_pair(&c, &s);
    WSAEVENT ev = ovt_event();
    WSAOVERLAPPED ov;
    char in[32];

    /* Issuing resets: the event is set before a receive that pends, unset right after. */
    CHECK(WSASetEvent(ev));
    ovt_ov(&ov, ev);
    ovt_recv_pending(s, in, sizeof in, &ov, NULL);
    CHECK_UNSET(ev);
    /* Completion sets it. */
    send_all(c, "later", 5);
    WAIT_SET(ev);
    ovt_result_ok(s, &ov, 5);
    /* And it stays set: the library does not reset it afterwards. */
    CHECK_SET(ev);

    /* Immediate completion sets it by the time the call returns. */
    CHECK(WSAResetEvent(ev));
    ovt_ov(&ov, ev);
    ovt_send_now(c, "now", 3, &ov, NULL);
    CHECK_SET(ev);
    recv_all(s, in, 3);

    /* A pending send resets it too, and sets it when all is taken. */
    enum { BIG = 4 * 1024 * 1024 };
    SOCKET c2, s2;
    tcp_pair(&c2, &s2);
    ovt_small_buffers(c2, s2);
    char *big = ovt_pattern_buffer(BIG);
    CHECK(WSASetEvent(ev));
    ovt_ov(&ov, ev);
    WSABUF bw;
    bw.len = BIG;
    bw.buf = big;
    DWORD n;
    CHECK_ERR(WSASend(c2, &bw, 1, &n, 0, &ov, NULL), SOCKET_ERROR, WSA_IO_PENDING);
    CHECK_UNSET(ev);
    ovt_drain_pattern(s2, BIG);
    WAIT_SET(ev);
    ovt_result_ok(c2, &ov, BIG);
    free(big);
    closesocket(c2);
    closesocket(s2);

    /* hEvent NULL: WSAGetOverlappedResult(fWait = TRUE) waits on the socket. */
    ovt_ov(&ov, NULL);
    memset(in, 0, sizeof in);
    ovt_recv_pending(s, in, sizeof in, &ov, NULL);
    g_peer = c;
    HANDLE t = ovt_thread(late_sender, NULL);
    DWORD got = 0xdeadbeef, flags = 0xdeadbeef;
    if (!WSAGetOverlappedResult(s, &ov, &got, TRUE, &flags))
        FAIL("WSAGetOverlappedResult(fWait) with hEvent NULL: FALSE, error %d", WSAGetLastError());
    /* It returned because the operation completed, not before the data was sent. */
    CHECK(__atomic_load_n(&g_sent, __ATOMIC_SEQ_CST));
    CHECK_EQ(got, 11);
    CHECK_EQ(flags, 0);
    CHECK(memcmp(in, "socket-wait", 11) == 0);
    CHECK_EQ(ov.Internal, 0);
    ovt_join(t);

    WSACloseEvent(ev);
    CloseHandle(g_never);
    closesocket(c);
    closesocket(s);
    WSACleanup();
    return 0;
}

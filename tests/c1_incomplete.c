/*
 * SPEC C1: WSAGetOverlappedResult(fWait = FALSE) on a pending operation returns FALSE with
 * WSA_IO_INCOMPLETE (996), writes neither *lpcbTransfer nor *lpdwFlags, and leaves the operation
 * alone (asking repeatedly changes nothing; it then completes normally).
 */
#include "ov_helpers.h"

static void check_incomplete(SOCKET s, WSAOVERLAPPED *ov, const char *what)
{
    for (int i = 0; i < 3; i++) {
        DWORD n = 0xdeadbeef, flags = 0xfeedface;
        WSASetLastError(0);
        BOOL ok = WSAGetOverlappedResult(s, ov, &n, FALSE, &flags);
        if (ok)
            FAIL("%s: WSAGetOverlappedResult TRUE on a pending operation", what);
        CHECK_EQ(WSAGetLastError(), WSA_IO_INCOMPLETE);
        CHECK_EQ(WSAGetLastError(), 996);
        CHECK_EQ(n, 0xdeadbeef);
        CHECK_EQ(flags, 0xfeedface);
        CHECK_EQ(ov->Internal, STATUS_PENDING);
    }
}

int main(void)
{
    test_init();
    SOCKET c, s;
    tcp_pair(&c, &s);
    WSAEVENT ev = ovt_event();
    WSAOVERLAPPED ov;
    char in[32];

    /* Pending receive, with an event. */
    ovt_ov(&ov, ev);
    ovt_recv_pending(s, in, sizeof in, &ov, NULL);
    check_incomplete(s, &ov, "receive");
    CHECK_UNSET(ev); /* asking did not complete or signal anything */
    send_all(c, "complete", 8);
    WAIT_SET(ev);
    ovt_result_ok(s, &ov, 8);
    CHECK(memcmp(in, "complete", 8) == 0);

    /* Pending receive with hEvent NULL. */
    ovt_ov(&ov, NULL);
    ovt_recv_pending(s, in, sizeof in, &ov, NULL);
    check_incomplete(s, &ov, "receive, hEvent NULL");
    send_all(c, "done", 4);
    ovt_result_ok(s, &ov, 4);

    /* Pending send. */
    enum { BIG = 4 * 1024 * 1024 };
    SOCKET c2, s2;
    tcp_pair(&c2, &s2);
    ovt_small_buffers(c2, s2);
    char *big = ovt_pattern_buffer(BIG);
    CHECK(WSAResetEvent(ev));
    ovt_ov(&ov, ev);
    WSABUF bw;
    bw.len = BIG;
    bw.buf = big;
    DWORD n;
    CHECK_ERR(WSASend(c2, &bw, 1, &n, 0, &ov, NULL), SOCKET_ERROR, WSA_IO_PENDING);
    check_incomplete(c2, &ov, "send");
    ovt_drain_pattern(s2, BIG);
    WAIT_SET(ev);
    ovt_result_ok(c2, &ov, BIG);
    free(big);

    closesocket(c2);
    closesocket(s2);
    WSACloseEvent(ev);
    closesocket(c);
    closesocket(s);
    WSACleanup();
    return 0;
}

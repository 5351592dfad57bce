/*
 * SPEC E6: closesocket cancels the socket's pending operations and their notifications still
 * happen, exactly once: a pending TCP receive ends with WSAECONNABORTED (routine dwError, and
 * WSAGetOverlappedResult after the close, SPEC C4), a pending UDP receive with
 * WSA_OPERATION_ABORTED, a pending TCP send fails.  closesocket returns without waiting for the
 * notifications (the routine runs only in a later alertable wait, SPEC D2).  The fd number is not
 * reused under a still-running operation: a socket created right after the close, on the same
 * number perhaps, gets its own data, and the aborted receive's buffer stays untouched.
 * (AcceptEx: e6_closesocket_aborts_accept.c.)
 */
#include "wait_helpers.h"

/* "Exactly once" for an event: after it was seen set, reset it; then it must stay unset for a
 * bounded wait (a second notification would set it again). */
static void event_once(WSAEVENT ev)
{
    CHECK_EQ(WaitForSingleObject(ev, 10000), WAIT_OBJECT_0);
    CHECK(WSAResetEvent(ev));
    CHECK_EQ(WaitForSingleObject(ev, 50), WAIT_TIMEOUT);
}

int main(void)
{
    test_init();
    SOCKET c, s;

    /* 1. TCP receive with an event: WSAECONNABORTED through WSAGetOverlappedResult after close */
    tcp_pair(&c, &s);
    {
        WSAOVERLAPPED ov;
        memset(&ov, 0, sizeof ov);
        ov.hEvent = WSACreateEvent();
        char b[16];
        memset(b, '#', sizeof b);
        POST_RECV_PENDING(s, b, sizeof b, &ov, NULL);
        CHECK_EQ(closesocket(s), 0);
        event_once(ov.hEvent);
        DWORD n = 0xFFFF, fl = 0;
        CHECK_ERR(WSAGetOverlappedResult(s, &ov, &n, FALSE, &fl), FALSE, WSAECONNABORTED);
        CHECK_EQ(n, 0);
        CHECK_EQ(ov.InternalHigh, 0);
        CHECK_EQ(b[0], '#');
        WSACloseEvent(ov.hEvent);
    }
    closesocket(c);

    /* 2. three TCP receives with routines: each routine once, WSAECONNABORTED, 0 bytes, in
     *    posting order; not before the thread waits alertably */
    tcp_pair(&c, &s);
    {
        static io_rec r[3];
        static char b[3][16];
        atomic_store(&wh_seq, 0);
        for (int i = 0; i < 3; i++) {
            io_rec_init(&r[i], i);
            POST_RECV_PENDING(s, b[i], 16, &r[i].ov, rec_routine);
        }
        CHECK_EQ(closesocket(s), 0);
        for (int i = 0; i < 3; i++)
            CHECK_EQ(rec_calls(&r[i]), 0); /* closesocket did not run them */
        RUN_UNTIL(rec_calls(&r[0]) + rec_calls(&r[1]) + rec_calls(&r[2]) == 3);
        for (int i = 0; i < 3; i++) {
            CHECK_EQ(rec_calls(&r[i]), 1);
            CHECK_EQ(r[i].err, WSAECONNABORTED);
            CHECK_EQ(r[i].bytes, 0);
        }
        /* each exactly once: nothing more (bounded alertable wait that must time out) */
        CHECK_EQ(ALERTABLE(SleepEx(50, TRUE)), 0);
        for (int i = 0; i < 3; i++)
            CHECK_EQ(rec_calls(&r[i]), 1);
        /* the peer sees the connection end */
        char x;
        int rc = recv(c, &x, 1, 0);
        CHECK(rc == 0 || (rc == SOCKET_ERROR && WSAGetLastError() == WSAECONNRESET));
    }
    closesocket(c);

    /* 3. UDP receive: WSA_OPERATION_ABORTED, routine and event */
    {
        SOCKET a, b2;
        SOCKADDR_IN baddr;
        udp_pair(&a, &b2, &baddr);
        static io_rec r;
        static char buf[16];
        io_rec_init(&r, 3);
        WSABUF wb;
        wb.len = sizeof buf;
        wb.buf = buf;
        DWORD fl = 0;
        SOCKADDR_IN from;
        INT fromlen = sizeof from;
        int rc = ISSUE(
            WSARecvFrom(b2, &wb, 1, NULL, &fl, (SOCKADDR *)&from, &fromlen, &r.ov, rec_routine));
        CHECK_EQ(rc, SOCKET_ERROR);
        CHECK_EQ(WSAGetLastError(), WSA_IO_PENDING);

        WSAOVERLAPPED ov;
        memset(&ov, 0, sizeof ov);
        ov.hEvent = WSACreateEvent();
        static char buf2[16];
        WSABUF wb2;
        wb2.len = sizeof buf2;
        wb2.buf = buf2;
        INT fromlen2 = sizeof from;
        fl = 0;
        rc = WSARecvFrom(b2, &wb2, 1, NULL, &fl, (SOCKADDR *)&from, &fromlen2, &ov, NULL);
        CHECK_EQ(rc, SOCKET_ERROR);
        CHECK_EQ(WSAGetLastError(), WSA_IO_PENDING);

        CHECK_EQ(closesocket(b2), 0);
        CHECK_EQ(rec_calls(&r), 0);
        event_once(ov.hEvent);
        DWORD n = 0xFFFF;
        CHECK_ERR(WSAGetOverlappedResult(b2, &ov, &n, FALSE, &fl), FALSE, WSA_OPERATION_ABORTED);
        CHECK_EQ(n, 0);
        CHECK_EQ(ALERTABLE(SleepEx(10000, TRUE)), WAIT_IO_COMPLETION);
        CHECK_EQ(rec_calls(&r), 1);
        CHECK_EQ(r.err, WSA_OPERATION_ABORTED);
        CHECK_EQ(r.bytes, 0);
        CHECK_EQ(ALERTABLE(SleepEx(50, TRUE)), 0);
        CHECK_EQ(rec_calls(&r), 1);
        WSACloseEvent(ov.hEvent);
        closesocket(a);
    }

    /* 4. TCP send pending (peer not reading): fails on close, once */
    tcp_pair(&c, &s);
    {
        set_bufs(s, 4096, 0);
        set_bufs(c, 0, 4096);
        size_t len = 8u << 20;
        char *big = calloc(1, len);
        CHECK(big != NULL);
        static io_rec r;
        io_rec_init(&r, 4);
        CHECK_EQ(post_send(s, big, (ULONG)len, &r.ov, rec_routine), SOCKET_ERROR);
        CHECK_EQ(WSAGetLastError(), WSA_IO_PENDING);
        CHECK_EQ(closesocket(s), 0);
        CHECK_EQ(ALERTABLE(SleepEx(10000, TRUE)), WAIT_IO_COMPLETION);
        CHECK_EQ(rec_calls(&r), 1);
        if (r.err != WSA_OPERATION_ABORTED && r.err != WSAECONNABORTED)
            FAIL("pending send on close: dwError %lu", (unsigned long)r.err);
        CHECK_EQ(ALERTABLE(SleepEx(50, TRUE)), 0);
        CHECK_EQ(rec_calls(&r), 1);
        free(big);
    }
    closesocket(c);

    /* 5. fd reuse: close with a receive pending, then at once new sockets (likely the same
     *    numbers).  The new socket's data goes to the new receive; the old one stays aborted. */
    for (int round = 0; round < 50; round++) {
        tcp_pair(&c, &s);
        static io_rec old;
        static char oldbuf[16];
        memset(oldbuf, '#', sizeof oldbuf);
        io_rec_init(&old, 5);
        POST_RECV_PENDING(s, oldbuf, sizeof oldbuf, &old.ov, rec_routine);
        CHECK_EQ(closesocket(s), 0);
        closesocket(c);

        SOCKET c2, s2;
        tcp_pair(&c2, &s2);
        WSAOVERLAPPED ov;
        memset(&ov, 0, sizeof ov);
        ov.hEvent = WSACreateEvent();
        char nb[16];
        POST_RECV_PENDING(s2, nb, sizeof nb, &ov, NULL);
        send_all(c2, "fresh", 5);
        CHECK_EQ(WaitForSingleObject(ov.hEvent, 10000), WAIT_OBJECT_0);
        DWORD n = 0, fl = 0;
        CHECK(WSAGetOverlappedResult(s2, &ov, &n, FALSE, &fl));
        CHECK_EQ(n, 5);
        CHECK(memcmp(nb, "fresh", 5) == 0);

        CHECK_EQ(ALERTABLE(SleepEx(10000, TRUE)), WAIT_IO_COMPLETION);
        CHECK_EQ(rec_calls(&old), 1);
        CHECK_EQ(old.err, WSAECONNABORTED);
        CHECK_EQ(old.bytes, 0);
        for (int i = 0; i < 16; i++)
            CHECK_EQ(oldbuf[i], '#');
        WSACloseEvent(ov.hEvent);
        closesocket(c2);
        closesocket(s2);
    }
    CHECK_EQ(ALERTABLE(SleepEx(30, TRUE)), 0);
    WSACleanup();
    return 0;
}

/*
 * SPEC E7 (one thread; the per-thread rule of CancelIo is in e7_cancel_io_thread_mt.c):
 *  - CancelIo(h) is TRUE even with nothing pending;
 *  - CancelIoEx(h, NULL) / CancelIoEx(h, ov) with nothing matching: FALSE, ERROR_NOT_FOUND (1168),
 *    also for an OVERLAPPED that already completed;
 *  - CancelIoEx(h, ov) cancels exactly that operation; CancelIoEx(h, NULL) and CancelIo(h) all;
 *  - cancelled operations end with WSA_OPERATION_ABORTED (995) and 0 bytes (Internal
 *    STATUS_CANCELLED 0xC0000120, SPEC B3) and still notify (event / routine), exactly once;
 *  - a cancel racing a completion: either outcome, but exactly one notification, and data is
 *    never lost (a receive that lost the race to data has the data; one that was cancelled did
 *    not consume it).
 */
#include "wait_helpers.h"

#define STATUS_CANCELLED_ 0xC0000120u

static SOCKET c, s;

static void expect_cancelled_event(SOCKET h, WSAOVERLAPPED *ov)
{
    CHECK_EQ(WaitForSingleObject(ov->hEvent, 10000), WAIT_OBJECT_0);
    DWORD n = 0xFFFF, fl = 0;
    CHECK_ERR(WSAGetOverlappedResult(h, ov, &n, FALSE, &fl), FALSE, WSA_OPERATION_ABORTED);
    CHECK_EQ(n, 0);
    CHECK_EQ(ov->Internal, STATUS_CANCELLED_);
    CHECK_EQ(ov->InternalHigh, 0);
    /* once: reset it, then a bounded wait that must time out */
    CHECK(WSAResetEvent(ov->hEvent));
    CHECK_EQ(WaitForSingleObject(ov->hEvent, 30), WAIT_TIMEOUT);
}

static void ov_init(WSAOVERLAPPED *ov)
{
    memset(ov, 0, sizeof *ov);
    ov->hEvent = WSACreateEvent();
    CHECK(ov->hEvent != WSA_INVALID_EVENT);
}

int main(void)
{
    test_init();
    tcp_pair(&c, &s);

    /* 1. nothing pending */
    CHECK(CancelIo((HANDLE)s));
    SetLastError(0);
    CHECK(!CancelIoEx((HANDLE)s, NULL));
    CHECK_EQ(GetLastError(), ERROR_NOT_FOUND);
    WSAOVERLAPPED stray;
    memset(&stray, 0, sizeof stray);
    CHECK(!CancelIoEx((HANDLE)s, (LPOVERLAPPED)&stray));
    CHECK_EQ(GetLastError(), ERROR_NOT_FOUND);

    /* 2. CancelIoEx(h, ov) cancels that one only */
    {
        WSAOVERLAPPED ov[3];
        char b[3][16];
        for (int i = 0; i < 3; i++) {
            ov_init(&ov[i]);
            POST_RECV_PENDING(s, b[i], 16, &ov[i], NULL);
        }
        CHECK(CancelIoEx((HANDLE)s, (LPOVERLAPPED)&ov[1]));
        expect_cancelled_event(s, &ov[1]);
        /* the others are still pending (bounded waits that must time out) */
        DWORD n, fl;
        CHECK_EQ(WaitForSingleObject(ov[0].hEvent, 30), WAIT_TIMEOUT);
        CHECK_ERR(WSAGetOverlappedResult(s, &ov[0], &n, FALSE, &fl), FALSE, WSA_IO_INCOMPLETE);
        CHECK_ERR(WSAGetOverlappedResult(s, &ov[2], &n, FALSE, &fl), FALSE, WSA_IO_INCOMPLETE);
        /* cancelling it again: not found */
        CHECK(!CancelIoEx((HANDLE)s, (LPOVERLAPPED)&ov[1]));
        CHECK_EQ(GetLastError(), ERROR_NOT_FOUND);
        /* the remaining two still receive, in order */
        send_all(c, "0123456789abcdefXY", 18);
        CHECK_EQ(WaitForSingleObject(ov[0].hEvent, 10000), WAIT_OBJECT_0);
        CHECK(WSAGetOverlappedResult(s, &ov[0], &n, FALSE, &fl));
        CHECK_EQ(n, 16);
        CHECK(memcmp(b[0], "0123456789abcdef", 16) == 0);
        CHECK_EQ(WaitForSingleObject(ov[2].hEvent, 10000), WAIT_OBJECT_0);
        CHECK(WSAGetOverlappedResult(s, &ov[2], &n, FALSE, &fl));
        CHECK_EQ(n, 2);
        CHECK(memcmp(b[2], "XY", 2) == 0);
        /* completed: not found */
        CHECK(!CancelIoEx((HANDLE)s, (LPOVERLAPPED)&ov[0]));
        CHECK_EQ(GetLastError(), ERROR_NOT_FOUND);
        for (int i = 0; i < 3; i++)
            WSACloseEvent(ov[i].hEvent);
    }

    /* 3. CancelIoEx(h, NULL): all, receives and a stuck send; routines once each */
    {
        SOCKET c2, s2;
        tcp_pair(&c2, &s2);
        set_bufs(s2, 4096, 0);
        set_bufs(c2, 0, 4096);
        static io_rec r[3];
        static char b[2][16];
        size_t len = 8u << 20;
        char *big = calloc(1, len);
        CHECK(big != NULL);
        io_rec_init(&r[0], 0);
        POST_RECV_PENDING(s2, b[0], 16, &r[0].ov, rec_routine);
        io_rec_init(&r[1], 1);
        POST_RECV_PENDING(s2, b[1], 16, &r[1].ov, rec_routine);
        io_rec_init(&r[2], 2);
        CHECK_EQ(post_send(s2, big, (ULONG)len, &r[2].ov, rec_routine), SOCKET_ERROR);
        CHECK_EQ(WSAGetLastError(), WSA_IO_PENDING);
        CHECK(CancelIoEx((HANDLE)s2, NULL));
        for (int i = 0; i < 3; i++)
            WAIT_DONE(s2, &r[i].ov);
        CHECK_EQ(ALERTABLE(SleepEx(10000, TRUE)), WAIT_IO_COMPLETION);
        for (int i = 0; i < 3; i++) {
            CHECK_EQ(rec_calls(&r[i]), 1);
            CHECK_EQ(r[i].err, WSA_OPERATION_ABORTED);
            CHECK_EQ(r[i].bytes, 0);
            CHECK_EQ(r[i].ov.Internal, STATUS_CANCELLED_);
        }
        CHECK_EQ(ALERTABLE(SleepEx(30, TRUE)), 0); /* once each */
        CHECK(!CancelIoEx((HANDLE)s2, NULL));
        CHECK_EQ(GetLastError(), ERROR_NOT_FOUND);
        free(big);
        closesocket(c2);
        closesocket(s2);
    }

    /* 4. CancelIo(h): all of this thread's */
    {
        WSAOVERLAPPED ov[2];
        char b[2][16];
        for (int i = 0; i < 2; i++) {
            ov_init(&ov[i]);
            POST_RECV_PENDING(s, b[i], 16, &ov[i], NULL);
        }
        CHECK(CancelIo((HANDLE)s));
        expect_cancelled_event(s, &ov[0]);
        expect_cancelled_event(s, &ov[1]);
        for (int i = 0; i < 2; i++)
            WSACloseEvent(ov[i].hEvent);
    }

    /* 5. UDP: cancelled receive; the datagram that comes afterwards is not lost */
    {
        SOCKET u1, u2;
        SOCKADDR_IN addr;
        udp_pair(&u1, &u2, &addr);
        WSAOVERLAPPED ov;
        ov_init(&ov);
        char b[16];
        WSABUF wb;
        wb.len = sizeof b;
        wb.buf = b;
        DWORD fl = 0;
        CHECK_EQ(WSARecvFrom(u2, &wb, 1, NULL, &fl, NULL, NULL, &ov, NULL), SOCKET_ERROR);
        CHECK_EQ(WSAGetLastError(), WSA_IO_PENDING);
        CHECK(CancelIoEx((HANDLE)u2, (LPOVERLAPPED)&ov));
        expect_cancelled_event(u2, &ov);
        CHECK_EQ(sendto(u1, "dgram", 5, 0, (SOCKADDR *)&addr, sizeof addr), 5);
        char in[16];
        CHECK_EQ(recv(u2, in, sizeof in, 0), 5);
        CHECK(memcmp(in, "dgram", 5) == 0);
        WSACloseEvent(ov.hEvent);
        closesocket(u1);
        closesocket(u2);
    }

    /* 6. Race: data and cancel at nearly the same time.  Either outcome; one notification; the
     *    byte is received exactly once overall. */
    {
        int cancelled = 0, completed = 0;
        for (int i = 0; i < 300; i++) {
            static io_rec r;
            static char b[4];
            io_rec_init(&r, i);
            POST_RECV_PENDING(s, b, sizeof b, &r.ov, rec_routine);
            char x = (char)i;
            send_all(c, &x, 1);
            BOOL ok = CancelIoEx((HANDLE)s, (LPOVERLAPPED)&r.ov);
            if (!ok)
                CHECK_EQ(GetLastError(), ERROR_NOT_FOUND);
            WAIT_DONE(s, &r.ov);
            CHECK_EQ(ALERTABLE(SleepEx(10000, TRUE)), WAIT_IO_COMPLETION);
            CHECK_EQ(rec_calls(&r), 1);
            if (r.err == 0) {
                CHECK_EQ(r.bytes, 1);
                CHECK_EQ(b[0], x);
                completed++;
            } else {
                CHECK_EQ(r.err, WSA_OPERATION_ABORTED);
                CHECK(ok); /* FALSE/ERROR_NOT_FOUND means it was not cancelled */
                CHECK_EQ(r.bytes, 0);
                char y;
                recv_all(s, &y, 1); /* the byte is still there */
                CHECK_EQ(y, x);
                cancelled++;
            }
            CHECK_EQ(ALERTABLE(SleepEx(0, TRUE)), 0); /* no second call */
        }
        fprintf(stderr, "%s: race: %d cancelled, %d completed\n", test_engine(), cancelled,
                completed);
    }

    closesocket(c);
    closesocket(s);
    WSACleanup();
    return 0;
}

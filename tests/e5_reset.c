/*
 * SPEC E5: when the peer resets the connection (SO_LINGER {1,0} + closesocket), a pending receive
 * fails with WSAECONNRESET (WSAGetOverlappedResult, routine's dwError; Internal is
 * STATUS_CONNECTION_RESET 0xC000020D, SPEC B3), and later sends and receives fail at once with
 * WSAECONNRESET - every time, not just the first (Linux reports the reset once, then EOF/EPIPE) -
 * with no event, routine or packet (SPEC A3).  A send pending at the time of the reset fails too.
 */
#include "wait_helpers.h"

#define STATUS_CONNECTION_RESET_ 0xC000020Du

/* Later operations fail at once with WSAECONNRESET and notify nothing. */
static void later_ops_fail_at_once(SOCKET s)
{
    static io_rec r;
    static char b[16];
    WSAEVENT ev = WSACreateEvent();
    CHECK(ev != WSA_INVALID_EVENT);
    for (int i = 0; i < 3; i++) {
        WSAOVERLAPPED ov;
        memset(&ov, 0, sizeof ov);
        ov.hEvent = ev;
        CHECK_ERR(post_recv(s, b, sizeof b, &ov, NULL), SOCKET_ERROR, WSAECONNRESET);
        CHECK_ERR(post_send(s, "x", 1, &ov, NULL), SOCKET_ERROR, WSAECONNRESET);
        io_rec_init(&r, i);
        CHECK_ERR(post_recv(s, b, sizeof b, &r.ov, rec_routine), SOCKET_ERROR, WSAECONNRESET);
        CHECK_ERR(post_send(s, "x", 1, &r.ov, rec_routine), SOCKET_ERROR, WSAECONNRESET);
    }
    /* Plain calls too. */
    CHECK_ERR(recv(s, b, sizeof b, 0), SOCKET_ERROR, WSAECONNRESET);
    CHECK_ERR(send(s, "x", 1, 0), SOCKET_ERROR, WSAECONNRESET);
    /* Bounded waits that must time out: no event was set, no routine queued (SPEC A3). */
    CHECK_EQ(WaitForSingleObject(ev, 50), WAIT_TIMEOUT);
    CHECK_EQ(ALERTABLE(SleepEx(50, TRUE)), 0);
    CHECK_EQ(rec_calls(&r), 0);
    WSACloseEvent(ev);
}

int main(void)
{
    test_init();
    SOCKET c, s;

    /* 1. pending receive with an event */
    tcp_pair(&c, &s);
    {
        WSAOVERLAPPED ov;
        memset(&ov, 0, sizeof ov);
        ov.hEvent = WSACreateEvent();
        char b[16];
        POST_RECV_PENDING(s, b, sizeof b, &ov, NULL);
        reset_close(c);
        CHECK_EQ(WaitForSingleObject(ov.hEvent, 10000), WAIT_OBJECT_0);
        DWORD n = 0xFFFF, fl = 0;
        CHECK_ERR(WSAGetOverlappedResult(s, &ov, &n, FALSE, &fl), FALSE, WSAECONNRESET);
        CHECK_EQ(ov.Internal, STATUS_CONNECTION_RESET_);
        CHECK_EQ(ov.InternalHigh, 0);
        WSACloseEvent(ov.hEvent);
        later_ops_fail_at_once(s);
    }
    closesocket(s);

    /* 2. pending receive with a routine */
    tcp_pair(&c, &s);
    {
        static io_rec r;
        static char b[16];
        io_rec_init(&r, 2);
        POST_RECV_PENDING(s, b, sizeof b, &r.ov, rec_routine);
        reset_close(c);
        CHECK_EQ(ALERTABLE(SleepEx(10000, TRUE)), WAIT_IO_COMPLETION);
        CHECK_EQ(rec_calls(&r), 1);
        CHECK_EQ(r.err, WSAECONNRESET);
        CHECK_EQ(r.bytes, 0);
        CHECK_EQ(r.flags, 0);
        later_ops_fail_at_once(s);
    }
    closesocket(s);

    /* 3. nothing pending at the time of the reset: the next receive fails with WSAECONNRESET -
     *    at once, or (if the reset is still on its way) pending and then failing. */
    tcp_pair(&c, &s);
    {
        reset_close(c);
        WSAOVERLAPPED ov;
        memset(&ov, 0, sizeof ov);
        ov.hEvent = WSACreateEvent();
        char b[16];
        int rc = post_recv(s, b, sizeof b, &ov, NULL);
        int err = WSAGetLastError();
        if (rc == SOCKET_ERROR && err == WSA_IO_PENDING) {
            CHECK_EQ(WaitForSingleObject(ov.hEvent, 10000), WAIT_OBJECT_0);
            DWORD n = 0, fl = 0;
            CHECK_ERR(WSAGetOverlappedResult(s, &ov, &n, FALSE, &fl), FALSE, WSAECONNRESET);
        } else {
            CHECK_EQ(rc, SOCKET_ERROR);
            CHECK_EQ(err, WSAECONNRESET);
        }
        WSACloseEvent(ov.hEvent);
        later_ops_fail_at_once(s);
    }
    closesocket(s);

    /* 4. a send pending (peer not reading, small buffers) when the reset comes: it fails */
    tcp_pair(&c, &s);
    {
        set_bufs(s, 4096, 0);
        set_bufs(c, 0, 4096);
        size_t len = 8u << 20;
        char *big = calloc(1, len);
        CHECK(big != NULL);
        WSAOVERLAPPED ov;
        memset(&ov, 0, sizeof ov);
        ov.hEvent = WSACreateEvent();
        int rc = post_send(s, big, (ULONG)len, &ov, NULL);
        CHECK_EQ(rc, SOCKET_ERROR);
        CHECK_EQ(WSAGetLastError(), WSA_IO_PENDING); /* 8 MiB cannot be taken at once */
        reset_close(c);
        CHECK_EQ(WaitForSingleObject(ov.hEvent, 10000), WAIT_OBJECT_0);
        DWORD n = 0, fl = 0;
        CHECK(!WSAGetOverlappedResult(s, &ov, &n, FALSE, &fl));
        int e = WSAGetLastError();
        if (e != WSAECONNRESET && e != WSAECONNABORTED)
            FAIL("pending send after reset: error %d, wanted WSAECONNRESET", e);
        WSACloseEvent(ov.hEvent);
        free(big);
        later_ops_fail_at_once(s);
    }
    closesocket(s);
    WSACleanup();
    return 0;
}

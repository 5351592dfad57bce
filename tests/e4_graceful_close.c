/*
 * SPEC E4: after the peer's graceful close (shutdown SD_SEND or closesocket), a pending receive
 * succeeds with 0 bytes (event set, WSAGetOverlappedResult TRUE with 0, routine (0, 0, ov, 0)),
 * and later receives complete at once with 0 (WSARecv returns 0 with a count of 0 - and still
 * notify, SPEC A4).  Data sent before the close is delivered first.
 */
#include "wait_helpers.h"

static void later_receives_complete_at_once(SOCKET s)
{
    for (int i = 0; i < 3; i++) {
        WSAOVERLAPPED ov;
        memset(&ov, 0, sizeof ov);
        ov.hEvent = WSACreateEvent();
        char b[16];
        WSABUF wb;
        wb.len = sizeof b;
        wb.buf = b;
        DWORD n = 0xFFFF, fl = 0;
        int rc = WSARecv(s, &wb, 1, &n, &fl, &ov, NULL);
        if (rc != 0)
            FAIL("receive after end of stream: %d, error %d; wanted 0 at once", rc,
                 WSAGetLastError());
        CHECK_EQ(n, 0);
        CHECK_EQ(WaitForSingleObject(ov.hEvent, 10000), WAIT_OBJECT_0);
        n = 0xFFFF;
        CHECK(WSAGetOverlappedResult(s, &ov, &n, FALSE, &fl));
        CHECK_EQ(n, 0);
        WSACloseEvent(ov.hEvent);
    }
    /* with a routine: at once, and the routine still runs with (0, 0) */
    static io_rec r;
    static char b[16];
    io_rec_init(&r, 9);
    WSABUF wb;
    wb.len = sizeof b;
    wb.buf = b;
    DWORD n = 0xFFFF, fl = 0;
    CHECK_EQ(ISSUE(WSARecv(s, &wb, 1, &n, &fl, &r.ov, rec_routine)), 0);
    CHECK_EQ(n, 0);
    CHECK_EQ(rec_calls(&r), 0);
    CHECK_EQ(ALERTABLE(SleepEx(10000, TRUE)), WAIT_IO_COMPLETION);
    CHECK_EQ(rec_calls(&r), 1);
    CHECK_EQ(r.err, 0);
    CHECK_EQ(r.bytes, 0);
}

int main(void)
{
    test_init();
    SOCKET c, s;

    /* 1. pending receive with an event; peer shutdown(SD_SEND) */
    tcp_pair(&c, &s);
    {
        WSAOVERLAPPED ov;
        memset(&ov, 0, sizeof ov);
        ov.hEvent = WSACreateEvent();
        char b[16];
        POST_RECV_PENDING(s, b, sizeof b, &ov, NULL);
        CHECK_EQ(shutdown(c, SD_SEND), 0);
        CHECK_EQ(WaitForSingleObject(ov.hEvent, 10000), WAIT_OBJECT_0);
        DWORD n = 0xFFFF, fl = 0;
        CHECK(WSAGetOverlappedResult(s, &ov, &n, FALSE, &fl));
        CHECK_EQ(n, 0);
        CHECK_EQ(ov.Internal, 0);
        CHECK_EQ(ov.InternalHigh, 0);
        WSACloseEvent(ov.hEvent);
        later_receives_complete_at_once(s);
        /* our direction still works after the peer's half-close */
        send_all(s, "back", 4);
        char in[4];
        recv_all(c, in, 4);
        CHECK(memcmp(in, "back", 4) == 0);
    }
    closesocket(c);
    closesocket(s);

    /* 2. pending receive with a routine; peer closesocket */
    tcp_pair(&c, &s);
    {
        static io_rec r;
        static char b[16];
        io_rec_init(&r, 2);
        POST_RECV_PENDING(s, b, sizeof b, &r.ov, rec_routine);
        CHECK_EQ(closesocket(c), 0);
        CHECK_EQ(ALERTABLE(SleepEx(10000, TRUE)), WAIT_IO_COMPLETION);
        CHECK_EQ(rec_calls(&r), 1);
        CHECK_EQ(r.err, 0);
        CHECK_EQ(r.bytes, 0);
        CHECK_EQ(r.flags, 0);
        later_receives_complete_at_once(s);
    }
    closesocket(s);

    /* 3. two receives pending: both succeed with 0 */
    tcp_pair(&c, &s);
    {
        WSAOVERLAPPED ov[2];
        char b[2][16];
        for (int i = 0; i < 2; i++) {
            memset(&ov[i], 0, sizeof ov[i]);
            ov[i].hEvent = WSACreateEvent();
            POST_RECV_PENDING(s, b[i], 16, &ov[i], NULL);
        }
        CHECK_EQ(shutdown(c, SD_SEND), 0);
        for (int i = 0; i < 2; i++) {
            CHECK_EQ(WaitForSingleObject(ov[i].hEvent, 10000), WAIT_OBJECT_0);
            DWORD n = 0xFFFF, fl = 0;
            CHECK(WSAGetOverlappedResult(s, &ov[i], &n, FALSE, &fl));
            CHECK_EQ(n, 0);
            WSACloseEvent(ov[i].hEvent);
        }
        later_receives_complete_at_once(s);
    }
    closesocket(c);
    closesocket(s);

    /* 4. data then close: the data first, then 0 */
    tcp_pair(&c, &s);
    {
        send_all(c, "tail", 4);
        CHECK_EQ(closesocket(c), 0);
        WSAOVERLAPPED ov;
        memset(&ov, 0, sizeof ov);
        ov.hEvent = WSACreateEvent();
        char b[16];
        ISSUED_OK(post_recv(s, b, sizeof b, &ov, NULL)); /* at once or pending: SPEC A5 */
        CHECK_EQ(WaitForSingleObject(ov.hEvent, 10000), WAIT_OBJECT_0);
        DWORD n = 0, fl = 0;
        CHECK(WSAGetOverlappedResult(s, &ov, &n, FALSE, &fl));
        CHECK_EQ(n, 4);
        CHECK(memcmp(b, "tail", 4) == 0);
        WSACloseEvent(ov.hEvent);
        later_receives_complete_at_once(s);
    }
    closesocket(s);
    WSACleanup();
    return 0;
}

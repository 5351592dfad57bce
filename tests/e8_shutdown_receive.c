/*
 * SPEC E8: a local shutdown(SD_RECEIVE) does not cancel (or complete) a receive that is pending -
 * on Linux, shutdown(SHUT_RD) wakes blocked readers with end-of-file, which must not leak through
 * as a 0-byte completion - while new receives fail at once with WSAESHUTDOWN (no event, no routine,
 * SPEC A3).  Sending still works.  The pending receive ends only when the program ends it (here by
 * CancelIoEx, which finds it still pending).
 */
#include "wait_helpers.h"

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
        CHECK_EQ(shutdown(s, SD_RECEIVE), 0);

        /* Bounded wait that must time out: the receive stays pending. */
        CHECK_EQ(WaitForSingleObject(ov.hEvent, 100), WAIT_TIMEOUT);
        DWORD n = 0, fl = 0;
        CHECK_ERR(WSAGetOverlappedResult(s, &ov, &n, FALSE, &fl), FALSE, WSA_IO_INCOMPLETE);
        CHECK(!HasOverlappedIoCompleted((LPOVERLAPPED)&ov));

        /* New receives fail at once, overlapped or not, notifying nothing. */
        WSAOVERLAPPED ov2;
        memset(&ov2, 0, sizeof ov2);
        ov2.hEvent = WSACreateEvent();
        char b2[16];
        CHECK_ERR(post_recv(s, b2, sizeof b2, &ov2, NULL), SOCKET_ERROR, WSAESHUTDOWN);
        static io_rec r;
        io_rec_init(&r, 1);
        CHECK_ERR(post_recv(s, b2, sizeof b2, &r.ov, rec_routine), SOCKET_ERROR, WSAESHUTDOWN);
        CHECK_ERR(recv(s, b2, sizeof b2, 0), SOCKET_ERROR, WSAESHUTDOWN);
        /* bounded waits that must time out: no event, no routine */
        CHECK_EQ(WaitForSingleObject(ov2.hEvent, 30), WAIT_TIMEOUT);
        CHECK_EQ(ALERTABLE(SleepEx(30, TRUE)), 0);
        CHECK_EQ(rec_calls(&r), 0);

        /* Sending is unaffected. */
        send_all(s, "still", 5);
        char in[5];
        recv_all(c, in, 5);
        CHECK(memcmp(in, "still", 5) == 0);

        /* Still pending after all that; the cancel finds it. */
        CHECK_EQ(WaitForSingleObject(ov.hEvent, 0), WAIT_TIMEOUT);
        CHECK(CancelIoEx((HANDLE)s, (LPOVERLAPPED)&ov));
        CHECK_EQ(WaitForSingleObject(ov.hEvent, 10000), WAIT_OBJECT_0);
        CHECK_ERR(WSAGetOverlappedResult(s, &ov, &n, FALSE, &fl), FALSE, WSA_OPERATION_ABORTED);
        CHECK_EQ(n, 0);
        WSACloseEvent(ov.hEvent);
        WSACloseEvent(ov2.hEvent);
    }
    closesocket(c);
    closesocket(s);

    /* 2. pending receive with a routine */
    tcp_pair(&c, &s);
    {
        static io_rec r;
        static char b[16];
        io_rec_init(&r, 2);
        POST_RECV_PENDING(s, b, sizeof b, &r.ov, rec_routine);
        CHECK_EQ(shutdown(s, SD_RECEIVE), 0);
        /* Bounded alertable wait that must time out: the routine did not run, because the
         * receive did not complete. */
        CHECK_EQ(ALERTABLE(SleepEx(100, TRUE)), 0);
        CHECK_EQ(rec_calls(&r), 0);
        CHECK(!HasOverlappedIoCompleted((LPOVERLAPPED)&r.ov));
        CHECK(CancelIoEx((HANDLE)s, (LPOVERLAPPED)&r.ov));
        CHECK_EQ(ALERTABLE(SleepEx(10000, TRUE)), WAIT_IO_COMPLETION);
        CHECK_EQ(rec_calls(&r), 1);
        CHECK_EQ(r.err, WSA_OPERATION_ABORTED);
        CHECK_EQ(r.bytes, 0);
    }
    closesocket(c);
    closesocket(s);

    /* 3. shutdown(SD_BOTH): a pending receive stays pending too; sends then fail WSAESHUTDOWN */
    tcp_pair(&c, &s);
    {
        WSAOVERLAPPED ov;
        memset(&ov, 0, sizeof ov);
        ov.hEvent = WSACreateEvent();
        char b[16];
        POST_RECV_PENDING(s, b, sizeof b, &ov, NULL);
        CHECK_EQ(shutdown(s, SD_BOTH), 0);
        CHECK_EQ(WaitForSingleObject(ov.hEvent, 100), WAIT_TIMEOUT); /* bounded: stays pending */
        WSAOVERLAPPED ov2;
        memset(&ov2, 0, sizeof ov2);
        CHECK_ERR(post_send(s, "x", 1, &ov2, NULL), SOCKET_ERROR, WSAESHUTDOWN);
        CHECK(CancelIoEx((HANDLE)s, (LPOVERLAPPED)&ov));
        CHECK_EQ(WaitForSingleObject(ov.hEvent, 10000), WAIT_OBJECT_0);
        DWORD n = 0, fl = 0;
        CHECK_ERR(WSAGetOverlappedResult(s, &ov, &n, FALSE, &fl), FALSE, WSA_OPERATION_ABORTED);
        WSACloseEvent(ov.hEvent);
    }
    closesocket(c);
    closesocket(s);
    WSACleanup();
    return 0;
}

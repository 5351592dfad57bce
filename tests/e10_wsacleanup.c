/*
 * SPEC E10: the final WSACleanup makes pending operations fail with WSA_OPERATION_ABORTED
 * (Internal STATUS_CANCELLED) without setting their events or running their routines.  Only the
 * last of several WSACleanup calls (one per WSAStartup) does this: an earlier one leaves pending
 * operations alone.  Afterwards Winsock calls fail with WSANOTINITIALISED until WSAStartup, after
 * which everything works again.
 */
#include "wait_helpers.h"

#define STATUS_CANCELLED_ 0xC0000120u

static ULONG_PTR internal_of(WSAOVERLAPPED *ov)
{
    return *(volatile ULONG_PTR *)&ov->Internal;
}

/* WSACleanup has returned: the outcome should be there at once; allow a moment anyway. */
static void wait_not_pending(WSAOVERLAPPED *ov)
{
    ULONGLONG end = now_ms() + 2000;
    while (internal_of(ov) == STATUS_PENDING && now_ms() < end)
        yield_cpu();
}

int main(void)
{
    test_init();
    WSADATA wsa;

    /* 1. Two WSAStartups, one WSACleanup: nothing happens to pending operations. */
    CHECK_EQ(WSAStartup(MAKEWORD(2, 2), &wsa), 0);
    SOCKET c, s;
    tcp_pair(&c, &s);
    {
        WSAOVERLAPPED ov;
        memset(&ov, 0, sizeof ov);
        ov.hEvent = WSACreateEvent();
        char b[16];
        POST_RECV_PENDING(s, b, sizeof b, &ov, NULL);
        CHECK_EQ(WSACleanup(), 0);
        /* bounded wait that must time out: not aborted */
        CHECK_EQ(WaitForSingleObject(ov.hEvent, 50), WAIT_TIMEOUT);
        CHECK_EQ(internal_of(&ov), STATUS_PENDING);
        send_all(c, "still up", 8);
        CHECK_EQ(WaitForSingleObject(ov.hEvent, 10000), WAIT_OBJECT_0);
        DWORD n = 0, fl = 0;
        CHECK(WSAGetOverlappedResult(s, &ov, &n, FALSE, &fl));
        CHECK_EQ(n, 8);
        CHECK(memcmp(b, "still up", 8) == 0);
        WSACloseEvent(ov.hEvent);
    }

    /* 2. The final WSACleanup with a TCP receive (event), a TCP receive (routine) and a UDP
     *    receive (event) pending. */
    static WSAOVERLAPPED ov_tcp, ov_udp;
    static io_rec r;
    static char b1[16], b2[16], b3[16];
    memset(b1, '#', sizeof b1);
    memset(b2, '#', sizeof b2);
    memset(b3, '#', sizeof b3);
    memset(&ov_tcp, 0, sizeof ov_tcp);
    ov_tcp.hEvent = WSACreateEvent();
    memset(&ov_udp, 0, sizeof ov_udp);
    ov_udp.hEvent = WSACreateEvent();
    CHECK(ov_tcp.hEvent != WSA_INVALID_EVENT && ov_udp.hEvent != WSA_INVALID_EVENT);
    POST_RECV_PENDING(s, b1, sizeof b1, &ov_tcp, NULL);
    io_rec_init(&r, 1);
    POST_RECV_PENDING(s, b2, sizeof b2, &r.ov, rec_routine);
    SOCKET u1, u2;
    SOCKADDR_IN uaddr;
    udp_pair(&u1, &u2, &uaddr);
    WSABUF wb;
    wb.len = sizeof b3;
    wb.buf = b3;
    DWORD fl = 0;
    CHECK_EQ(WSARecvFrom(u2, &wb, 1, NULL, &fl, NULL, NULL, &ov_udp, NULL), SOCKET_ERROR);
    CHECK_EQ(WSAGetLastError(), WSA_IO_PENDING);

    CHECK_EQ(WSACleanup(), 0);

    wait_not_pending(&ov_tcp);
    wait_not_pending(&r.ov);
    wait_not_pending(&ov_udp);
    CHECK_EQ(internal_of(&ov_tcp), STATUS_CANCELLED_);
    CHECK_EQ(internal_of(&r.ov), STATUS_CANCELLED_);
    CHECK_EQ(internal_of(&ov_udp), STATUS_CANCELLED_);
    CHECK_EQ(ov_tcp.InternalHigh, 0);
    /* No events, no routines: bounded waits that must time out. */
    CHECK_EQ(WaitForSingleObject(ov_tcp.hEvent, 100), WAIT_TIMEOUT);
    CHECK_EQ(WaitForSingleObject(ov_udp.hEvent, 0), WAIT_TIMEOUT);
    CHECK_EQ(ALERTABLE(SleepEx(100, TRUE)), 0);
    CHECK_EQ(rec_calls(&r), 0);
    CHECK_EQ(b1[0], '#');
    CHECK_EQ(b2[0], '#');
    CHECK_EQ(b3[0], '#');

    /* Winsock is down now. */
    SOCKET x = WSASocket(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_OVERLAPPED);
    CHECK(x == INVALID_SOCKET);
    CHECK_EQ(WSAGetLastError(), WSANOTINITIALISED);
    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    char b[4];
    CHECK_ERR(post_recv(s, b, sizeof b, &ov, NULL), SOCKET_ERROR, WSANOTINITIALISED);

    /* 3. Up again: WSAGetOverlappedResult on the aborted operation reports the abort (or, since
     *    the socket is gone, WSAENOTSOCK); new sockets work. */
    CHECK_EQ(WSAStartup(MAKEWORD(2, 2), &wsa), 0);
    DWORD n = 0xFFFF;
    fl = 0;
    CHECK(!WSAGetOverlappedResult(s, &ov_tcp, &n, FALSE, &fl));
    int e = WSAGetLastError();
    if (e != WSA_OPERATION_ABORTED && e != WSAENOTSOCK)
        FAIL("WSAGetOverlappedResult after WSACleanup: error %d, wanted 995", e);
    CHECK_EQ(WaitForSingleObject(ov_tcp.hEvent, 0), WAIT_TIMEOUT); /* still never set */
    CHECK_EQ(ALERTABLE(SleepEx(30, TRUE)), 0);                     /* still never run */
    CHECK_EQ(rec_calls(&r), 0);

    SOCKET c2, s2;
    tcp_pair(&c2, &s2);
    static io_rec r2;
    static char nb[16];
    io_rec_init(&r2, 2);
    POST_RECV_PENDING(s2, nb, sizeof nb, &r2.ov, rec_routine);
    send_all(c2, "again", 5);
    CHECK_EQ(ALERTABLE(SleepEx(10000, TRUE)), WAIT_IO_COMPLETION);
    CHECK_EQ(rec_calls(&r2), 1);
    CHECK_EQ(r2.bytes, 5);
    CHECK(memcmp(nb, "again", 5) == 0);
    CHECK_EQ(rec_calls(&r), 0);
    closesocket(c2);
    closesocket(s2);

    WSACloseEvent(ov_tcp.hEvent);
    WSACloseEvent(ov_udp.hEvent);
    CHECK_EQ(WSACleanup(), 0);
    return 0;
}

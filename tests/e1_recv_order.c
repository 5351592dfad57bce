/*
 * SPEC E1: receives posted on one stream socket are filled in posting order.  Two pending 16-byte
 * receives, then one 32-byte send from the peer: bytes 0-15 go to the first, 16-31 to the second.
 * Checked with events and with routines (whose FIFO order must follow), with unequal sizes, with
 * the data arriving in pieces, with many receives in flight, and repeated to catch races.
 */
#include "wait_helpers.h"

static SOCKET c, s;

static void two_by_sixteen_events(int round)
{
    WSAOVERLAPPED ov[2];
    char buf[2][16];
    for (int i = 0; i < 2; i++) {
        memset(&ov[i], 0, sizeof ov[i]);
        ov[i].hEvent = WSACreateEvent();
        CHECK(ov[i].hEvent != WSA_INVALID_EVENT);
        memset(buf[i], 0, 16);
        POST_RECV_PENDING(s, buf[i], 16, &ov[i], NULL);
    }
    char data[32];
    for (int i = 0; i < 32; i++)
        data[i] = (char)(i + round);
    send_all(c, data, 32);
    WSAEVENT evs[2] = {ov[0].hEvent, ov[1].hEvent};
    CHECK_EQ(WSAWaitForMultipleEvents(2, evs, TRUE, 10000, FALSE), WSA_WAIT_EVENT_0);
    for (int i = 0; i < 2; i++) {
        DWORD n = 0, fl = 0;
        CHECK(WSAGetOverlappedResult(s, &ov[i], &n, FALSE, &fl));
        if (n != 16 || memcmp(buf[i], data + 16 * i, 16) != 0)
            FAIL("round %d: receive %d got %lu bytes starting with %d, wanted 16 starting with %d",
                 round, i, (unsigned long)n, buf[i][0], data[16 * i]);
        WSACloseEvent(ov[i].hEvent);
    }
}

static void two_by_sixteen_routines(int round)
{
    static io_rec r[2];
    static char buf[2][16];
    atomic_store(&wh_seq, 0);
    for (int i = 0; i < 2; i++) {
        io_rec_init(&r[i], i);
        POST_RECV_PENDING(s, buf[i], 16, &r[i].ov, rec_routine);
    }
    char data[32];
    for (int i = 0; i < 32; i++)
        data[i] = (char)(100 + i + round);
    send_all(c, data, 32);
    while (rec_calls(&r[0]) + rec_calls(&r[1]) < 2)
        CHECK_EQ(ALERTABLE(SleepEx(10000, TRUE)), WAIT_IO_COMPLETION);
    for (int i = 0; i < 2; i++) {
        CHECK_EQ(r[i].err, 0);
        CHECK_EQ(r[i].bytes, 16);
        CHECK(memcmp(buf[i], data + 16 * i, 16) == 0);
        CHECK_EQ(r[i].seq, i + 1); /* the routines follow the order too */
    }
}

/* 10-byte then 100-byte receive, 32 bytes sent: 0-9 to the first, 10-31 (22 bytes) to the second.
 */
static void unequal_sizes(void)
{
    WSAOVERLAPPED ov[2];
    char small[10], big[100];
    memset(ov, 0, sizeof ov);
    ov[0].hEvent = WSACreateEvent();
    ov[1].hEvent = WSACreateEvent();
    POST_RECV_PENDING(s, small, sizeof small, &ov[0], NULL);
    POST_RECV_PENDING(s, big, sizeof big, &ov[1], NULL);
    char data[32];
    for (int i = 0; i < 32; i++)
        data[i] = (char)('A' + i);
    send_all(c, data, 32);
    DWORD n = 0, fl = 0;
    CHECK_EQ(WaitForSingleObject(ov[0].hEvent, 10000), WAIT_OBJECT_0);
    CHECK(WSAGetOverlappedResult(s, &ov[0], &n, FALSE, &fl));
    CHECK_EQ(n, 10);
    CHECK(memcmp(small, data, 10) == 0);
    CHECK_EQ(WaitForSingleObject(ov[1].hEvent, 10000), WAIT_OBJECT_0);
    CHECK(WSAGetOverlappedResult(s, &ov[1], &n, FALSE, &fl));
    CHECK_EQ(n, 22);
    CHECK(memcmp(big, data + 10, 22) == 0);
    WSACloseEvent(ov[0].hEvent);
    WSACloseEvent(ov[1].hEvent);
}

/* Data in two separate sends: the first send's bytes go to the first receive, and the second
 * receive stays pending until more data comes. */
static void data_in_pieces(void)
{
    WSAOVERLAPPED ov[2];
    char b0[16], b1[16];
    memset(ov, 0, sizeof ov);
    ov[0].hEvent = WSACreateEvent();
    ov[1].hEvent = WSACreateEvent();
    POST_RECV_PENDING(s, b0, 16, &ov[0], NULL);
    POST_RECV_PENDING(s, b1, 16, &ov[1], NULL);
    send_all(c, "first", 5);
    DWORD n = 0, fl = 0;
    CHECK_EQ(WaitForSingleObject(ov[0].hEvent, 10000), WAIT_OBJECT_0);
    CHECK(WSAGetOverlappedResult(s, &ov[0], &n, FALSE, &fl));
    CHECK_EQ(n, 5);
    CHECK(memcmp(b0, "first", 5) == 0);
    /* Bounded wait that must time out: the second receive has no data yet. */
    CHECK_EQ(WaitForSingleObject(ov[1].hEvent, 50), WAIT_TIMEOUT);
    CHECK_ERR(WSAGetOverlappedResult(s, &ov[1], &n, FALSE, &fl), FALSE, WSA_IO_INCOMPLETE);
    send_all(c, "second", 6);
    CHECK_EQ(WaitForSingleObject(ov[1].hEvent, 10000), WAIT_OBJECT_0);
    CHECK(WSAGetOverlappedResult(s, &ov[1], &n, FALSE, &fl));
    CHECK_EQ(n, 6);
    CHECK(memcmp(b1, "second", 6) == 0);
    WSACloseEvent(ov[0].hEvent);
    WSACloseEvent(ov[1].hEvent);
}

/* Many receives in flight, fed a long stream in uneven pieces: concatenating the receives in
 * posting order gives the stream. */
static void many_in_flight(void)
{
    enum { K = 32, LEN = 64 };
    static WSAOVERLAPPED ov[K];
    static char b[K][LEN];
    static WSAEVENT ev[K];
    static char stream[K * LEN];
    unsigned long long got = 0, sent = 0;
    pattern_fill(stream, sizeof stream, 0, 3);
    for (int i = 0; i < K; i++) {
        memset(&ov[i], 0, sizeof ov[i]);
        ev[i] = ov[i].hEvent = WSACreateEvent();
        POST_RECV_PENDING(s, b[i], LEN, &ov[i], NULL);
    }
    /* Receives take what is there (1..LEN bytes), so only the concatenation is checked. */
    int next = 0;
#define CONSUME_NEXT()                                                                             \
    do {                                                                                           \
        DWORD n_ = 0, fl_ = 0;                                                                     \
        CHECK(WSAGetOverlappedResult(s, &ov[next], &n_, FALSE, &fl_));                             \
        CHECK(n_ >= 1 && n_ <= LEN);                                                               \
        if (memcmp(b[next], stream + got, n_) != 0)                                                \
            FAIL("receive %d (%lu bytes) is not stream bytes %llu..", next, (unsigned long)n_,     \
                 got);                                                                             \
        got += n_;                                                                                 \
        WSACloseEvent(ev[next]);                                                                   \
        next++;                                                                                    \
    } while (0)
    while (sent < sizeof stream) {
        size_t piece = 1 + (size_t)(sent * 7 % 300);
        if (piece > sizeof stream - sent)
            piece = (size_t)(sizeof stream - sent);
        send_all(c, stream + sent, piece);
        sent += piece;
        while (next < K && WaitForSingleObject(ev[next], 0) == WAIT_OBJECT_0)
            CONSUME_NEXT();
    }
    while (next < K && got < sent) {
        CHECK_EQ(WaitForSingleObject(ev[next], 10000), WAIT_OBJECT_0);
        CONSUME_NEXT();
    }
    if (got < sent) { /* all receives used up: the rest is still in the socket */
        static char rest[sizeof stream];
        size_t left = (size_t)(sent - got);
        recv_all(s, rest, left);
        CHECK(memcmp(rest, stream + got, left) == 0);
        got += left;
    }
    CHECK_EQ(got, sent);
    /* Receives not needed are still pending: cancel them. */
    for (int i = next; i < K; i++) {
        CHECK(CancelIoEx((HANDLE)s, (LPOVERLAPPED)&ov[i]));
        CHECK_EQ(WaitForSingleObject(ev[i], 10000), WAIT_OBJECT_0);
        DWORD n = 1, fl = 0;
        CHECK_ERR(WSAGetOverlappedResult(s, &ov[i], &n, FALSE, &fl), FALSE, WSA_OPERATION_ABORTED);
        WSACloseEvent(ev[i]);
    }
}

int main(void)
{
    test_init();
    tcp_pair(&c, &s);
    for (int round = 0; round < 200; round++)
        two_by_sixteen_events(round);
    for (int round = 0; round < 100; round++)
        two_by_sixteen_routines(round);
    unequal_sizes();
    data_in_pieces();
    many_in_flight();
    closesocket(c);
    closesocket(s);
    WSACleanup();
    return 0;
}

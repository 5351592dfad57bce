/*
 * SPEC E3: an overlapped stream send completes only when its whole buffer is taken; the byte count
 * (immediate: *lpNumberOfBytesSent; later: WSAGetOverlappedResult / the routine's cbTransferred)
 * equals the total, for many MiB, for several WSABUFs, on a non-blocking socket (SPEC A6), with
 * small socket buffers.  The peer gets every byte in order.  (64 MiB both ways: e3_64mib_pattern.)
 */
#include "wait_helpers.h"

#define MiB (1024u * 1024u)

/* Read `total` bytes of pattern `tag` from s while the send progresses, with overlapped receives
 * (this thread waits inside ovio; the plain blocking recv() case is e3_send_progress_blocking_mt).
 */
static void drain_check(SOCKET s, unsigned long long total, unsigned tag)
{
    static char chunk[65536];
    unsigned long long got = 0;
    while (got < total) {
        size_t want = total - got < sizeof chunk ? (size_t)(total - got) : sizeof chunk;
        DWORD n = ov_recv(s, chunk, want);
        if (n == 0)
            FAIL("end of stream after %llu of %llu", got, total);
        long long bad = pattern_check(chunk, (size_t)n, got, tag);
        if (bad >= 0)
            FAIL("byte %llu wrong", got + (unsigned long long)bad);
        got += (unsigned long long)n;
    }
}

/* One send of nbuf WSABUFs with the given sizes; mode 0 event, 1 routine. */
static void one(SOCKET c, SOCKET s, const ULONG *sizes, int nbuf, int mode, unsigned tag)
{
    WSABUF wb[4];
    unsigned long long total = 0;
    for (int i = 0; i < nbuf; i++) {
        wb[i].len = sizes[i];
        wb[i].buf = malloc(sizes[i] ? sizes[i] : 1);
        CHECK(wb[i].buf != NULL);
        pattern_fill(wb[i].buf, sizes[i], total, tag);
        total += sizes[i];
    }
    static io_rec r;
    io_rec_init(&r, (int)tag);
    if (mode == 0)
        r.ov.hEvent = WSACreateEvent();
    DWORD sent = 0xFFFFFFFF;
    int rc = ISSUE(WSASend(c, wb, (DWORD)nbuf, &sent, 0, &r.ov, mode ? rec_routine : NULL));
    int err = WSAGetLastError();
    if (rc == 0) {
        CHECK_EQ(sent, total); /* an immediate success is the whole buffer too */
    } else {
        CHECK_EQ(rc, SOCKET_ERROR);
        CHECK_EQ(err, WSA_IO_PENDING);
        CHECK_EQ(sent, 0xFFFFFFFF); /* not written while pending (SPEC A2) */
    }
    drain_check(s, total, tag);
    if (mode == 0) {
        CHECK_EQ(WaitForSingleObject(r.ov.hEvent, 10000), WAIT_OBJECT_0);
        DWORD n = 0, fl = 0;
        CHECK(WSAGetOverlappedResult(c, &r.ov, &n, FALSE, &fl));
        CHECK_EQ(n, total);
        CHECK_EQ(r.ov.InternalHigh, total);
        WSACloseEvent(r.ov.hEvent);
    } else {
        CHECK_EQ(ALERTABLE(SleepEx(10000, TRUE)), WAIT_IO_COMPLETION);
        CHECK_EQ(rec_calls(&r), 1);
        CHECK_EQ(r.err, 0);
        CHECK_EQ(r.bytes, total);
    }
    for (int i = 0; i < nbuf; i++)
        free(wb[i].buf);
}

int main(void)
{
    test_init();
    SOCKET c, s;
    static const ULONG big[] = {16 * MiB};
    static const ULONG multi[] = {1 * MiB, 3, 5 * MiB + 17, 0};
    static const ULONG small[] = {100 * 1024};

    /* 1. default buffers */
    tcp_pair(&c, &s);
    one(c, s, small, 1, 0, 1);
    one(c, s, big, 1, 0, 2);
    one(c, s, big, 1, 1, 3);
    one(c, s, multi, 4, 0, 4);
    one(c, s, multi, 4, 1, 5);

    /* 2. non-blocking socket: overlapped sends still take everything (SPEC A6) */
    u_long nb = 1;
    CHECK(ioctlsocket(c, FIONBIO, &nb) == 0);
    one(c, s, big, 1, 0, 6);
    one(c, s, multi, 4, 1, 7);
    closesocket(c);
    closesocket(s);

    /* 3. small socket buffers: the kernel takes the data in many short writes */
    tcp_pair(&c, &s);
    small_send_buffers(c, s);
    one(c, s, big, 1, 0, 8);
    one(c, s, multi, 4, 1, 9);
    CHECK(ioctlsocket(c, FIONBIO, &nb) == 0);
    one(c, s, multi, 4, 0, 10);
    closesocket(c);
    closesocket(s);

    WSACleanup();
    return 0;
}

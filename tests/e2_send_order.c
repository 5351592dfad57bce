/*
 * SPEC E2: sends posted on one stream socket go out in posting order, never interleaved - also
 * when they pend and the kernel takes them in pieces (small socket buffers force partial writes).
 * Each send carries a slice of one offset-dependent pattern, so a reordered, interleaved, repeated
 * or lost piece shows up as a wrong byte at a known offset.  Completion counts are whole (SPEC E3)
 * and routines run in posting order.
 */
#include "wait_helpers.h"

#define NSEND 24

static size_t send_len(int i)
{
    static const size_t sizes[] = {1, 7,      4096, 65536,  100, 300000,
                                   2, 131072, 999,  524288, 5,   40000};
    return sizes[i % (int)(sizeof sizes / sizeof sizes[0])];
}

static void run(int use_routines, int small_buffers)
{
    SOCKET cc, ss;
    tcp_pair(&cc, &ss);
    if (small_buffers)
        small_send_buffers(cc, ss);
    static io_rec r[NSEND];
    static char *buf[NSEND];
    unsigned long long off = 0, total = 0;
    atomic_store(&wh_seq, 0);
    for (int i = 0; i < NSEND; i++) {
        size_t len = send_len(i);
        buf[i] = malloc(len);
        CHECK(buf[i] != NULL);
        pattern_fill(buf[i], len, off, 11);
        off += len;
        io_rec_init(&r[i], i);
        if (!use_routines) {
            r[i].ov.hEvent = WSACreateEvent();
            CHECK(r[i].ov.hEvent != WSA_INVALID_EVENT);
        }
        ISSUED_OK(post_send(cc, buf[i], (ULONG)len, &r[i].ov, use_routines ? rec_routine : NULL));
    }
    total = off;

    /* Read the whole stream on the other side and check every byte's position.  (Overlapped
     * receives: the thread waits inside ovio, as a Windows program waiting for I/O would.) */
    static char chunk[65536];
    unsigned long long got = 0;
    while (got < total) {
        size_t want = total - got < sizeof chunk ? (size_t)(total - got) : sizeof chunk;
        DWORD n = ov_recv(ss, chunk, want);
        if (n == 0)
            FAIL("end of stream after %llu of %llu bytes", got, total);
        long long bad = pattern_check(chunk, (size_t)n, got, 11);
        if (bad >= 0)
            FAIL("stream byte %llu is wrong: sends reordered or interleaved (routines=%d small=%d)",
                 got + (unsigned long long)bad, use_routines, small_buffers);
        got += (unsigned long long)n;
    }

    /* Every send completed whole. */
    if (use_routines) {
        int done = 0;
        while (done < NSEND) {
            CHECK_EQ(ALERTABLE(SleepEx(10000, TRUE)), WAIT_IO_COMPLETION);
            done = 0;
            for (int i = 0; i < NSEND; i++)
                done += rec_calls(&r[i]);
        }
        for (int i = 0; i < NSEND; i++) {
            CHECK_EQ(rec_calls(&r[i]), 1);
            CHECK_EQ(r[i].err, 0);
            CHECK_EQ(r[i].bytes, send_len(i));
            CHECK_EQ(r[i].seq, i + 1); /* completions in posting order */
        }
    } else {
        for (int i = 0; i < NSEND; i++) {
            CHECK_EQ(WaitForSingleObject(r[i].ov.hEvent, 10000), WAIT_OBJECT_0);
            DWORD n = 0, fl = 0;
            CHECK(WSAGetOverlappedResult(cc, &r[i].ov, &n, FALSE, &fl));
            CHECK_EQ(n, send_len(i));
            WSACloseEvent(r[i].ov.hEvent);
        }
    }
    for (int i = 0; i < NSEND; i++)
        free(buf[i]);
    closesocket(cc);
    closesocket(ss);
}

int main(void)
{
    test_init();
    run(0, 0);
    run(0, 1);
    run(1, 0);
    run(1, 1);
    WSACleanup();
    return 0;
}

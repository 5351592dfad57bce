/*
 * SPEC E2 with several issuing threads: sends posted concurrently on one stream socket from three
 * threads are never interleaved - each send's bytes appear contiguously in the stream - and each
 * thread's sends appear in the order that thread posted them.  Small socket buffers force the
 * sends to pend and the kernel to take them in pieces.  Each thread keeps several sends in flight
 * (with events) and reuses a slot only after its completion (whole count, SPEC E3).
 */
#include "wait_helpers.h"

#define THREADS 3
#define PER_THREAD 150
#define INFLIGHT 6
#define MAGIC 0x0B10C4ED

struct hdr {
    unsigned magic, thread, seq, len; /* len: body bytes after the header */
};

static SOCKET c, s;

static size_t body_len(unsigned t, unsigned seq)
{
    unsigned x = (t + 1) * 2654435761u ^ seq * 40503u;
    switch (x % 4) {
    case 0:
        return x % 17;
    case 1:
        return 1000 + x % 5000;
    case 2:
        return 30000 + x % 70000;
    default:
        return 100 + x % 900;
    }
}

static DWORD WINAPI poster(LPVOID arg)
{
    unsigned t = (unsigned)(ULONG_PTR)arg;
    WSAOVERLAPPED ov[INFLIGHT];
    char *buf[INFLIGHT];
    size_t len[INFLIGHT] = {0};
    int used[INFLIGHT] = {0};
    for (int k = 0; k < INFLIGHT; k++) {
        memset(&ov[k], 0, sizeof ov[k]);
        ov[k].hEvent = WSACreateEvent();
        CHECK(ov[k].hEvent != WSA_INVALID_EVENT);
        buf[k] = malloc(sizeof(struct hdr) + 100000);
        CHECK(buf[k] != NULL);
    }
    for (unsigned seq = 0; seq < PER_THREAD; seq++) {
        int k = (int)(seq % INFLIGHT);
        if (used[k]) { /* wait for the send that used this slot */
            CHECK_EQ(WaitForSingleObject(ov[k].hEvent, 20000), WAIT_OBJECT_0);
            DWORD n = 0, fl = 0;
            CHECK(WSAGetOverlappedResult(c, &ov[k], &n, FALSE, &fl));
            CHECK_EQ(n, len[k]);
        }
        struct hdr h = {MAGIC, t, seq, (unsigned)body_len(t, seq)};
        memcpy(buf[k], &h, sizeof h);
        pattern_fill(buf[k] + sizeof h, h.len, 0, t * 1000 + seq);
        len[k] = sizeof h + h.len;
        WSAEVENT e = ov[k].hEvent;
        memset(&ov[k], 0, sizeof ov[k]);
        ov[k].hEvent = e;
        ISSUED_OK(post_send(c, buf[k], (ULONG)len[k], &ov[k], NULL));
        used[k] = 1;
    }
    /* Do not exit with sends pending (a thread's exit cancels them, SPEC E9). */
    for (int k = 0; k < INFLIGHT; k++) {
        if (used[k]) {
            CHECK_EQ(WaitForSingleObject(ov[k].hEvent, 20000), WAIT_OBJECT_0);
            DWORD n = 0, fl = 0;
            CHECK(WSAGetOverlappedResult(c, &ov[k], &n, FALSE, &fl));
            CHECK_EQ(n, len[k]);
        }
        WSACloseEvent(ov[k].hEvent);
        free(buf[k]);
    }
    return 0;
}

int main(void)
{
    test_init();
    tcp_pair(&c, &s);
    small_send_buffers(c, s);

    HANDLE th[THREADS];
    for (unsigned t = 0; t < THREADS; t++) {
        th[t] = CreateThread(NULL, 0, poster, (LPVOID)(ULONG_PTR)t, 0, NULL);
        CHECK(th[t] != NULL);
    }

    unsigned next[THREADS] = {0};
    static char body[100000];
    for (unsigned total = 0; total < THREADS * PER_THREAD; total++) {
        struct hdr h;
        ov_recv_all(s, &h, sizeof h);
        if (h.magic != MAGIC || h.thread >= THREADS)
            FAIL("block %u: bad header (magic %#x thread %u): sends interleaved", total, h.magic,
                 h.thread);
        if (h.seq != next[h.thread])
            FAIL("thread %u: block %u arrived, expected %u: sends reordered", h.thread, h.seq,
                 next[h.thread]);
        CHECK_EQ(h.len, body_len(h.thread, h.seq));
        ov_recv_all(s, body, h.len);
        long long bad = pattern_check(body, h.len, 0, h.thread * 1000 + h.seq);
        if (bad >= 0)
            FAIL("thread %u block %u: byte %lld wrong: sends interleaved", h.thread, h.seq, bad);
        next[h.thread]++;
    }
    CHECK_EQ(WaitForMultipleObjects(THREADS, th, TRUE, 20000), WAIT_OBJECT_0);
    for (unsigned t = 0; t < THREADS; t++) {
        DWORD code = 1;
        CHECK(GetExitCodeThread(th[t], &code));
        CHECK_EQ(code, 0);
        CloseHandle(th[t]);
    }
    /* nothing more in the stream */
    CHECK_EQ(shutdown(c, SD_SEND), 0);
    char x;
    CHECK_EQ(ov_recv(s, &x, 1), 0);
    closesocket(c);
    closesocket(s);
    WSACleanup();
    return 0;
}

/*
 * SPEC E3 (with E1, E2, B5): 64 MiB in each direction at the same time through overlapped
 * WSASend/WSARecv on one connected pair, driven by one thread with events only, every byte checked
 * against an offset-dependent pattern.  Each side keeps two sends (odd sizes, several MiB) and
 * three receives in flight.  Every send completes with its whole length; receives, consumed in
 * posting order, reassemble the stream exactly.  Run twice: default buffers, then SO_SNDBUF of
 * 4 KiB on both sockets (SO_RCVBUF 64 KiB, see small_send_buffers), which forces the kernel to
 * take each multi-MiB send in thousands of short pieces.
 */
#include "wait_helpers.h"

#define TOTAL (64ull * 1024 * 1024)
#define SEND_CHUNK (4u * 1024 * 1024 + 4099) /* odd: pieces never line up with anything */
#define RECV_BUF (256u * 1024 + 13)
#define NSEND 2
#define NRECV 3

struct slot {
    WSAOVERLAPPED ov;
    char *buf;
    DWORD len;
    int busy;
    unsigned long long off; /* stream offset of a send */
};

struct dir {
    const char *name;
    SOCKET tx, rx;
    unsigned tag;
    struct slot snd[NSEND];
    unsigned long long posted, sent_done;
    struct slot rcv[NRECV];
    int rcv_head; /* oldest receive: receives are consumed in posting order (SPEC E1) */
    unsigned long long received;
    int recvs, immediate_recvs, immediate_sends;
};

static void slot_init(struct slot *sl, size_t bufsize)
{
    memset(sl, 0, sizeof *sl);
    sl->buf = malloc(bufsize);
    CHECK(sl->buf != NULL);
    sl->ov.hEvent = WSACreateEvent();
    CHECK(sl->ov.hEvent != WSA_INVALID_EVENT);
}

static void slot_reset_ov(struct slot *sl)
{
    WSAEVENT e = sl->ov.hEvent;
    memset(&sl->ov, 0, sizeof sl->ov);
    sl->ov.hEvent = e;
    CHECK(WSAResetEvent(e)); /* issuing resets it too (SPEC B5); not what this test is about */
}

static void post_rcv(struct dir *d, int k)
{
    struct slot *sl = &d->rcv[k];
    slot_reset_ov(sl);
    sl->busy = 1;
    int rc = post_recv(d->rx, sl->buf, RECV_BUF, &sl->ov, NULL);
    ISSUED_OK(rc);
    if (rc == 0)
        d->immediate_recvs++;
}

static void post_snd(struct dir *d, int k)
{
    struct slot *sl = &d->snd[k];
    unsigned long long left = TOTAL - d->posted;
    sl->len = (DWORD)(left < SEND_CHUNK ? left : SEND_CHUNK);
    sl->off = d->posted;
    pattern_fill(sl->buf, sl->len, sl->off, d->tag);
    slot_reset_ov(sl);
    sl->busy = 1;
    DWORD n = 0;
    WSABUF wb;
    wb.len = sl->len;
    wb.buf = sl->buf;
    int rc = ISSUE(WSASend(d->tx, &wb, 1, &n, 0, &sl->ov, NULL));
    ISSUED_OK(rc);
    if (rc == 0) {
        CHECK_EQ(n, sl->len);
        d->immediate_sends++;
    }
    d->posted += sl->len;
}

/* Handle whatever of d has completed; returns how many completions were handled. */
static int progress(struct dir *d)
{
    int handled = 0;
    /* sends: any that completed (each carries its stream offset, fixed when it was posted) */
    for (int k = 0; k < NSEND; k++) {
        struct slot *sl = &d->snd[k];
        if (!sl->busy || !event_is_set(sl->ov.hEvent))
            continue;
        DWORD n = 0, fl = 0;
        if (!WSAGetOverlappedResult(d->tx, &sl->ov, &n, FALSE, &fl))
            FAIL("%s: send at %llu failed: %d", d->name, sl->off, WSAGetLastError());
        if (n != sl->len)
            FAIL("%s: send at %llu completed with %lu of %lu bytes (SPEC E3)", d->name, sl->off,
                 (unsigned long)n, (unsigned long)sl->len);
        sl->busy = 0;
        d->sent_done += n;
        handled++;
        if (d->posted < TOTAL)
            post_snd(d, k);
    }
    /* receives, in posting order */
    while (d->rcv[d->rcv_head].busy && event_is_set(d->rcv[d->rcv_head].ov.hEvent)) {
        struct slot *sl = &d->rcv[d->rcv_head];
        DWORD n = 0, fl = 0;
        if (!WSAGetOverlappedResult(d->rx, &sl->ov, &n, FALSE, &fl))
            FAIL("%s: receive failed: %d", d->name, WSAGetLastError());
        if (n == 0)
            FAIL("%s: end of stream after %llu bytes", d->name, d->received);
        long long bad = pattern_check(sl->buf, n, d->received, d->tag);
        if (bad >= 0)
            FAIL("%s: stream byte %llu wrong", d->name, d->received + (unsigned long long)bad);
        d->received += n;
        d->recvs++;
        sl->busy = 0;
        handled++;
        if (d->received < TOTAL)
            post_rcv(d, d->rcv_head);
        d->rcv_head = (d->rcv_head + 1) % NRECV;
    }
    return handled;
}

static int done(const struct dir *d)
{
    return d->sent_done == TOTAL && d->received == TOTAL;
}

static void run(int small)
{
    SOCKET c, s;
    tcp_pair(&c, &s);
    if (small) {
        small_send_buffers(c, s);
        small_send_buffers(s, c);
    }
    static struct dir d[2];
    memset(d, 0, sizeof d);
    d[0].name = "client->server";
    d[0].tx = c;
    d[0].rx = s;
    d[0].tag = 21;
    d[1].name = "server->client";
    d[1].tx = s;
    d[1].rx = c;
    d[1].tag = 42;
    for (int i = 0; i < 2; i++) {
        for (int k = 0; k < NSEND; k++)
            slot_init(&d[i].snd[k], SEND_CHUNK);
        for (int k = 0; k < NRECV; k++)
            slot_init(&d[i].rcv[k], RECV_BUF);
        for (int k = 0; k < NRECV; k++)
            post_rcv(&d[i], k);
        for (int k = 0; k < NSEND; k++)
            post_snd(&d[i], k);
    }

    ULONGLONG t0 = now_ms();
    while (!done(&d[0]) || !done(&d[1])) {
        WSAEVENT ev[2 * NSEND + 2 * NRECV];
        DWORD n = 0;
        for (int i = 0; i < 2; i++) {
            for (int k = 0; k < NSEND; k++)
                if (d[i].snd[k].busy)
                    ev[n++] = d[i].snd[k].ov.hEvent;
            if (d[i].rcv[d[i].rcv_head].busy && d[i].received < TOTAL)
                ev[n++] = d[i].rcv[d[i].rcv_head].ov.hEvent;
        }
        CHECK(n > 0);
        DWORD w = WSAWaitForMultipleEvents(n, ev, FALSE, 20000, FALSE);
        if (w == WSA_WAIT_TIMEOUT)
            FAIL("stalled: %s sent %llu/recv %llu, %s sent %llu/recv %llu", d[0].name,
                 d[0].sent_done, d[0].received, d[1].name, d[1].sent_done, d[1].received);
        CHECK(w < WSA_WAIT_EVENT_0 + n);
        int h = progress(&d[0]) + progress(&d[1]);
        CHECK(h > 0); /* the signalled event belonged to a completed operation */
    }
    fprintf(stderr,
            "%s %s buffers: 2 x 64 MiB in %llu ms; receives %d/%d (%d/%d at once), "
            "sends at once %d/%d\n",
            test_engine(), small ? "4 KiB send" : "default", (unsigned long long)(now_ms() - t0),
            d[0].recvs, d[1].recvs, d[0].immediate_recvs, d[1].immediate_recvs,
            d[0].immediate_sends, d[1].immediate_sends);

    /* The receives still posted are pending (no more data): cancel them, then clean up. */
    for (int i = 0; i < 2; i++) {
        for (int k = 0; k < NRECV; k++) {
            struct slot *sl = &d[i].rcv[k];
            if (sl->busy) {
                CHECK(CancelIoEx((HANDLE)d[i].rx, (LPOVERLAPPED)&sl->ov));
                CHECK_EQ(WaitForSingleObject(sl->ov.hEvent, 10000), WAIT_OBJECT_0);
                DWORD n = 1, fl = 0;
                CHECK_ERR(WSAGetOverlappedResult(d[i].rx, &sl->ov, &n, FALSE, &fl), FALSE,
                          WSA_OPERATION_ABORTED);
            }
            WSACloseEvent(sl->ov.hEvent);
            free(sl->buf);
        }
        for (int k = 0; k < NSEND; k++) {
            WSACloseEvent(d[i].snd[k].ov.hEvent);
            free(d[i].snd[k].buf);
        }
    }
    closesocket(c);
    closesocket(s);
}

int main(void)
{
    test_init();
    alarm(110); /* 256 MiB of pattern work under sanitizers; tests/run.sh allows 120 s */
    run(0);
    run(1);
    WSACleanup();
    return 0;
}

/*
 * SPEC D4: a completion routine may issue new overlapped operations (here: the receive routine
 * echoes what it got with a WSASend and re-posts the receive with the same OVERLAPPED, the classic
 * echo server of the chapter), and routines for one socket never nest - even when the operation a
 * routine issues completes at once (data already queued), its routine runs later, after the current
 * one returned (SPEC A4: never inside the issuing call).
 *
 * wh_routine_enter() fails the test on nesting, on a routine run inside an issuing call, in
 * another thread, or outside an alertable wait.
 */
#include "wait_helpers.h"

#define ROUNDS 300
#define SLOTS 64

static SOCKET c, s;
static DWORD main_tid;

static struct {
    WSAOVERLAPPED ov; /* first member: cast back from the routine's LPWSAOVERLAPPED */
    char buf[512];
} rx;

static struct send_slot {
    WSAOVERLAPPED ov;
    char buf[512];
    DWORD len;
    int busy;
} slots[SLOTS];

static unsigned long long rx_total;     /* bytes received by the routine chain */
static unsigned long long echoed_total; /* bytes whose echo send completed */
static int recv_routines, send_routines, recvs_issued, sends_issued;
static int recv_immediate, eof_seen;

static void CALLBACK send_done(DWORD err, DWORD bytes, LPWSAOVERLAPPED ov, DWORD flags)
{
    wh_routine_enter(main_tid, "send routine");
    struct send_slot *sl = (struct send_slot *)ov;
    CHECK_EQ(err, 0);
    CHECK_EQ(flags, 0);
    CHECK(sl->busy);
    CHECK_EQ(bytes, sl->len); /* whole send (SPEC E3) */
    sl->busy = 0;
    echoed_total += bytes;
    send_routines++;
    wh_routine_leave();
}

static void post_rx(void);

static void CALLBACK recv_done(DWORD err, DWORD bytes, LPWSAOVERLAPPED ov, DWORD flags)
{
    wh_routine_enter(main_tid, "receive routine");
    CHECK(ov == &rx.ov);
    CHECK_EQ(err, 0);
    CHECK_EQ(flags, 0);
    recv_routines++;
    if (bytes == 0) {
        eof_seen = 1;
        wh_routine_leave();
        return;
    }
    long long bad = pattern_check(rx.buf, bytes, rx_total, 7);
    if (bad >= 0)
        FAIL("received byte %llu wrong", rx_total + (unsigned long long)bad);
    rx_total += bytes;

    /* Issue a send from inside the routine: echo what arrived. */
    struct send_slot *sl = NULL;
    for (int i = 0; i < SLOTS; i++)
        if (!slots[i].busy) {
            sl = &slots[i];
            break;
        }
    CHECK(sl != NULL);
    memset(&sl->ov, 0, sizeof sl->ov);
    memcpy(sl->buf, rx.buf, bytes);
    sl->len = bytes;
    sl->busy = 1;
    sends_issued++;
    ISSUED_OK(post_send(s, sl->buf, bytes, &sl->ov, send_done));

    /* And the next receive, reusing this (completed) OVERLAPPED. */
    post_rx();
    wh_routine_leave();
}

static void post_rx(void)
{
    memset(&rx.ov, 0, sizeof rx.ov);
    recvs_issued++;
    int rc = post_recv(s, rx.buf, sizeof rx.buf, &rx.ov, recv_done);
    ISSUED_OK(rc);
    if (rc == 0)
        recv_immediate++;
}

int main(void)
{
    test_init();
    main_tid = GetCurrentThreadId();
    tcp_pair(&c, &s);

    post_rx();
    unsigned long long sent = 0, checked = 0;
    static char msg[1024], echo[1024];
    for (int round = 0; round < ROUNDS; round++) {
        /* One or two messages before the thread waits: with two, the second is already queued
         * when the routine re-posts, so that receive tends to complete at once. */
        int msgs = (round % 3 == 0) ? 2 : 1;
        unsigned long long start = sent;
        for (int m = 0; m < msgs; m++) {
            size_t len = 1 + (size_t)((round * 37 + m * 101) % 300);
            pattern_fill(msg, len, sent, 7);
            send_all(c, msg, len);
            sent += len;
        }
        RUN_UNTIL(rx_total == sent);
        /* the echo arrives through sends issued by routines */
        size_t n = (size_t)(sent - start);
        recv_all(c, echo, n);
        long long bad = pattern_check(echo, n, checked, 7);
        if (bad >= 0)
            FAIL("echoed byte %llu wrong", checked + (unsigned long long)bad);
        checked += n;
    }
    RUN_UNTIL(echoed_total == sent);

    /* End of stream: the last posted receive completes with 0 and the chain stops. */
    CHECK_EQ(shutdown(c, SD_SEND), 0);
    RUN_UNTIL(eof_seen);
    CHECK_EQ(recv_routines, recvs_issued);
    CHECK_EQ(send_routines, sends_issued);
    /* nothing left queued (bounded wait that must time out) */
    CHECK_EQ(ALERTABLE(SleepEx(30, TRUE)), 0);
    fprintf(stderr, "%s: %d receives (%d completed at once), %d sends\n", test_engine(),
            recvs_issued, recv_immediate, sends_issued);

    closesocket(c);
    closesocket(s);
    WSACleanup();
    return 0;
}

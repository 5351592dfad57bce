/*
 * cq_overflow.c - more completions at once than the io_uring completion queue holds (SPEC G5:
 * "ring full" is never a lost completion).  ovio's ring has a 16384-entry CQ with NODROP; this
 * puts ~19,000 receives in the kernel at once, with more queued behind each, and makes them all
 * complete while nobody reaps, so the kernel must keep the excess on its overflow list.
 *
 *   cq_overflow [CONNS [PER_CONN [HOLD_MS]]]   (default 19000 connections x 3 receives, 1500 ms)
 *
 * A child process (forked before WSAStartup, plain Linux sockets) opens CONNS connections to
 * the parent.  The parent posts PER_CONN receives of 16 bytes on each (WSARecv with a completion
 * routine; only the first of each socket is in the kernel, the rest wait in ovio's queue) - CONNS
 * x PER_CONN pending receives in all.  Then it queues an APC to itself and enters an alertable
 * wait: inside the APC (where nothing reaps completions: the thread is busy, no other thread
 * polls while it is in a wait) it tells the child to write PER_CONN x 16 bytes on every
 * connection and close it, and sleeps HOLD_MS, sampling the ring's CQ and overflow list
 * (/proc/self/fdinfo).  Then it lets the completions in: every receive must complete exactly
 * once, in order, with the right 16 bytes of its connection (the routine re-posts a receive
 * until the end of each stream is seen), and every connection must end with 0 bytes (EOF) after
 * exactly PER_CONN x 16 bytes.  The RLIMIT_NOFILE hard limit (20000 here) bounds CONNS; the
 * figure printed says how many completions were waiting at once.
 */
#include "wsx.h"

#define CHUNK 16

typedef struct rec {
    WSAOVERLAPPED ov; /* first */
    struct cn *conn;
    int pending;
    char buf[CHUNK];
} rec;

typedef struct cn {
    SOCKET s;
    uint64_t off;
    int eof;
    int outstanding;
    rec *recs;
} cn;

static cn *g_conns;
static long g_nconns, g_per;
static long g_completions, g_issued, g_eofs, g_bytes;
static int g_cmd[2], g_res[2];
static int g_hold_ms;
static long g_peak_cqes, g_peak_overflow, g_rings;

static void post(rec *r);

static void CALLBACK on_recv(DWORD err, DWORD bytes, LPWSAOVERLAPPED ov, DWORD flags)
{
    (void)flags;
    rec *r = (rec *)ov;
    cn *c = r->conn;
    if (!r->pending)
        WSX_FAIL("a receive completed twice");
    r->pending = 0;
    c->outstanding--;
    g_completions++;
    if (err != 0)
        WSX_FAIL("receive on connection %ld failed: %lu", (long)(c - g_conns), (unsigned long)err);
    if (c->eof)
        WSX_FAIL("connection %ld: a receive completed after the end of the stream",
                 (long)(c - g_conns));
    if (bytes == 0) {
        c->eof = 1;
        g_eofs++;
        if (c->off != (uint64_t)g_per * CHUNK)
            WSX_FAIL("connection %ld ended after %llu bytes, wanted %ld", (long)(c - g_conns),
                     (unsigned long long)c->off, g_per * CHUNK);
        return;
    }
    size_t bad = su_pattern_check((uint64_t)(c - g_conns), c->off, r->buf, bytes);
    if (bad != bytes)
        WSX_FAIL("connection %ld: byte %llu wrong (lost, duplicated or reordered)",
                 (long)(c - g_conns), (unsigned long long)(c->off + bad));
    c->off += bytes;
    g_bytes += bytes;
    /* keep a receive pending until the end of the stream is seen */
    if (c->outstanding == 0)
        post(r);
}

static void post(rec *r)
{
    memset(&r->ov, 0, sizeof r->ov);
    WSABUF w = {CHUNK, r->buf};
    DWORD fl = 0;
    r->pending = 1;
    r->conn->outstanding++;
    g_issued++;
    int rc = WSARecv(r->conn->s, &w, 1, NULL, &fl, &r->ov, on_recv);
    if (rc == SOCKET_ERROR && WSAGetLastError() != WSA_IO_PENDING)
        WSX_FAIL("WSARecv: %d", WSAGetLastError());
}

/* The APC: the completions happen while this thread is busy here and nobody reaps them. */
static void CALLBACK burst(ULONG_PTR arg)
{
    (void)arg;
    char go = 'g';
    WSX_CHECK(su_write_full(g_cmd[1], &go, 1) == 0);
    char done;
    WSX_CHECK(su_read_full(g_res[0], &done, 1) == 0); /* the child wrote and closed all */
    double end = su_now() + g_hold_ms / 1000.0;
    while (su_now() < end) {
        long cqes, ovf;
        g_rings = su_uring_cq_state(0, &cqes, &ovf);
        if (cqes + ovf > g_peak_cqes + g_peak_overflow) {
            g_peak_cqes = cqes;
            g_peak_overflow = ovf;
        }
        su_sleep_ms(100);
    }
}

static void child(int port, long n, long per)
{
    int *fds = malloc((size_t)n * sizeof *fds);
    char ack = 'c';
    for (long i = 0; i < n; i++) {
        fds[i] = su_tcp_connect(port);
        if (fds[i] < 0) {
            fprintf(stderr, "child: connect %ld: %d\n", i, fds[i]);
            su_exit_now(3);
        }
    }
    su_write_full(g_res[1], &ack, 1);
    char go;
    if (su_read_full(g_cmd[0], &go, 1) < 0)
        su_exit_now(4);
    char *data = malloc((size_t)per * CHUNK);
    for (long i = 0; i < n; i++) {
        su_pattern_fill((uint64_t)i, 0, data, (size_t)per * CHUNK);
        if (su_write_full(fds[i], data, (size_t)per * CHUNK) < 0)
            su_exit_now(5);
    }
    for (long i = 0; i < n; i++)
        su_close(fds[i]);
    su_write_full(g_res[1], &ack, 1);
    su_exit_now(0);
}

int main(int argc, char **argv)
{
    long want = argc > 1 ? atol(argv[1]) : 19000;
    g_per = argc > 2 ? atol(argv[2]) : 3;
    g_hold_ms = argc > 3 ? atoi(argv[3]) : 1500;
    long hard = su_nofile_raise(0);
    g_nconns = want < hard - 64 ? want : hard - 64;
    int port = 0;
    int lfd = su_tcp_listen(&port, 4096); /* only to reserve a port for the child to use */
    su_close(lfd);
    WSX_CHECK(su_pipe(g_cmd) == 0 && su_pipe(g_res) == 0);
    WSX_CHECK(port > 0);
    /* The child connects after the parent listens: it waits for the first command byte. */
    int pid = su_fork();
    if (pid == 0) {
        char start;
        if (su_read_full(g_cmd[0], &start, 1) < 0)
            su_exit_now(2);
        child(port, g_nconns, g_per);
    }
    wsx_start("cq_overflow", 600);
    SOCKET l = WSASocket(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_OVERLAPPED);
    BOOL on = TRUE;
    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, (const char *)&on, sizeof on);
    SOCKADDR_IN la = wsx_loopback((u_short)port);
    WSX_CHECK(bind(l, (SOCKADDR *)&la, sizeof la) == 0);
    WSX_CHECK(listen(l, SOMAXCONN) == 0);
    char start = 's';
    WSX_CHECK(su_write_full(g_cmd[1], &start, 1) == 0);
    double t0 = su_now();
    g_conns = calloc((size_t)g_nconns, sizeof *g_conns);
    for (long i = 0; i < g_nconns; i++) {
        SOCKET s = accept(l, NULL, NULL);
        if (s == INVALID_SOCKET)
            WSX_FAIL("accept %ld: %d", i, WSAGetLastError());
        g_conns[i].s = s;
    }
    char ack;
    WSX_CHECK(su_read_full(g_res[0], &ack, 1) == 0);
    double t_accept = su_now() - t0;
    /* The child connected in order; accept order is the same (one listener, one client). */
    t0 = su_now();
    for (long i = 0; i < g_nconns; i++) {
        cn *c = &g_conns[i];
        c->recs = calloc((size_t)g_per + 1, sizeof *c->recs);
        for (long k = 0; k < g_per + 1; k++) {
            c->recs[k].conn = c;
            post(&c->recs[k]);
        }
    }
    long pending0 = g_issued;
    double t_post = su_now() - t0;
    t0 = su_now();
    WSX_CHECK(QueueUserAPC(burst, GetCurrentThread(), 0));
    WSX_CHECK_EQ(SleepEx(INFINITE, TRUE), WAIT_IO_COMPLETION);
    double deadline = su_now() + 120;
    while (g_eofs < g_nconns && su_now() < deadline)
        SleepEx(100, TRUE);
    double t_done = su_now() - t0;
    if (g_eofs != g_nconns)
        WSX_FAIL("%ld of %ld connections never saw their end (%ld of %ld receives completed): "
                 "completions lost",
                 g_nconns - g_eofs, g_nconns, g_completions, g_issued);
    /* quiet period: nothing more */
    long before = g_completions;
    SleepEx(50, TRUE);
    WSX_CHECK_EQ(g_completions, before);
    WSX_CHECK_EQ(g_completions, g_issued);
    int st = -1;
    su_wait_pid(pid, 10000, &st);
    wsx_figure("connections", "%ld (accepted in %.1f s)", g_nconns, t_accept);
    wsx_figure("receives pending at once",
               "%ld (%ld per connection, posted in %.2f s; one per "
               "connection in the kernel)",
               pending0, g_per + 1, t_post);
    if (g_rings)
        wsx_figure("io_uring CQ while nobody reaped",
                   "%ld CQEs in the ring + %ld on the kernel "
                   "overflow list (peak)",
                   g_peak_cqes, g_peak_overflow);
    else
        wsx_figure("io_uring CQ while nobody reaped", "no ring (epoll engine)");
    wsx_figure("receives completed",
               "%ld, each exactly once; %ld bytes checked; %ld ends of "
               "stream; %.2f s",
               g_completions, g_bytes, g_eofs, t_done);
    if (st != 0)
        WSX_FAIL("the client process exited with %d", st);
    for (long i = 0; i < g_nconns; i++) {
        closesocket(g_conns[i].s);
        free(g_conns[i].recs);
    }
    free(g_conns);
    closesocket(l);
    WSACleanup();
    printf("PASS\n");
    return 0;
}

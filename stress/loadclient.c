/*
 * loadclient.c - the load client of the server-side stress scenarios (plain Linux, epoll; it
 * never calls ovio, so what it checks is only what an ovio echo server sends back).
 *
 *   loadclient MODE [options] -- SERVER [ARGS...]     ("{port}" in ARGS becomes the port)
 *
 * It starts the server itself (stdout/stderr to --log), with RLIMIT_NOFILE raised to the hard
 * limit (or set to --server-nofile), raises its own, waits until the port accepts, runs MODE, then
 * stops the server with SIGTERM and requires it to exit cleanly (status 0).
 *
 * Every connection is a byte stream whose byte k is a function of (connection id, k)
 * (sutil.h), so every byte that comes back is checked against the byte expected at that offset:
 * any loss, duplication, reordering or cross-connection mix-up is a mismatch.
 *
 * Modes:
 *   conns   --conns N --bytes B --rounds R --hold-ms H
 *           N connections (connected in batches, each accepted by the server, which then holds
 *           a pending overlapped receive on it), held H ms, then R echo rounds of B bytes on all
 *           of them at once; all closed; the server's descriptors return to their level before.
 *   bulk    --conns N --bytes TOTAL
 *           TOTAL bytes echoed across N connections at once, every byte checked.
 *   resets  --conns L --resets R --parallel K --rss-bound KIB
 *           L connections stream echo traffic throughout; meanwhile R connections, K at a time,
 *           send up to 256 KiB each and are reset (SO_LINGER {1,0} + close) at a random point of
 *           the transfer.  After a warm-up (R/10 resets) the server's fd count and VmRSS are
 *           taken; after the rest, the fd count must be back to that level and VmRSS within
 *           KIB of it; the background streams must be intact and new connections served.
 *   emfile  --conns N --server-nofile F
 *           the server runs with RLIMIT_NOFILE = F; N > F connections each want one echo.  Some
 *           must wait (the server's accept fails with WSAEMFILE, in its log); once the served
 *           ones close, every waiting one must be served.
 *
 * Prints its figures as "name: value" lines and a last line "PASS" or "FAIL: reason".
 * Exit status 0 on pass, 1 on fail.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sutil.h"

#define IO_CHUNK (64 * 1024)
#define WINDOW (512 * 1024) /* bytes a connection may have outstanding (sent, not echoed) */
#define UNLIMITED UINT64_MAX

enum { K_ECHO, K_RESET };

struct conn {
    int fd;
    int kind;
    bool connecting, done, dead;
    uint32_t events; /* current epoll interest */
    uint64_t stream;
    uint64_t sent, recvd, target;
    uint64_t rst_at; /* K_RESET: reset once this many bytes came back (0: right after sending) */
};

static int epfd;
static struct conn **conns;
static size_t nconns, capconns;
static unsigned char rbuf[IO_CHUNK], wbuf[IO_CHUNK];
static uint64_t next_stream = 1;
static uint64_t bytes_checked, echo_bytes_checked, resets_done;
static int server_pid = -1, server_port;

static void cleanup_server(void)
{
    if (server_pid > 0) {
        su_kill(server_pid, SIGKILL);
        su_wait_pid(server_pid, 2000, NULL);
        server_pid = -1;
    }
}

static void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("FAIL: ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    fflush(stdout);
    cleanup_server();
    exit(1);
}

static void figure(const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("%s: ", name);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    fflush(stdout);
}

static void server_alive(void)
{
    int st;
    if (server_pid > 0 && su_wait_pid(server_pid, 0, &st) == 0) {
        server_pid = -1;
        fail("the server exited during the run (status %d)", st);
    }
}

static void set_interest(struct conn *c, uint32_t ev)
{
    if (c->events == ev)
        return;
    struct epoll_event e = {.events = ev, .data.ptr = c};
    if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &e) < 0)
        fail("epoll_ctl MOD: %s", strerror(errno));
    c->events = ev;
}

static uint32_t wanted(const struct conn *c)
{
    if (c->connecting)
        return EPOLLOUT;
    uint32_t ev = EPOLLIN;
    if (c->sent < c->target && c->sent - c->recvd < WINDOW)
        ev |= EPOLLOUT;
    return ev;
}

static struct conn *conn_open(int kind, uint64_t target)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        fail("socket: %s (client fds %d)", strerror(errno), su_fd_count(0));
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t)server_port);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0 && errno != EINPROGRESS)
        fail("connect: %s", strerror(errno));
    struct conn *c = calloc(1, sizeof *c);
    if (!c)
        fail("out of memory");
    c->fd = fd;
    c->kind = kind;
    c->connecting = true;
    c->stream = next_stream++;
    c->target = target;
    c->events = EPOLLOUT;
    struct epoll_event e = {.events = c->events, .data.ptr = c};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &e) < 0)
        fail("epoll_ctl ADD: %s", strerror(errno));
    if (nconns == capconns) {
        capconns = capconns ? capconns * 2 : 1024;
        conns = realloc(conns, capconns * sizeof *conns);
        if (!conns)
            fail("out of memory");
    }
    conns[nconns++] = c;
    return c;
}

/* Graceful (rst false) or abortive close; the conn stays in the list, marked dead. */
static void conn_close(struct conn *c, bool rst)
{
    if (c->dead)
        return;
    if (rst) {
        struct linger l = {1, 0};
        if (setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &l, sizeof l) < 0)
            fail("SO_LINGER: %s", strerror(errno));
    }
    epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    c->fd = -1;
    c->dead = true;
}

/* Drops dead connections from the list. */
static void conns_compact(void)
{
    size_t j = 0;
    for (size_t i = 0; i < nconns; i++) {
        if (conns[i]->dead)
            free(conns[i]);
        else
            conns[j++] = conns[i];
    }
    nconns = j;
}

static void on_writable(struct conn *c)
{
    if (c->connecting) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err)
            fail("connect to the server: %s", strerror(err));
        c->connecting = false;
        return;
    }
    while (c->sent < c->target && c->sent - c->recvd < WINDOW) {
        uint64_t n = c->target - c->sent;
        if (n > IO_CHUNK)
            n = IO_CHUNK;
        su_pattern_fill(c->stream, c->sent, wbuf, n);
        ssize_t w = send(c->fd, wbuf, n, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return;
            fail("send on connection %llu: %s (sent %llu, echoed %llu)",
                 (unsigned long long)c->stream, strerror(errno), (unsigned long long)c->sent,
                 (unsigned long long)c->recvd);
        }
        c->sent += (uint64_t)w;
    }
}

static void on_readable(struct conn *c)
{
    for (int loops = 0; loops < 8; loops++) {
        ssize_t r = recv(c->fd, rbuf, sizeof rbuf, 0);
        if (r < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return;
            fail("recv on connection %llu: %s (sent %llu, echoed %llu)",
                 (unsigned long long)c->stream, strerror(errno), (unsigned long long)c->sent,
                 (unsigned long long)c->recvd);
        }
        if (r == 0)
            fail("the server closed connection %llu (sent %llu, echoed %llu)",
                 (unsigned long long)c->stream, (unsigned long long)c->sent,
                 (unsigned long long)c->recvd);
        if (c->recvd + (uint64_t)r > c->sent)
            fail("connection %llu: %zd bytes came back with only %llu outstanding (duplication)",
                 (unsigned long long)c->stream, r, (unsigned long long)(c->sent - c->recvd));
        size_t bad = su_pattern_check(c->stream, c->recvd, rbuf, (size_t)r);
        if (bad != (size_t)r)
            fail("connection %llu: byte %llu of the echo is wrong (loss, duplication or "
                 "reordering)",
                 (unsigned long long)c->stream, (unsigned long long)(c->recvd + bad));
        c->recvd += (uint64_t)r;
        bytes_checked += (uint64_t)r;
        if (c->kind == K_ECHO)
            echo_bytes_checked += (uint64_t)r;
        if (c->kind == K_RESET && c->recvd >= c->rst_at && c->rst_at) {
            conn_close(c, true);
            resets_done++;
            return;
        }
        if (c->recvd == c->target)
            c->done = true;
        if ((size_t)r < sizeof rbuf)
            return;
    }
}

/* One pass of the event loop, up to timeout_ms. */
static void poll_once(int timeout_ms)
{
    struct epoll_event evs[512];
    int n = epoll_wait(epfd, evs, 512, timeout_ms);
    if (n < 0 && errno != EINTR)
        fail("epoll_wait: %s", strerror(errno));
    for (int i = 0; i < n; i++) {
        struct conn *c = evs[i].data.ptr;
        if (c->dead)
            continue;
        if (evs[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
            on_writable(c);
        if (!c->dead && !c->connecting && (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)))
            on_readable(c);
        if (!c->dead && c->kind == K_RESET && c->rst_at == 0 && c->sent == c->target &&
            !c->connecting) {
            conn_close(c, true); /* reset with the whole request sent, the echo still coming */
            resets_done++;
        }
        if (!c->dead)
            set_interest(c, wanted(c));
    }
}

static bool all_done(void)
{
    for (size_t i = 0; i < nconns; i++)
        if (!conns[i]->dead && conns[i]->kind == K_ECHO && conns[i]->recvd < conns[i]->target)
            return false;
    return true;
}

static bool all_connected(void)
{
    for (size_t i = 0; i < nconns; i++)
        if (!conns[i]->dead && conns[i]->connecting)
            return false;
    return true;
}

/* Runs the loop until pred() or the timeout (then fails with what). */
static void run_until(bool (*pred)(void), double timeout_s, const char *what)
{
    double end = su_now() + timeout_s;
    while (!pred()) {
        if (su_now() > end) {
            uint64_t behind = 0, worst = 0;
            for (size_t i = 0; i < nconns; i++)
                if (!conns[i]->dead && conns[i]->recvd < conns[i]->target) {
                    behind++;
                    worst = conns[i]->stream;
                }
            fail("timed out after %.0f s waiting for %s (%llu connection(s) behind, e.g. #%llu)",
                 timeout_s, what, (unsigned long long)behind, (unsigned long long)worst);
        }
        poll_once(50);
        server_alive();
    }
}

/* Adds bytes to every live echo connection's target. */
static void add_round(uint64_t bytes)
{
    for (size_t i = 0; i < nconns; i++) {
        struct conn *c = conns[i];
        if (c->dead || c->kind != K_ECHO)
            continue;
        c->target += bytes;
        c->done = false;
        set_interest(c, wanted(c));
    }
}

/* Waits until the server's fd count satisfies cmp against want; returns the last count. */
static int wait_server_fds(int want, int at_least, double timeout_s, bool pump)
{
    double end = su_now() + timeout_s;
    int n;
    for (;;) {
        n = su_fd_count(server_pid);
        if (at_least ? n >= want : n == want)
            return n;
        if (su_now() > end)
            return n;
        if (pump)
            poll_once(10);
        else
            su_sleep_ms(10);
        server_alive();
    }
}

static void close_all(bool rst)
{
    for (size_t i = 0; i < nconns; i++)
        conn_close(conns[i], rst);
    conns_compact();
}

/* ---- options ----------------------------------------------------------------------------------
 */

static long opt_conns = 100, opt_rounds = 3, opt_hold_ms = 1000, opt_resets = 1000,
            opt_parallel = 16, opt_rss_bound = 2048, opt_server_nofile = 0, opt_batch = 500;
static unsigned long long opt_bytes = 1 << 20;
static double opt_timeout = 120;
static const char *opt_log;

static void stop_server(void)
{
    server_alive();
    su_kill(server_pid, SIGTERM);
    int st = -1;
    if (su_wait_pid(server_pid, 20000, &st) < 0)
        fail("the server did not exit within 20 s of SIGTERM");
    server_pid = -1;
    figure("server exit status", "%d", st);
    if (st != 0)
        fail("the server exited with status %d after SIGTERM (wanted 0)", st);
}

/* ---- modes ------------------------------------------------------------------------------------
 */

static void mode_conns(int fds0)
{
    long n = opt_conns;
    double t0 = su_now();
    long opened = 0;
    while (opened < n) {
        long batch = n - opened < opt_batch ? n - opened : opt_batch;
        for (long i = 0; i < batch; i++)
            conn_open(K_ECHO, 0);
        opened += batch;
        run_until(all_connected, 30, "connections to be established");
        /* Each accepted connection is one more server fd, with a receive posted on it. */
        int got = wait_server_fds(fds0 + (int)opened, 1, 30, true);
        if (got < fds0 + opened)
            fail("the server accepted only %d of %ld connections", got - fds0, opened);
    }
    int held = su_fd_count(server_pid) - fds0;
    figure("connections held", "%d (server fds %d, client fds %d, %.1f s to connect)", held,
           fds0 + held, su_fd_count(0), su_now() - t0);
    figure("server VmRSS with all connections", "%ld KiB", su_rss_kib(server_pid));
    double hold_end = su_now() + opt_hold_ms / 1000.0;
    while (su_now() < hold_end) {
        poll_once(50);
        server_alive();
    }
    for (size_t i = 0; i < nconns; i++)
        if (conns[i]->recvd)
            fail("connection %zu received bytes it never asked for", i);
    t0 = su_now();
    for (long r = 0; r < opt_rounds; r++) {
        add_round(opt_bytes);
        run_until(all_done, opt_timeout, "an echo round on every connection");
    }
    figure("echo rounds", "%ld x %llu bytes on each of %zu connections in %.2f s", opt_rounds,
           opt_bytes, nconns, su_now() - t0);
    figure("bytes checked", "%llu", (unsigned long long)bytes_checked);
    close_all(false);
    int after = wait_server_fds(fds0, 0, 30, false);
    figure("server fds before/after", "%d/%d", fds0, after);
    if (after != fds0)
        fail("the server holds %d fds after every client closed (%d before)", after, fds0);
}

static void mode_bulk(void)
{
    uint64_t per = opt_bytes / (uint64_t)opt_conns, extra = opt_bytes % (uint64_t)opt_conns;
    double t0 = su_now();
    for (long i = 0; i < opt_conns; i++)
        conn_open(K_ECHO, per + ((uint64_t)i < extra));
    run_until(all_done, opt_timeout, "every byte to come back");
    double dt = su_now() - t0;
    figure("connections", "%ld", opt_conns);
    figure("bytes checked", "%llu (%.1f MiB/s echoed, %.2f s)", (unsigned long long)bytes_checked,
           bytes_checked / dt / 1048576.0, dt);
    if (bytes_checked != opt_bytes)
        fail("%llu bytes checked, wanted %llu", (unsigned long long)bytes_checked, opt_bytes);
    close_all(false);
}

static uint64_t rng_state = 0x1234567;
static uint64_t rnd(uint64_t n)
{
    rng_state = su_mix64(rng_state);
    return rng_state % n;
}

static long live_resets(void)
{
    long k = 0;
    for (size_t i = 0; i < nconns; i++)
        if (!conns[i]->dead && conns[i]->kind == K_RESET)
            k++;
    return k;
}

/* Keeps K reset connections going until `until` resets were done in all. */
static void run_resets(uint64_t until)
{
    double end = su_now() + opt_timeout;
    uint64_t started = resets_done + (uint64_t)live_resets();
    while (resets_done < until) {
        while (started < until && live_resets() < opt_parallel) {
            uint64_t size = 1 + rnd(256 * 1024);
            struct conn *c = conn_open(K_RESET, size);
            /* A third are reset with the request sent and nothing read (the server is writing),
             * the rest at a random point of the echo. */
            c->rst_at = rnd(3) == 0 ? 0 : 1 + rnd(size);
            started++;
        }
        poll_once(20);
        if ((resets_done & 63) == 0)
            conns_compact();
        server_alive();
        if (su_now() > end)
            fail("timed out with %llu of %llu resets done", (unsigned long long)resets_done,
                 (unsigned long long)until);
    }
    conns_compact();
}

static void mode_resets(int fds0)
{
    long L = opt_conns;
    for (long i = 0; i < L; i++)
        conn_open(K_ECHO, UNLIMITED);
    run_until(all_connected, 30, "background connections");
    uint64_t warm = (uint64_t)opt_resets / 10;
    if (warm < 1)
        warm = 1;
    double t0 = su_now();
    run_resets(warm);
    /* Quiescent point: the reset connections are gone from the server. */
    int want = fds0 + (int)L;
    int fds_before = wait_server_fds(want, 0, 10, true);
    if (fds_before != want)
        fail("after the warm-up resets the server holds %d fds, wanted %d (%d + %ld background)",
             fds_before, want, fds0, L);
    long rss_before = su_rss_kib(server_pid);
    uint64_t bg_before = echo_bytes_checked;
    run_resets(warm + (uint64_t)opt_resets);
    double dt = su_now() - t0;
    int fds_after = wait_server_fds(want, 0, 10, true);
    long rss_after = su_rss_kib(server_pid);
    figure("resets survived", "%llu in %.1f s (%llu warm-up + %ld measured), %ld at a time",
           (unsigned long long)resets_done, dt, (unsigned long long)warm, opt_resets, opt_parallel);
    figure("server fds before/after", "%d/%d (%ld background connections)", fds_before, fds_after,
           L);
    figure("server VmRSS before/after", "%ld/%ld KiB (delta %+ld KiB, bound %ld)", rss_before,
           rss_after, rss_after - rss_before, opt_rss_bound);
    if (fds_after != fds_before)
        fail("the server holds %d fds after the resets, %d before", fds_after, fds_before);
    if (rss_after - rss_before > opt_rss_bound)
        fail("the server's VmRSS grew by %ld KiB over the resets (bound %ld KiB)",
             rss_after - rss_before, opt_rss_bound);
    uint64_t bg_during = echo_bytes_checked - bg_before;
    /* Background streams: finish what is outstanding, every byte checked. */
    for (size_t i = 0; i < nconns; i++)
        conns[i]->target = conns[i]->sent;
    run_until(all_done, 30, "the background streams to drain");
    figure("bytes checked",
           "background %llu in all (%llu during the measured resets), reset "
           "connections %llu before their reset",
           (unsigned long long)echo_bytes_checked, (unsigned long long)bg_during,
           (unsigned long long)(bytes_checked - echo_bytes_checked));
    if (bg_during == 0)
        fail("no background traffic flowed during the resets");
    close_all(false);
    /* Still serving: new connections, one echo round each. */
    for (int i = 0; i < 10; i++)
        conn_open(K_ECHO, 4096);
    run_until(all_done, 30, "new connections after the resets");
    figure("served after the resets", "%zu new connections", nconns);
    close_all(false);
    int fds_end = wait_server_fds(fds0, 0, 10, false);
    figure("server fds at start/end", "%d/%d", fds0, fds_end);
    if (fds_end != fds0)
        fail("the server holds %d fds at the end, %d at the start", fds_end, fds0);
}

static size_t count_done(void)
{
    size_t k = 0;
    for (size_t i = 0; i < nconns; i++)
        if (!conns[i]->dead && conns[i]->done)
            k++;
    return k;
}

static bool log_has(const char *needle)
{
    if (!opt_log)
        return false;
    FILE *f = fopen(opt_log, "r");
    if (!f)
        return false;
    char line[512];
    bool found = false;
    while (!found && fgets(line, sizeof line, f))
        found = strstr(line, needle) != NULL;
    fclose(f);
    return found;
}

static void mode_emfile(int fds0)
{
    long n = opt_conns;
    for (long i = 0; i < n; i++)
        conn_open(K_ECHO, 100);
    run_until(all_connected, 30, "connections (accepted or in the backlog)");
    /* Give the server time to accept what it can and to hit the limit: until nothing more is
     * served for 500 ms (at most 5 s). */
    size_t served = 0;
    double end = su_now() + 5.0, still_since = su_now();
    while (su_now() < end && su_now() - still_since < 0.5) {
        poll_once(20);
        server_alive();
        size_t now = count_done();
        if (now != served) {
            served = now;
            still_since = su_now();
        }
    }
    int fds_full = su_fd_count(server_pid);
    figure("server RLIMIT_NOFILE", "%ld (fds at start %d, at the limit %d)", opt_server_nofile,
           fds0, fds_full);
    figure("served while out of descriptors", "%zu of %ld", served, n);
    if (served == 0)
        fail("the server served no connection at all");
    if (served >= (size_t)n)
        fail("every connection was served: the limit was never reached (raise --conns)");
    bool logged = log_has("10024");
    figure("WSAEMFILE (10024) in the server log", "%s", logged ? "yes" : "no");
    if (opt_log && !logged)
        fail("the server never reported WSAEMFILE (10024) from accept");
    /* Free descriptors: close the served connections; the others must now be served. */
    for (size_t i = 0; i < nconns; i++)
        if (conns[i]->done)
            conn_close(conns[i], false);
    conns_compact();
    size_t waiting = nconns, rounds = 0;
    double t0 = su_now(), end2 = su_now() + 30;
    /* Each served connection is closed at once, freeing its server fd for the next. */
    while (nconns) {
        if (su_now() > end2)
            fail("%zu of %zu waiting connections were never served after descriptors were freed",
                 nconns, waiting);
        poll_once(20);
        server_alive();
        size_t before = nconns;
        for (size_t i = 0; i < nconns; i++)
            if (conns[i]->done)
                conn_close(conns[i], false);
        conns_compact();
        if (nconns != before)
            rounds++;
    }
    figure("served after descriptors were freed", "%zu of %zu in %.2f s (%zu waves)", waiting,
           waiting, su_now() - t0, rounds);

    int fds_end = wait_server_fds(fds0, 0, 10, false);
    figure("server fds at start/end", "%d/%d", fds0, fds_end);
    if (fds_end != fds0)
        fail("the server holds %d fds at the end, %d at the start", fds_end, fds0);
}

static void usage(void)
{
    fprintf(stderr, "usage: loadclient conns|bulk|resets|emfile [--conns N] [--bytes B] "
                    "[--rounds R] [--hold-ms H] [--resets R] [--parallel K] [--rss-bound KIB] "
                    "[--server-nofile F] [--batch B] [--timeout S] [--log PATH] -- SERVER "
                    "[ARGS...]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        usage();
    const char *mode = argv[1];
    int i = 2;
    for (; i < argc && strcmp(argv[i], "--") != 0; i += 2) {
        if (i + 1 >= argc)
            usage();
        const char *o = argv[i], *v = argv[i + 1];
        if (!strcmp(o, "--conns"))
            opt_conns = atol(v);
        else if (!strcmp(o, "--bytes"))
            opt_bytes = strtoull(v, NULL, 0);
        else if (!strcmp(o, "--rounds"))
            opt_rounds = atol(v);
        else if (!strcmp(o, "--hold-ms"))
            opt_hold_ms = atol(v);
        else if (!strcmp(o, "--resets"))
            opt_resets = atol(v);
        else if (!strcmp(o, "--parallel"))
            opt_parallel = atol(v);
        else if (!strcmp(o, "--rss-bound"))
            opt_rss_bound = atol(v);
        else if (!strcmp(o, "--server-nofile"))
            opt_server_nofile = atol(v);
        else if (!strcmp(o, "--batch"))
            opt_batch = atol(v);
        else if (!strcmp(o, "--timeout"))
            opt_timeout = atof(v);
        else if (!strcmp(o, "--log"))
            opt_log = v;
        else
            usage();
    }
    if (i >= argc - 1 || opt_conns <= 0)
        usage();
    su_ignore_sigpipe();
    long nofile = su_nofile_raise(0);
    if (nofile < opt_conns + 64)
        fail("RLIMIT_NOFILE %ld is too low for %ld connections", nofile, opt_conns);
    server_port = su_free_port();
    char port_s[16];
    snprintf(port_s, sizeof port_s, "%d", server_port);
    char **sargv = calloc((size_t)(argc - i), sizeof *sargv);
    int k = 0;
    for (int j = i + 1; j < argc; j++)
        sargv[k++] = strcmp(argv[j], "{port}") == 0 ? port_s : argv[j];
    sargv[k] = NULL;
    if (opt_log) {
        FILE *f = fopen(opt_log, "w");
        if (f)
            fclose(f);
    }
    server_pid = su_spawn(sargv, opt_log, opt_server_nofile > 0 ? opt_server_nofile : nofile);
    if (server_pid < 0)
        fail("cannot start %s", sargv[0]);
    if (su_wait_port(server_port, 10000) < 0) {
        server_alive();
        fail("the server does not accept on port %d", server_port);
    }
    epfd = epoll_create1(EPOLL_CLOEXEC);
    /* The probe connection above was accepted and closed: let the server settle. */
    su_sleep_ms(200);
    int fds0 = su_fd_count(server_pid);
    figure("mode", "%s, server %s (pid %d, port %d), engine %s", mode, sargv[0], server_pid,
           server_port, getenv("OVIO_ENGINE") ? getenv("OVIO_ENGINE") : "default");
    figure("server fds at start", "%d", fds0);
    if (!strcmp(mode, "conns"))
        mode_conns(fds0);
    else if (!strcmp(mode, "bulk"))
        mode_bulk();
    else if (!strcmp(mode, "resets"))
        mode_resets(fds0);
    else if (!strcmp(mode, "emfile"))
        mode_emfile(fds0);
    else
        usage();
    stop_server();
    printf("PASS\n");
    return 0;
}

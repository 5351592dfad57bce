/* Memory cost of an idle connection, as seen in the server's RSS.
 *
 *   idle_rss --port P --conns N --server-pid PID [--timeout S] [--cpu CPU]
 *            [--settle-ms MS]
 *
 * Reads the server's VmRSS, opens N connections that send nothing, waits
 * until the server holds N more file descriptors (i.e. has accepted them
 * all) and its RSS has stopped moving, reads VmRSS again and prints
 *   rss_per_conn_bytes=... conns=N rss_before_kb=... rss_after_kb=...
 * Then it checks that every connection is still open and still served (a
 * one-byte echo on each); otherwise, or on a timeout, it exits 2.
 *
 * RSS covers user-space memory only: socket buffers and other kernel
 * objects are not in it, and they are the same for every server anyway. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench_util.h"

#define BATCH 256
#define SETTLE_SAMPLES 3    /* unchanged RSS readings in a row */
#define SETTLE_MAX_STEPS 30

static void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "idle_rss: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(2);
}

static void usage(const char *argv0)
{
    fprintf(stderr,
            "usage: %s --port P --conns N --server-pid PID [--timeout SECONDS] [--cpu CPU]\n"
            "          [--settle-ms MS (RSS sampling interval, default 100)]\n",
            argv0);
    exit(1);
}

static long fd_count_or_fail(pid_t pid)
{
    long n = proc_fd_count(pid);
    if (n < 0)
        fail("cannot read /proc/%d/fd (server gone?)", (int)pid);
    return n;
}

/* Waits until the server holds at least `want` descriptors. */
static void wait_for_fds(pid_t pid, long want, uint64_t deadline)
{
    while (fd_count_or_fail(pid) < want) {
        if (now_ns() >= deadline)
            fail("server holds %ld descriptors, expected %ld: not all connections accepted",
                 proc_fd_count(pid), want);
        usleep(2000);
    }
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "port", required_argument, NULL, 'p' },
        { "conns", required_argument, NULL, 'c' },
        { "server-pid", required_argument, NULL, 'P' },
        { "timeout", required_argument, NULL, 't' },
        { "cpu", required_argument, NULL, 'C' },
        { "settle-ms", required_argument, NULL, 'S' },
        { NULL, 0, NULL, 0 },
    };
    int port = 0, nconns = 0, cpu = -1, settle_ms = 100;
    pid_t pid = 0;
    double timeout = 60;
    int ch;
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (ch) {
        case 'p': port = parse_port(optarg); break;
        case 'c': nconns = atoi(optarg); break;
        case 'P': pid = (pid_t)atoi(optarg); break;
        case 't': timeout = strtod(optarg, NULL); break;
        case 'C': cpu = atoi(optarg); break;
        case 'S': settle_ms = atoi(optarg); break;
        default: usage(argv[0]);
        }
    }
    if (optind != argc || port <= 0 || nconns < 1 || pid <= 0 || timeout <= 0 ||
        settle_ms < 1)
        usage(argv[0]);
    if (cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        if (sched_setaffinity(0, sizeof set, &set) != 0)
            fail("cannot pin to cpu %d: %s", cpu, strerror(errno));
    }
    if (raise_nofile(nconns + 32) < nconns + 32)
        fail("RLIMIT_NOFILE too low for %d connections", nconns);
    int *fds = malloc((size_t)nconns * sizeof *fds);
    if (!fds)
        fail("out of memory");

    long rss0 = proc_rss_kb(pid);
    long fd0 = fd_count_or_fail(pid);
    if (rss0 < 0)
        fail("cannot read VmRSS of pid %d", (int)pid);
    uint64_t deadline = now_ns() + (uint64_t)(timeout * 1e9);

    char err[256];
    for (int i = 0; i < nconns; i += BATCH) {
        int n = nconns - i < BATCH ? nconns - i : BATCH;
        /* Keep at most one batch waiting in the accept queue: beyond the
         * backlog, SYNs are dropped and retried only a second later. */
        wait_for_fds(pid, fd0 + i - BATCH, deadline);
        if (connect_batch(port, fds + i, n, 10000, err, sizeof err) != 0)
            fail("connection %d..%d: %s", i, i + n - 1, err);
    }
    wait_for_fds(pid, fd0 + nconns, deadline);

    /* The server may still be setting up the last connections (buffers,
     * queued receives) after accepting them: wait for RSS to settle. */
    long rss1 = proc_rss_kb(pid);
    for (int same = 0, steps = 0; same < SETTLE_SAMPLES && steps < SETTLE_MAX_STEPS; steps++) {
        usleep((useconds_t)settle_ms * 1000);
        long r = proc_rss_kb(pid);
        same = r == rss1 ? same + 1 : 0;
        rss1 = r;
    }
    if (rss1 < 0)
        fail("server pid %d is gone", (int)pid);

    /* Still open: nothing readable (no FIN, no RST, no stray data)... */
    struct pollfd *pfds = calloc((size_t)nconns, sizeof *pfds);
    if (!pfds)
        fail("out of memory");
    for (int i = 0; i < nconns; i++) {
        pfds[i].fd = fds[i];
        pfds[i].events = POLLIN | POLLRDHUP;
    }
    if (poll(pfds, (nfds_t)nconns, 0) != 0)
        fail("some connections were closed or received data while idle");

    /* ...and still served: one byte out, the same byte back. */
    int ep = epoll_create1(EPOLL_CLOEXEC);
    for (int i = 0; i < nconns; i++) {
        unsigned char b = (unsigned char)i;
        if (send(fds[i], &b, 1, MSG_NOSIGNAL) != 1)
            fail("conn %d: send: %s", i, strerror(errno));
        struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)i };
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev) != 0)
            fail("epoll_ctl: %s", strerror(errno));
    }
    int left = nconns;
    uint64_t echo_deadline = now_ns() + 10 * 1000000000ull;
    struct epoll_event evs[256];
    while (left > 0) {
        uint64_t t = now_ns();
        if (t >= echo_deadline)
            fail("%d connections did not echo", left);
        int n = epoll_wait(ep, evs, 256, (int)((echo_deadline - t) / 1000000) + 1);
        if (n < 0 && errno != EINTR)
            fail("epoll_wait: %s", strerror(errno));
        for (int k = 0; k < n; k++) {
            int i = (int)evs[k].data.u32;
            unsigned char b;
            ssize_t r = recv(fds[i], &b, 1, MSG_DONTWAIT);
            if (r < 0 && errno == EAGAIN)
                continue;
            if (r != 1 || b != (unsigned char)i)
                fail("conn %d: bad echo (%s)", i, r == 0 ? "closed" : r < 0 ? strerror(errno) : "wrong byte");
            epoll_ctl(ep, EPOLL_CTL_DEL, fds[i], NULL);
            left--;
        }
    }

    long long per_conn = (long long)(rss1 - rss0) * 1024 / nconns;
    printf("rss_per_conn_bytes=%lld conns=%d rss_before_kb=%ld rss_after_kb=%ld\n", per_conn,
           nconns, rss0, rss1);
    for (int i = 0; i < nconns; i++)
        close(fds[i]);
    return 0;
}

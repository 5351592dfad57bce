/* Echo load generator: drives N connections from one epoll thread and
 * checks every byte that comes back.
 *
 *   loadgen --port P --conns N --size M --mode pingpong|pipeline
 *           (--duration S [--warmup S] | --count C [--timeout S])
 *           [--depth D] [--server-pid PID] [--cpu CPU]
 *
 * Prints one line:
 *   rt_per_s=... p50_us=... p99_us=... cpu_s_per_100k=... errors=0
 * and exits 0; on any verification or connection failure it explains on
 * stderr, prints the line with errors=1 and exits 2.
 *
 * Each connection is a byte stream whose byte at offset k is a function
 * of (connection seed, k): 64-bit words seed + q*K for word index q. A
 * lost, duplicated, reordered, shifted or cross-connection byte therefore
 * differs from what is expected at that offset. Because the expected
 * bytes are recomputed from the offset, nothing needs to be kept per
 * message, and a partially sent message is simply regenerated.
 *
 * Run phases: connect (in batches) -> prime (every connection completes
 * one round trip, so no latency sample includes a slow accept) -> warmup
 * -> measure -> drain (no new messages; all outstanding echoes must come
 * back and verify).
 *
 * With --count C the run is a fixed amount of work instead of a fixed
 * time: exactly C messages are sent in all (the priming ones included),
 * there is no warmup, and the measured window runs from the end of the
 * prime until the last echo arrives. The server then did exactly C round
 * trips, which makes instruction and system-call counts comparable
 * between servers (bench/profile.sh). --timeout bounds such a run. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench_util.h"

#define IO_BUF (256 * 1024)
#define CONNECT_BATCH 64
#define CONNECT_TIMEOUT_MS 10000
#define PRIME_TIMEOUT_NS (10 * 1000000000ull)
#define DRAIN_TIMEOUT_NS (5 * 1000000000ull)
#define PATTERN_STEP 0x9E3779B97F4A7C15ull /* odd, so q*K never repeats */

/* Latency histogram: exact below 64 ns, then 64 sub-buckets per power of
 * two (under 1.6% relative error) up to 2^40 ns. */
#define SUB_BITS 6
#define SUB_COUNT (1u << SUB_BITS)
#define MAX_EXP 40
#define HIST_SIZE ((MAX_EXP - SUB_BITS + 2) * SUB_COUNT)

struct conn {
    int fd;
    int id;
    bool want_out;     /* EPOLLOUT currently registered */
    uint64_t seed;
    uint64_t sent;     /* stream bytes written */
    uint64_t received; /* stream bytes read and verified */
    uint64_t issued;   /* messages started */
    uint64_t done;     /* messages fully echoed */
    uint64_t *start_ns; /* ring of depth entries: start time of message i */
};

enum phase { PRIME, WARMUP, MEASURE, DRAIN };

static struct {
    int port, nconns, depth, cpu;
    uint64_t size;
    double duration, warmup, timeout;
    uint64_t count; /* 0: timed run */
    pid_t server_pid;
} opt = { .depth = 8, .cpu = -1, .warmup = 0.3, .timeout = 600 };

static struct conn *conns;
static int ep;
static enum phase phase;
static bool issuing = true;
static uint64_t window_start, window_end;
static uint64_t measured;
static uint64_t total_issued, total_done; /* all connections, all phases */
static uint64_t hist[HIST_SIZE];
static int primed;
static unsigned char *txbuf, *rxbuf, *expbuf;

static void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "loadgen: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    printf("rt_per_s=na p50_us=na p99_us=na cpu_s_per_100k=na errors=1\n");
    fflush(stdout);
    exit(2);
}

static uint64_t splitmix(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

/* Writes stream bytes [off, off+len) of the connection with this seed. */
static void pattern(uint64_t seed, uint64_t off, unsigned char *out, size_t len)
{
    uint64_t q = off / 8;
    uint64_t w = seed + q * PATTERN_STEP;
    size_t skip = (size_t)(off % 8);
    if (skip) {
        unsigned char tmp[8];
        memcpy(tmp, &w, 8);
        size_t n = 8 - skip < len ? 8 - skip : len;
        memcpy(out, tmp + skip, n);
        out += n;
        len -= n;
        w += PATTERN_STEP;
    }
    for (; len >= 8; len -= 8, out += 8, w += PATTERN_STEP)
        memcpy(out, &w, 8);
    if (len)
        memcpy(out, &w, len);
}

static unsigned hist_index(uint64_t v)
{
    if (v < SUB_COUNT)
        return (unsigned)v;
    unsigned e = 63 - (unsigned)__builtin_clzll(v);
    if (e > MAX_EXP)
        return HIST_SIZE - 1;
    uint64_t m = v >> (e - SUB_BITS); /* in [SUB_COUNT, 2*SUB_COUNT) */
    return (e - SUB_BITS + 1) * SUB_COUNT + (unsigned)(m - SUB_COUNT);
}

/* Midpoint of a bucket, in ns. */
static double hist_value(unsigned idx)
{
    if (idx < SUB_COUNT)
        return idx;
    unsigned e = idx / SUB_COUNT + SUB_BITS - 1;
    uint64_t m = idx % SUB_COUNT + SUB_COUNT;
    double width = (double)(1ull << (e - SUB_BITS));
    return (double)m * width + width / 2;
}

static double hist_percentile(double p)
{
    uint64_t total = 0;
    for (unsigned i = 0; i < HIST_SIZE; i++)
        total += hist[i];
    if (total == 0)
        return 0;
    uint64_t rank = (uint64_t)(p * (double)total);
    if (rank < 1)
        rank = 1;
    uint64_t cum = 0;
    for (unsigned i = 0; i < HIST_SIZE; i++) {
        cum += hist[i];
        if (cum >= rank)
            return hist_value(i);
    }
    return hist_value(HIST_SIZE - 1);
}

static void set_out_interest(struct conn *c, bool on)
{
    if (c->want_out == on)
        return;
    struct epoll_event ev = { .events = EPOLLIN | (on ? EPOLLOUT : 0), .data.ptr = c };
    if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) != 0)
        fail("epoll_ctl: %s", strerror(errno));
    c->want_out = on;
}

static void flush(struct conn *c)
{
    uint64_t target = c->issued * opt.size;
    while (c->sent < target) {
        uint64_t want = target - c->sent;
        size_t len = want < IO_BUF ? (size_t)want : IO_BUF;
        pattern(c->seed, c->sent, txbuf, len);
        ssize_t n = send(c->fd, txbuf, len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN) {
                set_out_interest(c, true);
                return;
            }
            fail("conn %d: send: %s", c->id, strerror(errno));
        }
        c->sent += (uint64_t)n;
    }
    set_out_interest(c, false);
}

static void issue(struct conn *c, uint64_t t)
{
    if (opt.count && total_issued >= opt.count) {
        issuing = false;
        return;
    }
    c->start_ns[c->issued % (uint64_t)opt.depth] = t;
    c->issued++;
    total_issued++;
}

static void on_readable(struct conn *c)
{
    ssize_t n = recv(c->fd, rxbuf, IO_BUF, 0);
    if (n == 0)
        fail("conn %d: server closed the connection after %llu of %llu bytes echoed",
             c->id, (unsigned long long)c->received, (unsigned long long)c->sent);
    if (n < 0) {
        if (errno == EAGAIN || errno == EINTR)
            return;
        fail("conn %d: recv: %s", c->id, strerror(errno));
    }
    if (c->received + (uint64_t)n > c->sent)
        fail("conn %d: received %llu bytes but only %llu were sent", c->id,
             (unsigned long long)(c->received + (uint64_t)n), (unsigned long long)c->sent);
    pattern(c->seed, c->received, expbuf, (size_t)n);
    if (memcmp(rxbuf, expbuf, (size_t)n) != 0) {
        size_t i = 0;
        while (rxbuf[i] == expbuf[i])
            i++;
        fail("conn %d: byte mismatch at stream offset %llu (message %llu, byte %llu): "
             "expected 0x%02x, got 0x%02x",
             c->id, (unsigned long long)(c->received + i),
             (unsigned long long)((c->received + i) / opt.size),
             (unsigned long long)((c->received + i) % opt.size), expbuf[i], rxbuf[i]);
    }
    c->received += (uint64_t)n;

    uint64_t t = now_ns();
    while (c->received >= (c->done + 1) * opt.size) {
        uint64_t lat = t - c->start_ns[c->done % (uint64_t)opt.depth];
        c->done++;
        total_done++;
        if (c->done == 1)
            primed++;
        if (phase == MEASURE && t < window_end) {
            measured++;
            hist[hist_index(lat)]++;
        }
        if (issuing)
            issue(c, t);
    }
    flush(c);
}

static void usage(const char *argv0)
{
    fprintf(stderr,
            "usage: %s --port P --conns N --size BYTES --mode pingpong|pipeline\n"
            "          (--duration SECONDS [--warmup SECONDS] | --count MESSAGES [--timeout SECONDS])\n"
            "          [--depth D] [--server-pid PID] [--cpu CPU]\n",
            argv0);
    exit(1);
}

static void parse_args(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "port", required_argument, NULL, 'p' },
        { "conns", required_argument, NULL, 'c' },
        { "size", required_argument, NULL, 's' },
        { "mode", required_argument, NULL, 'm' },
        { "duration", required_argument, NULL, 'd' },
        { "warmup", required_argument, NULL, 'w' },
        { "depth", required_argument, NULL, 'D' },
        { "server-pid", required_argument, NULL, 'P' },
        { "cpu", required_argument, NULL, 'C' },
        { "count", required_argument, NULL, 'n' },
        { "timeout", required_argument, NULL, 'T' },
        { NULL, 0, NULL, 0 },
    };
    const char *mode = NULL;
    int ch;
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (ch) {
        case 'p': opt.port = parse_port(optarg); break;
        case 'c': opt.nconns = atoi(optarg); break;
        case 's': opt.size = strtoull(optarg, NULL, 10); break;
        case 'm': mode = optarg; break;
        case 'd': opt.duration = strtod(optarg, NULL); break;
        case 'w': opt.warmup = strtod(optarg, NULL); break;
        case 'D': opt.depth = atoi(optarg); break;
        case 'P': opt.server_pid = (pid_t)atoi(optarg); break;
        case 'C': opt.cpu = atoi(optarg); break;
        case 'n': opt.count = strtoull(optarg, NULL, 10); break;
        case 'T': opt.timeout = strtod(optarg, NULL); break;
        default: usage(argv[0]);
        }
    }
    if (optind != argc || opt.port <= 0 || opt.nconns < 1 || opt.size < 1 ||
        (opt.count == 0 && opt.duration <= 0) || opt.warmup < 0 || opt.depth < 1 ||
        opt.timeout <= 0 || !mode)
        usage(argv[0]);
    if (strcmp(mode, "pingpong") == 0)
        opt.depth = 1;
    else if (strcmp(mode, "pipeline") != 0)
        usage(argv[0]);
    if (opt.count && opt.count < (uint64_t)opt.nconns * (uint64_t)opt.depth) {
        fprintf(stderr, "loadgen: --count must be at least conns x depth (%llu)\n",
                (unsigned long long)opt.nconns * (unsigned long long)opt.depth);
        exit(1);
    }
}

static long long server_ticks(void)
{
    long long t = proc_cpu_ticks(opt.server_pid);
    if (t < 0)
        fail("server pid %d is gone", (int)opt.server_pid);
    return t;
}

int main(int argc, char **argv)
{
    parse_args(argc, argv);
    if (opt.cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(opt.cpu, &set);
        if (sched_setaffinity(0, sizeof set, &set) != 0)
            fail("cannot pin to cpu %d: %s", opt.cpu, strerror(errno));
    }
    if (raise_nofile(opt.nconns + 32) < opt.nconns + 32)
        fail("RLIMIT_NOFILE too low for %d connections", opt.nconns);

    txbuf = malloc(IO_BUF);
    rxbuf = malloc(IO_BUF);
    expbuf = malloc(IO_BUF);
    conns = calloc((size_t)opt.nconns, sizeof *conns);
    uint64_t *starts = calloc((size_t)opt.nconns * (size_t)opt.depth, sizeof *starts);
    int *fds = malloc((size_t)opt.nconns * sizeof *fds);
    ep = epoll_create1(EPOLL_CLOEXEC);
    if (!txbuf || !rxbuf || !expbuf || !conns || !starts || !fds || ep < 0)
        fail("out of memory");

    char err[256];
    for (int i = 0; i < opt.nconns; i += CONNECT_BATCH) {
        int n = opt.nconns - i < CONNECT_BATCH ? opt.nconns - i : CONNECT_BATCH;
        if (connect_batch(opt.port, fds + i, n, CONNECT_TIMEOUT_MS, err, sizeof err) != 0)
            fail("connection %d..%d: %s", i, i + n - 1, err);
    }

    /* Seeds differ per connection and per run, so an echo routed to the
     * wrong connection, or left over from an earlier run, cannot match. */
    uint64_t nonce = splitmix(now_ns() ^ ((uint64_t)getpid() << 32));
    for (int i = 0; i < opt.nconns; i++) {
        struct conn *c = &conns[i];
        c->fd = fds[i];
        c->id = i;
        c->seed = splitmix(nonce + (uint64_t)i);
        c->start_ns = starts + (size_t)i * (size_t)opt.depth;
        struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
        if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) != 0)
            fail("epoll_ctl: %s", strerror(errno));
    }
    free(fds);

    uint64_t t = now_ns();
    for (int i = 0; i < opt.nconns; i++) {
        for (int d = 0; d < opt.depth; d++)
            issue(&conns[i], t);
        flush(&conns[i]);
    }

    phase = PRIME;
    /* A counted run may face a server under valgrind: give the prime its timeout too. */
    double prime_s = (double)(PRIME_TIMEOUT_NS / 1000000000ull);
    if (opt.count && opt.timeout > prime_s)
        prime_s = opt.timeout;
    uint64_t deadline = t + (uint64_t)(prime_s * 1e9);
    long long ticks0 = 0, ticks1 = 0;
    int nev = opt.nconns < 1024 ? opt.nconns : 1024;
    struct epoll_event *evs = calloc((size_t)nev, sizeof *evs);
    if (!evs)
        fail("out of memory");

    for (;;) {
        t = now_ns();
        if (phase == PRIME && primed == opt.nconns) {
            phase = WARMUP;
            deadline = t + (uint64_t)(opt.warmup * 1e9);
            if (opt.count)
                deadline = t; /* no warmup: measure from here */
        }
        if (opt.count && phase == MEASURE && total_done == opt.count) {
            window_end = t;
            deadline = t; /* ends the measure phase below */
        }
        if (t >= deadline) {
            if (phase == PRIME) {
                fail("only %d of %d connections got an echo within %.0f s", primed,
                     opt.nconns, prime_s);
            } else if (phase == WARMUP) {
                phase = MEASURE;
                if (opt.server_pid > 0)
                    ticks0 = server_ticks();
                window_start = now_ns();
                window_end = window_start + (uint64_t)(opt.duration * 1e9);
                deadline = window_end;
                if (opt.count) {
                    window_end = UINT64_MAX; /* set when the last echo is in */
                    deadline = window_start + (uint64_t)(opt.timeout * 1e9);
                }
                continue;
            } else if (phase == MEASURE) {
                if (opt.count && total_done < opt.count)
                    fail("only %llu of %llu messages echoed within %.0f s",
                         (unsigned long long)total_done, (unsigned long long)opt.count,
                         opt.timeout);
                if (opt.server_pid > 0)
                    ticks1 = server_ticks();
                phase = DRAIN;
                issuing = false;
                deadline = t + DRAIN_TIMEOUT_NS;
            } else {
                fail("echoes still outstanding %llu s after the run ended",
                     DRAIN_TIMEOUT_NS / 1000000000ull);
            }
        }
        if (phase == DRAIN) {
            bool all = true;
            for (int i = 0; i < opt.nconns && all; i++)
                all = conns[i].done == conns[i].issued;
            if (all)
                break;
        }

        int timeout_ms = (int)((deadline - t + 999999) / 1000000);
        int n = epoll_wait(ep, evs, nev, timeout_ms);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            fail("epoll_wait: %s", strerror(errno));
        }
        for (int i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            /* ERR/HUP are reported through recv()/send() errors. */
            if (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP))
                on_readable(c);
            if (evs[i].events & EPOLLOUT)
                flush(c);
        }
    }

    /* One last look: after the drain nothing more may arrive. */
    for (int i = 0; i < opt.nconns; i++) {
        ssize_t n = recv(conns[i].fd, rxbuf, IO_BUF, MSG_DONTWAIT);
        if (n > 0)
            fail("conn %d: %zd unexpected extra bytes after the last echo", i, n);
        if (n == 0)
            fail("conn %d: server closed the connection", i);
        if (n < 0 && errno != EAGAIN)
            fail("conn %d: recv: %s", i, strerror(errno));
        close(conns[i].fd);
    }

    if (measured == 0 && !opt.count)
        fail("no round trip completed in the measured window");
    double secs = (double)(window_end - window_start) / 1e9;
    if (secs <= 0)
        secs = 1e-9;
    printf("rt_per_s=%.0f p50_us=%.1f p99_us=%.1f ", (double)measured / secs,
           hist_percentile(0.50) / 1000.0, hist_percentile(0.99) / 1000.0);
    if (opt.server_pid > 0 && measured > 0) {
        double cpu = (double)(ticks1 - ticks0) / (double)sysconf(_SC_CLK_TCK);
        printf("cpu_s_per_100k=%.4f ", cpu * 100000.0 / (double)measured);
    } else {
        printf("cpu_s_per_100k=na ");
    }
    if (opt.count)
        printf("messages=%llu ", (unsigned long long)total_done);
    printf("errors=0\n");
    return 0;
}

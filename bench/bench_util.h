/* Small helpers shared by loadgen and idle_rss (not by the servers, which
 * are meant to be read on their own). Everything is static inline so each
 * tool stays a single translation unit built with one cc command. */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

static inline uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline int parse_port(const char *s)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < 1 || v > 65535)
        return -1;
    return (int)v;
}

/* Thousands of sockets exceed the usual soft limit of 1024; the hard limit
 * is the ceiling an unprivileged process can reach. Returns the soft limit
 * in effect afterwards so the caller can decide whether it is enough. */
static inline long raise_nofile(long need)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return -1;
    if ((long)rl.rlim_cur >= need)
        return (long)rl.rlim_cur;
    rlim_t want = (rlim_t)need;
    if (rl.rlim_max != RLIM_INFINITY && want > rl.rlim_max)
        want = rl.rlim_max;
    rl.rlim_cur = want;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
        return -1;
    return (long)rl.rlim_cur;
}

/* VmRSS in kB, or -1 if the process is gone. */
static inline long proc_rss_kb(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    long kb = -1;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "VmRSS:", 6) == 0) {
            kb = strtol(line + 6, NULL, 10);
            break;
        }
    }
    fclose(f);
    return kb;
}

static inline long proc_fd_count(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
    DIR *d = opendir(path);
    if (!d)
        return -1;
    long n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

/* utime+stime of the whole process (all threads) in clock ticks, or -1. */
static inline long long proc_cpu_ticks(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* comm (field 2) may itself contain spaces and ')', so fields are
     * counted from the last ')'. After it: state is field 3, utime 14. */
    char *p = strrchr(buf, ')');
    if (!p)
        return -1;
    p++;
    unsigned long long ut = 0, st = 0;
    for (int field = 3; field <= 15; field++) {
        while (*p == ' ')
            p++;
        if (*p == '\0')
            return -1;
        if (field == 14)
            ut = strtoull(p, NULL, 10);
        else if (field == 15)
            st = strtoull(p, NULL, 10);
        while (*p && *p != ' ')
            p++;
    }
    return (long long)(ut + st);
}

/* Opens `count` connections to 127.0.0.1:port and waits until every
 * handshake has finished. Callers go batch by batch because firing
 * thousands of SYNs at once overflows a 511-entry accept queue, and the
 * dropped SYNs are only retried after a one-second timer, which would
 * distort both start-up time and the first latency samples.
 * The sockets are left non-blocking with TCP_NODELAY (echo traffic is
 * request/response; Nagle would add delayed-ACK stalls). */
static inline int connect_batch(int port, int *fds, int count, int timeout_ms,
                                char *err, size_t errlen)
{
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) {
        snprintf(err, errlen, "epoll_create1: %s", strerror(errno));
        return -1;
    }
    int opened = 0, pending = 0;
    for (; opened < count; opened++) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            snprintf(err, errlen, "socket: %s", strerror(errno));
            goto fail;
        }
        fds[opened] = fd;
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0)
            continue;
        if (errno != EINPROGRESS) {
            snprintf(err, errlen, "connect: %s", strerror(errno));
            opened++;
            goto fail;
        }
        struct epoll_event ev = { .events = EPOLLOUT, .data.u32 = (uint32_t)opened };
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
            snprintf(err, errlen, "epoll_ctl: %s", strerror(errno));
            opened++;
            goto fail;
        }
        pending++;
    }

    uint64_t deadline = now_ns() + (uint64_t)timeout_ms * 1000000u;
    while (pending > 0) {
        uint64_t t = now_ns();
        if (t >= deadline) {
            snprintf(err, errlen, "%d connects still pending after %d ms",
                     pending, timeout_ms);
            goto fail;
        }
        struct epoll_event evs[64];
        int n = epoll_wait(ep, evs, 64, (int)((deadline - t) / 1000000u) + 1);
        if (n < 0 && errno != EINTR) {
            snprintf(err, errlen, "epoll_wait: %s", strerror(errno));
            goto fail;
        }
        for (int i = 0; i < n; i++) {
            int fd = fds[evs[i].data.u32];
            int soerr = 0;
            socklen_t sl = sizeof soerr;
            if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0)
                soerr = errno;
            if (soerr != 0) {
                snprintf(err, errlen, "connect: %s", strerror(soerr));
                goto fail;
            }
            epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
            pending--;
        }
    }
    close(ep);
    return 0;

fail:
    for (int i = 0; i < opened; i++)
        close(fds[i]);
    close(ep);
    return -1;
}

#endif

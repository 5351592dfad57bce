/* sutil.c - POSIX helpers of the stress programs (see sutil.h). */
#define _GNU_SOURCE
#include "sutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

double su_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void su_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
    }
}

long su_nofile_get(void)
{
    struct rlimit rl;
    return getrlimit(RLIMIT_NOFILE, &rl) < 0 ? -1 : (long)rl.rlim_cur;
}

long su_nofile_hard(void)
{
    struct rlimit rl;
    return getrlimit(RLIMIT_NOFILE, &rl) < 0 ? -1 : (long)rl.rlim_max;
}

long su_nofile_raise(long want)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return -1;
    rlim_t target = rl.rlim_max;
    if (want > 0 && (rlim_t)want < target)
        target = (rlim_t)want;
    if (target > rl.rlim_cur) {
        rl.rlim_cur = target;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    return su_nofile_get();
}

int su_nofile_set(long soft)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return -errno;
    rl.rlim_cur = (rlim_t)soft;
    if (rl.rlim_cur > rl.rlim_max)
        rl.rlim_cur = rl.rlim_max;
    return setrlimit(RLIMIT_NOFILE, &rl) < 0 ? -errno : 0;
}

int su_getpid(void)
{
    return (int)getpid();
}

int su_fd_count(int pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/fd", pid ? pid : (int)getpid());
    DIR *d = opendir(path);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return pid ? n : n - 1; /* our own count leaves out the directory fd we just used */
}

long su_rss_kib(int pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", pid ? pid : (int)getpid());
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    long kib = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

int su_uring_cq_state(int pid, long *cqes, long *overflow)
{
    char path[64], link[128], line[256];
    if (!pid)
        pid = (int)getpid();
    snprintf(path, sizeof path, "/proc/%d/fd", pid);
    DIR *d = opendir(path);
    *cqes = *overflow = 0;
    if (!d)
        return 0;
    int rings = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char fdpath[320];
        snprintf(fdpath, sizeof fdpath, "/proc/%d/fd/%s", pid, e->d_name);
        ssize_t n = readlink(fdpath, link, sizeof link - 1);
        if (n <= 0)
            continue;
        link[n] = 0;
        if (!strstr(link, "io_uring"))
            continue;
        rings++;
        snprintf(fdpath, sizeof fdpath, "/proc/%d/fdinfo/%s", pid, e->d_name);
        FILE *f = fopen(fdpath, "r");
        if (!f)
            continue;
        int in_overflow = 0;
        long v;
        while (fgets(line, sizeof line, f)) {
            if (in_overflow) {
                /* entries look like "  user_data=... res=... flags=..." */
                if (strstr(line, "user_data"))
                    (*overflow)++;
                else if (line[0] != ' ' && line[0] != '\t')
                    in_overflow = 0;
                continue;
            }
            if (sscanf(line, "CQEs: %ld", &v) == 1)
                *cqes += v;
            else if (!strncmp(line, "CqOverflowList:", 15))
                in_overflow = 1;
        }
        fclose(f);
    }
    closedir(d);
    return rings;
}

/* ---- pattern ----------------------------------------------------------------------------------
 */

uint64_t su_mix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

static inline uint64_t word_of(uint64_t stream, uint64_t w)
{
    return su_mix64(stream * 0xD6E8FEB86659FD93ull + w);
}

void su_pattern_fill(uint64_t stream, uint64_t off, void *buf, size_t n)
{
    unsigned char *p = buf;
    while (n && (off & 7)) {
        uint64_t w = word_of(stream, off >> 3);
        *p++ = (unsigned char)(w >> (8 * (off & 7)));
        off++;
        n--;
    }
    while (n >= 8) {
        uint64_t w = word_of(stream, off >> 3);
        memcpy(p, &w, 8); /* little-endian: byte j of the word is byte off+j */
        p += 8;
        off += 8;
        n -= 8;
    }
    while (n) {
        uint64_t w = word_of(stream, off >> 3);
        *p++ = (unsigned char)(w >> (8 * (off & 7)));
        off++;
        n--;
    }
}

size_t su_pattern_check(uint64_t stream, uint64_t off, const void *buf, size_t n)
{
    const unsigned char *p = buf;
    size_t i = 0;
    while (i < n && ((off + i) & 7)) {
        uint64_t w = word_of(stream, (off + i) >> 3);
        if (p[i] != (unsigned char)(w >> (8 * ((off + i) & 7))))
            return i;
        i++;
    }
    while (n - i >= 8) {
        uint64_t w = word_of(stream, (off + i) >> 3), got;
        memcpy(&got, p + i, 8);
        if (got != w)
            break; /* find the byte below */
        i += 8;
    }
    while (i < n) {
        uint64_t w = word_of(stream, (off + i) >> 3);
        if (p[i] != (unsigned char)(w >> (8 * ((off + i) & 7))))
            return i;
        i++;
    }
    return n;
}

/* ---- processes --------------------------------------------------------------------------------
 */

int su_fork(void)
{
    fflush(NULL);
    return (int)fork();
}

void su_exit_now(int code)
{
    _exit(code);
}

int su_wait_pid(int pid, int timeout_ms, int *status)
{
    double end = su_now() + timeout_ms / 1000.0;
    for (;;) {
        int st;
        pid_t r = waitpid(pid, &st, timeout_ms < 0 ? 0 : WNOHANG);
        if (r == pid) {
            if (status)
                *status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
            return 0;
        }
        if (r < 0 && errno != EINTR) {
            if (status)
                *status = -1;
            return 0;
        }
        if (timeout_ms >= 0 && su_now() >= end)
            return -1;
        su_sleep_ms(5);
    }
}

int su_kill(int pid, int sig)
{
    return kill(pid, sig);
}

int su_spawn(char *const argv[], const char *log_path, long nofile)
{
    pid_t pid = su_fork();
    if (pid != 0)
        return (int)pid;
    int fd = open(log_path ? log_path : "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
        if (fd > 2)
            close(fd);
    }
    int nul = open("/dev/null", O_RDONLY);
    if (nul >= 0) {
        dup2(nul, 0);
        if (nul > 0)
            close(nul);
    }
    if (nofile > 0)
        su_nofile_set(nofile);
    signal(SIGPIPE, SIG_DFL);
    execv(argv[0], argv);
    fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

void su_ignore_sigpipe(void)
{
    signal(SIGPIPE, SIG_IGN);
}

static const char *watchdog_name;
static void on_alarm(int sig)
{
    (void)sig;
    char msg[200];
    int n = snprintf(msg, sizeof msg, "%s: WATCHDOG: still running after its time limit: FAIL\n",
                     watchdog_name ? watchdog_name : "stress");
    if (write(2, msg, (size_t)n) < 0) {
    }
    _exit(2);
}

void su_watchdog(unsigned seconds, const char *name)
{
    watchdog_name = name;
    signal(SIGALRM, on_alarm);
    alarm(seconds);
}

/* ---- raw fds ----------------------------------------------------------------------------------
 */

int su_pipe(int fds[2])
{
    return pipe2(fds, O_CLOEXEC) < 0 ? -errno : 0;
}

long su_read(int fd, void *buf, size_t n)
{
    ssize_t r;
    do
        r = read(fd, buf, n);
    while (r < 0 && errno == EINTR);
    return r < 0 ? -errno : (long)r;
}

long su_write(int fd, const void *buf, size_t n)
{
    ssize_t r;
    do
        r = write(fd, buf, n);
    while (r < 0 && errno == EINTR);
    return r < 0 ? -errno : (long)r;
}

int su_read_full(int fd, void *buf, size_t n)
{
    char *p = buf;
    while (n) {
        long r = su_read(fd, p, n);
        if (r <= 0)
            return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

int su_write_full(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n) {
        long r = su_write(fd, p, n);
        if (r <= 0)
            return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

int su_close(int fd)
{
    return close(fd);
}

int su_set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 ? -errno : fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ? -errno : 0;
}

int su_poll_in(int fd, int timeout_ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int r;
    do
        r = poll(&p, 1, timeout_ms);
    while (r < 0 && errno == EINTR);
    return r < 0 ? -1 : r;
}

static struct sockaddr_in loopback(int port)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t)port);
    return a;
}

int su_tcp_listen(int *port, int backlog)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = loopback(*port);
    socklen_t len = sizeof a;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, backlog) < 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
        int err = errno;
        close(fd);
        return -err;
    }
    *port = ntohs(a.sin_port);
    return fd;
}

int su_tcp_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    struct sockaddr_in a = loopback(port);
    int r;
    do
        r = connect(fd, (struct sockaddr *)&a, sizeof a);
    while (r < 0 && errno == EINTR);
    if (r < 0) {
        int err = errno;
        close(fd);
        return -err;
    }
    return fd;
}

int su_tcp_accept(int lfd)
{
    int fd;
    do
        fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    return fd < 0 ? -errno : fd;
}

int su_set_linger_rst(int fd)
{
    struct linger l = {1, 0};
    return setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l) < 0 ? -errno : 0;
}

int su_set_nodelay(int fd)
{
    int one = 1;
    return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0 ? -errno : 0;
}

int su_free_port(void)
{
    int port = 0;
    int fd = su_tcp_listen(&port, 1);
    if (fd < 0)
        return -1;
    close(fd);
    return port;
}

int su_wait_port(int port, int timeout_ms)
{
    double end = su_now() + timeout_ms / 1000.0;
    for (;;) {
        int fd = su_tcp_connect(port);
        if (fd >= 0) {
            close(fd);
            return 0;
        }
        if (su_now() >= end)
            return -1;
        su_sleep_ms(10);
    }
}

int su_udp_socket(int *port)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    struct sockaddr_in a = loopback(0);
    socklen_t len = sizeof a;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
        int err = errno;
        close(fd);
        return -err;
    }
    *port = ntohs(a.sin_port);
    return fd;
}

long su_udp_send(int fd, int port, const void *buf, size_t n)
{
    struct sockaddr_in a = loopback(port);
    ssize_t r = sendto(fd, buf, n, 0, (struct sockaddr *)&a, sizeof a);
    return r < 0 ? -errno : (long)r;
}

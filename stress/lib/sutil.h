/*
 * sutil.h - POSIX helpers for the stress programs, in plain C types only, so that programs built
 * against the Winsock headers (which cannot sit next to glibc's socket headers) can use them too.
 *
 * Everything here works on raw Linux fds and never calls ovio: the peers of a stress scenario
 * (a forked child, a load client) are ordinary Linux programs.
 */
#ifndef STRESS_SUTIL_H
#define STRESS_SUTIL_H

#include <stddef.h>
#include <stdint.h>

/* ---- time -------------------------------------------------------------------------------------
 */
double su_now(void);      /* seconds, CLOCK_MONOTONIC */
void su_sleep_ms(int ms); /* nanosleep: not an ovio wait, runs no routine */

/* ---- limits and process figures ---------------------------------------------------------------
 */
long su_nofile_get(void);        /* soft RLIMIT_NOFILE */
long su_nofile_hard(void);       /* hard RLIMIT_NOFILE */
long su_nofile_raise(long want); /* soft := min(want, hard) (want <= 0: hard); new soft */
int su_nofile_set(long soft);    /* soft := soft (may lower); 0 or -errno */
int su_fd_count(int pid);        /* entries of /proc/PID/fd (pid 0: self); -1 on error */
long su_rss_kib(int pid);        /* VmRSS of /proc/PID/status in KiB (pid 0: self); -1 */
int su_getpid(void);
/* io_uring rings of a process (pid 0: self): CQEs in the rings and entries on their kernel
 * overflow lists, from /proc/PID/fdinfo.  Returns the number of rings found (0: none). */
int su_uring_cq_state(int pid, long *cqes, long *overflow);

/* ---- the byte pattern: byte k of stream s is a function of (s, k) -----------------------------
 */
uint64_t su_mix64(uint64_t x);
void su_pattern_fill(uint64_t stream, uint64_t off, void *buf, size_t n);
/* Index of the first byte that differs from the pattern, or n. */
size_t su_pattern_check(uint64_t stream, uint64_t off, const void *buf, size_t n);

/* ---- processes --------------------------------------------------------------------------------
 */
int su_fork(void);
void su_exit_now(int code) __attribute__((noreturn)); /* _exit */
/* Waits up to timeout_ms (-1: forever) for pid; returns 0 with *status (exit code, or 128+signal)
 * or -1 when it is still running. */
int su_wait_pid(int pid, int timeout_ms, int *status);
int su_kill(int pid, int sig);
/* fork+exec argv with stdout/stderr appended to log_path (NULL: /dev/null) and, if nofile > 0,
 * RLIMIT_NOFILE soft set to nofile in the child.  Returns the pid or -1. */
int su_spawn(char *const argv[], const char *log_path, long nofile);
/* Ignore SIGPIPE (raw-fd peers write to reset connections). */
void su_ignore_sigpipe(void);
/* Arms an alarm that kills the process (exit 2 with a message) after seconds: no scenario hangs. */
void su_watchdog(unsigned seconds, const char *name);

/* ---- raw fds (peers outside ovio) -------------------------------------------------------------
 */
int su_pipe(int fds[2]);
long su_read(int fd, void *buf, size_t n);            /* -errno on error */
long su_write(int fd, const void *buf, size_t n);     /* -errno on error */
int su_read_full(int fd, void *buf, size_t n);        /* 0, or -1 (EOF/error) */
int su_write_full(int fd, const void *buf, size_t n); /* 0, or -1 */
int su_close(int fd);
int su_set_nonblock(int fd);
int su_poll_in(int fd, int timeout_ms);    /* 1 readable, 0 timeout, -1 error */
int su_tcp_listen(int *port, int backlog); /* 127.0.0.1; *port 0: any (updated) */
int su_tcp_connect(int port);              /* blocking connect to 127.0.0.1:port */
int su_tcp_accept(int lfd);
int su_set_linger_rst(int fd); /* SO_LINGER {1, 0}: close sends RST */
int su_set_nodelay(int fd);
int su_free_port(void);                     /* a port nothing listens on now */
int su_wait_port(int port, int timeout_ms); /* 0 when something accepts there */
/* UDP on 127.0.0.1: a socket bound to any port; its port in *port. */
int su_udp_socket(int *port);
long su_udp_send(int fd, int port, const void *buf, size_t n);

#endif

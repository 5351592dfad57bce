/*
 * Helpers for the completion-routine, ordering/close and wait tests (SPEC D, E, F).
 * Owned by the d*, e*, f* tests; include after (or instead of) "helpers.h".
 *
 * The central device: every routine and APC these tests install checks that it runs
 *   - inside an alertable wait that the test itself entered (wh_in_alertable, thread-local, is
 *     raised only around SleepEx/...Ex(TRUE)/WSAWaitForMultipleEvents(TRUE) through ALERTABLE()),
 *   - in the thread that issued the operation / was targeted by the APC,
 *   - not inside the call that issued the operation (wh_in_issue),
 *   - not nested inside another routine (wh_depth).
 * A wrong implementation that runs a routine from its poller thread, from a non-alertable wait or
 * from inside WSARecv therefore fails the test at once, whatever the test is about.
 */
#ifndef OVIO_TEST_WAIT_HELPERS_H
#define OVIO_TEST_WAIT_HELPERS_H

#include "helpers.h"

#include <stdatomic.h>
#if defined(__linux__)
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h> /* syscall, pipe, read, write, close (winsock2.h allows it alongside) */
#endif

/* ---- where are we ------------------------------------------------------------------------- */

static __thread int wh_in_alertable; /* > 0 inside an alertable wait entered through ALERTABLE() */
static __thread int wh_in_issue;     /* > 0 inside WSASend/WSARecv/... issued through ISSUE() */
static __thread int wh_depth;        /* routines/APCs running now in this thread */

/* Run an alertable wait call with the "inside an alertable wait" mark raised. */
#define ALERTABLE(call)                                                                            \
    __extension__({                                                                                \
        wh_in_alertable++;                                                                         \
        DWORD alertable_r_ = (DWORD)(call);                                                        \
        wh_in_alertable--;                                                                         \
        alertable_r_;                                                                              \
    })

/* Run an issuing call (WSARecv, WSASend, ...) with the "inside the issuing call" mark raised.
 * Keeps the call's last error intact for the caller. */
#define ISSUE(call)                                                                                \
    __extension__({                                                                                \
        wh_in_issue++;                                                                             \
        int issue_r_ = (int)(call);                                                                \
        int issue_e_ = WSAGetLastError();                                                          \
        wh_in_issue--;                                                                             \
        WSASetLastError(issue_e_);                                                                 \
        issue_r_;                                                                                  \
    })

/* Checks every routine/APC makes first. */
static inline void wh_routine_enter(DWORD expected_tid, const char *what)
{
    if (wh_in_alertable <= 0)
        FAIL("%s ran outside an alertable wait (SPEC D2)", what);
    if (wh_in_issue > 0)
        FAIL("%s ran inside the call that issued an operation (SPEC A4/D2)", what);
    if (expected_tid && GetCurrentThreadId() != expected_tid)
        FAIL("%s ran in thread %lu, not in the issuing thread %lu (SPEC D2)", what,
             (unsigned long)GetCurrentThreadId(), (unsigned long)expected_tid);
    if (wh_depth != 0)
        FAIL("%s ran nested inside another routine (depth %d, SPEC D4)", what, wh_depth);
    wh_depth++;
}

static inline void wh_routine_leave(void)
{
    wh_depth--;
}

/* ---- an operation record for completion routines -------------------------------------------- */

/* Global order in which routines/APCs ran (FIFO checks).  Atomic: _mt tests read it elsewhere. */
static atomic_int wh_seq;

typedef struct io_rec {
    WSAOVERLAPPED ov; /* first member: the routine casts the LPWSAOVERLAPPED back (SPEC B1) */
    DWORD issuer;     /* thread that issued the operation */
    atomic_int calls; /* routine calls (must end up exactly 1) */
    DWORD err, bytes, flags;
    int seq; /* value of wh_seq when it ran */
    int tag; /* free for the test */
} io_rec;

static inline void io_rec_init(io_rec *r, int tag)
{
    memset(r, 0, sizeof *r);
    r->issuer = GetCurrentThreadId();
    r->tag = tag;
}

/* The routine every test uses: records what it was given. */
__attribute__((unused)) static void CALLBACK rec_routine(DWORD dwError, DWORD cbTransferred,
                                                         LPWSAOVERLAPPED ov, DWORD dwFlags)
{
    io_rec *r = (io_rec *)ov;
    wh_routine_enter(r->issuer, "completion routine");
    r->err = dwError;
    r->bytes = cbTransferred;
    r->flags = dwFlags;
    r->seq = atomic_fetch_add(&wh_seq, 1) + 1;
    atomic_fetch_add(&r->calls, 1);
    wh_routine_leave();
}

static inline int rec_calls(io_rec *r)
{
    return atomic_load(&r->calls);
}

/* ---- time and polling ---- */

static inline ULONGLONG now_ms(void)
{
    return GetTickCount64();
}

static inline void yield_cpu(void)
{
#if defined(__linux__)
    sched_yield();
#else
    Sleep(0);
#endif
}

/* Wait, not alertably, until the operation on socket s that uses ov is no longer pending: the
 * Windows way for an OVERLAPPED whose hEvent is NULL (a routine's) - WSAGetOverlappedResult with
 * fWait TRUE waits on the socket (SPEC B5, C5) and runs no routine.  Waiting on the socket may end
 * when another of its operations completes: then the result is still WSA_IO_INCOMPLETE, so loop. */
static inline void wait_ov_done(SOCKET s, LPWSAOVERLAPPED ov, const char *what)
{
    for (int i = 0; i < 100000; i++) {
        DWORD n = 0, fl = 0;
        if (WSAGetOverlappedResult(s, ov, &n, TRUE, &fl))
            return;
        int e = WSAGetLastError();
        if (e != WSA_IO_INCOMPLETE)
            return; /* done, with an error */
    }
    FAIL("%s: WSAGetOverlappedResult(fWait TRUE) keeps returning WSA_IO_INCOMPLETE", what);
}

#define WAIT_DONE(s, ov) wait_ov_done((s), (ov), #ov)

/* Alertable waits (each must run something) until cond holds. */
#define RUN_UNTIL(cond)                                                                            \
    do {                                                                                           \
        while (!(cond)) {                                                                          \
            DWORD w_ = ALERTABLE(SleepEx(10000, TRUE));                                            \
            if (w_ != WAIT_IO_COMPLETION)                                                          \
                FAIL("waiting for %s: SleepEx returned %lu", #cond, (unsigned long)w_);            \
        }                                                                                          \
    } while (0)

/* True when the event is signalled now (consumes an auto-reset event). */
static inline int event_is_set(HANDLE ev)
{
    return WaitForSingleObject(ev, 0) == WAIT_OBJECT_0;
}

/* Block until the Linux thread tid sleeps in the kernel (state S/D), or give up after timeout_ms.
 * Used only to raise the chance that another thread is really blocked inside a wait before the
 * test acts; the tests' assertions hold whether or not it is. */
static inline void wait_thread_sleeping(long tid, DWORD timeout_ms)
{
#if defined(__linux__)
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%ld/stat", tid);
    ULONGLONG end = now_ms() + timeout_ms;
    int streak = 0;
    while (now_ms() < end) {
        FILE *f = fopen(path, "r");
        if (!f)
            return;
        char line[512];
        size_t n = fread(line, 1, sizeof line - 1, f);
        fclose(f);
        line[n] = 0;
        char *p = strrchr(line, ')');
        if (p && p[1] == ' ' && (p[2] == 'S' || p[2] == 'D')) {
            if (++streak >= 3) /* three looks in a row: not a passing lock */
                return;
        } else {
            streak = 0;
        }
        yield_cpu();
    }
#else
    (void)tid;
    (void)timeout_ms;
#endif
}

static inline long linux_tid(void)
{
#if defined(__linux__)
    return (long)syscall(SYS_gettid);
#else
    return 0;
#endif
}

/* ---- sockets ---- */

/* Make the peer send an RST: SO_LINGER {1, 0} then closesocket. */
static inline void reset_close(SOCKET s)
{
    LINGER l;
    l.l_onoff = 1;
    l.l_linger = 0;
    CHECK(setsockopt(s, SOL_SOCKET, SO_LINGER, (const char *)&l, sizeof l) == 0);
    CHECK(closesocket(s) == 0);
}

static inline void set_bufs(SOCKET s, int snd, int rcv)
{
    if (snd > 0)
        CHECK(setsockopt(s, SOL_SOCKET, SO_SNDBUF, (const char *)&snd, sizeof snd) == 0);
    if (rcv > 0)
        CHECK(setsockopt(s, SOL_SOCKET, SO_RCVBUF, (const char *)&rcv, sizeof rcv) == 0);
}

/* "Small buffers" that force the kernel to take sends in many short pieces: a 4 KiB SO_SNDBUF on
 * the sending socket.  The receiving socket gets a 64 KiB SO_RCVBUF: with a 4 KiB receive buffer
 * Linux loopback TCP crawls at about 40 KB/s (200 ms persist/delayed-ACK stalls, whatever the
 * engine), which would make the large transfers here take minutes. */
static inline void small_send_buffers(SOCKET sender, SOCKET receiver)
{
    set_bufs(sender, 4096, 0);
    set_bufs(receiver, 0, 65536);
}

/* Receive up to len bytes with an overlapped WSARecv and a non-alertable wait on its event; returns
 * the count (0 at end of stream).  Used instead of a plain blocking recv() where the same thread
 * has overlapped sends in flight: a thread inside an ovio wait can always make progress. */
static inline DWORD ov_recv(SOCKET s, char *buf, size_t len)
{
    static __thread WSAEVENT ev;
    if (!ev) {
        ev = WSACreateEvent();
        CHECK(ev != WSA_INVALID_EVENT);
    }
    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.hEvent = ev;
    CHECK(WSAResetEvent(ev));
    WSABUF b;
    b.len = len > 0x7fffffff ? 0x7fffffff : (ULONG)len;
    b.buf = buf;
    DWORD flags = 0, n = 0;
    int rc = WSARecv(s, &b, 1, &n, &flags, &ov, NULL);
    if (rc != 0 && WSAGetLastError() != WSA_IO_PENDING)
        FAIL("WSARecv: error %d", WSAGetLastError());
    if (WaitForSingleObject(ev, 20000) != WAIT_OBJECT_0)
        FAIL("overlapped receive: no completion in 20 s");
    if (!WSAGetOverlappedResult(s, &ov, &n, FALSE, &flags))
        FAIL("overlapped receive failed: %d", WSAGetLastError());
    return n;
}

static inline void ov_recv_all(SOCKET s, void *buf, size_t len)
{
    char *p = (char *)buf;
    while (len) {
        DWORD n = ov_recv(s, p, len > 65536 ? 65536 : len);
        if (n == 0)
            FAIL("end of stream with %zu bytes still expected", len);
        p += n;
        len -= n;
    }
}

/* Issue an overlapped receive of len bytes into buf with the given OVERLAPPED/routine.
 * Returns WSARecv's result; *flags_out gets 0 first. */
static inline int post_recv(SOCKET s, char *buf, ULONG len, LPWSAOVERLAPPED ov,
                            LPWSAOVERLAPPED_COMPLETION_ROUTINE fn)
{
    WSABUF b;
    b.len = len;
    b.buf = buf;
    DWORD flags = 0;
    return ISSUE(WSARecv(s, &b, 1, NULL, &flags, ov, fn));
}

static inline int post_send(SOCKET s, const char *buf, ULONG len, LPWSAOVERLAPPED ov,
                            LPWSAOVERLAPPED_COMPLETION_ROUTINE fn)
{
    WSABUF b;
    b.len = len;
    b.buf = (char *)buf;
    return ISSUE(WSASend(s, &b, 1, NULL, 0, ov, fn));
}

/* A receive that must pend (no data queued): checks WSA_IO_PENDING. */
#define POST_RECV_PENDING(s, buf, len, ov, fn)                                                     \
    do {                                                                                           \
        int pr_ = post_recv((s), (buf), (len), (ov), (fn));                                        \
        int pe_ = WSAGetLastError();                                                               \
        if (pr_ != SOCKET_ERROR || pe_ != WSA_IO_PENDING)                                          \
            FAIL("WSARecv: %d, error %d; wanted pending (997)", pr_, pe_);                         \
    } while (0)

/* An operation that pends or completes at once (either is fine): fails on any other outcome. */
#define ISSUED_OK(call_result)                                                                     \
    do {                                                                                           \
        int ir_ = (call_result);                                                                   \
        int ie_ = WSAGetLastError();                                                               \
        if (ir_ != 0 && !(ir_ == SOCKET_ERROR && ie_ == WSA_IO_PENDING))                           \
            FAIL("%s: %d, error %d; wanted 0 or pending", #call_result, ir_, ie_);                 \
    } while (0)

/* Deterministic test pattern: the byte at stream offset i (tag separates streams). */
static inline unsigned char pattern_byte(unsigned long long i, unsigned tag)
{
    unsigned w = (unsigned)(i >> 2) * 2654435761u ^ (tag * 0x9E3779B9u);
    w ^= w >> 15;
    return (unsigned char)(w >> ((i & 3) * 8));
}

static inline void pattern_fill(char *p, size_t n, unsigned long long off, unsigned tag)
{
    for (size_t k = 0; k < n; k++)
        p[k] = (char)pattern_byte(off + k, tag);
}

/* Index of the first byte that differs from the pattern, or -1. */
static inline long long pattern_check(const char *p, size_t n, unsigned long long off, unsigned tag)
{
    for (size_t k = 0; k < n; k++)
        if ((unsigned char)p[k] != pattern_byte(off + k, tag))
            return (long long)k;
    return -1;
}

#endif

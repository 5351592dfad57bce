/*
 * Helpers for the overlapped-call tests (SPEC A, B, C, G1, G3, G4): tests a*, b*, c*, g1_*, g3_*,
 * g4_*.  Include instead of "helpers.h".
 *
 * Rules these helpers follow (and the tests with them):
 *   - no sleep stands in for a wait: completions are awaited on their event or with
 *     WSAGetOverlappedResult(fWait = TRUE);
 *   - where a test must prove that something does NOT happen (no event, no routine, no packet, no
 *     completion), it gives the library QUIET_MS in a bounded wait that must time out;
 *   - while an overlapped send is pending, the peer is drained with overlapped receives and event
 *     waits (library waits), never with a plain blocking recv(), so that an engine which makes
 *     progress only inside its own waits can still move the send along.
 */
#ifndef OVIO_TEST_OV_HELPERS_H
#define OVIO_TEST_OV_HELPERS_H

#include "helpers.h"

#include <stdint.h>
#include <time.h>

/* How long a test lets the library do something it must not do (a bounded wait that must time
 * out).  Long enough for a loopback completion to have happened many times over. */
#define QUIET_MS 200
/* Upper bound for things that must happen (a completion that is due). */
#define DUE_MS 10000

/* ---- time (C library only: polling loops must call nothing of ovio's but what they test) ---- */

static inline uint64_t ovt_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---- events -------------------------------------------------------------------------------- */

static inline WSAEVENT ovt_event(void)
{
    WSAEVENT ev = WSACreateEvent();
    CHECK(ev != WSA_INVALID_EVENT);
    return ev;
}

/* A non-alertable wait on one event. */
static inline DWORD ovt_wait(WSAEVENT ev, DWORD ms)
{
    return WSAWaitForMultipleEvents(1, &ev, TRUE, ms, FALSE);
}

/* The event is signalled now / is not signalled now. */
#define CHECK_SET(ev) CHECK_EQ(ovt_wait((ev), 0), WSA_WAIT_EVENT_0)
#define CHECK_UNSET(ev) CHECK_EQ(ovt_wait((ev), 0), WSA_WAIT_TIMEOUT)
/* The event becomes signalled (a completion that is due). */
#define WAIT_SET(ev) CHECK_EQ(ovt_wait((ev), DUE_MS), WSA_WAIT_EVENT_0)
/* The event stays unsignalled for QUIET_MS (bounded wait that must time out: proves that no
 * completion / notification happens). */
#define CHECK_STAYS_UNSET(ev) CHECK_EQ(ovt_wait((ev), QUIET_MS), WSA_WAIT_TIMEOUT)

static inline void ovt_ov(WSAOVERLAPPED *ov, WSAEVENT ev)
{
    memset(ov, 0, sizeof *ov);
    ov->hEvent = ev;
}

/* ---- issuing ------------------------------------------------------------------------------- */

/* An overlapped receive that must pend (no data can be there yet). */
static inline void ovt_recv_pending(SOCKET s, char *buf, ULONG len, WSAOVERLAPPED *ov,
                                    LPWSAOVERLAPPED_COMPLETION_ROUTINE fn)
{
    WSABUF wb;
    wb.len = len;
    wb.buf = buf;
    DWORD n = 0xdeadbeef, flags = 0;
    int r = WSARecv(s, &wb, 1, &n, &flags, ov, fn);
    CHECK_ERR(r, SOCKET_ERROR, WSA_IO_PENDING);
    CHECK_EQ(n, 0xdeadbeef);
}

/* An overlapped send that must complete at once (small, on an idle connection). */
static inline void ovt_send_now(SOCKET s, const char *buf, ULONG len, WSAOVERLAPPED *ov,
                                LPWSAOVERLAPPED_COMPLETION_ROUTINE fn)
{
    WSABUF wb;
    wb.len = len;
    wb.buf = (char *)buf;
    DWORD n = 0xdeadbeef;
    int r = WSASend(s, &wb, 1, &n, 0, ov, fn);
    if (r != 0)
        FAIL("WSASend of %lu bytes: %d, error %d (wanted an immediate success)", (unsigned long)len,
             r, WSAGetLastError());
    CHECK_EQ(n, len);
}

/* Result of a completed (or completing) operation, through WSAGetOverlappedResult. */
static inline void ovt_result_ok(SOCKET s, WSAOVERLAPPED *ov, DWORD expect_bytes)
{
    DWORD n = 0xdeadbeef, flags = 0xdeadbeef;
    if (!WSAGetOverlappedResult(s, ov, &n, TRUE, &flags))
        FAIL("WSAGetOverlappedResult: FALSE, error %d (wanted success)", WSAGetLastError());
    CHECK_EQ(n, expect_bytes);
    CHECK_EQ(flags, 0);
}

static inline void ovt_result_err(SOCKET s, WSAOVERLAPPED *ov, int expect_err)
{
    DWORD n = 0xdeadbeef, flags = 0;
    WSASetLastError(0);
    BOOL ok = WSAGetOverlappedResult(s, ov, &n, TRUE, &flags);
    if (ok)
        FAIL("WSAGetOverlappedResult: TRUE with %lu bytes, wanted error %d", (unsigned long)n,
             expect_err);
    CHECK_EQ(WSAGetLastError(), expect_err);
}

/* Wait until at least n bytes are queued on s (blocking peeks; consumes nothing).  Only while no
 * overlapped receive is pending on s. */
static inline void ovt_wait_queued(SOCKET s, int n)
{
    char *tmp = malloc((size_t)n);
    CHECK(tmp != NULL);
    for (;;) {
        int r = recv(s, tmp, n, MSG_PEEK);
        if (r <= 0)
            FAIL("recv(MSG_PEEK): %d, error %d", r, WSAGetLastError());
        if (r >= n)
            break;
    }
    free(tmp);
}

/* Abortive close: the peer sees a reset. */
static inline void ovt_close_with_rst(SOCKET s)
{
    LINGER l;
    l.l_onoff = 1;
    l.l_linger = 0;
    CHECK(setsockopt(s, SOL_SOCKET, SO_LINGER, (const char *)&l, sizeof l) == 0);
    CHECK(closesocket(s) == 0);
}

/* Small kernel buffers, so that a send of a few MiB cannot be absorbed and must pend. */
static inline void ovt_small_buffers(SOCKET sender, SOCKET receiver)
{
    int v = 16384;
    CHECK(setsockopt(sender, SOL_SOCKET, SO_SNDBUF, (const char *)&v, sizeof v) == 0);
    CHECK(setsockopt(receiver, SOL_SOCKET, SO_RCVBUF, (const char *)&v, sizeof v) == 0);
}

/* The test pattern: position-dependent, with no short period, so a lost, duplicated or reordered
 * chunk shows. */
static inline unsigned char ovt_pattern(size_t i)
{
    return (unsigned char)(i * 131u + (i >> 11) * 7u + (i >> 19));
}

static inline char *ovt_pattern_buffer(size_t len)
{
    char *p = malloc(len);
    CHECK(p != NULL);
    for (size_t i = 0; i < len; i++)
        p[i] = (char)ovt_pattern(i);
    return p;
}

/* Receive bytes [from, to) of the pattern on s with overlapped receives awaited on an event
 * (library waits), checking them against ovt_pattern.  Used while the peer's overlapped send is
 * pending. */
static inline void ovt_drain_pattern_range(SOCKET s, size_t from, size_t to)
{
    enum { CHUNK = 256 * 1024 };
    char *buf = malloc(CHUNK);
    CHECK(buf != NULL);
    WSAEVENT ev = ovt_event();
    size_t got = from;
    while (got < to) {
        WSAOVERLAPPED ov;
        ovt_ov(&ov, ev);
        CHECK(WSAResetEvent(ev));
        WSABUF wb;
        wb.len = to - got < CHUNK ? (ULONG)(to - got) : CHUNK;
        wb.buf = buf;
        DWORD n = 0, flags = 0;
        int r = WSARecv(s, &wb, 1, &n, &flags, &ov, NULL);
        if (r == SOCKET_ERROR) {
            if (WSAGetLastError() != WSA_IO_PENDING)
                FAIL("drain: WSARecv error %d after %zu bytes", WSAGetLastError(), got);
            WAIT_SET(ev);
            if (!WSAGetOverlappedResult(s, &ov, &n, FALSE, &flags))
                FAIL("drain: receive failed with %d after %zu bytes", WSAGetLastError(), got);
        }
        if (n == 0)
            FAIL("drain: end of stream after %zu of %zu bytes", got, to);
        for (DWORD i = 0; i < n; i++)
            if ((unsigned char)buf[i] != ovt_pattern(got + i))
                FAIL("drain: byte %zu is 0x%02x, wanted 0x%02x", got + i, (unsigned char)buf[i],
                     ovt_pattern(got + i));
        got += n;
    }
    CHECK(WSACloseEvent(ev));
    free(buf);
}

static inline void ovt_drain_pattern(SOCKET s, size_t len)
{
    ovt_drain_pattern_range(s, 0, len);
}

/* ---- a peer outside ovio ------------------------------------------------------------------------
 * glibc's own socket calls.  The Winsock names are bound to ovio's symbols by asm labels; these are
 * bound to glibc's, so a peer built from them acts on the kernel directly and gives ovio no
 * chance to make progress.  Windows' SOCKADDR_IN has Linux's layout, and AF_INET (2) and
 * SOCK_STREAM (1) have the same values. */
int ovt_sys_socket(int domain, int type, int protocol) __asm__("socket");
int ovt_sys_connect(int fd, const void *addr, unsigned int len) __asm__("connect");
long ovt_sys_send(int fd, const void *buf, size_t len, int flags) __asm__("send");
int ovt_sys_close(int fd) __asm__("close");
#define OVT_SYS_MSG_NOSIGNAL 0x4000

/* A connected pair: *raw is a plain Linux fd (client), *s the ovio socket accepted for it. */
static inline void ovt_raw_pair(int *raw, SOCKET *s)
{
    SOCKADDR_IN a;
    SOCKET l = tcp_listener(&a);
    *raw = ovt_sys_socket(2 /* AF_INET */, 1 /* SOCK_STREAM */, 0);
    CHECK(*raw >= 0);
    CHECK(ovt_sys_connect(*raw, &a, sizeof a) == 0);
    *s = accept(l, NULL, NULL);
    CHECK(*s != INVALID_SOCKET);
    CHECK(closesocket(l) == 0);
}

static inline void ovt_sys_send_all(int fd, const void *buf, size_t len)
{
    const char *p = (const char *)buf;
    while (len) {
        long n = ovt_sys_send(fd, p, len, OVT_SYS_MSG_NOSIGNAL);
        CHECK(n > 0);
        p += n;
        len -= (size_t)n;
    }
}

/* ---- threads ---------------------------------------------------------------------------- */

static inline HANDLE ovt_thread(LPTHREAD_START_ROUTINE fn, void *arg)
{
    HANDLE h = CreateThread(NULL, 0, fn, arg, 0, NULL);
    CHECK(h != NULL);
    return h;
}

static inline void ovt_join(HANDLE h)
{
    CHECK_EQ(WaitForSingleObject(h, DUE_MS * 3), WAIT_OBJECT_0);
    CHECK(CloseHandle(h));
}

#endif

/*
 * close_pending.c - closesocket of sockets with operations pending (SPEC E6, D2, C4), from the
 * issuing thread and from another thread, many times over.
 *
 *   close_pending [ROUNDS [close|race|all]]   (default 600 all; prints its figures, exit 0 pass /
 *                                               1 fail)
 *
 * Three kinds of rounds, in turn (close: the first two only, race: the third only):
 *   same thread   a TCP socket with three receives (routines), one receive with an event, a
 *                 1 MiB send that cannot finish (routine) and a send queued behind it (event), plus
 *                 a UDP socket with a pending WSARecvFrom (routine); the issuing thread closes
 * both; other thread  the same, closed by a second thread while the issuing thread waits alertably;
 *   race          the issuing thread keeps posting small receives while the other thread closes
 *                 the socket at a random moment, then at once opens a new connection (which may
 *                 take the same fd number) and exchanges data on it both ways.
 * Checked: every operation that was accepted (returned 0 or WSA_IO_PENDING) completes exactly
 * once - its routine runs once, in the issuing thread, or its event is set once (an event reset
 * after its completion must still be unset after a quiet period) - with the aborted status
 * (WSAECONNABORTED for TCP receives, WSA_OPERATION_ABORTED for UDP, an error for sends);
 * WSAGetOverlappedResult works after the close; a racing WSARecv fails with WSAENOTSOCK; bytes
 * received before the close are the peer's, in order; nothing reaches the new connection's data.
 * Records are heap blocks: under ASan (make stress runs this program in the ASan build too) they
 * are freed the moment their completion is seen, so any later write by ovio is a
 * heap-use-after-free report; otherwise they are kept poisoned until a quiet period has passed, so
 * a second completion is caught as such.
 */
#include "wsx.h"

#include <stdatomic.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

#define ALIVE 0x51A11FEu
#define DEAD 0xDEADDEADu

enum { K_RECV, K_SEND, K_UDP, K_RACE };

struct race {
    uint64_t stream;
    uint64_t off;
    long issued, done, data_ops, aborted, foreign;
};

typedef struct rec {
    WSAOVERLAPPED ov; /* first: the routine casts it back */
    unsigned magic;
    long id;
    DWORD tid;
    int kind;
    int may_succeed;
    struct race *race;
    WSABUF wb;
    SOCKADDR_IN from;
    int from_len;
    struct rec *grave_next;
    char buf[16];
} rec;

static SOCKET g_listener;
static SOCKADDR_IN g_laddr;
static unsigned char *g_calls;
static long g_cap, g_next;
static long g_routines;
static rec *g_grave;
static char g_big[1 << 20];

/* figures */
static long f_ops, f_routines, f_events, f_tcp_aborted, f_udp_aborted, f_send_failed,
    f_race_notsock, f_race_invalid_handle, f_race_data_ops, f_reopen_ok, f_send_completed,
    f_race_misdirected, f_race_other_error, f_race_stolen;
static int f_race_first_error;

static rec *rec_new(int kind)
{
    if (g_next >= g_cap)
        WSX_FAIL("out of record ids (%ld)", g_cap);
    rec *r = calloc(1, sizeof *r);
    WSX_CHECK(r != NULL);
    r->magic = ALIVE;
    r->id = g_next++;
    r->tid = GetCurrentThreadId();
    r->kind = kind;
    r->wb.buf = r->buf;
    r->wb.len = sizeof r->buf;
    r->from_len = sizeof r->from;
    return r;
}

static void rec_done(rec *r)
{
    if (UNDER_ASAN) {
        free(r); /* a later write by ovio is a heap-use-after-free under ASan */
        return;
    }
    r->magic = DEAD;
    r->grave_next = g_grave;
    g_grave = r;
}

static void grave_free(void)
{
    while (g_grave) {
        rec *r = g_grave;
        g_grave = r->grave_next;
        if (r->magic != DEAD)
            WSX_FAIL("a completed record was written to after its completion (magic %x)", r->magic);
        free(r);
    }
}

/* The routine every operation here uses. */
static void CALLBACK on_done(DWORD err, DWORD bytes, LPWSAOVERLAPPED ov, DWORD flags)
{
    rec *r = (rec *)ov;
    if (r->magic != ALIVE)
        WSX_FAIL("completion routine called for a record that already completed (magic %x)",
                 r->magic);
    if (r->tid != GetCurrentThreadId())
        WSX_FAIL("routine of record %ld ran in thread %lu, issued by %lu (SPEC D2)", r->id,
                 (unsigned long)GetCurrentThreadId(), (unsigned long)r->tid);
    if (flags != 0)
        WSX_FAIL("routine dwFlags %lu (SPEC D1: 0)", (unsigned long)flags);
    if (g_calls[r->id]++ != 0)
        WSX_FAIL("record %ld completed twice", r->id);
    f_routines++;
    switch (r->kind) {
    case K_RECV:
        if (err != WSAECONNABORTED || bytes != 0)
            WSX_FAIL("aborted TCP receive: error %lu, %lu bytes (wanted WSAECONNABORTED, 0)",
                     (unsigned long)err, (unsigned long)bytes);
        f_tcp_aborted++;
        break;
    case K_UDP:
        if (err != WSA_OPERATION_ABORTED || bytes != 0)
            WSX_FAIL("aborted UDP receive: error %lu, %lu bytes (wanted 995, 0)",
                     (unsigned long)err, (unsigned long)bytes);
        f_udp_aborted++;
        break;
    case K_SEND:
        if (err == 0) {
            if (!r->may_succeed)
                WSX_FAIL("a send that could not finish reported success");
            f_send_completed++;
        } else {
            f_send_failed++;
        }
        break;
    case K_RACE: {
        struct race *rc = r->race;
        if (err == 0) {
            if (bytes == 0)
                WSX_FAIL("race receive completed with 0 bytes but the peer did not close");
            size_t bad = su_pattern_check(rc->stream, rc->off, r->buf, bytes);
            if (bad != bytes) {
                /* Not the next bytes of its own connection: data of the new connection that took
                 * the fd number (a misdirected receive, counted and reported at the end). */
                printf("race: a receive issued on the closed socket got %lu bytes that are not "
                       "its connection's (offset %llu)\n",
                       (unsigned long)bytes, (unsigned long long)rc->off);
                rc->foreign++;
            } else {
                rc->off += bytes;
                rc->data_ops++;
            }
        } else if (err == WSAECONNABORTED || err == WSA_OPERATION_ABORTED) {
            if (bytes)
                WSX_FAIL("aborted race receive with %lu bytes", (unsigned long)bytes);
            rc->aborted++;
        } else {
            WSX_FAIL("race receive ended with error %lu", (unsigned long)err);
        }
        rc->done++;
        break;
    }
    }
    rec_done(r);
    __atomic_add_fetch(&g_routines, 1, __ATOMIC_RELEASE);
}

/* ---- the closing thread -----------------------------------------------------------------------
 */

static HANDLE g_go, g_closed;
static SOCKET g_close_a = INVALID_SOCKET, g_close_b = INVALID_SOCKET;
static volatile long g_spin;
static volatile int g_reopen, g_reopen_failed;
static uint64_t g_stream = 1000;

static void exchange_check(SOCKET from, SOCKET to, uint64_t stream)
{
    char out[64], in[64];
    su_pattern_fill(stream, 0, out, sizeof out);
    wsx_send_all(from, out, sizeof out);
    size_t got = 0;
    while (got < sizeof in) {
        int n = recv(to, in + got, (int)(sizeof in - got), 0);
        if (n <= 0) {
            /* WSAETIMEDOUT: the bytes went to somebody else's receive */
            printf("new connection: recv %d, error %d after %zu bytes\n", n, WSAGetLastError(),
                   got);
            g_reopen_failed = 1;
            return;
        }
        got += (size_t)n;
    }
    if (su_pattern_check(stream, 0, in, sizeof in) != sizeof in)
        g_reopen_failed = 1;
}

static DWORD WINAPI closer(LPVOID arg)
{
    (void)arg;
    for (;;) {
        if (WaitForSingleObject(g_go, INFINITE) != WAIT_OBJECT_0)
            return 1;
        if (g_close_a == INVALID_SOCKET && g_close_b == INVALID_SOCKET)
            return 0; /* stop */
        for (volatile long i = 0; i < g_spin; i++) {
        }
        if (g_close_a != INVALID_SOCKET && closesocket(g_close_a) != 0)
            WSX_FAIL("closesocket from the other thread: %d", WSAGetLastError());
        if (g_close_b != INVALID_SOCKET && closesocket(g_close_b) != 0)
            WSX_FAIL("closesocket from the other thread: %d", WSAGetLastError());
        if (g_reopen) {
            /* A new connection right away, very likely on the fd number just freed. */
            SOCKET c2, s2;
            wsx_tcp_pair_on(g_listener, &g_laddr, &c2, &s2);
            DWORD ms = 2000;
            setsockopt(c2, SOL_SOCKET, SO_RCVTIMEO, (const char *)&ms, sizeof ms);
            setsockopt(s2, SOL_SOCKET, SO_RCVTIMEO, (const char *)&ms, sizeof ms);
            exchange_check(c2, s2, 7);
            exchange_check(s2, c2, 8);
            closesocket(c2);
            closesocket(s2);
        }
        SetEvent(g_closed);
    }
}

static void close_in_other_thread(SOCKET a, SOCKET b, long spin, int reopen)
{
    g_close_a = a;
    g_close_b = b;
    g_spin = spin;
    g_reopen = reopen;
    SetEvent(g_go);
}

static void wait_closed(void)
{
    double end = su_now() + 10;
    for (;;) {
        DWORD w = WaitForSingleObjectEx(g_closed, 100, TRUE); /* routines may run meanwhile */
        if (w == WAIT_OBJECT_0)
            return;
        if (w != WAIT_TIMEOUT && w != WAIT_IO_COMPLETION)
            WSX_FAIL("WaitForSingleObjectEx: %lu", (unsigned long)w);
        if (su_now() > end)
            WSX_FAIL("the closing thread did not finish");
    }
}

/* ---- rounds -----------------------------------------------------------------------------------
 */

static HANDLE g_stash[256];
static int g_nstash;

static void post_pending(SOCKET s, rec *r, int send, LPWSAOVERLAPPED_COMPLETION_ROUTINE fn)
{
    DWORD flags = 0;
    int rc;
    if (send)
        rc = WSASend(s, &r->wb, 1, NULL, 0, &r->ov, fn);
    else if (r->kind == K_UDP)
        rc =
            WSARecvFrom(s, &r->wb, 1, NULL, &flags, (SOCKADDR *)&r->from, &r->from_len, &r->ov, fn);
    else
        rc = WSARecv(s, &r->wb, 1, NULL, &flags, &r->ov, fn);
    if (rc == 0 && send && r->may_succeed) {
        f_ops++;
        return;
    }
    if (rc != SOCKET_ERROR || WSAGetLastError() != WSA_IO_PENDING)
        WSX_FAIL("%s: %d, error %d (wanted pending)", send ? "WSASend" : "WSARecv", rc,
                 WSAGetLastError());
    f_ops++;
}

static void round_close(int other_thread)
{
    SOCKET c, s, u, u2;
    SOCKADDR_IN uaddr;
    wsx_tcp_pair_on(g_listener, &g_laddr, &c, &s);
    wsx_set_bufs(s, 16384, 0);
    wsx_set_bufs(c, 0, 16384);
    wsx_udp_pair(&u, &u2, &uaddr);
    long base = __atomic_load_n(&g_routines, __ATOMIC_ACQUIRE);
    int expect = 0;
    for (int i = 0; i < 3; i++, expect++)
        post_pending(s, rec_new(K_RECV), 0, on_done);
    WSAEVENT ev_recv = WSACreateEvent(), ev_send = WSACreateEvent();
    WSX_CHECK(ev_recv != WSA_INVALID_EVENT && ev_send != WSA_INVALID_EVENT);
    rec *er = rec_new(K_RECV);
    er->ov.hEvent = ev_recv;
    post_pending(s, er, 0, NULL);
    rec *big = rec_new(K_SEND);
    big->wb.buf = g_big;
    big->wb.len = sizeof g_big;
    post_pending(s, big, 1, on_done);
    expect++;
    rec *es = rec_new(K_SEND);
    es->ov.hEvent = ev_send;
    es->wb.buf = g_big;
    es->wb.len = 1024;
    post_pending(s, es, 1, NULL);
    post_pending(u, rec_new(K_UDP), 0, on_done);
    expect++;

    if (other_thread) {
        close_in_other_thread(s, u, 0, 0);
        wait_closed();
    } else {
        WSX_CHECK_EQ(closesocket(s), 0);
        WSX_CHECK_EQ(closesocket(u), 0);
    }
    long got = wsx_run_until(&g_routines, base + expect, 10000);
    if (got != base + expect)
        WSX_FAIL("%ld of %d completion routines ran after closesocket (%s thread)", got - base,
                 expect, other_thread ? "other" : "same");
    HANDLE evs[2] = {ev_recv, ev_send};
    DWORD w = WaitForMultipleObjects(2, evs, TRUE, 10000);
    if (w != WAIT_OBJECT_0)
        WSX_FAIL("events of the aborted operations not set: %lu", (unsigned long)w);
    f_events += 2;
    DWORD n = 12345, fl = 0;
    WSX_CHECK_ERR(WSAGetOverlappedResult(s, &er->ov, &n, FALSE, &fl), FALSE, WSAECONNABORTED);
    WSX_CHECK_EQ(n, 0);
    BOOL ok = WSAGetOverlappedResult(s, &es->ov, &n, FALSE, &fl);
    if (ok || WSAGetLastError() == WSA_IO_INCOMPLETE)
        WSX_FAIL("the queued send behind an aborted one: ok %d, error %d", ok, WSAGetLastError());
    WSX_CHECK(HasOverlappedIoCompleted(&er->ov) && HasOverlappedIoCompleted(&es->ov));
    g_calls[er->id]++;
    g_calls[es->id]++;
    f_tcp_aborted++;
    f_send_failed++;
    rec_done(er);
    rec_done(es);
    /* Exactly once: reset now; nothing may set them again (checked after the quiet period). */
    WSX_CHECK(WSAResetEvent(ev_recv) && WSAResetEvent(ev_send));
    g_stash[g_nstash++] = ev_recv;
    g_stash[g_nstash++] = ev_send;
    closesocket(c);
    closesocket(u2);
}

static uint64_t rng = 88172645463325252ull;
static uint64_t rnd(uint64_t n)
{
    rng = su_mix64(rng);
    return rng % n;
}

static void round_race(void)
{
    SOCKET c, s;
    wsx_tcp_pair_on(g_listener, &g_laddr, &c, &s);
    struct race rc;
    memset(&rc, 0, sizeof rc);
    rc.stream = ++g_stream;
    char data[100];
    su_pattern_fill(rc.stream, 0, data, sizeof data);
    wsx_send_all(c, data, sizeof data);
    close_in_other_thread(s, INVALID_SOCKET, (long)rnd(20000), 1);
    for (int i = 0; i < 400; i++) {
        rec *r = rec_new(K_RACE);
        r->race = &rc;
        r->wb.len = 1 + (ULONG)rnd(9);
        DWORD flags = 0;
        int ret = WSARecv(s, &r->wb, 1, NULL, &flags, &r->ov, on_done);
        if (ret == 0 || WSAGetLastError() == WSA_IO_PENDING) {
            rc.issued++;
            f_ops++;
        } else {
            int err = WSAGetLastError();
            g_calls[r->id] = 1;
            free(r);
            if (err == WSAENOTSOCK) {
                f_race_notsock++;
            } else if (err == WSA_INVALID_HANDLE) {
                f_race_invalid_handle++; /* reported at the end */
            } else {
                /* e.g. WSAENOTCONN: the call reached another socket, the new unconnected one
                 * that took the closed socket's fd number (reported at the end) */
                f_race_other_error++;
                if (!f_race_first_error)
                    f_race_first_error = err;
            }
            break;
        }
        if (i % 8 == 7)
            SleepEx(0, TRUE);
    }
    wait_closed();
    double end = su_now() + 10;
    while (rc.done < rc.issued && su_now() < end)
        SleepEx(10, TRUE);
    if (rc.done != rc.issued)
        WSX_FAIL("race: %ld of %ld accepted receives never completed (lost completion)",
                 rc.issued - rc.done, rc.issued);
    if (g_reopen_failed) {
        f_race_stolen++;
        g_reopen_failed = 0;
    }
    f_race_misdirected += rc.foreign;
    if (rc.off > sizeof data)
        WSX_FAIL("race: %llu bytes received, only %zu sent", (unsigned long long)rc.off,
                 sizeof data);
    f_race_data_ops += rc.data_ops;
    f_tcp_aborted += rc.aborted;
    f_reopen_ok++;
    closesocket(c);
}

/* The quiet period: nothing completes twice, no reset event is set again. */
static void quiet_check(void)
{
    long before = __atomic_load_n(&g_routines, __ATOMIC_ACQUIRE);
    SleepEx(20, TRUE);
    if (__atomic_load_n(&g_routines, __ATOMIC_ACQUIRE) != before)
        WSX_FAIL("%ld completion routine(s) ran with nothing pending",
                 __atomic_load_n(&g_routines, __ATOMIC_ACQUIRE) - before);
    for (int i = 0; i < g_nstash; i++) {
        if (WaitForSingleObject(g_stash[i], 0) != WAIT_TIMEOUT)
            WSX_FAIL("an aborted operation's event was set a second time");
        WSACloseEvent(g_stash[i]);
    }
    g_nstash = 0;
    grave_free();
}

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? atol(argv[1]) : 600;
    const char *kinds = argc > 2 ? argv[2] : "all";
    int first = 0, nkinds = 3;
    if (!strcmp(kinds, "close"))
        nkinds = 2;
    else if (!strcmp(kinds, "race"))
        first = 2, nkinds = 1;
    else if (strcmp(kinds, "all") != 0)
        WSX_FAIL("usage: close_pending [ROUNDS [close|race|all]]");
    su_nofile_raise(0);
    wsx_start("close_pending", 600);
    g_cap = rounds * 420 + 1024;
    g_calls = calloc((size_t)g_cap, 1);
    WSX_CHECK(g_calls != NULL);
    g_listener = wsx_listener(&g_laddr, 64);
    g_go = CreateEvent(NULL, FALSE, FALSE, NULL);
    g_closed = CreateEvent(NULL, FALSE, FALSE, NULL);
    HANDLE th = CreateThread(NULL, 0, closer, NULL, 0, NULL);
    WSX_CHECK(g_go && g_closed && th);
    int fds0 = su_fd_count(0);
    double t0 = su_now();
    for (long i = 0; i < rounds; i++) {
        switch (first + i % nkinds) {
        case 0:
            round_close(0);
            break;
        case 1:
            round_close(1);
            break;
        default:
            round_race();
        }
        if (g_nstash >= 200 || i % 50 == 49 || i == rounds - 1)
            quiet_check();
    }
    double dt = su_now() - t0;
    close_in_other_thread(INVALID_SOCKET, INVALID_SOCKET, 0, 0); /* stop */
    WSX_CHECK_EQ(WaitForSingleObject(th, 5000), WAIT_OBJECT_0);
    CloseHandle(th);
    int fds1 = su_fd_count(0);
    for (long i = 0; i < g_next; i++)
        if (g_calls[i] != 1)
            WSX_FAIL("record %ld: %d completions (wanted exactly 1)", i, g_calls[i]);
    long per_kind[3] = {0, 0, 0};
    for (long i = 0; i < rounds; i++)
        per_kind[first + i % nkinds]++;
    wsx_figure("rounds", "%ld (same thread %ld, other thread %ld, race %ld) in %.1f s%s", rounds,
               per_kind[0], per_kind[1], per_kind[2], dt, UNDER_ASAN ? " under ASan" : "");
    wsx_figure("operations accepted then aborted or completed", "%ld, each completed exactly once",
               f_ops);
    wsx_figure("completion routines", "%ld (events %ld)", f_routines, f_events);
    wsx_figure("aborted", "TCP receives %ld (WSAECONNABORTED), UDP receives %ld (995), sends %ld",
               f_tcp_aborted, f_udp_aborted, f_send_failed);
    if (per_kind[2])
        wsx_figure("race",
                   "WSARecv after the close: WSAENOTSOCK %ld, WSA_INVALID_HANDLE %ld, "
                   "other errors %ld (first %d); receives with their own data %ld",
                   f_race_notsock, f_race_invalid_handle, f_race_other_error, f_race_first_error,
                   f_race_data_ops);
    if (per_kind[2])
        wsx_figure("race: new connection after the close",
                   "%ld intact, %ld lost data to a receive "
                   "issued on the closed SOCKET, %ld such receives got its bytes",
                   f_reopen_ok - f_race_stolen, f_race_stolen, f_race_misdirected);
    wsx_figure("fds before/after", "%d/%d", fds0, fds1);
    if (fds1 != fds0)
        WSX_FAIL("%d fds before, %d after", fds0, fds1);
    closesocket(g_listener);
    CloseHandle(g_go);
    CloseHandle(g_closed);
    free(g_calls);
    WSACleanup();
    if (f_race_other_error || f_race_stolen || f_race_misdirected)
        WSX_FAIL("library bug: a WSARecv racing closesocket in another thread reached the new "
                 "socket that took the closed socket's fd number (%ld calls failed with another "
                 "socket's error, %ld connections lost data to it, %ld receives got foreign "
                 "bytes); it must fail with WSAENOTSOCK",
                 f_race_other_error, f_race_stolen, f_race_misdirected);
    if (f_race_invalid_handle)
        WSX_FAIL("library bug: a WSARecv racing closesocket failed with WSA_INVALID_HANDLE (6), "
                 "not WSAENOTSOCK (SPEC G2)");
    printf("PASS\n");
    return 0;
}

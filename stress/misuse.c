/*
 * misuse.c - programs that get it wrong, many times over: never a crash, always the documented
 * error, and the state the misuse touched stays intact.
 *
 *   misuse [ITERATIONS]        (default 300; prints its figures, exit 0 pass / 1 fail)
 *
 *   1. a pending OVERLAPPED reused (SPEC A11): WSARecv/WSASend/WSARecvFrom on the same record,
 *      on the same socket, on its peer and on a UDP socket, fail with WSAEINVAL; the pending
 *      operation is untouched and later completes once, into its own buffer;
 *   2. waiting on a closed event: WAIT_FAILED + ERROR_INVALID_HANDLE (WSAWaitForMultipleEvents,
 *      WaitForSingleObject(Ex), WaitForMultipleObjects, alone or next to valid events); an event
 *      closed while a thread waits on it or while an operation uses it;
 *   3. closing twice: WSACloseEvent/CloseHandle FALSE + WSA_INVALID_HANDLE/ERROR_INVALID_HANDLE,
 *      closesocket SOCKET_ERROR + WSAENOTSOCK (also with operations pending, and after
 *      CloseHandle on a SOCKET), ports and thread handles too;
 *   4. stale handles (closed, their fd number and handle slot reused by new objects) and forged
 *      values (0, small numbers, INVALID_SOCKET, flipped generations, random and pointer-like
 *      values, an object of another type): every Winsock and handle call refuses them with
 *      WSAENOTSOCK / WSA_INVALID_HANDLE / ERROR_INVALID_HANDLE, and the live objects that reuse
 *      their numbers keep working; a stale value stays refused across 1000 reuses of its slot
 *      (the generation; the cycles until a value comes back are printed);
 *   5. a forged pending OVERLAPPED (Internal = STATUS_PENDING, never issued):
 *      WSAGetOverlappedResult says WSA_IO_INCOMPLETE (fWait = FALSE: it only reads the record)
 *      and WSAEINVAL with fWait = TRUE (no hang);
 *      CancelIoEx finds nothing (ERROR_NOT_FOUND);
 *   6. bad arguments: NULL lpFlags/lpBuffers, zero buffers, 0 or 65 events;
 *   7. WSACleanup with operations pending, then WSAStartup again (SPEC E10): no routine, no
 *      event, the records can be freed at once (ASan build: no use after free), calls between
 *      cleanup and startup fail with WSANOTINITIALISED, no fd is left behind.
 */
#include "wsx.h"

#include <stdatomic.h>

static long f_calls, f_reuse, f_closed_waits, f_double_close, f_stale, f_forged, f_cycles;
static long g_routine_calls;

typedef struct rec {
    WSAOVERLAPPED ov;
    atomic_int calls;
    DWORD err, bytes;
} rec;

static void CALLBACK on_done(DWORD err, DWORD bytes, LPWSAOVERLAPPED ov, DWORD flags)
{
    (void)flags;
    rec *r = (rec *)ov;
    r->err = err;
    r->bytes = bytes;
    atomic_fetch_add(&r->calls, 1);
    g_routine_calls++;
}

static void CALLBACK never(DWORD err, DWORD bytes, LPWSAOVERLAPPED ov, DWORD flags)
{
    (void)err;
    (void)bytes;
    (void)ov;
    (void)flags;
    WSX_FAIL("a routine ran for an operation aborted by WSACleanup (SPEC E10)");
}

#define EXPECT_ERR(call, failure, code)                                                            \
    do {                                                                                           \
        f_calls++;                                                                                 \
        WSX_CHECK_ERR(call, failure, code);                                                        \
    } while (0)

/* ---- 1. reused pending OVERLAPPED -------------------------------------------------------------
 */

static void reuse_pending(long iters)
{
    for (long i = 0; i < iters; i++) {
        SOCKET c, s, u, u2;
        SOCKADDR_IN ua;
        wsx_tcp_pair(&c, &s);
        wsx_udp_pair(&u, &u2, &ua);
        rec r;
        memset(&r, 0, sizeof r);
        int use_routine = i & 1;
        WSAEVENT ev = WSACreateEvent();
        if (!use_routine)
            r.ov.hEvent = ev;
        char b1[16], b2[16], out[8] = "1234567";
        memset(b1, '#', sizeof b1);
        memset(b2, '$', sizeof b2);
        WSABUF w1 = {sizeof b1, b1}, w2 = {sizeof b2, b2}, wo = {7, out};
        DWORD fl = 0, n = 0;
        int rc = WSARecv(s, &w1, 1, NULL, &fl, &r.ov, use_routine ? on_done : NULL);
        WSX_CHECK(rc == SOCKET_ERROR && WSAGetLastError() == WSA_IO_PENDING);
        /* the same record again: on the same socket, its peer, a UDP socket */
        fl = 0;
        EXPECT_ERR(WSARecv(s, &w2, 1, NULL, &fl, &r.ov, use_routine ? on_done : NULL), SOCKET_ERROR,
                   WSAEINVAL);
        EXPECT_ERR(WSASend(s, &wo, 1, &n, 0, &r.ov, NULL), SOCKET_ERROR, WSAEINVAL);
        EXPECT_ERR(WSASend(c, &wo, 1, &n, 0, &r.ov, use_routine ? on_done : NULL), SOCKET_ERROR,
                   WSAEINVAL);
        SOCKADDR_IN from;
        int flen = sizeof from;
        fl = 0;
        EXPECT_ERR(WSARecvFrom(u, &w2, 1, NULL, &fl, (SOCKADDR *)&from, &flen, &r.ov, NULL),
                   SOCKET_ERROR, WSAEINVAL);
        EXPECT_ERR(WSASendTo(u2, &wo, 1, &n, 0, (SOCKADDR *)&ua, sizeof ua, &r.ov, NULL),
                   SOCKET_ERROR, WSAEINVAL);
        WSX_CHECK_EQ(r.ov.Internal, STATUS_PENDING);
        if (!use_routine)
            WSX_CHECK_EQ(r.ov.hEvent, ev);
        /* the pending operation is intact: it completes once, into b1 */
        WSX_CHECK_EQ(send(c, "hello", 5, 0), 5);
        if (use_routine) {
            double end = su_now() + 5;
            while (atomic_load(&r.calls) == 0 && su_now() < end)
                SleepEx(10, TRUE);
            WSX_CHECK_EQ(atomic_load(&r.calls), 1);
            WSX_CHECK_EQ(r.err, 0);
            WSX_CHECK_EQ(r.bytes, 5);
        } else {
            WSX_CHECK_EQ(WaitForSingleObject(ev, 5000), WAIT_OBJECT_0);
            WSX_CHECK(WSAGetOverlappedResult(s, &r.ov, &n, FALSE, &fl));
            WSX_CHECK_EQ(n, 5);
        }
        WSX_CHECK(memcmp(b1, "hello", 5) == 0 && b1[5] == '#');
        for (size_t k = 0; k < sizeof b2; k++)
            WSX_CHECK_EQ(b2[k], '$');
        /* the receive on u never happened: nothing arrives there */
        SleepEx(0, TRUE);
        WSX_CHECK_EQ(atomic_load(&r.calls), use_routine ? 1 : 0);
        /* reusable now that it completed */
        memset(&r.ov, 0, sizeof r.ov);
        r.ov.hEvent = ev;
        WSX_CHECK_EQ(WSASend(c, &wo, 1, &n, 0, &r.ov, NULL), 0);
        WSX_CHECK_EQ(n, 7);
        f_reuse++;
        WSACloseEvent(ev);
        closesocket(c);
        closesocket(s);
        closesocket(u);
        closesocket(u2);
    }
}

/* ---- 2. closed events -------------------------------------------------------------------------
 */

static HANDLE g_wait_ev;
static DWORD WINAPI waiter(LPVOID arg)
{
    (void)arg;
    return WaitForSingleObject(g_wait_ev, 300);
}

static void closed_event_waits(long iters)
{
    for (long i = 0; i < iters; i++) {
        WSAEVENT ev = WSACreateEvent(), ok = WSACreateEvent();
        WSX_CHECK(ev != WSA_INVALID_EVENT && ok != WSA_INVALID_EVENT);
        WSX_CHECK(WSASetEvent(ok));
        WSX_CHECK(WSACloseEvent(ev));
        EXPECT_ERR(WSAWaitForMultipleEvents(1, &ev, FALSE, 0, FALSE), WSA_WAIT_FAILED,
                   WSA_INVALID_HANDLE);
        EXPECT_ERR(WSAWaitForMultipleEvents(1, &ev, TRUE, 10, TRUE), WSA_WAIT_FAILED,
                   WSA_INVALID_HANDLE);
        WSAEVENT two[2] = {ok, ev};
        EXPECT_ERR(WSAWaitForMultipleEvents(2, two, FALSE, 0, FALSE), WSA_WAIT_FAILED,
                   WSA_INVALID_HANDLE);
        EXPECT_ERR(WSAWaitForMultipleEvents(2, two, TRUE, 1, FALSE), WSA_WAIT_FAILED,
                   WSA_INVALID_HANDLE);
        EXPECT_ERR(WaitForSingleObject(ev, 0), WAIT_FAILED, ERROR_INVALID_HANDLE);
        EXPECT_ERR(WaitForSingleObjectEx(ev, 1, TRUE), WAIT_FAILED, ERROR_INVALID_HANDLE);
        EXPECT_ERR(WaitForMultipleObjects(2, two, FALSE, 0), WAIT_FAILED, ERROR_INVALID_HANDLE);
        EXPECT_ERR(WSASetEvent(ev), FALSE, WSA_INVALID_HANDLE);
        EXPECT_ERR(WSAResetEvent(ev), FALSE, WSA_INVALID_HANDLE);
        /* the valid event was not consumed or changed by the failed waits */
        WSX_CHECK_EQ(WSAWaitForMultipleEvents(1, &ok, FALSE, 0, FALSE), WSA_WAIT_EVENT_0);
        WSACloseEvent(ok);
        f_closed_waits++;
    }
    /* an event closed while another thread waits on it: the wait goes on, then times out */
    g_wait_ev = CreateEvent(NULL, TRUE, FALSE, NULL);
    HANDLE th = CreateThread(NULL, 0, waiter, NULL, 0, NULL);
    WSX_CHECK(th != NULL);
    Sleep(50);
    WSX_CHECK(CloseHandle(g_wait_ev));
    WSX_CHECK_EQ(WaitForSingleObject(th, 5000), WAIT_OBJECT_0);
    DWORD code = 0;
    WSX_CHECK(GetExitCodeThread(th, &code));
    WSX_CHECK(code == WAIT_TIMEOUT || code == WAIT_FAILED);
    CloseHandle(th);
    /* an event closed while an operation uses it: the completion sets no other event */
    for (int i = 0; i < 20; i++) {
        SOCKET c, s;
        wsx_tcp_pair(&c, &s);
        rec r;
        memset(&r, 0, sizeof r);
        WSAEVENT ev = WSACreateEvent();
        r.ov.hEvent = ev;
        char b[8];
        WSABUF w = {sizeof b, b};
        DWORD fl = 0, n;
        WSX_CHECK(WSARecv(s, &w, 1, NULL, &fl, &r.ov, NULL) == SOCKET_ERROR &&
                  WSAGetLastError() == WSA_IO_PENDING);
        WSX_CHECK(WSACloseEvent(ev));
        WSAEVENT fresh[40];
        for (int k = 0; k < 40; k++)
            fresh[k] = WSACreateEvent();
        WSX_CHECK_EQ(send(c, "x", 1, 0), 1);
        double end = su_now() + 5;
        while (!HasOverlappedIoCompleted(&r.ov) && su_now() < end)
            SleepEx(1, TRUE);
        WSX_CHECK(WSAGetOverlappedResult(s, &r.ov, &n, FALSE, &fl));
        WSX_CHECK_EQ(n, 1);
        for (int k = 0; k < 40; k++) {
            WSX_CHECK_EQ(WSAWaitForMultipleEvents(1, &fresh[k], FALSE, 0, FALSE), WSA_WAIT_TIMEOUT);
            WSACloseEvent(fresh[k]);
        }
        closesocket(c);
        closesocket(s);
    }
}

/* ---- 3. closing twice -------------------------------------------------------------------------
 */

static DWORD WINAPI nothing(LPVOID arg)
{
    (void)arg;
    return 7;
}

static void double_close(long iters)
{
    for (long i = 0; i < iters; i++) {
        WSAEVENT ev = WSACreateEvent();
        WSX_CHECK(WSACloseEvent(ev));
        EXPECT_ERR(WSACloseEvent(ev), FALSE, WSA_INVALID_HANDLE);
        EXPECT_ERR(CloseHandle(ev), FALSE, ERROR_INVALID_HANDLE);
        HANDLE e2 = CreateEvent(NULL, FALSE, FALSE, NULL);
        WSX_CHECK(CloseHandle(e2));
        EXPECT_ERR(CloseHandle(e2), FALSE, ERROR_INVALID_HANDLE);
        EXPECT_ERR(WSACloseEvent(e2), FALSE, WSA_INVALID_HANDLE);

        SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
        WSX_CHECK(s != INVALID_SOCKET);
        WSX_CHECK_EQ(closesocket(s), 0);
        EXPECT_ERR(closesocket(s), SOCKET_ERROR, WSAENOTSOCK);
        EXPECT_ERR(CloseHandle((HANDLE)s), FALSE, ERROR_INVALID_HANDLE);
        /* CloseHandle on a SOCKET closes it (Windows allows it); then closesocket refuses */
        s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
        WSX_CHECK(CloseHandle((HANDLE)s));
        EXPECT_ERR(closesocket(s), SOCKET_ERROR, WSAENOTSOCK);
        /* with operations pending: they complete exactly once */
        SOCKET c, t;
        wsx_tcp_pair(&c, &t);
        rec r[3];
        memset(r, 0, sizeof r);
        char b[3][8];
        for (int k = 0; k < 3; k++) {
            WSABUF w = {8, b[k]};
            DWORD fl = 0;
            WSX_CHECK(WSARecv(t, &w, 1, NULL, &fl, &r[k].ov, on_done) == SOCKET_ERROR &&
                      WSAGetLastError() == WSA_IO_PENDING);
        }
        WSX_CHECK_EQ(closesocket(t), 0);
        EXPECT_ERR(closesocket(t), SOCKET_ERROR, WSAENOTSOCK);
        double end = su_now() + 5;
        while (atomic_load(&r[2].calls) == 0 && su_now() < end)
            SleepEx(10, TRUE);
        SleepEx(5, TRUE);
        for (int k = 0; k < 3; k++) {
            WSX_CHECK_EQ(atomic_load(&r[k].calls), 1);
            WSX_CHECK_EQ(r[k].err, WSAECONNABORTED);
        }
        closesocket(c);
        /* ports and threads */
        HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1);
        WSX_CHECK(port != NULL);
        WSX_CHECK(CloseHandle(port));
        EXPECT_ERR(CloseHandle(port), FALSE, ERROR_INVALID_HANDLE);
        DWORD bytes;
        ULONG_PTR key;
        LPOVERLAPPED pov;
        f_calls++;
        WSX_CHECK(!GetQueuedCompletionStatus(port, &bytes, &key, &pov, 0));
        if (i % 16 == 0) {
            HANDLE th = CreateThread(NULL, 0, nothing, NULL, 0, NULL);
            WSX_CHECK(th != NULL);
            WSX_CHECK_EQ(WaitForSingleObject(th, 5000), WAIT_OBJECT_0);
            WSX_CHECK(CloseHandle(th));
            EXPECT_ERR(CloseHandle(th), FALSE, ERROR_INVALID_HANDLE);
            EXPECT_ERR(WaitForSingleObject(th, 0), WAIT_FAILED, ERROR_INVALID_HANDLE);
        }
        f_double_close++;
    }
}

/* ---- 4. stale and forged handles --------------------------------------------------------------
 */

/* Every socket call with a value that names no socket: WSAENOTSOCK, never a crash. */
static void socket_calls_refuse(SOCKET bad)
{
    char buf[16] = "abc";
    WSABUF w = {sizeof buf, buf};
    DWORD n = 0, fl = 0;
    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    SOCKADDR_IN a = wsx_loopback(1);
    int alen = sizeof a, opt = 0, olen = sizeof opt;
    u_long arg = 1;
    EXPECT_ERR(send(bad, buf, 3, 0), SOCKET_ERROR, WSAENOTSOCK);
    EXPECT_ERR(recv(bad, buf, 3, 0), SOCKET_ERROR, WSAENOTSOCK);
    EXPECT_ERR(WSASend(bad, &w, 1, &n, 0, NULL, NULL), SOCKET_ERROR, WSAENOTSOCK);
    EXPECT_ERR(WSASend(bad, &w, 1, &n, 0, &ov, NULL), SOCKET_ERROR, WSAENOTSOCK);
    EXPECT_ERR(WSARecv(bad, &w, 1, &n, &fl, &ov, on_done), SOCKET_ERROR, WSAENOTSOCK);
    EXPECT_ERR(WSARecvFrom(bad, &w, 1, &n, &fl, (SOCKADDR *)&a, &alen, &ov, NULL), SOCKET_ERROR,
               WSAENOTSOCK);
    EXPECT_ERR(WSASendTo(bad, &w, 1, &n, 0, (SOCKADDR *)&a, sizeof a, &ov, NULL), SOCKET_ERROR,
               WSAENOTSOCK);
    EXPECT_ERR(bind(bad, (SOCKADDR *)&a, sizeof a), SOCKET_ERROR, WSAENOTSOCK);
    EXPECT_ERR(listen(bad, 1), SOCKET_ERROR, WSAENOTSOCK);
    EXPECT_ERR(connect(bad, (SOCKADDR *)&a, sizeof a), SOCKET_ERROR, WSAENOTSOCK);
    EXPECT_ERR(accept(bad, NULL, NULL), INVALID_SOCKET, WSAENOTSOCK);
    EXPECT_ERR(shutdown(bad, SD_BOTH), SOCKET_ERROR, WSAENOTSOCK);
    EXPECT_ERR(ioctlsocket(bad, FIONBIO, &arg), SOCKET_ERROR, WSAENOTSOCK);
    EXPECT_ERR(setsockopt(bad, SOL_SOCKET, SO_RCVBUF, (const char *)&opt, sizeof opt), SOCKET_ERROR,
               WSAENOTSOCK);
    EXPECT_ERR(getsockopt(bad, SOL_SOCKET, SO_RCVBUF, (char *)&opt, &olen), SOCKET_ERROR,
               WSAENOTSOCK);
    alen = sizeof a;
    EXPECT_ERR(getsockname(bad, (SOCKADDR *)&a, &alen), SOCKET_ERROR, WSAENOTSOCK);
    alen = sizeof a;
    EXPECT_ERR(getpeername(bad, (SOCKADDR *)&a, &alen), SOCKET_ERROR, WSAENOTSOCK);
    EXPECT_ERR(closesocket(bad), SOCKET_ERROR, WSAENOTSOCK);
    EXPECT_ERR(CancelIo((HANDLE)bad), FALSE, ERROR_INVALID_HANDLE);
    EXPECT_ERR(CancelIoEx((HANDLE)bad, NULL), FALSE, ERROR_INVALID_HANDLE);
    WSX_CHECK_EQ(ov.Internal, 0); /* never marked pending */
}

/* Every event/handle call with a value that names no event. */
static void handle_calls_refuse(HANDLE bad, int may_close)
{
    EXPECT_ERR(WSASetEvent(bad), FALSE, WSA_INVALID_HANDLE);
    EXPECT_ERR(WSAResetEvent(bad), FALSE, WSA_INVALID_HANDLE);
    EXPECT_ERR(WSAWaitForMultipleEvents(1, &bad, FALSE, 0, FALSE), WSA_WAIT_FAILED,
               WSA_INVALID_HANDLE);
    EXPECT_ERR(WaitForSingleObjectEx(bad, 0, TRUE), WAIT_FAILED, ERROR_INVALID_HANDLE);
    if (may_close) {
        EXPECT_ERR(WSACloseEvent(bad), FALSE, WSA_INVALID_HANDLE);
        EXPECT_ERR(CloseHandle(bad), FALSE, ERROR_INVALID_HANDLE);
    }
}

#define MAX_LIVE 64
static uintptr_t g_live[MAX_LIVE];
static int g_nlive;

static int is_live(uintptr_t v)
{
    for (int i = 0; i < g_nlive; i++)
        if (g_live[i] == v)
            return 1;
    return 0;
}

static void stale_and_forged(long iters)
{
    uint64_t rng = 0x2545F4914F6CDD1Dull;
    for (long i = 0; i < iters; i++) {
        /* stale SOCKET: closed, its fd number and maybe its slot taken by new sockets */
        SOCKET old = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
        WSX_CHECK(old != INVALID_SOCKET);
        WSX_CHECK_EQ(closesocket(old), 0);
        SOCKET c, s;
        wsx_tcp_pair(&c, &s);
        WSAEVENT oldev = WSACreateEvent();
        WSACloseEvent(oldev);
        WSAEVENT ev = WSACreateEvent();
        g_nlive = 0;
        g_live[g_nlive++] = c;
        g_live[g_nlive++] = s;
        g_live[g_nlive++] = (uintptr_t)ev;
        if (!is_live(old)) {
            socket_calls_refuse(old);
            handle_calls_refuse((HANDLE)old, 1);
            f_stale++;
        }
        if (!is_live((uintptr_t)oldev)) {
            handle_calls_refuse(oldev, 1);
            socket_calls_refuse((SOCKET)oldev);
            f_stale++;
        }
        /* forged values */
        uintptr_t forged[24];
        int nf = 0;
        forged[nf++] = 0;
        forged[nf++] = 1;
        forged[nf++] = 2;
        forged[nf++] = 3;
        forged[nf++] = 4;
        forged[nf++] = 8;
        forged[nf++] = 0x7ffffffc;
        forged[nf++] = 0x80000000u;
        forged[nf++] = 0xffffffffu;
        forged[nf++] = (uintptr_t)INVALID_SOCKET;
        forged[nf++] = (uintptr_t)c ^ (1u << 24); /* another generation of c's slot */
        forged[nf++] = (uintptr_t)s ^ (0x7fu << 24);
        forged[nf++] = (uintptr_t)c + 4;
        forged[nf++] = (uintptr_t)c + 1; /* low bits set */
        forged[nf++] = (uintptr_t)&rng;  /* a pointer */
        for (int k = 0; k < 8; k++) {
            rng = su_mix64(rng);
            forged[nf++] = k < 4 ? (uintptr_t)(rng & 0x7ffffffcu) : (uintptr_t)rng;
        }
        forged[nf++] = 0;
        for (int k = 0; k < nf; k++) {
            if (is_live(forged[k]))
                continue;
            socket_calls_refuse((SOCKET)forged[k]);
            /* (HANDLE)-1 and -2 are the pseudo-handles of the process and the thread: valid */
            if (forged[k] == (uintptr_t)-1 || forged[k] == (uintptr_t)-2) {
                f_forged++;
                continue;
            }
            if (forged[k] != 0) {
                handle_calls_refuse((HANDLE)forged[k], 1);
            } else {
                EXPECT_ERR(WSASetEvent(NULL), FALSE, WSA_INVALID_HANDLE);
            }
            f_forged++;
        }
        /* objects of another type */
        socket_calls_refuse((SOCKET)ev);
        EXPECT_ERR(WSASetEvent((HANDLE)s), FALSE, WSA_INVALID_HANDLE);
        EXPECT_ERR(WSAResetEvent((HANDLE)c), FALSE, WSA_INVALID_HANDLE);
        char b[8];
        WSABUF w = {sizeof b, b};
        DWORD fl = 0, n;
        WSAOVERLAPPED ov;
        memset(&ov, 0, sizeof ov);
        ov.hEvent = (HANDLE)c; /* a SOCKET as the event */
        EXPECT_ERR(WSARecv(s, &w, 1, NULL, &fl, &ov, NULL), SOCKET_ERROR, WSA_INVALID_HANDLE);
        ov.hEvent = oldev; /* a closed event */
        EXPECT_ERR(WSARecv(s, &w, 1, NULL, &fl, &ov, NULL), SOCKET_ERROR, WSA_INVALID_HANDLE);
        WSX_CHECK(ov.Internal != STATUS_PENDING);
        /* the live objects were not disturbed by any of it */
        WSX_CHECK_EQ(send(c, "live", 4, 0), 4);
        memset(&ov, 0, sizeof ov);
        ov.hEvent = ev;
        int rc = WSARecv(s, &w, 1, &n, &fl, &ov, NULL);
        WSX_CHECK(rc == 0 || WSAGetLastError() == WSA_IO_PENDING);
        WSX_CHECK_EQ(WaitForSingleObject(ev, 5000), WAIT_OBJECT_0);
        WSX_CHECK(WSAGetOverlappedResult(s, &ov, &n, FALSE, &fl));
        WSX_CHECK(n >= 1 && n <= 4 && memcmp(b, "live", n) == 0);
        WSACloseEvent(ev);
        closesocket(c);
        closesocket(s);
    }
    /* The generation: a closed event's value stays refused while its slot is reused. */
    WSAEVENT stale = WSACreateEvent();
    WSACloseEvent(stale);
    long cycles = 0, came_back = 0;
    for (; cycles < 400000; cycles++) {
        WSAEVENT e = WSACreateEvent();
        if (e == stale) {
            came_back = cycles + 1;
            WSACloseEvent(e);
            break;
        }
        if (cycles < 1000 && WSASetEvent(stale))
            WSX_FAIL("a closed event's value named an object again after %ld reuses", cycles);
        WSACloseEvent(e);
    }
    f_cycles = came_back;
    wsx_figure("stale event value",
               "refused for 1000 create/close cycles; the same value names "
               "a new event again after %ld cycles%s",
               came_back, came_back ? "" : " (not within 400000)");
}

/* ---- 5. forged pending OVERLAPPED -------------------------------------------------------------
 */

static void forged_overlapped(long iters)
{
    SOCKET c, s;
    wsx_tcp_pair(&c, &s);
    for (long i = 0; i < iters; i++) {
        WSAOVERLAPPED ov;
        memset(&ov, 0, sizeof ov);
        ov.Internal = STATUS_PENDING;
        DWORD n = 77, fl = 0;
        /* fWait FALSE: it only reads the record, as Windows does (SPEC C1, C4) */
        EXPECT_ERR(WSAGetOverlappedResult(s, &ov, &n, FALSE, &fl), FALSE, WSA_IO_INCOMPLETE);
        /* fWait TRUE: no operation will ever complete it: WSAEINVAL instead of a hang */
        EXPECT_ERR(WSAGetOverlappedResult(s, &ov, &n, TRUE, &fl), FALSE, WSAEINVAL);
        EXPECT_ERR(CancelIoEx((HANDLE)s, &ov), FALSE, ERROR_NOT_FOUND);
        WSX_CHECK_EQ(ov.Internal, STATUS_PENDING);
        WSX_CHECK(!HasOverlappedIoCompleted(&ov));
    }
    closesocket(c);
    closesocket(s);
}

/* ---- 6. bad arguments -------------------------------------------------------------------------
 */

static void bad_args(long iters)
{
    SOCKET c, s;
    wsx_tcp_pair(&c, &s);
    WSAEVENT evs[65];
    for (int k = 0; k < 65; k++)
        evs[k] = WSACreateEvent();
    for (long i = 0; i < iters; i++) {
        char b[8];
        WSABUF w = {sizeof b, b};
        DWORD n, fl = 0;
        WSAOVERLAPPED ov;
        memset(&ov, 0, sizeof ov);
        EXPECT_ERR(WSARecv(s, &w, 1, &n, NULL, &ov, NULL), SOCKET_ERROR, WSAEFAULT);
        EXPECT_ERR(WSARecv(s, NULL, 1, &n, &fl, &ov, NULL), SOCKET_ERROR, WSAEFAULT);
        EXPECT_ERR(WSARecv(s, &w, 0, &n, &fl, &ov, NULL), SOCKET_ERROR, WSAEINVAL);
        EXPECT_ERR(WSASend(s, &w, 0, &n, 0, &ov, NULL), SOCKET_ERROR, WSAEINVAL);
        EXPECT_ERR(WSASend(s, &w, 1, NULL, 0, NULL, NULL), SOCKET_ERROR, WSAEFAULT);
        EXPECT_ERR(WSAWaitForMultipleEvents(0, evs, FALSE, 0, FALSE), WSA_WAIT_FAILED,
                   WSA_INVALID_PARAMETER);
        EXPECT_ERR(WSAWaitForMultipleEvents(65, evs, FALSE, 0, FALSE), WSA_WAIT_FAILED,
                   WSA_INVALID_PARAMETER);
        EXPECT_ERR(WSAWaitForMultipleEvents(1, NULL, FALSE, 0, FALSE), WSA_WAIT_FAILED,
                   WSA_INVALID_PARAMETER);
        EXPECT_ERR(shutdown(s, 7), SOCKET_ERROR, WSAEINVAL);
        WSX_CHECK_EQ(ov.Internal, 0);
    }
    for (int k = 0; k < 65; k++)
        WSACloseEvent(evs[k]);
    closesocket(c);
    closesocket(s);
}

/* ---- 7. WSACleanup with operations pending ----------------------------------------------------
 */

static long cleanup_cycles(long iters)
{
    long aborted = 0;
    for (long i = 0; i < iters; i++) {
        /* Nothing here can complete before the cleanup: nobody sends to s or u, and c does
         * not read what s sends. */
        SOCKET c, s, u, u2;
        SOCKADDR_IN ua;
        wsx_tcp_pair(&c, &s);
        wsx_udp_pair(&u, &u2, &ua);
        wsx_set_bufs(s, 16384, 0);
        wsx_set_bufs(c, 0, 16384);
        WSAOVERLAPPED *ov = calloc(4, sizeof *ov);
        char *bufs = malloc(4 * 64);
        static char big[1 << 20];
        WSAEVENT ev = WSACreateEvent();
        WSABUF w[4] = {{64, bufs}, {64, bufs + 64}, {sizeof big, big}, {64, bufs + 192}};
        SOCKADDR_IN *from = malloc(sizeof *from);
        int *from_len = malloc(sizeof *from_len);
        *from_len = sizeof *from;
        DWORD fl = 0;
        ov[1].hEvent = ev;
        WSX_CHECK(WSARecv(s, &w[0], 1, NULL, &fl, &ov[0], never) == SOCKET_ERROR &&
                  WSAGetLastError() == WSA_IO_PENDING);
        fl = 0;
        WSX_CHECK(WSARecv(s, &w[1], 1, NULL, &fl, &ov[1], NULL) == SOCKET_ERROR &&
                  WSAGetLastError() == WSA_IO_PENDING);
        WSX_CHECK(WSASend(s, &w[2], 1, NULL, 0, &ov[2], never) == SOCKET_ERROR &&
                  WSAGetLastError() == WSA_IO_PENDING);
        fl = 0;
        WSX_CHECK(WSARecvFrom(u, &w[3], 1, NULL, &fl, (SOCKADDR *)from, from_len, &ov[3], never) ==
                      SOCKET_ERROR &&
                  WSAGetLastError() == WSA_IO_PENDING);
        WSX_CHECK_EQ(WSACleanup(), 0);
        /* The memory is the program's again: free it now (ASan: any later write is reported). */
        free(ov);
        free(bufs);
        free(from);
        free(from_len);
        aborted += 4;
        EXPECT_ERR(closesocket(s), SOCKET_ERROR, WSANOTINITIALISED);
        EXPECT_ERR(WSASocket(AF_INET, SOCK_STREAM, 0, NULL, 0, WSA_FLAG_OVERLAPPED), INVALID_SOCKET,
                   WSANOTINITIALISED);
        SleepEx(2, TRUE);                                       /* no routine may run */
        WSX_CHECK_EQ(WaitForSingleObject(ev, 0), WAIT_TIMEOUT); /* no event set */
        WSACloseEvent(ev);
        WSADATA wsa;
        WSX_CHECK_EQ(WSAStartup(MAKEWORD(2, 2), &wsa), 0);
    }
    return aborted;
}

int main(int argc, char **argv)
{
    long iters = argc > 1 ? atol(argv[1]) : 300;
    wsx_start("misuse", 600);
    int fds0 = su_fd_count(0);
    double t0 = su_now();
    reuse_pending(iters);
    closed_event_waits(iters);
    double_close(iters);
    stale_and_forged(iters / 4 + 1);
    forged_overlapped(iters);
    bad_args(iters);
    int fds1 = su_fd_count(0);
    long cleanups = iters / 10 + 1;
    long aborted = cleanup_cycles(cleanups);
    int fds2 = su_fd_count(0);
    wsx_figure("misuse calls checked",
               "%ld in %.1f s, every one refused with its documented "
               "error",
               f_calls, su_now() - t0);
    wsx_figure("reused pending OVERLAPPED",
               "%ld rounds (WSAEINVAL x5 each, the pending "
               "operation intact)",
               f_reuse);
    wsx_figure("waits on closed events", "%ld rounds", f_closed_waits);
    wsx_figure("double closes", "%ld rounds (events, SOCKETs, ports, threads)", f_double_close);
    wsx_figure("stale/forged values", "%ld stale, %ld forged, each through every call", f_stale,
               f_forged);
    wsx_figure("WSACleanup with operations pending",
               "%ld cycles, %ld operations aborted "
               "silently",
               cleanups, aborted);
    wsx_figure("fds", "start %d, before cleanups %d, end %d", fds0, fds1, fds2);
    if (fds1 != fds0 || fds2 != fds0)
        WSX_FAIL("fd count changed: %d -> %d -> %d", fds0, fds1, fds2);
    (void)f_cycles;
    WSACleanup();
    printf("PASS\n");
    return 0;
}

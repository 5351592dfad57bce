/*
 * fuzz_winsock.c - libFuzzer target: random sequences of Winsock calls over two TCP pairs and a
 * UDP pair, with events, completion routines and reused OVERLAPPEDs.
 *
 *   make fuzz                   FUZZ_SECONDS (600) on both engines at once (fuzz/run.sh)
 *   build/fuzz/fuzz/fuzz_winsock [libFuzzer options] [crash file ...]
 *
 * Each input is a byte string read as a program of at most MAX_OPS operations: WSASend/WSARecv/
 * WSASendTo/WSARecvFrom with and without OVERLAPPED, with an event or a completion routine, with
 * bad buffer counts, lengths, flags and pointers (a PROT_NONE page), on live, closed, stale and
 * forged handles; WSAGetOverlappedResult; CancelIo/CancelIoEx; closesocket (also twice);
 * CloseHandle; WSACreateEvent/WSASetEvent/WSAResetEvent/WSACloseEvent; WSAWaitForMultipleEvents
 * and SleepEx with 0-2 ms timeouts, alertable or not; shutdown; ioctlsocket; setsockopt
 * (small buffers, SO_LINGER {1,0} for resets, ...); plain sends from the peer to feed receives;
 * WSACleanup + WSAStartup in the middle (SPEC E10).
 *
 * Nothing blocks for long: waits are 0-2 ms, non-overlapped calls run with FIONBIO set,
 * WSAGetOverlappedResult waits only on completed records.  Each input starts with WSAStartup and
 * ends by closing every socket, running the routines that are due and WSACleanup; the process is
 * reused for the next input.
 *
 * Checked besides ASan/UBSan (a violation aborts, which libFuzzer reports as a crash):
 *   - every operation accepted with a routine (0 or WSA_IO_PENDING, or WSAEMSGSIZE for a receive:
 *     a truncated datagram, SPEC H2) gets exactly one routine call,
 *     after its result is in the OVERLAPPED (never more, never none once its socket is closed);
 *   - no OVERLAPPED is still pending 2 s after every socket was closed (no lost completion);
 *   - WSAGetOverlappedResult never reports success for a pending record; routines get dwFlags 0
 *     and never more bytes than their buffers hold;
 *   - an operation that fails at once (SPEC A3) does not leave its OVERLAPPED marked pending,
 *     and gets no routine (the routine count above);
 *   - the process's fd count does not grow from input to input.
 * OVIO_FUZZ_TOLERATE=a3,closeevent tolerates two bugs found this way (a failed call leaving its
 * OVERLAPPED pending; WSACloseEvent on a SOCKET), so that a campaign on a library that still has
 * them can look for others meanwhile (docs/RELIABILITY.md).
 */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define MAX_OPS 64
#define NSOCK 6 /* 0-1, 2-3: TCP pairs; 4-5: UDP pair */
#define NOV 8
#define NEV 6
#define RBUF (64 * 1024)
#define SBUF (256 * 1024)
#define MAX_EVENTS_PER_INPUT 64

static SOCKET g_sock[NSOCK];
static SOCKADDR_IN g_udp_addr[2];
static HANDLE g_ev[NEV];
static HANDLE g_all_events[MAX_EVENTS_PER_INPUT];
static int g_nall_events;

typedef struct slot {
    WSAOVERLAPPED ov;
    long expected; /* operations accepted with a routine */
    long called;   /* routine calls */
    size_t room;   /* bytes the last accepted operation's buffers hold */
    int raced;     /* a call given this record while pending was accepted: see op_transfer */
} slot;

static slot g_slot[NOV];
static char *g_rbuf;  /* NOV * RBUF receive buffers, then a PROT_NONE page */
static char *g_guard; /* the PROT_NONE page */
static char *g_sbuf;  /* SBUF bytes to send */
static SOCKADDR_STORAGE g_from[NOV];
static int g_fromlen[NOV];
static int g_started;
static int g_tolerate_a3;         /* OVIO_FUZZ_TOLERATE contains "a3": see op_transfer */
static int g_tolerate_closeevent; /* ... "closeevent": see op_event */
static int g_trace; /* OVIO_FUZZ_TRACE=1: print every call (to turn a crash into a test) */
#define TRACE(...)                                                                                 \
    do {                                                                                           \
        if (g_trace)                                                                               \
            fprintf(stderr, __VA_ARGS__);                                                          \
    } while (0)
static int g_fd_base = -1;
static unsigned long g_inputs;

static void die(const char *what)
{
    fprintf(stderr, "fuzz_winsock: invariant violated: %s\n", what);
    fflush(stderr);
    abort();
}

/* ---- input reader -----------------------------------------------------------------------------
 */

static const uint8_t *g_in;
static size_t g_len, g_pos;

static unsigned next(void)
{
    return g_pos < g_len ? g_in[g_pos++] : 0;
}

static uint32_t next32(void)
{
    uint32_t v = next();
    v |= next() << 8;
    v |= next() << 16;
    v |= (uint32_t)next() << 24;
    return v;
}

/* ---- choosing arguments -----------------------------------------------------------------------
 */

static SOCKET pick_socket(void)
{
    unsigned k = next();
    switch (k % 16) {
    case 12:
        return INVALID_SOCKET;
    case 13:
        return (SOCKET)g_ev[k % NEV]; /* an event as a SOCKET */
    case 14:
        return (SOCKET)next32(); /* forged */
    case 15:
        return (SOCKET)(g_sock[k % NSOCK] ^ ((uintptr_t)1 << 24)); /* another generation */
    default:
        return g_sock[k % NSOCK];
    }
}

static HANDLE pick_event(void)
{
    unsigned k = next();
    switch (k % 12) {
    case 8:
        return NULL;
    case 9:
        return (HANDLE)((uintptr_t)g_ev[k % NEV] | 1); /* low bit: no port packet (SPEC I7) */
    case 10:
        return (HANDLE)g_sock[k % NSOCK];
    case 11:
        return (HANDLE)(uintptr_t)next32();
    default:
        return g_ev[k % NEV];
    }
}

static void CALLBACK routine(DWORD err, DWORD bytes, LPWSAOVERLAPPED ov, DWORD flags)
{
    slot *s = (slot *)ov;
    if (s < g_slot || s >= g_slot + NOV || (char *)ov != (char *)&s->ov)
        die("routine called with an OVERLAPPED that was never passed");
    if (ov->Internal == STATUS_PENDING && !s->raced) {
        fprintf(stderr, "slot %d: routine err %lu bytes %lu, calls %ld of %ld\n", (int)(s - g_slot),
                (unsigned long)err, (unsigned long)bytes, s->called, s->expected);
        die("routine ran before the result was stored in the OVERLAPPED (SPEC B3)");
    }
    s->raced = 0;
    if (flags != 0)
        die("routine dwFlags not 0 (SPEC D1)");
    TRACE("  routine(slot %d, err %lu, bytes %lu)\n", (int)(s - g_slot), (unsigned long)err,
          (unsigned long)bytes);
    if (err == 0 && bytes > s->room)
        die("routine reports more bytes than the buffers hold");
    (void)err;
    s->called++;
    /* (tests/fuzz_regress_a3_failure_notifies.c: a call that failed at once still queued it) */
    if (s->called > s->expected)
        die("completion routine called more often than operations were accepted (one whose call "
            "failed at once, SPEC A3, or a second completion)");
}

/* The OVERLAPPED for an operation: NULL, the guard page, or a slot (cleared unless pending: a
 * pending record belongs to ovio and is passed as it is, to be refused, SPEC A11). */
static LPWSAOVERLAPPED pick_ov(int *slot_out, int *was_pending)
{
    unsigned k = next();
    *slot_out = -1;
    *was_pending = 0;
    if (k % 16 == 14)
        return NULL;
    if (k % 16 == 15)
        return (LPWSAOVERLAPPED)g_guard;
    int i = (int)(k % NOV);
    /* A completed record whose routine has not run yet still belongs to that routine (Windows
     * reads the result from the record when the routine runs): let it run first. */
    if (g_slot[i].ov.Internal != STATUS_PENDING && g_slot[i].called < g_slot[i].expected)
        SleepEx(0, TRUE);
    if (g_slot[i].ov.Internal != STATUS_PENDING && g_slot[i].called < g_slot[i].expected)
        die("a completed operation's routine did not run in an alertable wait");
    *slot_out = i;
    /* One look decides: the progress thread may complete the operation right after it. */
    if (__atomic_load_n(&g_slot[i].ov.Internal, __ATOMIC_ACQUIRE) != STATUS_PENDING) {
        memset(&g_slot[i].ov, 0, sizeof g_slot[i].ov);
        g_slot[i].ov.hEvent = pick_event();
    } else {
        *was_pending = 1;
    }
    return &g_slot[i].ov;
}

static ULONG pick_len(unsigned k, ULONG max)
{
    static const ULONG lens[] = {0, 1, 7, 16, 100, 1460, 4096, 16384, 65536, 262144};
    ULONG l = lens[k % 10];
    return l > max ? max : l;
}

/* Buffers for slot i (receives) or the send buffer; some bad: NULL with a length, the guard page,
 * a buffer running into the guard page. */
static DWORD pick_bufs(WSABUF *w, int slot_i, int send)
{
    DWORD n = next() % 4; /* 0 buffers: WSAEINVAL (SPEC A9) */
    char *base = send ? g_sbuf : (slot_i >= 0 ? g_rbuf + (size_t)slot_i * RBUF : g_rbuf);
    ULONG room = send ? SBUF : RBUF;
    ULONG off = 0;
    for (DWORD j = 0; j < n; j++) {
        unsigned k = next();
        ULONG len = pick_len(k, room - off);
        switch (k >> 5) {
        case 6: /* NULL with a length: WSAEFAULT */
            w[j].buf = NULL;
            w[j].len = len ? len : 1;
            break;
        case 7: /* the guard page: the kernel says EFAULT */
            w[j].buf = g_guard;
            w[j].len = len ? len : 1;
            break;
        default:
            w[j].buf = base + off;
            w[j].len = len;
            off += len;
        }
    }
    return n;
}

static size_t bufs_room(const WSABUF *w, DWORD n)
{
    size_t t = 0;
    for (DWORD j = 0; j < n; j++)
        t += w[j].len;
    return t;
}

static DWORD pick_flags(void)
{
    static const DWORD f[] = {0,       0,           0,           0,      MSG_PEEK,
                              MSG_OOB, MSG_WAITALL, MSG_PARTIAL, 0x8000, 1u << 31};
    return f[next() % 10];
}

/* Non-overlapped calls must not block: the socket is made non-blocking first. */
static void nonblocking(SOCKET s)
{
    u_long one = 1;
    ioctlsocket(s, FIONBIO, &one);
}

/* ---- operations -------------------------------------------------------------------------------
 */

static void op_transfer(int kind) /* 0 WSARecv, 1 WSASend, 2 WSARecvFrom, 3 WSASendTo */
{
    SOCKET s = pick_socket();
    int si, was_pending;
    LPWSAOVERLAPPED ov = pick_ov(&si, &was_pending);
    int send = kind & 1;
    WSABUF w[4];
    DWORD n = pick_bufs(w, si, send);
    unsigned r = next();
    LPWSAOVERLAPPED_COMPLETION_ROUTINE fn = (r & 1) ? routine : NULL;
    LPWSABUF wp = (r & 14) == 14 ? (LPWSABUF)g_guard : (r & 14) == 12 ? NULL : w;
    DWORD count = 0, flags = pick_flags();
    LPDWORD countp = (r & 16) ? NULL : &count;
    if (!ov)
        nonblocking(s); /* never block on a plain call */
    int rc;
    switch (kind) {
    case 0:
        rc = WSARecv(s, wp, n, countp, (r & 32) ? &flags : NULL, ov, fn);
        break;
    case 1:
        rc = WSASend(s, wp, n, countp, flags, ov, fn);
        break;
    case 2: {
        int fi = si >= 0 ? si : 0;
        static const int lens[] = {sizeof(SOCKADDR_STORAGE), sizeof(SOCKADDR_IN), 8, 0, -1};
        if (!was_pending)
            g_fromlen[fi] = lens[next() % 5];
        rc = WSARecvFrom(s, wp, n, countp, &flags, (r & 64) ? NULL : (SOCKADDR *)&g_from[fi],
                         (r & 128) ? NULL : &g_fromlen[fi], ov, fn);
        break;
    }
    default: {
        SOCKADDR_IN to = g_udp_addr[next() & 1];
        int tolen = (r & 64) ? 4 : (int)sizeof to;
        rc = WSASendTo(s, wp, n, countp, flags, (r & 128) ? NULL : (SOCKADDR *)&to, tolen, ov, fn);
        break;
    }
    }
    int err = rc == 0 ? 0 : WSAGetLastError();
    if (g_trace) {
        static const char *names[] = {"WSARecv", "WSASend", "WSARecvFrom", "WSASendTo"};
        TRACE("%s(sock %#lx, bufs %s n=%lu [", names[kind], (unsigned long)s,
              wp == w ? "ok"
              : wp    ? "guard"
                      : "NULL",
              (unsigned long)n);
        for (DWORD j = 0; j < n; j++)
            TRACE("%s%s:%lu", j ? " " : "",
                  w[j].buf == g_guard ? "guard"
                  : w[j].buf          ? "buf"
                                      : "NULL",
                  (unsigned long)w[j].len);
        TRACE("], flags %#lx, ov %s%d ev %#lx, routine %d) = %d err %d; Internal %#lx High %lu\n",
              (unsigned long)flags,
              ov == (LPWSAOVERLAPPED)g_guard ? "guard"
              : ov                           ? "slot"
                                             : "NULL",
              si, ov && si >= 0 ? (unsigned long)(uintptr_t)g_slot[si].ov.hEvent : 0ul, fn != NULL,
              rc, err, si >= 0 ? (unsigned long)g_slot[si].ov.Internal : 0ul,
              si >= 0 ? (unsigned long)g_slot[si].ov.InternalHigh : 0ul);
    }
    if (si >= 0 && ov && !was_pending && rc == SOCKET_ERROR && err != WSA_IO_PENDING &&
        err != WSAEMSGSIZE && g_slot[si].ov.Internal == STATUS_PENDING) {
        /* An immediate failure (SPEC A3) must not leave the record marked pending: nothing will
         * ever complete it (HasOverlappedIoCompleted stays FALSE, WSAGetOverlappedResult says
         * WSA_IO_INCOMPLETE forever).  tests/fuzz_regress_a3_internal_pending.c */
        if (!g_tolerate_a3)
            die("an operation that failed at once left Internal == STATUS_PENDING");
        g_slot[si].ov.Internal = 0;
    }
    /* A datagram received truncated inside the call is a completion (SPEC H2): the call says
     * WSAEMSGSIZE and the notifications follow, as for a success. */
    int accepted = rc == 0 || err == WSA_IO_PENDING || (err == WSAEMSGSIZE && !send);
    if (si >= 0 && ov && was_pending && accepted) {
        /* The record was pending when we looked, so the call should have been refused (SPEC
         * A11); it was accepted because the earlier operation completed in between (the progress
         * thread delivers completions while this thread is busy).  The new operation then took
         * the record before the earlier one's routine ran - the program's race, as on Windows: that
         * routine may see the new operation's state. */
        g_slot[si].raced = 1;
    }
    if (si >= 0 && ov && fn && accepted) {
        /* Routines still due on this record may belong to earlier operations: keep the largest
         * room until they have all run. */
        size_t room = wp == w ? bufs_room(w, n) : 0;
        if (g_slot[si].called == g_slot[si].expected || room > g_slot[si].room)
            g_slot[si].room = room;
        g_slot[si].expected++;
    }
}

static void op_result(void)
{
    SOCKET s = pick_socket();
    unsigned k = next();
    slot *sl = &g_slot[k % NOV];
    DWORD n = 0, fl = 0;
    int pending = sl->ov.Internal == STATUS_PENDING;
    /* fWait only on a record that is complete already: it cannot block then. */
    BOOL wait = (k & 8) && !pending;
    BOOL ok = WSAGetOverlappedResult(s, (k & 16) ? (LPWSAOVERLAPPED)g_guard : &sl->ov,
                                     (k & 32) ? NULL : &n, wait, (k & 64) ? NULL : &fl);
    TRACE("  WSAGetOverlappedResult(sock %#lx, slot %d%s, wait %d) = %d err %d\n", (unsigned long)s,
          (int)(k % NOV), (k & 16) ? " guard" : "", wait, ok, ok ? 0 : WSAGetLastError());
    if (ok && pending && sl->ov.Internal == STATUS_PENDING)
        die("WSAGetOverlappedResult reported success for a pending operation");
}

static void op_cancel(void)
{
    SOCKET s = pick_socket();
    unsigned k = next();
    if (k & 1)
        CancelIo((HANDLE)s);
    else
        CancelIoEx((HANDLE)s, (k & 2) ? NULL : &g_slot[(k >> 2) % NOV].ov);
}

static void op_close(void)
{
    unsigned k = next();
    if (k & 1) {
        closesocket(pick_socket()); /* possibly closed already: WSAENOTSOCK */
    } else {
        unsigned j = next();
        HANDLE h = (j & 1) ? (HANDLE)pick_socket() : pick_event();
        if (h != INVALID_HANDLE_VALUE)
            CloseHandle(h);
    }
}

static void op_event(void)
{
    unsigned k = next();
    int i = (int)(k % NEV);
    TRACE("  event op %u on slot %d (%#lx)\n", (k >> 3) % 5, i, (unsigned long)(uintptr_t)g_ev[i]);
    switch ((k >> 3) % 5) {
    case 0:
        if (g_nall_events < MAX_EVENTS_PER_INPUT) {
            g_ev[i] = (k & 128) ? CreateEvent(NULL, FALSE, FALSE, NULL) : WSACreateEvent();
            g_all_events[g_nall_events++] = g_ev[i];
        }
        break;
    case 1:
        WSASetEvent(pick_event());
        break;
    case 2:
        WSAResetEvent(pick_event());
        break;
    case 3: {
        HANDLE h = pick_event(); /* possibly closed already, or not an event */
        for (int j = 0; j < NSOCK && g_tolerate_closeevent; j++)
            if ((uintptr_t)h == (uintptr_t)g_sock[j])
                h = NULL;
        /* On a SOCKET it must either refuse or close the socket; ovio dropped the handle and
         * left the socket open with its operations pending for ever (caught at the end of the
         * input).  tests/fuzz_regress_wsacloseevent_socket.c */
        WSACloseEvent(h);
        break;
    }
    default:
        CloseHandle(g_ev[i]);
        break;
    }
}

static void op_wait(void)
{
    unsigned k = next();
    DWORD n = k % 6; /* 0: WSA_INVALID_PARAMETER */
    HANDLE hs[5];
    for (DWORD j = 0; j < n && j < 5; j++)
        hs[j] = pick_event();
    if (n > 5)
        n = 65; /* too many */
    HANDLE big[65];
    if (n == 65)
        for (int j = 0; j < 65; j++)
            big[j] = g_ev[j % NEV];
    DWORD ms = next() % 3;
    WSAWaitForMultipleEvents(n, n == 65 ? big : hs, (k >> 3) & 1, ms, (k >> 4) & 1);
}

static void op_sleep(void)
{
    unsigned k = next();
    SleepEx(k % 3, (k >> 2) & 1);
}

static void op_shutdown(void)
{
    static const int how[] = {SD_RECEIVE, SD_SEND, SD_BOTH, 3, -1};
    shutdown(pick_socket(), how[next() % 5]);
}

static void op_ioctl(void)
{
    SOCKET s = pick_socket();
    unsigned k = next();
    u_long arg = k >> 4 & 1;
    static const LONG cmds[] = {FIONBIO, FIONREAD, SIOCATMARK, 0x12345678};
    ioctlsocket(s, cmds[k % 4], (k & 8) ? NULL : &arg);
}

static void op_setsockopt(void)
{
    SOCKET s = pick_socket();
    unsigned k = next();
    int v = (int)(next() * 64); /* small buffers make sends pend */
    struct linger lg = {1, 0};  /* abortive close: the peer sees a reset */
    DWORD ms = 1;
    switch (k % 8) {
    case 0:
        setsockopt(s, SOL_SOCKET, SO_SNDBUF, (const char *)&v, sizeof v);
        break;
    case 1:
        setsockopt(s, SOL_SOCKET, SO_RCVBUF, (const char *)&v, sizeof v);
        break;
    case 2:
        setsockopt(s, SOL_SOCKET, SO_LINGER, (const char *)&lg, sizeof lg);
        break;
    case 3:
        setsockopt(s, IPPROTO_TCP, TCP_NODELAY, (const char *)&v, 1);
        break;
    case 4:
        setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, (const char *)&ms, sizeof ms);
        break;
    case 5:
        setsockopt(s, SOL_SOCKET, SO_SNDBUF, (const char *)&v, (k >> 3) % 4); /* short */
        break;
    case 6:
        setsockopt(s, (int)next32(), (int)next32(), (const char *)&v, sizeof v);
        break;
    default:
        setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, (k & 8) ? (const char *)g_guard : NULL, sizeof v);
        break;
    }
}

/* A plain, non-blocking send from one socket of a pair, to feed the other's receives. */
static void op_feed(void)
{
    unsigned k = next();
    int i = (int)(k % NSOCK);
    SOCKET s = g_sock[i];
    nonblocking(s);
    int len = (int)pick_len(next(), SBUF);
    int rc;
    if (i >= 4)
        rc = sendto(s, g_sbuf, len > 1400 ? 1400 : len, 0, (SOCKADDR *)&g_udp_addr[(i - 4) ^ 1],
                    sizeof g_udp_addr[0]);
    else
        rc = send(s, g_sbuf, len, 0);
    TRACE("  feed: send(sock %d, %d bytes) = %d err %d\n", i, len, rc,
          rc < 0 ? WSAGetLastError() : 0);
}

static void open_sockets(void);

/* WSACleanup in the middle: pending operations end silently (SPEC E10). */
static void op_cleanup(void)
{
    TRACE("  WSACleanup + WSAStartup\n");
    WSACleanup();
    SleepEx(0, TRUE); /* routines of operations that completed before the cleanup */
    for (int i = 0; i < NOV; i++)
        g_slot[i].expected = g_slot[i].called; /* silent aborts call nothing */
    WSADATA wsa;
    if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0)
        die("WSAStartup after WSACleanup failed");
    open_sockets();
}

/* ---- per input --------------------------------------------------------------------------------
 */

static void open_sockets(void)
{
    SOCKET l = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    SOCKADDR_IN a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int alen = sizeof a;
    if (l == INVALID_SOCKET || bind(l, (SOCKADDR *)&a, sizeof a) || listen(l, 4) ||
        getsockname(l, (SOCKADDR *)&a, &alen))
        die("listener setup failed");
    for (int p = 0; p < 2; p++) {
        g_sock[2 * p] = WSASocket(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_OVERLAPPED);
        if (g_sock[2 * p] == INVALID_SOCKET || connect(g_sock[2 * p], (SOCKADDR *)&a, sizeof a))
            die("connect failed");
        g_sock[2 * p + 1] = accept(l, NULL, NULL);
        if (g_sock[2 * p + 1] == INVALID_SOCKET)
            die("accept failed");
    }
    closesocket(l);
    for (int u = 0; u < 2; u++) {
        g_sock[4 + u] = WSASocket(AF_INET, SOCK_DGRAM, IPPROTO_UDP, NULL, 0, WSA_FLAG_OVERLAPPED);
        SOCKADDR_IN b;
        memset(&b, 0, sizeof b);
        b.sin_family = AF_INET;
        b.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        int blen = sizeof b;
        if (g_sock[4 + u] == INVALID_SOCKET || bind(g_sock[4 + u], (SOCKADDR *)&b, sizeof b) ||
            getsockname(g_sock[4 + u], (SOCKADDR *)&b, &blen))
            die("UDP setup failed");
        g_udp_addr[u] = b;
    }
}

static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    size_t total = (size_t)NOV * RBUF + 4096;
    char *m = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        die("mmap");
    g_rbuf = m;
    g_guard = m + (size_t)NOV * RBUF;
    mprotect(g_guard, 4096, PROT_NONE);
    g_trace = getenv("OVIO_FUZZ_TRACE") != NULL;
    const char *tol = getenv("OVIO_FUZZ_TOLERATE");
    g_tolerate_a3 = tol && strstr(tol, "a3") != NULL;
    g_tolerate_closeevent = tol && strstr(tol, "closeevent") != NULL;
    g_sbuf = malloc(SBUF);
    for (size_t i = 0; i < SBUF; i++)
        g_sbuf[i] = (char)(i * 131 + 7);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_in = data;
    g_len = size;
    g_pos = 0;
    WSADATA wsa;
    if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0)
        die("WSAStartup failed");
    g_started = 1;
    for (int i = 0; i < NOV; i++) {
        if (g_slot[i].ov.Internal == STATUS_PENDING)
            die("an OVERLAPPED of the previous input is still pending");
        memset(&g_slot[i], 0, sizeof g_slot[i]);
    }
    g_nall_events = 0;
    for (int i = 0; i < NEV; i++) {
        g_ev[i] = WSACreateEvent();
        g_all_events[g_nall_events++] = g_ev[i];
    }
    open_sockets();

    TRACE("== input of %zu bytes; sockets %#lx %#lx %#lx %#lx %#lx %#lx\n", size,
          (unsigned long)g_sock[0], (unsigned long)g_sock[1], (unsigned long)g_sock[2],
          (unsigned long)g_sock[3], (unsigned long)g_sock[4], (unsigned long)g_sock[5]);
    for (int n = 0; n < MAX_OPS && g_pos < g_len; n++) {
        unsigned op = next() % 20;
        if (op >= 6 && op != 18)
            TRACE("op %u at byte %zu\n", op, g_pos - 1);
        switch (op) {
        case 0:
        case 1:
            op_transfer(0);
            break;
        case 2:
        case 3:
            op_transfer(1);
            break;
        case 4:
            op_transfer(2);
            break;
        case 5:
            op_transfer(3);
            break;
        case 6:
            op_result();
            break;
        case 7:
            op_cancel();
            break;
        case 8:
            op_close();
            break;
        case 9:
        case 10:
            op_event();
            break;
        case 11:
            op_wait();
            break;
        case 12:
            op_sleep();
            break;
        case 13:
            op_shutdown();
            break;
        case 14:
            op_ioctl();
            break;
        case 15:
            op_setsockopt();
            break;
        case 16:
        case 17:
            op_feed();
            break;
        case 18:
            if (next() % 8 == 0)
                op_cleanup();
            break;
        default:
            HasOverlappedIoCompleted(&g_slot[next() % NOV].ov);
            break;
        }
    }

    /* End of input: close everything; every accepted operation completes, its routine runs. */
    for (int i = 0; i < NSOCK; i++) {
        int rc = closesocket(g_sock[i]);
        TRACE("closesocket(%#lx) = %d err %d\n", (unsigned long)g_sock[i], rc,
              rc ? WSAGetLastError() : 0);
    }
    int settled = 0;
    for (int tries = 0; tries < 2000 && !settled; tries++) {
        SleepEx(tries ? 1 : 0, TRUE);
        settled = 1;
        for (int i = 0; i < NOV; i++)
            if (g_slot[i].ov.Internal == STATUS_PENDING || g_slot[i].called != g_slot[i].expected)
                settled = 0;
    }
    if (!settled) {
        for (int i = 0; i < NOV; i++)
            fprintf(stderr, "slot %d: Internal 0x%lx, routine calls %ld of %ld\n", i,
                    (unsigned long)g_slot[i].ov.Internal, g_slot[i].called, g_slot[i].expected);
        die("an operation never completed after its socket was closed (lost completion), or its "
            "routine never ran");
    }
    for (int i = 0; i < g_nall_events; i++)
        CloseHandle(g_all_events[i]);
    WSACleanup();
    g_started = 0;
    if (++g_inputs % 1024 == 1) {
        int fds = count_fds();
        if (g_fd_base < 0)
            g_fd_base = fds;
        else if (fds > g_fd_base + 8)
            die("file descriptors leak from input to input");
    }
    return 0;
}

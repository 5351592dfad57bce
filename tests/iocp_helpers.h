/*
 * Helpers for the completion-port and Microsoft-extension tests (SPEC I1-I11): tests i*.
 * Include instead of "ov_helpers.h".
 *
 * Rules these helpers follow (and the tests with them):
 *   - no sleep stands in for a wait: packets are awaited with GetQueuedCompletionStatus(Ex),
 *     events with the library's waits;
 *   - where a test must prove that something does NOT happen (no packet, no completion, no second
 *     worker running), it gives the library QUIET_MS in a bounded wait that must time out;
 *   - where a test needs another thread to be blocked inside a port wait (LIFO wake-up, a port
 *     closed under a waiter), it watches the thread's scheduler state in /proc until the thread
 *     sleeps: the thread announces the call first, so sleeping afterwards means sleeping in it.
 */
#ifndef OVIO_TEST_IOCP_HELPERS_H
#define OVIO_TEST_IOCP_HELPERS_H

#include "ov_helpers.h"

#include <sched.h>
#include <stdatomic.h>
#include <sys/syscall.h>

/* <unistd.h> is kept away from the Winsock headers (see helpers.h); this is all we need of it. */
extern long syscall(long number, ...);

/* ---- ports ----------------------------------------------------------------------------------- */

static inline HANDLE iot_port(DWORD concurrency)
{
    HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, concurrency);
    if (port == NULL)
        FAIL("CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, %lu): NULL, error %lu",
             (unsigned long)concurrency, (unsigned long)GetLastError());
    return port;
}

static inline void iot_bind(SOCKET s, HANDLE port, ULONG_PTR key)
{
    HANDLE r = CreateIoCompletionPort((HANDLE)s, port, key, 0);
    if (r != port)
        FAIL("CreateIoCompletionPort(socket, port, %#lx, 0) returned %p (port %p), error %lu",
             (unsigned long)key, (void *)r, (void *)port, (unsigned long)GetLastError());
}

/* The next packet must arrive within DUE_MS and be exactly this one.  err 0: GQCS returns TRUE and
 * leaves the last error alone; otherwise FALSE with that Win32 error and the OVERLAPPED set. */
#define EXPECT_PACKET(port, want_ov, want_key, want_bytes, want_err)                               \
    iot_expect_packet((port), (LPOVERLAPPED)(uintptr_t)(want_ov), (ULONG_PTR)(want_key),           \
                      (DWORD)(want_bytes), (DWORD)(want_err), __LINE__)

static inline void iot_expect_packet(HANDLE port, LPOVERLAPPED want_ov, ULONG_PTR want_key,
                                     DWORD want_bytes, DWORD want_err, int line)
{
    DWORD n = 0xdeadbeef;
    ULONG_PTR key = (ULONG_PTR)0xdeadbeef;
    LPOVERLAPPED ov = (LPOVERLAPPED)(uintptr_t)0xdeadbeef;
    SetLastError(0xdeadbeef);
    BOOL ok = GetQueuedCompletionStatus(port, &n, &key, &ov, DUE_MS);
    DWORD err = GetLastError();
    if (ov == NULL && !ok) /* (a posted packet may carry a NULL OVERLAPPED: then TRUE) */
        FAIL("line %d: no packet within %d ms (GQCS %d, error %lu); wanted OVERLAPPED %p, "
             "error %lu",
             line, DUE_MS, ok, (unsigned long)err, (void *)want_ov, (unsigned long)want_err);
    if (ov != want_ov)
        FAIL("line %d: packet for OVERLAPPED %p, wanted %p (key %#lx, %lu bytes, GQCS %d, error "
             "%lu)",
             line, (void *)ov, (void *)want_ov, (unsigned long)key, (unsigned long)n, ok,
             (unsigned long)err);
    if (want_err == 0) {
        if (!ok)
            FAIL("line %d: GQCS FALSE with error %lu; wanted TRUE (success)", line,
                 (unsigned long)err);
        if (err != 0xdeadbeef)
            FAIL("line %d: GQCS TRUE changed the last error to %lu", line, (unsigned long)err);
    } else {
        if (ok)
            FAIL("line %d: GQCS TRUE (%lu bytes); wanted FALSE with error %lu", line,
                 (unsigned long)n, (unsigned long)want_err);
        if (err != want_err)
            FAIL("line %d: GQCS FALSE with error %lu; wanted %lu", line, (unsigned long)err,
                 (unsigned long)want_err);
    }
    if (key != want_key)
        FAIL("line %d: packet key %#lx, wanted %#lx", line, (unsigned long)key,
             (unsigned long)want_key);
    if (n != want_bytes)
        FAIL("line %d: packet byte count %lu, wanted %lu", line, (unsigned long)n,
             (unsigned long)want_bytes);
}

/* No packet within ms (a bounded wait that must time out): FALSE, WAIT_TIMEOUT, NULL OVERLAPPED. */
#define EXPECT_NO_PACKET(port, ms) iot_expect_no_packet((port), (ms), __LINE__)

static inline void iot_expect_no_packet(HANDLE port, DWORD ms, int line)
{
    DWORD n = 0xdeadbeef;
    ULONG_PTR key = (ULONG_PTR)0xdeadbeef;
    LPOVERLAPPED ov = (LPOVERLAPPED)(uintptr_t)0xdeadbeef;
    BOOL ok = GetQueuedCompletionStatus(port, &n, &key, &ov, ms);
    DWORD err = GetLastError();
    if (ok || ov != NULL)
        FAIL("line %d: unexpected packet: GQCS %d, error %lu, OVERLAPPED %p, key %#lx, %lu bytes",
             line, ok, (unsigned long)err, (void *)ov, (unsigned long)key, (unsigned long)n);
    if (err != WAIT_TIMEOUT)
        FAIL("line %d: empty port: error %lu, wanted WAIT_TIMEOUT (258)", line, (unsigned long)err);
}

/* ---- sockets --------------------------------------------------------------------------------- */

/* A fresh overlapped TCP socket. */
static inline SOCKET iot_tcp(void)
{
    SOCKET s = WSASocket(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_OVERLAPPED);
    CHECK(s != INVALID_SOCKET);
    return s;
}

/* A TCP socket bound to 127.0.0.1 on an ephemeral port (what ConnectEx needs). */
static inline SOCKET iot_tcp_bound(void)
{
    SOCKET s = iot_tcp();
    SOCKADDR_IN a = loopback_any_port();
    CHECK(bind(s, (SOCKADDR *)&a, sizeof a) == 0);
    return s;
}

/* An address on which a TCP connection is refused: a socket bound there that does not listen.
 * Keep *holder open while the address is used (so nobody else can take the port). */
static inline SOCKADDR_IN iot_refusing_addr(SOCKET *holder)
{
    *holder = iot_tcp_bound();
    SOCKADDR_IN a;
    int len = sizeof a;
    CHECK(getsockname(*holder, (SOCKADDR *)&a, &len) == 0);
    return a;
}

/* An overlapped receive that must pend. */
static inline void iot_recv_pending(SOCKET s, char *buf, ULONG len, WSAOVERLAPPED *ov)
{
    WSABUF wb;
    wb.len = len;
    wb.buf = buf;
    DWORD n = 0xdeadbeef, flags = 0;
    int r = WSARecv(s, &wb, 1, &n, &flags, ov, NULL);
    if (r != SOCKET_ERROR || WSAGetLastError() != WSA_IO_PENDING)
        FAIL("WSARecv: %d, error %d; wanted SOCKET_ERROR with WSA_IO_PENDING (997)", r,
             WSAGetLastError());
    CHECK_EQ(n, 0xdeadbeef);
}

/* An extension function through WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER), as on Windows. */
static inline void *iot_ext(SOCKET s, GUID id)
{
    void *fn = NULL;
    DWORD got = 0;
    int r = WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &id, sizeof id, &fn, sizeof fn, &got,
                     NULL, NULL);
    if (r != 0)
        FAIL("WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER): %d, error %d", r, WSAGetLastError());
    CHECK_EQ(got, sizeof fn);
    CHECK(fn != NULL);
    return fn;
}

static inline LPFN_ACCEPTEX iot_acceptex(SOCKET s)
{
    GUID id = WSAID_ACCEPTEX;
    LPFN_ACCEPTEX fn;
    void *p = iot_ext(s, id);
    memcpy(&fn, &p, sizeof fn);
    return fn;
}

static inline LPFN_GETACCEPTEXSOCKADDRS iot_getacceptexsockaddrs(SOCKET s)
{
    GUID id = WSAID_GETACCEPTEXSOCKADDRS;
    LPFN_GETACCEPTEXSOCKADDRS fn;
    void *p = iot_ext(s, id);
    memcpy(&fn, &p, sizeof fn);
    return fn;
}

static inline LPFN_CONNECTEX iot_connectex(SOCKET s)
{
    GUID id = WSAID_CONNECTEX;
    LPFN_CONNECTEX fn;
    void *p = iot_ext(s, id);
    memcpy(&fn, &p, sizeof fn);
    return fn;
}

static inline LPFN_DISCONNECTEX iot_disconnectex(SOCKET s)
{
    GUID id = WSAID_DISCONNECTEX;
    LPFN_DISCONNECTEX fn;
    void *p = iot_ext(s, id);
    memcpy(&fn, &p, sizeof fn);
    return fn;
}

/* An extension call that must pend: FALSE with ERROR_IO_PENDING (997). */
#define EXT_PENDING(call)                                                                          \
    do {                                                                                           \
        SetLastError(0xdeadbeef);                                                                  \
        BOOL ep_ = (call);                                                                         \
        DWORD ee_ = GetLastError();                                                                \
        if (ep_ || ee_ != ERROR_IO_PENDING)                                                        \
            FAIL("%s: %d, error %lu; wanted FALSE with ERROR_IO_PENDING (997)", #call, ep_,        \
                 (unsigned long)ee_);                                                              \
    } while (0)

/* An extension call that must fail at once with a given error. */
#define EXT_FAILS(call, want)                                                                      \
    do {                                                                                           \
        SetLastError(0xdeadbeef);                                                                  \
        BOOL ef_ = (call);                                                                         \
        DWORD ee_ = GetLastError();                                                                \
        if (ef_ || ee_ != (DWORD)(want))                                                           \
            FAIL("%s: %d, error %lu; wanted FALSE with %lu (%s)", #call, ef_, (unsigned long)ee_,  \
                 (unsigned long)(want), #want);                                                    \
    } while (0)

/* ---- threads --------------------------------------------------------------------------------- */

static inline long iot_gettid(void)
{
    return syscall(SYS_gettid);
}

/* The processor count, as a Windows program learns it (what concurrency 0 means, SPEC I1). */
static inline int iot_ncpu(void)
{
    SYSTEM_INFO si;
    memset(&si, 0, sizeof si);
    GetSystemInfo(&si);
    return si.dwNumberOfProcessors > 0 ? (int)si.dwNumberOfProcessors : 1;
}

/* Scheduler state of thread tid of this process ('R', 'S', 'D', ...), or 0 if unknown. */
static inline char iot_thread_state(long tid)
{
    char path[64], line[512];
    snprintf(path, sizeof path, "/proc/self/task/%ld/stat", tid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char *got = fgets(line, sizeof line, f);
    fclose(f);
    if (!got)
        return 0;
    char *p = strrchr(line, ')'); /* "tid (comm) S ..." - comm may hold spaces */
    return p && p[1] == ' ' ? p[2] : 0;
}

/* Waits until thread tid, which announced (*announced != 0) that it is entering a port wait, is
 * asleep there: its state is 'S' on every look for 20 ms in a row (a short sleep on a lock on the
 * way in does not last that long).  Fails after DUE_MS. */
static inline void iot_wait_asleep(long tid, atomic_int *announced)
{
    uint64_t end = ovt_now_ms() + DUE_MS, since = 0;
    for (;;) {
        uint64_t now = ovt_now_ms();
        if (now > end)
            FAIL("thread %ld did not go to sleep in its wait within %d ms (state %c)", tid, DUE_MS,
                 iot_thread_state(tid));
        if (atomic_load(announced) && iot_thread_state(tid) == 'S') {
            if (!since)
                since = now;
            else if (now - since >= 20)
                return;
        } else {
            since = 0;
        }
        sched_yield();
    }
}

/* Spins (CPU-bound, yielding) until *v >= want or ms pass; returns whether it got there. */
static inline int iot_spin_until(atomic_int *v, int want, uint64_t ms)
{
    uint64_t end = ovt_now_ms() + ms;
    while (atomic_load(v) < want) {
        if (ovt_now_ms() > end)
            return 0;
        sched_yield();
    }
    return 1;
}

#endif

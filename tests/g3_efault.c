/*
 * SPEC G3: NULL buffer arrays and unmapped pointers give WSAEFAULT, never a crash - for WSASend,
 * WSARecv, WSASendTo, WSARecvFrom (overlapped or not) and WSAGetOverlappedResult.
 *
 * Argument pointers (the WSABUF array, lpFlags, lpOverlapped, lpTo, lpFromlen, the result's
 * OVERLAPPED) are the call's to check: it fails at once with WSAEFAULT and notifies nothing.  A
 * data buffer that is unmapped may be found out at once or when the transfer happens, so for it
 * both an immediate WSAEFAULT and a completion with WSAEFAULT are accepted.  "Unmapped" is a
 * PROT_NONE page; a crash kills the test.
 */
#include "ov_helpers.h"

#include <sys/mman.h>

static WSAEVENT ev;

/* A crash is a failure; say in which call (async-signal-safety does not matter: we exit). */
static const char *volatile g_case = "setup";

static void on_crash(int sig)
{
    fprintf(stderr, "g3_efault: signal %d inside: %s\n", sig, g_case);
    _Exit(1);
}

/* call must fail at once with WSAEFAULT; then nothing is notified (checked by the caller). */
#define EXPECT_EFAULT(call)                                                                        \
    do {                                                                                           \
        WSASetLastError(0);                                                                        \
        g_case = #call;                                                                            \
        long long r_ = (long long)(call);                                                          \
        g_case = "between calls";                                                                  \
        if (r_ != SOCKET_ERROR || WSAGetLastError() != WSAEFAULT)                                  \
            FAIL("%s returned %lld, error %d; wanted SOCKET_ERROR, WSAEFAULT", #call, r_,          \
                 WSAGetLastError());                                                               \
    } while (0)

/* A transfer with an unmapped data buffer: WSAEFAULT now, or pending then WSAEFAULT. */
static void expect_efault_now_or_later(SOCKET s, int r, WSAOVERLAPPED *ov, const char *what)
{
    int e = WSAGetLastError();
    if (r == SOCKET_ERROR && e == WSAEFAULT)
        return;
    if (r != SOCKET_ERROR || e != WSA_IO_PENDING)
        FAIL("%s: returned %d, error %d; wanted WSAEFAULT (now or on completion)", what, r, e);
    WAIT_SET(ev);
    DWORD n = 0, flags = 0;
    if (WSAGetOverlappedResult(s, ov, &n, FALSE, &flags))
        FAIL("%s: completed successfully with %lu bytes, wanted WSAEFAULT", what, (unsigned long)n);
    if (WSAGetLastError() != WSAEFAULT)
        FAIL("%s: completed with error %d, wanted WSAEFAULT", what, WSAGetLastError());
}

int main(void)
{
    /* The crash reporter goes in before WSAStartup: ovio's fault handler, installed there, passes
     * on every fault that is not one of its own probes (docs/PORTING.md). */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_crash;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    test_init();
    /* 64 KiB covers a page of any size Linux uses. */
    const size_t bad_size = 65536;
    void *bad = mmap(NULL, bad_size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(bad != MAP_FAILED);

    SOCKET c, s;
    tcp_pair(&c, &s);
    SOCKET a, b;
    SOCKADDR_IN b_addr;
    udp_pair(&a, &b, &b_addr);
    ev = ovt_event();
    WSAOVERLAPPED ov;
    char buf[16] = "payload";
    WSABUF wb;
    wb.len = sizeof buf;
    wb.buf = buf;
    DWORD n, flags;
    SOCKADDR_IN from;
    int fromlen;

    for (int overlapped = 0; overlapped <= 1; overlapped++) {
        WSAOVERLAPPED *pov = overlapped ? &ov : NULL;

        /* NULL and unmapped WSABUF arrays. */
        WSABUF *arrays[2] = {NULL, (WSABUF *)bad};
        for (int i = 0; i < 2; i++) {
            ovt_ov(&ov, ev);
            EXPECT_EFAULT(WSASend(c, arrays[i], 1, &n, 0, pov, NULL));
            ovt_ov(&ov, ev);
            flags = 0;
            EXPECT_EFAULT(WSARecv(s, arrays[i], 1, &n, &flags, pov, NULL));
            ovt_ov(&ov, ev);
            EXPECT_EFAULT(WSASendTo(a, arrays[i], 1, &n, 0, (const SOCKADDR *)&b_addr,
                                    sizeof b_addr, pov, NULL));
            ovt_ov(&ov, ev);
            flags = 0;
            fromlen = sizeof from;
            EXPECT_EFAULT(
                WSARecvFrom(b, arrays[i], 1, &n, &flags, (SOCKADDR *)&from, &fromlen, pov, NULL));
        }

        /* lpFlags NULL or unmapped. */
        ovt_ov(&ov, ev);
        EXPECT_EFAULT(WSARecv(s, &wb, 1, &n, NULL, pov, NULL));
        ovt_ov(&ov, ev);
        EXPECT_EFAULT(WSARecv(s, &wb, 1, &n, (DWORD *)bad, pov, NULL));
        ovt_ov(&ov, ev);
        fromlen = sizeof from;
        EXPECT_EFAULT(WSARecvFrom(b, &wb, 1, &n, NULL, (SOCKADDR *)&from, &fromlen, pov, NULL));

        /* WSASendTo: lpTo unmapped, or shorter than a sockaddr_in. */
        ovt_ov(&ov, ev);
        EXPECT_EFAULT(WSASendTo(a, &wb, 1, &n, 0, (const SOCKADDR *)bad, sizeof b_addr, pov, NULL));
        ovt_ov(&ov, ev);
        EXPECT_EFAULT(WSASendTo(a, &wb, 1, &n, 0, (const SOCKADDR *)&b_addr, 4, pov, NULL));

        /* WSARecvFrom: lpFrom given without lpFromlen, or lpFromlen unmapped. */
        ovt_ov(&ov, ev);
        flags = 0;
        EXPECT_EFAULT(WSARecvFrom(b, &wb, 1, &n, &flags, (SOCKADDR *)&from, NULL, pov, NULL));
        ovt_ov(&ov, ev);
        flags = 0;
        EXPECT_EFAULT(WSARecvFrom(b, &wb, 1, &n, &flags, (SOCKADDR *)&from, (int *)bad, pov, NULL));
    }

    /* Unmapped lpOverlapped. */
    flags = 0;
    EXPECT_EFAULT(WSARecv(s, &wb, 1, &n, &flags, (WSAOVERLAPPED *)bad, NULL));
    EXPECT_EFAULT(WSASend(c, &wb, 1, &n, 0, (WSAOVERLAPPED *)bad, NULL));

    /* Non-overlapped WSASend with an unmapped count pointer. */
    EXPECT_EFAULT(WSASend(c, &wb, 1, (DWORD *)bad, 0, NULL, NULL));

    /* None of the failed calls notified anything (bounded wait that must time out). */
    CHECK_STAYS_UNSET(ev);

    /* WSAGetOverlappedResult with a NULL or unmapped OVERLAPPED. */
    g_case = "WSAGetOverlappedResult with a NULL OVERLAPPED";
    WSASetLastError(0);
    CHECK(!WSAGetOverlappedResult(s, NULL, &n, FALSE, &flags));
    CHECK_EQ(WSAGetLastError(), WSAEFAULT);
    g_case = "WSAGetOverlappedResult with an unmapped OVERLAPPED";
    WSASetLastError(0);
    CHECK(!WSAGetOverlappedResult(s, (WSAOVERLAPPED *)bad, &n, FALSE, &flags));
    CHECK_EQ(WSAGetLastError(), WSAEFAULT);

    /* The connections still work after all that: the peer gets nothing but the marker.  (On the
     * non-overlapped WSASend with the unmapped count the data may have gone out; it was sent on
     * c -> s, so use the other direction.) */
    send_all(s, "M", 1);
    char m[1];
    recv_all(c, m, 1);
    CHECK_EQ(m[0], 'M');

    /* Unmapped data buffer, send: WSAEFAULT now or on completion. */
    WSABUF badbuf;
    badbuf.len = 16;
    badbuf.buf = (char *)bad;
    CHECK(WSAResetEvent(ev));
    ovt_ov(&ov, ev);
    g_case = "WSASend from an unmapped buffer";
    int r = WSASend(s, &badbuf, 1, &n, 0, &ov, NULL);
    expect_efault_now_or_later(s, r, &ov, "WSASend from an unmapped buffer");

    /* Unmapped data buffer, receive: WSAEFAULT now or when data arrives. */
    SOCKET c2, s2;
    tcp_pair(&c2, &s2);
    CHECK(WSAResetEvent(ev));
    ovt_ov(&ov, ev);
    flags = 0;
    g_case = "WSARecv into an unmapped buffer";
    r = WSARecv(s2, &badbuf, 1, &n, &flags, &ov, NULL);
    int e = WSAGetLastError();
    if (r == SOCKET_ERROR && e == WSA_IO_PENDING)
        send_all(c2, "data", 4);
    WSASetLastError(e);
    expect_efault_now_or_later(s2, r, &ov, "WSARecv into an unmapped buffer");

    /* Datagram into an unmapped buffer. */
    CHECK(WSAResetEvent(ev));
    ovt_ov(&ov, ev);
    flags = 0;
    fromlen = sizeof from;
    g_case = "WSARecvFrom into an unmapped buffer";
    r = WSARecvFrom(b, &badbuf, 1, &n, &flags, (SOCKADDR *)&from, &fromlen, &ov, NULL);
    e = WSAGetLastError();
    if (r == SOCKET_ERROR && e == WSA_IO_PENDING)
        CHECK_EQ(sendto(a, "dgram", 5, 0, (const SOCKADDR *)&b_addr, sizeof b_addr), 5);
    WSASetLastError(e);
    expect_efault_now_or_later(b, r, &ov, "WSARecvFrom into an unmapped buffer");

    munmap(bad, bad_size);
    closesocket(c2);
    closesocket(s2);
    closesocket(a);
    closesocket(b);
    closesocket(c);
    closesocket(s);
    WSACloseEvent(ev);
    WSACleanup();
    return 0;
}

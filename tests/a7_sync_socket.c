/*
 * SPEC A7: with lpOverlapped on a socket made without WSA_FLAG_OVERLAPPED the call completes
 * synchronously: it returns 0 (never WSA_IO_PENDING, blocking if it has to), sets the event, and
 * the result is readable with WSAGetOverlappedResult.  Sockets from socket() and accept() are
 * overlapped-capable: their overlapped calls pend.
 */
#include "ov_helpers.h"

static SOCKET g_peer;
static HANDLE g_never;
static volatile LONG g_sent;

/* Sends "late" after giving the main thread time to block in its receive.  The bounded wait on
 * an event nobody sets is that time; if the main thread is not blocked yet the test still holds
 * (the receive then finds the data), it only catches less. */
static DWORD WINAPI late_sender(LPVOID arg)
{
    (void)arg;
    CHECK_EQ(WaitForSingleObject(g_never, QUIET_MS), WAIT_TIMEOUT);
    __atomic_store_n(&g_sent, 1, __ATOMIC_SEQ_CST);
    send_all(g_peer, "late", 4);
    return 0;
}

/* Drains len bytes of the pattern with plain blocking receives (the sender here is a synchronous
 * call in another thread, so no library wait is needed to move it). */
static DWORD WINAPI drainer(LPVOID arg)
{
    size_t len = (size_t)(uintptr_t)arg;
    char *buf = malloc(65536);
    CHECK(buf != NULL);
    size_t got = 0;
    while (got < len) {
        int r = recv(g_peer, buf, 65536, 0);
        if (r <= 0)
            FAIL("drainer: recv %d, error %d", r, WSAGetLastError());
        for (int i = 0; i < r; i++)
            if ((unsigned char)buf[i] != ovt_pattern(got + (size_t)i))
                FAIL("drainer: byte %zu wrong", got + (size_t)i);
        got += (size_t)r;
    }
    free(buf);
    return 0;
}

static void sync_socket(void)
{
    SOCKET c, s;
    tcp_pair_flags(&c, &s, 0); /* c: no WSA_FLAG_OVERLAPPED */
    g_peer = s;
    WSAEVENT ev = ovt_event();
    char in[64];
    WSABUF wb;
    DWORD n, flags;

    /* Receive with data queued: 0, count, event set, result readable. */
    send_all(s, "queued", 6);
    ovt_wait_queued(c, 6);
    WSAOVERLAPPED ov;
    ovt_ov(&ov, ev);
    wb.len = sizeof in;
    wb.buf = in;
    n = 0xdeadbeef;
    flags = 0;
    CHECK_EQ(WSARecv(c, &wb, 1, &n, &flags, &ov, NULL), 0);
    CHECK_EQ(n, 6);
    CHECK_SET(ev);
    CHECK_EQ(ov.Internal, 0);
    CHECK_EQ(ov.InternalHigh, 6);
    ovt_result_ok(c, &ov, 6);
    CHECK(memcmp(in, "queued", 6) == 0);

    /* Receive with nothing queued: blocks until the data comes, then returns 0. */
    CHECK(WSAResetEvent(ev));
    ovt_ov(&ov, ev);
    n = 0xdeadbeef;
    HANDLE t = ovt_thread(late_sender, NULL);
    int r = WSARecv(c, &wb, 1, &n, &flags, &ov, NULL);
    if (r != 0)
        FAIL("WSARecv on a socket without WSA_FLAG_OVERLAPPED: %d, error %d (wanted 0)", r,
             WSAGetLastError());
    CHECK(__atomic_load_n(&g_sent, __ATOMIC_SEQ_CST));
    CHECK_EQ(n, 4);
    CHECK(memcmp(in, "late", 4) == 0);
    CHECK_SET(ev);
    ovt_result_ok(c, &ov, 4);
    ovt_join(t);

    /* Small send: 0, event set. */
    CHECK(WSAResetEvent(ev));
    ovt_ov(&ov, ev);
    wb.len = 5;
    wb.buf = (char *)"hello";
    n = 0xdeadbeef;
    CHECK_EQ(WSASend(c, &wb, 1, &n, 0, &ov, NULL), 0);
    CHECK_EQ(n, 5);
    CHECK_SET(ev);
    ovt_result_ok(c, &ov, 5);
    recv_all(s, in, 5);
    CHECK(memcmp(in, "hello", 5) == 0);

    /* A send larger than the kernel buffers: returns 0 only when all of it is taken. */
    enum { BIG = 4 * 1024 * 1024 };
    ovt_small_buffers(c, s);
    char *big = ovt_pattern_buffer(BIG);
    t = ovt_thread(drainer, (void *)(uintptr_t)BIG);
    CHECK(WSAResetEvent(ev));
    ovt_ov(&ov, ev);
    wb.len = BIG;
    wb.buf = big;
    n = 0xdeadbeef;
    r = WSASend(c, &wb, 1, &n, 0, &ov, NULL);
    if (r != 0)
        FAIL("big WSASend on a socket without WSA_FLAG_OVERLAPPED: %d, error %d (wanted 0)", r,
             WSAGetLastError());
    CHECK_EQ(n, BIG);
    CHECK_SET(ev);
    ovt_result_ok(c, &ov, BIG);
    ovt_join(t);
    free(big);

    WSACloseEvent(ev);
    closesocket(c);
    closesocket(s);
}

/* An overlapped receive on s must pend, then complete when peer sends. */
static void check_pends(SOCKET s, SOCKET peer, const char *what)
{
    WSAEVENT ev = ovt_event();
    WSAOVERLAPPED ov;
    ovt_ov(&ov, ev);
    char in[16];
    WSABUF wb;
    wb.len = sizeof in;
    wb.buf = in;
    DWORD n = 0xdeadbeef, flags = 0;
    int r = WSARecv(s, &wb, 1, &n, &flags, &ov, NULL);
    if (r != SOCKET_ERROR || WSAGetLastError() != WSA_IO_PENDING)
        FAIL("%s: overlapped WSARecv returned %d, error %d (wanted WSA_IO_PENDING)", what, r,
             WSAGetLastError());
    send_all(peer, "ok", 2);
    WAIT_SET(ev);
    ovt_result_ok(s, &ov, 2);
    WSACloseEvent(ev);
}

static void plain_sockets(void)
{
    SOCKET l = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    CHECK(l != INVALID_SOCKET);
    SOCKADDR_IN a = loopback_any_port();
    CHECK(bind(l, (SOCKADDR *)&a, sizeof a) == 0);
    CHECK(listen(l, 4) == 0);
    int len = sizeof a;
    CHECK(getsockname(l, (SOCKADDR *)&a, &len) == 0);
    SOCKET c = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    CHECK(c != INVALID_SOCKET);
    CHECK(connect(c, (SOCKADDR *)&a, sizeof a) == 0);
    SOCKET s = accept(l, NULL, NULL);
    CHECK(s != INVALID_SOCKET);
    check_pends(c, s, "socket()");
    check_pends(s, c, "accept()");
    closesocket(c);
    closesocket(s);
    closesocket(l);
}

int main(void)
{
    test_init();
    g_never = CreateEvent(NULL, TRUE, FALSE, NULL);
    CHECK(g_never != NULL);
    sync_socket();
    plain_sockets();
    CloseHandle(g_never);
    WSACleanup();
    return 0;
}

/*
 * iocp_echo_server.c - an echo server on a completion port with two worker threads, the stress
 * scenarios' multi-threaded server (the single-threaded completion-routine one is
 * build/examples/cmpl_routine_echo_server).  Written the Windows way: winsock2.h, WSARecv/WSASend
 * with a per-connection OVERLAPPED, CreateIoCompletionPort, GetQueuedCompletionStatus.
 *
 *   - the main thread accepts (non-blocking listener, select() with a 100 ms timeout), binds each
 *     connection to the port and posts its first WSARecv; accept() failures (WSAEMFILE when out of
 *     descriptors) are reported as "accept() error N" and retried after 50 ms;
 *   - two workers take completions: a receive is echoed with WSASend, a finished send posts the
 *     next WSARecv; 0 bytes or an error closes the socket and frees the connection.  One operation
 *     per connection is in flight at any time, so a completion owns its connection;
 *   - RLIMIT_NOFILE is raised to the hard limit at start (-k: kept as inherited, for the
 *     descriptor exhaustion scenario);
 *   - SIGTERM/SIGINT: every connection is closed (from the main thread, while the workers run), the
 *     aborted operations' packets free them, the workers are stopped with a posted packet, then
 * WSACleanup; exit status 0 when every connection came back.
 *
 * Usage: iocp_echo_server [-k] <port>      prints "ready" once listening.
 */
#include <winsock2.h>
#include <windows.h>

#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sutil.h"

#define BUF_SIZE 16384
#define WORKERS 2
#define KEY_STOP ((ULONG_PTR)1)

typedef struct conn {
    WSAOVERLAPPED ov; /* first: a packet's OVERLAPPED is the connection */
    SOCKET s;
    int sending;
    WSABUF wb;
    struct conn *prev, *next;
    char buf[BUF_SIZE];
} conn;

static HANDLE g_port;
static volatile sig_atomic_t g_stop;
static atomic_flag g_lock = ATOMIC_FLAG_INIT;
static conn *g_conns;
static atomic_long g_live;

static void lock(void)
{
    while (atomic_flag_test_and_set_explicit(&g_lock, memory_order_acquire)) {
    }
}
static void unlock(void)
{
    atomic_flag_clear_explicit(&g_lock, memory_order_release);
}

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

static void conn_free(conn *c)
{
    closesocket(c->s);
    lock();
    if (c->prev)
        c->prev->next = c->next;
    else
        g_conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    unlock();
    atomic_fetch_sub(&g_live, 1);
    free(c);
}

/* Posts the next operation; 0, or -1 when it failed at once (no packet follows). */
static int post(conn *c, int sending, DWORD len)
{
    memset(&c->ov, 0, sizeof c->ov);
    c->sending = sending;
    c->wb.buf = c->buf;
    c->wb.len = len;
    DWORD flags = 0;
    int rc = sending ? WSASend(c->s, &c->wb, 1, NULL, 0, &c->ov, NULL)
                     : WSARecv(c->s, &c->wb, 1, NULL, &flags, &c->ov, NULL);
    if (rc == SOCKET_ERROR && WSAGetLastError() != WSA_IO_PENDING)
        return -1;
    return 0;
}

static DWORD WINAPI worker(LPVOID arg)
{
    (void)arg;
    for (;;) {
        DWORD bytes = 0;
        ULONG_PTR key = 0;
        LPOVERLAPPED ov = NULL;
        BOOL ok = GetQueuedCompletionStatus(g_port, &bytes, &key, &ov, INFINITE);
        if (!ov) {
            if (key == KEY_STOP || !ok)
                return 0;
            continue;
        }
        conn *c = (conn *)ov;
        if (!ok || (!c->sending && bytes == 0)) {
            conn_free(c);
            continue;
        }
        if (c->sending ? post(c, 0, BUF_SIZE) : post(c, 1, bytes))
            conn_free(c);
    }
}

int main(int argc, char **argv)
{
    int keep = argc == 3 && strcmp(argv[1], "-k") == 0;
    if (argc != 2 + keep) {
        fprintf(stderr, "usage: %s [-k] <port>\n", argv[0]);
        return 2;
    }
    if (!keep)
        su_nofile_raise(0);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    WSADATA wsa;
    if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0) {
        fprintf(stderr, "WSAStartup failed\n");
        return 1;
    }
    g_port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, WORKERS);
    SOCKET l = WSASocket(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_OVERLAPPED);
    if (!g_port || l == INVALID_SOCKET) {
        fprintf(stderr, "port/socket: %d\n", WSAGetLastError());
        return 1;
    }
    BOOL on = TRUE;
    u_long nb = 1;
    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, (const char *)&on, sizeof on);
    ioctlsocket(l, FIONBIO, &nb);
    SOCKADDR_IN a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((u_short)atoi(argv[1 + keep]));
    if (bind(l, (SOCKADDR *)&a, sizeof a) == SOCKET_ERROR || listen(l, SOMAXCONN) == SOCKET_ERROR) {
        fprintf(stderr, "bind/listen: %d\n", WSAGetLastError());
        return 1;
    }
    HANDLE th[WORKERS];
    for (int i = 0; i < WORKERS; i++)
        th[i] = CreateThread(NULL, 0, worker, NULL, 0, NULL);
    puts("ready");
    fflush(stdout);

    long accepted = 0, emfile = 0;
    while (!g_stop) {
        fd_set rd;
        FD_ZERO(&rd);
        FD_SET(l, &rd);
        struct timeval tv = {0, 100000};
        if (select(0, &rd, NULL, NULL, &tv) <= 0)
            continue;
        for (;;) {
            SOCKET s = accept(l, NULL, NULL);
            if (s == INVALID_SOCKET) {
                int err = WSAGetLastError();
                if (err != WSAEWOULDBLOCK) {
                    if (err == WSAEMFILE)
                        emfile++;
                    fprintf(stderr, "accept() error %d\n", err);
                    Sleep(50);
                }
                break;
            }
            setsockopt(s, IPPROTO_TCP, TCP_NODELAY, (const char *)&on, sizeof on);
            conn *c = calloc(1, sizeof *c);
            if (!c || CreateIoCompletionPort((HANDLE)s, g_port, 0, 0) != g_port) {
                fprintf(stderr, "connection setup failed: %d\n", (int)GetLastError());
                closesocket(s);
                free(c);
                continue;
            }
            c->s = s;
            atomic_fetch_add(&g_live, 1);
            lock();
            c->next = g_conns;
            if (g_conns)
                g_conns->prev = c;
            g_conns = c;
            unlock();
            accepted++;
            if (post(c, 0, BUF_SIZE))
                conn_free(c);
        }
    }
    closesocket(l);
    /* Abort every connection from this thread while the workers run: the aborted operations'
     * packets free them.  A worker that meanwhile closes the same socket itself gets WSAENOTSOCK
     * from one of the two closesocket calls, nothing worse (no new socket can take the handle:
     * nothing is accepted any more). */
    lock();
    for (conn *c = g_conns; c; c = c->next)
        closesocket(c->s);
    unlock();
    long left = 0;
    for (int tries = 0; tries < 100 && (left = atomic_load(&g_live)) > 0; tries++)
        Sleep(20);
    for (int i = 0; i < WORKERS; i++)
        PostQueuedCompletionStatus(g_port, 0, KEY_STOP, NULL);
    WaitForMultipleObjects(WORKERS, th, TRUE, 5000);
    for (int i = 0; i < WORKERS; i++)
        CloseHandle(th[i]);
    CloseHandle(g_port);
    printf("accepted %ld, WSAEMFILE %ld, left at stop %ld\n", accepted, emfile, left);
    WSACleanup();
    return left == 0 ? 0 : 1;
}

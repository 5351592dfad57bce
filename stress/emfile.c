/*
 * emfile.c - descriptor exhaustion in an ovio process (SPEC G5): socket(), WSASocket() and
 * accept() fail with WSAEMFILE when RLIMIT_NOFILE is used up, nothing crashes or hangs, and
 * service resumes as soon as descriptors are freed.
 *
 *   emfile [CYCLES]        (default 20; prints its figures, exit 0 pass / 1 fail)
 *
 * A child process (forked before WSAStartup, plain Linux sockets) is the client.  Each cycle:
 * RLIMIT_NOFILE is lowered to the fds in use + 16; sockets are created until socket() fails
 * (WSAEMFILE required, WSASocket too); the child connects 8 clients, each sending "ping";
 * accept() fails with WSAEMFILE (the connections wait in the backlog); 3 fillers are closed and
 * exactly 3 accepts succeed, the next fails again; the 3 are served (overlapped WSARecv with an
 * event, WSASend of the echo); all fillers are closed and the other 5 are accepted and served;
 * the child checks every echo.  Then the limit is restored.  The fd count returns to its start.
 * (The same against whole servers: loadclient emfile.)
 */
#include "wsx.h"

#define HEADROOM 16
#define CLIENTS 8

static int g_cmd[2], g_res[2];

/* The child: for each command (port, n) connect n clients that each send "ping" and read the
 * echo; one byte back per client served, then hold the connections until the next command. */
static void child(void)
{
    int fds[64];
    int n = 0;
    for (;;) {
        int cmd[2];
        if (su_read_full(g_cmd[0], cmd, sizeof cmd) < 0 || cmd[0] < 0)
            su_exit_now(0);
        for (int i = 0; i < n; i++)
            su_close(fds[i]);
        n = cmd[1];
        for (int i = 0; i < n; i++) {
            fds[i] = su_tcp_connect(cmd[0]);
            if (fds[i] < 0 || su_write_full(fds[i], "ping", 4) < 0)
                su_exit_now(3);
        }
        for (int i = 0; i < n; i++) {
            char b[4];
            char ok = su_poll_in(fds[i], 20000) == 1 && su_read_full(fds[i], b, 4) == 0 &&
                              memcmp(b, "ping", 4) == 0
                          ? 'y'
                          : 'n';
            su_write_full(g_res[1], &ok, 1);
        }
    }
}

/* One overlapped echo on an accepted connection. */
static void serve(SOCKET s)
{
    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.hEvent = WSACreateEvent();
    WSX_CHECK(ov.hEvent != WSA_INVALID_EVENT);
    char b[4];
    WSABUF w = {4, b};
    DWORD n = 0, fl = 0;
    size_t got = 0;
    while (got < 4) {
        w.buf = b + got;
        w.len = (ULONG)(4 - got);
        int rc = WSARecv(s, &w, 1, &n, &fl, &ov, NULL);
        if (rc == SOCKET_ERROR) {
            WSX_CHECK_EQ(WSAGetLastError(), WSA_IO_PENDING);
            WSX_CHECK_EQ(WaitForSingleObject(ov.hEvent, 10000), WAIT_OBJECT_0);
            WSX_CHECK(WSAGetOverlappedResult(s, &ov, &n, FALSE, &fl));
        }
        WSX_CHECK(n > 0);
        got += n;
    }
    w.buf = b;
    w.len = 4;
    int rc = WSASend(s, &w, 1, &n, 0, &ov, NULL);
    if (rc == SOCKET_ERROR) {
        WSX_CHECK_EQ(WSAGetLastError(), WSA_IO_PENDING);
        WSX_CHECK(WSAGetOverlappedResult(s, &ov, &n, TRUE, &fl));
    }
    WSX_CHECK_EQ(n, 4);
    WSACloseEvent(ov.hEvent);
}

static void wait_acceptable(SOCKET l)
{
    fd_set rd;
    FD_ZERO(&rd);
    FD_SET(l, &rd);
    struct timeval tv = {10, 0};
    WSX_CHECK_EQ(select(0, &rd, NULL, NULL, &tv), 1);
}

static SOCKET accept_emfile(SOCKET l, long *count)
{
    SOCKET a = accept(l, NULL, NULL);
    if (a != INVALID_SOCKET)
        WSX_FAIL("accept succeeded with no descriptor free");
    WSX_CHECK_EQ(WSAGetLastError(), WSAEMFILE);
    (*count)++;
    return a;
}

int main(int argc, char **argv)
{
    long cycles = argc > 1 ? atol(argv[1]) : 20;
    WSX_CHECK(su_pipe(g_cmd) == 0 && su_pipe(g_res) == 0);
    int pid = su_fork();
    if (pid == 0) {
        su_close(g_cmd[1]);
        su_close(g_res[0]);
        child();
    }
    su_close(g_cmd[0]);
    su_close(g_res[1]);
    wsx_start("emfile", 300);
    SOCKADDR_IN la;
    SOCKET l = wsx_listener(&la, 64);
    long normal = su_nofile_get();
    int fds0 = su_fd_count(0);
    long f_socket_emfile = 0, f_wsasocket_emfile = 0, f_accept_emfile = 0, f_served = 0,
         f_fillers = 0;
    double t0 = su_now();
    for (long cyc = 0; cyc < cycles; cyc++) {
        int inuse = su_fd_count(0);
        long limit = 0;
        /* the highest fd number in use bounds what the limit may be lowered to */
        limit = inuse + HEADROOM;
        WSX_CHECK(su_nofile_set(limit) == 0);
        SOCKET fill[HEADROOM + 8];
        int nfill = 0;
        for (;;) {
            SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
            if (s == INVALID_SOCKET) {
                WSX_CHECK_EQ(WSAGetLastError(), WSAEMFILE);
                f_socket_emfile++;
                break;
            }
            if (nfill >= HEADROOM + 8)
                WSX_FAIL("socket() keeps succeeding past RLIMIT_NOFILE %ld", limit);
            fill[nfill++] = s;
        }
        if (nfill < 4)
            WSX_FAIL("only %d sockets fit under the limit", nfill);
        f_fillers += nfill;
        SOCKET w = WSASocket(AF_INET, SOCK_DGRAM, IPPROTO_UDP, NULL, 0, WSA_FLAG_OVERLAPPED);
        WSX_CHECK(w == INVALID_SOCKET);
        WSX_CHECK_EQ(WSAGetLastError(), WSAEMFILE);
        f_wsasocket_emfile++;
        /* clients arrive; they wait in the backlog */
        int cmd[2] = {ntohs(la.sin_port), CLIENTS};
        WSX_CHECK(su_write_full(g_cmd[1], cmd, sizeof cmd) == 0);
        wait_acceptable(l);
        accept_emfile(l, &f_accept_emfile);
        accept_emfile(l, &f_accept_emfile);
        /* three descriptors free: three accepts, then WSAEMFILE again */
        SOCKET acc[CLIENTS];
        int nacc = 0;
        for (int k = 0; k < 3; k++)
            closesocket(fill[--nfill]);
        for (int k = 0; k < 3; k++) {
            wait_acceptable(l);
            acc[nacc] = accept(l, NULL, NULL);
            if (acc[nacc] == INVALID_SOCKET)
                WSX_FAIL("accept after freeing descriptors: %d", WSAGetLastError());
            nacc++;
        }
        wait_acceptable(l);
        accept_emfile(l, &f_accept_emfile);
        for (int k = 0; k < nacc; k++)
            serve(acc[k]);
        /* everything freed: the rest are accepted and served */
        while (nfill)
            closesocket(fill[--nfill]);
        while (nacc < CLIENTS) {
            wait_acceptable(l);
            acc[nacc] = accept(l, NULL, NULL);
            if (acc[nacc] == INVALID_SOCKET)
                WSX_FAIL("accept after freeing every descriptor: %d", WSAGetLastError());
            serve(acc[nacc]);
            nacc++;
        }
        for (int k = 0; k < CLIENTS; k++) {
            char ok;
            WSX_CHECK(su_read_full(g_res[0], &ok, 1) == 0);
            if (ok != 'y')
                WSX_FAIL("the client did not get its echo back");
            f_served++;
        }
        for (int k = 0; k < nacc; k++)
            closesocket(acc[k]);
        WSX_CHECK(su_nofile_set(normal) == 0);
    }
    int cmd[2] = {-1, 0};
    su_write_full(g_cmd[1], cmd, sizeof cmd);
    int st = -1;
    su_wait_pid(pid, 5000, &st);
    int fds1 = su_fd_count(0);
    wsx_figure("cycles", "%ld in %.1f s (RLIMIT_NOFILE lowered to the fds in use + %d)", cycles,
               su_now() - t0, HEADROOM);
    wsx_figure("WSAEMFILE",
               "socket() %ld, WSASocket() %ld, accept() %ld (after %ld sockets "
               "filled the limit)",
               f_socket_emfile, f_wsasocket_emfile, f_accept_emfile, f_fillers);
    wsx_figure("served after descriptors were freed", "%ld of %ld clients", f_served,
               cycles * CLIENTS);
    wsx_figure("fds before/after", "%d/%d", fds0, fds1);
    if (st != 0)
        WSX_FAIL("the client process exited with %d", st);
    if (fds1 != fds0)
        WSX_FAIL("%d fds before, %d after", fds0, fds1);
    closesocket(l);
    WSACleanup();
    printf("PASS\n");
    return 0;
}

/*
 * native_echo_server.c - the completion-routine echo server on ovio's native API.
 *
 * The same server as cmpl_routine_echo_server.c, written for Linux: plain fds and sockets, and
 * <ovio.h> for the overlapped part.  Everything happens in completion routines and APCs that run
 * in the main thread, which does nothing but sleep alertably:
 *   - an acceptor thread polls the non-blocking listener and a signalfd.  Each accepted fd goes
 *     to the main thread with ovio_queue_apc; SIGINT/SIGTERM become a "stop" APC.  (There is no
 *     overlapped accept in the native API; a thread that only accepts keeps the main thread free
 *     of polling, unlike the book's SleepEx(100, TRUE) loop.)
 *   - per connection one malloc'd struct conn whose ovio_overlapped is the first member, so the
 *     routines cast it back.  on_recv sends what arrived, on_send posts the next receive; 0 bytes
 *     (peer closed) or an error closes the fd and frees the connection.  One operation per
 *     connection is in flight at a time.
 *   - stop: every connection is ovio_close'd; the aborted operations' routines free them.
 * 16 KiB buffers, TCP_NODELAY, SO_REUSEADDR: it doubles as a benchmark server.
 *
 * Usage: native_echo_server [-v] <port>
 * Prints "ready", one line per client connect and disconnect, and with -v one line per echo.
 */
#define _GNU_SOURCE
#include <ovio.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define BUF_SIZE 16384

struct conn {
    ovio_overlapped ov; /* must stay first: routines cast it back */
    int fd;
    struct iovec iov;
    struct sockaddr_in peer;
    struct conn *prev, *next; /* live connections, for the stop */
    char buf[BUF_SIZE];       /* last, so an idle connection touches one page */
};

/* Only the main thread touches these (routines and APCs run there). */
static struct conn *conns;
static int nconns;
static bool stopping;
static bool verbose;

/* Shared with the acceptor thread, which only reads them. */
static int listen_fd = -1;
static int signal_fd = -1;
static ovio_handle main_thread;

static void on_recv(int err, size_t bytes, ovio_overlapped *ov);
static void on_send(int err, size_t bytes, ovio_overlapped *ov);

static void print_conn(const char *what, const struct conn *c, int err)
{
    char addr[INET_ADDRSTRLEN];

    inet_ntop(AF_INET, &c->peer.sin_addr, addr, sizeof(addr));
    if (err != 0)
        printf("%s: %s:%d (%s)\n", what, addr, ntohs(c->peer.sin_port), strerror(err));
    else
        printf("%s: %s:%d\n", what, addr, ntohs(c->peer.sin_port));
    fflush(stdout);
}

/* Called when no operation of c is pending any more. */
static void conn_close(struct conn *c, int err)
{
    if (c->fd >= 0)
        ovio_close(c->fd);
    print_conn("Client disconnected", c, err);
    if (c->prev)
        c->prev->next = c->next;
    else
        conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    nconns--;
    free(c);
}

static void post_recv(struct conn *c)
{
    ssize_t r;

    c->iov.iov_len = BUF_SIZE;
    r = ovio_recv(c->fd, &c->iov, 1, 0, &c->ov, on_recv);
    /* Done at once (r >= 0) or pending: on_recv will run either way.  Any other error: it
     * will not. */
    if (r < 0 && r != -EINPROGRESS)
        conn_close(c, (int)-r);
}

static void on_recv(int err, size_t bytes, ovio_overlapped *ov)
{
    struct conn *c = (struct conn *)ov;
    ssize_t r;

    if (err != 0 || bytes == 0) {
        conn_close(c, err);
        return;
    }
    if (verbose)
        printf("Echo %zu bytes to fd %d\n", bytes, c->fd);
    c->iov.iov_len = bytes;
    r = ovio_send(c->fd, &c->iov, 1, 0, &c->ov, on_send);
    if (r < 0 && r != -EINPROGRESS)
        conn_close(c, (int)-r);
}

static void on_send(int err, size_t bytes, ovio_overlapped *ov)
{
    struct conn *c = (struct conn *)ov;

    (void)bytes;
    if (err != 0) {
        conn_close(c, err);
        return;
    }
    post_recv(c);
}

/* APC from the acceptor: a new connection (arg is its fd). */
static void accept_apc(uintptr_t arg)
{
    int fd = (int)arg;
    socklen_t len;
    struct conn *c;

    if (stopping) {
        close(fd);
        return;
    }
    c = malloc(sizeof(*c));
    if (!c) {
        fprintf(stderr, "out of memory: connection dropped\n");
        close(fd);
        return;
    }
    memset(c, 0, offsetof(struct conn, buf));
    c->fd = fd;
    c->iov.iov_base = c->buf;
    len = sizeof(c->peer);
    getpeername(fd, (struct sockaddr *)&c->peer, &len);
    c->next = conns;
    if (conns)
        conns->prev = c;
    conns = c;
    nconns++;
    print_conn("Client connected", c, 0);
    post_recv(c);
}

static void stop_apc(uintptr_t arg)
{
    (void)arg;
    stopping = true;
}

/* Accepts until a signal arrives; hands everything to the main thread as APCs. */
static unsigned acceptor_main(void *arg)
{
    struct pollfd pfd[2] = {{.fd = listen_fd, .events = POLLIN},
                            {.fd = signal_fd, .events = POLLIN}};
    bool backoff = false;
    int one = 1, fd, rc;

    (void)arg;
    for (;;) {
        rc = poll(pfd, 2, backoff ? 100 : -1);
        if (rc < 0 && errno != EINTR) {
            perror("poll");
            break;
        }
        if (rc > 0 && (pfd[1].revents & POLLIN))
            break;
        backoff = false;
        pfd[0].events = POLLIN;
        for (;;) {
            fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
            if (fd < 0) {
                if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                    /* Out of resources: the connection stays in the backlog.  Stop polling the
                     * listener (it would stay readable) and retry in 100 ms. */
                    perror("accept4");
                    backoff = true;
                    pfd[0].events = 0;
                } else if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) {
                    perror("accept4");
                }
                break;
            }
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
            rc = ovio_queue_apc(main_thread, accept_apc, (uintptr_t)fd);
            if (rc < 0) {
                fprintf(stderr, "ovio_queue_apc: %s\n", strerror(-rc));
                close(fd);
            }
        }
    }
    rc = ovio_queue_apc(main_thread, stop_apc, 0);
    if (rc < 0)
        fprintf(stderr, "ovio_queue_apc(stop): %s\n", strerror(-rc));
    return 0;
}

int main(int argc, char *argv[])
{
    struct sockaddr_in addr;
    const char *port;
    ovio_handle acceptor;
    sigset_t mask;
    int one = 1, rc, tries;

    if (argc == 3 && strcmp(argv[1], "-v") == 0) {
        verbose = true;
        port = argv[2];
    } else if (argc == 2) {
        port = argv[1];
    } else {
        fprintf(stderr, "usage: %s [-v] <port>\n", argv[0]);
        return 1;
    }

    /* Before any thread exists (ovio's included), so that every thread inherits the mask and
     * the signals arrive only through the signalfd. */
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    if (pthread_sigmask(SIG_BLOCK, &mask, NULL) != 0) {
        fprintf(stderr, "pthread_sigmask failed\n");
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    signal_fd = signalfd(-1, &mask, SFD_CLOEXEC);
    if (signal_fd < 0) {
        perror("signalfd");
        return 1;
    }

    rc = ovio_init();
    if (rc < 0) {
        fprintf(stderr, "ovio_init: %s\n", strerror(-rc));
        return 1;
    }

    listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (listen_fd < 0) {
        perror("socket");
        return 1;
    }
    setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
    addr.sin_port = htons((uint16_t)atoi(port));
    if (bind(listen_fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        perror("bind");
        return 1;
    }
    if (listen(listen_fd, SOMAXCONN) < 0) {
        perror("listen");
        return 1;
    }

    main_thread = ovio_thread_self();
    if (main_thread == 0) {
        perror("ovio_thread_self");
        return 1;
    }
    acceptor = ovio_thread_create(acceptor_main, NULL);
    if (acceptor == 0) {
        perror("ovio_thread_create");
        return 1;
    }

    printf("ready (engine %s)\n", ovio_engine_name());
    fflush(stdout);

    while (!stopping) {
        rc = ovio_sleep(OVIO_INFINITE, true);
        if (rc < 0) {
            fprintf(stderr, "ovio_sleep: %s\n", strerror(-rc));
            break;
        }
    }

    /* Stop.  The acceptor has ended (it queued the stop); closing a connection aborts its
     * pending operation, whose routine then frees it. */
    printf("Server stopping, %d client(s) connected\n", nconns);
    fflush(stdout);
    stopping = true;
    if (ovio_wait(&acceptor, 1, false, 5000, false) != 0)
        fprintf(stderr, "the acceptor thread did not end\n");
    for (struct conn *c = conns; c; c = c->next) {
        ovio_close(c->fd);
        c->fd = -1;
    }
    for (tries = 0; conns && tries < 50; tries++)
        ovio_sleep(100, true);
    if (conns)
        fprintf(stderr, "%d connection(s) got no routine after ovio_close\n", nconns);
    close(listen_fd);
    close(signal_fd);
    ovio_handle_close(acceptor);
    ovio_handle_close(main_thread);
    ovio_shutdown();
    /* After ovio_shutdown nothing is pending any more: the memory is ours again. */
    while (conns) {
        struct conn *c = conns;
        conns = c->next;
        free(c);
    }
    return 0;
}

/* Reference echo server on raw liburing, shaped like a Windows overlapped
 * (IOCP) server: every connection has exactly one operation in flight,
 * a recv into its own buffer, then a send of what arrived (re-issued for
 * the remainder after a short send), then the next recv. This is the
 * floor the ovio library is compared against: the same completion model
 * with nothing in between.
 *
 * Accepts come from one multishot accept, re-armed whenever the kernel
 * ends it. Each loop iteration submits everything queued by the previous
 * batch of completions and waits in a single io_uring_submit_and_wait().
 *
 * Ring setup tries SINGLE_ISSUER|DEFER_TASKRUN (the cheapest mode for a
 * single-threaded server), then COOP_TASKRUN, then nothing, so it runs on
 * older kernels too. REF_URING_PLAIN=1 forces the plain ring, to compare
 * against a library that does not use those flags.
 *
 * Usage: ref_uring_echo PORT  (127.0.0.1, prints "ready", SIGTERM/SIGINT
 * ends it with status 0). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <liburing.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF_SIZE (16 * 1024)
#define BACKLOG 511
#define SQ_ENTRIES 4096
/* Idle connections each hold a recv; a roomy CQ avoids the kernel's
 * overflow list when many of them complete at once. */
#define CQ_ENTRIES 16384

struct conn {
    int fd;
    bool sending;
    uint32_t off, len; /* unsent part of buf while sending */
    char buf[BUF_SIZE];
};

/* user_data is a conn pointer; these addresses mark the two other
 * long-lived operations. */
static char accept_tag, signal_tag;

static struct io_uring ring;
static int listen_fd;
static struct signalfd_siginfo sig_info;
static int signal_fd;

static struct io_uring_sqe *get_sqe(void)
{
    struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
    if (!sqe) {
        /* SQ full: flush it to the kernel and take a fresh slot. */
        io_uring_submit(&ring);
        sqe = io_uring_get_sqe(&ring);
        if (!sqe) {
            fprintf(stderr, "ref_uring_echo: submission queue stuck\n");
            exit(1);
        }
    }
    return sqe;
}

static void arm_accept(void)
{
    struct io_uring_sqe *sqe = get_sqe();
    io_uring_prep_multishot_accept(sqe, listen_fd, NULL, NULL, SOCK_CLOEXEC);
    io_uring_sqe_set_data(sqe, &accept_tag);
}

static void arm_recv(struct conn *c)
{
    struct io_uring_sqe *sqe = get_sqe();
    io_uring_prep_recv(sqe, c->fd, c->buf, BUF_SIZE, 0);
    io_uring_sqe_set_data(sqe, c);
    c->sending = false;
}

static void arm_send(struct conn *c)
{
    struct io_uring_sqe *sqe = get_sqe();
    io_uring_prep_send(sqe, c->fd, c->buf + c->off, c->len, MSG_NOSIGNAL);
    io_uring_sqe_set_data(sqe, c);
    c->sending = true;
}

static void on_accept(struct io_uring_cqe *cqe)
{
    static bool warned;
    if (!(cqe->flags & IORING_CQE_F_MORE))
        arm_accept(); /* the multishot ended (error, or kernel decision) */
    if (cqe->res < 0) {
        if (!warned) {
            fprintf(stderr, "ref_uring_echo: accept: %s\n", strerror(-cqe->res));
            warned = true;
        }
        return;
    }
    int fd = cqe->res;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct conn *c = malloc(sizeof *c);
    if (!c) {
        close(fd);
        return;
    }
    c->fd = fd;
    c->off = c->len = 0;
    arm_recv(c);
}

static void on_conn(struct conn *c, int res)
{
    /* res == 0 on a recv is the peer's FIN; any error ends the
     * connection. The operation just completed was the only one in
     * flight, so nothing else refers to c after this. */
    if (res <= 0) {
        close(c->fd);
        free(c);
        return;
    }
    if (!c->sending) {
        c->off = 0;
        c->len = (uint32_t)res;
        arm_send(c);
        return;
    }
    c->off += (uint32_t)res;
    c->len -= (uint32_t)res;
    if (c->len > 0)
        arm_send(c);
    else
        arm_recv(c);
}

static int listen_on(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, BACKLOG) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int setup_ring(void)
{
    static const unsigned flag_sets[] = {
        IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
        IORING_SETUP_COOP_TASKRUN,
        0,
    };
    const char *plain = getenv("REF_URING_PLAIN");
    size_t first = (plain && *plain && strcmp(plain, "0") != 0) ? 2 : 0;
    int ret = -EINVAL;
    for (size_t i = first; i < sizeof flag_sets / sizeof flag_sets[0]; i++) {
        struct io_uring_params p;
        memset(&p, 0, sizeof p);
        p.flags = IORING_SETUP_CQSIZE | flag_sets[i];
        p.cq_entries = CQ_ENTRIES;
        ret = io_uring_queue_init_params(SQ_ENTRIES, &ring, &p);
        if (ret == 0)
            return 0;
    }
    return ret;
}

int main(int argc, char **argv)
{
    char *end;
    long port = argc == 2 ? strtol(argv[1], &end, 10) : 0;
    if (argc != 2 || *end != '\0' || port < 1 || port > 65535) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);

    /* Termination is one more completion: a read on a signalfd. A flag
     * set by a handler could be missed just before the ring blocks. */
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    signal_fd = signalfd(-1, &mask, SFD_CLOEXEC);

    listen_fd = listen_on((int)port);
    if (signal_fd < 0 || listen_fd < 0) {
        perror("ref_uring_echo: setup");
        return 1;
    }
    int ret = setup_ring();
    if (ret < 0) {
        fprintf(stderr, "ref_uring_echo: io_uring_queue_init: %s\n", strerror(-ret));
        return 1;
    }
    arm_accept();
    struct io_uring_sqe *sqe = get_sqe();
    io_uring_prep_read(sqe, signal_fd, &sig_info, sizeof sig_info, 0);
    io_uring_sqe_set_data(sqe, &signal_tag);

    printf("ready\n");
    fflush(stdout);

    for (;;) {
        ret = io_uring_submit_and_wait(&ring, 1);
        if (ret < 0 && ret != -EINTR) {
            fprintf(stderr, "ref_uring_echo: submit_and_wait: %s\n", strerror(-ret));
            return 1;
        }
        struct io_uring_cqe *cqe;
        unsigned head, seen = 0;
        bool stop = false;
        io_uring_for_each_cqe(&ring, head, cqe) {
            void *p = io_uring_cqe_get_data(cqe);
            seen++;
            if (p == &accept_tag)
                on_accept(cqe);
            else if (p == &signal_tag)
                stop = true;
            else
                on_conn(p, cqe->res);
        }
        io_uring_cq_advance(&ring, seen);
        if (stop)
            break;
    }
    /* Tearing down the ring cancels the outstanding recvs; the kernel
     * closes the sockets at exit. */
    io_uring_queue_exit(&ring);
    return 0;
}

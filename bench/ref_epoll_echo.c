/* Reference echo server on raw epoll: the baseline a readiness-based
 * server gets with no library in between.
 *
 * Single thread, level-triggered, one fixed buffer per connection. A
 * connection is either waiting for input (EPOLLIN) or holding an unsent
 * remainder (EPOLLOUT only). Not reading while a remainder is pending
 * keeps the buffer single-use and pushes back on a client that does not
 * read its echoes, the same discipline the io_uring and libuv servers
 * follow, so the three do comparable work.
 *
 * Usage: ref_epoll_echo PORT  (127.0.0.1, prints "ready", SIGTERM/SIGINT
 * ends it with status 0). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF_SIZE (16 * 1024)
#define BACKLOG 511
#define MAX_EVENTS 256

struct conn {
    int fd;
    uint32_t off; /* start of the unsent remainder in buf */
    uint32_t len; /* bytes still to send; 0 = waiting for input */
    char buf[BUF_SIZE];
};

/* epoll_event.data.ptr is a conn for client sockets; these two addresses
 * mark the listener and the signalfd instead. */
static char listen_tag, signal_tag;

static int listen_on(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
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

static void conn_close(struct conn *c)
{
    close(c->fd); /* also removes it from the epoll set */
    free(c);
}

static int set_interest(int ep, struct conn *c, uint32_t events)
{
    struct epoll_event ev = { .events = events, .data.ptr = c };
    return epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Returns -1 on a broken connection, otherwise 0 with c->len left at
 * whatever the socket would not take yet. */
static int flush(struct conn *c)
{
    while (c->len > 0) {
        ssize_t n = send(c->fd, c->buf + c->off, c->len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errno == EAGAIN ? 0 : -1;
        }
        c->off += (uint32_t)n;
        c->len -= (uint32_t)n;
    }
    return 0;
}

static void on_conn_event(int ep, struct conn *c, uint32_t events)
{
    if (c->len > 0) {
        /* Only a pending remainder is of interest; errors surface as a
         * failing send. */
        if (flush(c) < 0)
            goto broken;
        if (c->len == 0 && set_interest(ep, c, EPOLLIN) < 0)
            goto broken;
        return;
    }
    (void)events; /* HUP/ERR are reported by read() below */
    ssize_t n = read(c->fd, c->buf, BUF_SIZE);
    if (n == 0)
        goto broken;
    if (n < 0) {
        if (errno == EAGAIN || errno == EINTR)
            return;
        goto broken;
    }
    c->off = 0;
    c->len = (uint32_t)n;
    if (flush(c) < 0)
        goto broken;
    if (c->len > 0 && set_interest(ep, c, EPOLLOUT) < 0)
        goto broken;
    return;
broken:
    conn_close(c);
}

static void accept_all(int ep, int lfd)
{
    static int warned;
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno != EAGAIN && !warned) {
                /* EMFILE and friends: leave the rest in the backlog. */
                fprintf(stderr, "ref_epoll_echo: accept: %s\n", strerror(errno));
                warned = 1;
            }
            return;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        /* Only the header is written here; buffer pages stay untouched
         * until data arrives, which is what the idle-RSS figure sees. */
        struct conn *c = malloc(sizeof *c);
        if (!c) {
            close(fd);
            continue;
        }
        c->fd = fd;
        c->off = c->len = 0;
        struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0)
            conn_close(c);
    }
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

    /* Termination arrives through a signalfd in the same epoll set, so
     * there is no window between checking a flag and blocking. */
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    int sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);

    int lfd = listen_on((int)port);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (sfd < 0 || lfd < 0 || ep < 0) {
        perror("ref_epoll_echo: setup");
        return 1;
    }
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &listen_tag };
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    ev.data.ptr = &signal_tag;
    epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev);

    printf("ready\n");
    fflush(stdout);

    struct epoll_event evs[MAX_EVENTS];
    for (;;) {
        int n = epoll_wait(ep, evs, MAX_EVENTS, -1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("ref_epoll_echo: epoll_wait");
            return 1;
        }
        for (int i = 0; i < n; i++) {
            void *p = evs[i].data.ptr;
            if (p == &signal_tag)
                return 0; /* the kernel closes the remaining sockets */
            if (p == &listen_tag)
                accept_all(ep, lfd);
            else
                on_conn_event(ep, p, evs[i].events);
        }
    }
}

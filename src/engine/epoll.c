/*
 * The epoll engine: readiness turned into completions.  Each socket is registered once, edge
 * triggered, for both directions; an operation is attempted when it reaches the head of its queue
 * and again after every readiness edge.  Edge triggering is safe because every head is attempted
 * right away: data that arrived before the registration or between two edges is found by that
 * attempt.  All of it runs under the core lock; the poller blocks in epoll_wait without it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/engine.h"

#define WAKE_KEY UINT64_MAX

static void epoll_wake(void);
#define BATCH 256

static int epfd = -1;
static int wakefd = -1;

static int epoll_engine_init(char *why, size_t len)
{
    epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0) {
        snprintf(why, len, "epoll_create1: %s", strerror(errno));
        return -errno;
    }
    wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = WAKE_KEY};
    if (wakefd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, wakefd, &ev) < 0) {
        int err = errno;
        snprintf(why, len, "eventfd: %s", strerror(err));
        close(epfd);
        if (wakefd >= 0)
            close(wakefd);
        return -err;
    }
    return 0;
}

static void epoll_engine_fini(void)
{
    close(epfd);
    close(wakefd);
    epfd = wakefd = -1;
}

static int epoll_sock_attach(struct ovio__sock *s)
{
    struct epoll_event ev = {
        .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLPRI | EPOLLET,
        .data.u64 = (uint64_t)s->gen << 32 | (uint32_t)s->fd,
    };
    return epoll_ctl(epfd, EPOLL_CTL_ADD, s->fd, &ev) < 0 ? -errno : 0;
}

static void epoll_sock_detach(struct ovio__sock *s)
{
    epoll_ctl(epfd, EPOLL_CTL_DEL, s->fd, NULL);
}

/* Results that must still be reported later: DisconnectEx pends even though shutdown() is
 * immediate (SPEC I11).  Reported by the next wait(). */
static struct ovio__list deferred = {&deferred, &deferred};

/* accept4/connect have no per-call non-blocking flag: the fd is made non-blocking for the call
 * only, so the program's own blocking calls on it keep blocking. */
static int nonblocking_call(int fd, int (*fn)(struct ovio__req *r), struct ovio__req *r)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0 && !(fl & O_NONBLOCK))
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    int rc = fn(r);
    int err = errno;
    if (fl >= 0 && !(fl & O_NONBLOCK))
        fcntl(fd, F_SETFL, fl);
    errno = err;
    return rc;
}

static int do_accept(struct ovio__req *r)
{
    return accept4(r->sock->fd, NULL, NULL, SOCK_CLOEXEC);
}

static int do_connect(struct ovio__req *r)
{
    return connect(r->sock->fd, (struct sockaddr *)&r->addr, r->addr_len);
}

/* A connect in progress: done when the socket has a peer, failed when it has an error. */
static int connect_progress(int fd)
{
    int soerr = 0;
    socklen_t len = sizeof soerr;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == 0 && soerr)
        return -soerr;
    struct sockaddr_storage ss;
    len = sizeof ss;
    if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0)
        return 0;
    return errno == ENOTCONN ? OVIO__PENDING : -errno;
}

/* One non-blocking attempt; OVIO__PENDING when the socket is not ready. */
static int epoll_start(struct ovio__req *r)
{
    int fd = r->sock->fd;
    ssize_t n;
    switch (r->kind) {
    case OVIO__OP_ACCEPT:
        n = nonblocking_call(fd, do_accept, r);
        break;
    case OVIO__OP_CONNECT:
        if (r->connecting)
            return connect_progress(fd);
        n = nonblocking_call(fd, do_connect, r);
        if (n < 0 && errno == EINPROGRESS) {
            r->connecting = true;
            return OVIO__PENDING;
        }
        break;
    case OVIO__OP_DISCONNECT:
        r->engine_res = shutdown(fd, SHUT_WR) < 0 ? -errno : 0;
        ovio__list_push_back(&deferred, &r->tnode_engine);
        epoll_wake();
        return OVIO__PENDING;
    case OVIO__OP_RECV:
        n = recvmsg(fd, &r->msg, r->msg_flags | MSG_DONTWAIT);
        break;
    case OVIO__OP_SEND:
        n = sendmsg(fd, &r->msg, r->msg_flags | MSG_DONTWAIT | MSG_NOSIGNAL);
        break;
    case OVIO__OP_POLL_IN: {
        char c;
        n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
        if (n >= 0)
            n = 0; /* readable (data or end of stream); nothing consumed */
        break;
    }
    default:
        return -EINVAL;
    }
    if (n >= 0)
        return (int)(n > INT32_MAX ? INT32_MAX : n);
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        return OVIO__PENDING;
    return -errno;
}

/* Nothing is in the kernel, so a cancel ends the operation right here. */
static void epoll_cancel(struct ovio__req *r)
{
    if (ovio__list_linked(&r->tnode_engine))
        ovio__list_remove(&r->tnode_engine); /* a deferred result not reported yet */
    ovio__req_done_locked(r, -ECANCELED);
}

/* Retries the started head of q after a readiness edge.  Lock held. */
static void retry_head(struct ovio__list *q)
{
    struct ovio__list *n = ovio__list_first(q);
    if (!n)
        return;
    struct ovio__req *r = OVIO__CONTAINER_OF(n, struct ovio__req, qnode);
    if (r->state != OVIO__REQ_STARTED)
        return;
    int res = epoll_start(r);
    if (res != OVIO__PENDING)
        ovio__req_done_locked(r, res);
}

static void epoll_wait_engine(int timeout_ms)
{
    struct epoll_event evs[BATCH];
    int n = epoll_wait(epfd, evs, BATCH, timeout_ms);
    ovio__lock();
    struct ovio__list *d;
    while ((d = ovio__list_first(&deferred))) {
        ovio__list_remove(d);
        struct ovio__req *r = OVIO__CONTAINER_OF(d, struct ovio__req, tnode_engine);
        ovio__req_done_locked(r, r->engine_res);
    }
    if (n <= 0) {
        ovio__unlock();
        return;
    }
    for (int i = 0; i < n; i++) {
        if (evs[i].data.u64 == WAKE_KEY) {
            uint64_t v;
            if (read(wakefd, &v, sizeof v) < 0 && errno != EAGAIN)
                continue;
            continue;
        }
        int fd = (int)(uint32_t)evs[i].data.u64;
        uint32_t gen = (uint32_t)(evs[i].data.u64 >> 32);
        /* Re-looked up per event: an earlier event of this batch may have closed it. */
        struct ovio__sock *s = ovio__sock_by_fd(fd, gen);
        if (s && (evs[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
            retry_head(&s->recvq);
        s = ovio__sock_by_fd(fd, gen);
        if (s && (evs[i].events & (EPOLLOUT | EPOLLHUP | EPOLLERR)))
            retry_head(&s->sendq);
        s = ovio__sock_by_fd(fd, gen);
        if (s && s->sel_mask) /* EPOLL* and POLL* bits have the same values */
            ovio__sock_ready(s, evs[i].events);
    }
    ovio__unlock();
}

static void epoll_wake(void)
{
    uint64_t one = 1;
    if (write(wakefd, &one, sizeof one) < 0 && errno != EAGAIN)
        perror("ovio: eventfd write");
}

/* Edge-triggered registration already reports every change: no watch to arm. */
static bool epoll_watch(struct ovio__sock *s, uint32_t events)
{
    (void)s;
    (void)events;
    return false;
}

static void epoll_flush(void)
{
}

const struct ovio__engine ovio__engine_epoll = {
    .name = "epoll",
    .init = epoll_engine_init,
    .fini = epoll_engine_fini,
    .sock_attach = epoll_sock_attach,
    .sock_detach = epoll_sock_detach,
    .start = epoll_start,
    .cancel = epoll_cancel,
    .wait = epoll_wait_engine,
    .wake = epoll_wake,
    .watch = epoll_watch,
    .flush = epoll_flush,
};

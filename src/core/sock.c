/*
 * Socket state by fd number, and the socket-wide operations: close, cancel, shutdown, thread end
 * and WSACleanup (SPEC E6-E10).
 *
 * Lifetime: closing marks the socket and cancels its operations, but the fd itself is closed only
 * when the engine holds none of them any more, so the number cannot be reused under a running
 * request (io_uring requests keep working on whatever file the number names).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/core.h"
#include "engine/engine.h"

OVIO__HIDDEN void ovio__req_cancel(struct ovio__req *r);

static struct ovio__sock **fds;
static int nfds;
static uint32_t next_gen = 1;

static int table_reserve(int fd)
{
    if (fd < nfds)
        return 0;
    int n = nfds ? nfds : 1024;
    while (n <= fd)
        n *= 2;
    struct ovio__sock **t = realloc(fds, (size_t)n * sizeof *t);
    if (!t)
        return -ENOMEM;
    memset(t + nfds, 0, (size_t)(n - nfds) * sizeof *t);
    fds = t;
    nfds = n;
    return 0;
}

struct ovio__sock *ovio__sock_get(int fd, bool create, int *err)
{
    if (fd < 0) {
        *err = -EBADF;
        return NULL;
    }
    if (fd < nfds && fds[fd]) {
        if (fds[fd]->closing) {
            *err = -EBADF;
            return NULL;
        }
        return fds[fd];
    }
    if (!create) {
        *err = -ENOTSOCK;
        return NULL;
    }
    int type;
    socklen_t len = sizeof type;
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0) {
        *err = errno == ENOTSOCK ? -ENOTSOCK : -EBADF;
        return NULL;
    }
    if ((*err = table_reserve(fd)))
        return NULL;
    struct ovio__sock *s = calloc(1, sizeof *s);
    if (!s) {
        *err = -ENOBUFS;
        return NULL;
    }
    ovio__obj_init(&s->obj, OVIO__OBJ_SOCK); /* the table's reference */
    s->fd = fd;
    s->gen = next_gen++;
    s->stream = type == SOCK_STREAM;
    ovio__list_init(&s->recvq);
    ovio__list_init(&s->sendq);
    fds[fd] = s;
    return s;
}

struct ovio__sock *ovio__sock_at(int fd)
{
    return fd >= 0 && fd < nfds ? fds[fd] : NULL;
}

struct ovio__sock *ovio__sock_by_fd(int fd, uint32_t gen)
{
    if (fd < 0 || fd >= nfds || !fds[fd] || fds[fd]->gen != gen)
        return NULL;
    return fds[fd];
}

OVIO__HIDDEN bool ovio__sock_signalled(struct ovio__object *o)
{
    return OVIO__CONTAINER_OF(o, struct ovio__sock, obj)->signal;
}

void ovio__sock_destroy(struct ovio__object *o)
{
    struct ovio__sock *s = OVIO__CONTAINER_OF(o, struct ovio__sock, obj);
    if (s->port) /* the binding's reference (ovio_port_bind) */
        ovio__obj_unref((struct ovio__object *)s->port);
    if (s->sel_event)
        ovio__obj_unref(&s->sel_event->obj);
    free(s);
}

/* The last operation is gone: now the fd can really close.  Lock held. */
void ovio__sock_final_close(struct ovio__sock *s)
{
    if (s->fd < 0)
        return;
    if (s->attached)
        ovio__engine->sock_detach(s);
    fds[s->fd] = NULL;
    close(s->fd);
    s->fd = -1;
    ovio__obj_unref(&s->obj);
}

/* Cancels every operation of s that matches; returns how many matched.  Lock held.  Queued ones
 * end first; the started head of each queue is cancelled last, because an engine may end it inline
 * and start the next one. */
static int cancel_matching(struct ovio__sock *s, const ovio_overlapped *ov,
                           const struct ovio__thread *only, bool silent)
{
    int matched = 0;
    struct ovio__list *queues[2] = {&s->recvq, &s->sendq};
    for (int i = 0; i < 2; i++) {
        struct ovio__req *started = NULL;
        struct ovio__list *n, *tmp;
        ovio__list_for_each_safe(n, tmp, queues[i])
        {
            struct ovio__req *r = OVIO__CONTAINER_OF(n, struct ovio__req, qnode);
            if (r->cancel_requested || (ov && r->ov != ov) || (only && r->thread != only))
                continue;
            matched++;
            r->silent |= silent;
            if (r->state == OVIO__REQ_STARTED)
                started = r;
            else
                ovio__req_cancel(r);
        }
        if (started)
            ovio__req_cancel(started);
    }
    return matched;
}

int ovio__cancel(int fd, ovio_overlapped *ov, struct ovio__thread *only_thread)
{
    ovio__lock();
    int err = 0;
    struct ovio__sock *s = ovio__sock_get(fd, false, &err);
    int matched = 0;
    if (s) {
        ovio__obj_ref(&s->obj);
        matched = cancel_matching(s, ov, only_thread, false);
        ovio__obj_unref(&s->obj);
    }
    ovio__unlock();
    if (matched)
        ovio__make_progress(); /* cancellations usually complete at once: deliver them now */
    if (!s)
        return err;
    return matched ? 0 : -ENOENT;
}

static void close_locked(struct ovio__sock *s, bool silent)
{
    ovio__obj_ref(&s->obj);
    s->closing = true;
    ovio__evselect_end(s);
    cancel_matching(s, NULL, NULL, silent);
    if (s->accept_req) { /* an AcceptEx waiting to fill this socket ends too */
        s->accept_req->silent |= silent;
        ovio__req_cancel(s->accept_req);
    }
    if (s->inflight == 0)
        ovio__sock_final_close(s);
    ovio__obj_unref(&s->obj);
}

int ovio__sock_close(int fd)
{
    ovio__lock();
    int err = 0;
    struct ovio__sock *s = ovio__sock_get(fd, false, &err);
    if (!s) {
        ovio__unlock();
        return err;
    }
    bool pending = s->inflight > 0;
    close_locked(s, false);
    ovio__unlock();
    if (pending && ovio__engine) {
        /* Reap the cancellations now so the fd closes (and the peer sees it) without waiting for
         * the program's next wait; their routines still run only in an alertable wait. */
        ovio__engine->flush();
        ovio__make_progress();
    }
    return 0;
}

void ovio__sock_note_shutdown(int fd, int how)
{
    ovio__lock();
    int err;
    struct ovio__sock *s = ovio__sock_get(fd, false, &err);
    if (s) {
        /* SPEC E8: a pending receive is left alone; only new ones are refused. */
        if (how == SHUT_RD || how == SHUT_RDWR)
            s->shut_rd = true;
        if (how == SHUT_WR || how == SHUT_RDWR)
            s->shut_wr = true;
    }
    ovio__unlock();
}

void ovio__thread_cancel_reqs(struct ovio__thread *t)
{
    /* Re-read the head each time: cancelling one operation can end others of this thread. */
    struct ovio__list *n;
    while ((n = ovio__list_first(&t->reqs))) {
        struct ovio__req *r = OVIO__CONTAINER_OF(n, struct ovio__req, tnode);
        ovio__list_remove(n);
        r->thread = NULL; /* its routine can never run now */
        /* SPEC E9: a port-bound operation without an event outlives its thread. */
        if (r->sock->port && !r->event)
            continue;
        ovio__req_cancel(r);
    }
}

void ovio__abort_all_silently(void)
{
    ovio__lock();
    for (int fd = 0; fd < nfds; fd++) {
        struct ovio__sock *s = fds[fd];
        if (s && s->win32 && !s->closing)
            close_locked(s, true);
    }
    ovio__unlock();
    if (ovio__engine) {
        ovio__engine->flush();
        ovio__make_progress();
    }
}

int ovio_fd_set_mode(int fd, unsigned mode)
{
    ovio__lock();
    int err = 0;
    struct ovio__sock *s = ovio__sock_get(fd, true, &err);
    if (s)
        s->sync_io = mode & OVIO_FD_SYNC;
    ovio__unlock();
    return s ? 0 : err;
}

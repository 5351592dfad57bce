/*
 * Operations: issue, progress and completion delivery (SPEC A, B, E1-E5).
 *
 * Each socket keeps one FIFO per direction and only the head is ever handed to the engine, because
 * the kernel does not keep several in-flight receives (or sends) on one socket in order.  A send is
 * re-attempted from where it stopped until every byte is taken, so short writes never surface.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <unistd.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/core.h"
#include "engine/engine.h"


/* Where the issuing call learns that its own operation finished inside the call. */
struct sync_out {
    bool done;
    bool notified; /* a completion (events, routine, packet) follows */
    int err;
    size_t bytes;
};
static __thread struct ovio__req *issuing;
static __thread struct sync_out *issuing_out;
static __thread bool issuing_first_attempt; /* not the later look at the ring's results */

/* Receiving and accepting share one queue, sending, connecting and disconnecting the other. */
static struct ovio__list *queue_of(struct ovio__sock *s, const struct ovio__req *r)
{
    switch (r->kind) {
    case OVIO__OP_SEND:
    case OVIO__OP_CONNECT:
    case OVIO__OP_DISCONNECT:
        return &s->sendq;
    default:
        return &s->recvq;
    }
}

/* Requests are recycled through a small per-thread cache: a server allocates and frees one per
 * operation, and malloc/free showed up in its profile.  A request freed by another thread (the
 * poller) joins that thread's cache, which is fine: any thread may reuse any request. */
#define REQ_CACHE_MAX 64
static __thread struct ovio__req *req_cache;
static __thread unsigned req_cached;

static void req_free(struct ovio__req *r)
{
    if (r->iov != r->iov_inline)
        free(r->iov);
    if (req_cached < REQ_CACHE_MAX) {
        r->ov_next = req_cache;
        req_cache = r;
        req_cached++;
        return;
    }
    free(r);
}

static struct ovio__req *req_alloc(void)
{
    struct ovio__req *r = req_cache;
    if (!r)
        return calloc(1, sizeof *r);
    req_cache = r->ov_next;
    req_cached--;
    memset(r, 0, sizeof *r);
    return r;
}

void ovio__req_cache_drain(void)
{
    while (req_cache) {
        struct ovio__req *r = req_cache;
        req_cache = r->ov_next;
        free(r);
    }
    req_cached = 0;
}

static void req_apc_run(struct ovio__apc *apc)
{
    struct ovio__req *r = OVIO__CONTAINER_OF(apc, struct ovio__req, apc);
    r->api->run_routine(r);
    req_free(r);
}

static void req_apc_drop(struct ovio__apc *apc)
{
    req_free(OVIO__CONTAINER_OF(apc, struct ovio__req, apc));
}

/* A port packet carried by its request: the request ends when the packet is taken. */
static void req_packet_release(struct ovio__packet *pk)
{
    req_free(OVIO__CONTAINER_OF(pk, struct ovio__req, packet));
}

/* The status an operation ends with when it was cancelled: closing a stream socket aborts its
 * pending receives (WSAECONNABORTED); everything else reports cancellation (SPEC E6, E7). */
static int cancelled_status(const struct ovio__req *r)
{
    if (r->silent || r->kind == OVIO__OP_ACCEPT) /* SPEC E10; E6: accepts report cancellation */
        return ECANCELED;
    bool receive = r->kind == OVIO__OP_RECV || r->kind == OVIO__OP_POLL_IN;
    return r->sock->closing && r->sock->stream && receive ? ECONNABORTED : ECANCELED;
}

static void notify(struct ovio__req *r, struct ovio__sock *s, int err, bool at_issue);

/* The AcceptEx is over (or has its connection): the accept socket is the program's again. */
static void accept_release(struct ovio__req *r)
{
    if (r->kind != OVIO__OP_ACCEPT && !r->accept_addrs)
        return;
    struct ovio__sock *acc = ovio__sock_at(r->accept_fd);
    if (!acc || acc->accept_req != r)
        return;
    acc->accept_req = NULL;
    acc->inflight--;
    if (acc->closing && acc->inflight == 0)
        ovio__sock_final_close(acc);
}

/* Final delivery, in this order: result into the overlapped record, the socket's and the event's
 * signal, then routine or port packet (SPEC A4, B3, B5).  Lock held; r leaves every list. */
static void complete(struct ovio__req *r, int err, size_t bytes, bool at_issue)
{
    /* An accept is reported on the listener it was issued on (SPEC I9: the listener's key). */
    struct ovio__sock *s = r->origin ? r->origin : r->sock;
    ovio__list_remove(&r->qnode);
    ovio__list_remove(&r->tnode);
    ovio__ovmap_remove(r->ov);
    accept_release(r);

    if (r->sock->stream && (err == ECONNRESET || (err == EPIPE && !r->sock->shut_wr))) {
        err = ECONNRESET;
        r->sock->sticky_err = ECONNRESET; /* later operations fail at once (SPEC E5) */
    } else if (err == EPIPE && r->sock->shut_wr) {
        err = ESHUTDOWN;
    }
    r->err = err;
    r->bytes = bytes;
    if (r == issuing && issuing_out) {
        at_issue = true;
        issuing_out->done = true;
        issuing_out->err = err;
        issuing_out->bytes = bytes;
        /* SPEC A3: failing inside the starting call, having moved nothing, is an immediate
         * failure: the call returns the error and nothing is notified.  (A received datagram
         * truncated is a completion, SPEC H2, and so is a failure after part of a send went out:
         * the call then says pending, because its notifications follow.) */
        bool truncated = err == EMSGSIZE && r->kind == OVIO__OP_RECV;
        if (err && !truncated && bytes == 0 && issuing_first_attempt)
            r->silent = true;
        issuing_out->notified = !r->silent;
    }
    r->api->store(r, err, bytes);

    if (r->origin) {
        ovio__obj_ref(&s->obj); /* keeps s alive through the notifications below */
        ovio__obj_unref(&r->origin->obj);
        r->origin = NULL;
    } else {
        ovio__obj_ref(&s->obj);
    }
    notify(r, s, err, at_issue);
    ovio__obj_unref(&s->obj);
}

/* The notifications of complete(). Lock held. */
static void notify(struct ovio__req *r, struct ovio__sock *s, int err, bool at_issue)
{
    if (r->silent) {
        if (r->event)
            ovio__obj_unref(&r->event->obj);
        req_free(r);
        return;
    }
    if (!s->skip_event_on_handle)
        s->signal = true;
    ovio__obj_wake_waiters(&s->obj); /* ovio__await waiters re-check their record */
    if (r->event) {
        ovio__event_signal(r->event);
        ovio__obj_unref(&r->event->obj);
        r->event = NULL;
    }
    /* SPEC I7 (event low bit) and I8 (skip on success) take the packet away, nothing else. */
    if (s->port && !r->no_port_packet && !(at_issue && err == 0 && s->skip_port_on_success)) {
        r->packet.release = req_packet_release;
        ovio__port_deliver(s, r, at_issue && err == 0);
        return;
    }
    if (r->routine && r->thread && !r->thread->ended) {
        r->apc.run = req_apc_run;
        r->apc.drop = req_apc_drop;
        ovio__thread_queue_apc(r->thread, &r->apc);
        return;
    }
    req_free(r);
}

/* Moves a send's window past n bytes just taken. */
static void window_advance(struct ovio__req *r, size_t n)
{
    struct iovec *v = r->msg.msg_iov;
    size_t cnt = r->msg.msg_iovlen;
    while (cnt && n >= v->iov_len) {
        n -= v->iov_len;
        v++;
        cnt--;
    }
    if (cnt && n) {
        v->iov_base = (char *)v->iov_base + n;
        v->iov_len -= n;
    }
    r->msg.msg_iov = v;
    r->msg.msg_iovlen = cnt;
}

/* AcceptEx's connection arrived as newfd: it takes over the accept socket's fd number, so the
 * program's SOCKET names the connection.  With a receive buffer the request then moves to that
 * socket as a receive.  Returns 0, an engine result for the receive, or -errno.  Lock held. */
static int accepted(struct ovio__req *r, int newfd)
{
    int err = 0;
    if (r->cancel_requested) { /* the accept socket was closed meanwhile: nowhere to put it */
        close(newfd);
        return -ECANCELED;
    }
    if (dup3(newfd, r->accept_fd, O_CLOEXEC) < 0)
        err = -errno;
    close(newfd);
    if (err)
        return err;
    struct ovio__sock *acc = ovio__sock_get(r->accept_fd, true, &err);
    if (!acc)
        return err;
    acc->connected = true;
    acc->stream = true;
    acc->sticky_err = 0;
    /* The fd now names another file: an engine registration of the old one is stale. */
    if (acc->attached) {
        ovio__engine->sock_detach(acc);
        acc->attached = false;
    }
    if (r->total == 0)
        return 0;
    if ((err = ovio__engine->sock_attach(acc)))
        return err;
    acc->attached = true;
    /* Re-home: the listener is still notified (r->origin), the receive runs on the connection. */
    ovio__list_remove(&r->qnode);
    r->sock = acc;
    r->kind = OVIO__OP_RECV;
    ovio__list_push_back(&acc->recvq, &r->qnode);
    return ovio__engine->start(r);
}

/* Feeds one attempt's result into r.  Returns true when r is finished (r->err/r->bytes hold the
 * outcome), false when the engine holds it. */
static bool advance(struct ovio__req *r, int res)
{
    for (;;) {
        if (res == OVIO__PENDING) {
            r->state = OVIO__REQ_STARTED;
            r->sock->inflight++;
            ovio__engine_inflight++;
            return false;
        }
        /* A cancel can lose the race with completion (SPEC E7), but not a close: the socket is
         * going away, so what it was doing is aborted whatever the kernel managed (E6, E10). */
        if (r->cancel_requested && (res == -ECANCELED || r->sock->closing)) {
            r->err = cancelled_status(r);
            return true;
        }
        if (r->cancel_requested && res < 0) {
            r->err = -res;
            return true;
        }
        /* EAGAIN: the kernel gave up on a non-blocking attempt, retry armed.  An unrequested
         * ECANCELED: the kernel dropped it because the thread that submitted it ended, while
         * Windows keeps such operations (port-bound ones, SPEC E9): start it again from here. */
        if (!r->cancel_requested &&
            (res == -EAGAIN || res == -EINTR || (res == -ECANCELED && !r->sock->closing))) {
            res = ovio__engine->start(r);
            continue;
        }
        if (res < 0) {
            r->err = -res;
            return true;
        }
        switch (r->kind) {
        case OVIO__OP_RECV:
            if (res == 0 && r->total > 0 && r->sock->stream)
                r->sock->eof = true;
            r->bytes = (size_t)res;
            r->err = (r->msg.msg_flags & MSG_TRUNC) ? EMSGSIZE : 0;
            return true;
        case OVIO__OP_POLL_IN:
            r->bytes = 0;
            r->err = 0;
            return true;
        case OVIO__OP_ACCEPT:
            res = accepted(r, res);
            if (res == 0 && r->kind == OVIO__OP_ACCEPT) {
                r->bytes = 0; /* SPEC I9: no receive asked: done on connect */
                r->err = 0;
                return true;
            }
            continue;
        case OVIO__OP_CONNECT:
            r->sock->connected = true;
            r->msg.msg_name = NULL; /* what follows is a plain send on the connection */
            r->msg.msg_namelen = 0;
            if (r->total == 0) {
                r->bytes = 0;
                r->err = 0;
                return true;
            }
            r->kind = OVIO__OP_SEND;
            res = ovio__engine->start(r);
            continue;
        case OVIO__OP_DISCONNECT:
            r->bytes = 0;
            r->err = 0;
            return true;
        case OVIO__OP_SEND:
            r->bytes += (size_t)res;
            if (r->bytes >= r->total || !r->sock->stream || r->cancel_requested) {
                r->err = r->cancel_requested && r->bytes < r->total ? cancelled_status(r) : 0;
                return true;
            }
            if (res == 0) { /* no progress on a stream send: the connection is gone */
                r->err = EPIPE;
                return true;
            }
            window_advance(r, (size_t)res);
            res = ovio__engine->start(r);
            continue;
        }
    }
}

/* Starts queued operations at the head of q until one pends.  Lock held. */
static void start_queue(struct ovio__sock *s, struct ovio__list *q)
{
    struct ovio__list *n;
    while (!s->closing && (n = ovio__list_first(q))) {
        struct ovio__req *r = OVIO__CONTAINER_OF(n, struct ovio__req, qnode);
        if (r->state == OVIO__REQ_STARTED)
            return;
        if (r->cancel_requested) {
            complete(r, ECANCELED, 0, false);
            continue;
        }
        if (!advance(r, ovio__engine->start(r)))
            return;
        complete(r, r->err, r->bytes, false);
    }
}

void ovio__req_done_locked(struct ovio__req *r, int res)
{
    struct ovio__sock *s = r->sock;
    s->inflight--;
    ovio__engine_inflight--;
    r->state = OVIO__REQ_QUEUED;
    struct ovio__list *q = queue_of(s, r);
    ovio__obj_ref(&s->obj);
    bool done = advance(r, res);
    if (done)
        complete(r, r->err, r->bytes, false);
    if (done || r->sock != s) /* finished, or moved on to another socket (AcceptEx) */
        start_queue(s, q);
    if (s->closing && s->inflight == 0)
        ovio__sock_final_close(s);
    ovio__obj_unref(&s->obj);
}

void ovio__req_done(struct ovio__req *r, int res)
{
    ovio__lock();
    ovio__req_done_locked(r, res);
    ovio__unlock();
}

/* Cancels one operation: a queued one ends now, a started one when the engine reports.  Lock held. */
OVIO__HIDDEN void ovio__req_cancel(struct ovio__req *r)
{
    if (r->cancel_requested)
        return; /* already asked */
    r->cancel_requested = true;
    if (r->state == OVIO__REQ_STARTED)
        ovio__engine->cancel(r);
    else
        complete(r, cancelled_status(r), 0, false);
}

/* A socket made without WSA_FLAG_OVERLAPPED: the operation runs to its end in the calling thread
 * (SPEC A7).  Lock not held. */
static int run_blocking(struct ovio__req *r, int fd)
{
    for (;;) {
        ssize_t n;
        switch (r->kind) {
        case OVIO__OP_RECV:
            n = recvmsg(fd, &r->msg, r->msg_flags);
            return n < 0 ? -errno : (int)n;
        case OVIO__OP_POLL_IN: {
            struct pollfd p = {.fd = fd, .events = POLLIN};
            n = poll(&p, 1, -1);
            if (n < 0 && errno == EINTR)
                continue;
            return n < 0 ? -errno : 0;
        }
        case OVIO__OP_SEND:
            n = sendmsg(fd, &r->msg, r->msg_flags | MSG_NOSIGNAL);
            if (n < 0)
                return -errno;
            r->bytes += (size_t)n;
            if (r->bytes >= r->total || !r->sock->stream)
                return 0;
            window_advance(r, (size_t)n);
            continue;
        }
    }
}

/* Checks that say no before anything is queued (SPEC A3, E5, E8).  Lock held. */
static bool listening(struct ovio__sock *s)
{
    int on = 0;
    socklen_t len = sizeof on;
    return getsockopt(s->fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) == 0 && on;
}

static int precheck(struct ovio__sock *s, enum ovio__op_kind kind)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    switch (kind) {
    case OVIO__OP_ACCEPT:
        return listening(s) ? 0 : -EINVAL;
    case OVIO__OP_CONNECT: /* SPEC I10: bound, not listening, not connected */
        if (listening(s))
            return -EINVAL;
        if (getpeername(s->fd, (struct sockaddr *)&ss, &len) == 0)
            return -EISCONN;
        len = sizeof ss;
        if (getsockname(s->fd, (struct sockaddr *)&ss, &len) < 0)
            return -errno;
        if ((ss.ss_family == AF_INET && ((struct sockaddr_in *)&ss)->sin_port == 0) ||
            (ss.ss_family == AF_INET6 && ((struct sockaddr_in6 *)&ss)->sin6_port == 0))
            return -EINVAL;
        return 0;
    case OVIO__OP_DISCONNECT:
        if (s->stream && !s->connected && getpeername(s->fd, (struct sockaddr *)&ss, &len) < 0)
            return -ENOTCONN;
        s->connected = true;
        return 0;
    default:
        break;
    }
    bool send = kind == OVIO__OP_SEND;
    if (send ? s->shut_wr : s->shut_rd)
        return -ESHUTDOWN;
    if (s->sticky_err)
        return -s->sticky_err;
    if (s->stream && !s->connected) {
        if (getpeername(s->fd, (struct sockaddr *)&ss, &len) < 0) {
            if (errno != ENOTCONN)
                return -errno;
            /* Not connected any more because the peer reset it (SPEC E5), or never was. */
            int soerr = 0;
            socklen_t elen = sizeof soerr;
            if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &soerr, &elen) == 0 && soerr == ECONNRESET) {
                s->sticky_err = ECONNRESET;
                return -ECONNRESET;
            }
            return -ENOTCONN;
        }
        s->connected = true;
    }
    return 0;
}

static struct ovio__req *req_new(const struct ovio__issue *is, size_t *total)
{
    struct ovio__req *r = req_alloc();
    if (!r)
        return NULL;
    ovio__list_init(&r->qnode);
    ovio__list_init(&r->tnode);
    ovio__list_init(&r->tnode_engine);
    if (is->iovcnt <= 2) {
        r->iov = r->iov_inline;
    } else if (!(r->iov = malloc((size_t)is->iovcnt * sizeof *r->iov))) {
        r->iov = r->iov_inline;
        req_free(r);
        return NULL;
    }
    size_t sum = 0;
    for (int i = 0; i < is->iovcnt; i++) {
        r->iov[i] = is->iov[i];
        sum += is->iov[i].iov_len;
    }
    *total = sum;
    r->iovcnt = is->iovcnt;
    r->msg.msg_iov = r->iov;
    r->msg.msg_iovlen = (size_t)is->iovcnt;
    return r;
}

ssize_t ovio__issue(const struct ovio__issue *is)
{
    if (!ovio__engine) {
        int err = ovio__engine_start();
        if (err)
            return err;
    }
    if (!is->ov)
        return -EFAULT;
    bool data_optional = is->kind == OVIO__OP_ACCEPT || is->kind == OVIO__OP_CONNECT ||
                         is->kind == OVIO__OP_DISCONNECT;
    if (is->iovcnt < 0 || is->iovcnt > IOV_MAX || (is->iovcnt == 0 && !data_optional))
        return -EINVAL; /* SPEC A9 */
    if (!is->iov && is->iovcnt)
        return -EFAULT;
    struct ovio__thread *t = ovio__self();
    if (!t)
        return -ENOMEM;

    size_t total;
    struct ovio__req *r = req_new(is, &total);
    if (!r)
        return -ENOBUFS;
    r->kind = (uint8_t)(is->kind == OVIO__OP_RECV && total == 0 ? OVIO__OP_POLL_IN : is->kind);
    r->accept_fd = is->accept_fd;
    r->accept_addrs = is->accept_addrs;
    r->accept_local_len = is->accept_local_len;
    r->accept_remote_len = is->accept_remote_len;
    r->total = total;
    r->ov = is->ov;
    r->api = is->api;
    r->routine = is->routine;
    r->user = is->user;
    r->thread = t;
    r->batched = t->batch_depth > 0;
    r->msg_flags = is->flags;
    r->no_port_packet = is->event & 1;
    r->from_len = is->from_len;
    r->from = is->from;
    if (is->to) {
        if (is->to_len < 0 || (size_t)is->to_len > sizeof r->addr) {
            req_free(r);
            return -EINVAL;
        }
        memcpy(&r->addr, is->to, (size_t)is->to_len);
        r->addr_len = (socklen_t)is->to_len;
        if (r->kind != OVIO__OP_CONNECT) {
            r->msg.msg_name = &r->addr;
            r->msg.msg_namelen = (socklen_t)is->to_len;
        }
    } else if (is->from) {
        r->msg.msg_name = &r->addr;
        r->msg.msg_namelen = sizeof r->addr;
    }

    ovio__lock();
    int err = 0;
    struct ovio__sock *s;
    if (is->sock_handle) {
        struct ovio__object *o = ovio__handle_get(is->sock_handle, OVIO__OBJ_SOCK);
        s = o ? OVIO__CONTAINER_OF(o, struct ovio__sock, obj) : NULL;
        if (o)
            ovio__obj_unref(o); /* the fd table keeps it while the lock is held */
        if (!s || s->closing) {
            s = NULL;
            err = -ENOTSOCK;
        }
    } else {
        s = ovio__sock_get(is->fd, true, &err);
    }
    if (!s)
        goto fail;
    r->sock = s;
    if (r->kind == OVIO__OP_ACCEPT) {
        /* The accept socket belongs to this AcceptEx until it ends: closing it cancels the
         * AcceptEx, and its fd number stays reserved meanwhile (SPEC E6, I9). */
        struct ovio__sock *acc = ovio__sock_get(is->accept_fd, true, &err);
        if (!acc)
            goto fail;
        if (acc->accept_req || acc == s) {
            err = -EINVAL;
            goto fail;
        }
        r->origin = s;
        ovio__obj_ref(&s->obj);
    }
    if (!s->attached) {
        if ((err = ovio__engine->sock_attach(s)))
            goto fail;
        s->attached = true;
    }
    if (ovio__ovmap_find(is->ov)) {
        err = -EINVAL; /* SPEC A11: that record belongs to an operation still in flight */
        goto fail;
    }
    if ((err = precheck(s, r->kind)))
        goto fail;
    if (r->routine && s->port) {
        err = -EINVAL; /* SPEC D6: a routine on a port-bound handle */
        goto fail;
    }
    if (is->event & ~(ovio_handle)1) {
        struct ovio__object *o = ovio__handle_get(is->event & ~(ovio_handle)1, OVIO__OBJ_EVENT);
        if (!o) {
            err = -EBADF;
            goto fail;
        }
        r->event = OVIO__CONTAINER_OF(o, struct ovio__event, obj);
        r->event->signalled = false; /* SPEC B5: issuing resets the event */
    }
    if ((err = ovio__ovmap_insert(is->ov, r))) {
        if (r->event)
            ovio__obj_unref(&r->event->obj);
        goto fail;
    }
    if (r->kind == OVIO__OP_ACCEPT) {
        struct ovio__sock *acc = ovio__sock_get(r->accept_fd, false, &err);
        acc->accept_req = r;
        acc->inflight++;
    }
    /* SPEC B2: pending from here on, before the call returns; InternalHigh stays as it was. */
    __atomic_store_n(&is->ov->status, OVIO_STATUS_PENDING, __ATOMIC_RELEASE);
    s->signal = false;
    ovio__list_push_back(&t->reqs, &r->tnode);
    struct ovio__list *q = queue_of(s, r);
    ovio__list_push_back(q, &r->qnode);

    struct sync_out out = {0};
    ssize_t ret = -EINPROGRESS;
    if (s->sync_io) {
        r->state = OVIO__REQ_STARTED;
        s->inflight++;
        ovio__unlock();
        int res = run_blocking(r, s->fd);
        ovio__lock();
        s->inflight--;
        r->state = OVIO__REQ_QUEUED;
        issuing = r;
        issuing_out = &out;
        issuing_first_attempt = true;
        size_t bytes = r->kind == OVIO__OP_SEND ? r->bytes : res > 0 ? (size_t)res : 0;
        int err = res < 0 ? -res
                  : r->kind == OVIO__OP_RECV && (r->msg.msg_flags & MSG_TRUNC) ? EMSGSIZE
                                                                               : 0;
        complete(r, err, bytes, true);
        issuing_first_attempt = false;
    } else if (q->next == &r->qnode) {
        /* Head of its queue: attempt now (complete() tells an immediate failure apart). */
        /* After the end of the stream a receive completes at once with 0 bytes (SPEC E4);
         * io_uring would otherwise report even that one later. */
        int res = s->eof && r->kind == OVIO__OP_RECV ? 0 : ovio__engine->start(r);
        issuing = r;
        issuing_out = &out;
        issuing_first_attempt = true;
        if (advance(r, res))
            complete(r, r->err, r->bytes, true);
        issuing_first_attempt = false;
    }
    issuing = NULL;
    issuing_out = NULL;
    /* Only receives: ConnectEx and DisconnectEx pend even when the kernel is quick (SPEC I10,
     * I11). */
    bool look_again = !out.done && !s->sync_io && t->batch_depth == 0 &&
                      ovio__engine->finishes_in_flush &&
                      (r->kind == OVIO__OP_RECV || r->kind == OVIO__OP_POLL_IN);
    ovio__unlock();
    ovio__flush_if_outside_batch();
    if (look_again) {
        /* The kernel tries a submitted receive at once: if it found data (or the end of the
         * stream, SPEC E4) the result is already there, and the call can say so. */
        issuing = r; /* compared only; r may be gone, but not reused by this thread meanwhile */
        issuing_out = &out;
        ovio__make_progress();
        issuing = NULL;
        issuing_out = NULL;
    }
    if (out.done) {
        /* An error after some bytes moved was notified: to the caller it is pending. */
        bool truncated = out.err == EMSGSIZE && out.notified && out.bytes;
        ret = out.err && out.notified && !truncated ? -EINPROGRESS
              : out.err                             ? -(ssize_t)out.err
                                                    : (ssize_t)out.bytes;
        if (is->done_bytes)
            *is->done_bytes = out.bytes;
    }
    /* An operation that completed inside this call with an error still notified; report it as
     * the call's error too, as Windows does for a synchronous failure after issue. */
    return ret;

fail:
    if (r->origin)
        ovio__obj_unref(&r->origin->obj);
    ovio__unlock();
    req_free(r);
    return err;
}

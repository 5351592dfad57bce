/*
 * Operations: issue, progress and completion delivery (SPEC A, B, E1-E5).
 *
 * Each socket keeps one FIFO per direction and only the head is ever handed to the engine, because
 * the kernel does not keep several in-flight receives (or sends) on one socket in order.  A send is
 * re-attempted from where it stopped until every byte is taken, so short writes never surface.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/core.h"
#include "engine/engine.h"

OVIO__HIDDEN void ovio__sock_final_close(struct ovio__sock *s);

/* Where the issuing call learns that its own operation finished inside the call. */
struct sync_out {
    bool done;
    int err;
    size_t bytes;
};
static __thread struct ovio__req *issuing;
static __thread struct sync_out *issuing_out;

static struct ovio__list *queue_of(struct ovio__sock *s, const struct ovio__req *r)
{
    return r->kind == OVIO__OP_SEND ? &s->sendq : &s->recvq;
}

static void req_free(struct ovio__req *r)
{
    if (r->iov != r->iov_inline)
        free(r->iov);
    free(r);
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

/* The status an operation ends with when it was cancelled: closing a stream socket aborts the
 * connection's operations (WSAECONNABORTED); everything else reports cancellation (SPEC E6, E7). */
static int cancelled_status(const struct ovio__req *r)
{
    if (r->silent) /* WSACleanup: WSA_OPERATION_ABORTED for everything (SPEC E10) */
        return ECANCELED;
    return r->sock->closing && r->sock->stream ? ECONNABORTED : ECANCELED;
}

/* Final delivery, in this order: result into the overlapped record, the socket's and the event's
 * signal, then routine or port packet (SPEC A4, B3, B5).  Lock held; r leaves every list. */
static void complete(struct ovio__req *r, int err, size_t bytes, bool at_issue)
{
    struct ovio__sock *s = r->sock;
    ovio__list_remove(&r->qnode);
    ovio__list_remove(&r->tnode);
    ovio__ovmap_remove(r->ov);

    if (s->stream && (err == ECONNRESET || (err == EPIPE && !s->shut_wr))) {
        err = ECONNRESET;
        s->sticky_err = ECONNRESET; /* later operations fail at once (SPEC E5) */
    } else if (err == EPIPE && s->shut_wr) {
        err = ESHUTDOWN;
    }
    r->err = err;
    r->bytes = bytes;
    if (r == issuing && issuing_out) {
        issuing_out->done = true;
        issuing_out->err = err;
        issuing_out->bytes = bytes;
    }
    r->api->store(r, err, bytes);

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

/* Feeds one attempt's result into r.  Returns true when r is finished (r->err/r->bytes hold the
 * outcome), false when the engine holds it. */
static bool advance(struct ovio__req *r, int res)
{
    for (;;) {
        if (res == OVIO__PENDING) {
            r->state = OVIO__REQ_STARTED;
            r->sock->inflight++;
            return false;
        }
        if (res == -ECANCELED && r->cancel_requested) {
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
            r->bytes = (size_t)res;
            r->err = (r->msg.msg_flags & MSG_TRUNC) ? EMSGSIZE : 0;
            return true;
        case OVIO__OP_POLL_IN:
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
    r->state = OVIO__REQ_QUEUED;
    struct ovio__list *q = queue_of(s, r);
    if (advance(r, res)) {
        complete(r, r->err, r->bytes, false);
        start_queue(s, q);
    }
    if (s->closing && s->inflight == 0)
        ovio__sock_final_close(s);
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
static int precheck(struct ovio__sock *s, enum ovio__op_kind kind)
{
    bool send = kind == OVIO__OP_SEND;
    if (send ? s->shut_wr : s->shut_rd)
        return -ESHUTDOWN;
    if (s->sticky_err)
        return -s->sticky_err;
    if (s->stream && !s->connected) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof ss;
        if (getpeername(s->fd, (struct sockaddr *)&ss, &len) < 0)
            return errno == ENOTCONN ? -ENOTCONN : -errno;
        s->connected = true;
    }
    return 0;
}

static struct ovio__req *req_new(const struct ovio__issue *is, size_t *total)
{
    struct ovio__req *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    ovio__list_init(&r->qnode);
    ovio__list_init(&r->tnode);
    if (is->iovcnt <= 2) {
        r->iov = r->iov_inline;
    } else if (!(r->iov = malloc((size_t)is->iovcnt * sizeof *r->iov))) {
        free(r);
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
    if (is->iovcnt <= 0 || is->iovcnt > IOV_MAX)
        return -EINVAL; /* SPEC A9 */
    if (!is->iov)
        return -EFAULT;
    struct ovio__thread *t = ovio__self();
    if (!t)
        return -ENOMEM;

    size_t total;
    struct ovio__req *r = req_new(is, &total);
    if (!r)
        return -ENOBUFS;
    r->kind = (uint8_t)(is->kind == OVIO__OP_RECV && total == 0 ? OVIO__OP_POLL_IN : is->kind);
    r->total = total;
    r->ov = is->ov;
    r->api = is->api;
    r->routine = is->routine;
    r->user = is->user;
    r->thread = t;
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
        r->msg.msg_name = &r->addr;
        r->msg.msg_namelen = (socklen_t)is->to_len;
    } else if (is->from) {
        r->msg.msg_name = &r->addr;
        r->msg.msg_namelen = sizeof r->addr;
    }

    ovio__lock();
    int err = 0;
    struct ovio__sock *s = ovio__sock_get(is->fd, true, &err);
    if (!s)
        goto fail;
    r->sock = s;
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
        size_t bytes = r->kind == OVIO__OP_SEND ? r->bytes : res > 0 ? (size_t)res : 0;
        int err = res < 0 ? -res
                  : r->kind == OVIO__OP_RECV && (r->msg.msg_flags & MSG_TRUNC) ? EMSGSIZE
                                                                               : 0;
        complete(r, err, bytes, true);
    } else if (q->next == &r->qnode) {
        /* Head of its queue: attempt now.  A first attempt that fails outright is an immediate
         * failure: nothing is notified (SPEC A3). */
        int res = ovio__engine->start(r);
        if (res < 0 && res != -EAGAIN && res != -EINTR) {
            ovio__list_remove(&r->qnode);
            ovio__list_remove(&r->tnode);
            ovio__ovmap_remove(r->ov);
            if (r->event)
                ovio__obj_unref(&r->event->obj);
            if (res == -ECONNRESET || (res == -EPIPE && s->stream && !s->shut_wr)) {
                s->sticky_err = ECONNRESET;
                res = -ECONNRESET;
            }
            ovio__unlock();
            req_free(r);
            return res;
        }
        issuing = r;
        issuing_out = &out;
        if (advance(r, res))
            complete(r, r->err, r->bytes, true);
    }
    issuing = NULL;
    issuing_out = NULL;
    if (out.done) {
        ret = out.err ? -(ssize_t)out.err : (ssize_t)out.bytes;
        if (is->done_bytes)
            *is->done_bytes = out.bytes;
    }
    ovio__unlock();
    ovio__flush_if_outside_batch();
    /* An operation that completed inside this call with an error still notified; report it as
     * the call's error too, as Windows does for a synchronous failure after issue. */
    return ret;

fail:
    ovio__unlock();
    req_free(r);
    return err;
}

/*
 * Network event selection (SPEC J1, the book's chapter 21): WSAEventSelect records FD_READ,
 * FD_WRITE, FD_OOB, FD_ACCEPT, FD_CONNECT and FD_CLOSE for a socket and sets an event;
 * WSAEnumNetworkEvents takes them.  As on Windows an event is recorded once and again only after
 * the call that consumes its cause (re-enabling), and FD_CLOSE and FD_CONNECT only once.
 *
 * Readiness is read with a non-blocking poll() whenever the selection or re-enabling may have
 * changed what is due, and otherwise comes from the engine: epoll reports every edge, io_uring
 * arms a one-shot poll for exactly the events that are armed, so a level condition whose event
 * is not armed (unread data after FD_READ) never makes it fire again and again.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>

#include "core/core.h"
#include "engine/engine.h"

enum { BIT_READ, BIT_WRITE, BIT_OOB, BIT_ACCEPT, BIT_CONNECT, BIT_CLOSE };

static void record(struct ovio__sock *s, int bit, int err, uint32_t *fired)
{
    uint32_t ev = 1u << bit;
    if (!(s->sel_mask & s->sel_armed & ev))
        return;
    s->sel_armed &= ~ev;
    s->sel_recorded |= ev;
    s->sel_errors[bit] = err;
    *fired |= ev;
}

/* Poll events the armed network events wait for. */
static uint32_t wanted(const struct ovio__sock *s)
{
    uint32_t armed = s->sel_mask & s->sel_armed, events = 0;
    if (armed & (OVIO_NET_READ | OVIO_NET_ACCEPT))
        events |= POLLIN;
    if (armed & OVIO_NET_CLOSE)
        events |= POLLRDHUP;
    if (armed & (OVIO_NET_WRITE | OVIO_NET_CONNECT))
        events |= POLLOUT;
    if (armed & OVIO_NET_OOB)
        events |= POLLPRI;
    return events;
}

/* Turns readiness into recorded network events; sets the event if any was recorded. */
void ovio__sock_ready(struct ovio__sock *s, uint32_t revents)
{
    if (!s->sel_mask || s->fd < 0)
        return;
    uint32_t fired = 0;
    if (s->sel_listening) {
        if (revents & POLLIN)
            record(s, BIT_ACCEPT, 0, &fired);
    } else {
        /* The peek comes first: it and SO_ERROR both consume a pending error. */
        int soerr = 0;
        if (revents & (POLLIN | POLLRDHUP | POLLHUP | POLLERR)) {
            /* Data, the end of the stream, or an error: a peek tells which. */
            char c;
            ssize_t n = recv(s->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
            if (n > 0)
                record(s, BIT_READ, 0, &fired);
            else if (n == 0 && s->stream)
                record(s, BIT_CLOSE, 0, &fired);
            else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
                soerr = errno;
        }
        if (!soerr && (revents & POLLERR)) {
            socklen_t len = sizeof soerr;
            getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
        }
        if (soerr == ECONNRESET && s->stream)
            s->sticky_err = ECONNRESET; /* the error is consumed now: keep it (SPEC E5) */
        if (revents & POLLPRI)
            record(s, BIT_OOB, 0, &fired);
        if (revents & (POLLOUT | POLLERR)) {
            /* The first writability of a connecting socket is its connection (or failure). */
            if (s->sel_armed & s->sel_mask & OVIO_NET_CONNECT)
                record(s, BIT_CONNECT, soerr, &fired);
            if (!soerr && (revents & POLLOUT))
                record(s, BIT_WRITE, 0, &fired);
        }
        if (soerr && !(fired & OVIO_NET_CONNECT))
            record(s, BIT_CLOSE, soerr, &fired);
    }
    if (fired && s->sel_event)
        ovio__event_signal(s->sel_event);
}

/* Looks at the socket now, then leaves the rest to the engine.  Lock held. */
static void evaluate(struct ovio__sock *s)
{
    struct pollfd p = {.fd = s->fd, .events = POLLIN | POLLOUT | POLLPRI | POLLRDHUP};
    if (poll(&p, 1, 0) == 1)
        ovio__sock_ready(s, (uint32_t)p.revents);
    uint32_t events = wanted(s);
    if (events && !s->sel_watching && ovio__engine->watch(s, events)) {
        s->sel_watching = true;
        s->inflight++;
        ovio__engine_inflight++;
    }
}

/* An engine's one-shot watch came back (res: poll events, or -errno).  Lock held. */
OVIO__HIDDEN void ovio__sock_watch_done(struct ovio__sock *s, int res)
{
    s->sel_watching = false;
    s->inflight--;
    ovio__engine_inflight--;
    if (s->closing) {
        if (s->inflight == 0)
            ovio__sock_final_close(s);
        return;
    }
    if (res > 0)
        ovio__sock_ready(s, (uint32_t)res);
    if (s->sel_mask)
        evaluate(s);
}

void ovio__evselect_end(struct ovio__sock *s)
{
    s->sel_mask = 0;
    if (s->sel_event) {
        ovio__obj_unref(&s->sel_event->obj);
        s->sel_event = NULL;
    }
    if (s->sel_watching)
        ovio__engine->watch(s, 0); /* cancel: its completion drops the count */
}

int ovio_event_select(int fd, ovio_handle event, uint32_t mask)
{
    if (!ovio__engine) {
        int err = ovio__engine_start();
        if (err)
            return err;
    }
    ovio__lock();
    int err = 0;
    struct ovio__sock *s = ovio__sock_get(fd, true, &err);
    struct ovio__object *o = NULL;
    if (s && mask && !(o = ovio__handle_get(event, OVIO__OBJ_EVENT)))
        err = -EBADF;
    if (s && !err && !s->attached && !(err = ovio__engine->sock_attach(s)))
        s->attached = true;
    if (!s || err) {
        if (o)
            ovio__obj_unref(o);
        ovio__unlock();
        return err;
    }
    ovio__evselect_end(s);
    if (mask) {
        int on = 0;
        socklen_t len = sizeof on;
        s->sel_listening =
            getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) == 0 && on;
        s->sel_event = OVIO__CONTAINER_OF(o, struct ovio__event, obj);
        s->sel_mask = mask & 0x3f;
        /* A new selection records what is already true, as Windows does. */
        s->sel_armed = 0x3f;
        s->sel_recorded = 0;
        /* FD_CONNECT is for a connection still being made. */
        struct sockaddr_storage ss;
        socklen_t slen = sizeof ss;
        if (getpeername(fd, (struct sockaddr *)&ss, &slen) == 0 || s->sel_listening)
            s->sel_armed &= ~(uint32_t)OVIO_NET_CONNECT;
        evaluate(s);
    }
    ovio__unlock();
    return 0;
}

int ovio_enum_network_events(int fd, ovio_handle event, uint32_t *events,
                             int errors[OVIO_NET_EVENTS])
{
    ovio__lock();
    int err = 0;
    struct ovio__sock *s = ovio__sock_get(fd, false, &err);
    if (!s) { /* never used with ovio: nothing selected, nothing recorded */
        ovio__unlock();
        *events = 0;
        for (int i = 0; i < OVIO_NET_EVENTS; i++)
            errors[i] = 0;
        return err == -ENOTSOCK ? 0 : err;
    }
    if (event) {
        struct ovio__object *o = ovio__handle_get(event, OVIO__OBJ_EVENT);
        if (!o) {
            ovio__unlock();
            return -EBADF;
        }
        OVIO__CONTAINER_OF(o, struct ovio__event, obj)->signalled = false;
        ovio__obj_unref(o);
    }
    *events = s->sel_recorded;
    for (int i = 0; i < OVIO_NET_EVENTS; i++)
        errors[i] = (s->sel_recorded & (1u << i)) ? s->sel_errors[i] : 0;
    s->sel_recorded = 0;
    ovio__unlock();
    return 0;
}

void ovio_net_reenable(int fd, uint32_t events)
{
    ovio__lock();
    int err;
    struct ovio__sock *s = ovio__sock_get(fd, false, &err);
    /* FD_CONNECT and FD_CLOSE happen once; everything else comes back. */
    events &= ~(uint32_t)(OVIO_NET_CONNECT | OVIO_NET_CLOSE);
    if (s && s->sel_mask && (events & ~s->sel_armed)) {
        s->sel_armed |= events;
        evaluate(s);
    }
    ovio__unlock();
}

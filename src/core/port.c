/*
 * Completion ports (SPEC I1-I8): a FIFO of packets that operations on bound sockets post to, and
 * threads that take them, woken last-in first-out, at most `concurrency` of them running packets at
 * once.  A thread counts as running a port's packet from the moment it takes one until it asks the
 * port again or blocks in any ovio wait (SPEC I5).
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/core.h"
#include "engine/engine.h"

struct ovio__port {
    struct ovio__object obj; /* obj.waiters: threads in ovio_port_get, newest first */
    unsigned concurrency;
    unsigned running;
    unsigned npackets;
    unsigned waking;        /* threads woken for a packet that have not looked yet */
    bool closed;
    struct ovio__list packets;
};

void ovio__port_destroy(struct ovio__object *o)
{
    struct ovio__port *p = OVIO__CONTAINER_OF(o, struct ovio__port, obj);
    struct ovio__list *n;
    while ((n = ovio__list_first(&p->packets))) {
        ovio__list_remove(n);
        struct ovio__packet *pk = OVIO__CONTAINER_OF(n, struct ovio__packet, node);
        pk->release(pk);
    }
    free(p);
}

/* Wakes one waiter, newest first, for every packet that nobody was woken for yet and that may
 * run now (SPEC I3, I5).  A woken thread counts in `waking` until it has looked, so two packets
 * posted back to back wake two threads, not the same one twice.  Lock held. */
static void wake_one(struct ovio__port *p)
{
    struct ovio__list *n = p->obj.waiters.next;
    while (p->npackets > p->waking && p->running + p->waking < p->concurrency) {
        while (n != &p->obj.waiters && OVIO__CONTAINER_OF(n, struct ovio__wait_block, node)->woken)
            n = n->next;
        if (n == &p->obj.waiters)
            return;
        struct ovio__wait_block *wb = OVIO__CONTAINER_OF(n, struct ovio__wait_block, node);
        wb->woken = true;
        p->waking++;
        ovio__thread_wake(wb->thread);
    }
}

static void woke(struct ovio__port *p)
{
    p->waking--;
}

/* Queues pk (FIFO) or, when the port is closed, releases it.  Lock held. */
static void post(struct ovio__port *p, struct ovio__packet *pk)
{
    if (p->closed) {
        pk->release(pk);
        return;
    }
    ovio__list_push_back(&p->packets, &pk->node);
    p->npackets++;
    wake_one(p);
}

static void release_posted(struct ovio__packet *pk)
{
    free(pk);
}

void ovio__port_deliver(struct ovio__sock *s, struct ovio__req *r, bool sync_success)
{
    (void)sync_success;
    r->packet.e = (ovio_port_entry){
        .key = s->port_key, .ov = r->ov, .err = r->err, .bytes = r->bytes};
    post(s->port, &r->packet);
}

/* Thread t stops counting as running its port's packet (it asks again or blocks).  Lock held. */
void ovio__port_thread_idle(struct ovio__thread *t)
{
    struct ovio__port *p = t->port;
    if (!p || !t->port_running)
        return;
    t->port_running = false;
    p->running--;
    wake_one(p);
}

void ovio__port_thread_busy(struct ovio__thread *t)
{
    if (t->port && !t->port_running && !t->port->closed) {
        t->port_running = true;
        t->port->running++;
    }
}

void ovio__port_thread_ended(struct ovio__thread *t)
{
    ovio__port_thread_idle(t);
    if (t->port)
        ovio__obj_unref(&t->port->obj);
    t->port = NULL;
}

/* ---- public ------------------------------------------------------------------------------------ */

ovio_handle ovio_port_create(unsigned concurrency)
{
    struct ovio__port *p = calloc(1, sizeof *p);
    if (!p) {
        errno = ENOMEM;
        return 0;
    }
    ovio__obj_init(&p->obj, OVIO__OBJ_PORT);
    if (concurrency == 0) { /* SPEC I1: as many as there are processors */
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        concurrency = n > 0 ? (unsigned)n : 1;
    }
    p->concurrency = concurrency;
    ovio__list_init(&p->packets);
    ovio__lock();
    ovio_handle h = ovio__handle_new(&p->obj);
    ovio__obj_unref(&p->obj);
    ovio__unlock();
    return h;
}

static struct ovio__port *get_port(ovio_handle h)
{
    struct ovio__object *o = ovio__handle_get(h, OVIO__OBJ_PORT);
    return o ? OVIO__CONTAINER_OF(o, struct ovio__port, obj) : NULL;
}

int ovio_port_bind(ovio_handle port, int fd, uintptr_t key)
{
    if (!ovio__engine) {
        int err = ovio__engine_start();
        if (err)
            return err;
    }
    ovio__lock();
    struct ovio__port *p = get_port(port);
    int err = p ? 0 : -EBADF;
    struct ovio__sock *s = p ? ovio__sock_get(fd, true, &err) : NULL;
    if (s && s->port)
        err = -EINVAL; /* SPEC I1: one port per handle, until it is closed */
    if (s && !err) {
        /* Operations already pending will post here when they end (SPEC I1). */
        s->port = p;
        s->port_key = key;
        ovio__obj_ref(&p->obj);
    }
    if (p)
        ovio__obj_unref(&p->obj);
    ovio__unlock();
    return err;
}

int ovio_port_post(ovio_handle port, const ovio_port_entry *entry)
{
    struct ovio__packet *pk = malloc(sizeof *pk);
    if (!pk)
        return -ENOMEM;
    pk->e = *entry;
    pk->release = release_posted;
    ovio__lock();
    struct ovio__port *p = get_port(port);
    int err = 0;
    if (!p || p->closed) {
        err = -EBADF;
        free(pk);
    } else {
        post(p, pk);
    }
    if (p)
        ovio__obj_unref(&p->obj);
    ovio__unlock();
    return err;
}

int ovio_fd_skip_notifications(int fd, unsigned flags)
{
    ovio__lock();
    int err = 0;
    struct ovio__sock *s = ovio__sock_get(fd, true, &err);
    if (s) { /* SPEC I8: modes can be added, never cleared */
        s->skip_port_on_success |= (flags & OVIO_SKIP_PORT_ON_SUCCESS) != 0;
        s->skip_event_on_handle |= (flags & OVIO_SKIP_SET_EVENT_ON_HANDLE) != 0;
    }
    ovio__unlock();
    return s ? 0 : err;
}

/* Takes up to n packets if this thread may run now.  Lock held. */
static int take(struct ovio__port *p, struct ovio__thread *t, ovio_port_entry *out, unsigned n)
{
    /* Packets a woken thread is on its way to are its own (Windows hands a packet straight to
     * the waiter it wakes): a thread that happens by takes only the rest. */
    if (p->npackets <= p->waking || p->running >= p->concurrency)
        return 0;
    if (n > p->npackets - p->waking)
        n = p->npackets - p->waking;
    unsigned got = 0;
    struct ovio__list *node;
    while (got < n && (node = ovio__list_first(&p->packets))) {
        ovio__list_remove(node);
        p->npackets--;
        struct ovio__packet *pk = OVIO__CONTAINER_OF(node, struct ovio__packet, node);
        out[got++] = pk->e;
        pk->release(pk);
    }
    if (t->port != p) {
        if (t->port)
            ovio__port_thread_ended(t);
        t->port = p;
        ovio__obj_ref(&p->obj);
    }
    ovio__port_thread_busy(t);
    return (int)got;
}

static bool is_closed(struct ovio__port *p)
{
    return p->closed;
}

static const struct ovio__port_waiter waiter = {take, is_closed, woke};

int ovio_port_get(ovio_handle port, ovio_port_entry *entries, unsigned n, int timeout_ms,
                  bool alertable)
{
    if (!entries || n == 0)
        return -EINVAL;
    struct ovio__thread *t = ovio__self();
    if (!t)
        return -ENOMEM;
    ovio__lock();
    struct ovio__port *p = get_port(port);
    ovio__unlock();
    if (!p)
        return -EBADF;
    int r = ovio__port_wait(p, &p->obj, t, entries, n, timeout_ms, alertable, &waiter);
    ovio__lock();
    ovio__obj_unref(&p->obj);
    ovio__unlock();
    return r;
}

/* The port's handle is being closed: its waiters give up (SPEC I2, ERROR_ABANDONED_WAIT_0). */
void ovio__port_close(struct ovio__object *o)
{
    struct ovio__port *p = OVIO__CONTAINER_OF(o, struct ovio__port, obj);
    p->closed = true;
    ovio__obj_wake_waiters(&p->obj);
}

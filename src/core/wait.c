/*
 * Waiting (SPEC D2, D3, F2-F5).
 *
 * Progress model: completions reach the process only when some thread asks the engine for them.
 * Any thread that has to block becomes the "poller" if nobody is: it blocks inside the engine and
 * delivers what arrives (sets events, queues routines, posts packets), then re-checks its own wait.
 * Other blocked threads sleep on their own futex and are woken by whoever signals what they wait
 * for.  When the poller stops waiting it hands the role to a sleeping thread, so a completion always
 * reaches a waiting thread without any non-waiting thread's help (F4), and a single-threaded
 * program reaps its own completions without a thread hop.
 */
#include <errno.h>

#include "core/core.h"
#include "engine/engine.h"

OVIO__HIDDEN struct ovio__thread *ovio__poller;
static struct ovio__list followers = {&followers, &followers};

/* For the progress thread (below): requests the engine holds, program threads inside an ovio
 * wait (they poll, or will once their routines are done), and since when nobody polls. */
OVIO__HIDDEN unsigned ovio__engine_inflight;
static unsigned program_waiters;
static int64_t role_free_since;
static struct ovio__thread *progress;

OVIO__HIDDEN void ovio__thread_sleep(struct ovio__thread *t, unsigned seen, int timeout_ms);
OVIO__HIDDEN bool ovio__sock_signalled(struct ovio__object *o);

#define wait_block ovio__wait_block

void ovio__obj_wake_waiters(struct ovio__object *o)
{
    struct ovio__list *n;
    for (n = o->waiters.next; n != &o->waiters; n = n->next)
        ovio__thread_wake(OVIO__CONTAINER_OF(n, struct wait_block, node)->thread);
}

static bool signalled(struct ovio__object *o)
{
    switch (o->type) {
    case OVIO__OBJ_EVENT:
        return OVIO__CONTAINER_OF(o, struct ovio__event, obj)->signalled;
    case OVIO__OBJ_THREAD:
        return OVIO__CONTAINER_OF(o, struct ovio__thread, obj)->ended;
    case OVIO__OBJ_SOCK:
        return ovio__sock_signalled(o);
    default:
        return false;
    }
}

/* Satisfying a wait consumes an auto-reset event; nothing else changes state. */
static void consume(struct ovio__object *o)
{
    if (o->type == OVIO__OBJ_EVENT) {
        struct ovio__event *ev = OVIO__CONTAINER_OF(o, struct ovio__event, obj);
        if (!ev->manual_reset)
            ev->signalled = false;
    }
}

/* Index satisfied, or -1.  A wait for all checks everything before consuming anything (F3). */
static int check(struct ovio__object **objs, unsigned n, bool all)
{
    if (all) {
        for (unsigned i = 0; i < n; i++)
            if (!signalled(objs[i]))
                return -1;
        for (unsigned i = 0; i < n; i++)
            consume(objs[i]);
        return 0;
    }
    for (unsigned i = 0; i < n; i++) {
        if (signalled(objs[i])) {
            consume(objs[i]);
            return (int)i;
        }
    }
    return -1;
}

/* Runs the APCs queued to t, in FIFO order (SPEC D3).  Those queued while they run (a routine's
 * new operation that completed at once) wait for the next alertable wait: otherwise one busy
 * connection could keep the thread in this loop for ever, and the program (the book's server
 * accepting new clients between waits) would never get control back.  Lock held on entry and
 * exit, dropped around each routine. */
static void run_apcs(struct ovio__thread *t)
{
    struct ovio__list batch;
    ovio__list_init(&batch);
    if (!ovio__list_empty(&t->apcs)) { /* move the whole queue over */
        batch.next = t->apcs.next;
        batch.prev = t->apcs.prev;
        batch.next->prev = &batch;
        batch.prev->next = &batch;
        ovio__list_init(&t->apcs);
    }
    t->batch_depth++;
    struct ovio__list *n;
    while ((n = ovio__list_first(&batch))) {
        ovio__list_remove(n);
        ovio__unlock();
        struct ovio__apc *apc = OVIO__CONTAINER_OF(n, struct ovio__apc, node);
        apc->run(apc);
        ovio__lock();
    }
    t->batch_depth--;
}

static void hand_off_poller(void)
{
    if (!ovio__poller && !ovio__list_empty(&followers))
        ovio__thread_wake(OVIO__CONTAINER_OF(followers.next, struct ovio__thread, follower_node));
}

void ovio__flush_if_outside_batch(void)
{
    struct ovio__thread *t = ovio__self();
    if (ovio__engine && (!t || t->batch_depth == 0))
        ovio__engine->flush();
}

/* Blocks once, as poller or follower; returns with the lock held. */
static void block_as(struct ovio__thread *t, int timeout_ms);

/* A thread that runs a port's packet stops counting as running while it blocks (SPEC I5). */
static void block(struct ovio__thread *t, int timeout_ms)
{
    bool was_running = t->port_running;
    if (was_running)
        ovio__port_thread_idle(t);
    block_as(t, timeout_ms);
    if (was_running)
        ovio__port_thread_busy(t);
}

static void block_as(struct ovio__thread *t, int timeout_ms)
{
    if (ovio__poller && ovio__poller == progress && t != progress)
        ovio__engine->wake(); /* a program thread is here to poll: the progress thread yields */
    if (!ovio__poller && ovio__engine) {
        ovio__poller = t;
        t->batch_depth++;
        ovio__unlock();
        ovio__engine->wait(timeout_ms);
        ovio__lock();
        t->batch_depth--;
        ovio__poller = NULL;
        role_free_since = ovio__now_ms();
        return;
    }
    unsigned seen = atomic_load(&t->futex);
    t->waiting = true;
    ovio__list_push_front(&followers, &t->follower_node);
    ovio__unlock();
    /* Work this thread deferred (say, in a routine that now waits) must reach the kernel before
     * it sleeps: the poller may be blocked and not flush until something completes. */
    if (ovio__engine)
        ovio__engine->flush();
    ovio__thread_sleep(t, seen, timeout_ms);
    ovio__lock();
    t->waiting = false;
    ovio__list_remove(&t->follower_node);
}

int ovio__wait_objects(struct ovio__object **objs, unsigned n, bool all, int timeout_ms,
                       bool alertable)
{
    struct ovio__thread *t = ovio__self();
    if (!t)
        return -ENOMEM;
    int64_t deadline = timeout_ms < 0 ? -1 : ovio__now_ms() + timeout_ms;
    struct wait_block wb[OVIO_WAIT_MAX];
    bool linked = false, polled = false;
    int result;

    ovio__lock();
    program_waiters++;
    for (;;) {
        if (alertable && !ovio__list_empty(&t->apcs)) {
            result = OVIO_WAIT_IO_COMPLETION;
            break;
        }
        result = check(objs, n, all);
        if (result >= 0)
            break;
        int remaining = -1;
        if (deadline >= 0) {
            int64_t left = deadline - ovio__now_ms();
            if (left <= 0) {
                /* Out of time: still give the engine one non-blocking look, so that a zero
                 * timeout sees completions that have already happened. */
                if (!polled && ovio__engine && !ovio__poller) {
                    polled = true;
                    block(t, 0);
                    continue;
                }
                result = OVIO_WAIT_TIMEOUT;
                break;
            }
            remaining = (int)left;
        }
        if (!linked) {
            linked = true;
            for (unsigned i = 0; i < n; i++) {
                wb[i].thread = t;
                ovio__list_push_back(&objs[i]->waiters, &wb[i].node);
            }
        }
        t->alertable_wait = alertable;
        polled = true;
        block(t, remaining);
        t->alertable_wait = false;
    }
    if (linked)
        for (unsigned i = 0; i < n; i++)
            ovio__list_remove(&wb[i].node);
    hand_off_poller();
    if (result == OVIO_WAIT_IO_COMPLETION)
        run_apcs(t);
    program_waiters--;
    ovio__unlock();
    /* Work the routines started is not submitted here: the next wait submits it together with
     * its own wait, in one system call, and the progress thread does if none comes. */
    return result;
}

void ovio__make_progress(void)
{
    if (!ovio__engine)
        return;
    struct ovio__thread *t = ovio__self();
    if (!t)
        return;
    ovio__lock();
    if (!ovio__poller)
        block(t, 0);
    hand_off_poller();
    ovio__unlock();
    /* Work the routines started is not submitted here: the next wait submits it together with
     * its own wait, in one system call, and the progress thread does if none comes. */
}

int ovio__await(const void *ov, const uintptr_t *status, bool wait)
{
    if (__atomic_load_n(status, __ATOMIC_ACQUIRE) != OVIO_STATUS_PENDING)
        return 0;
    if (!wait) {
        ovio__make_progress();
        return __atomic_load_n(status, __ATOMIC_ACQUIRE) == OVIO_STATUS_PENDING ? -EINPROGRESS : 0;
    }
    struct ovio__thread *t = ovio__self();
    if (!t)
        return -ENOMEM;
    int rc = 0;
    ovio__lock();
    program_waiters++;
    /* Every completion on a socket wakes the socket's waiters, after the result is stored, so
     * waiting there and re-reading the status cannot miss it (SPEC B5, C5: not alertable). */
    while (__atomic_load_n(status, __ATOMIC_ACQUIRE) == OVIO_STATUS_PENDING) {
        struct ovio__req *r = ovio__ovmap_find(ov);
        if (!r) {
            rc = -EINVAL; /* marked pending, but no operation of ours uses it */
            break;
        }
        struct ovio__object *o = &r->sock->obj;
        ovio__obj_ref(o);
        struct wait_block wb = {.thread = t};
        ovio__list_push_back(&o->waiters, &wb.node);
        block(t, -1);
        ovio__list_remove(&wb.node);
        ovio__obj_unref(o);
    }
    hand_off_poller();
    program_waiters--;
    ovio__unlock();
    /* Work the routines started is not submitted here: the next wait submits it together with
     * its own wait, in one system call, and the progress thread does if none comes. */
    return rc;
}

int ovio__port_wait(struct ovio__port *p, struct ovio__object *port_obj, struct ovio__thread *t,
                    ovio_port_entry *out, unsigned n, int timeout_ms, bool alertable,
                    const struct ovio__port_waiter *w)
{
    int64_t deadline = timeout_ms < 0 ? -1 : ovio__now_ms() + timeout_ms;
    struct wait_block wb = {.thread = t};
    bool linked = false, polled = false;
    int result;
    ovio__lock();
    program_waiters++;
    ovio__port_thread_idle(t); /* asking again: the previous packet is done */
    for (;;) {
        if (w->closed(p)) {
            result = -ECANCELED;
            break;
        }
        if ((result = w->take(p, t, out, n)) > 0)
            break;
        if (alertable && !ovio__list_empty(&t->apcs)) {
            result = -EINTR;
            break;
        }
        int remaining = -1;
        if (deadline >= 0) {
            int64_t left = deadline - ovio__now_ms();
            if (left <= 0) {
                if (!polled && ovio__engine && !ovio__poller) {
                    polled = true;
                    block(t, 0);
                    continue;
                }
                result = -ETIMEDOUT;
                break;
            }
            remaining = (int)left;
        }
        if (!linked) {
            linked = true; /* newest first: SPEC I3, waiting threads wake LIFO */
            ovio__list_push_front(&port_obj->waiters, &wb.node);
        }
        t->alertable_wait = alertable;
        polled = true;
        block(t, remaining);
        t->alertable_wait = false;
        if (wb.woken) {
            wb.woken = false;
            w->woke(p);
        }
    }
    if (linked)
        ovio__list_remove(&wb.node);
    if (wb.woken)
        w->woke(p);
    hand_off_poller();
    if (result == -EINTR)
        run_apcs(t);
    program_waiters--;
    ovio__unlock();
    /* Work the routines started is not submitted here: the next wait submits it together with
     * its own wait, in one system call, and the progress thread does if none comes. */
    return result;
}

/* ---- public ------------------------------------------------------------------------------------ */

int ovio_wait(const ovio_handle *handles, unsigned n, bool all, int timeout_ms, bool alertable)
{
    if (n == 0 || n > OVIO_WAIT_MAX || !handles)
        return -EINVAL;
    struct ovio__object *objs[OVIO_WAIT_MAX];
    ovio__lock();
    for (unsigned i = 0; i < n; i++) {
        objs[i] = ovio__handle_get(handles[i], 0);
        if (!objs[i] || objs[i]->type == OVIO__OBJ_PORT) { /* ports are waited with their own call */
            if (objs[i])
                ovio__obj_unref(objs[i]);
            while (i--)
                ovio__obj_unref(objs[i]);
            ovio__unlock();
            return -EBADF;
        }
    }
    ovio__unlock();
    int r = ovio__wait_objects(objs, n, all, timeout_ms, alertable);
    ovio__lock();
    for (unsigned i = 0; i < n; i++)
        ovio__obj_unref(objs[i]);
    ovio__unlock();
    return r;
}

int ovio_sleep(int timeout_ms, bool alertable)
{
    int r = ovio__wait_objects(NULL, 0, false, timeout_ms, alertable);
    return r == OVIO_WAIT_TIMEOUT ? 0 : r;
}

/* The engine just started: a thread already asleep may now need to become the poller. */
void ovio__wake_followers_for_engine(void)
{
    hand_off_poller();
}

/*
 * The progress thread.  Windows completes I/O whether or not the program waits; here a completion
 * needs a thread in the engine, and a program may block somewhere ovio cannot see (a plain recv()
 * on the peer of its own pending send).  So when requests are in flight, no program thread is
 * inside an ovio wait and the poller role has been free for STALL_MS, this thread takes the role,
 * and gives it back as soon as a program thread comes to wait.  A program that waits — every
 * completion-routine server — never sees it act.
 */
#define STALL_MS 2
#define IDLE_MS 50

static void *progress_main(void *arg)
{
    (void)arg;
    struct ovio__thread *t = ovio__self();
    if (!t)
        return NULL;
    ovio__lock();
    progress = t;
    for (;;) {
        bool stalled = ovio__engine && ovio__engine_inflight && !ovio__poller &&
                       program_waiters == 0 && ovio__now_ms() - role_free_since >= STALL_MS;
        if (stalled) {
            while (ovio__engine_inflight && program_waiters == 0 && !ovio__poller) {
                block_as(t, IDLE_MS);
            }
            hand_off_poller();
            continue;
        }
        unsigned seen = atomic_load(&t->futex);
        int nap = ovio__engine_inflight ? STALL_MS : IDLE_MS; /* read under the lock */
        ovio__unlock();
        ovio__thread_sleep(t, seen, nap);
        ovio__lock();
    }
    return NULL;
}

void ovio__progress_start(void)
{
    pthread_t th;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    /* Without it ovio still works as long as the program waits; say nothing and go on. */
    pthread_create(&th, &attr, progress_main, NULL);
    pthread_attr_destroy(&attr);
}

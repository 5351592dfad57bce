/* Per-thread state: the APC queue (completion routines and QueueUserAPC), the futex a thread sleeps
 * on, its pending operations, and what happens when it ends (SPEC D2, D5, E9). */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "core/core.h"
#include "engine/engine.h"

static __thread struct ovio__thread *self;
static pthread_key_t exit_key;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;

static void thread_ended(void *arg);

static void make_exit_key(void)
{
    /* The destructor is how a thread's end is noticed for threads ovio did not create, too. */
    pthread_key_create(&exit_key, thread_ended);
}

static struct ovio__thread *thread_alloc(void)
{
    /* Windows thread ids are multiples of 4; programs only compare and print them. */
    static atomic_uint next_id;
    struct ovio__thread *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->tid = atomic_fetch_add(&next_id, 4) + 4;
    ovio__obj_init(&t->obj, OVIO__OBJ_THREAD);
    ovio__list_init(&t->apcs);
    ovio__list_init(&t->reqs);
    ovio__list_init(&t->follower_node);
    return t;
}

struct ovio__thread *ovio__self(void)
{
    if (self)
        return self;
    pthread_once(&exit_key_once, make_exit_key);
    struct ovio__thread *t = thread_alloc();
    if (!t)
        return NULL;
    t->pthread = pthread_self();
    /* The reference taken by thread_alloc belongs to the running thread until it ends. */
    pthread_setspecific(exit_key, t);
    self = t;
    return t;
}

void ovio__thread_destroy(struct ovio__object *o)
{
    free(OVIO__CONTAINER_OF(o, struct ovio__thread, obj));
}

/* Thread end (SPEC E9): its pending operations are cancelled (their events are still set, their
 * routines never run), queued routines are dropped, and its handle becomes signalled. */
static void thread_ended(void *arg)
{
    struct ovio__thread *t = arg;
    ovio__lock();
    t->ended = true;
    ovio__thread_cancel_reqs(t);
    ovio__port_thread_ended(t);
    struct ovio__list *n, *tmp;
    ovio__list_for_each_safe(n, tmp, &t->apcs)
    {
        struct ovio__apc *apc = OVIO__CONTAINER_OF(n, struct ovio__apc, node);
        ovio__list_remove(n);
        apc->drop(apc);
    }
    ovio__obj_wake_waiters(&t->obj);
    ovio__unlock();
    if (ovio__engine)
        ovio__engine->flush();
    ovio__req_cache_drain();
    self = NULL;
    ovio__lock();
    ovio__obj_unref(&t->obj);
    ovio__unlock();
}

static long futex(atomic_uint *addr, int op, unsigned val, const struct timespec *ts)
{
    return syscall(SYS_futex, addr, op, val, ts, NULL, 0);
}

void ovio__thread_wake(struct ovio__thread *t)
{
    OVIO__HIDDEN extern struct ovio__thread *ovio__poller;
    if (t == self)
        return; /* it will re-check before it sleeps */
    if (t == ovio__poller) {
        ovio__engine->wake();
        return;
    }
    atomic_fetch_add(&t->futex, 1);
    if (t->waiting)
        futex(&t->futex, FUTEX_WAKE_PRIVATE, 1, NULL);
}

/* Sleeps until the futex moves past seen or timeout_ms passes (-1: no limit).  Lock not held. */
OVIO__HIDDEN void ovio__thread_sleep(struct ovio__thread *t, unsigned seen, int timeout_ms)
{
    struct timespec ts, *tsp = NULL;
    if (timeout_ms >= 0) {
        ts.tv_sec = timeout_ms / 1000;
        ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000L;
        tsp = &ts;
    }
    futex(&t->futex, FUTEX_WAIT_PRIVATE, seen, tsp);
}

void ovio__thread_queue_apc(struct ovio__thread *t, struct ovio__apc *apc)
{
    ovio__list_push_back(&t->apcs, &apc->node);
    if (t->alertable_wait)
        ovio__thread_wake(t);
}

int64_t ovio__now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- public: threads and APCs ------------------------------------------------------------------ */

ovio_handle ovio_thread_self(void)
{
    struct ovio__thread *t = ovio__self();
    if (!t)
        return 0;
    ovio__lock();
    ovio_handle h = ovio__handle_new(&t->obj);
    ovio__unlock();
    return h;
}

struct user_apc {
    struct ovio__apc apc;
    ovio_apc_fn fn;
    uintptr_t arg;
};

static void user_apc_run(struct ovio__apc *apc)
{
    struct user_apc *u = OVIO__CONTAINER_OF(apc, struct user_apc, apc);
    ovio_apc_fn fn = u->fn;
    uintptr_t arg = u->arg;
    free(u);
    fn(arg);
}

static void user_apc_drop(struct ovio__apc *apc)
{
    free(OVIO__CONTAINER_OF(apc, struct user_apc, apc));
}

int ovio_queue_apc(ovio_handle thread, ovio_apc_fn fn, uintptr_t arg)
{
    if (!fn)
        return -EINVAL;
    struct user_apc *u = malloc(sizeof *u);
    if (!u)
        return -ENOMEM;
    u->apc.run = user_apc_run;
    u->apc.drop = user_apc_drop;
    u->fn = fn;
    u->arg = arg;
    ovio__lock();
    struct ovio__object *o = ovio__handle_get(thread, OVIO__OBJ_THREAD);
    if (!o) {
        ovio__unlock();
        free(u);
        return -EBADF;
    }
    struct ovio__thread *t = OVIO__CONTAINER_OF(o, struct ovio__thread, obj);
    int rc = 0;
    if (t->ended) {
        free(u);
        rc = -ESRCH;
    } else {
        ovio__thread_queue_apc(t, &u->apc);
    }
    ovio__obj_unref(o);
    ovio__unlock();
    return rc;
}

static void *thread_main(void *arg)
{
    struct ovio__thread *t = arg;
    self = t;
    pthread_setspecific(exit_key, t);
    unsigned code = t->start_fn(t->start_arg);
    t->exit_code = code;
    return NULL;
}

ovio_handle ovio_thread_create(ovio_thread_fn fn, void *arg)
{
    if (!fn) {
        errno = EINVAL;
        return 0;
    }
    pthread_once(&exit_key_once, make_exit_key);
    struct ovio__thread *t = thread_alloc();
    if (!t) {
        errno = ENOMEM;
        return 0;
    }
    t->start_fn = fn;
    t->start_arg = arg;
    ovio__lock();
    ovio_handle h = ovio__handle_new(&t->obj);
    ovio__unlock();
    if (!h) {
        free(t);
        return 0;
    }
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int err = pthread_create(&t->pthread, &attr, thread_main, t);
    pthread_attr_destroy(&attr);
    if (err) {
        ovio__lock();
        ovio__handle_close(h); /* drops the handle's reference */
        ovio__obj_unref(&t->obj); /* and the one the thread would have held */
        ovio__unlock();
        errno = err;
        return 0;
    }
    return h;
}

void ovio_thread_exit(unsigned code)
{
    struct ovio__thread *t = ovio__self();
    if (t)
        t->exit_code = code;
    pthread_exit(NULL);
}

int ovio_thread_exit_code(ovio_handle thread, unsigned *code)
{
    ovio__lock();
    struct ovio__object *o = ovio__handle_get(thread, OVIO__OBJ_THREAD);
    if (!o) {
        ovio__unlock();
        return -EBADF;
    }
    struct ovio__thread *t = OVIO__CONTAINER_OF(o, struct ovio__thread, obj);
    int rc = t->ended ? 0 : -EAGAIN;
    if (code && t->ended)
        *code = t->exit_code;
    ovio__obj_unref(o);
    ovio__unlock();
    return rc;
}

uint32_t ovio_thread_id(void)
{
    struct ovio__thread *t = ovio__self();
    return t ? t->tid : 0;
}

uint32_t ovio_thread_handle_id(ovio_handle thread)
{
    ovio__lock();
    struct ovio__object *o = ovio__handle_get(thread, OVIO__OBJ_THREAD);
    uint32_t id = o ? OVIO__CONTAINER_OF(o, struct ovio__thread, obj)->tid : 0;
    if (o)
        ovio__obj_unref(o);
    ovio__unlock();
    return id;
}

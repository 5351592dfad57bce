/*
 * The contract between the core and an engine.  An engine moves bytes for the operation at the head
 * of a socket's receive or send queue and reports how that attempt ended; ordering, whole sends,
 * statuses, notification and cancellation rules stay in the core.
 *
 * Calls are made with the core lock held, except wait() and wake().
 */
#ifndef OVIO_ENGINE_H
#define OVIO_ENGINE_H

#include "core/core.h"

struct ovio__engine {
    const char *name;
    /* 0, or -errno with a one-line reason in reason[] when this engine cannot run here. */
    int (*init)(char *reason, size_t reason_len);
    void (*fini)(void);
    /* A socket gets its first operation / is about to be closed. */
    int (*sock_attach)(struct ovio__sock *s);
    void (*sock_detach)(struct ovio__sock *s);
    /* Attempt r (r->msg describes what is left to move).  Returns bytes or -errno when the attempt
     * ended at once, or OVIO__PENDING when the engine will call ovio__req_done() for it later. */
    int (*start)(struct ovio__req *r);
    /* End a pending r early.  It still ends through ovio__req_done(), usually with -ECANCELED,
     * possibly with its real result if that won the race. */
    void (*cancel)(struct ovio__req *r);
    /* Deliver ready results via ovio__req_done(); when none is ready, block up to timeout_ms (-1 =
     * no limit) or until wake().  Only the poller thread calls it, without the core lock. */
    void (*wait)(int timeout_ms);
    /* Make the poller's wait() return soon.  Any thread, lock held or not. */
    void (*wake)(void);
    /* Report poll events `events` on s through ovio__sock_ready(), once (arm), or stop (0). An
     * engine that already reports every readiness change (epoll) may do nothing and call
     * ovio__sock_ready on its own.  Returns true when a one-shot watch was armed. */
    bool (*watch)(struct ovio__sock *s, uint32_t events);
    /* Hand deferred work to the kernel (starts made inside a batch). */
    void (*flush)(void);
    /* start() only queues work that the kernel may finish during flush(): a look at the results
     * right after the flush tells whether an operation completed inside its starting call. */
    bool finishes_in_flush;
};

OVIO__HIDDEN extern const struct ovio__engine ovio__engine_uring;
OVIO__HIDDEN extern const struct ovio__engine ovio__engine_epoll;

/* The running engine, NULL until ovio__engine_start() succeeded. */
OVIO__HIDDEN extern const struct ovio__engine *ovio__engine;
/* Chooses and starts the engine once (OVIO_ENGINE, then io_uring, then epoll). 0 or -errno. */
OVIO__HIDDEN int ovio__engine_start(void);
OVIO__HIDDEN void ovio__engine_stop(void);

#endif

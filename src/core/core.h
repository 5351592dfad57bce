/*
 * The engine-neutral core: handles, waitable objects, threads and their APC queues, sockets with
 * their per-direction operation queues, and completion delivery.  Every Windows rule lives here
 * once; engines (src/engine/) only move bytes and report results.
 *
 * Locking: one process-wide mutex (ovio__lock) guards all core state.  Engines are entered with it
 * held, except engine->wait(), which the single "poller" thread calls without it.  Lock order:
 * engine-internal completion lock -> core lock -> engine-internal submit lock.
 */
#ifndef OVIO_CORE_H
#define OVIO_CORE_H

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "ovio.h"
#include "core/list.h"

#define OVIO__HIDDEN __attribute__((visibility("hidden")))

/* ---- the lock ---------------------------------------------------------------------------------- */

OVIO__HIDDEN extern pthread_mutex_t ovio__mutex;
static inline void ovio__lock(void)
{
    pthread_mutex_lock(&ovio__mutex);
}
static inline void ovio__unlock(void)
{
    pthread_mutex_unlock(&ovio__mutex);
}

/* ---- waitable objects and handles -------------------------------------------------------------- */

enum ovio__obj_type {
    OVIO__OBJ_EVENT = 1,
    OVIO__OBJ_THREAD,
    OVIO__OBJ_SOCK,
    OVIO__OBJ_PORT,
};

/* Header of every object a handle can name.  refs counts the handle-table entry plus internal
 * holders (a pending operation holds its event, a wait holds what it waits on), so closing a handle
 * never frees an object something still uses. */
struct ovio__object {
    uint8_t type;
    uint32_t refs;
    struct ovio__list waiters; /* struct ovio__wait_block.node */
};

/* Handle values: (generation << 24) | (slot << 2).  Multiples of 4 as on Windows (the low bits of
 * an event handle carry flags, SPEC I7), below 2^31 so code that squeezes them into int works. */
OVIO__HIDDEN ovio_handle ovio__handle_new(struct ovio__object *obj);
/* The object, with a new reference, or NULL (errno-style code in *err) for a stale/forged/closed
 * value or one of another type (type 0 = any). */
OVIO__HIDDEN struct ovio__object *ovio__handle_get(ovio_handle h, int type);
/* Removes the table entry and drops its reference; returns the object type or -EBADF. */
OVIO__HIDDEN int ovio__handle_close(ovio_handle h);
/* Whether h names an object of this type now, or named one until its last close (a handle
 * closed once, whose slot has not been closed again since). */
OVIO__HIDDEN bool ovio__handle_was(ovio_handle h, int type);
/* Closes every handle that names an object of this type. */
OVIO__HIDDEN void ovio__handle_close_all(int type);
OVIO__HIDDEN void ovio__obj_ref(struct ovio__object *o);
OVIO__HIDDEN void ovio__obj_unref(struct ovio__object *o);
OVIO__HIDDEN void ovio__obj_init(struct ovio__object *o, int type);
/* Wakes every thread waiting on o so it re-checks its condition. */
OVIO__HIDDEN void ovio__obj_wake_waiters(struct ovio__object *o);

struct ovio__event {
    struct ovio__object obj;
    bool manual_reset;
    bool signalled;
};
OVIO__HIDDEN void ovio__event_signal(struct ovio__event *ev);

/* ---- threads, APCs, waiting -------------------------------------------------------------------- */

struct ovio__apc {
    struct ovio__list node;
    void (*run)(struct ovio__apc *apc); /* runs the APC and frees it */
    void (*drop)(struct ovio__apc *apc); /* frees it without running (thread exit, SPEC E9) */
};

struct ovio__thread {
    struct ovio__object obj; /* signalled once the thread has ended */
    pthread_t pthread;
    uint32_t tid;
    atomic_uint futex;        /* bumped by every wake; waiters sleep on it */
    struct ovio__list apcs;   /* queued APCs and completion routines, FIFO */
    struct ovio__list reqs;   /* operations this thread started that are pending (CancelIo, E9) */
    bool alertable_wait;      /* in an alertable wait now: an APC must wake it */
    bool waiting;             /* blocked in a follower wait (futex) */
    struct ovio__list follower_node;
    bool ended;
    unsigned exit_code;
    unsigned batch_depth;     /* > 0 while running routines/completions: engine submits deferred */
    struct ovio__port *port;  /* the port whose packet it last took (SPEC I5) */
    bool port_running;        /* counted in that port's running threads */
    ovio_thread_fn start_fn;
    void *start_arg;
};

/* A thread's registration on an object it waits for. */
struct ovio__wait_block {
    struct ovio__list node; /* in the object's waiters */
    struct ovio__thread *thread;
    bool woken;             /* ports: chosen for a packet, not yet back (LIFO hand-out) */
};

/* The calling thread's state, created on first use (NULL only when out of memory). */
OVIO__HIDDEN struct ovio__thread *ovio__self(void);
/* Wakes t if it sleeps in a wait (futex or, when it is the poller, the engine).  Lock held. */
OVIO__HIDDEN void ovio__thread_wake(struct ovio__thread *t);
/* Queue an APC to t; wakes t if it is in an alertable wait.  Lock held. */
OVIO__HIDDEN void ovio__thread_queue_apc(struct ovio__thread *t, struct ovio__apc *apc);

/* Core wait: objs already referenced by the caller.  Returns index, OVIO_WAIT_TIMEOUT or
 * OVIO_WAIT_IO_COMPLETION. */
OVIO__HIDDEN int ovio__wait_objects(struct ovio__object **objs, unsigned n, bool all, int timeout_ms,
                                    bool alertable);
/* Until the operation using ov is no longer pending (wait) or after one non-blocking look at the
 * engine (!wait).  0, -EINPROGRESS (still pending, !wait) or -EINVAL (pending but unknown). */
OVIO__HIDDEN int ovio__await(const void *ov, const uintptr_t *status, bool wait);
/* Requests the engine holds now (lock held). */
OVIO__HIDDEN extern unsigned ovio__engine_inflight;
/* Starts the thread that keeps completions moving while no program thread waits. */
OVIO__HIDDEN void ovio__progress_start(void);
/* Drive completions without blocking (for polling callers such as HasOverlappedIoCompleted). */
OVIO__HIDDEN void ovio__make_progress(void);
/* Submit work that routines started, when not inside a batch.  Called at the end of every entry
 * point that may start operations. */
OVIO__HIDDEN void ovio__flush_if_outside_batch(void);

/* ---- sockets and operations -------------------------------------------------------------------- */

enum ovio__op_kind {
    OVIO__OP_RECV,
    OVIO__OP_SEND,
    OVIO__OP_POLL_IN, /* zero-length receive: wait until readable, consume nothing */
    OVIO__OP_ACCEPT,  /* AcceptEx: accept into a given socket, then maybe receive first data */
    OVIO__OP_CONNECT, /* ConnectEx: connect, then maybe send */
    OVIO__OP_DISCONNECT, /* DisconnectEx: shut down sending */
};

enum ovio__req_state {
    OVIO__REQ_QUEUED,  /* behind another operation of the same direction */
    OVIO__REQ_STARTED, /* handed to the engine */
};

/* engine->start result: the engine will report later (never a byte count or an -errno) */
#define OVIO__PENDING INT_MIN

struct ovio__sock;
struct ovio__req;

/* How an API personality (native or Winsock) records results and runs routines. */
struct ovio__api {
    /* Writes the outcome into the caller's overlapped record.  Runs in the completing thread before
     * the event is set, so a waiter woken by the event sees the result. */
    void (*store)(struct ovio__req *r, int err, size_t bytes);
    /* Runs the completion routine in the issuing thread. */
    void (*run_routine)(struct ovio__req *r);
};
OVIO__HIDDEN extern const struct ovio__api ovio__native_api;

/* A completion port packet.  Operations carry one inside their request, so delivering a completion
 * never needs memory (SPEC G5). */
struct ovio__packet {
    struct ovio__list node;
    ovio_port_entry e;
    void (*release)(struct ovio__packet *pk);
};

struct ovio__req {
    struct ovio__list qnode;      /* sock queue while pending; thread APC queue afterwards */
    struct ovio__list tnode;      /* issuing thread's pending list */
    struct ovio__list tnode_engine; /* engine's own list, if it keeps one */
    int engine_res;               /* a result the engine holds back to report later */
    struct ovio__apc apc;         /* completion routine delivery */
    struct ovio__sock *sock;
    struct ovio__thread *thread;  /* issuer; NULL once it has ended */
    ovio_overlapped *ov;
    const struct ovio__api *api;
    void *routine;                /* personality-specific routine pointer, or NULL */
    struct ovio__event *event;    /* referenced while pending */
    uint8_t kind;
    uint8_t state;
    bool cancel_requested;        /* by CancelIo(Ex)/close; a cancel the core did not ask for is
                                     the kernel dropping the request (see req_done) */
    bool no_port_packet;          /* hEvent low bit (SPEC I7) */
    bool silent;                  /* WSACleanup: record the result, notify nobody (SPEC E10) */
    bool batched;                 /* started from a routine: the engine may defer it */
    int msg_flags;
    int err;                      /* final outcome */
    size_t bytes;
    size_t total;                 /* sends: bytes to take in all */
    struct msghdr msg;            /* current window of the transfer (engines read it) */
    struct iovec *iov;            /* the caller's buffers, copied at issue as Windows does */
    struct iovec iov_inline[2];
    int iovcnt;
    struct sockaddr_storage addr; /* sendto target / recvfrom source */
    void *from;                   /* recvfrom: caller's address buffer, written on completion */
    int *from_len;                /* and its length */
    void *user;                   /* personality data */
    struct ovio__req *ov_next;    /* pending-overlapped registry chain */
    struct ovio__packet packet;   /* its port packet, when the socket is bound to a port */
    struct ovio__sock *origin;    /* AcceptEx: the listener, which is notified (referenced) */
    int accept_fd;                /* AcceptEx: the socket that becomes the connection */
    socklen_t addr_len;           /* ConnectEx: length of the target in addr */
    bool connecting;              /* ConnectEx under epoll: connect() issued, waiting */
    char *accept_addrs;           /* AcceptEx: where the addresses go (the API's store writes) */
    uint32_t accept_local_len, accept_remote_len;
};

struct ovio__port;

struct ovio__sock {
    struct ovio__object obj; /* signalled when any of its operations completes (SPEC B5) */
    int fd;
    uint32_t gen;            /* distinguishes successive sockets on one fd number */
    bool stream;
    bool sync_io;            /* Windows socket without WSA_FLAG_OVERLAPPED (SPEC A7) */
    bool closing;
    bool connected;          /* stream: known connected */
    bool shut_rd, shut_wr;
    bool signal;             /* an operation completed since the last one was issued */
    bool win32;              /* named by a Winsock SOCKET handle */
    bool attached;           /* known to the engine (sock_attach done) */
    int sticky_err;          /* reset seen: later operations fail at once (SPEC E5) */
    bool eof;                /* end of stream seen: later receives complete at once (SPEC E4) */
    unsigned inflight;       /* operations the engine holds; fd is closed when this drops to 0 */
    struct ovio__list recvq; /* FIFO; only the head is started (SPEC E1) */
    struct ovio__list sendq; /* FIFO; only the head is started (SPEC E2) */
    struct ovio__port *port; /* completion port binding (SPEC I1) */
    uintptr_t port_key;
    bool skip_port_on_success, skip_event_on_handle;
    uint64_t engine_data;    /* engine's own per-socket state */
    /* WSAEventSelect (src/core/evselect.c). */
    struct ovio__event *sel_event;
    uint32_t sel_mask;       /* selected network events */
    uint32_t sel_armed;      /* those that may be recorded now */
    uint32_t sel_recorded;   /* recorded, not yet enumerated */
    int sel_errors[OVIO_NET_EVENTS];
    bool sel_listening;
    bool sel_watching;       /* an engine watch is armed (counts in inflight) */
    struct ovio__req *accept_req; /* the AcceptEx that will turn this socket into a connection */
};

/* Socket state for fd (created when create is true).  Lock held.  NULL with *err set. */
OVIO__HIDDEN struct ovio__sock *ovio__sock_get(int fd, bool create, int *err);
/* Whatever state fd has, closing or not (NULL if none).  Lock held. */
OVIO__HIDDEN struct ovio__sock *ovio__sock_at(int fd);
/* Looks up by fd and generation (engines). Lock held. */
OVIO__HIDDEN struct ovio__sock *ovio__sock_by_fd(int fd, uint32_t gen);

/* Start an operation; returns bytes (>= 0) for an immediate completion (notifications queued),
 * -EINPROGRESS when pending, or another -errno for an immediate failure (nothing notified). */
struct ovio__issue {
    int fd;
    uintptr_t sock_handle; /* when not 0: the socket is this SOCKET handle (checked under the lock,
                              so a racing close cannot send the operation to a reused fd) */
    enum ovio__op_kind kind;
    const struct iovec *iov;
    int iovcnt;
    int flags;
    const struct sockaddr *to;
    int to_len;
    struct sockaddr *from;
    int *from_len;
    ovio_overlapped *ov;
    const struct ovio__api *api;
    void *routine;
    ovio_handle event; /* may carry the low-bit flag */
    void *user;
    size_t *done_bytes; /* byte count of an immediate completion, also when it failed */
    int accept_fd;      /* OVIO__OP_ACCEPT */
    char *accept_addrs;
    uint32_t accept_local_len, accept_remote_len;
};
OVIO__HIDDEN ssize_t ovio__issue(const struct ovio__issue *is);

/* Engine -> core: an operation ended (res = bytes or -errno).  The _locked form needs the lock. */
OVIO__HIDDEN void ovio__req_done(struct ovio__req *r, int res);
OVIO__HIDDEN void ovio__req_done_locked(struct ovio__req *r, int res);

OVIO__HIDDEN int ovio__sock_close(int fd);
/* The last engine-held request of a closing socket ended: close the fd now.  Lock held. */
OVIO__HIDDEN void ovio__sock_final_close(struct ovio__sock *s);
OVIO__HIDDEN int ovio__cancel(int fd, ovio_overlapped *ov, struct ovio__thread *only_thread);
OVIO__HIDDEN void ovio__sock_note_shutdown(int fd, int how); /* SHUT_RD/SHUT_WR/SHUT_RDWR */
/* Cancels every pending operation of the process without notifying (WSACleanup, SPEC E10). */
OVIO__HIDDEN void ovio__abort_all_silently(void);
/* Frees the calling thread's cache of spare requests (at thread end). */
OVIO__HIDDEN void ovio__req_cache_drain(void);
/* Thread exit (SPEC E9): lock held. */
OVIO__HIDDEN void ovio__thread_cancel_reqs(struct ovio__thread *t);

/* Pending-overlapped registry (SPEC A11): one operation per overlapped record at a time. */
OVIO__HIDDEN int ovio__ovmap_insert(const void *ov, struct ovio__req *r); /* -EEXIST, -ENOMEM */
OVIO__HIDDEN struct ovio__req *ovio__ovmap_find(const void *ov);
OVIO__HIDDEN void ovio__ovmap_remove(const void *ov);

/* Network event selection: the engine saw readiness on s (poll bits); lock held. */
OVIO__HIDDEN void ovio__sock_ready(struct ovio__sock *s, uint32_t revents);
/* The socket closes: its selection ends. Lock held. */
OVIO__HIDDEN void ovio__evselect_end(struct ovio__sock *s);
/* The engine's one-shot watch ended (res: poll events or -errno).  Lock held. */
OVIO__HIDDEN void ovio__sock_watch_done(struct ovio__sock *s, int res);

/* Ports. Lock held for all. */
OVIO__HIDDEN void ovio__port_deliver(struct ovio__sock *s, struct ovio__req *r, bool sync_success);
OVIO__HIDDEN void ovio__port_thread_idle(struct ovio__thread *t);
OVIO__HIDDEN void ovio__port_thread_busy(struct ovio__thread *t);
OVIO__HIDDEN void ovio__port_thread_ended(struct ovio__thread *t);
OVIO__HIDDEN void ovio__port_close(struct ovio__object *o);
struct ovio__port_waiter {
    int (*take)(struct ovio__port *p, struct ovio__thread *t, ovio_port_entry *out, unsigned n);
    bool (*closed)(struct ovio__port *p);
    void (*woke)(struct ovio__port *p); /* a thread chosen by the port is back */
};
OVIO__HIDDEN int ovio__port_wait(struct ovio__port *p, struct ovio__object *port_obj,
                                 struct ovio__thread *t, ovio_port_entry *out, unsigned n,
                                 int timeout_ms, bool alertable,
                                 const struct ovio__port_waiter *w);

/* Time helpers. */
OVIO__HIDDEN int64_t ovio__now_ms(void);

#endif

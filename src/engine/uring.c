/*
 * The io_uring engine.  One ring for the process: the submission side is shared under sq_lock (any
 * thread may start operations), the completion side belongs to whichever thread is the poller
 * (src/core/wait.c).  The poller submits what is pending and waits in one io_uring_enter, holding
 * sq_lock meanwhile; a thread that then needs the submission queue kicks it out of the kernel
 * through an eventfd the ring polls, so that nobody waits on a sleeping poller.  No SINGLE_ISSUER,
 * DEFER_TASKRUN or COOP_TASKRUN: with them only the submitting thread could complete its requests,
 * and the Windows model lets any waiting thread deliver any completion (SPEC F4).
 *
 * Sends started outside completion routines are first tried directly with a non-blocking sendmsg,
 * so a send that fits completes inside WSASend as it does on Windows; only what does not fit goes
 * to the ring.  Sends started by routines, and all receives, go to the ring and are submitted
 * together when the routines are done; the kernel tries them inline at submit and otherwise arms
 * its internal poll.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <liburing.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/engine.h"

/* user_data: a request pointer, a socket pointer with the low bit set (a WSAEventSelect watch),
 * or one of these (below any valid pointer). */
#define TAG_WAKE ((uint64_t)8)   /* the kick eventfd's poll */
#define TAG_IGNORE ((uint64_t)16) /* cancel requests: their own results carry nothing */
#define WATCH_BIT ((uint64_t)1)
#define BATCH 256

static struct io_uring ring;
static pthread_mutex_t sq_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_int wake_pending;
static int kickfd = -1;
static bool kick_armed; /* the multishot poll on kickfd is in place (poller only) */

static atomic_int sq_waiters; /* threads blocked on sq_lock: the poller must not sleep */
static atomic_int sq_unsubmitted; /* prepared entries not yet submitted (flush skips when 0) */

static void kick_write(void)
{
    uint64_t one = 1;
    if (write(kickfd, &one, sizeof one) < 0 && errno != EAGAIN)
        perror("ovio: eventfd write");
}

/* Makes the poller's io_uring_enter return, for a state change it will re-check afterwards: one
 * kick in flight is enough. */
static void kick(void)
{
    if (!atomic_exchange(&wake_pending, 1))
        kick_write();
}

/* sq_lock, even when the poller sleeps in the kernel holding it: it is kicked out, and it checks
 * sq_waiters before sleeping again, so the lock cannot be kept from us. */
static void sq_acquire(void)
{
    if (pthread_mutex_trylock(&sq_lock) == 0)
        return;
    atomic_fetch_add(&sq_waiters, 1);
    kick_write();
    pthread_mutex_lock(&sq_lock);
    atomic_fetch_sub(&sq_waiters, 1);
}

/* Caller holds sq_lock.  A full submission queue is drained to the kernel first. */
static struct io_uring_sqe *get_sqe(void)
{
    struct io_uring_sqe *sqe;
    while (!(sqe = io_uring_get_sqe(&ring))) {
        int rc = io_uring_submit(&ring);
        if (rc < 0 && rc != -EAGAIN && rc != -EBUSY && rc != -EINTR)
            return NULL;
    }
    return sqe;
}

static int uring_init(char *why, size_t len)
{
    struct io_uring_params p;
    static const unsigned flag_sets[] = {
        IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP | IORING_SETUP_SUBMIT_ALL, /* 5.18+ */
        IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP,
    };
    int rc = -EINVAL;
    for (size_t i = 0; i < sizeof flag_sets / sizeof *flag_sets && rc == -EINVAL; i++) {
        memset(&p, 0, sizeof p);
        p.flags = flag_sets[i];
        p.cq_entries = 16384; /* many connections each hold a receive; overflow is kept anyway */
        rc = io_uring_queue_init_params(1024, &ring, &p);
    }
    if (rc < 0) {
        switch (-rc) {
        case EPERM:
            snprintf(why, len, "io_uring_setup: EPERM (blocked by seccomp or kernel.io_uring_disabled)");
            break;
        case ENOSYS:
            snprintf(why, len, "io_uring_setup: ENOSYS (kernel without io_uring)");
            break;
        case ENOMEM:
            snprintf(why, len, "io_uring_setup: ENOMEM (RLIMIT_MEMLOCK too low?)");
            break;
        default:
            snprintf(why, len, "io_uring_setup: %s", strerror(-rc));
        }
        return rc;
    }
    /* FAST_POLL: socket requests wait on internal poll rather than a worker thread (5.7).
     * EXT_ARG: a wait can carry its own timeout without an extra submission (5.11).
     * NODROP: completions are never dropped when the CQ is full (5.5). */
    unsigned need = IORING_FEAT_FAST_POLL | IORING_FEAT_EXT_ARG | IORING_FEAT_NODROP;
    if ((p.features & need) != need) {
        snprintf(why, len, "kernel lacks io_uring FAST_POLL/EXT_ARG/NODROP (needs 5.11+)");
        io_uring_queue_exit(&ring);
        return -ENOTSUP;
    }
    struct io_uring_probe *probe = io_uring_get_probe_ring(&ring);
    static const int ops[] = {IORING_OP_RECV,     IORING_OP_SEND,         IORING_OP_RECVMSG,
                              IORING_OP_SENDMSG,  IORING_OP_POLL_ADD,     IORING_OP_ASYNC_CANCEL,
                              IORING_OP_NOP,      IORING_OP_ACCEPT,       IORING_OP_CONNECT,
                              IORING_OP_SHUTDOWN};
    for (size_t i = 0; probe && i < sizeof ops / sizeof *ops; i++) {
        if (!io_uring_opcode_supported(probe, ops[i])) {
            snprintf(why, len, "io_uring opcode %d not supported", ops[i]);
            io_uring_free_probe(probe);
            io_uring_queue_exit(&ring);
            return -ENOTSUP;
        }
    }
    if (probe)
        io_uring_free_probe(probe);
    kickfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (kickfd < 0) {
        int err = errno;
        snprintf(why, len, "eventfd: %s", strerror(err));
        io_uring_queue_exit(&ring);
        return -err;
    }
    atomic_store(&wake_pending, 0);
    kick_armed = false;
    return 0;
}

static void uring_fini(void)
{
    io_uring_queue_exit(&ring);
    close(kickfd);
    kickfd = -1;
}

static int uring_sock_attach(struct ovio__sock *s)
{
    (void)s;
    return 0;
}

static void uring_sock_detach(struct ovio__sock *s)
{
    (void)s;
}

static int uring_start(struct ovio__req *r)
{
    int fd = r->sock->fd;
    /* Inside a batch of routines a send rides along with the batch's single submission, as a
     * hand-written io_uring server does; outside one it is tried at once, so that a send that
     * fits completes inside WSASend as on Windows. */
    if (r->kind == OVIO__OP_SEND && !r->batched) {
        ssize_t n = sendmsg(fd, &r->msg, r->msg_flags | MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n >= 0)
            return (int)(n > INT32_MAX ? INT32_MAX : n);
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return -errno;
    }
    sq_acquire();
    struct io_uring_sqe *sqe = get_sqe();
    if (!sqe) {
        pthread_mutex_unlock(&sq_lock);
        return -ENOBUFS;
    }
    bool single = r->msg.msg_iovlen == 1 && !r->msg.msg_name;
    switch (r->kind) {
    case OVIO__OP_RECV:
        if (single && r->sock->stream)
            io_uring_prep_recv(sqe, fd, r->msg.msg_iov[0].iov_base, r->msg.msg_iov[0].iov_len,
                               r->msg_flags);
        else
            io_uring_prep_recvmsg(sqe, fd, &r->msg, (unsigned)r->msg_flags);
        break;
    case OVIO__OP_SEND: {
        /* MSG_WAITALL makes the kernel keep going after a short send (5.19+, ignored before);
         * the core resubmits whatever is left either way. */
        int flags = r->msg_flags | MSG_NOSIGNAL | (r->sock->stream ? MSG_WAITALL : 0);
        if (single)
            io_uring_prep_send(sqe, fd, r->msg.msg_iov[0].iov_base, r->msg.msg_iov[0].iov_len,
                               flags);
        else
            io_uring_prep_sendmsg(sqe, fd, &r->msg, (unsigned)flags);
        break;
    }
    case OVIO__OP_POLL_IN:
        io_uring_prep_poll_add(sqe, fd, POLLIN);
        break;
    case OVIO__OP_ACCEPT:
        io_uring_prep_accept(sqe, fd, NULL, NULL, SOCK_CLOEXEC);
        break;
    case OVIO__OP_CONNECT:
        io_uring_prep_connect(sqe, fd, (struct sockaddr *)&r->addr, r->addr_len);
        break;
    case OVIO__OP_DISCONNECT:
        io_uring_prep_shutdown(sqe, fd, SHUT_WR);
        break;
    }
    io_uring_sqe_set_data64(sqe, (uint64_t)(uintptr_t)r);
    atomic_fetch_add(&sq_unsubmitted, 1);
    pthread_mutex_unlock(&sq_lock);
    return OVIO__PENDING;
}

static void uring_cancel(struct ovio__req *r)
{
    sq_acquire();
    struct io_uring_sqe *sqe = get_sqe();
    if (sqe) {
        io_uring_prep_cancel64(sqe, (uint64_t)(uintptr_t)r, 0);
        io_uring_sqe_set_data64(sqe, TAG_IGNORE);
        atomic_fetch_add(&sq_unsubmitted, 1);
    }
    pthread_mutex_unlock(&sq_lock);
}

static bool uring_watch(struct ovio__sock *s, uint32_t events)
{
    sq_acquire();
    struct io_uring_sqe *sqe = get_sqe();
    if (sqe) {
        if (events) {
            io_uring_prep_poll_add(sqe, s->fd, events);
            io_uring_sqe_set_data64(sqe, (uint64_t)(uintptr_t)s | WATCH_BIT);
        } else {
            io_uring_prep_cancel64(sqe, (uint64_t)(uintptr_t)s | WATCH_BIT, 0);
            io_uring_sqe_set_data64(sqe, TAG_IGNORE);
        }
        atomic_fetch_add(&sq_unsubmitted, 1);
    }
    pthread_mutex_unlock(&sq_lock);
    return sqe && events;
}

static void uring_flush(void)
{
    /* Nothing to hand over: do not take sq_lock, which would kick a sleeping poller for nothing. */
    if (atomic_load(&sq_unsubmitted) == 0)
        return;
    sq_acquire();
    atomic_store(&sq_unsubmitted, 0);
    if (io_uring_sq_ready(&ring))
        io_uring_submit(&ring);
    pthread_mutex_unlock(&sq_lock);
}

static void uring_wake(void)
{
    kick();
}

/* Submit what is pending and wait for a result in one system call: a routine-driven server makes
 * one io_uring_enter per batch of completions, as a hand-written one does. */
static void uring_wait(int timeout_ms)
{
    struct io_uring_cqe *cqes[BATCH];
    pthread_mutex_lock(&sq_lock);
    if (!kick_armed) { /* (re)arm the kick channel; multishot, so normally once */
        struct io_uring_sqe *sqe = get_sqe();
        if (sqe) {
            io_uring_prep_poll_multishot(sqe, kickfd, POLLIN);
            io_uring_sqe_set_data64(sqe, TAG_WAKE);
            kick_armed = true;
        }
    }
    unsigned n = io_uring_peek_batch_cqe(&ring, cqes, BATCH);
    if (n == 0 && timeout_ms != 0 && atomic_load(&sq_waiters) == 0) {
        struct io_uring_cqe *cqe;
        struct __kernel_timespec ts = {.tv_sec = timeout_ms / 1000,
                                       .tv_nsec = (long long)(timeout_ms % 1000) * 1000000};
        atomic_store(&sq_unsubmitted, 0);
        io_uring_submit_and_wait_timeout(&ring, &cqe, 1, timeout_ms < 0 ? NULL : &ts, NULL);
    } else if (io_uring_sq_ready(&ring)) {
        atomic_store(&sq_unsubmitted, 0);
        io_uring_submit(&ring);
    }
    pthread_mutex_unlock(&sq_lock);
    n = io_uring_peek_batch_cqe(&ring, cqes, BATCH);
    if (n == 0)
        return;
    struct {
        uint64_t data;
        int res;
        unsigned flags;
    } done[BATCH];
    for (unsigned i = 0; i < n; i++) {
        done[i].data = cqes[i]->user_data;
        done[i].res = cqes[i]->res;
        done[i].flags = cqes[i]->flags;
    }
    io_uring_cq_advance(&ring, n);
    ovio__lock();
    for (unsigned i = 0; i < n; i++) {
        if (done[i].data == TAG_WAKE) {
            /* Clear the flag before draining: a kick from now on writes again and gets its
             * own completion, so none is lost between the two. */
            atomic_store(&wake_pending, 0);
            uint64_t v;
            if (read(kickfd, &v, sizeof v) < 0 && errno != EAGAIN)
                perror("ovio: eventfd read");
            if (!(done[i].flags & IORING_CQE_F_MORE))
                kick_armed = false; /* the kernel ended the multishot poll */
        } else if (done[i].data == TAG_IGNORE) {
            continue;
        } else if (done[i].data & WATCH_BIT) {
            ovio__sock_watch_done((struct ovio__sock *)(uintptr_t)(done[i].data & ~WATCH_BIT),
                                  done[i].res);
        } else {
            ovio__req_done_locked((struct ovio__req *)(uintptr_t)done[i].data, done[i].res);
        }
    }
    ovio__unlock();
}

const struct ovio__engine ovio__engine_uring = {
    .name = "io_uring",
    .init = uring_init,
    .fini = uring_fini,
    .sock_attach = uring_sock_attach,
    .sock_detach = uring_sock_detach,
    .start = uring_start,
    .cancel = uring_cancel,
    .wait = uring_wait,
    .wake = uring_wake,
    .watch = uring_watch,
    .flush = uring_flush,
    .finishes_in_flush = true,
};

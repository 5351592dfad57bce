/*
 * The io_uring engine.  One ring for the process: the submission side is shared under sq_lock (any
 * thread may start operations), the completion side belongs to whichever thread is the poller
 * (src/core/wait.c), which also submits what is pending before it blocks.  No SINGLE_ISSUER,
 * DEFER_TASKRUN or COOP_TASKRUN: with them only the submitting thread could complete its requests,
 * and the Windows model lets any waiting thread deliver any completion (SPEC F4).
 *
 * Sends are first tried directly with a non-blocking sendmsg, so a send that fits completes inside
 * WSASend as it does on Windows; only what does not fit goes to the ring.  Receives go straight to
 * the ring, which tries them inline at submit and otherwise arms its internal poll.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <liburing.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "engine/engine.h"

/* user_data: a request pointer, a socket pointer with the low bit set (a WSAEventSelect watch),
 * or one of these (below any valid pointer). */
#define TAG_WAKE ((uint64_t)8)
#define TAG_IGNORE ((uint64_t)16) /* cancel requests: their own results carry nothing */
#define WATCH_BIT ((uint64_t)1)
#define BATCH 256

static struct io_uring ring;
static pthread_mutex_t sq_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_int wake_pending;

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
    atomic_store(&wake_pending, 0);
    return 0;
}

static void uring_fini(void)
{
    io_uring_queue_exit(&ring);
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
    if (r->kind == OVIO__OP_SEND) {
        ssize_t n = sendmsg(fd, &r->msg, r->msg_flags | MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n >= 0)
            return (int)(n > INT32_MAX ? INT32_MAX : n);
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return -errno;
    }
    pthread_mutex_lock(&sq_lock);
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
    pthread_mutex_unlock(&sq_lock);
    return OVIO__PENDING;
}

static void uring_cancel(struct ovio__req *r)
{
    pthread_mutex_lock(&sq_lock);
    struct io_uring_sqe *sqe = get_sqe();
    if (sqe) {
        io_uring_prep_cancel64(sqe, (uint64_t)(uintptr_t)r, 0);
        io_uring_sqe_set_data64(sqe, TAG_IGNORE);
    }
    pthread_mutex_unlock(&sq_lock);
}

static bool uring_watch(struct ovio__sock *s, uint32_t events)
{
    pthread_mutex_lock(&sq_lock);
    struct io_uring_sqe *sqe = get_sqe();
    if (sqe) {
        if (events) {
            io_uring_prep_poll_add(sqe, s->fd, events);
            io_uring_sqe_set_data64(sqe, (uint64_t)(uintptr_t)s | WATCH_BIT);
        } else {
            io_uring_prep_cancel64(sqe, (uint64_t)(uintptr_t)s | WATCH_BIT, 0);
            io_uring_sqe_set_data64(sqe, TAG_IGNORE);
        }
    }
    pthread_mutex_unlock(&sq_lock);
    return sqe && events;
}

static void uring_flush(void)
{
    pthread_mutex_lock(&sq_lock);
    if (io_uring_sq_ready(&ring))
        io_uring_submit(&ring);
    pthread_mutex_unlock(&sq_lock);
}

static void uring_wake(void)
{
    if (atomic_exchange(&wake_pending, 1))
        return; /* one wake in flight is enough: the poller re-checks everything after it */
    pthread_mutex_lock(&sq_lock);
    struct io_uring_sqe *sqe = get_sqe();
    if (sqe) {
        io_uring_prep_nop(sqe);
        io_uring_sqe_set_data64(sqe, TAG_WAKE);
        io_uring_submit(&ring);
    }
    pthread_mutex_unlock(&sq_lock);
}

static void uring_wait(int timeout_ms)
{
    uring_flush();
    struct io_uring_cqe *cqes[BATCH];
    unsigned n = io_uring_peek_batch_cqe(&ring, cqes, BATCH);
    if (n == 0 && timeout_ms != 0) {
        struct io_uring_cqe *cqe;
        struct __kernel_timespec ts = {.tv_sec = timeout_ms / 1000,
                                       .tv_nsec = (long long)(timeout_ms % 1000) * 1000000};
        int rc = io_uring_wait_cqes(&ring, &cqe, 1, timeout_ms < 0 ? NULL : &ts, NULL);
        if (rc < 0 && rc != -ETIME && rc != -EINTR && rc != -EAGAIN && rc != -EBUSY)
            return;
        n = io_uring_peek_batch_cqe(&ring, cqes, BATCH);
    }
    if (n == 0)
        return;
    struct {
        uint64_t data;
        int res;
    } done[BATCH];
    for (unsigned i = 0; i < n; i++) {
        done[i].data = cqes[i]->user_data;
        done[i].res = cqes[i]->res;
    }
    io_uring_cq_advance(&ring, n);
    ovio__lock();
    for (unsigned i = 0; i < n; i++) {
        if (done[i].data == TAG_WAKE)
            atomic_store(&wake_pending, 0);
        else if (done[i].data == TAG_IGNORE)
            continue;
        else if (done[i].data & WATCH_BIT)
            ovio__sock_watch_done((struct ovio__sock *)(uintptr_t)(done[i].data & ~WATCH_BIT),
                                  done[i].res);
        else
            ovio__req_done_locked((struct ovio__req *)(uintptr_t)done[i].data, done[i].res);
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

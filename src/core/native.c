/* The native API's personality: results as errno values in ovio_overlapped, routines with the
 * ovio_routine signature.  Each entry point is a thin translation onto the core. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/core.h"
#include "engine/engine.h"

static void native_store(struct ovio__req *r, int err, size_t bytes)
{
    if (r->from && r->from_len) {
        socklen_t len = r->msg.msg_namelen;
        if (*r->from_len >= 0 && (socklen_t)*r->from_len < len)
            len = (socklen_t)*r->from_len;
        memcpy(r->from, &r->addr, len);
        *r->from_len = (int)r->msg.msg_namelen;
    }
    r->ov->bytes = bytes;
    /* Release: whoever sees the status also sees the byte count and the data. */
    __atomic_store_n(&r->ov->status, (uintptr_t)err, __ATOMIC_RELEASE);
}

static void native_run_routine(struct ovio__req *r)
{
    ((ovio_routine)r->routine)(r->err, r->bytes, r->ov);
}

const struct ovio__api ovio__native_api = {native_store, native_run_routine};

static ssize_t issue(int fd, enum ovio__op_kind kind, const struct iovec *iov, int iovcnt,
                     int flags, const struct sockaddr *to, int to_len, struct sockaddr *from,
                     int *from_len, ovio_overlapped *ov, ovio_routine routine)
{
    struct ovio__issue is = {
        .fd = fd,
        .kind = kind,
        .iov = iov,
        .iovcnt = iovcnt,
        .flags = flags,
        .to = to,
        .to_len = to_len,
        .from = from,
        .from_len = from_len,
        .ov = ov,
        .api = &ovio__native_api,
        .routine = (void *)routine,
        .event = ov ? ov->event : 0,
    };
    return ovio__issue(&is);
}

ssize_t ovio_recv(int fd, const struct iovec *iov, int iovcnt, int flags, ovio_overlapped *ov,
                  ovio_routine routine)
{
    return issue(fd, OVIO__OP_RECV, iov, iovcnt, flags, NULL, 0, NULL, NULL, ov, routine);
}

ssize_t ovio_send(int fd, const struct iovec *iov, int iovcnt, int flags, ovio_overlapped *ov,
                  ovio_routine routine)
{
    return issue(fd, OVIO__OP_SEND, iov, iovcnt, flags, NULL, 0, NULL, NULL, ov, routine);
}

ssize_t ovio_recvfrom(int fd, const struct iovec *iov, int iovcnt, int flags, struct sockaddr *from,
                      int *from_len, ovio_overlapped *ov, ovio_routine routine)
{
    if (from && !from_len)
        return -EFAULT;
    return issue(fd, OVIO__OP_RECV, iov, iovcnt, flags, NULL, 0, from, from_len, ov, routine);
}

ssize_t ovio_sendto(int fd, const struct iovec *iov, int iovcnt, int flags,
                    const struct sockaddr *to, int to_len, ovio_overlapped *ov,
                    ovio_routine routine)
{
    return issue(fd, OVIO__OP_SEND, iov, iovcnt, flags, to, to_len, NULL, NULL, ov, routine);
}

int ovio_result(int fd, ovio_overlapped *ov, size_t *bytes, bool wait)
{
    (void)fd; /* the record alone says everything, even after the fd was closed */
    if (!ov)
        return -EFAULT;
    int err = ovio_await(ov, wait);
    if (err)
        return err;
    if (bytes)
        *bytes = ov->bytes;
    uintptr_t st = __atomic_load_n(&ov->status, __ATOMIC_ACQUIRE);
    return st ? -(int)st : 0;
}

int ovio_await(ovio_overlapped *ov, bool wait)
{
    if (!ov)
        return -EFAULT;
    return ovio__await(ov, &ov->status, wait);
}

int ovio_cancel(int fd, ovio_overlapped *ov)
{
    return ovio__cancel(fd, ov, NULL);
}

int ovio_cancel_mine(int fd)
{
    struct ovio__thread *t = ovio__self();
    if (!t)
        return -ENOMEM;
    int r = ovio__cancel(fd, NULL, t);
    return r == -ENOENT ? 0 : r;
}

int ovio_close(int fd)
{
    int r = ovio__sock_close(fd);
    if (r == -ENOTSOCK) /* never used with ovio: an ordinary close */
        return close(fd) < 0 ? -errno : 0;
    return r;
}

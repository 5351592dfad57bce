/*
 * The Winsock personality of the core (Linux side): results stored in the OVERLAPPED as NT statuses,
 * completion routines called with Windows' signature, Windows socket addresses on the way in and
 * out.  WSASend/WSARecv (ws_overlapped.c) check arguments and call in here.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "core/core.h"
#include "win32/ws_internal.h"

/* LPWSAOVERLAPPED_COMPLETION_ROUTINE, in plain types. */
typedef void (*ws_routine)(uint32_t err, uint32_t bytes, void *ov, uint32_t flags);

/* Windows' OVERLAPPED is ovio_overlapped with other names; the core writes through the latter. */
_Static_assert(sizeof(ovio_overlapped) == 32, "OVERLAPPED is 32 bytes on x86_64 Windows");
_Static_assert(offsetof(ovio_overlapped, event) == 24, "hEvent offset");

/* AcceptEx's address blocks: a 4-byte length, then the address in Windows layout.  Windows keeps
 * its own private format there; GetAcceptExSockaddrs is the documented way to read it. */
static void put_addr_block(char *block, uint32_t room, int fd, int peer)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    int rc = peer ? getpeername(fd, (struct sockaddr *)&ss, &len)
                  : getsockname(fd, (struct sockaddr *)&ss, &len);
    int win_len = (int)room - 4;
    if (rc < 0 || win_len <= 0)
        len = 0;
    ws__addr_to_win(&ss, len, block + 4, &win_len);
    int stored = len ? win_len : 0;
    memcpy(block, &stored, 4);
}

void ws__acceptex_addr(char *block, void **sa, int *len)
{
    memcpy(len, block, 4);
    *sa = block + 4;
}

static void win32_store(struct ovio__req *r, int err, size_t bytes)
{
    if (r->accept_addrs && err == 0) {
        put_addr_block(r->accept_addrs, r->accept_local_len, r->accept_fd, 0);
        put_addr_block(r->accept_addrs + r->accept_local_len, r->accept_remote_len, r->accept_fd,
                       1);
    }
    if (r->from && r->from_len && (err == 0 || err == EMSGSIZE))
        ws__addr_to_win(&r->addr, r->msg.msg_namelen, r->from, r->from_len);
    /* Windows counts are DWORDs. */
    r->ov->bytes = bytes > UINT32_MAX ? UINT32_MAX : bytes;
    __atomic_store_n(&r->ov->status, (uintptr_t)ws__ntstatus_from_errno(err), __ATOMIC_RELEASE);
}

static void win32_run_routine(struct ovio__req *r)
{
    /* SPEC D1: a WSA code; no byte count on error, except a truncated datagram. */
    uint32_t err = r->err ? ws__wsa_from_errno(r->err) : 0;
    uint32_t bytes = r->err && r->err != EMSGSIZE ? 0 : (uint32_t)r->ov->bytes;
    ((ws_routine)r->routine)(err, bytes, r->ov, 0);
}

static const struct ovio__api win32_api = {win32_store, win32_run_routine};

intptr_t ws__io_issue(const struct ws__io *io)
{
    struct sockaddr_storage to;
    socklen_t to_len = 0;
    if (io->win_to) {
        int err = ws__addr_from_win(io->win_to, io->to_len, &to, &to_len);
        if (err)
            return err;
    }
    if (io->win_from && (!io->from_len || *io->from_len < 0))
        return -EFAULT;
    struct ovio__issue is = {
        .fd = io->fd,
        .sock_handle = io->sock,
        .kind = io->send ? OVIO__OP_SEND : OVIO__OP_RECV,
        .iov = io->iov,
        .iovcnt = io->iovcnt,
        .flags = io->flags,
        .to = io->win_to ? (const struct sockaddr *)&to : NULL,
        .to_len = (int)to_len,
        .from = io->win_from,
        .from_len = io->from_len,
        .ov = io->ov,
        .api = &win32_api,
        .routine = io->routine,
        .event = io->routine ? 0 : io->event, /* SPEC B6: hEvent is the program's with a routine */
        .done_bytes = io->done_bytes,
    };
    return ovio__issue(&is);
}

intptr_t ws__io_accept(uintptr_t listen_sock, int listen_fd, int accept_fd, char *buf, uint32_t recv_len,
                       uint32_t local_len, uint32_t remote_len, void *ov, uintptr_t event,
                       size_t *done_bytes)
{
    /* The accept socket must be fresh: neither bound nor connected (Windows: WSAEINVAL). */
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getpeername(accept_fd, (struct sockaddr *)&ss, &len) == 0)
        return -EINVAL;
    int type = 0;
    len = sizeof type;
    if (getsockopt(accept_fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_STREAM)
        return -EINVAL;
    len = sizeof ss;
    if (getsockname(accept_fd, (struct sockaddr *)&ss, &len) == 0 &&
        ((ss.ss_family == AF_INET && ((struct sockaddr_in *)&ss)->sin_port) ||
         (ss.ss_family == AF_INET6 && ((struct sockaddr_in6 *)&ss)->sin6_port)))
        return -EINVAL; /* bound already */
    struct iovec iov = {buf, recv_len};
    struct ovio__issue is = {
        .fd = listen_fd,
        .sock_handle = listen_sock,
        .kind = OVIO__OP_ACCEPT,
        .iov = &iov,
        .iovcnt = 1,
        .ov = ov,
        .api = &win32_api,
        .event = event,
        .done_bytes = done_bytes,
        .accept_fd = accept_fd,
        .accept_addrs = buf + recv_len,
        .accept_local_len = local_len,
        .accept_remote_len = remote_len,
    };
    return ovio__issue(&is);
}

intptr_t ws__io_connect(uintptr_t sock, int fd, const void *win_addr, int addr_len, const void *data,
                        uint32_t data_len, void *ov, uintptr_t event, size_t *done_bytes)
{
    struct sockaddr_storage to;
    socklen_t to_len = 0;
    int err = ws__addr_from_win(win_addr, addr_len, &to, &to_len);
    if (err)
        return err;
    struct iovec iov = {(void *)data, data_len};
    struct ovio__issue is = {
        .fd = fd,
        .sock_handle = sock,
        .kind = OVIO__OP_CONNECT,
        .iov = &iov,
        .iovcnt = data && data_len ? 1 : 0,
        .to = (const struct sockaddr *)&to,
        .to_len = (int)to_len,
        .ov = ov,
        .api = &win32_api,
        .event = event,
        .done_bytes = done_bytes,
    };
    return ovio__issue(&is);
}

intptr_t ws__io_disconnect(uintptr_t sock, int fd, void *ov, uintptr_t event)
{
    struct ovio__issue is = {
        .fd = fd,
        .sock_handle = sock,
        .kind = OVIO__OP_DISCONNECT,
        .ov = ov,
        .api = &win32_api,
        .event = event,
    };
    intptr_t r = ovio__issue(&is);
    if (r >= 0 || r == -EINPROGRESS)
        ovio__sock_note_shutdown(fd, SHUT_WR); /* later sends fail with WSAESHUTDOWN (I11) */
    return r;
}

intptr_t ws__io_now(const struct ws__io *io)
{
    struct sockaddr_storage addr;
    socklen_t addr_len = 0;
    struct msghdr msg = {.msg_iov = (struct iovec *)io->iov, .msg_iovlen = (size_t)io->iovcnt};
    if (io->win_to) {
        int err = ws__addr_from_win(io->win_to, io->to_len, &addr, &addr_len);
        if (err)
            return err;
        msg.msg_name = &addr;
        msg.msg_namelen = addr_len;
    } else if (io->win_from) {
        if (!io->from_len || *io->from_len < 0)
            return -EFAULT;
        msg.msg_name = &addr;
        msg.msg_namelen = sizeof addr;
    }
    ssize_t n;
    if (io->send) {
        /* A blocking Windows send returns when everything is buffered. */
        size_t total = 0;
        for (;;) {
            n = sendmsg(io->fd, &msg, io->flags | MSG_NOSIGNAL);
            if (n < 0)
                break;
            total += (size_t)n;
            while (msg.msg_iovlen && (size_t)n >= msg.msg_iov->iov_len) {
                n -= (ssize_t)msg.msg_iov->iov_len;
                msg.msg_iov++;
                msg.msg_iovlen--;
            }
            if (!msg.msg_iovlen)
                return (intptr_t)total;
            msg.msg_iov->iov_base = (char *)msg.msg_iov->iov_base + n;
            msg.msg_iov->iov_len -= (size_t)n;
        }
        if (total)
            return (intptr_t)total;
    } else {
        n = recvmsg(io->fd, &msg, io->flags);
        if (n >= 0) {
            if (io->win_from)
                ws__addr_to_win(&addr, msg.msg_namelen, io->win_from, io->from_len);
            if (io->done_bytes)
                *io->done_bytes = (size_t)n;
            return (msg.msg_flags & MSG_TRUNC) ? -EMSGSIZE : n;
        }
    }
    int err = errno;
    if (err == EAGAIN || err == EWOULDBLOCK) {
        /* On a blocking socket EAGAIN means SO_RCVTIMEO/SO_SNDTIMEO ran out (SPEC A10). */
        int fl = fcntl(io->fd, F_GETFL);
        if (fl >= 0 && !(fl & O_NONBLOCK))
            return -ETIMEDOUT;
    }
    return -err;
}

/* Windows and Linux socket addresses differ only in the AF_INET6 value (23 and 10). */
#define WIN_AF_INET6 23

int ws__addr_from_win(const void *win, int win_len, void *linux_ss, unsigned *out_len)
{
    struct sockaddr_storage *out = linux_ss;
    if (!win || win_len < (int)sizeof(unsigned short))
        return -EFAULT;
    if ((size_t)win_len > sizeof *out)
        win_len = sizeof *out;
    memcpy(out, win, (size_t)win_len);
    if (out->ss_family == WIN_AF_INET6) {
        out->ss_family = AF_INET6;
        if (win_len < (int)sizeof(struct sockaddr_in6))
            return -EFAULT;
    } else if (out->ss_family == AF_INET && win_len < (int)sizeof(struct sockaddr_in)) {
        return -EFAULT;
    }
    *out_len = (socklen_t)win_len;
    return 0;
}

void ws__addr_to_win(const void *sa, unsigned len, void *win, int *win_len)
{
    struct sockaddr_storage tmp;
    if (len > sizeof tmp)
        len = sizeof tmp;
    memcpy(&tmp, sa, len);
    if (tmp.ss_family == AF_INET6)
        tmp.ss_family = WIN_AF_INET6;
    size_t n = (size_t)*win_len < len ? (size_t)*win_len : len;
    memcpy(win, &tmp, n);
    *win_len = (int)len;
}

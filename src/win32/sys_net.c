/*
 * Linux side of the BSD-style Winsock calls: sockets, options, ioctls, select/poll.  See
 * sys_net.h for the contract; the Windows side is ws_bsd.c.  Nothing here includes a Windows
 * header, and every Linux constant stays in this file.
 */
#define _GNU_SOURCE
#include "sys_net.h"
#include "ws_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* ---- per-fd state that Linux does not keep ---------------------------------------------------
 * A byte of flags per socket fd, reset whenever sys_net creates the fd.  Pages of 4096 fds are
 * allocated on first use; fds beyond the table simply have no flags (the Windows-only behaviours
 * they drive fall back to Linux's). */
enum {
    FDF_USER_REUSEADDR = 0x01, /* the program set SO_REUSEADDR (ours may be on implicitly) */
    FDF_EXCLUSIVE = 0x02,      /* SO_EXCLUSIVEADDRUSE */
    FDF_SHUT_RD = 0x04,        /* shutdown(SD_RECEIVE/SD_BOTH) done */
    FDF_SHUT_WR = 0x08,        /* shutdown(SD_SEND/SD_BOTH) done */
    FDF_CONNECTING = 0x10,     /* non-blocking connect under way (for select's "except") */
};

#define FD_PAGE_BITS 12
#define FD_PAGES 4096 /* fds below 16M */
static _Atomic(_Atomic unsigned char *) fd_pages[FD_PAGES];

static _Atomic unsigned char *fd_flags(int fd, int create)
{
    if (fd < 0 || (fd >> FD_PAGE_BITS) >= FD_PAGES)
        return NULL;
    _Atomic(_Atomic unsigned char *) *slot = &fd_pages[fd >> FD_PAGE_BITS];
    _Atomic unsigned char *page = atomic_load_explicit(slot, memory_order_acquire);
    if (!page && create) {
        _Atomic unsigned char *fresh = calloc(1u << FD_PAGE_BITS, sizeof *fresh);
        if (!fresh)
            return NULL;
        _Atomic unsigned char *expected = NULL;
        if (atomic_compare_exchange_strong_explicit(slot, &expected, fresh, memory_order_acq_rel,
                                                    memory_order_acquire))
            page = fresh;
        else {
            free((void *)fresh);
            page = expected;
        }
    }
    return page ? &page[fd & ((1 << FD_PAGE_BITS) - 1)] : NULL;
}

static unsigned flags_get(int fd)
{
    _Atomic unsigned char *f = fd_flags(fd, 0);
    return f ? atomic_load_explicit(f, memory_order_relaxed) : 0;
}

static void flags_set(int fd, unsigned bits)
{
    _Atomic unsigned char *f = fd_flags(fd, 1);
    if (f)
        atomic_fetch_or_explicit(f, (unsigned char)bits, memory_order_relaxed);
}

static void flags_clear(int fd, unsigned bits)
{
    _Atomic unsigned char *f = fd_flags(fd, 0);
    if (f)
        atomic_fetch_and_explicit(f, (unsigned char)~bits, memory_order_relaxed);
}

static void flags_reset(int fd)
{
    _Atomic unsigned char *f = fd_flags(fd, 1);
    if (f)
        atomic_store_explicit(f, 0, memory_order_relaxed);
}

/* ---- fault-safe copies ---------------------------------------------------------------------
 * The one mechanism of the Winsock layer (ws_probe.c): a direct copy under ovio's fault handler,
 * so a bad pointer gives -EFAULT, without a system call per argument. */
int sys__mem_read(void *dst, const void *src, size_t len)
{
    if (len == 0)
        return 0;
    if (!dst || !src)
        return -EFAULT;
    return ws__mem_read(dst, src, len);
}

int sys__mem_write(void *dst, const void *src, size_t len)
{
    if (len == 0)
        return 0;
    if (!dst || !src)
        return -EFAULT;
    return ws__mem_write(dst, src, len);
}

/* ---- addresses ------------------------------------------------------------------------------- */
int sys__addr_to_linux(const struct sys_addr *a, void *lin, uint32_t *lin_len)
{
    memset(lin, 0, SYS_LINUX_SOCKADDR_MAX);
    switch (a->family) {
    case SYS_AF_INET: {
        struct sockaddr_in *in = lin;
        in->sin_family = AF_INET;
        in->sin_port = a->port_be;
        memcpy(&in->sin_addr, a->ip, 4);
        *lin_len = sizeof *in;
        return 0;
    }
    case SYS_AF_INET6: {
        struct sockaddr_in6 *in6 = lin;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = a->port_be;
        in6->sin6_flowinfo = a->flowinfo_be;
        memcpy(&in6->sin6_addr, a->ip, 16);
        in6->sin6_scope_id = a->scope_id;
        *lin_len = sizeof *in6;
        return 0;
    }
    case SYS_AF_UNIX: {
        struct sockaddr_un *un = lin;
        if (a->path_len > sizeof un->sun_path)
            return -EINVAL;
        un->sun_family = AF_UNIX;
        memcpy(un->sun_path, a->path, a->path_len);
        *lin_len = (uint32_t)(offsetof(struct sockaddr_un, sun_path) + a->path_len);
        return 0;
    }
    case SYS_AF_UNSPEC: {
        struct sockaddr *sa = lin;
        sa->sa_family = AF_UNSPEC;
        *lin_len = sizeof *sa;
        return 0;
    }
    default:
        return -EAFNOSUPPORT;
    }
}

int sys__addr_from_linux(const void *lin, uint32_t lin_len, struct sys_addr *a)
{
    const struct sockaddr *sa = lin;
    memset(a, 0, sizeof *a);
    if (lin_len < sizeof sa->sa_family)
        return -EINVAL;
    switch (sa->sa_family) {
    case AF_INET: {
        const struct sockaddr_in *in = lin;
        a->family = SYS_AF_INET;
        a->port_be = in->sin_port;
        memcpy(a->ip, &in->sin_addr, 4);
        return 0;
    }
    case AF_INET6: {
        const struct sockaddr_in6 *in6 = lin;
        a->family = SYS_AF_INET6;
        a->port_be = in6->sin6_port;
        a->flowinfo_be = in6->sin6_flowinfo;
        memcpy(a->ip, &in6->sin6_addr, 16);
        a->scope_id = in6->sin6_scope_id;
        return 0;
    }
    case AF_UNIX: {
        const struct sockaddr_un *un = lin;
        size_t n = lin_len - offsetof(struct sockaddr_un, sun_path);
        a->family = SYS_AF_UNIX;
        if (lin_len <= offsetof(struct sockaddr_un, sun_path))
            n = 0;
        if (n > sizeof a->path)
            n = sizeof a->path;
        memcpy(a->path, un->sun_path, n);
        a->path_len = (uint32_t)n;
        return 0;
    }
    case AF_UNSPEC:
        a->family = SYS_AF_UNSPEC;
        return 0;
    default:
        a->family = SYS_AF_OTHER;
        return 0;
    }
}

static int linux_af(enum sys_af af)
{
    switch (af) {
    case SYS_AF_INET:
        return AF_INET;
    case SYS_AF_INET6:
        return AF_INET6;
    case SYS_AF_UNIX:
        return AF_UNIX;
    default:
        return -1;
    }
}

/* ---- sockets --------------------------------------------------------------------------------- */
static int is_nonblocking(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl >= 0 && (fl & O_NONBLOCK);
}

static int sock_type(int fd)
{
    int type = 0;
    socklen_t len = sizeof type;
    return getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 ? type : -errno;
}

int sys__socket(enum sys_af af, int type, int protocol)
{
    int laf = linux_af(af);
    if (laf < 0)
        return -EAFNOSUPPORT;
    /* Windows types are 1..5; anything else would reach Linux's SOCK_NONBLOCK/CLOEXEC bits. */
    if (type < SOCK_STREAM || type > SOCK_SEQPACKET)
        return -ESOCKTNOSUPPORT;
    int fd = socket(laf, type | SOCK_CLOEXEC, protocol);
    if (fd < 0)
        return -errno;
    flags_reset(fd);
    if (laf == AF_INET6) {
        /* Windows' default is IPv6-only; Linux's (bindv6only=0) would make [::]:port collide
         * with a separate 0.0.0.0:port socket that works on Windows. */
        int on = 1;
        (void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
    }
    return fd;
}

int sys__family(int fd)
{
    int domain = 0;
    socklen_t len = sizeof domain;
    if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0)
        return -errno;
    switch (domain) {
    case AF_INET:
        return SYS_AF_INET;
    case AF_INET6:
        return SYS_AF_INET6;
    case AF_UNIX:
        return SYS_AF_UNIX;
    default:
        return SYS_AF_OTHER;
    }
}

int sys__is_stream(int fd)
{
    int type = sock_type(fd);
    return type < 0 ? type : type == SOCK_STREAM;
}

int sys__bind(int fd, const struct sys_addr *a)
{
    unsigned char lin[SYS_LINUX_SOCKADDR_MAX];
    uint32_t len;
    int rc = sys__addr_to_linux(a, lin, &len);
    if (rc < 0)
        return rc;
    /* Windows lets a listener restart on a port whose old connections are in TIME_WAIT; Linux
     * does so only with SO_REUSEADDR.  Stream sockets therefore get it unless the program asked
     * for exclusive use.  Two listeners on one port still fail on Linux, as on Windows. */
    if (a->family != SYS_AF_UNIX && sock_type(fd) == SOCK_STREAM &&
        !(flags_get(fd) & FDF_EXCLUSIVE)) {
        int on = 1;
        (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    }
    return bind(fd, (const struct sockaddr *)lin, len) < 0 ? -errno : 0;
}

/* Linux binds an unbound socket implicitly in listen() and reports 0.0.0.0:0 from getsockname();
 * Windows fails both with WSAEINVAL. */
static int is_unbound(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
        return 0;
    if (ss.ss_family == AF_INET)
        return ((struct sockaddr_in *)&ss)->sin_port == 0;
    if (ss.ss_family == AF_INET6)
        return ((struct sockaddr_in6 *)&ss)->sin6_port == 0;
    if (ss.ss_family == AF_UNIX)
        return len <= offsetof(struct sockaddr_un, sun_path);
    return 0;
}

int sys__listen(int fd, int backlog)
{
    if (is_unbound(fd))
        return -EINVAL;
    /* SOMAXCONN_HINT(n) is -n: n clamped to [200, 65535]. */
    if (backlog < 0)
        backlog = backlog < -65535 ? 65535 : (-backlog < 200 ? 200 : -backlog);
    return listen(fd, backlog) < 0 ? -errno : 0;
}

/* EAGAIN from a call on a socket the program left blocking means its SO_RCVTIMEO/SO_SNDTIMEO ran
 * out; Windows reports that as WSAETIMEDOUT. */
static int would_block_error(int fd)
{
    return is_nonblocking(fd) ? -EAGAIN : -ETIMEDOUT;
}

int sys__accept(int fd, struct sys_addr *peer)
{
    struct sockaddr_storage ss;
    for (;;) {
        socklen_t len = sizeof ss;
        int nfd = accept4(fd, (struct sockaddr *)&ss, &len, SOCK_CLOEXEC);
        if (nfd >= 0) {
            flags_reset(nfd);
            /* The accepted socket inherits the listener's mode, as on Windows (Linux's does not).
             */
            if (is_nonblocking(fd)) {
                int fl = fcntl(nfd, F_GETFL);
                if (fl >= 0)
                    (void)fcntl(nfd, F_SETFL, fl | O_NONBLOCK);
            }
            if (peer)
                (void)sys__addr_from_linux(&ss, len, peer);
            return nfd;
        }
        int err = errno;
        if (err == EINTR)
            continue;
        /* A connection that was reset before we took it: Windows never shows it. */
        if ((err == ECONNABORTED || err == EPROTO) && !is_nonblocking(fd))
            continue;
        if (err == EAGAIN || err == EWOULDBLOCK)
            return would_block_error(fd);
        return -err;
    }
}

/* Wait for a blocking connect that a signal interrupted, and give its outcome. */
static int connect_finish(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    while (poll(&p, 1, -1) < 0) {
        if (errno != EINTR)
            return -errno;
    }
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
        return -errno;
    return err ? -err : 0;
}

int sys__connect(int fd, const struct sys_addr *a)
{
    unsigned char lin[SYS_LINUX_SOCKADDR_MAX];
    uint32_t len;
    struct sys_addr target = *a;

    /* Windows dissolves a datagram socket's association with a connect to the any address and
     * port 0; Linux with AF_UNSPEC. */
    if ((a->family == SYS_AF_INET || a->family == SYS_AF_INET6) && a->port_be == 0 &&
        sock_type(fd) == SOCK_DGRAM) {
        static const uint8_t zero[16];
        if (memcmp(a->ip, zero, a->family == SYS_AF_INET ? 4 : 16) == 0)
            target.family = SYS_AF_UNSPEC;
    }
    int rc = sys__addr_to_linux(&target, lin, &len);
    if (rc < 0)
        return rc;
    if (connect(fd, (const struct sockaddr *)lin, len) == 0) {
        flags_clear(fd, FDF_CONNECTING);
        return 0;
    }
    int err = errno;
    if (err == EINPROGRESS) {
        /* Non-blocking: Windows says WSAEWOULDBLOCK; select() then reports the outcome. */
        flags_set(fd, FDF_CONNECTING);
        return -EAGAIN;
    }
    if (err == EINTR && !is_nonblocking(fd))
        return connect_finish(fd);
    return -err;
}

int sys__shutdown(int fd, int how)
{
    if (how < SHUT_RD || how > SHUT_RDWR)
        return -EINVAL;
    /* SD_RECEIVE refuses new receives but leaves a pending one alone (SPEC E8); Linux's SHUT_RD
     * would end it with end-of-stream, so receiving is shut in ovio's state only. */
    int linux_how = how == SHUT_RD ? -1 : SHUT_WR;
    if (linux_how >= 0 && shutdown(fd, linux_how) < 0)
        return -errno;
    if (linux_how < 0) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof ss;
        if (sock_type(fd) == SOCK_STREAM && getpeername(fd, (struct sockaddr *)&ss, &len) < 0)
            return -errno;
    }
    flags_set(fd, how == SHUT_RD   ? FDF_SHUT_RD
                  : how == SHUT_WR ? FDF_SHUT_WR
                                   : FDF_SHUT_RD | FDF_SHUT_WR);
    return 0;
}

int sys__getsockname(int fd, struct sys_addr *a)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
        return -errno;
    if (is_unbound(fd))
        return -EINVAL;
    return sys__addr_from_linux(&ss, len, a);
}

int sys__getpeername(int fd, struct sys_addr *a)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getpeername(fd, (struct sockaddr *)&ss, &len) < 0)
        return -errno;
    return sys__addr_from_linux(&ss, len, a);
}

static int linux_msg_flags(int flags)
{
    int out = 0;
    if (flags & SYS_MSG_OOB)
        out |= MSG_OOB;
    if (flags & SYS_MSG_PEEK)
        out |= MSG_PEEK;
    if (flags & SYS_MSG_DONTROUTE)
        out |= MSG_DONTROUTE;
    if (flags & SYS_MSG_WAITALL)
        out |= MSG_WAITALL;
    return out;
}

/* Linux says EPIPE for a send on a stream that cannot send.  Windows distinguishes a local
 * shutdown (WSAESHUTDOWN), a socket that was never connected (WSAENOTCONN) and a connection the
 * peer reset (WSAECONNRESET). */
static int epipe_error(int fd)
{
    if (flags_get(fd) & FDF_SHUT_WR)
        return -ESHUTDOWN;
    struct tcp_info ti;
    socklen_t len = sizeof ti;
    memset(&ti, 0, sizeof ti);
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0) {
        switch (ti.tcpi_state) {
        case TCP_FIN_WAIT1:
        case TCP_FIN_WAIT2:
        case TCP_CLOSING:
        case TCP_TIME_WAIT:
        case TCP_LAST_ACK:
            return -ESHUTDOWN; /* shut down by someone else (DisconnectEx) */
        case TCP_CLOSE:
            /* No round trip was ever measured: the handshake never completed. */
            return ti.tcpi_rtt == 0 ? -ENOTCONN : -ECONNRESET;
        default:
            break;
        }
    }
    return -ECONNRESET;
}

ssize_t sys__send(int fd, const void *buf, size_t len, int flags, const struct sys_addr *to)
{
    unsigned char lin[SYS_LINUX_SOCKADDR_MAX];
    uint32_t lin_len = 0;
    int stream = sock_type(fd) == SOCK_STREAM;
    if (stream)
        to = NULL; /* Windows ignores the address on a connection-oriented socket */
    if (to) {
        int rc = sys__addr_to_linux(to, lin, &lin_len);
        if (rc < 0)
            return rc;
    }
    if (flags_get(fd) & FDF_SHUT_WR)
        return -ESHUTDOWN;
    /* MSG_NOSIGNAL always: a reset peer must give WSAECONNRESET, never kill the process. */
    int lflags = linux_msg_flags(flags) | MSG_NOSIGNAL;
    int blocking = !is_nonblocking(fd);
    size_t done = 0;
    for (;;) {
        ssize_t n = sendto(fd, (const char *)buf + done, len - done, lflags,
                           to ? (const struct sockaddr *)lin : NULL, to ? lin_len : 0);
        if (n >= 0) {
            done += (size_t)n;
            /* A blocking Windows send returns once everything is buffered. */
            if (stream && blocking && done < len)
                continue;
            return (ssize_t)done;
        }
        int err = errno;
        if (err == EINTR)
            continue;
        if (done > 0)
            return (ssize_t)done;
        if (err == EAGAIN || err == EWOULDBLOCK)
            return would_block_error(fd);
        if (err == EPIPE)
            return stream ? epipe_error(fd) : -ESHUTDOWN;
        if (err == EDESTADDRREQ)
            return -ENOTCONN; /* an unconnected datagram socket without a destination */
        return -err;
    }
}

ssize_t sys__recv(int fd, void *buf, size_t len, int flags, struct sys_addr *from)
{
    struct sockaddr_storage ss;
    if (flags_get(fd) & FDF_SHUT_RD)
        return -ESHUTDOWN;
    for (;;) {
        struct iovec iov = {buf, len};
        struct msghdr msg = {
            .msg_name = from ? &ss : NULL,
            .msg_namelen = from ? sizeof ss : 0,
            .msg_iov = &iov,
            .msg_iovlen = 1,
        };
        ssize_t n = recvmsg(fd, &msg, linux_msg_flags(flags));
        if (n >= 0) {
            if (from)
                (void)sys__addr_from_linux(&ss, msg.msg_namelen, from);
            /* Windows fills the buffer, then fails the call with WSAEMSGSIZE. */
            if (msg.msg_flags & MSG_TRUNC)
                return -EMSGSIZE;
            return n;
        }
        int err = errno;
        if (err == EINTR)
            continue;
        if (err == EAGAIN || err == EWOULDBLOCK)
            return would_block_error(fd);
        return -err;
    }
}

/* ---- socket options ---------------------------------------------------------------------------
 */
struct linux_opt {
    int level;
    int name;
};

static int opt_lookup(enum sys_opt opt, struct linux_opt *out)
{
    static const struct linux_opt table[] = {
        [SYS_SO_DEBUG] = {SOL_SOCKET, SO_DEBUG},
        [SYS_SO_ACCEPTCONN] = {SOL_SOCKET, SO_ACCEPTCONN},
        [SYS_SO_REUSEADDR] = {SOL_SOCKET, SO_REUSEADDR},
        [SYS_SO_EXCLUSIVEADDRUSE] = {-1, -1}, /* flags only */
        [SYS_SO_KEEPALIVE] = {SOL_SOCKET, SO_KEEPALIVE},
        [SYS_SO_DONTROUTE] = {SOL_SOCKET, SO_DONTROUTE},
        [SYS_SO_BROADCAST] = {SOL_SOCKET, SO_BROADCAST},
        [SYS_SO_OOBINLINE] = {SOL_SOCKET, SO_OOBINLINE},
        [SYS_SO_SNDBUF] = {SOL_SOCKET, SO_SNDBUF},
        [SYS_SO_RCVBUF] = {SOL_SOCKET, SO_RCVBUF},
        [SYS_SO_SNDLOWAT] = {SOL_SOCKET, SO_SNDLOWAT},
        [SYS_SO_RCVLOWAT] = {SOL_SOCKET, SO_RCVLOWAT},
        [SYS_SO_SNDTIMEO] = {SOL_SOCKET, SO_SNDTIMEO},
        [SYS_SO_RCVTIMEO] = {SOL_SOCKET, SO_RCVTIMEO},
        [SYS_SO_ERROR] = {SOL_SOCKET, SO_ERROR},
        [SYS_SO_TYPE] = {SOL_SOCKET, SO_TYPE},
        [SYS_TCP_NODELAY] = {IPPROTO_TCP, TCP_NODELAY},
        [SYS_TCP_KEEPIDLE] = {IPPROTO_TCP, TCP_KEEPIDLE},
        [SYS_TCP_KEEPINTVL] = {IPPROTO_TCP, TCP_KEEPINTVL},
        [SYS_TCP_KEEPCNT] = {IPPROTO_TCP, TCP_KEEPCNT},
        [SYS_TCP_MAXSEG] = {IPPROTO_TCP, TCP_MAXSEG},
        [SYS_IP_TTL] = {IPPROTO_IP, IP_TTL},
        [SYS_IP_TOS] = {IPPROTO_IP, IP_TOS},
        [SYS_IP_HDRINCL] = {IPPROTO_IP, IP_HDRINCL},
        [SYS_IP_MULTICAST_IF] = {IPPROTO_IP, IP_MULTICAST_IF},
        [SYS_IP_MULTICAST_TTL] = {IPPROTO_IP, IP_MULTICAST_TTL},
        [SYS_IP_MULTICAST_LOOP] = {IPPROTO_IP, IP_MULTICAST_LOOP},
        [SYS_IP_DONTFRAGMENT] = {IPPROTO_IP, IP_MTU_DISCOVER},
        [SYS_IP_PKTINFO] = {IPPROTO_IP, IP_PKTINFO},
        [SYS_IP_ADD_MEMBERSHIP] = {IPPROTO_IP, IP_ADD_MEMBERSHIP},
        [SYS_IP_DROP_MEMBERSHIP] = {IPPROTO_IP, IP_DROP_MEMBERSHIP},
        [SYS_IPV6_V6ONLY] = {IPPROTO_IPV6, IPV6_V6ONLY},
        [SYS_IPV6_UNICAST_HOPS] = {IPPROTO_IPV6, IPV6_UNICAST_HOPS},
        [SYS_IPV6_MULTICAST_IF] = {IPPROTO_IPV6, IPV6_MULTICAST_IF},
        [SYS_IPV6_MULTICAST_HOPS] = {IPPROTO_IPV6, IPV6_MULTICAST_HOPS},
        [SYS_IPV6_MULTICAST_LOOP] = {IPPROTO_IPV6, IPV6_MULTICAST_LOOP},
        [SYS_IPV6_PKTINFO] = {IPPROTO_IPV6, IPV6_RECVPKTINFO},
        [SYS_IPV6_ADD_MEMBERSHIP] = {IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP},
        [SYS_IPV6_DROP_MEMBERSHIP] = {IPPROTO_IPV6, IPV6_DROP_MEMBERSHIP},
    };
    if ((unsigned)opt >= sizeof table / sizeof table[0])
        return -ENOPROTOOPT;
    *out = table[opt];
    return 0;
}

int sys__setopt_int(int fd, enum sys_opt opt, int value)
{
    struct linux_opt lo;
    int rc = opt_lookup(opt, &lo);
    if (rc < 0)
        return rc;
    unsigned fl = flags_get(fd);
    switch (opt) {
    case SYS_SO_EXCLUSIVEADDRUSE:
        /* Windows refuses to combine the two. */
        if (value && (fl & FDF_USER_REUSEADDR))
            return -EINVAL;
        if (value)
            flags_set(fd, FDF_EXCLUSIVE);
        else
            flags_clear(fd, FDF_EXCLUSIVE);
        return sock_type(fd) < 0 ? -ENOTSOCK : 0;
    case SYS_SO_REUSEADDR:
        if (value && (fl & FDF_EXCLUSIVE))
            return -EINVAL;
        value = value != 0;
        if (setsockopt(fd, lo.level, lo.name, &value, sizeof value) < 0)
            return -errno;
        if (value)
            flags_set(fd, FDF_USER_REUSEADDR);
        else
            flags_clear(fd, FDF_USER_REUSEADDR);
        return 0;
    case SYS_SO_SNDTIMEO:
    case SYS_SO_RCVTIMEO: {
        /* Windows: DWORD milliseconds (0 = no timeout); Linux: a timeval. */
        unsigned ms = (unsigned)value;
        struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
        return setsockopt(fd, lo.level, lo.name, &tv, sizeof tv) < 0 ? -errno : 0;
    }
    case SYS_IP_DONTFRAGMENT: {
        int mode = value ? IP_PMTUDISC_DO : IP_PMTUDISC_DONT;
        return setsockopt(fd, lo.level, lo.name, &mode, sizeof mode) < 0 ? -errno : 0;
    }
    default:
        return setsockopt(fd, lo.level, lo.name, &value, sizeof value) < 0 ? -errno : 0;
    }
}

int sys__getopt_int(int fd, enum sys_opt opt, int *value)
{
    struct linux_opt lo;
    int rc = opt_lookup(opt, &lo);
    if (rc < 0)
        return rc;
    socklen_t len;
    switch (opt) {
    case SYS_SO_EXCLUSIVEADDRUSE:
        if (sock_type(fd) < 0)
            return -ENOTSOCK;
        *value = (flags_get(fd) & FDF_EXCLUSIVE) != 0;
        return 0;
    case SYS_SO_REUSEADDR:
        /* What the program set: bind() may have turned it on for its own reasons. */
        if (sock_type(fd) < 0)
            return -ENOTSOCK;
        *value = (flags_get(fd) & FDF_USER_REUSEADDR) != 0;
        return 0;
    case SYS_SO_SNDTIMEO:
    case SYS_SO_RCVTIMEO: {
        struct timeval tv;
        len = sizeof tv;
        if (getsockopt(fd, lo.level, lo.name, &tv, &len) < 0)
            return -errno;
        long long ms = (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
        *value = (int)(unsigned)(ms > 0xFFFFFFFFLL ? 0xFFFFFFFFLL : ms);
        return 0;
    }
    case SYS_IP_DONTFRAGMENT: {
        int mode = 0;
        len = sizeof mode;
        if (getsockopt(fd, lo.level, lo.name, &mode, &len) < 0)
            return -errno;
        *value = mode == IP_PMTUDISC_DO;
        return 0;
    }
    case SYS_SO_SNDBUF:
    case SYS_SO_RCVBUF: {
        /* Linux doubles the size it is given (for its bookkeeping) and reports the double;
         * Windows reports what was set.  Halving makes a set-then-get round trip agree. */
        int v = 0;
        len = sizeof v;
        if (getsockopt(fd, lo.level, lo.name, &v, &len) < 0)
            return -errno;
        *value = v / 2;
        return 0;
    }
    default: {
        int v = 0;
        len = sizeof v;
        if (getsockopt(fd, lo.level, lo.name, &v, &len) < 0)
            return -errno;
        /* Boolean options may come back as any non-zero value, or as a single byte. */
        *value = len == 1 ? *(unsigned char *)&v : v;
        return 0;
    }
    }
}

int sys__setopt_bytes(int fd, enum sys_opt opt, const void *val, size_t len)
{
    struct linux_opt lo;
    int rc = opt_lookup(opt, &lo);
    if (rc < 0)
        return rc;
    return setsockopt(fd, lo.level, lo.name, val, (socklen_t)len) < 0 ? -errno : 0;
}

int sys__set_linger(int fd, int onoff, int seconds)
{
    struct linger l = {.l_onoff = onoff != 0, .l_linger = seconds};
    return setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l) < 0 ? -errno : 0;
}

int sys__get_linger(int fd, int *onoff, int *seconds)
{
    struct linger l;
    socklen_t len = sizeof l;
    if (getsockopt(fd, SOL_SOCKET, SO_LINGER, &l, &len) < 0)
        return -errno;
    *onoff = l.l_onoff != 0;
    *seconds = l.l_linger;
    return 0;
}

/* ---- ioctlsocket ----------------------------------------------------------------------------- */
int sys__set_nonblocking(int fd, int on)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0)
        return -errno;
    int want = on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK);
    if (want != fl && fcntl(fd, F_SETFL, want) < 0)
        return -errno;
    return 0;
}

int sys__nread(int fd, uint32_t *bytes)
{
    int n = 0;
    if (ioctl(fd, FIONREAD, &n) < 0)
        return -errno;
    *bytes = n < 0 ? 0 : (uint32_t)n;
    return 0;
}

int sys__no_oob_pending(int fd, int *yes)
{
    int at_mark = 0;
    if (ioctl(fd, SIOCATMARK, &at_mark) < 0)
        return -errno;
    if (at_mark) {
        /* The next byte is the urgent one: no ordinary data precedes the mark. */
        *yes = 1;
        return 0;
    }
    /* Is there urgent data further on?  Peeking at it tells without consuming anything: EINVAL
     * means none (or it is inline), EAGAIN that it is announced but not here yet. */
    char c;
    ssize_t n = recv(fd, &c, 1, MSG_OOB | MSG_PEEK | MSG_DONTWAIT);
    *yes = n < 0 && errno == EINVAL;
    return 0;
}

/* ---- select and poll --------------------------------------------------------------------------
 */
static short linux_poll_events(unsigned ev)
{
    short out = 0;
    if (ev & SYS_POLL_IN)
        out |= POLLIN;
    if (ev & SYS_POLL_RDBAND)
        out |= POLLRDBAND;
    if (ev & SYS_POLL_PRI)
        out |= POLLPRI;
    if (ev & SYS_POLL_OUT)
        out |= POLLOUT;
    if (ev & SYS_POLL_WRBAND)
        out |= POLLWRBAND;
    return out;
}

static unsigned sys_poll_events(short ev)
{
    unsigned out = 0;
    if (ev & POLLIN)
        out |= SYS_POLL_IN;
    if (ev & POLLRDBAND)
        out |= SYS_POLL_RDBAND;
    if (ev & POLLPRI)
        out |= SYS_POLL_PRI;
    if (ev & POLLOUT)
        out |= SYS_POLL_OUT;
    if (ev & POLLWRBAND)
        out |= SYS_POLL_WRBAND;
    if (ev & POLLERR)
        out |= SYS_POLL_ERR;
    if (ev & POLLHUP)
        out |= SYS_POLL_HUP;
    if (ev & POLLNVAL)
        out |= SYS_POLL_NVAL;
    return out;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* poll() that survives signals: restarted with the time that is left. */
static int poll_restarting(struct pollfd *p, size_t n, int timeout_ms)
{
    long long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
    for (;;) {
        int rc = poll(p, (nfds_t)n, timeout_ms);
        if (rc >= 0)
            return rc;
        if (errno != EINTR)
            return -errno;
        if (deadline >= 0) {
            long long left = deadline - now_ms();
            timeout_ms = left > 0 ? (int)left : 0;
        }
    }
}

int sys__poll(struct sys_pollfd *fds, size_t n, int timeout_ms)
{
    struct pollfd small[64];
    struct pollfd *p = n <= 64 ? small : calloc(n, sizeof *p);
    if (!p)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        p[i].fd = fds[i].fd;
        p[i].events = linux_poll_events(fds[i].events);
        p[i].revents = 0;
    }
    int rc = poll_restarting(p, n, timeout_ms);
    if (rc >= 0) {
        for (size_t i = 0; i < n; i++)
            fds[i].revents = p[i].fd < 0 ? 0 : sys_poll_events(p[i].revents);
    }
    if (p != small)
        free(p);
    return rc;
}

int sys__select(struct sys_selfd *fds, size_t n, int timeout_ms)
{
    struct pollfd small[64];
    struct pollfd *p = n <= 64 ? small : calloc(n, sizeof *p);
    if (!p)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        p[i].fd = fds[i].fd;
        p[i].events = 0;
        if (fds[i].want & SYS_SEL_READ)
            p[i].events |= POLLIN;
        if (fds[i].want & SYS_SEL_WRITE)
            p[i].events |= POLLOUT;
        if (fds[i].want & SYS_SEL_EXCEPT)
            p[i].events |= POLLPRI | POLLOUT; /* POLLOUT: to see a connect finish */
        fds[i].got = 0;
    }
    int rc = poll_restarting(p, n, timeout_ms);
    if (rc < 0)
        goto out;
    rc = 0;
    for (size_t i = 0; i < n; i++) {
        short re = p[i].revents;
        unsigned got = 0;
        if (re & POLLNVAL) {
            rc = -EBADF; /* closed while we waited */
            goto out;
        }
        int connecting = (flags_get(p[i].fd) & FDF_CONNECTING) != 0;
        if (connecting && (re & (POLLERR | POLLHUP))) {
            /* The connect failed: only exceptfds hears of it (SO_ERROR keeps the reason). */
            got |= SYS_SEL_EXCEPT;
            flags_clear(p[i].fd, FDF_CONNECTING);
        } else if (connecting && (re & POLLOUT)) {
            flags_clear(p[i].fd, FDF_CONNECTING);
            connecting = 0;
        }
        if (!connecting) {
            /* Readable also covers a pending connection, end of stream and a reset. */
            if (re & (POLLIN | POLLHUP | POLLERR))
                got |= SYS_SEL_READ;
            if (re & (POLLOUT | POLLERR))
                got |= SYS_SEL_WRITE;
            if (re & POLLPRI)
                got |= SYS_SEL_EXCEPT;
        }
        fds[i].got = got & fds[i].want;
        if (fds[i].got)
            rc++;
    }
out:
    if (p != small)
        free(p);
    return rc;
}

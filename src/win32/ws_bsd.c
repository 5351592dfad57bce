/*
 * The BSD-style Winsock calls, Windows side: socket/WSASocket, bind, listen, accept, connect,
 * shutdown, send/recv/sendto/recvfrom, setsockopt/getsockopt, ioctlsocket, getsockname,
 * getpeername, select and WSAPoll.
 *
 * Each call checks its arguments the way Windows does (WSAENOTSOCK, WSAEFAULT, WSAEINVAL, ...),
 * translates Windows structures and constants into sys_net.h's neutral forms, and lets sys_net.c
 * make the Linux call.  Errors are set only through ws_internal.h.  Functions sharing a C library
 * name are defined under that name and get their ovio_ws_ symbol from the header's asm label.
 */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <mswsock.h>

#include "sys_net.h"
#include "ws_addr.h"
#include "ovio.h"
#include "ws_internal.h"

/* Sets the Winsock error for a negative errno from sys_net and returns SOCKET_ERROR. */
static int fail(int neg_errno)
{
    ws__fail_errno(-neg_errno);
    return SOCKET_ERROR;
}

static int fail_wsa(DWORD code)
{
    ws__set_error(code);
    return SOCKET_ERROR;
}

/* ---- creating sockets ------------------------------------------------------------------------ */
static enum sys_af sys_family(int af)
{
    switch (af) {
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

static SOCKET make_socket(int af, int type, int protocol, int overlapped)
{
    enum sys_af saf = sys_family(af);
    if (saf == SYS_AF_OTHER) {
        ws__set_error(WSAEAFNOSUPPORT);
        return INVALID_SOCKET;
    }
    int fd = sys__socket(saf, type, protocol);
    if (fd < 0) {
        ws__fail_errno(-fd);
        return INVALID_SOCKET;
    }
    uintptr_t s = ws__socket_new(fd, overlapped);
    if (s == WS__INVALID_SOCKET)
        return INVALID_SOCKET; /* fd closed and error set by the core */
    ws__set_error(0);
    return (SOCKET)s;
}

static SOCKET wsa_socket(int af, int type, int protocol, const void *info, GROUP g, DWORD flags)
{
    if (!ws__started())
        return INVALID_SOCKET;
    if (info) {
        /* Protocol catalogue entries are not implemented (SPEC K5). */
        ws__set_error(WSAEOPNOTSUPP);
        return INVALID_SOCKET;
    }
    if (g != 0 || (flags & (WSA_FLAG_MULTIPOINT_C_ROOT | WSA_FLAG_MULTIPOINT_C_LEAF |
                            WSA_FLAG_MULTIPOINT_D_ROOT | WSA_FLAG_MULTIPOINT_D_LEAF))) {
        ws__set_error(WSAEINVAL);
        return INVALID_SOCKET;
    }
    /* WSA_FLAG_NO_HANDLE_INHERIT is always in effect (close-on-exec). */
    return make_socket(af, type, protocol, (flags & WSA_FLAG_OVERLAPPED) != 0);
}

SOCKET WSAAPI socket(int af, int type, int protocol)
{
    /* socket() makes overlapped-capable sockets, as on Windows (SPEC A7). */
    return wsa_socket(af, type, protocol, NULL, 0, WSA_FLAG_OVERLAPPED);
}

SOCKET WSAAPI WSASocketA(int af, int type, int protocol, LPWSAPROTOCOL_INFOA lpProtocolInfo,
                         GROUP g, DWORD dwFlags)
{
    return wsa_socket(af, type, protocol, lpProtocolInfo, g, dwFlags);
}

SOCKET WSAAPI WSASocketW(int af, int type, int protocol, LPWSAPROTOCOL_INFOW lpProtocolInfo,
                         GROUP g, DWORD dwFlags)
{
    return wsa_socket(af, type, protocol, lpProtocolInfo, g, dwFlags);
}

/* ---- addresses and connections --------------------------------------------------------------- */
int WSAAPI bind(SOCKET s, const struct sockaddr *name, int namelen)
{
    struct sys_addr a;
    int fd = ws__socket_fd(s);
    if (fd < 0)
        return SOCKET_ERROR;
    int rc = ws__addr_in(name, namelen, &a);
    if (rc == 0)
        rc = sys__bind(fd, &a);
    return rc < 0 ? fail(rc) : 0;
}

int WSAAPI listen(SOCKET s, int backlog)
{
    int fd = ws__socket_fd(s);
    if (fd < 0)
        return SOCKET_ERROR;
    int rc = sys__listen(fd, backlog);
    return rc < 0 ? fail(rc) : 0;
}

/* The Windows sockaddr size for fd's family, or a negative errno. */
static int family_addr_size(int fd)
{
    int af = sys__family(fd);
    if (af < 0)
        return af;
    int size = ws__addr_size((enum sys_af)af);
    return size > 0 ? size : -EAFNOSUPPORT;
}

/* An output address buffer must be large enough for the socket's family before anything is
 * consumed: Windows fails with WSAEFAULT rather than truncating. */
static int check_addr_room(int fd, const void *addr, const int *addrlen)
{
    int room;
    if (!addr)
        return 0;
    if (sys__mem_read(&room, addrlen, sizeof room) < 0)
        return -EFAULT;
    int need = family_addr_size(fd);
    if (need < 0)
        return need;
    return room < need ? -EFAULT : 0;
}

SOCKET WSAAPI accept(SOCKET s, struct sockaddr *addr, int *addrlen)
{
    struct sys_addr peer;
    int fd = ws__socket_fd(s);
    if (fd < 0)
        return INVALID_SOCKET;
    int rc = check_addr_room(fd, addr, addrlen);
    if (rc < 0) {
        fail(rc);
        return INVALID_SOCKET;
    }
    int nfd = sys__accept(fd, addr ? &peer : NULL);
    ovio_net_reenable(fd, OVIO_NET_ACCEPT); /* accept re-enables FD_ACCEPT (WSAEventSelect) */
    if (nfd < 0) {
        fail(nfd);
        return INVALID_SOCKET;
    }
    uintptr_t ns = ws__socket_new(nfd, 1);
    if (ns == WS__INVALID_SOCKET)
        return INVALID_SOCKET;
    /* The room was checked above; a buffer that faults now only loses the address. */
    if (addr)
        (void)ws__addr_out(&peer, addr, addrlen);
    ws__set_error(0);
    return (SOCKET)ns;
}

SOCKET WSAAPI WSAAccept(SOCKET s, struct sockaddr *addr, LPINT addrlen,
                        LPCONDITIONPROC lpfnCondition, DWORD_PTR dwCallbackData)
{
    (void)dwCallbackData;
    if (lpfnCondition) {
        /* Conditional acceptance is not implemented (SPEC K5). */
        if (ws__socket_fd(s) >= 0)
            ws__set_error(WSAEOPNOTSUPP);
        return INVALID_SOCKET;
    }
    return accept(s, addr, addrlen);
}

int WSAAPI connect(SOCKET s, const struct sockaddr *name, int namelen)
{
    struct sys_addr a;
    int fd = ws__socket_fd(s);
    if (fd < 0)
        return SOCKET_ERROR;
    int rc = ws__addr_in(name, namelen, &a);
    if (rc == 0)
        rc = sys__connect(fd, &a); /* -EAGAIN: non-blocking, under way (WSAEWOULDBLOCK) */
    return rc < 0 ? fail(rc) : 0;
}

int WSAAPI WSAConnect(SOCKET s, const struct sockaddr *name, int namelen, LPWSABUF lpCallerData,
                      LPWSABUF lpCalleeData, LPQOS lpSQOS, LPQOS lpGQOS)
{
    if (ws__socket_fd(s) < 0)
        return SOCKET_ERROR;
    WSABUF caller = {0, NULL};
    if (lpCallerData && sys__mem_read(&caller, lpCallerData, sizeof caller) < 0)
        return fail_wsa(WSAEFAULT);
    /* TCP carries no connect data and ovio has no QOS (SPEC K5). */
    if (caller.len != 0 || lpSQOS || lpGQOS)
        return fail_wsa(WSAEOPNOTSUPP);
    int rc = connect(s, name, namelen);
    if (rc == 0 && lpCalleeData) {
        ULONG none = 0; /* no callee data came back */
        (void)sys__mem_write(&lpCalleeData->len, &none, sizeof none);
    }
    return rc;
}

int WSAAPI shutdown(SOCKET s, int how)
{
    int fd = ws__socket_fd(s);
    if (fd < 0)
        return SOCKET_ERROR;
    if (how != SD_RECEIVE && how != SD_SEND && how != SD_BOTH)
        return fail_wsa(WSAEINVAL);
    int rc = sys__shutdown(fd, how); /* SD_* are SHUT_*'s numbers */
    if (rc < 0)
        return fail(rc);
    ws__socket_shutdown(fd, how);
    return 0;
}

static int name_call(SOCKET s, struct sockaddr *name, int *namelen, int peer)
{
    struct sys_addr a;
    int fd = ws__socket_fd(s);
    if (fd < 0)
        return SOCKET_ERROR;
    if (!name || !namelen)
        return fail_wsa(WSAEFAULT);
    int rc = peer ? sys__getpeername(fd, &a) : sys__getsockname(fd, &a);
    if (rc == 0)
        rc = ws__addr_out(&a, name, namelen);
    return rc < 0 ? fail(rc) : 0;
}

int WSAAPI getsockname(SOCKET s, struct sockaddr *name, int *namelen)
{
    return name_call(s, name, namelen, 0);
}

int WSAAPI getpeername(SOCKET s, struct sockaddr *name, int *namelen)
{
    return name_call(s, name, namelen, 1);
}

/* ---- data ---------------------------------------------------------------------------------------
 */
/* Windows flags -> SYS_MSG_*, or -1 for a flag this direction does not take (WSAEOPNOTSUPP). */
static int sys_msg_flags(int flags, int receiving)
{
    int out = 0;
    if (flags & MSG_OOB)
        out |= SYS_MSG_OOB;
    if (flags & MSG_DONTROUTE)
        out |= SYS_MSG_DONTROUTE;
    if (receiving && (flags & MSG_PEEK))
        out |= SYS_MSG_PEEK;
    if (receiving && (flags & MSG_WAITALL))
        out |= SYS_MSG_WAITALL;
    int known =
        MSG_OOB | MSG_DONTROUTE | (receiving ? MSG_PEEK | MSG_WAITALL | MSG_PUSH_IMMEDIATE : 0);
    return (flags & ~known) ? -1 : out;
}

static int data_args(const void *buf, int len)
{
    if (len < 0 || (!buf && len > 0))
        return -EFAULT;
    return 0;
}

int WSAAPI sendto(SOCKET s, const char *buf, int len, int flags, const struct sockaddr *to,
                  int tolen)
{
    struct sys_addr a;
    int fd = ws__socket_fd(s);
    if (fd < 0)
        return SOCKET_ERROR;
    int rc = data_args(buf, len);
    if (rc < 0)
        return fail(rc);
    int sflags = sys_msg_flags(flags, 0);
    if (sflags < 0)
        return fail_wsa(WSAEOPNOTSUPP);
    /* On a connection-oriented socket the address is ignored, even a bad one. */
    if (to && sys__is_stream(fd) == 0) {
        rc = ws__addr_in(to, tolen, &a);
        if (rc < 0)
            return fail(rc);
    } else {
        to = NULL;
    }
    /* After a reset every call fails with WSAECONNRESET, as on Windows (SPEC E5). */
    int sticky = ws__socket_sticky(fd, 0, 1);
    if (sticky)
        return fail(-sticky);
    ssize_t n = sys__send(fd, buf, (size_t)len, sflags, to ? &a : NULL);
    if (n == -EAGAIN)
        ovio_net_reenable(fd, OVIO_NET_WRITE); /* FD_WRITE comes back once it would not block */
    if (n < 0 && (sticky = ws__socket_sticky(fd, (int)-n, 1)))
        return fail(-sticky);
    return n < 0 ? fail((int)n) : (int)n;
}

int WSAAPI send(SOCKET s, const char *buf, int len, int flags)
{
    return sendto(s, buf, len, flags, NULL, 0);
}

int WSAAPI recvfrom(SOCKET s, char *buf, int len, int flags, struct sockaddr *from, int *fromlen)
{
    struct sys_addr a;
    int fd = ws__socket_fd(s);
    if (fd < 0)
        return SOCKET_ERROR;
    int rc = data_args(buf, len);
    if (rc < 0)
        return fail(rc);
    int rflags = sys_msg_flags(flags, 1);
    if (rflags < 0)
        return fail_wsa(WSAEOPNOTSUPP);
    if (from && sys__is_stream(fd) != 0)
        from = NULL; /* ignored on connection-oriented sockets */
    rc = check_addr_room(fd, from, fromlen);
    if (rc < 0)
        return fail(rc);
    int sticky = ws__socket_sticky(fd, 0, 0);
    if (sticky)
        return fail(-sticky);
    ssize_t n = sys__recv(fd, buf, (size_t)len, rflags, from ? &a : NULL);
    if (n < 0)
        ws__socket_sticky(fd, (int)-n, 0);
    ovio_net_reenable(fd, (flags & MSG_OOB) ? OVIO_NET_OOB : OVIO_NET_READ);
    /* A truncated datagram (-EMSGSIZE) still tells where it came from. */
    if (from && (n >= 0 || n == -EMSGSIZE))
        (void)ws__addr_out(&a, from, fromlen);
    return n < 0 ? fail((int)n) : (int)n;
}

int WSAAPI recv(SOCKET s, char *buf, int len, int flags)
{
    return recvfrom(s, buf, len, flags, NULL, NULL);
}

/* ---- socket options -------------------------------------------------------------------------- */
enum opt_kind {
    K_BOOL,   /* BOOL; setsockopt also takes a single byte */
    K_INT,    /* int or DWORD */
    K_LINGER, /* struct linger with u_short fields */
    K_DONTLINGER,
    K_ERROR, /* read-only; the pending error as a Winsock code */
    K_NOOP,  /* accepted and ignored */
    K_BYTES, /* a structure with the same layout on both sides (set only) */
};

enum { RW = 0, RO = 1, WO = 2 };

struct opt_desc {
    int level;
    int name;
    enum sys_opt opt;
    enum opt_kind kind;
    int access;
    size_t bytes; /* K_BYTES: the structure's size */
};

static const struct opt_desc opt_table[] = {
    {SOL_SOCKET, SO_DEBUG, SYS_SO_DEBUG, K_BOOL, RW, 0},
    {SOL_SOCKET, SO_ACCEPTCONN, SYS_SO_ACCEPTCONN, K_BOOL, RO, 0},
    {SOL_SOCKET, SO_REUSEADDR, SYS_SO_REUSEADDR, K_BOOL, RW, 0},
    {SOL_SOCKET, SO_EXCLUSIVEADDRUSE, SYS_SO_EXCLUSIVEADDRUSE, K_BOOL, RW, 0},
    {SOL_SOCKET, SO_KEEPALIVE, SYS_SO_KEEPALIVE, K_BOOL, RW, 0},
    {SOL_SOCKET, SO_DONTROUTE, SYS_SO_DONTROUTE, K_BOOL, RW, 0},
    {SOL_SOCKET, SO_BROADCAST, SYS_SO_BROADCAST, K_BOOL, RW, 0},
    {SOL_SOCKET, SO_OOBINLINE, SYS_SO_OOBINLINE, K_BOOL, RW, 0},
    {SOL_SOCKET, SO_LINGER, SYS_SO_DEBUG, K_LINGER, RW, 0},
    {SOL_SOCKET, SO_DONTLINGER, SYS_SO_DEBUG, K_DONTLINGER, RW, 0},
    {SOL_SOCKET, SO_SNDBUF, SYS_SO_SNDBUF, K_INT, RW, 0},
    {SOL_SOCKET, SO_RCVBUF, SYS_SO_RCVBUF, K_INT, RW, 0},
    {SOL_SOCKET, SO_SNDLOWAT, SYS_SO_SNDLOWAT, K_INT, RW, 0},
    {SOL_SOCKET, SO_RCVLOWAT, SYS_SO_RCVLOWAT, K_INT, RW, 0},
    {SOL_SOCKET, SO_SNDTIMEO, SYS_SO_SNDTIMEO, K_INT, RW, 0}, /* DWORD milliseconds */
    {SOL_SOCKET, SO_RCVTIMEO, SYS_SO_RCVTIMEO, K_INT, RW, 0},
    {SOL_SOCKET, SO_ERROR, SYS_SO_ERROR, K_ERROR, RO, 0},
    {SOL_SOCKET, SO_TYPE, SYS_SO_TYPE, K_INT, RO, 0},
    /* They make an AcceptEx/ConnectEx socket inherit its properties; Linux sockets from
     * accept()/connect() are complete already. */
    {SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT, SYS_SO_DEBUG, K_NOOP, WO, 0},
    {SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, SYS_SO_DEBUG, K_NOOP, WO, 0},
    {IPPROTO_TCP, TCP_NODELAY, SYS_TCP_NODELAY, K_BOOL, RW, 0},
    {IPPROTO_TCP, TCP_KEEPIDLE, SYS_TCP_KEEPIDLE, K_INT, RW, 0},
    {IPPROTO_TCP, TCP_KEEPINTVL, SYS_TCP_KEEPINTVL, K_INT, RW, 0},
    {IPPROTO_TCP, TCP_KEEPCNT, SYS_TCP_KEEPCNT, K_INT, RW, 0},
    {IPPROTO_TCP, TCP_MAXSEG, SYS_TCP_MAXSEG, K_INT, RW, 0},
    {IPPROTO_IP, IP_TTL, SYS_IP_TTL, K_INT, RW, 0},
    {IPPROTO_IP, IP_TOS, SYS_IP_TOS, K_INT, RW, 0},
    {IPPROTO_IP, IP_HDRINCL, SYS_IP_HDRINCL, K_BOOL, RW, 0},
    {IPPROTO_IP, IP_MULTICAST_IF, SYS_IP_MULTICAST_IF, K_INT, RW, 0}, /* an IN_ADDR */
    {IPPROTO_IP, IP_MULTICAST_TTL, SYS_IP_MULTICAST_TTL, K_INT, RW, 0},
    {IPPROTO_IP, IP_MULTICAST_LOOP, SYS_IP_MULTICAST_LOOP, K_BOOL, RW, 0},
    {IPPROTO_IP, IP_DONTFRAGMENT, SYS_IP_DONTFRAGMENT, K_BOOL, RW, 0},
    {IPPROTO_IP, IP_PKTINFO, SYS_IP_PKTINFO, K_BOOL, RW, 0},
    {IPPROTO_IP, IP_ADD_MEMBERSHIP, SYS_IP_ADD_MEMBERSHIP, K_BYTES, WO, sizeof(IP_MREQ)},
    {IPPROTO_IP, IP_DROP_MEMBERSHIP, SYS_IP_DROP_MEMBERSHIP, K_BYTES, WO, sizeof(IP_MREQ)},
    {IPPROTO_IPV6, IPV6_V6ONLY, SYS_IPV6_V6ONLY, K_BOOL, RW, 0},
    {IPPROTO_IPV6, IPV6_UNICAST_HOPS, SYS_IPV6_UNICAST_HOPS, K_INT, RW, 0},
    {IPPROTO_IPV6, IPV6_MULTICAST_IF, SYS_IPV6_MULTICAST_IF, K_INT, RW, 0},
    {IPPROTO_IPV6, IPV6_MULTICAST_HOPS, SYS_IPV6_MULTICAST_HOPS, K_INT, RW, 0},
    {IPPROTO_IPV6, IPV6_MULTICAST_LOOP, SYS_IPV6_MULTICAST_LOOP, K_BOOL, RW, 0},
    {IPPROTO_IPV6, IPV6_PKTINFO, SYS_IPV6_PKTINFO, K_BOOL, RW, 0},
    {IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, SYS_IPV6_ADD_MEMBERSHIP, K_BYTES, WO, sizeof(IPV6_MREQ)},
    {IPPROTO_IPV6, IPV6_DROP_MEMBERSHIP, SYS_IPV6_DROP_MEMBERSHIP, K_BYTES, WO, sizeof(IPV6_MREQ)},
};

/* Our layouts are the ones Linux expects for these options. */
_Static_assert(sizeof(IP_MREQ) == 8 && sizeof(IPV6_MREQ) == 20, "multicast request layouts");

/* The option's descriptor, or NULL with the Winsock error to report in *err. */
static const struct opt_desc *find_opt(int level, int name, DWORD *err)
{
    int level_known = 0;
    for (size_t i = 0; i < sizeof opt_table / sizeof opt_table[0]; i++) {
        if (opt_table[i].level != level)
            continue;
        level_known = 1;
        if (opt_table[i].name == name)
            return &opt_table[i];
    }
    *err = level_known ? WSAENOPROTOOPT : WSAEINVAL;
    return NULL;
}

int WSAAPI setsockopt(SOCKET s, int level, int optname, const char *optval, int optlen)
{
    DWORD err;
    int fd = ws__socket_fd(s);
    if (fd < 0)
        return SOCKET_ERROR;
    const struct opt_desc *d = find_opt(level, optname, &err);
    if (!d)
        return fail_wsa(err);
    if (d->access == RO)
        return fail_wsa(WSAENOPROTOOPT);
    if (d->kind == K_NOOP)
        return 0;
    if (!optval || optlen <= 0)
        return fail_wsa(WSAEFAULT);

    int rc;
    switch (d->kind) {
    case K_BOOL:
    case K_INT: {
        /* BOOL options also take a single byte, as Windows allows. */
        int value = 0;
        if (optlen >= (int)sizeof(int)) {
            rc = sys__mem_read(&value, optval, sizeof value);
        } else if (d->kind == K_BOOL) {
            unsigned char b = 0;
            rc = sys__mem_read(&b, optval, 1);
            value = b;
        } else {
            rc = -EFAULT;
        }
        if (rc == 0)
            rc = sys__setopt_int(fd, d->opt, d->kind == K_BOOL ? value != 0 : value);
        break;
    }
    case K_LINGER: {
        struct linger l;
        if (optlen < (int)sizeof l || sys__mem_read(&l, optval, sizeof l) < 0)
            return fail_wsa(WSAEFAULT);
        rc = sys__set_linger(fd, l.l_onoff != 0, l.l_linger);
        break;
    }
    case K_DONTLINGER: {
        int dont = 0, onoff, secs;
        if (optlen >= (int)sizeof(int))
            rc = sys__mem_read(&dont, optval, sizeof dont);
        else
            rc = sys__mem_read(&dont, optval, 1);
        if (rc == 0)
            rc = sys__get_linger(fd, &onoff, &secs);
        if (rc == 0)
            rc = sys__set_linger(fd, !dont, secs);
        break;
    }
    case K_BYTES: {
        unsigned char buf[32];
        if ((size_t)optlen < d->bytes || sys__mem_read(buf, optval, d->bytes) < 0)
            return fail_wsa(WSAEFAULT);
        rc = sys__setopt_bytes(fd, d->opt, buf, d->bytes);
        break;
    }
    default:
        rc = -ENOPROTOOPT;
        break;
    }
    return rc < 0 ? fail(rc) : 0;
}

/* Writes size bytes of value and the new *optlen to the program's memory. */
static int opt_out(char *optval, int *optlen, const void *value, int size)
{
    if (sys__mem_write(optval, value, (size_t)size) < 0 ||
        sys__mem_write(optlen, &size, sizeof size) < 0)
        return fail_wsa(WSAEFAULT);
    return 0;
}

int WSAAPI getsockopt(SOCKET s, int level, int optname, char *optval, int *optlen)
{
    DWORD err;
    int room, rc;
    int fd = ws__socket_fd(s);
    if (fd < 0)
        return SOCKET_ERROR;
    const struct opt_desc *d = find_opt(level, optname, &err);
    if (!d)
        return fail_wsa(err);
    if (d->access == WO)
        return fail_wsa(WSAENOPROTOOPT);
    if (!optval || sys__mem_read(&room, optlen, sizeof room) < 0)
        return fail_wsa(WSAEFAULT);

    switch (d->kind) {
    case K_BOOL:
    case K_INT:
    case K_ERROR: {
        int value = 0;
        /* A BOOL fits in one byte; everything else needs an int. */
        if (room < (int)sizeof(int) && !(d->kind == K_BOOL && room >= 1))
            return fail_wsa(WSAEFAULT);
        rc = sys__getopt_int(fd, d->opt, &value);
        if (rc < 0)
            return fail(rc);
        if (d->kind == K_ERROR)
            value = value ? (int)ws__wsa_from_errno(value) : 0;
        if (d->kind == K_BOOL && room < (int)sizeof(int)) {
            unsigned char b = value != 0;
            return opt_out(optval, optlen, &b, 1);
        }
        return opt_out(optval, optlen, &value, sizeof value);
    }
    case K_LINGER:
    case K_DONTLINGER: {
        int onoff, secs;
        rc = sys__get_linger(fd, &onoff, &secs);
        if (rc < 0)
            return fail(rc);
        if (d->kind == K_DONTLINGER) {
            if (room < (int)sizeof(BOOL))
                return fail_wsa(WSAEFAULT);
            BOOL dont = !onoff;
            return opt_out(optval, optlen, &dont, sizeof dont);
        }
        struct linger l = {(u_short)onoff, (u_short)(secs > 0xffff ? 0xffff : secs)};
        if (room < (int)sizeof l)
            return fail_wsa(WSAEFAULT);
        return opt_out(optval, optlen, &l, sizeof l);
    }
    default:
        return fail_wsa(WSAENOPROTOOPT);
    }
}

/* ---- ioctlsocket ------------------------------------------------------------------------------
 */
int WSAAPI ioctlsocket(SOCKET s, LONG cmd, u_long *argp)
{
    u_long value;
    int rc;
    int fd = ws__socket_fd(s);
    if (fd < 0)
        return SOCKET_ERROR;
    if (!argp)
        return fail_wsa(WSAEFAULT);
    switch ((u_long)cmd) {
    case FIONBIO:
        if (sys__mem_read(&value, argp, sizeof value) < 0)
            return fail_wsa(WSAEFAULT);
        rc = sys__set_nonblocking(fd, value != 0);
        return rc < 0 ? fail(rc) : 0;
    case FIONREAD: {
        uint32_t n = 0;
        rc = sys__nread(fd, &n);
        if (rc < 0)
            return fail(rc);
        value = n;
        break;
    }
    case SIOCATMARK: {
        int none = 1;
        rc = sys__no_oob_pending(fd, &none);
        if (rc < 0)
            return fail(rc);
        value = none ? TRUE : FALSE;
        break;
    }
    default:
        return fail_wsa(WSAEINVAL);
    }
    if (sys__mem_write(argp, &value, sizeof value) < 0)
        return fail_wsa(WSAEFAULT);
    return 0;
}

/* ---- select -----------------------------------------------------------------------------------
 */
int WSAAPI __WSAFDIsSet(SOCKET fd, fd_set *set)
{
    if (!set)
        return 0;
    for (u_int i = 0; i < set->fd_count; i++)
        if (set->fd_array[i] == fd)
            return 1;
    return 0;
}

/* The program's fd_set, copied in: fd_count entries of fd_array (any FD_SETSIZE). */
static int read_fd_set(const fd_set *set, SOCKET **out, u_int *count)
{
    *out = NULL;
    *count = 0;
    if (!set)
        return 0;
    if (sys__mem_read(count, &set->fd_count, sizeof *count) < 0)
        return -EFAULT;
    if (*count == 0)
        return 0;
    *out = malloc(*count * sizeof **out);
    if (!*out)
        return -ENOBUFS;
    if (sys__mem_read(*out, set->fd_array, *count * sizeof **out) < 0)
        return -EFAULT;
    return 0;
}

/* Milliseconds for a Windows timeval (NULL: forever), or -EINVAL. */
static int select_timeout(const struct timeval *timeout, int *ms)
{
    struct timeval tv;
    if (!timeout) {
        *ms = -1;
        return 0;
    }
    if (sys__mem_read(&tv, timeout, sizeof tv) < 0)
        return -EFAULT;
    if (tv.tv_sec < 0 || tv.tv_usec < 0)
        return -EINVAL;
    long long total = (long long)tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000;
    *ms = total > INT_MAX ? INT_MAX : (int)total;
    return 0;
}

/* Windows ignores nfds; the sets are lists of SOCKETs and are rewritten to the ready ones. */
int WSAAPI select(int nfds, fd_set *readfds, fd_set *writefds, fd_set *exceptfds,
                  const struct timeval *timeout)
{
    fd_set *sets[3] = {readfds, writefds, exceptfds};
    static const unsigned bits[3] = {SYS_SEL_READ, SYS_SEL_WRITE, SYS_SEL_EXCEPT};
    SOCKET *lists[3] = {NULL, NULL, NULL};
    u_int counts[3] = {0, 0, 0};
    struct sys_selfd *ent = NULL;
    SOCKET *ent_sock = NULL;
    size_t nent = 0;
    int ms, rc, result = SOCKET_ERROR;
    (void)nfds;

    if (!ws__started())
        return SOCKET_ERROR;
    for (int k = 0; k < 3; k++) {
        rc = read_fd_set(sets[k], &lists[k], &counts[k]);
        if (rc < 0) {
            fail(rc);
            goto out;
        }
    }
    size_t total = (size_t)counts[0] + counts[1] + counts[2];
    rc = select_timeout(timeout, &ms);
    if (rc == 0 && total == 0)
        rc = -EINVAL; /* Windows refuses a select with no sockets at all */
    if (rc < 0) {
        fail(rc);
        goto out;
    }

    /* One entry per distinct socket, with the sets it is in. */
    ent = calloc(total, sizeof *ent);
    ent_sock = calloc(total, sizeof *ent_sock);
    if (!ent || !ent_sock) {
        fail_wsa(WSAENOBUFS);
        goto out;
    }
    for (int k = 0; k < 3; k++) {
        for (u_int i = 0; i < counts[k]; i++) {
            size_t j;
            for (j = 0; j < nent && ent_sock[j] != lists[k][i]; j++)
                ;
            if (j == nent) {
                int fd = ws__socket_fd(lists[k][i]);
                if (fd < 0)
                    goto out; /* WSAENOTSOCK set */
                ent_sock[nent] = lists[k][i];
                ent[nent].fd = fd;
                nent++;
            }
            ent[j].want |= bits[k];
        }
    }

    rc = sys__select(ent, nent, ms);
    if (rc < 0) {
        if (rc == -EBADF)
            fail_wsa(WSAENOTSOCK);
        else
            fail(rc);
        goto out;
    }

    /* Keep only the ready sockets, in their original order. */
    result = 0;
    for (int k = 0; k < 3; k++) {
        if (!sets[k])
            continue;
        u_int kept = 0;
        for (u_int i = 0; i < counts[k]; i++) {
            size_t j;
            for (j = 0; j < nent && ent_sock[j] != lists[k][i]; j++)
                ;
            if (j < nent && (ent[j].got & bits[k]))
                lists[k][kept++] = lists[k][i];
        }
        if ((kept && sys__mem_write(sets[k]->fd_array, lists[k], kept * sizeof(SOCKET)) < 0) ||
            sys__mem_write(&sets[k]->fd_count, &kept, sizeof kept) < 0) {
            result = fail_wsa(WSAEFAULT);
            goto out;
        }
        result += (int)kept;
    }
    ws__set_error(0);
out:
    for (int k = 0; k < 3; k++)
        free(lists[k]);
    free(ent);
    free(ent_sock);
    return result;
}

/* ---- WSAPoll -----------------------------------------------------------------------------------
 */
static unsigned sys_poll_bits(SHORT ev)
{
    unsigned out = 0;
    if (ev & POLLRDNORM)
        out |= SYS_POLL_IN;
    if (ev & POLLRDBAND)
        out |= SYS_POLL_RDBAND;
    if (ev & POLLPRI)
        out |= SYS_POLL_PRI;
    if (ev & POLLWRNORM)
        out |= SYS_POLL_OUT;
    if (ev & POLLWRBAND)
        out |= SYS_POLL_WRBAND;
    return out;
}

static SHORT win_poll_bits(unsigned ev)
{
    SHORT out = 0;
    if (ev & SYS_POLL_IN)
        out |= POLLRDNORM;
    if (ev & SYS_POLL_RDBAND)
        out |= POLLRDBAND;
    if (ev & SYS_POLL_PRI)
        out |= POLLPRI;
    if (ev & SYS_POLL_OUT)
        out |= POLLWRNORM;
    if (ev & SYS_POLL_WRBAND)
        out |= POLLWRBAND;
    if (ev & SYS_POLL_ERR)
        out |= POLLERR;
    if (ev & SYS_POLL_HUP)
        out |= POLLHUP;
    if (ev & SYS_POLL_NVAL)
        out |= POLLNVAL;
    return out;
}

int WSAAPI WSAPoll(LPWSAPOLLFD fdArray, ULONG fds, INT timeout)
{
    const SHORT known = POLLRDNORM | POLLRDBAND | POLLPRI | POLLWRNORM | POLLWRBAND;
    WSAPOLLFD *copy = NULL;
    struct sys_pollfd *p = NULL;
    int result = SOCKET_ERROR;

    if (!ws__started())
        return SOCKET_ERROR;
    if (!fdArray)
        return fail_wsa(WSAEFAULT);
    if (fds == 0)
        return fail_wsa(WSAEINVAL);
    copy = malloc(fds * sizeof *copy);
    p = malloc(fds * sizeof *p);
    if (!copy || !p) {
        fail_wsa(WSAENOBUFS);
        goto out;
    }
    if (sys__mem_read(copy, fdArray, fds * sizeof *copy) < 0) {
        fail_wsa(WSAEFAULT);
        goto out;
    }
    /* A SOCKET that is not one becomes POLLNVAL, not a failure of the call: keep the error. */
    uint32_t saved = ws__get_error();
    for (ULONG i = 0; i < fds; i++) {
        if (copy[i].events & ~known) {
            fail_wsa(WSAEINVAL);
            goto out;
        }
        p[i].events = sys_poll_bits(copy[i].events);
        p[i].revents = 0;
        if ((INT_PTR)copy[i].fd < 0) {
            p[i].fd = -1; /* "negative" entries are skipped */
            continue;
        }
        p[i].fd = ws__socket_fd(copy[i].fd);
        if (p[i].fd < 0)
            p[i].revents = SYS_POLL_NVAL;
    }
    ws__set_error(saved);

    /* Entries already marked POLLNVAL answer at once. */
    int invalid = 0;
    for (ULONG i = 0; i < fds; i++)
        if (p[i].revents & SYS_POLL_NVAL)
            invalid = 1;
    int rc = sys__poll(p, fds, invalid ? 0 : timeout);
    if (rc < 0) {
        fail(rc);
        goto out;
    }
    result = 0;
    for (ULONG i = 0; i < fds; i++) {
        unsigned ev = p[i].fd < 0 && (INT_PTR)copy[i].fd >= 0 ? SYS_POLL_NVAL : p[i].revents;
        copy[i].revents = win_poll_bits(ev);
        if (copy[i].revents)
            result++;
    }
    if (sys__mem_write(fdArray, copy, fds * sizeof *copy) < 0)
        result = fail_wsa(WSAEFAULT);
out:
    free(copy);
    free(p);
    return result;
}

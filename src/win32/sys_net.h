/*
 * The Linux side of the BSD-style Winsock calls (socket, bind, send, select, getaddrinfo, ...).
 *
 * Winsock and the Linux socket API use the same names for different structures, so no file can
 * include both <winsock2.h> and <sys/socket.h>.  The Windows-side files (ws_bsd.c, ws_addr.c,
 * ws_resolve.c) translate Windows structures and constants into the neutral forms below; sys_net.c
 * translates the neutral forms into Linux calls.  Each side uses only its own headers' names, so
 * no Windows value is written down twice.
 *
 * sys__ functions are internal to ovio.  They return a non-negative result or a negative errno
 * (nothing here sets the Winsock last error).  Errors that Windows reports differently from Linux
 * are already adjusted:
 *   -EAGAIN      would block (non-blocking socket): WSAEWOULDBLOCK
 *   -ETIMEDOUT   SO_RCVTIMEO/SO_SNDTIMEO ran out on a blocking socket: WSAETIMEDOUT
 *   -ESHUTDOWN   the direction was shut down locally: WSAESHUTDOWN
 *   -EFAULT      a NULL or unreadable pointer, or a length too small: WSAEFAULT
 */
#ifndef OVIO_SYS_NET_H
#define OVIO_SYS_NET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- addresses ------------------------------------------------------------------------------- */
enum sys_af { SYS_AF_UNSPEC, SYS_AF_INET, SYS_AF_INET6, SYS_AF_UNIX, SYS_AF_OTHER };

#define SYS_UNIX_PATH_MAX 108

/* A socket address in neither layout.  Byte-order-sensitive fields are kept as stored in both
 * layouts (network order), so translation is a copy. */
struct sys_addr {
    enum sys_af family;
    uint16_t port_be;     /* INET, INET6 */
    uint32_t flowinfo_be; /* INET6 */
    uint32_t scope_id;    /* INET6 */
    uint8_t ip[16];       /* INET: the first 4 bytes */
    uint32_t path_len;    /* UNIX: bytes of path in use (0: unnamed) */
    char path[SYS_UNIX_PATH_MAX];
};

/* Copies between the program's memory and ours that fail with -EFAULT instead of crashing when
 * the program passed a NULL or unmapped pointer (SPEC G3). */
int sys__mem_read(void *dst, const void *src, size_t len);
int sys__mem_write(void *dst, const void *src, size_t len);

/* Linux sockaddr <-> neutral, for callers outside this pair of files (the overlapped WSASendTo and
 * WSARecvFrom).  lin points to at least sizeof(struct sockaddr_storage) bytes. */
int sys__addr_to_linux(const struct sys_addr *a, void *lin, uint32_t *lin_len);
int sys__addr_from_linux(const void *lin, uint32_t lin_len, struct sys_addr *a);
#define SYS_LINUX_SOCKADDR_MAX 128

/* ---- sockets --------------------------------------------------------------------------------- */
/* A new socket fd (close-on-exec; IPv6 sockets IPV6_V6ONLY, Windows' default). */
int sys__socket(enum sys_af af, int type, int protocol);
/* The family of the socket's own address, or -errno (-ENOTSOCK for a non-socket fd). */
int sys__family(int fd);
/* 1 for a stream socket, 0 for any other, -errno. */
int sys__is_stream(int fd);
int sys__bind(int fd, const struct sys_addr *a);
int sys__listen(int fd, int backlog);
/* The accepted fd (close-on-exec, non-blocking if fd is), with the peer's address when peer is
 * not NULL. */
int sys__accept(int fd, struct sys_addr *peer);
/* A connect that is still under way on a non-blocking socket returns -EAGAIN. */
int sys__connect(int fd, const struct sys_addr *a);
int sys__shutdown(int fd, int how); /* how: 0 receive, 1 send, 2 both (SD_* = SHUT_*) */
int sys__getsockname(int fd, struct sys_addr *a);
int sys__getpeername(int fd, struct sys_addr *a);

/* send/recv flags. */
#define SYS_MSG_OOB 0x1
#define SYS_MSG_PEEK 0x2
#define SYS_MSG_DONTROUTE 0x4
#define SYS_MSG_WAITALL 0x8

/* Blocking sockets send everything (as Windows does); to may be NULL and is ignored on stream
 * sockets.  Returns the byte count. */
ssize_t sys__send(int fd, const void *buf, size_t len, int flags, const struct sys_addr *to);
/* Returns the byte count; a datagram longer than len fills buf and returns -EMSGSIZE. */
ssize_t sys__recv(int fd, void *buf, size_t len, int flags, struct sys_addr *from);

/* ---- socket options -------------------------------------------------------------------------- */
enum sys_opt {
    /* SOL_SOCKET */
    SYS_SO_DEBUG,
    SYS_SO_ACCEPTCONN,
    SYS_SO_REUSEADDR,
    SYS_SO_EXCLUSIVEADDRUSE,
    SYS_SO_KEEPALIVE,
    SYS_SO_DONTROUTE,
    SYS_SO_BROADCAST,
    SYS_SO_OOBINLINE,
    SYS_SO_SNDBUF,
    SYS_SO_RCVBUF,
    SYS_SO_SNDLOWAT,
    SYS_SO_RCVLOWAT,
    SYS_SO_SNDTIMEO, /* milliseconds, 0 = none */
    SYS_SO_RCVTIMEO, /* milliseconds, 0 = none */
    SYS_SO_ERROR,    /* read: a positive errno, 0 if none */
    SYS_SO_TYPE,
    /* IPPROTO_TCP */
    SYS_TCP_NODELAY,
    SYS_TCP_KEEPIDLE, /* seconds */
    SYS_TCP_KEEPINTVL,
    SYS_TCP_KEEPCNT,
    SYS_TCP_MAXSEG,
    /* IPPROTO_IP */
    SYS_IP_TTL,
    SYS_IP_TOS,
    SYS_IP_HDRINCL,
    SYS_IP_MULTICAST_IF, /* an IPv4 address (network order) */
    SYS_IP_MULTICAST_TTL,
    SYS_IP_MULTICAST_LOOP,
    SYS_IP_DONTFRAGMENT,
    SYS_IP_PKTINFO,
    SYS_IP_ADD_MEMBERSHIP, /* bytes: struct ip_mreq, the same 8 bytes on both */
    SYS_IP_DROP_MEMBERSHIP,
    /* IPPROTO_IPV6 */
    SYS_IPV6_V6ONLY,
    SYS_IPV6_UNICAST_HOPS,
    SYS_IPV6_MULTICAST_IF,
    SYS_IPV6_MULTICAST_HOPS,
    SYS_IPV6_MULTICAST_LOOP,
    SYS_IPV6_PKTINFO,
    SYS_IPV6_ADD_MEMBERSHIP, /* bytes: struct ipv6_mreq, the same 20 bytes on both */
    SYS_IPV6_DROP_MEMBERSHIP,
};

int sys__setopt_int(int fd, enum sys_opt opt, int value);
int sys__getopt_int(int fd, enum sys_opt opt, int *value);
int sys__setopt_bytes(int fd, enum sys_opt opt, const void *val, size_t len);
int sys__set_linger(int fd, int onoff, int seconds);
int sys__get_linger(int fd, int *onoff, int *seconds);

/* ---- ioctlsocket ----------------------------------------------------------------------------- */
int sys__set_nonblocking(int fd, int on);
int sys__nread(int fd, uint32_t *bytes);
/* Windows' SIOCATMARK: 1 when no out-of-band data is waiting to be read, else 0. */
int sys__no_oob_pending(int fd, int *yes);

/* ---- select and WSAPoll ---------------------------------------------------------------------- */
#define SYS_POLL_IN 0x01     /* normal data (or a connection to accept) */
#define SYS_POLL_RDBAND 0x02 /* priority band data */
#define SYS_POLL_PRI 0x04    /* out-of-band data */
#define SYS_POLL_OUT 0x08
#define SYS_POLL_WRBAND 0x10
#define SYS_POLL_ERR 0x20
#define SYS_POLL_HUP 0x40
#define SYS_POLL_NVAL 0x80

struct sys_pollfd {
    int fd; /* < 0: ignored */
    unsigned events;
    unsigned revents;
};
/* poll(2), restarted after signals with the time that is left; timeout_ms < 0 waits forever. */
int sys__poll(struct sys_pollfd *fds, size_t n, int timeout_ms);

#define SYS_SEL_READ 0x1
#define SYS_SEL_WRITE 0x2
#define SYS_SEL_EXCEPT 0x4
struct sys_selfd {
    int fd;
    unsigned want; /* SYS_SEL_* */
    unsigned got;
};
/* select() with Windows' readiness rules, one entry per fd with all its SYS_SEL_* bits: a failed
 * non-blocking connect is "except", not "write"; out-of-band data is "except".  Returns the
 * number of entries with got != 0; -EBADF if an fd was closed meanwhile. */
int sys__select(struct sys_selfd *fds, size_t n, int timeout_ms);

/* ---- names and addresses --------------------------------------------------------------------- */
int sys__gethostname(char *name, size_t size); /* -EFAULT when the name does not fit */
/* inet_aton's forms ("a.b.c.d", "a.b", hex, octal); 0 ok (network order in *addr), -EINVAL. */
int sys__inet_aton(const char *s, uint32_t *addr_be);
/* 1 ok, 0 not an address of that family, -EAFNOSUPPORT. */
int sys__inet_pton(enum sys_af af, const char *s, void *out);
/* -ENOSPC when size is too small. */
int sys__inet_ntop(enum sys_af af, const void *in, char *out, size_t size);

/* getaddrinfo flags and errors, neutral. */
#define SYS_AI_PASSIVE 0x01
#define SYS_AI_CANONNAME 0x02
#define SYS_AI_NUMERICHOST 0x04
#define SYS_AI_NUMERICSERV 0x08
#define SYS_AI_ALL 0x10
#define SYS_AI_ADDRCONFIG 0x20
#define SYS_AI_V4MAPPED 0x40

enum sys_eai {
    SYS_EAI_OK,
    SYS_EAI_AGAIN,
    SYS_EAI_BADFLAGS,
    SYS_EAI_FAIL,
    SYS_EAI_FAMILY,
    SYS_EAI_MEMORY,
    SYS_EAI_NONAME,
    SYS_EAI_NODATA,
    SYS_EAI_SERVICE,
    SYS_EAI_SOCKTYPE,
    SYS_EAI_OVERFLOW,
    SYS_EAI_SYSTEM, /* see the errno given back */
};

struct sys_ai {
    int socktype;
    int protocol;
    struct sys_addr addr;
    char *canonname; /* first entry only, when asked for */
    struct sys_ai *next;
};

struct sys_ai_hints {
    int flags; /* SYS_AI_* */
    enum sys_af family;
    int socktype;
    int protocol;
};

/* *res is a list to free with sys__freeaddrinfo; on SYS_EAI_SYSTEM *err holds the errno. */
enum sys_eai sys__getaddrinfo(const char *node, const char *service,
                              const struct sys_ai_hints *hints, struct sys_ai **res, int *err);
void sys__freeaddrinfo(struct sys_ai *list);

#define SYS_NI_NOFQDN 0x01
#define SYS_NI_NUMERICHOST 0x02
#define SYS_NI_NAMEREQD 0x04
#define SYS_NI_NUMERICSERV 0x08
#define SYS_NI_DGRAM 0x10
enum sys_eai sys__getnameinfo(const struct sys_addr *a, char *host, size_t hostlen, char *serv,
                              size_t servlen, int flags, int *err);

/* getservbyname/getservbyport: 0, or -ENOENT.  port_be in network order. */
int sys__getservbyname(const char *name, const char *proto, char *name_out, size_t name_size,
                       char *proto_out, size_t proto_size, uint16_t *port_be);
int sys__getservbyport(uint16_t port_be, const char *proto, char *name_out, size_t name_size,
                       char *proto_out, size_t proto_size);

#endif /* OVIO_SYS_NET_H */

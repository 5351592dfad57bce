/*
 * Linux side of Winsock's name and address functions: gethostname, inet_aton/pton/ntop,
 * getaddrinfo, getnameinfo and the services database.  The Windows side is ws_resolve.c and
 * ws_addr.c; the contract is in sys_net.h.
 */
#define _GNU_SOURCE
#include "sys_net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>

int sys__gethostname(char *name, size_t size)
{
    struct utsname u;
    if (uname(&u) < 0)
        return -errno;
    size_t len = strlen(u.nodename);
    if (len + 1 > size)
        return -EFAULT; /* Windows: WSAEFAULT when namelen is too small */
    memcpy(name, u.nodename, len + 1);
    return 0;
}

int sys__inet_aton(const char *s, uint32_t *addr_be)
{
    struct in_addr a;
    if (!inet_aton(s, &a))
        return -EINVAL;
    *addr_be = a.s_addr;
    return 0;
}

static int linux_af(enum sys_af af)
{
    switch (af) {
    case SYS_AF_INET:
        return AF_INET;
    case SYS_AF_INET6:
        return AF_INET6;
    case SYS_AF_UNSPEC:
        return AF_UNSPEC;
    default:
        return -1;
    }
}

int sys__inet_pton(enum sys_af af, const char *s, void *out)
{
    if (af != SYS_AF_INET && af != SYS_AF_INET6)
        return -EAFNOSUPPORT;
    return inet_pton(linux_af(af), s, out);
}

int sys__inet_ntop(enum sys_af af, const void *in, char *out, size_t size)
{
    if (af != SYS_AF_INET && af != SYS_AF_INET6)
        return -EAFNOSUPPORT;
    if (!inet_ntop(linux_af(af), in, out, (socklen_t)(size > 0xFFFFFFFFu ? 0xFFFFFFFFu : size)))
        return -errno;
    return 0;
}

static enum sys_eai eai_from_glibc(int rc, int *err)
{
    switch (rc) {
    case 0:
        return SYS_EAI_OK;
    case EAI_AGAIN:
        return SYS_EAI_AGAIN;
    case EAI_BADFLAGS:
        return SYS_EAI_BADFLAGS;
    case EAI_FAIL:
        return SYS_EAI_FAIL;
    case EAI_FAMILY:
        return SYS_EAI_FAMILY;
    case EAI_MEMORY:
        return SYS_EAI_MEMORY;
    case EAI_NONAME:
        return SYS_EAI_NONAME;
    case EAI_NODATA:
    case EAI_ADDRFAMILY:
        return SYS_EAI_NODATA;
    case EAI_SERVICE:
        return SYS_EAI_SERVICE;
    case EAI_SOCKTYPE:
        return SYS_EAI_SOCKTYPE;
    case EAI_OVERFLOW:
        return SYS_EAI_OVERFLOW;
    case EAI_SYSTEM:
        *err = errno;
        return SYS_EAI_SYSTEM;
    default:
        return SYS_EAI_FAIL;
    }
}

enum sys_eai sys__getaddrinfo(const char *node, const char *service,
                              const struct sys_ai_hints *hints, struct sys_ai **res, int *err)
{
    struct addrinfo h, *list = NULL;
    *res = NULL;
    memset(&h, 0, sizeof h);
    if (hints) {
        int af = linux_af(hints->family);
        if (af < 0)
            return SYS_EAI_FAMILY;
        h.ai_family = af;
        h.ai_socktype = hints->socktype;
        h.ai_protocol = hints->protocol;
        if (hints->flags & SYS_AI_PASSIVE)
            h.ai_flags |= AI_PASSIVE;
        if (hints->flags & SYS_AI_CANONNAME)
            h.ai_flags |= AI_CANONNAME;
        if (hints->flags & SYS_AI_NUMERICHOST)
            h.ai_flags |= AI_NUMERICHOST;
        if (hints->flags & SYS_AI_NUMERICSERV)
            h.ai_flags |= AI_NUMERICSERV;
        if (hints->flags & SYS_AI_ALL)
            h.ai_flags |= AI_ALL;
        if (hints->flags & SYS_AI_ADDRCONFIG)
            h.ai_flags |= AI_ADDRCONFIG;
        if (hints->flags & SYS_AI_V4MAPPED)
            h.ai_flags |= AI_V4MAPPED;
    }
    int rc = getaddrinfo(node, service, hints ? &h : NULL, &list);
    if (rc != 0)
        return eai_from_glibc(rc, err);

    struct sys_ai **tail = res;
    for (struct addrinfo *ai = list; ai; ai = ai->ai_next) {
        struct sys_ai *n = calloc(1, sizeof *n);
        if (!n || (ai->ai_canonname && !(n->canonname = strdup(ai->ai_canonname)))) {
            free(n);
            freeaddrinfo(list);
            sys__freeaddrinfo(*res);
            *res = NULL;
            return SYS_EAI_MEMORY;
        }
        n->socktype = ai->ai_socktype;
        n->protocol = ai->ai_protocol;
        (void)sys__addr_from_linux(ai->ai_addr, ai->ai_addrlen, &n->addr);
        *tail = n;
        tail = &n->next;
    }
    freeaddrinfo(list);
    return SYS_EAI_OK;
}

void sys__freeaddrinfo(struct sys_ai *list)
{
    while (list) {
        struct sys_ai *next = list->next;
        free(list->canonname);
        free(list);
        list = next;
    }
}

enum sys_eai sys__getnameinfo(const struct sys_addr *a, char *host, size_t hostlen, char *serv,
                              size_t servlen, int flags, int *err)
{
    unsigned char lin[SYS_LINUX_SOCKADDR_MAX];
    uint32_t len;
    if (a->family != SYS_AF_INET && a->family != SYS_AF_INET6)
        return SYS_EAI_FAMILY;
    if (sys__addr_to_linux(a, lin, &len) < 0)
        return SYS_EAI_FAMILY;
    int lflags = 0;
    if (flags & SYS_NI_NOFQDN)
        lflags |= NI_NOFQDN;
    if (flags & SYS_NI_NUMERICHOST)
        lflags |= NI_NUMERICHOST;
    if (flags & SYS_NI_NAMEREQD)
        lflags |= NI_NAMEREQD;
    if (flags & SYS_NI_NUMERICSERV)
        lflags |= NI_NUMERICSERV;
    if (flags & SYS_NI_DGRAM)
        lflags |= NI_DGRAM;
    int rc = getnameinfo((const struct sockaddr *)lin, len, host, (socklen_t)hostlen, serv,
                         (socklen_t)servlen, lflags);
    return eai_from_glibc(rc, err);
}

static int copy_str(char *out, size_t size, const char *s)
{
    size_t len = strlen(s);
    if (len + 1 > size)
        return -ENOSPC;
    memcpy(out, s, len + 1);
    return 0;
}

static int servent_out(const struct servent *se, char *name_out, size_t name_size, char *proto_out,
                       size_t proto_size)
{
    if (copy_str(name_out, name_size, se->s_name) < 0 ||
        copy_str(proto_out, proto_size, se->s_proto) < 0)
        return -ENOSPC;
    return 0;
}

int sys__getservbyname(const char *name, const char *proto, char *name_out, size_t name_size,
                       char *proto_out, size_t proto_size, uint16_t *port_be)
{
    struct servent se, *found = NULL;
    char buf[1024];
    if (getservbyname_r(name, proto, &se, buf, sizeof buf, &found) != 0 || !found)
        return -ENOENT;
    *port_be = (uint16_t)found->s_port;
    return servent_out(found, name_out, name_size, proto_out, proto_size);
}

int sys__getservbyport(uint16_t port_be, const char *proto, char *name_out, size_t name_size,
                       char *proto_out, size_t proto_size)
{
    struct servent se, *found = NULL;
    char buf[1024];
    if (getservbyport_r(port_be, proto, &se, buf, sizeof buf, &found) != 0 || !found)
        return -ENOENT;
    return servent_out(found, name_out, name_size, proto_out, proto_size);
}

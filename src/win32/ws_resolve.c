/*
 * Winsock name resolution, Windows side: getaddrinfo/freeaddrinfo/getnameinfo/gai_strerror,
 * gethostname, gethostbyname/gethostbyaddr and getservbyname/getservbyport.
 *
 * Results are built in Windows' layouts (ADDRINFOA has ai_addrlen before ai_canonname; servent
 * has s_proto before s_port on Win64) and carry Windows' family numbers; errors are Winsock codes
 * (EAI_NONAME is WSAHOST_NOT_FOUND).  The hostent/servent results live in per-thread storage, as
 * on Windows, valid until the thread's next call of the same kind.
 */
#include <winsock2.h>
#include <ws2tcpip.h>

#include "sys_net.h"
#include "ws_addr.h"
#include "ws_internal.h"

static DWORD wsa_from_eai(enum sys_eai e, int err)
{
    switch (e) {
    case SYS_EAI_OK:
        return 0;
    case SYS_EAI_AGAIN:
        return EAI_AGAIN;
    case SYS_EAI_BADFLAGS:
        return EAI_BADFLAGS;
    case SYS_EAI_FAMILY:
        return EAI_FAMILY;
    case SYS_EAI_MEMORY:
        return EAI_MEMORY;
    case SYS_EAI_NONAME:
        return EAI_NONAME;
    case SYS_EAI_NODATA:
        return EAI_NODATA;
    case SYS_EAI_SERVICE:
        return EAI_SERVICE;
    case SYS_EAI_SOCKTYPE:
        return EAI_SOCKTYPE;
    case SYS_EAI_OVERFLOW:
        return WSAEFAULT; /* a result buffer too small */
    case SYS_EAI_SYSTEM:
        return err ? ws__wsa_from_errno(err) : (DWORD)EAI_FAIL;
    default:
        return EAI_FAIL;
    }
}

static enum sys_af sys_family(int af)
{
    switch (af) {
    case AF_UNSPEC:
        return SYS_AF_UNSPEC;
    case AF_INET:
        return SYS_AF_INET;
    case AF_INET6:
        return SYS_AF_INET6;
    default:
        return SYS_AF_OTHER;
    }
}

static int win_family(enum sys_af af)
{
    return af == SYS_AF_INET ? AF_INET : af == SYS_AF_INET6 ? AF_INET6 : AF_UNSPEC;
}

/* ---- getaddrinfo ------------------------------------------------------------------------------
 */
/* One allocation per result: the node, its address, and (first node only) the canonical name. */
struct ai_node {
    ADDRINFOA ai;
    union {
        SOCKADDR_IN in;
        SOCKADDR_IN6 in6;
    } addr;
};

static int sys_ai_flags(int flags)
{
    int out = 0;
    if (flags & AI_PASSIVE)
        out |= SYS_AI_PASSIVE;
    if (flags & AI_CANONNAME)
        out |= SYS_AI_CANONNAME;
    if (flags & AI_NUMERICHOST)
        out |= SYS_AI_NUMERICHOST;
    if (flags & AI_NUMERICSERV)
        out |= SYS_AI_NUMERICSERV;
    if (flags & AI_ALL)
        out |= SYS_AI_ALL;
    if (flags & AI_ADDRCONFIG)
        out |= SYS_AI_ADDRCONFIG;
    if (flags & AI_V4MAPPED)
        out |= SYS_AI_V4MAPPED;
    return out; /* AI_FQDN, AI_SECURE, ...: no Linux equivalent, and no effect on results */
}

static INT gai_fail(DWORD code)
{
    ws__set_error(code);
    return (INT)code;
}

VOID WSAAPI freeaddrinfo(PADDRINFOA pAddrInfo)
{
    while (pAddrInfo) {
        PADDRINFOA next = pAddrInfo->ai_next;
        free(pAddrInfo); /* the node, its address and its name are one block */
        pAddrInfo = next;
    }
}

INT WSAAPI getaddrinfo(PCSTR pNodeName, PCSTR pServiceName, const ADDRINFOA *pHints,
                       PADDRINFOA *ppResult)
{
    struct sys_ai_hints hints;
    struct sys_ai *list = NULL;
    ADDRINFOA h;
    int err = 0;

    if (!ws__started())
        return (INT)WSANOTINITIALISED;
    if (!ppResult)
        return gai_fail(WSAEINVAL);
    if (pHints) {
        if (sys__mem_read(&h, pHints, sizeof h) < 0)
            return gai_fail(WSAEFAULT);
        hints.family = sys_family(h.ai_family);
        if (hints.family == SYS_AF_OTHER)
            return gai_fail(EAI_FAMILY);
        hints.flags = sys_ai_flags(h.ai_flags);
        hints.socktype = h.ai_socktype;
        hints.protocol = h.ai_protocol;
    } else {
        memset(&h, 0, sizeof h);
    }
    enum sys_eai e = sys__getaddrinfo(pNodeName, pServiceName, pHints ? &hints : NULL, &list, &err);
    if (e != SYS_EAI_OK)
        return gai_fail(wsa_from_eai(e, err));

    PADDRINFOA head = NULL, *tail = &head;
    for (struct sys_ai *s = list; s; s = s->next) {
        if (s->addr.family != SYS_AF_INET && s->addr.family != SYS_AF_INET6)
            continue;
        size_t name_len = s->canonname ? strlen(s->canonname) + 1 : 0;
        struct ai_node *n = calloc(1, sizeof *n + name_len);
        if (!n) {
            freeaddrinfo(head);
            sys__freeaddrinfo(list);
            return gai_fail(EAI_MEMORY);
        }
        int len = (int)sizeof n->addr;
        (void)ws__addr_out(&s->addr, &n->addr, &len);
        n->ai.ai_flags = h.ai_flags;
        n->ai.ai_family = win_family(s->addr.family);
        n->ai.ai_socktype = s->socktype;
        n->ai.ai_protocol = s->protocol;
        n->ai.ai_addrlen = (size_t)len;
        n->ai.ai_addr = (struct sockaddr *)&n->addr;
        if (name_len) {
            n->ai.ai_canonname = (char *)(n + 1);
            memcpy(n->ai.ai_canonname, s->canonname, name_len);
        }
        *tail = &n->ai;
        tail = &n->ai.ai_next;
    }
    sys__freeaddrinfo(list);
    if (!head)
        return gai_fail(EAI_NODATA);
    if (sys__mem_write(ppResult, &head, sizeof head) < 0) {
        freeaddrinfo(head);
        return gai_fail(WSAEFAULT);
    }
    return 0;
}

INT WSAAPI getnameinfo(const SOCKADDR *pSockaddr, socklen_t SockaddrLength, PCHAR pNodeBuffer,
                       DWORD NodeBufferSize, PCHAR pServiceBuffer, DWORD ServiceBufferSize,
                       INT Flags)
{
    struct sys_addr a;
    char host[NI_MAXHOST], serv[NI_MAXSERV];
    int err = 0;

    if (!ws__started())
        return (INT)WSANOTINITIALISED;
    int rc = ws__addr_in(pSockaddr, SockaddrLength, &a);
    if (rc < 0)
        return gai_fail(rc == -EAFNOSUPPORT ? (DWORD)EAI_FAMILY : (DWORD)WSAEFAULT);
    if (a.family != SYS_AF_INET && a.family != SYS_AF_INET6)
        return gai_fail(EAI_FAMILY);
    int want_host = pNodeBuffer && NodeBufferSize > 0;
    int want_serv = pServiceBuffer && ServiceBufferSize > 0;
    if (!want_host && !want_serv)
        return gai_fail(EAI_NONAME);

    int flags = 0;
    if (Flags & NI_NOFQDN)
        flags |= SYS_NI_NOFQDN;
    if (Flags & NI_NUMERICHOST)
        flags |= SYS_NI_NUMERICHOST;
    if (Flags & NI_NAMEREQD)
        flags |= SYS_NI_NAMEREQD;
    if (Flags & NI_NUMERICSERV)
        flags |= SYS_NI_NUMERICSERV;
    if (Flags & NI_DGRAM)
        flags |= SYS_NI_DGRAM;
    enum sys_eai e =
        sys__getnameinfo(&a, want_host ? host : NULL, want_host ? sizeof host : 0,
                         want_serv ? serv : NULL, want_serv ? sizeof serv : 0, flags, &err);
    if (e != SYS_EAI_OK)
        return gai_fail(wsa_from_eai(e, err));
    /* Results that do not fit the program's buffers: WSAEFAULT, as Windows. */
    if (want_host && (strlen(host) + 1 > NodeBufferSize ||
                      sys__mem_write(pNodeBuffer, host, strlen(host) + 1) < 0))
        return gai_fail(WSAEFAULT);
    if (want_serv && (strlen(serv) + 1 > ServiceBufferSize ||
                      sys__mem_write(pServiceBuffer, serv, strlen(serv) + 1) < 0))
        return gai_fail(WSAEFAULT);
    return 0;
}

char *WSAAPI gai_strerrorA(int ecode)
{
    /* The texts Windows' FormatMessage gives for these codes. */
    static const struct {
        int code;
        const char *text;
    } texts[] = {
        {0, "The operation completed successfully."},
        {EAI_AGAIN, "This is usually a temporary error during hostname resolution and means that "
                    "the local server did not receive a response from an authoritative server."},
        {EAI_BADFLAGS, "An invalid argument was supplied."},
        {EAI_FAIL, "A non-recoverable error occurred during a database lookup."},
        {EAI_FAMILY, "An address incompatible with the requested protocol was used."},
        {EAI_MEMORY, "Not enough memory resources are available to process this command."},
        {EAI_NODATA, "The requested name is valid, but no data of the requested type was found."},
        {EAI_NONAME, "No such host is known."},
        {EAI_SERVICE, "The specified class was not found."},
        {EAI_SOCKTYPE, "The support for the specified socket type does not exist in this address "
                       "family."},
        {WSAEFAULT, "The system detected an invalid pointer address in attempting to use a "
                    "pointer argument in a call."},
        {WSANOTINITIALISED, "Either the application has not called WSAStartup, or WSAStartup "
                            "failed."},
    };
    static _Thread_local char buf[256];
    const char *text = "Unknown error.";
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (texts[i].code == ecode)
            text = texts[i].text;
    snprintf(buf, sizeof buf, "%s", text);
    return buf;
}

/* ---- gethostname
 * --------------------------------------------------------------------------------- */
int WSAAPI gethostname(char *name, size_t namelen)
{
    char buf[256];
    if (!ws__started())
        return SOCKET_ERROR;
    /* namelen > INT_MAX: a negative int from the program. */
    if (!name || namelen == 0 || namelen > INT_MAX || sys__gethostname(buf, sizeof buf) < 0 ||
        strlen(buf) + 1 > namelen || sys__mem_write(name, buf, strlen(buf) + 1) < 0) {
        ws__set_error(WSAEFAULT);
        return SOCKET_ERROR;
    }
    ws__set_error(0);
    return 0;
}

/* ---- hostent ------------------------------------------------------------------------------------
 */
#define HOST_MAX_ADDRS 35 /* Windows' MAXADDRS */

struct host_result {
    struct hostent he;
    char *aliases[1];
    char *addr_list[HOST_MAX_ADDRS + 1];
    unsigned char addrs[HOST_MAX_ADDRS][16];
    char name[NI_MAXHOST];
};

static _Thread_local struct host_result host_tls;

static DWORD host_error(enum sys_eai e, int err)
{
    switch (e) {
    case SYS_EAI_NONAME:
        return WSAHOST_NOT_FOUND;
    case SYS_EAI_NODATA:
        return WSANO_DATA;
    case SYS_EAI_AGAIN:
        return WSATRY_AGAIN;
    case SYS_EAI_SYSTEM:
        return err ? ws__wsa_from_errno(err) : (DWORD)WSANO_RECOVERY;
    default:
        return WSANO_RECOVERY;
    }
}

static struct hostent *host_begin(const char *name, int family, int length)
{
    struct host_result *r = &host_tls;
    memset(r, 0, sizeof *r);
    snprintf(r->name, sizeof r->name, "%s", name);
    r->he.h_name = r->name;
    r->he.h_aliases = r->aliases;
    r->he.h_addrtype = (short)family;
    r->he.h_length = (short)length;
    r->he.h_addr_list = r->addr_list;
    return &r->he;
}

static void host_add(const void *addr, int length)
{
    struct host_result *r = &host_tls;
    int i = 0;
    while (i < HOST_MAX_ADDRS && r->addr_list[i])
        i++;
    if (i == HOST_MAX_ADDRS)
        return;
    memcpy(r->addrs[i], addr, (size_t)length);
    r->addr_list[i] = (char *)r->addrs[i];
}

struct hostent *WSAAPI gethostbyname(const char *name)
{
    char local[256];
    struct sys_ai *list = NULL;
    int err = 0;

    if (!ws__started())
        return NULL;
    if (!name) {
        /* NULL asks for the local host. */
        if (sys__gethostname(local, sizeof local) < 0) {
            ws__set_error(WSANO_RECOVERY);
            return NULL;
        }
        name = local;
    }
    /* IPv4 only, as Windows' gethostbyname; SOCK_STREAM keeps one entry per address. */
    struct sys_ai_hints hints = {SYS_AI_CANONNAME, SYS_AF_INET, SOCK_STREAM, 0};
    enum sys_eai e = sys__getaddrinfo(name, NULL, &hints, &list, &err);
    if (e != SYS_EAI_OK) {
        ws__set_error(host_error(e, err));
        return NULL;
    }
    struct hostent *he = host_begin(list && list->canonname ? list->canonname : name, AF_INET, 4);
    for (struct sys_ai *s = list; s; s = s->next)
        if (s->addr.family == SYS_AF_INET)
            host_add(s->addr.ip, 4);
    sys__freeaddrinfo(list);
    if (!he->h_addr_list[0]) {
        ws__set_error(WSANO_DATA);
        return NULL;
    }
    ws__set_error(0);
    return he;
}

struct hostent *WSAAPI gethostbyaddr(const char *addr, int len, int type)
{
    struct sys_addr a;
    char host[NI_MAXHOST];
    int err = 0;

    if (!ws__started())
        return NULL;
    memset(&a, 0, sizeof a);
    a.family = type == AF_INET ? SYS_AF_INET : type == AF_INET6 ? SYS_AF_INET6 : SYS_AF_OTHER;
    if (a.family == SYS_AF_OTHER) {
        ws__set_error(WSAEAFNOSUPPORT);
        return NULL;
    }
    int need = a.family == SYS_AF_INET ? 4 : 16;
    if (len < need || sys__mem_read(a.ip, addr, (size_t)need) < 0) {
        ws__set_error(WSAEFAULT);
        return NULL;
    }
    enum sys_eai e = sys__getnameinfo(&a, host, sizeof host, NULL, 0, SYS_NI_NAMEREQD, &err);
    if (e != SYS_EAI_OK) {
        ws__set_error(host_error(e, err));
        return NULL;
    }
    struct hostent *he = host_begin(host, type, need);
    host_add(a.ip, need);
    ws__set_error(0);
    return he;
}

/* ---- servent
 * -------------------------------------------------------------------------------------- */
struct serv_result {
    struct servent se;
    char *aliases[1];
    char name[256];
    char proto[32];
};

static _Thread_local struct serv_result serv_tls;

static struct servent *serv_result(uint16_t port_be)
{
    struct serv_result *r = &serv_tls;
    r->aliases[0] = NULL;
    r->se.s_name = r->name;
    r->se.s_aliases = r->aliases;
    r->se.s_proto = r->proto;
    r->se.s_port = (short)port_be; /* network byte order, as on Windows */
    ws__set_error(0);
    return &r->se;
}

struct servent *WSAAPI getservbyname(const char *name, const char *proto)
{
    uint16_t port_be;
    if (!ws__started())
        return NULL;
    if (!name) {
        ws__set_error(WSAEFAULT);
        return NULL;
    }
    if (sys__getservbyname(name, proto, serv_tls.name, sizeof serv_tls.name, serv_tls.proto,
                           sizeof serv_tls.proto, &port_be) < 0) {
        ws__set_error(WSANO_DATA);
        return NULL;
    }
    return serv_result(port_be);
}

struct servent *WSAAPI getservbyport(int port, const char *proto)
{
    if (!ws__started())
        return NULL;
    if (sys__getservbyport((uint16_t)port, proto, serv_tls.name, sizeof serv_tls.name,
                           serv_tls.proto, sizeof serv_tls.proto) < 0) {
        ws__set_error(WSANO_DATA);
        return NULL;
    }
    return serv_result((uint16_t)port);
}

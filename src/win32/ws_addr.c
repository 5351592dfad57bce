/*
 * Winsock addresses, Windows side: sockaddr translation (the one place that knows both address
 * family numberings, through sys_addr), byte-order helpers, inet_addr/inet_ntoa/inet_pton/
 * inet_ntop and the in6addr_* constants.
 *
 * Functions that share a C library name are defined under that name; the asm label in the header
 * gives them their `ovio_ws_` symbol, and the compiler checks each definition against the
 * declaration programs see.
 */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <afunix.h>

#include "ws_addr.h"
#include "ws_internal.h"

const struct in6_addr in6addr_any = IN6ADDR_ANY_INIT;
const struct in6_addr in6addr_loopback = IN6ADDR_LOOPBACK_INIT;

/* ---- sockaddr translation -------------------------------------------------------------------- */
int ws__addr_size(enum sys_af af)
{
    switch (af) {
    case SYS_AF_INET:
        return (int)sizeof(SOCKADDR_IN);
    case SYS_AF_INET6:
        return (int)sizeof(SOCKADDR_IN6);
    case SYS_AF_UNIX:
        return (int)sizeof(SOCKADDR_UN);
    default:
        return 0;
    }
}

/* The smallest IPv6 address Windows accepts is the RFC 2133 one, without sin6_scope_id. */
#define SOCKADDR_IN6_OLD_SIZE ((int)offsetof(SOCKADDR_IN6, sin6_scope_id))

int ws__addr_in(const void *win, int win_len, struct sys_addr *a)
{
    union {
        SOCKADDR sa;
        SOCKADDR_IN in;
        SOCKADDR_IN6 in6;
        SOCKADDR_UN un;
    } w;
    memset(a, 0, sizeof *a);
    memset(&w, 0, sizeof w);
    if (!win || win_len < (int)sizeof w.sa.sa_family)
        return -EFAULT;
    /* Copy what the family needs (or what there is), through the fault-safe path. */
    int rc = sys__mem_read(&w, win, sizeof w.sa.sa_family);
    if (rc < 0)
        return rc;
    int need;
    switch (w.sa.sa_family) {
    case AF_INET:
        need = (int)sizeof w.in;
        break;
    case AF_INET6:
        need = SOCKADDR_IN6_OLD_SIZE;
        break;
    case AF_UNIX:
        need = (int)offsetof(SOCKADDR_UN, sun_path);
        break;
    default:
        return -EAFNOSUPPORT;
    }
    if (win_len < need)
        return -EFAULT;
    int copy = win_len < (int)sizeof w ? win_len : (int)sizeof w;
    if (w.sa.sa_family == AF_INET6 && copy > (int)sizeof w.in6)
        copy = (int)sizeof w.in6;
    rc = sys__mem_read(&w, win, (size_t)copy);
    if (rc < 0)
        return rc;

    switch (w.sa.sa_family) {
    case AF_INET:
        a->family = SYS_AF_INET;
        a->port_be = w.in.sin_port;
        memcpy(a->ip, &w.in.sin_addr, 4);
        return 0;
    case AF_INET6:
        a->family = SYS_AF_INET6;
        a->port_be = w.in6.sin6_port;
        a->flowinfo_be = w.in6.sin6_flowinfo;
        memcpy(a->ip, &w.in6.sin6_addr, 16);
        a->scope_id = copy >= (int)sizeof w.in6 ? w.in6.sin6_scope_id : 0;
        return 0;
    default: /* AF_UNIX */
        a->family = SYS_AF_UNIX;
        a->path_len = (uint32_t)(copy - (int)offsetof(SOCKADDR_UN, sun_path));
        memcpy(a->path, w.un.sun_path, a->path_len);
        return 0;
    }
}

int ws__addr_out(const struct sys_addr *a, void *win, int *win_len)
{
    union {
        SOCKADDR sa;
        SOCKADDR_IN in;
        SOCKADDR_IN6 in6;
        SOCKADDR_UN un;
    } w;
    int size, room;
    memset(&w, 0, sizeof w);
    switch (a->family) {
    case SYS_AF_INET:
        w.in.sin_family = AF_INET;
        w.in.sin_port = a->port_be;
        memcpy(&w.in.sin_addr, a->ip, 4);
        size = (int)sizeof w.in;
        break;
    case SYS_AF_INET6:
        w.in6.sin6_family = AF_INET6;
        w.in6.sin6_port = a->port_be;
        w.in6.sin6_flowinfo = a->flowinfo_be;
        memcpy(&w.in6.sin6_addr, a->ip, 16);
        w.in6.sin6_scope_id = a->scope_id;
        size = (int)sizeof w.in6;
        break;
    case SYS_AF_UNIX:
        w.un.sun_family = AF_UNIX;
        memcpy(w.un.sun_path, a->path, a->path_len);
        size = (int)(offsetof(SOCKADDR_UN, sun_path) + a->path_len);
        break;
    case SYS_AF_UNSPEC:
        w.sa.sa_family = AF_UNSPEC;
        size = (int)sizeof w.sa;
        break;
    default:
        return -EAFNOSUPPORT;
    }
    int rc = sys__mem_read(&room, win_len, sizeof room);
    if (rc < 0)
        return rc;
    if (!win || room < size)
        return -EFAULT;
    rc = sys__mem_write(win, &w, (size_t)size);
    if (rc == 0)
        rc = sys__mem_write(win_len, &size, sizeof size);
    return rc;
}

int ws__sockaddr_to_linux(const void *win, int win_len, void *lin, uint32_t *lin_len)
{
    struct sys_addr a;
    int rc = ws__addr_in(win, win_len, &a);
    return rc < 0 ? rc : sys__addr_to_linux(&a, lin, lin_len);
}

int ws__sockaddr_from_linux(const void *lin, uint32_t lin_len, void *win, int *win_len)
{
    struct sys_addr a;
    int rc = sys__addr_from_linux(lin, lin_len, &a);
    return rc < 0 ? rc : ws__addr_out(&a, win, win_len);
}

/* ---- byte order (x86_64 and every other Linux target ovio builds for are little-endian) -------
 */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "ovio assumes a little-endian host");

u_long WSAAPI htonl(u_long hostlong)
{
    return __builtin_bswap32(hostlong);
}

u_short WSAAPI htons(u_short hostshort)
{
    return __builtin_bswap16(hostshort);
}

u_long WSAAPI ntohl(u_long netlong)
{
    return __builtin_bswap32(netlong);
}

u_short WSAAPI ntohs(u_short netshort)
{
    return __builtin_bswap16(netshort);
}

/* The WSA forms check the socket and the output pointer, as Windows does. */
static int byte_order_args(SOCKET s, const void *out)
{
    if (ws__socket_fd(s) < 0)
        return SOCKET_ERROR;
    if (!out) {
        ws__set_error(WSAEFAULT);
        return SOCKET_ERROR;
    }
    return 0;
}

int WSAAPI WSAHtonl(SOCKET s, u_long hostlong, u_long *lpnetlong)
{
    if (byte_order_args(s, lpnetlong) != 0)
        return SOCKET_ERROR;
    u_long v = htonl(hostlong);
    if (sys__mem_write(lpnetlong, &v, sizeof v) < 0) {
        ws__set_error(WSAEFAULT);
        return SOCKET_ERROR;
    }
    return 0;
}

int WSAAPI WSAHtons(SOCKET s, u_short hostshort, u_short *lpnetshort)
{
    if (byte_order_args(s, lpnetshort) != 0)
        return SOCKET_ERROR;
    u_short v = htons(hostshort);
    if (sys__mem_write(lpnetshort, &v, sizeof v) < 0) {
        ws__set_error(WSAEFAULT);
        return SOCKET_ERROR;
    }
    return 0;
}

int WSAAPI WSANtohl(SOCKET s, u_long netlong, u_long *lphostlong)
{
    return WSAHtonl(s, netlong, lphostlong);
}

int WSAAPI WSANtohs(SOCKET s, u_short netshort, u_short *lphostshort)
{
    return WSAHtons(s, netshort, lphostshort);
}

/* ---- text forms ------------------------------------------------------------------------------ */
u_long WSAAPI inet_addr(const char *cp)
{
    uint32_t addr;
    if (!cp || sys__inet_aton(cp, &addr) < 0)
        return INADDR_NONE;
    return addr;
}

char *WSAAPI inet_ntoa(struct in_addr in)
{
    /* Windows keeps one buffer per thread, valid until the thread's next Winsock call. */
    static _Thread_local char buf[16];
    snprintf(buf, sizeof buf, "%u.%u.%u.%u", in.S_un.S_un_b.s_b1, in.S_un.S_un_b.s_b2,
             in.S_un.S_un_b.s_b3, in.S_un.S_un_b.s_b4);
    return buf;
}

static enum sys_af family_from_win(INT family)
{
    return family == AF_INET ? SYS_AF_INET : family == AF_INET6 ? SYS_AF_INET6 : SYS_AF_OTHER;
}

INT WSAAPI inet_pton(INT Family, PCSTR pszAddrString, PVOID pAddrBuf)
{
    enum sys_af af = family_from_win(Family);
    if (af == SYS_AF_OTHER) {
        ws__set_error(WSAEAFNOSUPPORT);
        return -1;
    }
    if (!pszAddrString || !pAddrBuf) {
        ws__set_error(WSAEFAULT);
        return -1;
    }
    unsigned char out[16];
    int rc = sys__inet_pton(af, pszAddrString, out);
    if (rc == 1 && sys__mem_write(pAddrBuf, out, af == SYS_AF_INET ? 4 : 16) < 0) {
        ws__set_error(WSAEFAULT);
        return -1;
    }
    return rc == 1 ? 1 : 0;
}

PCSTR WSAAPI inet_ntop(INT Family, const VOID *pAddr, PSTR pStringBuf, size_t StringBufSize)
{
    enum sys_af af = family_from_win(Family);
    if (af == SYS_AF_OTHER) {
        ws__set_error(WSAEAFNOSUPPORT);
        return NULL;
    }
    unsigned char in[16];
    char text[INET6_ADDRSTRLEN];
    if (sys__mem_read(in, pAddr, af == SYS_AF_INET ? 4 : 16) < 0) {
        ws__set_error(WSAEFAULT);
        return NULL;
    }
    if (sys__inet_ntop(af, in, text, sizeof text) < 0) {
        ws__set_error(ERROR_INVALID_PARAMETER);
        return NULL;
    }
    /* A missing or short output buffer is ERROR_INVALID_PARAMETER on Windows. */
    size_t len = strlen(text) + 1;
    if (!pStringBuf || StringBufSize < len || sys__mem_write(pStringBuf, text, len) < 0) {
        ws__set_error(ERROR_INVALID_PARAMETER);
        return NULL;
    }
    return pStringBuf;
}

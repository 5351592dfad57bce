/*
 * ovio Windows headers: <ws2tcpip.h> and <ws2ipdef.h> - IPv6 addresses, IP/IPv6/TCP option names,
 * getaddrinfo and friends, inet_pton/inet_ntop.  Windows' values throughout (AF_INET6 is 23).
 */
#ifndef OVIO_WIN32_WS2TCPIP_H
#define OVIO_WIN32_WS2TCPIP_H

#include "winsock2.h"

/* ---- IPPROTO_IP options ---------------------------------------------------------------------- */
#define IP_OPTIONS 1
#define IP_HDRINCL 2
#define IP_TOS 3
#define IP_TTL 4
#define IP_MULTICAST_IF 9
#define IP_MULTICAST_TTL 10
#define IP_MULTICAST_LOOP 11
#define IP_ADD_MEMBERSHIP 12
#define IP_DROP_MEMBERSHIP 13
#define IP_DONTFRAGMENT 14
#define IP_PKTINFO 19

/* ---- IPPROTO_IPV6 options -------------------------------------------------------------------- */
#define IPV6_UNICAST_HOPS 4
#define IPV6_MULTICAST_IF 9
#define IPV6_MULTICAST_HOPS 10
#define IPV6_MULTICAST_LOOP 11
#define IPV6_ADD_MEMBERSHIP 12
#define IPV6_JOIN_GROUP IPV6_ADD_MEMBERSHIP
#define IPV6_DROP_MEMBERSHIP 13
#define IPV6_LEAVE_GROUP IPV6_DROP_MEMBERSHIP
#define IPV6_PKTINFO 19
#define IPV6_HOPLIMIT 21
#define IPV6_V6ONLY 27 /* TRUE by default on Windows, and so on ovio's sockets */

/* ---- IPPROTO_TCP options (TCP_NODELAY is in winsock2.h) -------------------------------------- */
#define TCP_EXPEDITED_1122 0x0002
#define TCP_KEEPALIVE 3
#define TCP_MAXSEG 4
#define TCP_MAXRT 5
#define TCP_STDURG 6
#define TCP_NOURG 7
#define TCP_ATMARK 8
#define TCP_NOSYNRETRIES 9
#define TCP_TIMESTAMPS 10
#define TCP_OFFLOAD_PREFERENCE 11
#define TCP_CONGESTION_ALGORITHM 12
#define TCP_DELAY_FIN_ACK 13
#define TCP_MAXRTMS 14
#define TCP_FASTOPEN 15
#define TCP_KEEPCNT 16
#define TCP_KEEPIDLE TCP_KEEPALIVE
#define TCP_KEEPINTVL 17

/* ---- address strings ------------------------------------------------------------------------- */
#define INET_ADDRSTRLEN 22
#define INET6_ADDRSTRLEN 65

/* ---- getaddrinfo errors: Winsock codes, not glibc's EAI_ numbers ----------------------------- */
#define EAI_AGAIN WSATRY_AGAIN
#define EAI_BADFLAGS WSAEINVAL
#define EAI_FAIL WSANO_RECOVERY
#define EAI_FAMILY WSAEAFNOSUPPORT
#define EAI_MEMORY WSA_NOT_ENOUGH_MEMORY
#define EAI_NODATA 11004
#define EAI_NONAME WSAHOST_NOT_FOUND
#define EAI_SERVICE WSATYPE_NOT_FOUND
#define EAI_SOCKTYPE WSAESOCKTNOSUPPORT

OVIO_EXTERN_C_BEGIN

/* ---- IPv6 addresses (<in6addr.h>, <ws2ipdef.h>) ---------------------------------------------- */
typedef struct in6_addr {
    union {
        UCHAR Byte[16];
        USHORT Word[8];
    } u;
} IN6_ADDR, *PIN6_ADDR, *LPIN6_ADDR;
#define in_addr6 in6_addr
#define _S6_un u
#define _S6_u8 Byte
#define s6_addr _S6_un._S6_u8
#define s6_bytes u.Byte
#define s6_words u.Word

/* clang-format off */
#define IN6ADDR_ANY_INIT                                                                           \
    {                                                                                              \
        {                                                                                          \
            { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }                                     \
        }                                                                                          \
    }
#define IN6ADDR_LOOPBACK_INIT                                                                      \
    {                                                                                              \
        {                                                                                          \
            { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }                                     \
        }                                                                                          \
    }
/* clang-format on */

/* Defined by ovio (under its own symbol names, so glibc's in6addr_any is left alone). */
extern const struct in6_addr in6addr_any OVIO_WS_SYMBOL(in6addr_any);
extern const struct in6_addr in6addr_loopback OVIO_WS_SYMBOL(in6addr_loopback);

/* 28 bytes, as on Windows and Linux; only sin6_family's value differs (23 here). */
typedef struct sockaddr_in6 {
    ADDRESS_FAMILY sin6_family;
    USHORT sin6_port;
    ULONG sin6_flowinfo;
    IN6_ADDR sin6_addr;
    union {
        ULONG sin6_scope_id;
        SCOPE_ID sin6_scope_struct;
    };
} SOCKADDR_IN6, *PSOCKADDR_IN6, *LPSOCKADDR_IN6;

typedef union _SOCKADDR_INET {
    SOCKADDR_IN Ipv4;
    SOCKADDR_IN6 Ipv6;
    ADDRESS_FAMILY si_family;
} SOCKADDR_INET, *PSOCKADDR_INET;

typedef struct ip_mreq {
    IN_ADDR imr_multiaddr;
    IN_ADDR imr_interface;
} IP_MREQ, *PIP_MREQ;

typedef struct ipv6_mreq {
    IN6_ADDR ipv6mr_multiaddr;
    ULONG ipv6mr_interface;
} IPV6_MREQ, *PIPV6_MREQ;

typedef struct in_pktinfo {
    IN_ADDR ipi_addr;
    ULONG ipi_ifindex;
} IN_PKTINFO, *PIN_PKTINFO;

typedef struct in6_pktinfo {
    IN6_ADDR ipi6_addr;
    ULONG ipi6_ifindex;
} IN6_PKTINFO, *PIN6_PKTINFO;

#define IN6_IS_ADDR_UNSPECIFIED(a)                                                                 \
    (memcmp((a)->s6_bytes, in6addr_any.s6_bytes, sizeof(IN6_ADDR)) == 0)
#define IN6_IS_ADDR_LOOPBACK(a)                                                                    \
    (memcmp((a)->s6_bytes, in6addr_loopback.s6_bytes, sizeof(IN6_ADDR)) == 0)
#define IN6_IS_ADDR_MULTICAST(a) ((a)->s6_bytes[0] == 0xff)
#define IN6_IS_ADDR_LINKLOCAL(a) ((a)->s6_bytes[0] == 0xfe && ((a)->s6_bytes[1] & 0xc0) == 0x80)
#define IN6_IS_ADDR_V4MAPPED(a)                                                                    \
    ((a)->s6_words[0] == 0 && (a)->s6_words[1] == 0 && (a)->s6_words[2] == 0 &&                    \
     (a)->s6_words[3] == 0 && (a)->s6_words[4] == 0 && (a)->s6_words[5] == 0xffff)

/* ---- name resolution ------------------------------------------------------------------------- */
/* socklen_t is int on Windows (prelude.h). */
INT WSAAPI getaddrinfo(PCSTR pNodeName, PCSTR pServiceName, const ADDRINFOA *pHints,
                       PADDRINFOA *ppResult) OVIO_WS_SYMBOL(getaddrinfo);
VOID WSAAPI freeaddrinfo(PADDRINFOA pAddrInfo) OVIO_WS_SYMBOL(freeaddrinfo);
INT WSAAPI getnameinfo(const SOCKADDR *pSockaddr, socklen_t SockaddrLength, PCHAR pNodeBuffer,
                       DWORD NodeBufferSize, PCHAR pServiceBuffer, DWORD ServiceBufferSize,
                       INT Flags) OVIO_WS_SYMBOL(getnameinfo);
/* The SDK makes gai_strerror a macro for gai_strerrorA; here both names are one function. */
char *WSAAPI gai_strerrorA(int ecode);
char *WSAAPI gai_strerror(int ecode) __asm__("gai_strerrorA");
#define GetAddrInfoA getaddrinfo
#define FreeAddrInfoA freeaddrinfo
#define GetNameInfoA getnameinfo
typedef ADDRINFOA ADDRINFO, *LPADDRINFO;

/* ---- address conversion ---------------------------------------------------------------------- */
INT WSAAPI inet_pton(INT Family, PCSTR pszAddrString, PVOID pAddrBuf) OVIO_WS_SYMBOL(inet_pton);
PCSTR WSAAPI inet_ntop(INT Family, const VOID *pAddr, PSTR pStringBuf, size_t StringBufSize)
    OVIO_WS_SYMBOL(inet_ntop);
#define InetPtonA inet_pton
#define InetNtopA inet_ntop
#if !defined(UNICODE)
#define InetPton InetPtonA
#define InetNtop InetNtopA
#endif

OVIO_EXTERN_C_END

#endif /* OVIO_WIN32_WS2TCPIP_H */

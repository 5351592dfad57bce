/*
 * ovio Windows headers: <winsock2.h> - SOCKET, the BSD-style calls, select's fd_set, WSADATA, the
 * overlapped calls (WSASend, WSARecv, ...), event objects and network events.
 *
 * Functions that share a name with a C library function (socket, bind, send, htons, ...) are bound
 * to ovio's `ovio_ws_<name>` symbol with an asm label (prelude.h), never with a macro.  select() is
 * the exception, because glibc has already declared it with its own fd_set: in C++ ours is an
 * overload, in C the name is a macro for ovio_ws_select.
 */
#ifndef OVIO_WIN32_WINSOCK2_H
#define OVIO_WIN32_WINSOCK2_H

#include "types.h"
#include "winerror.h"
#include "kernel32.h"
#include "ws2def.h"

/* Programs test these to see whether Winsock has been included. */
#ifndef _WINSOCK2API_
#define _WINSOCK2API_
#endif
#ifndef _WINSOCKAPI_
#define _WINSOCKAPI_
#endif

OVIO_EXTERN_C_BEGIN

/* ---- SOCKET ---------------------------------------------------------------------------------- */
typedef UINT_PTR SOCKET;
#define INVALID_SOCKET (SOCKET)(~0)
#define SOCKET_ERROR (-1)

typedef unsigned char u_char;
typedef unsigned short u_short;
typedef unsigned int u_int;
/* u_long: 32-bit ovio_u_long, see prelude.h. */
typedef unsigned __int64 u_int64;

/* ---- select ---------------------------------------------------------------------------------- */
#ifndef FD_SETSIZE
#define FD_SETSIZE 64
#endif

/* A list of SOCKETs, not a bitmap: fd_count entries of fd_array are in use. */
typedef struct fd_set {
    u_int fd_count;
    SOCKET fd_array[FD_SETSIZE];
} fd_set;

int WSAAPI __WSAFDIsSet(SOCKET fd, fd_set *set);

#define FD_ZERO(set) (((fd_set *)(set))->fd_count = 0)
#define FD_ISSET(fd, set) __WSAFDIsSet((SOCKET)(fd), (fd_set *)(set))
#define FD_SET(fd, set)                                                                            \
    do {                                                                                           \
        fd_set *ovio_set_ = (fd_set *)(set);                                                       \
        u_int ovio_i_;                                                                             \
        for (ovio_i_ = 0; ovio_i_ < ovio_set_->fd_count; ovio_i_++)                                \
            if (ovio_set_->fd_array[ovio_i_] == (SOCKET)(fd))                                      \
                break;                                                                             \
        if (ovio_i_ == ovio_set_->fd_count && ovio_set_->fd_count < FD_SETSIZE)                    \
            ovio_set_->fd_array[ovio_set_->fd_count++] = (SOCKET)(fd);                             \
    } while (0)
#define FD_CLR(fd, set)                                                                            \
    do {                                                                                           \
        fd_set *ovio_set_ = (fd_set *)(set);                                                       \
        u_int ovio_i_;                                                                             \
        for (ovio_i_ = 0; ovio_i_ < ovio_set_->fd_count; ovio_i_++) {                              \
            if (ovio_set_->fd_array[ovio_i_] == (SOCKET)(fd)) {                                    \
                for (; ovio_i_ + 1 < ovio_set_->fd_count; ovio_i_++)                               \
                    ovio_set_->fd_array[ovio_i_] = ovio_set_->fd_array[ovio_i_ + 1];               \
                ovio_set_->fd_count--;                                                             \
                break;                                                                             \
            }                                                                                      \
        }                                                                                          \
    } while (0)

/* Two LONGs (8 bytes), as on Windows; `struct timeval` is renamed in prelude.h. */
typedef struct timeval {
    LONG tv_sec;
    LONG tv_usec;
} TIMEVAL, *PTIMEVAL, *LPTIMEVAL;

/* ---- database entries (Win64 layouts) -------------------------------------------------------- */
typedef struct hostent {
    char *h_name;
    char **h_aliases;
    short h_addrtype;
    short h_length;
    char **h_addr_list;
} HOSTENT, *PHOSTENT, *LPHOSTENT;
#define h_addr h_addr_list[0]

typedef struct servent {
    char *s_name;
    char **s_aliases;
    char *s_proto; /* before s_port on Win64 */
    short s_port;
} SERVENT, *PSERVENT, *LPSERVENT;

typedef struct protoent {
    char *p_name;
    char **p_aliases;
    short p_proto;
} PROTOENT, *PPROTOENT, *LPPROTOENT;

typedef struct linger {
    u_short l_onoff;
    u_short l_linger;
} LINGER, *PLINGER, *LPLINGER;

typedef struct sockaddr_in *LPSOCKADDR_IN;

/* gethostbyname's errors, as winsock2.h spells them. */
#define h_errno WSAGetLastError()
#define HOST_NOT_FOUND WSAHOST_NOT_FOUND
#define TRY_AGAIN WSATRY_AGAIN
#define NO_RECOVERY WSANO_RECOVERY
#define NO_DATA WSANO_DATA
#define NO_ADDRESS WSANO_ADDRESS

/* ---- WSAStartup ------------------------------------------------------------------------------ */
#define WSADESCRIPTION_LEN 256
#define WSASYS_STATUS_LEN 128

typedef struct WSAData {
    WORD wVersion;
    WORD wHighVersion;
    unsigned short iMaxSockets; /* the _WIN64 order: these three before the strings */
    unsigned short iMaxUdpDg;
    char *lpVendorInfo;
    char szDescription[WSADESCRIPTION_LEN + 1];
    char szSystemStatus[WSASYS_STATUS_LEN + 1];
} WSADATA, *LPWSADATA;

/* ---- socket options (SOL_SOCKET) ------------------------------------------------------------- */
#define SO_DEBUG 0x0001
#define SO_ACCEPTCONN 0x0002
#define SO_REUSEADDR 0x0004
#define SO_KEEPALIVE 0x0008
#define SO_DONTROUTE 0x0010
#define SO_BROADCAST 0x0020
#define SO_USELOOPBACK 0x0040
#define SO_LINGER 0x0080
#define SO_OOBINLINE 0x0100
#define SO_DONTLINGER ((int)(~SO_LINGER))
#define SO_EXCLUSIVEADDRUSE ((int)(~SO_REUSEADDR))
#define SO_SNDBUF 0x1001
#define SO_RCVBUF 0x1002
#define SO_SNDLOWAT 0x1003
#define SO_RCVLOWAT 0x1004
#define SO_SNDTIMEO 0x1005
#define SO_RCVTIMEO 0x1006
#define SO_ERROR 0x1007
#define SO_TYPE 0x1008
#define SO_GROUP_ID 0x2001
#define SO_GROUP_PRIORITY 0x2002
#define SO_MAX_MSG_SIZE 0x2003
#define SO_PROTOCOL_INFOA 0x2004
#define SO_PROTOCOL_INFOW 0x2005
#if defined(UNICODE)
#define SO_PROTOCOL_INFO SO_PROTOCOL_INFOW
#else
#define SO_PROTOCOL_INFO SO_PROTOCOL_INFOA
#endif
#define PVD_CONFIG 0x3001
#define SO_CONDITIONAL_ACCEPT 0x3002

#define TCP_NODELAY 0x0001

#define SOMAXCONN 0x7fffffff
#define SOMAXCONN_HINT(b) (-(b))

#define SD_RECEIVE 0x00
#define SD_SEND 0x01
#define SD_BOTH 0x02

/* ---- ioctlsocket commands (Windows' numbers, replacing <sys/ioctl.h>'s if it came first) ----- */
#undef FIONREAD
#undef FIONBIO
#undef FIOASYNC
#undef SIOCSHIWAT
#undef SIOCGHIWAT
#undef SIOCSLOWAT
#undef SIOCGLOWAT
#undef SIOCATMARK
#define FIONREAD _IOR('f', 127, u_long)
#define FIONBIO _IOW('f', 126, u_long)
#define FIOASYNC _IOW('f', 125, u_long)
#define SIOCSHIWAT _IOW('s', 0, u_long)
#define SIOCGHIWAT _IOR('s', 1, u_long)
#define SIOCSLOWAT _IOW('s', 2, u_long)
#define SIOCGLOWAT _IOR('s', 3, u_long)
#define SIOCATMARK _IOR('s', 7, u_long)

/* ---- WSAIoctl codes -------------------------------------------------------------------------- */
#define SIO_ASSOCIATE_HANDLE _WSAIOW(IOC_WS2, 1)
#define SIO_ENABLE_CIRCULAR_QUEUEING _WSAIO(IOC_WS2, 2)
#define SIO_FIND_ROUTE _WSAIOR(IOC_WS2, 3)
#define SIO_FLUSH _WSAIO(IOC_WS2, 4)
#define SIO_GET_BROADCAST_ADDRESS _WSAIOR(IOC_WS2, 5)
#define SIO_GET_EXTENSION_FUNCTION_POINTER _WSAIORW(IOC_WS2, 6)
#define SIO_GET_QOS _WSAIORW(IOC_WS2, 7)
#define SIO_GET_GROUP_QOS _WSAIORW(IOC_WS2, 8)
#define SIO_MULTIPOINT_LOOPBACK _WSAIOW(IOC_WS2, 9)
#define SIO_MULTICAST_SCOPE _WSAIOW(IOC_WS2, 10)
#define SIO_SET_QOS _WSAIOW(IOC_WS2, 11)
#define SIO_SET_GROUP_QOS _WSAIOW(IOC_WS2, 12)
#define SIO_TRANSLATE_HANDLE _WSAIORW(IOC_WS2, 13)
#define SIO_ROUTING_INTERFACE_QUERY _WSAIORW(IOC_WS2, 20)
#define SIO_ROUTING_INTERFACE_CHANGE _WSAIOW(IOC_WS2, 21)
#define SIO_ADDRESS_LIST_QUERY _WSAIOR(IOC_WS2, 22)
#define SIO_ADDRESS_LIST_CHANGE _WSAIO(IOC_WS2, 23)
#define SIO_QUERY_TARGET_PNP_HANDLE _WSAIOR(IOC_WS2, 24)
#define SIO_ADDRESS_LIST_SORT _WSAIORW(IOC_WS2, 25)

/* ---- WSASocket flags ------------------------------------------------------------------------- */
#define WSA_FLAG_OVERLAPPED 0x01
#define WSA_FLAG_MULTIPOINT_C_ROOT 0x02
#define WSA_FLAG_MULTIPOINT_C_LEAF 0x04
#define WSA_FLAG_MULTIPOINT_D_ROOT 0x08
#define WSA_FLAG_MULTIPOINT_D_LEAF 0x10
#define WSA_FLAG_ACCESS_SYSTEM_SECURITY 0x40
#define WSA_FLAG_NO_HANDLE_INHERIT 0x80
#define WSA_FLAG_REGISTERED_IO 0x100

typedef unsigned int GROUP;
#define SG_UNCONSTRAINED_GROUP 0x01
#define SG_CONSTRAINED_GROUP 0x02

/* ---- events and waits ------------------------------------------------------------------------ */
typedef HANDLE WSAEVENT, *LPWSAEVENT;
typedef struct _OVERLAPPED WSAOVERLAPPED, *LPWSAOVERLAPPED;

#define WSA_INVALID_EVENT ((WSAEVENT)NULL)
#define WSA_MAXIMUM_WAIT_EVENTS (MAXIMUM_WAIT_OBJECTS)
#define WSA_WAIT_FAILED (WAIT_FAILED)
#define WSA_WAIT_EVENT_0 (WAIT_OBJECT_0)
#define WSA_WAIT_IO_COMPLETION (WAIT_IO_COMPLETION)
#define WSA_WAIT_TIMEOUT (WAIT_TIMEOUT)
#define WSA_INFINITE (INFINITE)

/* Runs in the issuing thread's next alertable wait (SPEC D1, D2). */
typedef void(CALLBACK *LPWSAOVERLAPPED_COMPLETION_ROUTINE)(DWORD dwError, DWORD cbTransferred,
                                                           LPWSAOVERLAPPED lpOverlapped,
                                                           DWORD dwFlags);

/* WSAEventSelect's network events. */
#define FD_READ_BIT 0
#define FD_READ (1 << FD_READ_BIT)
#define FD_WRITE_BIT 1
#define FD_WRITE (1 << FD_WRITE_BIT)
#define FD_OOB_BIT 2
#define FD_OOB (1 << FD_OOB_BIT)
#define FD_ACCEPT_BIT 3
#define FD_ACCEPT (1 << FD_ACCEPT_BIT)
#define FD_CONNECT_BIT 4
#define FD_CONNECT (1 << FD_CONNECT_BIT)
#define FD_CLOSE_BIT 5
#define FD_CLOSE (1 << FD_CLOSE_BIT)
#define FD_QOS_BIT 6
#define FD_QOS (1 << FD_QOS_BIT)
#define FD_GROUP_QOS_BIT 7
#define FD_GROUP_QOS (1 << FD_GROUP_QOS_BIT)
#define FD_ROUTING_INTERFACE_CHANGE_BIT 8
#define FD_ROUTING_INTERFACE_CHANGE (1 << FD_ROUTING_INTERFACE_CHANGE_BIT)
#define FD_ADDRESS_LIST_CHANGE_BIT 9
#define FD_ADDRESS_LIST_CHANGE (1 << FD_ADDRESS_LIST_CHANGE_BIT)
#define FD_MAX_EVENTS 10
#define FD_ALL_EVENTS ((1 << FD_MAX_EVENTS) - 1)

typedef struct _WSANETWORKEVENTS {
    LONG lNetworkEvents;
    int iErrorCode[FD_MAX_EVENTS];
} WSANETWORKEVENTS, *LPWSANETWORKEVENTS;

/* ---- protocol info (declared for signatures; ovio accepts only NULL) ------------------------- */
#define MAX_PROTOCOL_CHAIN 7
#define WSAPROTOCOL_LEN 255

typedef struct _WSAPROTOCOLCHAIN {
    int ChainLen;
    DWORD ChainEntries[MAX_PROTOCOL_CHAIN];
} WSAPROTOCOLCHAIN, *LPWSAPROTOCOLCHAIN;

typedef struct _WSAPROTOCOL_INFOA {
    DWORD dwServiceFlags1;
    DWORD dwServiceFlags2;
    DWORD dwServiceFlags3;
    DWORD dwServiceFlags4;
    DWORD dwProviderFlags;
    GUID ProviderId;
    DWORD dwCatalogEntryId;
    WSAPROTOCOLCHAIN ProtocolChain;
    int iVersion;
    int iAddressFamily;
    int iMaxSockAddr;
    int iMinSockAddr;
    int iSocketType;
    int iProtocol;
    int iProtocolMaxOffset;
    int iNetworkByteOrder;
    int iSecurityScheme;
    DWORD dwMessageSize;
    DWORD dwProviderReserved;
    CHAR szProtocol[WSAPROTOCOL_LEN + 1];
} WSAPROTOCOL_INFOA, *LPWSAPROTOCOL_INFOA;

/* Same fields; szProtocol is 4-byte WCHARs here, so this one is larger than Windows'. */
typedef struct _WSAPROTOCOL_INFOW {
    DWORD dwServiceFlags1;
    DWORD dwServiceFlags2;
    DWORD dwServiceFlags3;
    DWORD dwServiceFlags4;
    DWORD dwProviderFlags;
    GUID ProviderId;
    DWORD dwCatalogEntryId;
    WSAPROTOCOLCHAIN ProtocolChain;
    int iVersion;
    int iAddressFamily;
    int iMaxSockAddr;
    int iMinSockAddr;
    int iSocketType;
    int iProtocol;
    int iProtocolMaxOffset;
    int iNetworkByteOrder;
    int iSecurityScheme;
    DWORD dwMessageSize;
    DWORD dwProviderReserved;
    WCHAR szProtocol[WSAPROTOCOL_LEN + 1];
} WSAPROTOCOL_INFOW, *LPWSAPROTOCOL_INFOW;

#if defined(UNICODE)
typedef WSAPROTOCOL_INFOW WSAPROTOCOL_INFO;
typedef LPWSAPROTOCOL_INFOW LPWSAPROTOCOL_INFO;
#else
typedef WSAPROTOCOL_INFOA WSAPROTOCOL_INFO;
typedef LPWSAPROTOCOL_INFOA LPWSAPROTOCOL_INFO;
#endif

/* Quality of service: only NULL is accepted, so the structure stays opaque. */
typedef struct _QualityOfService QOS, *LPQOS;

#define CF_ACCEPT 0x0000
#define CF_REJECT 0x0001
#define CF_DEFER 0x0002
typedef int(CALLBACK *LPCONDITIONPROC)(LPWSABUF lpCallerId, LPWSABUF lpCallerData, LPQOS lpSQOS,
                                       LPQOS lpGQOS, LPWSABUF lpCalleeId, LPWSABUF lpCalleeData,
                                       GROUP *g, DWORD_PTR dwCallbackData);

/* ---- WSAPoll --------------------------------------------------------------------------------- */
#define POLLRDNORM 0x0100
#define POLLRDBAND 0x0200
#define POLLIN (POLLRDNORM | POLLRDBAND)
#define POLLPRI 0x0400
#define POLLWRNORM 0x0010
#define POLLOUT (POLLWRNORM)
#define POLLWRBAND 0x0020
#define POLLERR 0x0001
#define POLLHUP 0x0002
#define POLLNVAL 0x0004

typedef struct pollfd {
    SOCKET fd;
    SHORT events;
    SHORT revents;
} WSAPOLLFD, *PWSAPOLLFD, *LPWSAPOLLFD;

/* ---- the BSD-style calls --------------------------------------------------------------------- */
SOCKET WSAAPI socket(int af, int type, int protocol) OVIO_WS_SYMBOL(socket);
int WSAAPI bind(SOCKET s, const struct sockaddr *name, int namelen) OVIO_WS_SYMBOL(bind);
int WSAAPI listen(SOCKET s, int backlog) OVIO_WS_SYMBOL(listen);
SOCKET WSAAPI accept(SOCKET s, struct sockaddr *addr, int *addrlen) OVIO_WS_SYMBOL(accept);
int WSAAPI connect(SOCKET s, const struct sockaddr *name, int namelen) OVIO_WS_SYMBOL(connect);
int WSAAPI shutdown(SOCKET s, int how) OVIO_WS_SYMBOL(shutdown);
int WSAAPI closesocket(SOCKET s);
int WSAAPI send(SOCKET s, const char *buf, int len, int flags) OVIO_WS_SYMBOL(send);
int WSAAPI recv(SOCKET s, char *buf, int len, int flags) OVIO_WS_SYMBOL(recv);
int WSAAPI sendto(SOCKET s, const char *buf, int len, int flags, const struct sockaddr *to,
                  int tolen) OVIO_WS_SYMBOL(sendto);
int WSAAPI recvfrom(SOCKET s, char *buf, int len, int flags, struct sockaddr *from, int *fromlen)
    OVIO_WS_SYMBOL(recvfrom);
int WSAAPI setsockopt(SOCKET s, int level, int optname, const char *optval, int optlen)
    OVIO_WS_SYMBOL(setsockopt);
int WSAAPI getsockopt(SOCKET s, int level, int optname, char *optval, int *optlen)
    OVIO_WS_SYMBOL(getsockopt);
int WSAAPI getsockname(SOCKET s, struct sockaddr *name, int *namelen) OVIO_WS_SYMBOL(getsockname);
int WSAAPI getpeername(SOCKET s, struct sockaddr *name, int *namelen) OVIO_WS_SYMBOL(getpeername);
int WSAAPI ioctlsocket(SOCKET s, LONG cmd, u_long *argp);

u_long WSAAPI htonl(u_long hostlong) OVIO_WS_SYMBOL(htonl);
u_short WSAAPI htons(u_short hostshort) OVIO_WS_SYMBOL(htons);
u_long WSAAPI ntohl(u_long netlong) OVIO_WS_SYMBOL(ntohl);
u_short WSAAPI ntohs(u_short netshort) OVIO_WS_SYMBOL(ntohs);
/* inet_addr returns `unsigned long` in the SDK: 32 bits, so u_long here. */
u_long WSAAPI inet_addr(const char *cp) OVIO_WS_SYMBOL(inet_addr);
char *WSAAPI inet_ntoa(struct in_addr in) OVIO_WS_SYMBOL(inet_ntoa);

/* namelen is int in the SDK.  It is size_t here, with the exception specification glibc gives it,
 * so that <unistd.h> (which declares glibc's gethostname) can be included before or after this
 * header; calls pass an int as before. */
#if defined(__cplusplus) && defined(__THROW)
int WSAAPI gethostname(char *name, size_t namelen) __THROW OVIO_WS_SYMBOL(gethostname);
#else
int WSAAPI gethostname(char *name, size_t namelen) OVIO_WS_SYMBOL(gethostname);
#endif
struct hostent *WSAAPI gethostbyname(const char *name) OVIO_WS_SYMBOL(gethostbyname);
struct hostent *WSAAPI gethostbyaddr(const char *addr, int len, int type)
    OVIO_WS_SYMBOL(gethostbyaddr);
struct servent *WSAAPI getservbyname(const char *name, const char *proto)
    OVIO_WS_SYMBOL(getservbyname);
struct servent *WSAAPI getservbyport(int port, const char *proto) OVIO_WS_SYMBOL(getservbyport);

OVIO_EXTERN_C_END

/* select: see the note at the top of this file. */
#if defined(__cplusplus)
extern "C++" int WSAAPI select(int nfds, fd_set *readfds, fd_set *writefds, fd_set *exceptfds,
                               const struct timeval *timeout) OVIO_WS_SYMBOL(select);
#else
#define select ovio_ws_select
int WSAAPI select(int nfds, fd_set *readfds, fd_set *writefds, fd_set *exceptfds,
                  const struct timeval *timeout);
#endif

OVIO_EXTERN_C_BEGIN

/* ---- Winsock 2 ------------------------------------------------------------------------------- */
int WSAAPI WSAStartup(WORD wVersionRequested, LPWSADATA lpWSAData);
int WSAAPI WSACleanup(void);
int WSAAPI WSAGetLastError(void);
void WSAAPI WSASetLastError(int iError);

SOCKET WSAAPI WSASocketA(int af, int type, int protocol, LPWSAPROTOCOL_INFOA lpProtocolInfo,
                         GROUP g, DWORD dwFlags);
SOCKET WSAAPI WSASocketW(int af, int type, int protocol, LPWSAPROTOCOL_INFOW lpProtocolInfo,
                         GROUP g, DWORD dwFlags);
#if defined(UNICODE)
#define WSASocket WSASocketW
#else
#define WSASocket WSASocketA
#endif
SOCKET WSAAPI WSAAccept(SOCKET s, struct sockaddr *addr, LPINT addrlen,
                        LPCONDITIONPROC lpfnCondition, DWORD_PTR dwCallbackData);
int WSAAPI WSAConnect(SOCKET s, const struct sockaddr *name, int namelen, LPWSABUF lpCallerData,
                      LPWSABUF lpCalleeData, LPQOS lpSQOS, LPQOS lpGQOS);
int WSAAPI WSAHtonl(SOCKET s, u_long hostlong, u_long *lpnetlong);
int WSAAPI WSAHtons(SOCKET s, u_short hostshort, u_short *lpnetshort);
int WSAAPI WSANtohl(SOCKET s, u_long netlong, u_long *lphostlong);
int WSAAPI WSANtohs(SOCKET s, u_short netshort, u_short *lphostshort);
int WSAAPI WSAPoll(LPWSAPOLLFD fdArray, ULONG fds, INT timeout);

int WSAAPI WSASend(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount, LPDWORD lpNumberOfBytesSent,
                   DWORD dwFlags, LPWSAOVERLAPPED lpOverlapped,
                   LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine);
int WSAAPI WSASendTo(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount, LPDWORD lpNumberOfBytesSent,
                     DWORD dwFlags, const struct sockaddr *lpTo, int iTolen,
                     LPWSAOVERLAPPED lpOverlapped,
                     LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine);
int WSAAPI WSARecv(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount, LPDWORD lpNumberOfBytesRecvd,
                   LPDWORD lpFlags, LPWSAOVERLAPPED lpOverlapped,
                   LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine);
int WSAAPI WSARecvFrom(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount,
                       LPDWORD lpNumberOfBytesRecvd, LPDWORD lpFlags, struct sockaddr *lpFrom,
                       LPINT lpFromlen, LPWSAOVERLAPPED lpOverlapped,
                       LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine);
BOOL WSAAPI WSAGetOverlappedResult(SOCKET s, LPWSAOVERLAPPED lpOverlapped, LPDWORD lpcbTransfer,
                                   BOOL fWait, LPDWORD lpdwFlags);
int WSAAPI WSAIoctl(SOCKET s, DWORD dwIoControlCode, LPVOID lpvInBuffer, DWORD cbInBuffer,
                    LPVOID lpvOutBuffer, DWORD cbOutBuffer, LPDWORD lpcbBytesReturned,
                    LPWSAOVERLAPPED lpOverlapped,
                    LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine);

WSAEVENT WSAAPI WSACreateEvent(void);
BOOL WSAAPI WSASetEvent(WSAEVENT hEvent);
BOOL WSAAPI WSAResetEvent(WSAEVENT hEvent);
BOOL WSAAPI WSACloseEvent(WSAEVENT hEvent);
DWORD WSAAPI WSAWaitForMultipleEvents(DWORD cEvents, const WSAEVENT *lphEvents, BOOL fWaitAll,
                                      DWORD dwTimeout, BOOL fAlertable);
int WSAAPI WSAEventSelect(SOCKET s, WSAEVENT hEventObject, LONG lNetworkEvents);
int WSAAPI WSAEnumNetworkEvents(SOCKET s, WSAEVENT hEventObject,
                                LPWSANETWORKEVENTS lpNetworkEvents);

OVIO_EXTERN_C_END

#define OVIO_WIN32_WINSOCK2_DECLARED
#include "cxx_compat.h" /* C++: overloads for int/long count pointers (K3) */

#endif /* OVIO_WIN32_WINSOCK2_H */

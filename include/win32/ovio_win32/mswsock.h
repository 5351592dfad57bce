/*
 * ovio Windows headers: <mswsock.h> - the Microsoft extensions: AcceptEx, GetAcceptExSockaddrs,
 * TransmitFile, and the function-pointer types and GUIDs that
 * WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER) hands out (ConnectEx and DisconnectEx are reachable
 * only that way, as on Windows).
 */
#ifndef OVIO_WIN32_MSWSOCK_H
#define OVIO_WIN32_MSWSOCK_H

#include "winsock2.h"

/* ---- socket options -------------------------------------------------------------------------- */
#define SO_CONNDATA 0x7000
#define SO_CONNOPT 0x7001
#define SO_DISCDATA 0x7002
#define SO_DISCOPT 0x7003
#define SO_CONNDATALEN 0x7004
#define SO_CONNOPTLEN 0x7005
#define SO_DISCDATALEN 0x7006
#define SO_DISCOPTLEN 0x7007
#define SO_OPENTYPE 0x7008
#define SO_SYNCHRONOUS_ALERT 0x10
#define SO_SYNCHRONOUS_NONALERT 0x20
#define SO_MAXDG 0x7009
#define SO_MAXPATHDG 0x700A
/* Accepted and ignored: Linux sockets from accept()/connect() already have these properties. */
#define SO_UPDATE_ACCEPT_CONTEXT 0x700B
#define SO_CONNECT_TIME 0x700C
#define SO_UPDATE_CONNECT_CONTEXT 0x7010
#define TCP_BSDURGENT 0x7000

/* ---- WSAIoctl codes -------------------------------------------------------------------------- */
#define SIO_UDP_CONNRESET _WSAIOW(IOC_VENDOR, 12)
#define SIO_BSP_HANDLE _WSAIOR(IOC_WS2, 27)
#define SIO_BSP_HANDLE_SELECT _WSAIOR(IOC_WS2, 28)
#define SIO_BSP_HANDLE_POLL _WSAIOR(IOC_WS2, 29)
#define SIO_BASE_HANDLE _WSAIOR(IOC_WS2, 34)

/* ---- TransmitFile / DisconnectEx flags ------------------------------------------------------- */
#define TF_DISCONNECT 0x01
#define TF_REUSE_SOCKET 0x02
#define TF_WRITE_BEHIND 0x04
#define TF_USE_DEFAULT_WORKER 0x00
#define TF_USE_SYSTEM_THREAD 0x10
#define TF_USE_KERNEL_APC 0x20

/* ---- extension function GUIDs (initialisers for a GUID variable) ----------------------------- */
/* clang-format off */
#define WSAID_TRANSMITFILE                                                                         \
    {                                                                                              \
        0xb5367df0, 0xcbac, 0x11cf, { 0x95, 0xca, 0x00, 0x80, 0x5f, 0x48, 0xa1, 0x92 }            \
    }
#define WSAID_ACCEPTEX                                                                             \
    {                                                                                              \
        0xb5367df1, 0xcbac, 0x11cf, { 0x95, 0xca, 0x00, 0x80, 0x5f, 0x48, 0xa1, 0x92 }            \
    }
#define WSAID_GETACCEPTEXSOCKADDRS                                                                 \
    {                                                                                              \
        0xb5367df2, 0xcbac, 0x11cf, { 0x95, 0xca, 0x00, 0x80, 0x5f, 0x48, 0xa1, 0x92 }            \
    }
#define WSAID_CONNECTEX                                                                            \
    {                                                                                              \
        0x25a207b9, 0xddf3, 0x4660, { 0x8e, 0xe9, 0x76, 0xe5, 0x8c, 0x74, 0x06, 0x3e }            \
    }
#define WSAID_DISCONNECTEX                                                                         \
    {                                                                                              \
        0x7fda2e11, 0x8630, 0x436f, { 0xa0, 0x31, 0xf5, 0x36, 0xa6, 0xee, 0xc1, 0x57 }            \
    }
/* clang-format on */

OVIO_EXTERN_C_BEGIN

typedef struct _TRANSMIT_FILE_BUFFERS {
    LPVOID Head;
    DWORD HeadLength;
    LPVOID Tail;
    DWORD TailLength;
} TRANSMIT_FILE_BUFFERS, *PTRANSMIT_FILE_BUFFERS, *LPTRANSMIT_FILE_BUFFERS;

typedef BOOL(PASCAL *LPFN_ACCEPTEX)(SOCKET sListenSocket, SOCKET sAcceptSocket,
                                    PVOID lpOutputBuffer, DWORD dwReceiveDataLength,
                                    DWORD dwLocalAddressLength, DWORD dwRemoteAddressLength,
                                    LPDWORD lpdwBytesReceived, LPOVERLAPPED lpOverlapped);
typedef VOID(PASCAL *LPFN_GETACCEPTEXSOCKADDRS)(
    PVOID lpOutputBuffer, DWORD dwReceiveDataLength, DWORD dwLocalAddressLength,
    DWORD dwRemoteAddressLength, struct sockaddr **LocalSockaddr, LPINT LocalSockaddrLength,
    struct sockaddr **RemoteSockaddr, LPINT RemoteSockaddrLength);
typedef BOOL(PASCAL *LPFN_CONNECTEX)(SOCKET s, const struct sockaddr *name, int namelen,
                                     PVOID lpSendBuffer, DWORD dwSendDataLength,
                                     LPDWORD lpdwBytesSent, LPOVERLAPPED lpOverlapped);
typedef BOOL(PASCAL *LPFN_DISCONNECTEX)(SOCKET s, LPOVERLAPPED lpOverlapped, DWORD dwFlags,
                                        DWORD dwReserved);
typedef BOOL(PASCAL *LPFN_TRANSMITFILE)(SOCKET hSocket, HANDLE hFile, DWORD nNumberOfBytesToWrite,
                                        DWORD nNumberOfBytesPerSend, LPOVERLAPPED lpOverlapped,
                                        LPTRANSMIT_FILE_BUFFERS lpTransmitBuffers,
                                        DWORD dwReserved);

/* The direct imports (mswsock.lib); the same functions WSAIoctl returns. */
BOOL PASCAL AcceptEx(SOCKET sListenSocket, SOCKET sAcceptSocket, PVOID lpOutputBuffer,
                     DWORD dwReceiveDataLength, DWORD dwLocalAddressLength,
                     DWORD dwRemoteAddressLength, LPDWORD lpdwBytesReceived,
                     LPOVERLAPPED lpOverlapped);
VOID PASCAL GetAcceptExSockaddrs(PVOID lpOutputBuffer, DWORD dwReceiveDataLength,
                                 DWORD dwLocalAddressLength, DWORD dwRemoteAddressLength,
                                 struct sockaddr **LocalSockaddr, LPINT LocalSockaddrLength,
                                 struct sockaddr **RemoteSockaddr, LPINT RemoteSockaddrLength);
/* Not implemented by ovio: fails with WSAEOPNOTSUPP (SPEC K5). */
BOOL PASCAL TransmitFile(SOCKET hSocket, HANDLE hFile, DWORD nNumberOfBytesToWrite,
                         DWORD nNumberOfBytesPerSend, LPOVERLAPPED lpOverlapped,
                         LPTRANSMIT_FILE_BUFFERS lpTransmitBuffers, DWORD dwReserved);

OVIO_EXTERN_C_END

#endif /* OVIO_WIN32_MSWSOCK_H */

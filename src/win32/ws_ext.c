/*
 * The Microsoft extensions (SPEC I9-I11): AcceptEx, GetAcceptExSockaddrs, ConnectEx, DisconnectEx,
 * and WSAIoctl, which hands them out as it does on Windows.  TransmitFile is not implemented and
 * says so (SPEC K5).
 */
#include <winsock2.h>
#include <windows.h>
#include <mswsock.h>

#include "ovio.h"
#include "win32/ws_internal.h"

/* What AcceptEx/ConnectEx/DisconnectEx return: TRUE for a completion inside the call, else FALSE
 * with ERROR_IO_PENDING or the error. */
static BOOL ext_result(intptr_t r, LPDWORD count, size_t done)
{
    if (r >= 0) {
        if (count)
            *count = (DWORD)r;
        ws__set_error(0);
        return TRUE;
    }
    if (r == -EINPROGRESS) {
        ws__set_error(WSA_IO_PENDING);
        return FALSE;
    }
    if (r == -EMSGSIZE && count)
        *count = (DWORD)done;
    ws__set_error(r == -EBADF ? WSAENOTSOCK : ws__wsa_from_errno((int)-r));
    return FALSE;
}

static int overlapped_ok(LPOVERLAPPED ov)
{
    if (!ov) {
        ws__set_error(ERROR_INVALID_PARAMETER); /* SPEC I9: a NULL OVERLAPPED */
        return 0;
    }
    if (ws__mem_check_rw(ov, sizeof *ov)) {
        ws__set_error(WSAEFAULT);
        return 0;
    }
    return 1;
}

BOOL PASCAL AcceptEx(SOCKET sListenSocket, SOCKET sAcceptSocket, PVOID lpOutputBuffer,
                     DWORD dwReceiveDataLength, DWORD dwLocalAddressLength,
                     DWORD dwRemoteAddressLength, LPDWORD lpdwBytesReceived,
                     LPOVERLAPPED lpOverlapped)
{
    int lfd = ws__socket_fd(sListenSocket);
    if (lfd < 0)
        return FALSE;
    int afd = ws__socket_fd(sAcceptSocket);
    if (afd < 0)
        return FALSE;
    if (!overlapped_ok(lpOverlapped))
        return FALSE;
    /* Microsoft's page asks for an address plus 16 bytes per block; Windows itself refuses only
     * an empty block (WSAEFAULT) and fills smaller ones as far as they go (Wine's
     * test_AcceptEx, checked on Windows). */
    if (dwLocalAddressLength == 0 || dwRemoteAddressLength == 0) {
        ws__set_error(WSAEFAULT);
        return FALSE;
    }
    size_t total = (size_t)dwReceiveDataLength + dwLocalAddressLength + dwRemoteAddressLength;
    if (!lpOutputBuffer || ws__mem_check_rw(lpOutputBuffer, total) ||
        (lpdwBytesReceived && ws__mem_check_rw(lpdwBytesReceived, sizeof(DWORD)))) {
        ws__set_error(WSAEFAULT);
        return FALSE;
    }
    size_t done = 0;
    intptr_t r = ws__io_accept(sListenSocket, lfd, afd, lpOutputBuffer, dwReceiveDataLength,
                               dwLocalAddressLength, dwRemoteAddressLength, lpOverlapped,
                               (uintptr_t)lpOverlapped->hEvent, &done);
    return ext_result(r, lpdwBytesReceived, done);
}

VOID PASCAL GetAcceptExSockaddrs(PVOID lpOutputBuffer, DWORD dwReceiveDataLength,
                                 DWORD dwLocalAddressLength, DWORD dwRemoteAddressLength,
                                 struct sockaddr **LocalSockaddr, LPINT LocalSockaddrLength,
                                 struct sockaddr **RemoteSockaddr, LPINT RemoteSockaddrLength)
{
    (void)dwRemoteAddressLength;
    char *blocks = (char *)lpOutputBuffer + dwReceiveDataLength;
    void *sa;
    int len;
    ws__acceptex_addr(blocks, &sa, &len);
    if (LocalSockaddr)
        *LocalSockaddr = (struct sockaddr *)sa;
    if (LocalSockaddrLength)
        *LocalSockaddrLength = len;
    ws__acceptex_addr(blocks + dwLocalAddressLength, &sa, &len);
    if (RemoteSockaddr)
        *RemoteSockaddr = (struct sockaddr *)sa;
    if (RemoteSockaddrLength)
        *RemoteSockaddrLength = len;
}

static BOOL PASCAL ConnectEx(SOCKET s, const struct sockaddr *name, int namelen,
                             PVOID lpSendBuffer, DWORD dwSendDataLength, LPDWORD lpdwBytesSent,
                             LPOVERLAPPED lpOverlapped)
{
    int fd = ws__socket_fd(s);
    if (fd < 0)
        return FALSE;
    if (!overlapped_ok(lpOverlapped))
        return FALSE;
    SOCKADDR_STORAGE to;
    if (!name || namelen <= 0 ||
        ws__mem_read(&to, name, (size_t)namelen < sizeof to ? (size_t)namelen : sizeof to) ||
        (lpdwBytesSent && ws__mem_check_rw(lpdwBytesSent, sizeof(DWORD)))) {
        ws__set_error(WSAEFAULT);
        return FALSE;
    }
    size_t done = 0;
    intptr_t r = ws__io_connect(s, fd, &to, namelen, lpSendBuffer, lpSendBuffer ? dwSendDataLength : 0,
                                lpOverlapped, (uintptr_t)lpOverlapped->hEvent, &done);
    return ext_result(r, lpdwBytesSent, done);
}

static BOOL PASCAL DisconnectEx(SOCKET s, LPOVERLAPPED lpOverlapped, DWORD dwFlags,
                                DWORD dwReserved)
{
    int fd = ws__socket_fd(s);
    if (fd < 0)
        return FALSE;
    if (dwReserved || (dwFlags & ~(DWORD)TF_REUSE_SOCKET)) {
        ws__set_error(WSAEINVAL);
        return FALSE;
    }
    if (lpOverlapped && ws__mem_check_rw(lpOverlapped, sizeof *lpOverlapped)) {
        ws__set_error(WSAEFAULT);
        return FALSE;
    }
    if (!lpOverlapped) { /* SPEC I11: without an OVERLAPPED it runs to its end right here */
        if (shutdown(s, SD_SEND) == SOCKET_ERROR)
            return FALSE;
        return TRUE;
    }
    intptr_t r = ws__io_disconnect(s, fd, lpOverlapped, (uintptr_t)lpOverlapped->hEvent);
    return ext_result(r, NULL, 0);
}

BOOL PASCAL TransmitFile(SOCKET hSocket, HANDLE hFile, DWORD nNumberOfBytesToWrite,
                         DWORD nNumberOfBytesPerSend, LPOVERLAPPED lpOverlapped,
                         LPTRANSMIT_FILE_BUFFERS lpTransmitBuffers, DWORD dwReserved)
{
    (void)hSocket;
    (void)hFile;
    (void)nNumberOfBytesToWrite;
    (void)nNumberOfBytesPerSend;
    (void)lpOverlapped;
    (void)lpTransmitBuffers;
    (void)dwReserved;
    ws__set_error(WSAEOPNOTSUPP); /* not implemented: docs/PORTING.md */
    return FALSE;
}

static const struct {
    GUID id;
    void *fn;
} extensions[] = {
    {WSAID_ACCEPTEX, (void *)AcceptEx},
    {WSAID_GETACCEPTEXSOCKADDRS, (void *)GetAcceptExSockaddrs},
    {WSAID_CONNECTEX, (void *)ConnectEx},
    {WSAID_DISCONNECTEX, (void *)DisconnectEx},
    {WSAID_TRANSMITFILE, (void *)TransmitFile},
};

static int fail(DWORD code)
{
    ws__set_error(code);
    return SOCKET_ERROR;
}

int WSAAPI WSAIoctl(SOCKET s, DWORD dwIoControlCode, LPVOID lpvInBuffer, DWORD cbInBuffer,
                    LPVOID lpvOutBuffer, DWORD cbOutBuffer, LPDWORD lpcbBytesReturned,
                    LPWSAOVERLAPPED lpOverlapped,
                    LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine)
{
    (void)lpOverlapped;
    (void)lpCompletionRoutine;
    if (ws__socket_fd(s) < 0)
        return SOCKET_ERROR;
    switch (dwIoControlCode) {
    case SIO_GET_EXTENSION_FUNCTION_POINTER: {
        GUID id;
        if (!lpvInBuffer || cbInBuffer < sizeof id || ws__mem_read(&id, lpvInBuffer, sizeof id))
            return fail(WSAEFAULT);
        for (size_t i = 0; i < sizeof extensions / sizeof *extensions; i++) {
            if (memcmp(&id, &extensions[i].id, sizeof id) != 0)
                continue;
            if (!lpvOutBuffer || cbOutBuffer < sizeof(void *) ||
                ws__mem_write(lpvOutBuffer, &extensions[i].fn, sizeof(void *)))
                return fail(WSAEFAULT);
            if (lpcbBytesReturned)
                *lpcbBytesReturned = sizeof(void *);
            return 0;
        }
        return fail(WSAEINVAL);
    }
    case FIONBIO:
    case FIONREAD:
    case SIOCATMARK: {
        u_long arg = 0;
        if (dwIoControlCode == FIONBIO &&
            (!lpvInBuffer || cbInBuffer < sizeof arg || ws__mem_read(&arg, lpvInBuffer, sizeof arg)))
            return fail(WSAEFAULT);
        if (ioctlsocket(s, (LONG)dwIoControlCode, &arg) == SOCKET_ERROR)
            return SOCKET_ERROR;
        if (dwIoControlCode != FIONBIO) {
            if (!lpvOutBuffer || cbOutBuffer < sizeof arg ||
                ws__mem_write(lpvOutBuffer, &arg, sizeof arg))
                return fail(WSAEFAULT);
            if (lpcbBytesReturned)
                *lpcbBytesReturned = sizeof arg;
        }
        return 0;
    }
    default:
        return fail(WSAEOPNOTSUPP); /* docs/PORTING.md lists what WSAIoctl does */
    }
}

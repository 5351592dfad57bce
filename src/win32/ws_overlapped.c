/*
 * WSASend, WSARecv, WSASendTo, WSARecvFrom, WSAGetOverlappedResult, HasOverlappedIoCompleted,
 * CancelIo(Ex) (SPEC A, B, C, E7): argument checks and Windows results; the work is the core's.
 */
#include <winsock2.h>
#include <windows.h>

#include <sys/uio.h>

#include "ovio.h"
#include "win32/ws_internal.h"

#define IOV_ON_STACK 16
#define IOV_LIMIT 1024 /* Linux's IOV_MAX */

/* Windows MSG_* to Linux MSG_*; -1 for a flag Linux cannot honour. */
static int linux_msg_flags(DWORD flags)
{
    int out = 0;
    if (flags & MSG_OOB)
        out |= 0x1;
    if (flags & MSG_PEEK)
        out |= 0x2;
    if (flags & MSG_DONTROUTE)
        out |= 0x4;
    if (flags & MSG_WAITALL)
        out |= 0x100;
    flags &= ~(DWORD)(MSG_OOB | MSG_PEEK | MSG_DONTROUTE | MSG_WAITALL | MSG_PARTIAL |
                      MSG_PUSH_IMMEDIATE);
    return flags ? -1 : out;
}

static int fail(DWORD code)
{
    ws__set_error(code);
    return SOCKET_ERROR;
}

/* Shared by the four calls.  to/from are Windows addresses or NULL.  Every pointer the call was
 * given is checked before anything is queued, so a bad one fails with WSAEFAULT at once and the
 * core never touches unchecked memory (SPEC G3); data buffers are the kernel's to check. */
static int transfer(SOCKET s, LPWSABUF bufs, DWORD nbufs, LPDWORD count, DWORD flags,
                    LPDWORD flags_out, const struct sockaddr *to, int to_len,
                    struct sockaddr *from, LPINT from_len, LPWSAOVERLAPPED ov,
                    LPWSAOVERLAPPED_COMPLETION_ROUTINE routine, int send)
{
    int fd = ws__socket_fd(s);
    if (fd < 0)
        return SOCKET_ERROR; /* WSANOTINITIALISED or WSAENOTSOCK (SPEC G1, G2) */
    if (!bufs)
        return fail(WSAEFAULT); /* SPEC G3 */
    if (nbufs == 0)
        return fail(WSAEINVAL); /* SPEC A9 */
    if (nbufs > IOV_LIMIT)
        return fail(WSAENOBUFS);
    if (!ov && !count)
        return fail(WSAEFAULT); /* SPEC A8 */
    if (from && !from_len)
        return fail(WSAEFAULT);
    /* Receives take their flags through lpFlags (also written back), read once the socket is
     * known good, so WSAENOTSOCK comes before WSAEFAULT. */
    if (!send && (!flags_out || ws__mem_read(&flags, flags_out, sizeof flags)))
        return fail(WSAEFAULT);
    int lflags = linux_msg_flags(flags);
    if (lflags < 0)
        return fail(WSAEOPNOTSUPP);
    if ((ov && ws__mem_check_rw(ov, sizeof *ov)) || (count && ws__mem_check_rw(count, sizeof *count)) ||
        (flags_out && ws__mem_check_rw(flags_out, sizeof *flags_out)))
        return fail(WSAEFAULT);
    SOCKADDR_STORAGE to_copy;
    if (to) {
        if (to_len < 0 || ws__mem_read(&to_copy, to, (size_t)to_len < sizeof to_copy ? (size_t)to_len : sizeof to_copy))
            return fail(WSAEFAULT);
        to = (const struct sockaddr *)&to_copy;
    }
    if (from) {
        int room;
        if (ws__mem_read(&room, from_len, sizeof room) || ws__mem_check_rw(from_len, sizeof room) ||
            room < 0 || (room > 0 && ws__mem_check_rw(from, (size_t)room)))
            return fail(WSAEFAULT);
    }

    WSABUF stack_bufs[IOV_ON_STACK], *wb = stack_bufs;
    struct iovec stack_iov[IOV_ON_STACK], *iov = stack_iov;
    if (nbufs > IOV_ON_STACK &&
        (!(wb = malloc(nbufs * sizeof *wb)) || !(iov = malloc(nbufs * sizeof *iov)))) {
        if (wb != stack_bufs)
            free(wb);
        return fail(WSAENOBUFS);
    }
    int fault = ws__mem_read(wb, bufs, nbufs * sizeof *wb);
    for (DWORD i = 0; i < nbufs && !fault; i++) {
        iov[i].iov_base = wb[i].buf;
        iov[i].iov_len = wb[i].len;
        fault = !wb[i].buf && wb[i].len;
    }
    if (wb != stack_bufs)
        free(wb);
    if (fault) {
        if (iov != stack_iov)
            free(iov);
        return fail(WSAEFAULT);
    }
    size_t done = 0;
    struct ws__io io = {
        .fd = fd,
        .sock = s,
        .send = send,
        .iov = iov,
        .iovcnt = (int)nbufs,
        .flags = lflags,
        .win_to = to,
        .to_len = to_len,
        .win_from = from,
        .from_len = from_len,
        .ov = ov,
        .routine = ov ? (void *)routine : NULL,
        .event = ov ? (uintptr_t)ov->hEvent : 0,
        .done_bytes = &done,
    };
    intptr_t r = ov ? ws__io_issue(&io) : ws__io_now(&io);
    if (iov != stack_iov)
        free(iov);

    if (r >= 0) { /* SPEC A1 */
        if (count)
            *count = (DWORD)r;
        if (flags_out)
            *flags_out = 0;
        ws__set_error(0);
        return 0;
    }
    if (r == -EINPROGRESS) /* SPEC A2: count and flags untouched */
        return fail(WSA_IO_PENDING);
    if (r == -EMSGSIZE && count) /* SPEC H2: truncated, the count still written */
        *count = (DWORD)done;
    if (r == -EBADF) /* hEvent is not an event, or the socket was closed meanwhile (G2) */
        return fail(ws__handle_type(s) == WS__HANDLE_SOCKET ? WSA_INVALID_HANDLE : WSAENOTSOCK);
    return fail(ws__wsa_from_errno((int)-r));
}

int WSAAPI WSASend(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount,
                   LPDWORD lpNumberOfBytesSent, DWORD dwFlags, LPWSAOVERLAPPED lpOverlapped,
                   LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine)
{
    return transfer(s, lpBuffers, dwBufferCount, lpNumberOfBytesSent, dwFlags, NULL, NULL, 0,
                    NULL, NULL, lpOverlapped, lpCompletionRoutine, 1);
}

int WSAAPI WSASendTo(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount,
                     LPDWORD lpNumberOfBytesSent, DWORD dwFlags, const struct sockaddr *lpTo,
                     int iTolen, LPWSAOVERLAPPED lpOverlapped,
                     LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine)
{
    return transfer(s, lpBuffers, dwBufferCount, lpNumberOfBytesSent, dwFlags, NULL, lpTo, iTolen,
                    NULL, NULL, lpOverlapped, lpCompletionRoutine, 1);
}

int WSAAPI WSARecv(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount,
                   LPDWORD lpNumberOfBytesRecvd, LPDWORD lpFlags, LPWSAOVERLAPPED lpOverlapped,
                   LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine)
{
    return transfer(s, lpBuffers, dwBufferCount, lpNumberOfBytesRecvd, 0,
                    lpFlags, NULL, 0, NULL, NULL, lpOverlapped, lpCompletionRoutine, 0);
}

int WSAAPI WSARecvFrom(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount,
                       LPDWORD lpNumberOfBytesRecvd, LPDWORD lpFlags, struct sockaddr *lpFrom,
                       LPINT lpFromlen, LPWSAOVERLAPPED lpOverlapped,
                       LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine)
{
    return transfer(s, lpBuffers, dwBufferCount, lpNumberOfBytesRecvd, 0,
                    lpFlags, NULL, 0, lpFrom, lpFromlen, lpOverlapped, lpCompletionRoutine, 0);
}

BOOL WSAAPI WSAGetOverlappedResult(SOCKET s, LPWSAOVERLAPPED lpOverlapped, LPDWORD lpcbTransfer,
                                   BOOL fWait, LPDWORD lpdwFlags)
{
    if (!ws__started())
        return FALSE;
    if (!lpOverlapped || !lpcbTransfer || ws__mem_check_rw(lpOverlapped, sizeof *lpOverlapped) ||
        ws__mem_check_rw(lpcbTransfer, sizeof *lpcbTransfer) ||
        (lpdwFlags && ws__mem_check_rw(lpdwFlags, sizeof *lpdwFlags))) {
        ws__set_error(WSAEFAULT);
        return FALSE;
    }
    /* A closed socket still qualifies: the record alone says everything (SPEC C4, C6). */
    if (!ws__socket_was(s))
        return FALSE;
    if (__atomic_load_n(&lpOverlapped->Internal, __ATOMIC_ACQUIRE) == STATUS_PENDING) {
        int r = ovio_await((ovio_overlapped *)lpOverlapped, fWait != FALSE);
        if (r == -EINPROGRESS) {
            ws__set_error(WSA_IO_INCOMPLETE); /* SPEC C1 */
            return FALSE;
        }
        if (r < 0) {
            ws__set_error(WSAEINVAL);
            return FALSE;
        }
    }
    DWORD status = (DWORD)__atomic_load_n(&lpOverlapped->Internal, __ATOMIC_ACQUIRE);
    *lpcbTransfer = (DWORD)lpOverlapped->InternalHigh;
    if (lpdwFlags)
        *lpdwFlags = 0;
    if (status == STATUS_SUCCESS)
        return TRUE;
    ws__set_error(ws__wsa_from_ntstatus(status)); /* SPEC C3 */
    return FALSE;
}

BOOL WINAPI ovio_HasOverlappedIoCompleted(LPOVERLAPPED lpOverlapped)
{
    /* SPEC B4: a poll of the record that also lets the engine deliver what has arrived. */
    return ovio_await((ovio_overlapped *)lpOverlapped, false) != -EINPROGRESS;
}

static BOOL cancel(HANDLE h, LPOVERLAPPED ov, int mine)
{
    int fd = ws__socket_fd((uintptr_t)h);
    if (fd < 0) {
        ws__set_error(ERROR_INVALID_HANDLE);
        return FALSE;
    }
    int r = mine ? ovio_cancel_mine(fd) : ovio_cancel(fd, (ovio_overlapped *)ov);
    if (r == -ENOENT) {
        ws__set_error(ERROR_NOT_FOUND); /* SPEC E7 */
        return FALSE;
    }
    if (r < 0) {
        ws__set_error(ERROR_INVALID_HANDLE);
        return FALSE;
    }
    return TRUE;
}

BOOL WINAPI CancelIo(HANDLE hFile)
{
    return cancel(hFile, NULL, 1);
}

BOOL WINAPI CancelIoEx(HANDLE hFile, LPOVERLAPPED lpOverlapped)
{
    return cancel(hFile, lpOverlapped, 0);
}

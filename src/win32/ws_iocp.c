/* Completion ports with Windows names (SPEC I1-I4, I7, I8): CreateIoCompletionPort,
 * GetQueuedCompletionStatus(Ex), PostQueuedCompletionStatus, SetFileCompletionNotificationModes. */
#include <winsock2.h>
#include <windows.h>

#include "ovio.h"
#include "win32/ws_internal.h"

static int wait_ms(DWORD ms)
{
    return ms == INFINITE ? OVIO_INFINITE : ms > INT32_MAX ? INT32_MAX : (int)ms;
}

HANDLE WINAPI CreateIoCompletionPort(HANDLE FileHandle, HANDLE ExistingCompletionPort,
                                     ULONG_PTR CompletionKey, DWORD NumberOfConcurrentThreads)
{
    if (FileHandle == INVALID_HANDLE_VALUE) {
        if (ExistingCompletionPort) {
            ws__set_error(ERROR_INVALID_PARAMETER);
            return NULL;
        }
        ovio_handle port = ovio_port_create(NumberOfConcurrentThreads);
        if (!port)
            ws__set_error(ERROR_NOT_ENOUGH_MEMORY);
        return (HANDLE)port;
    }
    if (ws__handle_type((uintptr_t)FileHandle) != WS__HANDLE_SOCKET) {
        ws__set_error(ERROR_INVALID_HANDLE); /* only sockets can be bound here */
        return NULL;
    }
    int fd = ws__socket_fd((uintptr_t)FileHandle);
    if (fd < 0) {
        ws__set_error(ERROR_INVALID_HANDLE);
        return NULL;
    }
    ovio_handle port = (ovio_handle)ExistingCompletionPort;
    bool created = false;
    if (!port) {
        if (!(port = ovio_port_create(NumberOfConcurrentThreads))) {
            ws__set_error(ERROR_NOT_ENOUGH_MEMORY);
            return NULL;
        }
        created = true;
    }
    int r = ovio_port_bind(port, fd, CompletionKey);
    if (r < 0) {
        if (created)
            ovio_handle_close(port);
        ws__set_error(r == -EBADF ? ERROR_INVALID_HANDLE : ERROR_INVALID_PARAMETER);
        return NULL;
    }
    return (HANDLE)port;
}

/* An I/O packet carries its operation's outcome as an errno; Windows reports it as the Win32
 * error of the operation's NT status (SPEC I2). */
static DWORD packet_error(int err)
{
    return ws__win32_from_ntstatus(ws__ntstatus_from_errno(err));
}

static void fail_wait(int r)
{
    ws__set_error(r == -ETIMEDOUT   ? WAIT_TIMEOUT
                  : r == -EINTR     ? WAIT_IO_COMPLETION
                  : r == -ECANCELED ? ERROR_ABANDONED_WAIT_0
                  : r == -EBADF     ? ERROR_INVALID_HANDLE
                                    : ERROR_INVALID_PARAMETER);
}

BOOL WINAPI GetQueuedCompletionStatus(HANDLE CompletionPort, LPDWORD lpNumberOfBytesTransferred,
                                      PULONG_PTR lpCompletionKey, LPOVERLAPPED *lpOverlapped,
                                      DWORD dwMilliseconds)
{
    if (!lpNumberOfBytesTransferred || !lpCompletionKey || !lpOverlapped) {
        ws__set_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    ovio_port_entry e;
    int r = ovio_port_get((ovio_handle)CompletionPort, &e, 1, wait_ms(dwMilliseconds), false);
    if (r < 0) { /* nothing dequeued: the count and key stay as they were */
        *lpOverlapped = NULL;
        fail_wait(r);
        return FALSE;
    }
    *lpOverlapped = (LPOVERLAPPED)e.ov;
    *lpCompletionKey = e.key;
    *lpNumberOfBytesTransferred = (DWORD)e.bytes;
    if (e.err) {
        ws__set_error(packet_error(e.err));
        return FALSE;
    }
    return TRUE;
}

BOOL WINAPI GetQueuedCompletionStatusEx(HANDLE CompletionPort,
                                        LPOVERLAPPED_ENTRY lpCompletionPortEntries, ULONG ulCount,
                                        PULONG ulNumEntriesRemoved, DWORD dwMilliseconds,
                                        BOOL fAlertable)
{
    if (!lpCompletionPortEntries || !ulNumEntriesRemoved || ulCount == 0) {
        ws__set_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    ovio_port_entry stack[64], *es = stack;
    if (ulCount > 64 && !(es = malloc(ulCount * sizeof *es))) {
        ws__set_error(ERROR_NOT_ENOUGH_MEMORY);
        return FALSE;
    }
    int r = ovio_port_get((ovio_handle)CompletionPort, es, ulCount, wait_ms(dwMilliseconds),
                          fAlertable != FALSE);
    for (int i = 0; i < r; i++) {
        lpCompletionPortEntries[i].lpCompletionKey = es[i].key;
        lpCompletionPortEntries[i].lpOverlapped = (LPOVERLAPPED)es[i].ov;
        lpCompletionPortEntries[i].Internal = ws__ntstatus_from_errno(es[i].err);
        lpCompletionPortEntries[i].dwNumberOfBytesTransferred = (DWORD)es[i].bytes;
    }
    if (es != stack)
        free(es);
    if (r < 0) {
        *ulNumEntriesRemoved = 0;
        fail_wait(r);
        return FALSE;
    }
    *ulNumEntriesRemoved = (ULONG)r;
    return TRUE;
}

BOOL WINAPI PostQueuedCompletionStatus(HANDLE CompletionPort, DWORD dwNumberOfBytesTransferred,
                                       ULONG_PTR dwCompletionKey, LPOVERLAPPED lpOverlapped)
{
    ovio_port_entry e = {.key = dwCompletionKey,
                         .ov = (ovio_overlapped *)lpOverlapped,
                         .err = 0,
                         .bytes = dwNumberOfBytesTransferred};
    int r = ovio_port_post((ovio_handle)CompletionPort, &e);
    if (r < 0) {
        ws__set_error(r == -ENOMEM ? ERROR_NOT_ENOUGH_MEMORY : ERROR_INVALID_HANDLE);
        return FALSE;
    }
    return TRUE;
}

BOOL WINAPI SetFileCompletionNotificationModes(HANDLE FileHandle, UCHAR Flags)
{
    int fd = ws__socket_fd((uintptr_t)FileHandle);
    if (fd < 0) {
        ws__set_error(ERROR_INVALID_HANDLE);
        return FALSE;
    }
    if (Flags & ~(FILE_SKIP_COMPLETION_PORT_ON_SUCCESS | FILE_SKIP_SET_EVENT_ON_HANDLE)) {
        ws__set_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    ovio_fd_skip_notifications(fd, Flags);
    return TRUE;
}

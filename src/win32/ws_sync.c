/* Events, waits, Sleep and CloseHandle (SPEC F1-F5, D2, D3): the native API with Windows names and
 * return values. */
#include <winsock2.h>
#include <windows.h>

#include "ovio.h"
#include "win32/ws_internal.h"

static HANDLE new_event(BOOL manual, BOOL initial)
{
    ovio_handle h = ovio_event_create(manual != FALSE, initial != FALSE);
    if (!h) {
        ws__set_error(ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    return (HANDLE)h;
}

WSAEVENT WSAAPI WSACreateEvent(void)
{
    WSAEVENT ev = new_event(TRUE, FALSE); /* SPEC F1: manual-reset, unsignalled */
    if (!ev)
        ws__set_error(WSA_NOT_ENOUGH_MEMORY);
    return ev ? ev : WSA_INVALID_EVENT;
}

HANDLE WINAPI CreateEventA(LPSECURITY_ATTRIBUTES lpEventAttributes, BOOL bManualReset,
                           BOOL bInitialState, LPCSTR lpName)
{
    (void)lpEventAttributes;
    if (lpName) { /* named (cross-process) events are not implemented: say so (PORTING.md) */
        ws__set_error(ERROR_NOT_SUPPORTED);
        return NULL;
    }
    return new_event(bManualReset, bInitialState);
}

HANDLE WINAPI CreateEventW(LPSECURITY_ATTRIBUTES lpEventAttributes, BOOL bManualReset,
                           BOOL bInitialState, LPCWSTR lpName)
{
    (void)lpEventAttributes;
    if (lpName) {
        ws__set_error(ERROR_NOT_SUPPORTED);
        return NULL;
    }
    return new_event(bManualReset, bInitialState);
}

static BOOL event_op(HANDLE h, int (*op)(ovio_handle))
{
    if (op((ovio_handle)h) < 0) {
        ws__set_error(ERROR_INVALID_HANDLE);
        return FALSE;
    }
    return TRUE;
}

BOOL WINAPI SetEvent(HANDLE hEvent)
{
    return event_op(hEvent, ovio_event_set);
}

BOOL WINAPI ResetEvent(HANDLE hEvent)
{
    return event_op(hEvent, ovio_event_reset);
}

BOOL WSAAPI WSASetEvent(WSAEVENT hEvent)
{
    return SetEvent(hEvent);
}

BOOL WSAAPI WSAResetEvent(WSAEVENT hEvent)
{
    return ResetEvent(hEvent);
}

/* GetCurrentProcess() and GetCurrentThread() return these pseudo-handles. */
#define PSEUDO_PROCESS ((HANDLE)(LONG_PTR)-1)
#define PSEUDO_THREAD ((HANDLE)(LONG_PTR)-2)

BOOL WINAPI CloseHandle(HANDLE hObject)
{
    if (hObject == PSEUDO_PROCESS || hObject == PSEUDO_THREAD)
        return TRUE;
    switch (ws__handle_type((uintptr_t)hObject)) {
    case WS__HANDLE_SOCKET:
        return ws__socket_close((uintptr_t)hObject) == 0;
    case 0:
        ws__set_error(ERROR_INVALID_HANDLE);
        return FALSE;
    default:
        return ovio_handle_close((ovio_handle)hObject) == 0;
    }
}

/* WSACloseEvent is CloseHandle: given a SOCKET it closes the socket (aborting what is pending). */
BOOL WSAAPI WSACloseEvent(WSAEVENT hEvent)
{
    return CloseHandle(hEvent);
}

static int timeout_ms(DWORD ms)
{
    return ms == INFINITE ? OVIO_INFINITE : ms > INT32_MAX ? INT32_MAX : (int)ms;
}

/* One implementation behind every wait: WAIT_OBJECT_0 + i, WAIT_TIMEOUT, WAIT_IO_COMPLETION or
 * WAIT_FAILED with ERROR_INVALID_PARAMETER / ERROR_INVALID_HANDLE (the WSA_ names share values). */
static DWORD wait_handles(DWORD n, const HANDLE *hs, BOOL all, DWORD ms, BOOL alertable)
{
    if (n == 0 || n > MAXIMUM_WAIT_OBJECTS || !hs) {
        ws__set_error(ERROR_INVALID_PARAMETER);
        return WAIT_FAILED;
    }
    ovio_handle handles[MAXIMUM_WAIT_OBJECTS];
    for (DWORD i = 0; i < n; i++)
        handles[i] = hs[i] == PSEUDO_THREAD ? OVIO_CURRENT_THREAD : (ovio_handle)hs[i];
    int r = ovio_wait(handles, n, all != FALSE, timeout_ms(ms), alertable != FALSE);
    switch (r) {
    case OVIO_WAIT_TIMEOUT:
        return WAIT_TIMEOUT;
    case OVIO_WAIT_IO_COMPLETION:
        return WAIT_IO_COMPLETION;
    default:
        if (r >= 0)
            return WAIT_OBJECT_0 + (DWORD)r;
        ws__set_error(r == -EBADF ? ERROR_INVALID_HANDLE
                      : r == -EINVAL ? ERROR_INVALID_PARAMETER
                                     : ERROR_NOT_ENOUGH_MEMORY);
        return WAIT_FAILED;
    }
}

DWORD WSAAPI WSAWaitForMultipleEvents(DWORD cEvents, const WSAEVENT *lphEvents, BOOL fWaitAll,
                                      DWORD dwTimeout, BOOL fAlertable)
{
    return wait_handles(cEvents, lphEvents, fWaitAll, dwTimeout, fAlertable);
}

DWORD WINAPI WaitForSingleObject(HANDLE hHandle, DWORD dwMilliseconds)
{
    return wait_handles(1, &hHandle, FALSE, dwMilliseconds, FALSE);
}

DWORD WINAPI WaitForSingleObjectEx(HANDLE hHandle, DWORD dwMilliseconds, BOOL bAlertable)
{
    return wait_handles(1, &hHandle, FALSE, dwMilliseconds, bAlertable);
}

DWORD WINAPI WaitForMultipleObjects(DWORD nCount, const HANDLE *lpHandles, BOOL bWaitAll,
                                    DWORD dwMilliseconds)
{
    return wait_handles(nCount, lpHandles, bWaitAll, dwMilliseconds, FALSE);
}

DWORD WINAPI WaitForMultipleObjectsEx(DWORD nCount, const HANDLE *lpHandles, BOOL bWaitAll,
                                      DWORD dwMilliseconds, BOOL bAlertable)
{
    return wait_handles(nCount, lpHandles, bWaitAll, dwMilliseconds, bAlertable);
}

VOID WINAPI Sleep(DWORD dwMilliseconds)
{
    ovio_sleep(timeout_ms(dwMilliseconds), false);
}

DWORD WINAPI SleepEx(DWORD dwMilliseconds, BOOL bAlertable)
{
    int r = ovio_sleep(timeout_ms(dwMilliseconds), bAlertable != FALSE);
    return r == OVIO_WAIT_IO_COMPLETION ? WAIT_IO_COMPLETION : 0;
}

/* Threads and APCs (SPEC D5, E9): CreateThread, _beginthreadex, ExitThread, GetExitCodeThread,
 * GetCurrentThread(Id), QueueUserAPC. */
#include <winsock2.h>
#include <windows.h>
#include <process.h>

#include "ovio.h"
#include "win32/ws_internal.h"

#define PSEUDO_THREAD ((HANDLE)(LONG_PTR)-2)

static ovio_handle thread_handle(HANDLE h)
{
    return h == PSEUDO_THREAD ? OVIO_CURRENT_THREAD : (ovio_handle)h;
}

HANDLE WINAPI CreateThread(LPSECURITY_ATTRIBUTES lpThreadAttributes, SIZE_T dwStackSize,
                           LPTHREAD_START_ROUTINE lpStartAddress, LPVOID lpParameter,
                           DWORD dwCreationFlags, LPDWORD lpThreadId)
{
    (void)lpThreadAttributes;
    (void)dwStackSize;
    if (!lpStartAddress) {
        ws__set_error(ERROR_INVALID_PARAMETER);
        return NULL;
    }
    if (dwCreationFlags & CREATE_SUSPENDED) { /* not implemented: listed in PORTING.md */
        ws__set_error(ERROR_NOT_SUPPORTED);
        return NULL;
    }
    ovio_handle h = ovio_thread_create((ovio_thread_fn)lpStartAddress, lpParameter);
    if (!h) {
        ws__set_error(ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    if (lpThreadId)
        *lpThreadId = ovio_thread_handle_id(h);
    return (HANDLE)h;
}

uintptr_t __cdecl _beginthreadex(void *security, unsigned stack_size,
                                 unsigned(__stdcall *start_address)(void *), void *arglist,
                                 unsigned initflag, unsigned *thrdaddr)
{
    HANDLE h = CreateThread(security, stack_size, (LPTHREAD_START_ROUTINE)start_address, arglist,
                            initflag, (LPDWORD)thrdaddr);
    if (!h)
        errno = EINVAL;
    return (uintptr_t)h;
}

void __cdecl _endthreadex(unsigned retval)
{
    ovio_thread_exit(retval);
}

VOID WINAPI ExitThread(DWORD dwExitCode)
{
    ovio_thread_exit(dwExitCode);
}

BOOL WINAPI GetExitCodeThread(HANDLE hThread, LPDWORD lpExitCode)
{
    if (!lpExitCode) {
        ws__set_error(ERROR_NOACCESS);
        return FALSE;
    }
    unsigned code = 0;
    int r = ovio_thread_exit_code(thread_handle(hThread), &code);
    if (r == -EBADF) {
        ws__set_error(ERROR_INVALID_HANDLE);
        return FALSE;
    }
    *lpExitCode = r == -EAGAIN ? STILL_ACTIVE : code;
    return TRUE;
}

HANDLE WINAPI GetCurrentThread(void)
{
    return PSEUDO_THREAD;
}

DWORD WINAPI GetCurrentThreadId(void)
{
    return ovio_thread_id();
}

DWORD WINAPI QueueUserAPC(PAPCFUNC pfnAPC, HANDLE hThread, ULONG_PTR dwData)
{
    int r = ovio_queue_apc(thread_handle(hThread), (ovio_apc_fn)pfnAPC, dwData);
    if (r < 0) {
        ws__set_error(r == -EBADF ? ERROR_INVALID_HANDLE
                      : r == -EINVAL ? ERROR_INVALID_PARAMETER
                                     : ERROR_GEN_FAILURE);
        return 0;
    }
    return 1;
}

DWORD WINAPI GetThreadId(HANDLE Thread)
{
    uint32_t id = ovio_thread_handle_id(thread_handle(Thread));
    if (!id)
        ws__set_error(ERROR_INVALID_HANDLE);
    return id;
}

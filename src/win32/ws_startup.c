/* WSAStartup/WSACleanup, the per-thread last error (SPEC G1, G4, E10) and closesocket. */
#include <winsock2.h>
#include <windows.h>

#include "ovio.h"
#include "win32/ws_internal.h"

static int startup_count; /* guarded by being changed only inside WSAStartup/WSACleanup calls */
static __thread DWORD last_error;

void ws__set_error(uint32_t code)
{
    last_error = code;
}

uint32_t ws__get_error(void)
{
    return last_error;
}

int ws__started(void)
{
    if (__atomic_load_n(&startup_count, __ATOMIC_ACQUIRE) > 0)
        return 1;
    ws__set_error(WSANOTINITIALISED);
    return 0;
}

int WSAAPI WSAGetLastError(void)
{
    return (int)last_error;
}

void WSAAPI WSASetLastError(int iError)
{
    last_error = (DWORD)iError;
}

DWORD WINAPI GetLastError(void)
{
    return last_error;
}

VOID WINAPI SetLastError(DWORD dwErrCode)
{
    last_error = dwErrCode;
}

int WSAAPI WSAStartup(WORD wVersionRequested, LPWSADATA lpWSAData)
{
    BYTE major = LOBYTE(wVersionRequested), minor = HIBYTE(wVersionRequested);
    if (major < 1 || (major == 1 && minor < 1))
        return WSAVERNOTSUPPORTED;
    if (!lpWSAData)
        return WSAEFAULT;
    memset(lpWSAData, 0, sizeof *lpWSAData);
    /* Windows answers with the requested version when it is at most 2.2, else 2.2. */
    lpWSAData->wVersion = major > 2 || (major == 2 && minor > 2) ? MAKEWORD(2, 2) : wVersionRequested;
    lpWSAData->wHighVersion = MAKEWORD(2, 2);
    lpWSAData->iMaxSockets = 0;
    lpWSAData->iMaxUdpDg = 0;
    strcpy(lpWSAData->szDescription, "WinSock 2.0");
    strcpy(lpWSAData->szSystemStatus, "Running");
    ws__probe_install();
    int err = ovio_init();
    if (err) {
        /* OVIO_ENGINE forced an engine that cannot run here: say why, once, on stderr. */
        fprintf(stderr, "ovio: WSAStartup failed: %s\n", ovio_engine_reason());
        return WSASYSNOTREADY;
    }
    __atomic_add_fetch(&startup_count, 1, __ATOMIC_RELEASE);
    return 0;
}

int WSAAPI WSACleanup(void)
{
    if (!ws__started())
        return SOCKET_ERROR;
    if (__atomic_sub_fetch(&startup_count, 1, __ATOMIC_ACQ_REL) == 0)
        ws__cleanup();
    return 0;
}

int WSAAPI closesocket(SOCKET s)
{
    if (!ws__started())
        return SOCKET_ERROR;
    return ws__socket_close(s) == 0 ? 0 : SOCKET_ERROR;
}

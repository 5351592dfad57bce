/* WSAEventSelect and WSAEnumNetworkEvents (SPEC J1): the native selection with Windows names. */
#include <winsock2.h>
#include <windows.h>

#include "ovio.h"
#include "win32/ws_internal.h"

_Static_assert(FD_READ == OVIO_NET_READ && FD_WRITE == OVIO_NET_WRITE && FD_OOB == OVIO_NET_OOB &&
                   FD_ACCEPT == OVIO_NET_ACCEPT && FD_CONNECT == OVIO_NET_CONNECT &&
                   FD_CLOSE == OVIO_NET_CLOSE && FD_CLOSE_BIT == 5,
               "FD_* are the native network event bits");

int WSAAPI WSAEventSelect(SOCKET s, WSAEVENT hEventObject, LONG lNetworkEvents)
{
    int fd = ws__socket_fd(s);
    if (fd < 0)
        return SOCKET_ERROR;
    if ((DWORD)lNetworkEvents & ~(DWORD)0x3f) { /* QOS, routing and address-list events */
        ws__set_error(WSAEINVAL);
        return SOCKET_ERROR;
    }
    /* "The socket is made non-blocking" is part of the contract. */
    u_long on = 1;
    if (lNetworkEvents && ioctlsocket(s, FIONBIO, &on) == SOCKET_ERROR)
        return SOCKET_ERROR;
    int r = ovio_event_select(fd, (ovio_handle)hEventObject, (uint32_t)lNetworkEvents);
    if (r < 0) {
        ws__set_error(r == -EBADF ? WSA_INVALID_HANDLE : ws__wsa_from_errno(-r));
        return SOCKET_ERROR;
    }
    return 0;
}

int WSAAPI WSAEnumNetworkEvents(SOCKET s, WSAEVENT hEventObject,
                                LPWSANETWORKEVENTS lpNetworkEvents)
{
    int fd = ws__socket_fd(s);
    if (fd < 0)
        return SOCKET_ERROR;
    if (!lpNetworkEvents || ws__mem_check_rw(lpNetworkEvents, sizeof *lpNetworkEvents)) {
        ws__set_error(WSAEFAULT);
        return SOCKET_ERROR;
    }
    uint32_t events;
    int errors[OVIO_NET_EVENTS];
    int r = ovio_enum_network_events(fd, (ovio_handle)hEventObject, &events, errors);
    if (r < 0) {
        ws__set_error(r == -EBADF ? WSA_INVALID_HANDLE : ws__wsa_from_errno(-r));
        return SOCKET_ERROR;
    }
    memset(lpNetworkEvents, 0, sizeof *lpNetworkEvents);
    lpNetworkEvents->lNetworkEvents = (LONG)events;
    for (int i = 0; i < OVIO_NET_EVENTS; i++)
        lpNetworkEvents->iErrorCode[i] = errors[i] ? (int)ws__wsa_from_errno(errors[i]) : 0;
    return 0;
}

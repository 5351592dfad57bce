/*
 * Found by fuzz/fuzz_winsock.c (make fuzz).  WSACloseEvent is CloseHandle; given a SOCKET it must
 * either refuse (FALSE, WSA_INVALID_HANDLE) or close the socket as CloseHandle does, aborting its
 * pending operations (SPEC E6).  ovio removed the SOCKET's handle and returned TRUE but left the
 * socket itself open: its pending operations never complete (until WSACleanup) and its fd stays
 * open, while closesocket on it now says WSAENOTSOCK.
 * Fuzzer input (base64): VlZWrKlAOlf/VlZWVlZWVlZWVgAAAAAAAAAA/23i4uLX.
 */
#include "helpers.h"

#include <dirent.h>

static int fd_count(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

int main(void)
{
    test_init();
    SOCKET a, b;
    SOCKADDR_IN baddr;
    udp_pair(&a, &b, &baddr);
    int fds_before = fd_count();
    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.hEvent = WSACreateEvent();
    char buf[64];
    WSABUF w = {sizeof buf, buf};
    DWORD fl = 0;
    CHECK(WSARecv(b, &w, 1, NULL, &fl, &ov, NULL) == SOCKET_ERROR &&
          WSAGetLastError() == WSA_IO_PENDING);
    BOOL closed = WSACloseEvent((WSAEVENT)b);
    int err = WSAGetLastError();
    printf("WSACloseEvent(SOCKET) = %d, error %d\n", closed, err);
    if (!closed) {
        /* refused: the socket must be untouched */
        CHECK_EQ(err, WSA_INVALID_HANDLE);
        CHECK_EQ(ov.Internal, STATUS_PENDING);
        CHECK_EQ(closesocket(b), 0);
    } else {
        /* closed: as closesocket, the pending receive is aborted and the fd goes away */
        if (WaitForSingleObject(ov.hEvent, 2000) != WAIT_OBJECT_0)
            FAIL("WSACloseEvent(SOCKET) returned TRUE but the socket's pending receive never "
                 "completed (Internal %#lx)",
                 (unsigned long)ov.Internal);
        CHECK_ERR(closesocket(b), SOCKET_ERROR, WSAENOTSOCK);
        int fds_after = fd_count();
        if (fds_after >= fds_before)
            FAIL("WSACloseEvent(SOCKET) returned TRUE but the socket's fd is still open (%d fds "
                 "before, %d after)",
                 fds_before, fds_after);
    }
    WSACloseEvent(ov.hEvent);
    closesocket(a);
    WSACleanup();
    return 0;
}

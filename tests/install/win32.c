/* installcheck: a Winsock program in C, built against the installed ovio-win32.pc. */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <mswsock.h>
#include <windows.h>
#include <stdio.h>

int main(void)
{
    WSADATA wsa;
    int rc = WSAStartup(MAKEWORD(2, 2), &wsa);
    if (rc != 0) {
        fprintf(stderr, "WSAStartup: %d\n", rc);
        return 1;
    }
    printf("win32 C: WSAStartup ok\n");
    WSACleanup();
    return 0;
}

// installcheck: the Winsock headers and ovio.h compile as C++ and link against the installed
// library.
#include <winsock2.h>
#include <ws2tcpip.h>
#include <mswsock.h>
#include <windows.h>
#include <ovio.h>
#include <cstdio>

int main()
{
    WSADATA wsa;
    int rc = WSAStartup(MAKEWORD(2, 2), &wsa);
    if (rc != 0) {
        std::fprintf(stderr, "WSAStartup: %d\n", rc);
        return 1;
    }
    std::printf("win32 C++: WSAStartup ok\n");
    WSACleanup();
    return 0;
}

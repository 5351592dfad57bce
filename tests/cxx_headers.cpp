// The Windows headers in C++, the way Windows C++ code uses them: C++ standard headers on both
// sides of them (std::bind next to ::bind, std::min/std::max next to <windows.h>), `::bind` and
// `::connect` reaching Winsock, select() on a Windows fd_set next to glibc's select(), the
// OVERLAPPED and WSABUF structures; then a real socket bound to 127.0.0.1:0 and read back with
// getsockname through the Winsock API.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>
#include <string>

#include <winsock2.h>
#include <ws2tcpip.h>
#include <mswsock.h>
#include <windows.h>
#include <process.h>
#include <tchar.h>

#include <thread>
#include <vector>

// g++ before 13 ignores "#pragma GCC diagnostic" for unknown pragmas (GCC PR 53431), so this
// test is built with -Wno-unknown-pragmas (cxx_headers.flags); C, clang++ and g++ 13 need nothing.
#pragma comment(lib, "ws2_32.lib")

static_assert(sizeof(OVERLAPPED) == 32, "OVERLAPPED");
static_assert(sizeof(WSABUF) == 16, "WSABUF");
static_assert(sizeof(SOCKADDR_IN) == 16 && sizeof(SOCKADDR_IN6) == 28, "socket addresses");
static_assert(sizeof(u_long) == 4 && sizeof(DWORD) == 4, "32-bit Windows longs");

#define FAIL(what)                                                                                 \
    do {                                                                                           \
        std::fprintf(stderr, "%s:%d: %s (last error %d)\n", __FILE__, __LINE__, what,              \
                     (int)WSAGetLastError());                                                      \
        return 1;                                                                                  \
    } while (0)

// A struct with an OVERLAPPED first, as completion-port servers write it.
struct io_context {
    OVERLAPPED ov;
    WSABUF buf;
    char data[64];
};

int main()
{
    // std::bind and std::max still work with the Windows headers included.
    auto add = std::bind([](int a, int b) { return a + b; }, 1, std::placeholders::_1);
    if (add(2) != 3 || std::max(1, 2) != 2 || std::min<DWORD>(5, 6) != 5)
        FAIL("C++ standard library");

    WSADATA wsa;
    if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0)
        FAIL("WSAStartup");

    io_context ctx;
    memset(&ctx, 0, sizeof ctx); // unqualified, from <windows.h> (SPEC K2)
    ctx.ov.hEvent = WSACreateEvent();
    ctx.ov.Offset = 0; // the anonymous union members
    ctx.ov.Pointer = nullptr;
    ctx.buf.buf = ctx.data;
    ctx.buf.len = sizeof ctx.data;
    if (reinterpret_cast<io_context *>(&ctx.ov) != &ctx)
        FAIL("OVERLAPPED as first member");

    SOCKET s = ::socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (s == INVALID_SOCKET)
        FAIL("socket");
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    if (::bind(s, reinterpret_cast<SOCKADDR *>(&a), sizeof a) == SOCKET_ERROR)
        FAIL("bind");
    int len = sizeof a;
    sockaddr_in got{};
    if (::getsockname(s, reinterpret_cast<sockaddr *>(&got), &len) == SOCKET_ERROR)
        FAIL("getsockname");
    if (len != (int)sizeof got || got.sin_family != AF_INET || got.sin_port == 0 ||
        got.sin_addr.s_addr != htonl(INADDR_LOOPBACK))
        FAIL("getsockname result");
    if (::listen(s, SOMAXCONN) == SOCKET_ERROR)
        FAIL("listen");

    // ::connect from another thread; select() (the Winsock overload) sees the listener readable.
    std::thread client([&got]() {
        SOCKET c = ::socket(AF_INET, SOCK_STREAM, 0);
        ::connect(c, reinterpret_cast<const sockaddr *>(&got), sizeof got);
        ::send(c, "hi", 2, 0);
        ::closesocket(c);
    });
    fd_set readable;
    FD_ZERO(&readable);
    FD_SET(s, &readable);
    timeval tv = {5, 0};
    int n = ::select(0, &readable, nullptr, nullptr, &tv);
    client.join();
    if (n != 1 || !FD_ISSET(s, &readable))
        FAIL("select");
    SOCKET t = ::accept(s, nullptr, nullptr);
    if (t == INVALID_SOCKET)
        FAIL("accept");
    char buf[8];
    // K3: `unsigned long` (Windows' u_long) and `int` counts compile and work in C++ too.
    unsigned long avail = 0xffffffff00000000ul;
    for (int i = 0; i < 500 && avail != 2; i++) {
        if (::ioctlsocket(t, FIONREAD, &avail) != 0)
            FAIL("ioctlsocket(FIONREAD, unsigned long *)");
        if (avail != 2)
            Sleep(10);
    }
    if (avail != 2)
        FAIL("FIONREAD through unsigned long");
    int received = -1, flags = 0;
    WSABUF wb;
    wb.buf = buf;
    wb.len = sizeof buf;
    if (WSARecv(t, &wb, 1, &received, &flags, nullptr, nullptr) != 0 || received != 2 ||
        std::string(buf, 2) != "hi")
        FAIL("WSARecv with int counts");

    std::cout << "cxx_headers: socket bound to 127.0.0.1:" << ntohs(got.sin_port) << ", ok"
              << std::endl;
    ::closesocket(t);
    ::closesocket(s);
    WSACloseEvent(ctx.ov.hEvent);
    WSACleanup();
    return 0;
}

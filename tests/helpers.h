/*
 * Shared helpers for the Winsock-level tests.  A test is one program: exit 0 pass, 1 fail, 77 skip.
 * Checks print both values and the line, then exit 1.  Every test runs once per engine
 * (tests/run.sh sets OVIO_ENGINE).
 */
#ifndef OVIO_TEST_HELPERS_H
#define OVIO_TEST_HELPERS_H

#include <winsock2.h>
#include <ws2tcpip.h>
#include <mswsock.h>
#include <windows.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* <unistd.h> cannot be included next to the Winsock headers (its gethostname has glibc's
 * signature); the watchdog needs only this. */
extern unsigned int alarm(unsigned int seconds);

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                                            \
        fprintf(stderr, __VA_ARGS__);                                                              \
        fputc('\n', stderr);                                                                       \
        exit(1);                                                                                   \
    } while (0)

#define SKIP(...)                                                                                  \
    do {                                                                                           \
        fprintf(stderr, "skip: ");                                                                 \
        fprintf(stderr, __VA_ARGS__);                                                              \
        fputc('\n', stderr);                                                                       \
        exit(77);                                                                                  \
    } while (0)

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            FAIL("check failed: %s (last error %d)", #cond, (int)WSAGetLastError());              \
    } while (0)

/* Integer equality, printing both sides. */
#define CHECK_EQ(a, b)                                                                             \
    do {                                                                                           \
        long long va_ = (long long)(a), vb_ = (long long)(b);                                      \
        if (va_ != vb_)                                                                            \
            FAIL("%s == %s: %lld != %lld (0x%llx != 0x%llx)", #a, #b, va_, vb_,                    \
                 (unsigned long long)va_, (unsigned long long)vb_);                                \
    } while (0)

/* A Winsock call that must fail with a given error. */
#define CHECK_ERR(call_result, failure_value, wsa_error)                                           \
    do {                                                                                           \
        long long r_ = (long long)(call_result);                                                   \
        int e_ = (int)WSAGetLastError();                                                           \
        if (r_ != (long long)(failure_value))                                                      \
            FAIL("%s returned %lld, wanted %lld", #call_result, r_, (long long)(failure_value));   \
        if (e_ != (wsa_error))                                                                     \
            FAIL("%s: last error %d, wanted %d (%s)", #call_result, e_, (int)(wsa_error),          \
                 #wsa_error);                                                                      \
    } while (0)

/* WSAStartup, plus a watchdog: a test that hangs fails instead of stalling the suite. */
static inline void test_init(void)
{
    alarm(60);
    WSADATA wsa;
    int rc = WSAStartup(MAKEWORD(2, 2), &wsa);
    if (rc != 0)
        FAIL("WSAStartup: %d", rc);
}

static inline SOCKADDR_IN loopback_any_port(void)
{
    SOCKADDR_IN a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    return a;
}

/* A listening socket on 127.0.0.1 with an ephemeral port (tests run in parallel). */
static inline SOCKET tcp_listener(SOCKADDR_IN *bound)
{
    SOCKET l = WSASocket(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_OVERLAPPED);
    CHECK(l != INVALID_SOCKET);
    SOCKADDR_IN a = loopback_any_port();
    CHECK(bind(l, (SOCKADDR *)&a, sizeof a) == 0);
    CHECK(listen(l, 16) == 0);
    int len = sizeof a;
    CHECK(getsockname(l, (SOCKADDR *)&a, &len) == 0);
    if (bound)
        *bound = a;
    return l;
}

/* A connected TCP pair over loopback: *client connected to *server (accepted). */
static inline void tcp_pair_flags(SOCKET *client, SOCKET *server, DWORD client_flags)
{
    SOCKADDR_IN a;
    SOCKET l = tcp_listener(&a);
    *client = WSASocket(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, client_flags);
    CHECK(*client != INVALID_SOCKET);
    CHECK(connect(*client, (SOCKADDR *)&a, sizeof a) == 0);
    *server = accept(l, NULL, NULL);
    CHECK(*server != INVALID_SOCKET);
    closesocket(l);
}

static inline void tcp_pair(SOCKET *client, SOCKET *server)
{
    tcp_pair_flags(client, server, WSA_FLAG_OVERLAPPED);
}

/* Two UDP sockets on 127.0.0.1; *b_addr is b's address. */
static inline void udp_pair(SOCKET *a, SOCKET *b, SOCKADDR_IN *b_addr)
{
    *a = WSASocket(AF_INET, SOCK_DGRAM, IPPROTO_UDP, NULL, 0, WSA_FLAG_OVERLAPPED);
    *b = WSASocket(AF_INET, SOCK_DGRAM, IPPROTO_UDP, NULL, 0, WSA_FLAG_OVERLAPPED);
    CHECK(*a != INVALID_SOCKET && *b != INVALID_SOCKET);
    SOCKADDR_IN x = loopback_any_port();
    CHECK(bind(*a, (SOCKADDR *)&x, sizeof x) == 0);
    x = loopback_any_port();
    CHECK(bind(*b, (SOCKADDR *)&x, sizeof x) == 0);
    int len = sizeof x;
    CHECK(getsockname(*b, (SOCKADDR *)&x, &len) == 0);
    *b_addr = x;
}

/* Blocking send of everything (plain send loop). */
static inline void send_all(SOCKET s, const void *buf, size_t len)
{
    const char *p = (const char *)buf;
    while (len) {
        int n = send(s, p, len > 65536 ? 65536 : (int)len, 0);
        if (n <= 0)
            FAIL("send: %d (error %d)", n, (int)WSAGetLastError());
        p += n;
        len -= (size_t)n;
    }
}

/* Blocking receive of exactly len bytes. */
static inline void recv_all(SOCKET s, void *buf, size_t len)
{
    char *p = (char *)buf;
    while (len) {
        int n = recv(s, p, len > 65536 ? 65536 : (int)len, 0);
        if (n <= 0)
            FAIL("recv: %d (error %d)", n, (int)WSAGetLastError());
        p += n;
        len -= (size_t)n;
    }
}

/* Which engine this run uses (for messages only). */
static inline const char *test_engine(void)
{
    const char *e = getenv("OVIO_ENGINE");
    return e ? e : "auto";
}

#endif

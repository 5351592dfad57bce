/*
 * wsx.h - Winsock-side helpers of the in-process stress programs (the stress programs that include
 * winsock2.h).  Header-only; POSIX needs go through sutil.h.
 */
#ifndef STRESS_WSX_H
#define STRESS_WSX_H

#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sutil.h"

static const char *wsx_name = "stress";

#define WSX_FAIL(...)                                                                              \
    do {                                                                                           \
        printf("FAIL: %s:%d: ", __FILE__, __LINE__);                                               \
        printf(__VA_ARGS__);                                                                       \
        printf("\n");                                                                              \
        fflush(stdout);                                                                            \
        exit(1);                                                                                   \
    } while (0)

#define WSX_CHECK(cond)                                                                            \
    do {                                                                                           \
        if (!(cond))                                                                               \
            WSX_FAIL("check failed: %s (last error %d)", #cond, (int)WSAGetLastError());           \
    } while (0)

#define WSX_CHECK_EQ(a, b)                                                                         \
    do {                                                                                           \
        long long va_ = (long long)(a), vb_ = (long long)(b);                                      \
        if (va_ != vb_)                                                                            \
            WSX_FAIL("%s == %s: %lld != %lld (0x%llx)", #a, #b, va_, vb_,                          \
                     (unsigned long long)va_);                                                     \
    } while (0)

/* A call that must fail with `failure` and a given last error. */
#define WSX_CHECK_ERR(call, failure, code)                                                         \
    do {                                                                                           \
        long long r_ = (long long)(call);                                                          \
        int e_ = (int)WSAGetLastError();                                                           \
        if (r_ != (long long)(failure))                                                            \
            WSX_FAIL("%s returned %lld, wanted %lld", #call, r_, (long long)(failure));            \
        if (e_ != (int)(code))                                                                     \
            WSX_FAIL("%s: last error %d, wanted %d (%s)", #call, e_, (int)(code), #code);          \
    } while (0)

static inline void wsx_figure(const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("%s: ", name);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    fflush(stdout);
}

static inline void wsx_start(const char *name, unsigned watchdog_s)
{
    wsx_name = name;
    su_watchdog(watchdog_s, name);
    WSADATA wsa;
    int rc = WSAStartup(MAKEWORD(2, 2), &wsa);
    if (rc != 0)
        WSX_FAIL("WSAStartup: %d", rc);
    const char *e = getenv("OVIO_ENGINE");
    wsx_figure("scenario", "%s, engine %s", name, e ? e : "default");
}

static inline SOCKADDR_IN wsx_loopback(u_short port)
{
    SOCKADDR_IN a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    return a;
}

/* A listener on 127.0.0.1, any port; its address in *a. */
static inline SOCKET wsx_listener(SOCKADDR_IN *a, int backlog)
{
    SOCKET l = WSASocket(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_OVERLAPPED);
    WSX_CHECK(l != INVALID_SOCKET);
    *a = wsx_loopback(0);
    WSX_CHECK(bind(l, (SOCKADDR *)a, sizeof *a) == 0);
    WSX_CHECK(listen(l, backlog) == 0);
    int len = sizeof *a;
    WSX_CHECK(getsockname(l, (SOCKADDR *)a, &len) == 0);
    return l;
}

/* A connected TCP pair through listener l (address a). */
static inline void wsx_tcp_pair_on(SOCKET l, const SOCKADDR_IN *a, SOCKET *client, SOCKET *server)
{
    *client = WSASocket(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_OVERLAPPED);
    WSX_CHECK(*client != INVALID_SOCKET);
    WSX_CHECK(connect(*client, (const SOCKADDR *)a, sizeof *a) == 0);
    *server = accept(l, NULL, NULL);
    WSX_CHECK(*server != INVALID_SOCKET);
}

static inline void wsx_tcp_pair(SOCKET *client, SOCKET *server)
{
    SOCKADDR_IN a;
    SOCKET l = wsx_listener(&a, 16);
    wsx_tcp_pair_on(l, &a, client, server);
    closesocket(l);
}

/* Two UDP sockets on 127.0.0.1; *b_addr is b's address. */
static inline void wsx_udp_pair(SOCKET *a, SOCKET *b, SOCKADDR_IN *b_addr)
{
    *a = WSASocket(AF_INET, SOCK_DGRAM, IPPROTO_UDP, NULL, 0, WSA_FLAG_OVERLAPPED);
    *b = WSASocket(AF_INET, SOCK_DGRAM, IPPROTO_UDP, NULL, 0, WSA_FLAG_OVERLAPPED);
    WSX_CHECK(*a != INVALID_SOCKET && *b != INVALID_SOCKET);
    SOCKADDR_IN x = wsx_loopback(0);
    WSX_CHECK(bind(*a, (SOCKADDR *)&x, sizeof x) == 0);
    x = wsx_loopback(0);
    WSX_CHECK(bind(*b, (SOCKADDR *)&x, sizeof x) == 0);
    int len = sizeof x;
    WSX_CHECK(getsockname(*b, (SOCKADDR *)&x, &len) == 0);
    *b_addr = x;
}

static inline void wsx_send_all(SOCKET s, const void *buf, size_t len)
{
    const char *p = (const char *)buf;
    while (len) {
        int n = send(s, p, len > 65536 ? 65536 : (int)len, 0);
        if (n <= 0)
            WSX_FAIL("send: %d (error %d)", n, (int)WSAGetLastError());
        p += n;
        len -= (size_t)n;
    }
}

static inline void wsx_set_bufs(SOCKET s, int snd, int rcv)
{
    if (snd)
        setsockopt(s, SOL_SOCKET, SO_SNDBUF, (const char *)&snd, sizeof snd);
    if (rcv)
        setsockopt(s, SOL_SOCKET, SO_RCVBUF, (const char *)&rcv, sizeof rcv);
}

/* Alertable sleeps until *counter reaches want or timeout_ms passes; returns the counter. */
static inline long wsx_run_until(volatile long *counter, long want, int timeout_ms)
{
    double end = su_now() + timeout_ms / 1000.0;
    while (__atomic_load_n(counter, __ATOMIC_ACQUIRE) < want && su_now() < end)
        SleepEx(10, TRUE);
    return __atomic_load_n(counter, __ATOMIC_ACQUIRE);
}

#endif

/* Shared by the native-API tests (tests/native_*.c): plain Linux sockets, no Windows headers.
 * Exit 0 pass, 1 fail. */
#ifndef OVIO_TEST_NATIVE_HELPERS_H
#define OVIO_TEST_NATIVE_HELPERS_H

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <ovio.h>

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                                            \
        fprintf(stderr, __VA_ARGS__);                                                              \
        fputc('\n', stderr);                                                                       \
        exit(1);                                                                                   \
    } while (0)
#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c))                                                                                  \
            FAIL("check failed: %s", #c);                                                          \
    } while (0)
#define CHECK_EQ(a, b)                                                                             \
    do {                                                                                           \
        long long va_ = (long long)(a), vb_ = (long long)(b);                                      \
        if (va_ != vb_)                                                                            \
            FAIL("%s == %s: %lld != %lld", #a, #b, va_, vb_);                                      \
    } while (0)

#define DUE_MS 10000
#define QUIET_MS 200

/* A connected TCP pair over loopback (ephemeral port). */
static inline void tcp_pair(int *c, int *s)
{
    int l = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(l >= 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(bind(l, (struct sockaddr *)&a, sizeof a) == 0);
    CHECK(listen(l, 4) == 0);
    socklen_t len = sizeof a;
    CHECK(getsockname(l, (struct sockaddr *)&a, &len) == 0);
    *c = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(*c >= 0);
    CHECK(connect(*c, (struct sockaddr *)&a, sizeof a) == 0);
    *s = accept(l, NULL, NULL);
    CHECK(*s >= 0);
    close(l);
}

#endif

/* A representative piece of the suite on the native API, for the engine-selection tests: an
 * event-completed receive, a routine-completed receive in an alertable wait, FIFO receives, a
 * whole send larger than the socket buffers, and an abort on close.  Returns 0 or a failing line. */
#ifndef OVIO_TEST_ENGINE_WORKLOAD_H
#define OVIO_TEST_ENGINE_WORKLOAD_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "ovio.h"

#define WL_CHECK(c)                                                                                \
    do {                                                                                           \
        if (!(c))                                                                                  \
            return __LINE__;                                                                       \
    } while (0)

static int wl_tcp_pair(int *a, int *b)
{
    int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sa;
    if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof sa) || listen(l, 4) ||
        getsockname(l, (struct sockaddr *)&sa, &len))
        return -1;
    *a = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (*a < 0 || connect(*a, (struct sockaddr *)&sa, sizeof sa))
        return -1;
    *b = accept(l, NULL, NULL);
    close(l);
    return *b < 0 ? -1 : 0;
}

static int wl_routine_calls;
static void wl_routine(int err, size_t bytes, ovio_overlapped *ov)
{
    (void)ov;
    if (err == 0 && bytes == 4)
        wl_routine_calls++;
}

static int engine_workload(void)
{
    int a, b;
    WL_CHECK(wl_tcp_pair(&a, &b) == 0);

    /* An event-completed receive. */
    char buf[64];
    struct iovec iv = {buf, sizeof buf};
    ovio_overlapped ov = {0};
    ov.event = ovio_event_create(true, false);
    ssize_t r = ovio_recv(b, &iv, 1, 0, &ov, NULL);
    WL_CHECK(r == -EINPROGRESS || r == 5);
    struct iovec sv = {"hello", 5};
    ovio_overlapped sov = {0};
    WL_CHECK(ovio_send(a, &sv, 1, 0, &sov, NULL) == 5 || sov.status == OVIO_STATUS_PENDING);
    WL_CHECK(ovio_wait(&ov.event, 1, false, 5000, false) == 0);
    WL_CHECK(ov.status == 0 && ov.bytes == 5 && memcmp(buf, "hello", 5) == 0);

    /* Two receives filled in posting order, completed by routines in an alertable wait. */
    char b1[4], b2[4];
    struct iovec i1 = {b1, 4}, i2 = {b2, 4};
    ovio_overlapped o1 = {0}, o2 = {0};
    WL_CHECK(ovio_recv(b, &i1, 1, 0, &o1, wl_routine) == -EINPROGRESS);
    WL_CHECK(ovio_recv(b, &i2, 1, 0, &o2, wl_routine) == -EINPROGRESS);
    struct iovec s8 = {"ABCDEFGH", 8};
    ovio_overlapped so8 = {0};
    ovio_send(a, &s8, 1, 0, &so8, NULL);
    while (wl_routine_calls < 2)
        WL_CHECK(ovio_sleep(5000, true) == OVIO_WAIT_IO_COMPLETION);
    WL_CHECK(memcmp(b1, "ABCD", 4) == 0 && memcmp(b2, "EFGH", 4) == 0);

    /* A send much larger than the socket buffers completes whole. */
    size_t big = 8u << 20;
    char *src = malloc(big), *dst = malloc(big);
    WL_CHECK(src && dst);
    for (size_t i = 0; i < big; i++)
        src[i] = (char)(i * 131 + (i >> 12));
    struct iovec bv = {src, big};
    ovio_overlapped bo = {0};
    bo.event = ovio_event_create(true, false);
    r = ovio_send(a, &bv, 1, 0, &bo, NULL);
    WL_CHECK(r == (ssize_t)big || r == -EINPROGRESS);
    size_t got = 0;
    while (got < big) {
        struct iovec dv = {dst + got, big - got};
        ovio_overlapped ro = {0};
        ro.event = ovio_event_create(true, false);
        r = ovio_recv(b, &dv, 1, 0, &ro, NULL);
        if (r == -EINPROGRESS) {
            WL_CHECK(ovio_wait(&ro.event, 1, false, 10000, false) == 0);
            WL_CHECK(ro.status == 0);
            r = (ssize_t)ro.bytes;
        }
        WL_CHECK(r > 0);
        got += (size_t)r;
        ovio_handle_close(ro.event);
    }
    size_t sent = 0;
    WL_CHECK(ovio_result(a, &bo, &sent, true) == 0 && sent == big);
    WL_CHECK(memcmp(src, dst, big) == 0);
    free(src);
    free(dst);

    /* Closing with a receive pending aborts it, and the event still fires. */
    ovio_overlapped co = {0};
    co.event = ovio_event_create(true, false);
    WL_CHECK(ovio_recv(b, &iv, 1, 0, &co, NULL) == -EINPROGRESS);
    WL_CHECK(ovio_close(b) == 0);
    WL_CHECK(ovio_wait(&co.event, 1, false, 5000, false) == 0);
    WL_CHECK(co.status == ECONNABORTED);
    ovio_close(a);
    return 0;
}

#endif

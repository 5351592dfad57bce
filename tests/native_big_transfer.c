/*
 * Native API: 64 MiB through one ovio_send and a series of ovio_recv calls on loopback TCP.  The
 * send is a single call (three iovecs of uneven sizes, so partial writes that end inside an iovec
 * have to be resumed correctly) and completes only when every byte is taken, with the full count
 * (status 0, bytes = 64 MiB, ovio_result the same).  The receiver checks a position-dependent
 * pattern, so a lost, repeated or reordered chunk fails.  Done twice: with blocking fds and with
 * O_NONBLOCK fds.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <ovio.h>

#include "native_helpers.h"

#undef DUE_MS
#define DUE_MS 30000
#define TOTAL ((size_t)64 * 1024 * 1024)
#define CHUNK ((size_t)1024 * 1024)

static unsigned char pattern(size_t i)
{
    return (unsigned char)(i * 131u + (i >> 11) * 7u + (i >> 19));
}

static void transfer(int nonblocking)
{
    int c, s;
    tcp_pair(&c, &s);
    if (nonblocking) {
        CHECK(fcntl(c, F_SETFL, fcntl(c, F_GETFL) | O_NONBLOCK) == 0);
        CHECK(fcntl(s, F_SETFL, fcntl(s, F_GETFL) | O_NONBLOCK) == 0);
    }
    char *src = malloc(TOTAL);
    char *chunk = malloc(CHUNK);
    CHECK(src != NULL && chunk != NULL);
    for (size_t i = 0; i < TOTAL; i++)
        src[i] = (char)pattern(i);

    ovio_handle sev = ovio_event_create(true, false), rev = ovio_event_create(true, false);
    CHECK(sev != 0 && rev != 0);

    /* One send of everything, in three uneven pieces. */
    struct iovec siov[3] = {
        {src, 1000003},
        {src + 1000003, 7},
        {src + 1000010, TOTAL - 1000010},
    };
    ovio_overlapped sov;
    memset(&sov, 0, sizeof sov);
    sov.event = sev;
    ssize_t r = ovio_send(c, siov, 3, 0, &sov, NULL);
    if (r != -EINPROGRESS)
        FAIL("ovio_send of 64 MiB returned %zd at once (wanted -EINPROGRESS: the kernel cannot "
             "buffer it all)",
             r);

    /* Receive it all, chunk by chunk, checking the pattern. */
    size_t got = 0;
    while (got < TOTAL) {
        struct iovec riov = {chunk, CHUNK};
        ovio_overlapped rov;
        memset(&rov, 0, sizeof rov);
        rov.event = rev;
        CHECK(ovio_event_reset(rev) == 0);
        ssize_t n = ovio_recv(s, &riov, 1, 0, &rov, NULL);
        if (n == -EINPROGRESS) {
            if (ovio_wait(&rev, 1, false, DUE_MS, false) != 0)
                FAIL("receive did not complete (%zu bytes so far)", got);
            if (rov.status != 0)
                FAIL("receive failed with %d after %zu bytes", (int)rov.status, got);
            n = (ssize_t)rov.bytes;
        } else if (n < 0) {
            FAIL("ovio_recv: %zd after %zu bytes", n, got);
        }
        if (n == 0)
            FAIL("end of stream after %zu bytes", got);
        CHECK((size_t)n <= CHUNK);
        for (ssize_t i = 0; i < n; i++)
            if ((unsigned char)chunk[i] != pattern(got + (size_t)i))
                FAIL("byte %zu is 0x%02x, wanted 0x%02x (%s fds)", got + (size_t)i,
                     (unsigned char)chunk[i], pattern(got + (size_t)i),
                     nonblocking ? "non-blocking" : "blocking");
        got += (size_t)n;
    }

    /* The send completes with the full count. */
    CHECK_EQ(ovio_wait(&sev, 1, false, DUE_MS, false), 0);
    CHECK_EQ(sov.status, 0);
    CHECK_EQ(sov.bytes, TOTAL);
    size_t bytes = 0;
    CHECK_EQ(ovio_result(c, &sov, &bytes, false), 0);
    CHECK_EQ(bytes, TOTAL);

    /* Nothing more arrives: the peer closes, the next receive sees the end of the stream. */
    CHECK_EQ(ovio_close(c), 0);
    struct iovec riov = {chunk, CHUNK};
    ovio_overlapped rov;
    memset(&rov, 0, sizeof rov);
    rov.event = rev;
    CHECK(ovio_event_reset(rev) == 0);
    ssize_t n = ovio_recv(s, &riov, 1, 0, &rov, NULL);
    if (n == -EINPROGRESS) {
        CHECK_EQ(ovio_wait(&rev, 1, false, DUE_MS, false), 0);
        CHECK_EQ(rov.status, 0);
        n = (ssize_t)rov.bytes;
    }
    CHECK_EQ(n, 0);

    CHECK_EQ(ovio_close(s), 0);
    ovio_handle_close(sev);
    ovio_handle_close(rev);
    free(src);
    free(chunk);
}

int main(void)
{
    alarm(120);
    int rc = ovio_init();
    if (rc < 0)
        FAIL("ovio_init: %d", rc);
    transfer(0);
    transfer(1);
    ovio_shutdown();
    return 0;
}

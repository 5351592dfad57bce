/*
 * Native API: ovio_close with operations pending.  They complete aborted and still notify: a
 * stream receive with ECONNABORTED (also one queued behind another, and one with a routine), a
 * pending send and a datagram receive with ECANCELED; events are set, routines run in the
 * issuing thread's alertable wait with that error, ovio_result reports -errno.  ovio_close itself
 * returns 0 and does not wait for the notifications.  Once everything has been delivered the fd
 * number is really closed (no leak).
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

static int wait1(ovio_handle ev, int ms)
{
    return ovio_wait(&ev, 1, false, ms, false);
}

static int calls, seen_err = -1;
static size_t seen_bytes = 99;

static void routine(int err, size_t bytes, ovio_overlapped *ov)
{
    (void)ov;
    seen_err = err;
    seen_bytes = bytes;
    calls++;
}

/* After all notifications, the fd must be closed (bounded polling; the library may close it from
 * its completion path just after setting the last event). */
static void expect_fd_closed(int fd, ovio_handle never)
{
    for (int i = 0; i < DUE_MS / 10; i++) {
        if (fcntl(fd, F_GETFD) < 0 && errno == EBADF)
            return;
        CHECK_EQ(wait1(never, 10), OVIO_WAIT_TIMEOUT); /* bounded wait: give it time */
    }
    FAIL("fd %d is still open after its operations were aborted and notified", fd);
}

int main(void)
{
    alarm(60);
    int rc = ovio_init();
    if (rc < 0)
        FAIL("ovio_init: %d", rc);
    ovio_handle never = ovio_event_create(true, false);
    ovio_handle e1 = ovio_event_create(true, false), e2 = ovio_event_create(true, false),
                e3 = ovio_event_create(true, false);
    CHECK(never && e1 && e2 && e3);

    /* Stream: two receives pending on s (the second queued behind the first, with a routine),
     * and a send pending on s (more than the kernel buffers take). */
    int c, s;
    tcp_pair(&c, &s);
    int small = 16384;
    CHECK(setsockopt(s, SOL_SOCKET, SO_SNDBUF, &small, sizeof small) == 0);
    CHECK(setsockopt(c, SOL_SOCKET, SO_RCVBUF, &small, sizeof small) == 0);

    char b1[16], b2[16];
    struct iovec i1 = {b1, sizeof b1}, i2 = {b2, sizeof b2};
    ovio_overlapped r1, r2, w;
    memset(&r1, 0, sizeof r1);
    memset(&r2, 0, sizeof r2);
    memset(&w, 0, sizeof w);
    r1.event = e1;
    r2.event = e2;
    w.event = e3;
    CHECK_EQ(ovio_recv(s, &i1, 1, 0, &r1, NULL), -EINPROGRESS);
    CHECK_EQ(ovio_recv(s, &i2, 1, 0, &r2, routine), -EINPROGRESS);
    enum { BIG = 8 * 1024 * 1024 };
    char *big = calloc(1, BIG);
    CHECK(big != NULL);
    struct iovec wi = {big, BIG};
    CHECK_EQ(ovio_send(s, &wi, 1, 0, &w, NULL), -EINPROGRESS);

    CHECK_EQ(ovio_close(s), 0);

    ovio_handle all[3] = {e1, e2, e3};
    CHECK_EQ(ovio_wait(all, 3, true, DUE_MS, false), 0);
    CHECK_EQ(r1.status, ECONNABORTED);
    CHECK_EQ(r1.bytes, 0);
    CHECK_EQ(r2.status, ECONNABORTED);
    CHECK_EQ(w.status, ECANCELED);
    size_t n;
    CHECK_EQ(ovio_result(s, &r1, &n, false), -ECONNABORTED);
    CHECK_EQ(ovio_result(s, &r2, &n, true), -ECONNABORTED);
    CHECK_EQ(ovio_result(s, &w, &n, false), -ECANCELED);
    /* The routine runs in this thread's alertable wait, with the error. */
    CHECK_EQ(calls, 0);
    CHECK_EQ(ovio_sleep(DUE_MS, true), OVIO_WAIT_IO_COMPLETION);
    CHECK_EQ(calls, 1);
    CHECK_EQ(seen_err, ECONNABORTED);
    CHECK_EQ(seen_bytes, 0);
    expect_fd_closed(s, never);
    close(c);
    free(big);

    /* Datagram receive: ECANCELED. */
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    CHECK(u >= 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(bind(u, (struct sockaddr *)&a, sizeof a) == 0);
    CHECK(ovio_event_reset(e1) == 0);
    memset(&r1, 0, sizeof r1);
    r1.event = e1;
    struct sockaddr_in from;
    int fromlen = sizeof from;
    CHECK_EQ(ovio_recvfrom(u, &i1, 1, 0, (struct sockaddr *)&from, &fromlen, &r1, NULL),
             -EINPROGRESS);
    CHECK_EQ(ovio_close(u), 0);
    CHECK_EQ(wait1(e1, DUE_MS), 0);
    CHECK_EQ(r1.status, ECANCELED);
    CHECK_EQ(ovio_result(u, &r1, &n, false), -ECANCELED);
    expect_fd_closed(u, never);

    ovio_handle_close(e1);
    ovio_handle_close(e2);
    ovio_handle_close(e3);
    ovio_handle_close(never);
    ovio_shutdown();
    return 0;
}

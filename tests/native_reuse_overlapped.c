/*
 * Native API: starting an operation with an ovio_overlapped that is still pending fails with
 * -EINVAL (receive or send, same fd or another), does nothing - no data moved, nothing notified -
 * and leaves the pending operation intact: it completes once, into its own buffer.  Once it has
 * completed the record can be used again.
 */
#define _GNU_SOURCE
#include <errno.h>
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

static int calls;

static void routine(int err, size_t bytes, ovio_overlapped *ov)
{
    (void)err;
    (void)bytes;
    (void)ov;
    calls++;
}

int main(void)
{
    alarm(60);
    int rc = ovio_init();
    if (rc < 0)
        FAIL("ovio_init: %d", rc);
    int c, s, c2, s2;
    tcp_pair(&c, &s);
    tcp_pair(&c2, &s2);
    ovio_handle ev = ovio_event_create(true, false);
    CHECK(ev != 0);

    char b1[16], b2[16];
    memset(b1, 0, sizeof b1);
    memset(b2, 'z', sizeof b2);
    struct iovec i1 = {b1, sizeof b1}, i2 = {b2, sizeof b2};
    ovio_overlapped ov;
    memset(&ov, 0, sizeof ov);
    ov.event = ev;
    CHECK_EQ(ovio_recv(s, &i1, 1, 0, &ov, routine), -EINPROGRESS);

    /* Reuse while pending: receive on the same fd, receive on another fd, send, sendto. */
    CHECK_EQ(ovio_recv(s, &i2, 1, 0, &ov, routine), -EINVAL);
    CHECK_EQ(ovio_recv(s2, &i2, 1, 0, &ov, NULL), -EINVAL);
    char ghost[] = "GHOST";
    struct iovec gi = {ghost, 5};
    CHECK_EQ(ovio_send(s, &gi, 1, 0, &ov, NULL), -EINVAL);
    CHECK_EQ(ovio_send(c2, &gi, 1, 0, &ov, NULL), -EINVAL);
    CHECK_EQ(ov.status, OVIO_STATUS_PENDING);
    CHECK(ov.event == ev);

    /* Nothing notified, the first still pending (bounded wait that must time out). */
    CHECK_EQ(wait1(ev, QUIET_MS), OVIO_WAIT_TIMEOUT);
    CHECK_EQ(ovio_sleep(0, true), 0);
    CHECK_EQ(calls, 0);
    size_t n;
    CHECK_EQ(ovio_result(s, &ov, &n, false), -EINPROGRESS);

    /* It completes once, into b1. */
    CHECK_EQ(send(c, "hello", 5, MSG_NOSIGNAL), 5);
    CHECK_EQ(wait1(ev, DUE_MS), 0);
    CHECK_EQ(ov.status, 0);
    CHECK_EQ(ov.bytes, 5);
    CHECK(memcmp(b1, "hello", 5) == 0);
    for (size_t i = 0; i < sizeof b2; i++)
        CHECK_EQ(b2[i], 'z');
    CHECK_EQ(ovio_sleep(DUE_MS, true), OVIO_WAIT_IO_COMPLETION);
    CHECK_EQ(calls, 1);
    CHECK_EQ(ovio_sleep(QUIET_MS, true), 0); /* exactly one routine (bounded, must time out) */
    CHECK_EQ(calls, 1);

    /* No hidden second receive: the next data is still there for a plain recv.  And GHOST went
     * nowhere: each peer's next bytes are a marker. */
    CHECK_EQ(send(c, "world", 5, MSG_NOSIGNAL), 5);
    char in[8];
    CHECK_EQ(recv(s, in, 5, MSG_WAITALL), 5);
    CHECK(memcmp(in, "world", 5) == 0);
    CHECK_EQ(send(c2, "M", 1, MSG_NOSIGNAL), 1);
    CHECK_EQ(recv(s2, in, 1, 0), 1);
    CHECK_EQ(in[0], 'M');
    CHECK_EQ(send(s, "N", 1, MSG_NOSIGNAL), 1);
    CHECK_EQ(recv(c, in, 1, 0), 1);
    CHECK_EQ(in[0], 'N');

    /* Completed: the record may be reused. */
    CHECK(ovio_event_reset(ev) == 0);
    CHECK_EQ(ovio_recv(s, &i1, 1, 0, &ov, NULL), -EINPROGRESS);
    CHECK_EQ(send(c, "again", 5, MSG_NOSIGNAL), 5);
    CHECK_EQ(wait1(ev, DUE_MS), 0);
    CHECK_EQ(ov.status, 0);
    CHECK_EQ(ov.bytes, 5);
    CHECK(memcmp(b1, "again", 5) == 0);

    ovio_close(c);
    ovio_close(s);
    ovio_close(c2);
    ovio_close(s2);
    ovio_handle_close(ev);
    ovio_shutdown();
    return 0;
}

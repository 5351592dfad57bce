/*
 * Native API (include/ovio.h): a pending ovio_recv is completed by the peer's ovio_send; its
 * event is set; ov->status goes from OVIO_STATUS_PENDING to 0 and ov->bytes holds the count;
 * ovio_result reports the same; offset/offset_high are never touched.  Also: an immediate
 * completion sets the event by the time the call returns, a failure (peer reset) is reported as
 * a positive errno in ov->status and -errno from ovio_result, and ovio_result(wait = true) with
 * event 0 waits for the operation.
 *
 * Plain Linux sockets; exit 0 pass, 1 fail.
 */
#define _GNU_SOURCE
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

#include "native_helpers.h"

static void ov_init(ovio_overlapped *ov, ovio_handle ev)
{
    memset(ov, 0, sizeof *ov);
    ov->offset = 0x11111111;
    ov->offset_high = 0x22222222;
    ov->event = ev;
}

static int wait1(ovio_handle ev, int ms)
{
    return ovio_wait(&ev, 1, false, ms, false);
}

static int g_peer;
static ovio_handle g_never;

/* Sends after a bounded wait (an event nobody sets) that gives the main thread time to block. */
static void *late_sender(void *arg)
{
    (void)arg;
    CHECK_EQ(wait1(g_never, QUIET_MS), OVIO_WAIT_TIMEOUT);
    CHECK_EQ(send(g_peer, "late", 4, MSG_NOSIGNAL), 4);
    return NULL;
}

int main(void)
{
    alarm(60);
    int rc = ovio_init();
    if (rc < 0)
        FAIL("ovio_init: %d", rc);
    int c, s;
    tcp_pair(&c, &s);
    ovio_handle rev = ovio_event_create(true, false), sev = ovio_event_create(true, false);
    CHECK(rev != 0 && sev != 0);

    /* Pending receive. */
    char in[64];
    memset(in, 0, sizeof in);
    struct iovec riov = {in, sizeof in};
    ovio_overlapped rov;
    ov_init(&rov, rev);
    CHECK_EQ(ovio_recv(s, &riov, 1, 0, &rov, NULL), -EINPROGRESS);
    CHECK_EQ(rov.status, OVIO_STATUS_PENDING);
    size_t bytes = 12345;
    CHECK_EQ(ovio_result(s, &rov, &bytes, false), -EINPROGRESS);
    CHECK_EQ(bytes, 12345);
    /* Nothing completes it before the peer sends (bounded wait that must time out). */
    CHECK_EQ(wait1(rev, QUIET_MS), OVIO_WAIT_TIMEOUT);
    CHECK_EQ(rov.status, OVIO_STATUS_PENDING);

    /* The peer's send: small, completes at once (count returned, event already set), or pends
     * and completes. */
    char msg[] = "native hello";
    struct iovec siov = {msg, sizeof msg};
    ovio_overlapped sov;
    ov_init(&sov, sev);
    ssize_t r = ovio_send(c, &siov, 1, 0, &sov, NULL);
    if (r >= 0) {
        CHECK_EQ(r, sizeof msg);
        CHECK_EQ(wait1(sev, 0), 0);
    } else {
        CHECK_EQ(r, -EINPROGRESS);
        CHECK_EQ(wait1(sev, DUE_MS), 0);
    }
    CHECK_EQ(sov.status, 0);
    CHECK_EQ(sov.bytes, sizeof msg);

    /* The receive completes: event, status, bytes, data, ovio_result; offsets untouched. */
    CHECK_EQ(wait1(rev, DUE_MS), 0);
    CHECK_EQ(rov.status, 0);
    CHECK_EQ(rov.bytes, sizeof msg);
    CHECK(memcmp(in, msg, sizeof msg) == 0);
    CHECK_EQ(ovio_result(s, &rov, &bytes, false), 0);
    CHECK_EQ(bytes, sizeof msg);
    CHECK_EQ(ovio_result(s, &rov, &bytes, true), 0);
    CHECK_EQ(bytes, sizeof msg);
    CHECK_EQ(rov.offset, 0x11111111);
    CHECK_EQ(rov.offset_high, 0x22222222);
    CHECK(rov.event == rev);
    /* The event stays set (manual reset; nobody resets it). */
    CHECK_EQ(wait1(rev, 0), 0);

    /* One byte each way: a byte count of 1 is a result like any other (the send completes at
     * once with 1; the pending receive completes with 1). */
    CHECK(ovio_event_reset(rev) == 0);
    ov_init(&rov, rev);
    CHECK_EQ(ovio_recv(s, &riov, 1, 0, &rov, NULL), -EINPROGRESS);
    CHECK(ovio_event_reset(sev) == 0);
    ov_init(&sov, sev);
    struct iovec one = {(char *)"1", 1};
    r = ovio_send(c, &one, 1, 0, &sov, NULL);
    if (r != 1)
        FAIL("ovio_send of 1 byte returned %zd, wanted 1", r);
    CHECK_EQ(wait1(sev, 0), 0);
    CHECK_EQ(sov.status, 0);
    CHECK_EQ(sov.bytes, 1);
    if (wait1(rev, DUE_MS) != 0)
        FAIL("a pending ovio_recv did not complete when 1 byte arrived");
    CHECK_EQ(rov.status, 0);
    CHECK_EQ(rov.bytes, 1);
    CHECK_EQ(in[0], '1');

    /* ovio_result(wait = true) with event 0 waits for the operation. */
    g_never = ovio_event_create(true, false);
    CHECK(g_never != 0);
    g_peer = c;
    ovio_overlapped wov;
    ov_init(&wov, 0);
    memset(in, 0, sizeof in);
    CHECK_EQ(ovio_recv(s, &riov, 1, 0, &wov, NULL), -EINPROGRESS);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, late_sender, NULL) == 0);
    CHECK_EQ(ovio_result(s, &wov, &bytes, true), 0);
    CHECK_EQ(bytes, 4);
    CHECK(memcmp(in, "late", 4) == 0);
    CHECK(pthread_join(t, NULL) == 0);

    /* Failure: the peer resets under a pending receive. */
    CHECK(ovio_event_reset(rev) == 0);
    ov_init(&rov, rev);
    CHECK_EQ(ovio_recv(s, &riov, 1, 0, &rov, NULL), -EINPROGRESS);
    struct linger lg = {1, 0};
    CHECK(setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) == 0);
    CHECK(ovio_close(c) == 0);
    CHECK_EQ(wait1(rev, DUE_MS), 0);
    CHECK_EQ(rov.status, ECONNRESET);
    CHECK_EQ(ovio_result(s, &rov, &bytes, false), -ECONNRESET);

    CHECK(ovio_close(s) == 0);
    ovio_handle_close(rev);
    ovio_handle_close(sev);
    ovio_handle_close(g_never);
    ovio_shutdown();
    return 0;
}

/*
 * Native API: a completion routine runs only in an alertable wait (ovio_sleep/ovio_wait with
 * alertable = true) of the thread that started the operation - never inside the starting call,
 * never in a non-alertable wait, never in another thread's alertable wait - and the routines
 * queued to a thread run in completion order (FIFO), all of them in one alertable wait, which then
 * returns OVIO_WAIT_IO_COMPLETION.  ovio_sleep returns 0 when its time ran out with nothing run.
 *
 * Each operation also has an event (the native API sets it too), so completion is observed with
 * non-alertable waits before the routines are allowed to run.
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

/* The record each routine gets: ovio_overlapped first, cast back in the routine. */
struct op {
    ovio_overlapped ov;
    int id;
};

static pthread_t issuer;
static __thread int in_alertable; /* raised by this test only around its alertable waits */
static int order[8];
static int ran;
static int errs[8];
static size_t lens[8];

static void routine(int err, size_t bytes, ovio_overlapped *ov)
{
    struct op *o = (struct op *)ov;
    if (!pthread_equal(pthread_self(), issuer))
        FAIL("routine of op %d ran in another thread", o->id);
    if (!in_alertable)
        FAIL("routine of op %d ran outside an alertable wait", o->id);
    if (ran < 8) {
        order[ran] = o->id;
        errs[ran] = err;
        lens[ran] = bytes;
    }
    ran++;
}

static int alertable_sleep(int ms)
{
    in_alertable = 1;
    int r = ovio_sleep(ms, true);
    in_alertable = 0;
    return r;
}

/* Another thread's alertable waits do not run this thread's routines. */
static void *other_thread(void *arg)
{
    ovio_handle never = *(ovio_handle *)arg;
    /* Bounded waits that must time out. */
    in_alertable = 1;
    CHECK_EQ(ovio_sleep(QUIET_MS, true), 0);
    CHECK_EQ(ovio_wait(&never, 1, false, QUIET_MS, true), OVIO_WAIT_TIMEOUT);
    in_alertable = 0;
    return NULL;
}

int main(void)
{
    alarm(60);
    int rc = ovio_init();
    if (rc < 0)
        FAIL("ovio_init: %d", rc);
    issuer = pthread_self();
    int c, s;
    tcp_pair(&c, &s);
    ovio_handle never = ovio_event_create(true, false);
    ovio_handle ev[3];
    for (int i = 0; i < 3; i++) {
        ev[i] = ovio_event_create(true, false);
        CHECK(ev[i] != 0);
    }

    /* op 1: an immediate send (its routine is queued first); ops 2 and 3: receives that pend and
     * complete, in posting order, when the peer sends. */
    static struct op o1, o2, o3;
    o1.id = 1;
    o2.id = 2;
    o3.id = 3;
    o1.ov.event = ev[0];
    o2.ov.event = ev[1];
    o3.ov.event = ev[2];
    char out[] = "0123456789abcdef";
    struct iovec siov = {out, 16};
    CHECK_EQ(ovio_send(s, &siov, 1, 0, &o1.ov, routine), 16);
    CHECK_EQ(ran, 0);
    char b2[8], b3[8];
    struct iovec i2 = {b2, sizeof b2}, i3 = {b3, sizeof b3};
    CHECK_EQ(ovio_recv(s, &i2, 1, 0, &o2.ov, routine), -EINPROGRESS);
    CHECK_EQ(ovio_recv(s, &i3, 1, 0, &o3.ov, routine), -EINPROGRESS);
    CHECK_EQ(ran, 0);
    CHECK_EQ(send(c, "AAAAAAAABBBBBBBB", 16, MSG_NOSIGNAL), 16);

    /* All three complete (non-alertable wait for all events): no routine runs. */
    CHECK_EQ(ovio_wait(ev, 3, true, DUE_MS, false), 0);
    CHECK_EQ(ran, 0);
    /* Non-alertable waits and sleeps (bounded, must time out) do not run them either. */
    CHECK_EQ(ovio_sleep(50, false), 0);
    CHECK_EQ(ovio_wait(&never, 1, false, 50, false), OVIO_WAIT_TIMEOUT);
    size_t n;
    CHECK_EQ(ovio_result(s, &o2.ov, &n, true), 0);
    CHECK_EQ(ran, 0);
    /* Nor another thread's alertable waits. */
    pthread_t t;
    CHECK(pthread_create(&t, NULL, other_thread, &never) == 0);
    CHECK(pthread_join(t, NULL) == 0);
    CHECK_EQ(ran, 0);

    /* The issuing thread's alertable wait runs all three, FIFO, then returns. */
    CHECK_EQ(alertable_sleep(DUE_MS), OVIO_WAIT_IO_COMPLETION);
    CHECK_EQ(ran, 3);
    CHECK_EQ(order[0], 1);
    CHECK_EQ(order[1], 2);
    CHECK_EQ(order[2], 3);
    CHECK_EQ(errs[0], 0);
    CHECK_EQ(lens[0], 16);
    CHECK_EQ(errs[1], 0);
    CHECK_EQ(lens[1], 8);
    CHECK_EQ(errs[2], 0);
    CHECK_EQ(lens[2], 8);
    CHECK(memcmp(b2, "AAAAAAAA", 8) == 0);
    CHECK(memcmp(b3, "BBBBBBBB", 8) == 0);
    /* Nothing left: the time runs out (bounded, must time out) and 0 is returned. */
    CHECK_EQ(alertable_sleep(QUIET_MS), 0);
    CHECK_EQ(ran, 3);

    /* An alertable ovio_wait on an event nobody sets returns OVIO_WAIT_IO_COMPLETION after
     * running a routine (the seed's third program). */
    static struct op o4;
    o4.id = 4;
    char b4[8];
    struct iovec i4 = {b4, sizeof b4};
    CHECK_EQ(ovio_recv(s, &i4, 1, 0, &o4.ov, routine), -EINPROGRESS);
    CHECK_EQ(send(c, "xy", 2, MSG_NOSIGNAL), 2);
    in_alertable = 1;
    CHECK_EQ(ovio_wait(&never, 1, false, OVIO_INFINITE, true), OVIO_WAIT_IO_COMPLETION);
    in_alertable = 0;
    CHECK_EQ(ran, 4);
    CHECK_EQ(order[3], 4);
    CHECK_EQ(lens[3], 2);

    char drain[16];
    CHECK_EQ(recv(c, drain, 16, MSG_WAITALL), 16);
    ovio_close(c);
    ovio_close(s);
    for (int i = 0; i < 3; i++)
        ovio_handle_close(ev[i]);
    ovio_handle_close(never);
    ovio_shutdown();
    return 0;
}

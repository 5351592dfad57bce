/* Engine choice (issue: epoll fallback).  OVIO_ENGINE forces one; a forced epoll makes no io_uring
 * system call at all, so a seccomp policy that kills on io_uring_setup is safe.  Otherwise io_uring
 * when it starts with what the engine needs, else epoll, and the reason is kept for
 * ovio_engine_reason() and OVIO_DEBUG. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"

const struct ovio__engine *ovio__engine;
static char reason[200];
static pthread_mutex_t start_mutex = PTHREAD_MUTEX_INITIALIZER;
static int start_error;

OVIO__HIDDEN void ovio__wake_followers_for_engine(void);

static int try_start(const struct ovio__engine *e, char *why, size_t len)
{
    int err = e->init(why, len);
    if (!err) {
        ovio__lock();
        ovio__engine = e;
        ovio__wake_followers_for_engine();
        ovio__unlock();
    }
    return err;
}

int ovio__engine_start(void)
{
    pthread_mutex_lock(&start_mutex);
    if (ovio__engine || start_error) {
        pthread_mutex_unlock(&start_mutex);
        return start_error;
    }
    const char *want = getenv("OVIO_ENGINE");
    char why[160] = "";
    int err;
    if (want && *want && strcmp(want, "auto") != 0) {
        const struct ovio__engine *e = NULL;
        if (!strcmp(want, "io_uring") || !strcmp(want, "uring"))
            e = &ovio__engine_uring;
        else if (!strcmp(want, "epoll"))
            e = &ovio__engine_epoll;
        if (!e) {
            snprintf(reason, sizeof reason, "OVIO_ENGINE=%s is not an engine (io_uring, epoll)", want);
            err = -EINVAL;
        } else if ((err = try_start(e, why, sizeof why))) {
            snprintf(reason, sizeof reason, "OVIO_ENGINE=%s cannot start: %s", want, why);
        } else {
            snprintf(reason, sizeof reason, "forced by OVIO_ENGINE=%s", want);
        }
    } else if (!(err = try_start(&ovio__engine_uring, why, sizeof why))) {
        snprintf(reason, sizeof reason, "io_uring available");
    } else {
        char uring_why[160];
        snprintf(uring_why, sizeof uring_why, "%s", why);
        if ((err = try_start(&ovio__engine_epoll, why, sizeof why)))
            snprintf(reason, sizeof reason, "io_uring: %s; epoll: %s", uring_why, why);
        else
            snprintf(reason, sizeof reason, "io_uring unavailable: %s", uring_why);
    }
    start_error = err;
    if (!err)
        ovio__progress_start();
    const char *dbg = getenv("OVIO_DEBUG");
    if (dbg && *dbg && strcmp(dbg, "0") != 0)
        fprintf(stderr, "ovio: engine %s (%s)\n", ovio__engine ? ovio__engine->name : "none",
                reason);
    pthread_mutex_unlock(&start_mutex);
    return err;
}

void ovio__engine_stop(void)
{
    pthread_mutex_lock(&start_mutex);
    if (ovio__engine) {
        ovio__engine->fini();
        ovio__engine = NULL;
    }
    start_error = 0;
    pthread_mutex_unlock(&start_mutex);
}

int ovio_init(void)
{
    return ovio__engine_start();
}

const char *ovio_engine_name(void)
{
    return ovio__engine ? ovio__engine->name : NULL;
}

const char *ovio_engine_reason(void)
{
    return reason;
}

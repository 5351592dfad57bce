/* Event objects (SPEC F1): manual- or auto-reset; setting one wakes the threads waiting on it. */
#include <errno.h>
#include <stdlib.h>

#include "core/core.h"

void ovio__event_destroy(struct ovio__object *o)
{
    free(OVIO__CONTAINER_OF(o, struct ovio__event, obj));
}

void ovio__event_signal(struct ovio__event *ev)
{
    ev->signalled = true;
    ovio__obj_wake_waiters(&ev->obj);
}

ovio_handle ovio_event_create(bool manual_reset, bool initially_set)
{
    struct ovio__event *ev = calloc(1, sizeof *ev);
    if (!ev) {
        errno = ENOMEM;
        return 0;
    }
    ovio__obj_init(&ev->obj, OVIO__OBJ_EVENT);
    ev->manual_reset = manual_reset;
    ev->signalled = initially_set;
    ovio__lock();
    ovio_handle h = ovio__handle_new(&ev->obj);
    ovio__obj_unref(&ev->obj); /* the table's reference is the only one now */
    ovio__unlock();
    return h;
}

static int with_event(ovio_handle h, bool set)
{
    ovio__lock();
    struct ovio__object *o = ovio__handle_get(h, OVIO__OBJ_EVENT);
    if (!o) {
        ovio__unlock();
        return -EBADF;
    }
    struct ovio__event *ev = OVIO__CONTAINER_OF(o, struct ovio__event, obj);
    if (set)
        ovio__event_signal(ev);
    else
        ev->signalled = false;
    ovio__obj_unref(o);
    ovio__unlock();
    return 0;
}

int ovio_event_set(ovio_handle ev)
{
    return with_event(ev, true);
}

int ovio_event_reset(ovio_handle ev)
{
    return with_event(ev, false);
}

int ovio_handle_close(ovio_handle h)
{
    ovio__lock();
    struct ovio__object *o = ovio__handle_get(h, 0);
    if (o && o->type == OVIO__OBJ_SOCK) {
        /* A handle that names a socket closes the socket, as CloseHandle does on Windows. */
        struct ovio__sock *s = OVIO__CONTAINER_OF(o, struct ovio__sock, obj);
        int fd = s->closing ? -1 : s->fd;
        ovio__handle_close(h);
        ovio__obj_unref(o);
        ovio__unlock();
        return fd < 0 ? -EBADF : ovio__sock_close(fd);
    }
    if (o)
        ovio__obj_unref(o);
    int r = ovio__handle_close(h);
    ovio__unlock();
    return r < 0 ? r : 0;
}

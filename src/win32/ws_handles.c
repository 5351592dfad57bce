/*
 * SOCKET handles (Linux side): a SOCKET is a generation-tagged handle naming the core's socket
 * state, so a closed or forged SOCKET gets WSAENOTSOCK instead of reaching whatever socket later
 * reuses the fd number (SPEC G2).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/core.h"
#include "engine/engine.h"
#include "ovio_win32/winerror.h"
#include "win32/ws_internal.h"

uintptr_t ws__socket_new(int fd, int overlapped)
{
    ovio__lock();
    int err = 0;
    struct ovio__sock *s = ovio__sock_get(fd, true, &err);
    ovio_handle h = 0;
    if (s) {
        s->win32 = true;
        s->sync_io = !overlapped; /* SPEC A7 */
        h = ovio__handle_new(&s->obj);
        if (!h)
            err = -errno;
    }
    ovio__unlock();
    if (!h) {
        if (s)
            ovio__sock_close(fd);
        else
            close(fd);
        ws__set_error(err == -EMFILE ? WSAEMFILE : WSAENOBUFS);
        return WS__INVALID_SOCKET;
    }
    return h;
}

/* The socket named by s, referenced, or NULL with the Winsock error set.  Lock held. */
static struct ovio__sock *lookup(uintptr_t s)
{
    struct ovio__object *o = ovio__handle_get(s, OVIO__OBJ_SOCK);
    if (!o) {
        ws__set_error(WSAENOTSOCK);
        return NULL;
    }
    struct ovio__sock *sock = OVIO__CONTAINER_OF(o, struct ovio__sock, obj);
    if (sock->closing) {
        ovio__obj_unref(o);
        ws__set_error(WSAENOTSOCK);
        return NULL;
    }
    return sock;
}

int ws__socket_fd(uintptr_t s)
{
    if (!ws__started())
        return -1;
    ovio__lock();
    struct ovio__sock *sock = lookup(s);
    int fd = sock ? sock->fd : -1;
    if (sock)
        ovio__obj_unref(&sock->obj);
    ovio__unlock();
    return fd;
}

int ws__socket_was(uintptr_t s)
{
    ovio__lock();
    bool was = ovio__handle_was(s, OVIO__OBJ_SOCK);
    ovio__unlock();
    if (!was)
        ws__set_error(WSAENOTSOCK);
    return was;
}

int ws__socket_close(uintptr_t s)
{
    ovio__lock();
    struct ovio__sock *sock = lookup(s);
    if (!sock) {
        ovio__unlock();
        return -1;
    }
    int fd = sock->fd;
    ovio__handle_close(s);
    ovio__obj_unref(&sock->obj);
    ovio__unlock();
    ovio__sock_close(fd);
    return 0;
}

void ws__socket_shutdown(int fd, int how)
{
    /* SD_RECEIVE 0, SD_SEND 1, SD_BOTH 2 are SHUT_RD, SHUT_WR, SHUT_RDWR. */
    ovio__sock_note_shutdown(fd, how);
}

int ws__handle_type(uintptr_t h)
{
    ovio__lock();
    struct ovio__object *o = ovio__handle_get(h, 0);
    int type = 0;
    if (o) {
        switch (o->type) {
        case OVIO__OBJ_SOCK:
            type = WS__HANDLE_SOCKET;
            break;
        case OVIO__OBJ_PORT:
            type = WS__HANDLE_PORT;
            break;
        default:
            type = WS__HANDLE_OTHER;
        }
        ovio__obj_unref(o);
    }
    ovio__unlock();
    return type;
}

void ws__cleanup(void)
{
    ovio__abort_all_silently();
    ovio__lock();
    ovio__handle_close_all(OVIO__OBJ_SOCK);
    ovio__unlock();
}

int ws__socket_sticky(int fd, int err, int sending)
{
    ovio__lock();
    int e = 0;
    struct ovio__sock *sock = ovio__sock_get(fd, false, &e);
    int sticky = 0;
    if (sock && sock->stream) {
        if (err == ECONNRESET || (err == EPIPE && !sock->shut_wr))
            sock->sticky_err = ECONNRESET;
        sticky = sock->sticky_err;
        if (!sticky && (sending ? sock->shut_wr : sock->shut_rd))
            sticky = ESHUTDOWN; /* shut down here: by shutdown() or DisconnectEx (SPEC E8, I11) */
    }
    ovio__unlock();
    return sticky;
}

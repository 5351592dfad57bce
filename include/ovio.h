/*
 * ovio.h - the Windows overlapped I/O model on Linux, with Linux names and plain fds.
 *
 * An operation (receive, send, ...) is started on a socket fd with an ovio_overlapped record that the
 * caller owns and keeps valid until the operation has completed.  The call either completes at once
 * (returns the byte count, >= 0), pends (returns -EINPROGRESS), or fails at once (returns another
 * negative errno; nothing is notified then).  Whether it completed at once or later, completion:
 *   1. writes ov->status (0 or a positive errno) and ov->bytes,
 *   2. sets ov->event if it is not 0,
 *   3. queues the routine, if one was given, to the thread that started the operation; it runs there
 *      during that thread's next alertable wait (ovio_wait/ovio_sleep with alertable = true),
 *   4. posts a packet to the completion port the fd is bound to, if any.
 *
 * Errors are negative errno values; nothing here sets errno.  See docs/DESIGN.md for the threading
 * model and docs/PORTING.md for the Winsock names.
 */
#ifndef OVIO_H
#define OVIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct iovec;
struct sockaddr;

/* Events, threads and completion ports are handles: small integers carrying a generation, so that
 * a closed or forged value is refused (-EBADF) rather than reaching another object.  0 is never a
 * valid handle.  Sockets are plain fds. */
typedef uintptr_t ovio_handle;

/* Same size and layout as Windows' OVERLAPPED, so one can be used as the other. */
typedef struct ovio_overlapped {
    uintptr_t status;      /* OVIO_STATUS_PENDING while in flight; then 0 or a positive errno */
    uintptr_t bytes;       /* bytes transferred, written on completion */
    uint32_t offset;       /* never touched by ovio (files only on Windows) */
    uint32_t offset_high;
    ovio_handle event;     /* set on completion when not 0 */
} ovio_overlapped;

#define OVIO_STATUS_PENDING ((uintptr_t)0x103)

/* A completion routine: err is 0 or a positive errno; runs in the starting thread's alertable wait. */
typedef void (*ovio_routine)(int err, size_t bytes, ovio_overlapped *ov);

/* ---- library ----------------------------------------------------------------------------------- */

/* Starts the engine (also done lazily by the first call that needs it).  0 or -errno; with
 * OVIO_ENGINE=io_uring and io_uring unavailable, the reason is the returned error. */
int ovio_init(void);
/* Aborts every pending operation (ECANCELED, no event, no routine) and stops the engine. */
void ovio_shutdown(void);
/* "io_uring" or "epoll" (NULL before ovio_init), and one line saying why this engine was chosen. */
const char *ovio_engine_name(void);
const char *ovio_engine_reason(void);

/* ---- operations on socket fds ------------------------------------------------------------------ */

/* Start options.  OVIO_FLAGS_* are ORed into the per-call flags argument of recv/send. */
#define OVIO_MSG_PEEK 0x2 /* MSG_PEEK */
#define OVIO_MSG_OOB 0x1  /* MSG_OOB */

/* Receive into iov[0..iovcnt): stream sockets complete with what is there (at least one byte, 0 at
 * end of stream); a zero-length receive pends until data is readable and consumes nothing.
 * Receives on one fd are filled in the order they were started. */
ssize_t ovio_recv(int fd, const struct iovec *iov, int iovcnt, int flags, ovio_overlapped *ov,
                  ovio_routine routine);
/* Send all of iov[0..iovcnt): completes only when every byte is taken (short writes are retried).
 * Sends on one fd go out in the order they were started, never interleaved. */
ssize_t ovio_send(int fd, const struct iovec *iov, int iovcnt, int flags, ovio_overlapped *ov,
                  ovio_routine routine);
/* Datagram forms.  On completion *from_len is updated; a datagram longer than the buffers
 * completes with EMSGSIZE and the truncated byte count. */
ssize_t ovio_recvfrom(int fd, const struct iovec *iov, int iovcnt, int flags, struct sockaddr *from,
                      int *from_len, ovio_overlapped *ov, ovio_routine routine);
ssize_t ovio_sendto(int fd, const struct iovec *iov, int iovcnt, int flags,
                    const struct sockaddr *to, int to_len, ovio_overlapped *ov,
                    ovio_routine routine);

/* Result of an operation: 0 with *bytes set, -EINPROGRESS while pending (wait = false) or the
 * operation's error (negative).  With wait = true it waits (not alertably) for ov->event, or, when
 * that is 0, for any operation on fd to complete.  Reads only ov: works after ovio_close(fd). */
int ovio_result(int fd, ovio_overlapped *ov, size_t *bytes, bool wait);

/* Until ov is no longer pending (wait = true, not alertable) or after one non-blocking look at the
 * engine (wait = false): 0 when done, -EINPROGRESS when still pending, -EINVAL when ov is marked
 * pending but no operation uses it.  The Winsock layer's WSAGetOverlappedResult and
 * HasOverlappedIoCompleted are built on it. */
int ovio_await(ovio_overlapped *ov, bool wait);

/* Cancel fd's operations: ov == NULL cancels all of the process's, else the one that uses ov.
 * Cancelled operations complete with ECANCELED and still notify.  -ENOENT when none matched. */
int ovio_cancel(int fd, ovio_overlapped *ov);
/* Cancel the operations on fd that the calling thread started (0 even if there were none). */
int ovio_cancel_mine(int fd);

/* Close fd: pending operations complete aborted (ECONNABORTED for stream receives, ECANCELED for
 * the rest) and still notify; the fd number stays reserved until they have, then is closed. */
int ovio_close(int fd);

/* Per-fd modes. OVIO_FD_SYNC: operations run to completion inside the starting call (a Windows
 * socket created without WSA_FLAG_OVERLAPPED); they still notify. */
#define OVIO_FD_SYNC 0x1
int ovio_fd_set_mode(int fd, unsigned mode);

/* ---- events and waits -------------------------------------------------------------------------- */

ovio_handle ovio_event_create(bool manual_reset, bool initially_set); /* 0 on failure (errno) */
int ovio_event_set(ovio_handle ev);
int ovio_event_reset(ovio_handle ev);
/* Closes any handle (event, thread, port). */
int ovio_handle_close(ovio_handle h);

#define OVIO_INFINITE (-1)
#define OVIO_WAIT_MAX 64
#define OVIO_WAIT_TIMEOUT 258
#define OVIO_WAIT_IO_COMPLETION 0xC0
/* Wait for one (all = false: returns the lowest signalled index) or all of n handles (events,
 * threads), up to timeout_ms (OVIO_INFINITE = no limit, 0 = poll).  Auto-reset events are consumed
 * only by a wait they satisfy; a wait for all consumes them together.  alertable: queued routines
 * of this thread run first (FIFO, all of them), then it returns OVIO_WAIT_IO_COMPLETION.
 * Returns the index, OVIO_WAIT_TIMEOUT, OVIO_WAIT_IO_COMPLETION, or -errno (-EINVAL for n out of
 * 1..64, -EBADF for a bad handle). */
int ovio_wait(const ovio_handle *handles, unsigned n, bool all, int timeout_ms, bool alertable);
/* Sleep; 0 when the time ran out, OVIO_WAIT_IO_COMPLETION when routines ran (alertable only). */
int ovio_sleep(int timeout_ms, bool alertable);

/* ---- threads and APCs -------------------------------------------------------------------------- */

typedef void (*ovio_apc_fn)(uintptr_t arg);
/* Names the calling thread wherever a thread handle is taken, without creating a handle. */
#define OVIO_CURRENT_THREAD ((ovio_handle)-2)
/* A handle for the calling thread (a new handle to close with ovio_handle_close). */
ovio_handle ovio_thread_self(void);
/* The calling thread's id: small, unique while the thread lives, never 0. */
uint32_t ovio_thread_id(void);
/* The id of the thread a handle names; 0 for a bad handle. */
uint32_t ovio_thread_handle_id(ovio_handle thread);
/* Queue fn(arg) to run in the thread's next alertable wait; wakes it if it is in one. */
int ovio_queue_apc(ovio_handle thread, ovio_apc_fn fn, uintptr_t arg);
/* Start a thread known to ovio: its handle is signalled when it ends. */
typedef unsigned (*ovio_thread_fn)(void *arg);
ovio_handle ovio_thread_create(ovio_thread_fn fn, void *arg);
/* The value the thread's function returned; -EAGAIN while it still runs. */
int ovio_thread_exit_code(ovio_handle thread, unsigned *code);
#ifdef __cplusplus
[[noreturn]] void ovio_thread_exit(unsigned code);
#else
_Noreturn void ovio_thread_exit(unsigned code);
#endif

/* ---- network event selection (WSAEventSelect) ------------------------------------------------- */

/* Network events, with Windows' FD_* values and bit positions. */
#define OVIO_NET_READ 0x01
#define OVIO_NET_WRITE 0x02
#define OVIO_NET_OOB 0x04
#define OVIO_NET_ACCEPT 0x08
#define OVIO_NET_CONNECT 0x10
#define OVIO_NET_CLOSE 0x20
#define OVIO_NET_EVENTS 6
/* Record the selected network events of fd and set event when one happens (mask 0: stop).  Each
 * event is recorded once, then again only after the call that consumes it (a receive for READ, an
 * accept for ACCEPT, a send that would block for WRITE; see ovio_net_reenable).  Makes the fd
 * non-blocking. */
int ovio_event_select(int fd, ovio_handle event, uint32_t mask);
/* Take the recorded events (and their errors, positive errno or 0, by bit position); resets
 * event when it is not 0. */
int ovio_enum_network_events(int fd, ovio_handle event, uint32_t *events,
                             int errors[OVIO_NET_EVENTS]);
/* The program consumed some events' cause (a receive, an accept, a blocked send): record them
 * again when they happen again. */
void ovio_net_reenable(int fd, uint32_t events);

/* ---- completion ports -------------------------------------------------------------------------- */

/* One completion, as ovio_port_get returns it. */
typedef struct ovio_port_entry {
    uintptr_t key;      /* the key the fd was bound with, or the one posted */
    ovio_overlapped *ov;
    int err;            /* 0 or a positive errno */
    size_t bytes;
} ovio_port_entry;

/* A port letting at most `concurrency` threads run its packets at once (0: the CPU count).
 * 0 on failure (errno). */
ovio_handle ovio_port_create(unsigned concurrency);
/* Operations on fd post to port with key from now on, including ones already pending.  An fd binds
 * to one port until it is closed (-EINVAL).  Routines cannot be used on a bound fd (-EINVAL). */
int ovio_port_bind(ovio_handle port, int fd, uintptr_t key);
/* Queue a packet of the caller's own; it comes back from ovio_port_get exactly as given. */
int ovio_port_post(ovio_handle port, const ovio_port_entry *entry);
/* Take up to n packets, FIFO; threads waiting are served newest first.  Returns the count (>= 1),
 * -ETIMEDOUT, -EINTR (alertable: routines ran, nothing taken), -ECANCELED (the port's handle was
 * closed) or -EBADF. */
int ovio_port_get(ovio_handle port, ovio_port_entry *entries, unsigned n, int timeout_ms,
                  bool alertable);
/* Notification modes, which can be added but never removed:
 * OVIO_SKIP_PORT_ON_SUCCESS: an operation that completes inside its starting call posts no packet.
 * OVIO_SKIP_SET_EVENT_ON_HANDLE: completions do not signal the fd itself (ovio_result waits). */
#define OVIO_SKIP_PORT_ON_SUCCESS 0x1
#define OVIO_SKIP_SET_EVENT_ON_HANDLE 0x2
int ovio_fd_skip_notifications(int fd, unsigned flags);

#ifdef __cplusplus
}
#endif
#endif /* OVIO_H */

/*
 * Internal contract between the Winsock surface files and the rest of ovio.  Plain C types only, so
 * both the Windows-side files (which include our winsock2.h) and the Linux-side files (which include
 * <sys/socket.h>) can use it.
 */
#ifndef OVIO_WS_INTERNAL_H
#define OVIO_WS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#define WS__INVALID_SOCKET (~(uintptr_t)0)

/* 1 after WSAStartup; otherwise sets WSANOTINITIALISED and returns 0. */
int ws__started(void);

/* The per-thread last error shared by WSAGetLastError and GetLastError (SPEC G4). */
void ws__set_error(uint32_t code);
uint32_t ws__get_error(void);

/* The one errno -> Winsock error table. */
uint32_t ws__wsa_from_errno(int err);
/* ws__set_error(ws__wsa_from_errno(err)). */
void ws__fail_errno(int err);

/* Completion status translations (SPEC B3, C3, D1, I2).  An operation's outcome is kept in the
 * OVERLAPPED as an NT status, as Windows does. */
uint32_t ws__ntstatus_from_errno(int err);
uint32_t ws__wsa_from_ntstatus(uint32_t status);
uint32_t ws__win32_from_ntstatus(uint32_t status);

/* SOCKET handles.  A SOCKET is a generation-tagged handle that names a socket fd. */
uintptr_t ws__socket_new(int fd, int overlapped); /* ~0 (fd closed, error set) on failure */
int ws__socket_fd(uintptr_t s);                    /* -1 with WSANOTINITIALISED/WSAENOTSOCK set */
void ws__socket_shutdown(int fd, int how);         /* after a successful shutdown(): SD_* value */
int ws__socket_close(uintptr_t s);                 /* closesocket: 0, or -1 with the error set */
/* What a plain send/recv must fail with before trying: records err when it is a reset (which
 * stays, SPEC E5); returns ECONNRESET, ESHUTDOWN (that direction was shut down) or 0. */
int ws__socket_sticky(int fd, int err, int sending);
/* 1 if s is a SOCKET or was one until closesocket (WSAGetOverlappedResult works after close,
 * SPEC C4); else 0 with WSAENOTSOCK set (C6). */
int ws__socket_was(uintptr_t s);

/* What a HANDLE names (CloseHandle and the waits dispatch on it); 0 for none. */
enum { WS__HANDLE_SOCKET = 1, WS__HANDLE_PORT, WS__HANDLE_OTHER };
int ws__handle_type(uintptr_t h);
/* WSACleanup's last call: abort everything silently, close every SOCKET (SPEC E10). */
void ws__cleanup(void);

/* Checked access to the caller's memory (SPEC G3): 0, or -EFAULT instead of a crash.
 * ws__probe_install (WSAStartup) arms it. */
void ws__probe_install(void);
int ws__mem_read(void *dst, const void *src, size_t n);
int ws__mem_write(void *dst, const void *src, size_t n);
int ws__mem_check_rw(void *p, size_t n); /* p..p+n-1 readable and writable */

/* Socket addresses: Windows layout (AF_INET6 = 23) <-> Linux (a struct sockaddr_storage).
 * from_win: -EFAULT when the Windows address is too short for its family. */
int ws__addr_from_win(const void *win, int win_len, void *linux_ss, unsigned *linux_len);
/* Writes at most *win_len bytes, then sets *win_len to the full length. */
void ws__addr_to_win(const void *linux_sa, unsigned linux_len, void *win, int *win_len);

/* An I/O request from WSASend/WSARecv/WSASendTo/WSARecvFrom, after argument checks. */
struct iovec;
struct ws__io {
    int fd;
    uintptr_t sock;           /* the SOCKET (the issue re-checks it under the core lock) */
    int send;                 /* else receive */
    const struct iovec *iov;  /* the WSABUFs as iovecs */
    int iovcnt;
    int flags;                /* Linux MSG_* */
    const void *win_to;       /* WSASendTo: Windows address */
    int to_len;
    void *win_from;           /* WSARecvFrom: Windows address buffer */
    int *from_len;
    void *ov;                 /* LPWSAOVERLAPPED */
    void *routine;            /* LPWSAOVERLAPPED_COMPLETION_ROUTINE or NULL */
    uintptr_t event;          /* hEvent as an integer (low bit: no port packet) */
    size_t *done_bytes;       /* byte count when it ends inside the call */
};
/* Overlapped: bytes (>= 0) when complete at once, -EINPROGRESS pending, else -errno (nothing
 * notified).  -EMSGSIZE with *done_bytes set for a truncated datagram. */
intptr_t ws__io_issue(const struct ws__io *io);
/* The Microsoft extensions (SPEC I9-I11), same result convention as ws__io_issue.
 * accept: buf[0..recv_len) gets the first data, then the local and remote addresses in blocks of
 * local_len and remote_len bytes (read back by ws__acceptex_addrs). */
intptr_t ws__io_accept(uintptr_t listen_sock, int listen_fd, int accept_fd, char *buf, uint32_t recv_len,
                       uint32_t local_len, uint32_t remote_len, void *ov, uintptr_t event,
                       size_t *done_bytes);
intptr_t ws__io_connect(uintptr_t sock, int fd, const void *win_addr, int addr_len, const void *data,
                        uint32_t data_len, void *ov, uintptr_t event, size_t *done_bytes);
intptr_t ws__io_disconnect(uintptr_t sock, int fd, void *ov, uintptr_t event);
/* Where GetAcceptExSockaddrs finds an address block's sockaddr and length. */
void ws__acceptex_addr(char *block, void **sa, int *len);

/* Not overlapped: the plain call, blocking unless FIONBIO (-ETIMEDOUT on SO_RCVTIMEO expiry). */
intptr_t ws__io_now(const struct ws__io *io);

#endif

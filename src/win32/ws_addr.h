/*
 * Windows socket addresses <-> the neutral struct sys_addr (sys_net.h), and straight to Linux's
 * layout for code that hands addresses to ovio's core.  Plain C types only: usable from both
 * Windows-side and Linux-side files.  All of them read and write the program's memory through
 * sys__mem_read/sys__mem_write, so a bad pointer is -EFAULT, never a crash (SPEC G3).
 */
#ifndef OVIO_WS_ADDR_H
#define OVIO_WS_ADDR_H

#include <stdint.h>

#include "sys_net.h"

/* The program's address (Windows layout, win_len bytes) -> neutral.  -EFAULT for NULL or a
 * length too small for the family, -EAFNOSUPPORT for a family ovio does not handle. */
int ws__addr_in(const void *win, int win_len, struct sys_addr *a);
/* Size of the Windows sockaddr for a family (sizeof(SOCKADDR_IN), ...); 0 if none. */
int ws__addr_size(enum sys_af af);
/* Neutral -> the program's buffer.  *win_len (program memory) is the buffer size on entry and
 * the address size on return; -EFAULT (nothing written) when the buffer is too small, as Windows
 * fails rather than truncates. */
int ws__addr_out(const struct sys_addr *a, void *win, int *win_len);

/* Windows layout <-> Linux layout in one step (the overlapped WSASendTo/WSARecvFrom).  lin has
 * room for SYS_LINUX_SOCKADDR_MAX bytes. */
int ws__sockaddr_to_linux(const void *win, int win_len, void *lin, uint32_t *lin_len);
int ws__sockaddr_from_linux(const void *lin, uint32_t lin_len, void *win, int *win_len);

#endif /* OVIO_WS_ADDR_H */

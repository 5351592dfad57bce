/*
 * ovio Windows headers: what every one of them does first.
 *
 * 1. The C library headers that <windows.h> makes visible on Windows (SPEC K2): Windows programs
 *    call memset, strlen, malloc, exit, printf and va_* without including anything else, and with
 *    gcc 14 an implicit declaration is an error.  They are included *before* any Windows name is
 *    defined, so glibc sees its own types.  <sys/socket.h>, <netinet/in.h>, <arpa/inet.h> and
 *    <netdb.h> are never included: their structs and functions are the ones Winsock redefines.
 *
 * 2. glibc names whose Windows meaning differs are renamed with a macro after glibc has used them
 *    (glibc's <sys/types.h> and <sys/select.h> arrive with <stdlib.h> in the default gnu modes, and
 *    programs often include <stdlib.h> or <iostream> before <winsock2.h>, so they cannot be
 *    avoided):
 *      u_long     Windows: 32-bit (LLP64 `unsigned long`); glibc: 64-bit.
 *      fd_set     Windows: { u_int fd_count; SOCKET fd_array[FD_SETSIZE]; }; glibc: a bitmap.
 *      timeval    Windows: two LONGs (8 bytes); glibc: two longs (16 bytes).
 *    The glibc headers that use these types are included here, before the renaming, so their
 *    functions keep glibc's types: calling gettimeofday() with a Windows `struct timeval` is then
 *    a compile-time type error rather than memory corruption.  Windows code has its own select(),
 *    see winsock2.h.
 *    u_char, u_short and u_int have the same size in both and are left alone.
 *
 * 3. Plain `long` cannot be fixed: it is 32-bit on Windows and 64-bit here.  The Windows typedefs
 *    (LONG, ULONG, DWORD, u_long, ...) are 32-bit as on Windows; a program that writes `long` where
 *    the SDK says LONG gets a 64-bit variable (harmless for locals, wrong for struct layouts that
 *    must match Windows).  WCHAR is wchar_t, which is 32-bit on Linux, so L"" literals work but
 *    wide structs (WSAPROTOCOL_INFOW) are larger than on Windows.
 *
 * 4. `#pragma comment(lib, "ws2_32.lib")` is how Windows code names its import library; gcc warns
 *    about the unknown pragma under -Wall, so the warning is switched off for the translation unit
 *    (SPEC K4).  g++ before version 13 does not let a pragma switch this one off (GCC PR 53431):
 *    C++ built with older g++ needs -Wno-unknown-pragmas on the command line.
 */
#ifndef OVIO_WIN32_PRELUDE_H
#define OVIO_WIN32_PRELUDE_H

#if defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wunknown-pragmas"
#endif
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wunknown-pragmas"
#pragma clang diagnostic ignored "-Wignored-pragmas"
#endif

/* A program may set FD_SETSIZE before including <winsock2.h> to enlarge fd_set, as on Windows.
 * glibc's <sys/select.h> (pulled in below) would overwrite it, so keep the program's value aside
 * while the C library headers are read. */
#if defined(FD_SETSIZE) && !defined(_SYS_SELECT_H)
#define OVIO_FD_SETSIZE_FROM_PROGRAM 1
#pragma push_macro("FD_SETSIZE")
#undef FD_SETSIZE
#endif

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>    /* strcasecmp: tchar.h maps _tcsicmp to it */
/* Every glibc header that uses fd_set or struct timeval comes first, so that its declarations keep
 * glibc's types; included after the rename they would silently take Windows' layouts. */
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/time.h>
#include <sys/types.h>
#include <time.h>
#include <wchar.h>
#include <wctype.h>
#if !defined(__cplusplus)
#include <stdbool.h>
#endif

#if defined(OVIO_FD_SETSIZE_FROM_PROGRAM)
#undef FD_SETSIZE
#pragma pop_macro("FD_SETSIZE")
#elif defined(FD_SETSIZE) && defined(__FD_SETSIZE) && FD_SETSIZE != __FD_SETSIZE
/* <stdlib.h> came first, then the program set its own FD_SETSIZE: keep the program's. */
#define OVIO_FD_SETSIZE_FROM_PROGRAM 1
#elif defined(FD_SETSIZE)
#undef FD_SETSIZE /* glibc's 1024; winsock2.h sets Windows' 64 */
#endif

/* glibc's fd_set helpers work on its bitmap; winsock2.h defines the Windows ones. */
#undef FD_SET
#undef FD_CLR
#undef FD_ISSET
#undef FD_ZERO

typedef unsigned int ovio_u_long;
#define u_long ovio_u_long
#define fd_set ovio_fd_set
#define timeval ovio_timeval
/* Windows' socklen_t is int.  glibc defines its own (unsigned) only in headers that Windows code
 * does not include (<unistd.h>, <sys/socket.h>); claim the name first when it is still free. */
#if !defined(__socklen_t_defined)
typedef int socklen_t;
#define __socklen_t_defined 1
#endif

#if defined(__cplusplus)
#define OVIO_EXTERN_C_BEGIN extern "C" {
#define OVIO_EXTERN_C_END }
#else
#define OVIO_EXTERN_C_BEGIN
#define OVIO_EXTERN_C_END
#endif

/* Functions whose Winsock name is also a C library function are declared under that name but
 * bound to ovio's symbol `ovio_ws_<name>` with an asm label, so the program reaches ovio while the
 * C library (and every other library in the process) keeps its own.  No macro is involved, so
 * `::bind(...)` and members named `connect` are untouched. */
#define OVIO_WS_SYMBOL(name) __asm__("ovio_ws_" #name)

#endif /* OVIO_WIN32_PRELUDE_H */

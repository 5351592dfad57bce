/*
 * ovio Windows headers: <windows.h>.  Brings in the kernel32 part and Winsock 2 (on Windows it
 * brings in the older winsock.h unless WIN32_LEAN_AND_MEAN; Winsock 2 is a superset, so including
 * <winsock2.h> before or after this header works either way).
 */
#ifndef OVIO_WIN32_WINDOWS_H
#define OVIO_WIN32_WINDOWS_H

#include "types.h"
#include "winerror.h"
#include "kernel32.h"
#include "winsock2.h"

#ifndef _WINDOWS_
#define _WINDOWS_
#endif

#endif /* OVIO_WIN32_WINDOWS_H */

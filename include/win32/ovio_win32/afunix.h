/*
 * ovio Windows headers: <afunix.h> - AF_UNIX socket addresses (Windows 10 1803 and later).
 */
#ifndef OVIO_WIN32_AFUNIX_H
#define OVIO_WIN32_AFUNIX_H

#include "ws2def.h"

#define UNIX_PATH_MAX 108

OVIO_EXTERN_C_BEGIN

typedef struct sockaddr_un {
    ADDRESS_FAMILY sun_family;
    char sun_path[UNIX_PATH_MAX];
} SOCKADDR_UN, *PSOCKADDR_UN;

OVIO_EXTERN_C_END

#endif /* OVIO_WIN32_AFUNIX_H */

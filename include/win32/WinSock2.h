/* <WinSock2.h>: a spelling of a Windows header (names are case-insensitive there). */
#include "ovio_win32/winsock2.h"

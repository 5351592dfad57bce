/* <WS2tcpip.h>: a spelling of a Windows header (names are case-insensitive there). */
#include "ovio_win32/ws2tcpip.h"

/*
 * SPEC K1: every spelling of a Windows header seen in real sources resolves (Windows file names are
 * case-insensitive), in one translation unit, with every declaration agreeing.
 *
 * Compile time: each header's own names are visible (checked below with static assertions).
 * Run time: every spelling in include/win32 is a plain file (not a symlink, so installs and
 * case-insensitive copies work) holding one #include of a content header that exists, and every
 * spelling there is listed in this test (a new one must be added here).
 */
#include <afunix.h>
#include <BaseTsd.h>
#include <basetsd.h>
#include <errhandlingapi.h>
#include <guiddef.h>
#include <handleapi.h>
#include <in6addr.h>
#include <inaddr.h>
#include <ioapiset.h>
#include <minwinbase.h>
#include <minwindef.h>
#include <MSTCPIP.H>
#include <MSTcpIP.h>
#include <Mstcpip.h>
#include <mstcpip.h>
#include <MSWSOCK.H>
#include <MSWSock.h>
#include <MSWsock.h>
#include <MsWSock.h>
#include <Mswsock.h>
#include <mswsock.h>
#include <ntstatus.h>
#include <Process.h>
#include <process.h>
#include <processthreadsapi.h>
#include <profileapi.h>
#include <synchapi.h>
#include <sysinfoapi.h>
#include <TCHAR.H>
#include <Tchar.h>
#include <tchar.h>
#include <WINBASE.H>
#include <WinBase.h>
#include <winbase.h>
#include <WINDEF.H>
#include <WinDef.h>
#include <windef.h>
#include <WINDOWS.H>
#include <Windows.h>
#include <windows.h>
#include <WINERROR.H>
#include <WinError.h>
#include <winerror.h>
#include <WINNT.H>
#include <WinNT.h>
#include <winnt.h>
#include <WINSOCK.H>
#include <WinSock.h>
#include <Winsock.h>
#include <winsock.h>
#include <WINSOCK2.H>
#include <WinSock2.h>
#include <Winsock2.h>
#include <winsock2.h>
#include <WS2def.h>
#include <ws2def.h>
#include <WS2IPDEF.H>
#include <ws2ipdef.h>
#include <WS2TCPIP.H>
#include <WS2TcpIp.h>
#include <WS2tcpip.h>
#include <Ws2tcpip.h>
#include <ws2tcpip.h>

#include <dirent.h>
#include <sys/stat.h>

/* winsock2.h / winsock.h */
_Static_assert(sizeof(WSADATA) == 408, "WSADATA (Win64 layout)");
_Static_assert(WSA_IO_PENDING == 997 && WSAENOTSOCK == 10038, "Winsock error codes");
_Static_assert(sizeof(SOCKET) == 8 && INVALID_SOCKET == (SOCKET) ~(UINT_PTR)0, "SOCKET");
_Static_assert(FD_SETSIZE == 64 && sizeof(fd_set) == 8 + 64 * 8, "fd_set");
_Static_assert(sizeof(struct timeval) == 8 && sizeof(u_long) == 4, "LONG-sized fields");
/* ws2tcpip.h / ws2ipdef.h / in6addr.h */
_Static_assert(sizeof(SOCKADDR_IN6) == 28 && AF_INET6 == 23, "IPv6");
_Static_assert(EAI_NONAME == WSAHOST_NOT_FOUND && INET6_ADDRSTRLEN == 65, "ws2tcpip");
_Static_assert(sizeof(ADDRINFOA) == 48, "ADDRINFOA");
/* ws2def.h / inaddr.h */
_Static_assert(sizeof(SOCKADDR_STORAGE) == 128 && sizeof(WSABUF) == 16, "ws2def");
_Static_assert(sizeof(IN_ADDR) == 4, "in_addr");
/* mswsock.h */
_Static_assert(SO_UPDATE_ACCEPT_CONTEXT == 0x700B && sizeof(TRANSMIT_FILE_BUFFERS) == 32,
               "mswsock");
_Static_assert(sizeof(LPFN_ACCEPTEX) == sizeof(void *) && sizeof(LPFN_CONNECTEX) == 8, "LPFN_*");
/* mstcpip.h */
_Static_assert(sizeof(struct tcp_keepalive) == 12 && SIO_KEEPALIVE_VALS == 0x98000004, "mstcpip");
/* afunix.h */
_Static_assert(sizeof(SOCKADDR_UN) == 110, "afunix");
/* windows.h, winbase.h and the api-set headers */
_Static_assert(sizeof(OVERLAPPED) == 32 && sizeof(OVERLAPPED_ENTRY) == 32, "OVERLAPPED");
_Static_assert(INFINITE == 0xFFFFFFFF && WAIT_IO_COMPLETION == 0xC0, "waits");
_Static_assert(sizeof(SYSTEM_INFO) == 48, "SYSTEM_INFO");
/* winerror.h / ntstatus.h */
_Static_assert(ERROR_IO_PENDING == 997 && (DWORD)STATUS_CANCELLED == 0xC0000120, "codes");
/* windef.h / winnt.h / basetsd.h / guiddef.h */
_Static_assert(sizeof(DWORD) == 4 && sizeof(LONG) == 4 && sizeof(ULONG_PTR) == 8, "sizes");
_Static_assert(sizeof(GUID) == 16, "GUID");

/* Functions from each group, referenced so that the declarations are really there. */
static const void *const declared[] = {
    (const void *)&WSAStartup,
    (const void *)&WSARecv,
    (const void *)&getaddrinfo,
    (const void *)&CreateEventA,
    (const void *)&GetQueuedCompletionStatus,
    (const void *)&_beginthreadex,
    (const void *)&GetLastError,
    (const void *)&QueueUserAPC,
};

static const char *const spellings[] = {
    "afunix.h",     "BaseTsd.h",  "basetsd.h",    "errhandlingapi.h", "guiddef.h",
    "handleapi.h",  "in6addr.h",  "inaddr.h",     "ioapiset.h",       "minwinbase.h",
    "minwindef.h",  "MSTCPIP.H",  "MSTcpIP.h",    "Mstcpip.h",        "mstcpip.h",
    "MSWSOCK.H",    "MSWSock.h",  "MSWsock.h",    "MsWSock.h",        "Mswsock.h",
    "mswsock.h",    "ntstatus.h", "Process.h",    "process.h",        "processthreadsapi.h",
    "profileapi.h", "synchapi.h", "sysinfoapi.h", "TCHAR.H",          "Tchar.h",
    "tchar.h",      "WINBASE.H",  "WinBase.h",    "winbase.h",        "WINDEF.H",
    "WinDef.h",     "windef.h",   "WINDOWS.H",    "Windows.h",        "windows.h",
    "WINERROR.H",   "WinError.h", "winerror.h",   "WINNT.H",          "WinNT.h",
    "winnt.h",      "WINSOCK.H",  "WinSock.h",    "Winsock.h",        "winsock.h",
    "WINSOCK2.H",   "WinSock2.h", "Winsock2.h",   "winsock2.h",       "WS2def.h",
    "ws2def.h",     "WS2IPDEF.H", "ws2ipdef.h",   "WS2TCPIP.H",       "WS2TcpIp.h",
    "WS2tcpip.h",   "Ws2tcpip.h", "ws2tcpip.h",
};

static int check_forwarder(const char *dir, const char *name)
{
    char path[4096], line[512], target[4096];
    struct stat st;
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
        return 1;
    if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
        fprintf(stderr, "%s: not a plain file\n", path);
        return 1;
    }
    FILE *f = fopen(path, "r");
    if (!f)
        return 1;
    int includes = 0, bad = 0;
    while (fgets(line, sizeof line, f)) {
        char inc[512];
        if (sscanf(line, " #include \"%511[^\"]\"", inc) == 1) {
            includes++;
            if (snprintf(target, sizeof target, "%s/%s", dir, inc) >= (int)sizeof target ||
                stat(target, &st) != 0 || !S_ISREG(st.st_mode)) {
                fprintf(stderr, "%s: includes missing %s\n", path, inc);
                bad = 1;
            }
        }
    }
    fclose(f);
    if (includes != 1) {
        fprintf(stderr, "%s: %d #include lines, wanted 1\n", path, includes);
        bad = 1;
    }
    return bad;
}

int main(void)
{
    const char *src = getenv("OVIO_SOURCE_DIR");
    char dir[4096];
    int failed = 0;
    size_t n = sizeof spellings / sizeof spellings[0];

    for (size_t i = 0; i < sizeof declared / sizeof declared[0]; i++)
        if (!declared[i])
            failed = 1;
    if (!src) {
        printf("k1_header_spellings: compiled; OVIO_SOURCE_DIR not set, file checks skipped\n");
        return failed;
    }
    if (snprintf(dir, sizeof dir, "%s/include/win32", src) >= (int)sizeof dir)
        return 1;
    for (size_t i = 0; i < n; i++)
        failed |= check_forwarder(dir, spellings[i]);

    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "cannot open %s\n", dir);
        return 1;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 3 ||
            (strcmp(e->d_name + len - 2, ".h") != 0 && strcmp(e->d_name + len - 2, ".H") != 0))
            continue;
        size_t i;
        for (i = 0; i < n && strcmp(spellings[i], e->d_name) != 0; i++)
            ;
        if (i == n) {
            fprintf(stderr, "%s/%s is not included by this test\n", dir, e->d_name);
            failed = 1;
        }
    }
    closedir(d);
    if (!failed)
        printf("k1_header_spellings: %zu spellings ok\n", n);
    return failed;
}

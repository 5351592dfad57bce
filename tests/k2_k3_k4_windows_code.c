/*
 * SPEC K2, K3, K4: Windows code as the books write it.
 *
 *   K2  memset, strlen, strcmp, atoi, malloc, exit, printf, fputs, toupper, time, va_* are used
 *       with no C library header included: <windows.h>/<winsock2.h> provide them.
 *   K3  `int *` passed for LPDWORD (WSARecv's byte count and flags, WSAGetOverlappedResult),
 *       `unsigned long *` for ioctlsocket's `u_long *`, a pointer cast to DWORD: warnings at most.
 *   K4  #pragma comment(lib, ...), __cdecl, __stdcall, WINAPI, CALLBACK, _tmain/_TCHAR/_T() in the
 *       ANSI build.
 *
 * The K3 constructs are warnings that -Werror would turn into errors, so this test is built with
 * the flags in k2_k3_k4_windows_code.flags (what such a program needs: -Wno-pointer-sign,
 * -Wno-incompatible-pointer-types, -Wno-pointer-to-int-cast).  `void main` cannot be tested in a
 * program that must return a status; gcc accepts it with a -Wmain warning.
 *
 * The program itself is the book's overlapped receiver and a sender thread, on loopback.
 */
#include <winsock2.h>
#include <windows.h>
#include <process.h>
#include <tchar.h>

#pragma comment(lib, "ws2_32.lib")

#define BUF_SIZE 1024

void __cdecl ErrorHandling(char *message)
{
    fputs(message, stderr);
    fputc('\n', stderr);
    exit(1);
}

static void report(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
}

static SOCKADDR_IN serverAdr;

unsigned __stdcall SendThread(void *arg)
{
    char msg[] = "Network is Computer!";
    SOCKET hSocket = socket(PF_INET, SOCK_STREAM, 0);
    (void)arg;
    if (connect(hSocket, (SOCKADDR *)&serverAdr, sizeof(serverAdr)) == SOCKET_ERROR)
        ErrorHandling("connect() error");
    send(hSocket, msg, strlen(msg) + 1, 0);
    closesocket(hSocket);
    return 0;
}

static DWORD WINAPI Unused(LPVOID p)
{
    return (DWORD)(ULONG_PTR)p;
}

void CALLBACK CompRoutine(DWORD dwError, DWORD szRecvBytes, LPWSAOVERLAPPED lpOverlapped,
                          DWORD flags)
{
    (void)dwError, (void)szRecvBytes, (void)lpOverlapped, (void)flags;
}

int _tmain(int argc, _TCHAR *argv[])
{
    WSADATA wsaData;
    SOCKET hLisnSock, hRecvSock;
    SOCKADDR_IN lisnAdr, recvAdr;
    int recvAdrSz, adrSz;
    WSABUF dataBuf;
    WSAEVENT evObj;
    WSAOVERLAPPED overlapped;
    char buf[BUF_SIZE];
    int recvBytes = 0, flags = 0; /* K3: int, where WSARecv wants LPDWORD */
    unsigned long mode = 0;       /* K3: unsigned long, where ioctlsocket wants u_long * */
    TCHAR name[] = _T("k2_k3_k4");
    char *copy;
    HANDLE hThread;
    DWORD cookie;

    if (argc > 1)
        _tprintf(_T("argument: %s\n"), argv[1]);
    if (WSAStartup(MAKEWORD(2, 2), &wsaData) != 0)
        ErrorHandling("WSAStartup() error");

    hLisnSock = WSASocket(PF_INET, SOCK_STREAM, 0, NULL, 0, WSA_FLAG_OVERLAPPED);
    memset(&lisnAdr, 0, sizeof(lisnAdr));
    lisnAdr.sin_family = AF_INET;
    lisnAdr.sin_addr.s_addr = inet_addr("127.0.0.1");
    lisnAdr.sin_port = htons(atoi("0"));
    if (bind(hLisnSock, (SOCKADDR *)&lisnAdr, sizeof(lisnAdr)) == SOCKET_ERROR)
        ErrorHandling("bind() error");
    if (listen(hLisnSock, 5) == SOCKET_ERROR)
        ErrorHandling("listen() error");
    adrSz = sizeof(serverAdr);
    getsockname(hLisnSock, (SOCKADDR *)&serverAdr, &adrSz);

    hThread = (HANDLE)_beginthreadex(NULL, 0, SendThread, NULL, 0, NULL);
    if (hThread == NULL)
        ErrorHandling("_beginthreadex() error");

    recvAdrSz = sizeof(recvAdr);
    hRecvSock = accept(hLisnSock, (SOCKADDR *)&recvAdr, &recvAdrSz);
    if (hRecvSock == INVALID_SOCKET)
        ErrorHandling("accept() error");
    ioctlsocket(hRecvSock, FIONBIO, &mode);

    evObj = WSACreateEvent();
    memset(&overlapped, 0, sizeof(overlapped));
    overlapped.hEvent = evObj;
    cookie = (DWORD)&overlapped; /* K3: a pointer squeezed into a DWORD (a warning) */
    (void)cookie;
    dataBuf.len = BUF_SIZE;
    dataBuf.buf = buf;

    /* Wait for the whole message first, so that one receive takes all of it. */
    WaitForSingleObject(hThread, INFINITE);
    CloseHandle(hThread);

    if (WSARecv(hRecvSock, &dataBuf, 1, &recvBytes, &flags, &overlapped, NULL) == SOCKET_ERROR) {
        if (WSAGetLastError() == WSA_IO_PENDING) {
            puts("Background data receive");
            WSAWaitForMultipleEvents(1, &evObj, TRUE, WSA_INFINITE, FALSE);
            WSAGetOverlappedResult(hRecvSock, &overlapped, &recvBytes, FALSE, NULL);
        } else {
            ErrorHandling("WSARecv() error");
        }
    }
    report("Received message : %s (%d bytes)\n", buf, recvBytes);
    if (recvBytes != (int)strlen("Network is Computer!") + 1 ||
        strcmp(buf, "Network is Computer!") != 0)
        ErrorHandling("wrong message");

    copy = malloc(strlen(buf) + 1);
    strcpy(copy, buf);
    copy[0] = (char)toupper((unsigned char)copy[0]);
    if (copy[0] != 'N' || _tcslen(name) != 8 || time(NULL) == (time_t)-1 || Unused(NULL) != 0)
        ErrorHandling("C library");
    free(copy);
    ZeroMemory(buf, sizeof buf);
    SecureZeroMemory(buf, sizeof buf);
    (void)CompRoutine;

    WSACloseEvent(evObj);
    closesocket(hRecvSock);
    closesocket(hLisnSock);
    WSACleanup();
    _tprintf(_T("%s: ok\n"), name);
    return 0;
}

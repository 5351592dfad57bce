/*
 * cmpl_routine_echo_server.c - echo server driven by completion routines.
 *
 * After the completion-routine echo server of chapter 22 ("Overlapped IO model") of a well-known
 * TCP/IP socket programming book (CmplRouEchoServ_win.c), in C and with the book's structure:
 *   - the listening socket is non-blocking (ioctlsocket FIONBIO); the main loop calls accept()
 *     and, when there is nobody to accept (WSAEWOULDBLOCK), sleeps alertably with
 *     SleepEx(100, TRUE): that is where the completion routines run;
 *   - each client has a malloc'd PER_IO_DATA whose WSAOVERLAPPED is the first member, so the
 *     routines cast the LPWSAOVERLAPPED they get back to the client.  hEvent carries the same
 *     pointer, as in the book: with a completion routine Winsock ignores hEvent, and it is free
 *     to hold a context pointer;
 *   - WSARecv completes in ReadCompRoutine, which WSASends what arrived; WriteCompRoutine then
 *     posts the next WSARecv.  A receive of 0 bytes (the client closed) or an error closes the
 *     socket and frees the client.  One operation per client is in flight at any time.
 * Changes from the book:
 *   - the per-client memory is one block (the book mallocs the OVERLAPPED and the data apart);
 *   - 16 KiB buffers, TCP_NODELAY, a SOMAXCONN backlog, and SO_REUSEADDR on the listener so the
 *     server can be restarted on the same port at once: it doubles as a benchmark server;
 *   - accept() failures other than WSAEWOULDBLOCK (out of descriptors...) are reported and
 *     retried instead of ending the server;
 *   - prints "ready" once listening; SIGINT/SIGTERM end it cleanly: every client socket is
 *     closed, the aborted operations' routines free the clients, then WSACleanup; exit status 0.
 *
 * Usage: cmpl_routine_echo_server [-v] <port>
 * Prints "ready", one line per client connect and disconnect, and with -v one line per echo.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <winsock2.h>

#define BUF_SIZE 16384

typedef struct _PER_IO_DATA {
    WSAOVERLAPPED overlapped; /* must stay first: routines cast it back */
    SOCKET hClntSock;
    WSABUF wsaBuf;
    SOCKADDR_IN clntAdr;
    struct _PER_IO_DATA *prev, *next; /* live clients, for the shutdown */
    char buf[BUF_SIZE];               /* last, so an idle client touches one page */
} PER_IO_DATA, *LPPER_IO_DATA;

void CALLBACK ReadCompRoutine(DWORD, DWORD, LPWSAOVERLAPPED, DWORD);
void CALLBACK WriteCompRoutine(DWORD, DWORD, LPWSAOVERLAPPED, DWORD);
void CloseClient(LPPER_IO_DATA hbInfo, DWORD dwError);
void ErrorHandling(char *message);

static volatile sig_atomic_t g_stop = 0;
static BOOL g_verbose = FALSE;
static LPPER_IO_DATA g_clients = NULL; /* only the main thread touches it (routines run there) */
static int g_numClients = 0;

static void OnSignal(int sig)
{
    (void)sig;
    g_stop = 1;
}

int main(int argc, char *argv[])
{
    WSADATA wsaData;
    SOCKET hLisnSock, hRecvSock;
    SOCKADDR_IN lisnAdr, recvAdr;
    LPPER_IO_DATA hbInfo;
    DWORD recvBytes = 0, flagInfo = 0;
    u_long mode = 1;
    BOOL optVal = TRUE;
    int recvAdrSz, tries;
    const char *port;

    if (argc == 3 && strcmp(argv[1], "-v") == 0) {
        g_verbose = TRUE;
        port = argv[2];
    } else if (argc == 2) {
        port = argv[1];
    } else {
        printf("Usage : %s [-v] <port>\n", argv[0]);
        exit(1);
    }

    signal(SIGINT, OnSignal);
    signal(SIGTERM, OnSignal);

    if (WSAStartup(MAKEWORD(2, 2), &wsaData) != 0)
        ErrorHandling("WSAStartup() error");

    hLisnSock = WSASocket(PF_INET, SOCK_STREAM, 0, NULL, 0, WSA_FLAG_OVERLAPPED);
    if (hLisnSock == INVALID_SOCKET)
        ErrorHandling("WSASocket() error");
    ioctlsocket(hLisnSock, FIONBIO, &mode); /* for non-blocking socket */
    setsockopt(hLisnSock, SOL_SOCKET, SO_REUSEADDR, (const char *)&optVal, sizeof(optVal));

    memset(&lisnAdr, 0, sizeof(lisnAdr));
    lisnAdr.sin_family = AF_INET;
    lisnAdr.sin_addr.s_addr = htonl(INADDR_ANY);
    lisnAdr.sin_port = htons(atoi(port));

    if (bind(hLisnSock, (SOCKADDR *)&lisnAdr, sizeof(lisnAdr)) == SOCKET_ERROR)
        ErrorHandling("bind() error");
    if (listen(hLisnSock, SOMAXCONN) == SOCKET_ERROR)
        ErrorHandling("listen() error");

    puts("ready");
    fflush(stdout);

    while (!g_stop) {
        recvAdrSz = sizeof(recvAdr);
        hRecvSock = accept(hLisnSock, (SOCKADDR *)&recvAdr, &recvAdrSz);
        if (hRecvSock == INVALID_SOCKET) {
            int err = WSAGetLastError();
            if (err != WSAEWOULDBLOCK)
                fprintf(stderr, "accept() error %d\n", err);
            SleepEx(100, TRUE); /* for alertable wait state */
            continue;
        }
        setsockopt(hRecvSock, IPPROTO_TCP, TCP_NODELAY, (const char *)&optVal, sizeof(optVal));

        hbInfo = (LPPER_IO_DATA)malloc(sizeof(PER_IO_DATA));
        if (hbInfo == NULL) {
            fputs("malloc() error\n", stderr);
            closesocket(hRecvSock);
            continue;
        }
        memset(&hbInfo->overlapped, 0, sizeof(hbInfo->overlapped));
        hbInfo->overlapped.hEvent = (HANDLE)hbInfo; /* context pointer, as in the book */
        hbInfo->hClntSock = hRecvSock;
        hbInfo->wsaBuf.buf = hbInfo->buf;
        hbInfo->wsaBuf.len = BUF_SIZE;
        hbInfo->clntAdr = recvAdr;
        hbInfo->prev = NULL;
        hbInfo->next = g_clients;
        if (g_clients != NULL)
            g_clients->prev = hbInfo;
        g_clients = hbInfo;
        g_numClients++;
        printf("Client connected: %s:%d\n", inet_ntoa(recvAdr.sin_addr), ntohs(recvAdr.sin_port));
        fflush(stdout);

        flagInfo = 0;
        if (WSARecv(hRecvSock, &hbInfo->wsaBuf, 1, &recvBytes, &flagInfo, &hbInfo->overlapped,
                    ReadCompRoutine) == SOCKET_ERROR) {
            int err = WSAGetLastError();
            if (err != WSA_IO_PENDING)
                CloseClient(hbInfo, err); /* no routine follows a failure at once */
        }
    }

    /* Shutdown: closing a socket aborts its pending operation; the routine then frees it. */
    printf("Server stopping, %d client(s) connected\n", g_numClients);
    closesocket(hLisnSock);
    for (hbInfo = g_clients; hbInfo != NULL; hbInfo = hbInfo->next) {
        closesocket(hbInfo->hClntSock);
        hbInfo->hClntSock = INVALID_SOCKET;
    }
    for (tries = 0; g_clients != NULL && tries < 20; tries++)
        SleepEx(100, TRUE);
    if (g_clients != NULL)
        fprintf(stderr, "%d client(s) got no completion routine after closesocket\n", g_numClients);
    WSACleanup(); /* aborts what is still pending, without routines: the memory is ours again */
    while (g_clients != NULL) {
        hbInfo = g_clients;
        g_clients = hbInfo->next;
        free(hbInfo);
    }
    fflush(stdout);
    return 0;
}

void CALLBACK ReadCompRoutine(DWORD dwError, DWORD szRecvBytes, LPWSAOVERLAPPED lpOverlapped,
                              DWORD flags)
{
    LPPER_IO_DATA hbInfo = (LPPER_IO_DATA)lpOverlapped;
    DWORD sentBytes;
    UNREFERENCED_PARAMETER(flags);

    if (lpOverlapped->hEvent != (HANDLE)hbInfo)
        fputs("ReadCompRoutine: hEvent was changed (it must be left alone)\n", stderr);

    if (dwError != 0 || szRecvBytes == 0) { /* error, or the client closed */
        CloseClient(hbInfo, dwError);
        return;
    }
    if (g_verbose)
        printf("Echo %lu bytes to %s:%d\n", (unsigned long)szRecvBytes,
               inet_ntoa(hbInfo->clntAdr.sin_addr), ntohs(hbInfo->clntAdr.sin_port));

    hbInfo->wsaBuf.len = szRecvBytes;
    if (WSASend(hbInfo->hClntSock, &hbInfo->wsaBuf, 1, &sentBytes, 0, lpOverlapped,
                WriteCompRoutine) == SOCKET_ERROR) {
        int err = WSAGetLastError();
        if (err != WSA_IO_PENDING)
            CloseClient(hbInfo, err);
    }
}

void CALLBACK WriteCompRoutine(DWORD dwError, DWORD szSendBytes, LPWSAOVERLAPPED lpOverlapped,
                               DWORD flags)
{
    LPPER_IO_DATA hbInfo = (LPPER_IO_DATA)lpOverlapped;
    DWORD recvBytes, flagInfo = 0;
    UNREFERENCED_PARAMETER(szSendBytes);
    UNREFERENCED_PARAMETER(flags);

    if (dwError != 0) {
        CloseClient(hbInfo, dwError);
        return;
    }

    hbInfo->wsaBuf.len = BUF_SIZE;
    if (WSARecv(hbInfo->hClntSock, &hbInfo->wsaBuf, 1, &recvBytes, &flagInfo, lpOverlapped,
                ReadCompRoutine) == SOCKET_ERROR) {
        int err = WSAGetLastError();
        if (err != WSA_IO_PENDING)
            CloseClient(hbInfo, err);
    }
}

/* Called when no operation of the client is pending any more. */
void CloseClient(LPPER_IO_DATA hbInfo, DWORD dwError)
{
    if (hbInfo->hClntSock != INVALID_SOCKET)
        closesocket(hbInfo->hClntSock);
    if (dwError != 0)
        printf("Client disconnected: %s:%d (error %lu)\n", inet_ntoa(hbInfo->clntAdr.sin_addr),
               ntohs(hbInfo->clntAdr.sin_port), (unsigned long)dwError);
    else
        printf("Client disconnected: %s:%d\n", inet_ntoa(hbInfo->clntAdr.sin_addr),
               ntohs(hbInfo->clntAdr.sin_port));
    fflush(stdout);

    if (hbInfo->prev != NULL)
        hbInfo->prev->next = hbInfo->next;
    else
        g_clients = hbInfo->next;
    if (hbInfo->next != NULL)
        hbInfo->next->prev = hbInfo->prev;
    g_numClients--;
    free(hbInfo);
}

void ErrorHandling(char *message)
{
    fputs(message, stderr);
    fputc('\n', stderr);
    exit(1);
}

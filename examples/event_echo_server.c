/*
 * event_echo_server.c - echo server on overlapped I/O with event objects.
 *
 * The event-object flavour of the overlapped model of chapter 22 of a well-known TCP/IP socket
 * programming book, grown into a server: one WSAEVENT per client, in the client's WSAOVERLAPPED,
 * and WSAWaitForMultipleEvents over them.  One operation per client is in flight at a time:
 * WSARecv, then WSASend of what arrived, then the next WSARecv.
 *
 * A wait takes at most WSA_MAXIMUM_WAIT_EVENTS (64) events, so clients are served by worker
 * threads of up to 64 clients each, the classic way past that limit.  The main thread only
 * accepts: select() on the non-blocking listener, then accept() until WSAEWOULDBLOCK, and each
 * accepted client is handed to a worker with QueueUserAPC.  The APC runs in
 * the worker's alertable WSAWaitForMultipleEvents, so a worker's arrays are only ever touched by
 * the worker itself, and the WSARecv is issued by the thread that will wait for it.
 * WSAWaitForMultipleEvents returns the lowest signalled index; as in the book, the worker then
 * also looks at every later client (here with WSAGetOverlappedResult(fWait = FALSE)) so that
 * busy clients at low indices cannot starve the others.
 *
 * 16 KiB buffers, TCP_NODELAY, SO_REUSEADDR: it doubles as a benchmark server.  SIGINT/SIGTERM
 * stop it cleanly: the workers close their clients and wait for the aborted operations, then
 * WSACleanup; exit status 0.
 *
 * Usage: event_echo_server [-v] <port>
 * Prints "ready", one line per client connect and disconnect, and with -v one line per echo.
 */
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <winsock2.h>
#include <windows.h>

#define BUF_SIZE 16384
#define CLIENTS_PER_WORKER WSA_MAXIMUM_WAIT_EVENTS
#define MAX_WORKERS 1024

struct _WORKER;

typedef struct _CLIENT {
    WSAOVERLAPPED overlapped; /* hEvent: the client's own event */
    SOCKET hClntSock;
    WSABUF wsaBuf;
    BOOL sending; /* the operation in flight: WSASend (TRUE) or WSARecv (FALSE) */
    SOCKADDR_IN clntAdr;
    struct _WORKER *worker;
    char buf[BUF_SIZE]; /* last, so an idle client touches one page */
} CLIENT, *LPCLIENT;

typedef struct _WORKER {
    HANDLE hThread;
    atomic_int load; /* clients assigned: raised by the main thread, lowered by the worker */
    /* Only the worker thread touches the rest. */
    BOOL stop;
    DWORD numClients;
    WSAEVENT hEventArr[CLIENTS_PER_WORKER];
    LPCLIENT clients[CLIENTS_PER_WORKER];
} WORKER, *LPWORKER;

static volatile sig_atomic_t g_stop = 0;
static BOOL g_verbose = FALSE;
static LPWORKER g_workers[MAX_WORKERS];
static int g_numWorkers = 0;

void ErrorHandling(char *message);

static void OnSignal(int sig)
{
    (void)sig;
    g_stop = 1;
}

static void PrintClient(const char *what, LPCLIENT c, int err)
{
    if (err != 0)
        printf("%s: %s:%d (error %d)\n", what, inet_ntoa(c->clntAdr.sin_addr),
               ntohs(c->clntAdr.sin_port), err);
    else
        printf("%s: %s:%d\n", what, inet_ntoa(c->clntAdr.sin_addr), ntohs(c->clntAdr.sin_port));
    fflush(stdout);
}

/* Closes and frees client idx of w, which has no operation pending; the last client moves into
 * its slot. */
static void RemoveClient(LPWORKER w, DWORD idx, int err)
{
    LPCLIENT c = w->clients[idx];

    closesocket(c->hClntSock);
    WSACloseEvent(c->overlapped.hEvent);
    PrintClient("Client disconnected", c, err);
    free(c);

    w->numClients--;
    w->clients[idx] = w->clients[w->numClients];
    w->hEventArr[idx] = w->hEventArr[w->numClients];
    atomic_fetch_sub(&w->load, 1);
}

/* Posts the client's next operation.  Returns 0, or the error of a call that failed at once
 * (nothing is pending then). */
static int PostRecv(LPCLIENT c)
{
    DWORD recvBytes, flags = 0;

    c->sending = FALSE;
    c->wsaBuf.len = BUF_SIZE;
    if (WSARecv(c->hClntSock, &c->wsaBuf, 1, &recvBytes, &flags, &c->overlapped, NULL) ==
        SOCKET_ERROR) {
        int err = WSAGetLastError();
        if (err != WSA_IO_PENDING)
            return err;
    }
    return 0;
}

static int PostSend(LPCLIENT c, DWORD len)
{
    DWORD sentBytes;

    c->sending = TRUE;
    c->wsaBuf.len = len;
    if (WSASend(c->hClntSock, &c->wsaBuf, 1, &sentBytes, 0, &c->overlapped, NULL) == SOCKET_ERROR) {
        int err = WSAGetLastError();
        if (err != WSA_IO_PENDING)
            return err;
    }
    return 0;
}

/* APC: a new client for this worker (runs in the worker's alertable wait). */
static void CALLBACK AddClientApc(ULONG_PTR param)
{
    LPCLIENT c = (LPCLIENT)param;
    LPWORKER w = c->worker;
    DWORD idx = w->numClients++;
    int err;

    w->clients[idx] = c;
    w->hEventArr[idx] = c->overlapped.hEvent;
    err = PostRecv(c);
    if (err != 0)
        RemoveClient(w, idx, err);
}

/* APC: stop the worker. */
static void CALLBACK StopApc(ULONG_PTR param)
{
    ((LPWORKER)param)->stop = TRUE;
}

/* The operation of client idx has completed: echo or read on.  Returns FALSE when the client
 * was removed (so slot idx now holds another client, or none). */
static BOOL ServeClient(LPWORKER w, DWORD idx)
{
    LPCLIENT c = w->clients[idx];
    DWORD bytes = 0, flags = 0;
    int err;

    if (!WSAGetOverlappedResult(c->hClntSock, &c->overlapped, &bytes, FALSE, &flags)) {
        err = WSAGetLastError();
        if (err == WSA_IO_INCOMPLETE)
            return TRUE; /* not this one */
        RemoveClient(w, idx, err);
        return FALSE;
    }
    if (!c->sending) {
        if (bytes == 0) { /* the client closed */
            RemoveClient(w, idx, 0);
            return FALSE;
        }
        if (g_verbose)
            printf("Echo %lu bytes to %s:%d\n", (unsigned long)bytes,
                   inet_ntoa(c->clntAdr.sin_addr), ntohs(c->clntAdr.sin_port));
        err = PostSend(c, bytes);
    } else {
        err = PostRecv(c);
    }
    if (err != 0) {
        RemoveClient(w, idx, err);
        return FALSE;
    }
    return TRUE;
}

static DWORD WINAPI WorkerMain(LPVOID param)
{
    LPWORKER w = (LPWORKER)param;
    DWORD posInfo, i;

    while (!w->stop) {
        if (w->numClients == 0) {
            SleepEx(INFINITE, TRUE); /* until an APC brings a client or the stop */
            continue;
        }
        posInfo = WSAWaitForMultipleEvents(w->numClients, w->hEventArr, FALSE, WSA_INFINITE, TRUE);
        if (posInfo == WSA_WAIT_IO_COMPLETION)
            continue;
        if (posInfo == WSA_WAIT_FAILED) {
            fprintf(stderr, "WSAWaitForMultipleEvents() error %d\n", WSAGetLastError());
            atomic_store(&w->load, CLIENTS_PER_WORKER); /* no new clients for this worker */
            break;
        }
        for (i = posInfo - WSA_WAIT_EVENT_0; i < w->numClients;) {
            if (ServeClient(w, i))
                i++;
        }
    }

    /* Stop: closing a socket aborts its pending operation, which still sets the event; the
     * memory the operation uses may be freed only after that. */
    while (w->numClients > 0) {
        LPCLIENT c = w->clients[w->numClients - 1];
        closesocket(c->hClntSock);
        if (WSAWaitForMultipleEvents(1, &c->overlapped.hEvent, TRUE, 5000, FALSE) !=
            WSA_WAIT_EVENT_0) {
            fputs("an aborted operation did not complete: client leaked\n", stderr);
            w->numClients--;
            continue;
        }
        WSACloseEvent(c->overlapped.hEvent);
        PrintClient("Client disconnected", c, 0);
        free(c);
        w->numClients--;
    }
    return 0;
}

/* A worker with room for one more client (creating one if needed), its load already raised. */
static LPWORKER PickWorker(void)
{
    LPWORKER w;
    int i;

    for (i = 0; i < g_numWorkers; i++) {
        w = g_workers[i];
        if (atomic_load(&w->load) < CLIENTS_PER_WORKER) {
            atomic_fetch_add(&w->load, 1);
            return w;
        }
    }
    if (g_numWorkers == MAX_WORKERS)
        return NULL;
    w = (LPWORKER)calloc(1, sizeof(WORKER));
    if (w == NULL)
        return NULL;
    atomic_init(&w->load, 1);
    w->hThread = CreateThread(NULL, 0, WorkerMain, w, 0, NULL);
    if (w->hThread == NULL) {
        free(w);
        return NULL;
    }
    g_workers[g_numWorkers++] = w;
    return w;
}

int main(int argc, char *argv[])
{
    WSADATA wsaData;
    SOCKET hLisnSock, hClntSock;
    SOCKADDR_IN lisnAdr, clntAdr;
    fd_set reads;
    struct timeval timeout;
    u_long mode = 1;
    LPCLIENT c;
    LPWORKER w;
    BOOL optVal = TRUE;
    int clntAdrSz, i;
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
    setsockopt(hLisnSock, SOL_SOCKET, SO_REUSEADDR, (const char *)&optVal, sizeof(optVal));
    memset(&lisnAdr, 0, sizeof(lisnAdr));
    lisnAdr.sin_family = AF_INET;
    lisnAdr.sin_addr.s_addr = htonl(INADDR_ANY);
    lisnAdr.sin_port = htons(atoi(port));
    if (bind(hLisnSock, (SOCKADDR *)&lisnAdr, sizeof(lisnAdr)) == SOCKET_ERROR)
        ErrorHandling("bind() error");
    if (listen(hLisnSock, SOMAXCONN) == SOCKET_ERROR)
        ErrorHandling("listen() error");

    ioctlsocket(hLisnSock, FIONBIO, &mode); /* to take every waiting connection at once */

    puts("ready");
    fflush(stdout);

    while (!g_stop) {
        /* Wait for connections; the timeout is there to look at g_stop now and then. */
        FD_ZERO(&reads);
        FD_SET(hLisnSock, &reads);
        timeout.tv_sec = 0;
        timeout.tv_usec = 200000;
        if (select(0, &reads, NULL, NULL, &timeout) == SOCKET_ERROR) {
            int err = WSAGetLastError();
            if (err != WSAEINTR)
                fprintf(stderr, "select() error %d\n", err);
            continue;
        }
        if (!FD_ISSET(hLisnSock, &reads))
            continue;

        while (1) {
            clntAdrSz = sizeof(clntAdr);
            hClntSock = accept(hLisnSock, (SOCKADDR *)&clntAdr, &clntAdrSz);
            if (hClntSock == INVALID_SOCKET) {
                int err = WSAGetLastError();
                if (err != WSAEWOULDBLOCK) {
                    /* Out of descriptors or the like: the connection stays in the backlog
                     * (and the listener readable), so do not spin on it. */
                    fprintf(stderr, "accept() error %d\n", err);
                    Sleep(100);
                }
                break;
            }
            setsockopt(hClntSock, IPPROTO_TCP, TCP_NODELAY, (const char *)&optVal, sizeof(optVal));

            c = (LPCLIENT)malloc(sizeof(CLIENT));
            if (c == NULL) {
                fputs("malloc() error\n", stderr);
                closesocket(hClntSock);
                continue;
            }
            memset(&c->overlapped, 0, sizeof(c->overlapped));
            c->overlapped.hEvent = WSACreateEvent();
            c->hClntSock = hClntSock;
            c->wsaBuf.buf = c->buf;
            c->sending = FALSE;
            c->clntAdr = clntAdr;
            w = c->overlapped.hEvent != WSA_INVALID_EVENT ? PickWorker() : NULL;
            if (w == NULL) {
                fputs("no room for another client\n", stderr);
                if (c->overlapped.hEvent != WSA_INVALID_EVENT)
                    WSACloseEvent(c->overlapped.hEvent);
                closesocket(hClntSock);
                free(c);
                continue;
            }
            c->worker = w;
            PrintClient("Client connected", c, 0);
            if (QueueUserAPC(AddClientApc, w->hThread, (ULONG_PTR)c) == 0) {
                fputs("QueueUserAPC() error\n", stderr);
                atomic_fetch_sub(&w->load, 1);
                WSACloseEvent(c->overlapped.hEvent);
                closesocket(hClntSock);
                free(c);
            }
        }
    }

    printf("Server stopping, %d worker thread(s)\n", g_numWorkers);
    fflush(stdout);
    closesocket(hLisnSock);
    for (i = 0; i < g_numWorkers; i++)
        QueueUserAPC(StopApc, g_workers[i]->hThread, (ULONG_PTR)g_workers[i]);
    for (i = 0; i < g_numWorkers; i++) {
        if (WaitForSingleObject(g_workers[i]->hThread, 5000) != WAIT_OBJECT_0) {
            fprintf(stderr, "worker %d did not stop\n", i);
            continue; /* it may still use its WORKER: leave it */
        }
        CloseHandle(g_workers[i]->hThread);
        free(g_workers[i]);
    }
    WSACleanup();
    return 0;
}

void ErrorHandling(char *message)
{
    fputs(message, stderr);
    fputc('\n', stderr);
    exit(1);
}

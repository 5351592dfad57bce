/*
 * cmpl_routine_recv.c - receiver of the Overlapped I/O example (completion routine based).
 *
 * From chapter 22 ("Overlapped IO model") of a well-known TCP/IP socket programming book,
 * CmplRoutineRecv_win.cpp as transcribed in the study note (/work/shared/seed), rewritten in C:
 * cout -> printf, `::bind`/`::listen` -> bind/listen.  Typos of the transcription fixed:
 *   - ErrorHandling was called as both `Errorhandling` and `ErrorHandling`;
 *   - `dataBuf.buf = msg`: there is no `msg` here, the buffer is `buf`;
 *   - `LPWSAOVErLAPPED` -> LPWSAOVERLAPPED in CompRoutine's definition;
 *   - `idx` was never declared: DWORD, what WSAWaitForMultipleEvents returns;
 *   - `int recvBytes, flags` -> DWORD (WSARecv takes LPDWORDs);
 *   - a WSARecv that fails at once (not WSA_IO_PENDING) is reported instead of waiting forever;
 *   - the unused routine parameters are marked, and the message is NUL-terminated before printing.
 * Deviation from the book, for repeatable demos: SO_REUSEADDR on the listener, so that the
 * program can be run again on the same port at once.
 *
 * The event object is a dummy: nobody sets it.  The wait is alertable, so it returns
 * WAIT_IO_COMPLETION after CompRoutine has run (whether WSARecv pended or completed at once).
 *
 * Usage: cmpl_routine_recv <port>
 * Prints "Background data receive" if WSARecv pended, "Received message : ..." from the routine,
 * then "Overlapped I/O Completed".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <winsock2.h>

#define BUF_SIZE 1024
void CALLBACK CompRoutine(DWORD, DWORD, LPWSAOVERLAPPED, DWORD);
void ErrorHandling(char *message);

WSABUF dataBuf;
char buf[BUF_SIZE];
DWORD recvBytes = 0;

int main(int argc, char *argv[])
{
    WSADATA wsaData;
    SOCKET hLisnSock, hRecvSock;
    SOCKADDR_IN lisnAdr, recvAdr;
    BOOL optVal = TRUE;

    WSAEVENT evObj;
    WSAOVERLAPPED overlapped;
    int recvAdrSz;
    DWORD flags = 0, idx;

    if (argc != 2) {
        printf("Usage : %s <port>\n", argv[0]);
        exit(1);
    }

    if (WSAStartup(MAKEWORD(2, 2), &wsaData) != 0)
        ErrorHandling("WSAStartup() error");

    hLisnSock = WSASocket(PF_INET, SOCK_STREAM, 0, NULL, 0, WSA_FLAG_OVERLAPPED);
    if (hLisnSock == INVALID_SOCKET)
        ErrorHandling("WSASocket() error");
    /* Not in the book: rebind at once when the demo is run again. */
    setsockopt(hLisnSock, SOL_SOCKET, SO_REUSEADDR, (const char *)&optVal, sizeof(optVal));
    memset(&lisnAdr, 0, sizeof(lisnAdr));
    lisnAdr.sin_family = AF_INET;
    lisnAdr.sin_addr.s_addr = htonl(INADDR_ANY);
    lisnAdr.sin_port = htons(atoi(argv[1]));

    if (bind(hLisnSock, (SOCKADDR *)&lisnAdr, sizeof(lisnAdr)) == SOCKET_ERROR)
        ErrorHandling("bind() error");

    if (listen(hLisnSock, 5) == SOCKET_ERROR)
        ErrorHandling("listen() error");

    recvAdrSz = sizeof(recvAdr);
    hRecvSock = accept(hLisnSock, (SOCKADDR *)&recvAdr, &recvAdrSz);
    if (hRecvSock == INVALID_SOCKET)
        ErrorHandling("accept() error");

    evObj = WSACreateEvent(); /* Dummy event object */
    memset(&overlapped, 0, sizeof(overlapped));
    dataBuf.len = BUF_SIZE - 1; /* room for the terminator added in CompRoutine */
    dataBuf.buf = buf;

    if (WSARecv(hRecvSock, &dataBuf, 1, &recvBytes, &flags, &overlapped, CompRoutine) ==
        SOCKET_ERROR) {
        if (WSAGetLastError() == WSA_IO_PENDING)
            puts("Background data receive");
        else
            ErrorHandling("WSARecv() error");
    }

    idx = WSAWaitForMultipleEvents(1, &evObj, FALSE, WSA_INFINITE, TRUE);
    if (idx == WAIT_IO_COMPLETION)
        puts("Overlapped I/O Completed");
    else /* if error occurred! */
        ErrorHandling("WSARecv() error");

    WSACloseEvent(evObj);
    closesocket(hRecvSock);
    closesocket(hLisnSock);
    WSACleanup();
    return 0;
}

void CALLBACK CompRoutine(DWORD dwError, DWORD szRecvBytes, LPWSAOVERLAPPED lpOverlapped,
                          DWORD flags)
{
    UNREFERENCED_PARAMETER(lpOverlapped);
    UNREFERENCED_PARAMETER(flags);

    if (dwError != 0) {
        ErrorHandling("CompRoutine error");
    } else {
        recvBytes = szRecvBytes;
        buf[recvBytes] = 0;
        printf("Received message : %s\n", buf);
    }
}

void ErrorHandling(char *message)
{
    fputs(message, stderr);
    fputc('\n', stderr);
    exit(1);
}

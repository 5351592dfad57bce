/*
 * overlapped_recv.c - receiver of the Overlapped I/O example (event object based).
 *
 * From chapter 22 ("Overlapped IO model") of a well-known TCP/IP socket programming book,
 * OverlappedRecv_win.cpp as transcribed in the study note (/work/shared/seed), rewritten in C:
 * cout -> printf, `::bind`/`::listen` -> bind/listen.  Typos of the transcription fixed:
 *   - ErrorHandling was declared as `Errorhandling` but called as `ErrorHandling`;
 *   - `dataBuf.buf = msg`: there is no `msg` here, the buffer is `buf`;
 *   - `int recvBytes, flags` -> DWORD (WSARecv and WSAGetOverlappedResult take LPDWORDs);
 *   - the results of WSASocket and accept are checked, and the message is NUL-terminated
 *     before printing (the sender sends the terminator too, but TCP may deliver less).
 * Deviation from the book, for repeatable demos: SO_REUSEADDR on the listener, so that the
 * program can be run again on the same port at once (no bind() error while the previous
 * connection sits in TIME_WAIT).
 *
 * Usage: overlapped_recv <port>
 * Prints "Background data receive" if WSARecv pended, then "Received message : ...".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <winsock2.h>

#define BUF_SIZE 1024
void ErrorHandling(char *message);

int main(int argc, char *argv[])
{
    WSADATA wsaData;
    SOCKET hLisnSock, hRecvSock;
    SOCKADDR_IN lisnAdr, recvAdr;
    int recvAdrSz;
    BOOL optVal = TRUE;

    WSABUF dataBuf;
    WSAEVENT evObj;
    WSAOVERLAPPED overlapped;

    char buf[BUF_SIZE];
    DWORD recvBytes = 0, flags = 0;

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

    evObj = WSACreateEvent();
    memset(&overlapped, 0, sizeof(overlapped));
    overlapped.hEvent = evObj;
    dataBuf.len = BUF_SIZE - 1; /* room for the terminator added below */
    dataBuf.buf = buf;

    if (WSARecv(hRecvSock, &dataBuf, 1, &recvBytes, &flags, &overlapped, NULL) == SOCKET_ERROR) {
        if (WSAGetLastError() == WSA_IO_PENDING) {
            puts("Background data receive");
            WSAWaitForMultipleEvents(1, &evObj, TRUE, WSA_INFINITE, FALSE);
            if (!WSAGetOverlappedResult(hRecvSock, &overlapped, &recvBytes, FALSE, NULL))
                ErrorHandling("WSAGetOverlappedResult() error");
        } else {
            ErrorHandling("WSARecv() error");
        }
    }

    buf[recvBytes] = 0;
    printf("Received message : %s\n", buf);
    WSACloseEvent(evObj);
    closesocket(hRecvSock);
    closesocket(hLisnSock);
    WSACleanup();
    return 0;
}

void ErrorHandling(char *message)
{
    fputs(message, stderr);
    fputc('\n', stderr);
    exit(1);
}

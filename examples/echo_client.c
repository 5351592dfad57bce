/*
 * echo_client.c - line echo client, in the style of the book's Windows echo client
 * (echo_client_win.c of a well-known TCP/IP socket programming book): blocking send/recv on a
 * plain socket, and a receive loop that reads until the whole echo is back, since TCP may
 * return it in pieces.
 *
 * Usage: echo_client <IP> <port> [lines...]
 * Each line argument is sent with a newline appended; without arguments lines are read from
 * stdin until "Q" or "q" (or end of input), as in the book, with the prompt on stderr so that
 * stdout holds only the echoes.  For every line it prints "Message from server: <line>".
 * Exit status 0 when every line came back intact, 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <winsock2.h>

#define BUF_SIZE 1024
void ErrorHandling(char *message);
static int EchoLine(SOCKET hSocket, const char *message, int strLen);

int main(int argc, char *argv[])
{
    WSADATA wsaData;
    SOCKET hSocket;
    SOCKADDR_IN servAdr;
    char message[BUF_SIZE];
    int i;

    if (argc < 3) {
        printf("Usage : %s <IP> <port> [lines...]\n", argv[0]);
        exit(1);
    }

    if (WSAStartup(MAKEWORD(2, 2), &wsaData) != 0)
        ErrorHandling("WSAStartup() error!");

    hSocket = socket(PF_INET, SOCK_STREAM, 0);
    if (hSocket == INVALID_SOCKET)
        ErrorHandling("socket() error");

    memset(&servAdr, 0, sizeof(servAdr));
    servAdr.sin_family = AF_INET;
    servAdr.sin_addr.s_addr = inet_addr(argv[1]);
    servAdr.sin_port = htons(atoi(argv[2]));

    if (connect(hSocket, (SOCKADDR *)&servAdr, sizeof(servAdr)) == SOCKET_ERROR)
        ErrorHandling("connect() error!");

    if (argc > 3) {
        for (i = 3; i < argc; i++) {
            int strLen = (int)strlen(argv[i]);
            char *line = (char *)malloc(strLen + 2);
            if (line == NULL)
                ErrorHandling("malloc() error");
            memcpy(line, argv[i], strLen);
            line[strLen++] = '\n';
            line[strLen] = 0;
            if (!EchoLine(hSocket, line, strLen))
                exit(1);
            free(line);
        }
    } else {
        while (1) {
            fputs("Input message(Q to quit): ", stderr);
            if (fgets(message, BUF_SIZE, stdin) == NULL)
                break;
            if (!strcmp(message, "q\n") || !strcmp(message, "Q\n") || !strcmp(message, "q") ||
                !strcmp(message, "Q"))
                break;
            if (!EchoLine(hSocket, message, (int)strlen(message)))
                exit(1);
        }
    }

    closesocket(hSocket);
    WSACleanup();
    return 0;
}

/* Sends strLen bytes and reads until as many came back; prints them.  FALSE on failure. */
static int EchoLine(SOCKET hSocket, const char *message, int strLen)
{
    char *echo = (char *)malloc(strLen + 1);
    int sent = 0, readLen = 0, n;

    if (echo == NULL)
        ErrorHandling("malloc() error");
    while (sent < strLen) {
        n = send(hSocket, message + sent, strLen - sent, 0);
        if (n == SOCKET_ERROR) {
            fprintf(stderr, "send() error %d\n", WSAGetLastError());
            free(echo);
            return FALSE;
        }
        sent += n;
    }
    while (readLen < strLen) {
        n = recv(hSocket, echo + readLen, strLen - readLen, 0);
        if (n == SOCKET_ERROR || n == 0) {
            if (n == 0)
                fprintf(stderr, "server closed the connection after %d of %d bytes\n", readLen,
                        strLen);
            else
                fprintf(stderr, "recv() error %d\n", WSAGetLastError());
            free(echo);
            return FALSE;
        }
        readLen += n;
    }
    echo[strLen] = 0;
    if (memcmp(echo, message, strLen) != 0) {
        fprintf(stderr, "echo differs from what was sent\n");
        free(echo);
        return FALSE;
    }
    printf("Message from server: %s", echo);
    if (echo[strLen - 1] != '\n')
        putchar('\n');
    fflush(stdout);
    free(echo);
    return TRUE;
}

void ErrorHandling(char *message)
{
    fputs(message, stderr);
    fputc('\n', stderr);
    exit(1);
}

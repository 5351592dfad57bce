/*
 * SPEC E3 ("short completions are an engine detail to hide") in the request/response shape Windows
 * programs are full of: a thread posts a large overlapped WSASend (the request), then blocks in a
 * plain recv() for the reply.  The peer thread reads the whole request with plain blocking recv()
 * calls and only then replies.  No thread ever enters an ovio wait while the request is in flight,
 * so the kernel has to take the whole send by itself - on Windows it does.  An engine that needs a
 * user thread to continue short writes deadlocks here.  Repeated with a 4 KiB SO_SNDBUF, which
 * makes the request go out in many short pieces.
 */
#include "wait_helpers.h"

#define REQ (8u * 1024 * 1024)

static SOCKET c, s;

static DWORD WINAPI server(LPVOID arg)
{
    (void)arg;
    static char chunk[65536];
    unsigned long long got = 0;
    while (got < REQ) {
        size_t want = REQ - got < sizeof chunk ? (size_t)(REQ - got) : sizeof chunk;
        int n = recv(s, chunk, (int)want, 0);
        if (n <= 0)
            FAIL("server recv: %d (error %d) after %llu bytes", n, WSAGetLastError(), got);
        long long bad = pattern_check(chunk, (size_t)n, got, 5);
        if (bad >= 0)
            FAIL("request byte %llu wrong", got + (unsigned long long)bad);
        got += (unsigned long long)n;
    }
    send_all(s, "reply", 5);
    return 0;
}

static void round_trip(int small)
{
    tcp_pair(&c, &s);
    if (small)
        small_send_buffers(c, s);
    char *req = malloc(REQ);
    CHECK(req != NULL);
    pattern_fill(req, REQ, 0, 5);
    HANDLE th = CreateThread(NULL, 0, server, NULL, 0, NULL);
    CHECK(th != NULL);

    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.hEvent = WSACreateEvent();
    ISSUED_OK(post_send(c, req, REQ, &ov, NULL));
    /* plain blocking receive of the reply: the request must get out meanwhile */
    char reply[5];
    recv_all(c, reply, sizeof reply);
    CHECK(memcmp(reply, "reply", 5) == 0);

    CHECK_EQ(WaitForSingleObject(ov.hEvent, 10000), WAIT_OBJECT_0);
    DWORD n = 0, fl = 0;
    CHECK(WSAGetOverlappedResult(c, &ov, &n, FALSE, &fl));
    CHECK_EQ(n, REQ);
    CHECK_EQ(WaitForSingleObject(th, 10000), WAIT_OBJECT_0);
    CloseHandle(th);
    WSACloseEvent(ov.hEvent);
    free(req);
    closesocket(c);
    closesocket(s);
}

int main(void)
{
    test_init();
    round_trip(0);
    round_trip(1);
    WSACleanup();
    return 0;
}

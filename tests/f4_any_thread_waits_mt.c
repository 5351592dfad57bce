/*
 * SPEC F4: any thread may wait on any event, whichever thread issued the operation that sets it,
 * and a completion reaches the waiting thread without any other thread's help.
 *
 * Thread A issues a receive with an event and then blocks in a read() on a pipe - outside ovio
 * entirely.  Thread B waits on the event (WaitForSingleObject, WaitForMultipleObjects,
 * WSAWaitForMultipleEvents, WSAGetOverlappedResult(fWait TRUE), or an alertable
 * WaitForSingleObjectEx with nothing queued), then reads the result.  The main thread sends the
 * data with a plain send() and then spins on a flag without calling ovio.  So the only thread
 * inside ovio is the waiter: it must be woken all the same.
 */
#include "wait_helpers.h"

#define ROUNDS 25

static SOCKET c, s;
static WSAOVERLAPPED ov;
static char rbuf[32];
static int pipe_fd[2];
static HANDLE issued, waiting;
static atomic_long b_ltid;
static atomic_int b_done;

/* Milliseconds from the C library, so that the spinning main thread makes no ovio call at all. */
static unsigned long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1000u + (unsigned long long)ts.tv_nsec / 1000000u;
}

static DWORD WINAPI thread_a(LPVOID arg)
{
    (void)arg;
    for (int round = 0; round < ROUNDS; round++) {
        WSAEVENT e = ov.hEvent;
        memset(&ov, 0, sizeof ov);
        ov.hEvent = e;
        CHECK(WSAResetEvent(e));
        POST_RECV_PENDING(s, rbuf, sizeof rbuf, &ov, NULL);
        CHECK(SetEvent(issued));
        char token;
        if (read(pipe_fd[0], &token, 1) != 1) /* blocked outside ovio until the round is over */
            FAIL("pipe read");
    }
    return 0;
}

static DWORD WINAPI thread_b(LPVOID arg)
{
    (void)arg;
    atomic_store(&b_ltid, linux_tid());
    for (int round = 0; round < ROUNDS; round++) {
        CHECK_EQ(WaitForSingleObject(issued, 20000), WAIT_OBJECT_0);
        CHECK(SetEvent(waiting));
        HANDLE h[2] = {ov.hEvent, ov.hEvent};
        WSAEVENT we = ov.hEvent;
        DWORD n = 0, fl = 0, w;
        switch (round % 5) {
        case 0:
            w = WaitForSingleObject(ov.hEvent, INFINITE);
            CHECK_EQ(w, WAIT_OBJECT_0);
            break;
        case 1:
            w = WaitForMultipleObjects(2, h, FALSE, INFINITE);
            CHECK_EQ(w, WAIT_OBJECT_0);
            break;
        case 2:
            w = WSAWaitForMultipleEvents(1, &we, TRUE, WSA_INFINITE, FALSE);
            CHECK_EQ(w, WSA_WAIT_EVENT_0);
            break;
        case 3:
            CHECK(WSAGetOverlappedResult(s, &ov, &n, TRUE, &fl));
            break;
        default:
            w = ALERTABLE(WaitForSingleObjectEx(ov.hEvent, INFINITE, TRUE));
            CHECK_EQ(w, WAIT_OBJECT_0);
            break;
        }
        CHECK(WSAGetOverlappedResult(s, &ov, &n, FALSE, &fl));
        CHECK_EQ(n, 5);
        char want[6];
        snprintf(want, sizeof want, "r%04d", round);
        CHECK(memcmp(rbuf, want, 5) == 0);
        atomic_fetch_add(&b_done, 1);
    }
    return 0;
}

int main(void)
{
    test_init();
    tcp_pair(&c, &s);
    CHECK(pipe(pipe_fd) == 0);
    issued = CreateEvent(NULL, FALSE, FALSE, NULL);
    waiting = CreateEvent(NULL, FALSE, FALSE, NULL);
    ov.hEvent = WSACreateEvent();
    CHECK(issued && waiting && ov.hEvent);

    HANDLE hb = CreateThread(NULL, 0, thread_b, NULL, 0, NULL);
    HANDLE ha = CreateThread(NULL, 0, thread_a, NULL, 0, NULL);
    CHECK(ha && hb);
    for (int round = 0; round < ROUNDS; round++) {
        CHECK_EQ(WaitForSingleObject(waiting, 20000), WAIT_OBJECT_0);
        wait_thread_sleeping(atomic_load(&b_ltid), 2000); /* B inside its wait, if possible */
        char msg[6];
        snprintf(msg, sizeof msg, "r%04d", round);
        send_all(c, msg, 5); /* plain send: the data arrives */
        /* From here until B has its result, no thread but B is inside ovio: main spins on a
         * plain flag (with a deadline), A is blocked in read(). */
        unsigned long long end = mono_ms() + 10000;
        while (atomic_load(&b_done) != round + 1) {
            if (mono_ms() > end)
                FAIL("round %d (kind %d): the waiting thread was not woken by the completion",
                     round, round % 5);
            yield_cpu();
        }
        if (write(pipe_fd[1], "x", 1) != 1) /* let A issue the next one */
            FAIL("pipe write");
    }
    CHECK_EQ(WaitForSingleObject(ha, 20000), WAIT_OBJECT_0);
    CHECK_EQ(WaitForSingleObject(hb, 20000), WAIT_OBJECT_0);
    CloseHandle(ha);
    CloseHandle(hb);
    close(pipe_fd[0]);
    close(pipe_fd[1]);
    WSACloseEvent(ov.hEvent);
    closesocket(c);
    closesocket(s);
    WSACleanup();
    return 0;
}

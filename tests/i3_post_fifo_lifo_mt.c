/*
 * SPEC I3: PostQueuedCompletionStatus's three values come back from GetQueuedCompletionStatus
 * exactly (any byte count, key and OVERLAPPED value; the OVERLAPPED is not touched); a NULL
 * OVERLAPPED gives TRUE with NULL.  Packets leave FIFO, posted ones and I/O ones alike.  Threads
 * waiting on the port wake LIFO: the thread that started waiting last gets the next packet
 * ("I/O Completion Ports": threads blocked on a port are released last-in first-out).
 */
#include "iocp_helpers.h"

#define NTHREADS 4

static HANDLE port;

struct waiter {
    atomic_int entering;
    atomic_long tid;
    ULONG_PTR key;
    DWORD bytes;
    BOOL ok;
};

static DWORD WINAPI waiter_main(LPVOID arg)
{
    struct waiter *w = arg;
    atomic_store(&w->tid, iot_gettid());
    DWORD n = 0;
    ULONG_PTR key = 0;
    LPOVERLAPPED ov = NULL;
    atomic_store(&w->entering, 1);
    w->ok = GetQueuedCompletionStatus(port, &n, &key, &ov, INFINITE);
    w->key = key;
    w->bytes = n;
    return 0; /* one packet each: it never asks again, so it never becomes the newest again */
}

int main(void)
{
    test_init();
    port = iot_port(0);
    DWORD n;
    ULONG_PTR key;
    LPOVERLAPPED ov;

    /* The three values, exactly. */
    CHECK(PostQueuedCompletionStatus(port, 0, 0, NULL));
    n = 0xdeadbeef;
    key = 0xdeadbeef;
    ov = (LPOVERLAPPED)(uintptr_t)0xdeadbeef;
    CHECK(GetQueuedCompletionStatus(port, &n, &key, &ov, DUE_MS));
    CHECK(ov == NULL);
    CHECK_EQ(n, 0);
    CHECK_EQ(key, 0);

    OVERLAPPED mine;
    memset(&mine, 0, sizeof mine);
    mine.Internal = 0x1234;
    mine.InternalHigh = 0x5678;
    CHECK(PostQueuedCompletionStatus(port, 0xFFFFFFFFu, ~(ULONG_PTR)0, &mine));
    CHECK(PostQueuedCompletionStatus(port, 42, (ULONG_PTR)0x8000000000000001ull,
                                     (LPOVERLAPPED)(uintptr_t)0x12345679));
    EXPECT_PACKET(port, &mine, ~(ULONG_PTR)0, 0xFFFFFFFFu, 0);
    CHECK_EQ(mine.Internal, 0x1234); /* the OVERLAPPED is the program's: not written */
    CHECK_EQ(mine.InternalHigh, 0x5678);
    EXPECT_PACKET(port, 0x12345679, 0x8000000000000001ull, 42, 0);
    EXPECT_NO_PACKET(port, 0);

    /* FIFO: many posted packets. */
    enum { MANY = 1000 };
    for (DWORD i = 0; i < MANY; i++)
        CHECK(PostQueuedCompletionStatus(port, i, 1000 + i, (LPOVERLAPPED)(uintptr_t)(8 * i + 8)));
    for (DWORD i = 0; i < MANY; i++)
        EXPECT_PACKET(port, 8 * i + 8, 1000 + i, i, 0);
    EXPECT_NO_PACKET(port, 0);

    /* FIFO across posted and I/O packets: post, an I/O completion, post. */
    SOCKET c, s;
    tcp_pair(&c, &s);
    iot_bind(s, port, 0x10);
    WSAEVENT ev = ovt_event();
    WSAOVERLAPPED rov;
    ovt_ov(&rov, ev);
    char buf[8];
    iot_recv_pending(s, buf, sizeof buf, &rov);
    CHECK(PostQueuedCompletionStatus(port, 1, 0x1, NULL));
    send_all(c, "io", 2);
    WAIT_SET(ev); /* the receive completed (its packet is queued with its event set) */
    CHECK(PostQueuedCompletionStatus(port, 3, 0x3, NULL));
    EXPECT_PACKET(port, NULL, 0x1, 1, 0);
    EXPECT_PACKET(port, &rov, 0x10, 2, 0);
    EXPECT_PACKET(port, NULL, 0x3, 3, 0);
    EXPECT_NO_PACKET(port, 0);

    /* LIFO: threads start waiting one after the other; each packet goes to the newest waiter. */
    static struct waiter w[NTHREADS];
    HANDLE th[NTHREADS];
    for (int i = 0; i < NTHREADS; i++) {
        th[i] = CreateThread(NULL, 0, waiter_main, &w[i], 0, NULL);
        CHECK(th[i] != NULL);
        while (!atomic_load(&w[i].tid))
            sched_yield();
        iot_wait_asleep(atomic_load(&w[i].tid), &w[i].entering);
    }
    int alive[NTHREADS], nalive = NTHREADS; /* waiting threads, oldest first */
    for (int i = 0; i < NTHREADS; i++)
        alive[i] = i;
    for (int k = 0; k < NTHREADS; k++) {
        HANDLE left[NTHREADS];
        for (int j = 0; j < nalive; j++)
            left[j] = th[alive[j]];
        CHECK(PostQueuedCompletionStatus(port, (DWORD)k, 0x100 + (ULONG_PTR)k, NULL));
        DWORD r = WaitForMultipleObjects((DWORD)nalive, left, FALSE, DUE_MS);
        if (r >= WAIT_OBJECT_0 + (DWORD)nalive)
            FAIL("packet %d: no waiting thread took it (wait %lu)", k, (unsigned long)r);
        int pos = (int)(r - WAIT_OBJECT_0), got = alive[pos], expect = alive[nalive - 1];
        if (got != expect)
            FAIL("packet %d went to the thread that started waiting %d-th, wanted the newest "
                 "waiter (%d-th): waiters must wake LIFO",
                 k, got + 1, expect + 1);
        CHECK(w[got].ok);
        CHECK_EQ(w[got].key, 0x100 + k);
        CHECK_EQ(w[got].bytes, k);
        for (int j = pos; j + 1 < nalive; j++)
            alive[j] = alive[j + 1];
        nalive--;
    }
    for (int i = 0; i < NTHREADS; i++) {
        CHECK_EQ(WaitForSingleObject(th[i], DUE_MS), WAIT_OBJECT_0);
        CloseHandle(th[i]);
    }

    closesocket(c);
    closesocket(s);
    WSACloseEvent(ev);
    CHECK(CloseHandle(port));
    WSACleanup();
    return 0;
}

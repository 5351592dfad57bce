/*
 * SPEC G4: WSAGetLastError and GetLastError read one per-thread value; WSASetLastError and
 * SetLastError write it.  The overlapped calls' codes (WSA_IO_PENDING, WSA_IO_INCOMPLETE,
 * WSAENOTCONN, 0 on immediate success) are visible through both, and one thread's value never
 * leaks into another's.
 */
#include "ov_helpers.h"

#include <stdatomic.h>

/* Hand-over between the threads through a C11 atomic, so that nothing of ovio's (which might
 * touch the last error) runs between the steps that are checked. */
static atomic_int stage;
static volatile LONG other_initial = -1, other_after = -1;

static void spin_until(int want)
{
    uint64_t deadline = ovt_now_ms() + DUE_MS;
    while (atomic_load(&stage) != want)
        if (ovt_now_ms() > deadline)
            FAIL("thread hand-over timed out waiting for stage %d", want);
}

static DWORD WINAPI other_thread(LPVOID arg)
{
    SOCKET u = (SOCKET)(uintptr_t)arg;
    spin_until(1);
    /* A new thread starts with 0, whatever the other thread holds. */
    other_initial = (LONG)GetLastError();
    /* Its own failing call sets its own value. */
    char b[4];
    WSABUF wb;
    wb.len = sizeof b;
    wb.buf = b;
    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    DWORD n, flags = 0;
    int r = WSARecv(u, &wb, 1, &n, &flags, &ov, NULL);
    (void)r;
    atomic_store(&stage, 2);
    spin_until(3);
    other_after = (LONG)GetLastError();
    return 0;
}

int main(void)
{
    test_init();

    /* One value, two names. */
    WSASetLastError(1234);
    CHECK_EQ(GetLastError(), 1234);
    CHECK_EQ(WSAGetLastError(), 1234);
    SetLastError(4321);
    CHECK_EQ(WSAGetLastError(), 4321);
    CHECK_EQ(GetLastError(), 4321);
    WSASetLastError(0);
    CHECK_EQ(GetLastError(), 0);

    SOCKET c, s;
    tcp_pair(&c, &s);
    WSAEVENT ev = ovt_event();
    WSAOVERLAPPED ov;
    ovt_ov(&ov, ev);
    char in[16];
    WSABUF wb;
    wb.len = sizeof in;
    wb.buf = in;
    DWORD n, flags = 0;

    /* Pending: 997 through both. */
    CHECK_EQ(WSARecv(s, &wb, 1, &n, &flags, &ov, NULL), SOCKET_ERROR);
    CHECK_EQ(GetLastError(), ERROR_IO_PENDING);
    CHECK_EQ(WSAGetLastError(), WSA_IO_PENDING);
    /* Incomplete: 996 through both. */
    CHECK(!WSAGetOverlappedResult(s, &ov, &n, FALSE, &flags));
    CHECK_EQ(GetLastError(), ERROR_IO_INCOMPLETE);
    CHECK_EQ(WSAGetLastError(), WSA_IO_INCOMPLETE);
    send_all(c, "hi", 2);
    WAIT_SET(ev);
    ovt_result_ok(s, &ov, 2);

    /* Immediate success: 0 through both (SPEC A1), after SetLastError put junk there. */
    SetLastError(777);
    WSAOVERLAPPED sov;
    ovt_ov(&sov, ev);
    wb.len = 2;
    CHECK_EQ(WSASend(c, &wb, 1, &n, 0, &sov, NULL), 0);
    CHECK_EQ(GetLastError(), 0);
    CHECK_EQ(WSAGetLastError(), 0);
    recv_all(s, in, 2);

    /* Immediate failure: the Winsock code through GetLastError too. */
    SOCKET u = WSASocket(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_OVERLAPPED);
    CHECK(u != INVALID_SOCKET);
    WSAOVERLAPPED uov;
    memset(&uov, 0, sizeof uov);
    CHECK_EQ(WSASend(u, &wb, 1, &n, 0, &uov, NULL), SOCKET_ERROR);
    CHECK_EQ(GetLastError(), WSAENOTCONN);
    closesocket(u);

    /* Per thread: each thread has its own value. */
    u = WSASocket(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_OVERLAPPED);
    CHECK(u != INVALID_SOCKET);
    HANDLE t = ovt_thread(other_thread, (void *)(uintptr_t)u);
    WSASetLastError(5555);
    atomic_store(&stage, 1);
    spin_until(2); /* the other thread has failed with WSAENOTCONN */
    CHECK_EQ(WSAGetLastError(), 5555);
    CHECK_EQ(GetLastError(), 5555);
    WSASetLastError(6666);
    atomic_store(&stage, 3);
    ovt_join(t);
    CHECK_EQ(other_initial, 0);
    CHECK_EQ(other_after, WSAENOTCONN); /* our WSASetLastError(6666) did not reach it */
    closesocket(u);

    WSACloseEvent(ev);
    closesocket(c);
    closesocket(s);
    WSACleanup();
    return 0;
}

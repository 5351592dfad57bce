/*
 * SPEC I4: GetQueuedCompletionStatusEx removes up to ulCount packets (FIFO), returns TRUE when it
 * removed at least one - even when the I/O behind an entry failed (the entry's Internal holds the
 * NT status) - and FALSE with WAIT_TIMEOUT when there was none.  With fAlertable TRUE, an empty
 * port and a queued routine or APC, it runs them (in this thread, inside the call) and returns
 * FALSE with WAIT_IO_COMPLETION; with fAlertable FALSE it leaves them queued.
 */
#include "iocp_helpers.h"

static int apc_calls;
static DWORD apc_tid;
static int in_alertable_call;

static void CALLBACK apc_fn(ULONG_PTR arg)
{
    if (!in_alertable_call)
        FAIL("APC ran outside the alertable GetQueuedCompletionStatusEx");
    if (GetCurrentThreadId() != apc_tid)
        FAIL("APC ran in another thread");
    apc_calls += (int)arg;
}

static int routine_calls;
static DWORD routine_bytes;

static void CALLBACK routine_fn(DWORD err, DWORD bytes, LPWSAOVERLAPPED ov, DWORD flags)
{
    (void)ov;
    (void)flags;
    if (!in_alertable_call)
        FAIL("completion routine ran outside the alertable GetQueuedCompletionStatusEx");
    CHECK_EQ(err, 0);
    routine_bytes = bytes;
    routine_calls++;
}

static void fill(OVERLAPPED_ENTRY *e, int n)
{
    memset(e, 0xA5, (size_t)n * sizeof *e);
}

static int untouched(const OVERLAPPED_ENTRY *e)
{
    const unsigned char *p = (const unsigned char *)e;
    for (size_t i = 0; i < sizeof *e; i++)
        if (p[i] != 0xA5)
            return 0;
    return 1;
}

static void expect_timeout_ex(HANDLE port, DWORD ms, BOOL alertable)
{
    OVERLAPPED_ENTRY e[4];
    fill(e, 4);
    ULONG removed = 0xdeadbeef;
    SetLastError(0);
    in_alertable_call = alertable;
    BOOL ok = GetQueuedCompletionStatusEx(port, e, 4, &removed, ms, alertable);
    in_alertable_call = 0;
    CHECK(!ok);
    CHECK_EQ(GetLastError(), WAIT_TIMEOUT);
    CHECK(untouched(&e[0]));
}

int main(void)
{
    test_init();
    apc_tid = GetCurrentThreadId();
    HANDLE port = iot_port(0);
    OVERLAPPED_ENTRY e[8];
    ULONG removed;

    /* Nothing queued: FALSE, WAIT_TIMEOUT (0 ms and a bounded wait). */
    expect_timeout_ex(port, 0, FALSE);
    expect_timeout_ex(port, 50, FALSE);

    /* Up to ulCount, FIFO, the values exactly; entries past the count untouched. */
    for (DWORD i = 0; i < 5; i++)
        CHECK(PostQueuedCompletionStatus(port, 10 * i, 0x40 + i,
                                         (LPOVERLAPPED)(uintptr_t)(16 + 16 * i)));
    fill(e, 8);
    removed = 0xdeadbeef;
    CHECK(GetQueuedCompletionStatusEx(port, e, 3, &removed, DUE_MS, FALSE));
    CHECK_EQ(removed, 3);
    for (ULONG i = 0; i < 3; i++) {
        CHECK_EQ(e[i].dwNumberOfBytesTransferred, 10 * i);
        CHECK_EQ(e[i].lpCompletionKey, 0x40 + i);
        CHECK(e[i].lpOverlapped == (LPOVERLAPPED)(uintptr_t)(16 + 16 * i));
        CHECK_EQ(e[i].Internal, 0); /* STATUS_SUCCESS: posted packets */
    }
    CHECK(untouched(&e[3]));
    fill(e, 8);
    removed = 0xdeadbeef;
    CHECK(GetQueuedCompletionStatusEx(port, e, 8, &removed, 0, FALSE));
    CHECK_EQ(removed, 2);
    CHECK_EQ(e[0].lpCompletionKey, 0x43);
    CHECK_EQ(e[1].lpCompletionKey, 0x44);
    CHECK_EQ(e[1].dwNumberOfBytesTransferred, 40);
    CHECK(untouched(&e[2]));
    expect_timeout_ex(port, 0, FALSE);

    /* I/O packets: a success and a failure in one call, TRUE; the failure's status in Internal. */
    SOCKET c, s, c2, s2;
    tcp_pair(&c, &s);
    tcp_pair(&c2, &s2);
    iot_bind(s, port, 0x51);
    iot_bind(s2, port, 0x52);
    WSAEVENT ev1 = ovt_event(), ev2 = ovt_event();
    WSAOVERLAPPED ov1, ov2;
    char b1[16], b2[16];
    ovt_ov(&ov1, ev1);
    ovt_ov(&ov2, ev2);
    iot_recv_pending(s, b1, sizeof b1, &ov1);
    iot_recv_pending(s2, b2, sizeof b2, &ov2);
    send_all(c, "hello", 5);
    WAIT_SET(ev1);
    ovt_close_with_rst(c2);
    WAIT_SET(ev2);
    fill(e, 8);
    removed = 0;
    CHECK(GetQueuedCompletionStatusEx(port, e, 8, &removed, DUE_MS, FALSE));
    CHECK_EQ(removed, 2);
    CHECK(e[0].lpOverlapped == (LPOVERLAPPED)&ov1);
    CHECK_EQ(e[0].lpCompletionKey, 0x51);
    CHECK_EQ(e[0].dwNumberOfBytesTransferred, 5);
    CHECK_EQ(e[0].Internal, 0);
    CHECK(e[1].lpOverlapped == (LPOVERLAPPED)&ov2);
    CHECK_EQ(e[1].lpCompletionKey, 0x52);
    CHECK_EQ(e[1].dwNumberOfBytesTransferred, 0);
    CHECK_EQ(e[1].Internal, 0xC000020D); /* STATUS_CONNECTION_RESET */
    CHECK_EQ(ov2.Internal, 0xC000020D);
    CHECK(untouched(&e[2]));

    /* A single failed packet alone still makes the call TRUE. */
    ResetEvent(ev1);
    ovt_ov(&ov1, ev1);
    iot_recv_pending(s, b1, sizeof b1, &ov1);
    CHECK(CancelIoEx((HANDLE)s, (LPOVERLAPPED)&ov1));
    removed = 0;
    CHECK(GetQueuedCompletionStatusEx(port, e, 8, &removed, DUE_MS, FALSE));
    CHECK_EQ(removed, 1);
    CHECK(e[0].lpOverlapped == (LPOVERLAPPED)&ov1);
    CHECK_EQ(e[0].Internal, 0xC0000120); /* STATUS_CANCELLED */
    expect_timeout_ex(port, 0, FALSE);

    /* Alertable: a queued APC.  Not run by a non-alertable call... */
    CHECK(QueueUserAPC(apc_fn, GetCurrentThread(), 1));
    expect_timeout_ex(port, 50, FALSE);
    CHECK_EQ(apc_calls, 0);
    /* ... run by an alertable one on the empty port: FALSE, WAIT_IO_COMPLETION. */
    removed = 0xdeadbeef;
    SetLastError(0);
    in_alertable_call = 1;
    BOOL ok = GetQueuedCompletionStatusEx(port, e, 8, &removed, DUE_MS, TRUE);
    in_alertable_call = 0;
    CHECK(!ok);
    CHECK_EQ(GetLastError(), WAIT_IO_COMPLETION);
    CHECK_EQ(apc_calls, 1);
    /* Nothing left to run: an alertable wait on the empty port times out. */
    expect_timeout_ex(port, 50, TRUE);

    /* Alertable: a completion routine (an operation on a socket not bound to the port). */
    SOCKET c3, s3;
    tcp_pair(&c3, &s3);
    WSAOVERLAPPED rov;
    ovt_ov(&rov, NULL);
    char b3[8];
    WSABUF wb;
    wb.len = sizeof b3;
    wb.buf = b3;
    DWORD fl = 0;
    int r = WSARecv(s3, &wb, 1, NULL, &fl, &rov, routine_fn);
    CHECK(r == 0 || (r == SOCKET_ERROR && WSAGetLastError() == WSA_IO_PENDING));
    send_all(c3, "rtn", 3);
    /* wait, not alertably, until the receive is done (the routine is then queued) */
    DWORD got = 0;
    CHECK(WSAGetOverlappedResult(s3, &rov, &got, TRUE, &fl));
    CHECK_EQ(got, 3);
    CHECK_EQ(routine_calls, 0);
    SetLastError(0);
    in_alertable_call = 1;
    ok = GetQueuedCompletionStatusEx(port, e, 8, &removed, DUE_MS, TRUE);
    in_alertable_call = 0;
    CHECK(!ok);
    CHECK_EQ(GetLastError(), WAIT_IO_COMPLETION);
    CHECK_EQ(routine_calls, 1);
    CHECK_EQ(routine_bytes, 3);

    closesocket(c3);
    closesocket(s3);
    closesocket(c);
    closesocket(s);
    closesocket(s2);
    WSACloseEvent(ev1);
    WSACloseEvent(ev2);
    CHECK(CloseHandle(port));
    WSACleanup();
    return 0;
}

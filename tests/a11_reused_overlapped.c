/*
 * SPEC A11: several operations in flight on one socket each have their own OVERLAPPED and each
 * completes into its own.  Reusing an OVERLAPPED that is still pending (the seed's quiz 3) is
 * detected: the new call fails with WSAEINVAL, does nothing (no data moved, nothing notified), and
 * the pending operation is left intact - it completes once, into its own buffer.
 */
#include "ov_helpers.h"

static int calls;
static LPWSAOVERLAPPED seen_ov;
static DWORD seen_bytes;

static void CALLBACK routine(DWORD err, DWORD bytes, LPWSAOVERLAPPED ov, DWORD flags)
{
    (void)flags;
    CHECK_EQ(err, 0);
    seen_ov = ov;
    seen_bytes = bytes;
    calls++;
}

/* Two operations in flight, each with its own OVERLAPPED. */
static void two_in_flight(SOCKET c, SOCKET s)
{
    WSAEVENT e1 = ovt_event(), e2 = ovt_event();
    WSAOVERLAPPED o1, o2;
    ovt_ov(&o1, e1);
    ovt_ov(&o2, e2);
    char b1[16], b2[16];
    ovt_recv_pending(s, b1, sizeof b1, &o1, NULL);
    ovt_recv_pending(s, b2, sizeof b2, &o2, NULL);
    send_all(c, "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBB", 32);
    WAIT_SET(e1);
    WAIT_SET(e2);
    ovt_result_ok(s, &o1, 16);
    ovt_result_ok(s, &o2, 16);
    CHECK_EQ(o1.InternalHigh, 16);
    CHECK_EQ(o2.InternalHigh, 16);
    CHECK(memcmp(b1, "AAAAAAAAAAAAAAAA", 16) == 0);
    CHECK(memcmp(b2, "BBBBBBBBBBBBBBBB", 16) == 0);
    WSACloseEvent(e1);
    WSACloseEvent(e2);
}

static void reuse_with_event(SOCKET c, SOCKET s)
{
    WSAEVENT ev = ovt_event();
    WSAOVERLAPPED ov;
    ovt_ov(&ov, ev);
    char b1[16], b2[16];
    memset(b1, 0, sizeof b1);
    memset(b2, 'z', sizeof b2);
    ovt_recv_pending(s, b1, sizeof b1, &ov, NULL);

    /* A second receive on the same, still pending OVERLAPPED. */
    WSABUF wb;
    wb.len = sizeof b2;
    wb.buf = b2;
    DWORD n = 0xdeadbeef, flags = 0;
    CHECK_ERR(WSARecv(s, &wb, 1, &n, &flags, &ov, NULL), SOCKET_ERROR, WSAEINVAL);
    CHECK_EQ(ov.Internal, STATUS_PENDING);
    CHECK(ov.hEvent == ev);
    /* A send on it: refused too, and nothing is sent (checked below). */
    wb.len = 5;
    wb.buf = (char *)"GHOST";
    CHECK_ERR(WSASend(s, &wb, 1, &n, 0, &ov, NULL), SOCKET_ERROR, WSAEINVAL);
    CHECK_EQ(ov.Internal, STATUS_PENDING);
    /* The failed calls notified nothing and the first is still pending (bounded wait that must
     * time out). */
    CHECK_STAYS_UNSET(ev);
    DWORD got;
    CHECK(!WSAGetOverlappedResult(s, &ov, &got, FALSE, &flags));
    CHECK_EQ(WSAGetLastError(), WSA_IO_INCOMPLETE);

    /* The first completes into its own buffer; b2 is untouched. */
    send_all(c, "hello", 5);
    WAIT_SET(ev);
    ovt_result_ok(s, &ov, 5);
    CHECK(memcmp(b1, "hello", 5) == 0);
    for (size_t i = 0; i < sizeof b2; i++)
        CHECK_EQ(b2[i], 'z');

    /* No second operation is hiding: the next data goes to a new receive. */
    send_all(c, "world", 5);
    ovt_wait_queued(s, 5);
    char b3[16];
    recv_all(s, b3, 5);
    CHECK(memcmp(b3, "world", 5) == 0);
    /* And "GHOST" never went out: the peer's next bytes are the marker. */
    send_all(s, "M", 1);
    recv_all(c, b3, 1);
    CHECK_EQ(b3[0], 'M');

    /* Once complete, the OVERLAPPED can be used again. */
    CHECK(WSAResetEvent(ev));
    ovt_ov(&ov, ev);
    ovt_recv_pending(s, b1, sizeof b1, &ov, NULL);
    send_all(c, "again", 5);
    WAIT_SET(ev);
    ovt_result_ok(s, &ov, 5);
    CHECK(memcmp(b1, "again", 5) == 0);
    WSACloseEvent(ev);
}

static void reuse_with_routine(SOCKET c, SOCKET s)
{
    WSAOVERLAPPED ov;
    ovt_ov(&ov, NULL);
    char b1[16], b2[16];
    memset(b2, 'z', sizeof b2);
    ovt_recv_pending(s, b1, sizeof b1, &ov, routine);
    WSABUF wb;
    wb.len = sizeof b2;
    wb.buf = b2;
    DWORD n, flags = 0;
    CHECK_ERR(WSARecv(s, &wb, 1, &n, &flags, &ov, routine), SOCKET_ERROR, WSAEINVAL);
    CHECK_EQ(ov.Internal, STATUS_PENDING);
    /* No routine for the refused call (bounded alertable wait that must time out). */
    CHECK_EQ(SleepEx(QUIET_MS, TRUE), 0);
    CHECK_EQ(calls, 0);

    send_all(c, "routine", 7);
    CHECK_EQ(SleepEx(DUE_MS, TRUE), WAIT_IO_COMPLETION);
    CHECK_EQ(calls, 1);
    CHECK(seen_ov == &ov);
    CHECK_EQ(seen_bytes, 7);
    CHECK(memcmp(b1, "routine", 7) == 0);
    for (size_t i = 0; i < sizeof b2; i++)
        CHECK_EQ(b2[i], 'z');
    /* Exactly one routine (bounded alertable wait that must time out). */
    CHECK_EQ(SleepEx(QUIET_MS, TRUE), 0);
    CHECK_EQ(calls, 1);
}

int main(void)
{
    test_init();
    SOCKET c, s;
    tcp_pair(&c, &s);
    two_in_flight(c, s);
    reuse_with_event(c, s);
    reuse_with_routine(c, s);
    closesocket(c);
    closesocket(s);
    WSACleanup();
    return 0;
}

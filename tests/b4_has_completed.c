/*
 * SPEC B4: HasOverlappedIoCompleted(ov) is "Internal != STATUS_PENDING" and must become true
 * without the program calling anything else (ovio makes it a function that may drive the engine).
 *
 * The peer is a plain Linux socket driven with glibc's send() directly (ov_helpers.h), so between
 * issuing the receive and seeing it complete the test calls nothing of ovio's except
 * HasOverlappedIoCompleted itself - no wait, no other socket call, no other thread.  The loop is
 * bounded (DUE_MS) by the C library's clock.
 */
#include "ov_helpers.h"

/* Spin on HasOverlappedIoCompleted only; FALSE if it did not become true within DUE_MS. */
static BOOL spin_until_completed(WSAOVERLAPPED *ov)
{
    uint64_t deadline = ovt_now_ms() + DUE_MS;
    unsigned long spins = 0;
    while (!HasOverlappedIoCompleted(ov)) {
        if ((++spins & 1023) == 0 && ovt_now_ms() > deadline)
            return FALSE;
    }
    return TRUE;
}

int main(void)
{
    test_init();

    /* The definition, on OVERLAPPEDs that never went to the library. */
    WSAOVERLAPPED idle;
    memset(&idle, 0, sizeof idle);
    CHECK(HasOverlappedIoCompleted(&idle));
    idle.Internal = STATUS_PENDING;
    CHECK(!HasOverlappedIoCompleted(&idle));
    idle.Internal = 0xC000020D;
    CHECK(HasOverlappedIoCompleted(&idle));

    int raw;
    SOCKET s;
    ovt_raw_pair(&raw, &s);

    for (int with_event = 0; with_event <= 1; with_event++) {
        WSAEVENT ev = with_event ? ovt_event() : NULL;
        WSAOVERLAPPED ov;
        ovt_ov(&ov, ev);
        char in[32];
        memset(in, 0, sizeof in);
        ovt_recv_pending(s, in, sizeof in, &ov, NULL);
        CHECK(!HasOverlappedIoCompleted(&ov));

        ovt_sys_send_all(raw, "polled", 6);
        if (!spin_until_completed(&ov))
            FAIL("HasOverlappedIoCompleted stayed FALSE for %d ms after the data arrived "
                 "(hEvent %s)",
                 DUE_MS, with_event ? "set" : "NULL");
        /* Once it says so, the result and the data are there. */
        CHECK_EQ(ov.Internal, 0);
        CHECK_EQ(ov.InternalHigh, 6);
        CHECK(memcmp(in, "polled", 6) == 0);
        if (ev) {
            CHECK_SET(ev);
            WSACloseEvent(ev);
        }
        DWORD n = 0, flags = 0;
        CHECK(WSAGetOverlappedResult(s, &ov, &n, FALSE, &flags));
        CHECK_EQ(n, 6);
    }

    /* A pending operation that fails is completed too (the peer resets). */
    WSAOVERLAPPED ov;
    ovt_ov(&ov, NULL);
    char in[8];
    ovt_recv_pending(s, in, sizeof in, &ov, NULL);
    CHECK(!HasOverlappedIoCompleted(&ov));
    CHECK(ovt_sys_close(raw) == 0); /* nothing unread on raw: a FIN, not a reset */
    if (!spin_until_completed(&ov))
        FAIL("HasOverlappedIoCompleted stayed FALSE after the peer closed");
    CHECK_EQ(ov.Internal, 0);     /* graceful close: success... */
    CHECK_EQ(ov.InternalHigh, 0); /* ...with 0 bytes (SPEC E4) */

    closesocket(s);
    WSACleanup();
    return 0;
}

/*
 * SPEC D2 (completion-port form) with SPEC I4: GetQueuedCompletionStatusEx(..., fAlertable TRUE)
 * is an alertable wait: with an empty port and a queued routine it runs the routine and returns
 * FALSE with WAIT_IO_COMPLETION.  GetQueuedCompletionStatus and GetQueuedCompletionStatusEx with
 * fAlertable FALSE are not alertable: they time out and leave the routine queued.
 * Needs completion ports.
 */
#include "wait_helpers.h"

int main(void)
{
    test_init();
    SOCKET c, s;
    tcp_pair(&c, &s); /* not associated with the port: routines are allowed (SPEC D6) */
    HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1);
    CHECK(port != NULL);

    static io_rec r;
    static char buf[8];
    io_rec_init(&r, 1);
    POST_RECV_PENDING(s, buf, sizeof buf, &r.ov, rec_routine);
    send_all(c, "q", 1);
    WAIT_DONE(s, &r.ov);

    /* Non-alertable port waits: bounded, must time out without running the routine. */
    DWORD n;
    ULONG_PTR key;
    LPOVERLAPPED ov;
    CHECK(!GetQueuedCompletionStatus(port, &n, &key, &ov, 30));
    CHECK_EQ(GetLastError(), WAIT_TIMEOUT);
    OVERLAPPED_ENTRY ent[4];
    ULONG removed = 99;
    CHECK(!GetQueuedCompletionStatusEx(port, ent, 4, &removed, 30, FALSE));
    CHECK_EQ(GetLastError(), WAIT_TIMEOUT);
    CHECK_EQ(rec_calls(&r), 0);

    /* Alertable: runs it, FALSE, WAIT_IO_COMPLETION. */
    BOOL ok = (BOOL)ALERTABLE(GetQueuedCompletionStatusEx(port, ent, 4, &removed, 5000, TRUE));
    CHECK(!ok);
    CHECK_EQ(GetLastError(), WAIT_IO_COMPLETION);
    CHECK_EQ(rec_calls(&r), 1);
    CHECK_EQ(r.bytes, 1);

    /* Nothing queued any more: times out (bounded, alertable). */
    ok = (BOOL)ALERTABLE(GetQueuedCompletionStatusEx(port, ent, 4, &removed, 30, TRUE));
    CHECK(!ok);
    CHECK_EQ(GetLastError(), WAIT_TIMEOUT);

    closesocket(c);
    closesocket(s);
    CloseHandle(port);
    WSACleanup();
    return 0;
}

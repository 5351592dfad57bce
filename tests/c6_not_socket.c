/*
 * SPEC C6 (and G2 for this call): WSAGetOverlappedResult with a handle that is not a socket -
 * INVALID_SOCKET, or a handle of another kind (an event) - fails with WSAENOTSOCK, whatever the
 * OVERLAPPED holds (completed, pending), and touches neither the OVERLAPPED nor *lpcbTransfer.
 */
#include "ov_helpers.h"

static void expect_notsock(SOCKET bogus, WSAOVERLAPPED *ov, BOOL wait, const char *what)
{
    ULONG_PTR internal = ov->Internal, high = ov->InternalHigh;
    DWORD n = 0xdeadbeef, flags = 0xdeadbeef;
    WSASetLastError(0);
    BOOL ok = WSAGetOverlappedResult(bogus, ov, &n, wait, &flags);
    if (ok || WSAGetLastError() != WSAENOTSOCK)
        FAIL("%s: returned %d, error %d; wanted FALSE, WSAENOTSOCK", what, ok, WSAGetLastError());
    CHECK_EQ(n, 0xdeadbeef);
    CHECK_EQ(ov->Internal, internal);
    CHECK_EQ(ov->InternalHigh, high);
}

int main(void)
{
    test_init();
    SOCKET c, s;
    tcp_pair(&c, &s);
    WSAEVENT ev = ovt_event();
    SOCKET event_as_socket = (SOCKET)(uintptr_t)ev;

    /* A completed operation. */
    WSAOVERLAPPED ov;
    ovt_ov(&ov, ev);
    ovt_send_now(c, "done", 4, &ov, NULL);
    expect_notsock(INVALID_SOCKET, &ov, FALSE, "INVALID_SOCKET, completed");
    expect_notsock(INVALID_SOCKET, &ov, TRUE, "INVALID_SOCKET, completed, fWait");
    expect_notsock(event_as_socket, &ov, FALSE, "an event handle, completed");
    /* The right socket still works. */
    ovt_result_ok(c, &ov, 4);

    /* A pending operation: WSAENOTSOCK, not WSA_IO_INCOMPLETE (and no waiting). */
    WSAOVERLAPPED pov;
    WSAEVENT pev = ovt_event();
    ovt_ov(&pov, pev);
    char in[16];
    ovt_recv_pending(c, in, sizeof in, &pov, NULL);
    expect_notsock(INVALID_SOCKET, &pov, FALSE, "INVALID_SOCKET, pending");
    expect_notsock(event_as_socket, &pov, FALSE, "an event handle, pending");
    expect_notsock(event_as_socket, &pov, TRUE, "an event handle, pending, fWait");
    send_all(s, "four", 4);
    WAIT_SET(pev);
    ovt_result_ok(c, &pov, 4);

    WSACloseEvent(ev);
    WSACloseEvent(pev);
    closesocket(c);
    closesocket(s);
    WSACleanup();
    return 0;
}

/*
 * Found by fuzz/fuzz_winsock.c (make fuzz).  SPEC A3/B2: a call that fails at once is not an
 * operation in flight, so it must not leave its OVERLAPPED marked STATUS_PENDING.  ovio marks the
 * record pending before the first attempt and, when that attempt fails outright (the kernel
 * refuses a send: no destination on an unconnected UDP socket, a datagram too large), returned
 * the error but left Internal == 0x103: HasOverlappedIoCompleted stays FALSE for ever and
 * WSAGetOverlappedResult says WSA_IO_INCOMPLETE for ever, for an operation that does not exist.
 * Fuzzer input: 3e 11 5c 00 3e 26 (WSASend of 64 KiB on an unconnected UDP socket).
 */
#include "helpers.h"

static void check_not_pending(const char *what, WSAOVERLAPPED *ov, WSAEVENT ev)
{
    if (ov->Internal == STATUS_PENDING)
        FAIL("%s failed at once but left Internal == STATUS_PENDING (SPEC A3/B2)", what);
    CHECK(HasOverlappedIoCompleted(ov));
    DWORD n = 0, fl = 0;
    BOOL ok = WSAGetOverlappedResult(INVALID_SOCKET, ov, &n, FALSE, &fl);
    (void)ok;
    /* no notification either (SPEC A3) */
    CHECK_EQ(WaitForSingleObject(ev, 20), WAIT_TIMEOUT);
}

int main(void)
{
    test_init();
    SOCKET a, b;
    SOCKADDR_IN baddr;
    udp_pair(&a, &b, &baddr);
    WSAEVENT ev = WSACreateEvent();
    static char big[70000];
    WSABUF w = {1, big};
    WSAOVERLAPPED ov;

    /* 1. WSASend on an unconnected UDP socket: no destination */
    memset(&ov, 0, sizeof ov);
    ov.hEvent = ev;
    int rc = WSASend(a, &w, 1, NULL, 0, &ov, NULL);
    int err = WSAGetLastError();
    printf("WSASend on an unconnected UDP socket: %d, error %d, Internal %#lx\n", rc, err,
           (unsigned long)ov.Internal);
    CHECK(rc == SOCKET_ERROR && err != WSA_IO_PENDING);
    check_not_pending("WSASend", &ov, ev);

    /* 2. WSASendTo of a datagram larger than UDP allows */
    memset(&ov, 0, sizeof ov);
    ov.hEvent = ev;
    w.len = sizeof big;
    rc = WSASendTo(a, &w, 1, NULL, 0, (SOCKADDR *)&baddr, sizeof baddr, &ov, NULL);
    err = WSAGetLastError();
    printf("WSASendTo of %lu bytes: %d, error %d, Internal %#lx\n", (unsigned long)w.len, rc, err,
           (unsigned long)ov.Internal);
    CHECK(rc == SOCKET_ERROR && err != WSA_IO_PENDING);
    check_not_pending("WSASendTo", &ov, ev);

    WSACloseEvent(ev);
    closesocket(a);
    closesocket(b);
    WSACleanup();
    return 0;
}

/*
 * SPEC C4 with another thread around: WSAGetOverlappedResult only reads the OVERLAPPED (and with
 * fWait TRUE waits on hEvent), so it works on a socket that was just closed under a pending
 * receive even when the closing thread is not the one driving the library - here a second thread
 * sits in a plain wait the whole time.  The result must be the aborted receive (SPEC E6:
 * WSAECONNABORTED), never WSAENOTSOCK for the closed handle while the abort is still on its way.
 *
 * Repeated, because whether the abort has landed by the time of the call is a matter of timing.
 */
#include "ov_helpers.h"

#define ROUNDS 100

static HANDLE g_stop;

static DWORD WINAPI bystander(LPVOID arg)
{
    (void)arg;
    CHECK_EQ(WaitForSingleObject(g_stop, INFINITE), WAIT_OBJECT_0);
    return 0;
}

int main(void)
{
    test_init();
    g_stop = CreateEvent(NULL, TRUE, FALSE, NULL);
    CHECK(g_stop != NULL);
    HANDLE t = ovt_thread(bystander, NULL);
    WSAEVENT ev = ovt_event();

    for (int i = 0; i < ROUNDS; i++) {
        SOCKET c, s;
        tcp_pair(&c, &s);
        WSAOVERLAPPED ov;
        ovt_ov(&ov, ev);
        char in[8];
        ovt_recv_pending(s, in, sizeof in, &ov, NULL);
        CHECK(closesocket(s) == 0);
        DWORD n = 0xdeadbeef, flags = 0;
        WSASetLastError(0);
        BOOL ok = WSAGetOverlappedResult(s, &ov, &n, TRUE, &flags);
        int e = WSAGetLastError();
        if (ok || e != WSAECONNABORTED)
            FAIL("round %d: WSAGetOverlappedResult(fWait) after closesocket returned %d, error %d, "
                 "Internal 0x%llx; wanted FALSE, WSAECONNABORTED",
                 i, ok, e, (unsigned long long)ov.Internal);
        CHECK(ov.Internal != STATUS_PENDING);
        CHECK_SET(ev);
        closesocket(c);
    }

    CHECK(SetEvent(g_stop));
    ovt_join(t);
    CloseHandle(g_stop);
    WSACloseEvent(ev);
    WSACleanup();
    return 0;
}

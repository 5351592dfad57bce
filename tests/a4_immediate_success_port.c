/*
 * SPEC A4 (completion-port part): an overlapped call that completes at once still posts a
 * completion packet to the port its socket is bound to (skip-on-success is not set, SPEC I8):
 * exactly one, carrying the byte count, the key and the OVERLAPPED; its event is set as well.
 */
#include "ov_helpers.h"

#define KEY 0xabc123

int main(void)
{
    test_init();
    HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
    CHECK(port != NULL);
    SOCKET c, s;
    tcp_pair(&c, &s);
    CHECK(CreateIoCompletionPort((HANDLE)c, port, KEY, 0) == port);

    WSAEVENT ev = ovt_event();
    WSAOVERLAPPED ov;
    ovt_ov(&ov, ev);
    ovt_send_now(c, "packet", 6, &ov, NULL);
    CHECK_SET(ev);

    DWORD n = 0xdeadbeef;
    ULONG_PTR key = 0;
    LPOVERLAPPED pov = NULL;
    if (!GetQueuedCompletionStatus(port, &n, &key, &pov, DUE_MS))
        FAIL("no completion packet for an immediate success (error %lu)",
             (unsigned long)GetLastError());
    CHECK(pov == &ov);
    CHECK_EQ(n, 6);
    CHECK_EQ(key, KEY);

    /* Exactly one packet (bounded wait that must time out). */
    pov = (LPOVERLAPPED)(uintptr_t)0x1;
    CHECK(!GetQueuedCompletionStatus(port, &n, &key, &pov, QUIET_MS));
    CHECK_EQ(GetLastError(), WAIT_TIMEOUT);
    CHECK(pov == NULL);

    /* The same for a send without an event. */
    WSAOVERLAPPED ov2;
    ovt_ov(&ov2, NULL);
    ovt_send_now(c, "again", 5, &ov2, NULL);
    CHECK(GetQueuedCompletionStatus(port, &n, &key, &pov, DUE_MS));
    CHECK(pov == &ov2);
    CHECK_EQ(n, 5);
    CHECK_EQ(key, KEY);

    char in[11];
    recv_all(s, in, 11);
    CHECK(memcmp(in, "packetagain", 11) == 0);
    closesocket(c);
    closesocket(s);
    WSACloseEvent(ev);
    CloseHandle(port);
    WSACleanup();
    return 0;
}

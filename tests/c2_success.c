/*
 * SPEC C2: WSAGetOverlappedResult returns TRUE exactly when the operation succeeded, with the
 * byte count in *lpcbTransfer (and 0 in *lpdwFlags for a plain receive); lpdwFlags may be NULL.
 * A failed operation gives FALSE (the codes are C3's).
 */
#include "ov_helpers.h"

int main(void)
{
    test_init();
    SOCKET c, s;
    tcp_pair(&c, &s);
    WSAEVENT ev = ovt_event();
    WSAOVERLAPPED ov;
    char in[32];
    DWORD n, flags;

    /* Completed receive: TRUE, count, flags 0; the same again with lpdwFlags NULL, fWait either
     * way (asking twice gives the same answer). */
    ovt_ov(&ov, ev);
    ovt_recv_pending(s, in, sizeof in, &ov, NULL);
    send_all(c, "twelve bytes", 12);
    WAIT_SET(ev);
    n = 0xdeadbeef;
    flags = 0xdeadbeef;
    CHECK(WSAGetOverlappedResult(s, &ov, &n, FALSE, &flags));
    CHECK_EQ(n, 12);
    CHECK_EQ(flags, 0);
    n = 0xdeadbeef;
    CHECK(WSAGetOverlappedResult(s, &ov, &n, FALSE, NULL));
    CHECK_EQ(n, 12);
    n = 0xdeadbeef;
    CHECK(WSAGetOverlappedResult(s, &ov, &n, TRUE, NULL));
    CHECK_EQ(n, 12);

    /* Immediate send: TRUE with its count. */
    CHECK(WSAResetEvent(ev));
    ovt_ov(&ov, ev);
    ovt_send_now(c, "sent", 4, &ov, NULL);
    n = 0xdeadbeef;
    CHECK(WSAGetOverlappedResult(c, &ov, &n, FALSE, NULL));
    CHECK_EQ(n, 4);
    recv_all(s, in, 4);

    /* fWait TRUE on a pending receive: waits for it and returns TRUE with the count. */
    CHECK(WSAResetEvent(ev));
    ovt_ov(&ov, ev);
    ovt_recv_pending(s, in, sizeof in, &ov, NULL);
    send_all(c, "wait", 4);
    n = 0xdeadbeef;
    CHECK(WSAGetOverlappedResult(s, &ov, &n, TRUE, NULL));
    CHECK_EQ(n, 4);

    /* Success with 0 bytes (the peer shut down its sending side) is still success. */
    CHECK(WSAResetEvent(ev));
    ovt_ov(&ov, ev);
    ovt_recv_pending(s, in, sizeof in, &ov, NULL);
    CHECK(shutdown(c, SD_SEND) == 0);
    WAIT_SET(ev);
    n = 0xdeadbeef;
    flags = 0xdeadbeef;
    CHECK(WSAGetOverlappedResult(s, &ov, &n, FALSE, &flags));
    CHECK_EQ(n, 0);
    CHECK_EQ(flags, 0);

    /* A failed operation: FALSE. */
    CHECK(WSAResetEvent(ev));
    ovt_ov(&ov, ev);
    SOCKET c2, s2;
    tcp_pair(&c2, &s2);
    ovt_recv_pending(s2, in, sizeof in, &ov, NULL);
    CHECK(CancelIoEx((HANDLE)s2, &ov));
    WAIT_SET(ev);
    n = 0xdeadbeef;
    CHECK(!WSAGetOverlappedResult(s2, &ov, &n, FALSE, NULL));
    CHECK(WSAGetLastError() != 0);

    closesocket(c2);
    closesocket(s2);
    WSACloseEvent(ev);
    closesocket(c);
    closesocket(s);
    WSACleanup();
    return 0;
}

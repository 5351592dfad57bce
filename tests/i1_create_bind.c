/*
 * SPEC I1: CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, n) creates a port;
 * CreateIoCompletionPort(h, port, key, n) binds h and returns port (with a NULL port it creates one
 * and binds h to it).  A handle binds to one port until it is closed: a second binding fails
 * (NULL, ERROR_INVALID_PARAMETER) and the first stays in force; once closed, a new socket binds
 * anew.  Binding after an operation is pending still delivers that operation (a receive, and an
 * AcceptEx on the listener, as in Wine's test_completion_port).
 * "n == 0 means the CPU count" needs worker threads: i5_concurrency_mt checks it.
 */
#include "iocp_helpers.h"

int main(void)
{
    test_init();

    /* Create: non-NULL, distinct, usable. */
    HANDLE p1 = iot_port(1);
    HANDLE p2 = iot_port(0);
    CHECK(p1 != p2);
    CHECK(p1 != INVALID_HANDLE_VALUE && p2 != INVALID_HANDLE_VALUE);
    CHECK(PostQueuedCompletionStatus(p2, 3, 0x22, NULL));
    EXPECT_PACKET(p2, NULL, 0x22, 3, 0);
    EXPECT_NO_PACKET(p1, 0);

    /* Bind: returns the same port; the socket's I/O posts there with the key. */
    SOCKET c, s;
    tcp_pair(&c, &s);
    SetLastError(0xdeadbeef);
    HANDLE r = CreateIoCompletionPort((HANDLE)s, p1, 0x1111, 7 /* ignored when binding */);
    CHECK(r == p1);
    char buf[16];
    WSAOVERLAPPED ov;
    ovt_ov(&ov, NULL);
    iot_recv_pending(s, buf, sizeof buf, &ov);
    send_all(c, "abc", 3);
    EXPECT_PACKET(p1, &ov, 0x1111, 3, 0);
    CHECK(memcmp(buf, "abc", 3) == 0);

    /* One port per handle: a second binding fails, to another port or to the same one... */
    SetLastError(0xdeadbeef);
    r = CreateIoCompletionPort((HANDLE)s, p2, 0x2222, 0);
    if (r != NULL)
        FAIL("binding a bound socket to a second port returned %p; wanted NULL", (void *)r);
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);
    SetLastError(0xdeadbeef);
    r = CreateIoCompletionPort((HANDLE)s, p1, 0x3333, 0);
    if (r != NULL)
        FAIL("binding a bound socket to its port again returned %p; wanted NULL", (void *)r);
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);
    /* ... and the first binding, key included, stays in force. */
    ovt_ov(&ov, NULL);
    iot_recv_pending(s, buf, sizeof buf, &ov);
    send_all(c, "de", 2);
    EXPECT_PACKET(p1, &ov, 0x1111, 2, 0);
    EXPECT_NO_PACKET(p2, QUIET_MS);

    /* (h, NULL, key, n): a new port, with h bound to it. */
    SOCKET c2, s2;
    tcp_pair(&c2, &s2);
    HANDLE p3 = CreateIoCompletionPort((HANDLE)s2, NULL, 0x3, 0);
    CHECK(p3 != NULL);
    CHECK(p3 != p1 && p3 != p2);
    ovt_ov(&ov, NULL);
    iot_recv_pending(s2, buf, sizeof buf, &ov);
    send_all(c2, "xyz!", 4);
    EXPECT_PACKET(p3, &ov, 0x3, 4, 0);
    SetLastError(0xdeadbeef);
    CHECK(CreateIoCompletionPort((HANDLE)s2, p1, 0x4, 0) == NULL);
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);

    /* Until it is closed: a closed socket cannot be bound; a new socket binds anew. */
    CHECK_EQ(closesocket(s), 0);
    SetLastError(0xdeadbeef);
    CHECK(CreateIoCompletionPort((HANDLE)s, p2, 0x5, 0) == NULL);
    CHECK_EQ(GetLastError(), ERROR_INVALID_HANDLE);
    closesocket(c);
    tcp_pair(&c, &s);
    iot_bind(s, p2, 0x6);
    ovt_ov(&ov, NULL);
    iot_recv_pending(s, buf, sizeof buf, &ov);
    send_all(c, "new", 3);
    EXPECT_PACKET(p2, &ov, 0x6, 3, 0);
    EXPECT_NO_PACKET(p1, 0);

    /* Binding after an operation is pending still delivers that operation: a receive... */
    SOCKET c3, s3;
    tcp_pair(&c3, &s3);
    WSAEVENT ev = ovt_event();
    ovt_ov(&ov, ev);
    iot_recv_pending(s3, buf, sizeof buf, &ov);
    iot_bind(s3, p1, 0x77);
    send_all(c3, "late", 4);
    EXPECT_PACKET(p1, &ov, 0x77, 4, 0);
    CHECK_SET(ev);
    CHECK(memcmp(buf, "late", 4) == 0);

    /* ... and an AcceptEx issued before its listener was bound. */
    SOCKADDR_IN la;
    SOCKET l = tcp_listener(&la);
    SOCKET acc = iot_tcp();
    char out[2 * (sizeof(SOCKADDR_IN) + 16)];
    DWORD got = 0xdeadbeef;
    WSAOVERLAPPED aov;
    ovt_ov(&aov, NULL);
    EXT_PENDING(
        AcceptEx(l, acc, out, 0, sizeof(SOCKADDR_IN) + 16, sizeof(SOCKADDR_IN) + 16, &got, &aov));
    iot_bind(l, p1, 0x125);
    SOCKET conn = iot_tcp();
    CHECK(connect(conn, (SOCKADDR *)&la, sizeof la) == 0);
    EXPECT_PACKET(p1, &aov, 0x125, 0, 0);
    EXPECT_NO_PACKET(p1, QUIET_MS);

    closesocket(conn);
    closesocket(acc);
    closesocket(l);
    closesocket(c3);
    closesocket(s3);
    closesocket(c2);
    closesocket(s2);
    closesocket(c);
    closesocket(s);
    WSACloseEvent(ev);
    CHECK(CloseHandle(p3));
    CHECK(CloseHandle(p2));
    CHECK(CloseHandle(p1));
    WSACleanup();
    return 0;
}

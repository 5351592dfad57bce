/*
 * SPEC C3: WSAGetOverlappedResult maps a failed operation's status to the Winsock error:
 * cancelled -> WSA_OPERATION_ABORTED (995), reset -> WSAECONNRESET, aborted -> WSAECONNABORTED,
 * timeout -> WSAETIMEDOUT, buffer overflow -> WSAEMSGSIZE (with the count still written),
 * refused -> WSAECONNREFUSED, anything else -> WSAEINVAL.
 *
 * Part 1 produces the statuses with real operations.  Part 2 covers every row with an OVERLAPPED
 * that holds the status (WSAGetOverlappedResult only reads the OVERLAPPED, SPEC C4; Wine's
 * test_WSAGetOverlappedResult does the same on Windows).
 */
#include "ov_helpers.h"

static void expect_fail(SOCKET s, WSAOVERLAPPED *ov, int err, const char *what)
{
    DWORD n = 0xdeadbeef, flags = 0;
    WSASetLastError(0);
    if (WSAGetOverlappedResult(s, ov, &n, TRUE, &flags))
        FAIL("%s: TRUE (%lu bytes), wanted FALSE with %d", what, (unsigned long)n, err);
    if (WSAGetLastError() != err)
        FAIL("%s: error %d, wanted %d", what, WSAGetLastError(), err);
}

static void real_operations(void)
{
    WSAEVENT ev = ovt_event();
    WSAOVERLAPPED ov;
    char in[64];
    SOCKET c, s;

    /* Cancelled. */
    tcp_pair(&c, &s);
    ovt_ov(&ov, ev);
    ovt_recv_pending(s, in, sizeof in, &ov, NULL);
    CHECK(CancelIoEx((HANDLE)s, &ov));
    WAIT_SET(ev);
    expect_fail(s, &ov, WSA_OPERATION_ABORTED, "cancelled receive");
    CHECK_EQ(WSAGetLastError(), 995);

    /* Reset. */
    CHECK(WSAResetEvent(ev));
    ovt_ov(&ov, ev);
    ovt_recv_pending(s, in, sizeof in, &ov, NULL);
    ovt_close_with_rst(c);
    WAIT_SET(ev);
    expect_fail(s, &ov, WSAECONNRESET, "receive under a reset");
    closesocket(s);

    /* Aborted: the socket is closed under a pending TCP receive (SPEC E6). */
    tcp_pair(&c, &s);
    CHECK(WSAResetEvent(ev));
    ovt_ov(&ov, ev);
    ovt_recv_pending(s, in, sizeof in, &ov, NULL);
    CHECK(closesocket(s) == 0);
    WAIT_SET(ev);
    expect_fail(s, &ov, WSAECONNABORTED, "receive on a closed socket");
    closesocket(c);

    /* Buffer overflow: FALSE, WSAEMSGSIZE, and the truncated count is written. */
    SOCKET a, b;
    SOCKADDR_IN b_addr;
    udp_pair(&a, &b, &b_addr);
    CHECK(WSAResetEvent(ev));
    ovt_ov(&ov, ev);
    WSABUF wb;
    wb.len = 3;
    wb.buf = in;
    SOCKADDR_IN from;
    int fromlen = sizeof from;
    DWORD n = 0xdeadbeef, flags = 0;
    CHECK_ERR(WSARecvFrom(b, &wb, 1, &n, &flags, (SOCKADDR *)&from, &fromlen, &ov, NULL),
              SOCKET_ERROR, WSA_IO_PENDING);
    CHECK_EQ(sendto(a, "truncated", 9, 0, (const SOCKADDR *)&b_addr, sizeof b_addr), 9);
    WAIT_SET(ev);
    n = 0xdeadbeef;
    CHECK(!WSAGetOverlappedResult(b, &ov, &n, FALSE, &flags));
    CHECK_EQ(WSAGetLastError(), WSAEMSGSIZE);
    CHECK_EQ(n, 3);
    CHECK(memcmp(in, "tru", 3) == 0);
    closesocket(a);
    closesocket(b);
    WSACloseEvent(ev);
}

static const struct {
    uint32_t status;
    int ok;
    int err; /* for !ok */
    const char *name;
} rows[] = {
    {0x00000000u, 1, 0, "STATUS_SUCCESS"},
    {0xC0000120u, 0, WSA_OPERATION_ABORTED, "STATUS_CANCELLED"},
    {0xC000020Du, 0, WSAECONNRESET, "STATUS_CONNECTION_RESET"},
    {0xC0000241u, 0, WSAECONNABORTED, "STATUS_CONNECTION_ABORTED"},
    {0xC00000B5u, 0, WSAETIMEDOUT, "STATUS_IO_TIMEOUT"},
    {0x80000005u, 0, WSAEMSGSIZE, "STATUS_BUFFER_OVERFLOW"},
    {0xC0000236u, 0, WSAECONNREFUSED, "STATUS_CONNECTION_REFUSED"},
    {0xC0000001u, 0, WSAEINVAL, "STATUS_UNSUCCESSFUL (anything else)"},
};

static void every_row(void)
{
    SOCKET s = WSASocket(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_OVERLAPPED);
    CHECK(s != INVALID_SOCKET);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        for (int wait = 0; wait <= 1; wait++) {
            WSAOVERLAPPED ov;
            memset(&ov, 0, sizeof ov);
            ov.Internal = rows[i].status;
            ov.InternalHigh = 77;
            DWORD n = 0xdeadbeef, flags = 0xdeadbeef;
            WSASetLastError(12345);
            BOOL ok = WSAGetOverlappedResult(s, &ov, &n, wait, &flags);
            int e = WSAGetLastError();
            if (ok != rows[i].ok)
                FAIL("%s (fWait %d): returned %d, wanted %d", rows[i].name, wait, ok, rows[i].ok);
            if (ok) {
                CHECK_EQ(n, 77);
            } else {
                if (e != rows[i].err)
                    FAIL("%s (fWait %d): error %d, wanted %d", rows[i].name, wait, e, rows[i].err);
                if (rows[i].status == 0x80000005u)
                    CHECK_EQ(n, 77); /* the count is written with WSAEMSGSIZE */
            }
            CHECK_EQ(ov.Internal, rows[i].status); /* only read */
            CHECK_EQ(ov.InternalHigh, 77);
        }
    }
    closesocket(s);
}

int main(void)
{
    test_init();
    real_operations();
    every_row();
    WSACleanup();
    return 0;
}

/*
 * SPEC A1: an overlapped call that completes at once returns 0, fills the byte count (and
 * *lpFlags for receives) and leaves last error 0.
 *
 * A small send on an idle connection completes at once (WSASend, WSASendTo).  A receive with
 * data queued may complete at once or pend (SPEC A5); on a socket made without
 * WSA_FLAG_OVERLAPPED it completes at once (SPEC A7), which is where the receive half is checked
 * strictly.  Last error is set to a junk value before each call, so a library that leaves it alone
 * fails.
 */
#include "ov_helpers.h"

#define JUNK_ERROR 12345

static void check_send(SOCKET c, SOCKET s)
{
    WSAEVENT ev = ovt_event();
    WSAOVERLAPPED ov;
    ovt_ov(&ov, ev);
    char msg[] = "immediate success";
    WSABUF wb;
    wb.len = sizeof msg;
    wb.buf = msg;
    DWORD n = 0xdeadbeef;
    WSASetLastError(JUNK_ERROR);
    int r = WSASend(c, &wb, 1, &n, 0, &ov, NULL);
    CHECK_EQ(r, 0);
    CHECK_EQ(WSAGetLastError(), 0);
    CHECK_EQ(n, sizeof msg);
    ovt_result_ok(c, &ov, sizeof msg);

    char in[sizeof msg];
    recv_all(s, in, sizeof in);
    CHECK(memcmp(in, msg, sizeof msg) == 0);
    CHECK(WSACloseEvent(ev));
}

/* Every size counts, down to one byte (a count of 1 must not be mistaken for anything else). */
static void check_send_sizes(SOCKET c, SOCKET s)
{
    static const ULONG sizes[] = {1, 2, 3, 100, 4096};
    WSAEVENT ev = ovt_event();
    char out[4096], in[4096];
    for (size_t i = 0; i < sizeof out; i++)
        out[i] = (char)ovt_pattern(i);
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        WSAOVERLAPPED ov;
        ovt_ov(&ov, ev);
        WSABUF wb;
        wb.len = sizes[k];
        wb.buf = out;
        DWORD n = 0xdeadbeef;
        WSASetLastError(JUNK_ERROR);
        int r = WSASend(c, &wb, 1, &n, 0, &ov, NULL);
        if (r != 0)
            FAIL("WSASend of %lu bytes: returned %d, error %d (wanted 0)", (unsigned long)sizes[k],
                 r, WSAGetLastError());
        CHECK_EQ(WSAGetLastError(), 0);
        CHECK_EQ(n, sizes[k]);
        CHECK_SET(ev);
        CHECK_EQ(ov.Internal, 0);
        CHECK_EQ(ov.InternalHigh, sizes[k]);
        recv_all(s, in, sizes[k]);
        CHECK(memcmp(in, out, sizes[k]) == 0);
    }
    CHECK(WSACloseEvent(ev));
}

static void check_sendto(void)
{
    SOCKET a, b;
    SOCKADDR_IN b_addr;
    udp_pair(&a, &b, &b_addr);
    WSAEVENT ev = ovt_event();
    WSAOVERLAPPED ov;
    ovt_ov(&ov, ev);
    char msg[] = "datagram";
    WSABUF wb;
    wb.len = sizeof msg;
    wb.buf = msg;
    DWORD n = 0xdeadbeef;
    WSASetLastError(JUNK_ERROR);
    int r = WSASendTo(a, &wb, 1, &n, 0, (const SOCKADDR *)&b_addr, sizeof b_addr, &ov, NULL);
    CHECK_EQ(r, 0);
    CHECK_EQ(WSAGetLastError(), 0);
    CHECK_EQ(n, sizeof msg);
    ovt_result_ok(a, &ov, sizeof msg);

    /* The datagram is there: an overlapped WSARecvFrom either completes at once (then A1
     * applies to it: count, flags, address, last error 0) or pends and completes. */
    char in[64];
    memset(in, 0, sizeof in);
    WSAOVERLAPPED ov2;
    ovt_ov(&ov2, ev);
    CHECK(WSAResetEvent(ev));
    wb.len = sizeof in;
    wb.buf = in;
    SOCKADDR_IN from;
    memset(&from, 0, sizeof from);
    int fromlen = sizeof from;
    DWORD flags = 0;
    n = 0xdeadbeef;
    WSASetLastError(JUNK_ERROR);
    r = WSARecvFrom(b, &wb, 1, &n, &flags, (SOCKADDR *)&from, &fromlen, &ov2, NULL);
    if (r == 0) {
        CHECK_EQ(WSAGetLastError(), 0);
        CHECK_EQ(n, sizeof msg);
        CHECK_EQ(flags, 0);
    } else {
        CHECK_EQ(WSAGetLastError(), WSA_IO_PENDING);
        CHECK_EQ(n, 0xdeadbeef);
    }
    ovt_result_ok(b, &ov2, sizeof msg);
    CHECK(memcmp(in, msg, sizeof msg) == 0);
    CHECK_EQ(fromlen, sizeof(SOCKADDR_IN));
    CHECK_EQ(from.sin_family, AF_INET);
    CHECK_EQ(from.sin_addr.s_addr, htonl(INADDR_LOOPBACK));

    CHECK(WSACloseEvent(ev));
    closesocket(a);
    closesocket(b);
}

/* Receive on a socket without WSA_FLAG_OVERLAPPED, data queued: completes at once. */
static void check_recv_sync_socket(void)
{
    SOCKET c, s;
    tcp_pair_flags(&c, &s, 0);
    send_all(s, "0123456789", 10);
    ovt_wait_queued(c, 10);

    WSAEVENT ev = ovt_event();
    WSAOVERLAPPED ov;
    ovt_ov(&ov, ev);
    char in[64];
    memset(in, 0, sizeof in);
    WSABUF wb;
    wb.len = sizeof in;
    wb.buf = in;
    DWORD n = 0xdeadbeef, flags = 0;
    WSASetLastError(JUNK_ERROR);
    int r = WSARecv(c, &wb, 1, &n, &flags, &ov, NULL);
    CHECK_EQ(r, 0);
    CHECK_EQ(WSAGetLastError(), 0);
    CHECK_EQ(n, 10);
    CHECK_EQ(flags, 0);
    CHECK(memcmp(in, "0123456789", 10) == 0);
    ovt_result_ok(c, &ov, 10);
    CHECK(WSACloseEvent(ev));
    closesocket(c);
    closesocket(s);
}

/* Receive on an overlapped socket with data queued: either (SPEC A5); when it completes at once,
 * A1 holds for it. */
static void check_recv_either(SOCKET c, SOCKET s)
{
    send_all(c, "abcdef", 6);
    ovt_wait_queued(s, 6);
    WSAEVENT ev = ovt_event();
    WSAOVERLAPPED ov;
    ovt_ov(&ov, ev);
    char in[64];
    WSABUF wb;
    wb.len = sizeof in;
    wb.buf = in;
    DWORD n = 0xdeadbeef, flags = 0;
    WSASetLastError(JUNK_ERROR);
    int r = WSARecv(s, &wb, 1, &n, &flags, &ov, NULL);
    if (r == 0) {
        CHECK_EQ(WSAGetLastError(), 0);
        CHECK_EQ(n, 6);
        CHECK_EQ(flags, 0);
    } else {
        CHECK_ERR(r, SOCKET_ERROR, WSA_IO_PENDING);
    }
    ovt_result_ok(s, &ov, 6);
    CHECK(memcmp(in, "abcdef", 6) == 0);
    CHECK(WSACloseEvent(ev));
}

int main(void)
{
    test_init();
    SOCKET c, s;
    tcp_pair(&c, &s);
    check_send(c, s);
    check_send_sizes(c, s);
    check_send_sizes(s, c);
    check_recv_either(c, s);
    check_sendto();
    check_recv_sync_socket();
    closesocket(c);
    closesocket(s);
    WSACleanup();
    return 0;
}

/*
 * SPEC A5: when data is already queued, an overlapped receive may complete at once or pend
 * ("either").  Both outcomes are accepted; whichever it is, the operation must deliver exactly the
 * queued data, set the event, and report it through WSAGetOverlappedResult - and nothing else (an
 * error, a lost completion, a wrong count) is accepted.
 *
 * Cases: TCP WSARecv (event), TCP WSARecv (routine), UDP WSARecvFrom, and a receive smaller than
 * the queued data (the rest stays queued for the next one).
 */
#include "ov_helpers.h"

static int calls;
static DWORD seen_err, seen_bytes;

static void CALLBACK routine(DWORD err, DWORD bytes, LPWSAOVERLAPPED ov, DWORD flags)
{
    (void)ov;
    (void)flags;
    seen_err = err;
    seen_bytes = bytes;
    calls++;
}

/* Receive on s into buf (event ev), data known to be queued; returns the byte count. */
static DWORD recv_either(SOCKET s, char *buf, ULONG len, WSAEVENT ev)
{
    WSAOVERLAPPED ov;
    ovt_ov(&ov, ev);
    CHECK(WSAResetEvent(ev));
    WSABUF wb;
    wb.len = len;
    wb.buf = buf;
    DWORD n = 0xdeadbeef, flags = 0;
    int r = WSARecv(s, &wb, 1, &n, &flags, &ov, NULL);
    if (r == 0) {
        CHECK_SET(ev);
        CHECK(n != 0xdeadbeef);
    } else {
        CHECK_ERR(r, SOCKET_ERROR, WSA_IO_PENDING);
        CHECK_EQ(n, 0xdeadbeef);
        WAIT_SET(ev);
    }
    DWORD got = 0, fl = 0;
    CHECK(WSAGetOverlappedResult(s, &ov, &got, FALSE, &fl));
    if (r == 0)
        CHECK_EQ(got, n);
    return got;
}

int main(void)
{
    test_init();
    SOCKET c, s;
    tcp_pair(&c, &s);
    WSAEVENT ev = ovt_event();
    char in[64];

    /* TCP, event. */
    send_all(c, "queued data", 11);
    ovt_wait_queued(s, 11);
    memset(in, 0, sizeof in);
    CHECK_EQ(recv_either(s, in, sizeof in, ev), 11);
    CHECK(memcmp(in, "queued data", 11) == 0);

    /* TCP, a receive smaller than what is queued: two receives take it in order. */
    send_all(c, "0123456789", 10);
    ovt_wait_queued(s, 10);
    CHECK_EQ(recv_either(s, in, 4, ev), 4);
    CHECK(memcmp(in, "0123", 4) == 0);
    CHECK_EQ(recv_either(s, in, sizeof in, ev), 6);
    CHECK(memcmp(in, "456789", 6) == 0);

    /* TCP, completion routine: runs in the next alertable wait either way. */
    send_all(c, "routine", 7);
    ovt_wait_queued(s, 7);
    WSAOVERLAPPED ov;
    ovt_ov(&ov, NULL);
    WSABUF wb;
    wb.len = sizeof in;
    wb.buf = in;
    DWORD n = 0xdeadbeef, flags = 0;
    int r = WSARecv(s, &wb, 1, &n, &flags, &ov, routine);
    if (r == 0)
        CHECK_EQ(n, 7);
    else
        CHECK_ERR(r, SOCKET_ERROR, WSA_IO_PENDING);
    CHECK_EQ(calls, 0);
    CHECK_EQ(SleepEx(DUE_MS, TRUE), WAIT_IO_COMPLETION);
    CHECK_EQ(calls, 1);
    CHECK_EQ(seen_err, 0);
    CHECK_EQ(seen_bytes, 7);
    CHECK(memcmp(in, "routine", 7) == 0);

    /* UDP: datagram queued. */
    SOCKET a, b;
    SOCKADDR_IN b_addr;
    udp_pair(&a, &b, &b_addr);
    CHECK_EQ(sendto(a, "dgram!", 6, 0, (const SOCKADDR *)&b_addr, sizeof b_addr), 6);
    /* Wait for the datagram to be there: a peek consumes nothing. */
    CHECK_EQ(recvfrom(b, in, sizeof in, MSG_PEEK, NULL, NULL), 6);
    SOCKADDR_IN a_addr;
    int alen = sizeof a_addr;
    CHECK(getsockname(a, (SOCKADDR *)&a_addr, &alen) == 0);
    WSAOVERLAPPED ov2;
    ovt_ov(&ov2, ev);
    CHECK(WSAResetEvent(ev));
    SOCKADDR_IN from;
    memset(&from, 0, sizeof from);
    int fromlen = sizeof from;
    memset(in, 0, sizeof in);
    n = 0xdeadbeef;
    flags = 0;
    r = WSARecvFrom(b, &wb, 1, &n, &flags, (SOCKADDR *)&from, &fromlen, &ov2, NULL);
    if (r == 0)
        CHECK_EQ(n, 6);
    else
        CHECK_ERR(r, SOCKET_ERROR, WSA_IO_PENDING);
    WAIT_SET(ev);
    ovt_result_ok(b, &ov2, 6);
    CHECK(memcmp(in, "dgram!", 6) == 0);
    CHECK_EQ(fromlen, sizeof(SOCKADDR_IN));
    CHECK_EQ(from.sin_port, a_addr.sin_port);

    closesocket(a);
    closesocket(b);
    closesocket(c);
    closesocket(s);
    WSACloseEvent(ev);
    WSACleanup();
    return 0;
}

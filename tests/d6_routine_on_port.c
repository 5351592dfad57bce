/*
 * SPEC D6: WSARecv/WSASend with a completion routine on a socket associated with a completion
 * port fail at once with WSAEINVAL: nothing is started (no data consumed or sent), no routine runs,
 * no packet is posted.  The same socket keeps working with plain overlapped calls (packet posted).
 * Needs completion ports (SPEC I1/I2).
 */
#include "wait_helpers.h"

int main(void)
{
    test_init();
    SOCKET c, s;
    tcp_pair(&c, &s);

    HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1);
    CHECK(port != NULL);
    CHECK(CreateIoCompletionPort((HANDLE)s, port, 0x5151, 0) == port);

    /* data is already queued: a receive that were started would consume it */
    send_all(c, "abcd", 4);

    static io_rec r;
    static char buf[16];
    io_rec_init(&r, 1);
    CHECK_ERR(post_recv(s, buf, sizeof buf, &r.ov, rec_routine), SOCKET_ERROR, WSAEINVAL);
    io_rec_init(&r, 2);
    CHECK_ERR(post_send(s, "xyz", 3, &r.ov, rec_routine), SOCKET_ERROR, WSAEINVAL);

    /* No routine (a bounded alertable wait that must time out) and no packet (a bounded port
     * wait that must time out). */
    CHECK_EQ(ALERTABLE(SleepEx(50, TRUE)), 0);
    CHECK_EQ(rec_calls(&r), 0);
    DWORD n = 77;
    ULONG_PTR key = 77;
    LPOVERLAPPED got = (LPOVERLAPPED)&r;
    CHECK(!GetQueuedCompletionStatus(port, &n, &key, &got, 50));
    CHECK_EQ(GetLastError(), WAIT_TIMEOUT);
    CHECK(got == NULL);

    /* Nothing was sent: the peer has nothing to read (non-blocking peek). */
    u_long nb = 1;
    CHECK(ioctlsocket(c, FIONBIO, &nb) == 0);
    char tmp[4];
    CHECK_ERR(recv(c, tmp, sizeof tmp, MSG_PEEK), SOCKET_ERROR, WSAEWOULDBLOCK);

    /* Nothing was consumed: a plain overlapped receive gets all four bytes, through the port. */
    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ISSUED_OK(post_recv(s, buf, sizeof buf, &ov, NULL));
    CHECK(GetQueuedCompletionStatus(port, &n, &key, &got, 5000));
    CHECK(got == (LPOVERLAPPED)&ov);
    CHECK_EQ(key, 0x5151);
    CHECK_EQ(n, 4);
    CHECK(memcmp(buf, "abcd", 4) == 0);

    /* A socket without a port takes the routine (control). */
    io_rec_init(&r, 3);
    ISSUED_OK(post_send(c, "ok", 2, &r.ov, rec_routine));
    CHECK_EQ(ALERTABLE(SleepEx(5000, TRUE)), WAIT_IO_COMPLETION);
    CHECK_EQ(rec_calls(&r), 1);

    closesocket(c);
    closesocket(s);
    CloseHandle(port);
    WSACleanup();
    return 0;
}

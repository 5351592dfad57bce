/*
 * SPEC D1: a completion routine is void CALLBACK fn(DWORD dwError, DWORD cbTransferred,
 * LPWSAOVERLAPPED ov, DWORD dwFlags).  dwError is a Winsock code (0, WSAECONNRESET,
 * WSA_OPERATION_ABORTED, WSAEMSGSIZE, ...), cbTransferred is 0 on error except WSAEMSGSIZE, and
 * dwFlags is 0.  Also SPEC B6: with a routine, hEvent is ignored and free for the program - here it
 * carries a context pointer that is not a handle, and must come back untouched.
 *
 * Outcomes checked: receive success, send success, peer reset, cancel, truncated datagram.
 */
#include "wait_helpers.h"

/* The routine has exactly the SDK's type: this assignment does not compile otherwise. */
static LPWSAOVERLAPPED_COMPLETION_ROUTINE const routine_type_check = rec_routine;

static int context_cookie; /* hEvent carries &context_cookie (SPEC B6) */

/* A second routine that checks hEvent is the program's context pointer, untouched. */
static void CALLBACK ctx_routine(DWORD err, DWORD bytes, LPWSAOVERLAPPED ov, DWORD flags)
{
    if (ov->hEvent != (WSAEVENT)&context_cookie)
        FAIL("hEvent changed under a completion routine: %p (SPEC B6)", (void *)ov->hEvent);
    rec_routine(err, bytes, ov, flags);
}

/* Run alertable waits until r's routine has run once; then check nothing else is queued. */
static void run_routine(io_rec *r)
{
    DWORD w = ALERTABLE(SleepEx(10000, TRUE));
    CHECK_EQ(w, WAIT_IO_COMPLETION);
    CHECK_EQ(rec_calls(r), 1);
}

static void check_one(io_rec *r, DWORD err, DWORD bytes)
{
    CHECK_EQ(rec_calls(r), 1);
    CHECK_EQ(r->err, err);
    CHECK_EQ(r->bytes, bytes);
    CHECK_EQ(r->flags, 0);
    CHECK(r->ov.hEvent == (WSAEVENT)&context_cookie);
}

int main(void)
{
    test_init();
    CHECK(routine_type_check == rec_routine);

    SOCKET c, s;
    tcp_pair(&c, &s);

    /* 1. receive success: dwError 0, cbTransferred = bytes, the same OVERLAPPED pointer. */
    {
        static io_rec r;
        static char buf[64];
        io_rec_init(&r, 1);
        r.ov.hEvent = (WSAEVENT)&context_cookie;
        memset(buf, 0, sizeof buf);
        int rc = post_recv(s, buf, sizeof buf, &r.ov, ctx_routine);
        CHECK_EQ(rc, SOCKET_ERROR);
        CHECK_EQ(WSAGetLastError(), WSA_IO_PENDING);
        send_all(c, "hello, routine", 14);
        run_routine(&r);
        check_one(&r, 0, 14);
        CHECK(memcmp(buf, "hello, routine", 14) == 0);
    }

    /* 2. send success: dwError 0, cbTransferred = the whole length. */
    {
        static io_rec r;
        static char out[1000];
        io_rec_init(&r, 2);
        r.ov.hEvent = (WSAEVENT)&context_cookie;
        memset(out, 'x', sizeof out);
        ISSUED_OK(post_send(c, out, sizeof out, &r.ov, ctx_routine));
        run_routine(&r);
        check_one(&r, 0, sizeof out);
        char in[1000];
        recv_all(s, in, sizeof in);
        CHECK(memcmp(in, out, sizeof in) == 0);
    }

    /* 3. cancelled: WSA_OPERATION_ABORTED, 0 bytes. */
    {
        static io_rec r;
        static char buf[64];
        io_rec_init(&r, 3);
        r.ov.hEvent = (WSAEVENT)&context_cookie;
        POST_RECV_PENDING(s, buf, sizeof buf, &r.ov, ctx_routine);
        CHECK(CancelIoEx((HANDLE)s, (LPOVERLAPPED)&r.ov));
        run_routine(&r);
        check_one(&r, WSA_OPERATION_ABORTED, 0);
    }

    /* 4. peer reset: WSAECONNRESET, 0 bytes. */
    {
        static io_rec r;
        static char buf[64];
        io_rec_init(&r, 4);
        r.ov.hEvent = (WSAEVENT)&context_cookie;
        POST_RECV_PENDING(s, buf, sizeof buf, &r.ov, ctx_routine);
        reset_close(c);
        run_routine(&r);
        check_one(&r, WSAECONNRESET, 0);
    }
    closesocket(s);

    /* 5. datagram larger than the buffer: WSAEMSGSIZE with the truncated count, dwFlags 0. */
    {
        SOCKET a, b;
        SOCKADDR_IN baddr;
        udp_pair(&a, &b, &baddr);
        static io_rec r;
        static char buf[8];
        io_rec_init(&r, 5);
        r.ov.hEvent = (WSAEVENT)&context_cookie;
        SOCKADDR_IN from;
        INT fromlen = sizeof from;
        WSABUF wb;
        wb.len = sizeof buf;
        wb.buf = buf;
        DWORD flags = 0;
        int rc = ISSUE(
            WSARecvFrom(b, &wb, 1, NULL, &flags, (SOCKADDR *)&from, &fromlen, &r.ov, ctx_routine));
        CHECK_EQ(rc, SOCKET_ERROR);
        CHECK_EQ(WSAGetLastError(), WSA_IO_PENDING);
        const char dgram[] = "0123456789abcdef";
        CHECK_EQ(sendto(a, dgram, 16, 0, (SOCKADDR *)&baddr, sizeof baddr), 16);
        run_routine(&r);
        check_one(&r, WSAEMSGSIZE, sizeof buf);
        CHECK(memcmp(buf, dgram, sizeof buf) == 0);
        closesocket(a);
        closesocket(b);
    }

    /* Nothing else is queued: every routine ran exactly once.  (A bounded alertable wait that
     * must time out: proves no second call of any routine is pending.) */
    CHECK_EQ(ALERTABLE(SleepEx(50, TRUE)), 0);
    CHECK_EQ(atomic_load(&wh_seq), 5);
    WSACleanup();
    return 0;
}

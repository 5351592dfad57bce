/*
 * SPEC E9: when a thread exits (returning from its function or through ExitThread) its pending
 * operations are cancelled: an operation with an event gets the event set and ends with
 * WSA_OPERATION_ABORTED; an operation with a completion routine ends cancelled (Internal
 * STATUS_CANCELLED) and its routine never runs - not in another thread, not ever.  A routine that
 * was queued but not yet run when the thread exited is dropped as well.  A cancelled receive
 * consumes no data: what the peer sends next goes to the next receive.  Racing the exit against
 * incoming data gives one consistent outcome per operation, and no byte is lost or duplicated.
 * (The completion-port exception is in e9_thread_exit_port_mt.c.)
 */
#include "wait_helpers.h"

#define STATUS_CANCELLED_ 0xC0000120u

static SOCKET c, s;
static io_rec t_rec;
static char t_rbuf[16];
static WSAOVERLAPPED t_ov;
static char t_ebuf[16];
static HANDLE t_issued, t_go;

/* mode 0: return; 1: ExitThread; 2: issue, wait (non-alertably) for the completion, then exit
 * with the routine queued and unrun; 3: race - exit right after issuing. */
static DWORD WINAPI issuer(LPVOID arg)
{
    int mode = (int)(ULONG_PTR)arg;
    io_rec_init(&t_rec, mode);
    memset(t_rbuf, '#', sizeof t_rbuf);
    memset(t_ebuf, '#', sizeof t_ebuf);
    if (mode == 3) {
        WSAEVENT e = t_ov.hEvent;
        memset(&t_ov, 0, sizeof t_ov);
        t_ov.hEvent = e;
        CHECK(WSAResetEvent(e));
        POST_RECV_PENDING(s, t_ebuf, 1, &t_ov, NULL);
        CHECK(SetEvent(t_issued));
        return 0; /* exits while the peer's byte may be arriving */
    }
    POST_RECV_PENDING(s, t_rbuf, sizeof t_rbuf, &t_rec.ov, rec_routine);
    if (mode == 2) {
        CHECK(SetEvent(t_issued));
        WAIT_DONE(s, &t_rec.ov); /* completes with data; the routine is queued to this thread */
        CHECK_EQ(WaitForSingleObject(t_go, 10000), WAIT_OBJECT_0); /* not alertable */
        CHECK_EQ(rec_calls(&t_rec), 0);
        return 0; /* exit without an alertable wait */
    }
    WSAEVENT e = t_ov.hEvent;
    memset(&t_ov, 0, sizeof t_ov);
    t_ov.hEvent = e;
    CHECK(WSAResetEvent(e));
    POST_RECV_PENDING(s, t_ebuf, sizeof t_ebuf, &t_ov, NULL);
    CHECK(SetEvent(t_issued));
    if (mode == 1)
        ExitThread(0);
    return 0;
}

static HANDLE start(int mode)
{
    HANDLE h = CreateThread(NULL, 0, issuer, (LPVOID)(ULONG_PTR)mode, 0, NULL);
    CHECK(h != NULL);
    CHECK_EQ(WaitForSingleObject(t_issued, 10000), WAIT_OBJECT_0);
    return h;
}

static void join(HANDLE h)
{
    CHECK_EQ(WaitForSingleObject(h, 10000), WAIT_OBJECT_0);
    DWORD code = 1;
    CHECK(GetExitCodeThread(h, &code));
    CHECK_EQ(code, 0);
    CloseHandle(h);
}

/* The socket still works, and no data was eaten by a cancelled receive. */
static void data_goes_to_next_receive(const char *msg)
{
    WSAOVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.hEvent = WSACreateEvent();
    char b[16];
    size_t len = strlen(msg);
    send_all(c, msg, len);
    ISSUED_OK(post_recv(s, b, sizeof b, &ov, NULL));
    CHECK_EQ(WaitForSingleObject(ov.hEvent, 10000), WAIT_OBJECT_0);
    DWORD n = 0, fl = 0;
    CHECK(WSAGetOverlappedResult(s, &ov, &n, FALSE, &fl));
    CHECK_EQ(n, len);
    CHECK(memcmp(b, msg, len) == 0);
    WSACloseEvent(ov.hEvent);
}

int main(void)
{
    test_init();
    tcp_pair(&c, &s);
    t_issued = CreateEvent(NULL, FALSE, FALSE, NULL);
    t_go = CreateEvent(NULL, FALSE, FALSE, NULL);
    t_ov.hEvent = WSACreateEvent();
    CHECK(t_issued && t_go && t_ov.hEvent);

    /* modes 0 and 1: pending operations cancelled at exit */
    for (int mode = 0; mode <= 1; mode++) {
        join(start(mode));
        /* the event operation: event set, cancelled */
        CHECK_EQ(WaitForSingleObject(t_ov.hEvent, 10000), WAIT_OBJECT_0);
        DWORD n = 0xFFFF, fl = 0;
        CHECK_ERR(WSAGetOverlappedResult(s, &t_ov, &n, FALSE, &fl), FALSE, WSA_OPERATION_ABORTED);
        CHECK_EQ(n, 0);
        /* the routine operation: cancelled, and its routine runs nowhere */
        WAIT_DONE(s, &t_rec.ov);
        CHECK_EQ(t_rec.ov.Internal, STATUS_CANCELLED_);
        CHECK_EQ(t_rec.ov.InternalHigh, 0);
        /* Bounded alertable wait that must time out: the dead thread's routine must not be
         * handed to this thread (rec_routine would also fail on the thread check). */
        CHECK_EQ(ALERTABLE(SleepEx(50, TRUE)), 0);
        CHECK_EQ(rec_calls(&t_rec), 0);
        data_goes_to_next_receive(mode ? "after ExitThread" : "after return");
        CHECK_EQ(t_rbuf[0], '#');
        CHECK_EQ(t_ebuf[0], '#');
    }

    /* mode 2: completed, routine queued but not run when the thread exits: dropped */
    {
        HANDLE h = start(2);
        send_all(c, "queued", 6);
        CHECK(SetEvent(t_go));
        join(h);
        CHECK_EQ(t_rec.ov.Internal, 0);
        CHECK_EQ(t_rec.ov.InternalHigh, 6);
        CHECK(memcmp(t_rbuf, "queued", 6) == 0);
        CHECK_EQ(ALERTABLE(SleepEx(50, TRUE)), 0); /* bounded: must time out */
        CHECK_EQ(rec_calls(&t_rec), 0);
    }

    /* mode 3: exit racing incoming data; every byte ends up exactly once */
    int cancelled = 0, completed = 0;
    for (int i = 0; i < 100; i++) {
        HANDLE h = start(3);
        char x = (char)('A' + i % 26);
        send_all(c, &x, 1);
        join(h);
        CHECK_EQ(WaitForSingleObject(t_ov.hEvent, 10000), WAIT_OBJECT_0);
        DWORD n = 0xFFFF, fl = 0;
        if (WSAGetOverlappedResult(s, &t_ov, &n, FALSE, &fl)) {
            CHECK_EQ(n, 1);
            CHECK_EQ(t_ebuf[0], x);
            completed++;
        } else {
            CHECK_EQ(WSAGetLastError(), WSA_OPERATION_ABORTED);
            CHECK_EQ(n, 0);
            char y;
            recv_all(s, &y, 1); /* still in the socket */
            CHECK_EQ(y, x);
            cancelled++;
        }
    }
    fprintf(stderr, "%s: exit race: %d cancelled, %d completed\n", test_engine(), cancelled,
            completed);
    data_goes_to_next_receive("end");
    CHECK_EQ(ALERTABLE(SleepEx(30, TRUE)), 0);

    WSACloseEvent(t_ov.hEvent);
    CloseHandle(t_issued);
    CloseHandle(t_go);
    closesocket(c);
    closesocket(s);
    WSACleanup();
    return 0;
}

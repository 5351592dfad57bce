/*
 * SPEC E7 across threads: CancelIo(h) cancels only the calling thread's operations on h;
 * CancelIoEx(h, ov) cancels one operation whichever thread issued it; CancelIoEx(h, NULL) cancels
 * all of the process's.  A cancelled operation's routine still runs in its issuing thread (SPEC
 * D2), once, with WSA_OPERATION_ABORTED and 0 bytes.
 *
 * Thread T issues receives and then stays alive in non-alertable waits (a thread's exit would
 * cancel its operations by itself, SPEC E9).
 */
#include "wait_helpers.h"

static SOCKET c, s;
static HANDLE t_step, main_step;
static WSAOVERLAPPED t_ov[2];
static char t_buf[2][16];
static io_rec t_rec;
static char t_rbuf[16];

static void step_to_main(void)
{
    CHECK(SetEvent(t_step));
    CHECK_EQ(WaitForSingleObject(main_step, 20000), WAIT_OBJECT_0);
}

static DWORD WINAPI thread_t(LPVOID arg)
{
    (void)arg;
    /* step 1: two receives of T's */
    for (int i = 0; i < 2; i++) {
        memset(&t_ov[i], 0, sizeof t_ov[i]);
        t_ov[i].hEvent = WSACreateEvent();
        POST_RECV_PENDING(s, t_buf[i], 16, &t_ov[i], NULL);
    }
    step_to_main();
    /* step 2: T's CancelIo must not touch main's receive (main checks) */
    CHECK(CancelIo((HANDLE)s));
    step_to_main();
    /* step 3: a routine receive; main cancels it; the routine runs here */
    io_rec_init(&t_rec, 3);
    POST_RECV_PENDING(s, t_rbuf, sizeof t_rbuf, &t_rec.ov, rec_routine);
    step_to_main();
    CHECK_EQ(rec_calls(&t_rec), 0);
    CHECK_EQ(ALERTABLE(SleepEx(10000, TRUE)), WAIT_IO_COMPLETION);
    CHECK_EQ(rec_calls(&t_rec), 1);
    CHECK_EQ(t_rec.err, WSA_OPERATION_ABORTED);
    CHECK_EQ(t_rec.bytes, 0);
    CHECK_EQ(ALERTABLE(SleepEx(30, TRUE)), 0); /* once */
    return 0;
}

static void expect_cancelled(WSAOVERLAPPED *ov)
{
    CHECK_EQ(WaitForSingleObject(ov->hEvent, 10000), WAIT_OBJECT_0);
    DWORD n = 0xFFFF, fl = 0;
    CHECK_ERR(WSAGetOverlappedResult(s, ov, &n, FALSE, &fl), FALSE, WSA_OPERATION_ABORTED);
    CHECK_EQ(n, 0);
}

static void expect_pending(WSAOVERLAPPED *ov)
{
    /* bounded wait that must time out: proves it was not cancelled */
    CHECK_EQ(WaitForSingleObject(ov->hEvent, 50), WAIT_TIMEOUT);
    DWORD n = 0, fl = 0;
    CHECK_ERR(WSAGetOverlappedResult(s, ov, &n, FALSE, &fl), FALSE, WSA_IO_INCOMPLETE);
}

int main(void)
{
    test_init();
    tcp_pair(&c, &s);
    t_step = CreateEvent(NULL, FALSE, FALSE, NULL);
    main_step = CreateEvent(NULL, FALSE, FALSE, NULL);
    CHECK(t_step && main_step);
    HANDLE th = CreateThread(NULL, 0, thread_t, NULL, 0, NULL);
    CHECK(th != NULL);

    /* step 1 */
    CHECK_EQ(WaitForSingleObject(t_step, 20000), WAIT_OBJECT_0);
    WSAOVERLAPPED m_ov;
    memset(&m_ov, 0, sizeof m_ov);
    m_ov.hEvent = WSACreateEvent();
    char m_buf[16];
    POST_RECV_PENDING(s, m_buf, sizeof m_buf, &m_ov, NULL);

    /* main's CancelIo: main's receive only */
    CHECK(CancelIo((HANDLE)s));
    expect_cancelled(&m_ov);
    expect_pending(&t_ov[0]);
    expect_pending(&t_ov[1]);

    /* CancelIoEx(h, ov) on T's second receive, from main */
    CHECK(CancelIoEx((HANDLE)s, (LPOVERLAPPED)&t_ov[1]));
    expect_cancelled(&t_ov[1]);
    expect_pending(&t_ov[0]);

    /* step 2: main has a receive pending; T calls CancelIo: only T's (t_ov[0]) go */
    WSAEVENT m_ev = m_ov.hEvent;
    memset(&m_ov, 0, sizeof m_ov);
    m_ov.hEvent = m_ev;
    CHECK(WSAResetEvent(m_ev)); /* issuing resets it too (SPEC B5); not what this test is about */
    POST_RECV_PENDING(s, m_buf, sizeof m_buf, &m_ov, NULL);
    CHECK(SetEvent(main_step));
    CHECK_EQ(WaitForSingleObject(t_step, 20000), WAIT_OBJECT_0);
    expect_cancelled(&t_ov[0]);
    expect_pending(&m_ov);

    /* CancelIoEx(h, NULL) from main cancels everything: here main's own receive */
    CHECK(CancelIoEx((HANDLE)s, NULL));
    expect_cancelled(&m_ov);

    /* step 3: T's routine receive, cancelled from main; its routine runs in T, not here */
    CHECK(SetEvent(main_step));
    CHECK_EQ(WaitForSingleObject(t_step, 20000), WAIT_OBJECT_0);
    CHECK(CancelIoEx((HANDLE)s, NULL));
    WAIT_DONE(s, &t_rec.ov);
    CHECK_EQ(ALERTABLE(SleepEx(50, TRUE)), 0); /* bounded: nothing of T's may run in main */
    CHECK(SetEvent(main_step));

    CHECK_EQ(WaitForSingleObject(th, 20000), WAIT_OBJECT_0);
    DWORD code = 1;
    CHECK(GetExitCodeThread(th, &code));
    CHECK_EQ(code, 0);
    CloseHandle(th);

    /* the connection still works: nothing consumed data */
    send_all(c, "alive", 5);
    char in[5];
    recv_all(s, in, 5);
    CHECK(memcmp(in, "alive", 5) == 0);

    WSACloseEvent(m_ov.hEvent);
    WSACloseEvent(t_ov[0].hEvent);
    WSACloseEvent(t_ov[1].hEvent);
    closesocket(c);
    closesocket(s);
    WSACleanup();
    return 0;
}

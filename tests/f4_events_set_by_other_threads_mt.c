/*
 * SPEC F4 under load: thread A issues overlapped receives (with events) on 8 sockets; thread B
 * waits on all 8 events with WSAWaitForMultipleEvents and consumes every completion (result,
 * pattern check, reset) and asks A to re-issue; the main thread feeds all sockets with plain sends
 * in uneven pieces.  A never waits for the completions itself: phase 1: A spins in a loop that is
 * not ovio at all, polling an atomic "re-issue" mask; phase 2: A sleeps in a non-alertable wait on
 * a different event (B sets it for each request). Every byte must arrive, in order per socket,
 * through events set by A's operations and seen by B.
 */
#include "wait_helpers.h"

#define NS 8
#define PER_SOCKET (96 * 1024)
#define RBUF 1500

static SOCKET c[NS], s[NS];
static WSAOVERLAPPED ov[NS];
static WSAEVENT ev[NS];
static char rbuf[NS][RBUF];
static atomic_uint need; /* bit i: socket i needs a new receive from A */
static atomic_int a_stop;
static HANDLE reissue_ev; /* phase 2: A sleeps on this */
static int phase;

static void a_issue(int i)
{
    memset(&ov[i], 0, sizeof ov[i]);
    ov[i].hEvent = ev[i];
    int rc = post_recv(s[i], rbuf[i], RBUF, &ov[i], NULL);
    ISSUED_OK(rc);
}

static DWORD WINAPI thread_a(LPVOID arg)
{
    (void)arg;
    for (int i = 0; i < NS; i++)
        a_issue(i);
    volatile unsigned long spins = 0;
    while (!atomic_load(&a_stop)) {
        unsigned m = atomic_exchange(&need, 0);
        for (int i = 0; i < NS; i++)
            if (m & (1u << i))
                a_issue(i);
        if (m)
            continue;
        if (phase == 1)
            spins++; /* busy, outside ovio */
        else
            CHECK_EQ(WaitForSingleObject(reissue_ev, INFINITE), WAIT_OBJECT_0); /* not alertable */
    }
    /* B asks for a new receive only while data is still due, so none is left pending. */
    CHECK_EQ(atomic_load(&need), 0);
    for (int i = 0; i < NS; i++)
        CHECK(HasOverlappedIoCompleted((LPOVERLAPPED)&ov[i]));
    return 0;
}

static unsigned long long got[NS];

static DWORD WINAPI thread_b(LPVOID arg)
{
    (void)arg;
    unsigned long long total = 0;
    while (total < (unsigned long long)NS * PER_SOCKET) {
        DWORD w = WSAWaitForMultipleEvents(NS, ev, FALSE, WSA_INFINITE, FALSE);
        CHECK(w < WSA_WAIT_EVENT_0 + NS);
        int i = (int)(w - WSA_WAIT_EVENT_0);
        DWORD n = 0, fl = 0;
        if (!WSAGetOverlappedResult(s[i], &ov[i], &n, FALSE, &fl))
            FAIL("socket %d: result failed with %d after %llu bytes", i, WSAGetLastError(), got[i]);
        CHECK(n > 0);
        long long bad = pattern_check(rbuf[i], n, got[i], 100 + (unsigned)i);
        if (bad >= 0)
            FAIL("socket %d: byte %llu wrong", i, got[i] + (unsigned long long)bad);
        got[i] += n;
        total += n;
        CHECK(WSAResetEvent(ev[i]));
        if (got[i] < PER_SOCKET) {
            atomic_fetch_or(&need, 1u << i);
            if (phase == 2)
                CHECK(SetEvent(reissue_ev));
        }
    }
    return 0;
}

static void run_phase(int p)
{
    phase = p;
    atomic_store(&need, 0);
    atomic_store(&a_stop, 0);
    for (int i = 0; i < NS; i++) {
        tcp_pair(&c[i], &s[i]);
        got[i] = 0;
        CHECK(WSAResetEvent(ev[i]));
    }
    HANDLE ha = CreateThread(NULL, 0, thread_a, NULL, 0, NULL);
    HANDLE hb = CreateThread(NULL, 0, thread_b, NULL, 0, NULL);
    CHECK(ha && hb);

    static char piece[4096];
    unsigned long long sent[NS] = {0};
    int more = 1;
    for (unsigned k = 0; more; k++) {
        more = 0;
        for (int i = 0; i < NS; i++) {
            if (sent[i] >= PER_SOCKET)
                continue;
            size_t len = 1 + (k * 131 + (unsigned)i * 977) % sizeof piece;
            if (len > PER_SOCKET - sent[i])
                len = (size_t)(PER_SOCKET - sent[i]);
            pattern_fill(piece, len, sent[i], 100 + (unsigned)i);
            send_all(c[i], piece, len);
            sent[i] += len;
            more |= sent[i] < PER_SOCKET;
        }
    }
    CHECK_EQ(WaitForSingleObject(hb, 30000), WAIT_OBJECT_0);
    for (int i = 0; i < NS; i++)
        CHECK_EQ(got[i], PER_SOCKET);
    atomic_store(&a_stop, 1);
    CHECK(SetEvent(reissue_ev));
    CHECK_EQ(WaitForSingleObject(ha, 30000), WAIT_OBJECT_0);
    CloseHandle(ha);
    CloseHandle(hb);
    for (int i = 0; i < NS; i++) {
        closesocket(c[i]);
        closesocket(s[i]);
    }
}

int main(void)
{
    test_init();
    reissue_ev = CreateEvent(NULL, FALSE, FALSE, NULL);
    CHECK(reissue_ev != NULL);
    for (int i = 0; i < NS; i++) {
        ev[i] = WSACreateEvent();
        CHECK(ev[i] != WSA_INVALID_EVENT);
    }
    run_phase(1);
    run_phase(2);
    for (int i = 0; i < NS; i++)
        WSACloseEvent(ev[i]);
    CloseHandle(reissue_ev);
    WSACleanup();
    return 0;
}

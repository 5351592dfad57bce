/*
 * SPEC F2: WSAWaitForMultipleEvents(n, events, waitAll, timeout, alertable)
 *  - n from 1 to WSA_MAXIMUM_WAIT_EVENTS (64); 0 or 65: WSA_WAIT_FAILED, WSA_INVALID_PARAMETER;
 *  - a bad handle: WSA_WAIT_FAILED, WSA_INVALID_HANDLE;
 *  - returns WSA_WAIT_EVENT_0 + the LOWEST signalled index; of auto-reset events only the one
 *    reported is consumed;
 *  - WSA_WAIT_TIMEOUT (258) when time ran out and no routine ran; a 0 timeout polls (returns at
 *    once); a finite timeout waits about that long;
 *  - overlapped completions set the events it waits on (the index tells which operation).
 * (WSA_INFINITE never timing out is exercised by the _mt tests, whose waits are infinite.)
 */
#include "wait_helpers.h"

int main(void)
{
    test_init();
    CHECK_EQ(WSA_MAXIMUM_WAIT_EVENTS, 64);
    CHECK_EQ(WSA_WAIT_TIMEOUT, 258);
    CHECK_EQ(WSA_WAIT_EVENT_0, 0);
    CHECK_EQ(WSA_WAIT_FAILED, 0xFFFFFFFFu);
    CHECK_EQ(WSA_INFINITE, 0xFFFFFFFFu);

    static WSAEVENT ev[65];
    for (int i = 0; i < 65; i++) {
        ev[i] = WSACreateEvent();
        CHECK(ev[i] != WSA_INVALID_EVENT);
    }

    /* counts */
    CHECK_ERR(WSAWaitForMultipleEvents(0, ev, FALSE, 0, FALSE), WSA_WAIT_FAILED,
              WSA_INVALID_PARAMETER);
    CHECK_ERR(WSAWaitForMultipleEvents(65, ev, FALSE, 0, FALSE), WSA_WAIT_FAILED,
              WSA_INVALID_PARAMETER);
    CHECK_ERR(WSAWaitForMultipleEvents(65, ev, TRUE, 0, FALSE), WSA_WAIT_FAILED,
              WSA_INVALID_PARAMETER);
    CHECK_EQ(WSAWaitForMultipleEvents(64, ev, FALSE, 0, FALSE), WSA_WAIT_TIMEOUT);
    CHECK(WSASetEvent(ev[63]));
    CHECK_EQ(WSAWaitForMultipleEvents(64, ev, FALSE, 0, FALSE), WSA_WAIT_EVENT_0 + 63);
    CHECK(WSAResetEvent(ev[63]));
    CHECK_EQ(WSAWaitForMultipleEvents(1, ev, FALSE, 0, FALSE), WSA_WAIT_TIMEOUT);

    /* lowest signalled index */
    CHECK(WSASetEvent(ev[5]));
    CHECK(WSASetEvent(ev[3]));
    CHECK(WSASetEvent(ev[40]));
    CHECK_EQ(WSAWaitForMultipleEvents(64, ev, FALSE, 0, FALSE), WSA_WAIT_EVENT_0 + 3);
    CHECK_EQ(WSAWaitForMultipleEvents(64, ev, FALSE, WSA_INFINITE, FALSE), WSA_WAIT_EVENT_0 + 3);
    CHECK_EQ(WSAWaitForMultipleEvents(60, ev + 4, FALSE, 0, FALSE), WSA_WAIT_EVENT_0 + 1);
    CHECK(WSAResetEvent(ev[3]));
    CHECK(WSAResetEvent(ev[5]));
    CHECK(WSAResetEvent(ev[40]));

    /* auto-reset: only the reported one is consumed */
    HANDLE au[4];
    for (int i = 0; i < 4; i++) {
        au[i] = CreateEvent(NULL, FALSE, FALSE, NULL);
        CHECK(au[i] != NULL);
    }
    CHECK(SetEvent(au[1]));
    CHECK(SetEvent(au[3]));
    CHECK_EQ(WSAWaitForMultipleEvents(4, au, FALSE, 0, FALSE), WSA_WAIT_EVENT_0 + 1);
    CHECK_EQ(WSAWaitForMultipleEvents(4, au, FALSE, 0, FALSE), WSA_WAIT_EVENT_0 + 3);
    CHECK_EQ(WSAWaitForMultipleEvents(4, au, FALSE, 0, FALSE), WSA_WAIT_TIMEOUT);
    /* a mix of manual and auto: the manual one at a lower index shields the auto one */
    WSAEVENT mix[2] = {ev[0], au[2]};
    CHECK(WSASetEvent(ev[0]));
    CHECK(SetEvent(au[2]));
    CHECK_EQ(WSAWaitForMultipleEvents(2, mix, FALSE, 0, FALSE), WSA_WAIT_EVENT_0);
    CHECK_EQ(WaitForSingleObject(au[2], 0), WAIT_OBJECT_0); /* still set: not consumed above */
    CHECK(WSAResetEvent(ev[0]));

    /* bad handles */
    WSAEVENT closed = WSACreateEvent();
    CHECK(WSACloseEvent(closed));
    WSAEVENT withbad[3] = {ev[0], closed, ev[1]};
    CHECK_ERR(WSAWaitForMultipleEvents(3, withbad, FALSE, 0, FALSE), WSA_WAIT_FAILED,
              WSA_INVALID_HANDLE);
    WSAEVENT null1[1] = {NULL};
    CHECK_ERR(WSAWaitForMultipleEvents(1, null1, FALSE, 0, FALSE), WSA_WAIT_FAILED,
              WSA_INVALID_HANDLE);

    /* timeouts: 0 polls, a finite timeout waits about that long */
    ULONGLONG t0 = now_ms();
    for (int i = 0; i < 100; i++)
        CHECK_EQ(WSAWaitForMultipleEvents(8, ev, FALSE, 0, FALSE), WSA_WAIT_TIMEOUT);
    CHECK(now_ms() - t0 < 1000); /* 100 polls, none of them waiting */
    t0 = now_ms();
    CHECK_EQ(WSAWaitForMultipleEvents(8, ev, FALSE, 120, FALSE), WSA_WAIT_TIMEOUT);
    ULONGLONG dt = now_ms() - t0;
    if (dt < 100 || dt > 5000)
        FAIL("a 120 ms wait took %llu ms", (unsigned long long)dt);
    t0 = now_ms();
    CHECK_EQ(WSAWaitForMultipleEvents(8, ev, TRUE, 120, FALSE), WSA_WAIT_TIMEOUT);
    CHECK(now_ms() - t0 >= 100);
    /* alertable with nothing queued: still WSA_WAIT_TIMEOUT */
    CHECK_EQ(ALERTABLE(WSAWaitForMultipleEvents(8, ev, FALSE, 20, TRUE)), WSA_WAIT_TIMEOUT);

    /* overlapped completions: the index names the operation that completed */
    enum { K = 5 };
    SOCKET c[K], s[K];
    WSAOVERLAPPED ov[K];
    WSAEVENT oev[K];
    char b[K][8];
    for (int i = 0; i < K; i++) {
        tcp_pair(&c[i], &s[i]);
        memset(&ov[i], 0, sizeof ov[i]);
        oev[i] = ov[i].hEvent = WSACreateEvent();
        POST_RECV_PENDING(s[i], b[i], sizeof b[i], &ov[i], NULL);
    }
    CHECK_EQ(WSAWaitForMultipleEvents(K, oev, FALSE, 30, FALSE), WSA_WAIT_TIMEOUT);
    send_all(c[3], "3", 1);
    CHECK_EQ(WSAWaitForMultipleEvents(K, oev, FALSE, 10000, FALSE), WSA_WAIT_EVENT_0 + 3);
    send_all(c[1], "1", 1);
    /* wait until 1 is done too, then 1 is the lowest */
    CHECK_EQ(WaitForSingleObject(oev[1], 10000), WAIT_OBJECT_0);
    CHECK_EQ(WSAWaitForMultipleEvents(K, oev, FALSE, 0, FALSE), WSA_WAIT_EVENT_0 + 1);
    for (int i = 0; i < K; i++)
        if (i != 1 && i != 3)
            send_all(c[i], "x", 1);
    CHECK_EQ(WSAWaitForMultipleEvents(K, oev, TRUE, 10000, FALSE), WSA_WAIT_EVENT_0);
    for (int i = 0; i < K; i++) {
        DWORD n = 0, fl = 0;
        CHECK(WSAGetOverlappedResult(s[i], &ov[i], &n, FALSE, &fl));
        CHECK_EQ(n, 1);
        WSACloseEvent(oev[i]);
        closesocket(c[i]);
        closesocket(s[i]);
    }

    for (int i = 0; i < 4; i++)
        CloseHandle(au[i]);
    for (int i = 0; i < 65; i++)
        WSACloseEvent(ev[i]);
    WSACleanup();
    return 0;
}

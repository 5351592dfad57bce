/*
 * SPEC F1: WSACreateEvent makes a manual-reset, unsignalled event (WSA_INVALID_EVENT is NULL);
 * WSASetEvent / WSAResetEvent / WSACloseEvent behave as SetEvent / ResetEvent / CloseHandle and the
 * two families work on each other's events; CreateEvent supports auto-reset (consumed by the wait
 * that it satisfies) and an initial state.  Closed or bogus handles fail.
 */
#include "wait_helpers.h"

static DWORD poll1(HANDLE h)
{
    WSAEVENT e = h;
    return WSAWaitForMultipleEvents(1, &e, FALSE, 0, FALSE);
}

int main(void)
{
    test_init();
    CHECK(WSA_INVALID_EVENT == NULL);

    /* WSACreateEvent: manual reset, initially unsignalled */
    WSAEVENT ev = WSACreateEvent();
    CHECK(ev != WSA_INVALID_EVENT);
    CHECK_EQ(poll1(ev), WSA_WAIT_TIMEOUT);
    CHECK_EQ(WaitForSingleObject(ev, 0), WAIT_TIMEOUT);
    CHECK(WSASetEvent(ev));
    for (int i = 0; i < 3; i++) { /* manual reset: waits do not consume it */
        CHECK_EQ(poll1(ev), WSA_WAIT_EVENT_0);
        CHECK_EQ(WaitForSingleObject(ev, 0), WAIT_OBJECT_0);
    }
    CHECK(WSASetEvent(ev)); /* setting a set event is fine */
    CHECK(WSAResetEvent(ev));
    CHECK_EQ(poll1(ev), WSA_WAIT_TIMEOUT);
    CHECK(WSAResetEvent(ev)); /* resetting an unset event is fine */
    CHECK_EQ(poll1(ev), WSA_WAIT_TIMEOUT);

    /* the families mix: SetEvent/ResetEvent on a WSA event, WSA* on a CreateEvent event */
    CHECK(SetEvent(ev));
    CHECK_EQ(poll1(ev), WSA_WAIT_EVENT_0);
    CHECK(ResetEvent(ev));
    CHECK_EQ(WaitForSingleObject(ev, 0), WAIT_TIMEOUT);

    HANDLE man = CreateEvent(NULL, TRUE, FALSE, NULL);
    CHECK(man != NULL);
    CHECK(WSASetEvent(man));
    CHECK_EQ(WaitForSingleObject(man, 0), WAIT_OBJECT_0);
    CHECK_EQ(WaitForSingleObject(man, 0), WAIT_OBJECT_0);
    CHECK(WSAResetEvent(man));
    CHECK_EQ(poll1(man), WSA_WAIT_TIMEOUT);
    CHECK(WSACloseEvent(man));

    /* CreateEvent: auto reset, consumed by one satisfied wait */
    HANDLE au = CreateEvent(NULL, FALSE, FALSE, NULL);
    CHECK(au != NULL);
    CHECK_EQ(WaitForSingleObject(au, 0), WAIT_TIMEOUT);
    CHECK(SetEvent(au));
    CHECK(SetEvent(au)); /* no count: still just "set" */
    CHECK_EQ(WaitForSingleObject(au, 0), WAIT_OBJECT_0);
    CHECK_EQ(WaitForSingleObject(au, 0), WAIT_TIMEOUT);
    CHECK(WSASetEvent(au));
    CHECK_EQ(poll1(au), WSA_WAIT_EVENT_0);
    CHECK_EQ(poll1(au), WSA_WAIT_TIMEOUT);
    /* a wait that times out does not change it; a reset clears it */
    CHECK(SetEvent(au));
    CHECK(ResetEvent(au));
    CHECK_EQ(WaitForSingleObject(au, 0), WAIT_TIMEOUT);
    CHECK(CloseHandle(au));

    /* initial state */
    HANDLE au_set = CreateEvent(NULL, FALSE, TRUE, NULL);
    HANDLE man_set = CreateEvent(NULL, TRUE, TRUE, NULL);
    CHECK(au_set != NULL && man_set != NULL);
    CHECK_EQ(WaitForSingleObject(au_set, 0), WAIT_OBJECT_0);
    CHECK_EQ(WaitForSingleObject(au_set, 0), WAIT_TIMEOUT);
    CHECK_EQ(WaitForSingleObject(man_set, 0), WAIT_OBJECT_0);
    CHECK_EQ(WaitForSingleObject(man_set, 0), WAIT_OBJECT_0);
    CHECK(CloseHandle(au_set));
    CHECK(WSACloseEvent(man_set)); /* WSACloseEvent closes a CreateEvent event too */

    /* distinct events are independent */
    WSAEVENT a = WSACreateEvent(), b = WSACreateEvent();
    CHECK(a != WSA_INVALID_EVENT && b != WSA_INVALID_EVENT && a != b);
    CHECK(WSASetEvent(a));
    CHECK_EQ(poll1(b), WSA_WAIT_TIMEOUT);
    CHECK(WSACloseEvent(a));
    CHECK(WSACloseEvent(b));

    /* closed and bogus handles fail */
    CHECK(WSACloseEvent(ev));
    CHECK(!WSASetEvent(ev));
    CHECK_EQ(WSAGetLastError(), WSA_INVALID_HANDLE);
    CHECK(!WSAResetEvent(ev));
    CHECK_EQ(WSAGetLastError(), WSA_INVALID_HANDLE);
    CHECK(!WSACloseEvent(ev));
    CHECK_EQ(WSAGetLastError(), WSA_INVALID_HANDLE);
    CHECK(!SetEvent(ev));
    CHECK_EQ(GetLastError(), ERROR_INVALID_HANDLE);
    CHECK(!ResetEvent(NULL));
    CHECK_EQ(GetLastError(), ERROR_INVALID_HANDLE);
    CHECK(!CloseHandle(ev));
    CHECK_EQ(GetLastError(), ERROR_INVALID_HANDLE);
    CHECK_EQ(WaitForSingleObject(ev, 0), WAIT_FAILED);
    CHECK_EQ(GetLastError(), ERROR_INVALID_HANDLE);

    /* many events: creation does not fail early */
    static WSAEVENT many[1000];
    for (int i = 0; i < 1000; i++) {
        many[i] = WSACreateEvent();
        CHECK(many[i] != WSA_INVALID_EVENT);
    }
    CHECK(WSASetEvent(many[999]));
    CHECK_EQ(poll1(many[999]), WSA_WAIT_EVENT_0);
    CHECK_EQ(poll1(many[998]), WSA_WAIT_TIMEOUT);
    for (int i = 0; i < 1000; i++)
        CHECK(WSACloseEvent(many[i]));

    WSACleanup();
    return 0;
}

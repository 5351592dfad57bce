/*
 * Found by fuzz/fuzz_winsock.c (make fuzz).  SPEC A3 (and WSASend's documentation): when the
 * call returns SOCKET_ERROR with an error other than WSA_IO_PENDING, the operation was not
 * started and no completion indication follows - programs free their context then (the
 * completion-routine echo server does).  ovio, when a send's first attempt takes part of the data
 * and the next attempt inside the same call fails (here EFAULT: the second buffer is a PROT_NONE
 * page; in real life a reset arriving in the middle of a large send), completes the operation -
 * sets the event, queues the completion routine, writes the final status into the OVERLAPPED -
 * and also returns SOCKET_ERROR with that error.  A program that trusts the error frees its
 * OVERLAPPED, and the routine then runs on freed memory.
 * Fuzzer input: 60 93 93 8e 93 93 7e 93 93 7e f9 27.
 */
#include "helpers.h"

#include <sys/mman.h>

static int calls;
static DWORD routine_err;

static void CALLBACK routine(DWORD err, DWORD bytes, LPWSAOVERLAPPED ov, DWORD flags)
{
    (void)bytes;
    (void)ov;
    (void)flags;
    calls++;
    routine_err = err;
}

int main(void)
{
    test_init();
    char *guard = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(guard != MAP_FAILED);
    static char data[20480];
    for (int variant = 0; variant < 2; variant++) {
        SOCKET c, s;
        tcp_pair(&c, &s);
        /* As the fuzzer had it: 16 KiB queued first, then a send whose third buffer faults; the
         * kernel takes the first buffer, and the retry inside WSASend faults. */
        send_all(c, data, 16384);
        WSABUF w[3] = {{16384, data}, {4096, data + 16384}, {4096, guard}};
        WSAOVERLAPPED ov;
        memset(&ov, 0, sizeof ov);
        WSAEVENT ev = WSACreateEvent();
        if (variant == 1)
            ov.hEvent = ev;
        calls = 0;
        int rc = WSASend(c, w, 3, NULL, 0, &ov, variant == 0 ? routine : NULL);
        int err = WSAGetLastError();
        printf("%s: WSASend = %d, error %d, Internal %#lx, InternalHigh %lu\n",
               variant == 0 ? "routine" : "event", rc, err, (unsigned long)ov.Internal,
               (unsigned long)ov.InternalHigh);
        if (rc == 0 || err == WSA_IO_PENDING) {
            /* reported as started: then the notification is due, and that is consistent */
            printf("the call reported the operation as started; nothing to check\n");
        } else {
            SleepEx(50, TRUE);
            if (variant == 0 && calls)
                FAIL("WSASend failed at once with %d, yet its completion routine ran (error %lu)",
                     err, (unsigned long)routine_err);
            if (variant == 1 && WaitForSingleObject(ev, 0) == WAIT_OBJECT_0)
                FAIL("WSASend failed at once with %d, yet its event was set", err);
            if (ov.Internal != 0 && ov.Internal != STATUS_PENDING)
                FAIL("WSASend failed at once with %d, yet the OVERLAPPED holds a final status "
                     "%#lx (the operation was completed)",
                     err, (unsigned long)ov.Internal);
        }
        WSACloseEvent(ev);
        closesocket(c);
        closesocket(s);
    }
    munmap(guard, 4096);
    WSACleanup();
    return 0;
}

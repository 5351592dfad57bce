/*
 * SPEC B1: WSAOVERLAPPED has Windows' layout - Internal, InternalHigh, then Offset/OffsetHigh in a
 * union with Pointer, then hEvent (32 bytes on x64) - and is the same type as OVERLAPPED, so an
 * LPWSAOVERLAPPED goes wherever an LPOVERLAPPED does (CancelIoEx, GetQueuedCompletionStatus) with
 * no cast.  Programs embed it as the first member of their own struct and cast the pointer the
 * library hands back (completion routine, WSAGetOverlappedResult) to that struct.
 */
#include "ov_helpers.h"

#include <stddef.h>

_Static_assert(sizeof(WSAOVERLAPPED) == 32, "WSAOVERLAPPED is 32 bytes on x64 Windows");
_Static_assert(offsetof(WSAOVERLAPPED, Internal) == 0, "Internal");
_Static_assert(offsetof(WSAOVERLAPPED, InternalHigh) == 8, "InternalHigh");
_Static_assert(offsetof(WSAOVERLAPPED, Offset) == 16, "Offset");
_Static_assert(offsetof(WSAOVERLAPPED, OffsetHigh) == 20, "OffsetHigh");
_Static_assert(offsetof(WSAOVERLAPPED, Pointer) == 16, "Pointer shares Offset's place");
_Static_assert(offsetof(WSAOVERLAPPED, hEvent) == 24, "hEvent");
_Static_assert(sizeof(((WSAOVERLAPPED *)0)->Internal) == 8, "Internal is ULONG_PTR");
_Static_assert(sizeof(((WSAOVERLAPPED *)0)->InternalHigh) == 8, "InternalHigh is ULONG_PTR");
_Static_assert(sizeof(((WSAOVERLAPPED *)0)->Offset) == 4, "Offset is DWORD");
_Static_assert(sizeof(((WSAOVERLAPPED *)0)->OffsetHigh) == 4, "OffsetHigh is DWORD");
_Static_assert(sizeof(((WSAOVERLAPPED *)0)->hEvent) == sizeof(void *), "hEvent is a HANDLE");
/* One type: MinGW and the SDK make WSAOVERLAPPED the OVERLAPPED struct itself. */
_Static_assert(_Generic((LPWSAOVERLAPPED)0, LPOVERLAPPED : 1, default : 0),
               "LPWSAOVERLAPPED is LPOVERLAPPED");
_Static_assert(_Generic((WSAOVERLAPPED *)0, OVERLAPPED * : 1, default : 0),
               "WSAOVERLAPPED is OVERLAPPED");
_Static_assert(_Generic((WSAEVENT)0, HANDLE : 1, default : 0), "WSAEVENT is HANDLE");

/* A program's per-operation record, OVERLAPPED first. */
struct io_ctx {
    WSAOVERLAPPED ov;
    int tag;
    WSABUF wb;
    char buf[32];
};

static int calls;
static struct io_ctx *seen;

static void CALLBACK routine(DWORD err, DWORD bytes, LPWSAOVERLAPPED ov, DWORD flags)
{
    (void)flags;
    struct io_ctx *ctx = (struct io_ctx *)ov; /* the cast programs do */
    CHECK_EQ(err, 0);
    CHECK_EQ(ctx->tag, 0x7a6);
    CHECK_EQ(bytes, 4);
    CHECK(memcmp(ctx->buf, "ping", 4) == 0);
    seen = ctx;
    calls++;
}

int main(void)
{
    test_init();
    SOCKET c, s;
    tcp_pair(&c, &s);

    /* Completion routine: the LPWSAOVERLAPPED it gets is the embedded member, so the cast back
     * reaches the program's record. */
    struct io_ctx *ctx = calloc(1, sizeof *ctx);
    CHECK(ctx != NULL);
    ctx->tag = 0x7a6;
    ctx->wb.len = sizeof ctx->buf;
    ctx->wb.buf = ctx->buf;
    DWORD n, flags = 0;
    CHECK_ERR(WSARecv(s, &ctx->wb, 1, &n, &flags, &ctx->ov, routine), SOCKET_ERROR, WSA_IO_PENDING);
    send_all(c, "ping", 4);
    CHECK_EQ(SleepEx(DUE_MS, TRUE), WAIT_IO_COMPLETION);
    CHECK_EQ(calls, 1);
    CHECK(seen == ctx);

    /* The library writes the fields at Windows' offsets: read them as raw bytes. */
    unsigned char raw[32];
    memcpy(raw, &ctx->ov, sizeof raw);
    uint64_t internal, internal_high;
    memcpy(&internal, raw + 0, 8);
    memcpy(&internal_high, raw + 8, 8);
    CHECK_EQ(internal, 0);
    CHECK_EQ(internal_high, 4);

    /* Event-based with the record in the middle of a bigger struct, found back with
     * CONTAINING_RECORD, and the OVERLAPPED passed as LPOVERLAPPED to a kernel32 call. */
    struct outer {
        int before;
        struct io_ctx io;
    } *o = calloc(1, sizeof *o);
    CHECK(o != NULL);
    o->io.tag = 0x7a6;
    o->io.wb.len = sizeof o->io.buf;
    o->io.wb.buf = o->io.buf;
    o->io.ov.hEvent = ovt_event();
    flags = 0;
    CHECK_ERR(WSARecv(s, &o->io.wb, 1, &n, &flags, &o->io.ov, NULL), SOCKET_ERROR, WSA_IO_PENDING);
    LPOVERLAPPED as_plain = &o->io.ov; /* no cast: same type */
    CHECK(HasOverlappedIoCompleted(as_plain) == FALSE);
    send_all(c, "pong", 4);
    WAIT_SET(o->io.ov.hEvent);
    CHECK(WSAGetOverlappedResult(s, as_plain, &n, FALSE, &flags));
    CHECK_EQ(n, 4);
    struct io_ctx *back = CONTAINING_RECORD(as_plain, struct io_ctx, ov);
    CHECK(back == &o->io);
    CHECK(memcmp(back->buf, "pong", 4) == 0);

    WSACloseEvent(o->io.ov.hEvent);
    free(o);
    free(ctx);
    closesocket(c);
    closesocket(s);
    WSACleanup();
    return 0;
}

/* Reference echo server on libuv: what a mainstream portable event
 * library achieves with the usual idioms.
 *
 * Each connection owns one buffer, allocated together with the handle;
 * alloc_cb always hands out that buffer, so the steady state allocates
 * nothing. Echoes go out with uv_try_write. Only when the socket takes
 * part of it is the remainder copied into a uv_write request, and reading
 * pauses until that write finishes, which bounds memory per connection
 * and keeps the buffer free for the next read (the same flow control as
 * the epoll and io_uring references).
 *
 * Usage: ref_uv_echo PORT  (127.0.0.1, prints "ready", SIGTERM/SIGINT
 * ends it with status 0). */
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#define BUF_SIZE (16 * 1024)
#define BACKLOG 511

struct conn {
    uv_tcp_t tcp; /* first member: a handle pointer is a conn pointer */
    char buf[BUF_SIZE];
};

struct pending_write {
    uv_write_t req;
    char data[];
};

static uv_loop_t *loop;
static uv_tcp_t server;
static uv_signal_t sig_term, sig_int;

static void on_conn_closed(uv_handle_t *h)
{
    free(h); /* == the conn */
}

static void close_conn(uv_stream_t *s)
{
    if (!uv_is_closing((uv_handle_t *)s))
        uv_close((uv_handle_t *)s, on_conn_closed);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    struct conn *c = (struct conn *)h;
    *buf = uv_buf_init(c->buf, BUF_SIZE);
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf);

static void on_write_done(uv_write_t *req, int status)
{
    uv_stream_t *s = req->handle;
    free(req);
    /* ECANCELED here means the handle is already closing. */
    if (status < 0 || uv_is_closing((uv_handle_t *)s)) {
        close_conn(s);
        return;
    }
    if (uv_read_start(s, on_alloc, on_read) != 0)
        close_conn(s);
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    if (nread < 0) { /* UV_EOF or a socket error */
        close_conn(s);
        return;
    }
    if (nread == 0) /* libuv's EAGAIN */
        return;
    uv_buf_t out = uv_buf_init(buf->base, (unsigned)nread);
    int n = uv_try_write(s, &out, 1);
    if (n == nread)
        return;
    if (n == UV_EAGAIN)
        n = 0;
    else if (n < 0) {
        close_conn(s);
        return;
    }
    size_t rest = (size_t)nread - (size_t)n;
    struct pending_write *w = malloc(sizeof *w + rest);
    if (!w) {
        close_conn(s);
        return;
    }
    memcpy(w->data, buf->base + n, rest);
    uv_buf_t wb = uv_buf_init(w->data, (unsigned)rest);
    uv_read_stop(s);
    if (uv_write(&w->req, s, &wb, 1, on_write_done) != 0) {
        free(w);
        close_conn(s);
    }
}

static void on_connection(uv_stream_t *srv, int status)
{
    static int warned;
    if (status < 0) {
        if (!warned++)
            fprintf(stderr, "ref_uv_echo: listen: %s\n", uv_strerror(status));
        return;
    }
    struct conn *c = malloc(sizeof *c);
    if (!c)
        return; /* stays in the backlog; retried on the next wakeup */
    uv_tcp_init(loop, &c->tcp);
    if (uv_accept(srv, (uv_stream_t *)&c->tcp) != 0) {
        uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
        return;
    }
    uv_tcp_nodelay(&c->tcp, 1);
    if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) != 0)
        close_conn((uv_stream_t *)&c->tcp);
}

static void close_any(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (uv_is_closing(h))
        return;
    /* Connections are the only heap-allocated handles. */
    int is_conn = h->type == UV_TCP && h != (uv_handle_t *)&server;
    uv_close(h, is_conn ? on_conn_closed : NULL);
}

static void on_signal(uv_signal_t *sig, int signum)
{
    (void)signum;
    /* Closing every handle lets uv_run return by itself. */
    uv_walk(sig->loop, close_any, NULL);
}

int main(int argc, char **argv)
{
    char *end;
    long port = argc == 2 ? strtol(argv[1], &end, 10) : 0;
    if (argc != 2 || *end != '\0' || port < 1 || port > 65535) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    loop = uv_default_loop();

    struct sockaddr_in sa;
    uv_ip4_addr("127.0.0.1", (int)port, &sa);
    uv_tcp_init(loop, &server);
    /* libuv sets SO_REUSEADDR on TCP binds itself. */
    int r = uv_tcp_bind(&server, (const struct sockaddr *)&sa, 0);
    if (r == 0)
        r = uv_listen((uv_stream_t *)&server, BACKLOG, on_connection);
    if (r != 0) {
        fprintf(stderr, "ref_uv_echo: listen on %ld: %s\n", port, uv_strerror(r));
        return 1;
    }
    uv_signal_init(loop, &sig_term);
    uv_signal_init(loop, &sig_int);
    uv_signal_start(&sig_term, on_signal, SIGTERM);
    uv_signal_start(&sig_int, on_signal, SIGINT);

    printf("ready\n");
    fflush(stdout);

    uv_run(loop, UV_RUN_DEFAULT);
    return uv_loop_close(loop) == 0 ? 0 : 1;
}

/*
 * http_conn.c — one HTTP connection on a libuv loop: read, parse (http_parse.c), dispatch one
 * request at a time, write the response, keep alive or close. Also gy_http_respond and
 * gy_http_req_post, the two calls other threads make. Thread model and locks: see http.c.
 *
 * Connection states (field state) and the transitions:
 *   READING  --request complete/fault (conn_dispatch)-->      HANDLING   (reading stopped)
 *   HANDLING --gy_http_respond (respond_on_loop)-->           WRITING
 *   WRITING  --write done, keep-alive (on_write)-->           READING    (buffered bytes first)
 *   WRITING  --write done, close_after (on_write)-->          LINGER     (shutdown, discard input)
 *   any      --error, EOF, timeout, stop (conn_close)-->      closed     (handles closing)
 * Deadlines: a new connection must deliver a complete request header within header_timeout_ms
 * of opening; a keep-alive connection may idle idle_timeout_ms, then has header_timeout_ms from
 * its next request's first byte; a body has idle_timeout_ms from the end of its header.
 * Caps: a connection that waits for a request (nothing or only part of a header received, or
 * lingering after its last response) is "evictable" and sits on the loop's wait list, oldest
 * first. At the overall cap or at the peer address's cap, a new connection evicts the oldest
 * evictable connection (of that peer, for the peer cap); only when none exists is the new one
 * closed at once. So idle or slow sockets, however many, never lock a new client out.
 * Memory: the struct is freed when refs reaches 0; refs counts the two open handles (tcp, timer)
 * plus one while a request is dispatched (cur != NULL). A request stays valid after its client
 * went away until gy_http_respond was called for it and its write completed or failed.
 */
#include "net/http_int.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "core/log.h"
#include "core/mem.h"

#define LINGER_MS 2000                /* at most this long discarding input before closing */
#define LINGER_MAX_BYTES (256 * 1024) /* ... and at most this much of it */

enum conn_state {
    CS_READING,  /* waiting for or receiving a request; reading from the socket */
    CS_HANDLING, /* the request is with the handler or fault callback; reading paused */
    CS_WRITING,  /* the response is being written */
    CS_LINGER,   /* final response written, write side shut down: discarding input */
};

struct gy_http__conn {
    uv_tcp_t tcp;               /* the socket; data points to this conn */
    uv_timer_t timer;           /* idle / slow-client / slow-reader / linger deadline */
    uv_write_t wreq;            /* the response write */
    uv_write_t creq;            /* the "100 Continue" write */
    uv_shutdown_t sreq;         /* shutdown before lingering */
    struct gy_http__loop *loop; /* owning loop */
    struct gy_http__conn *prev; /* loop->conns list */
    struct gy_http__conn *next; /* loop->conns list */
    struct gy_http__rx rx;      /* request reader */
    struct gy_buf pend;         /* bytes read past a complete request (pipelining) */
    size_t pend_off;            /* bytes of pend already parsed */
    struct gy_http_req *cur;    /* dispatched request (HANDLING/WRITING), or NULL */
    enum conn_state state;      /* see the diagram above */
    int refs;                   /* open handles + (cur != NULL) */
    size_t linger_bytes;        /* bytes discarded while lingering */
    bool reading;               /* uv_read_start is active */
    bool close_after;           /* close after the current response */
    bool closed;                /* conn_close ran; handles are closing */
    bool continue_busy;         /* the 100 Continue write is in flight */
    bool peer_eof;              /* the client closed its side while a request was in flight */
    bool waiting;               /* on the loop's wait list (evictable) */
    bool served;                /* a response was written (the header deadline then starts at
                                   a request's first byte, not at accept) */
    struct gy_http__conn *wprev; /* loop->wait_head list */
    struct gy_http__conn *wnext; /* loop->wait_head list */
    uint8_t peer[16];           /* peer IP address (4 or 16 bytes, no port) */
    uint8_t peer_len;           /* bytes of peer used; 0 when unknown */
    char remote[64];            /* peer address text */
};

static const char continue_line[] = "HTTP/1.1 100 Continue\r\n\r\n";

static void conn_resume(struct gy_http__conn *c);

/* ---------------------------------------------------------------- lifetime */

static void conn_free(struct gy_http__conn *c)
{
    struct gy_http__loop *loop = c->loop;
    gy_http__rx_fini(&c->rx);
    gy_buf_fini(&c->pend);
    atomic_fetch_sub(&loop->srv->nconns, 1);
    gy_free(c);
    gy_http__loop_check_exit(loop);
}

static void conn_unref(struct gy_http__conn *c)
{
    gy_assert(c->refs > 0);
    if (--c->refs == 0)
        conn_free(c);
}

static void on_handle_closed(uv_handle_t *h)
{
    conn_unref(h->data);
}

/* ---------------------------------------------------------------- wait list (evictable) */

static void wait_add(struct gy_http__conn *c)
{
    struct gy_http__loop *loop = c->loop;
    if (c->waiting || c->closed)
        return;
    c->waiting = true;
    c->wnext = NULL;
    c->wprev = loop->wait_tail;
    if (loop->wait_tail)
        loop->wait_tail->wnext = c;
    else
        loop->wait_head = c;
    loop->wait_tail = c;
}

static void wait_del(struct gy_http__conn *c)
{
    struct gy_http__loop *loop = c->loop;
    if (!c->waiting)
        return;
    c->waiting = false;
    if (c->wprev)
        c->wprev->wnext = c->wnext;
    else
        loop->wait_head = c->wnext;
    if (c->wnext)
        c->wnext->wprev = c->wprev;
    else
        loop->wait_tail = c->wprev;
    c->wprev = c->wnext = NULL;
}

static bool same_peer(const struct gy_http__conn *a, const struct gy_http__conn *b)
{
    return a->peer_len && a->peer_len == b->peer_len && memcmp(a->peer, b->peer, a->peer_len) == 0;
}

/* Close the socket now; a dispatched request stays alive until it is finished. */
static void conn_close(struct gy_http__conn *c)
{
    if (c->closed)
        return;
    struct gy_http__loop *loop = c->loop;
    wait_del(c);
    c->closed = true;
    c->reading = false;
    if (c->prev)
        c->prev->next = c->next;
    else
        loop->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->prev = c->next = NULL;
    loop->nconns--;
    uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
    uv_close((uv_handle_t *)&c->timer, on_handle_closed);
    gy_http__loop_check_exit(loop);
}

static void on_timeout(uv_timer_t *t)
{
    struct gy_http__conn *c = t->data;
    gy_log_debug("http: closing %s after a timeout", c->remote);
    conn_close(c);
}

static void arm_timer(struct gy_http__conn *c, int ms)
{
    if (!c->closed)
        uv_timer_start(&c->timer, on_timeout, (uint64_t)ms, 0);
}

/* Destroy a finished request and drop its reference on the connection. */
static void req_finish(struct gy_http__conn *c, struct gy_http_req *req)
{
    struct gy_http__loop *loop = c->loop;
    gy_assert(c->cur == req);
    c->cur = NULL;
    loop->live_reqs--;
    gy_arena_destroy(req->arena);
    conn_unref(c);
    gy_http__loop_check_exit(loop);
}

/* ---------------------------------------------------------------- reading */

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    struct gy_http__conn *c = h->data;
    buf->base = c->loop->readbuf;
    buf->len = sizeof(c->loop->readbuf);
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf);

static void read_start(struct gy_http__conn *c)
{
    if (c->reading || c->closed)
        return;
    if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) < 0) {
        conn_close(c);
        return;
    }
    c->reading = true;
}

static void read_stop(struct gy_http__conn *c)
{
    if (!c->reading)
        return;
    uv_read_stop((uv_stream_t *)&c->tcp);
    c->reading = false;
}

static void default_fault(struct gy_http_req *req, enum gy_http_fault fault)
{
    int status = gy_http_fault_status(fault);
    gy_http_respond(req, status, NULL, 0, gy_str_c(gy_http_reason(status)));
}

/* Hand a request (or a fault) to the application; reading pauses until the response is out. */
static void conn_dispatch(struct gy_http__conn *c, struct gy_http_req *req, bool is_fault,
                          enum gy_http_fault fault)
{
    struct gy_http__loop *loop = c->loop;
    const struct gy_http_config *cfg = &loop->srv->cfg;

    /* Reading goes on while the request is handled (bytes are kept in pend, boundedly): stopping
     * and restarting it costs two epoll_ctl calls per request (docs/performance.md). */
    uv_timer_stop(&c->timer);
    wait_del(c);
    c->cur = req;
    c->refs++;
    loop->live_reqs++;
    c->state = CS_HANDLING;
    req->priv.conn = c;
    memcpy(req->remote_addr, c->remote, sizeof(req->remote_addr));
    if (!req->priv.keep_alive || loop->stopping)
        c->close_after = true;
    if (!is_fault) {
        cfg->handler(req, cfg->ctx);
        return;
    }
    gy_log_debug("http: fault %d from %s", (int)fault, c->remote);
    if (cfg->fault)
        cfg->fault(req, fault, cfg->ctx);
    else
        default_fault(req, fault);
}

/* Parse bytes; dispatches at most one request or fault. Returns the bytes consumed. */
static size_t conn_parse(struct gy_http__conn *c, const char *data, size_t len)
{
    size_t n = gy_http__rx_execute(&c->rx, data, len);
    if (c->rx.state == GY_HTTP__RX_DONE) {
        conn_dispatch(c, gy_http__rx_take(&c->rx), false, 0);
    } else if (c->rx.state == GY_HTTP__RX_FAULT) {
        enum gy_http_fault fault;
        struct gy_http_req *req = gy_http__rx_take_fault(&c->rx, &fault);
        conn_dispatch(c, req, true, fault);
    }
    return n;
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    struct gy_http__conn *c = s->data;
    if (nread == 0)
        return;
    if (nread < 0) {
        if (c->state == CS_HANDLING || c->state == CS_WRITING) {
            /* The client closed its side (or failed) mid-request: answer it if we still can,
             * then close (conn_resume). A real failure surfaces when the response is written. */
            c->peer_eof = true;
            read_stop(c);
            return;
        }
        conn_close(c);
        return;
    }
    if (c->state == CS_LINGER) {
        c->linger_bytes += (size_t)nread;
        if (c->linger_bytes > LINGER_MAX_BYTES)
            conn_close(c);
        return;
    }
    if (c->state == CS_HANDLING || c->state == CS_WRITING) {
        /* Pipelined bytes (or a stray read) while a request is in flight: keep them for after
         * the response, and stop reading before the buffer could overflow (backpressure). */
        if (!c->close_after) {
            int rc = gy_buf_append(&c->pend, buf->base, (size_t)nread);
            gy_assert(rc == 0);
        }
        if (c->pend.max - c->pend.len < sizeof(c->loop->readbuf))
            read_stop(c);
        return;
    }
    gy_assert(c->state == CS_READING && c->pend.len == 0);
    size_t n = conn_parse(c, buf->base, (size_t)nread);
    if (!c->closed && c->cur && n < (size_t)nread && !c->close_after) {
        /* Pipelined bytes after the request: keep them for after the response. */
        int rc = gy_buf_append(&c->pend, buf->base + n, (size_t)nread - n);
        gy_assert(rc == 0);
        c->pend_off = 0;
    }
}

/* After a response: parse buffered pipelined bytes, then read again. */
static void conn_resume(struct gy_http__conn *c)
{
    while (c->pend_off < c->pend.len) {
        size_t n = conn_parse(c, c->pend.p + c->pend_off, c->pend.len - c->pend_off);
        c->pend_off += n;
        if (c->closed || c->state != CS_READING)
            return; /* a request was dispatched; the rest waits */
        if (n == 0)
            break;
    }
    gy_buf_reset(&c->pend);
    c->pend_off = 0;
    if (c->peer_eof) {
        conn_close(c); /* nothing more will come */
        return;
    }
    read_start(c);
}

/*
 * rx hooks: a request's first byte starts its header deadline (a new connection's runs from
 * accept); a complete header ends evictability and starts the body's deadline; Expect:
 * 100-continue gets its 100.
 */
static int header_ms(const struct gy_http__conn *c)
{
    const struct gy_http_config *cfg = &c->loop->srv->cfg;
    return cfg->header_timeout_ms < cfg->idle_timeout_ms ? cfg->header_timeout_ms
                                                         : cfg->idle_timeout_ms;
}

static void hook_begin(struct gy_http__rx *rx)
{
    struct gy_http__conn *c = rx->hooks_ctx;
    if (c->served)
        arm_timer(c, header_ms(c));
}

static void hook_headers(struct gy_http__rx *rx)
{
    struct gy_http__conn *c = rx->hooks_ctx;
    wait_del(c);
    arm_timer(c, c->loop->srv->cfg.idle_timeout_ms);
}

static void on_continue_written(uv_write_t *w, int status)
{
    struct gy_http__conn *c = w->data;
    c->continue_busy = false;
}

static void hook_continue(struct gy_http__rx *rx)
{
    struct gy_http__conn *c = rx->hooks_ctx;
    if (c->continue_busy || c->closed)
        return;
    uv_buf_t b = uv_buf_init((char *)continue_line, sizeof(continue_line) - 1);
    c->creq.data = c;
    if (uv_write(&c->creq, (uv_stream_t *)&c->tcp, &b, 1, on_continue_written) == 0)
        c->continue_busy = true;
}

static const struct gy_http__rx_hooks conn_hooks = {
    .on_begin = hook_begin,
    .on_continue = hook_continue,
    .on_headers = hook_headers,
};

/* ---------------------------------------------------------------- writing */

static void on_shutdown(uv_shutdown_t *r, int status)
{
    struct gy_http__conn *c = r->data;
    if (status < 0)
        conn_close(c);
}

/*
 * Close politely after a final response: shut down our side, then discard what the client still
 * sends (briefly, boundedly), so that closing with unread input does not reset the connection
 * before the client has read the response.
 */
static void conn_linger(struct gy_http__conn *c)
{
    c->state = CS_LINGER;
    gy_buf_fini(&c->pend);
    c->pend_off = 0;
    int ms = c->loop->srv->cfg.idle_timeout_ms;
    arm_timer(c, ms < LINGER_MS ? ms : LINGER_MS);
    wait_add(c);
    c->sreq.data = c;
    if (uv_shutdown(&c->sreq, (uv_stream_t *)&c->tcp, on_shutdown) < 0) {
        conn_close(c);
        return;
    }
    read_start(c);
}

static void on_write(uv_write_t *w, int status)
{
    struct gy_http__conn *c = w->data;
    struct gy_http_req *req = c->cur;
    if (status < 0 || c->closed) {
        conn_close(c);
        req_finish(c, req);
        return;
    }
    req_finish(c, req); /* c survives: its handles are still open */
    c->served = true;
    if (c->close_after) {
        conn_linger(c);
        return;
    }
    c->state = CS_READING;
    arm_timer(c, c->loop->srv->cfg.idle_timeout_ms);
    wait_add(c);
    conn_resume(c);
}

static const char *loop_date(struct gy_http__loop *loop)
{
    int64_t now = (int64_t)time(NULL);
    if (now != loop->date_sec) {
        gy_http__date(now, loop->date);
        loop->date_sec = now;
    }
    return loop->date;
}

/* Write the response of the connection's current request (loop thread). */
static void respond_on_loop(struct gy_http_req *req)
{
    struct gy_http__conn *c = req->priv.conn;
    struct gy_http__loop *loop = c->loop;
    if (c->closed) {
        req_finish(c, req); /* the client is gone: drop the response */
        return;
    }
    gy_assert(c->state == CS_HANDLING && c->cur == req);

    int status = req->priv.status;
    if (status < 200 || status > 599)
        status = 500;
    bool keep = !c->close_after && req->priv.keep_alive && !req->priv.fault && !loop->stopping;
    if (!keep)
        c->close_after = true;
    enum gy_http__conn_hdr ch = !keep                  ? GY_HTTP__CONN_CLOSE
                                : req->http_minor == 0 ? GY_HTTP__CONN_KEEP_ALIVE
                                                       : GY_HTTP__CONN_NONE;
    struct gy_str body = req->priv.body;
    if (gy_http__status_bodyless(status))
        body = GY_STR_NULL;
    struct gy_str head = gy_http__format_head(req->arena, status, req->priv.headers,
                                              req->priv.nheaders, body.len, ch, loop_date(loop));
    uv_buf_t bufs[2];
    unsigned nbufs = 1;
    bufs[0] = uv_buf_init((char *)head.p, (unsigned)head.len);
    if (body.len > 0 && !req->priv.head) {
        gy_assert(body.len <= UINT32_MAX);
        bufs[1] = uv_buf_init((char *)body.p, (unsigned)body.len);
        nbufs = 2;
    }
    c->state = CS_WRITING;
    arm_timer(c, loop->srv->cfg.idle_timeout_ms);
    c->wreq.data = c;
    if (uv_write(&c->wreq, (uv_stream_t *)&c->tcp, bufs, nbufs, on_write) < 0) {
        conn_close(c);
        req_finish(c, req);
    }
}

static void respond_msg(void *arg)
{
    respond_on_loop(arg);
}

/* ---------------------------------------------------------------- public request API */

void gy_http_respond(struct gy_http_req *req, int status, const struct gy_http_header *headers,
                     size_t nheaders, struct gy_str body)
{
    gy_assert(!req->priv.responded);
    req->priv.responded = true;
    if (!req->priv.conn) {
        gy_assert(req->priv.detached_fn != NULL);
        req->priv.detached_fn(req, status, headers, nheaders, body, req->priv.detached_ctx);
        return;
    }
    req->priv.status = status;
    req->priv.headers = headers;
    req->priv.nheaders = headers ? nheaders : 0;
    req->priv.body = body;
    struct gy_http__loop *loop = req->priv.conn->loop;
    if (pthread_equal(pthread_self(), loop->tid)) {
        respond_on_loop(req);
        return;
    }
    req->priv.msg.fn = respond_msg;
    req->priv.msg.arg = req;
    req->priv.msg.heap = false;
    gy_http__loop_send(loop, &req->priv.msg);
}

void gy_http_req_post(struct gy_http_req *req, void (*fn)(void *arg), void *arg)
{
    if (!req->priv.conn) {
        fn(arg);
        return;
    }
    gy_assert(!req->priv.responded);
    struct gy_http__msg *m = gy_malloc(sizeof(*m));
    m->fn = fn;
    m->arg = arg;
    m->heap = true;
    gy_http__loop_send(req->priv.conn->loop, m);
}

void gy_http_req_init_detached(struct gy_http_req *req, struct gy_arena *arena,
                               gy_http_detached_fn fn, void *ctx)
{
    memset(req, 0, sizeof(*req));
    req->arena = arena;
    req->method = req->target = req->path = req->query = req->body = GY_STR("");
    req->http_major = 1;
    req->http_minor = 1;
    req->priv.detached_fn = fn;
    req->priv.detached_ctx = ctx;
    req->priv.keep_alive = true;
}

/* ---------------------------------------------------------------- accept and stop */

static void on_rejected_closed(uv_handle_t *h)
{
    gy_free(h->data);
}

static void format_peer(struct gy_http__conn *c)
{
    struct sockaddr_storage ss;
    int len = sizeof(ss);
    char ip[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    snprintf(c->remote, sizeof(c->remote), "?");
    if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &len) != 0)
        return;
    if (ss.ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)&ss;
        memcpy(c->peer, &in->sin_addr, 4);
        c->peer_len = 4;
        uv_ip4_name(in, ip, sizeof(ip));
        port = ntohs(in->sin_port);
        snprintf(c->remote, sizeof(c->remote), "%s:%d", ip, port);
    } else if (ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&ss;
        memcpy(c->peer, &in6->sin6_addr, 16);
        c->peer_len = 16;
        uv_ip6_name(in6, ip, sizeof(ip));
        port = ntohs(in6->sin6_port);
        snprintf(c->remote, sizeof(c->remote), "[%s]:%d", ip, port);
    }
}

#define EVICT_PEEK_MAX 16 /* candidates checked for unread bytes before taking the oldest */

/*
 * True when bytes the loop has not read yet wait on c's socket: a client that just connected
 * and sent its request in the same burst of accepts as a flood. Such a connection is not idle.
 */
static bool has_unread(const struct gy_http__conn *c)
{
    uv_os_fd_t fd;
    char b;
    if (c->state != CS_READING || uv_fileno((const uv_handle_t *)&c->tcp, &fd) != 0)
        return false;
    return recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
}

/*
 * The connection to evict for c: the oldest evictable one (of c's peer when peer_only) with no
 * unread bytes among the first few, else the oldest; NULL when none is evictable.
 */
static struct gy_http__conn *oldest_waiting(struct gy_http__loop *loop,
                                            const struct gy_http__conn *c, bool peer_only)
{
    struct gy_http__conn *first = NULL;
    int checked = 0;
    for (struct gy_http__conn *w = loop->wait_head; w; w = w->wnext) {
        if (peer_only && !same_peer(w, c))
            continue;
        if (!first)
            first = w;
        if (!has_unread(w))
            return w;
        if (++checked >= EVICT_PEEK_MAX)
            break;
    }
    return first;
}

static int count_peer(const struct gy_http__loop *loop, const struct gy_http__conn *c)
{
    int n = 0;
    if (!c->peer_len)
        return 0;
    for (const struct gy_http__conn *o = loop->conns; o; o = o->next)
        n += same_peer(o, c);
    return n;
}

/* A warning at most every 10 s per loop, with the counters, instead of one per connection. */
static void log_cap(struct gy_http__loop *loop, const char *what)
{
    int64_t now = (int64_t)uv_now(&loop->uv);
    if (loop->cap_log_ms && now - loop->cap_log_ms < 10000)
        return;
    loop->cap_log_ms = now;
    gy_log_warn("http: loop %d: %s (limits: %d connections, %d per peer address); so far %llu "
                "evicted, %llu refused", loop->index, what, loop->srv->cfg.max_connections,
                loop->srv->cfg.max_per_peer, (unsigned long long)loop->evicted,
                (unsigned long long)loop->rejected);
}

/*
 * Admit c under the caps, evicting the oldest evictable connection (of c's peer, at the peer
 * cap) when a cap is reached. Returns false when c must be closed. Counts c in srv->nconns when
 * it returns true.
 */
static bool admit(struct gy_http__loop *loop, struct gy_http__conn *c)
{
    struct gy_http_server *srv = loop->srv;
    struct gy_http__conn *victim = NULL;
    const char *what = NULL;
    bool full = atomic_fetch_add(&srv->nconns, 1) >= srv->cfg.max_connections;
    if (count_peer(loop, c) >= loop->per_peer_cap) {
        victim = oldest_waiting(loop, c, true);
        what = "per-peer connection limit reached";
    } else if (full) {
        victim = oldest_waiting(loop, c, false);
        what = "connection limit reached";
    }
    if (what && !victim) {
        atomic_fetch_sub(&srv->nconns, 1);
        loop->rejected++;
        log_cap(loop, what);
        return false;
    }
    if (victim) {
        loop->evicted++;
        gy_log_debug("http: evicting %s (waiting for a request) for %s", victim->remote, c->remote);
        log_cap(loop, what);
        conn_close(victim);
    }
    return true;
}

void gy_http__conn_accept(struct gy_http__loop *loop)
{
    struct gy_http_server *srv = loop->srv;
    struct gy_http__conn *c = gy_calloc(1, sizeof(*c));
    c->loop = loop;
    uv_tcp_init(&loop->uv, &c->tcp);
    c->tcp.data = c;
    if (uv_accept((uv_stream_t *)&loop->listener, (uv_stream_t *)&c->tcp) != 0) {
        uv_close((uv_handle_t *)&c->tcp, on_rejected_closed);
        return;
    }
    format_peer(c);
    if (loop->stopping || !admit(loop, c)) {
        uv_close((uv_handle_t *)&c->tcp, on_rejected_closed);
        return;
    }
    uv_timer_init(&loop->uv, &c->timer);
    c->timer.data = c;
    c->refs = 2;
    c->next = loop->conns;
    if (loop->conns)
        loop->conns->prev = c;
    loop->conns = c;
    loop->nconns++;
    gy_http__rx_init(&c->rx, srv->cfg.max_header_bytes, srv->cfg.max_body_bytes, &conn_hooks, c);
    gy_buf_init(&c->pend, 2 * sizeof(loop->readbuf));
    uv_tcp_nodelay(&c->tcp, 1);
    c->state = CS_READING;
    arm_timer(c, header_ms(c));
    wait_add(c);
    read_start(c);
}

void gy_http__loop_begin_stop(struct gy_http__loop *loop)
{
    struct gy_http__conn *c = loop->conns;
    while (c) {
        struct gy_http__conn *next = c->next;
        if (c->state == CS_READING && !gy_http__rx_mid_request(&c->rx))
            conn_close(c); /* idle keep-alive connection */
        else
            c->close_after = true; /* finish the request in progress, then close */
        c = next;
    }
}

void gy_http__loop_close_all(struct gy_http__loop *loop)
{
    while (loop->conns)
        conn_close(loop->conns);
}

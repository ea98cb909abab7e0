/*
 * bench_engine.c — gyre-bench's load engine: a few threads, each an epoll loop driving many
 * keep-alive connections, one request in flight per connection, responses parsed with
 * http-parser.
 *
 * Pacing: closed loop (the default) sends the next request as soon as a connection is free and
 * measures from the send. Open loop (cfg->rate > 0) gives each thread a schedule of intended
 * send times (rate / threads per second); a request waits for a free connection if need be and
 * its latency is measured from its intended time, so a stalled server is charged for the whole
 * queue it caused (no coordinated omission). Recording: a request counts when it was issued in
 * the measured phase (for open loop: its intended time is at or after the measured start) and
 * answered before the phase ended. Bounds: the controller stops after cfg->duration_s; issuing
 * stops after cfg->requests measured requests; each request times out after cfg->timeout_s;
 * draining after the stop is bounded by the same timeout.
 *
 * Threads share only struct gy_bench_run (atomics); each owns its connections, generator and
 * result.
 */
#include "bench.h"

#include <arpa/inet.h>
#include <errno.h>
#include <http_parser.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/errors.h"
#include "core/mem.h"

#define RECONNECT_DELAY_NS 100000000LL /* 100 ms between connection attempts */
#define HOUSEKEEP_NS 10000000LL        /* timeouts and reconnects are checked every 10 ms */
#define MAX_EVENTS 256
#define READ_CHUNK 65536

enum conn_state {
    CONN_DOWN = 0,   /* no socket; reconnect at retry_ns */
    CONN_CONNECTING, /* non-blocking connect in progress */
    CONN_IDLE,       /* connected, nothing in flight (on the free list) */
    CONN_BUSY,       /* a request is being written or awaits its response */
};

struct conn {
    struct worker *w;        /* owning thread */
    int fd;                  /* socket, -1 when down */
    enum conn_state state;   /* see enum conn_state */
    struct gy_buf out;       /* the request being written */
    size_t out_off;          /* bytes of out already written */
    bool want_out;           /* EPOLLOUT is registered */
    http_parser parser;      /* response parser (HTTP_RESPONSE) */
    bool complete;           /* the parser finished a response */
    struct gy_buf body;      /* response body (first GY_BENCH_MAX_BODY_KEEP bytes) */
    size_t resp_bytes;       /* bytes read for the current response */
    enum gy_bench_op op;     /* operation in flight */
    int64_t intended_ns;     /* latency is measured from here */
    int64_t sent_ns;         /* actual send time (timeouts) */
    bool measured;           /* issued in the measured phase */
    int64_t retry_ns;        /* CONN_DOWN: next connection attempt */
};

struct worker {
    struct gy_bench_run *run;      /* shared state */
    const struct gy_bench_config *cfg;
    struct gy_bench_result *res;   /* this thread's numbers */
    struct gy_bench_gen *gen;      /* request generator (heap: it is large) */
    int idx;                       /* thread index */
    int epfd;                      /* epoll instance */
    struct conn *conns;            /* this thread's connections */
    int nconns;                    /* number of connections */
    int *free_list;                /* indices of idle connections (a stack) */
    int nfree;                     /* entries in free_list */
    int inflight;                  /* busy connections */
    bool stopping;                 /* no more requests will be issued */
    int64_t interval_ns;           /* open loop: time between intended sends; 0 = closed */
    int64_t next_intended_ns;      /* open loop: the next intended send time */
    int64_t drain_deadline_ns;     /* stopping: give up on in-flight requests at this time */
    char key[128];                 /* scratch key string */
    uint64_t sk;                   /* sort key index of the next request */
};

static const http_parser_settings *parser_settings(void);

int64_t gy_bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void record_error(struct worker *w, struct conn *c, const char *name)
{
    if (!c->measured || atomic_load(&w->run->phase) == GY_BENCH_PHASE_STOP)
        return;
    w->res->failed[c->op]++;
    gy_bench_errors_add(&w->res->errors, gy_str_c(name), 1);
}

/* ---------------------------------------------------------------- connections */

static void epoll_set(struct worker *w, struct conn *c, bool want_out, int op)
{
    struct epoll_event ev = { .events = EPOLLIN | (want_out ? EPOLLOUT : 0u) };
    ev.data.ptr = c;
    epoll_ctl(w->epfd, op, c->fd, &ev);
    c->want_out = want_out;
}

static void free_push(struct worker *w, struct conn *c)
{
    c->state = CONN_IDLE;
    w->free_list[w->nfree++] = (int)(c - w->conns);
}

/* Close the socket; a request in flight is counted as failed under why (when not NULL). */
static void conn_down(struct worker *w, struct conn *c, const char *why, int64_t retry_delay_ns)
{
    if (c->state == CONN_BUSY) {
        w->inflight--;
        if (why)
            record_error(w, c, why);
    } else if (c->state == CONN_IDLE) {
        for (int i = 0; i < w->nfree; i++)
            if (w->free_list[i] == (int)(c - w->conns)) {
                w->free_list[i] = w->free_list[--w->nfree];
                break;
            }
    }
    if (c->fd >= 0) {
        epoll_ctl(w->epfd, EPOLL_CTL_DEL, c->fd, NULL);
        close(c->fd);
    }
    c->fd = -1;
    c->state = CONN_DOWN;
    c->retry_ns = gy_bench_now_ns() + retry_delay_ns;
}

static void conn_start(struct worker *w, struct conn *c)
{
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)w->cfg->port) };
    int one = 1;

    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0 || inet_pton(AF_INET, w->cfg->host, &sa.sin_addr) != 1) {
        if (c->fd >= 0)
            close(c->fd);
        c->fd = -1;
        c->state = CONN_DOWN;
        c->retry_ns = gy_bench_now_ns() + RECONNECT_DELAY_NS;
        return;
    }
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    http_parser_init(&c->parser, HTTP_RESPONSE);
    c->parser.data = c;
    c->complete = false;
    if (w->res->reconnects < UINT64_MAX && c->retry_ns)
        w->res->reconnects++;
    if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
        epoll_set(w, c, false, EPOLL_CTL_ADD);
        free_push(w, c);
        return;
    }
    if (errno != EINPROGRESS) {
        close(c->fd);
        c->fd = -1;
        c->state = CONN_DOWN;
        c->retry_ns = gy_bench_now_ns() + RECONNECT_DELAY_NS;
        return;
    }
    c->state = CONN_CONNECTING;
    epoll_set(w, c, true, EPOLL_CTL_ADD);
}

/* Write what is left of the request; returns false when the connection was closed. */
static bool conn_flush(struct worker *w, struct conn *c)
{
    while (c->out_off < c->out.len) {
        ssize_t n = send(c->fd, c->out.p + c->out_off, c->out.len - c->out_off, MSG_NOSIGNAL);
        if (n > 0) {
            c->out_off += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!c->want_out)
                epoll_set(w, c, true, EPOLL_CTL_MOD);
            return true;
        }
        conn_down(w, c, "bench#send_failed", RECONNECT_DELAY_NS);
        return false;
    }
    if (c->want_out)
        epoll_set(w, c, false, EPOLL_CTL_MOD);
    return true;
}

/* ---------------------------------------------------------------- requests */

/* Choose the next operation and its key; false when the workload has nothing left to send. */
static bool next_op(struct worker *w, enum gy_bench_op *op)
{
    const struct gy_bench_config *cfg = w->cfg;

    uint64_t per = cfg->items_per_key ? cfg->items_per_key : 1;

    *op = gy_bench_pick_op(w->gen);
    w->sk = 0;
    switch (cfg->workload) {
    case GY_BENCH_WL_LOAD: {
        /* Item i is sort key i % per of partition i / per. */
        uint64_t i = atomic_fetch_add(&w->run->load_next, 1);
        if (i >= cfg->keys * per)
            return false;
        gy_bench_key_name(i / per, w->key, sizeof(w->key));
        w->sk = i % per;
        return true;
    }
    case GY_BENCH_WL_PUT:
        snprintf(w->key, sizeof(w->key), "%s-t%d-%llu", cfg->key_prefix, w->idx,
                 (unsigned long long)w->gen->seq++);
        return true;
    default:
        gy_bench_key_name(gy_bench_next_key(w->gen), w->key, sizeof(w->key));
        w->sk = gy_bench_next_sk(w->gen);
        return true;
    }
}

/* Send one request on idle connection c, intended at intended_ns; false when this thread
   must stop issuing (request cap or workload exhausted). */
static bool issue(struct worker *w, struct conn *c, int64_t intended_ns, int64_t now)
{
    struct gy_bench_run *run = w->run;
    enum gy_bench_op op;
    int phase = atomic_load(&run->phase);

    if (phase == GY_BENCH_PHASE_STOP)
        return false;
    bool measured = phase == GY_BENCH_PHASE_MEASURE &&
                    intended_ns >= atomic_load(&run->measure_start_ns);
    if (measured && atomic_fetch_add(&run->issued, 1) >= w->cfg->requests)
        return false;
    if (!next_op(w, &op))
        return false;
    gy_buf_reset(&c->out);
    if (gy_bench_build(w->gen, op, w->key, w->sk, &c->out)) {
        fprintf(stderr, "gyre-bench: cannot build a request (item too large?)\n");
        return false;
    }
    c->out_off = 0;
    c->op = op;
    c->intended_ns = intended_ns;
    c->sent_ns = now;
    c->measured = measured;
    c->complete = false;
    c->resp_bytes = 0;
    gy_buf_reset(&c->body);
    c->state = CONN_BUSY;
    w->inflight++;
    if (measured)
        w->res->bytes_out += c->out.len;
    conn_flush(w, c);
    return true;
}

/* A whole response arrived on c: record it and free the connection. */
static void complete(struct worker *w, struct conn *c)
{
    int64_t now = gy_bench_now_ns();
    int status = (int)c->parser.status_code;
    bool keep = http_should_keep_alive(&c->parser) != 0;
    struct gy_bench_result *res = w->res;

    if (c->measured && atomic_load(&w->run->phase) != GY_BENCH_PHASE_STOP) {
        res->bytes_in += c->resp_bytes;
        if (status >= 200 && status < 300) {
            if (w->cfg->verify && c->op == GY_BENCH_OP_GET &&
                !memmem(c->body.p ? c->body.p : "", c->body.len, "\"Item\"", 6)) {
                record_error(w, c, "bench#ItemMissing");
            } else if (w->cfg->verify && c->op == GY_BENCH_OP_QUERY &&
                       gy_bench_query_count(gy_buf_str(&c->body)) != (long)w->cfg->items_per_key) {
                record_error(w, c, "bench#QueryCount");
            } else {
                res->ok[c->op]++;
                gy_bench_hist_add(&res->hist[c->op], (uint64_t)(now - c->intended_ns));
            }
        } else {
            char name[96];
            gy_bench_error_name(status, gy_buf_str(&c->body), name, sizeof(name));
            record_error(w, c, name);
        }
        if (now > res->last_done_ns)
            res->last_done_ns = now;
    }
    w->inflight--;
    c->state = CONN_IDLE;
    if (!keep) {
        c->state = CONN_DOWN; /* already counted: close without an error */
        conn_down(w, c, NULL, 0);
        return;
    }
    c->complete = false;
    free_push(w, c);
}

static void on_readable(struct worker *w, struct conn *c, char *buf)
{
    for (;;) {
        ssize_t n = recv(c->fd, buf, READ_CHUNK, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n <= 0) {
            conn_down(w, c, c->state == CONN_BUSY ? "bench#conn_closed" : NULL,
                      n == 0 ? 0 : RECONNECT_DELAY_NS);
            return;
        }
        if (c->state != CONN_BUSY) {
            conn_down(w, c, NULL, 0); /* bytes nobody asked for */
            return;
        }
        c->resp_bytes += (size_t)n;
        size_t used = http_parser_execute(&c->parser, parser_settings(), buf, (size_t)n);
        if (c->parser.http_errno != HPE_OK && c->parser.http_errno != HPE_PAUSED) {
            conn_down(w, c, "bench#http_parse", RECONNECT_DELAY_NS);
            return;
        }
        if (c->complete) {
            if (used < (size_t)n) {
                conn_down(w, c, NULL, 0); /* data after the response: not ours */
                return;
            }
            http_parser_pause(&c->parser, 0);
            complete(w, c);
            return;
        }
    }
}

static void on_event(struct worker *w, struct conn *c, uint32_t events, char *buf)
{
    if (c->state == CONN_CONNECTING) {
        int err = 0;
        socklen_t len = sizeof(err);
        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) || err) {
            conn_down(w, c, NULL, RECONNECT_DELAY_NS);
            if (atomic_load(&w->run->phase) == GY_BENCH_PHASE_MEASURE)
                gy_bench_errors_add(&w->res->errors, GY_STR("bench#connect_failed"), 1);
            return;
        }
        epoll_set(w, c, false, EPOLL_CTL_MOD);
        free_push(w, c);
        return;
    }
    if ((events & EPOLLOUT) && c->state == CONN_BUSY && !conn_flush(w, c))
        return;
    if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
        on_readable(w, c, buf);
}

/* ---------------------------------------------------------------- http-parser callbacks */

static int on_body(http_parser *p, const char *at, size_t len)
{
    struct conn *c = p->data;
    size_t room = GY_BENCH_MAX_BODY_KEEP - c->body.len;
    gy_buf_append(&c->body, at, len < room ? len : room);
    return 0;
}

static int on_message_complete(http_parser *p)
{
    struct conn *c = p->data;
    c->complete = true;
    http_parser_pause(p, 1); /* stop at the message boundary */
    return 0;
}

static const http_parser_settings *parser_settings(void)
{
    static const http_parser_settings s = {
        .on_body = on_body,
        .on_message_complete = on_message_complete,
    };
    return &s;
}

/* ---------------------------------------------------------------- the thread loop */

static void housekeeping(struct worker *w, int64_t now)
{
    int64_t timeout_ns = (int64_t)(w->cfg->timeout_s * 1e9);

    for (int i = 0; i < w->nconns; i++) {
        struct conn *c = &w->conns[i];
        if (c->state == CONN_BUSY && now - c->sent_ns > timeout_ns)
            conn_down(w, c, "bench#timeout", 0);
        else if (c->state == CONN_DOWN && !w->stopping && now >= c->retry_ns)
            conn_start(w, c);
    }
}

/* Issue as many requests as pacing allows. */
static void issue_ready(struct worker *w, int64_t now)
{
    while (!w->stopping && w->nfree > 0) {
        int64_t intended = now;
        if (w->interval_ns) {
            if (w->next_intended_ns > now)
                return;
            intended = w->next_intended_ns;
        }
        struct conn *c = &w->conns[w->free_list[--w->nfree]];
        if (!issue(w, c, intended, now)) {
            c->state = CONN_IDLE;
            w->free_list[w->nfree++] = (int)(c - w->conns);
            w->stopping = true;
            return;
        }
        if (w->interval_ns)
            w->next_intended_ns += w->interval_ns;
    }
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct epoll_event evs[MAX_EVENTS];
    char *buf = gy_malloc(READ_CHUNK);
    int64_t now = gy_bench_now_ns();
    int64_t next_house = now + HOUSEKEEP_NS;

    for (int i = 0; i < w->nconns; i++)
        conn_start(w, &w->conns[i]);
    w->next_intended_ns = now;
    for (;;) {
        now = gy_bench_now_ns();
        if (!w->stopping && atomic_load(&w->run->phase) == GY_BENCH_PHASE_STOP)
            w->stopping = true;
        issue_ready(w, now);
        if (w->stopping) {
            if (!w->drain_deadline_ns)
                w->drain_deadline_ns = now + (int64_t)(w->cfg->timeout_s * 1e9);
            if (w->inflight == 0 || now >= w->drain_deadline_ns)
                break;
        }
        if (now >= next_house) {
            housekeeping(w, now);
            next_house = now + HOUSEKEEP_NS;
        }
        int64_t wait_ns = next_house - now;
        if (w->interval_ns && w->nfree > 0 && !w->stopping && w->next_intended_ns - now < wait_ns)
            wait_ns = w->next_intended_ns - now;
        if (wait_ns < 0)
            wait_ns = 0;
        struct timespec ts = { .tv_sec = wait_ns / 1000000000LL, .tv_nsec = wait_ns % 1000000000LL };
        int n = epoll_pwait2(w->epfd, evs, MAX_EVENTS, &ts, NULL);
        for (int i = 0; i < n; i++)
            on_event(w, evs[i].data.ptr, evs[i].events, buf);
    }
    for (int i = 0; i < w->nconns; i++)
        conn_down(w, &w->conns[i], "bench#unanswered_at_stop", 0);
    gy_free(buf);
    atomic_fetch_add(&w->run->threads_done, 1);
    return NULL;
}

/* ---------------------------------------------------------------- controller */

static void set_phase(struct gy_bench_run *run, enum gy_bench_phase phase)
{
    if (phase == GY_BENCH_PHASE_MEASURE)
        atomic_store(&run->measure_start_ns, gy_bench_now_ns());
    atomic_store(&run->phase, (int)phase);
    if (run->on_phase)
        run->on_phase(run, phase, run->ctx);
}

int gy_bench_engine_run(struct gy_bench_run *run, struct gy_bench_result *results)
{
    const struct gy_bench_config *cfg = run->cfg;
    int nt = cfg->threads;
    struct worker *ws = gy_calloc((size_t)nt, sizeof(*ws));
    pthread_t *tids = gy_calloc((size_t)nt, sizeof(*tids));
    int started = 0, rc = 0;
    bool stopped = false;

    atomic_store(&run->measure_start_ns, INT64_MAX);
    for (int t = 0; t < nt; t++) {
        struct worker *w = &ws[t];
        w->run = run;
        w->cfg = cfg;
        w->res = &results[t];
        memset(w->res, 0, sizeof(*w->res));
        for (int o = 0; o < GY_BENCH_OP_COUNT; o++)
            gy_bench_hist_init(&w->res->hist[o]);
        w->idx = t;
        w->nconns = cfg->connections / nt + (t < cfg->connections % nt ? 1 : 0);
        w->conns = gy_calloc((size_t)(w->nconns ? w->nconns : 1), sizeof(*w->conns));
        w->free_list = gy_calloc((size_t)(w->nconns ? w->nconns : 1), sizeof(int));
        for (int i = 0; i < w->nconns; i++) {
            w->conns[i].w = w;
            w->conns[i].fd = -1;
            gy_buf_init(&w->conns[i].out, GY_BENCH_MAX_REQUEST);
            gy_buf_init(&w->conns[i].body, GY_BENCH_MAX_BODY_KEEP);
        }
        w->gen = gy_malloc(sizeof(*w->gen));
        gy_bench_gen_init(w->gen, cfg, t, run->zeta_n);
        w->interval_ns = cfg->rate > 0 ? (int64_t)(1e9 * nt / cfg->rate) : 0;
        if (cfg->rate > 0 && w->interval_ns < 1)
            w->interval_ns = 1;
        w->epfd = epoll_create1(EPOLL_CLOEXEC);
    }

    int64_t t0 = gy_bench_now_ns();
    set_phase(run, cfg->warmup_s > 0 ? GY_BENCH_PHASE_WARMUP : GY_BENCH_PHASE_MEASURE);
    for (int t = 0; t < nt; t++) {
        if (ws[t].epfd < 0 || pthread_create(&tids[t], NULL, worker_main, &ws[t])) {
            rc = GY_EIO;
            break;
        }
        started++;
    }
    if (rc)
        atomic_store(&run->phase, GY_BENCH_PHASE_STOP);

    /* The controller: phase changes by the clock; the end when every thread has drained. */
    for (;;) {
        struct timespec nap = { 0, 1000000 };
        nanosleep(&nap, NULL);
        int64_t now = gy_bench_now_ns();
        int phase = atomic_load(&run->phase);
        if (atomic_load(&run->threads_done) >= started) {
            if (!stopped) {
                /* Ended by the request cap: the phase ends with the last answer. */
                int64_t last = 0;
                for (int t = 0; t < nt; t++)
                    if (results[t].last_done_ns > last)
                        last = results[t].last_done_ns;
                run->measure_end_ns = last ? last : now;
                if (phase != GY_BENCH_PHASE_STOP)
                    set_phase(run, GY_BENCH_PHASE_STOP);
            }
            break;
        }
        if (phase == GY_BENCH_PHASE_WARMUP && now - t0 >= (int64_t)(cfg->warmup_s * 1e9)) {
            set_phase(run, GY_BENCH_PHASE_MEASURE);
        } else if (phase == GY_BENCH_PHASE_MEASURE && !stopped &&
                   now - atomic_load(&run->measure_start_ns) >=
                       (int64_t)(cfg->duration_s * 1e9)) {
            run->measure_end_ns = now;
            stopped = true;
            set_phase(run, GY_BENCH_PHASE_STOP);
        }
    }
    for (int t = 0; t < started; t++)
        pthread_join(tids[t], NULL);

    for (int t = 0; t < nt; t++) {
        struct worker *w = &ws[t];
        for (int i = 0; i < w->nconns; i++) {
            gy_buf_fini(&w->conns[i].out);
            gy_buf_fini(&w->conns[i].body);
        }
        gy_free(w->conns);
        gy_free(w->free_list);
        gy_bench_gen_fini(w->gen);
        gy_free(w->gen);
        if (w->epfd >= 0)
            close(w->epfd);
    }
    gy_free(ws);
    gy_free(tids);
    return rc;
}

/* ---------------------------------------------------------------- one blocking request */

struct once_state {
    bool complete;
    struct gy_buf *body;
};

static int once_body(http_parser *p, const char *at, size_t len)
{
    struct once_state *s = p->data;
    gy_buf_append(s->body, at, len);
    return 0;
}

static int once_complete(http_parser *p)
{
    struct once_state *s = p->data;
    s->complete = true;
    return 0;
}

int gy_bench_http_once(const struct gy_bench_config *cfg, struct gy_str request, int timeout_ms,
                       int *status, struct gy_buf *body)
{
    static const http_parser_settings settings = {
        .on_body = once_body,
        .on_message_complete = once_complete,
    };
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)cfg->port) };
    struct timeval tv = { .tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000 };
    struct once_state st = { .complete = false, .body = body };
    http_parser parser;
    char buf[8192];
    size_t off = 0;
    int rc = GY_EIO;

    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return GY_EIO;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    if (inet_pton(AF_INET, cfg->host, &sa.sin_addr) != 1 ||
        connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
        goto out_close;
    while (off < request.len) {
        ssize_t n = send(fd, request.p + off, request.len - off, MSG_NOSIGNAL);
        if (n <= 0)
            goto out_close;
        off += (size_t)n;
    }
    http_parser_init(&parser, HTTP_RESPONSE);
    parser.data = &st;
    int64_t deadline = gy_bench_now_ns() + (int64_t)timeout_ms * 1000000LL;
    while (!st.complete && gy_bench_now_ns() < deadline) {
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n <= 0)
            goto out_close;
        http_parser_execute(&parser, &settings, buf, (size_t)n);
        if (parser.http_errno != HPE_OK)
            goto out_close;
    }
    if (st.complete) {
        *status = (int)parser.status_code;
        rc = 0;
    }
out_close:
    close(fd);
    return rc;
}

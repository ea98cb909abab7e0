/*
 * test_http.c — the HTTP server over real sockets (keep-alive, pipelining, split and chunked
 * requests, 100-continue, limits, faults, off-thread responses, disconnects, graceful stop,
 * idle timeout, connection cap, IPv6) and the socket-free pieces (request reader, response
 * formatter, detached requests). No test asserts a timing: waits are bounded only to fail
 * instead of hanging.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "core/errors.h"
#include "core/log.h"
#include "core/mem.h"
#include "net/http.h"
#include "net/http_int.h"

/* ---------------------------------------------------------------- test server */

struct tctx {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct gy_http_req *held; /* a /hold request waiting for the test to answer it */
    int handled;              /* requests seen by the handler */
    int faults;               /* requests seen by the fault callback */
};

static struct tctx T = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, 0, 0};

static struct gy_str echo_body(struct gy_http_req *req)
{
    const struct gy_str *xt = gy_http_req_header(req, "X-Test");
    struct gy_str x = xt ? *xt : GY_STR("-");
    size_t show = req->body.len < 32 ? req->body.len : 32;
    char *s =
        gy_arena_printf(req->arena, "%.*s %.*s path=%.*s query=%.*s x-test=%.*s len=%zu body=%.*s",
                        (int)req->method.len, req->method.p, (int)req->target.len, req->target.p,
                        (int)req->path.len, req->path.p, (int)req->query.len, req->query.p,
                        (int)x.len, x.p, req->body.len, (int)show, req->body.p ? req->body.p : "");
    return gy_str_c(s);
}

static void respond_echo(struct gy_http_req *req)
{
    struct gy_http_header *h = gy_arena_alloc(req->arena, 2 * sizeof(*h));
    h[0] = (struct gy_http_header){GY_STR("Content-Type"), GY_STR("text/plain")};
    h[1] = (struct gy_http_header){GY_STR("X-Remote"), gy_str_c(req->remote_addr)};
    gy_http_respond(req, 200, h, 2, echo_body(req));
}

static void *slow_thread(void *arg)
{
    struct gy_http_req *req = arg;
    struct timespec ts = {0, 50 * 1000 * 1000};
    nanosleep(&ts, NULL);
    respond_echo(req);
    return NULL;
}

static void handler(struct gy_http_req *req, void *ctx)
{
    struct tctx *t = ctx;
    pthread_mutex_lock(&t->lock);
    t->handled++;
    pthread_mutex_unlock(&t->lock);
    if (gy_str_eqc(req->path, "/slow")) {
        pthread_t th;
        assert_int_equal(pthread_create(&th, NULL, slow_thread, req), 0);
        pthread_detach(th);
        return;
    }
    if (gy_str_eqc(req->path, "/hold")) {
        pthread_mutex_lock(&t->lock);
        t->held = req;
        pthread_cond_broadcast(&t->cond);
        pthread_mutex_unlock(&t->lock);
        return;
    }
    if (gy_str_eqc(req->path, "/bad-headers")) {
        struct gy_http_header *h = gy_arena_alloc(req->arena, 4 * sizeof(*h));
        h[0] = (struct gy_http_header){GY_STR("Content-Length"), GY_STR("999")};
        h[1] = (struct gy_http_header){GY_STR("X-Evil"), GY_STR("a\r\nInjected: yes")};
        h[2] = (struct gy_http_header){GY_STR("Bad Name"), GY_STR("v")};
        h[3] = (struct gy_http_header){GY_STR("X-Good"), GY_STR("ok")};
        gy_http_respond(req, 201, h, 4, GY_STR("abc"));
        return;
    }
    if (gy_str_eqc(req->path, "/nocontent")) {
        gy_http_respond(req, 204, NULL, 0, GY_STR("ignored"));
        return;
    }
    respond_echo(req);
}

static void fault_cb(struct gy_http_req *req, enum gy_http_fault fault, void *ctx)
{
    struct tctx *t = ctx;
    static const char *names[] = {"HEADER_TOO_LARGE", "BODY_TOO_LARGE", "BAD_REQUEST"};
    pthread_mutex_lock(&t->lock);
    t->faults++;
    pthread_mutex_unlock(&t->lock);
    char *b = gy_arena_printf(req->arena, "fault=%s", names[fault]);
    gy_http_respond(req, gy_http_fault_status(fault), NULL, 0, gy_str_c(b));
}

/* Wait (bounded, 10 s) for the handler to hold a request; returns it and clears the slot. */
static struct gy_http_req *wait_held(void)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 10;
    pthread_mutex_lock(&T.lock);
    while (!T.held) {
        if (pthread_cond_timedwait(&T.cond, &T.lock, &deadline) == ETIMEDOUT)
            break;
    }
    struct gy_http_req *r = T.held;
    T.held = NULL;
    pthread_mutex_unlock(&T.lock);
    assert_non_null(r);
    return r;
}

static struct gy_http_server *start_server(const char *listen, int threads, int idle_ms,
                                           int max_conns, bool with_fault)
{
    struct gy_http_config cfg = {
        .listen = listen,
        .threads = threads,
        .max_header_bytes = 4096,
        .max_body_bytes = 1024 * 1024,
        .idle_timeout_ms = idle_ms,
        .max_connections = max_conns,
        .handler = handler,
        .fault = with_fault ? fault_cb : NULL,
        .ctx = &T,
    };
    struct gy_http_server *s = NULL;
    int rc = gy_http_server_start(&cfg, &s);
    assert_int_equal(rc, 0);
    assert_non_null(s);
    assert_true(gy_http_server_port(s) > 0);
    return s;
}

/* ---------------------------------------------------------------- client helpers */

struct client {
    int fd;
    char buf[256 * 1024];
    size_t len; /* buffered bytes not yet consumed */
};

struct resp {
    int status;
    char head[8192]; /* status line and headers, NUL-terminated */
    char body[65536];
    size_t body_len;
};

static int connect_to(int family, int port)
{
    int fd = socket(family, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct timeval tv = {10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    int rc;
    if (family == AF_INET6) {
        struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port)};
        inet_pton(AF_INET6, "::1", &a.sin6_addr);
        rc = connect(fd, (struct sockaddr *)&a, sizeof(a));
    } else {
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
        inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
        rc = connect(fd, (struct sockaddr *)&a, sizeof(a));
    }
    if (rc != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static struct client *client_open(int port)
{
    struct client *c = gy_calloc(1, sizeof(*c));
    c->fd = connect_to(AF_INET, port);
    assert_true(c->fd >= 0);
    return c;
}

static void client_close(struct client *c)
{
    close(c->fd);
    gy_free(c);
}

static void send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        assert_true(w > 0);
        p += w;
        n -= (size_t)w;
    }
}

static void send_str(struct client *c, const char *s)
{
    send_all(c->fd, s, strlen(s));
}

/* Read more bytes into the client buffer; returns bytes read (0 on EOF, -1 on error). */
static ssize_t fill(struct client *c)
{
    assert_true(c->len < sizeof(c->buf));
    ssize_t r = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
    if (r > 0)
        c->len += (size_t)r;
    return r;
}

static void consume(struct client *c, size_t n)
{
    memmove(c->buf, c->buf + n, c->len - n);
    c->len -= n;
}

/* Read one response (Content-Length framed). Returns 0, or -1 if the connection ended first. */
static int read_resp(struct client *c, struct resp *r)
{
    char *end;
    memset(r, 0, sizeof(*r));
    for (;;) {
        end = memmem(c->buf, c->len, "\r\n\r\n", 4);
        if (end)
            break;
        if (fill(c) <= 0)
            return -1;
    }
    size_t hlen = (size_t)(end - c->buf) + 4;
    assert_true(hlen < sizeof(r->head));
    memcpy(r->head, c->buf, hlen);
    r->head[hlen] = '\0';
    consume(c, hlen);
    assert_int_equal(sscanf(r->head, "HTTP/1.1 %d", &r->status), 1);
    size_t cl = 0;
    const char *p = strcasestr(r->head, "\r\nContent-Length: ");
    if (p)
        cl = strtoul(p + 18, NULL, 10);
    assert_true(cl < sizeof(r->body));
    while (c->len < cl) {
        if (fill(c) <= 0)
            return -1;
    }
    memcpy(r->body, c->buf, cl);
    r->body[cl] = '\0';
    r->body_len = cl;
    consume(c, cl);
    return 0;
}

/* True when the server closed the connection (EOF or reset) with no further bytes. */
static bool at_eof(struct client *c)
{
    if (c->len > 0)
        return false;
    ssize_t r = fill(c);
    return r == 0 || (r < 0 && (errno == ECONNRESET || errno == EPIPE));
}

static bool has_header(const struct resp *r, const char *line)
{
    char want[512];
    snprintf(want, sizeof(want), "\r\n%s\r\n", line);
    return strcasestr(r->head, want) != NULL;
}

/* ---------------------------------------------------------------- socket tests */

static struct gy_http_server *srv;
static int port;

static int setup_server(void **state)
{
    gy_log_setup(GY_LOG_ERROR, "test");
    srv = start_server("127.0.0.1:0", 2, 60000, 0, true);
    port = gy_http_server_port(srv);
    return 0;
}

static int teardown_server(void **state)
{
    gy_http_server_stop(srv, 5000);
    gy_http_server_destroy(srv);
    srv = NULL;
    return 0;
}

static void test_simple(void **state)
{
    struct client *c = client_open(port);
    struct resp r;
    send_str(c, "GET /hello?x=1&y=2 HTTP/1.1\r\nHost: a\r\nx-test: abc\r\n\r\n");
    assert_int_equal(read_resp(c, &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body,
                        "GET /hello?x=1&y=2 path=/hello query=x=1&y=2 x-test=abc len=0 body=");
    assert_true(has_header(&r, "Content-Type: text/plain"));
    assert_true(has_header(&r, "Content-Length: 67"));
    assert_non_null(strstr(r.head, "\r\nDate: "));
    assert_non_null(strstr(r.head, " GMT\r\n"));
    assert_non_null(strstr(r.head, "\r\nX-Remote: 127.0.0.1:"));
    assert_null(strcasestr(r.head, "Connection:")); /* HTTP/1.1 keep-alive is implicit */
    client_close(c);
}

static void test_keepalive(void **state)
{
    struct client *c = client_open(port);
    struct resp r;
    for (int i = 0; i < 3; i++) {
        char req[128], want[128];
        snprintf(req, sizeof(req), "GET /k%d HTTP/1.1\r\nHost: a\r\n\r\n", i);
        send_str(c, req);
        assert_int_equal(read_resp(c, &r), 0);
        assert_int_equal(r.status, 200);
        snprintf(want, sizeof(want), "GET /k%d path=/k%d query= x-test=- len=0 body=", i, i);
        assert_string_equal(r.body, want);
    }
    client_close(c);
}

static void test_pipelining(void **state)
{
    struct client *c = client_open(port);
    struct resp r;
    send_str(c, "GET /p1 HTTP/1.1\r\nHost: a\r\n\r\n"
                "POST /p2 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
                "GET /slow HTTP/1.1\r\nHost: a\r\nX-Test: third\r\n\r\n"
                "GET /p4 HTTP/1.1\r\nHost: a\r\n\r\n");
    assert_int_equal(read_resp(c, &r), 0);
    assert_string_equal(r.body, "GET /p1 path=/p1 query= x-test=- len=0 body=");
    assert_int_equal(read_resp(c, &r), 0);
    assert_string_equal(r.body, "POST /p2 path=/p2 query= x-test=- len=5 body=hello");
    assert_int_equal(read_resp(c, &r), 0);
    assert_string_equal(r.body, "GET /slow path=/slow query= x-test=third len=0 body=");
    assert_int_equal(read_resp(c, &r), 0);
    assert_string_equal(r.body, "GET /p4 path=/p4 query= x-test=- len=0 body=");
    client_close(c);
}

static void test_byte_by_byte(void **state)
{
    struct client *c = client_open(port);
    struct resp r;
    const char *req = "POST /bytes?q HTTP/1.1\r\nHost: a\r\nX-Test: split\r\n"
                      "Content-Length: 10\r\n\r\n0123456789";
    for (size_t i = 0; req[i]; i++) {
        send_all(c->fd, req + i, 1);
        if (i % 8 == 0)
            usleep(500); /* let some bytes arrive alone; correctness does not depend on it */
    }
    assert_int_equal(read_resp(c, &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body,
                        "POST /bytes?q path=/bytes query=q x-test=split len=10 body=0123456789");
    client_close(c);
}

static void test_chunked(void **state)
{
    struct client *c = client_open(port);
    struct resp r;
    send_str(c, "POST /chunk HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                "5\r\nhello\r\n");
    send_str(c, "6;ext=1\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n");
    assert_int_equal(read_resp(c, &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "POST /chunk path=/chunk query= x-test=- len=11 body=hello world");
    /* The connection is still usable after a chunked request with a trailer. */
    send_str(c, "GET /after HTTP/1.1\r\nHost: a\r\n\r\n");
    assert_int_equal(read_resp(c, &r), 0);
    assert_string_equal(r.body, "GET /after path=/after query= x-test=- len=0 body=");
    client_close(c);
}

static void test_continue(void **state)
{
    struct client *c = client_open(port);
    struct resp r;
    send_str(c, "PUT /up HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
    const char *want = "HTTP/1.1 100 Continue\r\n\r\n";
    while (c->len < strlen(want))
        assert_true(fill(c) > 0);
    assert_memory_equal(c->buf, want, strlen(want));
    consume(c, strlen(want));
    send_str(c, "abcd");
    assert_int_equal(read_resp(c, &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "PUT /up path=/up query= x-test=- len=4 body=abcd");
    client_close(c);
}

static void test_header_too_large(void **state)
{
    struct client *c = client_open(port);
    struct resp r;
    char big[6000];
    memset(big, 'a', sizeof(big));
    big[sizeof(big) - 1] = '\0';
    send_str(c, "GET /big HTTP/1.1\r\nHost: a\r\nX-Big: ");
    send_str(c, big);
    send_str(c, "\r\n\r\n");
    assert_int_equal(read_resp(c, &r), 0);
    assert_int_equal(r.status, 431);
    assert_string_equal(r.body, "fault=HEADER_TOO_LARGE");
    assert_true(has_header(&r, "Connection: close"));
    assert_true(at_eof(c));
    client_close(c);

    /* Too many header lines (each small) is the same fault. */
    c = client_open(port);
    send_str(c, "GET /many HTTP/1.1\r\n");
    for (int i = 0; i < GY_HTTP_MAX_HEADERS + 1; i++)
        send_str(c, "a:\r\n");
    send_str(c, "\r\n");
    assert_int_equal(read_resp(c, &r), 0);
    assert_int_equal(r.status, 431);
    assert_true(at_eof(c));
    client_close(c);
}

static void test_body_too_large(void **state)
{
    struct client *c = client_open(port);
    struct resp r;
    /* Content-Length over the limit: 413 at once, no 100 Continue, no body read, closed. */
    send_str(c, "PUT /huge HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n"
                "Content-Length: 2000000\r\n\r\n");
    assert_int_equal(read_resp(c, &r), 0);
    assert_int_equal(r.status, 413);
    assert_string_equal(r.body, "fault=BODY_TOO_LARGE");
    assert_true(has_header(&r, "Connection: close"));
    assert_true(at_eof(c));
    client_close(c);

    /* A chunked body that grows past the limit. */
    c = client_open(port);
    send_str(c, "POST /huge HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n");
    static char chunk[70000];
    int hl = snprintf(chunk, sizeof(chunk), "%x\r\n", 65536);
    memset(chunk + hl, 'z', 65536);
    memcpy(chunk + hl + 65536, "\r\n", 2);
    size_t clen = (size_t)hl + 65536 + 2;
    /* 16 chunks fill the 1 MiB limit exactly; the 17th chunk's size line is refused. */
    for (int i = 0; i < 17; i++) {
        if (send(c->fd, chunk, clen, MSG_NOSIGNAL) < 0)
            break; /* the server closed after answering */
    }
    assert_int_equal(read_resp(c, &r), 0);
    assert_int_equal(r.status, 413);
    client_close(c);
}

static void test_bad_request(void **state)
{
    struct client *c = client_open(port);
    struct resp r;
    send_str(c, "\x01\x02garbage\r\n\r\n");
    assert_int_equal(read_resp(c, &r), 0);
    assert_int_equal(r.status, 400);
    assert_string_equal(r.body, "fault=BAD_REQUEST");
    assert_true(at_eof(c));
    client_close(c);

    /* A bad request after a good one on the same connection: the good one is answered first. */
    c = client_open(port);
    send_str(c, "GET /ok HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/9.9\r\n\r\n");
    assert_int_equal(read_resp(c, &r), 0);
    assert_int_equal(r.status, 200);
    assert_int_equal(read_resp(c, &r), 0);
    assert_int_equal(r.status, 400);
    assert_true(at_eof(c));
    client_close(c);

    /* Content-Length together with chunked is refused (request smuggling). */
    c = client_open(port);
    send_str(c, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n"
                "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    assert_int_equal(read_resp(c, &r), 0);
    assert_int_equal(r.status, 400);
    client_close(c);
}

static void test_http10(void **state)
{
    struct client *c = client_open(port);
    struct resp r;
    send_str(c, "GET /old HTTP/1.0\r\n\r\n");
    assert_int_equal(read_resp(c, &r), 0);
    assert_int_equal(r.status, 200);
    assert_true(has_header(&r, "Connection: close"));
    assert_true(at_eof(c));
    client_close(c);

    c = client_open(port);
    send_str(c, "GET /old1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    assert_int_equal(read_resp(c, &r), 0);
    assert_true(has_header(&r, "Connection: keep-alive"));
    send_str(c, "GET /old2 HTTP/1.1\r\nConnection: close\r\n\r\n");
    assert_int_equal(read_resp(c, &r), 0);
    assert_string_equal(r.body, "GET /old2 path=/old2 query= x-test=- len=0 body=");
    assert_true(has_header(&r, "Connection: close"));
    assert_true(at_eof(c));
    client_close(c);
}

static void test_head_and_bodyless(void **state)
{
    struct client *c = client_open(port);
    struct resp r;
    send_str(c, "HEAD /h HTTP/1.1\r\nHost: a\r\n\r\n");
    /* HEAD: Content-Length of the would-be body, but no body bytes. */
    char *end;
    while (!(end = memmem(c->buf, c->len, "\r\n\r\n", 4)))
        assert_true(fill(c) > 0);
    assert_non_null(strstr(c->buf, "Content-Length: 43\r\n"));
    consume(c, (size_t)(end - c->buf) + 4);
    send_str(c, "GET /nocontent HTTP/1.1\r\nHost: a\r\n\r\n");
    assert_int_equal(read_resp(c, &r), 0);
    assert_int_equal(r.status, 204);
    assert_null(strcasestr(r.head, "Content-Length"));
    assert_int_equal(r.body_len, 0);
    send_str(c, "GET /bad-headers HTTP/1.1\r\nHost: a\r\n\r\n");
    assert_int_equal(read_resp(c, &r), 0);
    assert_int_equal(r.status, 201);
    assert_string_equal(r.body, "abc");
    assert_true(has_header(&r, "Content-Length: 3"));
    assert_true(has_header(&r, "X-Good: ok"));
    assert_null(strstr(r.head, "Injected"));
    assert_null(strstr(r.head, "Bad Name"));
    assert_null(strstr(r.head, "999"));
    client_close(c);
}

static void test_off_thread(void **state)
{
    struct client *c = client_open(port);
    struct resp r;
    send_str(c, "POST /slow HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi");
    assert_int_equal(read_resp(c, &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "POST /slow path=/slow query= x-test=- len=2 body=hi");
    /* The test thread itself answers a held request (another off-loop thread). */
    send_str(c, "GET /hold HTTP/1.1\r\nHost: a\r\n\r\n");
    struct gy_http_req *held = wait_held();
    assert_string_equal(held->remote_addr[0] ? "ok" : "", "ok");
    respond_echo(held);
    assert_int_equal(read_resp(c, &r), 0);
    assert_string_equal(r.body, "GET /hold path=/hold query= x-test=- len=0 body=");
    client_close(c);
}

static int open_conns(const struct gy_http_server *s)
{
    return atomic_load(&((struct gy_http_server *)s)->nconns);
}

/* Wait (bounded) until the server has no open connections. */
static void wait_no_conns(const struct gy_http_server *s)
{
    for (int i = 0; i < 2000 && open_conns(s) > 0; i++)
        usleep(5000);
    assert_int_equal(open_conns(s), 0);
}

static void test_client_gone(void **state)
{
    wait_no_conns(srv);
    struct client *c = client_open(port);
    send_str(c, "GET /hold HTTP/1.1\r\nHost: a\r\n\r\n");
    struct gy_http_req *held = wait_held();
    client_close(c); /* the client leaves while its request is on "another thread" */
    usleep(20000);
    respond_echo(held); /* must not touch freed memory (ASan) */
    wait_no_conns(srv);

    /* Same, but the response is posted through gy_http_req_post first. */
    c = client_open(port);
    send_str(c, "GET /hold HTTP/1.1\r\nHost: a\r\n\r\n");
    held = wait_held();
    struct linger lg = {1, 0};
    setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)); /* close with RST */
    client_close(c);
    gy_http_req_post(held, (void (*)(void *))respond_echo, held);
    wait_no_conns(srv);

    /* The server still serves. */
    c = client_open(port);
    struct resp r;
    send_str(c, "GET /alive HTTP/1.1\r\nHost: a\r\n\r\n");
    assert_int_equal(read_resp(c, &r), 0);
    assert_int_equal(r.status, 200);
    client_close(c);
}

struct stopper {
    struct gy_http_server *s;
    struct gy_http_req *req;
};

static void *release_thread(void *arg)
{
    struct stopper *st = arg;
    usleep(100000); /* usually lets stop begin first; the test passes either way */
    respond_echo(st->req);
    return NULL;
}

static void test_graceful_stop(void **state)
{
    struct gy_http_server *s = start_server("127.0.0.1:0", 2, 60000, 0, true);
    int p = gy_http_server_port(s);
    struct client *idle = client_open(p);
    struct resp r;
    send_str(idle, "GET /first HTTP/1.1\r\nHost: a\r\n\r\n");
    assert_int_equal(read_resp(idle, &r), 0);

    struct client *c = client_open(p);
    send_str(c, "GET /hold HTTP/1.1\r\nHost: a\r\n\r\n");
    struct stopper st = {s, wait_held()};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, release_thread, &st), 0);
    gy_http_server_stop(s, 10000);
    pthread_join(th, NULL);

    /* The in-flight request completed, with Connection: close; the idle one was closed. */
    assert_int_equal(read_resp(c, &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "GET /hold path=/hold query= x-test=- len=0 body=");
    assert_true(has_header(&r, "Connection: close"));
    assert_true(at_eof(c));
    assert_true(at_eof(idle));
    assert_int_equal(connect_to(AF_INET, p), -1); /* no longer listening */
    client_close(c);
    client_close(idle);
    gy_http_server_destroy(s);
}

static void test_stop_timeout_with_held_request(void **state)
{
    /* The stop timeout closes the socket; the loop still waits for the held request. */
    struct gy_http_server *s = start_server("127.0.0.1:0", 1, 60000, 0, true);
    struct client *c = client_open(gy_http_server_port(s));
    send_str(c, "GET /hold HTTP/1.1\r\nHost: a\r\n\r\n");
    struct stopper st = {s, wait_held()};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, release_thread, &st), 0);
    gy_http_server_stop(s, 0);
    pthread_join(th, NULL);
    client_close(c);
    gy_http_server_destroy(s);
}

static void test_idle_timeout(void **state)
{
    struct gy_http_server *s = start_server("127.0.0.1:0", 1, 150, 0, false);
    int p = gy_http_server_port(s);
    struct client *c = client_open(p);
    assert_true(at_eof(c)); /* nothing sent: closed by the idle timeout */
    client_close(c);
    c = client_open(p);
    send_str(c, "GET /slowloris HTTP/1.1\r\nHost"); /* never finished */
    assert_true(at_eof(c));
    client_close(c);
    /* Without a fault callback, faults get the plain status and reason. */
    c = client_open(p);
    struct resp r;
    send_str(c, "BAD\r\n\r\n");
    assert_int_equal(read_resp(c, &r), 0);
    assert_int_equal(r.status, 400);
    assert_string_equal(r.body, "Bad Request");
    client_close(c);
    gy_http_server_stop(s, 1000);
    gy_http_server_destroy(s);
}

static struct gy_http_server *start_capped(int max_conns, int per_peer, int header_ms)
{
    struct gy_http_config cfg = {
        .listen = "127.0.0.1:0", .threads = 1, .max_header_bytes = 4096,
        .max_body_bytes = 1024 * 1024, .idle_timeout_ms = 60000, .header_timeout_ms = header_ms,
        .max_connections = max_conns, .max_per_peer = per_peer, .handler = handler,
        .fault = fault_cb, .ctx = &T,
    };
    struct gy_http_server *s = NULL;
    assert_int_equal(gy_http_server_start(&cfg, &s), 0);
    return s;
}

static void get_ok(struct client *c, const char *path)
{
    char req[256];
    struct resp r;
    snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: a\r\n\r\n", path);
    send_str(c, req);
    assert_int_equal(read_resp(c, &r), 0);
    assert_int_equal(r.status, 200);
}

/* At the cap a new connection evicts the oldest one waiting for a request. */
static void test_connection_cap(void **state)
{
    struct gy_http_server *s = start_capped(2, 0, 0);
    int p = gy_http_server_port(s);
    struct client *a = client_open(p);
    get_ok(a, "/a"); /* a now idles between requests */
    struct client *b = client_open(p);
    send_str(b, "GET /b HTTP/1.1\r\nHo"); /* b: half a header */
    struct client *c = client_open(p); /* the cap: a (oldest waiting) makes room */
    get_ok(c, "/c");
    assert_true(at_eof(a));
    struct client *d = client_open(p); /* b is the oldest waiting now */
    get_ok(d, "/d");
    assert_true(at_eof(b));
    client_close(a);
    client_close(b);
    /* With every connection busy (a request held by the handler) a new one is refused. */
    send_str(c, "GET /hold HTTP/1.1\r\nHost: a\r\n\r\n");
    struct gy_http_req *held = wait_held();
    send_str(d, "GET /hold HTTP/1.1\r\nHost: a\r\n\r\n");
    struct gy_http_req *held2 = wait_held();
    struct client *e = client_open(p);
    assert_true(at_eof(e));
    client_close(e);
    gy_http_respond(held, 200, NULL, 0, GY_STR("held"));
    gy_http_respond(held2, 200, NULL, 0, GY_STR("held"));
    struct resp r;
    assert_int_equal(read_resp(c, &r), 0);
    assert_int_equal(read_resp(d, &r), 0);
    client_close(c);
    client_close(d);
    gy_http_server_stop(s, 1000);
    gy_http_server_destroy(s);
}

/* Many idle sockets from one address: each new one evicts the oldest; a client is served. */
static void test_idle_flood_per_peer(void **state)
{
    enum { FLOOD = 300 };
    struct gy_http_server *s = start_capped(1000, 50, 0);
    int p = gy_http_server_port(s);
    int fds[FLOOD];
    for (int i = 0; i < FLOOD; i++) {
        fds[i] = connect_to(AF_INET, p);
        assert_true(fds[i] >= 0);
    }
    struct client *c = client_open(p);
    get_ok(c, "/after-flood");
    get_ok(c, "/again");
    /* The oldest flood sockets were closed by the server; the newest are still open. */
    struct client old = {.fd = fds[0]};
    assert_true(at_eof(&old));
    for (int i = 0; i < FLOOD; i++)
        close(fds[i]);
    client_close(c);
    gy_http_server_stop(s, 1000);
    gy_http_server_destroy(s);
}

/* A connection that never completes its request header is closed at the header deadline, even
 * when it keeps sending bytes; a keep-alive connection may idle past it. */
static void test_header_deadline(void **state)
{
    struct gy_http_server *s = start_capped(0, 0, 200);
    int p = gy_http_server_port(s);
    struct client *c = client_open(p);
    assert_true(at_eof(c)); /* nothing sent */
    client_close(c);
    c = client_open(p);
    send_str(c, "GET /slow HTTP/1.1\r\n");
    for (int i = 0; i < 3; i++) {
        usleep(100 * 1000);
        send(c->fd, "X-A: b\r\n", 8, MSG_NOSIGNAL);
    }
    assert_true(at_eof(c));
    client_close(c);
    c = client_open(p);
    get_ok(c, "/fast");
    usleep(400 * 1000); /* idle between requests: the idle timeout (60 s) applies */
    get_ok(c, "/later");
    client_close(c);
    gy_http_server_stop(s, 1000);
    gy_http_server_destroy(s);
}

static void test_ipv6(void **state)
{
    struct gy_http_config cfg = {.listen = "[::1]:0", .threads = 1, .handler = handler, .ctx = &T};
    struct gy_http_server *s = NULL;
    if (gy_http_server_start(&cfg, &s) != 0) {
        skip(); /* no IPv6 loopback here */
    }
    int fd = connect_to(AF_INET6, gy_http_server_port(s));
    assert_true(fd >= 0);
    struct client *c = gy_calloc(1, sizeof(*c));
    c->fd = fd;
    struct resp r;
    send_str(c, "GET /v6 HTTP/1.1\r\nHost: a\r\n\r\n");
    assert_int_equal(read_resp(c, &r), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.head, "\r\nX-Remote: [::1]:"));
    client_close(c);
    gy_http_server_stop(s, 1000);
    gy_http_server_destroy(s);
}

static void test_start_errors(void **state)
{
    struct gy_http_server *s = (struct gy_http_server *)1;
    struct gy_http_config cfg = {.listen = "127.0.0.1", .handler = handler};
    assert_int_equal(gy_http_server_start(&cfg, &s), GY_EINVAL);
    assert_null(s);
    const char *bad[] = {"1.2.3.4:99999", "nohost:80", "[::1:80", "127.0.0.1:8x", "[zz]:1"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cfg.listen = bad[i];
        assert_int_equal(gy_http_server_start(&cfg, &s), GY_EINVAL);
    }
    cfg.listen = "127.0.0.1:0";
    cfg.handler = NULL;
    assert_int_equal(gy_http_server_start(&cfg, &s), GY_EINVAL);

    /* A port held by another server (even one using SO_REUSEPORT) is a bind failure. */
    char addr[64];
    snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
    cfg.listen = addr;
    cfg.handler = handler;
    assert_int_equal(gy_http_server_start(&cfg, &s), GY_EIO);
    assert_null(s);
}

/* ---------------------------------------------------------------- socket-free tests */

struct rx_case {
    struct gy_http__rx rx;
    int continues;
};

static void count_continue(struct gy_http__rx *rx)
{
    ((struct rx_case *)rx->hooks_ctx)->continues++;
}

static const struct gy_http__rx_hooks count_hooks = {.on_continue = count_continue};

static void test_rx_pipeline_and_headers(void **state)
{
    struct rx_case k = {0};
    gy_http__rx_init(&k.rx, 4096, 100, &count_hooks, &k);
    const char *in = "POST /a/b?c=d HTTP/1.1\r\nHost: x\r\nX-Multi: one\r\nx-multi: two\r\n"
                     "Empty:\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\nxyz"
                     "GET /2 HTTP/1.0\r\n\r\n";
    size_t len = strlen(in);
    size_t n = gy_http__rx_execute(&k.rx, in, len);
    assert_int_equal(k.rx.state, GY_HTTP__RX_DONE);
    assert_int_equal(k.continues, 1);
    struct gy_http_req *req = gy_http__rx_take(&k.rx);
    assert_true(gy_str_eqc(req->method, "POST"));
    assert_true(gy_str_eqc(req->target, "/a/b?c=d"));
    assert_true(gy_str_eqc(req->path, "/a/b"));
    assert_true(gy_str_eqc(req->query, "c=d"));
    assert_int_equal(req->nheaders, 6);
    assert_true(gy_str_eqc(req->headers[2].name, "x-multi"));
    assert_true(gy_str_eqc(req->headers[2].value, "two"));
    assert_true(gy_str_eqc(*gy_http_req_header(req, "X-MULTI"), "one"));
    assert_int_equal(gy_http_req_header(req, "empty")->len, 0);
    assert_null(gy_http_req_header(req, "missing"));
    assert_true(gy_str_eqc(req->body, "xyz"));
    assert_int_equal(req->body.p[3], '\0');
    assert_true(req->priv.keep_alive);
    gy_arena_destroy(req->arena);

    n += gy_http__rx_execute(&k.rx, in + n, len - n);
    assert_int_equal(n, len);
    assert_int_equal(k.rx.state, GY_HTTP__RX_DONE);
    req = gy_http__rx_take(&k.rx);
    assert_true(gy_str_eqc(req->method, "GET"));
    assert_int_equal(req->http_minor, 0);
    assert_false(req->priv.keep_alive);
    assert_int_equal(req->body.len, 0);
    assert_int_equal(req->query.len, 0);
    gy_arena_destroy(req->arena);
    assert_false(gy_http__rx_mid_request(&k.rx));
    gy_http__rx_fini(&k.rx);
}

static void test_rx_split_everywhere(void **state)
{
    /* Every split point of a chunked request gives the same result. */
    const char *in = "PUT /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
    size_t len = strlen(in);
    for (size_t cut = 0; cut <= len; cut++) {
        struct rx_case k = {0};
        gy_http__rx_init(&k.rx, 4096, 100, NULL, NULL);
        size_t n = gy_http__rx_execute(&k.rx, in, cut);
        assert_int_equal(n, cut);
        if (cut > 0 && cut < len)
            assert_true(gy_http__rx_mid_request(&k.rx));
        if (cut < len) {
            n = gy_http__rx_execute(&k.rx, in + cut, len - cut);
            assert_int_equal(n, len - cut);
        }
        assert_int_equal(k.rx.state, GY_HTTP__RX_DONE);
        struct gy_http_req *req = gy_http__rx_take(&k.rx);
        assert_true(gy_str_eqc(req->body, "abcde"));
        assert_true(gy_str_eqc(*gy_http_req_header(req, "host"), "h"));
        gy_arena_destroy(req->arena);
        gy_http__rx_fini(&k.rx);
    }
}

static void test_rx_faults(void **state)
{
    struct {
        const char *in;
        size_t max_header, max_body;
        enum gy_http_fault want;
    } cases[] = {
        {"GET / HTTP/1.1\r\nA: 0123456789\r\n\r\n", 15, 100, GY_HTTP_FAULT_HEADER_TOO_LARGE},
        {"GET /0123456789012345678901234 HTTP/1.1\r\n\r\n", 20, 100,
         GY_HTTP_FAULT_HEADER_TOO_LARGE},
        {"POST / HTTP/1.1\r\nContent-Length: 101\r\n\r\n", 4096, 100, GY_HTTP_FAULT_BODY_TOO_LARGE},
        {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n65\r\n", 4096, 100,
         GY_HTTP_FAULT_BODY_TOO_LARGE},
        {"GET / HTTP/2.0\r\n\r\n", 4096, 100, GY_HTTP_FAULT_BAD_REQUEST},
        {"GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n", 4096, 100, GY_HTTP_FAULT_BAD_REQUEST},
        {"GET / HTTP/1.1\r\nBad Header: x\r\n\r\n", 4096, 100, GY_HTTP_FAULT_BAD_REQUEST},
        {"GET / HTTP/1.1\r\nUpgrade: x\r\nConnection: upgrade\r\n\r\n", 4096, 100,
         GY_HTTP_FAULT_BAD_REQUEST},
        {"\r\n\x7f", 4096, 100, GY_HTTP_FAULT_BAD_REQUEST},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct rx_case k = {0};
        gy_http__rx_init(&k.rx, cases[i].max_header, cases[i].max_body, &count_hooks, &k);
        gy_http__rx_execute(&k.rx, cases[i].in, strlen(cases[i].in));
        if (k.rx.state == GY_HTTP__RX_DONE) {
            /* Upgrade: the request is served, then the connection is treated as faulted. */
            struct gy_http_req *req = gy_http__rx_take(&k.rx);
            assert_false(req->priv.keep_alive);
            gy_arena_destroy(req->arena);
        }
        assert_int_equal(k.rx.state, GY_HTTP__RX_FAULT);
        enum gy_http_fault f;
        struct gy_http_req *req = gy_http__rx_take_fault(&k.rx, &f);
        assert_int_equal(f, cases[i].want);
        assert_true(req->priv.fault);
        assert_false(req->priv.keep_alive);
        assert_int_equal(k.continues, 0);
        gy_arena_destroy(req->arena);
        gy_http__rx_fini(&k.rx);
    }
    /* The faulted request keeps what was parsed. */
    struct rx_case k = {0};
    gy_http__rx_init(&k.rx, 4096, 10, NULL, NULL);
    const char *in = "POST /t?q HTTP/1.1\r\nX-A: 1\r\nContent-Length: 11\r\n\r\n";
    gy_http__rx_execute(&k.rx, in, strlen(in));
    enum gy_http_fault f;
    struct gy_http_req *req = gy_http__rx_take_fault(&k.rx, &f);
    assert_int_equal(f, GY_HTTP_FAULT_BODY_TOO_LARGE);
    assert_true(gy_str_eqc(req->method, "POST"));
    assert_true(gy_str_eqc(req->path, "/t"));
    assert_true(gy_str_eqc(*gy_http_req_header(req, "x-a"), "1"));
    gy_arena_destroy(req->arena);
    gy_http__rx_fini(&k.rx);
}

static void test_format_head(void **state)
{
    struct gy_arena *a = gy_arena_create(1024);
    char date[30];
    gy_http__date(784111777, date);
    assert_string_equal(date, "Sun, 06 Nov 1994 08:49:37 GMT");
    gy_http__date(0, date);
    assert_string_equal(date, "Thu, 01 Jan 1970 00:00:00 GMT");
    struct gy_http_header h[] = {
        {GY_STR("X-Amzn-RequestId"), GY_STR("abc")},
        {GY_STR("connection"), GY_STR("keep-alive")},
        {GY_STR("X-Bad"), GY_STR("a\nb")},
        {GY_STR(""), GY_STR("empty name")},
        {GY_STR("Transfer-Encoding"), GY_STR("chunked")},
    };
    struct gy_str s = gy_http__format_head(a, 200, h, 5, 12, GY_HTTP__CONN_NONE, date);
    assert_string_equal(s.p, "HTTP/1.1 200 OK\r\nDate: Thu, 01 Jan 1970 00:00:00 GMT\r\n"
                             "Content-Length: 12\r\nX-Amzn-RequestId: abc\r\n\r\n");
    assert_int_equal(s.len, strlen(s.p));
    s = gy_http__format_head(a, 304, NULL, 0, 0, GY_HTTP__CONN_CLOSE, "D");
    assert_string_equal(s.p, "HTTP/1.1 304 Not Modified\r\nDate: D\r\nConnection: close\r\n\r\n");
    s = gy_http__format_head(a, 431, NULL, 0, 0, GY_HTTP__CONN_KEEP_ALIVE, "D");
    assert_string_equal(s.p, "HTTP/1.1 431 Request Header Fields Too Large\r\nDate: D\r\n"
                             "Content-Length: 0\r\nConnection: keep-alive\r\n\r\n");
    assert_string_equal(gy_http_reason(599), "Unknown");
    assert_int_equal(gy_http_fault_status(GY_HTTP_FAULT_HEADER_TOO_LARGE), 431);
    assert_int_equal(gy_http_fault_status(GY_HTTP_FAULT_BODY_TOO_LARGE), 413);
    assert_int_equal(gy_http_fault_status(GY_HTTP_FAULT_BAD_REQUEST), 400);
    gy_arena_destroy(a);
}

struct captured {
    int status;
    size_t nheaders;
    char body[64];
};

static void capture(struct gy_http_req *req, int status, const struct gy_http_header *h, size_t n,
                    struct gy_str body, void *ctx)
{
    struct captured *c = ctx;
    c->status = status;
    c->nheaders = n;
    snprintf(c->body, sizeof(c->body), "%.*s", (int)body.len, body.p);
}

static int posted;
static void post_fn(void *arg)
{
    posted += *(int *)arg;
}

static void test_detached(void **state)
{
    struct gy_arena *a = gy_arena_create(1024);
    struct gy_http_req req;
    struct captured cap = {0};
    gy_http_req_init_detached(&req, a, capture, &cap);
    assert_true(gy_str_eqc(req.method, ""));
    assert_null(gy_http_req_header(&req, "x"));
    int three = 3;
    gy_http_req_post(&req, post_fn, &three);
    assert_int_equal(posted, 3);
    struct gy_http_header h = {GY_STR("A"), GY_STR("b")};
    gy_http_respond(&req, 404, &h, 1, GY_STR("nope"));
    assert_int_equal(cap.status, 404);
    assert_int_equal(cap.nheaders, 1);
    assert_string_equal(cap.body, "nope");
    gy_arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(test_rx_pipeline_and_headers),
        cmocka_unit_test(test_rx_split_everywhere),
        cmocka_unit_test(test_rx_faults),
        cmocka_unit_test(test_format_head),
        cmocka_unit_test(test_detached),
    };
    const struct CMUnitTest sock[] = {
        cmocka_unit_test(test_simple),
        cmocka_unit_test(test_keepalive),
        cmocka_unit_test(test_pipelining),
        cmocka_unit_test(test_byte_by_byte),
        cmocka_unit_test(test_chunked),
        cmocka_unit_test(test_continue),
        cmocka_unit_test(test_header_too_large),
        cmocka_unit_test(test_body_too_large),
        cmocka_unit_test(test_bad_request),
        cmocka_unit_test(test_http10),
        cmocka_unit_test(test_head_and_bodyless),
        cmocka_unit_test(test_off_thread),
        cmocka_unit_test(test_client_gone),
        cmocka_unit_test(test_start_errors),
        cmocka_unit_test(test_graceful_stop),
        cmocka_unit_test(test_stop_timeout_with_held_request),
        cmocka_unit_test(test_idle_timeout),
        cmocka_unit_test(test_idle_flood_per_peer),
        cmocka_unit_test(test_header_deadline),
        cmocka_unit_test(test_connection_cap),
        cmocka_unit_test(test_ipv6),
    };
    int fails = cmocka_run_group_tests_name("http-pure", pure, NULL, NULL);
    fails += cmocka_run_group_tests_name("http-sockets", sock, setup_server, teardown_server);
    return fails ? 1 : 0;
}

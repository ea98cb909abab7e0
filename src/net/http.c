/*
 * http.c — the HTTP server: listeners, I/O threads and their loops, the cross-thread message
 * queue, graceful stop. Connections are in http_conn.c, request parsing in http_parse.c,
 * response formatting in http_resp.c. Docs: docs/locking.md (thread model), docs/architecture.md.
 *
 * Thread model:
 *  - cfg.threads I/O threads, each running one libuv loop (struct gy_http__loop) with its own
 *    listening socket bound with SO_REUSEPORT to the same address: the kernel spreads new
 *    connections over the loops. A connection lives on one loop for its whole life, and every
 *    field of a connection, of the loop (except the queue below) and of a request's private
 *    part is touched only by that loop's thread.
 *  - The handler and fault callback run on the loop thread. They may answer at once or hand the
 *    request to another thread (the writer thread); gy_http_respond and gy_http_req_post are the
 *    only calls allowed off the loop thread. Off-thread, they push a message onto the loop's
 *    queue and wake it with uv_async_send; the loop runs messages in FIFO order.
 *  - A request is owned by the application from dispatch until gy_http_respond; after that, by
 *    the loop until its write completed or failed, when its arena is destroyed. The connection is
 *    reference-counted (open handles + the dispatched request), so a client that disconnects
 *    while its request is on another thread only closes the socket; the struct and the request
 *    live on until the response arrives and is dropped.
 *
 * Locks:
 *  - loop->mq_lock (one per loop, a leaf lock: nothing else is taken while holding it) guards
 *    the message queue, stop_requested, stop_timeout_ms and async_closed. uv_async_send is called
 *    under it, so the loop can never close the async handle between a sender's push and its send.
 *  - srv->nconns is an atomic counter (the connection cap across loops); no lock.
 *  - Nothing else is shared; in particular no lock is held while a handler runs.
 *
 * Stop: gy_http_server_stop sets stop_requested on every loop and joins the threads. Each loop
 * closes its listener, closes idle connections, lets busy ones finish their current request (and
 * then close), force-closes what is left after the timeout, and closes its async handle once no
 * connection, no dispatched request and no queued message remains; uv_run then returns.
 */
#include "net/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/errors.h"
#include "core/log.h"
#include "core/mem.h"
#include "net/http_int.h"

#define DEFAULT_THREADS 2
#define MAX_THREADS 64
#define DEFAULT_MAX_HEADER (64 * 1024)
#define MAX_MAX_HEADER (16 * 1024 * 1024)
#define DEFAULT_MAX_BODY (16 * 1024 * 1024)
#define DEFAULT_IDLE_MS 60000
#define DEFAULT_MAX_CONNS 4096
#define DEFAULT_HEADER_MS 10000
#define FD_RESERVE 128  /* descriptors kept for the store, logs, replication and curl */
#define MIN_CONNS 16
#define MIN_PER_PEER 4
#define LISTEN_BACKLOG 511

/* ---------------------------------------------------------------- queue and loop life */

void gy_http__loop_send(struct gy_http__loop *loop, struct gy_http__msg *msg)
{
    msg->next = NULL;
    pthread_mutex_lock(&loop->mq_lock);
    gy_assert(!loop->async_closed);
    if (loop->mq_tail)
        loop->mq_tail->next = msg;
    else
        loop->mq_head = msg;
    loop->mq_tail = msg;
    uv_async_send(&loop->async);
    pthread_mutex_unlock(&loop->mq_lock);
}

void gy_http__loop_drain(struct gy_http__loop *loop)
{
    pthread_mutex_lock(&loop->mq_lock);
    struct gy_http__msg *m = loop->mq_head;
    loop->mq_head = loop->mq_tail = NULL;
    pthread_mutex_unlock(&loop->mq_lock);
    while (m) {
        struct gy_http__msg *next = m->next; /* m may be freed by fn (it lives in a request) */
        bool heap = m->heap;
        m->fn(m->arg);
        if (heap)
            gy_free(m);
        m = next;
    }
}

void gy_http__loop_check_exit(struct gy_http__loop *loop)
{
    if (!loop->stopping || loop->exiting || loop->nconns > 0 || loop->live_reqs > 0)
        return;
    pthread_mutex_lock(&loop->mq_lock);
    if (loop->mq_head) {
        pthread_mutex_unlock(&loop->mq_lock); /* the async callback will drain and call again */
        return;
    }
    loop->async_closed = true;
    pthread_mutex_unlock(&loop->mq_lock);
    loop->exiting = true;
    uv_close((uv_handle_t *)&loop->async, NULL);
    uv_close((uv_handle_t *)&loop->stop_timer, NULL);
}

static void on_stop_timeout(uv_timer_t *t)
{
    struct gy_http__loop *loop = t->data;
    if (loop->nconns > 0)
        gy_log_info("http: loop %d: stop timeout, closing %zu connection(s)", loop->index,
                    loop->nconns);
    gy_http__loop_close_all(loop);
    gy_http__loop_check_exit(loop);
}

static void on_async(uv_async_t *a)
{
    struct gy_http__loop *loop = a->data;
    gy_http__loop_drain(loop);
    pthread_mutex_lock(&loop->mq_lock);
    bool stop = loop->stop_requested;
    int timeout_ms = loop->stop_timeout_ms;
    pthread_mutex_unlock(&loop->mq_lock);
    if (stop && !loop->stopping) {
        loop->stopping = true;
        uv_close((uv_handle_t *)&loop->listener, NULL);
        gy_http__loop_begin_stop(loop);
        uv_timer_start(&loop->stop_timer, on_stop_timeout,
                       (uint64_t)(timeout_ms > 0 ? timeout_ms : 0), 0);
    }
    gy_http__loop_check_exit(loop);
}

static void on_connection(uv_stream_t *server, int status)
{
    struct gy_http__loop *loop = server->data;
    if (status < 0) {
        int64_t now = (int64_t)uv_now(&loop->uv);
        if (now - loop->cap_log_ms >= 10000) {
            loop->cap_log_ms = now;
            gy_log_warn("http: accept failed: %s", uv_strerror(status));
        }
        return;
    }
    gy_http__conn_accept(loop);
}

static void *loop_thread(void *arg)
{
    struct gy_http__loop *loop = arg;
    loop->tid = pthread_self();
    uv_run(&loop->uv, UV_RUN_DEFAULT);
    return NULL;
}

/* ---------------------------------------------------------------- listen address */

/*
 * Parse "host:port" (IPv4 literal, "localhost" or empty for any) or "[v6]:port" into ss.
 */
static int parse_listen(const char *listen, struct sockaddr_storage *ss)
{
    char host[INET6_ADDRSTRLEN + 2];
    const char *colon = strrchr(listen, ':');
    if (!colon)
        return GY_EINVAL;
    const char *ps = colon + 1;
    if (*ps == '\0' || strlen(ps) > 5)
        return GY_EINVAL;
    int port = 0;
    for (const char *q = ps; *q; q++) {
        if (*q < '0' || *q > '9')
            return GY_EINVAL;
        port = port * 10 + (*q - '0');
    }
    if (port > 65535)
        return GY_EINVAL;
    size_t hl = (size_t)(colon - listen);
    memset(ss, 0, sizeof(*ss));
    if (hl >= 2 && listen[0] == '[' && listen[hl - 1] == ']') {
        if (hl - 2 >= sizeof(host))
            return GY_EINVAL;
        memcpy(host, listen + 1, hl - 2);
        host[hl - 2] = '\0';
        return uv_ip6_addr(host, port, (struct sockaddr_in6 *)ss) == 0 ? 0 : GY_EINVAL;
    }
    if (hl >= sizeof(host))
        return GY_EINVAL;
    memcpy(host, listen, hl);
    host[hl] = '\0';
    if (hl == 0)
        snprintf(host, sizeof(host), "0.0.0.0");
    else if (strcmp(host, "localhost") == 0)
        snprintf(host, sizeof(host), "127.0.0.1");
    return uv_ip4_addr(host, port, (struct sockaddr_in *)ss) == 0 ? 0 : GY_EINVAL;
}

static socklen_t ss_len(const struct sockaddr_storage *ss)
{
    return ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
}

static void ss_set_port(struct sockaddr_storage *ss, int port)
{
    if (ss->ss_family == AF_INET6)
        ((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
    else
        ((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
}

static int ss_port(const struct sockaddr_storage *ss)
{
    if (ss->ss_family == AF_INET6)
        return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
    return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

/*
 * Bind a socket to ss. With reuseport, other Gyre loops may share the port; without it, the bind
 * fails when anything (a stale server with SO_REUSEPORT included) already holds the port.
 */
static int bind_socket(const struct sockaddr_storage *ss, bool reuseport, const char *listen,
                       int *out_fd)
{
    int one = 1;
    int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        gy_log_error("http: socket() for %s failed: %s", listen, strerror(errno));
        return GY_EIO;
    }
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0)) {
        gy_log_error("http: setsockopt on %s failed: %s", listen, strerror(errno));
        close(fd);
        return GY_EIO;
    }
    if (bind(fd, (const struct sockaddr *)ss, ss_len(ss)) != 0) {
        gy_log_error("http: cannot bind %s: %s", listen, strerror(errno));
        close(fd);
        return GY_EIO;
    }
    *out_fd = fd;
    return 0;
}

/* Find the port (resolving ":0") and make sure no other process holds it. */
static int probe_port(struct sockaddr_storage *ss, const char *listen, int *port)
{
    int fd;
    int rc = bind_socket(ss, false, listen, &fd);
    if (rc)
        return rc;
    struct sockaddr_storage got;
    memset(&got, 0, sizeof(got));
    socklen_t len = sizeof(got);
    if (getsockname(fd, (struct sockaddr *)&got, &len) != 0) {
        gy_log_error("http: getsockname on %s failed: %s", listen, strerror(errno));
        close(fd);
        return GY_EIO;
    }
    close(fd);
    *port = ss_port(&got);
    ss_set_port(ss, *port);
    return 0;
}

/* ---------------------------------------------------------------- start / stop */

static void apply_defaults(struct gy_http_config *c)
{
    if (c->threads <= 0)
        c->threads = DEFAULT_THREADS;
    if (c->threads > MAX_THREADS)
        c->threads = MAX_THREADS;
    if (c->max_header_bytes == 0)
        c->max_header_bytes = DEFAULT_MAX_HEADER;
    if (c->max_header_bytes > MAX_MAX_HEADER)
        c->max_header_bytes = MAX_MAX_HEADER;
    if (c->max_body_bytes == 0)
        c->max_body_bytes = DEFAULT_MAX_BODY;
    if (c->idle_timeout_ms <= 0)
        c->idle_timeout_ms = DEFAULT_IDLE_MS;
    if (c->header_timeout_ms <= 0)
        c->header_timeout_ms = DEFAULT_HEADER_MS;
    if (c->max_connections <= 0)
        c->max_connections = DEFAULT_MAX_CONNS;
    /* More connections than descriptors would make accept() fail with EMFILE, and libuv then
     * resets every new client: cap below the process's limit instead. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
        rlim_t room = rl.rlim_cur > FD_RESERVE + MIN_CONNS ? rl.rlim_cur - FD_RESERVE : MIN_CONNS;
        if ((rlim_t)c->max_connections > room) {
            gy_log_info("http: %d connections requested, %llu allowed by the descriptor limit "
                        "(%llu, ulimit -n)", c->max_connections, (unsigned long long)room,
                        (unsigned long long)rl.rlim_cur);
            c->max_connections = (int)room;
        }
    }
    if (c->max_per_peer <= 0)
        c->max_per_peer = c->max_connections / 4;
    if (c->max_per_peer < MIN_PER_PEER)
        c->max_per_peer = MIN_PER_PEER;
    if (c->max_per_peer > c->max_connections)
        c->max_per_peer = c->max_connections;
}

/* Set up one loop with its listener on fd (fd is consumed). */
static int loop_init(struct gy_http_server *s, int i, int fd)
{
    struct gy_http__loop *loop = &s->loops[i];
    loop->srv = s;
    loop->index = i;
    /* SO_REUSEPORT spreads one peer's connections over the loops by a hash of the 4-tuple. */
    loop->per_peer_cap = (s->cfg.max_per_peer + s->nloops - 1) / s->nloops;
    pthread_mutex_init(&loop->mq_lock, NULL);
    if (uv_loop_init(&loop->uv) != 0) {
        close(fd);
        gy_log_error("http: uv_loop_init failed");
        return GY_EIO;
    }
    uv_async_init(&loop->uv, &loop->async, on_async);
    loop->async.data = loop;
    uv_timer_init(&loop->uv, &loop->stop_timer);
    loop->stop_timer.data = loop;
    uv_tcp_init(&loop->uv, &loop->listener);
    loop->listener.data = loop;
    loop->inited = true;
    int r = uv_tcp_open(&loop->listener, fd);
    if (r != 0) {
        close(fd);
        gy_log_error("http: uv_tcp_open failed: %s", uv_strerror(r));
        return GY_EIO;
    }
    r = uv_listen((uv_stream_t *)&loop->listener, LISTEN_BACKLOG, on_connection);
    if (r != 0) {
        gy_log_error("http: cannot listen on %s: %s", s->cfg.listen, uv_strerror(r));
        return GY_EIO;
    }
    return 0;
}

/* Tear down a loop whose thread never ran (start failed part-way). */
static void loop_teardown_unstarted(struct gy_http__loop *loop)
{
    uv_close((uv_handle_t *)&loop->listener, NULL);
    uv_close((uv_handle_t *)&loop->async, NULL);
    uv_close((uv_handle_t *)&loop->stop_timer, NULL);
    loop->async_closed = true;
    uv_run(&loop->uv, UV_RUN_DEFAULT);
}

int gy_http_server_start(const struct gy_http_config *cfg, struct gy_http_server **out)
{
    struct sockaddr_storage ss;
    int rc;

    *out = NULL;
    if (!cfg || !cfg->handler || !cfg->listen)
        return GY_EINVAL;
    if (parse_listen(cfg->listen, &ss) != 0) {
        gy_log_error("http: bad listen address \"%s\"", cfg->listen);
        return GY_EINVAL;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);

    struct gy_http_server *s = gy_calloc(1, sizeof(*s));
    s->cfg = *cfg;
    apply_defaults(&s->cfg);
    s->listen_copy = gy_strdup(cfg->listen);
    s->cfg.listen = s->listen_copy;
    atomic_init(&s->nconns, 0);
    if (s->cfg.max_header_bytes + 4096 > HTTP_MAX_HEADER_SIZE)
        http_parser_set_max_header_size((uint32_t)(s->cfg.max_header_bytes + 4096));

    rc = probe_port(&ss, s->cfg.listen, &s->port);
    if (rc)
        goto out_free;
    s->nloops = s->cfg.threads;
    s->loops = gy_calloc((size_t)s->nloops, sizeof(*s->loops));
    for (int i = 0; i < s->nloops; i++) {
        int fd;
        rc = bind_socket(&ss, true, s->cfg.listen, &fd);
        if (rc == 0)
            rc = loop_init(s, i, fd);
        if (rc)
            goto out_loops;
    }
    for (int i = 0; i < s->nloops; i++) {
        if (pthread_create(&s->loops[i].thread, NULL, loop_thread, &s->loops[i]) != 0) {
            gy_log_error("http: cannot start I/O thread %d", i);
            rc = GY_EIO;
            goto out_loops;
        }
        s->loops[i].thread_started = true;
    }
    gy_log_info("http: listening on %s (port %d, %d loops)", s->cfg.listen, s->port, s->nloops);
    *out = s;
    return 0;

out_loops:
    gy_http_server_stop(s, 0);
out_free:
    gy_http_server_destroy(s);
    return rc;
}

int gy_http_server_port(const struct gy_http_server *s)
{
    return s->port;
}

void gy_http_server_stop(struct gy_http_server *s, int timeout_ms)
{
    if (!s || s->stopped)
        return;
    for (int i = 0; i < s->nloops; i++) {
        struct gy_http__loop *loop = &s->loops[i];
        if (loop->thread_started) {
            gy_assert(!pthread_equal(pthread_self(), loop->thread));
            pthread_mutex_lock(&loop->mq_lock);
            loop->stop_requested = true;
            loop->stop_timeout_ms = timeout_ms;
            if (!loop->async_closed)
                uv_async_send(&loop->async);
            pthread_mutex_unlock(&loop->mq_lock);
        } else if (loop->inited) {
            loop_teardown_unstarted(loop);
        }
    }
    for (int i = 0; i < s->nloops; i++) {
        if (s->loops[i].thread_started) {
            pthread_join(s->loops[i].thread, NULL);
            s->loops[i].thread_started = false;
        }
    }
    s->stopped = true;
}

void gy_http_server_destroy(struct gy_http_server *s)
{
    if (!s)
        return;
    gy_http_server_stop(s, 0);
    for (int i = 0; i < s->nloops; i++) {
        struct gy_http__loop *loop = &s->loops[i];
        if (loop->inited) {
            int r = uv_loop_close(&loop->uv);
            if (r != 0)
                gy_log_warn("http: loop %d did not close cleanly: %s", i, uv_strerror(r));
        }
        if (loop->srv)
            pthread_mutex_destroy(&loop->mq_lock);
    }
    gy_free(s->loops);
    gy_free(s->listen_copy);
    gy_free(s);
}

/*
 * http.h — Gyre's HTTP/1.1 server: libuv loops (one per I/O thread, each with its own
 * SO_REUSEPORT listener) and http-parser 2.9 for requests.
 *
 * The server reads a whole request (header and body limits enforced while reading), hands it to
 * the handler on the loop thread, and writes the response that gy_http_respond() is given, from
 * any thread. One request at a time per connection: pipelined requests wait, in order, until the
 * previous response has been written. Keep-alive, chunked request bodies, Expect: 100-continue,
 * idle/slow-client timeouts, a header deadline, and connection caps (overall and per peer
 * address, evicting the oldest connection that waits for a request) are handled here. See
 * docs/locking.md for the thread model; the design notes are at the top of src/net/http.c.
 */
#ifndef GY_NET_HTTP_H
#define GY_NET_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/str.h"

#define GY_HTTP_MAX_HEADERS 256 /* more header lines than this: GY_HTTP_FAULT_HEADER_TOO_LARGE */

struct gy_http_header {
    struct gy_str name;
    struct gy_str value;
};

struct gy_http_req;
struct gy_http__conn;

/* Receives the response of a detached request (see gy_http_req_init_detached). */
typedef void (*gy_http_detached_fn)(struct gy_http_req *req, int status,
                                    const struct gy_http_header *headers, size_t nheaders,
                                    struct gy_str body, void *ctx);

/* A message handed to a loop from any thread, run in FIFO order on the loop (private). */
struct gy_http__msg {
    struct gy_http__msg *next; /* queue link */
    void (*fn)(void *arg);     /* run on the loop thread */
    void *arg;                 /* argument of fn */
    bool heap;                 /* free the message after running it */
};

/* Server-private per-request state; handlers never touch it. */
struct gy_http__req_priv {
    struct gy_http__conn *conn;           /* owning connection; NULL when detached */
    struct gy_http__msg msg;              /* hands the response to the loop thread */
    int status;                           /* response status handed to gy_http_respond */
    const struct gy_http_header *headers; /* response headers (caller-owned, arena) */
    size_t nheaders;                      /* number of response headers */
    struct gy_str body;                   /* response body (caller-owned, arena) */
    bool responded;                       /* gy_http_respond was called */
    bool head;                            /* HEAD request: the body is not sent */
    bool keep_alive;                      /* the connection may stay open after the response */
    bool fault;                           /* answered through the fault path: close afterwards */
    gy_http_detached_fn detached_fn;      /* detached requests: receives the response */
    void *detached_ctx;                   /* detached requests: context for detached_fn */
};

struct gy_http_req {
    struct gy_arena
        *arena; /* created per request by the server, destroyed after the response is sent */
    struct gy_str method;           /* "GET", "POST", ... */
    struct gy_str target;           /* raw request-target ("/path?query"), as received */
    struct gy_str path;             /* target up to '?' */
    struct gy_str query;            /* after '?', or empty */
    struct gy_http_header *headers; /* wire order; slices point into arena memory */
    size_t nheaders;                /* number of headers */
    struct gy_str body;   /* whole body (Content-Length or chunked, de-chunked), NUL-terminated */
    int http_major;       /* 1 */
    int http_minor;       /* 0 or 1 */
    char remote_addr[64]; /* "127.0.0.1:54321" or "[::1]:54321" */
    void *user;           /* free for the handler */
    /* private fields after this point */
    struct gy_http__req_priv priv;
};

/** Case-insensitive header lookup (first match in wire order); NULL if absent. */
const struct gy_str *gy_http_req_header(const struct gy_http_req *req, const char *name);

enum gy_http_fault {
    GY_HTTP_FAULT_HEADER_TOO_LARGE, /* 431: header section over max_header_bytes or too many lines
                                     */
    GY_HTTP_FAULT_BODY_TOO_LARGE,   /* 413: Content-Length or chunked body over max_body_bytes */
    GY_HTTP_FAULT_BAD_REQUEST,      /* 400: malformed request */
};

/** The status the server answers a fault with when no fault callback is set (431, 413, 400). */
int gy_http_fault_status(enum gy_http_fault fault);

typedef void (*gy_http_handler_fn)(struct gy_http_req *req, void *ctx);
/* Called instead of the handler when the request is unacceptable; it must gy_http_respond() (the
   server then closes the connection after the response). May be NULL: the server then answers
   plain 400/413/431. The request holds whatever was parsed before the fault (method, target and
   headers may be empty). */
typedef void (*gy_http_fault_fn)(struct gy_http_req *req, enum gy_http_fault fault, void *ctx);

struct gy_http_config {
    const char *listen;      /* "127.0.0.1:4566", "[::1]:4566", "0.0.0.0:4566", "localhost:0" */
    int threads;             /* I/O loops, default (0) 2 */
    size_t max_header_bytes; /* default (0) 64 KiB */
    size_t max_body_bytes;   /* default (0) 16 MiB (DynamoDB's request limit) */
    int idle_timeout_ms;   /* keep-alive idle + slow-body + slow-reader timeout, default 60000 */
    int header_timeout_ms; /* a request's header must be complete this long after the
                              connection opened or the request's first byte; default 10000 */
    int max_connections;   /* default 4096, at most RLIMIT_NOFILE less a reserve; at the limit a
                              new connection evicts the oldest one waiting for a request, or is
                              closed at once when none is */
    int max_per_peer;      /* connections from one IP address, default max_connections / 4
                              (at least 4); at the limit the peer's oldest waiting connection
                              is evicted, or the new one is closed at once */
    gy_http_handler_fn handler; /* required */
    gy_http_fault_fn fault;     /* optional */
    void *ctx;                  /* passed to handler and fault */
};

struct gy_http_server;

/**
 * Bind, listen and start the I/O threads.
 * @param cfg  in: configuration (copied; cfg->listen need not outlive the call).
 * @param out  out: the running server.
 * @return 0; GY_EINVAL for a bad listen address or missing handler; GY_EIO when a socket cannot
 *         be created, bound or listened on (the reason is logged). Ignores SIGPIPE process-wide.
 */
int gy_http_server_start(const struct gy_http_config *cfg, struct gy_http_server **out);

/** The bound port (useful with listen "...:0"). Thread-safe. */
int gy_http_server_port(const struct gy_http_server *s);

/**
 * Graceful stop: stop accepting, close idle connections, let in-flight requests finish (each
 * connection closes after its current response), then after timeout_ms close every remaining
 * connection. Returns when the loops have ended and the threads are joined. A request already
 * handed to another thread keeps its loop alive until gy_http_respond is called for it (its
 * response is then dropped if the connection is gone), so stop the server before stopping the
 * threads that complete requests. Call once, from a thread that is not one of the server's loops.
 */
void gy_http_server_stop(struct gy_http_server *s, int timeout_ms);

/** Free a stopped server (stops it with a 0 ms timeout first if needed). NULL is allowed. */
void gy_http_server_destroy(struct gy_http_server *s);

/**
 * Send the response. Call exactly once per request, from ANY thread: when called off the
 * request's loop thread it is handed to that loop (uv_async). headers/body must stay valid until
 * the request's arena is destroyed (allocate them from req->arena). The server adds
 * Content-Length, Date (RFC 1123) and Connection; headers of those names given here are dropped,
 * and so are headers whose name or value holds CR or LF. Keep-alive follows HTTP/1.1 rules
 * (HTTP/1.0 closes unless keep-alive was asked). After this call the caller must not touch req.
 */
void gy_http_respond(struct gy_http_req *req, int status, const struct gy_http_header *headers,
                     size_t nheaders, struct gy_str body);

/**
 * Run fn(arg) on the request's loop thread soon (thread-safe). Valid only before the request's
 * gy_http_respond. On a detached request fn runs at once, on the calling thread.
 */
void gy_http_req_post(struct gy_http_req *req, void (*fn)(void *arg), void *arg);

/**
 * Make a request that belongs to no server (for unit tests of handlers): zeroes req, sets its
 * arena (still owned by the caller) and makes gy_http_respond call fn synchronously.
 */
void gy_http_req_init_detached(struct gy_http_req *req, struct gy_arena *arena,
                               gy_http_detached_fn fn, void *ctx);

/** Reason phrase of a status code ("OK", "Not Found"); "Unknown" for codes it does not know. */
const char *gy_http_reason(int status);

#endif

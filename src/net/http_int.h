/*
 * http_int.h — declarations shared by the files of src/net/ only (never included elsewhere).
 *
 * Three layers: the request reader ("rx", http_parse.c: http-parser callbacks -> struct
 * gy_http_req, limits, no sockets), the response formatter (http_resp.c, pure functions) and the
 * connection state machine on libuv (http_conn.c), driven by the server loops (http.c).
 */
#ifndef GY_NET_HTTP_INT_H
#define GY_NET_HTTP_INT_H

#include <http_parser.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <uv.h>

#include "core/str.h"
#include "net/http.h"

/* ---------------------------------------------------------------- request reader (rx) */

enum gy_http__rx_state {
    GY_HTTP__RX_IDLE,    /* between messages: no byte of the next request seen */
    GY_HTTP__RX_HEADERS, /* inside the request line or header section */
    GY_HTTP__RX_BODY,    /* headers complete, reading the body */
    GY_HTTP__RX_DONE,    /* a whole request is ready (parser paused): gy_http__rx_take */
    GY_HTTP__RX_FAULT,   /* the request is unacceptable: gy_http__rx_take_fault */
};

struct gy_http__rx;

struct gy_http__rx_hooks {
    void (*on_begin)(struct gy_http__rx *rx);    /* first byte of a request; may be NULL */
    void (*on_continue)(struct gy_http__rx *rx); /* send "100 Continue" now; may be NULL */
    void (*on_headers)(struct gy_http__rx *rx);  /* header section complete; may be NULL */
};

/* Offsets of one header line inside rx->hbuf. */
struct gy_http__hdr_span {
    uint32_t name_off, name_len;
    uint32_t value_off, value_len;
};

struct gy_http__rx {
    http_parser parser;                    /* HTTP_REQUEST parser; data points to this rx */
    size_t max_header_bytes;               /* limit on url + header lines (+4 per line) */
    size_t max_body_bytes;                 /* limit on the de-chunked body */
    const struct gy_http__rx_hooks *hooks; /* event hooks for the connection */
    void *hooks_ctx;                       /* the connection (free for the user of rx) */
    enum gy_http__rx_state state;          /* see enum */
    enum gy_http_fault fault;              /* valid in GY_HTTP__RX_FAULT */
    struct gy_buf hbuf;                    /* url bytes then header names/values, bounded */
    size_t hsize;                          /* header-section size counted against the limit */
    size_t url_len;                        /* bytes of the url at the start of hbuf */
    struct gy_http__hdr_span *spans;       /* header lines (heap, grows to GY_HTTP_MAX_HEADERS) */
    size_t nspans, spans_cap;              /* used / allocated spans */
    int last_cb;                           /* 0 none, 1 url, 2 field, 3 value (for split pieces) */
    struct gy_buf body;                    /* body being received, bounded by max_body_bytes */
    struct gy_http_req *req;               /* request under construction (owned by rx) */
};

/** Initialize a reader with its limits; hooks may be NULL. */
void gy_http__rx_init(struct gy_http__rx *rx, size_t max_header_bytes, size_t max_body_bytes,
                      const struct gy_http__rx_hooks *hooks, void *hooks_ctx);
/** Free the reader and the request under construction, if any. */
void gy_http__rx_fini(struct gy_http__rx *rx);
/**
 * Parse up to len bytes; returns how many were consumed. Stops early when a request is complete
 * (state DONE) or unacceptable (state FAULT); must not be called in those states.
 */
size_t gy_http__rx_execute(struct gy_http__rx *rx, const char *data, size_t len);
/** The finished request (ownership passes to the caller); the reader is ready for the next one. */
struct gy_http_req *gy_http__rx_take(struct gy_http__rx *rx);
/** The faulted request, with whatever was parsed (ownership passes); the reader is unusable. */
struct gy_http_req *gy_http__rx_take_fault(struct gy_http__rx *rx, enum gy_http_fault *fault);
/** True when some bytes of a request have been consumed but the request is not complete. */
bool gy_http__rx_mid_request(const struct gy_http__rx *rx);

/* ---------------------------------------------------------------- response formatting */

/** RFC 1123 date ("Sun, 06 Nov 1994 08:49:37 GMT") of a Unix time into out (30 bytes). */
void gy_http__date(int64_t unix_sec, char out[30]);

enum gy_http__conn_hdr { GY_HTTP__CONN_NONE, GY_HTTP__CONN_KEEP_ALIVE, GY_HTTP__CONN_CLOSE };

/**
 * The status line and header block of a response, ending with the blank line, allocated from
 * arena. Content-Length is added unless the status forbids a body (1xx, 204, 304); user headers
 * named Content-Length, Transfer-Encoding, Date or Connection, and any holding CR/LF/NUL (or an
 * empty or non-token name) are dropped.
 */
struct gy_str gy_http__format_head(struct gy_arena *arena, int status,
                                   const struct gy_http_header *headers, size_t nheaders,
                                   size_t content_length, enum gy_http__conn_hdr conn,
                                   const char *date);
/** True when a response with this status carries no body (1xx, 204, 304). */
bool gy_http__status_bodyless(int status);

/* ---------------------------------------------------------------- loops and connections */

struct gy_http__loop {
    struct gy_http_server *srv; /* owning server */
    int index;                  /* loop number, for logs */
    uv_loop_t uv;               /* the libuv loop (loop thread only once started) */
    uv_tcp_t listener;          /* this loop's SO_REUSEPORT listening socket */
    uv_async_t async;           /* wakes the loop for queued messages and stop */
    uv_timer_t stop_timer;      /* graceful-stop deadline */
    pthread_t thread;           /* the loop thread (written by start before use) */
    pthread_t tid;              /* set by the loop thread itself: identity checks */
    bool thread_started;        /* thread was created and must be joined */
    bool inited;                /* handles above are initialized */

    pthread_mutex_t mq_lock;      /* guards mq_*, stop_requested, stop_timeout_ms, async_closed */
    struct gy_http__msg *mq_head; /* queued messages, oldest first */
    struct gy_http__msg *mq_tail; /* newest queued message */
    bool stop_requested;          /* gy_http_server_stop asked this loop to stop */
    int stop_timeout_ms;          /* graceful-stop timeout given to gy_http_server_stop */
    bool async_closed;            /* the async handle is closed: nobody may send to it */

    /* Loop thread only: */
    struct gy_http__conn *conns; /* open connections (doubly linked) */
    size_t nconns;               /* entries in conns */
    struct gy_http__conn *wait_head; /* evictable connections (no request or only part of its
                                        header received, or lingering), oldest first */
    struct gy_http__conn *wait_tail; /* newest evictable connection */
    int per_peer_cap;            /* max_per_peer's share for this loop */
    uint64_t evicted;            /* connections evicted to make room (counter) */
    uint64_t rejected;           /* new connections closed at once (counter) */
    int64_t cap_log_ms;          /* when the last "limit reached" warning was logged */
    size_t live_reqs;            /* requests handed to handlers and not yet finished */
    bool stopping;               /* graceful stop in progress */
    bool exiting;                /* final handles are closing */
    int64_t date_sec;            /* second of the cached Date value */
    char date[32];               /* cached RFC 1123 date */
    char readbuf[64 * 1024];     /* read buffer shared by this loop's connections */
};

struct gy_http_server {
    struct gy_http_config cfg;   /* copy, defaults applied (listen points to listen_copy) */
    char *listen_copy;           /* owned copy of cfg.listen */
    int port;                    /* bound port */
    int nloops;                  /* number of loops */
    struct gy_http__loop *loops; /* nloops loops */
    atomic_int nconns;           /* connections open across all loops (the cap) */
    bool stopped;                /* gy_http_server_stop completed */
};

/** Accept one pending connection on a loop's listener (loop thread). */
void gy_http__conn_accept(struct gy_http__loop *loop);
/** Begin a graceful stop on the loop: close idle connections, mark busy ones (loop thread). */
void gy_http__loop_begin_stop(struct gy_http__loop *loop);
/** Close every connection of the loop at once (loop thread). */
void gy_http__loop_close_all(struct gy_http__loop *loop);
/** Close the loop's last handles when it is stopping and nothing is left (loop thread). */
void gy_http__loop_check_exit(struct gy_http__loop *loop);
/** Queue msg for the loop and wake it (any thread). */
void gy_http__loop_send(struct gy_http__loop *loop, struct gy_http__msg *msg);
/** Run every queued message (loop thread). */
void gy_http__loop_drain(struct gy_http__loop *loop);

#endif

/*
 * http_parse.c — the request reader: http-parser 2.9 callbacks turned into struct gy_http_req,
 * with Gyre's limits enforced while the bytes arrive. No sockets here, so the fuzz harness
 * (tests/fuzz/http.c) drives exactly this code.
 *
 * Invariants:
 *  1. The url and header bytes of the current request are copied into rx->hbuf (bounded by
 *     max_header_bytes) as the callbacks deliver them, possibly in pieces; at headers-complete
 *     they are copied once into the request's arena and sliced (rx->spans hold the offsets).
 *  2. At most GY_HTTP_MAX_HEADERS header lines; trailers of chunked bodies are parsed but dropped.
 *  3. The body never grows past max_body_bytes: a larger Content-Length faults at
 *     headers-complete, before any body byte is read; a chunked body faults in on_body.
 *  4. on_message_complete pauses the parser, so exactly one request is produced per DONE and
 *     the bytes after it stay with the caller (pipelining).
 */
#include "net/http_int.h"

#include <string.h>

#include "core/log.h"
#include "core/mem.h"

#define RX_ARENA_BLOCK 8192
#define RX_BODY_PREALLOC (1024 * 1024) /* reserve at most this much up front for Content-Length */

static struct gy_http__rx *rx_of(http_parser *p)
{
    return p->data;
}

/*
 * Record a fault and make the parser stop. -1 because on_headers_complete gives 1 and 2 their
 * own meanings (skip body, upgrade); every other callback treats any non-zero as an error.
 */
static int rx_fail(struct gy_http__rx *rx, enum gy_http_fault fault)
{
    rx->state = GY_HTTP__RX_FAULT;
    rx->fault = fault;
    return -1;
}

static bool is_tchar(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* http-parser (built non-strict) lets spaces and other non-token bytes into header names. */
static bool rx_names_valid(const struct gy_http_req *req)
{
    for (size_t i = 0; i < req->nheaders; i++) {
        const struct gy_str *n = &req->headers[i].name;
        if (n->len == 0)
            return false;
        for (size_t j = 0; j < n->len; j++) {
            if (!is_tchar((unsigned char)n->p[j]))
                return false;
        }
    }
    return true;
}

static void rx_new_req(struct gy_http__rx *rx)
{
    struct gy_arena *arena = gy_arena_create(RX_ARENA_BLOCK);
    struct gy_http_req *req = gy_arena_zalloc(arena, sizeof(*req));
    req->arena = arena;
    req->method = GY_STR("");
    req->target = req->path = req->query = req->body = GY_STR("");
    req->http_major = 1;
    req->http_minor = 1;
    rx->req = req;
}

/* Forget the per-request parse state (not the request itself). */
static void rx_reset_msg(struct gy_http__rx *rx)
{
    gy_buf_reset(&rx->hbuf);
    gy_buf_fini(&rx->body);
    rx->hsize = 0;
    rx->url_len = 0;
    rx->nspans = 0;
    rx->last_cb = 0;
}

/* Count n header-section bytes against the limit and copy them into hbuf. */
static int rx_hcopy(struct gy_http__rx *rx, const char *at, size_t n)
{
    if (n > rx->max_header_bytes - rx->hsize)
        return rx_fail(rx, GY_HTTP_FAULT_HEADER_TOO_LARGE);
    rx->hsize += n;
    if (gy_buf_append(&rx->hbuf, at, n) != 0)
        return rx_fail(rx, GY_HTTP_FAULT_HEADER_TOO_LARGE);
    return 0;
}

static int cb_message_begin(http_parser *p)
{
    struct gy_http__rx *rx = rx_of(p);
    rx_reset_msg(rx);
    if (!rx->req)
        rx_new_req(rx);
    rx->state = GY_HTTP__RX_HEADERS;
    if (rx->hooks && rx->hooks->on_begin)
        rx->hooks->on_begin(rx);
    return 0;
}

static int cb_url(http_parser *p, const char *at, size_t n)
{
    struct gy_http__rx *rx = rx_of(p);
    if (rx_hcopy(rx, at, n))
        return -1;
    rx->url_len += n;
    rx->last_cb = 1;
    return 0;
}

static int cb_header_field(http_parser *p, const char *at, size_t n)
{
    struct gy_http__rx *rx = rx_of(p);
    if (rx->state != GY_HTTP__RX_HEADERS)
        return 0; /* a trailer after a chunked body: dropped */
    if (rx->last_cb != 2) {
        if (rx->nspans == GY_HTTP_MAX_HEADERS)
            return rx_fail(rx, GY_HTTP_FAULT_HEADER_TOO_LARGE);
        if (rx->nspans == rx->spans_cap) {
            size_t cap = rx->spans_cap ? rx->spans_cap * 2 : 16;
            if (cap > GY_HTTP_MAX_HEADERS)
                cap = GY_HTTP_MAX_HEADERS;
            rx->spans = gy_reallocarray(rx->spans, cap, sizeof(*rx->spans));
            rx->spans_cap = cap;
        }
        if (4 > rx->max_header_bytes - rx->hsize) /* ": " and CRLF of the line */
            return rx_fail(rx, GY_HTTP_FAULT_HEADER_TOO_LARGE);
        rx->hsize += 4;
        struct gy_http__hdr_span *s = &rx->spans[rx->nspans++];
        s->name_off = (uint32_t)rx->hbuf.len;
        s->name_len = 0;
        s->value_off = (uint32_t)rx->hbuf.len;
        s->value_len = 0;
    }
    if (rx_hcopy(rx, at, n))
        return -1;
    rx->spans[rx->nspans - 1].name_len += (uint32_t)n;
    rx->last_cb = 2;
    return 0;
}

static int cb_header_value(http_parser *p, const char *at, size_t n)
{
    struct gy_http__rx *rx = rx_of(p);
    if (rx->state != GY_HTTP__RX_HEADERS || rx->nspans == 0)
        return 0;
    struct gy_http__hdr_span *s = &rx->spans[rx->nspans - 1];
    if (rx->last_cb != 3)
        s->value_off = (uint32_t)rx->hbuf.len;
    if (rx_hcopy(rx, at, n))
        return -1;
    s->value_len += (uint32_t)n;
    rx->last_cb = 3;
    return 0;
}

/* Fill the request's method, target, path, query, version and headers from hbuf. */
static void rx_fill_req(struct gy_http__rx *rx, bool have_method)
{
    struct gy_http_req *req = rx->req;
    struct gy_str all = gy_arena_strdup(req->arena, gy_buf_str(&rx->hbuf));
    const char *base = all.p;

    if (have_method)
        req->method = gy_str_c(http_method_str((enum http_method)rx->parser.method));
    req->http_major = rx->parser.http_major;
    req->http_minor = rx->parser.http_minor;
    req->target = (struct gy_str){base, rx->url_len};
    req->path = req->target;
    req->query = (struct gy_str){base + rx->url_len, 0};
    const char *q = rx->url_len ? memchr(base, '?', rx->url_len) : NULL;
    if (q) {
        req->path.len = (size_t)(q - base);
        req->query = (struct gy_str){q + 1, rx->url_len - req->path.len - 1};
    }
    req->headers = gy_arena_calloc(req->arena, rx->nspans ? rx->nspans : 1, sizeof(*req->headers));
    req->nheaders = rx->nspans;
    for (size_t i = 0; i < rx->nspans; i++) {
        const struct gy_http__hdr_span *s = &rx->spans[i];
        req->headers[i].name = (struct gy_str){base + s->name_off, s->name_len};
        req->headers[i].value = (struct gy_str){base + s->value_off, s->value_len};
    }
}

static bool rx_expects_continue(const struct gy_http_req *req)
{
    const struct gy_str *e = gy_http_req_header(req, "expect");
    return e && gy_str_caseeqc(*e, "100-continue") && req->http_major == 1 && req->http_minor >= 1;
}

static int cb_headers_complete(http_parser *p)
{
    struct gy_http__rx *rx = rx_of(p);
    if (p->http_major != 1)
        return rx_fail(rx, GY_HTTP_FAULT_BAD_REQUEST);
    rx_fill_req(rx, true);
    if (!rx_names_valid(rx->req))
        return rx_fail(rx, GY_HTTP_FAULT_BAD_REQUEST);
    rx->state = GY_HTTP__RX_BODY;
    rx->last_cb = 0;
    if (rx->hooks && rx->hooks->on_headers)
        rx->hooks->on_headers(rx);

    bool chunked = (p->flags & F_CHUNKED) != 0;
    uint64_t cl = chunked ? 0 : p->content_length;
    if (cl == UINT64_MAX)
        cl = 0; /* no Content-Length: a request without a body */
    if (cl > rx->max_body_bytes)
        return rx_fail(rx, GY_HTTP_FAULT_BODY_TOO_LARGE);
    gy_buf_init(&rx->body, rx->max_body_bytes);
    if (cl > 0)
        gy_buf_reserve(&rx->body, cl < RX_BODY_PREALLOC ? (size_t)cl : RX_BODY_PREALLOC);
    rx->req->priv.head = p->method == HTTP_HEAD;
    if ((cl > 0 || chunked) && rx_expects_continue(rx->req) && rx->hooks && rx->hooks->on_continue)
        rx->hooks->on_continue(rx);
    return 0;
}

static int cb_body(http_parser *p, const char *at, size_t n)
{
    struct gy_http__rx *rx = rx_of(p);
    if (gy_buf_append(&rx->body, at, n) != 0)
        return rx_fail(rx, GY_HTTP_FAULT_BODY_TOO_LARGE);
    return 0;
}

/* A chunk's size is known before its data: refuse an oversize body before reading it. */
static int cb_chunk_header(http_parser *p)
{
    struct gy_http__rx *rx = rx_of(p);
    if (p->content_length > rx->max_body_bytes - rx->body.len)
        return rx_fail(rx, GY_HTTP_FAULT_BODY_TOO_LARGE);
    return 0;
}

static int cb_message_complete(http_parser *p)
{
    struct gy_http__rx *rx = rx_of(p);
    struct gy_http_req *req = rx->req;
    if (rx->body.len > 0) {
        size_t len;
        char *body = gy_buf_steal(&rx->body, &len);
        gy_arena_add_cleanup(req->arena, gy_free, body);
        req->body = (struct gy_str){body, len};
    }
    req->priv.keep_alive = http_should_keep_alive(p) && !p->upgrade;
    rx->state = GY_HTTP__RX_DONE;
    http_parser_pause(p, 1);
    return 0;
}

static const http_parser_settings rx_settings = {
    .on_message_begin = cb_message_begin,
    .on_url = cb_url,
    .on_header_field = cb_header_field,
    .on_header_value = cb_header_value,
    .on_headers_complete = cb_headers_complete,
    .on_body = cb_body,
    .on_message_complete = cb_message_complete,
    .on_chunk_header = cb_chunk_header,
};

void gy_http__rx_init(struct gy_http__rx *rx, size_t max_header_bytes, size_t max_body_bytes,
                      const struct gy_http__rx_hooks *hooks, void *hooks_ctx)
{
    memset(rx, 0, sizeof(*rx));
    http_parser_init(&rx->parser, HTTP_REQUEST);
    rx->parser.data = rx;
    rx->max_header_bytes = max_header_bytes;
    rx->max_body_bytes = max_body_bytes;
    rx->hooks = hooks;
    rx->hooks_ctx = hooks_ctx;
    rx->state = GY_HTTP__RX_IDLE;
    gy_buf_init(&rx->hbuf, max_header_bytes);
    gy_buf_init(&rx->body, max_body_bytes);
}

void gy_http__rx_fini(struct gy_http__rx *rx)
{
    if (rx->req)
        gy_arena_destroy(rx->req->arena);
    rx->req = NULL;
    gy_buf_fini(&rx->hbuf);
    gy_buf_fini(&rx->body);
    gy_free(rx->spans);
    rx->spans = NULL;
    rx->spans_cap = rx->nspans = 0;
}

size_t gy_http__rx_execute(struct gy_http__rx *rx, const char *data, size_t len)
{
    gy_assert(rx->state != GY_HTTP__RX_DONE && rx->state != GY_HTTP__RX_FAULT);
    if (len == 0)
        return 0;
    size_t n = http_parser_execute(&rx->parser, &rx_settings, data, len);
    if (rx->state == GY_HTTP__RX_FAULT || rx->state == GY_HTTP__RX_DONE)
        return n;
    enum http_errno err = HTTP_PARSER_ERRNO(&rx->parser);
    if (err == HPE_HEADER_OVERFLOW) {
        rx_fail(rx, GY_HTTP_FAULT_HEADER_TOO_LARGE);
    } else if (err != HPE_OK) {
        rx_fail(rx, GY_HTTP_FAULT_BAD_REQUEST);
    } else if (rx->parser.upgrade) {
        /* Upgrade/CONNECT without a completed message: nothing we serve. */
        rx_fail(rx, GY_HTTP_FAULT_BAD_REQUEST);
    }
    return n;
}

struct gy_http_req *gy_http__rx_take(struct gy_http__rx *rx)
{
    gy_assert(rx->state == GY_HTTP__RX_DONE);
    struct gy_http_req *req = rx->req;
    rx->req = NULL;
    rx_reset_msg(rx);
    rx->state = GY_HTTP__RX_IDLE;
    if (rx->parser.upgrade) {
        /* The bytes after an upgrade request are not HTTP: serve it, then close. */
        req->priv.keep_alive = false;
        rx->state = GY_HTTP__RX_FAULT;
        rx->fault = GY_HTTP_FAULT_BAD_REQUEST;
    }
    http_parser_pause(&rx->parser, 0);
    return req;
}

struct gy_http_req *gy_http__rx_take_fault(struct gy_http__rx *rx, enum gy_http_fault *fault)
{
    gy_assert(rx->state == GY_HTTP__RX_FAULT);
    if (!rx->req)
        rx_new_req(rx);
    struct gy_http_req *req = rx->req;
    if (req->method.len == 0) {
        /* Headers never completed: expose what arrived (the target may be partial). */
        size_t full = rx->nspans;
        if (rx->nspans && rx->last_cb == 2)
            rx->nspans--; /* the last name has no value yet */
        rx_fill_req(rx, rx->url_len > 0);
        rx->nspans = full;
    }
    req->priv.keep_alive = false;
    req->priv.fault = true;
    rx->req = NULL;
    *fault = rx->fault;
    return req;
}

bool gy_http__rx_mid_request(const struct gy_http__rx *rx)
{
    return rx->state == GY_HTTP__RX_HEADERS || rx->state == GY_HTTP__RX_BODY;
}

const struct gy_str *gy_http_req_header(const struct gy_http_req *req, const char *name)
{
    for (size_t i = 0; i < req->nheaders; i++) {
        if (gy_str_caseeqc(req->headers[i].name, name))
            return &req->headers[i].value;
    }
    return NULL;
}

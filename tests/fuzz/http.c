/*
 * http.c — libFuzzer harness for the HTTP request reader (src/net/http_parse.c) and the response
 * formatter (src/net/http_resp.c), without sockets. The first two input bytes pick the header
 * and body limits and how the rest is cut into reads, so splits, limits, pipelining and faults
 * are all explored. Every request produced is checked for its invariants and answered (formatted)
 * with its own headers, as a handler echoing them would.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/http_int.h"

static void check_str(struct gy_str s)
{
    if (s.len > 0 && !s.p)
        abort();
    for (size_t i = 0; i < s.len; i++) /* touch every byte: ASan checks the slice is valid */
        (void)*(volatile const char *)(s.p + i);
}

static void check_req(const struct gy_http_req *req, size_t max_header, size_t max_body)
{
    check_str(req->method);
    check_str(req->target);
    check_str(req->path);
    check_str(req->query);
    check_str(req->body);
    if (req->body.len > max_body || req->nheaders > GY_HTTP_MAX_HEADERS)
        abort();
    if (req->path.len > req->target.len || req->query.len > req->target.len)
        abort();
    size_t hbytes = req->target.len;
    for (size_t i = 0; i < req->nheaders; i++) {
        check_str(req->headers[i].name);
        check_str(req->headers[i].value);
        hbytes += req->headers[i].name.len + req->headers[i].value.len;
    }
    if (hbytes > max_header)
        abort();
    (void)gy_http_req_header(req, "content-type");
}

static void answer(struct gy_http_req *req)
{
    struct gy_str head =
        gy_http__format_head(req->arena, 200, req->headers, req->nheaders, req->body.len,
                             GY_HTTP__CONN_NONE, "Thu, 01 Jan 1970 00:00:00 GMT");
    if (head.len < 4 || memcmp(head.p + head.len - 4, "\r\n\r\n", 4) != 0)
        abort();
    /* Exactly one blank line: the header block must not have been split by injected CR/LF. */
    const char *blank = memmem(head.p, head.len, "\r\n\r\n", 4);
    if ((size_t)(blank - head.p) != head.len - 4)
        abort();
    gy_arena_destroy(req->arena);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t max_header = 64 + (size_t)(data[0] & 0x3f) * 64; /* 64 .. 4096 */
    size_t max_body = (size_t)(data[0] >> 6) * 1000;        /* 0 .. 3000 */
    size_t step = (size_t)data[1] + 1;                      /* read size 1 .. 256 */
    data += 2;
    size -= 2;

    struct gy_http__rx rx;
    gy_http__rx_init(&rx, max_header, max_body, NULL, NULL);
    size_t pos = 0;
    while (pos < size) {
        size_t n = size - pos < step ? size - pos : step;
        size_t off = 0;
        while (off < n) {
            size_t used = gy_http__rx_execute(&rx, (const char *)data + pos + off, n - off);
            if (used > n - off)
                abort();
            off += used;
            if (rx.state == GY_HTTP__RX_DONE) {
                struct gy_http_req *req = gy_http__rx_take(&rx);
                check_req(req, max_header, max_body);
                answer(req);
            }
            if (rx.state == GY_HTTP__RX_FAULT) {
                enum gy_http_fault fault;
                struct gy_http_req *req = gy_http__rx_take_fault(&rx, &fault);
                check_req(req, max_header, max_body);
                answer(req);
                goto out;
            }
            if (used == 0 && off < n)
                abort(); /* no progress without a state change */
        }
        pos += n;
    }
out:
    gy_http__rx_fini(&rx);
    return 0;
}

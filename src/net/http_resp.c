/*
 * http_resp.c — response formatting: reason phrases, the RFC 1123 Date value, and the status
 * line + header block written before a body. Pure functions (no sockets, no threads); the
 * connection code in http_conn.c sends what these build.
 */
#include "net/http_int.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/mem.h"

struct reason {
    int status;
    const char *text;
};

static const struct reason reasons[] = {
    {100, "Continue"},
    {101, "Switching Protocols"},
    {200, "OK"},
    {201, "Created"},
    {202, "Accepted"},
    {204, "No Content"},
    {206, "Partial Content"},
    {301, "Moved Permanently"},
    {302, "Found"},
    {304, "Not Modified"},
    {307, "Temporary Redirect"},
    {400, "Bad Request"},
    {401, "Unauthorized"},
    {403, "Forbidden"},
    {404, "Not Found"},
    {405, "Method Not Allowed"},
    {408, "Request Timeout"},
    {409, "Conflict"},
    {410, "Gone"},
    {411, "Length Required"},
    {412, "Precondition Failed"},
    {413, "Request Entity Too Large"},
    {414, "URI Too Long"},
    {415, "Unsupported Media Type"},
    {416, "Range Not Satisfiable"},
    {417, "Expectation Failed"},
    {429, "Too Many Requests"},
    {431, "Request Header Fields Too Large"},
    {500, "Internal Server Error"},
    {501, "Not Implemented"},
    {502, "Bad Gateway"},
    {503, "Service Unavailable"},
    {504, "Gateway Timeout"},
    {505, "HTTP Version Not Supported"},
};

const char *gy_http_reason(int status)
{
    for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
        if (reasons[i].status == status)
            return reasons[i].text;
    }
    return "Unknown";
}

int gy_http_fault_status(enum gy_http_fault fault)
{
    switch (fault) {
    case GY_HTTP_FAULT_HEADER_TOO_LARGE:
        return 431;
    case GY_HTTP_FAULT_BODY_TOO_LARGE:
        return 413;
    case GY_HTTP_FAULT_BAD_REQUEST:
        break;
    }
    return 400;
}

bool gy_http__status_bodyless(int status)
{
    return (status >= 100 && status < 200) || status == 204 || status == 304;
}

void gy_http__date(int64_t unix_sec, char out[30])
{
    /* Fixed English names: strftime would follow the process locale. */
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = (time_t)unix_sec;
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, 30, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday % 7], tm.tm_mday,
             months[tm.tm_mon % 12], (tm.tm_year + 1900) % 10000, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static bool is_tchar(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* A user header may be sent: a token name, a value without CR/LF/NUL, not one we own. */
static bool header_allowed(const struct gy_http_header *h)
{
    if (h->name.len == 0 || (h->name.len > 0 && !h->name.p))
        return false;
    for (size_t i = 0; i < h->name.len; i++) {
        if (!is_tchar((unsigned char)h->name.p[i]))
            return false;
    }
    if (h->value.len > 0 && !h->value.p)
        return false;
    for (size_t i = 0; i < h->value.len; i++) {
        char c = h->value.p[i];
        if (c == '\r' || c == '\n' || c == '\0')
            return false;
    }
    return !gy_str_caseeqc(h->name, "content-length") && !gy_str_caseeqc(h->name, "date") &&
           !gy_str_caseeqc(h->name, "connection") && !gy_str_caseeqc(h->name, "transfer-encoding");
}

/* Append n bytes at *pos, never past end (the size was measured first, so this only guards). */
static void put(char *buf, size_t *pos, size_t end, const char *p, size_t n)
{
    gy_assert(n <= end - *pos);
    if (n)
        memcpy(buf + *pos, p, n);
    *pos += n;
}

struct gy_str gy_http__format_head(struct gy_arena *arena, int status,
                                   const struct gy_http_header *headers, size_t nheaders,
                                   size_t content_length, enum gy_http__conn_hdr conn,
                                   const char *date)
{
    char line[128], cl[64];
    int ln = snprintf(line, sizeof(line), "HTTP/1.1 %d %s\r\n", status, gy_http_reason(status));
    int cn = 0;
    if (!gy_http__status_bodyless(status))
        cn = snprintf(cl, sizeof(cl), "Content-Length: %zu\r\n", content_length);
    const char *connh = conn == GY_HTTP__CONN_CLOSE        ? "Connection: close\r\n"
                        : conn == GY_HTTP__CONN_KEEP_ALIVE ? "Connection: keep-alive\r\n"
                                                           : "";
    size_t total =
        (size_t)ln + (size_t)cn + strlen(connh) + strlen("Date: \r\n") + strlen(date) + 2;
    for (size_t i = 0; i < nheaders; i++) {
        if (!header_allowed(&headers[i]))
            continue;
        size_t add = headers[i].name.len + headers[i].value.len + 4;
        gy_assert(add >= 4 && total <= SIZE_MAX - add);
        total += add;
    }

    char *buf = gy_arena_alloc(arena, total + 1);
    size_t pos = 0;
    put(buf, &pos, total, line, (size_t)ln);
    put(buf, &pos, total, "Date: ", 6);
    put(buf, &pos, total, date, strlen(date));
    put(buf, &pos, total, "\r\n", 2);
    put(buf, &pos, total, cl, (size_t)cn);
    put(buf, &pos, total, connh, strlen(connh));
    for (size_t i = 0; i < nheaders; i++) {
        if (!header_allowed(&headers[i]))
            continue;
        put(buf, &pos, total, headers[i].name.p, headers[i].name.len);
        put(buf, &pos, total, ": ", 2);
        put(buf, &pos, total, headers[i].value.p, headers[i].value.len);
        put(buf, &pos, total, "\r\n", 2);
    }
    put(buf, &pos, total, "\r\n", 2);
    buf[pos] = '\0';
    return (struct gy_str){buf, pos};
}

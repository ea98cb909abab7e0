/*
 * http_extras.c — content-codings, DynamoDB's response checksum and CORS, for the router.
 *
 * Header values are HTTP lists (RFC 9110 §5.6.1): elements separated by commas with optional
 * whitespace, empty elements ignored, several header lines of one name read as one list.
 * Request decompression is bounded by the request limit while it inflates (core/gzip.c). The
 * response checksum is computed over the bytes on the wire, after compression, because that is
 * what SDKs check before they decode (aws-sdk-java issue 526; botocore's CRC32Checker hashes
 * the raw body). CORS is permissive, as a local AWS endpoint's must be for browser SDKs: any
 * origin, any method, the requested headers; requests are still authenticated by SigV4.
 */
#include "aws/http_extras.h"

#include <string.h>

#include "core/arena.h"
#include "core/gzip.h"

#define MAX_ORIGIN 1024         /* a longer Origin is not echoed ("*" instead) */
#define MAX_REQUEST_HEADERS 4096 /* a longer Access-Control-Request-Headers is not echoed */

static const char PREFLIGHT_VARY[] =
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";

static const char ALLOW_METHODS[] = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";

/* What AWS SDKs (JS v3 in a browser above all) put on requests: used when a preflight does not
 * say which headers it wants. */
static const char DEFAULT_ALLOW_HEADERS[] =
    "authorization, content-type, content-encoding, content-md5, x-amz-date, x-amz-target, "
    "x-amz-security-token, x-amz-user-agent, x-amz-content-sha256, x-amz-api-version, "
    "x-amz-client-context, x-amz-invocation-type, x-amz-log-type, amz-sdk-invocation-id, "
    "amz-sdk-request, smithy-protocol, accept";

/* Response headers a browser script may read: request ids, error type and message, the
 * DynamoDB checksum, Date (SDKs correct clock skew from it), Lambda's invoke headers. */
static const char EXPOSE_HEADERS[] =
    "x-amzn-RequestId, x-amzn-ErrorType, x-amzn-ErrorMessage, x-amzn-query-error, "
    "x-amz-request-id, x-amz-id-2, x-amz-crc32, x-amz-function-error, x-amz-log-result, "
    "x-amz-executed-version, x-amz-version-id, Date, ETag, Content-Encoding, Content-Length";

/* ---- HTTP lists ---- */

static bool is_ows(char c)
{
    return c == ' ' || c == '\t';
}

static struct gy_str trim(struct gy_str s)
{
    while (s.len && is_ows(s.p[0])) {
        s.p++;
        s.len--;
    }
    while (s.len && is_ows(s.p[s.len - 1]))
        s.len--;
    return s;
}

/* Next non-empty element of a comma-separated list; false at the end. */
static bool list_next(struct gy_str *rest, struct gy_str *elem)
{
    while (rest->len) {
        const char *comma = memchr(rest->p, ',', rest->len);
        size_t n = comma ? (size_t)(comma - rest->p) : rest->len;
        *elem = trim((struct gy_str){ rest->p, n });
        rest->p += comma ? n + 1 : n;
        rest->len -= comma ? n + 1 : n;
        if (elem->len)
            return true;
    }
    return false;
}

static const struct gy_str *find_header(const struct gy_http_header *h, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (gy_str_caseeqc(h[i].name, name))
            return &h[i].value;
    return NULL;
}

/* RFC 9110 tchar. */
static bool is_tchar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool is_token(struct gy_str s)
{
    if (!s.len)
        return false;
    for (size_t i = 0; i < s.len; i++)
        if (!is_tchar(s.p[i]))
            return false;
    return true;
}

/* ---- request bodies ---- */

int gy_aws_http_decode_body(struct gy_arena *a, const struct gy_http_header *h, size_t n,
                            size_t max, struct gy_str *body, struct gy_error *err)
{
    size_t ncodings = 0; /* gzip codings to undo (identity needs nothing) */

    for (size_t i = 0; i < n; i++) {
        if (!gy_str_caseeqc(h[i].name, "content-encoding"))
            continue;
        struct gy_str rest = h[i].value, c;
        while (list_next(&rest, &c)) {
            if (gy_str_caseeqc(c, "identity"))
                continue;
            if (!gy_str_caseeqc(c, "gzip") && !gy_str_caseeqc(c, "x-gzip"))
                return gy_error_set(err, a, GY_AWS_SERIALIZATION,
                                    "Unsupported Content-Encoding: %.*s (only gzip is supported)",
                                    (int)(c.len < 64 ? c.len : 64), c.p);
            if (ncodings == GY_AWS_HTTP_MAX_CODINGS)
                return gy_error_set(err, a, GY_AWS_SERIALIZATION,
                                    "Too many Content-Encoding codings (at most %d)",
                                    GY_AWS_HTTP_MAX_CODINGS);
            ncodings++;
        }
    }
    if (ncodings == 0 || body->len == 0)
        return 0;
    /* Codings are listed in the order they were applied and are undone last first; every one
     * left is gzip, so only their count matters. */
    struct gy_str cur = *body;
    for (size_t i = 0; i < ncodings; i++) {
        struct gy_buf *b = gy_arena_buf(a, max);
        int rc = gy_gunzip(cur, max, b);
        if (rc == GY_ETOOBIG)
            return gy_error_set(err, a, GY_AWS_REQUEST_TOO_LARGE,
                                "Request size exceeded %zu bytes", max);
        if (rc)
            return gy_error_set(err, a, GY_AWS_SERIALIZATION,
                                "The request body is not valid gzip data (Content-Encoding: "
                                "gzip)");
        cur = b->len ? gy_buf_str(b) : GY_STR("");
    }
    *body = cur;
    return 0;
}

/* ---- Accept-Encoding ---- */

/* RFC 9110 qvalue as thousandths: "0" ["." 0*3DIGIT] / "1" ["." 0*3("0")]; -1 if malformed. */
static int parse_qvalue(struct gy_str v)
{
    if (v.len == 0 || v.len > 5 || (v.p[0] != '0' && v.p[0] != '1'))
        return -1;
    int q = (v.p[0] - '0') * 1000;
    if (v.len == 1)
        return q;
    if (v.p[1] != '.')
        return -1;
    int scale = 100;
    for (size_t i = 2; i < v.len; i++, scale /= 10) {
        if (v.p[i] < '0' || v.p[i] > '9')
            return -1;
        q += (v.p[i] - '0') * scale;
    }
    return q > 1000 ? -1 : q;
}

/* The weight of one list element "coding;param=x;q=0.5": its q (1000 when absent, 0 when
 * malformed); *coding gets the coding name. */
static int element_weight(struct gy_str elem, struct gy_str *coding)
{
    const char *semi = memchr(elem.p, ';', elem.len);
    *coding = trim((struct gy_str){ elem.p, semi ? (size_t)(semi - elem.p) : elem.len });
    int q = 1000;
    while (semi) {
        const char *from = semi + 1, *end = elem.p + elem.len;
        semi = memchr(from, ';', (size_t)(end - from));
        struct gy_str param = trim((struct gy_str){ from, (size_t)((semi ? semi : end) - from) });
        if (param.len >= 2 && (param.p[0] == 'q' || param.p[0] == 'Q')) {
            struct gy_str rest = trim((struct gy_str){ param.p + 1, param.len - 1 });
            if (rest.len && rest.p[0] == '=') {
                int v = parse_qvalue(trim((struct gy_str){ rest.p + 1, rest.len - 1 }));
                q = v < 0 ? 0 : v;
            }
        }
    }
    return q;
}

static bool coding_is(struct gy_str c, const char *coding)
{
    if (gy_str_caseeqc(c, coding))
        return true;
    return strcmp(coding, "gzip") == 0 && gy_str_caseeqc(c, "x-gzip");
}

/* The weights of coding's own entry and of "*" (-1 when not listed) in one value. */
static void accept_weights(struct gy_str accept, const char *coding, int *own, int *star)
{
    struct gy_str rest = accept, elem, c;
    while (list_next(&rest, &elem)) {
        int q = element_weight(elem, &c);
        if (coding_is(c, coding)) {
            if (q > *own)
                *own = q;
        } else if (gy_str_eqc(c, "*")) {
            if (q > *star)
                *star = q;
        }
    }
}

int gy_aws_http_accept_weight(struct gy_str accept, const char *coding)
{
    int own = -1, star = -1;
    accept_weights(accept, coding, &own, &star);
    return own >= 0 ? own : star;
}

bool gy_aws_http_want_gzip(const struct gy_http_header *h, size_t n, size_t body_len)
{
    int gz = -1, gz_star = -1, id = -1, id_star = -1;
    bool present = false;

    for (size_t i = 0; i < n; i++) {
        if (!gy_str_caseeqc(h[i].name, "accept-encoding"))
            continue;
        present = true;
        accept_weights(h[i].value, "gzip", &gz, &gz_star);
        accept_weights(h[i].value, "identity", &id, &id_star);
    }
    if (!present)
        return false; /* no header: the client did not ask, and boto3-style clients never do */
    int g = gz >= 0 ? gz : gz_star;
    if (g <= 0)
        return false;
    if (id > g)
        return false; /* identity explicitly preferred */
    bool identity_refused = id == 0 || (id < 0 && id_star == 0);
    return body_len >= GY_AWS_HTTP_GZIP_MIN || identity_refused;
}

/* ---- CORS ---- */

bool gy_aws_cors_is_preflight(struct gy_str method, const struct gy_http_header *h, size_t n)
{
    return gy_str_eqc(method, "OPTIONS") && find_header(h, n, "origin") &&
           find_header(h, n, "access-control-request-method");
}

/* The Origin to echo: a serialized origin is printable ASCII without spaces; anything else
 * (or none) gets "*". */
static struct gy_str allow_origin(const struct gy_http_header *h, size_t n)
{
    const struct gy_str *o = find_header(h, n, "origin");
    if (!o || o->len == 0 || o->len > MAX_ORIGIN)
        return GY_STR("*");
    for (size_t i = 0; i < o->len; i++)
        if (o->p[i] <= ' ' || o->p[i] > '~')
            return GY_STR("*");
    return *o;
}

/* The requested headers, when they are a well-formed list of header names. */
static struct gy_str allow_headers(const struct gy_http_header *h, size_t n)
{
    const struct gy_str *r = find_header(h, n, "access-control-request-headers");
    if (!r || r->len > MAX_REQUEST_HEADERS)
        return GY_STR(DEFAULT_ALLOW_HEADERS);
    struct gy_str rest = *r, elem;
    size_t count = 0;
    while (list_next(&rest, &elem)) {
        if (!is_token(elem))
            return GY_STR(DEFAULT_ALLOW_HEADERS);
        count++;
    }
    return count ? trim(*r) : GY_STR(DEFAULT_ALLOW_HEADERS);
}

size_t gy_aws_cors_preflight(const struct gy_http_header *h, size_t n, struct gy_http_header *out)
{
    size_t k = 0;
    out[k++] = (struct gy_http_header){ GY_STR("Access-Control-Allow-Origin"), allow_origin(h, n) };
    out[k++] = (struct gy_http_header){ GY_STR("Access-Control-Allow-Methods"),
                                        GY_STR(ALLOW_METHODS) };
    out[k++] = (struct gy_http_header){ GY_STR("Access-Control-Allow-Headers"),
                                        allow_headers(h, n) };
    out[k++] = (struct gy_http_header){ GY_STR("Access-Control-Max-Age"),
                                        GY_STR(GY_AWS_CORS_MAX_AGE) };
    out[k++] = (struct gy_http_header){ GY_STR("Access-Control-Expose-Headers"),
                                        GY_STR(EXPOSE_HEADERS) };
    out[k++] = (struct gy_http_header){ GY_STR("Vary"), GY_STR(PREFLIGHT_VARY) };
    /* Private Network Access: a page on a public site asking to reach this local endpoint. */
    const struct gy_str *pna = find_header(h, n, "access-control-request-private-network");
    if (pna && gy_str_caseeqc(trim(*pna), "true"))
        out[k++] = (struct gy_http_header){ GY_STR("Access-Control-Allow-Private-Network"),
                                            GY_STR("true") };
    return k;
}

size_t gy_aws_cors_response(const struct gy_http_header *h, size_t n, struct gy_http_header *out)
{
    if (!find_header(h, n, "origin"))
        return 0;
    size_t k = 0;
    out[k++] = (struct gy_http_header){ GY_STR("Access-Control-Allow-Origin"), allow_origin(h, n) };
    out[k++] = (struct gy_http_header){ GY_STR("Access-Control-Expose-Headers"),
                                        GY_STR(EXPOSE_HEADERS) };
    out[k++] = (struct gy_http_header){ GY_STR("Vary"), GY_STR("Origin") };
    return k;
}

/* ---- responses ---- */

/* Gzip body into an arena-owned buffer; false (body unchanged) if it cannot. */
static bool compress_body(struct gy_arena *a, struct gy_str *body)
{
    /* deflate's worst case is about 0.03% over the input plus a few hundred bytes. */
    size_t max = body->len + (body->len >> 3) + 4096;
    struct gy_buf *b = gy_arena_buf(a, max);
    if (gy_gzip(*body, GY_AWS_HTTP_GZIP_LEVEL, b))
        return false;
    *body = gy_buf_str(b);
    return true;
}

/* Unsigned decimal into the arena: x-amz-crc32's value, on every DynamoDB response (no printf). */
static struct gy_str u32_decimal(struct gy_arena *a, uint32_t v)
{
    char tmp[10];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    char *p = gy_arena_alloc(a, n);
    for (size_t i = 0; i < n; i++)
        p[i] = tmp[n - 1 - i];
    return (struct gy_str){ p, n };
}

void gy_aws_http_finish(struct gy_arena *a, const struct gy_http_header *req_h, size_t req_n,
                        unsigned flags, const struct gy_http_header **headers, size_t *nheaders,
                        struct gy_str *body)
{
    size_t n = *nheaders;
    struct gy_http_header *h = gy_arena_alloc(a, (n + GY_AWS_HTTP_EXTRA_HEADERS) * sizeof(*h));
    if (n)
        memcpy(h, *headers, n * sizeof(*h));

    if (body->len && !find_header(h, n, "content-encoding") &&
        gy_aws_http_want_gzip(req_h, req_n, body->len) && compress_body(a, body)) {
        h[n++] = (struct gy_http_header){ GY_STR("Content-Encoding"), GY_STR("gzip") };
        h[n++] = (struct gy_http_header){ GY_STR("Vary"), GY_STR("Accept-Encoding") };
    }
    if (flags & GY_AWS_HTTP_CRC32)
        h[n++] = (struct gy_http_header){ GY_STR("x-amz-crc32"),
                                          u32_decimal(a, gy_crc32(body->p, body->len)) };
    n += gy_aws_cors_response(req_h, req_n, h + n);
    *headers = h;
    *nheaders = n;
}

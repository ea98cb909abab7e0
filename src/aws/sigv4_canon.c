/*
 * sigv4_canon.c — SigV4 canonical request, date handling and the helpers shared with sigv4.c.
 *
 * Owns the non-S3 canonicalisation rules: the path is dot-segment-normalised and percent-encoded a
 * second time, the query is decoded, re-encoded strictly and sorted, signed header values are
 * trimmed, whitespace-collapsed and joined with ','. Limits: GY_SIGV4_MAX_* (headers, signed
 * headers, query parameters); header matching is O(n log n). No heap use beyond the caller's
 * bounded buffer. Reference: /work/shared/PROTOCOL.md §5; botocore auth.py SigV4Auth.
 */
#include "aws/sigv4.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "aws/sigv4_int.h"
#include "core/errors.h"

static const char EMPTY_SHA256[] =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/* ---- shared helpers ----------------------------------------------------------------------- */

bool gy_sigv4__is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

struct gy_str gy_sigv4__trim(struct gy_str s)
{
    while (s.len && gy_sigv4__is_ws(s.p[0]))
        s.p++, s.len--;
    while (s.len && gy_sigv4__is_ws(s.p[s.len - 1]))
        s.len--;
    return s;
}

char gy_sigv4__lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

bool gy_sigv4__is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Case-insensitive ASCII comparison of two slices: <0, 0, >0 (shorter first on a prefix). */
int gy_sigv4__casecmp(struct gy_str a, struct gy_str b)
{
    size_t n = a.len < b.len ? a.len : b.len;
    for (size_t i = 0; i < n; i++) {
        unsigned char x = (unsigned char)gy_sigv4__lower(a.p[i]),
                      y = (unsigned char)gy_sigv4__lower(b.p[i]);
        if (x != y)
            return x < y ? -1 : 1;
    }
    return a.len < b.len ? -1 : a.len > b.len ? 1 : 0;
}

/* First header named name (case-insensitive), or NULL. */
const struct gy_sigv4_header *gy_sigv4__find_header(const struct gy_sigv4_request *req,
                                                    const char *name)
{
    struct gy_str n = gy_str_c(name);
    for (size_t i = 0; i < req->nheaders; i++) {
        if (gy_sigv4__casecmp(req->headers[i].name, n) == 0)
            return &req->headers[i];
    }
    return NULL;
}

/* Split the request-target at the first '?'. */
void gy_sigv4__split_target(struct gy_str target, struct gy_str *path, struct gy_str *query)
{
    const char *q = target.len ? memchr(target.p, '?', target.len) : NULL;
    if (q) {
        *path = (struct gy_str){target.p, (size_t)(q - target.p)};
        *query = (struct gy_str){q + 1, target.len - (size_t)(q - target.p) - 1};
    } else {
        *path = target;
        *query = GY_STR_NULL;
    }
}

/* ---- dates -------------------------------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int num(const char *p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (p[i] - '0');
    return v;
}

static bool digits(const char *p, int n)
{
    for (int i = 0; i < n; i++) {
        if (!gy_sigv4__is_digit(p[i]))
            return false;
    }
    return true;
}

static int civil_to_ms(int y, int mo, int d, int h, int mi, int s, int64_t *out)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap) ||
        h > 23 || mi > 59 || s > 60)
        return GY_EINVAL;
    *out = ((days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60000 + (int64_t)s * 1000;
    return 0;
}

int gy_sigv4_parse_amz_date(struct gy_str s, int64_t *out_ms)
{
    const char *p = s.p;
    if (s.len != 16 || !digits(p, 8) || p[8] != 'T' || !digits(p + 9, 6) || p[15] != 'Z')
        return GY_EINVAL;
    return civil_to_ms(num(p, 4), num(p + 4, 2), num(p + 6, 2), num(p + 9, 2), num(p + 11, 2),
                       num(p + 13, 2), out_ms);
}

static void put_digits(char *out, int v, int n)
{
    for (int i = n - 1; i >= 0; i--, v /= 10)
        out[i] = (char)('0' + v % 10);
}

void gy_sigv4_format_amz_date(int64_t ms, char out[17])
{
    int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    int64_t z = (secs >= 0 ? secs : secs - 86399) / 86400;
    int64_t sod = secs - z * 86400;
    /* civil_from_days (inverse of days_from_civil) */
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    int64_t y = yoe + era * 400 + (m <= 2);
    if (y < 0 || y > 9999)
        y = y < 0 ? 0 : 9999;
    put_digits(out, (int)y, 4);
    put_digits(out + 4, (int)m, 2);
    put_digits(out + 6, (int)d, 2);
    out[8] = 'T';
    put_digits(out + 9, (int)(sod / 3600), 2);
    put_digits(out + 11, (int)(sod / 60 % 60), 2);
    put_digits(out + 13, (int)(sod % 60), 2);
    out[15] = 'Z';
    out[16] = '\0';
}

/* IMF-fixdate ("Wed, 25 Nov 2026 00:46:04 GMT"), the Date header fallback, to ms. */
/* ---- canonical request -------------------------------------------------------------------- */

static bool unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '~';
}

/* Append n bytes percent-encoded: unreserved bytes kept, all others %XX (upper-case hex). */
static int append_encoded(struct gy_buf *b, const char *p, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    char *dst;
    size_t o = 0;

    if (n > GY_SIGV4_MAX_CANONICAL)
        return GY_ETOOBIG;
    dst = gy_buf_reserve(b, n * 3);
    if (!dst)
        return GY_ETOOBIG;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (unreserved(c)) {
            dst[o++] = (char)c;
        } else {
            dst[o++] = '%';
            dst[o++] = hex[c >> 4];
            dst[o++] = hex[c & 15];
        }
    }
    b->len += o;
    b->p[b->len] = '\0';
    return 0;
}

/* URI-decode then strictly re-encode (an invalid "%" escape is kept as a literal '%'). */
static int append_reencoded(struct gy_buf *b, struct gy_str s)
{
    size_t i = 0;
    while (i < s.len) {
        size_t run = i;
        while (run < s.len && s.p[run] != '%')
            run++;
        if (run > i && append_encoded(b, s.p + i, run - i))
            return GY_ETOOBIG;
        i = run;
        if (i >= s.len)
            break;
        char c = '%';
        if (i + 2 < s.len && gy_hexval(s.p[i + 1]) >= 0 &&
            gy_hexval(s.p[i + 2]) >= 0) {
            c = (char)(gy_hexval(s.p[i + 1]) * 16 + gy_hexval(s.p[i + 2]));
            i += 3;
        } else {
            i += 1;
        }
        if (append_encoded(b, &c, 1))
            return GY_ETOOBIG;
    }
    return 0;
}

/*
 * Canonical URI: remove empty, "." and ".." segments of the raw (still encoded) path, keep a
 * leading and (when something remains) a trailing '/', then percent-encode every segment again.
 * Encoded segments hold no '/', so ".." pops back to the previous '/' in the output.
 */
static int append_canonical_uri(struct gy_buf *b, struct gy_str path)
{
    size_t base = b->len;
    size_t i = 0;

    while (i <= path.len) {
        size_t j = i;
        while (j < path.len && path.p[j] != '/')
            j++;
        struct gy_str seg = {path.p + i, j - i};
        if (seg.len == 0 || (seg.len == 1 && seg.p[0] == '.')) {
            /* skip */
        } else if (seg.len == 2 && seg.p[0] == '.' && seg.p[1] == '.') {
            size_t k = b->len;
            while (k > base && b->p[k - 1] != '/')
                k--;
            b->len = k > base ? k - 1 : base;
            b->p[b->len] = '\0';
        } else if (gy_buf_putc(b, '/') || append_encoded(b, seg.p, seg.len)) {
            return GY_ETOOBIG;
        }
        i = j + 1;
    }
    if (b->len == base)
        return gy_buf_putc(b, '/');
    if (path.len && path.p[0] != '/') {
        memmove(b->p + base, b->p + base + 1, b->len - base - 1);
        b->len--;
        b->p[b->len] = '\0';
    }
    if (path.len && path.p[path.len - 1] == '/')
        return gy_buf_putc(b, '/');
    return 0;
}

struct qparam {
    size_t off;  /* offset of the encoded name in the buffer */
    size_t klen; /* encoded name length */
    size_t vlen; /* encoded value length (it follows the name directly) */
};

static int qparam_cmp(const void *a, const void *b, void *arg)
{
    const struct qparam *x = a, *y = b;
    const char *base = arg;
    int c = gy_str_cmp((struct gy_str){base + x->off, x->klen},
                       (struct gy_str){base + y->off, y->klen});
    if (c)
        return c;
    return gy_str_cmp((struct gy_str){base + x->off + x->klen, x->vlen},
                      (struct gy_str){base + y->off + y->klen, y->vlen});
}

/* True when the raw (encoded) query name decodes to exactly want. */
bool gy_sigv4__qname_is(struct gy_str raw, const char *want)
{
    size_t w = 0, wl = strlen(want);
    for (size_t i = 0; i < raw.len; i++, w++) {
        char c = raw.p[i];
        if (c == '%' && i + 2 < raw.len && gy_hexval(raw.p[i + 1]) >= 0 &&
            gy_hexval(raw.p[i + 2]) >= 0) {
            c = (char)(gy_hexval(raw.p[i + 1]) * 16 + gy_hexval(raw.p[i + 2]));
            i += 2;
        }
        if (w >= wl || c != want[w])
            return false;
    }
    return w == wl;
}

/*
 * Canonical query: every "name=value" pair is decoded and re-encoded strictly, then the pairs are
 * sorted by name and value. The encoded pairs are first written after the current end of b, then
 * emitted in sorted order behind them and moved down, so no second buffer is needed.
 */
static int append_canonical_query(struct gy_buf *b, struct gy_str query, bool skip_signature)
{
    struct qparam params[GY_SIGV4_MAX_QUERY_PARAMS];
    size_t n = 0, base = b->len, i = 0;

    if (query.len == 0)
        return 0;
    while (i <= query.len) {
        size_t j = i;
        while (j < query.len && query.p[j] != '&')
            j++;
        struct gy_str pair = {query.p + i, j - i};
        const char *eq = pair.len ? memchr(pair.p, '=', pair.len) : NULL;
        struct gy_str k = eq ? (struct gy_str){pair.p, (size_t)(eq - pair.p)} : pair;
        struct gy_str v = eq ? (struct gy_str){eq + 1, pair.len - k.len - 1} : GY_STR_NULL;
        i = j + 1;
        if (skip_signature && gy_sigv4__qname_is(k, "X-Amz-Signature"))
            continue;
        if (n == GY_SIGV4_MAX_QUERY_PARAMS)
            return GY_EINVAL;
        params[n].off = b->len;
        if (append_reencoded(b, k))
            return GY_ETOOBIG;
        params[n].klen = b->len - params[n].off;
        if (append_reencoded(b, v))
            return GY_ETOOBIG;
        params[n].vlen = b->len - params[n].off - params[n].klen;
        n++;
    }
    if (n == 0)
        return 0;
    size_t unsorted_len = b->len - base;
    /* Room for the sorted copy: the same bytes plus '=' per pair and '&' between pairs. */
    if (!gy_buf_reserve(b, unsorted_len + 2 * n))
        return GY_ETOOBIG;
    qsort_r(params, n, sizeof(params[0]), qparam_cmp, b->p);
    size_t out = b->len;
    for (size_t q = 0; q < n; q++) {
        if (q)
            b->p[out++] = '&';
        memcpy(b->p + out, b->p + params[q].off, params[q].klen);
        out += params[q].klen;
        b->p[out++] = '=';
        memcpy(b->p + out, b->p + params[q].off + params[q].klen, params[q].vlen);
        out += params[q].vlen;
    }
    memmove(b->p + base, b->p + b->len, out - b->len);
    b->len = base + (out - b->len);
    b->p[b->len] = '\0';
    return 0;
}

/* Append a header value trimmed, with internal whitespace runs collapsed to one space. */
static int append_header_value(struct gy_buf *b, struct gy_str v)
{
    v = gy_sigv4__trim(v);
    char *dst = gy_buf_reserve(b, v.len);
    size_t o = 0;

    if (!dst)
        return GY_ETOOBIG;
    for (size_t i = 0; i < v.len; i++) {
        if (gy_sigv4__is_ws(v.p[i])) {
            if (o && dst[o - 1] == ' ')
                continue;
            dst[o++] = ' ';
        } else {
            dst[o++] = v.p[i];
        }
    }
    b->len += o;
    b->p[b->len] = '\0';
    return 0;
}

static int hdr_cmp(const void *a, const void *b, void *arg)
{
    const struct gy_sigv4_request *req = arg;
    uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
    int c = gy_sigv4__casecmp(req->headers[x].name, req->headers[y].name);
    if (c)
        return c;
    return x < y ? -1 : x > y ? 1 : 0; /* keep wire order among repeats */
}

/* Sort header indexes by lower-cased name (wire order among equal names). */
void gy_sigv4__index_headers(const struct gy_sigv4_request *req, uint16_t *idx)
{
    for (size_t i = 0; i < req->nheaders; i++)
        idx[i] = (uint16_t)i;
    qsort_r(idx, req->nheaders, sizeof(*idx), hdr_cmp, (void *)req);
}

/* First position in idx whose header name is >= name (case-insensitive). */
static size_t lower_bound(const struct gy_sigv4_request *req, const uint16_t *idx,
                          struct gy_str name)
{
    size_t lo = 0, hi = req->nheaders;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (gy_sigv4__casecmp(req->headers[idx[mid]].name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* "name:v1,v2\n" for every name in SignedHeaders, in the order given. */
static int append_canonical_headers(struct gy_buf *b, const struct gy_sigv4_request *req,
                                    struct gy_str signed_headers)
{
    uint16_t idx[GY_SIGV4_MAX_HEADERS];
    size_t i = 0, count = 0;

    if (req->nheaders > GY_SIGV4_MAX_HEADERS)
        return GY_EINVAL;
    gy_sigv4__index_headers(req, idx);
    while (i <= signed_headers.len) {
        size_t j = i;
        while (j < signed_headers.len && signed_headers.p[j] != ';')
            j++;
        struct gy_str name = {signed_headers.p + i, j - i};
        i = j + 1;
        if (++count > GY_SIGV4_MAX_SIGNED_HEADERS)
            return GY_EINVAL;
        if (gy_buf_append_str(b, name) || gy_buf_putc(b, ':'))
            return GY_ETOOBIG;
        for (size_t k = lower_bound(req, idx, name);
             k < req->nheaders && gy_sigv4__casecmp(req->headers[idx[k]].name, name) == 0; k++) {
            if (b->p[b->len - 1] != ':' && gy_buf_putc(b, ','))
                return GY_ETOOBIG;
            if (append_header_value(b, req->headers[idx[k]].value))
                return GY_ETOOBIG;
        }
        if (gy_buf_putc(b, '\n'))
            return GY_ETOOBIG;
    }
    return 0;
}

void gy_sigv4__sha256_hex(const void *p, size_t n, char out[GY_SIGV4_HEX_LEN + 1])
{
    unsigned char md[GY_SIGV4_HASH_LEN];

    if (n == 0) {
        memcpy(out, EMPTY_SHA256, sizeof(EMPTY_SHA256));
        return;
    }
    gy_sigv4__digest(p, n, NULL, 0, md);
    gy_hex(md, GY_SIGV4_HASH_LEN, out);
}

int gy_sigv4_canonical_request(const struct gy_sigv4_request *req, struct gy_str signed_headers,
                               bool query_auth, struct gy_buf *out)
{
    struct gy_str path, query;
    char payload[GY_SIGV4_HEX_LEN + 1];
    const struct gy_sigv4_header *h;
    int rc;

    gy_sigv4__split_target(req->target, &path, &query);
    for (size_t i = 0; i < req->method.len; i++) {
        if (gy_buf_putc(out, (char)(req->method.p[i] >= 'a' && req->method.p[i] <= 'z'
                                        ? req->method.p[i] - 32
                                        : req->method.p[i])))
            return GY_ETOOBIG;
    }
    if (gy_buf_putc(out, '\n') || append_canonical_uri(out, path) || gy_buf_putc(out, '\n'))
        return GY_ETOOBIG;
    rc = append_canonical_query(out, query, query_auth);
    if (rc)
        return rc;
    if (gy_buf_putc(out, '\n'))
        return GY_ETOOBIG;
    rc = append_canonical_headers(out, req, signed_headers);
    if (rc)
        return rc;
    if (gy_buf_putc(out, '\n') || gy_buf_append_str(out, signed_headers) || gy_buf_putc(out, '\n'))
        return GY_ETOOBIG;
    h = gy_sigv4__find_header(req, "x-amz-content-sha256");
    if (h)
        return gy_buf_append_str(out, gy_sigv4__trim(h->value));
    gy_sigv4__sha256_hex(req->body.p, req->body.len, payload);
    return gy_buf_append(out, payload, GY_SIGV4_HEX_LEN);
}

/*
 * str.c — slices and bounded buffers. See str.h.
 */
#include "core/str.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/errors.h"
#include "core/mem.h"

struct gy_str gy_str_c(const char *s)
{
    return (struct gy_str){ s, s ? strlen(s) : 0 };
}

bool gy_str_eq(struct gy_str a, struct gy_str b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

bool gy_str_eqc(struct gy_str a, const char *s)
{
    return gy_str_eq(a, gy_str_c(s));
}

bool gy_str_caseeqc(struct gy_str a, const char *s)
{
    size_t n = strlen(s);
    return a.len == n && (n == 0 || strncasecmp(a.p, s, n) == 0);
}

int gy_str_cmp(struct gy_str a, struct gy_str b)
{
    size_t n = a.len < b.len ? a.len : b.len;
    int c = n ? memcmp(a.p, b.p, n) : 0;
    if (c)
        return c;
    return a.len < b.len ? -1 : a.len > b.len ? 1 : 0;
}

bool gy_str_startswith(struct gy_str a, struct gy_str prefix)
{
    return a.len >= prefix.len && (prefix.len == 0 || memcmp(a.p, prefix.p, prefix.len) == 0);
}

bool gy_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;

    while (p < end) {
        unsigned c = *p;
        if (c < 0x80) {
            p++;
            continue;
        }
        size_t n;
        unsigned cp, min;
        if ((c & 0xe0) == 0xc0) {
            n = 1, cp = c & 0x1f, min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            n = 2, cp = c & 0x0f, min = 0x800;
        } else if ((c & 0xf8) == 0xf0) {
            n = 3, cp = c & 0x07, min = 0x10000;
        } else {
            return false;
        }
        if ((size_t)(end - p) <= n)
            return false;
        for (size_t i = 1; i <= n; i++) {
            if ((p[i] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        p += n + 1;
    }
    return true;
}

void gy_buf_init(struct gy_buf *b, size_t max)
{
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
    b->oom = false;
}

void gy_buf_fini(struct gy_buf *b)
{
    gy_free(b->p);
    gy_buf_init(b, b->max);
}

void gy_buf_reset(struct gy_buf *b)
{
    b->len = 0;
    b->oom = false;
    if (b->p)
        b->p[0] = '\0';
}

char *gy_buf_reserve(struct gy_buf *b, size_t n)
{
    if (n > b->max || b->len > b->max - n) {
        b->oom = true;
        return NULL;
    }
    size_t need = b->len + n + 1;
    if (need > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < need)
            cap = cap > SIZE_MAX / 2 ? need : cap * 2;
        if (cap > b->max + 1)
            cap = b->max + 1;
        if (cap < need)
            cap = need;
        b->p = gy_realloc(b->p, cap);
        b->cap = cap;
    }
    return b->p + b->len;
}

int gy_buf_append(struct gy_buf *b, const void *p, size_t n)
{
    /* Fast path: room for the bytes and the NUL, within the maximum. */
    if (n < b->cap - b->len && n <= b->max - b->len) {
        memcpy(b->p + b->len, p, n);
        b->len += n;
        b->p[b->len] = '\0';
        return 0;
    }
    char *dst = gy_buf_reserve(b, n);
    if (!dst)
        return GY_ETOOBIG;
    if (n)
        memcpy(dst, p, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

int gy_buf_putc(struct gy_buf *b, char c)
{
    if (b->cap - b->len > 1 && b->len < b->max) {
        b->p[b->len++] = c;
        b->p[b->len] = '\0';
        return 0;
    }
    return gy_buf_append(b, &c, 1);
}

int gy_buf_append_str(struct gy_buf *b, struct gy_str s)
{
    return gy_buf_append(b, s.p, s.len);
}

int gy_buf_puts(struct gy_buf *b, const char *s)
{
    return gy_buf_append(b, s, strlen(s));
}

int gy_buf_printf(struct gy_buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;

    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return GY_EINVAL;
    if ((size_t)n < sizeof(small))
        return gy_buf_append(b, small, (size_t)n);
    char *dst = gy_buf_reserve(b, (size_t)n);
    if (!dst)
        return GY_ETOOBIG;
    va_start(ap, fmt);
    vsnprintf(dst, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

char *gy_buf_steal(struct gy_buf *b, size_t *len)
{
    char *p = b->p;
    if (len)
        *len = b->len;
    gy_buf_init(b, b->max);
    return p;
}

void gy_hex(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

size_t gy_fmt_i64(int64_t v, char out[20])
{
    char tmp[20];
    size_t n = 0;
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + mag % 10);
        mag /= 10;
    } while (mag);
    size_t o = 0;
    if (v < 0)
        out[o++] = '-';
    while (n)
        out[o++] = tmp[--n];
    return o;
}

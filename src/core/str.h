/*
 * str.h — string slices and bounded growable buffers.
 *
 * A struct gy_str is a borrowed (pointer, length) view; it is not NUL-terminated unless its
 * creator says so. A struct gy_buf owns heap memory and has a hard maximum fixed at init
 * (curl's dynbuf): an append past the maximum fails with GY_ETOOBIG and leaves the buffer as it
 * was, so a limit (item size, request size) is enforced where the bytes are written.
 */
#ifndef GY_CORE_STR_H
#define GY_CORE_STR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gy_str {
    const char *p; /* first byte; may be NULL when len is 0 */
    size_t len;    /* number of bytes */
};

#define GY_STR(lit) ((struct gy_str){ (lit), sizeof(lit) - 1 })
#define GY_STR_NULL ((struct gy_str){ NULL, 0 })

/** Slice of a NUL-terminated C string (NULL gives the empty slice). */
struct gy_str gy_str_c(const char *s);
/** True when both slices hold the same bytes. */
bool gy_str_eq(struct gy_str a, struct gy_str b);
/** True when the slice equals the NUL-terminated string s. */
bool gy_str_eqc(struct gy_str a, const char *s);
/** Case-insensitive ASCII comparison with a C string. */
bool gy_str_caseeqc(struct gy_str a, const char *s);
/** Bytewise comparison, shorter-is-smaller on a common prefix: <0, 0, >0. */
int gy_str_cmp(struct gy_str a, struct gy_str b);
/** True when a starts with the bytes of prefix. */
bool gy_str_startswith(struct gy_str a, struct gy_str prefix);
/** True when the bytes are valid UTF-8 (no overlongs, no surrogates, at most U+10FFFF). */
bool gy_utf8_valid(const char *p, size_t len);

struct gy_buf {
    char *p;    /* heap bytes, NUL-terminated after len when cap > 0 */
    size_t len; /* bytes used */
    size_t cap; /* bytes allocated */
    size_t max; /* hard maximum for len */
    bool oom;   /* set once an append failed because of max */
};

/** Initialize an empty buffer that may grow to max bytes. Allocates nothing. */
void gy_buf_init(struct gy_buf *b, size_t max);
/** Release the buffer's memory; the buffer may be initialized again. */
void gy_buf_fini(struct gy_buf *b);
/** Drop the contents but keep the allocation. */
void gy_buf_reset(struct gy_buf *b);
/** Append n bytes; returns 0 or GY_ETOOBIG (buffer unchanged, oom set). */
int gy_buf_append(struct gy_buf *b, const void *p, size_t n);
/** Append one byte. */
int gy_buf_putc(struct gy_buf *b, char c);
/** Append a slice. */
int gy_buf_append_str(struct gy_buf *b, struct gy_str s);
/** Append a NUL-terminated string. */
int gy_buf_puts(struct gy_buf *b, const char *s);
/** Append printf-formatted text. */
int gy_buf_printf(struct gy_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Make room for n more bytes and return a pointer to them (len is not changed), or NULL. */
char *gy_buf_reserve(struct gy_buf *b, size_t n);
/** Take ownership of the bytes: returns the heap pointer (caller frees with gy_free). */
char *gy_buf_steal(struct gy_buf *b, size_t *len);
/** The contents as a slice. */
static inline struct gy_str gy_buf_str(const struct gy_buf *b)
{
    return (struct gy_str){ b->p, b->len };
}

/** Value of a hexadecimal digit (either case), or -1. */
static inline int gy_hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/** Decimal text of v into out (no NUL); returns its length (at most 20). No printf. */
size_t gy_fmt_i64(int64_t v, char out[20]);

/** Lower-case hex of n bytes into out (2n chars + NUL). */
void gy_hex(const unsigned char *in, size_t n, char *out);

#endif

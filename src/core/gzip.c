/*
 * gzip.c — the zlib wrapper: gzip members in and out, and CRC-32.
 *
 * Decompression writes straight into the caller's bounded buffer, at most 64 KiB at a time and
 * never past the limit (the buffer's maximum is lowered to the limit for the call, so its
 * capacity cannot double past it either). When the limit is reached and the stream has not
 * ended, inflate is given a one-byte scratch buffer: if it produces that byte the data is too
 * big (GY_ETOOBIG), so a gzip bomb costs at most the limit in memory and the limit plus one
 * byte in work. zlib's own state (about 40 KiB) is allocated through the aborting allocator.
 * Inputs and outputs larger than zlib's 32-bit counters are fed in pieces.
 */
#include "core/gzip.h"

#include <limits.h>
#include <zlib.h>

#include "core/errors.h"
#include "core/mem.h"

#define CHUNK ((size_t)64 * 1024)
#define GZIP_WBITS (MAX_WBITS + 16) /* gzip wrapper only: no zlib or raw streams */
#define MEM_LEVEL 8

static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
    return gy_calloc(items, size);
}

static void z_free(voidpf opaque, voidpf p)
{
    gy_free(p);
}

/* Hand zlib the next piece of the input (at most UINT_MAX bytes). */
static void feed(z_stream *z, const unsigned char **p, size_t *left)
{
    size_t n = *left < UINT_MAX ? *left : UINT_MAX;
    z->next_in = (z_const Bytef *)*p;
    z->avail_in = (uInt)n;
    *p += n;
    *left -= n;
}

static void terminate(struct gy_buf *b)
{
    if (b->p)
        b->p[b->len] = '\0';
}

/*
 * One inflate step into the buffer (or into the caller's scratch byte once the limit is
 * reached). Returns zlib's code; *over is set when output appeared past the limit.
 */
static int inflate_step(z_stream *z, struct gy_buf *out, size_t start, size_t limit,
                        unsigned char *scratch, bool *over)
{
    size_t produced = out->len - start;
    size_t room = limit - produced;
    bool full = room == 0;

    if (full) {
        z->next_out = scratch;
        z->avail_out = 1;
    } else {
        size_t n = room < CHUNK ? room : CHUNK;
        /* Cannot fail: limit never exceeds what out->max leaves. */
        z->next_out = (Bytef *)gy_buf_reserve(out, n);
        z->avail_out = (uInt)n;
    }
    uInt before = z->avail_out;
    int zr = inflate(z, Z_NO_FLUSH);
    size_t got = before - z->avail_out;
    if (full && got) {
        *over = true;
        return zr;
    }
    out->len += got;
    return zr;
}

int gy_gunzip(struct gy_str in, size_t max_out, struct gy_buf *out)
{
    const size_t start = out->len;
    size_t limit = out->max - out->len;
    const unsigned char *p = (const unsigned char *)in.p;
    size_t left = in.len;
    z_stream z = { .zalloc = z_alloc, .zfree = z_free };
    unsigned char scratch;
    int rc = 0;

    if (in.len == 0)
        return GY_EINVAL;
    if (max_out < limit)
        limit = max_out;
    if (inflateInit2(&z, GZIP_WBITS) != Z_OK)
        return GY_EIO;
    /* Lower the buffer's maximum for the call, so that its doubling growth stops at the limit. */
    const size_t saved_max = out->max;
    out->max = start + limit;
    for (;;) {
        bool over = false;
        if (z.avail_in == 0 && left)
            feed(&z, &p, &left);
        int zr = inflate_step(&z, out, start, limit, &scratch, &over);
        if (over) {
            rc = GY_ETOOBIG;
            break;
        }
        if (zr == Z_STREAM_END) {
            if (z.avail_in == 0 && left == 0)
                break;
            /* Another member follows (or garbage, which its header check rejects). */
            if (inflateReset(&z) != Z_OK) {
                rc = GY_EIO;
                break;
            }
            continue;
        }
        if (zr == Z_OK)
            continue;
        /* Z_BUF_ERROR: no progress with all input consumed (truncated stream); Z_DATA_ERROR:
         * bad header, data, CRC or length; Z_NEED_DICT: a preset dictionary gzip cannot have. */
        rc = GY_EINVAL;
        break;
    }
    inflateEnd(&z);
    out->max = saved_max;
    if (rc)
        out->len = start;
    terminate(out);
    return rc;
}

int gy_gzip(struct gy_str in, int level, struct gy_buf *out)
{
    const size_t start = out->len;
    const unsigned char *p = (const unsigned char *)in.p;
    size_t left = in.len;
    z_stream z = { .zalloc = z_alloc, .zfree = z_free };
    int rc = 0;

    if (level < -1 || level > 9)
        return GY_EINVAL;
    if (deflateInit2(&z, level, Z_DEFLATED, GZIP_WBITS, MEM_LEVEL, Z_DEFAULT_STRATEGY) != Z_OK)
        return GY_EIO;
    /* One reservation of the worst case when it fits, so a typical body is one allocation. */
    size_t bound = deflateBound(&z, (uLong)(in.len < ULONG_MAX ? in.len : ULONG_MAX));
    if (bound <= out->max - out->len)
        gy_buf_reserve(out, bound);
    for (;;) {
        if (z.avail_in == 0 && left)
            feed(&z, &p, &left);
        size_t room = out->max - out->len;
        if (room == 0) {
            rc = GY_ETOOBIG;
            break;
        }
        size_t n = room < CHUNK ? room : CHUNK;
        if (out->cap > out->len + 1 && out->cap - out->len - 1 > n)
            n = out->cap - out->len - 1 < UINT_MAX ? out->cap - out->len - 1 : UINT_MAX;
        z.next_out = (Bytef *)gy_buf_reserve(out, n);
        z.avail_out = (uInt)n;
        int zr = deflate(&z, left == 0 ? Z_FINISH : Z_NO_FLUSH);
        out->len += n - z.avail_out;
        if (zr == Z_STREAM_END)
            break;
        if (zr != Z_OK && zr != Z_BUF_ERROR) {
            rc = GY_EIO;
            break;
        }
    }
    deflateEnd(&z);
    if (rc)
        out->len = start;
    terminate(out);
    return rc;
}

uint32_t gy_crc32_update(uint32_t crc, const void *p, size_t n)
{
    if (n == 0)
        return crc;
    return (uint32_t)crc32_z(crc, (const Bytef *)p, n);
}

uint32_t gy_crc32(const void *p, size_t n)
{
    return gy_crc32_update(0, p, n);
}

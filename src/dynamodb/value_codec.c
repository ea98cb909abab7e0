/*
 * value_codec.c — the compact binary form of an item, as stored.
 *
 * Owns encoding and strict decoding of struct gy_ddb_map; not the key bytes (key.c) nor the
 * record framing around an item (store/). Decoding is one pass, allocates only arrays from the
 * arena, and borrows every string from the input buffer (zero-copy), so a decoded item is
 * valid only while that buffer is. See docs/dynamodb.md, "Storage format".
 *
 * Layout (varint = unsigned LEB128, at most 10 bytes, canonical not required):
 *
 *   item   := version:u8 (= 1)  attrs
 *           | version:u8 (= 2)  stamp:u64 (BE, HLC)  origin_len:u8  origin:bytes  attrs
 *             (a stored item record: the version stamp and origin region that last-writer-wins
 *             compares; gy_ddb_map_decode skips it, gy_ddb_record_stamp reads it)
 *   attrs  := count:varint  { name_len:varint name:bytes value }*count   (names strictly
 *             increasing bytewise, so lookups can binary-search the decoded array)
 *   value  := tag:u8 payload
 *     tag 0x01 S, 0x02 N, 0x03 B : len:varint bytes        (N bytes are canonical number text)
 *     tag 0x04 BOOL false, 0x05 BOOL true, 0x06 NULL : no payload
 *     tag 0x07 M                 : body_len:varint attrs
 *     tag 0x08 L                 : body_len:varint count:varint value*count
 *     tag 0x09 SS, 0x0a NS, 0x0b BS : body_len:varint count:varint {len:varint bytes}*count
 *
 * body_len counts the bytes after itself, so a reader can skip any container in O(1). A
 * decoder rejects (GY_EINVAL) unknown versions and tags, lengths past the end, counts that
 * cannot fit the remaining bytes, bodies whose contents do not end exactly at body_len,
 * unsorted or duplicate names, empty sets and nesting deeper than CODEC_MAX_DEPTH (64).
 */
#include "dynamodb/value.h"

#include <string.h>

#include "core/arena.h"

#define CODEC_VERSION 1
#define CODEC_RECORD 2
#define CODEC_MAX_DEPTH 64

enum {
    TAG_S = 0x01,
    TAG_N = 0x02,
    TAG_B = 0x03,
    TAG_FALSE = 0x04,
    TAG_TRUE = 0x05,
    TAG_NULL = 0x06,
    TAG_M = 0x07,
    TAG_L = 0x08,
    TAG_SS = 0x09,
    TAG_NS = 0x0a,
    TAG_BS = 0x0b,
};

/* ---- encoding ---- */

static size_t varint_len(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

static int put_varint(struct gy_buf *out, uint64_t v)
{
    unsigned char tmp[10];
    size_t n = 0;
    while (v >= 0x80) {
        tmp[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    tmp[n++] = (unsigned char)v;
    return gy_buf_append(out, tmp, n);
}

static int put_bytes(struct gy_buf *out, struct gy_str s)
{
    if (put_varint(out, s.len))
        return GY_ETOOBIG;
    return s.len ? gy_buf_append(out, s.p, s.len) : 0;
}

static size_t value_enc_size(const struct gy_ddb_value *v);

static size_t attrs_body_size(const struct gy_ddb_attr *a, uint32_t n)
{
    size_t size = varint_len(n);
    for (uint32_t i = 0; i < n; i++)
        size += varint_len(a[i].name.len) + a[i].name.len + value_enc_size(&a[i].value);
    return size;
}

/* Bytes after body_len for a container. */
static size_t body_size(const struct gy_ddb_value *v)
{
    size_t size;
    switch (v->type) {
    case GY_DDB_M:
        return attrs_body_size(v->u.m.v, v->u.m.n);
    case GY_DDB_L:
        size = varint_len(v->u.l.n);
        for (uint32_t i = 0; i < v->u.l.n; i++)
            size += value_enc_size(&v->u.l.v[i]);
        return size;
    default: /* sets */
        size = varint_len(v->u.l.n);
        for (uint32_t i = 0; i < v->u.l.n; i++)
            size += varint_len(v->u.l.v[i].u.s.len) + v->u.l.v[i].u.s.len;
        return size;
    }
}

static size_t value_enc_size(const struct gy_ddb_value *v)
{
    switch (v->type) {
    case GY_DDB_S:
    case GY_DDB_N:
    case GY_DDB_B:
        return 1 + varint_len(v->u.s.len) + v->u.s.len;
    case GY_DDB_BOOL:
    case GY_DDB_NULL:
        return 1;
    default: {
        size_t body = body_size(v);
        return 1 + varint_len(body) + body;
    }
    }
}

static int encode_value(const struct gy_ddb_value *v, struct gy_buf *out);

static int encode_attrs(const struct gy_ddb_attr *a, uint32_t n, struct gy_buf *out)
{
    if (put_varint(out, n))
        return GY_ETOOBIG;
    for (uint32_t i = 0; i < n; i++) {
        if (put_bytes(out, a[i].name) || encode_value(&a[i].value, out))
            return GY_ETOOBIG;
    }
    return 0;
}

static int encode_value(const struct gy_ddb_value *v, struct gy_buf *out)
{
    static const unsigned char tags[] = {
        [GY_DDB_S] = TAG_S,   [GY_DDB_N] = TAG_N,   [GY_DDB_B] = TAG_B,
        [GY_DDB_BOOL] = TAG_FALSE, [GY_DDB_NULL] = TAG_NULL, [GY_DDB_M] = TAG_M,
        [GY_DDB_L] = TAG_L,   [GY_DDB_SS] = TAG_SS, [GY_DDB_NS] = TAG_NS, [GY_DDB_BS] = TAG_BS,
    };
    unsigned char tag = tags[v->type];

    if (v->type == GY_DDB_BOOL && v->u.b)
        tag = TAG_TRUE;
    if (gy_buf_putc(out, (char)tag))
        return GY_ETOOBIG;
    switch (v->type) {
    case GY_DDB_S:
    case GY_DDB_N:
    case GY_DDB_B:
        return put_bytes(out, v->u.s);
    case GY_DDB_BOOL:
    case GY_DDB_NULL:
        return 0;
    default:
        break;
    }
    if (put_varint(out, body_size(v)))
        return GY_ETOOBIG;
    if (v->type == GY_DDB_M)
        return encode_attrs(v->u.m.v, v->u.m.n, out);
    if (put_varint(out, v->u.l.n))
        return GY_ETOOBIG;
    for (uint32_t i = 0; i < v->u.l.n; i++) {
        int rc = v->type == GY_DDB_L ? encode_value(&v->u.l.v[i], out)
                                     : put_bytes(out, v->u.l.v[i].u.s);
        if (rc)
            return GY_ETOOBIG;
    }
    return 0;
}

int gy_ddb_map_encode(const struct gy_ddb_map *m, struct gy_buf *out)
{
    return gy_ddb_record_encode(m, 0, GY_STR_NULL, out);
}

int gy_ddb_record_encode(const struct gy_ddb_map *m, uint64_t stamp, struct gy_str origin,
                         struct gy_buf *out)
{
    size_t start = out->len;
    int rc;
    if (origin.len > 255)
        return GY_EINVAL;
    if (stamp == 0 && origin.len == 0) {
        rc = gy_buf_putc(out, CODEC_VERSION);
    } else {
        unsigned char head[10];
        head[0] = CODEC_RECORD;
        for (int i = 0; i < 8; i++)
            head[1 + i] = (unsigned char)(stamp >> (56 - 8 * i));
        head[9] = (unsigned char)origin.len;
        rc = gy_buf_append(out, head, sizeof(head));
        if (!rc)
            rc = gy_buf_append(out, origin.p, origin.len);
    }
    if (!rc)
        rc = encode_attrs(m->v, m->n, out);
    if (rc) {
        /* Leave the buffer as it was: a partial item must never be stored. */
        out->len = start;
        if (out->p)
            out->p[start] = '\0';
        return GY_ETOOBIG;
    }
    return 0;
}

/* ---- decoding ---- */

struct rd {
    const unsigned char *p;   /* next byte */
    const unsigned char *end; /* one past the last byte of the current body */
    struct gy_arena *a;
};

static int get_varint(struct rd *r, uint64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (r->p >= r->end)
            return GY_EINVAL;
        unsigned char b = *r->p++;
        if (shift == 63 && b > 1)
            return GY_EINVAL;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return 0;
        }
    }
    return GY_EINVAL;
}

static size_t remaining(const struct rd *r)
{
    return (size_t)(r->end - r->p);
}

static int get_bytes(struct rd *r, struct gy_str *out)
{
    uint64_t len;
    if (get_varint(r, &len) || len > remaining(r))
        return GY_EINVAL;
    out->p = (const char *)r->p;
    out->len = (size_t)len;
    r->p += len;
    return 0;
}

/* Read a count whose elements each take at least min_elem bytes, bounded by what is left. */
static int get_count(struct rd *r, size_t min_elem, uint32_t *out)
{
    uint64_t n;
    if (get_varint(r, &n) || n > UINT32_MAX || n > remaining(r) / min_elem)
        return GY_EINVAL;
    *out = (uint32_t)n;
    return 0;
}

static int decode_value(struct rd *r, int depth, struct gy_ddb_value *out);

static int decode_attrs(struct rd *r, int depth, struct gy_ddb_attr **v_out, uint32_t *n_out)
{
    uint32_t n;
    /* Each attribute takes at least 2 bytes: a name length and a tag. */
    if (get_count(r, 2, &n))
        return GY_EINVAL;
    struct gy_ddb_attr *v = n ? gy_arena_alloc(r->a, (size_t)n * sizeof(*v)) : NULL;
    for (uint32_t i = 0; i < n; i++) {
        if (get_bytes(r, &v[i].name))
            return GY_EINVAL;
        if (i > 0 && gy_str_cmp(v[i - 1].name, v[i].name) >= 0)
            return GY_EINVAL;
        if (decode_value(r, depth, &v[i].value))
            return GY_EINVAL;
    }
    *v_out = v;
    *n_out = n;
    return 0;
}

static int decode_container(struct rd *r, int depth, struct gy_ddb_value *out)
{
    uint64_t body;
    if (depth >= CODEC_MAX_DEPTH || get_varint(r, &body) || body > remaining(r))
        return GY_EINVAL;
    const unsigned char *saved_end = r->end;
    r->end = r->p + body;
    int rc = 0;
    if (out->type == GY_DDB_M) {
        rc = decode_attrs(r, depth + 1, &out->u.m.v, &out->u.m.n);
    } else {
        uint32_t n;
        bool is_list = out->type == GY_DDB_L;
        if (get_count(r, 1, &n))
            return GY_EINVAL;
        if (!is_list && n == 0)
            return GY_EINVAL;
        struct gy_ddb_value *v = n ? gy_arena_alloc(r->a, (size_t)n * sizeof(*v)) : NULL;
        enum gy_ddb_type et = out->type == GY_DDB_SS   ? GY_DDB_S
                              : out->type == GY_DDB_NS ? GY_DDB_N
                                                       : GY_DDB_B;
        for (uint32_t i = 0; !rc && i < n; i++) {
            if (is_list) {
                rc = decode_value(r, depth + 1, &v[i]);
            } else {
                v[i].type = et;
                rc = get_bytes(r, &v[i].u.s);
            }
        }
        out->u.l.v = v;
        out->u.l.n = n;
    }
    if (rc || r->p != r->end)
        return GY_EINVAL;
    r->end = saved_end;
    return 0;
}

static int decode_value(struct rd *r, int depth, struct gy_ddb_value *out)
{
    if (r->p >= r->end)
        return GY_EINVAL;
    unsigned char tag = *r->p++;
    switch (tag) {
    case TAG_S: out->type = GY_DDB_S; return get_bytes(r, &out->u.s);
    case TAG_N: out->type = GY_DDB_N; return get_bytes(r, &out->u.s);
    case TAG_B: out->type = GY_DDB_B; return get_bytes(r, &out->u.s);
    case TAG_FALSE: out->type = GY_DDB_BOOL; out->u.b = false; return 0;
    case TAG_TRUE: out->type = GY_DDB_BOOL; out->u.b = true; return 0;
    case TAG_NULL: out->type = GY_DDB_NULL; out->u.b = true; return 0;
    case TAG_M: out->type = GY_DDB_M; break;
    case TAG_L: out->type = GY_DDB_L; break;
    case TAG_SS: out->type = GY_DDB_SS; break;
    case TAG_NS: out->type = GY_DDB_NS; break;
    case TAG_BS: out->type = GY_DDB_BS; break;
    default: return GY_EINVAL;
    }
    return decode_container(r, depth, out);
}

int gy_ddb_map_decode(struct gy_arena *a, const void *p, size_t len, struct gy_ddb_map *out)
{
    struct rd r = { p, (const unsigned char *)p + len, a };

    out->v = NULL;
    out->n = 0;
    if (len < 2 || (r.p[0] != CODEC_VERSION && r.p[0] != CODEC_RECORD))
        return GY_EINVAL;
    if (r.p[0] == CODEC_RECORD) {
        if (len < 11 || len < 11u + r.p[9])
            return GY_EINVAL;
        r.p += 10 + r.p[9];
    } else {
        r.p++;
    }
    struct gy_ddb_map m;
    if (decode_attrs(&r, 0, &m.v, &m.n) || r.p != r.end)
        return GY_EINVAL;
    *out = m;
    return 0;
}

int gy_ddb_record_stamp(const void *p, size_t len, uint64_t *stamp, struct gy_str *origin)
{
    const unsigned char *b = p;
    *stamp = 0;
    *origin = GY_STR_NULL;
    if (len < 1)
        return GY_EINVAL;
    if (b[0] == CODEC_VERSION)
        return 0;
    if (b[0] != CODEC_RECORD || len < 10 || len < 10u + b[9])
        return GY_EINVAL;
    for (int i = 0; i < 8; i++)
        *stamp = *stamp << 8 | b[1 + i];
    *origin = (struct gy_str){ (const char *)b + 10, b[9] };
    return 0;
}

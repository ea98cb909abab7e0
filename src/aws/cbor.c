/*
 * cbor.c — CBOR bodies to and from the protocol-neutral JSON form (see cbor.h), through
 * libcbor: its streaming decoder (cbor_stream_decode, one data-item head per call) drives the
 * JSON writer directly, and its cbor_encode_* functions write every head on the way out.
 *
 * Decoder design. libcbor's streaming decoder reports one head per call and keeps no state,
 * so nesting lives here, in a fixed stack of frames (arrays, maps, a pending tag, an open
 * indefinite-length string). Invariants:
 *   1. At most GY_CBOR_MAX_DEPTH arrays and maps are open; a tag or string frame can only sit
 *      on top (a tag admits only a number, a string only string chunks), so the stack never
 *      exceeds GY_CBOR_MAX_DEPTH + 1 frames. Nothing recurses.
 *   2. A map frame alternates key / value (want_value). The key is held back (d->key) until
 *      its value's first head arrives, so a null value can drop the whole member.
 *   3. Every complete value calls value_end() exactly once, which counts it in its parent and
 *      closes every definite container it completes; the top-level map's end sets done.
 *   4. Nothing is allocated from a declared length: libcbor checks that a definite string's
 *      bytes are present before calling back, and counts are only decremented.
 * The first error wins (d->why) and every later callback is ignored.
 */
#include "aws/cbor.h"

#include <cbor.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "core/arena.h"
#include "core/base64.h"
#include "core/errors.h"

const char *gy_cbor_content_type(enum gy_cbor_dialect dialect)
{
    return dialect == GY_CBOR_AMZ ? "application/x-amz-cbor-1.1" : "application/cbor";
}

/* ------------------------------------------------------------------------------------------ */
/* CBOR -> JSON                                                                               */
/* ------------------------------------------------------------------------------------------ */

enum frame_kind { F_ARRAY = 1, F_MAP, F_TAG, F_TSTR, F_BSTR };

struct frame {
    uint8_t kind;    /* enum frame_kind */
    bool indef;      /* indefinite length (ends with a break) */
    bool want_value; /* map: a key was read, its value comes next */
    bool is_key;     /* F_TSTR: the string is a map key */
    uint32_t map_id; /* map: serial number, for the duplicate-key index */
    uint32_t kfirst; /* map: its first key in d->open_keys */
    uint32_t nk;     /* map: keys read so far */
    uint64_t left;   /* definite array: items left; definite map: pairs left */
};

/* Maps with up to this many keys find duplicates by a scan; bigger ones through a hash. */
#define SMALL_MAP 16

/* One key of the duplicate-key index (open addressing over the arena). */
struct key_ent {
    const char *p; /* NULL: empty slot */
    uint32_t len;
    uint32_t map_id;
};

struct dec {
    struct gy_arena *arena;
    struct gy_jw *w;
    enum gy_cbor_dialect dialect;
    const char *why; /* first error (static text) */
    bool done;       /* the top-level item is complete */
    int depth;       /* open arrays and maps */
    size_t sp;       /* frames in use */
    struct frame st[GY_CBOR_MAX_DEPTH + 2];
    struct gy_str key;        /* the map key waiting for its value */
    uint32_t next_map;        /* serial numbers of maps */
    struct gy_buf scratch;    /* chunks of the open indefinite-length string */
    struct gy_str *open_keys; /* keys of the open small maps, innermost last (a stack) */
    size_t nopen, capopen;
    struct key_ent *keys; /* keys of big maps: hash index */
    size_t nkeys, capkeys;
};

#define MSG_NOT_MAP "the CBOR body must be a map"
#define MSG_KEY "CBOR map keys must be text strings"
#define MSG_CHUNK                                                                                  \
    "an indefinite-length CBOR string may only hold definite-length strings of the same "          \
    "major type"
#define MSG_TAG "unsupported CBOR tag (only tag 1, an epoch timestamp, is accepted)"
#define MSG_TAG_VALUE "CBOR tag 1 (epoch timestamp) must hold a finite number"
#define MSG_TS_RANGE "CBOR epoch timestamp out of range"
#define MSG_DEPTH "CBOR nesting is too deep"
#define MSG_UTF8 "CBOR text string is not valid UTF-8"
#define MSG_NUL "CBOR text string contains a NUL character"
#define MSG_DUP "duplicate key in a CBOR map"
#define MSG_BREAK "CBOR break outside an indefinite-length item"
#define MSG_BREAK_VALUE "CBOR map ended between a key and its value"
static const char MSG_TOO_BIG[] = "the JSON form of the CBOR body is too large";

static void fail(struct dec *d, const char *why)
{
    if (!d->why)
        d->why = why;
}

static struct frame *top(struct dec *d)
{
    return d->sp ? &d->st[d->sp - 1] : NULL;
}

/* FNV-1a over the key, seeded with the map's serial number. */
static size_t key_hash(const char *p, size_t len, uint32_t map_id)
{
    uint64_t h = 1469598103934665603ull ^ map_id;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
    return (size_t)(h ^ (h >> 29));
}

static void key_slot_put(struct key_ent *t, size_t cap, struct key_ent e)
{
    size_t i = key_hash(e.p, e.len, e.map_id) & (cap - 1);
    while (t[i].p)
        i = (i + 1) & (cap - 1);
    t[i] = e;
}

/* Record key k of the innermost map; false when the map already has it. */
static bool key_add(struct dec *d, struct gy_str k, uint32_t map_id)
{
    if (d->nkeys * 2 >= d->capkeys) {
        size_t cap = d->capkeys ? d->capkeys * 2 : 64;
        struct key_ent *t = gy_arena_calloc(d->arena, cap, sizeof(*t));
        for (size_t i = 0; i < d->capkeys; i++)
            if (d->keys[i].p)
                key_slot_put(t, cap, d->keys[i]);
        d->keys = t;
        d->capkeys = cap;
    }
    size_t i = key_hash(k.p, k.len, map_id) & (d->capkeys - 1);
    for (; d->keys[i].p; i = (i + 1) & (d->capkeys - 1)) {
        const struct key_ent *e = &d->keys[i];
        if (e->map_id == map_id && e->len == k.len && memcmp(e->p, k.p, k.len) == 0)
            return false;
    }
    d->keys[i] = (struct key_ent){k.p, (uint32_t)k.len, map_id};
    d->nkeys++;
    return true;
}

/*
 * Duplicate check of key k in map f. A small map scans its keys, kept on a stack that a
 * closing map truncates (a map's keys are contiguous there: a nested map's keys are gone
 * before the outer map reads its next key); at SMALL_MAP keys the map moves to the hash.
 */
static bool key_unique(struct dec *d, struct frame *f, struct gy_str k)
{
    if (f->nk < SMALL_MAP) {
        for (size_t i = f->kfirst; i < f->kfirst + f->nk; i++) {
            const struct gy_str *o = &d->open_keys[i];
            if (o->len == k.len && memcmp(o->p, k.p, k.len) == 0)
                return false;
        }
        if (d->nopen == d->capopen) {
            size_t cap = d->capopen ? d->capopen * 2 : 64;
            d->open_keys =
                gy_arena_realloc(d->arena, d->open_keys, d->capopen * sizeof(*d->open_keys),
                                 cap * sizeof(*d->open_keys));
            d->capopen = cap;
        }
        d->open_keys[d->nopen++] = k;
        if (++f->nk == SMALL_MAP)
            for (size_t i = f->kfirst; i < f->kfirst + SMALL_MAP; i++)
                key_add(d, d->open_keys[i], f->map_id);
        return true;
    }
    f->nk++;
    return key_add(d, k, f->map_id);
}

/* A complete text key of the map on top of the stack (the string's frame already popped). */
static void key_read(struct dec *d, struct gy_str k)
{
    struct frame *f = top(d);
    if (k.len > UINT32_MAX) {
        fail(d, MSG_TOO_BIG);
        return;
    }
    if (!k.p)
        k.p = "";
    if (!key_unique(d, f, k)) {
        fail(d, MSG_DUP);
        return;
    }
    d->key = k;
    f->want_value = true;
}

/* Close the map or array on top of the stack. */
static void container_end(struct dec *d, struct frame *f)
{
    if (f->kind == F_ARRAY) {
        gy_jw_arr_end(d->w);
    } else {
        gy_jw_obj_end(d->w);
        d->nopen = f->kfirst;
    }
    d->sp--;
    d->depth--;
}

/*
 * A complete value: count it in its parent and close every definite container it completes
 * (invariant 3).
 */
static void value_end(struct dec *d)
{
    struct frame *f;
    while ((f = top(d))) {
        if (f->kind == F_TAG) {
            d->sp--;
            continue;
        }
        if (f->kind == F_MAP)
            f->want_value = false;
        if (f->indef || --f->left)
            return;
        container_end(d, f);
    }
    d->done = true;
}

enum { V_NULL, V_NUMBER, V_MAP, V_OTHER };
enum { VB_ERR, VB_DROP, VB_WRITE };

/*
 * Before the first head of every value that is not a map key or a string chunk: check that a
 * value of this kind may come here and write the map key it belongs to. VB_DROP: a null map
 * member, already counted.
 */
static int value_begin(struct dec *d, int what)
{
    if (d->why)
        return VB_ERR;
    struct frame *f = top(d);
    if (!f) {
        if (what == V_MAP)
            return VB_WRITE;
        fail(d, MSG_NOT_MAP);
        return VB_ERR;
    }
    switch (f->kind) {
    case F_TSTR:
    case F_BSTR:
        fail(d, MSG_CHUNK);
        return VB_ERR;
    case F_TAG:
        if (what != V_NUMBER) {
            fail(d, MSG_TAG_VALUE);
            return VB_ERR;
        }
        return VB_WRITE;
    case F_MAP:
        if (!f->want_value) {
            fail(d, MSG_KEY);
            return VB_ERR;
        }
        if (what == V_NULL) {
            value_end(d);
            return VB_DROP;
        }
        gy_jw_key_str(d->w, d->key);
        return VB_WRITE;
    default:
        return VB_WRITE;
    }
}

static bool under_tag(struct dec *d)
{
    struct frame *f = top(d);
    return f && f->kind == F_TAG;
}

static void put_raw(struct dec *d, const char *p, size_t n)
{
    gy_jw_raw(d->w, (struct gy_str){p, n});
}

/* An integer given as sign and magnitude, in decimal (without snprintf: numbers are common). */
static void put_int(struct dec *d, bool neg, uint64_t mag)
{
    char tmp[24], *p = tmp + sizeof(tmp);
    do {
        *--p = (char)('0' + mag % 10);
        mag /= 10;
    } while (mag);
    if (neg)
        *--p = '-';
    put_raw(d, p, (size_t)(tmp + sizeof(tmp) - p));
}

/* Milliseconds (sign and magnitude) as exact decimal seconds: 1459799926480 -> 1459799926.48. */
static void put_millis(struct dec *d, bool neg, uint64_t ms)
{
    char tmp[48];
    uint64_t sec = ms / 1000, frac = ms % 1000;
    int n = snprintf(tmp, sizeof(tmp), "%s%llu", neg ? "-" : "", (unsigned long long)sec);
    if (frac) {
        n += snprintf(tmp + n, sizeof(tmp) - (size_t)n, ".%03llu", (unsigned long long)frac);
        while (tmp[n - 1] == '0')
            n--;
    }
    put_raw(d, tmp, (size_t)n);
}

static void on_uint(void *ctx, uint64_t v)
{
    struct dec *d = ctx;
    bool ts = under_tag(d);
    if (value_begin(d, V_NUMBER) != VB_WRITE)
        return;
    if (ts && d->dialect == GY_CBOR_AMZ)
        put_millis(d, false, v);
    else
        put_int(d, false, v);
    value_end(d);
}

static void on_uint8(void *ctx, uint8_t v)
{
    on_uint(ctx, v);
}
static void on_uint16(void *ctx, uint16_t v)
{
    on_uint(ctx, v);
}
static void on_uint32(void *ctx, uint32_t v)
{
    on_uint(ctx, v);
}

/* Major type 1: the value is -1 - n, written exactly even below INT64_MIN. */
static void on_negint(void *ctx, uint64_t n)
{
    struct dec *d = ctx;
    bool ts = under_tag(d);
    if (value_begin(d, V_NUMBER) != VB_WRITE)
        return;
    if (ts && d->dialect == GY_CBOR_AMZ) {
        if (n == UINT64_MAX) {
            fail(d, MSG_TS_RANGE);
            return;
        }
        put_millis(d, true, n + 1);
    } else if (n == UINT64_MAX) {
        put_raw(d, "-18446744073709551616", 21);
    } else {
        put_int(d, true, n + 1);
    }
    value_end(d);
}

static void on_negint8(void *ctx, uint8_t v)
{
    on_negint(ctx, v);
}
static void on_negint16(void *ctx, uint16_t v)
{
    on_negint(ctx, v);
}
static void on_negint32(void *ctx, uint32_t v)
{
    on_negint(ctx, v);
}

/* A float; single says it came as a float32 (printed in float32's shortest form). */
static void on_number(struct dec *d, double v, bool single)
{
    bool ts = under_tag(d);
    if (value_begin(d, V_NUMBER) != VB_WRITE)
        return;
    if (!isfinite(v)) {
        if (ts) {
            fail(d, MSG_TAG_VALUE);
            return;
        }
        gy_jw_cstr(d->w, isnan(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity");
    } else if (ts && d->dialect == GY_CBOR_AMZ) {
        gy_jw_double(d->w, v / 1000.0);
    } else if (single) {
        char tmp[32];
        int n = 0;
        for (int prec = 6; prec <= 9; prec++) {
            n = snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
            if (strtof(tmp, NULL) == (float)v)
                break;
        }
        put_raw(d, tmp, (size_t)n);
    } else if (v == floor(v) && fabs(v) < 9007199254740992.0 && !(v == 0 && signbit(v))) {
        put_int(d, v < 0, (uint64_t)fabs(v)); /* what gy_jw_double writes, without printf */
    } else {
        gy_jw_double(d->w, v);
    }
    value_end(d);
}

static void on_half(void *ctx, float v)
{
    on_number(ctx, v, false);
} /* exact in double */
static void on_single(void *ctx, float v)
{
    on_number(ctx, v, true);
}
static void on_double(void *ctx, double v)
{
    on_number(ctx, v, false);
}

static void on_bool(void *ctx, bool v)
{
    struct dec *d = ctx;
    if (value_begin(d, V_OTHER) != VB_WRITE)
        return;
    gy_jw_bool(d->w, v);
    value_end(d);
}

/* null and undefined (smithy: undefined deserializes to null). */
static void on_null(void *ctx)
{
    struct dec *d = ctx;
    if (value_begin(d, V_NULL) != VB_WRITE)
        return;
    gy_jw_null(d->w);
    value_end(d);
}

/* Bytes as a JSON base64 string, encoded straight into the writer's buffer. */
static void put_base64(struct dec *d, const unsigned char *p, size_t n)
{
    struct gy_jw *w = d->w;
    gy_jw_raw(w, GY_STR("\""));
    if (w->err)
        return;
    size_t out = gy_base64_encoded_len(n);
    char *dst = gy_buf_reserve(w->buf, out); /* room for out bytes and the NUL */
    if (!dst) {
        w->err = GY_ETOOBIG;
        return;
    }
    gy_base64_encode(p, n, dst);
    w->buf->len += out;
    if (gy_buf_putc(w->buf, '"'))
        w->err = GY_ETOOBIG;
}

static bool text_ok(struct dec *d, const char *p, size_t n)
{
    if (n && memchr(p, 0, n)) {
        fail(d, MSG_NUL);
        return false;
    }
    if (!gy_utf8_valid(p, n)) {
        fail(d, MSG_UTF8);
        return false;
    }
    return true;
}

static void on_text(void *ctx, cbor_data data, size_t n)
{
    struct dec *d = ctx;
    const char *p = (const char *)data;
    if (d->why || !text_ok(d, p, n))
        return;
    struct frame *f = top(d);
    if (f && f->kind == F_TSTR) { /* a chunk: valid UTF-8 on its own (RFC 8949 3.2.3) */
        if (gy_buf_append(&d->scratch, p, n))
            fail(d, MSG_TOO_BIG);
        return;
    }
    if (f && f->kind == F_MAP && !f->want_value) {
        key_read(d, (struct gy_str){p, n});
        return;
    }
    if (value_begin(d, V_OTHER) != VB_WRITE)
        return;
    gy_jw_str(d->w, (struct gy_str){p, n});
    value_end(d);
}

static void on_bytes(void *ctx, cbor_data data, size_t n)
{
    struct dec *d = ctx;
    if (d->why)
        return;
    struct frame *f = top(d);
    if (f && f->kind == F_BSTR) {
        if (gy_buf_append(&d->scratch, data, n))
            fail(d, MSG_TOO_BIG);
        return;
    }
    if (value_begin(d, V_OTHER) != VB_WRITE)
        return;
    put_base64(d, data, n);
    value_end(d);
}

static void push(struct dec *d, struct frame f)
{
    d->st[d->sp++] = f;
}

/* Start of an indefinite-length string (kind F_TSTR or F_BSTR). */
static void str_start(struct dec *d, uint8_t kind)
{
    if (d->why)
        return;
    struct frame *f = top(d);
    if (f && (f->kind == F_TSTR || f->kind == F_BSTR)) {
        fail(d, MSG_CHUNK);
        return;
    }
    bool is_key = f && f->kind == F_MAP && !f->want_value;
    if (is_key && kind != F_TSTR) {
        fail(d, MSG_KEY);
        return;
    }
    if (!is_key && value_begin(d, V_OTHER) != VB_WRITE)
        return;
    gy_buf_reset(&d->scratch);
    push(d, (struct frame){.kind = kind, .indef = true, .is_key = is_key});
}

static void on_text_start(void *ctx)
{
    str_start(ctx, F_TSTR);
}
static void on_bytes_start(void *ctx)
{
    str_start(ctx, F_BSTR);
}

/* The break of an indefinite-length string: emit the joined chunks. */
static void str_end(struct dec *d, const struct frame *f)
{
    struct gy_str s = gy_buf_str(&d->scratch);
    if (!s.p)
        s = GY_STR(""); /* no chunk was ever stored: the buffer holds no memory */
    d->sp--;
    if (f->kind == F_BSTR) {
        put_base64(d, (const unsigned char *)s.p, s.len);
    } else if (f->is_key) {
        key_read(d, gy_arena_strdup(d->arena, s));
        return;
    } else {
        gy_jw_str(d->w, s);
    }
    value_end(d);
}

static void container_start(struct dec *d, bool map, bool indef, size_t n)
{
    if (value_begin(d, map ? V_MAP : V_OTHER) != VB_WRITE)
        return;
    if (d->depth >= GY_CBOR_MAX_DEPTH) {
        fail(d, MSG_DEPTH);
        return;
    }
    if (map)
        gy_jw_obj_begin(d->w);
    else
        gy_jw_arr_begin(d->w);
    if (!indef && n == 0) {
        if (map)
            gy_jw_obj_end(d->w);
        else
            gy_jw_arr_end(d->w);
        value_end(d);
        return;
    }
    d->depth++;
    push(d, (struct frame){.kind = map ? F_MAP : F_ARRAY,
                           .indef = indef,
                           .map_id = map ? ++d->next_map : 0,
                           .kfirst = (uint32_t)d->nopen,
                           .left = n});
}

static void on_array(void *ctx, size_t n)
{
    container_start(ctx, false, false, n);
}
static void on_indef_array(void *ctx)
{
    container_start(ctx, false, true, 0);
}
static void on_map(void *ctx, size_t n)
{
    container_start(ctx, true, false, n);
}
static void on_indef_map(void *ctx)
{
    container_start(ctx, true, true, 0);
}

static void on_tag(void *ctx, uint64_t tag)
{
    struct dec *d = ctx;
    if (d->why)
        return;
    if (tag != 1) {
        fail(d, MSG_TAG);
        return;
    }
    if (value_begin(d, V_OTHER) != VB_WRITE) /* a tag inside a tag is refused here too */
        return;
    push(d, (struct frame){.kind = F_TAG});
}

static void on_break(void *ctx)
{
    struct dec *d = ctx;
    if (d->why)
        return;
    struct frame *f = top(d);
    if (!f || !f->indef) {
        fail(d, MSG_BREAK);
        return;
    }
    switch (f->kind) {
    case F_TSTR:
    case F_BSTR:
        str_end(d, f);
        return;
    case F_MAP:
        if (f->want_value) {
            fail(d, MSG_BREAK_VALUE);
            return;
        }
        break;
    default:
        break;
    }
    container_end(d, f);
    value_end(d);
}

static const struct cbor_callbacks callbacks = {
    .uint8 = on_uint8,
    .uint16 = on_uint16,
    .uint32 = on_uint32,
    .uint64 = on_uint,
    .negint8 = on_negint8,
    .negint16 = on_negint16,
    .negint32 = on_negint32,
    .negint64 = on_negint,
    .byte_string = on_bytes,
    .byte_string_start = on_bytes_start,
    .string = on_text,
    .string_start = on_text_start,
    .array_start = on_array,
    .indef_array_start = on_indef_array,
    .map_start = on_map,
    .indef_map_start = on_indef_map,
    .tag = on_tag,
    .float2 = on_half,
    .float4 = on_single,
    .float8 = on_double,
    .undefined = on_null,
    .null = on_null,
    .boolean = on_bool,
    .indef_break = on_break,
};

int gy_cbor_to_json(struct gy_arena *arena, struct gy_str cbor, enum gy_cbor_dialect dialect,
                    struct gy_jw *w, const char **why)
{
    if (cbor.len == 0) {
        gy_jw_obj_begin(w);
        gy_jw_obj_end(w);
        if (w->err) {
            *why = MSG_TOO_BIG;
            return GY_ETOOBIG;
        }
        return 0;
    }
    struct dec *d = gy_arena_zalloc(arena, sizeof(*d));
    d->arena = arena;
    d->w = w;
    d->dialect = dialect;
    gy_buf_init(&d->scratch, cbor.len);

    const unsigned char *p = (const unsigned char *)cbor.p;
    size_t off = 0;
    while (!d->done && !d->why && !w->err) {
        if (off == cbor.len) {
            fail(d, "truncated CBOR data");
            break;
        }
        struct cbor_decoder_result r = cbor_stream_decode(p + off, cbor.len - off, &callbacks, d);
        if (r.status == CBOR_DECODER_NEDATA) {
            fail(d, "truncated CBOR data");
        } else if (r.status != CBOR_DECODER_FINISHED) {
            fail(d, "malformed CBOR: reserved or unassigned initial byte");
        } else {
            off += r.read;
        }
    }
    if (!d->why && !w->err && off != cbor.len)
        fail(d, "bytes after the CBOR data item");
    gy_buf_fini(&d->scratch);
    if (d->why) {
        *why = d->why;
        return d->why == MSG_TOO_BIG ? GY_ETOOBIG : GY_EINVAL;
    }
    if (w->err) {
        *why = MSG_TOO_BIG;
        return GY_ETOOBIG;
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* JSON -> CBOR                                                                               */
/* ------------------------------------------------------------------------------------------ */

/* Heads come from libcbor into a small array, then into the bounded buffer. */
#define EMIT(out, call)                                                                            \
    do {                                                                                           \
        unsigned char head_[16];                                                                   \
        size_t n_ = call;                                                                          \
        if (gy_buf_append((out), head_, n_))                                                       \
            return GY_ETOOBIG;                                                                     \
    } while (0)
#define HEAD head_, sizeof(head_)

static int enc_text(struct gy_buf *out, struct gy_str s)
{
    EMIT(out, cbor_encode_string_start(s.len, HEAD));
    return gy_buf_append(out, s.p, s.len);
}

static int enc_int(struct gy_buf *out, int64_t v)
{
    if (v >= 0)
        EMIT(out, cbor_encode_uint((uint64_t)v, HEAD));
    else
        EMIT(out, cbor_encode_negint((uint64_t)(-1 - v), HEAD));
    return 0;
}

static int enc_double(struct gy_buf *out, double v)
{
    EMIT(out, cbor_encode_double(v, HEAD));
    return 0;
}

/* A JSON number by its value: an integer when it is one (int64 or uint64), else float64. */
static int enc_number(struct gy_buf *out, const struct gy_json *j)
{
    int64_t i;
    if (gy_json_int(j, &i))
        return enc_int(out, i);
    double v = gy_json_num(j);
    if (v >= 0 && v < 18446744073709551616.0 && v == floor(v)) {
        EMIT(out, cbor_encode_uint((uint64_t)v, HEAD));
        return 0;
    }
    return enc_double(out, v);
}

/* Number of members of an object whose value is not null. */
static size_t non_null_members(const struct gy_json *obj)
{
    size_t n = 0;
    for (const struct gy_json *c = gy_json_child(obj); c; c = gy_json_next(c))
        n += !gy_json_is(c, GY_JSON_NULL);
    return n;
}

/* Any JSON value by its JSON type (no model guidance). */
static int enc_json(const struct gy_json *j, struct gy_buf *out)
{
    int rc;
    switch (gy_json_type(j)) {
    case GY_JSON_FALSE:
    case GY_JSON_TRUE:
        EMIT(out, cbor_encode_bool(gy_json_is(j, GY_JSON_TRUE), HEAD));
        return 0;
    case GY_JSON_NUMBER:
        return enc_number(out, j);
    case GY_JSON_STRING:
        return enc_text(out, gy_json_str(j));
    case GY_JSON_ARRAY:
        EMIT(out, cbor_encode_array_start(gy_json_count(j), HEAD));
        for (const struct gy_json *c = gy_json_child(j); c; c = gy_json_next(c))
            if ((rc = enc_json(c, out)))
                return rc;
        return 0;
    case GY_JSON_OBJECT:
        EMIT(out, cbor_encode_map_start(non_null_members(j), HEAD));
        for (const struct gy_json *c = gy_json_child(j); c; c = gy_json_next(c)) {
            if (gy_json_is(c, GY_JSON_NULL))
                continue;
            if ((rc = enc_text(out, gy_json_key(c))) || (rc = enc_json(c, out)))
                return rc;
        }
        return 0;
    default:
        EMIT(out, cbor_encode_null(HEAD));
        return 0;
    }
}

/* The base64 alphabet (RFC 4648 section 4): 1 for its 64 characters, 0 for every other byte. */
static const unsigned char b64_ok[256] = {
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1,
    ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1,
    ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
    ['Y'] = 1, ['Z'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
    ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1,
    ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1,
    ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1, ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1,
    ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1, ['+'] = 1, ['/'] = 1,
};

/* A base64 string (padded, RFC 4648) as a byte string, decoded straight into out. */
static int enc_blob(struct gy_str s, struct gy_buf *out)
{
    const unsigned char *p = (const unsigned char *)s.p;
    size_t n = s.len, pad = 0;
    if (n % 4 || n > (size_t)INT_MAX)
        return GY_EINVAL;
    if (n && p[n - 1] == '=')
        pad = p[n - 2] == '=' ? 2 : 1;
    unsigned char ok = 1;
    for (size_t i = 0; i < n - pad; i++)
        ok &= b64_ok[p[i]];
    if (!ok)
        return GY_EINVAL;
    size_t len = n / 4 * 3 - pad;
    EMIT(out, cbor_encode_bytestring_start(len, HEAD));
    if (!n)
        return 0;
    char *dst = gy_buf_reserve(out, n / 4 * 3);
    if (!dst)
        return GY_ETOOBIG;
    if (EVP_DecodeBlock((unsigned char *)dst, p, (int)n) < 0)
        return GY_EINVAL;
    out->len += len;
    out->p[out->len] = '\0';
    return 0;
}

/* A timestamp given in epoch seconds as the dialect wants it after tag 1. */
static int enc_timestamp(const struct gy_json *j, enum gy_cbor_dialect dialect, struct gy_buf *out)
{
    EMIT(out, cbor_encode_tag(1, HEAD));
    int64_t i;
    double v = gy_json_num(j);
    if (dialect == GY_CBOR_AMZ) {
        double ms = round(v * 1000.0);
        if (!isfinite(ms))
            return GY_EINVAL;
        if (ms > -9.2e18 && ms < 9.2e18)
            return enc_int(out, (int64_t)ms);
        return enc_double(out, ms);
    }
    if (gy_json_int(j, &i))
        return enc_int(out, i);
    return enc_double(out, v);
}

/* A float/double member: a number, or one of the JSON protocols' non-finite strings. */
static int enc_float(const struct gy_json *j, struct gy_buf *out)
{
    if (gy_json_is(j, GY_JSON_NUMBER))
        return enc_double(out, gy_json_num(j));
    struct gy_str s = gy_json_str(j);
    if (gy_str_eqc(s, "NaN"))
        return enc_double(out, NAN);
    if (gy_str_eqc(s, "Infinity"))
        return enc_double(out, INFINITY);
    if (gy_str_eqc(s, "-Infinity"))
        return enc_double(out, -INFINITY);
    return enc_json(j, out);
}

/* A structure member by JSON key: its name, else its wire name (locationName). */
static const struct gy_model_member *member_by_key(const struct gy_model_service *svc,
                                                   const struct gy_model_shape *st,
                                                   struct gy_str key)
{
    const struct gy_model_member *m = gy_model_member_find(svc, st, key);
    if (m)
        return m;
    for (size_t i = 0; i < st->n; i++) {
        m = gy_model_member(svc, st, i);
        if (m->wire_name && gy_str_eqc(key, m->wire_name))
            return m;
    }
    return NULL;
}

static int enc_shape(const struct gy_model_service *svc, uint16_t shape, const struct gy_json *j,
                     enum gy_cbor_dialect dialect, struct gy_buf *out)
{
    if (shape == GY_MODEL_NONE || !svc)
        return enc_json(j, out);
    const struct gy_model_shape *sh = gy_model_shape(svc, shape);
    enum gy_json_type t = gy_json_type(j);
    int rc;
    if (sh->flags & GY_SHAPE_DOCUMENT)
        return enc_json(j, out);
    switch (sh->kind) {
    case GY_SHAPE_STRUCTURE:
    case GY_SHAPE_MAP:
        if (t != GY_JSON_OBJECT)
            break;
        EMIT(out, cbor_encode_map_start(non_null_members(j), HEAD));
        for (const struct gy_json *c = gy_json_child(j); c; c = gy_json_next(c)) {
            if (gy_json_is(c, GY_JSON_NULL))
                continue;
            uint16_t vs = sh->b;
            if (sh->kind == GY_SHAPE_STRUCTURE) {
                const struct gy_model_member *m = member_by_key(svc, sh, gy_json_key(c));
                vs = m ? m->shape : GY_MODEL_NONE;
            }
            if ((rc = enc_text(out, gy_json_key(c))) || (rc = enc_shape(svc, vs, c, dialect, out)))
                return rc;
        }
        return 0;
    case GY_SHAPE_LIST:
        if (t != GY_JSON_ARRAY)
            break;
        EMIT(out, cbor_encode_array_start(gy_json_count(j), HEAD));
        for (const struct gy_json *c = gy_json_child(j); c; c = gy_json_next(c))
            if ((rc = enc_shape(svc, sh->a, c, dialect, out)))
                return rc;
        return 0;
    case GY_SHAPE_BLOB:
        if (t == GY_JSON_STRING)
            return enc_blob(gy_json_str(j), out);
        break;
    case GY_SHAPE_TIMESTAMP:
        if (t == GY_JSON_NUMBER)
            return enc_timestamp(j, dialect, out);
        break;
    case GY_SHAPE_FLOAT:
    case GY_SHAPE_DOUBLE:
        return enc_float(j, out);
    default:
        break;
    }
    return enc_json(j, out);
}

int gy_cbor_from_json(const struct gy_model_service *svc, uint16_t shape,
                      const struct gy_json *tree, enum gy_cbor_dialect dialect, struct gy_buf *out)
{
    return enc_shape(svc, shape, tree, dialect, out);
}

int gy_cbor_error(const char *type, const char *message, struct gy_buf *out)
{
    int rc;
    EMIT(out, cbor_encode_map_start(message ? 2 : 1, HEAD));
    if ((rc = enc_text(out, GY_STR("__type"))) || (rc = enc_text(out, gy_str_c(type))))
        return rc;
    if (message &&
        ((rc = enc_text(out, GY_STR("message"))) || (rc = enc_text(out, gy_str_c(message)))))
        return rc;
    return 0;
}

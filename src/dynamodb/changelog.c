/*
 * changelog.c — the per-table change log and its streams and shards (see changelog.h).
 *
 * Change record (CHANGES value), all integers big-endian:
 *   u8 format (1) | u8 event | u8 flags (bit 0: by service) | u64 version (HLC) |
 *   i64 created ms | u8 n, origin region (n bytes) |
 *   u32 n, keys (gy_ddb_map_encode) | u32 n, old image (n = 0: none) | u32 n, new image (0: none)
 * Stream record ('S'): u8 format (1) | u8 n, view type | u64 first seq | u64 end seq (0 = open)
 * Shard record ('H'):  u8 format (1) | i64 created ms | u64 end seq (0 = open) | u64 parent start
 *
 * Appends happen only on the writer thread, inside the item change's transaction. Shards
 * rotate (a child opens, the parent closes) when the open shard is older than the rotation
 * period at the time of an append; trimming of records, shards and streams past the retention
 * runs as bounded writer jobs from a maintenance thread.
 */
#include "dynamodb/changelog.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/bytes.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"
#include "dynamodb/dynamodb_int.h"
#include "dynamodb/replica.h"
#include "store/store.h"

#define TRIM_BATCH 2000

/* ---- names ---- */

void gy_ddb_seq_format(uint64_t seq, char out[24])
{
    snprintf(out, 24, "1%020llu", (unsigned long long)seq);
}

int gy_ddb_seq_parse(struct gy_str s, uint64_t *seq)
{
    uint64_t v = 0;
    if (s.len != 21 || s.p[0] != '1')
        return GY_EINVAL;
    for (size_t i = 1; i < s.len; i++) {
        if (s.p[i] < '0' || s.p[i] > '9')
            return GY_EINVAL;
        if (v > (UINT64_MAX - 9) / 10)
            return GY_EINVAL;
        v = v * 10 + (uint64_t)(s.p[i] - '0');
    }
    *seq = v;
    return 0;
}

static uint32_t shard_tag(uint32_t table_id, int64_t stream_created_ms, uint64_t start_seq)
{
    /* FNV-1a over the shard's identity: makes ids of different streams distinct. */
    uint32_t h = 2166136261u;
    uint64_t parts[3] = { table_id, (uint64_t)stream_created_ms, start_seq };
    for (int i = 0; i < 3; i++)
        for (int b = 0; b < 8; b++) {
            h ^= (uint8_t)(parts[i] >> (8 * b));
            h *= 16777619u;
        }
    return h;
}

void gy_ddb_shard_id(uint32_t table_id, int64_t stream_created_ms, uint64_t start_seq, char out[64])
{
    snprintf(out, 64, "shardId-%020llu-%08x", (unsigned long long)start_seq,
             shard_tag(table_id, stream_created_ms, start_seq));
}

int gy_ddb_shard_id_parse(struct gy_str id, uint32_t table_id, int64_t stream_created_ms,
                          uint64_t *start_seq)
{
    char buf[64];
    unsigned long long seq;
    unsigned tag;
    char extra;
    if (id.len >= sizeof(buf))
        return GY_EINVAL;
    memcpy(buf, id.p, id.len);
    buf[id.len] = '\0';
    if (sscanf(buf, "shardId-%20llu-%8x%c", &seq, &tag, &extra) != 2)
        return GY_EINVAL;
    char want[64];
    gy_ddb_shard_id(table_id, stream_created_ms, seq, want);
    if (strcmp(want, buf) != 0)
        return GY_EINVAL;
    *start_seq = seq;
    return 0;
}

/* ---- keys ---- */

static struct gy_str q_key(unsigned char b[5], uint32_t tid)
{
    b[0] = 'Q';
    gy_put_be32(b + 1, tid);
    return (struct gy_str){ (char *)b, 5 };
}

static struct gy_str s_key(unsigned char b[13], uint32_t tid, int64_t created)
{
    b[0] = 'S';
    gy_put_be32(b + 1, tid);
    gy_put_be64(b + 5, (uint64_t)created);
    return (struct gy_str){ (char *)b, 13 };
}

static struct gy_str h_key(unsigned char b[21], uint32_t tid, int64_t created, uint64_t start)
{
    b[0] = 'H';
    gy_put_be32(b + 1, tid);
    gy_put_be64(b + 5, (uint64_t)created);
    gy_put_be64(b + 13, start);
    return (struct gy_str){ (char *)b, 21 };
}

static struct gy_str c_key(unsigned char b[12], uint32_t tid, uint64_t seq)
{
    gy_put_be32(b, tid);
    gy_put_be64(b + 4, seq);
    return (struct gy_str){ (char *)b, 12 };
}

/* ---- stream and shard records ---- */

static int stream_put(struct gy_store_txn *txn, uint32_t tid, int64_t created, const char *view,
                      uint64_t first, uint64_t end)
{
    unsigned char kb[13], v[64];
    size_t n = strlen(view);
    if (n > 30)
        n = 30;
    v[0] = 1;
    v[1] = (unsigned char)n;
    memcpy(v + 2, view, n);
    gy_put_be64(v + 2 + n, first);
    gy_put_be64(v + 10 + n, end);
    return gy_store_put(txn, GY_DB_STREAMS, s_key(kb, tid, created),
                        (struct gy_str){ (char *)v, 18 + n });
}

static int stream_parse(struct gy_str k, struct gy_str v, struct gy_ddb_stream_info *out)
{
    const unsigned char *p = (const unsigned char *)v.p;
    if (k.len != 13 || v.len < 18 || p[0] != 1 || v.len != 18u + p[1])
        return GY_EINVAL;
    size_t n = p[1];
    out->created_ms = (int64_t)gy_get_be64((const unsigned char *)k.p + 5);
    memcpy(out->view, p + 2, n);
    out->view[n] = '\0';
    out->first_seq = gy_get_be64(p + 2 + n);
    out->end_seq = gy_get_be64(p + 10 + n);
    out->enabled = false;
    return 0;
}

static int shard_put(struct gy_store_txn *txn, uint32_t tid, const struct gy_ddb_shard_info *s)
{
    unsigned char kb[21], v[25];
    v[0] = 1;
    gy_put_be64(v + 1, (uint64_t)s->created_ms);
    gy_put_be64(v + 9, s->end_seq);
    gy_put_be64(v + 17, s->parent_start_seq);
    return gy_store_put(txn, GY_DB_STREAMS, h_key(kb, tid, s->stream_created_ms, s->start_seq),
                        (struct gy_str){ (char *)v, 25 });
}

static int shard_parse(struct gy_str k, struct gy_str v, struct gy_ddb_shard_info *out)
{
    const unsigned char *p = (const unsigned char *)v.p;
    if (k.len != 21 || v.len != 25 || p[0] != 1)
        return GY_EINVAL;
    out->stream_created_ms = (int64_t)gy_get_be64((const unsigned char *)k.p + 5);
    out->start_seq = gy_get_be64((const unsigned char *)k.p + 13);
    out->created_ms = (int64_t)gy_get_be64(p + 1);
    out->end_seq = gy_get_be64(p + 9);
    out->parent_start_seq = gy_get_be64(p + 17);
    return 0;
}

/* The last record with key <= key and the same first `prefix` bytes. */
static int last_with_prefix(struct gy_store_txn *txn, struct gy_str key, size_t prefix,
                            struct gy_str *k, struct gy_str *v)
{
    struct gy_store_cursor *cur;
    int rc = gy_store_cursor_open(txn, GY_DB_STREAMS, &cur);
    if (rc)
        return rc;
    rc = gy_store_cursor_seek_le(cur, key, k, v);
    if (rc)
        return rc;
    if (k->len < prefix || memcmp(k->p, key.p, prefix) != 0)
        return GY_ENOTFOUND;
    return 0;
}

/* Close the table's latest stream if it is still open (its table stream was disabled). */
static int close_open_stream(struct gy_store_txn *txn, uint32_t tid, int64_t before_created,
                             uint64_t last_seq, int64_t now)
{
    unsigned char kb[13];
    struct gy_str k, v;
    struct gy_ddb_stream_info s;
    int rc = last_with_prefix(txn, s_key(kb, tid, before_created), 5, &k, &v);
    if (rc == GY_ENOTFOUND)
        return 0;
    if (rc || stream_parse(k, v, &s))
        return rc ? rc : GY_EIO;
    if (s.end_seq)
        return 0;
    if (last_seq < s.first_seq)
        last_seq = s.first_seq; /* an empty stream: its range stays well formed */
    rc = stream_put(txn, tid, s.created_ms, s.view, s.first_seq, last_seq);
    if (rc)
        return rc;
    /* Close its open shard too. */
    unsigned char hb[21];
    struct gy_ddb_shard_info sh;
    rc = last_with_prefix(txn, h_key(hb, tid, s.created_ms, UINT64_MAX), 13, &k, &v);
    if (rc == GY_ENOTFOUND)
        return 0;
    if (rc || shard_parse(k, v, &sh))
        return rc ? rc : GY_EIO;
    if (sh.end_seq)
        return 0;
    sh.end_seq = last_seq >= sh.start_seq ? last_seq : sh.start_seq;
    (void)now;
    return shard_put(txn, tid, &sh);
}

/* Make sure the table's current stream and an open shard exist; rotate an old shard. */
static int ensure_shard(struct gy_store_txn *txn, struct gy_ddb *d, const struct gy_ddb_table *t,
                        uint64_t seq, int64_t now)
{
    unsigned char kb[21];
    struct gy_str k, v;
    int64_t created = t->stream_created_ms;
    int rc = gy_store_get(txn, GY_DB_STREAMS, s_key(kb, t->id, created), &v);
    if (rc == GY_ENOTFOUND) {
        rc = close_open_stream(txn, t->id, created - 1, seq - 1, now);
        if (rc == 0)
            rc = stream_put(txn, t->id, created, t->stream_view, seq, 0);
        if (rc)
            return rc;
        struct gy_ddb_shard_info sh = { created, seq, 0, 0, now };
        return shard_put(txn, t->id, &sh);
    }
    if (rc)
        return rc;
    struct gy_ddb_shard_info sh;
    rc = last_with_prefix(txn, h_key(kb, t->id, created, UINT64_MAX), 13, &k, &v);
    if (rc == 0 && shard_parse(k, v, &sh) == 0 && sh.end_seq == 0 && sh.start_seq < seq &&
        now - sh.created_ms >= d->stream_shard_ms) {
        sh.end_seq = seq - 1;
        rc = shard_put(txn, t->id, &sh);
        if (rc)
            return rc;
        struct gy_ddb_shard_info child = { created, seq, 0, sh.start_seq, now };
        return shard_put(txn, t->id, &child);
    }
    return rc == GY_ENOTFOUND ? 0 : rc;
}

/* ---- append ---- */

static int put_map(struct gy_buf *b, const struct gy_ddb_map *m)
{
    unsigned char len[4];
    size_t at = b->len;
    int rc = gy_buf_append(b, "\0\0\0\0", 4);
    if (rc || !m)
        return rc;
    rc = gy_ddb_map_encode(m, b);
    if (rc)
        return rc;
    gy_put_be32(len, (uint32_t)(b->len - at - 4));
    memcpy(b->p + at, len, 4);
    return 0;
}

int gy_ddb__log_append(struct gy_store_txn *txn, struct gy_ddb *d, const struct gy_ddb_change *c,
                       uint64_t version, const char *origin, int64_t now)
{
    const struct gy_ddb_table *t = c->t;
    unsigned char qb[5], cb[12], nb[8];
    struct gy_str v;
    uint64_t seq = 1;
    int rc;

    /* Streams read the log, and so do replication shippers for global tables. */
    bool replicated = t->nreplicas > 1;
    if (!t->stream_enabled && !t->stream_created_ms && !replicated)
        return 0;
    if (gy_store_get(txn, GY_DB_STREAMS, q_key(qb, t->id), &v) == 0 && v.len == 8)
        seq = gy_get_be64((const unsigned char *)v.p);
    if (!t->stream_enabled) {
        /* A stream existed: make sure it is closed at the end of what it recorded. */
        if (t->stream_created_ms) {
            rc = close_open_stream(txn, t->id, INT64_MAX, seq - 1, now);
            if (rc)
                return rc;
        }
        if (!replicated)
            return 0;
    } else {
        rc = ensure_shard(txn, d, t, seq, now);
        if (rc)
            return rc;
    }

    /* Keys: the key attributes of whichever image exists. */
    const struct gy_ddb_map *img = c->new_item ? c->new_item : c->old;
    struct gy_ddb_attr ka[2];
    struct gy_ddb_map keys = { ka, 0 };
    const struct gy_ddb_value *pk = gy_ddb_map_get(img, gy_str_c(t->hash.name));
    if (pk)
        ka[keys.n++] = (struct gy_ddb_attr){ gy_str_c(t->hash.name), *pk };
    if (t->range.name) {
        const struct gy_ddb_value *sk = gy_ddb_map_get(img, gy_str_c(t->range.name));
        if (sk)
            ka[keys.n++] = (struct gy_ddb_attr){ gy_str_c(t->range.name), *sk };
    }
    gy_ddb_map_sort(&keys);

    struct gy_buf b;
    gy_buf_init(&b, 4 * GY_DDB_MAX_ITEM_SIZE);
    size_t olen = strlen(origin);
    unsigned char head[3 + 8 + 8 + 1];
    head[0] = 1;
    head[1] = (unsigned char)(!c->old ? GY_DDB_EV_INSERT : !c->new_item ? GY_DDB_EV_REMOVE
                                                                         : GY_DDB_EV_MODIFY);
    head[2] = c->by_service ? 1 : 0;
    gy_put_be64(head + 3, version);
    gy_put_be64(head + 11, (uint64_t)now);
    head[19] = (unsigned char)olen;
    rc = gy_buf_append(&b, head, sizeof(head));
    if (rc == 0)
        rc = gy_buf_append(&b, origin, olen);
    if (rc == 0)
        rc = put_map(&b, &keys);
    if (rc == 0)
        rc = put_map(&b, c->old);
    if (rc == 0)
        rc = put_map(&b, c->new_item);
    if (rc == 0)
        rc = gy_store_put(txn, GY_DB_CHANGES, c_key(cb, t->id, seq), gy_buf_str(&b));
    gy_buf_fini(&b);
    if (rc)
        return rc;
    if (replicated)
        __atomic_add_fetch(&d->replicated_appends, 1, __ATOMIC_RELEASE);
    gy_put_be64(nb, seq + 1);
    return gy_store_put(txn, GY_DB_STREAMS, q_key(qb, t->id), (struct gy_str){ (char *)nb, 8 });
}

/* ---- reading ---- */

static int get_map(struct gy_arena *a, const unsigned char **p, const unsigned char *end,
                   struct gy_ddb_map *m, bool *present)
{
    if (end - *p < 4)
        return GY_EINVAL;
    uint32_t n = gy_get_be32(*p);
    *p += 4;
    if ((size_t)(end - *p) < n)
        return GY_EINVAL;
    *present = n > 0;
    if (n && gy_ddb_map_decode(a, *p, n, m))
        return GY_EINVAL;
    if (!n)
        *m = (struct gy_ddb_map){ NULL, 0 };
    *p += n;
    return 0;
}

int gy_ddb_log_decode(struct gy_arena *a, uint64_t seq, struct gy_str raw,
                      struct gy_ddb_log_record *out)
{
    const unsigned char *p = (const unsigned char *)raw.p, *end = p + raw.len;
    bool has_keys;
    if (raw.len < 20 || p[0] != 1 || p[1] < 1 || p[1] > 3)
        return GY_EINVAL;
    memset(out, 0, sizeof(*out));
    out->seq = seq;
    out->event = (enum gy_ddb_event)p[1];
    out->by_service = p[2] & 1;
    out->version = gy_get_be64(p + 3);
    out->created_ms = (int64_t)gy_get_be64(p + 11);
    size_t olen = p[19];
    p += 20;
    if ((size_t)(end - p) < olen)
        return GY_EINVAL;
    out->origin = (struct gy_str){ (const char *)p, olen };
    p += olen;
    if (get_map(a, &p, end, &out->keys, &has_keys) ||
        get_map(a, &p, end, &out->old_image, &out->has_old) ||
        get_map(a, &p, end, &out->new_image, &out->has_new) || p != end)
        return GY_EINVAL;
    out->size_bytes = gy_ddb_map_size(&out->keys) +
                      (out->has_old ? gy_ddb_map_size(&out->old_image) : 0) +
                      (out->has_new ? gy_ddb_map_size(&out->new_image) : 0);
    return 0;
}

int gy_ddb_log_read(struct gy_store_txn *txn, struct gy_arena *a, uint32_t table_id, uint64_t from,
                    uint64_t to, size_t limit, struct gy_ddb_log_record **out, size_t *n)
{
    struct gy_store_cursor *cur;
    struct gy_str k, v;
    unsigned char kb[12];
    size_t cap = limit < 64 ? limit : 64;

    *n = 0;
    *out = gy_arena_calloc(a, cap ? cap : 1, sizeof(**out));
    int rc = gy_store_cursor_open(txn, GY_DB_CHANGES, &cur);
    if (rc)
        return rc;
    for (rc = gy_store_cursor_seek(cur, c_key(kb, table_id, from), &k, &v);
         rc == 0 && *n < limit; rc = gy_store_cursor_next(cur, &k, &v)) {
        if (k.len != 12 || gy_get_be32((const unsigned char *)k.p) != table_id)
            break;
        uint64_t seq = gy_get_be64((const unsigned char *)k.p + 4);
        if (to && seq > to)
            break;
        if (*n == cap) {
            *out = gy_arena_realloc(a, *out, cap * sizeof(**out), 2 * cap * sizeof(**out));
            cap *= 2;
        }
        if (gy_ddb_log_decode(a, seq, v, &(*out)[*n]))
            return GY_EIO;
        (*n)++;
    }
    return rc == GY_ENOTFOUND ? 0 : rc;
}

void gy_ddb_log_bounds(struct gy_store_txn *txn, uint32_t table_id, uint64_t *first, uint64_t *next)
{
    struct gy_store_cursor *cur;
    struct gy_str k, v;
    unsigned char kb[12], qb[5];
    *first = 0;
    *next = 1;
    if (gy_store_get(txn, GY_DB_STREAMS, q_key(qb, table_id), &v) == 0 && v.len == 8)
        *next = gy_get_be64((const unsigned char *)v.p);
    if (gy_store_cursor_open(txn, GY_DB_CHANGES, &cur) == 0 &&
        gy_store_cursor_seek(cur, c_key(kb, table_id, 0), &k, &v) == 0 && k.len == 12 &&
        gy_get_be32((const unsigned char *)k.p) == table_id)
        *first = gy_get_be64((const unsigned char *)k.p + 4);
}

int gy_ddb_log_streams(struct gy_store_txn *txn, struct gy_arena *a, const struct gy_ddb_table *t,
                       struct gy_ddb_stream_info **out, size_t *n)
{
    struct gy_store_cursor *cur;
    struct gy_str k, v;
    unsigned char kb[13];
    size_t cap = 8;
    *n = 0;
    *out = gy_arena_calloc(a, cap, sizeof(**out));
    int rc = gy_store_cursor_open(txn, GY_DB_STREAMS, &cur);
    if (rc)
        return rc;
    for (rc = gy_store_cursor_seek_le(cur, s_key(kb, t->id, INT64_MAX), &k, &v); rc == 0;
         rc = gy_store_cursor_prev(cur, &k, &v)) {
        if (k.len < 5 || k.p[0] != 'S' || gy_get_be32((const unsigned char *)k.p + 1) != t->id)
            break;
        if (*n == cap) {
            *out = gy_arena_realloc(a, *out, cap * sizeof(**out), 2 * cap * sizeof(**out));
            cap *= 2;
        }
        struct gy_ddb_stream_info *s = &(*out)[*n];
        if (stream_parse(k, v, s))
            return GY_EIO;
        s->enabled = t->stream_enabled && s->created_ms == t->stream_created_ms;
        if (!s->enabled && s->end_seq == 0) {
            /* Disabled, not yet closed by a later append: it ends where the log ends. */
            uint64_t first, next;
            gy_ddb_log_bounds(txn, t->id, &first, &next);
            s->end_seq = next - 1 >= s->first_seq ? next - 1 : s->first_seq;
        }
        (*n)++;
    }
    return rc == GY_ENOTFOUND ? 0 : rc;
}

int gy_ddb_log_shards(struct gy_store_txn *txn, struct gy_arena *a, const struct gy_ddb_table *t,
                      int64_t stream_created_ms, struct gy_ddb_shard_info **out, size_t *n)
{
    struct gy_store_cursor *cur;
    struct gy_str k, v;
    unsigned char kb[21];
    size_t cap = 8;
    bool enabled = t->stream_enabled && t->stream_created_ms == stream_created_ms;
    *n = 0;
    *out = gy_arena_calloc(a, cap, sizeof(**out));
    int rc = gy_store_cursor_open(txn, GY_DB_STREAMS, &cur);
    if (rc)
        return rc;
    for (rc = gy_store_cursor_seek(cur, h_key(kb, t->id, stream_created_ms, 0), &k, &v); rc == 0;
         rc = gy_store_cursor_next(cur, &k, &v)) {
        if (k.len != 21 || memcmp(k.p, kb, 13) != 0)
            break;
        if (*n == cap) {
            *out = gy_arena_realloc(a, *out, cap * sizeof(**out), 2 * cap * sizeof(**out));
            cap *= 2;
        }
        if (shard_parse(k, v, &(*out)[*n]))
            return GY_EIO;
        (*n)++;
    }
    if (rc && rc != GY_ENOTFOUND)
        return rc;
    if (*n && !enabled && (*out)[*n - 1].end_seq == 0) {
        uint64_t first, next;
        gy_ddb_log_bounds(txn, t->id, &first, &next);
        struct gy_ddb_shard_info *last = &(*out)[*n - 1];
        last->end_seq = next - 1 >= last->start_seq ? next - 1 : last->start_seq;
    }
    return 0;
}

/* ---- trimming ---- */

struct trim_job {
    struct gy_store_job job;
    struct gy_ddb *d;
    uint32_t next_tid;     /* where the next job starts */
    bool more;
};

/* Delete expired records (and the shards and streams they emptied) of one pass. */
static int trim_apply(struct gy_store_txn *txn, void *arg)
{
    struct trim_job *tj = arg;
    struct gy_store_cursor *cur;
    struct gy_str k, v;
    unsigned char kb[12];
    int64_t cutoff = gy_now_ms() - tj->d->stream_retention_ms;
    int deleted = 0;

    tj->more = false;
    int rc = gy_store_cursor_open(txn, GY_DB_CHANGES, &cur);
    if (rc)
        return rc;
    rc = gy_store_cursor_seek(cur, c_key(kb, tj->next_tid, 0), &k, &v);
    while (rc == 0) {
        if (k.len != 12 || v.len < 19)
            return GY_EIO;
        uint32_t tid = gy_get_be32((const unsigned char *)k.p);
        int64_t created = (int64_t)gy_get_be64((const unsigned char *)v.p + 11);
        if (created >= cutoff) {
            /* The rest of this table's log is newer: jump to the next table. */
            if (tid == UINT32_MAX)
                break;
            rc = gy_store_cursor_seek(cur, c_key(kb, tid + 1, 0), &k, &v);
            continue;
        }
        if (deleted++ == TRIM_BATCH) {
            tj->next_tid = tid;
            tj->more = true;
            return 0;
        }
        uint64_t seq = gy_get_be64((const unsigned char *)k.p + 4); /* k dies with the entry */
        rc = gy_store_cursor_del(cur);
        if (rc)
            return rc;
        rc = gy_store_cursor_seek(cur, c_key(kb, tid, seq), &k, &v);
    }
    if (rc && rc != GY_ENOTFOUND)
        return rc;

    rc = gy_ddb_tombstones_trim(txn, tj->d->stream_retention_ms, TRIM_BATCH);
    if (rc)
        return rc;

    /* Shards closed before the first retained record, and older than the retention. */
    rc = gy_store_cursor_open(txn, GY_DB_STREAMS, &cur);
    if (rc)
        return rc;
    for (rc = gy_store_cursor_seek(cur, GY_STR("H"), &k, &v); rc == 0;) {
        struct gy_ddb_shard_info sh;
        if (k.len < 1 || k.p[0] != 'H')
            break;
        if (shard_parse(k, v, &sh) == 0 && sh.end_seq && sh.created_ms < cutoff) {
            uint32_t tid = gy_get_be32((const unsigned char *)k.p + 1);
            uint64_t first, next;
            gy_ddb_log_bounds(txn, tid, &first, &next);
            if (first == 0 || sh.end_seq < first) {
                unsigned char saved[21];
                memcpy(saved, k.p, 21); /* k dies with the entry */
                rc = gy_store_cursor_del(cur);
                if (rc)
                    return rc;
                rc = gy_store_cursor_seek(cur, (struct gy_str){ (char *)saved, 21 }, &k, &v);
                continue;
            }
        }
        rc = gy_store_cursor_next(cur, &k, &v);
    }
    if (rc && rc != GY_ENOTFOUND)
        return rc;

    /* Closed streams whose every shard is gone. */
    for (rc = gy_store_cursor_seek(cur, GY_STR("S"), &k, &v); rc == 0;) {
        struct gy_ddb_stream_info si;
        if (k.len < 1 || k.p[0] != 'S')
            break;
        if (stream_parse(k, v, &si) == 0 && si.end_seq && si.created_ms < cutoff) {
            unsigned char saved[13], hb[21];
            struct gy_str hk, hv;
            memcpy(saved, k.p, 13);
            uint32_t tid = gy_get_be32(saved + 1);
            struct gy_store_cursor *hc;
            bool has_shard = false;
            if (gy_store_cursor_open(txn, GY_DB_STREAMS, &hc) == 0 &&
                gy_store_cursor_seek(hc, h_key(hb, tid, si.created_ms, 0), &hk, &hv) == 0)
                has_shard = hk.len == 21 && memcmp(hk.p, hb, 13) == 0;
            if (!has_shard) {
                rc = gy_store_cursor_seek(cur, (struct gy_str){ (char *)saved, 13 }, &k, &v);
                if (rc == 0)
                    rc = gy_store_cursor_del(cur);
                if (rc)
                    return rc;
                rc = gy_store_cursor_seek(cur, (struct gy_str){ (char *)saved, 13 }, &k, &v);
                continue;
            }
            rc = gy_store_cursor_seek(cur, (struct gy_str){ (char *)saved, 13 }, &k, &v);
            if (rc)
                break;
        }
        rc = gy_store_cursor_next(cur, &k, &v);
    }
    return rc == GY_ENOTFOUND ? 0 : rc;
}

static void trim_done(void *arg, int rc)
{
    struct trim_job *tj = arg;
    if (rc == 0 && tj->more && gy_store_submit(tj->d->store, &tj->job) == 0)
        return;
    if (rc)
        gy_log_warn("changelog: trim failed: %s", gy_strerror(rc));
    gy_free(tj);
}

static void *maint_main(void *arg)
{
    struct gy_ddb *d = arg;
    pthread_mutex_lock(&d->maint_lock);
    while (!d->maint_stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t ms = d->stream_trim_ms;
        ts.tv_sec += ms / 1000;
        ts.tv_nsec += (ms % 1000) * 1000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&d->maint_cond, &d->maint_lock, &ts);
        if (d->maint_stop)
            break;
        struct trim_job *tj = gy_calloc(1, sizeof(*tj));
        tj->d = d;
        tj->job.apply = trim_apply;
        tj->job.done = trim_done;
        tj->job.arg = tj;
        if (gy_store_submit(d->store, &tj->job))
            gy_free(tj);
    }
    pthread_mutex_unlock(&d->maint_lock);
    return NULL;
}

static int64_t env_ms(const char *name, int64_t def)
{
    const char *s = getenv(name);
    char *end;
    if (!s || !*s)
        return def;
    long long v = strtoll(s, &end, 10);
    return *end || v < 1 ? def : v;
}

int gy_ddb__log_start(struct gy_ddb *d)
{
    d->stream_shard_ms = env_ms("GYRE_STREAM_SHARD_MS", 4LL * 3600 * 1000);
    d->stream_retention_ms = env_ms("GYRE_STREAM_RETENTION_MS", 24LL * 3600 * 1000);
    d->stream_trim_ms = env_ms("GYRE_STREAM_TRIM_MS", 60 * 1000);
    pthread_mutex_init(&d->maint_lock, NULL);
    pthread_cond_init(&d->maint_cond, NULL);
    d->maint_stop = false;
    if (pthread_create(&d->maint, NULL, maint_main, d)) {
        gy_log_error("changelog: cannot start the maintenance thread");
        return GY_EIO;
    }
    return 0;
}

void gy_ddb__log_stop(struct gy_ddb *d)
{
    pthread_mutex_lock(&d->maint_lock);
    d->maint_stop = true;
    pthread_cond_signal(&d->maint_cond);
    pthread_mutex_unlock(&d->maint_lock);
    pthread_join(d->maint, NULL);
    pthread_mutex_destroy(&d->maint_lock);
    pthread_cond_destroy(&d->maint_cond);
}

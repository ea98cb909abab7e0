/*
 * meta.c — Kinesis's storage layout in the KINESIS key space, and its only reader and writer.
 *
 *   'C'                                  -> u32 next stream id
 *   'N' name                             -> stream record
 *   'H' stream id (4) | shard index (4)  -> shard record
 *   'O' stream id (4) | ending hash (16) -> shard index (4)      open shards only
 *   'R' stream id (4) | shard index (4) | position (8) -> record
 *   'T' stream id (4) | tag key          -> tag value
 *   'U' stream id (4) | consumer name    -> consumer record
 * Integers are big-endian, so every prefix scan is in numeric order. Stream ids are never
 * reused: a deleted stream's leftovers can never be mistaken for a new stream's.
 *
 * Stream record: u8 format (1) | u32 id | i64 created ms | u8 status | i64 settle ms |
 *   u8 mode | u32 retention hours | u8 encryption | u32 metrics bits | u32 next shard index |
 *   u32 open shards | i64 mode changed ms | u16 n, KMS key id
 * Shard record: u8 format (1) | u8 closed | 16 start hash | 16 end hash | i64 parent |
 *   i64 adjacent parent | i64 created ms | i64 closed ms | u64 next position |
 *   i64 last arrival ms
 * Record: u8 format (1) | i64 arrival ms | u8 encryption | u16 n, partition key | data
 *
 * Invariant: the 'O' entries of a stream are exactly its open shards, and their ranges
 * partition [0, 2^128-1]; so the first 'O' key >= (id, hash) names the shard for hash.
 */
#include "kinesis/kinesis_int.h"

#include <string.h>

#include "core/arena.h"
#include "core/bytes.h"
#include "core/clock.h"
#include "core/mem.h"

#define FORMAT 1
#define STREAM_FIXED 50
#define SHARD_LEN 82
#define RECORD_HEAD 12

/* ---- names ---- */

enum gy_kin_status gy_kin__status(const struct gy_kin_stream *st, int64_t now)
{
    if ((st->status == GY_KIN_CREATING || st->status == GY_KIN_UPDATING) && now >= st->settle_ms)
        return GY_KIN_ACTIVE;
    return st->status;
}

const char *gy_kin__status_name(enum gy_kin_status s)
{
    switch (s) {
    case GY_KIN_CREATING: return "CREATING";
    case GY_KIN_UPDATING: return "UPDATING";
    case GY_KIN_DELETING: return "DELETING";
    default: return "ACTIVE";
    }
}

void gy_kin__shard_id(uint32_t idx, char out[24])
{
    char d[16];
    int n = 0;
    uint32_t v = idx;
    do {
        d[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    memcpy(out, "shardId-", 8);
    int pad = n < 12 ? 12 - n : 0;
    memset(out + 8, '0', (size_t)pad);
    for (int i = 0; i < n; i++)
        out[8 + pad + i] = d[n - 1 - i];
    out[8 + pad + n] = '\0';
}

int gy_kin__shard_id_parse(struct gy_str id, uint32_t *idx)
{
    struct gy_str digits = id;
    uint64_t v = 0;
    if (gy_str_startswith(id, GY_STR("shardId-"))) {
        digits.p += 8;
        digits.len -= 8;
    }
    if (digits.len == 0 || digits.len > 20)
        return GY_EINVAL;
    for (size_t i = 0; i < digits.len; i++) {
        if (digits.p[i] < '0' || digits.p[i] > '9')
            return GY_EINVAL;
        v = v * 10 + (uint64_t)(digits.p[i] - '0');
        if (v > INT32_MAX)
            return GY_EINVAL;
    }
    *idx = (uint32_t)v;
    return 0;
}

/* ---- streams ---- */

static struct gy_str name_key(char *buf, struct gy_str name)
{
    buf[0] = 'N';
    if (name.len)
        memcpy(buf + 1, name.p, name.len);
    return (struct gy_str){buf, name.len + 1};
}

static int stream_decode(struct gy_str k, struct gy_str v, struct gy_kin_stream *st)
{
    const unsigned char *p = (const unsigned char *)v.p;
    if (v.len < STREAM_FIXED || p[0] != FORMAT || k.len < 2 || k.len - 1 > GY_KIN_NAME_MAX)
        return GY_EIO;
    size_t klen = (size_t)p[48] << 8 | p[49];
    if (v.len != STREAM_FIXED + klen || klen > GY_KIN_KEY_ID_MAX)
        return GY_EIO;
    memset(st, 0, offsetof(struct gy_kin_stream, key_id));
    memcpy(st->name, k.p + 1, k.len - 1);
    st->name[k.len - 1] = '\0';
    st->id = gy_get_be32(p + 1);
    st->created_ms = (int64_t)gy_get_be64(p + 5);
    st->status = (enum gy_kin_status)p[13];
    st->settle_ms = (int64_t)gy_get_be64(p + 14);
    st->mode = (enum gy_kin_mode)p[22];
    st->retention_h = gy_get_be32(p + 23);
    st->enc = (enum gy_kin_enc)p[27];
    st->metrics = gy_get_be32(p + 28);
    st->next_shard = gy_get_be32(p + 32);
    st->open_shards = gy_get_be32(p + 36);
    st->mode_changed_ms = (int64_t)gy_get_be64(p + 40);
    memcpy(st->key_id, p + STREAM_FIXED, klen);
    st->key_id[klen] = '\0';
    return 0;
}

bool gy_kin__stream_gone(const struct gy_kin_stream *st, int64_t now)
{
    return st->status == GY_KIN_DELETING && now >= st->settle_ms;
}

int gy_kin__stream_get(struct gy_store_txn *txn, struct gy_str name, struct gy_kin_stream *out)
{
    int rc = gy_kin__stream_get_raw(txn, name, out);
    return rc == 0 && gy_kin__stream_gone(out, gy_now_ms()) ? GY_ENOTFOUND : rc;
}

int gy_kin__stream_get_raw(struct gy_store_txn *txn, struct gy_str name, struct gy_kin_stream *out)
{
    char kb[GY_KIN_NAME_MAX + 1];
    struct gy_str v;
    if (name.len == 0 || name.len > GY_KIN_NAME_MAX)
        return GY_ENOTFOUND;
    struct gy_str k = name_key(kb, name);
    int rc = gy_store_get(txn, GY_DB_KINESIS, k, &v);
    if (rc)
        return rc;
    return stream_decode(k, v, out);
}

int gy_kin__stream_put(struct gy_store_txn *txn, const struct gy_kin_stream *st)
{
    char kb[GY_KIN_NAME_MAX + 1];
    unsigned char v[STREAM_FIXED + GY_KIN_KEY_ID_MAX];
    size_t klen = strnlen(st->key_id, GY_KIN_KEY_ID_MAX);
    v[0] = FORMAT;
    gy_put_be32(v + 1, st->id);
    gy_put_be64(v + 5, (uint64_t)st->created_ms);
    v[13] = (unsigned char)st->status;
    gy_put_be64(v + 14, (uint64_t)st->settle_ms);
    v[22] = (unsigned char)st->mode;
    gy_put_be32(v + 23, st->retention_h);
    v[27] = (unsigned char)st->enc;
    gy_put_be32(v + 28, st->metrics);
    gy_put_be32(v + 32, st->next_shard);
    gy_put_be32(v + 36, st->open_shards);
    gy_put_be64(v + 40, (uint64_t)st->mode_changed_ms);
    v[48] = (unsigned char)(klen >> 8);
    v[49] = (unsigned char)klen;
    if (klen)
        memcpy(v + STREAM_FIXED, st->key_id, klen);
    return gy_store_put(txn, GY_DB_KINESIS, name_key(kb, gy_str_c(st->name)),
                        (struct gy_str){(const char *)v, STREAM_FIXED + klen});
}

int gy_kin__stream_del(struct gy_store_txn *txn, struct gy_str name)
{
    char kb[GY_KIN_NAME_MAX + 1];
    return gy_store_del(txn, GY_DB_KINESIS, name_key(kb, name));
}

int gy_kin__stream_id_next(struct gy_store_txn *txn, uint32_t *out)
{
    struct gy_str v;
    unsigned char b[4];
    uint32_t id = 1;
    int rc = gy_store_get(txn, GY_DB_KINESIS, GY_STR("C"), &v);
    if (rc == 0 && v.len == 4)
        id = gy_get_be32((const unsigned char *)v.p);
    else if (rc && rc != GY_ENOTFOUND)
        return rc;
    gy_put_be32(b, id + 1);
    *out = id;
    return gy_store_put(txn, GY_DB_KINESIS, GY_STR("C"), (struct gy_str){(const char *)b, 4});
}

int gy_kin__streams(struct gy_store_txn *txn, struct gy_arena *a, struct gy_str after, size_t max,
                    bool with_gone, struct gy_kin_stream **out, size_t *n, bool *more)
{
    int64_t now = gy_now_ms();
    struct gy_store_cursor *c;
    struct gy_str k, v;
    char kb[GY_KIN_NAME_MAX + 2];
    size_t cap = max < 16 ? max : 16, cnt = 0;
    struct gy_kin_stream *arr = gy_arena_calloc(a, cap ? cap : 1, sizeof(*arr));
    int rc = gy_store_cursor_open(txn, GY_DB_KINESIS, &c);
    if (rc)
        return rc;
    *more = false;
    size_t alen = after.len > GY_KIN_NAME_MAX ? GY_KIN_NAME_MAX : after.len;
    struct gy_str from = name_key(kb, (struct gy_str){after.p, alen});
    if (alen) {
        kb[from.len] = '\0'; /* the first key after `after` */
        from.len++;
    }
    for (rc = gy_store_cursor_seek(c, from, &k, &v); rc == 0; rc = gy_store_cursor_next(c, &k, &v)) {
        if (k.len < 2 || k.p[0] != 'N')
            break;
        if (cnt == max) {
            *more = true;
            break;
        }
        if (cnt == cap) {
            arr = gy_arena_realloc(a, arr, cap * sizeof(*arr), cap * 2 * sizeof(*arr));
            cap *= 2;
        }
        if (stream_decode(k, v, &arr[cnt]) == 0 && (with_gone || !gy_kin__stream_gone(&arr[cnt], now)))
            cnt++;
    }
    gy_store_cursor_close(c);
    *out = arr;
    *n = cnt;
    return rc == 0 || rc == GY_ENOTFOUND ? 0 : rc;
}

/* ---- shards ---- */

static void shard_key(unsigned char out[9], uint32_t id, uint32_t idx)
{
    out[0] = 'H';
    gy_put_be32(out + 1, id);
    gy_put_be32(out + 5, idx);
}

static int shard_decode(uint32_t idx, struct gy_str v, struct gy_kin_shard *sh)
{
    const unsigned char *p = (const unsigned char *)v.p;
    if (v.len != SHARD_LEN || p[0] != FORMAT)
        return GY_EIO;
    sh->idx = idx;
    sh->closed = p[1] != 0;
    sh->start = gy_kin__hash_get(p + 2);
    sh->end = gy_kin__hash_get(p + 18);
    sh->parent = (int64_t)gy_get_be64(p + 34);
    sh->adjacent = (int64_t)gy_get_be64(p + 42);
    sh->created_ms = (int64_t)gy_get_be64(p + 50);
    sh->closed_ms = (int64_t)gy_get_be64(p + 58);
    sh->next_pos = gy_get_be64(p + 66);
    sh->last_arrival_ms = (int64_t)gy_get_be64(p + 74);
    return 0;
}

int gy_kin__shard_get(struct gy_store_txn *txn, uint32_t id, uint32_t idx, struct gy_kin_shard *out)
{
    unsigned char k[9];
    struct gy_str v;
    shard_key(k, id, idx);
    int rc = gy_store_get(txn, GY_DB_KINESIS, (struct gy_str){(const char *)k, 9}, &v);
    return rc ? rc : shard_decode(idx, v, out);
}

int gy_kin__shard_put_counters(struct gy_store_txn *txn, uint32_t id, const struct gy_kin_shard *sh)
{
    unsigned char k[9], v[SHARD_LEN];
    shard_key(k, id, sh->idx);
    v[0] = FORMAT;
    v[1] = sh->closed ? 1 : 0;
    gy_kin__hash_put(v + 2, sh->start);
    gy_kin__hash_put(v + 18, sh->end);
    gy_put_be64(v + 34, (uint64_t)sh->parent);
    gy_put_be64(v + 42, (uint64_t)sh->adjacent);
    gy_put_be64(v + 50, (uint64_t)sh->created_ms);
    gy_put_be64(v + 58, (uint64_t)sh->closed_ms);
    gy_put_be64(v + 66, sh->next_pos);
    gy_put_be64(v + 74, (uint64_t)sh->last_arrival_ms);
    return gy_store_put(txn, GY_DB_KINESIS, (struct gy_str){(const char *)k, 9},
                        (struct gy_str){(const char *)v, SHARD_LEN});
}

static void open_key(unsigned char out[21], uint32_t id, unsigned __int128 end)
{
    out[0] = 'O';
    gy_put_be32(out + 1, id);
    gy_kin__hash_put(out + 5, end);
}

int gy_kin__shard_put(struct gy_store_txn *txn, uint32_t id, const struct gy_kin_shard *sh)
{
    unsigned char k[21], v[4];
    int rc = gy_kin__shard_put_counters(txn, id, sh);
    if (rc)
        return rc;
    open_key(k, id, sh->end);
    struct gy_str key = {(const char *)k, 21};
    if (sh->closed) {
        /* Only remove the entry if it is this shard's (a child may end at the same hash). */
        struct gy_str cur;
        rc = gy_store_get(txn, GY_DB_KINESIS, key, &cur);
        if (rc == 0 && cur.len == 4 && gy_get_be32((const unsigned char *)cur.p) == sh->idx)
            return gy_store_del(txn, GY_DB_KINESIS, key);
        return rc == GY_ENOTFOUND ? 0 : rc;
    }
    gy_put_be32(v, sh->idx);
    return gy_store_put(txn, GY_DB_KINESIS, key, (struct gy_str){(const char *)v, 4});
}

int gy_kin__shards(struct gy_store_txn *txn, struct gy_arena *a, uint32_t id,
                   struct gy_kin_shard **out, size_t *n)
{
    struct gy_store_cursor *c;
    struct gy_str k, v;
    unsigned char from[9];
    size_t cap = 8, cnt = 0;
    struct gy_kin_shard *arr = gy_arena_calloc(a, cap, sizeof(*arr));
    int rc = gy_store_cursor_open(txn, GY_DB_KINESIS, &c);
    if (rc)
        return rc;
    shard_key(from, id, 0);
    for (rc = gy_store_cursor_seek(c, (struct gy_str){(const char *)from, 9}, &k, &v); rc == 0;
         rc = gy_store_cursor_next(c, &k, &v)) {
        if (k.len != 9 || memcmp(k.p, from, 5) != 0)
            break;
        if (cnt == cap) {
            arr = gy_arena_realloc(a, arr, cap * sizeof(*arr), cap * 2 * sizeof(*arr));
            cap *= 2;
        }
        if (shard_decode(gy_get_be32((const unsigned char *)k.p + 5), v, &arr[cnt]) == 0)
            cnt++;
    }
    gy_store_cursor_close(c);
    *out = arr;
    *n = cnt;
    return rc == 0 || rc == GY_ENOTFOUND ? 0 : rc;
}

int gy_kin__shard_for_hash(struct gy_store_txn *txn, uint32_t id, unsigned __int128 hash,
                           uint32_t *idx)
{
    struct gy_store_cursor *c;
    struct gy_str k, v;
    unsigned char from[21];
    int rc = gy_store_cursor_open(txn, GY_DB_KINESIS, &c);
    if (rc)
        return rc;
    open_key(from, id, hash);
    rc = gy_store_cursor_seek(c, (struct gy_str){(const char *)from, 21}, &k, &v);
    if (rc == 0 && (k.len != 21 || memcmp(k.p, from, 5) != 0 || v.len != 4))
        rc = GY_ENOTFOUND;
    if (rc == 0)
        *idx = gy_get_be32((const unsigned char *)v.p);
    gy_store_cursor_close(c);
    return rc;
}

/* ---- records ---- */

void gy_kin__record_key(uint32_t id, uint32_t shard, uint64_t pos, unsigned char out[17])
{
    out[0] = 'R';
    gy_put_be32(out + 1, id);
    gy_put_be32(out + 5, shard);
    gy_put_be64(out + 9, pos);
}

int gy_kin__record_put(struct gy_store_txn *txn, uint32_t id, uint32_t shard,
                       const struct gy_kin_record *r)
{
    unsigned char k[17];
    size_t n = RECORD_HEAD + r->partition_key.len + r->data.len;
    unsigned char stackbuf[4096];
    unsigned char *v = n <= sizeof(stackbuf) ? stackbuf : gy_malloc(n);
    gy_kin__record_key(id, shard, r->position, k);
    v[0] = FORMAT;
    gy_put_be64(v + 1, (uint64_t)r->arrival_ms);
    v[9] = (unsigned char)r->enc;
    v[10] = (unsigned char)(r->partition_key.len >> 8);
    v[11] = (unsigned char)r->partition_key.len;
    if (r->partition_key.len)
        memcpy(v + RECORD_HEAD, r->partition_key.p, r->partition_key.len);
    if (r->data.len)
        memcpy(v + RECORD_HEAD + r->partition_key.len, r->data.p, r->data.len);
    int rc = gy_store_put(txn, GY_DB_KINESIS, (struct gy_str){(const char *)k, 17},
                          (struct gy_str){(const char *)v, n});
    if (v != stackbuf)
        gy_free(v);
    return rc;
}

int gy_kin__record_decode(struct gy_str k, struct gy_str v, uint32_t id, uint32_t shard,
                          struct gy_kin_record *out)
{
    const unsigned char *kp = (const unsigned char *)k.p, *p = (const unsigned char *)v.p;
    if (k.len != 17 || kp[0] != 'R' || gy_get_be32(kp + 1) != id || gy_get_be32(kp + 5) != shard)
        return GY_ENOTFOUND;
    if (v.len < RECORD_HEAD || p[0] != FORMAT)
        return GY_EIO;
    size_t pk = (size_t)p[10] << 8 | p[11];
    if (v.len < RECORD_HEAD + pk)
        return GY_EIO;
    out->position = gy_get_be64(kp + 9);
    out->arrival_ms = (int64_t)gy_get_be64(p + 1);
    out->enc = (enum gy_kin_enc)p[9];
    out->partition_key = (struct gy_str){v.p + RECORD_HEAD, pk};
    out->data = (struct gy_str){v.p + RECORD_HEAD + pk, v.len - RECORD_HEAD - pk};
    return 0;
}

int gy_kin__records_trim(struct gy_store_txn *txn, uint32_t id, uint32_t shard, int64_t horizon_ms,
                         size_t budget, bool *more)
{
    struct gy_store_cursor *c;
    struct gy_str k, v;
    unsigned char from[17];
    struct gy_kin_record r;
    int rc = gy_store_cursor_open(txn, GY_DB_KINESIS, &c);
    if (rc)
        return rc;
    *more = false;
    gy_kin__record_key(id, shard, 0, from);
    rc = gy_store_cursor_seek(c, (struct gy_str){(const char *)from, 17}, &k, &v);
    while (rc == 0) {
        if (gy_kin__record_decode(k, v, id, shard, &r) || r.arrival_ms >= horizon_ms)
            break;
        if (budget-- == 0) {
            *more = true;
            break;
        }
        rc = gy_store_cursor_del(c);
        if (rc == 0)
            rc = gy_store_cursor_next(c, &k, &v);
    }
    gy_store_cursor_close(c);
    return rc == 0 || rc == GY_ENOTFOUND ? 0 : rc;
}

int gy_kin__purge(struct gy_store_txn *txn, uint32_t id, size_t budget, bool *more)
{
    static const char spaces[] = {'H', 'O', 'R', 'T', 'U'};
    struct gy_store_cursor *c;
    struct gy_str k, v;
    int rc = gy_store_cursor_open(txn, GY_DB_KINESIS, &c);
    if (rc)
        return rc;
    *more = false;
    for (size_t s = 0; s < sizeof(spaces) && rc == 0; s++) {
        unsigned char from[5];
        from[0] = (unsigned char)spaces[s];
        gy_put_be32(from + 1, id);
        rc = gy_store_cursor_seek(c, (struct gy_str){(const char *)from, 5}, &k, &v);
        while (rc == 0 && k.len >= 5 && memcmp(k.p, from, 5) == 0) {
            if (budget-- == 0) {
                *more = true;
                gy_store_cursor_close(c);
                return 0;
            }
            rc = gy_store_cursor_del(c);
            if (rc == 0)
                rc = gy_store_cursor_next(c, &k, &v);
        }
        if (rc == GY_ENOTFOUND)
            rc = 0;
    }
    gy_store_cursor_close(c);
    return rc;
}

/* ---- tags ---- */

static struct gy_str tag_key(char *buf, uint32_t id, struct gy_str k)
{
    buf[0] = 'T';
    gy_put_be32((unsigned char *)buf + 1, id);
    if (k.len)
        memcpy(buf + 5, k.p, k.len);
    return (struct gy_str){buf, 5 + k.len};
}

int gy_kin__tag_put(struct gy_store_txn *txn, uint32_t id, struct gy_str k, struct gy_str v)
{
    char buf[5 + 256];
    if (k.len > 256)
        return GY_EINVAL;
    return gy_store_put(txn, GY_DB_KINESIS, tag_key(buf, id, k), v);
}

int gy_kin__tag_del(struct gy_store_txn *txn, uint32_t id, struct gy_str k)
{
    char buf[5 + 256];
    if (k.len > 256)
        return GY_ENOTFOUND;
    return gy_store_del(txn, GY_DB_KINESIS, tag_key(buf, id, k));
}

int gy_kin__tags(struct gy_store_txn *txn, struct gy_arena *a, uint32_t id, struct gy_str after,
                 size_t max, struct gy_str **keys, struct gy_str **vals, size_t *n, bool *more)
{
    struct gy_store_cursor *c;
    struct gy_str k, v;
    char buf[5 + 257];
    size_t cnt = 0;
    struct gy_str *ks = gy_arena_calloc(a, GY_KIN_TAGS_MAX + 1, sizeof(*ks));
    struct gy_str *vs = gy_arena_calloc(a, GY_KIN_TAGS_MAX + 1, sizeof(*vs));
    int rc = gy_store_cursor_open(txn, GY_DB_KINESIS, &c);
    if (rc)
        return rc;
    *more = false;
    struct gy_str from = tag_key(buf, id, (struct gy_str){after.p, after.len > 256 ? 256 : after.len});
    if (after.len) {
        buf[from.len] = '\0';
        from.len++;
    }
    for (rc = gy_store_cursor_seek(c, from, &k, &v); rc == 0; rc = gy_store_cursor_next(c, &k, &v)) {
        if (k.len < 5 || memcmp(k.p, buf, 5) != 0)
            break;
        if (cnt == max || cnt == GY_KIN_TAGS_MAX) {
            *more = true;
            break;
        }
        ks[cnt] = gy_arena_strdup(a, (struct gy_str){k.p + 5, k.len - 5});
        vs[cnt] = gy_arena_strdup(a, v);
        cnt++;
    }
    gy_store_cursor_close(c);
    *keys = ks;
    *vals = vs;
    *n = cnt;
    return rc == 0 || rc == GY_ENOTFOUND ? 0 : rc;
}

size_t gy_kin__tag_count(struct gy_store_txn *txn, uint32_t id)
{
    struct gy_store_cursor *c;
    struct gy_str k, v;
    char buf[5];
    size_t cnt = 0;
    if (gy_store_cursor_open(txn, GY_DB_KINESIS, &c))
        return 0;
    struct gy_str from = tag_key(buf, id, GY_STR_NULL);
    for (int rc = gy_store_cursor_seek(c, from, &k, &v); rc == 0;
         rc = gy_store_cursor_next(c, &k, &v)) {
        if (k.len < 5 || memcmp(k.p, buf, 5) != 0)
            break;
        cnt++;
    }
    gy_store_cursor_close(c);
    return cnt;
}

/* ---- consumers: 'U' stream id || consumer name -> u8 format | i64 created ms | u8 status |
 * i64 settle ms ---- */

#define CONSUMER_LEN 18

static struct gy_str consumer_key(char *buf, uint32_t id, struct gy_str name)
{
    buf[0] = 'U';
    gy_put_be32((unsigned char *)buf + 1, id);
    if (name.len)
        memcpy(buf + 5, name.p, name.len);
    return (struct gy_str){buf, 5 + name.len};
}

static int consumer_decode(struct gy_str k, struct gy_str v, struct gy_kin_consumer *c)
{
    const unsigned char *p = (const unsigned char *)v.p;
    if (v.len != CONSUMER_LEN || p[0] != FORMAT || k.len < 6 || k.len - 5 > GY_KIN_NAME_MAX)
        return GY_EIO;
    memcpy(c->name, k.p + 5, k.len - 5);
    c->name[k.len - 5] = '\0';
    c->created_ms = (int64_t)gy_get_be64(p + 1);
    c->status = (enum gy_kin_status)p[9];
    c->settle_ms = (int64_t)gy_get_be64(p + 10);
    return 0;
}

int gy_kin__consumer_get(struct gy_store_txn *txn, uint32_t id, struct gy_str name,
                         struct gy_kin_consumer *out)
{
    char kb[5 + GY_KIN_NAME_MAX];
    struct gy_str v;
    if (name.len == 0 || name.len > GY_KIN_NAME_MAX)
        return GY_ENOTFOUND;
    struct gy_str k = consumer_key(kb, id, name);
    int rc = gy_store_get(txn, GY_DB_KINESIS, k, &v);
    if (rc == 0)
        rc = consumer_decode(k, v, out);
    if (rc == 0 && out->status == GY_KIN_DELETING && gy_now_ms() >= out->settle_ms)
        rc = GY_ENOTFOUND;
    return rc;
}

int gy_kin__consumer_put(struct gy_store_txn *txn, uint32_t id, const struct gy_kin_consumer *c)
{
    char kb[5 + GY_KIN_NAME_MAX];
    unsigned char v[CONSUMER_LEN];
    v[0] = FORMAT;
    gy_put_be64(v + 1, (uint64_t)c->created_ms);
    v[9] = (unsigned char)c->status;
    gy_put_be64(v + 10, (uint64_t)c->settle_ms);
    return gy_store_put(txn, GY_DB_KINESIS, consumer_key(kb, id, gy_str_c(c->name)),
                        (struct gy_str){(const char *)v, CONSUMER_LEN});
}

int gy_kin__consumer_del(struct gy_store_txn *txn, uint32_t id, struct gy_str name)
{
    char kb[5 + GY_KIN_NAME_MAX];
    if (name.len == 0 || name.len > GY_KIN_NAME_MAX)
        return GY_ENOTFOUND;
    return gy_store_del(txn, GY_DB_KINESIS, consumer_key(kb, id, name));
}

int gy_kin__consumers(struct gy_store_txn *txn, struct gy_arena *a, uint32_t id, struct gy_str after,
                      size_t max, struct gy_kin_consumer **out, size_t *n, bool *more)
{
    struct gy_store_cursor *c;
    struct gy_str k, v;
    char kb[6 + GY_KIN_NAME_MAX];
    size_t cnt = 0, cap = 8;
    int64_t now = gy_now_ms();
    struct gy_kin_consumer *arr = gy_arena_calloc(a, cap, sizeof(*arr));
    int rc = gy_store_cursor_open(txn, GY_DB_KINESIS, &c);
    if (rc)
        return rc;
    *more = false;
    size_t alen = after.len > GY_KIN_NAME_MAX ? GY_KIN_NAME_MAX : after.len;
    struct gy_str from = consumer_key(kb, id, (struct gy_str){after.p, alen});
    if (alen) {
        kb[from.len] = '\0';
        from.len++;
    }
    for (rc = gy_store_cursor_seek(c, from, &k, &v); rc == 0; rc = gy_store_cursor_next(c, &k, &v)) {
        if (k.len < 5 || memcmp(k.p, kb, 5) != 0)
            break;
        if (cnt == cap) {
            arr = gy_arena_realloc(a, arr, cap * sizeof(*arr), cap * 2 * sizeof(*arr));
            cap *= 2;
        }
        if (consumer_decode(k, v, &arr[cnt]) != 0 ||
            (arr[cnt].status == GY_KIN_DELETING && now >= arr[cnt].settle_ms))
            continue;
        if (cnt == max) {
            *more = true;
            break;
        }
        cnt++;
    }
    gy_store_cursor_close(c);
    *out = arr;
    *n = cnt;
    return rc == 0 || rc == GY_ENOTFOUND ? 0 : rc;
}

int gy_kin__stream_trim(struct gy_store_txn *txn, uint32_t id, int64_t horizon_ms, size_t budget,
                        bool *more)
{
    struct gy_store_cursor *c;
    struct gy_str k, v;
    unsigned char from[17];
    struct gy_kin_record r;
    int rc = gy_store_cursor_open(txn, GY_DB_KINESIS, &c);
    if (rc)
        return rc;
    *more = false;
    gy_kin__record_key(id, 0, 0, from);
    rc = gy_store_cursor_seek(c, (struct gy_str){(const char *)from, 17}, &k, &v);
    while (rc == 0 && k.len == 17 && memcmp(k.p, from, 5) == 0) {
        uint32_t shard = gy_get_be32((const unsigned char *)k.p + 5);
        if (gy_kin__record_decode(k, v, id, shard, &r))
            break;
        if (r.arrival_ms >= horizon_ms) {
            /* The rest of this shard is newer: go on with the next one. */
            if (shard == UINT32_MAX)
                break;
            gy_kin__record_key(id, shard + 1, 0, from);
            rc = gy_store_cursor_seek(c, (struct gy_str){(const char *)from, 17}, &k, &v);
            continue;
        }
        if (budget-- == 0) {
            *more = true;
            break;
        }
        rc = gy_store_cursor_del(c);
        if (rc == 0)
            rc = gy_store_cursor_next(c, &k, &v);
    }
    gy_store_cursor_close(c);
    return rc == 0 || rc == GY_ENOTFOUND ? 0 : rc;
}

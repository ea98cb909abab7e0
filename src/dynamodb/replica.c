/*
 * replica.c — item storage for replication: last-writer-wins application of changes from
 * other regions, tombstones, and snapshot walks. See replica.h.
 */
#include "dynamodb/replica.h"

#include <string.h>

#include "core/bytes.h"
#include "core/arena.h"
#include "core/clock.h"
#include "dynamodb/dynamodb_int.h"
#include "store/store.h"

bool gy_ddb_lww_newer(uint64_t s1, struct gy_str o1, uint64_t s2, struct gy_str o2)
{
    if (s1 != s2)
        return s1 > s2;
    return gy_str_cmp(o1, o2) > 0;
}

/* REPL key of a tombstone: 'T' || table id || item key (the storage key minus its table id). */
static struct gy_str tomb_key(struct gy_arena *a, const struct gy_ddb_table *t, struct gy_str key)
{
    char *p = gy_arena_alloc(a, key.len + 1);
    p[0] = 'T';
    memcpy(p + 1, key.p, key.len); /* key starts with the 4-byte table id */
    return (struct gy_str){ p, key.len + 1 };
}

int gy_ddb_tombstone_put(struct gy_store_txn *txn, const struct gy_ddb_table *t, struct gy_str key,
                         uint64_t stamp, struct gy_str origin, const struct gy_ddb_map *keys)
{
    struct gy_buf b;
    unsigned char head[17];
    char tk[600];
    if (key.len + 1 > sizeof(tk) || origin.len > 255)
        return GY_ETOOBIG;
    tk[0] = 'T';
    memcpy(tk + 1, key.p, key.len);
    gy_put_be64(head, stamp);
    gy_put_be64(head + 8, (uint64_t)gy_now_ms());
    head[16] = (unsigned char)origin.len;
    gy_buf_init(&b, 1 << 16);
    int rc = gy_buf_append(&b, head, sizeof(head));
    if (rc == 0)
        rc = gy_buf_append(&b, origin.p, origin.len);
    if (rc == 0)
        rc = gy_ddb_map_encode(keys, &b);
    if (rc == 0)
        rc = gy_store_put(txn, GY_DB_REPL, (struct gy_str){ tk, key.len + 1 }, gy_buf_str(&b));
    gy_buf_fini(&b);
    (void)t;
    return rc;
}

int gy_ddb_tombstone_del(struct gy_store_txn *txn, const struct gy_ddb_table *t, struct gy_str key)
{
    char tk[600];
    if (key.len + 1 > sizeof(tk))
        return GY_ETOOBIG;
    tk[0] = 'T';
    memcpy(tk + 1, key.p, key.len);
    int rc = gy_store_del(txn, GY_DB_REPL, (struct gy_str){ tk, key.len + 1 });
    (void)t;
    return rc == GY_ENOTFOUND ? 0 : rc;
}

static int tomb_parse(struct gy_arena *a, struct gy_str v, uint64_t *stamp, int64_t *deleted_ms,
                      struct gy_str *origin, struct gy_ddb_map *keys)
{
    const unsigned char *p = (const unsigned char *)v.p;
    if (v.len < 17 || v.len < 17u + p[16])
        return GY_EINVAL;
    *stamp = gy_get_be64(p);
    *deleted_ms = (int64_t)gy_get_be64(p + 8);
    *origin = (struct gy_str){ v.p + 17, p[16] };
    if (keys && gy_ddb_map_decode(a, p + 17 + p[16], v.len - 17 - p[16], keys))
        return GY_EINVAL;
    return 0;
}

int gy_ddb_replica_apply(struct gy_store_txn *txn, struct gy_ddb *d, const struct gy_ddb_table *t,
                         struct gy_arena *a, const struct gy_ddb_map *keys,
                         const struct gy_ddb_map *item, uint64_t stamp, struct gy_str origin,
                         bool by_service, bool *applied)
{
    const struct gy_ddb_value *pk = gy_ddb_map_get(keys, gy_str_c(t->hash.name));
    const struct gy_ddb_value *sk = t->range.name ? gy_ddb_map_get(keys, gy_str_c(t->range.name))
                                                  : NULL;
    struct gy_str key, v;
    uint64_t cur_stamp = 0;
    struct gy_str cur_origin = GY_STR_NULL;
    int rc;

    *applied = false;
    if (!pk || (t->range.name && !sk) || pk->type != t->hash.type ||
        (sk && sk->type != t->range.type))
        return GY_EINVAL;
    if (gy_ddb__storage_key(a, t, pk, sk, &key))
        return GY_EINVAL;

    /* The local version: the live item's stamp, else the tombstone's. */
    struct gy_ddb_map old;
    bool had_old = false;
    size_t old_size = 0;
    rc = gy_store_get(txn, GY_DB_ITEMS, key, &v);
    if (rc == 0) {
        if (gy_ddb_record_stamp(v.p, v.len, &cur_stamp, &cur_origin))
            return GY_EIO;
        cur_origin = gy_arena_strdup(a, cur_origin);
        if (gy_ddb__item_load(txn, a, key, true, &old, &old_size))
            return GY_EIO;
        had_old = true;
    } else if (rc == GY_ENOTFOUND) {
        struct gy_str tk = tomb_key(a, t, key);
        int64_t deleted_ms;
        if (gy_store_get(txn, GY_DB_REPL, tk, &v) == 0 &&
            tomb_parse(a, v, &cur_stamp, &deleted_ms, &cur_origin, NULL) == 0)
            cur_origin = gy_arena_strdup(a, cur_origin);
    } else {
        return rc;
    }
    if (!gy_ddb_lww_newer(stamp, origin, cur_stamp, cur_origin))
        return 0;
    *applied = true;

    if (!item && !had_old) {
        /* Nothing to delete here, but the newer delete must win against late updates. */
        gy_hlc_observe(&d->hlc, stamp);
        return gy_ddb_tombstone_put(txn, t, key, stamp, origin, keys);
    }
    char *o = gy_arena_strndup(a, origin.p, origin.len);
    struct gy_ddb_change c = {
        .d = d,
        .t = t,
        .key = key,
        .old = had_old ? &old : NULL,
        .old_size = old_size,
        .new_item = item,
        .new_size = item ? gy_ddb_map_size(item) : 0,
        .by_service = by_service,
        .version = stamp,
        .origin = o,
    };
    return gy_ddb__item_apply(txn, &c);
}

int gy_ddb_snapshot_walk(struct gy_store_txn *txn, struct gy_arena *a, const struct gy_ddb_table *t,
                         bool tombstones, struct gy_str after, size_t limit,
                         void (*fn)(void *ctx, const struct gy_ddb_snap_entry *e), void *ctx,
                         struct gy_str *next)
{
    struct gy_store_cursor *cur;
    struct gy_str k, v;
    unsigned char prefix[5];
    size_t plen = tombstones ? 5 : 4;
    size_t n = 0;

    prefix[0] = 'T';
    unsigned char *id = tombstones ? prefix + 1 : prefix;
    id[0] = (unsigned char)(t->id >> 24), id[1] = (unsigned char)(t->id >> 16);
    id[2] = (unsigned char)(t->id >> 8), id[3] = (unsigned char)t->id;
    *next = GY_STR_NULL;
    int rc = gy_store_cursor_open(txn, tombstones ? GY_DB_REPL : GY_DB_ITEMS, &cur);
    if (rc)
        return rc;
    struct gy_str start = after.len ? after : (struct gy_str){ (char *)prefix, plen };
    rc = gy_store_cursor_seek(cur, start, &k, &v);
    if (rc == 0 && after.len && gy_str_eq(k, after))
        rc = gy_store_cursor_next(cur, &k, &v);
    for (; rc == 0; rc = gy_store_cursor_next(cur, &k, &v)) {
        if (k.len < plen || memcmp(k.p, prefix, plen) != 0)
            break;
        if (n == limit) {
            /* More remain: resume after the last one visited. */
            return 0;
        }
        struct gy_ddb_snap_entry e = { 0 };
        e.tombstone = tombstones;
        e.key = (struct gy_str){ k.p + (tombstones ? 1 : 0), k.len - (tombstones ? 1 : 0) };
        if (tombstones) {
            int64_t deleted_ms;
            if (tomb_parse(a, v, &e.stamp, &deleted_ms, &e.origin, &e.keys))
                return GY_EIO;
        } else {
            if (gy_ddb_record_stamp(v.p, v.len, &e.stamp, &e.origin) ||
                gy_ddb_map_decode(a, v.p, v.len, &e.item))
                return GY_EIO;
        }
        fn(ctx, &e);
        *next = gy_arena_strdup(a, k);
        n++;
    }
    if (rc == 0 || rc == GY_ENOTFOUND)
        *next = GY_STR_NULL; /* complete */
    return rc == GY_ENOTFOUND ? 0 : rc;
}

int gy_ddb_tombstones_trim(struct gy_store_txn *txn, int64_t retention_ms, size_t limit)
{
    struct gy_store_cursor *cur;
    struct gy_str k, v;
    int64_t cutoff = gy_now_ms() - retention_ms;
    size_t n = 0;
    int rc = gy_store_cursor_open(txn, GY_DB_REPL, &cur);
    if (rc)
        return rc;
    for (rc = gy_store_cursor_seek(cur, GY_STR("T"), &k, &v); rc == 0 && n < limit;) {
        if (k.len < 1 || k.p[0] != 'T')
            break;
        if (v.len >= 16 && (int64_t)gy_get_be64((const unsigned char *)v.p + 8) < cutoff) {
            char saved[600];
            size_t len = k.len < sizeof(saved) ? k.len : sizeof(saved);
            memcpy(saved, k.p, len);
            rc = gy_store_cursor_del(cur);
            if (rc)
                return rc;
            n++;
            rc = gy_store_cursor_seek(cur, (struct gy_str){ saved, len }, &k, &v);
            continue;
        }
        rc = gy_store_cursor_next(cur, &k, &v);
    }
    return rc == GY_ENOTFOUND ? 0 : rc;
}

int gy_ddb_replica_key(struct gy_arena *a, const struct gy_ddb_table *t,
                       const struct gy_ddb_map *keys, struct gy_str *out)
{
    const struct gy_ddb_value *pk = gy_ddb_map_get(keys, gy_str_c(t->hash.name));
    const struct gy_ddb_value *sk = t->range.name ? gy_ddb_map_get(keys, gy_str_c(t->range.name))
                                                  : NULL;
    if (!pk || (t->range.name && !sk))
        return GY_EINVAL;
    return gy_ddb__storage_key(a, t, pk, sk, out) ? GY_EINVAL : 0;
}

static bool kept(struct gy_str k, const struct gy_str *keep, size_t nkeep)
{
    for (size_t i = 0; i < nkeep; i++)
        if (gy_str_eq(k, keep[i]))
            return true;
    return false;
}

int gy_ddb_replica_sweep(struct gy_store_txn *txn, struct gy_ddb *d, const struct gy_ddb_table *t,
                         struct gy_arena *a, struct gy_str after, struct gy_str until,
                         uint64_t stamp, struct gy_str origin, const struct gy_str *keep,
                         size_t nkeep, size_t *removed)
{
    struct gy_store_cursor *cur;
    struct gy_str k, v;
    unsigned char tid[4];
    struct gy_ddb_map *doomed = NULL;
    size_t ndoomed = 0, cap = 0;

    *removed = 0;
    tid[0] = (unsigned char)(t->id >> 24), tid[1] = (unsigned char)(t->id >> 16);
    tid[2] = (unsigned char)(t->id >> 8), tid[3] = (unsigned char)t->id;
    char *from = gy_arena_alloc(a, after.len + 4);
    memcpy(from, tid, 4);
    if (after.len)
        memcpy(from + 4, after.p, after.len);
    char *to = NULL;
    if (until.len) {
        to = gy_arena_alloc(a, until.len + 4);
        memcpy(to, tid, 4);
        memcpy(to + 4, until.p, until.len); /* until.len > 0 here */
    }
    struct gy_str lo = { from, after.len + 4 }, hi = { to, to ? until.len + 4 : 0 };
    int rc = gy_store_cursor_open(txn, GY_DB_ITEMS, &cur);
    if (rc)
        return rc;
    rc = gy_store_cursor_seek(cur, lo, &k, &v);
    if (rc == 0 && after.len && gy_str_eq(k, lo))
        rc = gy_store_cursor_next(cur, &k, &v);
    for (; rc == 0; rc = gy_store_cursor_next(cur, &k, &v)) {
        if (k.len < 4 || memcmp(k.p, tid, 4) != 0)
            break;
        if (hi.len && gy_str_cmp(k, hi) > 0)
            break;
        if (kept(k, keep, nkeep))
            continue;
        uint64_t s;
        struct gy_str o;
        if (gy_ddb_record_stamp(v.p, v.len, &s, &o) || !gy_str_eq(o, origin) || s > stamp)
            continue;
        /* Gone at its origin: note its key attributes (storage memory dies with the write). */
        struct gy_ddb_map item;
        if (gy_ddb_map_decode(a, v.p, v.len, &item))
            continue;
        if (ndoomed == cap) {
            cap = cap ? 2 * cap : 64;
            doomed = gy_arena_realloc(a, doomed, ndoomed * sizeof(*doomed), cap * sizeof(*doomed));
        }
        struct gy_ddb_attr *ka = gy_arena_calloc(a, 2, sizeof(*ka));
        struct gy_ddb_map km = { ka, 0 };
        const struct gy_ddb_value *pk = gy_ddb_map_get(&item, gy_str_c(t->hash.name));
        const struct gy_ddb_value *sk = t->range.name ? gy_ddb_map_get(&item, gy_str_c(t->range.name))
                                                      : NULL;
        if (!pk)
            continue;
        ka[km.n++] = (struct gy_ddb_attr){ gy_str_c(t->hash.name), *pk };
        if (sk)
            ka[km.n++] = (struct gy_ddb_attr){ gy_str_c(t->range.name), *sk };
        gy_ddb_map_sort(&km);
        gy_ddb_map_copy(a, &km, &doomed[ndoomed++]);
    }
    if (rc && rc != GY_ENOTFOUND)
        return rc;
    for (size_t i = 0; i < ndoomed; i++) {
        bool applied = false;
        rc = gy_ddb_replica_apply(txn, d, t, a, &doomed[i], NULL, stamp, origin, false, &applied);
        if (rc)
            return rc;
        *removed += applied;
    }
    return 0;
}

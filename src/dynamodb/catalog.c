/*
 * catalog.c — see catalog.h.
 *
 * Layout in the store:
 *   CATALOG: table name (bytes)          -> gy_ddb_table_encode() record
 *   META:    "next_table_id"             -> u32 big-endian, the next id to assign (ids never reuse)
 *   STATS:   table id (u32 BE)           -> u64 BE item count || u64 BE bytes
 *   ITEMS:   table id (u32 BE) || key    -> item (owned by dynamodb/items.c)
 * Lock: `lock` guards tables[]/ntables. It is never held while calling into the store.
 */
#include "dynamodb/catalog.h"

#include <pthread.h>
#include <string.h>

#include "core/arena.h"
#include "core/errors.h"
#include "core/log.h"
#include "core/mem.h"
#include "store/store.h"

#define PURGE_BATCH 5000

struct gy_ddb_catalog {
    struct gy_store *store;
    pthread_mutex_t lock;          /* guards tables and ntables */
    struct gy_ddb_table **tables;  /* sorted by name */
    size_t ntables, cap;
    uint32_t *purge;               /* ids of dropped tables whose items remain (writer thread) */
    size_t npurge, purge_cap;
    pthread_mutex_t purge_lock;    /* guards purge list */
};

static void put_u32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8), p[3] = (unsigned char)v;
}

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (unsigned char)v;
}

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

/* Index of name in tables[], or -(insertion point) - 1. Lock held. */
static long find(const struct gy_ddb_catalog *c, struct gy_str name)
{
    size_t lo = 0, hi = c->ntables;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int cmp = gy_str_cmp(gy_str_c(c->tables[mid]->name), name);
        if (cmp == 0)
            return (long)mid;
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -(long)lo - 1;
}

static void insert_locked(struct gy_ddb_catalog *c, struct gy_ddb_table *t)
{
    long i = find(c, gy_str_c(t->name));
    if (i >= 0) {
        gy_ddb_table_unref(c->tables[i]);
        c->tables[i] = t;
        return;
    }
    size_t at = (size_t)(-i - 1);
    if (c->ntables == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->tables = gy_reallocarray(c->tables, c->cap, sizeof(*c->tables));
    }
    memmove(c->tables + at + 1, c->tables + at, (c->ntables - at) * sizeof(*c->tables));
    c->tables[at] = t;
    c->ntables++;
}

static void clear_locked(struct gy_ddb_catalog *c)
{
    for (size_t i = 0; i < c->ntables; i++)
        gy_ddb_table_unref(c->tables[i]);
    c->ntables = 0;
}

static int load(struct gy_ddb_catalog *c)
{
    struct gy_store_txn *txn;
    struct gy_store_cursor *cur;
    struct gy_str k, v;
    int rc = gy_store_read_begin(c->store, &txn);
    if (rc)
        return rc;
    rc = gy_store_cursor_open(txn, GY_DB_CATALOG, &cur);
    if (rc)
        goto out;
    pthread_mutex_lock(&c->lock);
    clear_locked(c);
    for (rc = gy_store_cursor_seek(cur, GY_STR_NULL, &k, &v); rc == 0;
         rc = gy_store_cursor_next(cur, &k, &v)) {
        struct gy_ddb_table *t;
        if (gy_ddb_table_decode(v, &t)) {
            gy_log_error("catalog: corrupt record for table %.*s; skipped", (int)k.len, k.p);
            continue;
        }
        insert_locked(c, t);
    }
    pthread_mutex_unlock(&c->lock);
    rc = rc == GY_ENOTFOUND ? 0 : rc;
out:
    gy_store_read_end(txn);
    return rc;
}

/* Find item prefixes whose table id is not in the catalog (a drop whose purge was cut short). */
static void find_orphans(struct gy_ddb_catalog *c)
{
    struct gy_store_txn *txn;
    struct gy_store_cursor *cur;
    struct gy_str k, v;
    unsigned char seek[4];
    uint32_t id = 0;

    if (gy_store_read_begin(c->store, &txn))
        return;
    if (gy_store_cursor_open(txn, GY_DB_ITEMS, &cur) == 0) {
        for (;;) {
            put_u32(seek, id);
            if (gy_store_cursor_seek(cur, (struct gy_str){ (char *)seek, 4 }, &k, &v) || k.len < 4)
                break;
            id = get_u32((const unsigned char *)k.p);
            bool live = false;
            pthread_mutex_lock(&c->lock);
            for (size_t i = 0; i < c->ntables; i++)
                live |= c->tables[i]->id == id;
            pthread_mutex_unlock(&c->lock);
            if (!live) {
                pthread_mutex_lock(&c->purge_lock);
                if (c->npurge == c->purge_cap) {
                    c->purge_cap = c->purge_cap ? c->purge_cap * 2 : 8;
                    c->purge = gy_reallocarray(c->purge, c->purge_cap, sizeof(*c->purge));
                }
                c->purge[c->npurge++] = id;
                pthread_mutex_unlock(&c->purge_lock);
            }
            if (id == UINT32_MAX)
                break;
            id++;
        }
    }
    gy_store_read_end(txn);
}

int gy_ddb_catalog_open(struct gy_store *s, struct gy_ddb_catalog **out)
{
    struct gy_ddb_catalog *c = gy_calloc(1, sizeof(*c));
    c->store = s;
    pthread_mutex_init(&c->lock, NULL);
    pthread_mutex_init(&c->purge_lock, NULL);
    int rc = load(c);
    if (rc) {
        gy_ddb_catalog_close(c);
        return rc;
    }
    find_orphans(c);
    *out = c;
    gy_ddb_catalog_purge(c);
    return 0;
}

void gy_ddb_catalog_close(struct gy_ddb_catalog *c)
{
    if (!c)
        return;
    clear_locked(c);
    gy_free(c->tables);
    gy_free(c->purge);
    pthread_mutex_destroy(&c->lock);
    pthread_mutex_destroy(&c->purge_lock);
    gy_free(c);
}

int gy_ddb_catalog_reload(struct gy_ddb_catalog *c)
{
    return load(c);
}

struct gy_ddb_table *gy_ddb_catalog_get(struct gy_ddb_catalog *c, struct gy_str name)
{
    struct gy_ddb_table *t = NULL;
    pthread_mutex_lock(&c->lock);
    long i = find(c, name);
    if (i >= 0) {
        t = c->tables[i];
        gy_ddb_table_ref(t);
    }
    pthread_mutex_unlock(&c->lock);
    return t;
}

size_t gy_ddb_catalog_list(struct gy_ddb_catalog *c, struct gy_arena *a, struct gy_str start,
                           size_t limit, struct gy_str **names, int *more)
{
    pthread_mutex_lock(&c->lock);
    size_t from = 0;
    if (start.len) {
        long i = find(c, start);
        from = i >= 0 ? (size_t)i + 1 : (size_t)(-i - 1);
    }
    size_t n = c->ntables - from;
    if (n > limit)
        n = limit;
    *names = gy_arena_calloc(a, n ? n : 1, sizeof(**names));
    for (size_t i = 0; i < n; i++)
        (*names)[i] = gy_arena_strdup(a, gy_str_c(c->tables[from + i]->name));
    *more = from + n < c->ntables;
    pthread_mutex_unlock(&c->lock);
    return n;
}

bool gy_ddb_catalog_is_live(struct gy_ddb_catalog *c, const struct gy_ddb_table *t)
{
    pthread_mutex_lock(&c->lock);
    long i = find(c, gy_str_c(t->name));
    bool live = i >= 0 && c->tables[i]->id == t->id;
    pthread_mutex_unlock(&c->lock);
    return live;
}

size_t gy_ddb_catalog_count(struct gy_ddb_catalog *c)
{
    pthread_mutex_lock(&c->lock);
    size_t n = c->ntables;
    pthread_mutex_unlock(&c->lock);
    return n;
}

static int persist(struct gy_store_txn *txn, const struct gy_ddb_table *t)
{
    struct gy_buf b;
    gy_buf_init(&b, 1 << 20);
    int rc = gy_ddb_table_encode(t, &b);
    if (rc == 0)
        rc = gy_store_put(txn, GY_DB_CATALOG, gy_str_c(t->name), gy_buf_str(&b));
    gy_buf_fini(&b);
    return rc;
}

int gy_ddb_catalog_create(struct gy_ddb_catalog *c, struct gy_store_txn *txn, struct gy_ddb_table *t)
{
    struct gy_str v;
    unsigned char idb[4];
    uint32_t id = 1;

    if (gy_store_get(txn, GY_DB_CATALOG, gy_str_c(t->name), &v) == 0)
        return GY_EEXIST;
    if (gy_store_get(txn, GY_DB_META, GY_STR("next_table_id"), &v) == 0 && v.len == 4)
        id = get_u32((const unsigned char *)v.p);
    t->id = id;
    put_u32(idb, id + 1);
    int rc = gy_store_put(txn, GY_DB_META, GY_STR("next_table_id"), (struct gy_str){ (char *)idb, 4 });
    if (rc == 0)
        rc = persist(txn, t);
    if (rc)
        return rc;
    pthread_mutex_lock(&c->lock);
    insert_locked(c, t);
    pthread_mutex_unlock(&c->lock);
    return 0;
}

int gy_ddb_catalog_replace(struct gy_ddb_catalog *c, struct gy_store_txn *txn, struct gy_ddb_table *t)
{
    int rc = persist(txn, t);
    if (rc)
        return rc;
    pthread_mutex_lock(&c->lock);
    insert_locked(c, t);
    pthread_mutex_unlock(&c->lock);
    return 0;
}

int gy_ddb_catalog_drop(struct gy_ddb_catalog *c, struct gy_store_txn *txn, struct gy_ddb_table *t)
{
    unsigned char idb[4];
    int rc = gy_store_del(txn, GY_DB_CATALOG, gy_str_c(t->name));
    if (rc)
        return rc;
    put_u32(idb, t->id);
    rc = gy_store_del(txn, GY_DB_STATS, (struct gy_str){ (char *)idb, 4 });
    if (rc && rc != GY_ENOTFOUND)
        return rc;
    pthread_mutex_lock(&c->lock);
    long i = find(c, gy_str_c(t->name));
    if (i >= 0) {
        struct gy_ddb_table *old = c->tables[i];
        old->deleted = true;
        memmove(c->tables + i, c->tables + i + 1, (c->ntables - (size_t)i - 1) * sizeof(*c->tables));
        c->ntables--;
        gy_ddb_table_unref(old);
    }
    pthread_mutex_unlock(&c->lock);
    pthread_mutex_lock(&c->purge_lock);
    if (c->npurge == c->purge_cap) {
        c->purge_cap = c->purge_cap ? c->purge_cap * 2 : 8;
        c->purge = gy_reallocarray(c->purge, c->purge_cap, sizeof(*c->purge));
    }
    c->purge[c->npurge++] = t->id;
    pthread_mutex_unlock(&c->purge_lock);
    return 0;
}

struct purge_job {
    struct gy_store_job job;
    struct gy_ddb_catalog *c;
    uint32_t id;
    bool more;
};

static int purge_apply(struct gy_store_txn *txn, void *arg)
{
    struct purge_job *p = arg;
    struct gy_store_cursor *cur;
    struct gy_str k, v;
    unsigned char prefix[4];
    int n = 0, rc;

    put_u32(prefix, p->id);
    p->more = false;
    rc = gy_store_cursor_open(txn, GY_DB_ITEMS, &cur);
    if (rc)
        return rc;
    for (rc = gy_store_cursor_seek(cur, (struct gy_str){ (char *)prefix, 4 }, &k, &v);
         rc == 0 && k.len >= 4 && memcmp(k.p, prefix, 4) == 0;
         rc = gy_store_cursor_seek(cur, (struct gy_str){ (char *)prefix, 4 }, &k, &v)) {
        if (n++ == PURGE_BATCH) {
            p->more = true;
            break;
        }
        rc = gy_store_cursor_del(cur);
        if (rc)
            return rc;
    }
    return rc == GY_ENOTFOUND || rc == 0 ? 0 : rc;
}

static void purge_done(void *arg, int rc)
{
    struct purge_job *p = arg;
    if (rc == 0 && p->more && gy_store_submit(p->c->store, &p->job) == 0)
        return;
    gy_free(p);
}

void gy_ddb_catalog_purge(struct gy_ddb_catalog *c)
{
    pthread_mutex_lock(&c->purge_lock);
    for (size_t i = 0; i < c->npurge; i++) {
        struct purge_job *p = gy_calloc(1, sizeof(*p));
        p->c = c;
        p->id = c->purge[i];
        p->job.apply = purge_apply;
        p->job.done = purge_done;
        p->job.arg = p;
        if (gy_store_submit(c->store, &p->job))
            gy_free(p);
    }
    c->npurge = 0;
    pthread_mutex_unlock(&c->purge_lock);
}

void gy_ddb_stats_read(struct gy_store_txn *txn, uint32_t table_id, struct gy_ddb_table_stats *out)
{
    unsigned char idb[4];
    struct gy_str v;
    put_u32(idb, table_id);
    out->items = out->bytes = 0;
    if (gy_store_get(txn, GY_DB_STATS, (struct gy_str){ (char *)idb, 4 }, &v) == 0 && v.len == 16) {
        out->items = get_u64((const unsigned char *)v.p);
        out->bytes = get_u64((const unsigned char *)v.p + 8);
    }
}

int gy_ddb_stats_add(struct gy_store_txn *txn, uint32_t table_id, int64_t items, int64_t bytes)
{
    struct gy_ddb_table_stats s;
    unsigned char idb[4], val[16];
    if (items == 0 && bytes == 0)
        return 0;
    gy_ddb_stats_read(txn, table_id, &s);
    s.items = (uint64_t)((int64_t)s.items + items);
    s.bytes = (uint64_t)((int64_t)s.bytes + bytes);
    put_u32(idb, table_id);
    put_u64(val, s.items);
    put_u64(val + 8, s.bytes);
    return gy_store_put(txn, GY_DB_STATS, (struct gy_str){ (char *)idb, 4 },
                        (struct gy_str){ (char *)val, 16 });
}

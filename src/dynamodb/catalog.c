/*
 * catalog.c — see catalog.h.
 *
 * Layout in the store:
 *   CATALOG: table name (bytes)          -> gy_ddb_table_encode() record
 *   META:    "next_table_id"             -> u32 big-endian, the next id to assign (ids never reuse)
 *   META:    "next_index_id"             -> u32 big-endian, the next index id (ids never reuse)
 *   STATS:   table id (u32 BE)           -> u64 BE item count || u64 BE bytes
 *   STATS:   table id || index id        -> the same for one secondary index
 *   ITEMS:   table id (u32 BE) || key    -> item (owned by dynamodb/items.c)
 *   INDEX:   index id (u32 BE) || ...    -> index entries (owned by dynamodb/index.c)
 * Dropping a table or an index queues background purge jobs (at most PURGE_BATCH deletions
 * each) over its key prefixes; building a GSI added by UpdateTable runs as background backfill
 * jobs (at most BACKFILL_BATCH items each) that resubmit themselves until the index is ACTIVE.
 * Locks: `lock` guards tables[]/ntables; `purge_lock` guards the purge list and the set of
 * running backfills. Neither is held while calling into the store; when both are taken,
 * `lock` is taken first.
 */
#include "dynamodb/catalog.h"

#include <pthread.h>
#include <string.h>

#include "core/bytes.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/errors.h"
#include "core/log.h"
#include "core/mem.h"
#include "dynamodb/dynamodb_int.h"
#include "dynamodb/index.h"
#include "store/store.h"

#define PURGE_BATCH 5000
#define BACKFILL_BATCH 2000
#define MAX_BACKFILLS 64

/* A key prefix whose entries a purge job deletes. */
struct purge_ent {
    enum gy_store_db db;
    unsigned char prefix[8];
    size_t len;
};

struct gy_ddb_catalog {
    struct gy_store *store;
    pthread_mutex_t lock;          /* guards tables and ntables */
    struct gy_ddb_table **tables;  /* sorted by name */
    size_t ntables, cap;
    struct purge_ent *purge;       /* prefixes of dropped tables and indexes still to delete */
    size_t npurge, purge_cap;
    pthread_mutex_t purge_lock;    /* guards the purge list and backfilling[] */
    uint32_t backfilling[MAX_BACKFILLS]; /* index ids with a backfill job chain running */
    size_t nbackfilling;
    void *sweeper;                 /* the TTL sweeper (ttl.c), or NULL */
};

/* Queue a prefix for purging (runs at the next gy_ddb_catalog_purge). */
static void purge_add(struct gy_ddb_catalog *c, enum gy_store_db db, const unsigned char *prefix,
                      size_t len)
{
    pthread_mutex_lock(&c->purge_lock);
    if (c->npurge == c->purge_cap) {
        c->purge_cap = c->purge_cap ? c->purge_cap * 2 : 8;
        c->purge = gy_reallocarray(c->purge, c->purge_cap, sizeof(*c->purge));
    }
    struct purge_ent *e = &c->purge[c->npurge++];
    e->db = db;
    memcpy(e->prefix, prefix, len);
    e->len = len;
    pthread_mutex_unlock(&c->purge_lock);
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
            gy_put_be32(seek, id);
            if (gy_store_cursor_seek(cur, (struct gy_str){ (char *)seek, 4 }, &k, &v) || k.len < 4)
                break;
            id = gy_get_be32((const unsigned char *)k.p);
            bool live = false;
            pthread_mutex_lock(&c->lock);
            for (size_t i = 0; i < c->ntables; i++)
                live |= c->tables[i]->id == id;
            pthread_mutex_unlock(&c->lock);
            if (!live) {
                gy_put_be32(seek, id);
                purge_add(c, GY_DB_ITEMS, seek, 4);
            }
            if (id == UINT32_MAX)
                break;
            id++;
        }
    }
    /* Index entries whose index is in no table (id 0 holds item-collection sizes). */
    id = 1;
    if (gy_store_cursor_open(txn, GY_DB_INDEX, &cur) == 0) {
        for (;;) {
            gy_put_be32(seek, id);
            if (gy_store_cursor_seek(cur, (struct gy_str){ (char *)seek, 4 }, &k, &v) || k.len < 4)
                break;
            id = gy_get_be32((const unsigned char *)k.p);
            bool live = false;
            pthread_mutex_lock(&c->lock);
            for (size_t i = 0; i < c->ntables; i++)
                live |= gy_ddb_index_by_id(c->tables[i], id) != NULL;
            pthread_mutex_unlock(&c->lock);
            if (!live) {
                gy_put_be32(seek, id);
                purge_add(c, GY_DB_INDEX, seek, 4);
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
    gy_ddb_catalog_backfill(c);
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
    int rc = load(c);
    /* An index drop whose commit failed is still live: do not purge its entries. */
    pthread_mutex_lock(&c->lock);
    pthread_mutex_lock(&c->purge_lock);
    size_t k = 0;
    for (size_t i = 0; i < c->npurge; i++) {
        bool live = false;
        for (size_t t = 0; c->purge[i].db == GY_DB_INDEX && c->purge[i].len == 4 && t < c->ntables; t++)
            live |= gy_ddb_index_by_id(c->tables[t], gy_get_be32(c->purge[i].prefix)) != NULL;
        if (!live)
            c->purge[k++] = c->purge[i];
    }
    c->npurge = k;
    pthread_mutex_unlock(&c->purge_lock);
    pthread_mutex_unlock(&c->lock);
    return rc;
}

struct gy_store *gy_ddb_catalog_store(struct gy_ddb_catalog *c)
{
    return c->store;
}

void gy_ddb_catalog_set_sweeper(struct gy_ddb_catalog *c, void *sweeper)
{
    c->sweeper = sweeper;
}

void *gy_ddb_catalog_sweeper(struct gy_ddb_catalog *c)
{
    return c->sweeper;
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

/* Give every index of t that has none a fresh id from META "next_index_id". */
static int assign_index_ids(struct gy_store_txn *txn, struct gy_ddb_table *t)
{
    struct gy_str v;
    unsigned char idb[4];
    uint32_t next = 1;
    bool any = false;
    for (uint32_t i = 0; i < t->nindexes; i++)
        any |= t->indexes[i].id == 0;
    if (!any)
        return 0;
    if (gy_store_get(txn, GY_DB_META, GY_STR("next_index_id"), &v) == 0 && v.len == 4)
        next = gy_get_be32((const unsigned char *)v.p);
    for (uint32_t i = 0; i < t->nindexes; i++)
        if (t->indexes[i].id == 0)
            t->indexes[i].id = next++;
    gy_put_be32(idb, next);
    return gy_store_put(txn, GY_DB_META, GY_STR("next_index_id"), (struct gy_str){ (char *)idb, 4 });
}

static struct gy_str index_stats_key(unsigned char key[8], uint32_t table_id, uint32_t index_id)
{
    gy_put_be32(key, table_id);
    gy_put_be32(key + 4, index_id);
    return (struct gy_str){ (char *)key, 8 };
}

/*
 * Every published definition carries a schema stamp greater than the one it replaces, so
 * regions holding replicas agree on the newest definition (replication/tables.c). A caller
 * that already set a greater stamp (a definition received from a peer) keeps it.
 */
static void bump_schema_stamp(struct gy_ddb_catalog *c, struct gy_ddb_table *t)
{
    struct gy_ddb_table *cur = gy_ddb_catalog_get(c, gy_str_c(t->name));
    uint64_t floor = cur ? cur->schema_stamp : 0;
    gy_ddb_table_unref(cur);
    if (t->schema_stamp > floor)
        return;
    uint64_t now = (uint64_t)gy_now_ms() << 16;
    t->schema_stamp = now > floor ? now : floor + 1;
}

int gy_ddb_catalog_create(struct gy_ddb_catalog *c, struct gy_store_txn *txn, struct gy_ddb_table *t)
{
    struct gy_str v;
    unsigned char idb[4];
    uint32_t id = 1;

    if (gy_store_get(txn, GY_DB_CATALOG, gy_str_c(t->name), &v) == 0)
        return GY_EEXIST;
    if (gy_store_get(txn, GY_DB_META, GY_STR("next_table_id"), &v) == 0 && v.len == 4)
        id = gy_get_be32((const unsigned char *)v.p);
    t->id = id;
    bump_schema_stamp(c, t);
    gy_put_be32(idb, id + 1);
    int rc = gy_store_put(txn, GY_DB_META, GY_STR("next_table_id"), (struct gy_str){ (char *)idb, 4 });
    if (rc == 0)
        rc = assign_index_ids(txn, t);
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
    bump_schema_stamp(c, t);
    int rc = assign_index_ids(txn, t);
    if (rc == 0)
        rc = persist(txn, t);
    if (rc)
        return rc;
    /* Indexes the new version no longer has: drop their statistics, purge their entries. */
    struct gy_ddb_table *old = gy_ddb_catalog_get(c, gy_str_c(t->name));
    for (uint32_t i = 0; old && old->id == t->id && i < old->nindexes; i++) {
        uint32_t ix = old->indexes[i].id;
        unsigned char key[8];
        if (gy_ddb_index_by_id(t, ix))
            continue;
        rc = gy_store_del(txn, GY_DB_STATS, index_stats_key(key, t->id, ix));
        if (rc && rc != GY_ENOTFOUND)
            break;
        rc = 0;
        gy_put_be32(key, ix);
        purge_add(c, GY_DB_INDEX, key, 4);
    }
    gy_ddb_table_unref(old);
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
    gy_put_be32(idb, t->id);
    rc = gy_store_del(txn, GY_DB_STATS, (struct gy_str){ (char *)idb, 4 });
    if (rc && rc != GY_ENOTFOUND)
        return rc;
    for (uint32_t i = 0; i < t->nindexes; i++) {
        unsigned char key[8];
        rc = gy_store_del(txn, GY_DB_STATS, index_stats_key(key, t->id, t->indexes[i].id));
        if (rc && rc != GY_ENOTFOUND)
            return rc;
    }
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
    purge_add(c, GY_DB_ITEMS, idb, 4);
    for (uint32_t i = 0; i < t->nindexes; i++) {
        unsigned char key[8];
        gy_put_be32(key, t->indexes[i].id);
        purge_add(c, GY_DB_INDEX, key, 4);
    }
    if (gy_ddb_table_nlsi(t)) {
        unsigned char key[8] = { 0 };
        gy_put_be32(key + 4, t->id);
        purge_add(c, GY_DB_INDEX, key, 8); /* item-collection sizes (index.c) */
    }
    /* Its change log, stream and shard records, replication checkpoints and tombstones. */
    purge_add(c, GY_DB_CHANGES, idb, 4);
    static const char stream_kinds[] = { 'Q', 'S', 'H' };
    for (size_t k = 0; k < sizeof(stream_kinds); k++) {
        unsigned char key[5] = { (unsigned char)stream_kinds[k] };
        memcpy(key + 1, idb, 4);
        purge_add(c, GY_DB_STREAMS, key, 5);
    }
    static const char repl_kinds[] = { 'C', 'T' };
    for (size_t k = 0; k < sizeof(repl_kinds); k++) {
        unsigned char key[5] = { (unsigned char)repl_kinds[k] };
        memcpy(key + 1, idb, 4);
        purge_add(c, GY_DB_REPL, key, 5);
    }
    return 0;
}

struct purge_job {
    struct gy_store_job job;
    struct gy_ddb_catalog *c;
    struct purge_ent ent;
    bool more;
};

static int purge_apply(struct gy_store_txn *txn, void *arg)
{
    struct purge_job *p = arg;
    struct gy_store_cursor *cur;
    struct gy_str k, v;
    struct gy_str prefix = { (char *)p->ent.prefix, p->ent.len };
    int n = 0, rc;

    p->more = false;
    rc = gy_store_cursor_open(txn, p->ent.db, &cur);
    if (rc)
        return rc;
    for (rc = gy_store_cursor_seek(cur, prefix, &k, &v);
         rc == 0 && gy_str_startswith(k, prefix);
         rc = gy_store_cursor_seek(cur, prefix, &k, &v)) {
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
        p->ent = c->purge[i];
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
    gy_put_be32(idb, table_id);
    out->items = out->bytes = 0;
    out->nidx = 0;
    if (gy_store_get(txn, GY_DB_STATS, (struct gy_str){ (char *)idb, 4 }, &v) == 0 && v.len == 16) {
        out->items = gy_get_be64((const unsigned char *)v.p);
        out->bytes = gy_get_be64((const unsigned char *)v.p + 8);
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
    gy_put_be32(idb, table_id);
    gy_put_be64(val, s.items);
    gy_put_be64(val + 8, s.bytes);
    return gy_store_put(txn, GY_DB_STATS, (struct gy_str){ (char *)idb, 4 },
                        (struct gy_str){ (char *)val, 16 });
}

void gy_ddb_index_stats_read(struct gy_store_txn *txn, const struct gy_ddb_table *t,
                             struct gy_ddb_table_stats *out)
{
    out->nidx = t->nindexes;
    for (uint32_t i = 0; i < t->nindexes; i++) {
        unsigned char key[8];
        struct gy_str v;
        out->idx[i].items = out->idx[i].bytes = 0;
        if (gy_store_get(txn, GY_DB_STATS, index_stats_key(key, t->id, t->indexes[i].id), &v) == 0 &&
            v.len == 16) {
            out->idx[i].items = gy_get_be64((const unsigned char *)v.p);
            out->idx[i].bytes = gy_get_be64((const unsigned char *)v.p + 8);
        }
    }
}

int gy_ddb_index_stats_add(struct gy_store_txn *txn, uint32_t table_id, uint32_t index_id,
                           int64_t items, int64_t bytes)
{
    unsigned char key[8], val[16];
    struct gy_str k = index_stats_key(key, table_id, index_id), v;
    uint64_t n = 0, b = 0;
    if (items == 0 && bytes == 0)
        return 0;
    if (gy_store_get(txn, GY_DB_STATS, k, &v) == 0 && v.len == 16) {
        n = gy_get_be64((const unsigned char *)v.p);
        b = gy_get_be64((const unsigned char *)v.p + 8);
    }
    gy_put_be64(val, (uint64_t)((int64_t)n + items));
    gy_put_be64(val + 8, (uint64_t)((int64_t)b + bytes));
    return gy_store_put(txn, GY_DB_STATS, k, (struct gy_str){ (char *)val, 16 });
}

/* ---- GSI backfill ---- */

/*
 * One link of a backfill chain: index BACKFILL_BATCH items of the table from `resume` on (in
 * the writer thread, so no write interleaves with a batch), then resubmit. Writes made while
 * the index is CREATING maintain it already (index.c), and a batch skips an item whose entry
 * exists, so each item ends up in the index exactly once. After the last batch has committed,
 * one more job publishes the table version in which the index is ACTIVE (the catalog publishes
 * before its commit, so doing it in the last batch would show ACTIVE before the entries).
 */
struct backfill_job {
    struct gy_store_job job;
    struct gy_ddb_catalog *c;
    char *table;              /* table name (heap) */
    uint32_t table_id, index_id;
    unsigned char *resume;    /* next item key to index (heap), NULL = from the start */
    size_t resume_len;
    bool more;                /* apply stopped early: resubmit */
    bool scanned;             /* every item is indexed and committed: publish ACTIVE next */
    bool published;           /* apply published the ACTIVE version */
};

static int backfill_finish(struct backfill_job *b, struct gy_store_txn *txn,
                           const struct gy_ddb_table *cur)
{
    struct gy_ddb_table *t = gy_ddb_table_clone(cur);
    for (uint32_t i = 0; i < t->nindexes; i++)
        if (t->indexes[i].id == b->index_id)
            t->indexes[i].backfilling = false;
    int rc = gy_ddb_catalog_replace(b->c, txn, t);
    if (rc) {
        gy_ddb_table_unref(t);
        return rc;
    }
    b->published = true;
    return 0;
}

static int backfill_apply(struct gy_store_txn *txn, void *arg)
{
    struct backfill_job *b = arg;
    struct gy_store_cursor *cur = NULL;
    struct gy_str k, v;
    unsigned char prefix[4];
    int rc, n = 0;

    b->more = false;
    struct gy_ddb_table *t = gy_ddb_catalog_get(b->c, gy_str_c(b->table));
    const struct gy_ddb_index *ix = t && t->id == b->table_id ? gy_ddb_index_by_id(t, b->index_id)
                                                              : NULL;
    if (!ix || !ix->backfilling) {
        gy_ddb_table_unref(t);
        return 0; /* dropped, or already built */
    }
    if (b->scanned) {
        rc = backfill_finish(b, txn, t);
        gy_ddb_table_unref(t);
        return rc;
    }
    gy_put_be32(prefix, b->table_id);
    struct gy_str pre = { (char *)prefix, 4 };
    struct gy_str start = b->resume ? (struct gy_str){ (char *)b->resume, b->resume_len } : pre;
    struct gy_arena *a = gy_arena_create(1 << 16);
    rc = gy_store_cursor_open(txn, GY_DB_ITEMS, &cur);
    for (rc = rc ? rc : gy_store_cursor_seek(cur, start, &k, &v);
         rc == 0 && gy_str_startswith(k, pre); rc = gy_store_cursor_next(cur, &k, &v)) {
        struct gy_ddb_map item;
        if (n++ == BACKFILL_BATCH) {
            gy_free(b->resume);
            b->resume = gy_malloc(k.len);
            memcpy(b->resume, k.p, k.len);
            b->resume_len = k.len;
            b->more = true;
            break;
        }
        gy_arena_reset(a);
        if (gy_ddb_map_decode(a, v.p, v.len, &item))
            continue;
        rc = gy_ddb__index_backfill_item(txn, t, ix, &item, a);
        if (rc)
            break;
    }
    if (cur)
        gy_store_cursor_close(cur);
    gy_arena_destroy(a);
    if (rc == GY_ENOTFOUND || (rc == 0 && !b->more)) {
        rc = 0;
        b->scanned = b->more = true;
    }
    gy_ddb_table_unref(t);
    return rc;
}

static void backfill_free(struct backfill_job *b)
{
    pthread_mutex_lock(&b->c->purge_lock);
    for (size_t i = 0; i < b->c->nbackfilling; i++) {
        if (b->c->backfilling[i] == b->index_id) {
            b->c->backfilling[i] = b->c->backfilling[--b->c->nbackfilling];
            break;
        }
    }
    pthread_mutex_unlock(&b->c->purge_lock);
    gy_free(b->table);
    gy_free(b->resume);
    gy_free(b);
}

static void backfill_done(void *arg, int rc)
{
    struct backfill_job *b = arg;
    if (rc && b->published)
        gy_ddb_catalog_reload(b->c);
    if (rc)
        gy_log_error("backfill of index %u of table %s stopped: %s (resumes at restart)",
                     b->index_id, b->table, gy_strerror(rc));
    if (rc == 0 && b->more && gy_store_submit(b->c->store, &b->job) == 0)
        return;
    backfill_free(b);
}

void gy_ddb_catalog_backfill(struct gy_ddb_catalog *c)
{
    struct backfill_job *todo[MAX_BACKFILLS];
    size_t n = 0;
    pthread_mutex_lock(&c->lock);
    pthread_mutex_lock(&c->purge_lock);
    for (size_t i = 0; i < c->ntables; i++) {
        const struct gy_ddb_table *t = c->tables[i];
        for (uint32_t x = 0; x < t->nindexes; x++) {
            bool running = false;
            if (!t->indexes[x].backfilling)
                continue;
            for (size_t r = 0; r < c->nbackfilling; r++)
                running |= c->backfilling[r] == t->indexes[x].id;
            if (running || c->nbackfilling == MAX_BACKFILLS)
                continue;
            c->backfilling[c->nbackfilling++] = t->indexes[x].id;
            struct backfill_job *b = gy_calloc(1, sizeof(*b));
            b->c = c;
            b->table = gy_strdup(t->name);
            b->table_id = t->id;
            b->index_id = t->indexes[x].id;
            b->job.apply = backfill_apply;
            b->job.done = backfill_done;
            b->job.arg = b;
            todo[n++] = b;
        }
    }
    pthread_mutex_unlock(&c->purge_lock);
    pthread_mutex_unlock(&c->lock);
    for (size_t i = 0; i < n; i++)
        if (gy_store_submit(c->store, &todo[i]->job))
            backfill_free(todo[i]);
}

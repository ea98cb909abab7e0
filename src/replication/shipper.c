/*
 * shipper.c — one thread per peer region: for every global table that has a replica there,
 * send the table's definition when it changed, then the changes that originated in this
 * region, in order, in batches; advance the checkpoint once the peer acknowledged a batch.
 *
 * Checkpoints: REPL['C' || table id (4) || peer region] = last acknowledged seq (8, BE).
 * A table with no checkpoint for the peer (a new replica, or a log trimmed past it) is seeded:
 * the shipper notes the log's next seq, sends every item and tombstone with its stamp (the peer
 * applies them by last-writer-wins, so concurrent changes are harmless), then sets the
 * checkpoint to just before the noted seq and continues from the log. A peer that cannot be
 * reached is retried with exponential backoff (100 ms to 5 s); nothing is lost meanwhile.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/log.h"
#include "dynamodb/catalog.h"
#include "dynamodb/changelog.h"
#include "dynamodb/dynamodb.h"
#include "dynamodb/replica.h"
#include "dynamodb/table.h"
#include "replication/repl_int.h"
#include "store/store.h"

#define IDLE_WAIT_MS 5
#define SNAP_BATCH 200

static struct gy_str ckpt_key(unsigned char b[40], uint32_t tid, const char *peer)
{
    size_t n = strlen(peer);
    if (n > 32)
        n = 32;
    b[0] = 'C';
    b[1] = (unsigned char)(tid >> 24), b[2] = (unsigned char)(tid >> 16);
    b[3] = (unsigned char)(tid >> 8), b[4] = (unsigned char)tid;
    memcpy(b + 5, peer, n);
    return (struct gy_str){ (char *)b, 5 + n };
}

/* The checkpoint, or false when there is none. */
static bool ckpt_get(struct gy_repl *r, uint32_t tid, const char *peer, uint64_t *seq)
{
    struct gy_store_txn *txn;
    struct gy_str v;
    unsigned char kb[40];
    bool found = false;
    if (gy_store_read_begin(r->ddb->store, &txn))
        return false;
    if (gy_store_get(txn, GY_DB_REPL, ckpt_key(kb, tid, peer), &v) == 0 && v.len == 8) {
        uint64_t s = 0;
        for (int i = 0; i < 8; i++)
            s = s << 8 | (unsigned char)v.p[i];
        *seq = s;
        found = true;
    }
    gy_store_read_end(txn);
    return found;
}

struct ckpt_write {
    uint32_t tid;
    const char *peer;
    uint64_t seq;
    bool del;
};

static int ckpt_apply(struct gy_store_txn *txn, void *arg)
{
    struct ckpt_write *w = arg;
    unsigned char kb[40], v[8];
    if (w->del) {
        int rc = gy_store_del(txn, GY_DB_REPL, ckpt_key(kb, w->tid, w->peer));
        return rc == GY_ENOTFOUND ? 0 : rc;
    }
    for (int i = 0; i < 8; i++)
        v[i] = (unsigned char)(w->seq >> (56 - 8 * i));
    return gy_store_put(txn, GY_DB_REPL, ckpt_key(kb, w->tid, w->peer), (struct gy_str){ (char *)v, 8 });
}

static int ckpt_set(struct gy_repl *r, uint32_t tid, const char *peer, uint64_t seq, bool del)
{
    struct ckpt_write w = { tid, peer, seq, del };
    return gy_store_run(r->ddb->store, ckpt_apply, &w);
}

static struct peer_table *peer_table(struct peer *p, uint32_t tid)
{
    for (size_t i = 0; i < p->ntables; i++)
        if (p->tables[i].table_id == tid)
            return &p->tables[i];
    if (p->ntables == GY_REPL_MAX_TABLES)
        return NULL;
    struct peer_table *pt = &p->tables[p->ntables];
    memset(pt, 0, sizeof(*pt));
    pt->table_id = tid;
    __atomic_store_n(&p->ntables, p->ntables + 1, __ATOMIC_RELEASE); /* metrics reads it */
    return pt;
}

/* POST and interpret: 0 when the peer answered 200. */
static int post(struct peer *p, const char *path, struct gy_buf *body, struct gy_buf *resp)
{
    long status = 0;
    struct gy_buf own;
    gy_buf_init(&own, 1 << 16);
    if (!resp)
        resp = &own; /* keep the answer for the log below */
    int rc = gy_repl__post(&p->client, &p->r->key, p->cfg.region, path, gy_buf_str(body), &status,
                           resp);
    __atomic_store_n(&p->up, rc == 0, __ATOMIC_RELAXED);
    if (rc) {
        gy_buf_fini(&own);
        return GY_EIO;
    }
    if (status != 200) {
        /* A refusal (4xx) repeats on every retry until someone looks: say so. A 5xx or a
         * busy peer is transient. */
        int len = resp->len > 300 ? 300 : (int)resp->len;
        if (status >= 400 && status < 500)
            gy_log_warn("replication: %s%s refused a batch (%ld): %.*s", p->cfg.url, path,
                        status, len, resp->p ? resp->p : "");
        else
            gy_log_debug("replication: %s%s answered %ld: %.*s", p->cfg.url, path, status, len,
                         resp->p ? resp->p : "");
        gy_buf_fini(&own);
        return GY_EAGAIN;
    }
    gy_buf_fini(&own);
    return 0;
}

static int send_definition(struct peer *p, const struct gy_ddb_table *t)
{
    struct gy_buf def, body;
    struct gy_jw w;
    gy_buf_init(&def, 1 << 20);
    gy_buf_init(&body, 2 << 20);
    int rc = gy_ddb_table_encode(t, &def);
    if (rc == 0) {
        gy_jw_init(&w, &body);
        gy_jw_obj_begin(&w);
        gy_jw_key(&w, "origin");
        gy_jw_cstr(&w, p->r->region);
        gy_jw_key(&w, "def");
        gy_jw_str(&w, gy_buf_str(&def));
        gy_jw_obj_end(&w);
        rc = w.err ? w.err : post(p, "/_gyre/table", &body, NULL);
    }
    gy_buf_fini(&def);
    gy_buf_fini(&body);
    return rc;
}

/* The start of a batch body; records follow, then batch_end. */
static void batch_begin(struct gy_jw *w, struct peer *p, const struct gy_ddb_table *t)
{
    gy_jw_obj_begin(w);
    gy_jw_key(w, "origin");
    gy_jw_cstr(w, p->r->region);
    gy_jw_key(w, "table");
    gy_jw_cstr(w, t->name);
    gy_jw_key(w, "records");
    gy_jw_arr_begin(w);
}

static void batch_end(struct gy_jw *w)
{
    gy_jw_arr_end(w);
    gy_jw_obj_end(w);
}

static void hex_member(struct gy_jw *w, const char *name, struct gy_str key)
{
    char hex[2 * 600 + 1];
    if (key.len > 600)
        key.len = 600;
    gy_hex((const unsigned char *)key.p, key.len, hex);
    gy_jw_key(w, name);
    gy_jw_cstr(w, hex);
}

/*
 * The end of a snapshot batch of items that also asks the receiver to sweep: every item it
 * holds in the key range (after, until] — or (after, end of table] when until is empty — that
 * this batch does not carry, that came from this region and is no older than `stamp`, was
 * deleted here (its tombstone may be trimmed already) and must go. Keys are item keys without
 * the table id, which is local to each region.
 */
static void batch_end_sweep(struct gy_jw *w, struct gy_str after, struct gy_str until,
                            uint64_t stamp)
{
    char sb[24];
    gy_jw_arr_end(w);
    gy_jw_key(w, "sweep");
    gy_jw_obj_begin(w);
    hex_member(w, "after", after.len >= 4 ? (struct gy_str){ after.p + 4, after.len - 4 } : GY_STR_NULL);
    if (until.len >= 4)
        hex_member(w, "until", (struct gy_str){ until.p + 4, until.len - 4 });
    snprintf(sb, sizeof(sb), "%llu", (unsigned long long)stamp);
    gy_jw_key(w, "stamp");
    gy_jw_cstr(w, sb);
    gy_jw_obj_end(w);
    gy_jw_obj_end(w);
}

static void record_json(struct gy_jw *w, uint64_t stamp, struct gy_str origin, int64_t ms,
                        bool svc, bool snap, const struct gy_ddb_map *keys,
                        const struct gy_ddb_map *item)
{
    char sb[24];
    snprintf(sb, sizeof(sb), "%llu", (unsigned long long)stamp);
    gy_jw_obj_begin(w);
    gy_jw_key(w, "stamp");
    gy_jw_cstr(w, sb);
    gy_jw_key(w, "origin");
    gy_jw_str(w, origin);
    gy_jw_key(w, "ms");
    gy_jw_int(w, ms);
    if (svc) {
        gy_jw_key(w, "svc");
        gy_jw_bool(w, true);
    }
    if (snap) {
        gy_jw_key(w, "snap");
        gy_jw_bool(w, true);
    }
    gy_jw_key(w, "keys");
    gy_ddb_map_to_json(w, keys);
    if (item) {
        gy_jw_key(w, "item");
        gy_ddb_map_to_json(w, item);
    }
    gy_jw_obj_end(w);
}

struct snap_ctx {
    struct gy_jw *w;
    const struct gy_ddb_table *t;
    size_t n;
};

static void snap_entry(void *arg, const struct gy_ddb_snap_entry *e)
{
    struct snap_ctx *sc = arg;
    if (e->tombstone) {
        record_json(sc->w, e->stamp, e->origin, gy_hlc_ms(e->stamp), false, true, &e->keys, NULL);
    } else {
        struct gy_ddb_attr ka[2];
        struct gy_ddb_map keys = { ka, 0 };
        const struct gy_ddb_value *pk = gy_ddb_map_get(&e->item, gy_str_c(sc->t->hash.name));
        if (!pk)
            return;
        ka[keys.n++] = (struct gy_ddb_attr){ gy_str_c(sc->t->hash.name), *pk };
        if (sc->t->range.name) {
            const struct gy_ddb_value *sk = gy_ddb_map_get(&e->item, gy_str_c(sc->t->range.name));
            if (!sk)
                return;
            ka[keys.n++] = (struct gy_ddb_attr){ gy_str_c(sc->t->range.name), *sk };
        }
        gy_ddb_map_sort(&keys);
        record_json(sc->w, e->stamp, e->origin, gy_hlc_ms(e->stamp), false, true, &keys, &e->item);
    }
    sc->n++;
}

/* Seed the peer's replica from a snapshot; returns 0 when complete. */
static int seed(struct peer *p, const struct gy_ddb_table *t)
{
    struct gy_repl *r = p->r;
    struct gy_store_txn *txn;
    uint64_t first, next;

    if (gy_store_read_begin(r->ddb->store, &txn))
        return GY_EIO;
    gy_ddb_log_bounds(txn, t->id, &first, &next);
    gy_store_read_end(txn);
    /* Every version of this region's making before now carries a smaller stamp. */
    uint64_t sweep_stamp = ((uint64_t)gy_now_ms() << 16) | 0xffff;
    gy_log_info("replication: seeding %s in %s from a snapshot", t->name, p->cfg.region);

    for (int pass = 0; pass < 2; pass++) {
        struct gy_arena *a = gy_arena_create(1 << 16);
        struct gy_str after = GY_STR_NULL;
        do {
            struct gy_buf body;
            struct gy_jw w;
            struct gy_str nxt;
            gy_buf_init(&body, 64u << 20);
            gy_jw_init(&w, &body);
            batch_begin(&w, p, t);
            struct snap_ctx sc = { &w, t, 0 };
            struct gy_str prev = after;
            int rc = gy_store_read_begin(r->ddb->store, &txn);
            if (rc == 0) {
                rc = gy_ddb_snapshot_walk(txn, a, t, pass == 1, after, SNAP_BATCH, snap_entry, &sc,
                                          &nxt);
                after = gy_arena_strdup(a, nxt);
                gy_store_read_end(txn);
            }
            if (pass == 0)
                batch_end_sweep(&w, prev, after, sweep_stamp);
            else
                batch_end(&w);
            /* Item batches always go (an empty one still sweeps its range). */
            if (rc == 0 && (sc.n || pass == 0))
                rc = w.err ? w.err : post(p, "/_gyre/replicate", &body, NULL);
            gy_buf_fini(&body);
            if (rc) {
                gy_arena_destroy(a);
                return rc;
            }
        } while (after.len);
        gy_arena_destroy(a);
    }
    return ckpt_set(r, t->id, p->cfg.region, next - 1, false);
}

/* Mark the peer's replica ACTIVE once it is seeded (if it was CREATING). */
static int activate(struct gy_ddb_table *t, void *arg)
{
    const char *region = arg;
    for (uint32_t i = 0; i < t->nreplicas; i++)
        if (strcmp(t->replicas[i].region, region) == 0 &&
            t->replicas[i].status == GY_DDB_REPLICA_CREATING) {
            t->replicas[i].status = GY_DDB_REPLICA_ACTIVE;
            return 0;
        }
    return GY_EFALSE;
}

static void mark_active(struct peer *p, const struct gy_ddb_table *t)
{
    gy_repl__publish(p->r, gy_str_c(t->name), activate, p->cfg.region, NULL, NULL, NULL);
}

/* Ship one batch of the table's own-origin changes; *worked when anything moved. */
static int ship_log(struct peer *p, const struct gy_ddb_table *t, struct peer_table *pt,
                    uint64_t ckpt, bool *worked)
{
    struct gy_repl *r = p->r;
    struct gy_store_txn *txn;
    struct gy_ddb_log_record *recs;
    size_t n = 0;
    uint64_t first, next;
    struct gy_arena *a = gy_arena_create(1 << 16);
    int rc = gy_store_read_begin(r->ddb->store, &txn);
    if (rc)
        goto out;
    gy_ddb_log_bounds(txn, t->id, &first, &next);
    __atomic_store_n(&pt->backlog, next - 1 > ckpt ? next - 1 - ckpt : 0, __ATOMIC_RELAXED);
    if (first && first > ckpt + 1) {
        /* The log no longer holds what the peer misses: re-seed it. */
        gy_store_read_end(txn);
        gy_log_warn("replication: %s fell behind the retained log for %s; re-seeding",
                    p->cfg.region, t->name);
        rc = ckpt_set(r, t->id, p->cfg.region, 0, true);
        *worked = true;
        goto out;
    }
    rc = gy_ddb_log_read(txn, a, t->id, ckpt + 1, 0, GY_REPL_BATCH, &recs, &n);
    if (rc || n == 0) {
        gy_store_read_end(txn);
        goto out;
    }
    struct gy_buf body;
    struct gy_jw w;
    size_t own = 0;
    uint64_t last = ckpt;
    gy_buf_init(&body, 64u << 20);
    gy_jw_init(&w, &body);
    batch_begin(&w, p, t);
    for (size_t i = 0; i < n; i++) {
        if (body.len > GY_REPL_BATCH_BYTES)
            break;
        last = recs[i].seq;
        if (!gy_str_eqc(recs[i].origin, r->region))
            continue; /* a change that came from elsewhere: its origin ships it */
        record_json(&w, recs[i].version, recs[i].origin, recs[i].created_ms, recs[i].by_service,
                    false, &recs[i].keys, recs[i].has_new ? &recs[i].new_image : NULL);
        own++;
    }
    batch_end(&w);
    gy_store_read_end(txn);
    if (own)
        rc = w.err ? w.err : post(p, "/_gyre/replicate", &body, NULL);
    gy_buf_fini(&body);
    if (rc == 0) {
        rc = ckpt_set(r, t->id, p->cfg.region, last, false);
        __atomic_store_n(&p->shipped, p->shipped + own, __ATOMIC_RELAXED);
        __atomic_store_n(&pt->last_ship_ms, gy_now_ms(), __ATOMIC_RELAXED);
        *worked = true;
    }
out:
    gy_arena_destroy(a);
    return rc;
}

/* One pass over the global tables that have a replica in this peer's region. */
static int ship_round(struct peer *p, bool *worked)
{
    struct gy_repl *r = p->r;
    struct gy_arena *a = gy_arena_create(4096);
    struct gy_str start = GY_STR_NULL, *names;
    int more = 1, rc = 0;

    while (more && rc == 0) {
        size_t n = gy_ddb_catalog_list(r->ddb->catalog, a, start, 100, &names, &more);
        for (size_t i = 0; i < n && rc == 0; i++) {
            struct gy_ddb_table *t = gy_ddb_catalog_get(r->ddb->catalog, names[i]);
            if (!t)
                continue;
            if (t->nreplicas > 1 && gy_repl__has_replica(t, p->cfg.region) &&
                gy_repl__has_replica(t, r->region)) {
                struct peer_table *pt = peer_table(p, t->id);
                uint64_t ckpt = 0;
                if (pt && pt->schema_sent < t->schema_stamp) {
                    rc = send_definition(p, t);
                    if (rc == 0)
                        pt->schema_sent = t->schema_stamp;
                    *worked = true;
                }
                if (rc == 0 && pt) {
                    if (!ckpt_get(r, t->id, p->cfg.region, &ckpt)) {
                        rc = seed(p, t);
                        if (rc == 0)
                            mark_active(p, t);
                        *worked = true;
                    } else {
                        rc = ship_log(p, t, pt, ckpt, worked);
                    }
                }
            } else if (t->nreplicas >= 1 && !gy_repl__has_replica(t, p->cfg.region) &&
                       gy_repl__has_replica(t, r->region)) {
                /* The peer's replica was removed: tell it (it drops its table), then forget. */
                struct peer_table *pt = peer_table(p, t->id);
                uint64_t ckpt;
                if (pt && pt->schema_sent < t->schema_stamp && ckpt_get(r, t->id, p->cfg.region, &ckpt)) {
                    if (send_definition(p, t) == 0) {
                        pt->schema_sent = t->schema_stamp;
                        ckpt_set(r, t->id, p->cfg.region, 0, true);
                    }
                }
            }
            gy_ddb_table_unref(t);
        }
        if (n)
            start = names[n - 1];
    }
    gy_arena_destroy(a);
    return rc;
}

static void wait_ms(struct gy_repl *r, int64_t ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&r->lock);
    if (!r->stop)
        pthread_cond_timedwait(&r->cond, &r->lock, &ts);
    pthread_mutex_unlock(&r->lock);
}

void gy_repl__wake(struct gy_repl *r)
{
    pthread_mutex_lock(&r->lock);
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->lock);
}

void *gy_repl__shipper_main(void *arg)
{
    struct peer *p = arg;
    struct gy_repl *r = p->r;
    p->backoff_ms = 100;
    for (;;) {
        pthread_mutex_lock(&r->lock);
        bool stop = r->stop;
        pthread_mutex_unlock(&r->lock);
        if (stop)
            break;
        bool worked = false;
        if (__atomic_load_n(&p->cut, __ATOMIC_RELAXED)) {
            wait_ms(r, 50);
            continue;
        }
        int rc = ship_round(p, &worked);
        if (rc) {
            wait_ms(r, p->backoff_ms);
            p->backoff_ms = p->backoff_ms * 2 > 5000 ? 5000 : p->backoff_ms * 2;
            continue;
        }
        p->backoff_ms = 100;
        if (!worked)
            wait_ms(r, IDLE_WAIT_MS);
    }
    return NULL;
}

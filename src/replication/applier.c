/*
 * applier.c — the receiving end of peer links: POST /_gyre/replicate applies a batch of changes
 * from another region under last-writer-wins in one job of the group commit and answers only
 * after it is durable; POST /_gyre/table applies a table definition; GET /_gyre/replication
 * reports lag and backlog. The peer endpoints require a request signed by a trusted key (the
 * router verifies it before these run).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/log.h"
#include "dynamodb/catalog.h"
#include "dynamodb/changelog.h"
#include "dynamodb/dynamodb.h"
#include "dynamodb/replica.h"
#include "dynamodb/table.h"
#include "net/http.h"
#include "replication/repl_int.h"
#include "store/store.h"

struct in_record {
    uint64_t stamp;
    struct gy_str origin;
    int64_t ms;
    bool svc, snap;
    struct gy_ddb_map keys;
    struct gy_ddb_map *item;   /* NULL: a delete */
};

struct apply_job {
    struct gy_store_job job;
    struct gy_aws_req *req;
    struct gy_repl *r;
    struct gy_ddb_table *t;
    struct in_record *recs;
    size_t n;
    size_t applied;
    int rc;
    bool sweep;                 /* a snapshot batch that also sweeps its key range */
    struct gy_str sweep_after;  /* item keys without table id (binary) */
    struct gy_str sweep_until;  /* empty: to the end of the table */
    uint64_t sweep_stamp;
    struct gy_str origin;       /* the sending region */
};

/* Decode lower-case hex into arena bytes; false if malformed. */
static bool unhex(struct gy_arena *a, struct gy_str hex, struct gy_str *out)
{
    if (hex.len % 2)
        return false;
    unsigned char *p = gy_arena_alloc(a, hex.len / 2 + 1);
    for (size_t i = 0; i < hex.len / 2; i++) {
        int v = 0;
        for (int k = 0; k < 2; k++) {
            char c = hex.p[2 * i + (size_t)k];
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            if (d < 0)
                return false;
            v = v * 16 + d;
        }
        p[i] = (unsigned char)v;
    }
    *out = (struct gy_str){ (const char *)p, hex.len / 2 };
    return true;
}

static void unref(void *t)
{
    gy_ddb_table_unref(t);
}

static int apply_batch(struct gy_store_txn *txn, void *arg)
{
    struct apply_job *j = arg;
    struct gy_ddb *d = j->r->ddb;
    if (!gy_ddb_catalog_is_live(d->catalog, j->t))
        return gy_error_set(&j->req->err, j->req->arena, GY_AWS_RESOURCE_NOT_FOUND,
                            "Requested resource not found: Table: %s not found", j->t->name);
    for (size_t i = 0; i < j->n; i++) {
        struct in_record *rec = &j->recs[i];
        bool won = false;
        int rc = gy_ddb_replica_apply(txn, d, j->t, j->req->arena, &rec->keys, rec->item,
                                      rec->stamp, rec->origin, rec->svc, &won);
        if (rc == GY_EINVAL)
            return gy_error_set(&j->req->err, j->req->arena, GY_AWS_VALIDATION,
                                "Replicated change %zu has a malformed key", i);
        if (rc)
            return rc;
        j->applied += won;
    }
    if (j->sweep) {
        struct gy_str *keep = gy_arena_calloc(j->req->arena, j->n + 1, sizeof(*keep));
        size_t nkeep = 0, removed = 0;
        for (size_t i = 0; i < j->n; i++)
            if (gy_ddb_replica_key(j->req->arena, j->t, &j->recs[i].keys, &keep[nkeep]) == 0)
                nkeep++;
        int rc = gy_ddb_replica_sweep(txn, d, j->t, j->req->arena, j->sweep_after, j->sweep_until,
                                      j->sweep_stamp, j->origin, keep, nkeep, &removed);
        if (rc)
            return rc;
        if (removed)
            gy_log_info("replication: re-seed from %.*s removed %zu items of %s deleted there",
                        (int)j->origin.len, j->origin.p, removed, j->t->name);
    }
    return 0;
}

static void note_latency(struct gy_repl *r, const struct in_record *recs, size_t n, size_t applied)
{
    int64_t now = gy_now_ms();
    pthread_mutex_lock(&r->stats_lock);
    for (size_t i = 0; i < n; i++) {
        struct origin_stats *o = NULL;
        for (size_t k = 0; k < r->norigins; k++)
            if (gy_str_eqc(recs[i].origin, r->origins[k].region))
                o = &r->origins[k];
        if (!o && r->norigins < sizeof(r->origins) / sizeof(r->origins[0])) {
            o = &r->origins[r->norigins++];
            memset(o, 0, sizeof(*o));
            snprintf(o->region, sizeof(o->region), "%.*s", (int)recs[i].origin.len,
                     recs[i].origin.p);
        }
        if (!o)
            continue;
        o->received++;
        if (recs[i].snap)
            continue;
        int64_t lat = now - recs[i].ms;
        if (lat < 0)
            lat = 0;
        o->last_ms = lat;
        o->window[o->at] = lat;
        o->at = (o->at + 1) % 512;
        if (o->nwindow < 512)
            o->nwindow++;
    }
    (void)applied;
    pthread_mutex_unlock(&r->stats_lock);
}

static void apply_finish(void *arg)
{
    struct apply_job *j = arg;
    if (j->rc == 0) {
        note_latency(j->r, j->recs, j->n, j->applied);
        gy_jw_obj_begin(&j->req->w);
        gy_jw_key(&j->req->w, "applied");
        gy_jw_uint(&j->req->w, j->applied);
        gy_jw_key(&j->req->w, "received");
        gy_jw_uint(&j->req->w, j->n);
        gy_jw_obj_end(&j->req->w);
    }
    gy_aws_req_complete(j->req, j->rc);
}

static void apply_done(void *arg, int rc)
{
    struct apply_job *j = arg;
    j->rc = rc;
    gy_http_req_post(j->req->http, apply_finish, j);
}

int gy_repl__handle_replicate(struct gy_aws_req *req)
{
    struct gy_repl *r = req->ctx;
    const struct gy_json *b = req->body;
    struct gy_str table = gy_json_str(gy_json_get(b, "table"));
    const struct gy_json *recs = gy_json_get(b, "records");

    if (!table.p || !gy_json_is(recs, GY_JSON_ARRAY))
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION, "Malformed replication batch");
    struct gy_str from = gy_json_str(gy_json_get(b, "origin"));
    struct peer *sender = from.p ? gy_repl__peer(r, gy_arena_strndup(req->arena, from.p, from.len))
                                 : NULL;
    if (sender && __atomic_load_n(&sender->cut, __ATOMIC_RELAXED))
        return gy_error_set(&req->err, req->arena, GY_AWS_SERVICE_UNAVAILABLE,
                            "The link from %s is cut", sender->cfg.region);
    struct gy_ddb_table *t = gy_ddb_catalog_get(r->ddb->catalog, table);
    if (!t)
        return gy_error_set(&req->err, req->arena, GY_AWS_RESOURCE_NOT_FOUND,
                            "Requested resource not found: Table: %s not found", table.p);
    gy_arena_add_cleanup(req->arena, unref, t);
    struct apply_job *j = gy_arena_zalloc(req->arena, sizeof(*j));
    j->req = req;
    j->r = r;
    j->t = t;
    j->recs = gy_arena_calloc(req->arena, gy_json_count(recs) + 1, sizeof(*j->recs));
    for (const struct gy_json *rj = gy_json_child(recs); rj; rj = gy_json_next(rj)) {
        struct in_record *rec = &j->recs[j->n];
        struct gy_str stamp = gy_json_str(gy_json_get(rj, "stamp"));
        rec->origin = gy_json_str(gy_json_get(rj, "origin"));
        if (!stamp.p || !rec->origin.p || rec->origin.len == 0)
            return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                                "Malformed replicated change");
        rec->stamp = strtoull(stamp.p, NULL, 10);
        gy_json_int(gy_json_get(rj, "ms"), &rec->ms);
        gy_json_bool(gy_json_get(rj, "svc"), &rec->svc);
        gy_json_bool(gy_json_get(rj, "snap"), &rec->snap);
        if (gy_ddb_map_from_json(req->arena, gy_json_get(rj, "keys"), &rec->keys, &req->err))
            return GY_EAWS;
        const struct gy_json *item = gy_json_get(rj, "item");
        if (item) {
            rec->item = gy_arena_zalloc(req->arena, sizeof(*rec->item));
            if (gy_ddb_map_from_json(req->arena, item, rec->item, &req->err))
                return GY_EAWS;
        }
        j->n++;
    }
    const struct gy_json *sw = gy_json_get(b, "sweep");
    if (sw) {
        struct gy_str st = gy_json_str(gy_json_get(sw, "stamp"));
        const struct gy_json *until = gy_json_get(sw, "until");
        j->sweep = true;
        j->origin = from;
        if (!from.p || !st.p || !unhex(req->arena, gy_json_str(gy_json_get(sw, "after")), &j->sweep_after) ||
            (until && !unhex(req->arena, gy_json_str(until), &j->sweep_until)))
            return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION, "Malformed sweep");
        j->sweep_stamp = strtoull(st.p, NULL, 10);
    }
    j->job.apply = apply_batch;
    j->job.done = apply_done;
    j->job.arg = j;
    if (gy_store_submit(r->ddb->store, &j->job))
        return gy_error_set(&req->err, req->arena, GY_AWS_SERVICE_UNAVAILABLE,
                            "The service is shutting down");
    return GY_PENDING;
}

int gy_repl__handle_table(struct gy_aws_req *req)
{
    struct gy_repl *r = req->ctx;
    struct gy_str from = gy_json_str(gy_json_get(req->body, "origin"));
    struct peer *sender = from.p ? gy_repl__peer(r, gy_arena_strndup(req->arena, from.p, from.len))
                                 : NULL;
    if (sender && __atomic_load_n(&sender->cut, __ATOMIC_RELAXED))
        return gy_error_set(&req->err, req->arena, GY_AWS_SERVICE_UNAVAILABLE,
                            "The link from %s is cut", sender->cfg.region);
    struct gy_str def = gy_json_str(gy_json_get(req->body, "def"));
    if (!def.p)
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION, "Malformed table definition");
    int rc = gy_repl__apply_definition(r, def, &req->err, req->arena);
    if (rc == 0) {
        gy_jw_obj_begin(&req->w);
        gy_jw_obj_end(&req->w);
    }
    return rc;
}

static int64_t percentile(const int64_t *v, size_t n, int pct)
{
    int64_t tmp[512];
    if (n == 0)
        return 0;
    memcpy(tmp, v, n * sizeof(*v));
    /* Insertion sort: n <= 512 and this runs only when someone asks. */
    for (size_t i = 1; i < n; i++) {
        int64_t x = tmp[i];
        size_t k = i;
        while (k > 0 && tmp[k - 1] > x) {
            tmp[k] = tmp[k - 1];
            k--;
        }
        tmp[k] = x;
    }
    size_t idx = (n * (size_t)pct + 99) / 100;
    return tmp[idx ? idx - 1 : 0];
}

int gy_repl__handle_metrics(struct gy_aws_req *req)
{
    struct gy_repl *r = req->ctx;
    struct gy_jw *w = &req->w;
    gy_jw_obj_begin(w);
    gy_jw_key(w, "region");
    gy_jw_cstr(w, r->region);
    gy_jw_key(w, "peers");
    gy_jw_arr_begin(w);
    for (size_t i = 0; i < r->npeers; i++) {
        struct peer *p = &r->peers[i];
        gy_jw_obj_begin(w);
        gy_jw_key(w, "region");
        gy_jw_cstr(w, p->cfg.region);
        gy_jw_key(w, "url");
        gy_jw_cstr(w, p->cfg.url);
        gy_jw_key(w, "reachable");
        gy_jw_bool(w, __atomic_load_n(&p->up, __ATOMIC_RELAXED));
        gy_jw_key(w, "shipped");
        gy_jw_uint(w, __atomic_load_n(&p->shipped, __ATOMIC_RELAXED));
        gy_jw_key(w, "tables");
        gy_jw_arr_begin(w);
        size_t nt = __atomic_load_n(&p->ntables, __ATOMIC_ACQUIRE);
        for (size_t k = 0; k < nt; k++) {
            gy_jw_obj_begin(w);
            gy_jw_key(w, "tableId");
            gy_jw_uint(w, p->tables[k].table_id);
            gy_jw_key(w, "backlog");
            gy_jw_uint(w, __atomic_load_n(&p->tables[k].backlog, __ATOMIC_RELAXED));
            gy_jw_key(w, "lastShippedMs");
            gy_jw_int(w, __atomic_load_n(&p->tables[k].last_ship_ms, __ATOMIC_RELAXED));
            gy_jw_obj_end(w);
        }
        gy_jw_arr_end(w);
        gy_jw_obj_end(w);
    }
    gy_jw_arr_end(w);
    gy_jw_key(w, "incoming");
    gy_jw_arr_begin(w);
    pthread_mutex_lock(&r->stats_lock);
    for (size_t i = 0; i < r->norigins; i++) {
        struct origin_stats *o = &r->origins[i];
        gy_jw_obj_begin(w);
        gy_jw_key(w, "origin");
        gy_jw_cstr(w, o->region);
        gy_jw_key(w, "received");
        gy_jw_uint(w, o->received);
        gy_jw_key(w, "latencyLastMs");
        gy_jw_int(w, o->last_ms);
        gy_jw_key(w, "latencyP50Ms");
        gy_jw_int(w, percentile(o->window, o->nwindow, 50));
        gy_jw_key(w, "latencyP99Ms");
        gy_jw_int(w, percentile(o->window, o->nwindow, 99));
        gy_jw_obj_end(w);
    }
    pthread_mutex_unlock(&r->stats_lock);
    gy_jw_arr_end(w);
    gy_jw_obj_end(w);
    return 0;
}

/*
 * POST /_gyre/links {"cut": ["eu-west-1", ...]} cuts this region's links to those peers (both
 * directions as seen from here: nothing shipped to them, nothing accepted from them); every
 * peer not listed is connected. For partition tests and drills; answers the resulting state.
 */
int gy_repl__handle_links(struct gy_aws_req *req)
{
    struct gy_repl *r = req->ctx;
    const struct gy_json *cut = gy_json_get(req->body, "cut");
    if (cut && !gy_json_is(cut, GY_JSON_ARRAY))
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION, "cut must be a list");
    for (size_t i = 0; cut && i < r->npeers; i++) {
        bool c = false;
        for (const struct gy_json *j = gy_json_child(cut); j; j = gy_json_next(j))
            c |= gy_str_eqc(gy_json_str(j), r->peers[i].cfg.region);
        __atomic_store_n(&r->peers[i].cut, c, __ATOMIC_RELAXED);
    }
    gy_repl__wake(r);
    gy_jw_obj_begin(&req->w);
    gy_jw_key(&req->w, "cut");
    gy_jw_arr_begin(&req->w);
    for (size_t i = 0; i < r->npeers; i++)
        if (__atomic_load_n(&r->peers[i].cut, __ATOMIC_RELAXED))
            gy_jw_cstr(&req->w, r->peers[i].cfg.region);
    gy_jw_arr_end(&req->w);
    gy_jw_obj_end(&req->w);
    return 0;
}

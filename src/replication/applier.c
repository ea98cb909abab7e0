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

/* ---- input checks: the peer endpoints refuse anything but what a peer sends ---- */

#define BAD(req, ...) gy_error_set(&(req)->err, (req)->arena, GY_AWS_VALIDATION, __VA_ARGS__)

/* Every member of obj is named in allowed (a NULL-terminated list); else a ValidationException. */
static int only_members(struct gy_aws_req *req, const struct gy_json *obj, const char *what,
                        const char *const *allowed)
{
    if (!gy_json_is(obj, GY_JSON_OBJECT))
        return BAD(req, "%s must be a JSON object, not %s", what, gy_json_type_name(obj));
    for (const struct gy_json *m = gy_json_child(obj); m; m = gy_json_next(m)) {
        struct gy_str k = gy_json_key(m);
        bool known = false;
        for (const char *const *a = allowed; *a && !known; a++)
            known = gy_str_eqc(k, *a);
        if (!known)
            return BAD(req, "Unknown member '%.*s' in %s", (int)(k.len > 64 ? 64 : k.len), k.p,
                       what);
    }
    return 0;
}

/* A string member (optional when !required): non-empty; *out is {NULL, 0} when absent. */
static int str_member(struct gy_aws_req *req, const struct gy_json *obj, const char *name,
                      const char *what, bool required, struct gy_str *out)
{
    const struct gy_json *j = gy_json_get(obj, name);
    *out = GY_STR_NULL;
    if (!j && !required)
        return 0;
    if (!j)
        return BAD(req, "%s needs '%s'", what, name);
    if (!gy_json_is(j, GY_JSON_STRING) || gy_json_str(j).len == 0)
        return BAD(req, "'%s' of %s must be a non-empty string", name, what);
    *out = gy_json_str(j);
    return 0;
}

/* A decimal uint64 in a string ("stamp"): digits only, no overflow. */
static int u64_member(struct gy_aws_req *req, const struct gy_json *obj, const char *name,
                      const char *what, uint64_t *out)
{
    struct gy_str s;
    int rc = str_member(req, obj, name, what, true, &s);
    if (rc)
        return rc;
    uint64_t v = 0;
    for (size_t i = 0; i < s.len; i++) {
        unsigned d = (unsigned char)s.p[i] - '0';
        if (d > 9 || v > (UINT64_MAX - d) / 10)
            return BAD(req, "'%s' of %s must be a decimal number below 2^64", name, what);
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

static int bool_member(struct gy_aws_req *req, const struct gy_json *obj, const char *name,
                       const char *what, bool *out)
{
    const struct gy_json *j = gy_json_get(obj, name);
    *out = false;
    if (j && !gy_json_bool(j, out))
        return BAD(req, "'%s' of %s must be true or false", name, what);
    return 0;
}

static int parse_record(struct gy_aws_req *req, const struct gy_json *rj, size_t i,
                        struct in_record *rec)
{
    static const char *const allowed[] = { "stamp", "origin", "ms", "svc", "snap", "keys",
                                           "item", NULL };
    char *what = gy_arena_printf(req->arena, "records[%zu]", i);
    int rc = only_members(req, rj, what, allowed);
    if (!rc)
        rc = u64_member(req, rj, "stamp", what, &rec->stamp);
    if (!rc)
        rc = str_member(req, rj, "origin", what, true, &rec->origin);
    if (!rc)
        rc = bool_member(req, rj, "svc", what, &rec->svc);
    if (!rc)
        rc = bool_member(req, rj, "snap", what, &rec->snap);
    if (rc)
        return rc;
    const struct gy_json *ms = gy_json_get(rj, "ms");
    if (ms && !gy_json_int(ms, &rec->ms))
        return BAD(req, "'ms' of %s must be an integer", what);
    const struct gy_json *keys = gy_json_get(rj, "keys");
    if (!gy_json_is(keys, GY_JSON_OBJECT) || gy_json_count(keys) == 0)
        return BAD(req, "'keys' of %s must be a non-empty map of attribute values", what);
    if (gy_ddb_map_from_json(req->arena, keys, &rec->keys, &req->err))
        return GY_EAWS;
    const struct gy_json *item = gy_json_get(rj, "item");
    if (item) {
        if (!gy_json_is(item, GY_JSON_OBJECT))
            return BAD(req, "'item' of %s must be a map of attribute values", what);
        rec->item = gy_arena_zalloc(req->arena, sizeof(*rec->item));
        if (gy_ddb_map_from_json(req->arena, item, rec->item, &req->err))
            return GY_EAWS;
    }
    return 0;
}

static int parse_sweep(struct gy_aws_req *req, const struct gy_json *sw, struct apply_job *j)
{
    static const char *const allowed[] = { "after", "until", "stamp", NULL };
    int rc = only_members(req, sw, "sweep", allowed);
    if (!rc)
        rc = u64_member(req, sw, "stamp", "sweep", &j->sweep_stamp);
    if (rc)
        return rc;
    const struct gy_json *after = gy_json_get(sw, "after");
    const struct gy_json *until = gy_json_get(sw, "until");
    if (!gy_json_is(after, GY_JSON_STRING) || !unhex(req->arena, gy_json_str(after), &j->sweep_after))
        return BAD(req, "'after' of sweep must be a string of lower-case hex digit pairs");
    if (until && (!gy_json_is(until, GY_JSON_STRING) || gy_json_str(until).len == 0 ||
                  !unhex(req->arena, gy_json_str(until), &j->sweep_until)))
        return BAD(req, "'until' of sweep must be a non-empty string of lower-case hex digit "
                        "pairs");
    j->sweep = true;
    return 0;
}

int gy_repl__handle_replicate(struct gy_aws_req *req)
{
    static const char *const allowed[] = { "origin", "table", "records", "sweep", NULL };
    struct gy_repl *r = req->ctx;
    const struct gy_json *b = req->body;
    struct gy_str table, from;
    int rc = only_members(req, b, "the replication batch", allowed);
    if (!rc)
        rc = str_member(req, b, "table", "the replication batch", true, &table);
    if (!rc)
        rc = str_member(req, b, "origin", "the replication batch", true, &from);
    if (rc)
        return rc;
    const struct gy_json *recs = gy_json_get(b, "records");
    if (!gy_json_is(recs, GY_JSON_ARRAY))
        return BAD(req, "'records' of the replication batch must be a list");
    struct peer *sender = gy_repl__peer(r, gy_arena_strndup(req->arena, from.p, from.len));
    if (sender && __atomic_load_n(&sender->cut, __ATOMIC_RELAXED))
        return gy_error_set(&req->err, req->arena, GY_AWS_SERVICE_UNAVAILABLE,
                            "The link from %s is cut", sender->cfg.region);
    struct apply_job *j = gy_arena_zalloc(req->arena, sizeof(*j));
    j->req = req;
    j->r = r;
    j->origin = from;
    j->recs = gy_arena_calloc(req->arena, gy_json_count(recs) + 1, sizeof(*j->recs));
    for (const struct gy_json *rj = gy_json_child(recs); rj; rj = gy_json_next(rj), j->n++)
        if (parse_record(req, rj, j->n, &j->recs[j->n]))
            return GY_EAWS;
    const struct gy_json *sw = gy_json_get(b, "sweep");
    if (sw && parse_sweep(req, sw, j))
        return GY_EAWS;
    j->t = gy_ddb_catalog_get(r->ddb->catalog, table);
    if (!j->t)
        return gy_error_set(&req->err, req->arena, GY_AWS_RESOURCE_NOT_FOUND,
                            "Requested resource not found: Table: %s not found", table.p);
    gy_arena_add_cleanup(req->arena, unref, j->t);
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
    static const char *const allowed[] = { "origin", "def", NULL };
    struct gy_repl *r = req->ctx;
    struct gy_str from, def;
    int rc = only_members(req, req->body, "the table definition message", allowed);
    if (!rc)
        rc = str_member(req, req->body, "origin", "the table definition message", false, &from);
    if (!rc)
        rc = str_member(req, req->body, "def", "the table definition message", true, &def);
    if (rc)
        return rc;
    struct peer *sender = from.p ? gy_repl__peer(r, gy_arena_strndup(req->arena, from.p, from.len))
                                 : NULL;
    if (sender && __atomic_load_n(&sender->cut, __ATOMIC_RELAXED))
        return gy_error_set(&req->err, req->arena, GY_AWS_SERVICE_UNAVAILABLE,
                            "The link from %s is cut", sender->cfg.region);
    rc = gy_repl__apply_definition(r, def, &req->err, req->arena);
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
    static const char *const allowed[] = { "cut", NULL };
    struct gy_repl *r = req->ctx;
    if (only_members(req, req->body, "the links request", allowed))
        return GY_EAWS;
    const struct gy_json *cut = gy_json_get(req->body, "cut");
    if (cut && !gy_json_is(cut, GY_JSON_ARRAY))
        return BAD(req, "'cut' must be a list of peer regions");
    /* Check every entry before changing anything: a request is applied whole or not at all. */
    size_t idx = 0;
    for (const struct gy_json *j = gy_json_child(cut); j; j = gy_json_next(j), idx++) {
        if (!gy_json_is(j, GY_JSON_STRING))
            return BAD(req, "cut[%zu] must be a peer region name, not %s", idx,
                       gy_json_type_name(j));
        struct gy_str name = gy_json_str(j);
        bool known = false;
        for (size_t i = 0; i < r->npeers && !known; i++)
            known = gy_str_eqc(name, r->peers[i].cfg.region);
        if (!known)
            return BAD(req, "cut[%zu]: '%.*s' is not a peer of %s", idx,
                       (int)(name.len > 64 ? 64 : name.len), name.p, r->region);
    }
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

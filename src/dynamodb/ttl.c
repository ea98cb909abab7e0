/*
 * ttl.c — Time to Live: UpdateTimeToLive, DescribeTimeToLive, and the sweeper that deletes
 * expired items. See docs/dynamodb.md, "TTL".
 *
 * An item is expired when its TTL attribute is a Number of epoch seconds in the past (and less
 * than five years in the past, as DynamoDB ignores older values); a non-number or an absent
 * attribute never expires. Expired items stay readable until the sweeper deletes them, as on
 * DynamoDB. The sweeper thread only keeps time: each interval (GYRE_TTL_SWEEP_MS, default
 * 60 s) it submits a chain of writer-thread jobs, each scanning at most SCAN_BATCH items of one
 * table and deleting the expired ones through gy_ddb__item_apply with by_service set (streams
 * show them as made by dynamodb.amazonaws.com). A job resubmits itself from its done callback,
 * so foreground writes interleave between batches. One chain runs at a time (`running`).
 * Lock: `lock` guards stop and running.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/json.h"
#include "core/log.h"
#include "core/mem.h"
#include "dynamodb/catalog.h"
#include "dynamodb/dynamodb_int.h"
#include "store/store.h"

#define SCAN_BATCH 1000
#define DEFAULT_SWEEP_MS 60000
#define FIVE_YEARS_S (5LL * 365 * 24 * 3600)

struct ttl_sweeper {
    struct gy_ddb *d;
    int64_t interval_ms;     /* time between sweeps */
    pthread_t thread;
    pthread_mutex_t lock;    /* guards stop and running */
    pthread_cond_t cond;
    bool stop;               /* the thread must exit */
    bool running;            /* a sweep chain is in flight */
    bool orphaned;           /* stopped while running: the chain's last job frees it */
};

static void sweeper_destroy(struct ttl_sweeper *s)
{
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->cond);
    gy_free(s);
}

/* ---- the API ---- */

int gy_ddb__describe_ttl(struct gy_aws_req *req)
{
    struct gy_ddb_table *t = gy_ddb__table_arg(req, "TableName", true);
    if (!t)
        return GY_EAWS;
    gy_jw_obj_begin(&req->w);
    gy_jw_key(&req->w, "TimeToLiveDescription");
    gy_jw_obj_begin(&req->w);
    gy_jw_key(&req->w, "TimeToLiveStatus");
    gy_jw_cstr(&req->w, t->ttl_attr ? "ENABLED" : "DISABLED");
    if (t->ttl_attr) {
        gy_jw_key(&req->w, "AttributeName");
        gy_jw_cstr(&req->w, t->ttl_attr);
    }
    gy_jw_obj_end(&req->w);
    gy_jw_obj_end(&req->w);
    return 0;
}

struct ttl_update {
    struct gy_ddb_table *orig;  /* the version the request resolved */
    bool enable;                /* TimeToLiveSpecification.Enabled */
    struct gy_str attr;         /* TimeToLiveSpecification.AttributeName */
    bool published;
};

static void unref_table(void *p)
{
    gy_ddb_table_unref(p);
}

static int ttl_apply(struct gy_store_txn *txn, struct gy_ddb_job *j)
{
    struct gy_ddb *d = j->req->ctx;
    struct ttl_update *u = j->data;
    struct gy_aws_req *req = j->req;
    struct gy_ddb_table *cur = gy_ddb_catalog_get(d->catalog, gy_str_c(u->orig->name));
    if (!cur || cur->id != u->orig->id) {
        gy_ddb_table_unref(cur);
        return gy_error_set(&req->err, req->arena, GY_AWS_RESOURCE_NOT_FOUND,
                            "Requested resource not found: Table: %s not found", u->orig->name);
    }
    gy_arena_add_cleanup(req->arena, unref_table, cur);
    if (u->enable && cur->ttl_attr)
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "TimeToLive is already enabled");
    if (!u->enable && !cur->ttl_attr)
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "TimeToLive is already disabled");
    if (!u->enable && !gy_str_eqc(u->attr, cur->ttl_attr))
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "TimeToLive is active on a different AttributeName: current "
                            "AttributeName is %s",
                            cur->ttl_attr);
    struct gy_ddb_table *t = gy_ddb_table_clone(cur);
    gy_free(t->ttl_attr);
    t->ttl_attr = u->enable ? gy_strndup(u->attr.p, u->attr.len) : NULL;
    int rc = gy_ddb_catalog_replace(d->catalog, txn, t);
    if (rc) {
        gy_ddb_table_unref(t);
        return rc;
    }
    u->published = true;
    return 0;
}

static void ttl_after(struct gy_ddb_job *j, int rc)
{
    struct ttl_update *u = j->data;
    struct gy_ddb *d = j->req->ctx;
    if (rc && u->published)
        gy_ddb_catalog_reload(d->catalog);
}

static void ttl_respond(struct gy_ddb_job *j)
{
    struct ttl_update *u = j->data;
    struct gy_jw *w = &j->req->w;
    gy_jw_obj_begin(w);
    gy_jw_key(w, "TimeToLiveSpecification");
    gy_jw_obj_begin(w);
    gy_jw_key(w, "Enabled");
    gy_jw_bool(w, u->enable);
    gy_jw_key(w, "AttributeName");
    gy_jw_str(w, u->attr);
    gy_jw_obj_end(w);
    gy_jw_obj_end(w);
}

int gy_ddb__update_ttl(struct gy_aws_req *req)
{
    struct gy_ddb_table *t = gy_ddb__table_arg(req, "TableName", true);
    const struct gy_json *spec = gy_json_get(req->body, "TimeToLiveSpecification");
    const struct gy_json *en = gy_json_get(spec, "Enabled");
    const struct gy_json *an = gy_json_get(spec, "AttributeName");
    struct ttl_update *u = gy_arena_zalloc(req->arena, sizeof(*u));

    if (!t)
        return GY_EAWS;
    if (!spec)
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "1 validation error detected: Value null at 'timeToLiveSpecification' "
                            "failed to satisfy constraint: Member must not be null");
    if (!en || !an)
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "1 validation error detected: Value null at "
                            "'timeToLiveSpecification.%s' failed to satisfy constraint: Member "
                            "must not be null",
                            !an ? "attributeName" : "enabled");
    if (!gy_json_bool(en, &u->enable))
        return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION,
                            "Unexpected value type in payload: Enabled");
    u->attr = gy_json_str(an);
    if (!u->attr.p)
        return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION,
                            "Unexpected value type in payload: AttributeName");
    if (u->attr.len < 1 || u->attr.len > 255)
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "1 validation error detected: Value '%.*s' at "
                            "'timeToLiveSpecification.attributeName' failed to satisfy "
                            "constraint: Member must have length %s",
                            (int)u->attr.len, u->attr.p,
                            u->attr.len < 1 ? "greater than or equal to 1"
                                            : "less than or equal to 255");
    u->orig = t;
    struct gy_ddb_job *j = gy_arena_zalloc(req->arena, sizeof(*j));
    j->data = u;
    j->apply = ttl_apply;
    j->after = ttl_after;
    j->respond = ttl_respond;
    return gy_ddb__submit(req, j);
}

/* ---- the sweeper ---- */

/* True when item's TTL attribute says it expired before now_s. */
static bool expired(const struct gy_ddb_map *item, const char *attr, int64_t now_s)
{
    const struct gy_ddb_value *v = gy_ddb_map_get(item, gy_str_c(attr));
    char num[64];
    if (!v || v->type != GY_DDB_N || v->u.s.len >= sizeof(num))
        return false;
    memcpy(num, v->u.s.p, v->u.s.len);
    num[v->u.s.len] = '\0';
    double at = strtod(num, NULL);
    return at < (double)now_s && at >= (double)(now_s - FIVE_YEARS_S);
}

/* One link of a sweep chain: the tables to visit and where the current one resumes. */
struct sweep_job {
    struct gy_store_job job;
    struct ttl_sweeper *s;
    struct gy_arena *names_arena;   /* owns names */
    struct gy_str *names;           /* tables at the start of the sweep */
    size_t n, at;                   /* count, the one being swept */
    unsigned char *resume;          /* next item key of names[at] (heap), NULL = its start */
    size_t resume_len;
    bool more;                      /* resubmit */
};

struct doomed {
    struct gy_str key;
    struct gy_ddb_map item;
};

/* Scan one batch of table t; collect the expired items (deep copies) into out. */
static int sweep_scan(struct gy_store_txn *txn, struct sweep_job *sj, const struct gy_ddb_table *t,
                      struct gy_arena *a, struct doomed *out, size_t *nout, bool *done)
{
    struct gy_store_cursor *cur;
    struct gy_str k, v;
    unsigned char pre[4] = { (unsigned char)(t->id >> 24), (unsigned char)(t->id >> 16),
                             (unsigned char)(t->id >> 8), (unsigned char)t->id };
    struct gy_str prefix = { (char *)pre, 4 };
    int64_t now_s = gy_now_ms() / 1000;
    int n = 0;
    int rc = gy_store_cursor_open(txn, GY_DB_ITEMS, &cur);
    if (rc)
        return rc;
    *done = true;
    struct gy_str start = sj->resume ? (struct gy_str){ (char *)sj->resume, sj->resume_len } : prefix;
    for (rc = gy_store_cursor_seek(cur, start, &k, &v); rc == 0 && gy_str_startswith(k, prefix);
         rc = gy_store_cursor_next(cur, &k, &v)) {
        struct gy_ddb_map item;
        if (n++ == SCAN_BATCH) {
            gy_free(sj->resume);
            sj->resume = gy_malloc(k.len);
            memcpy(sj->resume, k.p, k.len);
            sj->resume_len = k.len;
            *done = false;
            break;
        }
        if (gy_ddb_map_decode(a, v.p, v.len, &item) || !expired(&item, t->ttl_attr, now_s))
            continue;
        out[*nout].key = gy_arena_strdup(a, k);
        gy_ddb_map_copy(a, &item, &out[*nout].item);
        (*nout)++;
    }
    gy_store_cursor_close(cur);
    return rc == GY_ENOTFOUND ? 0 : rc;
}

static int sweep_apply(struct gy_store_txn *txn, void *arg)
{
    struct sweep_job *sj = arg;
    struct gy_ddb *d = sj->s->d;
    int rc = 0;

    sj->more = false;
    while (sj->at < sj->n) {
        struct gy_ddb_table *t = gy_ddb_catalog_get(d->catalog, sj->names[sj->at]);
        if (!t || !t->ttl_attr) {
            gy_ddb_table_unref(t);
            sj->at++;
            gy_free(sj->resume);
            sj->resume = NULL;
            continue;
        }
        struct gy_arena *a = gy_arena_create(1 << 16);
        struct doomed *out = gy_arena_calloc(a, SCAN_BATCH, sizeof(*out));
        size_t nout = 0;
        bool done = true;
        rc = sweep_scan(txn, sj, t, a, out, &nout, &done);
        for (size_t i = 0; rc == 0 && i < nout; i++) {
            struct gy_ddb_change c = {
                .t = t,
                .key = out[i].key,
                .old = &out[i].item,
                .old_size = gy_ddb_map_size(&out[i].item),
                .by_service = true,
                .d = d,
            };
            rc = gy_ddb__item_apply(txn, &c);
        }
        gy_arena_destroy(a);
        gy_ddb_table_unref(t);
        if (done) {
            sj->at++;
            gy_free(sj->resume);
            sj->resume = NULL;
        }
        sj->more = sj->at < sj->n;
        break; /* one batch per job */
    }
    return rc;
}

static void sweep_free(struct sweep_job *sj)
{
    struct ttl_sweeper *s = sj->s;
    pthread_mutex_lock(&s->lock);
    s->running = false;
    bool orphaned = s->orphaned;
    pthread_mutex_unlock(&s->lock);
    if (orphaned)
        sweeper_destroy(s);
    gy_arena_destroy(sj->names_arena);
    gy_free(sj->resume);
    gy_free(sj);
}

static void sweep_done(void *arg, int rc)
{
    struct sweep_job *sj = arg;
    if (rc)
        gy_log_warn("ttl: sweep batch failed: %s", gy_strerror(rc));
    if (rc == 0 && sj->more && gy_store_submit(sj->s->d->store, &sj->job) == 0)
        return;
    sweep_free(sj);
}

/* Start a sweep chain over every table (those without TTL are skipped quickly). */
static void sweep_start(struct ttl_sweeper *s)
{
    struct sweep_job *sj = gy_calloc(1, sizeof(*sj));
    int more = 0;
    sj->s = s;
    sj->names_arena = gy_arena_create(1 << 14);
    sj->n = gy_ddb_catalog_list(s->d->catalog, sj->names_arena, GY_STR_NULL, 100000, &sj->names,
                                &more);
    sj->job.apply = sweep_apply;
    sj->job.done = sweep_done;
    sj->job.arg = sj;
    if (sj->n == 0 || gy_store_submit(s->d->store, &sj->job))
        sweep_free(sj);
}

static void *sweeper_main(void *arg)
{
    struct ttl_sweeper *s = arg;
    pthread_mutex_lock(&s->lock);
    while (!s->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += s->interval_ms / 1000;
        ts.tv_nsec += (s->interval_ms % 1000) * 1000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&s->cond, &s->lock, &ts);
        if (s->stop || s->running)
            continue;
        s->running = true;
        pthread_mutex_unlock(&s->lock);
        sweep_start(s);
        pthread_mutex_lock(&s->lock);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

int gy_ddb__ttl_start(struct gy_ddb *d)
{
    struct ttl_sweeper *s = gy_calloc(1, sizeof(*s));
    const char *env = getenv("GYRE_TTL_SWEEP_MS");
    char *end = NULL;
    long long ms = env && *env ? strtoll(env, &end, 10) : DEFAULT_SWEEP_MS;
    if (end && *end)
        ms = DEFAULT_SWEEP_MS;
    s->interval_ms = ms < 10 ? 10 : ms > 86400000 ? 86400000 : ms;
    s->d = d;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->cond, NULL);
    if (pthread_create(&s->thread, NULL, sweeper_main, s)) {
        gy_log_error("ttl: cannot start the sweeper thread");
        pthread_mutex_destroy(&s->lock);
        pthread_cond_destroy(&s->cond);
        gy_free(s);
        return GY_EIO;
    }
    gy_ddb_catalog_set_sweeper(d->catalog, s);
    return 0;
}

void gy_ddb__ttl_stop(struct gy_ddb *d)
{
    struct ttl_sweeper *s = d && d->catalog ? gy_ddb_catalog_sweeper(d->catalog) : NULL;
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    s->stop = true;
    pthread_cond_signal(&s->cond);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);
    gy_ddb_catalog_set_sweeper(d->catalog, NULL);
    /* A chain still in flight belongs to the store's queue, which drains before it closes. */
    pthread_mutex_lock(&s->lock);
    bool running = s->running;
    s->orphaned = running;
    pthread_mutex_unlock(&s->lock);
    if (running)
        return; /* the chain's last job (drained by gy_store_close) frees it in sweep_free */
    sweeper_destroy(s);
}

/*
 * ops_table.c — the DynamoDB control plane: CreateTable, DescribeTable, ListTables,
 * DeleteTable, UpdateTable, DescribeLimits, DescribeEndpoints and the tagging operations.
 * Tables are ACTIVE as soon as the call returns (there is nothing to provision), so
 * `aws dynamodb wait table-exists` returns at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/json.h"
#include "core/mem.h"
#include "dynamodb/dynamodb_int.h"
#include "dynamodb/index.h"
#include "net/http.h"
#include "store/store.h"

#define MAX_TABLES 2500 /* DynamoDB's default per-region table quota */

/* ---- CreateTable ---- */

struct create_state {
    struct gy_ddb_table *t;  /* the new table (reference passed to the catalog on success) */
    bool published;
};

static int create_apply(struct gy_store_txn *txn, struct gy_ddb_job *j)
{
    struct gy_ddb *d = j->req->ctx;
    struct create_state *st = j->data;
    if (gy_ddb_catalog_count(d->catalog) >= MAX_TABLES)
        return gy_error_set(&j->req->err, j->req->arena, GY_AWS_LIMIT_EXCEEDED,
                            "Subscriber limit exceeded: Number of tables exceeds the limit of %d",
                            MAX_TABLES);
    gy_ddb_table_ref(st->t); /* one for the catalog, one kept for the response */
    int rc = gy_ddb_catalog_create(d->catalog, txn, st->t);
    if (rc) {
        gy_ddb_table_unref(st->t);
        if (rc == GY_EEXIST)
            return gy_error_set(&j->req->err, j->req->arena, GY_AWS_RESOURCE_IN_USE,
                                "Table already exists: %s", st->t->name);
        return rc;
    }
    st->published = true;
    return 0;
}

static void create_after(struct gy_ddb_job *j, int rc)
{
    struct create_state *st = j->data;
    struct gy_ddb *d = j->req->ctx;
    if (rc && st->published)
        gy_ddb_catalog_reload(d->catalog); /* the commit failed: forget what was published */
}

static void create_respond(struct gy_ddb_job *j)
{
    struct create_state *st = j->data;
    struct gy_jw *w = &j->req->w;
    gy_jw_obj_begin(w);
    gy_jw_key(w, "TableDescription");
    gy_ddb_table_describe(w, st->t, NULL, "CREATING");
    gy_jw_obj_end(w);
}

static void unref_table(void *p)
{
    gy_ddb_table_unref(p);
}

int gy_ddb__create_table(struct gy_aws_req *req)
{
    struct gy_ddb *d = req->ctx;
    struct gy_ddb_table *t;
    if (gy_ddb_table_from_request(req->body, &t, &req->err, req->arena))
        return GY_EAWS;
    gy_arena_add_cleanup(req->arena, unref_table, t);
    t->arn = gy_strdup(gy_arena_printf(req->arena, "arn:aws:dynamodb:%s:%s:table/%s", d->region,
                                       d->account, t->name));
    gy_uuid4(t->table_id);
    t->created_ms = gy_now_ms();
    if (t->billing == GY_DDB_PAY_PER_REQUEST)
        t->billing_changed_ms = t->created_ms;
    if (t->stream_enabled)
        t->stream_created_ms = t->created_ms;

    struct gy_ddb_job *j = gy_arena_zalloc(req->arena, sizeof(*j));
    struct create_state *st = gy_arena_zalloc(req->arena, sizeof(*st));
    st->t = t;
    j->data = st;
    j->apply = create_apply;
    j->after = create_after;
    j->respond = create_respond;
    return gy_ddb__submit(req, j);
}

/* ---- DescribeTable ---- */

static void read_stats(struct gy_ddb *d, const struct gy_ddb_table *t, struct gy_ddb_table_stats *s)
{
    struct gy_store_txn *txn;
    s->items = s->bytes = 0;
    s->nidx = 0;
    if (gy_store_read_begin(d->store, &txn) == 0) {
        gy_ddb_stats_read(txn, t->id, s);
        gy_ddb_index_stats_read(txn, t, s);
        gy_store_read_end(txn);
    }
}

/*
 * How long a new table reports CREATING, and an updated one UPDATING: GYRE_TABLE_TRANSITION_MS,
 * default 0 (instant, so local use never waits). CreateTable's own response says CREATING and
 * UpdateTable's says UPDATING either way, as DynamoDB's do.
 */
static int64_t transition_ms(void)
{
    const char *env = getenv("GYRE_TABLE_TRANSITION_MS");
    char *end = NULL;
    long long v = env ? strtoll(env, &end, 10) : 0;
    return env && end && *end == '\0' && v > 0 ? (int64_t)v : 0;
}

/* TableStatus: CREATING or UPDATING during a transition, UPDATING while a GSI is being built. */
static const char *table_status(const struct gy_ddb_table *t)
{
    int64_t ms = transition_ms();
    if (ms && gy_now_ms() < t->created_ms + ms)
        return "CREATING";
    if (ms && gy_now_ms() < t->updated_ms + ms)
        return "UPDATING";
    for (uint32_t i = 0; i < t->nindexes; i++)
        if (t->indexes[i].backfilling)
            return "UPDATING";
    return "ACTIVE";
}

int gy_ddb__describe_table(struct gy_aws_req *req)
{
    struct gy_ddb *d = req->ctx;
    struct gy_ddb_table *t = gy_ddb__table_arg(req, "TableName", true);
    struct gy_ddb_table_stats stats;
    if (!t)
        return GY_EAWS;
    read_stats(d, t, &stats);
    gy_jw_obj_begin(&req->w);
    gy_jw_key(&req->w, "Table");
    gy_ddb_table_describe(&req->w, t, &stats, table_status(t));
    gy_jw_obj_end(&req->w);
    return 0;
}

/* ---- ListTables ---- */

int gy_ddb__list_tables(struct gy_aws_req *req)
{
    struct gy_ddb *d = req->ctx;
    const struct gy_json *lj = gy_json_get(req->body, "Limit");
    const struct gy_json *sj = gy_json_get(req->body, "ExclusiveStartTableName");
    int64_t limit = 100;
    struct gy_str start = gy_json_str(sj);
    struct gy_str *names;
    int more;

    if (lj && gy_json_is(lj, GY_JSON_NULL))
        lj = NULL; /* a JSON null member is absent */
    if (sj && gy_json_is(sj, GY_JSON_NULL))
        sj = NULL;
    if (lj && (!gy_json_int(lj, &limit) || limit < 1 || limit > 100))
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "1 validation error detected: Value '%g' at 'limit' failed to satisfy "
                            "constraint: Member must have value %s",
                            gy_json_num(lj),
                            gy_json_num(lj) < 1 ? "greater than or equal to 1"
                                                : "less than or equal to 100");
    if (sj && (!start.p || gy_ddb_table_name_check(start, "exclusiveStartTableName", &req->err,
                                                   req->arena)))
        return start.p ? GY_EAWS
                       : gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION,
                                      "Unexpected value type in payload: ExclusiveStartTableName");
    size_t n = gy_ddb_catalog_list(d->catalog, req->arena, start, (size_t)limit, &names, &more);
    gy_jw_obj_begin(&req->w);
    gy_jw_key(&req->w, "TableNames");
    gy_jw_arr_begin(&req->w);
    for (size_t i = 0; i < n; i++)
        gy_jw_str(&req->w, names[i]);
    gy_jw_arr_end(&req->w);
    if (more && n > 0) {
        gy_jw_key(&req->w, "LastEvaluatedTableName");
        gy_jw_str(&req->w, names[n - 1]);
    }
    gy_jw_obj_end(&req->w);
    return 0;
}

/* ---- DeleteTable ---- */

struct drop_state {
    struct gy_ddb_table *t;
    struct gy_ddb_table_stats stats;
};

static int delete_apply(struct gy_store_txn *txn, struct gy_ddb_job *j)
{
    struct gy_ddb *d = j->req->ctx;
    struct drop_state *st = j->data;
    if (!gy_ddb_catalog_is_live(d->catalog, st->t))
        return gy_error_set(&j->req->err, j->req->arena, GY_AWS_RESOURCE_NOT_FOUND,
                            "Requested resource not found: Table: %s not found", st->t->name);
    struct gy_ddb_table *cur = gy_ddb_catalog_get(d->catalog, gy_str_c(st->t->name));
    bool protected_ = cur && cur->deletion_protection;
    gy_ddb_table_unref(cur);
    if (protected_)
        return gy_error_set(&j->req->err, j->req->arena, GY_AWS_VALIDATION,
                            "Resource cannot be deleted as it is currently protected against "
                            "deletion. Disable deletion protection first.");
    gy_ddb_stats_read(txn, st->t->id, &st->stats);
    return gy_ddb_catalog_drop(d->catalog, txn, st->t);
}

static void delete_after(struct gy_ddb_job *j, int rc)
{
    struct gy_ddb *d = j->req->ctx;
    if (rc == 0)
        gy_ddb_catalog_purge(d->catalog);
    else if (rc == GY_EIO)
        gy_ddb_catalog_reload(d->catalog);
}

static void delete_respond(struct gy_ddb_job *j)
{
    struct drop_state *st = j->data;
    struct gy_jw *w = &j->req->w;
    gy_jw_obj_begin(w);
    gy_jw_key(w, "TableDescription");
    gy_ddb_table_describe(w, st->t, &st->stats, "DELETING");
    gy_jw_obj_end(w);
}

int gy_ddb__delete_table(struct gy_aws_req *req)
{
    struct gy_ddb_table *t = gy_ddb__table_arg(req, "TableName", true);
    if (!t)
        return GY_EAWS;
    struct gy_ddb_job *j = gy_arena_zalloc(req->arena, sizeof(*j));
    struct drop_state *st = gy_arena_zalloc(req->arena, sizeof(*st));
    st->t = t;
    j->data = st;
    j->apply = delete_apply;
    j->after = delete_after;
    j->respond = delete_respond;
    return gy_ddb__submit(req, j);
}

/* ---- UpdateTable and tags: publish a changed copy of the table ---- */

typedef int (*table_change_fn)(struct gy_aws_req *req, struct gy_ddb_table *t);

struct change_state {
    struct gy_ddb_table *orig;  /* the version the request resolved */
    struct gy_ddb_table *t;     /* the new version (owned by the request until published) */
    table_change_fn change;     /* applies the request to a fresh copy, on the writer thread */
    bool describe;              /* respond with the TableDescription */
    bool published;
};

static int change_apply(struct gy_store_txn *txn, struct gy_ddb_job *j)
{
    struct gy_ddb *d = j->req->ctx;
    struct change_state *st = j->data;
    /* Re-read the current version on the writer thread so concurrent changes compose. */
    struct gy_ddb_table *cur = gy_ddb_catalog_get(d->catalog, gy_str_c(st->orig->name));
    if (!cur || cur->id != st->orig->id) {
        gy_ddb_table_unref(cur);
        return gy_error_set(&j->req->err, j->req->arena, GY_AWS_RESOURCE_NOT_FOUND,
                            "Requested resource not found: Table: %s not found", st->orig->name);
    }
    st->t = gy_ddb_table_clone(cur);
    gy_ddb_table_unref(cur);
    gy_arena_add_cleanup(j->req->arena, unref_table, st->t);
    int rc = st->change(j->req, st->t);
    if (rc)
        return rc;
    gy_ddb_table_ref(st->t);
    rc = gy_ddb_catalog_replace(d->catalog, txn, st->t);
    if (rc) {
        gy_ddb_table_unref(st->t);
        return rc;
    }
    st->published = true;
    return 0;
}

static void change_after(struct gy_ddb_job *j, int rc)
{
    struct change_state *st = j->data;
    struct gy_ddb *d = j->req->ctx;
    if (rc && st->published)
        gy_ddb_catalog_reload(d->catalog);
    if (rc == 0 && st->published) {
        gy_ddb_catalog_purge(d->catalog);    /* entries of deleted indexes */
        gy_ddb_catalog_backfill(d->catalog); /* build created indexes */
    }
}

static void change_respond(struct gy_ddb_job *j)
{
    struct change_state *st = j->data;
    struct gy_ddb *d = j->req->ctx;
    struct gy_ddb_table_stats stats;
    if (!st->describe)
        return;
    read_stats(d, st->t, &stats);
    gy_jw_obj_begin(&j->req->w);
    gy_jw_key(&j->req->w, "TableDescription");
    gy_ddb_table_describe(&j->req->w, st->t, &stats, "UPDATING");
    gy_jw_obj_end(&j->req->w);
}

static int submit_change(struct gy_aws_req *req, struct gy_ddb_table *t, table_change_fn fn,
                         bool describe)
{
    struct gy_ddb_job *j = gy_arena_zalloc(req->arena, sizeof(*j));
    struct change_state *st = gy_arena_zalloc(req->arena, sizeof(*st));
    st->orig = t;
    st->change = fn;
    st->describe = describe;
    j->data = st;
    j->apply = change_apply;
    j->after = change_after;
    j->respond = change_respond;
    return gy_ddb__submit(req, j);
}

static int update_change(struct gy_aws_req *req, struct gy_ddb_table *t)
{
    const struct gy_json *body = req->body;
    struct gy_str mode = gy_json_str(gy_json_get(body, "BillingMode"));
    const struct gy_json *pt = gy_json_get(body, "ProvisionedThroughput");
    const struct gy_json *dp = gy_json_get(body, "DeletionProtectionEnabled");
    const struct gy_json *ss = gy_json_get(body, "StreamSpecification");
    struct gy_str cls = gy_json_str(gy_json_get(body, "TableClass"));
    int64_t now = gy_now_ms();

    if (gy_ddb_indexes_update(body, t, &req->err, req->arena))
        return GY_EAWS;
    t->updated_ms = now;

    if (mode.p) {
        if (!gy_str_eqc(mode, "PROVISIONED") && !gy_str_eqc(mode, "PAY_PER_REQUEST"))
            return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                                "1 validation error detected: Value '%s' at 'billingMode' failed "
                                "to satisfy constraint: Member must satisfy enum value set: "
                                "[PROVISIONED, PAY_PER_REQUEST]",
                                mode.p);
        enum gy_ddb_billing b = gy_str_eqc(mode, "PAY_PER_REQUEST") ? GY_DDB_PAY_PER_REQUEST
                                                                    : GY_DDB_PROVISIONED;
        if (b == GY_DDB_PAY_PER_REQUEST && pt)
            return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                                "One or more parameter values were invalid: Neither "
                                "ReadCapacityUnits nor WriteCapacityUnits can be specified when "
                                "BillingMode is PAY_PER_REQUEST");
        if (b == GY_DDB_PROVISIONED && t->billing == GY_DDB_PAY_PER_REQUEST && !pt)
            return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                                "One or more parameter values were invalid: ProvisionedThroughput "
                                "must be specified when BillingMode is PROVISIONED");
        if (b == GY_DDB_PAY_PER_REQUEST && t->billing != b) {
            t->billing_changed_ms = now;
            t->rcu = t->wcu = 0;
        }
        for (uint32_t i = 0; i < t->nindexes; i++) {
            struct gy_ddb_index *ix = &t->indexes[i];
            if (ix->local)
                continue;
            if (b == GY_DDB_PAY_PER_REQUEST)
                ix->rcu = ix->wcu = 0;
            if (b == GY_DDB_PROVISIONED && !ix->rcu) {
                gy_json_int(gy_json_get(pt, "ReadCapacityUnits"), &ix->rcu);
                gy_json_int(gy_json_get(pt, "WriteCapacityUnits"), &ix->wcu);
            }
        }
        t->billing = b;
    }
    if (pt) {
        int64_t r = 0, w = 0;
        if (!gy_json_int(gy_json_get(pt, "ReadCapacityUnits"), &r) ||
            !gy_json_int(gy_json_get(pt, "WriteCapacityUnits"), &w))
            return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                                "One or more parameter values were invalid: ReadCapacityUnits and "
                                "WriteCapacityUnits must both be specified when BillingMode is "
                                "PROVISIONED");
        if (r < 1 || w < 1)
            return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                                "1 validation error detected: Value '%lld' at "
                                "'provisionedThroughput.%s' failed to satisfy constraint: Member "
                                "must have value greater than or equal to 1",
                                (long long)(r < 1 ? r : w),
                                r < 1 ? "readCapacityUnits" : "writeCapacityUnits");
        if (t->billing == GY_DDB_PAY_PER_REQUEST)
            return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                                "One or more parameter values were invalid: Neither "
                                "ReadCapacityUnits nor WriteCapacityUnits can be specified when "
                                "BillingMode is PAY_PER_REQUEST");
        if (!mode.p && r == t->rcu && w == t->wcu)
            return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                                "The provisioned throughput for the table will not change. The "
                                "requested value equals the current value. Current "
                                "ReadCapacityUnits provisioned for the table: %lld. Requested "
                                "ReadCapacityUnits: %lld. Current WriteCapacityUnits provisioned "
                                "for the table: %lld. Requested WriteCapacityUnits: %lld. Refer to "
                                "the Amazon DynamoDB Developer Guide for current limits and how "
                                "to request higher limits.",
                                (long long)t->rcu, (long long)r, (long long)t->wcu, (long long)w);
        if (r > t->rcu || w > t->wcu)
            t->last_increase_ms = now;
        if (r < t->rcu || w < t->wcu) {
            t->last_decrease_ms = now;
            t->decreases_today++;
        }
        t->rcu = r;
        t->wcu = w;
    }
    if (dp && !gy_json_bool(dp, &t->deletion_protection))
        return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION,
                            "Unexpected value type in payload: DeletionProtectionEnabled");
    if (ss) {
        bool en = false;
        gy_json_bool(gy_json_get(ss, "StreamEnabled"), &en);
        struct gy_str vt = gy_json_str(gy_json_get(ss, "StreamViewType"));
        if (en && t->stream_enabled)
            return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                                "Table already has an enabled stream: %s", t->arn);
        if (!en && !t->stream_enabled)
            return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                                "Table already has no stream enabled");
        if (!en && t->nreplicas > 1)
            return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                                "Disabling Stream is not allowed for a Global Table replica");
        if (en && !(gy_str_eqc(vt, "KEYS_ONLY") || gy_str_eqc(vt, "NEW_IMAGE") ||
                    gy_str_eqc(vt, "OLD_IMAGE") || gy_str_eqc(vt, "NEW_AND_OLD_IMAGES")))
            return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                                "One or more parameter values were invalid: StreamViewType is "
                                "required when StreamEnabled is true");
        t->stream_enabled = en;
        if (en) {
            snprintf(t->stream_view, sizeof(t->stream_view), "%s", vt.p);
            t->stream_created_ms = now > t->stream_created_ms ? now : t->stream_created_ms + 1;
        }
    }
    if (cls.p) {
        if (!gy_str_eqc(cls, "STANDARD") && !gy_str_eqc(cls, "STANDARD_INFREQUENT_ACCESS"))
            return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                                "1 validation error detected: Value '%s' at 'tableClass' failed "
                                "to satisfy constraint: Member must satisfy enum value set: "
                                "[STANDARD_INFREQUENT_ACCESS, STANDARD]",
                                cls.p);
        gy_free(t->table_class);
        t->table_class = gy_strndup(cls.p, cls.len);
    }
    return 0;
}

int gy_ddb__update_table(struct gy_aws_req *req)
{
    const struct gy_json *b = req->body;
    struct gy_ddb_table *t = gy_ddb__table_arg(req, "TableName", true);
    if (!t)
        return GY_EAWS;
    if (gy_json_get(b, "ReplicaUpdates")) {
        struct gy_ddb *d = req->ctx;
        if (!d->update_replicas)
            return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                                "One or more parameter values were invalid: this region has no "
                                "peer regions (start it with --peer REGION=URL)");
        return d->update_replicas(d->replicas_ctx, req);
    }
    if (!gy_json_get(b, "GlobalSecondaryIndexUpdates") &&
        !gy_json_get(b, "BillingMode") && !gy_json_get(b, "ProvisionedThroughput") &&
        !gy_json_get(b, "DeletionProtectionEnabled") && !gy_json_get(b, "StreamSpecification") &&
        !gy_json_get(b, "TableClass") && !gy_json_get(b, "SSESpecification"))
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "At least one of ProvisionedThroughput, BillingMode, "
                            "UpdateStreamEnabled, GlobalSecondaryIndexUpdates or SSESpecification "
                            "or ReplicaUpdates is required");
    return submit_change(req, t, update_change, true);
}

/* ---- Tags ---- */

static struct gy_ddb_table *table_by_arn(struct gy_aws_req *req)
{
    struct gy_ddb *d = req->ctx;
    struct gy_str arn = gy_json_str(gy_json_get(req->body, "ResourceArn"));
    if (!arn.p)
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "1 validation error detected: Value null at 'resourceArn' failed to "
                            "satisfy constraint: Member must not be null"),
               NULL;
    char *prefix = gy_arena_printf(req->arena, "arn:aws:dynamodb:%s:%s:table/", d->region,
                                   d->account);
    if (!gy_str_startswith(arn, GY_STR("arn:aws:dynamodb:")) || !memchr(arn.p, '/', arn.len))
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "Invalid TableArn: Invalid ResourceArn provided as input %s", arn.p),
               NULL;
    struct gy_ddb_table *t = NULL;
    if (gy_str_startswith(arn, gy_str_c(prefix)))
        t = gy_ddb_catalog_get(d->catalog, (struct gy_str){ arn.p + strlen(prefix),
                                                            arn.len - strlen(prefix) });
    if (!t)
        return gy_error_set(&req->err, req->arena, GY_AWS_RESOURCE_NOT_FOUND,
                            "Requested resource not found: ResourcArn: %s not found", arn.p),
               NULL;
    gy_arena_add_cleanup(req->arena, unref_table, t);
    return t;
}

static int tag_change(struct gy_aws_req *req, struct gy_ddb_table *t)
{
    const struct gy_json *tags = gy_json_get(req->body, "Tags");
    for (const struct gy_json *tg = gy_json_child(tags); tg; tg = gy_json_next(tg)) {
        struct gy_str k = gy_json_str(gy_json_get(tg, "Key"));
        struct gy_str v = gy_json_str(gy_json_get(tg, "Value"));
        if (!k.p || !v.p || k.len < 1 || k.len > 128 || v.len > 256)
            return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                                "One or more parameter values were invalid: invalid tag key or "
                                "value");
        uint32_t i;
        for (i = 0; i < t->ntags; i++)
            if (gy_str_eqc(k, t->tags[i].key))
                break;
        if (i == t->ntags) {
            if (t->ntags >= GY_DDB_MAX_TAGS)
                return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                                    "One or more parameter values were invalid: The number of "
                                    "tags exceeds the limit of %d",
                                    GY_DDB_MAX_TAGS);
            t->tags = gy_reallocarray(t->tags, t->ntags + 1, sizeof(*t->tags));
            t->tags[i].key = gy_strndup(k.p, k.len);
            t->tags[i].value = NULL;
            t->ntags++;
        }
        gy_free(t->tags[i].value);
        t->tags[i].value = gy_strndup(v.p, v.len);
    }
    return 0;
}

static int untag_change(struct gy_aws_req *req, struct gy_ddb_table *t)
{
    const struct gy_json *keys = gy_json_get(req->body, "TagKeys");
    for (const struct gy_json *kj = gy_json_child(keys); kj; kj = gy_json_next(kj)) {
        struct gy_str k = gy_json_str(kj);
        for (uint32_t i = 0; i < t->ntags; i++) {
            if (!gy_str_eqc(k, t->tags[i].key))
                continue;
            gy_free(t->tags[i].key);
            gy_free(t->tags[i].value);
            memmove(t->tags + i, t->tags + i + 1, (t->ntags - i - 1) * sizeof(*t->tags));
            t->ntags--;
            break;
        }
    }
    return 0;
}

int gy_ddb__tag_resource(struct gy_aws_req *req)
{
    const struct gy_json *tags = gy_json_get(req->body, "Tags");
    struct gy_ddb_table *t = table_by_arn(req);
    if (!t)
        return GY_EAWS;
    if (!gy_json_is(tags, GY_JSON_ARRAY))
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "1 validation error detected: Value null at 'tags' failed to satisfy "
                            "constraint: Member must not be null");
    return submit_change(req, t, tag_change, false);
}

int gy_ddb__untag_resource(struct gy_aws_req *req)
{
    const struct gy_json *keys = gy_json_get(req->body, "TagKeys");
    struct gy_ddb_table *t = table_by_arn(req);
    if (!t)
        return GY_EAWS;
    if (!gy_json_is(keys, GY_JSON_ARRAY))
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "1 validation error detected: Value null at 'tagKeys' failed to "
                            "satisfy constraint: Member must not be null");
    return submit_change(req, t, untag_change, false);
}

int gy_ddb__list_tags(struct gy_aws_req *req)
{
    struct gy_ddb_table *t = table_by_arn(req);
    if (!t)
        return GY_EAWS;
    gy_jw_obj_begin(&req->w);
    gy_jw_key(&req->w, "Tags");
    gy_jw_arr_begin(&req->w);
    for (uint32_t i = 0; i < t->ntags; i++) {
        gy_jw_obj_begin(&req->w);
        gy_jw_key(&req->w, "Key");
        gy_jw_cstr(&req->w, t->tags[i].key);
        gy_jw_key(&req->w, "Value");
        gy_jw_cstr(&req->w, t->tags[i].value);
        gy_jw_obj_end(&req->w);
    }
    gy_jw_arr_end(&req->w);
    gy_jw_obj_end(&req->w);
    return 0;
}

/* ---- DescribeLimits, DescribeEndpoints ---- */

int gy_ddb__describe_limits(struct gy_aws_req *req)
{
    gy_jw_obj_begin(&req->w);
    gy_jw_key(&req->w, "AccountMaxReadCapacityUnits"); gy_jw_int(&req->w, 80000);
    gy_jw_key(&req->w, "AccountMaxWriteCapacityUnits"); gy_jw_int(&req->w, 80000);
    gy_jw_key(&req->w, "TableMaxReadCapacityUnits"); gy_jw_int(&req->w, 40000);
    gy_jw_key(&req->w, "TableMaxWriteCapacityUnits"); gy_jw_int(&req->w, 40000);
    gy_jw_obj_end(&req->w);
    return 0;
}

int gy_ddb__describe_endpoints(struct gy_aws_req *req)
{
    const struct gy_str *host = gy_http_req_header(req->http, "host");
    gy_jw_obj_begin(&req->w);
    gy_jw_key(&req->w, "Endpoints");
    gy_jw_arr_begin(&req->w);
    gy_jw_obj_begin(&req->w);
    gy_jw_key(&req->w, "Address");
    gy_jw_str(&req->w, host ? *host : GY_STR("localhost"));
    gy_jw_key(&req->w, "CachePeriodInMinutes");
    gy_jw_int(&req->w, 1440);
    gy_jw_obj_end(&req->w);
    gy_jw_arr_end(&req->w);
    gy_jw_obj_end(&req->w);
    return 0;
}

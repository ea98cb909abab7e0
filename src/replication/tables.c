/*
 * tables.c — global-table management: UpdateTable ReplicaUpdates (version 2019.11.21), the
 * legacy CreateGlobalTable / UpdateGlobalTable / DescribeGlobalTable / ListGlobalTables
 * (2017.11.29), and applying table definitions received from peers.
 *
 * A global table's definition lists every replica region. Any change to it is published with
 * a new schema stamp (an HLC-like time); shippers send it to every peer, and a receiver keeps
 * the definition with the greatest stamp, so all regions converge on one definition. A region
 * that receives a definition naming it creates its replica; one that is no longer named drops
 * its table. Region-specific parts (ARN, TableId, storage id, stream label) stay local.
 */
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/log.h"
#include "core/mem.h"
#include "dynamodb/catalog.h"
#include "dynamodb/dynamodb.h"
#include "dynamodb/table.h"
#include "replication/repl_int.h"
#include "store/store.h"

bool gy_repl__has_replica(const struct gy_ddb_table *t, const char *region)
{
    for (uint32_t i = 0; i < t->nreplicas; i++)
        if (strcmp(t->replicas[i].region, region) == 0)
            return true;
    return false;
}

struct peer *gy_repl__peer(struct gy_repl *r, const char *region)
{
    for (size_t i = 0; i < r->npeers; i++)
        if (strcmp(r->peers[i].cfg.region, region) == 0)
            return &r->peers[i];
    return NULL;
}

static uint64_t next_schema_stamp(const struct gy_ddb_table *cur)
{
    uint64_t now = (uint64_t)gy_now_ms() << 16;
    uint64_t min = cur ? cur->schema_stamp + 1 : 1;
    return now > min ? now : min;
}

/* ---- publishing a local change ---- */

struct publish_job {
    struct gy_repl *r;
    struct gy_str name;       /* the table */
    gy_repl_mutate_fn fn;     /* applies the change to a copy of the current definition */
    void *arg;
    struct gy_ddb_table *out; /* the published version (referenced), or NULL */
    struct gy_error *err;
    struct gy_arena *a;
};

static int publish_apply(struct gy_store_txn *txn, void *arg)
{
    struct publish_job *pj = arg;
    struct gy_ddb_catalog *cat = pj->r->ddb->catalog;
    struct gy_ddb_table *cur = gy_ddb_catalog_get(cat, pj->name);
    int rc;
    if (!cur)
        return pj->err ? gy_error_set(pj->err, pj->a, GY_AWS_RESOURCE_NOT_FOUND,
                                      "Requested resource not found: Table: %.*s not found",
                                      (int)pj->name.len, pj->name.p)
                       : GY_ENOTFOUND;
    struct gy_ddb_table *nt = gy_ddb_table_clone(cur);
    rc = pj->fn(nt, pj->arg);
    if (rc == GY_EFALSE) {
        /* Nothing to change. */
        gy_ddb_table_unref(nt);
        gy_ddb_table_unref(cur);
        return 0;
    }
    if (rc) {
        gy_ddb_table_unref(nt);
        gy_ddb_table_unref(cur);
        return rc;
    }
    nt->schema_stamp = next_schema_stamp(cur);
    gy_ddb_table_unref(cur);
    gy_ddb_table_ref(nt);
    rc = gy_ddb_catalog_replace(cat, txn, nt);
    if (rc) {
        gy_ddb_table_unref(nt);
        gy_ddb_table_unref(nt);
        return rc;
    }
    pj->out = nt;
    return 0;
}

int gy_repl__publish(struct gy_repl *r, struct gy_str name, gy_repl_mutate_fn fn, void *arg,
                     struct gy_ddb_table **out, struct gy_error *err, struct gy_arena *a)
{
    struct publish_job pj = { r, name, fn, arg, NULL, err, a };
    int rc = gy_store_run(r->ddb->store, publish_apply, &pj);
    if (rc == GY_EIO)
        gy_ddb_catalog_reload(r->ddb->catalog);
    if (out)
        *out = pj.out;
    else
        gy_ddb_table_unref(pj.out);
    gy_repl__wake(r);
    return rc;
}

/* ---- definitions from peers ---- */

struct define_job {
    struct gy_repl *r;
    struct gy_ddb_table *in;  /* the received definition */
    bool dropped;
};

static int define_apply(struct gy_store_txn *txn, void *arg)
{
    struct define_job *dj = arg;
    struct gy_repl *r = dj->r;
    struct gy_ddb_catalog *cat = r->ddb->catalog;
    struct gy_ddb_table *in = dj->in;
    struct gy_ddb_table *cur = gy_ddb_catalog_get(cat, gy_str_c(in->name));
    int rc = 0;

    if (!gy_repl__has_replica(in, r->region)) {
        /* This region's replica was removed. */
        if (cur && cur->nreplicas > 1 && in->schema_stamp > cur->schema_stamp) {
            rc = gy_ddb_catalog_drop(cat, txn, cur);
            dj->dropped = rc == 0;
        }
        gy_ddb_table_unref(cur);
        return rc;
    }
    if (cur && in->schema_stamp <= cur->schema_stamp) {
        gy_ddb_table_unref(cur);
        return 0; /* we already have this definition or a newer one */
    }
    struct gy_ddb_table *nt = gy_ddb_table_clone(in);
    gy_free(nt->arn);
    nt->arn = NULL;
    char arn[512];
    snprintf(arn, sizeof(arn), "arn:aws:dynamodb:%s:%s:table/%s", r->ddb->region, r->ddb->account,
             nt->name);
    nt->arn = gy_strdup(arn);
    if (!cur) {
        gy_uuid4(nt->table_id);
        nt->created_ms = gy_now_ms();
        nt->stream_created_ms = nt->stream_enabled ? nt->created_ms : 0;
        rc = gy_ddb_catalog_create(cat, txn, nt);
        if (rc)
            gy_ddb_table_unref(nt);
        gy_log_info("replication: created replica of %s from a peer's definition", nt->name);
        return rc;
    }
    /* Replica status only moves CREATING -> ACTIVE: keep what this region already knows is
     * ACTIVE, and if that changes the definition, publish the merge under a newer stamp so
     * every region ends with the same one. */
    bool merged = false;
    for (uint32_t i = 0; i < nt->nreplicas; i++) {
        if (nt->replicas[i].status != GY_DDB_REPLICA_CREATING)
            continue;
        for (uint32_t k = 0; k < cur->nreplicas; k++)
            if (strcmp(cur->replicas[k].region, nt->replicas[i].region) == 0 &&
                cur->replicas[k].status == GY_DDB_REPLICA_ACTIVE) {
                nt->replicas[i].status = GY_DDB_REPLICA_ACTIVE;
                merged = true;
            }
    }
    if (merged) {
        uint64_t now = (uint64_t)gy_now_ms() << 16;
        nt->schema_stamp = now > in->schema_stamp ? now : in->schema_stamp + 1;
    }
    nt->id = cur->id;
    memcpy(nt->table_id, cur->table_id, sizeof(nt->table_id));
    nt->created_ms = cur->created_ms;
    /* Streams are per region: keep this region's stream unless its settings changed. */
    if (nt->stream_enabled == cur->stream_enabled &&
        (!nt->stream_enabled || strcmp(nt->stream_view, cur->stream_view) == 0))
        nt->stream_created_ms = cur->stream_created_ms;
    else if (nt->stream_enabled)
        nt->stream_created_ms = gy_now_ms() > cur->stream_created_ms ? gy_now_ms()
                                                                      : cur->stream_created_ms + 1;
    else
        nt->stream_created_ms = cur->stream_created_ms;
    gy_ddb_table_unref(cur);
    rc = gy_ddb_catalog_replace(cat, txn, nt);
    if (rc)
        gy_ddb_table_unref(nt);
    return rc;
}

int gy_repl__apply_definition(struct gy_repl *r, struct gy_str def, struct gy_error *err,
                              struct gy_arena *a)
{
    struct define_job dj = { r, NULL, false };
    if (gy_ddb_table_decode(def, &dj.in))
        return gy_error_set(err, a, GY_AWS_VALIDATION, "Malformed table definition");
    int rc = gy_store_run(r->ddb->store, define_apply, &dj);
    gy_ddb_table_unref(dj.in);
    if (rc == GY_EIO)
        gy_ddb_catalog_reload(r->ddb->catalog);
    if (dj.dropped)
        gy_ddb_catalog_purge(r->ddb->catalog);
    gy_repl__wake(r);
    return rc;
}

/* ---- UpdateTable ReplicaUpdates ---- */

static int add_replica(struct gy_ddb_table *t, const char *region, enum gy_ddb_replica_status st)
{
    if (t->nreplicas >= GY_DDB_MAX_REPLICAS)
        return GY_ETOOBIG;
    snprintf(t->replicas[t->nreplicas].region, sizeof(t->replicas[0].region), "%s", region);
    t->replicas[t->nreplicas].status = st;
    t->nreplicas++;
    return 0;
}

static void remove_replica(struct gy_ddb_table *t, const char *region)
{
    for (uint32_t i = 0; i < t->nreplicas; i++) {
        if (strcmp(t->replicas[i].region, region) != 0)
            continue;
        memmove(&t->replicas[i], &t->replicas[i + 1], (t->nreplicas - i - 1) * sizeof(t->replicas[0]));
        t->nreplicas--;
        return;
    }
}

static bool known_region(struct gy_repl *r, struct gy_str region)
{
    if (gy_str_eqc(region, r->region))
        return true;
    for (size_t i = 0; i < r->npeers; i++)
        if (gy_str_eqc(region, r->peers[i].cfg.region))
            return true;
    return false;
}

/* Apply Create/Delete entries to a copy of t; legacy picks the 2017.11.29 wording and version. */
static int change_replicas(struct gy_repl *r, struct gy_aws_req *req, struct gy_ddb_table *nt,
                           const struct gy_json *updates, bool legacy)
{
    if (!gy_json_is(updates, GY_JSON_ARRAY) || gy_json_count(updates) == 0)
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "1 validation error detected: Value null at 'replicaUpdates' failed to "
                            "satisfy constraint: Member must have length greater than or equal to 1");
    if (nt->nreplicas == 0)
        add_replica(nt, r->region, GY_DDB_REPLICA_ACTIVE);
    nt->global_version = legacy ? 1 : 2;
    for (const struct gy_json *u = gy_json_child(updates); u; u = gy_json_next(u)) {
        const struct gy_json *c = gy_json_get(u, "Create");
        const struct gy_json *d = gy_json_get(u, "Delete");
        const struct gy_json *x = c ? c : d;
        struct gy_str region = gy_json_str(gy_json_get(x, "RegionName"));
        if (!x || (c && d) || !region.p || gy_json_get(u, "Update"))
            return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                                "One or more parameter values were invalid: Only one of Create, "
                                "Update or Delete may be specified per ReplicaUpdate");
        char *rname = gy_arena_strndup(req->arena, region.p, region.len);
        if (!known_region(r, region))
            return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                                "One or more parameter values were invalid: Region %s is not "
                                "part of this Gyre deployment (start the region and name it with "
                                "--peer)",
                                rname);
        if (c) {
            if (gy_repl__has_replica(nt, rname))
                return gy_error_set(&req->err, req->arena,
                                    legacy ? GY_AWS_VALIDATION : GY_AWS_VALIDATION,
                                    "Failed to create a the new replica of table with name: '%s' "
                                    "because one or more replicas already existed as tables.",
                                    nt->name);
            if (add_replica(nt, rname, GY_DDB_REPLICA_CREATING))
                return gy_error_set(&req->err, req->arena, GY_AWS_LIMIT_EXCEEDED,
                                    "Too many replicas for table %s", nt->name);
        } else {
            if (!gy_repl__has_replica(nt, rname))
                return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                                    "Cannot delete a replica in region %s of table %s: it does not "
                                    "exist",
                                    rname, nt->name);
            if (strcmp(rname, r->region) == 0)
                return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                                    "Delete the replica in %s by calling another replica's "
                                    "region: this endpoint serves that replica",
                                    rname);
            remove_replica(nt, rname);
        }
    }
    if (nt->nreplicas == 1) {
        /* Back to a single-region table; the list keeps this region so that the departed
         * replicas still learn (from the shipper) that they were removed. */
        nt->global_version = 0;
    }
    if (nt->nreplicas > 1 && !nt->stream_enabled) {
        /* Replication needs both images in the stream, as DynamoDB requires for replicas. */
        nt->stream_enabled = true;
        snprintf(nt->stream_view, sizeof(nt->stream_view), "NEW_AND_OLD_IMAGES");
        nt->stream_created_ms = gy_now_ms();
    }
    return 0;
}

struct change_args {
    struct gy_repl *r;
    struct gy_aws_req *req;
    const struct gy_json *updates;
    bool legacy;
};

static int change_mutate(struct gy_ddb_table *nt, void *arg)
{
    struct change_args *ca = arg;
    return change_replicas(ca->r, ca->req, nt, ca->updates, ca->legacy);
}

static int update_replicas(void *ctx, struct gy_aws_req *req)
{
    struct gy_repl *r = ctx;
    struct gy_str name = gy_json_str(gy_json_get(req->body, "TableName"));
    if (!name.p)
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "1 validation error detected: Value null at 'tableName' failed to "
                            "satisfy constraint: Member must not be null");
    const char *slash = memchr(name.p, '/', name.len);
    if (gy_str_startswith(name, GY_STR("arn:")) && slash)
        name = (struct gy_str){ slash + 1, name.len - (size_t)(slash + 1 - name.p) };
    struct change_args ca = { r, req, gy_json_get(req->body, "ReplicaUpdates"), false };
    struct gy_ddb_table *nt = NULL;
    int rc = gy_repl__publish(r, name, change_mutate, &ca, &nt, &req->err, req->arena);
    if (rc == 0 && nt) {
        gy_jw_obj_begin(&req->w);
        gy_jw_key(&req->w, "TableDescription");
        gy_ddb_table_describe(&req->w, nt, NULL, "ACTIVE");
        gy_jw_obj_end(&req->w);
    }
    gy_ddb_table_unref(nt);
    return rc;
}

/* ---- legacy global-table operations (2017.11.29) ---- */

static void global_description(struct gy_jw *w, struct gy_repl *r, const struct gy_ddb_table *t)
{
    char arn[512];
    snprintf(arn, sizeof(arn), "arn:aws:dynamodb::%s:global-table/%s", r->ddb->account, t->name);
    gy_jw_obj_begin(w);
    gy_jw_key(w, "ReplicationGroup");
    gy_jw_arr_begin(w);
    for (uint32_t i = 0; i < t->nreplicas; i++) {
        gy_jw_obj_begin(w);
        gy_jw_key(w, "RegionName");
        gy_jw_cstr(w, t->replicas[i].region);
        gy_jw_key(w, "ReplicaStatus");
        gy_jw_cstr(w, t->replicas[i].status == GY_DDB_REPLICA_CREATING ? "CREATING" : "ACTIVE");
        gy_jw_obj_end(w);
    }
    gy_jw_arr_end(w);
    gy_jw_key(w, "GlobalTableArn");
    gy_jw_cstr(w, arn);
    gy_jw_key(w, "CreationDateTime");
    gy_jw_double(w, (double)t->created_ms / 1000.0);
    gy_jw_key(w, "GlobalTableStatus");
    gy_jw_cstr(w, "ACTIVE");
    gy_jw_key(w, "GlobalTableName");
    gy_jw_cstr(w, t->name);
    gy_jw_obj_end(w);
}

static struct gy_ddb_table *global_table(struct gy_repl *r, struct gy_aws_req *req, bool must_be_global)
{
    struct gy_str name = gy_json_str(gy_json_get(req->body, "GlobalTableName"));
    if (!name.p) {
        gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                     "1 validation error detected: Value null at 'globalTableName' failed to "
                     "satisfy constraint: Member must not be null");
        return NULL;
    }
    struct gy_ddb_table *t = gy_ddb_catalog_get(r->ddb->catalog, name);
    if (!t || (must_be_global && t->nreplicas < 2)) {
        gy_ddb_table_unref(t);
        gy_error_set(&req->err, req->arena, must_be_global ? GY_AWS_GLOBAL_TABLE_NOT_FOUND
                                                           : GY_AWS_TABLE_NOT_FOUND,
                     must_be_global ? "Global table not found: Global table with name: '%.*s' "
                                      "does not exist."
                                    : "Table not found: %.*s",
                     (int)name.len, name.p);
        return NULL;
    }
    return t;
}

/* Apply legacy ReplicaUpdates to GlobalTableName and answer its GlobalTableDescription. */
static int publish_global(struct gy_repl *r, struct gy_aws_req *req, const struct gy_json *updates)
{
    struct change_args ca = { r, req, updates, true };
    struct gy_ddb_table *nt = NULL;
    int rc = gy_repl__publish(r, gy_json_str(gy_json_get(req->body, "GlobalTableName")),
                              change_mutate, &ca, &nt, &req->err, req->arena);
    if (rc == 0 && nt) {
        gy_jw_obj_begin(&req->w);
        gy_jw_key(&req->w, "GlobalTableDescription");
        global_description(&req->w, r, nt);
        gy_jw_obj_end(&req->w);
    }
    gy_ddb_table_unref(nt);
    return rc;
}

static int create_global_table(struct gy_aws_req *req)
{
    struct gy_repl *r = req->ctx;
    struct gy_ddb_table *t = global_table(r, req, false);
    if (!t)
        return GY_EAWS;
    if (t->nreplicas > 1) {
        gy_ddb_table_unref(t);
        return gy_error_set(&req->err, req->arena, GY_AWS_GLOBAL_TABLE_ALREADY_EXISTS,
                            "Global table with this name already exists");
    }
    /* ReplicationGroup becomes Create entries for every region but this one. */
    const struct gy_json *group = gy_json_get(req->body, "ReplicationGroup");
    gy_ddb_table_unref(t);
    struct gy_buf b;
    gy_buf_init(&b, 1 << 16);
    gy_buf_putc(&b, '[');
    bool first = true, self = false;
    for (const struct gy_json *g = gy_json_child(group); g; g = gy_json_next(g)) {
        struct gy_str region = gy_json_str(gy_json_get(g, "RegionName"));
        if (!region.p)
            continue;
        if (gy_str_eqc(region, r->region)) {
            self = true;
            continue;
        }
        gy_buf_puts(&b, first ? "{\"Create\":{\"RegionName\":" : ",{\"Create\":{\"RegionName\":");
        gy_json_escape(&b, region);
        gy_buf_puts(&b, "}}");
        first = false;
    }
    gy_buf_putc(&b, ']');
    const struct gy_json *updates = NULL;
    const char *why;
    int rc = 0;
    if (!self)
        rc = gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                          "The ReplicationGroup must include the region of the endpoint called (%s)",
                          r->region);
    else if (first)
        rc = gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                          "The ReplicationGroup must name at least one other region");
    else if (gy_json_parse(req->arena, b.p, b.len, &updates, &why))
        rc = GY_EINVAL;
    gy_buf_fini(&b);
    return rc ? rc : publish_global(r, req, updates);
}

static int update_global_table(struct gy_aws_req *req)
{
    struct gy_repl *r = req->ctx;
    struct gy_ddb_table *t = global_table(r, req, true);
    if (!t)
        return GY_EAWS;
    gy_ddb_table_unref(t);
    return publish_global(r, req, gy_json_get(req->body, "ReplicaUpdates"));
}

static int describe_global_table(struct gy_aws_req *req)
{
    struct gy_repl *r = req->ctx;
    struct gy_ddb_table *t = global_table(r, req, true);
    if (!t)
        return GY_EAWS;
    gy_jw_obj_begin(&req->w);
    gy_jw_key(&req->w, "GlobalTableDescription");
    global_description(&req->w, r, t);
    gy_jw_obj_end(&req->w);
    gy_ddb_table_unref(t);
    return 0;
}

static int list_global_tables(struct gy_aws_req *req)
{
    struct gy_repl *r = req->ctx;
    struct gy_str region = gy_json_str(gy_json_get(req->body, "RegionName"));
    struct gy_str start = gy_json_str(gy_json_get(req->body, "ExclusiveStartGlobalTableName"));
    int64_t limit = 100;
    gy_json_int(gy_json_get(req->body, "Limit"), &limit);
    if (limit < 1 || limit > 100)
        limit = 100;
    struct gy_str *names;
    int more = 1;
    size_t count = 0;
    struct gy_str last = GY_STR_NULL;
    gy_jw_obj_begin(&req->w);
    gy_jw_key(&req->w, "GlobalTables");
    gy_jw_arr_begin(&req->w);
    while (more && count < (size_t)limit) {
        size_t n = gy_ddb_catalog_list(r->ddb->catalog, req->arena, start, 100, &names, &more);
        for (size_t i = 0; i < n && count < (size_t)limit; i++) {
            struct gy_ddb_table *t = gy_ddb_catalog_get(r->ddb->catalog, names[i]);
            if (t && t->nreplicas > 1 &&
                (!region.p || gy_repl__has_replica(t, gy_arena_strndup(req->arena, region.p, region.len)))) {
                gy_jw_obj_begin(&req->w);
                gy_jw_key(&req->w, "GlobalTableName");
                gy_jw_cstr(&req->w, t->name);
                gy_jw_key(&req->w, "ReplicationGroup");
                gy_jw_arr_begin(&req->w);
                for (uint32_t k = 0; k < t->nreplicas; k++) {
                    gy_jw_obj_begin(&req->w);
                    gy_jw_key(&req->w, "RegionName");
                    gy_jw_cstr(&req->w, t->replicas[k].region);
                    gy_jw_obj_end(&req->w);
                }
                gy_jw_arr_end(&req->w);
                gy_jw_obj_end(&req->w);
                count++;
                last = names[i];
            }
            gy_ddb_table_unref(t);
        }
        if (!n)
            break;
        start = names[n - 1];
    }
    gy_jw_arr_end(&req->w);
    if (more && last.len) {
        gy_jw_key(&req->w, "LastEvaluatedGlobalTableName");
        gy_jw_str(&req->w, last);
    }
    gy_jw_obj_end(&req->w);
    return 0;
}

static const struct gy_aws_op global_ops[] = {
    { "CreateGlobalTable", create_global_table },
    { "DescribeGlobalTable", describe_global_table },
    { "ListGlobalTables", list_global_tables },
    { "UpdateGlobalTable", update_global_table },
};

int gy_repl__global_ops_register(struct gy_repl *r)
{
    r->service.model = "dynamodb";
    r->service.target_prefix = "DynamoDB_20120810";
    r->service.content_type = "application/x-amz-json-1.0";
    r->service.ops = global_ops;
    r->service.nops = sizeof(global_ops) / sizeof(global_ops[0]);
    r->service.ctx = r;
    gy_aws_router_add_service(r->router, &r->service);
    r->ddb->update_replicas = update_replicas;
    r->ddb->replicas_ctx = r;
    return 0;
}

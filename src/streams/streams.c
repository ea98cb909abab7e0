/*
 * streams.c — the DynamoDB Streams service: its lifetime (the iterator secret in the store),
 * its registration with the AWS router, the argument helpers its handlers share, and the two
 * catalog-style operations ListStreams and DescribeStream. Reading records is reader.c's.
 * Every operation reads in one store read transaction: it never blocks writers.
 * See docs/streams.md.
 */
#include "streams/streams.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/log.h"
#include "core/mem.h"
#include "dynamodb/catalog.h"
#include "dynamodb/dynamodb.h"
#include "dynamodb/table.h"
#include "store/store.h"
#include "streams/streams_int.h"

#define KEY_NAME "streams_iterator_key"
#define LIST_CHUNK 100

static const struct gy_aws_op ops[] = {
    {"DescribeStream", gy_streams__describe_stream},
    {"GetRecords", gy_streams__get_records},
    {"GetShardIterator", gy_streams__get_shard_iterator},
    {"ListStreams", gy_streams__list_streams},
};

/* ---- lifetime ---- */

int gy_streams_open(struct gy_ddb *ddb, struct gy_streams **out)
{
    struct gy_streams *s = gy_calloc(1, sizeof(*s));
    const char *ttl = getenv("GYRE_STREAM_ITERATOR_TTL_MS");
    char *end = NULL;

    s->ddb = ddb;
    s->iter_ttl_ms = GY_STREAMS_ITER_TTL_MS;
    if (ttl && *ttl) {
        long long v = strtoll(ttl, &end, 10);
        if (*end == '\0' && v >= 1)
            s->iter_ttl_ms = v;
    }
    int rc = gy_store_secret(ddb->store, KEY_NAME, s->key, sizeof(s->key));
    if (rc) {
        gy_log_error("streams: cannot load the iterator secret: %s", gy_strerror(rc));
        gy_free(s);
        return GY_EIO;
    }
    s->service = (struct gy_aws_service){
        .model = "dynamodbstreams",
        .target_prefix = "DynamoDBStreams_20120810",
        .content_type = "application/x-amz-json-1.0",
        .ops = ops,
        .nops = sizeof(ops) / sizeof(ops[0]),
        .ctx = s,
    };
    *out = s;
    return 0;
}

void gy_streams_close(struct gy_streams *s)
{
    if (!s)
        return;
    memset(s->key, 0, sizeof(s->key));
    gy_free(s);
}

const struct gy_aws_service *gy_streams_service(struct gy_streams *s)
{
    return &s->service;
}

/* ---- shared helpers ---- */

static void unref_table(void *p)
{
    gy_ddb_table_unref(p);
}

struct gy_ddb_table *gy_streams__table(struct gy_aws_req *req, struct gy_str name)
{
    struct gy_streams *s = req->ctx;
    struct gy_ddb_table *t = gy_ddb_catalog_get(s->ddb->catalog, name);
    if (t)
        gy_arena_add_cleanup(req->arena, unref_table, t);
    return t;
}

int gy_streams__not_found(struct gy_aws_req *req, struct gy_str arn)
{
    return gy_error_set(&req->err, req->arena, GY_AWS_RESOURCE_NOT_FOUND,
                        "Requested resource not found: Stream: %.*s not found", (int)arn.len,
                        arn.p);
}

int gy_streams__limit(struct gy_aws_req *req, int64_t max, int64_t def, int64_t *out)
{
    const struct gy_json *j = gy_json_get(req->body, "Limit");
    *out = def;
    if (!j || gy_json_is(j, GY_JSON_NULL))
        return 0;
    if (!gy_json_is(j, GY_JSON_NUMBER))
        return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION,
                            "Unexpected value type in payload: Limit");
    if (!gy_json_int(j, out) || *out < 1 || *out > max)
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "1 validation error detected: Value '%g' at 'limit' failed to "
                            "satisfy constraint: Member must have value %s %" PRId64,
                            gy_json_num(j),
                            gy_json_num(j) < 1 ? "greater than or equal to"
                                               : "less than or equal to",
                            gy_json_num(j) < 1 ? (int64_t)1 : max);
    return 0;
}

int gy_streams__str_arg(struct gy_aws_req *req, const char *member, const char *path, bool required,
                        struct gy_str *out)
{
    const struct gy_json *j = gy_json_get(req->body, member);
    *out = GY_STR_NULL;
    if (!j || gy_json_is(j, GY_JSON_NULL)) {
        if (!required)
            return 0;
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "1 validation error detected: Value null at '%s' failed to satisfy "
                            "constraint: Member must not be null",
                            path);
    }
    *out = gy_json_str(j);
    if (!out->p)
        return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION,
                            "Unexpected value type in payload: %s", member);
    return 0;
}

int gy_streams__arn_arg(struct gy_aws_req *req, const char *member, struct gy_str arn,
                        struct gy_str *table, int64_t *created_ms)
{
    int rc = gy_streams__arn_parse(arn, req->region, req->account, table, created_ms);
    if (rc == GY_EINVAL)
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION, "Invalid %s: %.*s", member,
                            (int)arn.len, arn.p);
    if (rc)
        return gy_streams__not_found(req, arn);
    return 0;
}

/* ---- ListStreams ---- */

struct list_entry {
    const char *arn;
    const char *table;
    int64_t created_ms;
};

struct list_state {
    struct list_entry *v; /* up to limit + 1 entries (one more tells that there are more) */
    size_t n, cap;
};

/* Add t's streams created before `before` (INT64_MAX: all) until the list is full. */
static int list_table(struct gy_aws_req *req, struct gy_store_txn *txn, struct gy_ddb_table *t,
                      int64_t before, struct list_state *ls)
{
    struct gy_streams_stream *st;
    size_t n;
    if (gy_streams__streams(txn, req->arena, t, &st, &n))
        return GY_EIO;
    for (size_t i = 0; i < n && ls->n < ls->cap; i++) {
        if (st[i].info.created_ms >= before)
            continue;
        ls->v[ls->n++] = (struct list_entry){gy_streams__arn(req->arena, t, st[i].info.created_ms),
                                             t->name, st[i].info.created_ms};
    }
    return 0;
}

/* Walk every table after `after` (exclusive) in name order until the list is full. */
static int list_all(struct gy_aws_req *req, struct gy_store_txn *txn, struct gy_str after,
                    struct list_state *ls)
{
    struct gy_streams *s = req->ctx;
    int more = 1;
    while (more && ls->n < ls->cap) {
        struct gy_str *names;
        size_t k =
            gy_ddb_catalog_list(s->ddb->catalog, req->arena, after, LIST_CHUNK, &names, &more);
        for (size_t i = 0; i < k && ls->n < ls->cap; i++) {
            struct gy_ddb_table *t = gy_streams__table(req, names[i]);
            if (t && list_table(req, txn, t, INT64_MAX, ls))
                return GY_EIO;
        }
        if (k == 0)
            break;
        after = names[k - 1];
    }
    return 0;
}

int gy_streams__list_streams(struct gy_aws_req *req)
{
    struct gy_str tname, start_arn, start_table = GY_STR_NULL;
    int64_t limit, start_ms = INT64_MAX;
    struct gy_ddb_table *only = NULL;
    struct gy_store_txn *txn;
    struct gy_streams *s = req->ctx;
    int rc;

    if (gy_streams__limit(req, 100, 100, &limit) ||
        gy_streams__str_arg(req, "TableName", "tableName", false, &tname) ||
        gy_streams__str_arg(req, "ExclusiveStartStreamArn", "exclusiveStartStreamArn", false,
                            &start_arn))
        return GY_EAWS;
    if (tname.p) {
        if (gy_ddb_table_name_check(tname, "tableName", &req->err, req->arena))
            return GY_EAWS;
        only = gy_streams__table(req, tname);
        if (!only)
            return gy_error_set(&req->err, req->arena, GY_AWS_RESOURCE_NOT_FOUND,
                                "Requested resource not found: Table: %s not found", tname.p);
    }
    if (start_arn.p) {
        rc = gy_streams__arn_parse(start_arn, req->region, req->account, &start_table, &start_ms);
        if (rc)
            return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                                "Invalid ExclusiveStartStreamArn: %s", start_arn.p);
    }

    struct list_state ls = {gy_arena_calloc(req->arena, (size_t)limit + 1, sizeof(*ls.v)), 0,
                            (size_t)limit + 1};
    if (gy_store_read_begin(s->ddb->store, &txn))
        return gy_error_set(&req->err, req->arena, GY_AWS_INTERNAL, "Internal server error");
    rc = 0;
    if (only) {
        bool same = start_table.p && gy_str_eqc(start_table, only->name);
        if (!start_table.p || same)
            rc = list_table(req, txn, only, same ? start_ms : INT64_MAX, &ls);
        else if (gy_str_cmp(start_table, gy_str_c(only->name)) < 0)
            rc = list_table(req, txn, only, INT64_MAX, &ls);
    } else {
        struct gy_ddb_table *first = start_table.p ? gy_streams__table(req, start_table) : NULL;
        if (first)
            rc = list_table(req, txn, first, start_ms, &ls);
        if (rc == 0)
            rc = list_all(req, txn, start_table.p ? start_table : GY_STR(""), &ls);
    }
    gy_store_read_end(txn);
    if (rc)
        return gy_error_set(&req->err, req->arena, GY_AWS_INTERNAL, "Internal server error");

    size_t shown = ls.n > (size_t)limit ? (size_t)limit : ls.n;
    struct gy_jw *w = &req->w;
    gy_jw_obj_begin(w);
    gy_jw_key(w, "Streams");
    gy_jw_arr_begin(w);
    for (size_t i = 0; i < shown; i++) {
        char label[48];
        gy_ddb_stream_label(ls.v[i].created_ms, label);
        gy_jw_obj_begin(w);
        gy_jw_key(w, "StreamArn");
        gy_jw_cstr(w, ls.v[i].arn);
        gy_jw_key(w, "TableName");
        gy_jw_cstr(w, ls.v[i].table);
        gy_jw_key(w, "StreamLabel");
        gy_jw_cstr(w, label);
        gy_jw_obj_end(w);
    }
    gy_jw_arr_end(w);
    if (ls.n > shown) {
        gy_jw_key(w, "LastEvaluatedStreamArn");
        gy_jw_cstr(w, ls.v[shown - 1].arn);
    }
    gy_jw_obj_end(w);
    return 0;
}

/* ---- DescribeStream ---- */

static void write_shard(struct gy_jw *w, const struct gy_ddb_table *t, int64_t created,
                        const struct gy_streams_shard *sh)
{
    char id[64], seq[24];
    gy_jw_obj_begin(w);
    gy_jw_key(w, "ShardId");
    gy_ddb_shard_id(t->id, created, sh->start, id);
    gy_jw_cstr(w, id);
    gy_jw_key(w, "SequenceNumberRange");
    gy_jw_obj_begin(w);
    gy_jw_key(w, "StartingSequenceNumber");
    gy_ddb_seq_format(sh->start, seq);
    gy_jw_cstr(w, seq);
    if (sh->closed) {
        /* An empty closed shard shows the one-number range the change log records for it. */
        gy_jw_key(w, "EndingSequenceNumber");
        gy_ddb_seq_format(sh->last >= sh->start ? sh->last : sh->start, seq);
        gy_jw_cstr(w, seq);
    }
    gy_jw_obj_end(w);
    if (sh->parent) {
        gy_jw_key(w, "ParentShardId");
        gy_ddb_shard_id(t->id, created, sh->parent, id);
        gy_jw_cstr(w, id);
    }
    gy_jw_obj_end(w);
}

static void write_description(struct gy_aws_req *req, const struct gy_ddb_table *t,
                              const struct gy_streams_stream *st, const struct gy_streams_shard *sh,
                              size_t from, size_t n, bool more)
{
    struct gy_jw *w = &req->w;
    char label[48];
    int64_t created = st->info.created_ms;

    gy_ddb_stream_label(created, label);
    gy_jw_obj_begin(w);
    gy_jw_key(w, "StreamDescription");
    gy_jw_obj_begin(w);
    gy_jw_key(w, "StreamArn");
    gy_jw_cstr(w, gy_streams__arn(req->arena, t, created));
    gy_jw_key(w, "StreamLabel");
    gy_jw_cstr(w, label);
    gy_jw_key(w, "StreamStatus");
    gy_jw_cstr(w, st->info.enabled ? "ENABLED" : "DISABLED");
    gy_jw_key(w, "StreamViewType");
    gy_jw_cstr(w, st->info.view);
    gy_jw_key(w, "CreationRequestDateTime");
    gy_jw_double(w, (double)created / 1000.0);
    gy_jw_key(w, "TableName");
    gy_jw_cstr(w, t->name);
    gy_jw_key(w, "KeySchema");
    gy_jw_arr_begin(w);
    gy_jw_obj_begin(w);
    gy_jw_key(w, "AttributeName");
    gy_jw_cstr(w, t->hash.name);
    gy_jw_key(w, "KeyType");
    gy_jw_cstr(w, "HASH");
    gy_jw_obj_end(w);
    if (t->range.name) {
        gy_jw_obj_begin(w);
        gy_jw_key(w, "AttributeName");
        gy_jw_cstr(w, t->range.name);
        gy_jw_key(w, "KeyType");
        gy_jw_cstr(w, "RANGE");
        gy_jw_obj_end(w);
    }
    gy_jw_arr_end(w);
    gy_jw_key(w, "Shards");
    gy_jw_arr_begin(w);
    for (size_t i = from; i < from + n; i++)
        write_shard(w, t, created, &sh[i]);
    gy_jw_arr_end(w);
    if (more && n) {
        char id[64];
        gy_ddb_shard_id(t->id, created, sh[from + n - 1].start, id);
        gy_jw_key(w, "LastEvaluatedShardId");
        gy_jw_cstr(w, id);
    }
    gy_jw_obj_end(w);
    gy_jw_obj_end(w);
}

/* Whether shard sh's id sorts after id (bytewise). */
static bool id_after(const struct gy_ddb_table *t, int64_t created,
                     const struct gy_streams_shard *sh, struct gy_str id)
{
    char buf[64];
    gy_ddb_shard_id(t->id, created, sh->start, buf);
    size_t len = strlen(buf);
    int c = memcmp(buf, id.p, len < id.len ? len : id.len);
    return c > 0 || (c == 0 && len > id.len);
}

int gy_streams__describe_stream(struct gy_aws_req *req)
{
    struct gy_streams *s = req->ctx;
    struct gy_str arn, excl, tname;
    int64_t limit, created;
    struct gy_store_txn *txn;
    struct gy_streams_stream st;
    struct gy_streams_shard *sh = NULL;
    size_t n = 0;

    if (gy_streams__str_arg(req, "StreamArn", "streamArn", true, &arn) ||
        gy_streams__limit(req, 100, 100, &limit) ||
        gy_streams__str_arg(req, "ExclusiveStartShardId", "exclusiveStartShardId", false, &excl) ||
        gy_streams__arn_arg(req, "StreamArn", arn, &tname, &created))
        return GY_EAWS;
    struct gy_ddb_table *t = gy_streams__table(req, tname);
    if (!t)
        return gy_streams__not_found(req, arn);
    if (gy_store_read_begin(s->ddb->store, &txn))
        return gy_error_set(&req->err, req->arena, GY_AWS_INTERNAL, "Internal server error");
    int rc = gy_streams__stream_find(txn, req->arena, t, created, &st);
    if (rc == 0)
        rc = gy_streams__shards(txn, req->arena, t, &st, &sh, &n);
    gy_store_read_end(txn);
    if (rc == GY_ENOTFOUND)
        return gy_streams__not_found(req, arn);
    if (rc)
        return gy_error_set(&req->err, req->arena, GY_AWS_INTERNAL, "Internal server error");

    /* The shards after ExclusiveStartShardId in shard-id order, whether or not it names one
     * (ids are fixed-width, so their order is the order of the shards' starts). */
    size_t from = 0;
    while (excl.p && from < n && !id_after(t, created, &sh[from], excl))
        from++;
    size_t count = n - from > (size_t)limit ? (size_t)limit : n - from;
    write_description(req, t, &st, sh, from, count, from + count < n);
    return 0;
}

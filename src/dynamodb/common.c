/*
 * common.c — request helpers shared by the DynamoDB operations: resolving TableName (name or
 * ARN), validating keys with DynamoDB's messages, storage keys, capacity-unit arithmetic.
 */
#include "dynamodb/dynamodb_int.h"

#include <math.h>
#include <string.h>

#include "core/json.h"
#include "net/http.h"
#include "store/store.h"

static void unref_table(void *p)
{
    gy_ddb_table_unref(p);
}

struct gy_ddb_table *gy_ddb__table_arg(struct gy_aws_req *req, const char *member, bool describe_msg)
{
    return gy_ddb__table_in(req, req->body, member, describe_msg);
}

struct gy_ddb_table *gy_ddb__table_in(struct gy_aws_req *req, const struct gy_json *src,
                                      const char *member, bool describe_msg)
{
    const struct gy_json *j = gy_json_get(src, member);
    struct gy_str name = gy_json_str(j);

    if (!j || !name.p) {
        if (j)
            gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION,
                         "Unexpected value type in payload: %s", member);
        else
            gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                         "1 validation error detected: Value null at 'tableName' failed to "
                         "satisfy constraint: Member must not be null");
        return NULL;
    }
    return gy_ddb__table_named(req, name, describe_msg);
}

struct gy_ddb_table *gy_ddb__table_named(struct gy_aws_req *req, struct gy_str name,
                                         bool describe_msg)
{
    struct gy_ddb *d = req->ctx;
    struct gy_str lookup = name;
    if (gy_str_startswith(name, GY_STR("arn:"))) {
        /* arn:aws:dynamodb:REGION:ACCOUNT:table/NAME — only this region's tables are here. */
        char *prefix = gy_arena_printf(req->arena, "arn:aws:dynamodb:%s:%s:table/", d->region,
                                       d->account);
        if (!gy_str_startswith(name, gy_str_c(prefix))) {
            gy_error_set(&req->err, req->arena, GY_AWS_RESOURCE_NOT_FOUND,
                         "Requested resource not found: Table: %s not found", name.p);
            return NULL;
        }
        lookup = (struct gy_str){ name.p + strlen(prefix), name.len - strlen(prefix) };
        if (memchr(lookup.p, '/', lookup.len))
            lookup.len = (size_t)((const char *)memchr(lookup.p, '/', lookup.len) - lookup.p);
    } else if (name.len > 1024 || gy_ddb_table_name_check(name, "tableName", &req->err, req->arena)) {
        if (name.len > 1024)
            gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                         "1 validation error detected: Value '%.*s' at 'tableName' failed to "
                         "satisfy constraint: Member must have length less than or equal to 1024",
                         (int)name.len, name.p);
        return NULL;
    }
    struct gy_ddb_table *t = gy_ddb_catalog_get(d->catalog, lookup);
    if (!t) {
        if (describe_msg)
            gy_error_set(&req->err, req->arena, GY_AWS_RESOURCE_NOT_FOUND,
                         "Requested resource not found: Table: %.*s not found", (int)lookup.len,
                         lookup.p);
        else
            gy_error_set(&req->err, req->arena, GY_AWS_RESOURCE_NOT_FOUND,
                         "Requested resource not found");
        return NULL;
    }
    gy_arena_add_cleanup(req->arena, unref_table, t);
    return t;
}

int gy_ddb__rcc_arg(struct gy_aws_req *req)
{
    const struct gy_json *j = gy_json_get(req->body, "ReturnConsumedCapacity");
    struct gy_str s = gy_json_str(j);
    if (!j || gy_str_eqc(s, "NONE"))
        return 0;
    if (gy_str_eqc(s, "TOTAL"))
        return 1;
    if (gy_str_eqc(s, "INDEXES"))
        return 2;
    gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                 "1 validation error detected: Value '%s' at 'returnConsumedCapacity' failed to "
                 "satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]",
                 s.p ? s.p : "");
    return -1;
}

void gy_ddb__write_capacity(struct gy_jw *w, const struct gy_ddb_table *t, int rcc, double units,
                            bool is_read)
{
    gy_ddb__capacity_ix(w, t, rcc, is_read, units, NULL);
}

/*
 * One ConsumedCapacity entry per table, in first-seen order. Only transactions carry the
 * read/write split beside CapacityUnits on AWS (split); batches give the aggregate alone.
 */
void gy_ddb__capacity_list(struct gy_jw *w, const struct gy_ddb_action *acts, size_t n, int rcc,
                          bool is_read, const double *units, bool split)
{
    if (rcc <= 0)
        return;
    gy_jw_key(w, "ConsumedCapacity");
    gy_jw_arr_begin(w);
    for (size_t i = 0; i < n; i++) {
        bool seen = false;
        for (size_t k = 0; k < i; k++)
            seen |= acts[k].t->id == acts[i].t->id;
        if (seen)
            continue;
        double total = 0;
        for (size_t k = i; k < n; k++)
            if (acts[k].t->id == acts[i].t->id)
                total += units[k];
        gy_jw_obj_begin(w);
        gy_jw_key(w, "TableName");
        gy_jw_cstr(w, acts[i].t->name);
        gy_jw_key(w, "CapacityUnits");
        gy_jw_double(w, total);
        if (split) {
            gy_jw_key(w, is_read ? "ReadCapacityUnits" : "WriteCapacityUnits");
            gy_jw_double(w, total);
        }
        if (rcc == 2) {
            gy_jw_key(w, "Table");
            gy_jw_obj_begin(w);
            gy_jw_key(w, "CapacityUnits");
            gy_jw_double(w, total);
            gy_jw_obj_end(w);
        }
        gy_jw_obj_end(w);
    }
    gy_jw_arr_end(w);
}

double gy_ddb__write_units(size_t bytes)
{
    double u = ceil((double)bytes / 1024.0);
    return u < 1 ? 1 : u;
}

double gy_ddb__read_units(size_t bytes, bool consistent)
{
    double u = ceil((double)bytes / 4096.0);
    if (u < 1)
        u = 1;
    return consistent ? u : u / 2;
}

/* Key-attribute checks shared by items and keys. kind: 0 item, 1 Key parameter. */
static int check_key_value(struct gy_aws_req *req, const struct gy_ddb_attrdef *def,
                           const struct gy_ddb_value *v, bool is_hash, bool in_item)
{
    if (v->type != def->type) {
        if (!in_item)
            return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                                "The provided key element does not match the schema");
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "One or more parameter values were invalid: Type mismatch for key %s "
                            "expected: %s actual: %s",
                            def->name, gy_ddb_type_name(def->type), gy_ddb_type_name(v->type));
    }
    if ((v->type == GY_DDB_S || v->type == GY_DDB_B) && v->u.s.len == 0)
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "One or more parameter values are not valid. The AttributeValue for a "
                            "key attribute cannot contain an empty %s value. Key: %s",
                            v->type == GY_DDB_S ? "string" : "binary", def->name);
    size_t size = gy_ddb_value_size(v);
    if (is_hash && size > GY_DDB_MAX_PK_SIZE)
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "One or more parameter values were invalid: Size of hashkey has "
                            "exceeded the maximum size limit of2048 bytes");
    if (!is_hash && size > GY_DDB_MAX_SK_SIZE)
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "One or more parameter values were invalid: Aggregated size of all "
                            "range keys has exceeded the size limit of 1024 bytes");
    return 0;
}

int gy_ddb__item_key_check(struct gy_aws_req *req, const struct gy_ddb_table *t,
                           const struct gy_ddb_map *item, const struct gy_ddb_value **pk,
                           const struct gy_ddb_value **sk)
{
    const struct gy_ddb_attrdef *defs[2] = { &t->hash, t->range.name ? &t->range : NULL };
    const struct gy_ddb_value *vals[2] = { NULL, NULL };
    for (int i = 0; i < 2 && defs[i]; i++) {
        vals[i] = gy_ddb_map_get(item, gy_str_c(defs[i]->name));
        if (!vals[i])
            return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                                "One or more parameter values were invalid: Missing the key %s in "
                                "the item",
                                defs[i]->name);
        if (check_key_value(req, defs[i], vals[i], i == 0, true))
            return GY_EAWS;
    }
    *pk = vals[0];
    *sk = vals[1];
    return 0;
}

int gy_ddb__key_arg(struct gy_aws_req *req, const struct gy_ddb_table *t, const struct gy_json *key,
                    const struct gy_ddb_value **pk, const struct gy_ddb_value **sk)
{
    struct gy_ddb_map m;
    if (!key)
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "1 validation error detected: Value null at 'key' failed to satisfy "
                            "constraint: Member must not be null");
    if (gy_ddb_map_from_json(req->arena, key, &m, &req->err))
        return GY_EAWS;
    uint32_t want = t->range.name ? 2 : 1;
    const struct gy_ddb_attrdef *defs[2] = { &t->hash, t->range.name ? &t->range : NULL };
    const struct gy_ddb_value *vals[2] = { NULL, NULL };
    if (m.n != want)
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "The provided key element does not match the schema");
    for (uint32_t i = 0; i < want; i++) {
        vals[i] = gy_ddb_map_get(&m, gy_str_c(defs[i]->name));
        if (!vals[i])
            return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                                "The provided key element does not match the schema");
        if (check_key_value(req, defs[i], vals[i], i == 0, false))
            return GY_EAWS;
    }
    *pk = vals[0];
    *sk = vals[1];
    return 0;
}

static void job_finish(void *arg)
{
    struct gy_ddb_job *j = arg;
    if (j->rc == 0 && j->respond)
        j->respond(j);
    gy_aws_req_complete(j->req, j->rc);
}

static int job_apply(struct gy_store_txn *txn, void *arg)
{
    struct gy_ddb_job *j = arg;
    return j->apply(txn, j);
}

static void job_done(void *arg, int rc)
{
    struct gy_ddb_job *j = arg;
    j->rc = rc;
    if (j->after)
        j->after(j, rc);
    gy_http_req_post(j->req->http, job_finish, j);
}

int gy_ddb__submit(struct gy_aws_req *req, struct gy_ddb_job *j)
{
    struct gy_ddb *d = req->ctx;
    j->req = req;
    j->job.apply = job_apply;
    j->job.done = job_done;
    j->job.arg = j;
    int rc = gy_store_submit(d->store, &j->job);
    if (rc)
        return gy_error_set(&req->err, req->arena, GY_AWS_SERVICE_UNAVAILABLE,
                            "The service is shutting down");
    return GY_PENDING;
}

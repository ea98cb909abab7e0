/*
 * ops_item.c — single-item operations: PutItem, GetItem, DeleteItem, UpdateItem.
 *
 * Reads use a read transaction on the I/O thread. Writes are parsed and validated on the I/O
 * thread (actions.c), then run as a job in the writer thread's group commit, where the
 * condition is checked against the current item, and answer only after the commit is durable.
 * Expressions are parsed once per request; the writer thread only evaluates them.
 */
#include <string.h>

#include "core/json.h"
#include "dynamodb/dynamodb_int.h"
#include "dynamodb/expr/expr.h"
#include "store/store.h"

enum ret_values { RV_NONE = 0, RV_ALL_OLD, RV_UPDATED_OLD, RV_ALL_NEW, RV_UPDATED_NEW };

/* One item write request. */
struct item_op {
    struct gy_ddb_action a;  /* the write */
    enum ret_values rv;      /* ReturnValues */
    int rcc;                 /* ReturnConsumedCapacity */
    bool metrics;            /* ReturnItemCollectionMetrics SIZE */
};

static int parse_return_values(struct gy_aws_req *req, bool allow_updates, enum ret_values *out)
{
    struct gy_str s = gy_json_str(gy_json_get(req->body, "ReturnValues"));
    *out = RV_NONE;
    if (!s.p || gy_str_eqc(s, "NONE"))
        return 0;
    if (gy_str_eqc(s, "ALL_OLD"))
        *out = RV_ALL_OLD;
    else if (allow_updates && gy_str_eqc(s, "UPDATED_OLD"))
        *out = RV_UPDATED_OLD;
    else if (allow_updates && gy_str_eqc(s, "ALL_NEW"))
        *out = RV_ALL_NEW;
    else if (allow_updates && gy_str_eqc(s, "UPDATED_NEW"))
        *out = RV_UPDATED_NEW;
    else if (gy_str_eqc(s, "UPDATED_OLD") || gy_str_eqc(s, "ALL_NEW") || gy_str_eqc(s, "UPDATED_NEW"))
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "ReturnValues can only be ALL_OLD or NONE");
    else
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "1 validation error detected: Value '%s' at 'returnValues' failed to "
                            "satisfy constraint: Member must satisfy enum value set: [ALL_NEW, "
                            "UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]",
                            s.p);
    return 0;
}

static int write_apply(struct gy_store_txn *txn, struct gy_ddb_job *j)
{
    struct item_op *op = j->data;
    int rc = gy_ddb__action_check(txn, j->req, &op->a);
    return rc ? rc : gy_ddb__action_apply(txn, j->req, &op->a);
}

static void write_respond(struct gy_ddb_job *j)
{
    struct item_op *op = j->data;
    struct gy_ddb_action *a = &op->a;
    struct gy_aws_req *req = j->req;
    struct gy_jw *w = &req->w;
    struct gy_ddb_map out = { 0 };
    bool show = false;

    switch (op->rv) {
    case RV_NONE: break;
    case RV_ALL_OLD:
        show = a->had_old;
        out = a->old;
        break;
    case RV_ALL_NEW:
        show = a->new_item.n > 0;
        out = a->new_item;
        break;
    case RV_UPDATED_OLD:
        if (a->had_old && a->upd)
            gy_expr_update_project(req->arena, a->upd, &a->old, &out);
        show = out.n > 0;
        break;
    case RV_UPDATED_NEW:
        if (a->upd)
            gy_expr_update_project(req->arena, a->upd, &a->new_item, &out);
        show = out.n > 0;
        break;
    }
    gy_jw_obj_begin(w);
    if (show) {
        gy_jw_key(w, "Attributes");
        gy_ddb_map_to_json(w, &out);
    }
    gy_ddb__write_capacity_ix(w, a->t, op->rcc, gy_ddb__write_units(gy_ddb__action_size(a)),
                              a->had_old ? &a->old : NULL, gy_ddb__action_new_image(a));
    if (op->metrics) {
        const struct gy_ddb_map *img = a->kind == GY_DDB_ACT_DELETE ? &a->old
                                       : a->new_item.n                ? &a->new_item
                                                                      : a->key_map;
        gy_ddb__collection_metrics(w, req->ctx, a->t, img);
    }
    gy_jw_obj_end(w);
}

static int submit_write(struct gy_aws_req *req, enum gy_ddb_act_kind kind, int exprs,
                        bool update_rv)
{
    struct item_op *op = gy_arena_zalloc(req->arena, sizeof(*op));
    if (gy_ddb__action_parse(req, req->body, kind, exprs, &op->a))
        return GY_EAWS;
    if (parse_return_values(req, update_rv, &op->rv))
        return GY_EAWS;
    op->rcc = gy_ddb__rcc_arg(req);
    if (op->rcc < 0)
        return GY_EAWS;
    struct gy_str rim = gy_json_str(gy_json_get(req->body, "ReturnItemCollectionMetrics"));
    if (rim.p && !gy_str_eqc(rim, "SIZE") && !gy_str_eqc(rim, "NONE"))
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "1 validation error detected: Value '%s' at "
                            "'returnItemCollectionMetrics' failed to satisfy constraint: Member "
                            "must satisfy enum value set: [SIZE, NONE]",
                            rim.p);
    op->metrics = rim.p && gy_str_eqc(rim, "SIZE");
    struct gy_ddb_job *j = gy_arena_zalloc(req->arena, sizeof(*j));
    j->data = op;
    j->apply = write_apply;
    j->respond = write_respond;
    return gy_ddb__submit(req, j);
}

int gy_ddb__put_item(struct gy_aws_req *req)
{
    return submit_write(req, GY_DDB_ACT_PUT, GY_DDB_EX_COND, false);
}

int gy_ddb__delete_item(struct gy_aws_req *req)
{
    return submit_write(req, GY_DDB_ACT_DELETE, GY_DDB_EX_COND, false);
}

int gy_ddb__update_item(struct gy_aws_req *req)
{
    return submit_write(req, GY_DDB_ACT_UPDATE, GY_DDB_EX_COND | GY_DDB_EX_UPDATE, true);
}

static void end_read(void *p)
{
    gy_store_read_end(p);
}

int gy_ddb__get_item(struct gy_aws_req *req)
{
    struct gy_ddb *d = req->ctx;
    struct gy_ddb_table *t = gy_ddb__table_arg(req, "TableName", false);
    const struct gy_ddb_value *pk, *sk;
    struct gy_store_txn *txn;
    struct gy_str key;
    struct gy_ddb_exprs ex;
    bool consistent = false;

    if (!t)
        return GY_EAWS;
    if (gy_ddb__key_arg(req, t, gy_json_get(req->body, "Key"), &pk, &sk))
        return GY_EAWS;
    if (gy_ddb__parse_exprs(req, req->body, t, GY_DDB_EX_PROJ, &ex))
        return GY_EAWS;
    const struct gy_json *cr = gy_json_get(req->body, "ConsistentRead");
    if (cr && !gy_json_bool(cr, &consistent))
        return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION,
                            "Unexpected value type in payload: ConsistentRead");
    int rcc = gy_ddb__rcc_arg(req);
    if (rcc < 0)
        return GY_EAWS;
    if (gy_ddb__storage_key(req->arena, t, pk, sk, &key))
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION, "Key is too large");
    int rc = gy_store_read_begin(d->store, &txn);
    if (rc)
        return rc;
    gy_arena_add_cleanup(req->arena, end_read, txn);

    /* Every read is consistent here: the region has one copy, committed before any ack. */
    gy_jw_obj_begin(&req->w);
    size_t size = 0;
    struct gy_ddb_map m;
    rc = gy_ddb__item_load(txn, req->arena, key, false, &m, &size);
    if (rc == GY_EIO)
        return gy_error_set(&req->err, req->arena, GY_AWS_INTERNAL, "Corrupt item in storage");
    if (rc == 0) {
        if (ex.proj) {
            struct gy_ddb_map p;
            gy_expr_project(req->arena, ex.proj, &m, &p);
            m = p;
        }
        gy_jw_key(&req->w, "Item");
        gy_ddb_map_to_json(&req->w, &m);
    } else if (rc != GY_ENOTFOUND) {
        return rc;
    }
    gy_ddb__write_capacity(&req->w, t, rcc, gy_ddb__read_units(size, consistent), true);
    gy_jw_obj_end(&req->w);
    return 0;
}

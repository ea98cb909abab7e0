/*
 * ops_item.c — single-item operations: PutItem, GetItem, DeleteItem (UpdateItem lives in
 * ops_update.c). Reads use a read transaction on the I/O thread; writes validate everything
 * they can on the I/O thread, then run as a job in the writer thread's group commit, where
 * conditions are checked against the current item, and answer after the commit is durable.
 *
 * Item records: ITEMS[table id || key bytes] = gy_ddb_map_encode(item). TableSizeBytes and
 * ItemCount are kept exact in STATS, updated in the same transaction as the item.
 */
#include <string.h>

#include "core/json.h"
#include "dynamodb/dynamodb_int.h"
#include "store/store.h"

enum ret_values { RV_NONE = 0, RV_ALL_OLD, RV_UPDATED_OLD, RV_ALL_NEW, RV_UPDATED_NEW };

/* State of one item write, from validation to response. */
struct item_write {
    struct gy_ddb_table *t;            /* the table */
    struct gy_str key;                 /* storage key */
    const struct gy_ddb_map *item;     /* PutItem: the new item; NULL for DeleteItem */
    enum ret_values rv;                /* ReturnValues */
    int rcc;                           /* ReturnConsumedCapacity */
    bool had_old;                      /* an item existed */
    struct gy_ddb_map old;             /* its copy (when needed for the response) */
    size_t old_size, new_size;         /* DynamoDB sizes, for capacity */
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

/* Load the current item in txn (decoded, copied into the arena if keep). */
static int load_old(struct gy_store_txn *txn, struct gy_aws_req *req, struct item_write *iw,
                    bool keep)
{
    struct gy_str v;
    int rc = gy_store_get(txn, GY_DB_ITEMS, iw->key, &v);
    if (rc == GY_ENOTFOUND) {
        iw->had_old = false;
        return 0;
    }
    if (rc)
        return rc;
    struct gy_ddb_map m;
    if (gy_ddb_map_decode(req->arena, v.p, v.len, &m))
        return gy_error_set(&req->err, req->arena, GY_AWS_INTERNAL, "Corrupt item in storage");
    iw->had_old = true;
    iw->old_size = gy_ddb_map_size(&m);
    if (keep)
        gy_ddb_map_copy(req->arena, &m, &iw->old);
    return 0;
}

static int table_gone(struct gy_aws_req *req)
{
    return gy_error_set(&req->err, req->arena, GY_AWS_RESOURCE_NOT_FOUND,
                        "Requested resource not found");
}

static int put_apply(struct gy_store_txn *txn, struct gy_ddb_job *j)
{
    struct gy_ddb *d = j->req->ctx;
    struct item_write *iw = j->data;
    struct gy_buf enc;
    int rc;

    if (!gy_ddb_catalog_is_live(d->catalog, iw->t))
        return table_gone(j->req);
    rc = load_old(txn, j->req, iw, iw->rv == RV_ALL_OLD);
    if (rc)
        return rc;
    gy_buf_init(&enc, 2 * GY_DDB_MAX_ITEM_SIZE);
    rc = gy_ddb_map_encode(iw->item, &enc);
    if (rc == 0)
        rc = gy_store_put(txn, GY_DB_ITEMS, iw->key, gy_buf_str(&enc));
    gy_buf_fini(&enc);
    if (rc == 0)
        rc = gy_ddb_stats_add(txn, iw->t->id, iw->had_old ? 0 : 1,
                              (int64_t)iw->new_size - (int64_t)(iw->had_old ? iw->old_size : 0));
    return rc;
}

static void write_respond(struct gy_ddb_job *j)
{
    struct item_write *iw = j->data;
    struct gy_jw *w = &j->req->w;
    size_t size = iw->new_size > iw->old_size ? iw->new_size : iw->old_size;

    gy_jw_obj_begin(w);
    if (iw->rv == RV_ALL_OLD && iw->had_old) {
        gy_jw_key(w, "Attributes");
        gy_ddb_map_to_json(w, &iw->old);
    }
    gy_ddb__write_capacity(w, iw->t, iw->rcc, gy_ddb__write_units(size), false);
    gy_jw_obj_end(w);
}

int gy_ddb__put_item(struct gy_aws_req *req)
{
    struct gy_ddb_table *t = gy_ddb__table_arg(req, "TableName", false);
    struct item_write *iw;
    const struct gy_ddb_value *pk, *sk;
    const struct gy_json *item_j;
    struct gy_ddb_map *item;

    if (!t)
        return GY_EAWS;
    iw = gy_arena_zalloc(req->arena, sizeof(*iw));
    iw->t = t;
    item_j = gy_json_get(req->body, "Item");
    if (!item_j)
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "1 validation error detected: Value null at 'item' failed to satisfy "
                            "constraint: Member must not be null");
    item = gy_arena_zalloc(req->arena, sizeof(*item));
    if (gy_ddb_map_from_json(req->arena, item_j, item, &req->err))
        return GY_EAWS;
    if (gy_ddb__item_key_check(req, t, item, &pk, &sk))
        return GY_EAWS;
    iw->new_size = gy_ddb_map_size(item);
    if (iw->new_size > GY_DDB_MAX_ITEM_SIZE)
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "Item size has exceeded the maximum allowed size");
    iw->item = item;
    if (parse_return_values(req, false, &iw->rv))
        return GY_EAWS;
    iw->rcc = gy_ddb__rcc_arg(req);
    if (iw->rcc < 0)
        return GY_EAWS;
    if (gy_ddb__storage_key(req->arena, t, pk, sk, &iw->key))
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION, "Key is too large");

    struct gy_ddb_job *j = gy_arena_zalloc(req->arena, sizeof(*j));
    j->data = iw;
    j->apply = put_apply;
    j->respond = write_respond;
    return gy_ddb__submit(req, j);
}

static int delete_apply(struct gy_store_txn *txn, struct gy_ddb_job *j)
{
    struct gy_ddb *d = j->req->ctx;
    struct item_write *iw = j->data;
    int rc;

    if (!gy_ddb_catalog_is_live(d->catalog, iw->t))
        return table_gone(j->req);
    rc = load_old(txn, j->req, iw, iw->rv == RV_ALL_OLD);
    if (rc || !iw->had_old)
        return rc;
    rc = gy_store_del(txn, GY_DB_ITEMS, iw->key);
    if (rc == 0)
        rc = gy_ddb_stats_add(txn, iw->t->id, -1, -(int64_t)iw->old_size);
    return rc;
}

int gy_ddb__delete_item(struct gy_aws_req *req)
{
    struct gy_ddb_table *t = gy_ddb__table_arg(req, "TableName", false);
    struct item_write *iw;
    const struct gy_ddb_value *pk, *sk;

    if (!t)
        return GY_EAWS;
    iw = gy_arena_zalloc(req->arena, sizeof(*iw));
    iw->t = t;
    if (gy_ddb__key_arg(req, t, gy_json_get(req->body, "Key"), &pk, &sk))
        return GY_EAWS;
    if (parse_return_values(req, false, &iw->rv))
        return GY_EAWS;
    iw->rcc = gy_ddb__rcc_arg(req);
    if (iw->rcc < 0)
        return GY_EAWS;
    if (gy_ddb__storage_key(req->arena, t, pk, sk, &iw->key))
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION, "Key is too large");
    struct gy_ddb_job *j = gy_arena_zalloc(req->arena, sizeof(*j));
    j->data = iw;
    j->apply = delete_apply;
    j->respond = write_respond;
    return gy_ddb__submit(req, j);
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
    struct gy_str key, v;
    bool consistent = false;

    if (!t)
        return GY_EAWS;
    if (gy_ddb__key_arg(req, t, gy_json_get(req->body, "Key"), &pk, &sk))
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
    rc = gy_store_get(txn, GY_DB_ITEMS, key, &v);
    if (rc == 0) {
        struct gy_ddb_map m;
        if (gy_ddb_map_decode(req->arena, v.p, v.len, &m))
            return gy_error_set(&req->err, req->arena, GY_AWS_INTERNAL, "Corrupt item in storage");
        size = gy_ddb_map_size(&m);
        gy_jw_key(&req->w, "Item");
        gy_ddb_map_to_json(&req->w, &m);
    } else if (rc != GY_ENOTFOUND) {
        return rc;
    }
    gy_ddb__write_capacity(&req->w, t, rcc, gy_ddb__read_units(size, consistent), true);
    gy_jw_obj_end(&req->w);
    return 0;
}

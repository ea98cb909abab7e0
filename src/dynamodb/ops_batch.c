/*
 * ops_batch.c — BatchGetItem and BatchWriteItem.
 *
 * BatchWriteItem validates every request first (up to 25 puts and deletes over any tables,
 * no two on the same item), then applies them all in one job of the group commit. Gyre never
 * throttles, so UnprocessedItems is always empty. BatchGetItem reads up to 100 keys in one read
 * transaction; keys left over when the response would pass 16 MB are returned as
 * UnprocessedKeys, as DynamoDB does.
 */
#include <string.h>

#include "core/json.h"
#include "dynamodb/dynamodb_int.h"
#include "dynamodb/expr/expr.h"
#include "store/store.h"

#define MAX_BATCH_WRITE 25
#define MAX_BATCH_GET 100
#define MAX_RESPONSE (16u << 20)

static int bad(struct gy_aws_req *req, const char *msg)
{
    return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION, "%s", msg);
}

/* Two actions on the same item: same table and same storage key. */
static bool same_item(const struct gy_ddb_action *a, const struct gy_ddb_action *b)
{
    return a->t->id == b->t->id && gy_str_eq(a->key, b->key);
}

/* ---- BatchWriteItem ---- */

struct batch_write {
    struct gy_ddb_action *acts;
    size_t n;
    int rcc;
};

static int batch_write_apply(struct gy_store_txn *txn, struct gy_ddb_job *j)
{
    struct batch_write *bw = j->data;
    for (size_t i = 0; i < bw->n; i++) {
        int rc = gy_ddb__action_check(txn, j->req, &bw->acts[i]);
        if (rc == 0)
            rc = gy_ddb__action_apply(txn, j->req, &bw->acts[i]);
        if (rc)
            return rc;
    }
    return 0;
}

static void batch_write_respond(struct gy_ddb_job *j)
{
    struct batch_write *bw = j->data;
    struct gy_jw *w = &j->req->w;
    double *units = gy_arena_calloc(j->req->arena, bw->n ? bw->n : 1, sizeof(*units));
    for (size_t i = 0; i < bw->n; i++) {
        const struct gy_ddb_action *a = &bw->acts[i];
        units[i] = gy_ddb__write_units(gy_ddb__action_size(a));
        for (uint32_t k = 0; k < a->t->nindexes; k++)
            units[i] += gy_ddb__index_write_units(a->t, &a->t->indexes[k],
                                                  a->had_old ? &a->old : NULL,
                                                  gy_ddb__action_new_image(a));
    }
    gy_jw_obj_begin(w);
    gy_jw_key(w, "UnprocessedItems");
    gy_jw_obj_begin(w);
    gy_jw_obj_end(w);
    gy_ddb__capacity_list(w, bw->acts, bw->n, bw->rcc, false, units, false);
    gy_jw_obj_end(w);
}

int gy_ddb__batch_write_item(struct gy_aws_req *req)
{
    const struct gy_json *ri = gy_json_get(req->body, "RequestItems");
    struct batch_write *bw = gy_arena_zalloc(req->arena, sizeof(*bw));
    size_t total = 0;

    if (!ri)
        return bad(req, "1 validation error detected: Value null at 'requestItems' failed to "
                        "satisfy constraint: Member must not be null");
    if (!gy_json_is(ri, GY_JSON_OBJECT))
        return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION,
                            "Unexpected value type in payload: RequestItems");
    if (gy_json_count(ri) == 0)
        return bad(req, "1 validation error detected: Value '{}' at 'requestItems' failed to "
                        "satisfy constraint: Member must have length greater than or equal to 1");
    for (const struct gy_json *tj = gy_json_child(ri); tj; tj = gy_json_next(tj)) {
        size_t n = gy_json_count(tj);
        if (!gy_json_is(tj, GY_JSON_ARRAY) || n < 1 || n > MAX_BATCH_WRITE)
            return bad(req, "1 validation error detected: Value at 'requestItems' failed to "
                            "satisfy constraint: Map value must satisfy constraint: [Member must "
                            "have length less than or equal to 25, Member must have length greater "
                            "than or equal to 1]");
        total += n;
    }
    if (total > MAX_BATCH_WRITE)
        return bad(req, "Too many items requested for the BatchWriteItem call");
    bw->rcc = gy_ddb__rcc_arg(req);
    if (bw->rcc < 0)
        return GY_EAWS;
    bw->acts = gy_arena_calloc(req->arena, total, sizeof(*bw->acts));

    for (const struct gy_json *tj = gy_json_child(ri); tj; tj = gy_json_next(tj)) {
        for (const struct gy_json *wr = gy_json_child(tj); wr; wr = gy_json_next(wr)) {
            const struct gy_json *put = gy_json_get(wr, "PutRequest");
            const struct gy_json *del = gy_json_get(wr, "DeleteRequest");
            if ((put != NULL) == (del != NULL))
                return bad(req, "Supplied AttributeValue has more than one datatypes set, must "
                                "contain exactly one of the supported datatypes");
            struct gy_ddb_action *a = &bw->acts[bw->n];
            if (gy_ddb__batch_action(req, gy_json_key(tj), put ? put : del,
                                     put ? GY_DDB_ACT_PUT : GY_DDB_ACT_DELETE, a)) {
                /* BatchWriteItem words a PutRequest's key problems as a key mismatch. */
                const char *m = req->err.message ? req->err.message : "";
                if (put && (strstr(m, "Missing the key") || strstr(m, "Type mismatch for key")))
                    req->err.message = "The provided key element does not match the schema";
                return GY_EAWS;
            }
            for (size_t k = 0; k < bw->n; k++)
                if (same_item(&bw->acts[k], a))
                    return bad(req, "Provided list of item keys contains duplicates");
            bw->n++;
        }
    }
    struct gy_ddb_job *j = gy_arena_zalloc(req->arena, sizeof(*j));
    j->data = bw;
    j->apply = batch_write_apply;
    j->respond = batch_write_respond;
    return gy_ddb__submit(req, j);
}

/* ---- BatchGetItem ---- */

static void end_read(void *txn)
{
    gy_store_read_end(txn);
}

int gy_ddb__batch_get_item(struct gy_aws_req *req)
{
    struct gy_ddb *d = req->ctx;
    const struct gy_json *ri = gy_json_get(req->body, "RequestItems");
    size_t total = 0, nt = 0;

    if (!ri)
        return bad(req, "1 validation error detected: Value null at 'requestItems' failed to "
                        "satisfy constraint: Member must not be null");
    if (!gy_json_is(ri, GY_JSON_OBJECT))
        return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION,
                            "Unexpected value type in payload: RequestItems");
    if (gy_json_count(ri) == 0)
        return bad(req, "1 validation error detected: Value '{}' at 'requestItems' failed to "
                        "satisfy constraint: Member must have length greater than or equal to 1");
    int rcc = gy_ddb__rcc_arg(req);
    if (rcc < 0)
        return GY_EAWS;

    /* Validate everything first: tables, keys, expressions, duplicates, the 100-key limit. */
    size_t ntables = gy_json_count(ri);
    struct table_get {
        const struct gy_json *src;
        struct gy_ddb_action *keys;  /* only t, key, pk, sk are used */
        size_t n;
        struct gy_ddb_exprs ex;
        bool consistent;
    } *tg = gy_arena_calloc(req->arena, ntables, sizeof(*tg));
    for (const struct gy_json *tj = gy_json_child(ri); tj; tj = gy_json_next(tj), nt++) {
        const struct gy_json *keys = gy_json_get(tj, "Keys");
        size_t n = gy_json_count(keys);
        if (!gy_json_is(keys, GY_JSON_ARRAY) || n < 1)
            return bad(req, "1 validation error detected: Value null at "
                            "'requestItems.1.member.keys' failed to satisfy constraint: Member "
                            "must have length greater than or equal to 1");
        total += n;
        if (total > MAX_BATCH_GET)
            return bad(req, "Too many items requested for the BatchGetItem call");
        tg[nt].src = tj;
        tg[nt].keys = gy_arena_calloc(req->arena, n, sizeof(*tg[nt].keys));
        const struct gy_json *cr = gy_json_get(tj, "ConsistentRead");
        if (cr && !gy_json_bool(cr, &tg[nt].consistent))
            return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION,
                                "Unexpected value type in payload: ConsistentRead");
        for (const struct gy_json *kj = gy_json_child(keys); kj; kj = gy_json_next(kj)) {
            struct gy_ddb_action *a = &tg[nt].keys[tg[nt].n];
            if (gy_ddb__batch_key(req, gy_json_key(tj), kj, a))
                return GY_EAWS;
            for (size_t k = 0; k < tg[nt].n; k++)
                if (same_item(&tg[nt].keys[k], a))
                    return bad(req, "Provided list of item keys contains duplicates");
            tg[nt].n++;
        }
        if (gy_ddb__parse_exprs(req, tj, tg[nt].keys[0].t, GY_DDB_EX_PROJ, &tg[nt].ex))
            return GY_EAWS;
    }

    struct gy_store_txn *txn;
    int rc = gy_store_read_begin(d->store, &txn);
    if (rc)
        return rc;
    gy_arena_add_cleanup(req->arena, end_read, txn);
    struct gy_jw *w = &req->w;
    double *units = gy_arena_calloc(req->arena, ntables, sizeof(*units));
    bool *done = gy_arena_calloc(req->arena, total, sizeof(*done));
    size_t idx = 0;
    bool full = false;

    gy_jw_obj_begin(w);
    gy_jw_key(w, "Responses");
    gy_jw_obj_begin(w);
    for (size_t t = 0; t < ntables; t++) {
        gy_jw_key_str(w, gy_json_key(tg[t].src));
        gy_jw_arr_begin(w);
        for (size_t k = 0; k < tg[t].n; k++, idx++) {
            if (full)
                continue;
            struct gy_ddb_map m;
            size_t size = 0;
            rc = gy_ddb__item_load(txn, req->arena, tg[t].keys[k].key, false, &m, &size);
            if (rc == GY_ENOTFOUND) {
                done[idx] = true;
                units[t] += gy_ddb__read_units(0, tg[t].consistent);
                continue;
            }
            if (rc)
                return rc == GY_EIO ? gy_error_set(&req->err, req->arena, GY_AWS_INTERNAL,
                                                   "Corrupt item in storage")
                                    : rc;
            if (tg[t].ex.proj) {
                struct gy_ddb_map p;
                gy_expr_project(req->arena, tg[t].ex.proj, &m, &p);
                m = p;
            }
            /* Stop before the item that would take the response past 16 MB. */
            if (req->out.len + 2 * size + 1024 > MAX_RESPONSE) {
                full = true;
                continue;
            }
            done[idx] = true;
            units[t] += gy_ddb__read_units(size, tg[t].consistent);
            gy_ddb_map_to_json(w, &m);
        }
        gy_jw_arr_end(w);
    }
    gy_jw_obj_end(w);
    /* Keys not read because the response reached 16 MB. */
    gy_jw_key(w, "UnprocessedKeys");
    gy_jw_obj_begin(w);
    idx = 0;
    for (size_t t = 0; t < ntables; t++) {
        bool any = false;
        for (size_t k = 0; k < tg[t].n; k++)
            any |= !done[idx + k];
        if (any) {
            gy_jw_key_str(w, gy_json_key(tg[t].src));
            gy_jw_obj_begin(w);
            gy_jw_key(w, "Keys");
            gy_jw_arr_begin(w);
            const struct gy_json *kj = gy_json_child(gy_json_get(tg[t].src, "Keys"));
            for (size_t k = 0; k < tg[t].n; k++, kj = gy_json_next(kj)) {
                if (done[idx + k])
                    continue;
                struct gy_ddb_map km;
                gy_ddb_map_from_json(req->arena, kj, &km, &req->err);
                gy_ddb_map_to_json(w, &km);
            }
            gy_jw_arr_end(w);
            gy_jw_obj_end(w);
        }
        idx += tg[t].n;
    }
    gy_jw_obj_end(w);
    if (rcc > 0) {
        gy_jw_key(w, "ConsumedCapacity");
        gy_jw_arr_begin(w);
        for (size_t t = 0; t < ntables; t++) {
            gy_jw_obj_begin(w);
            gy_jw_key(w, "TableName");
            gy_jw_cstr(w, tg[t].keys[0].t->name);
            gy_jw_key(w, "CapacityUnits");
            gy_jw_double(w, units[t]);
            if (rcc == 2) {
                gy_jw_key(w, "Table");
                gy_jw_obj_begin(w);
                gy_jw_key(w, "CapacityUnits");
                gy_jw_double(w, units[t]);
                gy_jw_obj_end(w);
            }
            gy_jw_obj_end(w);
        }
        gy_jw_arr_end(w);
    }
    gy_jw_obj_end(w);
    return 0;
}

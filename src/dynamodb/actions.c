/*
 * actions.c — one validated write to one item, shared by PutItem, DeleteItem, UpdateItem,
 * BatchWriteItem and TransactWriteItems: parsing and validation on the I/O thread, then, on the
 * writer thread inside the group commit, the condition check against the current item and the
 * change itself through the single item write path (items.c).
 */
#include <string.h>

#include "core/json.h"
#include "dynamodb/dynamodb_int.h"
#include "dynamodb/expr/expr.h"
#include "store/store.h"

static int parse_rv_on_fail(struct gy_aws_req *req, const struct gy_json *src, bool *out)
{
    struct gy_str s = gy_json_str(gy_json_get(src, "ReturnValuesOnConditionCheckFailure"));
    *out = false;
    if (!s.p || gy_str_eqc(s, "NONE"))
        return 0;
    if (gy_str_eqc(s, "ALL_OLD")) {
        *out = true;
        return 0;
    }
    return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                        "1 validation error detected: Value '%s' at "
                        "'returnValuesOnConditionCheckFailure' failed to satisfy constraint: "
                        "Member must satisfy enum value set: [ALL_OLD, NONE]",
                        s.p);
}

static int parse_put(struct gy_aws_req *req, const struct gy_json *src, struct gy_ddb_action *a)
{
    const struct gy_json *item_j = gy_json_get(src, "Item");
    struct gy_ddb_map *item;
    if (!item_j)
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "1 validation error detected: Value null at 'item' failed to satisfy "
                            "constraint: Member must not be null");
    item = gy_arena_zalloc(req->arena, sizeof(*item));
    if (gy_ddb_map_from_json(req->arena, item_j, item, &req->err))
        return GY_EAWS;
    if (gy_ddb__item_key_check(req, a->t, item, &a->pk, &a->sk))
        return GY_EAWS;
    a->new_size = gy_ddb_map_size(item);
    if (a->new_size > GY_DDB_MAX_ITEM_SIZE)
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "Item size has exceeded the maximum allowed size");
    a->item = item;
    return 0;
}

/* Parse an action whose table a->t is already resolved. */
static int parse_action(struct gy_aws_req *req, const struct gy_json *src,
                        enum gy_ddb_act_kind kind, int exprs, struct gy_ddb_action *a)
{
    struct gy_ddb_exprs ex;

    a->kind = kind;
    if (kind == GY_DDB_ACT_PUT) {
        if (parse_put(req, src, a))
            return GY_EAWS;
    } else if (gy_ddb__key_arg(req, a->t, gy_json_get(src, "Key"), &a->pk, &a->sk)) {
        return GY_EAWS;
    }
    if (exprs && gy_ddb__parse_exprs(req, src, a->t, exprs, &ex))
        return GY_EAWS;
    if (exprs) {
        a->cond = ex.cond;
        a->upd = ex.upd;
    }
    if (parse_rv_on_fail(req, src, &a->rv_on_fail))
        return GY_EAWS;
    if (gy_ddb__storage_key(req->arena, a->t, a->pk, a->sk, &a->key))
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION, "Key is too large");
    if (kind == GY_DDB_ACT_UPDATE) {
        /* The item an update of a missing item starts from: just its key. */
        struct gy_ddb_map *km = gy_arena_zalloc(req->arena, sizeof(*km));
        km->v = gy_arena_calloc(req->arena, 2, sizeof(*km->v));
        km->v[km->n++] = (struct gy_ddb_attr){ gy_str_c(a->t->hash.name), *a->pk };
        if (a->sk)
            km->v[km->n++] = (struct gy_ddb_attr){ gy_str_c(a->t->range.name), *a->sk };
        gy_ddb_map_sort(km);
        a->key_map = km;
    }
    return 0;
}

int gy_ddb__action_parse(struct gy_aws_req *req, const struct gy_json *src,
                         enum gy_ddb_act_kind kind, int exprs, struct gy_ddb_action *a)
{
    memset(a, 0, sizeof(*a));
    a->t = gy_ddb__table_in(req, src, "TableName", false);
    if (!a->t)
        return GY_EAWS;
    return parse_action(req, src, kind, exprs, a);
}

int gy_ddb__batch_action(struct gy_aws_req *req, struct gy_str table, const struct gy_json *src,
                         enum gy_ddb_act_kind kind, struct gy_ddb_action *a)
{
    memset(a, 0, sizeof(*a));
    a->t = gy_ddb__table_named(req, table, false);
    if (!a->t)
        return GY_EAWS;
    return parse_action(req, src, kind, 0, a);
}

int gy_ddb__batch_key(struct gy_aws_req *req, struct gy_str table, const struct gy_json *key,
                      struct gy_ddb_action *a)
{
    memset(a, 0, sizeof(*a));
    a->t = gy_ddb__table_named(req, table, false);
    if (!a->t)
        return GY_EAWS;
    if (gy_ddb__key_arg(req, a->t, key, &a->pk, &a->sk))
        return GY_EAWS;
    if (gy_ddb__storage_key(req->arena, a->t, a->pk, a->sk, &a->key))
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION, "Key is too large");
    return 0;
}

const char *gy_ddb__item_json(struct gy_arena *a, const struct gy_ddb_map *item)
{
    struct gy_buf b;
    struct gy_jw w;
    const char *out = NULL;
    gy_buf_init(&b, 4 * GY_DDB_MAX_ITEM_SIZE);
    gy_jw_init(&w, &b);
    gy_ddb_map_to_json(&w, item);
    if (w.err == 0)
        out = gy_arena_strndup(a, b.p, b.len);
    gy_buf_fini(&b);
    return out;
}

int gy_ddb__action_check(struct gy_store_txn *txn, struct gy_aws_req *req, struct gy_ddb_action *a)
{
    struct gy_ddb *d = req->ctx;
    bool ok = true;

    if (!gy_ddb_catalog_is_live(d->catalog, a->t))
        return gy_error_set(&req->err, req->arena, GY_AWS_RESOURCE_NOT_FOUND,
                            "Requested resource not found");
    int rc = gy_ddb__item_load(txn, req->arena, a->key, true, &a->old, &a->old_size);
    if (rc == GY_EIO)
        return gy_error_set(&req->err, req->arena, GY_AWS_INTERNAL, "Corrupt item in storage");
    if (rc && rc != GY_ENOTFOUND)
        return rc;
    a->had_old = rc == 0;
    if (!a->had_old)
        a->old_size = 0;
    if (!a->cond)
        return 0;
    rc = gy_expr_eval_condition(a->cond, a->had_old ? &a->old : NULL, &ok, &req->err, req->arena);
    if (rc || ok)
        return rc;
    a->cond_failed = true;
    gy_error_set(&req->err, req->arena, GY_AWS_CONDITIONAL_CHECK_FAILED,
                 "The conditional request failed");
    if (a->rv_on_fail && a->had_old) {
        const char *item = gy_ddb__item_json(req->arena, &a->old);
        if (item)
            req->err.extra_json = gy_arena_printf(req->arena, "\"Item\":%s", item);
    }
    return GY_EAWS;
}

/*
 * True when every action of u takes something away (REMOVE, DELETE from a set, legacy DELETE).
 * DynamoDB does not create a missing item for such an update, though an empty update (no
 * actions at all) does create the key-only item.
 */
static bool only_deletions(const struct gy_expr_update *u)
{
    if (!u || u->n == 0)
        return false;
    for (uint32_t i = 0; i < u->n; i++)
        if (u->a[i].kind != GY_EXPR_ACT_REMOVE && u->a[i].kind != GY_EXPR_ACT_DELETE)
            return false;
    return true;
}

int gy_ddb__action_apply(struct gy_store_txn *txn, struct gy_aws_req *req, struct gy_ddb_action *a)
{
    const struct gy_ddb_map *new_item = NULL;
    int rc;

    switch (a->kind) {
    case GY_DDB_ACT_CHECK:
        return 0;
    case GY_DDB_ACT_DELETE:
        if (!a->had_old)
            return 0;
        a->new_size = 0;
        break;
    case GY_DDB_ACT_PUT:
        a->new_item = *a->item;
        new_item = a->item;
        break;
    case GY_DDB_ACT_UPDATE: {
        const struct gy_ddb_map *base = a->had_old ? &a->old : a->key_map;
        if (a->upd) {
            rc = gy_expr_update_apply(req->arena, a->upd, base, &a->new_item, &req->err);
            if (rc)
                return rc;
        } else {
            a->new_item = *base;
        }
        if (!a->had_old && only_deletions(a->upd)) {
            /* Errors the update raises still count; its (key-only) result is not written. */
            a->new_item = (struct gy_ddb_map){ 0 };
            a->new_size = 0;
            return 0;
        }
        a->new_size = gy_ddb_map_size(&a->new_item);
        if (a->new_size > GY_DDB_MAX_ITEM_SIZE)
            return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                                "Item size to update has exceeded the maximum allowed size");
        new_item = &a->new_item;
        break;
    }
    }
    if (new_item && gy_ddb__index_check(req, a->t, new_item))
        return GY_EAWS;
    struct gy_ddb_change c = {
        .d = req->ctx,
        .t = a->t,
        .key = a->key,
        .old = a->had_old ? &a->old : NULL,
        .old_size = a->old_size,
        .new_item = new_item,
        .new_size = a->new_size,
    };
    rc = gy_ddb__item_apply(txn, &c);
    if (rc == GY_ETOOBIG)
        return gy_error_set(&req->err, req->arena, GY_AWS_ITEM_COLLECTION_SIZE_LIMIT,
                            "Item collection size limit exceeded");
    return rc;
}

const struct gy_ddb_map *gy_ddb__action_new_image(const struct gy_ddb_action *a)
{
    if (a->kind == GY_DDB_ACT_DELETE || a->kind == GY_DDB_ACT_CHECK || a->new_item.n == 0)
        return NULL;
    return &a->new_item;
}

size_t gy_ddb__action_size(const struct gy_ddb_action *a)
{
    return a->new_size > a->old_size ? a->new_size : a->old_size;
}

/*
 * ops_txn.c — TransactWriteItems and TransactGetItems.
 *
 * A write transaction is one job of the group commit, so it is atomic and isolated from every
 * other write: all conditions are evaluated against the current items first, and only if all
 * pass are the changes applied; a failure anywhere aborts the job's nested transaction, so
 * nothing of it is stored. A read transaction reads every item in one LMDB snapshot.
 *
 * ClientRequestToken idempotency (10 minutes), kept in the META key space:
 *   "txn-token/" token           -> sha256(request body) (32) || time ms (8, BE)
 *   "txn-time/" time (8, BE) token -> "" (an index by age, so expired tokens are dropped in order)
 */
#include <openssl/evp.h>
#include <string.h>

#include "core/bytes.h"
#include "core/clock.h"
#include "core/json.h"
#include "dynamodb/dynamodb_int.h"
#include "dynamodb/expr/expr.h"
#include "store/store.h"

#define MAX_TXN_ITEMS 100
#define TOKEN_WINDOW_MS (10 * 60 * 1000)
#define TOKEN_PURGE_BATCH 64

static int bad(struct gy_aws_req *req, const char *msg)
{
    return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION, "%s", msg);
}

struct txn_write {
    struct gy_ddb_action *acts;
    size_t n;
    int rcc;
    struct gy_str token;               /* ClientRequestToken, or empty */
    unsigned char digest[32];          /* of the request body */
    bool replay;                       /* an identical request with this token already committed */
};

/* Drop tokens older than the window, oldest first, a bounded number per call. */
static int purge_tokens(struct gy_store_txn *txn, struct gy_arena *a, int64_t now)
{
    struct gy_store_cursor *cur;
    struct gy_str k, v;
    int rc = gy_store_cursor_open(txn, GY_DB_META, &cur);
    if (rc)
        return rc;
    for (int i = 0; i < TOKEN_PURGE_BATCH; i++) {
        rc = gy_store_cursor_seek(cur, GY_STR("txn-time/"), &k, &v);
        if (rc || !gy_str_startswith(k, GY_STR("txn-time/")) || k.len < 17)
            break;
        uint64_t t = gy_get_be64((const unsigned char *)k.p + 9);
        if ((int64_t)t + TOKEN_WINDOW_MS > now)
            break;
        char *tk = gy_arena_printf(a, "txn-token/%.*s", (int)(k.len - 17), k.p + 17);
        gy_store_del(txn, GY_DB_META, gy_str_c(tk));
        rc = gy_store_cursor_del(cur);
        if (rc)
            return rc;
    }
    return 0;
}

/* Check the token; returns 0 (go ahead, or replay set), or GY_EAWS on a mismatch. */
static int token_check(struct gy_store_txn *txn, struct gy_aws_req *req, struct txn_write *tw)
{
    struct gy_str v;
    int64_t now = gy_now_ms();
    if (!tw->token.len)
        return 0;
    int rc = purge_tokens(txn, req->arena, now);
    if (rc)
        return rc;
    char *key = gy_arena_printf(req->arena, "txn-token/%.*s", (int)tw->token.len, tw->token.p);
    if (gy_store_get(txn, GY_DB_META, gy_str_c(key), &v) == 0 && v.len == 40 &&
        (int64_t)gy_get_be64((const unsigned char *)v.p + 32) + TOKEN_WINDOW_MS > now) {
        if (memcmp(v.p, tw->digest, 32) != 0)
            return gy_error_set(&req->err, req->arena, GY_AWS_IDEMPOTENT_PARAMETER_MISMATCH,
                                "Specified idempotency token has been used with different "
                                "request parameters within the idempotency window");
        tw->replay = true;
    }
    return 0;
}

static int token_record(struct gy_store_txn *txn, struct gy_aws_req *req, struct txn_write *tw)
{
    unsigned char val[40];
    int64_t now = gy_now_ms();
    if (!tw->token.len)
        return 0;
    memcpy(val, tw->digest, 32);
    gy_put_be64(val + 32, (uint64_t)now);
    char *key = gy_arena_printf(req->arena, "txn-token/%.*s", (int)tw->token.len, tw->token.p);
    int rc = gy_store_put(txn, GY_DB_META, gy_str_c(key), (struct gy_str){ (char *)val, 40 });
    if (rc)
        return rc;
    struct gy_buf b;
    gy_buf_init(&b, 256);
    unsigned char t[8];
    gy_put_be64(t, (uint64_t)now);
    gy_buf_puts(&b, "txn-time/");
    gy_buf_append(&b, t, 8);
    gy_buf_append_str(&b, tw->token);
    rc = gy_store_put(txn, GY_DB_META, gy_buf_str(&b), GY_STR(""));
    gy_buf_fini(&b);
    return rc;
}

/* Record TransactionCanceledException with one reason per action (codes[i] NULL = "None"). */
static int cancel(struct gy_aws_req *req, struct txn_write *tw, const char **codes,
                  const char **messages)
{
    struct gy_buf list, reasons;
    gy_buf_init(&list, 1 << 16);
    gy_buf_init(&reasons, 64u << 20);
    gy_buf_puts(&reasons, "\"CancellationReasons\":[");
    for (size_t i = 0; i < tw->n; i++) {
        const char *code = codes[i] ? codes[i] : "None";
        gy_buf_printf(&list, "%s%s", i ? ", " : "", code);
        gy_buf_puts(&reasons, i ? ",{\"Code\":" : "{\"Code\":");
        gy_json_escape(&reasons, gy_str_c(code));
        if (codes[i]) {
            gy_buf_puts(&reasons, ",\"Message\":");
            gy_json_escape(&reasons, gy_str_c(messages[i] ? messages[i] : ""));
        }
        struct gy_ddb_action *a = &tw->acts[i];
        if (codes[i] && strcmp(codes[i], "ConditionalCheckFailed") == 0 && a->rv_on_fail &&
            a->had_old) {
            const char *item = gy_ddb__item_json(req->arena, &a->old);
            if (item) {
                gy_buf_puts(&reasons, ",\"Item\":");
                gy_buf_puts(&reasons, item);
            }
        }
        gy_buf_putc(&reasons, '}');
    }
    gy_buf_putc(&reasons, ']');
    gy_error_set(&req->err, req->arena, GY_AWS_TRANSACTION_CANCELED,
                 "Transaction cancelled, please refer cancellation reasons for specific reasons [%s]",
                 list.p ? list.p : "");
    req->err.extra_json = gy_arena_strndup(req->arena, reasons.p, reasons.len);
    gy_buf_fini(&list);
    gy_buf_fini(&reasons);
    return GY_EAWS;
}

static int txn_write_apply(struct gy_store_txn *txn, struct gy_ddb_job *j)
{
    struct txn_write *tw = j->data;
    struct gy_aws_req *req = j->req;
    const char **codes = gy_arena_calloc(req->arena, tw->n, sizeof(*codes));
    const char **msgs = gy_arena_calloc(req->arena, tw->n, sizeof(*msgs));
    bool failed = false;

    int rc = token_check(txn, req, tw);
    if (rc || tw->replay)
        return rc;
    for (size_t i = 0; i < tw->n; i++) {
        rc = gy_ddb__action_check(txn, req, &tw->acts[i]);
        if (rc == GY_EAWS && tw->acts[i].cond_failed) {
            codes[i] = "ConditionalCheckFailed";
            msgs[i] = "The conditional request failed";
            failed = true;
        } else if (rc) {
            return rc;
        }
    }
    if (failed)
        return cancel(req, tw, codes, msgs);
    for (size_t i = 0; i < tw->n; i++) {
        rc = gy_ddb__action_apply(txn, req, &tw->acts[i]);
        if (rc == GY_EAWS && req->err.code == GY_AWS_VALIDATION) {
            codes[i] = "ValidationError";
            msgs[i] = req->err.message;
            return cancel(req, tw, codes, msgs);
        }
        if (rc)
            return rc;
    }
    return token_record(txn, req, tw);
}

static void txn_write_respond(struct gy_ddb_job *j)
{
    struct txn_write *tw = j->data;
    double *units = gy_arena_calloc(j->req->arena, tw->n, sizeof(*units));
    /* Transactional writes cost two write units per KB (DynamoDB's prepare + commit). */
    for (size_t i = 0; i < tw->n; i++) {
        const struct gy_ddb_action *a = &tw->acts[i];
        units[i] = 2 * gy_ddb__write_units(gy_ddb__action_size(a));
        if (a->kind == GY_DDB_ACT_CHECK)
            continue;
        for (uint32_t k = 0; k < a->t->nindexes; k++)
            units[i] += 2 * gy_ddb__index_write_units(a->t, &a->t->indexes[k],
                                                      a->had_old ? &a->old : NULL,
                                                      gy_ddb__action_new_image(a));
    }
    gy_jw_obj_begin(&j->req->w);
    gy_ddb__capacity_list(&j->req->w, tw->acts, tw->n, tw->rcc, false, units, true);
    gy_jw_obj_end(&j->req->w);
}

static bool same_item(const struct gy_ddb_action *a, const struct gy_ddb_action *b)
{
    return a->t->id == b->t->id && gy_str_eq(a->key, b->key);
}

/* The items array: 1..100 entries. */
static int txn_items(struct gy_aws_req *req, const struct gy_json **items, size_t *n)
{
    *items = gy_json_get(req->body, "TransactItems");
    if (!*items)
        return bad(req, "1 validation error detected: Value null at 'transactItems' failed to "
                        "satisfy constraint: Member must not be null");
    if (!gy_json_is(*items, GY_JSON_ARRAY))
        return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION,
                            "Unexpected value type in payload: TransactItems");
    *n = gy_json_count(*items);
    if (*n < 1 || *n > MAX_TXN_ITEMS)
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "1 validation error detected: Value '[...]' at 'transactItems' failed "
                            "to satisfy constraint: Member must have length %s",
                            *n < 1 ? "greater than or equal to 1" : "less than or equal to 100");
    return 0;
}

int gy_ddb__transact_write_items(struct gy_aws_req *req)
{
    const struct gy_json *items;
    struct txn_write *tw = gy_arena_zalloc(req->arena, sizeof(*tw));
    size_t n;

    if (txn_items(req, &items, &n))
        return GY_EAWS;
    tw->rcc = gy_ddb__rcc_arg(req);
    if (tw->rcc < 0)
        return GY_EAWS;
    const struct gy_json *tok = gy_json_get(req->body, "ClientRequestToken");
    if (tok) {
        tw->token = gy_json_str(tok);
        if (!tw->token.p || tw->token.len < 1 || tw->token.len > 36)
            return bad(req, "1 validation error detected: Value at 'clientRequestToken' failed to "
                            "satisfy constraint: Member must have length less than or equal to 36");
    }
    EVP_Digest(req->http->body.p, req->http->body.len, tw->digest, NULL, EVP_sha256(), NULL);
    tw->acts = gy_arena_calloc(req->arena, n, sizeof(*tw->acts));
    size_t i = 0;
    for (const struct gy_json *it = gy_json_child(items); it; it = gy_json_next(it), i++) {
        static const struct {
            const char *name;
            enum gy_ddb_act_kind kind;
            int exprs;
        } kinds[] = {
            { "ConditionCheck", GY_DDB_ACT_CHECK, GY_DDB_EX_COND },
            { "Put", GY_DDB_ACT_PUT, GY_DDB_EX_COND },
            { "Delete", GY_DDB_ACT_DELETE, GY_DDB_EX_COND },
            { "Update", GY_DDB_ACT_UPDATE, GY_DDB_EX_COND | GY_DDB_EX_UPDATE },
        };
        const struct gy_json *src = NULL;
        int which = -1, count = 0;
        for (int k = 0; k < 4; k++) {
            const struct gy_json *s = gy_json_get(it, kinds[k].name);
            if (s) {
                src = s;
                which = k;
                count++;
            }
        }
        if (count != 1)
            return bad(req, "TransactItems can only contain one of Check, Put, Update or Delete");
        if (kinds[which].kind == GY_DDB_ACT_CHECK && !gy_json_get(src, "ConditionExpression"))
            return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                                "1 validation error detected: Value null at "
                                "'transactItems.%zu.member.conditionCheck.conditionExpression' "
                                "failed to satisfy constraint: Member must not be null",
                                i + 1);
        if (kinds[which].kind == GY_DDB_ACT_UPDATE && !gy_json_get(src, "UpdateExpression"))
            return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                                "1 validation error detected: Value null at "
                                "'transactItems.%zu.member.update.updateExpression' failed to "
                                "satisfy constraint: Member must not be null",
                                i + 1);
        if (gy_ddb__action_parse(req, src, kinds[which].kind, kinds[which].exprs, &tw->acts[i]))
            return GY_EAWS;
        for (size_t k = 0; k < i; k++)
            if (same_item(&tw->acts[k], &tw->acts[i]))
                return bad(req, "Transaction request cannot include multiple operations on one "
                                "item");
    }
    tw->n = n;
    struct gy_ddb_job *j = gy_arena_zalloc(req->arena, sizeof(*j));
    j->data = tw;
    j->apply = txn_write_apply;
    j->respond = txn_write_respond;
    return gy_ddb__submit(req, j);
}

static void end_read(void *txn)
{
    gy_store_read_end(txn);
}

int gy_ddb__transact_get_items(struct gy_aws_req *req)
{
    struct gy_ddb *d = req->ctx;
    const struct gy_json *items;
    size_t n;

    if (txn_items(req, &items, &n))
        return GY_EAWS;
    int rcc = gy_ddb__rcc_arg(req);
    if (rcc < 0)
        return GY_EAWS;
    struct gy_ddb_action *acts = gy_arena_calloc(req->arena, n, sizeof(*acts));
    const struct gy_expr_proj **proj = gy_arena_calloc(req->arena, n, sizeof(*proj));
    size_t i = 0;
    for (const struct gy_json *it = gy_json_child(items); it; it = gy_json_next(it), i++) {
        const struct gy_json *src = gy_json_get(it, "Get");
        struct gy_ddb_exprs ex;
        if (!src || gy_json_count(it) != 1)
            return bad(req, "TransactItems can only contain Get operations");
        if (gy_ddb__action_parse(req, src, GY_DDB_ACT_CHECK, 0, &acts[i]))
            return GY_EAWS;
        if (gy_ddb__parse_exprs(req, src, acts[i].t, GY_DDB_EX_PROJ, &ex))
            return GY_EAWS;
        proj[i] = ex.proj;
        for (size_t k = 0; k < i; k++)
            if (same_item(&acts[k], &acts[i]))
                return bad(req, "Transaction request cannot include multiple operations on one "
                                "item");
    }

    struct gy_store_txn *txn;
    int rc = gy_store_read_begin(d->store, &txn);
    if (rc)
        return rc;
    gy_arena_add_cleanup(req->arena, end_read, txn);
    double *units = gy_arena_calloc(req->arena, n, sizeof(*units));
    struct gy_jw *w = &req->w;
    gy_jw_obj_begin(w);
    gy_jw_key(w, "Responses");
    gy_jw_arr_begin(w);
    for (i = 0; i < n; i++) {
        struct gy_ddb_map m;
        size_t size = 0;
        rc = gy_ddb__item_load(txn, req->arena, acts[i].key, false, &m, &size);
        if (rc && rc != GY_ENOTFOUND)
            return rc == GY_EIO ? gy_error_set(&req->err, req->arena, GY_AWS_INTERNAL,
                                               "Corrupt item in storage")
                                : rc;
        units[i] = 2 * gy_ddb__read_units(size, true);
        gy_jw_obj_begin(w);
        if (rc == 0) {
            if (proj[i]) {
                struct gy_ddb_map p;
                gy_expr_project(req->arena, proj[i], &m, &p);
                m = p;
            }
            gy_jw_key(w, "Item");
            gy_ddb_map_to_json(w, &m);
        }
        gy_jw_obj_end(w);
    }
    gy_jw_arr_end(w);
    gy_ddb__capacity_list(w, acts, n, rcc, true, units, true);
    gy_jw_obj_end(w);
    return 0;
}

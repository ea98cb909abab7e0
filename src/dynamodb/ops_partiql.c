/*
 * ops_partiql.c — ExecuteStatement, BatchExecuteStatement and ExecuteTransaction.
 *
 * Each statement is parsed and planned (src/dynamodb/partiql/) into the request body of the
 * equivalent operation, which runs as a sub-request of this one (gy_aws_req_sub) through the
 * ordinary handler: validation, conditions, capacity and durability are those of GetItem,
 * Query, Scan, PutItem, UpdateItem, DeleteItem, TransactWriteItems and TransactGetItems.
 * A sub-request completes through on_complete on this request's I/O thread, either at once
 * (inside our handler) or later; struct runner tells the two apart so the parent request is
 * completed exactly once: by the router when everything finished inside the handler, else by
 * gy_aws_req_complete from the last completion. Batches run their statements one after another.
 * See docs/dynamodb.md, "PartiQL".
 */
#include <string.h>

#include "core/json.h"
#include "dynamodb/dynamodb_int.h"
#include "dynamodb/partiql/partiql.h"

#define BATCH_MAX 25
#define TXN_MAX 100
#define DUPLICATE_MSG "Duplicate primary key exists in table"

/* Completion bookkeeping shared by the three operations. */
struct runner {
    struct gy_aws_req *req; /* the PartiQL request */
    bool in_handler;        /* our handler has not returned yet */
    bool finished;          /* finished while in_handler: the handler returns rc */
    int rc;
};

static void finish(struct runner *r, int rc)
{
    if (r->in_handler) {
        r->finished = true;
        r->rc = rc;
        return;
    }
    gy_aws_req_complete(r->req, rc);
}

/* What our handler returns after starting work that completes through finish(). */
static int handler_result(struct runner *r, int rc)
{
    r->in_handler = false;
    if (rc)
        return rc;
    return r->finished ? r->rc : GY_PENDING;
}

static gy_aws_op_fn op_handler(enum gy_pql_op op)
{
    switch (op) {
    case GY_PQL_OP_GET: return gy_ddb__get_item;
    case GY_PQL_OP_QUERY: return gy_ddb__query;
    case GY_PQL_OP_SCAN: return gy_ddb__scan;
    case GY_PQL_OP_PUT: return gy_ddb__put_item;
    case GY_PQL_OP_UPDATE: return gy_ddb__update_item;
    case GY_PQL_OP_DELETE: return gy_ddb__delete_item;
    default: return NULL;
    }
}

/*
 * Run body through fn as a sub-request of req; cb(sub, rc) is called exactly once, possibly
 * before this returns. Returns 0, or GY_EAWS (cb not called) when the body is not valid JSON.
 */
static int run_sub(struct gy_aws_req *req, gy_aws_op_fn fn, struct gy_str body,
                   void (*cb)(struct gy_aws_req *sub, int rc), void *arg)
{
    const struct gy_json *j = NULL;
    const char *why = NULL;
    if (gy_json_parse(req->arena, body.p, body.len, &j, &why))
        return gy_error_set(&req->err, req->arena, GY_AWS_INTERNAL,
                            "Internal server error (PartiQL plan: %s)", why ? why : "bad JSON");
    struct gy_aws_req *sub = gy_aws_req_sub(req, j);
    sub->on_complete = cb;
    sub->parent = arg;
    int rc = fn(sub);
    if (rc != GY_PENDING)
        gy_aws_req_complete(sub, rc);
    return 0;
}

/* The error a sub-request finished with (an internal error when none was recorded). */
static struct gy_error sub_error(struct gy_aws_req *sub, int rc)
{
    struct gy_error e = sub->err;
    if (rc != GY_EAWS || !e.code) {
        memset(&e, 0, sizeof(e));
        gy_error_set(&e, sub->arena, GY_AWS_INTERNAL, "Internal server error (%s)",
                     gy_strerror(rc));
    }
    return e;
}

/* A sub-request's output, parsed (NULL when it is not JSON, which would be a bug). */
static const struct gy_json *sub_output(struct gy_aws_req *sub)
{
    const struct gy_json *j = NULL;
    const char *why = NULL;
    struct gy_str out = sub->out.len ? gy_buf_str(&sub->out) : GY_STR("{}");
    if (gy_json_parse(sub->arena, out.p, out.len, &j, &why))
        return NULL;
    return j;
}

/* ---- request members ---- */

static int read_statement(struct gy_aws_req *req, const struct gy_json *src, const char *at,
                          struct gy_str *out)
{
    const struct gy_json *j = gy_json_get(src, "Statement");
    *out = gy_json_str(j);
    if (!j)
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "1 validation error detected: Value null at '%s' failed to satisfy "
                            "constraint: Member must not be null",
                            at);
    if (!out->p)
        return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION,
                            "Unexpected value type in payload: Statement");
    if (out->len < 1 || out->len > GY_PQL_MAX_STATEMENT)
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "1 validation error detected: Value at '%s' failed to satisfy "
                            "constraint: Member must have length %s",
                            at,
                            out->len < 1 ? "greater than or equal to 1"
                                         : "less than or equal to 8192");
    return 0;
}

static int read_params(struct gy_aws_req *req, const struct gy_json *src, const char *at,
                       const struct gy_json **out)
{
    *out = gy_json_get(src, "Parameters");
    if (!*out)
        return 0;
    if (!gy_json_is(*out, GY_JSON_ARRAY))
        return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION,
                            "Unexpected value type in payload: Parameters");
    if (gy_json_count(*out) == 0)
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "1 validation error detected: Value '[]' at '%s' failed to satisfy "
                            "constraint: Member must have length greater than or equal to 1",
                            at);
    return 0;
}

static int read_string(struct gy_aws_req *req, const struct gy_json *src, const char *name,
                       const char **out)
{
    const struct gy_json *j = gy_json_get(src, name);
    *out = NULL;
    if (!j)
        return 0;
    if (!gy_json_is(j, GY_JSON_STRING))
        return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION,
                            "Unexpected value type in payload: %s", name);
    *out = gy_json_str(j).p;
    return 0;
}

static int read_bool(struct gy_aws_req *req, const struct gy_json *src, const char *name,
                     bool *out)
{
    const struct gy_json *j = gy_json_get(src, name);
    *out = false;
    if (j && !gy_json_bool(j, out))
        return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION,
                            "Unexpected value type in payload: %s", name);
    return 0;
}

/* Parse a statement and check its parameter count. */
static int parse_statement(struct gy_aws_req *req, struct gy_str text,
                           const struct gy_json *params, const struct gy_pql_stmt **out)
{
    if (gy_pql_parse(req->arena, text, out, &req->err))
        return GY_EAWS;
    if ((*out)->nparams != gy_json_count(params))
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "Number of parameters in request and statement don't match.");
    return 0;
}

/* The list members of a statements array: 1..max objects. */
static int read_list(struct gy_aws_req *req, const char *member, const char *at, size_t max,
                     const struct gy_json **out)
{
    const struct gy_json *j = gy_json_get(req->body, member);
    *out = j;
    if (!j)
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "1 validation error detected: Value null at '%s' failed to satisfy "
                            "constraint: Member must not be null",
                            at);
    if (!gy_json_is(j, GY_JSON_ARRAY))
        return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION,
                            "Unexpected value type in payload: %s", member);
    size_t n = gy_json_count(j);
    if (n < 1 || n > max)
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "1 validation error detected: Value at '%s' failed to satisfy "
                            "constraint: Member must have length %s %zu",
                            at, n < 1 ? "greater than or equal to" : "less than or equal to",
                            n < 1 ? (size_t)1 : max);
    for (const struct gy_json *s = gy_json_child(j); s; s = gy_json_next(s))
        if (!gy_json_is(s, GY_JSON_OBJECT))
            return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION,
                                "Unexpected value type in payload: %s", member);
    return 0;
}

/* ---- ExecuteStatement ---- */

struct exec {
    struct runner r;
    struct gy_str text;            /* the statement */
    const struct gy_pql_stmt *s;
    struct gy_pql_plan plan;
};

/* {"Items": [...], NextToken, LastEvaluatedKey, ConsumedCapacity} from the operation's output. */
static void write_exec_result(struct exec *x, const struct gy_json *out)
{
    struct gy_jw *w = &x->r.req->w;
    const struct gy_json *one = NULL;

    gy_jw_obj_begin(w);
    gy_jw_key(w, "Items");
    switch (x->plan.op) {
    case GY_PQL_OP_QUERY:
    case GY_PQL_OP_SCAN:
        gy_jw_value(w, gy_json_get(out, "Items"));
        break;
    case GY_PQL_OP_GET:
        one = gy_json_get(out, "Item");
        /* fall through */
    default:
        if (!one)
            one = gy_json_get(out, "Attributes");
        gy_jw_arr_begin(w);
        if (one)
            gy_jw_value(w, one);
        gy_jw_arr_end(w);
        break;
    }
    const struct gy_json *lek = gy_json_get(out, "LastEvaluatedKey");
    if (lek) {
        struct gy_str key = gy_pql_json_text(x->r.req->arena, lek);
        gy_jw_key(w, "NextToken");
        gy_jw_str(w, gy_pql_token_encode(x->r.req->arena, x->text, key));
        gy_jw_key(w, "LastEvaluatedKey");
        gy_jw_raw(w, key);
    }
    const struct gy_json *cc = gy_json_get(out, "ConsumedCapacity");
    if (cc) {
        gy_jw_key(w, "ConsumedCapacity");
        gy_jw_value(w, cc);
    }
    gy_jw_obj_end(w);
}

static void exec_done(struct gy_aws_req *sub, int rc)
{
    struct exec *x = sub->parent;
    struct gy_aws_req *req = x->r.req;

    if (rc) {
        req->err = sub_error(sub, rc);
        if (x->plan.op == GY_PQL_OP_PUT && req->err.code == GY_AWS_CONDITIONAL_CHECK_FAILED)
            gy_error_set(&req->err, req->arena, GY_AWS_DUPLICATE_ITEM, DUPLICATE_MSG);
        finish(&x->r, GY_EAWS);
        return;
    }
    const struct gy_json *out = sub_output(sub);
    if (!out) {
        finish(&x->r, gy_error_set(&req->err, req->arena, GY_AWS_INTERNAL,
                                   "Internal server error (unreadable operation output)"));
        return;
    }
    write_exec_result(x, out);
    finish(&x->r, 0);
}

int gy_ddb__execute_statement(struct gy_aws_req *req)
{
    struct exec *x = gy_arena_zalloc(req->arena, sizeof(*x));
    struct gy_pql_opts o = { 0 };
    const struct gy_json *params, *j;
    const char *token;

    x->r.req = req;
    if (read_statement(req, req->body, "statement", &x->text) ||
        read_params(req, req->body, "parameters", &params) ||
        parse_statement(req, x->text, params, &x->s))
        return GY_EAWS;
    if ((j = gy_json_get(req->body, "Limit")) && !gy_json_is(j, GY_JSON_NULL)) {
        if (!gy_json_int(j, &o.limit))
            return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION,
                                "Unexpected value type in payload: Limit");
        if (o.limit < 1)
            return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                                "1 validation error detected: Value '%lld' at 'limit' failed to "
                                "satisfy constraint: Member must have value greater than or "
                                "equal to 1",
                                (long long)o.limit);
    }
    if (read_bool(req, req->body, "ConsistentRead", &o.consistent) ||
        read_string(req, req->body, "ReturnConsumedCapacity", &o.rcc) ||
        read_string(req, req->body, "ReturnValuesOnConditionCheckFailure", &o.rvoccf) ||
        read_string(req, req->body, "NextToken", &token))
        return GY_EAWS;
    if (token && gy_pql_is_read(x->s) &&
        gy_pql_token_decode(req->arena, x->text, gy_str_c(token), &o.start_key, &req->err))
        return GY_EAWS;
    struct gy_ddb_table *t = gy_ddb__table_named(req, x->s->table, false);
    if (!t)
        return GY_EAWS;
    if (gy_pql_plan(req->arena, x->s, t, params, GY_PQL_SINGLE, &o, &x->plan, &req->err))
        return GY_EAWS;
    x->r.in_handler = true;
    return handler_result(&x->r, run_sub(req, op_handler(x->plan.op), x->plan.body, exec_done, x));
}

/* ---- BatchExecuteStatement ---- */

struct batch_stmt {
    const struct gy_pql_stmt *s;
    struct gy_pql_plan plan;
    bool runnable;               /* planned: run it */
    struct gy_error err;         /* its error (code set), or none */
    const struct gy_json *out;   /* its operation's output */
};

struct batch {
    struct runner r;
    struct batch_stmt *v;
    size_t n, next;              /* statements; the next one to run */
    const char *rcc;             /* ReturnConsumedCapacity */
};

static const char *batch_code(enum gy_aws_error e)
{
    switch (e) {
    case GY_AWS_CONDITIONAL_CHECK_FAILED: return "ConditionalCheckFailed";
    case GY_AWS_DUPLICATE_ITEM: return "DuplicateItem";
    case GY_AWS_VALIDATION:
    case GY_AWS_SERIALIZATION: return "ValidationError";
    case GY_AWS_RESOURCE_NOT_FOUND: return "ResourceNotFound";
    case GY_AWS_TRANSACTION_CONFLICT: return "TransactionConflict";
    case GY_AWS_ITEM_COLLECTION_SIZE_LIMIT: return "ItemCollectionSizeLimitExceeded";
    case GY_AWS_THROTTLING: return "ThrottlingError";
    case GY_AWS_LIMIT_EXCEEDED: return "RequestLimitExceeded";
    case GY_AWS_ACCESS_DENIED: return "AccessDenied";
    default: return "InternalServerError";
    }
}

/* The "Item" member of an error's extra JSON (condition failures with ALL_OLD), or NULL. */
static const struct gy_json *extra_member(struct gy_arena *a, const char *extra, const char *name)
{
    const struct gy_json *j = NULL;
    const char *why = NULL;
    if (!extra)
        return NULL;
    char *obj = gy_arena_printf(a, "{%s}", extra);
    if (gy_json_parse(a, obj, strlen(obj), &j, &why))
        return NULL;
    return gy_json_get(j, name);
}

/* Sum of CapacityUnits per table, in statement order. */
static void write_batch_capacity(struct batch *b, struct gy_jw *w)
{
    bool indexes = strcmp(b->rcc, "INDEXES") == 0;
    gy_jw_key(w, "ConsumedCapacity");
    gy_jw_arr_begin(w);
    for (size_t i = 0; i < b->n; i++) {
        if (!b->v[i].out || !b->v[i].runnable)
            continue;
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++)
            seen = b->v[k].out && gy_str_eq(b->v[k].s->table, b->v[i].s->table);
        if (seen)
            continue;
        double units = 0;
        for (size_t k = i; k < b->n; k++)
            if (b->v[k].out && gy_str_eq(b->v[k].s->table, b->v[i].s->table))
                units += gy_json_num(gy_json_get(gy_json_get(b->v[k].out, "ConsumedCapacity"),
                                                 "CapacityUnits"));
        gy_jw_obj_begin(w);
        gy_jw_key(w, "TableName");
        gy_jw_str(w, b->v[i].s->table);
        gy_jw_key(w, "CapacityUnits");
        gy_jw_double(w, units);
        if (indexes) {
            gy_jw_key(w, "Table");
            gy_jw_obj_begin(w);
            gy_jw_key(w, "CapacityUnits");
            gy_jw_double(w, units);
            gy_jw_obj_end(w);
        }
        gy_jw_obj_end(w);
    }
    gy_jw_arr_end(w);
}

static void write_batch_result(struct batch *b)
{
    struct gy_aws_req *req = b->r.req;
    struct gy_jw *w = &req->w;

    gy_jw_obj_begin(w);
    gy_jw_key(w, "Responses");
    gy_jw_arr_begin(w);
    for (size_t i = 0; i < b->n; i++) {
        struct batch_stmt *st = &b->v[i];
        gy_jw_obj_begin(w);
        if (st->err.code) {
            gy_jw_key(w, "Error");
            gy_jw_obj_begin(w);
            gy_jw_key(w, "Code");
            gy_jw_cstr(w, batch_code(st->err.code));
            gy_jw_key(w, "Message");
            gy_jw_cstr(w, st->err.message ? st->err.message : "");
            const struct gy_json *item = extra_member(req->arena, st->err.extra_json, "Item");
            if (item) {
                gy_jw_key(w, "Item");
                gy_jw_value(w, item);
            }
            gy_jw_obj_end(w);
        } else {
            gy_jw_key(w, "TableName");
            gy_jw_str(w, st->s->table);
            const struct gy_json *item = gy_json_get(st->out, "Item");
            if (!item)
                item = gy_json_get(st->out, "Attributes");
            if (item) {
                gy_jw_key(w, "Item");
                gy_jw_value(w, item);
            }
        }
        gy_jw_obj_end(w);
    }
    gy_jw_arr_end(w);
    if (b->rcc && strcmp(b->rcc, "NONE") != 0)
        write_batch_capacity(b, w);
    gy_jw_obj_end(w);
}

static void batch_step(struct batch *b);

static void batch_done(struct gy_aws_req *sub, int rc)
{
    struct batch *b = sub->parent;
    struct batch_stmt *st = &b->v[b->next - 1];

    if (rc) {
        st->err = sub_error(sub, rc);
        if (st->plan.op == GY_PQL_OP_PUT && st->err.code == GY_AWS_CONDITIONAL_CHECK_FAILED) {
            gy_error_set(&st->err, sub->arena, GY_AWS_DUPLICATE_ITEM, DUPLICATE_MSG);
            st->err.extra_json = NULL;
        }
    } else {
        st->out = sub_output(sub);
        if (!st->out)
            gy_error_set(&st->err, sub->arena, GY_AWS_INTERNAL,
                         "Internal server error (unreadable operation output)");
    }
    batch_step(b);
}

/* Run the next runnable statement, or write the response when none is left. */
static void batch_step(struct batch *b)
{
    struct gy_aws_req *req = b->r.req;
    while (b->next < b->n) {
        struct batch_stmt *st = &b->v[b->next++];
        if (!st->runnable)
            continue;
        if (run_sub(req, op_handler(st->plan.op), st->plan.body, batch_done, b) == 0)
            return;
        st->err = req->err;
        memset(&req->err, 0, sizeof(req->err));
    }
    write_batch_result(b);
    finish(&b->r, 0);
}

/* Parse, resolve and plan statement i of a batch; its errors stay its own. */
static int batch_prepare(struct batch *b, size_t i, const struct gy_json *src)
{
    struct gy_aws_req *req = b->r.req;
    struct batch_stmt *st = &b->v[i];
    const struct gy_json *params;
    struct gy_pql_opts o = { 0 };
    struct gy_str text;
    char *at = gy_arena_printf(req->arena, "statements.%zu.member.statement", i + 1);

    if (read_statement(req, src, at, &text) ||
        read_params(req, src, gy_arena_printf(req->arena, "statements.%zu.member.parameters",
                                              i + 1),
                    &params) ||
        read_bool(req, src, "ConsistentRead", &o.consistent) ||
        read_string(req, src, "ReturnValuesOnConditionCheckFailure", &o.rvoccf))
        return GY_EAWS; /* malformed requests fail as a whole */
    o.rcc = b->rcc;
    if (parse_statement(req, text, params, &st->s))
        goto out_stmt_error;
    struct gy_ddb_table *t = gy_ddb__table_named(req, st->s->table, false);
    if (!t || gy_pql_plan(req->arena, st->s, t, params, GY_PQL_BATCH, &o, &st->plan, &req->err))
        goto out_stmt_error;
    st->runnable = true;
    return 0;

out_stmt_error:
    st->err = req->err;
    memset(&req->err, 0, sizeof(req->err));
    return 0;
}

int gy_ddb__batch_execute_statement(struct gy_aws_req *req)
{
    struct batch *b = gy_arena_zalloc(req->arena, sizeof(*b));
    const struct gy_json *list;
    size_t reads = 0, writes = 0;

    b->r.req = req;
    if (read_list(req, "Statements", "statements", BATCH_MAX, &list) ||
        read_string(req, req->body, "ReturnConsumedCapacity", &b->rcc))
        return GY_EAWS;
    if (b->rcc && strcmp(b->rcc, "NONE") != 0 && strcmp(b->rcc, "TOTAL") != 0 &&
        strcmp(b->rcc, "INDEXES") != 0)
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "1 validation error detected: Value '%s' at 'returnConsumedCapacity' "
                            "failed to satisfy constraint: Member must satisfy enum value set: "
                            "[INDEXES, TOTAL, NONE]",
                            b->rcc);
    b->n = gy_json_count(list);
    b->v = gy_arena_calloc(req->arena, b->n, sizeof(*b->v));
    size_t i = 0;
    for (const struct gy_json *s = gy_json_child(list); s; s = gy_json_next(s), i++)
        if (batch_prepare(b, i, s))
            return GY_EAWS;
    for (i = 0; i < b->n; i++)
        if (b->v[i].s)
            *(gy_pql_is_read(b->v[i].s) ? &reads : &writes) += 1;
    if (reads && writes)
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "Read and write requests together in the same batch is not "
                            "supported.");
    for (i = 0; i < b->n; i++)
        for (size_t k = 0; k < i; k++)
            if (b->v[i].runnable && b->v[k].runnable && b->v[i].plan.key.len &&
                gy_str_eq(b->v[i].s->table, b->v[k].s->table) &&
                gy_str_eq(b->v[i].plan.key, b->v[k].plan.key))
                return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                                    "Provided list of item keys contains duplicates");
    b->r.in_handler = true;
    batch_step(b);
    return handler_result(&b->r, 0);
}

/* ---- ExecuteTransaction ---- */

struct txn {
    struct runner r;
    const struct gy_pql_stmt **s; /* the statements */
    size_t n;
    bool reads;                   /* a read transaction (TransactGetItems) */
};

static const char *txn_action(enum gy_pql_op op)
{
    switch (op) {
    case GY_PQL_OP_GET: return "Get";
    case GY_PQL_OP_PUT: return "Put";
    case GY_PQL_OP_UPDATE: return "Update";
    case GY_PQL_OP_DELETE: return "Delete";
    default: return "ConditionCheck";
    }
}

/*
 * An INSERT whose condition failed is a duplicate key: say so in the cancellation reasons and
 * in the message's list of codes, as DynamoDB does.
 */
static void txn_rewrite_reasons(struct txn *t, struct gy_error *e, struct gy_arena *a)
{
    const struct gy_json *reasons = extra_member(a, e->extra_json, "CancellationReasons");
    struct gy_buf b, codes;
    struct gy_jw w;
    size_t i = 0;

    if (!reasons)
        return;
    gy_buf_init(&b, 64u << 20);
    gy_buf_init(&codes, 1u << 16);
    gy_jw_init(&w, &b);
    gy_buf_puts(&b, "\"CancellationReasons\":");
    gy_jw_arr_begin(&w);
    for (const struct gy_json *r = gy_json_child(reasons); r; r = gy_json_next(r), i++) {
        struct gy_str code = gy_json_str(gy_json_get(r, "Code"));
        bool dup = i < t->n && t->s[i]->kind == GY_PQL_INSERT &&
                   gy_str_eqc(code, "ConditionalCheckFailed");
        if (dup) {
            code = GY_STR("DuplicateItem");
            gy_jw_obj_begin(&w);
            gy_jw_key(&w, "Code");
            gy_jw_str(&w, code);
            gy_jw_key(&w, "Message");
            gy_jw_cstr(&w, DUPLICATE_MSG);
            gy_jw_obj_end(&w);
        } else {
            gy_jw_value(&w, r);
        }
        gy_buf_printf(&codes, "%s%.*s", i ? ", " : "", (int)code.len, code.p ? code.p : "");
    }
    gy_jw_arr_end(&w);
    if (!w.err && !codes.oom) {
        e->extra_json = gy_arena_strndup(a, b.p, b.len);
        e->message = gy_arena_printf(a, "Transaction cancelled, please refer cancellation "
                                        "reasons for specific reasons [%s]",
                                     codes.p ? codes.p : "");
    }
    gy_buf_fini(&b);
    gy_buf_fini(&codes);
}

static void txn_done(struct gy_aws_req *sub, int rc)
{
    struct txn *t = sub->parent;
    struct gy_aws_req *req = t->r.req;
    struct gy_jw *w = &req->w;

    if (rc) {
        req->err = sub_error(sub, rc);
        if (req->err.code == GY_AWS_TRANSACTION_CANCELED)
            txn_rewrite_reasons(t, &req->err, req->arena);
        finish(&t->r, GY_EAWS);
        return;
    }
    const struct gy_json *out = sub_output(sub);
    gy_jw_obj_begin(w);
    gy_jw_key(w, "Responses");
    if (t->reads) {
        gy_jw_value(w, gy_json_get(out, "Responses"));
    } else {
        gy_jw_arr_begin(w);
        for (size_t i = 0; i < t->n; i++) {
            gy_jw_obj_begin(w);
            gy_jw_obj_end(w);
        }
        gy_jw_arr_end(w);
    }
    const struct gy_json *cc = gy_json_get(out, "ConsumedCapacity");
    if (cc) {
        gy_jw_key(w, "ConsumedCapacity");
        gy_jw_value(w, cc);
    }
    gy_jw_obj_end(w);
    finish(&t->r, 0);
}

/* Parse and check every statement: the whole transaction fails on the first problem. */
static int txn_parse(struct gy_aws_req *req, struct txn *t, const struct gy_json *list,
                     const struct gy_json **params)
{
    size_t i = 0, reads = 0;
    for (const struct gy_json *s = gy_json_child(list); s; s = gy_json_next(s), i++) {
        struct gy_str text;
        char *at = gy_arena_printf(req->arena, "transactStatements.%zu.member.statement", i + 1);
        if (read_statement(req, s, at, &text) ||
            read_params(req, s,
                        gy_arena_printf(req->arena, "transactStatements.%zu.member.parameters",
                                        i + 1),
                        &params[i]) ||
            parse_statement(req, text, params[i], &t->s[i]))
            return GY_EAWS;
        if (t->s[i]->returning)
            return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                                "Validation failed in TransactStatements[%zu]: RETURNING clause "
                                "is not supported in ExecuteTransaction.",
                                i);
        reads += gy_pql_is_read(t->s[i]);
    }
    if (reads && reads < t->n)
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "ExecuteTransaction API does not support both read and write "
                            "operations in the same request.");
    t->reads = reads > 0;
    return 0;
}

int gy_ddb__execute_transaction(struct gy_aws_req *req)
{
    struct txn *t = gy_arena_zalloc(req->arena, sizeof(*t));
    const struct gy_json *list;
    const char *token, *rcc, *rvoccf;

    t->r.req = req;
    if (read_list(req, "TransactStatements", "transactStatements", TXN_MAX, &list) ||
        read_string(req, req->body, "ClientRequestToken", &token) ||
        read_string(req, req->body, "ReturnConsumedCapacity", &rcc))
        return GY_EAWS;
    t->n = gy_json_count(list);
    t->s = gy_arena_calloc(req->arena, t->n, sizeof(*t->s));
    const struct gy_json **params = gy_arena_calloc(req->arena, t->n, sizeof(*params));
    if (txn_parse(req, t, list, params))
        return GY_EAWS;

    struct gy_buf *b = gy_arena_zalloc(req->arena, sizeof(*b));
    struct gy_jw w;
    gy_buf_init(b, 64u << 20);
    gy_jw_init(&w, b);
    gy_jw_obj_begin(&w);
    gy_jw_key(&w, "TransactItems");
    gy_jw_arr_begin(&w);
    size_t i = 0;
    int rc = 0;
    for (const struct gy_json *s = gy_json_child(list); s; s = gy_json_next(s), i++) {
        struct gy_pql_opts o = { 0 };
        struct gy_pql_plan plan;
        struct gy_ddb_table *tb;
        if ((rc = read_string(req, s, "ReturnValuesOnConditionCheckFailure", &rvoccf)))
            goto out_buf;
        o.rvoccf = rvoccf;
        if (!(tb = gy_ddb__table_named(req, t->s[i]->table, false))) {
            rc = GY_EAWS;
            goto out_buf;
        }
        if ((rc = gy_pql_plan(req->arena, t->s[i], tb, params[i], GY_PQL_TXN, &o, &plan,
                              &req->err)))
            goto out_buf;
        gy_jw_obj_begin(&w);
        gy_jw_key(&w, txn_action(plan.op));
        gy_jw_raw(&w, plan.body);
        gy_jw_obj_end(&w);
    }
    gy_jw_arr_end(&w);
    if (token && !t->reads) {
        gy_jw_key(&w, "ClientRequestToken");
        gy_jw_cstr(&w, token);
    }
    if (rcc) {
        gy_jw_key(&w, "ReturnConsumedCapacity");
        gy_jw_cstr(&w, rcc);
    }
    gy_jw_obj_end(&w);
    if (w.err) {
        rc = gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                          "Transaction request is too large");
        goto out_buf;
    }
    struct gy_str body = gy_arena_strdup(req->arena, gy_buf_str(b));
    gy_buf_fini(b);
    t->r.in_handler = true;
    return handler_result(&t->r, run_sub(req, t->reads ? gy_ddb__transact_get_items
                                                         : gy_ddb__transact_write_items,
                                         body, txn_done, t));

out_buf:
    gy_buf_fini(b);
    return rc;
}

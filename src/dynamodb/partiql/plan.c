/*
 * plan.c — turns a parsed PartiQL statement into the request body of the DynamoDB operation
 * that does the same thing, so the ordinary handlers run it:
 *
 *   SELECT, WHERE fixes the whole key with = and nothing else  -> GetItem
 *   SELECT, WHERE has partition key = (plus any sort-key test) -> Query (KeyCondition + Filter)
 *   any other SELECT                                            -> Scan (Filter = WHERE)
 *   INSERT   -> PutItem,    ConditionExpression attribute_not_exists(<pk>)
 *   UPDATE   -> UpdateItem, ConditionExpression attribute_exists(<pk>) [AND rest of WHERE]
 *   DELETE   -> DeleteItem, ConditionExpression [attribute_not_exists(<pk>) OR (rest)]
 *   EXISTS   -> ConditionCheck (transactions)
 *
 * UPDATE and DELETE (and reads in batches and transactions) need an equality on every key
 * attribute among the WHERE clause's top-level AND terms; the other terms become the condition.
 * Names become #nK placeholders and values :vK placeholders, numbered in order of use. Values
 * are written as DynamoDB JSON and validated by the operation that receives them. A Query whose
 * remaining terms touch a key attribute (which FilterExpression refuses) falls back to a Scan.
 * The text writers (placeholders, values, conditions) are in emit.c.
 */
#include "dynamodb/partiql/partiql_int.h"

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/json.h"
#include "dynamodb/table.h"
#include "dynamodb/value.h"

#define EXPR_MAX (256u << 10)  /* bytes of one generated expression */
#define BODY_MAX (24u << 20)   /* bytes of one planned body (parameters can be large) */


/* One generated expression (an arena-tracked bounded buffer). */
struct expr {
    struct gy_buf b;
};


static struct expr *new_expr(struct gy_pql__plan *p)
{
    struct expr *e = gy_arena_zalloc(p->a, sizeof(*e));
    gy_arena_buf_init(p->a, &e->b, EXPR_MAX);
    return e;
}


/* ---- the WHERE clause's key ---- */

static void terms_push(struct gy_pql__plan *p, struct gy_pql__terms *ts, const struct gy_pql_node *n)
{
    if (ts->n == ts->cap) {
        uint32_t cap = ts->cap ? ts->cap * 2 : 8;
        ts->v = gy_arena_realloc(p->a, ts->v, ts->cap * sizeof(*ts->v), cap * sizeof(*ts->v));
        ts->cap = cap;
    }
    ts->v[ts->n++] = n;
}

static void flatten(struct gy_pql__plan *p, const struct gy_pql_node *n, struct gy_pql__terms *ts)
{
    if (n && n->kind == GY_PQL_AND) {
        flatten(p, n->kids[0], ts);
        flatten(p, n->kids[1], ts);
    } else if (n) {
        terms_push(p, ts, n);
    }
}

/* 0 when path is the partition key alone, 1 for the sort key, -1 otherwise. */
static int key_attr(const struct gy_pql__plan *p, const struct gy_pql_node *n)
{
    if (n->kind != GY_PQL_PATH || n->path.n != 1)
        return -1;
    if (gy_str_eqc(n->path.e[0].name, p->t->hash.name))
        return 0;
    if (p->t->range.name && gy_str_eqc(n->path.e[0].name, p->t->range.name))
        return 1;
    return -1;
}

/* For "key = value" (either way round): which key (0, 1) and the value; else -1. */
static int key_eq(const struct gy_pql__plan *p, const struct gy_pql_node *n,
                  const struct gy_pql_node **value)
{
    if (n->kind != GY_PQL_CMP || n->op != GY_PQL_EQ)
        return -1;
    for (int side = 0; side < 2; side++) {
        int k = key_attr(p, n->kids[side]);
        if (k >= 0 && gy_pql__is_value_node(n->kids[1 - side])) {
            *value = n->kids[1 - side];
            return k;
        }
    }
    return -1;
}

static bool mentions_key(const struct gy_pql__plan *p, const struct gy_pql_node *n)
{
    if (n->kind == GY_PQL_PATH)
        return gy_str_eqc(n->path.e[0].name, p->t->hash.name) ||
               (p->t->range.name && gy_str_eqc(n->path.e[0].name, p->t->range.name));
    for (uint32_t i = 0; i < n->n; i++)
        if (mentions_key(p, n->kids[i]))
            return true;
    return false;
}

/*
 * The full key from the WHERE clause: one equality per key attribute among its top-level AND
 * terms. key[] gets the value nodes; rest gets the other terms. On failure records msg.
 */
static int full_key(struct gy_pql__plan *p, const char *msg, const struct gy_pql_node *key[2],
                    struct gy_pql__terms *rest)
{
    struct gy_pql__terms ts = { 0 };
    key[0] = key[1] = NULL;
    flatten(p, p->s->where, &ts);
    for (uint32_t i = 0; i < ts.n; i++) {
        const struct gy_pql_node *v;
        int k = key_eq(p, ts.v[i], &v);
        if (k < 0) {
            terms_push(p, rest, ts.v[i]);
            continue;
        }
        if (key[k])
            return gy_error_set(p->err, p->a, GY_AWS_VALIDATION,
                                "Multiple conditions on same key %s. Only single item "
                                "Update/Insert/Delete are supported",
                                k ? p->t->range.name : p->t->hash.name);
        key[k] = v;
    }
    if (!key[0] || (p->t->range.name && !key[1]))
        return gy_pql__invalid(p, msg);
    return 0;
}

static int write_key(struct gy_pql__plan *p, struct gy_jw *w, const struct gy_pql_node *key[2])
{
    gy_jw_obj_begin(w);
    gy_jw_key(w, p->t->hash.name);
    if (gy_pql__write_value(p, w, key[0]))
        return GY_EAWS;
    if (p->t->range.name) {
        gy_jw_key(w, p->t->range.name);
        if (gy_pql__write_value(p, w, key[1]))
            return GY_EAWS;
    }
    gy_jw_obj_end(w);
    return 0;
}

/* ---- plans ---- */

/* What goes into the body besides the table name. */
struct parts {
    struct gy_str key;      /* "Key" JSON, or empty */
    struct gy_str item;     /* "Item" JSON, or empty */
    struct expr *keycond;   /* KeyConditionExpression */
    struct expr *filter;    /* FilterExpression */
    struct expr *cond;      /* ConditionExpression */
    struct expr *update;    /* UpdateExpression */
    struct expr *proj;      /* ProjectionExpression */
    const char *return_values;
    bool backward;          /* ScanIndexForward false */
};

static struct gy_str take(struct gy_pql__plan *p, struct gy_buf *b)
{
    return gy_arena_strdup(p->a, gy_buf_str(b));
}

static void put_expr(struct gy_jw *w, const char *member, const struct expr *e)
{
    if (!e || !e->b.len)
        return;
    gy_jw_key(w, member);
    gy_jw_str(w, gy_buf_str(&e->b));
}

static int emit(struct gy_pql__plan *p, const struct gy_pql_opts *o, const struct parts *x,
                struct gy_pql_plan *out)
{
    struct gy_buf *b = gy_arena_buf(p->a, BODY_MAX);
    struct gy_jw *w = gy_arena_zalloc(p->a, sizeof(*w));
    enum gy_pql_op op = out->op;
    bool txn = p->mode == GY_PQL_TXN;
    bool paged = op == GY_PQL_OP_QUERY || op == GY_PQL_OP_SCAN;
    bool write = op == GY_PQL_OP_PUT || op == GY_PQL_OP_UPDATE || op == GY_PQL_OP_DELETE ||
                 op == GY_PQL_OP_CHECK;

    gy_jw_init(w, b);
    gy_jw_obj_begin(w);
    gy_jw_key(w, "TableName");
    gy_jw_str(w, p->s->table);
    if (p->s->index.len && paged) {
        gy_jw_key(w, "IndexName");
        gy_jw_str(w, p->s->index);
    }
    if (x->key.len) {
        gy_jw_key(w, "Key");
        gy_jw_raw(w, x->key);
    }
    if (x->item.len) {
        gy_jw_key(w, "Item");
        gy_jw_raw(w, x->item);
    }
    put_expr(w, "KeyConditionExpression", x->keycond);
    put_expr(w, "FilterExpression", x->filter);
    put_expr(w, "ConditionExpression", x->cond);
    put_expr(w, "UpdateExpression", x->update);
    put_expr(w, "ProjectionExpression", x->proj);
    gy_jw_obj_end(p->nw);
    gy_jw_obj_end(p->vw);
    if (p->nn) {
        gy_jw_key(w, "ExpressionAttributeNames");
        gy_jw_raw(w, gy_buf_str(p->names));
    }
    if (p->nv) {
        gy_jw_key(w, "ExpressionAttributeValues");
        gy_jw_raw(w, gy_buf_str(p->values));
    }
    if (x->backward) {
        gy_jw_key(w, "ScanIndexForward");
        gy_jw_bool(w, false);
    }
    if (paged && o->limit > 0) {
        gy_jw_key(w, "Limit");
        gy_jw_int(w, o->limit);
    }
    if (paged && o->start_key.len) {
        gy_jw_key(w, "ExclusiveStartKey");
        gy_jw_raw(w, o->start_key);
    }
    if (!write && !txn && o->consistent) {
        gy_jw_key(w, "ConsistentRead");
        gy_jw_bool(w, true);
    }
    if (!txn && o->rcc) {
        gy_jw_key(w, "ReturnConsumedCapacity");
        gy_jw_cstr(w, o->rcc);
    }
    if (write && o->rvoccf && op != GY_PQL_OP_PUT) {
        gy_jw_key(w, "ReturnValuesOnConditionCheckFailure");
        gy_jw_cstr(w, o->rvoccf);
    }
    if (!txn && x->return_values) {
        gy_jw_key(w, "ReturnValues");
        gy_jw_cstr(w, x->return_values);
    }
    gy_jw_obj_end(w);
    if (w->err || p->names->oom || p->values->oom)
        return gy_pql__invalid(p, "Statement is too large to be processed");
    out->body = take(p, b);
    return 0;
}

/* The key JSON of a single-item plan, kept for duplicate detection in batches. */
static int key_json(struct gy_pql__plan *p, const struct gy_pql_node *key[2], struct gy_str *out)
{
    struct gy_buf *b = gy_arena_buf(p->a, BODY_MAX);
    struct gy_jw w;
    gy_jw_init(&w, b);
    if (write_key(p, &w, key))
        return GY_EAWS;
    if (w.err)
        return gy_pql__invalid(p, "Statement is too large to be processed");
    *out = take(p, b);
    return 0;
}

static int plan_projection(struct gy_pql__plan *p, struct parts *x)
{
    if (p->s->star)
        return 0;
    x->proj = new_expr(p);
    for (uint32_t i = 0; i < p->s->nproj; i++) {
        if (i)
            gy_buf_puts(&x->proj->b, ", ");
        gy_pql__put_path(p, &x->proj->b, &p->s->proj[i]);
    }
    return 0;
}

/* A term usable as a Query's sort-key condition: written into out when it is. */
static bool sort_key_term(struct gy_pql__plan *p, const struct gy_pql_node *n, struct gy_buf *out)
{
    static const int flipped[] = { 0, GY_PQL_EQ, GY_PQL_NE, GY_PQL_GT, GY_PQL_GE, GY_PQL_LT,
                                   GY_PQL_LE };
    if (!p->t->range.name)
        return false;
    if (n->kind == GY_PQL_CMP && n->op != GY_PQL_NE) {
        int side = key_attr(p, n->kids[0]) == 1 ? 0 : key_attr(p, n->kids[1]) == 1 ? 1 : -1;
        if (side < 0 || !gy_pql__is_value_node(n->kids[1 - side]))
            return false;
        gy_pql__put_path(p, out, &n->kids[side]->path);
        gy_buf_puts(out, gy_pql__cmp_text(side ? flipped[n->op] : n->op));
        return gy_pql__put_value(p, out, n->kids[1 - side]) == 0;
    }
    if (n->kind == GY_PQL_BETWEEN && key_attr(p, n->kids[0]) == 1 &&
        gy_pql__is_value_node(n->kids[1]) && gy_pql__is_value_node(n->kids[2]))
        return gy_pql__put_cond(p, out, n) == 0;
    if (gy_pql__is_call(n, "begins_with") && n->n == 2 && key_attr(p, n->kids[0]) == 1 &&
        gy_pql__is_value_node(n->kids[1]))
        return gy_pql__put_cond(p, out, n) == 0;
    return false;
}

static void reset_placeholders(struct gy_pql__plan *p)
{
    p->nn = p->nv = 0;
    gy_buf_reset(p->names);
    gy_buf_reset(p->values);
    gy_jw_init(p->nw, p->names);
    gy_jw_init(p->vw, p->values);
    gy_jw_obj_begin(p->nw);
    gy_jw_obj_begin(p->vw);
}

/* Query when the partition key has exactly one top-level equality (else *query = false). */
static int plan_query(struct gy_pql__plan *p, struct parts *x, bool *query)
{
    struct gy_pql__terms ts = { 0 }, rest = { 0 };
    const struct gy_pql_node *pk = NULL, *v;
    uint32_t pk_terms = 0;
    int sk_at = -1;

    *query = false;
    flatten(p, p->s->where, &ts);
    for (uint32_t i = 0; i < ts.n; i++)
        if (key_eq(p, ts.v[i], &v) == 0) {
            pk_terms++;
            pk = ts.v[i];
        }
    if (pk_terms != 1)
        return 0;
    for (uint32_t i = 0; i < ts.n; i++) {
        if (ts.v[i] == pk)
            continue;
        if (sk_at < 0 && sort_key_term(p, ts.v[i], &new_expr(p)->b))
            sk_at = (int)i;
        else
            terms_push(p, &rest, ts.v[i]);
    }
    /* The probe above registered placeholders: start them again, in order of use. */
    reset_placeholders(p);
    for (uint32_t i = 0; i < rest.n; i++)
        if (mentions_key(p, rest.v[i]))
            return 0;
    x->keycond = new_expr(p);
    if (gy_pql__put_cond(p, &x->keycond->b, pk))
        return GY_EAWS;
    if (sk_at >= 0) {
        gy_buf_puts(&x->keycond->b, " AND ");
        if (!sort_key_term(p, ts.v[sk_at], &x->keycond->b))
            return GY_EAWS;
    }
    if (rest.n) {
        x->filter = new_expr(p);
        if (gy_pql__put_terms(p, &x->filter->b, &rest))
            return GY_EAWS;
    }
    *query = true;
    return 0;
}

static int plan_select(struct gy_pql__plan *p, const struct gy_pql_opts *o, struct gy_pql_plan *out)
{
    struct parts x = { 0 };
    const struct gy_pql_stmt *s = p->s;

    if (p->mode != GY_PQL_SINGLE && s->index.len)
        return gy_pql__invalid(p, p->mode == GY_PQL_TXN
                              ? "Reads on indices are not supported within transactions."
                              : "This operation is not supported on an index");
    if (p->mode != GY_PQL_SINGLE || (!s->index.len && !s->order_by.n)) {
        /* GetItem when the key is all there is. */
        const struct gy_pql_node *key[2];
        struct gy_pql__terms rest = { 0 };
        const char *msg = p->mode == GY_PQL_TXN
                              ? "Select statements within ExecuteTransaction must specify the "
                                "primary key in the where clause."
                              : "Where clause does not contain a mandatory equality on all key "
                                "attributes";
        struct gy_error saved = *p->err;
        int rc = s->where ? full_key(p, msg, key, &rest) : gy_pql__invalid(p, msg);
        if (rc == 0 && rest.n)
            rc = gy_pql__invalid(p, msg);
        if (rc == 0) {
            out->op = GY_PQL_OP_GET;
            if (key_json(p, key, &x.key) || plan_projection(p, &x))
                return GY_EAWS;
            out->key = x.key;
            return emit(p, o, &x, out);
        }
        if (p->mode != GY_PQL_SINGLE)
            return GY_EAWS;
        *p->err = saved;
    }
    /* An index has its own key schema: read it with a Scan of the index. */
    bool query = false;
    if (s->where && !s->index.len && plan_query(p, &x, &query))
        return GY_EAWS;
    if (s->order_by.n) {
        if (!query)
            return gy_pql__invalid(p, "Must have at least one non-optional hash key condition in WHERE "
                              "clause when using ORDER BY clause.");
        struct gy_pql_node ob = { .kind = GY_PQL_PATH, .path = s->order_by };
        if (key_attr(p, &ob) < 0)
            return gy_error_set(p->err, p->a, GY_AWS_VALIDATION,
                                "Variable reference %.*s in ORDER BY clause must be part of the "
                                "primary key",
                                (int)s->order_by.e[0].name.len, s->order_by.e[0].name.p);
        x.backward = s->order_desc;
    }
    if (!query && s->where) {
        x.filter = new_expr(p);
        if (gy_pql__put_cond(p, &x.filter->b, s->where))
            return GY_EAWS;
    }
    out->op = query ? GY_PQL_OP_QUERY : GY_PQL_OP_SCAN;
    if (plan_projection(p, &x))
        return GY_EAWS;
    return emit(p, o, &x, out);
}

static int plan_insert(struct gy_pql__plan *p, const struct gy_pql_opts *o, struct gy_pql_plan *out)
{
    struct parts x = { 0 };
    const struct gy_pql_node *v = p->s->value;
    struct gy_buf *b = gy_arena_buf(p->a, BODY_MAX);
    struct gy_jw w;
    const struct gy_pql_node *key[2] = { NULL, NULL };

    gy_jw_init(&w, b);
    if (v->kind == GY_PQL_MAP) {
        if (gy_pql__write_members(p, &w, v))
            return GY_EAWS;
        for (uint32_t i = 0; i < v->n; i++) {
            if (gy_str_eqc(v->keys[i], p->t->hash.name))
                key[0] = v->kids[i];
            else if (p->t->range.name && gy_str_eqc(v->keys[i], p->t->range.name))
                key[1] = v->kids[i];
        }
        if (key[0] && (key[1] || !p->t->range.name) && key_json(p, key, &out->key))
            return GY_EAWS;
    } else if (v->kind == GY_PQL_PARAM) {
        struct gy_ddb_value m;
        if (gy_pql__param_value(p, v->param, &m))
            return GY_EAWS;
        if (m.type != GY_DDB_M)
            goto bad_item;
        struct gy_ddb_map item = { m.u.m.v, m.u.m.n };
        gy_ddb_map_to_json(&w, &item);
    } else {
        goto bad_item;
    }
    if (w.err)
        return gy_pql__invalid(p, "Statement is too large to be processed");
    x.item = take(p, b);
    x.cond = new_expr(p);
    gy_buf_puts(&x.cond->b, "attribute_not_exists(");
    gy_pql__put_name(p, &x.cond->b, gy_str_c(p->t->hash.name));
    gy_buf_putc(&x.cond->b, ')');
    out->op = GY_PQL_OP_PUT;
    return emit(p, o, &x, out);

bad_item:
    return gy_pql__invalid(p, "Unsupported format in item expression. Please use struct format {...} "
                      "to express item values for insert statement.");
}

static bool same_path(const struct gy_pql_path *a, const struct gy_pql_path *b)
{
    if (a->n != b->n)
        return false;
    for (uint32_t i = 0; i < a->n; i++) {
        if (a->e[i].is_index != b->e[i].is_index)
            return false;
        if (a->e[i].is_index ? a->e[i].index != b->e[i].index
                             : !gy_str_eq(a->e[i].name, b->e[i].name))
            return false;
    }
    return true;
}

/* set_add(path, <<...>>) and set_delete(...) as ADD / DELETE actions. */
static int put_set_op(struct gy_pql__plan *p, struct gy_buf *out, const struct gy_pql_assign *as,
                      const char *op)
{
    const struct gy_pql_node *c = as->value;
    if (c->n != 2)
        return gy_error_set(p->err, p->a, GY_AWS_VALIDATION,
                            "SET_%s must have exactly two arguments", op);
    if (c->kids[0]->kind != GY_PQL_PATH || !same_path(&c->kids[0]->path, &as->path))
        return gy_error_set(p->err, p->a, GY_AWS_VALIDATION,
                            "The first argument to SET_%s must equal the assignment value", op);
    if (c->kids[1]->kind != GY_PQL_BAG && c->kids[1]->kind != GY_PQL_PARAM)
        return gy_error_set(p->err, p->a, GY_AWS_VALIDATION,
                            "The second argument to SET_%s must be a value with type SET", op);
    if (out->len)
        gy_buf_puts(out, ", ");
    gy_pql__put_path(p, out, &as->path);
    gy_buf_putc(out, ' ');
    return gy_pql__put_value(p, out, c->kids[1]);
}

static int plan_update_expr(struct gy_pql__plan *p, struct parts *x)
{
    struct expr *set = new_expr(p), *rem = new_expr(p), *add = new_expr(p), *del = new_expr(p);
    for (uint32_t i = 0; i < p->s->nassign; i++) {
        const struct gy_pql_assign *as = &p->s->assign[i];
        if (as->remove) {
            if (rem->b.len)
                gy_buf_puts(&rem->b, ", ");
            gy_pql__put_path(p, &rem->b, &as->path);
        } else if (gy_pql__is_call(as->value, "set_add")) {
            if (put_set_op(p, &add->b, as, "ADD"))
                return GY_EAWS;
        } else if (gy_pql__is_call(as->value, "set_delete")) {
            if (put_set_op(p, &del->b, as, "DELETE"))
                return GY_EAWS;
        } else {
            if (set->b.len)
                gy_buf_puts(&set->b, ", ");
            gy_pql__put_path(p, &set->b, &as->path);
            gy_buf_puts(&set->b, " = ");
            if (gy_pql__put_operand(p, &set->b, as->value))
                return GY_EAWS;
        }
    }
    x->update = new_expr(p);
    struct { const char *word; struct expr *e; } parts[] = {
        { "SET ", set }, { "REMOVE ", rem }, { "ADD ", add }, { "DELETE ", del },
    };
    for (size_t i = 0; i < 4; i++) {
        if (!parts[i].e->b.len)
            continue;
        if (x->update->b.len)
            gy_buf_putc(&x->update->b, ' ');
        gy_buf_puts(&x->update->b, parts[i].word);
        gy_buf_append_str(&x->update->b, gy_buf_str(&parts[i].e->b));
    }
    return 0;
}

static const char *return_values(enum gy_pql_returning r)
{
    switch (r) {
    case GY_PQL_RET_ALL_OLD: return "ALL_OLD";
    case GY_PQL_RET_MODIFIED_OLD: return "UPDATED_OLD";
    case GY_PQL_RET_ALL_NEW: return "ALL_NEW";
    case GY_PQL_RET_MODIFIED_NEW: return "UPDATED_NEW";
    default: return NULL;
    }
}

/* UPDATE, DELETE and EXISTS: one item named by the WHERE clause, plus a condition. */
static int plan_keyed_write(struct gy_pql__plan *p, const struct gy_pql_opts *o, struct gy_pql_plan *out)
{
    struct parts x = { 0 };
    const struct gy_pql_node *key[2];
    struct gy_pql__terms rest = { 0 };
    const struct gy_pql_stmt *s = p->s;
    const char *msg = s->kind == GY_PQL_EXISTS
                          ? "EXISTS() must contain a single item read with additional condition"
                          : "Where clause does not contain a mandatory equality on all key "
                            "attributes";

    if (!s->where)
        return gy_pql__invalid(p, msg);
    if (full_key(p, msg, key, &rest) || key_json(p, key, &x.key))
        return GY_EAWS;
    out->key = x.key;
    if (s->kind == GY_PQL_UPDATE && plan_update_expr(p, &x))
        return GY_EAWS;
    /* Deleting a missing item is a success, so DELETE checks existence only with a rest. */
    x.cond = new_expr(p);
    struct gy_buf *c = &x.cond->b;
    if (s->kind != GY_PQL_DELETE || rest.n) {
        gy_buf_puts(c, s->kind == GY_PQL_DELETE ? "attribute_not_exists(" : "attribute_exists(");
        gy_pql__put_name(p, c, gy_str_c(p->t->hash.name));
        gy_buf_putc(c, ')');
    }
    if (rest.n) {
        gy_buf_puts(c, s->kind == GY_PQL_DELETE ? " OR (" : " AND (");
        if (gy_pql__put_terms(p, c, &rest))
            return GY_EAWS;
        gy_buf_putc(c, ')');
    }
    x.return_values = return_values(s->returning);
    out->op = s->kind == GY_PQL_UPDATE   ? GY_PQL_OP_UPDATE
              : s->kind == GY_PQL_DELETE ? GY_PQL_OP_DELETE
                                         : GY_PQL_OP_CHECK;
    return emit(p, o, &x, out);
}

int gy_pql_plan(struct gy_arena *a, const struct gy_pql_stmt *s, const struct gy_ddb_table *t,
                const struct gy_json *params, enum gy_pql_mode mode,
                const struct gy_pql_opts *opts, struct gy_pql_plan *out, struct gy_error *err)
{
    static const struct gy_pql_opts none = { 0 };
    struct gy_pql__plan *p = gy_arena_zalloc(a, sizeof(*p));

    memset(out, 0, sizeof(*out));
    p->a = a;
    p->s = s;
    p->t = t;
    p->err = err;
    p->mode = mode;
    p->nparams = (uint32_t)gy_json_count(params);
    p->params = gy_arena_calloc(a, p->nparams ? p->nparams : 1, sizeof(*p->params));
    uint32_t i = 0;
    for (const struct gy_json *j = gy_json_child(params); j && i < p->nparams; j = gy_json_next(j))
        p->params[i++] = j;
    p->names = gy_arena_buf(a, EXPR_MAX);
    p->values = gy_arena_buf(a, BODY_MAX);
    p->nw = gy_arena_zalloc(a, sizeof(*p->nw));
    p->vw = gy_arena_zalloc(a, sizeof(*p->vw));
    gy_jw_init(p->nw, p->names);
    gy_jw_init(p->vw, p->values);
    gy_jw_obj_begin(p->nw);
    gy_jw_obj_begin(p->vw);
    if (!opts)
        opts = &none;

    switch (s->kind) {
    case GY_PQL_SELECT:
        return plan_select(p, opts, out);
    case GY_PQL_INSERT:
        return plan_insert(p, opts, out);
    case GY_PQL_EXISTS:
        if (mode != GY_PQL_TXN)
            return gy_pql__invalid(p, "EXISTS can only be used in ExecuteTransaction write requests.");
        /* fall through */
    case GY_PQL_UPDATE:
    case GY_PQL_DELETE:
        return plan_keyed_write(p, opts, out);
    }
    return gy_pql__invalid(p, "Statement wasn't well formed, can't be processed: Expected data "
                      "manipulation");
}

/*
 * emit.c — the planner's writers: attribute names as #nK placeholders, values as :vK
 * placeholders (written as DynamoDB JSON into ExpressionAttributeValues), and operands and
 * conditions as DynamoDB expression text. Placeholders are numbered in order of use and each is
 * used exactly once, so the receiving operation never finds an unused one. Values are not
 * validated here: the operation that receives them does that, with its own wording.
 */
#include "dynamodb/partiql/partiql_int.h"

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/json.h"
#include "dynamodb/value.h"

int gy_pql__invalid(struct gy_pql__plan *p, const char *msg)
{
    return gy_error_set(p->err, p->a, GY_AWS_VALIDATION, "%s", msg);
}

/* ---- names and values ---- */

void gy_pql__put_name(struct gy_pql__plan *p, struct gy_buf *out, struct gy_str name)
{
    char ph[16];
    snprintf(ph, sizeof(ph), "#n%u", p->nn++);
    gy_buf_puts(out, ph);
    gy_jw_key(p->nw, ph);
    gy_jw_str(p->nw, name);
}

void gy_pql__put_path(struct gy_pql__plan *p, struct gy_buf *out, const struct gy_pql_path *path)
{
    for (uint32_t i = 0; i < path->n; i++) {
        if (path->e[i].is_index) {
            gy_buf_printf(out, "[%u]", path->e[i].index);
            continue;
        }
        if (i)
            gy_buf_putc(out, '.');
        gy_pql__put_name(p, out, path->e[i].name);
    }
}

int gy_pql__param_value(struct gy_pql__plan *p, uint32_t i, struct gy_ddb_value *v)
{
    if (i >= p->nparams)
        return gy_pql__invalid(p, "Number of parameters in request and statement don't match.");
    return gy_ddb_value_from_json(p->a, p->params[i], v, p->err);
}

bool gy_pql__is_value_node(const struct gy_pql_node *n)
{
    switch (n->kind) {
    case GY_PQL_STRING: case GY_PQL_NUMBER: case GY_PQL_TRUE: case GY_PQL_FALSE:
    case GY_PQL_NULL: case GY_PQL_PARAM: case GY_PQL_MAP: case GY_PQL_LIST: case GY_PQL_BAG:
        return true;
    default:
        return false;
    }
}


/* A <<bag>> as a set value: all strings, all numbers, or all binary (from parameters). */
static int write_bag(struct gy_pql__plan *p, struct gy_jw *w, const struct gy_pql_node *n)
{
    struct gy_ddb_value set = { 0 };
    if (n->n == 0)
        return gy_pql__invalid(p, "Empty bags are not supported");
    set.u.l.v = gy_arena_calloc(p->a, n->n, sizeof(*set.u.l.v));
    set.u.l.n = n->n;
    for (uint32_t i = 0; i < n->n; i++) {
        const struct gy_pql_node *k = n->kids[i];
        struct gy_ddb_value *e = &set.u.l.v[i];
        if (k->kind == GY_PQL_STRING) {
            e->type = GY_DDB_S;
            e->u.s = k->text;
        } else if (k->kind == GY_PQL_NUMBER) {
            e->type = GY_DDB_N;
            e->u.s = k->text;
        } else if (k->kind == GY_PQL_PARAM) {
            if (gy_pql__param_value(p, k->param, e))
                return GY_EAWS;
        } else {
            e->type = GY_DDB_NULL;
        }
        if ((e->type != GY_DDB_S && e->type != GY_DDB_N && e->type != GY_DDB_B) ||
            (i && e->type != set.u.l.v[0].type))
            return gy_pql__invalid(p, "Unsupported data type in Bag. DynamoDB only supports either "
                              "numbers or strings in bags");
    }
    enum gy_ddb_type t = set.u.l.v[0].type;
    set.type = t == GY_DDB_S ? GY_DDB_SS : t == GY_DDB_N ? GY_DDB_NS : GY_DDB_BS;
    gy_ddb_value_to_json(w, &set);
    return 0;
}

/* The members of a {map} literal as an attribute map: {"k": AttributeValue, ...}. */
int gy_pql__write_members(struct gy_pql__plan *p, struct gy_jw *w, const struct gy_pql_node *n)
{
    for (uint32_t i = 0; i < n->n; i++)
        for (uint32_t j = 0; j < i; j++)
            if (gy_str_eq(n->keys[i], n->keys[j]))
                return gy_error_set(p->err, p->a, GY_AWS_VALIDATION,
                                    "Duplicate keys in tuple. Key: %.*s", (int)n->keys[i].len,
                                    n->keys[i].p);
    gy_jw_obj_begin(w);
    for (uint32_t i = 0; i < n->n; i++) {
        gy_jw_key_str(w, n->keys[i]);
        if (gy_pql__write_value(p, w, n->kids[i]))
            return GY_EAWS;
    }
    gy_jw_obj_end(w);
    return 0;
}

/* A value node as DynamoDB JSON ({"S":"x"}, {"M":{...}}, ...). */
int gy_pql__write_value(struct gy_pql__plan *p, struct gy_jw *w, const struct gy_pql_node *n)
{
    struct gy_ddb_value v;
    switch (n->kind) {
    case GY_PQL_STRING:
    case GY_PQL_NUMBER:
        gy_jw_obj_begin(w);
        gy_jw_key(w, n->kind == GY_PQL_STRING ? "S" : "N");
        gy_jw_str(w, n->text);
        gy_jw_obj_end(w);
        return 0;
    case GY_PQL_TRUE:
    case GY_PQL_FALSE:
        gy_jw_obj_begin(w);
        gy_jw_key(w, "BOOL");
        gy_jw_bool(w, n->kind == GY_PQL_TRUE);
        gy_jw_obj_end(w);
        return 0;
    case GY_PQL_NULL:
        gy_jw_obj_begin(w);
        gy_jw_key(w, "NULL");
        gy_jw_bool(w, true);
        gy_jw_obj_end(w);
        return 0;
    case GY_PQL_PARAM:
        if (gy_pql__param_value(p, n->param, &v))
            return GY_EAWS;
        gy_ddb_value_to_json(w, &v);
        return 0;
    case GY_PQL_MAP:
        gy_jw_obj_begin(w);
        gy_jw_key(w, "M");
        if (gy_pql__write_members(p, w, n))
            return GY_EAWS;
        gy_jw_obj_end(w);
        return 0;
    case GY_PQL_LIST:
        gy_jw_obj_begin(w);
        gy_jw_key(w, "L");
        gy_jw_arr_begin(w);
        for (uint32_t i = 0; i < n->n; i++)
            if (gy_pql__write_value(p, w, n->kids[i]))
                return GY_EAWS;
        gy_jw_arr_end(w);
        gy_jw_obj_end(w);
        return 0;
    case GY_PQL_BAG:
        return write_bag(p, w, n);
    case GY_PQL_MISSING:
        return gy_pql__invalid(p, "MISSING must be compared using IS operator");
    default:
        return gy_pql__invalid(p, "Statement wasn't well formed, can't be processed: Expected a value "
                          "(a literal or a parameter)");
    }
}

/* Write ":vK" into out and the value into ExpressionAttributeValues. */
int gy_pql__put_value(struct gy_pql__plan *p, struct gy_buf *out, const struct gy_pql_node *n)
{
    char ph[16];
    snprintf(ph, sizeof(ph), ":v%u", p->nv++);
    gy_buf_puts(out, ph);
    gy_jw_key(p->vw, ph);
    return gy_pql__write_value(p, p->vw, n);
}

/* A fixed string value (for attribute_type). */
static void put_type_value(struct gy_pql__plan *p, struct gy_buf *out, const char *type)
{
    char ph[16];
    snprintf(ph, sizeof(ph), ":v%u", p->nv++);
    gy_buf_puts(out, ph);
    gy_jw_key(p->vw, ph);
    gy_jw_obj_begin(p->vw);
    gy_jw_key(p->vw, "S");
    gy_jw_cstr(p->vw, type);
    gy_jw_obj_end(p->vw);
}

/* ---- expressions ---- */


static int put_args(struct gy_pql__plan *p, struct gy_buf *out, const struct gy_pql_node *n)
{
    gy_buf_printf(out, "%.*s(", (int)n->text.len, n->text.p);
    for (uint32_t i = 0; i < n->n; i++) {
        if (i)
            gy_buf_puts(out, ", ");
        if (gy_pql__put_operand(p, out, n->kids[i]))
            return GY_EAWS;
    }
    gy_buf_putc(out, ')');
    return 0;
}

bool gy_pql__is_call(const struct gy_pql_node *n, const char *name)
{
    return n->kind == GY_PQL_CALL && gy_str_eqc(n->text, name);
}

/* An operand: a path, a value, size(), or (in updates) list_append, if_not_exists, + and -. */
int gy_pql__put_operand(struct gy_pql__plan *p, struct gy_buf *out, const struct gy_pql_node *n)
{
    if (n->kind == GY_PQL_PATH) {
        gy_pql__put_path(p, out, &n->path);
        return 0;
    }
    if (gy_pql__is_value_node(n) || n->kind == GY_PQL_MISSING)
        return gy_pql__put_value(p, out, n);
    if (gy_pql__is_call(n, "size") || gy_pql__is_call(n, "list_append") || gy_pql__is_call(n, "if_not_exists"))
        return put_args(p, out, n);
    if (n->kind == GY_PQL_ARITH) {
        if (gy_pql__put_operand(p, out, n->kids[0]))
            return GY_EAWS;
        gy_buf_puts(out, n->op == '+' ? " + " : " - ");
        return gy_pql__put_operand(p, out, n->kids[1]);
    }
    if (n->kind == GY_PQL_CALL)
        return gy_error_set(p->err, p->a, GY_AWS_VALIDATION, "Unrecognized function: %.*s",
                            (int)n->text.len, n->text.p);
    return gy_pql__invalid(p, "Statement wasn't well formed, can't be processed: Expected an attribute "
                      "path or a value");
}

const char *gy_pql__cmp_text(int op)
{
    switch (op) {
    case GY_PQL_EQ: return " = ";
    case GY_PQL_NE: return " <> ";
    case GY_PQL_LT: return " < ";
    case GY_PQL_LE: return " <= ";
    case GY_PQL_GT: return " > ";
    default: return " >= ";
    }
}

static int put_is(struct gy_pql__plan *p, struct gy_buf *out, const struct gy_pql_node *n)
{
    const struct gy_pql_node *x = n->kids[0];
    if (x->kind != GY_PQL_PATH)
        return gy_pql__invalid(p, "The left hand side argument to IS must be a Variable Reference, "
                          "Literal, or Path");
    if (!n->is_null) {
        gy_buf_puts(out, n->negated ? "attribute_exists(" : "attribute_not_exists(");
        gy_pql__put_path(p, out, &x->path);
        gy_buf_putc(out, ')');
        return 0;
    }
    /* MISSING IS NULL holds in PartiQL, so IS NULL also matches an absent attribute. */
    gy_buf_puts(out, n->negated ? "(attribute_exists(" : "(attribute_not_exists(");
    gy_pql__put_path(p, out, &x->path);
    gy_buf_puts(out, n->negated ? ") AND NOT attribute_type(" : ") OR attribute_type(");
    gy_pql__put_path(p, out, &x->path);
    gy_buf_puts(out, ", ");
    put_type_value(p, out, "NULL");
    gy_buf_puts(out, "))");
    return 0;
}

/* A condition (WHERE, or one of its terms). */
int gy_pql__put_cond(struct gy_pql__plan *p, struct gy_buf *out, const struct gy_pql_node *n)
{
    switch (n->kind) {
    case GY_PQL_AND:
    case GY_PQL_OR:
        gy_buf_putc(out, '(');
        if (gy_pql__put_cond(p, out, n->kids[0]))
            return GY_EAWS;
        gy_buf_puts(out, n->kind == GY_PQL_AND ? " AND " : " OR ");
        if (gy_pql__put_cond(p, out, n->kids[1]))
            return GY_EAWS;
        gy_buf_putc(out, ')');
        return 0;
    case GY_PQL_NOT:
        gy_buf_puts(out, "(NOT ");
        if (gy_pql__put_cond(p, out, n->kids[0]))
            return GY_EAWS;
        gy_buf_putc(out, ')');
        return 0;
    case GY_PQL_CMP:
        if (n->kids[0]->kind == GY_PQL_MISSING || n->kids[1]->kind == GY_PQL_MISSING)
            return gy_pql__invalid(p, "MISSING must be compared using IS operator");
        if (gy_pql__put_operand(p, out, n->kids[0]))
            return GY_EAWS;
        gy_buf_puts(out, gy_pql__cmp_text(n->op));
        return gy_pql__put_operand(p, out, n->kids[1]);
    case GY_PQL_BETWEEN:
        if (gy_pql__put_operand(p, out, n->kids[0]))
            return GY_EAWS;
        gy_buf_puts(out, " BETWEEN ");
        if (gy_pql__put_operand(p, out, n->kids[1]))
            return GY_EAWS;
        gy_buf_puts(out, " AND ");
        return gy_pql__put_operand(p, out, n->kids[2]);
    case GY_PQL_IN:
        if (n->n < 2 || n->kids[0]->kind != GY_PQL_PATH)
            return gy_pql__invalid(p, "IN operator must have a left hand argument of type Variable "
                              "Reference and right hand argument of type Seq with at least one "
                              "member");
        gy_pql__put_path(p, out, &n->kids[0]->path);
        gy_buf_puts(out, " IN (");
        for (uint32_t i = 1; i < n->n; i++) {
            if (i > 1)
                gy_buf_puts(out, ", ");
            if (gy_pql__put_operand(p, out, n->kids[i]))
                return GY_EAWS;
        }
        gy_buf_putc(out, ')');
        return 0;
    case GY_PQL_IS:
        return put_is(p, out, n);
    case GY_PQL_CALL:
        if (gy_pql__is_call(n, "begins_with") || gy_pql__is_call(n, "contains") ||
            gy_pql__is_call(n, "attribute_exists") || gy_pql__is_call(n, "attribute_not_exists") ||
            gy_pql__is_call(n, "attribute_type"))
            return put_args(p, out, n);
        if (gy_pql__is_call(n, "size") || gy_pql__is_call(n, "list_append") || gy_pql__is_call(n, "set_add") ||
            gy_pql__is_call(n, "set_delete") || gy_pql__is_call(n, "if_not_exists"))
            break;
        return gy_error_set(p->err, p->a, GY_AWS_VALIDATION, "Unrecognized function: %.*s",
                            (int)n->text.len, n->text.p);
    default:
        break;
    }
    return gy_pql__invalid(p, "WHERE clause must contain an expression that resolves to a boolean");
}

/* Conjoin terms: "t1 AND t2 ...". */
int gy_pql__put_terms(struct gy_pql__plan *p, struct gy_buf *out, const struct gy_pql__terms *ts)
{
    for (uint32_t i = 0; i < ts->n; i++) {
        if (i)
            gy_buf_puts(out, " AND ");
        if (gy_pql__put_cond(p, out, ts->v[i]))
            return GY_EAWS;
    }
    return 0;
}


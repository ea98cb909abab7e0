/*
 * check.c — semantic checks of parsed expressions, in the order DynamoDB makes them, and the
 * conversion of the parse tree into the public tree of expr.h. Also the gy_expr_parse_*
 * entry points (size limits, syntax error messages).
 *
 * Order (condition): pass 1 in written order — reserved words, list index range, function
 * names, where each function may be used, function arity; pass 2 (conversion) — placeholders,
 * path depth, operand types, distinct operands, BETWEEN bounds, IN operand count.
 * Update: pass 1 a section at a time (then the repeated-section error), undefined #names of the
 * written paths, overlapping/conflicting paths, then the actions from last to first: every
 * #name, then placeholders and types. Projection: pass 1, pass 2, overlaps.
 * Messages: "Invalid <Param>: <what>", see the DynamoDB developer guide, "Expressions".
 */
#include "dynamodb/expr/expr_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MSG_MAX 65536

enum fn {
    FN_NONE = -1,
    FN_EXISTS,
    FN_NOT_EXISTS,
    FN_TYPE,
    FN_BEGINS,
    FN_CONTAINS,
    FN_SIZE,
    FN_IF_NOT_EXISTS,
    FN_LIST_APPEND,
};

static const struct {
    const char *name;
    uint32_t arity;
    int place; /* 0: condition, 1: operand in conditions, 2: update */
} fns[] = {
    { "attribute_exists", 1, 0 }, { "attribute_not_exists", 1, 0 }, { "attribute_type", 2, 0 },
    { "begins_with", 2, 0 },      { "contains", 2, 0 },             { "size", 1, 1 },
    { "if_not_exists", 2, 2 },    { "list_append", 2, 2 },
};

static enum fn fn_lookup(struct gy_str s)
{
    for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
        if (gy_str_eqc(s, fns[i].name))
            return (enum fn)i;
    return FN_NONE;
}

struct chk {
    struct gy_expr_ctx *c;
    struct gy_expr__parser *p;
    const char *param; /* "ConditionExpression", ... */
    bool update;       /* checking an UpdateExpression */
    struct gy_error *err;
};

static int failf(struct chk *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int failf(struct chk *k, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = gy_arena_vprintf(k->c->a, fmt, ap);
    va_end(ap);
    return gy_error_set(k->err, k->c->a, GY_AWS_VALIDATION, "Invalid %s: %s", k->param, msg);
}

static struct gy_str tok(struct chk *k, uint32_t i)
{
    return gy_expr__tok_str(k->p, i);
}

static const char *op_text(enum gy_expr__tk op)
{
    switch (op) {
    case GY_TK_EQ: return "=";
    case GY_TK_NE: return "<>";
    case GY_TK_LT: return "<";
    case GY_TK_LE: return "<=";
    case GY_TK_GT: return ">";
    case GY_TK_GE: return ">=";
    case GY_TK_PLUS: return "+";
    case GY_TK_MINUS: return "-";
    default: return "?";
    }
}

/* ---- pass 1 ---- */

static int visit1(struct chk *k, const struct gy_expr__pn *n, bool cond_place)
{
    int rc;
    switch (n->kind) {
    case GY_PN_PATH:
        for (uint32_t i = 0; i < n->n; i++) {
            struct gy_str t = tok(k, n->elems[i].tok);
            if (n->elems[i].is_index) {
                uint64_t v = 0;
                for (size_t j = 0; j < t.len && j < 11; j++)
                    v = v * 10 + (uint64_t)(t.p[j] - '0');
                if (t.len > 10 || v > 2147483647u)
                    return failf(k, "List index is not within the allowable range; index: [%.*s]",
                                 (int)t.len, t.p);
            } else if (k->p->toks.t[n->elems[i].tok].kind == GY_TK_ID && gy_expr_is_reserved(t)) {
                return failf(k, "Attribute name is a reserved keyword; reserved keyword: %.*s",
                             (int)t.len, t.p);
            }
        }
        return 0;
    case GY_PN_VALUE:
        return 0;
    case GY_PN_CALL: {
        struct gy_str name = tok(k, n->tok);
        enum fn f = fn_lookup(name);
        if (f == FN_NONE)
            return failf(k, "Invalid function name; function: %.*s", (int)name.len, name.p);
        if (k->update) {
            if (fns[f].place != 2)
                return failf(k, "The function is not allowed in an update expression; function: %s",
                             fns[f].name);
        } else {
            if (fns[f].place == 2)
                return failf(k, "The function is not allowed in a condition expression; function: %s",
                             fns[f].name);
            if (cond_place != (fns[f].place == 0))
                return failf(k, "The function is not allowed to be used this way in an expression; "
                                "function: %s", fns[f].name);
            if (n->n != fns[f].arity)
                return failf(k, "Incorrect number of operands for operator or function; operator or "
                                "function: %s, number of operands: %u", fns[f].name, (unsigned)n->n);
        }
        for (uint32_t i = 0; i < n->n; i++)
            if ((rc = visit1(k, n->kids[i], false)) != 0)
                return rc;
        return 0;
    }
    case GY_PN_AND:
    case GY_PN_OR:
    case GY_PN_NOT:
        for (uint32_t i = 0; i < n->n; i++)
            if ((rc = visit1(k, n->kids[i], true)) != 0)
                return rc;
        return 0;
    default:
        for (uint32_t i = 0; i < n->n; i++)
            if ((rc = visit1(k, n->kids[i], false)) != 0)
                return rc;
        return 0;
    }
}

/* ---- paths ---- */

/* Resolve a path's #names (marking them used when mark) into the public form. */
static int resolve_path(struct chk *k, const struct gy_expr__pn *n, bool mark,
                        struct gy_expr_path *out)
{
    struct gy_expr_elem *e = gy_arena_calloc(k->c->a, n->n, sizeof(*e));
    for (uint32_t i = 0; i < n->n; i++) {
        struct gy_str t = tok(k, n->elems[i].tok);
        if (n->elems[i].is_index) {
            uint64_t v = 0;
            for (size_t j = 0; j < t.len && j < 11; j++)
                v = v * 10 + (uint64_t)(t.p[j] - '0');
            e[i].is_index = true;
            e[i].index = (uint32_t)(v > UINT32_MAX ? UINT32_MAX : v);
        } else if (k->p->toks.t[n->elems[i].tok].kind == GY_TK_NAME) {
            const struct gy_str *nm = gy_expr__ctx_name(k->c, t, mark);
            if (!nm)
                return failf(k, "An expression attribute name used in the document path is not "
                                "defined; attribute name: %.*s", (int)t.len, t.p);
            e[i].name = *nm;
        } else {
            e[i].name = t;
        }
    }
    out->e = e;
    out->n = n->n;
    return 0;
}

static bool path_eq(const struct gy_expr_path *a, const struct gy_expr_path *b)
{
    if (a->n != b->n)
        return false;
    for (uint32_t i = 0; i < a->n; i++)
        if (!gy_expr__elem_eq(&a->e[i], &b->e[i]))
            return false;
    return true;
}

/* Two paths of one update or projection may not overlap (one inside or equal to the other) or
 * conflict (one attribute used as a map and as a list). Newest paths are checked first. */
static int check_overlaps(struct chk *k, const struct gy_expr_path *paths, uint32_t n)
{
    for (uint32_t j = n; j-- > 1;) {
        for (uint32_t i = j; i-- > 0;) {
            const struct gy_expr_path *x = &paths[i], *y = &paths[j];
            uint32_t m = x->n < y->n ? x->n : y->n, d = 0;
            const char *what = NULL;
            for (; d < m; d++) {
                if (x->e[d].is_index != y->e[d].is_index) {
                    what = "conflict";
                    break;
                }
                if (!gy_expr__elem_eq(&x->e[d], &y->e[d]))
                    break;
            }
            if (!what && d == m)
                what = "overlap";
            if (!what)
                continue;
            struct gy_buf b;
            gy_buf_init(&b, MSG_MAX);
            gy_buf_printf(&b, "Invalid %s: Two document paths %s with each other; must remove or "
                              "rewrite one of these paths; path one: ", k->param, what);
            gy_expr__path_fmt(&b, x);
            gy_buf_puts(&b, ", path two: ");
            gy_expr__path_fmt(&b, y);
            return gy_expr__fail_buf(k->err, k->c->a, &b);
        }
    }
    return 0;
}

/* ---- pass 2: conversion ---- */

static struct gy_expr *mk(struct chk *k, enum gy_expr_kind kind, uint32_t nargs)
{
    struct gy_expr *e = gy_arena_zalloc(k->c->a, sizeof(*e));
    e->kind = kind;
    e->nargs = nargs;
    if (nargs)
        e->args = gy_arena_calloc(k->c->a, nargs, sizeof(*e->args));
    return e;
}

/* The type an operand has whatever the item: a value's type, N for size(); -1 otherwise. */
static int static_type(const struct gy_expr *e)
{
    if (e->kind == GY_EXPR_VALUE)
        return (int)e->u.value->type;
    if (e->kind == GY_EXPR_SIZE)
        return GY_DDB_N;
    return -1;
}

static int type_problem(struct chk *k, const char *op, int t)
{
    return failf(k, "Incorrect operand type for operator or function; operator or function: %s, "
                    "operand type: %s", op, gy_ddb_type_name((enum gy_ddb_type)t));
}

static bool is_scalar_type(int t)
{
    return t == GY_DDB_S || t == GY_DDB_N || t == GY_DDB_B;
}

/* The first operand, when a path, must differ from every other operand that is a path. */
static int distinct(struct chk *k, const char *op, struct gy_expr *e, uint32_t from)
{
    if (e->args[0]->kind != GY_EXPR_PATH)
        return 0;
    for (uint32_t i = from; i < e->nargs; i++) {
        if (e->args[i]->kind == GY_EXPR_PATH && path_eq(&e->args[0]->u.path, &e->args[i]->u.path)) {
            struct gy_buf b;
            gy_buf_init(&b, MSG_MAX);
            gy_buf_printf(&b, "Invalid %s: The first operand must be distinct from the remaining "
                              "operands for this operator or function; operator: %s, first operand: ",
                          k->param, op);
            gy_expr__path_fmt(&b, &e->args[0]->u.path);
            return gy_expr__fail_buf(k->err, k->c->a, &b);
        }
    }
    return 0;
}

/* "AttributeValue: {S:x}" as DynamoDB prints a BETWEEN bound. */
static void bound_text(struct gy_buf *b, const struct gy_ddb_value *v)
{
    gy_buf_printf(b, "AttributeValue: {%s:", gy_ddb_type_name(v->type));
    if (v->type == GY_DDB_B)
        gy_buf_printf(b, "java.nio.HeapByteBuffer[pos=0 lim=%zu cap=%zu]", v->u.s.len, v->u.s.len);
    else
        gy_expr__put_safe(b, v->u.s);
    gy_buf_putc(b, '}');
}

static int between_bounds(struct chk *k, const struct gy_expr *lo, const struct gy_expr *hi)
{
    if (lo->kind != GY_EXPR_VALUE || hi->kind != GY_EXPR_VALUE)
        return 0;
    const struct gy_ddb_value *a = lo->u.value, *b = hi->u.value;
    const char *what;
    if (a->type != b->type)
        what = "requires same data type for lower and upper bounds";
    else if (gy_ddb_value_cmp(a, b) > 0)
        what = "requires upper bound to be greater than or equal to lower bound";
    else
        return 0;
    struct gy_buf buf;
    gy_buf_init(&buf, MSG_MAX);
    gy_buf_printf(&buf, "Invalid %s: The BETWEEN operator %s; lower bound operand: ", k->param, what);
    bound_text(&buf, a);
    gy_buf_puts(&buf, ", upper bound operand: ");
    bound_text(&buf, b);
    return gy_expr__fail_buf(k->err, k->c->a, &buf);
}

static const char *const valid_types[] = { "S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL" };

static int conv(struct chk *k, const struct gy_expr__pn *n, const struct gy_expr **out);

static int conv_kids(struct chk *k, const struct gy_expr__pn *n, struct gy_expr *e)
{
    for (uint32_t i = 0; i < n->n; i++) {
        int rc = conv(k, n->kids[i], &e->args[i]);
        if (rc)
            return rc;
    }
    return 0;
}

static int conv_call(struct chk *k, const struct gy_expr__pn *n, const struct gy_expr **out)
{
    enum fn f = fn_lookup(tok(k, n->tok));
    static const enum gy_expr_kind kinds[] = {
        GY_EXPR_EXISTS,  GY_EXPR_NOT_EXISTS, GY_EXPR_TYPE,          GY_EXPR_BEGINS_WITH,
        GY_EXPR_CONTAINS, GY_EXPR_SIZE,      GY_EXPR_IF_NOT_EXISTS, GY_EXPR_LIST_APPEND,
    };
    int rc, t;

    if (k->update && n->n != fns[f].arity)
        return failf(k, "Incorrect number of operands for operator or function; operator or "
                        "function: %s, number of operands: %u", fns[f].name, (unsigned)n->n);
    struct gy_expr *e = mk(k, kinds[f], n->n);
    if ((rc = conv_kids(k, n, e)) != 0)
        return rc;
    if ((f == FN_EXISTS || f == FN_NOT_EXISTS || f == FN_TYPE || f == FN_IF_NOT_EXISTS) &&
        e->args[0]->kind != GY_EXPR_PATH)
        return failf(k, "Operator or function requires a document path; operator or function: %s",
                     fns[f].name);
    if (f != FN_SIZE && f != FN_LIST_APPEND && (rc = distinct(k, fns[f].name, e, 1)) != 0)
        return rc;
    switch (f) {
    case FN_SIZE:
        t = static_type(e->args[0]);
        if (t >= 0 && (t == GY_DDB_N || t == GY_DDB_BOOL || t == GY_DDB_NULL))
            return type_problem(k, "size", t);
        break;
    case FN_BEGINS:
        for (uint32_t i = 0; i < 2; i++) {
            t = static_type(e->args[i]);
            if (t >= 0 && t != GY_DDB_S && t != GY_DDB_B)
                return type_problem(k, "begins_with", t);
        }
        break;
    case FN_TYPE: {
        const struct gy_expr *a1 = e->args[1];
        if (a1->kind != GY_EXPR_VALUE)
            return failf(k, "Incorrect operand type for operator or function; operator or function: "
                            "attribute_type, operand type: %s",
                         a1->kind == GY_EXPR_SIZE ? "N"
                                                  : "{SS,M,DECIMAL,DOUBLESET,HDS,N,B,DICT,INTSET,"
                                                    "BOOL,HD,BS,INT,DECIMALSET,NULL,FLOAT,FS,S,L,NS,"
                                                    "DOUBLE}");
        if (a1->u.value->type != GY_DDB_S)
            return type_problem(k, "attribute_type", (int)a1->u.value->type);
        bool ok = false;
        for (size_t i = 0; i < sizeof(valid_types) / sizeof(valid_types[0]); i++)
            ok = ok || gy_str_eqc(a1->u.value->u.s, valid_types[i]);
        if (!ok) {
            struct gy_buf b;
            gy_buf_init(&b, MSG_MAX);
            gy_buf_printf(&b, "Invalid %s: Invalid attribute type name found; type: ", k->param);
            gy_expr__put_safe(&b, a1->u.value->u.s);
            gy_buf_puts(&b, ", valid types: {N,BS,L,B,NULL,M,S,SS,NS,BOOL}");
            return gy_expr__fail_buf(k->err, k->c->a, &b);
        }
        break;
    }
    case FN_LIST_APPEND:
        for (uint32_t i = 0; i < 2; i++) {
            t = static_type(e->args[i]);
            if (t >= 0 && t != GY_DDB_L)
                return type_problem(k, "list_append", t);
        }
        break;
    default:
        break;
    }
    *out = e;
    return 0;
}

static int conv(struct chk *k, const struct gy_expr__pn *n, const struct gy_expr **out)
{
    struct gy_expr *e;
    int rc;

    switch (n->kind) {
    case GY_PN_PATH:
        e = mk(k, GY_EXPR_PATH, 0);
        if ((rc = resolve_path(k, n, true, &e->u.path)) != 0)
            return rc;
        if (n->n > GY_EXPR_MAX_PATH_DEPTH)
            return failf(k, "The document path has too many nesting levels; nesting levels: %u",
                         (unsigned)n->n);
        *out = e;
        return 0;
    case GY_PN_VALUE: {
        struct gy_str t = tok(k, n->tok);
        e = mk(k, GY_EXPR_VALUE, 0);
        e->u.value = gy_expr__ctx_value(k->c, t, true);
        if (!e->u.value)
            return failf(k, "An expression attribute value used in expression is not defined; "
                            "attribute value: %.*s", (int)t.len, t.p);
        *out = e;
        return 0;
    }
    case GY_PN_CALL:
        return conv_call(k, n, out);
    case GY_PN_CMP: {
        static const struct { enum gy_expr__tk t; enum gy_expr_kind k; } ops[] = {
            { GY_TK_EQ, GY_EXPR_EQ }, { GY_TK_NE, GY_EXPR_NE }, { GY_TK_LT, GY_EXPR_LT },
            { GY_TK_LE, GY_EXPR_LE }, { GY_TK_GT, GY_EXPR_GT }, { GY_TK_GE, GY_EXPR_GE },
        };
        enum gy_expr_kind kind = GY_EXPR_EQ;
        for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
            if (ops[i].t == n->op)
                kind = ops[i].k;
        e = mk(k, kind, 2);
        if ((rc = conv_kids(k, n, e)) != 0 || (rc = distinct(k, op_text(n->op), e, 1)) != 0)
            return rc;
        if (kind != GY_EXPR_EQ && kind != GY_EXPR_NE) {
            for (uint32_t i = 0; i < 2; i++) {
                int t = static_type(e->args[i]);
                if (t >= 0 && !is_scalar_type(t))
                    return type_problem(k, op_text(n->op), t);
            }
        }
        *out = e;
        return 0;
    }
    case GY_PN_BETWEEN:
        e = mk(k, GY_EXPR_BETWEEN, 3);
        if ((rc = conv_kids(k, n, e)) != 0 || (rc = distinct(k, "BETWEEN", e, 1)) != 0)
            return rc;
        for (uint32_t i = 0; i < 3; i++) {
            int t = static_type(e->args[i]);
            if (t >= 0 && !is_scalar_type(t))
                return type_problem(k, "BETWEEN", t);
        }
        if ((rc = between_bounds(k, e->args[1], e->args[2])) != 0)
            return rc;
        *out = e;
        return 0;
    case GY_PN_IN:
        e = mk(k, GY_EXPR_IN, n->n);
        if ((rc = conv_kids(k, n, e)) != 0)
            return rc;
        if (n->n - 1 > GY_EXPR_MAX_IN)
            return failf(k, "The IN operator is provided with too many operands; number of "
                            "operands: %u", (unsigned)(n->n - 1));
        if ((rc = distinct(k, "IN", e, 1)) != 0)
            return rc;
        *out = e;
        return 0;
    case GY_PN_AND:
    case GY_PN_OR:
    case GY_PN_NOT:
        e = mk(k, n->kind == GY_PN_AND ? GY_EXPR_AND : n->kind == GY_PN_OR ? GY_EXPR_OR : GY_EXPR_NOT,
               n->n);
        if ((rc = conv_kids(k, n, e)) != 0)
            return rc;
        *out = e;
        return 0;
    case GY_PN_ARITH:
        e = mk(k, n->op == GY_TK_PLUS ? GY_EXPR_PLUS : GY_EXPR_MINUS, 2);
        if ((rc = conv_kids(k, n, e)) != 0)
            return rc;
        for (uint32_t i = 0; i < 2; i++) {
            int t = static_type(e->args[i]);
            if (t >= 0 && t != GY_DDB_N)
                return type_problem(k, op_text(n->op), t);
        }
        *out = e;
        return 0;
    }
    return GY_EINVAL;
}

/* Every #name in a tree must be defined (no marking). */
static int names_only(struct chk *k, const struct gy_expr__pn *n)
{
    if (n->kind == GY_PN_PATH) {
        struct gy_expr_path tmp;
        return resolve_path(k, n, false, &tmp);
    }
    for (uint32_t i = 0; i < n->n; i++) {
        int rc = names_only(k, n->kids[i]);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- entry points ---- */

int gy_expr__check_cond(struct gy_expr_ctx *c, struct gy_expr__parser *p,
                        struct gy_expr__pn *root, const char *param, const struct gy_expr **out,
                        struct gy_error *err)
{
    struct chk k = { c, p, param, false, err };
    int rc = visit1(&k, root, true);
    if (rc)
        return rc;
    return conv(&k, root, out);
}

static const char *long_type(enum gy_ddb_type t)
{
    switch (t) {
    case GY_DDB_S: return "STRING";
    case GY_DDB_N: return "NUMBER";
    case GY_DDB_B: return "BINARY";
    case GY_DDB_BOOL: return "BOOLEAN";
    case GY_DDB_NULL: return "NULL";
    case GY_DDB_L: return "LIST";
    case GY_DDB_M: return "MAP";
    case GY_DDB_SS: return "STRING_SET";
    case GY_DDB_NS: return "NUMBER_SET";
    case GY_DDB_BS: return "BINARY_SET";
    }
    return "?";
}

static const char *section_name(enum gy_expr_action_kind kind)
{
    switch (kind) {
    case GY_EXPR_ACT_SET: return "SET";
    case GY_EXPR_ACT_REMOVE: return "REMOVE";
    case GY_EXPR_ACT_ADD: return "ADD";
    case GY_EXPR_ACT_DELETE: return "DELETE";
    }
    return "?";
}

/* Pass 1 of an update: a section at a time in order of first appearance. */
static int update_pass1(struct chk *k, const struct gy_expr__pupdate *u)
{
    enum gy_expr_action_kind order[4];
    uint32_t nsec = 0;
    int rc;

    for (uint32_t i = 0; i < u->n; i++) {
        bool seen = false;
        for (uint32_t s = 0; s < nsec; s++)
            seen = seen || order[s] == u->a[i].kind;
        if (!seen)
            order[nsec++] = u->a[i].kind;
    }
    for (uint32_t s = 0; s < nsec; s++) {
        uint32_t first_clause = UINT32_MAX;
        bool repeated = false;
        for (uint32_t i = 0; i < u->n; i++) {
            const struct gy_expr__paction *a = &u->a[i];
            if (a->kind != order[s])
                continue;
            if (first_clause == UINT32_MAX)
                first_clause = a->clause;
            else if (a->clause != first_clause)
                repeated = true;
            if ((rc = visit1(k, a->path, false)) != 0)
                return rc;
            if (a->val && (rc = visit1(k, a->val, false)) != 0)
                return rc;
        }
        if (repeated)
            return failf(k, "The \"%s\" section can only be used once in an update expression;",
                         section_name(order[s]));
    }
    return 0;
}

static int check_keys(struct chk *k, const struct gy_expr_action *acts, uint32_t n,
                      const struct gy_str *key_attrs, size_t nkeys)
{
    for (uint32_t i = 0; i < n; i++) {
        for (size_t j = 0; j < nkeys; j++) {
            if (gy_str_eq(acts[i].path.e[0].name, key_attrs[j]))
                return gy_error_set(k->err, k->c->a, GY_AWS_VALIDATION,
                                    "One or more parameter values were invalid: Cannot update "
                                    "attribute %.*s. This attribute is part of the key",
                                    (int)key_attrs[j].len, key_attrs[j].p);
        }
    }
    return 0;
}

int gy_expr__check_update(struct gy_expr_ctx *c, struct gy_expr__parser *p,
                          struct gy_expr__pupdate *u, const struct gy_str *key_attrs,
                          size_t nkeys, const struct gy_expr_update **out, struct gy_error *err)
{
    struct chk k = { c, p, "UpdateExpression", true, err };
    struct gy_expr_path *paths = gy_arena_calloc(c->a, u->n, sizeof(*paths));
    struct gy_expr_action *acts = gy_arena_calloc(c->a, u->n, sizeof(*acts));
    int rc;

    if ((rc = update_pass1(&k, u)) != 0)
        return rc;
    for (uint32_t i = 0; i < u->n; i++)
        if ((rc = resolve_path(&k, u->a[i].path, false, &paths[i])) != 0)
            return rc;
    if ((rc = check_overlaps(&k, paths, u->n)) != 0)
        return rc;
    for (uint32_t i = u->n; i-- > 0;) {
        if ((rc = names_only(&k, u->a[i].path)) != 0)
            return rc;
        if (u->a[i].val && (rc = names_only(&k, u->a[i].val)) != 0)
            return rc;
    }
    for (uint32_t i = u->n; i-- > 0;) {
        const struct gy_expr *pe;
        acts[i].kind = u->a[i].kind;
        acts[i].clause = u->a[i].clause;
        if ((rc = conv(&k, u->a[i].path, &pe)) != 0)
            return rc;
        acts[i].path = pe->u.path;
        if (u->a[i].val && (rc = conv(&k, u->a[i].val, &acts[i].val)) != 0)
            return rc;
        if (acts[i].kind == GY_EXPR_ACT_ADD || acts[i].kind == GY_EXPR_ACT_DELETE) {
            enum gy_ddb_type t = acts[i].val->u.value->type;
            bool set = t == GY_DDB_SS || t == GY_DDB_NS || t == GY_DDB_BS;
            if (!set && !(acts[i].kind == GY_EXPR_ACT_ADD && t == GY_DDB_N)) {
                const char *sec = section_name(acts[i].kind);
                return failf(&k, "Incorrect operand type for operator or function; operator: %s, "
                                 "operand type: %s, typeSet: ALLOWED_FOR_%s_OPERAND",
                             sec, long_type(t), sec);
            }
        }
    }
    if ((rc = check_keys(&k, acts, u->n, key_attrs, nkeys)) != 0)
        return rc;
    struct gy_expr_update *res = gy_arena_zalloc(c->a, sizeof(*res));
    res->a = acts;
    res->n = u->n;
    *out = res;
    return 0;
}

int gy_expr__check_proj(struct gy_expr_ctx *c, struct gy_expr__parser *p,
                        struct gy_expr__pproj *pp, const struct gy_expr_proj **out,
                        struct gy_error *err)
{
    struct chk k = { c, p, "ProjectionExpression", false, err };
    struct gy_expr_path *paths = gy_arena_calloc(c->a, pp->n, sizeof(*paths));
    int rc;

    for (uint32_t i = 0; i < pp->n; i++)
        if ((rc = visit1(&k, pp->p[i], false)) != 0)
            return rc;
    for (uint32_t i = 0; i < pp->n; i++) {
        const struct gy_expr *pe;
        if ((rc = conv(&k, pp->p[i], &pe)) != 0)
            return rc;
        paths[i] = pe->u.path;
    }
    if ((rc = check_overlaps(&k, paths, pp->n)) != 0)
        return rc;
    struct gy_expr_proj *res = gy_arena_zalloc(c->a, sizeof(*res));
    res->p = paths;
    res->n = pp->n;
    *out = res;
    return 0;
}

/* Size limits and the parse itself; fills the syntax error message. */
static int parse_common(struct gy_expr_ctx *c, struct gy_str text, const char *param,
                        struct gy_expr__parser *p, enum gy_expr__what what, void *out,
                        struct gy_error *err)
{
    if (text.len == 0)
        return gy_error_set(err, c->a, GY_AWS_VALIDATION,
                            "Invalid %s: The expression can not be empty;", param);
    if (text.len > GY_EXPR_MAX_SIZE)
        return gy_error_set(err, c->a, GY_AWS_VALIDATION,
                            "Invalid %s: Expression size has exceeded the maximum allowed size; "
                            "expression size: %zu", param, text.len);
    gy_expr__parser_init(p, c->a, text);
    int rc = what == GY_EXPR_W_COND     ? gy_expr__parse_cond(p, out)
             : what == GY_EXPR_W_UPDATE ? gy_expr__parse_update(p, out)
                                        : gy_expr__parse_proj(p, out);
    if (rc == 0)
        return 0;
    if (p->err == GY_PERR_PARENS)
        return gy_error_set(err, c->a, GY_AWS_VALIDATION,
                            "Invalid %s: The expression has redundant parentheses;", param);
    if (p->err == GY_PERR_OPS)
        return gy_error_set(err, c->a, GY_AWS_VALIDATION,
                            "Invalid %s: The expression contains too many operators; "
                            "operator count: %u", param, p->nops);
    /* The failing token, and the text from the token before it to the one after it. */
    const struct gy_expr__toks *tk = &p->toks;
    uint32_t at = p->fail_at < tk->n ? p->fail_at : tk->n - 1;
    uint32_t from = at > 0 ? tk->t[at - 1].start : 0;
    uint32_t to = at + 1 < tk->n ? tk->t[at + 1].end : tk->t[at].end;
    struct gy_buf b;
    gy_buf_init(&b, MSG_MAX);
    gy_buf_printf(&b, "Invalid %s: Syntax error; token: \"", param);
    if (tk->t[at].kind == GY_TK_EOF)
        gy_buf_puts(&b, "<EOF>");
    else
        gy_expr__put_safe(&b, gy_expr__tok_str(p, at));
    gy_buf_puts(&b, "\", near: \"");
    gy_expr__put_safe(&b, (struct gy_str){ text.p + from, to - from });
    gy_buf_putc(&b, '"');
    return gy_expr__fail_buf(err, c->a, &b);
}

int gy_expr_parse_condition(struct gy_expr_ctx *c, struct gy_str text, const char *param,
                            const struct gy_expr **out, struct gy_error *err)
{
    struct gy_expr__parser p;
    struct gy_expr__pn *root = NULL;
    int rc = parse_common(c, text, param, &p, GY_EXPR_W_COND, &root, err);
    if (rc)
        return rc;
    return gy_expr__check_cond(c, &p, root, param, out, err);
}

int gy_expr_parse_update(struct gy_expr_ctx *c, struct gy_str text, const struct gy_str *key_attrs,
                         size_t nkeys, const struct gy_expr_update **out, struct gy_error *err)
{
    struct gy_expr__parser p;
    struct gy_expr__pupdate u;
    int rc = parse_common(c, text, "UpdateExpression", &p, GY_EXPR_W_UPDATE, &u, err);
    if (rc)
        return rc;
    return gy_expr__check_update(c, &p, &u, key_attrs, nkeys, out, err);
}

int gy_expr_parse_projection(struct gy_expr_ctx *c, struct gy_str text,
                             const struct gy_expr_proj **out, struct gy_error *err)
{
    struct gy_expr__parser p;
    struct gy_expr__pproj pp;
    int rc = parse_common(c, text, "ProjectionExpression", &p, GY_EXPR_W_PROJ, &pp, err);
    if (rc)
        return rc;
    return gy_expr__check_proj(c, &p, &pp, out, err);
}

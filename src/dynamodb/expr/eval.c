/*
 * eval.c — evaluating condition trees against one item, without allocating.
 *
 * Semantics (DynamoDB developer guide, "Comparison operator and function reference"): a
 * missing operand makes every comparison false except <>, which is then true; < <= > >= and
 * BETWEEN compare only two values of the same scalar type (S, N, B), anything else is false;
 * = and IN compare deeply (sets as sets, numbers numerically). size() is the byte length of S
 * and B, the element count of sets, L and M, and missing for other types.
 */
#include "dynamodb/expr/expr_int.h"

#include <stdio.h>
#include <string.h>

const struct gy_ddb_value *gy_expr_path_get(const struct gy_ddb_map *item,
                                            const struct gy_expr_path *p)
{
    if (!item || p->n == 0)
        return NULL;
    const struct gy_ddb_value *v = gy_ddb_map_get(item, p->e[0].name);
    for (uint32_t i = 1; v && i < p->n; i++) {
        const struct gy_expr_elem *e = &p->e[i];
        if (e->is_index) {
            if (v->type != GY_DDB_L || e->index >= v->u.l.n)
                return NULL;
            v = &v->u.l.v[e->index];
        } else {
            if (v->type != GY_DDB_M)
                return NULL;
            struct gy_ddb_map m = { v->u.m.v, v->u.m.n };
            v = gy_ddb_map_get(&m, e->name);
        }
    }
    return v;
}

void gy_expr__num_from_u64(struct gy_expr__numbuf *nb, uint64_t x)
{
    /* cppcheck-suppress ctuuninitvar ; nb is an output buffer: written here, never read */
    int n = snprintf(nb->text, sizeof(nb->text), "%llu", (unsigned long long)x);
    nb->v.type = GY_DDB_N;
    nb->v.u.s = (struct gy_str){ nb->text, (size_t)n };
}

bool gy_expr__size_of(const struct gy_ddb_value *v, uint64_t *out)
{
    switch (v->type) {
    case GY_DDB_S: {
        /* DynamoDB counts a string's UTF-16 code units: one per character, two for characters
         * beyond U+FFFF (those take four bytes in UTF-8). Stored strings are valid UTF-8. */
        uint64_t n = 0;
        for (size_t i = 0; i < v->u.s.len; i++) {
            unsigned char c = (unsigned char)v->u.s.p[i];
            n += (c & 0xC0) != 0x80;
            n += c >= 0xF0;
        }
        *out = n;
        return true;
    }
    case GY_DDB_B:
        *out = v->u.s.len;
        return true;
    case GY_DDB_SS:
    case GY_DDB_NS:
    case GY_DDB_BS:
    case GY_DDB_L:
        *out = v->u.l.n;
        return true;
    case GY_DDB_M:
        *out = v->u.m.n;
        return true;
    default:
        return false;
    }
}

const struct gy_ddb_value *gy_expr__operand(const struct gy_expr *e, const struct gy_ddb_map *item,
                                            struct gy_expr__numbuf *nb)
{
    switch (e->kind) {
    case GY_EXPR_VALUE:
        return e->u.value;
    case GY_EXPR_PATH:
        return gy_expr_path_get(item, &e->u.path);
    case GY_EXPR_SIZE: {
        struct gy_expr__numbuf inner;
        const struct gy_ddb_value *v = gy_expr__operand(e->args[0], item, &inner);
        uint64_t n;
        if (!v || !gy_expr__size_of(v, &n))
            return NULL;
        gy_expr__num_from_u64(nb, n);
        return &nb->v;
    }
    default:
        return NULL;
    }
}

static bool bytes_contain(struct gy_str hay, struct gy_str needle)
{
    if (needle.len == 0)
        return true;
    if (needle.len > hay.len)
        return false;
    return memmem(hay.p, hay.len, needle.p, needle.len) != NULL;
}

bool gy_expr__contains(const struct gy_ddb_value *a, const struct gy_ddb_value *b)
{
    switch (a->type) {
    case GY_DDB_S:
        return b->type == GY_DDB_S && bytes_contain(a->u.s, b->u.s);
    case GY_DDB_B:
        return b->type == GY_DDB_B && bytes_contain(a->u.s, b->u.s);
    case GY_DDB_SS:
    case GY_DDB_NS:
    case GY_DDB_BS:
        if (b->type != (a->type == GY_DDB_SS   ? GY_DDB_S
                        : a->type == GY_DDB_NS ? GY_DDB_N
                                               : GY_DDB_B))
            return false;
        /* Sets hold scalars: equality is enough, as for lists. */
        /* fall through */
    case GY_DDB_L:
        for (uint32_t i = 0; i < a->u.l.n; i++)
            if (gy_ddb_value_eq(&a->u.l.v[i], b))
                return true;
        return false;
    default:
        return false;
    }
}

/* Order of two values when both are the same scalar type; false when not comparable. */
static bool order(const struct gy_ddb_value *a, const struct gy_ddb_value *b, int *c)
{
    if (!a || !b || a->type != b->type)
        return false;
    if (a->type != GY_DDB_S && a->type != GY_DDB_N && a->type != GY_DDB_B)
        return false;
    *c = gy_ddb_value_cmp(a, b);
    return true;
}

static bool eval(const struct gy_expr *e, const struct gy_ddb_map *item)
{
    struct gy_expr__numbuf n0, n1, n2;
    const struct gy_ddb_value *a, *b, *c;
    int x, y;

    switch (e->kind) {
    case GY_EXPR_AND:
        return eval(e->args[0], item) && eval(e->args[1], item);
    case GY_EXPR_OR:
        return eval(e->args[0], item) || eval(e->args[1], item);
    case GY_EXPR_NOT:
        return !eval(e->args[0], item);
    case GY_EXPR_EQ:
    case GY_EXPR_NE: {
        a = gy_expr__operand(e->args[0], item, &n0);
        b = gy_expr__operand(e->args[1], item, &n1);
        bool eq = a && b && gy_ddb_value_eq(a, b);
        return e->kind == GY_EXPR_EQ ? eq : !eq;
    }
    case GY_EXPR_LT:
    case GY_EXPR_LE:
    case GY_EXPR_GT:
    case GY_EXPR_GE:
        a = gy_expr__operand(e->args[0], item, &n0);
        b = gy_expr__operand(e->args[1], item, &n1);
        if (!order(a, b, &x))
            return false;
        return e->kind == GY_EXPR_LT ? x < 0 : e->kind == GY_EXPR_LE ? x <= 0
                                           : e->kind == GY_EXPR_GT ? x > 0 : x >= 0;
    case GY_EXPR_BETWEEN:
        a = gy_expr__operand(e->args[0], item, &n0);
        b = gy_expr__operand(e->args[1], item, &n1);
        c = gy_expr__operand(e->args[2], item, &n2);
        return order(b, a, &x) && order(a, c, &y) && x <= 0 && y <= 0;
    case GY_EXPR_IN:
        a = gy_expr__operand(e->args[0], item, &n0);
        if (!a)
            return false;
        for (uint32_t i = 1; i < e->nargs; i++) {
            b = gy_expr__operand(e->args[i], item, &n1);
            if (b && gy_ddb_value_eq(a, b))
                return true;
        }
        return false;
    case GY_EXPR_EXISTS:
        return gy_expr__operand(e->args[0], item, &n0) != NULL;
    case GY_EXPR_NOT_EXISTS:
        return gy_expr__operand(e->args[0], item, &n0) == NULL;
    case GY_EXPR_TYPE:
        a = gy_expr__operand(e->args[0], item, &n0);
        b = gy_expr__operand(e->args[1], item, &n1);
        return a && b && b->type == GY_DDB_S && gy_str_eqc(b->u.s, gy_ddb_type_name(a->type));
    case GY_EXPR_BEGINS_WITH:
        a = gy_expr__operand(e->args[0], item, &n0);
        b = gy_expr__operand(e->args[1], item, &n1);
        if (!a || !b || a->type != b->type || (a->type != GY_DDB_S && a->type != GY_DDB_B))
            return false;
        return gy_str_startswith(a->u.s, b->u.s);
    case GY_EXPR_CONTAINS:
    case GY_EXPR_NOT_CONTAINS: {
        a = gy_expr__operand(e->args[0], item, &n0);
        b = gy_expr__operand(e->args[1], item, &n1);
        bool has = a && b && gy_expr__contains(a, b);
        if (e->kind == GY_EXPR_CONTAINS)
            return has;
        return a && b && !has;
    }
    default:
        return false;
    }
}

int gy_expr_eval_condition(const struct gy_expr *e, const struct gy_ddb_map *item, bool *result,
                           struct gy_error *err, struct gy_arena *a)
{
    *result = eval(e, item);
    return 0;
}

/*
 * legacy.c — the pre-expression parameters converted into expression trees: Expected (and
 * QueryFilter/ScanFilter) into a condition, AttributeUpdates into an update, AttributesToGet
 * into a projection; and the check that a request does not mix both styles.
 *
 * Validation wording follows DynamoDB ("One or more parameter values were invalid: ...").
 * Legacy values are literal AttributeValues (gy_ddb_value_from_json); they are not
 * placeholders, so they never count as used or unused ExpressionAttributeValues.
 */
#include "dynamodb/expr/expr_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INVALID "One or more parameter values were invalid: "

static struct gy_expr *mk(struct gy_arena *a, enum gy_expr_kind kind, uint32_t nargs)
{
    struct gy_expr *e = gy_arena_zalloc(a, sizeof(*e));
    e->kind = kind;
    e->nargs = nargs;
    if (nargs)
        e->args = gy_arena_calloc(a, nargs, sizeof(*e->args));
    return e;
}

static struct gy_expr *mk_path(struct gy_arena *a, struct gy_str name)
{
    struct gy_expr *e = mk(a, GY_EXPR_PATH, 0);
    struct gy_expr_elem *el = gy_arena_zalloc(a, sizeof(*el));
    el->name = name;
    e->u.path = (struct gy_expr_path){ el, 1 };
    return e;
}

static int mk_value(struct gy_arena *a, const struct gy_json *j, const struct gy_expr **out,
                    struct gy_error *err)
{
    struct gy_ddb_value *v = gy_arena_zalloc(a, sizeof(*v));
    int rc = gy_ddb_value_from_json(a, j, v, err);
    if (rc)
        return rc;
    struct gy_expr *e = mk(a, GY_EXPR_VALUE, 0);
    e->u.value = v;
    *out = e;
    return 0;
}

static const struct {
    const char *name;
    enum gy_expr_kind kind;
    int min, max; /* number of values */
    bool scalar;  /* values must be S, N or B */
} ops[] = {
    { "EQ", GY_EXPR_EQ, 1, 1, false },
    { "NE", GY_EXPR_NE, 1, 1, false },
    { "LE", GY_EXPR_LE, 1, 1, true },
    { "LT", GY_EXPR_LT, 1, 1, true },
    { "GE", GY_EXPR_GE, 1, 1, true },
    { "GT", GY_EXPR_GT, 1, 1, true },
    { "NOT_NULL", GY_EXPR_EXISTS, 0, 0, false },
    { "NULL", GY_EXPR_NOT_EXISTS, 0, 0, false },
    { "CONTAINS", GY_EXPR_CONTAINS, 1, 1, true },
    { "NOT_CONTAINS", GY_EXPR_NOT_CONTAINS, 1, 1, true },
    { "BEGINS_WITH", GY_EXPR_BEGINS_WITH, 1, 1, true },
    { "IN", GY_EXPR_IN, 1, 1 << 30, true },
    { "BETWEEN", GY_EXPR_BETWEEN, 2, 2, true },
};

/* One legacy comparison: path <op> values, values from AttributeValueList or Value. */
static int legacy_cmp(struct gy_arena *a, struct gy_str name, struct gy_str op,
                      const struct gy_json *list, const struct gy_json *value,
                      const struct gy_expr **out, struct gy_error *err)
{
    int k = -1;
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
        if (gy_str_eqc(op, ops[i].name))
            k = (int)i;
    if (k < 0)
        return gy_error_set(err, a, GY_AWS_VALIDATION,
                            "1 validation error detected: Value '%.*s' at 'comparisonOperator' "
                            "failed to satisfy constraint: Member must satisfy enum value set: "
                            "[IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, "
                            "BEGINS_WITH, GE, CONTAINS]", (int)op.len, op.p);
    int nv = list ? (int)gy_json_count(list) : value ? 1 : 0;
    if (nv < ops[k].min || nv > ops[k].max)
        return gy_error_set(err, a, GY_AWS_VALIDATION,
                            INVALID "Invalid number of argument(s) for the %s ComparisonOperator",
                            ops[k].name);
    struct gy_expr *e = mk(a, ops[k].kind, (uint32_t)nv + 1);
    e->args[0] = mk_path(a, name);
    const struct gy_json *j = list ? gy_json_child(list) : value;
    for (int i = 0; i < nv; i++, j = list ? gy_json_next(j) : NULL) {
        int rc = mk_value(a, j, &e->args[i + 1], err);
        if (rc)
            return rc;
        enum gy_ddb_type t = e->args[i + 1]->u.value->type;
        bool bad = ops[k].scalar && t != GY_DDB_S && t != GY_DDB_N && t != GY_DDB_B;
        if (e->kind == GY_EXPR_BEGINS_WITH && t == GY_DDB_N)
            bad = true;
        if (bad)
            return gy_error_set(err, a, GY_AWS_VALIDATION,
                                INVALID "ComparisonOperator %s is not valid for %s AttributeValue type",
                                ops[k].name, gy_ddb_type_name(t));
    }
    if (e->kind == GY_EXPR_BETWEEN) {
        const struct gy_ddb_value *lo = e->args[1]->u.value, *hi = e->args[2]->u.value;
        if (lo->type != hi->type)
            return gy_error_set(err, a, GY_AWS_VALIDATION,
                                INVALID "AttributeValues inside AttributeValueList must be of same "
                                        "type");
        if (gy_ddb_value_cmp(lo, hi) > 0)
            return gy_error_set(err, a, GY_AWS_VALIDATION,
                                "The BETWEEN condition was provided a range where the lower bound "
                                "is greater than the upper bound");
    }
    if (e->kind == GY_EXPR_IN) {
        for (uint32_t i = 2; i < e->nargs; i++)
            if (e->args[i]->u.value->type != e->args[1]->u.value->type)
                return gy_error_set(err, a, GY_AWS_VALIDATION,
                                    INVALID "AttributeValues inside AttributeValueList must be of "
                                            "same type");
    }
    *out = e;
    return 0;
}

/* AND (default) or OR from ConditionalOperator. */
static int join_op(struct gy_arena *a, const struct gy_json *cop, enum gy_expr_kind *kind,
                   struct gy_error *err)
{
    *kind = GY_EXPR_AND;
    if (!cop)
        return 0;
    struct gy_str s = gy_json_str(cop);
    if (gy_str_eqc(s, "AND"))
        return 0;
    if (gy_str_eqc(s, "OR")) {
        *kind = GY_EXPR_OR;
        return 0;
    }
    return gy_error_set(err, a, GY_AWS_VALIDATION,
                        "1 validation error detected: Value '%.*s' at 'conditionalOperator' failed "
                        "to satisfy constraint: Member must satisfy enum value set: [OR, AND]",
                        (int)s.len, s.p);
}

/*
 * v[0] kind v[1] kind ... v[n-1] as a balanced tree of binary nodes: the same conditions in the
 * same order (so short-circuiting is unchanged), but depth log2(n) rather than n, so a request
 * with tens of thousands of conditions cannot exhaust the stack of whatever walks the tree.
 */
static const struct gy_expr *join_all(struct gy_arena *a, enum gy_expr_kind kind,
                                      const struct gy_expr *const *v, size_t n)
{
    if (n == 0)
        return NULL;
    if (n == 1)
        return v[0];
    struct gy_expr *e = mk(a, kind, 2);
    e->args[0] = join_all(a, kind, v, n / 2);
    e->args[1] = join_all(a, kind, v + n / 2, n - n / 2);
    return e;
}

/* One entry of Expected, validated as DynamoDB does. */
static int expected_one(struct gy_arena *a, const struct gy_json *cond, const struct gy_expr **out,
                        struct gy_error *err)
{
    struct gy_str key = gy_json_key(cond);
    const struct gy_json *value = gy_json_get(cond, "Value");
    const struct gy_json *exists = gy_json_get(cond, "Exists");
    const struct gy_json *op = gy_json_get(cond, "ComparisonOperator");
    const struct gy_json *list = gy_json_get(cond, "AttributeValueList");
    int k = (int)key.len;

    if (list && value)
        return gy_error_set(err, a, GY_AWS_VALIDATION,
                            INVALID "Value and AttributeValueList cannot be used together for "
                                    "Attribute: %.*s", k, key.p);
    if (op) {
        struct gy_str o = gy_json_str(op);
        if (exists)
            return gy_error_set(err, a, GY_AWS_VALIDATION,
                                INVALID "Exists and ComparisonOperator cannot be used together for "
                                        "Attribute: %.*s", k, key.p);
        if (!gy_str_eqc(o, "NULL") && !gy_str_eqc(o, "NOT_NULL") && !list && !value)
            return gy_error_set(err, a, GY_AWS_VALIDATION,
                                INVALID "Value or AttributeValueList must be used with "
                                        "ComparisonOperator: %.*s for Attribute: %.*s",
                                (int)o.len, o.p, k, key.p);
        return legacy_cmp(a, key, o, list, value, out, err);
    }
    if (list)
        return gy_error_set(err, a, GY_AWS_VALIDATION,
                            INVALID "AttributeValueList can only be used with a ComparisonOperator "
                                    "for Attribute: %.*s", k, key.p);
    bool ex = true;
    if (exists && !gy_json_bool(exists, &ex))
        ex = true;
    if (ex && !value)
        return gy_error_set(err, a, GY_AWS_VALIDATION,
                            INVALID "Value must be provided when Exists is %s for Attribute: %.*s",
                            exists ? "true" : "null", k, key.p);
    if (!ex && value)
        return gy_error_set(err, a, GY_AWS_VALIDATION,
                            INVALID "Value cannot be used when Exists is false for Attribute: %.*s",
                            k, key.p);
    if (!ex) {
        struct gy_expr *e = mk(a, GY_EXPR_NOT_EXISTS, 1);
        e->args[0] = mk_path(a, key);
        *out = e;
        return 0;
    }
    struct gy_expr *e = mk(a, GY_EXPR_EQ, 2);
    e->args[0] = mk_path(a, key);
    *out = e;
    return mk_value(a, value, &e->args[1], err);
}

int gy_expr_from_expected(struct gy_expr_ctx *c, const struct gy_json *expected,
                          const struct gy_json *conditional_operator, const struct gy_expr **out,
                          struct gy_error *err)
{
    enum gy_expr_kind kind;
    int rc = join_op(c->a, conditional_operator, &kind, err);
    if (rc)
        return rc;
    const struct gy_expr **v = gy_arena_calloc(c->a, gy_json_count(expected) + 1, sizeof(*v));
    size_t n = 0;
    for (const struct gy_json *j = gy_json_child(expected); j; j = gy_json_next(j), n++)
        if ((rc = expected_one(c->a, j, &v[n], err)) != 0)
            return rc;
    *out = join_all(c->a, kind, v, n);
    return 0;
}

int gy_expr_from_filter(struct gy_expr_ctx *c, const struct gy_json *filter,
                        const struct gy_json *conditional_operator, const char *param,
                        const struct gy_expr **out, struct gy_error *err)
{
    enum gy_expr_kind kind;
    int rc = join_op(c->a, conditional_operator, &kind, err);
    if (rc)
        return rc;
    const struct gy_expr **v = gy_arena_calloc(c->a, gy_json_count(filter) + 1, sizeof(*v));
    size_t n = 0;
    for (const struct gy_json *j = gy_json_child(filter); j; j = gy_json_next(j)) {
        const struct gy_expr *one;
        const struct gy_json *op = gy_json_get(j, "ComparisonOperator");
        if (!op)
            return gy_error_set(err, c->a, GY_AWS_VALIDATION,
                                "1 validation error detected: Value null at '%s.%.*s.member."
                                "comparisonOperator' failed to satisfy constraint: Member must not "
                                "be null", param, (int)gy_json_key(j).len, gy_json_key(j).p);
        rc = legacy_cmp(c->a, gy_json_key(j), gy_json_str(op), gy_json_get(j, "AttributeValueList"),
                        NULL, &one, err);
        if (rc)
            return rc;
        v[n++] = one;
    }
    *out = join_all(c->a, kind, v, n);
    return 0;
}

int gy_expr_from_attribute_updates(struct gy_expr_ctx *c, const struct gy_json *updates,
                                   const struct gy_str *key_attrs, size_t nkeys,
                                   const struct gy_expr_update **out, struct gy_error *err)
{
    struct gy_arena *a = c->a;
    size_t n = gy_json_count(updates);
    struct gy_expr_action *acts = gy_arena_calloc(a, n + 1, sizeof(*acts));
    uint32_t na = 0;
    int rc;

    for (const struct gy_json *j = gy_json_child(updates); j; j = gy_json_next(j)) {
        struct gy_str key = gy_json_key(j);
        const struct gy_json *value = gy_json_get(j, "Value");
        const struct gy_json *action = gy_json_get(j, "Action");
        struct gy_str act = action ? gy_json_str(action) : GY_STR("PUT");
        struct gy_expr_action *x = &acts[na];
        const struct gy_expr *v = NULL;

        if (!gy_str_eqc(act, "PUT") && !gy_str_eqc(act, "ADD") && !gy_str_eqc(act, "DELETE"))
            return gy_error_set(err, a, GY_AWS_VALIDATION,
                                "1 validation error detected: Value '%.*s' at 'attributeUpdates."
                                "%.*s.member.action' failed to satisfy constraint: Member must "
                                "satisfy enum value set: [ADD, PUT, DELETE]",
                                (int)act.len, act.p, (int)key.len, key.p);
        if (!value && !gy_str_eqc(act, "DELETE"))
            return gy_error_set(err, a, GY_AWS_VALIDATION,
                                INVALID "Only DELETE action is allowed when no attribute value is "
                                        "specified");
        if (value && (rc = mk_value(a, value, &v, err)) != 0)
            return rc;
        enum gy_ddb_type t = v ? v->u.value->type : GY_DDB_NULL;
        bool set = t == GY_DDB_SS || t == GY_DDB_NS || t == GY_DDB_BS;
        if (v && gy_str_eqc(act, "DELETE") && !set)
            return gy_error_set(err, a, GY_AWS_VALIDATION,
                                INVALID "DELETE action with value is not supported for the type %s",
                                gy_ddb_type_name(t));
        if (v && gy_str_eqc(act, "ADD") && !set && t != GY_DDB_N && t != GY_DDB_L)
            return gy_error_set(err, a, GY_AWS_VALIDATION,
                                INVALID "ADD action is not supported for the type %s",
                                gy_ddb_type_name(t));
        for (size_t k = 0; k < nkeys; k++)
            if (gy_str_eq(key, key_attrs[k]))
                return gy_error_set(err, a, GY_AWS_VALIDATION,
                                    INVALID "Cannot update attribute %.*s. This attribute is part of "
                                            "the key", (int)key.len, key.p);
        x->path = mk_path(a, key)->u.path;
        x->val = v;
        if (gy_str_eqc(act, "PUT")) {
            x->kind = GY_EXPR_ACT_SET;
        } else if (gy_str_eqc(act, "DELETE")) {
            x->kind = v ? GY_EXPR_ACT_DELETE : GY_EXPR_ACT_REMOVE;
        } else if (t == GY_DDB_L) {
            /* ADD of a list appends: SET a = list_append(if_not_exists(a, []), v). */
            struct gy_ddb_value *empty = gy_arena_zalloc(a, sizeof(*empty));
            struct gy_expr *ev = mk(a, GY_EXPR_VALUE, 0), *ine = mk(a, GY_EXPR_IF_NOT_EXISTS, 2);
            struct gy_expr *la = mk(a, GY_EXPR_LIST_APPEND, 2);
            empty->type = GY_DDB_L;
            ev->u.value = empty;
            ine->args[0] = mk_path(a, key);
            ine->args[1] = ev;
            la->args[0] = ine;
            la->args[1] = v;
            x->kind = GY_EXPR_ACT_SET;
            x->val = la;
        } else {
            x->kind = GY_EXPR_ACT_ADD;
        }
        na++;
    }
    struct gy_expr_update *u = gy_arena_zalloc(a, sizeof(*u));
    u->a = acts;
    u->n = na;
    u->legacy = true;
    *out = u;
    return 0;
}

struct named_pos {
    struct gy_str name;
    size_t pos; /* request order */
};

static int named_pos_cmp(const void *x, const void *y)
{
    const struct named_pos *a = x, *b = y;
    int c = gy_str_cmp(a->name, b->name);
    return c ? c : a->pos < b->pos ? -1 : a->pos > b->pos;
}

/*
 * The first name (in request order) that repeats an earlier one, or NULL: sorted, so a list of
 * any length costs O(n log n). The repeat found is the one a front-to-back scan would meet.
 */
static const struct gy_str *first_repeat(struct gy_arena *a, const struct gy_json *list, size_t n)
{
    struct named_pos *v = gy_arena_calloc(a, n + 1, sizeof(*v));
    size_t k = 0, best = n;
    for (const struct gy_json *j = gy_json_child(list); j; j = gy_json_next(j), k++)
        v[k] = (struct named_pos){ gy_json_str(j), k };
    qsort(v, k, sizeof(*v), named_pos_cmp);
    for (size_t i = 1; i < k; i++) {
        bool repeat = gy_str_eq(v[i].name, v[i - 1].name);
        bool third = i >= 2 && gy_str_eq(v[i].name, v[i - 2].name);
        if (repeat && !third && v[i].pos < best)
            best = v[i].pos; /* the second occurrence of its name */
    }
    for (size_t i = 0; i < k; i++)
        if (v[i].pos == best)
            return &v[i].name;
    return NULL;
}

int gy_expr_from_attributes_to_get(struct gy_expr_ctx *c, const struct gy_json *list,
                                   const struct gy_expr_proj **out, struct gy_error *err)
{
    size_t n = gy_json_count(list);
    struct gy_expr_path *paths = gy_arena_calloc(c->a, n + 1, sizeof(*paths));
    uint32_t np = 0;
    const struct gy_str *dup = first_repeat(c->a, list, n);
    if (dup)
        return gy_error_set(err, c->a, GY_AWS_VALIDATION,
                            INVALID "Duplicate value in attribute name: %.*s", (int)dup->len,
                            dup->p);
    for (const struct gy_json *j = gy_json_child(list); j; j = gy_json_next(j))
        paths[np++] = mk_path(c->a, gy_json_str(j))->u.path;
    struct gy_expr_proj *p = gy_arena_zalloc(c->a, sizeof(*p));
    p->p = paths;
    p->n = np;
    *out = p;
    return 0;
}

int gy_expr_check_param_mix(const struct gy_json *request, struct gy_error *err,
                            struct gy_arena *a)
{
    static const char *const legacy[] = { "AttributesToGet", "AttributeUpdates", "Expected",
                                          "KeyConditions", "QueryFilter", "ScanFilter",
                                          "ConditionalOperator" };
    static const char *const modern[] = { "ProjectionExpression", "FilterExpression",
                                          "KeyConditionExpression", "UpdateExpression",
                                          "ConditionExpression" };
    char lbuf[256] = "", mbuf[256] = "";
    size_t ll = 0, ml = 0;

    /* DynamoDB lets legacy KeyConditions stand beside ProjectionExpression and
     * FilterExpression; only KeyConditionExpression conflicts with it. */
    bool kce = gy_json_get(request, "KeyConditionExpression") != NULL;
    for (size_t i = 0; i < sizeof(legacy) / sizeof(legacy[0]); i++)
        if (gy_json_get(request, legacy[i]) && (kce || strcmp(legacy[i], "KeyConditions") != 0))
            ll += (size_t)snprintf(lbuf + ll, sizeof(lbuf) - ll, "%s%s", ll ? ", " : "", legacy[i]);
    for (size_t i = 0; i < sizeof(modern) / sizeof(modern[0]); i++)
        if (gy_json_get(request, modern[i]))
            ml += (size_t)snprintf(mbuf + ml, sizeof(mbuf) - ml, "%s%s", ml ? ", " : "", modern[i]);
    if (ll && ml)
        return gy_error_set(err, a, GY_AWS_VALIDATION,
                            "Can not use both expression and non-expression parameters in the same "
                            "request: Non-expression parameters: {%s} Expression parameters: {%s}",
                            lbuf, mbuf);
    if (!ml && gy_json_get(request, "ExpressionAttributeNames"))
        return gy_error_set(err, a, GY_AWS_VALIDATION,
                            "ExpressionAttributeNames can only be specified when using expressions");
    if (!ml && gy_json_get(request, "ExpressionAttributeValues"))
        return gy_error_set(err, a, GY_AWS_VALIDATION,
                            "ExpressionAttributeValues can only be specified when using "
                            "expressions");
    return 0;
}

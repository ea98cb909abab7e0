/*
 * ops_query.c — Query and Scan: range scans over the order-preserving item keys.
 *
 * A Query becomes one key range inside one partition (the KeyConditionExpression's sort-key
 * condition gives its bounds); a Scan walks the table's key space, or for a parallel Scan one
 * hash range of it: segment i of N owns hash64 values [i*2^64/N, (i+1)*2^64/N), so segments
 * partition the table exactly. Both read in one LMDB read transaction (never blocking writers),
 * apply Limit and the 1 MB page size to items read before the filter (as DynamoDB does), then
 * filter and project, and return LastEvaluatedKey when they stop early.
 *
 * With IndexName they read the index's entries (GY_DB_INDEX, layout in index.c) the same way:
 * an index partition is a key range sorted by index sort key, then by table key. A GSI entry
 * holds the projected attributes, so a GSI read never touches the base table; an LSI read
 * that needs attributes the index does not project (Select ALL_ATTRIBUTES, a projection or a
 * filter naming them) fetches the base item, as DynamoDB does (and charges it to the table).
 */
#include <string.h>

#include "core/json.h"
#include "dynamodb/dynamodb_int.h"
#include "dynamodb/expr/expr.h"
#include "dynamodb/index.h"
#include "store/store.h"

#define PAGE_BYTES (1u << 20) /* DynamoDB's 1 MB page */

enum select_mode { SEL_ALL = 0, SEL_PROJECTED, SEL_SPECIFIC, SEL_COUNT };

/* The sort-key condition of a Query. */
struct sk_cond {
    enum gy_expr_kind op;            /* 0 when absent; EQ LT LE GT GE BETWEEN BEGINS_WITH */
    const struct gy_ddb_value *a, *b; /* operands (b for BETWEEN) */
};

/* Everything one Query or Scan page needs. */
struct read_plan {
    struct gy_ddb_table *t;
    const struct gy_ddb_index *ix;   /* IndexName, or NULL for the table */
    const struct gy_ddb_attrdef *hk; /* the key schema read: the table's or the index's */
    const struct gy_ddb_attrdef *rk; /* its sort key, or NULL */
    enum gy_store_db db;             /* GY_DB_ITEMS or GY_DB_INDEX */
    bool fetch_base;                 /* LSI: read base items for non-projected attributes */
    struct gy_ddb_exprs ex;
    const struct gy_ddb_value *pk;   /* Query: the partition */
    struct sk_cond sk;               /* Query: the sort-key condition */
    struct gy_str lo, hi;            /* key range */
    bool lo_incl, hi_incl;           /* bound inclusiveness (empty = unbounded) */
    struct gy_str prefix;            /* every key in range starts with this */
    struct gy_str esk;               /* ExclusiveStartKey as a storage key, or empty */
    bool forward;                    /* ScanIndexForward */
    bool consistent;
    enum select_mode select;
    int64_t limit;                   /* 0 = none */
    int rcc;
    bool is_query;
};

static int bad(struct gy_aws_req *req, const char *msg)
{
    return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION, "%s", msg);
}

/* ---- parameters shared by Query and Scan ---- */

static int parse_common(struct gy_aws_req *req, struct read_plan *p)
{
    const struct gy_json *b = req->body;
    const struct gy_json *j;

    p->hk = &p->t->hash;
    p->rk = p->t->range.name ? &p->t->range : NULL;
    p->db = GY_DB_ITEMS;
    if ((j = gy_json_get(b, "IndexName"))) {
        struct gy_str idx = gy_json_str(j);
        if (!idx.p)
            return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION,
                                "Unexpected value type in payload: IndexName");
        if (idx.len < 3 || idx.len > 255)
            return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                                "1 validation error detected: Value '%.*s' at 'indexName' failed "
                                "to satisfy constraint: Member must have length %s",
                                (int)idx.len, idx.p,
                                idx.len < 3 ? "greater than or equal to 3"
                                            : "less than or equal to 255");
        p->ix = gy_ddb_index_find(p->t, idx);
        if (!p->ix)
            return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                                "The table does not have the specified index: %.*s", (int)idx.len,
                                idx.p);
        if (!p->ix->local && p->ix->backfilling)
            return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                                "Cannot read from backfilling global secondary index: %s",
                                p->ix->name);
        p->hk = &p->ix->hash;
        p->rk = p->ix->range.name ? &p->ix->range : NULL;
        p->db = GY_DB_INDEX;
    }
    if ((j = gy_json_get(b, "Limit")) && !gy_json_is(j, GY_JSON_NULL)) {
        if (!gy_json_int(j, &p->limit))
            return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION,
                                "Unexpected value type in payload: Limit");
        if (p->limit < 1)
            return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                                "1 validation error detected: Value '%lld' at 'limit' failed to "
                                "satisfy constraint: Member must have value greater than or equal "
                                "to 1",
                                (long long)p->limit);
    }
    if ((j = gy_json_get(b, "ConsistentRead")) && !gy_json_bool(j, &p->consistent))
        return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION,
                            "Unexpected value type in payload: ConsistentRead");
    if (p->consistent && p->ix && !p->ix->local)
        return bad(req, "Consistent reads are not supported on global secondary indexes");
    p->rcc = gy_ddb__rcc_arg(req);
    if (p->rcc < 0)
        return GY_EAWS;
    struct gy_str sel = gy_json_str(gy_json_get(b, "Select"));
    bool has_proj = gy_json_get(b, "ProjectionExpression") || gy_json_get(b, "AttributesToGet");
    const char *pname = gy_json_get(b, "ProjectionExpression") ? "ProjectionExpression"
                                                               : "AttributesToGet";
    if (!sel.p) {
        p->select = has_proj ? SEL_SPECIFIC : p->ix ? SEL_PROJECTED : SEL_ALL;
    } else if (gy_str_eqc(sel, "ALL_ATTRIBUTES")) {
        p->select = SEL_ALL;
        if (has_proj)
            return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                                "Cannot specify the %s when choosing to get ALL_ATTRIBUTES", pname);
        if (p->ix && !p->ix->local && p->ix->proj != GY_DDB_PROJ_ALL)
            return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                                "One or more parameter values were invalid: Select type "
                                "ALL_ATTRIBUTES is not supported for global secondary index %s "
                                "because its projection type is not ALL",
                                p->ix->name);
        p->fetch_base = p->ix && p->ix->proj != GY_DDB_PROJ_ALL;
    } else if (gy_str_eqc(sel, "ALL_PROJECTED_ATTRIBUTES")) {
        if (!p->ix)
            return bad(req, "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an "
                            "IndexName");
        p->select = SEL_PROJECTED;
        if (has_proj)
            return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                                "Cannot specify the %s when choosing to get "
                                "ALL_PROJECTED_ATTRIBUTES",
                                pname);
    } else if (gy_str_eqc(sel, "SPECIFIC_ATTRIBUTES")) {
        p->select = SEL_SPECIFIC;
        if (!has_proj)
            return bad(req, "Must specify the AttributesToGet or ProjectionExpression when "
                            "choosing to get SPECIFIC_ATTRIBUTES");
    } else if (gy_str_eqc(sel, "COUNT")) {
        p->select = SEL_COUNT;
        if (has_proj)
            return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                                "Cannot specify the %s when choosing to get only the Count", pname);
    } else {
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "1 validation error detected: Value '%s' at 'select' failed to satisfy "
                            "constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, "
                            "COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]",
                            sel.p);
    }
    return 0;
}

/* ExclusiveStartKey of an index read: the table's and the index's key attributes. */
static int parse_index_esk(struct gy_aws_req *req, struct read_plan *p, const struct gy_json *j,
                           const struct gy_ddb_value **pk)
{
    struct gy_ddb_map m;
    struct gy_buf b;
    const struct gy_ddb_attrdef *defs[4] = { &p->t->hash, p->t->range.name ? &p->t->range : NULL,
                                             &p->ix->hash, p->ix->range.name ? &p->ix->range : NULL };
    uint32_t want = 0;
    if (gy_ddb_map_from_json(req->arena, j, &m, &req->err))
        return GY_EAWS;
    for (int i = 0; i < 4; i++) {
        if (!defs[i])
            continue;
        bool dup = false;
        for (int k = 0; k < i; k++)
            dup |= defs[k] && strcmp(defs[k]->name, defs[i]->name) == 0;
        want += !dup;
        const struct gy_ddb_value *v = gy_ddb_map_get(&m, gy_str_c(defs[i]->name));
        if (!v || v->type != defs[i]->type)
            return bad(req, "The provided starting key is invalid: The provided key element does "
                            "not match the schema");
    }
    if (m.n != want)
        return bad(req, "The provided starting key is invalid: The provided key element does not "
                        "match the schema");
    gy_buf_init(&b, 16384);
    int rc = gy_ddb__index_key(&b, p->t, p->ix, &m);
    if (rc == 0)
        p->esk = gy_arena_strdup(req->arena, gy_buf_str(&b));
    gy_buf_fini(&b);
    if (rc)
        return bad(req, "The provided starting key is invalid: The provided key element does not "
                        "match the schema");
    *pk = gy_ddb_map_get(&m, gy_str_c(p->ix->hash.name));
    return 0;
}

/* ExclusiveStartKey: exactly the key attributes read; returns its storage key. */
static int parse_esk(struct gy_aws_req *req, struct read_plan *p, const struct gy_ddb_value **pk)
{
    const struct gy_json *j = gy_json_get(req->body, "ExclusiveStartKey");
    const struct gy_ddb_value *sk;
    *pk = NULL;
    if (!j)
        return 0;
    if (p->ix)
        return parse_index_esk(req, p, j, pk);
    if (gy_ddb__key_arg(req, p->t, j, pk, &sk)) {
        const char *m = req->err.message;
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "The provided starting key is invalid: %s", m ? m : "");
    }
    return gy_ddb__storage_key(req->arena, p->t, *pk, sk, &p->esk);
}

/* ---- Query: the key condition ---- */

static bool is_key_path(const struct gy_expr *e, const char *name)
{
    return e->kind == GY_EXPR_PATH && e->u.path.n == 1 && !e->u.path.e[0].is_index &&
           gy_str_eqc(e->u.path.e[0].name, name);
}

#define MAX_CONJUNCTS 8

/* The AND-ed conditions of a key condition (at most MAX_CONJUNCTS; the count is checked later). */
static void collect_conjuncts(const struct gy_expr *e, const struct gy_expr **out, int *n)
{
    if (e->kind == GY_EXPR_AND) {
        for (uint32_t i = 0; i < e->nargs; i++)
            collect_conjuncts(e->args[i], out, n);
        return;
    }
    if (*n < MAX_CONJUNCTS)
        out[*n] = e;
    (*n)++;
}

static const char *op_name(enum gy_expr_kind k)
{
    switch (k) {
    case GY_EXPR_OR: return "OR";
    case GY_EXPR_NOT: return "NOT";
    case GY_EXPR_NE: return "<>";
    case GY_EXPR_IN: return "IN";
    case GY_EXPR_EXISTS: return "attribute_exists";
    case GY_EXPR_NOT_EXISTS: return "attribute_not_exists";
    case GY_EXPR_TYPE: return "attribute_type";
    case GY_EXPR_CONTAINS: return "contains";
    case GY_EXPR_SIZE: return "size";
    default: return "?";
    }
}

/* The key attribute a simple comparison is about (path on the left), and its operands. */
/* Only comparisons, BETWEEN and begins_with may appear in a key condition. */
static int key_op_check(struct gy_aws_req *req, const struct read_plan *p, const struct gy_expr *c)
{
    switch (c->kind) {
    case GY_EXPR_EQ: case GY_EXPR_LT: case GY_EXPR_LE: case GY_EXPR_GT: case GY_EXPR_GE:
    case GY_EXPR_BETWEEN: case GY_EXPR_BEGINS_WITH:
        return 0;
    default:
        if (p->ex.keycond_legacy)
            return bad(req, "Attempted conditional constraint is not an indexable operation");
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "Invalid operator used in KeyConditionExpression: %s",
                            op_name(c->kind));
    }
}

/* The top-level attribute a key comparison is about, or an empty string. */
static struct gy_str key_lhs(const struct gy_expr *c)
{
    const struct gy_expr *lhs = c->nargs ? c->args[0] : NULL;
    if (!lhs || lhs->kind != GY_EXPR_PATH || lhs->u.path.n != 1 || lhs->u.path.e[0].is_index)
        return GY_STR_NULL;
    return lhs->u.path.e[0].name;
}

static int key_cmp(struct gy_aws_req *req, const struct gy_expr *c, const char **attr,
                   const struct read_plan *p, struct sk_cond *out, bool hk_named)
{
    const struct gy_ddb_attrdef *hk = p->hk, *rk = p->rk;
    const struct gy_expr *lhs = c->args[0];
    if (lhs->kind != GY_EXPR_PATH || lhs->u.path.n != 1)
        return bad(req, "Query key condition not supported");
    for (uint32_t i = 1; i < c->nargs; i++)
        if (c->args[i]->kind != GY_EXPR_VALUE)
            return bad(req, "Query key condition not supported");
    if (is_key_path(lhs, hk->name))
        *attr = hk->name;
    else if (rk && is_key_path(lhs, rk->name))
        *attr = rk->name;
    else
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "Query condition missed key schema element: %s",
                            hk_named && rk ? rk->name : hk->name);
    enum gy_ddb_type want = *attr == hk->name ? hk->type : rk->type;
    for (uint32_t i = 1; i < c->nargs; i++)
        if (c->args[i]->u.value->type != want)
            return bad(req, "One or more parameter values were invalid: Condition parameter type "
                            "does not match schema type");
    if (c->kind == GY_EXPR_BEGINS_WITH && want == GY_DDB_N)
        return bad(req, "Invalid KeyConditionExpression: Incorrect operand type for operator or "
                        "function; operator: begins_with, operand type: NUMBER");
    out->op = c->kind;
    out->a = c->args[1]->u.value;
    out->b = c->nargs > 2 ? c->args[2]->u.value : NULL;
    return 0;
}

/*
 * A comparison written value first (":v = pk", ":lo < sk") as the same comparison written key
 * first, which DynamoDB accepts just the same; anything else is returned unchanged.
 */
static const struct gy_expr *key_first(struct gy_arena *a, const struct gy_expr *c)
{
    enum gy_expr_kind mirror;
    switch (c->kind) {
    case GY_EXPR_EQ: mirror = GY_EXPR_EQ; break;
    case GY_EXPR_LT: mirror = GY_EXPR_GT; break;
    case GY_EXPR_LE: mirror = GY_EXPR_GE; break;
    case GY_EXPR_GT: mirror = GY_EXPR_LT; break;
    case GY_EXPR_GE: mirror = GY_EXPR_LE; break;
    default: return c;
    }
    if (c->nargs != 2 || c->args[0]->kind != GY_EXPR_VALUE || c->args[1]->kind != GY_EXPR_PATH)
        return c;
    struct gy_expr *m = gy_arena_zalloc(a, sizeof(*m));
    const struct gy_expr **args = gy_arena_calloc(a, 2, sizeof(*args));
    args[0] = c->args[1];
    args[1] = c->args[0];
    m->kind = mirror;
    m->nargs = 2;
    m->args = args;
    return m;
}

static int analyze_keycond(struct gy_aws_req *req, struct read_plan *p)
{
    const struct gy_expr *conj[MAX_CONJUNCTS];
    int n = 0;
    const struct gy_expr *kc = p->ex.keycond;

    if (!kc)
        return bad(req, "Either the KeyConditions or KeyConditionExpression parameter must be "
                        "specified in the request.");
    collect_conjuncts(kc, conj, &n);
    int seen = n < MAX_CONJUNCTS ? n : MAX_CONJUNCTS;
    for (int i = 0; i < seen; i++)
        conj[i] = key_first(req->arena, conj[i]);
    for (int i = 0; i < seen; i++)
        if (key_op_check(req, p, conj[i]))
            return GY_EAWS;
    /* DynamoDB reports a repeated key before the number of conditions. */
    bool hk_named = false;
    for (int i = 0; i < seen; i++) {
        struct gy_str a = key_lhs(conj[i]);
        hk_named |= gy_str_eqc(a, p->hk->name);
        for (int k = 0; a.p && k < i; k++)
            if (gy_str_eq(a, key_lhs(conj[k])))
                return bad(req, "KeyConditionExpressions must only contain one condition per key");
    }
    if (n > 2)
        return bad(req, "Conditions can be of length 1 or 2 only");
    if (n == 2 && !p->rk)
        return bad(req, "Query key condition not supported");
    bool have_pk = false, have_sk = false;
    for (int i = 0; i < n; i++) {
        const char *attr = NULL;
        struct sk_cond c = { 0 };
        if (key_cmp(req, conj[i], &attr, p, &c, hk_named))
            return GY_EAWS;
        if (attr == p->hk->name) {
            if (have_pk)
                return bad(req, "KeyConditionExpressions must only contain one condition per key");
            if (c.op != GY_EXPR_EQ)
                return bad(req, "Query key condition not supported");
            have_pk = true;
            p->pk = c.a;
        } else {
            if (have_sk)
                return bad(req, "KeyConditionExpressions must only contain one condition per key");
            have_sk = true;
            p->sk = c;
        }
    }
    if (!have_pk)
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "Query condition missed key schema element: %s", p->hk->name);
    if (p->sk.op == GY_EXPR_BETWEEN && gy_ddb_value_cmp(p->sk.a, p->sk.b) > 0)
        return bad(req, "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound "
                        "to be greater than or equal to lower bound");
    return 0;
}

/* Filters may not touch key attributes in a Query (DynamoDB's rule). */
static int filter_key_check(struct gy_aws_req *req, const struct read_plan *p, const struct gy_expr *e)
{
    if (!e)
        return 0;
    if (e->kind == GY_EXPR_PATH) {
        struct gy_str n = e->u.path.e[0].name;
        if (gy_str_eqc(n, p->hk->name) || (p->rk && gy_str_eqc(n, p->rk->name)))
            return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                                "%s can only contain non-primary key attributes: Primary key "
                                "attribute: %.*s",
                                gy_json_get(req->body, "QueryFilter") ? "QueryFilter"
                                                                       : "Filter Expression",
                                (int)n.len, n.p);
        return 0;
    }
    for (uint32_t i = 0; i < e->nargs; i++)
        if (filter_key_check(req, p, e->args[i]))
            return GY_EAWS;
    return 0;
}

/* Encoded sort-key bound: the partition prefix followed by the sort-key part of v. */
static struct gy_str sk_bound(struct gy_aws_req *req, const struct read_plan *p,
                              const struct gy_ddb_value *v, bool strip_terminator)
{
    struct gy_buf b;
    gy_buf_init(&b, 16384);
    gy_buf_append_str(&b, p->prefix);
    size_t at = b.len;
    gy_ddb__append_sk(&b, v);
    if (strip_terminator && v->type != GY_DDB_N) {
        /* begins_with: the escaped bytes without the terminator, cut to the inline size. */
        if (b.len - at >= 2 && (unsigned char)b.p[b.len - 2] == 0 && (unsigned char)b.p[b.len - 1] == 0)
            b.len -= 2;
        else
            b.len = at + 300 - ((unsigned char)b.p[at + 299] == 0 ? 1 : 0);
    }
    struct gy_str s = gy_arena_strdup(req->arena, gy_buf_str(&b));
    gy_buf_fini(&b);
    return s;
}

static struct gy_str prefix_end(struct gy_arena *a, struct gy_str prefix);

/*
 * Index entries continue after the sort key with the table key (index.c), so a bound on the
 * index sort key stands for every entry that starts with it: "<= v" ends after them, "> v"
 * starts after them, "= v" is a prefix.
 */
static void widen_for_index(struct gy_aws_req *req, struct read_plan *p)
{
    switch (p->sk.op) {
    case GY_EXPR_EQ:
        p->prefix = p->lo;
        p->lo = p->hi = GY_STR_NULL;
        break;
    case GY_EXPR_LE:
    case GY_EXPR_BETWEEN:
        p->hi = prefix_end(req->arena, p->hi);
        p->hi_incl = false;
        break;
    case GY_EXPR_GT:
        p->lo = prefix_end(req->arena, p->lo);
        p->lo_incl = true;
        break;
    default:
        break;
    }
}

static int plan_query_range(struct gy_aws_req *req, struct read_plan *p)
{
    struct gy_buf b;
    gy_buf_init(&b, 16384);
    int prc = p->ix ? gy_ddb__index_partition_prefix(&b, p->ix, p->pk)
                    : gy_ddb__partition_prefix(&b, p->t, p->pk);
    if (prc) {
        gy_buf_fini(&b);
        return bad(req, "Key is too large");
    }
    p->prefix = gy_arena_strdup(req->arena, gy_buf_str(&b));
    gy_buf_fini(&b);
    p->lo = p->hi = GY_STR_NULL;
    switch (p->sk.op) {
    case GY_EXPR_EQ:
        p->lo = p->hi = sk_bound(req, p, p->sk.a, false);
        p->lo_incl = p->hi_incl = true;
        break;
    case GY_EXPR_LT: p->hi = sk_bound(req, p, p->sk.a, false); p->hi_incl = false; break;
    case GY_EXPR_LE: p->hi = sk_bound(req, p, p->sk.a, false); p->hi_incl = true; break;
    case GY_EXPR_GT: p->lo = sk_bound(req, p, p->sk.a, false); p->lo_incl = false; break;
    case GY_EXPR_GE: p->lo = sk_bound(req, p, p->sk.a, false); p->lo_incl = true; break;
    case GY_EXPR_BETWEEN:
        p->lo = sk_bound(req, p, p->sk.a, false);
        p->hi = sk_bound(req, p, p->sk.b, false);
        p->lo_incl = p->hi_incl = true;
        break;
    case GY_EXPR_BEGINS_WITH:
        /* All keys starting with the escaped prefix: narrow the prefix itself. */
        p->prefix = sk_bound(req, p, p->sk.a, true);
        break;
    default: break;
    }
    /* Truncated (very long) sort keys make byte bounds approximate: keep them inclusive and
     * let the exact check below decide. */
    if (p->lo.len > 400)
        p->lo_incl = true;
    if (p->hi.len > 400)
        p->hi_incl = true;
    if (p->ix)
        widen_for_index(req, p);
    return 0;
}

/* Exact re-check of the sort-key condition on an item (the byte range may be wider). */
static bool sk_matches(const struct read_plan *p, const struct gy_ddb_map *item)
{
    if (!p->sk.op)
        return true;
    const struct gy_ddb_value *v = gy_ddb_map_get(item, gy_str_c(p->rk->name));
    if (!v || v->type != p->sk.a->type)
        return false;
    int c = gy_ddb_value_cmp(v, p->sk.a);
    switch (p->sk.op) {
    case GY_EXPR_EQ: return c == 0;
    case GY_EXPR_LT: return c < 0;
    case GY_EXPR_LE: return c <= 0;
    case GY_EXPR_GT: return c > 0;
    case GY_EXPR_GE: return c >= 0;
    case GY_EXPR_BETWEEN: return c >= 0 && gy_ddb_value_cmp(v, p->sk.b) <= 0;
    case GY_EXPR_BEGINS_WITH:
        return v->u.s.len >= p->sk.a->u.s.len &&
               memcmp(v->u.s.p, p->sk.a->u.s.p, p->sk.a->u.s.len) == 0;
    default: return false;
    }
}

/* ---- the page loop ---- */

static int key_cmp_bytes(struct gy_str k, struct gy_str bound)
{
    return gy_str_cmp(k, bound);
}

/* True when key k lies inside the plan's range (prefix and bounds). */
static bool in_range(const struct read_plan *p, struct gy_str k)
{
    if (!gy_str_startswith(k, p->prefix))
        return false;
    if (p->lo.len) {
        int c = key_cmp_bytes(k, p->lo);
        if (c < 0 || (c == 0 && !p->lo_incl))
            return false;
    }
    if (p->hi.len) {
        int c = key_cmp_bytes(k, p->hi);
        if (c > 0 || (c == 0 && !p->hi_incl))
            return false;
    }
    return true;
}

/* The first key strictly greater than every key starting with prefix (empty if none). */
static struct gy_str prefix_end(struct gy_arena *a, struct gy_str prefix)
{
    char *s = gy_arena_strndup(a, prefix.p, prefix.len);
    size_t n = prefix.len;
    while (n > 0 && (unsigned char)s[n - 1] == 0xFF)
        n--;
    if (n == 0)
        return GY_STR_NULL;
    s[n - 1] = (char)((unsigned char)s[n - 1] + 1);
    return (struct gy_str){ s, n };
}

/* Position the cursor at the first key to read. */
static int seek_first(struct gy_aws_req *req, struct gy_store_cursor *cur, const struct read_plan *p,
                      struct gy_str *k, struct gy_str *v)
{
    int rc;
    if (p->forward) {
        struct gy_str start = p->prefix;
        if (p->lo.len && gy_str_cmp(p->lo, start) > 0)
            start = p->lo;
        if (p->esk.len && gy_str_cmp(p->esk, start) >= 0)
            start = p->esk;
        rc = gy_store_cursor_seek(cur, start, k, v);
        while (rc == 0 && ((p->esk.len && gy_str_eq(*k, p->esk)) ||
                           (p->lo.len && !p->lo_incl && gy_str_eq(*k, p->lo))))
            rc = gy_store_cursor_next(cur, k, v);
        return rc;
    }
    struct gy_str end = p->hi.len ? p->hi : GY_STR_NULL;
    if (p->esk.len && (!end.len || gy_str_cmp(p->esk, end) < 0))
        end = p->esk;
    if (end.len) {
        rc = gy_store_cursor_seek_le(cur, end, k, v);
        bool excl = (p->esk.len && gy_str_eq(end, p->esk)) || !p->hi_incl;
        while (rc == 0 && excl && gy_str_eq(*k, end))
            rc = gy_store_cursor_prev(cur, k, v);
        return rc;
    }
    struct gy_str pe = prefix_end(req->arena, p->prefix);
    if (!pe.len)
        return gy_store_cursor_seek_le(cur, GY_STR("\xff\xff\xff\xff\xff\xff\xff\xff\xff"), k, v);
    rc = gy_store_cursor_seek_le(cur, pe, k, v);
    while (rc == 0 && gy_str_eq(*k, pe))
        rc = gy_store_cursor_prev(cur, k, v);
    return rc;
}

/* LastEvaluatedKey: the table's key attributes, and the index's for an index read. */
static void write_key(struct gy_jw *w, const struct read_plan *p, const struct gy_ddb_map *item)
{
    const struct gy_ddb_attrdef *defs[4] = { &p->t->hash, p->t->range.name ? &p->t->range : NULL,
                                             p->ix ? &p->ix->hash : NULL,
                                             p->ix && p->ix->range.name ? &p->ix->range : NULL };
    struct gy_ddb_attr attrs[4];
    struct gy_ddb_map key = { attrs, 0 };
    for (int i = 0; i < 4; i++) {
        bool dup = false;
        if (!defs[i])
            continue;
        for (uint32_t k = 0; k < key.n; k++)
            dup |= gy_str_eqc(attrs[k].name, defs[i]->name);
        const struct gy_ddb_value *v = gy_ddb_map_get(item, gy_str_c(defs[i]->name));
        if (v && !dup)
            attrs[key.n++] = (struct gy_ddb_attr){ gy_str_c(defs[i]->name), *v };
    }
    gy_ddb_map_sort(&key);
    gy_ddb_map_to_json(w, &key);
}

static void end_read(void *txn)
{
    gy_store_read_end(txn);
}

/* True when an expression names a top-level attribute the plan's LSI does not project. */
static bool needs_base(const struct read_plan *p, const struct gy_expr *e)
{
    if (!e)
        return false;
    if (e->kind == GY_EXPR_PATH)
        return !gy_ddb_index_projects(p->t, p->ix, e->u.path.e[0].name);
    for (uint32_t i = 0; i < e->nargs; i++)
        if (needs_base(p, e->args[i]))
            return true;
    return false;
}

/* LSI reads fetch the base item when asked for attributes the index does not hold. */
static void plan_fetch(struct read_plan *p)
{
    if (!p->ix || !p->ix->local || p->ix->proj == GY_DDB_PROJ_ALL)
        return;
    p->fetch_base |= needs_base(p, p->ex.filter);
    for (uint32_t i = 0; p->ex.proj && i < p->ex.proj->n; i++)
        if (!gy_ddb_index_projects(p->t, p->ix, p->ex.proj->p[i].e[0].name))
            p->fetch_base = true;
}

/*
 * The base item of an index entry (for an LSI fetch), or NULL when it is gone (cannot happen
 * within one snapshot). *bytes gets its size.
 */
static const struct gy_ddb_map *fetch_base(struct gy_aws_req *req, struct gy_store_txn *txn,
                                           const struct read_plan *p,
                                           const struct gy_ddb_map *entry, size_t *bytes)
{
    const struct gy_ddb_value *pk = gy_ddb_map_get(entry, gy_str_c(p->t->hash.name));
    const struct gy_ddb_value *sk =
        p->t->range.name ? gy_ddb_map_get(entry, gy_str_c(p->t->range.name)) : NULL;
    struct gy_ddb_map *base = gy_arena_zalloc(req->arena, sizeof(*base));
    struct gy_str key;
    *bytes = 0;
    if (!pk || gy_ddb__storage_key(req->arena, p->t, pk, sk, &key) ||
        gy_ddb__item_load(txn, req->arena, key, false, base, bytes))
        return NULL;
    return base;
}

static int run_page(struct gy_aws_req *req, struct read_plan *p)
{
    struct gy_ddb *d = req->ctx;
    struct gy_store_txn *txn;
    struct gy_store_cursor *cur;
    struct gy_str k, v;
    struct gy_jw *w = &req->w;
    int64_t count = 0, scanned = 0;
    size_t bytes = 0, base_bytes = 0;
    struct gy_ddb_map last = { 0 };
    bool stopped = false;

    plan_fetch(p);
    int rc = gy_store_read_begin(d->store, &txn);
    if (rc)
        return rc;
    gy_arena_add_cleanup(req->arena, end_read, txn);
    rc = gy_store_cursor_open(txn, p->db, &cur);
    if (rc)
        return rc;

    gy_jw_obj_begin(w);
    if (p->select != SEL_COUNT) {
        gy_jw_key(w, "Items");
        gy_jw_arr_begin(w);
    }
    for (rc = seek_first(req, cur, p, &k, &v); rc == 0;
         rc = p->forward ? gy_store_cursor_next(cur, &k, &v) : gy_store_cursor_prev(cur, &k, &v)) {
        if (!in_range(p, k)) {
            /* Backward scans may start above the range's upper bound only by exclusivity;
             * anything outside the range in scan direction ends the page. */
            break;
        }
        struct gy_ddb_map item;
        if (gy_ddb_map_decode(req->arena, v.p, v.len, &item))
            return gy_error_set(&req->err, req->arena, GY_AWS_INTERNAL, "Corrupt item in storage");
        if (p->is_query && !sk_matches(p, &item))
            continue;
        scanned++;
        bytes += gy_ddb_map_size(&item);
        last = item;
        const struct gy_ddb_map *full = &item;
        if (p->fetch_base) {
            size_t n = 0;
            full = fetch_base(req, txn, p, &item, &n);
            base_bytes += n;
            if (!full)
                continue;
        }
        bool keep = true;
        if (p->ex.filter && gy_expr_eval_condition(p->ex.filter, full, &keep, &req->err, req->arena))
            return GY_EAWS;
        if (keep) {
            count++;
            if (p->select != SEL_COUNT) {
                struct gy_ddb_map out = *full;
                if (p->ex.proj)
                    gy_expr_project(req->arena, p->ex.proj, full, &out);
                else if (p->select == SEL_PROJECTED && full != &item)
                    gy_ddb__index_project(req->arena, p->t, p->ix, full, &out);
                gy_ddb_map_to_json(w, &out);
            }
        }
        if ((p->limit && scanned >= p->limit) || bytes >= PAGE_BYTES) {
            stopped = true;
            break;
        }
    }
    if (rc && rc != GY_ENOTFOUND)
        return rc;
    if (p->select != SEL_COUNT)
        gy_jw_arr_end(w);
    gy_jw_key(w, "Count");
    gy_jw_int(w, count);
    gy_jw_key(w, "ScannedCount");
    gy_jw_int(w, scanned);
    if (stopped) {
        gy_jw_key(w, "LastEvaluatedKey");
        write_key(w, p, &last);
    }
    if (!p->ix) {
        gy_ddb__write_capacity(w, p->t, p->rcc, gy_ddb__read_units(bytes, p->consistent), true);
    } else {
        double units[GY_DDB_MAX_INDEXES];
        for (uint32_t i = 0; i < p->t->nindexes; i++)
            units[i] = &p->t->indexes[i] == p->ix ? gy_ddb__read_units(bytes, p->consistent) : -1;
        gy_ddb__capacity_ix(w, p->t, p->rcc, true,
                            base_bytes ? gy_ddb__read_units(base_bytes, p->consistent) : 0, units);
    }
    gy_jw_obj_end(w);
    return 0;
}

int gy_ddb__query(struct gy_aws_req *req)
{
    struct read_plan *p = gy_arena_zalloc(req->arena, sizeof(*p));
    const struct gy_ddb_value *esk_pk;
    p->is_query = true;
    p->forward = true;
    p->t = gy_ddb__table_arg(req, "TableName", false);
    if (!p->t)
        return GY_EAWS;
    const struct gy_json *fwd = gy_json_get(req->body, "ScanIndexForward");
    if (fwd && !gy_json_bool(fwd, &p->forward))
        return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION,
                            "Unexpected value type in payload: ScanIndexForward");
    if (parse_common(req, p))
        return GY_EAWS;
    if (gy_ddb__parse_exprs(req, req->body, p->t, GY_DDB_EX_KEYCOND | GY_DDB_EX_FILTER | GY_DDB_EX_PROJ, &p->ex))
        return GY_EAWS;
    if (analyze_keycond(req, p) || filter_key_check(req, p, p->ex.filter))
        return GY_EAWS;
    if (parse_esk(req, p, &esk_pk))
        return GY_EAWS;
    if (esk_pk && !gy_ddb_value_eq(esk_pk, p->pk))
        return bad(req, "The provided starting key is outside query boundaries based on provided "
                        "conditions");
    if (plan_query_range(req, p))
        return GY_EAWS;
    return run_page(req, p);
}

int gy_ddb__scan(struct gy_aws_req *req)
{
    struct read_plan *p = gy_arena_zalloc(req->arena, sizeof(*p));
    const struct gy_ddb_value *esk_pk;
    const struct gy_json *sj = gy_json_get(req->body, "Segment");
    const struct gy_json *tj = gy_json_get(req->body, "TotalSegments");
    int64_t seg = 0, total = 1;

    p->forward = true;
    p->t = gy_ddb__table_arg(req, "TableName", false);
    if (!p->t)
        return GY_EAWS;
    if (parse_common(req, p))
        return GY_EAWS;
    if ((sj && !gy_json_int(sj, &seg)) || (tj && !gy_json_int(tj, &total)))
        return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION,
                            "Unexpected value type in payload: Segment");
    if (tj && (total < 1 || total > 1000000))
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "1 validation error detected: Value '%lld' at 'totalSegments' failed "
                            "to satisfy constraint: Member must have value %s",
                            (long long)total,
                            total < 1 ? "greater than or equal to 1"
                                      : "less than or equal to 1000000");
    if (sj && (seg < 0 || seg > 999999))
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "1 validation error detected: Value '%lld' at 'segment' failed to "
                            "satisfy constraint: Member must have value %s",
                            (long long)seg,
                            seg < 0 ? "greater than or equal to 0" : "less than or equal to 999999");
    if (sj && !tj)
        return bad(req, "The TotalSegments parameter is required but was not present in the "
                        "request when Segment parameter is present");
    if (tj && !sj)
        return bad(req, "The Segment parameter is required but was not present in the request "
                        "when parameter TotalSegments is present");
    if (seg >= total)
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "The Segment parameter is zero-based and must be less than parameter "
                            "TotalSegments: Segment: %lld is not less than TotalSegments: %lld",
                            (long long)seg, (long long)total);
    if (gy_ddb__parse_exprs(req, req->body, p->t, GY_DDB_EX_FILTER | GY_DDB_EX_PROJ, &p->ex))
        return GY_EAWS;

    /* The table's (or index's) key space, narrowed to the segment's hash range. */
    unsigned char *pre = gy_arena_alloc(req->arena, 12);
    unsigned char *hi = gy_arena_alloc(req->arena, 12);
    uint32_t id = p->ix ? p->ix->id : p->t->id;
    pre[0] = (unsigned char)(id >> 24), pre[1] = (unsigned char)(id >> 16);
    pre[2] = (unsigned char)(id >> 8), pre[3] = (unsigned char)id;
    p->prefix = (struct gy_str){ (char *)pre, 4 };
    uint64_t h_lo, h_hi;
    bool h_last;
    gy_ddb_segment_range((uint32_t)seg, (uint32_t)total, &h_lo, &h_hi, &h_last);
    memcpy(hi, pre, 4);
    for (int i = 0; i < 8; i++)
        pre[4 + i] = (unsigned char)(h_lo >> (56 - 8 * i));
    p->lo = (struct gy_str){ (char *)pre, 12 };
    p->lo_incl = true;
    if (!h_last) {
        uint64_t h = h_hi;
        for (int i = 0; i < 8; i++)
            hi[4 + i] = (unsigned char)(h >> (56 - 8 * i));
        p->hi = (struct gy_str){ (char *)hi, 12 };
        p->hi_incl = false;
    }
    if (parse_esk(req, p, &esk_pk))
        return GY_EAWS;
    if (esk_pk) {
        uint64_t h = gy_ddb_key_hash(esk_pk);
        if (h < h_lo || (!h_last && h >= h_hi))
            return bad(req, "The provided Exclusive start key does not map to the provided "
                            "segment");
    }
    return run_page(req, p);
}

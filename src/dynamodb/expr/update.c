/*
 * update.c — applying an update (UpdateExpression or AttributeUpdates) to an item.
 *
 * Every value is computed from the item as it was before the update; then the writes are
 * applied to a copy-on-write copy (old is never modified, unchanged parts are shared).
 * Errors come in DynamoDB's order: a path whose parent exists but is the wrong container; a
 * wrong operand type anywhere; then, clause by clause from the last, a path whose parent is
 * missing and a SET that reads a missing attribute; then numbers out of range.
 * Lists: removals use the positions before the update; SET past the end appends, in index
 * order; REMOVE past the end does nothing. DELETE that empties a set removes the attribute.
 */
#include "dynamodb/expr/expr_int.h"

#include "dynamodb/number.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define MSG_TYPE "An operand in the update expression has an incorrect data type"
#define MSG_MISSING "The provided expression refers to an attribute that does not exist in the item"
#define MSG_PATH "The document path provided in the update expression is invalid for update"
#define MSG_LEGACY_TYPE "Type mismatch for attribute to update"

enum { UE_OK = 0, UE_MISSING, UE_TYPE, UE_NUM };

struct upd {
    struct gy_arena *a;
    const struct gy_ddb_map *old;
    int num_status; /* gy_num status of the first out-of-range arithmetic */
};

static struct gy_expr_path prefix(const struct gy_expr_path *p, uint32_t n)
{
    return (struct gy_expr_path){ p->e, n };
}

/* The parent of the last element exists and is the container that element needs. */
static bool parent_ok(const struct gy_ddb_value *parent, const struct gy_expr_elem *last)
{
    return parent && parent->type == (last->is_index ? GY_DDB_L : GY_DDB_M);
}

static bool writable(const struct gy_ddb_map *item, const struct gy_expr_path *p)
{
    if (p->n == 1)
        return true;
    struct gy_expr_path pp = prefix(p, p->n - 1);
    return parent_ok(gy_expr_path_get(item, &pp), &p->e[p->n - 1]);
}

/* a + b or a - b of two N values into an arena value; UE_NUM on a range error. */
static int arith(struct upd *u, const struct gy_ddb_value *x, const struct gy_ddb_value *y, bool minus,
                 const struct gy_ddb_value **out)
{
    struct gy_num a, b, r;
    int st = gy_num_parse(x->u.s.p, x->u.s.len, &a);
    if (st == 0)
        st = gy_num_parse(y->u.s.p, y->u.s.len, &b);
    if (st == 0)
        st = minus ? gy_num_sub(&a, &b, &r) : gy_num_add(&a, &b, &r);
    if (st != 0) {
        if (!u->num_status)
            u->num_status = st;
        return UE_NUM;
    }
    char *text = gy_arena_alloc(u->a, GY_NUM_TEXT_MAX);
    size_t len = gy_num_format(&r, text, GY_NUM_TEXT_MAX);
    struct gy_ddb_value *v = gy_arena_zalloc(u->a, sizeof(*v));
    v->type = GY_DDB_N;
    v->u.s = (struct gy_str){ text, len };
    *out = v;
    return UE_OK;
}

/* The value a SET operand gives, from the old item. */
static int set_value(struct upd *u, const struct gy_expr *e, const struct gy_ddb_value **out)
{
    const struct gy_ddb_value *a, *b;
    int rc;

    switch (e->kind) {
    case GY_EXPR_VALUE:
        *out = e->u.value;
        return UE_OK;
    case GY_EXPR_PATH:
        *out = gy_expr_path_get(u->old, &e->u.path);
        return *out ? UE_OK : UE_MISSING;
    case GY_EXPR_IF_NOT_EXISTS:
        *out = gy_expr_path_get(u->old, &e->args[0]->u.path);
        return *out ? UE_OK : set_value(u, e->args[1], out);
    case GY_EXPR_LIST_APPEND:
    case GY_EXPR_PLUS:
    case GY_EXPR_MINUS: {
        enum gy_ddb_type want = e->kind == GY_EXPR_LIST_APPEND ? GY_DDB_L : GY_DDB_N;
        if ((rc = set_value(u, e->args[0], &a)) != UE_OK)
            return rc;
        if (a->type != want)
            return UE_TYPE;
        if ((rc = set_value(u, e->args[1], &b)) != UE_OK)
            return rc;
        if (b->type != want)
            return UE_TYPE;
        if (want == GY_DDB_N)
            return arith(u, a, b, e->kind == GY_EXPR_MINUS, out);
        struct gy_ddb_value *v = gy_arena_zalloc(u->a, sizeof(*v));
        v->type = GY_DDB_L;
        v->u.l.n = a->u.l.n + b->u.l.n;
        v->u.l.v = gy_arena_calloc(u->a, v->u.l.n ? v->u.l.n : 1, sizeof(*v->u.l.v));
        if (a->u.l.n)
            memcpy(v->u.l.v, a->u.l.v, a->u.l.n * sizeof(*v->u.l.v));
        if (b->u.l.n)
            memcpy(v->u.l.v + a->u.l.n, b->u.l.v, b->u.l.n * sizeof(*v->u.l.v));
        *out = v;
        return UE_OK;
    }
    default:
        return UE_TYPE;
    }
}

/* Union (add) or difference of two sets of the same type; both sorted and unique. */
static const struct gy_ddb_value *set_op(struct gy_arena *a, const struct gy_ddb_value *x,
                                         const struct gy_ddb_value *y, bool add)
{
    struct gy_ddb_value *r = gy_arena_zalloc(a, sizeof(*r));
    uint32_t i = 0, j = 0, n = 0;
    r->type = x->type;
    r->u.l.v = gy_arena_calloc(a, x->u.l.n + y->u.l.n + 1, sizeof(*r->u.l.v));
    while (i < x->u.l.n || j < y->u.l.n) {
        int c = i == x->u.l.n ? 1 : j == y->u.l.n ? -1 : gy_ddb_value_cmp(&x->u.l.v[i], &y->u.l.v[j]);
        if (c < 0) {
            r->u.l.v[n++] = x->u.l.v[i++];
        } else if (c > 0) {
            if (add)
                r->u.l.v[n++] = y->u.l.v[j];
            j++;
        } else {
            if (add)
                r->u.l.v[n++] = x->u.l.v[i];
            i++;
            j++;
        }
    }
    r->u.l.n = n;
    return r;
}

static bool is_set(enum gy_ddb_type t)
{
    return t == GY_DDB_SS || t == GY_DDB_NS || t == GY_DDB_BS;
}

/* ---- copy-on-write writes ---- */

/* A private copy of container's child at e (NULL when missing): copies the container's array. */
static struct gy_ddb_value *mut_child(struct gy_arena *a, struct gy_ddb_value *c,
                                      const struct gy_expr_elem *e)
{
    if (e->is_index) {
        if (c->type != GY_DDB_L || e->index >= c->u.l.n)
            return NULL;
        struct gy_ddb_value *v = gy_arena_calloc(a, c->u.l.n, sizeof(*v));
        memcpy(v, c->u.l.v, c->u.l.n * sizeof(*v));
        c->u.l.v = v;
        return &v[e->index];
    }
    if (c->type != GY_DDB_M)
        return NULL;
    struct gy_ddb_map m = { c->u.m.v, c->u.m.n };
    const struct gy_ddb_value *found = gy_ddb_map_get(&m, e->name);
    if (!found)
        return NULL;
    size_t idx = (size_t)((const struct gy_ddb_attr *)((const char *)found -
                                                       offsetof(struct gy_ddb_attr, value)) - m.v);
    struct gy_ddb_attr *v = gy_arena_calloc(a, c->u.m.n, sizeof(*v));
    memcpy(v, c->u.m.v, c->u.m.n * sizeof(*v));
    c->u.m.v = v;
    return &v[idx].value;
}

/* A private copy of the value at the first n elements of p inside item (NULL when missing). */
static struct gy_ddb_value *mut_path(struct gy_arena *a, struct gy_ddb_map *item,
                                     const struct gy_expr_path *p, uint32_t n)
{
    struct gy_ddb_value *v = NULL;
    for (uint32_t i = 0; i < item->n; i++)
        if (gy_str_eq(item->v[i].name, p->e[0].name))
            v = &item->v[i].value;
    for (uint32_t i = 1; v && i < n; i++)
        v = mut_child(a, v, &p->e[i]);
    return v;
}

/* Set (v != NULL) or remove the attribute at a path whose last element is a name. */
static int write_named(struct gy_arena *a, struct gy_ddb_map *item, const struct gy_expr_path *p,
                       const struct gy_ddb_value *v)
{
    if (p->n == 1) {
        *item = v ? gy_ddb_map_with(a, item, p->e[0].name, v)
                  : gy_ddb_map_without(a, item, p->e[0].name);
        return 0;
    }
    struct gy_ddb_value *parent = mut_path(a, item, p, p->n - 1);
    if (!parent || parent->type != GY_DDB_M)
        return GY_EINVAL;
    struct gy_ddb_map m = { parent->u.m.v, parent->u.m.n };
    m = v ? gy_ddb_map_with(a, &m, p->e[p->n - 1].name, v)
          : gy_ddb_map_without(a, &m, p->e[p->n - 1].name);
    parent->u.m.v = m.v;
    parent->u.m.n = m.n;
    return 0;
}

struct write {
    const struct gy_expr_path *path;
    const struct gy_ddb_value *v; /* NULL: remove */
    bool done;
};

static int idx_cmp(const void *x, const void *y)
{
    const struct write *const *a = x, *const *b = y;
    uint32_t i = (*a)->path->e[(*a)->path->n - 1].index, j = (*b)->path->e[(*b)->path->n - 1].index;
    return i < j ? -1 : i > j;
}

/* Apply every write whose parent is the list at w's parent path, in one go. */
static int write_list_group(struct gy_arena *a, struct gy_ddb_map *item, struct write *w,
                            uint32_t nw, uint32_t first)
{
    const struct gy_expr_path *pp = w[first].path;
    struct gy_expr_path parent_path = prefix(pp, pp->n - 1);
    struct gy_ddb_value *list = mut_path(a, item, pp, pp->n - 1);
    if (!list || list->type != GY_DDB_L)
        return GY_EINVAL;
    struct write **grp = gy_arena_calloc(a, nw, sizeof(*grp));
    uint32_t ng = 0;
    for (uint32_t i = first; i < nw; i++) {
        const struct gy_expr_path *q = w[i].path;
        if (w[i].done || q->n != pp->n || !q->e[q->n - 1].is_index)
            continue;
        struct gy_expr_path qp = prefix(q, q->n - 1);
        bool same = true;
        for (uint32_t k = 0; same && k < qp.n; k++)
            same = gy_expr__elem_eq(&qp.e[k], &parent_path.e[k]);
        if (same) {
            grp[ng++] = &w[i];
            w[i].done = true;
        }
    }
    qsort(grp, ng, sizeof(*grp), idx_cmp);
    uint32_t oldn = list->u.l.n;
    struct gy_ddb_value *nv = gy_arena_calloc(a, oldn + ng + 1, sizeof(*nv));
    bool *removed = gy_arena_calloc(a, oldn + 1, sizeof(bool));
    if (oldn)
        memcpy(nv, list->u.l.v, oldn * sizeof(*nv));
    for (uint32_t i = 0; i < ng; i++) {
        uint32_t ix = grp[i]->path->e[pp->n - 1].index;
        if (ix < oldn) {
            if (grp[i]->v)
                nv[ix] = *grp[i]->v;
            else
                removed[ix] = true;
        }
    }
    uint32_t n = 0;
    for (uint32_t i = 0; i < oldn; i++)
        if (!removed[i])
            nv[n++] = nv[i];
    for (uint32_t i = 0; i < ng; i++)
        if (grp[i]->path->e[pp->n - 1].index >= oldn && grp[i]->v)
            nv[n++] = *grp[i]->v;
    list->u.l.v = nv;
    list->u.l.n = n;
    return 0;
}

static int apply_writes(struct gy_arena *a, struct gy_ddb_map *item, struct write *w, uint32_t nw)
{
    /* Named targets first (they never move list positions), then list groups, deepest first. */
    for (uint32_t i = 0; i < nw; i++) {
        const struct gy_expr_path *p = w[i].path;
        if (p->e[p->n - 1].is_index)
            continue;
        if (write_named(a, item, p, w[i].v) != 0)
            return GY_EINVAL;
        w[i].done = true;
    }
    for (;;) {
        uint32_t best = UINT32_MAX;
        for (uint32_t i = 0; i < nw; i++)
            if (!w[i].done && (best == UINT32_MAX || w[i].path->n > w[best].path->n))
                best = i;
        if (best == UINT32_MAX)
            return 0;
        if (write_list_group(a, item, w, nw, best) != 0)
            return GY_EINVAL;
    }
}

int gy_expr_update_apply(struct gy_arena *a, const struct gy_expr_update *up,
                         const struct gy_ddb_map *old, struct gy_ddb_map *out_new,
                         struct gy_error *err)
{
    static const struct gy_ddb_map empty = { NULL, 0 };
    struct upd u = { a, old ? old : &empty, 0 };
    const char *type_msg = up->legacy ? MSG_LEGACY_TYPE : MSG_TYPE;
    const struct gy_ddb_value **vals = gy_arena_calloc(a, up->n + 1, sizeof(*vals));
    int *fails = gy_arena_calloc(a, up->n + 1, sizeof(int));
    uint32_t maxclause = 0;

    /* 1. A parent that exists but is the wrong kind of container. */
    for (uint32_t i = 0; i < up->n; i++) {
        const struct gy_expr_path *p = &up->a[i].path;
        if (up->a[i].clause > maxclause)
            maxclause = up->a[i].clause;
        if (p->n > 1) {
            struct gy_expr_path pp = prefix(p, p->n - 1);
            const struct gy_ddb_value *parent = gy_expr_path_get(u.old, &pp);
            if (parent && !parent_ok(parent, &p->e[p->n - 1]))
                return gy_error_set(err, a, GY_AWS_VALIDATION, MSG_PATH);
        }
    }
    /* 2. Operand types, and every value from the old item. */
    for (uint32_t i = 0; i < up->n; i++) {
        const struct gy_expr_action *act = &up->a[i];
        if (act->kind == GY_EXPR_ACT_SET) {
            int rc = set_value(&u, act->val, &vals[i]);
            if (rc == UE_TYPE)
                return gy_error_set(err, a, GY_AWS_VALIDATION, "%s", type_msg);
            fails[i] = rc;
        } else if (act->kind == GY_EXPR_ACT_ADD || act->kind == GY_EXPR_ACT_DELETE) {
            const struct gy_ddb_value *v = act->val->u.value;
            const struct gy_ddb_value *cur =
                writable(u.old, &act->path) ? gy_expr_path_get(u.old, &act->path) : NULL;
            bool add = act->kind == GY_EXPR_ACT_ADD;
            if (!cur) {
                vals[i] = add ? v : NULL;
                continue;
            }
            bool ok = add ? ((v->type == GY_DDB_N && cur->type == GY_DDB_N) ||
                             (cur->type == v->type && is_set(v->type)))
                          : (cur->type == v->type && is_set(v->type));
            if (!ok)
                return gy_error_set(err, a, GY_AWS_VALIDATION, "%s", type_msg);
            if (add && v->type == GY_DDB_N) {
                if (arith(&u, cur, v, false, &vals[i]) != UE_OK)
                    return gy_error_set(err, a, GY_AWS_VALIDATION, "%s",
                                        gy_num_strerror(u.num_status));
            } else {
                vals[i] = set_op(a, cur, v, add);
                if (!add && vals[i]->u.l.n == 0)
                    vals[i] = NULL;
            }
        }
    }
    /* 3. Clause by clause from the last: unwritable paths, then missing attributes. */
    for (uint32_t cl = maxclause + 1; cl-- > 0;) {
        for (uint32_t i = 0; i < up->n; i++)
            if (up->a[i].clause == cl && !writable(u.old, &up->a[i].path))
                return gy_error_set(err, a, GY_AWS_VALIDATION, MSG_PATH);
        for (uint32_t i = 0; i < up->n; i++)
            if (up->a[i].clause == cl && fails[i] == UE_MISSING)
                return gy_error_set(err, a, GY_AWS_VALIDATION, MSG_MISSING);
    }
    /* 4. Numbers out of range. */
    for (uint32_t i = 0; i < up->n; i++)
        if (fails[i] == UE_NUM)
            return gy_error_set(err, a, GY_AWS_VALIDATION, "%s", gy_num_strerror(u.num_status));

    /* 5. The writes. */
    struct write *w = gy_arena_calloc(a, up->n + 1, sizeof(*w));
    uint32_t nw = 0;
    for (uint32_t i = 0; i < up->n; i++) {
        const struct gy_expr_action *act = &up->a[i];
        if (act->kind == GY_EXPR_ACT_DELETE && !vals[i] &&
            !gy_expr_path_get(u.old, &act->path))
            continue; /* DELETE from a missing set does nothing */
        w[nw++] = (struct write){ &act->path, act->kind == GY_EXPR_ACT_REMOVE ? NULL : vals[i],
                                  false };
    }
    out_new->n = u.old->n;
    out_new->v = gy_arena_calloc(a, u.old->n + 1, sizeof(*out_new->v));
    if (u.old->n)
        memcpy(out_new->v, u.old->v, u.old->n * sizeof(*out_new->v));
    if (apply_writes(a, out_new, w, nw) != 0)
        return gy_error_set(err, a, GY_AWS_VALIDATION, MSG_PATH);
    return 0;
}

int gy_expr_update_project(struct gy_arena *a, const struct gy_expr_update *u,
                           const struct gy_ddb_map *item, struct gy_ddb_map *out)
{
    struct gy_expr_path *paths = gy_arena_calloc(a, u->n + 1, sizeof(*paths));
    for (uint32_t i = 0; i < u->n; i++)
        paths[i] = u->a[i].path;
    struct gy_expr_proj p = { paths, u->n };
    return gy_expr_project(a, &p, item, out);
}

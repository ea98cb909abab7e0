/*
 * project.c — projections: the parts of an item named by a set of document paths, keeping
 * their nesting (a.b[1] gives {a: {M: {b: {L: [element]}}}}). List elements keep the order of
 * their indexes; indexes past the end, missing names and paths through the wrong container
 * type are skipped, and a container that ends up empty is left out. Values are shared with
 * the item; only the containers on the projected paths are new.
 */
#include "dynamodb/expr/expr_int.h"

#include <stdlib.h>
#include <string.h>

struct sel {
    const struct gy_expr_path *p;
};

/* Paths sel[0..n) all pass through v at depth d (their element d-1 selected v). */
static bool copy_sel(struct gy_arena *a, const struct gy_ddb_value *v, struct sel *sel, uint32_t n,
                     uint32_t d, struct gy_ddb_value *out);

static int elem_cmp(const struct gy_expr_elem *x, const struct gy_expr_elem *y)
{
    if (x->is_index != y->is_index)
        return x->is_index ? 1 : -1;
    if (x->is_index)
        return x->index < y->index ? -1 : x->index > y->index;
    return gy_str_cmp(x->name, y->name);
}


static int sel_cmp(const void *x, const void *y, void *arg)
{
    uint32_t d = *(const uint32_t *)arg;
    return elem_cmp(&((const struct sel *)x)->p->e[d], &((const struct sel *)y)->p->e[d]);
}

/* Sort sel by element d: insertion sort for the usual few paths, qsort_r beyond (a legacy
 * AttributesToGet list may name tens of thousands). */
static void sort_sel(struct sel *sel, uint32_t n, uint32_t d)
{
    if (n > 16) {
        qsort_r(sel, n, sizeof(*sel), sel_cmp, &d);
        return;
    }
    for (uint32_t i = 1; i < n; i++) {
        struct sel t = sel[i];
        uint32_t j = i;
        while (j > 0 && elem_cmp(&sel[j - 1].p->e[d], &t.p->e[d]) > 0) {
            sel[j] = sel[j - 1];
            j--;
        }
        sel[j] = t;
    }
}

/* Children of v selected by the paths at depth d: each group of equal elements once. */
static bool copy_children(struct gy_arena *a, const struct gy_ddb_value *v, struct sel *sel,
                          uint32_t n, uint32_t d, struct gy_ddb_value *out)
{
    sort_sel(sel, n, d);
    if (v->type == GY_DDB_M) {
        struct gy_ddb_map m = { v->u.m.v, v->u.m.n };
        struct gy_ddb_attr *attrs = gy_arena_calloc(a, n, sizeof(*attrs));
        uint32_t na = 0;
        for (uint32_t i = 0; i < n;) {
            uint32_t j = i + 1;
            while (j < n && elem_cmp(&sel[i].p->e[d], &sel[j].p->e[d]) == 0)
                j++;
            const struct gy_expr_elem *e = &sel[i].p->e[d];
            const struct gy_ddb_value *child = e->is_index ? NULL : gy_ddb_map_get(&m, e->name);
            if (child && copy_sel(a, child, sel + i, j - i, d + 1, &attrs[na].value)) {
                attrs[na].name = e->name;
                na++;
            }
            i = j;
        }
        if (!na)
            return false;
        out->type = GY_DDB_M;
        out->u.m.v = attrs;
        out->u.m.n = na;
        return true;
    }
    if (v->type == GY_DDB_L) {
        struct gy_ddb_value *vals = gy_arena_calloc(a, n, sizeof(*vals));
        uint32_t nv = 0;
        for (uint32_t i = 0; i < n;) {
            uint32_t j = i + 1;
            while (j < n && elem_cmp(&sel[i].p->e[d], &sel[j].p->e[d]) == 0)
                j++;
            const struct gy_expr_elem *e = &sel[i].p->e[d];
            if (e->is_index && e->index < v->u.l.n &&
                copy_sel(a, &v->u.l.v[e->index], sel + i, j - i, d + 1, &vals[nv]))
                nv++;
            i = j;
        }
        if (!nv)
            return false;
        out->type = GY_DDB_L;
        out->u.l.v = vals;
        out->u.l.n = nv;
        return true;
    }
    return false;
}

static bool copy_sel(struct gy_arena *a, const struct gy_ddb_value *v, struct sel *sel, uint32_t n,
                     uint32_t d, struct gy_ddb_value *out)
{
    for (uint32_t i = 0; i < n; i++) {
        if (sel[i].p->n == d) {
            *out = *v; /* a path ends here: the whole value */
            return true;
        }
    }
    return copy_children(a, v, sel, n, d, out);
}

int gy_expr_project(struct gy_arena *a, const struct gy_expr_proj *p,
                    const struct gy_ddb_map *item, struct gy_ddb_map *out)
{
    out->v = NULL;
    out->n = 0;
    if (!item || !p->n)
        return 0;
    struct sel *sel = gy_arena_calloc(a, p->n, sizeof(*sel));
    for (uint32_t i = 0; i < p->n; i++)
        sel[i].p = &p->p[i];
    struct gy_ddb_value root = { .type = GY_DDB_M };
    root.u.m.v = item->v;
    root.u.m.n = item->n;
    struct gy_ddb_value res;
    if (copy_children(a, &root, sel, p->n, 0, &res)) {
        out->v = res.u.m.v;
        out->n = res.u.m.n;
    }
    return 0;
}

/*
 * value.c — operations on validated DynamoDB values: type names, ordering and equality, map
 * lookup/sort/update, deep copy, and item size as DynamoDB meters it.
 *
 * Owns nothing but pure functions over struct gy_ddb_value (see value.h for the invariants:
 * sorted unique maps and sets, canonical N text). JSON lives in value_json.c, the storage
 * codec in value_codec.c, key bytes in key.c. See docs/dynamodb.md, "Data model".
 */
#include "dynamodb/value.h"

#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "dynamodb/number.h"

static const char *const type_names[] = {
    [GY_DDB_S] = "S",   [GY_DDB_N] = "N",       [GY_DDB_B] = "B",   [GY_DDB_BOOL] = "BOOL",
    [GY_DDB_NULL] = "NULL", [GY_DDB_M] = "M",   [GY_DDB_L] = "L",   [GY_DDB_SS] = "SS",
    [GY_DDB_NS] = "NS", [GY_DDB_BS] = "BS",
};

const char *gy_ddb_type_name(enum gy_ddb_type t)
{
    if ((unsigned)t >= sizeof(type_names) / sizeof(type_names[0]))
        return "?";
    return type_names[t];
}

int gy_ddb_type_parse(struct gy_str s, enum gy_ddb_type *out)
{
    for (unsigned i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++) {
        if (gy_str_eqc(s, type_names[i])) {
            *out = (enum gy_ddb_type)i;
            return 0;
        }
    }
    return GY_EINVAL;
}

/* ---- ordering and equality ---- */

static int num_cmp(struct gy_str a, struct gy_str b)
{
    if (a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0))
        return 0;
    return gy_num_cmp_text(a.p, a.len, b.p, b.len);
}

static int cmp_u32(uint32_t a, uint32_t b)
{
    return a < b ? -1 : a > b ? 1 : 0;
}

/*
 * Total order: by type first; S and B bytewise, N numerically, false < true; containers by
 * element count, then element by element (maps by name, then value). Only the scalar part is
 * DynamoDB's ordering; the rest just makes sorting and dedupe deterministic.
 */
int gy_ddb_value_cmp(const struct gy_ddb_value *a, const struct gy_ddb_value *b)
{
    if (a->type != b->type)
        return a->type < b->type ? -1 : 1;
    switch (a->type) {
    case GY_DDB_S:
    case GY_DDB_B:
        return gy_str_cmp(a->u.s, b->u.s);
    case GY_DDB_N:
        return num_cmp(a->u.s, b->u.s);
    case GY_DDB_BOOL:
        return (int)a->u.b - (int)b->u.b;
    case GY_DDB_NULL:
        return 0;
    case GY_DDB_M: {
        int c = cmp_u32(a->u.m.n, b->u.m.n);
        for (uint32_t i = 0; !c && i < a->u.m.n; i++) {
            c = gy_str_cmp(a->u.m.v[i].name, b->u.m.v[i].name);
            if (!c)
                c = gy_ddb_value_cmp(&a->u.m.v[i].value, &b->u.m.v[i].value);
        }
        return c;
    }
    case GY_DDB_L:
    case GY_DDB_SS:
    case GY_DDB_NS:
    case GY_DDB_BS: {
        int c = cmp_u32(a->u.l.n, b->u.l.n);
        for (uint32_t i = 0; !c && i < a->u.l.n; i++)
            c = gy_ddb_value_cmp(&a->u.l.v[i], &b->u.l.v[i]);
        return c;
    }
    }
    return 0;
}

/*
 * Equality. Sets are sorted and unique by invariant, so comparing them element by element is
 * comparing them as sets; N compares numerically (canonical texts make that a memcmp).
 */
bool gy_ddb_value_eq(const struct gy_ddb_value *a, const struct gy_ddb_value *b)
{
    if (a->type != b->type)
        return false;
    switch (a->type) {
    case GY_DDB_S:
    case GY_DDB_B:
        return gy_str_eq(a->u.s, b->u.s);
    case GY_DDB_N:
        return num_cmp(a->u.s, b->u.s) == 0;
    case GY_DDB_BOOL:
        return a->u.b == b->u.b;
    case GY_DDB_NULL:
        return true;
    case GY_DDB_M: {
        struct gy_ddb_map ma = { a->u.m.v, a->u.m.n }, mb = { b->u.m.v, b->u.m.n };
        return gy_ddb_map_eq(&ma, &mb);
    }
    case GY_DDB_L:
    case GY_DDB_SS:
    case GY_DDB_NS:
    case GY_DDB_BS:
        if (a->u.l.n != b->u.l.n)
            return false;
        for (uint32_t i = 0; i < a->u.l.n; i++)
            if (!gy_ddb_value_eq(&a->u.l.v[i], &b->u.l.v[i]))
                return false;
        return true;
    }
    return false;
}

bool gy_ddb_map_eq(const struct gy_ddb_map *a, const struct gy_ddb_map *b)
{
    if (a->n != b->n)
        return false;
    for (uint32_t i = 0; i < a->n; i++) {
        if (!gy_str_eq(a->v[i].name, b->v[i].name) ||
            !gy_ddb_value_eq(&a->v[i].value, &b->v[i].value))
            return false;
    }
    return true;
}

/* ---- maps ---- */

/* Index of the first attribute whose name is >= name (n when none). */
static uint32_t lower_bound(const struct gy_ddb_map *m, struct gy_str name)
{
    uint32_t lo = 0, hi = m->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (gy_str_cmp(m->v[mid].name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const struct gy_ddb_value *gy_ddb_map_get(const struct gy_ddb_map *m, struct gy_str name)
{
    uint32_t i = lower_bound(m, name);
    if (i < m->n && gy_str_eq(m->v[i].name, name))
        return &m->v[i].value;
    return NULL;
}

static int attr_cmp(const void *x, const void *y)
{
    const struct gy_ddb_attr *a = x, *b = y;
    return gy_str_cmp(a->name, b->name);
}

int gy_ddb_map_sort(struct gy_ddb_map *m)
{
    if (m->n <= 16) {
        /* Small maps (most items): insertion sort beats qsort's call overhead. */
        for (uint32_t i = 1; i < m->n; i++) {
            struct gy_ddb_attr t = m->v[i];
            uint32_t j = i;
            while (j > 0 && gy_str_cmp(m->v[j - 1].name, t.name) > 0) {
                m->v[j] = m->v[j - 1];
                j--;
            }
            m->v[j] = t;
        }
    } else {
        qsort(m->v, m->n, sizeof(m->v[0]), attr_cmp);
    }
    for (uint32_t i = 1; i < m->n; i++)
        if (gy_str_eq(m->v[i - 1].name, m->v[i].name))
            return GY_EEXIST;
    return 0;
}

struct gy_ddb_map gy_ddb_map_with(struct gy_arena *a, const struct gy_ddb_map *m,
                                  struct gy_str name, const struct gy_ddb_value *v)
{
    uint32_t i = lower_bound(m, name);
    bool replace = i < m->n && gy_str_eq(m->v[i].name, name);
    struct gy_ddb_map out;

    out.n = m->n + (replace ? 0 : 1);
    out.v = gy_arena_calloc(a, out.n, sizeof(out.v[0]));
    if (i)
        memcpy(out.v, m->v, i * sizeof(out.v[0]));
    out.v[i].name = name;
    out.v[i].value = *v;
    uint32_t rest = m->n - i - (replace ? 1 : 0);
    if (rest)
        memcpy(out.v + i + 1, m->v + (m->n - rest), rest * sizeof(out.v[0]));
    return out;
}

struct gy_ddb_map gy_ddb_map_without(struct gy_arena *a, const struct gy_ddb_map *m,
                                     struct gy_str name)
{
    uint32_t i = lower_bound(m, name);
    if (i >= m->n || !gy_str_eq(m->v[i].name, name))
        return *m;
    struct gy_ddb_map out = { NULL, m->n - 1 };
    if (out.n == 0)
        return out;
    out.v = gy_arena_calloc(a, out.n, sizeof(out.v[0]));
    if (i)
        memcpy(out.v, m->v, i * sizeof(out.v[0]));
    if (m->n - i - 1)
        memcpy(out.v + i, m->v + i + 1, (m->n - i - 1) * sizeof(out.v[0]));
    return out;
}

/* ---- deep copy ---- */

static struct gy_str copy_str(struct gy_arena *a, struct gy_str s)
{
    return gy_arena_strdup(a, s);
}

void gy_ddb_value_copy(struct gy_arena *a, const struct gy_ddb_value *src, struct gy_ddb_value *dst)
{
    dst->type = src->type;
    switch (src->type) {
    case GY_DDB_S:
    case GY_DDB_N:
    case GY_DDB_B:
        dst->u.s = copy_str(a, src->u.s);
        break;
    case GY_DDB_BOOL:
    case GY_DDB_NULL:
        dst->u.b = src->u.b;
        break;
    case GY_DDB_M: {
        struct gy_ddb_map sm = { src->u.m.v, src->u.m.n }, dm;
        gy_ddb_map_copy(a, &sm, &dm);
        dst->u.m.v = dm.v;
        dst->u.m.n = dm.n;
        break;
    }
    case GY_DDB_L:
    case GY_DDB_SS:
    case GY_DDB_NS:
    case GY_DDB_BS: {
        uint32_t n = src->u.l.n;
        struct gy_ddb_value *v = n ? gy_arena_calloc(a, n, sizeof(*v)) : NULL;
        for (uint32_t i = 0; i < n; i++)
            gy_ddb_value_copy(a, &src->u.l.v[i], &v[i]);
        dst->u.l.v = v;
        dst->u.l.n = n;
        break;
    }
    }
}

void gy_ddb_map_copy(struct gy_arena *a, const struct gy_ddb_map *src, struct gy_ddb_map *dst)
{
    uint32_t n = src->n;
    struct gy_ddb_attr *v = n ? gy_arena_calloc(a, n, sizeof(*v)) : NULL;
    for (uint32_t i = 0; i < n; i++) {
        v[i].name = copy_str(a, src->v[i].name);
        gy_ddb_value_copy(a, &src->v[i].value, &v[i].value);
    }
    dst->v = v;
    dst->n = n;
}

/* ---- size ---- */

/*
 * Size of a number as DynamoDB meters it: it stores numbers as base-100 digits plus an
 * exponent byte, so the cost is 1 + the number of base-100 digits the significant decimal
 * digits occupy once aligned on the decimal point, plus 1 for negatives whose mantissa is
 * shorter than 20 bytes (their terminator byte); zero costs 1. For "1" that is 2, for 38
 * digits 20 (or 21). Docs: "DynamoDB item sizes and formats" ("1 byte per two significant
 * digits + 1", the approximation of this rule).
 */
static size_t num_size(struct gy_str text)
{
    struct gy_num x;
    if (gy_num_parse(text.p, text.len, &x) != 0)
        return (text.len + 1) / 2 + 1;
    if (x.n == 0)
        return 1;
    /* x = 0.d1d2... * 10^exp: the first digit sits at decimal position exp - 1. */
    int first = x.exp - 1;
    bool first_even = (first % 2) == 0;
    size_t mant = ((size_t)x.n + 1) / 2 + ((x.n % 2 == 0 && first_even) ? 1 : 0);
    return 1 + mant + ((x.neg && mant < 20) ? 1 : 0);
}

size_t gy_ddb_value_size(const struct gy_ddb_value *v)
{
    size_t size = 0;
    switch (v->type) {
    case GY_DDB_S:
    case GY_DDB_B:
        return v->u.s.len;
    case GY_DDB_N:
        return num_size(v->u.s);
    case GY_DDB_BOOL:
    case GY_DDB_NULL:
        return 1;
    case GY_DDB_M:
        size = 3 + v->u.m.n;
        for (uint32_t i = 0; i < v->u.m.n; i++)
            size += v->u.m.v[i].name.len + gy_ddb_value_size(&v->u.m.v[i].value);
        return size;
    case GY_DDB_L:
        size = 3 + v->u.l.n;
        for (uint32_t i = 0; i < v->u.l.n; i++)
            size += gy_ddb_value_size(&v->u.l.v[i]);
        return size;
    case GY_DDB_SS:
    case GY_DDB_NS:
    case GY_DDB_BS:
        for (uint32_t i = 0; i < v->u.l.n; i++)
            size += gy_ddb_value_size(&v->u.l.v[i]);
        return size;
    }
    return 0;
}

size_t gy_ddb_map_size(const struct gy_ddb_map *m)
{
    size_t size = 0;
    for (uint32_t i = 0; i < m->n; i++)
        size += m->v[i].name.len + gy_ddb_value_size(&m->v[i].value);
    return size;
}

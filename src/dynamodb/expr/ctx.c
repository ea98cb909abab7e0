/*
 * ctx.c — the placeholders of one request (ExpressionAttributeNames and
 * ExpressionAttributeValues): validation of the request maps, lookup while parsing, the
 * "unused in expressions" check after all expressions are parsed, and message helpers.
 *
 * DynamoDB lists several unused keys in the order of a Java HashSet built from them; that order
 * is reproduced (java_order) so messages match byte for byte.
 */
#include "dynamodb/expr/expr_int.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define MSG_MAX 65536

struct gy_expr_ctx *gy_expr_ctx_create(struct gy_arena *a, const struct gy_json *names,
                                       const struct gy_ddb_map *values)
{
    struct gy_expr_ctx *c = gy_arena_zalloc(a, sizeof(*c));
    c->a = a;
    if (names && gy_json_type(names) == GY_JSON_OBJECT) {
        size_t n = gy_json_count(names);
        c->names = gy_arena_calloc(a, n ? n : 1, sizeof(*c->names));
        for (const struct gy_json *j = gy_json_child(names); j; j = gy_json_next(j)) {
            struct gy_expr__name *nm = &c->names[c->nnames++];
            nm->key = gy_json_key(j);
            nm->value = gy_json_str(j);
        }
    }
    if (values) {
        c->values = values;
        c->value_used = gy_arena_calloc(a, values->n ? values->n : 1, sizeof(bool));
        c->value_order = gy_arena_calloc(a, values->n ? values->n : 1, sizeof(uint32_t));
        for (uint32_t i = 0; i < values->n; i++)
            c->value_order[i] = i;
    }
    return c;
}

const struct gy_str *gy_expr__ctx_name(struct gy_expr_ctx *c, struct gy_str key, bool mark)
{
    for (uint32_t i = 0; i < c->nnames; i++) {
        if (gy_str_eq(c->names[i].key, key)) {
            if (mark)
                c->names[i].used = true;
            return &c->names[i].value;
        }
    }
    return NULL;
}

const struct gy_ddb_value *gy_expr__ctx_value(struct gy_expr_ctx *c, struct gy_str key, bool mark)
{
    if (!c->values)
        return NULL;
    const struct gy_ddb_value *v = gy_ddb_map_get(c->values, key);
    if (v && mark) {
        const struct gy_ddb_attr *at = (const struct gy_ddb_attr *)((const char *)v -
                                                                  offsetof(struct gy_ddb_attr, value));
        c->value_used[at - c->values->v] = true;
    }
    return v;
}

/* '#' or ':' followed by one or more of [A-Za-z0-9_]. */
static bool key_ok(struct gy_str k, char first)
{
    if (k.len < 2 || k.p[0] != first)
        return false;
    for (size_t i = 1; i < k.len; i++) {
        char ch = k.p[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_'))
            return false;
    }
    return true;
}

static int check_names(struct gy_arena *a, const struct gy_json *names, struct gy_error *err)
{
    if (gy_json_type(names) != GY_JSON_OBJECT)
        return gy_error_set(err, a, GY_AWS_SERIALIZATION,
                            "Start of structure or map found where not expected");
    if (gy_json_count(names) == 0)
        return gy_error_set(err, a, GY_AWS_VALIDATION, "ExpressionAttributeNames must not be empty");
    for (const struct gy_json *j = gy_json_child(names); j; j = gy_json_next(j)) {
        struct gy_str k = gy_json_key(j);
        if (k.len > 255)
            return gy_error_set(err, a, GY_AWS_VALIDATION,
                                "ExpressionAttributeNames contains invalid key: The expression "
                                "attribute map contains a key that is too long; size of key: %zu",
                                k.len);
        if (!key_ok(k, '#'))
            return gy_error_set(err, a, GY_AWS_VALIDATION,
                                "ExpressionAttributeNames contains invalid key: Syntax error; key: "
                                "\"%.*s\"", (int)k.len, k.p);
        if (gy_json_type(j) != GY_JSON_STRING)
            return gy_error_set(err, a, GY_AWS_SERIALIZATION,
                                "NUMBER_VALUE cannot be converted to String");
        if (gy_json_str(j).len == 0)
            return gy_error_set(err, a, GY_AWS_VALIDATION,
                                "ExpressionAttributeNames contains invalid value: Empty attribute "
                                "name for key %.*s", (int)k.len, k.p);
    }
    return 0;
}

/* Index of name in a sorted map with unique names (binary search), or m->n when absent. */
static uint32_t sorted_index(const struct gy_ddb_map *m, struct gy_str name)
{
    uint32_t lo = 0, hi = m->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int c = gy_str_cmp(m->v[mid].name, name);
        if (c == 0)
            return mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return m->n;
}

static int read_values(struct gy_arena *a, const struct gy_json *values, struct gy_ddb_map *out,
                       uint32_t **order, struct gy_error *err)
{
    if (gy_json_type(values) != GY_JSON_OBJECT)
        return gy_error_set(err, a, GY_AWS_SERIALIZATION,
                            "Start of structure or map found where not expected");
    size_t n = gy_json_count(values);
    if (n == 0)
        return gy_error_set(err, a, GY_AWS_VALIDATION, "ExpressionAttributeValues must not be empty");
    for (const struct gy_json *j = gy_json_child(values); j; j = gy_json_next(j)) {
        struct gy_str k = gy_json_key(j);
        if (k.len > 255)
            return gy_error_set(err, a, GY_AWS_VALIDATION,
                                "ExpressionAttributeValues contains invalid key: The expression "
                                "attribute map contains a key that is too long;");
        if (!key_ok(k, ':'))
            return gy_error_set(err, a, GY_AWS_VALIDATION,
                                "ExpressionAttributeValues contains invalid key: Syntax error; key: "
                                "\"%.*s\"", (int)k.len, k.p);
    }
    out->v = gy_arena_calloc(a, n, sizeof(*out->v));
    out->n = 0;
    for (const struct gy_json *j = gy_json_child(values); j; j = gy_json_next(j)) {
        struct gy_ddb_attr *at = &out->v[out->n];
        struct gy_error verr = { 0 };
        at->name = gy_json_key(j);
        if (gy_ddb_value_from_json(a, j, &at->value, &verr) != 0) {
            if (verr.code == GY_AWS_VALIDATION)
                return gy_error_set(err, a, GY_AWS_VALIDATION,
                                    "ExpressionAttributeValues contains invalid value: %s for key "
                                    "%.*s", verr.message ? verr.message : "",
                                    (int)at->name.len, at->name.p);
            *err = verr;
            return GY_EAWS;
        }
        out->n++;
    }
    if (gy_ddb_map_sort(out) != 0)
        return gy_error_set(err, a, GY_AWS_VALIDATION, "ExpressionAttributeValues has duplicate keys");
    /* Request order of each sorted entry, for the unused-keys message. */
    *order = gy_arena_calloc(a, n, sizeof(uint32_t));
    uint32_t pos = 0;
    for (const struct gy_json *j = gy_json_child(values); j; j = gy_json_next(j), pos++) {
        uint32_t i = sorted_index(out, gy_json_key(j));
        if (i < out->n)
            (*order)[i] = pos;
    }
    return 0;
}

int gy_expr_ctx_from_request(struct gy_arena *a, const struct gy_json *names,
                             const struct gy_json *values, struct gy_expr_ctx **out,
                             struct gy_error *err)
{
    struct gy_ddb_map *vm = NULL;
    uint32_t *order = NULL;
    int rc;

    if (names && (rc = check_names(a, names, err)) != 0)
        return rc;
    if (values) {
        vm = gy_arena_zalloc(a, sizeof(*vm));
        if ((rc = read_values(a, values, vm, &order, err)) != 0)
            return rc;
    }
    *out = gy_expr_ctx_create(a, names, vm);
    if (order)
        (*out)->value_order = order;
    return 0;
}

/* ---- unused placeholders ---- */

static int32_t java_hash(struct gy_str s)
{
    uint32_t h = 0;
    for (size_t i = 0; i < s.len; i++)
        h = 31u * h + (unsigned char)s.p[i];
    return (int32_t)h;
}

struct unused {
    struct gy_str key;
    uint32_t slot;
    uint32_t pos; /* request order */
};

static int unused_cmp(const void *x, const void *y)
{
    const struct unused *a = x, *b = y;
    if (a->slot != b->slot)
        return a->slot < b->slot ? -1 : 1;
    return a->pos < b->pos ? -1 : a->pos > b->pos;
}

/* Order keys as a java.util.HashSet built from `total` keys iterates them. */
static void java_order(struct unused *u, uint32_t n, uint32_t total)
{
    uint32_t want = (uint32_t)((double)total / 0.75) + 1, cap = 1;
    if (want < 16)
        want = 16;
    while (cap < want)
        cap *= 2;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t h = (uint32_t)java_hash(u[i].key);
        u[i].slot = (h ^ (h >> 16)) & (cap - 1);
    }
    qsort(u, n, sizeof(*u), unused_cmp);
}

static int unused_error(struct gy_expr_ctx *c, const char *what, struct unused *u, uint32_t n,
                        uint32_t total, struct gy_error *err)
{
    struct gy_buf b;
    java_order(u, n, total);
    gy_buf_init(&b, MSG_MAX);
    gy_buf_printf(&b, "Value provided in %s unused in expressions: keys: {", what);
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            gy_buf_puts(&b, ", ");
        gy_expr__put_safe(&b, u[i].key);
    }
    gy_buf_putc(&b, '}');
    return gy_expr__fail_buf(err, c->a, &b);
}

int gy_expr_ctx_finish(struct gy_expr_ctx *c, struct gy_error *err)
{
    uint32_t n = 0;
    struct unused *u;

    if (c->nnames) {
        u = gy_arena_calloc(c->a, c->nnames, sizeof(*u));
        for (uint32_t i = 0; i < c->nnames; i++)
            if (!c->names[i].used)
                u[n++] = (struct unused){ c->names[i].key, 0, i };
        if (n)
            return unused_error(c, "ExpressionAttributeNames", u, n, c->nnames, err);
    }
    if (c->values && c->values->n) {
        u = gy_arena_calloc(c->a, c->values->n, sizeof(*u));
        for (uint32_t i = 0; i < c->values->n; i++)
            if (!c->value_used[i])
                u[n++] = (struct unused){ c->values->v[i].name, 0, c->value_order[i] };
        if (n)
            return unused_error(c, "ExpressionAttributeValues", u, n, c->values->n, err);
    }
    return 0;
}

/* ---- message helpers ---- */

void gy_expr__put_safe(struct gy_buf *b, struct gy_str s)
{
    size_t i = 0;
    while (i < s.len) {
        unsigned char ch = (unsigned char)s.p[i];
        size_t n = ch < 0x80 ? 1 : ch < 0xC0 ? 0 : ch < 0xE0 ? 2 : ch < 0xF0 ? 3 : ch < 0xF8 ? 4 : 0;
        if (n && i + n <= s.len && gy_utf8_valid(s.p + i, n) && ch != 0) {
            gy_buf_append(b, s.p + i, n);
            i += n;
        } else {
            gy_buf_puts(b, "\xEF\xBF\xBD");
            i++;
        }
    }
}

void gy_expr__path_fmt(struct gy_buf *b, const struct gy_expr_path *path)
{
    gy_buf_putc(b, '[');
    for (uint32_t i = 0; i < path->n; i++) {
        if (i)
            gy_buf_puts(b, ", ");
        if (path->e[i].is_index)
            gy_buf_printf(b, "[%u]", (unsigned)path->e[i].index);
        else
            gy_expr__put_safe(b, path->e[i].name);
    }
    gy_buf_putc(b, ']');
}

int gy_expr__fail_buf(struct gy_error *err, struct gy_arena *a, struct gy_buf *b)
{
    int rc = gy_error_set(err, a, GY_AWS_VALIDATION, "%s", b->p ? b->p : "");
    gy_buf_fini(b);
    return rc;
}

bool gy_expr__elem_eq(const struct gy_expr_elem *x, const struct gy_expr_elem *y)
{
    if (x->is_index != y->is_index)
        return false;
    return x->is_index ? x->index == y->index : gy_str_eq(x->name, y->name);
}

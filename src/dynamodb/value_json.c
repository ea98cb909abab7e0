/*
 * value_json.c — DynamoDB JSON ({"S":"x"}, {"M":{...}}) to validated values and back.
 *
 * Owns the request-side validation of attribute values with DynamoDB's exact error texts, and
 * base64 for B/BS. Does not own key-schema checks, item-size limits or expression values'
 * context prefixes (callers add "ExpressionAttributeValues contains invalid value: ...").
 *
 * Error precedence follows DynamoDB, which deserializes the whole request before validating
 * it: a SerializationException (wrong JSON type, bad base64) anywhere wins over a
 * ValidationException, and among validation errors the first one met in document order wins.
 * So conversion stops at the first serialization error but only records the first validation
 * error and carries on. See docs/dynamodb.md, "Data model".
 */
#include "dynamodb/value.h"

#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/base64.h"
#include "core/json.h"
#include "dynamodb/number.h"

#define INVALID "One or more parameter values were invalid: "

#define MSG_EMPTY "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
#define MSG_MULTI                                                                                 \
    "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the " \
    "supported datatypes"
#define MSG_NESTING                                                                           \
    "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels " \
    "beyond supported limit"

#define MAX_NAME_LEN 65535

struct conv {
    struct gy_arena *a;
    struct gy_error *err;
    const char *verr; /* first validation message met (arena or static), NULL if none */
};

static int serial(struct conv *c, const char *msg)
{
    return gy_error_set(c->err, c->a, GY_AWS_SERIALIZATION, "%s", msg);
}

static void invalid(struct conv *c, const char *msg)
{
    if (!c->verr)
        c->verr = msg;
}

/* Wrong JSON type where a scalar of Java type `want` ("String", "Blob", "Boolean") goes. */
static int wrong_scalar(struct conv *c, const struct gy_json *j, const char *want)
{
    if (gy_json_is(j, GY_JSON_OBJECT))
        return serial(c, "Start of structure or map found where not expected");
    if (gy_json_is(j, GY_JSON_ARRAY))
        return serial(c, "Start of list found where not expected");
    return gy_error_set(c->err, c->a, GY_AWS_SERIALIZATION, "%s cannot be converted to %s",
                        gy_json_token_name(j), want);
}

/* ---- base64 ---- */

/*
 * Strict base64 (core/base64.h) into arena bytes, with DynamoDB's SerializationException texts
 * for lengths that are not a multiple of 4, characters outside the alphabet and non-canonical
 * final characters.
 */
static int b64_decode(struct conv *c, struct gy_str in, struct gy_str *out)
{
    char bad = 0;
    switch (gy_base64_decode(c->a, in, out, &bad)) {
    case GY_BASE64_OK: return 0;
    case GY_BASE64_BAD_LENGTH:
        return gy_error_set(c->err, c->a, GY_AWS_SERIALIZATION,
                            "'%.*s' can not be converted to a Blob: Base64 encoded length is "
                            "expected a multiple of 4 bytes but found: %zu",
                            (int)in.len, in.p, in.len);
    case GY_BASE64_BAD_CHAR:
        return gy_error_set(c->err, c->a, GY_AWS_SERIALIZATION,
                            "'%.*s' can not be converted to a Blob: Invalid Base64 "
                            "character: '%c'",
                            (int)in.len, in.p, bad);
    default:
        return gy_error_set(c->err, c->a, GY_AWS_SERIALIZATION,
                            "'%.*s' can not be converted to a Blob: Invalid last non-pad Base64 "
                            "character dectected",
                            (int)in.len, in.p);
    }
}


/* ---- scalars ---- */

/*
 * Validate number text and store its canonical form. Messages as DynamoDB words them for
 * attribute values: "The parameter cannot be converted to a numeric value[: text]" for
 * syntax, number.h's texts for digits and range.
 */
static bool conv_number(struct conv *c, struct gy_str text, struct gy_num *num, struct gy_str *out)
{
    int rc;

    out->p = "0";
    out->len = 1;
    if (text.len == 0) {
        invalid(c, "The parameter cannot be converted to a numeric value");
        return false;
    }
    rc = gy_num_parse(text.p, text.len, num);
    if (rc == GY_NUM_ESYNTAX) {
        invalid(c, gy_arena_printf(c->a, "The parameter cannot be converted to a numeric value: "
                                         "%.*s",
                                   (int)text.len, text.p));
        return false;
    }
    if (rc != 0) {
        invalid(c, gy_num_strerror(rc));
        return false;
    }
    char buf[GY_NUM_TEXT_MAX];
    size_t n = gy_num_format(num, buf, sizeof(buf));
    if (n == text.len && memcmp(buf, text.p, n) == 0)
        *out = text; /* already canonical: borrow the request's bytes */
    else
        *out = (struct gy_str){ gy_arena_strndup(c->a, buf, n), n };
    return true;
}

/* ---- sets ---- */

struct num_elem {
    struct gy_num num;
    struct gy_ddb_value v;
};

static int num_elem_cmp(const void *x, const void *y)
{
    const struct num_elem *a = x, *b = y;
    return gy_num_cmp(&a->num, &b->num);
}

static int value_cmp_q(const void *x, const void *y)
{
    return gy_ddb_value_cmp(x, y);
}

/* "[a, b, c]" from the elements' request texts, as DynamoDB prints a duplicate collection. */
static const char *collection_text(struct conv *c, const struct gy_json *arr)
{
    struct gy_buf b;
    gy_buf_init(&b, (size_t)1 << 30);
    gy_buf_putc(&b, '[');
    for (const struct gy_json *e = gy_json_child(arr); e; e = gy_json_next(e)) {
        if (e != gy_json_child(arr))
            gy_buf_append(&b, ", ", 2);
        gy_buf_append_str(&b, gy_json_str(e));
    }
    gy_buf_putc(&b, ']');
    char *s = gy_arena_strndup(c->a, b.p, b.len);
    gy_buf_fini(&b);
    return s;
}

static int conv_set(struct conv *c, const struct gy_json *j, enum gy_ddb_type t,
                    struct gy_ddb_value *out)
{
    enum gy_ddb_type et = t == GY_DDB_SS ? GY_DDB_S : t == GY_DDB_NS ? GY_DDB_N : GY_DDB_B;
    size_t n = gy_json_count(j);
    bool bad = false;

    out->type = t;
    out->u.l.v = NULL;
    out->u.l.n = 0;
    if (n > UINT32_MAX)
        return serial(c, "Input collection too large");
    /* Serialization first: every element must be a string (and B elements base64). */
    struct gy_ddb_value *v = n ? gy_arena_calloc(c->a, n, sizeof(*v)) : NULL;
    struct num_elem *nums = (t == GY_DDB_NS && n) ? gy_arena_calloc(c->a, n, sizeof(*nums)) : NULL;
    size_t i = 0;
    for (const struct gy_json *e = gy_json_child(j); e; e = gy_json_next(e), i++) {
        v[i].type = et;
        if (gy_json_is(e, GY_JSON_NULL)) {
            invalid(c, INVALID "Set may not contain null elements");
            bad = true;
            continue;
        }
        if (!gy_json_is(e, GY_JSON_STRING))
            return wrong_scalar(c, e, et == GY_DDB_B ? "Blob" : "String");
        struct gy_str s = gy_json_str(e);
        if (et == GY_DDB_B) {
            int rc = b64_decode(c, s, &v[i].u.s);
            if (rc)
                return rc;
        } else if (et == GY_DDB_N) {
            if (!conv_number(c, s, &nums[i].num, &v[i].u.s))
                bad = true;
            nums[i].v = v[i];
        } else {
            v[i].u.s = s;
        }
    }
    if (n == 0) {
        invalid(c, t == GY_DDB_SS   ? INVALID "An string set  may not be empty"
                   : t == GY_DDB_NS ? INVALID "An number set  may not be empty"
                                    : INVALID "Binary sets should not be empty");
        return 0;
    }
    if (bad)
        return 0; /* an element was invalid: its message stands, skip dedupe */
    if (t == GY_DDB_NS) {
        qsort(nums, n, sizeof(*nums), num_elem_cmp);
        for (i = 0; i < n; i++)
            v[i] = nums[i].v;
        for (i = 1; i < n; i++) {
            if (gy_num_cmp(&nums[i - 1].num, &nums[i].num) == 0) {
                invalid(c, "Input collection contains duplicates");
                return 0;
            }
        }
    } else {
        qsort(v, n, sizeof(*v), value_cmp_q);
        for (i = 1; i < n; i++) {
            if (gy_str_eq(v[i - 1].u.s, v[i].u.s)) {
                invalid(c, gy_arena_printf(c->a, INVALID "Input collection %s%s contains duplicates.",
                                           collection_text(c, j),
                                           t == GY_DDB_BS ? "of type BS" : ""));
                return 0;
            }
        }
    }
    out->u.l.v = v;
    out->u.l.n = (uint32_t)n;
    return 0;
}

/* ---- values and maps ---- */

static int conv_value(struct conv *c, const struct gy_json *j, int level, struct gy_ddb_value *out);

/* An object of attributes (an item, or an M value's contents) at nesting `level`. */
static int conv_attrs(struct conv *c, const struct gy_json *j, int level, struct gy_ddb_map *out)
{
    size_t n = gy_json_count(j);

    out->v = NULL;
    out->n = 0;
    if (n > UINT32_MAX)
        return serial(c, "Map too large");
    if (n == 0)
        return 0;
    struct gy_ddb_attr *v = gy_arena_calloc(c->a, n, sizeof(*v));
    size_t i = 0;
    for (const struct gy_json *e = gy_json_child(j); e; e = gy_json_next(e), i++) {
        v[i].name = gy_json_key(e);
        if (v[i].name.len == 0)
            invalid(c, INVALID "An AttributeName may not be empty");
        else if (v[i].name.len > MAX_NAME_LEN)
            invalid(c, INVALID "An AttributeName may not be longer than 65535 bytes");
        int rc = conv_value(c, e, level, &v[i].value);
        if (rc)
            return rc;
    }
    out->v = v;
    out->n = (uint32_t)n;
    if (gy_ddb_map_sort(out) != 0)
        invalid(c, INVALID "Duplicate attribute name");
    return 0;
}

static bool member_type(struct gy_str key, enum gy_ddb_type *t)
{
    return key.len <= 4 && gy_ddb_type_parse(key, t) == 0;
}

/* One typed member ("S": ...) of an AttributeValue at nesting `level`. */
static int conv_member(struct conv *c, enum gy_ddb_type t, const struct gy_json *j, int level,
                       struct gy_ddb_value *out)
{
    int rc;
    bool b;

    out->type = t;
    switch (t) {
    case GY_DDB_S:
    case GY_DDB_N:
    case GY_DDB_B:
        if (!gy_json_is(j, GY_JSON_STRING))
            return wrong_scalar(c, j, t == GY_DDB_B ? "Blob" : "String");
        if (t == GY_DDB_S) {
            out->u.s = gy_json_str(j);
        } else if (t == GY_DDB_B) {
            rc = b64_decode(c, gy_json_str(j), &out->u.s);
            if (rc)
                return rc;
        } else {
            struct gy_num num;
            (void)conv_number(c, gy_json_str(j), &num, &out->u.s);
        }
        return 0;
    case GY_DDB_BOOL:
    case GY_DDB_NULL:
        if (!gy_json_bool(j, &b))
            return wrong_scalar(c, j, "Boolean");
        out->u.b = b;
        if (t == GY_DDB_NULL && !b) {
            out->u.b = true;
            invalid(c, INVALID "Null attribute value types must have the value of true");
        }
        return 0;
    case GY_DDB_M: {
        if (gy_json_is(j, GY_JSON_ARRAY))
            return serial(c, "Start of list found where not expected");
        if (!gy_json_is(j, GY_JSON_OBJECT))
            return serial(c, "Expected map or null");
        if (level > GY_DDB_MAX_DEPTH)
            invalid(c, MSG_NESTING);
        struct gy_ddb_map m;
        rc = conv_attrs(c, j, level + 1, &m);
        out->u.m.v = m.v;
        out->u.m.n = m.n;
        return rc;
    }
    case GY_DDB_L:
    case GY_DDB_SS:
    case GY_DDB_NS:
    case GY_DDB_BS:
        if (gy_json_is(j, GY_JSON_OBJECT))
            return serial(c, "Start of structure or map found where not expected");
        if (!gy_json_is(j, GY_JSON_ARRAY))
            return serial(c, "Expected list or null");
        if (t != GY_DDB_L)
            return conv_set(c, j, t, out);
        if (level > GY_DDB_MAX_DEPTH)
            invalid(c, MSG_NESTING);
        size_t n = gy_json_count(j);
        if (n > UINT32_MAX)
            return serial(c, "List too large");
        out->u.l.v = n ? gy_arena_calloc(c->a, n, sizeof(*out->u.l.v)) : NULL;
        out->u.l.n = (uint32_t)n;
        size_t i = 0;
        for (const struct gy_json *e = gy_json_child(j); e; e = gy_json_next(e), i++) {
            rc = conv_value(c, e, level + 1, &out->u.l.v[i]);
            if (rc)
                return rc;
        }
        return 0;
    }
    return 0;
}

/*
 * One AttributeValue object at nesting `level` (attributes of an item are at level 2; each
 * M or L adds one; DynamoDB allows 32 levels counting the item). Unknown members and JSON
 * nulls are ignored, as DynamoDB's deserializer does.
 */
static int conv_value(struct conv *c, const struct gy_json *j, int level, struct gy_ddb_value *out)
{
    int count = 0, rc;

    out->type = GY_DDB_NULL;
    out->u.b = true;
    if (gy_json_is(j, GY_JSON_NULL)) {
        invalid(c, MSG_EMPTY);
        return 0;
    }
    if (gy_json_is(j, GY_JSON_ARRAY))
        return serial(c, "Start of list found where not expected");
    if (!gy_json_is(j, GY_JSON_OBJECT))
        return serial(c, "Expected null");
    for (const struct gy_json *m = gy_json_child(j); m; m = gy_json_next(m)) {
        enum gy_ddb_type t;
        if (gy_json_is(m, GY_JSON_NULL) || !member_type(gy_json_key(m), &t))
            continue;
        struct gy_ddb_value tmp;
        rc = conv_member(c, t, m, level, count == 0 ? out : &tmp);
        if (rc)
            return rc;
        count++;
    }
    if (count == 0)
        invalid(c, MSG_EMPTY);
    else if (count > 1)
        invalid(c, MSG_MULTI);
    return 0;
}

static int finish(struct conv *c, int rc)
{
    if (rc)
        return rc;
    if (c->verr)
        return gy_error_set(c->err, c->a, GY_AWS_VALIDATION, "%s", c->verr);
    return 0;
}

int gy_ddb_value_from_json(struct gy_arena *a, const struct gy_json *j, struct gy_ddb_value *out,
                           struct gy_error *err)
{
    struct conv c = { a, err, NULL };
    return finish(&c, conv_value(&c, j, 2, out));
}

int gy_ddb_map_from_json(struct gy_arena *a, const struct gy_json *j, struct gy_ddb_map *out,
                         struct gy_error *err)
{
    struct conv c = { a, err, NULL };

    out->v = NULL;
    out->n = 0;
    if (gy_json_is(j, GY_JSON_ARRAY))
        return serial(&c, "Start of list found where not expected");
    if (!gy_json_is(j, GY_JSON_OBJECT))
        return serial(&c, "Expected map or null");
    return finish(&c, conv_attrs(&c, j, 2, out));
}

/* ---- output ---- */

/* A B value as a JSON string of base64, written straight into the writer's buffer. */
static void write_b64(struct gy_jw *w, struct gy_str bytes)
{
    gy_jw_raw(w, GY_STR("\""));
    if (w->err)
        return;
    size_t n = gy_base64_encoded_len(bytes.len);
    char *dst = gy_buf_reserve(w->buf, n + 1);
    if (!dst) {
        w->err = GY_ETOOBIG;
        return;
    }
    gy_base64_encode(bytes.p, bytes.len, dst);
    dst[n] = '"';
    w->buf->len += n + 1;
    w->buf->p[w->buf->len] = '\0';
}

void gy_ddb_value_to_json(struct gy_jw *w, const struct gy_ddb_value *v)
{
    gy_jw_obj_begin(w);
    gy_jw_key(w, gy_ddb_type_name(v->type));
    switch (v->type) {
    case GY_DDB_S:
    case GY_DDB_N:
        gy_jw_str(w, v->u.s);
        break;
    case GY_DDB_B:
        write_b64(w, v->u.s);
        break;
    case GY_DDB_BOOL:
        gy_jw_bool(w, v->u.b);
        break;
    case GY_DDB_NULL:
        gy_jw_bool(w, true);
        break;
    case GY_DDB_M: {
        struct gy_ddb_map m = { v->u.m.v, v->u.m.n };
        gy_ddb_map_to_json(w, &m);
        break;
    }
    case GY_DDB_L:
        gy_jw_arr_begin(w);
        for (uint32_t i = 0; i < v->u.l.n; i++)
            gy_ddb_value_to_json(w, &v->u.l.v[i]);
        gy_jw_arr_end(w);
        break;
    case GY_DDB_SS:
    case GY_DDB_NS:
    case GY_DDB_BS:
        gy_jw_arr_begin(w);
        for (uint32_t i = 0; i < v->u.l.n; i++) {
            if (v->type == GY_DDB_BS)
                write_b64(w, v->u.l.v[i].u.s);
            else
                gy_jw_str(w, v->u.l.v[i].u.s);
        }
        gy_jw_arr_end(w);
        break;
    }
    gy_jw_obj_end(w);
}

void gy_ddb_map_to_json(struct gy_jw *w, const struct gy_ddb_map *m)
{
    gy_jw_obj_begin(w);
    for (uint32_t i = 0; i < m->n; i++) {
        gy_jw_key_str(w, m->v[i].name);
        gy_ddb_value_to_json(w, &m->v[i].value);
    }
    gy_jw_obj_end(w);
}

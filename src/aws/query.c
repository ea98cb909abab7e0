/*
 * query.c — awsQuery requests: application/x-www-form-urlencoded decoding (gy_query_parse) and
 * the model-driven conversion of the flat parameter list into the JSON form of an operation's
 * input shape (gy_query_to_json). Responses (XML) live in xml.c. Facts: ../shared/PROTOCOL.md
 * §3.3 and botocore's QuerySerializer (serialize.py), whose naming rules this file inverts.
 *
 * Design: the parameters are sorted by name once (O(n log n)). Every node of the walk is then a
 * contiguous range of that order: the parameters whose names start with "<prefix>." plus the
 * one named exactly "<prefix>" (its value). A structure member is found by two binary searches
 * within its parent's range; a list's or map's items are one linear pass over its range, so
 * the whole conversion costs O(n log n + n·depth) however many members the model has. Only
 * model members are visited: unknown parameters, and names nested deeper than the model goes,
 * are never looked at (AWS ignores them too). See docs/protocols.md.
 */
#include "aws/query.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/errors.h"
#include "core/timefmt.h"

#define MAX_DEPTH 64     /* structure/list/map nesting followed before giving up */
#define MSG_NAME_MAX 200 /* bytes of a parameter name quoted in an error message */
#define MSG_VALUE_MAX 64 /* bytes of a value quoted in an error message */

/* ---------------------------------------------------------------------------------------------
 * Form decoding
 * ------------------------------------------------------------------------------------------- */

/* Decode src ('+' is a space, %XX an octet) into dst (room for len + 1); NUL-terminates. Runs
 * of plain bytes are copied at once; the UTF-8 check is skipped when every byte is ASCII. */
static int form_decode(const char *src, size_t len, char *dst, size_t *out_len, const char **why)
{
    size_t o = 0;
    unsigned char high = 0; /* OR of every decoded byte: bit 7 set means non-ASCII */
    for (size_t i = 0; i < len;) {
        size_t run = i;
        while (run < len && src[run] != '%' && src[run] != '+' && src[run] != '\0')
            high |= (unsigned char)src[run++];
        memcpy(dst + o, src + i, run - i);
        o += run - i;
        i = run;
        if (i == len)
            break;
        unsigned char c = (unsigned char)src[i];
        if (c == '+') {
            c = ' ';
            i++;
        } else if (c == '%') {
            int hi = i + 2 < len ? gy_hexval((char)(unsigned char)src[i + 1]) : -1;
            int lo = hi >= 0 ? gy_hexval((char)(unsigned char)src[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                *why = "malformed percent-encoding in the query string";
                return GY_EINVAL;
            }
            c = (unsigned char)(hi << 4 | lo);
            i += 3;
        }
        if (c == 0) {
            *why = "the query string contains a NUL character";
            return GY_EINVAL;
        }
        high |= c;
        dst[o++] = (char)c;
    }
    dst[o] = '\0';
    if ((high & 0x80) && !gy_utf8_valid(dst, o)) {
        *why = "the query string is not valid UTF-8 after percent-decoding";
        return GY_EINVAL;
    }
    *out_len = o;
    return 0;
}

int gy_query_parse(struct gy_arena *arena, struct gy_str form, struct gy_query_param **out,
                   size_t *n, const char **why)
{
    size_t count = 0;
    *out = NULL;
    *n = 0;
    for (size_t i = 0; i < form.len;) {
        const char *amp = memchr(form.p + i, '&', form.len - i);
        size_t end = amp ? (size_t)(amp - form.p) : form.len;
        if (end > i && ++count > GY_QUERY_MAX_PARAMS) {
            *why = "too many parameters in the query string";
            return GY_ETOOBIG;
        }
        i = end + 1;
    }
    if (count == 0)
        return 0;

    struct gy_query_param *p = gy_arena_calloc(arena, count, sizeof(*p));
    char *text = gy_arena_alloc(arena, form.len + 2 * count);
    size_t k = 0;
    for (size_t i = 0; i < form.len;) {
        const char *amp = memchr(form.p + i, '&', form.len - i);
        size_t end = amp ? (size_t)(amp - form.p) : form.len;
        if (end > i) {
            const char *seg = form.p + i;
            size_t seglen = end - i;
            const char *eq = memchr(seg, '=', seglen);
            size_t nlen = eq ? (size_t)(eq - seg) : seglen;
            size_t got;
            int rc = form_decode(seg, nlen, text, &got, why);
            if (rc)
                return rc;
            p[k].name = (struct gy_str){ text, got };
            text += got + 1;
            if (eq)
                rc = form_decode(eq + 1, seglen - nlen - 1, text, &got, why);
            else
                rc = form_decode("", 0, text, &got, why);
            if (rc)
                return rc;
            p[k].value = (struct gy_str){ text, got };
            text += got + 1;
            k++;
        }
        i = end + 1;
    }
    *out = p;
    *n = k;
    return 0;
}

const struct gy_str *gy_query_get(const struct gy_query_param *p, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (gy_str_eqc(p[i].name, name))
            return &p[i].value;
    return NULL;
}

/* ---------------------------------------------------------------------------------------------
 * Scalar values
 * ------------------------------------------------------------------------------------------- */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Strict integer text: [+-]?[0-9]+ within [lo, hi]. */
static bool parse_int(struct gy_str s, int64_t lo, int64_t hi, int64_t *out)
{
    size_t i = 0;
    if (s.len > 0 && (s.p[0] == '-' || s.p[0] == '+'))
        i++;
    if (i == s.len || s.len > 24)
        return false;
    for (size_t j = i; j < s.len; j++)
        if (!is_digit(s.p[j]))
            return false;
    errno = 0;
    long long v = strtoll(s.p, NULL, 10); /* s is NUL-terminated (arena copy) */
    if (errno == ERANGE || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

/* Decimal syntax [+-]?(D+(.D*)?|.D+)([eE][+-]?D+)? — what JSON can carry, minus NaN/Infinity. */
static bool parse_double(struct gy_str s, double *out)
{
    size_t i = 0, digits = 0;
    if (i < s.len && (s.p[i] == '-' || s.p[i] == '+'))
        i++;
    while (i < s.len && is_digit(s.p[i]))
        i++, digits++;
    if (i < s.len && s.p[i] == '.') {
        i++;
        while (i < s.len && is_digit(s.p[i]))
            i++, digits++;
    }
    if (digits == 0)
        return false;
    if (i < s.len && (s.p[i] == 'e' || s.p[i] == 'E')) {
        size_t e = 0;
        i++;
        if (i < s.len && (s.p[i] == '-' || s.p[i] == '+'))
            i++;
        while (i < s.len && is_digit(s.p[i]))
            i++, e++;
        if (e == 0)
            return false;
    }
    if (i != s.len)
        return false;
    double v = strtod(s.p, NULL);
    if (!isfinite(v))
        return false;
    *out = v;
    return true;
}

static bool at(struct gy_str s, size_t i, char c)
{
    return i < s.len && s.p[i] == c;
}

/* True when s is also a JSON number: -?(0|[1-9]D*)(.D+)?([eE][+-]?D+)?, at most 40 bytes. */
static bool json_number(struct gy_str s)
{
    size_t i = 0;
    if (s.len > 40)
        return false;
    if (at(s, 0, '-'))
        i++;
    if (at(s, i, '0')) {
        i++;
    } else {
        if (i >= s.len || s.p[i] < '1' || s.p[i] > '9')
            return false;
        while (i < s.len && is_digit(s.p[i]))
            i++;
    }
    if (at(s, i, '.')) {
        size_t f = ++i;
        while (i < s.len && is_digit(s.p[i]))
            i++;
        if (i == f)
            return false;
    }
    if (at(s, i, 'e') || at(s, i, 'E')) {
        i++;
        if (at(s, i, '+') || at(s, i, '-'))
            i++;
        size_t e = i;
        while (i < s.len && is_digit(s.p[i]))
            i++;
        if (i == e)
            return false;
    }
    return i == s.len;
}

static int b64val(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) || c == '+' ||
           c == '/';
}

/* Standard padded base64 (RFC 4648 §4), as botocore sends blobs. */
static bool valid_base64(struct gy_str s)
{
    if (s.len % 4 != 0)
        return false;
    size_t pad = 0;
    if (s.len >= 1 && s.p[s.len - 1] == '=')
        pad++;
    if (s.len >= 2 && s.p[s.len - 2] == '=')
        pad++;
    for (size_t i = 0; i < s.len - pad; i++)
        if (!b64val(s.p[i]))
            return false;
    return true;
}

/* ---------------------------------------------------------------------------------------------
 * Parameters → JSON input tree
 * ------------------------------------------------------------------------------------------- */

struct walk {
    struct gy_arena *arena;
    const struct gy_model_service *svc;
    const struct gy_query_param **v; /* parameters sorted by name, then by arrival */
    size_t n;
    struct gy_jw *w;
    const char **why;
};

/* The parameters under one name prefix P. */
struct node {
    const struct gy_query_param *value; /* the first parameter named exactly P, or NULL */
    size_t lo, hi;                      /* v[lo..hi): the names "P.<rest>" */
    size_t off;                         /* strlen("P."): where <rest> starts */
};

/* One list or map item: index N and the node of "<items>.N". */
struct item {
    uint32_t index;
    struct node node;
};

static int cmp_param(const void *a, const void *b)
{
    const struct gy_query_param *pa = *(const struct gy_query_param *const *)a;
    const struct gy_query_param *pb = *(const struct gy_query_param *const *)b;
    size_t la = pa->name.len, lb = pb->name.len;
    int c = memcmp(pa->name.p, pb->name.p, la < lb ? la : lb);
    if (c)
        return c;
    if (la != lb)
        return la < lb ? -1 : 1;
    return pa < pb ? -1 : pa > pb; /* stable: arrival order among duplicates */
}

/* Order of name[off..] against seg followed by the byte tail (none when tail < 0). */
static int cmp_key(struct gy_str name, size_t off, const char *seg, size_t seglen, int tail)
{
    const char *a = name.p + off;
    size_t al = name.len - off;
    int c = memcmp(a, seg, al < seglen ? al : seglen);
    if (c)
        return c;
    if (al < seglen)
        return -1;
    if (al == seglen)
        return tail < 0 ? 0 : -1;
    if (tail < 0)
        return 1;
    unsigned char ch = (unsigned char)a[seglen];
    if (ch != (unsigned char)tail)
        return ch < (unsigned char)tail ? -1 : 1;
    return al > seglen + 1;
}

static size_t lower_bound(const struct walk *W, size_t lo, size_t hi, size_t off, const char *seg,
                          size_t seglen, int tail)
{
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_key(W->v[mid]->name, off, seg, seglen, tail) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The node of "P.seg" inside the node of P: three binary searches over P's range. */
static struct node find_child(const struct walk *W, const struct node *parent, const char *seg)
{
    size_t seglen = strlen(seg);
    struct node c = { NULL, 0, 0, parent->off + seglen + 1 };
    size_t e = lower_bound(W, parent->lo, parent->hi, parent->off, seg, seglen, -1);
    /* Everything named "P.seg" or "P.seg.*" sorts from e on and starts with seg: when the
     * name at e does not, the member is absent (the common case) and two searches are saved. */
    if (e >= parent->hi || W->v[e]->name.len - parent->off < seglen ||
        memcmp(W->v[e]->name.p + parent->off, seg, seglen) != 0) {
        c.lo = c.hi = e;
        return c;
    }
    if (cmp_key(W->v[e]->name, parent->off, seg, seglen, -1) == 0)
        c.value = W->v[e];
    c.lo = lower_bound(W, e, parent->hi, parent->off, seg, seglen, '.');
    c.hi = lower_bound(W, c.lo, parent->hi, parent->off, seg, seglen, '/'); /* '/' is '.' + 1 */
    return c;
}

/* A slice cut to at most max bytes without splitting a UTF-8 sequence. */
static int clip(struct gy_str s, size_t max)
{
    size_t n = s.len;
    if (n > max) {
        n = max;
        while (n > 0 && ((unsigned char)s.p[n] & 0xc0) == 0x80)
            n--;
    }
    return (int)n;
}

/* Any parameter of a node, for naming it in an error. */
static struct gy_str node_name(const struct walk *W, const struct node *nd)
{
    if (nd->value)
        return nd->value->name;
    if (nd->lo < nd->hi)
        return W->v[nd->lo]->name;
    return GY_STR("");
}

static int fail_value(const struct walk *W, const struct gy_query_param *p, const char *expected)
{
    *W->why = gy_arena_printf(W->arena,
                              "Value (%.*s) for parameter %.*s is invalid. Expected %s.",
                              clip(p->value, MSG_VALUE_MAX), p->value.p,
                              clip(p->name, MSG_NAME_MAX), p->name.p, expected);
    return GY_EINVAL;
}

static bool is_flattened(const struct gy_model_shape *sh, const struct gy_model_member *m)
{
    return (sh->flags & GY_SHAPE_FLATTENED) || (m && (m->flags & GY_MEMBER_FLATTENED));
}

/* Whether a node carries a value for a shape of this kind (absent members are not written). */
static bool present(const struct gy_model_shape *sh, const struct node *nd)
{
    switch (sh->kind) {
    case GY_SHAPE_STRUCTURE:
        return nd->lo < nd->hi;
    case GY_SHAPE_LIST:
    case GY_SHAPE_MAP:
        return nd->lo < nd->hi || (nd->value && nd->value->value.len == 0);
    default:
        return nd->value != NULL;
    }
}

/*
 * The items "N" and "N.<rest>" directly under a list's or map's node, sorted by N. Each N must
 * be a positive integer without leading zeros, at most GY_QUERY_MAX_PARAMS. Names sharing an
 * index are contiguous in the sorted order ("1" < "1.x" < "10"), so one pass groups them.
 */
static int collect_items(const struct walk *W, const struct node *nd, struct item **out,
                         size_t *nout)
{
    struct item *it = gy_arena_calloc(W->arena, nd->hi - nd->lo + 1, sizeof(*it));
    size_t k = 0;
    for (size_t i = nd->lo; i < nd->hi; i++) {
        const struct gy_query_param *p = W->v[i];
        const char *s = p->name.p + nd->off;
        size_t rest = p->name.len - nd->off, d = 0;
        uint32_t idx = 0;
        while (d < rest && is_digit(s[d]) && d < 6)
            idx = idx * 10 + (uint32_t)(s[d++] - '0');
        if (d == 0 || (d < rest && s[d] != '.') || s[0] == '0' || idx > GY_QUERY_MAX_PARAMS) {
            size_t seg = 0;
            while (seg < rest && s[seg] != '.')
                seg++;
            *W->why = gy_arena_printf(
                W->arena,
                "Invalid index (%.*s) in parameter %.*s: list and map indexes must be "
                "integers from 1 to %d.",
                clip((struct gy_str){ s, seg }, MSG_VALUE_MAX), s, clip(p->name, MSG_NAME_MAX),
                p->name.p, GY_QUERY_MAX_PARAMS);
            return GY_EINVAL;
        }
        if (k == 0 || it[k - 1].index != idx) {
            it[k].index = idx;
            it[k].node.off = nd->off + d + 1;
            it[k].node.lo = it[k].node.hi = i;
            k++;
        }
        struct node *e = &it[k - 1].node;
        if (d == rest) {
            if (!e->value)
                e->value = p;
            e->lo = e->hi = i + 1;
        } else {
            e->hi = i + 1;
        }
    }
    *out = it;
    *nout = k;
    return 0;
}

static int cmp_item(const void *a, const void *b)
{
    const struct item *x = a, *y = b;
    return x->index < y->index ? -1 : x->index > y->index;
}

static int sorted_items(const struct walk *W, const struct node *nd, struct item **out,
                        size_t *nout)
{
    int rc = collect_items(W, nd, out, nout);
    if (rc == 0 && *nout > 1)
        qsort(*out, *nout, sizeof(**out), cmp_item);
    return rc;
}

static int write_value(const struct walk *W, uint16_t shape, const struct gy_model_member *m,
                       const struct node *nd, int depth);

static int write_struct(const struct walk *W, const struct gy_model_shape *sh,
                        const struct node *nd, int depth)
{
    gy_jw_obj_begin(W->w);
    for (size_t i = 0; i < sh->n; i++) {
        const struct gy_model_member *m = gy_model_member(W->svc, sh, i);
        const struct gy_model_shape *ms = gy_model_shape(W->svc, m->shape);
        const char *seg = gy_model_member_wire(m);
        if (ms->kind == GY_SHAPE_LIST && is_flattened(ms, m) && ms->a_name)
            seg = ms->a_name; /* botocore names a flattened list after its member */
        struct node c = find_child(W, nd, seg);
        if (!present(ms, &c) && strcmp(seg, m->name) != 0)
            c = find_child(W, nd, m->name);
        if (!present(ms, &c))
            continue;
        gy_jw_key(W->w, m->name);
        int rc = write_value(W, m->shape, m, &c, depth + 1);
        if (rc)
            return rc;
    }
    gy_jw_obj_end(W->w);
    return 0;
}

static int write_list(const struct walk *W, const struct gy_model_shape *sh,
                      const struct gy_model_member *m, const struct node *nd, int depth)
{
    struct node items = *nd;
    struct item *it;
    size_t n;
    if (!is_flattened(sh, m))
        items = find_child(W, nd, sh->a_name ? sh->a_name : "member");
    int rc = sorted_items(W, &items, &it, &n);
    if (rc)
        return rc;
    const struct gy_model_shape *es = gy_model_shape(W->svc, sh->a);
    gy_jw_arr_begin(W->w);
    for (size_t i = 0; i < n; i++) {
        if (!present(es, &it[i].node))
            continue;
        rc = write_value(W, sh->a, NULL, &it[i].node, depth + 1);
        if (rc)
            return rc;
    }
    gy_jw_arr_end(W->w);
    return 0;
}

/* A map entry's key, with its position in index order (for duplicate detection). */
struct map_key {
    struct gy_str key;
    size_t pos;
};

static int cmp_map_key(const void *a, const void *b)
{
    const struct map_key *x = a, *y = b;
    int c = gy_str_cmp(x->key, y->key);
    return c ? c : (x->pos < y->pos ? -1 : x->pos > y->pos);
}

/*
 * A map from "<entries>.N.key" / "<entries>.N.value" (or the model's locationNames). Entries
 * without a key or a value are skipped; a repeated key keeps its lowest-indexed entry, since a
 * JSON object cannot hold it twice.
 */
static int write_map(const struct walk *W, const struct gy_model_shape *sh,
                     const struct gy_model_member *m, const struct node *nd, int depth)
{
    struct node entries = *nd;
    struct item *it;
    size_t n;
    if (!is_flattened(sh, m))
        entries = find_child(W, nd, "entry");
    int rc = sorted_items(W, &entries, &it, &n);
    if (rc)
        return rc;
    const struct gy_model_shape *vs = gy_model_shape(W->svc, sh->b);
    const char *kname = sh->a_name ? sh->a_name : "key";
    const char *vname = sh->b_name ? sh->b_name : "value";
    struct node *vals = gy_arena_calloc(W->arena, n + 1, sizeof(*vals));
    struct map_key *keys = gy_arena_calloc(W->arena, n + 1, sizeof(*keys));
    bool *dup = gy_arena_calloc(W->arena, n + 1, sizeof(*dup));
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        struct node kn = find_child(W, &it[i].node, kname);
        struct node vn = find_child(W, &it[i].node, vname);
        if (!kn.value || !present(vs, &vn))
            continue;
        keys[k] = (struct map_key){ kn.value->value, k };
        vals[k++] = vn;
    }
    struct map_key *sorted = gy_arena_calloc(W->arena, k + 1, sizeof(*sorted));
    if (k > 0)
        memcpy(sorted, keys, k * sizeof(*sorted));
    qsort(sorted, k, sizeof(*sorted), cmp_map_key);
    for (size_t j = 1; j < k; j++)
        if (gy_str_eq(sorted[j].key, sorted[j - 1].key))
            dup[sorted[j].pos] = true;
    gy_jw_obj_begin(W->w);
    for (size_t i = 0; i < k; i++) {
        if (dup[i])
            continue;
        gy_jw_key_str(W->w, keys[i].key);
        rc = write_value(W, sh->b, NULL, &vals[i], depth + 1);
        if (rc)
            return rc;
    }
    gy_jw_obj_end(W->w);
    return 0;
}

static int write_scalar(const struct walk *W, const struct gy_model_shape *sh,
                        const struct gy_query_param *p)
{
    struct gy_str v = p->value;
    int64_t iv;
    double dv;
    switch (sh->kind) {
    case GY_SHAPE_BOOLEAN:
        if (gy_str_caseeqc(v, "true"))
            gy_jw_bool(W->w, true);
        else if (gy_str_caseeqc(v, "false"))
            gy_jw_bool(W->w, false);
        else
            return fail_value(W, p, "true or false");
        return 0;
    case GY_SHAPE_INTEGER:
        if (!parse_int(v, INT32_MIN, INT32_MAX, &iv))
            return fail_value(W, p, "an integer");
        gy_jw_int(W->w, iv);
        return 0;
    case GY_SHAPE_LONG:
        if (!parse_int(v, INT64_MIN, INT64_MAX, &iv))
            return fail_value(W, p, "a long integer");
        gy_jw_int(W->w, iv);
        return 0;
    case GY_SHAPE_FLOAT:
    case GY_SHAPE_DOUBLE:
        if (!parse_double(v, &dv))
            return fail_value(W, p, "a finite number");
        if (json_number(v))
            gy_jw_raw(W->w, v); /* already JSON ("1.5"): no reformatting */
        else
            gy_jw_double(W->w, dv);
        return 0;
    case GY_SHAPE_TIMESTAMP:
        if (!gy_time_parse_text(v, &dv))
            return fail_value(W, p, "an ISO 8601 timestamp or epoch seconds");
        if (dv == floor(dv) && fabs(dv) < 9e15)
            gy_jw_int(W->w, (int64_t)dv);
        else
            gy_jw_double(W->w, dv);
        return 0;
    case GY_SHAPE_BLOB:
        if (!valid_base64(v))
            return fail_value(W, p, "base64-encoded data");
        gy_jw_str(W->w, v);
        return 0;
    default:
        gy_jw_str(W->w, v);
        return 0;
    }
}

static int write_value(const struct walk *W, uint16_t shape, const struct gy_model_member *m,
                       const struct node *nd, int depth)
{
    const struct gy_model_shape *sh = gy_model_shape(W->svc, shape);
    if (depth > MAX_DEPTH) {
        struct gy_str name = node_name(W, nd);
        *W->why = gy_arena_printf(W->arena, "Parameter %.*s is nested more than %d levels deep.",
                                  clip(name, MSG_NAME_MAX), name.p, MAX_DEPTH);
        return GY_EINVAL;
    }
    switch (sh->kind) {
    case GY_SHAPE_STRUCTURE:
        return write_struct(W, sh, nd, depth);
    case GY_SHAPE_LIST:
        return write_list(W, sh, m, nd, depth);
    case GY_SHAPE_MAP:
        return write_map(W, sh, m, nd, depth);
    default:
        return write_scalar(W, sh, nd->value);
    }
}

int gy_query_to_json(struct gy_arena *arena, const struct gy_model_service *svc, uint16_t shape,
                     const struct gy_query_param *p, size_t n, struct gy_jw *w, const char **why)
{
    struct walk W = { arena, svc, NULL, 0, w, why };
    *why = NULL;
    if (shape == GY_MODEL_NONE || gy_model_shape(svc, shape)->kind != GY_SHAPE_STRUCTURE) {
        gy_jw_obj_begin(w);
        gy_jw_obj_end(w);
        return w->err;
    }
    W.v = gy_arena_calloc(arena, n + 1, sizeof(*W.v));
    for (size_t i = 0; i < n; i++)
        if (!gy_str_eqc(p[i].name, "Action") && !gy_str_eqc(p[i].name, "Version"))
            W.v[W.n++] = &p[i];
    qsort(W.v, W.n, sizeof(*W.v), cmp_param);
    struct node root = { NULL, 0, W.n, 0 };
    int rc = write_struct(&W, gy_model_shape(svc, shape), &root, 0);
    if (rc)
        return rc;
    return w->err;
}

/*
 * validate.c — model-driven input validation (see validate.h for the rules and wording).
 *
 * Two passes over the input tree: types (stop at the first mismatch, as a deserializer does),
 * then constraints (collect up to GY_VALIDATE_MAX_ERRORS, in model member order). The PCRE2
 * pattern cache is filled at start-up by gy_validate_prepare and only read afterwards.
 */
#include "aws/validate.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <math.h>
#include <pcre2.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/log.h"
#include "core/mem.h"

#define MAX_PREPARED 32
#define MAX_DEPTH 128

struct prepared {
    const struct gy_model_service *svc;
    pcre2_code **codes; /* one per shape; NULL: no pattern or not compilable */
};

static struct prepared prepared[MAX_PREPARED];
static size_t nprepared;
static pthread_mutex_t prepare_lock = PTHREAD_MUTEX_INITIALIZER;

static pcre2_code *compile(const char *pattern)
{
    int err;
    PCRE2_SIZE off;
    pcre2_compile_context *cc = pcre2_compile_context_create(NULL);
    /* Java's \uXXXX escapes are PCRE2's "alternative" \u syntax. */
    pcre2_set_compile_extra_options(cc, PCRE2_EXTRA_ALT_BSUX);
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                                     PCRE2_UTF | PCRE2_UCP | PCRE2_ALT_BSUX | PCRE2_NO_UTF_CHECK,
                                     &err, &off, cc);
    pcre2_compile_context_free(cc);
    if (!code) {
        gy_log_debug("validate: pattern %s not compilable (PCRE2 error %d at %zu); not checked",
                     pattern, err, (size_t)off);
        return NULL;
    }
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
    return code;
}

void gy_validate_prepare(const struct gy_model_service *svc)
{
    pthread_mutex_lock(&prepare_lock);
    for (size_t i = 0; i < nprepared; i++)
        if (prepared[i].svc == svc)
            goto out;
    gy_assert(nprepared < MAX_PREPARED);
    pcre2_code **codes = gy_calloc(svc->nshapes ? svc->nshapes : 1, sizeof(*codes));
    for (size_t i = 0; i < svc->nshapes; i++)
        if (svc->shapes[i].pattern)
            codes[i] = compile(svc->shapes[i].pattern);
    prepared[nprepared].codes = codes;
    prepared[nprepared].svc = svc;
    nprepared++;
out:
    pthread_mutex_unlock(&prepare_lock);
}

static pcre2_code **codes_of(const struct gy_model_service *svc)
{
    for (size_t i = 0; i < nprepared; i++)
        if (prepared[i].svc == svc)
            return prepared[i].codes;
    return NULL;
}

/* Match data, one per thread (any pattern can use it), freed when the thread exits. */
static pthread_key_t md_key;
static pthread_once_t md_once = PTHREAD_ONCE_INIT;

static void md_free(void *md)
{
    pcre2_match_data_free(md);
}

static void md_key_create(void)
{
    pthread_key_create(&md_key, md_free);
}

static pcre2_match_data *thread_match_data(void)
{
    pthread_once(&md_once, md_key_create);
    pcre2_match_data *md = pthread_getspecific(md_key);
    if (!md) {
        md = pcre2_match_data_create(1, NULL);
        pthread_setspecific(md_key, md);
    }
    return md;
}

/* True when s fully matches shape idx's pattern (or the pattern cannot be checked). */
static bool pattern_ok(const struct gy_model_service *svc, uint16_t idx, struct gy_str s)
{
    pcre2_code **codes = codes_of(svc);
    pcre2_code *code = codes ? codes[idx] : NULL;
    bool owned = false;

    if (!codes) {
        code = compile(svc->shapes[idx].pattern);
        owned = true;
    }
    if (!code)
        return true;
    pcre2_match_data *md = thread_match_data();
    int rc = pcre2_match(code, (PCRE2_SPTR)s.p, s.len, 0, PCRE2_ANCHORED | PCRE2_ENDANCHORED,
                         md, NULL);
    if (owned)
        pcre2_code_free(code);
    return rc >= 0 || rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT;
}

/* ---- pass 1: types ---- */

static const char *java_type(uint8_t kind)
{
    switch (kind) {
    case GY_SHAPE_STRING: return "String";
    case GY_SHAPE_BLOB: return "Blob";
    case GY_SHAPE_INTEGER: return "Integer";
    case GY_SHAPE_LONG: return "Long";
    case GY_SHAPE_FLOAT: return "Float";
    case GY_SHAPE_DOUBLE: return "Double";
    case GY_SHAPE_BOOLEAN: return "Boolean";
    case GY_SHAPE_TIMESTAMP: return "Date";
    default: return "Object";
    }
}

/* NULL when j fits shape idx (recursively), else the SerializationException message. */
static const char *check_types(struct gy_arena *a, const struct gy_model_service *svc,
                               uint16_t idx, const struct gy_json *j, int depth)
{
    const struct gy_model_shape *sh = &svc->shapes[idx];
    enum gy_json_type t = gy_json_type(j);

    if (t == GY_JSON_NULL)
        return NULL;
    if (depth > MAX_DEPTH)
        return "Request nesting is too deep";
    if (sh->flags & GY_SHAPE_DOCUMENT)
        return NULL;
    switch (sh->kind) {
    case GY_SHAPE_STRUCTURE:
    case GY_SHAPE_MAP:
        if (t == GY_JSON_ARRAY)
            return "Start of list found where not expected";
        if (t != GY_JSON_OBJECT)
            return "Unexpected field type";
        for (const struct gy_json *c = gy_json_child(j); c; c = gy_json_next(c)) {
            uint16_t sub;
            if (sh->kind == GY_SHAPE_MAP) {
                sub = sh->b;
            } else {
                const struct gy_model_member *m = gy_model_member_find(svc, sh, gy_json_key(c));
                if (!m)
                    continue; /* unknown members are ignored, as AWS does */
                sub = m->shape;
            }
            const char *why = check_types(a, svc, sub, c, depth + 1);
            if (why)
                return why;
        }
        return NULL;
    case GY_SHAPE_LIST:
        if (t == GY_JSON_OBJECT)
            return "Start of structure or map found where not expected";
        if (t != GY_JSON_ARRAY)
            return "Unexpected field type";
        for (const struct gy_json *c = gy_json_child(j); c; c = gy_json_next(c)) {
            const char *why = check_types(a, svc, sh->a, c, depth + 1);
            if (why)
                return why;
        }
        return NULL;
    default: break;
    }
    if (t == GY_JSON_OBJECT)
        return "Start of structure or map found where not expected";
    if (t == GY_JSON_ARRAY)
        return "Start of list found where not expected";
    bool ok;
    switch (sh->kind) {
    case GY_SHAPE_STRING:
    case GY_SHAPE_BLOB: ok = t == GY_JSON_STRING; break;
    case GY_SHAPE_BOOLEAN: ok = t == GY_JSON_TRUE || t == GY_JSON_FALSE; break;
    case GY_SHAPE_TIMESTAMP: ok = t == GY_JSON_NUMBER || t == GY_JSON_STRING; break;
    case GY_SHAPE_FLOAT:
    case GY_SHAPE_DOUBLE:
        /* smithy sends non-finite doubles as strings */
        ok = t == GY_JSON_NUMBER ||
             (t == GY_JSON_STRING && (gy_str_eqc(gy_json_str(j), "NaN") ||
                                      gy_str_eqc(gy_json_str(j), "Infinity") ||
                                      gy_str_eqc(gy_json_str(j), "-Infinity")));
        break;
    default: ok = t == GY_JSON_NUMBER; break;
    }
    if (ok)
        return NULL;
    return gy_arena_printf(a, "%s cannot be converted to %s", gy_json_token_name(j), java_type(sh->kind));
}

/* ---- pass 2: constraints ---- */

/*
 * A member path, built on the stack as the walk descends and turned into text only when a
 * violation is reported ("keySchema.1.member.keyType"): most requests have none.
 */
struct path {
    const struct path *up; /* the enclosing path, or NULL at the top */
    const char *member;    /* a structure member's name (first letter lower-cased in text) */
    size_t index;          /* a list element (1-based), when member is NULL and key.p is NULL */
    struct gy_str key;     /* a map entry's key */
};

static void path_text(struct gy_buf *b, const struct path *p)
{
    if (!p)
        return;
    path_text(b, p->up);
    if (p->up)
        gy_buf_putc(b, '.');
    if (p->member) {
        char first = p->member[0];
        gy_buf_putc(b, first >= 'A' && first <= 'Z' ? (char)(first - 'A' + 'a') : first);
        gy_buf_puts(b, p->member + 1);
    } else if (p->key.p) {
        gy_buf_append_str(b, p->key);
        gy_buf_puts(b, ".member");
    } else {
        gy_buf_printf(b, "%zu.member", p->index);
    }
}

struct vctx {
    struct gy_arena *a;
    const struct gy_model_service *svc;
    struct gy_buf msgs; /* "Value ... ; Value ..." */
    int nerr;
};

/* Java-ish rendering of a value for "Value '...'" (lists as [a, b], objects as JSON). */
static void render(struct gy_buf *b, const struct gy_json *j, int depth)
{
    switch (gy_json_type(j)) {
    case GY_JSON_STRING: gy_buf_append_str(b, gy_json_str(j)); break;
    case GY_JSON_TRUE: gy_buf_puts(b, "true"); break;
    case GY_JSON_FALSE: gy_buf_puts(b, "false"); break;
    case GY_JSON_NUMBER: {
        double v = gy_json_num(j);
        int64_t i;
        if (gy_json_int(j, &i))
            gy_buf_printf(b, "%lld", (long long)i);
        else
            gy_buf_printf(b, "%.17g", v);
        break;
    }
    case GY_JSON_ARRAY:
        gy_buf_putc(b, '[');
        for (const struct gy_json *c = gy_json_child(j); c && depth < 8; c = gy_json_next(c)) {
            render(b, c, depth + 1);
            if (gy_json_next(c))
                gy_buf_puts(b, ", ");
        }
        gy_buf_putc(b, ']');
        break;
    case GY_JSON_OBJECT:
        gy_buf_putc(b, '{');
        for (const struct gy_json *c = gy_json_child(j); c && depth < 8; c = gy_json_next(c)) {
            gy_buf_append_str(b, gy_json_key(c));
            gy_buf_putc(b, '=');
            render(b, c, depth + 1);
            if (gy_json_next(c))
                gy_buf_puts(b, ", ");
        }
        gy_buf_putc(b, '}');
        break;
    default: gy_buf_puts(b, "null"); break;
    }
}

static void fail(struct vctx *v, const struct path *path, const struct gy_json *j,
                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void fail(struct vctx *v, const struct path *path, const struct gy_json *j,
                 const char *fmt, ...)
{
    if (++v->nerr > GY_VALIDATE_MAX_ERRORS)
        return;
    if (v->msgs.len)
        gy_buf_puts(&v->msgs, "; ");
    gy_buf_puts(&v->msgs, "Value ");
    if (j && !gy_json_is(j, GY_JSON_NULL)) {
        gy_buf_putc(&v->msgs, '\'');
        render(&v->msgs, j, 0);
        gy_buf_putc(&v->msgs, '\'');
    } else {
        gy_buf_puts(&v->msgs, "null");
    }
    gy_buf_puts(&v->msgs, " at '");
    path_text(&v->msgs, path);
    gy_buf_puts(&v->msgs, "' failed to satisfy constraint: ");
    va_list ap;
    va_start(ap, fmt);
    char *text = gy_arena_vprintf(v->a, fmt, ap);
    va_end(ap);
    gy_buf_puts(&v->msgs, text);
}

/* A bound as AWS prints it: integral values without a fraction. */
static const char *bound(struct gy_arena *a, double x)
{
    if (x == floor(x) && fabs(x) < 9.2e18)
        return gy_arena_printf(a, "%lld", (long long)x);
    return gy_arena_printf(a, "%g", x);
}

/* Length as Java counts it: UTF-16 code units. */
static size_t utf16_len(struct gy_str s)
{
    size_t n = 0;
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.p[i];
        if ((c & 0xc0) != 0x80)
            n += c >= 0xf0 ? 2 : 1;
    }
    return n;
}

/* Decoded size of a base64 text (its validity is the handler's business). */
static size_t b64_len(struct gy_str s)
{
    size_t n = s.len / 4 * 3;
    if (s.len >= 1 && s.p[s.len - 1] == '=')
        n--;
    if (s.len >= 2 && s.p[s.len - 2] == '=')
        n--;
    return n;
}

static void check_length(struct vctx *v, const struct gy_model_shape *sh, const struct path *path,
                         const struct gy_json *j, size_t len)
{
    if ((sh->flags & GY_SHAPE_HAS_MIN) && (double)len < sh->min)
        fail(v, path, j, "Member must have length greater than or equal to %s",
             bound(v->a, sh->min));
    if ((sh->flags & GY_SHAPE_HAS_MAX) && (double)len > sh->max)
        fail(v, path, j, "Member must have length less than or equal to %s",
             bound(v->a, sh->max));
}

static void check_value(struct vctx *v, uint16_t idx, const struct path *path,
                        const struct gy_json *j, int depth);

static void check_struct(struct vctx *v, const struct gy_model_shape *sh,
                         const struct path *path, const struct gy_json *j, int depth)
{
    for (size_t i = 0; i < sh->n; i++) {
        const struct gy_model_member *m = gy_model_member(v->svc, sh, i);
        const struct gy_json *c = gy_json_get(j, m->name);
        bool absent = !c || gy_json_is(c, GY_JSON_NULL);
        if (absent && !(m->flags & GY_MEMBER_REQUIRED))
            continue;
        struct path sub = { .up = path, .member = m->name };
        if (absent) {
            fail(v, &sub, NULL, "Member must not be null");
            continue;
        }
        check_value(v, m->shape, &sub, c, depth + 1);
    }
}

static void check_value(struct vctx *v, uint16_t idx, const struct path *path,
                        const struct gy_json *j, int depth)
{
    const struct gy_model_shape *sh = &v->svc->shapes[idx];
    if (depth > MAX_DEPTH || v->nerr > GY_VALIDATE_MAX_ERRORS || (sh->flags & GY_SHAPE_DOCUMENT))
        return;
    switch (sh->kind) {
    case GY_SHAPE_STRUCTURE: check_struct(v, sh, path, j, depth); break;
    case GY_SHAPE_LIST: {
        check_length(v, sh, path, j, gy_json_count(j));
        size_t i = 1;
        for (const struct gy_json *c = gy_json_child(j); c; c = gy_json_next(c), i++) {
            if (gy_json_is(c, GY_JSON_NULL))
                continue;
            struct path sub = { .up = path, .index = i };
            check_value(v, sh->a, &sub, c, depth + 1);
        }
        break;
    }
    case GY_SHAPE_MAP:
        check_length(v, sh, path, j, gy_json_count(j));
        for (const struct gy_json *c = gy_json_child(j); c; c = gy_json_next(c)) {
            struct gy_str k = gy_json_key(c);
            const struct gy_model_shape *ks = &v->svc->shapes[sh->a];
            if (ks->kind == GY_SHAPE_STRING) {
                /* Key lengths are reported at the map, as AWS words it. */
                if ((ks->flags & (GY_SHAPE_HAS_MIN | GY_SHAPE_HAS_MAX)) &&
                    (((ks->flags & GY_SHAPE_HAS_MIN) && (double)utf16_len(k) < ks->min) ||
                     ((ks->flags & GY_SHAPE_HAS_MAX) && (double)utf16_len(k) > ks->max)))
                    fail(v, path, j, "Map keys must satisfy constraint: [Member must have length "
                                     "less than or equal to %s, Member must have length greater "
                                     "than or equal to %s]",
                         bound(v->a, ks->max), bound(v->a, ks->min));
            }
            struct path sub = { .up = path, .key = k };
            if (!gy_json_is(c, GY_JSON_NULL))
                check_value(v, sh->b, &sub, c, depth + 1);
        }
        break;
    case GY_SHAPE_STRING: {
        struct gy_str s = gy_json_str(j);
        if (!s.p)
            break;
        check_length(v, sh, path, j, utf16_len(s));
        if (sh->enums) {
            bool found = false;
            for (size_t i = 0; i < sh->n && !found; i++)
                found = gy_str_eqc(s, sh->enums[i]);
            if (!found) {
                struct gy_buf set;
                gy_buf_init(&set, 1 << 16);
                for (size_t i = 0; i < sh->n; i++)
                    gy_buf_printf(&set, "%s%s", i ? ", " : "", sh->enums[i]);
                fail(v, path, j, "Member must satisfy enum value set: [%s]", set.p ? set.p : "");
                gy_buf_fini(&set);
            }
        }
        if (sh->pattern && !pattern_ok(v->svc, idx, s))
            fail(v, path, j, "Member must satisfy regular expression pattern: %s", sh->pattern);
        break;
    }
    case GY_SHAPE_BLOB: {
        struct gy_str s = gy_json_str(j);
        if (s.p)
            check_length(v, sh, path, j, b64_len(s));
        break;
    }
    case GY_SHAPE_INTEGER:
    case GY_SHAPE_LONG:
    case GY_SHAPE_FLOAT:
    case GY_SHAPE_DOUBLE: {
        if (!gy_json_is(j, GY_JSON_NUMBER))
            break;
        double x = gy_json_num(j);
        if ((sh->flags & GY_SHAPE_HAS_MIN) && x < sh->min)
            fail(v, path, j, "Member must have value greater than or equal to %s",
                 bound(v->a, sh->min));
        if ((sh->flags & GY_SHAPE_HAS_MAX) && x > sh->max)
            fail(v, path, j, "Member must have value less than or equal to %s",
                 bound(v->a, sh->max));
        break;
    }
    default: break;
    }
}

int gy_validate(struct gy_arena *arena, const struct gy_model_service *svc, uint16_t shape,
                const struct gy_json *input, const char **msg)
{
    const char *why = check_types(arena, svc, shape, input, 0);
    if (why) {
        *msg = why;
        return GY_VALIDATE_SERIALIZATION;
    }
    return gy_validate_constraints(arena, svc, shape, input, msg);
}

int gy_validate_constraints(struct gy_arena *arena, const struct gy_model_service *svc,
                            uint16_t shape, const struct gy_json *input, const char **msg)
{
    struct vctx v = { .a = arena, .svc = svc };
    gy_buf_init(&v.msgs, 1 << 20);
    check_value(&v, shape, NULL, input, 0);
    if (v.nerr == 0) {
        gy_buf_fini(&v.msgs);
        return GY_VALIDATE_OK;
    }
    int shown = v.nerr > GY_VALIDATE_MAX_ERRORS ? GY_VALIDATE_MAX_ERRORS : v.nerr;
    *msg = gy_arena_printf(arena, "%d validation error%s detected: %s", shown,
                           shown > 1 ? "s" : "", v.msgs.p ? v.msgs.p : "");
    gy_buf_fini(&v.msgs);
    return GY_VALIDATE_CONSTRAINT;
}

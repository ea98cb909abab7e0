/*
 * json.c — cJSON behind a validating parse, and a streaming writer. See json.h.
 *
 * cJSON's gaps (LIBEVAL.md): no UTF-8 check, trailing data accepted, duplicate keys kept,
 * "\u0000" truncates strings. We check UTF-8 on the raw body, require the parse to consume the
 * whole input (bar whitespace), and walk the tree once for duplicate keys. Strings and keys may
 * hold U+0000 (DynamoDB allows it): each "\u0000" escape is handed to cJSON as the byte 0xFF,
 * which valid UTF-8 never contains, and turned back into 0x00 after the parse; such a node
 * records its true length (NUL_VALUE: in valueint; NUL_KEY: in the 4 bytes before its key,
 * an arena copy), and the accessors below return slices of that length.
 */
#include "core/json.h"
#include "core/json_int.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/errors.h"
#include "core/mem.h"

static const cJSON *C(const struct gy_json *j)
{
    return (const cJSON *)j;
}

static const struct gy_json *J(const cJSON *c)
{
    return (const struct gy_json *)c;
}

/*
 * Parsed trees live in the request's arena: while gy_json_parse runs, cJSON's allocation hooks
 * bump-allocate from that arena (per thread), and freeing is a no-op, so a tree costs no malloc
 * or free per node and disappears with the arena. Outside a parse the hooks are malloc/free.
 * (Two-thirds of a query-protocol request's allocator time was cJSON nodes.)
 */
static __thread struct gy_arena *parse_arena;

static void *hook_malloc(size_t n)
{
    return parse_arena ? gy_arena_alloc(parse_arena, n) : malloc(n);
}

static void hook_free(void *p)
{
    if (!parse_arena)
        free(p);
}

static void install_hooks(void)
{
    cJSON_Hooks hooks = { hook_malloc, hook_free };
    cJSON_InitHooks(&hooks);
}

static pthread_once_t hooks_once = PTHREAD_ONCE_INIT;

void gy_json__arena_begin(struct gy_arena *arena)
{
    pthread_once(&hooks_once, install_hooks);
    parse_arena = arena;
}

void gy_json__arena_end(void)
{
    parse_arena = NULL;
}

/* Flags of ours in cJSON's type word (cJSON uses the low 10 bits). */
#define NUL_VALUE (1 << 12) /* valuestring holds U+0000; its length is in valueint */
#define NUL_KEY (1 << 13)   /* string holds U+0000; its length is in the 4 bytes before it */
#define NUL_MARK 0xFF       /* stands for an escaped U+0000 during the parse */

/* True when s (the 'u' of "u0000") follows an odd run of backslashes: a real escape. */
static bool is_escape(const char *p, const char *s)
{
    size_t bs = 0;
    for (const char *q = s - 1; q >= p && *q == '\\'; q--)
        bs++;
    return bs & 1;
}

/*
 * A copy of the body with every "\u0000" escape replaced by NUL_MARK, or NULL when it has none.
 * The copy is heap memory the caller frees (cJSON copies what it keeps).
 */
static char *mark_nul_escapes(const char *p, size_t len, size_t *out_len)
{
    const char *s = memmem(p, len, "u0000", 5);
    while (s && !is_escape(p, s))
        s = (size_t)(s + 1 - p) < len ? memmem(s + 1, len - (size_t)(s + 1 - p), "u0000", 5)
                                      : NULL;
    if (!s)
        return NULL;
    char *out = gy_malloc(len + 1);
    size_t o = 0, i = 0;
    while (i < len) {
        if (p[i] == '\\' && i + 5 < len && memcmp(p + i + 1, "u0000", 5) == 0) {
            out[o++] = (char)NUL_MARK;
            i += 6;
        } else if (p[i] == '\\' && i + 1 < len) {
            out[o++] = p[i++];
            out[o++] = p[i++];
        } else {
            out[o++] = p[i++];
        }
    }
    out[o] = '\0';
    *out_len = o;
    return out;
}

static void unmark(char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)p[i] == NUL_MARK)
            p[i] = '\0';
}

/* Turn the marks of every string and key of the tree back into U+0000 (see the top). */
static void restore_nuls(cJSON *c, struct gy_arena *arena)
{
    for (cJSON *a = c->child; a; a = a->next) {
        if (a->string && !(a->type & cJSON_StringIsConst) && strchr(a->string, NUL_MARK)) {
            size_t n = strlen(a->string);
            char *copy = gy_arena_alloc(arena, n + 5);
            uint32_t n32 = (uint32_t)n;
            memcpy(copy, &n32, 4);
            memcpy(copy + 4, a->string, n + 1);
            unmark(copy + 4, n);
            a->string = copy + 4; /* the marked copy is arena memory too */
            a->type |= cJSON_StringIsConst | NUL_KEY; /* arena memory: cJSON must not free it */
        }
        if (cJSON_IsString(a) && a->valuestring && strchr(a->valuestring, NUL_MARK)) {
            size_t n = strlen(a->valuestring);
            unmark(a->valuestring, n);
            a->valueint = (int)n;
            a->type |= NUL_VALUE;
        }
        if (a->child)
            restore_nuls(a, arena);
    }
}

static struct gy_str key_of(const cJSON *c)
{
    if (!c->string)
        return GY_STR_NULL;
    if (c->type & NUL_KEY) {
        uint32_t n;
        memcpy(&n, c->string - 4, 4);
        return (struct gy_str){ c->string, n };
    }
    return gy_str_c(c->string);
}

/*
 * Duplicate keys. Small objects (the usual request shape) compare their keys pairwise. Larger
 * ones sort an array of key pointers and compare neighbours: O(n log n) in the worst case, so a
 * body of a million small keys costs a fraction of a second, and no key choice can degrade it
 * (a hash set would need a keyed hash to be safe from chosen collisions). One scratch array,
 * grown as needed, serves every object of the document.
 */
#define DUP_PAIRWISE_MAX 16

struct dup_scratch {
    struct gy_str *keys; /* keys of the object being checked */
    size_t cap;          /* capacity of keys */
};

static int cmp_key(const void *a, const void *b)
{
    return gy_str_cmp(*(const struct gy_str *)a, *(const struct gy_str *)b);
}

static bool object_has_duplicates(const cJSON *obj, struct dup_scratch *s)
{
    size_t n = 0;
    for (const cJSON *a = obj->child; a; a = a->next)
        n++;
    if (n <= DUP_PAIRWISE_MAX) {
        for (const cJSON *a = obj->child; a; a = a->next)
            for (const cJSON *b = a->next; b; b = b->next)
                if (gy_str_eq(key_of(a), key_of(b)))
                    return true;
        return false;
    }
    if (n > s->cap) {
        s->keys = gy_reallocarray(s->keys, n, sizeof(*s->keys));
        s->cap = n;
    }
    size_t i = 0;
    for (const cJSON *a = obj->child; a; a = a->next)
        s->keys[i++] = key_of(a);
    qsort(s->keys, n, sizeof(*s->keys), cmp_key);
    for (i = 1; i < n; i++)
        if (gy_str_eq(s->keys[i - 1], s->keys[i]))
            return true;
    return false;
}

static bool has_duplicate_keys(const cJSON *c, int depth, struct dup_scratch *s)
{
    if (depth > GY_JSON_MAX_DEPTH)
        return true;
    if (cJSON_IsObject(c) && object_has_duplicates(c, s))
        return true;
    for (const cJSON *a = c->child; a; a = a->next)
        if ((cJSON_IsObject(a) || cJSON_IsArray(a)) && has_duplicate_keys(a, depth + 1, s))
            return true;
    return false;
}

static int parse(struct gy_arena *arena, const char *p, size_t len, const struct gy_json **out,
                 const char **why, bool trusted);

int gy_json_parse(struct gy_arena *arena, const char *p, size_t len, const struct gy_json **out,
                  const char **why)
{
    return parse(arena, p, len, out, why, false);
}

int gy_json_parse_trusted(struct gy_arena *arena, const char *p, size_t len,
                          const struct gy_json **out, const char **why)
{
    return parse(arena, p, len, out, why, true);
}

static int parse(struct gy_arena *arena, const char *p, size_t len, const struct gy_json **out,
                 const char **why, bool trusted)
{
    const char *end = NULL;

    *out = NULL;
    if (!trusted && !gy_utf8_valid(p, len)) {
        *why = "invalid UTF-8";
        return GY_EINVAL;
    }
    if (memchr(p, '\0', len)) {
        *why = "NUL byte in body";
        return GY_EINVAL;
    }
    size_t mlen = 0;
    char *marked = mark_nul_escapes(p, len, &mlen);
    if (marked) {
        p = marked;
        len = mlen;
    }
    pthread_once(&hooks_once, install_hooks);
    parse_arena = arena;
    cJSON *root = cJSON_ParseWithLengthOpts(p, len, &end, 0);
    parse_arena = NULL;
    if (!root) {
        gy_free(marked);
        *why = "malformed JSON";
        return GY_EINVAL;
    }
    if (end) {
        const char *stop = p + len;
        while (end < stop && (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n'))
            end++;
        if (end < stop && *end != '\0') {
            gy_free(marked);
            *why = "trailing data after JSON value";
            return GY_EINVAL;
        }
    }
    if (marked) {
        gy_free(marked);
        if (cJSON_IsString(root) && strchr(root->valuestring, NUL_MARK)) {
            size_t n = strlen(root->valuestring);
            unmark(root->valuestring, n);
            root->valueint = (int)n;
            root->type |= NUL_VALUE;
        }
        restore_nuls(root, arena);
    }
    if (trusted) {
        *out = J(root);
        return 0;
    }
    struct dup_scratch scratch = { NULL, 0 };
    bool dup = has_duplicate_keys(root, 0, &scratch);
    gy_free(scratch.keys);
    if (dup) {
        *why = "duplicate key in object";
        return GY_EINVAL;
    }
    *out = J(root);
    return 0;
}

enum gy_json_type gy_json_type(const struct gy_json *j)
{
    const cJSON *c = C(j);
    if (!c)
        return GY_JSON_INVALID;
    switch (c->type & 0xff) {
    case cJSON_NULL: return GY_JSON_NULL;
    case cJSON_False: return GY_JSON_FALSE;
    case cJSON_True: return GY_JSON_TRUE;
    case cJSON_Number: return GY_JSON_NUMBER;
    case cJSON_String: return GY_JSON_STRING;
    case cJSON_Array: return GY_JSON_ARRAY;
    case cJSON_Object: return GY_JSON_OBJECT;
    default: return GY_JSON_INVALID;
    }
}

const char *gy_json_type_name(const struct gy_json *j)
{
    static const char *names[] = { "invalid", "null", "boolean", "boolean", "number",
                                   "string", "array", "object" };
    return names[gy_json_type(j)];
}

bool gy_json_is(const struct gy_json *j, enum gy_json_type t)
{
    return gy_json_type(j) == t;
}

const struct gy_json *gy_json_get(const struct gy_json *j, const char *key)
{
    if (!j || !cJSON_IsObject(C(j)))
        return NULL;
    /* key holds no U+0000, so a key that does (NUL_KEY) never equals it: plain strcmp on the
     * others, no length computed per member. */
    for (const cJSON *c = C(j)->child; c; c = c->next)
        if (c->string && !(c->type & NUL_KEY) && c->string[0] == key[0] &&
            strcmp(c->string, key) == 0)
            return J(c);
    return NULL;
}

const struct gy_json *gy_json_child(const struct gy_json *j)
{
    if (!j || !(cJSON_IsObject(C(j)) || cJSON_IsArray(C(j))))
        return NULL;
    return J(C(j)->child);
}

const struct gy_json *gy_json_next(const struct gy_json *j)
{
    return j ? J(C(j)->next) : NULL;
}

struct gy_str gy_json_key(const struct gy_json *j)
{
    return j ? key_of(C(j)) : GY_STR_NULL;
}

size_t gy_json_count(const struct gy_json *j)
{
    size_t n = 0;
    for (const struct gy_json *c = gy_json_child(j); c; c = gy_json_next(c))
        n++;
    return n;
}

struct gy_str gy_json_str(const struct gy_json *j)
{
    if (!j || !cJSON_IsString(C(j)))
        return GY_STR_NULL;
    if (C(j)->type & NUL_VALUE)
        return (struct gy_str){ C(j)->valuestring, (size_t)C(j)->valueint };
    return gy_str_c(C(j)->valuestring);
}

double gy_json_num(const struct gy_json *j)
{
    return j && cJSON_IsNumber(C(j)) ? C(j)->valuedouble : 0;
}

bool gy_json_int(const struct gy_json *j, int64_t *out)
{
    if (!j || !cJSON_IsNumber(C(j)))
        return false;
    double d = C(j)->valuedouble;
    if (!(d >= -9.2233720368547e18 && d <= 9.2233720368547e18) || floor(d) != d)
        return false;
    *out = (int64_t)d;
    return true;
}

bool gy_json_bool(const struct gy_json *j, bool *out)
{
    if (!j || !cJSON_IsBool(C(j)))
        return false;
    *out = cJSON_IsTrue(C(j));
    return true;
}

/* ---- writer ---- */

void gy_jw_init(struct gy_jw *w, struct gy_buf *buf)
{
    w->buf = buf;
    w->tree = NULL;
    w->depth = 0;
    w->need_comma[0] = false;
    w->after_key = false;
    w->err = 0;
}

static void put(struct gy_jw *w, const char *p, size_t n)
{
    if (!w->err && gy_buf_append(w->buf, p, n))
        w->err = GY_ETOOBIG;
}

/* Separator before a value or a key at the current level. */
static void sep(struct gy_jw *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->need_comma[w->depth])
        put(w, ",", 1);
    w->need_comma[w->depth] = true;
}

static void open(struct gy_jw *w, char c)
{
    sep(w);
    put(w, &c, 1);
    if (w->depth + 1 >= GY_JW_MAX_DEPTH) {
        w->err = GY_ETOOBIG;
        return;
    }
    w->need_comma[++w->depth] = false;
}

static void close_(struct gy_jw *w, char c)
{
    put(w, &c, 1);
    if (w->depth > 0)
        w->depth--;
}

void gy_jw_obj_begin(struct gy_jw *w)
{
    if (w->tree)
        gy_jw__tree_open(w, true);
    else
        open(w, '{');
}
void gy_jw_obj_end(struct gy_jw *w)
{
    if (w->tree)
        gy_jw__tree_close(w);
    else
        close_(w, '}');
}
void gy_jw_arr_begin(struct gy_jw *w)
{
    if (w->tree)
        gy_jw__tree_open(w, false);
    else
        open(w, '[');
}
void gy_jw_arr_end(struct gy_jw *w)
{
    if (w->tree)
        gy_jw__tree_close(w);
    else
        close_(w, ']');
}

int gy_json_escape(struct gy_buf *b, struct gy_str s)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s.p, *end = p + s.len;
    /* Worst case 6 bytes per input byte plus quotes; reserve once when it fits. */
    if (gy_buf_putc(b, '"'))
        return GY_ETOOBIG;
    while (p < end) {
        const unsigned char *run = p;
        while (p < end && *p >= 0x20 && *p != '"' && *p != '\\')
            p++;
        if (p > run && gy_buf_append(b, run, (size_t)(p - run)))
            return GY_ETOOBIG;
        if (p == end)
            break;
        char esc[7] = { '\\', 0 };
        size_t n = 2;
        switch (*p) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        default:
            esc[1] = 'u', esc[2] = '0', esc[3] = '0';
            esc[4] = hex[*p >> 4], esc[5] = hex[*p & 15];
            n = 6;
        }
        if (gy_buf_append(b, esc, n))
            return GY_ETOOBIG;
        p++;
    }
    return gy_buf_putc(b, '"');
}

void gy_jw_key_str(struct gy_jw *w, struct gy_str key)
{
    if (w->tree) {
        gy_jw__tree_key(w, key);
        return;
    }
    sep(w);
    if (!w->err && gy_json_escape(w->buf, key))
        w->err = GY_ETOOBIG;
    put(w, ":", 1);
    w->after_key = true;
}

void gy_jw_key(struct gy_jw *w, const char *key)
{
    gy_jw_key_str(w, gy_str_c(key));
}

void gy_jw_str(struct gy_jw *w, struct gy_str s)
{
    if (w->tree) {
        gy_jw__tree_str(w, s);
        return;
    }
    sep(w);
    if (!w->err && gy_json_escape(w->buf, s))
        w->err = GY_ETOOBIG;
}

void gy_jw_cstr(struct gy_jw *w, const char *s)
{
    gy_jw_str(w, gy_str_c(s));
}

void gy_jw_int(struct gy_jw *w, int64_t v)
{
    if (w->tree) {
        gy_jw__tree_num(w, (double)v);
        return;
    }
    char tmp[20];
    size_t n = gy_fmt_i64(v, tmp); /* no printf: integers are much of what responses carry */
    sep(w);
    put(w, tmp, n);
}

void gy_jw_uint(struct gy_jw *w, uint64_t v)
{
    if (w->tree) {
        gy_jw__tree_num(w, (double)v);
        return;
    }
    char tmp[24];
    char *p = tmp + sizeof(tmp);
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    sep(w);
    put(w, p, (size_t)(tmp + sizeof(tmp) - p));
}

void gy_jw_double(struct gy_jw *w, double v)
{
    if (w->tree) {
        gy_jw__tree_num(w, isfinite(v) ? v : 0);
        return;
    }
    char tmp[32];
    int n;
    if (!isfinite(v))
        v = 0;
    if (v == floor(v) && fabs(v) < 1e15) {
        gy_jw_int(w, (int64_t)v);
        return;
    } else {
        n = snprintf(tmp, sizeof(tmp), "%.15g", v);
        if (strtod(tmp, NULL) != v)
            n = snprintf(tmp, sizeof(tmp), "%.17g", v);
    }
    sep(w);
    put(w, tmp, (size_t)n);
}

void gy_jw_bool(struct gy_jw *w, bool v)
{
    if (w->tree) {
        gy_jw__tree_bool(w, v);
        return;
    }
    sep(w);
    if (v)
        put(w, "true", 4);
    else
        put(w, "false", 5);
}

void gy_jw_null(struct gy_jw *w)
{
    if (w->tree) {
        gy_jw__tree_null(w);
        return;
    }
    sep(w);
    put(w, "null", 4);
}

void gy_jw_raw(struct gy_jw *w, struct gy_str json)
{
    if (w->tree) {
        gy_jw__tree_raw(w, json);
        return;
    }
    sep(w);
    put(w, json.p, json.len);
}

/*
 * parser.c — recursive-descent parser for DynamoDB's PartiQL statements:
 *
 *   SELECT * | path [, path ...] FROM table[."index"] [WHERE cond] [ORDER BY path [ASC|DESC]]
 *   INSERT INTO table VALUE value
 *   UPDATE table (SET path = expr [, ...] | REMOVE path [, ...])... [WHERE cond]
 *          [RETURNING (ALL|MODIFIED) (OLD|NEW) *]
 *   DELETE FROM table [WHERE cond] [RETURNING ALL OLD *]
 *   EXISTS(SELECT * FROM table WHERE cond)          (transactions only; checked by the caller)
 *
 * Conditions: OR < AND < NOT < comparison (= <> != < <= > >=, BETWEEN, IN, IS [NOT]
 * MISSING|NULL) < + - < primary (literal, ?, path, function call, {map}, [list], <<bag>>,
 * parenthesized condition). Depth is bounded by GY_PQL_MAX_DEPTH so hostile input cannot
 * exhaust the stack. Whether a construct makes sense for its statement is the planner's job.
 */
#include "dynamodb/partiql/partiql_int.h"

#include <stdarg.h>
#include <string.h>

#include "core/arena.h"

struct parser {
    struct gy_arena *a;
    const struct gy_pql__tok *t; /* tokens, ending with END */
    size_t i;                    /* current token */
    int depth;                   /* current nesting */
    uint32_t nparams;            /* ? seen so far */
    struct gy_error *err;
    bool failed;                 /* an error was recorded */
};

/* Words that end or structure a clause and so cannot start a bare path. */
static const char *const reserved[] = {
    "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "BETWEEN", "IN", "IS", "SET", "REMOVE",
    "RETURNING", "VALUE", "VALUES", "INTO", "INSERT", "UPDATE", "DELETE", "EXISTS", "ORDER",
    "BY", "MISSING", "NULL", "TRUE", "FALSE",
};

static const struct gy_pql__tok *cur(const struct parser *p)
{
    return &p->t[p->i];
}

static bool is_kw(const struct gy_pql__tok *t, const char *word)
{
    return t->kind == GY_PTK_ID && gy_str_caseeqc(t->text, word);
}

static bool is_reserved(const struct gy_pql__tok *t)
{
    for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
        if (is_kw(t, reserved[i]))
            return true;
    return false;
}

static bool accept_kw(struct parser *p, const char *word)
{
    if (!is_kw(cur(p), word))
        return false;
    p->i++;
    return true;
}

static bool accept(struct parser *p, enum gy_pql__tk kind)
{
    if (cur(p)->kind != kind)
        return false;
    p->i++;
    return true;
}

/* Record "Statement wasn't well formed" with a detail; returns GY_EAWS. */
static int fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct parser *p, const char *fmt, ...)
{
    if (p->failed)
        return GY_EAWS;
    va_list ap;
    va_start(ap, fmt);
    char *detail = gy_arena_vprintf(p->a, fmt, ap);
    va_end(ap);
    p->failed = true;
    return gy_error_set(p->err, p->a, GY_AWS_VALIDATION,
                        "Statement wasn't well formed, can't be processed: %s", detail);
}

/* A specific DynamoDB message (no "wasn't well formed" prefix). */
static int fail_plain(struct parser *p, const char *msg)
{
    if (p->failed)
        return GY_EAWS;
    p->failed = true;
    return gy_error_set(p->err, p->a, GY_AWS_VALIDATION, "%s", msg);
}

/* The error for the current token being unexpected. */
static int unexpected(struct parser *p)
{
    const struct gy_pql__tok *t = cur(p);
    if (t->kind == GY_PTK_END)
        return fail(p, "Unexpected end of statement");
    if ((t->kind == GY_PTK_STR || t->kind == GY_PTK_QID) && t->unterminated)
        return fail(p, "Unterminated %s at position %u",
                    t->kind == GY_PTK_STR ? "string literal" : "quoted identifier", t->pos + 1);
    const struct gy_str s = t->kind == GY_PTK_STR || t->kind == GY_PTK_QID
                                ? (struct gy_str){ "quoted text", 11 }
                                : t->text;
    int shown = s.len > 40 ? 40 : (int)s.len;
    if (t->kind == GY_PTK_BAD)
        return fail(p, "Unexpected character '%.*s' at position %u", shown, s.p, t->pos + 1);
    return fail(p, "Unexpected %s '%.*s' at position %u",
                t->kind == GY_PTK_ID && is_reserved(t) ? "keyword" : "token", shown, s.p,
                t->pos + 1);
}

static int expect(struct parser *p, enum gy_pql__tk kind)
{
    return accept(p, kind) ? 0 : unexpected(p);
}

static int expect_kw(struct parser *p, const char *word)
{
    return accept_kw(p, word) ? 0 : unexpected(p);
}

static int enter(struct parser *p)
{
    if (++p->depth > GY_PQL_MAX_DEPTH)
        return fail(p, "Statement nesting exceeds the maximum depth of %d", GY_PQL_MAX_DEPTH);
    return 0;
}

static struct gy_pql_node *node(struct parser *p, enum gy_pql_node_kind kind)
{
    struct gy_pql_node *n = gy_arena_zalloc(p->a, sizeof(*n));
    n->kind = kind;
    return n;
}

/* A growable arena array of node pointers. */
struct kids {
    const struct gy_pql_node **v;
    struct gy_str *keys;
    uint32_t n, cap;
};

static void kids_push(struct parser *p, struct kids *k, const struct gy_pql_node *n,
                      struct gy_str key)
{
    if (k->n == k->cap) {
        uint32_t cap = k->cap ? k->cap * 2 : 4;
        k->v = gy_arena_realloc(p->a, k->v, k->cap * sizeof(*k->v), cap * sizeof(*k->v));
        k->keys = gy_arena_realloc(p->a, k->keys, k->cap * sizeof(*k->keys),
                                   cap * sizeof(*k->keys));
        k->cap = cap;
    }
    k->keys[k->n] = key;
    k->v[k->n++] = n;
}

/* ---- paths ---- */

/* A path: name or "name", then .name, ."name" or [N]. */
static int parse_path(struct parser *p, struct gy_pql_path *out)
{
    const struct gy_pql__tok *t = cur(p);
    uint32_t n = 0, cap = 4;
    struct gy_pql_elem *e = gy_arena_calloc(p->a, cap, sizeof(*e));

    if (!(t->kind == GY_PTK_QID && !t->unterminated) && !(t->kind == GY_PTK_ID && !is_reserved(t)))
        return unexpected(p);
    e[n++].name = t->text;
    p->i++;
    for (;;) {
        if (n == cap) {
            e = gy_arena_realloc(p->a, e, cap * sizeof(*e), cap * 2 * sizeof(*e));
            cap *= 2;
        }
        if (accept(p, GY_PTK_DOT)) {
            t = cur(p);
            if (t->kind != GY_PTK_ID && !(t->kind == GY_PTK_QID && !t->unterminated))
                return unexpected(p);
            memset(&e[n], 0, sizeof(e[n]));
            e[n++].name = t->text;
            p->i++;
        } else if (accept(p, GY_PTK_LBRACK)) {
            t = cur(p);
            uint64_t v = 0;
            if (t->kind != GY_PTK_NUM)
                return unexpected(p);
            for (size_t k = 0; k < t->text.len; k++) {
                char c = t->text.p[k];
                if (c < '0' || c > '9' || v > UINT32_MAX / 10)
                    return fail(p, "Invalid list index '%.*s'", (int)t->text.len, t->text.p);
                v = v * 10 + (uint64_t)(c - '0');
            }
            if (v > UINT32_MAX)
                return fail(p, "Invalid list index '%.*s'", (int)t->text.len, t->text.p);
            p->i++;
            if (expect(p, GY_PTK_RBRACK))
                return GY_EAWS;
            memset(&e[n], 0, sizeof(e[n]));
            e[n].is_index = true;
            e[n++].index = (uint32_t)v;
        } else {
            break;
        }
    }
    for (uint32_t k = 0; k < n; k++)
        if (!e[k].is_index && e[k].name.len == 0)
            return fail_plain(p, "Path component cannot be an empty string");
    out->e = e;
    out->n = n;
    return 0;
}

/* ---- expressions ---- */

static const struct gy_pql_node *parse_cond(struct parser *p);
static const struct gy_pql_node *parse_additive(struct parser *p);

/* Elements up to the closing token, separated by commas (maps read 'key': value). */
static int parse_seq(struct parser *p, enum gy_pql__tk close, bool is_map, struct kids *k)
{
    if (accept(p, close))
        return 0;
    for (;;) {
        struct gy_str key = GY_STR_NULL;
        if (is_map) {
            const struct gy_pql__tok *t = cur(p);
            if (t->kind != GY_PTK_STR || t->unterminated)
                return unexpected(p);
            key = t->text;
            p->i++;
            if (expect(p, GY_PTK_COLON))
                return GY_EAWS;
        }
        const struct gy_pql_node *v = parse_additive(p);
        if (!v)
            return GY_EAWS;
        kids_push(p, k, v, key);
        if (accept(p, close))
            return 0;
        if (expect(p, GY_PTK_COMMA))
            return GY_EAWS;
    }
}

static const struct gy_pql_node *parse_container(struct parser *p, enum gy_pql_node_kind kind,
                                                 enum gy_pql__tk close)
{
    struct kids k = { 0 };
    if (enter(p) || parse_seq(p, close, kind == GY_PQL_MAP, &k))
        return NULL;
    p->depth--;
    struct gy_pql_node *n = node(p, kind);
    n->kids = k.v;
    n->keys = kind == GY_PQL_MAP ? k.keys : NULL;
    n->n = k.n;
    return n;
}

static const struct gy_pql_node *parse_call(struct parser *p)
{
    struct gy_pql_node *n = node(p, GY_PQL_CALL);
    struct gy_str name = cur(p)->text;
    char *lower = gy_arena_strndup(p->a, name.p, name.len);
    for (size_t i = 0; i < name.len; i++)
        if (lower[i] >= 'A' && lower[i] <= 'Z')
            lower[i] = (char)(lower[i] - 'A' + 'a');
    n->text = (struct gy_str){ lower, name.len };
    p->i += 2; /* name ( */
    struct kids k = { 0 };
    if (enter(p) || parse_seq(p, GY_PTK_RPAREN, false, &k))
        return NULL;
    p->depth--;
    n->kids = k.v;
    n->n = k.n;
    return n;
}

static const struct gy_pql_node *parse_primary(struct parser *p)
{
    const struct gy_pql__tok *t = cur(p);
    struct gy_pql_node *n;

    switch (t->kind) {
    case GY_PTK_NUM:
        n = node(p, GY_PQL_NUMBER);
        n->text = t->text;
        p->i++;
        return n;
    case GY_PTK_MINUS:
        if (p->t[p->i + 1].kind != GY_PTK_NUM)
            break;
        n = node(p, GY_PQL_NUMBER);
        n->text = gy_str_c(gy_arena_printf(p->a, "-%.*s", (int)p->t[p->i + 1].text.len,
                                           p->t[p->i + 1].text.p));
        p->i += 2;
        return n;
    case GY_PTK_STR:
        if (t->unterminated)
            break;
        n = node(p, GY_PQL_STRING);
        n->text = t->text;
        p->i++;
        return n;
    case GY_PTK_PARAM:
        n = node(p, GY_PQL_PARAM);
        n->param = p->nparams++;
        p->i++;
        return n;
    case GY_PTK_LBRACE:
        p->i++;
        return parse_container(p, GY_PQL_MAP, GY_PTK_RBRACE);
    case GY_PTK_LBRACK:
        p->i++;
        return parse_container(p, GY_PQL_LIST, GY_PTK_RBRACK);
    case GY_PTK_LBAG:
        p->i++;
        return parse_container(p, GY_PQL_BAG, GY_PTK_RBAG);
    case GY_PTK_LPAREN: {
        p->i++;
        if (enter(p))
            return NULL;
        const struct gy_pql_node *inner = parse_cond(p);
        if (!inner || expect(p, GY_PTK_RPAREN))
            return NULL;
        p->depth--;
        return inner;
    }
    case GY_PTK_ID:
        if (accept_kw(p, "TRUE"))
            return node(p, GY_PQL_TRUE);
        if (accept_kw(p, "FALSE"))
            return node(p, GY_PQL_FALSE);
        if (accept_kw(p, "NULL"))
            return node(p, GY_PQL_NULL);
        if (accept_kw(p, "MISSING"))
            return node(p, GY_PQL_MISSING);
        if (p->t[p->i + 1].kind == GY_PTK_LPAREN && !is_reserved(t))
            return parse_call(p);
        /* fall through */
    case GY_PTK_QID:
        n = node(p, GY_PQL_PATH);
        if (parse_path(p, &n->path))
            return NULL;
        return n;
    default:
        break;
    }
    unexpected(p);
    return NULL;
}

static const struct gy_pql_node *binary(struct parser *p, enum gy_pql_node_kind kind, int op,
                                        const struct gy_pql_node *l, const struct gy_pql_node *r)
{
    struct gy_pql_node *n = node(p, kind);
    const struct gy_pql_node **k = gy_arena_calloc(p->a, 2, sizeof(*k));
    k[0] = l;
    k[1] = r;
    n->op = op;
    n->kids = k;
    n->n = 2;
    return n;
}

static const struct gy_pql_node *parse_additive(struct parser *p)
{
    const struct gy_pql_node *l = parse_primary(p);
    while (l) {
        int op = cur(p)->kind == GY_PTK_PLUS ? '+' : cur(p)->kind == GY_PTK_MINUS ? '-' : 0;
        if (!op)
            break;
        p->i++;
        const struct gy_pql_node *r = parse_primary(p);
        if (!r)
            return NULL;
        l = binary(p, GY_PQL_ARITH, op, l, r);
    }
    return l;
}

static int cmp_op(enum gy_pql__tk k)
{
    switch (k) {
    case GY_PTK_EQ: return GY_PQL_EQ;
    case GY_PTK_NE: return GY_PQL_NE;
    case GY_PTK_LT: return GY_PQL_LT;
    case GY_PTK_LE: return GY_PQL_LE;
    case GY_PTK_GT: return GY_PQL_GT;
    case GY_PTK_GE: return GY_PQL_GE;
    default: return 0;
    }
}

static const struct gy_pql_node *negate(struct parser *p, const struct gy_pql_node *x)
{
    struct gy_pql_node *n = node(p, GY_PQL_NOT);
    const struct gy_pql_node **k = gy_arena_calloc(p->a, 1, sizeof(*k));
    k[0] = x;
    n->kids = k;
    n->n = 1;
    return n;
}

/* BETWEEN or IN after lhs (the keyword already read). */
static const struct gy_pql_node *parse_range(struct parser *p, const struct gy_pql_node *lhs,
                                             bool is_in)
{
    struct kids k = { 0 };
    kids_push(p, &k, lhs, GY_STR_NULL);
    if (is_in) {
        enum gy_pql__tk close;
        if (accept(p, GY_PTK_LBRACK))
            close = GY_PTK_RBRACK;
        else if (accept(p, GY_PTK_LPAREN))
            close = GY_PTK_RPAREN;
        else {
            unexpected(p);
            return NULL;
        }
        if (enter(p) || parse_seq(p, close, false, &k))
            return NULL;
        p->depth--;
    } else {
        const struct gy_pql_node *lo = parse_additive(p);
        if (!lo || expect_kw(p, "AND"))
            return NULL;
        const struct gy_pql_node *hi = parse_additive(p);
        if (!hi)
            return NULL;
        kids_push(p, &k, lo, GY_STR_NULL);
        kids_push(p, &k, hi, GY_STR_NULL);
    }
    struct gy_pql_node *n = node(p, is_in ? GY_PQL_IN : GY_PQL_BETWEEN);
    n->kids = k.v;
    n->n = k.n;
    return n;
}

static const struct gy_pql_node *parse_predicate(struct parser *p)
{
    const struct gy_pql_node *l = parse_additive(p);
    if (!l)
        return NULL;
    int op = cmp_op(cur(p)->kind);
    if (op) {
        p->i++;
        const struct gy_pql_node *r = parse_additive(p);
        return r ? binary(p, GY_PQL_CMP, op, l, r) : NULL;
    }
    if (accept_kw(p, "IS")) {
        struct gy_pql_node *n = node(p, GY_PQL_IS);
        const struct gy_pql_node **k = gy_arena_calloc(p->a, 1, sizeof(*k));
        k[0] = l;
        n->kids = k;
        n->n = 1;
        n->negated = accept_kw(p, "NOT");
        if (accept_kw(p, "NULL"))
            n->is_null = true;
        else if (!accept_kw(p, "MISSING")) {
            unexpected(p);
            return NULL;
        }
        return n;
    }
    bool neg = false;
    if (is_kw(cur(p), "NOT") &&
        (is_kw(&p->t[p->i + 1], "BETWEEN") || is_kw(&p->t[p->i + 1], "IN"))) {
        neg = true;
        p->i++;
    }
    const struct gy_pql_node *r = NULL;
    if (accept_kw(p, "BETWEEN"))
        r = parse_range(p, l, false);
    else if (accept_kw(p, "IN"))
        r = parse_range(p, l, true);
    else
        return l;
    return r && neg ? negate(p, r) : r;
}

static const struct gy_pql_node *parse_not(struct parser *p)
{
    if (!accept_kw(p, "NOT"))
        return parse_predicate(p);
    if (enter(p))
        return NULL;
    const struct gy_pql_node *x = parse_not(p);
    p->depth--;
    return x ? negate(p, x) : NULL;
}

static const struct gy_pql_node *parse_and(struct parser *p)
{
    const struct gy_pql_node *l = parse_not(p);
    while (l && accept_kw(p, "AND")) {
        const struct gy_pql_node *r = parse_not(p);
        l = r ? binary(p, GY_PQL_AND, 0, l, r) : NULL;
    }
    return l;
}

static const struct gy_pql_node *parse_cond(struct parser *p)
{
    const struct gy_pql_node *l = parse_and(p);
    while (l && accept_kw(p, "OR")) {
        const struct gy_pql_node *r = parse_and(p);
        l = r ? binary(p, GY_PQL_OR, 0, l, r) : NULL;
    }
    return l;
}

/* ---- statements ---- */

static int parse_table(struct parser *p, struct gy_pql_stmt *s, bool allow_index)
{
    const struct gy_pql__tok *t = cur(p);
    if (!(t->kind == GY_PTK_QID && !t->unterminated) && !(t->kind == GY_PTK_ID && !is_reserved(t)))
        return unexpected(p);
    s->table = t->text;
    p->i++;
    if (cur(p)->kind == GY_PTK_DOT) {
        if (!allow_index)
            return fail_plain(p, "FROM clause may only contain a single table name in data "
                                 "manipulation statements");
        p->i++;
        t = cur(p);
        if (!(t->kind == GY_PTK_QID && !t->unterminated) && t->kind != GY_PTK_ID)
            return unexpected(p);
        s->index = t->text;
        p->i++;
        if (cur(p)->kind == GY_PTK_DOT)
            return fail_plain(p, "A path may contain at most 2 components in the FROM clause");
    }
    return 0;
}

static int parse_where(struct parser *p, struct gy_pql_stmt *s)
{
    if (!accept_kw(p, "WHERE"))
        return 0;
    s->where = parse_cond(p);
    return s->where ? 0 : GY_EAWS;
}

static int parse_select(struct parser *p, struct gy_pql_stmt *s)
{
    s->kind = GY_PQL_SELECT;
    if (accept(p, GY_PTK_STAR)) {
        s->star = true;
        if (cur(p)->kind == GY_PTK_COMMA)
            return fail_plain(p, "Other attributes should not be present in the projection "
                                 "when '*' is used.");
    } else {
        uint32_t cap = 4;
        struct gy_pql_path *v = gy_arena_calloc(p->a, cap, sizeof(*v));
        do {
            if (cur(p)->kind == GY_PTK_STAR)
                return fail_plain(p, "Other attributes should not be present in the projection "
                                     "when '*' is used.");
            if (s->nproj == cap) {
                v = gy_arena_realloc(p->a, v, cap * sizeof(*v), cap * 2 * sizeof(*v));
                cap *= 2;
            }
            if (parse_path(p, &v[s->nproj]))
                return GY_EAWS;
            s->nproj++;
        } while (accept(p, GY_PTK_COMMA));
        s->proj = v;
    }
    if (expect_kw(p, "FROM") || parse_table(p, s, true) || parse_where(p, s))
        return GY_EAWS;
    if (accept_kw(p, "ORDER")) {
        if (expect_kw(p, "BY") || parse_path(p, &s->order_by))
            return GY_EAWS;
        if (accept_kw(p, "DESC"))
            s->order_desc = true;
        else
            accept_kw(p, "ASC");
        if (cur(p)->kind == GY_PTK_COMMA)
            return fail_plain(p, "Unsupported clause: ORDER BY with more than one key");
    }
    return 0;
}

static int parse_insert(struct parser *p, struct gy_pql_stmt *s)
{
    s->kind = GY_PQL_INSERT;
    if (expect_kw(p, "INTO") || parse_table(p, s, false))
        return GY_EAWS;
    if (is_kw(cur(p), "VALUES"))
        return fail_plain(p, "Unsupported operation: Inserting multiple items in a single "
                             "statement is not supported, use \"INSERT INTO tableName VALUE "
                             "item\" instead");
    if (expect_kw(p, "VALUE"))
        return GY_EAWS;
    if (cur(p)->kind == GY_PTK_LBAG)
        return fail_plain(p, "Unsupported operation: Inserting multiple items in a single "
                             "statement is not supported, use \"INSERT INTO tableName VALUE "
                             "item\" instead");
    s->value = parse_primary(p);
    if (!s->value)
        return GY_EAWS;
    if (is_kw(cur(p), "RETURNING"))
        return fail_plain(p, "RETURNING is not supported in INSERT");
    if (is_kw(cur(p), "FROM") || is_kw(cur(p), "WHERE"))
        return fail_plain(p, "Unsupported FROM ... WHERE ... clause in INSERT statement.");
    return 0;
}

static int parse_returning(struct parser *p, struct gy_pql_stmt *s)
{
    if (!accept_kw(p, "RETURNING"))
        return 0;
    bool all = accept_kw(p, "ALL");
    if (!all && !accept_kw(p, "MODIFIED"))
        return unexpected(p);
    bool old = accept_kw(p, "OLD");
    if (!old && !accept_kw(p, "NEW"))
        return unexpected(p);
    if (!accept(p, GY_PTK_STAR))
        return fail_plain(p, "Expected '*' after ( MODIFIED | ALL ) ( NEW | OLD ) in RETURNING "
                             "clause");
    if (cur(p)->kind == GY_PTK_COMMA)
        return fail_plain(p, "Invalid syntax with multiple returning elements in RETURNING "
                             "clause");
    s->returning = all ? (old ? GY_PQL_RET_ALL_OLD : GY_PQL_RET_ALL_NEW)
                       : (old ? GY_PQL_RET_MODIFIED_OLD : GY_PQL_RET_MODIFIED_NEW);
    if (s->kind == GY_PQL_DELETE && s->returning != GY_PQL_RET_ALL_OLD) {
        p->failed = true;
        return gy_error_set(p->err, p->a, GY_AWS_VALIDATION,
                            "Invalid returning clause: RETURNING %s %s *. Only RETURNING ALL OLD "
                            "* is allowed in DELETE statements.",
                            all ? "ALL" : "MODIFIED", old ? "OLD" : "NEW");
    }
    return 0;
}

static int parse_update(struct parser *p, struct gy_pql_stmt *s)
{
    uint32_t cap = 4;
    struct gy_pql_assign *v = gy_arena_calloc(p->a, cap, sizeof(*v));

    s->kind = GY_PQL_UPDATE;
    if (parse_table(p, s, false))
        return GY_EAWS;
    for (;;) {
        bool remove;
        if (accept_kw(p, "SET"))
            remove = false;
        else if (accept_kw(p, "REMOVE"))
            remove = true;
        else
            break;
        do {
            if (s->nassign == cap) {
                v = gy_arena_realloc(p->a, v, cap * sizeof(*v), cap * 2 * sizeof(*v));
                cap *= 2;
            }
            struct gy_pql_assign *x = &v[s->nassign];
            x->remove = remove;
            if (parse_path(p, &x->path))
                return GY_EAWS;
            if (!remove) {
                if (expect(p, GY_PTK_EQ))
                    return GY_EAWS;
                x->value = parse_additive(p);
                if (!x->value)
                    return GY_EAWS;
            }
            s->nassign++;
        } while (accept(p, GY_PTK_COMMA));
    }
    if (!s->nassign)
        return unexpected(p);
    s->assign = v;
    return parse_where(p, s) || parse_returning(p, s) ? GY_EAWS : 0;
}

static int parse_statement(struct parser *p, struct gy_pql_stmt *s)
{
    if (accept_kw(p, "SELECT"))
        return parse_select(p, s);
    if (accept_kw(p, "INSERT"))
        return parse_insert(p, s);
    if (accept_kw(p, "UPDATE"))
        return parse_update(p, s);
    if (accept_kw(p, "DELETE")) {
        s->kind = GY_PQL_DELETE;
        return expect_kw(p, "FROM") || parse_table(p, s, false) || parse_where(p, s) ||
                       parse_returning(p, s)
                   ? GY_EAWS
                   : 0;
    }
    if (accept_kw(p, "EXISTS")) {
        if (expect(p, GY_PTK_LPAREN) || expect_kw(p, "SELECT") || parse_select(p, s) ||
            expect(p, GY_PTK_RPAREN))
            return GY_EAWS;
        s->kind = GY_PQL_EXISTS;
        return 0;
    }
    return fail(p, "Expected data manipulation");
}

int gy_pql_parse(struct gy_arena *a, struct gy_str text, const struct gy_pql_stmt **out,
                 struct gy_error *err)
{
    struct parser p = { .a = a, .err = err };
    size_t n;
    struct gy_pql_stmt *s = gy_arena_zalloc(a, sizeof(*s));

    *out = NULL;
    /* Requests cannot carry these (JSON refuses them); refuse them here too. */
    if (!gy_utf8_valid(text.p, text.len) || (text.len && memchr(text.p, 0, text.len)))
        return fail(&p, "Statement is not valid UTF-8 text");
    p.t = gy_pql__lex(a, text, &n);
    if (parse_statement(&p, s))
        return GY_EAWS;
    accept(&p, GY_PTK_SEMI);
    if (cur(&p)->kind != GY_PTK_END)
        return unexpected(&p);
    if (s->table.len == 0) {
        p.failed = false;
        return fail(&p, "Table name cannot be empty");
    }
    s->nparams = p.nparams;
    *out = s;
    return 0;
}

bool gy_pql_is_read(const struct gy_pql_stmt *s)
{
    return s->kind == GY_PQL_SELECT;
}

/*
 * parser.c — recursive-descent parsers for condition, update and projection expressions,
 * producing the parse tree of expr_int.h (semantic checks are in check.c).
 *
 * Grammar (keywords any case):
 *   condition := and (OR and)* ; and := not (AND not)* ; not := NOT not | primary
 *   primary   := '(' condition-or-operand ')' [tail] | operand tail
 *   tail      := comparator operand | BETWEEN operand AND operand | IN '(' operand,... ')'
 *                (a function call needs no tail: it is a condition by itself)
 *   operand   := :value | path | name '(' operand,... ')' | '(' operand ')'
 *   path      := (name | #name) ('.' (name | #name) | '[' int ']')*
 *   update    := (SET set,... | REMOVE path,... | ADD path :value,... | DELETE path :value,...)+
 *   set       := path '=' value ; value := operand [(+|-) operand] | '(' value ')' [...]
 *   projection:= path (',' path)*
 * A parenthesis after '(' is read without backtracking: what is inside decides whether the
 * group is an operand (a comparison may follow) or a condition. On failure fail_at is the
 * furthest token reached, which is what DynamoDB quotes in "Syntax error; token: ...". Two
 * parentheses straight around the same thing are refused at once ("redundant parentheses").
 * Operators are counted as they are read and parsing stops at the 301st; nesting is bounded by
 * GY_EXPR__MAX_DEPTH (see expr_int.h), so the recursion depth is bounded whatever the text.
 */
#include "dynamodb/expr/expr_int.h"

#include <string.h>

static enum gy_expr__tk peek(const struct gy_expr__parser *p)
{
    return p->toks.t[p->i].kind;
}

static enum gy_expr__tk peek2(const struct gy_expr__parser *p)
{
    return p->i + 1 < p->toks.n ? p->toks.t[p->i + 1].kind : GY_TK_EOF;
}

static void advance(struct gy_expr__parser *p)
{
    if (p->i + 1 < p->toks.n)
        p->i++;
}

static void *fail(struct gy_expr__parser *p)
{
    if (p->err == GY_PERR_NONE)
        p->err = GY_PERR_SYNTAX;
    if (p->err == GY_PERR_SYNTAX && p->i > p->fail_at)
        p->fail_at = p->i;
    return NULL;
}

/* Count one operator; false (and parsing stops) past DynamoDB's limit. */
static bool count_op(struct gy_expr__parser *p)
{
    if (++p->nops <= GY_EXPR__MAX_OPS)
        return true;
    if (p->err == GY_PERR_NONE)
        p->err = GY_PERR_OPS;
    return false;
}

/*
 * Enter one level of nesting; false (and parsing stops) past GY_EXPR__MAX_DEPTH. So deep a
 * nesting cannot hold an operator at every level, so the expression is refused for what its
 * parentheses are: left open, a syntax error at the end (where a full parse would stop), else
 * redundant.
 */
static bool enter(struct gy_expr__parser *p)
{
    if (++p->depth <= GY_EXPR__MAX_DEPTH)
        return true;
    if (p->err != GY_PERR_NONE)
        return false;
    int64_t open = 0;
    for (uint32_t i = 0; i < p->toks.n; i++)
        open += p->toks.t[i].kind == GY_TK_LP ? 1 : p->toks.t[i].kind == GY_TK_RP ? -1 : 0;
    if (open > 0) {
        p->err = GY_PERR_SYNTAX;
        p->fail_at = p->toks.n - 1;
    } else {
        p->err = GY_PERR_PARENS;
    }
    return false;
}

static bool expect(struct gy_expr__parser *p, enum gy_expr__tk k)
{
    if (peek(p) != k) {
        fail(p);
        return false;
    }
    advance(p);
    return true;
}

static struct gy_expr__pn *node(struct gy_expr__parser *p, enum gy_expr__pk kind, uint32_t tok)
{
    struct gy_expr__pn *n = gy_arena_zalloc(p->a, sizeof(*n));
    n->kind = kind;
    n->tok = tok;
    return n;
}

/* Append a child, growing the array in powers of two. */
static void add_kid(struct gy_expr__parser *p, struct gy_expr__pn *n, struct gy_expr__pn *kid)
{
    if ((n->n & (n->n - 1)) == 0) {
        uint32_t cap = n->n ? n->n * 2 : 1;
        n->kids = gy_arena_realloc(p->a, n->kids, n->n * sizeof(*n->kids), cap * sizeof(*n->kids));
    }
    n->kids[n->n++] = kid;
}

static void add_elem(struct gy_expr__parser *p, struct gy_expr__pn *n, uint32_t tok, bool index)
{
    if ((n->n & (n->n - 1)) == 0) {
        uint32_t cap = n->n ? n->n * 2 : 1;
        n->elems = gy_arena_realloc(p->a, n->elems, n->n * sizeof(*n->elems),
                                    cap * sizeof(*n->elems));
    }
    n->elems[n->n++] = (struct gy_expr__pelem){ tok, index };
}

/* Mark n as parenthesized, refusing a second pair around the same thing. */
static struct gy_expr__pn *paren(struct gy_expr__parser *p, struct gy_expr__pn *n)
{
    if (n->paren) {
        p->err = GY_PERR_PARENS;
        return NULL;
    }
    n->paren = true;
    return n;
}

static bool is_cond(const struct gy_expr__pn *n)
{
    return n->kind == GY_PN_CMP || n->kind == GY_PN_BETWEEN || n->kind == GY_PN_IN ||
           n->kind == GY_PN_AND || n->kind == GY_PN_OR || n->kind == GY_PN_NOT;
}

static struct gy_expr__pn *parse_path(struct gy_expr__parser *p)
{
    enum gy_expr__tk k = peek(p);
    if (k != GY_TK_ID && k != GY_TK_NAME)
        return fail(p);
    struct gy_expr__pn *n = node(p, GY_PN_PATH, p->i);
    add_elem(p, n, p->i, false);
    advance(p);
    for (;;) {
        k = peek(p);
        if (k == GY_TK_DOT) {
            advance(p);
            k = peek(p);
            if (k != GY_TK_ID && k != GY_TK_NAME)
                return fail(p);
            add_elem(p, n, p->i, false);
            advance(p);
        } else if (k == GY_TK_LB) {
            advance(p);
            if (peek(p) != GY_TK_INT)
                return fail(p);
            add_elem(p, n, p->i, true);
            advance(p);
            if (!expect(p, GY_TK_RB))
                return NULL;
        } else {
            return n;
        }
    }
}

static struct gy_expr__pn *parse_operand(struct gy_expr__parser *p);

/* name '(' operand (',' operand)* ')' */
static struct gy_expr__pn *parse_call(struct gy_expr__parser *p)
{
    struct gy_expr__pn *n = node(p, GY_PN_CALL, p->i);
    if (!count_op(p))
        return NULL;
    advance(p);
    if (!expect(p, GY_TK_LP) || !enter(p))
        return NULL;
    for (;;) {
        struct gy_expr__pn *a = parse_operand(p);
        if (!a)
            return NULL;
        add_kid(p, n, a);
        if (peek(p) != GY_TK_COMMA)
            break;
        advance(p);
    }
    p->depth--;
    if (!expect(p, GY_TK_RP))
        return NULL;
    return n;
}

static struct gy_expr__pn *parse_operand(struct gy_expr__parser *p)
{
    switch (peek(p)) {
    case GY_TK_VALUE: {
        struct gy_expr__pn *n = node(p, GY_PN_VALUE, p->i);
        advance(p);
        return n;
    }
    case GY_TK_LP: {
        advance(p);
        if (!enter(p))
            return NULL;
        struct gy_expr__pn *n = parse_operand(p);
        p->depth--;
        if (!n || !expect(p, GY_TK_RP))
            return NULL;
        return paren(p, n);
    }
    case GY_TK_ID:
        if (peek2(p) == GY_TK_LP)
            return parse_call(p);
        return parse_path(p);
    case GY_TK_NAME:
        return parse_path(p);
    default:
        return fail(p);
    }
}

static struct gy_expr__pn *parse_or(struct gy_expr__parser *p, bool allow_operand);

/* What may follow an operand in a condition; see the grammar above. */
static struct gy_expr__pn *parse_tail(struct gy_expr__parser *p, struct gy_expr__pn *left,
                                      bool allow_operand)
{
    enum gy_expr__tk k = peek(p);
    uint32_t tok = p->i;
    struct gy_expr__pn *n;

    switch (k) {
    case GY_TK_EQ:
    case GY_TK_NE:
    case GY_TK_LT:
    case GY_TK_LE:
    case GY_TK_GT:
    case GY_TK_GE: {
        if (!count_op(p))
            return NULL;
        advance(p);
        struct gy_expr__pn *right = parse_operand(p);
        if (!right)
            return NULL;
        n = node(p, GY_PN_CMP, tok);
        n->op = k;
        add_kid(p, n, left);
        add_kid(p, n, right);
        return n;
    }
    case GY_TK_BETWEEN: {
        if (!count_op(p))
            return NULL;
        advance(p);
        struct gy_expr__pn *lo = parse_operand(p);
        if (!lo || !expect(p, GY_TK_AND))
            return NULL;
        struct gy_expr__pn *hi = parse_operand(p);
        if (!hi)
            return NULL;
        n = node(p, GY_PN_BETWEEN, tok);
        add_kid(p, n, left);
        add_kid(p, n, lo);
        add_kid(p, n, hi);
        return n;
    }
    case GY_TK_IN:
        if (!count_op(p))
            return NULL;
        advance(p);
        if (!expect(p, GY_TK_LP))
            return NULL;
        n = node(p, GY_PN_IN, tok);
        add_kid(p, n, left);
        for (;;) {
            struct gy_expr__pn *a = parse_operand(p);
            if (!a)
                return NULL;
            add_kid(p, n, a);
            if (peek(p) != GY_TK_COMMA)
                break;
            advance(p);
        }
        if (!expect(p, GY_TK_RP))
            return NULL;
        return n;
    default:
        if (left->kind == GY_PN_CALL || allow_operand)
            return left;
        return fail(p);
    }
}

static struct gy_expr__pn *parse_primary(struct gy_expr__parser *p, bool allow_operand)
{
    struct gy_expr__pn *left;

    if (peek(p) == GY_TK_LP) {
        advance(p);
        if (!enter(p))
            return NULL;
        struct gy_expr__pn *x = parse_or(p, true);
        p->depth--;
        if (!x || !expect(p, GY_TK_RP))
            return NULL;
        if (!paren(p, x))
            return NULL;
        if (is_cond(x))
            return x;
        left = x;
    } else {
        left = parse_operand(p);
        if (!left)
            return NULL;
    }
    return parse_tail(p, left, allow_operand);
}

static struct gy_expr__pn *parse_not(struct gy_expr__parser *p, bool allow_operand)
{
    if (peek(p) != GY_TK_NOT)
        return parse_primary(p, allow_operand);
    struct gy_expr__pn *n = node(p, GY_PN_NOT, p->i);
    if (!count_op(p) || !enter(p))
        return NULL;
    advance(p);
    struct gy_expr__pn *a = parse_not(p, false);
    p->depth--;
    if (!a)
        return NULL;
    add_kid(p, n, a);
    return n;
}

/* One level of AND (and_level) or OR: left-associative. */
static struct gy_expr__pn *parse_bin(struct gy_expr__parser *p, bool allow_operand, bool and_level)
{
    enum gy_expr__tk op = and_level ? GY_TK_AND : GY_TK_OR;
    struct gy_expr__pn *left = and_level ? parse_not(p, allow_operand)
                                         : parse_bin(p, allow_operand, true);
    while (left && peek(p) == op) {
        if (!is_cond(left) && left->kind != GY_PN_CALL)
            return fail(p);
        struct gy_expr__pn *n = node(p, and_level ? GY_PN_AND : GY_PN_OR, p->i);
        if (!count_op(p))
            return NULL;
        advance(p);
        struct gy_expr__pn *right = and_level ? parse_not(p, false) : parse_bin(p, false, true);
        if (!right)
            return NULL;
        add_kid(p, n, left);
        add_kid(p, n, right);
        left = n;
    }
    return left;
}

static struct gy_expr__pn *parse_or(struct gy_expr__parser *p, bool allow_operand)
{
    return parse_bin(p, allow_operand, false);
}

void gy_expr__parser_init(struct gy_expr__parser *p, struct gy_arena *a, struct gy_str text)
{
    memset(p, 0, sizeof(*p));
    p->a = a;
    p->text = text;
    gy_expr__lex(a, text, &p->toks);
}

static int finish(struct gy_expr__parser *p, const void *result)
{
    if (result && peek(p) != GY_TK_EOF)
        fail(p);
    return p->err == GY_PERR_NONE ? 0 : GY_EINVAL;
}

int gy_expr__parse_cond(struct gy_expr__parser *p, struct gy_expr__pn **out)
{
    *out = parse_or(p, false);
    return finish(p, *out);
}

/* value := operand [(+|-) operand] | '(' value ')' [(+|-) operand] */
static struct gy_expr__pn *parse_set_value(struct gy_expr__parser *p)
{
    struct gy_expr__pn *a;

    if (peek(p) == GY_TK_LP) {
        advance(p);
        if (!enter(p))
            return NULL;
        a = parse_set_value(p);
        p->depth--;
        if (!a || !expect(p, GY_TK_RP) || !paren(p, a))
            return NULL;
        if (a->kind == GY_PN_ARITH)
            return a;
    } else {
        a = parse_operand(p);
        if (!a)
            return NULL;
    }
    enum gy_expr__tk k = peek(p);
    if (k != GY_TK_PLUS && k != GY_TK_MINUS)
        return a;
    struct gy_expr__pn *n = node(p, GY_PN_ARITH, p->i);
    n->op = k;
    if (!count_op(p))
        return NULL;
    advance(p);
    struct gy_expr__pn *b = parse_operand(p);
    if (!b)
        return NULL;
    add_kid(p, n, a);
    add_kid(p, n, b);
    return n;
}

static bool add_action(struct gy_expr__parser *p, struct gy_expr__pupdate *u, uint32_t *cap,
                       struct gy_expr__paction act)
{
    if (u->n == *cap) {
        uint32_t ncap = *cap ? *cap * 2 : 4;
        u->a = gy_arena_realloc(p->a, u->a, *cap * sizeof(*u->a), ncap * sizeof(*u->a));
        *cap = ncap;
    }
    u->a[u->n++] = act;
    return true;
}

int gy_expr__parse_update(struct gy_expr__parser *p, struct gy_expr__pupdate *u)
{
    uint32_t cap = 0;
    memset(u, 0, sizeof(*u));
    do {
        enum gy_expr__tk k = peek(p);
        enum gy_expr_action_kind kind;
        uint32_t kw = p->i;
        switch (k) {
        case GY_TK_SET: kind = GY_EXPR_ACT_SET; break;
        case GY_TK_REMOVE: kind = GY_EXPR_ACT_REMOVE; break;
        case GY_TK_ADD: kind = GY_EXPR_ACT_ADD; break;
        case GY_TK_DELETE: kind = GY_EXPR_ACT_DELETE; break;
        default:
            fail(p);
            return GY_EINVAL;
        }
        advance(p);
        for (;;) {
            struct gy_expr__paction act = { kind, u->nclauses, kw, NULL, NULL };
            act.path = parse_path(p);
            if (!act.path)
                return GY_EINVAL;
            if (kind == GY_EXPR_ACT_SET) {
                if (!expect(p, GY_TK_EQ))
                    return GY_EINVAL;
                act.val = parse_set_value(p);
                if (!act.val)
                    return GY_EINVAL;
            } else if (kind != GY_EXPR_ACT_REMOVE) {
                if (peek(p) != GY_TK_VALUE) {
                    fail(p);
                    return GY_EINVAL;
                }
                act.val = node(p, GY_PN_VALUE, p->i);
                advance(p);
            }
            add_action(p, u, &cap, act);
            if (peek(p) != GY_TK_COMMA)
                break;
            advance(p);
        }
        u->nclauses++;
    } while (peek(p) != GY_TK_EOF);
    return finish(p, u);
}

int gy_expr__parse_proj(struct gy_expr__parser *p, struct gy_expr__pproj *out)
{
    uint32_t cap = 0;
    memset(out, 0, sizeof(*out));
    for (;;) {
        struct gy_expr__pn *path = parse_path(p);
        if (!path)
            return GY_EINVAL;
        if (out->n == cap) {
            uint32_t ncap = cap ? cap * 2 : 4;
            out->p = gy_arena_realloc(p->a, out->p, cap * sizeof(*out->p), ncap * sizeof(*out->p));
            cap = ncap;
        }
        out->p[out->n++] = path;
        if (peek(p) != GY_TK_COMMA)
            break;
        advance(p);
    }
    return finish(p, out);
}

/*
 * expr_int.h — declarations shared by the files of src/dynamodb/expr/ (not included outside).
 *
 * Pipeline: lexer.c turns text into tokens; parser.c builds a parse tree (struct gy_expr__pn)
 * that keeps token positions, placeholders and parentheses; check.c validates the parse tree in
 * DynamoDB's order and converts it into the public tree (expr.h); eval.c, update.c and
 * project.c run the public tree; ctx.c owns the placeholders; legacy.c converts the legacy
 * parameters. All memory comes from the request arena.
 */
#ifndef GY_DDB_EXPR_INT_H
#define GY_DDB_EXPR_INT_H

#include "dynamodb/expr/expr.h"

#include "core/arena.h"
#include "core/json.h"

/* ---- tokens ---- */

enum gy_expr__tk {
    GY_TK_EOF = 0,
    GY_TK_ID,      /* name: [A-Za-z][A-Za-z0-9_]* that is not a keyword */
    GY_TK_NAME,    /* #placeholder */
    GY_TK_VALUE,   /* :placeholder */
    GY_TK_INT,     /* 0 or [1-9][0-9]* */
    GY_TK_LP,      /* ( */
    GY_TK_RP,      /* ) */
    GY_TK_LB,      /* [ */
    GY_TK_RB,      /* ] */
    GY_TK_COMMA,
    GY_TK_DOT,
    GY_TK_PLUS,
    GY_TK_MINUS,
    GY_TK_EQ,
    GY_TK_NE,
    GY_TK_LT,
    GY_TK_LE,
    GY_TK_GT,
    GY_TK_GE,
    GY_TK_AND,     /* keywords, any case */
    GY_TK_OR,
    GY_TK_NOT,
    GY_TK_BETWEEN,
    GY_TK_IN,
    GY_TK_SET,
    GY_TK_REMOVE,
    GY_TK_ADD,
    GY_TK_DELETE,
    GY_TK_BAD,     /* a character DynamoDB does not accept (one code point) */
};

struct gy_expr__tok {
    enum gy_expr__tk kind;
    uint32_t start; /* byte offset in the text */
    uint32_t end;   /* one past the last byte (start == end only for EOF) */
};

struct gy_expr__toks {
    struct gy_expr__tok *t; /* ends with one GY_TK_EOF */
    uint32_t n;             /* including the EOF */
};

/** Tokenize text (at most GY_EXPR_MAX_SIZE bytes) into the arena. */
void gy_expr__lex(struct gy_arena *a, struct gy_str text, struct gy_expr__toks *out);

/* ---- parse tree ---- */

enum gy_expr__pk {
    GY_PN_PATH = 1, /* elems */
    GY_PN_VALUE,    /* tok is the :placeholder */
    GY_PN_CALL,     /* tok is the function name; kids are the arguments */
    GY_PN_CMP,      /* op is the comparator token; kids[0], kids[1] */
    GY_PN_BETWEEN,  /* kids[0..2] */
    GY_PN_IN,       /* kids[0] IN kids[1..] */
    GY_PN_AND,
    GY_PN_OR,
    GY_PN_NOT,
    GY_PN_ARITH,    /* op is + or -; kids[0], kids[1] */
};

struct gy_expr__pelem {
    uint32_t tok;  /* the name, #placeholder or integer token */
    bool is_index; /* [N] */
};

struct gy_expr__pn {
    enum gy_expr__pk kind;
    enum gy_expr__tk op;            /* CMP and ARITH */
    uint32_t tok;                   /* main token (function name, operator, placeholder) */
    bool paren;                     /* written inside parentheses */
    uint32_t n;                     /* kids or elems */
    struct gy_expr__pn **kids;      /* children */
    struct gy_expr__pelem *elems;   /* PATH */
};

struct gy_expr__paction {
    enum gy_expr_action_kind kind;
    uint32_t clause;                /* index of the clause (section occurrence) it is written in */
    uint32_t kw_tok;                /* the clause keyword token */
    struct gy_expr__pn *path;
    struct gy_expr__pn *val;        /* NULL for REMOVE */
};

struct gy_expr__pupdate {
    struct gy_expr__paction *a;
    uint32_t n;
    uint32_t nclauses;
};

struct gy_expr__pproj {
    struct gy_expr__pn **p;
    uint32_t n;
};

/* What went wrong in the parser. */
enum gy_expr__perr {
    GY_PERR_NONE = 0,
    GY_PERR_SYNTAX,    /* at token fail_at */
    GY_PERR_PARENS,    /* "The expression has redundant parentheses;" */
    GY_PERR_OPS,       /* more than GY_EXPR__MAX_OPS operators (nops is the count reached) */
};

/*
 * DynamoDB refuses an expression with more than 300 operators (comparators, BETWEEN, IN, AND,
 * OR, NOT, function calls, + and -), quoting the count at which it stopped (301). Every level
 * of nesting that is not redundant holds an operator, so no accepted expression nests deeper
 * than about twice that; GY_EXPR__MAX_DEPTH bounds the parser's recursion below any stack
 * limit; deeper nesting (only reachable with redundant or unbalanced parentheses) is reported
 * as a syntax error at the end when parentheses are left open, else as redundant parentheses.
 */
#define GY_EXPR__MAX_OPS 300
#define GY_EXPR__MAX_DEPTH 640

struct gy_expr__parser {
    struct gy_arena *a;
    struct gy_str text;
    struct gy_expr__toks toks;
    uint32_t i;        /* next token */
    uint32_t fail_at;  /* furthest token where parsing failed */
    enum gy_expr__perr err;
    uint32_t nops;     /* operators counted so far */
    uint32_t depth;    /* current nesting of parentheses, NOT and calls */
};

int gy_expr__parse_cond(struct gy_expr__parser *p, struct gy_expr__pn **out);
int gy_expr__parse_update(struct gy_expr__parser *p, struct gy_expr__pupdate *out);
int gy_expr__parse_proj(struct gy_expr__parser *p, struct gy_expr__pproj *out);
/** Initialize a parser over text (tokenizes). */
void gy_expr__parser_init(struct gy_expr__parser *p, struct gy_arena *a, struct gy_str text);

/* ---- context ---- */

struct gy_expr__name {
    struct gy_str key;   /* "#n" */
    struct gy_str value; /* attribute name */
    bool used;
};

struct gy_expr_ctx {
    struct gy_arena *a;
    struct gy_expr__name *names; /* ExpressionAttributeNames in request order */
    uint32_t nnames;
    const struct gy_ddb_map *values; /* ExpressionAttributeValues (sorted), or NULL */
    bool *value_used;                /* parallel to values->v */
    uint32_t *value_order;           /* request order of values->v entries (index into v) */
    uint32_t legacy_seq;             /* counter for legacy literal values */
};

/** Resolve "#n"; NULL when undefined. Marks it used when mark is true. */
const struct gy_str *gy_expr__ctx_name(struct gy_expr_ctx *c, struct gy_str key, bool mark);
/** Resolve ":v"; NULL when undefined. Marks it used when mark is true. */
const struct gy_ddb_value *gy_expr__ctx_value(struct gy_expr_ctx *c, struct gy_str key, bool mark);

/* ---- checking and conversion (check.c) ---- */

enum gy_expr__what { GY_EXPR_W_COND, GY_EXPR_W_UPDATE, GY_EXPR_W_PROJ };

int gy_expr__check_cond(struct gy_expr_ctx *c, struct gy_expr__parser *p,
                        struct gy_expr__pn *root, const char *param, const struct gy_expr **out,
                        struct gy_error *err);
int gy_expr__check_update(struct gy_expr_ctx *c, struct gy_expr__parser *p,
                          struct gy_expr__pupdate *u, const struct gy_str *key_attrs,
                          size_t nkeys, const struct gy_expr_update **out, struct gy_error *err);
int gy_expr__check_proj(struct gy_expr_ctx *c, struct gy_expr__parser *p,
                        struct gy_expr__pproj *pp, const struct gy_expr_proj **out,
                        struct gy_error *err);

/* ---- shared helpers ---- */

/** Text of a token as a slice of the expression. */
static inline struct gy_str gy_expr__tok_str(const struct gy_expr__parser *p, uint32_t i)
{
    const struct gy_expr__tok *t = &p->toks.t[i];
    return (struct gy_str){ p->text.p + t->start, t->end - t->start };
}

/** Append a path as DynamoDB prints it in messages: "[a, b, [3]]". */
void gy_expr__path_fmt(struct gy_buf *b, const struct gy_expr_path *path);

/** Append s to b with invalid UTF-8 bytes replaced by U+FFFD (messages stay valid UTF-8). */
void gy_expr__put_safe(struct gy_buf *b, struct gy_str s);

/** Record a ValidationException whose message is the contents of b; frees b; returns GY_EAWS. */
int gy_expr__fail_buf(struct gy_error *err, struct gy_arena *a, struct gy_buf *b);

/** Type name as DynamoDB prints it in operand-type messages ("S", "NS", ...). */
static inline const char *gy_expr__tname(enum gy_ddb_type t)
{
    return gy_ddb_type_name(t);
}

/** Compare path elements: same kind and same name/index. */
bool gy_expr__elem_eq(const struct gy_expr_elem *x, const struct gy_expr_elem *y);

/* A DynamoDB number as a value whose text lives in buf (for size()). */
struct gy_expr__numbuf {
    struct gy_ddb_value v;
    char text[24];
};
void gy_expr__num_from_u64(struct gy_expr__numbuf *nb, uint64_t x);

/** Evaluate an operand of a condition: the value, or NULL if missing. Uses nb for size(). */
const struct gy_ddb_value *gy_expr__operand(const struct gy_expr *e, const struct gy_ddb_map *item,
                                            struct gy_expr__numbuf *nb);

/** Size as size() counts it; false for types without a size. */
bool gy_expr__size_of(const struct gy_ddb_value *v, uint64_t *out);

/** contains(a, b) as conditions define it. */
bool gy_expr__contains(const struct gy_ddb_value *a, const struct gy_ddb_value *b);

#endif

/*
 * partiql_int.h — declarations shared inside src/dynamodb/partiql/: the lexer's tokens (lexer.c,
 * parser.c) and the planner's state and writers (plan.c, emit.c). Unit tests may include it.
 */
#ifndef GY_DDB_PARTIQL_INT_H
#define GY_DDB_PARTIQL_INT_H

#include "dynamodb/partiql/partiql.h"

enum gy_pql__tk {
    GY_PTK_END = 0,
    GY_PTK_ID,     /* bare identifier or keyword (keywords are matched by the parser) */
    GY_PTK_QID,    /* "quoted identifier": text unquoted, "" unescaped */
    GY_PTK_STR,    /* 'string': text unquoted, '' unescaped */
    GY_PTK_NUM,    /* unsigned number literal */
    GY_PTK_PARAM,  /* ? */
    GY_PTK_STAR,
    GY_PTK_COMMA,
    GY_PTK_DOT,
    GY_PTK_LBRACK,
    GY_PTK_RBRACK,
    GY_PTK_LPAREN,
    GY_PTK_RPAREN,
    GY_PTK_LBRACE,
    GY_PTK_RBRACE,
    GY_PTK_COLON,
    GY_PTK_SEMI,
    GY_PTK_EQ,
    GY_PTK_NE,     /* <> or != */
    GY_PTK_LT,
    GY_PTK_LE,
    GY_PTK_GT,
    GY_PTK_GE,
    GY_PTK_PLUS,
    GY_PTK_MINUS,
    GY_PTK_LBAG,   /* << */
    GY_PTK_RBAG,   /* >> */
    GY_PTK_BAD,    /* anything else; text is the offending character(s) */
};

struct gy_pql__tok {
    enum gy_pql__tk kind;
    struct gy_str text; /* source text, or the unescaped contents for QID and STR */
    uint32_t pos;       /* byte offset in the statement */
    bool unterminated;  /* QID or STR without its closing quote */
};

/** Tokenize text into an arena array ending with GY_PTK_END; *n counts tokens (with END). */
const struct gy_pql__tok *gy_pql__lex(struct gy_arena *a, struct gy_str text, size_t *n);

/* ---- plan.c and emit.c: the planner's state ---- */

struct gy_buf;
struct gy_jw;
struct gy_ddb_value;

/* One statement being planned. */
struct gy_pql__plan {
    struct gy_arena *a;
    const struct gy_pql_stmt *s;
    const struct gy_ddb_table *t;
    struct gy_error *err;
    enum gy_pql_mode mode;
    const struct gy_json **params; /* the request's Parameters, by index */
    uint32_t nparams;
    struct gy_buf *names;          /* members of ExpressionAttributeNames */
    struct gy_jw *nw;
    uint32_t nn;
    struct gy_buf *values;         /* members of ExpressionAttributeValues */
    struct gy_jw *vw;
    uint32_t nv;
};

/* The top-level AND terms of a WHERE clause. */
struct gy_pql__terms {
    const struct gy_pql_node **v;
    uint32_t n, cap;
};

/* emit.c: names, values, operands and conditions as expression text (placeholders numbered in
 * order of use); the int functions return 0 or GY_EAWS with p->err set. */
int gy_pql__invalid(struct gy_pql__plan *p, const char *msg);
void gy_pql__put_name(struct gy_pql__plan *p, struct gy_buf *out, struct gy_str name);
void gy_pql__put_path(struct gy_pql__plan *p, struct gy_buf *out, const struct gy_pql_path *path);
int gy_pql__param_value(struct gy_pql__plan *p, uint32_t i, struct gy_ddb_value *v);
bool gy_pql__is_value_node(const struct gy_pql_node *n);
bool gy_pql__is_call(const struct gy_pql_node *n, const char *name);
const char *gy_pql__cmp_text(int op);
/** A value node as DynamoDB JSON ({"S":"x"}, {"M":{...}}, sets from <<bags>>). */
int gy_pql__write_value(struct gy_pql__plan *p, struct gy_jw *w, const struct gy_pql_node *n);
/** A {map} literal's members as an attribute map. */
int gy_pql__write_members(struct gy_pql__plan *p, struct gy_jw *w, const struct gy_pql_node *n);
/** ":vK" into out, the value into ExpressionAttributeValues. */
int gy_pql__put_value(struct gy_pql__plan *p, struct gy_buf *out, const struct gy_pql_node *n);
/** An operand: path, value, size(), list_append, if_not_exists, + and -. */
int gy_pql__put_operand(struct gy_pql__plan *p, struct gy_buf *out, const struct gy_pql_node *n);
/** A condition. */
int gy_pql__put_cond(struct gy_pql__plan *p, struct gy_buf *out, const struct gy_pql_node *n);
/** Terms joined by AND. */
int gy_pql__put_terms(struct gy_pql__plan *p, struct gy_buf *out, const struct gy_pql__terms *ts);

#endif

/*
 * partiql.h — DynamoDB's PartiQL subset: the statement parser and the planner that turns one
 * statement into the request body of the equivalent DynamoDB operation (GetItem, Query, Scan,
 * PutItem, UpdateItem, DeleteItem, or one action of TransactWriteItems / TransactGetItems).
 *
 * Nothing here runs a statement: src/dynamodb/ops_partiql.c runs the planned body through the
 * ordinary handlers, so validation, conditions, capacity and durability are shared with them.
 * Every name in a plan is an ExpressionAttributeNames placeholder (#n0, #n1, ...) and every
 * value an ExpressionAttributeValues placeholder (:v0, ...), so reserved words need no quoting.
 * Trees, strings and plans live in the caller's arena and borrow from the statement text.
 * Errors are ValidationExceptions worded as DynamoDB words them ("Statement wasn't well formed,
 * can't be processed: ..."). See docs/dynamodb.md, "PartiQL".
 */
#ifndef GY_DDB_PARTIQL_H
#define GY_DDB_PARTIQL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/errors.h"
#include "core/str.h"

struct gy_arena;
struct gy_json;
struct gy_ddb_table;

#define GY_PQL_MAX_STATEMENT 8192 /* characters of one statement */
#define GY_PQL_MAX_DEPTH 64       /* nesting of parentheses, calls and literals */

enum gy_pql_node_kind {
    GY_PQL_PATH = 1,  /* document path: path */
    GY_PQL_STRING,    /* 'text' (quotes removed, '' unescaped): text */
    GY_PQL_NUMBER,    /* number literal as written (sign included): text */
    GY_PQL_TRUE,
    GY_PQL_FALSE,
    GY_PQL_NULL,
    GY_PQL_MISSING,
    GY_PQL_PARAM,     /* ?: param (0-based, in order of appearance) */
    GY_PQL_MAP,       /* {'k': v, ...}: keys[i] -> kids[i] */
    GY_PQL_LIST,      /* [v, ...] */
    GY_PQL_BAG,       /* <<v, ...>> */
    GY_PQL_CMP,       /* kids[0] op kids[1] */
    GY_PQL_AND,       /* kids[0] AND kids[1] */
    GY_PQL_OR,
    GY_PQL_NOT,       /* NOT kids[0] */
    GY_PQL_BETWEEN,   /* kids[0] BETWEEN kids[1] AND kids[2] */
    GY_PQL_IN,        /* kids[0] IN [kids[1..n-1]] */
    GY_PQL_IS,        /* kids[0] IS [NOT] MISSING|NULL: negated, is_null */
    GY_PQL_CALL,      /* text(kids...), text lower-cased */
    GY_PQL_ARITH,     /* kids[0] op('+'|'-') kids[1] */
};

enum gy_pql_cmp { GY_PQL_EQ = 1, GY_PQL_NE, GY_PQL_LT, GY_PQL_LE, GY_PQL_GT, GY_PQL_GE };

/* One element of a path: an attribute or map key name, or a list index. */
struct gy_pql_elem {
    struct gy_str name; /* when !is_index */
    uint32_t index;     /* when is_index */
    bool is_index;
};

struct gy_pql_path {
    const struct gy_pql_elem *e; /* e[0] is a name */
    uint32_t n;
};

struct gy_pql_node {
    enum gy_pql_node_kind kind;
    int op;                          /* CMP: enum gy_pql_cmp; ARITH: '+' or '-' */
    bool negated;                    /* IS NOT */
    bool is_null;                    /* IS [NOT] NULL (else MISSING) */
    struct gy_str text;              /* STRING, NUMBER, CALL name */
    uint32_t param;                  /* PARAM index */
    struct gy_pql_path path;         /* PATH */
    const struct gy_pql_node **kids; /* children */
    const struct gy_str *keys;       /* MAP keys, parallel to kids */
    uint32_t n;                      /* number of kids */
};

enum gy_pql_kind {
    GY_PQL_SELECT = 1,
    GY_PQL_INSERT,
    GY_PQL_UPDATE,
    GY_PQL_DELETE,
    GY_PQL_EXISTS, /* EXISTS(SELECT ...): a condition check inside ExecuteTransaction */
};

enum gy_pql_returning {
    GY_PQL_RET_NONE = 0,
    GY_PQL_RET_ALL_OLD,
    GY_PQL_RET_MODIFIED_OLD,
    GY_PQL_RET_ALL_NEW,
    GY_PQL_RET_MODIFIED_NEW,
};

/* One SET or REMOVE of an UPDATE, in the order written. */
struct gy_pql_assign {
    bool remove;                     /* REMOVE path (else SET path = value) */
    struct gy_pql_path path;
    const struct gy_pql_node *value; /* SET: the right-hand side */
};

struct gy_pql_stmt {
    enum gy_pql_kind kind;
    struct gy_str table;                /* table name (unquoted) */
    struct gy_str index;                /* SELECT: "table"."index", or empty */
    bool star;                          /* SELECT * */
    const struct gy_pql_path *proj;     /* SELECT a, b.c: the paths */
    uint32_t nproj;
    const struct gy_pql_node *where;    /* WHERE condition, or NULL */
    const struct gy_pql_node *value;    /* INSERT: the item */
    const struct gy_pql_assign *assign; /* UPDATE: SET and REMOVE actions */
    uint32_t nassign;
    enum gy_pql_returning returning;    /* RETURNING ... */
    bool order_desc;                    /* SELECT ... ORDER BY key DESC */
    struct gy_pql_path order_by;        /* ORDER BY path (n 0 when absent) */
    uint32_t nparams;                   /* number of ? in the statement */
};

/**
 * Parse one statement. On success *out is the tree (arena-owned). On failure records a
 * ValidationException in err ("Statement wasn't well formed, can't be processed: <why>", or a
 * specific DynamoDB message such as "RETURNING is not supported in INSERT") and returns GY_EAWS.
 * Recursion is bounded by GY_PQL_MAX_DEPTH. The caller enforces the statement length limit.
 */
int gy_pql_parse(struct gy_arena *a, struct gy_str text, const struct gy_pql_stmt **out,
                 struct gy_error *err);

/** True for statements that read (SELECT), false for writes and EXISTS. */
bool gy_pql_is_read(const struct gy_pql_stmt *s);

/* How a statement is run. */
enum gy_pql_mode {
    GY_PQL_SINGLE = 0, /* ExecuteStatement: any plan */
    GY_PQL_BATCH,      /* BatchExecuteStatement: single-item plans only */
    GY_PQL_TXN,        /* ExecuteTransaction: one action of a transaction */
};

/* The operation a plan runs. */
enum gy_pql_op {
    GY_PQL_OP_GET = 1,
    GY_PQL_OP_QUERY,
    GY_PQL_OP_SCAN,
    GY_PQL_OP_PUT,
    GY_PQL_OP_UPDATE,
    GY_PQL_OP_DELETE,
    GY_PQL_OP_CHECK, /* TransactWriteItems ConditionCheck */
};

/* Request options copied into the planned body (when set). */
struct gy_pql_opts {
    int64_t limit;             /* Limit (0: none); Query and Scan only */
    bool consistent;           /* ConsistentRead */
    const char *rcc;           /* ReturnConsumedCapacity, or NULL */
    const char *rvoccf;        /* ReturnValuesOnConditionCheckFailure, or NULL */
    struct gy_str start_key;   /* ExclusiveStartKey as JSON text, or empty */
};

struct gy_pql_plan {
    enum gy_pql_op op;
    struct gy_str body;        /* JSON object: the operation's request (arena-owned) */
    struct gy_str key;         /* JSON of the item's key for single-item plans, else empty */
};

/**
 * Plan statement s against table t (whose name s names) with the request's Parameters (a JSON
 * array, or NULL), which must already match s->nparams. Writes the body of the equivalent
 * operation (or, in GY_PQL_TXN mode, the contents of one TransactItems action). Errors are
 * ValidationExceptions: "Where clause does not contain a mandatory equality on all key
 * attributes", parameter conversion errors, unsupported constructs. Returns 0 or GY_EAWS.
 */
int gy_pql_plan(struct gy_arena *a, const struct gy_pql_stmt *s, const struct gy_ddb_table *t,
                const struct gy_json *params, enum gy_pql_mode mode,
                const struct gy_pql_opts *opts, struct gy_pql_plan *out, struct gy_error *err);

/* ---- util.c: pagination tokens and JSON copying for the handlers ---- */

struct gy_jw;

/**
 * NextToken for a statement whose page stopped at last_key (JSON text of LastEvaluatedKey):
 * base64 of {"h": <hash of the statement text>, "k": <key>}, in the arena.
 */
struct gy_str gy_pql_token_encode(struct gy_arena *a, struct gy_str statement,
                                  struct gy_str last_key);

/**
 * Decode a NextToken for statement into the ExclusiveStartKey JSON text (*key, arena). Errors
 * (ValidationException): "Invalid NextToken", "NextToken does not match request". 0 or GY_EAWS.
 */
int gy_pql_token_decode(struct gy_arena *a, struct gy_str statement, struct gy_str token,
                        struct gy_str *key, struct gy_error *err);

/** Serialize a parsed JSON value into arena text. */
struct gy_str gy_pql_json_text(struct gy_arena *a, const struct gy_json *j);

#endif

/*
 * expr.h — DynamoDB's expression language: condition/filter/key-condition expressions,
 * update expressions and projection expressions, plus the legacy parameters (Expected,
 * AttributeUpdates, AttributesToGet) converted into the same trees.
 *
 * A request's expressions are parsed once (gy_expr_parse_*), checked for unused placeholders
 * (gy_expr_ctx_finish), and then evaluated per item without allocating (conditions) or
 * applied into the request arena (updates, projections). The AST is public so the Query
 * planner can read a KeyConditionExpression tree. Every string and array in a tree is
 * owned by the request arena and borrows from the request JSON; placeholders (#n, :v) are
 * already resolved in the tree. Error wording follows DynamoDB (ValidationException).
 * See docs/dynamodb.md, "Expressions".
 */
#ifndef GY_DDB_EXPR_H
#define GY_DDB_EXPR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/errors.h"
#include "core/str.h"
#include "dynamodb/value.h"

struct gy_arena;
struct gy_json;

#define GY_EXPR_MAX_SIZE 4096     /* bytes of one expression's text */
#define GY_EXPR_MAX_PATH_DEPTH 32 /* elements of one document path */
#define GY_EXPR_MAX_IN 100        /* operands of IN after the first */

/* One element of a document path: a map key (name, placeholders resolved) or a list index. */
struct gy_expr_elem {
    struct gy_str name; /* attribute or map key name; unused for an index */
    uint32_t index;     /* list index when is_index */
    bool is_index;      /* true for [N] */
};

struct gy_expr_path {
    const struct gy_expr_elem *e; /* e[0] is always a name (the top-level attribute) */
    uint32_t n;                   /* 1..GY_EXPR_MAX_PATH_DEPTH */
};

enum gy_expr_kind {
    /* operands */
    GY_EXPR_PATH = 1,      /* document path: u.path */
    GY_EXPR_VALUE,         /* :placeholder or a literal from legacy params: u.value */
    GY_EXPR_SIZE,          /* size(arg[0]) */
    GY_EXPR_IF_NOT_EXISTS, /* if_not_exists(path arg[0], arg[1]) (updates only) */
    GY_EXPR_LIST_APPEND,   /* list_append(arg[0], arg[1]) (updates only) */
    GY_EXPR_PLUS,          /* arg[0] + arg[1] (updates only) */
    GY_EXPR_MINUS,         /* arg[0] - arg[1] (updates only) */
    /* conditions */
    GY_EXPR_EQ, /* arg[0] = arg[1] */
    GY_EXPR_NE, /* <> */
    GY_EXPR_LT,
    GY_EXPR_LE,
    GY_EXPR_GT,
    GY_EXPR_GE,
    GY_EXPR_BETWEEN,      /* arg[0] BETWEEN arg[1] AND arg[2] */
    GY_EXPR_IN,           /* arg[0] IN (arg[1..n-1]) */
    GY_EXPR_AND,          /* arg[0] AND arg[1] */
    GY_EXPR_OR,           /* arg[0] OR arg[1] */
    GY_EXPR_NOT,          /* NOT arg[0] */
    GY_EXPR_EXISTS,       /* attribute_exists(path arg[0]) */
    GY_EXPR_NOT_EXISTS,   /* attribute_not_exists(path arg[0]) */
    GY_EXPR_TYPE,         /* attribute_type(path arg[0], arg[1]) */
    GY_EXPR_BEGINS_WITH,  /* begins_with(arg[0], arg[1]) */
    GY_EXPR_CONTAINS,     /* contains(arg[0], arg[1]) */
    GY_EXPR_NOT_CONTAINS, /* legacy NOT_CONTAINS (no expression syntax) */
};

struct gy_expr {
    enum gy_expr_kind kind;
    uint32_t nargs;               /* children in args */
    const struct gy_expr **args;  /* children (operands or conditions) */
    union {
        struct gy_expr_path path;          /* GY_EXPR_PATH */
        const struct gy_ddb_value *value;  /* GY_EXPR_VALUE */
    } u;
};

enum gy_expr_action_kind {
    GY_EXPR_ACT_SET = 1,
    GY_EXPR_ACT_REMOVE,
    GY_EXPR_ACT_ADD,
    GY_EXPR_ACT_DELETE,
};

struct gy_expr_action {
    enum gy_expr_action_kind kind;
    struct gy_expr_path path;   /* the attribute written */
    const struct gy_expr *val;  /* SET: operand tree; ADD/DELETE: a GY_EXPR_VALUE; REMOVE: NULL */
    uint32_t clause;            /* index of the clause it was written in (error ordering) */
};

struct gy_expr_update {
    const struct gy_expr_action *a; /* in the order written */
    uint32_t n;
    bool legacy;                    /* from AttributeUpdates: legacy error wording */
};

struct gy_expr_proj {
    const struct gy_expr_path *p; /* in the order written */
    uint32_t n;
};

struct gy_expr_ctx;

/**
 * Create the context for one request's expressions. names is ExpressionAttributeNames (a JSON
 * object of "#n": "name") or NULL; values the already-converted ExpressionAttributeValues or
 * NULL. Neither is validated here (see gy_expr_ctx_from_request). Never returns NULL; lives in
 * the arena.
 */
struct gy_expr_ctx *gy_expr_ctx_create(struct gy_arena *a, const struct gy_json *names,
                                       const struct gy_ddb_map *values);

/**
 * Validate ExpressionAttributeNames and ExpressionAttributeValues from a request (either may
 * be NULL), convert the values, and create the context. Errors, as DynamoDB words them:
 * "ExpressionAttributeNames must not be empty", "... contains invalid key: Syntax error; key:
 * \"x\"", "ExpressionAttributeValues contains invalid value: <why> for key :v", ...
 * Returns 0 or GY_EAWS with err set.
 */
int gy_expr_ctx_from_request(struct gy_arena *a, const struct gy_json *names,
                             const struct gy_json *values, struct gy_expr_ctx **out,
                             struct gy_error *err);

/**
 * Parse and check a condition expression. param names it in messages: "ConditionExpression",
 * "FilterExpression" or "KeyConditionExpression". On success *out is the tree (a condition).
 * Returns 0 or GY_EAWS (ValidationException in err).
 */
int gy_expr_parse_condition(struct gy_expr_ctx *c, struct gy_str text, const char *param,
                            const struct gy_expr **out, struct gy_error *err);

/**
 * Parse and check an UpdateExpression. key_attrs (nkeys names) are the table's key attributes:
 * an action on one of them is refused ("Cannot update attribute X. This attribute is part of
 * the key"). Returns 0 or GY_EAWS.
 */
int gy_expr_parse_update(struct gy_expr_ctx *c, struct gy_str text, const struct gy_str *key_attrs,
                         size_t nkeys, const struct gy_expr_update **out, struct gy_error *err);

/** Parse and check a ProjectionExpression. Returns 0 or GY_EAWS. */
int gy_expr_parse_projection(struct gy_expr_ctx *c, struct gy_str text,
                             const struct gy_expr_proj **out, struct gy_error *err);

/**
 * After every expression of the request is parsed: refuse names or values that no expression
 * used ("Value provided in ExpressionAttributeNames unused in expressions: keys: {#a, #b}").
 * Returns 0 or GY_EAWS.
 */
int gy_expr_ctx_finish(struct gy_expr_ctx *c, struct gy_error *err);

/**
 * Evaluate a condition against item (NULL: the item does not exist). Allocates nothing; err
 * and a are unused today (kept for future runtime errors). Returns 0 with *result set.
 * Thread-safe for concurrent readers of the same tree.
 */
int gy_expr_eval_condition(const struct gy_expr *e, const struct gy_ddb_map *item, bool *result,
                           struct gy_error *err, struct gy_arena *a);

/**
 * Resolve a document path in an item. Returns the value (borrowed from item) or NULL when any
 * step is missing or of the wrong type.
 */
const struct gy_ddb_value *gy_expr_path_get(const struct gy_ddb_map *item,
                                            const struct gy_expr_path *p);

/**
 * Apply an update to old (NULL: no item yet) and build the new item in the arena. old is not
 * modified; out_new shares unchanged values with it. Runtime errors as DynamoDB words them:
 * "The provided expression refers to an attribute that does not exist in the item", "An
 * operand in the update expression has an incorrect data type", "The document path provided
 * in the update expression is invalid for update", number overflow. Returns 0 or GY_EAWS.
 */
int gy_expr_update_apply(struct gy_arena *a, const struct gy_expr_update *u,
                         const struct gy_ddb_map *old, struct gy_ddb_map *out_new,
                         struct gy_error *err);

/**
 * The attributes that u updates, projected from item (ReturnValues UPDATED_OLD with the old
 * item, UPDATED_NEW with the new one). Returns 0.
 */
int gy_expr_update_project(struct gy_arena *a, const struct gy_expr_update *u,
                           const struct gy_ddb_map *item, struct gy_ddb_map *out);

/**
 * The projection of item: only the projected paths, with their nesting (a.b[1] gives
 * {a:{M:{b:{L:[elem]}}}}). Values are shared with item. Returns 0.
 */
int gy_expr_project(struct gy_arena *a, const struct gy_expr_proj *p,
                    const struct gy_ddb_map *item, struct gy_ddb_map *out);

/**
 * Convert legacy Expected (+ ConditionalOperator, "AND" by default) into a condition tree.
 * Returns 0 or GY_EAWS with DynamoDB's "One or more parameter values were invalid: ..." errors.
 */
int gy_expr_from_expected(struct gy_expr_ctx *c, const struct gy_json *expected,
                          const struct gy_json *conditional_operator, const struct gy_expr **out,
                          struct gy_error *err);

/** Legacy QueryFilter/ScanFilter ({"attr": {ComparisonOperator, AttributeValueList}}). */
int gy_expr_from_filter(struct gy_expr_ctx *c, const struct gy_json *filter,
                        const struct gy_json *conditional_operator, const char *param,
                        const struct gy_expr **out, struct gy_error *err);

/** Convert legacy AttributeUpdates (PUT/ADD/DELETE) into an update. Returns 0 or GY_EAWS. */
int gy_expr_from_attribute_updates(struct gy_expr_ctx *c, const struct gy_json *updates,
                                   const struct gy_str *key_attrs, size_t nkeys,
                                   const struct gy_expr_update **out, struct gy_error *err);

/** Convert legacy AttributesToGet (a JSON array of names) into a projection. */
int gy_expr_from_attributes_to_get(struct gy_expr_ctx *c, const struct gy_json *list,
                                   const struct gy_expr_proj **out, struct gy_error *err);

/**
 * Refuse a request that mixes legacy and expression parameters: "Can not use both expression
 * and non-expression parameters in the same request: Non-expression parameters: {Expected}
 * Expression parameters: {ConditionExpression}". Returns 0 or GY_EAWS.
 */
int gy_expr_check_param_mix(const struct gy_json *request, struct gy_error *err,
                            struct gy_arena *a);

/** True when word (any case) is one of DynamoDB's reserved words. */
bool gy_expr_is_reserved(struct gy_str word);

#endif

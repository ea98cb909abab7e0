/*
 * test_expr_helpers.h — fixtures shared by the expression unit tests (test_expr_*.c): build
 * contexts, items and values from JSON text, run expressions, and render results as JSON so
 * tests can assert exact text.
 */
#ifndef GY_TEST_EXPR_HELPERS_H
#define GY_TEST_EXPR_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "core/json.h"
#include "dynamodb/expr/expr.h"

static struct gy_arena *A;

static inline int setup(void **state)
{
    A = gy_arena_create(4096);
    return 0;
}

static inline int teardown(void **state)
{
    gy_arena_destroy(A);
    A = NULL;
    return 0;
}

static inline const struct gy_json *J(const char *text)
{
    const struct gy_json *j = NULL;
    const char *why = NULL;
    if (!text)
        return NULL;
    int rc = gy_json_parse(A, text, strlen(text), &j, &why);
    if (rc != 0)
        fail_msg("bad test JSON (%s): %s", why ? why : "?", text);
    return j;
}

/* Context from names/values JSON text (NULL for absent); fails the test on error. */
static inline struct gy_expr_ctx *CTX(const char *names, const char *values)
{
    struct gy_expr_ctx *c = NULL;
    struct gy_error err = { 0 };
    int rc = gy_expr_ctx_from_request(A, J(names), J(values), &c, &err);
    if (rc != 0)
        fail_msg("context: %s", err.message);
    return c;
}

static inline struct gy_ddb_map ITEM(const char *json)
{
    struct gy_ddb_map m = { NULL, 0 };
    struct gy_error err = { 0 };
    if (gy_ddb_map_from_json(A, J(json), &m, &err) != 0)
        fail_msg("bad item: %s", err.message);
    return m;
}

static inline const char *MAPJSON(const struct gy_ddb_map *m)
{
    struct gy_buf b;
    struct gy_jw w;
    gy_buf_init(&b, 1 << 20);
    gy_jw_init(&w, &b);
    gy_ddb_map_to_json(&w, m);
    char *s = gy_arena_strndup(A, b.p ? b.p : "", b.len);
    gy_buf_fini(&b);
    return s;
}

/* Message of a condition parse error, or "OK". */
static inline const char *COND_ERR(const char *names, const char *values, const char *text)
{
    struct gy_expr_ctx *c = CTX(names, values);
    struct gy_error err = { 0 };
    const struct gy_expr *e = NULL;
    int rc = gy_expr_parse_condition(c, gy_str_c(text), "ConditionExpression", &e, &err);
    if (rc == 0)
        rc = gy_expr_ctx_finish(c, &err);
    if (rc == 0)
        return "OK";
    assert_int_equal(rc, GY_EAWS);
    assert_int_equal(err.code, GY_AWS_VALIDATION);
    return err.message;
}

static inline const char *UPD_ERR(const char *names, const char *values, const char *text)
{
    struct gy_expr_ctx *c = CTX(names, values);
    struct gy_error err = { 0 };
    const struct gy_expr_update *u = NULL;
    struct gy_str keys[] = { GY_STR("pk"), GY_STR("sk") };
    int rc = gy_expr_parse_update(c, gy_str_c(text), keys, 2, &u, &err);
    if (rc == 0)
        rc = gy_expr_ctx_finish(c, &err);
    if (rc == 0)
        return "OK";
    assert_int_equal(rc, GY_EAWS);
    assert_int_equal(err.code, GY_AWS_VALIDATION);
    return err.message;
}

static inline const char *PROJ_ERR(const char *names, const char *text)
{
    struct gy_expr_ctx *c = CTX(names, NULL);
    struct gy_error err = { 0 };
    const struct gy_expr_proj *p = NULL;
    int rc = gy_expr_parse_projection(c, gy_str_c(text), &p, &err);
    if (rc == 0)
        rc = gy_expr_ctx_finish(c, &err);
    if (rc == 0)
        return "OK";
    assert_int_equal(rc, GY_EAWS);
    return err.message;
}

/* Evaluate a condition (must parse) against an item given as JSON (NULL: no item). */
static inline bool EVAL(const char *names, const char *values, const char *text, const char *item)
{
    struct gy_expr_ctx *c = CTX(names, values);
    struct gy_error err = { 0 };
    const struct gy_expr *e = NULL;
    if (gy_expr_parse_condition(c, gy_str_c(text), "FilterExpression", &e, &err) != 0)
        fail_msg("parse '%s': %s", text, err.message);
    struct gy_ddb_map m;
    if (item)
        m = ITEM(item);
    bool r = false;
    assert_int_equal(gy_expr_eval_condition(e, item ? &m : NULL, &r, &err, A), 0);
    return r;
}

/* Apply an update to an item (NULL: none); returns the new item as JSON or "ERR: message". */
static inline const char *APPLY(const char *names, const char *values, const char *text, const char *item)
{
    struct gy_expr_ctx *c = CTX(names, values);
    struct gy_error err = { 0 };
    const struct gy_expr_update *u = NULL;
    if (gy_expr_parse_update(c, gy_str_c(text), NULL, 0, &u, &err) != 0)
        fail_msg("parse '%s': %s", text, err.message);
    struct gy_ddb_map old, out;
    if (item)
        old = ITEM(item);
    int rc = gy_expr_update_apply(A, u, item ? &old : NULL, &out, &err);
    if (rc != 0) {
        assert_int_equal(rc, GY_EAWS);
        return gy_arena_printf(A, "ERR: %s", err.message);
    }
    /* The old item must be untouched. */
    if (item)
        assert_string_equal(MAPJSON(&old), MAPJSON(&(struct gy_ddb_map){ ITEM(item).v,
                                                                        ITEM(item).n }));
    return MAPJSON(&out);
}

static inline const char *PROJECT(const char *names, const char *text, const char *item)
{
    struct gy_expr_ctx *c = CTX(names, NULL);
    struct gy_error err = { 0 };
    const struct gy_expr_proj *p = NULL;
    if (gy_expr_parse_projection(c, gy_str_c(text), &p, &err) != 0)
        fail_msg("parse '%s': %s", text, err.message);
    struct gy_ddb_map m = ITEM(item), out;
    assert_int_equal(gy_expr_project(A, p, &m, &out), 0);
    return MAPJSON(&out);
}

#endif

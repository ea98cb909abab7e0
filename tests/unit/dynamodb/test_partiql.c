/*
 * test_partiql.c — the PartiQL parser (src/dynamodb/partiql/parser.c, lexer.c), the planner
 * (plan.c: statement -> request body of the equivalent operation) and the NextToken format
 * (util.c). Plans are asserted as exact JSON text, and every planned body is also fed to the
 * expression parser (placeholders resolved, none unused), so a plan that the operation would
 * refuse fails here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "core/json.h"
#include "dynamodb/expr/expr.h"
#include "dynamodb/partiql/partiql.h"
#include "dynamodb/partiql/partiql_int.h"
#include "dynamodb/table.h"

static struct gy_arena *A;

/* Table T: PK (S) and SK (N); table H: hash key "id" (S) only. */
static struct gy_ddb_table T = { .name = "T", .hash = { "PK", GY_DDB_S },
                                 .range = { "SK", GY_DDB_N } };
static struct gy_ddb_table H = { .name = "H", .hash = { "id", GY_DDB_S } };

static int setup(void **state)
{
    A = gy_arena_create(4096);
    return 0;
}

static int teardown(void **state)
{
    gy_arena_destroy(A);
    return 0;
}

static const struct gy_json *J(const char *text)
{
    const struct gy_json *j = NULL;
    const char *why = NULL;
    if (!text)
        return NULL;
    if (gy_json_parse(A, text, strlen(text), &j, &why))
        fail_msg("bad test JSON (%s): %s", why ? why : "?", text);
    return j;
}

static const struct gy_pql_stmt *PARSE(const char *text)
{
    const struct gy_pql_stmt *s = NULL;
    struct gy_error err = { 0 };
    if (gy_pql_parse(A, gy_str_c(text), &s, &err))
        fail_msg("parse '%s': %s", text, err.message);
    return s;
}

static const char *PARSE_ERR(const char *text)
{
    const struct gy_pql_stmt *s = NULL;
    struct gy_error err = { 0 };
    int rc = gy_pql_parse(A, gy_str_c(text), &s, &err);
    if (rc == 0)
        return "OK";
    assert_int_equal(rc, GY_EAWS);
    assert_int_equal(err.code, GY_AWS_VALIDATION);
    assert_null(s);
    return err.message;
}

#define WF "Statement wasn't well formed, can't be processed: "

/* Every expression of a planned body must parse and use every placeholder. */
static void check_exprs(const struct gy_json *body, const struct gy_ddb_table *t)
{
    struct gy_expr_ctx *c = NULL;
    struct gy_error err = { 0 };
    const struct gy_expr *e;
    const struct gy_expr_update *u;
    const struct gy_expr_proj *p;
    struct gy_str keys[2] = { gy_str_c(t->hash.name), gy_str_c(t->range.name) };
    static const char *const conds[] = { "KeyConditionExpression", "FilterExpression",
                                         "ConditionExpression" };

    if (gy_expr_ctx_from_request(A, gy_json_get(body, "ExpressionAttributeNames"),
                                 gy_json_get(body, "ExpressionAttributeValues"), &c, &err))
        fail_msg("context: %s", err.message);
    for (size_t i = 0; i < 3; i++) {
        struct gy_str text = gy_json_str(gy_json_get(body, conds[i]));
        if (text.p && gy_expr_parse_condition(c, text, conds[i], &e, &err))
            fail_msg("%s '%s': %s", conds[i], text.p, err.message);
    }
    struct gy_str text = gy_json_str(gy_json_get(body, "UpdateExpression"));
    if (text.p && gy_expr_parse_update(c, text, keys, t->range.name ? 2 : 1, &u, &err))
        fail_msg("UpdateExpression '%s': %s", text.p, err.message);
    text = gy_json_str(gy_json_get(body, "ProjectionExpression"));
    if (text.p && gy_expr_parse_projection(c, text, &p, &err))
        fail_msg("ProjectionExpression '%s': %s", text.p, err.message);
    if (gy_expr_ctx_finish(c, &err))
        fail_msg("placeholders: %s", err.message);
}

/* Plan text against table t; returns the body, and the operation through *op. */
static const char *PLAN_MODE(const struct gy_ddb_table *t, const char *text, const char *params,
                             enum gy_pql_mode mode, enum gy_pql_op *op)
{
    struct gy_error err = { 0 };
    struct gy_pql_plan plan;
    struct gy_pql_opts o = { 0 };
    const struct gy_pql_stmt *s = PARSE(text);
    if (gy_pql_plan(A, s, t, J(params), mode, &o, &plan, &err))
        fail_msg("plan '%s': %s", text, err.message);
    *op = plan.op;
    const struct gy_json *body = J(plan.body.p);
    if (mode == GY_PQL_TXN || plan.op != GY_PQL_OP_GET)
        check_exprs(body, t);
    return plan.body.p;
}

static const char *PLAN(const struct gy_ddb_table *t, const char *text, const char *params,
                        enum gy_pql_op want)
{
    enum gy_pql_op op;
    const char *body = PLAN_MODE(t, text, params, GY_PQL_SINGLE, &op);
    assert_int_equal(op, want);
    return body;
}

static const char *PLAN_ERR_MODE(const struct gy_ddb_table *t, const char *text,
                                 const char *params, enum gy_pql_mode mode)
{
    struct gy_error err = { 0 };
    struct gy_pql_plan plan;
    const struct gy_pql_stmt *s = PARSE(text);
    int rc = gy_pql_plan(A, s, t, J(params), mode, NULL, &plan, &err);
    if (rc == 0)
        return "OK";
    assert_int_equal(rc, GY_EAWS);
    assert_int_not_equal(err.code, GY_AWS_OK);
    return err.message;
}

static const char *PLAN_ERR(const struct gy_ddb_table *t, const char *text, const char *params)
{
    return PLAN_ERR_MODE(t, text, params, GY_PQL_SINGLE);
}

/* ---- lexer ---- */

static void test_lexer(void **state)
{
    size_t n;
    const struct gy_pql__tok *t =
        gy_pql__lex(A, gy_str_c("a.\"b\"\"c\" 'it''s' 1.5e3 <<>> <> != <= >= -- note\n?"), &n);
    enum gy_pql__tk want[] = { GY_PTK_ID,  GY_PTK_DOT,  GY_PTK_QID,  GY_PTK_STR, GY_PTK_NUM,
                               GY_PTK_LBAG, GY_PTK_RBAG, GY_PTK_NE, GY_PTK_NE,  GY_PTK_LE,
                               GY_PTK_GE,  GY_PTK_PARAM, GY_PTK_END };
    assert_int_equal(n, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < n; i++)
        assert_int_equal(t[i].kind, want[i]);
    assert_true(gy_str_eqc(t[2].text, "b\"c"));
    assert_true(gy_str_eqc(t[3].text, "it's"));
    assert_true(gy_str_eqc(t[4].text, "1.5e3"));
    assert_int_equal(t[11].pos, 48);

    t = gy_pql__lex(A, gy_str_c("'open"), &n);
    assert_int_equal(t[0].kind, GY_PTK_STR);
    assert_true(t[0].unterminated);
    t = gy_pql__lex(A, gy_str_c("@"), &n);
    assert_int_equal(t[0].kind, GY_PTK_BAD);
}

/* ---- parser ---- */

static void test_parse_select(void **state)
{
    const struct gy_pql_stmt *s = PARSE("SELECT * FROM \"Music\"");
    assert_int_equal(s->kind, GY_PQL_SELECT);
    assert_true(s->star);
    assert_true(gy_str_eqc(s->table, "Music"));
    assert_null(s->where);
    assert_true(gy_pql_is_read(s));

    s = PARSE("select a, b.c, d[0], \"e f\".g[12] from Music.\"idx\" where x = 1;");
    assert_false(s->star);
    assert_int_equal(s->nproj, 4);
    assert_true(gy_str_eqc(s->index, "idx"));
    assert_int_equal(s->proj[1].n, 2);
    assert_true(gy_str_eqc(s->proj[1].e[1].name, "c"));
    assert_true(s->proj[2].e[1].is_index);
    assert_int_equal(s->proj[2].e[1].index, 0);
    assert_true(gy_str_eqc(s->proj[3].e[0].name, "e f"));
    assert_int_equal(s->proj[3].e[2].index, 12);
    assert_int_equal(s->where->kind, GY_PQL_CMP);
    assert_int_equal(s->where->op, GY_PQL_EQ);

    s = PARSE("SELECT * FROM T WHERE PK = 'a' ORDER BY SK DESC");
    assert_true(s->order_desc);
    assert_true(gy_str_eqc(s->order_by.e[0].name, "SK"));
}

static void test_parse_conditions(void **state)
{
    const struct gy_pql_stmt *s =
        PARSE("SELECT * FROM t WHERE a = 1 OR b <> 'x' AND NOT c < 3 AND d BETWEEN 1 AND 2");
    const struct gy_pql_node *w = s->where;
    assert_int_equal(w->kind, GY_PQL_OR); /* AND binds tighter */
    assert_int_equal(w->kids[1]->kind, GY_PQL_AND);
    assert_int_equal(w->kids[1]->kids[0]->kind, GY_PQL_AND);
    assert_int_equal(w->kids[1]->kids[0]->kids[1]->kind, GY_PQL_NOT);
    assert_int_equal(w->kids[1]->kids[1]->kind, GY_PQL_BETWEEN);
    assert_int_equal(w->kids[1]->kids[1]->n, 3);

    s = PARSE("SELECT * FROM t WHERE a IN [1, 'two', ?] AND b NOT IN (3) AND c IS NOT MISSING "
              "AND d IS NULL AND begins_with(e, 'x') AND size(f) > -2.5");
    w = s->where;
    assert_int_equal(s->nparams, 1);
    const struct gy_pql_node *in = w->kids[0]->kids[0]->kids[0]->kids[0]->kids[0];
    assert_int_equal(in->kind, GY_PQL_IN);
    assert_int_equal(in->n, 4);
    assert_int_equal(in->kids[3]->kind, GY_PQL_PARAM);
    const struct gy_pql_node *notin = w->kids[0]->kids[0]->kids[0]->kids[0]->kids[1];
    assert_int_equal(notin->kind, GY_PQL_NOT);
    assert_int_equal(notin->kids[0]->kind, GY_PQL_IN);
    const struct gy_pql_node *is = w->kids[0]->kids[0]->kids[0]->kids[1];
    assert_int_equal(is->kind, GY_PQL_IS);
    assert_true(is->negated);
    assert_false(is->is_null);
    assert_true(w->kids[0]->kids[0]->kids[1]->is_null);
    const struct gy_pql_node *call = w->kids[0]->kids[1];
    assert_int_equal(call->kind, GY_PQL_CALL);
    assert_true(gy_str_eqc(call->text, "begins_with"));
    const struct gy_pql_node *num = w->kids[1]->kids[1];
    assert_int_equal(num->kind, GY_PQL_NUMBER);
    assert_true(gy_str_eqc(num->text, "-2.5"));
}

static void test_parse_literals(void **state)
{
    const struct gy_pql_stmt *s = PARSE(
        "INSERT INTO \"T\" VALUE {'PK': 'it''s', 'n': 12, 'm': {'l': [true, false, null]}, "
        "'ss': <<'a', 'b'>>, 'p': ?, 'e': {}}");
    assert_int_equal(s->kind, GY_PQL_INSERT);
    const struct gy_pql_node *v = s->value;
    assert_int_equal(v->kind, GY_PQL_MAP);
    assert_int_equal(v->n, 6);
    assert_true(gy_str_eqc(v->keys[0], "PK"));
    assert_true(gy_str_eqc(v->kids[0]->text, "it's"));
    assert_int_equal(v->kids[2]->kind, GY_PQL_MAP);
    assert_int_equal(v->kids[2]->kids[0]->kind, GY_PQL_LIST);
    assert_int_equal(v->kids[2]->kids[0]->kids[2]->kind, GY_PQL_NULL);
    assert_int_equal(v->kids[3]->kind, GY_PQL_BAG);
    assert_int_equal(v->kids[3]->n, 2);
    assert_int_equal(v->kids[4]->kind, GY_PQL_PARAM);
    assert_int_equal(v->kids[5]->n, 0);
    assert_int_equal(s->nparams, 1);
    assert_false(gy_pql_is_read(s));
}

static void test_parse_update_delete(void **state)
{
    const struct gy_pql_stmt *s =
        PARSE("UPDATE T SET a = a + 1, b.c = 'x' REMOVE d SET l = list_append(l, [1]) "
              "WHERE PK = 'k' AND SK = 1 RETURNING MODIFIED NEW *");
    assert_int_equal(s->kind, GY_PQL_UPDATE);
    assert_int_equal(s->nassign, 4);
    assert_int_equal(s->assign[0].value->kind, GY_PQL_ARITH);
    assert_int_equal(s->assign[0].value->op, '+');
    assert_true(s->assign[2].remove);
    assert_null(s->assign[2].value);
    assert_true(gy_str_eqc(s->assign[3].value->text, "list_append"));
    assert_int_equal(s->returning, GY_PQL_RET_MODIFIED_NEW);

    s = PARSE("DELETE FROM T WHERE PK = ? AND SK = ? RETURNING ALL OLD *");
    assert_int_equal(s->kind, GY_PQL_DELETE);
    assert_int_equal(s->nparams, 2);
    assert_int_equal(s->returning, GY_PQL_RET_ALL_OLD);

    s = PARSE("EXISTS(SELECT * FROM T WHERE PK = 'a' AND SK = 1 AND x > 2)");
    assert_int_equal(s->kind, GY_PQL_EXISTS);
    assert_false(gy_pql_is_read(s));
}

static void test_parse_errors(void **state)
{
    assert_string_equal(PARSE_ERR(""), WF "Expected data manipulation");
    assert_string_equal(PARSE_ERR("UPSERT INTO t VALUE {}"), WF "Expected data manipulation");
    assert_string_equal(PARSE_ERR("SELECT * FROM"), WF "Unexpected end of statement");
    assert_string_equal(PARSE_ERR("SELECT * FROM t WHERE a = 'x"),
                        WF "Unterminated string literal at position 27");
    assert_string_equal(PARSE_ERR("SELECT * FROM t WHERE a == 1"),
                        WF "Unexpected token '=' at position 26");
    assert_string_equal(PARSE_ERR("SELECT * FROM t WHERE from = 1"),
                        WF "Unexpected keyword 'from' at position 23");
    assert_string_equal(PARSE_ERR("SELECT * FROM t WHERE a = 1 #"),
                        WF "Unexpected character '#' at position 29");
    assert_string_equal(PARSE_ERR("SELECT * FROM t extra"),
                        WF "Unexpected token 'extra' at position 17");
    assert_string_equal(PARSE_ERR("SELECT *, a FROM t"),
                        "Other attributes should not be present in the projection when '*' is "
                        "used.");
    assert_string_equal(PARSE_ERR("INSERT INTO t VALUE {'a': 1} RETURNING ALL OLD *"),
                        "RETURNING is not supported in INSERT");
    assert_string_equal(PARSE_ERR("INSERT INTO t VALUES {'a': 1}"),
                        "Unsupported operation: Inserting multiple items in a single statement "
                        "is not supported, use \"INSERT INTO tableName VALUE item\" instead");
    assert_string_equal(PARSE_ERR("DELETE FROM t WHERE a = 1 RETURNING ALL NEW *"),
                        "Invalid returning clause: RETURNING ALL NEW *. Only RETURNING ALL OLD * "
                        "is allowed in DELETE statements.");
    assert_string_equal(PARSE_ERR("UPDATE t SET a = 1 RETURNING ALL NEW"),
                        "Expected '*' after ( MODIFIED | ALL ) ( NEW | OLD ) in RETURNING clause");
    assert_string_equal(PARSE_ERR("UPDATE t WHERE a = 1"), WF "Unexpected keyword 'WHERE' at "
                                                           "position 10");
    assert_string_equal(PARSE_ERR("SELECT * FROM t WHERE \"\" = 1"),
                        "Path component cannot be an empty string");
    assert_string_equal(PARSE_ERR("SELECT * FROM a.b.c"),
                        "A path may contain at most 2 components in the FROM clause");
    assert_string_equal(PARSE_ERR("DELETE FROM a.b WHERE x = 1"),
                        "FROM clause may only contain a single table name in data manipulation "
                        "statements");
    assert_string_equal(PARSE_ERR("SELECT * FROM t WHERE a[x] = 1"),
                        WF "Unexpected token 'x' at position 25");
    assert_string_equal(PARSE_ERR("SELECT * FROM t WHERE a[99999999999] = 1"),
                        WF "Invalid list index '99999999999'");
    assert_string_equal(PARSE_ERR("SELECT * FROM \"\""), WF "Table name cannot be empty");
    assert_string_equal(PARSE_ERR("SELECT * FROM t WHERE \"a\xff\" = 1"),
                        WF "Statement is not valid UTF-8 text");
    const struct gy_pql_stmt *s = NULL;
    struct gy_error err = { 0 };
    assert_int_equal(gy_pql_parse(A, (struct gy_str){ "SELECT * FROM \"a\0b\"", 20 }, &s, &err),
                     GY_EAWS);
    assert_string_equal(err.message, WF "Statement is not valid UTF-8 text");
}

/* Deep nesting is refused, not a stack overflow; long flat input is fine. */
static void test_parse_limits(void **state)
{
    size_t n = 100000;
    char *deep = gy_arena_alloc(A, n + 64);
    int len = snprintf(deep, 64, "SELECT * FROM t WHERE ");
    memset(deep + len, '(', n);
    deep[len + n] = '\0';
    assert_string_equal(PARSE_ERR(deep),
                        WF "Statement nesting exceeds the maximum depth of 64");

    len = snprintf(deep, 64, "INSERT INTO t VALUE ");
    for (size_t i = 0; i < 200; i++)
        deep[len + i] = '[';
    deep[len + 200] = '\0';
    assert_string_equal(PARSE_ERR(deep), WF "Statement nesting exceeds the maximum depth of 64");

    len = snprintf(deep, 64, "SELECT * FROM t WHERE NOT ");
    for (size_t i = 0; i < 100; i++)
        memcpy(deep + len + 4 * i, "NOT ", 4);
    memcpy(deep + len + 400, "a = 1", 6);
    assert_string_equal(PARSE_ERR(deep), WF "Statement nesting exceeds the maximum depth of 64");

    /* 60 levels are fine. */
    len = snprintf(deep, 64, "SELECT * FROM t WHERE ");
    memset(deep + len, '(', 60);
    memcpy(deep + len + 60, "a = 1", 5);
    memset(deep + len + 65, ')', 60);
    deep[len + 125] = '\0';
    assert_string_equal(PARSE_ERR(deep), "OK");

    /* A long AND chain (8 KB) parses: the chain is iterative, not nested. */
    char *chain = gy_arena_alloc(A, 9000);
    len = snprintf(chain, 64, "SELECT * FROM t WHERE a = 1");
    while (len < 8000)
        len += snprintf(chain + len, 9000 - (size_t)len, " AND a = ?");
    const struct gy_pql_stmt *s = PARSE(chain);
    assert_true(s->nparams > 700);

    /* Garbage of every byte value lexes and fails cleanly. */
    char bytes[256];
    for (int i = 1; i < 256; i++)
        bytes[i - 1] = (char)i;
    bytes[255] = '\0';
    assert_string_not_equal(PARSE_ERR(bytes), "OK");
}

/* ---- planner ---- */

static void test_plan_get(void **state)
{
    assert_string_equal(PLAN(&T, "SELECT * FROM T WHERE PK = 'a' AND SK = 1", NULL,
                             GY_PQL_OP_GET),
                        "{\"TableName\":\"T\",\"Key\":{\"PK\":{\"S\":\"a\"},\"SK\":{\"N\":\"1\"}}}");
    /* Either order, values on either side, projection, parameters. */
    assert_string_equal(
        PLAN(&T, "SELECT a, b.c, d[0] FROM T WHERE ? = SK AND PK = ?",
             "[{\"N\":\"7\"},{\"S\":\"p\"}]", GY_PQL_OP_GET),
        "{\"TableName\":\"T\",\"Key\":{\"PK\":{\"S\":\"p\"},\"SK\":{\"N\":\"7\"}},"
        "\"ProjectionExpression\":\"#n0, #n1.#n2, #n3[0]\",\"ExpressionAttributeNames\":"
        "{\"#n0\":\"a\",\"#n1\":\"b\",\"#n2\":\"c\",\"#n3\":\"d\"}}");
    assert_string_equal(PLAN(&H, "SELECT * FROM H WHERE id = 'x'", NULL, GY_PQL_OP_GET),
                        "{\"TableName\":\"H\",\"Key\":{\"id\":{\"S\":\"x\"}}}");
}

static void test_plan_query(void **state)
{
    assert_string_equal(
        PLAN(&T, "SELECT * FROM T WHERE PK = 'a'", NULL, GY_PQL_OP_QUERY),
        "{\"TableName\":\"T\",\"KeyConditionExpression\":\"#n0 = :v0\","
        "\"ExpressionAttributeNames\":{\"#n0\":\"PK\"},\"ExpressionAttributeValues\":"
        "{\":v0\":{\"S\":\"a\"}}}");
    assert_string_equal(
        PLAN(&T, "SELECT * FROM T WHERE PK = 'a' AND SK BETWEEN 1 AND 5 AND status = 'on'",
             NULL, GY_PQL_OP_QUERY),
        "{\"TableName\":\"T\",\"KeyConditionExpression\":\"#n0 = :v0 AND #n1 BETWEEN :v1 AND "
        ":v2\",\"FilterExpression\":\"#n2 = :v3\",\"ExpressionAttributeNames\":{\"#n0\":\"PK\","
        "\"#n1\":\"SK\",\"#n2\":\"status\"},\"ExpressionAttributeValues\":{\":v0\":{\"S\":\"a\"},"
        "\":v1\":{\"N\":\"1\"},\":v2\":{\"N\":\"5\"},\":v3\":{\"S\":\"on\"}}}");
    /* A value on the left flips the operator. */
    assert_string_equal(
        PLAN(&T, "SELECT * FROM T WHERE 5 < SK AND PK = 'a'", NULL, GY_PQL_OP_QUERY),
        "{\"TableName\":\"T\",\"KeyConditionExpression\":\"#n0 = :v0 AND #n1 > :v1\","
        "\"ExpressionAttributeNames\":{\"#n0\":\"PK\",\"#n1\":\"SK\"},"
        "\"ExpressionAttributeValues\":{\":v0\":{\"S\":\"a\"},\":v1\":{\"N\":\"5\"}}}");
    assert_string_equal(
        PLAN(&T, "SELECT * FROM T WHERE PK = 'a' AND begins_with(SK, '1') ORDER BY SK DESC",
             NULL, GY_PQL_OP_QUERY),
        "{\"TableName\":\"T\",\"KeyConditionExpression\":\"#n0 = :v0 AND begins_with(#n1, "
        ":v1)\",\"ExpressionAttributeNames\":{\"#n0\":\"PK\",\"#n1\":\"SK\"},"
        "\"ExpressionAttributeValues\":{\":v0\":{\"S\":\"a\"},\":v1\":{\"S\":\"1\"}},"
        "\"ScanIndexForward\":false}");
}

static void test_plan_scan(void **state)
{
    assert_string_equal(PLAN(&T, "SELECT * FROM T", NULL, GY_PQL_OP_SCAN),
                        "{\"TableName\":\"T\"}");
    assert_string_equal(
        PLAN(&T, "SELECT * FROM T WHERE x IN [1, 2] OR NOT (y <> 'a')", NULL, GY_PQL_OP_SCAN),
        "{\"TableName\":\"T\",\"FilterExpression\":\"(#n0 IN (:v0, :v1) OR (NOT #n1 <> :v2))\","
        "\"ExpressionAttributeNames\":{\"#n0\":\"x\",\"#n1\":\"y\"},\"ExpressionAttributeValues\":"
        "{\":v0\":{\"N\":\"1\"},\":v1\":{\"N\":\"2\"},\":v2\":{\"S\":\"a\"}}}");
    /* A second condition on a key attribute cannot be a Query filter: Scan instead. */
    assert_string_equal(
        PLAN(&T, "SELECT * FROM T WHERE PK = 'a' AND SK <> 3", NULL, GY_PQL_OP_SCAN),
        "{\"TableName\":\"T\",\"FilterExpression\":\"(#n0 = :v0 AND #n1 <> :v1)\","
        "\"ExpressionAttributeNames\":{\"#n0\":\"PK\",\"#n1\":\"SK\"},"
        "\"ExpressionAttributeValues\":{\":v0\":{\"S\":\"a\"},\":v1\":{\"N\":\"3\"}}}");
    assert_string_equal(
        PLAN(&T, "SELECT * FROM T WHERE PK = 'a' OR PK = 'b'", NULL, GY_PQL_OP_SCAN),
        "{\"TableName\":\"T\",\"FilterExpression\":\"(#n0 = :v0 OR #n1 = :v1)\","
        "\"ExpressionAttributeNames\":{\"#n0\":\"PK\",\"#n1\":\"PK\"},"
        "\"ExpressionAttributeValues\":{\":v0\":{\"S\":\"a\"},\":v1\":{\"S\":\"b\"}}}");
    assert_string_equal(
        PLAN(&T, "SELECT * FROM T WHERE a IS MISSING AND b IS NOT MISSING AND c IS NULL AND "
                 "d IS NOT NULL AND contains(e, 'x') AND size(f) >= 2 AND attribute_type(g, 'S')",
             NULL, GY_PQL_OP_SCAN),
        "{\"TableName\":\"T\",\"FilterExpression\":\"((((((attribute_not_exists(#n0) AND "
        "attribute_exists(#n1)) AND (attribute_not_exists(#n2) OR attribute_type(#n3, :v0))) "
        "AND (attribute_exists(#n4) AND NOT attribute_type(#n5, :v1))) AND contains(#n6, :v2)) "
        "AND size(#n7) >= :v3) AND attribute_type(#n8, :v4))\",\"ExpressionAttributeNames\":"
        "{\"#n0\":\"a\",\"#n1\":\"b\",\"#n2\":\"c\",\"#n3\":\"c\",\"#n4\":\"d\",\"#n5\":\"d\","
        "\"#n6\":\"e\",\"#n7\":\"f\",\"#n8\":\"g\"},\"ExpressionAttributeValues\":{\":v0\":"
        "{\"S\":\"NULL\"},\":v1\":{\"S\":\"NULL\"},\":v2\":{\"S\":\"x\"},\":v3\":{\"N\":\"2\"},"
        "\":v4\":{\"S\":\"S\"}}}");
    /* Reserved words and odd names are placeholders; index names pass to Scan. */
    assert_string_equal(
        PLAN(&T, "SELECT \"size\", \"a b\" FROM \"T\".\"byX\" WHERE \"count\" = 1", NULL,
             GY_PQL_OP_SCAN),
        "{\"TableName\":\"T\",\"IndexName\":\"byX\",\"FilterExpression\":\"#n0 = :v0\","
        "\"ProjectionExpression\":\"#n1, #n2\",\"ExpressionAttributeNames\":{\"#n0\":\"count\","
        "\"#n1\":\"size\",\"#n2\":\"a b\"},\"ExpressionAttributeValues\":{\":v0\":{\"N\":\"1\"}}}");
}

static void test_plan_options(void **state)
{
    struct gy_error err = { 0 };
    struct gy_pql_plan plan;
    struct gy_pql_opts o = { .limit = 2, .consistent = true, .rcc = "TOTAL",
                             .start_key = GY_STR("{\"PK\":{\"S\":\"a\"},\"SK\":{\"N\":\"1\"}}") };
    assert_int_equal(gy_pql_plan(A, PARSE("SELECT * FROM T WHERE PK = 'a'"), &T, NULL,
                                 GY_PQL_SINGLE, &o, &plan, &err),
                     0);
    assert_string_equal(plan.body.p,
                        "{\"TableName\":\"T\",\"KeyConditionExpression\":\"#n0 = :v0\","
                        "\"ExpressionAttributeNames\":{\"#n0\":\"PK\"},"
                        "\"ExpressionAttributeValues\":{\":v0\":{\"S\":\"a\"}},\"Limit\":2,"
                        "\"ExclusiveStartKey\":{\"PK\":{\"S\":\"a\"},\"SK\":{\"N\":\"1\"}},"
                        "\"ConsistentRead\":true,\"ReturnConsumedCapacity\":\"TOTAL\"}");
    o.rvoccf = "ALL_OLD";
    assert_int_equal(gy_pql_plan(A, PARSE("DELETE FROM H WHERE id = 'a' RETURNING ALL OLD *"),
                                 &H, NULL, GY_PQL_SINGLE, &o, &plan, &err),
                     0);
    assert_int_equal(plan.op, GY_PQL_OP_DELETE);
    assert_string_equal(plan.body.p,
                        "{\"TableName\":\"H\",\"Key\":{\"id\":{\"S\":\"a\"}},"
                        "\"ReturnConsumedCapacity\":\"TOTAL\","
                        "\"ReturnValuesOnConditionCheckFailure\":\"ALL_OLD\","
                        "\"ReturnValues\":\"ALL_OLD\"}");
    assert_string_equal(plan.key.p, "{\"id\":{\"S\":\"a\"}}");
}

static void test_plan_insert(void **state)
{
    assert_string_equal(
        PLAN(&T,
             "INSERT INTO T VALUE {'PK': 'a', 'SK': -1.5, 'm': {'l': [true, null, <<1, 2>>]}, "
             "'ss': <<'x', ?>>, 'p': ?}",
             "[{\"S\":\"y\"},{\"B\":\"AAE=\"}]", GY_PQL_OP_PUT),
        "{\"TableName\":\"T\",\"Item\":{\"PK\":{\"S\":\"a\"},\"SK\":{\"N\":\"-1.5\"},\"m\":{\"M\":"
        "{\"l\":{\"L\":[{\"BOOL\":true},{\"NULL\":true},{\"NS\":[\"1\",\"2\"]}]}}},\"ss\":{\"SS\":"
        "[\"x\",\"y\"]},\"p\":{\"B\":\"AAE=\"}},\"ConditionExpression\":"
        "\"attribute_not_exists(#n0)\",\"ExpressionAttributeNames\":{\"#n0\":\"PK\"}}");
    assert_string_equal(PLAN(&H, "INSERT INTO H VALUE ?", "[{\"M\":{\"id\":{\"S\":\"q\"}}}]",
                             GY_PQL_OP_PUT),
                        "{\"TableName\":\"H\",\"Item\":{\"id\":{\"S\":\"q\"}},"
                        "\"ConditionExpression\":\"attribute_not_exists(#n0)\","
                        "\"ExpressionAttributeNames\":{\"#n0\":\"id\"}}");
    assert_string_equal(PLAN_ERR(&H, "INSERT INTO H VALUE ?", "[{\"S\":\"q\"}]"),
                        "Unsupported format in item expression. Please use struct format {...} "
                        "to express item values for insert statement.");
    assert_string_equal(PLAN_ERR(&H, "INSERT INTO H VALUE [1]", NULL),
                        "Unsupported format in item expression. Please use struct format {...} "
                        "to express item values for insert statement.");
    assert_string_equal(PLAN_ERR(&H, "INSERT INTO H VALUE {'id': 'a', 'id': 'b'}", NULL),
                        "Duplicate keys in tuple. Key: id");
    assert_string_equal(PLAN_ERR(&H, "INSERT INTO H VALUE {'id': 'a', 'x': <<'a', 1>>}", NULL),
                        "Unsupported data type in Bag. DynamoDB only supports either numbers or "
                        "strings in bags");
    assert_string_equal(PLAN_ERR(&H, "INSERT INTO H VALUE {'id': 'a', 'x': <<>>}", NULL),
                        "Empty bags are not supported");
    assert_string_equal(PLAN_ERR(&H, "INSERT INTO H VALUE {'id': 'a', 'x': b}", NULL),
                        WF "Expected a value (a literal or a parameter)");
    assert_string_equal(PLAN_ERR(&H, "INSERT INTO H VALUE {'id': ?}", "[{\"Q\":\"1\"}]"),
                        "Supplied AttributeValue is empty, must contain exactly one of the "
                        "supported datatypes");
}

static void test_plan_update(void **state)
{
    assert_string_equal(
        PLAN(&T,
             "UPDATE T SET a = a + 1, b.c = 'x' REMOVE d, e[2] SET l = list_append(l, [1]) "
             "SET s = set_add(s, <<'x'>>) SET t = set_delete(t, ?) SET u = if_not_exists(u, 0) "
             "WHERE PK = 'k' AND SK = 1 AND v > 2 RETURNING ALL NEW *",
             "[{\"NS\":[\"3\"]}]", GY_PQL_OP_UPDATE),
        "{\"TableName\":\"T\",\"Key\":{\"PK\":{\"S\":\"k\"},\"SK\":{\"N\":\"1\"}},"
        "\"ConditionExpression\":\"attribute_exists(#n12) AND (#n13 > :v6)\","
        "\"UpdateExpression\":\"SET #n0 = #n1 + :v0, #n2.#n3 = :v1, #n6 = list_append(#n7, :v2), "
        "#n10 = if_not_exists(#n11, :v5) REMOVE #n4, #n5[2] ADD #n8 :v3 DELETE #n9 :v4\","
        "\"ExpressionAttributeNames\":{\"#n0\":\"a\",\"#n1\":\"a\",\"#n2\":\"b\",\"#n3\":\"c\","
        "\"#n4\":\"d\",\"#n5\":\"e\",\"#n6\":\"l\",\"#n7\":\"l\",\"#n8\":\"s\",\"#n9\":\"t\","
        "\"#n10\":\"u\",\"#n11\":\"u\",\"#n12\":\"PK\",\"#n13\":\"v\"},"
        "\"ExpressionAttributeValues\":{\":v0\":{\"N\":\"1\"},\":v1\":{\"S\":"
        "\"x\"},\":v2\":{\"L\":[{\"N\":\"1\"}]},\":v3\":{\"SS\":[\"x\"]},\":v4\":{\"NS\":"
        "[\"3\"]},\":v5\":{\"N\":\"0\"},\":v6\":{\"N\":\"2\"}},\"ReturnValues\":\"ALL_NEW\"}");
}

static void test_plan_update_errors(void **state)
{
    assert_string_equal(PLAN_ERR(&T, "UPDATE T SET a = 1 WHERE PK = 'k'", NULL),
                        "Where clause does not contain a mandatory equality on all key "
                        "attributes");
    assert_string_equal(PLAN_ERR(&T, "UPDATE T SET a = 1", NULL),
                        "Where clause does not contain a mandatory equality on all key "
                        "attributes");
    assert_string_equal(PLAN_ERR(&T, "UPDATE T SET a = 1 WHERE PK = 'k' OR SK = 1", NULL),
                        "Where clause does not contain a mandatory equality on all key "
                        "attributes");
    assert_string_equal(PLAN_ERR(&T, "UPDATE T SET a = 1 WHERE PK = 'k' AND SK = 1 AND PK = 'j'",
                                 NULL),
                        "Multiple conditions on same key PK. Only single item "
                        "Update/Insert/Delete are supported");
    assert_string_equal(PLAN_ERR(&H, "UPDATE H SET s = set_add(x, <<1>>) WHERE id = 'k'", NULL),
                        "The first argument to SET_ADD must equal the assignment value");
    assert_string_equal(PLAN_ERR(&H, "UPDATE H SET s = set_delete(s, 1) WHERE id = 'k'", NULL),
                        "The second argument to SET_DELETE must be a value with type SET");
    assert_string_equal(PLAN_ERR(&H, "UPDATE H SET s = set_add(s) WHERE id = 'k'", NULL),
                        "SET_ADD must have exactly two arguments");
    assert_string_equal(PLAN_ERR(&H, "UPDATE H SET s = frob(s) WHERE id = 'k'", NULL),
                        "Unrecognized function: frob");
    assert_string_equal(PLAN_ERR(&H, "UPDATE H SET s = 1 WHERE id = 'k' AND x = MISSING", NULL),
                        "MISSING must be compared using IS operator");
    assert_string_equal(PLAN_ERR(&H, "UPDATE H SET s = 1 WHERE id = 'k' AND x", NULL),
                        "WHERE clause must contain an expression that resolves to a boolean");
    assert_string_equal(PLAN_ERR(&H, "UPDATE H SET s = 1 WHERE id = 'k' AND 1 IS MISSING",
                                 NULL),
                        "The left hand side argument to IS must be a Variable Reference, "
                        "Literal, or Path");
    assert_string_equal(PLAN_ERR(&H, "SELECT * FROM H WHERE id = ?", "[{\"S\":\"a\"},"
                                                                     "{\"S\":\"b\"}]"),
                        "OK");
    assert_string_equal(PLAN_ERR(&H, "SELECT * FROM H WHERE id = ? AND x = ?", "[{\"S\":\"a\"}]"),
                        "Number of parameters in request and statement don't match.");
}

static void test_plan_delete(void **state)
{
    assert_string_equal(PLAN(&T, "DELETE FROM T WHERE SK = 1 AND PK = 'a'", NULL,
                             GY_PQL_OP_DELETE),
                        "{\"TableName\":\"T\",\"Key\":{\"PK\":{\"S\":\"a\"},\"SK\":{\"N\":\"1\"}}}");
    /* Extra terms: a missing item still deletes nothing without failing. */
    assert_string_equal(
        PLAN(&H, "DELETE FROM H WHERE id = 'a' AND n < 3", NULL, GY_PQL_OP_DELETE),
        "{\"TableName\":\"H\",\"Key\":{\"id\":{\"S\":\"a\"}},\"ConditionExpression\":"
        "\"attribute_not_exists(#n0) OR (#n1 < :v0)\",\"ExpressionAttributeNames\":{\"#n0\":"
        "\"id\",\"#n1\":\"n\"},\"ExpressionAttributeValues\":{\":v0\":{\"N\":\"3\"}}}");
    assert_string_equal(PLAN_ERR(&H, "DELETE FROM H WHERE n = 1", NULL),
                        "Where clause does not contain a mandatory equality on all key "
                        "attributes");
}

static void test_plan_modes(void **state)
{
    enum gy_pql_op op;
    assert_string_equal(PLAN_MODE(&T, "SELECT a FROM T WHERE PK = 'a' AND SK = 2", NULL,
                                  GY_PQL_TXN, &op),
                        "{\"TableName\":\"T\",\"Key\":{\"PK\":{\"S\":\"a\"},\"SK\":{\"N\":\"2\"}},"
                        "\"ProjectionExpression\":\"#n0\",\"ExpressionAttributeNames\":{\"#n0\":"
                        "\"a\"}}");
    assert_int_equal(op, GY_PQL_OP_GET);
    assert_string_equal(PLAN_ERR_MODE(&T, "SELECT * FROM T WHERE PK = 'a'", NULL, GY_PQL_TXN),
                        "Select statements within ExecuteTransaction must specify the primary "
                        "key in the where clause.");
    assert_string_equal(PLAN_ERR_MODE(&H, "SELECT * FROM H WHERE id = 'a' AND x = 1", NULL,
                                      GY_PQL_BATCH),
                        "Where clause does not contain a mandatory equality on all key "
                        "attributes");
    assert_string_equal(PLAN_ERR_MODE(&H, "SELECT * FROM H.\"i\" WHERE id = 'a'", NULL,
                                      GY_PQL_TXN),
                        "Reads on indices are not supported within transactions.");
    assert_string_equal(PLAN_MODE(&H, "EXISTS(SELECT * FROM H WHERE id = 'a' AND n > 1)", NULL,
                                  GY_PQL_TXN, &op),
                        "{\"TableName\":\"H\",\"Key\":{\"id\":{\"S\":\"a\"}},"
                        "\"ConditionExpression\":\"attribute_exists(#n0) AND (#n1 > :v0)\","
                        "\"ExpressionAttributeNames\":{\"#n0\":\"id\",\"#n1\":\"n\"},"
                        "\"ExpressionAttributeValues\":{\":v0\":{\"N\":\"1\"}}}");
    assert_int_equal(op, GY_PQL_OP_CHECK);
    assert_string_equal(PLAN_ERR(&H, "EXISTS(SELECT * FROM H WHERE id = 'a')", NULL),
                        "EXISTS can only be used in ExecuteTransaction write requests.");
    assert_string_equal(PLAN_ERR_MODE(&H, "EXISTS(SELECT * FROM H WHERE n = 1)", NULL,
                                      GY_PQL_TXN),
                        "EXISTS() must contain a single item read with additional condition");
    assert_string_equal(PLAN_ERR(&T, "SELECT * FROM T WHERE x = 1 ORDER BY SK", NULL),
                        "Must have at least one non-optional hash key condition in WHERE clause "
                        "when using ORDER BY clause.");
    assert_string_equal(PLAN_ERR(&T, "SELECT * FROM T WHERE PK = 'a' ORDER BY x", NULL),
                        "Variable reference x in ORDER BY clause must be part of the primary key");
}

/* ---- NextToken ---- */

static void test_token(void **state)
{
    struct gy_error err = { 0 };
    struct gy_str key;
    struct gy_str stmt = GY_STR("SELECT * FROM T");
    struct gy_str lek = GY_STR("{\"PK\":{\"S\":\"a\"},\"SK\":{\"N\":\"1\"}}");
    struct gy_str tok = gy_pql_token_encode(A, stmt, lek);

    assert_int_equal(tok.len % 4, 0);
    assert_int_equal(gy_pql_token_decode(A, stmt, tok, &key, &err), 0);
    assert_true(gy_str_eq(key, lek));
    assert_int_equal(gy_pql_token_decode(A, GY_STR("SELECT * FROM U"), tok, &key, &err),
                     GY_EAWS);
    assert_string_equal(err.message, "NextToken does not match request");
    static const char *const bad[] = { "", "abc", "!!!!", "e30=", "eyJoIjoxfQ==", "====",
                                       "e30" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        memset(&err, 0, sizeof(err));
        assert_int_equal(gy_pql_token_decode(A, stmt, gy_str_c(bad[i]), &key, &err), GY_EAWS);
        assert_string_equal(err.message, "Invalid NextToken");
    }
    /* Every padding length round-trips. */
    for (size_t n = 0; n < 4; n++) {
        char k[32];
        snprintf(k, sizeof(k), "{\"a\":{\"S\":\"%.*s\"}}", (int)n, "xyz");
        tok = gy_pql_token_encode(A, stmt, gy_str_c(k));
        assert_int_equal(gy_pql_token_decode(A, stmt, tok, &key, &err), 0);
        assert_true(gy_str_eqc(key, k));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_lexer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_select, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_conditions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_literals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_update_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_query, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_scan, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_options, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_insert, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_update, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_update_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_modes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_token, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

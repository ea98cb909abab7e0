/*
 * test_expr_update.c — applying update expressions (every clause, arithmetic with overflow,
 * sets, lists, if_not_exists, list_append, nested paths, runtime errors), ReturnValues
 * projections of updated paths, and ProjectionExpression results.
 */
#include "test_expr_helpers.h"

#define V "{\":v\":{\"S\":\"x\"},\":w\":{\"S\":\"w\"},\":one\":{\"N\":\"1\"},\":n\":{\"N\":\"10\"}," \
          "\":a\":{\"N\":\"0.1\"},\":b\":{\"N\":\"0.2\"},\":big\":{\"N\":\"9.9999999999999999999999999999999999999E+125\"}," \
          "\":ss\":{\"SS\":[\"b\",\"c\"]},\":ns\":{\"NS\":[\"1\"]},\":l\":{\"L\":[{\"S\":\"y\"}]}," \
          "\":m\":{\"M\":{}}}"

#define IT "{\"s\":{\"S\":\"str\"},\"n\":{\"N\":\"10\"},\"ss\":{\"SS\":[\"a\",\"b\"]}," \
           "\"l\":{\"L\":[{\"S\":\"l0\"},{\"S\":\"l1\"},{\"M\":{\"deep\":{\"N\":\"3\"}}},{\"S\":\"l3\"}]}," \
           "\"m\":{\"M\":{\"k\":{\"S\":\"v\"}}}}"

/* Apply with V, ignoring unused values. */
static const char *U(const char *text, const char *item)
{
    return APPLY(NULL, V, text, item);
}

static void test_set(void **state)
{
    assert_string_equal(U("SET a = :v", NULL), "{\"a\":{\"S\":\"x\"}}");
    assert_string_equal(U("SET a = :v, b = :w", "{\"z\":{\"S\":\"z\"}}"),
                        "{\"a\":{\"S\":\"x\"},\"b\":{\"S\":\"w\"},\"z\":{\"S\":\"z\"}}");
    assert_string_equal(U("SET m.j = :v", "{\"m\":{\"M\":{\"k\":{\"S\":\"v\"}}}}"),
                        "{\"m\":{\"M\":{\"j\":{\"S\":\"x\"},\"k\":{\"S\":\"v\"}}}}");
    assert_string_equal(U("SET m.k = :w", "{\"m\":{\"M\":{\"k\":{\"S\":\"v\"}}}}"),
                        "{\"m\":{\"M\":{\"k\":{\"S\":\"w\"}}}}");
    assert_string_equal(U("SET a = s, s = :v", "{\"s\":{\"S\":\"old\"}}"), /* values from old item */
                        "{\"a\":{\"S\":\"old\"},\"s\":{\"S\":\"x\"}}");
    assert_string_equal(U("SET a = if_not_exists(s, :v)", "{\"s\":{\"S\":\"old\"}}"),
                        "{\"a\":{\"S\":\"old\"},\"s\":{\"S\":\"old\"}}");
    assert_string_equal(U("SET a = if_not_exists(s, :v)", NULL), "{\"a\":{\"S\":\"x\"}}");
    assert_string_equal(U("SET e = :m", NULL), "{\"e\":{\"M\":{}}}");
}

static void test_arithmetic(void **state)
{
    assert_string_equal(U("SET n = n + :one", "{\"n\":{\"N\":\"10\"}}"), "{\"n\":{\"N\":\"11\"}}");
    assert_string_equal(U("SET n = n - :n", "{\"n\":{\"N\":\"10\"}}"), "{\"n\":{\"N\":\"0\"}}");
    assert_string_equal(U("SET n = :a + :b", NULL), "{\"n\":{\"N\":\"0.3\"}}");
    assert_string_equal(U("SET n = :one - :n", NULL), "{\"n\":{\"N\":\"-9\"}}");
    assert_string_equal(U("SET n = if_not_exists(n, :n) + :one", NULL), "{\"n\":{\"N\":\"11\"}}");
    assert_string_equal(U("SET n = :big + :big", NULL),
                        "ERR: Number overflow. Attempting to store a number with magnitude larger "
                        "than supported range");
    assert_string_equal(U("SET n = s + :one", "{\"s\":{\"S\":\"1\"}}"),
                        "ERR: An operand in the update expression has an incorrect data type");
    assert_string_equal(U("SET n = nope + :one", NULL),
                        "ERR: The provided expression refers to an attribute that does not exist "
                        "in the item");
}

static void test_lists(void **state)
{
    assert_string_equal(U("SET l = list_append(l, :l)", "{\"l\":{\"L\":[{\"S\":\"a\"}]}}"),
                        "{\"l\":{\"L\":[{\"S\":\"a\"},{\"S\":\"y\"}]}}");
    assert_string_equal(U("SET l = list_append(:l, l)", "{\"l\":{\"L\":[{\"S\":\"a\"}]}}"),
                        "{\"l\":{\"L\":[{\"S\":\"y\"},{\"S\":\"a\"}]}}");
    assert_string_equal(U("SET l = list_append(if_not_exists(l, :l), :l)", NULL),
                        "{\"l\":{\"L\":[{\"S\":\"y\"},{\"S\":\"y\"}]}}");
    assert_string_equal(U("SET l = list_append(s, :l)", "{\"s\":{\"S\":\"1\"}}"),
                        "ERR: An operand in the update expression has an incorrect data type");
    assert_string_equal(U("SET l[1] = :v", "{\"l\":{\"L\":[{\"S\":\"a\"},{\"S\":\"b\"}]}}"),
                        "{\"l\":{\"L\":[{\"S\":\"a\"},{\"S\":\"x\"}]}}");
    assert_string_equal(U("SET l[10] = :v, l[7] = :w", "{\"l\":{\"L\":[{\"S\":\"a\"}]}}"),
                        "{\"l\":{\"L\":[{\"S\":\"a\"},{\"S\":\"w\"},{\"S\":\"x\"}]}}");
    assert_string_equal(U("REMOVE l[0], l[2]", "{\"l\":{\"L\":[{\"S\":\"a\"},{\"S\":\"b\"},"
                                               "{\"S\":\"c\"},{\"S\":\"d\"}]}}"),
                        "{\"l\":{\"L\":[{\"S\":\"b\"},{\"S\":\"d\"}]}}");
    assert_string_equal(U("REMOVE l[2], l[0]", "{\"l\":{\"L\":[{\"S\":\"a\"},{\"S\":\"b\"},"
                                               "{\"S\":\"c\"},{\"S\":\"d\"}]}}"),
                        "{\"l\":{\"L\":[{\"S\":\"b\"},{\"S\":\"d\"}]}}");
    assert_string_equal(U("REMOVE l[9]", "{\"l\":{\"L\":[{\"S\":\"a\"}]}}"),
                        "{\"l\":{\"L\":[{\"S\":\"a\"}]}}");
    assert_string_equal(U("SET l[2].deep = :v REMOVE l[0]", IT),
                        "{\"l\":{\"L\":[{\"S\":\"l1\"},{\"M\":{\"deep\":{\"S\":\"x\"}}},{\"S\":\"l3\"}]},"
                        "\"m\":{\"M\":{\"k\":{\"S\":\"v\"}}},\"n\":{\"N\":\"10\"},"
                        "\"s\":{\"S\":\"str\"},\"ss\":{\"SS\":[\"a\",\"b\"]}}");
    assert_string_equal(U("REMOVE x[1], x[0][0]", "{\"x\":{\"L\":[{\"L\":[{\"S\":\"a\"},{\"S\":\"b\"}]},"
                                                 "{\"S\":\"c\"}]}}"),
                        "{\"x\":{\"L\":[{\"L\":[{\"S\":\"b\"}]}]}}");
    assert_string_equal(U("SET l[0] = :v", "{\"l\":{\"L\":[]}}"), "{\"l\":{\"L\":[{\"S\":\"x\"}]}}");
}

static void test_remove(void **state)
{
    assert_string_equal(U("REMOVE s", "{\"s\":{\"S\":\"1\"},\"t\":{\"S\":\"2\"}}"),
                        "{\"t\":{\"S\":\"2\"}}");
    assert_string_equal(U("REMOVE nope", "{\"t\":{\"S\":\"2\"}}"), "{\"t\":{\"S\":\"2\"}}");
    assert_string_equal(U("REMOVE m.k, m.nope", "{\"m\":{\"M\":{\"k\":{\"S\":\"v\"}}}}"),
                        "{\"m\":{\"M\":{}}}");
    assert_string_equal(U("REMOVE s", NULL), "{}");
}

static void test_add_delete(void **state)
{
    assert_string_equal(U("ADD n :one", "{\"n\":{\"N\":\"10\"}}"), "{\"n\":{\"N\":\"11\"}}");
    assert_string_equal(U("ADD n :one", NULL), "{\"n\":{\"N\":\"1\"}}");
    assert_string_equal(U("ADD n :big", "{\"n\":{\"N\":\"9.9999999999999999999999999999999999999E+125\"}}"),
                        "ERR: Number overflow. Attempting to store a number with magnitude larger "
                        "than supported range");
    assert_string_equal(U("ADD ss :ss", "{\"ss\":{\"SS\":[\"a\",\"b\"]}}"),
                        "{\"ss\":{\"SS\":[\"a\",\"b\",\"c\"]}}");
    assert_string_equal(U("ADD ss :ss", NULL), "{\"ss\":{\"SS\":[\"b\",\"c\"]}}");
    assert_string_equal(U("ADD m.c :one", "{\"m\":{\"M\":{}}}"), "{\"m\":{\"M\":{\"c\":{\"N\":\"1\"}}}}");
    assert_string_equal(U("DELETE ss :ss", "{\"ss\":{\"SS\":[\"a\",\"b\"]}}"),
                        "{\"ss\":{\"SS\":[\"a\"]}}");
    assert_string_equal(U("DELETE ss :ss", "{\"ss\":{\"SS\":[\"c\",\"b\"]}}"), "{}");
    assert_string_equal(U("DELETE ss :ss", "{\"t\":{\"S\":\"2\"}}"), "{\"t\":{\"S\":\"2\"}}");
    assert_string_equal(U("ADD s :one", "{\"s\":{\"S\":\"1\"}}"),
                        "ERR: An operand in the update expression has an incorrect data type");
    assert_string_equal(U("ADD ss :ns", "{\"ss\":{\"SS\":[\"a\"]}}"),
                        "ERR: An operand in the update expression has an incorrect data type");
    assert_string_equal(U("DELETE ss :ns", "{\"ss\":{\"SS\":[\"a\"]}}"),
                        "ERR: An operand in the update expression has an incorrect data type");
    assert_string_equal(U("ADD ns :ns", "{\"ns\":{\"NS\":[\"2\",\"10\"]}}"),
                        "{\"ns\":{\"NS\":[\"1\",\"2\",\"10\"]}}");
}

static void test_path_errors(void **state)
{
    const char *bad = "ERR: The document path provided in the update expression is invalid for "
                      "update";
    assert_string_equal(U("SET a.b = :v", NULL), bad);
    assert_string_equal(U("SET a[1] = :v", NULL), bad);
    assert_string_equal(U("SET s.x = :v", "{\"s\":{\"S\":\"1\"}}"), bad);
    assert_string_equal(U("SET s[0] = :v", "{\"s\":{\"S\":\"1\"}}"), bad);
    assert_string_equal(U("SET m[0] = :v", "{\"m\":{\"M\":{}}}"), bad);
    assert_string_equal(U("REMOVE a.b", NULL), bad);
    assert_string_equal(U("ADD a.b :one", NULL), bad);
    assert_string_equal(U("DELETE a[1] :ss", "{\"a\":{\"M\":{}}}"), bad);
    assert_string_equal(U("SET x.y.z = :v", "{\"x\":{\"M\":{}}}"), bad);
    /* A wrong container is reported before a missing attribute. */
    assert_string_equal(U("SET a = nope, s.x = :v", "{\"s\":{\"S\":\"1\"}}"), bad);
}

static void test_update_project(void **state)
{
    struct gy_expr_ctx *c = CTX(NULL, V);
    struct gy_error err = { 0 };
    const struct gy_expr_update *u = NULL;
    assert_int_equal(gy_expr_parse_update(c, GY_STR("SET m.j = :v, n = n + :one REMOVE s"), NULL, 0,
                                          &u, &err), 0);
    struct gy_ddb_map old = ITEM(IT), nw, proj;
    assert_int_equal(gy_expr_update_apply(A, u, &old, &nw, &err), 0);
    assert_int_equal(gy_expr_update_project(A, u, &nw, &proj), 0);
    assert_string_equal(MAPJSON(&proj), "{\"m\":{\"M\":{\"j\":{\"S\":\"x\"}}},\"n\":{\"N\":\"11\"}}");
    assert_int_equal(gy_expr_update_project(A, u, &old, &proj), 0);
    assert_string_equal(MAPJSON(&proj), "{\"n\":{\"N\":\"10\"},\"s\":{\"S\":\"str\"}}");
}

static void test_projection(void **state)
{
    assert_string_equal(PROJECT(NULL, "s, n", IT), "{\"n\":{\"N\":\"10\"},\"s\":{\"S\":\"str\"}}");
    assert_string_equal(PROJECT(NULL, "l[2].deep", IT),
                        "{\"l\":{\"L\":[{\"M\":{\"deep\":{\"N\":\"3\"}}}]}}");
    assert_string_equal(PROJECT(NULL, "l[3], l[0]", IT),
                        "{\"l\":{\"L\":[{\"S\":\"l0\"},{\"S\":\"l3\"}]}}");
    assert_string_equal(PROJECT(NULL, "l[9], nope, m.nope, s.x", IT), "{}");
    assert_string_equal(PROJECT(NULL, "s[0], n.x", IT), "{}");
    assert_string_equal(PROJECT(NULL, "m.k, l[1]", IT),
                        "{\"l\":{\"L\":[{\"S\":\"l1\"}]},\"m\":{\"M\":{\"k\":{\"S\":\"v\"}}}}");
    assert_string_equal(PROJECT(NULL, "a.b[1]", "{\"a\":{\"M\":{\"b\":{\"L\":[{\"N\":\"0\"},{\"N\":\"1\"}]},"
                                                "\"c\":{\"S\":\"c\"}}}}"),
                        "{\"a\":{\"M\":{\"b\":{\"L\":[{\"N\":\"1\"}]}}}}");
    assert_string_equal(PROJECT("{\"#a\":\"a.b\"}", "#a", "{\"a.b\":{\"S\":\"dot\"},\"a\":{\"M\":{\"b\":{\"S\":\"x\"}}}}"),
                        "{\"a.b\":{\"S\":\"dot\"}}");
    assert_string_equal(PROJECT(NULL, "m.k, m.z", "{\"m\":{\"M\":{\"k\":{\"S\":\"v\"},\"y\":{\"S\":\"y\"},"
                                                  "\"z\":{\"S\":\"z\"}}}}"),
                        "{\"m\":{\"M\":{\"k\":{\"S\":\"v\"},\"z\":{\"S\":\"z\"}}}}");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_set, setup, teardown),
        cmocka_unit_test_setup_teardown(test_arithmetic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lists, setup, teardown),
        cmocka_unit_test_setup_teardown(test_remove, setup, teardown),
        cmocka_unit_test_setup_teardown(test_add_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_path_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_project, setup, teardown),
        cmocka_unit_test_setup_teardown(test_projection, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

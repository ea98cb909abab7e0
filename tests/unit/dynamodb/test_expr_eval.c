/*
 * test_expr_eval.c — condition evaluation: every comparator and function across types,
 * nope attributes and items, nested paths, list indexes out of range, logic.
 */
#include "test_expr_helpers.h"

#define V "{\":s\":{\"S\":\"abc\"},\":sa\":{\"S\":\"ab\"},\":sz\":{\"S\":\"abd\"},\":n\":{\"N\":\"10\"}," \
          "\":n2\":{\"N\":\"9.5\"},\":n3\":{\"N\":\"100\"},\":b\":{\"B\":\"AAEC\"},\":bp\":{\"B\":\"AAE=\"}," \
          "\":t\":{\"BOOL\":true},\":null\":{\"NULL\":true},\":ss\":{\"SS\":[\"x\",\"y\"]}," \
          "\":ns\":{\"NS\":[\"2\",\"1\"]},\":l\":{\"L\":[{\"S\":\"x\"},{\"N\":\"1\"}]}," \
          "\":m\":{\"M\":{\"k\":{\"S\":\"v\"}}},\":x\":{\"S\":\"x\"},\":one\":{\"N\":\"1\"}," \
          "\":two\":{\"N\":\"2\"},\":three\":{\"N\":\"3\"},\":tS\":{\"S\":\"S\"},\":tN\":{\"S\":\"N\"}," \
          "\":tM\":{\"S\":\"M\"},\":tNS\":{\"S\":\"NS\"},\":e\":{\"S\":\"\"}}"

#define ITEM1 "{\"s\":{\"S\":\"abc\"},\"n\":{\"N\":\"10\"},\"b\":{\"B\":\"AAEC\"},\"t\":{\"BOOL\":true}," \
              "\"z\":{\"NULL\":true},\"ss\":{\"SS\":[\"y\",\"x\"]},\"ns\":{\"NS\":[\"1\",\"2\"]}," \
              "\"l\":{\"L\":[{\"S\":\"x\"},{\"N\":\"1\"},{\"M\":{\"deep\":{\"N\":\"3\"}}}]}," \
              "\"m\":{\"M\":{\"k\":{\"S\":\"v\"},\"kid\":{\"M\":{\"x\":{\"N\":\"2\"}}}}}," \
              "\"u\":{\"S\":\"\xc3\xa9t\xc3\xa9\"}}"

static bool E(const char *text, const char *item)
{
    return EVAL("{\"#k\":\"k\"}", V, text, item);
}

static void test_equality(void **state)
{
    assert_true(E("s = :s", ITEM1));
    assert_false(E("s = :sa", ITEM1));
    assert_true(E("n = :n", ITEM1));
    assert_true(EVAL(NULL, "{\":v\":{\"N\":\"10.0\"}}", "n = :v", ITEM1)); /* numeric equality */
    assert_false(E("n = :s", ITEM1));          /* different types: false, no error */
    assert_true(E("n <> :s", ITEM1));
    assert_true(E("b = :b", ITEM1));
    assert_true(E("t = :t", ITEM1));
    assert_true(E("z = :null", ITEM1));
    assert_true(E("ss = :ss", ITEM1));         /* sets compare as sets */
    assert_true(E("ns = :ns", ITEM1));
    assert_false(E("l = :l", ITEM1));
    assert_true(E("m.#k = :x", "{\"m\":{\"M\":{\"k\":{\"S\":\"x\"}}}}"));
    assert_true(E("m = :m", "{\"m\":{\"M\":{\"k\":{\"S\":\"v\"}}}}"));
    assert_false(E("nope = :s", ITEM1));
    assert_true(E("nope <> :s", ITEM1));
    assert_false(E("s = :s", NULL));
    assert_true(E("s <> :s", NULL));
    assert_true(E("s = l[0]", "{\"s\":{\"S\":\"x\"},\"l\":{\"L\":[{\"S\":\"x\"}]}}"));
}

static void test_ordering(void **state)
{
    assert_true(E("n > :n2", ITEM1));
    assert_true(E("n < :n3", ITEM1));          /* numeric, not text: 10 < 100 */
    assert_true(E("n >= :n", ITEM1));
    assert_true(E("n <= :n", ITEM1));
    assert_false(E("n < :n", ITEM1));
    assert_true(E("s > :sa", ITEM1));
    assert_true(E("s < :sz", ITEM1));
    assert_true(E("b > :bp", ITEM1));
    assert_false(E("s < :n", ITEM1));          /* different types */
    assert_false(E("s > :n", ITEM1));
    assert_false(E("nope < :n", ITEM1));
    assert_false(E("ss > :s", ITEM1));
    assert_true(E("u > :s", ITEM1));           /* UTF-8 bytes: é (C3) sorts after a */
    assert_true(E("n BETWEEN :n2 AND :n3", ITEM1));
    assert_true(E("n BETWEEN :n AND :n", ITEM1));
    assert_false(E("n BETWEEN :one AND :three", ITEM1));
    assert_false(E("s BETWEEN :one AND :three", ITEM1));
    assert_true(E("s BETWEEN :sa AND :sz", ITEM1));
    assert_false(E("nope BETWEEN :sa AND :sz", ITEM1));
    assert_true(E("l[2].deep BETWEEN :two AND :three", ITEM1));
}

static void test_in_and_logic(void **state)
{
    assert_true(E("n IN (:s, :n)", ITEM1));
    assert_false(E("n IN (:s, :one)", ITEM1));
    assert_true(E("ss IN (:ss)", ITEM1));
    assert_false(E("nope IN (:s)", ITEM1));
    assert_true(E("s = :s AND n = :n", ITEM1));
    assert_false(E("s = :s AND n = :one", ITEM1));
    assert_true(E("s = :x OR n = :n", ITEM1));
    assert_true(E("NOT s = :x", ITEM1));
    assert_false(E("NOT (s = :s OR n = :one)", ITEM1));
    assert_true(E("s = :x OR n = :one OR NOT n = :one AND s = :s", ITEM1));
}

static void test_functions(void **state)
{
    assert_true(E("attribute_exists(s)", ITEM1));
    assert_true(E("attribute_exists(z)", ITEM1));
    assert_true(E("attribute_exists(l[2].deep)", ITEM1));
    assert_false(E("attribute_exists(l[3])", ITEM1));     /* index out of range */
    assert_false(E("attribute_exists(s[0])", ITEM1));     /* not a list */
    assert_false(E("attribute_exists(s.x)", ITEM1));      /* not a map */
    assert_true(E("attribute_not_exists(m.kid.y)", ITEM1));
    assert_true(E("attribute_exists(m.kid.x)", ITEM1));
    assert_true(E("attribute_not_exists(s)", NULL));
    assert_false(E("attribute_exists(s)", NULL));

    assert_true(E("attribute_type(s, :tS)", ITEM1));
    assert_false(E("attribute_type(s, :tN)", ITEM1));
    assert_true(E("attribute_type(m, :tM)", ITEM1));
    assert_true(E("attribute_type(ns, :tNS)", ITEM1));
    assert_false(E("attribute_type(nope, :tS)", ITEM1));

    assert_true(E("begins_with(s, :sa)", ITEM1));
    assert_true(E("begins_with(s, :s)", ITEM1));
    assert_true(E("begins_with(s, :e)", ITEM1));
    assert_false(E("begins_with(s, :sz)", ITEM1));
    assert_true(E("begins_with(b, :bp)", ITEM1));         /* 00 01 02 starts with 00 01 */
    assert_false(E("begins_with(b, :sa)", ITEM1));        /* B and S never match */
    assert_false(E("begins_with(n, :sa)", ITEM1));
    assert_false(E("begins_with(nope, :sa)", ITEM1));

    assert_true(E("contains(s, :sa)", ITEM1));
    assert_true(E("contains(s, :e)", ITEM1));
    assert_false(E("contains(s, :sz)", ITEM1));
    assert_true(E("contains(ss, :x)", ITEM1));
    assert_false(E("contains(ss, :s)", ITEM1));
    assert_true(E("contains(ns, :two)", ITEM1));
    assert_false(E("contains(ns, :three)", ITEM1));
    assert_false(E("contains(ns, :tN)", ITEM1));          /* S is never in an NS */
    assert_true(E("contains(l, :x)", ITEM1));
    assert_true(E("contains(l, :one)", ITEM1));
    assert_false(E("contains(l, :two)", ITEM1));
    assert_false(E("contains(n, :n)", ITEM1));
    assert_false(E("contains(nope, :x)", ITEM1));
}

static void test_size(void **state)
{
    assert_true(E("size(s) = :three", ITEM1));
    /* Strings count UTF-16 code units, as DynamoDB: "été" is 3 (5 UTF-8 bytes), and a
     * character past U+FFFF counts 2 ("é𝄞" is 3). */
    assert_true(EVAL(NULL, "{\":v\":{\"N\":\"3\"}}", "size(u) = :v", ITEM1));
    assert_true(EVAL(NULL, "{\":v\":{\"N\":\"3\"}}", "size(w) = :v",
                     "{\"w\":{\"S\":\"\xc3\xa9\xf0\x9d\x84\x9e\"}}"));
    assert_true(E("size(b) = :three", ITEM1));
    assert_true(E("size(ss) = :two", ITEM1));
    assert_true(E("size(l) = :three", ITEM1));
    assert_true(E("size(m) = :two", ITEM1));
    assert_true(E("size(m.kid) = :one", ITEM1));
    assert_false(E("size(n) = :two", ITEM1));             /* no size for N: comparison false */
    assert_true(E("size(n) <> :two", ITEM1));
    assert_false(E("size(nope) >= :one", ITEM1));
    assert_true(E("size(l) BETWEEN :two AND :three", ITEM1));
    assert_true(E("size(s) IN (:one, :three)", ITEM1));
    assert_true(E("size(l) > size(ss)", ITEM1));
}

static void test_eval_does_not_allocate(void **state)
{
    struct gy_expr_ctx *c = CTX(NULL, V);
    struct gy_error err = { 0 };
    const struct gy_expr *e = NULL;
    assert_int_equal(gy_expr_parse_condition(c, GY_STR("size(l) > size(ss) AND contains(l, :x) "
                                                        "AND n BETWEEN :n2 AND :n3"),
                                             "FilterExpression", &e, &err), 0);
    struct gy_ddb_map m = ITEM(ITEM1);
    size_t before = gy_arena_used(A);
    bool r = false;
    for (int i = 0; i < 100; i++)
        assert_int_equal(gy_expr_eval_condition(e, &m, &r, &err, A), 0);
    assert_true(r);
    assert_int_equal(gy_arena_used(A), before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_equality, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ordering, setup, teardown),
        cmocka_unit_test_setup_teardown(test_in_and_logic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_functions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_size, setup, teardown),
        cmocka_unit_test_setup_teardown(test_eval_does_not_allocate, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

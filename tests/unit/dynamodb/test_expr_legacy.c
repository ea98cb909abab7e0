/*
 * test_expr_legacy.c — Expected, QueryFilter/ScanFilter, AttributeUpdates and AttributesToGet
 * converted into expression trees (validation messages and behaviour), and the check that a
 * request does not mix legacy and expression parameters.
 */
#include "test_expr_helpers.h"

static const char *EXP_ERR(const char *expected, const char *cop)
{
    struct gy_expr_ctx *c = CTX(NULL, NULL);
    struct gy_error err = { 0 };
    const struct gy_expr *e = NULL;
    int rc = gy_expr_from_expected(c, J(expected), J(cop), &e, &err);
    return rc == 0 ? "OK" : err.message;
}

static bool EXP(const char *expected, const char *cop, const char *item)
{
    struct gy_expr_ctx *c = CTX(NULL, NULL);
    struct gy_error err = { 0 };
    const struct gy_expr *e = NULL;
    if (gy_expr_from_expected(c, J(expected), J(cop), &e, &err) != 0)
        fail_msg("%s: %s", expected, err.message);
    struct gy_ddb_map m;
    if (item)
        m = ITEM(item);
    bool r = false;
    assert_non_null(e);
    assert_int_equal(gy_expr_eval_condition(e, item ? &m : NULL, &r, &err, A), 0);
    return r;
}

#define IT "{\"a\":{\"S\":\"abc\"},\"n\":{\"N\":\"5\"},\"ss\":{\"SS\":[\"x\",\"y\"]}}"

static void test_expected_validation(void **state)
{
    const char *p = "One or more parameter values were invalid: ";
    char want[512];
    snprintf(want, sizeof(want), "%sValue must be provided when Exists is null for Attribute: a", p);
    assert_string_equal(EXP_ERR("{\"a\":{}}", NULL), want);
    snprintf(want, sizeof(want), "%sValue must be provided when Exists is true for Attribute: a", p);
    assert_string_equal(EXP_ERR("{\"a\":{\"Exists\":true}}", NULL), want);
    snprintf(want, sizeof(want), "%sValue cannot be used when Exists is false for Attribute: a", p);
    assert_string_equal(EXP_ERR("{\"a\":{\"Exists\":false,\"Value\":{\"S\":\"a\"}}}", NULL), want);
    snprintf(want, sizeof(want), "%sExists and ComparisonOperator cannot be used together for "
                                 "Attribute: a", p);
    assert_string_equal(EXP_ERR("{\"a\":{\"Exists\":true,\"ComparisonOperator\":\"LT\"}}", NULL), want);
    snprintf(want, sizeof(want), "%sValue or AttributeValueList must be used with "
                                 "ComparisonOperator: LT for Attribute: a", p);
    assert_string_equal(EXP_ERR("{\"a\":{\"ComparisonOperator\":\"LT\"}}", NULL), want);
    snprintf(want, sizeof(want), "%sAttributeValueList can only be used with a ComparisonOperator "
                                 "for Attribute: a", p);
    assert_string_equal(EXP_ERR("{\"a\":{\"AttributeValueList\":[]}}", NULL), want);
    snprintf(want, sizeof(want), "%sValue and AttributeValueList cannot be used together for "
                                 "Attribute: a", p);
    assert_string_equal(EXP_ERR("{\"a\":{\"Value\":{\"S\":\"a\"},\"AttributeValueList\":[]}}", NULL),
                        want);
    snprintf(want, sizeof(want), "%sInvalid number of argument(s) for the BETWEEN ComparisonOperator",
             p);
    assert_string_equal(EXP_ERR("{\"a\":{\"ComparisonOperator\":\"BETWEEN\",\"AttributeValueList\":"
                                "[{\"S\":\"a\"}]}}", NULL), want);
    snprintf(want, sizeof(want), "%sInvalid number of argument(s) for the NULL ComparisonOperator", p);
    assert_string_equal(EXP_ERR("{\"a\":{\"ComparisonOperator\":\"NULL\",\"AttributeValueList\":"
                                "[{\"S\":\"a\"}]}}", NULL), want);
    snprintf(want, sizeof(want), "%sComparisonOperator GT is not valid for SS AttributeValue type", p);
    assert_string_equal(EXP_ERR("{\"a\":{\"ComparisonOperator\":\"GT\",\"AttributeValueList\":"
                                "[{\"SS\":[\"a\"]}]}}", NULL), want);
    assert_true(strstr(EXP_ERR("{\"a\":{\"ComparisonOperator\":\"XX\",\"Value\":{\"S\":\"a\"}}}", NULL),
                       "Value 'XX' at 'comparisonOperator' failed to satisfy constraint") != NULL);
    assert_true(strstr(EXP_ERR("{\"a\":{\"Value\":{\"S\":\"a\"}}}", "\"XOR\""),
                       "Value 'XOR' at 'conditionalOperator'") != NULL);
    assert_string_equal(EXP_ERR("{\"a\":{\"Value\":{\"S\":\"a\"}}}", "\"OR\""), "OK");
}

static void test_expected_eval(void **state)
{
    assert_true(EXP("{\"a\":{\"Value\":{\"S\":\"abc\"}}}", NULL, IT));
    assert_false(EXP("{\"a\":{\"Value\":{\"S\":\"abd\"}}}", NULL, IT));
    assert_true(EXP("{\"a\":{\"Value\":{\"S\":\"abc\"},\"Exists\":true}}", NULL, IT));
    assert_true(EXP("{\"zz\":{\"Exists\":false}}", NULL, IT));
    assert_false(EXP("{\"a\":{\"Exists\":false}}", NULL, IT));
    assert_true(EXP("{\"a\":{\"Exists\":false}}", NULL, NULL));
    assert_true(EXP("{\"n\":{\"ComparisonOperator\":\"GT\",\"AttributeValueList\":[{\"N\":\"4\"}]}}",
                    NULL, IT));
    assert_true(EXP("{\"n\":{\"ComparisonOperator\":\"LE\",\"Value\":{\"N\":\"5\"}}}", NULL, IT));
    assert_true(EXP("{\"n\":{\"ComparisonOperator\":\"BETWEEN\",\"AttributeValueList\":"
                    "[{\"N\":\"1\"},{\"N\":\"5\"}]}}", NULL, IT));
    assert_true(EXP("{\"n\":{\"ComparisonOperator\":\"IN\",\"AttributeValueList\":"
                    "[{\"N\":\"1\"},{\"N\":\"5\"}]}}", NULL, IT));
    assert_true(EXP("{\"a\":{\"ComparisonOperator\":\"BEGINS_WITH\",\"AttributeValueList\":"
                    "[{\"S\":\"ab\"}]}}", NULL, IT));
    assert_true(EXP("{\"ss\":{\"ComparisonOperator\":\"CONTAINS\",\"AttributeValueList\":"
                    "[{\"S\":\"x\"}]}}", NULL, IT));
    assert_true(EXP("{\"ss\":{\"ComparisonOperator\":\"NOT_CONTAINS\",\"AttributeValueList\":"
                    "[{\"S\":\"z\"}]}}", NULL, IT));
    assert_false(EXP("{\"ss\":{\"ComparisonOperator\":\"NOT_CONTAINS\",\"AttributeValueList\":"
                     "[{\"S\":\"x\"}]}}", NULL, IT));
    assert_true(EXP("{\"zz\":{\"ComparisonOperator\":\"NULL\"}}", NULL, IT));
    assert_true(EXP("{\"a\":{\"ComparisonOperator\":\"NOT_NULL\"}}", NULL, IT));
    assert_true(EXP("{\"zz\":{\"ComparisonOperator\":\"NE\",\"Value\":{\"S\":\"q\"}}}", NULL, IT));
    /* AND by default, OR when asked */
    assert_false(EXP("{\"a\":{\"Value\":{\"S\":\"abc\"}},\"n\":{\"Value\":{\"N\":\"6\"}}}", NULL, IT));
    assert_true(EXP("{\"a\":{\"Value\":{\"S\":\"abc\"}},\"n\":{\"Value\":{\"N\":\"6\"}}}", "\"OR\"", IT));
}

static void test_filter(void **state)
{
    struct gy_expr_ctx *c = CTX(NULL, NULL);
    struct gy_error err = { 0 };
    const struct gy_expr *e = NULL;
    assert_int_equal(gy_expr_from_filter(c, J("{\"n\":{\"ComparisonOperator\":\"GE\","
                                              "\"AttributeValueList\":[{\"N\":\"5\"}]}}"),
                                         NULL, "scanFilter", &e, &err), 0);
    struct gy_ddb_map m = ITEM(IT);
    bool r = false;
    assert_int_equal(gy_expr_eval_condition(e, &m, &r, &err, A), 0);
    assert_true(r);
    assert_int_equal(gy_expr_from_filter(c, J("{\"n\":{}}"), NULL, "scanFilter", &e, &err), GY_EAWS);
    assert_string_equal(err.message, "1 validation error detected: Value null at 'scanFilter.n.member."
                                     "comparisonOperator' failed to satisfy constraint: Member must "
                                     "not be null");
}

static const char *AU(const char *updates, const char *item)
{
    struct gy_expr_ctx *c = CTX(NULL, NULL);
    struct gy_error err = { 0 };
    const struct gy_expr_update *u = NULL;
    struct gy_str keys[] = { GY_STR("pk") };
    if (gy_expr_from_attribute_updates(c, J(updates), keys, 1, &u, &err) != 0)
        return gy_arena_printf(A, "ERR: %s", err.message);
    struct gy_ddb_map old, out;
    if (item)
        old = ITEM(item);
    if (gy_expr_update_apply(A, u, item ? &old : NULL, &out, &err) != 0)
        return gy_arena_printf(A, "ERR: %s", err.message);
    return MAPJSON(&out);
}

static void test_attribute_updates(void **state)
{
    assert_string_equal(AU("{\"a\":{\"Value\":{\"S\":\"x\"}}}", NULL), "{\"a\":{\"S\":\"x\"}}");
    assert_string_equal(AU("{\"a\":{\"Action\":\"PUT\",\"Value\":{\"S\":\"x\"}}}", "{\"a\":{\"N\":\"1\"}}"),
                        "{\"a\":{\"S\":\"x\"}}");
    assert_string_equal(AU("{\"a\":{\"Action\":\"DELETE\"}}", "{\"a\":{\"N\":\"1\"},\"b\":{\"N\":\"2\"}}"),
                        "{\"b\":{\"N\":\"2\"}}");
    assert_string_equal(AU("{\"a\":{\"Action\":\"ADD\",\"Value\":{\"N\":\"2\"}}}", "{\"a\":{\"N\":\"1\"}}"),
                        "{\"a\":{\"N\":\"3\"}}");
    assert_string_equal(AU("{\"a\":{\"Action\":\"ADD\",\"Value\":{\"SS\":[\"b\"]}}}",
                           "{\"a\":{\"SS\":[\"a\"]}}"), "{\"a\":{\"SS\":[\"a\",\"b\"]}}");
    assert_string_equal(AU("{\"a\":{\"Action\":\"ADD\",\"Value\":{\"L\":[{\"S\":\"b\"}]}}}",
                           "{\"a\":{\"L\":[{\"S\":\"a\"}]}}"), "{\"a\":{\"L\":[{\"S\":\"a\"},{\"S\":\"b\"}]}}");
    assert_string_equal(AU("{\"a\":{\"Action\":\"ADD\",\"Value\":{\"L\":[{\"S\":\"b\"}]}}}", NULL),
                        "{\"a\":{\"L\":[{\"S\":\"b\"}]}}");
    assert_string_equal(AU("{\"a\":{\"Action\":\"DELETE\",\"Value\":{\"SS\":[\"a\"]}}}",
                           "{\"a\":{\"SS\":[\"a\",\"c\"]}}"), "{\"a\":{\"SS\":[\"c\"]}}");
    assert_string_equal(AU("{\"a\":{\"Action\":\"ADD\",\"Value\":{\"NS\":[\"1\"]}}}",
                           "{\"a\":{\"SS\":[\"a\"]}}"), "ERR: Type mismatch for attribute to update");
    assert_string_equal(AU("{\"a\":{\"x\":\"whatever\"}}", NULL),
                        "ERR: One or more parameter values were invalid: Only DELETE action is "
                        "allowed when no attribute value is specified");
    assert_string_equal(AU("{\"a\":{\"Action\":\"DELETE\",\"Value\":{\"S\":\"1\"}}}", NULL),
                        "ERR: One or more parameter values were invalid: DELETE action with value is "
                        "not supported for the type S");
    assert_string_equal(AU("{\"a\":{\"Action\":\"ADD\",\"Value\":{\"BOOL\":true}}}", NULL),
                        "ERR: One or more parameter values were invalid: ADD action is not supported "
                        "for the type BOOL");
    assert_string_equal(AU("{\"pk\":{\"Value\":{\"S\":\"x\"}}}", NULL),
                        "ERR: One or more parameter values were invalid: Cannot update attribute pk. "
                        "This attribute is part of the key");
}

static void test_attributes_to_get(void **state)
{
    struct gy_expr_ctx *c = CTX(NULL, NULL);
    struct gy_error err = { 0 };
    const struct gy_expr_proj *p = NULL;
    assert_int_equal(gy_expr_from_attributes_to_get(c, J("[\"n\",\"zz\",\"a\"]"), &p, &err), 0);
    struct gy_ddb_map m = ITEM(IT), out;
    assert_int_equal(gy_expr_project(A, p, &m, &out), 0);
    assert_string_equal(MAPJSON(&out), "{\"a\":{\"S\":\"abc\"},\"n\":{\"N\":\"5\"}}");
    assert_int_equal(gy_expr_from_attributes_to_get(c, J("[\"a\",\"a\"]"), &p, &err), GY_EAWS);
}

static const char *MIX(const char *req)
{
    struct gy_error err = { 0 };
    return gy_expr_check_param_mix(J(req), &err, A) == 0 ? "OK" : err.message;
}

static void test_param_mix(void **state)
{
    assert_string_equal(MIX("{\"Expected\":{},\"AttributeUpdates\":{},\"ConditionExpression\":\"\","
                            "\"UpdateExpression\":\"\"}"),
                        "Can not use both expression and non-expression parameters in the same "
                        "request: Non-expression parameters: {AttributeUpdates, Expected} Expression "
                        "parameters: {UpdateExpression, ConditionExpression}");
    assert_string_equal(MIX("{\"Expected\":{},\"ExpressionAttributeNames\":{}}"),
                        "ExpressionAttributeNames can only be specified when using expressions");
    assert_string_equal(MIX("{\"ConditionExpression\":\"a\",\"ExpressionAttributeNames\":{}}"), "OK");
    assert_string_equal(MIX("{\"Expected\":{}}"), "OK");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_expected_validation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expected_eval, setup, teardown),
        cmocka_unit_test_setup_teardown(test_filter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_attribute_updates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_attributes_to_get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_param_mix, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_validate.c — model-driven validation (src/aws/validate.c) and model look-ups
 * (src/aws/model.c) against the generated models: AWS's wording for every constraint kind,
 * several violations joined, type mismatches as SerializationException texts, paths through
 * lists and maps, unknown members ignored, nulls absent, the cap on listed violations.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "aws/model.h"
#include "aws/validate.h"
#include "core/arena.h"
#include "core/json.h"

static struct gy_arena *arena;

static int setup(void **state)
{
    arena = gy_arena_create(4096);
    return 0;
}

static int teardown(void **state)
{
    gy_arena_destroy(arena);
    return 0;
}

/* Validate text against the input of svc's operation op; returns the result, *msg the text. */
static int run(const char *svc, const char *op, const char *json, const char **msg)
{
    const struct gy_model_service *m = gy_model_find(svc);
    assert_non_null(m);
    const struct gy_model_op *o = gy_model_op(m, gy_str_c(op));
    assert_non_null(o);
    const struct gy_json *j;
    const char *why = NULL;
    assert_int_equal(gy_json_parse(arena, json, strlen(json), &j, &why), 0);
    *msg = NULL;
    return gy_validate(arena, m, o->input, j, msg);
}

static void expect(const char *svc, const char *op, const char *json, int want, const char *text)
{
    const char *msg;
    int rc = run(svc, op, json, &msg);
    if (rc != want || (text && (!msg || strcmp(msg, text) != 0)))
        fail_msg("%s %s\n  got %d: %s\n want %d: %s", op, json, rc, msg ? msg : "(none)", want,
                 text ? text : "(none)");
}

static void test_model_lookups(void **state)
{
    const struct gy_model_service *ddb = gy_model_find("dynamodb");
    assert_non_null(ddb);
    assert_string_equal(ddb->target_prefix, "DynamoDB_20120810");
    assert_int_equal(ddb->protocol, GY_PROTO_JSON);
    assert_null(gy_model_find("nope"));
    assert_non_null(gy_model_op(ddb, GY_STR("PutItem")));
    assert_null(gy_model_op(ddb, GY_STR("PutItems")));
    assert_null(gy_model_op(ddb, GY_STR("")));
    uint16_t av = gy_model_shape_find(ddb, "AttributeValue");
    assert_int_not_equal(av, GY_MODEL_NONE);
    const struct gy_model_shape *sh = gy_model_shape(ddb, av);
    assert_int_equal(sh->kind, GY_SHAPE_STRUCTURE);
    assert_non_null(gy_model_member_find(ddb, sh, GY_STR("NULL")));
    assert_null(gy_model_member_find(ddb, sh, GY_STR("X")));

    const struct gy_model_service *cw = gy_model_find("cloudwatch");
    assert_non_null(cw);
    assert_string_equal(cw->xml_namespace, "http://monitoring.amazonaws.com/doc/2010-08-01/");
    assert_string_equal(cw->signing_name, "monitoring");
    assert_true(cw->query_compatible); /* from the overlay */
    const struct gy_model_op *gms = gy_model_op(cw, GY_STR("GetMetricStatistics"));
    assert_string_equal(gms->result_wrapper, "GetMetricStatisticsResult");
    uint16_t nf = gy_model_shape_find(cw, "ResourceNotFound");
    assert_int_equal(gy_model_shape(cw, nf)->error_status, 404);

    const struct gy_model_service *lambda = gy_model_find("lambda");
    const struct gy_model_op *cf = gy_model_op(lambda, GY_STR("CreateFunction"));
    assert_string_equal(cf->method, "POST");
    assert_int_equal(cf->status, 201);
    assert_int_equal(lambda->protocol, GY_PROTO_REST_JSON);
    size_t n;
    assert_non_null(gy_model_all(&n));
    assert_true(n >= 10);
}

static void test_constraints(void **state)
{
    expect("dynamodb", "DescribeTable", "{\"TableName\":\"ok-name\"}", GY_VALIDATE_OK, NULL);
    expect("dynamodb", "DescribeTable", "{}", GY_VALIDATE_CONSTRAINT,
           "1 validation error detected: Value null at 'tableName' failed to satisfy "
           "constraint: Member must not be null");
    /* The overlay lets a table ARN (1..1024) stand for a name, as the current API does. */
    expect("dynamodb", "DescribeTable", "{\"TableName\":\"\"}", GY_VALIDATE_CONSTRAINT,
           "1 validation error detected: Value '' at 'tableName' failed to satisfy constraint: "
           "Member must have length greater than or equal to 1");
    expect("dynamodb", "ListTables", "{\"Limit\":0,\"ExclusiveStartTableName\":\"a\"}",
           GY_VALIDATE_CONSTRAINT,
           "2 validation errors detected: Value 'a' at 'exclusiveStartTableName' failed to "
           "satisfy constraint: Member must have length greater than or equal to 3; Value '0' at "
           "'limit' failed to satisfy constraint: Member must have value greater than or equal "
           "to 1");
    expect("dynamodb", "ListTables", "{\"ExclusiveStartTableName\":\"a b\"}",
           GY_VALIDATE_CONSTRAINT,
           "1 validation error detected: Value 'a b' at 'exclusiveStartTableName' failed to "
           "satisfy constraint: Member must satisfy regular expression pattern: "
           "[a-zA-Z0-9_.-]+");
    expect("dynamodb", "CreateTable",
           "{\"TableName\":\"tbl\",\"KeySchema\":[{\"AttributeName\":\"a\",\"KeyType\":\"BOTH\"}],"
           "\"AttributeDefinitions\":[{\"AttributeName\":\"a\"}]}",
           GY_VALIDATE_CONSTRAINT,
           "2 validation errors detected: Value null at "
           "'attributeDefinitions.1.member.attributeType' failed to satisfy constraint: Member "
           "must not be null; Value 'BOTH' at 'keySchema.1.member.keyType' failed to satisfy "
           "constraint: Member must satisfy enum value set: [HASH, RANGE]");
    /* Map values are reached as "name.KEY.member". */
    expect("dynamodb", "PutItem",
           "{\"TableName\":\"tbl\",\"Item\":{\"k\":{\"S\":\"v\"}},\"ReturnValues\":\"SOME\"}",
           GY_VALIDATE_CONSTRAINT,
           "1 validation error detected: Value 'SOME' at 'returnValues' failed to satisfy "
           "constraint: Member must satisfy enum value set: [NONE, ALL_OLD, UPDATED_OLD, "
           "ALL_NEW, UPDATED_NEW]");
    /* Unknown members are ignored and JSON nulls are absent. */
    expect("dynamodb", "DescribeTable", "{\"TableName\":\"tbl\",\"Whatever\":[1,{}],"
           "\"X\":null}", GY_VALIDATE_OK, NULL);
    expect("dynamodb", "ListTables", "{\"Limit\":null}", GY_VALIDATE_OK, NULL);
}

static void test_types(void **state)
{
    expect("dynamodb", "DescribeTable", "{\"TableName\":5}", GY_VALIDATE_SERIALIZATION,
           "NUMBER_VALUE cannot be converted to String");
    expect("dynamodb", "DescribeTable", "{\"TableName\":true}", GY_VALIDATE_SERIALIZATION,
           "TRUE_VALUE cannot be converted to String");
    expect("dynamodb", "DescribeTable", "{\"TableName\":{}}", GY_VALIDATE_SERIALIZATION,
           "Start of structure or map found where not expected");
    expect("dynamodb", "DescribeTable", "{\"TableName\":[]}", GY_VALIDATE_SERIALIZATION,
           "Start of list found where not expected");
    expect("dynamodb", "ListTables", "{\"Limit\":\"5\"}", GY_VALIDATE_SERIALIZATION,
           "STRING_VALUE cannot be converted to Integer");
    expect("dynamodb", "CreateTable", "{\"TableName\":\"t\",\"KeySchema\":{}}",
           GY_VALIDATE_SERIALIZATION, "Start of structure or map found where not expected");
    expect("dynamodb", "CreateTable", "{\"TableName\":\"t\",\"KeySchema\":\"x\"}",
           GY_VALIDATE_SERIALIZATION, "Unexpected field type");
    expect("dynamodb", "PutItem", "{\"TableName\":\"t\",\"Item\":{\"a\":{\"BOOL\":\"yes\"}}}",
           GY_VALIDATE_SERIALIZATION, "STRING_VALUE cannot be converted to Boolean");
    /* A type error anywhere wins over constraint violations elsewhere. */
    expect("dynamodb", "ListTables", "{\"Limit\":0,\"ExclusiveStartTableName\":1}",
           GY_VALIDATE_SERIALIZATION, "NUMBER_VALUE cannot be converted to String");
}

static void test_many_errors_capped(void **state)
{
    char buf[4096];
    size_t o = (size_t)snprintf(buf, sizeof(buf), "{\"TableName\":\"t\",\"KeySchema\":[");
    for (int i = 0; i < 15; i++)
        o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s{\"KeyType\":\"X\"}", i ? "," : "");
    snprintf(buf + o, sizeof(buf) - o, "]}");
    const char *msg;
    assert_int_equal(run("dynamodb", "CreateTable", buf, &msg), GY_VALIDATE_CONSTRAINT);
    assert_true(strncmp(msg, "10 validation errors detected: ", 31) == 0);
    size_t count = 0;
    for (const char *p = msg; (p = strstr(p, "Value ")); p++)
        count++;
    assert_int_equal(count, 10);
}

static void test_patterns_compile(void **state)
{
    /* Every model's patterns compile (or are skipped) without crashing; IAM's use Java \u. */
    size_t n;
    const struct gy_model_service *const *all = gy_model_all(&n);
    for (size_t i = 0; i < n; i++)
        gy_validate_prepare(all[i]);
    expect("iam", "GetUser", "{\"UserName\":\"bob+alice=,.@-\"}", GY_VALIDATE_OK, NULL);
    expect("iam", "GetUser", "{\"UserName\":\"bob smith\"}", GY_VALIDATE_CONSTRAINT, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_model_lookups, setup, teardown),
        cmocka_unit_test_setup_teardown(test_constraints, setup, teardown),
        cmocka_unit_test_setup_teardown(test_types, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_errors_capped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_patterns_compile, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

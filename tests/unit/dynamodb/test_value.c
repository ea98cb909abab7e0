/*
 * test_value.c — DynamoDB attribute values: validation from JSON with DynamoDB's exact error
 * texts, JSON output, item size, the binary codec (round trips and corrupt input), equality,
 * ordering and map operations.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "core/errors.h"
#include "core/json.h"
#include "core/str.h"
#include "dynamodb/value.h"

static struct gy_arena *A;

static int setup(void **state)
{
    A = gy_arena_create(1 << 16);
    return 0;
}

static int teardown(void **state)
{
    gy_arena_destroy(A);
    A = NULL;
    return 0;
}

static const struct gy_json *parse(const char *json)
{
    const struct gy_json *j = NULL;
    const char *why = NULL;
    int rc = gy_json_parse(A, json, strlen(json), &j, &why);
    if (rc)
        fail_msg("bad test JSON (%s): %s", why, json);
    return j;
}

static int item_from(const char *json, struct gy_ddb_map *m, struct gy_error *err)
{
    memset(err, 0, sizeof(*err));
    return gy_ddb_map_from_json(A, parse(json), m, err);
}

static struct gy_ddb_map item_ok(const char *json)
{
    struct gy_ddb_map m;
    struct gy_error err;
    int rc = item_from(json, &m, &err);
    if (rc)
        fail_msg("unexpected error %d: %s for %s", rc, err.message ? err.message : "", json);
    return m;
}

static struct gy_ddb_value value_ok(const char *json)
{
    struct gy_ddb_value v;
    struct gy_error err = { 0 };
    int rc = gy_ddb_value_from_json(A, parse(json), &v, &err);
    if (rc)
        fail_msg("unexpected error %d: %s for %s", rc, err.message ? err.message : "", json);
    return v;
}

static void expect_item_err(const char *json, enum gy_aws_error code, const char *msg)
{
    struct gy_ddb_map m;
    struct gy_error err;
    int rc = item_from(json, &m, &err);
    assert_int_equal(rc, GY_EAWS);
    assert_int_equal(err.code, code);
    assert_string_equal(err.message, msg);
}

/* The value wrapped as attribute "a" of an item. */
static void expect_value_err(const char *value_json, enum gy_aws_error code, const char *msg)
{
    char buf[8192];
    snprintf(buf, sizeof(buf), "{\"a\":%s}", value_json);
    expect_item_err(buf, code, msg);
    /* The standalone entry point agrees. */
    struct gy_ddb_value v;
    struct gy_error err = { 0 };
    assert_int_equal(gy_ddb_value_from_json(A, parse(value_json), &v, &err), GY_EAWS);
    assert_int_equal(err.code, code);
    assert_string_equal(err.message, msg);
}

static const char *map_json(const struct gy_ddb_map *m)
{
    struct gy_buf b;
    struct gy_jw w;
    gy_buf_init(&b, 1 << 24);
    gy_jw_init(&w, &b);
    gy_ddb_map_to_json(&w, m);
    assert_int_equal(w.err, 0);
    char *s = gy_arena_strndup(A, b.p, b.len);
    gy_buf_fini(&b);
    return s;
}

static const char *value_json(const struct gy_ddb_value *v)
{
    struct gy_buf b;
    struct gy_jw w;
    gy_buf_init(&b, 1 << 24);
    gy_jw_init(&w, &b);
    gy_ddb_value_to_json(&w, v);
    assert_int_equal(w.err, 0);
    char *s = gy_arena_strndup(A, b.p, b.len);
    gy_buf_fini(&b);
    return s;
}

#define V GY_AWS_VALIDATION
#define SER GY_AWS_SERIALIZATION
#define INV "One or more parameter values were invalid: "

/* ---- type names ---- */

static void test_type_names(void **state)
{
    static const char *names[] = { "S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS" };
    for (int i = 0; i < 10; i++) {
        enum gy_ddb_type t;
        assert_string_equal(gy_ddb_type_name((enum gy_ddb_type)i), names[i]);
        assert_int_equal(gy_ddb_type_parse(gy_str_c(names[i]), &t), 0);
        assert_int_equal(t, i);
    }
    enum gy_ddb_type t;
    assert_int_equal(gy_ddb_type_parse(GY_STR("s"), &t), GY_EINVAL);
    assert_int_equal(gy_ddb_type_parse(GY_STR("SSS"), &t), GY_EINVAL);
    assert_int_equal(gy_ddb_type_parse(GY_STR(""), &t), GY_EINVAL);
}

/* ---- validation ---- */

static void test_err_datatype_count(void **state)
{
    const char *empty = "Supplied AttributeValue is empty, must contain exactly one of the "
                        "supported datatypes";
    expect_value_err("{}", V, empty);
    expect_value_err("{\"X\":\"a\"}", V, empty);   /* unknown members are ignored */
    expect_value_err("{\"s\":\"a\"}", V, empty);   /* descriptors are case-sensitive */
    expect_value_err("{\"S\":null}", V, empty);    /* null members count as absent */
    expect_value_err("{\"M\":{\"b\":{}}}", V, empty);
    expect_value_err("{\"L\":[{}]}", V, empty);
    expect_value_err("{\"L\":[null]}", V, empty);
    expect_value_err("{\"S\":\"a\",\"N\":\"1\"}", V,
                     "Supplied AttributeValue has more than one datatypes set, must contain "
                     "exactly one of the supported datatypes");
    expect_value_err("{\"NULL\":true,\"BOOL\":false}", V,
                     "Supplied AttributeValue has more than one datatypes set, must contain "
                     "exactly one of the supported datatypes");
    /* A member's own validation error is reported before the datatype count. */
    expect_value_err("{\"S\":\"a\",\"N\":\"\"}", V,
                     "The parameter cannot be converted to a numeric value");
}

static void test_err_serialization(void **state)
{
    expect_value_err("{\"S\":5}", SER, "NUMBER_VALUE cannot be converted to String");
    expect_value_err("{\"S\":true}", SER, "TRUE_VALUE cannot be converted to String");
    expect_value_err("{\"N\":5}", SER, "NUMBER_VALUE cannot be converted to String");
    expect_value_err("{\"B\":false}", SER, "FALSE_VALUE cannot be converted to Blob");
    expect_value_err("{\"S\":{\"S\":\"x\"}}", SER,
                     "Start of structure or map found where not expected");
    expect_value_err("{\"S\":[\"x\"]}", SER, "Start of list found where not expected");
    expect_value_err("{\"SS\":\"x\"}", SER, "Expected list or null");
    expect_value_err("{\"L\":{}}", SER, "Start of structure or map found where not expected");
    expect_value_err("{\"SS\":[1]}", SER, "NUMBER_VALUE cannot be converted to String");
    expect_value_err("{\"BS\":[true]}", SER, "TRUE_VALUE cannot be converted to Blob");
    expect_value_err("{\"BOOL\":\"true\"}", SER, "STRING_VALUE cannot be converted to Boolean");
    expect_value_err("{\"NULL\":1}", SER, "NUMBER_VALUE cannot be converted to Boolean");
    expect_value_err("{\"BOOL\":{}}", SER, "Start of structure or map found where not expected");
    expect_value_err("{\"M\":[]}", SER, "Start of list found where not expected");
    expect_value_err("{\"M\":\"x\"}", SER, "Expected map or null");
    expect_value_err("[]", SER, "Start of list found where not expected");
    expect_value_err("\"x\"", SER, "Expected null");
    expect_item_err("[]", SER, "Start of list found where not expected");
    expect_item_err("5", SER, "Expected map or null");
}

static void test_err_precedence(void **state)
{
    /* Serialization errors anywhere win over validation errors met earlier. */
    expect_item_err("{\"a\":{\"N\":\"x\"},\"b\":{\"M\":{\"c\":{\"S\":5}}}}", SER,
                    "NUMBER_VALUE cannot be converted to String");
    /* Among validation errors, the first in document order wins. */
    expect_item_err("{\"a\":{\"NULL\":false},\"b\":{\"SS\":[]}}", V,
                    INV "Null attribute value types must have the value of true");
    expect_item_err("{\"b\":{\"SS\":[]},\"a\":{\"NULL\":false}}", V,
                    INV "An string set  may not be empty");
    /* Later invalid sets are still walked safely (and their errors do not replace the first). */
    expect_item_err("{\"a\":{\"NULL\":false},\"b\":{\"NS\":[\"x\",\"1e999\",\"1\"]},"
                    "\"c\":{\"NS\":[null,\"2\",\"2\"]}}",
                    V, INV "Null attribute value types must have the value of true");
}

static void test_err_numbers(void **state)
{
    expect_value_err("{\"N\":\"\"}", V, "The parameter cannot be converted to a numeric value");
    expect_value_err("{\"N\":\"b\"}", V, "The parameter cannot be converted to a numeric value: b");
    expect_value_err("{\"N\":\" 1\"}", V,
                     "The parameter cannot be converted to a numeric value:  1");
    expect_value_err("{\"N\":\"123456789012345678901234567890123456789\"}", V,
                     "Attempting to store more than 38 significant digits in a Number");
    expect_value_err("{\"N\":\"-1.23456789012345678901234567890123456789\"}", V,
                     "Attempting to store more than 38 significant digits in a Number");
    expect_value_err("{\"N\":\"1e126\"}", V,
                     "Number overflow. Attempting to store a number with magnitude larger than "
                     "supported range");
    expect_value_err("{\"N\":\"-1e126\"}", V,
                     "Number overflow. Attempting to store a number with magnitude larger than "
                     "supported range");
    expect_value_err("{\"N\":\"1e-131\"}", V,
                     "Number underflow. Attempting to store a number with magnitude smaller than "
                     "supported range");
    expect_value_err("{\"NS\":[\"1\",\"\"]}", V,
                     "The parameter cannot be converted to a numeric value");
    expect_value_err("{\"NS\":[\"1\",\"b\"]}", V,
                     "The parameter cannot be converted to a numeric value: b");
    /* Canonical forms are stored. */
    struct gy_ddb_value v = value_ok("{\"N\":\"01.50\"}");
    assert_int_equal(v.type, GY_DDB_N);
    assert_true(gy_str_eqc(v.u.s, "1.5"));
    v = value_ok("{\"N\":\"-1.5e3\"}");
    assert_true(gy_str_eqc(v.u.s, "-1500"));
    v = value_ok("{\"N\":\"-0\"}");
    assert_true(gy_str_eqc(v.u.s, "0"));
}

static void test_err_binary(void **state)
{
    expect_value_err("{\"B\":\"abc\"}", SER,
                     "'abc' can not be converted to a Blob: Base64 encoded length is expected a "
                     "multiple of 4 bytes but found: 3");
    expect_value_err("{\"B\":\"ab!=\"}", SER,
                     "'ab!=' can not be converted to a Blob: Invalid Base64 character: '!'");
    expect_value_err("{\"B\":\"a=bc\"}", SER,
                     "'a=bc' can not be converted to a Blob: Invalid Base64 character: '='");
    expect_value_err("{\"B\":\"YR==\"}", SER,
                     "'YR==' can not be converted to a Blob: Invalid last non-pad Base64 "
                     "character dectected");
    expect_value_err("{\"B\":\"YWJ=\"}", SER,
                     "'YWJ=' can not be converted to a Blob: Invalid last non-pad Base64 "
                     "character dectected");
    expect_value_err("{\"BS\":[\"YQ==\",\"x\"]}", SER,
                     "'x' can not be converted to a Blob: Base64 encoded length is expected a "
                     "multiple of 4 bytes but found: 1");

    struct gy_ddb_value v = value_ok("{\"B\":\"AP8Aag==\"}");
    assert_int_equal(v.type, GY_DDB_B);
    assert_int_equal(v.u.s.len, 4);
    assert_memory_equal(v.u.s.p, "\x00\xff\x00\x6a", 4);
    v = value_ok("{\"B\":\"\"}");
    assert_int_equal(v.u.s.len, 0);
    v = value_ok("{\"B\":\"YWI=\"}");
    assert_int_equal(v.u.s.len, 2);
    assert_memory_equal(v.u.s.p, "ab", 2);
}

static void test_err_null_and_sets(void **state)
{
    expect_value_err("{\"NULL\":false}", V,
                     INV "Null attribute value types must have the value of true");
    expect_value_err("{\"SS\":[]}", V, INV "An string set  may not be empty");
    expect_value_err("{\"NS\":[]}", V, INV "An number set  may not be empty");
    expect_value_err("{\"BS\":[]}", V, INV "Binary sets should not be empty");
    expect_value_err("{\"SS\":[\"a\",\"a\"]}", V, INV "Input collection [a, a] contains duplicates.");
    expect_value_err("{\"SS\":[\"b\",\"a\",\"b\"]}", V,
                     INV "Input collection [b, a, b] contains duplicates.");
    expect_value_err("{\"BS\":[\"Yg==\",\"Yg==\"]}", V,
                     INV "Input collection [Yg==, Yg==]of type BS contains duplicates.");
    expect_value_err("{\"NS\":[\"1\",\"1\"]}", V, "Input collection contains duplicates");
    /* Numbers are normalized before the duplicate check. */
    expect_value_err("{\"NS\":[\"1\",\"1.0\"]}", V, "Input collection contains duplicates");
    expect_value_err("{\"NS\":[\"100\",\"1e2\"]}", V, "Input collection contains duplicates");
    /* Empty strings are allowed in sets (non-key attributes) since 2020. */
    struct gy_ddb_value v = value_ok("{\"SS\":[\"\",\"a\"]}");
    assert_int_equal(v.u.l.n, 2);
}

static void test_err_names(void **state)
{
    expect_item_err("{\"\":{\"S\":\"x\"}}", V, INV "An AttributeName may not be empty");
    expect_value_err("{\"M\":{\"\":{\"S\":\"x\"}}}", V, INV "An AttributeName may not be empty");

    size_t n = 65536;
    char *json = malloc(n + 64);
    memcpy(json, "{\"", 2);
    memset(json + 2, 'k', n);
    memcpy(json + 2 + n, "\":{\"S\":\"x\"}}", 13);
    expect_item_err(json, V, INV "An AttributeName may not be longer than 65535 bytes");
    json[2 + n - 1] = '"';
    memcpy(json + 2 + n, ":{\"S\":\"x\"}}", 12);
    struct gy_ddb_map m = item_ok(json); /* 65535 bytes is fine */
    assert_int_equal(m.n, 1);
    assert_int_equal(m.v[0].name.len, 65535);
    free(json);
}

/* {"a": M(M(...M({"x":S})...))} with `wraps` nested M or L values. */
static char *nested_json(int wraps, bool lists)
{
    size_t cap = (size_t)wraps * 24 + 64;
    char *s = malloc(cap);
    size_t o = 0;
    o += (size_t)snprintf(s + o, cap - o, "{\"a\":");
    for (int i = 0; i < wraps; i++)
        o += (size_t)snprintf(s + o, cap - o, (lists && i % 2) ? "{\"L\":[" : "{\"M\":{\"k\":");
    o += (size_t)snprintf(s + o, cap - o, "{\"S\":\"x\"}");
    for (int i = wraps - 1; i >= 0; i--)
        o += (size_t)snprintf(s + o, cap - o, (lists && i % 2) ? "]}" : "}}");
    snprintf(s + o, cap - o, "}");
    return s;
}

static void test_err_nesting(void **state)
{
    const char *msg = "Nesting Levels have exceeded supported limits: Attributes in the item "
                      "have nested levels beyond supported limit";
    for (int lists = 0; lists < 2; lists++) {
        /* 31 M/L wraps plus the item itself are DynamoDB's 32 levels. */
        char *ok = nested_json(31, lists);
        struct gy_ddb_map m = item_ok(ok);
        assert_int_equal(m.n, 1);
        free(ok);
        char *bad = nested_json(32, lists);
        expect_item_err(bad, V, msg);
        free(bad);
    }
}

/* ---- round trips ---- */

/* JSON -> value -> binary -> value -> JSON must give `expect`. */
static void roundtrip(const char *json, const char *expect)
{
    struct gy_ddb_map m = item_ok(json);
    assert_string_equal(map_json(&m), expect);

    struct gy_buf b;
    gy_buf_init(&b, 1 << 24);
    assert_int_equal(gy_ddb_map_encode(&m, &b), 0);
    struct gy_ddb_map d;
    assert_int_equal(gy_ddb_map_decode(A, b.p, b.len, &d), 0);
    assert_true(gy_ddb_map_eq(&m, &d));
    assert_string_equal(map_json(&d), expect);
    assert_int_equal(gy_ddb_map_size(&d), gy_ddb_map_size(&m));
    /* Re-encoding the decoded item gives the same bytes. */
    struct gy_buf b2;
    gy_buf_init(&b2, 1 << 24);
    assert_int_equal(gy_ddb_map_encode(&d, &b2), 0);
    assert_int_equal(b2.len, b.len);
    assert_memory_equal(b2.p, b.p, b.len);
    gy_buf_fini(&b2);
    gy_buf_fini(&b);
}

static void test_roundtrip_types(void **state)
{
    roundtrip("{\"s\":{\"S\":\"h\\u00e9\\\"llo\"}}", "{\"s\":{\"S\":\"h\xc3\xa9\\\"llo\"}}");
    roundtrip("{\"s\":{\"S\":\"\"}}", "{\"s\":{\"S\":\"\"}}");
    roundtrip("{\"n\":{\"N\":\"-001.2500\"}}", "{\"n\":{\"N\":\"-1.25\"}}");
    roundtrip("{\"b\":{\"B\":\"AP8Aag==\"}}", "{\"b\":{\"B\":\"AP8Aag==\"}}");
    roundtrip("{\"b\":{\"B\":\"\"}}", "{\"b\":{\"B\":\"\"}}");
    roundtrip("{\"t\":{\"BOOL\":true},\"f\":{\"BOOL\":false}}",
              "{\"f\":{\"BOOL\":false},\"t\":{\"BOOL\":true}}");
    roundtrip("{\"z\":{\"NULL\":true}}", "{\"z\":{\"NULL\":true}}");
    roundtrip("{\"m\":{\"M\":{\"y\":{\"N\":\"2\"},\"x\":{\"S\":\"1\"}}}}",
              "{\"m\":{\"M\":{\"x\":{\"S\":\"1\"},\"y\":{\"N\":\"2\"}}}}");
    roundtrip("{\"m\":{\"M\":{}}}", "{\"m\":{\"M\":{}}}");
    roundtrip("{\"l\":{\"L\":[{\"S\":\"b\"},{\"N\":\"1\"},{\"L\":[]},{\"NULL\":true}]}}",
              "{\"l\":{\"L\":[{\"S\":\"b\"},{\"N\":\"1\"},{\"L\":[]},{\"NULL\":true}]}}");
    roundtrip("{\"ss\":{\"SS\":[\"b\",\"a\",\"\"]}}", "{\"ss\":{\"SS\":[\"\",\"a\",\"b\"]}}");
}

static void test_roundtrip_sets_sorted(void **state)
{
    roundtrip("{\"ns\":{\"NS\":[\"10\",\"9\",\"-1.5\",\"0.25\"]}}",
              "{\"ns\":{\"NS\":[\"-1.5\",\"0.25\",\"9\",\"10\"]}}");
    roundtrip("{\"bs\":{\"BS\":[\"Yg==\",\"YQ==\",\"AA==\"]}}",
              "{\"bs\":{\"BS\":[\"AA==\",\"YQ==\",\"Yg==\"]}}");
}

static void test_roundtrip_all_and_deep(void **state)
{
    roundtrip("{\"pk\":{\"S\":\"k\"},\"a\":{\"N\":\"1\"},\"b\":{\"B\":\"YQ==\"},"
              "\"c\":{\"BOOL\":true},\"d\":{\"NULL\":true},\"e\":{\"M\":{\"x\":{\"SS\":[\"q\"]}}},"
              "\"f\":{\"L\":[{\"NS\":[\"2\",\"1\"]},{\"BS\":[\"Yg==\"]}]}}",
              "{\"a\":{\"N\":\"1\"},\"b\":{\"B\":\"YQ==\"},\"c\":{\"BOOL\":true},"
              "\"d\":{\"NULL\":true},\"e\":{\"M\":{\"x\":{\"SS\":[\"q\"]}}},"
              "\"f\":{\"L\":[{\"NS\":[\"1\",\"2\"]},{\"BS\":[\"Yg==\"]}]},\"pk\":{\"S\":\"k\"}}");
    for (int lists = 0; lists < 2; lists++) {
        char *deep = nested_json(31, lists);
        roundtrip(deep, deep);
        free(deep);
    }
}

/* ---- size ---- */

static size_t item_size(const char *json)
{
    struct gy_ddb_map m = item_ok(json);
    return gy_ddb_map_size(&m);
}

static size_t num_size(const char *text)
{
    char buf[512];
    snprintf(buf, sizeof(buf), "{\"N\":\"%s\"}", text);
    struct gy_ddb_value v = value_ok(buf);
    return gy_ddb_value_size(&v);
}

static void test_size(void **state)
{
    assert_int_equal(item_size("{}"), 0);
    assert_int_equal(item_size("{\"ab\":{\"S\":\"xyz\"}}"), 5);
    assert_int_equal(item_size("{\"a\":{\"S\":\"\\u00e9\"}}"), 3); /* UTF-8 bytes */
    assert_int_equal(item_size("{\"a\":{\"B\":\"YWJj\"}}"), 4);    /* raw bytes */
    assert_int_equal(item_size("{\"a\":{\"BOOL\":false},\"b\":{\"NULL\":true}}"), 4);
    /* Map/list: 3 bytes + 1 per element + contents. */
    assert_int_equal(item_size("{\"m\":{\"M\":{}}}"), 4);
    assert_int_equal(item_size("{\"m\":{\"M\":{\"x\":{\"S\":\"ab\"}}}}"), 1 + 3 + 1 + 1 + 2);
    assert_int_equal(item_size("{\"l\":{\"L\":[{\"S\":\"a\"},{\"S\":\"bc\"}]}}"), 1 + 3 + 2 + 3);
    /* Sets: sum of elements. */
    assert_int_equal(item_size("{\"s\":{\"SS\":[\"ab\",\"c\"]}}"), 1 + 3);
    assert_int_equal(item_size("{\"s\":{\"NS\":[\"1\",\"12\"]}}"), 1 + 2 + 2);
    assert_int_equal(item_size("{\"s\":{\"BS\":[\"YQ==\",\"YWI=\"]}}"), 1 + 3);

    /* Numbers: base-100 digits aligned on the decimal point + 1 (+1 negative). */
    assert_int_equal(num_size("0"), 1);
    assert_int_equal(num_size("1"), 2);
    assert_int_equal(num_size("12"), 2);
    assert_int_equal(num_size("1.2"), 3);
    assert_int_equal(num_size("123"), 3);
    assert_int_equal(num_size("12.3"), 3);
    assert_int_equal(num_size("1000"), 2);
    assert_int_equal(num_size("-1"), 3);
    assert_int_equal(num_size("0.01"), 2);
    assert_int_equal(num_size("12345678901234567890123456789012345678"), 20);
    /* dynalite's measured examples against DynamoDB's 400 KB limit. */
    char big[200];
    memset(big, '1', 38);
    memset(big + 38, '0', 88);
    big[126] = '\0';
    assert_int_equal(num_size(big), 20);
    memset(big, '0', 126);
    big[0] = '1';
    assert_int_equal(num_size(big), 2);
    big[1] = '1';
    assert_int_equal(num_size(big), 2);
    memset(big, '1', 5);
    memset(big + 5, '0', 121);
    big[126] = '\0';
    assert_int_equal(num_size(big), 4);
    memset(big, '1', 6);
    memset(big + 6, '0', 120);
    assert_int_equal(num_size(big), 4);
    memset(big, '1', 7);
    memset(big + 7, '0', 119);
    assert_int_equal(num_size(big), 5);
}

/* ---- equality and ordering ---- */

static void test_eq_cmp(void **state)
{
    struct gy_ddb_value a = value_ok("{\"N\":\"1\"}"), b = value_ok("{\"N\":\"1.0\"}");
    assert_true(gy_ddb_value_eq(&a, &b));
    assert_int_equal(gy_ddb_value_cmp(&a, &b), 0);
    b = value_ok("{\"N\":\"10\"}");
    struct gy_ddb_value c = value_ok("{\"N\":\"9\"}");
    assert_true(gy_ddb_value_cmp(&c, &b) < 0); /* numeric, not textual */
    assert_true(gy_ddb_value_cmp(&b, &c) > 0);
    c = value_ok("{\"N\":\"-20\"}");
    assert_true(gy_ddb_value_cmp(&c, &a) < 0);

    struct gy_ddb_value s1 = value_ok("{\"S\":\"a\"}"), s2 = value_ok("{\"S\":\"ab\"}");
    assert_true(gy_ddb_value_cmp(&s1, &s2) < 0);
    s2 = value_ok("{\"S\":\"\\u00e9\"}");
    assert_true(gy_ddb_value_cmp(&s1, &s2) < 0); /* bytewise unsigned */
    struct gy_ddb_value b1 = value_ok("{\"B\":\"/w==\"}"), b2 = value_ok("{\"B\":\"AQ==\"}");
    assert_true(gy_ddb_value_cmp(&b1, &b2) > 0);
    assert_false(gy_ddb_value_eq(&s1, &b2));
    /* Different types order by type and are never equal. */
    struct gy_ddb_value sn = value_ok("{\"S\":\"1\"}");
    assert_false(gy_ddb_value_eq(&sn, &a));
    assert_true(gy_ddb_value_cmp(&sn, &a) < 0);

    /* Sets compare as sets. */
    struct gy_ddb_value x = value_ok("{\"SS\":[\"b\",\"a\"]}"), y = value_ok("{\"SS\":[\"a\",\"b\"]}");
    assert_true(gy_ddb_value_eq(&x, &y));
    x = value_ok("{\"NS\":[\"1\",\"2\"]}");
    y = value_ok("{\"NS\":[\"2.0\",\"1\"]}");
    assert_true(gy_ddb_value_eq(&x, &y));
    y = value_ok("{\"NS\":[\"2\",\"3\"]}");
    assert_false(gy_ddb_value_eq(&x, &y));
    /* Lists keep order. */
    x = value_ok("{\"L\":[{\"S\":\"a\"},{\"S\":\"b\"}]}");
    y = value_ok("{\"L\":[{\"S\":\"b\"},{\"S\":\"a\"}]}");
    assert_false(gy_ddb_value_eq(&x, &y));
    /* Maps: order of input does not matter. */
    x = value_ok("{\"M\":{\"a\":{\"N\":\"1\"},\"b\":{\"BOOL\":true}}}");
    y = value_ok("{\"M\":{\"b\":{\"BOOL\":true},\"a\":{\"N\":\"1.00\"}}}");
    assert_true(gy_ddb_value_eq(&x, &y));
    y = value_ok("{\"M\":{\"b\":{\"BOOL\":false},\"a\":{\"N\":\"1\"}}}");
    assert_false(gy_ddb_value_eq(&x, &y));
    struct gy_ddb_value t = value_ok("{\"BOOL\":true}"), f = value_ok("{\"BOOL\":false}");
    assert_true(gy_ddb_value_cmp(&f, &t) < 0);
    assert_string_equal(value_json(&t), "{\"BOOL\":true}");
}

/* ---- maps ---- */

static void test_map_ops(void **state)
{
    struct gy_ddb_map m = item_ok("{\"c\":{\"S\":\"3\"},\"a\":{\"S\":\"1\"},\"b\":{\"S\":\"2\"}}");
    assert_int_equal(m.n, 3);
    assert_true(gy_str_eqc(m.v[0].name, "a") && gy_str_eqc(m.v[2].name, "c"));
    const struct gy_ddb_value *g = gy_ddb_map_get(&m, GY_STR("b"));
    assert_non_null(g);
    assert_true(gy_str_eqc(g->u.s, "2"));
    assert_null(gy_ddb_map_get(&m, GY_STR("bb")));
    assert_null(gy_ddb_map_get(&m, GY_STR("")));
    struct gy_ddb_map empty = { NULL, 0 };
    assert_null(gy_ddb_map_get(&empty, GY_STR("a")));

    struct gy_ddb_value nv = value_ok("{\"N\":\"7\"}");
    struct gy_ddb_map w = gy_ddb_map_with(A, &m, GY_STR("bb"), &nv);
    assert_string_equal(map_json(&w), "{\"a\":{\"S\":\"1\"},\"b\":{\"S\":\"2\"},\"bb\":{\"N\":\"7\"},"
                                      "\"c\":{\"S\":\"3\"}}");
    w = gy_ddb_map_with(A, &m, GY_STR("a"), &nv);
    assert_string_equal(map_json(&w), "{\"a\":{\"N\":\"7\"},\"b\":{\"S\":\"2\"},\"c\":{\"S\":\"3\"}}");
    w = gy_ddb_map_with(A, &m, GY_STR("z"), &nv);
    assert_int_equal(w.n, 4);
    assert_true(gy_str_eqc(w.v[3].name, "z"));
    w = gy_ddb_map_with(A, &empty, GY_STR("q"), &nv);
    assert_string_equal(map_json(&w), "{\"q\":{\"N\":\"7\"}}");
    /* The source is untouched. */
    assert_string_equal(map_json(&m), "{\"a\":{\"S\":\"1\"},\"b\":{\"S\":\"2\"},\"c\":{\"S\":\"3\"}}");

    struct gy_ddb_map wo = gy_ddb_map_without(A, &m, GY_STR("b"));
    assert_string_equal(map_json(&wo), "{\"a\":{\"S\":\"1\"},\"c\":{\"S\":\"3\"}}");
    wo = gy_ddb_map_without(A, &m, GY_STR("nope"));
    assert_int_equal(wo.n, 3);
    struct gy_ddb_map one = item_ok("{\"a\":{\"S\":\"1\"}}");
    wo = gy_ddb_map_without(A, &one, GY_STR("a"));
    assert_int_equal(wo.n, 0);
    assert_string_equal(map_json(&wo), "{}");

    /* Sorting: small (insertion) and large (qsort) maps, and duplicates. */
    struct gy_ddb_attr attrs[40];
    char names[40][4];
    for (int i = 0; i < 40; i++) {
        snprintf(names[i], sizeof(names[i]), "%02d", (i * 17) % 40);
        attrs[i].name = gy_str_c(names[i]);
        attrs[i].value = nv;
    }
    struct gy_ddb_map big = { attrs, 40 };
    assert_int_equal(gy_ddb_map_sort(&big), 0);
    for (int i = 1; i < 40; i++)
        assert_true(gy_str_cmp(attrs[i - 1].name, attrs[i].name) < 0);
    attrs[5].name = attrs[6].name;
    assert_int_equal(gy_ddb_map_sort(&big), GY_EEXIST);
    struct gy_ddb_map small = { attrs, 3 };
    attrs[0].name = GY_STR("c");
    attrs[1].name = GY_STR("a");
    attrs[2].name = GY_STR("b");
    assert_int_equal(gy_ddb_map_sort(&small), 0);
    assert_true(gy_str_eqc(attrs[0].name, "a") && gy_str_eqc(attrs[2].name, "c"));
    attrs[2].name = GY_STR("a");
    assert_int_equal(gy_ddb_map_sort(&small), GY_EEXIST);
}

static void test_copy(void **state)
{
    char *json = strdup("{\"a\":{\"M\":{\"x\":{\"L\":[{\"S\":\"q\"},{\"BS\":[\"YQ==\"]}]}}},"
                        "\"n\":{\"N\":\"5\"}}");
    struct gy_ddb_map m = item_ok(json);
    struct gy_buf b;
    gy_buf_init(&b, 1 << 20);
    assert_int_equal(gy_ddb_map_encode(&m, &b), 0);
    struct gy_ddb_map d, c;
    assert_int_equal(gy_ddb_map_decode(A, b.p, b.len, &d), 0);
    gy_ddb_map_copy(A, &d, &c);
    /* The copy survives the buffer it was decoded from. */
    memset(b.p, 0, b.len);
    gy_buf_fini(&b);
    assert_true(gy_ddb_map_eq(&m, &c));
    assert_string_equal(map_json(&c), "{\"a\":{\"M\":{\"x\":{\"L\":[{\"S\":\"q\"},{\"BS\":[\"YQ==\"]}]}}},"
                                      "\"n\":{\"N\":\"5\"}}");
    free(json);
}

/* ---- codec: corrupt input ---- */

static void test_codec_corrupt(void **state)
{
    struct gy_ddb_map d;
    /* Empty item is version + count 0. */
    assert_int_equal(gy_ddb_map_decode(A, "\x01\x00", 2, &d), 0);
    assert_int_equal(d.n, 0);
    assert_int_equal(gy_ddb_map_decode(A, "", 0, &d), GY_EINVAL);
    assert_int_equal(gy_ddb_map_decode(A, "\x01", 1, &d), GY_EINVAL);
    assert_int_equal(gy_ddb_map_decode(A, "\x02\x00", 2, &d), GY_EINVAL);      /* version */
    assert_int_equal(gy_ddb_map_decode(A, "\x01\x00\x00", 3, &d), GY_EINVAL);  /* trailing */
    /* One attribute "a" = S "x". */
    assert_int_equal(gy_ddb_map_decode(A, "\x01\x01\x01" "a\x01\x01x", 7, &d), 0);
    assert_true(gy_str_eqc(d.v[0].name, "a") && gy_str_eqc(d.v[0].value.u.s, "x"));
    assert_int_equal(gy_ddb_map_decode(A, "\x01\x01\x01" "a\x01\x02x", 7, &d), GY_EINVAL);
    assert_int_equal(gy_ddb_map_decode(A, "\x01\x01\x01" "a\x0c\x01x", 7, &d), GY_EINVAL);
    assert_int_equal(gy_ddb_map_decode(A, "\x01\x01\x01" "a\x00\x01x", 7, &d), GY_EINVAL);
    /* Huge count with few bytes. */
    assert_int_equal(gy_ddb_map_decode(A, "\x01\xff\xff\xff\xff\x0f\x01" "a\x06", 9, &d),
                     GY_EINVAL);
    /* Overlong varint. */
    assert_int_equal(gy_ddb_map_decode(A, "\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 11, &d),
                     GY_EINVAL);
    /* Unsorted and duplicate names. */
    assert_int_equal(gy_ddb_map_decode(A, "\x01\x02\x01" "b\x06\x01" "a\x06", 8, &d), GY_EINVAL);
    assert_int_equal(gy_ddb_map_decode(A, "\x01\x02\x01" "a\x06\x01" "a\x06", 8, &d), GY_EINVAL);
    assert_int_equal(gy_ddb_map_decode(A, "\x01\x02\x01" "a\x06\x01" "b\x05", 8, &d), 0);
    /* Empty set; container body length mismatch (too short / too long). */
    assert_int_equal(gy_ddb_map_decode(A, "\x01\x01\x01" "a\x09\x01\x00", 7, &d), GY_EINVAL);
    assert_int_equal(gy_ddb_map_decode(A, "\x01\x01\x01" "a\x08\x01\x00", 7, &d), 0);
    assert_int_equal(gy_ddb_map_decode(A, "\x01\x01\x01" "a\x08\x02\x00\x06", 8, &d), GY_EINVAL);
    assert_int_equal(gy_ddb_map_decode(A, "\x01\x01\x01" "a\x08\x03\x01\x06", 8, &d), GY_EINVAL);
    assert_int_equal(gy_ddb_map_decode(A, "\x01\x01\x01" "a\x08\x02\x01\x06", 8, &d), 0);
    assert_int_equal(d.v[0].value.type, GY_DDB_L);
    assert_int_equal(d.v[0].value.u.l.v[0].type, GY_DDB_NULL);

    /* Every truncation and every single-byte corruption of a rich item is handled. */
    struct gy_ddb_map m = item_ok("{\"pk\":{\"S\":\"k\"},\"a\":{\"N\":\"1.5\"},\"b\":{\"B\":\"YQ==\"},"
                                  "\"c\":{\"BOOL\":true},\"d\":{\"NULL\":true},"
                                  "\"e\":{\"M\":{\"x\":{\"SS\":[\"q\",\"r\"]}}},"
                                  "\"f\":{\"L\":[{\"NS\":[\"2\",\"1\"]},{\"BS\":[\"Yg==\"]}]}}");
    struct gy_buf b;
    gy_buf_init(&b, 1 << 20);
    assert_int_equal(gy_ddb_map_encode(&m, &b), 0);
    for (size_t n = 0; n < b.len; n++)
        assert_int_equal(gy_ddb_map_decode(A, b.p, n, &d), GY_EINVAL);
    unsigned char *copy = malloc(b.len);
    for (size_t i = 0; i < b.len; i++) {
        for (int x = 0; x < 256; x += 7) {
            memcpy(copy, b.p, b.len);
            copy[i] = (unsigned char)x;
            int rc = gy_ddb_map_decode(A, copy, b.len, &d);
            assert_true(rc == 0 || rc == GY_EINVAL);
            if (rc == 0)
                (void)map_json(&d);
        }
    }
    free(copy);
    gy_buf_fini(&b);
}

static void test_codec_too_big(void **state)
{
    struct gy_ddb_map m = item_ok("{\"a\":{\"S\":\"0123456789012345678901234567890123456789\"}}");
    struct gy_buf b;
    gy_buf_init(&b, 20);
    assert_int_equal(gy_buf_append(&b, "xy", 2), 0);
    assert_int_equal(gy_ddb_map_encode(&m, &b), GY_ETOOBIG);
    assert_int_equal(b.len, 2); /* unchanged */
    assert_memory_equal(b.p, "xy", 2);
    gy_buf_fini(&b);

    /* An item that fits exactly. */
    gy_buf_init(&b, 1 + 1 + 1 + 1 + 1 + 1 + 40);
    assert_int_equal(gy_ddb_map_encode(&m, &b), 0);
    assert_int_equal(b.len, 46);
    gy_buf_fini(&b);
}

static void test_to_json_overflow(void **state)
{
    struct gy_ddb_map m = item_ok("{\"a\":{\"B\":\"AAAAAAAAAAAAAAAA\"}}");
    struct gy_buf b;
    struct gy_jw w;
    gy_buf_init(&b, 16);
    gy_jw_init(&w, &b);
    gy_ddb_map_to_json(&w, &m);
    assert_int_equal(w.err, GY_ETOOBIG);
    gy_buf_fini(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_type_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_err_datatype_count, setup, teardown),
        cmocka_unit_test_setup_teardown(test_err_serialization, setup, teardown),
        cmocka_unit_test_setup_teardown(test_err_precedence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_err_numbers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_err_binary, setup, teardown),
        cmocka_unit_test_setup_teardown(test_err_null_and_sets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_err_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_err_nesting, setup, teardown),
        cmocka_unit_test_setup_teardown(test_roundtrip_types, setup, teardown),
        cmocka_unit_test_setup_teardown(test_roundtrip_sets_sorted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_roundtrip_all_and_deep, setup, teardown),
        cmocka_unit_test_setup_teardown(test_size, setup, teardown),
        cmocka_unit_test_setup_teardown(test_eq_cmp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_map_ops, setup, teardown),
        cmocka_unit_test_setup_teardown(test_copy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_codec_corrupt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_codec_too_big, setup, teardown),
        cmocka_unit_test_setup_teardown(test_to_json_overflow, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_query.c — the awsQuery codec (src/aws/query.c, src/aws/xml.c): form decoding, captured
 * CLI/boto3 bodies (tests/data/sigv4/requests.jsonl), every parameter-naming rule against a
 * small hand-made model that has what the real models lack (flattened lists and maps,
 * locationNames), malformed input of every kind, and exact XML for small outputs.
 * Run with cwd = tests/unit.
 *
 * The binary doubles as a tool for tests/e2e/test_query_codec.py, which proves the XML and the
 * decoding against Debian botocore's QueryParser and QuerySerializer:
 *   test_query model                 the test model as botocore service-2 JSON
 *   test_query json <svc> <Op>       form body on stdin -> input JSON on stdout
 *   test_query xml <svc> <Op> [id]   output JSON on stdin -> XML response on stdout
 *   test_query error <ns> <code>     message on stdin -> <ErrorResponse> on stdout
 * <svc> is a generated model name ("cloudwatch") or "test".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aws/model.h"
#include "aws/query.h"
#include "core/arena.h"
#include "core/errors.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/str.h"

#define DATA_PATH "../data/sigv4/requests.jsonl"

/* ---- the test model ------------------------------------------------------------------------ */

enum {
    S_STRING, S_INT, S_LONG, S_DOUBLE, S_FLOAT, S_BOOL, S_TS, S_BLOB,
    S_LIST, S_NAMEDLIST, S_FLATLIST, S_FLATNAMED, S_INNERLIST, S_MAP, S_NAMEDMAP, S_FLATMAP,
    S_MAPINNER, S_LISTLIST, S_INNER, S_NODE, S_ALL, S_COUNT
};
#define M_ALL 0
#define N_ALL 23
#define M_INNER (M_ALL + N_ALL)
#define N_INNER 3
#define M_NODE (M_INNER + N_INNER)
#define N_NODE 2

static const struct gy_model_member t_members[] = {
    { "Str", NULL, S_STRING, 0, 0, 0 },
    { "Int", NULL, S_INT, 0, 0, 0 },
    { "Long", NULL, S_LONG, 0, 0, 0 },
    { "Dbl", NULL, S_DOUBLE, 0, 0, 0 },
    { "Flt", NULL, S_FLOAT, 0, 0, 0 },
    { "Bool", NULL, S_BOOL, 0, 0, 0 },
    { "Ts", NULL, S_TS, 0, 0, 0 },
    { "TsEpoch", NULL, S_TS, 0, 0, GY_TS_EPOCH },
    { "Blob", NULL, S_BLOB, 0, 0, 0 },
    { "List", NULL, S_LIST, 0, 0, 0 },
    { "NamedList", NULL, S_NAMEDLIST, 0, 0, 0 },
    { "FlatList", NULL, S_FLATLIST, 0, 0, 0 },
    { "FlatNamed", NULL, S_FLATNAMED, 0, 0, 0 },
    { "MemberFlat", NULL, S_LIST, 0, GY_MEMBER_FLATTENED, 0 },
    { "Structs", NULL, S_INNERLIST, 0, 0, 0 },
    { "Map", NULL, S_MAP, 0, 0, 0 },
    { "NamedMap", NULL, S_NAMEDMAP, 0, 0, 0 },
    { "FlatMap", NULL, S_FLATMAP, 0, 0, 0 },
    { "MapOfStruct", NULL, S_MAPINNER, 0, 0, 0 },
    { "Renamed", "renamedName", S_STRING, 0, 0, 0 },
    { "Nested", NULL, S_INNER, 0, 0, 0 },
    { "Lists", NULL, S_LISTLIST, 0, 0, 0 },
    { "Rec", NULL, S_NODE, 0, 0, 0 },
    /* Inner */
    { "Name", NULL, S_STRING, 0, 0, 0 },
    { "Value", NULL, S_DOUBLE, 0, 0, 0 },
    { "Tags", NULL, S_LIST, 0, 0, 0 },
    /* Node */
    { "Value", NULL, S_STRING, 0, 0, 0 },
    { "Child", NULL, S_NODE, 0, 0, 0 },
};

#define SCALAR(nm, k) [S_##nm] = { .name = #nm, .kind = GY_SHAPE_##k, .a = GY_MODEL_NONE, \
                                   .b = GY_MODEL_NONE, .error_status = 400 }
static const struct gy_model_shape t_shapes[S_COUNT] = {
    SCALAR(STRING, STRING), SCALAR(INT, INTEGER), SCALAR(LONG, LONG), SCALAR(DOUBLE, DOUBLE),
    SCALAR(FLOAT, FLOAT), SCALAR(BOOL, BOOLEAN), SCALAR(TS, TIMESTAMP), SCALAR(BLOB, BLOB),
    [S_LIST] = { .name = "List", .kind = GY_SHAPE_LIST, .a = S_STRING, .b = GY_MODEL_NONE },
    [S_NAMEDLIST] = { .name = "NamedList", .kind = GY_SHAPE_LIST, .a = S_STRING,
                      .b = GY_MODEL_NONE, .a_name = "item" },
    [S_FLATLIST] = { .name = "FlatList", .kind = GY_SHAPE_LIST, .flags = GY_SHAPE_FLATTENED,
                     .a = S_STRING, .b = GY_MODEL_NONE },
    [S_FLATNAMED] = { .name = "FlatNamed", .kind = GY_SHAPE_LIST, .flags = GY_SHAPE_FLATTENED,
                      .a = S_STRING, .b = GY_MODEL_NONE, .a_name = "Thing" },
    [S_INNERLIST] = { .name = "InnerList", .kind = GY_SHAPE_LIST, .a = S_INNER,
                      .b = GY_MODEL_NONE },
    [S_MAP] = { .name = "Map", .kind = GY_SHAPE_MAP, .a = S_STRING, .b = S_STRING },
    [S_NAMEDMAP] = { .name = "NamedMap", .kind = GY_SHAPE_MAP, .a = S_STRING, .b = S_INT,
                     .a_name = "Name", .b_name = "Val" },
    [S_FLATMAP] = { .name = "FlatMap", .kind = GY_SHAPE_MAP, .flags = GY_SHAPE_FLATTENED,
                    .a = S_STRING, .b = S_STRING },
    [S_MAPINNER] = { .name = "MapInner", .kind = GY_SHAPE_MAP, .a = S_STRING, .b = S_INNER },
    [S_LISTLIST] = { .name = "ListList", .kind = GY_SHAPE_LIST, .a = S_LIST,
                     .b = GY_MODEL_NONE },
    [S_INNER] = { .name = "Inner", .kind = GY_SHAPE_STRUCTURE, .a = GY_MODEL_NONE,
                  .b = GY_MODEL_NONE, .first = M_INNER, .n = N_INNER },
    [S_NODE] = { .name = "Node", .kind = GY_SHAPE_STRUCTURE, .a = GY_MODEL_NONE,
                 .b = GY_MODEL_NONE, .first = M_NODE, .n = N_NODE },
    [S_ALL] = { .name = "All", .kind = GY_SHAPE_STRUCTURE, .a = GY_MODEL_NONE,
                .b = GY_MODEL_NONE, .first = M_ALL, .n = N_ALL },
};

static const struct gy_model_op t_ops[] = {
    { "Echo", "POST", "/", S_ALL, S_ALL, 200, "EchoResult" },
    { "Empty", "POST", "/", GY_MODEL_NONE, GY_MODEL_NONE, 200, "EmptyResult" },
    { "Plain", "POST", "/", S_ALL, S_ALL, 200, NULL },
    { "Void", "POST", "/", S_ALL, GY_MODEL_NONE, 200, NULL },
};

static const struct gy_model_service t_svc = {
    .name = "gyretest",
    .api_version = "2020-01-01",
    .protocol = GY_PROTO_QUERY,
    .signing_name = "gyretest",
    .xml_namespace = "http://gyre.test/doc/2020-01-01/",
    .ops = t_ops,
    .nops = sizeof(t_ops) / sizeof(t_ops[0]),
    .shapes = t_shapes,
    .nshapes = S_COUNT,
    .members = t_members,
    .nmembers = sizeof(t_members) / sizeof(t_members[0]),
};

/* ---- helpers ------------------------------------------------------------------------------- */

static struct gy_arena *g_arena;

static int setup(void **state)
{
    g_arena = gy_arena_create(1 << 16);
    return 0;
}

static int teardown(void **state)
{
    gy_arena_destroy(g_arena);
    g_arena = NULL;
    return 0;
}

static const struct gy_model_service *svc_named(const char *name)
{
    return strcmp(name, "test") == 0 ? &t_svc : gy_model_find(name);
}

static const struct gy_model_op *op_named(const struct gy_model_service *svc, const char *op)
{
    const struct gy_model_op *o = gy_model_op(svc, gy_str_c(op));
    assert_non_null(o);
    return o;
}

/* Decode body and convert it for shape; returns rc, the JSON (arena) or the message. */
static int convert_shape(const struct gy_model_service *svc, uint16_t shape, const char *body,
                         size_t len, const char **json, const char **why)
{
    struct gy_query_param *p;
    size_t n;
    struct gy_buf buf;
    struct gy_jw w;
    int rc = gy_query_parse(g_arena, (struct gy_str){ body, len }, &p, &n, why);
    if (rc)
        return rc;
    gy_buf_init(&buf, 64u << 20);
    gy_jw_init(&w, &buf);
    rc = gy_query_to_json(g_arena, svc, shape, p, n, &w, why);
    if (rc == 0) {
        *json = gy_arena_strndup(g_arena, buf.p ? buf.p : "", buf.len);
        /* Whatever the codec writes must be JSON Gyre itself accepts. */
        const struct gy_json *tree;
        const char *jwhy;
        assert_int_equal(gy_json_parse(g_arena, buf.p, buf.len, &tree, &jwhy), 0);
    }
    gy_buf_fini(&buf);
    return rc;
}

static const char *to_json(const char *svc, const char *op, const char *body)
{
    const struct gy_model_service *s = svc_named(svc);
    const char *json = NULL, *why = NULL;
    int rc = convert_shape(s, op_named(s, op)->input, body, strlen(body), &json, &why);
    if (rc)
        fail_msg("conversion failed (%d): %s", rc, why ? why : "?");
    return json;
}

#define TJ(body) to_json("test", "Echo", body)

/* Expect conversion to fail with GY_EINVAL and a message containing needle. */
static void expect_error(const char *body, const char *needle)
{
    const char *json = NULL, *why = NULL;
    int rc = convert_shape(&t_svc, S_ALL, body, strlen(body), &json, &why);
    if (rc != GY_EINVAL)
        fail_msg("expected GY_EINVAL for %s, got %d (%s)", body, rc, json ? json : "");
    assert_non_null(why);
    if (!strstr(why, needle))
        fail_msg("message \"%s\" lacks \"%s\"", why, needle);
}

static const char *to_xml(const char *svc, const char *op, const char *json)
{
    const struct gy_model_service *s = svc_named(svc);
    const struct gy_json *tree = NULL;
    const char *why;
    struct gy_buf out;
    if (json)
        assert_int_equal(gy_json_parse(g_arena, json, strlen(json), &tree, &why), 0);
    gy_buf_init(&out, 1 << 20);
    assert_int_equal(gy_query_xml_response(s, op_named(s, op), tree, "rid-1", &out), 0);
    const char *r = gy_arena_strndup(g_arena, out.p, out.len);
    gy_buf_fini(&out);
    return r;
}

/* The XML of Echo's members alone (between <EchoResult> and </EchoResult>). */
static const char *echo_xml(const char *json)
{
    const char *x = to_xml("test", "Echo", json);
    const char *b = strstr(x, "<EchoResult>"), *e = strstr(x, "</EchoResult>");
    assert_non_null(b);
    assert_non_null(e);
    b += strlen("<EchoResult>");
    return gy_arena_strndup(g_arena, b, (size_t)(e - b));
}

static const char *escaped(const char *s, size_t len)
{
    struct gy_buf out;
    gy_buf_init(&out, 1 << 16);
    assert_int_equal(gy_xml_escape(&out, (struct gy_str){ s, len }), 0);
    const char *r = gy_arena_strndup(g_arena, out.p ? out.p : "", out.len);
    gy_buf_fini(&out);
    return r;
}

/* ---- form decoding ------------------------------------------------------------------------- */

static void test_parse_basic(void **state)
{
    const char *body = "Action=Echo&Version=2020-01-01&a+b=c%20d&x=%7e%7E&empty=&noeq&&dup=1"
                       "&dup=2&=v&u=%C3%A9%e2%82%AC&raw=\xc3\xa9&";
    struct gy_query_param *p;
    size_t n;
    const char *why = NULL;
    assert_int_equal(gy_query_parse(g_arena, gy_str_c(body), &p, &n, &why), 0);
    assert_int_equal(n, 11);
    static const char *const want[][2] = {
        { "Action", "Echo" }, { "Version", "2020-01-01" }, { "a b", "c d" }, { "x", "~~" },
        { "empty", "" },      { "noeq", "" },              { "dup", "1" },    { "dup", "2" },
        { "", "v" },          { "u", "\xc3\xa9\xe2\x82\xac" }, { "raw", "\xc3\xa9" },
    };
    for (size_t i = 0; i < n; i++) {
        assert_true(gy_str_eqc(p[i].name, want[i][0]));
        assert_true(gy_str_eqc(p[i].value, want[i][1]));
        assert_int_equal(p[i].value.p[p[i].value.len], '\0');
    }
    assert_string_equal(gy_query_get(p, n, "dup")->p, "1");
    assert_null(gy_query_get(p, n, "nope"));

    assert_int_equal(gy_query_parse(g_arena, GY_STR(""), &p, &n, &why), 0);
    assert_int_equal(n, 0);
    assert_int_equal(gy_query_parse(g_arena, GY_STR("&&&"), &p, &n, &why), 0);
    assert_int_equal(n, 0);
}

static void test_parse_malformed(void **state)
{
    static const char *const bad[] = {
        "a=%G1", "a=%4", "a=%", "a=%4G", "%zz=1", "a=b%", "a=%%41", "a=%1",
        /* not UTF-8 after decoding: stray byte, bad continuation, overlong, surrogate, >U+10FFFF */
        "a=%FF", "a=%C3%28", "a=%C0%AF", "a=%ED%A0%80", "a=%F4%90%80%80", "a=%C3",
        "\xff=1", "a=\xe2\x82", "a=%00", "%00=1",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct gy_query_param *p;
        size_t n;
        const char *why = NULL;
        int rc = gy_query_parse(g_arena, gy_str_c(bad[i]), &p, &n, &why);
        if (rc != GY_EINVAL)
            fail_msg("%s: expected GY_EINVAL, got %d", bad[i], rc);
        assert_non_null(why);
    }
}

static void test_parse_limits(void **state)
{
    size_t max = GY_QUERY_MAX_PARAMS;
    char *body = gy_malloc(4 * (max + 1) + 1);
    for (size_t i = 0; i <= max; i++)
        memcpy(body + 4 * i, "a=1&", 4);
    struct gy_query_param *p;
    size_t n;
    const char *why = NULL;
    assert_int_equal(gy_query_parse(g_arena, (struct gy_str){ body, 4 * max }, &p, &n, &why), 0);
    assert_int_equal(n, max);
    assert_int_equal(gy_query_parse(g_arena, (struct gy_str){ body, 4 * (max + 1) }, &p, &n,
                                    &why),
                     GY_ETOOBIG);
    assert_non_null(why);
    gy_free(body);
}

/* ---- captured bodies ----------------------------------------------------------------------- */

static void test_captured_bodies(void **state)
{
    FILE *f = fopen(DATA_PATH, "r");
    assert_non_null(f);
    char *line = NULL;
    size_t cap = 0, seen = 0;
    ssize_t len;
    const char *marker = "";
    while ((len = getline(&line, &cap, f)) > 0) {
        const struct gy_json *j;
        const char *why;
        assert_int_equal(gy_json_parse(g_arena, line, (size_t)len, &j, &why), 0);
        if (gy_json_get(j, "marker")) {
            marker = gy_json_str(gy_json_get(j, "marker")).p;
            continue;
        }
        struct gy_str body = gy_json_str(gy_json_get(j, "body"));
        if (!body.p || !strstr(body.p, "Action="))
            continue;
        struct gy_query_param *p;
        size_t n;
        assert_int_equal(gy_query_parse(g_arena, body, &p, &n, &why), 0);
        const struct gy_str *action = gy_query_get(p, n, "Action");
        const struct gy_str *version = gy_query_get(p, n, "Version");
        assert_non_null(action);
        assert_non_null(version);
        const struct gy_model_service *svc =
            gy_model_find(gy_str_eqc(*version, "2010-08-01") ? "cloudwatch" : "cloudformation");
        assert_non_null(svc);
        assert_string_equal(svc->api_version, version->p);
        const struct gy_model_op *op = gy_model_op(svc, *action);
        assert_non_null(op);
        const char *json = NULL;
        if (convert_shape(svc, op->input, body.p, body.len, &json, &why) != 0)
            fail_msg("%s: %s", marker, why);
        seen++;
        if (strcmp(marker, "v2-cw-put-metric-data") == 0)
            assert_string_equal(json, "{\"Namespace\":\"NS\",\"MetricData\":[{\"MetricName\":"
                                      "\"m1\",\"Dimensions\":[{\"Name\":\"d1\",\"Value\":\"v1\"}],"
                                      "\"Timestamp\":1704067200,\"Value\":1.5,\"Unit\":\"Count\"}]}");
        else if (strcmp(marker, "v2-cw-list-metrics") == 0)
            assert_string_equal(json, "{\"Namespace\":\"A/B c\"}");
        else if (strstr(marker, "cfn-create-stack-unicode"))
            assert_string_equal(json, "{\"StackName\":\"st1\",\"TemplateBody\":\"{\\\"Description"
                                      "\\\":\\\"h\xc3\xa9llo w\xc3\xb6rld ~*+ /\\\"}\"}");
        else if (strstr(marker, "gzip")) {
            const struct gy_json *tree;
            assert_int_equal(gy_json_parse(g_arena, json, strlen(json), &tree, &why), 0);
            const struct gy_json *md = gy_json_get(tree, "MetricData");
            assert_true(gy_json_count(md) > 2);
            size_t i = 0;
            for (const struct gy_json *e = gy_json_child(md); e; e = gy_json_next(e), i++)
                assert_int_equal(gy_json_num(gy_json_get(e, "Value")), (double)i);
        }
    }
    free(line);
    fclose(f);
    assert_true(seen >= 5);
}

/* ---- parameters -> JSON -------------------------------------------------------------------- */

static void test_scalars(void **state)
{
    assert_string_equal(
        TJ("Action=Echo&Version=2020-01-01&Str=hi+there&Int=-42&Long=9007199254740993&Dbl=1.5e3"
           "&Flt=0.25&Bool=TRUE&Ts=2024-01-01T00%3A00%3A00Z&TsEpoch=1704067200.5&Blob=aGk%3D"),
        "{\"Str\":\"hi there\",\"Int\":-42,\"Long\":9007199254740993,\"Dbl\":1.5e3,\"Flt\":0.25,"
        "\"Bool\":true,\"Ts\":1704067200,\"TsEpoch\":1704067200.5,\"Blob\":\"aGk=\"}");
    assert_string_equal(TJ("Bool=false&Int=%2B7&Dbl=-.5&Flt=3.&Blob="),
                        "{\"Int\":7,\"Dbl\":-0.5,\"Flt\":3,\"Bool\":false,\"Blob\":\"\"}");
    assert_string_equal(TJ("Int=2147483647&Long=-9223372036854775808"),
                        "{\"Int\":2147483647,\"Long\":-9223372036854775808}");
    assert_string_equal(TJ("Str=first&Str=second&Str.x=ignored"), "{\"Str\":\"first\"}");
    assert_string_equal(TJ("Str=%3C%26%22%5C%0A%09"), "{\"Str\":\"<&\\\"\\\\\\n\\t\"}");
    assert_string_equal(TJ(""), "{}");
    assert_string_equal(TJ("Action=Echo&Version=2020-01-01"), "{}");
}

static double ts_of(const char *value)
{
    char body[200];
    snprintf(body, sizeof(body), "Ts=%s", value);
    const char *json = TJ(body);
    const struct gy_json *tree;
    const char *why;
    assert_int_equal(gy_json_parse(g_arena, json, strlen(json), &tree, &why), 0);
    assert_true(gy_json_is(gy_json_get(tree, "Ts"), GY_JSON_NUMBER));
    return gy_json_num(gy_json_get(tree, "Ts"));
}

static void test_timestamps(void **state)
{
    assert_true(ts_of("2024-01-01T00:00:00Z") == 1704067200);
    assert_true(ts_of("2024-01-01T00:00:00.123Z") == 1704067200.123);
    assert_true(ts_of("2024-01-01T00:00:00.123456Z") == 1704067200.123456);
    assert_true(ts_of("2024-01-01T00:00:00.5") == 1704067200.5);
    assert_true(ts_of("2024-01-01T01:00:00%2B01:00") == 1704067200);
    assert_true(ts_of("2024-01-01T00:00:00-0130") == 1704067200 + 5400);
    assert_true(ts_of("2024-01-01T00:00:00%2B05") == 1704067200 - 5 * 3600);
    assert_true(ts_of("2024-01-01t00:00:00z") == 1704067200);
    assert_true(ts_of("2024-01-01T00:00Z") == 1704067200);
    assert_true(ts_of("2024-01-01") == 1704067200);
    assert_true(ts_of("Mon,+01+Jan+2024+00:00:00+GMT") == 1704067200);
    assert_true(ts_of("1704067200") == 1704067200);
    assert_true(ts_of("1704067200.25") == 1704067200.25);
    assert_true(ts_of("1970-01-01T00:00:00Z") == 0);
    assert_true(ts_of("1969-12-31T23:59:59Z") == -1);
    assert_true(ts_of("2000-02-29T12:00:00Z") == 951825600);
    assert_true(ts_of("1600-03-01T00:00:00Z") == -11670912000.0);
}

static void test_lists(void **state)
{
    assert_string_equal(TJ("List.member.2=b&List.member.1=a&List.member.10=j&List.member.7=g"),
                        "{\"List\":[\"a\",\"b\",\"g\",\"j\"]}");
    assert_string_equal(TJ("List="), "{\"List\":[]}");
    assert_string_equal(TJ("List=x"), "{}"); /* a non-empty bare value is not a list */
    assert_string_equal(TJ("NamedList.item.1=x&NamedList.member.2=ignored"),
                        "{\"NamedList\":[\"x\"]}");
    assert_string_equal(TJ("FlatList.2=b&FlatList.1=a"), "{\"FlatList\":[\"a\",\"b\"]}");
    assert_string_equal(TJ("Thing.2=b&Thing.1=a&FlatNamed.1=ignored"),
                        "{\"FlatNamed\":[\"a\",\"b\"]}");
    assert_string_equal(TJ("MemberFlat.1=z"), "{\"MemberFlat\":[\"z\"]}");
    assert_string_equal(
        TJ("Structs.member.1.Name=n&Structs.member.1.Value=2&Structs.member.1.Tags.member.1=t"
           "&Structs.member.3.Name=m&Structs.member.2.Unknown=u"),
        "{\"Structs\":[{\"Name\":\"n\",\"Value\":2,\"Tags\":[\"t\"]},{},{\"Name\":\"m\"}]}");
    assert_string_equal(TJ("Lists.member.1.member.1=a&Lists.member.1.member.2=b"
                           "&Lists.member.2.member.1=c&Lists.member.3="),
                        "{\"Lists\":[[\"a\",\"b\"],[\"c\"],[]]}");
    /* an element with only a bare scalar missing is skipped, not written as null */
    assert_string_equal(TJ("List.member.1=a&List.member.2.x=b"), "{\"List\":[\"a\"]}");
}

static void test_maps(void **state)
{
    assert_string_equal(TJ("Map.entry.2.key=k2&Map.entry.2.value=v2&Map.entry.1.key=k1"
                           "&Map.entry.1.value=v1"),
                        "{\"Map\":{\"k1\":\"v1\",\"k2\":\"v2\"}}");
    assert_string_equal(TJ("Map="), "{\"Map\":{}}");
    assert_string_equal(TJ("NamedMap.entry.1.Name=a&NamedMap.entry.1.Val=7"
                           "&NamedMap.entry.2.key=b&NamedMap.entry.2.value=8"),
                        "{\"NamedMap\":{\"a\":7}}");
    assert_string_equal(TJ("FlatMap.1.key=a&FlatMap.1.value=b"),
                        "{\"FlatMap\":{\"a\":\"b\"}}");
    assert_string_equal(TJ("MapOfStruct.entry.1.key=x&MapOfStruct.entry.1.value.Name=n"
                           "&MapOfStruct.entry.1.value.Tags.member.1=t"),
                        "{\"MapOfStruct\":{\"x\":{\"Name\":\"n\",\"Tags\":[\"t\"]}}}");
    /* a repeated key keeps the lowest index; entries lacking a key or value are skipped */
    assert_string_equal(TJ("Map.entry.3.key=k&Map.entry.3.value=third&Map.entry.1.key=k"
                           "&Map.entry.1.value=first&Map.entry.2.key=lonely"
                           "&Map.entry.4.value=orphan&Map.entry.5.key=&Map.entry.5.value=e"),
                        "{\"Map\":{\"k\":\"first\",\"\":\"e\"}}");
}

static void test_names(void **state)
{
    assert_string_equal(TJ("renamedName=r"), "{\"Renamed\":\"r\"}");
    assert_string_equal(TJ("Renamed=r2"), "{\"Renamed\":\"r2\"}");
    assert_string_equal(TJ("Nested.Name=a&Nested.Tags.member.1=t&Nested.Value=1e-3"),
                        "{\"Nested\":{\"Name\":\"a\",\"Value\":1e-3,\"Tags\":[\"t\"]}}");
    assert_string_equal(TJ("Rec.Child.Child.Value=deep&Rec.Value=top"),
                        "{\"Rec\":{\"Value\":\"top\",\"Child\":{\"Child\":{\"Value\":\"deep\"}}}}");
    /* unknown names and nesting deeper than the model are ignored */
    assert_string_equal(TJ("Unknown=1&Str.Deep.A.B=1&Int.member.1=2&str=lower&Name=top"),
                        "{}");
    assert_string_equal(TJ("Nested.Name.X.Y=1"), "{\"Nested\":{}}");
    assert_string_equal(to_json("cloudwatch", "ListMetrics",
                                "Namespace.A.B.C.D.E.F.G=1&Namespace=ns&Dimensions.member.1.Name"
                                ".X.Y.Z=q&Dimensions.member.1.Value=v"),
                        "{\"Namespace\":\"ns\",\"Dimensions\":[{\"Value\":\"v\"}]}");
}

static void test_deep_recursion(void **state)
{
    struct gy_buf b;
    gy_buf_init(&b, 1 << 20);
    gy_buf_puts(&b, "Rec");
    for (int i = 0; i < 200; i++)
        gy_buf_puts(&b, ".Child");
    gy_buf_puts(&b, ".Value=x");
    expect_error(b.p, "nested more than");
    gy_buf_reset(&b);
    gy_buf_puts(&b, "Rec");
    for (int i = 0; i < 40; i++)
        gy_buf_puts(&b, ".Child");
    gy_buf_puts(&b, ".Value=x");
    const char *json = TJ(b.p);
    assert_non_null(strstr(json, "{\"Value\":\"x\"}"));
    gy_buf_fini(&b);
}

static void test_bad_indexes(void **state)
{
    expect_error("List.member.0=a", "Invalid index (0) in parameter List.member.0");
    expect_error("List.member.abc=a", "Invalid index (abc)");
    expect_error("List.member.01=a", "Invalid index (01)");
    expect_error("List.member.-1=a", "Invalid index (-1)");
    expect_error("List.member.1x=a", "Invalid index (1x)");
    expect_error("List.member.=a", "Invalid index ()");
    expect_error("List.member.1e2=a", "Invalid index (1e2)");
    expect_error("List.member.100001=a", "Invalid index (100001)");
    expect_error("List.member.99999999999999999999=a", "Invalid index (99999999999999999999)");
    expect_error("Structs.member.abc.Name=x", "in parameter Structs.member.abc.Name");
    expect_error("FlatList.x=1", "Invalid index (x)");
    expect_error("FlatList.member.1=1", "Invalid index (member)");
    expect_error("FlatMap.entry.1.key=k", "Invalid index (entry)");
    expect_error("Map.entry.0.key=a&Map.entry.0.value=b", "Invalid index (0)");
    expect_error("Lists.member.1.member.z=a", "Lists.member.1.member.z");
    /* the largest index is accepted */
    assert_string_equal(TJ("List.member.100000=a"), "{\"List\":[\"a\"]}");
}

static void test_bad_values(void **state)
{
    static const char *const bad[][2] = {
        { "Bool=yes", "Value (yes) for parameter Bool is invalid. Expected true or false." },
        { "Bool=", "Expected true or false" },
        { "Int=1.5", "Value (1.5) for parameter Int is invalid. Expected an integer." },
        { "Int=2147483648", "Expected an integer" },
        { "Int=-2147483649", "Expected an integer" },
        { "Int=", "Expected an integer" },
        { "Int=+1+", "Expected an integer" },
        { "Int=%2B", "Expected an integer" },
        { "Long=9223372036854775808", "Expected a long integer" },
        { "Long=0x10", "Expected a long integer" },
        { "Dbl=abc", "Value (abc) for parameter Dbl is invalid. Expected a finite number." },
        { "Dbl=1e999", "Expected a finite number" },
        { "Dbl=NaN", "Expected a finite number" },
        { "Dbl=Infinity", "Expected a finite number" },
        { "Dbl=1.2.3", "Expected a finite number" },
        { "Dbl=", "Expected a finite number" },
        { "Dbl=e5", "Expected a finite number" },
        { "Dbl=1e", "Expected a finite number" },
        { "Dbl=.", "Expected a finite number" },
        { "Nested.Value=x1", "parameter Nested.Value" },
        { "Structs.member.2.Value=zz", "parameter Structs.member.2.Value" },
        { "Ts=2024-13-01T00:00:00Z", "Expected an ISO 8601 timestamp or epoch seconds." },
        { "Ts=2024-01-32T00:00:00Z", "Expected an ISO 8601" },
        { "Ts=2023-02-29T00:00:00Z", "Expected an ISO 8601" },
        { "Ts=2024-01-01T25:00:00Z", "Expected an ISO 8601" },
        { "Ts=2024-01-01T00:60:00Z", "Expected an ISO 8601" },
        { "Ts=2024-01-01T00:00:00%2B", "Expected an ISO 8601" },
        { "Ts=2024-01-01T00:00:00.Z", "Expected an ISO 8601" },
        { "Ts=2024-01-01T00:00:00Zjunk", "Expected an ISO 8601" },
        { "Ts=yesterday", "Expected an ISO 8601" },
        { "Ts=", "Expected an ISO 8601" },
        { "Ts=Mon,+01+Foo+2024+00:00:00+GMT", "Expected an ISO 8601" },
        { "Blob=abc", "Expected base64-encoded data." },
        { "Blob=ab!=", "Expected base64-encoded data." },
        { "Blob=a===", "Expected base64-encoded data." },
        { "NamedMap.entry.1.Name=a&NamedMap.entry.1.Val=x", "parameter NamedMap.entry.1.Val" },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_error(bad[i][0], bad[i][1]);

    /* long values and names are clipped in messages, on a UTF-8 boundary */
    struct gy_buf b;
    gy_buf_init(&b, 1 << 20);
    gy_buf_puts(&b, "Int=");
    for (int i = 0; i < 1000; i++)
        gy_buf_puts(&b, "%C3%A9");
    const char *json = NULL, *why = NULL;
    assert_int_equal(convert_shape(&t_svc, S_ALL, b.p, b.len, &json, &why), GY_EINVAL);
    assert_true(strlen(why) < 200);
    assert_true(gy_utf8_valid(why, strlen(why)));
    gy_buf_fini(&b);
}

/* 1000 metrics x 30 dimensions: ~62,000 parameters in one PutMetricData. */
static void test_large_put_metric_data(void **state)
{
    struct gy_buf b;
    gy_buf_init(&b, 8u << 20);
    gy_buf_puts(&b, "Action=PutMetricData&Version=2010-08-01&Namespace=Big");
    for (int m = 1000; m >= 1; m--) { /* reverse order: the codec must sort numerically */
        gy_buf_printf(&b, "&MetricData.member.%d.MetricName=m%d&MetricData.member.%d.Value=%d.5",
                      m, m, m, m);
        for (int d = 1; d <= 30; d++)
            gy_buf_printf(&b,
                          "&MetricData.member.%d.Dimensions.member.%d.Name=d%d"
                          "&MetricData.member.%d.Dimensions.member.%d.Value=v%d",
                          m, d, d, m, d, m * 100 + d);
    }
    const struct gy_model_service *cw = gy_model_find("cloudwatch");
    const char *json = NULL, *why = NULL;
    assert_int_equal(convert_shape(cw, op_named(cw, "PutMetricData")->input, b.p, b.len, &json,
                                   &why),
                     0);
    const struct gy_json *tree;
    assert_int_equal(gy_json_parse(g_arena, json, strlen(json), &tree, &why), 0);
    const struct gy_json *md = gy_json_get(tree, "MetricData");
    assert_int_equal(gy_json_count(md), 1000);
    int m = 1;
    for (const struct gy_json *e = gy_json_child(md); e; e = gy_json_next(e), m++) {
        char want[32];
        snprintf(want, sizeof(want), "m%d", m);
        assert_string_equal(gy_json_str(gy_json_get(e, "MetricName")).p, want);
        assert_true(gy_json_num(gy_json_get(e, "Value")) == m + 0.5);
        const struct gy_json *dims = gy_json_get(e, "Dimensions");
        assert_int_equal(gy_json_count(dims), 30);
        int d = 1;
        for (const struct gy_json *x = gy_json_child(dims); x; x = gy_json_next(x), d++) {
            snprintf(want, sizeof(want), "v%d", m * 100 + d);
            assert_string_equal(gy_json_str(gy_json_get(x, "Value")).p, want);
        }
    }
    gy_buf_fini(&b);
}

/* ---- JSON -> XML --------------------------------------------------------------------------- */

#define NS_ATTR " xmlns=\"http://gyre.test/doc/2020-01-01/\""
#define META "<ResponseMetadata><RequestId>rid-1</RequestId></ResponseMetadata>"

static void test_xml_envelopes(void **state)
{
    assert_string_equal(to_xml("test", "Echo", "{\"Str\":\"x\"}"),
                        "<EchoResponse" NS_ATTR "><EchoResult><Str>x</Str></EchoResult>" META
                        "</EchoResponse>");
    assert_string_equal(to_xml("test", "Echo", NULL),
                        "<EchoResponse" NS_ATTR "><EchoResult></EchoResult>" META "</EchoResponse>");
    assert_string_equal(to_xml("test", "Plain", "{\"Str\":\"x\"}"),
                        "<PlainResponse" NS_ATTR "><Str>x</Str>" META "</PlainResponse>");
    assert_string_equal(to_xml("test", "Void", "{\"Str\":\"x\"}"),
                        "<VoidResponse" NS_ATTR ">" META "</VoidResponse>");
    assert_string_equal(to_xml("test", "Empty", "{}"),
                        "<EmptyResponse" NS_ATTR "><EmptyResult></EmptyResult>" META
                        "</EmptyResponse>");
    assert_string_equal(to_xml("cloudwatch", "PutMetricData", NULL),
                        "<PutMetricDataResponse xmlns=\"http://monitoring.amazonaws.com/doc/"
                        "2010-08-01/\"><ResponseMetadata><RequestId>rid-1</RequestId>"
                        "</ResponseMetadata></PutMetricDataResponse>");
    assert_string_equal(
        to_xml("cloudwatch", "GetMetricStatistics",
               "{\"Datapoints\":[{\"Unit\":\"Count\",\"Sum\":3.5,\"Timestamp\":1704067200,"
               "\"ExtendedStatistics\":{\"p99\":1.25}}],\"Label\":\"L\"}"),
        "<GetMetricStatisticsResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\">"
        "<GetMetricStatisticsResult><Label>L</Label><Datapoints><member>"
        "<Timestamp>2024-01-01T00:00:00.000Z</Timestamp><Sum>3.5</Sum><Unit>Count</Unit>"
        "<ExtendedStatistics><entry><key>p99</key><value>1.25</value></entry>"
        "</ExtendedStatistics></member></Datapoints></GetMetricStatisticsResult>"
        "<ResponseMetadata><RequestId>rid-1</RequestId></ResponseMetadata>"
        "</GetMetricStatisticsResponse>");

    /* the output buffer's limit is reported */
    struct gy_buf small;
    gy_buf_init(&small, 16);
    const struct gy_model_op *op = op_named(&t_svc, "Echo");
    assert_int_equal(gy_query_xml_response(&t_svc, op, NULL, "rid", &small), GY_ETOOBIG);
    gy_buf_fini(&small);
}

static void test_xml_members(void **state)
{
    assert_string_equal(
        echo_xml("{\"Blob\":\"aGk=\",\"Str\":\"a<b\",\"Int\":3,\"Long\":-9007199254740992,"
                 "\"Dbl\":0.1,\"Flt\":1e21,\"Bool\":false,\"Ts\":1704067200.5,"
                 "\"TsEpoch\":1704067200}"),
        "<Str>a&lt;b</Str><Int>3</Int><Long>-9007199254740992</Long><Dbl>0.1</Dbl>"
        "<Flt>1e+21</Flt><Bool>false</Bool><Ts>2024-01-01T00:00:00.500Z</Ts>"
        "<TsEpoch>1704067200</TsEpoch><Blob>aGk=</Blob>");
    assert_string_equal(
        echo_xml("{\"List\":[\"a\",\"b\"],\"NamedList\":[\"x\"],\"FlatList\":[\"f1\",\"f2\"],"
                 "\"FlatNamed\":[\"t1\"],\"MemberFlat\":[\"m\"],"
                 "\"Structs\":[{\"Name\":\"n\",\"Value\":2.5,\"Tags\":[]}],"
                 "\"Lists\":[[\"a\"],[]]}"),
        "<List><member>a</member><member>b</member></List><NamedList><item>x</item></NamedList>"
        "<FlatList>f1</FlatList><FlatList>f2</FlatList><Thing>t1</Thing>"
        "<MemberFlat>m</MemberFlat><Structs><member><Name>n</Name><Value>2.5</Value><Tags></Tags>"
        "</member></Structs><Lists><member><member>a</member></member><member></member></Lists>");
    assert_string_equal(
        echo_xml("{\"Map\":{\"k\":\"v\"},\"NamedMap\":{\"a\":1},\"FlatMap\":{\"x\":\"y\","
                 "\"z\":\"w\"},\"MapOfStruct\":{\"m\":{\"Name\":\"q\"}}}"),
        "<Map><entry><key>k</key><value>v</value></entry></Map>"
        "<NamedMap><entry><Name>a</Name><Val>1</Val></entry></NamedMap>"
        "<FlatMap><key>x</key><value>y</value></FlatMap>"
        "<FlatMap><key>z</key><value>w</value></FlatMap>"
        "<MapOfStruct><entry><key>m</key><value><Name>q</Name></value></entry></MapOfStruct>");
    /* model order, locationNames, nulls and unknown members dropped, empty flattened list */
    assert_string_equal(echo_xml("{\"Unknown\":1,\"Renamed\":\"r\",\"Str\":null,\"Int\":2,"
                                 "\"FlatList\":[],\"Rec\":{\"Child\":{\"Value\":\"c\"}}}"),
                        "<Int>2</Int><renamedName>r</renamedName>"
                        "<Rec><Child><Value>c</Value></Child></Rec>");
    /* values of another JSON type than the shape's are written as their own text */
    assert_string_equal(echo_xml("{\"Str\":5,\"Int\":\"7\",\"Ts\":\"2024-01-01T00:00:00Z\","
                                 "\"Bool\":\"true\",\"List\":\"notalist\",\"Nested\":[1]}"),
                        "<Str>5</Str><Int>7</Int><Bool>true</Bool>"
                        "<Ts>2024-01-01T00:00:00Z</Ts><Nested></Nested>");
}

static const char *dbl_xml(const char *num)
{
    char json[80];
    snprintf(json, sizeof(json), "{\"Dbl\":%s}", num);
    const char *x = echo_xml(json);
    assert_true(strncmp(x, "<Dbl>", 5) == 0);
    return gy_arena_strndup(g_arena, x + 5, strlen(x) - 11);
}

static const char *ts_xml(const char *num)
{
    char json[80];
    snprintf(json, sizeof(json), "{\"Ts\":%s}", num);
    const char *x = echo_xml(json);
    assert_true(strncmp(x, "<Ts>", 4) == 0);
    return gy_arena_strndup(g_arena, x + 4, strlen(x) - 9);
}

static void test_xml_numbers(void **state)
{
    assert_string_equal(dbl_xml("0.1"), "0.1");
    assert_string_equal(dbl_xml("100"), "100");
    assert_string_equal(dbl_xml("0.3333333333333333"), "0.3333333333333333");
    assert_string_equal(dbl_xml("5e-324"), "5e-324");
    assert_string_equal(dbl_xml("1.7976931348623157e308"), "1.7976931348623157e+308");
    assert_string_equal(dbl_xml("123456789012345680"), "1.2345678901234568e+17");
    assert_string_equal(dbl_xml("-0.0"), "-0");
    assert_string_equal(dbl_xml("1704067200.123"), "1704067200.123");
    assert_string_equal(ts_xml("0"), "1970-01-01T00:00:00.000Z");
    assert_string_equal(ts_xml("-1.5"), "1969-12-31T23:59:58.500Z");
    assert_string_equal(ts_xml("0.9996"), "1970-01-01T00:00:01.000Z");
    assert_string_equal(ts_xml("951782400"), "2000-02-29T00:00:00.000Z");
    assert_string_equal(ts_xml("253402300799"), "9999-12-31T23:59:59.000Z");
    assert_string_equal(ts_xml("1704067200.123"), "2024-01-01T00:00:00.123Z");
}

static void test_xml_escape(void **state)
{
#define ESC(in, want) assert_string_equal(escaped(in, sizeof(in) - 1), want)
    ESC("a&b<c>d\"e'f", "a&amp;b&lt;c&gt;d&quot;e&apos;f");
    ESC("\t\n\r", "\t\n&#xD;");
    ESC("x\x01y", "x\xef\xbf\xbdy");
    ESC("\x7f\xc2\x85", "\x7f\xc2\x85");
    ESC("h\xc3\xa9 \xf0\x9f\x98\x80", "h\xc3\xa9 \xf0\x9f\x98\x80");
    ESC("\xff", "\xef\xbf\xbd");
    ESC("\xef\xbf\xbe", "\xef\xbf\xbd");
    ESC("\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    ESC("a\xc3", "a\xef\xbf\xbd");
    ESC("\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd");
    ESC("", "");
    assert_string_equal(escaped("a\0b", 3), "a\xef\xbf\xbd" "b");
#undef ESC
}

static void test_xml_error(void **state)
{
    struct gy_buf out;
    gy_buf_init(&out, 1 << 16);
    assert_int_equal(gy_query_xml_error("http://cloudformation.amazonaws.com/doc/2010-05-15/", true,
                                        "ValidationError", "Stack with id st1 does not exist",
                                        "rid-9", &out),
                     0);
    assert_string_equal(out.p, "<ErrorResponse xmlns=\"http://cloudformation.amazonaws.com/doc/"
                               "2010-05-15/\"><Error><Type>Sender</Type><Code>ValidationError"
                               "</Code><Message>Stack with id st1 does not exist</Message>"
                               "</Error><RequestId>rid-9</RequestId></ErrorResponse>");
    gy_buf_reset(&out);
    assert_int_equal(gy_query_xml_error(NULL, false, "InternalFailure", "a<b & \x01", "r", &out),
                     0);
    assert_string_equal(out.p, "<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure"
                               "</Code><Message>a&lt;b &amp; \xef\xbf\xbd</Message></Error>"
                               "<RequestId>r</RequestId></ErrorResponse>");
    gy_buf_reset(&out);
    assert_int_equal(gy_query_xml_error(NULL, true, "X", NULL, "r", &out), 0);
    assert_string_equal(out.p, "<ErrorResponse><Error><Type>Sender</Type><Code>X</Code></Error>"
                               "<RequestId>r</RequestId></ErrorResponse>");
    gy_buf_fini(&out);
}

/* ---- tool mode for tests/e2e/test_query_codec.py ------------------------------------------- */

static char *read_all(FILE *f, size_t *len)
{
    struct gy_buf b;
    char chunk[65536];
    size_t n;
    gy_buf_init(&b, 256u << 20);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        if (gy_buf_append(&b, chunk, n) != 0)
            break;
    gy_buf_putc(&b, '\0');
    *len = b.len - 1;
    return gy_buf_steal(&b, &n);
}

static const char *const kind_names[] = {
    [GY_SHAPE_STRUCTURE] = "structure", [GY_SHAPE_LIST] = "list",    [GY_SHAPE_MAP] = "map",
    [GY_SHAPE_STRING] = "string",       [GY_SHAPE_INTEGER] = "integer", [GY_SHAPE_LONG] = "long",
    [GY_SHAPE_FLOAT] = "float",         [GY_SHAPE_DOUBLE] = "double", [GY_SHAPE_BOOLEAN] = "boolean",
    [GY_SHAPE_TIMESTAMP] = "timestamp", [GY_SHAPE_BLOB] = "blob",
};

/* The test model as a botocore service-2 document. */
static void dump_model(struct gy_jw *w)
{
    const struct gy_model_service *s = &t_svc;
    gy_jw_obj_begin(w);
    gy_jw_key(w, "version");
    gy_jw_cstr(w, "2.0");
    gy_jw_key(w, "metadata");
    gy_jw_obj_begin(w);
    gy_jw_key(w, "apiVersion");
    gy_jw_cstr(w, s->api_version);
    gy_jw_key(w, "protocol");
    gy_jw_cstr(w, "query");
    gy_jw_key(w, "endpointPrefix");
    gy_jw_cstr(w, s->signing_name);
    gy_jw_key(w, "serviceId");
    gy_jw_cstr(w, "Gyre Test");
    gy_jw_key(w, "signatureVersion");
    gy_jw_cstr(w, "v4");
    gy_jw_key(w, "xmlNamespace");
    gy_jw_cstr(w, s->xml_namespace);
    gy_jw_obj_end(w);
    gy_jw_key(w, "operations");
    gy_jw_obj_begin(w);
    for (size_t i = 0; i < s->nops; i++) {
        const struct gy_model_op *o = &s->ops[i];
        gy_jw_key(w, o->name);
        gy_jw_obj_begin(w);
        gy_jw_key(w, "name");
        gy_jw_cstr(w, o->name);
        gy_jw_key(w, "http");
        gy_jw_raw(w, GY_STR("{\"method\":\"POST\",\"requestUri\":\"/\"}"));
        if (o->input != GY_MODEL_NONE) {
            gy_jw_key(w, "input");
            gy_jw_obj_begin(w);
            gy_jw_key(w, "shape");
            gy_jw_cstr(w, s->shapes[o->input].name);
            gy_jw_obj_end(w);
        }
        if (o->output != GY_MODEL_NONE) {
            gy_jw_key(w, "output");
            gy_jw_obj_begin(w);
            gy_jw_key(w, "shape");
            gy_jw_cstr(w, s->shapes[o->output].name);
            if (o->result_wrapper) {
                gy_jw_key(w, "resultWrapper");
                gy_jw_cstr(w, o->result_wrapper);
            }
            gy_jw_obj_end(w);
        }
        gy_jw_obj_end(w);
    }
    gy_jw_obj_end(w);
    gy_jw_key(w, "shapes");
    gy_jw_obj_begin(w);
    for (size_t i = 0; i < s->nshapes; i++) {
        const struct gy_model_shape *sh = &s->shapes[i];
        gy_jw_key(w, sh->name);
        gy_jw_obj_begin(w);
        gy_jw_key(w, "type");
        gy_jw_cstr(w, kind_names[sh->kind]);
        if (sh->flags & GY_SHAPE_FLATTENED) {
            gy_jw_key(w, "flattened");
            gy_jw_bool(w, true);
        }
        if (sh->kind == GY_SHAPE_LIST) {
            gy_jw_key(w, "member");
            gy_jw_obj_begin(w);
            gy_jw_key(w, "shape");
            gy_jw_cstr(w, s->shapes[sh->a].name);
            if (sh->a_name) {
                gy_jw_key(w, "locationName");
                gy_jw_cstr(w, sh->a_name);
            }
            gy_jw_obj_end(w);
        } else if (sh->kind == GY_SHAPE_MAP) {
            const char *names[2] = { sh->a_name, sh->b_name };
            uint16_t shapes[2] = { sh->a, sh->b };
            for (int k = 0; k < 2; k++) {
                gy_jw_key(w, k == 0 ? "key" : "value");
                gy_jw_obj_begin(w);
                gy_jw_key(w, "shape");
                gy_jw_cstr(w, s->shapes[shapes[k]].name);
                if (names[k]) {
                    gy_jw_key(w, "locationName");
                    gy_jw_cstr(w, names[k]);
                }
                gy_jw_obj_end(w);
            }
        } else if (sh->kind == GY_SHAPE_STRUCTURE) {
            gy_jw_key(w, "members");
            gy_jw_obj_begin(w);
            for (size_t k = 0; k < sh->n; k++) {
                const struct gy_model_member *m = gy_model_member(s, sh, k);
                gy_jw_key(w, m->name);
                gy_jw_obj_begin(w);
                gy_jw_key(w, "shape");
                gy_jw_cstr(w, s->shapes[m->shape].name);
                if (m->wire_name) {
                    gy_jw_key(w, "locationName");
                    gy_jw_cstr(w, m->wire_name);
                }
                if (m->flags & GY_MEMBER_FLATTENED) {
                    gy_jw_key(w, "flattened");
                    gy_jw_bool(w, true);
                }
                if (m->ts_format == GY_TS_EPOCH) {
                    gy_jw_key(w, "timestampFormat");
                    gy_jw_cstr(w, "unixTimestamp");
                }
                gy_jw_obj_end(w);
            }
            gy_jw_obj_end(w);
        }
        gy_jw_obj_end(w);
    }
    gy_jw_obj_end(w);
    gy_jw_obj_end(w);
}

static int tool(int argc, char **argv)
{
    struct gy_buf out;
    struct gy_jw w;
    size_t len;
    const char *why = "";
    int rc = 0;
    g_arena = gy_arena_create(1 << 16);
    gy_buf_init(&out, 256u << 20);
    gy_jw_init(&w, &out);
    if (strcmp(argv[1], "model") == 0) {
        dump_model(&w);
    } else if (argc >= 4 && (strcmp(argv[1], "json") == 0 || strcmp(argv[1], "xml") == 0)) {
        const struct gy_model_service *svc = svc_named(argv[2]);
        const struct gy_model_op *op = svc ? gy_model_op(svc, gy_str_c(argv[3])) : NULL;
        char *in = read_all(stdin, &len);
        if (!op) {
            why = "unknown service or operation";
            rc = 2;
        } else if (argv[1][0] == 'j') {
            struct gy_query_param *p;
            size_t n;
            rc = gy_query_parse(g_arena, (struct gy_str){ in, len }, &p, &n, &why);
            if (rc == 0)
                rc = gy_query_to_json(g_arena, svc, op->input, p, n, &w, &why);
        } else {
            const struct gy_json *tree;
            rc = gy_json_parse(g_arena, in, len, &tree, &why);
            if (rc == 0)
                rc = gy_query_xml_response(svc, op, tree, argc > 4 ? argv[4] : "rid", &out);
        }
        gy_free(in);
    } else if (argc >= 4 && strcmp(argv[1], "error") == 0) {
        char *in = read_all(stdin, &len);
        rc = gy_query_xml_error(argv[2], true, argv[3], in, "rid", &out);
        gy_free(in);
    } else {
        why = "usage: test_query [model | json SVC OP | xml SVC OP [ID] | error NS CODE]";
        rc = 2;
    }
    if (rc == 0)
        fwrite(out.p, 1, out.len, stdout);
    else
        fprintf(stderr, "%s\n", why ? why : "failed");
    gy_buf_fini(&out);
    gy_arena_destroy(g_arena);
    return rc == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        return tool(argc, argv);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_parse_basic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_captured_bodies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scalars, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timestamps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lists, setup, teardown),
        cmocka_unit_test_setup_teardown(test_maps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deep_recursion, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_indexes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_put_metric_data, setup, teardown),
        cmocka_unit_test_setup_teardown(test_xml_envelopes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_xml_members, setup, teardown),
        cmocka_unit_test_setup_teardown(test_xml_numbers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_xml_escape, setup, teardown),
        cmocka_unit_test_setup_teardown(test_xml_error, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

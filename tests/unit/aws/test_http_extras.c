/*
 * test_http_extras.c — src/aws/http_extras.c: Content-Encoding request bodies (gzip, lists,
 * unknown codings, bombs, corrupt data), Accept-Encoding weights and the compression decision,
 * CORS preflight and response headers, and gy_aws_http_finish (gzip, x-amz-crc32 over the bytes
 * sent, CORS).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aws/http_extras.h"
#include "core/arena.h"
#include "core/errors.h"
#include "core/gzip.h"
#include "core/mem.h"
#include "core/str.h"

#define H(n, v) ((struct gy_http_header){ GY_STR(n), GY_STR(v) })

static struct gy_str gz(struct gy_arena *a, const char *p, size_t n)
{
    struct gy_buf b;
    gy_buf_init(&b, n + 4096);
    assert_int_equal(gy_gzip((struct gy_str){ p, n }, 6, &b), 0);
    struct gy_str s = { gy_arena_strndup(a, b.p, b.len), b.len };
    gy_buf_fini(&b);
    return s;
}

static const struct gy_str *find(const struct gy_http_header *h, size_t n, const char *name)
{
    const struct gy_str *found = NULL;
    for (size_t i = 0; i < n; i++)
        if (gy_str_caseeqc(h[i].name, name)) {
            assert_null(found); /* each added header appears once */
            found = &h[i].value;
        }
    return found;
}

static void assert_value(const struct gy_http_header *h, size_t n, const char *name,
                         const char *want)
{
    const struct gy_str *v = find(h, n, name);
    assert_non_null(v);
    assert_true(gy_str_eqc(*v, want));
}

/* True when the comma-separated list holds name (case-insensitive, spaces trimmed). */
static bool list_has(struct gy_str list, const char *name)
{
    size_t i = 0;
    while (i <= list.len) {
        size_t j = i;
        while (j < list.len && list.p[j] != ',')
            j++;
        struct gy_str el = { list.p + i, j - i };
        while (el.len && el.p[0] == ' ') {
            el.p++;
            el.len--;
        }
        while (el.len && el.p[el.len - 1] == ' ')
            el.len--;
        if (gy_str_caseeqc(el, name))
            return true;
        i = j + 1;
    }
    return false;
}

/* ---- request bodies ---- */

static void test_decode_gzip(void **state)
{
    struct gy_arena *a = gy_arena_create(4096);
    const char *json = "{\"TableName\":\"t\",\"Item\":{\"pk\":{\"S\":\"a\"}}}";
    static const char *const names[] = { "gzip", "GZIP", " gzip ", "x-gzip", "identity, gzip",
                                         "gzip,identity", "gzip,,", "Gzip" };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        struct gy_http_header h[2] = { H("Content-Type", "application/x-amz-json-1.0"),
                                       { GY_STR("Content-Encoding"), gy_str_c(names[i]) } };
        struct gy_str body = gz(a, json, strlen(json));
        struct gy_error err = { 0 };
        assert_int_equal(gy_aws_http_decode_body(a, h, 2, GY_AWS_HTTP_MAX_REQUEST, &body, &err), 0);
        assert_int_equal(body.len, strlen(json));
        assert_memory_equal(body.p, json, body.len);
        assert_int_equal(body.p[body.len], '\0');
    }
    gy_arena_destroy(a);
}

static void test_decode_nothing_to_do(void **state)
{
    struct gy_arena *a = gy_arena_create(4096);
    struct gy_error err = { 0 };
    struct gy_str raw = GY_STR("{\"a\":1}"), body = raw;
    struct gy_http_header h[2] = { H("Content-Type", "application/json"),
                                   H("Content-Encoding", "identity") };
    assert_int_equal(gy_aws_http_decode_body(a, h, 1, 100, &body, &err), 0);
    assert_ptr_equal(body.p, raw.p);
    assert_int_equal(gy_aws_http_decode_body(a, h, 2, 100, &body, &err), 0);
    assert_ptr_equal(body.p, raw.p);
    /* An empty body has nothing to decode, whatever the header says. */
    struct gy_http_header g = H("content-encoding", "gzip");
    struct gy_str empty = GY_STR("");
    assert_int_equal(gy_aws_http_decode_body(a, &g, 1, 100, &empty, &err), 0);
    assert_int_equal(empty.len, 0);
    assert_int_equal(err.code, GY_AWS_OK);
    gy_arena_destroy(a);
}

/* Two codings (two headers, or one list) are undone in reverse order of application. */
static void test_decode_twice(void **state)
{
    struct gy_arena *a = gy_arena_create(4096);
    struct gy_error err = { 0 };
    struct gy_str once = gz(a, "double", 6);
    struct gy_str twice = gz(a, once.p, once.len);

    struct gy_http_header two[2] = { H("Content-Encoding", "gzip"),
                                     H("Content-Encoding", "gzip") };
    struct gy_str body = twice;
    assert_int_equal(gy_aws_http_decode_body(a, two, 2, 100, &body, &err), 0);
    assert_true(gy_str_eqc(body, "double"));
    struct gy_http_header list = H("Content-Encoding", "gzip, gzip");
    body = twice;
    assert_int_equal(gy_aws_http_decode_body(a, &list, 1, 100, &body, &err), 0);
    assert_true(gy_str_eqc(body, "double"));
    /* Undoing one coding leaves gzip bytes: whatever reads the body next rejects them. */
    body = twice;
    assert_int_equal(gy_aws_http_decode_body(a, two, 1, 100, &body, &err), 0);
    assert_int_equal(body.len, once.len);
    assert_memory_equal(body.p, once.p, once.len);
    /* Too many codings. */
    struct gy_http_header many = H("Content-Encoding", "gzip,gzip,gzip,gzip,gzip");
    body = twice;
    assert_int_equal(gy_aws_http_decode_body(a, &many, 1, 100, &body, &err), GY_EAWS);
    assert_int_equal(err.code, GY_AWS_SERIALIZATION);
    gy_arena_destroy(a);
}

static void test_decode_unsupported(void **state)
{
    static const char *const codings[] = { "br", "deflate", "compress", "zstd", "gzip, br",
                                           "aws-chunked", "gzip;q=1", "*" };
    struct gy_arena *a = gy_arena_create(4096);
    for (size_t i = 0; i < sizeof(codings) / sizeof(codings[0]); i++) {
        struct gy_http_header h = { GY_STR("Content-Encoding"), gy_str_c(codings[i]) };
        struct gy_str body = GY_STR("abc");
        struct gy_error err = { 0 };
        assert_int_equal(gy_aws_http_decode_body(a, &h, 1, 100, &body, &err), GY_EAWS);
        assert_int_equal(err.code, GY_AWS_SERIALIZATION);
        assert_non_null(strstr(err.message, "Unsupported Content-Encoding"));
        assert_true(gy_str_eqc(body, "abc"));
    }
    gy_arena_destroy(a);
}

static void test_decode_corrupt(void **state)
{
    struct gy_arena *a = gy_arena_create(4096);
    struct gy_http_header h = H("Content-Encoding", "gzip");
    struct gy_str good = gz(a, "{\"k\":\"v\"}", 9);
    struct gy_str bodies[] = {
        GY_STR("{\"k\":\"v\"}"),                   /* plain JSON labelled gzip */
        { good.p, good.len - 1 },                  /* truncated */
        gy_str_c(gy_arena_printf(a, "%.*sxx", (int)good.len, good.p)), /* trailing garbage */
    };
    bodies[2].len = good.len + 2;
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        struct gy_error err = { 0 };
        struct gy_str body = bodies[i];
        assert_int_equal(gy_aws_http_decode_body(a, &h, 1, 100, &body, &err), GY_EAWS);
        assert_int_equal(err.code, GY_AWS_SERIALIZATION);
        assert_non_null(strstr(err.message, "gzip"));
    }
    gy_arena_destroy(a);
}

static void test_decode_bomb(void **state)
{
    struct gy_arena *a = gy_arena_create(4096);
    const size_t big = GY_AWS_HTTP_MAX_REQUEST + 1;
    char *zeros = gy_calloc(big, 1);
    struct gy_str z = gz(a, zeros, big);
    struct gy_http_header h = H("Content-Encoding", "gzip");
    struct gy_error err = { 0 };
    struct gy_str body = z;

    assert_int_equal(gy_aws_http_decode_body(a, &h, 1, GY_AWS_HTTP_MAX_REQUEST, &body, &err),
                     GY_EAWS);
    assert_int_equal(err.code, GY_AWS_REQUEST_TOO_LARGE);
    assert_int_equal(gy_aws_error_info(err.code)->status, 413);
    assert_string_equal(err.message, "Request size exceeded 16777216 bytes");
    assert_ptr_equal(body.p, z.p);
    /* Exactly at the limit passes. */
    body = gz(a, zeros, big - 1);
    assert_int_equal(gy_aws_http_decode_body(a, &h, 1, GY_AWS_HTTP_MAX_REQUEST, &body, &err), 0);
    assert_int_equal(body.len, GY_AWS_HTTP_MAX_REQUEST);
    gy_free(zeros);
    gy_arena_destroy(a);
}

/* ---- Accept-Encoding ---- */

static void test_accept_weight(void **state)
{
    static const struct {
        const char *accept;
        const char *coding;
        int want;
    } cases[] = {
        { "gzip", "gzip", 1000 },
        { "GZIP", "gzip", 1000 },
        { "x-gzip", "gzip", 1000 },
        { "gzip;q=0", "gzip", 0 },
        { "gzip; q=0.5", "gzip", 500 },
        { "gzip ;Q=0.25", "gzip", 250 },
        { "gzip;q=0.001", "gzip", 1 },
        { "gzip;q=1.000", "gzip", 1000 },
        { "gzip;q=1.5", "gzip", 0 },       /* malformed: weight 0 */
        { "gzip;q=0.0001", "gzip", 0 },    /* four decimals: malformed */
        { "gzip;q=abc", "gzip", 0 },
        { "gzip;q=", "gzip", 0 },
        { "gzip;level=9", "gzip", 1000 },  /* other parameters are ignored */
        { "gzip;quality=0", "gzip", 1000 },
        { "deflate, br", "gzip", -1 },
        { "identity", "gzip", -1 },
        { "*", "gzip", 1000 },
        { "*;q=0.3", "gzip", 300 },
        { "*;q=0.3, gzip;q=0", "gzip", 0 },  /* an own entry beats * */
        { "gzip;q=0, *", "gzip", 0 },
        { "br;q=1.0, gzip;q=0.8, *;q=0.1", "gzip", 800 },
        { ", , gzip ,", "gzip", 1000 },
        { "", "gzip", -1 },
        { "identity;q=0", "identity", 0 },
        { "*;q=0", "identity", 0 },
        { "gzip", "identity", -1 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int got = gy_aws_http_accept_weight(gy_str_c(cases[i].accept), cases[i].coding);
        if (got != cases[i].want)
            fail_msg("Accept-Encoding '%s' for %s: got %d, want %d", cases[i].accept,
                     cases[i].coding, got, cases[i].want);
    }
}

static void test_want_gzip(void **state)
{
    static const struct {
        const char *accept; /* NULL: no header */
        size_t len;
        bool want;
    } cases[] = {
        { NULL, 100000, false },
        { "gzip", 100000, true },
        { "gzip", GY_AWS_HTTP_GZIP_MIN, true },
        { "gzip", GY_AWS_HTTP_GZIP_MIN - 1, false },
        { "gzip, deflate, br", 5000, true },        /* what browsers send */
        { "gzip;q=0", 100000, false },
        { "identity", 100000, false },
        { "", 100000, false },
        { "*", 100000, true },
        { "*;q=0", 100000, false },
        { "deflate", 100000, false },
        { "gzip;q=0.5, identity;q=1", 100000, false }, /* identity preferred */
        { "gzip;q=1, identity;q=0.5", 100000, true },
        { "gzip, identity;q=0", 10, true },             /* identity refused: even small ones */
        { "gzip, *;q=0", 10, true },
        { "gzip;q=0, identity;q=0", 100000, false },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct gy_http_header h[2] = { H("Host", "localhost"),
                                       { GY_STR("Accept-Encoding"), gy_str_c(cases[i].accept) } };
        bool got = gy_aws_http_want_gzip(h, cases[i].accept ? 2 : 1, cases[i].len);
        if (got != cases[i].want)
            fail_msg("Accept-Encoding '%s' with %zu bytes: got %d", cases[i].accept,
                     cases[i].len, got);
    }
    /* Several header lines are one list. */
    struct gy_http_header two[2] = { H("accept-encoding", "br"), H("ACCEPT-ENCODING", "gzip") };
    assert_true(gy_aws_http_want_gzip(two, 2, 5000));
}

/* ---- CORS ---- */

static void test_cors_is_preflight(void **state)
{
    struct gy_http_header h[3] = { H("Origin", "http://localhost:3000"),
                                   H("Access-Control-Request-Method", "POST"),
                                   H("Host", "x") };
    assert_true(gy_aws_cors_is_preflight(GY_STR("OPTIONS"), h, 3));
    assert_false(gy_aws_cors_is_preflight(GY_STR("POST"), h, 3));
    assert_false(gy_aws_cors_is_preflight(GY_STR("OPTIONS"), h, 1)); /* no request method */
    assert_false(gy_aws_cors_is_preflight(GY_STR("OPTIONS"), h + 1, 2)); /* no Origin */
}

static void test_cors_preflight(void **state)
{
    struct gy_http_header h[4] = {
        H("origin", "http://localhost:3000"),
        H("access-control-request-method", "POST"),
        H("access-control-request-headers",
          "amz-sdk-invocation-id,amz-sdk-request,authorization,content-type,x-amz-content-sha256,"
          "x-amz-date,x-amz-target,x-amz-user-agent"),
        H("Access-Control-Request-Private-Network", "true"),
    };
    struct gy_http_header out[GY_AWS_CORS_MAX_HEADERS];
    size_t n = gy_aws_cors_preflight(h, 4, out);
    assert_true(n <= GY_AWS_CORS_MAX_HEADERS);
    assert_value(out, n, "Access-Control-Allow-Origin", "http://localhost:3000");
    assert_value(out, n, "Access-Control-Allow-Headers",
                 "amz-sdk-invocation-id,amz-sdk-request,authorization,content-type,"
                 "x-amz-content-sha256,x-amz-date,x-amz-target,x-amz-user-agent");
    assert_value(out, n, "Access-Control-Max-Age", GY_AWS_CORS_MAX_AGE);
    assert_value(out, n, "Access-Control-Allow-Private-Network", "true");
    const struct gy_str *m = find(out, n, "Access-Control-Allow-Methods");
    assert_non_null(m);
    assert_true(list_has(*m, "POST") && list_has(*m, "PUT") && list_has(*m, "DELETE"));
    const struct gy_str *e = find(out, n, "Access-Control-Expose-Headers");
    assert_non_null(e);
    static const char *const exposed[] = { "x-amzn-RequestId", "x-amz-crc32", "x-amzn-ErrorType",
                                           "x-amz-request-id", "x-amzn-query-error", "ETag",
                                           "Date" };
    for (size_t i = 0; i < sizeof(exposed) / sizeof(exposed[0]); i++)
        if (!list_has(*e, exposed[i]))
            fail_msg("%s is not exposed", exposed[i]);
    assert_non_null(find(out, n, "Vary"));
}

static void test_cors_preflight_defaults(void **state)
{
    struct gy_http_header out[GY_AWS_CORS_MAX_HEADERS];
    /* Without requested headers: the SDK list. A bad Origin or header list is not echoed. */
    struct gy_http_header h[3] = { H("Origin", "http://a b"),
                                   H("Access-Control-Request-Method", "PUT"),
                                   H("Access-Control-Request-Headers", "x-ok, bad header") };
    size_t n = gy_aws_cors_preflight(h, 2, out);
    assert_value(out, n, "Access-Control-Allow-Origin", "*");
    const struct gy_str *ah = find(out, n, "Access-Control-Allow-Headers");
    assert_non_null(ah);
    assert_true(gy_str_startswith(*ah, GY_STR("authorization, content-type")));
    assert_null(find(out, n, "Access-Control-Allow-Private-Network"));
    n = gy_aws_cors_preflight(h, 3, out);
    ah = find(out, n, "Access-Control-Allow-Headers");
    assert_true(gy_str_startswith(*ah, GY_STR("authorization, content-type")));
    /* "null" is a serialized origin (sandboxed pages, file:// URLs) and is echoed. */
    struct gy_http_header nul[2] = { H("Origin", "null"),
                                     H("Access-Control-Request-Method", "POST") };
    n = gy_aws_cors_preflight(nul, 2, out);
    assert_value(out, n, "Access-Control-Allow-Origin", "null");
}

static void test_cors_response(void **state)
{
    struct gy_http_header out[GY_AWS_CORS_MAX_HEADERS];
    struct gy_http_header h[2] = { H("Host", "x"), H("Origin", "https://app.example.com") };
    assert_int_equal(gy_aws_cors_response(h, 1, out), 0);
    size_t n = gy_aws_cors_response(h, 2, out);
    assert_value(out, n, "Access-Control-Allow-Origin", "https://app.example.com");
    assert_non_null(find(out, n, "Access-Control-Expose-Headers"));
    assert_value(out, n, "Vary", "Origin");
}

/* ---- gy_aws_http_finish ---- */

static void test_finish_plain_and_crc(void **state)
{
    struct gy_arena *a = gy_arena_create(4096);
    struct gy_http_header req[1] = { H("Host", "x") };
    struct gy_http_header resp[2] = { H("x-amzn-RequestId", "R"),
                                      H("Content-Type", "application/x-amz-json-1.0") };
    const struct gy_http_header *h = resp;
    size_t n = 2;
    struct gy_str body = GY_STR("{}");

    gy_aws_http_finish(a, req, 1, 0, &h, &n, &body);
    assert_int_equal(n, 2);
    assert_true(gy_str_eqc(body, "{}"));
    assert_null(find(h, n, "x-amz-crc32"));

    h = resp;
    n = 2;
    gy_aws_http_finish(a, req, 1, GY_AWS_HTTP_CRC32, &h, &n, &body);
    assert_int_equal(n, 3);
    assert_value(h, n, "x-amzn-RequestId", "R");
    assert_value(h, n, "x-amz-crc32", "2745614147"); /* what DynamoDB sends with "{}" */
    gy_arena_destroy(a);
}

static void test_finish_gzip_crc_cors(void **state)
{
    struct gy_arena *a = gy_arena_create(4096);
    struct gy_http_header req[2] = { H("Accept-Encoding", "gzip, deflate, br"),
                                     H("Origin", "http://localhost:8080") };
    char *plain = gy_arena_alloc(a, 20000);
    for (int i = 0; i < 20000; i++)
        plain[i] = "{\"Items\":[{\"pk\":{\"S\":\"x\"}}]}"[i % 27];
    struct gy_str body = { plain, 20000 };
    struct gy_http_header resp[1] = { H("Content-Type", "application/x-amz-json-1.0") };
    const struct gy_http_header *h = resp;
    size_t n = 1;

    gy_aws_http_finish(a, req, 2, GY_AWS_HTTP_CRC32, &h, &n, &body);
    assert_true(n <= 1 + GY_AWS_HTTP_EXTRA_HEADERS);
    assert_value(h, n, "Content-Encoding", "gzip");
    assert_true(body.len < 2000);
    /* The checksum is over the compressed bytes. */
    char want[16];
    snprintf(want, sizeof(want), "%u", (unsigned)gy_crc32(body.p, body.len));
    assert_value(h, n, "x-amz-crc32", want);
    assert_value(h, n, "Access-Control-Allow-Origin", "http://localhost:8080");
    struct gy_buf out;
    gy_buf_init(&out, 20000);
    assert_int_equal(gy_gunzip(body, 20000, &out), 0);
    assert_int_equal(out.len, 20000);
    assert_memory_equal(out.p, plain, 20000);
    gy_buf_fini(&out);

    /* A small body is left alone; so is one that already has a Content-Encoding. */
    struct gy_str small = GY_STR("{\"Count\":0}");
    h = resp;
    n = 1;
    gy_aws_http_finish(a, req, 1, 0, &h, &n, &small);
    assert_null(find(h, n, "Content-Encoding"));
    assert_true(gy_str_eqc(small, "{\"Count\":0}"));
    struct gy_http_header enc[1] = { H("Content-Encoding", "identity") };
    body = (struct gy_str){ plain, 20000 };
    h = enc;
    n = 1;
    gy_aws_http_finish(a, req, 1, 0, &h, &n, &body);
    assert_int_equal(body.len, 20000);
    assert_int_equal(n, 1);
    gy_arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_gzip),
        cmocka_unit_test(test_decode_nothing_to_do),
        cmocka_unit_test(test_decode_twice),
        cmocka_unit_test(test_decode_unsupported),
        cmocka_unit_test(test_decode_corrupt),
        cmocka_unit_test(test_decode_bomb),
        cmocka_unit_test(test_accept_weight),
        cmocka_unit_test(test_want_gzip),
        cmocka_unit_test(test_cors_is_preflight),
        cmocka_unit_test(test_cors_preflight),
        cmocka_unit_test(test_cors_preflight_defaults),
        cmocka_unit_test(test_cors_response),
        cmocka_unit_test(test_finish_plain_and_crc),
        cmocka_unit_test(test_finish_gzip_crc_cors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

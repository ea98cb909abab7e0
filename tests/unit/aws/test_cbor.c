/*
 * test_cbor.c — the CBOR codec (src/aws/cbor.c): every major type to JSON and back through
 * real generated models (kinesis PutRecordInput / GetRecordsOutput, cloudwatch
 * PutMetricDataInput), both timestamp dialects, and malformed input of every kind: every
 * truncation of valid documents, misplaced breaks, wrong chunk types, 10,000-deep nesting,
 * non-text keys, invalid UTF-8, huge declared lengths in tiny bodies, unsupported tags.
 * Expected bytes were made with Debian's python3-cbor2. Run with cwd = tests/unit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aws/cbor.h"
#include "aws/model.h"
#include "core/arena.h"
#include "core/errors.h"
#include "core/json.h"
#include "core/str.h"

#define MAX_OUT (1u << 20)

static struct gy_arena *arena;

static int setup(void **state)
{
    arena = gy_arena_create(1 << 14);
    return 0;
}

static int teardown(void **state)
{
    gy_arena_destroy(arena);
    return 0;
}

/* Hex text (spaces allowed) to arena bytes. */
static struct gy_str unhex(const char *hex)
{
    size_t n = strlen(hex);
    unsigned char *p = gy_arena_alloc(arena, n / 2 + 1);
    size_t len = 0;
    for (size_t i = 0; i < n;) {
        if (hex[i] == ' ') {
            i++;
            continue;
        }
        unsigned v;
        assert_int_equal(sscanf(hex + i, "%2x", &v), 1);
        p[len++] = (unsigned char)v;
        i += 2;
    }
    return (struct gy_str){(const char *)p, len};
}

static char *tohex(struct gy_str s)
{
    char *out = gy_arena_alloc(arena, s.len * 2 + 1);
    gy_hex((const unsigned char *)s.p, s.len, out);
    return out;
}

/* CBOR bytes to JSON text (arena), returning the codec's code; *why on failure. */
static int decode(struct gy_str cbor, enum gy_cbor_dialect dialect, const char **json,
                  const char **why)
{
    struct gy_buf buf;
    struct gy_jw w;
    gy_buf_init(&buf, MAX_OUT);
    gy_jw_init(&w, &buf);
    *why = NULL;
    int rc = gy_cbor_to_json(arena, cbor, dialect, &w, why);
    *json = gy_arena_strndup(arena, buf.p ? buf.p : "", buf.len);
    gy_buf_fini(&buf);
    if (rc)
        assert_non_null(*why);
    return rc;
}

static void assert_json(const char *hex, enum gy_cbor_dialect dialect, const char *want)
{
    const char *json, *why;
    int rc = decode(unhex(hex), dialect, &json, &why);
    if (rc)
        fail_msg("%s: %s", hex, why);
    assert_string_equal(json, want);
    /* What the codec writes is always JSON our parser accepts. */
    const struct gy_json *tree;
    assert_int_equal(gy_json_parse(arena, json, strlen(json), &tree, &why), 0);
}

static void assert_refused(const char *hex, const char *why_part)
{
    const char *json, *why;
    int rc = decode(unhex(hex), GY_CBOR_RPCV2, &json, &why);
    if (rc != GY_EINVAL)
        fail_msg("%s: accepted as %s", hex, json);
    if (why_part && !strstr(why, why_part))
        fail_msg("%s: reason \"%s\" lacks \"%s\"", hex, why, why_part);
}

static const struct gy_json *parse(const char *json)
{
    const struct gy_json *tree;
    const char *why;
    if (gy_json_parse(arena, json, strlen(json), &tree, &why))
        fail_msg("bad test JSON %s: %s", json, why);
    return tree;
}

/* JSON text -> CBOR with a model shape; returns the code and the bytes (arena). */
static int encode(const char *svc_name, const char *shape_name, const char *json,
                  enum gy_cbor_dialect dialect, struct gy_str *cbor)
{
    const struct gy_model_service *svc = svc_name ? gy_model_find(svc_name) : NULL;
    uint16_t shape = GY_MODEL_NONE;
    if (svc_name) {
        assert_non_null(svc);
        shape = gy_model_shape_find(svc, shape_name);
        assert_int_not_equal(shape, GY_MODEL_NONE);
    }
    struct gy_buf out;
    gy_buf_init(&out, MAX_OUT);
    int rc = gy_cbor_from_json(svc, shape, parse(json), dialect, &out);
    *cbor = gy_arena_strdup(arena, gy_buf_str(&out));
    gy_buf_fini(&out);
    return rc;
}

/* ---- CBOR -> JSON: every major type ---- */

static void test_empty_body(void **state)
{
    const char *json, *why;
    assert_int_equal(decode(GY_STR_NULL, GY_CBOR_RPCV2, &json, &why), 0);
    assert_string_equal(json, "{}");
    assert_json("a0", GY_CBOR_RPCV2, "{}");
    assert_json("bf ff", GY_CBOR_RPCV2, "{}");
}

static void test_integers(void **state)
{
    /* 0, 23, 24, 255, 256, 65535, 65536, 2^32, UINT64_MAX */
    assert_json("a1 61 61 89 00 17 18 18 18 ff 19 0100 19 ffff 1a 00010000 1b 0000000100000000"
                " 1b ffffffffffffffff",
                GY_CBOR_RPCV2,
                "{\"a\":[0,23,24,255,256,65535,65536,4294967296,18446744073709551615]}");
    /* -1, -24, -25, -256, -257, INT64_MIN, INT64_MIN - 1, -2^64 */
    assert_json("a1 61 61 88 20 37 38 18 38 ff 39 0100 3b 7fffffffffffffff 3b 8000000000000000"
                " 3b ffffffffffffffff",
                GY_CBOR_RPCV2,
                "{\"a\":[-1,-24,-25,-256,-257,-9223372036854775808,-9223372036854775809,"
                "-18446744073709551616]}");
    /* Non-preferred (longer than needed) heads are still integers. */
    assert_json("a1 61 61 1b 0000000000000005", GY_CBOR_RPCV2, "{\"a\":5}");
}

static void test_floats(void **state)
{
    /* half 1.5, half 65504, half smallest subnormal, single 1.1, double 1.1, double 1e300,
     * double -0.5, single 16777216 */
    assert_json("a1 61 66 88 f9 3e00 f9 7bff f9 0001 fa 3f8ccccd fb 3ff199999999999a"
                " fb 7e37e43c8800759c fb bfe0000000000000 fa 4b800000",
                GY_CBOR_RPCV2,
                "{\"f\":[1.5,65504,5.9604644775390625e-08,1.1,1.1,1e+300,-0.5,16777216]}");
    /* Non-finite values in half, single and double precision. */
    assert_json("a1 61 66 89 f9 7e00 f9 7c00 f9 fc00 fa 7fc00000 fa 7f800000 fa ff800000"
                " fb 7ff8000000000000 fb 7ff0000000000000 fb fff0000000000000",
                GY_CBOR_RPCV2,
                "{\"f\":[\"NaN\",\"Infinity\",\"-Infinity\",\"NaN\",\"Infinity\",\"-Infinity\","
                "\"NaN\",\"Infinity\",\"-Infinity\"]}");
}

static void test_strings_and_bytes(void **state)
{
    /* Byte strings of 0..4 bytes become padded base64; text is escaped as JSON. */
    assert_json("a1 61 62 85 40 41 ff 42 fffe 43 000102 44 00010203", GY_CBOR_RPCV2,
                "{\"b\":[\"\",\"/w==\",\"//4=\",\"AAEC\",\"AAECAw==\"]}");
    assert_json("a2 61 74 68 22 5c 0a c3 a9 e2 82 ac 63 6b c3 a9 64 f0 9f 98 80", GY_CBOR_RPCV2,
                "{\"t\":\"\\\"\\\\\\n\xc3\xa9\xe2\x82\xac\",\"k\xc3\xa9\":\"\xf0\x9f\x98\x80\"}");
    assert_json("a1 60 60", GY_CBOR_RPCV2, "{\"\":\"\"}");
}

static void test_simple_values(void **state)
{
    /* true, false; null and undefined members are dropped; in arrays they are null. */
    assert_json("a5 61 74 f5 61 66 f4 61 6e f6 61 75 f7 61 6c 84 f6 f7 f5 f4", GY_CBOR_RPCV2,
                "{\"t\":true,\"f\":false,\"l\":[null,null,true,false]}");
    /* A map whose every member is null is an empty object. */
    assert_json("a1 61 6d a2 61 61 f6 61 62 f7", GY_CBOR_RPCV2, "{\"m\":{}}");
    assert_json("bf 61 61 f6 ff", GY_CBOR_RPCV2, "{}");
}

static void test_nested_containers(void **state)
{
    assert_json("a2 61 61 83 a0 80 a1 61 78 81 01 61 6d a1 61 6e a1 61 6f 80", GY_CBOR_RPCV2,
                "{\"a\":[{},[],{\"x\":[1]}],\"m\":{\"n\":{\"o\":[]}}}");
    /* Exactly GY_CBOR_MAX_DEPTH levels are accepted. */
    char hex[4 * GY_CBOR_MAX_DEPTH + 16], want[4 * GY_CBOR_MAX_DEPTH + 16];
    size_t h = 0, j = 0;
    h += (size_t)snprintf(hex + h, sizeof(hex) - h, "a1 61 61");
    j += (size_t)snprintf(want + j, sizeof(want) - j, "{\"a\":");
    for (int i = 1; i < GY_CBOR_MAX_DEPTH; i++) {
        h += (size_t)snprintf(hex + h, sizeof(hex) - h, "81");
        want[j++] = '[';
    }
    h += (size_t)snprintf(hex + h, sizeof(hex) - h, "01");
    want[j++] = '1';
    for (int i = 1; i < GY_CBOR_MAX_DEPTH; i++)
        want[j++] = ']';
    want[j++] = '}';
    want[j] = 0;
    assert_json(hex, GY_CBOR_RPCV2, want);
}

static void test_indefinite_lengths(void **state)
{
    /* Indefinite map (as Jackson writes it for the Java SDK), indefinite array, chunked text
     * and bytes, an empty chunked string, and a chunked key. */
    assert_json("bf 61 61 9f 01 02 ff 61 74 7f 62 6162 61 63 ff 61 62 5f 41 00 42 0102 ff"
                " 61 65 7f ff 7f 61 6b 61 79 ff 01 ff",
                GY_CBOR_RPCV2, "{\"a\":[1,2],\"t\":\"abc\",\"b\":\"AAEC\",\"e\":\"\",\"ky\":1}");
    /* An empty indefinite byte string and an indefinite map inside a definite array. */
    assert_json("a1 61 78 82 5f ff bf 61 7a f4 ff", GY_CBOR_RPCV2, "{\"x\":[\"\",{\"z\":false}]}");
}

static void test_timestamps(void **state)
{
    /* rpc-v2-cbor: epoch seconds, integer or float. */
    assert_json("a2 61 74 c1 1a 65920080 61 66 c1 fb 41d9648020200000", GY_CBOR_RPCV2,
                "{\"t\":1704067200,\"f\":1704067200.5}");
    /* x-amz-cbor-1.1: integer milliseconds, written exactly as decimal seconds. */
    assert_json("a3 61 74 c1 1b 00000153e2db26d0 61 7a c1 1b 00000153e2db24f0 61 6e c1 38 63",
                GY_CBOR_AMZ, "{\"t\":1459799926.48,\"z\":1459799926,\"n\":-0.1}");
    assert_json("a1 61 74 c1 fb 42753e2db26d0000", GY_CBOR_AMZ, "{\"t\":1459799926.48}");
    assert_json("a1 61 74 c1 19 03e9", GY_CBOR_AMZ, "{\"t\":1.001}");
    /* A timestamp in an array and as a tagged negative number. */
    assert_json("a1 61 61 82 c1 00 c1 20", GY_CBOR_RPCV2, "{\"a\":[0,-1]}");
}

/* ---- CBOR -> JSON: malformed input ---- */

/* Every proper prefix of a valid document is refused as truncated (and never crashes). */
static void assert_every_prefix_refused(struct gy_str doc)
{
    for (size_t n = 1; n < doc.len; n++) {
        const char *json, *why;
        int rc = decode((struct gy_str){doc.p, n}, GY_CBOR_RPCV2, &json, &why);
        if (rc != GY_EINVAL)
            fail_msg("prefix of %zu/%zu bytes accepted: %s", n, doc.len, json);
    }
}

static void test_truncated_everywhere(void **state)
{
    assert_every_prefix_refused(
        unhex("a2694e616d657370616365614e6a4d65747269634461746181a36a4d65747269634e616d65616d6556"
              "616c7565fb3ff80000000000006954696d657374616d70c11a65920080"));
    assert_every_prefix_refused(
        unhex("bf 61 61 9f 01 1b ffffffffffffffff 3b 7fffffffffffffff ff 61 74 7f 62 6162 61 63 ff"
              " 61 62 5f 41 00 42 0102 ff 61 66 f9 3e00 61 67 fa 3f8ccccd ff"));
    assert_refused("a1 61", "truncated");
    assert_refused("a1 61 61", "truncated");
    assert_refused("a1 61 61 19 01", "truncated");
}

static void test_trailing_bytes(void **state)
{
    assert_refused("a0 00", "after the CBOR data item");
    assert_refused("a0 a0", "after the CBOR data item");
    assert_refused("bf ff ff", "after the CBOR data item");
}

static void test_bad_breaks(void **state)
{
    assert_refused("ff", "break");
    assert_refused("a1 61 61 ff", "break");    /* break as a map value */
    assert_refused("a1 61 61 81 ff", "break"); /* break in a definite array */
    assert_refused("bf 61 61 ff", "between a key and its value");
    assert_refused("a1 61 61 c1 ff", "break"); /* break as a tagged value */
}

static void test_bad_chunks(void **state)
{
    assert_refused("a1 61 61 7f 41 61 ff", "same major type"); /* bytes in text */
    assert_refused("a1 61 61 5f 61 61 ff", "same major type"); /* text in bytes */
    assert_refused("a1 61 61 7f 7f ff ff", "same major type"); /* nested indefinite */
    assert_refused("a1 61 61 5f 5f ff ff", "same major type");
    assert_refused("a1 61 61 7f 01 ff", "same major type");    /* an integer chunk */
    assert_refused("a1 61 61 5f 80 ff", "same major type");    /* an array chunk */
    assert_refused("a1 61 61 7f c1 ff", NULL);                 /* a tag chunk */
    assert_refused("bf 7f 41 61 ff 01 ff", "same major type"); /* in a key */
}

static void test_deep_nesting(void **state)
{
    for (int kind = 0; kind < 3; kind++) {
        size_t n = 10000, len = 3 + n * 3 + 1;
        unsigned char *p = gy_arena_alloc(arena, len);
        size_t o = 0;
        p[o++] = 0xa1, p[o++] = 0x61, p[o++] = 'a';
        for (size_t i = 0; i < n; i++) {
            if (kind == 0) {
                p[o++] = 0x81; /* [[[[... */
            } else if (kind == 1) {
                p[o++] = 0x9f; /* indefinite arrays */
            } else {
                p[o++] = 0xa1, p[o++] = 0x61, p[o++] = 'k'; /* {"k":{"k":... */
            }
        }
        p[o++] = 0x00;
        const char *json, *why;
        assert_int_equal(decode((struct gy_str){(const char *)p, o}, GY_CBOR_RPCV2, &json, &why),
                         GY_EINVAL);
        assert_string_equal(why, "CBOR nesting is too deep");
    }
}

static void test_key_types(void **state)
{
    assert_refused("a1 01 01", "keys must be text");
    assert_refused("a1 20 01", "keys must be text");
    assert_refused("a1 41 61 01", "keys must be text");
    assert_refused("a1 5f ff 01", "keys must be text");
    assert_refused("a1 80 01", "keys must be text");
    assert_refused("a1 a0 01", "keys must be text");
    assert_refused("a1 c1 01 01", "keys must be text");
    assert_refused("a1 f6 01", "keys must be text");
    assert_refused("a1 f5 01", "keys must be text");
    assert_refused("a1 fb 3ff8000000000000 01", "keys must be text");
    assert_refused("bf 01 01 ff", "keys must be text");
    /* Duplicate keys, also across definite and chunked spellings; none across maps. */
    assert_refused("a2 61 61 01 61 61 02", "duplicate");
    assert_refused("bf 61 61 01 7f 61 61 ff 02 ff", "duplicate");
    assert_refused("a2 61 61 f6 61 61 01", "duplicate");
    assert_json("a2 61 61 a1 61 61 01 61 62 a1 61 61 02", GY_CBOR_RPCV2,
                "{\"a\":{\"a\":1},\"b\":{\"a\":2}}");
    assert_json("a3 61 61 a2 61 78 01 61 79 02 61 78 03 61 79 bf 61 61 04 ff", GY_CBOR_RPCV2,
                "{\"a\":{\"x\":1,\"y\":2},\"x\":3,\"y\":{\"a\":4}}");
    assert_refused("a2 61 61 a1 61 62 01 61 61 02", "duplicate");
}

/* Maps past the scan threshold: 40 distinct keys pass; a repeat of any earlier key fails. */
static void test_big_map_keys(void **state)
{
    for (int dup = -1; dup < 40; dup += 7) {
        char hex[2048], want[2048];
        size_t h = 0, j = 0;
        h += (size_t)snprintf(hex + h, sizeof(hex) - h, "bf");
        j += (size_t)snprintf(want + j, sizeof(want) - j, "{");
        for (int i = 0; i < 40; i++) {
            h += (size_t)snprintf(hex + h, sizeof(hex) - h, " 62 %02x %02x a1 61 6e %02x", 'a' + i / 26, 'a' + i % 26,
                                 i % 24);
            j += (size_t)snprintf(want + j, sizeof(want) - j, "%s\"%c%c\":{\"n\":%d}", i ? "," : "", 'a' + i / 26,
                                 'a' + i % 26, i % 24);
        }
        if (dup >= 0)
            h += (size_t)snprintf(hex + h, sizeof(hex) - h, " 62 %02x %02x 00", 'a' + dup / 26, 'a' + dup % 26);
        h += (size_t)snprintf(hex + h, sizeof(hex) - h, " ff");
        j += (size_t)snprintf(want + j, sizeof(want) - j, "}");
        if (dup < 0)
            assert_json(hex, GY_CBOR_RPCV2, want);
        else
            assert_refused(hex, "duplicate");
    }
}

static void test_top_level_not_map(void **state)
{
    assert_refused("01", "must be a map");
    assert_refused("80", "must be a map");
    assert_refused("61 61", "must be a map");
    assert_refused("7f ff", "must be a map");
    assert_refused("f6", "must be a map");
    assert_refused("c1 01", "must be a map");
}

static void test_invalid_utf8(void **state)
{
    assert_refused("a1 61 61 62 c3 28", "UTF-8");       /* bad continuation */
    assert_refused("a1 61 61 62 c0 af", "UTF-8");       /* overlong '/' */
    assert_refused("a1 61 61 63 ed a0 80", "UTF-8");    /* surrogate U+D800 */
    assert_refused("a1 61 61 64 f4 90 80 80", "UTF-8"); /* beyond U+10FFFF */
    assert_refused("a1 61 61 61 ff", "UTF-8");
    assert_refused("a1 62 c3 28 01", "UTF-8");             /* in a key */
    assert_refused("a1 61 61 7f 61 c3 61 a9 ff", "UTF-8"); /* a character split over chunks */
    assert_refused("a1 61 61 63 61 00 62", "NUL");
}

static void test_huge_declared_lengths(void **state)
{
    static const char *const docs[] = {
        "a1 61 61 5b 7fffffffffffffff 00", /* byte string of 2^63-1 */
        "a1 61 61 5b ffffffffffffffff 00",
        "a1 61 61 7b ffffffffffffffff 41", /* text string */
        "a1 61 61 5a ffffffff 00",
        "a1 61 61 9b ffffffffffffffff 00",       /* array of 2^64-1 items */
        "a1 61 61 bb ffffffffffffffff 61 61 00", /* map of 2^64-1 pairs */
        "bb 7fffffffffffffff",
        "a1 61 61 5f 5b ffffffffffffffff 00 ff", /* a huge chunk */
        "bf 7f 7b 7fffffffffffffff 61 ff",       /* a huge key chunk */
    };
    for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        size_t before = gy_arena_used(arena);
        assert_refused(docs[i], "truncated");
        assert_true(gy_arena_used(arena) - before < 16384);
    }
}

static void test_tags(void **state)
{
    assert_refused("a1 61 61 c0 74 323031332d30332d32315432303a30343a30305a", "tag");
    assert_refused("a1 61 61 c2 41 01", "tag");                    /* positive bignum */
    assert_refused("a1 61 61 c3 41 01", "tag");                    /* negative bignum */
    assert_refused("a1 61 61 c4 82 21 19 6ab3", "tag");            /* decimal fraction */
    assert_refused("a1 61 61 d8 20 61 61", "tag");                 /* URI, 1-byte tag number */
    assert_refused("a1 61 61 d9 d9f7 01", "tag");                  /* self-described CBOR */
    assert_refused("a1 61 61 db 0000000000000001 c1 01", "tag 1"); /* tag 1 in tag 1 */
    assert_refused("a1 61 61 c1 c1 01", "tag 1");
    assert_refused("a1 61 61 c1 61 61", "tag 1");
    assert_refused("a1 61 61 c1 f6", "tag 1");
    assert_refused("a1 61 61 c1 80", "tag 1");
    assert_refused("a1 61 61 c1 f9 7c00", "tag 1");
    assert_refused("a1 61 61 c1 fb 7ff8000000000000", "tag 1");
    /* A 64-bit tag number holding 1 is tag 1. */
    assert_json("a1 61 61 db 0000000000000001 01", GY_CBOR_RPCV2, "{\"a\":1}");
    const char *json, *why;
    assert_int_equal(decode(unhex("a1 61 61 c1 3b ffffffffffffffff"), GY_CBOR_AMZ, &json, &why),
                     GY_EINVAL);
}

static void test_reserved_bytes(void **state)
{
    static const char *const docs[] = {
        "a1 61 61 1c", "a1 61 61 3d", "a1 61 61 5c", "a1 61 61 7e", "a1 61 61 9c",
        "a1 61 61 be", "a1 61 61 dc", "a1 61 61 e0", "a1 61 61 f0", "a1 61 61 f8 20",
        "a1 61 61 fc", "a1 61 61 fe", "fc",
    };
    for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
        assert_refused(docs[i], NULL);
}

static void test_output_limit(void **state)
{
    struct gy_buf buf;
    struct gy_jw w;
    const char *why = NULL;
    gy_buf_init(&buf, 8);
    gy_jw_init(&w, &buf);
    assert_int_equal(gy_cbor_to_json(arena, unhex("a1 61 61 44 00010203"), GY_CBOR_RPCV2, &w, &why),
                     GY_ETOOBIG);
    assert_non_null(why);
    gy_buf_fini(&buf);
}

/* ---- JSON -> CBOR with real models ---- */

/* Encode, compare the bytes when expected, decode, compare the JSON. */
static void round_trip(const char *svc, const char *shape, const char *json,
                       enum gy_cbor_dialect dialect, const char *want_hex, const char *want_json)
{
    struct gy_str cbor;
    assert_int_equal(encode(svc, shape, json, dialect, &cbor), 0);
    if (want_hex)
        assert_string_equal(tohex(cbor), tohex(unhex(want_hex)));
    const char *back, *why;
    if (decode(cbor, dialect, &back, &why))
        fail_msg("%s: own encoding refused: %s", json, why);
    assert_string_equal(back, want_json ? want_json : json);
}

static void test_from_json_cloudwatch(void **state)
{
    /* Byte-identical to what cbor2 writes for the same document (as botocore sends it). */
    round_trip("cloudwatch", "PutMetricDataInput",
               "{\"Namespace\":\"N\",\"MetricData\":[{\"MetricName\":\"m\",\"Value\":1.5,"
               "\"Timestamp\":1704067200}]}",
               GY_CBOR_RPCV2,
               "a2694e616d657370616365614e6a4d65747269634461746181a36a4d65747269634e616d6561"
               "6d6556616c7565fb3ff80000000000006954696d657374616d70c11a65920080",
               NULL);
    /* Doubles stay float64 even when whole; integers are integers; fractional timestamps
     * are float64 under tag 1; non-finite strings become floats and come back as strings;
     * nulls are omitted. */
    round_trip("cloudwatch", "PutMetricDataInput",
               "{\"Namespace\":\"N\",\"MetricData\":[{\"MetricName\":\"m\",\"Values\":[1,2.5],"
               "\"Counts\":[3],\"StorageResolution\":60,\"Timestamp\":1704067200.25,"
               "\"Value\":\"NaN\",\"Unit\":null,\"Dimensions\":[{\"Name\":\"d\",\"Value\":\"v\"}],"
               "\"StatisticValues\":{\"SampleCount\":2,\"Sum\":\"-Infinity\",\"Minimum\":0,"
               "\"Maximum\":\"Infinity\"}}]}",
               GY_CBOR_RPCV2,
               "a2 69 4e616d657370616365 61 4e 6a 4d6574726963446174 61 81 a8"
               " 6a 4d65747269634e616d65 61 6d"
               " 66 56616c756573 82 fb 3ff0000000000000 fb 4004000000000000"
               " 66 436f756e7473 81 fb 4008000000000000"
               " 71 53746f726167655265736f6c7574696f6e 18 3c"
               " 69 54696d657374616d70 c1 fb 41d9648020100000"
               " 65 56616c7565 fb 7ff8000000000000"
               " 6a 44696d656e73696f6e73 81 a2 64 4e616d65 61 64 65 56616c7565 61 76"
               " 6f 53746174697374696356616c756573 a4 6b 53616d706c65436f756e74 fb 4000000000000000"
               " 63 53756d fb fff0000000000000 67 4d696e696d756d fb 0000000000000000"
               " 67 4d6178696d756d fb 7ff0000000000000",
               "{\"Namespace\":\"N\",\"MetricData\":[{\"MetricName\":\"m\",\"Values\":[1,2.5],"
               "\"Counts\":[3],\"StorageResolution\":60,\"Timestamp\":1704067200.25,"
               "\"Value\":\"NaN\",\"Dimensions\":[{\"Name\":\"d\",\"Value\":\"v\"}],"
               "\"StatisticValues\":{\"SampleCount\":2,\"Sum\":\"-Infinity\",\"Minimum\":0,"
               "\"Maximum\":\"Infinity\"}}]}");
}

static void test_from_json_kinesis(void **state)
{
    /* A blob is a byte string (cbor2 wrote the expected bytes with b"hello"). */
    round_trip("kinesis", "PutRecordInput",
               "{\"StreamName\":\"s\",\"Data\":\"aGVsbG8=\",\"PartitionKey\":\"pk\"}", GY_CBOR_AMZ,
               "a36a53747265616d4e616d65617364446174614568656c6c6f6c506172746974696f6e4b6579"
               "62706b",
               NULL);
    /* GetRecords as the Java SDK reads it: timestamps are tag 1 + integer milliseconds. */
    const char *out = "{\"Records\":[{\"SequenceNumber\":\"4959\",\"ApproximateArrivalTimestamp\":"
                      "1459799926.48,\"Data\":\"AAH/\",\"PartitionKey\":\"p\"}],"
                      "\"NextShardIterator\":\"it\",\"MillisBehindLatest\":0}";
    struct gy_str cbor;
    assert_int_equal(encode("kinesis", "GetRecordsOutput", out, GY_CBOR_AMZ, &cbor), 0);
    assert_non_null(strstr(tohex(cbor), "c11b00000153e2db26d0"));
    assert_non_null(strstr(tohex(cbor), "6444617461430001ff"));
    round_trip("kinesis", "GetRecordsOutput", out, GY_CBOR_AMZ, NULL, NULL);
    /* The same output in rpc-v2 form carries seconds as float64. */
    assert_int_equal(encode("kinesis", "GetRecordsOutput", out, GY_CBOR_RPCV2, &cbor), 0);
    assert_non_null(strstr(tohex(cbor), "c1fb41d5c0b1dd9eb852"));
    round_trip("kinesis", "GetRecordsOutput", out, GY_CBOR_RPCV2, NULL, NULL);
    /* An empty blob, and AT_TIMESTAMP input in whole seconds. */
    round_trip("kinesis", "PutRecordInput",
               "{\"StreamName\":\"s\",\"Data\":\"\",\"PartitionKey\":\"pk\"}", GY_CBOR_AMZ, NULL,
               NULL);
    round_trip("kinesis", "GetShardIteratorInput",
               "{\"StreamName\":\"s\",\"ShardId\":\"shardId-000000000000\","
               "\"ShardIteratorType\":\"AT_TIMESTAMP\",\"Timestamp\":1459799926}",
               GY_CBOR_AMZ, NULL, NULL);
}

static void test_from_json_bad_blob(void **state)
{
    static const char *const bad[] = {"\"abc\"",  "\"ab=c\"",    "\"a===\"",
                                      "\"ab!c\"", "\"aGVsbG8\"", "\"=AAA\""};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char json[128];
        struct gy_str cbor;
        snprintf(json, sizeof(json), "{\"StreamName\":\"s\",\"Data\":%s}", bad[i]);
        assert_int_equal(encode("kinesis", "PutRecordInput", json, GY_CBOR_AMZ, &cbor), GY_EINVAL);
    }
}

static void test_from_json_untyped(void **state)
{
    /* No model: every JSON type, with integers at the int64/uint64 edges. */
    round_trip(NULL, NULL,
               "{\"s\":\"x\",\"i\":-9007199254740992,\"u\":18446744073709549568,\"f\":0.5,"
               "\"t\":true,\"n\":false,\"a\":[1,null,{}],\"o\":{\"k\":[]},\"NaN\":\"NaN\"}",
               GY_CBOR_RPCV2,
               "a9 61 73 61 78 61 69 3b 001fffffffffffff 61 75 1b fffffffffffff800"
               " 61 66 fb 3fe0000000000000 61 74 f5 61 6e f4 61 61 83 01 f6 a0"
               " 61 6f a1 61 6b 80 63 4e614e 63 4e614e",
               NULL);
    /* Members the model does not know are encoded by JSON type. */
    round_trip("kinesis", "PutRecordInput", "{\"StreamName\":\"s\",\"Extra\":{\"Data\":\"AA==\"}}",
               GY_CBOR_AMZ,
               "a2 6a 53747265616d4e616d65 61 73 65 4578747261 a1 64 44617461 64 41413d3d", NULL);
}

static void test_from_json_limit(void **state)
{
    struct gy_buf out;
    const struct gy_model_service *svc = gy_model_find("kinesis");
    gy_buf_init(&out, 16);
    assert_int_equal(gy_cbor_from_json(svc, gy_model_shape_find(svc, "PutRecordInput"),
                                       parse("{\"StreamName\":\"a-long-stream-name\"}"),
                                       GY_CBOR_AMZ, &out),
                     GY_ETOOBIG);
    gy_buf_fini(&out);
}

static void test_error_body(void **state)
{
    struct gy_buf out;
    gy_buf_init(&out, 1024);
    assert_int_equal(gy_cbor_error("ResourceNotFoundException", "Stream s not found", &out), 0);
    const char *json, *why;
    assert_int_equal(decode(gy_buf_str(&out), GY_CBOR_AMZ, &json, &why), 0);
    assert_string_equal(
        json, "{\"__type\":\"ResourceNotFoundException\",\"message\":\"Stream s not found\"}");
    gy_buf_reset(&out);
    assert_int_equal(gy_cbor_error("com.amazonaws.cloudwatch#ResourceNotFound", NULL, &out), 0);
    assert_int_equal(decode(gy_buf_str(&out), GY_CBOR_RPCV2, &json, &why), 0);
    assert_string_equal(json, "{\"__type\":\"com.amazonaws.cloudwatch#ResourceNotFound\"}");
    gy_buf_fini(&out);
    gy_buf_init(&out, 4);
    assert_int_equal(gy_cbor_error("X", "m", &out), GY_ETOOBIG);
    gy_buf_fini(&out);
    assert_string_equal(gy_cbor_content_type(GY_CBOR_RPCV2), "application/cbor");
    assert_string_equal(gy_cbor_content_type(GY_CBOR_AMZ), "application/x-amz-cbor-1.1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_empty_body, setup, teardown),
        cmocka_unit_test_setup_teardown(test_integers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_floats, setup, teardown),
        cmocka_unit_test_setup_teardown(test_strings_and_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_simple_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nested_containers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_indefinite_lengths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timestamps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated_everywhere, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trailing_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_breaks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_chunks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deep_nesting, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_types, setup, teardown),
        cmocka_unit_test_setup_teardown(test_big_map_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_top_level_not_map, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_utf8, setup, teardown),
        cmocka_unit_test_setup_teardown(test_huge_declared_lengths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tags, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reserved_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_output_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_from_json_cloudwatch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_from_json_kinesis, setup, teardown),
        cmocka_unit_test_setup_teardown(test_from_json_bad_blob, setup, teardown),
        cmocka_unit_test_setup_teardown(test_from_json_untyped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_from_json_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_body, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

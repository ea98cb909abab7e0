/*
 * test_core.c — unit tests for src/core: arena, bounded buffers, UTF-8 validation, the JSON
 * wrapper's extra checks and writer, and the hybrid logical clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "core/errors.h"
#include "core/hlc.h"
#include "core/json.h"
#include "core/str.h"

static int cleanups;

static void count_cleanup(void *arg)
{
    cleanups += *(int *)arg;
}

static void test_arena_alloc_align_cleanup(void **state)
{
    struct gy_arena *a = gy_arena_create(256);
    int one = 1, ten = 10;
    cleanups = 0;
    for (int i = 0; i < 1000; i++) {
        void *p = gy_arena_alloc(a, (size_t)(i % 97) + 1);
        assert_int_equal((uintptr_t)p % 16, 0);
        memset(p, 0xab, (size_t)(i % 97) + 1);
    }
    void *big = gy_arena_alloc(a, 100000); /* its own block */
    memset(big, 1, 100000);
    gy_arena_add_cleanup(a, count_cleanup, &one);
    gy_arena_add_cleanup(a, count_cleanup, &ten);
    gy_arena_reset(a);
    assert_int_equal(cleanups, 11);
    assert_int_equal(gy_arena_used(a), 0);
    char *s = gy_arena_printf(a, "%s-%d", "x", 42);
    assert_string_equal(s, "x-42");
    int *z = gy_arena_calloc(a, 10, sizeof(int));
    for (int i = 0; i < 10; i++)
        assert_int_equal(z[i], 0);
    gy_arena_destroy(a);
    assert_int_equal(cleanups, 11);
}

static void test_buf_limits(void **state)
{
    struct gy_buf b;
    gy_buf_init(&b, 10);
    assert_int_equal(gy_buf_puts(&b, "hello"), 0);
    assert_int_equal(gy_buf_puts(&b, "world"), 0);
    assert_int_equal(b.len, 10);
    assert_int_equal(gy_buf_putc(&b, '!'), GY_ETOOBIG);
    assert_true(b.oom);
    assert_int_equal(b.len, 10); /* unchanged */
    assert_memory_equal(b.p, "helloworld", 10);
    gy_buf_reset(&b);
    assert_int_equal(gy_buf_printf(&b, "%05d", 42), 0);
    assert_string_equal(b.p, "00042");
    assert_int_equal(gy_buf_printf(&b, "%s", "0123456789"), GY_ETOOBIG);
    assert_string_equal(b.p, "00042");
    gy_buf_fini(&b);
}

static void test_utf8(void **state)
{
    assert_true(gy_utf8_valid("caf\xc3\xa9", 5));
    assert_true(gy_utf8_valid("\xf0\x9f\x98\x80", 4));
    assert_false(gy_utf8_valid("\xff", 1));
    assert_false(gy_utf8_valid("\xc0\xaf", 2));         /* overlong */
    assert_false(gy_utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
    assert_false(gy_utf8_valid("\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
    assert_false(gy_utf8_valid("\xe2\x82", 2));         /* truncated */
}

static void test_json_parse_checks(void **state)
{
    struct gy_arena *a = gy_arena_create(1024);
    const struct gy_json *j;
    const char *why;
    assert_int_equal(gy_json_parse(a, "{\"a\":1}", 7, &j, &why), 0);
    int64_t v;
    assert_true(gy_json_int(gy_json_get(j, "a"), &v));
    assert_int_equal(v, 1);
    assert_int_equal(gy_json_parse(a, "{\"a\":1} x", 9, &j, &why), GY_EINVAL);
    assert_string_equal(why, "trailing data after JSON value");
    assert_int_equal(gy_json_parse(a, "{\"a\":1,\"a\":2}", 13, &j, &why), GY_EINVAL);
    assert_string_equal(why, "duplicate key in object");
    /* U+0000 in strings and keys: kept, with the true length. */
    const char *nul = "{\"a\\u0000b\":\"x\\u0000y\\u0000\",\"a\":[\"\\u0000\"],\"c\":\"\\\\u0000\"}";
    assert_int_equal(gy_json_parse(a, nul, strlen(nul), &j, &why), 0);
    const struct gy_json *m = gy_json_child(j);
    assert_int_equal(gy_json_key(m).len, 3);
    assert_memory_equal(gy_json_key(m).p, "a\0b", 3);
    assert_int_equal(gy_json_str(m).len, 4);
    assert_memory_equal(gy_json_str(m).p, "x\0y\0", 4);
    assert_int_equal(gy_json_str(gy_json_child(gy_json_get(j, "a"))).len, 1);
    assert_string_equal(gy_json_str(gy_json_get(j, "c")).p, "\\u0000"); /* escaped backslash */
    /* Keys that differ only after a U+0000 are distinct; equal ones are duplicates. */
    const char *d1 = "{\"k\\u0000a\":1,\"k\\u0000b\":2,\"k\":3}";
    assert_int_equal(gy_json_parse(a, d1, strlen(d1), &j, &why), 0);
    assert_int_equal(gy_json_count(j), 3);
    const char *d2 = "{\"k\\u0000a\":1,\"k\\u0000a\":2}";
    assert_int_equal(gy_json_parse(a, d2, strlen(d2), &j, &why), GY_EINVAL);
    assert_int_equal(gy_json_parse(a, "{\"a\":\"\\\\u0000\"}", 15, &j, &why), 0); /* escaped backslash */
    assert_int_equal(gy_json_parse(a, "{\"a\":\"\xff\"}", 8, &j, &why), GY_EINVAL);
    assert_int_equal(gy_json_parse(a, "{\"a\":", 5, &j, &why), GY_EINVAL);
    assert_int_equal(gy_json_parse(a, "{} \n", 4, &j, &why), 0);
    gy_arena_destroy(a);
}

/* Objects past the pairwise threshold take the sorted path; nested ones share its scratch. */
static void test_json_duplicates_large_objects(void **state)
{
    struct gy_arena *a = gy_arena_create(1024);
    const struct gy_json *j;
    const char *why;
    struct gy_buf b;
    gy_buf_init(&b, 1 << 20);
    for (int dup = -1; dup < 500; dup += 100) {
        gy_buf_reset(&b);
        gy_buf_puts(&b, "{\"x\":[{\"inner\":1},{");
        for (int i = 0; i < 500; i++)
            gy_buf_printf(&b, "%s\"k%d\":%d", i ? "," : "", i, i);
        if (dup >= 0)
            gy_buf_printf(&b, ",\"k%d\":0", dup);
        gy_buf_puts(&b, "}],\"y\":{\"a\":1,\"b\":2}}");
        int rc = gy_json_parse(a, b.p, b.len, &j, &why);
        assert_int_equal(rc, dup >= 0 ? GY_EINVAL : 0);
        if (dup >= 0)
            assert_string_equal(why, "duplicate key in object");
    }
    /* A key that is a prefix of another is not a duplicate. */
    gy_buf_reset(&b);
    gy_buf_puts(&b, "{");
    for (int i = 0; i < 40; i++)
        gy_buf_printf(&b, "%s\"%.*s\":1", i ? "," : "", i + 1, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    gy_buf_puts(&b, "}");
    assert_int_equal(gy_json_parse(a, b.p, b.len, &j, &why), 0);
    gy_buf_fini(&b);
    gy_arena_destroy(a);
}

static void test_json_writer(void **state)
{
    struct gy_buf b;
    struct gy_jw w;
    gy_buf_init(&b, 1 << 16);
    gy_jw_init(&w, &b);
    gy_jw_obj_begin(&w);
    gy_jw_key(&w, "s");
    gy_jw_str(&w, (struct gy_str){ "a\"b\\c\n\x01", 7 });
    gy_jw_key(&w, "l");
    gy_jw_arr_begin(&w);
    gy_jw_int(&w, -5);
    gy_jw_bool(&w, true);
    gy_jw_null(&w);
    gy_jw_double(&w, 1.5);
    gy_jw_arr_end(&w);
    gy_jw_key(&w, "o");
    gy_jw_obj_begin(&w);
    gy_jw_obj_end(&w);
    gy_jw_obj_end(&w);
    assert_int_equal(w.err, 0);
    assert_string_equal(b.p, "{\"s\":\"a\\\"b\\\\c\\n\\u0001\",\"l\":[-5,true,null,1.5],\"o\":{}}");
    gy_buf_fini(&b);

    gy_buf_init(&b, 8);
    gy_jw_init(&w, &b);
    gy_jw_cstr(&w, "0123456789");
    assert_int_equal(w.err, GY_ETOOBIG);
    gy_buf_fini(&b);
}

static void test_hlc_monotonic(void **state)
{
    struct gy_hlc h = { 0 };
    uint64_t last = 0;
    for (int i = 0; i < 100000; i++) {
        uint64_t t = gy_hlc_next(&h);
        assert_true(t > last);
        last = t;
    }
    /* A stamp from a peer far in the future: the clock moves past it. */
    uint64_t future = last + ((uint64_t)3600000 << 16);
    gy_hlc_observe(&h, future);
    assert_true(gy_hlc_next(&h) > future);
    assert_true(gy_hlc_ms(future) > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arena_alloc_align_cleanup),
        cmocka_unit_test(test_buf_limits),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_json_parse_checks),
        cmocka_unit_test(test_json_duplicates_large_objects),
        cmocka_unit_test(test_json_writer),
        cmocka_unit_test(test_hlc_monotonic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_timefmt.c — ISO 8601 and HTTP-date texts (src/core/timefmt.c) and strict base64
 * (src/core/base64.c): round trips, offsets, fractions, leap days, and malformed texts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "core/base64.h"
#include "core/timefmt.h"

static int64_t iso(const char *s)
{
    int64_t ms = -1;
    assert_int_equal(gy_time_parse_iso8601(gy_str_c(s), &ms), 0);
    return ms;
}

static void test_iso8601(void **state)
{
    assert_int_equal(iso("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(iso("2024-01-01T00:00:00Z"), 1704067200000LL);
    assert_int_equal(iso("2024-01-01T00:00:00.5Z"), 1704067200500LL);
    assert_int_equal(iso("2024-01-01T00:00:00.123456Z"), 1704067200123LL);
    assert_int_equal(iso("2024-01-01T01:00:00+01:00"), 1704067200000LL);
    assert_int_equal(iso("2023-12-31T23:00:00-0100"), 1704067200000LL);
    assert_int_equal(iso("2024-02-29"), 1709164800000LL);
    assert_int_equal(iso("2024-01-01t00:00:00z"), 1704067200000LL);
    static const char *bad[] = {
        "", "2024", "2024-13-01T00:00:00Z", "2023-02-29T00:00:00Z", "2024-01-01T24:00:00Z",
        "2024-01-01T00:00:00", "2024-01-01T00:00:00.Z", "2024-01-01 00:00:00Z",
        "2024-01-01T00:00:00+25:00", "2024-01-01T00:00:00Zjunk", "2024-1-01T00:00:00Z",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int64_t ms;
        if (gy_time_parse_iso8601(gy_str_c(bad[i]), &ms) == 0)
            fail_msg("accepted %s", bad[i]);
    }
    char out[GY_TIME_ISO_MAX];
    gy_time_format_iso8601(1704067200123LL, out);
    assert_string_equal(out, "2024-01-01T00:00:00.123Z");
    gy_time_format_iso8601(0, out);
    assert_string_equal(out, "1970-01-01T00:00:00.000Z");
}

static void test_http_date(void **state)
{
    int64_t ms;
    assert_int_equal(gy_time_parse_http_date(GY_STR("Mon, 01 Jan 2024 00:00:00 GMT"), &ms), 0);
    assert_int_equal(ms, 1704067200000LL);
    char out[30];
    gy_time_format_http_date(ms, out);
    assert_string_equal(out, "Mon, 01 Jan 2024 00:00:00 GMT");
    assert_int_not_equal(gy_time_parse_http_date(GY_STR("Mon, 01 Foo 2024 00:00:00 GMT"), &ms), 0);
    assert_int_not_equal(gy_time_parse_http_date(GY_STR("Mon, 01 Jan 2024 00:00:00 UTC"), &ms), 0);
}

static void test_base64(void **state)
{
    struct gy_arena *a = gy_arena_create(1024);
    unsigned char all[256];
    for (int i = 0; i < 256; i++)
        all[i] = (unsigned char)i;
    for (size_t n = 0; n <= sizeof(all); n++) {
        struct gy_str enc = gy_base64_encode_arena(a, all, n), dec;
        assert_int_equal(enc.len, gy_base64_encoded_len(n));
        assert_int_equal(gy_base64_decode(a, enc, &dec, NULL), GY_BASE64_OK);
        assert_int_equal(dec.len, n);
        assert_memory_equal(dec.p, all, n);
    }
    struct gy_str out;
    char bad;
    assert_int_equal(gy_base64_decode(a, GY_STR("abc"), &out, NULL), GY_BASE64_BAD_LENGTH);
    assert_int_equal(gy_base64_decode(a, GY_STR("ab!="), &out, &bad), GY_BASE64_BAD_CHAR);
    assert_int_equal(bad, '!');
    assert_int_equal(gy_base64_decode(a, GY_STR("a=bc"), &out, &bad), GY_BASE64_BAD_CHAR);
    assert_int_equal(gy_base64_decode(a, GY_STR("aGk="), &out, NULL), GY_BASE64_OK);
    assert_int_equal(gy_base64_decode(a, GY_STR("aGl="), &out, NULL), GY_BASE64_NOT_CANONICAL);
    gy_arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iso8601),
        cmocka_unit_test(test_http_date),
        cmocka_unit_test(test_base64),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

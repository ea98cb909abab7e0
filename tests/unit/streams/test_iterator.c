/*
 * test_iterator.c — shard iterator tokens (src/streams/iterator.c): exact round trip, that
 * every single-character change, truncation, extension, another key or a foreign format is
 * rejected, canonical base64 only, name bounds, and the expiry rule at its boundary.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "streams/streams_int.h"

static const unsigned char key_a[GY_STREAMS_KEY_LEN] = "0123456789abcdef0123456789abcdef";
static const unsigned char key_b[GY_STREAMS_KEY_LEN] = "0123456789abcdef0123456789abcdeF";

static struct gy_streams_iter sample(void)
{
    struct gy_streams_iter it;
    memset(&it, 0, sizeof(it));
    it.table_id = 0x01020304u;
    it.stream_created_ms = 1764039906517LL;
    it.shard_start = 42;
    it.position = 1234567890123ULL;
    it.issued_ms = 1764039999000LL;
    snprintf(it.table, sizeof(it.table), "%s", "orders.v2-test_1");
    return it;
}

static int encode(const unsigned char *key, const struct gy_streams_iter *it, char *out)
{
    return gy_streams__iter_encode(key, it, out, GY_STREAMS_ITER_MAX);
}

static void test_round_trip(void **state)
{
    char tok[GY_STREAMS_ITER_MAX];
    struct gy_streams_iter it = sample(), back;
    int n = encode(key_a, &it, tok);
    /* 38 header bytes + 16 name bytes + 32 MAC bytes = 86 bytes -> 115 base64url chars. */
    assert_int_equal(n, 115);
    assert_int_equal(strlen(tok), 115);
    assert_null(strpbrk(tok, "+/="));
    assert_int_equal(gy_streams__iter_decode(key_a, (struct gy_str){tok, (size_t)n}, &back), 0);
    assert_int_equal(back.table_id, 0x01020304u);
    assert_int_equal(back.stream_created_ms, 1764039906517LL);
    assert_int_equal(back.shard_start, 42);
    assert_int_equal(back.position, 1234567890123ULL);
    assert_int_equal(back.issued_ms, 1764039999000LL);
    assert_string_equal(back.table, "orders.v2-test_1");
}

static void test_deterministic_and_distinct(void **state)
{
    char t1[GY_STREAMS_ITER_MAX], t2[GY_STREAMS_ITER_MAX];
    struct gy_streams_iter it = sample();
    encode(key_a, &it, t1);
    encode(key_a, &it, t2);
    assert_string_equal(t1, t2);
    it.position++;
    encode(key_a, &it, t2);
    assert_string_not_equal(t1, t2);
}

static void test_every_char_change_rejected(void **state)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char tok[GY_STREAMS_ITER_MAX], bad[GY_STREAMS_ITER_MAX];
    struct gy_streams_iter it = sample(), back;
    int n = encode(key_a, &it, tok);
    for (int i = 0; i < n; i++) {
        for (int c = 0; c < 64; c += 7) {
            if (alphabet[c] == tok[i])
                continue;
            memcpy(bad, tok, (size_t)n + 1);
            bad[i] = alphabet[c];
            assert_int_equal(gy_streams__iter_decode(key_a, (struct gy_str){bad, (size_t)n}, &back),
                             GY_EINVAL);
        }
    }
}

static void test_truncated_extended_foreign(void **state)
{
    char tok[GY_STREAMS_ITER_MAX], ext[GY_STREAMS_ITER_MAX + 8];
    struct gy_streams_iter it = sample(), back;
    int n = encode(key_a, &it, tok);
    for (int len = 0; len < n; len++)
        assert_int_equal(gy_streams__iter_decode(key_a, (struct gy_str){tok, (size_t)len}, &back),
                         GY_EINVAL);
    snprintf(ext, sizeof(ext), "%sA", tok);
    assert_int_equal(gy_streams__iter_decode(key_a, (struct gy_str){ext, (size_t)n + 1}, &back),
                     GY_EINVAL);
    snprintf(ext, sizeof(ext), "%sAAAA", tok);
    assert_int_equal(gy_streams__iter_decode(key_a, (struct gy_str){ext, (size_t)n + 4}, &back),
                     GY_EINVAL);
    /* Made under another secret (another region or data directory). */
    assert_int_equal(gy_streams__iter_decode(key_b, (struct gy_str){tok, (size_t)n}, &back),
                     GY_EINVAL);
    /* Standard base64 characters, padding, NULL and garbage. */
    assert_int_equal(gy_streams__iter_decode(key_a, GY_STR("AQAA+/=="), &back), GY_EINVAL);
    assert_int_equal(gy_streams__iter_decode(key_a, GY_STR_NULL, &back), GY_EINVAL);
    assert_int_equal(gy_streams__iter_decode(key_a, GY_STR("not an iterator at all"), &back),
                     GY_EINVAL);
}

static void test_non_canonical_tail_rejected(void **state)
{
    /* 86 bytes end in a 2-byte group: 3 characters, 2 unused bits that must stay zero. */
    char tok[GY_STREAMS_ITER_MAX];
    struct gy_streams_iter it = sample(), back;
    int n = encode(key_a, &it, tok);
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    int v = (int)(strchr(alphabet, tok[n - 1]) - alphabet);
    assert_int_equal(v & 3, 0);
    for (int low = 1; low < 4; low++) {
        tok[n - 1] = alphabet[v | low];
        assert_int_equal(gy_streams__iter_decode(key_a, (struct gy_str){tok, (size_t)n}, &back),
                         GY_EINVAL);
    }
}

static void test_name_bounds(void **state)
{
    char tok[GY_STREAMS_ITER_MAX];
    struct gy_streams_iter it = sample(), back;
    it.table[0] = '\0';
    assert_int_equal(encode(key_a, &it, tok), GY_EINVAL);
    memset(it.table, 'x', 255);
    it.table[255] = '\0';
    int n = encode(key_a, &it, tok);
    assert_true(n > 0 && n < GY_STREAMS_ITER_MAX);
    assert_int_equal(gy_streams__iter_decode(key_a, (struct gy_str){tok, (size_t)n}, &back), 0);
    assert_int_equal(strlen(back.table), 255);
    /* Too small an output buffer is refused rather than overrun. */
    assert_int_equal(gy_streams__iter_encode(key_a, &it, tok, 64), GY_EINVAL);
}

static void test_expiry(void **state)
{
    struct gy_streams_iter it = sample();
    int64_t ttl = GY_STREAMS_ITER_TTL_MS;
    assert_int_equal(ttl, 900000);
    assert_false(gy_streams__iter_expired(&it, it.issued_ms, ttl));
    assert_false(gy_streams__iter_expired(&it, it.issued_ms + ttl, ttl));
    assert_true(gy_streams__iter_expired(&it, it.issued_ms + ttl + 1, ttl));
    assert_false(gy_streams__iter_expired(&it, it.issued_ms + 999, 1000));
    assert_true(gy_streams__iter_expired(&it, it.issued_ms + 1001, 1000));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_deterministic_and_distinct),
        cmocka_unit_test(test_every_char_change_rejected),
        cmocka_unit_test(test_truncated_extended_foreign),
        cmocka_unit_test(test_non_canonical_tail_rejected),
        cmocka_unit_test(test_name_bounds),
        cmocka_unit_test(test_expiry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

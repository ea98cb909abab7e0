/*
 * test_hashkey.c — Kinesis's number arithmetic: 128-bit hash keys (decimal parse and format
 * at the edges, MD5 of partition keys, AWS's even split for every shard count up to 64 and
 * for large ones), sequence numbers (format, parse, ordering as decimals within and across
 * shards, rejection of foreign text) and shard ids. src/kinesis/hashkey.c, seqnum.c, meta.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kinesis/kinesis_int.h"

#define MAX_TEXT "340282366920938463463374607431768211455"

static const unsigned __int128 U128_MAX = ~(unsigned __int128)0;

static unsigned __int128 parse(const char *s)
{
    unsigned __int128 v = 0;
    assert_int_equal(gy_kin__hash_parse(gy_str_c(s), &v), 0);
    return v;
}

static void assert_text(unsigned __int128 v, const char *want)
{
    char b[40];
    size_t n = gy_kin__hash_format(v, b);
    assert_string_equal(b, want);
    assert_int_equal(n, strlen(want));
}

static void test_parse_format_edges(void **state)
{
    (void)state;
    assert_text(parse("0"), "0");
    assert_text(parse("1"), "1");
    assert_text(parse(MAX_TEXT), MAX_TEXT);
    assert_true(parse(MAX_TEXT) == U128_MAX);
    assert_text(parse("170141183460469231731687303715884105728"),
                "170141183460469231731687303715884105728"); /* 2^127 */
    assert_true(parse("170141183460469231731687303715884105728") == (unsigned __int128)1 << 127);
    unsigned __int128 v;
    assert_int_equal(gy_kin__hash_parse(GY_STR("340282366920938463463374607431768211456"), &v),
                     GY_ETOOBIG);
    assert_int_equal(gy_kin__hash_parse(GY_STR("999999999999999999999999999999999999999999"), &v),
                     GY_ETOOBIG);
    assert_int_equal(gy_kin__hash_parse(GY_STR("-1"), &v), GY_EINVAL);
    assert_int_equal(gy_kin__hash_parse(GY_STR("12a"), &v), GY_EINVAL);
    assert_int_equal(gy_kin__hash_parse(GY_STR(""), &v), GY_EINVAL);
    /* Storage form round-trips and sorts as the numbers do. */
    unsigned char a[16], b[16];
    gy_kin__hash_put(a, parse("255"));
    gy_kin__hash_put(b, parse("256"));
    assert_true(memcmp(a, b, 16) < 0);
    assert_true(gy_kin__hash_get(b) == 256);
    gy_kin__hash_put(a, U128_MAX);
    assert_true(gy_kin__hash_get(a) == U128_MAX);
}

static void test_md5_of_partition_key(void **state)
{
    (void)state;
    /* MD5("") = d41d8cd98f00b204e9800998ecf8427e, read as a big-endian integer. */
    assert_text(gy_kin__hash_of_key(GY_STR("")), "281949768489412648962353822266799178366");
    /* MD5("a") = 0cc175b9c0f1b6a831c399e269772661. */
    assert_text(gy_kin__hash_of_key(GY_STR("a")), "16955237001963240173058271559858726497");
}

/* For each n: ranges are contiguous, cover [0, 2^128-1], and equal floor(2^128/n) but the last. */
static void test_even_split(void **state)
{
    (void)state;
    for (uint32_t n = 1; n <= 64; n++) {
        unsigned __int128 prev_end = 0, s, e, step = 0;
        for (uint32_t i = 0; i < n; i++) {
            gy_kin__hash_split(n, i, &s, &e);
            if (i == 0) {
                assert_true(s == 0);
                step = e + 1;
            } else {
                assert_true(s == prev_end + 1);
            }
            if (i + 1 < n)
                assert_true(e - s + 1 == step);
            prev_end = e;
        }
        assert_true(prev_end == U128_MAX);
        /* step = floor(2^128 / n): n * step <= 2^128 < n * (step + 1). */
        if (n > 1) {
            unsigned __int128 rest = U128_MAX - step * (n - 1); /* 2^128 - 1 - (n-1) step */
            assert_true(rest >= step - 1);     /* n * step <= 2^128 */
            assert_true(rest < step + n - 1);  /* 2^128 < n * (step + 1) */
        }
    }
    unsigned __int128 s, e;
    gy_kin__hash_split(3, 0, &s, &e);
    assert_text(e, "113427455640312821154458202477256070484");
    gy_kin__hash_split(3, 1, &s, &e);
    assert_text(s, "113427455640312821154458202477256070485");
    gy_kin__hash_split(2, 0, &s, &e);
    assert_text(e, "170141183460469231731687303715884105727");
    gy_kin__hash_split(1, 0, &s, &e);
    assert_true(s == 0 && e == U128_MAX);
    gy_kin__hash_split(10000, 9999, &s, &e);
    assert_true(e == U128_MAX && s < e);
}

static void seq_text(uint32_t stream, uint32_t shard, uint64_t pos, int64_t t, char *out)
{
    gy_kin__seq_format(&(struct gy_kin_seq){stream, shard, pos, t}, out);
    assert_int_equal(strlen(out), GY_KIN_SEQ_LEN);
}

static void test_sequence_numbers(void **state)
{
    (void)state;
    char a[GY_KIN_SEQ_LEN + 1], b[GY_KIN_SEQ_LEN + 1], c[GY_KIN_SEQ_LEN + 1];
    struct gy_kin_seq s;
    seq_text(7, 3, 1, 1764039906517LL, a);
    assert_int_equal(gy_kin__seq_parse(gy_str_c(a), &s), 0);
    assert_int_equal(s.stream_id, 7);
    assert_int_equal(s.shard, 3);
    assert_int_equal(s.position, 1);
    assert_int_equal(s.time_ms, 1764039906517LL);
    assert_true(gy_kin__seq_valid(gy_str_c(a)));
    /* Within a shard: position order is decimal order, whatever the times. */
    seq_text(7, 3, 2, 1000, b);
    assert_true(gy_kin__seq_cmp(gy_str_c(a), gy_str_c(b)) < 0);
    assert_true(strcmp(a, b) < 0);
    seq_text(7, 3, UINT64_MAX, 0, c);
    assert_true(gy_kin__seq_cmp(gy_str_c(b), gy_str_c(c)) < 0);
    assert_int_equal(gy_kin__seq_parse(gy_str_c(c), &s), 0);
    assert_true(s.position == UINT64_MAX);
    /* The shard's start (position 0) is below its records; the closed end is at or above. */
    seq_text(7, 3, 0, 1764039906517LL, b);
    assert_true(gy_kin__seq_cmp(gy_str_c(b), gy_str_c(a)) < 0);
    seq_text(7, 3, 1, GY_KIN_SEQ_END_TIME, b);
    assert_true(gy_kin__seq_cmp(gy_str_c(a), gy_str_c(b)) <= 0);
    /* Distinct across shards and streams. */
    seq_text(7, 4, 1, 1764039906517LL, b);
    seq_text(8, 3, 1, 1764039906517LL, c);
    assert_string_not_equal(a, b);
    assert_string_not_equal(a, c);
    /* Decimal comparison of unequal lengths. */
    assert_true(gy_kin__seq_cmp(GY_STR("9"), GY_STR("10")) < 0);
    assert_true(gy_kin__seq_cmp(GY_STR("10"), GY_STR("10")) == 0);
    /* Foreign or malformed text. */
    assert_int_equal(gy_kin__seq_parse(GY_STR("12345"), &s), GY_EINVAL);
    memcpy(b, a, sizeof(a));
    b[0] = '5';
    assert_int_equal(gy_kin__seq_parse(gy_str_c(b), &s), GY_EINVAL);
    memcpy(b, a, sizeof(a));
    b[20] = 'x';
    assert_int_equal(gy_kin__seq_parse(gy_str_c(b), &s), GY_EINVAL);
    memcpy(b, a, sizeof(a));
    memcpy(b + 2, "9999999999", 10); /* stream id above 2^32 - 1 */
    assert_int_equal(gy_kin__seq_parse(gy_str_c(b), &s), GY_EINVAL);
    memcpy(b, a, sizeof(a));
    memcpy(b + 22, "99999999999999999999", 20); /* position above 2^64 - 1 */
    assert_int_equal(gy_kin__seq_parse(gy_str_c(b), &s), GY_EINVAL);
    assert_false(gy_kin__seq_valid(GY_STR("012")));
    assert_true(gy_kin__seq_valid(GY_STR("0")));
    assert_false(gy_kin__seq_valid(GY_STR("")));
    assert_false(gy_kin__seq_valid(GY_STR("1e5")));
}

static void test_shard_ids(void **state)
{
    (void)state;
    char id[24];
    uint32_t idx;
    gy_kin__shard_id(0, id);
    assert_string_equal(id, "shardId-000000000000");
    gy_kin__shard_id(123, id);
    assert_string_equal(id, "shardId-000000000123");
    gy_kin__shard_id(UINT32_MAX, id);
    assert_string_equal(id, "shardId-004294967295");
    assert_int_equal(gy_kin__shard_id_parse(GY_STR("shardId-000000000123"), &idx), 0);
    assert_int_equal(idx, 123);
    assert_int_equal(gy_kin__shard_id_parse(GY_STR("7"), &idx), 0);
    assert_int_equal(idx, 7);
    assert_int_equal(gy_kin__shard_id_parse(GY_STR("shardId-"), &idx), GY_EINVAL);
    assert_int_equal(gy_kin__shard_id_parse(GY_STR("shardId-00000000000x"), &idx), GY_EINVAL);
    assert_int_equal(gy_kin__shard_id_parse(GY_STR("shardId-99999999999"), &idx), GY_EINVAL);
}

static const unsigned char key_a[GY_TOKEN_KEY_LEN] = "0123456789abcdef0123456789abcdef";
static const unsigned char key_b[GY_TOKEN_KEY_LEN] = "0123456789abcdef0123456789abcdeF";

static void test_iterator_tokens(void **state)
{
    (void)state;
    struct gy_kin_iter it = {.stream_id = 9, .shard = 4, .position = 77, .min_arrival_ms = 5,
                             .issued_ms = 1764039906517LL}, back;
    char tok[GY_KIN_ITER_MAX], bad[GY_KIN_ITER_MAX];
    memset(it.stream, 'n', GY_KIN_NAME_MAX);
    it.stream[GY_KIN_NAME_MAX] = '\0';
    int n = gy_kin__iter_encode(key_a, &it, tok, sizeof(tok));
    assert_true(n > 0 && n < GY_KIN_ITER_MAX);
    assert_int_equal(gy_kin__iter_decode(key_a, (struct gy_str){tok, (size_t)n}, &back), 0);
    assert_int_equal(back.stream_id, 9);
    assert_int_equal(back.shard, 4);
    assert_int_equal(back.position, 77);
    assert_int_equal(back.min_arrival_ms, 5);
    assert_int_equal(back.issued_ms, 1764039906517LL);
    assert_string_equal(back.stream, it.stream);
    assert_int_equal(gy_kin__iter_decode(key_b, (struct gy_str){tok, (size_t)n}, &back), GY_EINVAL);
    for (int i = 0; i < n; i++) {
        memcpy(bad, tok, (size_t)n);
        bad[i] = bad[i] == 'A' ? 'B' : 'A';
        assert_int_equal(gy_kin__iter_decode(key_a, (struct gy_str){bad, (size_t)n}, &back),
                         GY_EINVAL);
    }
    assert_int_equal(gy_kin__iter_decode(key_a, (struct gy_str){tok, (size_t)n - 1}, &back),
                     GY_EINVAL);
    it.stream[0] = '\0';
    assert_int_equal(gy_kin__iter_encode(key_a, &it, tok, sizeof(tok)), GY_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_format_edges),
        cmocka_unit_test(test_md5_of_partition_key),
        cmocka_unit_test(test_even_split),
        cmocka_unit_test(test_sequence_numbers),
        cmocka_unit_test(test_shard_ids),
        cmocka_unit_test(test_iterator_tokens),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_key.c — key bytes: exact layout, hash prefix, and the ordering property (memcmp order
 * of encodings == DynamoDB's order of the values within a partition) on random values.
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
#include "core/str.h"
#include "dynamodb/number.h"
#include "dynamodb/value.h"

static struct gy_ddb_value sval(enum gy_ddb_type t, const char *p, size_t len)
{
    struct gy_ddb_value v;
    v.type = t;
    v.u.s.p = p;
    v.u.s.len = len;
    return v;
}

static void expect_part(struct gy_ddb_value v, const char *bytes, size_t n)
{
    struct gy_buf b;
    gy_buf_init(&b, 4096);
    assert_int_equal(gy_ddb_key_encode_part(&b, &v), 0);
    assert_int_equal(b.len, n);
    assert_memory_equal(b.p, bytes, n);
    gy_buf_fini(&b);
}

static void test_layout(void **state)
{
    expect_part(sval(GY_DDB_S, "a", 1), "a\x00\x00", 3);
    expect_part(sval(GY_DDB_S, "", 0), "\x00\x00", 2);
    expect_part(sval(GY_DDB_S, "a\0", 2), "a\x00\xff\x00\x00", 5);
    expect_part(sval(GY_DDB_B, "\0\0", 2), "\x00\xff\x00\xff\x00\x00", 6);
    expect_part(sval(GY_DDB_B, "\xff\x01", 2), "\xff\x01\x00\x00", 4);

    /* N is number.c's key encoding. */
    struct gy_num x;
    uint8_t nk[GY_NUM_KEY_MAX];
    assert_int_equal(gy_num_parse("-12.5", 5, &x), 0);
    size_t nn = gy_num_key_encode(&x, nk);
    expect_part(sval(GY_DDB_N, "-12.5", 5), (const char *)nk, nn);

    /* Full key: hash64(pk) big-endian, enc(pk), enc(sk). MD5("Sa") = e55bb1ae59b6a648... */
    struct gy_ddb_value pk = sval(GY_DDB_S, "a", 1), sk = sval(GY_DDB_B, "\0", 1);
    assert_true(gy_ddb_key_hash(&pk) == 0xe55bb1ae59b6a648ULL);
    struct gy_ddb_value n1 = sval(GY_DDB_N, "1", 1), bk = sval(GY_DDB_B, "\0\xff", 2);
    assert_true(gy_ddb_key_hash(&n1) == 0x86bc43e556b1df28ULL);
    assert_true(gy_ddb_key_hash(&bk) == 0xb707a708dcf64743ULL);
    struct gy_ddb_value es = sval(GY_DDB_S, "", 0);
    assert_true(gy_ddb_key_hash(&es) == 0x5dbc98dcc983a707ULL);

    struct gy_buf b;
    gy_buf_init(&b, 4096);
    assert_int_equal(gy_ddb_key_encode(&b, &pk, &sk), 0);
    assert_int_equal(b.len, 8 + 3 + 4);
    assert_memory_equal(b.p, "\xe5\x5b\xb1\xae\x59\xb6\xa6\x48" "a\x00\x00" "\x00\xff\x00\x00", 15);

    /* The partition prefix is a prefix of every key of the partition. */
    struct gy_buf p;
    gy_buf_init(&p, 4096);
    assert_int_equal(gy_ddb_key_encode_partition(&p, &pk), 0);
    assert_int_equal(p.len, 11);
    assert_memory_equal(p.p, b.p, p.len);

    /* Hash-only key. */
    gy_buf_reset(&b);
    assert_int_equal(gy_ddb_key_encode(&b, &pk, NULL), 0);
    assert_int_equal(b.len, 11);
    assert_memory_equal(b.p, p.p, 11);
    gy_buf_fini(&p);
    gy_buf_fini(&b);
}

static void test_errors(void **state)
{
    struct gy_buf b;
    gy_buf_init(&b, 64);
    struct gy_ddb_value pk = sval(GY_DDB_S, "a", 1), bad;
    bad.type = GY_DDB_BOOL;
    bad.u.b = true;
    assert_int_equal(gy_buf_append(&b, "zz", 2), 0);
    assert_int_equal(gy_ddb_key_encode(&b, &bad, NULL), GY_EINVAL);
    assert_int_equal(gy_ddb_key_encode(&b, &pk, &bad), GY_EINVAL);
    assert_int_equal(b.len, 2); /* nothing half-written */
    struct gy_ddb_value badnum = sval(GY_DDB_N, "x", 1);
    assert_int_equal(gy_ddb_key_encode_part(&b, &badnum), GY_EINVAL);
    /* 8 + 3 fits in 13 - 2 bytes, 8 + 3 + 3 does not: nothing half-written. */
    struct gy_buf small;
    gy_buf_init(&small, 13);
    assert_int_equal(gy_buf_append(&small, "zz", 2), 0);
    assert_int_equal(gy_ddb_key_encode(&small, &pk, NULL), 0);
    assert_int_equal(small.len, 13);
    gy_buf_reset(&small);
    assert_int_equal(gy_buf_append(&small, "zz", 2), 0);
    assert_int_equal(gy_ddb_key_encode(&small, &pk, &pk), GY_ETOOBIG);
    assert_int_equal(small.len, 2);
    assert_memory_equal(small.p, "zz", 2);
    gy_buf_fini(&small);
    assert_true(gy_ddb_key_hash(&bad) == 0);
    gy_buf_fini(&b);

    /* Long values (over the stack fast path) hash like short ones would: by content. */
    char *big = malloc(5000);
    memset(big, 'q', 5000);
    struct gy_ddb_value l1 = sval(GY_DDB_S, big, 5000), l2 = sval(GY_DDB_S, big, 4999);
    assert_true(gy_ddb_key_hash(&l1) != gy_ddb_key_hash(&l2));
    assert_true(gy_ddb_key_hash(&l1) == gy_ddb_key_hash(&l1));
    free(big);
}

/* ---- ordering property ---- */

static uint64_t rng = 88172645463325252ULL;

static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static int sign(int x)
{
    return x < 0 ? -1 : x > 0 ? 1 : 0;
}

static int enc_cmp(const struct gy_ddb_value *a, const struct gy_ddb_value *b)
{
    struct gy_buf ba, bb;
    gy_buf_init(&ba, 1 << 16);
    gy_buf_init(&bb, 1 << 16);
    assert_int_equal(gy_ddb_key_encode_part(&ba, a), 0);
    assert_int_equal(gy_ddb_key_encode_part(&bb, b), 0);
    int c = gy_str_cmp(gy_buf_str(&ba), gy_buf_str(&bb));
    gy_buf_fini(&ba);
    gy_buf_fini(&bb);
    return sign(c);
}

static void test_order_bytes(void **state)
{
    /* Small alphabet with the escape-relevant bytes, short lengths: many prefixes and ties. */
    static const char alpha[] = { 0x00, 0x01, (char)0xff, 'a', 'b', (char)0xfe };
    char x[8], y[8];
    for (int iter = 0; iter < 20000; iter++) {
        size_t lx = next_rand() % 6, ly = next_rand() % 6;
        for (size_t i = 0; i < lx; i++)
            x[i] = alpha[next_rand() % sizeof(alpha)];
        for (size_t i = 0; i < ly; i++)
            y[i] = alpha[next_rand() % sizeof(alpha)];
        if (iter % 3 == 0 && lx <= ly)
            memcpy(y, x, lx); /* force common prefixes */
        enum gy_ddb_type t = iter % 2 ? GY_DDB_S : GY_DDB_B;
        struct gy_ddb_value a = sval(t, x, lx), b = sval(t, y, ly);
        int want = sign(gy_ddb_value_cmp(&a, &b));
        if (enc_cmp(&a, &b) != want)
            fail_msg("order mismatch at iteration %d", iter);
    }
    /* The documented example. */
    struct gy_ddb_value a = sval(GY_DDB_S, "a", 1), a0 = sval(GY_DDB_S, "a\0", 2),
                        ab = sval(GY_DDB_S, "ab", 2);
    assert_int_equal(enc_cmp(&a, &a0), -1);
    assert_int_equal(enc_cmp(&a0, &ab), -1);
    assert_int_equal(enc_cmp(&a, &ab), -1);
}

static void test_order_numbers(void **state)
{
    char tx[64], ty[64];
    int compared = 0;
    for (int iter = 0; iter < 20000; iter++) {
        char *bufs[2] = { tx, ty };
        for (int k = 0; k < 2; k++) {
            /* sign, 1-6 digits from a small set, optional point, exponent in [-130, 120]. */
            char *s = bufs[k];
            size_t o = 0;
            if (next_rand() % 2)
                s[o++] = '-';
            int nd = 1 + (int)(next_rand() % 6);
            for (int i = 0; i < nd; i++)
                s[o++] = "0019"[next_rand() % 4];
            if (next_rand() % 3 == 0) {
                s[o++] = '.';
                s[o++] = "05"[next_rand() % 2];
            }
            int e = (int)(next_rand() % 8) - 4;
            if (next_rand() % 10 == 0)
                e = (int)(next_rand() % 240) - 125;
            o += (size_t)snprintf(s + o, 64 - o, "e%d", e);
            s[o] = '\0';
        }
        struct gy_num nx, ny;
        if (gy_num_parse(tx, strlen(tx), &nx) || gy_num_parse(ty, strlen(ty), &ny))
            continue; /* out of range: not a storable number */
        char cx[GY_NUM_TEXT_MAX], cy[GY_NUM_TEXT_MAX];
        size_t lx = gy_num_format(&nx, cx, sizeof(cx)), ly = gy_num_format(&ny, cy, sizeof(cy));
        struct gy_ddb_value a = sval(GY_DDB_N, cx, lx), b = sval(GY_DDB_N, cy, ly);
        int want = sign(gy_num_cmp(&nx, &ny));
        assert_int_equal(sign(gy_ddb_value_cmp(&a, &b)), want);
        if (enc_cmp(&a, &b) != want)
            fail_msg("order mismatch: %s vs %s", tx, ty);
        compared++;
    }
    assert_true(compared > 15000);
}

/* Keys of one partition sort by sort key; the sort-key encoding is self-delimiting. */
static void test_order_full_keys(void **state)
{
    struct gy_ddb_value pk = sval(GY_DDB_N, "42", 2);
    const char *sks[] = { "", "\0", "\0\0", "a", "a\0", "a\0b", "a\x01", "ab", "b" };
    size_t lens[] = { 0, 1, 2, 1, 2, 3, 2, 2, 1 };
    struct gy_buf prev;
    gy_buf_init(&prev, 4096);
    for (size_t i = 0; i < sizeof(sks) / sizeof(sks[0]); i++) {
        struct gy_buf cur;
        gy_buf_init(&cur, 4096);
        struct gy_ddb_value sk = sval(GY_DDB_B, sks[i], lens[i]);
        assert_int_equal(gy_ddb_key_encode(&cur, &pk, &sk), 0);
        if (i > 0)
            assert_true(gy_str_cmp(gy_buf_str(&prev), gy_buf_str(&cur)) < 0);
        gy_buf_reset(&prev);
        assert_int_equal(gy_buf_append(&prev, cur.p, cur.len), 0);
        gy_buf_fini(&cur);
    }
    gy_buf_fini(&prev);
}

/* Parallel-scan segments tile the hash space exactly: no gap, no overlap, every size. */
static void test_segment_ranges(void **state)
{
    static const uint32_t totals[] = { 1, 2, 3, 7, 8, 1000, 999983, 1000000 };
    for (size_t t = 0; t < sizeof(totals) / sizeof(totals[0]); t++) {
        uint32_t total = totals[t];
        uint64_t expect_lo = 0;
        /* Every segment for small totals; the edges and a sample for large ones. */
        for (uint32_t s = 0; s < total; s++) {
            if (total > 1000 && s > 2 && s < total - 3 && s % 9973 != 0) {
                uint64_t lo, hi;
                bool last;
                gy_ddb_segment_range(s, total, &lo, &hi, &last);
                expect_lo = hi;
                continue;
            }
            uint64_t lo, hi;
            bool last;
            gy_ddb_segment_range(s, total, &lo, &hi, &last);
            if (s == 0)
                assert_int_equal(lo, 0);
            assert_true(lo == expect_lo);
            assert_int_equal(last, s == total - 1);
            if (!last)
                assert_true(hi > lo);
            expect_lo = hi;
        }
    }
    /* A known hash lands in exactly one of 4 segments. */
    struct gy_ddb_value v = { .type = GY_DDB_S };
    v.u.s = GY_STR("PRODUCT#test123");
    uint64_t h = gy_ddb_key_hash(&v);
    int owners = 0;
    for (uint32_t s = 0; s < 4; s++) {
        uint64_t lo, hi;
        bool last;
        gy_ddb_segment_range(s, 4, &lo, &hi, &last);
        owners += h >= lo && (last || h < hi);
    }
    assert_int_equal(owners, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_order_bytes),
        cmocka_unit_test(test_order_numbers),
        cmocka_unit_test(test_order_full_keys),
        cmocka_unit_test(test_segment_ranges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

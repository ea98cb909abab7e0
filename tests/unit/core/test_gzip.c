/*
 * test_gzip.c — src/core/gzip.c: round trips at every level and size, a stream written by the
 * gzip command, bombs stopped at the limit without allocating past it, truncation at every
 * offset, corrupted bytes, concatenated members, trailing garbage, empty input, and CRC-32
 * check values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/errors.h"
#include "core/gzip.h"
#include "core/mem.h"
#include "core/str.h"

#define BIG_MAX ((size_t)64 << 20)

/* `printf 'hello, gyre\n' > h.txt; gzip -9 -c h.txt`: a header with FNAME and MTIME. */
static const unsigned char gzip_cli[] = {
    0x1f, 0x8b, 0x08, 0x08, 0x15, 0x34, 0x17, 0x6b, 0x02, 0x03, 0x68, 0x2e, 0x74,
    0x78, 0x74, 0x00, 0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0xd7, 0x51, 0x48, 0xaf, 0x2c,
    0x4a, 0xe5, 0x02, 0x00, 0xed, 0x1a, 0xf1, 0x91, 0x0c, 0x00, 0x00, 0x00,
};

/* Deterministic pseudo-random bytes (incompressible). */
static void fill_random(char *p, size_t n, uint32_t seed)
{
    uint32_t x = seed | 1;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p[i] = (char)(x >> 24);
    }
}

/* Text-like bytes (compressible). */
static void fill_text(char *p, size_t n)
{
    static const char words[] = "{\"pk\":{\"S\":\"user#0042\"},\"count\":{\"N\":\"17\"}} ";
    for (size_t i = 0; i < n; i++)
        p[i] = words[(i * 7 + i / 51) % (sizeof(words) - 1)];
}

static void compress(const void *p, size_t n, int level, struct gy_buf *z)
{
    gy_buf_init(z, BIG_MAX);
    assert_int_equal(gy_gzip((struct gy_str){ p, n }, level, z), 0);
    assert_true(z->len >= 18); /* 10-byte header, 8-byte trailer */
    assert_int_equal((unsigned char)z->p[0], 0x1f);
    assert_int_equal((unsigned char)z->p[1], 0x8b);
}

static void roundtrip(const char *p, size_t n, int level)
{
    struct gy_buf z, out;
    compress(p, n, level, &z);
    gy_buf_init(&out, BIG_MAX);
    assert_int_equal(gy_gunzip(gy_buf_str(&z), n, &out), 0);
    assert_int_equal(out.len, n);
    if (n)
        assert_memory_equal(out.p, p, n);
    gy_buf_fini(&z);
    gy_buf_fini(&out);
}

static void test_roundtrip_sizes_levels(void **state)
{
    static const size_t sizes[] = { 0, 1, 2, 17, 1023, 1024, 65535, 65536, 65537, 300000 };
    static const int levels[] = { -1, 0, 1, 6, 9 };
    char *text = gy_malloc(300000), *rnd = gy_malloc(300000);
    fill_text(text, 300000);
    fill_random(rnd, 300000, 7);
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
        for (size_t j = 0; j < sizeof(levels) / sizeof(levels[0]); j++) {
            roundtrip(text, sizes[i], levels[j]);
            roundtrip(rnd, sizes[i], levels[j]);
        }
    gy_free(text);
    gy_free(rnd);
}

static void test_compresses_text(void **state)
{
    char *text = gy_malloc(100000);
    struct gy_buf z;
    fill_text(text, 100000);
    compress(text, 100000, -1, &z);
    assert_true(z.len < 100000 / 10);
    gy_buf_fini(&z);
    gy_free(text);
}

static void test_gzip_cli_stream(void **state)
{
    struct gy_buf out;
    gy_buf_init(&out, 1024);
    assert_int_equal(gy_gunzip((struct gy_str){ (const char *)gzip_cli, sizeof(gzip_cli) }, 1024,
                               &out),
                     0);
    assert_int_equal(out.len, 12);
    assert_memory_equal(out.p, "hello, gyre\n", 12);
    assert_int_equal(out.p[12], '\0');
    gy_buf_fini(&out);
}

static void test_appends_and_restores(void **state)
{
    struct gy_buf z, out;
    compress("abc", 3, 6, &z);
    gy_buf_init(&out, 1024);
    gy_buf_puts(&out, "prefix:");
    assert_int_equal(gy_gunzip(gy_buf_str(&z), 100, &out), 0);
    assert_string_equal(out.p, "prefix:abc");
    /* A failure leaves the earlier contents exactly as they were. */
    assert_int_equal(gy_gunzip((struct gy_str){ z.p, z.len - 1 }, 100, &out), GY_EINVAL);
    assert_string_equal(out.p, "prefix:abc");
    assert_int_equal(gy_gunzip(gy_buf_str(&z), 2, &out), GY_ETOOBIG);
    assert_string_equal(out.p, "prefix:abc");
    /* gy_gzip appends too, and restores on failure. */
    size_t before = z.len;
    assert_int_equal(gy_gzip(GY_STR("def"), 1, &z), 0);
    assert_true(z.len > before);
    struct gy_buf both;
    gy_buf_init(&both, 100);
    assert_int_equal(gy_gunzip(gy_buf_str(&z), 100, &both), 0);
    assert_string_equal(both.p, "abcdef");
    gy_buf_fini(&both);
    gy_buf_fini(&z);
    gy_buf_fini(&out);
}

/* 16 MiB + 1 of zeros compressed to a few KiB must stop at a 16 MiB limit. */
static void test_bomb_stops_at_limit(void **state)
{
    const size_t limit = (size_t)16 << 20;
    char *zeros = gy_calloc(limit + 1, 1);
    struct gy_buf z, out;
    compress(zeros, limit + 1, 9, &z);
    assert_true(z.len < 64 * 1024);

    gy_buf_init(&out, BIG_MAX);
    assert_int_equal(gy_gunzip(gy_buf_str(&z), limit, &out), GY_ETOOBIG);
    assert_int_equal(out.len, 0);
    assert_true(out.cap <= limit + 1); /* never allocated past the limit */
    gy_buf_fini(&out);

    /* The buffer's own maximum bounds it the same way. */
    gy_buf_init(&out, 1 << 20);
    assert_int_equal(gy_gunzip(gy_buf_str(&z), BIG_MAX, &out), GY_ETOOBIG);
    assert_true(out.cap <= (1 << 20) + 1);
    gy_buf_fini(&out);

    /* Exactly at the limit is accepted. */
    gy_buf_init(&out, BIG_MAX);
    assert_int_equal(gy_gunzip(gy_buf_str(&z), limit + 1, &out), 0);
    assert_int_equal(out.len, limit + 1);
    assert_memory_equal(out.p, zeros, limit + 1);
    gy_buf_fini(&out);
    gy_buf_fini(&z);
    gy_free(zeros);
}

static void test_limit_boundaries(void **state)
{
    char data[5000];
    struct gy_buf z, out;
    fill_text(data, sizeof(data));
    compress(data, sizeof(data), 6, &z);
    for (size_t lim = 4990; lim <= 5010; lim++) {
        gy_buf_init(&out, BIG_MAX);
        int rc = gy_gunzip(gy_buf_str(&z), lim, &out);
        assert_int_equal(rc, lim >= sizeof(data) ? 0 : GY_ETOOBIG);
        assert_int_equal(out.len, rc ? 0 : sizeof(data));
        gy_buf_fini(&out);
    }
    gy_buf_init(&out, BIG_MAX);
    assert_int_equal(gy_gunzip(gy_buf_str(&z), 0, &out), GY_ETOOBIG);
    gy_buf_fini(&out);
    gy_buf_fini(&z);
}

/* A bomb spread over members: each member is small, their sum is over the limit. */
static void test_bomb_across_members(void **state)
{
    char *zeros = gy_calloc(1 << 20, 1);
    struct gy_buf one, many, out;
    compress(zeros, 1 << 20, 9, &one);
    gy_buf_init(&many, BIG_MAX);
    for (int i = 0; i < 20; i++)
        gy_buf_append_str(&many, gy_buf_str(&one));
    gy_buf_init(&out, BIG_MAX);
    assert_int_equal(gy_gunzip(gy_buf_str(&many), (size_t)16 << 20, &out), GY_ETOOBIG);
    assert_true(out.cap <= ((size_t)16 << 20) + 1);
    gy_buf_reset(&out);
    assert_int_equal(gy_gunzip(gy_buf_str(&many), (size_t)20 << 20, &out), 0);
    assert_int_equal(out.len, (size_t)20 << 20);
    gy_buf_fini(&out);
    gy_buf_fini(&many);
    gy_buf_fini(&one);
    gy_free(zeros);
}

static void test_truncated_every_offset(void **state)
{
    char data[3000];
    struct gy_buf one, two, out;
    fill_text(data, sizeof(data));
    compress(data, sizeof(data), 6, &one);
    for (size_t cut = 0; cut < one.len; cut++) {
        gy_buf_init(&out, BIG_MAX);
        assert_int_equal(gy_gunzip((struct gy_str){ one.p, cut }, BIG_MAX, &out), GY_EINVAL);
        assert_int_equal(out.len, 0);
        gy_buf_fini(&out);
    }
    /* Cut anywhere inside a second member (after the first one is complete). */
    gy_buf_init(&two, BIG_MAX);
    gy_buf_append_str(&two, gy_buf_str(&one));
    gy_buf_append_str(&two, gy_buf_str(&one));
    for (size_t cut = one.len + 1; cut < two.len; cut++) {
        gy_buf_init(&out, BIG_MAX);
        assert_int_equal(gy_gunzip((struct gy_str){ two.p, cut }, BIG_MAX, &out), GY_EINVAL);
        gy_buf_fini(&out);
    }
    gy_buf_fini(&two);
    gy_buf_fini(&one);
}

static void test_corrupt_bytes(void **state)
{
    char data[2000];
    struct gy_buf z, out;
    fill_text(data, sizeof(data));
    compress(data, sizeof(data), 6, &z);
    size_t n = z.len;
    char *copy = gy_malloc(n);

    /* The CRC-32 and ISIZE trailer fields. */
    for (size_t i = n - 8; i < n; i++) {
        memcpy(copy, z.p, n);
        copy[i] ^= 0x01;
        gy_buf_init(&out, BIG_MAX);
        assert_int_equal(gy_gunzip((struct gy_str){ copy, n }, BIG_MAX, &out), GY_EINVAL);
        gy_buf_fini(&out);
    }
    /* Any single flipped byte either fails or (MTIME, XFL, OS) changes nothing. */
    int failed = 0;
    for (size_t i = 0; i < n; i++) {
        memcpy(copy, z.p, n);
        copy[i] ^= 0x20;
        gy_buf_init(&out, BIG_MAX);
        int rc = gy_gunzip((struct gy_str){ copy, n }, BIG_MAX, &out);
        if (rc == 0) {
            assert_int_equal(out.len, sizeof(data));
            assert_memory_equal(out.p, data, sizeof(data));
        } else {
            assert_int_equal(rc, GY_EINVAL);
            failed++;
        }
        gy_buf_fini(&out);
    }
    assert_true(failed > (int)n - 10);
    /* Wrong magic and wrong method. */
    memcpy(copy, z.p, n);
    copy[1] = 0x8c;
    gy_buf_init(&out, BIG_MAX);
    assert_int_equal(gy_gunzip((struct gy_str){ copy, n }, BIG_MAX, &out), GY_EINVAL);
    memcpy(copy, z.p, n);
    copy[2] = 0x07;
    assert_int_equal(gy_gunzip((struct gy_str){ copy, n }, BIG_MAX, &out), GY_EINVAL);
    gy_buf_fini(&out);
    gy_free(copy);
    gy_buf_fini(&z);
}

static void test_multi_member(void **state)
{
    struct gy_buf a, b, e, all, out;
    compress("first;", 6, 1, &a);
    compress("second", 6, 9, &b);
    compress("", 0, 6, &e);
    gy_buf_init(&all, 4096);
    gy_buf_append_str(&all, gy_buf_str(&a));
    gy_buf_append_str(&all, gy_buf_str(&e));
    gy_buf_append_str(&all, gy_buf_str(&b));
    gy_buf_append_str(&all, gy_buf_str(&e));
    gy_buf_append(&all, gzip_cli, sizeof(gzip_cli));
    gy_buf_init(&out, 4096);
    assert_int_equal(gy_gunzip(gy_buf_str(&all), 4096, &out), 0);
    assert_string_equal(out.p, "first;secondhello, gyre\n");
    gy_buf_fini(&out);
    gy_buf_fini(&all);
    gy_buf_fini(&a);
    gy_buf_fini(&b);
    gy_buf_fini(&e);
}

static void test_trailing_garbage(void **state)
{
    static const struct {
        const char *p;
        size_t n;
    } tails[] = {
        { "x", 1 }, { "\0", 1 }, { "\0\0\0\0", 4 }, { "\x1f", 1 }, { "\x1f\x8b", 2 },
        { "\x1f\x8b\x08\x00", 4 }, { "\n", 1 }, { "\x78\x9c", 2 },
    };
    struct gy_buf z, all, out;
    compress("payload", 7, 6, &z);
    for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
        gy_buf_init(&all, 4096);
        gy_buf_append_str(&all, gy_buf_str(&z));
        gy_buf_append(&all, tails[i].p, tails[i].n);
        gy_buf_init(&out, 4096);
        assert_int_equal(gy_gunzip(gy_buf_str(&all), 4096, &out), GY_EINVAL);
        assert_int_equal(out.len, 0);
        gy_buf_fini(&out);
        gy_buf_fini(&all);
    }
    gy_buf_fini(&z);
}

static void test_empty_and_not_gzip(void **state)
{
    /* zlib (RFC 1950) of "abc" and a raw text body are not gzip. */
    static const unsigned char zlib_abc[] = { 0x78, 0x9c, 0x4b, 0x4c, 0x4a, 0x06,
                                              0x00, 0x02, 0x4d, 0x01, 0x27 };
    struct gy_buf out, z;
    gy_buf_init(&out, 4096);
    assert_int_equal(gy_gunzip(GY_STR_NULL, 4096, &out), GY_EINVAL);
    assert_int_equal(gy_gunzip((struct gy_str){ (const char *)zlib_abc, sizeof(zlib_abc) }, 4096,
                               &out),
                     GY_EINVAL);
    assert_int_equal(gy_gunzip(GY_STR("{\"TableName\":\"t\"}"), 4096, &out), GY_EINVAL);
    assert_int_equal(out.len, 0);
    /* The gzip of nothing is 20 bytes that decompress to nothing. */
    compress("", 0, -1, &z);
    assert_int_equal(z.len, 20);
    assert_int_equal(gy_gunzip(gy_buf_str(&z), 0, &out), 0);
    assert_int_equal(out.len, 0);
    gy_buf_fini(&z);
    gy_buf_fini(&out);
}

static void test_gzip_limits(void **state)
{
    char data[10000];
    struct gy_buf z;
    fill_random(data, sizeof(data), 3);
    gy_buf_init(&z, 100);
    gy_buf_puts(&z, "keep");
    assert_int_equal(gy_gzip((struct gy_str){ data, sizeof(data) }, 6, &z), GY_ETOOBIG);
    assert_int_equal(z.len, 4);
    assert_string_equal(z.p, "keep");
    assert_int_equal(gy_gzip(GY_STR("x"), 10, &z), GY_EINVAL);
    assert_int_equal(gy_gzip(GY_STR("x"), -2, &z), GY_EINVAL);
    gy_buf_fini(&z);
    /* Just big enough: the worst case is a stored block plus header and trailer. */
    for (size_t max = 10000; max < 10100; max++) {
        gy_buf_init(&z, max);
        int rc = gy_gzip((struct gy_str){ data, sizeof(data) }, 0, &z);
        assert_true(rc == 0 || rc == GY_ETOOBIG);
        if (rc == 0) {
            struct gy_buf out;
            gy_buf_init(&out, sizeof(data));
            assert_int_equal(gy_gunzip(gy_buf_str(&z), sizeof(data), &out), 0);
            assert_memory_equal(out.p, data, sizeof(data));
            gy_buf_fini(&out);
        } else {
            assert_int_equal(z.len, 0);
        }
        gy_buf_fini(&z);
    }
}

static void test_crc32(void **state)
{
    assert_int_equal(gy_crc32("123456789", 9), 0xCBF43926u);
    assert_int_equal(gy_crc32(NULL, 0), 0);
    /* DynamoDB answers "{}" with x-amz-crc32: 2745614147. */
    assert_int_equal(gy_crc32("{}", 2), 2745614147u);
    uint32_t c = gy_crc32("12345", 5);
    assert_int_equal(gy_crc32_update(c, "6789", 4), 0xCBF43926u);
    assert_int_equal(gy_crc32_update(c, NULL, 0), c);
    /* The gzip trailer holds the CRC-32 of the data, little-endian. */
    struct gy_buf z;
    compress("hello, gyre\n", 12, 6, &z);
    const unsigned char *t = (const unsigned char *)z.p + z.len - 8;
    uint32_t stored = (uint32_t)t[0] | (uint32_t)t[1] << 8 | (uint32_t)t[2] << 16 |
                      (uint32_t)t[3] << 24;
    assert_int_equal(stored, gy_crc32("hello, gyre\n", 12));
    gy_buf_fini(&z);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_sizes_levels),
        cmocka_unit_test(test_compresses_text),
        cmocka_unit_test(test_gzip_cli_stream),
        cmocka_unit_test(test_appends_and_restores),
        cmocka_unit_test(test_bomb_stops_at_limit),
        cmocka_unit_test(test_limit_boundaries),
        cmocka_unit_test(test_bomb_across_members),
        cmocka_unit_test(test_truncated_every_offset),
        cmocka_unit_test(test_corrupt_bytes),
        cmocka_unit_test(test_multi_member),
        cmocka_unit_test(test_trailing_garbage),
        cmocka_unit_test(test_empty_and_not_gzip),
        cmocka_unit_test(test_gzip_limits),
        cmocka_unit_test(test_crc32),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

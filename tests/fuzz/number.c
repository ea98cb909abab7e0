/*
 * number.c (fuzz) — libFuzzer harness for src/dynamodb/number.c.
 *
 * The input is split at the first '|' into two texts. Each is parsed; valid ones must
 * round-trip through canonical text (parse(format(x)) == x, format idempotent) and key
 * bytes (decode(encode(x)) == x). For a valid pair, key order must equal gy_num_cmp order,
 * and (a + b) - b == a whenever a + b is representable. The raw input is also fed to
 * gy_num_key_decode: whatever it accepts must re-encode to the same bytes. Any violation
 * aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dynamodb/number.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same(const struct gy_num *a, const struct gy_num *b)
{
    return a->neg == b->neg && a->n == b->n && a->exp == b->exp &&
           memcmp(a->d, b->d, a->n) == 0;
}

static void check_valid(const struct gy_num *x)
{
    char t1[GY_NUM_TEXT_MAX], t2[GY_NUM_TEXT_MAX];
    struct gy_num y;
    uint8_t key[GY_NUM_KEY_MAX + 4];

    if (x->n > GY_NUM_MAX_DIGITS || (x->n > 0 && (x->d[0] == 0 || x->d[x->n - 1] == 0)))
        abort();
    size_t l1 = gy_num_format(x, t1, sizeof(t1));
    if (l1 >= sizeof(t1) || strlen(t1) != l1)
        abort();
    if (gy_num_parse(t1, l1, &y) != GY_NUM_OK || !same(x, &y) || gy_num_cmp(x, &y) != 0)
        abort();
    size_t l2 = gy_num_format(&y, t2, sizeof(t2));
    if (l1 != l2 || memcmp(t1, t2, l1) != 0)
        abort();

    memset(key, 0xaa, sizeof(key));
    size_t kl = gy_num_key_encode(x, key);
    if (kl == 0 || kl > GY_NUM_KEY_MAX || key[GY_NUM_KEY_MAX] != 0xaa)
        abort();
    if (gy_num_key_decode(key, kl, &y) != kl || !same(x, &y))
        abort();
}

static int key_order(const struct gy_num *a, const struct gy_num *b)
{
    uint8_t ka[GY_NUM_KEY_MAX], kb[GY_NUM_KEY_MAX];
    size_t la = gy_num_key_encode(a, ka), lb = gy_num_key_encode(b, kb);
    size_t n = la < lb ? la : lb;
    int c = memcmp(ka, kb, n);
    if (c != 0)
        return c < 0 ? -1 : 1;
    return la == lb ? 0 : (la < lb ? -1 : 1);
}

static void check_pair(const struct gy_num *a, const struct gy_num *b)
{
    int c = gy_num_cmp(a, b);
    if (key_order(a, b) != c || gy_num_cmp(b, a) != -c)
        abort();

    struct gy_num s, back;
    if (gy_num_add(a, b, &s) == GY_NUM_OK) {
        check_valid(&s);
        if (gy_num_sub(&s, b, &back) != GY_NUM_OK || !same(&back, a))
            abort();
    }
    if (gy_num_sub(a, b, &s) == GY_NUM_OK) {
        check_valid(&s);
        int sg = s.n == 0 ? 0 : (s.neg ? -1 : 1);
        if (sg != c)
            abort();
        if (gy_num_add(&s, b, &back) != GY_NUM_OK || !same(&back, a))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    const char *bar = memchr(p, '|', size);
    size_t alen = bar ? (size_t)(bar - p) : size;
    struct gy_num a, b, k;
    bool aok = gy_num_parse(p, alen, &a) == GY_NUM_OK;
    bool bok = false;

    if (aok)
        check_valid(&a);
    if (bar != NULL) {
        bok = gy_num_parse(bar + 1, size - alen - 1, &b) == GY_NUM_OK;
        if (bok)
            check_valid(&b);
        int want = aok && bok ? gy_num_cmp(&a, &b) : 0;
        int got = gy_num_cmp_text(p, alen, bar + 1, size - alen - 1);
        if (aok && bok && got != want)
            abort();
        if (aok != bok && got != (aok ? 1 : -1))
            abort();
    }
    if (aok && bok)
        check_pair(&a, &b);

    /* Raw bytes as a key: anything accepted is canonical. */
    size_t used = gy_num_key_decode(data, size, &k);
    if (used > 0) {
        uint8_t again[GY_NUM_KEY_MAX];
        check_valid(&k);
        if (gy_num_key_encode(&k, again) != used || memcmp(again, data, used) != 0)
            abort();
    }
    return 0;
}

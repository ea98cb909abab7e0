/*
 * bench_stats.c — gyre-bench's latency histogram and error table.
 *
 * The histogram is HDR-style: values below 128 ns are exact, above that each power of two is
 * split into 128 equal sub-buckets, so any reported quantile is within 0.8% of the true value
 * over the whole 64-bit range, with a fixed 58 KiB per histogram and O(1) recording. Error
 * names come from the DynamoDB "__type" field ("...#ConditionalCheckFailedException" counts as
 * "ConditionalCheckFailedException"). Nothing here is shared between threads: each engine
 * thread fills its own and the main thread merges them.
 */
#include "bench.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/json.h"

#define SUB (1u << GY_BENCH_HIST_SUB_BITS)

void gy_bench_hist_init(struct gy_bench_hist *h)
{
    memset(h, 0, sizeof(*h));
    h->min = UINT64_MAX;
}

size_t gy_bench_hist_index(uint64_t v)
{
    if (v < SUB)
        return (size_t)v;
    unsigned e = 63u - (unsigned)__builtin_clzll(v); /* >= SUB_BITS */
    unsigned shift = e - GY_BENCH_HIST_SUB_BITS;
    uint64_t m = v >> shift; /* in [SUB, 2 * SUB) */
    return SUB + (size_t)shift * SUB + (size_t)(m - SUB);
}

uint64_t gy_bench_hist_upper(size_t idx)
{
    if (idx < SUB)
        return idx;
    size_t shift = (idx - SUB) / SUB;
    uint64_t m = (idx - SUB) % SUB + SUB;
    if (shift + GY_BENCH_HIST_SUB_BITS + 1 >= 64 && m == 2 * SUB - 1)
        return UINT64_MAX;
    return ((m + 1) << shift) - 1;
}

void gy_bench_hist_add(struct gy_bench_hist *h, uint64_t v)
{
    h->buckets[gy_bench_hist_index(v)]++;
    h->count++;
    h->sum += (double)v;
    if (v < h->min)
        h->min = v;
    if (v > h->max)
        h->max = v;
}

void gy_bench_hist_merge(struct gy_bench_hist *dst, const struct gy_bench_hist *src)
{
    if (!src->count)
        return;
    for (size_t i = 0; i < GY_BENCH_HIST_BUCKETS; i++)
        dst->buckets[i] += src->buckets[i];
    dst->count += src->count;
    dst->sum += src->sum;
    if (src->min < dst->min)
        dst->min = src->min;
    if (src->max > dst->max)
        dst->max = src->max;
}

uint64_t gy_bench_hist_quantile(const struct gy_bench_hist *h, double q)
{
    if (!h->count)
        return 0;
    if (q >= 1.0)
        return h->max;
    if (q < 0)
        q = 0;
    uint64_t rank = (uint64_t)ceil(q * (double)h->count);
    if (rank < 1)
        rank = 1;
    uint64_t seen = 0;
    for (size_t i = 0; i < GY_BENCH_HIST_BUCKETS; i++) {
        seen += h->buckets[i];
        if (seen >= rank) {
            uint64_t u = gy_bench_hist_upper(i);
            if (u > h->max)
                u = h->max;
            if (u < h->min)
                u = h->min;
            return u;
        }
    }
    return h->max;
}

/* ---------------------------------------------------------------- errors */

static size_t error_slot(struct gy_bench_errors *e, struct gy_str name)
{
    for (size_t i = 0; i < e->n; i++)
        if (gy_str_eqc(name, e->names[i]))
            return i;
    if (e->n < GY_BENCH_MAX_ERROR_TYPES - 1) {
        size_t len = name.len < sizeof(e->names[0]) - 1 ? name.len : sizeof(e->names[0]) - 1;
        memcpy(e->names[e->n], name.p, len);
        e->names[e->n][len] = '\0';
        e->counts[e->n] = 0;
        return e->n++;
    }
    /* The last slot collects every name that did not fit. */
    if (e->n == GY_BENCH_MAX_ERROR_TYPES - 1) {
        snprintf(e->names[e->n], sizeof(e->names[0]), "%s", "bench#other");
        e->counts[e->n] = 0;
        e->n++;
    }
    return GY_BENCH_MAX_ERROR_TYPES - 1;
}

void gy_bench_errors_add(struct gy_bench_errors *e, struct gy_str name, uint64_t n)
{
    e->counts[error_slot(e, name)] += n;
}

void gy_bench_errors_merge(struct gy_bench_errors *dst, const struct gy_bench_errors *src)
{
    for (size_t i = 0; i < src->n; i++)
        gy_bench_errors_add(dst, gy_str_c(src->names[i]), src->counts[i]);
}

uint64_t gy_bench_errors_total(const struct gy_bench_errors *e)
{
    uint64_t t = 0;
    for (size_t i = 0; i < e->n; i++)
        t += e->counts[i];
    return t;
}

void gy_bench_error_name(int status, struct gy_str body, char *out, size_t outlen)
{
    struct gy_arena *arena = gy_arena_create(4096);
    const struct gy_json *root = NULL;
    const char *why = NULL;

    snprintf(out, outlen, "http_%d", status);
    if (body.len && gy_json_parse(arena, body.p, body.len, &root, &why) == 0) {
        struct gy_str t = gy_json_str(gy_json_get(root, "__type"));
        if (t.p && t.len) {
            const char *hash = memchr(t.p, '#', t.len);
            if (hash) {
                t.len -= (size_t)(hash + 1 - t.p);
                t.p = hash + 1;
            }
            snprintf(out, outlen, "%.*s", (int)t.len, t.p);
        }
    }
    gy_arena_destroy(arena);
}

long gy_bench_query_count(struct gy_str body)
{
    static const char key[] = "\"Count\"";
    const char *p = body.p ? memmem(body.p, body.len, key, sizeof(key) - 1) : NULL;
    const char *end = body.p + body.len;
    long n = 0;

    if (!p)
        return -1;
    p += sizeof(key) - 1;
    while (p < end && (*p == ' ' || *p == ':'))
        p++;
    if (p == end || *p < '0' || *p > '9')
        return -1;
    for (; p < end && *p >= '0' && *p <= '9' && n < 100000000; p++)
        n = n * 10 + (*p - '0');
    return n;
}

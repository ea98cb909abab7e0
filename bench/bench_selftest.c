/*
 * bench_selftest.c — `gyre-bench --self-test`: checks of the pieces whose mistakes would make
 * every number wrong without any error showing: histogram buckets and quantiles, the error
 * name taken from "__type", the zipfian generator's range and skew, and that a request built
 * by bench_req.c verifies with Gyre's own SigV4 verifier. Run by bench/compare --smoke.
 */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/sigv4.h"
#include "core/clock.h"
#include "core/mem.h"

static int failures;

#define CHECK(cond)                                                                               \
    do {                                                                                          \
        if (!(cond)) {                                                                            \
            fprintf(stderr, "self-test: %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                                           \
        }                                                                                         \
    } while (0)

static void test_hist(void)
{
    struct gy_bench_hist *h = gy_malloc(sizeof(*h));

    /* Every value falls in a bucket whose upper edge is >= it and within 1/128 of it. */
    for (uint64_t v = 0; v < 5000000; v = v * 3 / 2 + 1) {
        size_t i = gy_bench_hist_index(v);
        uint64_t u = gy_bench_hist_upper(i);
        CHECK(i < GY_BENCH_HIST_BUCKETS);
        CHECK(u >= v);
        CHECK(u - v <= v / 128 + 1);
        CHECK(i == 0 || gy_bench_hist_upper(i - 1) < v);
    }
    CHECK(gy_bench_hist_index(UINT64_MAX) == GY_BENCH_HIST_BUCKETS - 1);
    CHECK(gy_bench_hist_upper(GY_BENCH_HIST_BUCKETS - 1) == UINT64_MAX);

    /* Values 1..1000: exact below 128, within 0.8% above. */
    gy_bench_hist_init(h);
    CHECK(gy_bench_hist_quantile(h, 0.5) == 0);
    for (uint64_t v = 1; v <= 1000; v++)
        gy_bench_hist_add(h, v);
    CHECK(h->count == 1000 && h->min == 1 && h->max == 1000);
    CHECK(gy_bench_hist_quantile(h, 0.1) == 100);
    uint64_t p50 = gy_bench_hist_quantile(h, 0.5);
    CHECK(p50 >= 500 && p50 <= 504);
    uint64_t p99 = gy_bench_hist_quantile(h, 0.99);
    CHECK(p99 >= 990 && p99 <= 998);
    CHECK(gy_bench_hist_quantile(h, 1.0) == 1000);

    /* Merging adds counts. */
    struct gy_bench_hist *m = gy_malloc(sizeof(*m));
    gy_bench_hist_init(m);
    gy_bench_hist_add(m, 5000000);
    gy_bench_hist_merge(m, h);
    CHECK(m->count == 1001 && m->max == 5000000 && m->min == 1);
    CHECK(gy_bench_hist_quantile(m, 0.9999) == 5000000);
    gy_free(m);
    gy_free(h);
}

static void test_errors(void)
{
    char name[96];
    struct gy_bench_errors e = { 0 };

    gy_bench_error_name(400,
                        GY_STR("{\"__type\":\"com.amazonaws.dynamodb.v20120810#"
                               "ConditionalCheckFailedException\",\"message\":\"x\"}"),
                        name, sizeof(name));
    CHECK(strcmp(name, "ConditionalCheckFailedException") == 0);
    gy_bench_error_name(400, GY_STR("{\"__type\":\"ValidationException\"}"), name, sizeof(name));
    CHECK(strcmp(name, "ValidationException") == 0);
    gy_bench_error_name(503, GY_STR("Service Unavailable"), name, sizeof(name));
    CHECK(strcmp(name, "http_503") == 0);

    gy_bench_errors_add(&e, GY_STR("A"), 2);
    gy_bench_errors_add(&e, GY_STR("B"), 1);
    gy_bench_errors_add(&e, GY_STR("A"), 3);
    CHECK(e.n == 2 && e.counts[0] == 5 && e.counts[1] == 1);
    for (int i = 0; i < 100; i++) {
        char n[16];
        snprintf(n, sizeof(n), "E%d", i);
        gy_bench_errors_add(&e, gy_str_c(n), 1);
    }
    CHECK(e.n == GY_BENCH_MAX_ERROR_TYPES);
    CHECK(strcmp(e.names[GY_BENCH_MAX_ERROR_TYPES - 1], "bench#other") == 0);
    CHECK(gy_bench_errors_total(&e) == 106);
}

static void test_zipf(const struct gy_bench_config *base)
{
    struct gy_bench_config cfg = *base;
    struct gy_bench_gen *g = gy_malloc(sizeof(*g));
    uint64_t *hits = gy_calloc(1000, sizeof(*hits));

    cfg.keys = 1000;
    cfg.dist = GY_BENCH_DIST_ZIPFIAN;
    gy_bench_gen_init(g, &cfg, 0, gy_bench_zeta(cfg.keys));
    for (int i = 0; i < 100000; i++) {
        uint64_t k = gy_bench_next_key(g);
        CHECK(k < 1000);
        if (k < 1000)
            hits[k]++;
    }
    /* theta 0.99 over 1000 keys: the hottest key gets about 13% of the draws. */
    uint64_t top = 0;
    for (int i = 0; i < 1000; i++)
        if (hits[i] > top)
            top = hits[i];
    CHECK(top > 8000 && top < 20000);
    gy_bench_gen_fini(g);
    gy_free(hits);
    gy_free(g);
}

/* Build a request, split it into method, headers and body, and verify it like Gyre does. */
static void test_signature(const struct gy_bench_config *base)
{
    struct gy_bench_config cfg = *base;
    struct gy_bench_gen *g = gy_malloc(sizeof(*g));
    struct gy_sigv4_header hdrs[16];
    struct gy_sigv4_auth auth;
    struct gy_buf req;
    char msg[256];
    size_t nh = 0;

    snprintf(cfg.access_key, sizeof(cfg.access_key), "%s", "AKIDSELFTEST");
    snprintf(cfg.secret, sizeof(cfg.secret), "%s", "selftest/secret+key");
    cfg.port = 8000;
    cfg.item_size = 200;
    gy_bench_gen_init(g, &cfg, 0, 0);
    gy_buf_init(&req, GY_BENCH_MAX_REQUEST);
    CHECK(gy_bench_build(g, GY_BENCH_OP_UPDATE, "user0000000001", 0, &req) == 0);
    /* Query needs a sort key; the failed build leaves nothing behind. */
    size_t before = req.len;
    CHECK(gy_bench_build(g, GY_BENCH_OP_QUERY, "user0000000001", 0, &req) != 0);
    CHECK(req.len == before);
    const char *p = req.p, *end = req.p + req.len;
    const char *eol = memmem(p, (size_t)(end - p), "\r\n", 2);
    CHECK(eol && gy_str_eqc((struct gy_str){ p, (size_t)(eol - p) }, "POST / HTTP/1.1"));
    for (p = eol + 2; eol && p < end && nh < 16; p = eol + 2) {
        eol = memmem(p, (size_t)(end - p), "\r\n", 2);
        if (!eol || eol == p)
            break;
        const char *colon = memchr(p, ':', (size_t)(eol - p));
        if (!colon)
            break;
        hdrs[nh].name = (struct gy_str){ p, (size_t)(colon - p) };
        hdrs[nh].value = (struct gy_str){ colon + 2, (size_t)(eol - colon - 2) };
        nh++;
    }
    CHECK(nh == 6);
    struct gy_sigv4_request r = {
        .method = GY_STR("POST"), .target = GY_STR("/"), .headers = hdrs, .nheaders = nh,
        .body = eol ? (struct gy_str){ eol + 2, (size_t)(end - eol - 2) } : GY_STR_NULL,
    };
    CHECK(gy_sigv4_parse(&r, &auth, msg, sizeof(msg)) == GY_SIGV4_OK);
    CHECK(strcmp(auth.signed_headers, "content-type;host;x-amz-date;x-amz-target") == 0);
    CHECK(gy_sigv4_verify(&r, &auth, gy_str_c(cfg.secret), gy_now_ms(), GY_SIGV4_DEFAULT_SKEW_MS,
                          msg, sizeof(msg)) == GY_SIGV4_OK);
    CHECK(gy_sigv4_verify(&r, &auth, GY_STR("wrong"), gy_now_ms(), GY_SIGV4_DEFAULT_SKEW_MS, msg,
                          sizeof(msg)) == GY_SIGV4_MISMATCH);
    CHECK(memmem(r.body.p, r.body.len, "attribute_exists(PK) OR attribute_not_exists(PK)", 48));
    gy_buf_fini(&req);
    gy_bench_gen_fini(g);
    gy_free(g);
}

/* The bodies of the sort-key workloads: Query of one partition, puts with SK and "ts". */
static void test_sort_key_bodies(const struct gy_bench_config *base)
{
    struct gy_bench_config cfg = *base;
    struct gy_bench_gen *g = gy_malloc(sizeof(*g));
    struct gy_buf req;
    char v[32];

    gy_bench_sk_value('S', 3, v, sizeof(v));
    CHECK(strcmp(v, "item0003") == 0);
    gy_bench_sk_value('N', 12, v, sizeof(v));
    CHECK(strcmp(v, "12") == 0);

    cfg.port = 8000;
    cfg.item_size = 200;
    cfg.sort_key = 'S';
    cfg.items_per_key = 10;
    cfg.stamp = true;
    snprintf(cfg.table, sizeof(cfg.table), "%s", "tq");
    gy_bench_gen_init(g, &cfg, 0, 0);
    gy_buf_init(&req, GY_BENCH_MAX_REQUEST);
    CHECK(gy_bench_build(g, GY_BENCH_OP_QUERY, "user0000000007", 0, &req) == 0);
    const char *body = req.p ? strstr(req.p, "\r\n\r\n") : NULL;
    CHECK(body && strcmp(body + 4, "{\"TableName\":\"tq\",\"KeyConditionExpression\":"
                                   "\"PK = :p\",\"ExpressionAttributeValues\":{\":p\":"
                                   "{\"S\":\"user0000000007\"}}}") == 0);
    CHECK(req.p && strstr(req.p, "X-Amz-Target: DynamoDB_20120810.Query\r\n"));

    gy_buf_reset(&req);
    CHECK(gy_bench_build(g, GY_BENCH_OP_PUT, "k1", 4, &req) == 0);
    body = req.p ? strstr(req.p, "\r\n\r\n") : NULL;
    CHECK(body && strncmp(body + 4, "{\"TableName\":\"tq\",\"Item\":{\"PK\":{\"S\":\"k1\"},"
                                    "\"SK\":{\"S\":\"item0004\"},\"ts\":{\"N\":\"", 75) == 0);
    /* The stamp is the wall clock in microseconds: within a minute of now. */
    long long ts = body ? strtoll(body + 4 + 75, NULL, 10) : 0;
    long long now_us = (long long)gy_now_ms() * 1000;
    CHECK(ts > now_us - 60000000LL && ts < now_us + 60000000LL);

    cfg.sort_key = 'N';
    gy_buf_reset(&req);
    CHECK(gy_bench_build(g, GY_BENCH_OP_GET, "k2", 9, &req) == 0);
    body = req.p ? strstr(req.p, "\r\n\r\n") : NULL;
    CHECK(body && strcmp(body + 4, "{\"TableName\":\"tq\",\"Key\":{\"PK\":{\"S\":\"k2\"},"
                                   "\"SK\":{\"N\":\"9\"}}}") == 0);
    for (int i = 0; i < 1000; i++)
        CHECK(gy_bench_next_sk(g) < 10);

    CHECK(gy_bench_query_count(GY_STR("{\"Items\":[],\"Count\":10,\"ScannedCount\":10}")) == 10);
    CHECK(gy_bench_query_count(GY_STR("{\"Count\": 7}")) == 7);
    CHECK(gy_bench_query_count(GY_STR("{\"Count\":\"x\"}")) == -1);
    CHECK(gy_bench_query_count(GY_STR("{\"Items\":[]}")) == -1);
    CHECK(gy_bench_query_count(GY_STR("{\"Count\":")) == -1);
    gy_buf_fini(&req);
    gy_bench_gen_fini(g);
    gy_free(g);
}

/** Run every check; returns the number of failures (0 when all pass). */
int gy_bench_selftest(const struct gy_bench_config *cfg)
{
    failures = 0;
    test_hist();
    test_errors();
    test_zipf(cfg);
    test_signature(cfg);
    test_sort_key_bodies(cfg);
    printf("gyre-bench self-test: %s\n", failures ? "FAILED" : "ok");
    return failures;
}

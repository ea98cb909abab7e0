/*
 * bench_req.c — what gyre-bench sends: key choice (uniform or YCSB's scrambled zipfian),
 * operation mix, JSON bodies and SigV4-signed HTTP/1.1 requests.
 *
 * Requests are signed the way AWS SDKs sign DynamoDB calls: POST /, headers Host,
 * Content-Type application/x-amz-json-1.0, X-Amz-Date and X-Amz-Target, an AWS4-HMAC-SHA256
 * Authorization header computed by the project's own signer (gy_sigv4_sign), which derives the
 * signing key per request as botocore does. Each engine thread owns one generator; nothing here
 * is shared between threads.
 */
#include "bench.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "aws/sigv4.h"
#include "core/clock.h"
#include "core/errors.h"
#include "core/json.h"
#include "core/mem.h"

#define ZIPF_THETA 0.99
#define DDB_TARGET_PREFIX "DynamoDB_20120810."
#define DDB_CONTENT_TYPE "application/x-amz-json-1.0"
#define KEY_ATTR "PK"
#define SK_ATTR "SK"
#define STAMP_ATTR "ts"
#define DATA_ATTR "data"
#define COUNTER_ATTR "c"

static uint64_t rng_next(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* Uniform double in [0, 1). */
static double rng_unit(uint64_t *s)
{
    return (double)(rng_next(s) >> 11) * (1.0 / 9007199254740992.0);
}

static uint64_t fnv64(uint64_t v)
{
    uint64_t h = 0xCBF29CE484222325ULL;
    for (int i = 0; i < 8; i++) {
        h ^= v & 0xff;
        h *= 0x100000001B3ULL;
        v >>= 8;
    }
    return h;
}

double gy_bench_zeta(uint64_t n)
{
    double sum = 0;
    for (uint64_t i = 1; i <= n; i++)
        sum += 1.0 / pow((double)i, ZIPF_THETA);
    return sum;
}

void gy_bench_gen_init(struct gy_bench_gen *g, const struct gy_bench_config *cfg, int thread,
                       double zeta_n)
{
    uint64_t seed;

    memset(g, 0, sizeof(*g));
    g->cfg = cfg;
    g->thread = thread;
    gy_random(&seed, sizeof(seed));
    g->rng = seed | 1;
    g->zeta_n = zeta_n;
    if (cfg->keys >= 2 && zeta_n > 0) {
        double zeta2 = 1.0 + 1.0 / pow(2.0, ZIPF_THETA);
        g->zipf_alpha = 1.0 / (1.0 - ZIPF_THETA);
        g->zipf_eta = (1.0 - pow(2.0 / (double)cfg->keys, 1.0 - ZIPF_THETA)) /
                      (1.0 - zeta2 / zeta_n);
    }
    g->amz_date_sec = -1;
    snprintf(g->host_hdr, sizeof(g->host_hdr), "%s:%d", cfg->host, cfg->port);
    gy_buf_init(&g->body, GY_BENCH_MAX_REQUEST);
    gy_buf_init(&g->auth, 1024);

    /* "data" filler so the item is about cfg->item_size bytes (names + values, as DynamoDB
       counts them), with a key of typical length 14. */
    size_t fixed = strlen(KEY_ATTR) + 14 + strlen(DATA_ATTR);
    if (cfg->sort_key)
        fixed += strlen(SK_ATTR) + 8;
    if (cfg->stamp)
        fixed += strlen(STAMP_ATTR) + 10;
    g->payload_len = cfg->item_size > fixed ? cfg->item_size - fixed : 1;
    g->payload = gy_malloc(g->payload_len + 1);
    for (size_t i = 0; i < g->payload_len; i++)
        g->payload[i] = (char)('a' + rng_next(&g->rng) % 26);
    g->payload[g->payload_len] = '\0';
}

void gy_bench_gen_fini(struct gy_bench_gen *g)
{
    gy_buf_fini(&g->body);
    gy_buf_fini(&g->auth);
    gy_free(g->payload);
    g->payload = NULL;
}

uint64_t gy_bench_next_key(struct gy_bench_gen *g)
{
    uint64_t n = g->cfg->keys;

    if (n <= 1)
        return 0;
    if (g->cfg->dist == GY_BENCH_DIST_UNIFORM || g->zeta_n <= 0)
        return rng_next(&g->rng) % n;
    /* YCSB ZipfianGenerator (Gray et al., "Quickly generating billion-record synthetic
       databases"), then scrambled with FNV so the hot keys are spread over the key space. */
    double u = rng_unit(&g->rng);
    double uz = u * g->zeta_n;
    uint64_t rank;
    if (uz < 1.0)
        rank = 0;
    else if (uz < 1.0 + pow(0.5, ZIPF_THETA))
        rank = 1;
    else
        rank = (uint64_t)((double)n * pow(g->zipf_eta * u - g->zipf_eta + 1.0, g->zipf_alpha));
    if (rank >= n)
        rank = n - 1;
    return fnv64(rank) % n;
}

uint64_t gy_bench_next_sk(struct gy_bench_gen *g)
{
    uint32_t n = g->cfg->items_per_key;
    return n <= 1 ? 0 : rng_next(&g->rng) % n;
}

enum gy_bench_op gy_bench_pick_op(struct gy_bench_gen *g)
{
    switch (g->cfg->workload) {
    case GY_BENCH_WL_LOAD:
    case GY_BENCH_WL_PUT: return GY_BENCH_OP_PUT;
    case GY_BENCH_WL_GET: return GY_BENCH_OP_GET;
    case GY_BENCH_WL_UPDATE: return GY_BENCH_OP_UPDATE;
    case GY_BENCH_WL_YCSB_A:
        return rng_unit(&g->rng) < 0.50 ? GY_BENCH_OP_GET : GY_BENCH_OP_UPDATE;
    case GY_BENCH_WL_YCSB_B:
        return rng_unit(&g->rng) < 0.95 ? GY_BENCH_OP_GET : GY_BENCH_OP_UPDATE;
    case GY_BENCH_WL_QUERY:
    case GY_BENCH_WL_COUNT: break;
    }
    return GY_BENCH_OP_QUERY;
}

void gy_bench_key_name(uint64_t i, char *out, size_t outlen)
{
    snprintf(out, outlen, "user%010llu", (unsigned long long)i);
}

void gy_bench_sk_value(char sk_type, uint64_t i, char *out, size_t outlen)
{
    if (sk_type == 'N')
        snprintf(out, outlen, "%llu", (unsigned long long)i);
    else
        snprintf(out, outlen, "item%04llu", (unsigned long long)i);
}

/* {"S": s} under key name. */
static void put_s(struct gy_jw *w, const char *name, struct gy_str s)
{
    gy_jw_key(w, name);
    gy_jw_obj_begin(w);
    gy_jw_key(w, "S");
    gy_jw_str(w, s);
    gy_jw_obj_end(w);
}

static void put_n(struct gy_jw *w, const char *name, const char *n)
{
    gy_jw_key(w, name);
    gy_jw_obj_begin(w);
    gy_jw_key(w, "N");
    gy_jw_cstr(w, n);
    gy_jw_obj_end(w);
}

/* The key attributes (PK, and SK when the table has a sort key) inside an open object. */
static void put_key_attrs(struct gy_jw *w, const struct gy_bench_config *cfg, const char *key,
                          uint64_t sk)
{
    char v[32];

    put_s(w, KEY_ATTR, gy_str_c(key));
    if (!cfg->sort_key)
        return;
    gy_bench_sk_value(cfg->sort_key, sk, v, sizeof(v));
    if (cfg->sort_key == 'N')
        put_n(w, SK_ATTR, v);
    else
        put_s(w, SK_ATTR, gy_str_c(v));
}

static void put_key(struct gy_jw *w, const struct gy_bench_config *cfg, const char *key,
                    uint64_t sk)
{
    gy_jw_key(w, "Key");
    gy_jw_obj_begin(w);
    put_key_attrs(w, cfg, key, sk);
    gy_jw_obj_end(w);
}

/* Wall-clock microseconds, as a decimal string (the "ts" attribute). */
static void wall_us(char *out, size_t outlen)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(out, outlen, "%lld", (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000);
}

/* The JSON body of one operation into g->body; returns the X-Amz-Target operation name. */
static const char *build_body(struct gy_bench_gen *g, enum gy_bench_op op, const char *key,
                              uint64_t sk, struct gy_jw *w)
{
    const struct gy_bench_config *cfg = g->cfg;
    const char *name = NULL;
    char stamp[32];

    gy_jw_obj_begin(w);
    gy_jw_key(w, "TableName");
    gy_jw_cstr(w, cfg->table);
    switch (op) {
    case GY_BENCH_OP_PUT:
        name = "PutItem";
        gy_jw_key(w, "Item");
        gy_jw_obj_begin(w);
        put_key_attrs(w, cfg, key, sk);
        if (cfg->stamp) {
            wall_us(stamp, sizeof(stamp));
            put_n(w, STAMP_ATTR, stamp);
        }
        put_s(w, DATA_ATTR, (struct gy_str){ g->payload, g->payload_len });
        gy_jw_obj_end(w);
        break;
    case GY_BENCH_OP_GET:
        name = "GetItem";
        put_key(w, cfg, key, sk);
        if (cfg->consistent) {
            gy_jw_key(w, "ConsistentRead");
            gy_jw_bool(w, true);
        }
        break;
    case GY_BENCH_OP_UPDATE:
        /* A counter increment guarded by a condition that always holds: the server still has to
           evaluate it against the stored item (read, check, write). */
        name = "UpdateItem";
        put_key(w, cfg, key, sk);
        gy_jw_key(w, "UpdateExpression");
        gy_jw_cstr(w, "SET " COUNTER_ATTR " = if_not_exists(" COUNTER_ATTR ", :z) + :one");
        gy_jw_key(w, "ConditionExpression");
        gy_jw_cstr(w, "attribute_exists(" KEY_ATTR ") OR attribute_not_exists(" KEY_ATTR ")");
        gy_jw_key(w, "ExpressionAttributeValues");
        gy_jw_obj_begin(w);
        put_n(w, ":z", "0");
        put_n(w, ":one", "1");
        gy_jw_obj_end(w);
        break;
    case GY_BENCH_OP_QUERY:
        /* Every item of one partition: items_per_key items, in sort key order. */
        if (!cfg->sort_key)
            return NULL;
        name = "Query";
        gy_jw_key(w, "KeyConditionExpression");
        gy_jw_cstr(w, KEY_ATTR " = :p");
        gy_jw_key(w, "ExpressionAttributeValues");
        gy_jw_obj_begin(w);
        put_s(w, ":p", gy_str_c(key));
        gy_jw_obj_end(w);
        if (cfg->consistent) {
            gy_jw_key(w, "ConsistentRead");
            gy_jw_bool(w, true);
        }
        break;
    case GY_BENCH_OP_COUNT: return NULL;
    }
    gy_jw_obj_end(w);
    return name;
}

int gy_bench_build(struct gy_bench_gen *g, enum gy_bench_op op, const char *key, uint64_t sk,
                   struct gy_buf *out)
{
    struct gy_jw w;

    gy_buf_reset(&g->body);
    gy_jw_init(&w, &g->body);
    const char *name = build_body(g, op, key, sk, &w);
    if (!name)
        return GY_EINVAL;
    if (w.err)
        return w.err;
    return gy_bench_build_raw(g, name, gy_buf_str(&g->body), out);
}

int gy_bench_build_raw(struct gy_bench_gen *g, const char *operation, struct gy_str body,
                       struct gy_buf *out)
{
    char target[96];
    char clen[24];
    time_t now = time(NULL);
    int rc;

    if ((int64_t)now != g->amz_date_sec) {
        gy_sigv4_format_amz_date((int64_t)now * 1000, g->amz_date);
        g->amz_date_sec = (int64_t)now;
    }
    snprintf(target, sizeof(target), DDB_TARGET_PREFIX "%s", operation);
    snprintf(clen, sizeof(clen), "%zu", body.len);

    const struct gy_sigv4_header hdrs[] = {
        { GY_STR("Host"), gy_str_c(g->host_hdr) },
        { GY_STR("Content-Type"), GY_STR(DDB_CONTENT_TYPE) },
        { GY_STR("X-Amz-Date"), gy_str_c(g->amz_date) },
        { GY_STR("X-Amz-Target"), gy_str_c(target) },
    };
    const struct gy_sigv4_request req = {
        .method = GY_STR("POST"),
        .target = GY_STR("/"),
        .headers = hdrs,
        .nheaders = sizeof(hdrs) / sizeof(hdrs[0]),
        .body = body,
    };
    gy_buf_reset(&g->auth);
    rc = gy_sigv4_sign(&req, g->cfg->access_key, gy_str_c(g->cfg->secret), g->cfg->region,
                       "dynamodb", g->amz_date, &g->auth);
    if (rc)
        return rc;
    rc = gy_buf_printf(out,
                       "POST / HTTP/1.1\r\nHost: %s\r\nContent-Type: " DDB_CONTENT_TYPE
                       "\r\nX-Amz-Date: %s\r\nX-Amz-Target: %s\r\nAuthorization: %s\r\n"
                       "Content-Length: %s\r\n\r\n",
                       g->host_hdr, g->amz_date, target, g->auth.p, clen);
    if (rc)
        return rc;
    return gy_buf_append_str(out, body);
}

/*
 * bench.h — shared declarations of gyre-bench, the DynamoDB load generator (bench/gyre_bench.c).
 *
 * gyre_bench.c owns the command line, the phases (create table, preload, warm-up, measure) and
 * the report; bench_engine.c owns the load itself (threads, keep-alive connections over epoll,
 * http-parser for responses, open- and closed-loop pacing); bench_req.c builds and signs the
 * requests of each workload; bench_stats.c holds the latency histogram and the error table;
 * bench_selftest.c checks those pieces (--self-test).
 * Every run is bounded by a duration cap and a request cap. Method: docs/performance.md.
 */
#ifndef GY_BENCH_H
#define GY_BENCH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/str.h"

#define GY_BENCH_MAX_THREADS 64
#define GY_BENCH_MAX_CONNS 4096
#define GY_BENCH_MAX_DURATION_S 3600          /* hard cap on the measured phase */
#define GY_BENCH_DEFAULT_DURATION_CAP_S 600   /* cap when only a request count is given */
#define GY_BENCH_MAX_REQUESTS 1000000000ULL   /* hard cap on measured requests */
#define GY_BENCH_DEFAULT_REQUEST_CAP 100000000ULL /* cap when only a duration is given */
#define GY_BENCH_MAX_KEYS 10000000ULL         /* preloaded key space */
#define GY_BENCH_MAX_ITEM 350000              /* below DynamoDB's 400 KB item limit */
#define GY_BENCH_MAX_REQUEST (GY_BENCH_MAX_ITEM + 16384) /* one serialized request */
#define GY_BENCH_MAX_BODY_KEEP 65536          /* response body bytes kept for inspection */
#define GY_BENCH_MAX_ERROR_TYPES 32           /* distinct error names tracked per thread */

/* Operation kinds; each has its own latency histogram. */
enum gy_bench_op {
    GY_BENCH_OP_PUT = 0,
    GY_BENCH_OP_GET,
    GY_BENCH_OP_UPDATE,
    GY_BENCH_OP_QUERY, /* Query PK = :p (every item of one partition) */
    GY_BENCH_OP_COUNT,
};

/* Workloads: which operations, in which proportion, on which keys. */
enum gy_bench_workload {
    GY_BENCH_WL_LOAD = 0, /* PutItem of keys 0..keys-1 (x items_per_key) once each: preload */
    GY_BENCH_WL_PUT,      /* PutItem of distinct fresh keys */
    GY_BENCH_WL_GET,      /* GetItem of preloaded keys */
    GY_BENCH_WL_UPDATE,   /* conditional counter UpdateItem of preloaded keys */
    GY_BENCH_WL_YCSB_A,   /* 50% GetItem, 50% UpdateItem */
    GY_BENCH_WL_YCSB_B,   /* 95% GetItem, 5% UpdateItem */
    GY_BENCH_WL_QUERY,    /* Query of one partition (items_per_key items) */
    GY_BENCH_WL_COUNT,
};

enum gy_bench_dist {
    GY_BENCH_DIST_UNIFORM = 0,
    GY_BENCH_DIST_ZIPFIAN, /* YCSB's scrambled zipfian, theta 0.99 */
};

struct gy_bench_config {
    char host[64];              /* "127.0.0.1" */
    int port;                   /* server port */
    char region[64];            /* signing region */
    char access_key[129];       /* signing key id */
    char secret[257];           /* signing secret */
    char table[256];            /* table name */
    enum gy_bench_workload workload;
    enum gy_bench_dist dist;    /* key choice for get/update/mixes */
    int threads;                /* client threads (each its own epoll loop) */
    int connections;            /* keep-alive connections, spread over the threads */
    double duration_s;          /* measured phase length (capped) */
    uint64_t requests;          /* measured request cap */
    double warmup_s;            /* warm-up before measuring (not recorded) */
    double rate;                /* open-loop target rate in req/s; 0 = closed loop */
    double timeout_s;           /* per-request timeout */
    uint64_t keys;              /* preloaded key space */
    size_t item_size;           /* approximate DynamoDB item size of puts and the preload */
    bool consistent;            /* GetItem ConsistentRead */
    bool verify;                /* check GetItem answers hold an Item */
    char key_prefix[32];        /* prefix of fresh put keys (unique per run) */
    char sort_key;              /* sort key SK of type 'S' or 'N'; '\0': hash key only */
    uint32_t items_per_key;     /* items per partition (sort key values 0..n-1); 1 without SK */
    bool stamp;                 /* puts carry "ts" (N): wall-clock microseconds at send */
};

#define GY_BENCH_MAX_ITEMS_PER_KEY 1000

/* ---- statistics (bench_stats.c) ---- */

#define GY_BENCH_HIST_SUB_BITS 7 /* 128 sub-buckets per power of two: < 0.8% error */
#define GY_BENCH_HIST_BUCKETS ((64 - GY_BENCH_HIST_SUB_BITS + 1) << GY_BENCH_HIST_SUB_BITS)

/* An HDR-style histogram of nanosecond values: exact below 128, then 128 log-linear
   sub-buckets per power of two. */
struct gy_bench_hist {
    uint64_t count;                          /* values recorded */
    uint64_t min;                            /* smallest value */
    uint64_t max;                            /* largest value */
    double sum;                              /* for the mean */
    uint64_t buckets[GY_BENCH_HIST_BUCKETS]; /* counts per bucket */
};

void gy_bench_hist_init(struct gy_bench_hist *h);
/** Record one value (ns). */
void gy_bench_hist_add(struct gy_bench_hist *h, uint64_t v);
/** Add every count of src to dst. */
void gy_bench_hist_merge(struct gy_bench_hist *dst, const struct gy_bench_hist *src);
/** The value at quantile q in [0, 1] (upper edge of its bucket, clamped to max); 0 if empty. */
uint64_t gy_bench_hist_quantile(const struct gy_bench_hist *h, double q);
/** Bucket index of a value, and the largest value a bucket holds (exposed for tests). */
size_t gy_bench_hist_index(uint64_t v);
uint64_t gy_bench_hist_upper(size_t idx);

/* Counts of failed requests by name (the DynamoDB __type after '#', or a transport name such as
   "bench#timeout"). Names past the table's size are counted under "bench#other". */
struct gy_bench_errors {
    size_t n;                                  /* names in use */
    char names[GY_BENCH_MAX_ERROR_TYPES][96];  /* NUL-terminated names */
    uint64_t counts[GY_BENCH_MAX_ERROR_TYPES]; /* failures per name */
};

void gy_bench_errors_add(struct gy_bench_errors *e, struct gy_str name, uint64_t n);
void gy_bench_errors_merge(struct gy_bench_errors *dst, const struct gy_bench_errors *src);
uint64_t gy_bench_errors_total(const struct gy_bench_errors *e);
/**
 * The error name of a non-2xx DynamoDB answer: the part of "__type" after '#', else
 * "http_<status>". Writes a NUL-terminated name into out.
 */
void gy_bench_error_name(int status, struct gy_str body, char *out, size_t outlen);
/** The top-level "Count" of a Query or Scan answer (the first "Count" key), or -1. */
long gy_bench_query_count(struct gy_str body);

/* ---- request building (bench_req.c) ---- */

/* Per-thread generator state: random source, zipfian constants, fresh-key counter. */
struct gy_bench_gen {
    const struct gy_bench_config *cfg;
    uint64_t rng;         /* xorshift64* state */
    uint64_t seq;         /* next fresh key of this thread (put) */
    int thread;           /* thread index (part of fresh keys) */
    double zeta_n;        /* zipfian: zeta(keys, theta) */
    double zipf_alpha;    /* zipfian: 1 / (1 - theta) */
    double zipf_eta;      /* zipfian: YCSB's eta */
    char amz_date[17];    /* cached X-Amz-Date */
    int64_t amz_date_sec; /* second the cache is for */
    char host_hdr[96];    /* Host header value ("127.0.0.1:8000") */
    struct gy_buf body;   /* scratch: the JSON body being built */
    struct gy_buf auth;   /* scratch: the Authorization value */
    char *payload;        /* filler of the "data" attribute (heap, payload_len bytes) */
    size_t payload_len;   /* bytes of filler per item */
};

/** Prepare a generator for thread index thread; zeta is computed once and shared (may be 0). */
void gy_bench_gen_init(struct gy_bench_gen *g, const struct gy_bench_config *cfg, int thread,
                       double zeta_n);
/** Release the generator's buffers. */
void gy_bench_gen_fini(struct gy_bench_gen *g);
/** zeta(n, 0.99) for the zipfian generator (O(n)). */
double gy_bench_zeta(uint64_t n);
/** Next key index in [0, keys) under the configured distribution. */
uint64_t gy_bench_next_key(struct gy_bench_gen *g);
/** A uniformly random sort key index in [0, items_per_key). */
uint64_t gy_bench_next_sk(struct gy_bench_gen *g);
/** Pick the next operation of the workload. */
enum gy_bench_op gy_bench_pick_op(struct gy_bench_gen *g);
/** Format the key string of preloaded key i ("user0000000042") into out (NUL-terminated). */
void gy_bench_key_name(uint64_t i, char *out, size_t outlen);

/** Format sort key value i for a table whose SK has type sk_type ("item0003" or "3"). */
void gy_bench_sk_value(char sk_type, uint64_t i, char *out, size_t outlen);

/**
 * Append one complete, signed HTTP request (request line, headers, body) to out.
 * @param op      in: operation; GY_BENCH_OP_QUERY needs a sort key (GY_EINVAL without).
 * @param key     in: the item's hash key string (the partition, for a Query).
 * @param sk      in: sort key index of the item (ignored without a sort key and by Query).
 * @return 0, GY_EINVAL or GY_ETOOBIG.
 */
int gy_bench_build(struct gy_bench_gen *g, enum gy_bench_op op, const char *key, uint64_t sk,
                   struct gy_buf *out);
/** Append a signed request for any DynamoDB operation (target "DynamoDB_20120810.<op>"). */
int gy_bench_build_raw(struct gy_bench_gen *g, const char *operation, struct gy_str body,
                       struct gy_buf *out);

/* ---- the engine (bench_engine.c) ---- */

enum gy_bench_phase {
    GY_BENCH_PHASE_WARMUP = 0, /* sending, nothing recorded */
    GY_BENCH_PHASE_MEASURE,    /* sending and recording */
    GY_BENCH_PHASE_STOP,       /* no new requests; threads drain and exit */
};

/* Results of one thread (merged by the caller). */
struct gy_bench_result {
    struct gy_bench_hist hist[GY_BENCH_OP_COUNT]; /* latency of measured successes per op */
    uint64_t ok[GY_BENCH_OP_COUNT];               /* measured successes per op */
    uint64_t failed[GY_BENCH_OP_COUNT];           /* measured failures per op */
    struct gy_bench_errors errors;                /* measured failures by name */
    uint64_t bytes_out;                           /* request bytes written (measured) */
    uint64_t bytes_in;                            /* response bytes read (measured) */
    uint64_t reconnects;                          /* connections reopened */
    int64_t last_done_ns;                         /* time of the last measured completion */
};

/* Shared run state between the controller (gy_bench_engine_run) and the engine threads. */
struct gy_bench_run {
    const struct gy_bench_config *cfg;
    double zeta_n;                    /* shared zipfian constant */
    _Atomic int phase;                /* enum gy_bench_phase */
    _Atomic int64_t measure_start_ns; /* monotonic start of the measured phase */
    _Atomic uint64_t issued;          /* measured requests issued, against cfg->requests */
    _Atomic uint64_t load_next;       /* next key of the LOAD workload */
    _Atomic int threads_done;         /* threads that finished (drained) */
    int64_t measure_end_ns;           /* out: end of the measured phase */
    /* Called on the controller thread when measuring starts and when it ends (may be NULL). */
    void (*on_phase)(struct gy_bench_run *run, enum gy_bench_phase phase, void *ctx);
    void *ctx;                        /* for on_phase */
};

/** Monotonic clock in ns. */
int64_t gy_bench_now_ns(void);

/**
 * Run the load on cfg->threads threads: warm-up for cfg->warmup_s, then measure until
 * cfg->duration_s has passed or cfg->requests measured requests were issued and answered (for
 * the LOAD workload: until every key was written). results[i] gets thread i's numbers; run
 * must be zeroed except cfg, zeta_n, on_phase and ctx. Returns after every thread has drained
 * its in-flight requests (bounded by cfg->timeout_s) and exited. Returns 0 or GY_EIO.
 */
int gy_bench_engine_run(struct gy_bench_run *run, struct gy_bench_result *results);

/**
 * One blocking request on a fresh connection (setup: CreateTable, DescribeTable). Fills *status
 * and appends the response body to body. Bounded by timeout_ms. Returns 0 or GY_EIO.
 */
int gy_bench_http_once(const struct gy_bench_config *cfg, struct gy_str request, int timeout_ms,
                       int *status, struct gy_buf *body);

/* ---- self-test (bench_selftest.c) ---- */

/** Check the histogram, error names, zipfian keys and request signing; returns failures. */
int gy_bench_selftest(const struct gy_bench_config *cfg);

#endif

/*
 * gyre_bench.c — gyre-bench, a DynamoDB load generator: command line, setup (CreateTable and
 * wait for ACTIVE, preload), the measured run, server CPU/memory sampling from /proc, and the
 * report (text on stdout, JSON with --out).
 *
 * It talks only to loopback addresses (127.0.0.0/8) and every run is bounded: the measured
 * phase by --duration (default 10 s; 600 s when only --requests is given; at most 3600 s) and
 * by --requests (default 1e8; at most 1e9), setup by fixed timeouts. The load itself is in
 * bench_engine.c, the requests in bench_req.c. Method and numbers: docs/performance.md.
 */
#include "bench.h"

#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/clock.h"
#include "core/errors.h"
#include "core/json.h"
#include "core/mem.h"

#define SETUP_TIMEOUT_MS 10000
#define ACTIVE_WAIT_MS 30000

static const char *const workload_names[GY_BENCH_WL_COUNT] = {
    [GY_BENCH_WL_LOAD] = "load",     [GY_BENCH_WL_PUT] = "put",
    [GY_BENCH_WL_GET] = "get",       [GY_BENCH_WL_UPDATE] = "update",
    [GY_BENCH_WL_YCSB_A] = "ycsb-a", [GY_BENCH_WL_YCSB_B] = "ycsb-b",
    [GY_BENCH_WL_QUERY] = "query",
};
static const char *const op_names[GY_BENCH_OP_COUNT] = { "put", "get", "update", "query" };

struct options {
    struct gy_bench_config cfg;
    bool create_table;   /* CreateTable (and wait for ACTIVE) before running */
    bool preload;        /* write keys 0..keys-1 before the workload */
    bool have_duration;  /* --duration was given */
    bool have_requests;  /* --requests was given */
    long server_pid;     /* sample this process's CPU and memory (0: none) */
    const char *out;     /* JSON result file */
    const char *label;   /* free text copied into the result ("gyre", "dynalite") */
    bool self_test;      /* run bench_selftest.c and exit */
    bool have_table;     /* --table was given */
    bool have_prefix;    /* --key-prefix was given */
};

/* CPU and memory of the server process, sampled around the measured phase. */
struct server_sample {
    long pid;
    bool ok;                /* both samples were read */
    uint64_t ticks_start;   /* utime + stime at the measured start */
    uint64_t ticks_end;     /* utime + stime at the measured end */
    uint64_t vm_hwm_kb;     /* peak RSS after the run */
    uint64_t vm_rss_kb;     /* RSS after the run */
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: gyre-bench --port PORT [options]\n"
            "  --host IP            loopback server address (default 127.0.0.1)\n"
            "  --key AKID:SECRET    signing key (default $GYRE_ADMIN_KEY, else bench:bench)\n"
            "  --region R           signing region (default us-east-1)\n"
            "  --table NAME         table (default gyre-bench; gyre-bench-query with a sort key)\n"
            "  --workload W         load|put|get|update|ycsb-a|ycsb-b|query\n"
            "  --sort-key S|N       the table has sort key SK of that type (query: default S)\n"
            "  --items-per-key N    items per partition, SK 0..N-1 (query: default 10)\n"
            "  --stamp              puts carry \"ts\" (N): wall-clock microseconds at send\n"
            "  --key-prefix P       prefix of the fresh keys of put (default put<hex time>)\n"
            "  --dist D             uniform|zipfian key choice (default uniform)\n"
            "  --threads N          client threads (default 2)\n"
            "  --connections N      keep-alive connections (default 64)\n"
            "  --duration S         measured seconds (default 10; cap 3600)\n"
            "  --requests N         measured request cap (default 1e8)\n"
            "  --warmup S           unrecorded warm-up seconds (default 1)\n"
            "  --rate R             open loop at R req/s (default: closed loop)\n"
            "  --timeout S          per-request timeout (default 10)\n"
            "  --keys N             key space (partitions) of get/update/query (default 10000)\n"
            "  --item-size B        approximate item size of puts (default 200)\n"
            "  --consistent         GetItem with ConsistentRead\n"
            "  --verify             count a GetItem without Item as an error\n"
            "  --create-table       CreateTable first and wait until ACTIVE\n"
            "  --preload            write the key space before the workload\n"
            "  --server-pid PID     report the server's CPU per request and memory\n"
            "  --label TEXT         name of the server in the result\n"
            "  --out FILE           write the result as JSON\n"
            "  --self-test          check the tool itself (no server needed) and exit\n");
}

static int parse_num(const char *s, double lo, double hi, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v >= lo && v <= hi))
        return -1;
    *out = v;
    return 0;
}

static int copy_opt(char *dst, size_t len, const char *s)
{
    if (strlen(s) >= len)
        return -1;
    memcpy(dst, s, strlen(s) + 1);
    return 0;
}

static int set_key(struct gy_bench_config *cfg, const char *s)
{
    const char *colon = strchr(s, ':');
    if (!colon || colon == s || (size_t)(colon - s) >= sizeof(cfg->access_key) ||
        strlen(colon + 1) >= sizeof(cfg->secret) || !colon[1])
        return -1;
    memcpy(cfg->access_key, s, (size_t)(colon - s));
    cfg->access_key[colon - s] = '\0';
    return copy_opt(cfg->secret, sizeof(cfg->secret), colon + 1);
}

static int parse_workload(const char *s, enum gy_bench_workload *out)
{
    for (int i = 0; i < GY_BENCH_WL_COUNT; i++)
        if (strcmp(s, workload_names[i]) == 0) {
            *out = (enum gy_bench_workload)i;
            return 0;
        }
    return -1;
}

/* Only 127.0.0.0/8: the bench never sends load anywhere else. */
static bool is_loopback(const char *host)
{
    struct in_addr a;
    return inet_pton(AF_INET, host, &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}

static int parse_args(int argc, char **argv, struct options *o)
{
    enum { O_HOST = 256, O_PORT, O_KEY, O_REGION, O_TABLE, O_WORKLOAD, O_DIST, O_THREADS,
           O_CONNS, O_DURATION, O_REQUESTS, O_WARMUP, O_RATE, O_TIMEOUT, O_KEYS, O_ITEM,
           O_CONSISTENT, O_VERIFY, O_CREATE, O_PRELOAD, O_PID, O_LABEL, O_OUT, O_HELP,
           O_SELFTEST, O_SORTKEY, O_PER_KEY, O_STAMP, O_PREFIX };
    static const struct option longopts[] = {
        { "host", required_argument, NULL, O_HOST },
        { "port", required_argument, NULL, O_PORT },
        { "key", required_argument, NULL, O_KEY },
        { "region", required_argument, NULL, O_REGION },
        { "table", required_argument, NULL, O_TABLE },
        { "workload", required_argument, NULL, O_WORKLOAD },
        { "dist", required_argument, NULL, O_DIST },
        { "threads", required_argument, NULL, O_THREADS },
        { "connections", required_argument, NULL, O_CONNS },
        { "duration", required_argument, NULL, O_DURATION },
        { "requests", required_argument, NULL, O_REQUESTS },
        { "warmup", required_argument, NULL, O_WARMUP },
        { "rate", required_argument, NULL, O_RATE },
        { "timeout", required_argument, NULL, O_TIMEOUT },
        { "keys", required_argument, NULL, O_KEYS },
        { "item-size", required_argument, NULL, O_ITEM },
        { "consistent", no_argument, NULL, O_CONSISTENT },
        { "verify", no_argument, NULL, O_VERIFY },
        { "create-table", no_argument, NULL, O_CREATE },
        { "preload", no_argument, NULL, O_PRELOAD },
        { "server-pid", required_argument, NULL, O_PID },
        { "label", required_argument, NULL, O_LABEL },
        { "out", required_argument, NULL, O_OUT },
        { "help", no_argument, NULL, O_HELP },
        { "self-test", no_argument, NULL, O_SELFTEST },
        { "sort-key", required_argument, NULL, O_SORTKEY },
        { "items-per-key", required_argument, NULL, O_PER_KEY },
        { "stamp", no_argument, NULL, O_STAMP },
        { "key-prefix", required_argument, NULL, O_PREFIX },
        { NULL, 0, NULL, 0 },
    };
    struct gy_bench_config *cfg = &o->cfg;
    const char *env_key = getenv("GYRE_ADMIN_KEY");
    double v;
    int c, bad = 0;

    copy_opt(cfg->host, sizeof(cfg->host), "127.0.0.1");
    copy_opt(cfg->region, sizeof(cfg->region), "us-east-1");
    copy_opt(cfg->table, sizeof(cfg->table), "gyre-bench");
    if (!env_key || set_key(cfg, env_key))
        set_key(cfg, "bench:bench");
    cfg->workload = GY_BENCH_WL_GET;
    cfg->threads = 2;
    cfg->connections = 64;
    cfg->duration_s = 10;
    cfg->requests = GY_BENCH_DEFAULT_REQUEST_CAP;
    cfg->warmup_s = 1;
    cfg->timeout_s = 10;
    cfg->keys = 10000;
    cfg->item_size = 200;
    while (!bad && (c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case O_HOST: bad = copy_opt(cfg->host, sizeof(cfg->host), optarg); break;
        case O_PORT:
            bad = parse_num(optarg, 1, 65535, &v);
            cfg->port = (int)v;
            break;
        case O_KEY: bad = set_key(cfg, optarg); break;
        case O_REGION: bad = copy_opt(cfg->region, sizeof(cfg->region), optarg); break;
        case O_TABLE:
            bad = copy_opt(cfg->table, sizeof(cfg->table), optarg);
            o->have_table = true;
            break;
        case O_SORTKEY:
            if (strcmp(optarg, "S") == 0 || strcmp(optarg, "N") == 0)
                cfg->sort_key = optarg[0];
            else
                bad = -1;
            break;
        case O_PER_KEY:
            bad = parse_num(optarg, 1, GY_BENCH_MAX_ITEMS_PER_KEY, &v);
            cfg->items_per_key = (uint32_t)v;
            break;
        case O_STAMP: cfg->stamp = true; break;
        case O_PREFIX:
            bad = copy_opt(cfg->key_prefix, sizeof(cfg->key_prefix), optarg);
            o->have_prefix = true;
            break;
        case O_WORKLOAD: bad = parse_workload(optarg, &cfg->workload); break;
        case O_DIST:
            if (strcmp(optarg, "uniform") == 0)
                cfg->dist = GY_BENCH_DIST_UNIFORM;
            else if (strcmp(optarg, "zipfian") == 0)
                cfg->dist = GY_BENCH_DIST_ZIPFIAN;
            else
                bad = -1;
            break;
        case O_THREADS:
            bad = parse_num(optarg, 1, GY_BENCH_MAX_THREADS, &v);
            cfg->threads = (int)v;
            break;
        case O_CONNS:
            bad = parse_num(optarg, 1, GY_BENCH_MAX_CONNS, &v);
            cfg->connections = (int)v;
            break;
        case O_DURATION:
            bad = parse_num(optarg, 0.01, GY_BENCH_MAX_DURATION_S, &cfg->duration_s);
            o->have_duration = true;
            break;
        case O_REQUESTS:
            bad = parse_num(optarg, 1, (double)GY_BENCH_MAX_REQUESTS, &v);
            cfg->requests = (uint64_t)v;
            o->have_requests = true;
            break;
        case O_WARMUP: bad = parse_num(optarg, 0, 600, &cfg->warmup_s); break;
        case O_RATE: bad = parse_num(optarg, 0, 1e8, &cfg->rate); break;
        case O_TIMEOUT: bad = parse_num(optarg, 0.1, 600, &cfg->timeout_s); break;
        case O_KEYS:
            bad = parse_num(optarg, 1, (double)GY_BENCH_MAX_KEYS, &v);
            cfg->keys = (uint64_t)v;
            break;
        case O_ITEM:
            bad = parse_num(optarg, 1, GY_BENCH_MAX_ITEM, &v);
            cfg->item_size = (size_t)v;
            break;
        case O_CONSISTENT: cfg->consistent = true; break;
        case O_VERIFY: cfg->verify = true; break;
        case O_CREATE: o->create_table = true; break;
        case O_PRELOAD: o->preload = true; break;
        case O_PID:
            bad = parse_num(optarg, 1, 4194304, &v);
            o->server_pid = (long)v;
            break;
        case O_LABEL: o->label = optarg; break;
        case O_OUT: o->out = optarg; break;
        case O_HELP: usage(stdout); exit(0);
        case O_SELFTEST: o->self_test = true; break;
        default: bad = -1; break;
        }
    }
    if (bad || optind != argc || (!cfg->port && !o->self_test))
        return -1;
    if (!is_loopback(cfg->host)) {
        fprintf(stderr, "gyre-bench: --host must be a 127.0.0.0/8 address\n");
        return -1;
    }
    if (cfg->workload == GY_BENCH_WL_QUERY) {
        /* Query needs partitions of several items: a sort key, 10 items each by default. */
        if (!cfg->sort_key)
            cfg->sort_key = 'S';
        if (!cfg->items_per_key)
            cfg->items_per_key = 10;
    }
    if (!cfg->items_per_key)
        cfg->items_per_key = 1;
    if (cfg->items_per_key > 1 && !cfg->sort_key) {
        fprintf(stderr, "gyre-bench: --items-per-key above 1 needs --sort-key\n");
        return -1;
    }
    if (cfg->keys * cfg->items_per_key > GY_BENCH_MAX_KEYS) {
        fprintf(stderr, "gyre-bench: --keys x --items-per-key is above %llu\n",
                (unsigned long long)GY_BENCH_MAX_KEYS);
        return -1;
    }
    if (cfg->sort_key && !o->have_table)
        copy_opt(cfg->table, sizeof(cfg->table), "gyre-bench-query");
    if (cfg->threads > cfg->connections)
        cfg->threads = cfg->connections;
    if (o->have_requests && !o->have_duration)
        cfg->duration_s = GY_BENCH_DEFAULT_DURATION_CAP_S;
    if (cfg->workload == GY_BENCH_WL_LOAD) {
        cfg->warmup_s = 0;
        cfg->requests = cfg->keys * cfg->items_per_key;
        cfg->duration_s = GY_BENCH_DEFAULT_DURATION_CAP_S;
    }
    if (!o->have_prefix)
        snprintf(cfg->key_prefix, sizeof(cfg->key_prefix), "put%08llx",
                 (unsigned long long)(gy_now_ms() & 0xffffffffLL));
    return 0;
}

/* ---------------------------------------------------------------- setup */

/* One setup call; returns the status (or -1 on a transport failure) and the body. */
static int setup_call(const struct gy_bench_config *cfg, const char *op, const char *body,
                      struct gy_buf *resp)
{
    struct gy_bench_gen *g = gy_malloc(sizeof(*g));
    struct gy_buf req;
    int status = -1;

    gy_bench_gen_init(g, cfg, 0, 0);
    gy_buf_init(&req, GY_BENCH_MAX_REQUEST);
    gy_buf_reset(resp);
    if (gy_bench_build_raw(g, op, gy_str_c(body), &req) == 0 &&
        gy_bench_http_once(cfg, gy_buf_str(&req), SETUP_TIMEOUT_MS, &status, resp) != 0)
        status = -1;
    gy_buf_fini(&req);
    gy_bench_gen_fini(g);
    gy_free(g);
    return status;
}

static bool table_active(struct gy_str body)
{
    struct gy_arena *arena = gy_arena_create(4096);
    const struct gy_json *root = NULL;
    const char *why;
    bool active = false;

    if (gy_json_parse(arena, body.p, body.len, &root, &why) == 0)
        active = gy_str_eqc(gy_json_str(gy_json_get(gy_json_get(root, "Table"), "TableStatus")),
                            "ACTIVE");
    gy_arena_destroy(arena);
    return active;
}

static int create_table(const struct gy_bench_config *cfg)
{
    struct gy_buf body, resp;
    struct gy_jw w;
    char name[96];
    int rc = -1;

    gy_buf_init(&body, 4096);
    gy_buf_init(&resp, 1 << 20);
    gy_jw_init(&w, &body);
    gy_jw_obj_begin(&w);
    gy_jw_key(&w, "TableName");
    gy_jw_cstr(&w, cfg->table);
    if (cfg->sort_key) {
        gy_jw_key(&w, "AttributeDefinitions");
        gy_jw_raw(&w, cfg->sort_key == 'N'
                          ? GY_STR("[{\"AttributeName\":\"PK\",\"AttributeType\":\"S\"},"
                                   "{\"AttributeName\":\"SK\",\"AttributeType\":\"N\"}]")
                          : GY_STR("[{\"AttributeName\":\"PK\",\"AttributeType\":\"S\"},"
                                   "{\"AttributeName\":\"SK\",\"AttributeType\":\"S\"}]"));
        gy_jw_key(&w, "KeySchema");
        gy_jw_raw(&w, GY_STR("[{\"AttributeName\":\"PK\",\"KeyType\":\"HASH\"},"
                             "{\"AttributeName\":\"SK\",\"KeyType\":\"RANGE\"}]"));
    } else {
        gy_jw_key(&w, "AttributeDefinitions");
        gy_jw_raw(&w, GY_STR("[{\"AttributeName\":\"PK\",\"AttributeType\":\"S\"}]"));
        gy_jw_key(&w, "KeySchema");
        gy_jw_raw(&w, GY_STR("[{\"AttributeName\":\"PK\",\"KeyType\":\"HASH\"}]"));
    }
    gy_jw_key(&w, "BillingMode");
    gy_jw_cstr(&w, "PAY_PER_REQUEST");
    gy_jw_obj_end(&w);

    int status = setup_call(cfg, "CreateTable", body.p, &resp);
    if (status != 200) {
        if (status < 0) {
            fprintf(stderr, "gyre-bench: CreateTable: no answer from %s:%d\n", cfg->host,
                    cfg->port);
            goto out;
        }
        gy_bench_error_name(status, gy_buf_str(&resp), name, sizeof(name));
        if (strcmp(name, "ResourceInUseException") != 0) {
            fprintf(stderr, "gyre-bench: CreateTable failed: %d %.*s\n", status,
                    (int)resp.len, resp.p ? resp.p : "");
            goto out;
        }
    }
    gy_buf_reset(&body);
    gy_jw_init(&w, &body);
    gy_jw_obj_begin(&w);
    gy_jw_key(&w, "TableName");
    gy_jw_cstr(&w, cfg->table);
    gy_jw_obj_end(&w);
    for (int64_t deadline = gy_mono_ms() + ACTIVE_WAIT_MS; gy_mono_ms() < deadline;) {
        status = setup_call(cfg, "DescribeTable", body.p, &resp);
        if (status == 200 && table_active(gy_buf_str(&resp))) {
            rc = 0;
            goto out;
        }
        struct timespec nap = { 0, 50000000 };
        nanosleep(&nap, NULL);
    }
    fprintf(stderr, "gyre-bench: table %s did not become ACTIVE\n", cfg->table);
out:
    gy_buf_fini(&body);
    gy_buf_fini(&resp);
    return rc;
}

/* ---------------------------------------------------------------- /proc sampling */

static int read_file(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, len - 1, f);
    buf[n] = '\0';
    fclose(f);
    return 0;
}

/* utime + stime (fields 14 and 15 of /proc/PID/stat) in clock ticks. */
static int read_cpu_ticks(long pid, uint64_t *out)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
    if (read_file(path, buf, sizeof(buf)))
        return -1;
    char *p = strrchr(buf, ')');
    if (!p)
        return -1;
    p++;
    uint64_t fields[13] = { 0 };
    for (int i = 0; i < 13; i++) {
        while (*p == ' ')
            p++;
        if (i == 0) { /* state: a letter */
            p++;
            continue;
        }
        char *end;
        fields[i] = strtoull(p, &end, 10);
        if (end == p)
            return -1;
        p = end;
    }
    *out = fields[11] + fields[12]; /* fields 14 and 15 */
    return 0;
}

static uint64_t read_status_kb(long pid, const char *field)
{
    char path[64], buf[4096];
    snprintf(path, sizeof(path), "/proc/%ld/status", pid);
    if (read_file(path, buf, sizeof(buf)))
        return 0;
    const char *p = strstr(buf, field);
    if (!p)
        return 0;
    p += strlen(field);
    while (*p == ' ' || *p == '\t' || *p == ':')
        p++;
    return strtoull(p, NULL, 10);
}

static void on_phase(struct gy_bench_run *run, enum gy_bench_phase phase, void *ctx)
{
    struct server_sample *s = ctx;
    if (!s->pid)
        return;
    if (phase == GY_BENCH_PHASE_MEASURE)
        s->ok = read_cpu_ticks(s->pid, &s->ticks_start) == 0;
    else if (phase == GY_BENCH_PHASE_STOP && s->ok)
        s->ok = read_cpu_ticks(s->pid, &s->ticks_end) == 0;
}

/* ---------------------------------------------------------------- report */

struct summary {
    struct gy_bench_hist all;                     /* every measured success */
    struct gy_bench_hist op[GY_BENCH_OP_COUNT];   /* per operation */
    uint64_t ok[GY_BENCH_OP_COUNT];
    uint64_t failed[GY_BENCH_OP_COUNT];
    struct gy_bench_errors errors;
    uint64_t ok_total, failed_total, bytes_out, bytes_in, reconnects;
    double seconds;                               /* measured phase */
};

static void summarize(const struct gy_bench_run *run, const struct gy_bench_result *res,
                      int nt, struct summary *s)
{
    memset(s, 0, sizeof(*s));
    gy_bench_hist_init(&s->all);
    for (int o = 0; o < GY_BENCH_OP_COUNT; o++)
        gy_bench_hist_init(&s->op[o]);
    for (int t = 0; t < nt; t++) {
        for (int o = 0; o < GY_BENCH_OP_COUNT; o++) {
            gy_bench_hist_merge(&s->op[o], &res[t].hist[o]);
            gy_bench_hist_merge(&s->all, &res[t].hist[o]);
            s->ok[o] += res[t].ok[o];
            s->failed[o] += res[t].failed[o];
        }
        gy_bench_errors_merge(&s->errors, &res[t].errors);
        s->bytes_out += res[t].bytes_out;
        s->bytes_in += res[t].bytes_in;
        s->reconnects += res[t].reconnects;
    }
    for (int o = 0; o < GY_BENCH_OP_COUNT; o++) {
        s->ok_total += s->ok[o];
        s->failed_total += s->failed[o];
    }
    int64_t start = atomic_load(&((struct gy_bench_run *)run)->measure_start_ns);
    s->seconds = run->measure_end_ns > start ? (double)(run->measure_end_ns - start) / 1e9 : 0;
}

static const double quantiles[] = { 0.50, 0.90, 0.99, 0.999 };
static const char *const quantile_keys[] = { "p50", "p90", "p99", "p999" };

static void print_hist_row(const char *name, const struct gy_bench_hist *h)
{
    printf("  %-8s", name);
    for (size_t i = 0; i < sizeof(quantiles) / sizeof(quantiles[0]); i++)
        printf(" %9.3f", (double)gy_bench_hist_quantile(h, quantiles[i]) / 1e6);
    printf(" %9.3f %9.3f\n", (double)h->max / 1e6, h->count ? h->sum / (double)h->count / 1e6 : 0);
}

static void print_report(const struct options *o, const struct summary *s,
                         const struct server_sample *srv)
{
    const struct gy_bench_config *cfg = &o->cfg;
    uint64_t done = s->ok_total + s->failed_total;

    printf("gyre-bench: %s workload %s (%s keys, %llu keys x %u items) against %s:%d, %d "
           "connections on %d threads, %s\n",
           o->label ? o->label : "server", workload_names[cfg->workload],
           cfg->dist == GY_BENCH_DIST_ZIPFIAN ? "zipfian" : "uniform",
           (unsigned long long)cfg->keys, cfg->items_per_key, cfg->host, cfg->port,
           cfg->connections, cfg->threads,
           cfg->rate > 0 ? "open loop" : "closed loop");
    printf("  measured %.2f s: %llu requests, %.1f req/s, %llu ok, %llu failed\n", s->seconds,
           (unsigned long long)done, s->seconds > 0 ? (double)done / s->seconds : 0,
           (unsigned long long)s->ok_total, (unsigned long long)s->failed_total);
    printf("  latency ms      p50       p90       p99     p99.9       max      mean\n");
    print_hist_row("all", &s->all);
    for (int op = 0; op < GY_BENCH_OP_COUNT; op++)
        if (s->op[op].count && s->op[op].count != s->all.count)
            print_hist_row(op_names[op], &s->op[op]);
    for (size_t i = 0; i < s->errors.n; i++)
        printf("  error %s: %llu\n", s->errors.names[i], (unsigned long long)s->errors.counts[i]);
    if (srv->pid && srv->ok && done)
        printf("  server pid %ld: %.1f us CPU per request, VmHWM %.1f MB, VmRSS %.1f MB\n",
               srv->pid,
               (double)(srv->ticks_end - srv->ticks_start) * 1e6 / (double)sysconf(_SC_CLK_TCK) /
                   (double)done,
               (double)srv->vm_hwm_kb / 1024.0, (double)srv->vm_rss_kb / 1024.0);
}

static void json_hist(struct gy_jw *w, const char *key, const struct gy_bench_hist *h)
{
    gy_jw_key(w, key);
    gy_jw_obj_begin(w);
    gy_jw_key(w, "count");
    gy_jw_uint(w, h->count);
    for (size_t i = 0; i < sizeof(quantiles) / sizeof(quantiles[0]); i++) {
        gy_jw_key(w, quantile_keys[i]);
        gy_jw_double(w, (double)gy_bench_hist_quantile(h, quantiles[i]) / 1e3);
    }
    gy_jw_key(w, "max");
    gy_jw_double(w, (double)h->max / 1e3);
    gy_jw_key(w, "mean");
    gy_jw_double(w, h->count ? h->sum / (double)h->count / 1e3 : 0);
    gy_jw_obj_end(w);
}

static int write_json(const struct options *o, const struct summary *s,
                      const struct server_sample *srv)
{
    const struct gy_bench_config *cfg = &o->cfg;
    uint64_t done = s->ok_total + s->failed_total;
    struct gy_buf buf;
    struct gy_jw w;
    int rc = -1;

    gy_buf_init(&buf, 1 << 20);
    gy_jw_init(&w, &buf);
    gy_jw_obj_begin(&w);
    gy_jw_key(&w, "label");
    gy_jw_cstr(&w, o->label ? o->label : "");
    gy_jw_key(&w, "workload");
    gy_jw_cstr(&w, workload_names[cfg->workload]);
    gy_jw_key(&w, "dist");
    gy_jw_cstr(&w, cfg->dist == GY_BENCH_DIST_ZIPFIAN ? "zipfian" : "uniform");
    gy_jw_key(&w, "keys");
    gy_jw_uint(&w, cfg->keys);
    gy_jw_key(&w, "items_per_key");
    gy_jw_uint(&w, cfg->items_per_key);
    gy_jw_key(&w, "table");
    gy_jw_cstr(&w, cfg->table);
    gy_jw_key(&w, "item_size");
    gy_jw_uint(&w, cfg->item_size);
    gy_jw_key(&w, "connections");
    gy_jw_int(&w, cfg->connections);
    gy_jw_key(&w, "threads");
    gy_jw_int(&w, cfg->threads);
    gy_jw_key(&w, "target_rate");
    gy_jw_double(&w, cfg->rate);
    gy_jw_key(&w, "seconds");
    gy_jw_double(&w, s->seconds);
    gy_jw_key(&w, "requests");
    gy_jw_uint(&w, done);
    gy_jw_key(&w, "ok");
    gy_jw_uint(&w, s->ok_total);
    gy_jw_key(&w, "failed");
    gy_jw_uint(&w, s->failed_total);
    gy_jw_key(&w, "throughput");
    gy_jw_double(&w, s->seconds > 0 ? (double)done / s->seconds : 0);
    gy_jw_key(&w, "bytes_out");
    gy_jw_uint(&w, s->bytes_out);
    gy_jw_key(&w, "bytes_in");
    gy_jw_uint(&w, s->bytes_in);
    gy_jw_key(&w, "reconnects");
    gy_jw_uint(&w, s->reconnects);
    gy_jw_key(&w, "latency_unit");
    gy_jw_cstr(&w, "us");
    json_hist(&w, "latency", &s->all);
    gy_jw_key(&w, "ops");
    gy_jw_obj_begin(&w);
    for (int op = 0; op < GY_BENCH_OP_COUNT; op++) {
        if (!s->ok[op] && !s->failed[op])
            continue;
        gy_jw_key(&w, op_names[op]);
        gy_jw_obj_begin(&w);
        gy_jw_key(&w, "ok");
        gy_jw_uint(&w, s->ok[op]);
        gy_jw_key(&w, "failed");
        gy_jw_uint(&w, s->failed[op]);
        json_hist(&w, "latency", &s->op[op]);
        gy_jw_obj_end(&w);
    }
    gy_jw_obj_end(&w);
    gy_jw_key(&w, "errors");
    gy_jw_obj_begin(&w);
    for (size_t i = 0; i < s->errors.n; i++) {
        gy_jw_key(&w, s->errors.names[i]);
        gy_jw_uint(&w, s->errors.counts[i]);
    }
    gy_jw_obj_end(&w);
    if (srv->pid) {
        gy_jw_key(&w, "server");
        gy_jw_obj_begin(&w);
        gy_jw_key(&w, "pid");
        gy_jw_int(&w, srv->pid);
        if (srv->ok && done) {
            double us = (double)(srv->ticks_end - srv->ticks_start) * 1e6 /
                        (double)sysconf(_SC_CLK_TCK);
            gy_jw_key(&w, "cpu_us");
            gy_jw_double(&w, us);
            gy_jw_key(&w, "cpu_us_per_request");
            gy_jw_double(&w, us / (double)done);
        }
        gy_jw_key(&w, "vm_hwm_kb");
        gy_jw_uint(&w, srv->vm_hwm_kb);
        gy_jw_key(&w, "vm_rss_kb");
        gy_jw_uint(&w, srv->vm_rss_kb);
        gy_jw_obj_end(&w);
    }
    gy_jw_obj_end(&w);
    if (w.err)
        goto out;
    FILE *f = fopen(o->out, "w");
    if (!f)
        goto out;
    bool wrote = fwrite(buf.p, 1, buf.len, f) == buf.len && fputc('\n', f) != EOF;
    rc = fclose(f) == 0 && wrote ? 0 : -1;
out:
    if (rc)
        fprintf(stderr, "gyre-bench: cannot write %s\n", o->out);
    gy_buf_fini(&buf);
    return rc;
}

/* ---------------------------------------------------------------- main */

/* Run one workload with the engine; fills *s. */
static int run_workload(const struct gy_bench_config *cfg, double zeta, struct server_sample *srv,
                        struct summary *s)
{
    struct gy_bench_run run = { .cfg = cfg, .zeta_n = zeta, .on_phase = on_phase, .ctx = srv };
    struct gy_bench_result *res = gy_calloc((size_t)cfg->threads, sizeof(*res));
    int rc = gy_bench_engine_run(&run, res);
    summarize(&run, res, cfg->threads, s);
    gy_free(res);
    return rc;
}

int main(int argc, char **argv)
{
    struct options o = { 0 };
    struct server_sample srv = { 0 };
    struct summary *s = gy_calloc(1, sizeof(*s));
    int rc = 1;

    if (parse_args(argc, argv, &o)) {
        usage(stderr);
        goto out;
    }
    if (o.self_test) {
        rc = gy_bench_selftest(&o.cfg) ? 1 : 0;
        goto out;
    }
    if (o.create_table && create_table(&o.cfg))
        goto out;
    if (o.preload && o.cfg.workload != GY_BENCH_WL_LOAD) {
        struct gy_bench_config lc = o.cfg;
        struct server_sample none = { 0 };
        lc.workload = GY_BENCH_WL_LOAD;
        lc.warmup_s = 0;
        lc.rate = 0;
        lc.requests = lc.keys * lc.items_per_key;
        lc.duration_s = GY_BENCH_DEFAULT_DURATION_CAP_S;
        if (run_workload(&lc, 0, &none, s))
            goto out;
        if (s->ok_total != lc.requests) {
            fprintf(stderr, "gyre-bench: preload wrote %llu of %llu items\n",
                    (unsigned long long)s->ok_total, (unsigned long long)lc.requests);
            for (size_t i = 0; i < s->errors.n; i++)
                fprintf(stderr, "  error %s: %llu\n", s->errors.names[i],
                        (unsigned long long)s->errors.counts[i]);
            goto out;
        }
    }
    srv.pid = o.server_pid;
    double zeta = o.cfg.dist == GY_BENCH_DIST_ZIPFIAN ? gy_bench_zeta(o.cfg.keys) : 0;
    if (run_workload(&o.cfg, zeta, &srv, s))
        goto out;
    if (srv.pid) {
        srv.vm_hwm_kb = read_status_kb(srv.pid, "VmHWM");
        srv.vm_rss_kb = read_status_kb(srv.pid, "VmRSS");
    }
    print_report(&o, s, &srv);
    if (o.out && write_json(&o, s, &srv))
        goto out;
    rc = 0;
out:
    gy_free(s);
    return rc;
}

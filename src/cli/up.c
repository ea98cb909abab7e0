/*
 * up.c — `gyre up`: the seed's deployment on one machine. Starts one `gyre serve` process per
 * region (default us-east-1, eu-west-1, ap-southeast-1 on 127.0.0.1:4566, 4567, 4568), each
 * with its own data directory and every other region as a peer, all sharing one admin key;
 * creates the seed's global table `ecommerce-global` (PK and SK strings, PAY_PER_REQUEST, stream
 * NEW_AND_OLD_IMAGES, replicas in every region) and, in every region, its Kinesis stream
 * `ecommerce-events` (3 shards, 24 h, KMS settings, the Application tag) unless they exist;
 * prints the endpoints, the
 * credentials and the seed's validation commands; and on SIGINT or SIGTERM stops every region
 * cleanly (SIGTERM to each, then waits).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aws/credentials.h"
#include "cli/cli.h"
#include "core/clock.h"
#include "core/log.h"

#define MAX_REGIONS 8
#define TABLE "ecommerce-global"
#define STREAM "ecommerce-events"

struct region {
    char name[32];
    int port;
    char url[64];
    pid_t pid;
};

static int parse_regions(const char *s, struct region *r, int *n)
{
    char buf[512];
    snprintf(buf, sizeof(buf), "%s", s);
    *n = 0;
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (*n == MAX_REGIONS || strlen(tok) >= sizeof(r[0].name) || !*tok)
            return -1;
        snprintf(r[(*n)++].name, sizeof(r[0].name), "%s", tok);
    }
    return *n ? 0 : -1;
}

static pid_t start_region(const char *exe, const char *data, const struct region *rs, int n, int i,
                          const struct gy_aws_key *key)
{
    char dir[1024], log[1100], listen[64], keyarg[300];
    char *argv[64];
    int a = 0;
    char peers[MAX_REGIONS][160];

    snprintf(dir, sizeof(dir), "%s/%s", data, rs[i].name);
    snprintf(log, sizeof(log), "%s/gyre-%s.log", data, rs[i].name);
    snprintf(listen, sizeof(listen), "127.0.0.1:%d", rs[i].port);
    snprintf(keyarg, sizeof(keyarg), "%s:%s", key->access_key, key->secret);
    argv[a++] = (char *)exe;
    argv[a++] = "serve";
    argv[a++] = "--region";
    argv[a++] = (char *)rs[i].name;
    argv[a++] = "--listen";
    argv[a++] = listen;
    argv[a++] = "--data";
    argv[a++] = dir;
    argv[a++] = "--admin-key";
    argv[a++] = keyarg;
    for (int j = 0; j < n; j++) {
        if (j == i)
            continue;
        snprintf(peers[j], sizeof(peers[j]), "%.31s=%.63s", rs[j].name, rs[j].url);
        argv[a++] = "--peer";
        argv[a++] = peers[j];
    }
    argv[a] = NULL;
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        /* The children get SIGTERM from us; let them see it (our mask blocks it). */
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execv(exe, argv);
        _exit(127);
    }
    return pid;
}

static bool healthy(const struct region *r)
{
    struct gy_buf b;
    long status = 0;
    gy_buf_init(&b, 4096);
    gy_cli_get(r->url, "/_gyre/health", &status, &b);
    gy_buf_fini(&b);
    return status == 200;
}

static long call(const struct region *r, const struct gy_aws_key *key, const char *op,
                 const char *body, struct gy_buf *resp)
{
    long status = 0;
    gy_buf_reset(resp);
    gy_cli_call(r->url, r->name, key, op, gy_str_c(body), &status, resp);
    return status;
}

/* Create the seed's table as a global table across every region (idempotent). */
static int create_seed_table(const struct region *rs, int n, const struct gy_aws_key *key)
{
    struct gy_buf resp;
    char body[4096];
    int rc = 0;
    gy_buf_init(&resp, 1 << 20);
    long st = call(&rs[0], key, "DescribeTable", "{\"TableName\":\"" TABLE "\"}", &resp);
    if (st != 200) {
        st = call(&rs[0], key, "CreateTable",
                  "{\"TableName\":\"" TABLE "\","
                  "\"AttributeDefinitions\":[{\"AttributeName\":\"PK\",\"AttributeType\":\"S\"},"
                  "{\"AttributeName\":\"SK\",\"AttributeType\":\"S\"}],"
                  "\"KeySchema\":[{\"AttributeName\":\"PK\",\"KeyType\":\"HASH\"},"
                  "{\"AttributeName\":\"SK\",\"KeyType\":\"RANGE\"}],"
                  "\"BillingMode\":\"PAY_PER_REQUEST\","
                  "\"StreamSpecification\":{\"StreamEnabled\":true,"
                  "\"StreamViewType\":\"NEW_AND_OLD_IMAGES\"}}",
                  &resp);
        if (st != 200) {
            fprintf(stderr, "gyre up: CreateTable failed (%ld): %.*s\n", st, (int)resp.len,
                    resp.p ? resp.p : "");
            rc = -1;
            goto out;
        }
    }
    /* Add every region that is not yet a replica. */
    size_t at = (size_t)snprintf(body, sizeof(body), "{\"TableName\":\"" TABLE "\",\"ReplicaUpdates\":[");
    int added = 0;
    for (int i = 1; i < n; i++) {
        char needle[64];
        snprintf(needle, sizeof(needle), "\"RegionName\":\"%s\"", rs[i].name);
        if (resp.p && strstr(resp.p, needle))
            continue;
        at += (size_t)snprintf(body + at, sizeof(body) - at, "%s{\"Create\":{\"RegionName\":\"%s\"}}",
                               added ? "," : "", rs[i].name);
        added++;
    }
    snprintf(body + at, sizeof(body) - at, "]}");
    if (added) {
        st = call(&rs[0], key, "UpdateTable", body, &resp);
        if (st != 200) {
            fprintf(stderr, "gyre up: adding replicas failed (%ld): %.*s\n", st, (int)resp.len,
                    resp.p ? resp.p : "");
            rc = -1;
            goto out;
        }
    }
    /* Ready when every region lists the table. */
    for (int tries = 0; tries < 200; tries++) {
        int ok = 0;
        for (int i = 0; i < n; i++)
            ok += call(&rs[i], key, "DescribeTable", "{\"TableName\":\"" TABLE "\"}", &resp) == 200;
        if (ok == n)
            goto out;
        struct timespec ts = { 0, 10 * 1000000 };
        nanosleep(&ts, NULL);
    }
    fprintf(stderr, "gyre up: the table did not reach every region\n");
    rc = -1;
out:
    gy_buf_fini(&resp);
    return rc;
}

/*
 * The seed's Kinesis stream in every region (idempotent): ecommerce-events, 3 shards, 24 h
 * retention, KMS encryption with alias/aws/kinesis and the Application tag, as its template
 * declares; ready when every region reports it ACTIVE.
 */
static int create_seed_stream(const struct region *rs, int n, const struct gy_aws_key *key)
{
    struct gy_buf resp;
    int rc = 0;
    gy_buf_init(&resp, 1 << 20);
    for (int i = 0; i < n && rc == 0; i++) {
        long st = 0;
        const char *describe = "{\"StreamName\":\"" STREAM "\"}";
        gy_buf_reset(&resp);
        gy_cli_call_svc(&gy_cli_kinesis, rs[i].url, rs[i].name, key, "DescribeStreamSummary",
                        gy_str_c(describe), &st, &resp);
        if (st == 200)
            continue;
        static const char *const steps[][2] = {
            { "CreateStream", "{\"StreamName\":\"" STREAM "\",\"ShardCount\":3,"
                              "\"StreamModeDetails\":{\"StreamMode\":\"PROVISIONED\"}}" },
            { "AddTagsToStream", "{\"StreamName\":\"" STREAM "\","
                                 "\"Tags\":{\"Application\":\"ecommerce\"}}" },
            { "StartStreamEncryption", "{\"StreamName\":\"" STREAM "\",\"EncryptionType\":\"KMS\","
                                       "\"KeyId\":\"alias/aws/kinesis\"}" },
        };
        for (size_t k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
            /* Each step waits for the stream to leave CREATING/UPDATING. */
            for (int tries = 0; tries < 200; tries++) {
                gy_buf_reset(&resp);
                gy_cli_call_svc(&gy_cli_kinesis, rs[i].url, rs[i].name, key, steps[k][0],
                                gy_str_c(steps[k][1]), &st, &resp);
                if (st == 200 || !resp.p || !strstr(resp.p, "ResourceInUseException") || k == 0)
                    break;
                struct timespec ts = { 0, 10 * 1000000 };
                nanosleep(&ts, NULL);
            }
            if (st != 200) {
                fprintf(stderr, "gyre up: %s of %s in %s failed (%ld): %.*s\n", steps[k][0],
                        STREAM, rs[i].name, st, (int)resp.len, resp.p ? resp.p : "");
                rc = -1;
                break;
            }
        }
    }
    for (int tries = 0; rc == 0 && tries < 200; tries++) {
        int ok = 0;
        for (int i = 0; i < n; i++) {
            long st = 0;
            gy_buf_reset(&resp);
            gy_cli_call_svc(&gy_cli_kinesis, rs[i].url, rs[i].name, key, "DescribeStreamSummary",
                            gy_str_c("{\"StreamName\":\"" STREAM "\"}"), &st, &resp);
            ok += st == 200 && resp.p && strstr(resp.p, "\"StreamStatus\":\"ACTIVE\"");
        }
        if (ok == n)
            goto out;
        struct timespec ts = { 0, 10 * 1000000 };
        nanosleep(&ts, NULL);
    }
    if (rc == 0) {
        fprintf(stderr, "gyre up: the stream %s did not become ACTIVE everywhere\n", STREAM);
        rc = -1;
    }
out:
    gy_buf_fini(&resp);
    return rc;
}

static void stop_all(struct region *rs, int n)
{
    for (int i = 0; i < n; i++)
        if (rs[i].pid > 0)
            kill(rs[i].pid, SIGTERM);
    for (int i = 0; i < n; i++)
        if (rs[i].pid > 0)
            waitpid(rs[i].pid, NULL, 0);
}

/* `gyre up --help`: every flag gy_cli_up accepts, one line each. */
static void usage(FILE *f)
{
    fprintf(f,
            "usage: gyre up [--regions R1,R2,...] [--base-port PORT] [--data DIR]\n"
            "\n"
            "Run one `gyre serve` per region on 127.0.0.1, each a peer of the others, create the\n"
            "global table " TABLE " in every region, and stop them all on SIGINT or SIGTERM.\n"
            "\n"
            "Options:\n"
            "  --regions R1,R2,...   regions to run, at most %d\n"
            "                        (default us-east-1,eu-west-1,ap-southeast-1)\n"
            "  --base-port PORT      port of the first region; the others follow (default 4566)\n"
            "  --data DIR            parent data directory, one subdirectory per region\n"
            "                        (default ./gyre-data)\n"
            "  -h, --help            print this help\n"
            "\n"
            "Every region shares one admin key: GYRE_ADMIN_KEY=AKID:SECRET, or the one written to\n"
            "DIR/credentials on the first start.\n",
            MAX_REGIONS);
}

int gy_cli_up(int argc, char **argv, const char *exe)
{
    static const struct option longopts[] = {
        { "regions", required_argument, NULL, 'r' },
        { "base-port", required_argument, NULL, 'p' },
        { "data", required_argument, NULL, 'd' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct region rs[MAX_REGIONS];
    int n = 0, base = 4566, c;
    const char *data = "./gyre-data";
    const char *regions = "us-east-1,eu-west-1,ap-southeast-1";
    struct gy_aws_key key;
    int64_t t0 = gy_mono_ms();

    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == 'r') {
            regions = optarg;
        } else if (c == 'p') {
            base = (int)strtol(optarg, NULL, 10);
        } else if (c == 'd') {
            data = optarg;
        } else if (c == 'h') {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "gyre up: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    if (parse_regions(regions, rs, &n) || base < 1 || base + n > 65535) {
        fprintf(stderr, "gyre up: bad --regions or --base-port\n");
        return 2;
    }
    if (mkdir(data, 0700) && errno != EEXIST) {
        fprintf(stderr, "gyre up: cannot create %s: %s\n", data, strerror(errno));
        return 1;
    }
    if (gy_aws_credentials_setup(data, getenv("GYRE_ADMIN_KEY"), &key))
        return 1;
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    for (int i = 0; i < n; i++) {
        rs[i].port = base + i;
        snprintf(rs[i].url, sizeof(rs[i].url), "http://127.0.0.1:%d", rs[i].port);
        rs[i].pid = 0;
    }
    for (int i = 0; i < n; i++) {
        rs[i].pid = start_region(exe, data, rs, n, i, &key);
        if (rs[i].pid < 0) {
            stop_all(rs, n);
            return 1;
        }
    }
    for (int i = 0; i < n; i++) {
        int tries = 0;
        while (!healthy(&rs[i])) {
            int status;
            if (waitpid(rs[i].pid, &status, WNOHANG) == rs[i].pid || ++tries > 500) {
                fprintf(stderr, "gyre up: %s did not start; see %s/gyre-%s.log\n", rs[i].name,
                        data, rs[i].name);
                rs[i].pid = 0;
                stop_all(rs, n);
                return 1;
            }
            struct timespec ts = { 0, 10 * 1000000 };
            nanosleep(&ts, NULL);
        }
    }
    if (create_seed_table(rs, n, &key) || create_seed_stream(rs, n, &key)) {
        stop_all(rs, n);
        return 1;
    }
    printf("Gyre is up: %d regions in %lld ms.\n\n", n, (long long)(gy_mono_ms() - t0));
    for (int i = 0; i < n; i++)
        printf("  %-16s %s   (log %s/gyre-%s.log)\n", rs[i].name, rs[i].url, data, rs[i].name);
    printf("\nCredentials (also in %s/credentials, profile \"gyre\"):\n"
           "  export AWS_ACCESS_KEY_ID=%s\n  export AWS_SECRET_ACCESS_KEY=%s\n"
           "  export AWS_DEFAULT_REGION=%s\n\n",
           data, key.access_key, key.secret, rs[0].name);
    printf("Global table " TABLE " has replicas in every region. The seed's validation:\n"
           "  aws --endpoint-url %s dynamodb put-item --table-name " TABLE " \\\n"
           "      --item '{\"PK\":{\"S\":\"PRODUCT#test123\"},\"SK\":{\"S\":\"METADATA\"},"
           "\"Name\":{\"S\":\"Test Product\"},\"Price\":{\"N\":\"29.99\"},\"Stock\":{\"N\":\"50\"}}'\n",
           rs[0].url);
    for (int i = 1; i < n; i++)
        printf("  aws --endpoint-url %s --region %s dynamodb get-item --table-name " TABLE " \\\n"
               "      --key '{\"PK\":{\"S\":\"PRODUCT#test123\"},\"SK\":{\"S\":\"METADATA\"}}'\n",
               rs[i].url, rs[i].name);
    printf("  aws --endpoint-url %s dynamodb describe-table --table-name " TABLE
           " --query 'Table.Replicas'\n",
           rs[0].url);
    printf("\nKinesis stream " STREAM " (3 shards, 24 h) exists in every region:\n"
           "  aws --endpoint-url %s kinesis describe-stream --stream-name " STREAM "\n"
           "  aws --endpoint-url %s sts get-caller-identity\n\nStop with Ctrl-C (or SIGTERM).\n",
           rs[0].url, rs[0].url);
    fflush(stdout);

    int sig = 0;
    for (;;) {
        struct timespec ts = { 1, 0 };
        sig = sigtimedwait(&sigs, NULL, &ts);
        if (sig > 0)
            break;
        for (int i = 0; i < n; i++) {
            int status;
            if (rs[i].pid > 0 && waitpid(rs[i].pid, &status, WNOHANG) == rs[i].pid) {
                fprintf(stderr, "gyre up: %s exited; stopping the others\n", rs[i].name);
                rs[i].pid = 0;
                stop_all(rs, n);
                return 1;
            }
        }
    }
    printf("gyre up: stopping %d regions\n", n);
    stop_all(rs, n);
    return 0;
}

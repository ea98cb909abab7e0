/*
 * main.c — the gyre command line. `gyre serve` runs one region: it opens the store, loads the
 * services, registers them with the AWS router and serves HTTP until SIGTERM or SIGINT, then
 * finishes in-flight requests and closes the store cleanly.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws/aws.h"
#include "aws/credentials.h"
#include "cli/cli.h"
#include "core/errors.h"
#include "core/log.h"
#include "dynamodb/dynamodb.h"
#include "net/http.h"
#include "replication/repl.h"
#include "store/store.h"
#include "streams/streams.h"
#include "kinesis/kinesis.h"
#include "sts/sts.h"
#include "testsvc/testsvc.h"

#define GYRE_VERSION "0.1.0"

struct serve_opts {
    const char *region;
    const char *listen;
    const char *data;
    const char *admin_key;
    const char *account;
    int threads;
    int max_connections;   /* 0: the HTTP server's default */
    int max_per_peer;      /* 0: the default */
    int header_timeout_ms; /* 0: the default */
    size_t map_size;
    enum gy_log_level log_level;
    struct gy_repl_peer peers[15];
    size_t npeers;
};

/* `gyre --help`: the commands. */
static void usage(FILE *f)
{
    fprintf(f,
            "usage: gyre <command> [options]\n"
            "\n"
            "Commands:\n"
            "  serve     run one region: a DynamoDB-compatible AWS endpoint over HTTP\n"
            "  up        run a local multi-region deployment (one serve process per region)\n"
            "  verify    compare the replicas of a global table across regions\n"
            "  version   print the version\n"
            "  help      print this help\n"
            "\n"
            "Options:\n"
            "  -h, --help     print this help\n"
            "  --version      print the version\n"
            "\n"
            "Run `gyre <command> --help` for a command's options.\n");
}

/* `gyre serve --help`: every flag parse_serve accepts, one line each. */
static void serve_usage(FILE *f)
{
    fprintf(f,
            "usage: gyre serve --region REGION --listen HOST:PORT --data DIR [options]\n"
            "\n"
            "Run one region of Gyre until SIGTERM or SIGINT, then finish in-flight requests.\n"
            "\n"
            "Required:\n"
            "  --region REGION           the AWS region this process serves (us-east-1)\n"
            "  --listen HOST:PORT        address to listen on (127.0.0.1:4566, [::1]:4566)\n"
            "  --data DIR                data directory (created if missing)\n"
            "\n"
            "Options:\n"
            "  --admin-key AKID:SECRET   the access key and secret clients sign with\n"
            "  --account ACCOUNT_ID      12-digit account id in ARNs (default 000000000000)\n"
            "  --peer REGION=URL         a peer region for global tables (repeat, at most 15)\n"
            "  --threads N               HTTP I/O threads, 1-64 (default 2)\n"
            "  --map-size-gb N           maximum store size in GiB, 1-4096 (default 64)\n"
            "  --max-connections N       open connections at most, 1-1000000 (default 4096,\n"
            "                            kept below the descriptor limit)\n"
            "  --max-per-peer N          connections from one IP address (default a quarter)\n"
            "  --header-timeout-ms N     time a request's header may take (default 10000)\n"
            "  --log-level LEVEL         error, warn, info or debug (default info)\n"
            "  -h, --help                print this help\n"
            "\n"
            "The admin key may also come from GYRE_ADMIN_KEY=AKID:SECRET; without either, the\n"
            "first start writes a generated key to DIR/credentials (profile \"gyre\").\n");
}

static int parse_serve(int argc, char **argv, struct serve_opts *o)
{
    static const struct option longopts[] = {
        { "region", required_argument, NULL, 'r' },  { "listen", required_argument, NULL, 'l' },
        { "data", required_argument, NULL, 'd' },    { "admin-key", required_argument, NULL, 'k' },
        { "account", required_argument, NULL, 'a' }, { "threads", required_argument, NULL, 't' },
        { "map-size-gb", required_argument, NULL, 'm' },
        { "log-level", required_argument, NULL, 'v' }, { "help", no_argument, NULL, 'h' },
        { "peer", required_argument, NULL, 'p' },
        { "max-connections", required_argument, NULL, 'C' },
        { "max-per-peer", required_argument, NULL, 'P' },
        { "header-timeout-ms", required_argument, NULL, 'H' },
        { NULL, 0, NULL, 0 },
    };
    int c;
    char *end;

    o->account = "000000000000";
    o->threads = 2;
    o->map_size = (size_t)64 << 30;
    o->log_level = GY_LOG_INFO;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'r': o->region = optarg; break;
        case 'l': o->listen = optarg; break;
        case 'd': o->data = optarg; break;
        case 'k': o->admin_key = optarg; break;
        case 'a': o->account = optarg; break;
        case 't':
            o->threads = (int)strtol(optarg, &end, 10);
            if (*end || o->threads < 1 || o->threads > 64)
                return -1;
            break;
        case 'C':
        case 'P':
        case 'H': {
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 1000000)
                return -1;
            if (c == 'C')
                o->max_connections = (int)v;
            else if (c == 'P')
                o->max_per_peer = (int)v;
            else
                o->header_timeout_ms = (int)v;
            break;
        }
        case 'm': {
            long gb = strtol(optarg, &end, 10);
            if (*end || gb < 1 || gb > 4096)
                return -1;
            o->map_size = (size_t)gb << 30;
            break;
        }
        case 'v':
            if (strcmp(optarg, "error") == 0)
                o->log_level = GY_LOG_ERROR;
            else if (strcmp(optarg, "warn") == 0)
                o->log_level = GY_LOG_WARN;
            else if (strcmp(optarg, "info") == 0)
                o->log_level = GY_LOG_INFO;
            else if (strcmp(optarg, "debug") == 0)
                o->log_level = GY_LOG_DEBUG;
            else
                return -1;
            break;
        case 'p': {
            const char *eq = strchr(optarg, '=');
            if (!eq || eq == optarg || (size_t)(eq - optarg) >= sizeof(o->peers[0].region) ||
                strlen(eq + 1) >= sizeof(o->peers[0].url) || o->npeers == 15) {
                fprintf(stderr, "gyre: --peer takes REGION=URL (at most 15)\n");
                return -1;
            }
            struct gy_repl_peer *pr = &o->peers[o->npeers++];
            snprintf(pr->region, sizeof(pr->region), "%.*s", (int)(eq - optarg), optarg);
            snprintf(pr->url, sizeof(pr->url), "%s", eq + 1);
            break;
        }
        case 'h': serve_usage(stdout); exit(0);
        default: return -1;
        }
    }
    if (!o->region || !o->listen || !o->data || optind != argc)
        return -1;
    if (strlen(o->account) != 12 || strspn(o->account, "0123456789") != 12) {
        fprintf(stderr, "gyre: --account must be 12 digits\n");
        return -1;
    }
    if (!o->admin_key)
        o->admin_key = getenv("GYRE_ADMIN_KEY");
    return 0;
}

static int serve(int argc, char **argv)
{
    struct serve_opts o = { 0 };
    struct gy_aws_key key;
    struct gy_store *store = NULL;
    struct gy_ddb *ddb = NULL;
    struct gy_streams *streams = NULL;
    struct gy_kin *kinesis = NULL;
    struct gy_repl *repl = NULL;
    struct gy_sts *sts = NULL;
    struct gy_aws_router *router = NULL;
    struct gy_http_server *http = NULL;
    sigset_t sigs;
    int sig, rc = 1;

    if (parse_serve(argc, argv, &o)) {
        serve_usage(stderr);
        return 2;
    }
    gy_log_setup(o.log_level, o.region);

    /* Block the stop signals in every thread; main waits for them with sigwait. */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (gy_store_open(o.data, o.map_size, &store))
        goto out;
    if (gy_aws_credentials_setup(o.data, o.admin_key, &key))
        goto out;
    if (gy_ddb_open(store, o.region, o.account, &ddb))
        goto out;
    if (gy_streams_open(ddb, &streams))
        goto out;
    if (gy_kin_open(store, o.region, o.account, &kinesis))
        goto out;
    struct gy_aws_router_config rcfg = {
        .region = o.region, .account = o.account, .keys = &key, .nkeys = 1,
    };
    router = gy_aws_router_create(&rcfg);
    gy_aws_router_add_service(router, gy_ddb_service(ddb));
    gy_aws_router_add_service(router, gy_streams_service(streams));
    gy_aws_router_add_service(router, gy_kin_service(kinesis));
    sts = gy_sts_create(gy_aws_router_session_key(router), o.account);
    gy_aws_router_add_service(router, gy_sts_service(sts));
    gy_testsvc_register(router);
    if (o.npeers) {
        struct gy_repl_config pc = {
            .region = o.region, .key = &key, .peers = o.peers, .npeers = o.npeers,
        };
        if (gy_repl_open(ddb, router, &pc, &repl))
            goto out;
    }

    struct gy_http_config hcfg = {
        .listen = o.listen,
        .threads = o.threads,
        .max_connections = o.max_connections,
        .max_per_peer = o.max_per_peer,
        .header_timeout_ms = o.header_timeout_ms,
        .handler = gy_aws_router_handle,
        .fault = gy_aws_router_fault,
        .ctx = router,
    };
    if (gy_http_server_start(&hcfg, &http))
        goto out;
    gy_log_info("gyre %s serving region %s on %s (port %d), data in %s, access key %s",
                GYRE_VERSION, o.region, o.listen, gy_http_server_port(http), o.data,
                key.access_key);

    sigwait(&sigs, &sig);
    gy_log_info("received %s: finishing in-flight requests", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    gy_http_server_stop(http, 10000);
    rc = 0;
out:
    gy_http_server_destroy(http);
    gy_repl_close(repl); /* after the server: no request is using it any more */
    gy_ddb_stop(ddb);    /* background jobs stop submitting before the store closes */
    gy_store_close(store); /* drains queued jobs first */
    gy_streams_close(streams);
    gy_kin_close(kinesis);
    gy_ddb_close(ddb);
    gy_aws_router_destroy(router);
    gy_sts_destroy(sts);
    if (rc == 0)
        gy_log_info("stopped cleanly");
    return rc;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "serve") == 0)
        return serve(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "up") == 0) {
        char exe[4096];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        if (n <= 0)
            return 1;
        exe[n] = '\0';
        return gy_cli_up(argc - 1, argv + 1, exe);
    }
    if (argc >= 2 && strcmp(argv[1], "verify") == 0)
        return gy_cli_verify(argc - 1, argv + 1);
    if (argc >= 2 && (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0)) {
        printf("gyre %s\n", GYRE_VERSION);
        return 0;
    }
    bool help = argc >= 2 && (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
                              strcmp(argv[1], "-h") == 0);
    if (argc >= 2 && !help)
        fprintf(stderr, "gyre: unknown command or option '%s'\n", argv[1]);
    usage(help ? stdout : stderr);
    return help ? 0 : 2;
}

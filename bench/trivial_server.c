/*
 * trivial_server.c — gyre-trivial, the benchmark's ceiling: Gyre's own HTTP stack (src/net/)
 * answering every request at once with a fixed small JSON body, no auth, no JSON parsing, no
 * storage. Whatever gyre-bench measures against it is the most this machine can do with this
 * client and this HTTP layer, so Gyre's throughput divided by it is the share left to the
 * DynamoDB layers. Runs until SIGTERM or SIGINT. Method: docs/performance.md.
 */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "net/http.h"

/* What a DynamoDB call with an empty result looks like (PutItem without ReturnValues). */
static const struct gy_http_header trivial_headers[] = {
    { GY_STR("Content-Type"), GY_STR("application/x-amz-json-1.0") },
    { GY_STR("x-amzn-RequestId"), GY_STR("TRIVIALTRIVIALTRIVIALTRIVIALTRIVIALTRIVIALTRIVIALTRIV") },
};

static void handle(struct gy_http_req *req, void *ctx)
{
    gy_http_respond(req, 200, trivial_headers, sizeof(trivial_headers) / sizeof(trivial_headers[0]),
                    GY_STR("{}"));
}

static void usage(FILE *f)
{
    fprintf(f, "usage: gyre-trivial --listen 127.0.0.1:PORT [--threads N]\n");
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "listen", required_argument, NULL, 'l' },
        { "threads", required_argument, NULL, 't' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *listen = NULL;
    int threads = 2, c;
    char *end;
    struct gy_http_server *srv = NULL;
    sigset_t sigs;
    int sig;

    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'l': listen = optarg; break;
        case 't':
            threads = (int)strtol(optarg, &end, 10);
            if (*end || threads < 1 || threads > 64) {
                usage(stderr);
                return 2;
            }
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (!listen || optind != argc) {
        usage(stderr);
        return 2;
    }
    gy_log_setup(GY_LOG_WARN, "trivial");
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);

    struct gy_http_config cfg = { .listen = listen, .threads = threads, .handler = handle };
    if (gy_http_server_start(&cfg, &srv))
        return 1;
    printf("gyre-trivial listening on port %d\n", gy_http_server_port(srv));
    fflush(stdout);
    sigwait(&sigs, &sig);
    gy_http_server_stop(srv, 2000);
    gy_http_server_destroy(srv);
    return 0;
}

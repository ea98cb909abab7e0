/*
 * repl_int.h — declarations shared by src/replication/ files only.
 *
 * Threads and locks: one shipper thread per peer (owns its struct peer, its curl handle and
 * its in-memory cursors); forwarding threads (own their curl handles, take work from fwd_lock
 * guarded queue); `stats_lock` guards the metrics. Peer requests are signed with the region's
 * admin key (service "gyre"); receivers verify them through the router.
 */
#ifndef GY_REPL_INT_H
#define GY_REPL_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/str.h"
#include "replication/repl.h"

struct gy_ddb_table;

#define GY_REPL_MAX_TABLES 256  /* tables tracked per peer (cursors, schema stamps) */
#define GY_REPL_BATCH 256       /* records per batch */
#define GY_REPL_BATCH_BYTES (2u << 20)

/* A signed HTTP client to one peer (libcurl easy handle: keeps its connection alive). */
struct gy_repl_client {
    void *curl;                 /* CURL * */
    char base[256];             /* http://host:port */
    char host[256];             /* host:port, signed as the Host header */
};

int gy_repl__client_init(struct gy_repl_client *c, const char *url);
void gy_repl__client_fini(struct gy_repl_client *c);
/**
 * POST body to base + path, signed for region with key. *status gets the HTTP status (0 when
 * the peer could not be reached); the response body is appended to resp (may be NULL).
 */
int gy_repl__post(struct gy_repl_client *c, const struct gy_aws_key *key, const char *region,
                  const char *path, struct gy_str body, long *status, struct gy_buf *resp);

/* Per table and peer: what the shipper knows. */
struct peer_table {
    uint32_t table_id;
    uint64_t schema_sent;       /* schema stamp last acknowledged by the peer */
    uint64_t backlog;           /* own-origin records not yet acknowledged (approximate) */
    int64_t last_ship_ms;       /* when a batch was last acknowledged */
};

struct peer {
    struct gy_repl *r;
    struct gy_repl_peer cfg;
    struct gy_repl_client client;
    pthread_t thread;
    bool up;                    /* the last request reached the peer */
    bool cut;                   /* link cut by an operator (POST /_gyre/links): no traffic */
    int64_t backoff_ms;         /* current retry delay */
    struct peer_table tables[GY_REPL_MAX_TABLES];
    size_t ntables;
    uint64_t shipped;           /* records acknowledged */
};

struct origin_stats {
    char region[32];
    uint64_t applied;           /* changes received from it that won */
    uint64_t received;          /* changes received */
    int64_t last_ms;            /* latency of the last change (origin commit -> applied here) */
    int64_t p50_ms, p99_ms;     /* over the recent window */
    int64_t window[512];        /* recent latencies (ring) */
    size_t nwindow, at;
};

struct gy_repl {
    struct gy_ddb *ddb;
    struct gy_aws_router *router;
    char region[32];
    struct gy_aws_key key;
    struct peer *peers;
    size_t npeers;
    pthread_mutex_t lock;       /* guards stop and wakes shippers (cond) */
    pthread_cond_t cond;
    bool stop;
    pthread_mutex_t stats_lock; /* guards origins[] */
    struct origin_stats origins[16];
    size_t norigins;
    struct gy_aws_service service; /* global-table operations */
    uint64_t seen_appends;      /* replicated appends at the last wake (writer thread only) */
    /* forwarding */
    pthread_t fwd_threads[2];
    pthread_mutex_t fwd_lock;
    pthread_cond_t fwd_cond;
    struct fwd_item *fwd_head, *fwd_tail;
    size_t fwd_len;
};

/* shipper.c */
void *gy_repl__shipper_main(void *peer);
void gy_repl__wake(struct gy_repl *r);

/* applier.c: peer endpoints */
int gy_repl__handle_replicate(struct gy_aws_req *req);
int gy_repl__handle_table(struct gy_aws_req *req);
int gy_repl__handle_metrics(struct gy_aws_req *req);
int gy_repl__handle_links(struct gy_aws_req *req);

/* tables.c: replica management and table-definition sync */
int gy_repl__global_ops_register(struct gy_repl *r);
/** Apply a table definition received from a peer (writer thread job; synchronous). */
int gy_repl__apply_definition(struct gy_repl *r, struct gy_str def, struct gy_error *err,
                              struct gy_arena *a);
/*
 * Change a table's definition: fn edits a copy of the current version on the writer thread
 * (GY_EFALSE: nothing to change), which is published with a new schema stamp. Synchronous.
 * *out (if not NULL) gets the published version, referenced, or NULL.
 */
typedef int (*gy_repl_mutate_fn)(struct gy_ddb_table *t, void *arg);
int gy_repl__publish(struct gy_repl *r, struct gy_str name, gy_repl_mutate_fn fn, void *arg,
                     struct gy_ddb_table **out, struct gy_error *err, struct gy_arena *a);
/** True when region is one of the table's replicas. */
bool gy_repl__has_replica(const struct gy_ddb_table *t, const char *region);
struct peer *gy_repl__peer(struct gy_repl *r, const char *region);

/* forward.c */
int gy_repl__forward_start(struct gy_repl *r);
void gy_repl__forward_stop(struct gy_repl *r);
bool gy_repl__forward(void *ctx, struct gy_aws_req *req);

#endif

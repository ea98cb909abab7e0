/*
 * dynamodb.h — the DynamoDB service of one region: its context and its registration with the
 * AWS router. Operation handlers live in ops_*.c; the data model in value.h, tables in
 * table.h and catalog.h. See docs/dynamodb.md.
 */
#ifndef GY_DDB_DYNAMODB_H
#define GY_DDB_DYNAMODB_H

#include <pthread.h>
#include <stdbool.h>

#include "aws/aws.h"
#include "core/hlc.h"

struct gy_store;
struct gy_ddb_catalog;

struct gy_ddb {
    struct gy_store *store;          /* the region's store */
    struct gy_ddb_catalog *catalog;  /* the region's tables */
    const char *region;              /* region name */
    const char *account;             /* account id */
    struct gy_aws_service service;   /* registration with the router */
    struct gy_hlc hlc;               /* item version clock (writer thread only) */
    uint64_t hlc_reserved;           /* persisted high-water mark of hlc (writer thread) */
    int64_t stream_shard_ms;         /* stream shard rotation period */
    int64_t stream_retention_ms;     /* change-log retention */
    int64_t stream_trim_ms;          /* how often expired records are trimmed */
    /* UpdateTable with ReplicaUpdates is handled by replication/ when it is running. */
    int (*update_replicas)(void *ctx, struct gy_aws_req *req);
    void *replicas_ctx;
    pthread_t maint;                 /* maintenance thread (trimming) */
    pthread_mutex_t maint_lock;      /* guards maint_stop */
    pthread_cond_t maint_cond;
    bool maint_stop;
    bool stopped;                    /* gy_ddb_stop ran */
    uint64_t replicated_appends;     /* change records of global tables appended (atomic) */
};

/** Open the service over an open store (loads the catalog). Returns 0 or GY_EIO. */
int gy_ddb_open(struct gy_store *store, const char *region, const char *account, struct gy_ddb **out);
/** Stop the background threads (TTL sweeper, change-log trimming); call before the store closes. */
void gy_ddb_stop(struct gy_ddb *d);
void gy_ddb_close(struct gy_ddb *d);
/** The service description to register with the router. */
const struct gy_aws_service *gy_ddb_service(struct gy_ddb *d);

#endif

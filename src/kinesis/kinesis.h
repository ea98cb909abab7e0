/*
 * kinesis.h — Kinesis Data Streams (target prefix Kinesis_20131202, JSON 1.1): streams of
 * shards over the 128-bit hash-key space, durable records with per-shard sequence numbers,
 * signed shard iterators, retention, resharding, tags, enhanced monitoring and encryption
 * settings, all kept in the region's store (key space GY_DB_KINESIS). It also keeps in-memory
 * counters per stream and shard for the CloudWatch work to publish as AWS/Kinesis.
 * See docs/kinesis.md.
 */
#ifndef GY_KINESIS_KINESIS_H
#define GY_KINESIS_KINESIS_H

#include <stdbool.h>
#include <stdint.h>

#include "aws/aws.h"

struct gy_store;
struct gy_kin;

/**
 * Open the service over the region's store (out: the new context). Loads, or on the first
 * start creates, the iterator secret; reads GYRE_KINESIS_ITERATOR_TTL_MS, GYRE_KINESIS_HOUR_MS
 * and GYRE_KINESIS_TRANSITION_MS (test knobs). Returns 0 or GY_EIO. Call once at start-up.
 */
int gy_kin_open(struct gy_store *store, const char *region, const char *account,
                struct gy_kin **out);
/** Free the context (after the HTTP server has stopped). NULL is allowed. */
void gy_kin_close(struct gy_kin *k);
/** The service description to register with the router; lives as long as k. */
const struct gy_aws_service *gy_kin_service(struct gy_kin *k);

/* ---- metrics: counters since start, per stream and per shard ---- */

#define GY_KIN_COUNTERS(X)                                                                       \
    X(INCOMING_BYTES, "IncomingBytes", "Bytes")                                                  \
    X(INCOMING_RECORDS, "IncomingRecords", "Count")                                              \
    X(PUT_RECORD_SUCCESS, "PutRecord.Success", "Count")                                          \
    X(PUT_RECORD_BYTES, "PutRecord.Bytes", "Bytes")                                              \
    X(PUT_RECORDS_SUCCESS, "PutRecords.Success", "Count")                                        \
    X(PUT_RECORDS_BYTES, "PutRecords.Bytes", "Bytes")                                            \
    X(PUT_RECORDS_TOTAL, "PutRecords.TotalRecords", "Count")                                     \
    X(PUT_RECORDS_SUCCESSFUL, "PutRecords.SuccessfulRecords", "Count")                           \
    X(PUT_RECORDS_FAILED, "PutRecords.FailedRecords", "Count")                                   \
    X(PUT_RECORDS_THROTTLED, "PutRecords.ThrottledRecords", "Count")                             \
    X(GET_RECORDS_SUCCESS, "GetRecords.Success", "Count")                                        \
    X(GET_RECORDS_RECORDS, "GetRecords.Records", "Count")                                        \
    X(GET_RECORDS_BYTES, "GetRecords.Bytes", "Bytes")                                            \
    X(OUTGOING_RECORDS, "OutgoingRecords", "Count")                                              \
    X(OUTGOING_BYTES, "OutgoingBytes", "Bytes")                                                  \
    X(ITERATOR_AGE_MS, "GetRecords.IteratorAgeMilliseconds", "Milliseconds")                     \
    X(WRITE_EXCEEDED, "WriteProvisionedThroughputExceeded", "Count")                             \
    X(READ_EXCEEDED, "ReadProvisionedThroughputExceeded", "Count")

enum gy_kin_counter {
#define GY__KIN_COUNTER(e, name, unit) GY_KIN_C_##e,
    GY_KIN_COUNTERS(GY__KIN_COUNTER)
#undef GY__KIN_COUNTER
    GY_KIN_C__COUNT
};

/** The CloudWatch metric name and unit of a counter. */
const char *gy_kin_counter_name(enum gy_kin_counter c);
const char *gy_kin_counter_unit(enum gy_kin_counter c);

/*
 * One row of a metrics snapshot: a stream's totals (shard NULL) or one shard's. Counters are
 * running totals since the process started (a publisher takes differences); ITERATOR_AGE_MS
 * is the largest age seen since the previous snapshot (reset by the snapshot).
 */
struct gy_kin_metric_row {
    const char *stream;                  /* StreamName */
    const char *shard;                   /* ShardId, or NULL for the stream row */
    uint32_t enhanced;                   /* the stream's enhanced-monitoring metrics, one bit
                                          * per ShardLevelMetrics name in DescribeStream order:
                                          * publish shard rows' metrics only for set bits */
    uint64_t v[GY_KIN_C__COUNT];         /* counters */
};

/**
 * Call fn once per row (stream rows, then their shard rows), under the metrics lock: fn must
 * be quick and must not call back into Kinesis. Any thread.
 */
void gy_kin_metrics_snapshot(struct gy_kin *k,
                             void (*fn)(void *arg, const struct gy_kin_metric_row *row),
                             void *arg);

#endif

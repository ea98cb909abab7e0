/*
 * changelog.h — the per-table change log: one record per item change, appended in the same
 * storage transaction as the change, and the stream and shard bookkeeping DynamoDB Streams
 * exposes over it. Every consumer (the Streams API, replication shippers, later the Kinesis
 * forwarder and event source mappings) reads the log through this header.
 *
 * Storage (see changelog.c for the byte layouts):
 *   CHANGES: table id (4) || seq (8, BE)                  -> change record
 *   STREAMS: 'Q' table id                                 -> next seq (8)
 *            'S' table id || stream created ms (8)        -> stream record
 *            'H' table id || stream created ms || start seq -> shard record
 * Sequence numbers are per table, start at 1, and only grow (never reused after trimming).
 */
#ifndef GY_DDB_CHANGELOG_H
#define GY_DDB_CHANGELOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/str.h"
#include "dynamodb/value.h"

struct gy_arena;
struct gy_store_txn;
struct gy_ddb;
struct gy_ddb_table;

enum gy_ddb_event { GY_DDB_EV_INSERT = 1, GY_DDB_EV_MODIFY = 2, GY_DDB_EV_REMOVE = 3 };

/* A decoded change record. Maps borrow from the record bytes (and the arena). */
struct gy_ddb_log_record {
    uint64_t seq;                  /* sequence number in the table's log */
    enum gy_ddb_event event;       /* INSERT, MODIFY or REMOVE */
    bool by_service;               /* made by the service (TTL) */
    uint64_t version;              /* HLC timestamp of the change */
    int64_t created_ms;            /* wall-clock time of the change in its origin region */
    struct gy_str origin;          /* origin region */
    struct gy_ddb_map keys;        /* the item's key attributes */
    bool has_old, has_new;
    struct gy_ddb_map old_image;   /* before (when has_old) */
    struct gy_ddb_map new_image;   /* after (when has_new) */
    size_t size_bytes;             /* DynamoDB's SizeBytes: keys + images */
};

struct gy_ddb_stream_info {
    int64_t created_ms;            /* the stream's label time */
    char view[24];                 /* StreamViewType */
    uint64_t first_seq;            /* first sequence number of the stream */
    uint64_t end_seq;              /* last one, when closed (0 while open) */
    bool enabled;                  /* the table's current stream */
};

struct gy_ddb_shard_info {
    int64_t stream_created_ms;     /* the stream it belongs to */
    uint64_t start_seq;            /* first sequence number */
    uint64_t end_seq;              /* last one when closed (0 while open) */
    uint64_t parent_start_seq;     /* the parent shard's start, or 0 */
    int64_t created_ms;            /* when it opened */
};

/** Format a sequence number as DynamoDB shows them (21 digits). out >= 24 bytes. */
void gy_ddb_seq_format(uint64_t seq, char out[24]);
/** Parse one; returns 0 or GY_EINVAL. */
int gy_ddb_seq_parse(struct gy_str s, uint64_t *seq);
/** "shardId-..." for a shard (deterministic from its identity). out >= 64 bytes. */
void gy_ddb_shard_id(uint32_t table_id, int64_t stream_created_ms, uint64_t start_seq, char out[64]);
/** Parse a shard id; returns 0 and its start seq, or GY_EINVAL. */
int gy_ddb_shard_id_parse(struct gy_str id, uint32_t table_id, int64_t stream_created_ms,
                          uint64_t *start_seq);

/** Decode a change record (raw from CHANGES); 0 or GY_EINVAL. */
int gy_ddb_log_decode(struct gy_arena *a, uint64_t seq, struct gy_str raw,
                      struct gy_ddb_log_record *out);
/**
 * Read up to limit records of table_id with seq in [from, to] (to = 0: no upper bound), in
 * order. Returns the number read into *out (arena array). First seq retained goes to *first
 * (0 when the log is empty).
 */
int gy_ddb_log_read(struct gy_store_txn *txn, struct gy_arena *a, uint32_t table_id, uint64_t from,
                    uint64_t to, size_t limit, struct gy_ddb_log_record **out, size_t *n);
/** The first retained seq (0 if none) and the next seq to be written. */
void gy_ddb_log_bounds(struct gy_store_txn *txn, uint32_t table_id, uint64_t *first,
                       uint64_t *next);
/** The table's streams, newest first (arena array). */
int gy_ddb_log_streams(struct gy_store_txn *txn, struct gy_arena *a, const struct gy_ddb_table *t,
                       struct gy_ddb_stream_info **out, size_t *n);
/** The shards of one stream, oldest first (arena array). Closed shards carry end_seq. */
int gy_ddb_log_shards(struct gy_store_txn *txn, struct gy_arena *a, const struct gy_ddb_table *t,
                      int64_t stream_created_ms, struct gy_ddb_shard_info **out, size_t *n);

#endif

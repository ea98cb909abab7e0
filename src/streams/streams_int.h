/*
 * streams_int.h — declarations shared by the files of src/streams/ (never included from
 * outside the folder): the service context, shard-iterator tokens (iterator.c), stream records
 * as JSON (record.c), ARNs and the stream/shard view over the change log (lookup.c), and the
 * operation handlers (streams.c, reader.c).
 */
#ifndef GY_STREAMS_INT_H
#define GY_STREAMS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws/aws.h"
#include "core/str.h"
#include "dynamodb/changelog.h"
#include "streams/streams.h"

struct gy_arena;
struct gy_jw;
struct gy_store_txn;
struct gy_ddb_table;

#define GY_STREAMS_KEY_LEN 32                   /* HMAC-SHA256 secret */
#define GY_STREAMS_ITER_TTL_MS (15 * 60 * 1000) /* DynamoDB's iterator lifetime */
#define GY_STREAMS_MAX_RESPONSE (1u << 20)      /* GetRecords returns at most 1 MB */
#define GY_STREAMS_ITER_MAX 512                 /* longest token text, with its NUL */

struct gy_streams {
    struct gy_ddb *ddb;                    /* the region's DynamoDB service */
    unsigned char key[GY_STREAMS_KEY_LEN]; /* iterator secret (from the store) */
    int64_t iter_ttl_ms;                   /* iterator lifetime */
    struct gy_aws_service service;         /* registration with the router */
};

/* ---- shard iterators (iterator.c) ---- */

/* What a shard iterator says: where to read next, in which shard of which stream. */
struct gy_streams_iter {
    uint32_t table_id;         /* the table's storage id (never reused) */
    int64_t stream_created_ms; /* the stream (its label time) */
    uint64_t shard_start;      /* the shard (its first sequence number) */
    uint64_t position;         /* next sequence number to return */
    int64_t issued_ms;         /* when the iterator was handed out */
    char table[256];           /* table name, NUL-terminated (1..255 bytes) */
};

/**
 * Encode and authenticate it (in) into out (cap >= GY_STREAMS_ITER_MAX). Returns the text
 * length, or GY_EINVAL when the table name is empty or too long.
 */
int gy_streams__iter_encode(const unsigned char key[GY_STREAMS_KEY_LEN],
                            const struct gy_streams_iter *it, char *out, size_t cap);
/** Decode and verify a token. Returns 0, or GY_EINVAL for anything not made with key. */
int gy_streams__iter_decode(const unsigned char key[GY_STREAMS_KEY_LEN], struct gy_str token,
                            struct gy_streams_iter *out);
/** True when an iterator issued at it->issued_ms is older than ttl_ms at now. */
bool gy_streams__iter_expired(const struct gy_streams_iter *it, int64_t now, int64_t ttl_ms);

/* ---- records (record.c) ---- */

enum gy_streams_view {
    GY_STREAMS_KEYS_ONLY = 0,
    GY_STREAMS_NEW_IMAGE,
    GY_STREAMS_OLD_IMAGE,
    GY_STREAMS_NEW_AND_OLD_IMAGES,
};

/** Parse a StreamViewType name; returns 0 or GY_EINVAL. */
int gy_streams__view_parse(const char *name, enum gy_streams_view *out);
/** The 32-hex eventID of a record (deterministic: table id and sequence number). */
void gy_streams__event_id(uint32_t table_id, uint64_t seq, char out[33]);
/** SizeBytes of the record as the view shows it: keys plus the images it carries. */
size_t gy_streams__record_size(const struct gy_ddb_log_record *r, enum gy_streams_view view);
/** Write one GetRecords record (PROTOCOL.md §9.1) for table table_id. */
void gy_streams__record_json(struct gy_jw *w, const struct gy_ddb_log_record *r, uint32_t table_id,
                             enum gy_streams_view view, const char *region);

/* ---- ARNs, streams and shards (lookup.c) ---- */

/**
 * Split a stream ARN of this region and account into its table name (borrowed from arn) and
 * stream label time. Returns 0, GY_EINVAL when malformed, GY_ENOTFOUND for another region or
 * account.
 */
int gy_streams__arn_parse(struct gy_str arn, const char *region, const char *account,
                          struct gy_str *table, int64_t *created_ms);
/** Parse a stream label ("2026-01-02T03:04:05.678") into ms; 0 or GY_EINVAL. */
int gy_streams__label_parse(struct gy_str label, int64_t *ms);
/** The stream ARN of table t for a stream created at ms, in the arena. */
char *gy_streams__arn(struct gy_arena *a, const struct gy_ddb_table *t, int64_t created_ms);

/* One stream of a table as the API shows it. */
struct gy_streams_stream {
    struct gy_ddb_stream_info info; /* from the change log (or synthesized, see lookup.c) */
    uint64_t limit_seq;             /* last seq that can belong to it (UINT64_MAX: newest) */
    bool pending;                   /* current stream with no record in the log yet */
};

/* One shard as the API shows it. */
struct gy_streams_shard {
    uint64_t start;  /* first sequence number */
    uint64_t last;   /* closed: last one that belongs to it (start - 1: empty) */
    bool closed;     /* no more records will be added */
    uint64_t parent; /* the parent's start, or 0 */
};

/** The table's streams, newest first (arena array), in txn. Returns 0 or GY_EIO. */
int gy_streams__streams(struct gy_store_txn *txn, struct gy_arena *a, const struct gy_ddb_table *t,
                        struct gy_streams_stream **out, size_t *n);
/** One stream by creation time; 0 or GY_ENOTFOUND (GY_EIO on a storage failure). */
int gy_streams__stream_find(struct gy_store_txn *txn, struct gy_arena *a,
                            const struct gy_ddb_table *t, int64_t created_ms,
                            struct gy_streams_stream *out);
/** The shards of a stream, oldest first (arena array). Returns 0 or GY_EIO. */
int gy_streams__shards(struct gy_store_txn *txn, struct gy_arena *a, const struct gy_ddb_table *t,
                       const struct gy_streams_stream *st, struct gy_streams_shard **out,
                       size_t *n);

/* ---- handlers ---- */

int gy_streams__list_streams(struct gy_aws_req *req);
int gy_streams__describe_stream(struct gy_aws_req *req);
int gy_streams__get_shard_iterator(struct gy_aws_req *req);
int gy_streams__get_records(struct gy_aws_req *req);

/** A referenced table by name for req (unreferenced when the arena goes), or NULL. */
struct gy_ddb_table *gy_streams__table(struct gy_aws_req *req, struct gy_str name);
/** Read the optional integer member "Limit" (1..max, default def); GY_EAWS when invalid. */
int gy_streams__limit(struct gy_aws_req *req, int64_t max, int64_t def, int64_t *out);
/**
 * Read a string member (NUL-terminated slice into the request, or p == NULL when absent and
 * optional); path is its name in validation messages. GY_EAWS when missing or not a string.
 */
int gy_streams__str_arg(struct gy_aws_req *req, const char *member, const char *path, bool required,
                        struct gy_str *out);
/** Parse a stream ARN argument: ValidationException if malformed, not found if foreign. */
int gy_streams__arn_arg(struct gy_aws_req *req, const char *member, struct gy_str arn,
                        struct gy_str *table, int64_t *created_ms);
/** ResourceNotFoundException for the stream arn; returns GY_EAWS. */
int gy_streams__not_found(struct gy_aws_req *req, struct gy_str arn);

#endif

/*
 * kinesis_int.h — declarations shared by the files of src/kinesis/ (never included from outside
 * the folder): the service context, 128-bit hash keys (hashkey.c), sequence numbers
 * (seqnum.c), shard-iterator tokens (iterator.c), stored streams, shards and records (meta.c),
 * argument checks and errors (args.c), write jobs (kinesis.c), metrics (metrics.c) and the
 * operation handlers (ops_*.c). See docs/kinesis.md.
 */
#ifndef GY_KINESIS_INT_H
#define GY_KINESIS_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws/aws.h"
#include "core/str.h"
#include "core/token.h"
#include "kinesis/kinesis.h"
#include "store/store.h"

struct gy_arena;

#define GY_KIN_NAME_MAX 128                 /* stream names: 1..128 of [a-zA-Z0-9_.-] */
#define GY_KIN_PK_MAX 256                   /* partition keys: 1..256 characters */
#define GY_KIN_RECORD_MAX (1u << 20)        /* data + partition key of one record */
#define GY_KIN_PUT_RECORDS_MAX 500          /* records per PutRecords */
#define GY_KIN_PUT_BYTES_MAX (5u << 20)     /* bytes per PutRecords */
#define GY_KIN_GET_LIMIT 10000              /* records per GetRecords */
#define GY_KIN_GET_BYTES (10u << 20)        /* data bytes per GetRecords */
#define GY_KIN_ITER_TTL_MS (5 * 60 * 1000)  /* iterator lifetime */
#define GY_KIN_ITER_MAX 512                 /* longest iterator text, with its NUL */
#define GY_KIN_SEQ_LEN 56                   /* digits of a sequence number */
#define GY_KIN_RETENTION_MIN 24             /* hours */
#define GY_KIN_RETENTION_MAX 8760           /* hours */
#define GY_KIN_ON_DEMAND_SHARDS 4           /* shards an on-demand stream starts with */
#define GY_KIN_ON_DEMAND_LIMIT 50           /* on-demand streams per account */
#define GY_KIN_TAGS_MAX 50                  /* tags per stream */
#define GY_KIN_KEY_ID_MAX 2048              /* KMS key id */

enum gy_kin_status {
    GY_KIN_CREATING = 1,
    GY_KIN_ACTIVE = 2,
    GY_KIN_UPDATING = 3,
    GY_KIN_DELETING = 4,
};

enum gy_kin_mode { GY_KIN_PROVISIONED = 0, GY_KIN_ON_DEMAND = 1 };
enum gy_kin_enc { GY_KIN_ENC_NONE = 0, GY_KIN_ENC_KMS = 1 };

/* Shard-level metrics (EnableEnhancedMonitoring), one bit each in gy_kin_stream.metrics. */
#define GY_KIN_METRIC_NAMES(X)                                                                   \
    X(INCOMING_BYTES, "IncomingBytes")                                                           \
    X(INCOMING_RECORDS, "IncomingRecords")                                                       \
    X(OUTGOING_BYTES, "OutgoingBytes")                                                           \
    X(OUTGOING_RECORDS, "OutgoingRecords")                                                       \
    X(WRITE_EXCEEDED, "WriteProvisionedThroughputExceeded")                                      \
    X(READ_EXCEEDED, "ReadProvisionedThroughputExceeded")                                        \
    X(ITERATOR_AGE, "IteratorAgeMilliseconds")

enum gy_kin_metric_bit {
#define GY__KIN_BIT(e, s) GY_KIN_M_##e,
    GY_KIN_METRIC_NAMES(GY__KIN_BIT)
#undef GY__KIN_BIT
    GY_KIN_M__COUNT
};
extern const char *const gy_kin__metric_names[GY_KIN_M__COUNT];

struct gy_kin {
    struct gy_store *store;                /* the region's store */
    char region[64];                       /* this region */
    char account[16];                      /* account id */
    unsigned char key[GY_TOKEN_KEY_LEN];   /* iterator and NextToken secret */
    int64_t iter_ttl_ms;                   /* iterator lifetime (GYRE_KINESIS_ITERATOR_TTL_MS) */
    int64_t hour_ms;                       /* an hour of retention (GYRE_KINESIS_HOUR_MS, tests) */
    int64_t transition_ms;                 /* CREATING/UPDATING -> ACTIVE delay */
    uint32_t shard_limit;                  /* account's provisioned shard limit */
    struct gy_kin_metrics *metrics;        /* counters (metrics.c) */
    struct gy_kin_limits *limits;          /* per-shard write limits (writer thread), or NULL */
    struct gy_kin_limits *read_limits;     /* per-shard read limits (locked), or NULL */
    atomic_bool trimming;                  /* a background trim job is queued or running */
    struct gy_aws_service service;         /* registration with the router */
};

/* ---- 128-bit hash keys (hashkey.c) ---- */

/** Parse a decimal hash key; GY_EINVAL if not digits, GY_ETOOBIG if above 2^128-1. */
int gy_kin__hash_parse(struct gy_str s, unsigned __int128 *out);
/** Format as decimal (out >= 40 bytes); returns the length. */
size_t gy_kin__hash_format(unsigned __int128 v, char out[40]);
/** MD5 of a partition key read as an unsigned big-endian 128-bit integer. */
unsigned __int128 gy_kin__hash_of_key(struct gy_str partition_key);
/** Shard i of n over the whole key space: AWS's even split, the last ending at 2^128-1. */
void gy_kin__hash_split(uint32_t n, uint32_t i, unsigned __int128 *start, unsigned __int128 *end);
/** Big-endian 16 bytes (memcmp order is numeric order). */
void gy_kin__hash_put(unsigned char p[16], unsigned __int128 v);
unsigned __int128 gy_kin__hash_get(const unsigned char p[16]);

/* ---- sequence numbers (seqnum.c) ---- */

/*
 * A sequence number's parts. Its 56 decimal digits are
 *   "49" | stream id (10) | shard index (10) | position (20) | time ms (13) | "2"
 * so within a shard numeric order is position order, and numbers of different shards or
 * streams never collide.
 */
struct gy_kin_seq {
    uint32_t stream_id;  /* the stream's storage id (never reused) */
    uint32_t shard;      /* shard index */
    uint64_t position;   /* position in the shard: 0 = the shard's start, records from 1 */
    int64_t time_ms;     /* arrival time (informational) */
};

#define GY_KIN_SEQ_END_TIME 9999999999999LL /* time part of a closed shard's ending number */

/** Format (out >= GY_KIN_SEQ_LEN + 1 bytes). */
void gy_kin__seq_format(const struct gy_kin_seq *s, char out[GY_KIN_SEQ_LEN + 1]);
/** Parse one of ours; GY_EINVAL for anything else. */
int gy_kin__seq_parse(struct gy_str text, struct gy_kin_seq *out);
/** True when text is a decimal sequence number as the API accepts (0|[1-9][0-9]{0,128}). */
bool gy_kin__seq_valid(struct gy_str text);
/** Compare two decimal strings numerically: <0, 0, >0 (both must be valid). */
int gy_kin__seq_cmp(struct gy_str a, struct gy_str b);

/* ---- shard iterators (iterator.c) ---- */

struct gy_kin_iter {
    uint32_t stream_id;        /* the stream (its storage id) */
    uint32_t shard;            /* shard index */
    uint64_t position;         /* next position to return */
    int64_t min_arrival_ms;    /* AT_TIMESTAMP: skip records that arrived earlier (else 0) */
    int64_t issued_ms;         /* when it was handed out */
    char stream[GY_KIN_NAME_MAX + 1]; /* stream name, NUL-terminated */
};

/** Seal it into out (cap >= GY_KIN_ITER_MAX). Returns the length or GY_EINVAL. */
int gy_kin__iter_encode(const unsigned char key[GY_TOKEN_KEY_LEN], const struct gy_kin_iter *it,
                        char *out, size_t cap);
/** Open and check a token; 0, or GY_EINVAL for anything this key did not seal. */
int gy_kin__iter_decode(const unsigned char key[GY_TOKEN_KEY_LEN], struct gy_str token,
                        struct gy_kin_iter *out);

/* ---- stored streams, shards and records (meta.c) ---- */

struct gy_kin_stream {
    uint32_t id;                       /* storage id (never reused) */
    char name[GY_KIN_NAME_MAX + 1];    /* StreamName */
    int64_t created_ms;                /* StreamCreationTimestamp */
    enum gy_kin_status status;         /* stored status (see gy_kin__status) */
    int64_t settle_ms;                 /* CREATING/UPDATING: when it reads as ACTIVE */
    enum gy_kin_mode mode;             /* capacity mode */
    uint32_t retention_h;              /* RetentionPeriodHours */
    enum gy_kin_enc enc;               /* EncryptionType for new records */
    char key_id[GY_KIN_KEY_ID_MAX + 1]; /* KMS key id when enc is KMS */
    uint32_t metrics;                  /* enhanced monitoring bits (1 << gy_kin_metric_bit) */
    uint32_t next_shard;               /* next shard index to hand out */
    uint32_t open_shards;              /* shards taking writes */
    int64_t mode_changed_ms;           /* last UpdateStreamMode */
};

struct gy_kin_shard {
    uint32_t idx;                      /* shardId-<idx, 12 digits> */
    bool closed;                       /* no more writes (split, merged or rescaled) */
    unsigned __int128 start, end;      /* HashKeyRange, inclusive */
    int64_t parent, adjacent;          /* parent shard indexes, or -1 */
    int64_t created_ms;                /* when it opened */
    int64_t closed_ms;                 /* when it closed (closed only) */
    uint64_t next_pos;                 /* position of the next record (records start at 1) */
    int64_t last_arrival_ms;           /* arrival time of the newest record (0: none yet) */
};

/* A stored record, borrowing from the transaction's memory. */
struct gy_kin_record {
    uint64_t position;                 /* position in its shard */
    int64_t arrival_ms;                /* ApproximateArrivalTimestamp */
    enum gy_kin_enc enc;               /* how it was stored */
    struct gy_str partition_key;       /* PartitionKey */
    struct gy_str data;                /* Data (raw bytes) */
};

/** The status a client sees at now (CREATING/UPDATING settle to ACTIVE). */
enum gy_kin_status gy_kin__status(const struct gy_kin_stream *st, int64_t now);
const char *gy_kin__status_name(enum gy_kin_status s);
/** "shardId-000000000007" (out >= 24 bytes). */
void gy_kin__shard_id(uint32_t idx, char out[24]);
/** Parse a shard id (also a bare index, as AWS accepts); GY_EINVAL if malformed. */
int gy_kin__shard_id_parse(struct gy_str id, uint32_t *idx);

/** A DELETING stream whose transition has passed: it reads as not found. */
bool gy_kin__stream_gone(const struct gy_kin_stream *st, int64_t now);
/** The named stream; GY_ENOTFOUND when absent or gone. */
int gy_kin__stream_get(struct gy_store_txn *txn, struct gy_str name, struct gy_kin_stream *out);
/** The named stream's record even when gone (for the purge). */
int gy_kin__stream_get_raw(struct gy_store_txn *txn, struct gy_str name,
                           struct gy_kin_stream *out);
int gy_kin__stream_put(struct gy_store_txn *txn, const struct gy_kin_stream *st);
int gy_kin__stream_del(struct gy_store_txn *txn, struct gy_str name);
/** Allocate a new stream id (writer thread). */
int gy_kin__stream_id_next(struct gy_store_txn *txn, uint32_t *out);
/** Stored streams in name order after `after` (empty: from the start), gone ones if asked. */
int gy_kin__streams(struct gy_store_txn *txn, struct gy_arena *a, struct gy_str after, size_t max,
                    bool with_gone, struct gy_kin_stream **out, size_t *n, bool *more);

int gy_kin__shard_get(struct gy_store_txn *txn, uint32_t stream_id, uint32_t idx,
                      struct gy_kin_shard *out);
/** Store a shard and keep the open-shard index in step (writer thread). */
int gy_kin__shard_put(struct gy_store_txn *txn, uint32_t stream_id, const struct gy_kin_shard *sh);
/** Store a shard whose range and open state did not change (the fast path of a put). */
int gy_kin__shard_put_counters(struct gy_store_txn *txn, uint32_t stream_id,
                               const struct gy_kin_shard *sh);
/** All shards of a stream in index order (arena array). */
int gy_kin__shards(struct gy_store_txn *txn, struct gy_arena *a, uint32_t stream_id,
                   struct gy_kin_shard **out, size_t *n);
/** The open shard whose range holds hash; GY_ENOTFOUND if none. */
int gy_kin__shard_for_hash(struct gy_store_txn *txn, uint32_t stream_id, unsigned __int128 hash,
                           uint32_t *idx);

/** Append a record (writer thread). */
int gy_kin__record_put(struct gy_store_txn *txn, uint32_t stream_id, uint32_t shard,
                       const struct gy_kin_record *r);
/** Decode a stored record (k and v from a cursor over the 'R' space). */
int gy_kin__record_decode(struct gy_str k, struct gy_str v, uint32_t stream_id, uint32_t shard,
                          struct gy_kin_record *out);
/** The key of a record position (out: 17 bytes). */
void gy_kin__record_key(uint32_t stream_id, uint32_t shard, uint64_t pos, unsigned char out[17]);
/**
 * Delete up to budget records of the shard that arrived before horizon_ms (oldest first).
 * Sets *more when it stopped at the budget.
 */
int gy_kin__records_trim(struct gy_store_txn *txn, uint32_t stream_id, uint32_t shard,
                         int64_t horizon_ms, size_t budget, bool *more);
/** Delete up to budget expired records of every shard of a stream (oldest first per shard). */
int gy_kin__stream_trim(struct gy_store_txn *txn, uint32_t stream_id, int64_t horizon_ms,
                        size_t budget, bool *more);
/** Delete up to budget keys of a deleted stream's shards, records and tags. */
int gy_kin__purge(struct gy_store_txn *txn, uint32_t stream_id, size_t budget, bool *more);

/* Tags: 'T' stream id || key -> value. */
int gy_kin__tag_put(struct gy_store_txn *txn, uint32_t stream_id, struct gy_str k, struct gy_str v);
int gy_kin__tag_del(struct gy_store_txn *txn, uint32_t stream_id, struct gy_str k);
/** Tags in key order after `after` (arena arrays of keys and values). */
int gy_kin__tags(struct gy_store_txn *txn, struct gy_arena *a, uint32_t stream_id,
                 struct gy_str after, size_t max, struct gy_str **keys, struct gy_str **vals,
                 size_t *n, bool *more);
/** Number of tags of a stream. */
size_t gy_kin__tag_count(struct gy_store_txn *txn, uint32_t stream_id);

/* Consumers: 'U' stream id || name. A DELETING one past its settle time reads as absent. */
#define GY_KIN_CONSUMERS_MAX 20             /* registered consumers per stream */

struct gy_kin_consumer {
    char name[GY_KIN_NAME_MAX + 1];    /* ConsumerName */
    int64_t created_ms;                /* ConsumerCreationTimestamp (also in its ARN) */
    enum gy_kin_status status;         /* CREATING, ACTIVE or DELETING as stored */
    int64_t settle_ms;                 /* when CREATING reads ACTIVE, DELETING reads gone */
};

int gy_kin__consumer_get(struct gy_store_txn *txn, uint32_t stream_id, struct gy_str name,
                         struct gy_kin_consumer *out);
int gy_kin__consumer_put(struct gy_store_txn *txn, uint32_t stream_id,
                         const struct gy_kin_consumer *c);
int gy_kin__consumer_del(struct gy_store_txn *txn, uint32_t stream_id, struct gy_str name);
/** Live consumers in name order after `after` (arena array); *more when max was reached. */
int gy_kin__consumers(struct gy_store_txn *txn, struct gy_arena *a, uint32_t stream_id,
                      struct gy_str after, size_t max, struct gy_kin_consumer **out, size_t *n,
                      bool *more);

/* ---- arguments and errors (args.c) ---- */

/** Record a Kinesis exception by name with a formatted message; returns GY_EAWS. */
int gy_kin__error(struct gy_aws_req *req, const char *exception, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/** InternalFailure for a storage problem (logged); returns GY_EAWS. */
int gy_kin__internal(struct gy_aws_req *req, int rc);

/* Validation errors of one request, collected as Coral words them. */
struct gy_kin_v {
    struct gy_aws_req *req;
    int count;       /* errors found */
    char *text;      /* "a; b" (arena) */
    bool serial;     /* a member had the wrong JSON type: SerializationException */
};

void gy_kin__v_init(struct gy_kin_v *v, struct gy_aws_req *req);
/** Add one "Value ... at 'path' failed to satisfy constraint: ..." text. */
void gy_kin__v_add(struct gy_kin_v *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** GY_EAWS (ValidationException/SerializationException recorded) if anything failed, else 0. */
int gy_kin__v_done(struct gy_kin_v *v);

/** A string member (NUL-terminated slice, p NULL when absent), length checked [min, max]. */
struct gy_str gy_kin__v_str(struct gy_kin_v *v, const struct gy_json *obj, const char *member,
                            const char *path, bool required, size_t min, size_t max);
/** An integer member in [min, max]; *present false when absent. */
int64_t gy_kin__v_int(struct gy_kin_v *v, const struct gy_json *obj, const char *member,
                      const char *path, bool required, int64_t min, int64_t max, bool *present);
/** A stream name value: length and pattern. */
void gy_kin__v_name(struct gy_kin_v *v, struct gy_str name, const char *path);
/** A timestamp member (epoch seconds, fractional allowed) in ms; *present false when absent. */
int64_t gy_kin__v_time(struct gy_kin_v *v, const struct gy_json *obj, const char *member,
                       const char *path, bool *present);

/**
 * The stream a request names through StreamName and/or StreamARN (validated; the ARN must be
 * of this region and account). Returns 0 with the name (NUL-terminated), or GY_EAWS.
 */
int gy_kin__stream_arg(struct gy_aws_req *req, struct gy_kin_v *v, struct gy_str *name);
/** The stream a ResourceARN names (TagResource and friends); 0 or GY_EAWS. */
int gy_kin__resource_arg(struct gy_aws_req *req, struct gy_kin_v *v, struct gy_str *name);
/** The stream's ARN (arena). */
char *gy_kin__arn(struct gy_aws_req *req, const char *name);
/** ResourceNotFoundException "Stream <s> under account <a> not found."; returns GY_EAWS. */
int gy_kin__not_found(struct gy_aws_req *req, struct gy_str name);
/** ResourceInUseException "... not ACTIVE, instead in state ..."; returns GY_EAWS. */
int gy_kin__not_active(struct gy_aws_req *req, const struct gy_kin_stream *st, int64_t now);
/** Length of a JSON string in characters (UTF-8 code points). */
size_t gy_kin__chars(struct gy_str s);

/* ---- write jobs (kinesis.c) ---- */

/*
 * A request's write: apply() runs on the store's writer thread inside the group commit and
 * writes the response into req->w (or records an error); the request completes on its I/O
 * thread once the commit is durable. Allocated from the request arena.
 */
struct gy_kin_job {
    struct gy_store_job job;                                       /* store linkage */
    struct gy_aws_req *req;                                        /* the request */
    int (*apply)(struct gy_store_txn *txn, struct gy_kin_job *j);  /* the change */
    void (*after)(struct gy_kin_job *j);                           /* I/O thread, on success */
    int rc;                                                        /* final result */
    void *data;                                                    /* operation state */
};

/** Submit j; returns GY_PENDING (completes later) or GY_EAWS. */
int gy_kin__submit(struct gy_aws_req *req, struct gy_kin_job *j);
/** Open a read transaction for req (ended when its arena goes); 0 or GY_EAWS. */
int gy_kin__read(struct gy_aws_req *req, struct gy_store_txn **txn);
/** ms in one hour of retention for this region (shortened by tests). */
int64_t gy_kin__retention_ms(const struct gy_kin *k, const struct gy_kin_stream *st);

/* ---- per-shard throughput limits (limits.c) ---- */

struct gy_kin_limits *gy_kin__limits_create(void);
void gy_kin__limits_destroy(struct gy_kin_limits *l);
/** Whether a record of bytes (data + key) may be written to the shard now; takes its cost. */
bool gy_kin__write_admit(struct gy_kin *k, uint32_t stream_id, uint32_t shard, size_t bytes,
                         int64_t now);
/** Whether a GetRecords call may read the shard now (takes a call token). Any thread. */
bool gy_kin__read_admit(struct gy_kin *k, uint32_t stream_id, uint32_t shard, int64_t now);
/** Charge the bytes a GetRecords call returned. Any thread. */
void gy_kin__read_charge(struct gy_kin *k, uint32_t stream_id, uint32_t shard, size_t bytes,
                         int64_t now);

/* ---- metrics (metrics.c) ---- */

struct gy_kin_metrics *gy_kin__metrics_create(void);
void gy_kin__metrics_destroy(struct gy_kin_metrics *m);
/** Add to a counter of a stream (and of its shard when shard >= 0). Any thread. */
void gy_kin__metric_add(struct gy_kin *k, const char *stream, int64_t shard,
                        enum gy_kin_counter c, uint64_t v);
/** Record a maximum (IteratorAgeMilliseconds). Any thread. */
void gy_kin__metric_max(struct gy_kin *k, const char *stream, int64_t shard,
                        enum gy_kin_counter c, uint64_t v);
/** Remember a stream's enhanced-monitoring bits (reported with its rows). */
void gy_kin__metrics_enhanced(struct gy_kin *k, const char *stream, uint32_t bits);
/** Forget a deleted stream's counters. */
void gy_kin__metrics_forget(struct gy_kin *k, const char *stream);

/* ---- helpers the operation files share (ops_stream.c) ---- */

struct gy_jw;

void gy_kin__write_hash_range(struct gy_jw *w, const struct gy_kin_shard *sh);
/** One Shard object as DescribeStream and ListShards show it. */
void gy_kin__write_shard(struct gy_jw *w, const struct gy_kin_stream *st,
                         const struct gy_kin_shard *sh);
void gy_kin__write_mode(struct gy_jw *w, const struct gy_kin_stream *st);
/** An array of ShardLevelMetrics names for bits. */
void gy_kin__write_metric_list(struct gy_jw *w, uint32_t bits);
/** A closed shard whose records have all passed the retention period (no longer listed). */
bool gy_kin__shard_expired(const struct gy_kin *k, const struct gy_kin_stream *st,
                           const struct gy_kin_shard *sh, int64_t now);
/** Open shards of provisioned streams and the number of on-demand streams. */
int gy_kin__account_usage(struct gy_store_txn *txn, struct gy_arena *a, uint32_t *shards,
                          uint32_t *on_demand);
/** LimitExceededException for the account's shard limit; returns GY_EAWS. */
int gy_kin__shard_limit_error(struct gy_aws_req *req, uint32_t current, uint32_t more);
/** A Tags map member (keys and values borrowed from the request). */
int gy_kin__tags_arg(struct gy_aws_req *req, struct gy_kin_v *v, const char *member, bool required,
                     struct gy_str **keys, struct gy_str **vals, size_t *n);
/** StreamModeDetails; *mode is left alone when absent. */
int gy_kin__mode_arg(struct gy_aws_req *req, struct gy_kin_v *v, bool required,
                     enum gy_kin_mode *mode, bool *present);
/** Delete a DELETING stream's keys in the background, then its name. */
void gy_kin__purge_start(struct gy_kin *k, uint32_t id, const char *name);
/**
 * Delete a stream's expired records in the background (bounded jobs), unless a trim is already
 * under way. Any thread; returns at once.
 */
void gy_kin__trim_start(struct gy_kin *k, uint32_t id, const char *name);
/** Restart the purges of streams left DELETING by a restart. */
int gy_kin__resume_purges(struct gy_kin *k);
/** Read the named stream in txn; 0, or GY_EAWS (ResourceNotFoundException). */
int gy_kin__stream_lookup(struct gy_aws_req *req, struct gy_store_txn *txn, struct gy_str name,
                          struct gy_kin_stream *st);
/** A sealed pagination token of a kind holding n bytes (arena), or NULL. */
char *gy_kin__token_make(struct gy_aws_req *req, char kind, const void *p, size_t n);
/** Open a pagination token of a kind (InvalidArgument/ExpiredNextToken answered). */
int gy_kin__token_read(struct gy_aws_req *req, char kind, struct gy_str text, void *out,
                       size_t cap, size_t *n);
/** The stream for a write job: not found, DELETING or not ACTIVE answered. */
int gy_kin__stream_for_change(struct gy_aws_req *req, struct gy_store_txn *txn, struct gy_str name,
                              struct gy_kin_stream *st, bool need_active);

/* ---- handlers ---- */

int gy_kin__create_stream(struct gy_aws_req *req);
int gy_kin__delete_stream(struct gy_aws_req *req);
int gy_kin__describe_stream(struct gy_aws_req *req);
int gy_kin__describe_stream_summary(struct gy_aws_req *req);
int gy_kin__list_streams(struct gy_aws_req *req);
int gy_kin__list_shards(struct gy_aws_req *req);
int gy_kin__describe_limits(struct gy_aws_req *req);
int gy_kin__increase_retention(struct gy_aws_req *req);
int gy_kin__decrease_retention(struct gy_aws_req *req);
int gy_kin__add_tags(struct gy_aws_req *req);
int gy_kin__remove_tags(struct gy_aws_req *req);
int gy_kin__list_tags(struct gy_aws_req *req);
int gy_kin__tag_resource(struct gy_aws_req *req);
int gy_kin__untag_resource(struct gy_aws_req *req);
int gy_kin__list_tags_for_resource(struct gy_aws_req *req);
int gy_kin__enable_monitoring(struct gy_aws_req *req);
int gy_kin__disable_monitoring(struct gy_aws_req *req);
int gy_kin__start_encryption(struct gy_aws_req *req);
int gy_kin__stop_encryption(struct gy_aws_req *req);
int gy_kin__update_stream_mode(struct gy_aws_req *req);
int gy_kin__split_shard(struct gy_aws_req *req);
int gy_kin__merge_shards(struct gy_aws_req *req);
int gy_kin__update_shard_count(struct gy_aws_req *req);
int gy_kin__put_record(struct gy_aws_req *req);
int gy_kin__put_records(struct gy_aws_req *req);
int gy_kin__get_shard_iterator(struct gy_aws_req *req);
int gy_kin__get_records(struct gy_aws_req *req);
int gy_kin__register_consumer(struct gy_aws_req *req);
int gy_kin__describe_consumer(struct gy_aws_req *req);
int gy_kin__list_consumers(struct gy_aws_req *req);
int gy_kin__deregister_consumer(struct gy_aws_req *req);

#endif

/*
 * dynamodb_int.h — declarations shared by the DynamoDB service's files; not for other folders.
 */
#ifndef GY_DDB_DYNAMODB_INT_H
#define GY_DDB_DYNAMODB_INT_H

#include "aws/aws.h"
#include "core/arena.h"
#include "dynamodb/catalog.h"
#include "dynamodb/dynamodb.h"
#include "dynamodb/table.h"
#include "dynamodb/value.h"
#include "store/store.h"

/* Operation handlers. */
int gy_ddb__create_table(struct gy_aws_req *req);
int gy_ddb__describe_table(struct gy_aws_req *req);
int gy_ddb__list_tables(struct gy_aws_req *req);
int gy_ddb__delete_table(struct gy_aws_req *req);
int gy_ddb__update_table(struct gy_aws_req *req);
int gy_ddb__describe_limits(struct gy_aws_req *req);
int gy_ddb__describe_endpoints(struct gy_aws_req *req);
int gy_ddb__tag_resource(struct gy_aws_req *req);
int gy_ddb__untag_resource(struct gy_aws_req *req);
int gy_ddb__list_tags(struct gy_aws_req *req);
int gy_ddb__describe_ttl(struct gy_aws_req *req);
int gy_ddb__put_item(struct gy_aws_req *req);
int gy_ddb__get_item(struct gy_aws_req *req);
int gy_ddb__delete_item(struct gy_aws_req *req);
int gy_ddb__update_item(struct gy_aws_req *req);
int gy_ddb__query(struct gy_aws_req *req);
int gy_ddb__batch_get_item(struct gy_aws_req *req);
int gy_ddb__batch_write_item(struct gy_aws_req *req);
int gy_ddb__transact_get_items(struct gy_aws_req *req);
int gy_ddb__transact_write_items(struct gy_aws_req *req);
int gy_ddb__execute_statement(struct gy_aws_req *req);
int gy_ddb__batch_execute_statement(struct gy_aws_req *req);
int gy_ddb__execute_transaction(struct gy_aws_req *req);
int gy_ddb__scan(struct gy_aws_req *req);

/*
 * Resolve the table a request names in `member` (a name or an ARN of this region/account).
 * Returns a referenced table; on failure records ResourceNotFoundException (or a validation
 * error) and returns NULL. The reference is dropped when the request's arena is destroyed.
 */
struct gy_ddb_table *gy_ddb__table_arg(struct gy_aws_req *req, const char *member, bool describe_msg);

/** The same, with the member read from the JSON object src (an action of a batch). */
struct gy_ddb_table *gy_ddb__table_in(struct gy_aws_req *req, const struct gy_json *src,
                                      const char *member, bool describe_msg);

/** The same for a name (or ARN) given directly, e.g. a RequestItems key. */
struct gy_ddb_table *gy_ddb__table_named(struct gy_aws_req *req, struct gy_str name,
                                         bool describe_msg);

/** ReturnConsumedCapacity: 0 NONE, 1 TOTAL, 2 INDEXES; -1 after recording a validation error. */
int gy_ddb__rcc_arg(struct gy_aws_req *req);
/** Write "ConsumedCapacity" for a table and units (read or write as named). */
void gy_ddb__write_capacity(struct gy_jw *w, const struct gy_ddb_table *t, int rcc, double units,
                            bool is_read);

/**
 * Validate a Key (exact key attributes of the right types) from request member `member`.
 * Fills pk and sk (sk NULL for hash-only tables). Returns 0 or GY_EAWS.
 */
int gy_ddb__key_arg(struct gy_aws_req *req, const struct gy_ddb_table *t, const struct gy_json *key,
                    const struct gy_ddb_value **pk, const struct gy_ddb_value **sk);
/** Check an item's key attributes (presence, type, non-empty, size). Returns 0 or GY_EAWS. */
int gy_ddb__item_key_check(struct gy_aws_req *req, const struct gy_ddb_table *t,
                           const struct gy_ddb_map *item, const struct gy_ddb_value **pk,
                           const struct gy_ddb_value **sk);
/* ---- request_expr.c: a request's expression parameters ---- */

struct gy_expr;
struct gy_expr_ctx;
struct gy_expr_update;
struct gy_expr_proj;

enum {
    GY_DDB_EX_COND = 1,     /* ConditionExpression / Expected */
    GY_DDB_EX_UPDATE = 2,   /* UpdateExpression / AttributeUpdates */
    GY_DDB_EX_PROJ = 4,     /* ProjectionExpression / AttributesToGet */
    GY_DDB_EX_KEYCOND = 8,  /* KeyConditionExpression / KeyConditions */
    GY_DDB_EX_FILTER = 16,  /* FilterExpression / QueryFilter or ScanFilter */
};

struct gy_ddb_exprs {
    struct gy_expr_ctx *ctx;
    const struct gy_expr *cond;        /* condition, or NULL */
    const struct gy_expr_update *upd;  /* update, or NULL */
    const struct gy_expr_proj *proj;   /* projection, or NULL */
    const struct gy_expr *keycond;     /* key condition, or NULL */
    bool keycond_legacy;               /* it came from KeyConditions */
    const struct gy_expr *filter;      /* filter, or NULL */
};

/**
 * Parse the expression parameters named by kinds (GY_DDB_EX_* bits) found in the JSON object
 * src (the request body, or one action of a batch or transaction). 0 or GY_EAWS.
 */
int gy_ddb__parse_exprs(struct gy_aws_req *req, const struct gy_json *src,
                        const struct gy_ddb_table *t, int kinds, struct gy_ddb_exprs *ex);

/* ---- items.c: storage keys and the single item write path ---- */

/** Storage key of an item (layout in items.c), copied into the arena. */
int gy_ddb__storage_key(struct gy_arena *a, const struct gy_ddb_table *t,
                        const struct gy_ddb_value *pk, const struct gy_ddb_value *sk,
                        struct gy_str *out);
/** Append the key prefix shared by every item of pk's partition. */
int gy_ddb__partition_prefix(struct gy_buf *b, const struct gy_ddb_table *t,
                             const struct gy_ddb_value *pk);
/** Append the sort-key part of a storage key. */
int gy_ddb__append_sk(struct gy_buf *b, const struct gy_ddb_value *sk);
/**
 * Load the item at key. With copy, the result is deep-copied into the arena; without, it
 * borrows storage memory (valid until the transaction ends or writes). *size (if not NULL)
 * gets DynamoDB's size. GY_ENOTFOUND if absent, GY_EIO if corrupt.
 */
int gy_ddb__item_load(struct gy_store_txn *txn, struct gy_arena *a, struct gy_str key, bool copy,
                      struct gy_ddb_map *out, size_t *size);

/* One change to one item, as every writer describes it. */
struct gy_ddb_change {
    const struct gy_ddb_table *t;      /* the table */
    struct gy_str key;                 /* storage key */
    const struct gy_ddb_map *old;      /* the item before, or NULL */
    size_t old_size;                   /* its size */
    const struct gy_ddb_map *new_item; /* the item after, or NULL for a delete */
    size_t new_size;                   /* its size */
    bool by_service;                   /* made by the service itself (TTL): userIdentity Service */
    struct gy_ddb *d;                  /* the region's service (clock, region name) */
    uint64_t version;                  /* HLC of a replicated change; 0 = a new local change */
    const char *origin;                /* origin region of a replicated change; NULL = here */
};

/** Load the version clock's persisted high-water mark (at open). */
int gy_ddb__hlc_load(struct gy_ddb *d, struct gy_store_txn *txn);
/** Apply a change in a write transaction: item, statistics, indexes and change log. */
int gy_ddb__item_apply(struct gy_store_txn *txn, const struct gy_ddb_change *c);

/* ---- changelog.c: writer side ---- */

/** Append c to its table's change log when the table has a stream (writer thread, in c's txn). */
int gy_ddb__log_append(struct gy_store_txn *txn, struct gy_ddb *d, const struct gy_ddb_change *c,
                       uint64_t version, const char *origin, int64_t now_ms);
/** Start and stop the maintenance thread that trims expired change records. */
int gy_ddb__log_start(struct gy_ddb *d);
void gy_ddb__log_stop(struct gy_ddb *d);

/* ---- actions.c: one validated write to one item (item ops, batches, transactions) ---- */

enum gy_ddb_act_kind {
    GY_DDB_ACT_PUT = 1,
    GY_DDB_ACT_DELETE,
    GY_DDB_ACT_UPDATE,
    GY_DDB_ACT_CHECK,  /* TransactWriteItems ConditionCheck: evaluate only */
};

struct gy_ddb_action {
    enum gy_ddb_act_kind kind;
    struct gy_ddb_table *t;            /* the table (referenced for the request) */
    struct gy_str key;                 /* storage key */
    const struct gy_ddb_value *pk, *sk;
    const struct gy_ddb_map *item;     /* PUT: the new item */
    const struct gy_ddb_map *key_map;  /* UPDATE: the key attributes (a missing item starts so) */
    const struct gy_expr *cond;        /* condition, or NULL */
    const struct gy_expr_update *upd;  /* UPDATE: the update, or NULL */
    bool rv_on_fail;                   /* ReturnValuesOnConditionCheckFailure ALL_OLD */
    /* Filled on the writer thread: */
    bool had_old;                      /* an item existed */
    struct gy_ddb_map old;             /* a copy of it, in the request arena */
    size_t old_size;
    struct gy_ddb_map new_item;        /* the item after the action */
    size_t new_size;
    bool cond_failed;                  /* the condition was false */
};

/**
 * Parse and validate one action from the JSON object src (TableName, Item or Key,
 * expressions, ReturnValuesOnConditionCheckFailure); exprs says which expression kinds src may
 * carry. Returns 0 or GY_EAWS.
 */
int gy_ddb__action_parse(struct gy_aws_req *req, const struct gy_json *src,
                         enum gy_ddb_act_kind kind, int exprs, struct gy_ddb_action *a);
/**
 * The same for a batch entry whose table is named outside it (RequestItems' key): a
 * PutRequest ({"Item": ...}) or DeleteRequest ({"Key": ...}). No expressions.
 */
int gy_ddb__batch_action(struct gy_aws_req *req, struct gy_str table, const struct gy_json *src,
                         enum gy_ddb_act_kind kind, struct gy_ddb_action *a);
/** A key to read for table (BatchGetItem): fills a->t, a->pk, a->sk and a->key. */
int gy_ddb__batch_key(struct gy_aws_req *req, struct gy_str table, const struct gy_json *key,
                      struct gy_ddb_action *a);
/**
 * Writer thread: load the current item and evaluate the condition. A false condition sets
 * a->cond_failed and records ConditionalCheckFailedException (with the item when rv_on_fail).
 * Returns 0, GY_EAWS, or a storage error.
 */
int gy_ddb__action_check(struct gy_store_txn *txn, struct gy_aws_req *req, struct gy_ddb_action *a);
/** Writer thread, after a passing check: build the new item and apply the change. */
int gy_ddb__action_apply(struct gy_store_txn *txn, struct gy_aws_req *req, struct gy_ddb_action *a);
/** DynamoDB's size of a write (the larger of the item before and after), for capacity. */
size_t gy_ddb__action_size(const struct gy_ddb_action *a);
/** The item an applied action left (NULL after a delete, a check, or an update that created
 *  nothing); points into a. */
const struct gy_ddb_map *gy_ddb__action_new_image(const struct gy_ddb_action *a);
/** Write "Item": old item JSON into a new arena string (for condition-failure bodies). */
const char *gy_ddb__item_json(struct gy_arena *a, const struct gy_ddb_map *item);

struct gy_ddb_action;
/** "ConsumedCapacity" as a list with one entry per table of acts (units[i] for acts[i]); split
 *  adds ReadCapacityUnits/WriteCapacityUnits beside CapacityUnits (transactions, as on AWS). */
void gy_ddb__capacity_list(struct gy_jw *w, const struct gy_ddb_action *acts, size_t n, int rcc,
                          bool is_read, const double *units, bool split);
/** Capacity units for a write of an item of `bytes` (1 KB units, at least 1). */
double gy_ddb__write_units(size_t bytes);
/** Capacity units for a read of `bytes` (4 KB units, at least 1; halved if eventually consistent). */
double gy_ddb__read_units(size_t bytes, bool consistent);

#endif

/*
 * A write job of a request: apply() runs on the writer thread in the group commit; then, on the
 * request's I/O thread, respond() writes the success body (when apply and commit succeeded)
 * and the request completes. Allocated from the request arena.
 */
struct gy_ddb_job {
    struct gy_store_job job;                                  /* store linkage */
    struct gy_aws_req *req;                                   /* the request */
    int (*apply)(struct gy_store_txn *txn, struct gy_ddb_job *j);  /* the change */
    void (*respond)(struct gy_ddb_job *j);                    /* success body; may be NULL */
    void (*after)(struct gy_ddb_job *j, int rc);              /* writer thread, after commit; may be NULL */
    int rc;                                                   /* final result */
    void *data;                                               /* operation state */
};

/** Submit j; returns GY_PENDING (the request completes later) or an error. */
int gy_ddb__submit(struct gy_aws_req *req, struct gy_ddb_job *j);

/* ---- index.c: secondary index entries; ttl.c: Time to Live (see docs/dynamodb.md) ---- */

struct gy_ddb_index;
struct gy_ddb_change;
struct gy_jw;

/**
 * Writer thread, inside gy_ddb__item_apply: bring every index of the table's current version
 * in step with change c (delete, insert or replace entries; statistics; item-collection sizes
 * for tables with LSIs). Returns 0, GY_EINVAL when the new item has an index key of the wrong
 * type (callers check with gy_ddb__index_check first), GY_ETOOBIG when an item collection
 * would pass 10 GB (ItemCollectionSizeLimitExceededException), or a storage error.
 */
int gy_ddb__index_apply(struct gy_store_txn *txn, const struct gy_ddb_change *c);
/**
 * Check the index key attributes of an item about to be written (type, non-empty, size) for
 * every index of t's current version; records DynamoDB's ValidationException ("Type mismatch
 * for Index Key ...") and returns GY_EAWS, or 0. Any thread.
 */
int gy_ddb__index_check(struct gy_aws_req *req, const struct gy_ddb_table *t,
                        const struct gy_ddb_map *item);
/**
 * Append item's entry key in index ix of t. GY_ENOTFOUND when the item is not in the index
 * (an index key attribute is absent), GY_EINVAL when one is of the wrong type or unusable.
 */
int gy_ddb__index_key(struct gy_buf *b, const struct gy_ddb_table *t, const struct gy_ddb_index *ix,
                      const struct gy_ddb_map *item);
/** Append the key prefix shared by every entry of index partition pk. */
int gy_ddb__index_partition_prefix(struct gy_buf *b, const struct gy_ddb_index *ix,
                                   const struct gy_ddb_value *pk);
/** The attributes of item that ix projects (values shared with item; array from a). */
void gy_ddb__index_project(struct gy_arena *a, const struct gy_ddb_table *t,
                           const struct gy_ddb_index *ix, const struct gy_ddb_map *item,
                           struct gy_ddb_map *out);
/** Backfill: add item's entry to ix unless present (writer thread). 0 or a storage error. */
int gy_ddb__index_backfill_item(struct gy_store_txn *txn, const struct gy_ddb_table *t,
                                const struct gy_ddb_index *ix, const struct gy_ddb_map *item,
                                struct gy_arena *a);
/**
 * Write units a change costs index ix, by DynamoDB's rules: 0 when the index is untouched, one
 * write of the entry's size (1 KB units) to add, update or remove an entry, two when the
 * index key changes.
 */
double gy_ddb__index_write_units(const struct gy_ddb_table *t, const struct gy_ddb_index *ix,
                                 const struct gy_ddb_map *old, const struct gy_ddb_map *new_item);
/**
 * Write "ConsumedCapacity" for one table: the total, and with INDEXES (rcc 2) "Table" and
 * "GlobalSecondaryIndexes"/"LocalSecondaryIndexes" from ix_units (parallel to t->indexes;
 * negative = index not involved; NULL = none).
 */
void gy_ddb__capacity_ix(struct gy_jw *w, const struct gy_ddb_table *t, int rcc, bool is_read,
                         double table_units, const double *ix_units);
/** The same for a single-item write from old to new_item (either may be NULL). */
void gy_ddb__write_capacity_ix(struct gy_jw *w, const struct gy_ddb_table *t, int rcc,
                               double table_units, const struct gy_ddb_map *old,
                               const struct gy_ddb_map *new_item);
/** Bytes of pk's item collection (items plus LSI entries) in txn; 0 when unknown. */
int gy_ddb__collection_size(struct gy_store_txn *txn, const struct gy_ddb_table *t,
                            const struct gy_ddb_value *pk, uint64_t *bytes);
/**
 * Write "ItemCollectionMetrics" (ReturnItemCollectionMetrics SIZE) for item's partition when
 * t has LSIs; nothing otherwise. Opens its own read transaction.
 */
void gy_ddb__collection_metrics(struct gy_jw *w, struct gy_ddb *d, const struct gy_ddb_table *t,
                                const struct gy_ddb_map *item);

/** UpdateTimeToLive and DescribeTimeToLive. */
int gy_ddb__update_ttl(struct gy_aws_req *req);
/** (gy_ddb__describe_ttl is declared with the other handlers above.) */
/**
 * Start the TTL sweeper of d (interval from GYRE_TTL_SWEEP_MS, default 60000 ms): each
 * interval it deletes expired items of tables with TTL enabled, in writer-thread jobs of
 * bounded size, each deletion through gy_ddb__item_apply with by_service. Returns 0 or GY_EIO.
 */
int gy_ddb__ttl_start(struct gy_ddb *d);
/** Stop and join the sweeper (before the store closes). NULL-safe and idempotent. */
void gy_ddb__ttl_stop(struct gy_ddb *d);

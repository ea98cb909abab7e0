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

/*
 * Resolve the table a request names in `member` (a name or an ARN of this region/account).
 * Returns a referenced table; on failure records ResourceNotFoundException (or a validation
 * error) and returns NULL. The reference is dropped when the request's arena is destroyed.
 */
struct gy_ddb_table *gy_ddb__table_arg(struct gy_aws_req *req, const char *member, bool describe_msg);

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
};

/** Apply a change in a write transaction: item, statistics (and later indexes and change log). */
int gy_ddb__item_apply(struct gy_store_txn *txn, const struct gy_ddb_change *c);

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

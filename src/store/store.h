/*
 * store.h — Gyre's storage engine: one LMDB environment per region data directory, a fixed set
 * of named key spaces, read transactions usable on any thread, and a single writer thread that
 * group-commits the write jobs that request threads hand it.
 *
 * Durability rule: a job's done() callback runs only after the transaction holding its changes
 * has been committed and synced to disk (LMDB's default sync on commit). Nothing may be
 * acknowledged to a client before done() says so. Concurrent jobs share one commit and one
 * fsync (group commit); each job runs in a nested transaction, so a job that fails rolls back
 * alone. This is the only file set in Gyre that includes <lmdb.h>.
 * See docs/architecture.md, "Storage" and docs/locking.md.
 */
#ifndef GY_STORE_STORE_H
#define GY_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/str.h"

/* Key spaces. Their layouts are documented where they are used (dynamodb/catalog.c, ...). */
enum gy_store_db {
    GY_DB_META = 0,   /* small named values: format version, id counters */
    GY_DB_CATALOG,    /* table name -> table description */
    GY_DB_ITEMS,      /* table id (4 bytes BE) || item key -> encoded item */
    GY_DB_STATS,      /* table id -> item count and bytes */
    GY_DB_INDEX,      /* secondary index entries (dynamodb/index.c) */
    GY_DB_CHANGES,    /* per-table change log: table id || sequence -> change record */
    GY_DB_STREAMS,    /* stream and shard metadata, consumer checkpoints */
    GY_DB_REPL,       /* replication: shipper checkpoints, tombstones (dynamodb/replica.c) */
    GY_DB_KINESIS,    /* Kinesis streams, shards and records (kinesis/meta.c) */
    GY_DB__COUNT
};

struct gy_store;
struct gy_store_txn;    /* a read-only or write transaction */
struct gy_store_cursor; /* an ordered iterator over one key space */

/**
 * Open (creating if needed) the store in directory dir with an address space of map_size bytes
 * and start its writer thread. Returns 0, or GY_EIO with a logged reason.
 */
int gy_store_open(const char *dir, size_t map_size, struct gy_store **out);
/** Drain queued jobs, stop the writer thread and close the environment. NULL is allowed. */
void gy_store_close(struct gy_store *s);

/** Begin a read-only snapshot. Any thread; never blocks writers. Returns 0 or GY_EIO. */
int gy_store_read_begin(struct gy_store *s, struct gy_store_txn **out);
/** End a read-only transaction; pointers read through it become invalid. */
void gy_store_read_end(struct gy_store_txn *txn);

/**
 * Point lookup. On success *val borrows memory owned by the transaction: valid until the
 * transaction ends or (in a write transaction) until the next write. GY_ENOTFOUND if absent.
 */
int gy_store_get(struct gy_store_txn *txn, enum gy_store_db db, struct gy_str key,
                 struct gy_str *val);
/** Write (insert or replace). Write transactions only. GY_ETOOBIG when the map is full. */
int gy_store_put(struct gy_store_txn *txn, enum gy_store_db db, struct gy_str key,
                 struct gy_str val);
/** Delete; GY_ENOTFOUND if absent. Write transactions only. */
int gy_store_del(struct gy_store_txn *txn, enum gy_store_db db, struct gy_str key);

/** Open a cursor (closed automatically at the end of a read transaction, or explicitly). */
int gy_store_cursor_open(struct gy_store_txn *txn, enum gy_store_db db, struct gy_store_cursor **out);
void gy_store_cursor_close(struct gy_store_cursor *c);
/** Position at the first key >= key. GY_ENOTFOUND when there is none. */
int gy_store_cursor_seek(struct gy_store_cursor *c, struct gy_str key, struct gy_str *k, struct gy_str *v);
/** Position at the last key <= key. GY_ENOTFOUND when there is none. */
int gy_store_cursor_seek_le(struct gy_store_cursor *c, struct gy_str key, struct gy_str *k,
                            struct gy_str *v);
int gy_store_cursor_next(struct gy_store_cursor *c, struct gy_str *k, struct gy_str *v);
int gy_store_cursor_prev(struct gy_store_cursor *c, struct gy_str *k, struct gy_str *v);
/** Delete the entry under the cursor (write transactions). */
int gy_store_cursor_del(struct gy_store_cursor *c);

/*
 * Write jobs. apply() runs on the writer thread inside a nested write transaction; a nonzero
 * return aborts that nested transaction only. done() runs on the writer thread after the
 * group's commit with apply's result, or GY_EIO if the commit itself failed (then nothing of
 * the job is stored). done() must be quick: typically it hands the result to an I/O loop.
 */
struct gy_store_job {
    int (*apply)(struct gy_store_txn *txn, void *arg); /* the job's reads and writes */
    void (*done)(void *arg, int rc);                   /* after commit; may be NULL */
    void *arg;                                         /* passed to both */
    int rc;                                            /* private: apply's result */
    struct gy_store_job *next;                         /* private: queue link */
};

/** Queue a job (thread-safe). Returns GY_ECLOSED if the store is shutting down. */
int gy_store_submit(struct gy_store *s, struct gy_store_job *job);
/** Run a job synchronously on the calling thread's behalf and wait for its commit. */
int gy_store_run(struct gy_store *s, int (*apply)(struct gy_store_txn *txn, void *arg), void *arg);

/**
 * Call fn(arg) on the writer thread after every successful group commit (for consumers that
 * want to hear about new durable data at once, e.g. replication shippers). Set it once, before
 * the store takes traffic; fn must be quick and must not submit jobs synchronously.
 */
void gy_store_set_commit_hook(struct gy_store *s, void (*fn)(void *arg), void *arg);

/**
 * Load the secret stored in META under name (len bytes), creating it from the OS's random
 * source on the first call for that name (through the writer, so it is durable before use).
 * For keys that authenticate tokens handed to clients. Returns 0 or GY_EIO.
 */
int gy_store_secret(struct gy_store *s, const char *name, unsigned char *key, size_t len);

struct gy_store_stats {
    uint64_t commits;  /* group commits done */
    uint64_t jobs;     /* jobs applied */
};
void gy_store_get_stats(struct gy_store *s, struct gy_store_stats *out);

#endif

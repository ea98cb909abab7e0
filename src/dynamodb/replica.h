/*
 * replica.h — what replication (src/replication/) needs from DynamoDB's item storage: applying
 * a change that originated in another region under last-writer-wins, reading an item's or a
 * tombstone's version stamp, and walking a table's items and tombstones for a snapshot.
 *
 * Last-writer-wins: an incoming version (stamp, origin) replaces the local one only when
 * stamp is greater, or equal with a greater origin region name (bytewise) — the same answer on
 * every replica. A delete of a replicated table's item leaves a tombstone carrying the
 * delete's version, so an older update arriving late cannot resurrect the item. Tombstones
 * are dropped after the change-log retention (a peer further behind is re-seeded).
 * Tombstones: REPL['T' || table id (4) || item key] = stamp (8) || deleted ms (8) || origin.
 */
#ifndef GY_DDB_REPLICA_H
#define GY_DDB_REPLICA_H

#include <stdbool.h>
#include <stdint.h>

#include "core/str.h"
#include "dynamodb/value.h"

struct gy_arena;
struct gy_ddb;
struct gy_ddb_table;
struct gy_store_txn;

/** True when (s1, o1) is newer than (s2, o2) under last-writer-wins. */
bool gy_ddb_lww_newer(uint64_t s1, struct gy_str o1, uint64_t s2, struct gy_str o2);

/**
 * Apply a replicated change to t in txn (writer thread): item NULL deletes. The key comes from
 * keys (the table's key attributes). Applied only when newer than the local item or
 * tombstone; then it goes through the single write path (indexes, statistics, change log with
 * the origin kept, so it is never shipped again). *applied says whether it won.
 * Returns 0, GY_EINVAL for a malformed key, or a storage error.
 */
int gy_ddb_replica_apply(struct gy_store_txn *txn, struct gy_ddb *d, const struct gy_ddb_table *t,
                         struct gy_arena *a, const struct gy_ddb_map *keys,
                         const struct gy_ddb_map *item, uint64_t stamp, struct gy_str origin,
                         bool by_service, bool *applied);

/* One entry of a snapshot walk: a live item or a tombstone. */
struct gy_ddb_snap_entry {
    struct gy_str key;          /* storage key (without the table id) */
    bool tombstone;
    struct gy_ddb_map item;     /* live item (borrowed from storage) */
    struct gy_ddb_map keys;     /* tombstone: its key attributes */
    uint64_t stamp;
    struct gy_str origin;
};

/**
 * Walk up to limit live items of t after storage key `after` (empty: from the start), in key
 * order, then its tombstones (tombstones = true walks those instead). Calls fn for each;
 * *next gets the last key visited (copied into a), empty when the walk is complete.
 */
int gy_ddb_snapshot_walk(struct gy_store_txn *txn, struct gy_arena *a, const struct gy_ddb_table *t,
                         bool tombstones, struct gy_str after, size_t limit,
                         void (*fn)(void *ctx, const struct gy_ddb_snap_entry *e), void *ctx,
                         struct gy_str *next);

/** Remove tombstones older than retention_ms, at most limit (writer thread). */
int gy_ddb_tombstones_trim(struct gy_store_txn *txn, int64_t retention_ms, size_t limit);

/** The local storage key of the item with key attributes keys. 0 or GY_EINVAL. */
int gy_ddb_replica_key(struct gy_arena *a, const struct gy_ddb_table *t,
                       const struct gy_ddb_map *keys, struct gy_str *out);

/**
 * Re-seeding: delete (by last-writer-wins, with version (stamp, origin)) every item of t whose
 * storage key lies in (after, until] — after and until are item keys without the table id;
 * an empty until means to the end of the table — that is not in keep, whose version came
 * from origin and is not newer than stamp: its origin no longer has it (deleted there, with a
 * tombstone already trimmed). *removed counts them. Writer thread.
 */
int gy_ddb_replica_sweep(struct gy_store_txn *txn, struct gy_ddb *d, const struct gy_ddb_table *t,
                         struct gy_arena *a, struct gy_str after, struct gy_str until,
                         uint64_t stamp, struct gy_str origin, const struct gy_str *keep,
                         size_t nkeep, size_t *removed);

/** Record a tombstone for a deleted item of a replicated table (writer thread, items.c). */
int gy_ddb_tombstone_put(struct gy_store_txn *txn, const struct gy_ddb_table *t, struct gy_str key,
                         uint64_t stamp, struct gy_str origin, const struct gy_ddb_map *keys);
/** Drop the tombstone at key, if any (an item was written there again). */
int gy_ddb_tombstone_del(struct gy_store_txn *txn, const struct gy_ddb_table *t, struct gy_str key);

#endif

/*
 * catalog.h — the region's tables: an in-memory registry (name -> current struct gy_ddb_table)
 * backed by the store's CATALOG key space.
 *
 * Readers (any thread) look tables up under a mutex and get a reference. Changes run only on the
 * store's writer thread, inside a write job: they write the catalog record and publish the new
 * version in the same step, so later jobs of the same group commit see them. If a group commit
 * fails, the job's done() callback calls gy_ddb_catalog_reload() to drop what was published.
 */
#ifndef GY_DDB_CATALOG_H
#define GY_DDB_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/str.h"
#include "dynamodb/table.h"

struct gy_store;
struct gy_store_txn;
struct gy_arena;
struct gy_ddb_catalog;

/** Load every table from the store. Returns 0 or GY_EIO. */
int gy_ddb_catalog_open(struct gy_store *s, struct gy_ddb_catalog **out);
void gy_ddb_catalog_close(struct gy_ddb_catalog *c);
/** Re-read the registry from the store (after a failed commit). */
int gy_ddb_catalog_reload(struct gy_ddb_catalog *c);

/** The current version of a table by name, referenced (unref when done), or NULL. */
struct gy_ddb_table *gy_ddb_catalog_get(struct gy_ddb_catalog *c, struct gy_str name);
/**
 * Up to limit table names after `start` (exclusive; empty = from the first), sorted, copied into
 * the arena. *more is set when names remain after the last one returned.
 */
size_t gy_ddb_catalog_list(struct gy_ddb_catalog *c, struct gy_arena *a, struct gy_str start,
                           size_t limit, struct gy_str **names, int *more);
/** True while t's table (any version of it) is still in the catalog. */
bool gy_ddb_catalog_is_live(struct gy_ddb_catalog *c, const struct gy_ddb_table *t);
/** Number of tables. */
size_t gy_ddb_catalog_count(struct gy_ddb_catalog *c);

/* Writer thread only, inside a write job. */

/** Assign t an id, persist and publish it (the catalog takes t's reference). GY_EEXIST if the name is taken. */
int gy_ddb_catalog_create(struct gy_ddb_catalog *c, struct gy_store_txn *txn, struct gy_ddb_table *t);
/** Persist and publish a new version of an existing table (takes t's reference). */
int gy_ddb_catalog_replace(struct gy_ddb_catalog *c, struct gy_store_txn *txn, struct gy_ddb_table *t);
/** Remove a table: its record, stats, and (in later jobs) its items. Marks the old version deleted. */
int gy_ddb_catalog_drop(struct gy_ddb_catalog *c, struct gy_store_txn *txn, struct gy_ddb_table *t);
/** Queue background jobs that delete the items of dropped tables (call after a drop commits). */
void gy_ddb_catalog_purge(struct gy_ddb_catalog *c);

/**
 * Start background backfill job chains for every GSI that is CREATING and has none running
 * (at open, and after an UpdateTable that created one commits). Thread-safe.
 */
void gy_ddb_catalog_backfill(struct gy_ddb_catalog *c);
/** The store the catalog lives in. */
struct gy_store *gy_ddb_catalog_store(struct gy_ddb_catalog *c);
/** Keep (or clear, NULL) the TTL sweeper's handle with the region's tables (ttl.c owns it). */
void gy_ddb_catalog_set_sweeper(struct gy_ddb_catalog *c, void *sweeper);
void *gy_ddb_catalog_sweeper(struct gy_ddb_catalog *c);

/** Read a table's statistics (ItemCount, TableSizeBytes) in txn. */
void gy_ddb_stats_read(struct gy_store_txn *txn, uint32_t table_id, struct gy_ddb_table_stats *out);
/** Add deltas to a table's statistics (writer thread). */
int gy_ddb_stats_add(struct gy_store_txn *txn, uint32_t table_id, int64_t items, int64_t bytes);
/** Read each index's ItemCount and IndexSizeBytes into out->idx[] (parallel to t->indexes). */
void gy_ddb_index_stats_read(struct gy_store_txn *txn, const struct gy_ddb_table *t,
                             struct gy_ddb_table_stats *out);
/** Add deltas to one index's statistics (writer thread). */
int gy_ddb_index_stats_add(struct gy_store_txn *txn, uint32_t table_id, uint32_t index_id,
                           int64_t items, int64_t bytes);

#endif

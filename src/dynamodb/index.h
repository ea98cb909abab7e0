/*
 * index.h — secondary index definitions (LSIs and GSIs): parsing them from CreateTable and
 * UpdateTable, the catalog encoding, their part of the TableDescription, and what an index
 * projects. Index *entries* (keys, maintenance with every item write, backfill) are declared
 * in dynamodb_int.h and live in index.c. See docs/dynamodb.md, "Indexes".
 *
 * Index definitions are part of a struct gy_ddb_table (table.h) and share its lifetime and
 * immutability: a change publishes a new table version.
 */
#ifndef GY_DDB_INDEX_H
#define GY_DDB_INDEX_H

#include <stdbool.h>

#include "core/errors.h"
#include "core/str.h"
#include "dynamodb/table.h"

struct gy_arena;
struct gy_json;
struct gy_jw;

/**
 * Parse LocalSecondaryIndexes and GlobalSecondaryIndexes of a CreateTable body into t (whose
 * attribute definitions, key schema and billing mode are already parsed), then check that
 * every attribute definition is used by some key schema. Index ids stay 0 (the catalog
 * assigns them). Returns 0 or GY_EAWS with DynamoDB's ValidationException in err.
 */
int gy_ddb_indexes_from_request(const struct gy_json *body, struct gy_ddb_table *t,
                                struct gy_error *err, struct gy_arena *a);

/**
 * Apply UpdateTable's GlobalSecondaryIndexUpdates (and the AttributeDefinitions a Create
 * needs) to t, a fresh copy of the current version. A created GSI starts backfilling (id 0,
 * assigned by the catalog). Returns 0 or GY_EAWS (ValidationException, LimitExceededException,
 * ResourceNotFoundException).
 */
int gy_ddb_indexes_update(const struct gy_json *body, struct gy_ddb_table *t, struct gy_error *err,
                          struct gy_arena *a);

/** Deep-copy src's indexes and TTL setting into dst (whose own were not yet allocated). */
void gy_ddb_indexes_clone(struct gy_ddb_table *dst, const struct gy_ddb_table *src);
/** Free t's indexes and TTL setting. */
void gy_ddb_indexes_free(struct gy_ddb_table *t);
/** Write the catalog members "indexes" and "ttl" (inside the record's object). */
void gy_ddb_indexes_encode(struct gy_jw *w, const struct gy_ddb_table *t);
/** Read them back from a catalog record (attribute types from t->attrs). 0 or GY_EINVAL. */
int gy_ddb_indexes_decode(const struct gy_json *rec, struct gy_ddb_table *t);
/**
 * Write "LocalSecondaryIndexes" and "GlobalSecondaryIndexes" members of a TableDescription
 * (nothing when the table has none). stats may be NULL (counts 0).
 */
void gy_ddb_indexes_describe(struct gy_jw *w, const struct gy_ddb_table *t,
                             const struct gy_ddb_table_stats *stats, bool table_creating);

/** The index named name, or NULL. */
const struct gy_ddb_index *gy_ddb_index_find(const struct gy_ddb_table *t, struct gy_str name);
/** The index with storage id id, or NULL. */
const struct gy_ddb_index *gy_ddb_index_by_id(const struct gy_ddb_table *t, uint32_t id);
/** True when the index holds attribute name (keys of the index and table, and its projection). */
bool gy_ddb_index_projects(const struct gy_ddb_table *t, const struct gy_ddb_index *ix,
                           struct gy_str name);
/** True when name is a key attribute of the table or of any of its indexes. */
bool gy_ddb_table_is_any_key(const struct gy_ddb_table *t, struct gy_str name);
/** Number of LSIs of t. */
uint32_t gy_ddb_table_nlsi(const struct gy_ddb_table *t);

#endif

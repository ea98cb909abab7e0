/*
 * value.h — DynamoDB's data model in memory: attribute values, maps (items), their validation
 * from DynamoDB JSON, their serialization back to JSON, their size as DynamoDB counts it, a
 * compact binary encoding for storage, and order-preserving key bytes.
 *
 * All values are borrowed views into a request arena (or into storage memory that outlives
 * them); nothing here frees. Invariants of a validated value:
 *   - S is valid UTF-8; B holds raw (base64-decoded) bytes; N holds canonical number text
 *     (gy_num_format), so N values compare equal iff their texts are equal.
 *   - M attributes are sorted by name (bytewise) with unique names: lookup is a binary search.
 *   - SS/NS/BS are non-empty, without duplicates, sorted (S and B bytewise, N numerically).
 *   - L keeps its order.
 * See docs/dynamodb.md, "Data model".
 */
#ifndef GY_DDB_VALUE_H
#define GY_DDB_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/errors.h"
#include "core/str.h"

struct gy_arena;
struct gy_json;
struct gy_jw;

enum gy_ddb_type {
    GY_DDB_S = 0,
    GY_DDB_N,
    GY_DDB_B,
    GY_DDB_BOOL,
    GY_DDB_NULL,
    GY_DDB_M,
    GY_DDB_L,
    GY_DDB_SS,
    GY_DDB_NS,
    GY_DDB_BS,
};

#define GY_DDB_MAX_DEPTH 32            /* DynamoDB's nesting limit for M and L */
#define GY_DDB_MAX_ITEM_SIZE 409600    /* 400 KB */
#define GY_DDB_MAX_PK_SIZE 2048
#define GY_DDB_MAX_SK_SIZE 1024

struct gy_ddb_attr;

struct gy_ddb_value {
    enum gy_ddb_type type;
    union {
        struct gy_str s;               /* S: UTF-8; N: canonical text; B: raw bytes */
        bool b;                        /* BOOL; NULL values are always true */
        struct {
            struct gy_ddb_attr *v;     /* sorted by name, unique */
            uint32_t n;
        } m;                           /* M */
        struct {
            struct gy_ddb_value *v;    /* L in order; sets sorted, unique */
            uint32_t n;
        } l;                           /* L, SS, NS, BS */
    } u;
};

struct gy_ddb_attr {
    struct gy_str name;                /* attribute name (UTF-8, 1..65535 bytes) */
    struct gy_ddb_value value;
};

/* An item is a map value's contents. */
struct gy_ddb_map {
    struct gy_ddb_attr *v;             /* sorted by name, unique */
    uint32_t n;
};

/** Type descriptor as on the wire: "S", "N", ..., "BS". */
const char *gy_ddb_type_name(enum gy_ddb_type t);
/** Parse a descriptor ("S", "NULL", ...); returns 0 or GY_EINVAL. */
int gy_ddb_type_parse(struct gy_str s, enum gy_ddb_type *out);

/**
 * Validate and convert one AttributeValue ({"S":"x"}, {"M":{...}}, ...) from a parsed request.
 * On bad input records DynamoDB's ValidationException or SerializationException message in err
 * and returns GY_EAWS. Values borrow strings from the JSON tree and arena.
 */
int gy_ddb_value_from_json(struct gy_arena *a, const struct gy_json *j, struct gy_ddb_value *out,
                           struct gy_error *err);
/** Same for an attribute map ({"name": AttributeValue, ...}), e.g. PutItem's Item. */
int gy_ddb_map_from_json(struct gy_arena *a, const struct gy_json *j, struct gy_ddb_map *out,
                         struct gy_error *err);

/** Write a value as DynamoDB JSON ({"S":"x"}). */
void gy_ddb_value_to_json(struct gy_jw *w, const struct gy_ddb_value *v);
/** Write a map as a JSON object of AttributeValues. */
void gy_ddb_map_to_json(struct gy_jw *w, const struct gy_ddb_map *m);

/** Size of a value as DynamoDB counts it (without any attribute name). */
size_t gy_ddb_value_size(const struct gy_ddb_value *v);
/** Size of an item: sum over attributes of name length + value size. */
size_t gy_ddb_map_size(const struct gy_ddb_map *m);

/** Attribute by name, or NULL. O(log n). */
const struct gy_ddb_value *gy_ddb_map_get(const struct gy_ddb_map *m, struct gy_str name);
/** Sort attributes by name; returns GY_EEXIST if two share a name. */
int gy_ddb_map_sort(struct gy_ddb_map *m);
/** Copy of m with attribute `name` set to v (replaced or inserted, order kept). Arena-allocated. */
struct gy_ddb_map gy_ddb_map_with(struct gy_arena *a, const struct gy_ddb_map *m,
                                  struct gy_str name, const struct gy_ddb_value *v);
/** Copy of m without attribute `name`. */
struct gy_ddb_map gy_ddb_map_without(struct gy_arena *a, const struct gy_ddb_map *m,
                                     struct gy_str name);

/** Deep equality (sets compare as sets, N numerically). */
bool gy_ddb_value_eq(const struct gy_ddb_value *a, const struct gy_ddb_value *b);
bool gy_ddb_map_eq(const struct gy_ddb_map *a, const struct gy_ddb_map *b);
/**
 * Ordering of two scalars of the same type as DynamoDB orders them (S and B bytewise, N
 * numerically). Returns <0, 0, >0; values of different or non-scalar types compare by type.
 */
int gy_ddb_value_cmp(const struct gy_ddb_value *a, const struct gy_ddb_value *b);
/** Deep copy into arena (strings copied too): use before the source memory goes away. */
void gy_ddb_value_copy(struct gy_arena *a, const struct gy_ddb_value *src, struct gy_ddb_value *dst);
void gy_ddb_map_copy(struct gy_arena *a, const struct gy_ddb_map *src, struct gy_ddb_map *dst);

/**
 * Compact binary encoding of an item for storage (appended to out). Strings are length-
 * prefixed so a reader can skip attributes it does not need. Returns 0 or GY_ETOOBIG.
 */
int gy_ddb_map_encode(const struct gy_ddb_map *m, struct gy_buf *out);
/**
 * Encode a stored item record: the item with its version stamp (HLC) and origin region. A
 * zero stamp and empty origin give exactly gy_ddb_map_encode's bytes.
 */
int gy_ddb_record_encode(const struct gy_ddb_map *m, uint64_t stamp, struct gy_str origin,
                         struct gy_buf *out);
/** Read a record's stamp and origin (borrowed from p); plain items give 0 and "". */
int gy_ddb_record_stamp(const void *p, size_t len, uint64_t *stamp, struct gy_str *origin);
/**
 * Decode an item (a plain encoding or a stored record). Strings in the result point into p (borrowed: valid as long as p is);
 * arrays come from the arena. Returns 0 or GY_EINVAL on corrupt input.
 */
int gy_ddb_map_decode(struct gy_arena *a, const void *p, size_t len, struct gy_ddb_map *out);

/**
 * Order-preserving key bytes: hash64(pk) (8 bytes, big-endian) || enc(pk) || enc(sk).
 * enc is self-delimiting and preserves order: S/B bytes with 0x00 escaped, N via
 * gy_num_key_encode. sk may be NULL for hash-only tables. Appends to out.
 */
int gy_ddb_key_encode(struct gy_buf *out, const struct gy_ddb_value *pk, const struct gy_ddb_value *sk);
/**
 * The hash range of parallel-scan segment `segment` of `total` (1..1000000): partition hashes
 * h with lo <= h < hi, or lo <= h when *last. Consecutive segments tile [0, 2^64) exactly.
 */
void gy_ddb_segment_range(uint32_t segment, uint32_t total, uint64_t *lo, uint64_t *hi, bool *last);
/** Just the 8-byte hash prefix of a partition key value (for segment ranges). */
uint64_t gy_ddb_key_hash(const struct gy_ddb_value *pk);
/** The partition prefix: hash64(pk) || enc(pk), appended to out (for Query range starts). */
int gy_ddb_key_encode_partition(struct gy_buf *out, const struct gy_ddb_value *pk);
/** enc(v) alone (sort-key bytes for Query bounds), appended to out. */
int gy_ddb_key_encode_part(struct gy_buf *out, const struct gy_ddb_value *v);

#endif

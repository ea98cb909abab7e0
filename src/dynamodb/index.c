/*
 * index.c — secondary index entries: their keys, their values (the projected attributes),
 * keeping them in step with every item change (called from the single item write path,
 * items.c, inside the same write transaction, so a crash never separates an item from its
 * entries), GSI backfill of one item, index-key validation of a written item, write capacity
 * for indexes, and item-collection sizes for tables with LSIs. Definitions: index_def.c.
 * See docs/dynamodb.md, "Indexes".
 *
 * Entry key (GY_DB_INDEX; LMDB keys are at most 511 bytes):
 *
 *   key   := index_id(4, BE) hash64(ipk)(8) pkpart(ipk) [skpart(isk)] tail
 *   tail  := 0x01 enc(tpk) [enc(tsk)]                 when the whole key fits in 511 bytes
 *          | 0x02 sha256(enc(tpk) [enc(tsk)])[0..16]  otherwise
 *
 * pkpart/skpart are items.c's (gy_ddb__partition_prefix / gy_ddb__append_sk), so an index
 * partition is a contiguous range sorted by index sort key, exactly like a table partition,
 * and a parallel Scan segments an index by hash range. The tail (the table's primary key)
 * makes entries with equal index keys distinct; they sort by table key (by digest in the rare
 * long-key case). Entry value: gy_ddb_map_encode of the projected attributes (always the
 * table's and the index's key attributes, plus INCLUDE's NonKeyAttributes or everything for
 * ALL), so a Query on a GSI never reads the base table.
 *
 * Item collections (tables with LSIs): GY_DB_INDEX key 0(4) || partition_prefix(table, pk)
 * -> u64 BE bytes (the partition's items plus their LSI entries).
 */
#include <openssl/evp.h>
#include <string.h>

#include "core/arena.h"
#include "core/json.h"
#include "core/log.h"
#include "dynamodb/catalog.h"
#include "dynamodb/dynamodb_int.h"
#include "dynamodb/index.h"
#include "store/store.h"

#define KEY_MAX 511
#define KEY_BUF 16384 /* a key part is fully encoded (escapes can double it) before shortening */
#define ENTRY_OVERHEAD 100 /* DynamoDB counts 100 bytes per index entry */
#define COLLECTION_LIMIT (10ull << 30)

static int append_tail(struct gy_buf *b, const struct gy_ddb_value *tpk, const struct gy_ddb_value *tsk)
{
    struct gy_buf raw;
    int rc;
    gy_buf_init(&raw, 16384);
    rc = gy_ddb_key_encode_part(&raw, tpk);
    if (rc == 0 && tsk)
        rc = gy_ddb_key_encode_part(&raw, tsk);
    if (rc == 0 && b->len + 1 + raw.len <= KEY_MAX) {
        rc = gy_buf_putc(b, 0x01);
        if (rc == 0)
            rc = gy_buf_append(b, raw.p, raw.len);
    } else if (rc == 0) {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int n = 0;
        EVP_Digest(raw.p, raw.len, md, &n, EVP_sha256(), NULL);
        rc = gy_buf_putc(b, 0x02);
        if (rc == 0)
            rc = gy_buf_append(b, md, 16);
    }
    gy_buf_fini(&raw);
    return rc;
}

int gy_ddb__index_partition_prefix(struct gy_buf *b, const struct gy_ddb_index *ix,
                                   const struct gy_ddb_value *pk)
{
    /* items.c's partition prefix starts with a 4-byte table id; the index id takes its place. */
    struct gy_ddb_table as_table = { .id = ix->id };
    return gy_ddb__partition_prefix(b, &as_table, pk);
}

/* The value of an index key attribute: 0, GY_ENOTFOUND (absent) or GY_EINVAL (unusable). */
static int key_value(const struct gy_ddb_map *item, const struct gy_ddb_attrdef *def,
                     bool is_hash, const struct gy_ddb_value **out)
{
    const struct gy_ddb_value *v = gy_ddb_map_get(item, gy_str_c(def->name));
    *out = v;
    if (!v)
        return GY_ENOTFOUND;
    if (v->type != def->type)
        return GY_EINVAL;
    if ((v->type == GY_DDB_S || v->type == GY_DDB_B) && v->u.s.len == 0)
        return GY_EINVAL;
    if (gy_ddb_value_size(v) > (is_hash ? GY_DDB_MAX_PK_SIZE : GY_DDB_MAX_SK_SIZE))
        return GY_EINVAL;
    return 0;
}

int gy_ddb__index_key(struct gy_buf *b, const struct gy_ddb_table *t, const struct gy_ddb_index *ix,
                      const struct gy_ddb_map *item)
{
    const struct gy_ddb_value *ipk, *isk = NULL, *tpk, *tsk = NULL;
    int rc = key_value(item, &ix->hash, true, &ipk);
    int rs = ix->range.name ? key_value(item, &ix->range, false, &isk) : 0;
    if (rc == GY_EINVAL || rs == GY_EINVAL)
        return GY_EINVAL;
    if (rc || rs)
        return GY_ENOTFOUND;
    tpk = gy_ddb_map_get(item, gy_str_c(t->hash.name));
    if (t->range.name)
        tsk = gy_ddb_map_get(item, gy_str_c(t->range.name));
    if (!tpk || (t->range.name && !tsk))
        return GY_EINVAL;
    /* Parts are encoded whole (up to ~2x their size) before they are shortened, so build in
     * room of our own; the result fits the caller's key buffer. */
    struct gy_buf k;
    gy_buf_init(&k, KEY_BUF);
    rc = gy_ddb__index_partition_prefix(&k, ix, ipk);
    if (rc == 0 && isk)
        rc = gy_ddb__append_sk(&k, isk);
    if (rc == 0)
        rc = append_tail(&k, tpk, tsk);
    /* Shortened parts bound the key to 4 + 8 + 128 + 320 + 17 bytes, within LMDB's limit. */
    gy_assert(rc != 0 || k.len <= KEY_MAX);
    if (rc == 0)
        rc = gy_buf_append(b, k.p, k.len);
    gy_buf_fini(&k);
    return rc ? GY_EINVAL : 0;
}

void gy_ddb__index_project(struct gy_arena *a, const struct gy_ddb_table *t,
                           const struct gy_ddb_index *ix, const struct gy_ddb_map *item,
                           struct gy_ddb_map *out)
{
    if (ix->proj == GY_DDB_PROJ_ALL) {
        *out = *item;
        return;
    }
    out->v = gy_arena_calloc(a, item->n ? item->n : 1, sizeof(*out->v));
    out->n = 0;
    for (uint32_t i = 0; i < item->n; i++) /* item is sorted, so out is too */
        if (gy_ddb_index_projects(t, ix, item->v[i].name))
            out->v[out->n++] = item->v[i];
}

/* The current version of c's table (referenced), so a write never misses an index created
 * after its request resolved the table; falls back to c->t. */
static struct gy_ddb_table *current_table(const struct gy_ddb_change *c)
{
    struct gy_ddb_table *cur = c->d ? gy_ddb_catalog_get(c->d->catalog, gy_str_c(c->t->name)) : NULL;
    if (cur && cur->id == c->t->id)
        return cur;
    gy_ddb_table_unref(cur);
    return NULL;
}

/* One index's part of a change. *coll gets the change of the entry's size (LSIs). */
static int apply_one(struct gy_store_txn *txn, const struct gy_ddb_table *t,
                     const struct gy_ddb_index *ix, const struct gy_ddb_change *c,
                     struct gy_arena *a, int64_t *coll)
{
    struct gy_buf ok, nk, val;
    struct gy_str cur;
    struct gy_ddb_map proj;
    int64_t items = 0, bytes = 0;
    int rc = 0;

    gy_buf_init(&ok, KEY_BUF);
    gy_buf_init(&nk, KEY_BUF);
    gy_buf_init(&val, 2 * GY_DDB_MAX_ITEM_SIZE);
    int ro = c->old ? gy_ddb__index_key(&ok, t, ix, c->old) : GY_ENOTFOUND;
    int rn = c->new_item ? gy_ddb__index_key(&nk, t, ix, c->new_item) : GY_ENOTFOUND;
    if (rn == GY_EINVAL) {
        rc = GY_EINVAL; /* callers validate first (gy_ddb__index_check) */
        goto out;
    }
    bool same = ro == 0 && rn == 0 && gy_str_eq(gy_buf_str(&ok), gy_buf_str(&nk));
    /* The old entry may be missing while a backfill has not reached the item yet. */
    bool had = ro == 0 && gy_store_get(txn, GY_DB_INDEX, gy_buf_str(&ok), &cur) == 0;
    size_t old_sz = 0;
    if (had) {
        gy_ddb__index_project(a, t, ix, c->old, &proj);
        old_sz = gy_ddb_map_size(&proj) + ENTRY_OVERHEAD;
    }
    if (had && !same) {
        rc = gy_store_del(txn, GY_DB_INDEX, gy_buf_str(&ok));
        if (rc)
            goto out;
        items--;
        bytes -= (int64_t)old_sz;
    }
    if (rn == 0) {
        gy_ddb__index_project(a, t, ix, c->new_item, &proj);
        rc = gy_ddb_map_encode(&proj, &val);
        if (rc)
            goto out;
        if (!(had && same && gy_str_eq(cur, gy_buf_str(&val)))) {
            rc = gy_store_put(txn, GY_DB_INDEX, gy_buf_str(&nk), gy_buf_str(&val));
            if (rc)
                goto out;
        }
        size_t new_sz = gy_ddb_map_size(&proj) + ENTRY_OVERHEAD;
        if (had && same) {
            bytes += (int64_t)new_sz - (int64_t)old_sz;
        } else {
            items++;
            bytes += (int64_t)new_sz;
        }
    }
    *coll += bytes;
    rc = gy_ddb_index_stats_add(txn, t->id, ix->id, items, bytes);
out:
    gy_buf_fini(&ok);
    gy_buf_fini(&nk);
    gy_buf_fini(&val);
    return rc;
}

static struct gy_str collection_key(struct gy_buf *b, const struct gy_ddb_table *t,
                                    const struct gy_ddb_value *pk)
{
    static const unsigned char zero[4];
    gy_buf_append(b, zero, 4);
    gy_ddb__partition_prefix(b, t, pk);
    return gy_buf_str(b);
}

int gy_ddb__collection_size(struct gy_store_txn *txn, const struct gy_ddb_table *t,
                            const struct gy_ddb_value *pk, uint64_t *bytes)
{
    struct gy_buf b;
    struct gy_str v;
    gy_buf_init(&b, KEY_BUF);
    *bytes = 0;
    int rc = gy_store_get(txn, GY_DB_INDEX, collection_key(&b, t, pk), &v);
    if (rc == 0 && v.len == 8)
        for (int i = 0; i < 8; i++)
            *bytes = *bytes << 8 | (unsigned char)v.p[i];
    gy_buf_fini(&b);
    return rc == GY_ENOTFOUND ? 0 : rc;
}

static int collection_add(struct gy_store_txn *txn, const struct gy_ddb_table *t,
                          const struct gy_ddb_value *pk, int64_t delta)
{
    uint64_t size;
    unsigned char val[8];
    struct gy_buf b;
    if (delta == 0)
        return 0;
    int rc = gy_ddb__collection_size(txn, t, pk, &size);
    if (rc)
        return rc;
    if (delta > 0 && size + (uint64_t)delta > COLLECTION_LIMIT)
        return GY_ETOOBIG; /* ItemCollectionSizeLimitExceededException */
    size = (uint64_t)((int64_t)size + delta);
    for (int i = 7; i >= 0; i--, size >>= 8)
        val[i] = (unsigned char)size;
    gy_buf_init(&b, KEY_BUF);
    struct gy_str k = collection_key(&b, t, pk);
    rc = size || delta > 0 ? gy_store_put(txn, GY_DB_INDEX, k, (struct gy_str){ (char *)val, 8 })
                           : gy_store_del(txn, GY_DB_INDEX, k);
    gy_buf_fini(&b);
    return rc == GY_ENOTFOUND ? 0 : rc;
}

int gy_ddb__index_apply(struct gy_store_txn *txn, const struct gy_ddb_change *c)
{
    struct gy_ddb_table *cur = current_table(c);
    const struct gy_ddb_table *t = cur ? cur : c->t;
    int rc = 0;
    if (!t->nindexes)
        goto out_unref;
    struct gy_arena *a = gy_arena_create(4096);
    int64_t coll = 0;
    for (uint32_t i = 0; i < t->nindexes && rc == 0; i++) {
        int64_t d = 0;
        rc = apply_one(txn, t, &t->indexes[i], c, a, &d);
        if (t->indexes[i].local)
            coll += d;
    }
    if (rc == 0 && gy_ddb_table_nlsi(t)) {
        const struct gy_ddb_map *any = c->new_item ? c->new_item : c->old;
        const struct gy_ddb_value *pk = any ? gy_ddb_map_get(any, gy_str_c(t->hash.name)) : NULL;
        coll += (int64_t)(c->new_item ? c->new_size : 0) - (int64_t)(c->old ? c->old_size : 0);
        if (pk)
            rc = collection_add(txn, t, pk, coll);
    }
    gy_arena_destroy(a);
out_unref:
    gy_ddb_table_unref(cur);
    return rc;
}

int gy_ddb__index_backfill_item(struct gy_store_txn *txn, const struct gy_ddb_table *t,
                                const struct gy_ddb_index *ix, const struct gy_ddb_map *item,
                                struct gy_arena *a)
{
    struct gy_buf k, val;
    struct gy_str cur;
    struct gy_ddb_map proj;
    gy_buf_init(&k, KEY_BUF);
    gy_buf_init(&val, 2 * GY_DDB_MAX_ITEM_SIZE);
    int rc = gy_ddb__index_key(&k, t, ix, item);
    if (rc) {
        rc = 0; /* not in the index (sparse), or a key of another type: skipped, as DynamoDB */
        goto out;
    }
    if (gy_store_get(txn, GY_DB_INDEX, gy_buf_str(&k), &cur) == 0)
        goto out; /* written since the index was created: already there */
    gy_ddb__index_project(a, t, ix, item, &proj);
    rc = gy_ddb_map_encode(&proj, &val);
    if (rc == 0)
        rc = gy_store_put(txn, GY_DB_INDEX, gy_buf_str(&k), gy_buf_str(&val));
    if (rc == 0)
        rc = gy_ddb_index_stats_add(txn, t->id, ix->id, 1,
                                    (int64_t)(gy_ddb_map_size(&proj) + ENTRY_OVERHEAD));
out:
    gy_buf_fini(&k);
    gy_buf_fini(&val);
    return rc;
}

static int check_attr(struct gy_aws_req *req, const struct gy_ddb_index *ix,
                      const struct gy_ddb_attrdef *def, bool is_hash, const struct gy_ddb_map *item)
{
    const struct gy_ddb_value *v;
    int rc = key_value(item, def, is_hash, &v);
    if (rc != GY_EINVAL)
        return 0;
    if (v->type != def->type)
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "One or more parameter values were invalid: Type mismatch for Index "
                            "Key %s Expected: %s Actual: %s IndexName: %s",
                            def->name, gy_ddb_type_name(def->type), gy_ddb_type_name(v->type),
                            ix->name);
    if (gy_ddb_value_size(v) > (is_hash ? GY_DDB_MAX_PK_SIZE : GY_DDB_MAX_SK_SIZE))
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "One or more parameter values were invalid: Size of %s has exceeded "
                            "the maximum size limit of %d bytes for index key %s IndexName: %s",
                            is_hash ? "hashkey" : "rangekey",
                            is_hash ? GY_DDB_MAX_PK_SIZE : GY_DDB_MAX_SK_SIZE, def->name, ix->name);
    return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                        "One or more parameter values are not valid. A value specified for a "
                        "secondary index key is not supported. The AttributeValue for a key "
                        "attribute cannot contain an empty %s value. IndexName: %s, IndexKey: %s",
                        v->type == GY_DDB_S ? "string" : "binary", ix->name, def->name);
}

int gy_ddb__index_check(struct gy_aws_req *req, const struct gy_ddb_table *t,
                        const struct gy_ddb_map *item)
{
    struct gy_ddb *d = req->ctx;
    struct gy_ddb_change c = { .t = t, .d = d };
    struct gy_ddb_table *cur = current_table(&c);
    const struct gy_ddb_table *use = cur ? cur : t;
    int rc = 0;
    for (uint32_t i = 0; i < use->nindexes && rc == 0; i++) {
        const struct gy_ddb_index *ix = &use->indexes[i];
        rc = check_attr(req, ix, &ix->hash, true, item);
        if (rc == 0 && ix->range.name)
            rc = check_attr(req, ix, &ix->range, false, item);
    }
    gy_ddb_table_unref(cur);
    return rc;
}

double gy_ddb__index_write_units(const struct gy_ddb_table *t, const struct gy_ddb_index *ix,
                                 const struct gy_ddb_map *old, const struct gy_ddb_map *new_item)
{
    struct gy_buf ok, nk;
    struct gy_ddb_map po, pn;
    struct gy_arena *a = gy_arena_create(4096);
    double units = 0;
    gy_buf_init(&ok, KEY_BUF);
    gy_buf_init(&nk, KEY_BUF);
    bool in_old = old && gy_ddb__index_key(&ok, t, ix, old) == 0;
    bool in_new = new_item && gy_ddb__index_key(&nk, t, ix, new_item) == 0;
    if (in_old)
        gy_ddb__index_project(a, t, ix, old, &po);
    if (in_new)
        gy_ddb__index_project(a, t, ix, new_item, &pn);
    if (in_old && in_new && gy_str_eq(gy_buf_str(&ok), gy_buf_str(&nk)))
        units = gy_ddb_map_eq(&po, &pn) ? 0 : gy_ddb__write_units(gy_ddb_map_size(&pn));
    else
        units = (in_old ? gy_ddb__write_units(gy_ddb_map_size(&po)) : 0) +
                (in_new ? gy_ddb__write_units(gy_ddb_map_size(&pn)) : 0);
    gy_buf_fini(&ok);
    gy_buf_fini(&nk);
    gy_arena_destroy(a);
    return units;
}

/* A Capacity object; the index entries keep the read/write split (split), the Table one not. */
static void units_obj(struct gy_jw *w, double u, bool split, bool is_read)
{
    gy_jw_obj_begin(w);
    gy_jw_key(w, "CapacityUnits");
    gy_jw_double(w, u);
    if (split) {
        gy_jw_key(w, is_read ? "ReadCapacityUnits" : "WriteCapacityUnits");
        gy_jw_double(w, u);
    }
    gy_jw_obj_end(w);
}

void gy_ddb__capacity_ix(struct gy_jw *w, const struct gy_ddb_table *t, int rcc, bool is_read,
                         double table_units, const double *ix_units)
{
    double total = table_units;
    for (uint32_t i = 0; ix_units && i < t->nindexes; i++)
        if (ix_units[i] > 0)
            total += ix_units[i];
    if (rcc <= 0)
        return;
    gy_jw_key(w, "ConsumedCapacity");
    gy_jw_obj_begin(w);
    gy_jw_key(w, "TableName");
    gy_jw_cstr(w, t->name);
    /* Single-item operations, Query and Scan report the aggregate alone on AWS: no
     * ReadCapacityUnits/WriteCapacityUnits split (only transactions carry it). */
    gy_jw_key(w, "CapacityUnits");
    gy_jw_double(w, total);
    if (rcc == 2) {
        gy_jw_key(w, "Table");
        units_obj(w, table_units, false, is_read);
        for (int local = 1; local >= 0; local--) {
            bool any = false;
            for (uint32_t i = 0; ix_units && i < t->nindexes; i++) {
                if (t->indexes[i].local != (bool)local || ix_units[i] < 0)
                    continue;
                if (!any) {
                    gy_jw_key(w, local ? "LocalSecondaryIndexes" : "GlobalSecondaryIndexes");
                    gy_jw_obj_begin(w);
                    any = true;
                }
                gy_jw_key(w, t->indexes[i].name);
                units_obj(w, ix_units[i], true, is_read);
            }
            if (any)
                gy_jw_obj_end(w);
        }
    }
    gy_jw_obj_end(w);
}

void gy_ddb__write_capacity_ix(struct gy_jw *w, const struct gy_ddb_table *t, int rcc,
                               double table_units, const struct gy_ddb_map *old,
                               const struct gy_ddb_map *new_item)
{
    double units[GY_DDB_MAX_INDEXES];
    for (uint32_t i = 0; i < t->nindexes; i++)
        units[i] = gy_ddb__index_write_units(t, &t->indexes[i], old, new_item);
    gy_ddb__capacity_ix(w, t, rcc, false, table_units, units);
}

void gy_ddb__collection_metrics(struct gy_jw *w, struct gy_ddb *d, const struct gy_ddb_table *t,
                                const struct gy_ddb_map *item)
{
    struct gy_store_txn *txn;
    uint64_t bytes = 0;
    const struct gy_ddb_value *pk = item ? gy_ddb_map_get(item, gy_str_c(t->hash.name)) : NULL;
    if (!pk || !gy_ddb_table_nlsi(t))
        return;
    if (gy_store_read_begin(d->store, &txn) == 0) {
        gy_ddb__collection_size(txn, t, pk, &bytes);
        gy_store_read_end(txn);
    }
    /* DynamoDB reports a range in GB around the estimate. */
    double gb = (double)bytes / (1024.0 * 1024.0 * 1024.0);
    gy_jw_key(w, "ItemCollectionMetrics");
    gy_jw_obj_begin(w);
    gy_jw_key(w, "ItemCollectionKey");
    gy_jw_obj_begin(w);
    gy_jw_key(w, t->hash.name);
    gy_ddb_value_to_json(w, pk);
    gy_jw_obj_end(w);
    gy_jw_key(w, "SizeEstimateRangeGB");
    gy_jw_arr_begin(w);
    gy_jw_double(w, gb);
    gy_jw_double(w, gb + 1.0);
    gy_jw_arr_end(w);
    gy_jw_obj_end(w);
}

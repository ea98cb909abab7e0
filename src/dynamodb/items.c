/*
 * items.c — where items meet storage: the storage key of an item, loading an item, and the
 * single write path every item change goes through (PutItem, UpdateItem, DeleteItem, batch and
 * transaction actions alike), so that what must happen with every change — statistics today,
 * index entries and the change log as they arrive — happens in exactly one place, in the same
 * transaction as the item.
 *
 * Storage key (LMDB keys are at most 511 bytes, DynamoDB keys up to 2048 + 1024 bytes):
 *
 *   key    := table_id(4, BE) hash64(pk)(8) pkpart skpart
 *   pkpart := enc(pk)                               if |enc(pk)| <= 128
 *           | 0xFF sha256(type || pk bytes)[0..16]   otherwise (partitions need identity, not order)
 *   skpart := enc(sk)                               if |enc(sk)| <= 320
 *           | enc(sk)[0..cut) 0x00 0x02 sha256(type || sk bytes)[0..16], cut <= 300 on an
 *             escape boundary                        otherwise
 *
 * enc is gy_ddb_key_encode_part (order-preserving, self-delimiting). At most 458 bytes. Order
 * within a partition is exact except among sort keys longer than ~300 encoded bytes that share
 * their first ~300 bytes, which sort by digest (a documented limitation); Query re-checks its
 * key condition on every item, so results are always exact sets.
 */
#include <openssl/evp.h>
#include <string.h>

#include "core/arena.h"
#include "core/clock.h"
#include "core/hlc.h"
#include "dynamodb/dynamodb_int.h"
#include "dynamodb/replica.h"
#include "store/store.h"

#define PK_INLINE 128
#define SK_INLINE 320
#define SK_CUT 300
#define DIGEST 16

static void digest(const struct gy_ddb_value *v, unsigned char out[DIGEST])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    char t = v->type == GY_DDB_S ? 'S' : v->type == GY_DDB_N ? 'N' : 'B';
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    EVP_DigestUpdate(ctx, &t, 1);
    EVP_DigestUpdate(ctx, v->u.s.p, v->u.s.len);
    EVP_DigestFinal_ex(ctx, md, &n);
    EVP_MD_CTX_free(ctx);
    memcpy(out, md, DIGEST);
}

static int append_pk(struct gy_buf *b, const struct gy_ddb_value *pk)
{
    size_t at = b->len;
    int rc = gy_ddb_key_encode_part(b, pk);
    if (rc)
        return rc;
    if (b->len - at <= PK_INLINE)
        return 0;
    unsigned char d[DIGEST + 1] = { 0xFF };
    digest(pk, d + 1);
    b->len = at;
    return gy_buf_append(b, d, sizeof(d));
}

int gy_ddb__append_sk(struct gy_buf *b, const struct gy_ddb_value *sk)
{
    size_t at = b->len;
    int rc = gy_ddb_key_encode_part(b, sk);
    if (rc)
        return rc;
    if (b->len - at <= SK_INLINE)
        return 0;
    size_t cut = SK_CUT;
    /* Do not split an escape pair (0x00 0xFF): count the zero bytes before the cut. */
    size_t zeros = 0;
    while (zeros < cut && (unsigned char)b->p[at + cut - 1 - zeros] == 0x00)
        zeros++;
    if (zeros & 1)
        cut--;
    unsigned char tail[2 + DIGEST] = { 0x00, 0x02 };
    digest(sk, tail + 2);
    b->len = at + cut;
    return gy_buf_append(b, tail, sizeof(tail));
}

int gy_ddb__partition_prefix(struct gy_buf *b, const struct gy_ddb_table *t,
                             const struct gy_ddb_value *pk)
{
    unsigned char head[12];
    uint64_t h = gy_ddb_key_hash(pk);
    head[0] = (unsigned char)(t->id >> 24), head[1] = (unsigned char)(t->id >> 16);
    head[2] = (unsigned char)(t->id >> 8), head[3] = (unsigned char)t->id;
    for (int i = 0; i < 8; i++)
        head[4 + i] = (unsigned char)(h >> (56 - 8 * i));
    int rc = gy_buf_append(b, head, sizeof(head));
    return rc ? rc : append_pk(b, pk);
}

int gy_ddb__storage_key(struct gy_arena *a, const struct gy_ddb_table *t,
                        const struct gy_ddb_value *pk, const struct gy_ddb_value *sk,
                        struct gy_str *out)
{
    struct gy_buf b;
    /* Room for a full encoding before it is shortened (escaping can double a key). */
    gy_buf_init(&b, 16384);
    int rc = gy_ddb__partition_prefix(&b, t, pk);
    if (rc == 0 && sk)
        rc = gy_ddb__append_sk(&b, sk);
    if (rc == 0)
        *out = gy_arena_strdup(a, gy_buf_str(&b));
    gy_buf_fini(&b);
    return rc;
}

int gy_ddb__item_load(struct gy_store_txn *txn, struct gy_arena *a, struct gy_str key, bool copy,
                      struct gy_ddb_map *out, size_t *size)
{
    struct gy_str v;
    struct gy_ddb_map m;
    int rc = gy_store_get(txn, GY_DB_ITEMS, key, &v);
    if (rc)
        return rc;
    if (gy_ddb_map_decode(a, v.p, v.len, &m))
        return GY_EIO;
    if (size)
        *size = gy_ddb_map_size(&m);
    if (copy)
        gy_ddb_map_copy(a, &m, out);
    else
        *out = m;
    return 0;
}

/* A version stamp for a new local change; persists a high-water mark ahead of use so that
 * stamps never repeat across restarts even if the wall clock steps back. */
static int next_stamp(struct gy_store_txn *txn, struct gy_ddb *d, uint64_t *out)
{
    *out = gy_hlc_next(&d->hlc);
    if (*out < d->hlc_reserved)
        return 0;
    unsigned char b[8];
    uint64_t reserve = *out + ((uint64_t)60000 << 16); /* one minute ahead */
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(reserve >> (56 - 8 * i));
    int rc = gy_store_put(txn, GY_DB_META, GY_STR("hlc_reserved"), (struct gy_str){ (char *)b, 8 });
    if (rc == 0)
        d->hlc_reserved = reserve;
    return rc;
}

int gy_ddb__hlc_load(struct gy_ddb *d, struct gy_store_txn *txn)
{
    struct gy_str v;
    if (gy_store_get(txn, GY_DB_META, GY_STR("hlc_reserved"), &v) == 0 && v.len == 8) {
        uint64_t r = 0;
        for (int i = 0; i < 8; i++)
            r = r << 8 | (unsigned char)v.p[i];
        gy_hlc_observe(&d->hlc, r);
    }
    d->hlc_reserved = 0;
    return 0;
}

int gy_ddb__item_apply(struct gy_store_txn *txn, const struct gy_ddb_change *c)
{
    struct gy_ddb *d = c->d;
    uint64_t stamp = c->version;
    const char *origin = c->origin ? c->origin : d->region;
    bool replicated = c->t->nreplicas > 1;
    bool unchanged = c->old && c->new_item && gy_ddb_map_eq(c->old, c->new_item);
    int rc;

    if (!c->old && !c->new_item)
        return 0; /* deleting nothing changes nothing */
    if (unchanged && !c->version)
        return 0; /* an unchanged item: nothing stored, nothing logged (as DynamoDB) */
    if (!stamp) {
        rc = next_stamp(txn, d, &stamp);
        if (rc)
            return rc;
    } else {
        gy_hlc_observe(&d->hlc, stamp);
    }
    if (c->new_item) {
        struct gy_buf enc;
        gy_buf_init(&enc, 2 * GY_DDB_MAX_ITEM_SIZE);
        rc = gy_ddb_record_encode(c->new_item, stamp, gy_str_c(origin), &enc);
        if (rc == 0)
            rc = gy_store_put(txn, GY_DB_ITEMS, c->key, gy_buf_str(&enc));
        gy_buf_fini(&enc);
        if (rc == 0 && replicated && !c->old)
            rc = gy_ddb_tombstone_del(txn, c->t, c->key);
    } else {
        rc = gy_store_del(txn, GY_DB_ITEMS, c->key);
        if (rc == 0 && replicated) {
            /* The delete's version outlives the item, so late older updates lose to it. */
            struct gy_ddb_attr ka[2];
            struct gy_ddb_map keys = { ka, 0 };
            const struct gy_ddb_value *pk = gy_ddb_map_get(c->old, gy_str_c(c->t->hash.name));
            if (pk)
                ka[keys.n++] = (struct gy_ddb_attr){ gy_str_c(c->t->hash.name), *pk };
            if (c->t->range.name) {
                const struct gy_ddb_value *sk = gy_ddb_map_get(c->old, gy_str_c(c->t->range.name));
                if (sk)
                    ka[keys.n++] = (struct gy_ddb_attr){ gy_str_c(c->t->range.name), *sk };
            }
            gy_ddb_map_sort(&keys);
            rc = gy_ddb_tombstone_put(txn, c->t, c->key, stamp, gy_str_c(origin), &keys);
        }
    }
    if (rc || unchanged)
        return rc; /* a replicated no-op only moves the version stamp */
    rc = gy_ddb__index_apply(txn, c); /* index entries, in the same transaction */
    if (rc)
        return rc;
    int64_t items = (c->new_item ? 1 : 0) - (c->old ? 1 : 0);
    int64_t bytes = (int64_t)(c->new_item ? c->new_size : 0) - (int64_t)(c->old ? c->old_size : 0);
    rc = gy_ddb_stats_add(txn, c->t->id, items, bytes);
    if (rc)
        return rc;
    return gy_ddb__log_append(txn, d, c, stamp, origin, gy_now_ms());
}

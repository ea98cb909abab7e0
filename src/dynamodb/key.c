/*
 * key.c — order-preserving key bytes for items in storage.
 *
 * Owns the byte layout of primary keys; not the key schema (which attribute is the key) nor
 * key-size validation (callers check GY_DDB_MAX_PK_SIZE / GY_DDB_MAX_SK_SIZE). See
 * docs/dynamodb.md, "Storage format".
 *
 * Layout:
 *
 *   key  := hash64(pk) enc(pk) [enc(sk)]
 *
 *   hash64(v) = the first 8 bytes of MD5(t || bytes(v)), stored as is (so big-endian when read
 *               as a number); t is the type descriptor's letter 'S', 'N' or 'B'; bytes(v) is
 *               the UTF-8 of S, the raw bytes of B, the canonical text of N. It spreads
 *               partitions uniformly over the key space (parallel Scan segments split it by
 *               range) and keeps each partition's items contiguous.
 *   enc(S|B)  = the bytes with every 0x00 written as 0x00 0xFF, then the terminator 0x00 0x00.
 *               The terminator sorts before any escaped or ordinary byte, so memcmp order of
 *               enc() is bytewise order of the values and a value's encoding is never a
 *               prefix of another's: "a" (61 00 00) < "a\0" (61 00 FF 00 00) < "ab" (61 62 00 00).
 *   enc(N)    = gy_num_key_encode (self-delimiting, memcmp order = numeric order).
 *
 * Within one partition (same hash64 and enc(pk)) memcmp order of keys is DynamoDB's sort-key
 * order, so Query is a range scan.
 */
#include "dynamodb/value.h"

#include <openssl/evp.h>
#include <string.h>

#include "dynamodb/number.h"

static char type_letter(enum gy_ddb_type t)
{
    return t == GY_DDB_S ? 'S' : t == GY_DDB_N ? 'N' : 'B';
}

static bool is_key_type(const struct gy_ddb_value *v)
{
    return v->type == GY_DDB_S || v->type == GY_DDB_N || v->type == GY_DDB_B;
}

uint64_t gy_ddb_key_hash(const struct gy_ddb_value *pk)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    char t = type_letter(pk->type);
    const char *p = pk->u.s.p;
    size_t len = pk->u.s.len;

    if (!is_key_type(pk))
        return 0;
    if (len < 2048 + 64) {
        /* Key values are short: one stack buffer and a one-shot digest. */
        char tmp[1 + 2048 + 64];
        tmp[0] = t;
        if (len)
            memcpy(tmp + 1, p, len);
        EVP_Digest(tmp, len + 1, md, &mdlen, EVP_md5(), NULL);
    } else {
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        EVP_DigestInit_ex(ctx, EVP_md5(), NULL);
        EVP_DigestUpdate(ctx, &t, 1);
        EVP_DigestUpdate(ctx, p, len);
        EVP_DigestFinal_ex(ctx, md, &mdlen);
        EVP_MD_CTX_free(ctx);
    }
    uint64_t h = 0;
    for (int i = 0; i < 8; i++)
        h = h << 8 | md[i];
    return h;
}

/* enc(v) appended to out; 0, GY_EINVAL (not S/N/B, bad number text) or GY_ETOOBIG. */
static int encode_part(struct gy_buf *out, const struct gy_ddb_value *v)
{
    if (v->type == GY_DDB_N) {
        struct gy_num x;
        uint8_t tmp[GY_NUM_KEY_MAX];
        if (gy_num_parse(v->u.s.p, v->u.s.len, &x) != 0)
            return GY_EINVAL;
        size_t n = gy_num_key_encode(&x, tmp);
        return gy_buf_append(out, tmp, n);
    }
    if (v->type != GY_DDB_S && v->type != GY_DDB_B)
        return GY_EINVAL;
    const char *p = v->u.s.p, *end = p + v->u.s.len;
    while (p < end) {
        const char *z = memchr(p, 0, (size_t)(end - p));
        const char *stop = z ? z : end;
        if (stop > p && gy_buf_append(out, p, (size_t)(stop - p)))
            return GY_ETOOBIG;
        if (!z)
            break;
        if (gy_buf_append(out, "\x00\xff", 2))
            return GY_ETOOBIG;
        p = z + 1;
    }
    return gy_buf_append(out, "\x00\x00", 2);
}

/* Undo a partial append so callers never see half a key. */
static int rollback(struct gy_buf *out, size_t start, int rc)
{
    out->len = start;
    if (out->p)
        out->p[start] = '\0';
    return rc;
}

static int put_hash(struct gy_buf *out, const struct gy_ddb_value *pk)
{
    uint64_t h = gy_ddb_key_hash(pk);
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(h >> (56 - 8 * i));
    return gy_buf_append(out, b, 8);
}

int gy_ddb_key_encode_partition(struct gy_buf *out, const struct gy_ddb_value *pk)
{
    size_t start = out->len;
    int rc;

    if (!is_key_type(pk))
        return GY_EINVAL;
    rc = put_hash(out, pk);
    if (!rc)
        rc = encode_part(out, pk);
    return rc ? rollback(out, start, rc) : 0;
}

int gy_ddb_key_encode(struct gy_buf *out, const struct gy_ddb_value *pk, const struct gy_ddb_value *sk)
{
    size_t start = out->len;
    int rc = gy_ddb_key_encode_partition(out, pk);

    if (!rc && sk)
        rc = encode_part(out, sk);
    return rc ? rollback(out, start, rc) : 0;
}

int gy_ddb_key_encode_part(struct gy_buf *out, const struct gy_ddb_value *v)
{
    size_t start = out->len;
    int rc = encode_part(out, v);
    return rc ? rollback(out, start, rc) : 0;
}

void gy_ddb_segment_range(uint32_t segment, uint32_t total, uint64_t *lo, uint64_t *hi, bool *last)
{
    unsigned __int128 span = ((unsigned __int128)1) << 64;
    *lo = (uint64_t)(span * segment / total);
    unsigned __int128 end = span * ((unsigned __int128)segment + 1) / total;
    *last = end >= span;
    *hi = *last ? UINT64_MAX : (uint64_t)end;
}

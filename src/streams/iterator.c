/*
 * iterator.c — shard iterator tokens: opaque to clients, authenticated, bound to one shard of
 * one stream of one table. Owns only the byte format; what an iterator means (positions,
 * trimming, expiry policy) is reader.c's business. See docs/streams.md, "Shard iterators".
 *
 * Token bytes (integers big-endian), then base64url without padding (canonical: unused bits
 * of the last character must be zero, so any change to the text changes the bytes):
 *   u8 version (1) | u32 table id | i64 stream created ms | u64 shard start seq |
 *   u64 position seq | i64 issued ms | u8 n, table name (n bytes, 1..255) |
 *   HMAC-SHA256 (32 bytes) over everything before it, keyed by the region's iterator secret
 *   (the sealing is core/token.h's).
 * Invariant: a token that decodes was made by this region with this secret, so its table id,
 * name and shard are ones the server itself handed out.
 */
#include "streams/streams_int.h"

#include <string.h>

#include "core/bytes.h"
#include "core/token.h"

#define TOKEN_VERSION 1
#define HEAD_LEN (1 + 4 + 8 + 8 + 8 + 8 + 1)
#define RAW_MAX (HEAD_LEN + 255)

_Static_assert(GY_STREAMS_KEY_LEN == GY_TOKEN_KEY_LEN, "iterator secrets are token keys");

int gy_streams__iter_encode(const unsigned char key[GY_STREAMS_KEY_LEN],
                            const struct gy_streams_iter *it, char *out, size_t cap)
{
    unsigned char raw[RAW_MAX];
    size_t nlen = strnlen(it->table, sizeof(it->table));
    if (nlen == 0 || nlen > 255 || cap < GY_STREAMS_ITER_MAX)
        return GY_EINVAL;
    raw[0] = TOKEN_VERSION;
    gy_put_be32(raw + 1, it->table_id);
    gy_put_be64(raw + 5, (uint64_t)it->stream_created_ms);
    gy_put_be64(raw + 13, it->shard_start);
    gy_put_be64(raw + 21, it->position);
    gy_put_be64(raw + 29, (uint64_t)it->issued_ms);
    raw[37] = (unsigned char)nlen;
    memcpy(raw + HEAD_LEN, it->table, nlen);
    return gy_token_seal(key, raw, HEAD_LEN + nlen, out, cap);
}

int gy_streams__iter_decode(const unsigned char key[GY_STREAMS_KEY_LEN], struct gy_str token,
                            struct gy_streams_iter *out)
{
    unsigned char raw[RAW_MAX];
    size_t n;
    if (!token.p || token.len < 4 || token.len >= GY_STREAMS_ITER_MAX ||
        gy_token_open(key, token, raw, sizeof(raw), &n))
        return GY_EINVAL;
    if (n < HEAD_LEN + 1 || raw[0] != TOKEN_VERSION)
        return GY_EINVAL;
    size_t nlen = raw[37];
    if (nlen == 0 || n != HEAD_LEN + nlen)
        return GY_EINVAL;
    memset(out, 0, sizeof(*out));
    out->table_id = gy_get_be32(raw + 1);
    out->stream_created_ms = (int64_t)gy_get_be64(raw + 5);
    out->shard_start = gy_get_be64(raw + 13);
    out->position = gy_get_be64(raw + 21);
    out->issued_ms = (int64_t)gy_get_be64(raw + 29);
    memcpy(out->table, raw + HEAD_LEN, nlen);
    out->table[nlen] = '\0';
    return 0;
}

bool gy_streams__iter_expired(const struct gy_streams_iter *it, int64_t now, int64_t ttl_ms)
{
    return now - it->issued_ms > ttl_ms;
}

/*
 * iterator.c — Kinesis shard-iterator tokens: opaque, sealed with the region's secret
 * (core/token.h), bound to one shard of one stream. Owns only the byte format; what a position
 * means is ops_data.c's. See docs/kinesis.md, "Shard iterators".
 *
 * Payload (integers big-endian):
 *   u8 version (1) | u32 stream id | u32 shard index | u64 position | i64 min arrival ms |
 *   i64 issued ms | u8 n, stream name (n bytes, 1..128)
 * then the 32-byte MAC; the text is at most 4 * ceil((35 + 128 + 32) / 3) = 260 characters.
 * Invariant: a token that opens was made by this region, so its stream id, name and shard
 * index are ones the server handed out (the stream may since have been deleted).
 */
#include "kinesis/kinesis_int.h"

#include <string.h>

#include "core/bytes.h"

#define VERSION 1
#define HEAD_LEN (1 + 4 + 4 + 8 + 8 + 8 + 1)
#define RAW_MAX (HEAD_LEN + GY_KIN_NAME_MAX)

int gy_kin__iter_encode(const unsigned char key[GY_TOKEN_KEY_LEN], const struct gy_kin_iter *it,
                        char *out, size_t cap)
{
    unsigned char raw[RAW_MAX];
    size_t n = strnlen(it->stream, sizeof(it->stream));
    if (n == 0 || n > GY_KIN_NAME_MAX || cap < GY_KIN_ITER_MAX)
        return GY_EINVAL;
    raw[0] = VERSION;
    gy_put_be32(raw + 1, it->stream_id);
    gy_put_be32(raw + 5, it->shard);
    gy_put_be64(raw + 9, it->position);
    gy_put_be64(raw + 17, (uint64_t)it->min_arrival_ms);
    gy_put_be64(raw + 25, (uint64_t)it->issued_ms);
    raw[33] = (unsigned char)n;
    memcpy(raw + HEAD_LEN, it->stream, n);
    int len = gy_token_seal(key, raw, HEAD_LEN + n, out, cap);
    return len < 0 ? GY_EINVAL : len;
}

int gy_kin__iter_decode(const unsigned char key[GY_TOKEN_KEY_LEN], struct gy_str token,
                        struct gy_kin_iter *out)
{
    unsigned char raw[RAW_MAX];
    size_t n;
    if (!token.p || token.len >= GY_KIN_ITER_MAX ||
        gy_token_open(key, token, raw, sizeof(raw), &n))
        return GY_EINVAL;
    if (n < HEAD_LEN + 1 || raw[0] != VERSION)
        return GY_EINVAL;
    size_t nlen = raw[33];
    if (nlen == 0 || nlen > GY_KIN_NAME_MAX || n != HEAD_LEN + nlen)
        return GY_EINVAL;
    memset(out, 0, sizeof(*out));
    out->stream_id = gy_get_be32(raw + 1);
    out->shard = gy_get_be32(raw + 5);
    out->position = gy_get_be64(raw + 9);
    out->min_arrival_ms = (int64_t)gy_get_be64(raw + 17);
    out->issued_ms = (int64_t)gy_get_be64(raw + 25);
    memcpy(out->stream, raw + HEAD_LEN, nlen);
    out->stream[nlen] = '\0';
    return 0;
}

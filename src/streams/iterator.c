/*
 * iterator.c — shard iterator tokens: opaque to clients, authenticated, bound to one shard of
 * one stream of one table. Owns only the byte format; what an iterator means (positions,
 * trimming, expiry policy) is reader.c's business. See docs/streams.md, "Shard iterators".
 *
 * Token bytes (integers big-endian), then base64url without padding (canonical: unused bits
 * of the last character must be zero, so any change to the text changes the bytes):
 *   u8 version (1) | u32 table id | i64 stream created ms | u64 shard start seq |
 *   u64 position seq | i64 issued ms | u8 n, table name (n bytes, 1..255) |
 *   HMAC-SHA256 (32 bytes) over everything before it, keyed by the region's iterator secret.
 * Invariant: a token that decodes was made by this region with this secret, so its table id,
 * name and shard are ones the server itself handed out.
 */
#include "streams/streams_int.h"

#include "core/bytes.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#define TOKEN_VERSION 1
#define HEAD_LEN (1 + 4 + 8 + 8 + 8 + 8 + 1)
#define MAC_LEN 32
#define RAW_MAX (HEAD_LEN + 255 + MAC_LEN)

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static uint64_t get_be(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* base64url, no padding; out must hold 4 * ceil(n / 3) + 1 bytes. Returns the length. */
static size_t b64_encode(const unsigned char *in, size_t n, char *out)
{
    size_t o = 0, i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = b64[v >> 18];
        out[o++] = b64[(v >> 12) & 63];
        out[o++] = b64[(v >> 6) & 63];
        out[o++] = b64[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        out[o++] = b64[v >> 18];
        out[o++] = b64[(v >> 12) & 63];
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        out[o++] = b64[v >> 18];
        out[o++] = b64[(v >> 12) & 63];
        out[o++] = b64[(v >> 6) & 63];
    }
    out[o] = '\0';
    return o;
}

static int b64_val(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-')
        return 62;
    if (c == '_')
        return 63;
    return -1;
}

/* Strict decoder: rejects bad characters, impossible lengths and non-zero unused bits. */
static int b64_decode(struct gy_str s, unsigned char *out, size_t cap, size_t *n)
{
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0;
    if (s.len % 4 == 1)
        return GY_EINVAL;
    for (size_t i = 0; i < s.len; i++) {
        int v = b64_val(s.p[i]);
        if (v < 0)
            return GY_EINVAL;
        acc = (acc << 6 | (uint32_t)v) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o == cap)
                return GY_EINVAL;
            out[o++] = (unsigned char)(acc >> bits);
        }
    }
    if (acc & ((1u << bits) - 1))
        return GY_EINVAL;
    *n = o;
    return 0;
}

static void mac(const unsigned char key[GY_STREAMS_KEY_LEN], const unsigned char *p, size_t n,
                unsigned char out[MAC_LEN])
{
    unsigned int len = MAC_LEN;
    HMAC(EVP_sha256(), key, GY_STREAMS_KEY_LEN, p, n, out, &len);
}

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
    mac(key, raw, HEAD_LEN + nlen, raw + HEAD_LEN + nlen);
    return (int)b64_encode(raw, HEAD_LEN + nlen + MAC_LEN, out);
}

int gy_streams__iter_decode(const unsigned char key[GY_STREAMS_KEY_LEN], struct gy_str token,
                            struct gy_streams_iter *out)
{
    unsigned char raw[RAW_MAX], want[MAC_LEN];
    size_t n;
    if (!token.p || token.len < 4 || token.len >= GY_STREAMS_ITER_MAX ||
        b64_decode(token, raw, sizeof(raw), &n))
        return GY_EINVAL;
    if (n < HEAD_LEN + 1 + MAC_LEN || raw[0] != TOKEN_VERSION)
        return GY_EINVAL;
    size_t nlen = raw[37];
    if (nlen == 0 || n != HEAD_LEN + nlen + MAC_LEN)
        return GY_EINVAL;
    mac(key, raw, HEAD_LEN + nlen, want);
    if (CRYPTO_memcmp(want, raw + HEAD_LEN + nlen, MAC_LEN) != 0)
        return GY_EINVAL;
    memset(out, 0, sizeof(*out));
    out->table_id = (uint32_t)get_be(raw + 1, 4);
    out->stream_created_ms = (int64_t)get_be(raw + 5, 8);
    out->shard_start = get_be(raw + 13, 8);
    out->position = get_be(raw + 21, 8);
    out->issued_ms = (int64_t)get_be(raw + 29, 8);
    memcpy(out->table, raw + HEAD_LEN, nlen);
    out->table[nlen] = '\0';
    return 0;
}

bool gy_streams__iter_expired(const struct gy_streams_iter *it, int64_t now, int64_t ttl_ms)
{
    return now - it->issued_ms > ttl_ms;
}


/*
 * token.c — sealed tokens (see token.h): base64url (RFC 4648 section 5, no padding, strict:
 * unused bits of the last character must be zero, so one token has one text) of the payload
 * and its HMAC-SHA256. The URL alphabet lives here, its only user; core/base64.h is the
 * standard alphabet the protocols use for blobs.
 */
#include "core/token.h"

#include <stdint.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/errors.h"

#define PAYLOAD_MAX 1024

static const char url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static size_t url_len(size_t n)
{
    return n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
}

static size_t url_encode(const unsigned char *p, size_t n, char *out)
{
    size_t i = 0, o = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t w = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        out[o++] = url[w >> 18];
        out[o++] = url[(w >> 12) & 63];
        out[o++] = url[(w >> 6) & 63];
        out[o++] = url[w & 63];
    }
    if (n - i) {
        uint32_t w = (uint32_t)p[i] << 16 | (n - i == 2 ? (uint32_t)p[i + 1] << 8 : 0);
        out[o++] = url[w >> 18];
        out[o++] = url[(w >> 12) & 63];
        if (n - i == 2)
            out[o++] = url[(w >> 6) & 63];
    }
    out[o] = '\0';
    return o;
}

static int url_val(char c)
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

static int url_decode(struct gy_str s, unsigned char *out, size_t cap, size_t *n)
{
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0;
    if (s.len % 4 == 1)
        return GY_EINVAL;
    for (size_t i = 0; i < s.len; i++) {
        int v = url_val(s.p[i]);
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

static void mac(const unsigned char key[GY_TOKEN_KEY_LEN], const unsigned char *p, size_t n,
                unsigned char out[GY_TOKEN_MAC_LEN])
{
    unsigned int len = GY_TOKEN_MAC_LEN;
    HMAC(EVP_sha256(), key, GY_TOKEN_KEY_LEN, p, n, out, &len);
}

size_t gy_token_len(size_t n)
{
    return url_len(n + GY_TOKEN_MAC_LEN);
}

int gy_token_seal(const unsigned char key[GY_TOKEN_KEY_LEN], const void *payload, size_t n,
                  char *out, size_t cap)
{
    unsigned char raw[PAYLOAD_MAX + GY_TOKEN_MAC_LEN];
    if (n > PAYLOAD_MAX || cap < gy_token_len(n) + 1)
        return GY_ETOOBIG;
    if (n)
        memcpy(raw, payload, n);
    mac(key, raw, n, raw + n);
    return (int)url_encode(raw, n + GY_TOKEN_MAC_LEN, out);
}

int gy_token_open(const unsigned char key[GY_TOKEN_KEY_LEN], struct gy_str text, void *out,
                  size_t cap, size_t *n)
{
    unsigned char raw[PAYLOAD_MAX + GY_TOKEN_MAC_LEN], want[GY_TOKEN_MAC_LEN];
    size_t len;
    if (!text.p || text.len > gy_token_len(PAYLOAD_MAX) ||
        url_decode(text, raw, sizeof(raw), &len) ||
        len < GY_TOKEN_MAC_LEN)
        return GY_EINVAL;
    len -= GY_TOKEN_MAC_LEN;
    mac(key, raw, len, want);
    if (CRYPTO_memcmp(want, raw + len, GY_TOKEN_MAC_LEN) != 0 || len > cap)
        return GY_EINVAL;
    if (len)
        memcpy(out, raw, len);
    *n = len;
    return 0;
}

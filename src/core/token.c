/*
 * token.c — sealed tokens (see token.h): base64url of payload and its HMAC-SHA256.
 */
#include "core/token.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/base64.h"
#include "core/errors.h"

#define PAYLOAD_MAX 1024

static void mac(const unsigned char key[GY_TOKEN_KEY_LEN], const unsigned char *p, size_t n,
                unsigned char out[GY_TOKEN_MAC_LEN])
{
    unsigned int len = GY_TOKEN_MAC_LEN;
    HMAC(EVP_sha256(), key, GY_TOKEN_KEY_LEN, p, n, out, &len);
}

size_t gy_token_len(size_t n)
{
    return gy_b64_encoded_len(n + GY_TOKEN_MAC_LEN, GY_B64_URL);
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
    return (int)gy_b64_encode(raw, n + GY_TOKEN_MAC_LEN, out, GY_B64_URL);
}

int gy_token_open(const unsigned char key[GY_TOKEN_KEY_LEN], struct gy_str text, void *out,
                  size_t cap, size_t *n)
{
    unsigned char raw[PAYLOAD_MAX + GY_TOKEN_MAC_LEN], want[GY_TOKEN_MAC_LEN];
    size_t len;
    if (!text.p || text.len > gy_token_len(PAYLOAD_MAX) ||
        gy_b64_decode(text, raw, sizeof(raw), &len, GY_B64_URL, NULL, NULL) ||
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

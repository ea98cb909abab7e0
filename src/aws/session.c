/*
 * session.c — sealed session tokens for temporary credentials (aws/session.h). Owns the token
 * byte format, the key schedule and the access key id / secret derivation; what a principal
 * may do, and the SigV4 check with the derived secret, belong to the router. See docs/sts.md.
 *
 * Keys: k = HMAC-SHA256(admin secret, "gyre-sts-v1"); mac = HMAC-SHA256(k, "token");
 * sec = HMAC-SHA256(k, "secret"). Every region shares the admin secret, so every region derives
 * the same keys and accepts every region's tokens, across restarts, with nothing stored.
 *
 * Token bytes (integers big-endian), then standard base64 with padding (canonical: the unused
 * bits of the last group must be zero, so one token has exactly one text):
 *   u8 version (1) | 10 bytes access key id (its 16 base32 characters after "ASIA") |
 *   8 bytes random nonce | i64 expires ms | u8 n, principal ARN (n bytes, 1..255) |
 *   u8 m, UserId (m bytes, 0..159) | HMAC-SHA256(mac, everything before it) (32 bytes).
 * The secret access key is not in the token: it is base64(HMAC-SHA256(sec, access key id)),
 * cut to 40 characters, so only a holder of the admin secret can compute it.
 * Invariant: a token that opens was sealed by a process sharing our admin secret; the tag is
 * checked (in constant time) before any field is believed.
 */
#include "aws/session.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "core/base64.h"
#include "core/bytes.h"
#include "core/errors.h"
#include "core/log.h"

#define TOKEN_VERSION 1
#define AKID_PREFIX "ASIA"
#define AKID_RAW 10  /* bytes behind the 16 base32 characters */
#define NONCE_LEN 8
#define MAC_LEN 32
#define HEAD_LEN (1 + AKID_RAW + NONCE_LEN + 8)
#define RAW_MIN (HEAD_LEN + 1 + 1 + 1 + MAC_LEN)
#define RAW_MAX (HEAD_LEN + 1 + GY_SESSION_MAX_ARN + 1 + GY_SESSION_MAX_USER_ID + MAC_LEN)
#define B64_MAX (4 * ((RAW_MAX + 2) / 3)) /* a multiple of 4 */

_Static_assert(B64_MAX < GY_SESSION_MAX_TOKEN, "the largest token fits struct gy_session");

static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

static void hmac(const unsigned char *key, size_t klen, const void *msg, size_t mlen,
                 unsigned char out[MAC_LEN])
{
    unsigned int n = MAC_LEN;
    HMAC(EVP_sha256(), key, (int)klen, msg, mlen, out, &n);
}

/*
 * HMAC-SHA256 under one of our 32-byte derived keys, on the authentication path of every
 * request with temporary credentials: two plain digests on one context cost well under half of
 * OpenSSL's one-shot HMAC(), which sets up a MAC context per call (RFC 2104; a key shorter than
 * the 64-byte block is zero-padded). The unit tests check it against HMAC().
 */
static void hmac32(const unsigned char key[GY_SESSION_KEY_LEN], const void *msg, size_t mlen,
                   unsigned char out[MAC_LEN])
{
    unsigned char pad[64], inner[MAC_LEN];
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    gy_assert(ctx);
    memset(pad, 0x36, sizeof(pad));
    for (size_t i = 0; i < GY_SESSION_KEY_LEN; i++)
        pad[i] ^= key[i];
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    EVP_DigestUpdate(ctx, pad, sizeof(pad));
    EVP_DigestUpdate(ctx, msg, mlen);
    EVP_DigestFinal_ex(ctx, inner, NULL);
    for (size_t i = 0; i < sizeof(pad); i++)
        pad[i] ^= 0x36 ^ 0x5c;
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    EVP_DigestUpdate(ctx, pad, sizeof(pad));
    EVP_DigestUpdate(ctx, inner, sizeof(inner));
    EVP_DigestFinal_ex(ctx, out, NULL);
    EVP_MD_CTX_free(ctx);
    OPENSSL_cleanse(pad, sizeof(pad));
}

/*
 * Canonical standard base64 (core/base64.h's rules) into out, which holds B64_MAX / 4 * 3
 * bytes: OpenSSL decodes on the stack (authentication has no arena to spare), and the text must
 * be exactly the encoding of what it decoded to. Returns the byte count or -1.
 */
static long b64_decode(struct gy_str s, unsigned char *out)
{
    char back[B64_MAX + 1];
    if (s.len == 0 || s.len % 4 || s.len > B64_MAX)
        return -1;
    int got = EVP_DecodeBlock(out, (const unsigned char *)s.p, (int)s.len);
    if (got < 0)
        return -1;
    size_t pad = s.p[s.len - 1] == '=' ? (s.p[s.len - 2] == '=' ? 2 : 1) : 0;
    if ((size_t)got < pad)
        return -1;
    size_t n = (size_t)got - pad;
    if (gy_base64_encoded_len(n) != s.len)
        return -1;
    gy_base64_encode(out, n, back);
    return memcmp(back, s.p, s.len) == 0 ? (long)n : -1;
}

/* 10 bytes to 16 base32 characters (RFC 4648 alphabet, no padding needed). */
static void b32_encode10(const unsigned char in[AKID_RAW], char out[16])
{
    for (int g = 0; g < 2; g++) {
        uint64_t v = 0;
        for (int i = 0; i < 5; i++)
            v = v << 8 | in[g * 5 + i];
        for (int i = 0; i < 8; i++)
            out[g * 8 + i] = b32[v >> (35 - 5 * i) & 31];
    }
}

void gy_session_key_derive(struct gy_str admin_secret, struct gy_session_key *out)
{
    static const char label[] = "gyre-sts-v1";
    hmac((const unsigned char *)(admin_secret.p ? admin_secret.p : ""), admin_secret.len, label,
         sizeof(label) - 1, out->k);
    hmac(out->k, sizeof(out->k), "token", 5, out->mac);
    hmac(out->k, sizeof(out->k), "secret", 6, out->sec);
}

/* The secret access key of an access key id: 40 characters of base64(HMAC(sec, akid)). */
static void derive_secret(const struct gy_session_key *key, const char *akid, char *out)
{
    unsigned char md[MAC_LEN];
    char text[4 * ((MAC_LEN + 2) / 3) + 1];
    hmac32(key->sec, akid, GY_SESSION_AKID_LEN, md);
    gy_base64_encode(md, sizeof(md), text);
    memcpy(out, text, GY_SESSION_SECRET_LEN);
    out[GY_SESSION_SECRET_LEN] = '\0';
    OPENSSL_cleanse(md, sizeof(md));
}

static void akid_text(const unsigned char raw[AKID_RAW], char out[GY_SESSION_AKID_LEN + 1])
{
    memcpy(out, AKID_PREFIX, 4);
    b32_encode10(raw, out + 4);
    out[GY_SESSION_AKID_LEN] = '\0';
}

int gy_session_issue(const struct gy_session_key *key, const char *arn, const char *user_id,
                     int64_t expires_ms, struct gy_session *out)
{
    unsigned char raw[RAW_MAX];
    size_t alen = arn ? strlen(arn) : 0, ulen = user_id ? strlen(user_id) : 0;
    if (alen == 0 || alen > GY_SESSION_MAX_ARN || ulen > GY_SESSION_MAX_USER_ID)
        return GY_EINVAL;

    memset(out, 0, sizeof(*out));
    raw[0] = TOKEN_VERSION;
    if (RAND_bytes(raw + 1, AKID_RAW + NONCE_LEN) != 1)
        return GY_EIO;
    gy_put_be64(raw + 1 + AKID_RAW + NONCE_LEN, (uint64_t)expires_ms);
    size_t n = HEAD_LEN;
    raw[n++] = (unsigned char)alen;
    memcpy(raw + n, arn, alen);
    n += alen;
    raw[n++] = (unsigned char)ulen;
    if (ulen)
        memcpy(raw + n, user_id, ulen);
    n += ulen;
    hmac32(key->mac, raw, n, raw + n);
    n += MAC_LEN;

    akid_text(raw + 1, out->access_key);
    derive_secret(key, out->access_key, out->secret);
    gy_base64_encode(raw, n, out->token);
    memcpy(out->arn, arn, alen);
    if (ulen)
        memcpy(out->user_id, user_id, ulen);
    out->expires_ms = expires_ms;
    return 0;
}

bool gy_session_is_temporary_akid(struct gy_str akid)
{
    if (akid.len != GY_SESSION_AKID_LEN || memcmp(akid.p, AKID_PREFIX, 4) != 0)
        return false;
    for (size_t i = 4; i < akid.len; i++)
        if (!memchr(b32, akid.p[i], sizeof(b32) - 1))
            return false;
    return true;
}

int gy_session_open(const struct gy_session_key *key, struct gy_str token, struct gy_str akid,
                    int64_t now_ms, struct gy_session *out)
{
    unsigned char raw[B64_MAX / 4 * 3], tag[MAC_LEN];
    char want[GY_SESSION_AKID_LEN + 1];

    memset(out, 0, sizeof(*out));
    if (token.len > B64_MAX || (token.len && !token.p))
        return GY_SESSION_INVALID;
    long got = b64_decode(token, raw);
    if (got < RAW_MIN || raw[0] != TOKEN_VERSION)
        return GY_SESSION_INVALID;
    size_t n = (size_t)got - MAC_LEN;
    hmac32(key->mac, raw, n, tag);
    if (CRYPTO_memcmp(tag, raw + n, MAC_LEN) != 0)
        return GY_SESSION_INVALID;

    /* Authentic from here on; the lengths are still checked, never assumed. */
    size_t at = HEAD_LEN, alen = raw[at++];
    if (alen == 0 || alen > GY_SESSION_MAX_ARN || at + alen + 1 > n)
        return GY_SESSION_INVALID;
    const unsigned char *arn = raw + at;
    at += alen;
    size_t ulen = raw[at++];
    if (ulen > GY_SESSION_MAX_USER_ID || at + ulen != n)
        return GY_SESSION_INVALID;
    if (memchr(arn, 0, alen) || memchr(raw + at, 0, ulen))
        return GY_SESSION_INVALID;

    akid_text(raw + 1, want);
    if (akid.len != GY_SESSION_AKID_LEN || !akid.p ||
        CRYPTO_memcmp(want, akid.p, GY_SESSION_AKID_LEN) != 0)
        return GY_SESSION_INVALID;

    memcpy(out->access_key, want, sizeof(want));
    derive_secret(key, want, out->secret);
    memcpy(out->token, token.p, token.len);
    out->token[token.len] = '\0';
    memcpy(out->arn, arn, alen);
    memcpy(out->user_id, raw + at, ulen);
    out->expires_ms = (int64_t)gy_get_be64(raw + 1 + AKID_RAW + NONCE_LEN);
    return now_ms >= out->expires_ms ? GY_SESSION_EXPIRED : GY_SESSION_OK;
}

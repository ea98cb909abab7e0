/*
 * base64.c — strict RFC 4648 base64 (see base64.h). Encoding and decoding are table-free
 * straight-line loops; the decoder rejects every text that is not the canonical encoding of
 * some byte string.
 */
#include "core/base64.h"

#include <stdint.h>

#include "core/errors.h"

static const char alpha_std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char alpha_url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int val(unsigned char c, enum gy_b64_alphabet a)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == (a == GY_B64_URL ? '-' : '+'))
        return 62;
    if (c == (a == GY_B64_URL ? '_' : '/'))
        return 63;
    return -1;
}

size_t gy_b64_encoded_len(size_t n, enum gy_b64_alphabet a)
{
    if (a == GY_B64_STD)
        return (n + 2) / 3 * 4;
    return n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
}

size_t gy_b64_decoded_max(size_t n)
{
    return n / 4 * 3 + 3;
}

size_t gy_b64_encode(const void *in, size_t n, char *out, enum gy_b64_alphabet a)
{
    const unsigned char *p = in;
    const char *t = a == GY_B64_URL ? alpha_url : alpha_std;
    size_t i = 0, o = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t w = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        out[o++] = t[w >> 18];
        out[o++] = t[(w >> 12) & 63];
        out[o++] = t[(w >> 6) & 63];
        out[o++] = t[w & 63];
    }
    if (n - i) {
        uint32_t w = (uint32_t)p[i] << 16 | (n - i == 2 ? (uint32_t)p[i + 1] << 8 : 0);
        out[o++] = t[w >> 18];
        out[o++] = t[(w >> 12) & 63];
        if (n - i == 2)
            out[o++] = t[(w >> 6) & 63];
        else if (a == GY_B64_STD)
            out[o++] = '=';
        if (a == GY_B64_STD)
            out[o++] = '=';
    }
    out[o] = '\0';
    return o;
}

static int fail(enum gy_b64_fault why, enum gy_b64_fault *fault)
{
    if (fault)
        *fault = why;
    return GY_EINVAL;
}

int gy_b64_decode(struct gy_str text, void *out, size_t cap, size_t *n, enum gy_b64_alphabet a,
                  enum gy_b64_fault *fault, size_t *at)
{
    const unsigned char *p = (const unsigned char *)text.p;
    unsigned char *dst = out;
    size_t len = text.len, pad = 0, o = 0;
    uint32_t acc = 0;
    int bits = 0;

    if (fault)
        *fault = GY_B64_OK;
    if (a == GY_B64_STD) {
        if (len % 4)
            return fail(GY_B64_BAD_LENGTH, fault);
        if (len && p[len - 1] == '=')
            pad = len >= 2 && p[len - 2] == '=' ? 2 : 1;
    } else if (len % 4 == 1) {
        return fail(GY_B64_BAD_LENGTH, fault);
    }
    for (size_t i = 0; i < len - pad; i++) {
        int v = val(p[i], a);
        if (v < 0) {
            if (at)
                *at = i;
            return fail(GY_B64_BAD_CHAR, fault);
        }
        acc = (acc << 6 | (uint32_t)v) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o == cap)
                return GY_ETOOBIG;
            dst[o++] = (unsigned char)(acc >> bits);
        }
    }
    if (acc & ((1u << bits) - 1))
        return fail(GY_B64_NOT_CANONICAL, fault);
    *n = o;
    return 0;
}

/*
 * base64.c — strict base64 (see base64.h).
 */
#include "core/base64.h"

#include <stdint.h>

#include "core/arena.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int val(unsigned char ch)
{
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9')
        return ch - '0' + 52;
    if (ch == '+')
        return 62;
    if (ch == '/')
        return 63;
    return -1;
}

void gy_base64_encode(const void *src, size_t n, char *out)
{
    const unsigned char *p = src;
    size_t i = 0, o = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t w = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        out[o++] = alphabet[w >> 18];
        out[o++] = alphabet[(w >> 12) & 63];
        out[o++] = alphabet[(w >> 6) & 63];
        out[o++] = alphabet[w & 63];
    }
    if (n - i == 1) {
        uint32_t w = (uint32_t)p[i] << 16;
        out[o++] = alphabet[w >> 18];
        out[o++] = alphabet[(w >> 12) & 63];
        out[o++] = '=';
        out[o++] = '=';
    } else if (n - i == 2) {
        uint32_t w = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
        out[o++] = alphabet[w >> 18];
        out[o++] = alphabet[(w >> 12) & 63];
        out[o++] = alphabet[(w >> 6) & 63];
        out[o++] = '=';
    }
    out[o] = '\0';
}

struct gy_str gy_base64_encode_arena(struct gy_arena *a, const void *p, size_t n)
{
    size_t len = gy_base64_encoded_len(n);
    char *out = gy_arena_alloc(a, len + 1);
    gy_base64_encode(p, n, out);
    return (struct gy_str){ out, len };
}

int gy_base64_decode(struct gy_arena *a, struct gy_str in, struct gy_str *out, char *bad)
{
    const unsigned char *p = (const unsigned char *)in.p;
    size_t n = in.len;

    if (n % 4)
        return GY_BASE64_BAD_LENGTH;
    size_t pad = 0;
    if (n && p[n - 1] == '=')
        pad = (n >= 2 && p[n - 2] == '=') ? 2 : 1;
    for (size_t i = 0; i < n - pad; i++) {
        if (val(p[i]) < 0) {
            if (bad)
                *bad = (char)p[i];
            return GY_BASE64_BAD_CHAR;
        }
    }
    if ((pad == 1 && (val(p[n - 2]) & 0x3)) || (pad == 2 && (val(p[n - 3]) & 0xf)))
        return GY_BASE64_NOT_CANONICAL;
    size_t len = n / 4 * 3 - pad;
    unsigned char *dst = gy_arena_alloc(a, len + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i += 4) {
        int v0 = val(p[i]), v1 = val(p[i + 1]);
        int v2 = p[i + 2] == '=' ? 0 : val(p[i + 2]);
        int v3 = p[i + 3] == '=' ? 0 : val(p[i + 3]);
        uint32_t w = (uint32_t)v0 << 18 | (uint32_t)v1 << 12 | (uint32_t)v2 << 6 | (uint32_t)v3;
        dst[o++] = (unsigned char)(w >> 16);
        if (o < len)
            dst[o++] = (unsigned char)(w >> 8);
        if (o < len)
            dst[o++] = (unsigned char)w;
    }
    dst[len] = '\0';
    out->p = (const char *)dst;
    out->len = len;
    return GY_BASE64_OK;
}

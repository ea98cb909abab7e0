/*
 * util.c — small helpers of the PartiQL handlers: the NextToken format and copying parsed
 * JSON (a sub-request's output) into a response.
 *
 * NextToken is standard base64 of {"h":"<16 hex digits>","k":<LastEvaluatedKey>}, where h is
 * the 64-bit FNV-1a hash of the statement text: a token only continues the statement that
 * produced it ("NextToken does not match request"). The key inside is validated again by the
 * Query or Scan that receives it as ExclusiveStartKey, so a forged token can do no more than
 * an ExclusiveStartKey could.
 */
#include "dynamodb/partiql/partiql.h"

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/json.h"

#define TOKEN_MAX (64u << 10) /* decoded bytes of a NextToken */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static uint64_t fnv1a(struct gy_str s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < s.len; i++) {
        h ^= (unsigned char)s.p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

static struct gy_str b64_encode(struct gy_arena *a, struct gy_str in)
{
    size_t n = (in.len + 2) / 3 * 4;
    char *out = gy_arena_alloc(a, n + 1);
    const unsigned char *s = (const unsigned char *)in.p;
    size_t o = 0;
    for (size_t i = 0; i < in.len; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16;
        if (i + 1 < in.len)
            v |= (uint32_t)s[i + 1] << 8;
        if (i + 2 < in.len)
            v |= s[i + 2];
        out[o++] = b64[(v >> 18) & 63];
        out[o++] = b64[(v >> 12) & 63];
        out[o++] = i + 1 < in.len ? b64[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < in.len ? b64[v & 63] : '=';
    }
    out[o] = '\0';
    return (struct gy_str){ out, o };
}

static int b64_value(char c)
{
    const char *p = c ? strchr(b64, c) : NULL;
    return p ? (int)(p - b64) : -1;
}

/* Strict, padded base64; returns 0 or GY_EINVAL. */
static int b64_decode(struct gy_arena *a, struct gy_str in, struct gy_str *out)
{
    if (in.len == 0 || in.len % 4 || in.len / 4 * 3 > TOKEN_MAX)
        return GY_EINVAL;
    char *o = gy_arena_alloc(a, in.len / 4 * 3 + 1);
    size_t n = 0;
    for (size_t i = 0; i < in.len; i += 4) {
        int v[4];
        bool last = i + 4 == in.len;
        for (int k = 0; k < 4; k++) {
            v[k] = b64_value(in.p[i + k]);
            if (v[k] < 0 && !(last && k >= 2 && in.p[i + k] == '='))
                return GY_EINVAL;
        }
        if (v[2] < 0 && v[3] >= 0)
            return GY_EINVAL;
        uint32_t x = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 |
                     (uint32_t)(v[2] < 0 ? 0 : v[2]) << 6 | (uint32_t)(v[3] < 0 ? 0 : v[3]);
        o[n++] = (char)(x >> 16);
        if (v[2] >= 0)
            o[n++] = (char)(x >> 8);
        if (v[3] >= 0)
            o[n++] = (char)x;
    }
    o[n] = '\0';
    *out = (struct gy_str){ o, n };
    return 0;
}

struct gy_str gy_pql_token_encode(struct gy_arena *a, struct gy_str statement,
                                  struct gy_str last_key)
{
    char *json = gy_arena_printf(a, "{\"h\":\"%016llx\",\"k\":%.*s}",
                                 (unsigned long long)fnv1a(statement), (int)last_key.len,
                                 last_key.p);
    return b64_encode(a, gy_str_c(json));
}

int gy_pql_token_decode(struct gy_arena *a, struct gy_str statement, struct gy_str token,
                        struct gy_str *key, struct gy_error *err)
{
    struct gy_str raw;
    const struct gy_json *j = NULL, *k;
    const char *why = NULL;
    char want[17];

    if (b64_decode(a, token, &raw) || gy_json_parse(a, raw.p, raw.len, &j, &why) ||
        !gy_json_is(j, GY_JSON_OBJECT) || !gy_json_str(gy_json_get(j, "h")).p ||
        !gy_json_is((k = gy_json_get(j, "k")), GY_JSON_OBJECT))
        return gy_error_set(err, a, GY_AWS_VALIDATION, "Invalid NextToken");
    snprintf(want, sizeof(want), "%016llx", (unsigned long long)fnv1a(statement));
    if (!gy_str_eqc(gy_json_str(gy_json_get(j, "h")), want))
        return gy_error_set(err, a, GY_AWS_VALIDATION, "NextToken does not match request");
    *key = gy_pql_json_text(a, k);
    return 0;
}

struct gy_str gy_pql_json_text(struct gy_arena *a, const struct gy_json *j)
{
    struct gy_buf b;
    struct gy_jw w;
    gy_buf_init(&b, 64u << 20);
    gy_jw_init(&w, &b);
    gy_jw_value(&w, j);
    struct gy_str s = gy_arena_strdup(a, gy_buf_str(&b));
    gy_buf_fini(&b);
    return s;
}

/*
 * hashkey.c — the 128-bit hash-key space of a Kinesis stream: decimal text in and out (the
 * wire form of HashKeyRange and ExplicitHashKey), MD5 of a partition key as a big-endian
 * integer, the even split CreateStream and UpdateShardCount use, and the 16-byte big-endian
 * storage form (memcmp order = numeric order). See docs/kinesis.md, "Hash keys".
 */
#include "kinesis/kinesis_int.h"

#include <openssl/evp.h>

static const unsigned __int128 U128_MAX = ~(unsigned __int128)0;

int gy_kin__hash_parse(struct gy_str s, unsigned __int128 *out)
{
    unsigned __int128 v = 0;
    bool big = false;
    if (!s.p || s.len == 0)
        return GY_EINVAL;
    for (size_t i = 0; i < s.len; i++) {
        if (s.p[i] < '0' || s.p[i] > '9')
            return GY_EINVAL;
        unsigned d = (unsigned)(s.p[i] - '0');
        if (v > (U128_MAX - d) / 10)
            big = true;
        else
            v = v * 10 + d;
    }
    if (big)
        return GY_ETOOBIG;
    *out = v;
    return 0;
}

size_t gy_kin__hash_format(unsigned __int128 v, char out[40])
{
    char tmp[40];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\0';
    return n;
}

void gy_kin__hash_put(unsigned char p[16], unsigned __int128 v)
{
    for (int i = 15; i >= 0; i--, v >>= 8)
        p[i] = (unsigned char)v;
}

unsigned __int128 gy_kin__hash_get(const unsigned char p[16])
{
    unsigned __int128 v = 0;
    for (int i = 0; i < 16; i++)
        v = v << 8 | p[i];
    return v;
}

unsigned __int128 gy_kin__hash_of_key(struct gy_str pk)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_Digest(pk.p ? pk.p : "", pk.len, md, &n, EVP_md5(), NULL);
    return gy_kin__hash_get(md);
}

/*
 * step = floor(2^128 / n), computed without 2^128: floor((2^128 - 1) / n), plus one when n
 * divides 2^128 (then (2^128 - 1) mod n = n - 1). Shard i gets [i*step, (i+1)*step - 1]; the
 * last ends at 2^128 - 1 (AWS's split: for n = 3, shard 0 ends at
 * 113427455640312821154458202477256070484).
 */
void gy_kin__hash_split(uint32_t n, uint32_t i, unsigned __int128 *start, unsigned __int128 *end)
{
    unsigned __int128 step = U128_MAX / n + (U128_MAX % n == (unsigned __int128)n - 1 ? 1 : 0);
    *start = step * i;
    *end = i + 1 == n ? U128_MAX : step * (i + 1) - 1;
}

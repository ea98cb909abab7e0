/*
 * kinesis_iterator.c (fuzz) — libFuzzer harness for Kinesis shard-iterator tokens
 * (src/kinesis/iterator.c over core/token.c).
 *
 * 1. The raw input is opened as a token under a fixed secret. Nothing may crash, and anything
 *    accepted must re-seal to exactly the input (one canonical text per iterator) with a
 *    stream name of 1..128 bytes.
 * 2. With at least 34 bytes, the input also fills an iterator (fields from the first 32 bytes,
 *    the stream name from the rest): it must round-trip exactly, stay under 512 characters,
 *    and be rejected under another secret and with one character replaced (position and
 *    replacement chosen by the input). Any violation aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kinesis/kinesis_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const unsigned char key[GY_TOKEN_KEY_LEN] = "kin-fuzz-secret-kin-fuzz-secret-";
static const unsigned char other[GY_TOKEN_KEY_LEN] = "kin-fuzz-secret-kin-fuzz-secret+";
static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static uint64_t be(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

static void check_raw(const uint8_t *data, size_t size)
{
    struct gy_kin_iter it;
    char tok[GY_KIN_ITER_MAX];
    if (gy_kin__iter_decode(key, (struct gy_str){(const char *)data, size}, &it) != 0)
        return;
    size_t nlen = strlen(it.stream);
    if (nlen == 0 || nlen > GY_KIN_NAME_MAX)
        abort();
    int n = gy_kin__iter_encode(key, &it, tok, sizeof(tok));
    if (n < 0 || (size_t)n != size || memcmp(tok, data, size) != 0)
        abort();
}

static void check_built(const uint8_t *data, size_t size)
{
    struct gy_kin_iter it, back;
    char tok[GY_KIN_ITER_MAX];
    size_t nlen = 0;

    memset(&it, 0, sizeof(it));
    it.stream_id = (uint32_t)be(data, 4);
    it.shard = (uint32_t)be(data + 4, 4);
    it.position = be(data + 8, 8);
    it.min_arrival_ms = (int64_t)be(data + 16, 8);
    it.issued_ms = (int64_t)be(data + 24, 8);
    for (size_t i = 34; i < size && nlen < GY_KIN_NAME_MAX; i++)
        if (data[i])
            it.stream[nlen++] = (char)data[i];
    int n = gy_kin__iter_encode(key, &it, tok, sizeof(tok));
    if (nlen == 0) {
        if (n >= 0)
            abort();
        return;
    }
    if (n <= 0 || (size_t)n >= sizeof(tok))
        abort();
    if (gy_kin__iter_decode(key, (struct gy_str){tok, (size_t)n}, &back) != 0 ||
        memcmp(&it, &back, sizeof(it)) != 0)
        abort();
    if (gy_kin__iter_decode(other, (struct gy_str){tok, (size_t)n}, &back) == 0)
        abort();
    size_t at = data[32] % (size_t)n;
    char repl = alphabet[data[33] % 64];
    if (tok[at] == repl)
        return;
    tok[at] = repl;
    if (gy_kin__iter_decode(key, (struct gy_str){tok, (size_t)n}, &back) == 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_raw(data, size);
    if (size >= 34)
        check_built(data, size);
    return 0;
}

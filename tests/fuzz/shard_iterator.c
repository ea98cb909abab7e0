/*
 * shard_iterator.c (fuzz) — libFuzzer harness for shard iterator tokens (src/streams/iterator.c).
 *
 * 1. The raw input is decoded as a token under a fixed secret. Nothing may crash, and anything
 *    accepted must re-encode to exactly the input (one canonical text per iterator).
 * 2. With at least 38 bytes, the input also fills an iterator (fields from the first 36 bytes,
 *    the table name from the rest): it must round-trip exactly, and the token with one
 *    character replaced (position and replacement chosen by the input) must be rejected, as
 *    must the token under another secret. Any violation aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "streams/streams_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const unsigned char key[GY_STREAMS_KEY_LEN] = "fuzz-secret-fuzz-secret-fuzz-sec";
static const unsigned char other[GY_STREAMS_KEY_LEN] = "fuzz-secret-fuzz-secret-fuzz-seC";
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
    struct gy_streams_iter it;
    char tok[GY_STREAMS_ITER_MAX];
    if (gy_streams__iter_decode(key, (struct gy_str){(const char *)data, size}, &it) != 0)
        return;
    int n = gy_streams__iter_encode(key, &it, tok, sizeof(tok));
    if (n < 0 || (size_t)n != size || memcmp(tok, data, size) != 0)
        abort();
}

static void check_built(const uint8_t *data, size_t size)
{
    struct gy_streams_iter it, back;
    char tok[GY_STREAMS_ITER_MAX];
    size_t nlen = 0;

    memset(&it, 0, sizeof(it));
    it.table_id = (uint32_t)be(data, 4);
    it.stream_created_ms = (int64_t)be(data + 4, 8);
    it.shard_start = be(data + 12, 8);
    it.position = be(data + 20, 8);
    it.issued_ms = (int64_t)be(data + 28, 8);
    for (size_t i = 38; i < size && nlen < 255; i++)
        if (data[i])
            it.table[nlen++] = (char)data[i];
    int n = gy_streams__iter_encode(key, &it, tok, sizeof(tok));
    if (nlen == 0) {
        if (n >= 0)
            abort();
        return;
    }
    if (n <= 0 || (size_t)n >= sizeof(tok))
        abort();
    if (gy_streams__iter_decode(key, (struct gy_str){tok, (size_t)n}, &back) != 0 ||
        memcmp(&it, &back, sizeof(it)) != 0)
        abort();
    if (gy_streams__iter_decode(other, (struct gy_str){tok, (size_t)n}, &back) == 0)
        abort();
    size_t at = data[36] % (size_t)n;
    char repl = alphabet[data[37] % 64];
    if (tok[at] == repl)
        return;
    tok[at] = repl;
    if (gy_streams__iter_decode(key, (struct gy_str){tok, (size_t)n}, &back) == 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_raw(data, size);
    if (size >= 38)
        check_built(data, size);
    return 0;
}

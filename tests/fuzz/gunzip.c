/*
 * gunzip.c (fuzz) — libFuzzer harness for gy_gunzip (src/core/gzip.c), the decoder of
 * Content-Encoding: gzip request bodies.
 *
 * The input is decompressed twice, with a small and a large limit, after a prefix already in
 * the buffer. Checked: only 0, GY_EINVAL or GY_ETOOBIG come back; a failure leaves the prefix
 * untouched; the buffer never grows past limit + prefix + 1; the two limits agree (a success
 * under the small limit is the same success under the large one, and a large-limit success
 * that fits the small limit succeeds there too); and a success re-compresses (gy_gzip) to a
 * stream that decompresses to the same bytes. Any violation aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/errors.h"
#include "core/gzip.h"
#include "core/str.h"

#define SMALL_LIMIT ((size_t)4096)
#define LARGE_LIMIT ((size_t)1 << 20)
#define PREFIX "prefix"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run(struct gy_str in, size_t limit, struct gy_buf *out)
{
    gy_buf_init(out, (size_t)64 << 20);
    gy_buf_puts(out, PREFIX);
    size_t plen = out->len;
    int rc = gy_gunzip(in, limit, out);
    if (rc != 0 && rc != GY_EINVAL && rc != GY_ETOOBIG)
        abort();
    if (out->cap > plen + limit + 1 && out->cap > 256)
        abort();
    if (memcmp(out->p, PREFIX, plen) != 0)
        abort();
    if (rc != 0 && out->len != plen)
        abort();
    if (rc == 0 && out->len - plen > limit)
        abort();
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct gy_str in = { (const char *)data, size };
    struct gy_buf small, large;
    const size_t plen = sizeof(PREFIX) - 1;
    int rs = run(in, SMALL_LIMIT, &small);
    int rl = run(in, LARGE_LIMIT, &large);

    if (rs == 0 && (rl != 0 || small.len != large.len || memcmp(small.p, large.p, small.len)))
        abort();
    if (rl == 0 && large.len - plen <= SMALL_LIMIT && rs != 0)
        abort();
    if (rl == 0) {
        struct gy_str plain = { large.p + plen, large.len - plen };
        struct gy_buf z, back;
        gy_buf_init(&z, LARGE_LIMIT * 2);
        gy_buf_init(&back, LARGE_LIMIT);
        if (gy_gzip(plain, (int)(size % 10), &z) != 0)
            abort();
        if (gy_gunzip(gy_buf_str(&z), LARGE_LIMIT, &back) != 0 || back.len != plain.len ||
            (plain.len && memcmp(back.p, plain.p, plain.len) != 0))
            abort();
        gy_buf_fini(&z);
        gy_buf_fini(&back);
    }
    gy_buf_fini(&small);
    gy_buf_fini(&large);
    return 0;
}

/*
 * cbor.c — libFuzzer harness for the CBOR codec (src/aws/cbor.c): raw bytes through
 * gy_cbor_to_json in both dialects.
 *
 * Invariants checked: nothing crashes or leaks; a failure always carries a reason; whatever
 * the decoder accepts is JSON that gy_json_parse accepts; that JSON encodes back to CBOR
 * (untyped, and against real model shapes) that the decoder accepts again; and the untyped
 * JSON -> CBOR -> JSON cycle reaches a fixed point after one turn.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/cbor.h"
#include "aws/model.h"
#include "core/arena.h"
#include "core/errors.h"
#include "core/json.h"
#include "core/str.h"

#define LIMIT ((size_t)1 << 24)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* CBOR -> JSON text in out; aborts when a failure has no reason. */
static int to_json(struct gy_arena *a, struct gy_str cbor, enum gy_cbor_dialect d,
                   struct gy_buf *out)
{
    struct gy_jw w;
    const char *why = NULL;
    gy_buf_reset(out);
    gy_jw_init(&w, out);
    int rc = gy_cbor_to_json(a, cbor, d, &w, &why);
    if (rc && !why)
        abort();
    return rc;
}

/* Encode tree with a shape; what the encoder writes, the decoder must accept. */
static void re_encode(struct gy_arena *a, const struct gy_json *tree, const char *svc_name,
                      const char *shape_name, enum gy_cbor_dialect d)
{
    const struct gy_model_service *svc = svc_name ? gy_model_find(svc_name) : NULL;
    uint16_t shape = svc ? gy_model_shape_find(svc, shape_name) : GY_MODEL_NONE;
    struct gy_buf cbor, json;
    gy_buf_init(&cbor, LIMIT);
    gy_buf_init(&json, LIMIT);
    int rc = gy_cbor_from_json(svc, shape, tree, d, &cbor);
    if (rc == 0 && to_json(a, gy_buf_str(&cbor), d, &json) != 0)
        abort();
    if (rc != 0 && rc != GY_EINVAL)
        abort();
    gy_buf_fini(&json);
    gy_buf_fini(&cbor);
}

static void one_dialect(struct gy_arena *a, struct gy_str in, enum gy_cbor_dialect d)
{
    struct gy_buf j1, j2, j3, c1, c2;
    const struct gy_json *t1, *t2;
    const char *why;
    gy_buf_init(&j1, LIMIT);
    gy_buf_init(&j2, LIMIT);
    gy_buf_init(&j3, LIMIT);
    gy_buf_init(&c1, LIMIT);
    gy_buf_init(&c2, LIMIT);
    if (to_json(a, in, d, &j1) == 0) {
        if (gy_json_parse(a, j1.p, j1.len, &t1, &why) != 0)
            abort();
        re_encode(a, t1, "kinesis", "PutRecordsInput", d);
        re_encode(a, t1, "kinesis", "GetRecordsOutput", d);
        re_encode(a, t1, "cloudwatch", "PutMetricDataInput", d);
        /* Untyped: JSON -> CBOR -> JSON settles after one turn. */
        if (gy_cbor_from_json(NULL, GY_MODEL_NONE, t1, d, &c1) != 0)
            abort();
        if (to_json(a, gy_buf_str(&c1), d, &j2) != 0)
            abort();
        if (gy_json_parse(a, j2.p, j2.len, &t2, &why) != 0)
            abort();
        if (gy_cbor_from_json(NULL, GY_MODEL_NONE, t2, d, &c2) != 0)
            abort();
        if (to_json(a, gy_buf_str(&c2), d, &j3) != 0)
            abort();
        if (j2.len != j3.len || memcmp(j2.p, j3.p, j2.len) != 0)
            abort();
    }
    gy_buf_fini(&c2);
    gy_buf_fini(&c1);
    gy_buf_fini(&j3);
    gy_buf_fini(&j2);
    gy_buf_fini(&j1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct gy_arena *a = gy_arena_create(1 << 14);
    struct gy_str in = {(const char *)data, size};
    one_dialect(a, in, GY_CBOR_RPCV2);
    one_dialect(a, in, GY_CBOR_AMZ);
    gy_arena_destroy(a);
    return 0;
}

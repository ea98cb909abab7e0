/*
 * item_json.c — libFuzzer harness for the item model: request JSON -> validated item ->
 * storage bytes -> item -> JSON, and raw bytes straight into the storage decoder.
 *
 * Invariants checked: nothing crashes; a validated item survives encode/decode unchanged
 * (gy_ddb_map_eq) and re-encodes to the same bytes; anything the decoder accepts can be
 * written as JSON and sized.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/json.h"
#include "core/str.h"
#include "dynamodb/value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void write_json(const struct gy_ddb_map *m)
{
    struct gy_buf out;
    struct gy_jw w;
    gy_buf_init(&out, (size_t)1 << 24);
    gy_jw_init(&w, &out);
    gy_ddb_map_to_json(&w, m);
    (void)gy_ddb_map_size(m);
    gy_buf_fini(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct gy_arena *a = gy_arena_create(1 << 14);
    const struct gy_json *j = NULL;
    const char *why = NULL;
    struct gy_ddb_map m, d;

    /* Raw bytes as a stored item. */
    if (gy_ddb_map_decode(a, data, size, &d) == 0)
        write_json(&d);

    if (gy_json_parse(a, (const char *)data, size, &j, &why) == 0) {
        struct gy_error err = { 0 };
        if (gy_ddb_map_from_json(a, j, &m, &err) == 0) {
            struct gy_buf enc, enc2;
            gy_buf_init(&enc, (size_t)1 << 24);
            gy_buf_init(&enc2, (size_t)1 << 24);
            if (gy_ddb_map_encode(&m, &enc) == 0) {
                if (gy_ddb_map_decode(a, enc.p, enc.len, &d) != 0)
                    abort();
                if (!gy_ddb_map_eq(&m, &d))
                    abort();
                if (gy_ddb_map_size(&m) != gy_ddb_map_size(&d))
                    abort();
                if (gy_ddb_map_encode(&d, &enc2) != 0 || enc2.len != enc.len ||
                    memcmp(enc.p, enc2.p, enc.len) != 0)
                    abort();
                write_json(&d);
            }
            gy_buf_fini(&enc2);
            gy_buf_fini(&enc);
        } else if (err.code == GY_AWS_OK || !err.message) {
            abort(); /* an error must always carry an AWS error and message */
        }
        /* A single value too. */
        struct gy_ddb_value v;
        struct gy_error err2 = { 0 };
        if (gy_ddb_value_from_json(a, j, &v, &err2) == 0) {
            struct gy_buf out;
            struct gy_jw w;
            gy_buf_init(&out, (size_t)1 << 24);
            gy_jw_init(&w, &out);
            gy_ddb_value_to_json(&w, &v);
            gy_buf_fini(&out);
        }
    }
    gy_arena_destroy(a);
    return 0;
}

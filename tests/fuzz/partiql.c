/*
 * tests/fuzz/partiql.c — libFuzzer harness for the PartiQL parser and planner
 * (src/dynamodb/partiql).
 *
 * The first byte picks the mode (single statement, batch, transaction) and the table shape;
 * the rest (at most 8192 bytes, the statement limit) is the statement. Whatever parses is
 * planned against a fixed table with parameters of every type, and every planned body must be
 * valid JSON. Must never crash, leak, recurse without bound or trip a sanitizer.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/arena.h"
#include "core/json.h"
#include "dynamodb/partiql/partiql.h"
#include "dynamodb/table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char params_json[] =
    "[{\"S\":\"a\"},{\"N\":\"1\"},{\"B\":\"AAE=\"},{\"BOOL\":true},{\"NULL\":true},"
    "{\"SS\":[\"x\"]},{\"NS\":[\"2\"]},{\"L\":[{\"S\":\"y\"}]},{\"M\":{\"PK\":{\"S\":\"k\"}}},"
    "{\"S\":\"b\"},{\"N\":\"3\"},{\"S\":\"c\"}]";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct gy_ddb_table composite = { .name = "T", .hash = { "PK", GY_DDB_S },
                                             .range = { "SK", GY_DDB_N } };
    static struct gy_ddb_table simple = { .name = "T", .hash = { "PK", GY_DDB_S } };
    if (size < 1 || size > GY_PQL_MAX_STATEMENT + 1)
        return 0;
    struct gy_arena *a = gy_arena_create(4096);
    struct gy_error err = { 0 };
    const struct gy_pql_stmt *s = NULL;
    struct gy_str text = { (const char *)data + 1, size - 1 };
    const struct gy_json *all = NULL;
    const char *why = NULL;

    if (gy_json_parse(a, params_json, sizeof(params_json) - 1, &all, &why))
        __builtin_trap();
    if (gy_pql_parse(a, text, &s, &err) == 0) {
        /* Parameters: exactly as many as the statement has, cycling through the types. */
        struct gy_buf pb;
        gy_buf_init(&pb, 1u << 20);
        gy_buf_putc(&pb, '[');
        for (uint32_t i = 0; i < s->nparams && !pb.oom; i++) {
            const struct gy_json *p = gy_json_child(all);
            for (uint32_t k = 0; k < (i + data[0]) % 12; k++)
                p = gy_json_next(p);
            if (i)
                gy_buf_putc(&pb, ',');
            struct gy_str t = gy_pql_json_text(a, p);
            gy_buf_append_str(&pb, t);
        }
        gy_buf_putc(&pb, ']');
        const struct gy_json *params = NULL;
        if (!pb.oom && s->nparams &&
            gy_json_parse(a, pb.p, pb.len, &params, &why))
            __builtin_trap();
        gy_buf_fini(&pb);
        struct gy_pql_plan plan;
        struct gy_pql_opts o = { .limit = 5, .consistent = true, .rcc = "TOTAL" };
        enum gy_pql_mode mode = (enum gy_pql_mode)(data[0] % 3);
        const struct gy_ddb_table *t = (data[0] & 4) ? &simple : &composite;
        memset(&err, 0, sizeof(err));
        if (gy_pql_plan(a, s, t, params, mode, &o, &plan, &err) == 0) {
            const struct gy_json *body = NULL;
            if (gy_json_parse(a, plan.body.p, plan.body.len, &body, &why) ||
                !gy_json_is(body, GY_JSON_OBJECT))
                __builtin_trap();
        } else if (!err.code || !err.message) {
            __builtin_trap();
        }
    } else if (err.code != GY_AWS_VALIDATION || !err.message || s) {
        __builtin_trap();
    }
    gy_arena_destroy(a);
    return 0;
}

/*
 * tests/fuzz/expr.c — libFuzzer harness for the DynamoDB expression language (src/dynamodb/expr).
 *
 * The first byte picks the expression kind (condition, update, projection); the rest is the
 * expression text, parsed with a fixed small set of names and values. Whatever parses is also
 * run: conditions against a fixed item and no item, updates applied to both, projections of
 * the item, then the unused-placeholder check. Must never crash, leak or trip a sanitizer.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/arena.h"
#include "core/json.h"
#include "dynamodb/expr/expr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char names_json[] = "{\"#a\":\"a\",\"#b\":\"b\",\"#l\":\"l\",\"#d\":\"[3]\"}";
static const char values_json[] =
    "{\":s\":{\"S\":\"ab\"},\":n\":{\"N\":\"1.5\"},\":big\":{\"N\":\"9E+125\"},"
    "\":ss\":{\"SS\":[\"a\",\"b\"]},\":ns\":{\"NS\":[\"1\",\"2\"]},\":l\":{\"L\":[{\"S\":\"x\"}]},"
    "\":m\":{\"M\":{\"k\":{\"N\":\"1\"}}},\":t\":{\"S\":\"S\"},\":b\":{\"B\":\"AAE=\"},"
    "\":bool\":{\"BOOL\":true},\":null\":{\"NULL\":true}}";
static const char item_json[] =
    "{\"a\":{\"S\":\"abc\"},\"b\":{\"N\":\"9E+125\"},\"l\":{\"L\":[{\"S\":\"x\"},{\"M\":{\"c\":"
    "{\"SS\":[\"q\"]}}},{\"L\":[{\"N\":\"1\"}]}]},\"m\":{\"M\":{\"k\":{\"N\":\"1\"},\"m\":{\"M\":{}}}},"
    "\"ns\":{\"NS\":[\"1\",\"3\"]},\"bs\":{\"BS\":[\"AA==\"]}}";

static const struct gy_json *parse(struct gy_arena *a, const char *s)
{
    const struct gy_json *j = NULL;
    const char *why = NULL;
    gy_json_parse(a, s, strlen(s), &j, &why);
    return j;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    struct gy_arena *a = gy_arena_create(4096);
    struct gy_expr_ctx *c = NULL;
    struct gy_error err = { 0 };
    struct gy_ddb_map item = { NULL, 0 }, out;
    struct gy_str text = { (const char *)data + 1, size - 1 };
    struct gy_str keys[] = { GY_STR("pk") };

    if (gy_ddb_map_from_json(a, parse(a, item_json), &item, &err) != 0)
        __builtin_trap();
    if (gy_expr_ctx_from_request(a, parse(a, names_json), parse(a, values_json), &c, &err) != 0)
        __builtin_trap();
    switch (data[0] % 3) {
    case 0: {
        const struct gy_expr *e = NULL;
        bool r;
        if (gy_expr_parse_condition(c, text, "ConditionExpression", &e, &err) == 0) {
            gy_expr_eval_condition(e, &item, &r, &err, a);
            gy_expr_eval_condition(e, NULL, &r, &err, a);
        }
        break;
    }
    case 1: {
        const struct gy_expr_update *u = NULL;
        if (gy_expr_parse_update(c, text, keys, 1, &u, &err) == 0) {
            if (gy_expr_update_apply(a, u, &item, &out, &err) == 0)
                gy_expr_update_project(a, u, &out, &out);
            gy_expr_update_apply(a, u, NULL, &out, &err);
            gy_expr_update_project(a, u, &item, &out);
        }
        break;
    }
    default: {
        const struct gy_expr_proj *p = NULL;
        if (gy_expr_parse_projection(c, text, &p, &err) == 0)
            gy_expr_project(a, p, &item, &out);
        break;
    }
    }
    gy_expr_ctx_finish(c, &err);
    gy_arena_destroy(a);
    return 0;
}

/*
 * test_index.c — secondary indexes: index definitions from CreateTable/UpdateTable (DynamoDB's
 * validation messages, catalog round trip), entry keys (exact layout, sparse items, wrong
 * types, order by index key then table key, LMDB's 511-byte limit), projections, and the write
 * units an item change costs an index.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "core/json.h"
#include "core/mem.h"
#include "dynamodb/dynamodb_int.h"
#include "dynamodb/index.h"
#include "dynamodb/table.h"

static struct gy_arena *A;

static int setup(void **state)
{
    A = gy_arena_create(4096);
    return 0;
}

static int teardown(void **state)
{
    gy_arena_destroy(A);
    return 0;
}

static const struct gy_json *J(const char *text)
{
    const struct gy_json *j = NULL;
    const char *why = NULL;
    if (gy_json_parse(A, text, strlen(text), &j, &why))
        fail_msg("bad test JSON (%s): %s", why ? why : "?", text);
    return j;
}

static struct gy_ddb_map ITEM(const char *json)
{
    struct gy_ddb_map m;
    struct gy_error err = { 0 };
    if (gy_ddb_map_from_json(A, J(json), &m, &err))
        fail_msg("bad item: %s", err.message);
    return m;
}

#define ORDERS_DEFS                                                                              \
    "\"AttributeDefinitions\":[{\"AttributeName\":\"c\",\"AttributeType\":\"S\"},"              \
    "{\"AttributeName\":\"o\",\"AttributeType\":\"S\"},{\"AttributeName\":\"st\","              \
    "\"AttributeType\":\"S\"},{\"AttributeName\":\"d\",\"AttributeType\":\"N\"}],"               \
    "\"KeySchema\":[{\"AttributeName\":\"c\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"o\","    \
    "\"KeyType\":\"RANGE\"}],\"BillingMode\":\"PAY_PER_REQUEST\","

#define GSI_ST                                                                                   \
    "{\"IndexName\":\"by-st\",\"KeySchema\":[{\"AttributeName\":\"st\",\"KeyType\":\"HASH\"},"  \
    "{\"AttributeName\":\"d\",\"KeyType\":\"RANGE\"}],\"Projection\":{\"ProjectionType\":"      \
    "\"INCLUDE\",\"NonKeyAttributes\":[\"total\"]}}"

#define LSI_D                                                                                    \
    "{\"IndexName\":\"by-d\",\"KeySchema\":[{\"AttributeName\":\"c\",\"KeyType\":\"HASH\"},"    \
    "{\"AttributeName\":\"d\",\"KeyType\":\"RANGE\"}],\"Projection\":{\"ProjectionType\":"      \
    "\"KEYS_ONLY\"}}"

static struct gy_ddb_table *make_table(const char *body)
{
    struct gy_ddb_table *t = NULL;
    struct gy_error err = { 0 };
    if (gy_ddb_table_from_request(J(body), &t, &err, A))
        fail_msg("table: %s", err.message);
    return t;
}

static const char *create_error(const char *body)
{
    struct gy_ddb_table *t = NULL;
    struct gy_error err = { 0 };
    int rc = gy_ddb_table_from_request(J(body), &t, &err, A);
    if (rc == 0) {
        gy_ddb_table_unref(t);
        return "(accepted)";
    }
    assert_int_equal(rc, GY_EAWS);
    return err.message;
}

static void test_definitions(void **state)
{
    struct gy_ddb_table *t = make_table("{\"TableName\":\"orders\"," ORDERS_DEFS
                                        "\"GlobalSecondaryIndexes\":[" GSI_ST "],"
                                        "\"LocalSecondaryIndexes\":[" LSI_D "]}");
    assert_int_equal(t->nindexes, 2);
    assert_true(t->indexes[0].local);   /* LSIs first */
    assert_string_equal(t->indexes[0].name, "by-d");
    assert_false(t->indexes[1].local);
    assert_int_equal(t->indexes[1].proj, GY_DDB_PROJ_INCLUDE);
    assert_int_equal(t->indexes[1].range.type, GY_DDB_N);
    assert_int_equal(gy_ddb_table_nlsi(t), 1);
    assert_ptr_equal(gy_ddb_index_find(t, GY_STR("by-st")), &t->indexes[1]);
    assert_null(gy_ddb_index_find(t, GY_STR("nope")));
    assert_true(gy_ddb_index_projects(t, &t->indexes[1], GY_STR("total")));
    assert_true(gy_ddb_index_projects(t, &t->indexes[1], GY_STR("o")));
    assert_false(gy_ddb_index_projects(t, &t->indexes[1], GY_STR("note")));
    assert_false(gy_ddb_index_projects(t, &t->indexes[0], GY_STR("total")));

    /* Catalog round trip keeps everything, ids and TTL included. */
    t->indexes[0].id = 7;
    t->indexes[1].id = 9;
    t->indexes[1].backfilling = true;
    t->ttl_attr = gy_strdup("exp");
    struct gy_buf b;
    gy_buf_init(&b, 1 << 20);
    assert_int_equal(gy_ddb_table_encode(t, &b), 0);
    struct gy_ddb_table *u = NULL;
    assert_int_equal(gy_ddb_table_decode(gy_buf_str(&b), &u), 0);
    gy_buf_fini(&b);
    assert_int_equal(u->nindexes, 2);
    assert_int_equal(u->indexes[0].id, 7);
    assert_int_equal(u->indexes[1].id, 9);
    assert_true(u->indexes[1].backfilling);
    assert_int_equal(u->indexes[1].ninclude, 1);
    assert_string_equal(u->indexes[1].include[0], "total");
    assert_string_equal(u->indexes[1].range.name, "d");
    assert_int_equal(u->indexes[1].range.type, GY_DDB_N);
    assert_string_equal(u->ttl_attr, "exp");
    struct gy_ddb_table *c = gy_ddb_table_clone(u);
    assert_string_equal(c->indexes[1].include[0], "total");
    assert_ptr_not_equal(c->indexes[1].include, u->indexes[1].include);
    gy_ddb_table_unref(c);
    gy_ddb_table_unref(u);
    gy_ddb_table_unref(t);
}

static void test_definition_errors(void **state)
{
    assert_string_equal(
        create_error("{\"TableName\":\"orders\"," ORDERS_DEFS "\"GlobalSecondaryIndexes\":[]}"),
        "One or more parameter values were invalid: List of GlobalSecondaryIndexes is empty");
    assert_string_equal(
        create_error("{\"TableName\":\"orders\"," ORDERS_DEFS
                     "\"GlobalSecondaryIndexes\":[" GSI_ST "," GSI_ST "]}"),
        "One or more parameter values were invalid: Duplicate index name: by-st");
    assert_string_equal(
        create_error("{\"TableName\":\"orders\"," ORDERS_DEFS "\"LocalSecondaryIndexes\":["
                     "{\"IndexName\":\"bad\",\"KeySchema\":[{\"AttributeName\":\"st\","
                     "\"KeyType\":\"HASH\"},{\"AttributeName\":\"d\",\"KeyType\":\"RANGE\"}],"
                     "\"Projection\":{\"ProjectionType\":\"ALL\"}}]}"),
        "One or more parameter values were invalid: Index KeySchema does not have the same "
        "leading hash key as table KeySchema for index: bad. index hash key: st, table hash "
        "key: c");
    /* Without the GSI, st is defined but no key schema uses it. */
    assert_string_equal(create_error("{\"TableName\":\"orders\"," ORDERS_DEFS
                                     "\"LocalSecondaryIndexes\":[" LSI_D "]}"),
                        "One or more parameter values were invalid: Some AttributeDefinitions "
                        "are not used. AttributeDefinitions: [c, o, st, d], keys used: [c, o, d]");
    assert_string_equal(
        create_error("{\"TableName\":\"orders\"," ORDERS_DEFS "\"GlobalSecondaryIndexes\":["
                     "{\"IndexName\":\"x-idx\",\"KeySchema\":[{\"AttributeName\":\"zz\","
                     "\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"ALL\"}}]}"),
        "One or more parameter values were invalid: Some index key attributes are not defined in "
        "AttributeDefinitions. Keys: [zz], AttributeDefinitions: [c, o, st, d]");
    assert_string_equal(
        create_error("{\"TableName\":\"orders\"," ORDERS_DEFS "\"GlobalSecondaryIndexes\":["
                     "{\"IndexName\":\"x-idx\",\"KeySchema\":[{\"AttributeName\":\"st\","
                     "\"KeyType\":\"HASH\"},{\"AttributeName\":\"d\",\"KeyType\":\"RANGE\"}],"
                     "\"Projection\":{}}]}"),
        "One or more parameter values were invalid: Unknown ProjectionType: null");
    assert_string_equal(
        create_error("{\"TableName\":\"orders\"," ORDERS_DEFS "\"GlobalSecondaryIndexes\":["
                     "{\"IndexName\":\"x-idx\",\"KeySchema\":[{\"AttributeName\":\"st\","
                     "\"KeyType\":\"HASH\"},{\"AttributeName\":\"d\",\"KeyType\":\"RANGE\"}],"
                     "\"Projection\":{\"ProjectionType\":\"INCLUDE\"}}]}"),
        "One or more parameter values were invalid: ProjectionType is INCLUDE, but "
        "NonKeyAttributes is not specified");
}

static void test_update_create_delete(void **state)
{
    struct gy_ddb_table *t = make_table("{\"TableName\":\"orders\"," ORDERS_DEFS
                                        "\"GlobalSecondaryIndexes\":[" GSI_ST "],"
                                        "\"LocalSecondaryIndexes\":[" LSI_D "]}");
    struct gy_error err = { 0 };
    int rc = gy_ddb_indexes_update(
        J("{\"AttributeDefinitions\":[{\"AttributeName\":\"total\",\"AttributeType\":\"N\"}],"
          "\"GlobalSecondaryIndexUpdates\":[{\"Create\":{\"IndexName\":\"by-total\",\"KeySchema\":"
          "[{\"AttributeName\":\"total\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":"
          "\"ALL\"}}}]}"),
        t, &err, A);
    assert_int_equal(rc, 0);
    assert_int_equal(t->nindexes, 3);
    assert_true(t->indexes[2].backfilling);
    assert_int_equal(t->indexes[2].hash.type, GY_DDB_N);
    assert_int_equal(t->nattrs, 5);
    /* A second online create while one builds is a LimitExceededException. */
    rc = gy_ddb_indexes_update(
        J("{\"GlobalSecondaryIndexUpdates\":[{\"Delete\":{\"IndexName\":\"by-st\"}}]}"), t, &err,
        A);
    assert_int_equal(rc, GY_EAWS);
    assert_int_equal(err.code, GY_AWS_LIMIT_EXCEEDED);
    t->indexes[2].backfilling = false;
    rc = gy_ddb_indexes_update(
        J("{\"GlobalSecondaryIndexUpdates\":[{\"Delete\":{\"IndexName\":\"by-st\"}}]}"), t, &err,
        A);
    assert_int_equal(rc, 0);
    assert_int_equal(t->nindexes, 2);
    assert_null(gy_ddb_index_find(t, GY_STR("by-st")));
    /* st is no longer a key of anything: its definition goes. */
    assert_int_equal(t->nattrs, 4);
    for (uint32_t i = 0; i < t->nattrs; i++)
        assert_string_not_equal(t->attrs[i].name, "st");
    err = (struct gy_error){ 0 };
    rc = gy_ddb_indexes_update(
        J("{\"GlobalSecondaryIndexUpdates\":[{\"Delete\":{\"IndexName\":\"by-d\"}}]}"), t, &err,
        A);
    assert_int_equal(rc, GY_EAWS); /* LSIs cannot be deleted */
    assert_int_equal(err.code, GY_AWS_RESOURCE_NOT_FOUND);
    assert_string_equal(err.message, "Requested resource not found: Index: by-d not found");
    gy_ddb_table_unref(t);
}

static struct gy_str key_of(const struct gy_ddb_table *t, const struct gy_ddb_index *ix,
                            const char *json, int want_rc)
{
    struct gy_buf b;
    gy_buf_init(&b, 1024);
    struct gy_ddb_map m = ITEM(json);
    assert_int_equal(gy_ddb__index_key(&b, t, ix, &m), want_rc);
    struct gy_str k = gy_arena_strdup(A, gy_buf_str(&b));
    gy_buf_fini(&b);
    return k;
}

static void test_entry_keys(void **state)
{
    struct gy_ddb_table *t = make_table("{\"TableName\":\"orders\"," ORDERS_DEFS
                                        "\"GlobalSecondaryIndexes\":[" GSI_ST "],"
                                        "\"LocalSecondaryIndexes\":[" LSI_D "]}");
    struct gy_ddb_index *gsi = &t->indexes[1];
    gsi->id = 0x01020304;

    /* Sparse: no st, or no d. Wrong type or empty string: unusable. */
    key_of(t, gsi, "{\"c\":{\"S\":\"a\"},\"o\":{\"S\":\"1\"},\"d\":{\"N\":\"5\"}}", GY_ENOTFOUND);
    key_of(t, gsi, "{\"c\":{\"S\":\"a\"},\"o\":{\"S\":\"1\"},\"st\":{\"S\":\"x\"}}", GY_ENOTFOUND);
    key_of(t, gsi, "{\"c\":{\"S\":\"a\"},\"o\":{\"S\":\"1\"},\"st\":{\"N\":\"1\"},\"d\":{\"N\":\"5\"}}",
           GY_EINVAL);
    key_of(t, gsi, "{\"c\":{\"S\":\"a\"},\"o\":{\"S\":\"1\"},\"st\":{\"S\":\"\"},\"d\":{\"N\":\"5\"}}",
           GY_EINVAL);

    /* Exact layout: id || hash64(st) || enc(st) || enc(d) || 0x01 enc(c) enc(o). */
    struct gy_str k = key_of(t, gsi,
                             "{\"c\":{\"S\":\"a\"},\"o\":{\"S\":\"1\"},\"st\":{\"S\":\"x\"},"
                             "\"d\":{\"N\":\"5\"}}", 0);
    struct gy_buf want;
    gy_buf_init(&want, 1024);
    struct gy_ddb_value st = { .type = GY_DDB_S, .u.s = GY_STR("x") };
    struct gy_ddb_value d = { .type = GY_DDB_N, .u.s = GY_STR("5") };
    struct gy_ddb_value c = { .type = GY_DDB_S, .u.s = GY_STR("a") };
    struct gy_ddb_value o = { .type = GY_DDB_S, .u.s = GY_STR("1") };
    gy_buf_append(&want, "\x01\x02\x03\x04", 4);
    uint64_t h = gy_ddb_key_hash(&st);
    for (int i = 0; i < 8; i++)
        gy_buf_putc(&want, (char)(h >> (56 - 8 * i)));
    gy_ddb_key_encode_part(&want, &st);
    gy_ddb_key_encode_part(&want, &d);
    gy_buf_putc(&want, 0x01);
    gy_ddb_key_encode_part(&want, &c);
    gy_ddb_key_encode_part(&want, &o);
    assert_int_equal(k.len, want.len);
    assert_memory_equal(k.p, want.p, want.len);
    gy_buf_fini(&want);

    /* The partition prefix is what every entry of the partition starts with. */
    struct gy_buf pre;
    gy_buf_init(&pre, 1024);
    assert_int_equal(gy_ddb__index_partition_prefix(&pre, gsi, &st), 0);
    assert_true(gy_str_startswith(k, gy_buf_str(&pre)));
    gy_buf_fini(&pre);

    /* Order: by index sort key numerically, then by table key for equal index keys. */
    struct gy_str k9 = key_of(t, gsi, "{\"c\":{\"S\":\"a\"},\"o\":{\"S\":\"1\"},\"st\":{\"S\":\"x\"},"
                                      "\"d\":{\"N\":\"10\"}}", 0);
    struct gy_str kb = key_of(t, gsi, "{\"c\":{\"S\":\"b\"},\"o\":{\"S\":\"0\"},\"st\":{\"S\":\"x\"},"
                                      "\"d\":{\"N\":\"5\"}}", 0);
    assert_true(gy_str_cmp(k, k9) < 0);
    assert_true(gy_str_cmp(k, kb) < 0);
    assert_true(gy_str_cmp(kb, k9) < 0);

    /* Long keys stay within LMDB's 511 bytes (digest tail), and stay distinct. */
    char big[1100];
    memset(big, 'z', 1000);
    big[1000] = 0;
    char json[4096];
    snprintf(json, sizeof(json),
             "{\"c\":{\"S\":\"%s1\"},\"o\":{\"S\":\"%s\"},\"st\":{\"S\":\"%s\"},\"d\":{\"N\":\"5\"}}",
             big, big, big);
    struct gy_str l1 = key_of(t, gsi, json, 0);
    snprintf(json, sizeof(json),
             "{\"c\":{\"S\":\"%s2\"},\"o\":{\"S\":\"%s\"},\"st\":{\"S\":\"%s\"},\"d\":{\"N\":\"5\"}}",
             big, big, big);
    struct gy_str l2 = key_of(t, gsi, json, 0);
    assert_true(l1.len <= 511 && l2.len <= 511);
    assert_false(gy_str_eq(l1, l2));
    assert_int_equal((unsigned char)l1.p[l1.len - 17], 0x02);

    /* Every key size DynamoDB allows, with U+0000 throughout (each escapes to two bytes, so the
     * full encodings are about twice LMDB's limit before shortening): usable, within 511. */
    struct gy_buf huge;
    gy_buf_init(&huge, 64 * 1024);
    gy_buf_puts(&huge, "{\"c\":{\"S\":\"");
    for (int i = 0; i < 2048; i++)
        gy_buf_puts(&huge, "\\u0000");
    gy_buf_puts(&huge, "\"},\"o\":{\"S\":\"");
    for (int i = 0; i < 1024; i++)
        gy_buf_puts(&huge, "\\u0000");
    gy_buf_puts(&huge, "\"},\"st\":{\"S\":\"");
    for (int i = 0; i < 2048; i++)
        gy_buf_puts(&huge, "\\u0000");
    gy_buf_puts(&huge, "\"},\"d\":{\"N\":\"-1.2345678901234567890123456789012345678E-120\"}}");
    struct gy_str hg = key_of(t, gsi, huge.p, 0);
    struct gy_str hl = key_of(t, &t->indexes[0], huge.p, 0);
    assert_true(hg.len <= 511 && hl.len <= 511);
    gy_buf_fini(&huge);
    gy_ddb_table_unref(t);
}

static void test_projection_and_units(void **state)
{
    struct gy_ddb_table *t = make_table("{\"TableName\":\"orders\"," ORDERS_DEFS
                                        "\"GlobalSecondaryIndexes\":[" GSI_ST "],"
                                        "\"LocalSecondaryIndexes\":[" LSI_D "]}");
    const struct gy_ddb_index *lsi = &t->indexes[0], *gsi = &t->indexes[1];
    struct gy_ddb_map a = ITEM("{\"c\":{\"S\":\"a\"},\"o\":{\"S\":\"1\"},\"st\":{\"S\":\"x\"},"
                               "\"d\":{\"N\":\"5\"},\"total\":{\"N\":\"3\"},\"note\":{\"S\":\"n\"}}");
    struct gy_ddb_map p;
    gy_ddb__index_project(A, t, gsi, &a, &p);
    assert_int_equal(p.n, 5); /* c d o st total */
    assert_null(gy_ddb_map_get(&p, GY_STR("note")));
    assert_non_null(gy_ddb_map_get(&p, GY_STR("total")));
    gy_ddb__index_project(A, t, lsi, &a, &p);
    assert_int_equal(p.n, 3); /* c d o */

    struct gy_ddb_map note2 = gy_ddb_map_with(A, &a, GY_STR("note"), &(struct gy_ddb_value){
        .type = GY_DDB_S, .u.s = GY_STR("changed") });
    struct gy_ddb_map total2 = gy_ddb_map_with(A, &a, GY_STR("total"), &(struct gy_ddb_value){
        .type = GY_DDB_N, .u.s = GY_STR("4") });
    struct gy_ddb_map st2 = gy_ddb_map_with(A, &a, GY_STR("st"), &(struct gy_ddb_value){
        .type = GY_DDB_S, .u.s = GY_STR("y") });
    struct gy_ddb_map nost = gy_ddb_map_without(A, &a, GY_STR("st"));
    /* Unprojected change: no index write. Projected change: one. Key change: two. */
    assert_true(gy_ddb__index_write_units(t, gsi, &a, &note2) == 0);
    assert_true(gy_ddb__index_write_units(t, gsi, &a, &total2) == 1);
    assert_true(gy_ddb__index_write_units(t, gsi, &a, &st2) == 2);
    assert_true(gy_ddb__index_write_units(t, gsi, NULL, &a) == 1);
    assert_true(gy_ddb__index_write_units(t, gsi, &a, NULL) == 1);
    assert_true(gy_ddb__index_write_units(t, gsi, &a, &nost) == 1);
    assert_true(gy_ddb__index_write_units(t, gsi, &nost, &note2) == 1);
    assert_true(gy_ddb__index_write_units(t, lsi, &a, &total2) == 0);
    gy_ddb_table_unref(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_definitions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_definition_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_create_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_entry_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_projection_and_units, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_replica.c — last-writer-wins on a real store: newer versions win, older ones lose, ties
 * break by region name, a delete's tombstone stops an older update from resurrecting the item,
 * and a re-seed sweep removes items their origin no longer has.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "core/json.h"
#include "dynamodb/catalog.h"
#include "dynamodb/dynamodb.h"
#include "dynamodb/replica.h"
#include "dynamodb/table.h"
#include "store/store.h"

static char dir[64];
static struct gy_store *store;
static struct gy_ddb *ddb;
static struct gy_ddb_table *table;

static int create_apply(struct gy_store_txn *txn, void *arg)
{
    return gy_ddb_catalog_create(ddb->catalog, txn, arg);
}

static int setup(void **state)
{
    struct gy_arena *a = gy_arena_create(4096);
    const struct gy_json *j;
    const char *why;
    struct gy_error err = { 0 };
    static const char body[] =
        "{\"TableName\":\"lww\",\"AttributeDefinitions\":[{\"AttributeName\":\"PK\","
        "\"AttributeType\":\"S\"}],\"KeySchema\":[{\"AttributeName\":\"PK\",\"KeyType\":\"HASH\"}],"
        "\"BillingMode\":\"PAY_PER_REQUEST\"}";

    snprintf(dir, sizeof(dir), "/tmp/gyre-test-replica-XXXXXX");
    if (!mkdtemp(dir) || gy_store_open(dir, 1 << 26, &store) ||
        gy_ddb_open(store, "us-east-1", "000000000000", &ddb))
        return -1;
    if (gy_json_parse(a, body, sizeof(body) - 1, &j, &why) ||
        gy_ddb_table_from_request(j, &table, &err, a))
        return -1;
    table->arn = strdup("arn:aws:dynamodb:us-east-1:000000000000:table/lww");
    table->nreplicas = 2;
    snprintf(table->replicas[0].region, sizeof(table->replicas[0].region), "us-east-1");
    snprintf(table->replicas[1].region, sizeof(table->replicas[1].region), "eu-west-1");
    gy_ddb_table_ref(table); /* one for the catalog, one kept here */
    int rc = gy_store_run(store, create_apply, table);
    gy_arena_destroy(a);
    return rc;
}

static int teardown(void **state)
{
    char cmd[128];
    gy_ddb_stop(ddb);
    gy_store_close(store);
    gy_ddb_close(ddb);
    gy_ddb_table_unref(table);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* One replicated change, applied in its own job. */
struct change {
    const char *pk;
    const char *v;       /* NULL: a delete */
    uint64_t stamp;
    const char *origin;
    bool applied;
    struct gy_arena *a;
};

static int change_apply(struct gy_store_txn *txn, void *arg)
{
    struct change *c = arg;
    struct gy_ddb_attr ka = { GY_STR("PK"), { .type = GY_DDB_S } };
    ka.value.u.s = gy_str_c(c->pk);
    struct gy_ddb_map keys = { &ka, 1 };
    struct gy_ddb_attr ia[2] = { ka, { GY_STR("v"), { .type = GY_DDB_S } } };
    ia[1].value.u.s = gy_str_c(c->v ? c->v : "");
    struct gy_ddb_map item = { ia, 2 };
    return gy_ddb_replica_apply(txn, ddb, table, c->a, &keys, c->v ? &item : NULL, c->stamp,
                                gy_str_c(c->origin), false, &c->applied);
}

static bool apply(const char *pk, const char *v, uint64_t stamp, const char *origin)
{
    struct change c = { pk, v, stamp, origin, false, gy_arena_create(4096) };
    int rc = gy_store_run(store, change_apply, &c);
    gy_arena_destroy(c.a);
    assert_int_equal(rc, 0);
    return c.applied;
}

/* The current value of v for pk, or NULL when the item does not exist. */
static char *value_of(const char *pk)
{
    static char out[64];
    struct gy_store_txn *txn;
    struct gy_store_cursor *cur;
    struct gy_str k, v;
    char *res = NULL;
    struct gy_arena *a = gy_arena_create(4096);
    assert_int_equal(gy_store_read_begin(store, &txn), 0);
    assert_int_equal(gy_store_cursor_open(txn, GY_DB_ITEMS, &cur), 0);
    for (int rc = gy_store_cursor_seek(cur, GY_STR_NULL, &k, &v); rc == 0;
         rc = gy_store_cursor_next(cur, &k, &v)) {
        struct gy_ddb_map m;
        assert_int_equal(gy_ddb_map_decode(a, v.p, v.len, &m), 0);
        const struct gy_ddb_value *p = gy_ddb_map_get(&m, GY_STR("PK"));
        if (p && gy_str_eqc(p->u.s, pk)) {
            const struct gy_ddb_value *x = gy_ddb_map_get(&m, GY_STR("v"));
            snprintf(out, sizeof(out), "%.*s", x ? (int)x->u.s.len : 0, x ? x->u.s.p : "");
            res = out;
        }
    }
    gy_store_read_end(txn);
    gy_arena_destroy(a);
    return res;
}

static void test_newer_wins_older_loses(void **state)
{
    assert_true(apply("a", "first", 100, "eu-west-1"));
    assert_string_equal(value_of("a"), "first");
    assert_true(apply("a", "second", 200, "us-east-1"));
    assert_string_equal(value_of("a"), "second");
    assert_false(apply("a", "stale", 150, "eu-west-1")); /* older: ignored */
    assert_string_equal(value_of("a"), "second");
    assert_false(apply("a", "again", 200, "us-east-1")); /* the same version again: idempotent */
}

static void test_tie_breaks_by_region(void **state)
{
    assert_true(apply("t", "from-eu", 500, "eu-west-1"));
    assert_true(apply("t", "from-us", 500, "us-east-1")); /* "us-east-1" > "eu-west-1" */
    assert_false(apply("t", "from-eu-again", 500, "eu-west-1"));
    assert_string_equal(value_of("t"), "from-us");
    assert_true(gy_ddb_lww_newer(5, GY_STR("b"), 5, GY_STR("a")));
    assert_false(gy_ddb_lww_newer(5, GY_STR("a"), 5, GY_STR("a")));
    assert_true(gy_ddb_lww_newer(6, GY_STR("a"), 5, GY_STR("z")));
}

static void test_tombstone_stops_resurrection(void **state)
{
    assert_true(apply("d", "alive", 100, "us-east-1"));
    assert_true(apply("d", NULL, 300, "eu-west-1"));      /* delete */
    assert_null(value_of("d"));
    assert_false(apply("d", "late-update", 200, "us-east-1")); /* older than the delete */
    assert_null(value_of("d"));
    assert_true(apply("d", "newer", 400, "us-east-1"));   /* newer than the delete */
    assert_string_equal(value_of("d"), "newer");
    /* A delete of an item this replica never saw still records its version. */
    assert_true(apply("never", NULL, 1000, "eu-west-1"));
    assert_false(apply("never", "old", 900, "us-east-1"));
    assert_null(value_of("never"));
}

struct sweep {
    uint64_t stamp;
    struct gy_str keep;
    size_t removed;
    struct gy_arena *a;
};

static int sweep_apply(struct gy_store_txn *txn, void *arg)
{
    struct sweep *s = arg;
    return gy_ddb_replica_sweep(txn, ddb, table, s->a, GY_STR_NULL, GY_STR_NULL, s->stamp,
                                GY_STR("eu-west-1"), &s->keep, 1, &s->removed);
}

static void test_sweep_removes_what_the_origin_lost(void **state)
{
    assert_true(apply("s1", "keep-me", 100, "eu-west-1"));
    assert_true(apply("s2", "gone-at-origin", 100, "eu-west-1"));
    assert_true(apply("s3", "other-origin", 100, "us-east-1"));
    assert_true(apply("s4", "too-new", 900, "eu-west-1"));
    struct sweep s = { 500, GY_STR_NULL, 0, gy_arena_create(4096) };
    /* The origin's snapshot carried s1 only. */
    struct gy_ddb_attr ka = { GY_STR("PK"), { .type = GY_DDB_S } };
    ka.value.u.s = GY_STR("s1");
    struct gy_ddb_map keys = { &ka, 1 };
    assert_int_equal(gy_ddb_replica_key(s.a, table, &keys, &s.keep), 0);
    assert_int_equal(gy_store_run(store, sweep_apply, &s), 0);
    gy_arena_destroy(s.a);
    assert_string_equal(value_of("s1"), "keep-me");
    assert_null(value_of("s2"));                          /* from eu-west-1, older, absent */
    assert_string_equal(value_of("s3"), "other-origin"); /* another origin: not ours to judge */
    assert_string_equal(value_of("s4"), "too-new");      /* newer than the snapshot */
    /* Earlier tests' items from eu-west-1 that the snapshot lacked went too. */
    assert_true(s.removed >= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_newer_wins_older_loses),
        cmocka_unit_test(test_tie_breaks_by_region),
        cmocka_unit_test(test_tombstone_stops_resurrection),
        cmocka_unit_test(test_sweep_removes_what_the_origin_lost),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

/*
 * test_meta.c — Kinesis's storage layer (src/kinesis/meta.c) on a real store: stream records
 * round-trip, the open-shard index finds the shard for a hash across a split, records
 * round-trip in position order, trimming deletes exactly the expired records of every shard
 * (and only those), tags, and the purge of a deleted stream leaves no key of it behind while
 * another stream's keys stay.
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
#include "kinesis/kinesis_int.h"

static char dir[64];
static struct gy_store *store;

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/gyre-kin-unit-XXXXXX");
    assert_non_null(mkdtemp(dir));
    assert_int_equal(gy_store_open(dir, 1 << 26, &store), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    gy_store_close(store);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    return 0;
}

/* Stream 1 "orders" with shards 0 [0, 2^127-1] and 1 [2^127, max]; records at times 100..109
 * (shard 0) and 100..104 (shard 1); stream 2 "audit" with one shard and three records. */
static int populate(struct gy_store_txn *txn, void *arg)
{
    (void)arg;
    struct gy_kin_stream st = {0};
    int rc;
    snprintf(st.name, sizeof(st.name), "orders");
    st.id = 1;
    st.retention_h = 24;
    st.status = GY_KIN_ACTIVE;
    st.next_shard = 2;
    st.open_shards = 2;
    snprintf(st.key_id, sizeof(st.key_id), "alias/k");
    st.enc = GY_KIN_ENC_KMS;
    if ((rc = gy_kin__stream_put(txn, &st)))
        return rc;
    for (uint32_t i = 0; i < 2; i++) {
        struct gy_kin_shard sh = {.idx = i, .parent = -1, .adjacent = -1, .next_pos = 1};
        gy_kin__hash_split(2, i, &sh.start, &sh.end);
        if ((rc = gy_kin__shard_put(txn, 1, &sh)))
            return rc;
    }
    for (uint32_t s = 0; s < 2; s++)
        for (uint64_t p = 1; p <= (s ? 5u : 10u); p++) {
            struct gy_kin_record r = {.position = p, .arrival_ms = 99 + (int64_t)p,
                                      .partition_key = GY_STR("pk"), .data = GY_STR("data")};
            if ((rc = gy_kin__record_put(txn, 1, s, &r)))
                return rc;
        }
    struct gy_kin_stream au = {0};
    snprintf(au.name, sizeof(au.name), "audit");
    au.id = 2;
    au.retention_h = 24;
    if ((rc = gy_kin__stream_put(txn, &au)))
        return rc;
    struct gy_kin_shard one = {.idx = 0, .parent = -1, .adjacent = -1, .next_pos = 4,
                               .end = ~(unsigned __int128)0};
    if ((rc = gy_kin__shard_put(txn, 2, &one)))
        return rc;
    for (uint64_t p = 1; p <= 3; p++) {
        struct gy_kin_record r = {.position = p, .arrival_ms = 1, .partition_key = GY_STR("a"),
                                  .data = GY_STR("")};
        if ((rc = gy_kin__record_put(txn, 2, 0, &r)))
            return rc;
    }
    rc = gy_kin__tag_put(txn, 1, GY_STR("env"), GY_STR("test"));
    return rc ? rc : gy_kin__tag_put(txn, 2, GY_STR("team"), GY_STR("x"));
}

/* Positions of a shard's records, in order, into out (returns how many). */
static size_t positions(uint32_t id, uint32_t shard, uint64_t *out, size_t max)
{
    struct gy_store_txn *txn;
    struct gy_store_cursor *c;
    struct gy_str k, v;
    unsigned char from[17];
    struct gy_kin_record r;
    size_t n = 0;
    assert_int_equal(gy_store_read_begin(store, &txn), 0);
    assert_int_equal(gy_store_cursor_open(txn, GY_DB_KINESIS, &c), 0);
    gy_kin__record_key(id, shard, 0, from);
    for (int rc = gy_store_cursor_seek(c, (struct gy_str){(const char *)from, 17}, &k, &v);
         rc == 0 && gy_kin__record_decode(k, v, id, shard, &r) == 0 && n < max;
         rc = gy_store_cursor_next(c, &k, &v))
        out[n++] = r.position;
    gy_store_read_end(txn);
    return n;
}

static void test_streams_and_shards(void **state)
{
    (void)state;
    struct gy_store_txn *txn;
    struct gy_kin_stream st;
    uint32_t idx;
    assert_int_equal(gy_store_run(store, populate, NULL), 0);
    assert_int_equal(gy_store_read_begin(store, &txn), 0);
    assert_int_equal(gy_kin__stream_get(txn, GY_STR("orders"), &st), 0);
    assert_int_equal(st.id, 1);
    assert_string_equal(st.key_id, "alias/k");
    assert_int_equal(st.enc, GY_KIN_ENC_KMS);
    assert_int_equal(gy_kin__stream_get(txn, GY_STR("order"), &st), GY_ENOTFOUND);
    assert_int_equal(gy_kin__shard_for_hash(txn, 1, 0, &idx), 0);
    assert_int_equal(idx, 0);
    assert_int_equal(gy_kin__shard_for_hash(txn, 1, (unsigned __int128)1 << 127, &idx), 0);
    assert_int_equal(idx, 1);
    assert_int_equal(gy_kin__shard_for_hash(txn, 1, ~(unsigned __int128)0, &idx), 0);
    assert_int_equal(idx, 1);
    struct gy_arena *a = gy_arena_create(1024);
    struct gy_kin_stream *all;
    size_t n;
    bool more;
    assert_int_equal(gy_kin__streams(txn, a, GY_STR_NULL, 10, false, &all, &n, &more), 0);
    assert_int_equal(n, 2);
    assert_string_equal(all[0].name, "audit"); /* name order */
    assert_int_equal(gy_kin__streams(txn, a, GY_STR("audit"), 10, false, &all, &n, &more), 0);
    assert_int_equal(n, 1);
    assert_string_equal(all[0].name, "orders");
    assert_int_equal(gy_kin__tag_count(txn, 1), 1);
    gy_arena_destroy(a);
    gy_store_read_end(txn);
}

static int split_shard0(struct gy_store_txn *txn, void *arg)
{
    (void)arg;
    struct gy_kin_shard p;
    int rc = gy_kin__shard_get(txn, 1, 0, &p);
    if (rc)
        return rc;
    unsigned __int128 mid = ((unsigned __int128)1 << 126);
    p.closed = true;
    struct gy_kin_shard a = {.idx = 2, .parent = 0, .adjacent = -1, .start = 0, .end = mid - 1,
                             .next_pos = 1};
    struct gy_kin_shard b = {.idx = 3, .parent = 0, .adjacent = -1, .start = mid, .end = p.end,
                             .next_pos = 1};
    if ((rc = gy_kin__shard_put(txn, 1, &p)) || (rc = gy_kin__shard_put(txn, 1, &a)))
        return rc;
    return gy_kin__shard_put(txn, 1, &b);
}

static void test_open_index_after_split(void **state)
{
    (void)state;
    struct gy_store_txn *txn;
    uint32_t idx;
    assert_int_equal(gy_store_run(store, populate, NULL), 0);
    assert_int_equal(gy_store_run(store, split_shard0, NULL), 0);
    assert_int_equal(gy_store_read_begin(store, &txn), 0);
    assert_int_equal(gy_kin__shard_for_hash(txn, 1, 5, &idx), 0);
    assert_int_equal(idx, 2);
    assert_int_equal(gy_kin__shard_for_hash(txn, 1, (unsigned __int128)1 << 126, &idx), 0);
    assert_int_equal(idx, 3);
    assert_int_equal(gy_kin__shard_for_hash(txn, 1, ((unsigned __int128)1 << 127) - 1, &idx), 0);
    assert_int_equal(idx, 3); /* the closed parent's end now belongs to child 3 */
    assert_int_equal(gy_kin__shard_for_hash(txn, 1, (unsigned __int128)1 << 127, &idx), 0);
    assert_int_equal(idx, 1);
    gy_store_read_end(txn);
}

struct trim_arg {
    int64_t horizon;
    bool more;
};

static int trim_all(struct gy_store_txn *txn, void *arg)
{
    struct trim_arg *t = arg;
    return gy_kin__stream_trim(txn, 1, t->horizon, 1000, &t->more);
}

static int trim_budget(struct gy_store_txn *txn, void *arg)
{
    struct trim_arg *t = arg;
    return gy_kin__stream_trim(txn, 1, t->horizon, 2, &t->more);
}

static void test_trim(void **state)
{
    (void)state;
    uint64_t pos[16];
    assert_int_equal(gy_store_run(store, populate, NULL), 0);
    /* Budget of 2: shard 0's two oldest go, and the job says there is more. */
    struct trim_arg t = {.horizon = 103};
    assert_int_equal(gy_store_run(store, trim_budget, &t), 0);
    assert_true(t.more);
    assert_int_equal(positions(1, 0, pos, 16), 8);
    assert_int_equal(pos[0], 3);
    /* Then everything that arrived before 103 in both shards, and nothing else. */
    assert_int_equal(gy_store_run(store, trim_all, &t), 0);
    assert_false(t.more);
    assert_int_equal(positions(1, 0, pos, 16), 7);
    assert_int_equal(pos[0], 4);
    assert_int_equal(pos[6], 10);
    assert_int_equal(positions(1, 1, pos, 16), 2);
    assert_int_equal(pos[0], 4);
    assert_int_equal(pos[1], 5);
    assert_int_equal(positions(2, 0, pos, 16), 3); /* another stream is untouched */
}

struct purge_arg {
    bool more;
    int rounds;
};

static int purge(struct gy_store_txn *txn, void *arg)
{
    struct purge_arg *p = arg;
    p->rounds++;
    return gy_kin__purge(txn, 1, 4, &p->more);
}

static void test_purge(void **state)
{
    (void)state;
    uint64_t pos[16];
    struct purge_arg p = {0};
    struct gy_store_txn *txn;
    uint32_t idx;
    assert_int_equal(gy_store_run(store, populate, NULL), 0);
    do
        assert_int_equal(gy_store_run(store, purge, &p), 0);
    while (p.more && p.rounds < 100);
    assert_false(p.more);
    assert_true(p.rounds > 1);
    assert_int_equal(positions(1, 0, pos, 16), 0);
    assert_int_equal(positions(1, 1, pos, 16), 0);
    assert_int_equal(positions(2, 0, pos, 16), 3);
    assert_int_equal(gy_store_read_begin(store, &txn), 0);
    assert_int_equal(gy_kin__shard_for_hash(txn, 1, 0, &idx), GY_ENOTFOUND);
    assert_int_equal(gy_kin__tag_count(txn, 1), 0);
    assert_int_equal(gy_kin__tag_count(txn, 2), 1);
    assert_int_equal(gy_kin__shard_for_hash(txn, 2, 0, &idx), 0);
    gy_store_read_end(txn);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_streams_and_shards, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_index_after_split, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trim, setup, teardown),
        cmocka_unit_test_setup_teardown(test_purge, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

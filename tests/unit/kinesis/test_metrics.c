/*
 * test_metrics.c — Kinesis's in-memory counters (src/kinesis/metrics.c) as the CloudWatch
 * publisher reads them: stream and shard rows, sums, the iterator-age maximum reset by each
 * snapshot, enhanced-monitoring bits, forgetting a deleted stream, and names and units.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kinesis/kinesis_int.h"

struct seen {
    int rows;
    uint64_t stream_in, shard3_in, shard0_in, age_stream, age_shard3;
    uint32_t enhanced;
    bool other_stream;
};

static void collect(void *arg, const struct gy_kin_metric_row *row)
{
    struct seen *s = arg;
    s->rows++;
    if (strcmp(row->stream, "orders") != 0) {
        s->other_stream = true;
        return;
    }
    s->enhanced = row->enhanced;
    if (!row->shard) {
        s->stream_in = row->v[GY_KIN_C_INCOMING_RECORDS];
        s->age_stream = row->v[GY_KIN_C_ITERATOR_AGE_MS];
    } else if (strcmp(row->shard, "shardId-000000000003") == 0) {
        s->shard3_in = row->v[GY_KIN_C_INCOMING_RECORDS];
        s->age_shard3 = row->v[GY_KIN_C_ITERATOR_AGE_MS];
    } else if (strcmp(row->shard, "shardId-000000000000") == 0) {
        s->shard0_in = row->v[GY_KIN_C_INCOMING_RECORDS];
    }
}

static void test_counters_and_snapshot(void **state)
{
    (void)state;
    struct gy_kin k;
    struct seen s;
    memset(&k, 0, sizeof(k));
    k.metrics = gy_kin__metrics_create();

    gy_kin__metric_add(&k, "orders", 3, GY_KIN_C_INCOMING_RECORDS, 5);
    gy_kin__metric_add(&k, "orders", 0, GY_KIN_C_INCOMING_RECORDS, 2);
    gy_kin__metric_add(&k, "orders", -1, GY_KIN_C_PUT_RECORDS_SUCCESS, 1);
    gy_kin__metric_max(&k, "orders", 3, GY_KIN_C_ITERATOR_AGE_MS, 40);
    gy_kin__metric_max(&k, "orders", 3, GY_KIN_C_ITERATOR_AGE_MS, 25);
    gy_kin__metrics_enhanced(&k, "orders", 1u << GY_KIN_M_INCOMING_BYTES);
    gy_kin__metric_add(&k, "audit", 0, GY_KIN_C_INCOMING_BYTES, 100);

    memset(&s, 0, sizeof(s));
    gy_kin_metrics_snapshot(&k, collect, &s);
    assert_int_equal(s.rows, 5); /* orders, its shards 0 and 3; audit, its shard 0 */
    assert_int_equal(s.stream_in, 7);
    assert_int_equal(s.shard3_in, 5);
    assert_int_equal(s.shard0_in, 2);
    assert_int_equal(s.age_stream, 40);
    assert_int_equal(s.age_shard3, 40);
    assert_int_equal(s.enhanced, 1u << GY_KIN_M_INCOMING_BYTES);
    assert_true(s.other_stream);

    /* Totals keep running; the age maximum starts again after a snapshot. */
    gy_kin__metric_add(&k, "orders", 3, GY_KIN_C_INCOMING_RECORDS, 1);
    memset(&s, 0, sizeof(s));
    gy_kin_metrics_snapshot(&k, collect, &s);
    assert_int_equal(s.stream_in, 8);
    assert_int_equal(s.age_stream, 0);
    assert_int_equal(s.age_shard3, 0);

    gy_kin__metrics_forget(&k, "orders");
    memset(&s, 0, sizeof(s));
    gy_kin_metrics_snapshot(&k, collect, &s);
    assert_int_equal(s.rows, 2);
    assert_int_equal(s.stream_in, 0);
    gy_kin__metrics_destroy(k.metrics);
}

static void test_names_and_units(void **state)
{
    (void)state;
    assert_string_equal(gy_kin_counter_name(GY_KIN_C_INCOMING_RECORDS), "IncomingRecords");
    assert_string_equal(gy_kin_counter_unit(GY_KIN_C_INCOMING_BYTES), "Bytes");
    assert_string_equal(gy_kin_counter_name(GY_KIN_C_PUT_RECORD_SUCCESS), "PutRecord.Success");
    assert_string_equal(gy_kin_counter_unit(GY_KIN_C_ITERATOR_AGE_MS), "Milliseconds");
    assert_string_equal(gy_kin__metric_names[GY_KIN_M_ITERATOR_AGE], "IteratorAgeMilliseconds");
    for (int c = 0; c < GY_KIN_C__COUNT; c++)
        assert_true(gy_kin_counter_name((enum gy_kin_counter)c)[0] != '\0');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counters_and_snapshot),
        cmocka_unit_test(test_names_and_units),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

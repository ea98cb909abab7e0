/*
 * test_lookup.c — the names the Streams API parses (src/streams/lookup.c and the change log's
 * sequence numbers and shard ids it relies on): stream labels, stream ARNs of this and other
 * regions and accounts, sequence number text and shard ids bound to their stream.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "dynamodb/changelog.h"
#include "dynamodb/table.h"
#include "streams/streams_int.h"

#define REGION "eu-west-1"
#define ACCOUNT "000000000000"
#define ARN(tail) "arn:aws:dynamodb:" REGION ":" ACCOUNT ":table/" tail

static void test_label(void **state)
{
    int64_t ms = -1;
    assert_int_equal(gy_streams__label_parse(GY_STR("2026-11-25T03:05:06.517"), &ms), 0);
    assert_int_equal(ms, 1795575906517LL);
    char back[48];
    gy_ddb_stream_label(ms, back);
    assert_string_equal(back, "2026-11-25T03:05:06.517");
    assert_int_equal(gy_streams__label_parse(GY_STR("1970-01-01T00:00:00.000"), &ms), 0);
    assert_int_equal(ms, 0);

    static const char *const bad[] = {
        "2026-11-25T03:05:06.51",   /* short */
        "2026-11-25T03:05:06.5170", /* long */
        "2026-11-25 03:05:06.517",  /* separator */
        "2026-02-30T03:05:06.517",  /* no such day */
        "2026-11-25T24:05:06.517",  /* no such hour */
        "2026-13-25T03:05:06.517",  /* no such month */
        "2026-1a-25T03:05:06.517",  /* not a digit */
        "1969-12-31T23:59:59.999",  /* before the epoch */
        "",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ms = 7;
        assert_int_equal(gy_streams__label_parse(gy_str_c(bad[i]), &ms), GY_EINVAL);
        assert_int_equal(ms, 7);
    }
}

static void test_arn(void **state)
{
    struct gy_str table = GY_STR_NULL;
    int64_t ms = 0;
    assert_int_equal(gy_streams__arn_parse(GY_STR(ARN("orders.v2/stream/2026-11-25T03:05:06.517")),
                                           REGION, ACCOUNT, &table, &ms),
                     0);
    assert_int_equal(table.len, 9);
    assert_memory_equal(table.p, "orders.v2", 9);
    assert_int_equal(ms, 1795575906517LL);

    /* Another region or account: well formed, but not here. */
    assert_int_equal(gy_streams__arn_parse(GY_STR("arn:aws:dynamodb:us-east-1:" ACCOUNT
                                                  ":table/t1/stream/2026-11-25T03:05:06.517"),
                                           REGION, ACCOUNT, &table, &ms),
                     GY_ENOTFOUND);
    assert_int_equal(
        gy_streams__arn_parse(GY_STR("arn:aws:dynamodb:" REGION
                                     ":111111111111:table/t1/stream/2026-11-25T03:05:06.517"),
                              REGION, ACCOUNT, &table, &ms),
        GY_ENOTFOUND);

    static const char *const bad[] = {
        ARN("t1"),                                 /* a table ARN */
        ARN("t1/stream/"),                         /* no label */
        ARN("t1/stream/latest"),                   /* not a label */
        ARN("/stream/2026-11-25T03:05:06.517"),    /* no table */
        ARN("a/b/stream/2026-11-25T03:05:06.517"), /* '/' in the name */
        ARN("t1/stream/2026-11-25T03:05:06.517x"), /* trailing junk */
        "arn:aws:kinesis:" REGION ":" ACCOUNT ":stream/t1",
        "arn:aws:dynamodb:" REGION,
        "arn:aws:dynamodb:" REGION ":" ACCOUNT ":tablet1/stream/2026-11-25T03:05:06.517",
        "",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(gy_streams__arn_parse(gy_str_c(bad[i]), REGION, ACCOUNT, &table, &ms),
                         GY_EINVAL);
    assert_int_equal(gy_streams__arn_parse(GY_STR_NULL, REGION, ACCOUNT, &table, &ms), GY_EINVAL);
}

static void test_arn_format(void **state)
{
    struct gy_arena *a = gy_arena_create(1024);
    struct gy_ddb_table t;
    memset(&t, 0, sizeof(t));
    t.arn = (char *)ARN("orders");
    assert_string_equal(gy_streams__arn(a, &t, 1795575906517LL),
                        ARN("orders/stream/2026-11-25T03:05:06.517"));
    gy_arena_destroy(a);
}

static void test_sequence_numbers(void **state)
{
    char s[24];
    uint64_t v = 0;
    gy_ddb_seq_format(1, s);
    assert_string_equal(s, "100000000000000000001");
    assert_int_equal(strlen(s), 21);
    assert_int_equal(gy_ddb_seq_parse(gy_str_c(s), &v), 0);
    assert_int_equal(v, 1);
    gy_ddb_seq_format(10000000000000000000ULL, s);
    assert_string_equal(s, "110000000000000000000");
    assert_int_equal(gy_ddb_seq_parse(gy_str_c(s), &v), 0);
    assert_true(v == 10000000000000000000ULL);
    /* Text order is numeric order (fixed width). */
    char a[24], b[24];
    gy_ddb_seq_format(99, a);
    gy_ddb_seq_format(100, b);
    assert_true(strcmp(a, b) < 0);

    static const char *const bad[] = {"1",
                                      "000000000000000000001",
                                      "10000000000000000000a",
                                      "1000000000000000000001",
                                      "118446744073709551616",
                                      ""};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        v = 5;
        assert_int_equal(gy_ddb_seq_parse(gy_str_c(bad[i]), &v), GY_EINVAL);
        assert_int_equal(v, 5);
    }
}

static void test_shard_ids(void **state)
{
    char id[64], other[64];
    uint64_t start = 0;
    gy_ddb_shard_id(7, 1795575906517LL, 42, id);
    assert_int_equal(strlen(id), 37); /* within the model's 28..65 */
    assert_memory_equal(id, "shardId-00000000000000000042-", 29);
    assert_int_equal(gy_ddb_shard_id_parse(gy_str_c(id), 7, 1795575906517LL, &start), 0);
    assert_int_equal(start, 42);
    /* Bound to its table and stream: the same text is no shard of another stream. */
    assert_int_equal(gy_ddb_shard_id_parse(gy_str_c(id), 8, 1795575906517LL, &start), GY_EINVAL);
    assert_int_equal(gy_ddb_shard_id_parse(gy_str_c(id), 7, 1795575906518LL, &start), GY_EINVAL);
    gy_ddb_shard_id(7, 1795575906518LL, 42, other);
    assert_string_not_equal(id, other);
    /* Altered tag, trailing junk, truncation. */
    char bad[70];
    snprintf(bad, sizeof(bad), "%s", id);
    bad[36] = bad[36] == '0' ? '1' : '0';
    assert_int_equal(gy_ddb_shard_id_parse(gy_str_c(bad), 7, 1795575906517LL, &start), GY_EINVAL);
    snprintf(bad, sizeof(bad), "%sx", id);
    assert_int_equal(gy_ddb_shard_id_parse(gy_str_c(bad), 7, 1795575906517LL, &start), GY_EINVAL);
    assert_int_equal(gy_ddb_shard_id_parse((struct gy_str){id, 30}, 7, 1795575906517LL, &start),
                     GY_EINVAL);
    assert_int_equal(gy_ddb_shard_id_parse(GY_STR("shardId-"), 7, 1795575906517LL, &start),
                     GY_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_label),      cmocka_unit_test(test_arn),
        cmocka_unit_test(test_arn_format), cmocka_unit_test(test_sequence_numbers),
        cmocka_unit_test(test_shard_ids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

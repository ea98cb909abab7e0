/*
 * test_record.c — GetRecords records as JSON (src/streams/record.c): the exact text for each
 * event under each view type, SizeBytes per view, the service identity of TTL deletions, view
 * type names and the eventID format.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/json.h"
#include "dynamodb/value.h"
#include "streams/streams_int.h"

#define HEAD(id, ev)                                                                               \
    "{\"eventID\":\"" id "\",\"eventName\":\"" ev "\",\"eventVersion\":\"1.1\","                   \
    "\"eventSource\":\"aws:dynamodb\",\"awsRegion\":\"eu-west-1\",\"dynamodb\":{"                  \
    "\"ApproximateCreationDateTime\":1795575906,\"Keys\":{\"PK\":{\"S\":\"a\"}},"

static struct gy_ddb_attr key_attr[1], old_attr[2], new_attr[2];

static struct gy_ddb_value sv(enum gy_ddb_type t, const char *s)
{
    struct gy_ddb_value v;
    memset(&v, 0, sizeof(v));
    v.type = t;
    v.u.s = gy_str_c(s);
    return v;
}

/* A record of table 7, seq 1: keys {PK: "a"}, old {PK, v: 1}, new {PK, v: 22}. */
static struct gy_ddb_log_record rec(enum gy_ddb_event ev)
{
    struct gy_ddb_log_record r;
    memset(&r, 0, sizeof(r));
    key_attr[0] = (struct gy_ddb_attr){GY_STR("PK"), sv(GY_DDB_S, "a")};
    old_attr[0] = key_attr[0];
    old_attr[1] = (struct gy_ddb_attr){GY_STR("v"), sv(GY_DDB_N, "1")};
    new_attr[0] = key_attr[0];
    new_attr[1] = (struct gy_ddb_attr){GY_STR("v"), sv(GY_DDB_N, "22")};
    r.seq = 1;
    r.event = ev;
    r.created_ms = 1795575906517LL;
    r.origin = GY_STR("eu-west-1");
    r.keys = (struct gy_ddb_map){key_attr, 1};
    r.has_old = ev != GY_DDB_EV_INSERT;
    r.has_new = ev != GY_DDB_EV_REMOVE;
    if (r.has_old)
        r.old_image = (struct gy_ddb_map){old_attr, 2};
    if (r.has_new)
        r.new_image = (struct gy_ddb_map){new_attr, 2};
    return r;
}

static void expect_json(const struct gy_ddb_log_record *r, enum gy_streams_view view,
                        const char *want)
{
    struct gy_buf b;
    struct gy_jw w;
    gy_buf_init(&b, 1 << 16);
    gy_jw_init(&w, &b);
    gy_streams__record_json(&w, r, 7, view, "eu-west-1");
    assert_int_equal(w.err, 0);
    assert_string_equal(b.p, want);
    gy_buf_fini(&b);
}

#define EID "ef1a8cb8fa00a223380f5217a60f873e"
#define OLD "{\"PK\":{\"S\":\"a\"},\"v\":{\"N\":\"1\"}}"
#define NEW "{\"PK\":{\"S\":\"a\"},\"v\":{\"N\":\"22\"}}"
#define TAIL(size, view)                                                                           \
    "\"SequenceNumber\":\"100000000000000000001\",\"SizeBytes\":" size                             \
    ",\"StreamViewType\":\"" view "\"}}"

static void test_insert(void **state)
{
    struct gy_ddb_log_record r = rec(GY_DDB_EV_INSERT);
    expect_json(&r, GY_STREAMS_KEYS_ONLY, HEAD(EID, "INSERT") TAIL("3", "KEYS_ONLY"));
    expect_json(&r, GY_STREAMS_NEW_IMAGE,
                HEAD(EID, "INSERT") "\"NewImage\":" NEW "," TAIL("9", "NEW_IMAGE"));
    expect_json(&r, GY_STREAMS_OLD_IMAGE, HEAD(EID, "INSERT") TAIL("3", "OLD_IMAGE"));
    expect_json(&r, GY_STREAMS_NEW_AND_OLD_IMAGES,
                HEAD(EID, "INSERT") "\"NewImage\":" NEW "," TAIL("9", "NEW_AND_OLD_IMAGES"));
}

static void test_modify(void **state)
{
    struct gy_ddb_log_record r = rec(GY_DDB_EV_MODIFY);
    expect_json(&r, GY_STREAMS_KEYS_ONLY, HEAD(EID, "MODIFY") TAIL("3", "KEYS_ONLY"));
    expect_json(&r, GY_STREAMS_NEW_IMAGE,
                HEAD(EID, "MODIFY") "\"NewImage\":" NEW "," TAIL("9", "NEW_IMAGE"));
    expect_json(&r, GY_STREAMS_OLD_IMAGE,
                HEAD(EID, "MODIFY") "\"OldImage\":" OLD "," TAIL("9", "OLD_IMAGE"));
    expect_json(&r, GY_STREAMS_NEW_AND_OLD_IMAGES,
                HEAD(EID, "MODIFY") "\"NewImage\":" NEW ",\"OldImage\":" OLD
                                    "," TAIL("15", "NEW_AND_OLD_IMAGES"));
}

static void test_remove(void **state)
{
    struct gy_ddb_log_record r = rec(GY_DDB_EV_REMOVE);
    expect_json(&r, GY_STREAMS_NEW_IMAGE, HEAD(EID, "REMOVE") TAIL("3", "NEW_IMAGE"));
    expect_json(&r, GY_STREAMS_NEW_AND_OLD_IMAGES,
                HEAD(EID, "REMOVE") "\"OldImage\":" OLD "," TAIL("9", "NEW_AND_OLD_IMAGES"));
}

static void test_service_identity(void **state)
{
    struct gy_ddb_log_record r = rec(GY_DDB_EV_REMOVE);
    r.by_service = true;
    expect_json(&r, GY_STREAMS_KEYS_ONLY,
                HEAD(EID, "REMOVE") "\"SequenceNumber\":\"100000000000000000001\","
                                    "\"SizeBytes\":3,\"StreamViewType\":\"KEYS_ONLY\"},"
                                    "\"userIdentity\":{\"PrincipalId\":\"dynamodb.amazonaws.com\","
                                    "\"Type\":\"Service\"}}");
}

static void test_sizes(void **state)
{
    struct gy_ddb_log_record r = rec(GY_DDB_EV_MODIFY);
    size_t k = gy_ddb_map_size(&r.keys), o = gy_ddb_map_size(&r.old_image),
           n = gy_ddb_map_size(&r.new_image);
    assert_int_equal(k, 3);
    assert_int_equal(gy_streams__record_size(&r, GY_STREAMS_KEYS_ONLY), k);
    assert_int_equal(gy_streams__record_size(&r, GY_STREAMS_NEW_IMAGE), k + n);
    assert_int_equal(gy_streams__record_size(&r, GY_STREAMS_OLD_IMAGE), k + o);
    assert_int_equal(gy_streams__record_size(&r, GY_STREAMS_NEW_AND_OLD_IMAGES), k + o + n);
    r.keys.n = 0;
    assert_int_equal(gy_streams__record_size(&r, GY_STREAMS_KEYS_ONLY), 1); /* model minimum */
}

static void test_view_names(void **state)
{
    enum gy_streams_view v = GY_STREAMS_KEYS_ONLY;
    assert_int_equal(gy_streams__view_parse("NEW_AND_OLD_IMAGES", &v), 0);
    assert_int_equal(v, GY_STREAMS_NEW_AND_OLD_IMAGES);
    assert_int_equal(gy_streams__view_parse("OLD_IMAGE", &v), 0);
    assert_int_equal(v, GY_STREAMS_OLD_IMAGE);
    assert_int_equal(gy_streams__view_parse("NEW_IMAGE", &v), 0);
    assert_int_equal(v, GY_STREAMS_NEW_IMAGE);
    assert_int_equal(gy_streams__view_parse("KEYS_ONLY", &v), 0);
    assert_int_equal(v, GY_STREAMS_KEYS_ONLY);
    assert_int_equal(gy_streams__view_parse("keys_only", &v), GY_EINVAL);
    assert_int_equal(gy_streams__view_parse("", &v), GY_EINVAL);
}

static void test_event_ids(void **state)
{
    char a[33], b[33];
    gy_streams__event_id(7, 1, a);
    assert_string_equal(a, EID);
    assert_int_equal(strspn(a, "0123456789abcdef"), 32);
    gy_streams__event_id(7, 2, b);
    assert_string_not_equal(a, b);
    gy_streams__event_id(8, 1, b);
    assert_string_not_equal(a, b);
    gy_streams__event_id(7, 1, b);
    assert_string_equal(a, b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_insert),    cmocka_unit_test(test_modify),
        cmocka_unit_test(test_remove),    cmocka_unit_test(test_service_identity),
        cmocka_unit_test(test_sizes),     cmocka_unit_test(test_view_names),
        cmocka_unit_test(test_event_ids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

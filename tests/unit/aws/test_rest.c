/*
 * test_rest.c — rest-json URI template matching and label decoding (src/aws/rest.c, included
 * to reach its static functions): literal and label segments, greedy labels, trailing slashes
 * as either model writes them, fixed query parts, the most specific template, and bad escapes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/aws/rest.c"

static long m(const char *tmpl, const char *path, const char *query, struct label *labels,
              size_t *n)
{
    return match(tmpl, gy_str_c(path), gy_str_c(query), labels, n);
}

static void test_literals_and_labels(void **state)
{
    struct label l[MAX_LABELS];
    size_t n;
    assert_true(m("/2015-03-31/functions/{FunctionName}/invocations",
                  "/2015-03-31/functions/my-fn/invocations", "", l, &n) > 0);
    assert_int_equal(n, 1);
    assert_true(gy_str_eqc(l[0].name, "FunctionName"));
    assert_true(gy_str_eqc(l[0].value, "my-fn"));
    /* An encoded ARN stays one label (matching is on the raw path). */
    assert_true(m("/2017-03-31/tags/{ARN}", "/2017-03-31/tags/arn%3Aaws%3Alambda%3Aus-east-1%3A"
                  "000000000000%3Afunction%3Af", "", l, &n) > 0);
    assert_true(gy_str_eqc(l[0].value, "arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Af"));
    assert_int_equal(m("/2015-03-31/functions/{FunctionName}", "/2015-03-31/functions/a/b", "", l,
                       &n), -1);
    assert_int_equal(m("/2015-03-31/functions/{FunctionName}", "/2015-03-31/functions/", "", l,
                       &n), -1); /* a label is never empty */
    assert_int_equal(m("/2015-03-31/functions", "/2015-03-31/function", "", l, &n), -1);
}

static void test_trailing_slashes_and_greedy(void **state)
{
    struct label l[MAX_LABELS];
    size_t n;
    assert_true(m("/2015-03-31/functions/", "/2015-03-31/functions", "", l, &n) >= 0);
    assert_true(m("/2015-03-31/functions", "/2015-03-31/functions/", "", l, &n) >= 0);
    assert_true(m("/b/{Key+}", "/b/dir/sub/file.txt", "", l, &n) > 0);
    assert_true(gy_str_eqc(l[0].name, "Key"));
    assert_true(gy_str_eqc(l[0].value, "dir/sub/file.txt"));
    assert_int_equal(m("/b/{Key+}", "/b/", "", l, &n), -1);
}

static void test_fixed_query_and_specificity(void **state)
{
    struct label l[MAX_LABELS];
    size_t n;
    assert_int_equal(m("/x/{A}?versions", "/x/1", "", l, &n), -1);
    long with = m("/x/{A}?versions", "/x/1", "versions&max=3", l, &n);
    assert_true(with > 0);
    assert_int_equal(m("/x/{A}?kind=a", "/x/1", "kind=b", l, &n), -1);
    assert_true(m("/x/{A}?kind=a", "/x/1", "kind=a", l, &n) > 0);
    /* More literal bytes score higher: /x/special beats /x/{A}. */
    assert_true(m("/x/special", "/x/special", "", l, &n) > m("/x/{A}", "/x/special", "", l, &n));
}

static void test_pct_decode(void **state)
{
    struct gy_arena *a = gy_arena_create(256);
    struct gy_str out;
    assert_true(pct_decode(a, GY_STR("arn%3Aaws%3alambda"), &out));
    assert_true(gy_str_eqc(out, "arn:aws:lambda"));
    assert_true(pct_decode(a, GY_STR("%24LATEST"), &out));
    assert_true(gy_str_eqc(out, "$LATEST"));
    assert_false(pct_decode(a, GY_STR("bad%"), &out));
    assert_false(pct_decode(a, GY_STR("bad%4"), &out));
    assert_false(pct_decode(a, GY_STR("bad%G1"), &out));
    assert_false(pct_decode(a, GY_STR("%FF%FE"), &out)); /* not UTF-8 */
    gy_arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_literals_and_labels),
        cmocka_unit_test(test_trailing_slashes_and_greedy),
        cmocka_unit_test(test_fixed_query_and_specificity),
        cmocka_unit_test(test_pct_decode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_number.c — unit tests for src/dynamodb/number.c: parsing (valid and invalid forms,
 * exact limits), canonical text, exact add/sub/compare, key bytes, and randomized properties
 * checked against an independent 128-bit reference.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dynamodb/number.h"

/* ---- helpers ---------------------------------------------------------------------------- */

static int parse_c(const char *s, struct gy_num *out)
{
    return gy_num_parse(s, strlen(s), out);
}

static struct gy_num num(const char *s)
{
    struct gy_num x;
    int rc = parse_c(s, &x);
    if (rc != GY_NUM_OK)
        fail_msg("parse(\"%s\") = %d", s, rc);
    return x;
}

/* Canonical text of x in a static buffer (one at a time). */
static const char *fmt(const struct gy_num *x)
{
    static char buf[GY_NUM_TEXT_MAX];
    size_t n = gy_num_format(x, buf, sizeof(buf));
    assert_true(n < sizeof(buf));
    assert_int_equal(strlen(buf), n);
    return buf;
}

static void assert_canon(const char *in, const char *want)
{
    struct gy_num x;
    int rc = parse_c(in, &x);
    if (rc != GY_NUM_OK)
        fail_msg("parse(\"%s\") = %d, want OK", in, rc);
    const char *got = fmt(&x);
    if (strcmp(got, want) != 0)
        fail_msg("format(parse(\"%s\")) = \"%s\", want \"%s\"", in, got, want);
}

static void assert_parse_rc(const char *in, int want)
{
    struct gy_num x;
    int rc = parse_c(in, &x);
    if (rc != want)
        fail_msg("parse(\"%s\") = %d, want %d", in, rc, want);
    if (rc != GY_NUM_OK)
        assert_int_equal(x.n, 0);
}

/* r = op(a, b) with the expected status and, when OK, expected canonical text. */
static void assert_op(char op, const char *a, const char *b, int want_rc, const char *want)
{
    struct gy_num x = num(a), y = num(b), r;
    int rc = op == '+' ? gy_num_add(&x, &y, &r) : gy_num_sub(&x, &y, &r);
    if (rc != want_rc)
        fail_msg("%s %c %s: rc %d, want %d", a, op, b, rc, want_rc);
    if (rc == GY_NUM_OK && strcmp(fmt(&r), want) != 0)
        fail_msg("%s %c %s = %s, want %s", a, op, b, fmt(&r), want);
}

static int sgn(int v)
{
    return (v > 0) - (v < 0);
}

static int key_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    int c = memcmp(a, b, n);
    if (c != 0)
        return sgn(c);
    return alen == blen ? 0 : (alen < blen ? -1 : 1);
}

static bool num_eq(const struct gy_num *a, const struct gy_num *b)
{
    return a->neg == b->neg && a->n == b->n && (a->n == 0 || a->exp == b->exp) &&
           memcmp(a->d, b->d, a->n) == 0;
}

/* ---- parsing ------------------------------------------------------------------------------ */

static void test_parse_valid_forms(void **state)
{
    struct gy_num x = num("123");
    assert_false(x.neg);
    assert_int_equal(x.n, 3);
    assert_int_equal(x.exp, 3);
    assert_int_equal(x.d[0], 1);
    assert_int_equal(x.d[2], 3);

    x = num("-0.05");
    assert_true(x.neg);
    assert_int_equal(x.n, 1);
    assert_int_equal(x.exp, -1);
    assert_int_equal(x.d[0], 5);

    x = num("0001.5000");
    assert_int_equal(x.n, 2);
    assert_int_equal(x.exp, 1);

    /* Forms Java's BigDecimal (and so DynamoDB) accepts. */
    const char *ok[] = { "0",   "-0",   "+0",   "+5",     ".5",     "5.",    "-.5",   "1e5",
                         "1E5", "1e+5", "1e-5", "1.5E3",  "+1e2",   "0e1000", "0.0e-999",
                         "00",  "-7",   "3",    "-7.1234", "-17e5", "-17.4E37", "0001.23" };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        assert_parse_rc(ok[i], GY_NUM_OK);
}

static void test_parse_zero_forms(void **state)
{
    const char *zeros[] = { "0", "-0", "+0", "0.000", "-0.0e5", "0e1000", "000", ".0", "0." };
    for (size_t i = 0; i < sizeof(zeros) / sizeof(zeros[0]); i++) {
        struct gy_num x = num(zeros[i]);
        assert_true(gy_num_is_zero(&x));
        assert_false(x.neg);
        assert_int_equal(x.exp, 0);
        assert_string_equal(fmt(&x), "0");
    }
}

static void test_parse_invalid_forms(void **state)
{
    const char *bad[] = { "",     "+",     "-",     ".",     "-.",   "e5",   ".e5",  "1e",
                          "1e+",  "1e-",   "1e5.5", "1.2.3", "1..2", " 1",   "1 ",   " ",
                          "NaN",  "-NaN",  "nan",   "Infinity", "-Infinity", "inf", "0x10",
                          "dog",  "-dog",  "1,000", "1_000", "++1",  "+-1",  "--1",  "1e++5",
                          "1e5e5", "1f",   "1d",    "\t1",   "1\n",  "\xd9\xa1" /* Arabic 1 */,
                          "1e2147483648", "0e-2147483648" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_parse_rc(bad[i], GY_NUM_ESYNTAX);

    /* Embedded NUL: the length, not the terminator, decides. */
    struct gy_num x;
    assert_int_equal(gy_num_parse("1\0002", 3, &x), GY_NUM_ESYNTAX);
    assert_int_equal(gy_num_parse("12", 1, &x), GY_NUM_OK);
    assert_string_equal(fmt(&x), "1");
    assert_int_equal(gy_num_parse(NULL, 0, &x), GY_NUM_ESYNTAX);
    /* The largest int exponent is still a number (and, with a non-zero digit, too large). */
    assert_parse_rc("1e2147483647", GY_NUM_EOVERFLOW);
    assert_parse_rc("1e-2147483647", GY_NUM_EUNDERFLOW);
    assert_parse_rc("0e2147483647", GY_NUM_OK);
}

static void test_parse_precision_limits(void **state)
{
    /* Exactly 38 significant digits, written several ways. */
    assert_parse_rc("12345678901234567890123456789012345678", GY_NUM_OK);
    assert_parse_rc("3.1415926535897932384626433832795028841", GY_NUM_OK);
    assert_parse_rc("314159265358979323846.26433832795028841", GY_NUM_OK);
    assert_parse_rc("31415926535897932384626433832795028841e30", GY_NUM_OK);
    assert_parse_rc("-0.00012345678901234567890123456789012345678", GY_NUM_OK);
    /* Zeros around the significant digits do not count. */
    assert_parse_rc("000000000012345678901234567890123456789012345678000000000000", GY_NUM_OK);
    assert_parse_rc("1000000000000000000000000000000000000000000000000000", GY_NUM_OK);
    assert_parse_rc("10000000000000000000000000000000000000.100000000", GY_NUM_EDIGITS);
    assert_parse_rc("1.0000000000000000000000000000000000001", GY_NUM_OK);
    /* 39 significant digits. */
    assert_parse_rc("123456789012345678901234567890123456789", GY_NUM_EDIGITS);
    assert_parse_rc("-1.23456789012345678901234567890123456789", GY_NUM_EDIGITS);
    assert_parse_rc("3.14159265358979323846264338327950288419", GY_NUM_EDIGITS);
    assert_parse_rc("314159265358979323846264338327950288419e30", GY_NUM_EDIGITS);
    assert_parse_rc("1.00000000000000000000000000000000000001", GY_NUM_EDIGITS);
    /* Precision is reported before range. */
    assert_parse_rc("123456789012345678901234567890123456789e200", GY_NUM_EDIGITS);
    /* Syntax is reported before precision. */
    assert_parse_rc("123456789012345678901234567890123456789x", GY_NUM_ESYNTAX);
}

static void test_parse_range_limits(void **state)
{
    assert_parse_rc("1e-130", GY_NUM_OK);
    assert_parse_rc("-1E-130", GY_NUM_OK);
    assert_parse_rc("1.5e-130", GY_NUM_OK);
    assert_parse_rc("1.2345678901234567890123456789012345678e-130", GY_NUM_OK);
    assert_parse_rc("9.9999999999999999999999999999999999999E+125", GY_NUM_OK);
    assert_parse_rc("-9.9999999999999999999999999999999999999E+125", GY_NUM_OK);
    assert_parse_rc("1e125", GY_NUM_OK);
    assert_parse_rc("0.1e126", GY_NUM_OK);
    assert_parse_rc("10e-131", GY_NUM_OK);

    assert_parse_rc("1e126", GY_NUM_EOVERFLOW);
    assert_parse_rc("-1e126", GY_NUM_EOVERFLOW);
    assert_parse_rc("11e125", GY_NUM_EOVERFLOW);
    assert_parse_rc("10E125", GY_NUM_EOVERFLOW);
    assert_parse_rc("1e1000", GY_NUM_EOVERFLOW);
    assert_parse_rc("1e-131", GY_NUM_EUNDERFLOW);
    assert_parse_rc("-1e-131", GY_NUM_EUNDERFLOW);
    assert_parse_rc("0.9e-130", GY_NUM_EUNDERFLOW);
    assert_parse_rc("0.00001e-126", GY_NUM_EUNDERFLOW);
}

static void test_strerror(void **state)
{
    assert_string_equal(gy_num_strerror(GY_NUM_EDIGITS),
                        "Attempting to store more than 38 significant digits in a Number");
    assert_string_equal(gy_num_strerror(GY_NUM_EOVERFLOW),
                        "Number overflow. Attempting to store a number with magnitude larger "
                        "than supported range");
    assert_string_equal(gy_num_strerror(GY_NUM_EUNDERFLOW),
                        "Number underflow. Attempting to store a number with magnitude "
                        "smaller than supported range");
    assert_string_equal(gy_num_strerror(GY_NUM_ESYNTAX),
                        "A value provided cannot be converted into a number");
    assert_string_equal(gy_num_strerror(GY_NUM_OK), "OK");
    assert_string_equal(gy_num_strerror(-99), "Unknown number error");
}

/* ---- canonical text ----------------------------------------------------------------------- */

static void test_format_table(void **state)
{
    static const char *const table[][2] = {
        { "1E2", "100" },         { ".50", "0.5" },        { "-0", "0" },
        { "00042", "42" },        { "1.0", "1" },          { "1.5E2", "150" },
        { "+5", "5" },            { "+1.5", "1.5" },       { "+1e2", "100" },
        { "1.5E+3", "1500" },     { "-7", "-7" },          { "0001.5000", "1.5" },
        { "1e-5", "0.00001" },    { "-1.5e-3", "-0.0015" }, { "123.456", "123.456" },
        { "123456e-3", "123.456" }, { "0.1", "0.1" },      { "10", "10" },
        { "5.", "5" },            { "-.5", "-0.5" },       { "1200e-2", "12" },
        { "12.5e1", "125" },      { "-99.99", "-99.99" },
        { "1E+50", "100000000000000000000000000000000000000000000000000" },
        { "1.00000000000000007629769841092E+50",
          "100000000000000007629769841092000000000000000000000" },
        { "31415926535897932384626433832795028841e30",
          "31415926535897932384626433832795028841000000000000000000000000000000" },
        { "3.1415926535897932384626433832795028841", "3.1415926535897932384626433832795028841" },
    };
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        assert_canon(table[i][0], table[i][1]);
}

static void test_format_extremes(void **state)
{
    char want[GY_NUM_TEXT_MAX];
    size_t k;

    /* 1E-130: "0." then 129 zeros then "1". */
    k = 0;
    want[k++] = '0';
    want[k++] = '.';
    for (int i = 0; i < 129; i++)
        want[k++] = '0';
    want[k++] = '1';
    want[k] = '\0';
    assert_canon("1e-130", want);

    /* The longest text: -1.2345678901234567890123456789012345678E-130 (170 bytes). */
    struct gy_num x = num("-1.2345678901234567890123456789012345678E-130");
    const char *t = fmt(&x);
    assert_int_equal(strlen(t), 170);
    assert_memory_equal(t, "-0.000", 6);
    assert_string_equal(t + 132, "12345678901234567890123456789012345678");

    /* The largest: 38 nines then 88 zeros (126 digits). */
    x = num("9.9999999999999999999999999999999999999E+125");
    t = fmt(&x);
    assert_int_equal(strlen(t), 126);
    for (int i = 0; i < 38; i++)
        assert_int_equal(t[i], '9');
    for (int i = 38; i < 126; i++)
        assert_int_equal(t[i], '0');
    x = num("-1e125");
    t = fmt(&x);
    assert_int_equal(strlen(t), 127);
    assert_memory_equal(t, "-10000", 6);
}

static void test_format_small_buffer(void **state)
{
    struct gy_num x = num("-123.45");
    char buf[5];
    memset(buf, 'x', sizeof(buf));
    assert_int_equal(gy_num_format(&x, buf, sizeof(buf)), 7);
    assert_string_equal(buf, "-123");
    assert_int_equal(gy_num_format(&x, buf, 1), 7);
    assert_string_equal(buf, "");
    assert_int_equal(gy_num_format(&x, NULL, 0), 7);
    char exact[8];
    assert_int_equal(gy_num_format(&x, exact, sizeof(exact)), 7);
    assert_string_equal(exact, "-123.45");
}

/* ---- arithmetic --------------------------------------------------------------------------- */

static void test_add_sub_basic(void **state)
{
    assert_op('+', "1", "2", GY_NUM_OK, "3");
    assert_op('+', "0.1", "0.2", GY_NUM_OK, "0.3");
    assert_op('-', "0.3", "0.1", GY_NUM_OK, "0.2");
    assert_op('+', "1", "10000000000000000000000", GY_NUM_OK, "10000000000000000000001");
    assert_op('-', "10000000000000000000000", "1", GY_NUM_OK, "9999999999999999999999");
    assert_op('-', "100000000000000000000.00000001", "1", GY_NUM_OK,
              "99999999999999999999.00000001");
    assert_op('+', "0", "-5.5", GY_NUM_OK, "-5.5");
    assert_op('-', "0", "-5.5", GY_NUM_OK, "5.5");
    assert_op('-', "0", "5.5", GY_NUM_OK, "-5.5");
    assert_op('+', "-5.5", "0", GY_NUM_OK, "-5.5");
    assert_op('-', "-5.5", "0", GY_NUM_OK, "-5.5");
    assert_op('+', "0", "0", GY_NUM_OK, "0");
}

static void test_add_carries(void **state)
{
    assert_op('+', "999", "1", GY_NUM_OK, "1000");
    assert_op('+', "9.99", "0.01", GY_NUM_OK, "10");
    assert_op('+', "99999999999999999999999999999999999999", "1", GY_NUM_OK,
              "100000000000000000000000000000000000000");
    assert_op('+', "0.99999999999999999999999999999999999999", "0.00000000000000000000000000000000000001",
              GY_NUM_OK, "1");
    assert_op('+', "-999", "-1", GY_NUM_OK, "-1000");
    assert_op('+', "5e10", "5e10", GY_NUM_OK, "100000000000");
    assert_op('+', "5e-11", "5e-11", GY_NUM_OK, "0.0000000001");
    assert_op('+', "1.5", "2.55", GY_NUM_OK, "4.05");
    assert_op('+', "123.456", "876.544", GY_NUM_OK, "1000");
}

static void test_sub_borrows_and_signs(void **state)
{
    assert_op('-', "1000", "1", GY_NUM_OK, "999");
    assert_op('-', "1", "0.001", GY_NUM_OK, "0.999");
    assert_op('-', "1", "2", GY_NUM_OK, "-1");
    assert_op('-', "-1", "-2", GY_NUM_OK, "1");
    assert_op('+', "-3", "5", GY_NUM_OK, "2");
    assert_op('+', "3", "-5", GY_NUM_OK, "-2");
    assert_op('-', "-3", "5", GY_NUM_OK, "-8");
    assert_op('-', "3", "-5", GY_NUM_OK, "8");
    assert_op('-', "0.001", "1", GY_NUM_OK, "-0.999");
    assert_op('-', "100.5", "100.25", GY_NUM_OK, "0.25");
    assert_op('-', "1e20", "1", GY_NUM_OK, "99999999999999999999");
}

static void test_cancellation(void **state)
{
    assert_op('-', "5", "5", GY_NUM_OK, "0");
    assert_op('+', "5", "-5", GY_NUM_OK, "0");
    assert_op('+', "-1.5e-130", "1.5e-130", GY_NUM_OK, "0");
    assert_op('-', "9.9999999999999999999999999999999999999E+125",
              "9.9999999999999999999999999999999999999E+125", GY_NUM_OK, "0");
    assert_op('-', "1.0000000000000000000000000000000000001", "1", GY_NUM_OK,
              "0.0000000000000000000000000000000000001");
    /* Massive cancellation leaves few digits. */
    assert_op('-', "12345678901234567890123456789012345678", "12345678901234567890123456789012345677",
              GY_NUM_OK, "1");

    struct gy_num a = num("7"), b = num("-7"), r;
    assert_int_equal(gy_num_add(&a, &b, &r), GY_NUM_OK);
    assert_true(gy_num_is_zero(&r));
    assert_false(r.neg);
}

static void test_precision_and_range_errors(void **state)
{
    /* Imprecise results fail with DynamoDB's overflow message (observed for 1e50 + 1). */
    assert_op('+', "1e50", "1", GY_NUM_EOVERFLOW, NULL);
    assert_op('-', "1e50", "1", GY_NUM_EOVERFLOW, NULL);
    assert_op('+', "0.1", "1e-40", GY_NUM_EOVERFLOW, NULL);
    assert_op('+', "99999999999999999999999999999999999999", "0.1", GY_NUM_EOVERFLOW, NULL);
    assert_op('+', "1e-130", "1", GY_NUM_EOVERFLOW, NULL);
    assert_op('-', "1", "1e-38", GY_NUM_OK, "0.99999999999999999999999999999999999999");
    assert_op('-', "1", "1e-39", GY_NUM_EOVERFLOW, NULL);
    /* Out of range. */
    assert_op('+', "9e125", "9e125", GY_NUM_EOVERFLOW, NULL);
    assert_op('-', "9e125", "-9e125", GY_NUM_EOVERFLOW, NULL);
    assert_op('-', "-9e125", "9e125", GY_NUM_EOVERFLOW, NULL);
    assert_op('+', "9.9999999999999999999999999999999999999E+125", "1e88", GY_NUM_EOVERFLOW, NULL);
    assert_op('+', "9e125", "9e124", GY_NUM_OK,
              "990000000000000000000000000000000000000000000000000000000000000000000000000000"
              "000000000000000000000000000000000000000000000000");
    assert_op('-', "1.5e-130", "1.4e-130", GY_NUM_EUNDERFLOW, NULL);
    assert_op('+', "-1.5e-130", "1.4e-130", GY_NUM_EUNDERFLOW, NULL);

    /* On error the output is zero, never half-written. */
    struct gy_num a = num("9e125"), r = num("1");
    assert_int_equal(gy_num_add(&a, &a, &r), GY_NUM_EOVERFLOW);
    assert_true(gy_num_is_zero(&r));
}

static void test_add_aliasing(void **state)
{
    struct gy_num a = num("1.5"), b = num("2.25");
    assert_int_equal(gy_num_add(&a, &b, &a), GY_NUM_OK);
    assert_string_equal(fmt(&a), "3.75");
    assert_int_equal(gy_num_sub(&a, &b, &b), GY_NUM_OK);
    assert_string_equal(fmt(&b), "1.5");
    assert_int_equal(gy_num_add(&b, &b, &b), GY_NUM_OK);
    assert_string_equal(fmt(&b), "3");
    assert_int_equal(gy_num_sub(&b, &b, &b), GY_NUM_OK);
    assert_string_equal(fmt(&b), "0");
}

static void test_tiny_sum(void **state)
{
    struct gy_num a = num("1e-130"), r;
    assert_int_equal(gy_num_add(&a, &a, &r), GY_NUM_OK);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.d[0], 2);
    assert_int_equal(r.exp, -129);
    struct gy_num want = num("2e-130");
    assert_int_equal(gy_num_cmp(&r, &want), 0);
}

/* ---- comparison --------------------------------------------------------------------------- */

static void assert_cmp(const char *a, const char *b, int want)
{
    struct gy_num x = num(a), y = num(b);
    int got = gy_num_cmp(&x, &y);
    if (got != want)
        fail_msg("cmp(%s, %s) = %d, want %d", a, b, got, want);
    assert_int_equal(gy_num_cmp(&y, &x), -want);
    assert_int_equal(gy_num_cmp_text(a, strlen(a), b, strlen(b)), want);
}

static void test_cmp(void **state)
{
    assert_cmp("1", "1.0", 0);
    assert_cmp("100", "1e2", 0);
    assert_cmp("-0", "0", 0);
    assert_cmp("0", "0e100", 0);
    assert_cmp("1", "2", -1);
    assert_cmp("-1", "1", -1);
    assert_cmp("-1", "0", -1);
    assert_cmp("0", "1e-130", -1);
    assert_cmp("-1e-130", "0", -1);
    assert_cmp("9", "10", -1);
    assert_cmp("99", "100", -1);
    assert_cmp("0.99", "1", -1);
    assert_cmp("-10", "-9", -1);
    assert_cmp("-100", "-99", -1);
    assert_cmp("1.2", "1.23", -1);
    assert_cmp("-1.23", "-1.2", -1);
    assert_cmp("1e125", "1e-130", 1);
    assert_cmp("-1e125", "-1e-130", -1);
    assert_cmp("12345678901234567890123456789012345678", "12345678901234567890123456789012345679",
               -1);
    assert_cmp("1.5e10", "15000000000", 0);
}

static void test_cmp_text_invalid(void **state)
{
    assert_int_equal(gy_num_cmp_text("x", 1, "-1e125", 6), -1);
    assert_int_equal(gy_num_cmp_text("-1e125", 6, "", 0), 1);
    assert_int_equal(gy_num_cmp_text("1e126", 5, "-1e125", 6), -1); /* out of range is invalid */
    assert_int_equal(gy_num_cmp_text("abc", 3, "abd", 3), -1);
    assert_int_equal(gy_num_cmp_text("abc", 3, "abc", 3), 0);
    assert_int_equal(gy_num_cmp_text("ab", 2, "abc", 3), -1);
    assert_int_equal(gy_num_cmp_text("", 0, "", 0), 0);
}

/* ---- key bytes ---------------------------------------------------------------------------- */

static void test_key_encode_exact_bytes(void **state)
{
    uint8_t k[GY_NUM_KEY_MAX];
    struct gy_num x = num("0");
    assert_int_equal(gy_num_key_encode(&x, k), 1);
    assert_int_equal(k[0], 0x02);

    x = num("123"); /* exp 3, pairs 12, 30 */
    assert_int_equal(gy_num_key_encode(&x, k), 5);
    static const uint8_t pos[] = { 0x03, 132, 13, 31, 0x00 };
    assert_memory_equal(k, pos, sizeof(pos));

    x = num("-123");
    assert_int_equal(gy_num_key_encode(&x, k), 5);
    static const uint8_t neg[] = { 0x01, 123, 242, 224, 0xff };
    assert_memory_equal(k, neg, sizeof(neg));

    x = num("-9.9999999999999999999999999999999999999E+125");
    assert_int_equal(gy_num_key_encode(&x, k), 22);
    assert_int_equal(k[1], 0);
    x = num("1e-130");
    assert_int_equal(gy_num_key_encode(&x, k), 4);
    assert_int_equal(k[1], 0);
}

static void test_key_order_table(void **state)
{
    static const char *const sorted[] = {
        "-9.9999999999999999999999999999999999999E+125",
        "-1e125", "-100", "-99.99", "-10", "-9", "-1.23",
        "-1.2000000000000000000000000000000000001", "-1.2", "-1", "-0.5", "-1e-130", "0",
        "1e-130", "1.5e-130", "0.001", "0.5", "1", "1.0000000000000000000000000000000000001",
        "1.2", "1.2000000000000000000000000000000000001", "1.23", "9", "10", "99.99", "100",
        "1e125", "9.9999999999999999999999999999999999999E+125",
    };
    size_t n = sizeof(sorted) / sizeof(sorted[0]);
    for (size_t i = 0; i + 1 < n; i++) {
        struct gy_num a = num(sorted[i]), b = num(sorted[i + 1]);
        uint8_t ka[GY_NUM_KEY_MAX], kb[GY_NUM_KEY_MAX];
        size_t la = gy_num_key_encode(&a, ka), lb = gy_num_key_encode(&b, kb);
        if (gy_num_cmp(&a, &b) >= 0)
            fail_msg("cmp(%s, %s) not < 0", sorted[i], sorted[i + 1]);
        if (key_cmp(ka, la, kb, lb) >= 0)
            fail_msg("key(%s) not < key(%s)", sorted[i], sorted[i + 1]);
    }
}

static void test_key_decode_malformed(void **state)
{
    struct gy_num x;
    static const uint8_t empty[1] = { 0 };
    assert_int_equal(gy_num_key_decode(empty, 0, &x), 0);
    static const uint8_t bad_class[] = { 0x04, 130, 11, 0 };
    assert_int_equal(gy_num_key_decode(bad_class, sizeof(bad_class), &x), 0);
    static const uint8_t no_end[] = { 0x03, 130, 11 };
    assert_int_equal(gy_num_key_decode(no_end, sizeof(no_end), &x), 0);
    static const uint8_t no_pairs[] = { 0x03, 130, 0x00 };
    assert_int_equal(gy_num_key_decode(no_pairs, sizeof(no_pairs), &x), 0);
    static const uint8_t lead_zero[] = { 0x03, 130, 6, 0x00 }; /* pair 05 */
    assert_int_equal(gy_num_key_decode(lead_zero, sizeof(lead_zero), &x), 0);
    static const uint8_t zero_tail[] = { 0x03, 130, 13, 1, 0x00 }; /* pair 00 last */
    assert_int_equal(gy_num_key_decode(zero_tail, sizeof(zero_tail), &x), 0);
    static const uint8_t pair_big[] = { 0x03, 130, 101, 0x00 };
    assert_int_equal(gy_num_key_decode(pair_big, sizeof(pair_big), &x), 0);
    static const uint8_t neg_pair_big[] = { 0x01, 130, 100, 0xff };
    assert_int_equal(gy_num_key_decode(neg_pair_big, sizeof(neg_pair_big), &x), 0);
    static const uint8_t only_class[] = { 0x03 };
    assert_int_equal(gy_num_key_decode(only_class, sizeof(only_class), &x), 0);
    uint8_t too_long[2 + 20 + 1];
    too_long[0] = 0x03;
    too_long[1] = 130;
    for (int i = 0; i < 20; i++)
        too_long[2 + i] = 12;
    too_long[22] = 0x00;
    assert_int_equal(gy_num_key_decode(too_long, sizeof(too_long), &x), 0);
    assert_int_equal(gy_num_key_decode(too_long + 1, 22, &x), 0);
    /* 19 pairs is the maximum and decodes. */
    too_long[21] = 0x00;
    assert_int_equal(gy_num_key_decode(too_long, 22, &x), 22);
    assert_int_equal(x.n, 38);
    assert_int_equal(x.exp, 1);

    /* Trailing bytes after one encoding are left for the caller. */
    static const uint8_t two[] = { 0x03, 132, 13, 31, 0x00, 0x02, 0x99 };
    assert_int_equal(gy_num_key_decode(two, sizeof(two), &x), 5);
    assert_string_equal(fmt(&x), "123");
    assert_int_equal(gy_num_key_decode(two + 5, 2, &x), 1);
    assert_true(gy_num_is_zero(&x));
}

/* ---- randomized properties ---------------------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    /* xorshift64*: fixed seed, so failures reproduce. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

static int rnd_range(int lo, int hi)
{
    return lo + (int)(rnd() % (uint64_t)(hi - lo + 1));
}

/* A random valid number; biased toward near-equal values so orderings are tested hard. */
static void rnd_num(struct gy_num *x, const struct gy_num *near)
{
    if (rnd() % 50 == 0) {
        x->neg = false;
        x->n = 0;
        x->exp = 0;
        return;
    }
    if (near != NULL && near->n > 0 && rnd() % 3 == 0) {
        *x = *near;
        int keep = rnd_range(1, near->n);
        x->n = (uint8_t)keep;
        if (rnd() % 2 && x->n < GY_NUM_MAX_DIGITS)
            x->d[x->n++] = (uint8_t)rnd_range(0, 9);
        else
            x->d[x->n - 1] = (uint8_t)rnd_range(0, 9);
        if (rnd() % 4 == 0)
            x->neg = !x->neg;
    } else {
        x->neg = rnd() % 2;
        x->n = (uint8_t)rnd_range(1, GY_NUM_MAX_DIGITS);
        x->exp = (int16_t)(rnd() % 4 == 0 ? rnd_range(-129, 126) : rnd_range(-3, 5));
        for (int i = 0; i < x->n; i++)
            x->d[i] = (uint8_t)rnd_range(0, 9);
    }
    /* Normalize. */
    if (x->d[0] == 0)
        x->d[0] = (uint8_t)rnd_range(1, 9);
    while (x->n > 0 && x->d[x->n - 1] == 0)
        x->n--;
}

static void test_random_properties(void **state)
{
    struct gy_num a, b, prev;
    prev.n = 0;
    prev.neg = false;
    prev.exp = 0;
    unsigned added = 0;

    for (int iter = 0; iter < 100000; iter++) {
        rnd_num(&a, &prev);
        rnd_num(&b, &a);
        prev = b;

        /* Key order equals numeric order, and decode inverts encode. */
        uint8_t ka[GY_NUM_KEY_MAX], kb[GY_NUM_KEY_MAX];
        size_t la = gy_num_key_encode(&a, ka), lb = gy_num_key_encode(&b, kb);
        assert_true(la <= GY_NUM_KEY_MAX && lb <= GY_NUM_KEY_MAX);
        int c = gy_num_cmp(&a, &b);
        if (key_cmp(ka, la, kb, lb) != c) {
            char ta[GY_NUM_TEXT_MAX], tb[GY_NUM_TEXT_MAX];
            gy_num_format(&a, ta, sizeof(ta));
            gy_num_format(&b, tb, sizeof(tb));
            fail_msg("key order differs from cmp %d for %s vs %s", c, ta, tb);
        }
        assert_int_equal(gy_num_cmp(&b, &a), -c);
        struct gy_num d;
        assert_int_equal(gy_num_key_decode(ka, la, &d), la);
        assert_true(num_eq(&a, &d));

        /* parse(format(x)) == x, and format is canonical. */
        char ta[GY_NUM_TEXT_MAX], tb[GY_NUM_TEXT_MAX];
        size_t tl = gy_num_format(&a, ta, sizeof(ta));
        assert_int_equal(gy_num_parse(ta, tl, &d), GY_NUM_OK);
        assert_true(num_eq(&a, &d));
        gy_num_format(&d, tb, sizeof(tb));
        assert_string_equal(ta, tb);

        /* (a + b) - b == a and (a - b) + b == a whenever the first step is representable. */
        struct gy_num s, back;
        if (gy_num_add(&a, &b, &s) == GY_NUM_OK) {
            added++;
            assert_int_equal(gy_num_sub(&s, &b, &back), GY_NUM_OK);
            assert_true(num_eq(&back, &a));
            /* Commutative. */
            struct gy_num s2;
            assert_int_equal(gy_num_add(&b, &a, &s2), GY_NUM_OK);
            assert_true(num_eq(&s, &s2));
        }
        if (gy_num_sub(&a, &b, &s) == GY_NUM_OK) {
            assert_int_equal(gy_num_add(&s, &b, &back), GY_NUM_OK);
            assert_true(num_eq(&back, &a));
            /* sign(a - b) == cmp(a, b) */
            int sg = s.n == 0 ? 0 : (s.neg ? -1 : 1);
            assert_int_equal(sg, c);
        }
    }
    /* The generator must exercise the representable case often. */
    assert_true(added > 30000);
}

/* Independent reference: the plain decimal text of v * 10^-scale, built from an __int128. */
static void ref_text(__int128 v, int scale, char *out, size_t cap)
{
    char rev[64];
    int n = 0;
    bool neg = v < 0;
    unsigned __int128 u = neg ? -(unsigned __int128)v : (unsigned __int128)v;

    if (u == 0) {
        snprintf(out, cap, "0");
        return;
    }
    while (u != 0 || n < scale + 1) { /* at least one integer digit */
        rev[n++] = (char)('0' + (int)(u % 10));
        u /= 10;
    }
    int lo = 0; /* drop trailing zeros of the fraction */
    while (lo < scale && rev[lo] == '0')
        lo++;
    size_t k = 0;
    if (neg)
        out[k++] = '-';
    for (int i = n - 1; i >= lo; i--) {
        if (i == scale - 1)
            out[k++] = '.';
        out[k++] = rev[i];
    }
    out[k] = '\0';
    assert_true(k < cap);
}

static void test_random_against_reference(void **state)
{
    for (int iter = 0; iter < 100000; iter++) {
        int scale = rnd_range(0, 12);
        int64_t av = (int64_t)rnd() >> rnd_range(0, 62);
        int64_t bv = (int64_t)rnd() >> rnd_range(0, 62);
        char as[80], bs[80], want[80];
        ref_text(av, scale, as, sizeof(as));
        ref_text(bv, scale, bs, sizeof(bs));
        struct gy_num a = num(as), b = num(bs), r;

        /* Canonical text agrees with the reference formatter. */
        assert_string_equal(fmt(&a), as);

        ref_text((__int128)av + bv, scale, want, sizeof(want));
        assert_int_equal(gy_num_add(&a, &b, &r), GY_NUM_OK);
        if (strcmp(fmt(&r), want) != 0)
            fail_msg("%s + %s = %s, want %s", as, bs, fmt(&r), want);
        ref_text((__int128)av - bv, scale, want, sizeof(want));
        assert_int_equal(gy_num_sub(&a, &b, &r), GY_NUM_OK);
        if (strcmp(fmt(&r), want) != 0)
            fail_msg("%s - %s = %s, want %s", as, bs, fmt(&r), want);
        assert_int_equal(gy_num_cmp(&a, &b), av < bv ? -1 : (av > bv));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_valid_forms),
        cmocka_unit_test(test_parse_zero_forms),
        cmocka_unit_test(test_parse_invalid_forms),
        cmocka_unit_test(test_parse_precision_limits),
        cmocka_unit_test(test_parse_range_limits),
        cmocka_unit_test(test_strerror),
        cmocka_unit_test(test_format_table),
        cmocka_unit_test(test_format_extremes),
        cmocka_unit_test(test_format_small_buffer),
        cmocka_unit_test(test_add_sub_basic),
        cmocka_unit_test(test_add_carries),
        cmocka_unit_test(test_sub_borrows_and_signs),
        cmocka_unit_test(test_cancellation),
        cmocka_unit_test(test_precision_and_range_errors),
        cmocka_unit_test(test_add_aliasing),
        cmocka_unit_test(test_tiny_sum),
        cmocka_unit_test(test_cmp),
        cmocka_unit_test(test_cmp_text_invalid),
        cmocka_unit_test(test_key_encode_exact_bytes),
        cmocka_unit_test(test_key_order_table),
        cmocka_unit_test(test_key_decode_malformed),
        cmocka_unit_test(test_random_properties),
        cmocka_unit_test(test_random_against_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

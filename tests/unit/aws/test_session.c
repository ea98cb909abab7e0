/*
 * test_session.c — sealed session tokens (src/aws/session.c): issue/open round trips, the key
 * schedule, access key id and secret shapes, tampering with every byte and every character,
 * wrong keys, wrong access key ids, the expiry boundary, and oversize or garbage tokens.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "aws/session.h"
#include "core/errors.h"
#include "core/str.h"

#define ADMIN "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define ARN "arn:aws:sts::123456789012:assumed-role/deploy/ci-run-42"
#define UID "AROAABCDEFGHIJKLMNOPQ:ci-run-42"
#define T0 1765000000000LL

static struct gy_session_key key, other;

static int setup(void **state)
{
    gy_session_key_derive(GY_STR(ADMIN), &key);
    gy_session_key_derive(GY_STR(ADMIN "x"), &other);
    return 0;
}

static struct gy_str s(const char *c)
{
    return gy_str_c(c);
}

static void issue(struct gy_session *out, int64_t exp)
{
    assert_int_equal(gy_session_issue(&key, ARN, UID, exp, out), 0);
}

static void test_key_derive_deterministic(void **state)
{
    struct gy_session_key a, b;
    gy_session_key_derive(GY_STR(ADMIN), &a);
    gy_session_key_derive(GY_STR(ADMIN), &b);
    assert_memory_equal(&a, &b, sizeof(a));
    assert_memory_not_equal(a.k, other.k, sizeof(a.k));
    assert_memory_not_equal(a.mac, a.sec, sizeof(a.mac));
    assert_memory_not_equal(a.k, a.mac, sizeof(a.k));
}

static void test_round_trip(void **state)
{
    struct gy_session in, out;
    issue(&in, T0 + 3600000);
    assert_int_equal(strlen(in.access_key), 20);
    assert_memory_equal(in.access_key, "ASIA", 4);
    assert_true(gy_session_is_temporary_akid(s(in.access_key)));
    for (size_t i = 4; i < 20; i++)
        assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", in.access_key[i]));
    assert_int_equal(strlen(in.secret), 40);
    for (size_t i = 0; i < 40; i++)
        assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
                               in.secret[i]));
    assert_true(strlen(in.token) % 4 == 0);
    assert_true(strlen(in.token) < GY_SESSION_MAX_TOKEN);

    assert_int_equal(gy_session_open(&key, s(in.token), s(in.access_key), T0, &out),
                     GY_SESSION_OK);
    assert_string_equal(out.access_key, in.access_key);
    assert_string_equal(out.secret, in.secret);
    assert_string_equal(out.token, in.token);
    assert_string_equal(out.arn, ARN);
    assert_string_equal(out.user_id, UID);
    assert_int_equal(out.expires_ms, T0 + 3600000);
}

static void test_fresh_keys_each_issue(void **state)
{
    struct gy_session a, b;
    issue(&a, T0);
    issue(&b, T0);
    assert_string_not_equal(a.access_key, b.access_key);
    assert_string_not_equal(a.secret, b.secret);
    assert_string_not_equal(a.token, b.token);
}

static void test_other_region_same_admin_secret(void **state)
{
    /* Another process deriving from the same admin secret opens the token. */
    struct gy_session_key k2;
    struct gy_session in, out;
    gy_session_key_derive(GY_STR(ADMIN), &k2);
    issue(&in, T0 + 1000);
    assert_int_equal(gy_session_open(&k2, s(in.token), s(in.access_key), T0, &out),
                     GY_SESSION_OK);
    assert_string_equal(out.secret, in.secret);
}

static void test_wrong_key(void **state)
{
    struct gy_session in, out;
    issue(&in, T0 + 1000);
    assert_int_equal(gy_session_open(&other, s(in.token), s(in.access_key), T0, &out),
                     GY_SESSION_INVALID);
    /* Expired under the wrong key is still "not ours", never "expired". */
    assert_int_equal(gy_session_open(&other, s(in.token), s(in.access_key), T0 + 5000, &out),
                     GY_SESSION_INVALID);
}

static void test_wrong_akid(void **state)
{
    struct gy_session a, b, out;
    issue(&a, T0 + 1000);
    issue(&b, T0 + 1000);
    assert_int_equal(gy_session_open(&key, s(a.token), s(b.access_key), T0, &out),
                     GY_SESSION_INVALID);
    assert_int_equal(gy_session_open(&key, s(a.token), GY_STR_NULL, T0, &out),
                     GY_SESSION_INVALID);
    char akid[21];
    memcpy(akid, a.access_key, sizeof(akid));
    akid[0] = 'A', akid[1] = 'K'; /* AKIA...: a long-term key id with the same tail */
    assert_int_equal(gy_session_open(&key, s(a.token), s(akid), T0, &out), GY_SESSION_INVALID);
    akid[1] = 'S';
    akid[19] = akid[19] == 'A' ? 'B' : 'A';
    assert_int_equal(gy_session_open(&key, s(a.token), s(akid), T0, &out), GY_SESSION_INVALID);
    /* A prefix of the right id, and the right id with a byte more. */
    assert_int_equal(gy_session_open(&key, s(a.token), (struct gy_str){ a.access_key, 19 }, T0,
                                     &out),
                     GY_SESSION_INVALID);
    char longer[22];
    snprintf(longer, sizeof(longer), "%sA", a.access_key);
    assert_int_equal(gy_session_open(&key, s(a.token), s(longer), T0, &out), GY_SESSION_INVALID);
}

static void test_expiry_boundary(void **state)
{
    struct gy_session in, out;
    issue(&in, T0);
    assert_int_equal(gy_session_open(&key, s(in.token), s(in.access_key), T0 - 1, &out),
                     GY_SESSION_OK);
    assert_int_equal(gy_session_open(&key, s(in.token), s(in.access_key), T0, &out),
                     GY_SESSION_EXPIRED);
    /* Expired still reports who and when, for the error message. */
    assert_string_equal(out.arn, ARN);
    assert_int_equal(out.expires_ms, T0);
    assert_int_equal(gy_session_open(&key, s(in.token), s(in.access_key), INT64_MAX, &out),
                     GY_SESSION_EXPIRED);
    /* A token minted already expired (1 ms validity) opens as expired, not invalid. */
    issue(&in, T0 + 1);
    assert_int_equal(gy_session_open(&key, s(in.token), s(in.access_key), T0, &out),
                     GY_SESSION_OK);
    assert_int_equal(gy_session_open(&key, s(in.token), s(in.access_key), T0 + 1, &out),
                     GY_SESSION_EXPIRED);
}

/* Decode standard base64 (the test's own decoder, independent of session.c). */
static size_t unb64(const char *in, unsigned char *out)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = 0, bits = 0;
    uint32_t acc = 0;
    for (; *in && *in != '='; in++) {
        acc = acc << 6 | (uint32_t)(strchr(a, *in) - a);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (unsigned char)(acc >> bits);
        }
    }
    return n;
}

static void b64(const unsigned char *in, size_t n, char *out)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < n)
            v |= in[i + 2];
        out[o++] = a[v >> 18 & 63];
        out[o++] = a[v >> 12 & 63];
        out[o++] = i + 1 < n ? a[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? a[v & 63] : '=';
    }
    out[o] = '\0';
}

static void test_tamper_every_byte(void **state)
{
    struct gy_session in, out;
    unsigned char raw[1024];
    char text[GY_SESSION_MAX_TOKEN];
    issue(&in, T0 + 1000);
    size_t n = unb64(in.token, raw);
    b64(raw, n, text);
    assert_string_equal(text, in.token); /* the token is plain standard base64 */
    assert_int_equal(raw[0], 1);         /* version */
    for (size_t i = 0; i < n; i++) {
        for (int bit = 0; bit < 8; bit++) {
            raw[i] ^= (unsigned char)(1u << bit);
            b64(raw, n, text);
            assert_int_equal(gy_session_open(&key, s(text), s(in.access_key), T0, &out),
                             GY_SESSION_INVALID);
            raw[i] ^= (unsigned char)(1u << bit);
        }
    }
    /* Truncated at every length, and extended by a byte. */
    for (size_t k = 0; k < n; k++) {
        b64(raw, k, text);
        assert_int_equal(gy_session_open(&key, s(text), s(in.access_key), T0, &out),
                         GY_SESSION_INVALID);
    }
    raw[n] = 0;
    b64(raw, n + 1, text);
    assert_int_equal(gy_session_open(&key, s(text), s(in.access_key), T0, &out),
                     GY_SESSION_INVALID);
}

static void test_tamper_every_char(void **state)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ .%\n";
    struct gy_session in, out;
    char text[GY_SESSION_MAX_TOKEN];
    issue(&in, T0 + 1000);
    size_t n = strlen(in.token);
    for (size_t i = 0; i < n; i++) {
        for (const char *c = alphabet; *c; c++) {
            if (*c == in.token[i])
                continue;
            memcpy(text, in.token, n + 1);
            text[i] = *c;
            assert_int_equal(gy_session_open(&key, s(text), s(in.access_key), T0, &out),
                             GY_SESSION_INVALID);
        }
    }
}

static void test_garbage_and_oversize(void **state)
{
    struct gy_session in, out;
    issue(&in, T0 + 1000);
    const char *bad[] = {
        "", "=", "====", "AAAA", "AQ==", "not base64!", "AAAAAAAAAAAAAAAA",
        "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(gy_session_open(&key, s(bad[i]), s(in.access_key), T0, &out),
                         GY_SESSION_INVALID);
    assert_int_equal(gy_session_open(&key, GY_STR_NULL, s(in.access_key), T0, &out),
                     GY_SESSION_INVALID);
    assert_int_equal(gy_session_open(&key, (struct gy_str){ NULL, 8 }, s(in.access_key), T0,
                                     &out),
                     GY_SESSION_INVALID);

    /* Oversize: far longer than any token, with valid characters. */
    size_t big = 64 * 1024;
    char *huge = malloc(big + 1);
    assert_non_null(huge);
    memset(huge, 'A', big);
    huge[big] = '\0';
    assert_int_equal(gy_session_open(&key, s(huge), s(in.access_key), T0, &out),
                     GY_SESSION_INVALID);
    /* The real token with a long valid tail appended. */
    size_t n = strlen(in.token);
    memcpy(huge, in.token, n);
    assert_int_equal(gy_session_open(&key, (struct gy_str){ huge, n + 4096 }, s(in.access_key),
                                     T0, &out),
                     GY_SESSION_INVALID);
    free(huge);

    /* Wrong version with a valid MAC is impossible to build without the key; a version byte
     * flip alone is covered by the tamper test. A token with embedded NUL is rejected. */
    char withnul[GY_SESSION_MAX_TOKEN];
    memcpy(withnul, in.token, n);
    withnul[5] = '\0';
    assert_int_equal(gy_session_open(&key, (struct gy_str){ withnul, n }, s(in.access_key), T0,
                                     &out),
                     GY_SESSION_INVALID);
}

static void test_issue_limits(void **state)
{
    struct gy_session out, back;
    char arn[300], uid[200];
    memset(arn, 'a', sizeof(arn));
    memset(uid, 'u', sizeof(uid));

    arn[GY_SESSION_MAX_ARN] = '\0';
    uid[GY_SESSION_MAX_USER_ID] = '\0';
    assert_int_equal(gy_session_issue(&key, arn, uid, T0 + 1, &out), 0);
    assert_true(strlen(out.token) < GY_SESSION_MAX_TOKEN);
    assert_int_equal(gy_session_open(&key, s(out.token), s(out.access_key), T0, &back),
                     GY_SESSION_OK);
    assert_string_equal(back.arn, arn);
    assert_string_equal(back.user_id, uid);

    arn[GY_SESSION_MAX_ARN] = 'a';
    arn[GY_SESSION_MAX_ARN + 1] = '\0';
    assert_int_equal(gy_session_issue(&key, arn, "", T0, &out), GY_EINVAL);
    arn[GY_SESSION_MAX_ARN] = '\0';
    uid[GY_SESSION_MAX_USER_ID] = 'u';
    uid[GY_SESSION_MAX_USER_ID + 1] = '\0';
    assert_int_equal(gy_session_issue(&key, arn, uid, T0, &out), GY_EINVAL);
    assert_int_equal(gy_session_issue(&key, "", "", T0, &out), GY_EINVAL);
    assert_int_equal(gy_session_issue(&key, NULL, "", T0, &out), GY_EINVAL);

    /* Empty user id and NULL user id are allowed. */
    assert_int_equal(gy_session_issue(&key, ARN, NULL, T0 + 1, &out), 0);
    assert_int_equal(gy_session_open(&key, s(out.token), s(out.access_key), T0, &back),
                     GY_SESSION_OK);
    assert_string_equal(back.user_id, "");
}

/* The secret and the token's tag are HMAC-SHA256 as OpenSSL's HMAC() computes it. */
static void test_macs_match_openssl(void **state)
{
    struct gy_session in;
    unsigned char md[32], raw[1024];
    unsigned int mdlen = 32;
    char text[64];
    issue(&in, T0 + 1000);
    HMAC(EVP_sha256(), key.sec, 32, (const unsigned char *)in.access_key, 20, md, &mdlen);
    EVP_EncodeBlock((unsigned char *)text, md, 32);
    assert_memory_equal(in.secret, text, 40);
    size_t n = unb64(in.token, raw);
    HMAC(EVP_sha256(), key.mac, 32, raw, n - 32, md, &mdlen);
    assert_memory_equal(raw + n - 32, md, 32);
    /* And the key schedule is the documented one. */
    unsigned char k[32];
    HMAC(EVP_sha256(), ADMIN, (int)strlen(ADMIN), (const unsigned char *)"gyre-sts-v1", 11, k,
         &mdlen);
    assert_memory_equal(key.k, k, 32);
    HMAC(EVP_sha256(), k, 32, (const unsigned char *)"token", 5, md, &mdlen);
    assert_memory_equal(key.mac, md, 32);
    HMAC(EVP_sha256(), k, 32, (const unsigned char *)"secret", 6, md, &mdlen);
    assert_memory_equal(key.sec, md, 32);
}

static void test_akid_shape(void **state)
{
    assert_true(gy_session_is_temporary_akid(GY_STR("ASIAABCDEFGHIJ234567")));
    assert_false(gy_session_is_temporary_akid(GY_STR("AKIAABCDEFGHIJ234567")));
    assert_false(gy_session_is_temporary_akid(GY_STR("ASIAABCDEFGHIJ23456")));
    assert_false(gy_session_is_temporary_akid(GY_STR("ASIAABCDEFGHIJ2345678")));
    assert_false(gy_session_is_temporary_akid(GY_STR("ASIAABCDEFGHIJ234561"))); /* 1 is not b32 */
    assert_false(gy_session_is_temporary_akid(GY_STR("ASIAabcdefghij234567")));
    assert_false(gy_session_is_temporary_akid(GY_STR_NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_derive_deterministic),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_fresh_keys_each_issue),
        cmocka_unit_test(test_other_region_same_admin_secret),
        cmocka_unit_test(test_wrong_key),
        cmocka_unit_test(test_wrong_akid),
        cmocka_unit_test(test_expiry_boundary),
        cmocka_unit_test(test_tamper_every_byte),
        cmocka_unit_test(test_tamper_every_char),
        cmocka_unit_test(test_garbage_and_oversize),
        cmocka_unit_test(test_issue_limits),
        cmocka_unit_test(test_macs_match_openssl),
        cmocka_unit_test(test_akid_shape),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}

/*
 * test_sigv4.c — SigV4 verification against 26 requests captured from real AWS clients
 * (tests/data/sigv4/requests.jsonl), tamper detection, the clock-skew window, malformed
 * Authorization headers, presigned query auth, canonicalisation details and sign/verify
 * round trips. Run with cwd = tests/unit.
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

#include "aws/sigv4.h"
#include "core/arena.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/str.h"

#define DATA_PATH "../data/sigv4/requests.jsonl"
#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define MAX_VECTORS 64
#define MAX_HDRS 32
#define SKEW GY_SIGV4_DEFAULT_SKEW_MS
#define EMPTY_HASH "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* One captured request; every byte array is a private heap copy that tests may modify. */
struct vec {
    char *marker;
    char *method;
    char *target;
    size_t target_len;
    struct gy_sigv4_header headers[MAX_HDRS];
    char *names[MAX_HDRS];
    char *values[MAX_HDRS];
    size_t nheaders;
    char *body;
    size_t body_len;
    struct gy_sigv4_request req;
};

static struct vec g_vecs[MAX_VECTORS];
static size_t g_nvecs;

static char *dup_str(struct gy_str s)
{
    return gy_strndup(s.p ? s.p : "", s.len);
}

static void rebuild(struct vec *v)
{
    for (size_t i = 0; i < v->nheaders; i++) {
        v->headers[i].name = gy_str_c(v->names[i]);
        v->headers[i].value = gy_str_c(v->values[i]);
    }
    v->req.method = gy_str_c(v->method);
    v->req.target = (struct gy_str){v->target, v->target_len};
    v->req.headers = v->headers;
    v->req.nheaders = v->nheaders;
    v->req.body = (struct gy_str){v->body, v->body_len};
}

static void decode_base64(struct gy_str in, char **out, size_t *out_len)
{
    unsigned char *buf = gy_malloc(in.len / 4 * 3 + 4);
    int n = EVP_DecodeBlock(buf, (const unsigned char *)in.p, (int)in.len);
    assert_true(n >= 0);
    if (in.len >= 1 && in.p[in.len - 1] == '=')
        n--;
    if (in.len >= 2 && in.p[in.len - 2] == '=')
        n--;
    *out = (char *)buf;
    *out_len = (size_t)n;
}

static int load_vectors(void **state)
{
    FILE *f = fopen(DATA_PATH, "rb");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    char marker[128] = "";

    assert_non_null(f);
    while ((n = getline(&line, &cap, f)) > 0) {
        struct gy_arena *a = gy_arena_create(4096);
        const struct gy_json *j;
        const char *why;
        assert_int_equal(gy_json_parse(a, line, (size_t)n, &j, &why), 0);
        const struct gy_json *m = gy_json_get(j, "marker");
        if (m) {
            snprintf(marker, sizeof(marker), "%s", gy_json_str(m).p);
            gy_arena_destroy(a);
            continue;
        }
        assert_true(g_nvecs < MAX_VECTORS);
        struct vec *v = &g_vecs[g_nvecs++];
        v->marker = gy_strdup(marker);
        v->method = dup_str(gy_json_str(gy_json_get(j, "method")));
        struct gy_str path = gy_json_str(gy_json_get(j, "path"));
        v->target = dup_str(path);
        v->target_len = path.len;
        for (const struct gy_json *h = gy_json_child(gy_json_get(j, "headers")); h;
             h = gy_json_next(h)) {
            assert_true(v->nheaders < MAX_HDRS);
            const struct gy_json *name = gy_json_child(h);
            v->names[v->nheaders] = dup_str(gy_json_str(name));
            v->values[v->nheaders] = dup_str(gy_json_str(gy_json_next(name)));
            v->nheaders++;
        }
        struct gy_str body = gy_json_str(gy_json_get(j, "body"));
        struct gy_str enc = gy_json_str(gy_json_get(j, "body_encoding"));
        if (gy_str_eqc(enc, "base64")) {
            decode_base64(body, &v->body, &v->body_len);
        } else {
            assert_true(gy_str_eqc(enc, "utf8"));
            v->body = dup_str(body);
            v->body_len = body.len;
        }
        rebuild(v);
        gy_arena_destroy(a);
    }
    free(line);
    fclose(f);
    return 0;
}

static int free_vectors(void **state)
{
    for (size_t i = 0; i < g_nvecs; i++) {
        struct vec *v = &g_vecs[i];
        gy_free(v->marker);
        gy_free(v->method);
        gy_free(v->target);
        gy_free(v->body);
        for (size_t k = 0; k < v->nheaders; k++) {
            gy_free(v->names[k]);
            gy_free(v->values[k]);
        }
    }
    return 0;
}

static char *header_value(struct vec *v, const char *name)
{
    for (size_t i = 0; i < v->nheaders; i++) {
        if (strcasecmp(v->names[i], name) == 0)
            return v->values[i];
    }
    return NULL;
}

static int64_t request_time(struct vec *v)
{
    int64_t ms = 0;
    assert_int_equal(gy_sigv4_parse_amz_date(gy_str_c(header_value(v, "x-amz-date")), &ms), 0);
    return ms;
}

/* parse + verify with the example secret at the request's own time. */
static int check(struct vec *v, int64_t now_ms, char *msg, size_t msglen)
{
    struct gy_sigv4_auth auth;
    int rc = gy_sigv4_parse(&v->req, &auth, msg, msglen);
    if (rc)
        return rc;
    return gy_sigv4_verify(&v->req, &auth, GY_STR(SECRET), now_ms, SKEW, msg, msglen);
}

static int check_now(struct vec *v)
{
    char msg[512];
    return check(v, request_time(v), msg, sizeof(msg));
}

/* ---- the captured vectors ---------------------------------------------------------------- */

static void test_all_vectors_verify(void **state)
{
    char msg[512];
    assert_int_equal(g_nvecs, 26);
    for (size_t i = 0; i < g_nvecs; i++) {
        int rc = check(&g_vecs[i], request_time(&g_vecs[i]), msg, sizeof(msg));
        if (rc)
            fail_msg("vector %zu (%s): rc %d: %s", i, g_vecs[i].marker, rc, msg);
        assert_string_equal(msg, "");
    }
}

static void test_parse_fields(void **state)
{
    struct gy_sigv4_auth auth;
    char msg[256];
    bool saw_token = false;

    assert_int_equal(gy_sigv4_parse(&g_vecs[0].req, &auth, msg, sizeof(msg)), GY_SIGV4_OK);
    assert_string_equal(auth.access_key, "AKIDEXAMPLE");
    assert_string_equal(auth.date, "20261125");
    assert_string_equal(auth.region, "us-east-1");
    assert_string_equal(auth.service, "lambda");
    assert_string_equal(auth.signed_headers, "host;x-amz-date");
    assert_string_equal(auth.signature,
                        "0e9bdf794c9bbb01118288dd06fd209c834454188b9e1c32cadb4d10e32b8e78");
    assert_string_equal(auth.amz_date, "20261125T004604Z");
    assert_false(auth.has_security_token);
    assert_false(auth.query_auth);
    for (size_t i = 0; i < g_nvecs; i++) {
        assert_int_equal(gy_sigv4_parse(&g_vecs[i].req, &auth, msg, sizeof(msg)), 0);
        if (strcmp(auth.access_key, "ASIAEXAMPLE") == 0) {
            saw_token = true;
            assert_true(auth.has_security_token);
            assert_string_equal(auth.region, "eu-central-1");
        } else {
            assert_false(auth.has_security_token);
        }
    }
    assert_true(saw_token);
}

static void test_canonical_request_examples(void **state)
{
    struct gy_buf b;
    struct gy_sigv4_auth auth;
    char msg[128];

    gy_buf_init(&b, GY_SIGV4_MAX_CANONICAL);
    assert_int_equal(
        gy_sigv4_canonical_request(&g_vecs[0].req, GY_STR("host;x-amz-date"), false, &b), 0);
    assert_string_equal(b.p, "GET\n/2015-03-31/event-source-mappings/\n"
                             "EventSourceArn=arn%3Aaws%3Akinesis%3Aus-east-1%3A000000000000%3A"
                             "stream%2Fs%201&FunctionName=f1\n"
                             "host:127.0.0.1:18555\nx-amz-date:20261125T004604Z\n\n"
                             "host;x-amz-date\n" EMPTY_HASH);
    gy_buf_reset(&b);
    assert_int_equal(gy_sigv4_parse(&g_vecs[1].req, &auth, msg, sizeof(msg)), 0);
    assert_int_equal(
        gy_sigv4_canonical_request(&g_vecs[1].req, gy_str_c(auth.signed_headers), false, &b), 0);
    assert_string_equal(b.p, "GET\n/2017-03-31/tags/arn%253Aaws%253Alambda%253Aus-east-1%253A"
                             "000000000000%253Afunction%253Af1\n\n"
                             "host:127.0.0.1:18555\nx-amz-date:20261125T004606Z\n\n"
                             "host;x-amz-date\n" EMPTY_HASH);
    gy_buf_fini(&b);
}

/* ---- tampering ---------------------------------------------------------------------------- */

static char flip(char c)
{
    return c == 'A' ? 'B' : 'A';
}

static void test_flip_body(void **state)
{
    for (size_t i = 0; i < g_nvecs; i++) {
        struct vec *v = &g_vecs[i];
        if (v->body_len == 0)
            continue;
        size_t step = v->body_len / 40 + 1;
        for (size_t k = 0; k < v->body_len; k += step) {
            char old = v->body[k];
            v->body[k] = flip(old);
            assert_int_equal(check_now(v), GY_SIGV4_MISMATCH);
            v->body[k] = old;
        }
        char last = v->body[v->body_len - 1];
        v->body[v->body_len - 1] = flip(last);
        assert_int_equal(check_now(v), GY_SIGV4_MISMATCH);
        v->body[v->body_len - 1] = last;
        /* A body one byte shorter or longer also fails. */
        v->req.body.len--;
        assert_int_equal(check_now(v), GY_SIGV4_MISMATCH);
        v->req.body.len++;
        assert_int_equal(check_now(v), GY_SIGV4_OK);
    }
}

static void test_flip_target(void **state)
{
    for (size_t i = 0; i < g_nvecs; i++) {
        struct vec *v = &g_vecs[i];
        for (size_t k = 0; k < v->target_len; k++) {
            char old = v->target[k];
            v->target[k] = flip(old);
            int rc = check_now(v);
            if (rc != GY_SIGV4_MISMATCH)
                fail_msg("vector %zu target byte %zu: rc %d (%s)", i, k, rc, v->target);
            v->target[k] = old;
        }
        assert_int_equal(check_now(v), GY_SIGV4_OK);
    }
}

static void test_flip_signed_headers(void **state)
{
    char msg[512];
    for (size_t i = 0; i < g_nvecs; i++) {
        struct vec *v = &g_vecs[i];
        struct gy_sigv4_auth auth;
        int64_t t = request_time(v);
        assert_int_equal(gy_sigv4_parse(&v->req, &auth, msg, sizeof(msg)), 0);
        for (size_t h = 0; h < v->nheaders; h++) {
            char lname[64];
            size_t n = strlen(v->names[h]);
            assert_true(n < sizeof(lname));
            for (size_t c = 0; c <= n; c++)
                lname[c] =
                    (char)((v->names[h][c] >= 'A' && v->names[h][c] <= 'Z') ? v->names[h][c] + 32
                                                                            : v->names[h][c]);
            char *p = strstr(auth.signed_headers, lname);
            bool is_signed =
                p && (p == auth.signed_headers || p[-1] == ';') && (p[n] == ';' || p[n] == '\0');
            size_t vlen = strlen(v->values[h]);
            if (strcmp(lname, "authorization") == 0)
                continue; /* test_flip_signature covers it */
            for (size_t k = 0; k < vlen; k++) {
                char old = v->values[h][k];
                v->values[h][k] = flip(old);
                int rc = check(v, t, msg, sizeof(msg));
                if (!is_signed) {
                    assert_int_equal(rc, GY_SIGV4_OK);
                } else if (strcmp(lname, "x-amz-date") == 0) {
                    assert_int_not_equal(rc, GY_SIGV4_OK); /* malformed, scope or skew */
                } else if (rc != GY_SIGV4_MISMATCH) {
                    fail_msg("vector %zu header %s byte %zu: rc %d", i, lname, k, rc);
                }
                v->values[h][k] = old;
            }
        }
        assert_int_equal(check_now(v), GY_SIGV4_OK);
    }
}

static void test_flip_signature(void **state)
{
    char msg[512];
    for (size_t i = 0; i < g_nvecs; i++) {
        struct vec *v = &g_vecs[i];
        char *a = header_value(v, "authorization");
        char *sig = strstr(a, "Signature=") + 10;
        assert_int_equal(strlen(sig), 64);
        for (size_t k = 0; k < 64; k++) {
            char old = sig[k];
            sig[k] = old == '0' ? '1' : '0';
            assert_int_equal(check(v, request_time(v), msg, sizeof(msg)), GY_SIGV4_MISMATCH);
            assert_string_equal(msg, "The request signature we calculated does not match the "
                                     "signature you provided. Check your AWS Secret Access Key "
                                     "and signing method. Consult the service documentation "
                                     "for details.");
            sig[k] = old;
        }
        /* Upper-case hex is a different signature; a truncated one never matches. */
        char old = sig[0];
        if (sig[0] >= 'a' && sig[0] <= 'f') {
            sig[0] = (char)(sig[0] - 32);
            assert_int_equal(check_now(v), GY_SIGV4_MISMATCH);
            sig[0] = old;
        }
        char last = sig[63];
        sig[63] = '\0';
        assert_int_equal(check_now(v), GY_SIGV4_MISMATCH);
        sig[63] = last;
        assert_int_equal(check_now(v), GY_SIGV4_OK);
    }
}

static void test_wrong_secret(void **state)
{
    struct gy_sigv4_auth auth;
    char msg[512];
    struct vec *v = &g_vecs[4];

    assert_int_equal(gy_sigv4_parse(&v->req, &auth, msg, sizeof(msg)), 0);
    assert_int_equal(gy_sigv4_verify(&v->req, &auth,
                                     GY_STR("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEz"),
                                     request_time(v), SKEW, msg, sizeof(msg)),
                     GY_SIGV4_MISMATCH);
    assert_int_equal(
        gy_sigv4_verify(&v->req, &auth, GY_STR(""), request_time(v), SKEW, msg, sizeof(msg)),
        GY_SIGV4_MISMATCH);
}

static void test_unsigned_headers_free(void **state)
{
    for (size_t i = 0; i < g_nvecs; i++) {
        struct vec *v = &g_vecs[i];
        char *ua = header_value(v, "user-agent");
        assert_non_null(ua);
        char *saved = gy_strdup(ua);
        memset(ua, 'z', strlen(ua));
        assert_int_equal(check_now(v), GY_SIGV4_OK);
        memcpy(ua, saved, strlen(saved));
        gy_free(saved);
        /* An extra unsigned header is ignored too. */
        assert_true(v->nheaders < MAX_HDRS);
        v->names[v->nheaders] = gy_strdup("X-Amzn-Trace-Id");
        v->values[v->nheaders] = gy_strdup("Root=1-abc");
        v->nheaders++;
        rebuild(v);
        assert_int_equal(check_now(v), GY_SIGV4_OK);
        v->nheaders--;
        gy_free(v->names[v->nheaders]);
        gy_free(v->values[v->nheaders]);
        rebuild(v);
    }
}

static void test_added_signed_header_repeat(void **state)
{
    /* A second Host header is joined with ',' into the canonical value: signature breaks. */
    struct vec *v = &g_vecs[4];
    v->names[v->nheaders] = gy_strdup("HOST");
    v->values[v->nheaders] = gy_strdup("127.0.0.1:18555");
    v->nheaders++;
    rebuild(v);
    assert_int_equal(check_now(v), GY_SIGV4_MISMATCH);
    v->nheaders--;
    gy_free(v->names[v->nheaders]);
    gy_free(v->values[v->nheaders]);
    rebuild(v);
    assert_int_equal(check_now(v), GY_SIGV4_OK);
}

/* ---- clock skew --------------------------------------------------------------------------- */

static void test_expiry_boundaries(void **state)
{
    struct vec *v = &g_vecs[0]; /* X-Amz-Date 20261125T004604Z */
    int64_t t = request_time(v);
    char msg[512];

    assert_int_equal(check(v, t + SKEW, msg, sizeof(msg)), GY_SIGV4_OK);
    assert_int_equal(check(v, t - SKEW, msg, sizeof(msg)), GY_SIGV4_OK);
    assert_int_equal(check(v, t + SKEW + 1, msg, sizeof(msg)), GY_SIGV4_EXPIRED);
    assert_string_equal(msg, "Signature expired: 20261125T004604Z is now earlier than "
                             "20261125T004604Z (20261125T010104Z - 15 min.)");
    assert_int_equal(check(v, t + 25 * 60000, msg, sizeof(msg)), GY_SIGV4_EXPIRED);
    assert_string_equal(msg, "Signature expired: 20261125T004604Z is now earlier than "
                             "20261125T005604Z (20261125T011104Z - 15 min.)");
    assert_int_equal(check(v, t - SKEW - 1, msg, sizeof(msg)), GY_SIGV4_EXPIRED);
    assert_string_equal(msg, "Signature not yet current: 20261125T004604Z is still later than "
                             "20261125T004603Z (20261125T003103Z + 15 min.)");
    /* A custom window: 5 minutes. */
    struct gy_sigv4_auth auth;
    assert_int_equal(gy_sigv4_parse(&v->req, &auth, msg, sizeof(msg)), 0);
    assert_int_equal(
        gy_sigv4_verify(&v->req, &auth, GY_STR(SECRET), t + 300000, 300000, msg, sizeof(msg)),
        GY_SIGV4_OK);
    assert_int_equal(
        gy_sigv4_verify(&v->req, &auth, GY_STR(SECRET), t + 300001, 300000, msg, sizeof(msg)),
        GY_SIGV4_EXPIRED);
    assert_string_equal(msg, "Signature expired: 20261125T004604Z is now earlier than "
                             "20261125T004604Z (20261125T005104Z - 5 min.)");
}

/* ---- malformed Authorization -------------------------------------------------------------- */

struct hdrs {
    struct gy_sigv4_header h[8];
    struct gy_sigv4_request req;
};

static void mkreq(struct hdrs *r, const char *authz, const char *amz_date)
{
    size_t n = 0;
    r->h[n++] = (struct gy_sigv4_header){GY_STR("Host"), GY_STR("127.0.0.1:18555")};
    if (amz_date)
        r->h[n++] = (struct gy_sigv4_header){GY_STR("X-Amz-Date"), gy_str_c(amz_date)};
    if (authz)
        r->h[n++] = (struct gy_sigv4_header){GY_STR("Authorization"), gy_str_c(authz)};
    r->req = (struct gy_sigv4_request){GY_STR("POST"), GY_STR("/"), r->h, n, GY_STR("{}")};
}

static void expect_parse(const char *authz, const char *amz_date, int status, const char *want)
{
    struct hdrs r;
    struct gy_sigv4_auth auth;
    char msg[1024];

    mkreq(&r, authz, amz_date);
    int rc = gy_sigv4_parse(&r.req, &auth, msg, sizeof(msg));
    if (rc != status)
        fail_msg("%s: rc %d want %d (%s)", authz ? authz : "(none)", rc, status, msg);
    assert_string_equal(msg, want);
    if (rc)
        assert_string_equal(auth.access_key, ""); /* zeroed on failure */
}

#define GOOD_CRED "Credential=AKIDEXAMPLE/20261125/us-east-1/dynamodb/aws4_request"
#define GOOD_SIG "Signature=6a688957ac0bb8215146615bd233f92c6692e2f538f35ff0a98a3d1e5fe6f5ac"
#define AD "20261125T004604Z"

static void test_malformed_authorization(void **state)
{
    expect_parse("AWS4-HMAC-SHA256 " GOOD_CRED ", SignedHeaders=host;x-amz-date, " GOOD_SIG, AD,
                 GY_SIGV4_OK, "");
    /* No spaces after commas is accepted too. */
    expect_parse("AWS4-HMAC-SHA256 " GOOD_CRED ",SignedHeaders=host," GOOD_SIG, AD, GY_SIGV4_OK,
                 "");
    expect_parse("AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, " GOOD_SIG, AD,
                 GY_SIGV4_MALFORMED,
                 "Authorization header requires 'Credential' parameter. Authorization="
                 "AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, " GOOD_SIG);
    expect_parse("AWS4-HMAC-SHA256 " GOOD_CRED, AD, GY_SIGV4_MALFORMED,
                 "Authorization header requires 'Signature' parameter. Authorization header "
                 "requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 " GOOD_CRED);
    expect_parse("Basic Zm9vOmJhcg==", NULL, GY_SIGV4_MALFORMED,
                 "Authorization header requires 'Credential' parameter. Authorization header "
                 "requires 'Signature' parameter. Authorization header requires 'SignedHeaders' "
                 "parameter. Authorization header requires existence of either a 'X-Amz-Date' "
                 "or a 'Date' header. Authorization=Basic Zm9vOmJhcg==");
    expect_parse("", AD, GY_SIGV4_MALFORMED,
                 "Authorization header requires 'Credential' parameter. Authorization header "
                 "requires 'Signature' parameter. Authorization header requires 'SignedHeaders' "
                 "parameter. Authorization=");
    expect_parse(
        "AWS4-HMAC-SHA256 " GOOD_CRED ", SignedHeaders=host, " GOOD_SIG, NULL, GY_SIGV4_MALFORMED,
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
        "header. Authorization=AWS4-HMAC-SHA256 " GOOD_CRED ", SignedHeaders=host, " GOOD_SIG);
    expect_parse("AWS4-HMAC-SHA256 " GOOD_CRED ", SignedHeaders=host, " GOOD_SIG,
                 "2026-11-25T00:46:04Z", GY_SIGV4_MALFORMED,
                 "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
                 "header. Authorization=AWS4-HMAC-SHA256 " GOOD_CRED
                 ", SignedHeaders=host, " GOOD_SIG);
    expect_parse("AWS4-HMAC-SHA256 " GOOD_CRED ", SignedHeaders=host, " GOOD_SIG,
                 "20261131T004604Z", GY_SIGV4_MALFORMED,
                 "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
                 "header. Authorization=AWS4-HMAC-SHA256 " GOOD_CRED
                 ", SignedHeaders=host, " GOOD_SIG);
    expect_parse("AWS4-HMAC-SHA512 " GOOD_CRED ", SignedHeaders=host, " GOOD_SIG, AD,
                 GY_SIGV4_MALFORMED, "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'.");
    expect_parse("AWS4-HMAC-SHA256 " GOOD_CRED ", SignedHeaders=content-type;x-amz-date, " GOOD_SIG,
                 AD, GY_SIGV4_MALFORMED,
                 "'Host' must be a 'SignedHeader' in the AWS Authorization.");
    expect_parse("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261125/us-east-1/dynamodb/"
                 "aws5_request, SignedHeaders=host, " GOOD_SIG,
                 AD, GY_SIGV4_MALFORMED,
                 "Credential should be scoped with a valid terminator: 'aws4_request', not "
                 "'aws5_request'.");
    expect_parse("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261124/us-east-1/dynamodb/"
                 "aws4_request, SignedHeaders=host, " GOOD_SIG,
                 AD, GY_SIGV4_MALFORMED,
                 "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
                 "from HTTP: '20261124' != '20261125', from '20261125T004604Z'.");
    expect_parse("AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host, " GOOD_SIG, AD,
                 GY_SIGV4_MALFORMED,
                 "Credential should be scoped with a valid terminator: 'aws4_request', not 'e'. "
                 "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
                 "from HTTP: 'b' != '20261125', from '20261125T004604Z'.");
    expect_parse("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE, SignedHeaders=host, " GOOD_SIG, AD,
                 GY_SIGV4_MALFORMED,
                 "Credential should be scoped to a valid region, not ''. Credential should be "
                 "scoped to correct service: ''. Credential should be scoped with a valid "
                 "terminator: 'aws4_request', not ''. Date in Credential scope does not match "
                 "YYYYMMDD from ISO-8601 version of date from HTTP: '' != '20261125', from "
                 "'20261125T004604Z'.");
    expect_parse("AWS4-HMAC-SHA256 Credential=/20261125/us-east-1/dynamodb/aws4_request, "
                 "SignedHeaders=host, " GOOD_SIG,
                 AD, GY_SIGV4_MALFORMED,
                 "Authorization header requires 'Credential' parameter. Credential access key "
                 "id must be 1 to 128 characters.");
    expect_parse("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261125/us-east-1/dynamodb/"
                 "aws4_request/x, SignedHeaders=host, " GOOD_SIG,
                 AD, GY_SIGV4_MALFORMED,
                 "Credential should be scoped with a valid terminator: 'aws4_request', not "
                 "'aws4_request/x'.");
    /* Over-long fields. */
    char buf[1600], big[1200];
    memset(big, 'a', 1100);
    big[1100] = '\0';
    snprintf(buf, sizeof(buf), "AWS4-HMAC-SHA256 " GOOD_CRED ", SignedHeaders=host;%s, " GOOD_SIG,
             big);
    expect_parse(buf, AD, GY_SIGV4_MALFORMED, "SignedHeaders is longer than 1023 characters.");
    big[129] = '\0';
    snprintf(buf, sizeof(buf),
             "AWS4-HMAC-SHA256 Credential=%s/20261125/us-east-1/dynamodb/aws4_request, "
             "SignedHeaders=host, " GOOD_SIG,
             big);
    expect_parse(buf, AD, GY_SIGV4_MALFORMED,
                 "Authorization header requires 'Credential' parameter. Credential access key "
                 "id must be 1 to 128 characters.");
    big[128] = '\0';
    snprintf(buf, sizeof(buf),
             "AWS4-HMAC-SHA256 Credential=%s/20261125/us-east-1/dynamodb/aws4_request, "
             "SignedHeaders=host, " GOOD_SIG,
             big);
    expect_parse(buf, AD, GY_SIGV4_OK, "");
    big[64] = '\0';
    snprintf(buf, sizeof(buf),
             "AWS4-HMAC-SHA256 Credential=AKID/20261125/%s/dynamodb/aws4_request, "
             "SignedHeaders=host, " GOOD_SIG,
             big);
    expect_parse(buf, AD, GY_SIGV4_MALFORMED,
                 "Credential should be scoped to a valid region, not "
                 "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'.");
    expect_parse("AWS4-HMAC-SHA256 " GOOD_CRED ", SignedHeaders=host, " GOOD_SIG "0", AD,
                 GY_SIGV4_MALFORMED,
                 "The request signature we calculated does not match the signature you "
                 "provided. Check your AWS Secret Access Key and signing method. Consult the "
                 "service documentation for details.");
}

static void test_missing_auth(void **state)
{
    expect_parse(NULL, AD, GY_SIGV4_MISSING, "Request is missing Authentication Token");
    /* A query without X-Amz-Algorithm is not query auth. */
    struct hdrs r;
    struct gy_sigv4_auth auth;
    char msg[128];
    mkreq(&r, NULL, AD);
    r.req.target = GY_STR("/?X-Amz-Credential=x&X-Amz-AlgorithmX=1");
    assert_int_equal(gy_sigv4_parse(&r.req, &auth, msg, sizeof(msg)), GY_SIGV4_MISSING);
    /* msg may be NULL with msglen 0. */
    assert_int_equal(gy_sigv4_parse(&r.req, &auth, NULL, 0), GY_SIGV4_MISSING);
    /* A tiny message buffer truncates safely. */
    assert_int_equal(gy_sigv4_parse(&r.req, &auth, msg, 8), GY_SIGV4_MISSING);
    assert_string_equal(msg, "Request");
}

static void test_too_many_headers(void **state)
{
    struct gy_sigv4_header *h = gy_calloc(GY_SIGV4_MAX_HEADERS + 1, sizeof(*h));
    struct gy_sigv4_auth auth;
    char msg[128];
    for (size_t i = 0; i <= GY_SIGV4_MAX_HEADERS; i++)
        h[i] = (struct gy_sigv4_header){GY_STR("X-Pad"), GY_STR("v")};
    struct gy_sigv4_request req = {GY_STR("POST"), GY_STR("/"), h, GY_SIGV4_MAX_HEADERS + 1,
                                   GY_STR_NULL};
    assert_int_equal(gy_sigv4_parse(&req, &auth, msg, sizeof(msg)), GY_SIGV4_MALFORMED);
    assert_string_equal(msg, "Too many headers: at most 256 are accepted.");
    struct gy_buf b;
    gy_buf_init(&b, 1 << 20);
    assert_int_equal(gy_sigv4_canonical_request(&req, GY_STR("host"), false, &b), -1);
    gy_buf_fini(&b);
    gy_free(h);
}

static void test_date_header_fallback(void **state)
{
    struct gy_sigv4_header h[3] = {
        {GY_STR("Host"), GY_STR("h")},
        {GY_STR("date"), GY_STR("Wed, 25 Nov 2026 00:46:04 GMT")},
        {GY_STR("Authorization"),
         GY_STR("AWS4-HMAC-SHA256 " GOOD_CRED ", SignedHeaders=date;host, " GOOD_SIG)},
    };
    struct gy_sigv4_request req = {GY_STR("POST"), GY_STR("/"), h, 3, GY_STR_NULL};
    struct gy_sigv4_auth auth;
    struct gy_buf out;
    char msg[256];

    assert_int_equal(gy_sigv4_parse(&req, &auth, msg, sizeof(msg)), GY_SIGV4_OK);
    assert_string_equal(auth.amz_date, "20261125T004604Z");
    h[1].value = GY_STR("Wed, 25 Nov 2026 00:46:04 UTC");
    assert_int_equal(gy_sigv4_parse(&req, &auth, msg, sizeof(msg)), GY_SIGV4_MALFORMED);
    h[1].value = GY_STR("Wed, 25 Foo 2026 00:46:04 GMT");
    assert_int_equal(gy_sigv4_parse(&req, &auth, msg, sizeof(msg)), GY_SIGV4_MALFORMED);
    (void)out;
}

/* ---- canonicalisation details ------------------------------------------------------------- */

static void expect_canon(const char *target, const struct gy_sigv4_header *h, size_t nh,
                         const char *signed_headers, const char *want)
{
    struct gy_sigv4_request req = {GY_STR("get"), gy_str_c(target), h, nh, GY_STR_NULL};
    struct gy_buf b;
    gy_buf_init(&b, 1 << 16);
    assert_int_equal(gy_sigv4_canonical_request(&req, gy_str_c(signed_headers), false, &b), 0);
    assert_string_equal(b.p, want);
    gy_buf_fini(&b);
}

#define HOSTH                                                                                      \
    {                                                                                              \
        GY_STR("Host"), GY_STR("example.com:8000")                                                 \
    }
#define TAIL "host:example.com:8000\n\nhost\n" EMPTY_HASH

static void test_canonical_uri(void **state)
{
    const struct gy_sigv4_header h[] = {HOSTH};
    expect_canon("", h, 1, "host", "GET\n/\n\n" TAIL);
    expect_canon("/", h, 1, "host", "GET\n/\n\n" TAIL);
    expect_canon("//", h, 1, "host", "GET\n/\n\n" TAIL);
    expect_canon("/a/./b/../c//", h, 1, "host", "GET\n/a/c/\n\n" TAIL);
    expect_canon("/../../a", h, 1, "host", "GET\n/a\n\n" TAIL);
    expect_canon("/a/b/..", h, 1, "host", "GET\n/a\n\n" TAIL);
    expect_canon("/a/b/../", h, 1, "host", "GET\n/a/\n\n" TAIL);
    expect_canon("/a/..", h, 1, "host", "GET\n/\n\n" TAIL);
    expect_canon("/a b/%41~%7e/\xc3\xa9*", h, 1, "host",
                 "GET\n/a%20b/%2541~%257e/%C3%A9%2A\n\n" TAIL);
    expect_canon("/p.q/-_./.../x?", h, 1, "host", "GET\n/p.q/-_./.../x\n\n" TAIL);
    expect_canon("rel/x", h, 1, "host", "GET\nrel/x\n\n" TAIL);
}

static void test_canonical_query(void **state)
{
    const struct gy_sigv4_header h[] = {HOSTH};
    expect_canon("/?b=2&a=1", h, 1, "host", "GET\n/\na=1&b=2\n" TAIL);
    expect_canon("/?a=2&a=1&a=10", h, 1, "host", "GET\n/\na=1&a=10&a=2\n" TAIL);
    expect_canon("/?flag&x=", h, 1, "host", "GET\n/\nflag=&x=\n" TAIL);
    expect_canon("/?k=%3a%2f%20+~%7E", h, 1, "host", "GET\n/\nk=%3A%2F%20%2B~~\n" TAIL);
    expect_canon("/?k=a b*&%zz=%4", h, 1, "host", "GET\n/\n%25zz=%254&k=a%20b%2A\n" TAIL);
    expect_canon("/?Z=1&a=1&_=1", h, 1, "host", "GET\n/\nZ=1&_=1&a=1\n" TAIL);
    expect_canon("/?a=b=c", h, 1, "host", "GET\n/\na=b%3Dc\n" TAIL);
    expect_canon("/?&", h, 1, "host", "GET\n/\n=&=\n" TAIL);
}

static void test_canonical_headers(void **state)
{
    const struct gy_sigv4_header h[] = {
        {GY_STR("X-Amz-Meta"), GY_STR("  a   b \t c  ")},
        HOSTH,
        {GY_STR("x-amz-meta"), GY_STR("second")},
        {GY_STR("Content-Type"), GY_STR("application/json")},
        {GY_STR("X-AMZ-META"), GY_STR("")},
    };
    expect_canon("/", h, 5, "content-type;host;x-amz-meta;x-missing",
                 "GET\n/\n\ncontent-type:application/json\nhost:example.com:8000\n"
                 "x-amz-meta:a b c,second,\nx-missing:\n\n"
                 "content-type;host;x-amz-meta;x-missing\n" EMPTY_HASH);
    /* X-Amz-Content-SHA256 replaces the body hash. */
    const struct gy_sigv4_header h2[] = {
        HOSTH, {GY_STR("X-Amz-Content-Sha256"), GY_STR(" UNSIGNED-PAYLOAD ")}};
    expect_canon("/", h2, 2, "host", "GET\n/\n\nhost:example.com:8000\n\nhost\nUNSIGNED-PAYLOAD");
}

static void test_canonical_limits(void **state)
{
    struct gy_sigv4_header h[] = {HOSTH};
    struct gy_buf b;
    char *target = gy_malloc(4 * 300 + 3);
    size_t n = 0;

    target[n++] = '/';
    target[n++] = '?';
    for (int i = 0; i < 300; i++) {
        memcpy(target + n, "a=1&", 4);
        n += 4;
    }
    target[n - 1] = '\0';
    struct gy_sigv4_request req = {GY_STR("GET"), {target, n - 1}, h, 1, GY_STR_NULL};
    gy_buf_init(&b, 1 << 20);
    assert_int_equal(gy_sigv4_canonical_request(&req, GY_STR("host"), false, &b), -1);
    /* The bounded buffer limit is reported as GY_ETOOBIG (-3). */
    struct gy_buf small;
    gy_buf_init(&small, 16);
    req.target = GY_STR("/a/b/c/d/e/f/g/h/i");
    assert_int_equal(gy_sigv4_canonical_request(&req, GY_STR("host"), false, &small), -3);
    /* Too many signed header names. */
    char sh[1024];
    size_t o = 0;
    for (int i = 0; i < 70; i++)
        o += (size_t)snprintf(sh + o, sizeof(sh) - o, "%sh%d", i ? ";" : "", i);
    gy_buf_reset(&b);
    req.target = GY_STR("/");
    assert_int_equal(gy_sigv4_canonical_request(&req, gy_str_c(sh), false, &b), -1);
    gy_buf_fini(&small);
    gy_buf_fini(&b);
    gy_free(target);
}

static void test_dates(void **state)
{
    int64_t ms = -1;
    char out[17];
    assert_int_equal(gy_sigv4_parse_amz_date(GY_STR("19700101T000000Z"), &ms), 0);
    assert_int_equal(ms, 0);
    assert_int_equal(gy_sigv4_parse_amz_date(GY_STR("20261125T004604Z"), &ms), 0);
    assert_int_equal(ms, 1795567564000LL);
    gy_sigv4_format_amz_date(ms + 999, out);
    assert_string_equal(out, "20261125T004604Z");
    assert_int_equal(gy_sigv4_parse_amz_date(GY_STR("20240229T235959Z"), &ms), 0);
    gy_sigv4_format_amz_date(ms + 1000, out);
    assert_string_equal(out, "20240301T000000Z");
    gy_sigv4_format_amz_date(-1000, out);
    assert_string_equal(out, "19691231T235959Z");
    assert_int_equal(gy_sigv4_parse_amz_date(GY_STR("20261325T004604Z"), &ms), -1);
    assert_int_equal(gy_sigv4_parse_amz_date(GY_STR("20261125T244604Z"), &ms), -1);
    assert_int_equal(gy_sigv4_parse_amz_date(GY_STR("20261125T004604"), &ms), -1);
    assert_int_equal(gy_sigv4_parse_amz_date(GY_STR("20261125t004604Z"), &ms), -1);
    assert_int_equal(gy_sigv4_parse_amz_date(GY_STR("2026112 T004604Z"), &ms), -1);
    assert_int_equal(gy_sigv4_parse_amz_date(GY_STR("20260000T004604Z"), &ms), -1);
    assert_int_equal(gy_sigv4_parse_amz_date(GY_STR("20250229T000000Z"), &ms), -1);
    assert_int_equal(gy_sigv4_parse_amz_date(GY_STR("20000229T000000Z"), &ms), 0);
    assert_int_equal(gy_sigv4_parse_amz_date(GY_STR("21000229T000000Z"), &ms), -1);
}

/* ---- signing ------------------------------------------------------------------------------ */

static void test_sign_reproduces_captured(void **state)
{
    struct gy_buf out;
    gy_buf_init(&out, 4096);
    for (size_t i = 0; i < g_nvecs; i++) {
        struct vec *v = &g_vecs[i];
        struct gy_sigv4_auth auth;
        char msg[256];
        assert_int_equal(gy_sigv4_parse(&v->req, &auth, msg, sizeof(msg)), 0);
        gy_buf_reset(&out);
        assert_int_equal(gy_sigv4_sign(&v->req, auth.access_key, GY_STR(SECRET), auth.region,
                                       auth.service, auth.amz_date, &out),
                         0);
        assert_string_equal(out.p, header_value(v, "authorization"));
    }
    gy_buf_fini(&out);
}

static void test_sign_roundtrip(void **state)
{
    struct gy_sigv4_header h[6] = {
        {GY_STR("Host"), GY_STR("peer.example:8000")},
        {GY_STR("Content-Type"), GY_STR("application/x-amz-json-1.0")},
        {GY_STR("X-Amz-Target"), GY_STR("DynamoDB_20120810.PutItem")},
        {GY_STR("X-Amz-Date"), GY_STR("20240102T030405Z")},
        {GY_STR("User-Agent"), GY_STR("gyre")},
        {GY_STR("Authorization"), GY_STR_NULL},
    };
    struct gy_sigv4_request req = {GY_STR("POST"), GY_STR("/a%20b/?x=1&b=%2F"), h, 5,
                                   GY_STR("{\"TableName\":\"t\"}")};
    struct gy_sigv4_auth auth;
    struct gy_buf out;
    char msg[512];
    int64_t now;

    gy_buf_init(&out, 4096);
    assert_int_equal(gy_sigv4_sign(&req, "AKIDPEER", GY_STR("s3cr3t"), "eu-west-1", "dynamodb",
                                   "20240102T030405Z", &out),
                     0);
    assert_true(gy_str_startswith(gy_buf_str(&out),
                                  GY_STR("AWS4-HMAC-SHA256 Credential=AKIDPEER/20240102/eu-west-1/"
                                         "dynamodb/aws4_request, SignedHeaders=content-type;host;"
                                         "x-amz-date;x-amz-target, Signature=")));
    assert_int_equal(out.len, strlen("AWS4-HMAC-SHA256 Credential=AKIDPEER/20240102/eu-west-1/"
                                     "dynamodb/aws4_request, SignedHeaders=content-type;host;"
                                     "x-amz-date;x-amz-target, Signature=") +
                                  64);
    h[5].value = gy_buf_str(&out);
    req.nheaders = 6;
    assert_int_equal(gy_sigv4_parse(&req, &auth, msg, sizeof(msg)), 0);
    assert_int_equal(gy_sigv4_parse_amz_date(GY_STR("20240102T030405Z"), &now), 0);
    assert_int_equal(
        gy_sigv4_verify(&req, &auth, GY_STR("s3cr3t"), now + 1000, SKEW, msg, sizeof(msg)),
        GY_SIGV4_OK);
    assert_int_equal(gy_sigv4_verify(&req, &auth, GY_STR("s3cr3T"), now, SKEW, msg, sizeof(msg)),
                     GY_SIGV4_MISMATCH);
    req.body = GY_STR("{\"TableName\":\"u\"}");
    assert_int_equal(gy_sigv4_verify(&req, &auth, GY_STR("s3cr3t"), now, SKEW, msg, sizeof(msg)),
                     GY_SIGV4_MISMATCH);
    gy_buf_fini(&out);

    /* Argument errors. */
    req.nheaders = 5;
    gy_buf_init(&out, 4096);
    assert_int_equal(gy_sigv4_sign(&req, "AK", GY_STR("s"), "r", "d", "20240102T030406Z", &out),
                     -1); /* X-Amz-Date header differs */
    assert_int_equal(gy_sigv4_sign(&req, "A/K", GY_STR("s"), "r", "d", "20240102T030405Z", &out),
                     -1);
    assert_int_equal(gy_sigv4_sign(&req, "AK", GY_STR("s"), "", "d", "20240102T030405Z", &out), -1);
    assert_int_equal(gy_sigv4_sign(&req, "AK", GY_STR("s"), "r", "d", "2024", &out), -1);
    req.headers = h + 1; /* no Host */
    req.nheaders = 4;
    assert_int_equal(gy_sigv4_sign(&req, "AK", GY_STR("s"), "r", "d", "20240102T030405Z", &out),
                     -1);
    assert_int_equal(out.len, 0);
    /* A tiny output buffer. */
    struct gy_buf tiny;
    gy_buf_init(&tiny, 10);
    req.headers = h;
    req.nheaders = 5;
    assert_int_equal(gy_sigv4_sign(&req, "AK", GY_STR("s"), "r", "d", "20240102T030405Z", &tiny),
                     -3);
    gy_buf_fini(&tiny);
    /* An over-long secret is refused, not truncated. */
    char secret[GY_SIGV4_MAX_SECRET + 1];
    memset(secret, 's', sizeof(secret));
    assert_int_equal(gy_sigv4_sign(&req, "AK", (struct gy_str){secret, sizeof(secret)}, "r", "d",
                                   "20240102T030405Z", &out),
                     -3);
    gy_buf_fini(&out);
}

/* ---- presigned (query) auth --------------------------------------------------------------- */

/* Independent HMAC chain for the expected signature of a canonical request. */
static void expected_sig(const char *canon, const char *amz_date, const char *scope_date,
                         const char *region, const char *service, const char *secret, char out[65])
{
    unsigned char md[32], k[32];
    unsigned int len;
    char hex[65], sts[512], key[128];

    EVP_Digest(canon, strlen(canon), md, &len, EVP_sha256(), NULL);
    gy_hex(md, 32, hex);
    snprintf(sts, sizeof(sts), "AWS4-HMAC-SHA256\n%s\n%s/%s/%s/aws4_request\n%s", amz_date,
             scope_date, region, service, hex);
    snprintf(key, sizeof(key), "AWS4%s", secret);
    HMAC(EVP_sha256(), key, (int)strlen(key), (const unsigned char *)scope_date, strlen(scope_date),
         k, &len);
    HMAC(EVP_sha256(), k, 32, (const unsigned char *)region, strlen(region), k, &len);
    HMAC(EVP_sha256(), k, 32, (const unsigned char *)service, strlen(service), k, &len);
    HMAC(EVP_sha256(), k, 32, (const unsigned char *)"aws4_request", 12, k, &len);
    HMAC(EVP_sha256(), k, 32, (const unsigned char *)sts, strlen(sts), k, &len);
    gy_hex(k, 32, out);
}

static void test_query_auth(void **state)
{
    const char *base = "/2015-03-31/functions?X-Amz-Algorithm=AWS4-HMAC-SHA256"
                       "&X-Amz-Credential=AKIDEXAMPLE%2F20261125%2Fus-east-1%2Flambda%2F"
                       "aws4_request&X-Amz-Date=20261125T004604Z&X-Amz-Expires=300"
                       "&X-Amz-SignedHeaders=host&X-Amz-Security-Token=tok";
    struct gy_sigv4_header h[] = {HOSTH};
    struct gy_sigv4_request req = {GY_STR("GET"), gy_str_c(base), h, 1, GY_STR_NULL};
    struct gy_sigv4_auth auth;
    struct gy_buf b;
    char sig[65], target[1024], msg[512];
    int64_t t;

    gy_buf_init(&b, 1 << 16);
    assert_int_equal(gy_sigv4_canonical_request(&req, GY_STR("host"), true, &b), 0);
    assert_string_equal(b.p, "GET\n/2015-03-31/functions\nX-Amz-Algorithm=AWS4-HMAC-SHA256&"
                             "X-Amz-Credential=AKIDEXAMPLE%2F20261125%2Fus-east-1%2Flambda%2F"
                             "aws4_request&X-Amz-Date=20261125T004604Z&X-Amz-Expires=300&"
                             "X-Amz-Security-Token=tok&X-Amz-SignedHeaders=host\n" TAIL);
    expected_sig(b.p, "20261125T004604Z", "20261125", "us-east-1", "lambda", SECRET, sig);
    snprintf(target, sizeof(target), "%s&X-Amz-Signature=%s", base, sig);
    req.target = gy_str_c(target);
    assert_int_equal(gy_sigv4_parse(&req, &auth, msg, sizeof(msg)), GY_SIGV4_OK);
    assert_true(auth.query_auth);
    assert_true(auth.has_security_token);
    assert_int_equal(auth.expires_s, 300);
    assert_string_equal(auth.access_key, "AKIDEXAMPLE");
    assert_string_equal(auth.service, "lambda");
    assert_string_equal(auth.signature, sig);
    assert_int_equal(gy_sigv4_parse_amz_date(GY_STR("20261125T004604Z"), &t), 0);
    assert_int_equal(
        gy_sigv4_verify(&req, &auth, GY_STR(SECRET), t + 300000, SKEW, msg, sizeof(msg)),
        GY_SIGV4_OK);
    assert_int_equal(
        gy_sigv4_verify(&req, &auth, GY_STR(SECRET), t + 300001, SKEW, msg, sizeof(msg)),
        GY_SIGV4_EXPIRED);
    assert_string_equal(msg, "Request has expired");
    assert_int_equal(
        gy_sigv4_verify(&req, &auth, GY_STR(SECRET), t - SKEW - 1, SKEW, msg, sizeof(msg)),
        GY_SIGV4_EXPIRED);
    /* Tampering with a parameter breaks it. */
    char *p = strstr(target, "Expires=300");
    p[8] = '4';
    assert_int_equal(gy_sigv4_parse(&req, &auth, msg, sizeof(msg)), GY_SIGV4_OK);
    assert_int_equal(gy_sigv4_verify(&req, &auth, GY_STR(SECRET), t, SKEW, msg, sizeof(msg)),
                     GY_SIGV4_MISMATCH);
    /* Missing parameter and bad algorithm. */
    req.target = GY_STR("/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20261125T004604Z");
    assert_int_equal(gy_sigv4_parse(&req, &auth, msg, sizeof(msg)), GY_SIGV4_MALFORMED);
    assert_string_equal(msg, "Query-string authentication version 4 requires the "
                             "X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date "
                             "and X-Amz-SignedHeaders parameters.");
    req.target = GY_STR("/?X-Amz-Algorithm=HMAC&X-Amz-Credential=a%2Fb&X-Amz-Date=x"
                        "&X-Amz-SignedHeaders=host&X-Amz-Signature=00");
    assert_int_equal(gy_sigv4_parse(&req, &auth, msg, sizeof(msg)), GY_SIGV4_MALFORMED);
    assert_string_equal(msg, "Unsupported AWS 'algorithm': 'HMAC'.");
    req.target = GY_STR("/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a%2Fb"
                        "&X-Amz-Date=20261125T004604Z&X-Amz-Expires=-1"
                        "&X-Amz-SignedHeaders=host&X-Amz-Signature=00");
    assert_int_equal(gy_sigv4_parse(&req, &auth, msg, sizeof(msg)), GY_SIGV4_MALFORMED);
    gy_buf_fini(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_vectors_verify),
        cmocka_unit_test(test_parse_fields),
        cmocka_unit_test(test_canonical_request_examples),
        cmocka_unit_test(test_sign_reproduces_captured),
        cmocka_unit_test(test_flip_body),
        cmocka_unit_test(test_flip_target),
        cmocka_unit_test(test_flip_signed_headers),
        cmocka_unit_test(test_unsigned_headers_free),
        cmocka_unit_test(test_added_signed_header_repeat),
        cmocka_unit_test(test_wrong_secret),
        cmocka_unit_test(test_expiry_boundaries),
        cmocka_unit_test(test_flip_signature),
        cmocka_unit_test(test_malformed_authorization),
        cmocka_unit_test(test_missing_auth),
        cmocka_unit_test(test_too_many_headers),
        cmocka_unit_test(test_date_header_fallback),
        cmocka_unit_test(test_canonical_uri),
        cmocka_unit_test(test_canonical_query),
        cmocka_unit_test(test_canonical_headers),
        cmocka_unit_test(test_canonical_limits),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_sign_roundtrip),
        cmocka_unit_test(test_query_auth),
    };
    return cmocka_run_group_tests(tests, load_vectors, free_vectors);
}

/*
 * sigv4.c — AWS Signature Version 4 (AWS4-HMAC-SHA256) for the server and for outbound requests.
 *
 * Owns: Authorization / presigned-query parsing with AWS's error wording, the clock-skew check,
 * the string to sign, the HMAC key chain, the constant-time compare and outbound signing. The
 * canonical request and dates live in sigv4_canon.c. Not here: secret-key lookup, AWS error
 * bodies, gunzip. Invariants: no global state, no heap use except one bounded struct gy_buf per
 * canonical request; header and parameter counts are capped (GY_SIGV4_MAX_*).
 * Reference: /work/shared/PROTOCOL.md §5; botocore auth.py SigV4Auth; the IAM guide "Create a
 * signed AWS API request".
 */
#include "aws/sigv4.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "aws/sigv4_int.h"
#include "core/timefmt.h"
#include "core/errors.h"

static const char MSG_MISMATCH[] =
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details.";
static const char MSG_MISSING[] = "Request is missing Authentication Token";

/* ---- messages ----------------------------------------------------------------------------- */

static void set_msg(char *msg, size_t msglen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_msg(char *msg, size_t msglen, const char *fmt, ...)
{
    va_list ap;

    if (!msg || msglen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, msglen, fmt, ap);
    va_end(ap);
}

/* Append formatted text to a message being built in msg (bounded, truncating). */
static void add_msg(char *msg, size_t msglen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void add_msg(char *msg, size_t msglen, const char *fmt, ...)
{
    va_list ap;
    size_t used;

    if (!msg || msglen == 0)
        return;
    used = strnlen(msg, msglen);
    if (used + 1 >= msglen)
        return;
    va_start(ap, fmt);
    vsnprintf(msg + used, msglen - used, fmt, ap);
    va_end(ap);
}

static bool copy_field(char *dst, size_t cap, struct gy_str s)
{
    if (s.len >= cap)
        return false;
    if (s.len)
        memcpy(dst, s.p, s.len);
    dst[s.len] = '\0';
    return true;
}

/* Split the request-target into path and query (without the '?'). */
/* ---- signing key and signature ------------------------------------------------------------ */

/*
 * HMAC-SHA256 (RFC 2104) over OpenSSL's SHA-256. OpenSSL 3's one-shot HMAC() looks up its MAC
 * and digest implementations on every call (under a global lock); measured at 31% of the server
 * CPU of a GetItem (docs/performance.md), so the construction is spelled out here over one
 * pre-fetched SHA-256 and a per-thread digest context.
 */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void sha256_fetch(void)
{
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

const EVP_MD *gy_sigv4__sha256(void)
{
    pthread_once(&sha256_once, sha256_fetch);
    return sha256_md ? sha256_md : EVP_sha256();
}

/* Each thread's digest context is freed when the thread exits (pthread key destructor). */
static pthread_key_t ctx_key;
static pthread_once_t ctx_key_once = PTHREAD_ONCE_INIT;

static void ctx_destroy(void *p)
{
    EVP_MD_CTX_free(p);
}

static void ctx_key_init(void)
{
    pthread_key_create(&ctx_key, ctx_destroy);
}

void gy_sigv4__digest(const void *a, size_t an, const void *b, size_t bn,
                      unsigned char out[GY_SIGV4_HASH_LEN])
{
    static __thread EVP_MD_CTX *ctx;
    unsigned int len = GY_SIGV4_HASH_LEN;
    if (!ctx) {
        ctx = EVP_MD_CTX_new();
        pthread_once(&ctx_key_once, ctx_key_init);
        pthread_setspecific(ctx_key, ctx);
    }
    EVP_DigestInit_ex(ctx, gy_sigv4__sha256(), NULL);
    EVP_DigestUpdate(ctx, a, an);
    if (bn)
        EVP_DigestUpdate(ctx, b, bn);
    EVP_DigestFinal_ex(ctx, out, &len);
}

static void hmac(const void *key, size_t keylen, const void *data, size_t n,
                 unsigned char out[GY_SIGV4_HASH_LEN])
{
    unsigned char k0[64], pad[64], inner[GY_SIGV4_HASH_LEN];
    memset(k0, 0, sizeof(k0));
    if (keylen > sizeof(k0))
        gy_sigv4__digest(key, keylen, NULL, 0, k0);
    else if (keylen)
        memcpy(k0, key, keylen);
    for (int i = 0; i < 64; i++)
        pad[i] = k0[i] ^ 0x36;
    gy_sigv4__digest(pad, 64, data, n, inner);
    for (int i = 0; i < 64; i++)
        pad[i] = k0[i] ^ 0x5c;
    gy_sigv4__digest(pad, 64, inner, sizeof(inner), out);
    OPENSSL_cleanse(k0, sizeof(k0));
    OPENSSL_cleanse(pad, sizeof(pad));
}

/*
 * The signing key depends only on the secret, the date, the region and the service, so each
 * thread keeps the last one it derived (4 of the 5 HMACs of a signature).
 */
struct key_cache {
    unsigned char secret_digest[GY_SIGV4_HASH_LEN]; /* which secret (never the secret itself) */
    char scope[160];                                /* date/region/service */
    unsigned char key[GY_SIGV4_HASH_LEN];
    bool valid;
};

/*
 * Compute the hex signature of the canonical request in canon for the given scope and time.
 * Returns 0 or GY_ETOOBIG when the secret is longer than GY_SIGV4_MAX_SECRET.
 */
static int compute_signature(struct gy_str canon, struct gy_str secret, const char *date,
                             const char *region, const char *service, const char *amz_date,
                             char out[GY_SIGV4_HEX_LEN + 1])
{
    char key[4 + GY_SIGV4_MAX_SECRET];
    char sts[512];
    char canon_hash[GY_SIGV4_HEX_LEN + 1];
    unsigned char k[GY_SIGV4_HASH_LEN];
    int n;

    if (secret.len > GY_SIGV4_MAX_SECRET)
        return GY_ETOOBIG;
    gy_sigv4__sha256_hex(canon.p, canon.len, canon_hash);

    /* "date/region/service", then the string to sign around it; built without printf (two
     * snprintf calls were ~3% of a GetItem's instructions). */
    static __thread struct key_cache cache;
    unsigned char sd[GY_SIGV4_HASH_LEN];
    char scope[160];
    size_t dl = strlen(date), rl = strlen(region), sl = strlen(service);
    int sn = -1;
    if (dl + rl + sl + 3 <= sizeof(scope)) {
        memcpy(scope, date, dl);
        scope[dl] = '/';
        memcpy(scope + dl + 1, region, rl);
        scope[dl + 1 + rl] = '/';
        memcpy(scope + dl + rl + 2, service, sl + 1);
        sn = (int)(dl + rl + sl + 2);
    }
    size_t al = strlen(amz_date), algo = sizeof(GY_SIGV4_ALGORITHM) - 1;
    if (sn < 0 || algo + al + (size_t)sn + GY_SIGV4_HEX_LEN + 17 > sizeof(sts))
        return GY_ETOOBIG;
    char *o = sts;
    memcpy(o, GY_SIGV4_ALGORITHM "\n", algo + 1);
    o += algo + 1;
    memcpy(o, amz_date, al);
    o += al;
    *o++ = '\n';
    memcpy(o, scope, (size_t)sn);
    o += sn;
    memcpy(o, "/aws4_request\n", 14);
    o += 14;
    memcpy(o, canon_hash, GY_SIGV4_HEX_LEN);
    o += GY_SIGV4_HEX_LEN;
    n = (int)(o - sts);

    gy_sigv4__digest(secret.p, secret.len, NULL, 0, sd);
    if (cache.valid && sn > 0 && (size_t)sn < sizeof(scope) && strcmp(cache.scope, scope) == 0 &&
        CRYPTO_memcmp(cache.secret_digest, sd, sizeof(sd)) == 0) {
        memcpy(k, cache.key, sizeof(k));
    } else {
        memcpy(key, "AWS4", 4);
        if (secret.len)
            memcpy(key + 4, secret.p, secret.len);
        hmac(key, 4 + secret.len, date, strlen(date), k);
        hmac(k, GY_SIGV4_HASH_LEN, region, strlen(region), k);
        hmac(k, GY_SIGV4_HASH_LEN, service, strlen(service), k);
        hmac(k, GY_SIGV4_HASH_LEN, "aws4_request", 12, k);
        OPENSSL_cleanse(key, sizeof(key));
        if (sn > 0 && (size_t)sn < sizeof(scope)) {
            memcpy(cache.secret_digest, sd, sizeof(sd));
            memcpy(cache.scope, scope, (size_t)sn + 1);
            memcpy(cache.key, k, sizeof(k));
            cache.valid = true;
        }
    }
    hmac(k, GY_SIGV4_HASH_LEN, sts, (size_t)n, k);
    gy_hex(k, GY_SIGV4_HASH_LEN, out);
    return 0;
}

/* ---- parsing ------------------------------------------------------------------------------ */

/*
 * Split "AKID/YYYYMMDD/region/service/aws4_request" into out and check the scope against the
 * request time. On failure writes AWS's scope messages (joined by spaces) and returns false.
 */
static bool parse_credential(struct gy_str cred, struct gy_sigv4_auth *out, char *msg,
                             size_t msglen)
{
    struct gy_str part[5] = {GY_STR_NULL, GY_STR_NULL, GY_STR_NULL, GY_STR_NULL, GY_STR_NULL};
    size_t i = 0;
    bool ok = true;

    for (int k = 0; k < 5; k++) {
        size_t j = i;
        while (j < cred.len && (k == 4 || cred.p[j] != '/'))
            j++;
        if (i <= cred.len)
            part[k] = (struct gy_str){cred.p + i, j - i};
        i = j + 1;
    }
    if (msg && msglen)
        msg[0] = '\0';
    if (part[0].len == 0 || !copy_field(out->access_key, sizeof(out->access_key), part[0])) {
        add_msg(msg, msglen,
                "Authorization header requires 'Credential' parameter. "
                "Credential access key id must be 1 to 128 characters.");
        return false;
    }
    if (part[2].len == 0 || !copy_field(out->region, sizeof(out->region), part[2])) {
        add_msg(msg, msglen, "Credential should be scoped to a valid region, not '%.*s'. ",
                (int)(part[2].len > 64 ? 64 : part[2].len), part[2].p ? part[2].p : "");
        ok = false;
    }
    if (part[3].len == 0 || !copy_field(out->service, sizeof(out->service), part[3])) {
        add_msg(msg, msglen, "Credential should be scoped to correct service: '%.*s'. ",
                (int)(part[3].len > 64 ? 64 : part[3].len), part[3].p ? part[3].p : "");
        ok = false;
    }
    if (!gy_str_eqc(part[4], "aws4_request")) {
        add_msg(msg, msglen,
                "Credential should be scoped with a valid terminator: 'aws4_request', not "
                "'%.*s'. ",
                (int)(part[4].len > 64 ? 64 : part[4].len), part[4].p ? part[4].p : "");
        ok = false;
    }
    if (part[1].len != 8 || memcmp(part[1].p, out->amz_date, 8) != 0) {
        add_msg(msg, msglen,
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
                "from HTTP: '%.*s' != '%.8s', from '%s'.",
                (int)(part[1].len > 64 ? 64 : part[1].len), part[1].p ? part[1].p : "",
                out->amz_date, out->amz_date);
        ok = false;
    } else {
        memcpy(out->date, part[1].p, 8);
        out->date[8] = '\0';
    }
    if (!ok && msg && msglen) {
        size_t l = strnlen(msg, msglen);
        if (l && msg[l - 1] == ' ')
            msg[l - 1] = '\0';
    }
    return ok;
}

/* True when the ';'-separated list contains name (case-insensitive). */
static bool list_has(struct gy_str list, const char *name)
{
    size_t i = 0;
    while (i <= list.len) {
        size_t j = i;
        while (j < list.len && list.p[j] != ';')
            j++;
        if (gy_sigv4__casecmp((struct gy_str){list.p + i, j - i}, gy_str_c(name)) == 0)
            return true;
        i = j + 1;
    }
    return false;
}

/* Request time: X-Amz-Date, else an IMF-fixdate Date header. False when neither parses. */
static bool parse_request_date(const struct gy_sigv4_request *req, struct gy_sigv4_auth *out)
{
    const struct gy_sigv4_header *h = gy_sigv4__find_header(req, "x-amz-date");
    int64_t ms;

    if (h) {
        struct gy_str v = gy_sigv4__trim(h->value);
        if (gy_sigv4_parse_amz_date(v, &ms))
            return false;
        memcpy(out->amz_date, v.p, 16);
        out->amz_date[16] = '\0';
        return true;
    }
    h = gy_sigv4__find_header(req, "date");
    if (!h || gy_time_parse_http_date(gy_sigv4__trim(h->value), &ms))
        return false;
    gy_sigv4_format_amz_date(ms, out->amz_date);
    return true;
}

/* Checks shared by header and query auth once the three parameters are known. */
static int finish_parse(struct gy_str cred, struct gy_str sh, struct gy_str sig,
                        struct gy_sigv4_auth *out, char *msg, size_t msglen)
{
    if (!copy_field(out->signed_headers, sizeof(out->signed_headers), sh)) {
        set_msg(msg, msglen, "SignedHeaders is longer than %zu characters.",
                sizeof(out->signed_headers) - 1);
        return GY_SIGV4_MALFORMED;
    }
    if (!copy_field(out->signature, sizeof(out->signature), sig)) {
        set_msg(msg, msglen, "%s", MSG_MISMATCH);
        return GY_SIGV4_MALFORMED;
    }
    if (!parse_credential(cred, out, msg, msglen))
        return GY_SIGV4_MALFORMED;
    if (!list_has(sh, "host")) {
        set_msg(msg, msglen, "'Host' must be a 'SignedHeader' in the AWS Authorization.");
        return GY_SIGV4_MALFORMED;
    }
    return GY_SIGV4_OK;
}

/* Decode a percent-encoded query value into dst (cap bytes with NUL); false if it won't fit. */
static bool decode_into(char *dst, size_t cap, struct gy_str s)
{
    size_t o = 0;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.p[i];
        if (c == '%' && i + 2 < s.len && gy_hexval(s.p[i + 1]) >= 0 &&
            gy_hexval(s.p[i + 2]) >= 0) {
            c = (char)(gy_hexval(s.p[i + 1]) * 16 + gy_hexval(s.p[i + 2]));
            i += 2;
        }
        if (o + 1 >= cap)
            return false;
        dst[o++] = c;
    }
    dst[o] = '\0';
    return true;
}

/* Presigned request: the X-Amz-* parameters of the query carry the credentials. */
static int parse_query_auth(const struct gy_sigv4_request *req, struct gy_str query,
                            struct gy_sigv4_auth *out, char *msg, size_t msglen)
{
    char credbuf[384], algo[32], date[32], expires[24];
    char shbuf[sizeof(out->signed_headers)], sigbuf[sizeof(out->signature)];
    bool have_cred = false, have_algo = false, have_date = false, have_sh = false, have_sig = false,
         bad = false;
    size_t i = 0;

    out->expires_s = -1;
    while (i <= query.len) {
        size_t j = i;
        while (j < query.len && query.p[j] != '&')
            j++;
        struct gy_str pair = {query.p + i, j - i};
        const char *eq = pair.len ? memchr(pair.p, '=', pair.len) : NULL;
        struct gy_str k = eq ? (struct gy_str){pair.p, (size_t)(eq - pair.p)} : pair;
        struct gy_str v = eq ? (struct gy_str){eq + 1, pair.len - k.len - 1} : GY_STR_NULL;
        i = j + 1;
        if (gy_sigv4__qname_is(k, "X-Amz-Algorithm")) {
            have_algo = decode_into(algo, sizeof(algo), v);
            bad |= !have_algo;
        } else if (gy_sigv4__qname_is(k, "X-Amz-Credential")) {
            have_cred = decode_into(credbuf, sizeof(credbuf), v);
            bad |= !have_cred;
        } else if (gy_sigv4__qname_is(k, "X-Amz-Date")) {
            have_date = decode_into(date, sizeof(date), v);
            bad |= !have_date;
        } else if (gy_sigv4__qname_is(k, "X-Amz-SignedHeaders")) {
            have_sh = decode_into(shbuf, sizeof(shbuf), v);
            bad |= !have_sh;
        } else if (gy_sigv4__qname_is(k, "X-Amz-Signature")) {
            have_sig = decode_into(sigbuf, sizeof(sigbuf), v);
            bad |= !have_sig;
        } else if (gy_sigv4__qname_is(k, "X-Amz-Security-Token")) {
            out->has_security_token = true;
        } else if (gy_sigv4__qname_is(k, "X-Amz-Expires")) {
            char *end = expires;
            if (!decode_into(expires, sizeof(expires), v) || !gy_sigv4__is_digit(expires[0]))
                bad = true;
            else
                out->expires_s = strtoll(expires, &end, 10);
            if (!bad && (*end || out->expires_s > 604800))
                bad = true;
        }
    }
    if (bad || !have_algo || !have_cred || !have_date || !have_sh || !have_sig) {
        set_msg(msg, msglen,
                "Query-string authentication version 4 requires the X-Amz-Algorithm, "
                "X-Amz-Credential, X-Amz-Signature, X-Amz-Date and X-Amz-SignedHeaders "
                "parameters.");
        return GY_SIGV4_MALFORMED;
    }
    if (strcmp(algo, GY_SIGV4_ALGORITHM) != 0) {
        set_msg(msg, msglen, "Unsupported AWS 'algorithm': '%s'.", algo);
        return GY_SIGV4_MALFORMED;
    }
    int64_t ms;
    if (gy_sigv4_parse_amz_date(gy_str_c(date), &ms)) {
        set_msg(msg, msglen,
                "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
        return GY_SIGV4_MALFORMED;
    }
    memcpy(out->amz_date, date, 17);
    out->query_auth = true;
    return finish_parse(gy_str_c(credbuf), gy_str_c(shbuf), gy_str_c(sigbuf), out, msg, msglen);
}

int gy_sigv4_parse(const struct gy_sigv4_request *req, struct gy_sigv4_auth *out, char *msg,
                   size_t msglen)
{
    const struct gy_sigv4_header *h;
    struct gy_str v, path, query, cred = GY_STR_NULL, sh = GY_STR_NULL, sig = GY_STR_NULL;
    bool have_cred = false, have_sh = false, have_sig = false, have_date;
    size_t i;
    int rc;

    memset(out, 0, sizeof(*out));
    out->expires_s = -1;
    if (msg && msglen)
        msg[0] = '\0';
    if (req->nheaders > GY_SIGV4_MAX_HEADERS) {
        set_msg(msg, msglen, "Too many headers: at most %d are accepted.", GY_SIGV4_MAX_HEADERS);
        return GY_SIGV4_MALFORMED;
    }
    out->has_security_token = gy_sigv4__find_header(req, "x-amz-security-token") != NULL;
    h = gy_sigv4__find_header(req, "authorization");
    if (!h) {
        gy_sigv4__split_target(req->target, &path, &query);
        for (i = 0; i <= query.len && query.len;) {
            size_t j = i;
            while (j < query.len && query.p[j] != '&' && query.p[j] != '=')
                j++;
            if (gy_sigv4__qname_is((struct gy_str){query.p + i, j - i}, "X-Amz-Algorithm")) {
                rc = parse_query_auth(req, query, out, msg, msglen);
                goto out_done;
            }
            while (j < query.len && query.p[j] != '&')
                j++;
            i = j + 1;
        }
        set_msg(msg, msglen, "%s", MSG_MISSING);
        return GY_SIGV4_MISSING;
    }
    v = gy_sigv4__trim(h->value);
    i = 0;
    while (i < v.len && !gy_sigv4__is_ws(v.p[i]))
        i++;
    struct gy_str algo = {v.p, i};
    if (gy_str_eqc(algo, GY_SIGV4_ALGORITHM)) {
        while (i < v.len) {
            size_t j = i;
            while (j < v.len && v.p[j] != ',')
                j++;
            struct gy_str item = gy_sigv4__trim((struct gy_str){v.p + i, j - i});
            i = j + 1;
            const char *eq = item.len ? memchr(item.p, '=', item.len) : NULL;
            if (!eq)
                continue;
            struct gy_str key = gy_sigv4__trim((struct gy_str){item.p, (size_t)(eq - item.p)});
            struct gy_str val =
                gy_sigv4__trim((struct gy_str){eq + 1, (size_t)(item.p + item.len - eq - 1)});
            if (gy_str_eqc(key, "Credential") && !have_cred)
                cred = val, have_cred = val.len > 0;
            else if (gy_str_eqc(key, "SignedHeaders") && !have_sh)
                sh = val, have_sh = val.len > 0;
            else if (gy_str_eqc(key, "Signature") && !have_sig)
                sig = val, have_sig = val.len > 0;
        }
    } else if (algo.len > 5 && memcmp(algo.p, "AWS4-", 5) == 0) {
        set_msg(msg, msglen, "Unsupported AWS 'algorithm': '%.*s'.",
                (int)(algo.len > 64 ? 64 : algo.len), algo.p);
        rc = GY_SIGV4_MALFORMED;
        goto out_done;
    }
    have_date = parse_request_date(req, out);
    if (!have_cred || !have_sh || !have_sig || !have_date) {
        if (!have_cred)
            add_msg(msg, msglen, "Authorization header requires 'Credential' parameter. ");
        if (!have_sig)
            add_msg(msg, msglen, "Authorization header requires 'Signature' parameter. ");
        if (!have_sh)
            add_msg(msg, msglen, "Authorization header requires 'SignedHeaders' parameter. ");
        if (!have_date)
            add_msg(msg, msglen,
                    "Authorization header requires existence of either a "
                    "'X-Amz-Date' or a 'Date' header. ");
        add_msg(msg, msglen, "Authorization=%.*s", (int)(v.len > 512 ? 512 : v.len), v.p);
        rc = GY_SIGV4_MALFORMED;
        goto out_done;
    }
    rc = finish_parse(cred, sh, sig, out, msg, msglen);
out_done:
    if (rc != GY_SIGV4_OK) {
        memset(out, 0, sizeof(*out));
        out->expires_s = -1;
    }
    return rc;
}

/* ---- verification ------------------------------------------------------------------------- */

/* Reject a request time outside [now - skew, now + skew] with AWS's wording. */
static int check_time(const struct gy_sigv4_auth *auth, int64_t t, int64_t now_ms,
                      int64_t max_skew_ms, char *msg, size_t msglen)
{
    char now_s[17], edge[17];
    int64_t mins = max_skew_ms / 60000;

    gy_sigv4_format_amz_date(now_ms, now_s);
    if (auth->query_auth && auth->expires_s >= 0) {
        if (now_ms > t + auth->expires_s * 1000) {
            set_msg(msg, msglen, "Request has expired");
            return GY_SIGV4_EXPIRED;
        }
    } else if (t < now_ms - max_skew_ms) {
        gy_sigv4_format_amz_date(now_ms - max_skew_ms, edge);
        set_msg(msg, msglen, "Signature expired: %s is now earlier than %s (%s - %lld min.)",
                auth->amz_date, edge, now_s, (long long)mins);
        return GY_SIGV4_EXPIRED;
    }
    if (t > now_ms + max_skew_ms) {
        gy_sigv4_format_amz_date(now_ms + max_skew_ms, edge);
        set_msg(msg, msglen,
                "Signature not yet current: %s is still later than %s (%s + %lld min.)",
                auth->amz_date, edge, now_s, (long long)mins);
        return GY_SIGV4_EXPIRED;
    }
    return GY_SIGV4_OK;
}

int gy_sigv4_verify(const struct gy_sigv4_request *req, const struct gy_sigv4_auth *auth,
                    struct gy_str secret, int64_t now_ms, int64_t max_skew_ms, char *msg,
                    size_t msglen)
{
    struct gy_buf canon;
    char sig[GY_SIGV4_HEX_LEN + 1];
    int64_t t;
    int rc;

    if (msg && msglen)
        msg[0] = '\0';
    if (gy_sigv4_parse_amz_date(gy_str_c(auth->amz_date), &t)) {
        set_msg(msg, msglen,
                "Authorization header requires existence of either a 'X-Amz-Date' "
                "or a 'Date' header.");
        return GY_SIGV4_MALFORMED;
    }
    if (max_skew_ms < 0)
        max_skew_ms = 0;
    if (max_skew_ms > GY_SIGV4_MAX_SKEW_MS)
        max_skew_ms = GY_SIGV4_MAX_SKEW_MS;
    rc = check_time(auth, t, now_ms, max_skew_ms, msg, msglen);
    if (rc)
        return rc;
    gy_buf_init(&canon, GY_SIGV4_MAX_CANONICAL);
    if (gy_sigv4_canonical_request(req, gy_str_c(auth->signed_headers), auth->query_auth, &canon) ||
        compute_signature(gy_buf_str(&canon), secret, auth->date, auth->region, auth->service,
                          auth->amz_date, sig)) {
        set_msg(msg, msglen, "The request is too large to verify its signature.");
        rc = GY_SIGV4_MALFORMED;
        goto out_canon;
    }
    if (strlen(auth->signature) != GY_SIGV4_HEX_LEN ||
        CRYPTO_memcmp(sig, auth->signature, GY_SIGV4_HEX_LEN) != 0) {
        set_msg(msg, msglen, "%s", MSG_MISMATCH);
        rc = GY_SIGV4_MISMATCH;
        goto out_canon;
    }
    rc = GY_SIGV4_OK;
out_canon:
    gy_buf_fini(&canon);
    return rc;
}

/* ---- signing ------------------------------------------------------------------------------ */

/* A credential-scope part: 1..max printable bytes without '/', ',', ';', '=' or spaces. */
static bool scope_part(const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > max)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= ' ' || c >= 0x7f || c == '/' || c == ',' || c == ';' || c == '=')
            return false;
    }
    return true;
}

/* An RFC 9110 token: what a header name may hold (so ';' and ',' cannot split SignedHeaders). */
static bool token_name(struct gy_str name)
{
    static const char extra[] = "!#$%&'*+-.^_`|~";
    if (name.len == 0)
        return false;
    for (size_t i = 0; i < name.len; i++) {
        char c = name.p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              (c && strchr(extra, c))))
            return false;
    }
    return true;
}

/* Headers a signer covers: host, content-*, x-amz-* and x-amzn-* minus the trace id. */
static bool sign_header(struct gy_str name)
{
    static const char *const fixed[] = {"host", "content-type", "content-encoding", "content-md5"};
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
        if (gy_sigv4__casecmp(name, gy_str_c(fixed[i])) == 0)
            return true;
    }
    if (gy_sigv4__casecmp(name, GY_STR("x-amzn-trace-id")) == 0)
        return false;
    if (name.len > 6 && gy_sigv4__casecmp((struct gy_str){name.p, 6}, GY_STR("x-amz-")) == 0)
        return true;
    return name.len > 7 && gy_sigv4__casecmp((struct gy_str){name.p, 7}, GY_STR("x-amzn-")) == 0;
}

int gy_sigv4_sign(const struct gy_sigv4_request *req, const char *access_key, struct gy_str secret,
                  const char *region, const char *service, const char *amz_date,
                  struct gy_buf *authorization_out)
{
    uint16_t idx[GY_SIGV4_MAX_HEADERS];
    char sh[1024], date[9], sig[GY_SIGV4_HEX_LEN + 1];
    const struct gy_sigv4_header *h;
    struct gy_buf canon;
    size_t shlen = 0;
    int64_t ms;
    int rc;

    if (!scope_part(access_key, 128) || !scope_part(region, 63) || !scope_part(service, 63) ||
        !amz_date || req->nheaders > GY_SIGV4_MAX_HEADERS ||
        gy_sigv4_parse_amz_date(gy_str_c(amz_date), &ms))
        return GY_EINVAL;
    h = gy_sigv4__find_header(req, "x-amz-date");
    if (!gy_sigv4__find_header(req, "host") || !h ||
        !gy_str_eqc(gy_sigv4__trim(h->value), amz_date))
        return GY_EINVAL;
    gy_sigv4__index_headers(req, idx);
    for (size_t i = 0; i < req->nheaders; i++) {
        struct gy_str name = req->headers[idx[i]].name;
        if (!sign_header(name))
            continue;
        if (!token_name(name))
            return GY_EINVAL;
        if (i > 0 && gy_sigv4__casecmp(req->headers[idx[i - 1]].name, name) == 0)
            continue; /* a repeat: already listed */
        if (shlen + name.len + 1 >= sizeof(sh))
            return GY_ETOOBIG;
        if (shlen)
            sh[shlen++] = ';';
        for (size_t k = 0; k < name.len; k++)
            sh[shlen++] = gy_sigv4__lower(name.p[k]);
    }
    sh[shlen] = '\0';
    memcpy(date, amz_date, 8);
    date[8] = '\0';
    gy_buf_init(&canon, GY_SIGV4_MAX_CANONICAL);
    rc = gy_sigv4_canonical_request(req, (struct gy_str){sh, shlen}, false, &canon);
    if (rc)
        goto out_canon;
    rc = compute_signature(gy_buf_str(&canon), secret, date, region, service, amz_date, sig);
    if (rc)
        goto out_canon;
    rc = gy_buf_printf(authorization_out,
                       "%s Credential=%s/%s/%s/%s/aws4_request, SignedHeaders=%s, Signature=%s",
                       GY_SIGV4_ALGORITHM, access_key, date, region, service, sh, sig);
out_canon:
    gy_buf_fini(&canon);
    return rc;
}

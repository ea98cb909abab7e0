/*
 * sigv4.c (fuzz) — SigV4 parsing, canonicalisation, verification and signing on hostile input.
 *
 * Input layout: line 1 the method, line 2 the request-target, then "Name: value" header lines up
 * to an empty line; the rest is the body. The harness calls gy_sigv4_parse and, when that
 * succeeds, gy_sigv4_verify at the request's own time. It then signs the request itself (when it
 * carries Host and a valid X-Amz-Date) and checks the property "a request we signed verifies",
 * aborting if it does not. Seeds: tests/fuzz/corpus/sigv4/; dictionary: tests/fuzz/sigv4.dict.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/sigv4.h"
#include "core/str.h"

#define MAX_FUZZ_HEADERS (GY_SIGV4_MAX_HEADERS + 8)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char SECRET[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

/* Next line of [*p, end) without its "\n" (and a trailing "\r"); false at the end. */
static bool next_line(const char **p, const char *end, struct gy_str *line)
{
    if (*p >= end)
        return false;
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    const char *stop = nl ? nl : end;
    line->p = *p;
    line->len = (size_t)(stop - *p);
    if (line->len && line->p[line->len - 1] == '\r')
        line->len--;
    *p = nl ? nl + 1 : end;
    return true;
}

static const struct gy_sigv4_header *find(const struct gy_sigv4_header *h, size_t n,
                                          const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (gy_str_caseeqc(h[i].name, name))
            return &h[i];
    }
    return NULL;
}

/* Sign the request with our own key and require that verification accepts it. */
static void sign_and_check(struct gy_sigv4_request *req, struct gy_sigv4_header *headers,
                           size_t nheaders)
{
    const struct gy_sigv4_header *d = find(headers + 1, nheaders, "x-amz-date");
    struct gy_sigv4_auth auth;
    struct gy_buf authz;
    char date[17], msg[512];
    int64_t t;

    if (!d || d->value.len != 16)
        return;
    memcpy(date, d->value.p, 16);
    date[16] = '\0';
    if (gy_sigv4_parse_amz_date(gy_str_c(date), &t))
        return;
    gy_buf_init(&authz, 8192);
    if (gy_sigv4_sign(req, "AKIDFUZZ", GY_STR(SECRET), "us-east-1", "dynamodb", date, &authz) ==
        0) {
        /* headers[0] is reserved for our Authorization so it is the one found first. */
        headers[0].name = GY_STR("Authorization");
        headers[0].value = gy_buf_str(&authz);
        struct gy_sigv4_request signed_req = *req;
        signed_req.headers = headers;
        signed_req.nheaders = nheaders + 1;
        if (gy_sigv4_parse(&signed_req, &auth, msg, sizeof(msg)) != GY_SIGV4_OK ||
            gy_sigv4_verify(&signed_req, &auth, GY_STR(SECRET), t, GY_SIGV4_DEFAULT_SKEW_MS, msg,
                            sizeof(msg)) != GY_SIGV4_OK)
            abort();
    }
    gy_buf_fini(&authz);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct gy_sigv4_header headers[MAX_FUZZ_HEADERS + 1];
    const char *p = (const char *)data, *end = p + size;
    struct gy_sigv4_request req;
    struct gy_sigv4_auth auth;
    struct gy_str line;
    size_t n = 0;
    char msg[512];

    memset(&req, 0, sizeof(req));
    if (!next_line(&p, end, &req.method) || !next_line(&p, end, &req.target))
        return 0;
    while (next_line(&p, end, &line) && line.len) {
        if (n == MAX_FUZZ_HEADERS)
            break;
        const char *colon = memchr(line.p, ':', line.len);
        struct gy_str name = line, value = GY_STR_NULL;
        if (colon) {
            name.len = (size_t)(colon - line.p);
            value = (struct gy_str){colon + 1, line.len - name.len - 1};
            while (value.len && (value.p[0] == ' ' || value.p[0] == '\t'))
                value.p++, value.len--; /* leading OWS, as an HTTP parser strips it */
        }
        headers[1 + n].name = name;
        headers[1 + n].value = value;
        n++;
    }
    req.headers = headers + 1;
    req.nheaders = n;
    req.body = (struct gy_str){p, (size_t)(end - p)};

    int rc = gy_sigv4_parse(&req, &auth, msg, sizeof(msg));
    if (rc == GY_SIGV4_OK) {
        int64_t t = 0;
        if (gy_sigv4_parse_amz_date(gy_str_c(auth.amz_date), &t) == 0) {
            (void)gy_sigv4_verify(&req, &auth, GY_STR(SECRET), t, GY_SIGV4_DEFAULT_SKEW_MS, msg,
                                  sizeof(msg));
            (void)gy_sigv4_verify(&req, &auth, GY_STR(SECRET), t + 3600000, 1000, msg, sizeof(msg));
        }
    } else if (rc != GY_SIGV4_MISSING && rc != GY_SIGV4_MALFORMED) {
        abort();
    }
    sign_and_check(&req, headers, n);
    return 0;
}

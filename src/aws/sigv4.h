/*
 * sigv4.h — AWS Signature Version 4: server-side verification and client-side signing.
 *
 * Owns parsing of the Authorization header (or presigned X-Amz-* query parameters), the
 * canonical request, the string to sign, key derivation and the constant-time comparison. It
 * does not look up secret keys, map a status to an AWS error body or decompress bodies: the
 * caller does those. Everything here is reentrant and thread-safe (no global state); the only
 * heap use is the bounded buffer holding one canonical request. Steps: docs PROTOCOL.md §5.
 */
#ifndef GY_AWS_SIGV4_H
#define GY_AWS_SIGV4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/str.h"

#define GY_SIGV4_ALGORITHM "AWS4-HMAC-SHA256"
#define GY_SIGV4_MAX_HEADERS 256                      /* requests with more headers are rejected */
#define GY_SIGV4_MAX_SIGNED_HEADERS 64                /* names listed in SignedHeaders */
#define GY_SIGV4_MAX_QUERY_PARAMS 256                 /* parameters in the request-target's query */
#define GY_SIGV4_MAX_CANONICAL (256 * 1024)           /* bytes of one canonical request */
#define GY_SIGV4_MAX_SECRET 256                       /* bytes of a secret access key */
#define GY_SIGV4_DEFAULT_SKEW_MS (15 * 60 * 1000)     /* AWS's clock-skew window */
#define GY_SIGV4_MAX_SKEW_MS (7LL * 24 * 3600 * 1000) /* larger windows are clamped to this */

struct gy_sigv4_header {
    struct gy_str name;  /* as received, any case */
    struct gy_str value; /* as received, not yet trimmed */
};

struct gy_sigv4_request {
    struct gy_str method;                  /* "POST" */
    struct gy_str target;                  /* raw request-target: path plus optional "?query" */
    const struct gy_sigv4_header *headers; /* wire order, repeats allowed */
    size_t nheaders;                       /* number of entries in headers */
    struct gy_str body;                    /* raw body bytes as received */
};

/* The parsed Authorization header and credential scope; every char field is NUL-terminated. */
struct gy_sigv4_auth {
    char access_key[129];      /* access key id from the credential scope */
    char date[9];              /* scope date, YYYYMMDD */
    char region[64];           /* scope region: the region to sign with */
    char service[64];          /* scope service: "dynamodb" also for Streams */
    char signed_headers[1024]; /* SignedHeaders exactly as sent ("content-type;host;...") */
    char signature[65];        /* Signature as sent (64 lower-case hex digits when well formed) */
    char amz_date[17];         /* request time, YYYYMMDDTHHMMSSZ (X-Amz-Date, or Date converted) */
    bool has_security_token;   /* an X-Amz-Security-Token header or query parameter was sent */
    bool query_auth;           /* credentials came from X-Amz-* query parameters (presigned) */
    int64_t expires_s;         /* presigned X-Amz-Expires in seconds, or -1 when absent */
};

enum gy_sigv4_status {
    GY_SIGV4_OK = 0,
    GY_SIGV4_MISSING = -1,   /* no Authorization header (and no X-Amz-Algorithm query auth) */
    GY_SIGV4_MALFORMED = -2, /* unparseable / missing parts / no host in SignedHeaders /
                                missing X-Amz-Date / scope date mismatch / limits exceeded */
    GY_SIGV4_EXPIRED = -3,   /* X-Amz-Date outside the skew window (or presigned URL expired) */
    GY_SIGV4_MISMATCH = -4,  /* signature does not match */
};

/**
 * Parse the Authorization header (or, when it is absent, X-Amz-Algorithm query auth) and the
 * request time into *out.
 * @param req    in: the request as received.
 * @param out    out: the parsed fields (fully overwritten, zeroed on failure).
 * @param msg    out: on failure, an AWS-style message (NUL-terminated, truncated to msglen);
 *               may be NULL when msglen is 0.
 * @return GY_SIGV4_OK, GY_SIGV4_MISSING or GY_SIGV4_MALFORMED.
 */
int gy_sigv4_parse(const struct gy_sigv4_request *req, struct gy_sigv4_auth *out, char *msg,
                   size_t msglen);

/**
 * Verify the request's signature.
 * @param req         in: the request as received (the same one given to gy_sigv4_parse).
 * @param auth        in: from gy_sigv4_parse.
 * @param secret      in: the secret access key of auth->access_key.
 * @param now_ms      in: the server clock, ms since the epoch.
 * @param max_skew_ms in: allowed distance between X-Amz-Date and now, either way (AWS: 15 min;
 *                    clamped to [0, GY_SIGV4_MAX_SKEW_MS]).
 * @param msg         out: on failure, the AWS wording (see gy_sigv4_parse).
 * @return GY_SIGV4_OK, GY_SIGV4_EXPIRED, GY_SIGV4_MISMATCH, or GY_SIGV4_MALFORMED when the
 *         request exceeds a limit (canonical request or secret too large, bad date).
 */
int gy_sigv4_verify(const struct gy_sigv4_request *req, const struct gy_sigv4_auth *auth,
                    struct gy_str secret, int64_t now_ms, int64_t max_skew_ms, char *msg,
                    size_t msglen);

/**
 * Sign a request and produce the Authorization header value
 * ("AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...").
 * The request must already carry Host and an X-Amz-Date header equal to amz_date. Signed are
 * host, content-type, content-encoding, content-md5 and every x-amz-* / x-amzn-* header except
 * x-amzn-trace-id (botocore's choice, minus headers a client adds after signing).
 * @param authorization_out out: the value is appended (the buffer is not reset).
 * @return 0, GY_EINVAL (missing Host/X-Amz-Date, bad amz_date, a scope part empty, too long or
 *         holding '/', ',', ';', '=' or spaces, a signed header name that is not a token, too
 *         many headers)
 *         or GY_ETOOBIG (a buffer limit was hit).
 */
int gy_sigv4_sign(const struct gy_sigv4_request *req, const char *access_key, struct gy_str secret,
                  const char *region, const char *service, const char *amz_date,
                  struct gy_buf *authorization_out);

/**
 * Append the canonical request (PROTOCOL.md §5 step 3) for req to out. signed_headers is the
 * SignedHeaders string; with query_auth the X-Amz-Signature parameter is left out of the
 * canonical query. Exposed for tests and for debugging signature mismatches.
 * @return 0, GY_ETOOBIG (out's limit) or GY_EINVAL (too many query parameters or signed headers).
 */
int gy_sigv4_canonical_request(const struct gy_sigv4_request *req, struct gy_str signed_headers,
                               bool query_auth, struct gy_buf *out);

/**
 * Convert "YYYYMMDDTHHMMSSZ" to ms since the epoch.
 * @return 0 or GY_EINVAL when the text is not exactly that form with valid field ranges.
 */
int gy_sigv4_parse_amz_date(struct gy_str s, int64_t *out_ms);

/** Format ms since the epoch as "YYYYMMDDTHHMMSSZ" into out (17 bytes with the NUL). */
void gy_sigv4_format_amz_date(int64_t ms, char out[17]);

#endif

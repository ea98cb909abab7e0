/*
 * http_extras.h — the HTTP-level conveniences real AWS clients rely on, as pure functions the
 * router calls around a request: Content-Encoding: gzip request bodies, gzip responses when the
 * client's Accept-Encoding asks for them, DynamoDB's x-amz-crc32 response checksum, and CORS
 * (preflight answers and the headers that let browser SDKs read AWS's response headers).
 *
 * Nothing here touches a connection or a service: every function reads header lists and bytes
 * and writes into the request's arena, so each is reentrant and thread-safe.
 */
#ifndef GY_AWS_HTTP_EXTRAS_H
#define GY_AWS_HTTP_EXTRAS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/errors.h"
#include "core/str.h"
#include "net/http.h"

struct gy_arena;

#define GY_AWS_HTTP_MAX_REQUEST ((size_t)16 << 20) /* DynamoDB's request limit, after inflation */
#define GY_AWS_HTTP_GZIP_MIN 1024     /* responses shorter than this are never compressed */
#define GY_AWS_HTTP_GZIP_LEVEL 6      /* zlib level for responses */
#define GY_AWS_HTTP_MAX_CODINGS 4     /* most content-codings accepted in one request */
#define GY_AWS_CORS_MAX_AGE "86400"   /* seconds a browser may cache a preflight answer */
#define GY_AWS_CORS_MAX_HEADERS 8     /* most headers the CORS functions add */
#define GY_AWS_HTTP_EXTRA_HEADERS (GY_AWS_CORS_MAX_HEADERS + 3) /* most gy_aws_http_finish adds */

/**
 * Undo the request's Content-Encoding (every Content-Encoding header, as one comma-separated
 * list applied in order; "gzip", "x-gzip" and "identity" are understood, case-insensitively).
 * Call after SigV4 verification: the signature covers the bytes as sent.
 * @param a      in: the request arena; the decoded body lives until it is destroyed.
 * @param h, n   in: the request headers.
 * @param max    in: the most bytes the decoded body may have (GY_AWS_HTTP_MAX_REQUEST).
 * @param body   in/out: the body as received; replaced by the decoded, NUL-terminated bytes
 *               (left alone when there is no coding to undo, or the body is empty).
 * @param err    out: on failure, the AWS error to answer with.
 * @return 0, or GY_EAWS with err set: RequestEntityTooLargeException (413) when the decoded body
 *         would exceed max (checked while inflating, so a gzip bomb allocates at most max);
 *         SerializationException (400) for bytes that are not valid gzip, and for a coding
 *         other than gzip or identity, or more than GY_AWS_HTTP_MAX_CODINGS of them.
 */
int gy_aws_http_decode_body(struct gy_arena *a, const struct gy_http_header *h, size_t n,
                            size_t max, struct gy_str *body, struct gy_error *err);

/**
 * The weight (0-1000, the qvalue times 1000) an Accept-Encoding value gives a coding, by RFC
 * 9110 §12.5.3: the coding's own entry, else "*", else -1 when neither is listed ("x-gzip"
 * counts as "gzip"). A malformed qvalue gives that entry weight 0.
 */
int gy_aws_http_accept_weight(struct gy_str accept, const char *coding);

/**
 * Whether to gzip a response body of body_len bytes for a request with these headers: only when
 * Accept-Encoding is present and gives gzip a weight above 0 and at least identity's; and the
 * body has GY_AWS_HTTP_GZIP_MIN bytes or more (smaller ones are compressed only when the client
 * refused identity outright).
 */
bool gy_aws_http_want_gzip(const struct gy_http_header *h, size_t n, size_t body_len);

/** True for a CORS preflight: OPTIONS with Origin and Access-Control-Request-Method. */
bool gy_aws_cors_is_preflight(struct gy_str method, const struct gy_http_header *h, size_t n);

/**
 * The headers of the answer to a CORS preflight (send them with status 200 and no body, without
 * authentication): Access-Control-Allow-Origin echoing the Origin, Allow-Methods, Allow-Headers
 * echoing the requested headers (or a list of what AWS SDKs send), Max-Age, Expose-Headers,
 * Vary, and Allow-Private-Network when asked.
 * @param out  out: room for GY_AWS_CORS_MAX_HEADERS; values point into the request's headers
 *             or static strings.
 * @return the number of headers written.
 */
size_t gy_aws_cors_preflight(const struct gy_http_header *h, size_t n,
                             struct gy_http_header *out);

/**
 * The CORS headers to add to an ordinary response to a request with an Origin header
 * (Access-Control-Allow-Origin, Access-Control-Expose-Headers, Vary: Origin); 0 without one.
 * @param out  out: room for GY_AWS_CORS_MAX_HEADERS.
 */
size_t gy_aws_cors_response(const struct gy_http_header *h, size_t n, struct gy_http_header *out);

/* Flags for gy_aws_http_finish. */
#define GY_AWS_HTTP_CRC32 0x1u /* add x-amz-crc32 (DynamoDB's response checksum) */

/**
 * Dress a response about to be sent: gzip the body when gy_aws_http_want_gzip says so
 * (adding Content-Encoding: gzip and Vary: Accept-Encoding), then with GY_AWS_HTTP_CRC32 add
 * x-amz-crc32, the unsigned decimal CRC-32 of the body bytes as sent (compressed, when they
 * are: clients check it before decoding), then the CORS headers of gy_aws_cors_response.
 * @param a        in: the request arena (the new header array and body are allocated there).
 * @param req_h    in: the request headers (req_n of them).
 * @param flags    in: GY_AWS_HTTP_* flags.
 * @param headers  in/out: the response headers; replaced by an arena array that holds them
 *                 followed by at most GY_AWS_HTTP_EXTRA_HEADERS more.
 * @param nheaders in/out: their number.
 * @param body     in/out: the response body; replaced by the compressed one when compressed.
 */
void gy_aws_http_finish(struct gy_arena *a, const struct gy_http_header *req_h, size_t req_n,
                        unsigned flags, const struct gy_http_header **headers, size_t *nheaders,
                        struct gy_str *body);

#endif

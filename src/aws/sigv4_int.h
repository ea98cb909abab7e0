/*
 * sigv4_int.h — helpers shared by sigv4.c (parse/verify/sign) and sigv4_canon.c (canonical
 * request, dates). Private to src/aws/sigv4*.c; nothing else includes it.
 */
#ifndef GY_AWS_SIGV4_INT_H
#define GY_AWS_SIGV4_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws/sigv4.h"

#define GY_SIGV4_HASH_LEN 32 /* bytes of a SHA-256 digest */
#define GY_SIGV4_HEX_LEN 64  /* its lower-case hex form, without NUL */

/** ASCII whitespace (space, \t, \r, \n, \v, \f). */
bool gy_sigv4__is_ws(char c);
/** The slice without leading and trailing whitespace. */
struct gy_str gy_sigv4__trim(struct gy_str s);
/** ASCII lower-case of one byte. */
char gy_sigv4__lower(char c);
bool gy_sigv4__is_digit(char c);
/** Case-insensitive ASCII comparison: <0, 0, >0 (shorter first on a common prefix). */
int gy_sigv4__casecmp(struct gy_str a, struct gy_str b);
/** First header named name (case-insensitive), or NULL. Points into req. */
const struct gy_sigv4_header *gy_sigv4__find_header(const struct gy_sigv4_request *req,
                                                    const char *name);
/** Split a request-target into the path and the query (without '?'); both borrow target. */
void gy_sigv4__split_target(struct gy_str target, struct gy_str *path, struct gy_str *query);
/** True when the raw (percent-encoded) query name decodes to exactly want. */
bool gy_sigv4__qname_is(struct gy_str raw, const char *want);
/** Fill idx[0..req->nheaders) with header indexes sorted by lower-cased name, wire order among
 * repeats. req->nheaders must be at most GY_SIGV4_MAX_HEADERS. */
void gy_sigv4__index_headers(const struct gy_sigv4_request *req, uint16_t *idx);
/** Lower-case hex SHA-256 of n bytes into out (65 bytes with NUL). */
void gy_sigv4__sha256_hex(const void *p, size_t n, char out[GY_SIGV4_HEX_LEN + 1]);

#include <openssl/evp.h>

/** SHA-256 fetched once (OpenSSL 3 looks implementations up per call otherwise). */
const EVP_MD *gy_sigv4__sha256(void);
/** SHA-256 of a || b (b may be empty) with a per-thread context. */
void gy_sigv4__digest(const void *a, size_t an, const void *b, size_t bn,
                      unsigned char out[GY_SIGV4_HASH_LEN]);

#endif

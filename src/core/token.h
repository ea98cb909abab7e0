/*
 * token.h — sealed tokens: opaque, tamper-proof texts that a service hands to a client and
 * later takes back (shard iterators, pagination tokens). A token is
 *   base64url-without-padding( payload || HMAC-SHA256(key, payload) )
 * so any change to its text is detected; its payload is the caller's byte format (readable by
 * a client that bothers to decode it, so it must hold nothing secret).
 */
#ifndef GY_CORE_TOKEN_H
#define GY_CORE_TOKEN_H

#include <stddef.h>

#include "core/str.h"

#define GY_TOKEN_KEY_LEN 32 /* HMAC-SHA256 secret */
#define GY_TOKEN_MAC_LEN 32 /* bytes of MAC appended to the payload */

/** Text length of the token for an n-byte payload (without the NUL). */
size_t gy_token_len(size_t n);
/**
 * Seal n bytes of payload into out (cap >= gy_token_len(n) + 1); NUL-terminates. Returns the
 * text length, or GY_ETOOBIG when out is too small or n exceeds 1024 bytes.
 */
int gy_token_seal(const unsigned char key[GY_TOKEN_KEY_LEN], const void *payload, size_t n,
                  char *out, size_t cap);
/**
 * Open a token: decode, verify its MAC in constant time and copy the payload to out (cap
 * bytes), its length to *n. Returns 0, or GY_EINVAL for any text this key did not seal.
 */
int gy_token_open(const unsigned char key[GY_TOKEN_KEY_LEN], struct gy_str text, void *out,
                  size_t cap, size_t *n);

#endif

/*
 * base64.h — RFC 4648 base64 in its two alphabets: standard (padded, as AWS JSON protocols
 * carry blobs) and URL-safe without padding (opaque tokens). Decoding is strict: characters
 * outside the alphabet, bad lengths, misplaced padding and non-zero unused bits are rejected,
 * so one byte string has exactly one accepted text.
 */
#ifndef GY_CORE_BASE64_H
#define GY_CORE_BASE64_H

#include <stddef.h>

#include "core/str.h"

enum gy_b64_alphabet {
    GY_B64_STD = 0, /* A-Z a-z 0-9 + /, '=' padding */
    GY_B64_URL,     /* A-Z a-z 0-9 - _, no padding */
};

/* Why a decode failed (for callers that word their own messages). */
enum gy_b64_fault {
    GY_B64_OK = 0,
    GY_B64_BAD_LENGTH, /* not a multiple of 4 (STD), or a length no encoding has (URL) */
    GY_B64_BAD_CHAR,   /* a character outside the alphabet, or '=' before the end */
    GY_B64_NOT_CANONICAL, /* unused bits of the last character are not zero */
};

/** Length of the encoding of n bytes (without a NUL). */
size_t gy_b64_encoded_len(size_t n, enum gy_b64_alphabet a);
/** Upper bound of the decoded length of a text of n characters. */
size_t gy_b64_decoded_max(size_t n);
/**
 * Encode n bytes of in into out (room for gy_b64_encoded_len(n) + 1 bytes); NUL-terminates.
 * Returns the text length.
 */
size_t gy_b64_encode(const void *in, size_t n, char *out, enum gy_b64_alphabet a);
/**
 * Strictly decode text into out (cap bytes). Returns 0 and the length in *n, or GY_EINVAL with
 * the reason in *fault (may be NULL) and, for GY_B64_BAD_CHAR, the offending character's
 * offset in *at (may be NULL). GY_ETOOBIG when out is too small.
 */
int gy_b64_decode(struct gy_str text, void *out, size_t cap, size_t *n, enum gy_b64_alphabet a,
                  enum gy_b64_fault *fault, size_t *at);

#endif

/*
 * base64.h — strict RFC 4648 base64 (standard alphabet, padded), as the AWS JSON protocols carry
 * blobs: decoding refuses lengths that are not a multiple of 4, characters outside the alphabet,
 * '=' before the end and non-canonical final characters (unused bits not zero).
 */
#ifndef GY_CORE_BASE64_H
#define GY_CORE_BASE64_H

#include <stddef.h>

#include "core/str.h"

struct gy_arena;

enum gy_base64_status {
    GY_BASE64_OK = 0,
    GY_BASE64_BAD_LENGTH = -1, /* length not a multiple of 4 */
    GY_BASE64_BAD_CHAR = -2,   /* a character outside the alphabet (*bad receives it) */
    GY_BASE64_NOT_CANONICAL = -3, /* bits after the last byte are not zero */
};

/** Encoded length of n bytes (without NUL). */
static inline size_t gy_base64_encoded_len(size_t n)
{
    return (n + 2) / 3 * 4;
}

/** Encode n bytes into out (gy_base64_encoded_len(n) bytes plus a NUL). */
void gy_base64_encode(const void *p, size_t n, char *out);

/** Encode into the arena; the result is NUL-terminated. */
struct gy_str gy_base64_encode_arena(struct gy_arena *a, const void *p, size_t n);

/**
 * Decode strictly into arena bytes (NUL-terminated after len).
 * @param bad out (may be NULL): the offending character for GY_BASE64_BAD_CHAR.
 * @return enum gy_base64_status.
 */
int gy_base64_decode(struct gy_arena *a, struct gy_str in, struct gy_str *out, char *bad);

#endif

/*
 * gzip.h — gzip (RFC 1952) compression and bounded decompression, and CRC-32, over zlib.
 *
 * This is the one file that wraps zlib. Decompression is bounded: a small input that would
 * inflate past the caller's limit (a "gzip bomb") stops as soon as the limit is crossed, having
 * allocated at most the limit. Every function is reentrant and thread-safe.
 */
#ifndef GY_CORE_GZIP_H
#define GY_CORE_GZIP_H

#include <stddef.h>
#include <stdint.h>

#include "core/str.h"

/**
 * Decompress a gzip stream of one or more members (RFC 1952 §2.2: concatenated members
 * decompress to the concatenation of their data), appending the result to out.
 * @param in       in: the compressed bytes; all of them must be gzip members.
 * @param max_out  in: the most decompressed bytes accepted (out->max also bounds them).
 * @param out      in/out: an initialized buffer; the data is appended.
 * @return 0; GY_ETOOBIG when the data would exceed max_out or out's maximum; GY_EINVAL for
 *         empty input, a bad header, corrupt data, a bad CRC or length, a truncated stream or
 *         bytes after the last member that are not another member. On error out is left as it
 *         was before the call (its length; its capacity may have grown up to the limit).
 */
int gy_gunzip(struct gy_str in, size_t max_out, struct gy_buf *out);

/**
 * Compress in as one gzip member appended to out.
 * @param level  in: zlib level 0-9, or -1 for zlib's default (6).
 * @return 0; GY_EINVAL for a bad level; GY_ETOOBIG when out's maximum is reached (out is then
 *         left as it was).
 */
int gy_gzip(struct gy_str in, int level, struct gy_buf *out);

/** CRC-32 (ISO-HDLC, as in gzip and x-amz-crc32) of n bytes; p may be NULL when n is 0. */
uint32_t gy_crc32(const void *p, size_t n);

/** Continue a CRC-32: gy_crc32_update(gy_crc32(a, n), b, m) is the CRC of a then b. */
uint32_t gy_crc32_update(uint32_t crc, const void *p, size_t n);

#endif

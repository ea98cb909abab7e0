/*
 * cbor.h — CBOR bodies (smithy-rpc-v2-cbor for CloudWatch, application/x-amz-cbor-1.1 for
 * Kinesis) to and from the protocol-neutral JSON form, through libcbor. Byte strings become
 * base64 strings, tag-1 timestamps epoch-second numbers; on the way out the model says which
 * strings are blobs and which numbers are timestamps. See docs/protocols.md.
 */
#ifndef GY_AWS_CBOR_H
#define GY_AWS_CBOR_H

#include <stdbool.h>
#include <stddef.h>

#include "aws/model.h"
#include "core/json.h"
#include "core/str.h"

struct gy_arena;

#define GY_CBOR_MAX_DEPTH 64 /* nesting refused beyond this (SerializationException) */

/**
 * Convert one CBOR data item (the whole body) to JSON text on w. Maps must have text keys;
 * byte strings become base64 strings; tag 1 (epoch time) becomes a number; tags 0/2/3 and
 * other tags are refused or unwrapped as documented in cbor.c; NaN/Infinity become the
 * strings "NaN"/"Infinity"/"-Infinity" (as smithy does). An empty body is {}.
 * @return 0, or GY_EINVAL with *why (static) for truncated input, trailing bytes, bad
 *         indefinite lengths, nesting deeper than GY_CBOR_MAX_DEPTH, invalid UTF-8, non-text
 *         map keys or undefined/simple values.
 */
int gy_cbor_to_json(struct gy_arena *arena, struct gy_str cbor, struct gy_jw *w,
                    const char **why);

/**
 * Encode the JSON value `tree` of shape `shape` as CBOR on out: blob members (base64 in JSON)
 * as byte strings, timestamps as tag 1 + number (integer when whole), integers as integers,
 * doubles as float64, everything else by its JSON type. shape may be GY_MODEL_NONE (no model
 * guidance: JSON types only).
 * @return 0, GY_ETOOBIG (out's limit) or GY_EINVAL (a blob that is not valid base64).
 */
int gy_cbor_from_json(const struct gy_model_service *svc, uint16_t shape,
                      const struct gy_json *tree, struct gy_buf *out);

/** Encode an error body: a map {"__type": type, "message": message}. */
int gy_cbor_error(const char *type, const char *message, struct gy_buf *out);

#endif

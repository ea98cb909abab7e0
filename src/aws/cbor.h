/*
 * cbor.h — CBOR bodies (smithy-rpc-v2-cbor for CloudWatch, application/x-amz-cbor-1.1 for
 * Kinesis) to and from the protocol-neutral JSON form, through libcbor. Byte strings become
 * base64 strings, tag-1 timestamps epoch-second numbers; on the way out the model says which
 * strings are blobs and which numbers are timestamps. See docs/protocols.md.
 *
 * The two dialects differ only in timestamps (everything else is the same CBOR):
 *   - rpc-v2-cbor (smithy.protocols#rpcv2Cbor): tag 1 over epoch *seconds*, an integer or a
 *     float with millisecond precision (smithy.io, "Smithy RPC v2 CBOR protocol").
 *   - x-amz-cbor-1.1 (the AWS Java SDK v1/v2 and KCL for Kinesis): tag 1 over an integer of
 *     epoch *milliseconds* (the SDKs' SdkCborGenerator writes Instant.toEpochMilli(), and
 *     AwsCborProtocolFactory sets UNIX_TIMESTAMP_MILLIS for payload timestamps).
 */
#ifndef GY_AWS_CBOR_H
#define GY_AWS_CBOR_H

#include <stdbool.h>
#include <stddef.h>

#include "aws/model.h"
#include "core/json.h"
#include "core/str.h"

struct gy_arena;

#define GY_CBOR_MAX_DEPTH 64 /* nesting of arrays and maps refused beyond this */

enum gy_cbor_dialect {
    GY_CBOR_RPCV2 = 0, /* smithy-rpc-v2-cbor: tag 1 + epoch seconds (int, or float64) */
    GY_CBOR_AMZ,       /* application/x-amz-cbor-1.1: tag 1 + integer epoch milliseconds */
};

/** The Content-Type of a dialect's bodies: "application/cbor" or "application/x-amz-cbor-1.1". */
const char *gy_cbor_content_type(enum gy_cbor_dialect dialect);

/**
 * Convert one CBOR data item (the whole request body) to JSON text on w, without building a
 * tree. The item must be a map (an operation's input structure); an empty body is {}.
 *   - map keys must be text strings, each at most once per map; a member whose value is null
 *     or undefined is dropped (smithy: null values are omitted);
 *   - byte strings become base64 strings; text strings must be valid UTF-8 without NUL;
 *   - integers are written exactly (also beyond int64: uint64, and negatives down to -2^64);
 *   - floats (half, single, double) in shortest round-trip form; NaN/Infinity/-Infinity
 *     become the strings "NaN", "Infinity", "-Infinity" (as the JSON protocols send them);
 *   - tag 1 over a finite number becomes epoch seconds (dialect GY_CBOR_AMZ: the number is
 *     milliseconds and is divided exactly by 1000); every other tag, including bignums and
 *     decimal fractions (tags 2-4), is refused;
 *   - definite and indefinite lengths; an indefinite string's chunks must be definite strings
 *     of its own major type.
 * Allocation-light: nothing proportional to a declared length is ever allocated (a 2^63-byte
 * declared string in a small body is just truncated input). Keys of indefinite-length text
 * and the duplicate-key index come from arena.
 * @param w  in/out: a writer positioned where a value may go; on failure its contents are
 *           unspecified and must be discarded. The JSON can be up to ~8x the CBOR (a 3-byte
 *           half float prints as 22 characters, a control character as \u00XX), so give
 *           w's buffer a maximum of 8 * cbor.len + 16 to never refuse a body for its size.
 * @return 0; GY_EINVAL with *why (static text) for truncated input, bytes after the item,
 *         reserved/unassigned initial bytes, a misplaced break, bad indefinite-length strings,
 *         nesting deeper than GY_CBOR_MAX_DEPTH, invalid UTF-8, non-text or duplicate map keys,
 *         unsupported tags or a top-level item that is not a map; GY_ETOOBIG when w's buffer
 *         limit is reached (*why set too).
 */
int gy_cbor_to_json(struct gy_arena *arena, struct gy_str cbor, enum gy_cbor_dialect dialect,
                    struct gy_jw *w, const char **why);

/**
 * Encode the JSON value `tree` of shape `shape` of svc as CBOR on out (definite lengths only):
 * structures and maps become maps (members whose value is JSON null are omitted), lists
 * arrays (a null element stays null), blobs (base64 in JSON) byte strings, timestamps tag 1 +
 * the dialect's number (rpc-v2: an integer when whole, else float64; amz: integer
 * milliseconds), integer/long integers, float/double float64 (the strings "NaN", "Infinity"
 * and "-Infinity" become those floats), everything else by its JSON type. Members the model
 * does not know, and shape GY_MODEL_NONE (svc may then be NULL), are encoded by JSON type.
 * The map keys are the JSON keys, unchanged.
 * @return 0, GY_ETOOBIG (out's limit; out then holds a prefix) or GY_EINVAL (a blob that is
 *         not valid padded base64, or an amz timestamp whose milliseconds overflow a double).
 */
int gy_cbor_from_json(const struct gy_model_service *svc, uint16_t shape,
                      const struct gy_json *tree, enum gy_cbor_dialect dialect, struct gy_buf *out);

/**
 * Encode an error body: the map {"__type": type, "message": message} (message NULL: no
 * "message" member). rpc-v2-cbor wants the error's absolute shape id as type
 * ("com.amazonaws.cloudwatch#ResourceNotFound"); x-amz-cbor-1.1 the bare code as in JSON 1.1.
 * @return 0 or GY_ETOOBIG.
 */
int gy_cbor_error(const char *type, const char *message, struct gy_buf *out);

#endif

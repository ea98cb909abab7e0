/*
 * validate.h — request validation generated from the service model, as AWS's front end does it
 * before a handler runs: first the whole input is type-checked (SerializationException, the
 * first mismatch wins), then every constraint is checked and all violations are reported
 * together ("2 validation errors detected: Value null at 'tableName' failed to satisfy
 * constraint: Member must not be null; Value ...").
 *
 * Paths name members with their first letter lower-cased, list elements as "name.N.member"
 * (1-based) and map values as "name.KEY.member". At most GY_VALIDATE_MAX_ERRORS violations are
 * listed. Patterns are the model's (Java) regular expressions, run with PCRE2; a pattern PCRE2
 * cannot compile is skipped (logged once at debug). Thread-safe. See docs/protocols.md.
 */
#ifndef GY_AWS_VALIDATE_H
#define GY_AWS_VALIDATE_H

#include <stdint.h>

#include "aws/model.h"
#include "core/errors.h"
#include "core/json.h"

struct gy_arena;

#define GY_VALIDATE_MAX_ERRORS 10

enum gy_validate_result {
    GY_VALIDATE_OK = 0,
    GY_VALIDATE_SERIALIZATION = 1, /* a type mismatch: *msg is the SerializationException text */
    GY_VALIDATE_CONSTRAINT = 2,    /* constraint violations: *msg is the ValidationException text */
};

/**
 * Validate input (the JSON form of shape `shape`, an object) against the model.
 * @param msg out: on failure, the message (arena-allocated).
 * @return enum gy_validate_result.
 */
int gy_validate(struct gy_arena *arena, const struct gy_model_service *svc, uint16_t shape,
                const struct gy_json *input, const char **msg);

/**
 * As gy_validate, for input a codec built from the model itself (the query protocol's): its
 * types already match the shapes, so only constraints are checked.
 */
int gy_validate_constraints(struct gy_arena *arena, const struct gy_model_service *svc,
                            uint16_t shape, const struct gy_json *input, const char **msg);

/** Compile every pattern of svc now (called at start-up so requests never compile). */
void gy_validate_prepare(const struct gy_model_service *svc);

#endif

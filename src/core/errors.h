/*
 * errors.h — Gyre's internal return codes and the table of errors an AWS client can see.
 *
 * Internal functions return 0 or a negative GY_E* code. Errors that reach a client are a
 * struct gy_error: an entry of the AWS error table (exception name, namespace, HTTP status)
 * plus a message. Only src/aws/ knows how an error body is shaped on the wire; handlers just
 * fill the struct (gy_error_set) and return GY_EAWS.
 */
#ifndef GY_CORE_ERRORS_H
#define GY_CORE_ERRORS_H

#include <stdbool.h>

#include "core/str.h"

/* Internal codes (negative). */
#define GY_OK 0
#define GY_EINVAL (-1)    /* bad argument or malformed input */
#define GY_ENOMEM (-2)    /* allocation refused (only where a limit, not malloc, refuses) */
#define GY_ETOOBIG (-3)   /* a bounded buffer or a limit would be exceeded */
#define GY_ENOTFOUND (-4) /* no such key, table or entry */
#define GY_EEXIST (-5)    /* already exists */
#define GY_EIO (-6)       /* storage or system failure */
#define GY_EAWS (-7)      /* an AWS-visible error was recorded in the request's struct gy_error */
#define GY_EAGAIN (-8)    /* would block: call again later */
#define GY_ECLOSED (-9)   /* the object is shutting down */
#define GY_EFALSE (-10)   /* a condition evaluated to false */

/* Non-error flow code: the work continues asynchronously and completes later. */
#define GY_PENDING 1

/** Name of an internal code ("GY_EINVAL"). */
const char *gy_strerror(int code);

/*
 * The AWS error table. X(enum suffix, exception name, namespace, HTTP status, retryable).
 * Namespaces are what the real services put before '#' in "__type".
 */
#define GY_AWS_ERROR_MAP(X)                                                                      \
    X(VALIDATION, "ValidationException", "com.amazon.coral.validate", 400, false)                \
    X(SERIALIZATION, "SerializationException", "com.amazon.coral.service", 400, false)           \
    X(UNKNOWN_OPERATION, "UnknownOperationException", "com.amazon.coral.service", 400, false)    \
    X(MISSING_AUTH, "MissingAuthenticationTokenException", "com.amazon.coral.service", 400,      \
      false)                                                                                     \
    X(INCOMPLETE_SIGNATURE, "IncompleteSignatureException", "com.amazon.coral.service", 400,     \
      false)                                                                                     \
    X(INVALID_SIGNATURE, "InvalidSignatureException", "com.amazon.coral.service", 400, false)    \
    X(UNRECOGNIZED_CLIENT, "UnrecognizedClientException", "com.amazon.coral.service", 400,       \
      false)                                                                                     \
    X(EXPIRED_TOKEN, "ExpiredTokenException", "com.amazon.coral.service", 400, false)            \
    X(ACCESS_DENIED, "AccessDeniedException", "com.amazon.coral.service", 400, false)            \
    X(REQUEST_TOO_LARGE, "RequestEntityTooLargeException", "com.amazon.coral.service", 413,      \
      false)                                                                                     \
    X(RESOURCE_NOT_FOUND, "ResourceNotFoundException", "com.amazonaws.dynamodb.v20120810", 400,  \
      false)                                                                                     \
    X(RESOURCE_IN_USE, "ResourceInUseException", "com.amazonaws.dynamodb.v20120810", 400, false) \
    X(CONDITIONAL_CHECK_FAILED, "ConditionalCheckFailedException",                               \
      "com.amazonaws.dynamodb.v20120810", 400, false)                                            \
    X(TRANSACTION_CANCELED, "TransactionCanceledException", "com.amazonaws.dynamodb.v20120810",  \
      400, false)                                                                                \
    X(TRANSACTION_CONFLICT, "TransactionConflictException", "com.amazonaws.dynamodb.v20120810",  \
      400, false)                                                                                \
    X(IDEMPOTENT_PARAMETER_MISMATCH, "IdempotentParameterMismatchException",                     \
      "com.amazonaws.dynamodb.v20120810", 400, false)                                            \
    X(GLOBAL_TABLE_NOT_FOUND, "GlobalTableNotFoundException", "com.amazonaws.dynamodb.v20120810",  \
      400, false)                                                                                \
    X(GLOBAL_TABLE_ALREADY_EXISTS, "GlobalTableAlreadyExistsException",                          \
      "com.amazonaws.dynamodb.v20120810", 400, false)                                            \
    X(TABLE_NOT_FOUND, "TableNotFoundException", "com.amazonaws.dynamodb.v20120810", 400, false) \
    X(DUPLICATE_ITEM, "DuplicateItemException", "com.amazonaws.dynamodb.v20120810", 400, false) \
    X(ITEM_COLLECTION_SIZE_LIMIT, "ItemCollectionSizeLimitExceededException",                    \
      "com.amazonaws.dynamodb.v20120810", 400, false)                                            \
    X(LIMIT_EXCEEDED, "LimitExceededException", "com.amazonaws.dynamodb.v20120810", 400, true)   \
    X(THROTTLING, "ThrottlingException", "com.amazon.coral.availability", 400, true)             \
    X(EXPIRED_ITERATOR, "ExpiredIteratorException", "com.amazonaws.dynamodb.v20120810", 400,     \
      false)                                                                                     \
    X(TRIMMED_DATA_ACCESS, "TrimmedDataAccessException", "com.amazonaws.dynamodb.v20120810",     \
      400, false)                                                                                \
    X(INTERNAL, "InternalServerError", "com.amazonaws.dynamodb.v20120810", 500, true)            \
    X(SERVICE_UNAVAILABLE, "ServiceUnavailable", "com.amazon.coral.availability", 503, true)    \
    X(MODELED, "", "", 400, false) /* a service exception named in gy_error.exception */

enum gy_aws_error {
    GY_AWS_OK = 0,
#define GY__AWS_ENUM(name, exc, ns, status, retry) GY_AWS_##name,
    GY_AWS_ERROR_MAP(GY__AWS_ENUM)
#undef GY__AWS_ENUM
        GY_AWS__COUNT
};

struct gy_aws_error_info {
    const char *name;      /* exception name, e.g. "ResourceNotFoundException" */
    const char *ns;        /* namespace before '#' in "__type" */
    int status;            /* HTTP status */
    bool retryable;        /* whether clients retry it */
};

/** Static description of an AWS error code. */
const struct gy_aws_error_info *gy_aws_error_info(enum gy_aws_error code);

struct gy_arena;

/* An AWS-visible error: one table entry plus a message allocated from the request arena. */
struct gy_error {
    enum gy_aws_error code; /* GY_AWS_OK when no error was set */
    const char *message;    /* NUL-terminated, owned by the request arena (or static) */
    const char *extra_json; /* optional extra members for the error body, e.g. "\"Item\":{...}" */
    const char *exception;  /* GY_AWS_MODELED: the exception shape's name in the service model */
};

/**
 * Record an AWS error with a printf-formatted message allocated from arena; returns GY_EAWS
 * so a handler can write `return gy_error_set(...)`.
 */
int gy_error_set(struct gy_error *err, struct gy_arena *arena, enum gy_aws_error code,
                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif

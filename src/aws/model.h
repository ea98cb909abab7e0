/*
 * model.h — AWS service models as compact C tables, generated at build time from the botocore
 * JSON models that Debian's python3-botocore installs (scripts/gen-aws-model, plus the reviewed
 * overlays in src/aws/models/). The protocol codecs (query+XML, CBOR, rest-json) and the request
 * validator read shapes from here; nothing in Gyre hand-types a shape.
 *
 * Invariants: shape and member indexes are dense and valid within their service; a list shape's
 * `a` is its member shape, a map's `a`/`b` are its key/value shapes, a structure's members are
 * members[first .. first + n). Everything is static const data: thread-safe, never freed.
 * See docs/protocols.md.
 */
#ifndef GY_AWS_MODEL_H
#define GY_AWS_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/str.h"

#define GY_MODEL_NONE 0xffffu /* "no shape" (an operation without input or output) */

enum gy_model_protocol {
    GY_PROTO_JSON = 1,  /* awsJson 1.0 / 1.1: X-Amz-Target, JSON bodies */
    GY_PROTO_QUERY,     /* awsQuery: form-encoded Action=&Version=, XML responses */
    GY_PROTO_REST_JSON, /* method + URI template + query + headers + JSON body */
    GY_PROTO_CBOR,      /* smithy-rpc-v2-cbor (CloudWatch) or x-amz-cbor-1.1 (Kinesis) */
};

enum gy_shape_kind {
    GY_SHAPE_STRUCTURE = 1,
    GY_SHAPE_LIST,
    GY_SHAPE_MAP,
    GY_SHAPE_STRING,
    GY_SHAPE_INTEGER,
    GY_SHAPE_LONG,
    GY_SHAPE_FLOAT,
    GY_SHAPE_DOUBLE,
    GY_SHAPE_BOOLEAN,
    GY_SHAPE_TIMESTAMP,
    GY_SHAPE_BLOB,
};

/* Shape flags. */
#define GY_SHAPE_HAS_MIN 0x01u   /* min is set: a length (string/blob/list/map) or a range */
#define GY_SHAPE_HAS_MAX 0x02u   /* max is set */
#define GY_SHAPE_FLATTENED 0x04u /* query/XML: list or map without the wrapping element */
#define GY_SHAPE_EXCEPTION 0x08u /* structure is an error shape */
#define GY_SHAPE_SENDER 0x10u    /* exception: the client's fault (query <Type>Sender) */
#define GY_SHAPE_DOCUMENT 0x20u  /* structure marked "document": any JSON value */
#define GY_SHAPE_EVENTSTREAM 0x40u

/* Timestamp formats (a member's or a shape's timestampFormat, else the protocol's default). */
enum gy_ts_format {
    GY_TS_DEFAULT = 0,
    GY_TS_ISO8601,
    GY_TS_EPOCH, /* "unixTimestamp" */
    GY_TS_RFC822,
};

/* Where a member travels (rest protocols); body members of rpc protocols are GY_LOC_BODY. */
enum gy_member_location {
    GY_LOC_BODY = 0,
    GY_LOC_URI,
    GY_LOC_QUERYSTRING,
    GY_LOC_HEADER,
    GY_LOC_HEADERS,     /* a map of all headers with a prefix (wire name is the prefix) */
    GY_LOC_STATUS_CODE, /* output: the HTTP status */
};

/* Member flags. */
#define GY_MEMBER_REQUIRED 0x01u
#define GY_MEMBER_IDEMPOTENCY_TOKEN 0x02u
#define GY_MEMBER_JSONVALUE 0x04u  /* a header carrying base64 JSON */
#define GY_MEMBER_PAYLOAD 0x08u    /* the structure's payload member (rest protocols) */
#define GY_MEMBER_HOST_LABEL 0x10u
#define GY_MEMBER_FLATTENED 0x20u  /* member-level "flattened" (query/XML) */
#define GY_MEMBER_XML_ATTR 0x40u

struct gy_model_member {
    const char *name;      /* member name: the key in JSON, the base of query/XML names */
    const char *wire_name; /* locationName (query/XML element, header, query key, URI label),
                              or NULL when it equals name */
    uint16_t shape;        /* the member's shape (index into the service's shapes) */
    uint8_t location;      /* enum gy_member_location */
    uint8_t flags;         /* GY_MEMBER_* */
    uint8_t ts_format;     /* enum gy_ts_format for timestamp members (0: the shape's) */
};

struct gy_model_shape {
    const char *name;        /* shape name in the model, e.g. "AttributeValue" */
    uint8_t kind;            /* enum gy_shape_kind */
    uint8_t flags;           /* GY_SHAPE_* */
    uint8_t ts_format;       /* enum gy_ts_format for timestamp shapes */
    uint16_t a;              /* list: member shape; map: key shape */
    uint16_t b;              /* map: value shape */
    uint32_t first;          /* structure: index of its first member in the service's members */
    uint16_t n;              /* structure: member count; string: enum value count */
    const char *a_name;      /* list: member's locationName ("member" when NULL);
                                map: key's locationName ("key" when NULL) */
    const char *b_name;      /* map: value's locationName ("value" when NULL) */
    double min;              /* with GY_SHAPE_HAS_MIN */
    double max;              /* with GY_SHAPE_HAS_MAX */
    const char *pattern;     /* string: regular expression the value must match, or NULL */
    const char *const *enums;/* string: allowed values (n of them), or NULL */
    /* exceptions */
    const char *error_code;  /* wire code when it differs from the name (query: "ResourceNotFound") */
    uint16_t error_status;   /* HTTP status (400 when the model gives none) */
};

struct gy_model_op {
    const char *name;           /* "PutItem" */
    const char *method;         /* HTTP method ("POST" for rpc protocols) */
    const char *uri;            /* request URI template ("/" for rpc; "/2015-03-31/functions/{FunctionName}") */
    uint16_t input;             /* input structure, or GY_MODEL_NONE */
    uint16_t output;            /* output structure, or GY_MODEL_NONE */
    uint16_t status;            /* success status (200 unless the model says otherwise) */
    const char *result_wrapper; /* query: "<Op>Result" element, or NULL */
};

struct gy_model_service {
    const char *name;          /* botocore service name: "dynamodb", "cloudwatch", "lambda", ... */
    const char *api_version;   /* "2012-08-10" */
    uint8_t protocol;          /* enum gy_model_protocol of the model */
    const char *json_version;  /* "1.0" / "1.1" (json), or NULL */
    const char *target_prefix; /* "DynamoDB_20120810", or NULL */
    const char *signing_name;  /* credential-scope service: "dynamodb", "monitoring", ... */
    const char *xml_namespace; /* query: "http://monitoring.amazonaws.com/doc/2010-08-01/" */
    const char *error_ns;      /* JSON "__type" prefix before '#', or NULL for bare codes */
    bool query_compatible;     /* awsQueryCompatible: JSON/CBOR errors carry x-amzn-query-error */
    const struct gy_model_op *ops;         /* sorted by name */
    size_t nops;
    const struct gy_model_shape *shapes;   /* sorted by name */
    size_t nshapes;
    const struct gy_model_member *members;
    size_t nmembers;
};

/** The generated model of a botocore service name ("dynamodb"), or NULL. */
const struct gy_model_service *gy_model_find(const char *name);
/** All generated models; *n receives their count. */
const struct gy_model_service *const *gy_model_all(size_t *n);
/** Operation by exact name, or NULL (binary search). */
const struct gy_model_op *gy_model_op(const struct gy_model_service *svc, struct gy_str name);
/** Shape by index; idx must be valid (asserted). */
const struct gy_model_shape *gy_model_shape(const struct gy_model_service *svc, uint16_t idx);
/** Shape index by name, or GY_MODEL_NONE. */
uint16_t gy_model_shape_find(const struct gy_model_service *svc, const char *name);
/** Member i (0-based) of a structure shape. */
const struct gy_model_member *gy_model_member(const struct gy_model_service *svc,
                                              const struct gy_model_shape *st, size_t i);
/** Member of a structure by its name (exact), or NULL. */
const struct gy_model_member *gy_model_member_find(const struct gy_model_service *svc,
                                                   const struct gy_model_shape *st,
                                                   struct gy_str name);
/** The wire name of a member (its locationName, else its name). */
static inline const char *gy_model_member_wire(const struct gy_model_member *m)
{
    return m->wire_name ? m->wire_name : m->name;
}
/** Effective timestamp format of a member: the member's, else the shape's, else dflt. */
enum gy_ts_format gy_model_ts_format(const struct gy_model_service *svc,
                                     const struct gy_model_member *m, enum gy_ts_format dflt);

#endif

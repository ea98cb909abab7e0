/*
 * query.h — the awsQuery protocol: form-encoded requests (Action=&Version=, member.N lists,
 * entry.N.key/value maps, dotted structures) decoded into the protocol-neutral JSON form of an
 * operation's input shape, and JSON outputs encoded as the XML responses and <ErrorResponse>
 * errors botocore's QueryParser reads. Model-driven (aws/model.h); no service knowledge here.
 * Facts: ../shared/PROTOCOL.md §3.3, §4.2. See docs/protocols.md.
 */
#ifndef GY_AWS_QUERY_H
#define GY_AWS_QUERY_H

#include <stddef.h>

#include "aws/model.h"
#include "core/json.h"
#include "core/str.h"

struct gy_arena;

#define GY_QUERY_MAX_PARAMS 100000 /* parameters in one request (PutMetricData: 1000 metrics x 30
                                     dimensions is ~62,000), also the largest list index */

/* One decoded form parameter (percent- and '+'-decoded, NUL-terminated, arena-owned). */
struct gy_query_param {
    struct gy_str name;
    struct gy_str value;
};

/**
 * Split an application/x-www-form-urlencoded string (a body or a URL query) into parameters.
 * @return 0; GY_EINVAL for a bad percent-escape or a name/value that is not UTF-8 (*why set to
 *         a static message); GY_ETOOBIG over GY_QUERY_MAX_PARAMS.
 */
int gy_query_parse(struct gy_arena *arena, struct gy_str form, struct gy_query_param **out,
                   size_t *n, const char **why);

/** Value of the first parameter named name, or NULL. */
const struct gy_str *gy_query_get(const struct gy_query_param *p, size_t n, const char *name);

/**
 * Write the JSON form of input shape `shape` from the parameters (Action and Version skipped,
 * unknown parameters ignored as AWS does) to w: lists from Name.member.N (or flattened Name.N),
 * maps from Name.entry.N.key/value, booleans, numbers, ISO-8601 timestamps as epoch seconds,
 * blobs kept base64; an empty list sent as "Name=" is an empty array.
 * @return 0, or GY_EINVAL with a message in *why (arena-allocated) naming the parameter, e.g. a
 *         number that does not parse or an index that is not a positive integer.
 */
int gy_query_to_json(struct gy_arena *arena, const struct gy_model_service *svc, uint16_t shape,
                     const struct gy_query_param *p, size_t n, struct gy_jw *w, const char **why);

/**
 * Encode an operation's success response:
 * <OpResponse xmlns="ns"><OpResult>…</OpResult><ResponseMetadata><RequestId>id</RequestId>
 * </ResponseMetadata></OpResponse>. `out_tree` is the handler's JSON output (an object, or NULL
 * for no output); members are written in model order with their locationNames, lists as
 * <member> (or flattened), maps as <entry><key/><value/></entry>, timestamps ISO 8601 with
 * milliseconds, booleans true/false, text XML-escaped.
 * @return 0 or GY_ETOOBIG (out's limit).
 */
int gy_query_xml_response(const struct gy_model_service *svc, const struct gy_model_op *op,
                          const struct gy_json *out_tree, const char *request_id,
                          struct gy_buf *out);

/**
 * Encode <ErrorResponse xmlns="ns"><Error><Type>Sender|Receiver</Type><Code>code</Code>
 * <Message>msg</Message></Error><RequestId>id</RequestId></ErrorResponse>.
 */
int gy_query_xml_error(const char *xml_namespace, bool sender, const char *code,
                       const char *message, const char *request_id, struct gy_buf *out);

/** Append s XML-escaped (&amp; &lt; &gt; &quot; &apos;, and control characters as &#xN;). */
int gy_xml_escape(struct gy_buf *out, struct gy_str s);

#endif

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
 * Split an application/x-www-form-urlencoded string (a body or a URL query) into parameters, in
 * order, duplicates kept. '+' is a space, %XX an octet (hex digits of either case); a segment
 * without '=' has an empty value; empty segments ("&&", a trailing '&') are skipped.
 * @param arena  in: owns *out and every name and value (each NUL-terminated).
 * @return 0; GY_EINVAL for a bad percent-escape ("%G1", "%4" at the end), a decoded NUL, or a
 *         name/value that is not UTF-8 (*why set to a static message); GY_ETOOBIG over
 *         GY_QUERY_MAX_PARAMS. Thread-safe (no shared state).
 */
int gy_query_parse(struct gy_arena *arena, struct gy_str form, struct gy_query_param **out,
                   size_t *n, const char **why);

/** Value of the first parameter named name, or NULL. */
const struct gy_str *gy_query_get(const struct gy_query_param *p, size_t n, const char *name);

/**
 * Write the JSON form of input shape `shape` from the parameters to w, as botocore's
 * QuerySerializer names them (Action and Version skipped, unknown parameters and names nested
 * deeper than the model ignored as AWS does):
 *  - members by their locationName (else their name; the member name is accepted as a fallback);
 *  - structures "A.B.C"; lists "Name.member.N" (the list member's locationName replaces
 *    "member"), flattened "Name.N" (named after the list member's locationName when it has one);
 *    N is 1..GY_QUERY_MAX_PARAMS without leading zeros, gaps allowed, ordered by N; an empty
 *    list is "Name=" with an empty value;
 *  - maps "Name.entry.N.key"/".value" (or the key/value locationNames; flattened "Name.N.key");
 *    entries lacking a key or a value are skipped, a repeated key keeps its lowest index;
 *  - booleans true/false (any case); integers (32-bit) and longs strict decimal; floats and
 *    doubles decimal with optional exponent, finite (no NaN/Infinity: JSON cannot carry them);
 *    timestamps ISO 8601 (fraction, 'Z' or offset optional, date alone allowed), RFC 822 or
 *    epoch seconds, written as epoch seconds; blobs kept as their (validated) base64 text.
 * The first parameter of a repeated name wins. Cost O(n log n) whatever the model's size.
 * @param arena  in: scratch and *why.
 * @return 0; GY_EINVAL with *why (arena-allocated, UTF-8) naming the parameter, e.g.
 *         "Value (abc) for parameter MetricData.member.1.Value is invalid. Expected a finite
 *         number." or "Invalid index (0) in parameter Statistics.member.0: list and map indexes
 *         must be integers from 1 to 100000."; GY_ETOOBIG when w's buffer is full.
 */
int gy_query_to_json(struct gy_arena *arena, const struct gy_model_service *svc, uint16_t shape,
                     const struct gy_query_param *p, size_t n, struct gy_jw *w, const char **why);

/**
 * Encode an operation's success response:
 * <OpResponse xmlns="ns"><OpResult>…</OpResult><ResponseMetadata><RequestId>id</RequestId>
 * </ResponseMetadata></OpResponse>. The wrapper is written whenever the model names one (even
 * with no output: botocore looks it up); without a wrapper the members sit directly in the root.
 * `out_tree` is the handler's JSON output (an object, or NULL for no output); members are
 * written in model order with their locationNames (JSON null = absent, members the model does
 * not know are dropped), lists as <member> (or the list member's locationName; flattened lists
 * repeat the element), maps as <entry><key/><value/></entry> (locationNames respected;
 * flattened maps repeat <Name><key/><value/></Name>), timestamps from epoch seconds as ISO 8601
 * UTC with milliseconds (2024-01-01T00:00:00.000Z; unixTimestamp/rfc822 members in their
 * format), doubles in the shortest text that reads back exactly, booleans true/false, text
 * XML-escaped. A JSON value of another type than the shape's is written as its own text.
 * @return 0 or GY_ETOOBIG (out's limit; out then holds a truncated document).
 */
int gy_query_xml_response(const struct gy_model_service *svc, const struct gy_model_op *op,
                          const struct gy_json *out_tree, const char *request_id,
                          struct gy_buf *out);

/**
 * Encode <ErrorResponse xmlns="ns"><Error><Type>Sender|Receiver</Type><Code>code</Code>
 * <Message>msg</Message></Error><RequestId>id</RequestId></ErrorResponse>. A NULL namespace
 * omits xmlns; a NULL message omits <Message>. @return 0 or GY_ETOOBIG.
 */
int gy_query_xml_error(const char *xml_namespace, bool sender, const char *code,
                       const char *message, const char *request_id, struct gy_buf *out);

/**
 * Append s as XML text: &amp; &lt; &gt; &quot; &apos;; CR as &#xD; (a raw CR would be
 * normalised away by the reader); tab and LF as they are. XML 1.0 cannot carry the other C0
 * controls, U+FFFE and U+FFFF even as character references (expat, which botocore uses,
 * rejects "&#x1;" and the whole response with it), so those, and bytes that are not UTF-8,
 * become U+FFFD. @return 0 or GY_ETOOBIG.
 */
int gy_xml_escape(struct gy_buf *out, struct gy_str s);

#endif

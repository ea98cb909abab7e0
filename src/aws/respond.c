/*
 * respond.c — the answer to an AWS request in the protocol the client spoke: the handler's JSON
 * output as JSON, query XML, CBOR or rest-json (headers, status, payload), and every error in
 * that protocol's own shape with the wire code and status the real service uses
 * (PROTOCOL.md §4): JSON {"__type","message"}, <ErrorResponse> XML, CBOR {"__type","message"},
 * rest-json x-amzn-ErrorType. Query-compatible JSON services (CloudWatch) add
 * x-amzn-query-error so that clients map the query error code.
 */
#include <stdio.h>
#include <string.h>

#include "aws/aws_int.h"
#include "aws/cbor.h"
#include "aws/http_extras.h"
#include "aws/query.h"
#include "core/arena.h"
#include "core/log.h"
#include "net/http.h"

#define MAX_HEADERS 24

struct out_headers {
    struct gy_http_header h[MAX_HEADERS];
    size_t n;
};

static void add(struct out_headers *o, const char *name, struct gy_str value)
{
    if (o->n < MAX_HEADERS)
        o->h[o->n++] = (struct gy_http_header){ gy_str_c(name), value };
}

/* Only DynamoDB sends x-amz-crc32 (botocore checks it for that service alone), on errors too:
 * before the operation is resolved (authentication, body decoding) its target prefix tells. */
static bool sends_crc32(const struct gy_aws_req *req)
{
    const char *name = req->model ? req->model->name : req->svc ? req->svc->model : NULL;
    if (name)
        return strcmp(name, "dynamodb") == 0;
    const struct gy_str *target = gy_http_req_header(req->http, "x-amz-target");
    return target && gy_str_startswith(*target, GY_STR("DynamoDB_20120810."));
}

/* Send with x-amzn-RequestId, then gzip, x-amz-crc32 and CORS as the request calls for. */
static void respond(struct gy_aws_req *req, int status, struct out_headers *o, struct gy_str body)
{
    struct gy_http_header *h = gy_arena_alloc(req->arena, (o->n + 1) * sizeof(*h));
    h[0] = (struct gy_http_header){ GY_STR("x-amzn-RequestId"), { req->request_id, 52 } };
    memcpy(h + 1, o->h, o->n * sizeof(*h));
    const struct gy_http_header *hh = h;
    size_t n = o->n + 1;
    gy_aws_http_finish(req->arena, req->http->headers, req->http->nheaders,
                       sends_crc32(req) ? GY_AWS_HTTP_CRC32 : 0, &hh, &n, &body);
    gy_http_respond(req->http, status, hh, n, body);
}

/* The JSON content type: the service's, else from the model's jsonVersion. */
static const char *json_ctype(const struct gy_aws_req *req)
{
    if (req->svc && req->svc->content_type)
        return req->svc->content_type;
    if (req->model && req->model->json_version && strcmp(req->model->json_version, "1.1") == 0)
        return "application/x-amz-json-1.1";
    return "application/x-amz-json-1.0";
}

/* CBOR with X-Amz-Target is Kinesis's x-amz-cbor-1.1; without, smithy rpc-v2-cbor. */
static bool is_kinesis_cbor(const struct gy_aws_req *req)
{
    return gy_http_req_header(req->http, "x-amz-target") != NULL;
}

static enum gy_cbor_dialect cbor_dialect(const struct gy_aws_req *req)
{
    return is_kinesis_cbor(req) ? GY_CBOR_AMZ : GY_CBOR_RPCV2;
}

/* The content type of the dialect, and smithy's protocol header for rpc-v2. */
static void cbor_headers(const struct gy_aws_req *req, struct out_headers *o)
{
    enum gy_cbor_dialect d = cbor_dialect(req);
    add(o, "Content-Type", gy_str_c(gy_cbor_content_type(d)));
    if (d == GY_CBOR_RPCV2)
        add(o, "smithy-protocol", GY_STR("rpc-v2-cbor"));
}

/* The handler's output as a tree (NULL for an empty output). */
static int output_tree(struct gy_aws_req *req, const struct gy_json **tree)
{
    const char *why = NULL;
    *tree = NULL;
    if (!req->out.len)
        return 0;
    if (gy_json_parse_trusted(req->arena, req->out.p, req->out.len, tree, &why)) {
        gy_log_error("%s: %s output is not JSON: %s", req->request_id,
                     req->mop ? req->mop->name : "-", why ? why : "");
        return gy_error_set(&req->err, req->arena, GY_AWS_INTERNAL, "Internal server error");
    }
    return 0;
}

void gy_aws__send_success(struct gy_aws_req *req)
{
    struct out_headers o = { .n = 0 };
    const struct gy_json *tree;
    struct gy_buf *b;
    int rc;

    switch (req->proto) {
    case GY_PROTO_QUERY:
        if (output_tree(req, &tree))
            break;
        b = gy_arena_buf(req->arena, GY_AWS_MAX_RESPONSE);
        rc = gy_query_xml_response(req->model, req->mop, tree, req->request_id, b);
        if (rc) {
            gy_error_set(&req->err, req->arena, GY_AWS_INTERNAL, "Response too large");
            break;
        }
        add(&o, "Content-Type", GY_STR("text/xml"));
        respond(req, 200, &o, gy_buf_str(b));
        return;
    case GY_PROTO_CBOR:
        if (output_tree(req, &tree))
            break;
        b = gy_arena_buf(req->arena, GY_AWS_MAX_RESPONSE);
        if (tree) {
            rc = gy_cbor_from_json(req->model, req->mop ? req->mop->output : GY_MODEL_NONE, tree,
                                   cbor_dialect(req), b);
        } else {
            rc = gy_buf_putc(b, (char)0xa0); /* an empty map */
        }
        if (rc) {
            gy_error_set(&req->err, req->arena, GY_AWS_INTERNAL, "Response not encodable");
            break;
        }
        cbor_headers(req, &o);
        respond(req, 200, &o, gy_buf_str(b));
        return;
    case GY_PROTO_REST_JSON: {
        struct gy_http_header *hdrs = NULL;
        size_t nh = 0;
        int status = 200;
        struct gy_str body;
        if (gy_aws__rest_output(req, &hdrs, &nh, &status, &body))
            break;
        for (size_t i = 0; i < nh; i++)
            if (o.n < MAX_HEADERS)
                o.h[o.n++] = hdrs[i];
        respond(req, status, &o, body);
        return;
    }
    default: {
        /* An operation the model gives no output answers with an empty body, as AWS does
         * (DynamoDB's TagResource/UntagResource); others at least with "{}". */
        struct gy_str body = gy_buf_str(&req->out);
        if (!body.len)
            body = req->mop && req->mop->output == GY_MODEL_NONE ? GY_STR("") : GY_STR("{}");
        add(&o, "Content-Type", gy_str_c(json_ctype(req)));
        respond(req, 200, &o, body);
        return;
    }
    }
    gy_aws__send_error(req, 0);
}

/* ---- errors ---- */

struct wire_error {
    const char *type;   /* JSON/CBOR "__type" and rest-json x-amzn-ErrorType: the shape name */
    const char *ns;     /* namespace before '#', or NULL */
    const char *code;   /* query <Code> / x-amzn-query-error code */
    int status;
    bool sender;
};

/* Query-protocol codes and statuses of the generic errors (PROTOCOL.md §4.2, §5.8). */
static void query_generic(enum gy_aws_error code, struct wire_error *w)
{
    switch (code) {
    case GY_AWS_VALIDATION: w->code = "ValidationError"; break;
    case GY_AWS_SERIALIZATION: w->code = "InvalidQueryParameter"; break;
    case GY_AWS_UNKNOWN_OPERATION: w->code = "InvalidAction"; break;
    case GY_AWS_MISSING_AUTH: w->code = "MissingAuthenticationToken"; w->status = 403; break;
    case GY_AWS_INCOMPLETE_SIGNATURE: w->code = "IncompleteSignature"; break;
    case GY_AWS_INVALID_SIGNATURE: w->code = "SignatureDoesNotMatch"; w->status = 403; break;
    case GY_AWS_UNRECOGNIZED_CLIENT: w->code = "InvalidClientTokenId"; w->status = 403; break;
    case GY_AWS_EXPIRED_TOKEN: w->code = "ExpiredToken"; w->status = 403; break;
    case GY_AWS_ACCESS_DENIED: w->code = "AccessDenied"; w->status = 403; break;
    case GY_AWS_REQUEST_TOO_LARGE: w->code = "RequestEntityTooLarge"; break;
    case GY_AWS_THROTTLING: w->code = "Throttling"; break;
    case GY_AWS_INTERNAL: w->code = "InternalFailure"; w->sender = false; break;
    case GY_AWS_SERVICE_UNAVAILABLE: w->code = "ServiceUnavailable"; w->sender = false; break;
    default: break;
    }
}

/* rest-json statuses of the generic errors (Lambda answers auth failures with 403). */
static void rest_generic(enum gy_aws_error code, struct wire_error *w)
{
    switch (code) {
    case GY_AWS_MISSING_AUTH:
    case GY_AWS_INCOMPLETE_SIGNATURE:
    case GY_AWS_INVALID_SIGNATURE:
    case GY_AWS_UNRECOGNIZED_CLIENT:
    case GY_AWS_EXPIRED_TOKEN:
    case GY_AWS_ACCESS_DENIED: w->status = 403; break;
    case GY_AWS_UNKNOWN_OPERATION: w->status = 404; break;
    case GY_AWS_INTERNAL: w->type = w->code = "ServiceException"; break;
    default: break;
    }
}

/* Statuses of the common AWS codes that service models do not list as shapes. */
static int unmodeled_status(const char *name)
{
    static const struct {
        const char *name;
        int status;
    } codes[] = {
        { "AccessDenied", 403 },          { "AccessDeniedException", 403 },
        { "ExpiredToken", 403 },          { "InvalidClientTokenId", 403 },
        { "SignatureDoesNotMatch", 403 }, { "MissingAuthenticationToken", 403 },
        { "InternalFailure", 500 },       { "ServiceUnavailable", 503 },
    };
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
        if (strcmp(name, codes[i].name) == 0)
            return codes[i].status;
    return 400;
}

static void wire_error(const struct gy_aws_req *req, struct wire_error *w)
{
    const struct gy_model_service *m = req->model;
    if (req->err.code == GY_AWS_MODELED && req->err.exception) {
        const char *name = req->err.exception;
        uint16_t idx = m ? gy_model_shape_find(m, name) : GY_MODEL_NONE;
        const struct gy_model_shape *sh = idx != GY_MODEL_NONE ? gy_model_shape(m, idx) : NULL;
        w->type = name;
        w->ns = m ? m->error_ns : NULL;
        w->code = sh && sh->error_code ? sh->error_code : name;
        w->status = sh && sh->error_status ? sh->error_status : unmodeled_status(name);
        w->sender = sh ? (sh->flags & GY_SHAPE_SENDER) != 0 : w->status < 500;
        return;
    }
    const struct gy_aws_error_info *info = gy_aws_error_info(req->err.code);
    w->type = w->code = info->name;
    /* DynamoDB's clients see the coral namespaces; other JSON services send bare codes. */
    w->ns = !m || m->error_ns ? info->ns : NULL;
    w->status = info->status;
    w->sender = info->status < 500;
    if (req->proto == GY_PROTO_QUERY)
        query_generic(req->err.code, w);
    else if (req->proto == GY_PROTO_REST_JSON)
        rest_generic(req->err.code, w);
}

/*
 * The code in a JSON/CBOR "__type": clients look exceptions up by the model's error code, so
 * that is what goes there, except for query-compatible services, which name the shape in
 * "__type" and carry the query code in x-amzn-query-error.
 */
static const char *json_code(const struct gy_aws_req *req, const struct wire_error *w)
{
    return req->model && req->model->query_compatible ? w->type : w->code;
}

void gy_aws__send_error(struct gy_aws_req *req, int status)
{
    struct out_headers o = { .n = 0 };
    struct wire_error w = { 0 };
    struct gy_buf *b = gy_arena_buf(req->arena, GY_AWS_MAX_RESPONSE);

    if (req->err.code == GY_AWS_OK)
        gy_error_set(&req->err, req->arena, GY_AWS_INTERNAL, "Internal server error");
    wire_error(req, &w);
    if (status)
        w.status = status;
    const char *message = req->err.message ? req->err.message : "";
    if (w.status >= 500)
        gy_log_error("%s %s: %s: %s", req->request_id, req->op ? req->op->name : "-", w.code,
                     message);

    switch (req->proto) {
    case GY_PROTO_QUERY:
        gy_query_xml_error(req->model ? req->model->xml_namespace : NULL, w.sender, w.code,
                           message, req->request_id, b);
        add(&o, "Content-Type", GY_STR("text/xml"));
        break;
    case GY_PROTO_CBOR:
        gy_cbor_error(json_code(req, &w), message, b);
        cbor_headers(req, &o);
        break;
    case GY_PROTO_REST_JSON: {
        struct gy_jw jw;
        gy_jw_init(&jw, b);
        gy_jw_obj_begin(&jw);
        gy_jw_key(&jw, "Type");
        gy_jw_cstr(&jw, w.sender ? "User" : "Server");
        gy_jw_key(&jw, "message");
        gy_jw_cstr(&jw, message);
        gy_jw_obj_end(&jw);
        add(&o, "Content-Type", GY_STR("application/json"));
        add(&o, "x-amzn-ErrorType", gy_str_c(w.code));
        break;
    }
    default: {
        struct gy_jw jw;
        gy_jw_init(&jw, b);
        gy_jw_obj_begin(&jw);
        gy_jw_key(&jw, "__type");
        if (w.ns)
            gy_jw_cstr(&jw, gy_arena_printf(req->arena, "%s#%s", w.ns, json_code(req, &w)));
        else
            gy_jw_cstr(&jw, json_code(req, &w));
        gy_jw_key(&jw, "message");
        gy_jw_cstr(&jw, message);
        if (req->err.extra_json) {
            gy_buf_putc(b, ',');
            gy_buf_puts(b, req->err.extra_json);
        }
        gy_jw_obj_end(&jw);
        add(&o, "Content-Type", gy_str_c(json_ctype(req)));
        break;
    }
    }
    if (req->model && req->model->query_compatible && req->proto != GY_PROTO_QUERY)
        add(&o, "x-amzn-query-error",
            gy_str_c(gy_arena_printf(req->arena, "%s;%s", w.code, w.sender ? "Sender"
                                                                            : "Receiver")));
    respond(req, w.status, &o, gy_buf_str(b));
}

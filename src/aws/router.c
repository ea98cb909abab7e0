/*
 * router.c — from an HTTP request to a service handler: health endpoint and /_gyre/ routes,
 * protocol detection, SigV4 authentication (admin keys and STS session tokens), forwarding by
 * region, operation look-up, decoding the body into the protocol-neutral JSON input, model
 * validation, and the handler call. respond.c shapes what goes back; rest.c binds rest-json.
 *
 * Protocol detection (PROTOCOL.md §3.2): X-Amz-Target → JSON 1.0/1.1 (CBOR bodies when the
 * content type is application/x-amz-cbor-1.1); /service/<Svc>/operation/<Op> with
 * smithy-protocol: rpc-v2-cbor → CBOR; a form body (or GET ?Action=) → query; anything else is
 * matched against the rest-json services' URI templates.
 *
 * The router is immutable after start-up (services are added before the server starts), so it
 * is read from every I/O thread without locks.
 */
#include "aws/aws.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "aws/aws_int.h"
#include "aws/cbor.h"
#include "aws/http_extras.h"
#include "aws/query.h"
#include "aws/validate.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"
#include "net/http.h"

struct gy_aws_router *gy_aws_router_create(const struct gy_aws_router_config *cfg)
{
    struct gy_aws_router *r = gy_calloc(1, sizeof(*r));
    snprintf(r->region, sizeof(r->region), "%s", cfg->region);
    snprintf(r->account, sizeof(r->account), "%s", cfg->account);
    r->keys = gy_calloc(cfg->nkeys ? cfg->nkeys : 1, sizeof(*r->keys));
    memcpy(r->keys, cfg->keys, cfg->nkeys * sizeof(*r->keys));
    r->nkeys = cfg->nkeys;
    r->max_skew_ms = cfg->max_skew_ms > 0 ? cfg->max_skew_ms : 15 * 60 * 1000;
    snprintf(r->root_arn, sizeof(r->root_arn), "arn:aws:iam::%s:root", r->account);
    gy_session_key_derive(gy_str_c(cfg->nkeys ? cfg->keys[0].secret : ""), &r->session_key);
    return r;
}

void gy_aws_router_destroy(struct gy_aws_router *r)
{
    if (!r)
        return;
    gy_free(r->keys);
    gy_free(r);
}

const struct gy_session_key *gy_aws_router_session_key(const struct gy_aws_router *r)
{
    return &r->session_key;
}

void gy_aws_router_add_route(struct gy_aws_router *r, const char *method, const char *path,
                             gy_aws_op_fn fn, void *ctx, bool auth)
{
    gy_assert(r->nroutes < GY_AWS__MAX_ROUTES);
    r->routes[r->nroutes++] = (struct gy_aws__route){ method, path, fn, ctx, auth };
}

void gy_aws_router_set_forwarder(struct gy_aws_router *r, gy_aws_forward_fn fn, void *ctx)
{
    r->forward = fn;
    r->forward_ctx = ctx;
}

void gy_aws_router_add_service(struct gy_aws_router *r, const struct gy_aws_service *svc)
{
    gy_assert(r->nentries < GY_AWS__MAX_SERVICES);
    struct gy_aws__entry *e = &r->entries[r->nentries++];
    e->svc = svc;
    e->model = svc->model ? gy_model_find(svc->model) : NULL;
    if (svc->model && !e->model)
        gy_log_warn("aws: no model named %s; requests are not validated", svc->model);
    e->target_prefix = svc->target_prefix ? svc->target_prefix
                                          : (e->model ? e->model->target_prefix : NULL);
    if (e->model)
        gy_validate_prepare(e->model);
}

/*
 * Request ids need uniqueness, not secrecy: a per-thread xorshift128+ seeded once from the OS
 * (a getrandom system call per request measured at 1-2.5% of a GetItem's CPU).
 */
static void make_request_id(char out[53])
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    static __thread uint64_t s[2];
    if (!s[0] && !s[1]) {
        gy_random(s, sizeof(s));
        s[0] |= 1;
    }
    for (int i = 0; i < 52;) {
        uint64_t x = s[0], y = s[1];
        s[0] = y;
        x ^= x << 23;
        s[1] = x ^ y ^ (x >> 17) ^ (y >> 26);
        uint64_t r = s[1] + y;
        for (int k = 0; k < 10 && i < 52; k++, r /= 36)
            out[i++] = alphabet[r % 36];
    }
    out[52] = '\0';
}

int gy_aws_error(struct gy_aws_req *req, const char *exception, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    req->err.code = GY_AWS_MODELED;
    req->err.exception = exception;
    req->err.message = gy_arena_vprintf(req->arena, fmt, ap);
    va_end(ap);
    return GY_EAWS;
}

void gy_aws_req_complete(struct gy_aws_req *req, int rc)
{
    if (req->on_complete) {
        if (rc == 0 && req->w.err)
            rc = gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                              "Response size exceeded the maximum allowed size");
        req->on_complete(req, rc);
        return;
    }
    if (rc == 0 && req->w.err == 0) {
        gy_aws__send_success(req);
        return;
    }
    if (rc == 0 || rc == GY_ETOOBIG)
        gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                     "Response size exceeded the maximum allowed size");
    else if (rc != GY_EAWS)
        gy_error_set(&req->err, req->arena, GY_AWS_INTERNAL, "Internal server error (%s)",
                     gy_strerror(rc));
    gy_aws__send_error(req, 0);
}

static const struct gy_aws_key *find_key(const struct gy_aws_router *r, const char *akid)
{
    for (size_t i = 0; i < r->nkeys; i++)
        if (strcmp(r->keys[i].access_key, akid) == 0)
            return &r->keys[i];
    return NULL;
}

/* The security token, from the header or (presigned) the query string. */
static struct gy_str security_token(const struct gy_http_req *h)
{
    const struct gy_str *t = gy_http_req_header(h, "x-amz-security-token");
    return t ? *t : GY_STR_NULL;
}

/* Copy a NUL-terminated string into a fixed field (truncating), without printf. */
static void copy_field(char *dst, size_t cap, const char *src)
{
    size_t n = strnlen(src, cap - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Who an admin key is: the account's root. */
static void root_identity(const struct gy_aws_router *r, struct gy_aws_req *req)
{
    copy_field(req->who.access_key, sizeof(req->who.access_key), req->auth.access_key);
    copy_field(req->who.arn, sizeof(req->who.arn), r->root_arn);
    copy_field(req->who.user_id, sizeof(req->who.user_id), r->account);
}

/* SigV4 against an admin key or an STS session: returns 0, or GY_EAWS with req->err set. */
static int authenticate(struct gy_aws_router *r, struct gy_aws_req *req)
{
    struct gy_http_req *h = req->http;
    struct gy_sigv4_request sr = {
        .method = h->method,
        .target = h->target,
        .headers = (const struct gy_sigv4_header *)h->headers,
        .nheaders = h->nheaders,
        .body = h->body,
    };
    char msg[512];
    int rc = gy_sigv4_parse(&sr, &req->auth, msg, sizeof(msg));

    switch (rc) {
    case GY_SIGV4_OK: break;
    case GY_SIGV4_MISSING:
        return gy_error_set(&req->err, req->arena, GY_AWS_MISSING_AUTH,
                            "Request is missing Authentication Token");
    default:
        /* AWS answers IncompleteSignature only for an incomplete Authorization header; a bad
         * credential scope or an unsigned Host is an InvalidSignature. */
        if (strncmp(msg, "Authorization header requires", 29) == 0 ||
            strncmp(msg, "Unsupported AWS", 15) == 0 || strncmp(msg, "Query-string", 12) == 0)
            return gy_error_set(&req->err, req->arena, GY_AWS_INCOMPLETE_SIGNATURE, "%s", msg);
        return gy_error_set(&req->err, req->arena, GY_AWS_INVALID_SIGNATURE, "%s", msg);
    }

    struct gy_str secret;
    struct gy_str token = GY_STR_NULL;
    const struct gy_aws_key *key = find_key(r, req->auth.access_key);
    if (!key)
        token = security_token(h);
    if (key) {
        secret = gy_str_c(key->secret);
        root_identity(r, req);
    } else if (token.len) {
        struct gy_session *s = gy_arena_alloc(req->arena, sizeof(*s));
        rc = gy_session_open(&r->session_key, token, gy_str_c(req->auth.access_key), gy_now_ms(),
                             s);
        if (rc == GY_SESSION_EXPIRED)
            return gy_error_set(&req->err, req->arena, GY_AWS_EXPIRED_TOKEN,
                                "The security token included in the request is expired");
        if (rc != GY_SESSION_OK)
            return gy_error_set(&req->err, req->arena, GY_AWS_UNRECOGNIZED_CLIENT,
                                "The security token included in the request is invalid.");
        secret = gy_str_c(s->secret);
        copy_field(req->who.access_key, sizeof(req->who.access_key), s->access_key);
        copy_field(req->who.arn, sizeof(req->who.arn), s->arn);
        copy_field(req->who.user_id, sizeof(req->who.user_id), s->user_id);
        req->who.temporary = true;
        req->who.expires_ms = s->expires_ms;
    } else {
        return gy_error_set(&req->err, req->arena, GY_AWS_UNRECOGNIZED_CLIENT,
                            "The security token included in the request is invalid.");
    }
    rc = gy_sigv4_verify(&sr, &req->auth, secret, gy_now_ms(), r->max_skew_ms, msg, sizeof(msg));
    if (rc == GY_SIGV4_OK)
        return 0;
    return gy_error_set(&req->err, req->arena, GY_AWS_INVALID_SIGNATURE, "%s", msg);
}

/* The handler of op name in entry e's table, or NULL. */
static const struct gy_aws_op *entry_op(const struct gy_aws__entry *e, struct gy_str name)
{
    for (size_t j = 0; j < e->svc->nops; j++)
        if (gy_str_eqc(name, e->svc->ops[j].name))
            return &e->svc->ops[j];
    return NULL;
}

/* Bind req to entry e's operation `name`; false when e has no such operation. */
static bool bind_op(struct gy_aws_req *req, const struct gy_aws__entry *e, struct gy_str name)
{
    const struct gy_aws_op *op = entry_op(e, name);
    if (!op)
        return false;
    req->svc = e->svc;
    req->op = op;
    req->ctx = e->svc->ctx;
    req->model = e->model;
    req->mop = e->model ? gy_model_op(e->model, name) : NULL;
    return true;
}

/* JSON/CBOR by target prefix and operation name. Several services may share a prefix (global
 * table operations live in replication/); *known is set when the prefix exists. */
static bool find_by_target(const struct gy_aws_router *r, struct gy_aws_req *req,
                           struct gy_str prefix, struct gy_str name)
{
    for (size_t i = 0; i < r->nentries; i++) {
        const struct gy_aws__entry *e = &r->entries[i];
        if (!e->target_prefix || !gy_str_eqc(prefix, e->target_prefix))
            continue;
        if (!req->model)
            req->model = e->model; /* for the error shape of an unknown operation */
        if (bind_op(req, e, name))
            return true;
    }
    return false;
}

/* Query: by Version and the credential scope's service, then by Version alone. */
static bool find_by_action(const struct gy_aws_router *r, struct gy_aws_req *req,
                           struct gy_str action, const struct gy_str *version)
{
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < r->nentries; i++) {
            const struct gy_aws__entry *e = &r->entries[i];
            const struct gy_model_service *m = e->model;
            if (!m || !m->xml_namespace)
                continue;
            if (version && !gy_str_eqc(*version, m->api_version))
                continue;
            if (pass == 0 && strcmp(req->auth.service, m->signing_name) != 0)
                continue;
            if (!req->model)
                req->model = m;
            if (bind_op(req, e, action))
                return true;
        }
    }
    return false;
}

/* A CORS preflight is answered before authentication: browsers send it without credentials. */
static void handle_preflight(struct gy_http_req *http)
{
    struct gy_http_header *h = gy_arena_alloc(http->arena, GY_AWS_CORS_MAX_HEADERS * sizeof(*h));
    size_t n = gy_aws_cors_preflight(http->headers, http->nheaders, h);
    gy_http_respond(http, 200, h, n, GY_STR(""));
}

static void handle_health(struct gy_aws_router *r, struct gy_http_req *http)
{
    struct gy_http_header *h = gy_arena_alloc(http->arena, sizeof(*h));
    h[0] = (struct gy_http_header){ GY_STR("Content-Type"), GY_STR("application/json") };
    char *body = gy_arena_printf(http->arena, "{\"status\":\"ok\",\"region\":\"%s\"}", r->region);
    gy_http_respond(http, 200, h, 1, gy_str_c(body));
}

static struct gy_aws_req *req_new(struct gy_aws_router *r, struct gy_http_req *http)
{
    struct gy_aws_req *req = gy_arena_zalloc(http->arena, sizeof(*req));
    req->http = http;
    req->arena = http->arena;
    req->region = r->region;
    req->account = r->account;
    req->proto = GY_PROTO_JSON;
    make_request_id(req->request_id);
    gy_arena_buf_init(req->arena, &req->out, GY_AWS_MAX_RESPONSE);
    gy_jw_init(&req->w, &req->out);
    return req;
}

struct gy_aws_req *gy_aws_req_sub(struct gy_aws_req *parent, const struct gy_json *body)
{
    struct gy_aws_req *req = gy_arena_zalloc(parent->arena, sizeof(*req));
    req->http = parent->http;
    req->arena = parent->arena;
    req->svc = parent->svc;
    req->op = parent->op;
    req->ctx = parent->ctx;
    req->model = parent->model;
    req->mop = parent->mop;
    req->proto = parent->proto;
    req->who = parent->who;
    req->body = body;
    req->auth = parent->auth;
    req->region = parent->region;
    req->account = parent->account;
    memcpy(req->request_id, parent->request_id, sizeof(req->request_id));
    gy_arena_buf_init(req->arena, &req->out, GY_AWS_MAX_RESPONSE);
    gy_jw_init(&req->w, &req->out);
    return req;
}

static bool header_starts(const struct gy_http_req *h, const char *name, const char *prefix)
{
    const struct gy_str *v = gy_http_req_header(h, name);
    return v && v->len >= strlen(prefix) && strncasecmp(v->p, prefix, strlen(prefix)) == 0;
}

/* Which protocol the request speaks, from its headers and path alone. */
static int classify(const struct gy_http_req *h, const struct gy_str *target)
{
    if (target)
        return header_starts(h, "content-type", "application/x-amz-cbor") ||
                       header_starts(h, "content-type", "application/cbor") ||
                       gy_http_req_header(h, "smithy-protocol")
                   ? GY_PROTO_CBOR
                   : GY_PROTO_JSON;
    if (gy_str_startswith(h->path, GY_STR("/service/")) &&
        (gy_http_req_header(h, "smithy-protocol") ||
         header_starts(h, "content-type", "application/cbor")))
        return GY_PROTO_CBOR;
    if (gy_str_eqc(h->method, "POST") &&
        header_starts(h, "content-type", "application/x-www-form-urlencoded"))
        return GY_PROTO_QUERY;
    if (gy_str_eqc(h->method, "GET") && gy_str_eqc(h->path, "/") &&
        (gy_str_startswith(h->query, GY_STR("Action=")) || memmem(h->query.p, h->query.len,
                                                                  "&Action=", 8)))
        return GY_PROTO_QUERY;
    return GY_PROTO_REST_JSON;
}

static int unknown_op(struct gy_aws_req *req, struct gy_str name, const char *version)
{
    if (req->proto == GY_PROTO_QUERY)
        return gy_error_set(&req->err, req->arena, GY_AWS_UNKNOWN_OPERATION,
                            "Could not find operation %.*s for version %s", (int)name.len,
                            name.p, version ? version : "NO_VERSION_SPECIFIED");
    return gy_error_set(&req->err, req->arena, GY_AWS_UNKNOWN_OPERATION, "%s", "");
}

/* Parse JSON text into req->body (an object); GY_EAWS with a SerializationException else. */
static int parse_json_input(struct gy_aws_req *req, struct gy_str raw)
{
    const char *why = NULL;
    const struct gy_json *body = NULL;
    if (!raw.len)
        raw = GY_STR("{}");
    if (gy_json_parse(req->arena, raw.p, raw.len, &body, &why) ||
        !gy_json_is(body, GY_JSON_OBJECT)) {
        if (body && !gy_json_is(body, GY_JSON_OBJECT))
            return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION,
                                "Unexpected JSON type at top level: expected an object");
        return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION,
                            "Start of structure or map found where not expected%s%s",
                            why ? ": " : "", why ? why : "");
    }
    req->body = body;
    return 0;
}

/* Convert text written by a codec on a scratch writer into req->body. */
static int adopt(struct gy_aws_req *req, struct gy_buf *text, int rc, const char *why)
{
    if (rc == GY_ETOOBIG)
        return gy_error_set(&req->err, req->arena, GY_AWS_REQUEST_TOO_LARGE,
                            "Request size exceeded the maximum allowed size");
    if (rc)
        return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION, "%s",
                            why ? why : "Malformed request body");
    /* The codecs check UTF-8 and refuse duplicate keys themselves. */
    const struct gy_json *body = NULL;
    if (gy_json_parse_trusted(req->arena, text->p, text->len, &body, &why) ||
        !gy_json_is(body, GY_JSON_OBJECT))
        return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION, "%s",
                            why ? why : "Malformed request body");
    req->body = body;
    return 0;
}

/* Find the operation and decode the body; 0 or GY_EAWS. */
static int resolve(struct gy_aws_router *r, struct gy_aws_req *req, const struct gy_str *target)
{
    struct gy_http_req *h = req->http;

    if (req->proto == GY_PROTO_JSON || req->proto == GY_PROTO_CBOR) {
        struct gy_str prefix, name;
        /* Smithy RPC v2: such requests must not carry X-Amz-Target, and servers refuse them. */
        if (target && gy_http_req_header(h, "smithy-protocol"))
            return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION,
                                "An rpc-v2-cbor request must not carry X-Amz-Target");
        if (target) {
            const char *dot = memchr(target->p, '.', target->len);
            if (!dot)
                return unknown_op(req, *target, NULL);
            prefix = (struct gy_str){ target->p, (size_t)(dot - target->p) };
            name = (struct gy_str){ dot + 1, target->len - prefix.len - 1 };
        } else {
            /* /service/<Svc>/operation/<Op> */
            struct gy_str rest = { h->path.p + 9, h->path.len - 9 };
            const char *slash = memchr(rest.p, '/', rest.len);
            if (!slash || !gy_str_startswith((struct gy_str){ slash, rest.len - (size_t)(slash - rest.p) },
                                             GY_STR("/operation/")))
                return unknown_op(req, h->path, NULL);
            prefix = (struct gy_str){ rest.p, (size_t)(slash - rest.p) };
            name = (struct gy_str){ slash + 11, rest.len - prefix.len - 11 };
            /* The service may be named with its Smithy namespace
             * ("com.amazonaws.cloudwatch.GraniteServiceVersion20100801"). */
            const char *dot = memrchr(prefix.p, '.', prefix.len);
            if (dot) {
                prefix.len -= (size_t)(dot + 1 - prefix.p);
                prefix.p = dot + 1;
            }
        }
        if (!find_by_target(r, req, prefix, name))
            return unknown_op(req, name, NULL);
        if (req->proto == GY_PROTO_JSON)
            return parse_json_input(req, h->body);
        struct gy_buf *b = gy_arena_buf(req->arena, GY_AWS_MAX_RESPONSE);
        struct gy_jw w;
        const char *why = NULL;
        gy_jw_init(&w, b);
        int rc = gy_cbor_to_json(req->arena, h->body, target ? GY_CBOR_AMZ : GY_CBOR_RPCV2, &w,
                                 &why);
        return adopt(req, b, rc ? rc : w.err, why);
    }

    if (req->proto == GY_PROTO_QUERY) {
        struct gy_query_param *p;
        size_t n;
        const char *why = NULL;
        struct gy_str form = gy_str_eqc(h->method, "GET") ? h->query : h->body;
        int rc = gy_query_parse(req->arena, form, &p, &n, &why);
        if (rc)
            return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION, "%s",
                                why ? why : "Malformed query string");
        const struct gy_str *action = gy_query_get(p, n, "Action");
        const struct gy_str *version = gy_query_get(p, n, "Version");
        if (!action)
            return gy_error_set(&req->err, req->arena, GY_AWS_UNKNOWN_OPERATION,
                                "Could not find operation for version %s",
                                version ? gy_arena_strdup(req->arena, *version).p
                                        : "NO_VERSION_SPECIFIED");
        if (!find_by_action(r, req, *action, version))
            return unknown_op(req, *action,
                              version ? gy_arena_strdup(req->arena, *version).p : NULL);
        if (!req->mop || req->mop->input == GY_MODEL_NONE)
            return parse_json_input(req, GY_STR("{}"));
        /* The parameters become the input tree directly (the writer's tree mode). */
        struct gy_jw w;
        gy_jw_init_tree(&w, req->arena);
        rc = gy_query_to_json(req->arena, req->model, req->mop->input, p, n, &w, &why);
        if (rc == GY_EINVAL) {
            /* A value that is not of its member's type: CloudWatch names it
             * InvalidParameterValue; the other query services answer ValidationError. */
            if (gy_model_shape_find(req->model, "InvalidParameterValueException") != GY_MODEL_NONE)
                return gy_aws_error(req, "InvalidParameterValueException", "%s",
                                    why ? why : "Invalid parameter value");
            return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION, "%s",
                                why ? why : "Invalid parameter value");
        }
        if (rc || w.err)
            return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION, "%s",
                                why ? why : "Malformed request");
        req->body = gy_jw_tree_root(&w);
        if (!gy_json_is(req->body, GY_JSON_OBJECT))
            return parse_json_input(req, GY_STR("{}"));
        return 0;
    }

    const struct gy_aws__entry *e = NULL;
    const struct gy_model_op *mop = gy_aws__rest_match(r, req, &e);
    if (!mop || !bind_op(req, e, gy_str_c(mop->name)))
        return gy_error_set(&req->err, req->arena, GY_AWS_UNKNOWN_OPERATION, "%s", "");
    req->mop = mop;
    return gy_aws__rest_input(req, &req->body);
}

/*
 * The credential scope must name the service addressed (its signing name: "dynamodb" also for
 * Streams, "monitoring" for CloudWatch), as AWS checks: a request signed for another service is
 * an InvalidSignature (SignatureDoesNotMatch for query).
 */
static int check_scope_service(struct gy_aws_req *req)
{
    if (!req->model || !req->model->signing_name ||
        strcmp(req->auth.service, req->model->signing_name) == 0)
        return 0;
    return gy_error_set(&req->err, req->arena, GY_AWS_INVALID_SIGNATURE,
                        "Credential should be scoped to correct service: '%s'. ",
                        req->model->signing_name);
}

/* Model validation of req->body; 0 or GY_EAWS. */
static int validate(struct gy_aws_req *req)
{
    if (!req->model || !req->mop || req->mop->input == GY_MODEL_NONE)
        return 0;
    const char *msg = NULL;
    int rc = req->proto == GY_PROTO_QUERY
                 ? gy_validate_constraints(req->arena, req->model, req->mop->input, req->body, &msg)
                 : gy_validate(req->arena, req->model, req->mop->input, req->body, &msg);
    switch (rc) {
    case GY_VALIDATE_OK: return 0;
    case GY_VALIDATE_SERIALIZATION:
        return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION, "%s", msg);
    default: return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION, "%s", msg);
    }
}

static bool handle_route(struct gy_aws_router *r, struct gy_http_req *http)
{
    for (size_t i = 0; i < r->nroutes; i++) {
        const struct gy_aws__route *rt = &r->routes[i];
        if (!gy_str_eqc(http->method, rt->method) || !gy_str_eqc(http->path, rt->path))
            continue;
        struct gy_aws_req *req = req_new(r, http);
        req->ctx = rt->ctx;
        if (rt->auth && authenticate(r, req)) {
            gy_aws__send_error(req, 0);
            return true;
        }
        if (gy_str_eqc(http->method, "POST")) {
            /* Any JSON value: each endpoint validates its own input. */
            const char *why = NULL;
            struct gy_str raw = http->body.len ? http->body : GY_STR("{}");
            if (gy_json_parse(req->arena, raw.p, raw.len, &req->body, &why)) {
                gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION, "%s", why);
                gy_aws__send_error(req, 0);
                return true;
            }
        }
        int rc = rt->fn(req);
        if (rc != GY_PENDING)
            gy_aws_req_complete(req, rc);
        return true;
    }
    return false;
}

void gy_aws_router_handle(struct gy_http_req *http, void *arg)
{
    struct gy_aws_router *r = arg;
    const struct gy_str *target = gy_http_req_header(http, "x-amz-target");
    bool has_target = target != NULL;

    if (gy_aws_cors_is_preflight(http->method, http->headers, http->nheaders)) {
        handle_preflight(http);
        return;
    }
    if (!has_target && gy_str_eqc(http->method, "GET")) {
        if (gy_str_eqc(http->path, "/_gyre/health")) {
            handle_health(r, http);
            return;
        }
        if (gy_str_eqc(http->path, "/") && !http->query.len) {
            /* What DynamoDB's endpoint answers to a plain GET. */
            char *body = gy_arena_printf(http->arena, "healthy: dynamodb.%s.amazonaws.com ",
                                         r->region);
            gy_http_respond(http, 200, NULL, 0, gy_str_c(body));
            return;
        }
    }
    if (!has_target && gy_str_startswith(http->path, GY_STR("/_gyre/")) &&
        handle_route(r, http))
        return;

    struct gy_aws_req *req = req_new(r, http);
    req->proto = classify(http, target);
    if (authenticate(r, req)) {
        gy_aws__send_error(req, 0);
        return;
    }
    if (r->forward && strcmp(req->auth.region, r->region) != 0 &&
        r->forward(r->forward_ctx, req))
        return;
    /* Content-Encoding is undone after SigV4 (which covers the bytes as sent) and forwarding
     * (which relays them as they came), before the body is decoded. */
    if (gy_aws_http_decode_body(req->arena, http->headers, http->nheaders,
                                GY_AWS_HTTP_MAX_REQUEST, &http->body, &req->err) ||
        resolve(r, req, target) || check_scope_service(req) || validate(req)) {
        gy_aws__send_error(req, 0);
        return;
    }
    int rc = req->op->fn(req);
    if (rc == GY_PENDING)
        return;
    gy_aws_req_complete(req, rc);
}

void gy_aws_router_fault(struct gy_http_req *http, enum gy_http_fault fault, void *arg)
{
    struct gy_aws_router *r = arg;
    struct gy_aws_req *req = req_new(r, http);
    int status = 400;

    req->proto = classify(http, gy_http_req_header(http, "x-amz-target"));
    switch (fault) {
    case GY_HTTP_FAULT_BODY_TOO_LARGE:
        gy_error_set(&req->err, req->arena, GY_AWS_REQUEST_TOO_LARGE,
                     "Request size exceeded 16777216 bytes");
        status = 413;
        break;
    case GY_HTTP_FAULT_HEADER_TOO_LARGE:
        gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                     "Request header section exceeded the maximum allowed size");
        status = 431;
        break;
    default:
        gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION, "Malformed HTTP request");
        break;
    }
    gy_aws__send_error(req, status);
}

/*
 * router.c — from an HTTP request to a service handler and back: health endpoint, SigV4
 * authentication, X-Amz-Target routing, JSON body parsing, and the JSON 1.0/1.1 response and
 * error shapes ({"__type": "<namespace>#<Exception>", "message": ...}, x-amzn-RequestId).
 *
 * The router is immutable after start-up (services are added before the server starts), so it
 * is read from every I/O thread without locks.
 */
#include "aws/aws.h"

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"
#include "net/http.h"

#define MAX_SERVICES 16
#define MAX_ROUTES 16

struct route {
    const char *method;
    const char *path;
    gy_aws_op_fn fn;
    void *ctx;
    bool auth;
};

struct gy_aws_router {
    char region[64];
    char account[16];
    struct gy_aws_key *keys;
    size_t nkeys;
    int64_t max_skew_ms;
    const struct gy_aws_service *services[MAX_SERVICES];
    size_t nservices;
    struct route routes[MAX_ROUTES];
    size_t nroutes;
    gy_aws_forward_fn forward;
    void *forward_ctx;
};

struct gy_aws_router *gy_aws_router_create(const struct gy_aws_router_config *cfg)
{
    struct gy_aws_router *r = gy_calloc(1, sizeof(*r));
    snprintf(r->region, sizeof(r->region), "%s", cfg->region);
    snprintf(r->account, sizeof(r->account), "%s", cfg->account);
    r->keys = gy_calloc(cfg->nkeys ? cfg->nkeys : 1, sizeof(*r->keys));
    memcpy(r->keys, cfg->keys, cfg->nkeys * sizeof(*r->keys));
    r->nkeys = cfg->nkeys;
    r->max_skew_ms = cfg->max_skew_ms > 0 ? cfg->max_skew_ms : 15 * 60 * 1000;
    return r;
}

void gy_aws_router_destroy(struct gy_aws_router *r)
{
    if (!r)
        return;
    gy_free(r->keys);
    gy_free(r);
}

void gy_aws_router_add_route(struct gy_aws_router *r, const char *method, const char *path,
                             gy_aws_op_fn fn, void *ctx, bool auth)
{
    gy_assert(r->nroutes < MAX_ROUTES);
    r->routes[r->nroutes++] = (struct route){ method, path, fn, ctx, auth };
}

void gy_aws_router_set_forwarder(struct gy_aws_router *r, gy_aws_forward_fn fn, void *ctx)
{
    r->forward = fn;
    r->forward_ctx = ctx;
}

void gy_aws_router_add_service(struct gy_aws_router *r, const struct gy_aws_service *svc)
{
    gy_assert(r->nservices < MAX_SERVICES);
    r->services[r->nservices++] = svc;
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

static void free_buf(void *p)
{
    gy_buf_fini(p);
}

/* Send body with the common headers. */
static void send(struct gy_aws_req *req, int status, struct gy_str body)
{
    struct gy_http_header *h = gy_arena_alloc(req->arena, 2 * sizeof(*h));
    const char *ctype = req->svc && req->svc->content_type ? req->svc->content_type
                                                           : "application/x-amz-json-1.0";
    h[0] = (struct gy_http_header){ GY_STR("x-amzn-RequestId"), { req->request_id, 52 } };
    h[1] = (struct gy_http_header){ GY_STR("Content-Type"), gy_str_c(ctype) };
    gy_http_respond(req->http, status, h, 2, body);
}

/* Shape req->err as the JSON protocol's error body and send it. */
static void send_error_status(struct gy_aws_req *req, int status)
{
    const struct gy_aws_error_info *info = gy_aws_error_info(req->err.code);
    struct gy_buf *b = gy_arena_alloc(req->arena, sizeof(*b));
    struct gy_jw w;

    if (req->err.code == GY_AWS_OK) {
        req->err.code = GY_AWS_INTERNAL;
        req->err.message = "Internal server error";
        info = gy_aws_error_info(req->err.code);
    }
    gy_buf_init(b, GY_AWS_MAX_RESPONSE);
    gy_arena_add_cleanup(req->arena, free_buf, b);
    gy_jw_init(&w, b);
    gy_jw_obj_begin(&w);
    gy_jw_key(&w, "__type");
    struct gy_str type = gy_str_c(gy_arena_printf(req->arena, "%s#%s", info->ns, info->name));
    gy_jw_str(&w, type);
    gy_jw_key(&w, "message");
    gy_jw_cstr(&w, req->err.message ? req->err.message : "");
    if (req->err.extra_json) {
        gy_buf_putc(b, ',');
        gy_buf_puts(b, req->err.extra_json);
    }
    gy_jw_obj_end(&w);
    if (info->status >= 500)
        gy_log_error("%s %s: %s: %s", req->request_id, req->op ? req->op->name : "-", info->name,
                     req->err.message ? req->err.message : "");
    send(req, status ? status : info->status, gy_buf_str(b));
}

static void send_error(struct gy_aws_req *req)
{
    send_error_status(req, 0);
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
        if (req->out.len == 0)
            gy_buf_puts(&req->out, "{}");
        send(req, 200, gy_buf_str(&req->out));
        return;
    }
    if (rc == 0 || rc == GY_ETOOBIG)
        gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                     "Response size exceeded the maximum allowed size");
    else if (rc != GY_EAWS)
        gy_error_set(&req->err, req->arena, GY_AWS_INTERNAL, "Internal server error (%s)",
                     gy_strerror(rc));
    send_error(req);
}

static const struct gy_aws_key *find_key(const struct gy_aws_router *r, const char *akid)
{
    for (size_t i = 0; i < r->nkeys; i++)
        if (strcmp(r->keys[i].access_key, akid) == 0)
            return &r->keys[i];
    return NULL;
}

/* SigV4: returns 0, or GY_EAWS with req->err set. */
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
    const struct gy_aws_key *key = find_key(r, req->auth.access_key);
    if (!key)
        return gy_error_set(&req->err, req->arena, GY_AWS_UNRECOGNIZED_CLIENT,
                            "The security token included in the request is invalid.");
    rc = gy_sigv4_verify(&sr, &req->auth, gy_str_c(key->secret), gy_now_ms(), r->max_skew_ms, msg,
                         sizeof(msg));
    if (rc == GY_SIGV4_OK)
        return 0;
    return gy_error_set(&req->err, req->arena, GY_AWS_INVALID_SIGNATURE, "%s", msg);
}

static const struct gy_aws_op *find_op(struct gy_aws_router *r, struct gy_str target,
                                       const struct gy_aws_service **svc_out)
{
    const char *dot = memchr(target.p, '.', target.len);
    if (!dot)
        return NULL;
    struct gy_str prefix = { target.p, (size_t)(dot - target.p) };
    struct gy_str name = { dot + 1, target.len - prefix.len - 1 };
    for (size_t i = 0; i < r->nservices; i++) {
        const struct gy_aws_service *svc = r->services[i];
        if (!gy_str_eqc(prefix, svc->target_prefix))
            continue;
        *svc_out = svc;
        for (size_t j = 0; j < svc->nops; j++)
            if (gy_str_eqc(name, svc->ops[j].name))
                return &svc->ops[j];
        /* Several services may share a prefix (global-table operations live in replication/). */
    }
    return NULL;
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
    make_request_id(req->request_id);
    gy_buf_init(&req->out, GY_AWS_MAX_RESPONSE);
    gy_arena_add_cleanup(req->arena, free_buf, &req->out);
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
    req->body = body;
    req->auth = parent->auth;
    req->region = parent->region;
    req->account = parent->account;
    memcpy(req->request_id, parent->request_id, sizeof(req->request_id));
    gy_buf_init(&req->out, GY_AWS_MAX_RESPONSE);
    gy_arena_add_cleanup(req->arena, free_buf, &req->out);
    gy_jw_init(&req->w, &req->out);
    return req;
}

void gy_aws_router_handle(struct gy_http_req *http, void *arg)
{
    struct gy_aws_router *r = arg;
    const struct gy_str *target = gy_http_req_header(http, "x-amz-target");

    if (!target && gy_str_eqc(http->method, "GET")) {
        if (gy_str_eqc(http->path, "/_gyre/health")) {
            handle_health(r, http);
            return;
        }
        if (gy_str_eqc(http->path, "/")) {
            /* What DynamoDB's endpoint answers to a plain GET. */
            char *body = gy_arena_printf(http->arena, "healthy: dynamodb.%s.amazonaws.com ",
                                         r->region);
            gy_http_respond(http, 200, NULL, 0, gy_str_c(body));
            return;
        }
    }

    for (size_t i = 0; i < r->nroutes && !target; i++) {
        const struct route *rt = &r->routes[i];
        if (!gy_str_eqc(http->method, rt->method) || !gy_str_eqc(http->path, rt->path))
            continue;
        struct gy_aws_req *req = req_new(r, http);
        req->ctx = rt->ctx;
        if (rt->auth && authenticate(r, req)) {
            send_error(req);
            return;
        }
        if (gy_str_eqc(http->method, "POST")) {
            const char *why = NULL;
            struct gy_str raw = http->body.len ? http->body : GY_STR("{}");
            if (gy_json_parse(req->arena, raw.p, raw.len, &req->body, &why)) {
                gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION, "%s", why);
                send_error(req);
                return;
            }
        }
        int rc = rt->fn(req);
        if (rc != GY_PENDING)
            gy_aws_req_complete(req, rc);
        return;
    }

    struct gy_aws_req *req = req_new(r, http);
    if (authenticate(r, req)) {
        send_error(req);
        return;
    }
    if (r->forward && strcmp(req->auth.region, r->region) != 0 &&
        r->forward(r->forward_ctx, req))
        return;
    if (!target) {
        gy_error_set(&req->err, req->arena, GY_AWS_UNKNOWN_OPERATION, "%s", "");
        send_error(req);
        return;
    }
    req->op = find_op(r, *target, &req->svc);
    if (!req->op) {
        gy_error_set(&req->err, req->arena, GY_AWS_UNKNOWN_OPERATION, "%s", "");
        send_error(req);
        return;
    }
    req->ctx = req->svc->ctx;

    const char *why = NULL;
    const struct gy_json *body = NULL;
    struct gy_str raw = http->body.len ? http->body : GY_STR("{}");
    if (gy_json_parse(req->arena, raw.p, raw.len, &body, &why) ||
        !gy_json_is(body, GY_JSON_OBJECT)) {
        gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION,
                     "Start of structure or map found where not expected%s%s",
                     why ? ": " : "", why ? why : "");
        if (body && !gy_json_is(body, GY_JSON_OBJECT))
            req->err.message = "Unexpected JSON type at top level: expected an object";
        send_error(req);
        return;
    }
    req->body = body;

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
    send_error_status(req, status);
}

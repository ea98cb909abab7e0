/*
 * aws.h — the AWS protocol layer: authenticates requests (SigV4 against known keys), routes
 * them to a service's operation (X-Amz-Target for the JSON protocols), hands the handler a
 * parsed request, and shapes success and error responses.
 *
 * Services register a table of operations at start-up (gy_aws_router_add_service), so this
 * layer never includes a service header. A handler either completes at once (returns 0 or an
 * error code) or returns GY_PENDING and later calls gy_aws_req_complete() from any thread
 * (e.g. the store's writer thread after a durable commit).
 * See docs/architecture.md, "Requests".
 */
#ifndef GY_AWS_AWS_H
#define GY_AWS_AWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws/sigv4.h"
#include "core/errors.h"
#include "core/json.h"
#include "core/str.h"
#include "net/http.h"

struct gy_arena;
struct gy_aws_req;

#define GY_AWS_MAX_RESPONSE (64u << 20) /* a bound on any response body we build */

typedef int (*gy_aws_op_fn)(struct gy_aws_req *req);

struct gy_aws_op {
    const char *name;  /* operation name after the target prefix, e.g. "PutItem" */
    gy_aws_op_fn fn;   /* handler */
};

struct gy_aws_service {
    const char *target_prefix;   /* "DynamoDB_20120810" */
    const char *content_type;    /* "application/x-amz-json-1.0" */
    const struct gy_aws_op *ops; /* operation table */
    size_t nops;
    void *ctx;                   /* handed to handlers as req->ctx */
};

/* The key a request was signed with. */
struct gy_aws_key {
    char access_key[129];
    char secret[129];
};

struct gy_aws_router_config {
    const char *region;             /* this process's region */
    const char *account;            /* 12-digit account id */
    const struct gy_aws_key *keys;  /* keys this region trusts */
    size_t nkeys;
    int64_t max_skew_ms;            /* SigV4 clock-skew window (default 15 min) */
};

struct gy_aws_router;

struct gy_aws_router *gy_aws_router_create(const struct gy_aws_router_config *cfg);
void gy_aws_router_destroy(struct gy_aws_router *r);
/** Register a service (the struct must outlive the router). */
void gy_aws_router_add_service(struct gy_aws_router *r, const struct gy_aws_service *svc);
/** The HTTP handler (gy_http_handler_fn) to install; ctx is the router. */
void gy_aws_router_handle(struct gy_http_req *http, void *router);
/** The HTTP fault handler (gy_http_fault_fn): AWS-shaped 413/431/400 answers. */
void gy_aws_router_fault(struct gy_http_req *http, enum gy_http_fault fault, void *router);

/*
 * Gyre's own endpoints under /_gyre/ (peer links, metrics): a handler for a method and exact
 * path. With auth, the request must be SigV4-signed by a trusted key; POST bodies are parsed as
 * JSON into req->body. The handler completes like an operation (0, error, or GY_PENDING).
 */
void gy_aws_router_add_route(struct gy_aws_router *r, const char *method, const char *path,
                             gy_aws_op_fn fn, void *ctx, bool auth);

/*
 * Called for an authenticated request signed for another region (credential scope). Returns
 * true when it took the request (it will answer it), false to serve it here.
 */
typedef bool (*gy_aws_forward_fn)(void *ctx, struct gy_aws_req *req);
void gy_aws_router_set_forwarder(struct gy_aws_router *r, gy_aws_forward_fn fn, void *ctx);

/* One AWS request being handled. Lives in the HTTP request's arena. */
struct gy_aws_req {
    struct gy_http_req *http;          /* transport request */
    struct gy_arena *arena;            /* per-request memory */
    const struct gy_aws_service *svc;  /* the service addressed */
    const struct gy_aws_op *op;        /* the operation */
    void *ctx;                         /* the service's context */
    const struct gy_json *body;        /* parsed JSON body (an object) */
    struct gy_error err;               /* set by handlers via gy_error_set */
    struct gy_buf out;                 /* response body being built */
    struct gy_jw w;                    /* JSON writer over out */
    struct gy_sigv4_auth auth;         /* who signed it, with region and service of the scope */
    const char *region;                /* this process's region */
    const char *account;               /* account id */
    char request_id[53];               /* x-amzn-RequestId */
    /* When set, completion calls this instead of sending a response: for sub-requests that a
     * handler runs on behalf of another (PartiQL statements run as DynamoDB operations). */
    void (*on_complete)(struct gy_aws_req *req, int rc);
    void *parent;                      /* free for the on_complete owner */
};

/**
 * A sub-request of parent for another operation of the same service, with its own body and
 * output buffer, sharing parent's arena, identity and context. Run it by calling the
 * operation's handler; it completes through on_complete (set by the caller).
 */
struct gy_aws_req *gy_aws_req_sub(struct gy_aws_req *parent, const struct gy_json *body);

/** Finish a request that returned GY_PENDING: rc 0 sends req->out, else the error. Any thread. */
void gy_aws_req_complete(struct gy_aws_req *req, int rc);

#endif

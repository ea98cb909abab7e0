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
struct gy_model_service;
struct gy_model_op;
struct gy_session_key;

#define GY_AWS_MAX_RESPONSE (64u << 20) /* a bound on any response body we build */

typedef int (*gy_aws_op_fn)(struct gy_aws_req *req);

struct gy_aws_op {
    const char *name;  /* operation name after the target prefix, e.g. "PutItem" */
    gy_aws_op_fn fn;   /* handler */
};

/*
 * A service is its botocore model name plus an operation table. The model (aws/model.h) gives
 * the protocol, target prefix, signing name, API version and every shape; the router decodes
 * each request into one protocol-neutral JSON tree (req->body: the operation's input shape as
 * the JSON protocols write it — timestamps as epoch seconds, blobs as base64 strings), validates
 * it against the model, and converts the handler's JSON output (req->w, same conventions) into
 * the protocol the client spoke (JSON, query+XML, rest-json, CBOR).
 */
struct gy_aws_service {
    const char *model;           /* botocore service name: "dynamodb", "sts", "cloudwatch", ... */
    const char *target_prefix;   /* JSON target prefix; NULL: the model's */
    const char *content_type;    /* JSON content type; NULL: from the model's jsonVersion */
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
/** The key that seals STS session tokens (derived from the first admin key). */
const struct gy_session_key *gy_aws_router_session_key(const struct gy_aws_router *r);
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

/* Who signed a request: the admin key, or temporary credentials issued by STS. */
struct gy_aws_identity {
    char access_key[129];  /* the access key id that signed */
    char arn[256];         /* "arn:aws:iam::000000000000:root", "arn:aws:sts::…:assumed-role/R/S" */
    char user_id[160];     /* GetCallerIdentity's UserId */
    bool temporary;        /* signed with session credentials (X-Amz-Security-Token) */
    int64_t expires_ms;    /* temporary credentials: when they expire */
};

/* One AWS request being handled. Lives in the HTTP request's arena. */
struct gy_aws_req {
    struct gy_http_req *http;          /* transport request */
    struct gy_arena *arena;            /* per-request memory */
    const struct gy_aws_service *svc;  /* the service addressed */
    const struct gy_aws_op *op;        /* the operation */
    const struct gy_model_service *model; /* the service's model (NULL for /_gyre/ routes) */
    const struct gy_model_op *mop;     /* the operation's model, or NULL */
    int proto;                         /* enum gy_model_protocol the client spoke */
    struct gy_aws_identity who;        /* the authenticated principal */
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

/**
 * Record a modeled exception of the request's service by its shape name
 * ("ResourceNotFoundException"); the layer takes its wire code and HTTP status from the model
 * (400 and the name itself when the model lacks it). Returns GY_EAWS for `return gy_aws_error(...)`.
 */
int gy_aws_error(struct gy_aws_req *req, const char *exception, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** Finish a request that returned GY_PENDING: rc 0 sends req->out, else the error. Any thread. */
void gy_aws_req_complete(struct gy_aws_req *req, int rc);

#endif

/*
 * aws_int.h — what router.c (dispatch, authentication), respond.c (success and error shapes per
 * protocol) and rest.c (rest-json binding) share. Private to src/aws/.
 */
#ifndef GY_AWS_AWS_INT_H
#define GY_AWS_AWS_INT_H

#include "aws/aws.h"
#include "aws/model.h"
#include "aws/session.h"

#define GY_AWS__MAX_SERVICES 24
#define GY_AWS__MAX_ROUTES 16

/* A registered service with what its model resolves to. */
struct gy_aws__entry {
    const struct gy_aws_service *svc;
    const struct gy_model_service *model; /* NULL when the model name is unknown */
    const char *target_prefix;            /* effective JSON target prefix, or NULL */
};

struct gy_aws__route {
    const char *method;
    const char *path;
    gy_aws_op_fn fn;
    void *ctx;
    bool auth;
};

struct gy_aws_router {
    char region[64];
    char account[16];
    char root_arn[64];                 /* "arn:aws:iam::<account>:root" */
    struct gy_aws_key *keys;
    size_t nkeys;
    int64_t max_skew_ms;
    struct gy_session_key session_key; /* seals STS tokens; derived from the first admin key */
    struct gy_aws__entry entries[GY_AWS__MAX_SERVICES];
    size_t nentries;
    struct gy_aws__route routes[GY_AWS__MAX_ROUTES];
    size_t nroutes;
    gy_aws_forward_fn forward;
    void *forward_ctx;
};

/** Send req->out (the handler's JSON output) in the protocol the client spoke. */
void gy_aws__send_success(struct gy_aws_req *req);
/** Send req->err in the protocol's error shape; status 0 takes the error's own. */
void gy_aws__send_error(struct gy_aws_req *req, int status);

/**
 * rest-json: find the operation of a rest service that the request's method and path address.
 * Returns the entry and model op, or NULL.
 */
const struct gy_model_op *gy_aws__rest_match(const struct gy_aws_router *r,
                                             const struct gy_aws_req *req,
                                             const struct gy_aws__entry **entry);
/**
 * rest-json: build the operation's input (URI labels, query string, headers, body) as JSON into
 * *out. Returns 0, or GY_EAWS with req->err set (SerializationException for a bad body).
 */
int gy_aws__rest_input(struct gy_aws_req *req, const struct gy_json **out);
/**
 * rest-json: shape the handler's output: headers, status code and body per the output shape.
 * The headers (arena array), their count, the status and the body are returned through the
 * out-parameters.
 */
int gy_aws__rest_output(struct gy_aws_req *req, struct gy_http_header **hdrs, size_t *nhdrs,
                        int *status, struct gy_str *body);

#endif

/*
 * cli.h — the gyre commands other than serve: `up` (the local three-region deployment) and
 * `verify` (compare replicas), and the small signed DynamoDB client they share.
 */
#ifndef GY_CLI_CLI_H
#define GY_CLI_CLI_H

#include "aws/aws.h"
#include "core/str.h"

/** gyre up: see docs/replication.md. Returns the process exit status. */
int gy_cli_up(int argc, char **argv, const char *self_exe);
/** gyre verify: see docs/replication.md. Returns 0 when every replica agrees. */
int gy_cli_verify(int argc, char **argv);

/**
 * Call a DynamoDB operation (X-Amz-Target DynamoDB_20120810.<op>) at url, signed for region
 * with key. *status gets the HTTP status (0: unreachable); the body is appended to resp.
 */
int gy_cli_call(const char *url, const char *region, const struct gy_aws_key *key, const char *op,
                struct gy_str body, long *status, struct gy_buf *resp);
/* A JSON-protocol service the commands call. */
struct gy_cli_service {
    const char *target_prefix; /* "DynamoDB_20120810" */
    const char *signing_name;  /* credential-scope service: "dynamodb" */
    const char *content_type;  /* "application/x-amz-json-1.0" */
};
extern const struct gy_cli_service gy_cli_dynamodb;
extern const struct gy_cli_service gy_cli_kinesis;

/** gy_cli_call for another JSON-protocol service. */
int gy_cli_call_svc(const struct gy_cli_service *svc, const char *url, const char *region,
                    const struct gy_aws_key *key, const char *op, struct gy_str body,
                    long *status, struct gy_buf *resp);

/** GET url path into resp; *status as above. */
int gy_cli_get(const char *url, const char *path, long *status, struct gy_buf *resp);

#endif

/*
 * sts.h — the AWS Security Token Service (botocore model "sts", awsQuery, API 2011-06-15,
 * signed with service "sts"): GetCallerIdentity, AssumeRole and GetSessionToken. Temporary
 * credentials are sealed session tokens (aws/session.h), so the service keeps no state beyond
 * the sealing key and the account id. See docs/sts.md.
 */
#ifndef GY_STS_STS_H
#define GY_STS_STS_H

#include "aws/aws.h"
#include "aws/session.h"

struct gy_sts;

/**
 * Create the service: key (copied) seals the credentials it issues, account (copied, a
 * 12-digit id) owns the roles it lets callers assume. Returns NULL for a malformed account.
 */
struct gy_sts *gy_sts_create(const struct gy_session_key *key, const char *account);
/** Free the service (after the HTTP server has stopped). NULL is allowed. */
void gy_sts_destroy(struct gy_sts *s);
/** The service description to register with the router; lives as long as s. */
const struct gy_aws_service *gy_sts_service(struct gy_sts *s);

#endif

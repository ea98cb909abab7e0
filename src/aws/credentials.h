/*
 * credentials.h — the region's admin key: taken from --admin-key / GYRE_ADMIN_KEY, or generated
 * on first start and kept in DIR/credentials (AWS credentials-file format, profile "gyre") so
 * that later starts, the AWS CLI and boto3 all use the same key.
 */
#ifndef GY_AWS_CREDENTIALS_H
#define GY_AWS_CREDENTIALS_H

#include "aws/aws.h"

/**
 * Fill *out from spec ("AKID:SECRET", may be NULL), else from DIR/credentials, else generate a
 * key pair and write DIR/credentials (mode 0600). Returns 0, GY_EINVAL for a malformed spec
 * (message logged), or GY_EIO.
 */
int gy_aws_credentials_setup(const char *dir, const char *spec, struct gy_aws_key *out);

#endif

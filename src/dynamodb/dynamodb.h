/*
 * dynamodb.h — the DynamoDB service of one region: its context and its registration with the
 * AWS router. Operation handlers live in ops_*.c; the data model in value.h, tables in
 * table.h and catalog.h. See docs/dynamodb.md.
 */
#ifndef GY_DDB_DYNAMODB_H
#define GY_DDB_DYNAMODB_H

#include "aws/aws.h"

struct gy_store;
struct gy_ddb_catalog;

struct gy_ddb {
    struct gy_store *store;          /* the region's store */
    struct gy_ddb_catalog *catalog;  /* the region's tables */
    const char *region;              /* region name */
    const char *account;             /* account id */
    struct gy_aws_service service;   /* registration with the router */
};

/** Open the service over an open store (loads the catalog). Returns 0 or GY_EIO. */
int gy_ddb_open(struct gy_store *store, const char *region, const char *account, struct gy_ddb **out);
void gy_ddb_close(struct gy_ddb *d);
/** The service description to register with the router. */
const struct gy_aws_service *gy_ddb_service(struct gy_ddb *d);

#endif

/*
 * dynamodb.c — the DynamoDB service: its operation table and its life cycle.
 */
#include "dynamodb/dynamodb.h"

#include "core/mem.h"
#include "store/store.h"
#include "dynamodb/catalog.h"
#include "dynamodb/dynamodb_int.h"

static const struct gy_aws_op ddb_ops[] = {
    { "BatchExecuteStatement", gy_ddb__batch_execute_statement },
    { "BatchGetItem", gy_ddb__batch_get_item },
    { "BatchWriteItem", gy_ddb__batch_write_item },
    { "CreateTable", gy_ddb__create_table },
    { "DeleteItem", gy_ddb__delete_item },
    { "DeleteTable", gy_ddb__delete_table },
    { "DescribeEndpoints", gy_ddb__describe_endpoints },
    { "DescribeLimits", gy_ddb__describe_limits },
    { "DescribeTable", gy_ddb__describe_table },
    { "DescribeTimeToLive", gy_ddb__describe_ttl },
    { "ExecuteStatement", gy_ddb__execute_statement },
    { "ExecuteTransaction", gy_ddb__execute_transaction },
    { "GetItem", gy_ddb__get_item },
    { "ListTables", gy_ddb__list_tables },
    { "ListTagsOfResource", gy_ddb__list_tags },
    { "PutItem", gy_ddb__put_item },
    { "Query", gy_ddb__query },
    { "Scan", gy_ddb__scan },
    { "TagResource", gy_ddb__tag_resource },
    { "TransactGetItems", gy_ddb__transact_get_items },
    { "TransactWriteItems", gy_ddb__transact_write_items },
    { "UntagResource", gy_ddb__untag_resource },
    { "UpdateItem", gy_ddb__update_item },
    { "UpdateTable", gy_ddb__update_table },
    { "UpdateTimeToLive", gy_ddb__update_ttl },
};

int gy_ddb_open(struct gy_store *store, const char *region, const char *account, struct gy_ddb **out)
{
    struct gy_ddb *d = gy_calloc(1, sizeof(*d));
    d->store = store;
    d->region = region;
    d->account = account;
    int rc = gy_ddb_catalog_open(store, &d->catalog);
    if (rc) {
        gy_free(d);
        return rc;
    }
    struct gy_store_txn *txn;
    rc = gy_store_read_begin(store, &txn);
    if (rc == 0) {
        gy_ddb__hlc_load(d, txn);
        gy_store_read_end(txn);
    }
    rc = rc ? rc : gy_ddb__log_start(d);
    if (rc == 0 && gy_ddb__ttl_start(d)) {
        gy_ddb__log_stop(d);
        rc = GY_EIO;
    }
    if (rc) {
        gy_ddb_catalog_close(d->catalog);
        gy_free(d);
        return rc;
    }
    d->service.model = "dynamodb";
    d->service.target_prefix = "DynamoDB_20120810";
    d->service.content_type = "application/x-amz-json-1.0";
    d->service.ops = ddb_ops;
    d->service.nops = sizeof(ddb_ops) / sizeof(ddb_ops[0]);
    d->service.ctx = d;
    *out = d;
    return 0;
}

void gy_ddb_stop(struct gy_ddb *d)
{
    if (!d || d->stopped)
        return;
    gy_ddb__ttl_stop(d);
    gy_ddb__log_stop(d);
    d->stopped = true;
}

void gy_ddb_close(struct gy_ddb *d)
{
    if (!d)
        return;
    gy_ddb_stop(d);
    gy_ddb_catalog_close(d->catalog);
    gy_free(d);
}

const struct gy_aws_service *gy_ddb_service(struct gy_ddb *d)
{
    return &d->service;
}

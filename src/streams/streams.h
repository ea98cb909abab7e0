/*
 * streams.h — the DynamoDB Streams API (target prefix DynamoDBStreams_20120810, JSON 1.0, signed
 * with service "dynamodb") over the per-table change log of dynamodb/changelog.h: ListStreams,
 * DescribeStream, GetShardIterator and GetRecords. It owns no data of its own apart from the
 * secret that authenticates shard iterators (META key "streams_iterator_key").
 * See docs/streams.md.
 */
#ifndef GY_STREAMS_STREAMS_H
#define GY_STREAMS_STREAMS_H

#include "aws/aws.h"

struct gy_ddb;
struct gy_streams;

/**
 * Open the Streams service over an open DynamoDB service (out: the new context). Loads, or on
 * the first start creates and stores, the iterator secret; reads GYRE_STREAM_ITERATOR_TTL_MS.
 * Returns 0 or GY_EIO. Call once at start-up, before the router serves requests.
 */
int gy_streams_open(struct gy_ddb *ddb, struct gy_streams **out);
/** Free the context (after the HTTP server has stopped). NULL is allowed. */
void gy_streams_close(struct gy_streams *s);
/** The service description to register with the router; lives as long as s. */
const struct gy_aws_service *gy_streams_service(struct gy_streams *s);

#endif

/*
 * kinesis.c — the Kinesis service: its lifetime (iterator secret in the store, test knobs),
 * its registration with the AWS router, and the two ways its handlers touch the store: write
 * jobs that answer only after their group commit is durable, and read transactions tied to a
 * request's arena. See docs/kinesis.md.
 */
#include "kinesis/kinesis.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/log.h"
#include "core/mem.h"
#include "kinesis/kinesis_int.h"
#include "net/http.h"

#define KEY_NAME "kinesis_iterator_key"

static const struct gy_aws_op ops[] = {
    {"AddTagsToStream", gy_kin__add_tags},
    {"CreateStream", gy_kin__create_stream},
    {"DecreaseStreamRetentionPeriod", gy_kin__decrease_retention},
    {"DeleteStream", gy_kin__delete_stream},
    {"DeregisterStreamConsumer", gy_kin__deregister_consumer},
    {"DescribeLimits", gy_kin__describe_limits},
    {"DescribeStream", gy_kin__describe_stream},
    {"DescribeStreamConsumer", gy_kin__describe_consumer},
    {"DescribeStreamSummary", gy_kin__describe_stream_summary},
    {"DisableEnhancedMonitoring", gy_kin__disable_monitoring},
    {"EnableEnhancedMonitoring", gy_kin__enable_monitoring},
    {"GetRecords", gy_kin__get_records},
    {"GetShardIterator", gy_kin__get_shard_iterator},
    {"IncreaseStreamRetentionPeriod", gy_kin__increase_retention},
    {"ListShards", gy_kin__list_shards},
    {"ListStreamConsumers", gy_kin__list_consumers},
    {"ListStreams", gy_kin__list_streams},
    {"ListTagsForResource", gy_kin__list_tags_for_resource},
    {"ListTagsForStream", gy_kin__list_tags},
    {"MergeShards", gy_kin__merge_shards},
    {"PutRecord", gy_kin__put_record},
    {"PutRecords", gy_kin__put_records},
    {"RegisterStreamConsumer", gy_kin__register_consumer},
    {"RemoveTagsFromStream", gy_kin__remove_tags},
    {"SplitShard", gy_kin__split_shard},
    {"StartStreamEncryption", gy_kin__start_encryption},
    {"StopStreamEncryption", gy_kin__stop_encryption},
    {"TagResource", gy_kin__tag_resource},
    {"UntagResource", gy_kin__untag_resource},
    {"UpdateShardCount", gy_kin__update_shard_count},
    {"UpdateStreamMode", gy_kin__update_stream_mode},
};

static int64_t env_ms(const char *name, int64_t def, int64_t min)
{
    const char *s = getenv(name);
    char *end;
    if (!s || !*s)
        return def;
    long long v = strtoll(s, &end, 10);
    return *end || v < min ? def : v;
}

int gy_kin_open(struct gy_store *store, const char *region, const char *account,
                struct gy_kin **out)
{
    struct gy_kin *k = gy_calloc(1, sizeof(*k));
    k->store = store;
    snprintf(k->region, sizeof(k->region), "%s", region);
    snprintf(k->account, sizeof(k->account), "%s", account);
    k->iter_ttl_ms = env_ms("GYRE_KINESIS_ITERATOR_TTL_MS", GY_KIN_ITER_TTL_MS, 1);
    k->hour_ms = env_ms("GYRE_KINESIS_HOUR_MS", 3600LL * 1000, 1);
    k->transition_ms = env_ms("GYRE_KINESIS_TRANSITION_MS", 0, 0);
    /* The default provisioned shard limit: 500 in the three largest regions, 200 elsewhere. */
    k->shard_limit = strcmp(region, "us-east-1") == 0 || strcmp(region, "us-west-2") == 0 ||
                             strcmp(region, "eu-west-1") == 0
                         ? 500
                         : 200;
    k->shard_limit = (uint32_t)env_ms("GYRE_KINESIS_SHARD_LIMIT", k->shard_limit, 1);
    if (gy_store_secret(store, KEY_NAME, k->key, sizeof(k->key))) {
        gy_log_error("kinesis: cannot load the iterator secret");
        gy_free(k);
        return GY_EIO;
    }
    atomic_init(&k->trimming, false);
    k->metrics = gy_kin__metrics_create();
    if (env_ms("GYRE_KINESIS_WRITE_LIMITS", 1, 0))
        k->limits = gy_kin__limits_create();
    if (env_ms("GYRE_KINESIS_READ_LIMITS", 0, 0))
        k->read_limits = gy_kin__limits_create();
    if (gy_kin__resume_purges(k))
        gy_log_warn("kinesis: cannot resume the purges of deleted streams");
    k->service = (struct gy_aws_service){
        .model = "kinesis",
        .target_prefix = "Kinesis_20131202",
        .content_type = "application/x-amz-json-1.1",
        .ops = ops,
        .nops = sizeof(ops) / sizeof(ops[0]),
        .ctx = k,
    };
    *out = k;
    return 0;
}

void gy_kin_close(struct gy_kin *k)
{
    if (!k)
        return;
    gy_kin__metrics_destroy(k->metrics);
    gy_kin__limits_destroy(k->limits);
    gy_kin__limits_destroy(k->read_limits);
    memset(k->key, 0, sizeof(k->key));
    gy_free(k);
}

const struct gy_aws_service *gy_kin_service(struct gy_kin *k)
{
    return &k->service;
}

int64_t gy_kin__retention_ms(const struct gy_kin *k, const struct gy_kin_stream *st)
{
    return (int64_t)st->retention_h * k->hour_ms;
}

/* ---- write jobs ---- */

static void job_finish(void *arg)
{
    struct gy_kin_job *j = arg;
    if (j->rc == 0 && j->after)
        j->after(j);
    gy_aws_req_complete(j->req, j->rc);
}

static int job_apply(struct gy_store_txn *txn, void *arg)
{
    struct gy_kin_job *j = arg;
    return j->apply(txn, j);
}

static void job_done(void *arg, int rc)
{
    struct gy_kin_job *j = arg;
    j->rc = rc;
    if (rc && rc != GY_EAWS)
        gy_kin__internal(j->req, rc);
    if (rc)
        j->rc = GY_EAWS;
    gy_http_req_post(j->req->http, job_finish, j);
}

int gy_kin__submit(struct gy_aws_req *req, struct gy_kin_job *j)
{
    struct gy_kin *k = req->ctx;
    j->req = req;
    j->job.apply = job_apply;
    j->job.done = job_done;
    j->job.arg = j;
    if (gy_store_submit(k->store, &j->job))
        return gy_error_set(&req->err, req->arena, GY_AWS_SERVICE_UNAVAILABLE,
                            "The service is shutting down");
    return GY_PENDING;
}

static void end_read(void *txn)
{
    gy_store_read_end(txn);
}

int gy_kin__read(struct gy_aws_req *req, struct gy_store_txn **txn)
{
    struct gy_kin *k = req->ctx;
    int rc = gy_store_read_begin(k->store, txn);
    if (rc)
        return gy_kin__internal(req, rc);
    gy_arena_add_cleanup(req->arena, end_read, *txn);
    return 0;
}

/*
 * ops_stream.c — stream lifetime and description: CreateStream, DeleteStream (and the
 * background purge of a deleted stream's keys), DescribeStream, DescribeStreamSummary,
 * ListStreams, ListShards and DescribeLimits. Changes run as write jobs that check the stored
 * state inside the writer's transaction (so two CreateStreams of one name cannot both win);
 * descriptions read one snapshot. See docs/kinesis.md.
 */
#include "kinesis/kinesis_int.h"

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/bytes.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/log.h"
#include "core/mem.h"

#define PURGE_BATCH 5000
#define LIST_STREAMS_MAX 100
#define TOKEN_TTL_MS (300 * 1000)

/* ---- shared writers ---- */

void gy_kin__write_hash_range(struct gy_jw *w, const struct gy_kin_shard *sh)
{
    char b[40];
    gy_jw_key(w, "HashKeyRange");
    gy_jw_obj_begin(w);
    gy_jw_key(w, "StartingHashKey");
    gy_kin__hash_format(sh->start, b);
    gy_jw_cstr(w, b);
    gy_jw_key(w, "EndingHashKey");
    gy_kin__hash_format(sh->end, b);
    gy_jw_cstr(w, b);
    gy_jw_obj_end(w);
}

void gy_kin__write_shard(struct gy_jw *w, const struct gy_kin_stream *st,
                         const struct gy_kin_shard *sh)
{
    char id[24], seq[GY_KIN_SEQ_LEN + 1];
    gy_jw_obj_begin(w);
    gy_jw_key(w, "ShardId");
    gy_kin__shard_id(sh->idx, id);
    gy_jw_cstr(w, id);
    if (sh->parent >= 0) {
        gy_jw_key(w, "ParentShardId");
        gy_kin__shard_id((uint32_t)sh->parent, id);
        gy_jw_cstr(w, id);
    }
    if (sh->adjacent >= 0) {
        gy_jw_key(w, "AdjacentParentShardId");
        gy_kin__shard_id((uint32_t)sh->adjacent, id);
        gy_jw_cstr(w, id);
    }
    gy_kin__write_hash_range(w, sh);
    gy_jw_key(w, "SequenceNumberRange");
    gy_jw_obj_begin(w);
    gy_jw_key(w, "StartingSequenceNumber");
    gy_kin__seq_format(&(struct gy_kin_seq){st->id, sh->idx, 0, sh->created_ms}, seq);
    gy_jw_cstr(w, seq);
    if (sh->closed) {
        gy_jw_key(w, "EndingSequenceNumber");
        gy_kin__seq_format(&(struct gy_kin_seq){st->id, sh->idx, sh->next_pos ? sh->next_pos - 1 : 0,
                                                GY_KIN_SEQ_END_TIME},
                           seq);
        gy_jw_cstr(w, seq);
    }
    gy_jw_obj_end(w);
    gy_jw_obj_end(w);
}

bool gy_kin__shard_expired(const struct gy_kin *k, const struct gy_kin_stream *st,
                           const struct gy_kin_shard *sh, int64_t now)
{
    return sh->closed && sh->closed_ms + gy_kin__retention_ms(k, st) < now;
}

void gy_kin__write_mode(struct gy_jw *w, const struct gy_kin_stream *st)
{
    gy_jw_key(w, "StreamModeDetails");
    gy_jw_obj_begin(w);
    gy_jw_key(w, "StreamMode");
    gy_jw_cstr(w, st->mode == GY_KIN_ON_DEMAND ? "ON_DEMAND" : "PROVISIONED");
    gy_jw_obj_end(w);
}

void gy_kin__write_metric_list(struct gy_jw *w, uint32_t bits)
{
    gy_jw_arr_begin(w);
    for (int i = 0; i < GY_KIN_M__COUNT; i++)
        if (bits & (1u << i))
            gy_jw_cstr(w, gy_kin__metric_names[i]);
    gy_jw_arr_end(w);
}

/* The members DescribeStream and DescribeStreamSummary share. */
static void write_common(struct gy_aws_req *req, const struct gy_kin_stream *st, int64_t now)
{
    struct gy_jw *w = &req->w;
    gy_jw_key(w, "StreamName");
    gy_jw_cstr(w, st->name);
    gy_jw_key(w, "StreamARN");
    gy_jw_cstr(w, gy_kin__arn(req, st->name));
    gy_jw_key(w, "StreamStatus");
    gy_jw_cstr(w, gy_kin__status_name(gy_kin__status(st, now)));
    gy_kin__write_mode(w, st);
    gy_jw_key(w, "RetentionPeriodHours");
    gy_jw_uint(w, st->retention_h);
    gy_jw_key(w, "StreamCreationTimestamp");
    gy_jw_double(w, (double)st->created_ms / 1000.0);
    gy_jw_key(w, "EnhancedMonitoring");
    gy_jw_arr_begin(w);
    gy_jw_obj_begin(w);
    gy_jw_key(w, "ShardLevelMetrics");
    gy_kin__write_metric_list(w, st->metrics);
    gy_jw_obj_end(w);
    gy_jw_arr_end(w);
    gy_jw_key(w, "EncryptionType");
    gy_jw_cstr(w, st->enc == GY_KIN_ENC_KMS ? "KMS" : "NONE");
    if (st->enc == GY_KIN_ENC_KMS) {
        gy_jw_key(w, "KeyId");
        gy_jw_cstr(w, st->key_id);
    }
}

/* ---- CreateStream ---- */

struct create {
    struct gy_str name;
    uint32_t shards;
    enum gy_kin_mode mode;
    size_t ntags;
    struct gy_str *tag_keys, *tag_vals;
};

/* Open shards of provisioned streams, and the number of on-demand streams, in the region. */
int gy_kin__account_usage(struct gy_store_txn *txn, struct gy_arena *a, uint32_t *shards,
                          uint32_t *on_demand)
{
    struct gy_kin_stream *all;
    size_t n;
    bool more;
    int rc = gy_kin__streams(txn, a, GY_STR_NULL, SIZE_MAX / 2, false, &all, &n, &more);
    *shards = *on_demand = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (all[i].mode == GY_KIN_ON_DEMAND)
            (*on_demand)++;
        else
            *shards += all[i].open_shards;
    }
    return rc;
}

int gy_kin__shard_limit_error(struct gy_aws_req *req, uint32_t current, uint32_t more)
{
    struct gy_kin *k = req->ctx;
    return gy_kin__error(
        req, "LimitExceededException",
        "This request would exceed the shard limit for the account %s in %s. Current shard count "
        "for the account: %u. Limit: %u. Number of additional shards that would have resulted "
        "from this request: %u. Refer to the AWS Service Limits page "
        "(https://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current "
        "limits and how to request higher limits.",
        req->account, req->region, current, k->shard_limit, more);
}

static int create_apply(struct gy_store_txn *txn, struct gy_kin_job *j)
{
    struct gy_aws_req *req = j->req;
    struct gy_kin *k = req->ctx;
    struct create *c = j->data;
    struct gy_kin_stream *st = gy_arena_zalloc(req->arena, sizeof(*st));
    uint32_t used, on_demand;
    int64_t now = gy_now_ms();

    int rc = gy_kin__stream_get(txn, c->name, st);
    if (rc == 0)
        return gy_kin__error(req, "ResourceInUseException", "Stream %s under account %s already "
                             "exists.", c->name.p, req->account);
    if (rc != GY_ENOTFOUND)
        return rc;
    if ((rc = gy_kin__account_usage(txn, req->arena, &used, &on_demand)))
        return rc;
    if (c->mode == GY_KIN_ON_DEMAND && on_demand >= GY_KIN_ON_DEMAND_LIMIT)
        return gy_kin__error(req, "LimitExceededException",
                             "This request would exceed the limit of %d on-demand streams for "
                             "the account %s in %s.",
                             GY_KIN_ON_DEMAND_LIMIT, req->account, req->region);
    if (c->mode == GY_KIN_PROVISIONED && (uint64_t)used + c->shards > k->shard_limit)
        return gy_kin__shard_limit_error(req, used, c->shards);

    memset(st, 0, sizeof(*st));
    if ((rc = gy_kin__stream_id_next(txn, &st->id)))
        return rc;
    snprintf(st->name, sizeof(st->name), "%s", c->name.p);
    st->created_ms = now;
    st->status = GY_KIN_CREATING;
    st->settle_ms = now + k->transition_ms;
    st->mode = c->mode;
    st->retention_h = GY_KIN_RETENTION_MIN;
    st->next_shard = c->shards;
    st->open_shards = c->shards;
    for (uint32_t i = 0; i < c->shards && rc == 0; i++) {
        struct gy_kin_shard sh = {.idx = i, .parent = -1, .adjacent = -1, .created_ms = now,
                                  .next_pos = 1};
        gy_kin__hash_split(c->shards, i, &sh.start, &sh.end);
        rc = gy_kin__shard_put(txn, st->id, &sh);
    }
    for (size_t i = 0; i < c->ntags && rc == 0; i++)
        rc = gy_kin__tag_put(txn, st->id, c->tag_keys[i], c->tag_vals[i]);
    return rc ? rc : gy_kin__stream_put(txn, st);
}

/* Read a Tags map {key: value} (CreateStream, AddTagsToStream, TagResource). */
int gy_kin__tags_arg(struct gy_aws_req *req, struct gy_kin_v *v, const char *member, bool required,
                     struct gy_str **keys, struct gy_str **vals, size_t *n)
{
    const struct gy_json *t = gy_json_get(req->body, member);
    *n = 0;
    if (!t || gy_json_is(t, GY_JSON_NULL)) {
        if (required)
            gy_kin__v_add(v, "Value null at 'tags' failed to satisfy constraint: Member must not "
                             "be null");
        return 0;
    }
    if (!gy_json_is(t, GY_JSON_OBJECT))
        return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION,
                            "Unexpected value type in payload: %s", member);
    size_t cnt = gy_json_count(t);
    if (cnt < 1 || cnt > GY_KIN_TAGS_MAX) {
        gy_kin__v_add(v, "Value '{...}' at 'tags' failed to satisfy constraint: Member must have "
                         "length %s %d", cnt < 1 ? "greater than or equal to" :
                         "less than or equal to", cnt < 1 ? 1 : GY_KIN_TAGS_MAX);
        return 0;
    }
    *keys = gy_arena_calloc(req->arena, cnt, sizeof(**keys));
    *vals = gy_arena_calloc(req->arena, cnt, sizeof(**vals));
    for (const struct gy_json *e = gy_json_child(t); e; e = gy_json_next(e)) {
        struct gy_str key = gy_json_key(e);
        if (!gy_json_is(e, GY_JSON_STRING))
            return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION,
                                "Unexpected value type in payload: %s", member);
        struct gy_str val = gy_json_str(e);
        if (gy_kin__chars(key) < 1 || gy_kin__chars(key) > 128)
            return gy_kin__error(req, "InvalidArgumentException",
                                 "Tag key %.*s is invalid: it must be 1 to 128 characters long.",
                                 (int)key.len, key.p);
        if (gy_kin__chars(val) > 256)
            return gy_kin__error(req, "InvalidArgumentException",
                                 "Tag value for key %s is invalid: it must be at most 256 "
                                 "characters long.", key.p);
        (*keys)[*n] = key;
        (*vals)[*n] = val;
        (*n)++;
    }
    return 0;
}

/* StreamModeDetails {StreamMode}; *mode stays as given when absent. */
int gy_kin__mode_arg(struct gy_aws_req *req, struct gy_kin_v *v, bool required,
                     enum gy_kin_mode *mode, bool *present)
{
    const struct gy_json *d = gy_json_get(req->body, "StreamModeDetails");
    *present = false;
    if (!d || gy_json_is(d, GY_JSON_NULL)) {
        if (required)
            gy_kin__v_add(v, "Value null at 'streamModeDetails' failed to satisfy constraint: "
                             "Member must not be null");
        return 0;
    }
    if (!gy_json_is(d, GY_JSON_OBJECT))
        return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION,
                            "Unexpected value type in payload: StreamModeDetails");
    struct gy_str m = gy_kin__v_str(v, d, "StreamMode", "streamModeDetails.streamMode", true, 0,
                                    SIZE_MAX);
    if (!m.p)
        return 0;
    *present = true;
    if (gy_str_eqc(m, "PROVISIONED"))
        *mode = GY_KIN_PROVISIONED;
    else if (gy_str_eqc(m, "ON_DEMAND"))
        *mode = GY_KIN_ON_DEMAND;
    else
        gy_kin__v_add(v, "Value '%s' at 'streamModeDetails.streamMode' failed to satisfy "
                         "constraint: Member must satisfy enum value set: [ON_DEMAND, "
                         "PROVISIONED]", m.p);
    return 0;
}

int gy_kin__create_stream(struct gy_aws_req *req)
{
    struct gy_kin *k = req->ctx;
    struct gy_kin_v v;
    struct create *c = gy_arena_zalloc(req->arena, sizeof(*c));
    bool has_count, has_mode;

    gy_kin__v_init(&v, req);
    c->name = gy_kin__v_str(&v, req->body, "StreamName", "streamName", true, 1, GY_KIN_NAME_MAX);
    gy_kin__v_name(&v, c->name, "streamName");
    int64_t count = gy_kin__v_int(&v, req->body, "ShardCount", "shardCount", false, 1, INT32_MAX,
                                  &has_count);
    c->mode = GY_KIN_PROVISIONED;
    if (gy_kin__mode_arg(req, &v, false, &c->mode, &has_mode) ||
        gy_kin__tags_arg(req, &v, "Tags", false, &c->tag_keys, &c->tag_vals, &c->ntags))
        return GY_EAWS;
    if (gy_kin__v_done(&v))
        return GY_EAWS;
    if (c->mode == GY_KIN_ON_DEMAND) {
        c->shards = GY_KIN_ON_DEMAND_SHARDS;
    } else if (!has_count) {
        return gy_kin__error(req, "InvalidArgumentException",
                             "ShardCount is required for streams in PROVISIONED mode.");
    } else if ((uint64_t)count > k->shard_limit) {
        return gy_kin__shard_limit_error(req, 0, (uint32_t)count);
    } else {
        c->shards = (uint32_t)count;
    }
    struct gy_kin_job *j = gy_arena_zalloc(req->arena, sizeof(*j));
    j->apply = create_apply;
    j->data = c;
    return gy_kin__submit(req, j);
}

/* ---- DeleteStream and the purge of a deleted stream ---- */

struct purge {
    struct gy_store_job job;
    struct gy_kin *k;
    uint32_t id;
    char name[GY_KIN_NAME_MAX + 1];
    bool more;
};

static int purge_apply(struct gy_store_txn *txn, void *arg)
{
    struct purge *p = arg;
    struct gy_kin_stream st;
    int rc = gy_kin__purge(txn, p->id, PURGE_BATCH, &p->more);
    if (rc || p->more)
        return rc;
    /* The name goes once the data has gone and the DELETING transition has passed (until then
     * the stream reads as DELETING; after it, as not found, even before this runs). */
    rc = gy_kin__stream_get_raw(txn, gy_str_c(p->name), &st);
    if (rc == 0 && st.id == p->id && gy_kin__stream_gone(&st, gy_now_ms()))
        return gy_kin__stream_del(txn, gy_str_c(p->name));
    return rc == GY_ENOTFOUND ? 0 : rc;
}

static void purge_done(void *arg, int rc)
{
    struct purge *p = arg;
    if (rc == 0 && p->more && gy_store_submit(p->k->store, &p->job) == 0)
        return;
    if (rc)
        gy_log_warn("kinesis: purging stream %s failed: %s (retried at the next start)", p->name,
                    gy_strerror(rc));
    gy_free(p);
}

void gy_kin__purge_start(struct gy_kin *k, uint32_t id, const char *name)
{
    struct purge *p = gy_calloc(1, sizeof(*p));
    p->k = k;
    p->id = id;
    snprintf(p->name, sizeof(p->name), "%s", name);
    p->job.apply = purge_apply;
    p->job.done = purge_done;
    p->job.arg = p;
    if (gy_store_submit(k->store, &p->job))
        gy_free(p);
}

/* ---- trimming expired records in the background ---- */

struct trim {
    struct gy_store_job job;
    struct gy_kin *k;
    uint32_t id;
    char name[GY_KIN_NAME_MAX + 1];
    bool more;
};

static int trim_apply(struct gy_store_txn *txn, void *arg)
{
    struct trim *t = arg;
    struct gy_kin_stream st;
    t->more = false;
    int rc = gy_kin__stream_get_raw(txn, gy_str_c(t->name), &st);
    if (rc == GY_ENOTFOUND || (rc == 0 && (st.id != t->id || st.status == GY_KIN_DELETING)))
        return 0;
    if (rc)
        return rc;
    /* The horizon is taken here, from the stored retention: a change since counts. */
    return gy_kin__stream_trim(txn, t->id, gy_now_ms() - gy_kin__retention_ms(t->k, &st),
                               PURGE_BATCH, &t->more);
}

static void trim_done(void *arg, int rc)
{
    struct trim *t = arg;
    if (rc == 0 && t->more && gy_store_submit(t->k->store, &t->job) == 0)
        return;
    if (rc)
        gy_log_warn("kinesis: trimming stream %s failed: %s", t->name, gy_strerror(rc));
    atomic_store(&t->k->trimming, false);
    gy_free(t);
}

void gy_kin__trim_start(struct gy_kin *k, uint32_t id, const char *name)
{
    if (atomic_exchange(&k->trimming, true))
        return;
    struct trim *t = gy_calloc(1, sizeof(*t));
    t->k = k;
    t->id = id;
    snprintf(t->name, sizeof(t->name), "%s", name);
    t->job.apply = trim_apply;
    t->job.done = trim_done;
    t->job.arg = t;
    if (gy_store_submit(k->store, &t->job)) {
        atomic_store(&k->trimming, false);
        gy_free(t);
    }
}

struct del {
    struct gy_str name;
    uint32_t id;
    bool enforce;  /* EnforceConsumerDeletion */
};

static int delete_apply(struct gy_store_txn *txn, struct gy_kin_job *j)
{
    struct gy_aws_req *req = j->req;
    struct del *d = j->data;
    struct gy_kin_stream *st = gy_arena_alloc(req->arena, sizeof(*st));
    int64_t now = gy_now_ms();
    int rc = gy_kin__stream_get(txn, d->name, st);
    if (rc == GY_ENOTFOUND || (rc == 0 && st->status == GY_KIN_DELETING))
        return gy_kin__not_found(req, d->name);
    if (rc)
        return rc;
    if (gy_kin__status(st, now) == GY_KIN_CREATING)
        return gy_kin__not_active(req, st, now);
    if (!d->enforce) {
        struct gy_kin_consumer *c;
        size_t n;
        bool more;
        if ((rc = gy_kin__consumers(txn, req->arena, st->id, GY_STR_NULL, 1, &c, &n, &more)))
            return rc;
        if (n)
            return gy_kin__error(req, "ResourceInUseException",
                                 "Stream %s under account %s has registered consumers: "
                                 "deregister them or set EnforceConsumerDeletion.",
                                 st->name, req->account);
    }
    st->status = GY_KIN_DELETING;
    st->settle_ms = now + ((struct gy_kin *)req->ctx)->transition_ms;
    d->id = st->id;
    return gy_kin__stream_put(txn, st);
}

static void delete_after(struct gy_kin_job *j)
{
    struct gy_kin *k = j->req->ctx;
    struct del *d = j->data;
    gy_kin__metrics_forget(k, d->name.p);
    gy_kin__purge_start(k, d->id, d->name.p);
}

int gy_kin__delete_stream(struct gy_aws_req *req)
{
    struct gy_kin_v v;
    struct del *d = gy_arena_zalloc(req->arena, sizeof(*d));
    const struct gy_json *e = gy_json_get(req->body, "EnforceConsumerDeletion");
    bool b;
    gy_kin__v_init(&v, req);
    if (e && !gy_json_is(e, GY_JSON_NULL) && !gy_json_bool(e, &b))
        return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION,
                            "Unexpected value type in payload: EnforceConsumerDeletion");
    d->enforce = e && gy_json_bool(e, &b) && b;
    if (gy_kin__stream_arg(req, &v, &d->name))
        return GY_EAWS;
    struct gy_kin_job *j = gy_arena_zalloc(req->arena, sizeof(*j));
    j->apply = delete_apply;
    j->after = delete_after;
    j->data = d;
    return gy_kin__submit(req, j);
}

/* ---- DescribeStream, DescribeStreamSummary ---- */

/* Read the stream a request names, in txn; 0, or GY_EAWS (not found). */
int gy_kin__stream_lookup(struct gy_aws_req *req, struct gy_store_txn *txn, struct gy_str name,
                          struct gy_kin_stream *st)
{
    int rc = gy_kin__stream_get(txn, name, st);
    if (rc == GY_ENOTFOUND)
        return gy_kin__not_found(req, name);
    return rc ? gy_kin__internal(req, rc) : 0;
}

int gy_kin__describe_stream(struct gy_aws_req *req)
{
    struct gy_kin *k = req->ctx;
    struct gy_kin_v v;
    struct gy_str name;
    struct gy_store_txn *txn;
    struct gy_kin_stream *st = gy_arena_alloc(req->arena, sizeof(*st));
    struct gy_kin_shard *sh;
    size_t n;
    bool has_limit;
    uint32_t after = 0;
    int64_t now = gy_now_ms();

    gy_kin__v_init(&v, req);
    int64_t limit = gy_kin__v_int(&v, req->body, "Limit", "limit", false, 1, 10000, &has_limit);
    struct gy_str start = gy_kin__v_str(&v, req->body, "ExclusiveStartShardId",
                                        "exclusiveStartShardId", false, 1, 128);
    if (gy_kin__stream_arg(req, &v, &name))
        return GY_EAWS;
    if (!has_limit)
        limit = 100;
    bool has_start = start.p && gy_kin__shard_id_parse(start, &after) == 0;
    if (gy_kin__read(req, &txn) || gy_kin__stream_lookup(req, txn, name, st))
        return GY_EAWS;
    int rc = gy_kin__shards(txn, req->arena, st->id, &sh, &n);
    if (rc)
        return gy_kin__internal(req, rc);

    struct gy_jw *w = &req->w;
    gy_jw_obj_begin(w);
    gy_jw_key(w, "StreamDescription");
    gy_jw_obj_begin(w);
    write_common(req, st, now);
    gy_jw_key(w, "Shards");
    gy_jw_arr_begin(w);
    int64_t written = 0;
    bool more = false;
    for (size_t i = 0; i < n; i++) {
        if ((start.p && (!has_start || sh[i].idx <= after)) ||
            gy_kin__shard_expired(k, st, &sh[i], now))
            continue;
        if (written == limit) {
            more = true;
            break;
        }
        gy_kin__write_shard(w, st, &sh[i]);
        written++;
    }
    gy_jw_arr_end(w);
    gy_jw_key(w, "HasMoreShards");
    gy_jw_bool(w, more);
    gy_jw_obj_end(w);
    gy_jw_obj_end(w);
    return 0;
}

int gy_kin__describe_stream_summary(struct gy_aws_req *req)
{
    struct gy_kin_v v;
    struct gy_str name;
    struct gy_store_txn *txn;
    struct gy_kin_stream *st = gy_arena_alloc(req->arena, sizeof(*st));
    int64_t now = gy_now_ms();

    gy_kin__v_init(&v, req);
    if (gy_kin__stream_arg(req, &v, &name))
        return GY_EAWS;
    if (gy_kin__read(req, &txn) || gy_kin__stream_lookup(req, txn, name, st))
        return GY_EAWS;
    struct gy_jw *w = &req->w;
    gy_jw_obj_begin(w);
    gy_jw_key(w, "StreamDescriptionSummary");
    gy_jw_obj_begin(w);
    write_common(req, st, now);
    gy_jw_key(w, "OpenShardCount");
    gy_jw_uint(w, st->open_shards);
    struct gy_kin_consumer *c;
    size_t nc;
    bool more;
    int rc = gy_kin__consumers(txn, req->arena, st->id, GY_STR_NULL, GY_KIN_CONSUMERS_MAX + 1, &c,
                               &nc, &more);
    if (rc)
        return gy_kin__internal(req, rc);
    gy_jw_key(w, "ConsumerCount");
    gy_jw_uint(w, nc);
    gy_jw_obj_end(w);
    gy_jw_obj_end(w);
    return 0;
}

/* ---- ListStreams ---- */

/* Pagination tokens: u8 kind | i64 issued ms | u32 n, bytes (a stream name or a shard state). */
char *gy_kin__token_make(struct gy_aws_req *req, char kind, const void *p, size_t n)
{
    struct gy_kin *k = req->ctx;
    unsigned char raw[1 + 8 + 4 + 256];
    if (n > 256)
        return NULL;
    raw[0] = (unsigned char)kind;
    gy_put_be64(raw + 1, (uint64_t)gy_now_ms());
    gy_put_be32(raw + 9, (uint32_t)n);
    if (n)
        memcpy(raw + 13, p, n);
    size_t cap = gy_token_len(13 + n) + 1;
    char *out = gy_arena_alloc(req->arena, cap);
    return gy_token_seal(k->key, raw, 13 + n, out, cap) < 0 ? NULL : out;
}

int gy_kin__token_read(struct gy_aws_req *req, char kind, struct gy_str text, void *out,
                       size_t cap, size_t *n)
{
    struct gy_kin *k = req->ctx;
    unsigned char raw[1 + 8 + 4 + 256];
    size_t len;
    if (gy_token_open(k->key, text, raw, sizeof(raw), &len) || len < 13 || raw[0] != kind ||
        gy_get_be32(raw + 9) != len - 13 || len - 13 > cap)
        return gy_kin__error(req, "InvalidArgumentException", "NextToken is invalid: %.*s",
                             (int)text.len, text.p);
    int64_t issued = (int64_t)gy_get_be64(raw + 1);
    if (gy_now_ms() - issued > TOKEN_TTL_MS)
        return gy_kin__error(req, "ExpiredNextTokenException",
                             "The timestamp of the NextToken is more than 300 seconds old.");
    memcpy(out, raw + 13, len - 13);
    *n = len - 13;
    return 0;
}

int gy_kin__list_streams(struct gy_aws_req *req)
{
    struct gy_kin_v v;
    struct gy_store_txn *txn;
    struct gy_kin_stream *all;
    size_t n;
    bool more, has_limit;
    char after[GY_KIN_NAME_MAX + 1];
    size_t alen = 0;
    int64_t now = gy_now_ms();

    gy_kin__v_init(&v, req);
    int64_t limit = gy_kin__v_int(&v, req->body, "Limit", "limit", false, 1, 10000, &has_limit);
    struct gy_str start = gy_kin__v_str(&v, req->body, "ExclusiveStartStreamName",
                                        "exclusiveStartStreamName", false, 1, GY_KIN_NAME_MAX);
    struct gy_str tok = gy_kin__v_str(&v, req->body, "NextToken", "nextToken", false, 1, 1048576);
    gy_kin__v_name(&v, start, "exclusiveStartStreamName");
    if (gy_kin__v_done(&v))
        return GY_EAWS;
    if (!has_limit || limit > LIST_STREAMS_MAX)
        limit = LIST_STREAMS_MAX;
    if (tok.p && gy_kin__token_read(req, 'L', tok, after, GY_KIN_NAME_MAX, &alen))
        return GY_EAWS;
    if (!tok.p && start.p) {
        memcpy(after, start.p, start.len);
        alen = start.len;
    }
    if (gy_kin__read(req, &txn))
        return GY_EAWS;
    int rc = gy_kin__streams(txn, req->arena, (struct gy_str){after, alen}, (size_t)limit, false,
                             &all, &n, &more);
    if (rc)
        return gy_kin__internal(req, rc);
    struct gy_jw *w = &req->w;
    gy_jw_obj_begin(w);
    gy_jw_key(w, "StreamNames");
    gy_jw_arr_begin(w);
    for (size_t i = 0; i < n; i++)
        gy_jw_cstr(w, all[i].name);
    gy_jw_arr_end(w);
    gy_jw_key(w, "HasMoreStreams");
    gy_jw_bool(w, more);
    if (more && n) {
        char *next = gy_kin__token_make(req, 'L', all[n - 1].name, strlen(all[n - 1].name));
        if (next) {
            gy_jw_key(w, "NextToken");
            gy_jw_cstr(w, next);
        }
    }
    gy_jw_key(w, "StreamSummaries");
    gy_jw_arr_begin(w);
    for (size_t i = 0; i < n; i++) {
        gy_jw_obj_begin(w);
        gy_jw_key(w, "StreamName");
        gy_jw_cstr(w, all[i].name);
        gy_jw_key(w, "StreamARN");
        gy_jw_cstr(w, gy_kin__arn(req, all[i].name));
        gy_jw_key(w, "StreamStatus");
        gy_jw_cstr(w, gy_kin__status_name(gy_kin__status(&all[i], now)));
        gy_kin__write_mode(w, &all[i]);
        gy_jw_key(w, "StreamCreationTimestamp");
        gy_jw_double(w, (double)all[i].created_ms / 1000.0);
        gy_jw_obj_end(w);
    }
    gy_jw_arr_end(w);
    gy_jw_obj_end(w);
    return 0;
}

/* ---- DescribeLimits ---- */

int gy_kin__describe_limits(struct gy_aws_req *req)
{
    struct gy_kin *k = req->ctx;
    struct gy_store_txn *txn;
    uint32_t used, on_demand;
    if (gy_kin__read(req, &txn))
        return GY_EAWS;
    int rc = gy_kin__account_usage(txn, req->arena, &used, &on_demand);
    if (rc)
        return gy_kin__internal(req, rc);
    struct gy_jw *w = &req->w;
    gy_jw_obj_begin(w);
    gy_jw_key(w, "ShardLimit");
    gy_jw_uint(w, k->shard_limit);
    gy_jw_key(w, "OpenShardCount");
    gy_jw_uint(w, used);
    gy_jw_key(w, "OnDemandStreamCount");
    gy_jw_uint(w, on_demand);
    gy_jw_key(w, "OnDemandStreamCountLimit");
    gy_jw_uint(w, GY_KIN_ON_DEMAND_LIMIT);
    gy_jw_obj_end(w);
    return 0;
}

/* ---- start-up: finish deletions a restart interrupted ---- */

int gy_kin__resume_purges(struct gy_kin *k)
{
    struct gy_store_txn *txn;
    struct gy_arena *a = gy_arena_create(4096);
    struct gy_kin_stream *all;
    size_t n;
    bool more;
    int rc = gy_store_read_begin(k->store, &txn);
    if (rc == 0) {
        rc = gy_kin__streams(txn, a, GY_STR_NULL, SIZE_MAX / 2, true, &all, &n, &more);
        gy_store_read_end(txn);
    }
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (all[i].status == GY_KIN_DELETING)
            gy_kin__purge_start(k, all[i].id, all[i].name);
    gy_arena_destroy(a);
    return rc;
}

/*
 * ops_shard.c — shards: ListShards (filters, pagination) and resharding (SplitShard,
 * MergeShards, UpdateShardCount). Resharding happens in one write transaction: parents close
 * (EndingSequenceNumber fixed, no more writes, still readable until retention passes) and
 * children open with ParentShardId/AdjacentParentShardId, so the open shards always partition
 * the hash-key space. The stream reads as UPDATING for the transition time, as on AWS.
 * See docs/kinesis.md, "Resharding".
 */
#include "kinesis/kinesis_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/bytes.h"
#include "core/clock.h"
#include "core/json.h"

/* ---- ListShards ---- */

enum filter {
    F_NONE = 0,
    F_AFTER_SHARD_ID,
    F_AT_TRIM_HORIZON,
    F_FROM_TRIM_HORIZON,
    F_AT_LATEST,
    F_AT_TIMESTAMP,
    F_FROM_TIMESTAMP,
};

static const char *const filter_names[] = {
    "", "AFTER_SHARD_ID", "AT_TRIM_HORIZON", "FROM_TRIM_HORIZON", "AT_LATEST", "AT_TIMESTAMP",
    "FROM_TIMESTAMP",
};

/* What a ListShards page continues from (sealed into NextToken). */
struct list_state {
    uint32_t next_idx;      /* first shard index not yet considered */
    uint8_t filter;         /* enum filter */
    uint32_t filter_shard;  /* AFTER_SHARD_ID */
    int64_t filter_ms;      /* AT_/FROM_TIMESTAMP */
    char name[GY_KIN_NAME_MAX + 1];
};

static bool retained(const struct gy_kin *k, const struct gy_kin_stream *st,
                     const struct gy_kin_shard *all, size_t n, int64_t idx, int64_t now)
{
    for (size_t i = 0; idx >= 0 && i < n; i++)
        if (all[i].idx == (uint32_t)idx)
            return !gy_kin__shard_expired(k, st, &all[i], now);
    return false;
}

/* Whether shard sh passes the filter (AWS's ShardFilter semantics). */
static bool filter_keep(const struct gy_kin *k, const struct gy_kin_stream *st,
                        const struct gy_kin_shard *all, size_t n, const struct gy_kin_shard *sh,
                        const struct list_state *ls, int64_t now)
{
    if (gy_kin__shard_expired(k, st, sh, now))
        return false;
    switch (ls->filter) {
    case F_AFTER_SHARD_ID: return sh->idx > ls->filter_shard;
    case F_AT_LATEST: return !sh->closed;
    case F_AT_TRIM_HORIZON:
        /* The oldest retained shards: none of their parents is still readable. */
        return !retained(k, st, all, n, sh->parent, now) &&
               !retained(k, st, all, n, sh->adjacent, now);
    case F_AT_TIMESTAMP:
        /* Open at the time (shards created later are not; before the stream: its first). */
        if (sh->closed && sh->closed_ms <= ls->filter_ms)
            return false;
        return sh->created_ms <= ls->filter_ms || (ls->filter_ms < st->created_ms &&
                                                   sh->parent < 0 && sh->adjacent < 0);
    case F_FROM_TIMESTAMP: return !(sh->closed && sh->closed_ms <= ls->filter_ms);
    default: return true;
    }
}

static int parse_filter(struct gy_aws_req *req, struct gy_kin_v *v, struct list_state *ls)
{
    const struct gy_json *f = gy_json_get(req->body, "ShardFilter");
    bool has_ts;
    if (!f || gy_json_is(f, GY_JSON_NULL))
        return 0;
    if (!gy_json_is(f, GY_JSON_OBJECT))
        return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION,
                            "Unexpected value type in payload: ShardFilter");
    struct gy_str type = gy_kin__v_str(v, f, "Type", "shardFilter.type", true, 0, SIZE_MAX);
    struct gy_str sid = gy_kin__v_str(v, f, "ShardId", "shardFilter.shardId", false, 1, 128);
    int64_t ts = gy_kin__v_time(v, f, "Timestamp", "shardFilter.timestamp", &has_ts);
    if (!type.p)
        return 0;
    for (size_t i = 1; i < sizeof(filter_names) / sizeof(filter_names[0]); i++)
        if (gy_str_eqc(type, filter_names[i]))
            ls->filter = (uint8_t)i;
    if (!ls->filter) {
        gy_kin__v_add(v, "Value '%s' at 'shardFilter.type' failed to satisfy constraint: Member "
                         "must satisfy enum value set: [AT_TRIM_HORIZON, AT_TIMESTAMP, "
                         "FROM_TIMESTAMP, FROM_TRIM_HORIZON, AT_LATEST, AFTER_SHARD_ID]", type.p);
        return 0;
    }
    if (gy_kin__v_done(v))
        return GY_EAWS;
    if (ls->filter == F_AFTER_SHARD_ID && (!sid.p || gy_kin__shard_id_parse(sid, &ls->filter_shard)))
        return gy_kin__error(req, "InvalidArgumentException",
                             "ShardFilter of type AFTER_SHARD_ID requires a valid ShardId.");
    if (ls->filter != F_AFTER_SHARD_ID && sid.p)
        return gy_kin__error(req, "InvalidArgumentException",
                             "ShardId may only be given with a ShardFilter of type "
                             "AFTER_SHARD_ID.");
    bool by_time = ls->filter == F_AT_TIMESTAMP || ls->filter == F_FROM_TIMESTAMP;
    if (by_time && !has_ts)
        return gy_kin__error(req, "InvalidArgumentException",
                             "ShardFilter of type %s requires a Timestamp.", type.p);
    if (!by_time && has_ts)
        return gy_kin__error(req, "InvalidArgumentException",
                             "Timestamp may only be given with a ShardFilter of type "
                             "AT_TIMESTAMP or FROM_TIMESTAMP.");
    ls->filter_ms = ts;
    return 0;
}

static int decode_list_token(struct gy_aws_req *req, struct gy_str tok, struct list_state *ls)
{
    unsigned char raw[4 + 1 + 4 + 8 + GY_KIN_NAME_MAX];
    size_t n;
    if (gy_kin__token_read(req, 'S', tok, raw, sizeof(raw), &n))
        return GY_EAWS;
    if (n < 18 || n - 17 > GY_KIN_NAME_MAX)
        return gy_kin__error(req, "InvalidArgumentException", "NextToken is invalid: %s", tok.p);
    ls->next_idx = gy_get_be32(raw);
    ls->filter = raw[4];
    ls->filter_shard = gy_get_be32(raw + 5);
    ls->filter_ms = (int64_t)gy_get_be64(raw + 9);
    memcpy(ls->name, raw + 17, n - 17);
    ls->name[n - 17] = '\0';
    return 0;
}

static char *encode_list_token(struct gy_aws_req *req, const struct list_state *ls)
{
    unsigned char raw[4 + 1 + 4 + 8 + GY_KIN_NAME_MAX];
    size_t nl = strlen(ls->name);
    gy_put_be32(raw, ls->next_idx);
    raw[4] = ls->filter;
    gy_put_be32(raw + 5, ls->filter_shard);
    gy_put_be64(raw + 9, (uint64_t)ls->filter_ms);
    memcpy(raw + 17, ls->name, nl);
    return gy_kin__token_make(req, 'S', raw, 17 + nl);
}

int gy_kin__list_shards(struct gy_aws_req *req)
{
    struct gy_kin *k = req->ctx;
    struct gy_kin_v v;
    struct gy_store_txn *txn;
    struct gy_kin_stream *st = gy_arena_alloc(req->arena, sizeof(*st));
    struct gy_kin_shard *all;
    struct list_state *ls = gy_arena_zalloc(req->arena, sizeof(*ls));
    size_t n;
    bool has_max, has_created;
    int64_t now = gy_now_ms();

    gy_kin__v_init(&v, req);
    struct gy_str tok = gy_kin__v_str(&v, req->body, "NextToken", "nextToken", false, 1, 1048576);
    struct gy_str start = gy_kin__v_str(&v, req->body, "ExclusiveStartShardId",
                                        "exclusiveStartShardId", false, 1, 128);
    int64_t max = gy_kin__v_int(&v, req->body, "MaxResults", "maxResults", false, 1, 10000,
                                &has_max);
    int64_t created = gy_kin__v_time(&v, req->body, "StreamCreationTimestamp",
                                     "streamCreationTimestamp", &has_created);
    if (parse_filter(req, &v, ls))
        return GY_EAWS;
    if (!has_max)
        max = 1000;
    if (tok.p) {
        if (gy_kin__v_done(&v))
            return GY_EAWS;
        static const char *const excl[] = {"StreamName", "StreamARN", "ExclusiveStartShardId",
                                           "ShardFilter", "StreamCreationTimestamp"};
        for (size_t i = 0; i < sizeof(excl) / sizeof(excl[0]); i++)
            if (gy_json_get(req->body, excl[i]))
                return gy_kin__error(req, "InvalidArgumentException",
                                     "NextToken and %s cannot be provided together.", excl[i]);
        if (decode_list_token(req, tok, ls))
            return GY_EAWS;
    } else {
        struct gy_str name;
        uint32_t after;
        if (gy_kin__stream_arg(req, &v, &name))
            return GY_EAWS;
        snprintf(ls->name, sizeof(ls->name), "%s", name.p);
        if (start.p && ls->filter)
            return gy_kin__error(req, "InvalidArgumentException",
                                 "ExclusiveStartShardId and ShardFilter cannot be provided "
                                 "together.");
        if (start.p)
            ls->next_idx = gy_kin__shard_id_parse(start, &after) == 0 ? after + 1 : UINT32_MAX;
    }
    if (gy_kin__read(req, &txn) || gy_kin__stream_lookup(req, txn, gy_str_c(ls->name), st))
        return GY_EAWS;
    if (has_created && created != st->created_ms && created / 1000 != st->created_ms / 1000)
        return gy_kin__not_found(req, gy_str_c(ls->name));
    int rc = gy_kin__shards(txn, req->arena, st->id, &all, &n);
    if (rc)
        return gy_kin__internal(req, rc);

    struct gy_jw *w = &req->w;
    int64_t written = 0;
    bool more = false;
    gy_jw_obj_begin(w);
    gy_jw_key(w, "Shards");
    gy_jw_arr_begin(w);
    for (size_t i = 0; i < n; i++) {
        if (all[i].idx < ls->next_idx || !filter_keep(k, st, all, n, &all[i], ls, now))
            continue;
        if (written == max) {
            more = true;
            break;
        }
        gy_kin__write_shard(w, st, &all[i]);
        written++;
        ls->next_idx = all[i].idx + 1;
    }
    gy_jw_arr_end(w);
    if (more) {
        char *next = encode_list_token(req, ls);
        if (next) {
            gy_jw_key(w, "NextToken");
            gy_jw_cstr(w, next);
        }
    }
    gy_jw_obj_end(w);
    return 0;
}

/* ---- resharding ---- */

struct reshard {
    struct gy_str name;
    int kind;                      /* SPLIT, MERGE, SCALE */
    struct gy_str shard_a, shard_b; /* shard ids as given */
    unsigned __int128 key;          /* SplitShard's NewStartingHashKey */
    uint32_t target;                /* UpdateShardCount */
    uint32_t before;                /* out: open shards before */
};

enum { SPLIT, MERGE, SCALE };

static int find_open(struct gy_aws_req *req, struct gy_store_txn *txn,
                     const struct gy_kin_stream *st, struct gy_str id, struct gy_kin_shard *sh)
{
    uint32_t idx;
    int rc = gy_kin__shard_id_parse(id, &idx) ? GY_ENOTFOUND
                                                : gy_kin__shard_get(txn, st->id, idx, sh);
    if (rc == GY_ENOTFOUND)
        return gy_kin__error(req, "ResourceNotFoundException",
                             "Could not find shard %.*s in stream %s under account %s.",
                             (int)id.len, id.p, st->name, req->account);
    if (rc)
        return rc;
    if (sh->closed) {
        char canon[24];
        gy_kin__shard_id(sh->idx, canon);
        return gy_kin__error(req, "ResourceInUseException",
                             "Shard %s in stream %s under account %s has already been merged or "
                             "split, and thus is not eligible for merging or splitting.",
                             canon, st->name, req->account);
    }
    return 0;
}

static struct gy_kin_shard child(uint32_t idx, int64_t parent, int64_t adjacent,
                                 unsigned __int128 start, unsigned __int128 end, int64_t now)
{
    return (struct gy_kin_shard){.idx = idx, .parent = parent, .adjacent = adjacent,
                                 .start = start, .end = end, .created_ms = now, .next_pos = 1};
}

static int close_shard(struct gy_store_txn *txn, const struct gy_kin_stream *st,
                       struct gy_kin_shard *sh, int64_t now)
{
    sh->closed = true;
    sh->closed_ms = now;
    return gy_kin__shard_put(txn, st->id, sh);
}

static int split_apply(struct gy_store_txn *txn, struct gy_aws_req *req, struct reshard *r,
                       struct gy_kin_stream *st, int64_t now)
{
    struct gy_kin *k = req->ctx;
    struct gy_kin_shard p;
    uint32_t used, on_demand;
    int rc = find_open(req, txn, st, r->shard_a, &p);
    if (rc)
        return rc;
    if (!(r->key > p.start + 1 && r->key < p.end)) {
        char ks[40], s[40], e[40], canon[24];
        gy_kin__hash_format(r->key, ks);
        gy_kin__hash_format(p.start, s);
        gy_kin__hash_format(p.end, e);
        gy_kin__shard_id(p.idx, canon);
        return gy_kin__error(req, "InvalidArgumentException",
                             "NewStartingHashKey %s used in SplitShard() on shard %s in stream %s "
                             "under account %s is not both greater than one plus the shard's "
                             "StartingHashKey %s and less than the shard's EndingHashKey %s.",
                             ks, canon, st->name, req->account, s, e);
    }
    if ((rc = gy_kin__account_usage(txn, req->arena, &used, &on_demand)))
        return rc;
    if (used + 1 > k->shard_limit)
        return gy_kin__shard_limit_error(req, used, 1);
    struct gy_kin_shard a = child(st->next_shard, p.idx, -1, p.start, r->key - 1, now);
    struct gy_kin_shard b = child(st->next_shard + 1, p.idx, -1, r->key, p.end, now);
    if ((rc = close_shard(txn, st, &p, now)) || (rc = gy_kin__shard_put(txn, st->id, &a)) ||
        (rc = gy_kin__shard_put(txn, st->id, &b)))
        return rc;
    st->next_shard += 2;
    st->open_shards += 1;
    return 0;
}

static int merge_apply(struct gy_store_txn *txn, struct gy_aws_req *req, struct reshard *r,
                       struct gy_kin_stream *st, int64_t now)
{
    struct gy_kin_shard a, b;
    int rc = find_open(req, txn, st, r->shard_a, &a);
    if (rc || (rc = find_open(req, txn, st, r->shard_b, &b)))
        return rc;
    unsigned __int128 top = ~(unsigned __int128)0;
    bool a_first = a.end != top && a.end + 1 == b.start;
    bool b_first = b.end != top && b.end + 1 == a.start;
    if (a.idx == b.idx || (!a_first && !b_first)) {
        char ia[24], ib[24];
        gy_kin__shard_id(a.idx, ia);
        gy_kin__shard_id(b.idx, ib);
        return gy_kin__error(req, "InvalidArgumentException",
                             "Shards %s and %s in stream %s under account %s are not an adjacent "
                             "pair of shards eligible for merging",
                             ia, ib, st->name, req->account);
    }
    struct gy_kin_shard c = child(st->next_shard, a.idx, b.idx, a_first ? a.start : b.start,
                                  a_first ? b.end : a.end, now);
    if ((rc = close_shard(txn, st, &a, now)) || (rc = close_shard(txn, st, &b, now)) ||
        (rc = gy_kin__shard_put(txn, st->id, &c)))
        return rc;
    st->next_shard += 1;
    st->open_shards -= 1;
    return 0;
}

static int by_start(const void *a, const void *b)
{
    const struct gy_kin_shard *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

/*
 * Uniform scaling: every open shard closes and `target` children split the key space evenly.
 * A child's parents are the old open shards its range overlaps. Lineage names at most two
 * parents per shard, so a child overlapping k > 2 old shards gets k - 2 short-lived merge
 * shards in between (closed and empty at once, as AWS's intermediate shards): the first merges
 * the first two old shards, each next one merges the previous with the next old shard, and the
 * child's parents are the last merge shard and the last old shard. A consumer that finishes
 * parents before children therefore drains every overlapping old shard first.
 */
static int scale_apply(struct gy_store_txn *txn, struct gy_aws_req *req, struct reshard *r,
                       struct gy_kin_stream *st, int64_t now)
{
    struct gy_kin *k = req->ctx;
    struct gy_kin_shard *all;
    size_t n, no = 0;
    uint32_t used, on_demand;
    uint32_t open = st->open_shards;
    r->before = open;
    if ((uint64_t)r->target > 2ull * open)
        return gy_kin__error(req, "LimitExceededException",
                             "UpdateShardCount cannot scale up over double your current open "
                             "shard count. Current open shard count: %u, Target shard count: %u",
                             open, r->target);
    if (2ull * r->target < open)
        return gy_kin__error(req, "LimitExceededException",
                             "UpdateShardCount cannot scale down below half your current open "
                             "shard count. Current open shard count: %u, Target shard count: %u",
                             open, r->target);
    int rc = gy_kin__account_usage(txn, req->arena, &used, &on_demand);
    if (rc)
        return rc;
    if (r->target > open && used + (r->target - open) > k->shard_limit)
        return gy_kin__shard_limit_error(req, used, r->target - open);
    if (r->target == open)
        return 0;
    if ((rc = gy_kin__shards(txn, req->arena, st->id, &all, &n)))
        return rc;
    struct gy_kin_shard *old = gy_arena_calloc(req->arena, n ? n : 1, sizeof(*old));
    for (size_t i = 0; i < n; i++)
        if (!all[i].closed)
            old[no++] = all[i];
    if (no == 0)
        return GY_EIO;
    qsort(old, no, sizeof(*old), by_start);
    for (size_t i = 0; i < no; i++)
        if ((rc = close_shard(txn, st, &old[i], now)))
            return rc;

    uint32_t next = st->next_shard;
    size_t lo = 0;
    for (uint32_t i = 0; i < r->target; i++) {
        unsigned __int128 s, e;
        gy_kin__hash_split(r->target, i, &s, &e);
        while (lo + 1 < no && old[lo].end < s)
            lo++;
        size_t hi = lo;
        while (hi + 1 < no && old[hi + 1].start <= e)
            hi++;
        int64_t parent = old[lo].idx, adjacent = hi > lo ? (int64_t)old[lo + 1].idx : -1;
        for (size_t m = lo + 1; m < hi; m++) {
            struct gy_kin_shard mid = child(next++, parent, old[m].idx, old[lo].start, old[m].end,
                                            now);
            mid.closed = true;
            mid.closed_ms = now;
            if ((rc = gy_kin__shard_put(txn, st->id, &mid)))
                return rc;
            parent = mid.idx;
            adjacent = old[hi].idx;
        }
        struct gy_kin_shard c = child(next++, parent, adjacent, s, e, now);
        if ((rc = gy_kin__shard_put(txn, st->id, &c)))
            return rc;
    }
    st->next_shard = next;
    st->open_shards = r->target;
    return 0;
}

static int reshard_apply(struct gy_store_txn *txn, struct gy_kin_job *j)
{
    struct gy_aws_req *req = j->req;
    struct gy_kin *k = req->ctx;
    struct reshard *r = j->data;
    struct gy_kin_stream *st = gy_arena_alloc(req->arena, sizeof(*st));
    int64_t now = gy_now_ms();
    int rc = gy_kin__stream_for_change(req, txn, r->name, st, true);
    if (rc)
        return rc;
    if (st->mode == GY_KIN_ON_DEMAND)
        return gy_kin__error(req, "ValidationException",
                             "%s is not supported for streams in ON_DEMAND mode.",
                             r->kind == SPLIT ? "SplitShard" : r->kind == MERGE ? "MergeShards"
                                                                                 : "UpdateShardCount");
    rc = r->kind == SPLIT   ? split_apply(txn, req, r, st, now)
         : r->kind == MERGE ? merge_apply(txn, req, r, st, now)
                            : scale_apply(txn, req, r, st, now);
    if (rc)
        return rc;
    st->status = GY_KIN_UPDATING;
    st->settle_ms = now + k->transition_ms;
    if ((rc = gy_kin__stream_put(txn, st)))
        return rc;
    if (r->kind == SCALE) {
        struct gy_jw *w = &req->w;
        gy_jw_obj_begin(w);
        gy_jw_key(w, "StreamName");
        gy_jw_cstr(w, st->name);
        gy_jw_key(w, "StreamARN");
        gy_jw_cstr(w, gy_kin__arn(req, st->name));
        gy_jw_key(w, "CurrentShardCount");
        gy_jw_uint(w, r->before);
        gy_jw_key(w, "TargetShardCount");
        gy_jw_uint(w, r->target);
        gy_jw_obj_end(w);
    }
    return 0;
}

static int submit_reshard(struct gy_aws_req *req, struct reshard *r)
{
    struct gy_kin_job *j = gy_arena_zalloc(req->arena, sizeof(*j));
    j->apply = reshard_apply;
    j->data = r;
    return gy_kin__submit(req, j);
}

static struct gy_str shard_arg(struct gy_kin_v *v, const char *member, const char *path)
{
    struct gy_str s = gy_kin__v_str(v, v->req->body, member, path, true, 1, 128);
    gy_kin__v_name(v, s, path);
    return s;
}

int gy_kin__split_shard(struct gy_aws_req *req)
{
    struct gy_kin_v v;
    struct reshard *r = gy_arena_zalloc(req->arena, sizeof(*r));
    gy_kin__v_init(&v, req);
    r->kind = SPLIT;
    r->shard_a = shard_arg(&v, "ShardToSplit", "shardToSplit");
    struct gy_str key = gy_kin__v_str(&v, req->body, "NewStartingHashKey", "newStartingHashKey",
                                      true, 0, SIZE_MAX);
    if (key.p && (!gy_kin__seq_valid(key) || key.len > 39))
        gy_kin__v_add(&v, "Value '%s' at 'newStartingHashKey' failed to satisfy constraint: "
                          "Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})",
                      key.p);
    if (gy_kin__stream_arg(req, &v, &r->name))
        return GY_EAWS;
    if (gy_kin__hash_parse(key, &r->key))
        return gy_kin__error(req, "InvalidArgumentException",
                             "NewStartingHashKey %s is invalid: it must be in the range [0, "
                             "2^128-1].", key.p);
    return submit_reshard(req, r);
}

int gy_kin__merge_shards(struct gy_aws_req *req)
{
    struct gy_kin_v v;
    struct reshard *r = gy_arena_zalloc(req->arena, sizeof(*r));
    gy_kin__v_init(&v, req);
    r->kind = MERGE;
    r->shard_a = shard_arg(&v, "ShardToMerge", "shardToMerge");
    r->shard_b = shard_arg(&v, "AdjacentShardToMerge", "adjacentShardToMerge");
    if (gy_kin__stream_arg(req, &v, &r->name))
        return GY_EAWS;
    return submit_reshard(req, r);
}

int gy_kin__update_shard_count(struct gy_aws_req *req)
{
    struct gy_kin_v v;
    struct reshard *r = gy_arena_zalloc(req->arena, sizeof(*r));
    bool present;
    gy_kin__v_init(&v, req);
    r->kind = SCALE;
    r->target = (uint32_t)gy_kin__v_int(&v, req->body, "TargetShardCount", "targetShardCount",
                                        true, 1, 100000, &present);
    struct gy_str type = gy_kin__v_str(&v, req->body, "ScalingType", "scalingType", true, 0,
                                       SIZE_MAX);
    if (type.p && !gy_str_eqc(type, "UNIFORM_SCALING"))
        gy_kin__v_add(&v, "Value '%s' at 'scalingType' failed to satisfy constraint: Member must "
                          "satisfy enum value set: [UNIFORM_SCALING]", type.p);
    if (gy_kin__stream_arg(req, &v, &r->name))
        return GY_EAWS;
    return submit_reshard(req, r);
}

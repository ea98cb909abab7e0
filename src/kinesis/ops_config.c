/*
 * ops_config.c — stream settings: Increase/DecreaseStreamRetentionPeriod, tags
 * (AddTagsToStream, RemoveTagsFromStream, ListTagsForStream), Enable/DisableEnhancedMonitoring,
 * Start/StopStreamEncryption and UpdateStreamMode. Each change is one write job that reads the
 * stream inside the writer's transaction, checks its state there and stores it back.
 * See docs/kinesis.md, "Settings".
 */
#include "kinesis/kinesis_int.h"

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/clock.h"
#include "core/json.h"

/* What a settings job changes. */
struct change {
    struct gy_str name;            /* stream */
    int kind;                      /* which operation (enum below) */
    int64_t hours;                 /* retention */
    uint32_t bits;                 /* monitoring */
    struct gy_str key_id;          /* encryption */
    enum gy_kin_mode mode;         /* UpdateStreamMode */
    size_t ntags;                  /* tags to add or remove */
    uint32_t stream_id;            /* out: the stream's id */
    struct gy_str *keys, *vals;
};

enum { INCREASE, DECREASE, ADD_TAGS, REMOVE_TAGS, ENABLE_MON, DISABLE_MON, START_ENC, STOP_ENC,
       SET_MODE };

int gy_kin__stream_for_change(struct gy_aws_req *req, struct gy_store_txn *txn, struct gy_str name,
                              struct gy_kin_stream *st, bool need_active)
{
    int64_t now = gy_now_ms();
    int rc = gy_kin__stream_get(txn, name, st);
    if (rc == GY_ENOTFOUND || (rc == 0 && st->status == GY_KIN_DELETING))
        return gy_kin__not_found(req, name);
    if (rc)
        return rc;
    if (need_active && gy_kin__status(st, now) != GY_KIN_ACTIVE)
        return gy_kin__not_active(req, st, now);
    return 0;
}

static int retention_apply(struct gy_aws_req *req, struct change *c, struct gy_kin_stream *st)
{
    int64_t h = c->hours;
    if (h < GY_KIN_RETENTION_MIN)
        return gy_kin__error(req, "InvalidArgumentException",
                             "Minimum allowed retention period is %d hours. Requested retention "
                             "period (%lld hours) is too short.",
                             GY_KIN_RETENTION_MIN, (long long)h);
    if (h > GY_KIN_RETENTION_MAX)
        return gy_kin__error(req, "InvalidArgumentException",
                             "Maximum allowed retention period is %d hours. Requested retention "
                             "period (%lld hours) is too long.",
                             GY_KIN_RETENTION_MAX, (long long)h);
    if (c->kind == INCREASE && h < st->retention_h)
        return gy_kin__error(req, "InvalidArgumentException",
                             "Requested retention period (%lld hours) for stream %s can not be "
                             "shorter than existing retention period (%u hours). Use "
                             "DecreaseRetentionPeriod API.",
                             (long long)h, st->name, st->retention_h);
    if (c->kind == DECREASE && h > st->retention_h)
        return gy_kin__error(req, "InvalidArgumentException",
                             "Requested retention period (%lld hours) for stream %s can not be "
                             "longer than existing retention period (%u hours). Use "
                             "IncreaseRetentionPeriod API.",
                             (long long)h, st->name, st->retention_h);
    st->retention_h = (uint32_t)h;
    return 0;
}

static int tags_apply(struct gy_store_txn *txn, struct gy_aws_req *req, struct change *c,
                      const struct gy_kin_stream *st)
{
    int rc = 0;
    if (c->kind == REMOVE_TAGS) {
        for (size_t i = 0; i < c->ntags && (rc == 0 || rc == GY_ENOTFOUND); i++)
            rc = gy_kin__tag_del(txn, st->id, c->keys[i]);
        return rc == GY_ENOTFOUND ? 0 : rc;
    }
    for (size_t i = 0; i < c->ntags && rc == 0; i++)
        rc = gy_kin__tag_put(txn, st->id, c->keys[i], c->vals[i]);
    if (rc == 0 && gy_kin__tag_count(txn, st->id) > GY_KIN_TAGS_MAX)
        return gy_kin__error(req, "LimitExceededException",
                             "Failed to add tags to stream %s under account %s because a given "
                             "stream cannot have more than %d tags.",
                             st->name, req->account, GY_KIN_TAGS_MAX);
    return rc;
}

static void write_monitoring(struct gy_aws_req *req, const struct gy_kin_stream *st,
                             uint32_t before)
{
    struct gy_jw *w = &req->w;
    gy_jw_obj_begin(w);
    gy_jw_key(w, "StreamName");
    gy_jw_cstr(w, st->name);
    gy_jw_key(w, "StreamARN");
    gy_jw_cstr(w, gy_kin__arn(req, st->name));
    gy_jw_key(w, "CurrentShardLevelMetrics");
    gy_kin__write_metric_list(w, before);
    gy_jw_key(w, "DesiredShardLevelMetrics");
    gy_kin__write_metric_list(w, st->metrics);
    gy_jw_obj_end(w);
}

static int change_apply(struct gy_store_txn *txn, struct gy_kin_job *j)
{
    struct gy_aws_req *req = j->req;
    struct gy_kin *k = req->ctx;
    struct change *c = j->data;
    struct gy_kin_stream *st = gy_arena_alloc(req->arena, sizeof(*st));
    bool need_active = c->kind != ADD_TAGS && c->kind != REMOVE_TAGS;
    int64_t now = gy_now_ms();
    int rc = gy_kin__stream_for_change(req, txn, c->name, st, need_active);
    if (rc)
        return rc;
    uint32_t before = st->metrics;
    c->stream_id = st->id;
    switch (c->kind) {
    case INCREASE:
    case DECREASE: rc = retention_apply(req, c, st); break;
    case ADD_TAGS:
    case REMOVE_TAGS: return tags_apply(txn, req, c, st);
    case ENABLE_MON: st->metrics |= c->bits; break;
    case DISABLE_MON: st->metrics &= ~c->bits; break;
    case START_ENC:
    case STOP_ENC:
        st->enc = c->kind == START_ENC ? GY_KIN_ENC_KMS : GY_KIN_ENC_NONE;
        snprintf(st->key_id, sizeof(st->key_id), "%s", c->kind == START_ENC ? c->key_id.p : "");
        st->status = GY_KIN_UPDATING;
        st->settle_ms = now + k->transition_ms;
        break;
    case SET_MODE:
        st->mode = c->mode;
        st->mode_changed_ms = now;
        st->status = GY_KIN_UPDATING;
        st->settle_ms = now + k->transition_ms;
        break;
    }
    if (rc || (rc = gy_kin__stream_put(txn, st)))
        return rc;
    if (c->kind == ENABLE_MON || c->kind == DISABLE_MON)
        write_monitoring(req, st, before);
    return 0;
}

/* After a retention decrease: delete what it expired, in the background. */
static void change_after(struct gy_kin_job *j)
{
    struct change *c = j->data;
    if (c->kind == DECREASE && c->stream_id)
        gy_kin__trim_start(j->req->ctx, c->stream_id, c->name.p);
}

static int submit_change(struct gy_aws_req *req, struct change *c)
{
    struct gy_kin_job *j = gy_arena_zalloc(req->arena, sizeof(*j));
    j->apply = change_apply;
    j->after = change_after;
    j->data = c;
    return gy_kin__submit(req, j);
}

/* ---- retention ---- */

static int retention(struct gy_aws_req *req, int kind)
{
    struct gy_kin_v v;
    struct change *c = gy_arena_zalloc(req->arena, sizeof(*c));
    bool present;
    gy_kin__v_init(&v, req);
    c->kind = kind;
    c->hours = gy_kin__v_int(&v, req->body, "RetentionPeriodHours", "retentionPeriodHours", true,
                             INT32_MIN, INT32_MAX, &present);
    if (gy_kin__stream_arg(req, &v, &c->name))
        return GY_EAWS;
    return submit_change(req, c);
}

int gy_kin__increase_retention(struct gy_aws_req *req)
{
    return retention(req, INCREASE);
}

int gy_kin__decrease_retention(struct gy_aws_req *req)
{
    return retention(req, DECREASE);
}

/* ---- tags ---- */

int gy_kin__add_tags(struct gy_aws_req *req)
{
    struct gy_kin_v v;
    struct change *c = gy_arena_zalloc(req->arena, sizeof(*c));
    gy_kin__v_init(&v, req);
    c->kind = ADD_TAGS;
    if (gy_kin__tags_arg(req, &v, "Tags", true, &c->keys, &c->vals, &c->ntags) ||
        gy_kin__stream_arg(req, &v, &c->name))
        return GY_EAWS;
    return submit_change(req, c);
}

/* TagKeys: 1..50 strings. */
static int tag_keys_arg(struct gy_aws_req *req, struct gy_kin_v *v, struct change *c)
{
    const struct gy_json *keys = gy_json_get(req->body, "TagKeys");
    if (!keys || gy_json_is(keys, GY_JSON_NULL)) {
        gy_kin__v_add(v, "Value null at 'tagKeys' failed to satisfy constraint: Member must not "
                         "be null");
        return 0;
    }
    if (!gy_json_is(keys, GY_JSON_ARRAY))
        return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION,
                            "Unexpected value type in payload: TagKeys");
    size_t n = gy_json_count(keys);
    if (n < 1 || n > GY_KIN_TAGS_MAX)
        gy_kin__v_add(v, "Value '[...]' at 'tagKeys' failed to satisfy constraint: Member must "
                         "have length %s %d",
                      n < 1 ? "greater than or equal to" : "less than or equal to",
                      n < 1 ? 1 : GY_KIN_TAGS_MAX);
    c->keys = gy_arena_calloc(req->arena, n ? n : 1, sizeof(*c->keys));
    for (const struct gy_json *e = gy_json_child(keys); e && n <= GY_KIN_TAGS_MAX;
         e = gy_json_next(e)) {
        if (!gy_json_is(e, GY_JSON_STRING))
            return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION,
                                "Unexpected value type in payload: TagKeys");
        c->keys[c->ntags++] = gy_json_str(e);
    }
    return 0;
}

int gy_kin__remove_tags(struct gy_aws_req *req)
{
    struct gy_kin_v v;
    struct change *c = gy_arena_zalloc(req->arena, sizeof(*c));
    gy_kin__v_init(&v, req);
    c->kind = REMOVE_TAGS;
    if (tag_keys_arg(req, &v, c) || gy_kin__stream_arg(req, &v, &c->name))
        return GY_EAWS;
    return submit_change(req, c);
}

/* TagResource, UntagResource, ListTagsForResource: the same, for a stream named by ARN. */
int gy_kin__tag_resource(struct gy_aws_req *req)
{
    struct gy_kin_v v;
    struct change *c = gy_arena_zalloc(req->arena, sizeof(*c));
    gy_kin__v_init(&v, req);
    c->kind = ADD_TAGS;
    if (gy_kin__tags_arg(req, &v, "Tags", true, &c->keys, &c->vals, &c->ntags) ||
        gy_kin__resource_arg(req, &v, &c->name))
        return GY_EAWS;
    return submit_change(req, c);
}

int gy_kin__untag_resource(struct gy_aws_req *req)
{
    struct gy_kin_v v;
    struct change *c = gy_arena_zalloc(req->arena, sizeof(*c));
    gy_kin__v_init(&v, req);
    c->kind = REMOVE_TAGS;
    if (tag_keys_arg(req, &v, c) || gy_kin__resource_arg(req, &v, &c->name))
        return GY_EAWS;
    return submit_change(req, c);
}

static void write_tags(struct gy_jw *w, const struct gy_str *keys, const struct gy_str *vals,
                       size_t n)
{
    gy_jw_key(w, "Tags");
    gy_jw_arr_begin(w);
    for (size_t i = 0; i < n; i++) {
        gy_jw_obj_begin(w);
        gy_jw_key(w, "Key");
        gy_jw_str(w, keys[i]);
        gy_jw_key(w, "Value");
        gy_jw_str(w, vals[i]);
        gy_jw_obj_end(w);
    }
    gy_jw_arr_end(w);
}

int gy_kin__list_tags_for_resource(struct gy_aws_req *req)
{
    struct gy_kin_v v;
    struct gy_str name, *keys, *vals;
    struct gy_store_txn *txn;
    struct gy_kin_stream *st = gy_arena_alloc(req->arena, sizeof(*st));
    size_t n;
    bool more;
    gy_kin__v_init(&v, req);
    if (gy_kin__resource_arg(req, &v, &name) || gy_kin__read(req, &txn) ||
        gy_kin__stream_lookup(req, txn, name, st))
        return GY_EAWS;
    int rc = gy_kin__tags(txn, req->arena, st->id, GY_STR_NULL, GY_KIN_TAGS_MAX, &keys, &vals, &n,
                          &more);
    if (rc)
        return gy_kin__internal(req, rc);
    gy_jw_obj_begin(&req->w);
    write_tags(&req->w, keys, vals, n);
    gy_jw_obj_end(&req->w);
    return 0;
}

int gy_kin__list_tags(struct gy_aws_req *req)
{
    struct gy_kin_v v;
    struct gy_str name, *keys, *vals;
    struct gy_store_txn *txn;
    struct gy_kin_stream *st = gy_arena_alloc(req->arena, sizeof(*st));
    size_t n;
    bool more, has_limit;
    gy_kin__v_init(&v, req);
    struct gy_str after = gy_kin__v_str(&v, req->body, "ExclusiveStartTagKey",
                                        "exclusiveStartTagKey", false, 1, 128);
    int64_t limit = gy_kin__v_int(&v, req->body, "Limit", "limit", false, 1, 50, &has_limit);
    if (gy_kin__stream_arg(req, &v, &name))
        return GY_EAWS;
    if (gy_kin__read(req, &txn) || gy_kin__stream_lookup(req, txn, name, st))
        return GY_EAWS;
    int rc = gy_kin__tags(txn, req->arena, st->id, after, has_limit ? (size_t)limit : 50, &keys,
                          &vals, &n, &more);
    if (rc)
        return gy_kin__internal(req, rc);
    struct gy_jw *w = &req->w;
    gy_jw_obj_begin(w);
    write_tags(w, keys, vals, n);
    gy_jw_key(w, "HasMoreTags");
    gy_jw_bool(w, more);
    gy_jw_obj_end(w);
    return 0;
}

/* ---- enhanced monitoring ---- */

static int monitoring(struct gy_aws_req *req, int kind)
{
    struct gy_kin_v v;
    struct change *c = gy_arena_zalloc(req->arena, sizeof(*c));
    const struct gy_json *list = gy_json_get(req->body, "ShardLevelMetrics");
    gy_kin__v_init(&v, req);
    c->kind = kind;
    if (!list || gy_json_is(list, GY_JSON_NULL)) {
        gy_kin__v_add(&v, "Value null at 'shardLevelMetrics' failed to satisfy constraint: Member "
                          "must not be null");
    } else if (!gy_json_is(list, GY_JSON_ARRAY)) {
        return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION,
                            "Unexpected value type in payload: ShardLevelMetrics");
    } else {
        size_t n = gy_json_count(list);
        if (n < 1 || n > 7)
            gy_kin__v_add(&v, "Value '[...]' at 'shardLevelMetrics' failed to satisfy "
                              "constraint: Member must have length %s",
                          n < 1 ? "greater than or equal to 1" : "less than or equal to 7");
        for (const struct gy_json *e = gy_json_child(list); e; e = gy_json_next(e)) {
            struct gy_str m = gy_json_str(e);
            bool known = false;
            if (!gy_json_is(e, GY_JSON_STRING))
                return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION,
                                    "Unexpected value type in payload: ShardLevelMetrics");
            if (gy_str_eqc(m, "ALL")) {
                c->bits |= (1u << GY_KIN_M__COUNT) - 1;
                known = true;
            }
            for (int i = 0; i < GY_KIN_M__COUNT && !known; i++)
                if (gy_str_eqc(m, gy_kin__metric_names[i])) {
                    c->bits |= 1u << i;
                    known = true;
                }
            if (!known)
                gy_kin__v_add(&v, "Value '[%s]' at 'shardLevelMetrics' failed to satisfy "
                                  "constraint: Member must satisfy constraint: [Member must "
                                  "satisfy enum value set: [IncomingBytes, OutgoingRecords, "
                                  "IteratorAgeMilliseconds, IncomingRecords, "
                                  "ReadProvisionedThroughputExceeded, "
                                  "WriteProvisionedThroughputExceeded, OutgoingBytes, ALL]]",
                              m.p);
        }
    }
    if (gy_kin__stream_arg(req, &v, &c->name))
        return GY_EAWS;
    return submit_change(req, c);
}

int gy_kin__enable_monitoring(struct gy_aws_req *req)
{
    return monitoring(req, ENABLE_MON);
}

int gy_kin__disable_monitoring(struct gy_aws_req *req)
{
    return monitoring(req, DISABLE_MON);
}

/* ---- encryption ---- */

static int encryption(struct gy_aws_req *req, int kind)
{
    struct gy_kin_v v;
    struct change *c = gy_arena_zalloc(req->arena, sizeof(*c));
    gy_kin__v_init(&v, req);
    c->kind = kind;
    struct gy_str type = gy_kin__v_str(&v, req->body, "EncryptionType", "encryptionType", true, 0,
                                       SIZE_MAX);
    if (type.p && !gy_str_eqc(type, "KMS") && !gy_str_eqc(type, "NONE"))
        gy_kin__v_add(&v, "Value '%s' at 'encryptionType' failed to satisfy constraint: Member "
                          "must satisfy enum value set: [KMS, NONE]", type.p);
    c->key_id = gy_kin__v_str(&v, req->body, "KeyId", "keyId", true, 1, GY_KIN_KEY_ID_MAX);
    if (gy_kin__stream_arg(req, &v, &c->name))
        return GY_EAWS;
    if (!gy_str_eqc(type, "KMS"))
        return gy_kin__error(req, "InvalidArgumentException",
                             "Encryption type %s is not supported: use KMS.", type.p);
    return submit_change(req, c);
}

int gy_kin__start_encryption(struct gy_aws_req *req)
{
    return encryption(req, START_ENC);
}

int gy_kin__stop_encryption(struct gy_aws_req *req)
{
    return encryption(req, STOP_ENC);
}

/* ---- UpdateStreamMode ---- */

int gy_kin__update_stream_mode(struct gy_aws_req *req)
{
    struct gy_kin_v v;
    struct change *c = gy_arena_zalloc(req->arena, sizeof(*c));
    bool present;
    gy_kin__v_init(&v, req);
    c->kind = SET_MODE;
    struct gy_str arn = gy_kin__v_str(&v, req->body, "StreamARN", "streamARN", true, 1, 2048);
    if (gy_kin__mode_arg(req, &v, true, &c->mode, &present))
        return GY_EAWS;
    if (!arn.p && gy_kin__v_done(&v))
        return GY_EAWS;
    if (gy_kin__stream_arg(req, &v, &c->name))
        return GY_EAWS;
    return submit_change(req, c);
}

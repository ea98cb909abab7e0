/*
 * ops_consumer.c — enhanced fan-out consumer registrations: RegisterStreamConsumer,
 * DescribeStreamConsumer, ListStreamConsumers and DeregisterStreamConsumer. A consumer is a
 * named registration on a stream (at most 20), CREATING for the transition time, then ACTIVE;
 * deregistering makes it DELETING and then gone. SubscribeToShard (the push API that uses
 * them) is not implemented. See docs/kinesis.md, "Consumers".
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

/* Which consumer a request names: StreamARN + ConsumerName, or ConsumerARN. */
struct target {
    struct gy_str stream;      /* stream name (NUL-terminated) */
    struct gy_str consumer;    /* consumer name (NUL-terminated) */
    int64_t created_s;         /* from a ConsumerARN, else -1 */
};

static char *consumer_arn(struct gy_aws_req *req, const char *stream,
                          const struct gy_kin_consumer *c)
{
    return gy_arena_printf(req->arena, "arn:aws:kinesis:%s:%s:stream/%s/consumer/%s:%" PRId64,
                           req->region, req->account, stream, c->name, c->created_ms / 1000);
}

static const char *consumer_status(const struct gy_kin_consumer *c, int64_t now)
{
    if (c->status == GY_KIN_CREATING && now < c->settle_ms)
        return "CREATING";
    return c->status == GY_KIN_DELETING ? "DELETING" : "ACTIVE";
}

static void write_consumer(struct gy_aws_req *req, const char *stream,
                           const struct gy_kin_consumer *c, bool with_stream)
{
    struct gy_jw *w = &req->w;
    gy_jw_obj_begin(w);
    gy_jw_key(w, "ConsumerName");
    gy_jw_cstr(w, c->name);
    gy_jw_key(w, "ConsumerARN");
    gy_jw_cstr(w, consumer_arn(req, stream, c));
    gy_jw_key(w, "ConsumerStatus");
    gy_jw_cstr(w, consumer_status(c, gy_now_ms()));
    gy_jw_key(w, "ConsumerCreationTimestamp");
    gy_jw_double(w, (double)c->created_ms / 1000.0);
    if (with_stream) {
        gy_jw_key(w, "StreamARN");
        gy_jw_cstr(w, gy_kin__arn(req, stream));
    }
    gy_jw_obj_end(w);
}

/*
 * ConsumerARN: arn:aws:kinesis:<region>:<account>:stream/<stream>/consumer/<name>:<seconds>.
 * Returns 0, or GY_EAWS (a malformed ARN is a ValidationException; another region's or
 * account's a ResourceNotFoundException).
 */
static int parse_consumer_arn(struct gy_aws_req *req, struct gy_str arn, struct target *t)
{
    char *s = gy_arena_strndup(req->arena, arn.p, arn.len);
    char *prefix = gy_arena_printf(req->arena, "arn:aws:kinesis:%s:%s:stream/", req->region,
                                   req->account);
    char *slash, *colon, *end;
    const char *rest = s;
    if (strncmp(s, "arn:aws", 7) != 0 || !strstr(s, ":stream/") || !strstr(s, "/consumer/"))
        goto bad;
    if (strncmp(s, prefix, strlen(prefix)) != 0)
        return gy_kin__error(req, "ResourceNotFoundException", "Consumer %s not found.", s);
    rest = s + strlen(prefix);
    slash = strchr(rest, '/');
    if (!slash || strncmp(slash, "/consumer/", 10) != 0)
        goto bad;
    colon = strrchr(slash + 10, ':');
    if (!colon || colon == slash + 10 || colon[1] == '\0')
        goto bad;
    long long secs = strtoll(colon + 1, &end, 10);
    if (*end || secs < 0)
        goto bad;
    *slash = '\0';
    *colon = '\0';
    t->stream = gy_str_c(rest);
    t->consumer = gy_str_c(slash + 10);
    t->created_s = secs;
    if (t->stream.len == 0 || t->stream.len > GY_KIN_NAME_MAX || t->consumer.len > GY_KIN_NAME_MAX)
        goto bad;
    return 0;
bad:
    return gy_kin__error(req, "ValidationException",
                         "1 validation error detected: Value '%s' at 'consumerARN' failed to "
                         "satisfy constraint: Member must satisfy regular expression pattern: "
                         "^(arn):aws.*:kinesis:.*:\\d{12}:.*stream\\/[a-zA-Z0-9_.-]+\\/consumer\\/"
                         "[a-zA-Z0-9_.-]+:[0-9]+", s);
}

/* StreamARN + ConsumerName, or ConsumerARN (the two ways AWS accepts). */
static int target_arg(struct gy_aws_req *req, struct target *t)
{
    struct gy_kin_v v;
    gy_kin__v_init(&v, req);
    struct gy_str name = gy_kin__v_str(&v, req->body, "ConsumerName", "consumerName", false, 1,
                                       GY_KIN_NAME_MAX);
    struct gy_str arn = gy_kin__v_str(&v, req->body, "ConsumerARN", "consumerARN", false, 1,
                                      2048);
    gy_kin__v_name(&v, name, "consumerName");
    t->created_s = -1;
    if (arn.p) {
        if (gy_kin__v_done(&v) || parse_consumer_arn(req, arn, t))
            return GY_EAWS;
        return 0;
    }
    if (!name.p && gy_kin__v_done(&v) == 0)
        return gy_kin__error(req, "InvalidArgumentException",
                             "Either ConsumerARN or both StreamARN and ConsumerName must be "
                             "provided.");
    if (gy_kin__stream_arg(req, &v, &t->stream))
        return GY_EAWS;
    t->consumer = name;
    return 0;
}

static int consumer_missing(struct gy_aws_req *req, const struct target *t)
{
    return gy_kin__error(req, "ResourceNotFoundException",
                         "Consumer %s under stream %s under account %s not found.",
                         t->consumer.p, t->stream.p, req->account);
}

/* The stream and consumer a target names, in txn (either missing is answered). */
static int find(struct gy_aws_req *req, struct gy_store_txn *txn, const struct target *t,
                struct gy_kin_stream *st, struct gy_kin_consumer *c)
{
    int rc = gy_kin__stream_get(txn, t->stream, st);
    if (rc == GY_ENOTFOUND || (rc == 0 && st->status == GY_KIN_DELETING))
        return gy_kin__not_found(req, t->stream);
    if (rc)
        return rc;
    rc = gy_kin__consumer_get(txn, st->id, t->consumer, c);
    if (rc == 0 && t->created_s >= 0 && c->created_ms / 1000 != t->created_s)
        rc = GY_ENOTFOUND;
    return rc == GY_ENOTFOUND ? consumer_missing(req, t) : rc;
}

/* ---- RegisterStreamConsumer ---- */

static int register_apply(struct gy_store_txn *txn, struct gy_kin_job *j)
{
    struct gy_aws_req *req = j->req;
    struct gy_kin *k = req->ctx;
    struct target *t = j->data;
    struct gy_kin_stream *st = gy_arena_alloc(req->arena, sizeof(*st));
    struct gy_kin_consumer c, *all;
    size_t n;
    bool more;
    int64_t now = gy_now_ms();
    int rc = gy_kin__stream_for_change(req, txn, t->stream, st, true);
    if (rc)
        return rc;
    rc = gy_kin__consumer_get(txn, st->id, t->consumer, &c);
    if (rc == 0)
        return gy_kin__error(req, "ResourceInUseException",
                             "Consumer %s under stream %s under account %s already exists.",
                             t->consumer.p, st->name, req->account);
    if (rc != GY_ENOTFOUND)
        return rc;
    if ((rc = gy_kin__consumers(txn, req->arena, st->id, GY_STR_NULL, GY_KIN_CONSUMERS_MAX, &all,
                                &n, &more)))
        return rc;
    if (n >= GY_KIN_CONSUMERS_MAX)
        return gy_kin__error(req, "LimitExceededException",
                             "Stream %s under account %s already has %d registered consumers, "
                             "the maximum.", st->name, req->account, GY_KIN_CONSUMERS_MAX);
    memset(&c, 0, sizeof(c));
    snprintf(c.name, sizeof(c.name), "%s", t->consumer.p);
    c.created_ms = now;
    c.status = GY_KIN_CREATING;
    c.settle_ms = now + k->transition_ms;
    if ((rc = gy_kin__consumer_put(txn, st->id, &c)))
        return rc;
    gy_jw_obj_begin(&req->w);
    gy_jw_key(&req->w, "Consumer");
    write_consumer(req, st->name, &c, false);
    gy_jw_obj_end(&req->w);
    return 0;
}

int gy_kin__register_consumer(struct gy_aws_req *req)
{
    struct gy_kin_v v;
    struct target *t = gy_arena_zalloc(req->arena, sizeof(*t));
    gy_kin__v_init(&v, req);
    t->consumer = gy_kin__v_str(&v, req->body, "ConsumerName", "consumerName", true, 1,
                                GY_KIN_NAME_MAX);
    gy_kin__v_name(&v, t->consumer, "consumerName");
    if (!gy_json_get(req->body, "StreamARN"))
        gy_kin__v_add(&v, "Value null at 'streamARN' failed to satisfy constraint: Member must "
                          "not be null");
    if (gy_kin__stream_arg(req, &v, &t->stream))
        return GY_EAWS;
    struct gy_kin_job *j = gy_arena_zalloc(req->arena, sizeof(*j));
    j->apply = register_apply;
    j->data = t;
    return gy_kin__submit(req, j);
}

/* ---- DescribeStreamConsumer ---- */

int gy_kin__describe_consumer(struct gy_aws_req *req)
{
    struct target t = {0};
    struct gy_store_txn *txn;
    struct gy_kin_stream *st = gy_arena_alloc(req->arena, sizeof(*st));
    struct gy_kin_consumer c;
    if (target_arg(req, &t) || gy_kin__read(req, &txn))
        return GY_EAWS;
    int rc = find(req, txn, &t, st, &c);
    if (rc)
        return gy_kin__internal(req, rc);
    gy_jw_obj_begin(&req->w);
    gy_jw_key(&req->w, "ConsumerDescription");
    write_consumer(req, st->name, &c, true);
    gy_jw_obj_end(&req->w);
    return 0;
}

/* ---- ListStreamConsumers ---- */

int gy_kin__list_consumers(struct gy_aws_req *req)
{
    struct gy_kin_v v;
    struct gy_str name;
    struct gy_store_txn *txn;
    struct gy_kin_stream *st = gy_arena_alloc(req->arena, sizeof(*st));
    struct gy_kin_consumer *all;
    char after[2 * (GY_KIN_NAME_MAX + 1)];
    size_t alen = 0, n;
    bool has_max, has_created, more;

    gy_kin__v_init(&v, req);
    struct gy_str tok = gy_kin__v_str(&v, req->body, "NextToken", "nextToken", false, 1, 1048576);
    int64_t max = gy_kin__v_int(&v, req->body, "MaxResults", "maxResults", false, 1, 10000,
                                &has_max);
    int64_t created = gy_kin__v_time(&v, req->body, "StreamCreationTimestamp",
                                     "streamCreationTimestamp", &has_created);
    if (gy_kin__stream_arg(req, &v, &name))
        return GY_EAWS;
    if (!has_max)
        max = 100;
    if (tok.p) {
        /* The token holds the stream's name, a NUL, and the last consumer listed. */
        if (gy_kin__token_read(req, 'C', tok, after, sizeof(after), &alen))
            return GY_EAWS;
        size_t sl = strnlen(after, alen);
        if (sl == alen || !gy_str_eq((struct gy_str){after, sl}, name))
            return gy_kin__error(req, "InvalidArgumentException", "NextToken is invalid: %s",
                                 tok.p);
        memmove(after, after + sl + 1, alen - sl - 1);
        alen -= sl + 1;
    }
    if (gy_kin__read(req, &txn) || gy_kin__stream_lookup(req, txn, name, st))
        return GY_EAWS;
    if (has_created && created / 1000 != st->created_ms / 1000)
        return gy_kin__not_found(req, name);
    int rc = gy_kin__consumers(txn, req->arena, st->id, (struct gy_str){after, alen}, (size_t)max,
                               &all, &n, &more);
    if (rc)
        return gy_kin__internal(req, rc);
    struct gy_jw *w = &req->w;
    gy_jw_obj_begin(w);
    gy_jw_key(w, "Consumers");
    gy_jw_arr_begin(w);
    for (size_t i = 0; i < n; i++)
        write_consumer(req, st->name, &all[i], false);
    gy_jw_arr_end(w);
    if (more && n) {
        size_t sl = strlen(st->name), cl = strlen(all[n - 1].name);
        memcpy(after, st->name, sl + 1);
        memcpy(after + sl + 1, all[n - 1].name, cl);
        char *next = gy_kin__token_make(req, 'C', after, sl + 1 + cl);
        if (next) {
            gy_jw_key(w, "NextToken");
            gy_jw_cstr(w, next);
        }
    }
    gy_jw_obj_end(w);
    return 0;
}

/* ---- DeregisterStreamConsumer ---- */

static int deregister_apply(struct gy_store_txn *txn, struct gy_kin_job *j)
{
    struct gy_aws_req *req = j->req;
    struct gy_kin *k = req->ctx;
    struct target *t = j->data;
    struct gy_kin_stream *st = gy_arena_alloc(req->arena, sizeof(*st));
    struct gy_kin_consumer c;
    int rc = find(req, txn, t, st, &c);
    if (rc)
        return rc;
    if (c.status == GY_KIN_DELETING)
        return consumer_missing(req, t);
    if (k->transition_ms == 0)
        return gy_kin__consumer_del(txn, st->id, gy_str_c(c.name));
    c.status = GY_KIN_DELETING;
    c.settle_ms = gy_now_ms() + k->transition_ms;
    return gy_kin__consumer_put(txn, st->id, &c);
}

int gy_kin__deregister_consumer(struct gy_aws_req *req)
{
    struct target *t = gy_arena_zalloc(req->arena, sizeof(*t));
    if (target_arg(req, t))
        return GY_EAWS;
    struct gy_kin_job *j = gy_arena_zalloc(req->arena, sizeof(*j));
    j->apply = deregister_apply;
    j->data = t;
    return gy_kin__submit(req, j);
}

/*
 * ops_data.c — the data plane: PutRecord and PutRecords (one durable write job each: records
 * are acknowledged only after their group commit), GetShardIterator and GetRecords (one read
 * snapshot each). Positions: a shard's records have positions 1, 2, ...; an iterator holds the
 * next position to return. Retention is applied on read (records older than the horizon are
 * skipped) and on write (each put trims a few expired records of the shards it touched).
 * See docs/kinesis.md, "Records" and "Shard iterators".
 */
#include "kinesis/kinesis_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/base64.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/mem.h"

#define TRIM_PER_PUT 16      /* expired records a put removes per shard it touches */
#define SCAN_MAX 100000      /* records GetRecords may skip (expired, before a timestamp) */
#define SHARD_CACHE 64       /* distinct shards one PutRecords keeps in hand */

/* ---- PutRecord, PutRecords ---- */

struct put_rec {
    struct gy_str pk;          /* PartitionKey */
    struct gy_str data;        /* decoded Data */
    unsigned __int128 hash;    /* its hash key */
    struct gy_kin_seq order;   /* SequenceNumberForOrdering, when has_order */
    bool has_order;
    bool throttled;            /* out: refused by the shard's write limit */
    uint32_t shard;            /* out: shard index */
    uint64_t pos;              /* out: position */
    int64_t arrival;           /* out: arrival ms */
};

struct put {
    struct gy_str name;        /* stream */
    bool batch;                /* PutRecords */
    size_t n;                  /* records */
    struct put_rec *r;
    uint64_t bytes;            /* data + partition keys */
    uint32_t stream_id;        /* out */
    enum gy_kin_enc enc;       /* out */
    uint32_t metrics;          /* out: enhanced monitoring bits */
    size_t failed;             /* out: records refused */
    char stream[GY_KIN_NAME_MAX + 1]; /* out: the stream's name (for messages) */
};

struct shard_cache {
    struct gy_kin_shard sh[SHARD_CACHE];
    size_t n;
};

static struct gy_kin_shard *cached_shard(struct gy_store_txn *txn, struct shard_cache *c,
                                         uint32_t id, uint32_t idx, int *rc)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->sh[i].idx == idx)
            return &c->sh[i];
    if (c->n == SHARD_CACHE) {
        *rc = gy_kin__shard_put_counters(txn, id, &c->sh[0]);
        if (*rc)
            return NULL;
        memmove(c->sh, c->sh + 1, (SHARD_CACHE - 1) * sizeof(c->sh[0]));
        c->n--;
    }
    *rc = gy_kin__shard_get(txn, id, idx, &c->sh[c->n]);
    return *rc ? NULL : &c->sh[c->n++];
}

static int put_apply(struct gy_store_txn *txn, struct gy_kin_job *j)
{
    struct gy_aws_req *req = j->req;
    struct gy_kin *k = req->ctx;
    struct put *p = j->data;
    struct gy_kin_stream *st = gy_arena_alloc(req->arena, sizeof(*st));
    struct shard_cache *cache = gy_arena_alloc(req->arena, sizeof(*cache));
    int64_t now = gy_now_ms();
    int rc = gy_kin__stream_get(txn, p->name, st);
    if (rc == GY_ENOTFOUND)
        return gy_kin__not_found(req, p->name);
    if (rc)
        return rc;
    enum gy_kin_status status = gy_kin__status(st, now);
    if (status == GY_KIN_DELETING || status == GY_KIN_CREATING)
        return gy_kin__not_found(req, p->name);
    p->stream_id = st->id;
    memcpy(p->stream, st->name, sizeof(p->stream));
    p->enc = st->enc;
    p->metrics = st->metrics;
    cache->n = 0;
    for (size_t i = 0; i < p->n; i++) {
        struct put_rec *r = &p->r[i];
        if ((rc = gy_kin__shard_for_hash(txn, st->id, r->hash, &r->shard)))
            return rc == GY_ENOTFOUND ? GY_EIO : rc; /* open shards cover every hash */
        struct gy_kin_shard *sh = cached_shard(txn, cache, st->id, r->shard, &rc);
        if (!sh)
            return rc;
        if (!gy_kin__write_admit(k, st->id, sh->idx, r->data.len + r->pk.len, now)) {
            char id[24];
            r->throttled = true;
            p->failed++;
            if (p->batch)
                continue;
            gy_kin__shard_id(sh->idx, id);
            gy_kin__metric_add(k, st->name, sh->idx, GY_KIN_C_WRITE_EXCEEDED, 1);
            return gy_kin__error(req, "ProvisionedThroughputExceededException",
                                 "Rate exceeded for shard %s in stream %s under account %s.", id,
                                 st->name, req->account);
        }
        if (r->has_order && r->order.stream_id == st->id && r->order.shard == sh->idx &&
            r->order.position >= sh->next_pos)
            sh->next_pos = r->order.position + 1;
        r->pos = sh->next_pos++;
        r->arrival = now > sh->last_arrival_ms ? now : sh->last_arrival_ms;
        sh->last_arrival_ms = r->arrival;
        struct gy_kin_record rec = {.position = r->pos, .arrival_ms = r->arrival, .enc = st->enc,
                                    .partition_key = r->pk, .data = r->data};
        if ((rc = gy_kin__record_put(txn, st->id, sh->idx, &rec)))
            return rc;
    }
    int64_t horizon = now - gy_kin__retention_ms(k, st);
    for (size_t i = 0; i < cache->n; i++) {
        bool more;
        if ((rc = gy_kin__shard_put_counters(txn, st->id, &cache->sh[i])) ||
            (rc = gy_kin__records_trim(txn, st->id, cache->sh[i].idx, horizon, TRIM_PER_PUT,
                                       &more)))
            return rc;
    }
    return 0;
}

static void write_result(struct gy_aws_req *req, const struct put *p, const struct put_rec *r)
{
    struct gy_jw *w = &req->w;
    char id[24], seq[GY_KIN_SEQ_LEN + 1];
    gy_kin__shard_id(r->shard, id);
    if (r->throttled) {
        gy_jw_key(w, "ErrorCode");
        gy_jw_cstr(w, "ProvisionedThroughputExceededException");
        gy_jw_key(w, "ErrorMessage");
        gy_jw_cstr(w, gy_arena_printf(req->arena, "Rate exceeded for shard %s in stream %s under "
                                      "account %s.", id, p->stream, req->account));
        return;
    }
    gy_kin__seq_format(&(struct gy_kin_seq){p->stream_id, r->shard, r->pos, r->arrival}, seq);
    gy_jw_key(w, "SequenceNumber");
    gy_jw_cstr(w, seq);
    gy_jw_key(w, "ShardId");
    gy_jw_cstr(w, id);
}

static void put_after(struct gy_kin_job *j)
{
    struct gy_aws_req *req = j->req;
    struct gy_kin *k = req->ctx;
    struct put *p = j->data;
    struct gy_jw *w = &req->w;
    gy_jw_obj_begin(w);
    if (p->batch) {
        gy_jw_key(w, "FailedRecordCount");
        gy_jw_uint(w, p->failed);
        gy_jw_key(w, "Records");
        gy_jw_arr_begin(w);
        for (size_t i = 0; i < p->n; i++) {
            gy_jw_obj_begin(w);
            write_result(req, p, &p->r[i]);
            gy_jw_obj_end(w);
        }
        gy_jw_arr_end(w);
    } else {
        write_result(req, p, &p->r[0]);
    }
    if (p->enc == GY_KIN_ENC_KMS) {
        gy_jw_key(w, "EncryptionType");
        gy_jw_cstr(w, "KMS");
    }
    gy_jw_obj_end(w);

    gy_kin__metrics_enhanced(k, p->name.p, p->metrics);
    uint64_t ok_bytes = 0;
    for (size_t i = 0; i < p->n; i++) {
        uint64_t b = p->r[i].data.len + p->r[i].pk.len;
        if (p->r[i].throttled) {
            gy_kin__metric_add(k, p->name.p, p->r[i].shard, GY_KIN_C_WRITE_EXCEEDED, 1);
            continue;
        }
        ok_bytes += b;
        gy_kin__metric_add(k, p->name.p, p->r[i].shard, GY_KIN_C_INCOMING_RECORDS, 1);
        gy_kin__metric_add(k, p->name.p, p->r[i].shard, GY_KIN_C_INCOMING_BYTES, b);
    }
    if (p->batch) {
        if (p->failed < p->n)
            gy_kin__metric_add(k, p->name.p, -1, GY_KIN_C_PUT_RECORDS_SUCCESS, 1);
        gy_kin__metric_add(k, p->name.p, -1, GY_KIN_C_PUT_RECORDS_BYTES, ok_bytes);
        gy_kin__metric_add(k, p->name.p, -1, GY_KIN_C_PUT_RECORDS_TOTAL, p->n);
        gy_kin__metric_add(k, p->name.p, -1, GY_KIN_C_PUT_RECORDS_SUCCESSFUL, p->n - p->failed);
        gy_kin__metric_add(k, p->name.p, -1, GY_KIN_C_PUT_RECORDS_FAILED, p->failed);
        gy_kin__metric_add(k, p->name.p, -1, GY_KIN_C_PUT_RECORDS_THROTTLED, p->failed);
    } else {
        gy_kin__metric_add(k, p->name.p, -1, GY_KIN_C_PUT_RECORD_SUCCESS, 1);
        gy_kin__metric_add(k, p->name.p, -1, GY_KIN_C_PUT_RECORD_BYTES, p->bytes);
    }
}

/*
 * Read one record's members from obj (the request, or an element of Records) into r; path is
 * the validation path prefix ("" or "records.3.member."). Model checks go to v; semantic
 * checks answer at once (returns GY_EAWS).
 */
static int read_record(struct gy_aws_req *req, struct gy_kin_v *v, const struct gy_json *obj,
                       const char *path, struct gy_str stream, struct put_rec *r)
{
    char pth[64];
    const struct gy_json *dj = gy_json_get(obj, "Data");
    snprintf(pth, sizeof(pth), "%sdata", path);
    if (!dj || gy_json_is(dj, GY_JSON_NULL)) {
        gy_kin__v_add(v, "Value null at '%s' failed to satisfy constraint: Member must not be "
                         "null", pth);
    } else if (!gy_json_is(dj, GY_JSON_STRING)) {
        return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION,
                            "Unexpected value type in payload: Data");
    } else {
        if (gy_base64_decode(req->arena, gy_json_str(dj), &r->data, NULL))
            return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION,
                                "Base64 encoded Data is not valid: cannot decode it");
        size_t n = r->data.len;
        if (n > GY_KIN_RECORD_MAX)
            gy_kin__v_add(v, "Value 'java.nio.HeapByteBuffer[pos=0 lim=%zu cap=%zu]' at '%s' "
                             "failed to satisfy constraint: Member must have length less than "
                             "or equal to %u", n, n, pth, GY_KIN_RECORD_MAX);
    }
    snprintf(pth, sizeof(pth), "%spartitionKey", path);
    r->pk = gy_kin__v_str(v, obj, "PartitionKey", pth, true, 1, GY_KIN_PK_MAX);
    snprintf(pth, sizeof(pth), "%sexplicitHashKey", path);
    struct gy_str ehk = gy_kin__v_str(v, obj, "ExplicitHashKey", pth, false, 0, SIZE_MAX);
    if (ehk.p && (!gy_kin__seq_valid(ehk) || ehk.len > 39)) {
        gy_kin__v_add(v, "Value '%s' at '%s' failed to satisfy constraint: Member must satisfy "
                         "regular expression pattern: 0|([1-9]\\d{0,38})", ehk.p, pth);
        ehk = GY_STR_NULL;
    }
    if (v->count || v->serial)
        return 0;
    if (ehk.p) {
        if (gy_kin__hash_parse(ehk, &r->hash))
            return gy_kin__error(req, "InvalidArgumentException",
                                 "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: "
                                 "[0, 2^128-1]. Specified value was %s", ehk.p);
    } else if (r->pk.p) {
        r->hash = gy_kin__hash_of_key(r->pk);
    }
    (void)stream;
    return 0;
}

int gy_kin__put_record(struct gy_aws_req *req)
{
    struct gy_kin_v v;
    struct put *p = gy_arena_zalloc(req->arena, sizeof(*p));
    gy_kin__v_init(&v, req);
    p->n = 1;
    p->r = gy_arena_zalloc(req->arena, sizeof(*p->r));
    if (read_record(req, &v, req->body, "", GY_STR_NULL, &p->r[0]))
        return GY_EAWS;
    struct gy_str order = gy_kin__v_str(&v, req->body, "SequenceNumberForOrdering",
                                        "sequenceNumberForOrdering", false, 0, SIZE_MAX);
    if (order.p && !gy_kin__seq_valid(order))
        gy_kin__v_add(&v, "Value '%s' at 'sequenceNumberForOrdering' failed to satisfy "
                          "constraint: Member must satisfy regular expression pattern: "
                          "0|([1-9]\\d{0,128})", order.p);
    if (gy_kin__stream_arg(req, &v, &p->name))
        return GY_EAWS;
    if (order.p) {
        if (gy_kin__seq_parse(order, &p->r[0].order) && !gy_str_eqc(order, "0"))
            return gy_kin__error(req, "InvalidArgumentException",
                                 "ExclusiveMinimumSequenceNumber %s used in PutRecord on stream "
                                 "%s under account %s is invalid.",
                                 order.p, p->name.p, req->account);
        p->r[0].has_order = !gy_str_eqc(order, "0");
    }
    p->bytes = p->r[0].data.len + p->r[0].pk.len;
    struct gy_kin_job *j = gy_arena_zalloc(req->arena, sizeof(*j));
    j->apply = put_apply;
    j->after = put_after;
    j->data = p;
    return gy_kin__submit(req, j);
}

int gy_kin__put_records(struct gy_aws_req *req)
{
    struct gy_kin_v v;
    struct put *p = gy_arena_zalloc(req->arena, sizeof(*p));
    const struct gy_json *recs = gy_json_get(req->body, "Records");
    gy_kin__v_init(&v, req);
    p->batch = true;
    if (!recs || gy_json_is(recs, GY_JSON_NULL)) {
        gy_kin__v_add(&v, "Value null at 'records' failed to satisfy constraint: Member must not "
                          "be null");
    } else if (!gy_json_is(recs, GY_JSON_ARRAY)) {
        return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION,
                            "Unexpected value type in payload: Records");
    } else {
        size_t n = gy_json_count(recs);
        if (n < 1 || n > GY_KIN_PUT_RECORDS_MAX) {
            gy_kin__v_add(&v, "Value '%s' at 'records' failed to satisfy constraint: Member must "
                              "have length %s %d", n < 1 ? "[]" : "[...]",
                          n < 1 ? "greater than or equal to" : "less than or equal to",
                          n < 1 ? 1 : GY_KIN_PUT_RECORDS_MAX);
        } else {
            p->r = gy_arena_calloc(req->arena, n, sizeof(*p->r));
            size_t i = 0;
            for (const struct gy_json *e = gy_json_child(recs); e; e = gy_json_next(e), i++) {
                char path[48];
                if (!gy_json_is(e, GY_JSON_OBJECT))
                    return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION,
                                        "Unexpected value type in payload: Records");
                snprintf(path, sizeof(path), "records.%zu.member.", i + 1);
                if (read_record(req, &v, e, path, GY_STR_NULL, &p->r[i]))
                    return GY_EAWS;
                p->bytes += p->r[i].data.len + p->r[i].pk.len;
            }
            p->n = n;
        }
    }
    if (gy_kin__stream_arg(req, &v, &p->name))
        return GY_EAWS;
    if (p->bytes > GY_KIN_PUT_BYTES_MAX)
        return gy_kin__error(req, "InvalidArgumentException",
                             "Records size exceeds %u bytes limit (the request is %" PRIu64
                             " bytes).", GY_KIN_PUT_BYTES_MAX, p->bytes);
    struct gy_kin_job *j = gy_arena_zalloc(req->arena, sizeof(*j));
    j->apply = put_apply;
    j->after = put_after;
    j->data = p;
    return gy_kin__submit(req, j);
}

/* ---- GetShardIterator ---- */

static int shard_missing(struct gy_aws_req *req, struct gy_str shard_id, const char *stream)
{
    return gy_kin__error(req, "ResourceNotFoundException",
                         "Shard %.*s in stream %s under account %s does not exist",
                         (int)shard_id.len, shard_id.p, stream, req->account);
}

/* "Thu Jan 22 01:22:02 UTC 2015", as AWS words times in iterator messages. */
static char *amz_time(struct gy_aws_req *req, int64_t ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    char b[64];
    gmtime_r(&t, &tm);
    strftime(b, sizeof(b), "%a %b %d %H:%M:%S UTC %Y", &tm);
    return gy_arena_strndup(req->arena, b, strlen(b));
}

int gy_kin__get_shard_iterator(struct gy_aws_req *req)
{
    struct gy_kin *k = req->ctx;
    struct gy_kin_v v;
    struct gy_str name;
    struct gy_store_txn *txn;
    struct gy_kin_stream *st = gy_arena_alloc(req->arena, sizeof(*st));
    struct gy_kin_shard sh;
    bool has_ts;
    uint32_t idx;
    int64_t now = gy_now_ms();

    gy_kin__v_init(&v, req);
    struct gy_str shard_id = gy_kin__v_str(&v, req->body, "ShardId", "shardId", true, 1, 128);
    gy_kin__v_name(&v, shard_id, "shardId");
    struct gy_str type = gy_kin__v_str(&v, req->body, "ShardIteratorType", "shardIteratorType",
                                       true, 0, SIZE_MAX);
    if (type.p && !gy_str_eqc(type, "AT_SEQUENCE_NUMBER") &&
        !gy_str_eqc(type, "AFTER_SEQUENCE_NUMBER") && !gy_str_eqc(type, "TRIM_HORIZON") &&
        !gy_str_eqc(type, "LATEST") && !gy_str_eqc(type, "AT_TIMESTAMP"))
        gy_kin__v_add(&v, "Value '%s' at 'shardIteratorType' failed to satisfy constraint: Member "
                          "must satisfy enum value set: [AT_SEQUENCE_NUMBER, LATEST, AT_TIMESTAMP, "
                          "TRIM_HORIZON, AFTER_SEQUENCE_NUMBER]", type.p);
    struct gy_str seq = gy_kin__v_str(&v, req->body, "StartingSequenceNumber",
                                      "startingSequenceNumber", false, 0, SIZE_MAX);
    if (seq.p && !gy_kin__seq_valid(seq))
        gy_kin__v_add(&v, "Value '%s' at 'startingSequenceNumber' failed to satisfy constraint: "
                          "Member must satisfy regular expression pattern: 0|([1-9]\\d{0,128})",
                      seq.p);
    int64_t ts = gy_kin__v_time(&v, req->body, "Timestamp", "timestamp", &has_ts);
    if (gy_kin__stream_arg(req, &v, &name))
        return GY_EAWS;
    if (gy_kin__read(req, &txn) || gy_kin__stream_lookup(req, txn, name, st))
        return GY_EAWS;
    if (st->status == GY_KIN_DELETING)
        return gy_kin__not_found(req, name);
    if (gy_kin__shard_id_parse(shard_id, &idx))
        return gy_kin__error(req, "ResourceNotFoundException",
                             "Could not find shard %s in stream %s under account %s.", shard_id.p,
                             st->name, req->account);
    char canon[24];
    gy_kin__shard_id(idx, canon);
    int rc = gy_kin__shard_get(txn, st->id, idx, &sh);
    if (rc == GY_ENOTFOUND || (rc == 0 && gy_kin__shard_expired(k, st, &sh, now)))
        return shard_missing(req, gy_str_c(canon), st->name);
    if (rc)
        return gy_kin__internal(req, rc);

    struct gy_kin_iter it = {.stream_id = st->id, .shard = idx, .issued_ms = now};
    snprintf(it.stream, sizeof(it.stream), "%s", st->name);
    bool by_seq = gy_str_eqc(type, "AT_SEQUENCE_NUMBER") || gy_str_eqc(type, "AFTER_SEQUENCE_NUMBER");
    if (seq.p && !by_seq)
        return gy_kin__error(req, "InvalidArgumentException",
                             "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER "
                             "and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no "
                             "StartingSequenceNumber. Request specified %s and also a "
                             "StartingSequenceNumber.", type.p);
    if (by_seq) {
        struct gy_kin_seq s;
        if (!seq.p)
            return gy_kin__error(req, "InvalidArgumentException",
                                 "Must either specify (1) AT_SEQUENCE_NUMBER or "
                                 "AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) "
                                 "TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request "
                                 "specified %s and no StartingSequenceNumber.", type.p);
        if (gy_kin__seq_parse(seq, &s))
            return gy_kin__error(req, "InvalidArgumentException",
                                 "StartingSequenceNumber %s used in GetShardIterator on shard %s "
                                 "in stream %s under account %s is invalid.",
                                 seq.p, canon, st->name, req->account);
        if (s.stream_id != st->id)
            return gy_kin__error(req, "InvalidArgumentException",
                                 "StartingSequenceNumber %s used in GetShardIterator on shard %s "
                                 "in stream %s under account %s is invalid because it did not "
                                 "come from this stream.", seq.p, canon, st->name, req->account);
        if (s.shard != idx) {
            char other[24];
            gy_kin__shard_id(s.shard, other);
            return gy_kin__error(req, "InvalidArgumentException",
                                 "Invalid StartingSequenceNumber. It encodes %s, while it was used "
                                 "in a call to a shard with %s", other, canon);
        }
        it.position = gy_str_eqc(type, "AT_SEQUENCE_NUMBER") ? s.position : s.position + 1;
    } else if (gy_str_eqc(type, "LATEST")) {
        it.position = sh.next_pos;
    } else if (gy_str_eqc(type, "AT_TIMESTAMP")) {
        if (!has_ts)
            return gy_kin__error(req, "InvalidArgumentException",
                                 "Must specify timestampInMillis parameter for iterator of type "
                                 "AT_TIMESTAMP. Current request has no timestamp parameter.");
        if (ts > now)
            return gy_kin__error(req, "InvalidArgumentException",
                                 "The timestampInMillis parameter cannot be greater than the "
                                 "currentTimestampInMillis. timestampInMillis: %" PRId64
                                 ", currentTimestampInMillis: %" PRId64, ts, now);
        it.min_arrival_ms = ts;
    }
    char tok[GY_KIN_ITER_MAX];
    if (gy_kin__iter_encode(k->key, &it, tok, sizeof(tok)) < 0)
        return gy_kin__internal(req, GY_EINVAL);
    gy_jw_obj_begin(&req->w);
    gy_jw_key(&req->w, "ShardIterator");
    gy_jw_cstr(&req->w, tok);
    gy_jw_obj_end(&req->w);
    return 0;
}

/* ---- GetRecords ---- */

/* Write Data as a JSON string straight into the response (no intermediate copy). */
static void write_data(struct gy_jw *w, struct gy_str data)
{
    size_t n = gy_base64_encoded_len(data.len);
    gy_jw_key(w, "Data");
    gy_jw_raw(w, GY_STR("\""));
    char *dst = gy_buf_reserve(w->buf, n + 2);
    if (!dst) {
        w->err = GY_ETOOBIG;
        return;
    }
    gy_base64_encode(data.p, data.len, dst);
    dst[n] = '"';
    w->buf->len += n + 1;
    w->buf->p[w->buf->len] = '\0';
}

static void write_record(struct gy_jw *w, uint32_t stream_id, uint32_t shard,
                         const struct gy_kin_record *r)
{
    char seq[GY_KIN_SEQ_LEN + 1];
    gy_kin__seq_format(&(struct gy_kin_seq){stream_id, shard, r->position, r->arrival_ms}, seq);
    gy_jw_obj_begin(w);
    gy_jw_key(w, "SequenceNumber");
    gy_jw_cstr(w, seq);
    gy_jw_key(w, "ApproximateArrivalTimestamp");
    gy_jw_double(w, (double)r->arrival_ms / 1000.0);
    write_data(w, r->data);
    gy_jw_key(w, "PartitionKey");
    gy_jw_str(w, r->partition_key);
    if (r->enc == GY_KIN_ENC_KMS) {
        gy_jw_key(w, "EncryptionType");
        gy_jw_cstr(w, "KMS");
    }
    gy_jw_obj_end(w);
}

/* ChildShards of a closed shard: the shards naming it as a parent. */
static int write_children(struct gy_aws_req *req, struct gy_store_txn *txn,
                          const struct gy_kin_stream *st, uint32_t idx)
{
    struct gy_kin_shard *sh;
    size_t n;
    char id[24];
    int rc = gy_kin__shards(txn, req->arena, st->id, &sh, &n);
    if (rc)
        return rc;
    struct gy_jw *w = &req->w;
    gy_jw_key(w, "ChildShards");
    gy_jw_arr_begin(w);
    for (size_t i = 0; i < n; i++) {
        if (sh[i].parent != idx && sh[i].adjacent != idx)
            continue;
        gy_jw_obj_begin(w);
        gy_jw_key(w, "ShardId");
        gy_kin__shard_id(sh[i].idx, id);
        gy_jw_cstr(w, id);
        gy_jw_key(w, "ParentShards");
        gy_jw_arr_begin(w);
        if (sh[i].parent >= 0) {
            gy_kin__shard_id((uint32_t)sh[i].parent, id);
            gy_jw_cstr(w, id);
        }
        if (sh[i].adjacent >= 0) {
            gy_kin__shard_id((uint32_t)sh[i].adjacent, id);
            gy_jw_cstr(w, id);
        }
        gy_jw_arr_end(w);
        gy_kin__write_hash_range(w, &sh[i]);
        gy_jw_obj_end(w);
    }
    gy_jw_arr_end(w);
    return 0;
}

struct read_state {
    uint64_t pos;          /* next position to return */
    size_t expired;        /* records skipped because retention has passed them */
    size_t count;          /* records written */
    uint64_t bytes;        /* data + partition keys written */
    bool at_end;           /* no record at or after pos */
    int64_t next_arrival;  /* arrival of the first record not returned (when !at_end) */
    int64_t last_arrival;  /* arrival of the last record returned */
};

static int read_records(struct gy_aws_req *req, struct gy_store_txn *txn,
                        const struct gy_kin_stream *st, const struct gy_kin_iter *it,
                        int64_t horizon, size_t limit, struct read_state *rs)
{
    struct gy_store_cursor *c;
    struct gy_str k, v;
    unsigned char from[17];
    struct gy_kin_record r;
    size_t scanned = 0;
    int64_t min_arrival = it->min_arrival_ms > horizon ? it->min_arrival_ms : horizon;
    int rc = gy_store_cursor_open(txn, GY_DB_KINESIS, &c);
    if (rc)
        return rc;
    rs->pos = it->position;
    rs->at_end = true;
    gy_kin__record_key(st->id, it->shard, it->position, from);
    for (rc = gy_store_cursor_seek(c, (struct gy_str){(const char *)from, 17}, &k, &v); rc == 0;
         rc = gy_store_cursor_next(c, &k, &v)) {
        rc = gy_kin__record_decode(k, v, st->id, it->shard, &r);
        if (rc)
            break;
        if (r.arrival_ms < min_arrival) {
            rs->pos = r.position + 1;
            if (r.arrival_ms < horizon)
                rs->expired++;
            if (++scanned == SCAN_MAX) {
                rs->at_end = false;
                rs->next_arrival = r.arrival_ms;
                break;
            }
            continue;
        }
        if (rs->count == limit || (rs->count && rs->bytes + r.data.len > GY_KIN_GET_BYTES)) {
            rs->at_end = false;
            rs->next_arrival = r.arrival_ms;
            break;
        }
        write_record(&req->w, st->id, it->shard, &r);
        rs->count++;
        rs->bytes += r.data.len + r.partition_key.len;
        rs->pos = r.position + 1;
        rs->last_arrival = r.arrival_ms;
    }
    gy_store_cursor_close(c);
    return rc == 0 || rc == GY_ENOTFOUND ? 0 : rc;
}

int gy_kin__get_records(struct gy_aws_req *req)
{
    struct gy_kin *k = req->ctx;
    struct gy_kin_v v;
    struct gy_kin_iter it;
    struct gy_store_txn *txn;
    struct gy_kin_stream *st = gy_arena_alloc(req->arena, sizeof(*st));
    struct gy_kin_shard sh;
    struct read_state rs = {0};
    bool has_limit;
    int64_t now = gy_now_ms();
    char id[24];

    gy_kin__v_init(&v, req);
    struct gy_str tok = gy_kin__v_str(&v, req->body, "ShardIterator", "shardIterator", true, 1,
                                      GY_KIN_ITER_MAX);
    int64_t limit = gy_kin__v_int(&v, req->body, "Limit", "limit", false, 1, INT32_MAX,
                                  &has_limit);
    if (gy_kin__v_done(&v))
        return GY_EAWS;
    if (!has_limit)
        limit = GY_KIN_GET_LIMIT;
    if (limit > GY_KIN_GET_LIMIT)
        return gy_kin__error(req, "InvalidArgumentException",
                             "Limit %" PRId64 " is invalid: it must be at most %d.", limit,
                             GY_KIN_GET_LIMIT);
    if (gy_kin__iter_decode(k->key, tok, &it))
        return gy_kin__error(req, "InvalidArgumentException", "Invalid ShardIterator.");
    if (now - it.issued_ms > k->iter_ttl_ms)
        return gy_kin__error(req, "ExpiredIteratorException",
                             "Iterator expired. The iterator was created at time %s while right "
                             "now it is %s which is further in the future than the tolerated "
                             "delay of %" PRId64 " milliseconds.",
                             amz_time(req, it.issued_ms), amz_time(req, now), k->iter_ttl_ms);
    gy_kin__shard_id(it.shard, id);
    if (gy_kin__read(req, &txn))
        return GY_EAWS;
    int rc = gy_kin__stream_get(txn, gy_str_c(it.stream), st);
    if (rc == 0 && (st->id != it.stream_id || st->status == GY_KIN_DELETING))
        rc = GY_ENOTFOUND;
    if (rc == 0)
        rc = gy_kin__shard_get(txn, st->id, it.shard, &sh);
    if (rc == 0 && gy_kin__shard_expired(k, st, &sh, now))
        rc = GY_ENOTFOUND;
    if (rc == GY_ENOTFOUND)
        return shard_missing(req, gy_str_c(id), it.stream);
    if (rc)
        return gy_kin__internal(req, rc);

    if (!gy_kin__read_admit(k, st->id, it.shard, now)) {
        gy_kin__metric_add(k, st->name, it.shard, GY_KIN_C_READ_EXCEEDED, 1);
        return gy_kin__error(req, "ProvisionedThroughputExceededException",
                             "Rate exceeded for shard %s in stream %s under account %s.", id,
                             st->name, req->account);
    }
    struct gy_jw *w = &req->w;
    gy_jw_obj_begin(w);
    gy_jw_key(w, "Records");
    gy_jw_arr_begin(w);
    rc = read_records(req, txn, st, &it, now - gy_kin__retention_ms(k, st), (size_t)limit, &rs);
    if (rc)
        return gy_kin__internal(req, rc);
    gy_jw_arr_end(w);
    bool drained = sh.closed && rs.at_end;
    if (!drained) {
        char next[GY_KIN_ITER_MAX];
        it.position = rs.pos;
        it.issued_ms = now;
        if (gy_kin__iter_encode(k->key, &it, next, sizeof(next)) < 0)
            return gy_kin__internal(req, GY_EINVAL);
        gy_jw_key(w, "NextShardIterator");
        gy_jw_cstr(w, next);
    }
    gy_jw_key(w, "MillisBehindLatest");
    int64_t behind = rs.at_end ? 0 : now - rs.next_arrival;
    gy_jw_int(w, behind > 0 ? behind : 0);
    if (drained && (rc = write_children(req, txn, st, it.shard)))
        return gy_kin__internal(req, rc);
    gy_jw_obj_end(w);

    gy_kin__read_charge(k, st->id, it.shard, rs.bytes, now);
    if (rs.expired)
        gy_kin__trim_start(k, st->id, st->name); /* so later reads need not skip them */
    gy_kin__metric_add(k, st->name, -1, GY_KIN_C_GET_RECORDS_SUCCESS, 1);
    gy_kin__metric_add(k, st->name, -1, GY_KIN_C_GET_RECORDS_RECORDS, rs.count);
    gy_kin__metric_add(k, st->name, -1, GY_KIN_C_GET_RECORDS_BYTES, rs.bytes);
    gy_kin__metric_add(k, st->name, it.shard, GY_KIN_C_OUTGOING_RECORDS, rs.count);
    gy_kin__metric_add(k, st->name, it.shard, GY_KIN_C_OUTGOING_BYTES, rs.bytes);
    if (rs.count)
        gy_kin__metric_max(k, st->name, it.shard, GY_KIN_C_ITERATOR_AGE_MS,
                           (uint64_t)(now - rs.last_arrival > 0 ? now - rs.last_arrival : 0));
    return 0;
}

/*
 * reader.c — GetShardIterator and GetRecords: positions in a shard, trimming and expiry, and
 * paging records out of the change log (up to Limit records and 1 MB per call).
 *
 * Positions: an iterator holds the next sequence number to return. A shard covers
 * [start, last] once closed, [start, ∞) while open. The log keeps a suffix of each table's
 * sequence numbers (trimming deletes oldest first), so a position below the first retained
 * number (or below the next one, when all are gone) has lost records:
 * TrimmedDataAccessException. A closed shard read past its last number is drained:
 * GetRecords returns no NextShardIterator, and the reader moves on to the child shard.
 * Each call reads in one store read snapshot, so the shard's state and its records agree, and
 * a reader at the tip gets an empty batch at once. See docs/streams.md, "Reading".
 */
#include "streams/streams_int.h"

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/clock.h"
#include "core/json.h"
#include "dynamodb/dynamodb.h"
#include "dynamodb/table.h"
#include "dynamodb/value.h"
#include "store/store.h"

#define READ_CHUNK 100
#define MAX_RECORDS 1000
#define RECORD_JSON_MAX (8u << 20) /* a record with two 400 KB images, base64 and all */

enum iter_type { IT_TRIM_HORIZON, IT_LATEST, IT_AT, IT_AFTER };

static const char *const iter_types[] = {"TRIM_HORIZON", "LATEST", "AT_SEQUENCE_NUMBER",
                                         "AFTER_SEQUENCE_NUMBER"};

static int internal_error(struct gy_aws_req *req)
{
    return gy_error_set(&req->err, req->arena, GY_AWS_INTERNAL, "Internal server error");
}

static int trimmed(struct gy_aws_req *req)
{
    return gy_error_set(&req->err, req->arena, GY_AWS_TRIMMED_DATA_ACCESS,
                        "The operation attempted to read past the oldest stream record in a "
                        "shard.");
}

static int shard_missing(struct gy_aws_req *req)
{
    return gy_error_set(&req->err, req->arena, GY_AWS_RESOURCE_NOT_FOUND,
                        "Requested resource not found: Shard does not exist");
}

/* The first sequence number still in the log (next when it is empty). */
static uint64_t first_retained(struct gy_store_txn *txn, uint32_t table_id)
{
    uint64_t first, next;
    gy_ddb_log_bounds(txn, table_id, &first, &next);
    return first ? first : next;
}

/*
 * Find one shard of one stream in txn. Returns 0, or GY_ENOTFOUND with *stream_found telling
 * whether it was the stream or only the shard that is missing; GY_EIO on a storage failure.
 */
static int find_shard(struct gy_store_txn *txn, struct gy_arena *a, const struct gy_ddb_table *t,
                      int64_t created, uint64_t start, struct gy_streams_stream *st,
                      struct gy_streams_shard *out, bool *stream_found)
{
    struct gy_streams_shard *sh;
    size_t n;
    *stream_found = false;
    int rc = gy_streams__stream_find(txn, a, t, created, st);
    if (rc)
        return rc;
    *stream_found = true;
    if (gy_streams__shards(txn, a, t, st, &sh, &n))
        return GY_EIO;
    for (size_t i = 0; i < n; i++)
        if (sh[i].start == start) {
            *out = sh[i];
            return 0;
        }
    return GY_ENOTFOUND;
}

/* ---- GetShardIterator ---- */

struct iter_args {
    struct gy_str arn, shard_id, type_s, seq_s;
    enum iter_type type;
    uint64_t seq;
    struct gy_str table;
    int64_t created;
};

static int parse_iter_args(struct gy_aws_req *req, struct iter_args *a)
{
    if (gy_streams__str_arg(req, "StreamArn", "streamArn", true, &a->arn) ||
        gy_streams__str_arg(req, "ShardId", "shardId", true, &a->shard_id) ||
        gy_streams__str_arg(req, "ShardIteratorType", "shardIteratorType", true, &a->type_s) ||
        gy_streams__str_arg(req, "SequenceNumber", "sequenceNumber", false, &a->seq_s))
        return GY_EAWS;
    size_t i = 0;
    while (i < 4 && !gy_str_eqc(a->type_s, iter_types[i]))
        i++;
    if (i == 4)
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "1 validation error detected: Value '%s' at 'shardIteratorType' "
                            "failed to satisfy constraint: Member must satisfy enum value set: "
                            "[TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER]",
                            a->type_s.p);
    a->type = (enum iter_type)i;
    if (a->type == IT_AT || a->type == IT_AFTER) {
        if (!a->seq_s.p)
            return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                                "Must specify SequenceNumber for ShardIteratorType %s",
                                iter_types[i]);
        if (gy_ddb_seq_parse(a->seq_s, &a->seq))
            return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                                "Invalid SequenceNumber: %s", a->seq_s.p);
    } else if (a->seq_s.p) {
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "Must not specify SequenceNumber for ShardIteratorType %s",
                            iter_types[i]);
    }
    return gy_streams__arn_arg(req, "StreamArn", a->arn, &a->table, &a->created);
}

/*
 * The position an iterator of type a->type starts at in shard sh; 0 or GY_EAWS (a sequence
 * number outside the shard, or trimmed).
 */
static int start_position(struct gy_aws_req *req, struct gy_store_txn *txn,
                          const struct gy_ddb_table *t, const struct gy_streams_shard *sh,
                          const struct iter_args *a, uint64_t *pos)
{
    uint64_t first, next;
    gy_ddb_log_bounds(txn, t->id, &first, &next);
    uint64_t eff_first = first ? first : next;
    uint64_t hi = sh->closed ? sh->last : next - 1; /* the last number in the shard so far */
    if (hi < sh->start)
        hi = sh->start; /* an empty shard: its start still names it */

    switch (a->type) {
    case IT_TRIM_HORIZON:
        *pos = sh->start > eff_first ? sh->start : eff_first;
        return 0;
    case IT_LATEST:
        *pos = sh->closed ? sh->last + 1 : (next > sh->start ? next : sh->start);
        return 0;
    case IT_AT:
    case IT_AFTER:
        break;
    }
    if (a->seq < sh->start || a->seq > hi)
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "Invalid SequenceNumber: %s is not in shard %s", a->seq_s.p,
                            a->shard_id.p);
    *pos = a->type == IT_AT ? a->seq : a->seq + 1;
    if (*pos < eff_first)
        return trimmed(req);
    return 0;
}

static int respond_iterator(struct gy_aws_req *req, const struct gy_streams_iter *it)
{
    struct gy_streams *s = req->ctx;
    char tok[GY_STREAMS_ITER_MAX];
    if (gy_streams__iter_encode(s->key, it, tok, sizeof(tok)) < 0)
        return internal_error(req);
    gy_jw_obj_begin(&req->w);
    gy_jw_key(&req->w, "ShardIterator");
    gy_jw_cstr(&req->w, tok);
    gy_jw_obj_end(&req->w);
    return 0;
}

int gy_streams__get_shard_iterator(struct gy_aws_req *req)
{
    struct gy_streams *s = req->ctx;
    struct iter_args a = {0};
    struct gy_store_txn *txn;
    struct gy_streams_stream st;
    struct gy_streams_shard sh;
    uint64_t start, pos = 0;
    bool stream_found;

    if (parse_iter_args(req, &a))
        return GY_EAWS;
    struct gy_ddb_table *t = gy_streams__table(req, a.table);
    if (!t)
        return gy_streams__not_found(req, a.arn);
    if (gy_ddb_shard_id_parse(a.shard_id, t->id, a.created, &start))
        return shard_missing(req);
    if (gy_store_read_begin(s->ddb->store, &txn))
        return internal_error(req);
    int rc = find_shard(txn, req->arena, t, a.created, start, &st, &sh, &stream_found);
    if (rc == 0)
        rc = start_position(req, txn, t, &sh, &a, &pos);
    gy_store_read_end(txn);
    if (rc == GY_ENOTFOUND)
        return stream_found ? shard_missing(req) : gy_streams__not_found(req, a.arn);
    if (rc)
        return rc == GY_EAWS ? rc : internal_error(req);

    struct gy_streams_iter it = {.table_id = t->id,
                                 .stream_created_ms = a.created,
                                 .shard_start = start,
                                 .position = pos,
                                 .issued_ms = gy_now_ms()};
    snprintf(it.table, sizeof(it.table), "%s", t->name);
    return respond_iterator(req, &it);
}

/* ---- GetRecords ---- */

struct page {
    struct gy_buf rec; /* one record's JSON */
    struct gy_jw rw;   /* writer over rec */
    size_t bytes;      /* response bytes so far */
    size_t count;      /* records written */
};

/*
 * Write up to limit records of shard sh from *pos on, stopping before the response passes
 * 1 MB (at least one record is always returned). Advances *pos past the last one written.
 */
static int write_records(struct gy_aws_req *req, struct gy_store_txn *txn,
                         const struct gy_ddb_table *t, const struct gy_streams_stream *st,
                         const struct gy_streams_shard *sh, size_t limit, uint64_t *pos)
{
    enum gy_streams_view view = GY_STREAMS_KEYS_ONLY;
    struct page pg = {.bytes = req->out.len};
    uint64_t to = sh->closed ? sh->last : 0;
    int rc = 0;
    bool full = false;

    gy_streams__view_parse(st->info.view, &view);
    gy_buf_init(&pg.rec, RECORD_JSON_MAX);
    while (!full && pg.count < limit) {
        struct gy_ddb_log_record *r;
        size_t n, want = limit - pg.count < READ_CHUNK ? limit - pg.count : READ_CHUNK;
        rc = gy_ddb_log_read(txn, req->arena, t->id, *pos, to, want, &r, &n);
        if (rc)
            break;
        for (size_t i = 0; i < n; i++) {
            gy_buf_reset(&pg.rec);
            gy_jw_init(&pg.rw, &pg.rec);
            gy_streams__record_json(&pg.rw, &r[i], t->id, view, req->region);
            if (pg.rw.err) {
                rc = pg.rw.err;
                break;
            }
            if (pg.count && pg.bytes + pg.rec.len + 1 > GY_STREAMS_MAX_RESPONSE) {
                full = true;
                break;
            }
            gy_jw_raw(&req->w, gy_buf_str(&pg.rec));
            pg.bytes += pg.rec.len + 1;
            pg.count++;
            *pos = r[i].seq + 1;
        }
        if (rc || n < want)
            break;
    }
    gy_buf_fini(&pg.rec);
    return rc;
}

int gy_streams__get_records(struct gy_aws_req *req)
{
    struct gy_streams *s = req->ctx;
    struct gy_str tok;
    struct gy_streams_iter it;
    struct gy_store_txn *txn;
    struct gy_streams_stream st;
    struct gy_streams_shard sh;
    int64_t limit;
    bool stream_found;
    int64_t now = gy_now_ms();

    if (gy_streams__str_arg(req, "ShardIterator", "shardIterator", true, &tok) ||
        gy_streams__limit(req, MAX_RECORDS, MAX_RECORDS, &limit))
        return GY_EAWS;
    if (gy_streams__iter_decode(s->key, tok, &it))
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION, "Invalid ShardIterator");
    if (gy_streams__iter_expired(&it, now, s->iter_ttl_ms))
        return gy_error_set(&req->err, req->arena, GY_AWS_EXPIRED_ITERATOR, "Iterator expired");

    struct gy_ddb_table *t = gy_streams__table(req, gy_str_c(it.table));
    if (!t || t->id != it.table_id) {
        char label[48];
        gy_ddb_stream_label(it.stream_created_ms, label);
        return gy_error_set(&req->err, req->arena, GY_AWS_RESOURCE_NOT_FOUND,
                            "Requested resource not found: Stream: arn:aws:dynamodb:%s:%s:table/"
                            "%s/stream/%s not found",
                            req->region, req->account, it.table, label);
    }
    if (gy_store_read_begin(s->ddb->store, &txn))
        return internal_error(req);
    uint64_t pos = it.position;
    int rc = find_shard(txn, req->arena, t, it.stream_created_ms, it.shard_start, &st, &sh,
                        &stream_found);
    if (rc == GY_ENOTFOUND && stream_found) {
        /* Trimming deletes a shard only once all of its records are gone. */
        rc = pos < first_retained(txn, t->id) ? trimmed(req) : shard_missing(req);
    } else if (rc == GY_ENOTFOUND) {
        rc = gy_streams__not_found(req,
                                   gy_str_c(gy_streams__arn(req->arena, t, it.stream_created_ms)));
    } else if (rc) {
        rc = internal_error(req);
    }
    bool drained = rc == 0 && sh.closed && pos > sh.last;
    if (rc == 0 && !drained && pos < first_retained(txn, t->id))
        rc = trimmed(req);
    if (rc) {
        gy_store_read_end(txn);
        return rc;
    }

    gy_jw_obj_begin(&req->w);
    gy_jw_key(&req->w, "Records");
    gy_jw_arr_begin(&req->w);
    if (!drained && write_records(req, txn, t, &st, &sh, (size_t)limit, &pos)) {
        gy_store_read_end(txn);
        return internal_error(req);
    }
    gy_store_read_end(txn);
    gy_jw_arr_end(&req->w);
    if (!(sh.closed && pos > sh.last)) {
        char next[GY_STREAMS_ITER_MAX];
        it.position = pos;
        it.issued_ms = now;
        if (gy_streams__iter_encode(s->key, &it, next, sizeof(next)) < 0)
            return internal_error(req);
        gy_jw_key(&req->w, "NextShardIterator");
        gy_jw_cstr(&req->w, next);
    }
    gy_jw_obj_end(&req->w);
    return 0;
}

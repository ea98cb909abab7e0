/*
 * limits.c — per-shard throughput limits as AWS enforces them, as token buckets that refill
 * continuously and hold one second's worth:
 *
 *   writes: 1 MiB/s (data and partition keys) and 1,000 records/s per shard. A record is
 *           admitted while the byte bucket is not in debt (so a single 1 MiB record fits) and a
 *           record token is left; it takes its cost, possibly driving the bytes below zero, so
 *           the sustained rate stays at the limit. Used only on the store's writer thread
 *           (inside PutRecord/PutRecords jobs): no lock. On by default;
 *           GYRE_KINESIS_WRITE_LIMITS=0 turns them off (load tests).
 *   reads:  5 GetRecords calls/s and 2 MiB/s per shard. A call is admitted while a call token
 *           is left and the byte bucket is not in debt; what it returned is charged afterwards,
 *           so a 10 MiB answer keeps the shard throttled for five seconds, as on AWS.
 *           GetRecords runs on the I/O threads, so this table has a mutex (a leaf lock). Off by
 *           default (GYRE_KINESIS_READ_LIMITS=1 turns them on): consumers written against a
 *           local endpoint rarely back off.
 *
 * Each table is fixed and open-addressed; a full probe window reuses a slot idle for more than
 * a second (its bucket would be full again anyway) or, failing that, admits.
 * See docs/kinesis.md, "Throughput limits".
 */
#include "kinesis/kinesis_int.h"

#include <string.h>

#include "core/mem.h"

#define SLOTS 4096
#define PROBE 16

struct rate {
    double units; /* per second, and the bucket's capacity: calls or records */
    double bytes; /* per second, and the bucket's capacity */
};

static const struct rate write_rate = {1000.0, 1024.0 * 1024.0};
static const struct rate read_rate = {5.0, 2.0 * 1024.0 * 1024.0};

struct bucket {
    uint32_t stream_id;  /* 0: free (stream ids start at 1) */
    uint32_t shard;
    int64_t at_ms;       /* last refill */
    double units;        /* record or call tokens */
    double bytes;        /* byte tokens (may be negative: debt) */
};

struct gy_kin_limits {
    pthread_mutex_t lock;   /* read limits only: guards b */
    struct bucket b[SLOTS];
};

struct gy_kin_limits *gy_kin__limits_create(void)
{
    struct gy_kin_limits *l = gy_calloc(1, sizeof(*l));
    pthread_mutex_init(&l->lock, NULL);
    return l;
}

void gy_kin__limits_destroy(struct gy_kin_limits *l)
{
    if (!l)
        return;
    pthread_mutex_destroy(&l->lock);
    gy_free(l);
}

/* The shard's bucket, refilled to now; NULL when the probe window is busy. */
static struct bucket *bucket(struct gy_kin_limits *l, const struct rate *r, uint32_t id,
                             uint32_t shard, int64_t now)
{
    uint32_t h = (id * 2654435761u) ^ (shard * 40503u);
    struct bucket *b = NULL, *idle = NULL;
    for (uint32_t i = 0; i < PROBE && !b; i++) {
        struct bucket *s = &l->b[(h + i) % SLOTS];
        if (s->stream_id == id && s->shard == shard)
            b = s;
        else if (!idle && (s->stream_id == 0 || now - s->at_ms > 1000))
            idle = s;
    }
    if (!b && idle) {
        *idle = (struct bucket){id, shard, now, r->units, r->bytes};
        b = idle;
    }
    if (b && now > b->at_ms) {
        double s = (double)(now - b->at_ms) / 1000.0;
        b->units = b->units + s * r->units > r->units ? r->units : b->units + s * r->units;
        b->bytes = b->bytes + s * r->bytes > r->bytes ? r->bytes : b->bytes + s * r->bytes;
        b->at_ms = now;
    }
    return b;
}

bool gy_kin__write_admit(struct gy_kin *k, uint32_t stream_id, uint32_t shard, size_t bytes,
                         int64_t now)
{
    struct bucket *b = k->limits ? bucket(k->limits, &write_rate, stream_id, shard, now) : NULL;
    if (!b)
        return true;
    if (b->bytes <= 0 || b->units < 1.0)
        return false;
    b->bytes -= (double)bytes;
    b->units -= 1.0;
    return true;
}

bool gy_kin__read_admit(struct gy_kin *k, uint32_t stream_id, uint32_t shard, int64_t now)
{
    bool ok = true;
    if (!k->read_limits)
        return true;
    pthread_mutex_lock(&k->read_limits->lock);
    struct bucket *b = bucket(k->read_limits, &read_rate, stream_id, shard, now);
    if (b && (b->units < 1.0 || b->bytes <= 0))
        ok = false;
    else if (b)
        b->units -= 1.0;
    pthread_mutex_unlock(&k->read_limits->lock);
    return ok;
}

void gy_kin__read_charge(struct gy_kin *k, uint32_t stream_id, uint32_t shard, size_t bytes,
                         int64_t now)
{
    if (!k->read_limits || !bytes)
        return;
    pthread_mutex_lock(&k->read_limits->lock);
    struct bucket *b = bucket(k->read_limits, &read_rate, stream_id, shard, now);
    if (b)
        b->bytes -= (double)bytes;
    pthread_mutex_unlock(&k->read_limits->lock);
}

/*
 * limits.c — per-shard write limits as AWS enforces them: 1 MiB/s (data and partition keys)
 * and 1,000 records/s per shard, as token buckets that refill continuously and hold one
 * second's worth. A record is admitted while the shard's byte bucket is not in debt (so a
 * single 1 MiB record fits) and a whole record token is left; admitted records take their
 * cost, possibly driving the byte bucket below zero, so the sustained rate stays at the limit.
 *
 * The table is used only on the store's writer thread (inside PutRecord/PutRecords jobs), so
 * it needs no lock. It is a fixed open-addressed table; a full table evicts a slot idle for
 * more than a second (its bucket would be full again anyway) or, failing that, admits.
 * GYRE_KINESIS_WRITE_LIMITS=0 switches the limits off (load tests). See docs/kinesis.md.
 */
#include "kinesis/kinesis_int.h"

#include <string.h>

#include "core/mem.h"

#define SLOTS 4096
#define PROBE 16
#define BYTES_PER_S (1024.0 * 1024.0)
#define RECORDS_PER_S 1000.0

struct bucket {
    uint32_t stream_id;  /* 0: free */
    uint32_t shard;
    int64_t at_ms;       /* last refill */
    double bytes;        /* byte tokens (may be negative: debt) */
    double records;      /* record tokens */
};

struct gy_kin_limits {
    struct bucket b[SLOTS];
};

struct gy_kin_limits *gy_kin__limits_create(void)
{
    return gy_calloc(1, sizeof(struct gy_kin_limits));
}

void gy_kin__limits_destroy(struct gy_kin_limits *l)
{
    gy_free(l);
}

static struct bucket *find(struct gy_kin_limits *l, uint32_t id, uint32_t shard, int64_t now)
{
    uint32_t h = (id * 2654435761u) ^ (shard * 40503u);
    struct bucket *idle = NULL;
    for (uint32_t i = 0; i < PROBE; i++) {
        struct bucket *b = &l->b[(h + i) % SLOTS];
        if (b->stream_id == id && b->shard == shard)
            return b;
        if (!idle && (b->stream_id == 0 || now - b->at_ms > 1000))
            idle = b;
    }
    if (idle) {
        *idle = (struct bucket){id, shard, now, BYTES_PER_S, RECORDS_PER_S};
    }
    return idle;
}

bool gy_kin__write_admit(struct gy_kin *k, uint32_t stream_id, uint32_t shard, size_t bytes,
                         int64_t now)
{
    if (!k->limits)
        return true;
    struct bucket *b = find(k->limits, stream_id, shard, now);
    if (!b)
        return true;
    if (now > b->at_ms) {
        double s = (double)(now - b->at_ms) / 1000.0;
        b->bytes += s * BYTES_PER_S;
        b->records += s * RECORDS_PER_S;
        if (b->bytes > BYTES_PER_S)
            b->bytes = BYTES_PER_S;
        if (b->records > RECORDS_PER_S)
            b->records = RECORDS_PER_S;
        b->at_ms = now;
    }
    if (b->bytes <= 0 || b->records < 1.0)
        return false;
    b->bytes -= (double)bytes;
    b->records -= 1.0;
    return true;
}

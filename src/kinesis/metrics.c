/*
 * metrics.c — in-memory Kinesis counters per stream and per shard (kinesis.h,
 * gy_kin_metrics_snapshot) for the CloudWatch publisher. One mutex guards the table; it is
 * taken once per request (after the write is durable or the read is done), never while the
 * store is held, and fn() of a snapshot runs under it. Streams are few, so the table is a
 * small array searched linearly; shards of a stream sit in an array indexed by shard index.
 * Lock order: none other is taken while it is held. See docs/kinesis.md, "Metrics".
 */
#include "kinesis/kinesis_int.h"

#include <string.h>

#include "core/mem.h"

const char *const gy_kin__metric_names[GY_KIN_M__COUNT] = {
#define GY__KIN_NAME(e, s) [GY_KIN_M_##e] = s,
    GY_KIN_METRIC_NAMES(GY__KIN_NAME)
#undef GY__KIN_NAME
};

static const char *const counter_names[GY_KIN_C__COUNT] = {
#define GY__KIN_CNAME(e, name, unit) [GY_KIN_C_##e] = name,
    GY_KIN_COUNTERS(GY__KIN_CNAME)
#undef GY__KIN_CNAME
};

static const char *const counter_units[GY_KIN_C__COUNT] = {
#define GY__KIN_CUNIT(e, name, unit) [GY_KIN_C_##e] = unit,
    GY_KIN_COUNTERS(GY__KIN_CUNIT)
#undef GY__KIN_CUNIT
};

#define MAX_STREAMS 4096      /* streams tracked at once (more are not counted) */
#define MAX_SHARD_INDEX 65536 /* shard indexes tracked per stream */

struct shard_row {
    bool used;                       /* has been counted */
    uint64_t v[GY_KIN_C__COUNT];
};

struct stream_row {
    char name[GY_KIN_NAME_MAX + 1];
    uint32_t enhanced;               /* enhanced-monitoring bits */
    uint64_t v[GY_KIN_C__COUNT];
    struct shard_row *shards;        /* indexed by shard index */
    size_t nshards;                  /* allocated entries */
};

struct gy_kin_metrics {
    pthread_mutex_t lock;            /* guards everything below */
    struct stream_row *rows;
    size_t n, cap;
};

const char *gy_kin_counter_name(enum gy_kin_counter c)
{
    return c < GY_KIN_C__COUNT ? counter_names[c] : "";
}

const char *gy_kin_counter_unit(enum gy_kin_counter c)
{
    return c < GY_KIN_C__COUNT ? counter_units[c] : "";
}

struct gy_kin_metrics *gy_kin__metrics_create(void)
{
    struct gy_kin_metrics *m = gy_calloc(1, sizeof(*m));
    pthread_mutex_init(&m->lock, NULL);
    return m;
}

void gy_kin__metrics_destroy(struct gy_kin_metrics *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++)
        gy_free(m->rows[i].shards);
    gy_free(m->rows);
    pthread_mutex_destroy(&m->lock);
    gy_free(m);
}

/* The stream's row, created on first use; NULL when the table is full. Lock held. */
static struct stream_row *row(struct gy_kin_metrics *m, const char *stream)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->rows[i].name, stream) == 0)
            return &m->rows[i];
    size_t len = strlen(stream);
    if (m->n == MAX_STREAMS || len > GY_KIN_NAME_MAX)
        return NULL;
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 8;
        m->rows = gy_reallocarray(m->rows, m->cap, sizeof(*m->rows));
    }
    struct stream_row *r = &m->rows[m->n++];
    memset(r, 0, sizeof(*r));
    memcpy(r->name, stream, len + 1);
    return r;
}

static uint64_t *slot(struct gy_kin_metrics *m, const char *stream, int64_t shard,
                      enum gy_kin_counter c, uint64_t **shard_slot)
{
    struct stream_row *r = row(m, stream);
    *shard_slot = NULL;
    if (!r)
        return NULL;
    if (shard >= 0 && shard < MAX_SHARD_INDEX) {
        if ((size_t)shard >= r->nshards) {
            size_t n = r->nshards ? r->nshards : 8;
            while (n <= (size_t)shard)
                n *= 2;
            r->shards = gy_reallocarray(r->shards, n, sizeof(*r->shards));
            memset(r->shards + r->nshards, 0, (n - r->nshards) * sizeof(*r->shards));
            r->nshards = n;
        }
        r->shards[shard].used = true;
        *shard_slot = &r->shards[shard].v[c];
    }
    return &r->v[c];
}

void gy_kin__metric_add(struct gy_kin *k, const char *stream, int64_t shard, enum gy_kin_counter c,
                        uint64_t v)
{
    uint64_t *s, *sh;
    pthread_mutex_lock(&k->metrics->lock);
    if ((s = slot(k->metrics, stream, shard, c, &sh)))
        *s += v;
    if (sh)
        *sh += v;
    pthread_mutex_unlock(&k->metrics->lock);
}

void gy_kin__metric_max(struct gy_kin *k, const char *stream, int64_t shard, enum gy_kin_counter c,
                        uint64_t v)
{
    uint64_t *s, *sh;
    pthread_mutex_lock(&k->metrics->lock);
    if ((s = slot(k->metrics, stream, shard, c, &sh)) && *s < v)
        *s = v;
    if (sh && *sh < v)
        *sh = v;
    pthread_mutex_unlock(&k->metrics->lock);
}

void gy_kin__metrics_enhanced(struct gy_kin *k, const char *stream, uint32_t bits)
{
    pthread_mutex_lock(&k->metrics->lock);
    struct stream_row *r = row(k->metrics, stream);
    if (r)
        r->enhanced = bits;
    pthread_mutex_unlock(&k->metrics->lock);
}

void gy_kin__metrics_forget(struct gy_kin *k, const char *stream)
{
    struct gy_kin_metrics *m = k->metrics;
    pthread_mutex_lock(&m->lock);
    for (size_t i = 0; i < m->n; i++) {
        if (strcmp(m->rows[i].name, stream) != 0)
            continue;
        gy_free(m->rows[i].shards);
        m->rows[i] = m->rows[--m->n];
        break;
    }
    pthread_mutex_unlock(&m->lock);
}

void gy_kin_metrics_snapshot(struct gy_kin *k,
                             void (*fn)(void *arg, const struct gy_kin_metric_row *row), void *arg)
{
    struct gy_kin_metrics *m = k->metrics;
    struct gy_kin_metric_row out;
    char id[24];
    pthread_mutex_lock(&m->lock);
    for (size_t i = 0; i < m->n; i++) {
        struct stream_row *r = &m->rows[i];
        memset(&out, 0, sizeof(out));
        out.stream = r->name;
        out.enhanced = r->enhanced;
        memcpy(out.v, r->v, sizeof(out.v));
        fn(arg, &out);
        r->v[GY_KIN_C_ITERATOR_AGE_MS] = 0;
        for (size_t s = 0; s < r->nshards; s++) {
            if (!r->shards[s].used)
                continue;
            gy_kin__shard_id((uint32_t)s, id);
            out.shard = id;
            memcpy(out.v, r->shards[s].v, sizeof(out.v));
            fn(arg, &out);
            r->shards[s].v[GY_KIN_C_ITERATOR_AGE_MS] = 0;
        }
    }
    pthread_mutex_unlock(&m->lock);
}

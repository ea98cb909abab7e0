/*
 * lookup.c — stream ARNs and labels, and the view of a table's streams and shards that the API
 * shows, built from the change log's bookkeeping (dynamodb/changelog.h) in one read snapshot.
 *
 * Two gaps of the log's records are bridged here, so callers see a consistent picture:
 *  1. The log writes a stream's record at the stream's first append. A stream enabled with no
 *     write yet is synthesized ("pending") with one open shard starting at the table's next
 *     sequence number: exactly the shard (and shard id) the first append will create.
 *  2. A stream closed while empty records its last shard as [first, first], but that sequence
 *     number belongs to the next stream. Every stream is therefore bounded by the next newer
 *     stream's first sequence number (limit_seq), and a shard clamped below its start is empty.
 * See docs/streams.md, "Streams and shards".
 */
#include "streams/streams_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "dynamodb/table.h"

#define ARN_PREFIX "arn:aws:dynamodb:"
#define STREAM_SEP "/stream/"
#define LABEL_LEN 23

static bool digits(const char *p, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        v = v * 10 + (p[i] - '0');
    }
    *out = v;
    return true;
}

int gy_streams__label_parse(struct gy_str label, int64_t *ms)
{
    const char *p = label.p;
    int y, mo, d, h, mi, s, frac;
    if (label.len != LABEL_LEN || p[4] != '-' || p[7] != '-' || p[10] != 'T' || p[13] != ':' ||
        p[16] != ':' || p[19] != '.')
        return GY_EINVAL;
    if (!digits(p, 4, &y) || !digits(p + 5, 2, &mo) || !digits(p + 8, 2, &d) ||
        !digits(p + 11, 2, &h) || !digits(p + 14, 2, &mi) || !digits(p + 17, 2, &s) ||
        !digits(p + 20, 3, &frac) || y < 1970)
        return GY_EINVAL;
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = mo - 1,
                    .tm_mday = d,
                    .tm_hour = h,
                    .tm_min = mi,
                    .tm_sec = s};
    time_t secs = timegm(&tm);
    if (secs < 0)
        return GY_EINVAL;
    int64_t v = (int64_t)secs * 1000 + frac;
    /* Only the canonical text of a real instant (no 31 February, no 25:00). */
    char back[48];
    gy_ddb_stream_label(v, back);
    if (strlen(back) != LABEL_LEN || memcmp(back, p, LABEL_LEN) != 0)
        return GY_EINVAL;
    *ms = v;
    return 0;
}

int gy_streams__arn_parse(struct gy_str arn, const char *region, const char *account,
                          struct gy_str *table, int64_t *created_ms)
{
    const size_t plen = sizeof(ARN_PREFIX) - 1;
    if (!arn.p || arn.len <= plen || memcmp(arn.p, ARN_PREFIX, plen) != 0)
        return GY_EINVAL;
    const char *p = arn.p + plen, *end = arn.p + arn.len;
    const char *c1 = memchr(p, ':', (size_t)(end - p));
    if (!c1)
        return GY_EINVAL;
    const char *c2 = memchr(c1 + 1, ':', (size_t)(end - c1 - 1));
    if (!c2 || (size_t)(end - c2) < 7 || memcmp(c2 + 1, "table/", 6) != 0)
        return GY_EINVAL;
    const char *name = c2 + 7;
    const char *sep = memmem(name, (size_t)(end - name), STREAM_SEP, sizeof(STREAM_SEP) - 1);
    if (!sep || sep == name)
        return GY_EINVAL;
    struct gy_str label = {sep + sizeof(STREAM_SEP) - 1,
                           (size_t)(end - sep) - (sizeof(STREAM_SEP) - 1)};
    struct gy_str tname = {name, (size_t)(sep - name)};
    if (tname.len > 255 || memchr(tname.p, '/', tname.len) ||
        gy_streams__label_parse(label, created_ms))
        return GY_EINVAL;
    struct gy_str rg = {p, (size_t)(c1 - p)}, acct = {c1 + 1, (size_t)(c2 - c1 - 1)};
    if (!gy_str_eqc(rg, region) || !gy_str_eqc(acct, account))
        return GY_ENOTFOUND;
    *table = tname;
    return 0;
}

char *gy_streams__arn(struct gy_arena *a, const struct gy_ddb_table *t, int64_t created_ms)
{
    char label[48];
    gy_ddb_stream_label(created_ms, label);
    return gy_arena_printf(a, "%s" STREAM_SEP "%s", t->arn, label);
}

int gy_streams__streams(struct gy_store_txn *txn, struct gy_arena *a, const struct gy_ddb_table *t,
                        struct gy_streams_stream **out, size_t *n)
{
    struct gy_ddb_stream_info *info;
    size_t k, j = 0;
    bool have_current = !t->stream_enabled;

    if (gy_ddb_log_streams(txn, a, t, &info, &k))
        return GY_EIO;
    for (size_t i = 0; i < k; i++)
        if (info[i].created_ms == t->stream_created_ms)
            have_current = true;
    *out = gy_arena_calloc(a, k + 1, sizeof(**out));
    if (!have_current) {
        /* Enabled, nothing written since: the stream the next append will record. */
        struct gy_streams_stream *s = &(*out)[j++];
        uint64_t first, next;
        gy_ddb_log_bounds(txn, t->id, &first, &next);
        s->info.created_ms = t->stream_created_ms;
        snprintf(s->info.view, sizeof(s->info.view), "%s", t->stream_view);
        s->info.first_seq = next;
        s->info.enabled = true;
        s->pending = true;
    }
    for (size_t i = 0; i < k; i++)
        (*out)[j++].info = info[i];
    for (size_t i = 0; i < j; i++) {
        uint64_t newer_first = i ? (*out)[i - 1].info.first_seq : 0;
        (*out)[i].limit_seq = i == 0 ? UINT64_MAX : newer_first ? newer_first - 1 : 0;
    }
    *n = j;
    return 0;
}

int gy_streams__stream_find(struct gy_store_txn *txn, struct gy_arena *a,
                            const struct gy_ddb_table *t, int64_t created_ms,
                            struct gy_streams_stream *out)
{
    struct gy_streams_stream *all;
    size_t n;
    if (gy_streams__streams(txn, a, t, &all, &n))
        return GY_EIO;
    for (size_t i = 0; i < n; i++)
        if (all[i].info.created_ms == created_ms) {
            *out = all[i];
            return 0;
        }
    return GY_ENOTFOUND;
}

int gy_streams__shards(struct gy_store_txn *txn, struct gy_arena *a, const struct gy_ddb_table *t,
                       const struct gy_streams_stream *st, struct gy_streams_shard **out, size_t *n)
{
    struct gy_ddb_shard_info *sh;
    size_t k;

    if (st->pending) {
        *out = gy_arena_calloc(a, 1, sizeof(**out));
        (*out)[0].start = st->info.first_seq;
        *n = 1;
        return 0;
    }
    if (gy_ddb_log_shards(txn, a, t, st->info.created_ms, &sh, &k))
        return GY_EIO;
    *out = gy_arena_calloc(a, k ? k : 1, sizeof(**out));
    for (size_t i = 0; i < k; i++) {
        struct gy_streams_shard *s = &(*out)[i];
        s->start = sh[i].start_seq;
        s->parent = sh[i].parent_start_seq;
        s->closed = sh[i].end_seq != 0;
        s->last = sh[i].end_seq;
        if (st->limit_seq != UINT64_MAX && (!s->closed || s->last > st->limit_seq)) {
            s->closed = true;
            s->last = st->limit_seq;
        }
        if (s->closed && s->last < s->start)
            s->last = s->start - 1; /* empty */
    }
    *n = k;
    return 0;
}

/*
 * seqnum.c — Kinesis sequence numbers: 56-digit decimal strings, as AWS's are, that increase
 * within a shard and never collide across shards or streams.
 *
 * Digits: "49" | stream id (10) | shard index (10) | position (20) | time ms (13) | "2".
 * Fixed width means numeric order equals text order; position is the most significant part
 * that varies within a shard, so record order is numeric order (the time part only breaks no
 * ties: positions are unique). A shard's StartingSequenceNumber has position 0 (records start
 * at 1); a closed shard's EndingSequenceNumber has its last position and time 9999999999999.
 */
#include "kinesis/kinesis_int.h"

#include <stdio.h>
#include <string.h>

void gy_kin__seq_format(const struct gy_kin_seq *s, char out[GY_KIN_SEQ_LEN + 1])
{
    int64_t t = s->time_ms < 0 ? 0 : s->time_ms > GY_KIN_SEQ_END_TIME ? GY_KIN_SEQ_END_TIME
                                                                       : s->time_ms;
    snprintf(out, GY_KIN_SEQ_LEN + 1, "49%010u%010u%020llu%013lld2", s->stream_id, s->shard,
             (unsigned long long)s->position, (long long)t);
}

static bool digits(const char *p, size_t n, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        unsigned d = (unsigned)(p[i] - '0');
        if (v > (max - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

int gy_kin__seq_parse(struct gy_str text, struct gy_kin_seq *out)
{
    uint64_t id, shard, pos, t;
    const char *p = text.p;
    if (!p || text.len != GY_KIN_SEQ_LEN || p[0] != '4' || p[1] != '9' ||
        p[GY_KIN_SEQ_LEN - 1] != '2')
        return GY_EINVAL;
    if (!digits(p + 2, 10, UINT32_MAX, &id) || !digits(p + 12, 10, UINT32_MAX, &shard) ||
        !digits(p + 22, 20, UINT64_MAX, &pos) ||
        !digits(p + 42, 13, (uint64_t)GY_KIN_SEQ_END_TIME, &t))
        return GY_EINVAL;
    out->stream_id = (uint32_t)id;
    out->shard = (uint32_t)shard;
    out->position = pos;
    out->time_ms = (int64_t)t;
    return 0;
}

bool gy_kin__seq_valid(struct gy_str s)
{
    if (!s.p || s.len == 0 || s.len > 129)
        return false;
    if (s.p[0] == '0')
        return s.len == 1;
    for (size_t i = 0; i < s.len; i++)
        if (s.p[i] < '0' || s.p[i] > '9')
            return false;
    return true;
}

int gy_kin__seq_cmp(struct gy_str a, struct gy_str b)
{
    if (a.len != b.len)
        return a.len < b.len ? -1 : 1;
    int c = memcmp(a.p, b.p, a.len);
    return c < 0 ? -1 : c > 0;
}

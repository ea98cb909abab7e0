/*
 * hlc.c — see hlc.h.
 */
#include "core/hlc.h"

#include "core/clock.h"

uint64_t gy_hlc_next(struct gy_hlc *h)
{
    uint64_t wall = (uint64_t)gy_now_ms() << 16;
    h->last = wall > h->last ? wall : h->last + 1;
    return h->last;
}

void gy_hlc_observe(struct gy_hlc *h, uint64_t t)
{
    if (t > h->last)
        h->last = t;
}

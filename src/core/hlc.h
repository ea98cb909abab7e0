/*
 * hlc.h — a hybrid logical clock: 48 bits of wall-clock milliseconds and a 16-bit counter.
 * Every item version carries one (with its origin region); last-writer-wins compares them,
 * so timestamps must never go backwards in a region even if the wall clock does, and must
 * move past every timestamp the region has seen from its peers. Not thread-safe: one owner
 * (the store's writer thread) advances it.
 */
#ifndef GY_CORE_HLC_H
#define GY_CORE_HLC_H

#include <stdint.h>

struct gy_hlc {
    uint64_t last; /* the largest timestamp issued or observed */
};

/** A new timestamp, greater than every one issued or observed before. */
uint64_t gy_hlc_next(struct gy_hlc *h);
/** Note a timestamp seen from elsewhere (a peer's change, a stored record). */
void gy_hlc_observe(struct gy_hlc *h, uint64_t t);
/** The wall-clock milliseconds part. */
static inline int64_t gy_hlc_ms(uint64_t t)
{
    return (int64_t)(t >> 16);
}

#endif

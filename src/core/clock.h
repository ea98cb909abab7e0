/*
 * clock.h — wall-clock and monotonic time in the units Gyre uses everywhere.
 */
#ifndef GY_CORE_CLOCK_H
#define GY_CORE_CLOCK_H

#include <stdint.h>

/** Milliseconds since the Unix epoch (wall clock). */
int64_t gy_now_ms(void);
/** Monotonic milliseconds (for timeouts and durations). */
int64_t gy_mono_ms(void);
/** Random bytes from the OS (getrandom); aborts if the OS cannot provide them. */
void gy_random(void *buf, unsigned n);
/** A random UUID v4 string into out (37 bytes with NUL). */
void gy_uuid4(char out[37]);

#endif

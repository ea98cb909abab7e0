/*
 * timefmt.h — the timestamp texts AWS protocols carry: ISO 8601 (query/XML, JSON strings) and
 * IMF-fixdate (HTTP headers), to and from milliseconds since the epoch (UTC).
 */
#ifndef GY_CORE_TIMEFMT_H
#define GY_CORE_TIMEFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/str.h"

/**
 * Parse "YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM|±HHMM)" (a date alone, "YYYY-MM-DD", is
 * midnight UTC; 't'/'z' accepted in lower case) into *ms. Returns 0 or GY_EINVAL.
 */
int gy_time_parse_iso8601(struct gy_str s, int64_t *ms);
#define GY_TIME_ISO_MAX 40 /* an ISO 8601 text with the NUL, any representable year */

/**
 * Format ms as "YYYY-MM-DDTHH:MM:SS.mmmZ" (more year digits or a sign outside 0000..9999);
 * returns its length (without the NUL).
 */
size_t gy_time_format_iso8601(int64_t ms, char out[GY_TIME_ISO_MAX]);

/**
 * Epoch seconds of a timestamp text as the protocols send it, whatever the member's declared
 * format: epoch seconds ([+-]D+[.D+]), ISO 8601 (YYYY-MM-DD[(T| )hh:mm[:ss[.f]][Z|±hh[[:]mm]]],
 * no zone meaning UTC; fractions to the nanosecond, rounded once as Python's
 * datetime.timestamp() does) or RFC 822/1123. False when it is none of them.
 */
bool gy_time_parse_text(struct gy_str s, double *secs);
/** Parse "Wed, 25 Nov 2026 00:46:04 GMT". Returns 0 or GY_EINVAL. */
int gy_time_parse_http_date(struct gy_str s, int64_t *ms);
/** Format ms as an IMF-fixdate (30 bytes with the NUL). */
void gy_time_format_http_date(int64_t ms, char out[30]);

#endif

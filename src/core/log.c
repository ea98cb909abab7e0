/*
 * log.c — see log.h. One fprintf per line so lines from different threads do not interleave.
 */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum gy_log_level gy_log_level_current = GY_LOG_INFO;
static char log_region[32] = "-";

void gy_log_setup(enum gy_log_level level, const char *region)
{
    gy_log_level_current = level;
    if (region)
        snprintf(log_region, sizeof(log_region), "%s", region);
}

void gy_log_write(enum gy_log_level level, const char *fmt, ...)
{
    static const char *names[] = { "error", "warn", "info", "debug" };
    char msg[1024], when[32];
    struct timespec ts;
    struct tm tm;
    va_list ap;

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s.%03ldZ %s [%s] %s\n", when, ts.tv_nsec / 1000000, names[level], log_region,
            msg);
}

void gy_assert_fail(const char *expr, const char *file, int line)
{
    fprintf(stderr, "gyre: assertion failed: %s at %s:%d\n", expr, file, line);
    fflush(stderr);
    abort();
}

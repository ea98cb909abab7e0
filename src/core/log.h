/*
 * log.h — leveled logging to stderr. The level is checked before formatting, so disabled
 * levels cost one comparison. Lines carry a timestamp, the level and (set once at start-up)
 * the region. Never log secret keys.
 */
#ifndef GY_CORE_LOG_H
#define GY_CORE_LOG_H

enum gy_log_level { GY_LOG_ERROR = 0, GY_LOG_WARN, GY_LOG_INFO, GY_LOG_DEBUG };

extern enum gy_log_level gy_log_level_current;

/** Set the level and the region tag printed on every line (region is copied). */
void gy_log_setup(enum gy_log_level level, const char *region);
void gy_log_write(enum gy_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define gy_log(level, ...)                                                                        \
    do {                                                                                          \
        if ((level) <= gy_log_level_current)                                                      \
            gy_log_write((level), __VA_ARGS__);                                                   \
    } while (0)
#define gy_log_error(...) gy_log(GY_LOG_ERROR, __VA_ARGS__)
#define gy_log_warn(...) gy_log(GY_LOG_WARN, __VA_ARGS__)
#define gy_log_info(...) gy_log(GY_LOG_INFO, __VA_ARGS__)
#define gy_log_debug(...) gy_log(GY_LOG_DEBUG, __VA_ARGS__)

/** Abort with file, line and message when cond is false. Always on; only for invariants. */
#define gy_assert(cond)                                                                           \
    do {                                                                                          \
        if (!(cond))                                                                              \
            gy_assert_fail(#cond, __FILE__, __LINE__);                                            \
    } while (0)
_Noreturn void gy_assert_fail(const char *expr, const char *file, int line);

#endif

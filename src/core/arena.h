/*
 * arena.h — per-request memory arena with a cleanup list (nginx's pool, h2o's mem_pool).
 *
 * Everything parsed from a request comes from its arena and is freed at once when the arena is
 * destroyed. Non-memory resources (an LMDB read transaction, a cJSON tree) register a cleanup
 * that runs, newest first, at destroy. An arena is used by one thread at a time.
 */
#ifndef GY_CORE_ARENA_H
#define GY_CORE_ARENA_H

#include <stdarg.h>
#include <stddef.h>

#include "core/str.h"

struct gy_arena;

typedef void (*gy_cleanup_fn)(void *arg);

/** Create an arena whose first block holds about block_size bytes. Never returns NULL. */
struct gy_arena *gy_arena_create(size_t block_size);
/** Run the cleanups (newest first) and free every block. NULL is allowed. */
void gy_arena_destroy(struct gy_arena *a);
/** Run the cleanups and free all but the first block, ready for reuse. */
void gy_arena_reset(struct gy_arena *a);
/** n bytes aligned for any type; never NULL; lives until destroy/reset. */
void *gy_arena_alloc(struct gy_arena *a, size_t n);
/** Zeroed n bytes. */
void *gy_arena_zalloc(struct gy_arena *a, size_t n);
/** Zeroed array of nmemb * size with overflow check. */
void *gy_arena_calloc(struct gy_arena *a, size_t nmemb, size_t size);
/** Grow an arena array: copies the old contents into a new allocation (old is abandoned). */
void *gy_arena_realloc(struct gy_arena *a, void *old, size_t old_n, size_t new_n);
/** NUL-terminated copy of n bytes. */
char *gy_arena_strndup(struct gy_arena *a, const char *s, size_t n);
/** NUL-terminated copy of a slice, returned as a slice (p is NUL-terminated). */
struct gy_str gy_arena_strdup(struct gy_arena *a, struct gy_str s);
/** printf into the arena. */
char *gy_arena_printf(struct gy_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *gy_arena_vprintf(struct gy_arena *a, const char *fmt, va_list ap);
/** Register fn(arg) to run when the arena is reset or destroyed. */
void gy_arena_add_cleanup(struct gy_arena *a, gy_cleanup_fn fn, void *arg);
/** A bounded buffer (maximum max) whose memory is released with the arena. Never NULL. */
struct gy_buf *gy_arena_buf(struct gy_arena *a, size_t max);
/** Initialize b (embedded elsewhere) with maximum max, released with the arena. */
void gy_arena_buf_init(struct gy_arena *a, struct gy_buf *b, size_t max);
/** Total bytes handed out (for tests and limits). */
size_t gy_arena_used(const struct gy_arena *a);

#endif

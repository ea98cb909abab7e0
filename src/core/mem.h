/*
 * mem.h — the one allocator wrapper. Every heap allocation in Gyre goes through these, and they
 * abort the process on failure (as redis's zmalloc does): an out-of-memory crash loses nothing,
 * because acknowledged writes are already durable. Sizes are checked for overflow before use.
 */
#ifndef GY_CORE_MEM_H
#define GY_CORE_MEM_H

#include <stddef.h>

/** malloc that never returns NULL (aborts instead). */
void *gy_malloc(size_t n);
/** calloc of nmemb * size with overflow check; never returns NULL. */
void *gy_calloc(size_t nmemb, size_t size);
/** realloc that never returns NULL. */
void *gy_realloc(void *p, size_t n);
/** realloc of an array with an overflow-checked nmemb * size. */
void *gy_reallocarray(void *p, size_t nmemb, size_t size);
/** free; NULL is allowed. */
void gy_free(void *p);
/** strdup of a NUL-terminated string; never returns NULL. */
char *gy_strdup(const char *s);
/** copy of n bytes plus a NUL terminator; never returns NULL. */
char *gy_strndup(const char *s, size_t n);

#endif

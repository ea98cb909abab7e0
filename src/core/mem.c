/*
 * mem.c — allocation wrappers that abort on failure. See mem.h.
 */
#include "core/mem.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(size_t n)
{
    fprintf(stderr, "gyre: out of memory allocating %zu bytes\n", n);
    abort();
}

void *gy_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom(n);
    return p;
}

void *gy_calloc(size_t nmemb, size_t size)
{
    void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
    if (!p)
        oom(nmemb * size);
    return p;
}

void *gy_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom(n);
    return q;
}

void *gy_reallocarray(void *p, size_t nmemb, size_t size)
{
    if (size && nmemb > SIZE_MAX / size)
        oom(SIZE_MAX);
    return gy_realloc(p, nmemb * size);
}

void gy_free(void *p)
{
    free(p);
}

char *gy_strdup(const char *s)
{
    return gy_strndup(s, strlen(s));
}

char *gy_strndup(const char *s, size_t n)
{
    char *p = gy_malloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

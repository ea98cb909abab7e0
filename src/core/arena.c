/*
 * arena.c — bump allocator in chained blocks, plus a cleanup list. See arena.h.
 * Large requests (over a quarter of the block size) get a block of their own so that a big
 * allocation does not waste the rest of the current block.
 */
#include "core/arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

#define ALIGN 16

struct block {
    struct block *next; /* older block */
    size_t size;        /* usable bytes in data */
    size_t used;        /* bytes handed out */
    _Alignas(ALIGN) unsigned char data[];
};

struct cleanup {
    struct cleanup *next;
    gy_cleanup_fn fn;
    void *arg;
};

struct gy_arena {
    struct block *head;        /* current block (newest) */
    struct block *first;       /* the block kept across resets */
    struct cleanup *cleanups;  /* newest first */
    size_t block_size;         /* default size of new blocks */
    size_t used;               /* total handed out */
};

static struct block *block_new(size_t size)
{
    struct block *b = gy_malloc(sizeof(*b) + size);
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

struct gy_arena *gy_arena_create(size_t block_size)
{
    struct gy_arena *a = gy_malloc(sizeof(*a));
    if (block_size < 256)
        block_size = 256;
    a->block_size = block_size;
    a->first = a->head = block_new(block_size);
    a->cleanups = NULL;
    a->used = 0;
    return a;
}

static void run_cleanups(struct gy_arena *a)
{
    while (a->cleanups) {
        struct cleanup *c = a->cleanups;
        a->cleanups = c->next;
        c->fn(c->arg);
    }
}

void gy_arena_reset(struct gy_arena *a)
{
    run_cleanups(a);
    struct block *b = a->head;
    while (b) {
        struct block *next = b->next;
        if (b != a->first)
            gy_free(b);
        b = next;
    }
    a->head = a->first;
    a->first->next = NULL;
    a->first->used = 0;
    a->used = 0;
}

void gy_arena_destroy(struct gy_arena *a)
{
    if (!a)
        return;
    run_cleanups(a);
    struct block *b = a->head;
    while (b) {
        struct block *next = b->next;
        gy_free(b);
        b = next;
    }
    gy_free(a);
}

void *gy_arena_alloc(struct gy_arena *a, size_t n)
{
    if (n == 0)
        n = 1;
    if (n > SIZE_MAX - ALIGN) {
        fprintf(stderr, "gyre: arena allocation overflow\n");
        abort();
    }
    n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    a->used += n;
    struct block *b = a->head;
    if (b->size - b->used >= n) {
        void *p = b->data + b->used;
        b->used += n;
        return p;
    }
    if (n > a->block_size / 4) {
        /* A block of its own, linked behind the current one so the current stays in use. */
        struct block *big = block_new(n);
        big->used = n;
        big->next = b->next;
        b->next = big;
        return big->data;
    }
    struct block *nb = block_new(a->block_size);
    nb->next = b;
    a->head = nb;
    nb->used = n;
    return nb->data;
}

void *gy_arena_zalloc(struct gy_arena *a, size_t n)
{
    void *p = gy_arena_alloc(a, n);
    memset(p, 0, n);
    return p;
}

void *gy_arena_calloc(struct gy_arena *a, size_t nmemb, size_t size)
{
    if (size && nmemb > SIZE_MAX / size) {
        fprintf(stderr, "gyre: arena array overflow\n");
        abort();
    }
    return gy_arena_zalloc(a, nmemb * size);
}

void *gy_arena_realloc(struct gy_arena *a, void *old, size_t old_n, size_t new_n)
{
    void *p = gy_arena_alloc(a, new_n);
    if (old && old_n)
        memcpy(p, old, old_n < new_n ? old_n : new_n);
    return p;
}

char *gy_arena_strndup(struct gy_arena *a, const char *s, size_t n)
{
    char *p = gy_arena_alloc(a, n + 1);
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

struct gy_str gy_arena_strdup(struct gy_arena *a, struct gy_str s)
{
    return (struct gy_str){ gy_arena_strndup(a, s.p, s.len), s.len };
}

char *gy_arena_vprintf(struct gy_arena *a, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return gy_arena_strndup(a, "", 0);
    char *p = gy_arena_alloc(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *gy_arena_printf(struct gy_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = gy_arena_vprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

void gy_arena_add_cleanup(struct gy_arena *a, gy_cleanup_fn fn, void *arg)
{
    struct cleanup *c = gy_arena_alloc(a, sizeof(*c));
    c->fn = fn;
    c->arg = arg;
    c->next = a->cleanups;
    a->cleanups = c;
}

size_t gy_arena_used(const struct gy_arena *a)
{
    return a->used;
}

static void buf_fini(void *b)
{
    gy_buf_fini(b);
}

void gy_arena_buf_init(struct gy_arena *a, struct gy_buf *b, size_t max)
{
    gy_buf_init(b, max);
    gy_arena_add_cleanup(a, buf_fini, b);
}

struct gy_buf *gy_arena_buf(struct gy_arena *a, size_t max)
{
    struct gy_buf *b = gy_arena_alloc(a, sizeof(*b));
    gy_arena_buf_init(a, b, max);
    return b;
}

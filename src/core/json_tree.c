/*
 * json_tree.c — the tree mode of the JSON writer: gy_jw calls build cJSON nodes in the request
 * arena directly (see json.h, gy_jw_init_tree). Used where a codec's output is a request's input
 * tree (the query protocol), so the document is neither written as text nor parsed again.
 * Containers nest on a fixed stack (GY_JW_MAX_DEPTH); deeper input sets w->err.
 */
#include <cjson/cJSON.h>
#include <string.h>

#include "core/arena.h"
#include "core/errors.h"
#include "core/json_int.h"

struct gy_jw_tree {
    struct gy_arena *arena;
    cJSON *root;                      /* the first value written */
    cJSON *stack[GY_JW_MAX_DEPTH];    /* open containers, innermost last */
    const char *key;                  /* the pending member name (arena, NUL-terminated) */
};

void gy_jw_init_tree(struct gy_jw *w, struct gy_arena *arena)
{
    gy_jw_init(w, NULL);
    w->tree = gy_arena_zalloc(arena, sizeof(*w->tree));
    w->tree->arena = arena;
}

const struct gy_json *gy_jw_tree_root(const struct gy_jw *w)
{
    return w->tree ? (const struct gy_json *)w->tree->root : NULL;
}

/* Attach item to the open container (under the pending key in an object), or make it the root. */
static void add(struct gy_jw *w, cJSON *item)
{
    struct gy_jw_tree *t = w->tree;
    if (!item) {
        w->err = GY_ETOOBIG;
        return;
    }
    if (w->depth == 0) {
        if (!t->root)
            t->root = item;
        return;
    }
    cJSON *parent = t->stack[w->depth - 1];
    if (cJSON_IsObject(parent)) {
        if (!t->key) {
            w->err = GY_EINVAL;
            return;
        }
        cJSON_AddItemToObjectCS(parent, t->key, item); /* the key is arena memory: no copy */
        t->key = NULL;
    } else {
        cJSON_AddItemToArray(parent, item);
    }
}

void gy_jw__tree_open(struct gy_jw *w, bool object)
{
    gy_json__arena_begin(w->tree->arena);
    cJSON *c = object ? cJSON_CreateObject() : cJSON_CreateArray();
    gy_json__arena_end();
    add(w, c);
    if (w->depth + 1 >= GY_JW_MAX_DEPTH) {
        w->err = GY_ETOOBIG;
        return;
    }
    w->tree->stack[w->depth++] = c;
}

void gy_jw__tree_close(struct gy_jw *w)
{
    if (w->depth > 0)
        w->depth--;
}

void gy_jw__tree_key(struct gy_jw *w, struct gy_str key)
{
    w->tree->key = gy_arena_strndup(w->tree->arena, key.p, key.len);
}

void gy_jw__tree_str(struct gy_jw *w, struct gy_str s)
{
    char *copy = gy_arena_strndup(w->tree->arena, s.p ? s.p : "", s.len);
    gy_json__arena_begin(w->tree->arena);
    cJSON *c = cJSON_CreateStringReference(copy); /* arena memory: no second copy */
    gy_json__arena_end();
    add(w, c);
}

void gy_jw__tree_num(struct gy_jw *w, double v)
{
    gy_json__arena_begin(w->tree->arena);
    cJSON *c = cJSON_CreateNumber(v);
    gy_json__arena_end();
    add(w, c);
}

void gy_jw__tree_bool(struct gy_jw *w, bool v)
{
    gy_json__arena_begin(w->tree->arena);
    cJSON *c = cJSON_CreateBool(v);
    gy_json__arena_end();
    add(w, c);
}

void gy_jw__tree_null(struct gy_jw *w)
{
    gy_json__arena_begin(w->tree->arena);
    cJSON *c = cJSON_CreateNull();
    gy_json__arena_end();
    add(w, c);
}

void gy_jw__tree_raw(struct gy_jw *w, struct gy_str json)
{
    const struct gy_json *j = NULL;
    const char *why = NULL;
    if (gy_json_parse_trusted(w->tree->arena, json.p, json.len, &j, &why)) {
        w->err = GY_EINVAL;
        return;
    }
    add(w, (cJSON *)j);
}

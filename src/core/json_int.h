/*
 * json_int.h — what json.c (parse, text writer) and json_tree.c (the writer's tree mode) share.
 * Private to src/core/json*.c.
 */
#ifndef GY_CORE_JSON_INT_H
#define GY_CORE_JSON_INT_H

#include <stdbool.h>

#include "core/json.h"

struct gy_arena;

/** Until gy_json__arena_end, cJSON allocates from arena on this thread and frees nothing. */
void gy_json__arena_begin(struct gy_arena *arena);
void gy_json__arena_end(void);

/* Tree mode of struct gy_jw (json_tree.c). */
void gy_jw__tree_open(struct gy_jw *w, bool object);
void gy_jw__tree_close(struct gy_jw *w);
void gy_jw__tree_key(struct gy_jw *w, struct gy_str key);
void gy_jw__tree_str(struct gy_jw *w, struct gy_str s);
void gy_jw__tree_num(struct gy_jw *w, double v);
void gy_jw__tree_bool(struct gy_jw *w, bool v);
void gy_jw__tree_null(struct gy_jw *w);
void gy_jw__tree_raw(struct gy_jw *w, struct gy_str json);

#endif

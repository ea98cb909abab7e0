/*
 * json.h — the one place Gyre touches its JSON library (cJSON), plus a streaming JSON writer.
 *
 * Parsing: gy_json_parse() validates what cJSON does not (UTF-8, trailing data, duplicate keys,
 * "\u0000" escapes that cJSON would silently truncate, nesting depth) and ties the tree's
 * lifetime to an arena. Nodes are opaque; use the accessors. Writing: struct gy_jw appends
 * compact JSON to a bounded struct gy_buf without building a tree (responses can hold many
 * items, and a DOM costs ~10x the output in memory). See docs/architecture.md, "JSON".
 */
#ifndef GY_CORE_JSON_H
#define GY_CORE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/str.h"

struct gy_arena;
struct gy_json; /* an opaque node of a parsed document */

enum gy_json_type {
    GY_JSON_INVALID = 0,
    GY_JSON_NULL,
    GY_JSON_FALSE,
    GY_JSON_TRUE,
    GY_JSON_NUMBER,
    GY_JSON_STRING,
    GY_JSON_ARRAY,
    GY_JSON_OBJECT,
};

#define GY_JSON_MAX_DEPTH 1000 /* cJSON's compile-time nesting limit */

/**
 * Parse len bytes at p into a tree owned by arena (freed when the arena is destroyed).
 * On failure returns GY_EINVAL and points *why at a static description.
 */
int gy_json_parse(struct gy_arena *arena, const char *p, size_t len, const struct gy_json **out,
                  const char **why);

/**
 * Parse JSON that Gyre itself wrote (a codec's output, a handler's response): as
 * gy_json_parse, but the UTF-8 and duplicate-key checks are skipped. Never for client bytes.
 */
int gy_json_parse_trusted(struct gy_arena *arena, const char *p, size_t len,
                          const struct gy_json **out, const char **why);

enum gy_json_type gy_json_type(const struct gy_json *j);
/** Human name of a node's type ("object", "string", ...). */
const char *gy_json_type_name(const struct gy_json *j);
/** Member of an object by exact key, or NULL (also NULL when j is not an object or is NULL). */
const struct gy_json *gy_json_get(const struct gy_json *j, const char *key);
/** First child of an array or object, or NULL. */
const struct gy_json *gy_json_child(const struct gy_json *j);
/** Next sibling, or NULL. */
const struct gy_json *gy_json_next(const struct gy_json *j);
/** Key of an object member as a slice (NUL-terminated). */
struct gy_str gy_json_key(const struct gy_json *j);
/** Number of children of an array or object. */
size_t gy_json_count(const struct gy_json *j);
/** String value (NUL-terminated slice), or an empty slice with p == NULL if not a string. */
struct gy_str gy_json_str(const struct gy_json *j);
/** Numeric value as a double (0 if not a number). */
double gy_json_num(const struct gy_json *j);
/** True when the node is a number with an integral value that fits in int64; stores it. */
bool gy_json_int(const struct gy_json *j, int64_t *out);
bool gy_json_is(const struct gy_json *j, enum gy_json_type t);
/** True for JSON true/false; stores the value. */
bool gy_json_bool(const struct gy_json *j, bool *out);

/* ---- writer ---- */

#define GY_JW_MAX_DEPTH 256

struct gy_jw_tree;

struct gy_jw {
    struct gy_buf *buf;                  /* output (bounded); NULL in tree mode */
    struct gy_jw_tree *tree;             /* tree mode: the document being built, or NULL */
    int depth;                           /* current nesting depth */
    bool need_comma[GY_JW_MAX_DEPTH];    /* per level: something was written already */
    bool after_key;                      /* a key was just written: next value needs no comma */
    int err;                             /* first error (GY_ETOOBIG on overflow), sticky */
};

void gy_jw_init(struct gy_jw *w, struct gy_buf *buf);
/**
 * Tree mode: the same calls build a parsed document in arena instead of text (for codecs whose
 * output becomes a request's input tree: no text is written and parsed again). Input must be
 * trusted as for gy_json_parse_trusted (valid UTF-8, no duplicate keys, no U+0000).
 */
void gy_jw_init_tree(struct gy_jw *w, struct gy_arena *arena);
/** The document built in tree mode (NULL before the first value). */
const struct gy_json *gy_jw_tree_root(const struct gy_jw *w);
void gy_jw_obj_begin(struct gy_jw *w);
void gy_jw_obj_end(struct gy_jw *w);
void gy_jw_arr_begin(struct gy_jw *w);
void gy_jw_arr_end(struct gy_jw *w);
/** Write an object key (escaped). */
void gy_jw_key(struct gy_jw *w, const char *key);
void gy_jw_key_str(struct gy_jw *w, struct gy_str key);
/** Write a string value, escaped. */
void gy_jw_str(struct gy_jw *w, struct gy_str s);
void gy_jw_cstr(struct gy_jw *w, const char *s);
void gy_jw_int(struct gy_jw *w, int64_t v);
void gy_jw_uint(struct gy_jw *w, uint64_t v);
/** A double in shortest round-trip form ("1.5", "1700000000.123"). */
void gy_jw_double(struct gy_jw *w, double v);
void gy_jw_bool(struct gy_jw *w, bool v);
void gy_jw_null(struct gy_jw *w);
/** Insert pre-serialized JSON as one value (trusted input). */
void gy_jw_raw(struct gy_jw *w, struct gy_str json);
/** Write a parsed value (numbers as int64 when integral, else as doubles). */
void gy_jw_value(struct gy_jw *w, const struct gy_json *j);
/** Append s to buf as a JSON string literal with quotes. */
int gy_json_escape(struct gy_buf *buf, struct gy_str s);

#endif

/*
 * lexer.c — tokens of DynamoDB's PartiQL statements.
 *
 * Identifiers are [A-Za-z_][A-Za-z0-9_$]* (keywords are identifiers until the parser asks);
 * "double quotes" make a quoted identifier and 'single quotes' a string, each doubling its
 * quote to escape it. Numbers are unsigned (digits, optional fraction, optional exponent): the
 * parser applies a leading minus. "--" starts a comment to the end of the line. Anything else is
 * one GY_PTK_BAD token of one byte, so every input lexes and the parser reports the error.
 */
#include "dynamodb/partiql/partiql_int.h"

#include <string.h>

#include "core/arena.h"

static bool is_id_start(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_id_char(unsigned char c)
{
    return is_id_start(c) || (c >= '0' && c <= '9') || c == '$';
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/*
 * A quoted token starting at s[*i] (the quote q): its contents with doubled quotes collapsed.
 * Copies into the arena only when an escape is present.
 */
static struct gy_str lex_quoted(struct gy_arena *a, const char *s, size_t len, size_t *i,
                                bool *unterminated)
{
    char q = s[*i];
    size_t start = ++*i, escapes = 0;
    *unterminated = true;
    while (*i < len) {
        if (s[*i] == q) {
            if (*i + 1 < len && s[*i + 1] == q) {
                escapes++;
                *i += 2;
                continue;
            }
            *unterminated = false;
            break;
        }
        ++*i;
    }
    struct gy_str raw = { s + start, *i - start };
    if (!*unterminated)
        ++*i; /* the closing quote */
    if (!escapes)
        return raw;
    char *out = gy_arena_alloc(a, raw.len + 1);
    size_t n = 0;
    for (size_t k = 0; k < raw.len; k++) {
        out[n++] = raw.p[k];
        if (raw.p[k] == q && k + 1 < raw.len && raw.p[k + 1] == q)
            k++;
    }
    out[n] = '\0';
    return (struct gy_str){ out, n };
}

static size_t lex_number(const char *s, size_t len, size_t i)
{
    while (i < len && is_digit((unsigned char)s[i]))
        i++;
    if (i + 1 < len && s[i] == '.' && is_digit((unsigned char)s[i + 1])) {
        i++;
        while (i < len && is_digit((unsigned char)s[i]))
            i++;
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        if (j < len && (s[j] == '+' || s[j] == '-'))
            j++;
        if (j < len && is_digit((unsigned char)s[j])) {
            i = j;
            while (i < len && is_digit((unsigned char)s[i]))
                i++;
        }
    }
    return i;
}

/* Operators and punctuation at s[i]: kind and length, or GY_PTK_BAD with length 1. */
static enum gy_pql__tk lex_punct(const char *s, size_t len, size_t i, size_t *n)
{
    char c = s[i], d = i + 1 < len ? s[i + 1] : '\0';
    *n = 1;
    switch (c) {
    case '?': return GY_PTK_PARAM;
    case '*': return GY_PTK_STAR;
    case ',': return GY_PTK_COMMA;
    case '.': return GY_PTK_DOT;
    case '[': return GY_PTK_LBRACK;
    case ']': return GY_PTK_RBRACK;
    case '(': return GY_PTK_LPAREN;
    case ')': return GY_PTK_RPAREN;
    case '{': return GY_PTK_LBRACE;
    case '}': return GY_PTK_RBRACE;
    case ':': return GY_PTK_COLON;
    case ';': return GY_PTK_SEMI;
    case '=': return GY_PTK_EQ;
    case '+': return GY_PTK_PLUS;
    case '-': return GY_PTK_MINUS;
    case '!':
        if (d == '=') {
            *n = 2;
            return GY_PTK_NE;
        }
        return GY_PTK_BAD;
    case '<':
        *n = 2;
        if (d == '>')
            return GY_PTK_NE;
        if (d == '=')
            return GY_PTK_LE;
        if (d == '<')
            return GY_PTK_LBAG;
        *n = 1;
        return GY_PTK_LT;
    case '>':
        *n = 2;
        if (d == '=')
            return GY_PTK_GE;
        if (d == '>')
            return GY_PTK_RBAG;
        *n = 1;
        return GY_PTK_GT;
    default: return GY_PTK_BAD;
    }
}

const struct gy_pql__tok *gy_pql__lex(struct gy_arena *a, struct gy_str text, size_t *count)
{
    const char *s = text.p;
    size_t len = text.len, i = 0, n = 0, cap = 32;
    struct gy_pql__tok *t = gy_arena_calloc(a, cap, sizeof(*t));

    for (;;) {
        for (;;) {
            while (i < len && is_space((unsigned char)s[i]))
                i++;
            if (i + 1 < len && s[i] == '-' && s[i + 1] == '-') {
                while (i < len && s[i] != '\n')
                    i++;
                continue;
            }
            break;
        }
        if (n + 1 >= cap) {
            t = gy_arena_realloc(a, t, cap * sizeof(*t), cap * 2 * sizeof(*t));
            cap *= 2;
        }
        struct gy_pql__tok *k = &t[n++];
        memset(k, 0, sizeof(*k));
        k->pos = (uint32_t)i;
        if (i >= len) {
            k->kind = GY_PTK_END;
            break;
        }
        unsigned char c = (unsigned char)s[i];
        if (is_id_start(c)) {
            size_t j = i;
            while (j < len && is_id_char((unsigned char)s[j]))
                j++;
            k->kind = GY_PTK_ID;
            k->text = (struct gy_str){ s + i, j - i };
            i = j;
        } else if (c == '"' || c == '\'') {
            k->kind = c == '"' ? GY_PTK_QID : GY_PTK_STR;
            k->text = lex_quoted(a, s, len, &i, &k->unterminated);
        } else if (is_digit(c)) {
            size_t j = lex_number(s, len, i);
            k->kind = GY_PTK_NUM;
            k->text = (struct gy_str){ s + i, j - i };
            i = j;
        } else {
            size_t w;
            k->kind = lex_punct(s, len, i, &w);
            k->text = (struct gy_str){ s + i, w };
            i += w;
        }
    }
    *count = n;
    return t;
}

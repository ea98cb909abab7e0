/*
 * lexer.c — tokens of DynamoDB expressions.
 *
 * Names are [A-Za-z][A-Za-z0-9_]*; the words AND OR NOT BETWEEN IN SET REMOVE ADD DELETE (any
 * case) are keywords in every kind of expression. #x and :x are placeholders (a bare # or : is a
 * bad token). Integers are "0" or [1-9][0-9]* ("01" is two tokens). Anything else that is not an
 * operator or punctuation is one bad token of one code point (one byte when the bytes are not
 * UTF-8), so "Syntax error; token: ..." can quote it. Whitespace is space, tab, CR and LF.
 */
#include "dynamodb/expr/expr_int.h"

#include <string.h>

static bool is_letter(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_word(unsigned char c)
{
    return is_letter(c) || (c >= '0' && c <= '9') || c == '_';
}

static const struct {
    const char *word;
    enum gy_expr__tk kind;
} keywords[] = {
    { "AND", GY_TK_AND },   { "OR", GY_TK_OR },         { "NOT", GY_TK_NOT },
    { "BETWEEN", GY_TK_BETWEEN }, { "IN", GY_TK_IN },   { "SET", GY_TK_SET },
    { "REMOVE", GY_TK_REMOVE },   { "ADD", GY_TK_ADD }, { "DELETE", GY_TK_DELETE },
};

static enum gy_expr__tk word_kind(struct gy_str w)
{
    for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
        if (gy_str_caseeqc(w, keywords[i].word))
            return keywords[i].kind;
    return GY_TK_ID;
}

/* Length of the UTF-8 sequence at p (1 when it is not valid UTF-8). */
static size_t cp_len(const unsigned char *p, size_t left)
{
    size_t n = p[0] < 0xC0 ? 1 : p[0] < 0xE0 ? 2 : p[0] < 0xF0 ? 3 : p[0] < 0xF8 ? 4 : 1;
    if (n > left || !gy_utf8_valid((const char *)p, n))
        return 1;
    return n;
}

void gy_expr__lex(struct gy_arena *a, struct gy_str text, struct gy_expr__toks *out)
{
    const unsigned char *s = (const unsigned char *)text.p;
    size_t len = text.len, i = 0, cap = 16, n = 0;
    struct gy_expr__tok *t = gy_arena_calloc(a, cap, sizeof(*t));

    for (;;) {
        while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
            i++;
        if (n + 1 >= cap) {
            t = gy_arena_realloc(a, t, cap * sizeof(*t), cap * 2 * sizeof(*t));
            cap *= 2;
        }
        if (i >= len) {
            t[n++] = (struct gy_expr__tok){ GY_TK_EOF, (uint32_t)len, (uint32_t)len };
            break;
        }
        size_t start = i;
        enum gy_expr__tk k;
        unsigned char c = s[i];
        if (is_letter(c)) {
            while (i < len && is_word(s[i]))
                i++;
            k = word_kind((struct gy_str){ text.p + start, i - start });
        } else if (c == '#' || c == ':') {
            i++;
            while (i < len && is_word(s[i]))
                i++;
            k = i == start + 1 ? GY_TK_BAD : c == '#' ? GY_TK_NAME : GY_TK_VALUE;
        } else if (c >= '0' && c <= '9') {
            i++;
            if (c != '0')
                while (i < len && s[i] >= '0' && s[i] <= '9')
                    i++;
            k = GY_TK_INT;
        } else if (c == '<' && i + 1 < len && s[i + 1] == '>') {
            i += 2;
            k = GY_TK_NE;
        } else if (c == '<' && i + 1 < len && s[i + 1] == '=') {
            i += 2;
            k = GY_TK_LE;
        } else if (c == '>' && i + 1 < len && s[i + 1] == '=') {
            i += 2;
            k = GY_TK_GE;
        } else {
            i++;
            switch (c) {
            case '=': k = GY_TK_EQ; break;
            case '<': k = GY_TK_LT; break;
            case '>': k = GY_TK_GT; break;
            case '(': k = GY_TK_LP; break;
            case ')': k = GY_TK_RP; break;
            case '[': k = GY_TK_LB; break;
            case ']': k = GY_TK_RB; break;
            case ',': k = GY_TK_COMMA; break;
            case '.': k = GY_TK_DOT; break;
            case '+': k = GY_TK_PLUS; break;
            case '-': k = GY_TK_MINUS; break;
            default:
                k = GY_TK_BAD;
                i = start + cp_len(s + start, len - start);
                break;
            }
        }
        t[n++] = (struct gy_expr__tok){ k, (uint32_t)start, (uint32_t)i };
    }
    out->t = t;
    out->n = (uint32_t)n;
}

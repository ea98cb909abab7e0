/*
 * number.c — DynamoDB numbers: parsing, canonical text, exact add/sub/compare and
 * order-preserving key bytes. See number.h and docs/dynamodb.md, "Numbers".
 *
 * Owns: the struct gy_num representation and every conversion of it. Does not own: where N
 * values live (value.c) or how errors reach a client (the caller maps gy_num_status).
 * Invariants: every struct gy_num this file produces is normalized (d[0] != 0, d[n-1] != 0,
 * n <= 38, -129 <= exp <= 126, zero is {false, 0, 0}); nothing here touches the heap, so
 * every function is reentrant and thread-safe.
 *
 * DynamoDB facts this file copies (HowItWorks.NamingRulesDataTypes; behaviour observed on
 * the real service by other emulators' test suites):
 *   - Input is Java-BigDecimal-like: "+5", ".5", "5.", "1e+2", "0e1000" are accepted;
 *     whitespace, "NaN", "Infinity", hex and an empty string are not.
 *   - Leading and trailing zeros are not significant; "-0" is zero.
 *   - Read back, a number is always in plain notation, never with an exponent: "1E+50" is
 *     returned as "1" followed by 50 zeros, "1E-5" as "0.00001".
 *   - An UpdateExpression sum or difference that would need more than 38 digits fails with
 *     the *overflow* message ("1e50 + 1" does), not the 38-digits one.
 */
#include "dynamodb/number.h"

#include <string.h>

/* Exponent limits for value = 0.d... * 10^exp: 1E-130 = 0.1E-129, 9.99...E+125 = 0.999...E+126. */
#define EXP_MIN (-129)
#define EXP_MAX 126

/* Key encoding bytes; see the design block above gy_num_key_encode. */
#define KEY_NEG 0x01
#define KEY_ZERO 0x02
#define KEY_POS 0x03
#define KEY_POS_END 0x00
#define KEY_NEG_END 0xff

/* Widest exact sum: weights 10^126 down to 10^(-129-38), plus a carry slot. */
#define SUM_SLOTS (1 + EXP_MAX - (EXP_MIN - GY_NUM_MAX_DIGITS) + 1)

static void set_zero(struct gy_num *x)
{
    x->neg = false;
    x->n = 0;
    x->exp = 0;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/*
 * The lexical shape of a number: [+-] digits [. digits] [(e|E) [+-] digits], with at least
 * one mantissa digit on either side of the point. Filled by scan_syntax.
 */
struct num_syntax {
    size_t mant_start; /* index of the first mantissa character (digit or '.') */
    size_t mant_end;   /* index one past the mantissa */
    size_t int_digits; /* number of mantissa digits before the point (all if no point) */
    int64_t exp;       /* explicit exponent, 0 when absent */
    bool neg;          /* a leading '-' */
};

/* Check the syntax of p[0..len) and locate its parts; false if it is not a number. */
static bool scan_syntax(const char *p, size_t len, struct num_syntax *s)
{
    size_t i = 0;
    size_t ndig = 0;
    bool seen_point = false;

    s->neg = false;
    s->exp = 0;
    if (i < len && (p[i] == '+' || p[i] == '-')) {
        s->neg = p[i] == '-';
        i++;
    }
    s->mant_start = i;
    s->int_digits = 0;
    for (; i < len; i++) {
        if (is_digit(p[i])) {
            ndig++;
            if (!seen_point)
                s->int_digits++;
        } else if (p[i] == '.' && !seen_point) {
            seen_point = true;
        } else {
            break;
        }
    }
    s->mant_end = i;
    if (ndig == 0)
        return false;
    if (i == len)
        return true;
    if (p[i] != 'e' && p[i] != 'E')
        return false;
    i++;
    bool eneg = false;
    if (i < len && (p[i] == '+' || p[i] == '-')) {
        eneg = p[i] == '-';
        i++;
    }
    if (i == len)
        return false;
    int64_t e = 0;
    for (; i < len; i++) {
        if (!is_digit(p[i]))
            return false;
        e = e * 10 + (p[i] - '0');
        /* BigDecimal keeps its exponent in an int: a larger one is not a number. */
        if (e > INT32_MAX)
            return false;
    }
    s->exp = eneg ? -e : e;
    return true;
}

/* Range-check a normalized magnitude by its exponent; GY_NUM_OK or the range status. */
static int check_exp(int64_t exp)
{
    if (exp > EXP_MAX)
        return GY_NUM_EOVERFLOW;
    if (exp < EXP_MIN)
        return GY_NUM_EUNDERFLOW;
    return GY_NUM_OK;
}

/*
 * Parse "p" (len bytes, need not be NUL-terminated) into a normalized number. Syntax errors
 * win over precision errors, which win over range errors. On failure *out is zero.
 */
int gy_num_parse(const char *p, size_t len, struct gy_num *out)
{
    struct num_syntax s;

    set_zero(out);
    if (p == NULL || !scan_syntax(p, len, &s))
        return GY_NUM_ESYNTAX;

    /* Find the first and last non-zero mantissa digits, as digit indexes (point skipped). */
    size_t idx = 0, first = 0, last = 0;
    bool any = false;
    for (size_t i = s.mant_start; i < s.mant_end; i++) {
        if (p[i] == '.')
            continue;
        if (p[i] != '0') {
            if (!any)
                first = idx;
            any = true;
            last = idx;
        }
        idx++;
    }
    if (!any)
        return GY_NUM_OK; /* zero, whatever its sign or exponent */
    if (last - first + 1 > GY_NUM_MAX_DIGITS)
        return GY_NUM_EDIGITS;

    int64_t exp = (int64_t)s.int_digits - (int64_t)first + s.exp;
    int rc = check_exp(exp);
    if (rc != GY_NUM_OK)
        return rc;

    idx = 0;
    uint8_t n = 0;
    for (size_t i = s.mant_start; i < s.mant_end && idx <= last; i++) {
        if (p[i] == '.')
            continue;
        if (idx >= first)
            out->d[n++] = (uint8_t)(p[i] - '0');
        idx++;
    }
    out->n = n;
    out->exp = (int16_t)exp;
    out->neg = s.neg;
    return GY_NUM_OK;
}

const char *gy_num_strerror(int status)
{
    switch (status) {
    case GY_NUM_OK:
        return "OK";
    case GY_NUM_ESYNTAX:
        return "A value provided cannot be converted into a number";
    case GY_NUM_EDIGITS:
        return "Attempting to store more than 38 significant digits in a Number";
    case GY_NUM_EOVERFLOW:
        return "Number overflow. Attempting to store a number with magnitude larger than "
               "supported range";
    case GY_NUM_EUNDERFLOW:
        return "Number underflow. Attempting to store a number with magnitude smaller than "
               "supported range";
    default:
        return "Unknown number error";
    }
}

/* Bounded appender for gy_num_format: counts every byte, stores those that fit. */
struct text_out {
    char *p;
    size_t cap;
    size_t len;
};

static void put_char(struct text_out *t, char c)
{
    if (t->len + 1 < t->cap)
        t->p[t->len] = c;
    t->len++;
}

static void put_zeros(struct text_out *t, int count)
{
    for (int i = 0; i < count; i++)
        put_char(t, '0');
}

/*
 * Canonical text: plain notation always (DynamoDB never answers with an exponent), with no
 * leading zero except the one before a point, no trailing zero after a point and no "-0".
 * The longest output is "-0." + 129 zeros + 38 digits = 170 bytes. Like snprintf, returns the
 * full length and writes a NUL-terminated prefix when cap is too small.
 */
size_t gy_num_format(const struct gy_num *x, char *out, size_t cap)
{
    struct text_out t = { out, cap, 0 };
    int n = x->n;
    int e = x->exp;

    if (n == 0) {
        put_char(&t, '0');
    } else {
        if (x->neg)
            put_char(&t, '-');
        if (e <= 0) {
            put_char(&t, '0');
            put_char(&t, '.');
            put_zeros(&t, -e);
            for (int i = 0; i < n; i++)
                put_char(&t, (char)('0' + x->d[i]));
        } else {
            for (int i = 0; i < n; i++) {
                if (i == e)
                    put_char(&t, '.');
                put_char(&t, (char)('0' + x->d[i]));
            }
            if (e > n)
                put_zeros(&t, e - n);
        }
    }
    if (cap > 0)
        out[t.len < cap ? t.len : cap - 1] = '\0';
    return t.len;
}

/* Compare |a| and |b| for non-zero normalized numbers. */
static int cmp_mag(const struct gy_num *a, const struct gy_num *b)
{
    if (a->exp != b->exp)
        return a->exp < b->exp ? -1 : 1;
    int n = a->n < b->n ? a->n : b->n;
    for (int i = 0; i < n; i++) {
        if (a->d[i] != b->d[i])
            return a->d[i] < b->d[i] ? -1 : 1;
    }
    if (a->n != b->n)
        return a->n < b->n ? -1 : 1;
    return 0;
}

int gy_num_cmp(const struct gy_num *a, const struct gy_num *b)
{
    int sa = a->n == 0 ? 0 : (a->neg ? -1 : 1);
    int sb = b->n == 0 ? 0 : (b->neg ? -1 : 1);

    if (sa != sb)
        return sa < sb ? -1 : 1;
    if (sa == 0)
        return 0;
    int c = cmp_mag(a, b);
    return sa < 0 ? -c : c;
}

/*
 * Exact |a| + |b| (subtract false) or |a| - |b| (subtract true, |a| > |b|) in a digit buffer
 * spanning both operands, then normalized into *out with sign neg. A result outside the
 * exponent range gives the range status; one needing more than 38 digits gives
 * GY_NUM_EOVERFLOW, the message DynamoDB uses for an imprecise UpdateExpression result.
 */
static int mag_addsub(const struct gy_num *a, const struct gy_num *b, bool subtract, bool neg,
                      struct gy_num *out)
{
    uint8_t buf[SUM_SLOTS];
    int top = a->exp > b->exp ? a->exp : b->exp; /* slot 0 has weight 10^top (carry) */
    int alow = a->exp - a->n, blow = b->exp - b->n;
    int bottom = alow < blow ? alow : blow;      /* lowest weight present */
    int slots = 1 + top - bottom;

    memset(buf, 0, (size_t)slots);
    for (int i = 0; i < a->n; i++)
        buf[1 + top - a->exp + i] = a->d[i];

    int carry = 0;
    int slot = 1 + top - b->exp + b->n - 1;
    for (int i = b->n - 1; i >= 0 || carry != 0; i--, slot--) {
        int v = buf[slot] + (subtract ? -carry : carry);
        int bd = i >= 0 ? b->d[i] : 0;
        v += subtract ? -bd : bd;
        if (v < 0) {
            v += 10;
            carry = 1;
        } else if (v > 9) {
            v -= 10;
            carry = 1;
        } else {
            carry = 0;
        }
        buf[slot] = (uint8_t)v;
    }

    int first = 0, last = slots - 1;
    while (first < slots && buf[first] == 0)
        first++;
    if (first == slots) {
        set_zero(out);
        return GY_NUM_OK;
    }
    while (buf[last] == 0)
        last--;

    int rc = check_exp((int64_t)top + 1 - first);
    if (rc == GY_NUM_OK && last - first + 1 > GY_NUM_MAX_DIGITS)
        rc = GY_NUM_EOVERFLOW;
    if (rc != GY_NUM_OK) {
        set_zero(out);
        return rc;
    }
    out->neg = neg;
    out->n = (uint8_t)(last - first + 1);
    out->exp = (int16_t)(top + 1 - first);
    memcpy(out->d, buf + first, out->n);
    return GY_NUM_OK;
}

/* a + (bneg ? -|b| : |b|); out may alias a or b. */
static int signed_add(const struct gy_num *a, const struct gy_num *b, bool bneg,
                      struct gy_num *out)
{
    if (b->n == 0) {
        *out = *a;
        return GY_NUM_OK;
    }
    if (a->n == 0) {
        *out = *b;
        out->neg = bneg;
        return GY_NUM_OK;
    }
    if (a->neg == bneg)
        return mag_addsub(a, b, false, bneg, out);
    int c = cmp_mag(a, b);
    if (c == 0) {
        set_zero(out);
        return GY_NUM_OK;
    }
    if (c > 0)
        return mag_addsub(a, b, true, a->neg, out);
    return mag_addsub(b, a, true, bneg, out);
}

int gy_num_add(const struct gy_num *a, const struct gy_num *b, struct gy_num *out)
{
    return signed_add(a, b, b->neg, out);
}

int gy_num_sub(const struct gy_num *a, const struct gy_num *b, struct gy_num *out)
{
    return signed_add(a, b, !b->neg, out);
}

int gy_num_cmp_text(const char *a, size_t alen, const char *b, size_t blen)
{
    struct gy_num x, y;
    bool xa = gy_num_parse(a, alen, &x) == GY_NUM_OK;
    bool yb = gy_num_parse(b, blen, &y) == GY_NUM_OK;

    if (xa && yb)
        return gy_num_cmp(&x, &y);
    if (xa != yb)
        return xa ? 1 : -1;
    /* Both invalid: bytewise, so that the order stays total. */
    size_t n = alen < blen ? alen : blen;
    int c = n ? memcmp(a, b, n) : 0;
    if (c != 0)
        return c < 0 ? -1 : 1;
    return alen == blen ? 0 : (alen < blen ? -1 : 1);
}

/*
 * Key encoding. memcmp order (shorter-is-smaller on a common prefix) equals numeric order,
 * and every encoding is self-delimiting, so it can be followed by more key bytes:
 *
 *   zero:     0x02
 *   positive: 0x03, exp + 129 (0..255), pairs p + 1 (1..100) ..., 0x00
 *   negative: 0x01, 126 - exp (0..255), pairs 254 - p (155..254) ..., 0xff
 *
 * where the pairs are the digits taken two at a time (p = 10*d[2i] + d[2i+1], a missing last
 * digit counting as 0). For positives a larger exponent, then larger digits, then more digits
 * mean a larger number, and the 0x00 end byte sorts below any pair; negatives invert every
 * byte's sense, and 0xff sorts above any pair. At most 2 + 19 + 1 = 22 bytes.
 */
size_t gy_num_key_encode(const struct gy_num *x, uint8_t *out)
{
    if (x->n == 0) {
        out[0] = KEY_ZERO;
        return 1;
    }
    size_t k = 0;
    out[k++] = x->neg ? KEY_NEG : KEY_POS;
    out[k++] = (uint8_t)(x->neg ? 126 - x->exp : x->exp + 129);
    for (int i = 0; i < x->n; i += 2) {
        int p = x->d[i] * 10 + (i + 1 < x->n ? x->d[i + 1] : 0);
        out[k++] = (uint8_t)(x->neg ? 254 - p : p + 1);
    }
    out[k++] = x->neg ? KEY_NEG_END : KEY_POS_END;
    return k;
}

/*
 * Decode one encoding from the front of p[0..len). Only canonical encodings are accepted
 * (first digit non-zero, no trailing zero pair), so decode is the exact inverse of encode.
 */
size_t gy_num_key_decode(const uint8_t *p, size_t len, struct gy_num *out)
{
    set_zero(out);
    if (len == 0)
        return 0;
    if (p[0] == KEY_ZERO)
        return 1;
    if ((p[0] != KEY_POS && p[0] != KEY_NEG) || len < 2)
        return 0;

    bool neg = p[0] == KEY_NEG;
    int exp = neg ? 126 - p[1] : p[1] - 129;
    uint8_t end = neg ? KEY_NEG_END : KEY_POS_END;
    size_t k = 2;
    int n = 0, lastpair = -1;

    for (; k < len && p[k] != end; k++) {
        int pair = neg ? 254 - p[k] : p[k] - 1;
        if (pair < 0 || pair > 99 || n >= GY_NUM_MAX_DIGITS)
            goto out_bad;
        if (n == 0 && pair < 10)
            goto out_bad;
        out->d[n++] = (uint8_t)(pair / 10);
        out->d[n++] = (uint8_t)(pair % 10);
        lastpair = pair;
    }
    if (k == len || lastpair <= 0)
        goto out_bad;
    if (lastpair % 10 == 0)
        n--;
    out->neg = neg;
    out->n = (uint8_t)n;
    out->exp = (int16_t)exp;
    return k + 1;

out_bad:
    set_zero(out);
    return 0;
}

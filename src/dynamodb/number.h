/*
 * number.h — DynamoDB numbers: exact decimals of up to 38 significant digits, magnitude
 * 1E-130 to 9.9999999999999999999999999999999999999E+125 (and zero). Never via a double.
 *
 * A struct gy_num is normalized: no leading or trailing zero digits in digits[], so equal
 * values have equal representations, and comparison is exact. The canonical text form
 * (gy_num_format) is what Gyre stores in N values and returns to clients, as DynamoDB does.
 * gy_num_key_encode gives bytes whose memcmp order is the numeric order (for sort keys).
 * See docs/dynamodb.md, "Numbers".
 */
#ifndef GY_DDB_NUMBER_H
#define GY_DDB_NUMBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GY_NUM_MAX_DIGITS 38
#define GY_NUM_TEXT_MAX 192      /* longest canonical text gy_num_format can produce, with NUL */
#define GY_NUM_KEY_MAX 24        /* longest gy_num_key_encode output */

/* Value = (-1)^neg * 0.d[0]d[1]...d[n-1] * 10^exp, d[0] != 0; n == 0 means zero (neg false). */
struct gy_num {
    bool neg;                           /* sign; false for zero */
    uint8_t n;                          /* number of significant digits, 0..38 */
    int16_t exp;                        /* decimal exponent, see above */
    uint8_t d[GY_NUM_MAX_DIGITS];       /* digit values 0..9, most significant first */
};

/* Parse and arithmetic results (0 on success). */
enum gy_num_status {
    GY_NUM_OK = 0,
    GY_NUM_ESYNTAX = -1,    /* "A value provided cannot be converted into a number" */
    GY_NUM_EDIGITS = -2,    /* "Attempting to store more than 38 significant digits in a Number" */
    GY_NUM_EOVERFLOW = -3,  /* "Number overflow. Attempting to store a number with magnitude larger than supported range" */
    GY_NUM_EUNDERFLOW = -4, /* "Number underflow. Attempting to store a number with magnitude smaller than supported range" */
};

/** Parse decimal text (optional sign, digits, optional fraction, optional exponent). */
int gy_num_parse(const char *p, size_t len, struct gy_num *out);
/** The DynamoDB message for a gy_num_status. */
const char *gy_num_strerror(int status);
/** Canonical text into out (cap >= GY_NUM_TEXT_MAX is always enough); returns its length. */
size_t gy_num_format(const struct gy_num *x, char *out, size_t cap);
/** Exact comparison: <0, 0, >0. */
int gy_num_cmp(const struct gy_num *a, const struct gy_num *b);
/** out = a + b, exactly, or an error status if the result is out of DynamoDB's range. */
int gy_num_add(const struct gy_num *a, const struct gy_num *b, struct gy_num *out);
/** out = a - b. */
int gy_num_sub(const struct gy_num *a, const struct gy_num *b, struct gy_num *out);
/** Compare two canonical (or any valid) number texts exactly; invalid text sorts first. */
int gy_num_cmp_text(const char *a, size_t alen, const char *b, size_t blen);
/** Order-preserving bytes for x into out (>= GY_NUM_KEY_MAX bytes); returns the length. */
size_t gy_num_key_encode(const struct gy_num *x, uint8_t *out);
/** Inverse of gy_num_key_encode; returns bytes consumed or 0 if malformed. */
size_t gy_num_key_decode(const uint8_t *p, size_t len, struct gy_num *out);
/** True when x is zero. */
static inline bool gy_num_is_zero(const struct gy_num *x)
{
    return x->n == 0;
}

#endif

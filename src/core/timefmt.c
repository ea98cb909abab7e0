/*
 * timefmt.c — the timestamp texts of every protocol (see timefmt.h): one civil-date algorithm
 * (Howard Hinnant's, proleptic Gregorian, UTC) for parsing and formatting, so no time zone or
 * locale is consulted and no printf runs for the common ISO 8601 case.
 */
#define _DEFAULT_SOURCE
#include "core/timefmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/errors.h"

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Read exactly n digits at s->p[*i]. */
static bool read_digits(struct gy_str s, size_t *i, size_t n, int *out)
{
    int v = 0;
    if (*i + n > s.len)
        return false;
    for (size_t k = 0; k < n; k++) {
        char c = s.p[*i + k];
        if (!is_digit(c))
            return false;
        v = v * 10 + (c - '0');
    }
    *i += n;
    *out = v;
    return true;
}

static bool at(struct gy_str s, size_t i, char c)
{
    return i < s.len && s.p[i] == c;
}


static bool digits(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            return false;
    return true;
}

static int num(const char *p, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (p[i] - '0');
    return v;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
    static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dim[m - 1];
}

/* A fraction of a second: up to 9 decimal digits as f / 10^k (k = 0: none). */
struct frac {
    int64_t f;
    int k;
};

/*
 * Epoch seconds of a validated civil date and time. With a fraction the value is computed as
 * (t * 10^k + f) / 10^k, one correctly rounded division, as Python's datetime.timestamp() does.
 */
static bool civil_to_epoch(int y, int mo, int d, int h, int mi, int sec, struct frac fr,
                           int tz_min, double *out)
{
    static const int64_t pow10[10] = { 1, 10, 100, 1000, 10000, 100000, 1000000, 10000000,
                                       100000000, 1000000000 };
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 60)
        return false;
    int64_t t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - tz_min * 60;
    if (fr.k == 0)
        *out = (double)t;
    else if (t > -9000000000 && t < 9000000000)
        *out = (double)(t * pow10[fr.k] + fr.f) / (double)pow10[fr.k];
    else
        *out = (double)t + (double)fr.f / (double)pow10[fr.k];
    return true;
}

/* Optional fraction ".ddd" (or ",ddd"): at least one digit; digits past the ninth are dropped. */
static bool read_fraction(struct gy_str s, size_t *i, struct frac *fr)
{
    size_t n = 0;
    fr->f = 0;
    fr->k = 0;
    if (!at(s, *i, '.') && !at(s, *i, ','))
        return true;
    (*i)++;
    while (*i < s.len && is_digit(s.p[*i])) {
        if (fr->k < 9) {
            fr->f = fr->f * 10 + (s.p[*i] - '0');
            fr->k++;
        }
        (*i)++, n++;
    }
    return n > 0;
}

/* ISO 8601: YYYY-MM-DD[(T| )hh:mm[:ss[.f]][Z|±hh[[:]mm]]]; no zone means UTC. */
static bool parse_iso8601(struct gy_str s, double *out)
{
    size_t i = 0;
    int y, mo, d, h = 0, mi = 0, sec = 0, tz = 0;
    struct frac frac = { 0, 0 };
    if (!read_digits(s, &i, 4, &y) || !at(s, i++, '-') || !read_digits(s, &i, 2, &mo) ||
        !at(s, i++, '-') || !read_digits(s, &i, 2, &d))
        return false;
    if (i < s.len) {
        if (s.p[i] != 'T' && s.p[i] != 't' && s.p[i] != ' ')
            return false;
        i++;
        if (!read_digits(s, &i, 2, &h) || !at(s, i++, ':') || !read_digits(s, &i, 2, &mi))
            return false;
        if (at(s, i, ':')) {
            i++;
            if (!read_digits(s, &i, 2, &sec) || !read_fraction(s, &i, &frac))
                return false;
        }
        if (at(s, i, 'Z') || at(s, i, 'z')) {
            i++;
        } else if (at(s, i, '+') || at(s, i, '-')) {
            int sign = s.p[i++] == '-' ? -1 : 1, th, tm = 0;
            if (!read_digits(s, &i, 2, &th))
                return false;
            if (at(s, i, ':'))
                i++;
            if (i < s.len && !read_digits(s, &i, 2, &tm))
                return false;
            if (th > 23 || tm > 59)
                return false;
            tz = sign * (th * 60 + tm);
        }
        if (i != s.len)
            return false;
    }
    return civil_to_epoch(y, mo, d, h, mi, sec, frac, tz, out);
}

/* RFC 822 / 1123: [Www, ]D[D] Mon YYYY hh:mm:ss (GMT|UTC|Z|±hhmm). */
static bool parse_rfc822(struct gy_str s, double *out)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    size_t i = 0;
    int d, y, h, mi, sec, mo = 0, tz = 0;
    if (s.len > 5 && s.p[3] == ',' && s.p[4] == ' ')
        i = 5;
    if (!read_digits(s, &i, 2, &d)) {
        if (!read_digits(s, &i, 1, &d))
            return false;
    }
    if (!at(s, i++, ' ') || i + 3 > s.len)
        return false;
    for (int k = 0; k < 12; k++)
        if (memcmp(s.p + i, months + 3 * k, 3) == 0)
            mo = k + 1;
    i += 3;
    if (mo == 0 || !at(s, i++, ' ') || !read_digits(s, &i, 4, &y) || !at(s, i++, ' ') ||
        !read_digits(s, &i, 2, &h) || !at(s, i++, ':') || !read_digits(s, &i, 2, &mi) ||
        !at(s, i++, ':') || !read_digits(s, &i, 2, &sec) || !at(s, i++, ' '))
        return false;
    struct gy_str zone = { s.p + i, s.len - i };
    if (gy_str_eqc(zone, "GMT") || gy_str_eqc(zone, "UTC") || gy_str_eqc(zone, "Z")) {
        tz = 0;
    } else if (zone.len == 5 && (zone.p[0] == '+' || zone.p[0] == '-')) {
        size_t j = 1;
        int th, tm;
        if (!read_digits(zone, &j, 2, &th) || !read_digits(zone, &j, 2, &tm) || th > 23 ||
            tm > 59)
            return false;
        tz = (zone.p[0] == '-' ? -1 : 1) * (th * 60 + tm);
    } else {
        return false;
    }
    return civil_to_epoch(y, mo, d, h, mi, sec, (struct frac){ 0, 0 }, tz, out);
}

bool gy_time_parse_text(struct gy_str s, double *out)
{
    size_t i = 0, digits = 0;
    if (at(s, 0, '-') || at(s, 0, '+'))
        i++;
    while (i < s.len && is_digit(s.p[i]))
        i++, digits++;
    if (digits > 0 && digits < 16 && (i == s.len || (s.p[i] == '.' && i + 1 < s.len))) {
        size_t f = i == s.len ? i : i + 1;
        while (f < s.len && is_digit(s.p[f]))
            f++;
        if (f == s.len) {
            *out = strtod(s.p, NULL);
            return true;
        }
    }
    return parse_iso8601(s, out) || parse_rfc822(s, out);
}

/* ms since the epoch of a civil date and time (UTC), validated. */
static int civil(int y, int mo, int d, int h, int mi, int s, int64_t *out)
{
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 60)
        return GY_EINVAL;
    *out = (days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s) * 1000;
    return 0;
}

/* Civil date of a day count since 1970-01-01 (Howard Hinnant's algorithm). */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

int gy_time_parse_iso8601(struct gy_str s, int64_t *ms)
{
    const char *p = s.p;
    size_t n = s.len;
    int64_t base;

    if (n < 10 || !digits(p, 4) || p[4] != '-' || !digits(p + 5, 2) || p[7] != '-' ||
        !digits(p + 8, 2))
        return GY_EINVAL;
    if (n == 10)
        return civil(num(p, 4), num(p + 5, 2), num(p + 8, 2), 0, 0, 0, ms);
    if (n < 20 || (p[10] != 'T' && p[10] != 't') || !digits(p + 11, 2) || p[13] != ':' ||
        !digits(p + 14, 2) || p[16] != ':' || !digits(p + 17, 2))
        return GY_EINVAL;
    if (civil(num(p, 4), num(p + 5, 2), num(p + 8, 2), num(p + 11, 2), num(p + 14, 2),
              num(p + 17, 2), &base))
        return GY_EINVAL;
    size_t i = 19;
    int64_t frac = 0;
    if (i < n && p[i] == '.') {
        size_t start = ++i;
        while (i < n && p[i] >= '0' && p[i] <= '9') {
            if (i - start < 3)
                frac = frac * 10 + (p[i] - '0');
            i++;
        }
        if (i == start)
            return GY_EINVAL;
        for (size_t k = i - start; k < 3; k++)
            frac *= 10;
    }
    if (i == n - 1 && (p[i] == 'Z' || p[i] == 'z')) {
        *ms = base + frac;
        return 0;
    }
    if (i < n && (p[i] == '+' || p[i] == '-')) {
        int sign = p[i] == '-' ? -1 : 1;
        const char *z = p + i + 1;
        size_t zl = n - i - 1;
        int oh, om;
        if (zl == 5 && digits(z, 2) && z[2] == ':' && digits(z + 3, 2)) {
            oh = num(z, 2);
            om = num(z + 3, 2);
        } else if (zl == 4 && digits(z, 4)) {
            oh = num(z, 2);
            om = num(z + 2, 2);
        } else {
            return GY_EINVAL;
        }
        if (oh > 23 || om > 59)
            return GY_EINVAL;
        *ms = base + frac - sign * ((int64_t)oh * 3600 + om * 60) * 1000;
        return 0;
    }
    return GY_EINVAL;
}

size_t gy_time_format_iso8601(int64_t ms, char out[GY_TIME_ISO_MAX])
{
    int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
    int64_t rem = ms - days * 86400000, y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    int h = (int)(rem / 3600000), mi = (int)(rem / 60000 % 60), s = (int)(rem / 1000 % 60);
    int frac = (int)(rem % 1000);
    if (y < 0 || y > 9999) {
        int n = snprintf(out, GY_TIME_ISO_MAX, "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ",
                         (long long)y, m, d, h, mi, s, frac);
        return n > 0 && n < GY_TIME_ISO_MAX ? (size_t)n : 0;
    }
    /* No printf: responses can carry thousands of timestamps. */
    int yy = (int)y;
    memcpy(out, "0000-00-00T00:00:00.000Z", 25);
    out[0] = (char)('0' + yy / 1000), out[1] = (char)('0' + yy / 100 % 10);
    out[2] = (char)('0' + yy / 10 % 10), out[3] = (char)('0' + yy % 10);
    out[5] = (char)('0' + m / 10), out[6] = (char)('0' + m % 10);
    out[8] = (char)('0' + d / 10), out[9] = (char)('0' + d % 10);
    out[11] = (char)('0' + h / 10), out[12] = (char)('0' + h % 10);
    out[14] = (char)('0' + mi / 10), out[15] = (char)('0' + mi % 10);
    out[17] = (char)('0' + s / 10), out[18] = (char)('0' + s % 10);
    out[20] = (char)('0' + frac / 100), out[21] = (char)('0' + frac / 10 % 10);
    out[22] = (char)('0' + frac % 10);
    return 24;
}

int gy_time_parse_http_date(struct gy_str s, int64_t *ms)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    const char *p = s.p;
    int mo = 0;

    if (s.len != 29 || p[3] != ',' || p[4] != ' ' || !digits(p + 5, 2) || p[7] != ' ' ||
        p[11] != ' ' || !digits(p + 12, 4) || p[16] != ' ' || !digits(p + 17, 2) ||
        p[19] != ':' || !digits(p + 20, 2) || p[22] != ':' || !digits(p + 23, 2) ||
        memcmp(p + 25, " GMT", 4) != 0)
        return GY_EINVAL;
    for (int i = 0; i < 12; i++)
        if (memcmp(p + 8, months + 3 * i, 3) == 0)
            mo = i + 1;
    if (!mo)
        return GY_EINVAL;
    return civil(num(p + 12, 4), mo, num(p + 5, 2), num(p + 17, 2), num(p + 20, 2),
                 num(p + 23, 2), ms);
}

void gy_time_format_http_date(int64_t ms, char out[30])
{
    time_t t = (time_t)(ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000)); /* floor */
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 30, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

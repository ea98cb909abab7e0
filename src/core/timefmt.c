/*
 * timefmt.c — ISO 8601 and IMF-fixdate texts (see timefmt.h). Civil dates go through timegm and
 * gmtime_r (UTC, proleptic Gregorian), so no time zone or locale is consulted.
 */
#define _DEFAULT_SOURCE
#include "core/timefmt.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/errors.h"

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

static int civil(int y, int mo, int d, int h, int mi, int s, int64_t *out)
{
    static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || s > 60)
        return GY_EINVAL;
    if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return GY_EINVAL;
    struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
                     .tm_min = mi, .tm_sec = s };
    *out = (int64_t)timegm(&tm) * 1000;
    return 0;
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

void gy_time_format_iso8601(int64_t ms, char out[25])
{
    time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    int frac = (int)(ms - (int64_t)t * 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    char tmp[80];
    snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
             (tm.tm_year + 1900) % 10000, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
             tm.tm_sec, frac);
    memcpy(out, tmp, 24);
    out[24] = '\0';
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
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 30, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

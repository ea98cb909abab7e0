/*
 * args.c — reading and checking Kinesis request members, and the errors Kinesis answers.
 * Model constraints (lengths, ranges, patterns, required members) are reported as Coral's
 * ValidationException, all of one request's at once: "2 validation errors detected: Value
 * '...' at 'streamName' failed to satisfy constraint: ...; ...". Semantic errors use the
 * service's own exceptions (InvalidArgumentException, ResourceNotFoundException, ...) with
 * AWS's texts, named by their model shapes (gy_aws_error: the protocol layer takes their wire
 * code and status from the model; Kinesis sends bare codes).
 */
#include "kinesis/kinesis_int.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/json.h"
#include "core/log.h"

int gy_kin__error(struct gy_aws_req *req, const char *exception, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = gy_arena_vprintf(req->arena, fmt, ap);
    va_end(ap);
    return gy_aws_error(req, exception, "%s", msg);
}

int gy_kin__internal(struct gy_aws_req *req, int rc)
{
    if (rc == GY_EAWS)
        return rc;
    gy_log_error("%s kinesis %s: storage error %s", req->request_id,
                 req->op ? req->op->name : "-", gy_strerror(rc));
    return gy_error_set(&req->err, req->arena, GY_AWS_INTERNAL, "Internal Service Failure");
}

/* ---- validation ---- */

void gy_kin__v_init(struct gy_kin_v *v, struct gy_aws_req *req)
{
    memset(v, 0, sizeof(*v));
    v->req = req;
}

void gy_kin__v_add(struct gy_kin_v *v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *one = gy_arena_vprintf(v->req->arena, fmt, ap);
    va_end(ap);
    v->text = v->count ? gy_arena_printf(v->req->arena, "%s; %s", v->text, one) : one;
    v->count++;
}

int gy_kin__v_done(struct gy_kin_v *v)
{
    if (v->serial)
        return GY_EAWS;
    if (!v->count)
        return 0;
    return gy_kin__error(v->req, "ValidationException", "%d validation error%s detected: %s",
                         v->count, v->count == 1 ? "" : "s", v->text);
}

static void serial(struct gy_kin_v *v, const char *member)
{
    if (!v->serial)
        gy_error_set(&v->req->err, v->req->arena, GY_AWS_SERIALIZATION,
                     "Unexpected value type in payload: %s", member);
    v->serial = true;
}

size_t gy_kin__chars(struct gy_str s)
{
    size_t n = 0;
    for (size_t i = 0; i < s.len; i++)
        if (((unsigned char)s.p[i] & 0xc0) != 0x80)
            n++;
    return n;
}

/* A value for a validation message: Coral quotes it and elides nothing. */
static const char *quoted(struct gy_kin_v *v, struct gy_str s)
{
    return gy_arena_printf(v->req->arena, "'%.*s'", (int)s.len, s.p);
}

struct gy_str gy_kin__v_str(struct gy_kin_v *v, const struct gy_json *obj, const char *member,
                            const char *path, bool required, size_t min, size_t max)
{
    const struct gy_json *j = gy_json_get(obj, member);
    if (!j || gy_json_is(j, GY_JSON_NULL)) {
        if (required)
            gy_kin__v_add(v, "Value null at '%s' failed to satisfy constraint: Member must not "
                             "be null", path);
        return GY_STR_NULL;
    }
    if (!gy_json_is(j, GY_JSON_STRING)) {
        serial(v, member);
        return GY_STR_NULL;
    }
    struct gy_str s = gy_json_str(j);
    size_t n = gy_kin__chars(s);
    if (n < min)
        gy_kin__v_add(v, "Value %s at '%s' failed to satisfy constraint: Member must have length "
                         "greater than or equal to %zu", quoted(v, s), path, min);
    else if (n > max)
        gy_kin__v_add(v, "Value %s at '%s' failed to satisfy constraint: Member must have length "
                         "less than or equal to %zu", quoted(v, s), path, max);
    return s;
}

int64_t gy_kin__v_int(struct gy_kin_v *v, const struct gy_json *obj, const char *member,
                      const char *path, bool required, int64_t min, int64_t max, bool *present)
{
    const struct gy_json *j = gy_json_get(obj, member);
    int64_t x = 0;
    *present = false;
    if (!j || gy_json_is(j, GY_JSON_NULL)) {
        if (required)
            gy_kin__v_add(v, "Value null at '%s' failed to satisfy constraint: Member must not "
                             "be null", path);
        return 0;
    }
    if (!gy_json_is(j, GY_JSON_NUMBER) || !gy_json_int(j, &x) || x < INT32_MIN || x > INT32_MAX) {
        serial(v, member);
        return 0;
    }
    *present = true;
    if (x < min)
        gy_kin__v_add(v, "Value '%" PRId64 "' at '%s' failed to satisfy constraint: Member must "
                         "have value greater than or equal to %" PRId64, x, path, min);
    else if (x > max)
        gy_kin__v_add(v, "Value '%" PRId64 "' at '%s' failed to satisfy constraint: Member must "
                         "have value less than or equal to %" PRId64, x, path, max);
    return x;
}

void gy_kin__v_name(struct gy_kin_v *v, struct gy_str name, const char *path)
{
    if (!name.p || name.len == 0 || name.len > GY_KIN_NAME_MAX)
        return; /* absent, or already reported by its length */
    for (size_t i = 0; i < name.len; i++) {
        char c = name.p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-')) {
            gy_kin__v_add(v, "Value %s at '%s' failed to satisfy constraint: Member must satisfy "
                             "regular expression pattern: [a-zA-Z0-9_.-]+", quoted(v, name), path);
            return;
        }
    }
}

int64_t gy_kin__v_time(struct gy_kin_v *v, const struct gy_json *obj, const char *member,
                       const char *path, bool *present)
{
    const struct gy_json *j = gy_json_get(obj, member);
    *present = false;
    if (!j || gy_json_is(j, GY_JSON_NULL))
        return 0;
    if (!gy_json_is(j, GY_JSON_NUMBER)) {
        serial(v, member);
        return 0;
    }
    double s = gy_json_num(j);
    if (!isfinite(s) || s < 0 || s > 9.9e9) {
        serial(v, member);
        return 0;
    }
    *present = true;
    return (int64_t)llround(s * 1000.0);
}

/* ---- streams by name or ARN ---- */

char *gy_kin__arn(struct gy_aws_req *req, const char *name)
{
    return gy_arena_printf(req->arena, "arn:aws:kinesis:%s:%s:stream/%s", req->region,
                           req->account, name);
}

int gy_kin__not_found(struct gy_aws_req *req, struct gy_str name)
{
    return gy_kin__error(req, "ResourceNotFoundException", "Stream %.*s under account %s not found.",
                         (int)name.len, name.p, req->account);
}

int gy_kin__not_active(struct gy_aws_req *req, const struct gy_kin_stream *st, int64_t now)
{
    return gy_kin__error(req, "ResourceInUseException",
                         "Stream %s under account %s not ACTIVE, instead in state %s", st->name,
                         req->account, gy_kin__status_name(gy_kin__status(st, now)));
}

/*
 * StreamARN: "arn:aws:kinesis:<region>:<12 digits>:stream/<name>" (the model's pattern
 * arn:aws.*:kinesis:.*:\d{12}:stream/\S+). One of another region or account names a stream
 * this region does not have.
 */
static int arn_name(struct gy_aws_req *req, struct gy_kin_v *v, struct gy_str arn,
                    const char *path, struct gy_str *name, bool *foreign)
{
    const char *p = arn.p, *end = arn.p + arn.len;
    char region[64];
    size_t n;
    *foreign = false;
    if (arn.len < 8 || memcmp(p, "arn:aws", 7) != 0)
        goto bad;
    p = memchr(p, ':', (size_t)(end - p)); /* after "arn" */
    p = p ? memchr(p + 1, ':', (size_t)(end - p - 1)) : NULL; /* after the partition */
    if (!p || (size_t)(end - p) < 9 || memcmp(p, ":kinesis:", 9) != 0)
        goto bad;
    p += 9;
    const char *colon = memchr(p, ':', (size_t)(end - p));
    if (!colon)
        goto bad;
    n = (size_t)(colon - p);
    if (n >= sizeof(region))
        goto bad;
    memcpy(region, p, n);
    region[n] = '\0';
    p = colon + 1;
    if (end - p < 20)
        goto bad;
    for (int i = 0; i < 12; i++)
        if (p[i] < '0' || p[i] > '9')
            goto bad;
    if (memcmp(p + 12, ":stream/", 8) != 0)
        goto bad;
    *name = (struct gy_str){p + 20, (size_t)(end - p - 20)};
    for (size_t i = 0; i < name->len; i++)
        if ((unsigned char)name->p[i] <= ' ')
            goto bad;
    if (name->len == 0)
        goto bad;
    *foreign = strcmp(region, req->region) != 0 || memcmp(p, req->account, 12) != 0 ||
               strlen(req->account) != 12;
    return 0;
bad:
    gy_kin__v_add(v, "Value %s at '%s' failed to satisfy constraint: Member must satisfy "
                     "regular expression pattern: arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+",
                  quoted(v, arn), path);
    return GY_EINVAL;
}

int gy_kin__stream_arg(struct gy_aws_req *req, struct gy_kin_v *v, struct gy_str *name)
{
    struct gy_str sn = gy_kin__v_str(v, req->body, "StreamName", "streamName", false, 1,
                                     GY_KIN_NAME_MAX);
    struct gy_str arn = gy_kin__v_str(v, req->body, "StreamARN", "streamARN", false, 1, 2048);
    struct gy_str from_arn = GY_STR_NULL;
    bool foreign = false;
    gy_kin__v_name(v, sn, "streamName");
    if (arn.p && arn.len)
        arn_name(req, v, arn, "streamARN", &from_arn, &foreign);
    if (gy_kin__v_done(v))
        return GY_EAWS;
    if (!sn.p && !arn.p)
        return gy_kin__error(req, "InvalidArgumentException",
                             "Either StreamName or StreamARN should be provided.");
    if (arn.p && (foreign || from_arn.len > GY_KIN_NAME_MAX))
        return gy_kin__error(req, "ResourceNotFoundException",
                             "Stream %.*s under account %s not found.", (int)from_arn.len,
                             from_arn.p, req->account);
    if (sn.p && arn.p && !gy_str_eq(sn, from_arn))
        return gy_kin__error(req, "InvalidArgumentException",
                             "StreamName %s and StreamARN %s do not refer to the same stream.",
                             sn.p, arn.p);
    *name = sn.p ? sn : gy_arena_strdup(req->arena, from_arn);
    return 0;
}

int gy_kin__resource_arg(struct gy_aws_req *req, struct gy_kin_v *v, struct gy_str *name)
{
    struct gy_str arn = gy_kin__v_str(v, req->body, "ResourceARN", "resourceARN", true, 1, 2048);
    struct gy_str from_arn = GY_STR_NULL;
    bool foreign = false;
    if (arn.p && arn.len)
        arn_name(req, v, arn, "resourceARN", &from_arn, &foreign);
    if (gy_kin__v_done(v))
        return GY_EAWS;
    if (foreign || from_arn.len > GY_KIN_NAME_MAX ||
        (from_arn.len && memchr(from_arn.p, '/', from_arn.len)))
        return gy_kin__error(req, "ResourceNotFoundException",
                             "Resource %s under account %s not found.", arn.p, req->account);
    *name = gy_arena_strdup(req->arena, from_arn);
    return 0;
}

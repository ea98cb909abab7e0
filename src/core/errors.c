/*
 * errors.c — names of internal codes and the AWS error table. See errors.h.
 */
#include "core/errors.h"

#include <stdarg.h>
#include <stdio.h>

#include "core/arena.h"

static const struct gy_aws_error_info aws_errors[GY_AWS__COUNT] = {
    [GY_AWS_OK] = { "OK", "", 200, false },
#define GY__AWS_INFO(name, exc, ns, status, retry) [GY_AWS_##name] = { exc, ns, status, retry },
    GY_AWS_ERROR_MAP(GY__AWS_INFO)
#undef GY__AWS_INFO
};

const struct gy_aws_error_info *gy_aws_error_info(enum gy_aws_error code)
{
    if ((int)code < 0 || code >= GY_AWS__COUNT)
        code = GY_AWS_INTERNAL;
    return &aws_errors[code];
}

const char *gy_strerror(int code)
{
    switch (code) {
    case GY_OK: return "GY_OK";
    case GY_EINVAL: return "GY_EINVAL";
    case GY_ENOMEM: return "GY_ENOMEM";
    case GY_ETOOBIG: return "GY_ETOOBIG";
    case GY_ENOTFOUND: return "GY_ENOTFOUND";
    case GY_EEXIST: return "GY_EEXIST";
    case GY_EIO: return "GY_EIO";
    case GY_EAWS: return "GY_EAWS";
    case GY_EAGAIN: return "GY_EAGAIN";
    case GY_ECLOSED: return "GY_ECLOSED";
    case GY_EFALSE: return "GY_EFALSE";
    case GY_PENDING: return "GY_PENDING";
    default: return "GY_E?";
    }
}

int gy_error_set(struct gy_error *err, struct gy_arena *arena, enum gy_aws_error code,
                 const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    err->code = code;
    err->exception = NULL;
    err->message = gy_arena_vprintf(arena, fmt, ap);
    va_end(ap);
    return GY_EAWS;
}

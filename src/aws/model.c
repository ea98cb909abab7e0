/*
 * model.c — look-ups over the generated model tables (build/gen/aws_models.c, made by
 * scripts/gen-aws-model). See model.h.
 */
#include "aws/model.h"

#include <string.h>

#include "core/log.h"

extern const struct gy_model_service *const gy_model__all[];
extern const size_t gy_model__count;

const struct gy_model_service *const *gy_model_all(size_t *n)
{
    *n = gy_model__count;
    return gy_model__all;
}

const struct gy_model_service *gy_model_find(const char *name)
{
    for (size_t i = 0; i < gy_model__count; i++)
        if (strcmp(gy_model__all[i]->name, name) == 0)
            return gy_model__all[i];
    return NULL;
}

/* strcmp order of a slice against a C string. */
static int cmp_str(struct gy_str a, const char *b)
{
    size_t bl = strlen(b);
    int c = memcmp(a.p, b, a.len < bl ? a.len : bl);
    if (c)
        return c;
    return a.len < bl ? -1 : a.len > bl;
}

const struct gy_model_op *gy_model_op(const struct gy_model_service *svc, struct gy_str name)
{
    size_t lo = 0, hi = svc->nops;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp_str(name, svc->ops[mid].name);
        if (c == 0)
            return &svc->ops[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

const struct gy_model_shape *gy_model_shape(const struct gy_model_service *svc, uint16_t idx)
{
    gy_assert(idx < svc->nshapes);
    return &svc->shapes[idx];
}

uint16_t gy_model_shape_find(const struct gy_model_service *svc, const char *name)
{
    size_t lo = 0, hi = svc->nshapes;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(name, svc->shapes[mid].name);
        if (c == 0)
            return (uint16_t)mid;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return GY_MODEL_NONE;
}

const struct gy_model_member *gy_model_member(const struct gy_model_service *svc,
                                              const struct gy_model_shape *st, size_t i)
{
    gy_assert(st->kind == GY_SHAPE_STRUCTURE && i < st->n);
    return &svc->members[st->first + i];
}

const struct gy_model_member *gy_model_member_find(const struct gy_model_service *svc,
                                                   const struct gy_model_shape *st,
                                                   struct gy_str name)
{
    if (st->kind != GY_SHAPE_STRUCTURE)
        return NULL;
    if (!name.len)
        return NULL;
    /* First byte, then the rest without measuring each member name. */
    for (size_t i = 0; i < st->n; i++) {
        const struct gy_model_member *m = &svc->members[st->first + i];
        if (m->name[0] == name.p[0] && strncmp(m->name, name.p, name.len) == 0 &&
            m->name[name.len] == '\0')
            return m;
    }
    return NULL;
}

enum gy_ts_format gy_model_ts_format(const struct gy_model_service *svc,
                                     const struct gy_model_member *m, enum gy_ts_format dflt)
{
    if (m && m->ts_format)
        return (enum gy_ts_format)m->ts_format;
    if (m && svc->shapes[m->shape].ts_format)
        return (enum gy_ts_format)svc->shapes[m->shape].ts_format;
    return dflt;
}

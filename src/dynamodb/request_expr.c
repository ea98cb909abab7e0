/*
 * request_expr.c — reads a request's expression parameters (and their legacy forms) into
 * parsed trees, once, on the I/O thread: ConditionExpression / Expected, UpdateExpression /
 * AttributeUpdates, ProjectionExpression / AttributesToGet, KeyConditionExpression /
 * KeyConditions, FilterExpression / QueryFilter / ScanFilter. Then refuses unused placeholders.
 */
#include <string.h>

#include "core/json.h"
#include "dynamodb/dynamodb_int.h"
#include "dynamodb/expr/expr.h"

/* A string member, or a SerializationException if it has another type. */
static int str_member(struct gy_aws_req *req, const struct gy_json *src, const char *name,
                      const struct gy_json **out)
{
    *out = gy_json_get(src, name);
    if (*out && !gy_json_is(*out, GY_JSON_STRING))
        return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION,
                            "Unexpected value type in payload: %s", name);
    return 0;
}

int gy_ddb__parse_exprs(struct gy_aws_req *req, const struct gy_json *b,
                        const struct gy_ddb_table *t, int kinds, struct gy_ddb_exprs *ex)
{
    const struct gy_json *names = gy_json_get(b, "ExpressionAttributeNames");
    const struct gy_json *values = gy_json_get(b, "ExpressionAttributeValues");
    const struct gy_json *cop = gy_json_get(b, "ConditionalOperator");
    struct gy_str keys[2] = { gy_str_c(t->hash.name), gy_str_c(t->range.name) };
    size_t nkeys = t->range.name ? 2 : 1;
    const struct gy_json *j;
    bool any = false;

    memset(ex, 0, sizeof(*ex));
    if (gy_expr_check_param_mix(b, &req->err, req->arena))
        return GY_EAWS;
    if (gy_expr_ctx_from_request(req->arena, names, values, &ex->ctx, &req->err))
        return GY_EAWS;

    if (kinds & GY_DDB_EX_KEYCOND) {
        if (str_member(req, b, "KeyConditionExpression", &j))
            return GY_EAWS;
        if (j) {
            if (gy_expr_parse_condition(ex->ctx, gy_json_str(j), "KeyConditionExpression",
                                        &ex->keycond, &req->err))
                return GY_EAWS;
            any = true;
        } else if ((j = gy_json_get(b, "KeyConditions"))) {
            if (gy_expr_from_filter(ex->ctx, j, NULL, "KeyConditions", &ex->keycond, &req->err))
                return GY_EAWS;
            ex->keycond_legacy = true;
        }
    }
    if (kinds & GY_DDB_EX_COND) {
        if (str_member(req, b, "ConditionExpression", &j))
            return GY_EAWS;
        if (j) {
            if (gy_expr_parse_condition(ex->ctx, gy_json_str(j), "ConditionExpression", &ex->cond,
                                        &req->err))
                return GY_EAWS;
            any = true;
        } else if ((j = gy_json_get(b, "Expected"))) {
            if (gy_expr_from_expected(ex->ctx, j, cop, &ex->cond, &req->err))
                return GY_EAWS;
        }
    }
    if (kinds & GY_DDB_EX_FILTER) {
        if (str_member(req, b, "FilterExpression", &j))
            return GY_EAWS;
        const char *legacy = (kinds & GY_DDB_EX_KEYCOND) ? "QueryFilter" : "ScanFilter";
        if (j) {
            if (gy_expr_parse_condition(ex->ctx, gy_json_str(j), "FilterExpression", &ex->filter,
                                        &req->err))
                return GY_EAWS;
            any = true;
        } else if ((j = gy_json_get(b, legacy))) {
            if (gy_expr_from_filter(ex->ctx, j, cop, legacy, &ex->filter, &req->err))
                return GY_EAWS;
        }
    }
    if (kinds & GY_DDB_EX_UPDATE) {
        if (str_member(req, b, "UpdateExpression", &j))
            return GY_EAWS;
        if (j) {
            if (gy_expr_parse_update(ex->ctx, gy_json_str(j), keys, nkeys, &ex->upd, &req->err))
                return GY_EAWS;
            any = true;
        } else if ((j = gy_json_get(b, "AttributeUpdates"))) {
            if (gy_expr_from_attribute_updates(ex->ctx, j, keys, nkeys, &ex->upd, &req->err))
                return GY_EAWS;
        }
    }
    if (kinds & GY_DDB_EX_PROJ) {
        if (str_member(req, b, "ProjectionExpression", &j))
            return GY_EAWS;
        if (j) {
            if (gy_expr_parse_projection(ex->ctx, gy_json_str(j), &ex->proj, &req->err))
                return GY_EAWS;
            any = true;
        } else if ((j = gy_json_get(b, "AttributesToGet"))) {
            if (gy_expr_from_attributes_to_get(ex->ctx, j, &ex->proj, &req->err))
                return GY_EAWS;
        }
    }
    if (!any && values)
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "ExpressionAttributeValues can only be specified when using "
                            "expressions");
    if (!any && names)
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION,
                            "ExpressionAttributeNames can only be specified when using "
                            "expressions");
    return gy_expr_ctx_finish(ex->ctx, &req->err);
}

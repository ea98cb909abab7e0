/*
 * testsvc.c — echo services for the protocol fixtures (see testsvc.h). Echo returns its input
 * (plus the rest fixture's header and status members), Constrained only passes the model's
 * validation, Fail raises the modeled exception its Code names, Upload returns its raw payload.
 */
#include "testsvc/testsvc.h"

#include <stdlib.h>
#include <string.h>

#include "aws/aws.h"
#include "core/base64.h"

static int echo(struct gy_aws_req *req)
{
    gy_jw_obj_begin(&req->w);
    for (const struct gy_json *c = gy_json_child(req->body); c; c = gy_json_next(c)) {
        struct gy_str k = gy_json_key(c);
        if (gy_str_eqc(k, "Hdr") || gy_str_eqc(k, "HdrInt"))
            continue;
        gy_jw_key_str(&req->w, k);
        gy_jw_value(&req->w, c);
    }
    const struct gy_json *h = gy_json_get(req->body, "Hdr");
    if (h) {
        gy_jw_key(&req->w, "OutHdr");
        gy_jw_value(&req->w, h);
    }
    h = gy_json_get(req->body, "HdrInt");
    if (h) {
        gy_jw_key(&req->w, "OutInt");
        gy_jw_value(&req->w, h);
    }
    gy_jw_obj_end(&req->w);
    return 0;
}

static int list(struct gy_aws_req *req)
{
    int64_t max = 3;
    gy_json_int(gy_json_get(req->body, "Max"), &max);
    gy_jw_obj_begin(&req->w);
    gy_jw_key(&req->w, "Items");
    gy_jw_arr_begin(&req->w);
    for (int64_t i = 0; i < max && i < 100; i++)
        gy_jw_str(&req->w, gy_str_c(i % 2 ? "odd" : "even"));
    gy_jw_arr_end(&req->w);
    gy_jw_obj_end(&req->w);
    return 0;
}

static int upload(struct gy_aws_req *req)
{
    struct gy_str data = gy_json_str(gy_json_get(req->body, "Body"));
    struct gy_str raw;
    if (gy_base64_decode(req->arena, data, &raw, NULL))
        raw = GY_STR_NULL;
    gy_jw_obj_begin(&req->w);
    gy_jw_key(&req->w, "Body");
    gy_jw_str(&req->w, data.p ? data : GY_STR(""));
    gy_jw_key(&req->w, "Length");
    gy_jw_int(&req->w, (int64_t)raw.len);
    gy_jw_key(&req->w, "Key");
    gy_jw_str(&req->w, gy_json_str(gy_json_get(req->body, "Key")));
    gy_jw_obj_end(&req->w);
    return 0;
}

static int constrained(struct gy_aws_req *req)
{
    gy_jw_obj_begin(&req->w);
    gy_jw_key(&req->w, "Name");
    gy_jw_str(&req->w, gy_json_str(gy_json_get(req->body, "Name")));
    gy_jw_obj_end(&req->w);
    return 0;
}

static int fail(struct gy_aws_req *req)
{
    struct gy_str code = gy_json_str(gy_json_get(req->body, "Code"));
    if (gy_str_eqc(code, "NotFound"))
        return gy_aws_error(req, "NotFound", "Thing %s does not exist", "t-1");
    if (gy_str_eqc(code, "Conflict"))
        return gy_aws_error(req, "Conflict", "Thing is busy <&> \"quoted\"");
    if (gy_str_eqc(code, "Validation"))
        return gy_error_set(&req->err, req->arena, GY_AWS_VALIDATION, "Generic validation");
    return 0;
}

static const struct gy_aws_op rpc_ops[] = {
    { "Constrained", constrained },
    { "Echo", echo },
    { "Fail", fail },
};

static const struct gy_aws_op rest_ops[] = {
    { "Constrained", constrained }, { "Echo", echo }, { "Fail", fail },
    { "List", list },               { "Upload", upload },
};

static const struct gy_aws_service services[] = {
    { .model = "gyretestquery", .ops = rpc_ops, .nops = sizeof(rpc_ops) / sizeof(rpc_ops[0]) },
    { .model = "gyretestjson", .ops = rpc_ops, .nops = sizeof(rpc_ops) / sizeof(rpc_ops[0]) },
    { .model = "gyretestrest", .ops = rest_ops, .nops = sizeof(rest_ops) / sizeof(rest_ops[0]) },
};

void gy_testsvc_register(struct gy_aws_router *router)
{
    const char *on = getenv("GYRE_TEST_SERVICES");
    if (!on || strcmp(on, "1") != 0)
        return;
    for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++)
        gy_aws_router_add_service(router, &services[i]);
}

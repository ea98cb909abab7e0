/*
 * sts_request.c (fuzz) — libFuzzer harness for the STS handlers (src/sts/sts.c) on arbitrary
 * JSON input, as if the model-driven validator had not run.
 *
 * The first input byte picks the operation (AssumeRole, GetSessionToken, GetCallerIdentity)
 * and the caller (the account root, an assumed role, expired session credentials); the rest is
 * the request body. Bodies that are not JSON are skipped. Nothing may crash; a handler either
 * succeeds with a JSON object or records a named exception with a message; and credentials it
 * issues must open with the sealing key to the principal it reported. Any violation aborts.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/aws.h"
#include "aws/session.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/json.h"
#include "sts/sts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The router's error recorder, stood in for (the harness runs handlers without a router). */
int gy_aws_error(struct gy_aws_req *req, const char *exception, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    req->err.code = GY_AWS_MODELED;
    req->err.exception = exception;
    req->err.message = gy_arena_vprintf(req->arena, fmt, ap);
    va_end(ap);
    return GY_EAWS;
}

static struct gy_session_key key;
static struct gy_sts *sts;

static void init(void)
{
    if (sts)
        return;
    gy_session_key_derive(GY_STR("fuzz-admin-secret"), &key);
    sts = gy_sts_create(&key, "123456789012");
    if (!sts)
        abort();
}

static void set_who(struct gy_aws_identity *who, int kind)
{
    memset(who, 0, sizeof(*who));
    snprintf(who->access_key, sizeof(who->access_key), "%s",
             kind ? "ASIAAAAAAAAAAAAAAAAA" : "AKIAFUZZFUZZFUZZFUZZ");
    if (kind == 0) {
        snprintf(who->arn, sizeof(who->arn), "arn:aws:iam::123456789012:root");
        snprintf(who->user_id, sizeof(who->user_id), "123456789012");
        return;
    }
    snprintf(who->arn, sizeof(who->arn), "arn:aws:sts::123456789012:assumed-role/r/s");
    snprintf(who->user_id, sizeof(who->user_id), "AROAAAAAAAAAAAAAAAAAA:s");
    who->temporary = true;
    who->expires_ms = kind == 1 ? gy_now_ms() + 3600000 : gy_now_ms() - 1;
}

/* Issued credentials open to the principal the output names. */
static void check_creds(const struct gy_json *out, const char *arn)
{
    const struct gy_json *c = gy_json_get(out, "Credentials");
    struct gy_str akid = gy_json_str(gy_json_get(c, "AccessKeyId"));
    struct gy_str token = gy_json_str(gy_json_get(c, "SessionToken"));
    struct gy_str secret = gy_json_str(gy_json_get(c, "SecretAccessKey"));
    struct gy_session s;
    if (!akid.p || !token.p || !secret.p)
        abort();
    if (gy_session_open(&key, token, akid, gy_now_ms(), &s) != GY_SESSION_OK)
        abort();
    if (!gy_str_eqc(secret, s.secret) || (arn && strcmp(arn, s.arn) != 0))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const ops[] = { "AssumeRole", "GetSessionToken", "GetCallerIdentity" };
    struct gy_aws_req req;
    const struct gy_json *out;
    const char *why;

    init();
    if (size < 1)
        return 0;
    const struct gy_aws_service *svc = gy_sts_service(sts);
    const char *opname = ops[data[0] % 3];
    const struct gy_aws_op *op = NULL;
    for (size_t i = 0; i < svc->nops; i++)
        if (strcmp(svc->ops[i].name, opname) == 0)
            op = &svc->ops[i];
    if (!op)
        abort();

    memset(&req, 0, sizeof(req));
    req.arena = gy_arena_create(4096);
    if (gy_json_parse(req.arena, (const char *)data + 1, size - 1, &req.body, &why) != 0)
        goto out;
    req.svc = svc;
    req.op = op;
    req.ctx = svc->ctx;
    req.account = "123456789012";
    set_who(&req.who, data[0] / 3 % 3);
    gy_buf_init(&req.out, 1 << 20);
    gy_jw_init(&req.w, &req.out);
    int rc = op->fn(&req);
    if (rc == 0) {
        if (req.w.err || gy_json_parse(req.arena, req.out.p, req.out.len, &out, &why) != 0 ||
            !gy_json_is(out, GY_JSON_OBJECT))
            abort();
        if (data[0] % 3 == 0)
            check_creds(out, gy_json_str(gy_json_get(gy_json_get(out, "AssumedRoleUser"),
                                                     "Arn")).p);
        else if (data[0] % 3 == 1)
            check_creds(out, req.who.arn);
    } else if (rc != GY_EAWS || !req.err.exception || !req.err.message) {
        abort();
    }
    gy_buf_fini(&req.out);
out:
    gy_arena_destroy(req.arena);
    return 0;
}

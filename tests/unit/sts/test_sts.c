/*
 * test_sts.c — the STS handlers (src/sts/sts.c) called directly with hand-built requests:
 * GetCallerIdentity for the root and for an assumed role, AssumeRole and GetSessionToken
 * outputs (credentials that open with the session key to the right principal, stable role ids,
 * expirations), and every error path in AWS's words (validation, role ARN form, other account,
 * role chaining, MFA, transitive tags, malformed and oversize session policies, expired
 * credentials, session credentials calling GetSessionToken).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aws/aws.h"
#include "aws/session.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/str.h"
#include "sts/sts.h"

#define ACCT "123456789012"
#define ROLE "arn:aws:iam::" ACCT ":role/deploy"

/*
 * The router records modeled errors; this stand-in does the same so the handlers can be run
 * without a router (the linker takes it before the archive's, which is never pulled in here).
 */
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
static struct gy_aws_identity root;

struct call {
    struct gy_arena *arena;
    struct gy_aws_req req;
    const struct gy_json *out; /* parsed output on success */
    int rc;
};

static int setup(void **state)
{
    gy_session_key_derive(GY_STR("admin-secret"), &key);
    sts = gy_sts_create(&key, ACCT);
    assert_non_null(sts);
    memset(&root, 0, sizeof(root));
    snprintf(root.access_key, sizeof(root.access_key), "AKIAADMINADMINADMIN0");
    snprintf(root.arn, sizeof(root.arn), "arn:aws:iam::%s:root", ACCT);
    snprintf(root.user_id, sizeof(root.user_id), "%s", ACCT);
    return 0;
}

static int teardown(void **state)
{
    gy_sts_destroy(sts);
    return 0;
}

static void call(struct call *c, const char *op, const char *body,
                 const struct gy_aws_identity *who)
{
    const struct gy_aws_service *svc = gy_sts_service(sts);
    const struct gy_aws_op *o = NULL;
    const char *why;
    memset(c, 0, sizeof(*c));
    c->arena = gy_arena_create(4096);
    for (size_t i = 0; i < svc->nops; i++)
        if (strcmp(svc->ops[i].name, op) == 0)
            o = &svc->ops[i];
    assert_non_null(o);
    c->req.arena = c->arena;
    c->req.svc = svc;
    c->req.op = o;
    c->req.ctx = svc->ctx;
    c->req.account = ACCT;
    c->req.region = "us-east-1";
    if (who)
        c->req.who = *who;
    if (body)
        assert_int_equal(gy_json_parse(c->arena, body, strlen(body), &c->req.body, &why), 0);
    gy_buf_init(&c->req.out, 1 << 20);
    gy_jw_init(&c->req.w, &c->req.out);
    c->rc = o->fn(&c->req);
    if (c->rc == 0) {
        assert_int_equal(c->req.w.err, 0);
        assert_int_equal(gy_json_parse(c->arena, c->req.out.p, c->req.out.len, &c->out, &why),
                         0);
    }
}

static void done(struct call *c)
{
    gy_buf_fini(&c->req.out);
    gy_arena_destroy(c->arena);
}

static const char *str_at(const struct gy_json *j, const char *a, const char *b)
{
    const struct gy_json *x = gy_json_get(j, a);
    if (b)
        x = gy_json_get(x, b);
    assert_true(gy_json_is(x, GY_JSON_STRING));
    return gy_json_str(x).p;
}

static void expect_error(const char *op, const char *body, const struct gy_aws_identity *who,
                         const char *exception, const char *message)
{
    struct call c;
    call(&c, op, body, who ? who : &root);
    assert_int_equal(c.rc, GY_EAWS);
    assert_string_equal(c.req.err.exception, exception);
    if (message)
        assert_string_equal(c.req.err.message, message);
    done(&c);
}

/* Open the credentials in c's output, as the router will; fills an identity for later calls. */
static void open_creds(struct call *c, struct gy_session *s, struct gy_aws_identity *who)
{
    const char *akid = str_at(c->out, "Credentials", "AccessKeyId");
    const char *secret = str_at(c->out, "Credentials", "SecretAccessKey");
    const char *token = str_at(c->out, "Credentials", "SessionToken");
    assert_int_equal(gy_session_open(&key, gy_str_c(token), gy_str_c(akid), gy_now_ms(), s),
                     GY_SESSION_OK);
    assert_string_equal(s->secret, secret);
    memset(who, 0, sizeof(*who));
    snprintf(who->access_key, sizeof(who->access_key), "%s", s->access_key);
    snprintf(who->arn, sizeof(who->arn), "%s", s->arn);
    snprintf(who->user_id, sizeof(who->user_id), "%s", s->user_id);
    who->temporary = true;
    who->expires_ms = s->expires_ms;
}

static void test_caller_identity_root(void **state)
{
    struct call c;
    call(&c, "GetCallerIdentity", "{}", &root);
    assert_int_equal(c.rc, 0);
    assert_string_equal(str_at(c.out, "Arn", NULL), "arn:aws:iam::" ACCT ":root");
    assert_string_equal(str_at(c.out, "UserId", NULL), ACCT);
    assert_string_equal(str_at(c.out, "Account", NULL), ACCT);
    done(&c);
    /* No body at all, and a router that named no principal: the account root. */
    call(&c, "GetCallerIdentity", NULL, NULL);
    assert_int_equal(c.rc, 0);
    assert_string_equal(str_at(c.out, "Arn", NULL), "arn:aws:iam::" ACCT ":root");
    done(&c);
}

static void test_assume_role(void **state)
{
    struct call c, again;
    struct gy_session s;
    struct gy_aws_identity who;
    int64_t before = gy_now_ms() / 1000;
    call(&c, "AssumeRole", "{\"RoleArn\":\"" ROLE "\",\"RoleSessionName\":\"ci-run@42\"}", &root);
    assert_int_equal(c.rc, 0);
    const char *arn = str_at(c.out, "AssumedRoleUser", "Arn");
    const char *rid = str_at(c.out, "AssumedRoleUser", "AssumedRoleId");
    assert_string_equal(arn, "arn:aws:sts::" ACCT ":assumed-role/deploy/ci-run@42");
    assert_int_equal(strlen(rid), 21 + 1 + 9);
    assert_memory_equal(rid, "AROA", 4);
    assert_string_equal(rid + 21, ":ci-run@42");
    const char *akid = str_at(c.out, "Credentials", "AccessKeyId");
    assert_memory_equal(akid, "ASIA", 4);
    assert_int_equal(strlen(akid), 20);
    int64_t exp;
    assert_true(gy_json_int(gy_json_get(gy_json_get(c.out, "Credentials"), "Expiration"), &exp));
    assert_true(exp >= before + 3600 && exp <= gy_now_ms() / 1000 + 3600);
    assert_null(gy_json_get(c.out, "PackedPolicySize"));
    open_creds(&c, &s, &who);
    assert_string_equal(s.arn, arn);
    assert_string_equal(s.user_id, rid);
    assert_int_equal(s.expires_ms, exp * 1000);

    /* The same role gives the same role id; another role another. */
    call(&again, "AssumeRole", "{\"RoleArn\":\"" ROLE "\",\"RoleSessionName\":\"other\"}", &root);
    assert_int_equal(again.rc, 0);
    assert_memory_equal(str_at(again.out, "AssumedRoleUser", "AssumedRoleId"), rid, 21);
    assert_string_not_equal(str_at(again.out, "Credentials", "AccessKeyId"), akid);
    done(&again);
    call(&again, "AssumeRole", "{\"RoleArn\":\"" ROLE "2\",\"RoleSessionName\":\"other\"}", &root);
    assert_int_equal(again.rc, 0);
    assert_memory_not_equal(str_at(again.out, "AssumedRoleUser", "AssumedRoleId"), rid, 21);
    done(&again);

    /* Who am I with those credentials: the assumed role. */
    call(&again, "GetCallerIdentity", "{}", &who);
    assert_int_equal(again.rc, 0);
    assert_string_equal(str_at(again.out, "Arn", NULL), arn);
    assert_string_equal(str_at(again.out, "UserId", NULL), rid);
    assert_string_equal(str_at(again.out, "Account", NULL), ACCT);
    done(&again);

    /* Role chaining: allowed for an hour, refused beyond. */
    call(&again, "AssumeRole", "{\"RoleArn\":\"" ROLE "\",\"RoleSessionName\":\"chain\"}", &who);
    assert_int_equal(again.rc, 0);
    done(&again);
    expect_error("AssumeRole", "{\"RoleArn\":\"" ROLE "\",\"RoleSessionName\":\"chain\","
                 "\"DurationSeconds\":3601}", &who, "ValidationError",
                 "The requested DurationSeconds exceeds the 1 hour session limit for roles "
                 "assumed by role chaining.");
    /* GetSessionToken with session credentials is refused. */
    expect_error("GetSessionToken", "{}", &who, "AccessDenied",
                 "Cannot call GetSessionToken with session credentials");
    /* Credentials past their expiry cannot be extended. */
    who.expires_ms = gy_now_ms() - 1;
    expect_error("AssumeRole", "{\"RoleArn\":\"" ROLE "\",\"RoleSessionName\":\"late\"}", &who,
                 "ExpiredToken", "The security token included in the request is expired");
    expect_error("GetCallerIdentity", "{}", &who, "ExpiredToken", NULL);
    done(&c);
}

static void test_assume_role_path_duration_policy(void **state)
{
    struct call c;
    struct gy_session s;
    struct gy_aws_identity who;
    call(&c, "AssumeRole", "{\"RoleArn\":\"arn:aws:iam::" ACCT ":role/team/a/builder\","
         "\"RoleSessionName\":\"s1\",\"DurationSeconds\":43200,\"ExternalId\":\"ext-1\","
         "\"SourceIdentity\":\"alice\",\"Policy\":\"{\\\"Version\\\": \\\"2012-10-17\\\", "
         "\\\"Statement\\\": []}\",\"Tags\":[{\"Key\":\"team\",\"Value\":\"a\"}],"
         "\"TransitiveTagKeys\":[\"TEAM\"]}", &root);
    assert_int_equal(c.rc, 0);
    assert_string_equal(str_at(c.out, "AssumedRoleUser", "Arn"),
                        "arn:aws:sts::" ACCT ":assumed-role/builder/s1");
    assert_string_equal(str_at(c.out, "SourceIdentity", NULL), "alice");
    int64_t pct;
    assert_true(gy_json_int(gy_json_get(c.out, "PackedPolicySize"), &pct));
    assert_true(pct >= 1 && pct <= 100);
    open_creds(&c, &s, &who);
    assert_true(s.expires_ms / 1000 - gy_now_ms() / 1000 >= 43199);
    done(&c);
}

static void test_assume_role_validation(void **state)
{
    expect_error("AssumeRole", "{\"RoleSessionName\":\"abc\"}", NULL, "ValidationError",
                 "1 validation error detected: Value null at 'roleArn' failed to satisfy "
                 "constraint: Member must not be null");
    expect_error("AssumeRole", "{}", NULL, "ValidationError",
                 "2 validation errors detected: Value null at 'roleArn' failed to satisfy "
                 "constraint: Member must not be null; Value null at 'roleSessionName' failed "
                 "to satisfy constraint: Member must not be null");
    expect_error("AssumeRole", NULL, NULL, "ValidationError", NULL);
    expect_error("AssumeRole", "{\"RoleArn\":\"" ROLE "\",\"RoleSessionName\":\"a b\"}", NULL,
                 "ValidationError",
                 "1 validation error detected: Value 'a b' at 'roleSessionName' failed to "
                 "satisfy constraint: Member must satisfy regular expression pattern: "
                 "[\\w+=,.@-]*");
    expect_error("AssumeRole", "{\"RoleArn\":\"" ROLE "\",\"RoleSessionName\":\"a\"}", NULL,
                 "ValidationError",
                 "1 validation error detected: Value 'a' at 'roleSessionName' failed to "
                 "satisfy constraint: Member must have length greater than or equal to 2");
    expect_error("AssumeRole", "{\"RoleArn\":\"" ROLE "\",\"RoleSessionName\":\"ab\","
                 "\"DurationSeconds\":899}", NULL, "ValidationError",
                 "1 validation error detected: Value '899' at 'durationSeconds' failed to "
                 "satisfy constraint: Member must have value greater than or equal to 900");
    expect_error("AssumeRole", "{\"RoleArn\":\"" ROLE "\",\"RoleSessionName\":\"ab\","
                 "\"DurationSeconds\":43201}", NULL, "ValidationError",
                 "1 validation error detected: Value '43201' at 'durationSeconds' failed to "
                 "satisfy constraint: Member must have value less than or equal to 43200");
    expect_error("AssumeRole", "{\"RoleArn\":\"" ROLE "\",\"RoleSessionName\":\"ab\","
                 "\"DurationSeconds\":1.5}", NULL, "ValidationError", NULL);
    expect_error("AssumeRole", "{\"RoleArn\":7,\"RoleSessionName\":\"ab\"}", NULL,
                 "ValidationError", NULL);
    expect_error("AssumeRole", "{\"RoleArn\":\"short\",\"RoleSessionName\":\"ab\"}", NULL,
                 "ValidationError",
                 "1 validation error detected: Value 'short' at 'roleArn' failed to satisfy "
                 "constraint: Member must have length greater than or equal to 20");
    expect_error("AssumeRole", "{\"RoleArn\":\"" ROLE "\",\"RoleSessionName\":\"ab\","
                 "\"Tags\":[{\"Key\":\"\",\"Value\":\"v\"}]}", NULL, "ValidationError",
                 "1 validation error detected: Value '' at 'tags.1.member.key' failed to "
                 "satisfy constraint: Member must have length greater than or equal to 1");
    expect_error("AssumeRole", "{\"RoleArn\":\"" ROLE "\",\"RoleSessionName\":\"ab\","
                 "\"TokenCode\":\"12345x\"}", NULL, "ValidationError", NULL);
}

static void test_assume_role_arn_forms(void **state)
{
    static const char *bad[] = {
        "arn:aws:iam::" ACCT ":user/deploy",       "arn:aws:iam::12345678901:role/deploy",
        "arn:aws:iam::" ACCT ":role/",             "arn:aws:iam::" ACCT ":role/a/",
        "arn:aws:iam:us-east-1:" ACCT ":role/x",   "arn:aws-cn:iam::" ACCT ":role/deploy",
        "arn:aws:sts::" ACCT ":role/deploy",       "arn:aws:iam::" ACCT ":role/de ploy",
        "arn:aws:iam::" ACCT ":role/a b/deploy",   "arn:aws:iam::" ACCT "0:role/deploy",
        "xrn:aws:iam::" ACCT ":role/deploy",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char body[512];
        snprintf(body, sizeof(body), "{\"RoleArn\":\"%s\",\"RoleSessionName\":\"ab\"}", bad[i]);
        expect_error("AssumeRole", body, NULL, "ValidationError", "Request ARN is invalid");
    }
    char name65[200];
    snprintf(name65, sizeof(name65), "{\"RoleArn\":\"arn:aws:iam::" ACCT ":role/%065d\","
             "\"RoleSessionName\":\"ab\"}", 0);
    expect_error("AssumeRole", name65, NULL, "ValidationError", "Request ARN is invalid");
    expect_error("AssumeRole", "{\"RoleArn\":\"arn:aws:iam::999999999999:role/deploy\","
                 "\"RoleSessionName\":\"ab\"}", NULL, "AccessDenied",
                 "User: arn:aws:iam::" ACCT ":root is not authorized to perform: sts:AssumeRole "
                 "on resource: arn:aws:iam::999999999999:role/deploy");
}

static void test_assume_role_policy_errors(void **state)
{
    expect_error("AssumeRole", "{\"RoleArn\":\"" ROLE "\",\"RoleSessionName\":\"ab\","
                 "\"Policy\":\"{not json\"}", NULL, "MalformedPolicyDocumentException",
                 "This policy contains invalid Json");
    expect_error("AssumeRole", "{\"RoleArn\":\"" ROLE "\",\"RoleSessionName\":\"ab\","
                 "\"Policy\":\"[1]\"}", NULL, "MalformedPolicyDocumentException", NULL);
    expect_error("AssumeRole", "{\"RoleArn\":\"" ROLE "\",\"RoleSessionName\":\"ab\","
                 "\"Tags\":[{\"Key\":\"a\",\"Value\":\"b\"}],\"TransitiveTagKeys\":[\"c\"]}",
                 NULL, "InvalidParameterValue",
                 "The specified transitive tag key must be included in the requested tags.");
    expect_error("AssumeRole", "{\"RoleArn\":\"" ROLE "\",\"RoleSessionName\":\"ab\","
                 "\"SerialNumber\":\"arn:aws:iam::" ACCT ":mfa/me\",\"TokenCode\":\"123456\"}",
                 NULL, "AccessDenied", NULL);

    /* 20 tags of 128 + 256 bytes pack to far more than the allotted space. */
    char body[16384];
    size_t n = (size_t)snprintf(body, sizeof(body), "{\"RoleArn\":\"" ROLE "\","
                                "\"RoleSessionName\":\"ab\",\"Tags\":[");
    for (int i = 0; i < 20; i++)
        n += (size_t)snprintf(body + n, sizeof(body) - n, "%s{\"Key\":\"%0128d\",\"Value\":"
                              "\"%0256d\"}", i ? "," : "", i, i);
    snprintf(body + n, sizeof(body) - n, "]}");
    struct call c;
    call(&c, "AssumeRole", body, &root);
    assert_int_equal(c.rc, GY_EAWS);
    assert_string_equal(c.req.err.exception, "PackedPolicyTooLargeException");
    assert_non_null(strstr(c.req.err.message, "% of allotted space"));
    done(&c);
}

static void test_get_session_token(void **state)
{
    struct call c;
    struct gy_session s;
    struct gy_aws_identity who;
    /* The account root gets at most an hour, whatever it asks for. */
    call(&c, "GetSessionToken", "{\"DurationSeconds\":129600}", &root);
    assert_int_equal(c.rc, 0);
    open_creds(&c, &s, &who);
    assert_string_equal(s.arn, root.arn);
    assert_string_equal(s.user_id, root.user_id);
    int64_t left = s.expires_ms / 1000 - gy_now_ms() / 1000;
    assert_true(left >= 3599 && left <= 3600);
    done(&c);

    /* Another long-term principal (an IAM user, once IAM exists) gets what it asks for. */
    struct gy_aws_identity user = root;
    snprintf(user.arn, sizeof(user.arn), "arn:aws:iam::%s:user/alice", ACCT);
    snprintf(user.user_id, sizeof(user.user_id), "AIDAEXAMPLEEXAMPLE01");
    call(&c, "GetSessionToken", "{}", &user);
    assert_int_equal(c.rc, 0);
    open_creds(&c, &s, &who);
    left = s.expires_ms / 1000 - gy_now_ms() / 1000;
    assert_true(left >= 43199 && left <= 43200);
    assert_string_equal(s.arn, user.arn);
    done(&c);
    call(&c, "GetCallerIdentity", "{}", &who);
    assert_int_equal(c.rc, 0);
    assert_string_equal(str_at(c.out, "Arn", NULL), user.arn);
    assert_string_equal(str_at(c.out, "UserId", NULL), "AIDAEXAMPLEEXAMPLE01");
    done(&c);

    expect_error("GetSessionToken", "{\"DurationSeconds\":129601}", NULL, "ValidationError",
                 "1 validation error detected: Value '129601' at 'durationSeconds' failed to "
                 "satisfy constraint: Member must have value less than or equal to 129600");
    expect_error("GetSessionToken", "{\"DurationSeconds\":\"900\"}", NULL, "ValidationError",
                 NULL);
    expect_error("GetSessionToken", "{\"SerialNumber\":\"GAHT12345678\",\"TokenCode\":\"123456\"}",
                 NULL, "AccessDenied", NULL);
}

static void test_create_rejects_bad_account(void **state)
{
    assert_null(gy_sts_create(&key, "12345"));
    assert_null(gy_sts_create(&key, "12345678901a"));
    assert_null(gy_sts_create(&key, NULL));
    const struct gy_aws_service *svc = gy_sts_service(sts);
    assert_string_equal(svc->model, "sts");
    assert_int_equal(svc->nops, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_caller_identity_root),
        cmocka_unit_test(test_assume_role),
        cmocka_unit_test(test_assume_role_path_duration_policy),
        cmocka_unit_test(test_assume_role_validation),
        cmocka_unit_test(test_assume_role_arn_forms),
        cmocka_unit_test(test_assume_role_policy_errors),
        cmocka_unit_test(test_get_session_token),
        cmocka_unit_test(test_create_rejects_bad_account),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

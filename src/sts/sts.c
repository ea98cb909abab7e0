/*
 * sts.c — the STS operations (sts/sts.h): who the caller is, and temporary credentials for a
 * role (AssumeRole) or for the caller itself (GetSessionToken), sealed with aws/session.h.
 * Owns STS's own rules (role ARN form, session name, durations, role chaining, session policy
 * and tag sizes); authentication with the issued credentials is the router's (it opens the
 * token). Handlers read the protocol-neutral JSON input and never trust that the model-driven
 * validator ran: every member is checked again here in AWS's words.
 *
 * Deliberate differences from AWS, until IAM exists (docs/sts.md): any well-formed role ARN of
 * this account can be assumed (no role existence or trust-policy check), the admin (root) key
 * may assume roles, the role's MaxSessionDuration is taken to be the 12-hour maximum, and
 * session policies are validated and sized but not enforced (Gyre has no authorization yet).
 */
#include "sts/sts.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "core/arena.h"
#include "core/clock.h"
#include "core/mem.h"

#define ROLE_DEFAULT_S 3600
#define ROLE_MIN_S 900
#define ROLE_MAX_S 43200         /* roleDurationSecondsType; stands in for MaxSessionDuration */
#define CHAIN_MAX_S 3600         /* role chaining: at most one hour */
#define SESSION_DEFAULT_S 43200
#define SESSION_MIN_S 900
#define SESSION_MAX_S 129600
#define ROOT_SESSION_MAX_S 3600  /* GetSessionToken for the account root: at most one hour */
#define PACKED_LIMIT 2048        /* bytes of session policy + tags that make 100% */
#define MAX_TAGS 50
#define MAX_POLICY_ARNS 10

struct gy_sts {
    struct gy_aws_service service; /* registered with the router; ctx points back here */
    struct gy_session_key key;     /* seals the credentials we issue */
    char account[13];              /* the 12-digit account id */
};

/* ---- checking members in AWS's words ------------------------------------------------------ */

/* Characters a pattern allows (\w is [A-Za-z0-9_], as in Java regular expressions). */
enum pat {
    PAT_ANY = 0,  /* no pattern */
    PAT_WORD,     /* [\w<extra>]* */
    PAT_TEXT,     /* arnType: tab, LF, CR, and any printable character */
    PAT_LATIN1,   /* sessionPolicyDocumentType: tab, LF, CR, U+0020..U+00FF */
    PAT_DIGITS,   /* [\d]* */
};

struct strspec {
    const char *name;    /* JSON member name ("RoleSessionName") */
    const char *path;    /* the name AWS's messages use ("roleSessionName") */
    size_t min, max;     /* length in characters */
    enum pat pat;        /* allowed characters */
    const char *extra;   /* PAT_WORD: allowed besides \w */
    const char *pattern; /* the model's pattern, quoted in the message */
};

/* arnType's pattern, as the messages quote it. */
#define ARN_PATTERN \
    "[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]+"

static const struct strspec SP_ROLE_ARN = { "RoleArn", "roleArn", 20, 2048, PAT_TEXT, NULL,
                                            ARN_PATTERN };
static const struct strspec SP_SESSION_NAME = { "RoleSessionName", "roleSessionName", 2, 64,
    PAT_WORD, "+=,.@-", "[\\w+=,.@-]*" };
static const struct strspec SP_POLICY = { "Policy", "policy", 1, 2048, PAT_LATIN1, NULL,
    "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+" };
static const struct strspec SP_EXTERNAL_ID = { "ExternalId", "externalId", 2, 1224, PAT_WORD,
    "+=,.@:/-", "[\\w+=,.@:\\/-]*" };
static const struct strspec SP_SOURCE_IDENTITY = { "SourceIdentity", "sourceIdentity", 2, 64,
    PAT_WORD, "+=,.@-", "[\\w+=,.@-]*" };
static const struct strspec SP_SERIAL = { "SerialNumber", "serialNumber", 9, 256, PAT_WORD,
    "+=/:,.@-", "[\\w+=/:,.@-]*" };
static const struct strspec SP_TOKEN_CODE = { "TokenCode", "tokenCode", 6, 6, PAT_DIGITS, NULL,
    "[\\d]*" };
static const struct strspec SP_TAG_KEY = { "Key", "key", 1, 128, PAT_ANY, NULL, NULL };
static const struct strspec SP_TAG_VALUE = { "Value", "value", 0, 256, PAT_ANY, NULL, NULL };
static const struct strspec SP_POLICY_ARN = { "arn", "arn", 20, 2048, PAT_TEXT, NULL,
                                              ARN_PATTERN };

/* Validation errors collected for one request, joined as AWS joins them. */
struct verrs {
    struct gy_aws_req *req;
    int n;           /* errors so far */
    const char *msg; /* "a; b; c" (arena), or NULL */
};

static void verr(struct verrs *v, const char *path, const char *value, const char *constraint)
{
    const char *one = value ? gy_arena_printf(v->req->arena, "Value '%s' at '%s' failed to "
                                              "satisfy constraint: %s", value, path, constraint)
                            : gy_arena_printf(v->req->arena, "Value null at '%s' failed to "
                                              "satisfy constraint: %s", path, constraint);
    v->msg = v->msg ? gy_arena_printf(v->req->arena, "%s; %s", v->msg, one) : one;
    v->n++;
}

static int verr_raise(struct verrs *v)
{
    return gy_aws_error(v->req, "ValidationError", "%d validation error%s detected: %s", v->n,
                        v->n == 1 ? "" : "s", v->msg);
}

/* Decode one UTF-8 code point at p (len > 0 bytes); returns its length, or 0 if malformed. */
static size_t utf8_next(const unsigned char *p, size_t len, uint32_t *cp)
{
    size_t n = p[0] < 0x80 ? 1 : (p[0] & 0xe0) == 0xc0 ? 2 : (p[0] & 0xf0) == 0xe0 ? 3
                              : (p[0] & 0xf8) == 0xf0 ? 4 : 0;
    if (n == 0 || n > len)
        return 0;
    uint32_t c = n == 1 ? p[0] : p[0] & (0x7f >> n);
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        c = c << 6 | (p[i] & 0x3f);
    }
    *cp = c;
    return n;
}

static bool is_word(uint32_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static bool pat_allows(const struct strspec *sp, uint32_t c)
{
    switch (sp->pat) {
    case PAT_ANY:
        return true;
    case PAT_WORD:
        return is_word(c) || (c < 0x80 && c && strchr(sp->extra, (int)c));
    case PAT_TEXT:
        return c == 9 || c == 10 || c == 13 || (c >= 0x20 && c <= 0x7e) || c == 0x85 ||
               (c >= 0xa0 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || c >= 0x10000;
    case PAT_LATIN1:
        return c == 9 || c == 10 || c == 13 || (c >= 0x20 && c <= 0xff);
    case PAT_DIGITS:
        return c >= '0' && c <= '9';
    }
    return false;
}

/*
 * Check one string member of obj against sp (path: its name in messages). Returns true and the
 * value in *out when present and valid; false when absent (a null-error if required) or invalid.
 */
static bool get_str(struct verrs *v, const struct gy_json *obj, const struct strspec *sp,
                    const char *path, bool required, struct gy_str *out)
{
    const struct gy_json *j = gy_json_get(obj, sp->name);
    *out = GY_STR_NULL;
    if (!j || gy_json_is(j, GY_JSON_NULL)) {
        if (required)
            verr(v, path, NULL, "Member must not be null");
        return false;
    }
    if (!gy_json_is(j, GY_JSON_STRING)) {
        verr(v, path, gy_json_type_name(j), "Member must be a string");
        return false;
    }
    struct gy_str s = gy_json_str(j);
    size_t chars = 0;
    bool pat_ok = true;
    for (size_t i = 0; i < s.len;) {
        uint32_t c;
        size_t n = utf8_next((const unsigned char *)s.p + i, s.len - i, &c);
        if (n == 0) {
            pat_ok = false;
            break;
        }
        if (!pat_allows(sp, c))
            pat_ok = false;
        i += n;
        chars++;
    }
    size_t before = (size_t)v->n;
    if (!pat_ok || ((sp->pat == PAT_TEXT || sp->pat == PAT_LATIN1) && chars == 0))
        verr(v, path, s.p, gy_arena_printf(v->req->arena, "Member must satisfy regular "
                                           "expression pattern: %s", sp->pattern));
    if (chars < sp->min)
        verr(v, path, s.p, gy_arena_printf(v->req->arena, "Member must have length greater "
                                           "than or equal to %zu", sp->min));
    if (chars > sp->max)
        verr(v, path, s.p, gy_arena_printf(v->req->arena, "Member must have length less than "
                                           "or equal to %zu", sp->max));
    if ((size_t)v->n != before)
        return false;
    *out = s;
    return true;
}

/* An optional integer member in [min, max]; *out keeps dflt when absent. */
static void get_int(struct verrs *v, const struct gy_json *obj, const char *name,
                    const char *path, int64_t min, int64_t max, int64_t *out)
{
    const struct gy_json *j = gy_json_get(obj, name);
    int64_t x;
    if (!j || gy_json_is(j, GY_JSON_NULL))
        return;
    if (!gy_json_int(j, &x)) {
        verr(v, path, gy_json_is(j, GY_JSON_STRING) ? gy_json_str(j).p : gy_json_type_name(j),
             "Member must be an integer");
        return;
    }
    char text[24];
    snprintf(text, sizeof(text), "%lld", (long long)x);
    if (x < min)
        verr(v, path, text, gy_arena_printf(v->req->arena, "Member must have value greater "
                                            "than or equal to %lld", (long long)min));
    else if (x > max)
        verr(v, path, text, gy_arena_printf(v->req->arena, "Member must have value less than "
                                            "or equal to %lld", (long long)max));
    else
        *out = x;
}

/* An optional list member; NULL when absent or not a list (recorded), else the array. */
static const struct gy_json *get_list(struct verrs *v, const struct gy_json *obj,
                                      const char *name, const char *path, size_t max)
{
    const struct gy_json *j = gy_json_get(obj, name);
    if (!j || gy_json_is(j, GY_JSON_NULL))
        return NULL;
    if (!gy_json_is(j, GY_JSON_ARRAY)) {
        verr(v, path, gy_json_type_name(j), "Member must be a list");
        return NULL;
    }
    if (max && gy_json_count(j) > max) {
        verr(v, path, "[...]", gy_arena_printf(v->req->arena, "Member must have length less "
                                               "than or equal to %zu", max));
        return NULL;
    }
    return j;
}

/* ---- shared pieces ------------------------------------------------------------------------ */

/* 17 characters of RFC 4648 base32 from the first 11 bytes of md. */
static void b32_17(const unsigned char *md, char *out)
{
    static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    uint32_t acc = 0;
    int bits = 0, o = 0;
    for (int i = 0; o < 17; ) {
        if (bits < 5) {
            acc = acc << 8 | md[i++];
            bits += 8;
        }
        bits -= 5;
        out[o++] = b32[acc >> bits & 31];
    }
    out[17] = '\0';
}

/* The caller's principal: the router's identity, or the account root when it named none. */
static void caller(struct gy_aws_req *req, const struct gy_sts *s, const char **arn,
                   const char **user_id)
{
    if (req->who.arn[0]) {
        *arn = req->who.arn;
        *user_id = req->who.user_id;
        return;
    }
    *arn = gy_arena_printf(req->arena, "arn:aws:iam::%s:root", s->account);
    *user_id = s->account;
}

static bool is_root(const char *arn)
{
    size_t n = strlen(arn);
    return n > 5 && strcmp(arn + n - 5, ":root") == 0 && strncmp(arn, "arn:aws:iam::", 13) == 0;
}

static bool is_assumed_role(const char *arn)
{
    return strncmp(arn, "arn:aws:sts::", 13) == 0 && strstr(arn, ":assumed-role/") != NULL;
}

/* Credentials the router let through must still be valid at the moment we extend them. */
static int check_not_expired(struct gy_aws_req *req)
{
    if (req->who.temporary && req->who.expires_ms <= gy_now_ms())
        return gy_aws_error(req, "ExpiredToken",
                            "The security token included in the request is expired");
    return 0;
}

/* No MFA devices exist in Gyre, so no one-time code can be verified. */
static int check_no_mfa(struct gy_aws_req *req, bool serial, bool code)
{
    if (serial || code)
        return gy_aws_error(req, "AccessDenied",
                            "MultiFactorAuthentication failed with invalid MFA one time pass "
                            "code. ");
    return 0;
}

/* Seal credentials for a principal valid duration_s from now (whole seconds, as AWS reports). */
static int issue(struct gy_aws_req *req, const struct gy_sts *s, const char *arn,
                 const char *user_id, int64_t duration_s, struct gy_session *out)
{
    int64_t expires_ms = (gy_now_ms() / 1000 + duration_s) * 1000;
    int rc = gy_session_issue(&s->key, arn, user_id, expires_ms, out);
    if (rc == GY_EINVAL)
        return gy_aws_error(req, "ValidationError", "The principal ARN is too long for a "
                            "session token: %s", arn);
    return rc;
}

static void write_credentials(struct gy_jw *w, const struct gy_session *c)
{
    gy_jw_key(w, "Credentials");
    gy_jw_obj_begin(w);
    gy_jw_key(w, "AccessKeyId");
    gy_jw_cstr(w, c->access_key);
    gy_jw_key(w, "SecretAccessKey");
    gy_jw_cstr(w, c->secret);
    gy_jw_key(w, "SessionToken");
    gy_jw_cstr(w, c->token);
    gy_jw_key(w, "Expiration");
    gy_jw_int(w, c->expires_ms / 1000);
    gy_jw_obj_end(w);
}

/* ---- GetCallerIdentity -------------------------------------------------------------------- */

/* The account field of an ARN (the fifth, 12 digits), or NULL. */
static const char *arn_account(struct gy_aws_req *req, const char *arn)
{
    const char *p = arn;
    for (int i = 0; i < 4; i++) {
        p = strchr(p, ':');
        if (!p)
            return NULL;
        p++;
    }
    size_t n = strspn(p, "0123456789");
    if (n != 12 || p[n] != ':')
        return NULL;
    return gy_arena_strndup(req->arena, p, n);
}

static int get_caller_identity(struct gy_aws_req *req)
{
    const struct gy_sts *s = req->ctx;
    const char *arn, *user_id, *account;
    int rc = check_not_expired(req);
    if (rc)
        return rc;
    caller(req, s, &arn, &user_id);
    account = arn_account(req, arn);
    gy_jw_obj_begin(&req->w);
    gy_jw_key(&req->w, "UserId");
    gy_jw_cstr(&req->w, user_id);
    gy_jw_key(&req->w, "Account");
    gy_jw_cstr(&req->w, account ? account : s->account);
    gy_jw_key(&req->w, "Arn");
    gy_jw_cstr(&req->w, arn);
    gy_jw_obj_end(&req->w);
    return 0;
}

/* ---- AssumeRole --------------------------------------------------------------------------- */

/*
 * An IAM role ARN: arn:aws:iam::<12 digits>:role/<path/>name, the path "/" or "/a/b/" of
 * U+0021..U+007E (at most 512), the name 1..64 of [\w+=,.@-]. Fills account and name.
 */
static bool parse_role_arn(struct gy_str arn, struct gy_str *account, struct gy_str *name)
{
    static const char head[] = "arn:aws:iam::";
    size_t h = sizeof(head) - 1;
    if (arn.len < h + 12 + 6 || memcmp(arn.p, head, h) != 0)
        return false;
    for (size_t i = 0; i < 12; i++)
        if (arn.p[h + i] < '0' || arn.p[h + i] > '9')
            return false;
    *account = (struct gy_str){ arn.p + h, 12 };
    const char *res = arn.p + h + 12, *end = arn.p + arn.len;
    if (end - res < 7 || memcmp(res, ":role/", 6) != 0)
        return false;
    const char *path = res + 5; /* the '/' after "role" */
    const char *last = end;
    while (last > path && last[-1] != '/')
        last--;
    size_t nlen = (size_t)(end - last), plen = (size_t)(last - path);
    if (nlen == 0 || nlen > 64 || plen > 512)
        return false;
    for (const char *p = path; p < last; p++)
        if (*p < 0x21 || *p > 0x7e)
            return false;
    for (const char *p = last; p < end; p++)
        if (!is_word((unsigned char)*p) && (!*p || !strchr("+=,.@-", *p)))
            return false;
    *name = (struct gy_str){ last, nlen };
    return true;
}

/* Bytes of a JSON text without the whitespace between tokens. */
static size_t compact_len(struct gy_str s)
{
    size_t n = 0;
    bool in_str = false, esc = false;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.p[i];
        if (in_str) {
            n++;
            if (esc)
                esc = false;
            else if (c == '\\')
                esc = true;
            else if (c == '"')
                in_str = false;
        } else if (c == '"') {
            in_str = true;
            n++;
        } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
            n++;
        }
    }
    return n;
}

/* A session policy must be a JSON object with a Statement. */
static int check_policy(struct gy_aws_req *req, struct gy_str policy)
{
    const struct gy_json *doc;
    const char *why;
    if (gy_json_parse(req->arena, policy.p, policy.len, &doc, &why) != 0)
        return gy_aws_error(req, "MalformedPolicyDocumentException",
                            "This policy contains invalid Json");
    if (!gy_json_is(doc, GY_JSON_OBJECT) || !gy_json_get(doc, "Statement"))
        return gy_aws_error(req, "MalformedPolicyDocumentException", "Syntax errors in policy.");
    return 0;
}

/* The session tags and policy ARNs: sizes checked; *bytes grows by what they pack. */
static void check_tags_and_arns(struct verrs *v, const struct gy_json *body, size_t *bytes,
                                bool *any, const struct gy_json **tags_out)
{
    const struct gy_json *tags = get_list(v, body, "Tags", "tags", MAX_TAGS);
    const struct gy_json *arns = get_list(v, body, "PolicyArns", "policyArns", 0);
    size_t i = 1;
    *tags_out = tags;
    for (const struct gy_json *t = gy_json_child(tags); t; t = gy_json_next(t), i++) {
        struct gy_str k, val;
        const char *kp = gy_arena_printf(v->req->arena, "tags.%zu.member.key", i);
        const char *vp = gy_arena_printf(v->req->arena, "tags.%zu.member.value", i);
        if (get_str(v, t, &SP_TAG_KEY, kp, true, &k))
            *bytes += k.len;
        if (get_str(v, t, &SP_TAG_VALUE, vp, true, &val))
            *bytes += val.len;
        *any = true;
    }
    i = 1;
    for (const struct gy_json *a = gy_json_child(arns); a; a = gy_json_next(a), i++) {
        struct gy_str arn;
        const char *ap = gy_arena_printf(v->req->arena, "policyArns.%zu.member.arn", i);
        if (get_str(v, a, &SP_POLICY_ARN, ap, false, &arn))
            *bytes += arn.len;
        *any = true;
    }
    if (arns && gy_json_count(arns) > MAX_POLICY_ARNS)
        verr(v, "policyArns", "[...]", gy_arena_printf(v->req->arena, "Member must have length "
                                                       "less than or equal to %d",
                                                       MAX_POLICY_ARNS));
    const struct gy_json *tkeys = get_list(v, body, "TransitiveTagKeys", "transitiveTagKeys",
                                           MAX_TAGS);
    i = 1;
    for (const struct gy_json *k = gy_json_child(tkeys); k; k = gy_json_next(k), i++) {
        const char *kp = gy_arena_printf(v->req->arena, "transitiveTagKeys.%zu.member", i);
        if (!gy_json_is(k, GY_JSON_STRING)) {
            verr(v, kp, gy_json_type_name(k), "Member must be a string");
            continue;
        }
        size_t n = gy_json_str(k).len;
        if (n < 1 || n > 128)
            verr(v, kp, gy_json_str(k).p, n < 1 ? "Member must have length greater than or "
                                                  "equal to 1"
                                                : "Member must have length less than or "
                                                  "equal to 128");
    }
}

/* Every transitive tag key must name one of the session tags (keys are case-insensitive). */
static int check_transitive(struct gy_aws_req *req, const struct gy_json *tags)
{
    const struct gy_json *tkeys = gy_json_get(req->body, "TransitiveTagKeys");
    for (const struct gy_json *k = gy_json_child(tkeys); k; k = gy_json_next(k)) {
        struct gy_str want = gy_json_str(k);
        bool found = false;
        for (const struct gy_json *t = gy_json_child(tags); t && !found; t = gy_json_next(t)) {
            struct gy_str have = gy_json_str(gy_json_get(t, "Key"));
            found = have.p && have.len == want.len && strncasecmp(have.p, want.p, want.len) == 0;
        }
        if (!found)
            return gy_aws_error(req, "InvalidParameterValue",
                                "The specified transitive tag key must be included in the "
                                "requested tags.");
    }
    return 0;
}

static int assume_role(struct gy_aws_req *req)
{
    const struct gy_sts *s = req->ctx;
    struct verrs v = { .req = req };
    struct gy_str role_arn, session, policy, ext, source, serial, code, account, role_name;
    int64_t duration = ROLE_DEFAULT_S;
    size_t packed = 0;
    bool packing = false;
    const struct gy_json *tags;
    const char *me, *my_id;
    int rc = check_not_expired(req);
    if (rc)
        return rc;

    get_str(&v, req->body, &SP_ROLE_ARN, SP_ROLE_ARN.path, true, &role_arn);
    get_str(&v, req->body, &SP_SESSION_NAME, SP_SESSION_NAME.path, true, &session);
    bool has_policy = get_str(&v, req->body, &SP_POLICY, SP_POLICY.path, false, &policy);
    get_int(&v, req->body, "DurationSeconds", "durationSeconds", ROLE_MIN_S, ROLE_MAX_S,
            &duration);
    get_str(&v, req->body, &SP_EXTERNAL_ID, SP_EXTERNAL_ID.path, false, &ext);
    bool has_source = get_str(&v, req->body, &SP_SOURCE_IDENTITY, SP_SOURCE_IDENTITY.path,
                              false, &source);
    bool has_serial = get_str(&v, req->body, &SP_SERIAL, SP_SERIAL.path, false, &serial);
    bool has_code = get_str(&v, req->body, &SP_TOKEN_CODE, SP_TOKEN_CODE.path, false, &code);
    check_tags_and_arns(&v, req->body, &packed, &packing, &tags);
    if (v.n)
        return verr_raise(&v);

    if (!parse_role_arn(role_arn, &account, &role_name))
        return gy_aws_error(req, "ValidationError", "Request ARN is invalid");
    caller(req, s, &me, &my_id);
    if (!gy_str_eqc(account, s->account))
        return gy_aws_error(req, "AccessDenied", "User: %s is not authorized to perform: "
                            "sts:AssumeRole on resource: %.*s", me, (int)role_arn.len,
                            role_arn.p);
    if (req->who.temporary && is_assumed_role(me) && duration > CHAIN_MAX_S)
        return gy_aws_error(req, "ValidationError", "The requested DurationSeconds exceeds the "
                            "1 hour session limit for roles assumed by role chaining.");
    if ((rc = check_no_mfa(req, has_serial, has_code)))
        return rc;
    if ((rc = check_transitive(req, tags)))
        return rc;
    if (has_policy) {
        if ((rc = check_policy(req, policy)))
            return rc;
        packed += compact_len(policy);
        packing = true;
    }
    size_t percent = (packed * 100 + PACKED_LIMIT - 1) / PACKED_LIMIT;
    if (percent > 100)
        return gy_aws_error(req, "PackedPolicyTooLargeException", "Packed policy consumes %zu%% "
                            "of allotted space, please use smaller policy for this request.",
                            percent);

    /* The role id is stable per role ARN, so every region names a session alike. */
    unsigned char md[EVP_MAX_MD_SIZE];
    char role_id[18];
    EVP_Digest(role_arn.p, role_arn.len, md, NULL, EVP_sha256(), NULL);
    b32_17(md, role_id);
    const char *arn = gy_arena_printf(req->arena, "arn:aws:sts::%s:assumed-role/%.*s/%.*s",
                                      s->account, (int)role_name.len, role_name.p,
                                      (int)session.len, session.p);
    const char *user_id = gy_arena_printf(req->arena, "AROA%s:%.*s", role_id, (int)session.len,
                                          session.p);
    struct gy_session *cred = gy_arena_alloc(req->arena, sizeof(*cred));
    if ((rc = issue(req, s, arn, user_id, duration, cred)))
        return rc;

    gy_jw_obj_begin(&req->w);
    write_credentials(&req->w, cred);
    gy_jw_key(&req->w, "AssumedRoleUser");
    gy_jw_obj_begin(&req->w);
    gy_jw_key(&req->w, "AssumedRoleId");
    gy_jw_cstr(&req->w, user_id);
    gy_jw_key(&req->w, "Arn");
    gy_jw_cstr(&req->w, arn);
    gy_jw_obj_end(&req->w);
    if (packing) {
        gy_jw_key(&req->w, "PackedPolicySize");
        gy_jw_uint(&req->w, percent);
    }
    if (has_source) {
        gy_jw_key(&req->w, "SourceIdentity");
        gy_jw_str(&req->w, source);
    }
    gy_jw_obj_end(&req->w);
    return 0;
}

/* ---- GetSessionToken ---------------------------------------------------------------------- */

static int get_session_token(struct gy_aws_req *req)
{
    const struct gy_sts *s = req->ctx;
    struct verrs v = { .req = req };
    struct gy_str serial, code;
    int64_t duration = SESSION_DEFAULT_S;
    const char *me, *my_id;
    int rc;

    if (req->who.temporary)
        return gy_aws_error(req, "AccessDenied",
                            "Cannot call GetSessionToken with session credentials");
    get_int(&v, req->body, "DurationSeconds", "durationSeconds", SESSION_MIN_S, SESSION_MAX_S,
            &duration);
    bool has_serial = get_str(&v, req->body, &SP_SERIAL, SP_SERIAL.path, false, &serial);
    bool has_code = get_str(&v, req->body, &SP_TOKEN_CODE, SP_TOKEN_CODE.path, false, &code);
    if (v.n)
        return verr_raise(&v);
    if ((rc = check_no_mfa(req, has_serial, has_code)))
        return rc;

    caller(req, s, &me, &my_id);
    if (is_root(me) && duration > ROOT_SESSION_MAX_S)
        duration = ROOT_SESSION_MAX_S; /* AWS: account owners' sessions default to one hour */
    struct gy_session *cred = gy_arena_alloc(req->arena, sizeof(*cred));
    if ((rc = issue(req, s, me, my_id, duration, cred)))
        return rc;
    gy_jw_obj_begin(&req->w);
    write_credentials(&req->w, cred);
    gy_jw_obj_end(&req->w);
    return 0;
}

/* ---- the service -------------------------------------------------------------------------- */

static const struct gy_aws_op sts_ops[] = {
    { "AssumeRole", assume_role },
    { "GetCallerIdentity", get_caller_identity },
    { "GetSessionToken", get_session_token },
};

struct gy_sts *gy_sts_create(const struct gy_session_key *key, const char *account)
{
    if (!account || strlen(account) != 12 || strspn(account, "0123456789") != 12)
        return NULL;
    struct gy_sts *s = gy_calloc(1, sizeof(*s));
    s->key = *key;
    memcpy(s->account, account, 13);
    s->service.model = "sts";
    s->service.ops = sts_ops;
    s->service.nops = sizeof(sts_ops) / sizeof(sts_ops[0]);
    s->service.ctx = s;
    return s;
}

void gy_sts_destroy(struct gy_sts *s)
{
    if (!s)
        return;
    OPENSSL_cleanse(&s->key, sizeof(s->key));
    gy_free(s);
}

const struct gy_aws_service *gy_sts_service(struct gy_sts *s)
{
    return &s->service;
}

/*
 * query.c (fuzz) — libFuzzer harness for the awsQuery codec (src/aws/query.c, src/aws/xml.c).
 *
 * The first byte picks a mode and an operation of the generated models. Request mode (high bit
 * clear): the rest is a form body, decoded with gy_query_parse and converted with
 * gy_query_to_json against the operation's real input shape; a success must be JSON that
 * gy_json_parse accepts, a failure must say why. Response mode (high bit set): the rest is
 * JSON; when it parses, gy_query_xml_response writes it against the operation's output shape
 * and the XML must be valid UTF-8 without the characters XML 1.0 cannot carry. Each round also
 * escapes the raw bytes with gy_xml_escape and checks the same property. Violations abort.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/model.h"
#include "aws/query.h"
#include "core/arena.h"
#include "core/errors.h"
#include "core/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const ops[][2] = {
    { "cloudwatch", "PutMetricData" },       { "cloudwatch", "GetMetricData" },
    { "cloudwatch", "PutMetricAlarm" },      { "cloudwatch", "GetMetricStatistics" },
    { "cloudwatch", "DescribeAlarms" },      { "cloudformation", "CreateChangeSet" },
    { "cloudformation", "CreateStack" },     { "cloudformation", "DescribeStacks" },
    { "sts", "AssumeRole" },                 { "iam", "CreateRole" },
    { "iam", "SimulatePrincipalPolicy" },
};
#define NOPS (sizeof(ops) / sizeof(ops[0]))

/* XML text Gyre writes: valid UTF-8, no C0 control but tab/LF, no U+FFFE/U+FFFF, and no raw
 * '&' that does not start an entity or character reference. */
static void check_xml_text(const char *p, size_t n)
{
    if (!gy_utf8_valid(p, n))
        abort();
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c < 0x20 && c != '\t' && c != '\n')
            abort();
        if (c == 0xef && i + 2 < n && (unsigned char)p[i + 1] == 0xbf &&
            ((unsigned char)p[i + 2] == 0xbe || (unsigned char)p[i + 2] == 0xbf))
            abort();
        if (c == '&') {
            const char *semi = memchr(p + i, ';', n - i < 8 ? n - i : 8);
            if (!semi)
                abort();
        }
    }
}

static void request_mode(struct gy_arena *a, const struct gy_model_service *svc,
                         const struct gy_model_op *op, const char *p, size_t n)
{
    struct gy_query_param *params;
    size_t np;
    const char *why = NULL;
    int rc = gy_query_parse(a, (struct gy_str){ p, n }, &params, &np, &why);
    if (rc != 0) {
        if ((rc != GY_EINVAL && rc != GY_ETOOBIG) || !why)
            abort();
        return;
    }
    for (size_t i = 0; i < np; i++)
        if (!gy_utf8_valid(params[i].name.p, params[i].name.len) ||
            params[i].name.p[params[i].name.len] != '\0' ||
            memchr(params[i].value.p, '\0', params[i].value.len))
            abort();

    struct gy_buf buf;
    struct gy_jw w;
    gy_buf_init(&buf, 16u << 20);
    gy_jw_init(&w, &buf);
    rc = gy_query_to_json(a, svc, op->input, params, np, &w, &why);
    if (rc == 0) {
        const struct gy_json *tree;
        const char *jwhy;
        if (gy_json_parse(a, buf.p, buf.len, &tree, &jwhy) != 0)
            abort();
        if (!gy_json_is(tree, GY_JSON_OBJECT))
            abort();
    } else if (rc != GY_EINVAL || !why || !gy_utf8_valid(why, strlen(why))) {
        abort();
    }
    gy_buf_fini(&buf);
}

static void response_mode(struct gy_arena *a, const struct gy_model_service *svc,
                          const struct gy_model_op *op, const char *p, size_t n)
{
    const struct gy_json *tree;
    const char *why;
    if (gy_json_parse(a, p, n, &tree, &why) != 0)
        return;
    struct gy_buf out;
    gy_buf_init(&out, 16u << 20);
    if (gy_query_xml_response(svc, op, tree, "rid", &out) == 0)
        check_xml_text(out.p, out.len);
    gy_buf_fini(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const struct gy_model_service *svc = gy_model_find(ops[(data[0] & 0x7f) % NOPS][0]);
    const struct gy_model_op *op =
        svc ? gy_model_op(svc, gy_str_c(ops[(data[0] & 0x7f) % NOPS][1])) : NULL;
    if (!op)
        abort();
    struct gy_arena *a = gy_arena_create(1 << 16);
    const char *p = (const char *)data + 1;
    if (data[0] & 0x80)
        response_mode(a, svc, op, p, size - 1);
    else
        request_mode(a, svc, op, p, size - 1);

    struct gy_buf esc;
    gy_buf_init(&esc, 8 * size + 16);
    if (gy_xml_escape(&esc, (struct gy_str){ p, size - 1 }) != 0)
        abort();
    check_xml_text(esc.p ? esc.p : "", esc.len);
    if (memchr(esc.p ? esc.p : "", '<', esc.len))
        abort();
    gy_buf_fini(&esc);
    gy_arena_destroy(a);
    return 0;
}

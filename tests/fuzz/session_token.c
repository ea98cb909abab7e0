/*
 * session_token.c (fuzz) — libFuzzer harness for sealed session tokens (src/aws/session.c).
 *
 * 1. The input is opened as a token (with the access key id taken from its first 20 bytes, and
 *    again whole with a fixed id) under a fixed key: nothing may crash, and only a token the key
 *    sealed may open, so a forged input opening is a failure.
 * 2. The input also chooses a principal (ARN and UserId from its bytes) and an expiry: the
 *    issued token must open to exactly that principal and the derived secret, be rejected under
 *    another key and with another access key id, and be rejected after one character is
 *    replaced (position and replacement chosen by the input). Any violation aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/session.h"
#include "core/bytes.h"
#include "core/errors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
static struct gy_session_key key, other;
static int ready;

static void init(void)
{
    if (ready)
        return;
    gy_session_key_derive(GY_STR("fuzz-admin-secret"), &key);
    gy_session_key_derive(GY_STR("fuzz-admin-secreT"), &other);
    ready = 1;
}

static void check_raw(const uint8_t *data, size_t size)
{
    struct gy_session out;
    struct gy_str whole = { (const char *)data, size };
    /* No input the fuzzer writes carries a MAC under our key: nothing may open. */
    if (gy_session_open(&key, whole, GY_STR("ASIAAAAAAAAAAAAAAAAA"), 0, &out) != GY_SESSION_INVALID)
        abort();
    if (size > 20) {
        struct gy_str akid = { (const char *)data, 20 };
        struct gy_str tok = { (const char *)data + 20, size - 20 };
        if (gy_session_open(&key, tok, akid, 0, &out) != GY_SESSION_INVALID)
            abort();
    }
}

static void check_built(const uint8_t *data, size_t size)
{
    struct gy_session in, out;
    char arn[GY_SESSION_MAX_ARN + 1], uid[GY_SESSION_MAX_USER_ID + 1];
    size_t na = 0, nu = 0;
    int64_t exp = (int64_t)gy_get_be64(data);
    size_t at = data[8] % 200;  /* mutation position (mod token length) */
    char repl = alphabet[data[9] % (sizeof(alphabet) - 1)];

    for (size_t i = 10; i < size; i++) {
        if (!data[i])
            continue;
        if ((data[i] & 1) && na < GY_SESSION_MAX_ARN)
            arn[na++] = (char)data[i];
        else if (nu < GY_SESSION_MAX_USER_ID)
            uid[nu++] = (char)data[i];
    }
    arn[na] = uid[nu] = '\0';
    int rc = gy_session_issue(&key, arn, uid, exp, &in);
    if (na == 0) {
        if (rc != GY_EINVAL)
            abort();
        return;
    }
    if (rc != 0)
        abort();
    size_t n = strlen(in.token);
    struct gy_str tok = { in.token, n }, akid = gy_str_c(in.access_key);
    int64_t before = exp == INT64_MIN ? exp : exp - 1;
    rc = gy_session_open(&key, tok, akid, before, &out);
    if (rc != (exp == INT64_MIN ? GY_SESSION_EXPIRED : GY_SESSION_OK))
        abort();
    if (strcmp(out.arn, arn) || strcmp(out.user_id, uid) || strcmp(out.secret, in.secret) ||
        strcmp(out.access_key, in.access_key) || out.expires_ms != exp)
        abort();
    if (gy_session_open(&key, tok, akid, exp, &out) != GY_SESSION_EXPIRED)
        abort();
    if (gy_session_open(&other, tok, akid, before, &out) != GY_SESSION_INVALID)
        abort();
    char wrong[GY_SESSION_AKID_LEN + 1];
    memcpy(wrong, in.access_key, sizeof(wrong));
    wrong[4 + at % 16] = wrong[4 + at % 16] == 'A' ? 'B' : 'A';
    if (gy_session_open(&key, tok, gy_str_c(wrong), before, &out) != GY_SESSION_INVALID)
        abort();
    at %= n;
    if (in.token[at] == repl)
        return;
    in.token[at] = repl;
    if (gy_session_open(&key, tok, akid, before, &out) != GY_SESSION_INVALID)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init();
    check_raw(data, size);
    if (size >= 10)
        check_built(data, size);
    return 0;
}

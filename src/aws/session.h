/*
 * session.h — temporary credentials (STS AssumeRole / GetSessionToken) as self-contained,
 * sealed session tokens: the token carries the access key id, the principal and the expiry,
 * authenticated (and the secret derived) with a key every region derives from the shared admin
 * secret, so any region accepts a token any region issued, across restarts, with no storage.
 * See docs/sts.md.
 */
#ifndef GY_AWS_SESSION_H
#define GY_AWS_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/str.h"

#define GY_SESSION_KEY_LEN 32
#define GY_SESSION_MAX_TOKEN 2048

struct gy_session_key {
    unsigned char k[GY_SESSION_KEY_LEN]; /* sealing key (derived; never logged) */
};

/* The principal and validity of one set of temporary credentials. */
struct gy_session {
    char access_key[21];           /* "ASIA" + 16 upper-case alphanumerics */
    char secret[41];               /* 40 characters, derived from the key and the token */
    char token[GY_SESSION_MAX_TOKEN]; /* the X-Amz-Security-Token value (base64) */
    char arn[256];                 /* principal ARN */
    char user_id[160];             /* UserId GetCallerIdentity reports */
    int64_t expires_ms;            /* expiry, ms since the epoch */
};

/** Derive the sealing key from the admin secret (deterministic, so regions agree). */
void gy_session_key_derive(struct gy_str admin_secret, struct gy_session_key *out);

/**
 * Issue credentials for a principal valid until expires_ms: fills out (fresh random access key
 * id; secret and token derived/sealed with key). Returns 0 or GY_EINVAL (arn/user_id too long).
 */
int gy_session_issue(const struct gy_session_key *key, const char *arn, const char *user_id,
                     int64_t expires_ms, struct gy_session *out);

enum gy_session_status {
    GY_SESSION_OK = 0,
    GY_SESSION_INVALID = -1, /* not a token this key sealed, or issued to another access key */
    GY_SESSION_EXPIRED = -2, /* authentic but past its expiry */
};

/**
 * Open a token presented with access key akid at time now_ms: on GY_SESSION_OK (and on
 * GY_SESSION_EXPIRED, for the message) fills out with the principal and the derived secret.
 */
int gy_session_open(const struct gy_session_key *key, struct gy_str token, struct gy_str akid,
                    int64_t now_ms, struct gy_session *out);

#endif

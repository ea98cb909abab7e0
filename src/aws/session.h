/*
 * session.h — temporary credentials (STS AssumeRole / GetSessionToken) as self-contained,
 * sealed session tokens: the token carries the access key id, the principal and the expiry,
 * authenticated (and the secret derived) with a key every region derives from the shared admin
 * secret, so any region accepts a token any region issued, across restarts, with no storage.
 * The token format is laid out in session.c. See docs/sts.md.
 */
#ifndef GY_AWS_SESSION_H
#define GY_AWS_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/str.h"

#define GY_SESSION_KEY_LEN 32
#define GY_SESSION_MAX_TOKEN 2048
#define GY_SESSION_AKID_LEN 20    /* "ASIA" + 16 characters of [A-Z2-7] */
#define GY_SESSION_SECRET_LEN 40  /* AWS-sized secret access key, [A-Za-z0-9+/] */
#define GY_SESSION_MAX_ARN 255    /* longest principal ARN a token can carry */
#define GY_SESSION_MAX_USER_ID 159 /* longest UserId a token can carry */

/* The keys derived from the admin secret (never logged). Equal admin secrets give equal keys. */
struct gy_session_key {
    unsigned char k[GY_SESSION_KEY_LEN];   /* root: HMAC-SHA256(admin secret, "gyre-sts-v1") */
    unsigned char mac[GY_SESSION_KEY_LEN]; /* seals tokens: HMAC-SHA256(k, "token") */
    unsigned char sec[GY_SESSION_KEY_LEN]; /* derives secrets: HMAC-SHA256(k, "secret") */
};

/* The principal and validity of one set of temporary credentials. */
struct gy_session {
    char access_key[GY_SESSION_AKID_LEN + 1];  /* "ASIA" + 16 of [A-Z2-7] */
    char secret[GY_SESSION_SECRET_LEN + 1];    /* derived from the key and the access key id */
    char token[GY_SESSION_MAX_TOKEN];          /* the X-Amz-Security-Token value (base64) */
    char arn[GY_SESSION_MAX_ARN + 1];          /* principal ARN */
    char user_id[GY_SESSION_MAX_USER_ID + 1];  /* UserId GetCallerIdentity reports */
    int64_t expires_ms;                        /* expiry, ms since the epoch (exclusive) */
};

/** Derive the sealing keys from the admin secret (deterministic, so regions agree). */
void gy_session_key_derive(struct gy_str admin_secret, struct gy_session_key *out);

/**
 * Issue credentials for a principal valid until expires_ms (exclusive): fills out with a fresh
 * random access key id, the derived secret and the sealed token. arn must be 1..255 bytes and
 * user_id 0..159 bytes, neither containing NUL. Returns 0, GY_EINVAL (bad arn/user_id) or GY_EIO
 * (no randomness). Thread-safe.
 */
int gy_session_issue(const struct gy_session_key *key, const char *arn, const char *user_id,
                     int64_t expires_ms, struct gy_session *out);

enum gy_session_status {
    GY_SESSION_OK = 0,
    GY_SESSION_INVALID = -1, /* not a token this key sealed, or issued to another access key */
    GY_SESSION_EXPIRED = -2, /* authentic but past its expiry (now_ms >= expires_ms) */
};

/**
 * Open a token presented with access key akid at time now_ms: on GY_SESSION_OK (and on
 * GY_SESSION_EXPIRED, for the message) fills out with the principal, the derived secret (to
 * verify the SigV4 signature with) and a copy of the token. Any input is safe. Thread-safe.
 */
int gy_session_open(const struct gy_session_key *key, struct gy_str token, struct gy_str akid,
                    int64_t now_ms, struct gy_session *out);

/** True when akid has the shape of a temporary access key id ("ASIA" + 16 of [A-Z2-7]). */
bool gy_session_is_temporary_akid(struct gy_str akid);

#endif

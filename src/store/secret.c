/*
 * secret.c — per-region secrets kept in META (gy_store_secret in store.h): created once from
 * the OS's random source, then the same bytes on every start, so tokens sealed before a
 * restart still open after it.
 */
#include "store/store.h"

#include <string.h>

#include "core/clock.h"
#include "core/errors.h"

struct secret {
    const char *name;   /* META key */
    unsigned char *key; /* out */
    size_t len;         /* bytes wanted */
};

static int secret_apply(struct gy_store_txn *txn, void *arg)
{
    struct secret *s = arg;
    struct gy_str v;
    int rc = gy_store_get(txn, GY_DB_META, gy_str_c(s->name), &v);
    if (rc == 0 && v.len == s->len) {
        memcpy(s->key, v.p, s->len);
        return 0;
    }
    if (rc && rc != GY_ENOTFOUND)
        return rc;
    gy_random(s->key, (unsigned)s->len);
    return gy_store_put(txn, GY_DB_META, gy_str_c(s->name),
                        (struct gy_str){(const char *)s->key, s->len});
}

int gy_store_secret(struct gy_store *st, const char *name, unsigned char *key, size_t len)
{
    struct secret s = {name, key, len};
    return gy_store_run(st, secret_apply, &s) ? GY_EIO : 0;
}

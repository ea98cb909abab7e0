/*
 * credentials.c — see credentials.h. The file is written atomically (temp file, fsync, rename)
 * so a crash during the first start never leaves a half-written key.
 */
#include "aws/credentials.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"

static int parse_spec(const char *spec, struct gy_aws_key *out)
{
    const char *colon = strchr(spec, ':');
    size_t klen = colon ? (size_t)(colon - spec) : 0;
    if (!colon || klen < 1 || klen >= sizeof(out->access_key) || strlen(colon + 1) < 1 ||
        strlen(colon + 1) >= sizeof(out->secret)) {
        gy_log_error("admin key must be ACCESS_KEY_ID:SECRET_ACCESS_KEY");
        return GY_EINVAL;
    }
    memcpy(out->access_key, spec, klen);
    out->access_key[klen] = '\0';
    snprintf(out->secret, sizeof(out->secret), "%s", colon + 1);
    return 0;
}

/* Read aws_access_key_id / aws_secret_access_key of profile [gyre]. */
static int read_file(const char *path, struct gy_aws_key *out)
{
    FILE *f = fopen(path, "r");
    char line[512];
    int in_profile = 0;

    if (!f)
        return GY_ENOTFOUND;
    out->access_key[0] = out->secret[0] = '\0';
    while (fgets(line, sizeof(line), f)) {
        char *p = line, *end = line + strlen(line);
        while (end > p && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
            *--end = '\0';
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '[') {
            in_profile = strcmp(p, "[gyre]") == 0;
            continue;
        }
        if (!in_profile)
            continue;
        char *eq = strchr(p, '=');
        if (!eq)
            continue;
        char *val = eq + 1;
        while (*val == ' ')
            val++;
        char *kend = eq;
        while (kend > p && kend[-1] == ' ')
            kend--;
        *kend = '\0';
        if (strcmp(p, "aws_access_key_id") == 0)
            snprintf(out->access_key, sizeof(out->access_key), "%s", val);
        else if (strcmp(p, "aws_secret_access_key") == 0)
            snprintf(out->secret, sizeof(out->secret), "%s", val);
    }
    fclose(f);
    return out->access_key[0] && out->secret[0] ? 0 : GY_EINVAL;
}

static void random_string(char *out, size_t n, const char *alphabet)
{
    unsigned char rnd[64];
    size_t alen = strlen(alphabet);
    gy_random(rnd, (unsigned)n);
    for (size_t i = 0; i < n; i++)
        out[i] = alphabet[rnd[i] % alen];
    out[n] = '\0';
}

static int write_file(const char *dir, const char *path, const struct gy_aws_key *k)
{
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s/.credentials.tmp", dir);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) {
        gy_log_error("cannot write %s: %s", tmp, strerror(errno));
        return GY_EIO;
    }
    char body[512];
    int n = snprintf(body, sizeof(body),
                     "# Gyre admin credentials (generated on first start)\n"
                     "[gyre]\naws_access_key_id = %s\naws_secret_access_key = %s\n",
                     k->access_key, k->secret);
    int ok = write(fd, body, (size_t)n) == n && fsync(fd) == 0;
    close(fd);
    if (!ok || rename(tmp, path)) {
        gy_log_error("cannot write %s: %s", path, strerror(errno));
        return GY_EIO;
    }
    return 0;
}

int gy_aws_credentials_setup(const char *dir, const char *spec, struct gy_aws_key *out)
{
    char path[4096];

    if (spec && *spec)
        return parse_spec(spec, out);
    snprintf(path, sizeof(path), "%s/credentials", dir);
    int rc = read_file(path, out);
    if (rc == 0)
        return 0;
    if (rc != GY_ENOTFOUND) {
        gy_log_error("%s has no usable [gyre] profile", path);
        return GY_EIO;
    }
    memcpy(out->access_key, "AKIA", 4);
    random_string(out->access_key + 4, 16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
    random_string(out->secret, 40,
                  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
    return write_file(dir, path, out);
}

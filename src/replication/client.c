/*
 * client.c — the signed HTTP client of a peer link: libcurl (the one place Gyre includes
 * <curl/curl.h>), one easy handle per link so the TCP connection is kept alive between
 * batches, requests signed with SigV4 (service "gyre") exactly as AWS clients sign theirs.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "aws/sigv4.h"
#include "core/clock.h"
#include "core/errors.h"
#include "core/log.h"
#include "replication/repl_int.h"

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    struct gy_buf *b = arg;
    if (b && gy_buf_append(b, p, size * n))
        return 0; /* over the buffer's limit: abort the transfer */
    return size * n;
}

int gy_repl__client_init(struct gy_repl_client *c, const char *url)
{
    const char *h = strstr(url, "://");
    memset(c, 0, sizeof(*c));
    if (!h || strlen(url) >= sizeof(c->base))
        return GY_EINVAL;
    snprintf(c->base, sizeof(c->base), "%s", url);
    size_t n = strlen(c->base);
    while (n && c->base[n - 1] == '/')
        c->base[--n] = '\0';
    snprintf(c->host, sizeof(c->host), "%s", h + 3);
    char *slash = strchr(c->host, '/');
    if (slash)
        *slash = '\0';
    c->curl = curl_easy_init();
    if (!c->curl)
        return GY_EIO;
    curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
    curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, 30000L);
    curl_easy_setopt(c->curl, CURLOPT_TCP_KEEPALIVE, 1L);
    return 0;
}

void gy_repl__client_fini(struct gy_repl_client *c)
{
    if (c->curl)
        curl_easy_cleanup(c->curl);
    c->curl = NULL;
}

int gy_repl__post(struct gy_repl_client *c, const struct gy_aws_key *key, const char *region,
                  const char *path, struct gy_str body, long *status, struct gy_buf *resp)
{
    char amz_date[17], url[512], hdr_host[300], hdr_date[40], hdr_auth[1024];
    struct gy_buf auth;
    int rc;

    *status = 0;
    gy_sigv4_format_amz_date(gy_now_ms(), amz_date);
    struct gy_sigv4_header headers[] = {
        { GY_STR("Host"), gy_str_c(c->host) },
        { GY_STR("Content-Type"), GY_STR("application/json") },
        { GY_STR("X-Amz-Date"), gy_str_c(amz_date) },
    };
    struct gy_sigv4_request sr = {
        .method = GY_STR("POST"),
        .target = gy_str_c(path),
        .headers = headers,
        .nheaders = 3,
        .body = body,
    };
    gy_buf_init(&auth, 1024);
    rc = gy_sigv4_sign(&sr, key->access_key, gy_str_c(key->secret), region, "gyre", amz_date, &auth);
    if (rc) {
        gy_buf_fini(&auth);
        return rc;
    }
    snprintf(url, sizeof(url), "%s%s", c->base, path);
    snprintf(hdr_host, sizeof(hdr_host), "Host: %s", c->host);
    snprintf(hdr_date, sizeof(hdr_date), "X-Amz-Date: %s", amz_date);
    snprintf(hdr_auth, sizeof(hdr_auth), "Authorization: %s", auth.p);
    gy_buf_fini(&auth);

    struct curl_slist *hl = NULL;
    hl = curl_slist_append(hl, hdr_host);
    hl = curl_slist_append(hl, "Content-Type: application/json");
    hl = curl_slist_append(hl, hdr_date);
    hl = curl_slist_append(hl, hdr_auth);
    hl = curl_slist_append(hl, "Expect:");
    curl_easy_setopt(c->curl, CURLOPT_URL, url);
    curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c->curl, CURLOPT_POST, 1L);
    curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body.p ? body.p : "");
    curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body.len);
    curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, resp);
    CURLcode cc = curl_easy_perform(c->curl);
    curl_slist_free_all(hl);
    if (cc != CURLE_OK) {
        gy_log_debug("replication: POST %s: %s", url, curl_easy_strerror(cc));
        return GY_EIO;
    }
    curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, status);
    return 0;
}

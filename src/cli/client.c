/*
 * client.c — a minimal signed JSON-protocol client for the gyre commands (libcurl + SigV4).
 */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "aws/sigv4.h"
#include "cli/cli.h"
#include "core/clock.h"
#include "core/errors.h"

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    return gy_buf_append(arg, p, size * n) ? 0 : size * n;
}

static const char *host_of(const char *url, char *out, size_t cap)
{
    const char *h = strstr(url, "://");
    snprintf(out, cap, "%s", h ? h + 3 : url);
    char *slash = strchr(out, '/');
    if (slash)
        *slash = '\0';
    return out;
}

const struct gy_cli_service gy_cli_dynamodb = { "DynamoDB_20120810", "dynamodb",
                                                 "application/x-amz-json-1.0" };
const struct gy_cli_service gy_cli_kinesis = { "Kinesis_20131202", "kinesis",
                                                "application/x-amz-json-1.1" };

int gy_cli_call(const char *url, const char *region, const struct gy_aws_key *key, const char *op,
                struct gy_str body, long *status, struct gy_buf *resp)
{
    return gy_cli_call_svc(&gy_cli_dynamodb, url, region, key, op, body, status, resp);
}

int gy_cli_call_svc(const struct gy_cli_service *svc, const char *url, const char *region,
                    const struct gy_aws_key *key, const char *op, struct gy_str body,
                    long *status, struct gy_buf *resp)
{
    char amz_date[17], host[256], target[128], h1[300], h2[200], h3[64], h4[1200], h5[96];
    struct gy_buf auth;
    CURL *curl = curl_easy_init();
    int rc;

    *status = 0;
    if (!curl)
        return GY_EIO;
    host_of(url, host, sizeof(host));
    snprintf(target, sizeof(target), "%s.%s", svc->target_prefix, op);
    gy_sigv4_format_amz_date(gy_now_ms(), amz_date);
    struct gy_sigv4_header headers[] = {
        { GY_STR("Host"), gy_str_c(host) },
        { GY_STR("Content-Type"), gy_str_c(svc->content_type) },
        { GY_STR("X-Amz-Date"), gy_str_c(amz_date) },
        { GY_STR("X-Amz-Target"), gy_str_c(target) },
    };
    struct gy_sigv4_request sr = { GY_STR("POST"), GY_STR("/"), headers, 4, body };
    gy_buf_init(&auth, 1024);
    rc = gy_sigv4_sign(&sr, key->access_key, gy_str_c(key->secret), region, svc->signing_name,
                       amz_date, &auth);
    if (rc) {
        gy_buf_fini(&auth);
        curl_easy_cleanup(curl);
        return rc;
    }
    snprintf(h1, sizeof(h1), "Host: %s", host);
    snprintf(h2, sizeof(h2), "X-Amz-Target: %s", target);
    snprintf(h3, sizeof(h3), "X-Amz-Date: %s", amz_date);
    snprintf(h4, sizeof(h4), "Authorization: %s", auth.p);
    gy_buf_fini(&auth);
    struct curl_slist *hl = NULL;
    hl = curl_slist_append(hl, h1);
    snprintf(h5, sizeof(h5), "Content-Type: %s", svc->content_type);
    hl = curl_slist_append(hl, h5);
    hl = curl_slist_append(hl, h2);
    hl = curl_slist_append(hl, h3);
    hl = curl_slist_append(hl, h4);
    hl = curl_slist_append(hl, "Expect:");
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 60000L);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.p);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body.len);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, resp);
    CURLcode cc = curl_easy_perform(curl);
    if (cc == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
    curl_slist_free_all(hl);
    curl_easy_cleanup(curl);
    return cc == CURLE_OK ? 0 : GY_EIO;
}

int gy_cli_get(const char *url, const char *path, long *status, struct gy_buf *resp)
{
    char full[512];
    CURL *curl = curl_easy_init();
    *status = 0;
    if (!curl)
        return GY_EIO;
    snprintf(full, sizeof(full), "%s%s", url, path);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
    curl_easy_setopt(curl, CURLOPT_URL, full);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, resp);
    CURLcode cc = curl_easy_perform(curl);
    if (cc == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
    curl_easy_cleanup(curl);
    return cc == CURLE_OK ? 0 : GY_EIO;
}

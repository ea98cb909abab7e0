/*
 * forward.c — one endpoint reaches every region: a request signed for another region
 * (credential scope) is passed, unchanged (method, path, signed headers, body), to that
 * region's process, and its answer relayed. Two forwarding threads, each with a libcurl
 * handle per peer that keeps its connection alive; a bounded queue between the I/O threads
 * and them (fwd_lock). A full queue answers ThrottlingException rather than growing.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/arena.h"
#include "core/log.h"
#include "core/mem.h"
#include "net/http.h"
#include "replication/repl_int.h"

#define FWD_QUEUE_MAX 1024
#define FWD_MAX_RESPONSE (64u << 20)

struct fwd_item {
    struct gy_aws_req *req;
    struct peer *peer;
    struct fwd_item *next;
};

struct fwd_resp {
    struct gy_arena *a;
    struct gy_http_header *h;
    size_t nh, cap;
};

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
    struct fwd_resp *fr = arg;
    size_t len = size * n;
    const char *colon = memchr(p, ':', len);
    if (!colon)
        return len;
    size_t nl = (size_t)(colon - p);
    static const char *keep[] = { "x-amzn-requestid", "content-type", "x-amz-crc32",
                                  "x-amzn-errortype", "x-amzn-query-error", "content-encoding",
                                  "vary", "access-control-allow-origin",
                                  "access-control-expose-headers" };
    bool wanted = false;
    for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
        wanted |= nl == strlen(keep[i]) && strncasecmp(p, keep[i], nl) == 0;
    if (!wanted || fr->nh == fr->cap)
        return len;
    const char *v = colon + 1, *end = p + len;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
        end--;
    fr->h[fr->nh].name = gy_arena_strdup(fr->a, (struct gy_str){ p, nl });
    fr->h[fr->nh].value = gy_arena_strdup(fr->a, (struct gy_str){ v, (size_t)(end - v) });
    fr->nh++;
    return len;
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    return gy_buf_append(arg, p, size * n) ? 0 : size * n;
}

static void forward_one(CURL *curl, struct fwd_item *it)
{
    struct gy_aws_req *req = it->req;
    struct gy_http_req *h = req->http;
    struct curl_slist *hl = NULL;
    char url[1024];

    snprintf(url, sizeof(url), "%s%.*s", it->peer->client.base, (int)h->target.len, h->target.p);
    for (size_t i = 0; i < h->nheaders; i++) {
        struct gy_str n = h->headers[i].name;
        if (gy_str_caseeqc(n, "content-length") || gy_str_caseeqc(n, "connection") ||
            gy_str_caseeqc(n, "expect") || gy_str_caseeqc(n, "transfer-encoding"))
            continue;
        char *line = gy_arena_printf(req->arena, "%.*s: %.*s", (int)n.len, n.p,
                                     (int)h->headers[i].value.len, h->headers[i].value.p);
        hl = curl_slist_append(hl, line);
    }
    hl = curl_slist_append(hl, "Expect:");
    struct fwd_resp fr = { req->arena, gy_arena_calloc(req->arena, 16, sizeof(*fr.h)), 0, 16 };
    struct gy_buf *body = gy_arena_buf(req->arena, FWD_MAX_RESPONSE);

    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 60000L);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    char *method = gy_arena_strndup(req->arena, h->method.p, h->method.len);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    if (h->body.len || strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, h->body.p ? h->body.p : "");
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)h->body.len);
    }
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &fr);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, body);
    CURLcode cc = curl_easy_perform(curl);
    curl_slist_free_all(hl);
    long status = 0;
    if (cc == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    if (cc != CURLE_OK || status == 0) {
        gy_error_set(&req->err, req->arena, GY_AWS_SERVICE_UNAVAILABLE,
                     "Region %s is unreachable: %s", it->peer->cfg.region, curl_easy_strerror(cc));
        gy_aws_req_complete(req, GY_EAWS);
        return;
    }
    gy_http_respond(h, (int)status, fr.h, fr.nh, gy_buf_str(body));
}

static void *fwd_main(void *arg)
{
    struct gy_repl *r = arg;
    CURL *curl = curl_easy_init();
    for (;;) {
        pthread_mutex_lock(&r->fwd_lock);
        while (!r->fwd_head && !__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE))
            pthread_cond_wait(&r->fwd_cond, &r->fwd_lock);
        struct fwd_item *it = r->fwd_head;
        if (it) {
            r->fwd_head = it->next;
            if (!r->fwd_head)
                r->fwd_tail = NULL;
            r->fwd_len--;
        }
        bool stop = !it && __atomic_load_n(&r->stop, __ATOMIC_ACQUIRE);
        pthread_mutex_unlock(&r->fwd_lock);
        if (stop)
            break;
        if (it)
            forward_one(curl, it);
    }
    curl_easy_cleanup(curl);
    return NULL;
}

bool gy_repl__forward(void *ctx, struct gy_aws_req *req)
{
    struct gy_repl *r = ctx;
    struct peer *p = gy_repl__peer(r, req->auth.region);
    if (!p)
        return false;
    if (__atomic_load_n(&p->cut, __ATOMIC_RELAXED)) {
        gy_error_set(&req->err, req->arena, GY_AWS_SERVICE_UNAVAILABLE,
                     "Region %s is unreachable: the link is cut", p->cfg.region);
        gy_aws_req_complete(req, GY_EAWS);
        return true;
    }
    struct fwd_item *it = gy_arena_zalloc(req->arena, sizeof(*it));
    it->req = req;
    it->peer = p;
    pthread_mutex_lock(&r->fwd_lock);
    if (r->fwd_len >= FWD_QUEUE_MAX) {
        pthread_mutex_unlock(&r->fwd_lock);
        gy_error_set(&req->err, req->arena, GY_AWS_THROTTLING, "Rate exceeded");
        gy_aws_req_complete(req, GY_EAWS);
        return true;
    }
    if (r->fwd_tail)
        r->fwd_tail->next = it;
    else
        r->fwd_head = it;
    r->fwd_tail = it;
    r->fwd_len++;
    pthread_cond_signal(&r->fwd_cond);
    pthread_mutex_unlock(&r->fwd_lock);
    return true;
}

int gy_repl__forward_start(struct gy_repl *r)
{
    pthread_mutex_init(&r->fwd_lock, NULL);
    pthread_cond_init(&r->fwd_cond, NULL);
    for (int i = 0; i < 2; i++)
        if (pthread_create(&r->fwd_threads[i], NULL, fwd_main, r))
            return GY_EIO;
    gy_aws_router_set_forwarder(r->router, gy_repl__forward, r);
    return 0;
}

void gy_repl__forward_stop(struct gy_repl *r)
{
    pthread_mutex_lock(&r->fwd_lock);
    pthread_cond_broadcast(&r->fwd_cond);
    pthread_mutex_unlock(&r->fwd_lock);
    for (int i = 0; i < 2; i++)
        pthread_join(r->fwd_threads[i], NULL);
    pthread_mutex_destroy(&r->fwd_lock);
    pthread_cond_destroy(&r->fwd_cond);
}

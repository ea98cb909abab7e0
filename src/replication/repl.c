/*
 * repl.c — the replication service's life cycle: peer links, shipper threads, forwarding
 * threads, and registration of the peer endpoints and global-table operations.
 */
#include "replication/repl.h"

#include <curl/curl.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "dynamodb/dynamodb.h"
#include "replication/repl_int.h"
#include "store/store.h"

/*
 * After each durable commit (writer thread): if it held changes of global tables, wake the
 * shippers now instead of at their next poll. An append whose job was rolled back also counts;
 * the shippers then find nothing new, which is harmless.
 */
static void on_commit(void *arg)
{
    struct gy_repl *r = arg;
    uint64_t n = __atomic_load_n(&r->ddb->replicated_appends, __ATOMIC_ACQUIRE);
    if (n == r->seen_appends)
        return;
    r->seen_appends = n;
    gy_repl__wake(r);
}

static int barrier_apply(struct gy_store_txn *txn, void *arg)
{
    return 0;
}

int gy_repl_open(struct gy_ddb *ddb, struct gy_aws_router *router, const struct gy_repl_config *cfg,
                 struct gy_repl **out)
{
    struct gy_repl *r = gy_calloc(1, sizeof(*r));
    static bool curl_ready;

    if (!curl_ready) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        curl_ready = true;
    }
    r->ddb = ddb;
    r->router = router;
    snprintf(r->region, sizeof(r->region), "%s", cfg->region);
    r->key = *cfg->key;
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->cond, NULL);
    pthread_mutex_init(&r->stats_lock, NULL);
    r->npeers = cfg->npeers;
    r->peers = gy_calloc(cfg->npeers ? cfg->npeers : 1, sizeof(*r->peers));
    for (size_t i = 0; i < cfg->npeers; i++) {
        struct peer *p = &r->peers[i];
        p->r = r;
        p->cfg = cfg->peers[i];
        if (gy_repl__client_init(&p->client, p->cfg.url)) {
            gy_log_error("replication: bad peer URL %s", p->cfg.url);
            return GY_EINVAL;
        }
    }
    gy_aws_router_add_route(router, "POST", "/_gyre/replicate", gy_repl__handle_replicate, r, true);
    gy_aws_router_add_route(router, "POST", "/_gyre/table", gy_repl__handle_table, r, true);
    gy_aws_router_add_route(router, "GET", "/_gyre/replication", gy_repl__handle_metrics, r, false);
    gy_aws_router_add_route(router, "POST", "/_gyre/links", gy_repl__handle_links, r, true);
    gy_repl__global_ops_register(r);
    if (gy_repl__forward_start(r))
        return GY_EIO;
    gy_store_set_commit_hook(ddb->store, on_commit, r);
    for (size_t i = 0; i < r->npeers; i++) {
        if (pthread_create(&r->peers[i].thread, NULL, gy_repl__shipper_main, &r->peers[i])) {
            gy_log_error("replication: cannot start a shipper thread");
            return GY_EIO;
        }
        gy_log_info("replication: peer %s at %s", r->peers[i].cfg.region, r->peers[i].cfg.url);
    }
    *out = r;
    return 0;
}

void gy_repl_close(struct gy_repl *r)
{
    if (!r)
        return;
    /* Unhook, then let one job through the writer so no call of on_commit is still running. */
    gy_store_set_commit_hook(r->ddb->store, NULL, NULL);
    gy_store_run(r->ddb->store, barrier_apply, NULL);
    pthread_mutex_lock(&r->lock);
    __atomic_store_n(&r->stop, true, __ATOMIC_RELEASE); /* fwd_main reads it under fwd_lock */
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->lock);
    for (size_t i = 0; i < r->npeers; i++) {
        pthread_join(r->peers[i].thread, NULL);
        gy_repl__client_fini(&r->peers[i].client);
    }
    gy_repl__forward_stop(r);
    r->ddb->update_replicas = NULL;
    gy_free(r->peers);
    pthread_mutex_destroy(&r->lock);
    pthread_cond_destroy(&r->cond);
    pthread_mutex_destroy(&r->stats_lock);
    gy_free(r);
}

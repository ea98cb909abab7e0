/*
 * repl.h — global tables: replication between regions (multi-active, last writer wins).
 *
 * Each region ships the changes that originated in it to every peer region that holds a
 * replica, in batches over a persistent, SigV4-signed HTTP connection per peer; a peer applies
 * each change only if it is newer by (HLC stamp, origin region), records it in its own change
 * log (so its streams show every change) and acknowledges; the shipper then advances its
 * checkpoint, kept in the store. A replica with no checkpoint (new, or behind the retained
 * log) is seeded from a snapshot of every item and tombstone. Table definitions travel the
 * same links, ordered by their schema stamp. See docs/replication.md.
 */
#ifndef GY_REPL_REPL_H
#define GY_REPL_REPL_H

#include <stddef.h>

#include "aws/aws.h"

struct gy_ddb;
struct gy_repl;

struct gy_repl_peer {
    char region[32];   /* the peer's region name */
    char url[256];     /* its endpoint, e.g. http://127.0.0.1:4567 */
};

struct gy_repl_config {
    const char *region;                  /* this region */
    const struct gy_aws_key *key;        /* the key peer requests are signed with */
    const struct gy_repl_peer *peers;    /* the other regions */
    size_t npeers;
};

/**
 * Start replication for the region's DynamoDB service: register the peer endpoints, the
 * global-table operations and request forwarding with the router, and start one shipper
 * thread per peer. Returns 0 or GY_EIO.
 */
int gy_repl_open(struct gy_ddb *ddb, struct gy_aws_router *router, const struct gy_repl_config *cfg,
                 struct gy_repl **out);
/** Stop the shippers and forwarders (call after the HTTP server stopped, before the store closes). */
void gy_repl_close(struct gy_repl *r);

#endif

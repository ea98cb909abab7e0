/*
 * table.h — a DynamoDB table's definition (schema, billing, settings, tags) as Gyre keeps it.
 *
 * A struct gy_ddb_table is immutable once published in the catalog and reference-counted:
 * a request takes a reference for as long as it uses the table. A change (UpdateTable, tags)
 * publishes a new version with the same id; DeleteTable marks the old one deleted. Only the
 * store's writer thread publishes or deletes, so `deleted` read on that thread is exact.
 * See docs/dynamodb.md, "Tables".
 */
#ifndef GY_DDB_TABLE_H
#define GY_DDB_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/str.h"
#include "dynamodb/value.h"

struct gy_jw;
struct gy_json;

#define GY_DDB_MAX_ATTR_DEFS 64
#define GY_DDB_MAX_TAGS 50

struct gy_ddb_attrdef {
    char *name;              /* attribute name (heap) */
    enum gy_ddb_type type;   /* S, N or B */
};

struct gy_ddb_tag {
    char *key;
    char *value;
};

enum gy_ddb_billing { GY_DDB_PROVISIONED = 0, GY_DDB_PAY_PER_REQUEST };

#define GY_DDB_MAX_REPLICAS 16

enum gy_ddb_replica_status {
    GY_DDB_REPLICA_ACTIVE = 0,
    GY_DDB_REPLICA_CREATING,
    GY_DDB_REPLICA_DELETING,
};

/* One region holding a replica of a global table. */
struct gy_ddb_replica {
    char region[32];                   /* RegionName */
    enum gy_ddb_replica_status status; /* ReplicaStatus */
};

#define GY_DDB_MAX_GSI 20      /* DynamoDB's default per-table quota */
#define GY_DDB_MAX_LSI 5
#define GY_DDB_MAX_INDEXES (GY_DDB_MAX_GSI + GY_DDB_MAX_LSI)
#define GY_DDB_MAX_NONKEY 100  /* NonKeyAttributes over all of a table's indexes */

enum gy_ddb_proj { GY_DDB_PROJ_ALL = 0, GY_DDB_PROJ_KEYS_ONLY, GY_DDB_PROJ_INCLUDE };

/* A secondary index's definition (see dynamodb/index.h and docs/dynamodb.md, "Indexes"). */
struct gy_ddb_index {
    char *name;                        /* IndexName (heap) */
    uint32_t id;                       /* storage id: prefix of its entries (never reused) */
    bool local;                        /* LSI (same partition key) rather than GSI */
    bool backfilling;                  /* GSI being built: IndexStatus CREATING */
    struct gy_ddb_attrdef hash;        /* index partition key */
    struct gy_ddb_attrdef range;       /* index sort key; name NULL when there is none */
    enum gy_ddb_proj proj;             /* ProjectionType */
    char **include;                    /* INCLUDE: NonKeyAttributes (heap) */
    uint32_t ninclude;
    int64_t rcu, wcu;                  /* GSI provisioned throughput (0 on demand) */
};

struct gy_ddb_table {
    int refs;                          /* atomic reference count */
    bool deleted;                      /* set (writer thread) when the table is dropped */
    uint32_t id;                       /* storage id: prefix of the table's keys */
    char *name;                        /* TableName */
    char *arn;                         /* arn:aws:dynamodb:REGION:ACCOUNT:table/NAME */
    char table_id[37];                 /* TableId (UUID) */
    int64_t created_ms;                /* CreationDateTime */
    int64_t updated_ms;                /* last UpdateTable (memory only: its UPDATING status) */
    struct gy_ddb_attrdef hash;        /* partition key */
    struct gy_ddb_attrdef range;       /* sort key; name NULL when there is none */
    struct gy_ddb_attrdef *attrs;      /* AttributeDefinitions */
    uint32_t nattrs;
    enum gy_ddb_billing billing;       /* BillingMode */
    int64_t billing_changed_ms;        /* last change to PAY_PER_REQUEST (0 = never) */
    int64_t rcu, wcu;                  /* provisioned throughput (0 on demand) */
    int64_t last_increase_ms, last_decrease_ms;
    int decreases_today;
    bool deletion_protection;          /* DeletionProtectionEnabled */
    bool stream_enabled;               /* StreamSpecification.StreamEnabled */
    char stream_view[24];              /* StreamViewType when enabled */
    int64_t stream_created_ms;         /* when the latest stream was enabled (its label); 0 = never */
    char *table_class;                 /* STANDARD or STANDARD_INFREQUENT_ACCESS */
    struct gy_ddb_tag *tags;
    uint32_t ntags;
    struct gy_ddb_index *indexes;      /* LSIs and GSIs (NULL when none) */
    uint32_t nindexes;
    char *ttl_attr;                    /* TimeToLive AttributeName while enabled, else NULL */
    /* Global tables (replication/): every replica region, this one included; none = local. */
    struct gy_ddb_replica replicas[GY_DDB_MAX_REPLICAS];
    uint32_t nreplicas;
    int global_version;                /* 0 none, 1 legacy 2017.11.29, 2 version 2019.11.21 */
    uint64_t schema_stamp;             /* HLC of the last definition change (peer sync order) */
};

/** Take a reference. */
void gy_ddb_table_ref(struct gy_ddb_table *t);
/** Drop a reference; frees the table at zero. NULL is allowed. */
void gy_ddb_table_unref(struct gy_ddb_table *t);
/** Deep copy (refs 1), for publishing a changed version. */
struct gy_ddb_table *gy_ddb_table_clone(const struct gy_ddb_table *t);

/**
 * Build a table from a CreateTable request body. On invalid input records DynamoDB's
 * ValidationException in err and returns GY_EAWS. The id, ARN and times are set by the caller.
 */
int gy_ddb_table_from_request(const struct gy_json *body, struct gy_ddb_table **out,
                              struct gy_error *err, struct gy_arena *a);
/** Validate a table name (3..255 of [a-zA-Z0-9_.-]) with DynamoDB's message; `what` names the member. */
int gy_ddb_table_name_check(struct gy_str name, const char *what, struct gy_error *err,
                            struct gy_arena *a);

/** Serialize the definition for the catalog. */
int gy_ddb_table_encode(const struct gy_ddb_table *t, struct gy_buf *out);
/** Parse a catalog record; returns GY_EINVAL on corrupt input. */
int gy_ddb_table_decode(struct gy_str rec, struct gy_ddb_table **out);

struct gy_ddb_table_stats {
    uint64_t items;  /* ItemCount */
    uint64_t bytes;  /* TableSizeBytes */
    uint32_t nidx;   /* entries filled in idx (0 when not read) */
    struct {
        uint64_t items;  /* the index's ItemCount */
        uint64_t bytes;  /* its IndexSizeBytes */
    } idx[GY_DDB_MAX_INDEXES]; /* parallel to the table's indexes[] */
};

/** Write the TableDescription object (as in DescribeTable's "Table"). */
void gy_ddb_table_describe(struct gy_jw *w, const struct gy_ddb_table *t,
                           const struct gy_ddb_table_stats *stats, const char *status);

/** The stream label for a stream enabled at ms ("2026-11-25T02:53:35.123", UTC). */
void gy_ddb_stream_label(int64_t ms, char out[48]);

/** True when name is one of the table's key attributes. */
bool gy_ddb_table_is_key(const struct gy_ddb_table *t, struct gy_str name);

#endif

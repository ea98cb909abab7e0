/*
 * index_def.c — secondary index definitions: validation of LocalSecondaryIndexes /
 * GlobalSecondaryIndexes (CreateTable) and GlobalSecondaryIndexUpdates (UpdateTable) with
 * DynamoDB's messages, the catalog encoding, and the indexes' part of a TableDescription.
 * Index entries are not here (index.c). See docs/dynamodb.md, "Indexes".
 *
 * Catalog members (inside the table record of table.c):
 *   "indexes": [{"name","id","local","bf","hash","range","proj","include":[..],"rcu","wcu"}]
 *   "ttl":     TimeToLive attribute name (absent when TTL is disabled)
 */
#include "dynamodb/index.h"

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/json.h"
#include "core/mem.h"

#define INVALID "One or more parameter values were invalid: "

static const char *proj_name(enum gy_ddb_proj p)
{
    return p == GY_DDB_PROJ_KEYS_ONLY ? "KEYS_ONLY" : p == GY_DDB_PROJ_INCLUDE ? "INCLUDE" : "ALL";
}

static const struct gy_ddb_attrdef *find_def(const struct gy_ddb_table *t, struct gy_str name)
{
    for (uint32_t i = 0; i < t->nattrs; i++)
        if (gy_str_eqc(name, t->attrs[i].name))
            return &t->attrs[i];
    return NULL;
}

const struct gy_ddb_index *gy_ddb_index_find(const struct gy_ddb_table *t, struct gy_str name)
{
    for (uint32_t i = 0; i < t->nindexes; i++)
        if (gy_str_eqc(name, t->indexes[i].name))
            return &t->indexes[i];
    return NULL;
}

const struct gy_ddb_index *gy_ddb_index_by_id(const struct gy_ddb_table *t, uint32_t id)
{
    for (uint32_t i = 0; i < t->nindexes; i++)
        if (t->indexes[i].id == id)
            return &t->indexes[i];
    return NULL;
}

uint32_t gy_ddb_table_nlsi(const struct gy_ddb_table *t)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < t->nindexes; i++)
        n += t->indexes[i].local;
    return n;
}

static bool is_index_key(const struct gy_ddb_index *ix, struct gy_str name)
{
    return gy_str_eqc(name, ix->hash.name) || (ix->range.name && gy_str_eqc(name, ix->range.name));
}

bool gy_ddb_index_projects(const struct gy_ddb_table *t, const struct gy_ddb_index *ix,
                           struct gy_str name)
{
    if (ix->proj == GY_DDB_PROJ_ALL || gy_ddb_table_is_key(t, name) || is_index_key(ix, name))
        return true;
    for (uint32_t i = 0; ix->proj == GY_DDB_PROJ_INCLUDE && i < ix->ninclude; i++)
        if (gy_str_eqc(name, ix->include[i]))
            return true;
    return false;
}

bool gy_ddb_table_is_any_key(const struct gy_ddb_table *t, struct gy_str name)
{
    if (gy_ddb_table_is_key(t, name))
        return true;
    for (uint32_t i = 0; i < t->nindexes; i++)
        if (is_index_key(&t->indexes[i], name))
            return true;
    return false;
}

static void index_fini(struct gy_ddb_index *ix)
{
    gy_free(ix->name);
    gy_free(ix->hash.name);
    gy_free(ix->range.name);
    for (uint32_t i = 0; i < ix->ninclude; i++)
        gy_free(ix->include[i]);
    gy_free(ix->include);
    memset(ix, 0, sizeof(*ix));
}

void gy_ddb_indexes_free(struct gy_ddb_table *t)
{
    for (uint32_t i = 0; i < t->nindexes; i++)
        index_fini(&t->indexes[i]);
    gy_free(t->indexes);
    gy_free(t->ttl_attr);
    t->indexes = NULL;
    t->nindexes = 0;
    t->ttl_attr = NULL;
}

static char *dup_or_null(const char *s)
{
    return s ? gy_strdup(s) : NULL;
}

static void index_copy(struct gy_ddb_index *dst, const struct gy_ddb_index *src)
{
    *dst = *src;
    dst->name = gy_strdup(src->name);
    dst->hash.name = gy_strdup(src->hash.name);
    dst->range.name = dup_or_null(src->range.name);
    dst->include = gy_calloc(src->ninclude ? src->ninclude : 1, sizeof(*dst->include));
    for (uint32_t i = 0; i < src->ninclude; i++)
        dst->include[i] = gy_strdup(src->include[i]);
}

void gy_ddb_indexes_clone(struct gy_ddb_table *dst, const struct gy_ddb_table *src)
{
    dst->indexes = NULL;
    dst->nindexes = src->nindexes;
    if (src->nindexes) {
        dst->indexes = gy_calloc(GY_DDB_MAX_INDEXES, sizeof(*dst->indexes));
        for (uint32_t i = 0; i < src->nindexes; i++)
            index_copy(&dst->indexes[i], &src->indexes[i]);
    }
    dst->ttl_attr = dup_or_null(src->ttl_attr);
}

/* ---- parsing ---- */

static int check_throughput(const struct gy_json *pt, const char *what, int64_t *r, int64_t *w,
                            struct gy_error *err, struct gy_arena *a)
{
    if (!gy_json_int(gy_json_get(pt, "ReadCapacityUnits"), r) ||
        !gy_json_int(gy_json_get(pt, "WriteCapacityUnits"), w))
        return gy_error_set(err, a, GY_AWS_VALIDATION,
                            INVALID "ReadCapacityUnits and WriteCapacityUnits must both be "
                                    "specified when BillingMode is PROVISIONED");
    if (*r < 1 || *w < 1)
        return gy_error_set(err, a, GY_AWS_VALIDATION,
                            "1 validation error detected: Value '%lld' at '%s.%s' failed to "
                            "satisfy constraint: Member must have value greater than or equal to 1",
                            (long long)(*r < 1 ? *r : *w), what,
                            *r < 1 ? "readCapacityUnits" : "writeCapacityUnits");
    return 0;
}

static int undefined_keys(const struct gy_ddb_table *t, struct gy_str n0, struct gy_str n1,
                          struct gy_error *err, struct gy_arena *a)
{
    struct gy_buf b;
    gy_buf_init(&b, 1 << 16);
    gy_buf_printf(&b, INVALID "Some index key attributes are not defined in AttributeDefinitions. "
                              "Keys: [%.*s%s%.*s], AttributeDefinitions: [",
                  (int)n0.len, n0.p, n1.p ? ", " : "", (int)n1.len, n1.p ? n1.p : "");
    for (uint32_t i = 0; i < t->nattrs; i++)
        gy_buf_printf(&b, "%s%s", i ? ", " : "", t->attrs[i].name);
    gy_buf_putc(&b, ']');
    gy_error_set(err, a, GY_AWS_VALIDATION, "%.*s", (int)b.len, b.p);
    gy_buf_fini(&b);
    return GY_EAWS;
}

static int parse_keys(const struct gy_json *ks, const struct gy_ddb_table *t, struct gy_ddb_index *ix,
                      const char *what, struct gy_error *err, struct gy_arena *a)
{
    size_t n = gy_json_count(ks);
    if (!gy_json_is(ks, GY_JSON_ARRAY) || n < 1 || n > 2)
        return gy_error_set(err, a, GY_AWS_VALIDATION,
                            "1 validation error detected: Value '[]' at '%s.keySchema' failed to "
                            "satisfy constraint: Member must have length %s",
                            what, n < 1 ? "greater than or equal to 1" : "less than or equal to 2");
    const struct gy_json *k0 = gy_json_child(ks), *k1 = gy_json_next(k0);
    struct gy_str n0 = gy_json_str(gy_json_get(k0, "AttributeName"));
    struct gy_str t0 = gy_json_str(gy_json_get(k0, "KeyType"));
    struct gy_str n1 = k1 ? gy_json_str(gy_json_get(k1, "AttributeName")) : GY_STR_NULL;
    struct gy_str t1 = k1 ? gy_json_str(gy_json_get(k1, "KeyType")) : GY_STR_NULL;
    if (!n0.p || !t0.p || (k1 && (!n1.p || !t1.p)))
        return gy_error_set(err, a, GY_AWS_VALIDATION,
                            "1 validation error detected: Value null at '%s.keySchema.%d.member."
                            "attributeName' failed to satisfy constraint: Member must not be null",
                            what, n0.p && t0.p ? 2 : 1);
    const struct gy_ddb_attrdef *d0 = find_def(t, n0), *d1 = k1 ? find_def(t, n1) : NULL;
    if (!d0 || (k1 && !d1))
        return undefined_keys(t, n0, n1, err, a);
    if (k1 && gy_str_eq(n0, n1))
        return gy_error_set(err, a, GY_AWS_VALIDATION,
                            "Both the Hash Key and the Range Key element in the KeySchema have the "
                            "same name");
    if (!gy_str_eqc(t0, "HASH"))
        return gy_error_set(err, a, GY_AWS_VALIDATION,
                            "Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
    if (k1 && !gy_str_eqc(t1, "RANGE"))
        return gy_error_set(err, a, GY_AWS_VALIDATION,
                            "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
    ix->hash.name = gy_strndup(n0.p, n0.len);
    ix->hash.type = d0->type;
    if (k1) {
        ix->range.name = gy_strndup(n1.p, n1.len);
        ix->range.type = d1->type;
    }
    return 0;
}

static int parse_projection(const struct gy_json *pj, struct gy_ddb_index *ix, const char *what,
                            struct gy_error *err, struct gy_arena *a)
{
    if (!pj)
        return gy_error_set(err, a, GY_AWS_VALIDATION,
                            "1 validation error detected: Value null at '%s.projection' failed to "
                            "satisfy constraint: Member must not be null",
                            what);
    struct gy_str pt = gy_json_str(gy_json_get(pj, "ProjectionType"));
    const struct gy_json *nk = gy_json_get(pj, "NonKeyAttributes");
    if (!pt.p)
        return gy_error_set(err, a, GY_AWS_VALIDATION, INVALID "Unknown ProjectionType: null");
    if (gy_str_eqc(pt, "ALL"))
        ix->proj = GY_DDB_PROJ_ALL;
    else if (gy_str_eqc(pt, "KEYS_ONLY"))
        ix->proj = GY_DDB_PROJ_KEYS_ONLY;
    else if (gy_str_eqc(pt, "INCLUDE"))
        ix->proj = GY_DDB_PROJ_INCLUDE;
    else
        return gy_error_set(err, a, GY_AWS_VALIDATION,
                            "1 validation error detected: Value '%.*s' at '%s.projection."
                            "projectionType' failed to satisfy constraint: Member must satisfy "
                            "enum value set: [ALL, INCLUDE, KEYS_ONLY]",
                            (int)pt.len, pt.p, what);
    if (nk && ix->proj != GY_DDB_PROJ_INCLUDE)
        return gy_error_set(err, a, GY_AWS_VALIDATION,
                            INVALID "ProjectionType is %s, but NonKeyAttributes is specified",
                            proj_name(ix->proj));
    if (ix->proj != GY_DDB_PROJ_INCLUDE)
        return 0;
    size_t n = gy_json_count(nk);
    if (!nk || !gy_json_is(nk, GY_JSON_ARRAY) || n < 1)
        return gy_error_set(err, a, GY_AWS_VALIDATION,
                            INVALID "ProjectionType is INCLUDE, but NonKeyAttributes is not "
                                    "specified");
    if (n > GY_DDB_MAX_NONKEY)
        return gy_error_set(err, a, GY_AWS_VALIDATION,
                            INVALID "ProjectedAttributes count exceeds the limit of %d",
                            GY_DDB_MAX_NONKEY);
    ix->include = gy_calloc(n, sizeof(*ix->include));
    for (const struct gy_json *e = gy_json_child(nk); e; e = gy_json_next(e)) {
        struct gy_str s = gy_json_str(e);
        if (!s.p || s.len == 0 || s.len > 255)
            return gy_error_set(err, a, GY_AWS_VALIDATION,
                                INVALID "Invalid NonKeyAttributes for index: %s", ix->name);
        for (uint32_t i = 0; i < ix->ninclude; i++)
            if (gy_str_eqc(s, ix->include[i]))
                return gy_error_set(err, a, GY_AWS_VALIDATION,
                                    INVALID "Duplicate NonKeyAttribute %.*s for index %s",
                                    (int)s.len, s.p, ix->name);
        ix->include[ix->ninclude++] = gy_strndup(s.p, s.len);
    }
    return 0;
}

static int name_check(struct gy_str name, const char *what, struct gy_error *err, struct gy_arena *a)
{
    if (!name.p)
        return gy_error_set(err, a, GY_AWS_VALIDATION,
                            "1 validation error detected: Value null at '%s.indexName' failed to "
                            "satisfy constraint: Member must not be null",
                            what);
    char *member = gy_arena_printf(a, "%s.indexName", what);
    return gy_ddb_table_name_check(name, member, err, a);
}

/* One index of CreateTable or of an UpdateTable Create, appended to t->indexes. */
static int parse_index(const struct gy_json *j, struct gy_ddb_table *t, bool local, const char *what,
                       struct gy_error *err, struct gy_arena *a)
{
    struct gy_ddb_index ix = { 0 };
    struct gy_str name = gy_json_str(gy_json_get(j, "IndexName"));
    int rc = name_check(name, what, err, a);
    if (rc)
        return rc;
    ix.name = gy_strndup(name.p, name.len);
    ix.local = local;
    rc = parse_keys(gy_json_get(j, "KeySchema"), t, &ix, what, err, a);
    if (rc)
        goto out_fini;
    if (local && !ix.range.name) {
        rc = gy_error_set(err, a, GY_AWS_VALIDATION,
                          INVALID "Index KeySchema does not have a range key for index: %s", ix.name);
        goto out_fini;
    }
    if (local && strcmp(ix.hash.name, t->hash.name) != 0) {
        rc = gy_error_set(err, a, GY_AWS_VALIDATION,
                          INVALID "Index KeySchema does not have the same leading hash key as "
                                  "table KeySchema for index: %s. index hash key: %s, table hash "
                                  "key: %s",
                          ix.name, ix.hash.name, t->hash.name);
        goto out_fini;
    }
    rc = parse_projection(gy_json_get(j, "Projection"), &ix, what, err, a);
    if (rc)
        goto out_fini;
    const struct gy_json *pt = gy_json_get(j, "ProvisionedThroughput");
    if (!local && t->billing == GY_DDB_PAY_PER_REQUEST && pt) {
        rc = gy_error_set(err, a, GY_AWS_VALIDATION,
                          INVALID "ProvisionedThroughput should not be specified for index: %s "
                                  "when BillingMode is PAY_PER_REQUEST",
                          ix.name);
        goto out_fini;
    }
    if (!local && t->billing == GY_DDB_PROVISIONED) {
        if (!pt) {
            rc = gy_error_set(err, a, GY_AWS_VALIDATION,
                              INVALID "ProvisionedThroughput must be specified for index: %s",
                              ix.name);
            goto out_fini;
        }
        char *pwhat = gy_arena_printf(a, "%s.provisionedThroughput", what);
        rc = check_throughput(pt, pwhat, &ix.rcu, &ix.wcu, err, a);
        if (rc)
            goto out_fini;
    }
    if (gy_ddb_index_find(t, gy_str_c(ix.name))) {
        rc = gy_error_set(err, a, GY_AWS_VALIDATION, INVALID "Duplicate index name: %s", ix.name);
        goto out_fini;
    }
    if (!t->indexes)
        t->indexes = gy_calloc(GY_DDB_MAX_INDEXES, sizeof(*t->indexes));
    t->indexes[t->nindexes++] = ix;
    return 0;
out_fini:
    index_fini(&ix);
    return rc;
}

static uint32_t nonkey_total(const struct gy_ddb_table *t)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < t->nindexes; i++)
        n += t->indexes[i].ninclude;
    return n;
}

/* Every attribute definition must be a key of the table or of an index. */
static int check_defs_used(const struct gy_ddb_table *t, struct gy_error *err, struct gy_arena *a)
{
    bool all = true;
    for (uint32_t i = 0; i < t->nattrs; i++)
        all &= gy_ddb_table_is_any_key(t, gy_str_c(t->attrs[i].name));
    if (all)
        return 0;
    struct gy_buf b;
    gy_buf_init(&b, 1 << 16);
    gy_buf_puts(&b, INVALID "Some AttributeDefinitions are not used. AttributeDefinitions: [");
    for (uint32_t i = 0; i < t->nattrs; i++)
        gy_buf_printf(&b, "%s%s", i ? ", " : "", t->attrs[i].name);
    gy_buf_puts(&b, "], keys used: [");
    bool first = true;
    for (uint32_t i = 0; i < t->nattrs; i++) {
        if (!gy_ddb_table_is_any_key(t, gy_str_c(t->attrs[i].name)))
            continue;
        gy_buf_printf(&b, "%s%s", first ? "" : ", ", t->attrs[i].name);
        first = false;
    }
    gy_buf_putc(&b, ']');
    gy_error_set(err, a, GY_AWS_VALIDATION, "%.*s", (int)b.len, b.p);
    gy_buf_fini(&b);
    return GY_EAWS;
}

static int parse_list(const struct gy_json *list, struct gy_ddb_table *t, bool local,
                      struct gy_error *err, struct gy_arena *a)
{
    const char *kind = local ? "LocalSecondaryIndexes" : "GlobalSecondaryIndexes";
    const char *member = local ? "localSecondaryIndexes" : "globalSecondaryIndexes";
    if (!gy_json_is(list, GY_JSON_ARRAY))
        return gy_error_set(err, a, GY_AWS_SERIALIZATION, "Unexpected value type in payload: %s",
                            kind);
    size_t n = gy_json_count(list);
    if (n == 0)
        return gy_error_set(err, a, GY_AWS_VALIDATION, INVALID "List of %s is empty", kind);
    if (local && !t->range.name)
        return gy_error_set(err, a, GY_AWS_VALIDATION,
                            INVALID "Table KeySchema does not have a range key, which is required "
                                    "when specifying a LocalSecondaryIndex");
    uint32_t i = 0;
    for (const struct gy_json *j = gy_json_child(list); j; j = gy_json_next(j)) {
        char *what = gy_arena_printf(a, "%s.%u.member", member, ++i);
        if (i > (local ? GY_DDB_MAX_LSI : GY_DDB_MAX_GSI))
            break;
        if (parse_index(j, t, local, what, err, a))
            return GY_EAWS;
    }
    if (local && n > GY_DDB_MAX_LSI)
        return gy_error_set(err, a, GY_AWS_VALIDATION,
                            INVALID "Number of LocalSecondaryIndexes exceeds per-table limit of %d",
                            GY_DDB_MAX_LSI);
    if (!local && n > GY_DDB_MAX_GSI)
        return gy_error_set(err, a, GY_AWS_VALIDATION,
                            INVALID "GlobalSecondaryIndex count exceeds the per-table limit of %d",
                            GY_DDB_MAX_GSI);
    return 0;
}

int gy_ddb_indexes_from_request(const struct gy_json *body, struct gy_ddb_table *t,
                                struct gy_error *err, struct gy_arena *a)
{
    const struct gy_json *lsi = gy_json_get(body, "LocalSecondaryIndexes");
    const struct gy_json *gsi = gy_json_get(body, "GlobalSecondaryIndexes");
    if (lsi && parse_list(lsi, t, true, err, a))
        return GY_EAWS;
    if (gsi && parse_list(gsi, t, false, err, a))
        return GY_EAWS;
    if (nonkey_total(t) > GY_DDB_MAX_NONKEY)
        return gy_error_set(err, a, GY_AWS_VALIDATION,
                            INVALID "ProjectedAttributes count exceeds the limit of %d",
                            GY_DDB_MAX_NONKEY);
    if (!t->nindexes) {
        uint32_t keys = t->range.name ? 2 : 1;
        if (t->nattrs != keys)
            return gy_error_set(err, a, GY_AWS_VALIDATION,
                                INVALID "Number of attributes in KeySchema does not exactly match "
                                        "number of attributes defined in AttributeDefinitions");
        return 0;
    }
    return check_defs_used(t, err, a);
}

/* ---- UpdateTable: GlobalSecondaryIndexUpdates ---- */

/* Add UpdateTable's AttributeDefinitions that t lacks; a redefinition must keep its type. */
static int merge_defs(const struct gy_json *defs, struct gy_ddb_table *t, struct gy_error *err,
                      struct gy_arena *a)
{
    for (const struct gy_json *d = gy_json_child(defs); d; d = gy_json_next(d)) {
        struct gy_str name = gy_json_str(gy_json_get(d, "AttributeName"));
        struct gy_str type = gy_json_str(gy_json_get(d, "AttributeType"));
        enum gy_ddb_type ty;
        if (!name.p || !type.p || gy_ddb_type_parse(type, &ty) ||
            (ty != GY_DDB_S && ty != GY_DDB_N && ty != GY_DDB_B))
            return gy_error_set(err, a, GY_AWS_VALIDATION,
                                "1 validation error detected: Value '%s' at "
                                "'attributeDefinitions.1.member.attributeType' failed to satisfy "
                                "constraint: Member must satisfy enum value set: [B, N, S]",
                                type.p ? type.p : "null");
        const struct gy_ddb_attrdef *old = find_def(t, name);
        if (old && old->type != ty)
            return gy_error_set(err, a, GY_AWS_VALIDATION,
                                INVALID "Cannot change the type of attribute %s: it is %s",
                                old->name, gy_ddb_type_name(old->type));
        if (old)
            continue;
        if (t->nattrs >= GY_DDB_MAX_ATTR_DEFS)
            return gy_error_set(err, a, GY_AWS_VALIDATION, "Too many attribute definitions");
        t->attrs = gy_reallocarray(t->attrs, t->nattrs + 1, sizeof(*t->attrs));
        t->attrs[t->nattrs].name = gy_strndup(name.p, name.len);
        t->attrs[t->nattrs].type = ty;
        t->nattrs++;
    }
    return 0;
}

/* Drop attribute definitions that no key schema uses any more. */
static void prune_defs(struct gy_ddb_table *t)
{
    uint32_t k = 0;
    for (uint32_t i = 0; i < t->nattrs; i++) {
        if (gy_ddb_table_is_any_key(t, gy_str_c(t->attrs[i].name)))
            t->attrs[k++] = t->attrs[i];
        else
            gy_free(t->attrs[i].name);
    }
    t->nattrs = k;
}

static int gsi_create(const struct gy_json *c, struct gy_ddb_table *t, uint32_t n,
                      struct gy_error *err, struct gy_arena *a)
{
    struct gy_str name = gy_json_str(gy_json_get(c, "IndexName"));
    if (name.p && gy_ddb_index_find(t, name))
        return gy_error_set(err, a, GY_AWS_VALIDATION,
                            INVALID "Attempting to create an index which already exists");
    uint32_t ngsi = t->nindexes - gy_ddb_table_nlsi(t);
    if (ngsi >= GY_DDB_MAX_GSI)
        return gy_error_set(err, a, GY_AWS_LIMIT_EXCEEDED,
                            "Subscriber limit exceeded: The number of global secondary indexes "
                            "exceeds the limit of %d",
                            GY_DDB_MAX_GSI);
    char *what = gy_arena_printf(a, "globalSecondaryIndexUpdates.%u.member.create", n);
    if (parse_index(c, t, false, what, err, a))
        return GY_EAWS;
    t->indexes[t->nindexes - 1].backfilling = true;
    if (nonkey_total(t) > GY_DDB_MAX_NONKEY)
        return gy_error_set(err, a, GY_AWS_VALIDATION,
                            INVALID "ProjectedAttributes count exceeds the limit of %d",
                            GY_DDB_MAX_NONKEY);
    return 0;
}

static struct gy_ddb_index *gsi_named(struct gy_ddb_table *t, const struct gy_json *op,
                                      struct gy_error *err, struct gy_arena *a)
{
    struct gy_str name = gy_json_str(gy_json_get(op, "IndexName"));
    for (uint32_t i = 0; name.p && i < t->nindexes; i++)
        if (!t->indexes[i].local && gy_str_eqc(name, t->indexes[i].name))
            return &t->indexes[i];
    gy_error_set(err, a, GY_AWS_RESOURCE_NOT_FOUND,
                 "Requested resource not found: Index: %.*s not found", (int)name.len,
                 name.p ? name.p : "");
    return NULL;
}

int gy_ddb_indexes_update(const struct gy_json *body, struct gy_ddb_table *t, struct gy_error *err,
                          struct gy_arena *a)
{
    const struct gy_json *ups = gy_json_get(body, "GlobalSecondaryIndexUpdates");
    uint32_t n = 0, online = 0;
    if (!ups)
        return 0;
    if (!gy_json_is(ups, GY_JSON_ARRAY))
        return gy_error_set(err, a, GY_AWS_SERIALIZATION,
                            "Unexpected value type in payload: GlobalSecondaryIndexUpdates");
    for (uint32_t i = 0; i < t->nindexes; i++)
        online += t->indexes[i].backfilling;
    if (merge_defs(gy_json_get(body, "AttributeDefinitions"), t, err, a))
        return GY_EAWS;
    for (const struct gy_json *u = gy_json_child(ups); u; u = gy_json_next(u)) {
        const struct gy_json *c = gy_json_get(u, "Create");
        const struct gy_json *d = gy_json_get(u, "Delete");
        const struct gy_json *up = gy_json_get(u, "Update");
        n++;
        if ((c != NULL) + (d != NULL) + (up != NULL) != 1)
            return gy_error_set(err, a, GY_AWS_VALIDATION,
                                INVALID "One of GlobalSecondaryIndexUpdate.Update, "
                                        "GlobalSecondaryIndexUpdate.Create, "
                                        "GlobalSecondaryIndexUpdate.Delete must not be null");
        if ((c || d) && online++ > 0)
            return gy_error_set(err, a, GY_AWS_LIMIT_EXCEEDED,
                                "Subscriber limit exceeded: Only 1 online index can be created or "
                                "deleted simultaneously per table");
        if (c && gsi_create(c, t, n, err, a))
            return GY_EAWS;
        if (d) {
            struct gy_ddb_index *ix = gsi_named(t, d, err, a);
            if (!ix)
                return GY_EAWS;
            uint32_t at = (uint32_t)(ix - t->indexes);
            index_fini(ix);
            memmove(t->indexes + at, t->indexes + at + 1,
                    (t->nindexes - at - 1) * sizeof(*t->indexes));
            t->nindexes--;
        }
        if (up) {
            struct gy_ddb_index *ix = gsi_named(t, up, err, a);
            if (!ix)
                return GY_EAWS;
            const struct gy_json *pt = gy_json_get(up, "ProvisionedThroughput");
            if (t->billing == GY_DDB_PAY_PER_REQUEST)
                return gy_error_set(err, a, GY_AWS_VALIDATION,
                                    INVALID "ProvisionedThroughput should not be specified for "
                                            "index: %s when BillingMode is PAY_PER_REQUEST",
                                    ix->name);
            int64_t r = 0, w = 0;
            if (check_throughput(pt, "globalSecondaryIndexUpdates.member.update."
                                     "provisionedThroughput", &r, &w, err, a))
                return GY_EAWS;
            ix->rcu = r;
            ix->wcu = w;
        }
    }
    prune_defs(t);
    return check_defs_used(t, err, a);
}

/* ---- catalog encoding ---- */

void gy_ddb_indexes_encode(struct gy_jw *w, const struct gy_ddb_table *t)
{
    gy_jw_key(w, "indexes");
    gy_jw_arr_begin(w);
    for (uint32_t i = 0; i < t->nindexes; i++) {
        const struct gy_ddb_index *ix = &t->indexes[i];
        gy_jw_obj_begin(w);
        gy_jw_key(w, "name"); gy_jw_cstr(w, ix->name);
        gy_jw_key(w, "id"); gy_jw_uint(w, ix->id);
        gy_jw_key(w, "local"); gy_jw_bool(w, ix->local);
        gy_jw_key(w, "bf"); gy_jw_bool(w, ix->backfilling);
        gy_jw_key(w, "hash"); gy_jw_cstr(w, ix->hash.name);
        if (ix->range.name) {
            gy_jw_key(w, "range");
            gy_jw_cstr(w, ix->range.name);
        }
        gy_jw_key(w, "proj"); gy_jw_int(w, ix->proj);
        gy_jw_key(w, "include");
        gy_jw_arr_begin(w);
        for (uint32_t k = 0; k < ix->ninclude; k++)
            gy_jw_cstr(w, ix->include[k]);
        gy_jw_arr_end(w);
        gy_jw_key(w, "rcu"); gy_jw_int(w, ix->rcu);
        gy_jw_key(w, "wcu"); gy_jw_int(w, ix->wcu);
        gy_jw_obj_end(w);
    }
    gy_jw_arr_end(w);
    if (t->ttl_attr) {
        gy_jw_key(w, "ttl");
        gy_jw_cstr(w, t->ttl_attr);
    }
}

static int decode_def(const struct gy_ddb_table *t, const struct gy_json *j, const char *key,
                      struct gy_ddb_attrdef *out)
{
    struct gy_str name = gy_json_str(gy_json_get(j, key));
    if (!name.p)
        return GY_ENOTFOUND;
    const struct gy_ddb_attrdef *d = find_def(t, name);
    if (!d)
        return GY_EINVAL;
    out->name = gy_strndup(name.p, name.len);
    out->type = d->type;
    return 0;
}

int gy_ddb_indexes_decode(const struct gy_json *rec, struct gy_ddb_table *t)
{
    const struct gy_json *list = gy_json_get(rec, "indexes");
    struct gy_str ttl = gy_json_str(gy_json_get(rec, "ttl"));
    if (ttl.p)
        t->ttl_attr = gy_strndup(ttl.p, ttl.len);
    if (gy_json_count(list) > GY_DDB_MAX_INDEXES)
        return GY_EINVAL;
    if (gy_json_count(list))
        t->indexes = gy_calloc(GY_DDB_MAX_INDEXES, sizeof(*t->indexes));
    for (const struct gy_json *j = gy_json_child(list); j; j = gy_json_next(j)) {
        struct gy_ddb_index *ix = &t->indexes[t->nindexes++];
        struct gy_str name = gy_json_str(gy_json_get(j, "name"));
        int64_t v = 0;
        if (!name.p)
            return GY_EINVAL;
        ix->name = gy_strndup(name.p, name.len);
        gy_json_int(gy_json_get(j, "id"), &v);
        ix->id = (uint32_t)v;
        gy_json_bool(gy_json_get(j, "local"), &ix->local);
        gy_json_bool(gy_json_get(j, "bf"), &ix->backfilling);
        if (decode_def(t, j, "hash", &ix->hash))
            return GY_EINVAL;
        if (decode_def(t, j, "range", &ix->range) == GY_EINVAL)
            return GY_EINVAL;
        v = 0;
        gy_json_int(gy_json_get(j, "proj"), &v);
        ix->proj = v == 1 ? GY_DDB_PROJ_KEYS_ONLY : v == 2 ? GY_DDB_PROJ_INCLUDE : GY_DDB_PROJ_ALL;
        const struct gy_json *inc = gy_json_get(j, "include");
        ix->include = gy_calloc(gy_json_count(inc) + 1, sizeof(*ix->include));
        for (const struct gy_json *e = gy_json_child(inc); e; e = gy_json_next(e)) {
            struct gy_str s = gy_json_str(e);
            if (!s.p)
                return GY_EINVAL;
            ix->include[ix->ninclude++] = gy_strndup(s.p, s.len);
        }
        gy_json_int(gy_json_get(j, "rcu"), &ix->rcu);
        gy_json_int(gy_json_get(j, "wcu"), &ix->wcu);
    }
    return 0;
}

/* ---- TableDescription ---- */

static void describe_one(struct gy_jw *w, const struct gy_ddb_table *t,
                         const struct gy_ddb_index *ix, uint64_t items, uint64_t bytes,
                         bool creating)
{
    gy_jw_obj_begin(w);
    gy_jw_key(w, "IndexName"); gy_jw_cstr(w, ix->name);
    gy_jw_key(w, "KeySchema");
    gy_jw_arr_begin(w);
    gy_jw_obj_begin(w);
    gy_jw_key(w, "AttributeName"); gy_jw_cstr(w, ix->hash.name);
    gy_jw_key(w, "KeyType"); gy_jw_cstr(w, "HASH");
    gy_jw_obj_end(w);
    if (ix->range.name) {
        gy_jw_obj_begin(w);
        gy_jw_key(w, "AttributeName"); gy_jw_cstr(w, ix->range.name);
        gy_jw_key(w, "KeyType"); gy_jw_cstr(w, "RANGE");
        gy_jw_obj_end(w);
    }
    gy_jw_arr_end(w);
    gy_jw_key(w, "Projection");
    gy_jw_obj_begin(w);
    gy_jw_key(w, "ProjectionType"); gy_jw_cstr(w, proj_name(ix->proj));
    if (ix->proj == GY_DDB_PROJ_INCLUDE) {
        gy_jw_key(w, "NonKeyAttributes");
        gy_jw_arr_begin(w);
        for (uint32_t k = 0; k < ix->ninclude; k++)
            gy_jw_cstr(w, ix->include[k]);
        gy_jw_arr_end(w);
    }
    gy_jw_obj_end(w);
    if (!ix->local) {
        /* A new table's indexes are CREATING with it; an index added later is CREATING
         * (and Backfilling) while it is built. */
        gy_jw_key(w, "IndexStatus");
        gy_jw_cstr(w, creating || ix->backfilling ? "CREATING" : "ACTIVE");
        if (ix->backfilling && !creating) {
            gy_jw_key(w, "Backfilling");
            gy_jw_bool(w, true);
        }
        gy_jw_key(w, "ProvisionedThroughput");
        gy_jw_obj_begin(w);
        gy_jw_key(w, "NumberOfDecreasesToday"); gy_jw_int(w, 0);
        gy_jw_key(w, "ReadCapacityUnits"); gy_jw_int(w, ix->rcu);
        gy_jw_key(w, "WriteCapacityUnits"); gy_jw_int(w, ix->wcu);
        gy_jw_obj_end(w);
    }
    gy_jw_key(w, "IndexSizeBytes"); gy_jw_uint(w, bytes);
    gy_jw_key(w, "ItemCount"); gy_jw_uint(w, items);
    char arn[2048];
    snprintf(arn, sizeof(arn), "%s/index/%s", t->arn ? t->arn : "", ix->name);
    gy_jw_key(w, "IndexArn"); gy_jw_cstr(w, arn);
    gy_jw_obj_end(w);
}

void gy_ddb_indexes_describe(struct gy_jw *w, const struct gy_ddb_table *t,
                             const struct gy_ddb_table_stats *stats, bool table_creating)
{
    for (int local = 1; local >= 0; local--) {
        bool any = false;
        for (uint32_t i = 0; i < t->nindexes; i++) {
            const struct gy_ddb_index *ix = &t->indexes[i];
            if (ix->local != (bool)local)
                continue;
            if (!any) {
                gy_jw_key(w, local ? "LocalSecondaryIndexes" : "GlobalSecondaryIndexes");
                gy_jw_arr_begin(w);
                any = true;
            }
            bool have = stats && i < stats->nidx;
            describe_one(w, t, ix, have ? stats->idx[i].items : 0,
                         have ? stats->idx[i].bytes : 0, table_creating);
        }
        if (any)
            gy_jw_arr_end(w);
    }
}

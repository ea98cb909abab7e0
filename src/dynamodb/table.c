/*
 * table.c — table definitions: CreateTable validation, catalog encoding, TableDescription.
 *
 * Catalog record format: a JSON object of Gyre's own (not DynamoDB's shape), versioned by its
 * "v" member, e.g. {"v":1,"id":3,"name":"t","hash":["PK","S"],"range":["SK","S"],...}.
 * JSON keeps the catalog inspectable with mdb_dump and is read only at start-up and on change.
 */
#include "dynamodb/table.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/json.h"
#include "core/log.h"
#include "core/mem.h"
#include "dynamodb/index.h"

void gy_ddb_table_ref(struct gy_ddb_table *t)
{
    __atomic_add_fetch(&t->refs, 1, __ATOMIC_RELAXED);
}

static void table_free(struct gy_ddb_table *t)
{
    gy_free(t->name);
    gy_free(t->arn);
    gy_free(t->hash.name);
    gy_free(t->range.name);
    for (uint32_t i = 0; i < t->nattrs; i++)
        gy_free(t->attrs[i].name);
    gy_free(t->attrs);
    gy_free(t->table_class);
    for (uint32_t i = 0; i < t->ntags; i++) {
        gy_free(t->tags[i].key);
        gy_free(t->tags[i].value);
    }
    gy_free(t->tags);
    gy_ddb_indexes_free(t);
    gy_free(t);
}

void gy_ddb_table_unref(struct gy_ddb_table *t)
{
    if (t && __atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL) == 0)
        table_free(t);
}

static char *dup_or_null(const char *s)
{
    return s ? gy_strdup(s) : NULL;
}

struct gy_ddb_table *gy_ddb_table_clone(const struct gy_ddb_table *src)
{
    struct gy_ddb_table *t = gy_malloc(sizeof(*t));
    /* Not `*t = *src`: that reads refs, which other threads change atomically. */
    const size_t skip = offsetof(struct gy_ddb_table, id); /* refs and deleted */
    memset(t, 0, skip);
    memcpy((char *)t + skip, (const char *)src + skip, sizeof(*t) - skip);
    t->refs = 1;
    t->deleted = false;
    t->name = gy_strdup(src->name);
    t->arn = dup_or_null(src->arn);
    t->hash.name = gy_strdup(src->hash.name);
    t->range.name = dup_or_null(src->range.name);
    t->attrs = gy_calloc(src->nattrs ? src->nattrs : 1, sizeof(*t->attrs));
    for (uint32_t i = 0; i < src->nattrs; i++) {
        t->attrs[i].name = gy_strdup(src->attrs[i].name);
        t->attrs[i].type = src->attrs[i].type;
    }
    t->table_class = dup_or_null(src->table_class);
    t->tags = gy_calloc(src->ntags ? src->ntags : 1, sizeof(*t->tags));
    for (uint32_t i = 0; i < src->ntags; i++) {
        t->tags[i].key = gy_strdup(src->tags[i].key);
        t->tags[i].value = gy_strdup(src->tags[i].value);
    }
    gy_ddb_indexes_clone(t, src);
    return t;
}

void gy_ddb_stream_label(int64_t ms, char out[48])
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    snprintf(out, 48, "%04d-%02d-%02dT%02d:%02d:%02d.%03d", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}

static void gy_jw_key_raw_arn(struct gy_jw *w, const char *table_arn, const char *label)
{
    struct gy_buf b;
    gy_buf_init(&b, 2048);
    gy_buf_printf(&b, "%s/stream/%s", table_arn ? table_arn : "", label);
    gy_jw_str(w, gy_buf_str(&b));
    gy_buf_fini(&b);
}

bool gy_ddb_table_is_key(const struct gy_ddb_table *t, struct gy_str name)
{
    return gy_str_eqc(name, t->hash.name) || (t->range.name && gy_str_eqc(name, t->range.name));
}

int gy_ddb_table_name_check(struct gy_str name, const char *what, struct gy_error *err,
                            struct gy_arena *a)
{
    if (name.len < 3)
        return gy_error_set(err, a, GY_AWS_VALIDATION,
                            "1 validation error detected: Value '%.*s' at '%s' failed to satisfy "
                            "constraint: Member must have length greater than or equal to 3",
                            (int)name.len, name.p, what);
    if (name.len > 255)
        return gy_error_set(err, a, GY_AWS_VALIDATION,
                            "1 validation error detected: Value '%.*s' at '%s' failed to satisfy "
                            "constraint: Member must have length less than or equal to 255",
                            (int)name.len, name.p, what);
    for (size_t i = 0; i < name.len; i++) {
        char c = name.p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.'))
            return gy_error_set(err, a, GY_AWS_VALIDATION,
                                "1 validation error detected: Value '%.*s' at '%s' failed to "
                                "satisfy constraint: Member must satisfy regular expression "
                                "pattern: [a-zA-Z0-9_.-]+",
                                (int)name.len, name.p, what);
    }
    return 0;
}

static const struct gy_ddb_attrdef *find_def(const struct gy_ddb_table *t, const char *name)
{
    for (uint32_t i = 0; i < t->nattrs; i++)
        if (strcmp(t->attrs[i].name, name) == 0)
            return &t->attrs[i];
    return NULL;
}

static int parse_attr_defs(const struct gy_json *defs, struct gy_ddb_table *t, struct gy_error *err,
                           struct gy_arena *a)
{
    if (!defs)
        return gy_error_set(err, a, GY_AWS_VALIDATION,
                            "1 validation error detected: Value null at 'attributeDefinitions' "
                            "failed to satisfy constraint: Member must not be null");
    if (!gy_json_is(defs, GY_JSON_ARRAY))
        return gy_error_set(err, a, GY_AWS_SERIALIZATION,
                            "Unexpected value type in payload: AttributeDefinitions");
    size_t n = gy_json_count(defs);
    if (n > GY_DDB_MAX_ATTR_DEFS)
        return gy_error_set(err, a, GY_AWS_VALIDATION,
                            "Too many attribute definitions: %zu (maximum %d)", n,
                            GY_DDB_MAX_ATTR_DEFS);
    t->attrs = gy_calloc(n ? n : 1, sizeof(*t->attrs));
    for (const struct gy_json *d = gy_json_child(defs); d; d = gy_json_next(d)) {
        struct gy_str name = gy_json_str(gy_json_get(d, "AttributeName"));
        struct gy_str type = gy_json_str(gy_json_get(d, "AttributeType"));
        enum gy_ddb_type ty;
        if (!name.p || name.len == 0 || name.len > 255)
            return gy_error_set(err, a, GY_AWS_VALIDATION,
                                "1 validation error detected: Value null at "
                                "'attributeDefinitions.%u.member.attributeName' failed to satisfy "
                                "constraint: Member must not be null",
                                t->nattrs + 1);
        if (!type.p || gy_ddb_type_parse(type, &ty) ||
            (ty != GY_DDB_S && ty != GY_DDB_N && ty != GY_DDB_B))
            return gy_error_set(err, a, GY_AWS_VALIDATION,
                                "1 validation error detected: Value '%s' at "
                                "'attributeDefinitions.%u.member.attributeType' failed to satisfy "
                                "constraint: Member must satisfy enum value set: [B, N, S]",
                                type.p ? type.p : "null", t->nattrs + 1);
        if (find_def(t, name.p))
            return gy_error_set(err, a, GY_AWS_VALIDATION,
                                "Cannot have two attributes with the same name");
        t->attrs[t->nattrs].name = gy_strndup(name.p, name.len);
        t->attrs[t->nattrs].type = ty;
        t->nattrs++;
    }
    return 0;
}

static int parse_key_schema(const struct gy_json *ks, struct gy_ddb_table *t, struct gy_error *err,
                            struct gy_arena *a)
{
    if (!ks)
        return gy_error_set(err, a, GY_AWS_VALIDATION,
                            "1 validation error detected: Value null at 'keySchema' failed to "
                            "satisfy constraint: Member must not be null");
    size_t n = gy_json_count(ks);
    if (!gy_json_is(ks, GY_JSON_ARRAY) || n < 1 || n > 2)
        return gy_error_set(err, a, GY_AWS_VALIDATION,
                            "1 validation error detected: Value '[]' at 'keySchema' failed to "
                            "satisfy constraint: Member must have length %s",
                            n < 1 ? "greater than or equal to 1" : "less than or equal to 2");
    const struct gy_json *k0 = gy_json_child(ks), *k1 = gy_json_next(k0);
    struct gy_str n0 = gy_json_str(gy_json_get(k0, "AttributeName"));
    struct gy_str t0 = gy_json_str(gy_json_get(k0, "KeyType"));
    if (!n0.p || !t0.p)
        return gy_error_set(err, a, GY_AWS_VALIDATION,
                            "1 validation error detected: Value null at "
                            "'keySchema.1.member.attributeName' failed to satisfy constraint: "
                            "Member must not be null");
    if (!gy_str_eqc(t0, "HASH"))
        return gy_error_set(err, a, GY_AWS_VALIDATION,
                            "Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
    struct gy_str n1 = k1 ? gy_json_str(gy_json_get(k1, "AttributeName")) : GY_STR_NULL;
    if (k1) {
        struct gy_str t1 = gy_json_str(gy_json_get(k1, "KeyType"));
        if (!n1.p || !t1.p)
            return gy_error_set(err, a, GY_AWS_VALIDATION,
                                "1 validation error detected: Value null at "
                                "'keySchema.2.member.attributeName' failed to satisfy constraint: "
                                "Member must not be null");
        if (!gy_str_eqc(t1, "RANGE"))
            return gy_error_set(err, a, GY_AWS_VALIDATION,
                                "Invalid KeySchema: The second KeySchemaElement is not a RANGE "
                                "key type");
        if (gy_str_eq(n0, n1))
            return gy_error_set(err, a, GY_AWS_VALIDATION,
                                "Both the Hash Key and the Range Key element in the KeySchema "
                                "have the same name");
    }
    const struct gy_ddb_attrdef *d0 = find_def(t, n0.p);
    const struct gy_ddb_attrdef *d1 = k1 ? find_def(t, n1.p) : NULL;
    if (t->nattrs < (k1 ? 2u : 1u))
        return gy_error_set(err, a, GY_AWS_VALIDATION,
                            "Invalid KeySchema: Some index key attribute have no definition");
    if (!d0 || (k1 && !d1)) {
        struct gy_buf b;
        gy_buf_init(&b, 1 << 16);
        gy_buf_printf(&b, "One or more parameter values were invalid: Some index key attributes "
                          "are not defined in AttributeDefinitions. Keys: [%s%s%s], "
                          "AttributeDefinitions: [",
                      n0.p, k1 ? ", " : "", k1 ? n1.p : "");
        for (uint32_t i = 0; i < t->nattrs; i++)
            gy_buf_printf(&b, "%s%s", i ? ", " : "", t->attrs[i].name);
        gy_buf_putc(&b, ']');
        gy_error_set(err, a, GY_AWS_VALIDATION, "%s", b.p);
        gy_buf_fini(&b);
        return GY_EAWS;
    }
    /* Unused attribute definitions are refused by gy_ddb_indexes_from_request. */
    t->hash.name = gy_strndup(n0.p, n0.len);
    t->hash.type = d0->type;
    if (k1) {
        t->range.name = gy_strndup(n1.p, n1.len);
        t->range.type = d1->type;
    }
    return 0;
}

/* Parses BillingMode and ProvisionedThroughput (CreateTable). */
static int parse_billing(const struct gy_json *body, struct gy_ddb_table *t, struct gy_error *err,
                         struct gy_arena *a)
{
    struct gy_str mode = gy_json_str(gy_json_get(body, "BillingMode"));
    const struct gy_json *pt = gy_json_get(body, "ProvisionedThroughput");

    if (mode.p && !gy_str_eqc(mode, "PROVISIONED") && !gy_str_eqc(mode, "PAY_PER_REQUEST"))
        return gy_error_set(err, a, GY_AWS_VALIDATION,
                            "1 validation error detected: Value '%s' at 'billingMode' failed to "
                            "satisfy constraint: Member must satisfy enum value set: "
                            "[PROVISIONED, PAY_PER_REQUEST]",
                            mode.p);
    t->billing = mode.p && gy_str_eqc(mode, "PAY_PER_REQUEST") ? GY_DDB_PAY_PER_REQUEST
                                                               : GY_DDB_PROVISIONED;
    if (t->billing == GY_DDB_PAY_PER_REQUEST) {
        if (pt)
            return gy_error_set(err, a, GY_AWS_VALIDATION,
                                "One or more parameter values were invalid: Neither "
                                "ReadCapacityUnits nor WriteCapacityUnits can be specified when "
                                "BillingMode is PAY_PER_REQUEST");
        return 0;
    }
    if (!pt && mode.p)
        return gy_error_set(err, a, GY_AWS_VALIDATION,
                            "One or more parameter values were invalid: ReadCapacityUnits and "
                            "WriteCapacityUnits must both be specified when BillingMode is "
                            "PROVISIONED");
    if (!pt)
        return gy_error_set(err, a, GY_AWS_VALIDATION,
                            "No provisioned throughput specified for the table");
    int64_t r = 0, w = 0;
    bool hr = gy_json_int(gy_json_get(pt, "ReadCapacityUnits"), &r);
    bool hw = gy_json_int(gy_json_get(pt, "WriteCapacityUnits"), &w);
    if (!hr || !hw)
        return gy_error_set(err, a, GY_AWS_VALIDATION,
                            "One or more parameter values were invalid: ReadCapacityUnits and "
                            "WriteCapacityUnits must both be specified when BillingMode is "
                            "PROVISIONED");
    if (r < 1 || w < 1)
        return gy_error_set(err, a, GY_AWS_VALIDATION,
                            "1 validation error detected: Value '%lld' at "
                            "'provisionedThroughput.%s' failed to satisfy constraint: Member must "
                            "have value greater than or equal to 1",
                            (long long)(r < 1 ? r : w),
                            r < 1 ? "readCapacityUnits" : "writeCapacityUnits");
    t->rcu = r;
    t->wcu = w;
    return 0;
}

int gy_ddb_table_from_request(const struct gy_json *body, struct gy_ddb_table **out,
                              struct gy_error *err, struct gy_arena *a)
{
    struct gy_ddb_table *t = gy_calloc(1, sizeof(*t));
    struct gy_str name = gy_json_str(gy_json_get(body, "TableName"));
    int rc;

    t->refs = 1;
    if (!name.p) {
        rc = gy_error_set(err, a, GY_AWS_VALIDATION,
                          "1 validation error detected: Value null at 'tableName' failed to "
                          "satisfy constraint: Member must not be null");
        goto out_free;
    }
    rc = gy_ddb_table_name_check(name, "tableName", err, a);
    if (rc)
        goto out_free;
    t->name = gy_strndup(name.p, name.len);
    rc = parse_attr_defs(gy_json_get(body, "AttributeDefinitions"), t, err, a);
    if (rc)
        goto out_free;
    rc = parse_key_schema(gy_json_get(body, "KeySchema"), t, err, a);
    if (rc)
        goto out_free;
    rc = parse_billing(body, t, err, a);
    if (rc)
        goto out_free;
    rc = gy_ddb_indexes_from_request(body, t, err, a);
    if (rc)
        goto out_free;
    bool dp = false;
    if (gy_json_bool(gy_json_get(body, "DeletionProtectionEnabled"), &dp))
        t->deletion_protection = dp;
    const struct gy_json *ss = gy_json_get(body, "StreamSpecification");
    if (ss) {
        bool en = false;
        gy_json_bool(gy_json_get(ss, "StreamEnabled"), &en);
        struct gy_str vt = gy_json_str(gy_json_get(ss, "StreamViewType"));
        if (en && !(gy_str_eqc(vt, "KEYS_ONLY") || gy_str_eqc(vt, "NEW_IMAGE") ||
                    gy_str_eqc(vt, "OLD_IMAGE") || gy_str_eqc(vt, "NEW_AND_OLD_IMAGES"))) {
            rc = gy_error_set(err, a, GY_AWS_VALIDATION,
                              "One or more parameter values were invalid: StreamViewType is "
                              "required when StreamEnabled is true");
            goto out_free;
        }
        t->stream_enabled = en;
        if (en)
            snprintf(t->stream_view, sizeof(t->stream_view), "%s", vt.p);
    }
    struct gy_str cls = gy_json_str(gy_json_get(body, "TableClass"));
    if (cls.p) {
        if (!gy_str_eqc(cls, "STANDARD") && !gy_str_eqc(cls, "STANDARD_INFREQUENT_ACCESS")) {
            rc = gy_error_set(err, a, GY_AWS_VALIDATION,
                              "1 validation error detected: Value '%s' at 'tableClass' failed to "
                              "satisfy constraint: Member must satisfy enum value set: "
                              "[STANDARD_INFREQUENT_ACCESS, STANDARD]",
                              cls.p);
            goto out_free;
        }
        t->table_class = gy_strndup(cls.p, cls.len);
    }
    const struct gy_json *tags = gy_json_get(body, "Tags");
    if (tags) {
        size_t n = gy_json_count(tags);
        if (n > GY_DDB_MAX_TAGS) {
            rc = gy_error_set(err, a, GY_AWS_VALIDATION, "Too many tags: maximum is %d",
                              GY_DDB_MAX_TAGS);
            goto out_free;
        }
        t->tags = gy_calloc(n ? n : 1, sizeof(*t->tags));
        for (const struct gy_json *tg = gy_json_child(tags); tg; tg = gy_json_next(tg)) {
            struct gy_str k = gy_json_str(gy_json_get(tg, "Key"));
            struct gy_str v = gy_json_str(gy_json_get(tg, "Value"));
            if (!k.p || !v.p || k.len == 0 || k.len > 128 || v.len > 256) {
                rc = gy_error_set(err, a, GY_AWS_VALIDATION,
                                  "One or more parameter values were invalid: invalid tag");
                goto out_free;
            }
            t->tags[t->ntags].key = gy_strndup(k.p, k.len);
            t->tags[t->ntags].value = gy_strndup(v.p, v.len);
            t->ntags++;
        }
    }
    *out = t;
    return 0;

out_free:
    table_free(t);
    return rc;
}

int gy_ddb_table_encode(const struct gy_ddb_table *t, struct gy_buf *out)
{
    struct gy_jw w;
    gy_jw_init(&w, out);
    gy_jw_obj_begin(&w);
    gy_jw_key(&w, "v"); gy_jw_int(&w, 1);
    gy_jw_key(&w, "id"); gy_jw_uint(&w, t->id);
    gy_jw_key(&w, "name"); gy_jw_cstr(&w, t->name);
    gy_jw_key(&w, "arn"); gy_jw_cstr(&w, t->arn ? t->arn : "");
    gy_jw_key(&w, "table_id"); gy_jw_cstr(&w, t->table_id);
    gy_jw_key(&w, "created_ms"); gy_jw_int(&w, t->created_ms);
    gy_jw_key(&w, "attrs");
    gy_jw_arr_begin(&w);
    for (uint32_t i = 0; i < t->nattrs; i++) {
        gy_jw_arr_begin(&w);
        gy_jw_cstr(&w, t->attrs[i].name);
        gy_jw_cstr(&w, gy_ddb_type_name(t->attrs[i].type));
        gy_jw_arr_end(&w);
    }
    gy_jw_arr_end(&w);
    gy_jw_key(&w, "hash"); gy_jw_cstr(&w, t->hash.name);
    if (t->range.name) {
        gy_jw_key(&w, "range");
        gy_jw_cstr(&w, t->range.name);
    }
    gy_jw_key(&w, "billing"); gy_jw_int(&w, t->billing);
    gy_jw_key(&w, "billing_changed_ms"); gy_jw_int(&w, t->billing_changed_ms);
    gy_jw_key(&w, "rcu"); gy_jw_int(&w, t->rcu);
    gy_jw_key(&w, "wcu"); gy_jw_int(&w, t->wcu);
    gy_jw_key(&w, "last_increase_ms"); gy_jw_int(&w, t->last_increase_ms);
    gy_jw_key(&w, "last_decrease_ms"); gy_jw_int(&w, t->last_decrease_ms);
    gy_jw_key(&w, "decreases_today"); gy_jw_int(&w, t->decreases_today);
    gy_jw_key(&w, "deletion_protection"); gy_jw_bool(&w, t->deletion_protection);
    gy_jw_key(&w, "stream_enabled"); gy_jw_bool(&w, t->stream_enabled);
    gy_jw_key(&w, "stream_view"); gy_jw_cstr(&w, t->stream_view);
    gy_jw_key(&w, "stream_created_ms"); gy_jw_int(&w, t->stream_created_ms);
    char stamp[24];
    snprintf(stamp, sizeof(stamp), "%llu", (unsigned long long)t->schema_stamp);
    gy_jw_key(&w, "schema_stamp"); gy_jw_cstr(&w, stamp);
    gy_jw_key(&w, "global_version"); gy_jw_int(&w, t->global_version);
    gy_jw_key(&w, "replicas");
    gy_jw_arr_begin(&w);
    for (uint32_t i = 0; i < t->nreplicas; i++) {
        gy_jw_arr_begin(&w);
        gy_jw_cstr(&w, t->replicas[i].region);
        gy_jw_int(&w, t->replicas[i].status);
        gy_jw_arr_end(&w);
    }
    gy_jw_arr_end(&w);
    if (t->table_class) {
        gy_jw_key(&w, "table_class");
        gy_jw_cstr(&w, t->table_class);
    }
    gy_jw_key(&w, "tags");
    gy_jw_arr_begin(&w);
    for (uint32_t i = 0; i < t->ntags; i++) {
        gy_jw_arr_begin(&w);
        gy_jw_cstr(&w, t->tags[i].key);
        gy_jw_cstr(&w, t->tags[i].value);
        gy_jw_arr_end(&w);
    }
    gy_jw_arr_end(&w);
    gy_ddb_indexes_encode(&w, t);
    gy_jw_obj_end(&w);
    return w.err;
}

static char *jstr(const struct gy_json *j, const char *key)
{
    struct gy_str s = gy_json_str(gy_json_get(j, key));
    return s.p ? gy_strndup(s.p, s.len) : NULL;
}

static int64_t jint(const struct gy_json *j, const char *key)
{
    int64_t v = 0;
    gy_json_int(gy_json_get(j, key), &v);
    return v;
}

int gy_ddb_table_decode(struct gy_str rec, struct gy_ddb_table **out)
{
    struct gy_arena *a = gy_arena_create(4096);
    const struct gy_json *j = NULL;
    const char *why = NULL;
    struct gy_ddb_table *t = NULL;
    int rc = GY_EINVAL;

    if (gy_json_parse(a, rec.p, rec.len, &j, &why) || jint(j, "v") != 1)
        goto out;
    t = gy_calloc(1, sizeof(*t));
    t->refs = 1;
    t->id = (uint32_t)jint(j, "id");
    t->name = jstr(j, "name");
    t->arn = jstr(j, "arn");
    struct gy_str tid = gy_json_str(gy_json_get(j, "table_id"));
    snprintf(t->table_id, sizeof(t->table_id), "%.*s", (int)tid.len, tid.p ? tid.p : "");
    t->created_ms = jint(j, "created_ms");
    const struct gy_json *attrs = gy_json_get(j, "attrs");
    t->attrs = gy_calloc(gy_json_count(attrs) + 1, sizeof(*t->attrs));
    for (const struct gy_json *d = gy_json_child(attrs); d; d = gy_json_next(d)) {
        const struct gy_json *n = gy_json_child(d), *ty = gy_json_next(n);
        struct gy_str ns = gy_json_str(n);
        enum gy_ddb_type type;
        if (!ns.p || gy_ddb_type_parse(gy_json_str(ty), &type))
            goto out;
        t->attrs[t->nattrs].name = gy_strndup(ns.p, ns.len);
        t->attrs[t->nattrs].type = type;
        t->nattrs++;
    }
    t->hash.name = jstr(j, "hash");
    t->range.name = jstr(j, "range");
    if (!t->name || !t->hash.name)
        goto out;
    const struct gy_ddb_attrdef *hd = find_def(t, t->hash.name);
    const struct gy_ddb_attrdef *rd = t->range.name ? find_def(t, t->range.name) : NULL;
    if (!hd || (t->range.name && !rd))
        goto out;
    t->hash.type = hd->type;
    if (rd)
        t->range.type = rd->type;
    if (gy_ddb_indexes_decode(j, t))
        goto out;
    t->billing = jint(j, "billing") ? GY_DDB_PAY_PER_REQUEST : GY_DDB_PROVISIONED;
    t->billing_changed_ms = jint(j, "billing_changed_ms");
    t->rcu = jint(j, "rcu");
    t->wcu = jint(j, "wcu");
    t->last_increase_ms = jint(j, "last_increase_ms");
    t->last_decrease_ms = jint(j, "last_decrease_ms");
    t->decreases_today = (int)jint(j, "decreases_today");
    gy_json_bool(gy_json_get(j, "deletion_protection"), &t->deletion_protection);
    gy_json_bool(gy_json_get(j, "stream_enabled"), &t->stream_enabled);
    struct gy_str sv = gy_json_str(gy_json_get(j, "stream_view"));
    snprintf(t->stream_view, sizeof(t->stream_view), "%.*s", (int)sv.len, sv.p ? sv.p : "");
    t->stream_created_ms = jint(j, "stream_created_ms");
    {
        /* schema_stamp is a u64 kept as text: a JSON number would pass through a double. */
        struct gy_str ss = gy_json_str(gy_json_get(j, "schema_stamp"));
        t->schema_stamp = ss.p ? strtoull(ss.p, NULL, 10) : 0;
        t->global_version = (int)jint(j, "global_version");
        const struct gy_json *reps = gy_json_get(j, "replicas");
        for (const struct gy_json *rj = gy_json_child(reps);
             rj && t->nreplicas < GY_DDB_MAX_REPLICAS; rj = gy_json_next(rj)) {
            struct gy_str rn = gy_json_str(gy_json_child(rj));
            int64_t st = 0;
            gy_json_int(gy_json_next(gy_json_child(rj)), &st);
            if (!rn.p)
                goto out;
            snprintf(t->replicas[t->nreplicas].region, sizeof(t->replicas[0].region), "%.*s",
                     (int)rn.len, rn.p);
            t->replicas[t->nreplicas].status = (enum gy_ddb_replica_status)st;
            t->nreplicas++;
        }
    }
    t->table_class = jstr(j, "table_class");
    const struct gy_json *tags = gy_json_get(j, "tags");
    t->tags = gy_calloc(gy_json_count(tags) + 1, sizeof(*t->tags));
    for (const struct gy_json *tg = gy_json_child(tags); tg; tg = gy_json_next(tg)) {
        struct gy_str k = gy_json_str(gy_json_child(tg));
        struct gy_str v = gy_json_str(gy_json_next(gy_json_child(tg)));
        if (!k.p || !v.p)
            goto out;
        t->tags[t->ntags].key = gy_strndup(k.p, k.len);
        t->tags[t->ntags].value = gy_strndup(v.p, v.len);
        t->ntags++;
    }
    *out = t;
    t = NULL;
    rc = 0;
out:
    if (t)
        table_free(t);
    gy_arena_destroy(a);
    return rc;
}

static void key_schema(struct gy_jw *w, const struct gy_ddb_table *t)
{
    gy_jw_arr_begin(w);
    gy_jw_obj_begin(w);
    gy_jw_key(w, "AttributeName"); gy_jw_cstr(w, t->hash.name);
    gy_jw_key(w, "KeyType"); gy_jw_cstr(w, "HASH");
    gy_jw_obj_end(w);
    if (t->range.name) {
        gy_jw_obj_begin(w);
        gy_jw_key(w, "AttributeName"); gy_jw_cstr(w, t->range.name);
        gy_jw_key(w, "KeyType"); gy_jw_cstr(w, "RANGE");
        gy_jw_obj_end(w);
    }
    gy_jw_arr_end(w);
}

void gy_ddb_table_describe(struct gy_jw *w, const struct gy_ddb_table *t,
                           const struct gy_ddb_table_stats *stats, const char *status)
{
    /* DeleteTable's description leaves out the schema, the creation time and the indexes. */
    bool deleting = strcmp(status, "DELETING") == 0;
    gy_jw_obj_begin(w);
    if (!deleting) {
        gy_jw_key(w, "AttributeDefinitions");
        gy_jw_arr_begin(w);
        for (uint32_t i = 0; i < t->nattrs; i++) {
            gy_jw_obj_begin(w);
            gy_jw_key(w, "AttributeName"); gy_jw_cstr(w, t->attrs[i].name);
            gy_jw_key(w, "AttributeType"); gy_jw_cstr(w, gy_ddb_type_name(t->attrs[i].type));
            gy_jw_obj_end(w);
        }
        gy_jw_arr_end(w);
    }
    gy_jw_key(w, "TableName"); gy_jw_cstr(w, t->name);
    if (!deleting) {
        gy_jw_key(w, "KeySchema");
        key_schema(w, t);
    }
    gy_jw_key(w, "TableStatus"); gy_jw_cstr(w, status);
    if (!deleting) {
        gy_jw_key(w, "CreationDateTime");
        gy_jw_double(w, (double)t->created_ms / 1000.0);
    }
    gy_jw_key(w, "ProvisionedThroughput");
    gy_jw_obj_begin(w);
    if (t->last_increase_ms) {
        gy_jw_key(w, "LastIncreaseDateTime");
        gy_jw_double(w, (double)t->last_increase_ms / 1000.0);
    }
    if (t->last_decrease_ms) {
        gy_jw_key(w, "LastDecreaseDateTime");
        gy_jw_double(w, (double)t->last_decrease_ms / 1000.0);
    }
    gy_jw_key(w, "NumberOfDecreasesToday"); gy_jw_int(w, t->decreases_today);
    gy_jw_key(w, "ReadCapacityUnits"); gy_jw_int(w, t->rcu);
    gy_jw_key(w, "WriteCapacityUnits"); gy_jw_int(w, t->wcu);
    gy_jw_obj_end(w);
    gy_jw_key(w, "TableSizeBytes"); gy_jw_uint(w, stats ? stats->bytes : 0);
    gy_jw_key(w, "ItemCount"); gy_jw_uint(w, stats ? stats->items : 0);
    gy_jw_key(w, "TableArn"); gy_jw_cstr(w, t->arn);
    gy_jw_key(w, "TableId"); gy_jw_cstr(w, t->table_id);
    gy_jw_key(w, "BillingModeSummary");
    gy_jw_obj_begin(w);
    gy_jw_key(w, "BillingMode");
    gy_jw_cstr(w, t->billing == GY_DDB_PAY_PER_REQUEST ? "PAY_PER_REQUEST" : "PROVISIONED");
    if (t->billing_changed_ms) {
        gy_jw_key(w, "LastUpdateToPayPerRequestDateTime");
        gy_jw_double(w, (double)t->billing_changed_ms / 1000.0);
    }
    gy_jw_obj_end(w);
    if (t->stream_enabled) {
        gy_jw_key(w, "StreamSpecification");
        gy_jw_obj_begin(w);
        gy_jw_key(w, "StreamEnabled"); gy_jw_bool(w, true);
        gy_jw_key(w, "StreamViewType"); gy_jw_cstr(w, t->stream_view);
        gy_jw_obj_end(w);
    }
    if (t->stream_created_ms) {
        /* The latest stream stays described after it is disabled, as on DynamoDB. */
        char label[48];
        gy_ddb_stream_label(t->stream_created_ms, label);
        gy_jw_key(w, "LatestStreamLabel");
        gy_jw_cstr(w, label);
        gy_jw_key(w, "LatestStreamArn");
        gy_jw_key_raw_arn(w, t->arn, label);
    }
    if (t->table_class) {
        gy_jw_key(w, "TableClassSummary");
        gy_jw_obj_begin(w);
        gy_jw_key(w, "TableClass"); gy_jw_cstr(w, t->table_class);
        gy_jw_obj_end(w);
    }
    if (!deleting)
        gy_ddb_indexes_describe(w, t, stats, strcmp(status, "CREATING") == 0);
    if (t->nreplicas > 1) {
        /* Global table: every other region's replica, as DescribeTable shows them. */
        const char *self = t->arn ? t->arn + strlen("arn:aws:dynamodb:") : "";
        size_t self_len = strcspn(self, ":");
        gy_jw_key(w, "GlobalTableVersion");
        gy_jw_cstr(w, t->global_version == 1 ? "2017.11.29" : "2019.11.21");
        gy_jw_key(w, "Replicas");
        gy_jw_arr_begin(w);
        for (uint32_t i = 0; i < t->nreplicas; i++) {
            const struct gy_ddb_replica *rp = &t->replicas[i];
            if (strlen(rp->region) == self_len && strncmp(rp->region, self, self_len) == 0)
                continue;
            gy_jw_obj_begin(w);
            gy_jw_key(w, "RegionName");
            gy_jw_cstr(w, rp->region);
            gy_jw_key(w, "ReplicaStatus");
            gy_jw_cstr(w, rp->status == GY_DDB_REPLICA_CREATING   ? "CREATING"
                          : rp->status == GY_DDB_REPLICA_DELETING ? "DELETING"
                                                                  : "ACTIVE");
            gy_jw_obj_end(w);
        }
        gy_jw_arr_end(w);
    }
    gy_jw_key(w, "DeletionProtectionEnabled"); gy_jw_bool(w, t->deletion_protection);
    gy_jw_obj_end(w);
}

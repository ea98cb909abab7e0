/*
 * verify.c — `gyre verify --table NAME --endpoint URL --endpoint URL ... [--segments N]`:
 * compares the replicas of a global table range by range. Each endpoint's region comes from
 * its /_gyre/health; credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, as the AWS CLI
 * takes them. The table's hash space is split into N ranges (parallel Scan segments); for each
 * range every replica's items are digested (SHA-256 of the item's canonical JSON, combined
 * order-independently); only ranges whose digests differ are compared item by item, and the
 * differing items are printed. Exit status 0 only when every replica agrees.
 */
#include <getopt.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/arena.h"
#include "core/json.h"
#include "dynamodb/value.h"

#define MAX_ENDPOINTS 8

struct entry {
    char *key;                 /* canonical JSON of the item's key... (here: of the whole item's key attrs) */
    unsigned char digest[32];
};

struct replica {
    const char *url;
    char region[64];
    unsigned char seg_digest[32];
    struct entry *entries;
    size_t n, cap;
};

static void digest_of(const char *p, size_t n, unsigned char out[32])
{
    EVP_Digest(p, n, out, NULL, EVP_sha256(), NULL);
}

/* Scan one segment of the table at replica r; collect item digests (and keys when keep). */
static int scan_segment(struct replica *r, const struct gy_aws_key *key, const char *table,
                        int seg, int total, const char *keyattrs[2], bool keep)
{
    struct gy_buf body, resp;
    struct gy_arena *a = gy_arena_create(1 << 16);
    char *esk = NULL;
    int rc = 0;
    memset(r->seg_digest, 0, 32);
    r->n = 0;
    gy_buf_init(&body, 1 << 20);
    gy_buf_init(&resp, 64u << 20);
    do {
        gy_buf_reset(&body);
        gy_buf_printf(&body, "{\"TableName\":\"%s\",\"ConsistentRead\":true,\"Segment\":%d,"
                             "\"TotalSegments\":%d",
                      table, seg, total);
        if (esk)
            gy_buf_printf(&body, ",\"ExclusiveStartKey\":%s", esk);
        gy_buf_putc(&body, '}');
        long status = 0;
        gy_buf_reset(&resp);
        if (gy_cli_call(r->url, r->region, key, "Scan", gy_buf_str(&body), &status, &resp) ||
            status != 200) {
            fprintf(stderr, "gyre verify: Scan at %s failed (%ld): %.*s\n", r->url, status,
                    (int)resp.len, resp.p ? resp.p : "");
            rc = -1;
            break;
        }
        const struct gy_json *j;
        const char *why;
        if (gy_json_parse(a, resp.p, resp.len, &j, &why)) {
            rc = -1;
            break;
        }
        for (const struct gy_json *it = gy_json_child(gy_json_get(j, "Items")); it;
             it = gy_json_next(it)) {
            struct gy_ddb_map m;
            struct gy_error err = { 0 };
            if (gy_ddb_map_from_json(a, it, &m, &err))
                continue;
            struct gy_buf canon;
            struct gy_jw w;
            gy_buf_init(&canon, 4u << 20);
            gy_jw_init(&w, &canon);
            gy_ddb_map_to_json(&w, &m);
            unsigned char d[32];
            digest_of(canon.p, canon.len, d);
            gy_buf_fini(&canon);
            for (int i = 0; i < 32; i++)
                r->seg_digest[i] ^= d[i];
            if (!keep)
                continue;
            /* The key: the key attributes only, canonical. */
            struct gy_ddb_attr ka[2];
            struct gy_ddb_map km = { ka, 0 };
            for (int k = 0; k < 2 && keyattrs[k]; k++) {
                const struct gy_ddb_value *v = gy_ddb_map_get(&m, gy_str_c(keyattrs[k]));
                if (v)
                    ka[km.n++] = (struct gy_ddb_attr){ gy_str_c(keyattrs[k]), *v };
            }
            gy_ddb_map_sort(&km);
            struct gy_buf kb;
            gy_buf_init(&kb, 1 << 16);
            gy_jw_init(&w, &kb);
            gy_ddb_map_to_json(&w, &km);
            if (r->n == r->cap) {
                r->cap = r->cap ? r->cap * 2 : 256;
                r->entries = realloc(r->entries, r->cap * sizeof(*r->entries));
                if (!r->entries)
                    abort();
            }
            r->entries[r->n].key = gy_buf_steal(&kb, NULL);
            memcpy(r->entries[r->n].digest, d, 32);
            r->n++;
        }
        const struct gy_json *lek = gy_json_get(j, "LastEvaluatedKey");
        esk = NULL;
        if (lek) {
            struct gy_ddb_map km;
            struct gy_error err = { 0 };
            if (gy_ddb_map_from_json(a, lek, &km, &err) == 0) {
                struct gy_buf kb;
                struct gy_jw w;
                gy_buf_init(&kb, 1 << 16);
                gy_jw_init(&w, &kb);
                gy_ddb_map_to_json(&w, &km);
                esk = gy_arena_strndup(a, kb.p, kb.len);
                gy_buf_fini(&kb);
            }
        }
    } while (esk);
    gy_buf_fini(&body);
    gy_buf_fini(&resp);
    gy_arena_destroy(a);
    return rc;
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const struct entry *)a)->key, ((const struct entry *)b)->key);
}

static void free_entries(struct replica *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->entries[i].key);
    r->n = 0;
}

/* Print the items of one range that differ between replica 0 and replica k. */
static size_t report(struct replica *base, struct replica *other)
{
    size_t i = 0, j = 0, diffs = 0;
    qsort(base->entries, base->n, sizeof(struct entry), cmp_entry);
    qsort(other->entries, other->n, sizeof(struct entry), cmp_entry);
    while (i < base->n || j < other->n) {
        int c = i == base->n ? 1 : j == other->n ? -1 : strcmp(base->entries[i].key, other->entries[j].key);
        if (c < 0) {
            printf("  missing in %s: %s\n", other->region, base->entries[i++].key);
            diffs++;
        } else if (c > 0) {
            printf("  missing in %s: %s\n", base->region, other->entries[j++].key);
            diffs++;
        } else {
            if (memcmp(base->entries[i].digest, other->entries[j].digest, 32) != 0) {
                printf("  differs between %s and %s: %s\n", base->region, other->region,
                       base->entries[i].key);
                diffs++;
            }
            i++, j++;
        }
    }
    return diffs;
}

/* `gyre verify --help`: every flag gy_cli_verify accepts, one line each. */
static void usage(FILE *f)
{
    fprintf(f,
            "usage: gyre verify --table NAME --endpoint URL --endpoint URL [...] [--segments N]\n"
            "\n"
            "Compare a global table's replicas range by range; print the items that differ.\n"
            "Exit status 0 only when every replica agrees.\n"
            "\n"
            "Options:\n"
            "  --table NAME        the global table to compare (required)\n"
            "  --endpoint URL      a region's endpoint (repeat: at least 2, at most %d)\n"
            "  --segments N        hash ranges compared one by one, 1-100000 (default 16)\n"
            "  -h, --help          print this help\n"
            "\n"
            "Credentials come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.\n",
            MAX_ENDPOINTS);
}

int gy_cli_verify(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "table", required_argument, NULL, 't' },
        { "endpoint", required_argument, NULL, 'e' },
        { "segments", required_argument, NULL, 's' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct replica reps[MAX_ENDPOINTS];
    int n = 0, segments = 16, c;
    const char *table = NULL;
    struct gy_aws_key key;

    memset(reps, 0, sizeof(reps));
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == 't') {
            table = optarg;
        } else if (c == 'e' && n < MAX_ENDPOINTS) {
            reps[n++].url = optarg;
        } else if (c == 's') {
            segments = (int)strtol(optarg, NULL, 10);
        } else if (c == 'h') {
            usage(stdout);
            return 0;
        } else {
            if (c == 'e')
                fprintf(stderr, "gyre verify: at most %d endpoints\n", MAX_ENDPOINTS);
            usage(stderr);
            return 2;
        }
    }
    const char *akid = getenv("AWS_ACCESS_KEY_ID"), *secret = getenv("AWS_SECRET_ACCESS_KEY");
    if (!table || n < 2 || segments < 1 || segments > 100000 || optind != argc) {
        usage(stderr);
        return 2;
    }
    if (!akid || !secret) {
        fprintf(stderr, "gyre verify: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY\n");
        return 2;
    }
    snprintf(key.access_key, sizeof(key.access_key), "%s", akid);
    snprintf(key.secret, sizeof(key.secret), "%s", secret);

    /* Each endpoint's region, and the table's key attributes. */
    const char *keyattrs[2] = { NULL, NULL };
    struct gy_arena *a = gy_arena_create(1 << 16);
    for (int i = 0; i < n; i++) {
        struct gy_buf b;
        long status = 0;
        const struct gy_json *j;
        const char *why;
        gy_buf_init(&b, 1 << 20);
        if (gy_cli_get(reps[i].url, "/_gyre/health", &status, &b) || status != 200 ||
            gy_json_parse(a, b.p, b.len, &j, &why) || !gy_json_str(gy_json_get(j, "region")).p) {
            fprintf(stderr, "gyre verify: %s is not a reachable gyre endpoint\n", reps[i].url);
            return 2;
        }
        snprintf(reps[i].region, sizeof(reps[i].region), "%s", gy_json_str(gy_json_get(j, "region")).p);
        gy_buf_fini(&b);
    }
    {
        struct gy_buf b;
        long status = 0;
        const struct gy_json *j;
        const char *why;
        char body[512];
        snprintf(body, sizeof(body), "{\"TableName\":\"%s\"}", table);
        gy_buf_init(&b, 1 << 20);
        if (gy_cli_call(reps[0].url, reps[0].region, &key, "DescribeTable", gy_str_c(body), &status,
                        &b) || status != 200 || gy_json_parse(a, b.p, b.len, &j, &why)) {
            fprintf(stderr, "gyre verify: DescribeTable at %s failed: %.*s\n", reps[0].url,
                    (int)b.len, b.p ? b.p : "");
            return 2;
        }
        int k = 0;
        for (const struct gy_json *e = gy_json_child(gy_json_get(gy_json_get(j, "Table"), "KeySchema"));
             e && k < 2; e = gy_json_next(e))
            keyattrs[k++] = gy_arena_strndup(a, gy_json_str(gy_json_get(e, "AttributeName")).p,
                                             gy_json_str(gy_json_get(e, "AttributeName")).len);
        gy_buf_fini(&b);
    }

    size_t total_diffs = 0;
    int bad_ranges = 0;
    for (int s = 0; s < segments; s++) {
        bool same = true;
        for (int i = 0; i < n; i++) {
            if (scan_segment(&reps[i], &key, table, s, segments, keyattrs, false))
                return 2;
            if (i && memcmp(reps[i].seg_digest, reps[0].seg_digest, 32) != 0)
                same = false;
        }
        if (same)
            continue;
        bad_ranges++;
        printf("range %d of %d differs:\n", s, segments);
        for (int i = 0; i < n; i++)
            if (scan_segment(&reps[i], &key, table, s, segments, keyattrs, true))
                return 2;
        for (int i = 1; i < n; i++)
            total_diffs += report(&reps[0], &reps[i]);
        for (int i = 0; i < n; i++)
            free_entries(&reps[i]);
    }
    for (int i = 0; i < n; i++)
        free(reps[i].entries);
    gy_arena_destroy(a);
    if (bad_ranges == 0) {
        printf("%s: all %d replicas agree (%d ranges compared)\n", table, n, segments);
        return 0;
    }
    printf("%s: %d of %d ranges differ, %zu items\n", table, bad_ranges, segments, total_diffs);
    return 1;
}

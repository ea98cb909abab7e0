/*
 * record.c — a change-log record as a DynamoDB Streams GetRecords record (PROTOCOL.md §9.1,
 * AWS API reference API_streams_Record and API_streams_StreamRecord). Owns only the JSON shape:
 * which images a view type shows, SizeBytes, the eventID and the service identity of TTL
 * deletions. Reading the log and paging are reader.c's. See docs/streams.md, "Records".
 */
#include "streams/streams_int.h"

#include <string.h>

#include <openssl/evp.h>

#include "core/json.h"
#include "dynamodb/value.h"

static const char *const view_names[] = {
    [GY_STREAMS_KEYS_ONLY] = "KEYS_ONLY",
    [GY_STREAMS_NEW_IMAGE] = "NEW_IMAGE",
    [GY_STREAMS_OLD_IMAGE] = "OLD_IMAGE",
    [GY_STREAMS_NEW_AND_OLD_IMAGES] = "NEW_AND_OLD_IMAGES",
};

static const char *const event_names[] = {"", "INSERT", "MODIFY", "REMOVE"};

int gy_streams__view_parse(const char *name, enum gy_streams_view *out)
{
    for (size_t i = 0; i < sizeof(view_names) / sizeof(view_names[0]); i++)
        if (strcmp(name, view_names[i]) == 0) {
            *out = (enum gy_streams_view)i;
            return 0;
        }
    return GY_EINVAL;
}

void gy_streams__event_id(uint32_t table_id, uint64_t seq, char out[33])
{
    unsigned char in[12], md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    for (int i = 0; i < 4; i++)
        in[i] = (unsigned char)(table_id >> (24 - 8 * i));
    for (int i = 0; i < 8; i++)
        in[4 + i] = (unsigned char)(seq >> (56 - 8 * i));
    EVP_Digest(in, sizeof(in), md, &mdlen, EVP_sha256(), NULL);
    gy_hex(md, 16, out);
}

static bool shows_new(const struct gy_ddb_log_record *r, enum gy_streams_view view)
{
    return r->has_new && (view == GY_STREAMS_NEW_IMAGE || view == GY_STREAMS_NEW_AND_OLD_IMAGES);
}

static bool shows_old(const struct gy_ddb_log_record *r, enum gy_streams_view view)
{
    return r->has_old && (view == GY_STREAMS_OLD_IMAGE || view == GY_STREAMS_NEW_AND_OLD_IMAGES);
}

size_t gy_streams__record_size(const struct gy_ddb_log_record *r, enum gy_streams_view view)
{
    size_t n = gy_ddb_map_size(&r->keys);
    if (shows_new(r, view))
        n += gy_ddb_map_size(&r->new_image);
    if (shows_old(r, view))
        n += gy_ddb_map_size(&r->old_image);
    return n ? n : 1; /* SizeBytes is at least 1 in the model */
}

void gy_streams__record_json(struct gy_jw *w, const struct gy_ddb_log_record *r, uint32_t table_id,
                             enum gy_streams_view view, const char *region)
{
    char id[33], seq[24];
    int ev = r->event >= GY_DDB_EV_INSERT && r->event <= GY_DDB_EV_REMOVE ? (int)r->event : 0;

    gy_streams__event_id(table_id, r->seq, id);
    gy_ddb_seq_format(r->seq, seq);
    gy_jw_obj_begin(w);
    gy_jw_key(w, "eventID");
    gy_jw_cstr(w, id);
    gy_jw_key(w, "eventName");
    gy_jw_cstr(w, event_names[ev]);
    gy_jw_key(w, "eventVersion");
    gy_jw_cstr(w, "1.1");
    gy_jw_key(w, "eventSource");
    gy_jw_cstr(w, "aws:dynamodb");
    gy_jw_key(w, "awsRegion");
    gy_jw_cstr(w, region);
    gy_jw_key(w, "dynamodb");
    gy_jw_obj_begin(w);
    gy_jw_key(w, "ApproximateCreationDateTime");
    gy_jw_int(w, r->created_ms / 1000);
    gy_jw_key(w, "Keys");
    gy_ddb_map_to_json(w, &r->keys);
    if (shows_new(r, view)) {
        gy_jw_key(w, "NewImage");
        gy_ddb_map_to_json(w, &r->new_image);
    }
    if (shows_old(r, view)) {
        gy_jw_key(w, "OldImage");
        gy_ddb_map_to_json(w, &r->old_image);
    }
    gy_jw_key(w, "SequenceNumber");
    gy_jw_cstr(w, seq);
    gy_jw_key(w, "SizeBytes");
    gy_jw_uint(w, gy_streams__record_size(r, view));
    gy_jw_key(w, "StreamViewType");
    gy_jw_cstr(w, view_names[view]);
    gy_jw_obj_end(w);
    if (r->by_service) {
        gy_jw_key(w, "userIdentity");
        gy_jw_obj_begin(w);
        gy_jw_key(w, "PrincipalId");
        gy_jw_cstr(w, "dynamodb.amazonaws.com");
        gy_jw_key(w, "Type");
        gy_jw_cstr(w, "Service");
        gy_jw_obj_end(w);
    }
    gy_jw_obj_end(w);
}

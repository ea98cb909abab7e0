/*
 * validate.c — libFuzzer harness for model validation and the timestamp/base64 parsers of the
 * protocol layer: the first byte picks a service and operation of the generated models, the
 * rest is a request body; when it parses as JSON it is validated against the operation's input.
 * The same bytes go through the ISO 8601 / HTTP-date parsers and the strict base64 decoder.
 *
 * Invariants checked: nothing crashes; a failed validation always has a message; an accepted
 * timestamp formats and parses back to the same instant; an accepted base64 text re-encodes to
 * itself.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/model.h"
#include "aws/validate.h"
#include "core/arena.h"
#include "core/base64.h"
#include "core/json.h"
#include "core/timefmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    struct gy_arena *a = gy_arena_create(1 << 14);
    size_t n;
    const struct gy_model_service *const *all = gy_model_all(&n);
    const struct gy_model_service *svc = all[data[0] % n];
    const struct gy_model_op *op = &svc->ops[(data[0] / n) % svc->nops];
    struct gy_str body = { (const char *)data + 1, size - 1 };
    const struct gy_json *j = NULL;
    const char *why = NULL;

    if (op->input != GY_MODEL_NONE && gy_json_parse(a, body.p, body.len, &j, &why) == 0 &&
        gy_json_is(j, GY_JSON_OBJECT)) {
        const char *msg = NULL;
        if (gy_validate(a, svc, op->input, j, &msg) != GY_VALIDATE_OK && !msg)
            abort();
    }

    int64_t ms, again;
    if (gy_time_parse_iso8601(body, &ms) == 0 && ms > -62135596800000LL &&
        ms < 253402300800000LL) {
        char out[GY_TIME_ISO_MAX];
        gy_time_format_iso8601(ms, out);
        if (gy_time_parse_iso8601(gy_str_c(out), &again) || again != ms)
            abort();
    }
    (void)gy_time_parse_http_date(body, &ms);

    struct gy_str dec;
    if (gy_base64_decode(a, body, &dec, NULL) == GY_BASE64_OK) {
        struct gy_str enc = gy_base64_encode_arena(a, dec.p, dec.len);
        if (enc.len != body.len || memcmp(enc.p, body.p, body.len) != 0)
            abort();
    }
    gy_arena_destroy(a);
    return 0;
}

/*
 * xml.c — awsQuery responses: an operation's protocol-neutral JSON output written as the XML
 * botocore's QueryParser reads (parsers.py BaseXMLResponseParser/QueryParser), and the
 * <ErrorResponse> envelope. Requests live in query.c. Facts: ../shared/PROTOCOL.md §4.2.
 *
 * The walk is driven by the model, not the tree: members are written in model order under
 * their locationNames, tree members the model does not know are dropped, and a JSON null is an
 * absent member. Text is escaped by gy_xml_escape (see query.h for what XML 1.0 cannot carry).
 * See docs/protocols.md.
 */
#include "aws/query.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/errors.h"
#include "core/timefmt.h"

#define MAX_DEPTH 100 /* model nesting followed; deeper output is not written */

/* ---------------------------------------------------------------------------------------------
 * Escaping
 * ------------------------------------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at p[0..n), or 0 when it is not one; *bad is set for a
 * well-formed character XML 1.0 excludes (U+FFFE, U+FFFF). */
static size_t utf8_len(const unsigned char *p, size_t n, bool *bad)
{
    unsigned char c = p[0];
    size_t len;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        len = 2, cp = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef)
        len = 3, cp = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4)
        len = 4, cp = c & 0x07;
    else
        return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (p[i] & 0x3f);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    *bad = cp == 0xfffe || cp == 0xffff;
    return len;
}

int gy_xml_escape(struct gy_buf *out, struct gy_str s)
{
    static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */
    const unsigned char *p = (const unsigned char *)s.p;
    size_t run = 0; /* start of the pending run of bytes copied verbatim */
    int rc = 0;
    for (size_t i = 0; i < s.len;) {
        unsigned char c = p[i];
        const char *rep = NULL;
        size_t step = 1;
        switch (c) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&apos;"; break;
        case '\r': rep = "&#xD;"; break; /* a raw CR would be normalised away */
        case '\t':
        case '\n':
            break;
        default:
            if (c < 0x20) {
                rep = replacement;
            } else if (c >= 0x80) {
                bool bad = false;
                step = utf8_len(p + i, s.len - i, &bad);
                if (step == 0 || bad)
                    rep = replacement;
                if (step == 0)
                    step = 1;
            }
        }
        if (rep) {
            rc |= gy_buf_append(out, p + run, i - run);
            rc |= gy_buf_puts(out, rep);
            run = i + step;
        }
        i += step;
    }
    rc |= gy_buf_append(out, p + run, s.len - run);
    return rc ? GY_ETOOBIG : 0;
}

/* ---------------------------------------------------------------------------------------------
 * Scalars
 * ------------------------------------------------------------------------------------------- */

/*
 * Shortest text that strtod (and Python's float) reads back as exactly v. Integers below 2^53
 * are written as integers ("100"). Otherwise the first of %.15g, %.16g, %.17g that round-trips
 * is used: when a representation of at most 15 digits exists, %.15g rounds to it (padded with
 * zeros %g trims), so this is the shortest; subnormals, whose round-trip precision can be far
 * lower, search all precisions. %g switches to exponent form below 1e-4 and from 1e15 up.
 */
static void put_double(struct gy_buf *out, double v)
{
    char tmp[48];
    int n = 0;
    if (isnan(v)) {
        gy_buf_puts(out, "NaN");
        return;
    }
    if (isinf(v)) {
        gy_buf_puts(out, v < 0 ? "-Infinity" : "Infinity");
        return;
    }
    if (v == 0) {
        gy_buf_puts(out, signbit(v) ? "-0" : "0");
        return;
    }
    if (v == trunc(v) && fabs(v) < 9007199254740992.0) {
        n = (int)gy_fmt_i64((int64_t)v, tmp);
    } else {
        int lo = 15, hi = 17;
        if (fabs(v) < 2.2250738585072014e-308)
            lo = 1;
        for (int p = lo; p <= hi; p++) {
            n = snprintf(tmp, sizeof(tmp), "%.*g", p, v);
            if (n > 0 && (size_t)n < sizeof(tmp) && strtod(tmp, NULL) == v)
                break;
        }
    }
    if (n > 0 && (size_t)n < sizeof(tmp))
        gy_buf_append(out, tmp, (size_t)n);
}

static void put_int(struct gy_buf *out, const struct gy_json *j)
{
    int64_t iv;
    if (gy_json_int(j, &iv)) {
        char tmp[20];
        gy_buf_append(out, tmp, gy_fmt_i64(iv, tmp));
        return;
    }
    double v = gy_json_num(j);
    if (!isfinite(v))
        v = 0;
    gy_buf_printf(out, "%.0f", trunc(v));
}

/* Epoch seconds as ISO 8601 with milliseconds (2024-01-01T00:00:00.000Z), RFC 822, or a number. */
static void put_timestamp(struct gy_buf *out, double secs, enum gy_ts_format fmt)
{
    if (!isfinite(secs) || fabs(secs) > 253402300799.0)
        secs = 0; /* outside years 0000..9999: nothing a client could parse */
    if (fmt == GY_TS_EPOCH) {
        put_double(out, secs);
        return;
    }
    int64_t ms = llround(secs * 1000.0);
    if (fmt == GY_TS_RFC822) {
        char t[30];
        gy_time_format_http_date(ms, t);
        gy_buf_puts(out, t);
        return;
    }
    char t[GY_TIME_ISO_MAX];
    gy_buf_append(out, t, gy_time_format_iso8601(ms, t));
}

/* A scalar's text. A JSON value of another type than the shape's is written as its own text
 * (a string stays a string, e.g. an ISO timestamp a handler already formatted). */
static void put_scalar(struct gy_buf *out, const struct gy_model_shape *sh, enum gy_ts_format ts,
                       const struct gy_json *j)
{
    bool b;
    switch (gy_json_type(j)) {
    case GY_JSON_STRING:
        gy_xml_escape(out, gy_json_str(j));
        return;
    case GY_JSON_TRUE:
    case GY_JSON_FALSE:
        gy_json_bool(j, &b);
        gy_buf_puts(out, b ? "true" : "false");
        return;
    case GY_JSON_NUMBER:
        if (sh->kind == GY_SHAPE_TIMESTAMP)
            put_timestamp(out, gy_json_num(j), ts);
        else if (sh->kind == GY_SHAPE_FLOAT || sh->kind == GY_SHAPE_DOUBLE)
            put_double(out, gy_json_num(j));
        else
            put_int(out, j);
        return;
    default:
        return;
    }
}

/* ---------------------------------------------------------------------------------------------
 * Structures, lists, maps
 * ------------------------------------------------------------------------------------------- */

struct xw {
    const struct gy_model_service *svc;
    struct gy_buf *out;
};

static void open_tag(struct gy_buf *out, const char *name)
{
    gy_buf_putc(out, '<');
    gy_buf_puts(out, name);
    gy_buf_putc(out, '>');
}

static void close_tag(struct gy_buf *out, const char *name)
{
    gy_buf_puts(out, "</");
    gy_buf_puts(out, name);
    gy_buf_putc(out, '>');
}

static bool flattened(const struct gy_model_shape *sh, const struct gy_model_member *m)
{
    return (sh->flags & GY_SHAPE_FLATTENED) || (m && (m->flags & GY_MEMBER_FLATTENED));
}

static void put_element(const struct xw *X, uint16_t shape, const struct gy_model_member *m,
                        const char *name, const struct gy_json *j, int depth);

/* The members of a structure, in model order, without the enclosing element. */
static void put_members(const struct xw *X, const struct gy_model_shape *sh,
                        const struct gy_json *obj, int depth)
{
    if (!gy_json_is(obj, GY_JSON_OBJECT))
        return;
    for (size_t i = 0; i < sh->n; i++) {
        const struct gy_model_member *m = gy_model_member(X->svc, sh, i);
        const struct gy_json *v = gy_json_get(obj, m->name);
        if (!v || gy_json_is(v, GY_JSON_NULL) || (m->flags & GY_MEMBER_XML_ATTR))
            continue;
        put_element(X, m->shape, m, gy_model_member_wire(m), v, depth + 1);
    }
}

/* A list: <name><member>…</member></name>, or flattened <item>…</item><item>…</item> where the
 * item is named by the list member's locationName, else by the structure member's. */
static void put_list(const struct xw *X, const struct gy_model_shape *sh,
                     const struct gy_model_member *m, const char *name, const struct gy_json *j,
                     int depth)
{
    if (!gy_json_is(j, GY_JSON_ARRAY))
        return;
    if (flattened(sh, m)) {
        const char *item = sh->a_name ? sh->a_name : name;
        for (const struct gy_json *e = gy_json_child(j); e; e = gy_json_next(e))
            if (!gy_json_is(e, GY_JSON_NULL))
                put_element(X, sh->a, NULL, item, e, depth + 1);
        return;
    }
    const char *item = sh->a_name ? sh->a_name : "member";
    open_tag(X->out, name);
    for (const struct gy_json *e = gy_json_child(j); e; e = gy_json_next(e))
        if (!gy_json_is(e, GY_JSON_NULL))
            put_element(X, sh->a, NULL, item, e, depth + 1);
    close_tag(X->out, name);
}

/* A map: <name><entry><key>k</key><value>v</value></entry>…</name>, or flattened
 * <name><key>k</key><value>v</value></name> per entry; key/value respect locationNames. */
static void put_map(const struct xw *X, const struct gy_model_shape *sh,
                    const struct gy_model_member *m, const char *name, const struct gy_json *j,
                    int depth)
{
    if (!gy_json_is(j, GY_JSON_OBJECT))
        return;
    const char *kname = sh->a_name ? sh->a_name : "key";
    const char *vname = sh->b_name ? sh->b_name : "value";
    bool flat = flattened(sh, m);
    if (!flat)
        open_tag(X->out, name);
    for (const struct gy_json *e = gy_json_child(j); e; e = gy_json_next(e)) {
        if (gy_json_is(e, GY_JSON_NULL))
            continue;
        open_tag(X->out, flat ? name : "entry");
        open_tag(X->out, kname);
        gy_xml_escape(X->out, gy_json_key(e));
        close_tag(X->out, kname);
        put_element(X, sh->b, NULL, vname, e, depth + 1);
        close_tag(X->out, flat ? name : "entry");
    }
    if (!flat)
        close_tag(X->out, name);
}

static void put_element(const struct xw *X, uint16_t shape, const struct gy_model_member *m,
                        const char *name, const struct gy_json *j, int depth)
{
    const struct gy_model_shape *sh = gy_model_shape(X->svc, shape);
    if (depth > MAX_DEPTH)
        return;
    switch (sh->kind) {
    case GY_SHAPE_STRUCTURE:
        open_tag(X->out, name);
        put_members(X, sh, j, depth);
        close_tag(X->out, name);
        return;
    case GY_SHAPE_LIST:
        put_list(X, sh, m, name, j, depth);
        return;
    case GY_SHAPE_MAP:
        put_map(X, sh, m, name, j, depth);
        return;
    default:
        open_tag(X->out, name);
        put_scalar(X->out, sh, gy_model_ts_format(X->svc, m, GY_TS_ISO8601), j);
        close_tag(X->out, name);
        return;
    }
}

/* ---------------------------------------------------------------------------------------------
 * Envelopes
 * ------------------------------------------------------------------------------------------- */

static void open_root(struct gy_buf *out, const char *name, const char *suffix, const char *ns)
{
    gy_buf_putc(out, '<');
    gy_buf_puts(out, name);
    gy_buf_puts(out, suffix);
    if (ns) {
        gy_buf_puts(out, " xmlns=\"");
        gy_xml_escape(out, gy_str_c(ns));
        gy_buf_putc(out, '"');
    }
    gy_buf_putc(out, '>');
}

int gy_query_xml_response(const struct gy_model_service *svc, const struct gy_model_op *op,
                          const struct gy_json *out_tree, const char *request_id,
                          struct gy_buf *out)
{
    struct xw X = { svc, out };
    open_root(out, op->name, "Response", svc->xml_namespace);
    if (op->result_wrapper)
        open_tag(out, op->result_wrapper);
    if (op->output != GY_MODEL_NONE && out_tree)
        put_members(&X, gy_model_shape(svc, op->output), out_tree, 0);
    if (op->result_wrapper)
        close_tag(out, op->result_wrapper);
    gy_buf_puts(out, "<ResponseMetadata><RequestId>");
    gy_xml_escape(out, gy_str_c(request_id));
    gy_buf_puts(out, "</RequestId></ResponseMetadata></");
    gy_buf_puts(out, op->name);
    gy_buf_puts(out, "Response>");
    return out->oom ? GY_ETOOBIG : 0;
}

int gy_query_xml_error(const char *xml_namespace, bool sender, const char *code,
                       const char *message, const char *request_id, struct gy_buf *out)
{
    open_root(out, "ErrorResponse", "", xml_namespace);
    gy_buf_puts(out, sender ? "<Error><Type>Sender</Type><Code>"
                            : "<Error><Type>Receiver</Type><Code>");
    gy_xml_escape(out, gy_str_c(code));
    gy_buf_puts(out, "</Code>");
    if (message) {
        gy_buf_puts(out, "<Message>");
        gy_xml_escape(out, gy_str_c(message));
        gy_buf_puts(out, "</Message>");
    }
    gy_buf_puts(out, "</Error><RequestId>");
    gy_xml_escape(out, gy_str_c(request_id));
    gy_buf_puts(out, "</RequestId></ErrorResponse>");
    return out->oom ? GY_ETOOBIG : 0;
}

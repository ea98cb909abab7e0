/*
 * rest.c — the rest-json protocol (Lambda): an operation is found by method and URI template
 * ("/2015-03-31/functions/{FunctionName}/invocations", "{Key+}" greedy labels, templates with a
 * fixed "?query" part); its input is assembled from URI labels, query-string parameters,
 * headers and the JSON body (or a raw payload member) into the protocol-neutral JSON form;
 * its output goes back as headers, a status code and a JSON body or raw payload.
 *
 * Paths are matched on the raw (percent-encoded) path and labels decoded after matching, so an
 * ARN with encoded '/' or ':' stays one label (PROTOCOL.md §7). Trailing slashes are ignored:
 * the Debian and newer models disagree on them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "aws/aws_int.h"
#include "aws/query.h"
#include "core/arena.h"
#include "core/base64.h"
#include "core/timefmt.h"

#define MAX_LABELS 8

struct label {
    struct gy_str name;  /* label name in the template, without braces or '+' */
    struct gy_str value; /* raw (still percent-encoded) */
};

/* Next '/'-separated segment of *s (advancing it); false at the end. */
static bool next_seg(struct gy_str *s, struct gy_str *seg)
{
    if (!s->len)
        return false;
    const char *slash = memchr(s->p, '/', s->len);
    size_t n = slash ? (size_t)(slash - s->p) : s->len;
    *seg = (struct gy_str){ s->p, n };
    s->p += slash ? n + 1 : n;
    s->len -= slash ? n + 1 : n;
    return true;
}

static struct gy_str strip_slashes(struct gy_str s)
{
    while (s.len && s.p[0] == '/')
        s.p++, s.len--;
    while (s.len && s.p[s.len - 1] == '/')
        s.len--;
    return s;
}

/* True when the raw query has a parameter named name (template "?name" or "?name=value"). */
static bool query_has(struct gy_str query, struct gy_str want)
{
    const char *eq = memchr(want.p, '=', want.len);
    struct gy_str name = eq ? (struct gy_str){ want.p, (size_t)(eq - want.p) } : want;
    for (struct gy_str q = query, item; q.len;) {
        const char *amp = memchr(q.p, '&', q.len);
        item = (struct gy_str){ q.p, amp ? (size_t)(amp - q.p) : q.len };
        q.p += amp ? item.len + 1 : item.len;
        q.len -= amp ? item.len + 1 : item.len;
        if (gy_str_startswith(item, name) &&
            (item.len == name.len || item.p[name.len] == '='))
            return eq ? gy_str_eq(item, want) : true;
    }
    return false;
}

/*
 * Match template tmpl against path/query: the score (literal bytes matched, so the most
 * specific template wins) or -1. Labels are stored in labels[0..*n).
 */
static long match(const char *tmpl, struct gy_str path, struct gy_str query, struct label *labels,
                  size_t *n)
{
    struct gy_str t = gy_str_c(tmpl);
    const char *qm = memchr(t.p, '?', t.len);
    struct gy_str tq = GY_STR_NULL;
    if (qm) {
        tq = (struct gy_str){ qm + 1, t.len - (size_t)(qm + 1 - t.p) };
        t.len = (size_t)(qm - t.p);
    }
    struct gy_str tp = strip_slashes(t), pp = strip_slashes(path), ts, ps;
    long score = 0;
    *n = 0;
    while (next_seg(&tp, &ts)) {
        if (ts.len >= 2 && ts.p[0] == '{' && ts.p[ts.len - 1] == '}') {
            bool greedy = ts.p[ts.len - 2] == '+';
            struct gy_str name = { ts.p + 1, ts.len - 2 - (greedy ? 1 : 0) };
            if (greedy) {
                if (!pp.len)
                    return -1;
                ps = pp;
                pp.len = 0;
            } else if (!next_seg(&pp, &ps) || !ps.len) {
                return -1;
            }
            if (*n < MAX_LABELS)
                labels[(*n)++] = (struct label){ name, ps };
            continue;
        }
        if (!next_seg(&pp, &ps) || !gy_str_eq(ts, ps))
            return -1;
        score += (long)ts.len + 1;
    }
    if (pp.len)
        return -1;
    /* A fixed query part ("?versioning", "&x=y") must be present. */
    for (struct gy_str q = tq, item; q.len;) {
        const char *amp = memchr(q.p, '&', q.len);
        item = (struct gy_str){ q.p, amp ? (size_t)(amp - q.p) : q.len };
        q.p += amp ? item.len + 1 : item.len;
        q.len -= amp ? item.len + 1 : item.len;
        if (item.len && !query_has(query, item))
            return -1;
        score += (long)item.len;
    }
    return score;
}

const struct gy_model_op *gy_aws__rest_match(const struct gy_aws_router *r,
                                             const struct gy_aws_req *req,
                                             const struct gy_aws__entry **entry)
{
    const struct gy_http_req *h = req->http;
    const struct gy_model_op *best = NULL;
    long best_score = -1;
    struct label labels[MAX_LABELS];
    size_t n;

    for (int pass = 0; pass < 2 && !best; pass++) {
        for (size_t i = 0; i < r->nentries; i++) {
            const struct gy_aws__entry *e = &r->entries[i];
            const struct gy_model_service *m = e->model;
            if (!m || m->protocol != GY_PROTO_REST_JSON)
                continue;
            if (pass == 0 && strcmp(req->auth.service, m->signing_name) != 0)
                continue;
            for (size_t j = 0; j < m->nops; j++) {
                const struct gy_model_op *op = &m->ops[j];
                if (!gy_str_eqc(h->method, op->method))
                    continue;
                long s = match(op->uri, h->path, h->query, labels, &n);
                if (s > best_score) {
                    best_score = s;
                    best = op;
                    *entry = e;
                }
            }
        }
    }
    return best;
}

/* Percent-decode a path label into the arena; false on a bad escape or non-UTF-8. */
static bool pct_decode(struct gy_arena *a, struct gy_str in, struct gy_str *out)
{
    char *d = gy_arena_alloc(a, in.len + 1);
    size_t o = 0;
    for (size_t i = 0; i < in.len; i++) {
        if (in.p[i] != '%') {
            d[o++] = in.p[i];
            continue;
        }
        if (i + 2 >= in.len)
            return false;
        int hi = gy_hexval(in.p[i + 1]), lo = gy_hexval(in.p[i + 2]);
        if (hi < 0 || lo < 0)
            return false;
        d[o++] = (char)(hi << 4 | lo);
        i += 2;
    }
    d[o] = '\0';
    *out = (struct gy_str){ d, o };
    return gy_utf8_valid(d, o);
}

/* Write text from a header, label or query parameter as the JSON of scalar shape sh. */
static void write_scalar(struct gy_jw *w, const struct gy_model_shape *sh, struct gy_str v)
{
    char buf[64];
    switch (sh->kind) {
    case GY_SHAPE_INTEGER:
    case GY_SHAPE_LONG:
    case GY_SHAPE_FLOAT:
    case GY_SHAPE_DOUBLE:
        if (v.len && v.len < sizeof(buf)) {
            memcpy(buf, v.p, v.len);
            buf[v.len] = '\0';
            char *end;
            errno = 0;
            if (sh->kind == GY_SHAPE_INTEGER || sh->kind == GY_SHAPE_LONG) {
                long long x = strtoll(buf, &end, 10);
                if (!errno && *end == '\0') {
                    gy_jw_int(w, x);
                    return;
                }
            } else {
                double x = strtod(buf, &end);
                if (!errno && *end == '\0') {
                    gy_jw_double(w, x);
                    return;
                }
            }
        }
        break; /* as a string: validation reports the type mismatch */
    case GY_SHAPE_BOOLEAN:
        if (gy_str_eqc(v, "true") || gy_str_eqc(v, "false")) {
            gy_jw_bool(w, v.p[0] == 't');
            return;
        }
        break;
    case GY_SHAPE_TIMESTAMP: {
        double t;
        if (gy_time_parse_text(v, &t)) {
            gy_jw_double(w, t);
            return;
        }
        break;
    }
    default: break;
    }
    gy_jw_str(w, v);
}

int gy_aws__rest_input(struct gy_aws_req *req, const struct gy_json **out)
{
    const struct gy_model_service *m = req->model;
    const struct gy_http_req *h = req->http;
    struct label labels[MAX_LABELS];
    size_t nlabels = 0;
    struct gy_query_param *qp = NULL;
    size_t nq = 0;
    const char *why = NULL;

    match(req->mop->uri, h->path, h->query, labels, &nlabels);
    if (h->query.len && gy_query_parse(req->arena, h->query, &qp, &nq, &why))
        return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION, "%s",
                            why ? why : "Malformed query string");

    struct gy_buf *b = gy_arena_buf(req->arena, GY_AWS_MAX_RESPONSE + h->body.len * 2);
    struct gy_jw w;
    gy_jw_init(&w, b);
    gy_jw_obj_begin(&w);

    const struct gy_model_shape *in =
        req->mop->input != GY_MODEL_NONE ? gy_model_shape(m, req->mop->input) : NULL;
    const struct gy_json *body = NULL;
    bool has_payload = false;
    for (size_t i = 0; in && i < in->n; i++)
        has_payload |= (gy_model_member(m, in, i)->flags & GY_MEMBER_PAYLOAD) != 0;
    if (in && !has_payload && h->body.len) {
        if (gy_json_parse(req->arena, h->body.p, h->body.len, &body, &why) ||
            !gy_json_is(body, GY_JSON_OBJECT))
            return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION,
                                "Unexpected JSON type at top level: expected an object%s%s",
                                why ? ": " : "", why ? why : "");
    }

    for (size_t i = 0; in && i < in->n; i++) {
        const struct gy_model_member *mm = gy_model_member(m, in, i);
        const struct gy_model_shape *sh = gy_model_shape(m, mm->shape);
        const char *wire = gy_model_member_wire(mm);
        switch (mm->location) {
        case GY_LOC_URI:
            for (size_t k = 0; k < nlabels; k++) {
                struct gy_str v;
                if (!gy_str_eqc(labels[k].name, wire))
                    continue;
                if (!pct_decode(req->arena, labels[k].value, &v))
                    return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION,
                                        "Malformed percent-encoding in the request path");
                gy_jw_key(&w, mm->name);
                write_scalar(&w, sh, v);
                break;
            }
            break;
        case GY_LOC_QUERYSTRING:
            if (sh->kind == GY_SHAPE_LIST) {
                bool any = false;
                for (size_t k = 0; k < nq; k++) {
                    if (!gy_str_eqc(qp[k].name, wire))
                        continue;
                    if (!any) {
                        gy_jw_key(&w, mm->name);
                        gy_jw_arr_begin(&w);
                        any = true;
                    }
                    write_scalar(&w, gy_model_shape(m, sh->a), qp[k].value);
                }
                if (any)
                    gy_jw_arr_end(&w);
            } else if (sh->kind == GY_SHAPE_MAP) {
                gy_jw_key(&w, mm->name);
                gy_jw_obj_begin(&w);
                for (size_t k = 0; k < nq; k++) {
                    gy_jw_key_str(&w, qp[k].name);
                    gy_jw_str(&w, qp[k].value);
                }
                gy_jw_obj_end(&w);
            } else {
                const struct gy_str *v = gy_query_get(qp, nq, wire);
                if (v) {
                    gy_jw_key(&w, mm->name);
                    write_scalar(&w, sh, *v);
                }
            }
            break;
        case GY_LOC_HEADER: {
            const struct gy_str *v = gy_http_req_header(h, wire);
            if (v) {
                gy_jw_key(&w, mm->name);
                write_scalar(&w, sh, *v);
            }
            break;
        }
        case GY_LOC_HEADERS: {
            size_t plen = strlen(wire);
            gy_jw_key(&w, mm->name);
            gy_jw_obj_begin(&w);
            for (size_t k = 0; k < h->nheaders; k++) {
                struct gy_str name = h->headers[k].name;
                if (name.len > plen && strncasecmp(name.p, wire, plen) == 0) {
                    gy_jw_key_str(&w, (struct gy_str){ name.p + plen, name.len - plen });
                    gy_jw_str(&w, h->headers[k].value);
                }
            }
            gy_jw_obj_end(&w);
            break;
        }
        default:
            if (mm->flags & GY_MEMBER_PAYLOAD) {
                if (sh->kind == GY_SHAPE_BLOB) {
                    gy_jw_key(&w, mm->name);
                    gy_jw_str(&w, gy_base64_encode_arena(req->arena, h->body.p, h->body.len));
                } else if (sh->kind == GY_SHAPE_STRING) {
                    gy_jw_key(&w, mm->name);
                    gy_jw_str(&w, h->body);
                } else if (h->body.len) {
                    const struct gy_json *pj;
                    if (gy_json_parse(req->arena, h->body.p, h->body.len, &pj, &why))
                        return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION, "%s",
                                            why ? why : "Malformed JSON body");
                    gy_jw_key(&w, mm->name);
                    gy_jw_value(&w, pj);
                }
            } else if (body) {
                const struct gy_json *v = gy_json_get(body, mm->name);
                if (v) {
                    gy_jw_key(&w, mm->name);
                    gy_jw_value(&w, v);
                }
            }
            break;
        }
    }
    gy_jw_obj_end(&w);
    if (w.err)
        return gy_error_set(&req->err, req->arena, GY_AWS_REQUEST_TOO_LARGE,
                            "Request size exceeded the maximum allowed size");
    if (gy_json_parse(req->arena, b->p, b->len, out, &why))
        return gy_error_set(&req->err, req->arena, GY_AWS_SERIALIZATION, "%s",
                            why ? why : "Malformed request");
    return 0;
}

/* A scalar output member as header text. */
static struct gy_str header_text(struct gy_arena *a, const struct gy_json *v)
{
    int64_t i;
    bool bv;
    if (gy_json_is(v, GY_JSON_STRING))
        return gy_json_str(v);
    if (gy_json_int(v, &i))
        return gy_str_c(gy_arena_printf(a, "%lld", (long long)i));
    if (gy_json_bool(v, &bv))
        return bv ? GY_STR("true") : GY_STR("false");
    return gy_str_c(gy_arena_printf(a, "%.17g", gy_json_num(v)));
}

int gy_aws__rest_output(struct gy_aws_req *req, struct gy_http_header **hdrs, size_t *nhdrs,
                        int *status, struct gy_str *body)
{
    const struct gy_model_service *m = req->model;
    const struct gy_model_shape *os = req->mop && req->mop->output != GY_MODEL_NONE
                                          ? gy_model_shape(m, req->mop->output)
                                          : NULL;
    *status = req->mop ? req->mop->status : 200;
    *nhdrs = 0;
    bool plain = true;
    for (size_t i = 0; os && i < os->n; i++) {
        const struct gy_model_member *mm = gy_model_member(m, os, i);
        plain &= mm->location == GY_LOC_BODY && !(mm->flags & GY_MEMBER_PAYLOAD);
    }
    struct gy_http_header *h = gy_arena_calloc(req->arena, 2 + (os ? os->n : 0), sizeof(*h));
    *hdrs = h;
    h[(*nhdrs)++] = (struct gy_http_header){ GY_STR("Content-Type"), GY_STR("application/json") };
    if (plain) {
        *body = req->out.len ? gy_buf_str(&req->out) : (os ? GY_STR("{}") : GY_STR_NULL);
        if (*status == 204)
            *body = GY_STR_NULL;
        return 0;
    }

    const struct gy_json *tree = NULL;
    const char *why = NULL;
    if (req->out.len && gy_json_parse(req->arena, req->out.p, req->out.len, &tree, &why))
        return gy_error_set(&req->err, req->arena, GY_AWS_INTERNAL, "Internal server error");
    struct gy_buf *b = gy_arena_buf(req->arena, GY_AWS_MAX_RESPONSE);
    struct gy_jw w;
    gy_jw_init(&w, b);
    const struct gy_model_member *pm = NULL;
    for (size_t i = 0; i < os->n; i++)
        if (gy_model_member(m, os, i)->flags & GY_MEMBER_PAYLOAD)
            pm = gy_model_member(m, os, i);
    if (!pm)
        gy_jw_obj_begin(&w);
    for (size_t i = 0; i < os->n; i++) {
        const struct gy_model_member *mm = gy_model_member(m, os, i);
        const struct gy_json *v = gy_json_get(tree, mm->name);
        if (!v || gy_json_is(v, GY_JSON_NULL))
            continue;
        if (mm == pm) {
            const struct gy_model_shape *sh = gy_model_shape(m, mm->shape);
            if (sh->kind == GY_SHAPE_BLOB) {
                struct gy_str raw;
                if (gy_base64_decode(req->arena, gy_json_str(v), &raw, NULL))
                    return gy_error_set(&req->err, req->arena, GY_AWS_INTERNAL,
                                        "Internal server error");
                gy_buf_append_str(b, raw);
                h[0].value = GY_STR("application/octet-stream");
            } else if (sh->kind == GY_SHAPE_STRING) {
                gy_buf_append_str(b, gy_json_str(v));
            } else {
                gy_jw_value(&w, v);
            }
            continue;
        }
        switch (mm->location) {
        case GY_LOC_HEADER:
            h[(*nhdrs)++] = (struct gy_http_header){ gy_str_c(gy_model_member_wire(mm)),
                                                     header_text(req->arena, v) };
            break;
        case GY_LOC_STATUS_CODE: {
            int64_t s;
            if (gy_json_int(v, &s) && s >= 100 && s <= 599)
                *status = (int)s;
            break;
        }
        case GY_LOC_BODY:
            if (!pm) {
                gy_jw_key(&w, mm->name);
                gy_jw_value(&w, v);
            }
            break;
        default: break;
        }
    }
    if (!pm)
        gy_jw_obj_end(&w);
    if (w.err || b->oom)
        return gy_error_set(&req->err, req->arena, GY_AWS_INTERNAL, "Response too large");
    *body = *status == 204 ? GY_STR_NULL : gy_buf_str(b);
    return 0;
}

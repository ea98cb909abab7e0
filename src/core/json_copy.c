/*
 * json_copy.c — writing a parsed JSON value back through the streaming writer (see json.h).
 */
#include "core/json.h"

void gy_jw_value(struct gy_jw *w, const struct gy_json *j)
{
    int64_t i;
    bool bv;
    switch (gy_json_type(j)) {
    case GY_JSON_OBJECT:
        gy_jw_obj_begin(w);
        for (const struct gy_json *c = gy_json_child(j); c; c = gy_json_next(c)) {
            gy_jw_key_str(w, gy_json_key(c));
            gy_jw_value(w, c);
        }
        gy_jw_obj_end(w);
        break;
    case GY_JSON_ARRAY:
        gy_jw_arr_begin(w);
        for (const struct gy_json *c = gy_json_child(j); c; c = gy_json_next(c))
            gy_jw_value(w, c);
        gy_jw_arr_end(w);
        break;
    case GY_JSON_STRING: gy_jw_str(w, gy_json_str(j)); break;
    case GY_JSON_NUMBER:
        if (gy_json_int(j, &i))
            gy_jw_int(w, i);
        else
            gy_jw_double(w, gy_json_num(j));
        break;
    case GY_JSON_TRUE:
    case GY_JSON_FALSE:
        gy_json_bool(j, &bv);
        gy_jw_bool(w, bv);
        break;
    default: gy_jw_null(w); break;
    }
}

/*
 * test_expr_parse.c — lexer, parsers and semantic checks of DynamoDB expressions: syntax
 * errors (token and context), precedence, parentheses, reserved words, placeholders, functions,
 * operand types, limits, update sections and paths, projections, and the request maps.
 */
#include "test_expr_helpers.h"

#include "dynamodb/expr/expr_int.h"

#define VALS "{\":v\":{\"S\":\"x\"},\":n\":{\"N\":\"5\"},\":one\":{\"N\":\"1\"},\":s\":{\"S\":\"N\"}," \
             "\":b\":{\"BOOL\":true},\":ss\":{\"SS\":[\"a\"]},\":l\":{\"L\":[]},\":bad\":{\"S\":\"X\"}}"

/* Condition errors ignoring unused values (VALS has many). */
static const char *CE(const char *text)
{
    struct gy_expr_ctx *c = CTX("{\"#n\":\"name\",\"#d\":\"[3]\"}", VALS);
    struct gy_error err = { 0 };
    const struct gy_expr *e = NULL;
    int rc = gy_expr_parse_condition(c, gy_str_c(text), "ConditionExpression", &e, &err);
    return rc == 0 ? "OK" : err.message;
}

static const char *UE(const char *text)
{
    struct gy_expr_ctx *c = CTX("{\"#c\":\"c\",\"#d\":\"[3]\"}", VALS);
    struct gy_error err = { 0 };
    const struct gy_expr_update *u = NULL;
    struct gy_str keys[] = { GY_STR("pk"), GY_STR("sk") };
    int rc = gy_expr_parse_update(c, gy_str_c(text), keys, 2, &u, &err);
    return rc == 0 ? "OK" : err.message;
}

static const struct gy_expr *TREE(const char *text)
{
    struct gy_expr_ctx *c = CTX(NULL, VALS);
    struct gy_error err = { 0 };
    const struct gy_expr *e = NULL;
    if (gy_expr_parse_condition(c, gy_str_c(text), "ConditionExpression", &e, &err) != 0)
        fail_msg("%s: %s", text, err.message);
    return e;
}

static void test_lexer(void **state)
{
    struct gy_expr__toks t;
    gy_expr__lex(A, GY_STR(" a.b[12] <>:v AND #n>=01 and_x _ # é"), &t);
    static const enum gy_expr__tk want[] = {
        GY_TK_ID, GY_TK_DOT, GY_TK_ID, GY_TK_LB, GY_TK_INT, GY_TK_RB, GY_TK_NE, GY_TK_VALUE,
        GY_TK_AND, GY_TK_NAME, GY_TK_GE, GY_TK_INT, GY_TK_INT, GY_TK_ID, GY_TK_BAD, GY_TK_BAD,
        GY_TK_BAD, GY_TK_EOF,
    };
    assert_int_equal(t.n, sizeof(want) / sizeof(want[0]));
    for (uint32_t i = 0; i < t.n; i++)
        assert_int_equal(t.t[i].kind, want[i]);
    assert_int_equal(t.t[0].start, 1);
    assert_int_equal(t.t[4].start, 5);
    assert_int_equal(t.t[4].end, 7);
    assert_int_equal(t.t[11].end - t.t[11].start, 1); /* "01" is "0" then "1" */
    assert_int_equal(t.t[16].end - t.t[16].start, 2); /* é is one token of two bytes */
    assert_int_equal(t.t[17].start, t.t[17].end);
}

static void test_syntax_errors(void **state)
{
    assert_string_equal(CE("a = "),
                        "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"= \"");
    assert_string_equal(CE("a = = :v"),
                        "Invalid ConditionExpression: Syntax error; token: \"=\", near: \"= = :v\"");
    assert_string_equal(CE("_hidden = :v"),
                        "Invalid ConditionExpression: Syntax error; token: \"_\", near: \"_hidden\"");
    assert_string_equal(CE("a = :v b"),
                        "Invalid ConditionExpression: Syntax error; token: \"b\", near: \":v b\"");
    assert_string_equal(CE("a IN ()"),
                        "Invalid ConditionExpression: Syntax error; token: \")\", near: \"()\"");
    assert_string_equal(CE("a = é"),
                        "Invalid ConditionExpression: Syntax error; token: \"é\", near: \"= é\"");
    assert_string_equal(CE("a = \xff"), "Invalid ConditionExpression: Syntax error; token: "
                                         "\"\xEF\xBF\xBD\", near: \"= \xEF\xBF\xBD\"");
    assert_string_equal(CE("a"), "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", "
                                 "near: \"a\"");
    assert_string_equal(CE("NOT a"), "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", "
                                     "near: \"a\"");
    assert_string_equal(CE("(a)"), "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", "
                                   "near: \")\"");
    assert_string_equal(CE("a AND b = :v"), "Invalid ConditionExpression: Syntax error; token: "
                                            "\"AND\", near: \"a AND b\"");
    assert_string_equal(CE("a.:v = :v"), "Invalid ConditionExpression: Syntax error; token: "
                                         "\":v\", near: \".:v =\"");
    assert_string_equal(CE("a[x] = :v"), "Invalid ConditionExpression: Syntax error; token: "
                                         "\"x\", near: \"[x]\"");
    assert_string_equal(CE("a BETWEEN :v OR :v"),
                        "Invalid ConditionExpression: Syntax error; token: \"OR\", near: \":v OR :v\"");
    assert_string_equal(CE("(a = :v"),
                        "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \":v\"");
    assert_string_equal(CE("a = :v)"),
                        "Invalid ConditionExpression: Syntax error; token: \")\", near: \":v)\"");
    assert_string_equal(CE("a = 1"),
                        "Invalid ConditionExpression: Syntax error; token: \"1\", near: \"= 1\"");
    assert_string_equal(CE("#"),
                        "Invalid ConditionExpression: Syntax error; token: \"#\", near: \"#\"");
    assert_string_equal(CE(" "),
                        "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \" \"");
}

static void test_parens(void **state)
{
    assert_string_equal(CE("((a = :v))"), "Invalid ConditionExpression: The expression has "
                                          "redundant parentheses;");
    assert_string_equal(CE("((a)) = :v"), "Invalid ConditionExpression: The expression has "
                                          "redundant parentheses;");
    assert_string_equal(CE("(a) = :v"), "OK");
    assert_string_equal(CE("(size(a)) > :n"), "OK");
    assert_string_equal(CE("(attribute_exists(a))"), "OK");
    assert_string_equal(CE("(a = :v) AND (b = :v OR (c = :v))"), "OK");
    assert_string_equal(CE("NOT (a = :v)"), "OK");
    assert_string_equal(CE("a IN ((:v), :v)"), "OK");
}

static void test_precedence(void **state)
{
    const struct gy_expr *e = TREE("a = :v OR b = :v AND c = :v");
    assert_int_equal(e->kind, GY_EXPR_OR);
    assert_int_equal(e->args[0]->kind, GY_EXPR_EQ);
    assert_int_equal(e->args[1]->kind, GY_EXPR_AND);

    e = TREE("NOT a = :v AND b = :v");
    assert_int_equal(e->kind, GY_EXPR_AND);
    assert_int_equal(e->args[0]->kind, GY_EXPR_NOT);
    assert_int_equal(e->args[0]->args[0]->kind, GY_EXPR_EQ);

    e = TREE("(a = :v OR b = :v) AND c BETWEEN :one AND :n");
    assert_int_equal(e->kind, GY_EXPR_AND);
    assert_int_equal(e->args[0]->kind, GY_EXPR_OR);
    assert_int_equal(e->args[1]->kind, GY_EXPR_BETWEEN);

    e = TREE("a = :v AND b = :v AND c = :v");
    assert_int_equal(e->kind, GY_EXPR_AND);
    assert_int_equal(e->args[0]->kind, GY_EXPR_AND); /* left-associative */
}

static void test_tree_paths_and_values(void **state)
{
    struct gy_expr_ctx *c = CTX("{\"#z\":\"zed\"}", "{\":v\":{\"N\":\"7\"}}");
    struct gy_error err = { 0 };
    const struct gy_expr *e = NULL;
    assert_int_equal(gy_expr_parse_condition(c, GY_STR("x.y[3].#z <> :v"), "FilterExpression",
                                             &e, &err), 0);
    assert_int_equal(gy_expr_ctx_finish(c, &err), 0);
    assert_int_equal(e->kind, GY_EXPR_NE);
    const struct gy_expr_path *p = &e->args[0]->u.path;
    assert_int_equal(p->n, 4);
    assert_true(gy_str_eqc(p->e[0].name, "x"));
    assert_true(gy_str_eqc(p->e[1].name, "y"));
    assert_true(p->e[2].is_index);
    assert_int_equal(p->e[2].index, 3);
    assert_true(gy_str_eqc(p->e[3].name, "zed"));
    assert_int_equal(e->args[1]->kind, GY_EXPR_VALUE);
    assert_int_equal(e->args[1]->u.value->type, GY_DDB_N);
    assert_true(gy_str_eqc(e->args[1]->u.value->u.s, "7"));
}

static void test_size_limits(void **state)
{
    assert_string_equal(CE(""), "Invalid ConditionExpression: The expression can not be empty;");
    char *big = gy_arena_alloc(A, 4100);
    memset(big, ' ', 4097);
    memcpy(big, "a = :v", 6);
    big[4097] = 0;
    assert_string_equal(CE(big), "Invalid ConditionExpression: Expression size has exceeded the "
                                 "maximum allowed size; expression size: 4097");
    big[4096] = 0;
    assert_string_equal(CE(big), "OK");
}

static void test_reserved(void **state)
{
    assert_string_equal(CE("Status = :v"), "Invalid ConditionExpression: Attribute name is a "
                                           "reserved keyword; reserved keyword: Status");
    assert_string_equal(CE("a.name = :v"), "Invalid ConditionExpression: Attribute name is a "
                                           "reserved keyword; reserved keyword: name");
    assert_string_equal(CE("#n = :v"), "OK");
    assert_string_equal(CE("size = :v"), "OK");
    assert_string_equal(CE("statuses = :v"), "OK");
    assert_true(gy_expr_is_reserved(GY_STR("abort")));
    assert_true(gy_expr_is_reserved(GY_STR("ZONE")));
    assert_true(gy_expr_is_reserved(GY_STR("tTl")));
    assert_false(gy_expr_is_reserved(GY_STR("REMOVE")));
    assert_false(gy_expr_is_reserved(GY_STR("abc")));
    assert_false(gy_expr_is_reserved(GY_STR("")));
    assert_false(gy_expr_is_reserved(GY_STR("zones")));
}

static void test_placeholders(void **state)
{
    assert_string_equal(CE("a = :x"), "Invalid ConditionExpression: An expression attribute value "
                                      "used in expression is not defined; attribute value: :x");
    assert_string_equal(CE("#x = :v"), "Invalid ConditionExpression: An expression attribute name "
                                       "used in the document path is not defined; attribute name: #x");
    assert_string_equal(COND_ERR(NULL, NULL, "a = :v"),
                        "Invalid ConditionExpression: An expression attribute value used in "
                        "expression is not defined; attribute value: :v");
    /* unused: listed in java.util.HashSet order */
    assert_string_equal(COND_ERR("{\"#b\":\"b\",\"#a\":\"a\",\"#c\":\"c\"}", NULL, "#c = #c"),
                        "Invalid ConditionExpression: The first operand must be distinct from the "
                        "remaining operands for this operator or function; operator: =, first "
                        "operand: [c]");
    assert_string_equal(COND_ERR("{\"#b\":\"b\",\"#a\":\"a\",\"#c\":\"c\"}", "{\":v\":{\"S\":\"1\"}}",
                                 "#c = :v"),
                        "Value provided in ExpressionAttributeNames unused in expressions: keys: "
                        "{#a, #b}");
    assert_string_equal(COND_ERR(NULL, "{\":c\":{\"S\":\"1\"},\":a\":{\"S\":\"1\"},\":b\":{\"S\":\"1\"}}",
                                 "a = :b"),
                        "Value provided in ExpressionAttributeValues unused in expressions: keys: "
                        "{:a, :c}");
    assert_string_equal(COND_ERR("{\"#a\":\"a\"}", "{\":v\":{\"S\":\"1\"}}", "#a = :v"), "OK");
}

static void test_functions(void **state)
{
    assert_string_equal(CE("foo(a)"), "Invalid ConditionExpression: Invalid function name; "
                                      "function: foo");
    assert_string_equal(CE("size(a)"), "Invalid ConditionExpression: The function is not allowed "
                                       "to be used this way in an expression; function: size");
    assert_string_equal(CE("attribute_exists(a) = :v"),
                        "Invalid ConditionExpression: The function is not allowed to be used this "
                        "way in an expression; function: attribute_exists");
    assert_string_equal(CE("if_not_exists(a, :v) = :v"),
                        "Invalid ConditionExpression: The function is not allowed in a condition "
                        "expression; function: if_not_exists");
    assert_string_equal(CE("begins_with(a)"),
                        "Invalid ConditionExpression: Incorrect number of operands for operator or "
                        "function; operator or function: begins_with, number of operands: 1");
    assert_string_equal(CE("attribute_exists(:v)"),
                        "Invalid ConditionExpression: Operator or function requires a document "
                        "path; operator or function: attribute_exists");
    assert_string_equal(CE("attribute_type(a, :n)"),
                        "Invalid ConditionExpression: Incorrect operand type for operator or "
                        "function; operator or function: attribute_type, operand type: N");
    assert_string_equal(CE("attribute_type(a, :bad)"),
                        "Invalid ConditionExpression: Invalid attribute type name found; type: X, "
                        "valid types: {N,BS,L,B,NULL,M,S,SS,NS,BOOL}");
    assert_string_equal(CE("attribute_type(a, :s)"), "OK");
    assert_string_equal(CE("size(:n) > :n"),
                        "Invalid ConditionExpression: Incorrect operand type for operator or "
                        "function; operator or function: size, operand type: N");
    assert_string_equal(CE("begins_with(a, :n)"),
                        "Invalid ConditionExpression: Incorrect operand type for operator or "
                        "function; operator or function: begins_with, operand type: N");
    assert_string_equal(CE("contains(a, a)"),
                        "Invalid ConditionExpression: The first operand must be distinct from the "
                        "remaining operands for this operator or function; operator: contains, "
                        "first operand: [a]");
    assert_string_equal(CE("contains(a, :ss) AND size(a.b) < :n"), "OK");
}

static void test_operand_types(void **state)
{
    assert_string_equal(CE("a < :b"), "Invalid ConditionExpression: Incorrect operand type for "
                                      "operator or function; operator or function: <, operand "
                                      "type: BOOL");
    assert_string_equal(CE("a = :b"), "OK");
    assert_string_equal(CE("a BETWEEN :n AND :v"),
                        "Invalid ConditionExpression: The BETWEEN operator requires same data type "
                        "for lower and upper bounds; lower bound operand: AttributeValue: {N:5}, "
                        "upper bound operand: AttributeValue: {S:x}");
    assert_string_equal(CE("a BETWEEN :n AND :one"),
                        "Invalid ConditionExpression: The BETWEEN operator requires upper bound to "
                        "be greater than or equal to lower bound; lower bound operand: "
                        "AttributeValue: {N:5}, upper bound operand: AttributeValue: {N:1}");
    assert_string_equal(CE("a BETWEEN :ss AND :ss"),
                        "Invalid ConditionExpression: Incorrect operand type for operator or "
                        "function; operator or function: BETWEEN, operand type: SS");
    assert_string_equal(CE("a BETWEEN :one AND :n"), "OK");
    assert_string_equal(CE("a = a"), "Invalid ConditionExpression: The first operand must be "
                                     "distinct from the remaining operands for this operator or "
                                     "function; operator: =, first operand: [a]");
    assert_string_equal(CE("#d = a"), "OK");
}

static void test_limits(void **state)
{
    char buf[2048];
    size_t n = (size_t)snprintf(buf, sizeof(buf), "a IN (:v");
    for (int i = 1; i < 101; i++)
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, ",:v");
    snprintf(buf + n, sizeof(buf) - n, ")");
    assert_string_equal(CE(buf), "Invalid ConditionExpression: The IN operator is provided with "
                                 "too many operands; number of operands: 101");
    n = (size_t)snprintf(buf, sizeof(buf), "a IN (:v");
    for (int i = 1; i < 100; i++)
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, ",:v");
    snprintf(buf + n, sizeof(buf) - n, ")");
    assert_string_equal(CE(buf), "OK");

    n = (size_t)snprintf(buf, sizeof(buf), "a");
    for (int i = 1; i < 33; i++)
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, ".a");
    snprintf(buf + n, sizeof(buf) - n, " = :v");
    assert_string_equal(CE(buf), "Invalid ConditionExpression: The document path has too many "
                                 "nesting levels; nesting levels: 33");
    n = (size_t)snprintf(buf, sizeof(buf), "a");
    for (int i = 1; i < 32; i++)
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "[1]");
    snprintf(buf + n, sizeof(buf) - n, " = :v");
    assert_string_equal(CE(buf), "OK");

    assert_string_equal(CE("a[2147483648] = :v"), "Invalid ConditionExpression: List index is not "
                                                  "within the allowable range; index: [2147483648]");
    assert_string_equal(CE("a[2147483647] = :v"), "OK");

    /* Deep nesting within the size limit parses without trouble. */
    char *deep = gy_arena_alloc(A, 4096);
    n = 0;
    for (int i = 0; i < 1000; i++)
        deep[n++] = '(';
    memcpy(deep + n, "a = :v", 6);
    n += 6;
    for (int i = 0; i < 1000; i++)
        deep[n++] = ')';
    deep[n] = 0;
    assert_string_equal(CE(deep), "Invalid ConditionExpression: The expression has redundant "
                                  "parentheses;");
    /* 299 levels of NOT ( ... ) around a comparison: 300 operators, the most allowed. */
    n = 0;
    for (int i = 0; i < 299; i++) {
        memcpy(deep + n, "NOT (", 5);
        n += 5;
    }
    memcpy(deep + n, "a = :v", 6);
    n += 6;
    for (int i = 0; i < 299; i++)
        deep[n++] = ')';
    deep[n] = 0;
    assert_string_equal(CE(deep), "OK");
    deep[n - 1] = 0; /* truncated */
    assert_string_equal(CE(deep), "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", "
                                  "near: \")\"");
}

/* Build into `out` (4096 bytes): prefix, then `rep` times `unit` joined by `sep`, then suffix. */
static const char *repeat(char *out, const char *prefix, const char *unit, const char *sep,
                          int rep, const char *suffix)
{
    size_t n = (size_t)snprintf(out, 4096, "%s", prefix);
    for (int i = 0; i < rep; i++) {
        n += (size_t)snprintf(out + n, 4096 - n, "%s%s", i ? sep : "", unit);
        assert_true(n < 4096);
    }
    n += (size_t)snprintf(out + n, 4096 - n, "%s", suffix);
    assert_true(n < 4096);
    return out;
}

static void test_operator_count(void **state)
{
    char *b = gy_arena_alloc(A, 4096);
    const char *too_many = "Invalid ConditionExpression: The expression contains too many "
                           "operators; operator count: 301";
    /* Comparators and AND/OR: 2n - 1 operators for n comparisons. */
    assert_string_equal(CE(repeat(b, "", "a = :v", " AND ", 150, "")), "OK");
    assert_string_equal(CE(repeat(b, "", "a = :v", " AND ", 151, "")), too_many);
    assert_string_equal(CE(repeat(b, "", "a < :v", " OR ", 151, "")), too_many);
    /* NOT, the count stops at 301 however many follow. */
    assert_string_equal(CE(repeat(b, "", "NOT", " ", 299, " a = :v")), "OK");
    assert_string_equal(CE(repeat(b, "", "NOT", " ", 300, " a = :v")), too_many);
    assert_string_equal(CE(repeat(b, "", "NOT", " ", 1000, " a = :v")), too_many);
    /* Functions, BETWEEN and IN count once each. */
    assert_string_equal(CE(repeat(b, "", "attribute_exists(a)", " OR ", 150, "")), "OK");
    assert_string_equal(CE(repeat(b, "", "attribute_exists(a)", " OR ", 151, "")), too_many);
    assert_string_equal(CE(repeat(b, "", "a BETWEEN :v AND :v", " OR ", 150, "")), "OK");
    assert_string_equal(CE(repeat(b, "", "a BETWEEN :v AND :v", " OR ", 151, "")), too_many);
    assert_string_equal(CE(repeat(b, "", "a IN (:v,:v)", " OR ", 151, "")), too_many);
    /* Update expressions: + and - and function calls. */
    assert_string_equal(UE(repeat(b, "SET ", "a = :v + :v", ", ", 301, "")),
                        "Invalid UpdateExpression: The expression contains too many operators; "
                        "operator count: 301");
    assert_string_equal(UE(repeat(b, "SET ", "a=if_not_exists(b,:v)+:v", ",", 151, "")),
                        "Invalid UpdateExpression: The expression contains too many operators; "
                        "operator count: 301");
    /* 300 distinct SET actions, each with one -: the most allowed. */
    size_t n = (size_t)snprintf(b, 4096, "SET x0=:n-:one");
    for (int i = 1; i < 300; i++)
        n += (size_t)snprintf(b + n, 4096 - n, ",x%d=:n-:one", i);
    assert_true(n < 4096);
    assert_string_equal(UE(b), "OK");
}

static void test_nesting_bounded(void **state)
{
    char *b = gy_arena_alloc(A, 4096);
    const char *redundant = "Invalid ConditionExpression: The expression has redundant "
                            "parentheses;";
    /* Thousands of open parentheses (balanced or not) stop at the nesting bound. */
    assert_string_equal(CE(repeat(b, "", "(", "", 4000, "a")),
                        "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"a\"");
    assert_string_equal(CE(repeat(b, "", "(", "", 4000, "")),
                        "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"(\"");
    assert_string_equal(UE(repeat(b, "SET a = ", "(", "", 4000, ":v")),
                        "Invalid UpdateExpression: Syntax error; token: \"<EOF>\", near: \":v\"");
    char *c = gy_arena_alloc(A, 4096);
    snprintf(c, 4096, "%s%s", repeat(b, "", "(", "", 2000, "a = :v"),
             repeat(gy_arena_alloc(A, 4096), "", ")", "", 2000, ""));
    assert_string_equal(CE(c), redundant);
    snprintf(c, 4096, "SET a = %s%s", repeat(b, "", "(", "", 2000, ":v"),
             repeat(gy_arena_alloc(A, 4096), "", ")", "", 2000, ""));
    assert_string_equal(UE(c),
                        "Invalid UpdateExpression: The expression has redundant parentheses;");
    /* Nesting that holds operators ends at the operator limit first. */
    assert_string_equal(CE(repeat(b, "", "NOT (", "", 600, "a = :v")),
                        "Invalid ConditionExpression: The expression contains too many "
                        "operators; operator count: 301");
    assert_string_equal(CE(repeat(b, "", "size(", "", 800, "a")),
                        "Invalid ConditionExpression: The expression contains too many "
                        "operators; operator count: 301");
}

static void test_update_errors(void **state)
{
    assert_string_equal(UE("SET a = :v SET b = :v"),
                        "Invalid UpdateExpression: The \"SET\" section can only be used once in an "
                        "update expression;");
    assert_string_equal(UE("remove a set b = :v REMOVE c"),
                        "Invalid UpdateExpression: The \"REMOVE\" section can only be used once in "
                        "an update expression;");
    assert_string_equal(UE("SET status = :v"),
                        "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved "
                        "keyword: status");
    assert_string_equal(UE("ADD a :v"),
                        "Invalid UpdateExpression: Incorrect operand type for operator or function; "
                        "operator: ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND");
    assert_string_equal(UE("DELETE a :n"),
                        "Invalid UpdateExpression: Incorrect operand type for operator or function; "
                        "operator: DELETE, operand type: NUMBER, typeSet: ALLOWED_FOR_DELETE_OPERAND");
    assert_string_equal(UE("ADD a :l"),
                        "Invalid UpdateExpression: Incorrect operand type for operator or function; "
                        "operator: ADD, operand type: LIST, typeSet: ALLOWED_FOR_ADD_OPERAND");
    assert_string_equal(UE("ADD a :n, b :ss DELETE c :ss"), "OK");
    assert_string_equal(UE("SET d[1] = :v, d.b = :v, c[1].a = :v, #c = if_not_exists(a, :v)"),
                        "Invalid UpdateExpression: Two document paths overlap with each other; must "
                        "remove or rewrite one of these paths; path one: [c, [1], a], path two: [c]");
    assert_string_equal(UE("SET #c[3].#d = :v, #c[3] = :v"),
                        "Invalid UpdateExpression: Two document paths overlap with each other; must "
                        "remove or rewrite one of these paths; path one: [c, [3], [3]], path two: "
                        "[c, [3]]");
    assert_string_equal(UE("SET #c[3].#d = :v, #c.#d[3] = :v"),
                        "Invalid UpdateExpression: Two document paths conflict with each other; must "
                        "remove or rewrite one of these paths; path one: [c, [3], [3]], path two: "
                        "[c, [3], [3]]");
    assert_string_equal(UE("REMOVE a.c SET a[1] = :v"),
                        "Invalid UpdateExpression: Two document paths conflict with each other; must "
                        "remove or rewrite one of these paths; path one: [a, c], path two: [a, [1]]");
    assert_string_equal(UE("REMOVE a[1], a[1]"),
                        "Invalid UpdateExpression: Two document paths overlap with each other; must "
                        "remove or rewrite one of these paths; path one: [a, [1]], path two: [a, [1]]");
    assert_string_equal(UE("REMOVE a[1], a[2], a.b2[1]"),
                        "Invalid UpdateExpression: Two document paths conflict with each other; must "
                        "remove or rewrite one of these paths; path one: [a, [2]], path two: [a, b2, "
                        "[1]]");
    assert_string_equal(UE("SET pk = :v"), "One or more parameter values were invalid: Cannot update "
                                           "attribute pk. This attribute is part of the key");
    assert_string_equal(UE("ADD sk.x :n"), "One or more parameter values were invalid: Cannot update "
                                           "attribute sk. This attribute is part of the key");
    assert_string_equal(UE("SET a = size(b)"),
                        "Invalid UpdateExpression: The function is not allowed in an update "
                        "expression; function: size");
    assert_string_equal(UE("SET a = if_not_exists(:v, b)"),
                        "Invalid UpdateExpression: Operator or function requires a document path; "
                        "operator or function: if_not_exists");
    assert_string_equal(UE("SET a = list_append(:v, a)"),
                        "Invalid UpdateExpression: Incorrect operand type for operator or function; "
                        "operator or function: list_append, operand type: S");
    assert_string_equal(UE("SET a = a + :v"),
                        "Invalid UpdateExpression: Incorrect operand type for operator or function; "
                        "operator or function: +, operand type: S");
    assert_string_equal(UE("SET a = :ss - a"),
                        "Invalid UpdateExpression: Incorrect operand type for operator or function; "
                        "operator or function: -, operand type: SS");
    assert_string_equal(UE("SET a = if_not_exists(a)"),
                        "Invalid UpdateExpression: Incorrect number of operands for operator or "
                        "function; operator or function: if_not_exists, number of operands: 1");
    assert_string_equal(UE("SET a = foo(a)"),
                        "Invalid UpdateExpression: Invalid function name; function: foo");
    assert_string_equal(UE("SET #x = :v"),
                        "Invalid UpdateExpression: An expression attribute name used in the document "
                        "path is not defined; attribute name: #x");
    assert_string_equal(UE("SET a = :zz"),
                        "Invalid UpdateExpression: An expression attribute value used in expression "
                        "is not defined; attribute value: :zz");
    assert_string_equal(UE(""), "Invalid UpdateExpression: The expression can not be empty;");
}

static void test_update_syntax(void **state)
{
    static const char *const bad[] = {
        "whatever", "set a", "add a", "delete a", "set a=set", "remove a = b", "add a = b",
        "delete a b", "remove a b", "set a b", "set :a = b", "add :a b", "remove :a",
        "set a = b / c", "set a[1] = 1", "SET if_not_exists(a, b) = a", "set a = (b.c).d + e",
        "set a = b + c + d", "SET a = :v,", "set (a = (b + c))",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *m = UE(bad[i]);
        if (strncmp(m, "Invalid UpdateExpression: Syntax error; ", 40) != 0)
            fail_msg("'%s' gave: %s", bad[i], m);
    }
    assert_string_equal(UE("whatever"), "Invalid UpdateExpression: Syntax error; token: "
                                        "\"whatever\", near: \"whatever\"");
    assert_string_equal(UE("SET a = :v,"), "Invalid UpdateExpression: Syntax error; token: "
                                           "\"<EOF>\", near: \",\"");
    assert_string_equal(UE("set a = b / c"), "Invalid UpdateExpression: Syntax error; token: "
                                             "\"/\", near: \"b / c\"");
    assert_string_equal(UE("set a = (b + :one), c = (d) - :n remove e add f :n delete g :ss"), "OK");
    assert_string_equal(UE("set a = list_append(if_not_exists(a, :l), :l)"), "OK");
}

static void test_update_tree(void **state)
{
    struct gy_expr_ctx *c = CTX("{\"#x\":\"x\"}", "{\":v\":{\"N\":\"1\"},\":s\":{\"NS\":[\"1\"]}}");
    struct gy_error err = { 0 };
    const struct gy_expr_update *u = NULL;
    assert_int_equal(gy_expr_parse_update(c, GY_STR("ADD n :v REMOVE #x[2] SET a.b = a.b + :v "
                                                    "DELETE s :s"),
                                          NULL, 0, &u, &err), 0);
    assert_int_equal(gy_expr_ctx_finish(c, &err), 0);
    assert_int_equal(u->n, 4);
    assert_int_equal(u->a[0].kind, GY_EXPR_ACT_ADD);
    assert_int_equal(u->a[1].kind, GY_EXPR_ACT_REMOVE);
    assert_int_equal(u->a[1].path.n, 2);
    assert_true(gy_str_eqc(u->a[1].path.e[0].name, "x"));
    assert_int_equal(u->a[1].path.e[1].index, 2);
    assert_null(u->a[1].val);
    assert_int_equal(u->a[2].kind, GY_EXPR_ACT_SET);
    assert_int_equal(u->a[2].val->kind, GY_EXPR_PLUS);
    assert_int_equal(u->a[3].kind, GY_EXPR_ACT_DELETE);
    assert_int_equal(u->a[3].clause, 3);
}

static void test_projection(void **state)
{
    assert_string_equal(PROJ_ERR(NULL, "a, b.c[1], #x"),
                        "Invalid ProjectionExpression: An expression attribute name used in the "
                        "document path is not defined; attribute name: #x");
    assert_string_equal(PROJ_ERR("{\"#x\":\"x\"}", "a, b.c[1], #x"), "OK");
    assert_string_equal(PROJ_ERR("{\"#x\":\"x\",\"#y\":\"y\"}", "a, #x"),
                        "Value provided in ExpressionAttributeNames unused in expressions: keys: "
                        "{#y}");
    assert_string_equal(PROJ_ERR(NULL, "a, a.b"),
                        "Invalid ProjectionExpression: Two document paths overlap with each other; "
                        "must remove or rewrite one of these paths; path one: [a], path two: [a, b]");
    assert_string_equal(PROJ_ERR(NULL, "a.b, a[1]"),
                        "Invalid ProjectionExpression: Two document paths conflict with each other; "
                        "must remove or rewrite one of these paths; path one: [a, b], path two: "
                        "[a, [1]]");
    assert_string_equal(PROJ_ERR(NULL, "!!"), "Invalid ProjectionExpression: Syntax error; token: "
                                              "\"!\", near: \"!!\"");
    assert_string_equal(PROJ_ERR(NULL, "a, name"),
                        "Invalid ProjectionExpression: Attribute name is a reserved keyword; "
                        "reserved keyword: name");
    assert_string_equal(PROJ_ERR(NULL, "a,"), "Invalid ProjectionExpression: Syntax error; token: "
                                              "\"<EOF>\", near: \",\"");
    assert_string_equal(PROJ_ERR(NULL, "size(a)"), "Invalid ProjectionExpression: Syntax error; "
                                                   "token: \"(\", near: \"size(a\"");
}

static const char *CTX_ERR(const char *names, const char *values)
{
    struct gy_expr_ctx *c = NULL;
    struct gy_error err = { 0 };
    int rc = gy_expr_ctx_from_request(A, J(names), J(values), &c, &err);
    return rc == 0 ? "OK" : err.message;
}

static void test_request_maps(void **state)
{
    assert_string_equal(CTX_ERR("{}", NULL), "ExpressionAttributeNames must not be empty");
    assert_string_equal(CTX_ERR("{\"a\":\"a\"}", NULL),
                        "ExpressionAttributeNames contains invalid key: Syntax error; key: \"a\"");
    assert_string_equal(CTX_ERR("{\"#a\":\"\"}", NULL),
                        "ExpressionAttributeNames contains invalid value: Empty attribute name for "
                        "key #a");
    assert_string_equal(CTX_ERR(NULL, "{}"), "ExpressionAttributeValues must not be empty");
    assert_string_equal(CTX_ERR(NULL, "{\":b\":{\"S\":\"a\"},\"b\":{\"S\":\"a\"}}"),
                        "ExpressionAttributeValues contains invalid key: Syntax error; key: \"b\"");
    assert_string_equal(CTX_ERR(NULL, "{\":#\":{\"S\":\"a\"}}"),
                        "ExpressionAttributeValues contains invalid key: Syntax error; key: \":#\"");
    const char *m = CTX_ERR(NULL, "{\":b\":{\"SS\":[]}}");
    assert_string_equal(m, "ExpressionAttributeValues contains invalid value: One or more "
                           "parameter values were invalid: An string set  may not be empty for key "
                           ":b");
    assert_string_equal(CTX_ERR("{\"#a\":\"a\"}", "{\":b\":{\"N\":\"1\"}}"), "OK");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_lexer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_syntax_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parens, setup, teardown),
        cmocka_unit_test_setup_teardown(test_precedence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tree_paths_and_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_size_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reserved, setup, teardown),
        cmocka_unit_test_setup_teardown(test_placeholders, setup, teardown),
        cmocka_unit_test_setup_teardown(test_functions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_operand_types, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_operator_count, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nesting_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_syntax, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_tree, setup, teardown),
        cmocka_unit_test_setup_teardown(test_projection, setup, teardown),
        cmocka_unit_test_setup_teardown(test_request_maps, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

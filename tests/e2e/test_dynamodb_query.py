"""Query: key conditions on S, N and B sort keys, direction, pagination, filters, Select,
projections, the legacy KeyConditions/QueryFilter, the 1 MB page, consumed capacity and the
validation errors DynamoDB returns."""

import math
from decimal import Decimal

import pytest

import gyre
from gyre import expect_error, expect_raw_error

INVALID = "One or more parameter values were invalid: "
VALIDATION = "ValidationException"
MAX_PAGES = 200  # every pagination loop in this file is bounded by this


# ---- helpers ------------------------------------------------------------------------------------

def batch_put(ddb, table, items):
    """Write items 25 at a time, retrying UnprocessedItems a bounded number of times."""
    for start in range(0, len(items), 25):
        pending = {table: [{"PutRequest": {"Item": it}} for it in items[start:start + 25]]}
        for _ in range(10):
            out = ddb.batch_write_item(RequestItems=pending)
            pending = out.get("UnprocessedItems") or {}
            if not pending:
                break
        assert not pending, f"items still unprocessed after 10 attempts: {pending}"


def query_pages(ddb, **kw):
    """Every page of a Query, following LastEvaluatedKey (bounded)."""
    pages = []
    kw = dict(kw)
    for _ in range(MAX_PAGES):
        out = ddb.query(**kw)
        pages.append(out)
        lek = out.get("LastEvaluatedKey")
        if not lek:
            return pages
        kw["ExclusiveStartKey"] = lek
    raise AssertionError(f"query did not finish within {MAX_PAGES} pages")


def sk_values(items, attr="SK"):
    """The sort key of each item, decoded to a comparable Python value."""
    out = []
    for it in items:
        (t, v), = it[attr].items()
        out.append(Decimal(v) if t == "N" else v)
    return out


def item_size(item):
    """DynamoDB's item size for items made of S attributes only (name + UTF-8 value)."""
    total = 0
    for name, av in item.items():
        (t, v), = av.items()
        assert t == "S"
        total += len(name.encode()) + len(v.encode())
    return total


@pytest.fixture
def num_table(ddb, name):
    table = name("-n")
    gyre.create_table(ddb, table, "PK", "SK", range_type="N")
    return table


@pytest.fixture
def bin_table(ddb, name):
    table = name("-b")
    gyre.create_table(ddb, table, "PK", "SK", range_type="B")
    return table


@pytest.fixture
def hash_only(ddb, name):
    table = name("-h")
    gyre.create_table(ddb, table, "PK")
    return table


# ---- sort-key operators -------------------------------------------------------------------------

STRINGS = ["A", "Z", "a", "aa", "ab", "abc", "b", "ba", "c", "~", "é", "éa", "中", "中文"]
UTF8 = lambda s: s.encode("utf-8")  # noqa: E731  DynamoDB orders S keys by UTF-8 bytes

S_CASES = [
    ("#s = :a", {":a": "ab"}, lambda v: v == "ab"),
    ("#s = :a", {":a": "zz"}, lambda v: False),
    ("#s < :a", {":a": "b"}, lambda v: UTF8(v) < b"b"),
    ("#s <= :a", {":a": "ba"}, lambda v: UTF8(v) <= b"ba"),
    ("#s > :a", {":a": "ab"}, lambda v: UTF8(v) > b"ab"),
    ("#s >= :a", {":a": "ab"}, lambda v: UTF8(v) >= b"ab"),
    ("#s > :a", {":a": "z"}, lambda v: UTF8(v) > b"z"),
    ("#s BETWEEN :a AND :b", {":a": "aa", ":b": "c"}, lambda v: b"aa" <= UTF8(v) <= b"c"),
    ("#s BETWEEN :a AND :b", {":a": "ab", ":b": "ab"}, lambda v: v == "ab"),
    ("#s BETWEEN :a AND :b", {":a": "b0", ":b": "é"}, lambda v: b"b0" <= UTF8(v) <= UTF8("é")),
    ("begins_with(#s, :a)", {":a": "a"}, lambda v: v.startswith("a")),
    ("begins_with(#s, :a)", {":a": "ab"}, lambda v: v.startswith("ab")),
    ("begins_with(#s, :a)", {":a": "é"}, lambda v: v.startswith("é")),
    ("begins_with(#s, :a)", {":a": "中"}, lambda v: v.startswith("中")),
    ("begins_with(#s, :a)", {":a": "q"}, lambda v: False),
]


@pytest.fixture(scope="module")
def s_table(server):
    ddb = server.client()
    table = gyre.unique("query-s")
    gyre.create_table(ddb, table, "PK", "SK")
    items = [{"PK": {"S": pk}, "SK": {"S": s}, "v": {"S": f"{pk}/{s}"}}
             for pk in ("o", "p", "pp") for s in STRINGS]
    batch_put(ddb, table, items)
    return table


@pytest.mark.parametrize("cond, values, pred", S_CASES)
def test_string_sort_key_operators(ddb, s_table, cond, values, pred):
    expected = sorted((s for s in STRINGS if pred(s)), key=UTF8)
    for forward in (True, False):
        out = ddb.query(TableName=s_table, KeyConditionExpression=f"PK = :p AND {cond}",
                        ExpressionAttributeNames={"#s": "SK"},
                        ExpressionAttributeValues={":p": {"S": "p"},
                                                   **{k: {"S": v} for k, v in values.items()}},
                        ScanIndexForward=forward)
        want = expected if forward else expected[::-1]
        assert sk_values(out["Items"]) == want
        assert [it["PK"]["S"] for it in out["Items"]] == ["p"] * len(want)
        assert [it["v"]["S"] for it in out["Items"]] == [f"p/{s}" for s in want]
        assert out["Count"] == out["ScannedCount"] == len(want)
        assert "LastEvaluatedKey" not in out


def test_partition_only_query_in_both_directions(ddb, s_table):
    expected = sorted(STRINGS, key=UTF8)
    out = ddb.query(TableName=s_table, KeyConditionExpression="PK = :p",
                    ExpressionAttributeValues={":p": {"S": "p"}})
    assert sk_values(out["Items"]) == expected
    out = ddb.query(TableName=s_table, KeyConditionExpression="PK = :p",
                    ExpressionAttributeValues={":p": {"S": "p"}}, ScanIndexForward=False)
    assert sk_values(out["Items"]) == expected[::-1]
    # A partition key that does not exist, and one that is a prefix of existing ones.
    for pk in ("nope", "pp"):
        out = ddb.query(TableName=s_table, KeyConditionExpression="PK = :p",
                        ExpressionAttributeValues={":p": {"S": pk}})
        assert out["Count"] == (len(STRINGS) if pk == "pp" else 0)
        assert {it["PK"]["S"] for it in out["Items"]} <= {pk}


NUMBERS = ["-1e10", "-100", "-10.5", "-1", "-0.5", "-0.001", "0", "0.001", "0.5", "1", "1.5",
           "2", "10", "100", "1E+10", "99999999999999999999999999999999999999",
           "-99999999999999999999999999999999999999", "1e-100", "-1e-100"]

N_CASES = [
    ("SK = :a", {":a": "-10.50"}, lambda v: v == Decimal("-10.5")),
    ("SK = :a", {":a": "10000000000"}, lambda v: v == Decimal("1e10")),
    ("SK < :a", {":a": "0"}, lambda v: v < 0),
    ("SK <= :a", {":a": "-1"}, lambda v: v <= -1),
    ("SK > :a", {":a": "-10.5"}, lambda v: v > Decimal("-10.5")),
    ("SK >= :a", {":a": "0.001"}, lambda v: v >= Decimal("0.001")),
    ("SK > :a", {":a": "0"}, lambda v: v > 0),
    ("SK < :a", {":a": "1e-99"}, lambda v: v < Decimal("1e-99")),
    ("SK BETWEEN :a AND :b", {":a": "-1", ":b": "1"}, lambda v: -1 <= v <= 1),
    ("SK BETWEEN :a AND :b", {":a": "-0.75", ":b": "1.25"},
     lambda v: Decimal("-0.75") <= v <= Decimal("1.25")),
    ("SK BETWEEN :a AND :b", {":a": "-1e10", ":b": "-1e10"}, lambda v: v == Decimal("-1e10")),
    ("SK BETWEEN :a AND :b", {":a": "2", ":b": "9"}, lambda v: 2 <= v <= 9),
]


@pytest.mark.parametrize("cond, values, pred", N_CASES)
def test_number_sort_key_operators(ddb, num_table, cond, values, pred):
    batch_put(ddb, num_table, [{"PK": {"S": pk}, "SK": {"N": n}} for pk in ("n", "m")
                               for n in NUMBERS])
    expected = sorted(Decimal(n) for n in NUMBERS if pred(Decimal(n)))
    for forward in (True, False):
        out = ddb.query(TableName=num_table, KeyConditionExpression=f"PK = :p AND {cond}",
                        ExpressionAttributeValues={":p": {"S": "n"},
                                                   **{k: {"N": v} for k, v in values.items()}},
                        ScanIndexForward=forward)
        assert sk_values(out["Items"]) == (expected if forward else expected[::-1])
        assert out["Count"] == len(expected)


def test_number_sort_keys_come_back_canonical(ddb, num_table):
    batch_put(ddb, num_table, [{"PK": {"S": "c"}, "SK": {"N": n}}
                               for n in ("1E+10", "-10.50", "0.0010", "007")])
    out = ddb.query(TableName=num_table, KeyConditionExpression="PK = :p",
                    ExpressionAttributeValues={":p": {"S": "c"}})
    assert [it["SK"]["N"] for it in out["Items"]] == ["-10.5", "0.001", "7", "10000000000"]


BINARIES = [b"\x00", b"\x00\x00", b"\x00\x01", b"\x01", b"\x7f", b"\x7f\xff", b"\x80",
            b"\x80\x00", b"\xfe", b"\xff", b"\xff\x00", b"\xff\xff", b"a", b"ab"]

B_CASES = [
    ("SK = :a", {":a": b"\x7f\xff"}, lambda v: v == b"\x7f\xff"),
    ("SK < :a", {":a": b"\x80"}, lambda v: v < b"\x80"),
    ("SK <= :a", {":a": b"\x80"}, lambda v: v <= b"\x80"),
    ("SK > :a", {":a": b"\x7f"}, lambda v: v > b"\x7f"),
    ("SK >= :a", {":a": b"\xfe"}, lambda v: v >= b"\xfe"),
    ("SK BETWEEN :a AND :b", {":a": b"\x00\x01", ":b": b"\x80"},
     lambda v: b"\x00\x01" <= v <= b"\x80"),
    ("begins_with(SK, :a)", {":a": b"\x00"}, lambda v: v.startswith(b"\x00")),
    ("begins_with(SK, :a)", {":a": b"\xff"}, lambda v: v.startswith(b"\xff")),
    ("begins_with(SK, :a)", {":a": b"\x80"}, lambda v: v.startswith(b"\x80")),
    ("begins_with(SK, :a)", {":a": b"a"}, lambda v: v.startswith(b"a")),
]


@pytest.mark.parametrize("cond, values, pred", B_CASES)
def test_binary_sort_key_operators(ddb, bin_table, cond, values, pred):
    batch_put(ddb, bin_table, [{"PK": {"S": pk}, "SK": {"B": b}} for pk in ("b", "a", "c")
                               for b in BINARIES])
    expected = sorted(b for b in BINARIES if pred(b))  # unsigned byte order
    for forward in (True, False):
        out = ddb.query(TableName=bin_table, KeyConditionExpression=f"PK = :p AND {cond}",
                        ExpressionAttributeValues={":p": {"S": "b"},
                                                   **{k: {"B": v} for k, v in values.items()}},
                        ScanIndexForward=forward)
        assert sk_values(out["Items"]) == (expected if forward else expected[::-1])


def test_number_and_binary_partition_keys(ddb, name):
    table = name("-nb")
    gyre.create_table(ddb, table, "P", "S", hash_type="N", range_type="B")
    batch_put(ddb, table, [{"P": {"N": p}, "S": {"B": bytes([i])}}
                           for p in ("-1.5", "0", "1.50") for i in (3, 200, 1)])
    out = ddb.query(TableName=table, KeyConditionExpression="P = :p",
                    ExpressionAttributeValues={":p": {"N": "1.5"}})
    assert [it["S"]["B"] for it in out["Items"]] == [b"\x01", b"\x03", b"\xc8"]
    assert {it["P"]["N"] for it in out["Items"]} == {"1.5"}


# ---- pagination ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def paged_table(server):
    ddb = server.client()
    table = gyre.unique("query-pages")
    gyre.create_table(ddb, table, "PK", "SK")
    items = []
    for pk, n in (("o", 10), ("p", 57), ("q", 10)):
        for i in range(n):
            items.append({"PK": {"S": pk}, "SK": {"S": f"{i:03d}"}, "i": {"N": str(i)},
                          "even": {"BOOL": i % 2 == 0}})
    batch_put(ddb, table, items)
    return table


@pytest.mark.parametrize("limit", [1, 4, 7, 19, 56, 57, 100])
@pytest.mark.parametrize("forward", [True, False])
def test_pagination_collects_every_item_once(ddb, paged_table, limit, forward):
    pages = query_pages(ddb, TableName=paged_table, KeyConditionExpression="PK = :p",
                        ExpressionAttributeValues={":p": {"S": "p"}}, Limit=limit,
                        ScanIndexForward=forward)
    got = [it["SK"]["S"] for page in pages for it in page["Items"]]
    want = [f"{i:03d}" for i in range(57)]
    assert got == (want if forward else want[::-1])
    for page in pages[:-1]:
        assert page["Count"] == page["ScannedCount"] == limit
        # LastEvaluatedKey is exactly the primary key of the last item returned.
        last = page["Items"][-1]
        assert page["LastEvaluatedKey"] == {"PK": last["PK"], "SK": last["SK"]}
    assert "LastEvaluatedKey" not in pages[-1]
    # A page that stops on the Limit reports LastEvaluatedKey even when nothing follows.
    assert len(pages) == (57 // limit + 1 if limit <= 57 else 1)
    if 57 % limit == 0:
        assert pages[-1]["Items"] == [] and pages[-1]["Count"] == 0


@pytest.mark.parametrize("forward", [True, False])
def test_pagination_within_a_key_range(ddb, paged_table, forward):
    pages = query_pages(ddb, TableName=paged_table,
                        KeyConditionExpression="PK = :p AND SK BETWEEN :a AND :b",
                        ExpressionAttributeValues={":p": {"S": "p"}, ":a": {"S": "010"},
                                                   ":b": {"S": "033"}},
                        Limit=5, ScanIndexForward=forward)
    got = [it["SK"]["S"] for page in pages for it in page["Items"]]
    want = [f"{i:03d}" for i in range(10, 34)]
    assert got == (want if forward else want[::-1])
    assert len(pages) == 5

    pages = query_pages(ddb, TableName=paged_table,
                        KeyConditionExpression="PK = :p AND begins_with(SK, :a)",
                        ExpressionAttributeValues={":p": {"S": "p"}, ":a": {"S": "04"}},
                        Limit=3, ScanIndexForward=forward)
    got = [it["SK"]["S"] for page in pages for it in page["Items"]]
    want = [f"{i:03d}" for i in range(40, 50)]
    assert got == (want if forward else want[::-1])


def test_exclusive_start_key_of_a_deleted_item(ddb, range_table):
    batch_put(ddb, range_table, [{"PK": {"S": "x"}, "SK": {"S": s}} for s in "abcdef"])
    out = ddb.query(TableName=range_table, KeyConditionExpression="PK = :p",
                    ExpressionAttributeValues={":p": {"S": "x"}}, Limit=3)
    assert out["LastEvaluatedKey"] == {"PK": {"S": "x"}, "SK": {"S": "c"}}
    ddb.delete_item(TableName=range_table, Key={"PK": {"S": "x"}, "SK": {"S": "c"}})
    out = ddb.query(TableName=range_table, KeyConditionExpression="PK = :p",
                    ExpressionAttributeValues={":p": {"S": "x"}},
                    ExclusiveStartKey=out["LastEvaluatedKey"])
    assert sk_values(out["Items"]) == ["d", "e", "f"]
    # A start key that was never an item works too: it is a position, not an item.
    out = ddb.query(TableName=range_table, KeyConditionExpression="PK = :p",
                    ExpressionAttributeValues={":p": {"S": "x"}}, ScanIndexForward=False,
                    ExclusiveStartKey={"PK": {"S": "x"}, "SK": {"S": "cc"}})
    assert sk_values(out["Items"]) == ["b", "a"]


def test_filter_is_applied_after_limit(ddb, paged_table):
    out = ddb.query(TableName=paged_table, KeyConditionExpression="PK = :p",
                    FilterExpression="even = :t",
                    ExpressionAttributeValues={":p": {"S": "p"}, ":t": {"BOOL": True}}, Limit=10)
    assert out["ScannedCount"] == 10
    assert out["Count"] == 5
    assert [it["i"]["N"] for it in out["Items"]] == ["0", "2", "4", "6", "8"]
    # The page ends on the last item read (009), which the filter dropped.
    assert out["LastEvaluatedKey"] == {"PK": {"S": "p"}, "SK": {"S": "009"}}

    pages = query_pages(ddb, TableName=paged_table, KeyConditionExpression="PK = :p",
                        FilterExpression="even = :t",
                        ExpressionAttributeValues={":p": {"S": "p"}, ":t": {"BOOL": True}},
                        Limit=10)
    assert [int(it["i"]["N"]) for p in pages for it in p["Items"]] == list(range(0, 57, 2))
    assert sum(p["ScannedCount"] for p in pages) == 57
    assert sum(p["Count"] for p in pages) == 29
    assert len(pages) == 6

    # A page on which the filter keeps nothing is still a page, with a key to continue from.
    out = ddb.query(TableName=paged_table, KeyConditionExpression="PK = :p",
                    FilterExpression="i >= :n",
                    ExpressionAttributeValues={":p": {"S": "p"}, ":n": {"N": "50"}}, Limit=10)
    assert out["Items"] == [] and out["Count"] == 0 and out["ScannedCount"] == 10
    assert out["LastEvaluatedKey"] == {"PK": {"S": "p"}, "SK": {"S": "009"}}


def test_filter_without_limit(ddb, paged_table):
    out = ddb.query(TableName=paged_table, KeyConditionExpression="PK = :p",
                    FilterExpression="i BETWEEN :a AND :b OR i IN (:c, :d)",
                    ExpressionAttributeValues={":p": {"S": "p"}, ":a": {"N": "3"},
                                               ":b": {"N": "5"}, ":c": {"N": "40"},
                                               ":d": {"N": "99"}})
    assert [it["i"]["N"] for it in out["Items"]] == ["3", "4", "5", "40"]
    assert out["Count"] == 4 and out["ScannedCount"] == 57
    assert "LastEvaluatedKey" not in out


# ---- Select and projections ---------------------------------------------------------------------

def test_select_count(ddb, paged_table):
    base = dict(TableName=paged_table, KeyConditionExpression="PK = :p",
                ExpressionAttributeValues={":p": {"S": "p"}})
    out = ddb.query(Select="COUNT", **base)
    assert "Items" not in out
    assert out["Count"] == 57 and out["ScannedCount"] == 57

    out = ddb.query(Select="COUNT", FilterExpression="even = :t",
                    **{**base, "ExpressionAttributeValues": {":p": {"S": "p"},
                                                             ":t": {"BOOL": False}}})
    assert "Items" not in out
    assert out["Count"] == 28 and out["ScannedCount"] == 57

    out = ddb.query(Select="COUNT", Limit=20, **base)
    assert out["Count"] == 20 and out["ScannedCount"] == 20
    assert out["LastEvaluatedKey"] == {"PK": {"S": "p"}, "SK": {"S": "019"}}

    out = ddb.query(Select="ALL_ATTRIBUTES", Limit=1, **base)
    assert out["Items"] == [{"PK": {"S": "p"}, "SK": {"S": "000"}, "i": {"N": "0"},
                             "even": {"BOOL": True}}]


@pytest.fixture
def doc_items(ddb, range_table):
    items = []
    for i in range(3):
        items.append({"PK": {"S": "d"}, "SK": {"S": f"{i}"}, "a": {"S": f"a{i}"},
                      "b": {"N": str(i)}, "name": {"S": "reserved"},
                      "m": {"M": {"x": {"N": str(i)}, "y": {"S": "why"}}},
                      "l": {"L": [{"S": "zero"}, {"N": str(10 + i)}, {"S": "two"}]}})
    items.append({"PK": {"S": "d"}, "SK": {"S": "9"}, "extra": {"S": "only"}})
    batch_put(ddb, range_table, items)
    return items


def test_projection_expression(ddb, range_table, doc_items):
    out = ddb.query(TableName=range_table, KeyConditionExpression="PK = :p",
                    ExpressionAttributeValues={":p": {"S": "d"}},
                    ProjectionExpression="a, m.x, l[1], #n",
                    ExpressionAttributeNames={"#n": "name"})
    assert out["Items"] == [
        {"a": {"S": f"a{i}"}, "m": {"M": {"x": {"N": str(i)}}}, "l": {"L": [{"N": str(10 + i)}]},
         "name": {"S": "reserved"}} for i in range(3)] + [{}]

    out = ddb.query(TableName=range_table, KeyConditionExpression="PK = :p",
                    ExpressionAttributeValues={":p": {"S": "d"}},
                    ProjectionExpression="SK, extra", Select="SPECIFIC_ATTRIBUTES")
    assert out["Items"] == [{"SK": {"S": "0"}}, {"SK": {"S": "1"}}, {"SK": {"S": "2"}},
                            {"SK": {"S": "9"}, "extra": {"S": "only"}}]


def test_attributes_to_get(ddb, range_table, doc_items):
    out = ddb.query(TableName=range_table,
                    KeyConditions={"PK": {"ComparisonOperator": "EQ",
                                          "AttributeValueList": [{"S": "d"}]}},
                    AttributesToGet=["b", "SK"])
    assert out["Items"] == [{"SK": {"S": str(i)}, "b": {"N": str(i)}} for i in range(3)] + \
        [{"SK": {"S": "9"}}]


def test_projection_with_filter_on_unprojected_attribute(ddb, range_table, doc_items):
    out = ddb.query(TableName=range_table, KeyConditionExpression="PK = :p",
                    FilterExpression="b >= :one", ProjectionExpression="a",
                    ExpressionAttributeValues={":p": {"S": "d"}, ":one": {"N": "1"}})
    assert out["Items"] == [{"a": {"S": "a1"}}, {"a": {"S": "a2"}}]
    assert out["Count"] == 2 and out["ScannedCount"] == 4


def test_select_errors(ddb, range_table):
    base = dict(TableName=range_table, KeyConditionExpression="PK = :p",
                ExpressionAttributeValues={":p": {"S": "d"}})
    expect_error(ddb.query, Select="SPECIFIC_ATTRIBUTES", code=VALIDATION,
                 contains="Must specify the AttributesToGet or ProjectionExpression when "
                 "choosing to get SPECIFIC_ATTRIBUTES", **base)
    expect_error(ddb.query, Select="ALL_ATTRIBUTES", ProjectionExpression="a", code=VALIDATION,
                 contains="Cannot specify the ProjectionExpression when choosing to get "
                 "ALL_ATTRIBUTES", **base)
    expect_error(ddb.query, Select="COUNT", ProjectionExpression="a", code=VALIDATION,
                 contains="Cannot specify the ProjectionExpression when choosing to get only "
                 "the Count", **base)
    expect_error(ddb.query, Select="ALL_PROJECTED_ATTRIBUTES", code=VALIDATION,
                 contains="ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an "
                 "IndexName", **base)


# ---- legacy parameters --------------------------------------------------------------------------

LEGACY = [
    ("EQ", ["ab"], lambda v: v == "ab"),
    ("LT", ["b"], lambda v: UTF8(v) < b"b"),
    ("LE", ["ba"], lambda v: UTF8(v) <= b"ba"),
    ("GT", ["ab"], lambda v: UTF8(v) > b"ab"),
    ("GE", ["ab"], lambda v: UTF8(v) >= b"ab"),
    ("BETWEEN", ["aa", "c"], lambda v: b"aa" <= UTF8(v) <= b"c"),
    ("BEGINS_WITH", ["é"], lambda v: v.startswith("é")),
]


@pytest.mark.parametrize("op, args, pred", LEGACY)
def test_legacy_key_conditions(ddb, s_table, op, args, pred):
    expected = sorted((s for s in STRINGS if pred(s)), key=UTF8)
    for forward in (True, False):
        out = ddb.query(TableName=s_table, ScanIndexForward=forward, KeyConditions={
            "PK": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]},
            "SK": {"ComparisonOperator": op, "AttributeValueList": [{"S": a} for a in args]}})
        assert sk_values(out["Items"]) == (expected if forward else expected[::-1])


def test_legacy_query_filter(ddb, paged_table):
    key = {"PK": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]}}
    out = ddb.query(TableName=paged_table, KeyConditions=key, QueryFilter={
        "i": {"ComparisonOperator": "LT", "AttributeValueList": [{"N": "6"}]},
        "even": {"ComparisonOperator": "EQ", "AttributeValueList": [{"BOOL": True}]}})
    assert [it["i"]["N"] for it in out["Items"]] == ["0", "2", "4"]
    assert out["ScannedCount"] == 57

    out = ddb.query(TableName=paged_table, KeyConditions=key, ConditionalOperator="OR",
                    QueryFilter={
                        "i": {"ComparisonOperator": "LT", "AttributeValueList": [{"N": "3"}]},
                        "even": {"ComparisonOperator": "EQ",
                                 "AttributeValueList": [{"BOOL": True}]}})
    assert [int(it["i"]["N"]) for it in out["Items"]] == [0, 1, 2] + list(range(4, 57, 2))

    out = ddb.query(TableName=paged_table, KeyConditions=key, Limit=4, QueryFilter={
        "i": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "2"}, {"N": "9"}]}})
    assert [it["i"]["N"] for it in out["Items"]] == ["2", "3"]
    assert out["ScannedCount"] == 4 and out["LastEvaluatedKey"]["SK"] == {"S": "003"}


PK_EQ = {"PK": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]}}


def test_legacy_query_filter_on_key(ddb, range_table):
    expect_error(ddb.query, TableName=range_table, KeyConditions=PK_EQ,
                 QueryFilter={"SK": {"ComparisonOperator": "EQ",
                                     "AttributeValueList": [{"S": "a"}]}},
                 code=VALIDATION,
                 message="QueryFilter can only contain non-primary key attributes: Primary key "
                 "attribute: SK")


def test_legacy_between_reversed(ddb, range_table):
    expect_error(ddb.query, TableName=range_table, KeyConditions={
        **PK_EQ, "SK": {"ComparisonOperator": "BETWEEN",
                        "AttributeValueList": [{"S": "b"}, {"S": "a"}]}},
        code=VALIDATION,
        message="The BETWEEN condition was provided a range where the lower bound is greater "
        "than the upper bound")


def test_legacy_mixed_with_expressions(ddb, range_table):
    # KeyConditions may stand beside FilterExpression (issue 20, item 7); QueryFilter may not.
    expect_error(ddb.query, TableName=range_table, KeyConditions=PK_EQ,
                 QueryFilter={"x": {"ComparisonOperator": "EQ",
                                    "AttributeValueList": [{"S": "1"}]}},
                 FilterExpression="x = :x", ExpressionAttributeValues={":x": {"S": "1"}},
                 code=VALIDATION,
                 contains="Can not use both expression and non-expression parameters in the "
                 "same request")


def test_legacy_non_indexable_operator(ddb, range_table):
    expect_error(ddb.query, TableName=range_table, KeyConditions={
        **PK_EQ, "SK": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"S": "a"}]}},
        code=VALIDATION, message="Attempted conditional constraint is not an indexable operation")


# ---- the 1 MB page ------------------------------------------------------------------------------

def test_one_megabyte_page(ddb, range_table):
    blob = "x" * 100_000
    batch_put(ddb, range_table, [{"PK": {"S": "big"}, "SK": {"S": f"{i:03d}"}, "D": {"S": blob}}
                                 for i in range(30)])
    size = item_size({"PK": {"S": "big"}, "SK": {"S": "000"}, "D": {"S": blob}})
    first = ddb.query(TableName=range_table, KeyConditionExpression="PK = :p",
                      ExpressionAttributeValues={":p": {"S": "big"}})
    n = first["Count"]
    # DynamoDB stops reading once 1 MB has been read: 10 items are under, 11 are over.
    assert n in (10, 11), n
    assert (n - 1) * size < 1024 * 1024
    assert first["ScannedCount"] == n
    assert first["LastEvaluatedKey"] == {"PK": {"S": "big"}, "SK": {"S": f"{n - 1:03d}"}}

    pages = query_pages(ddb, TableName=range_table, KeyConditionExpression="PK = :p",
                        ExpressionAttributeValues={":p": {"S": "big"}}, ScanIndexForward=False)
    got = [it["SK"]["S"] for p in pages for it in p["Items"]]
    assert got == [f"{i:03d}" for i in range(29, -1, -1)]
    assert all(p["Count"] in (10, 11) for p in pages[:-1])
    assert len(pages) in (3, 4)

    # The limit applies to the data read, before the filter: a filter that keeps nothing
    # still stops the page at about 1 MB.
    out = ddb.query(TableName=range_table, KeyConditionExpression="PK = :p",
                    FilterExpression="attribute_not_exists(D)",
                    ExpressionAttributeValues={":p": {"S": "big"}})
    assert out["Count"] == 0 and out["ScannedCount"] == n
    assert "LastEvaluatedKey" in out

    # Select COUNT counts the same page.
    out = ddb.query(TableName=range_table, KeyConditionExpression="PK = :p",
                    ExpressionAttributeValues={":p": {"S": "big"}}, Select="COUNT")
    assert out["Count"] == n and "LastEvaluatedKey" in out


# ---- consumed capacity --------------------------------------------------------------------------

def test_consumed_capacity_is_bytes_read(ddb, range_table):
    items = [{"PK": {"S": "c"}, "SK": {"S": f"{i:02d}"}, "D": {"S": "y" * 992}}
             for i in range(10)]
    assert item_size(items[0]) == 1000
    batch_put(ddb, range_table, items)
    base = dict(TableName=range_table, KeyConditionExpression="PK = :p",
                ExpressionAttributeValues={":p": {"S": "c"}})

    def units(**kw):
        out = ddb.query(**{**base, **kw})
        cc = out["ConsumedCapacity"]
        assert cc["TableName"] == range_table
        return cc["CapacityUnits"]

    # 10 items x 1000 bytes = 10000 bytes -> 3 x 4 KB; eventually consistent costs half.
    assert units(ReturnConsumedCapacity="TOTAL", ConsistentRead=True) == 3.0
    assert units(ReturnConsumedCapacity="TOTAL") == 1.5
    assert units(ReturnConsumedCapacity="TOTAL", ConsistentRead=False) == 1.5
    # 5 items = 5000 bytes -> 2 units; 4 items = 4000 bytes -> 1 unit.
    assert units(ReturnConsumedCapacity="TOTAL", ConsistentRead=True, Limit=5) == 2.0
    assert units(ReturnConsumedCapacity="TOTAL", Limit=4) == 0.5
    # Capacity is charged on what was read, not what the filter or projection returned.
    assert units(ReturnConsumedCapacity="TOTAL", ConsistentRead=True,
                 FilterExpression="attribute_not_exists(D)") == 3.0
    assert units(ReturnConsumedCapacity="TOTAL", Select="COUNT") == 1.5
    assert units(ReturnConsumedCapacity="TOTAL", ProjectionExpression="SK") == 1.5

    out = ddb.query(ReturnConsumedCapacity="INDEXES", ConsistentRead=True, **base)
    assert out["ConsumedCapacity"]["CapacityUnits"] == 3.0
    assert out["ConsumedCapacity"]["Table"]["CapacityUnits"] == 3.0
    out = ddb.query(ReturnConsumedCapacity="NONE", **base)
    assert "ConsumedCapacity" not in out
    out = ddb.query(**base)
    assert "ConsumedCapacity" not in out


def test_consumed_capacity_rounds_total_not_items(ddb, range_table):
    # 41 items of 100 bytes = 4100 bytes: 2 units strongly consistent (not 41).
    items = [{"PK": {"S": "r"}, "SK": {"S": f"{i:02d}"}, "D": {"S": "z" * 92}} for i in range(41)]
    assert item_size(items[0]) == 100
    batch_put(ddb, range_table, items)
    out = ddb.query(TableName=range_table, KeyConditionExpression="PK = :p",
                    ExpressionAttributeValues={":p": {"S": "r"}}, ConsistentRead=True,
                    ReturnConsumedCapacity="TOTAL")
    assert out["Count"] == 41
    assert out["ConsumedCapacity"]["CapacityUnits"] == math.ceil(4100 / 4096) == 2


def test_consistent_read_sees_latest_write(ddb, range_table):
    for i in range(20):
        ddb.put_item(TableName=range_table, Item={"PK": {"S": "cr"}, "SK": {"S": f"{i:02d}"}})
        out = ddb.query(TableName=range_table, KeyConditionExpression="PK = :p",
                        ExpressionAttributeValues={":p": {"S": "cr"}}, ConsistentRead=True,
                        Select="COUNT")
        assert out["Count"] == i + 1


# ---- validation errors --------------------------------------------------------------------------

def q(ddb, table, kce, values, **kw):
    return ddb.query(TableName=table, KeyConditionExpression=kce,
                     ExpressionAttributeValues=values, **kw)


def test_missing_partition_key_condition(ddb, range_table):
    expect_error(q, ddb, range_table, "SK = :s", {":s": {"S": "a"}}, code=VALIDATION,
                 message="Query condition missed key schema element: PK")
    expect_error(q, ddb, range_table, "SK BETWEEN :a AND :b", {":a": {"S": "a"},
                                                               ":b": {"S": "b"}},
                 code=VALIDATION, message="Query condition missed key schema element: PK")
    expect_error(q, ddb, range_table, "extra = :s", {":s": {"S": "a"}}, code=VALIDATION,
                 message="Query condition missed key schema element: PK")


def test_non_key_attribute_in_key_condition(ddb, range_table):
    expect_error(q, ddb, range_table, "PK = :p AND extra = :o",
                 {":p": {"S": "a"}, ":o": {"S": "b"}}, code=VALIDATION,
                 message="Query condition missed key schema element: SK")


def test_non_key_attribute_in_key_condition_hash_only(ddb, hash_only):
    expect_error(q, ddb, hash_only, "PK = :p AND extra = :o",
                 {":p": {"S": "a"}, ":o": {"S": "b"}}, code=VALIDATION,
                 message="Query key condition not supported")


def test_partition_key_needs_equality(ddb, range_table, hash_only):
    for kce in ("PK > :p", "begins_with(PK, :p)", "PK BETWEEN :p AND :p"):
        expect_error(q, ddb, hash_only, kce, {":p": {"S": "a"}}, code=VALIDATION,
                     message="Query key condition not supported")
    expect_error(q, ddb, range_table, "PK <= :p AND SK = :p", {":p": {"S": "a"}},
                 code=VALIDATION, message="Query key condition not supported")


@pytest.mark.parametrize("kce, op", [
    ("PK = :p OR SK = :s", "OR"),
    ("PK = :p AND NOT SK = :s", "NOT"),
    ("PK = :p AND SK <> :s", "<>"),
    ("PK = :p AND SK IN (:s)", "IN"),
    ("PK = :p AND attribute_exists(SK)", "attribute_exists"),
    ("PK = :p AND contains(SK, :s)", "contains"),
])
def test_invalid_operator_in_key_condition(ddb, range_table, kce, op):
    values = {":p": {"S": "a"}}
    if ":s" in kce:
        values[":s"] = {"S": "b"}
    expect_error(q, ddb, range_table, kce, values, code=VALIDATION,
                 message=f"Invalid operator used in KeyConditionExpression: {op}")


def test_too_many_conditions(ddb, range_table):
    expect_error(q, ddb, range_table, "PK = :p AND SK > :a AND x < :b",
                 {":p": {"S": "a"}, ":a": {"S": "a"}, ":b": {"S": "b"}}, code=VALIDATION,
                 message="Conditions can be of length 1 or 2 only")


@pytest.mark.parametrize("kce", ["PK = :p AND PK = :p", "PK = :p AND SK > :a AND SK < :a"])
def test_two_conditions_on_one_key(ddb, range_table, kce):
    # Repeated keys are reported before the number of conditions is checked.
    values = {":p": {"S": "a"}}
    if ":a" in kce:
        values[":a"] = {"S": "b"}
    expect_error(q, ddb, range_table, kce, values, code=VALIDATION,
                 message="KeyConditionExpressions must only contain one condition per key")


def test_filter_on_key_attributes(ddb, range_table):
    for filt, attr in (("SK = :x", "SK"), ("PK = :x", "PK"), ("attribute_exists(SK)", "SK"),
                       ("a = :x AND begins_with(SK, :x)", "SK")):
        values = {":p": {"S": "a"}}
        if ":x" in filt:
            values[":x"] = {"S": "x"}
        expect_error(q, ddb, range_table, "PK = :p", values, FilterExpression=filt,
                     code=VALIDATION,
                     message="Filter Expression can only contain non-primary key attributes: "
                     f"Primary key attribute: {attr}")


def test_between_bounds_reversed(ddb, range_table, num_table):
    expect_error(q, ddb, range_table, "PK = :p AND SK BETWEEN :hi AND :lo",
                 {":p": {"S": "a"}, ":lo": {"S": "a"}, ":hi": {"S": "b"}}, code=VALIDATION,
                 message="Invalid KeyConditionExpression: The BETWEEN operator requires upper "
                 "bound to be greater than or equal to lower bound; lower bound operand: "
                 "AttributeValue: {S:b}, upper bound operand: AttributeValue: {S:a}")
    expect_error(q, ddb, num_table, "PK = :p AND SK BETWEEN :hi AND :lo",
                 {":p": {"S": "a"}, ":lo": {"N": "-2"}, ":hi": {"N": "-1"}}, code=VALIDATION,
                 startswith="Invalid KeyConditionExpression: The BETWEEN operator requires upper "
                 "bound to be greater than or equal to lower bound")


def test_wrong_type_for_key_value(ddb, range_table, num_table):
    msg = INVALID + "Condition parameter type does not match schema type"
    expect_error(q, ddb, range_table, "PK = :p", {":p": {"N": "1"}}, code=VALIDATION,
                 message=msg)
    expect_error(q, ddb, range_table, "PK = :p AND SK > :s", {":p": {"S": "a"}, ":s": {"B": b"1"}},
                 code=VALIDATION, message=msg)
    expect_error(q, ddb, num_table, "PK = :p AND SK < :s", {":p": {"S": "a"}, ":s": {"S": "1"}},
                 code=VALIDATION, message=msg)
    expect_error(q, ddb, range_table, "PK = :p", {":p": {"SS": ["a"]}}, code=VALIDATION,
                 message=msg)


def test_begins_with_on_number_sort_key(ddb, num_table):
    err = expect_error(q, ddb, num_table, "PK = :p AND begins_with(SK, :s)",
                       {":p": {"S": "a"}, ":s": {"N": "1"}}, code=VALIDATION,
                       startswith="Invalid KeyConditionExpression: Incorrect operand type for "
                       "operator or function; operator")
    assert "begins_with" in err.response["Error"]["Message"]


def test_limit_must_be_positive(server, range_table):
    for limit in (0, -1):
        resp = server.api("Query", {"TableName": range_table, "KeyConditionExpression": "PK = :p",
                                    "ExpressionAttributeValues": {":p": {"S": "a"}},
                                    "Limit": limit})
        expect_raw_error(resp, VALIDATION,
                         message=f"1 validation error detected: Value '{limit}' at 'limit' "
                         "failed to satisfy constraint: Member must have value greater than or "
                         "equal to 1")


def test_no_key_condition(server, ddb, range_table):
    expect_error(ddb.query, TableName=range_table, code=VALIDATION,
                 message="Either the KeyConditions or KeyConditionExpression parameter must be "
                 "specified in the request.")
    expect_error(q, ddb, range_table, "", {":p": {"S": "a"}}, code=VALIDATION,
                 message="Invalid KeyConditionExpression: The expression can not be empty;")


def test_unknown_table(ddb):
    expect_error(q, ddb, gyre.unique("missing"), "PK = :p", {":p": {"S": "a"}},
                 code="ResourceNotFoundException", startswith="Requested resource not found")


def test_index_name_that_does_not_exist(ddb, range_table):
    expect_error(q, ddb, range_table, "PK = :p", {":p": {"S": "a"}}, IndexName="nope",
                 code=VALIDATION, message="The table does not have the specified index: nope")


ESK_BASE = dict(KeyConditionExpression="PK = :p", ExpressionAttributeValues={":p": {"S": "b"}})


def test_exclusive_start_key_outside_partition(ddb, range_table):
    # A start key from another partition is outside what the key condition can return.
    expect_error(ddb.query, TableName=range_table,
                 ExclusiveStartKey={"PK": {"S": "a"}, "SK": {"S": "a"}}, code=VALIDATION,
                 message="The provided starting key is outside query boundaries based on "
                 "provided conditions", **ESK_BASE)


@pytest.mark.parametrize("esk", [
    {"PK": {"S": "b"}},
    {"PK": {"S": "b"}, "SK": {"N": "1"}},
    {"PK": {"S": "b"}, "SK": {"S": "a"}, "x": {"S": "1"}},
])
def test_exclusive_start_key_not_a_key(ddb, range_table, esk):
    # Missing the sort key, wrong types, extra attributes: not a key of this table.
    expect_error(ddb.query, TableName=range_table, ExclusiveStartKey=esk, code=VALIDATION,
                 startswith="The provided starting key is invalid", **ESK_BASE)

"""Scan: full scans, filters, Select, projections, pagination, the 1 MB page, consumed capacity,
and parallel scans (Segment/TotalSegments) that partition the table exactly."""

import random

import pytest

import gyre
from gyre import expect_error, expect_raw_error

VALIDATION = "ValidationException"
MAX_PAGES = 300  # every pagination loop in this file is bounded by this


# ---- helpers ------------------------------------------------------------------------------------

def batch_put(ddb, table, items):
    """Write items 25 at a time, retrying UnprocessedItems a bounded number of times."""
    for start in range(0, len(items), 25):
        pending = {table: [{"PutRequest": {"Item": it}} for it in items[start:start + 25]]}
        for _ in range(10):
            pending = ddb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
            if not pending:
                break
        assert not pending, f"items still unprocessed after 10 attempts: {pending}"


def scan_pages(ddb, **kw):
    """Every page of a Scan, following LastEvaluatedKey (bounded)."""
    pages = []
    kw = dict(kw)
    for _ in range(MAX_PAGES):
        out = ddb.scan(**kw)
        pages.append(out)
        lek = out.get("LastEvaluatedKey")
        if not lek:
            return pages
        kw["ExclusiveStartKey"] = lek
    raise AssertionError(f"scan did not finish within {MAX_PAGES} pages")


def key_of(item):
    return (item["PK"]["S"], item["SK"]["S"])


def keys(pages):
    return [key_of(it) for p in pages for it in p.get("Items", [])]


# 40 partitions with 1 item, 10 partitions with 8 items: 120 items.
SINGLE = [(f"single-{i:02d}", "-") for i in range(40)]
MULTI = [(f"multi-{i}", f"{j:02d}") for i in range(10) for j in range(8)]
ALL_KEYS = set(SINGLE + MULTI)


@pytest.fixture(scope="module")
def table(server):
    ddb = server.client()
    name = gyre.unique("scan")
    gyre.create_table(ddb, name, "PK", "SK")
    items = [{"PK": {"S": pk}, "SK": {"S": sk}, "n": {"N": str(i)},
              "kind": {"S": "single" if pk.startswith("single") else "multi"}}
             for i, (pk, sk) in enumerate(sorted(ALL_KEYS))]
    batch_put(ddb, name, items)
    return name


# ---- full scans ---------------------------------------------------------------------------------

def test_full_scan(ddb, table):
    out = ddb.scan(TableName=table)
    got = [key_of(it) for it in out["Items"]]
    assert len(got) == len(set(got)) == 120
    assert set(got) == ALL_KEYS
    assert out["Count"] == out["ScannedCount"] == 120
    assert "LastEvaluatedKey" not in out
    # Items of one partition come back together, in sort-key order.
    for i in range(10):
        pk = f"multi-{i}"
        pos = [n for n, k in enumerate(got) if k[0] == pk]
        assert pos == list(range(pos[0], pos[0] + 8))
        assert [got[n][1] for n in pos] == [f"{j:02d}" for j in range(8)]
    # The order is stable between scans.
    assert [key_of(it) for it in ddb.scan(TableName=table, ConsistentRead=True)["Items"]] == got


def test_scan_empty_table(ddb, hash_table):
    out = ddb.scan(TableName=hash_table)
    assert out["Items"] == [] and out["Count"] == 0 and out["ScannedCount"] == 0
    assert "LastEvaluatedKey" not in out


def test_scan_filter(ddb, table):
    out = ddb.scan(TableName=table, FilterExpression="kind = :k AND SK > :s",
                   ExpressionAttributeValues={":k": {"S": "multi"}, ":s": {"S": "05"}})
    assert sorted(key_of(it) for it in out["Items"]) == sorted(
        k for k in MULTI if k[1] > "05")
    assert out["Count"] == 20 and out["ScannedCount"] == 120

    # Unlike Query, Scan may filter on key attributes.
    out = ddb.scan(TableName=table, FilterExpression="begins_with(PK, :p)",
                   ExpressionAttributeValues={":p": {"S": "multi-3"}})
    assert sorted(key_of(it) for it in out["Items"]) == [("multi-3", f"{j:02d}")
                                                         for j in range(8)]


def test_scan_legacy_scan_filter(ddb, table):
    out = ddb.scan(TableName=table, ScanFilter={
        "kind": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "single"}]},
        "PK": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "single-1"}]}})
    assert sorted(key_of(it) for it in out["Items"]) == [(f"single-1{i}", "-") for i in range(10)]
    out = ddb.scan(TableName=table, ConditionalOperator="OR", ScanFilter={
        "PK": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "single-07"}]},
        "SK": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "07"}]}})
    assert sorted(key_of(it) for it in out["Items"]) == sorted(
        [("single-07", "-")] + [(f"multi-{i}", "07") for i in range(10)])


def test_scan_select_and_projection(ddb, table):
    out = ddb.scan(TableName=table, Select="COUNT")
    assert "Items" not in out and out["Count"] == 120 and out["ScannedCount"] == 120
    out = ddb.scan(TableName=table, Select="COUNT", FilterExpression="kind = :k",
                   ExpressionAttributeValues={":k": {"S": "single"}})
    assert out["Count"] == 40 and out["ScannedCount"] == 120
    out = ddb.scan(TableName=table, ProjectionExpression="SK, #k",
                   ExpressionAttributeNames={"#k": "kind"}, Limit=3)
    assert len(out["Items"]) == 3
    for it in out["Items"]:
        assert set(it) == {"SK", "kind"}
    out = ddb.scan(TableName=table, AttributesToGet=["n"], Limit=2)
    assert [set(it) for it in out["Items"]] == [{"n"}, {"n"}]
    expect_error(ddb.scan, TableName=table, Select="SPECIFIC_ATTRIBUTES", code=VALIDATION,
                 contains="Must specify the AttributesToGet or ProjectionExpression when "
                 "choosing to get SPECIFIC_ATTRIBUTES")


# ---- pagination ---------------------------------------------------------------------------------

@pytest.mark.parametrize("limit", [1, 7, 24, 120, 500])
def test_scan_pagination(ddb, table, limit):
    full = [key_of(it) for it in ddb.scan(TableName=table)["Items"]]
    pages = scan_pages(ddb, TableName=table, Limit=limit)
    got = keys(pages)
    assert got == full  # same order, every item exactly once
    for page in pages[:-1]:
        assert page["Count"] == page["ScannedCount"] == limit
        last = page["Items"][-1]
        assert page["LastEvaluatedKey"] == {"PK": last["PK"], "SK": last["SK"]}
    assert len(pages) == (120 // limit + 1 if limit <= 120 else 1)


def test_scan_pagination_with_filter(ddb, table):
    pages = scan_pages(ddb, TableName=table, Limit=9, FilterExpression="kind = :k",
                       ExpressionAttributeValues={":k": {"S": "single"}})
    got = keys(pages)
    assert sorted(got) == sorted(SINGLE) and len(got) == 40
    assert sum(p["ScannedCount"] for p in pages) == 120
    assert all(p["ScannedCount"] == 9 for p in pages[:-1])


def test_scan_one_megabyte_page(ddb, hash_table):
    blob = "q" * 100_000
    batch_put(ddb, hash_table, [{"PK": {"S": f"big{i:02d}"}, "D": {"S": blob}} for i in range(25)])
    first = ddb.scan(TableName=hash_table)
    assert first["Count"] in (10, 11), first["Count"]
    assert "LastEvaluatedKey" in first
    pages = scan_pages(ddb, TableName=hash_table)
    got = [it["PK"]["S"] for p in pages for it in p["Items"]]
    assert sorted(got) == [f"big{i:02d}" for i in range(25)]
    out = ddb.scan(TableName=hash_table, Select="COUNT", FilterExpression="attribute_not_exists(D)")
    assert out["Count"] == 0 and out["ScannedCount"] == first["Count"]
    assert "LastEvaluatedKey" in out


def test_scan_consumed_capacity(ddb, hash_table):
    # Each item: "PK" + "kNN" (5 bytes) + "D" + 995 bytes = 1001 bytes; 8 items = 8008 bytes.
    batch_put(ddb, hash_table, [{"PK": {"S": f"k{i:02d}"}, "D": {"S": "d" * 995}}
                                for i in range(8)])
    out = ddb.scan(TableName=hash_table, ReturnConsumedCapacity="TOTAL", ConsistentRead=True)
    assert out["ConsumedCapacity"]["TableName"] == hash_table
    assert out["ConsumedCapacity"]["CapacityUnits"] == 2.0
    out = ddb.scan(TableName=hash_table, ReturnConsumedCapacity="TOTAL")
    assert out["ConsumedCapacity"]["CapacityUnits"] == 1.0
    out = ddb.scan(TableName=hash_table, ReturnConsumedCapacity="TOTAL", Limit=4,
                   ConsistentRead=True)
    assert out["ConsumedCapacity"]["CapacityUnits"] == 1.0
    out = ddb.scan(TableName=hash_table, ReturnConsumedCapacity="INDEXES", ConsistentRead=True,
                   FilterExpression="attribute_not_exists(D)")
    assert out["ConsumedCapacity"]["CapacityUnits"] == 2.0
    assert out["ConsumedCapacity"]["Table"]["CapacityUnits"] == 2.0


# ---- parallel scan ------------------------------------------------------------------------------

def segment_keys(ddb, table, segment, total, limit=None):
    kw = {"TableName": table, "Segment": segment, "TotalSegments": total}
    if limit:
        kw["Limit"] = limit
    return keys(scan_pages(ddb, **kw))


@pytest.mark.parametrize("total", [1, 2, 3, 4, 5, 6, 7, 8])
def test_parallel_scan_partitions_the_table(ddb, table, total):
    seen = []
    per_segment = []
    for seg in range(total):
        got = segment_keys(ddb, table, seg, total)
        per_segment.append(got)
        seen.extend(got)
    assert len(seen) == len(set(seen)) == 120, "an item appeared in two segments"
    assert set(seen) == ALL_KEYS
    # A partition's items are never split across segments.
    for got in per_segment:
        pks = {k[0] for k in got}
        for pk in pks:
            if pk.startswith("multi"):
                assert sum(1 for k in got if k[0] == pk) == 8
    if total >= 3:
        assert sum(1 for g in per_segment if g) >= 2, "everything landed in one segment"


def test_parallel_scan_segments_paginate_independently(ddb, table):
    total = 3
    cursors = {seg: None for seg in range(total)}
    collected = {seg: [] for seg in range(total)}
    for _ in range(MAX_PAGES):
        if not cursors:
            break
        for seg in list(cursors):  # round-robin: one page of each unfinished segment
            kw = {"TableName": table, "Segment": seg, "TotalSegments": total, "Limit": 4}
            if cursors[seg]:
                kw["ExclusiveStartKey"] = cursors[seg]
            out = ddb.scan(**kw)
            assert out["ScannedCount"] <= 4
            collected[seg].extend(key_of(it) for it in out["Items"])
            if "LastEvaluatedKey" in out:
                cursors[seg] = out["LastEvaluatedKey"]
            else:
                del cursors[seg]
    assert not cursors, "segments did not finish"
    for seg in range(total):
        assert collected[seg] == segment_keys(ddb, table, seg, total)
    union = [k for seg in range(total) for k in collected[seg]]
    assert len(union) == len(set(union)) == 120 and set(union) == ALL_KEYS


def test_parallel_scan_thousand_segments(ddb, table):
    seen = []
    nonempty = 0
    for seg in range(1000):
        out = ddb.scan(TableName=table, Segment=seg, TotalSegments=1000)
        assert "LastEvaluatedKey" not in out
        got = [key_of(it) for it in out["Items"]]
        nonempty += bool(got)
        seen.extend(got)
    assert len(seen) == len(set(seen)) == 120
    assert set(seen) == ALL_KEYS
    assert nonempty >= 30  # 50 partitions spread over 1000 segments


def test_parallel_scan_million_segments(ddb, table):
    # Scanning all 1,000,000 segments is too slow for this suite; sample the edges and a
    # random spread, and check that each sampled segment answers, items are real and no item
    # shows up in two segments.
    rng = random.Random(4)
    sample = sorted(set(list(range(0, 150)) + list(range(999_850, 1_000_000)) +
                        rng.sample(range(1_000_000), 400)))
    seen = {}
    for seg in sample:
        out = ddb.scan(TableName=table, Segment=seg, TotalSegments=1_000_000)
        assert out["Count"] == out["ScannedCount"] == len(out["Items"])
        for it in out["Items"]:
            k = key_of(it)
            assert k in ALL_KEYS
            assert k not in seen, f"{k} in segments {seen.get(k)} and {seg}"
            seen[k] = seg


def test_parallel_scan_with_filter_and_count(ddb, table):
    total = 4
    count = scanned = 0
    for seg in range(total):
        out = ddb.scan(TableName=table, Segment=seg, TotalSegments=total, Select="COUNT",
                       FilterExpression="kind = :k",
                       ExpressionAttributeValues={":k": {"S": "multi"}})
        count += out["Count"]
        scanned += out["ScannedCount"]
    assert count == 80 and scanned == 120


# ---- segment errors -----------------------------------------------------------------------------

@pytest.mark.parametrize("seg, total", [(3, 3), (5, 1), (7, 4), (999_999, 999_999)])
def test_segment_out_of_range(ddb, table, seg, total):
    expect_error(ddb.scan, TableName=table, Segment=seg, TotalSegments=total, code=VALIDATION,
                 message="The Segment parameter is zero-based and must be less than parameter "
                 f"TotalSegments: Segment: {seg} is not less than TotalSegments: {total}")


def test_segment_without_total(ddb, table):
    expect_error(ddb.scan, TableName=table, Segment=0, code=VALIDATION,
                 message="The TotalSegments parameter is required but was not present in the "
                 "request when Segment parameter is present")
    expect_error(ddb.scan, TableName=table, TotalSegments=2, code=VALIDATION,
                 message="The Segment parameter is required but was not present in the request "
                 "when parameter TotalSegments is present")


@pytest.mark.parametrize("field, value, constraint", [
    ("TotalSegments", 0, "greater than or equal to 1"),
    ("TotalSegments", 1_000_001, "less than or equal to 1000000"),
    ("Segment", -1, "greater than or equal to 0"),
    ("Segment", 1_000_000, "less than or equal to 999999"),
])
def test_segment_bounds(server, table, field, value, constraint):
    body = {"TableName": table, "Segment": 0, "TotalSegments": 2, field: value}
    resp = server.api("Scan", body)
    member = field[0].lower() + field[1:]
    expect_raw_error(resp, VALIDATION,
                     contains=f"Value '{value}' at '{member}' failed to satisfy constraint: "
                     f"Member must have value {constraint}")


def test_scan_limit_must_be_positive(server, table):
    resp = server.api("Scan", {"TableName": table, "Limit": 0})
    expect_raw_error(resp, VALIDATION,
                     message="1 validation error detected: Value '0' at 'limit' failed to "
                     "satisfy constraint: Member must have value greater than or equal to 1")


def test_scan_unknown_table(ddb):
    expect_error(ddb.scan, TableName=gyre.unique("missing"), code="ResourceNotFoundException",
                 startswith="Requested resource not found")
    expect_error(ddb.scan, TableName=gyre.unique("missing"), Segment=0, TotalSegments=4,
                 code="ResourceNotFoundException", startswith="Requested resource not found")


def test_scan_bad_exclusive_start_key(ddb, table):
    for esk in ({"PK": {"S": "single-01"}}, {"PK": {"N": "1"}, "SK": {"S": "-"}},
                {"PK": {"S": "x"}, "SK": {"S": "-"}, "n": {"N": "1"}}):
        expect_error(ddb.scan, TableName=table, ExclusiveStartKey=esk, code=VALIDATION,
                     startswith="The provided starting key is invalid")

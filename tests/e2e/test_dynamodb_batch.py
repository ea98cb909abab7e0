"""BatchWriteItem and BatchGetItem: several tables in one call, the 25/100 limits, duplicate
keys, empty batches, unknown tables, item validation, projections, UnprocessedItems /
UnprocessedKeys retries and the 16 MB BatchGetItem response."""

import json

import pytest

import gyre
from gyre import expect_error, expect_raw_error

INVALID = "One or more parameter values were invalid: "
VALIDATION = "ValidationException"
NOT_FOUND = "ResourceNotFoundException"
DUPLICATES = "Provided list of item keys contains duplicates"
KEY_SCHEMA = "The provided key element does not match the schema"


def H(pk):
    return {"PK": {"S": pk}}


def R(pk, sk):
    return {"PK": {"S": pk}, "SK": {"S": sk}}


def put(item):
    return {"PutRequest": {"Item": item}}


def delete(key):
    return {"DeleteRequest": {"Key": key}}


def write_all(ddb, request_items, attempts=10):
    """BatchWriteItem, resending UnprocessedItems until none are left (bounded)."""
    pending = request_items
    calls = 0
    for _ in range(attempts):
        calls += 1
        out = ddb.batch_write_item(RequestItems=pending)
        assert set(out) >= {"UnprocessedItems"}
        pending = out["UnprocessedItems"]
        if not pending:
            return calls
    raise AssertionError(f"still unprocessed after {attempts} attempts: {pending}")


def get_all(ddb, request_items, attempts=20):
    """BatchGetItem, resending UnprocessedKeys until none are left; returns (responses, calls)."""
    pending = request_items
    got = {}
    for calls in range(1, attempts + 1):
        out = ddb.batch_get_item(RequestItems=pending)
        for table, items in out["Responses"].items():
            got.setdefault(table, []).extend(items)
        pending = out["UnprocessedKeys"]
        if not pending:
            return got, calls
    raise AssertionError(f"still unprocessed after {attempts} attempts")


def get(ddb, table, key):
    return ddb.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")


@pytest.fixture
def two_tables(ddb, name):
    h = name("-h")
    r = name("-r")
    gyre.create_table(ddb, h, "PK")
    gyre.create_table(ddb, r, "PK", "SK")
    return h, r


# ---- BatchWriteItem -----------------------------------------------------------------------------

def test_puts_and_deletes_over_two_tables(ddb, two_tables):
    h, r = two_tables
    ddb.put_item(TableName=h, Item={**H("old"), "v": {"N": "1"}})
    ddb.put_item(TableName=r, Item={**R("old", "1"), "v": {"N": "1"}})
    out = ddb.batch_write_item(RequestItems={
        h: [put({**H("a"), "v": {"S": "A"}}), put({**H("b"), "l": {"L": [{"N": "1"}]}}),
            delete(H("old")), delete(H("never-existed"))],
        r: [put({**R("x", "1"), "v": {"S": "x1"}}), put({**R("x", "2"), "v": {"S": "x2"}}),
            delete(R("old", "1"))],
    })
    assert out["UnprocessedItems"] == {}
    assert get(ddb, h, H("a")) == {**H("a"), "v": {"S": "A"}}
    assert get(ddb, h, H("b")) == {**H("b"), "l": {"L": [{"N": "1"}]}}
    assert get(ddb, h, H("old")) is None
    assert get(ddb, r, R("x", "1")) == {**R("x", "1"), "v": {"S": "x1"}}
    assert get(ddb, r, R("x", "2")) == {**R("x", "2"), "v": {"S": "x2"}}
    assert get(ddb, r, R("old", "1")) is None
    # Puts replace whole items.
    write_all(ddb, {h: [put({**H("a"), "w": {"S": "new"}})]})
    assert get(ddb, h, H("a")) == {**H("a"), "w": {"S": "new"}}


def test_twenty_five_is_the_limit(ddb, two_tables, server):
    h, r = two_tables
    write_all(ddb, {h: [put(H(f"k{i:02d}")) for i in range(25)]})
    assert ddb.scan(TableName=h, Select="COUNT")["Count"] == 25
    write_all(ddb, {h: [put(H(f"m{i:02d}")) for i in range(12)],
                    r: [put(R("p", f"{i:02d}")) for i in range(13)]})

    resp = server.api("BatchWriteItem", {"RequestItems": {
        h: [{"PutRequest": {"Item": {"PK": {"S": f"z{i:02d}"}}}} for i in range(26)]}})
    expect_raw_error(resp, VALIDATION,
                     contains="Member must have length less than or equal to 25")
    # 26 requests spread over two tables is also too many.
    expect_error(ddb.batch_write_item, RequestItems={
        h: [put(H(f"y{i:02d}")) for i in range(13)],
        r: [put(R("y", f"{i:02d}")) for i in range(13)]},
        code=VALIDATION, message="Too many items requested for the BatchWriteItem call")
    # Nothing of the rejected batches was written.
    assert get(ddb, h, H("z00")) is None and get(ddb, h, H("y00")) is None
    assert ddb.scan(TableName=h, Select="COUNT")["Count"] == 37


def test_duplicate_keys_in_one_batch(ddb, two_tables):
    h, r = two_tables
    for requests in ([put(H("d")), put({**H("d"), "x": {"S": "1"}})],
                     [put(H("d")), delete(H("d"))],
                     [delete(H("d")), put(H("d"))],
                     [delete(H("d")), delete(H("d"))]):
        expect_error(ddb.batch_write_item, RequestItems={h: requests}, code=VALIDATION,
                     message=DUPLICATES)
    expect_error(ddb.batch_write_item, RequestItems={r: [put(R("d", "1")), delete(R("d", "1"))]},
                 code=VALIDATION, message=DUPLICATES)
    assert get(ddb, h, H("d")) is None
    # The same key in two tables, and the same partition with two sort keys, are fine.
    write_all(ddb, {h: [put(H("d"))], r: [put(R("d", "1")), put(R("d", "2")), put(R("e", "1"))]})
    assert get(ddb, h, H("d")) == H("d")
    assert get(ddb, r, R("d", "2")) == R("d", "2")


def test_empty_batches(server, two_tables):
    h, _ = two_tables
    resp = server.api("BatchWriteItem", {"RequestItems": {}})
    expect_raw_error(resp, VALIDATION,
                     contains="Member must have length greater than or equal to 1")
    resp = server.api("BatchWriteItem", {"RequestItems": {h: []}})
    expect_raw_error(resp, VALIDATION,
                     contains="Member must have length greater than or equal to 1")
    resp = server.api("BatchWriteItem", {})
    expect_raw_error(resp, VALIDATION,
                     contains="Value null at 'requestItems' failed to satisfy constraint: "
                     "Member must not be null")


def test_unknown_table(ddb, two_tables):
    h, _ = two_tables
    missing = gyre.unique("missing")
    expect_error(ddb.batch_write_item, RequestItems={missing: [put(H("a"))]},
                 code=NOT_FOUND, startswith="Requested resource not found")
    # The whole batch is refused: the known table is not written either.
    expect_error(ddb.batch_write_item, RequestItems={h: [put(H("kept-out"))],
                                                     missing: [put(H("a"))]},
                 code=NOT_FOUND, startswith="Requested resource not found")
    assert get(ddb, h, H("kept-out")) is None


@pytest.mark.parametrize("request_, message", [
    (put({"x": {"S": "no key"}}), KEY_SCHEMA),
    (put({"PK": {"N": "1"}}), KEY_SCHEMA),
    (put({"PK": {"B": b"1"}}), KEY_SCHEMA),
    (delete({"PK": {"N": "1"}}), KEY_SCHEMA),
    (delete({"PK": {"S": "a"}, "SK": {"S": "extra"}}), KEY_SCHEMA),
    (put({"PK": {"S": ""}}), "One or more parameter values are not valid. The AttributeValue "
     "for a key attribute cannot contain an empty string value. Key: PK"),
    (put({"PK": {"S": "a"}, "s": {"SS": []}}), INVALID + "An string set  may not be empty"),
    (put({"PK": {"S": "a"}, "n": {"N": "1e126"}}),
     "Number overflow. Attempting to store a number with magnitude larger than supported range"),
    (put({"PK": {"S": "a"}, "big": {"S": "x" * (400 * 1024)}}),
     "Item size has exceeded the maximum allowed size"),
])
def test_item_validation(ddb, two_tables, request_, message):
    h, _ = two_tables
    # The bad request is last: the valid one before it must not be written.
    expect_error(ddb.batch_write_item, RequestItems={h: [put(H("valid")), request_]},
                 code=VALIDATION, message=message)
    assert get(ddb, h, H("valid")) is None


def test_put_and_delete_in_one_request(server, two_tables):
    h, _ = two_tables
    resp = server.api("BatchWriteItem", {"RequestItems": {h: [
        {"PutRequest": {"Item": {"PK": {"S": "a"}}}, "DeleteRequest": {"Key": {"PK": {"S": "b"}}}}
    ]}})
    expect_raw_error(resp, VALIDATION)
    resp = server.api("BatchWriteItem", {"RequestItems": {h: [{}]}})
    expect_raw_error(resp, VALIDATION)


def test_batch_write_consumed_capacity(ddb, two_tables):
    h, r = two_tables
    out = ddb.batch_write_item(RequestItems={
        h: [put({**H("c1"), "D": {"S": "x" * 1500}}), put(H("c2"))],
        r: [put(R("c", "1"))]}, ReturnConsumedCapacity="TOTAL")
    caps = {c["TableName"]: c["CapacityUnits"] for c in out["ConsumedCapacity"]}
    assert caps == {h: 3.0, r: 1.0}  # 2 KB item = 2 WCU, small item = 1 WCU
    out = ddb.batch_write_item(RequestItems={h: [delete(H("c1"))]},
                               ReturnConsumedCapacity="INDEXES")
    assert [(c["TableName"], c["CapacityUnits"], c["Table"]["CapacityUnits"])
            for c in out["ConsumedCapacity"]] == [(h, 2.0, 2.0)]
    out = ddb.batch_write_item(RequestItems={h: [delete(H("c2"))]})
    assert "ConsumedCapacity" not in out


def test_retry_loop_writes_many_items(ddb, two_tables):
    h, r = two_tables
    total_calls = 0
    for start in range(0, 200, 25):
        total_calls += write_all(ddb, {r: [put({**R("bulk", f"{i:03d}"), "i": {"N": str(i)}})
                                           for i in range(start, start + 25)]})
    assert total_calls >= 8
    out = ddb.query(TableName=r, KeyConditionExpression="PK = :p",
                    ExpressionAttributeValues={":p": {"S": "bulk"}}, Select="COUNT")
    assert out["Count"] == 200


def test_batch_write_with_cli(server, two_tables):
    h, _ = two_tables
    request = {h: [put_json("cli1"), put_json("cli2")]}
    _, out = server.cli("dynamodb", "batch-write-item", "--request-items", json.dumps(request))
    assert out == {"UnprocessedItems": {}}
    _, out = server.cli("dynamodb", "batch-get-item", "--request-items",
                        json.dumps({h: {"Keys": [{"PK": {"S": "cli1"}}, {"PK": {"S": "cli2"}},
                                                 {"PK": {"S": "cli3"}}]}}))
    assert sorted(it["PK"]["S"] for it in out["Responses"][h]) == ["cli1", "cli2"]
    assert out["UnprocessedKeys"] == {}


def put_json(pk):
    return {"PutRequest": {"Item": {"PK": {"S": pk}, "n": {"N": "1"}}}}


# ---- BatchGetItem -------------------------------------------------------------------------------

@pytest.fixture
def loaded(ddb, two_tables):
    h, r = two_tables
    write_all(ddb, {h: [put({**H(f"h{i}"), "a": {"S": f"a{i}"}, "b": {"N": str(i)},
                             "m": {"M": {"x": {"S": "mx"}, "y": {"S": "my"}}}})
                        for i in range(10)]})
    write_all(ddb, {r: [put({**R("r", f"{i}"), "a": {"S": f"ra{i}"}}) for i in range(10)]})
    return h, r


def test_batch_get_two_tables(ddb, loaded):
    h, r = loaded
    out = ddb.batch_get_item(RequestItems={
        h: {"Keys": [H("h1"), H("h5"), H("missing")]},
        r: {"Keys": [R("r", "3"), R("r", "nope"), R("nope", "3")], "ConsistentRead": True},
    })
    assert out["UnprocessedKeys"] == {}
    assert set(out["Responses"]) == {h, r}
    assert sorted(out["Responses"][h], key=lambda it: it["PK"]["S"]) == [
        {**H(f"h{i}"), "a": {"S": f"a{i}"}, "b": {"N": str(i)},
         "m": {"M": {"x": {"S": "mx"}, "y": {"S": "my"}}}} for i in (1, 5)]
    assert out["Responses"][r] == [{**R("r", "3"), "a": {"S": "ra3"}}]


def test_batch_get_only_missing_keys(ddb, loaded):
    h, _ = loaded
    out = ddb.batch_get_item(RequestItems={h: {"Keys": [H("nope1"), H("nope2")]}})
    assert out["Responses"] == {h: []}
    assert out["UnprocessedKeys"] == {}


def test_batch_get_projection(ddb, loaded):
    h, r = loaded
    out = ddb.batch_get_item(RequestItems={
        h: {"Keys": [H("h2"), H("h3")], "ProjectionExpression": "#a, m.y",
            "ExpressionAttributeNames": {"#a": "a"}},
        r: {"Keys": [R("r", "4")], "AttributesToGet": ["SK"]},
    })
    assert sorted(out["Responses"][h], key=lambda it: it["a"]["S"]) == [
        {"a": {"S": "a2"}, "m": {"M": {"y": {"S": "my"}}}},
        {"a": {"S": "a3"}, "m": {"M": {"y": {"S": "my"}}}}]
    assert out["Responses"][r] == [{"SK": {"S": "4"}}]


def test_batch_get_hundred_keys(ddb, loaded, server):
    h, r = loaded
    keys = [H(f"h{i}") for i in range(10)] + [H(f"absent{i}") for i in range(50)]
    rkeys = [R("r", f"{i}") for i in range(10)] + [R("absent", f"{i}") for i in range(30)]
    got, _ = get_all(ddb, {h: {"Keys": keys}, r: {"Keys": rkeys}})
    assert sorted(it["PK"]["S"] for it in got[h]) == [f"h{i}" for i in range(10)]
    assert sorted(it["SK"]["S"] for it in got[r]) == [f"{i}" for i in range(10)]

    expect_error(ddb.batch_get_item, RequestItems={h: {"Keys": keys},
                                                   r: {"Keys": rkeys + [R("one", "more")]}},
                 code=VALIDATION, message="Too many items requested for the BatchGetItem call")
    resp = server.api("BatchGetItem", {"RequestItems": {
        h: {"Keys": [{"PK": {"S": f"k{i}"}} for i in range(101)]}}})
    expect_raw_error(resp, VALIDATION)


def test_batch_get_duplicates(ddb, loaded):
    h, r = loaded
    expect_error(ddb.batch_get_item, RequestItems={h: {"Keys": [H("h1"), H("h1")]}},
                 code=VALIDATION, message=DUPLICATES)
    expect_error(ddb.batch_get_item, RequestItems={r: {"Keys": [R("r", "1"), R("r", "1")]}},
                 code=VALIDATION, message=DUPLICATES)
    # The same key value in two tables is not a duplicate.
    out = ddb.batch_get_item(RequestItems={h: {"Keys": [H("r")]}, r: {"Keys": [R("r", "1")]}})
    assert out["Responses"][r] == [{**R("r", "1"), "a": {"S": "ra1"}}]


def test_batch_get_errors(ddb, loaded, server):
    h, r = loaded
    expect_error(ddb.batch_get_item, RequestItems={gyre.unique("missing"): {"Keys": [H("a")]}},
                 code=NOT_FOUND, startswith="Requested resource not found")
    expect_error(ddb.batch_get_item, RequestItems={h: {"Keys": [H("a")]},
                                                   gyre.unique("missing"): {"Keys": [H("a")]}},
                 code=NOT_FOUND, startswith="Requested resource not found")
    expect_error(ddb.batch_get_item, RequestItems={h: {"Keys": [{"PK": {"N": "1"}}]}},
                 code=VALIDATION, message=KEY_SCHEMA)
    expect_error(ddb.batch_get_item, RequestItems={r: {"Keys": [H("r")]}},
                 code=VALIDATION, message=KEY_SCHEMA)
    resp = server.api("BatchGetItem", {"RequestItems": {}})
    expect_raw_error(resp, VALIDATION,
                     contains="Member must have length greater than or equal to 1")
    resp = server.api("BatchGetItem", {"RequestItems": {h: {"Keys": []}}})
    expect_raw_error(resp, VALIDATION,
                     contains="Member must have length greater than or equal to 1")


def test_batch_get_consumed_capacity(ddb, loaded):
    h, r = loaded
    out = ddb.batch_get_item(RequestItems={h: {"Keys": [H("h1"), H("h2")]},
                                           r: {"Keys": [R("r", "1")], "ConsistentRead": True}},
                             ReturnConsumedCapacity="TOTAL")
    caps = {c["TableName"]: c["CapacityUnits"] for c in out["ConsumedCapacity"]}
    # Each key is read as its own GetItem, rounded up to 4 KB on its own: two small items
    # eventually consistent are 2 x 0.5, not 0.5 for their combined size.
    assert caps == {h: 1.0, r: 1.0}


def test_batch_get_sixteen_megabytes_then_unprocessed_keys(ddb, hash_table):
    # 60 items of ~350 KB are ~21 MB: more than one BatchGetItem response may carry.
    blob = "w" * (350 * 1024)
    for start in range(0, 60, 20):
        write_all(ddb, {hash_table: [put({**H(f"big{i:02d}"), "D": {"S": blob}})
                                     for i in range(start, start + 20)]})
    keys = [H(f"big{i:02d}") for i in range(60)]
    first = ddb.batch_get_item(RequestItems={hash_table: {"Keys": keys}})
    n = len(first["Responses"][hash_table])
    assert 0 < n < 60
    # "so as not to exceed the 16 MB limit": the items returned fit in 16 MB.
    assert n * len(blob) <= 16 * 1024 * 1024, f"{n} items of {len(blob)} bytes"
    unprocessed = first["UnprocessedKeys"][hash_table]["Keys"]
    assert len(unprocessed) == 60 - n
    returned = {it["PK"]["S"] for it in first["Responses"][hash_table]}
    assert returned.isdisjoint(k["PK"]["S"] for k in unprocessed)

    got, calls = get_all(ddb, {hash_table: {"Keys": keys}})
    names = sorted(it["PK"]["S"] for it in got[hash_table])
    assert names == [f"big{i:02d}" for i in range(60)]
    assert calls >= 2
    assert all(it["D"]["S"] == blob for it in got[hash_table])

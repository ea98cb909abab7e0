"""Items: PutItem, GetItem, DeleteItem — types, numbers, return values, capacity, validation."""

import base64

import pytest

import gyre
from gyre import expect_error, expect_raw_error

INVALID = "One or more parameter values were invalid: "


def _normalise(av):
    """Make sets comparable regardless of order."""
    (t, v), = av.items()
    if t in ("SS", "NS", "BS"):
        return {t: frozenset(v)}
    if t == "M":
        return {"M": {k: _normalise(x) for k, x in v.items()}}
    if t == "L":
        return {"L": [_normalise(x) for x in v]}
    return av


def _norm_item(item):
    return {k: _normalise(v) for k, v in item.items()}


def test_every_attribute_type_round_trips(ddb, hash_table):
    item = {
        "PK": {"S": "types"},
        "s": {"S": "héllo wörld ✓"},
        "empty_s": {"S": ""},
        "n": {"N": "42"},
        "neg": {"N": "-3.25"},
        "b": {"B": b"\x00\x01\xfe\xff"},
        "empty_b": {"B": b""},
        "t": {"BOOL": True},
        "f": {"BOOL": False},
        "nul": {"NULL": True},
        "m": {"M": {"inner": {"S": "v"}, "num": {"N": "7"},
                    "deep": {"M": {"l": {"L": [{"N": "1"}, {"S": "two"}]}}}}},
        "empty_m": {"M": {}},
        "l": {"L": [{"S": "a"}, {"N": "2"}, {"BOOL": False}, {"NULL": True},
                    {"M": {"x": {"SS": ["p", "q"]}}}, {"L": []}]},
        "empty_l": {"L": []},
        "ss": {"SS": ["z", "a", "m"]},
        "ns": {"NS": ["3", "1", "2.5"]},
        "bs": {"BS": [b"\x01", b"\x02\x03", b"\xff"]},
    }
    out = ddb.put_item(TableName=hash_table, Item=item)
    assert set(out) == {"ResponseMetadata"}
    got = ddb.get_item(TableName=hash_table, Key={"PK": {"S": "types"}})["Item"]
    assert _norm_item(got) == _norm_item(item)
    got = ddb.get_item(TableName=hash_table, Key={"PK": {"S": "types"}},
                       ConsistentRead=True)["Item"]
    assert _norm_item(got) == _norm_item(item)


def test_put_response_is_empty(server, hash_table):
    resp = server.api("PutItem", {"TableName": hash_table, "Item": {"PK": {"S": "e"}}})
    assert resp.status == 200
    assert resp.json() == {}
    assert resp.headers.get("x-amzn-requestid")


def test_binary_is_base64_on_the_wire(server, hash_table):
    raw = bytes(range(256))
    enc = base64.b64encode(raw).decode()
    resp = server.api("PutItem", {"TableName": hash_table,
                                  "Item": {"PK": {"S": "bin"}, "b": {"B": enc},
                                           "bs": {"BS": [enc, "AQ=="]}}})
    assert resp.status == 200, resp
    resp = server.api("GetItem", {"TableName": hash_table, "Key": {"PK": {"S": "bin"}}})
    item = resp.json()["Item"]
    assert item["b"] == {"B": enc}
    assert sorted(item["bs"]["BS"]) == sorted([enc, "AQ=="])


@pytest.mark.parametrize("given, canonical", [
    ("1E2", "100"),
    ("0029.9900", "29.99"),
    ("-0.50", "-0.5"),
    ("1.5e-3", "0.0015"),
    ("0.000", "0"),
    ("12345678901234567890123456789012345678", "12345678901234567890123456789012345678"),
    ("-1.2345678901234567890123456789012345678", "-1.2345678901234567890123456789012345678"),
    ("9.9999999999999999999999999999999999999E+125",
     "9" * 38 + "0" * 88),
    ("1E-130", "0." + "0" * 129 + "1"),
    ("100E-2", "1"),
])
def test_numbers_come_back_canonical(ddb, hash_table, given, canonical):
    ddb.put_item(TableName=hash_table, Item={"PK": {"S": "num"}, "n": {"N": given},
                                             "ns": {"NS": [given, "123456"]}})
    got = ddb.get_item(TableName=hash_table, Key={"PK": {"S": "num"}})["Item"]
    assert got["n"] == {"N": canonical}
    assert set(got["ns"]["NS"]) == {canonical, "123456"}


def test_number_keys_are_canonical(ddb, name):
    table = name()
    gyre.create_table(ddb, table, "n", "r", hash_type="N", range_type="N")
    ddb.put_item(TableName=table, Item={"n": {"N": "1E2"}, "r": {"N": "0.50"}, "v": {"S": "a"}})
    got = ddb.get_item(TableName=table, Key={"n": {"N": "100"}, "r": {"N": "0.500"}})["Item"]
    assert got == {"n": {"N": "100"}, "r": {"N": "0.5"}, "v": {"S": "a"}}
    # The same number written differently addresses the same item.
    ddb.put_item(TableName=table, Item={"n": {"N": "100.0"}, "r": {"N": "5E-1"},
                                        "v": {"S": "b"}})
    got = ddb.get_item(TableName=table, Key={"n": {"N": "1e2"}, "r": {"N": "0.5"}})["Item"]
    assert got["v"] == {"S": "b"}


def test_binary_keys(ddb, name):
    table = name()
    gyre.create_table(ddb, table, "h", "r", hash_type="B", range_type="B")
    key = {"h": {"B": b"\x00\xff"}, "r": {"B": b"\x01"}}
    ddb.put_item(TableName=table, Item={**key, "v": {"N": "1"}})
    assert ddb.get_item(TableName=table, Key=key)["Item"] == {**key, "v": {"N": "1"}}
    assert "Item" not in ddb.get_item(TableName=table,
                                      Key={"h": {"B": b"\x00\xff"}, "r": {"B": b"\x02"}})


def test_put_overwrites_whole_item(ddb, range_table):
    key = {"PK": {"S": "o"}, "SK": {"S": "1"}}
    ddb.put_item(TableName=range_table, Item={**key, "a": {"S": "1"}, "b": {"S": "2"}})
    ddb.put_item(TableName=range_table, Item={**key, "c": {"S": "3"}})
    assert ddb.get_item(TableName=range_table, Key=key)["Item"] == {**key, "c": {"S": "3"}}


def test_range_key_distinguishes_items(ddb, range_table):
    for sk in ("a", "b", "c"):
        ddb.put_item(TableName=range_table, Item={"PK": {"S": "p"}, "SK": {"S": sk},
                                                  "v": {"S": sk.upper()}})
    for sk in ("a", "b", "c"):
        got = ddb.get_item(TableName=range_table, Key={"PK": {"S": "p"}, "SK": {"S": sk}})
        assert got["Item"]["v"] == {"S": sk.upper()}


def test_return_values_put_and_delete(ddb, hash_table):
    key = {"PK": {"S": "rv"}}
    out = ddb.put_item(TableName=hash_table, Item={**key, "v": {"N": "1"}}, ReturnValues="ALL_OLD")
    assert "Attributes" not in out
    out = ddb.put_item(TableName=hash_table, Item={**key, "v": {"N": "2"}}, ReturnValues="NONE")
    assert "Attributes" not in out
    out = ddb.put_item(TableName=hash_table, Item={**key, "v": {"N": "3"}}, ReturnValues="ALL_OLD")
    assert out["Attributes"] == {**key, "v": {"N": "2"}}

    out = ddb.delete_item(TableName=hash_table, Key=key, ReturnValues="ALL_OLD")
    assert out["Attributes"] == {**key, "v": {"N": "3"}}
    assert "Item" not in ddb.get_item(TableName=hash_table, Key=key)
    out = ddb.delete_item(TableName=hash_table, Key=key, ReturnValues="ALL_OLD")
    assert "Attributes" not in out
    out = ddb.delete_item(TableName=hash_table, Key=key)
    assert "Attributes" not in out


@pytest.mark.parametrize("rv", ["ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"])
def test_put_bad_return_values(ddb, hash_table, rv):
    expect_error(ddb.put_item, TableName=hash_table, Item={"PK": {"S": "x"}}, ReturnValues=rv,
                 code="ValidationException", message="ReturnValues can only be ALL_OLD or NONE")
    expect_error(ddb.delete_item, TableName=hash_table, Key={"PK": {"S": "x"}},
                 ReturnValues=rv, code="ValidationException",
                 message="ReturnValues can only be ALL_OLD or NONE")


def test_get_missing_item(ddb, range_table):
    out = ddb.get_item(TableName=range_table, Key={"PK": {"S": "nope"}, "SK": {"S": "nope"}})
    assert "Item" not in out
    out = ddb.get_item(TableName=range_table, Key={"PK": {"S": "nope"}, "SK": {"S": "nope"}},
                       ConsistentRead=True)
    assert "Item" not in out


def test_get_missing_item_raw_body(server, hash_table):
    resp = server.api("GetItem", {"TableName": hash_table, "Key": {"PK": {"S": "nope"}}})
    assert resp.status == 200
    assert resp.json() == {}


def test_consumed_capacity(ddb, hash_table):
    item = {"PK": {"S": "cap"}, "D": {"S": "x" * 1500}}  # about 1.5 KB
    out = ddb.put_item(TableName=hash_table, Item=item, ReturnConsumedCapacity="TOTAL")
    assert out["ConsumedCapacity"]["TableName"] == hash_table
    assert out["ConsumedCapacity"]["CapacityUnits"] == 2.0

    out = ddb.put_item(TableName=hash_table, Item=item, ReturnConsumedCapacity="INDEXES")
    assert out["ConsumedCapacity"]["CapacityUnits"] == 2.0
    assert out["ConsumedCapacity"]["Table"]["CapacityUnits"] == 2.0

    out = ddb.put_item(TableName=hash_table, Item=item, ReturnConsumedCapacity="NONE")
    assert "ConsumedCapacity" not in out
    out = ddb.put_item(TableName=hash_table, Item=item)
    assert "ConsumedCapacity" not in out

    out = ddb.get_item(TableName=hash_table, Key={"PK": {"S": "cap"}},
                       ReturnConsumedCapacity="TOTAL")
    assert out["ConsumedCapacity"]["TableName"] == hash_table
    assert out["ConsumedCapacity"]["CapacityUnits"] == 0.5
    out = ddb.get_item(TableName=hash_table, Key={"PK": {"S": "cap"}}, ConsistentRead=True,
                       ReturnConsumedCapacity="TOTAL")
    assert out["ConsumedCapacity"]["CapacityUnits"] == 1.0
    out = ddb.get_item(TableName=hash_table, Key={"PK": {"S": "cap"}}, ConsistentRead=True,
                       ReturnConsumedCapacity="INDEXES")
    assert out["ConsumedCapacity"]["Table"]["CapacityUnits"] == 1.0

    small = ddb.put_item(TableName=hash_table, Item={"PK": {"S": "small"}},
                         ReturnConsumedCapacity="TOTAL")
    assert small["ConsumedCapacity"]["CapacityUnits"] == 1.0
    out = ddb.delete_item(TableName=hash_table, Key={"PK": {"S": "cap"}},
                          ReturnConsumedCapacity="TOTAL")
    assert out["ConsumedCapacity"]["CapacityUnits"] == 2.0


def test_item_size_limit(ddb, hash_table):
    # Size = attribute name bytes + value bytes; 400 KB = 409600 bytes is allowed.
    key = "big"
    fill = 409600 - len("PK") - len(key) - len("D")
    ddb.put_item(TableName=hash_table, Item={"PK": {"S": key}, "D": {"S": "x" * fill}})
    got = ddb.get_item(TableName=hash_table, Key={"PK": {"S": key}})["Item"]
    assert len(got["D"]["S"]) == fill
    expect_error(ddb.put_item, TableName=hash_table,
                 Item={"PK": {"S": key}, "D": {"S": "x" * (fill + 1)}},
                 code="ValidationException",
                 message="Item size has exceeded the maximum allowed size")
    # The failed put left the old item alone.
    got = ddb.get_item(TableName=hash_table, Key={"PK": {"S": key}})["Item"]
    assert len(got["D"]["S"]) == fill


def test_item_size_limit_multibyte(ddb, hash_table):
    # "é" is two UTF-8 bytes: sizes count bytes, not characters.
    fill = (409600 - len("PK") - 2 - 1) // 2 + 1
    expect_error(ddb.put_item, TableName=hash_table,
                 Item={"PK": {"S": "mb"}, "D": {"S": "é" * fill}}, code="ValidationException",
                 message="Item size has exceeded the maximum allowed size")


def test_key_type_mismatch(ddb, range_table):
    expect_error(ddb.put_item, TableName=range_table,
                 Item={"PK": {"N": "1"}, "SK": {"S": "a"}}, code="ValidationException",
                 message=INVALID + "Type mismatch for key PK expected: S actual: N")
    expect_error(ddb.put_item, TableName=range_table,
                 Item={"PK": {"S": "a"}, "SK": {"B": b"x"}}, code="ValidationException",
                 message=INVALID + "Type mismatch for key SK expected: S actual: B")
    expect_error(ddb.put_item, TableName=range_table,
                 Item={"PK": {"SS": ["a"]}, "SK": {"S": "a"}}, code="ValidationException",
                 message=INVALID + "Type mismatch for key PK expected: S actual: SS")
    expect_error(ddb.get_item, TableName=range_table,
                 Key={"PK": {"N": "1"}, "SK": {"S": "a"}}, code="ValidationException",
                 message="The provided key element does not match the schema")
    expect_error(ddb.delete_item, TableName=range_table,
                 Key={"PK": {"N": "1"}, "SK": {"S": "a"}}, code="ValidationException",
                 message="The provided key element does not match the schema")


def test_missing_key_attribute(ddb, range_table):
    expect_error(ddb.put_item, TableName=range_table, Item={"PK": {"S": "a"}, "x": {"S": "1"}},
                 code="ValidationException", message=INVALID + "Missing the key SK in the item")
    expect_error(ddb.put_item, TableName=range_table, Item={"SK": {"S": "a"}},
                 code="ValidationException", message=INVALID + "Missing the key PK in the item")
    expect_error(ddb.get_item, TableName=range_table, Key={"PK": {"S": "a"}},
                 code="ValidationException",
                 message="The provided key element does not match the schema")
    expect_error(ddb.delete_item, TableName=range_table, Key={"SK": {"S": "a"}},
                 code="ValidationException",
                 message="The provided key element does not match the schema")


def test_key_with_extra_attributes(ddb, hash_table):
    ddb.put_item(TableName=hash_table, Item={"PK": {"S": "k"}, "x": {"S": "1"}})
    expect_error(ddb.get_item, TableName=hash_table, Key={"PK": {"S": "k"}, "x": {"S": "1"}},
                 code="ValidationException",
                 message="The provided key element does not match the schema")
    expect_error(ddb.delete_item, TableName=hash_table, Key={"PK": {"S": "k"}, "x": {"S": "1"}},
                 code="ValidationException",
                 message="The provided key element does not match the schema")
    assert "Item" in ddb.get_item(TableName=hash_table, Key={"PK": {"S": "k"}})


def test_empty_string_key(ddb, range_table):
    expect_error(ddb.put_item, TableName=range_table, Item={"PK": {"S": ""}, "SK": {"S": "a"}},
                 code="ValidationException",
                 message="One or more parameter values are not valid. The AttributeValue for a "
                 "key attribute cannot contain an empty string value. Key: PK")
    expect_error(ddb.put_item, TableName=range_table, Item={"PK": {"S": "a"}, "SK": {"S": ""}},
                 code="ValidationException",
                 message="One or more parameter values are not valid. The AttributeValue for a "
                 "key attribute cannot contain an empty string value. Key: SK")
    expect_error(ddb.get_item, TableName=range_table, Key={"PK": {"S": ""}, "SK": {"S": "a"}},
                 code="ValidationException",
                 message="One or more parameter values are not valid. The AttributeValue for a "
                 "key attribute cannot contain an empty string value. Key: PK")


def test_empty_binary_key(ddb, name):
    table = name()
    gyre.create_table(ddb, table, "h", hash_type="B")
    err = expect_error(ddb.put_item, TableName=table, Item={"h": {"B": b""}},
                       code="ValidationException")
    assert "empty" in err.response["Error"]["Message"]


def test_key_size_limits(ddb, range_table):
    ok_hash = "h" * 2048
    ok_range = "r" * 1024
    ddb.put_item(TableName=range_table, Item={"PK": {"S": ok_hash}, "SK": {"S": ok_range}})
    got = ddb.get_item(TableName=range_table, Key={"PK": {"S": ok_hash}, "SK": {"S": ok_range}})
    assert got["Item"]["PK"]["S"] == ok_hash
    expect_error(ddb.put_item, TableName=range_table,
                 Item={"PK": {"S": "h" * 2049}, "SK": {"S": "a"}}, code="ValidationException",
                 message=INVALID + "Size of hashkey has exceeded the maximum size limit of2048 "
                 "bytes")
    expect_error(ddb.put_item, TableName=range_table,
                 Item={"PK": {"S": "a"}, "SK": {"S": "r" * 1025}}, code="ValidationException",
                 message=INVALID + "Aggregated size of all range keys has exceeded the size "
                 "limit of 1024 bytes")
    # Limits are in UTF-8 bytes: 1024 two-byte characters are 2048 bytes.
    expect_error(ddb.put_item, TableName=range_table,
                 Item={"PK": {"S": "a"}, "SK": {"S": "é" * 513}}, code="ValidationException",
                 message=INVALID + "Aggregated size of all range keys has exceeded the size "
                 "limit of 1024 bytes")


@pytest.mark.parametrize("value, message", [
    ({"SS": []}, INVALID + "An string set  may not be empty"),
    ({"NS": []}, INVALID + "An number set  may not be empty"),
    ({"BS": []}, INVALID + "Binary sets should not be empty"),
])
def test_empty_set(ddb, hash_table, value, message):
    expect_error(ddb.put_item, TableName=hash_table, Item={"PK": {"S": "es"}, "s": value},
                 code="ValidationException", message=message)


def test_duplicate_set_elements(ddb, hash_table):
    expect_error(ddb.put_item, TableName=hash_table,
                 Item={"PK": {"S": "d"}, "s": {"SS": ["a", "a"]}}, code="ValidationException",
                 message=INVALID + "Input collection [a, a] contains duplicates.")
    err = expect_error(ddb.put_item, TableName=hash_table,
                       Item={"PK": {"S": "d"}, "s": {"NS": ["1", "1"]}},
                       code="ValidationException")
    assert "contains duplicates" in err.response["Error"]["Message"]
    err = expect_error(ddb.put_item, TableName=hash_table,
                       Item={"PK": {"S": "d"}, "s": {"BS": [b"b", b"b"]}},
                       code="ValidationException")
    assert "contains duplicates" in err.response["Error"]["Message"]


@pytest.mark.parametrize("n, message", [
    ("123456789012345678901234567890123456789",
     "Attempting to store more than 38 significant digits in a Number"),
    ("-1.23456789012345678901234567890123456789",
     "Attempting to store more than 38 significant digits in a Number"),
    ("1E+126", "Number overflow. Attempting to store a number with magnitude larger than "
     "supported range"),
    ("-1E+126", "Number overflow. Attempting to store a number with magnitude larger than "
     "supported range"),
    ("1E-131", "Number underflow. Attempting to store a number with magnitude smaller than "
     "supported range"),
    ("-1E-131", "Number underflow. Attempting to store a number with magnitude smaller than "
     "supported range"),
])
def test_number_limits(ddb, hash_table, n, message):
    expect_error(ddb.put_item, TableName=hash_table, Item={"PK": {"S": "n"}, "n": {"N": n}},
                 code="ValidationException", message=message)
    expect_error(ddb.put_item, TableName=hash_table, Item={"PK": {"S": "n"}, "n": {"NS": [n]}},
                 code="ValidationException", message=message)


@pytest.mark.parametrize("n", ["", "abc", "1.2.3", "1e", "--1", "0x10", "NaN", "Infinity"])
def test_malformed_numbers(ddb, hash_table, n):
    expect_error(ddb.put_item, TableName=hash_table, Item={"PK": {"S": "n"}, "n": {"N": n}},
                 code="ValidationException")


def test_trailing_zeros_are_not_significant(ddb, hash_table):
    n = "1" + "0" * 100
    ddb.put_item(TableName=hash_table, Item={"PK": {"S": "z"}, "n": {"N": n}})
    assert ddb.get_item(TableName=hash_table, Key={"PK": {"S": "z"}})["Item"]["n"] == {"N": n}


@pytest.mark.parametrize("attr, message", [
    ({}, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"),
    ({"S": "a", "N": "1"}, "Supplied AttributeValue has more than one datatypes set, must "
     "contain exactly one of the supported datatypes"),
    ({"NULL": False}, None),
])
def test_bad_attribute_value_shapes(server, hash_table, attr, message):
    resp = server.api("PutItem", {"TableName": hash_table, "Item": {"PK": {"S": "x"}, "a": attr}})
    expect_raw_error(resp, "ValidationException", message=message)


@pytest.mark.parametrize("attr", [
    {"S": 5}, {"N": 5}, {"BOOL": "yes"}, {"SS": "a"}, {"L": {"a": 1}}, {"M": []},
    {"B": "***not base64***"}, "plain",
])
def test_wrongly_typed_attribute_values(server, hash_table, attr):
    resp = server.api("PutItem", {"TableName": hash_table, "Item": {"PK": {"S": "x"}, "a": attr}})
    assert resp.status == 400, resp
    assert resp.error_code in ("SerializationException", "ValidationException"), resp


def test_unknown_attribute_type_tag(server, hash_table):
    resp = server.api("PutItem", {"TableName": hash_table,
                                  "Item": {"PK": {"S": "x"}, "a": {"Z": "1"}}})
    assert resp.status == 400, resp
    assert resp.error_code in ("SerializationException", "ValidationException"), resp


def test_unknown_table(ddb):
    missing = gyre.unique("missing")
    for call, kw in ((ddb.put_item, {"Item": {"PK": {"S": "a"}}}),
                     (ddb.get_item, {"Key": {"PK": {"S": "a"}}}),
                     (ddb.delete_item, {"Key": {"PK": {"S": "a"}}})):
        expect_error(call, TableName=missing, code="ResourceNotFoundException",
                     startswith="Requested resource not found", **kw)


def test_missing_required_members(server, hash_table):
    resp = server.api("PutItem", {"TableName": hash_table})
    expect_raw_error(resp, "ValidationException",
                     contains="Value null at 'item' failed to satisfy constraint: Member must "
                     "not be null")
    resp = server.api("GetItem", {"TableName": hash_table})
    expect_raw_error(resp, "ValidationException",
                     contains="Value null at 'key' failed to satisfy constraint: Member must "
                     "not be null")
    resp = server.api("GetItem", {"Key": {"PK": {"S": "a"}}})
    expect_raw_error(resp, "ValidationException",
                     contains="Value null at 'tableName' failed to satisfy constraint: Member "
                     "must not be null")


def test_delete_item(ddb, range_table):
    key = {"PK": {"S": "del"}, "SK": {"S": "1"}}
    ddb.put_item(TableName=range_table, Item={**key, "v": {"S": "x"}})
    assert ddb.delete_item(TableName=range_table, Key=key).get("Attributes") is None
    assert "Item" not in ddb.get_item(TableName=range_table, Key=key, ConsistentRead=True)
    # Deleting a missing item succeeds.
    ddb.delete_item(TableName=range_table, Key=key)


def test_items_isolated_between_tables(ddb, name):
    a, b = name("-a"), name("-b")
    gyre.create_table(ddb, a, "PK")
    gyre.create_table(ddb, b, "PK")
    ddb.put_item(TableName=a, Item={"PK": {"S": "same"}, "t": {"S": "a"}})
    assert "Item" not in ddb.get_item(TableName=b, Key={"PK": {"S": "same"}})
    ddb.put_item(TableName=b, Item={"PK": {"S": "same"}, "t": {"S": "b"}})
    assert ddb.get_item(TableName=a, Key={"PK": {"S": "same"}})["Item"]["t"] == {"S": "a"}

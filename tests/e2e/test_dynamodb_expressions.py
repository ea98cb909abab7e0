"""Expressions: condition, update and projection expressions, the legacy parameters they
replaced, and their validation errors."""

import threading
import time

import pytest

from gyre import expect_error, expect_raw_error

INVALID = "One or more parameter values were invalid: "
CCF = "ConditionalCheckFailedException"
CCF_MSG = "The conditional request failed"


def K(pk):
    return {"PK": {"S": pk}}


def get(ddb, table, pk, **kw):
    return ddb.get_item(TableName=table, Key=K(pk), ConsistentRead=True, **kw).get("Item")


# ---- ConditionExpression ----------------------------------------------------------------------

def test_attribute_not_exists_idempotent_insert(ddb, hash_table):
    item = {**K("order-1"), "total": {"N": "10"}}
    ddb.put_item(TableName=hash_table, Item=item, ConditionExpression="attribute_not_exists(PK)")
    expect_error(ddb.put_item, TableName=hash_table,
                 Item={**K("order-1"), "total": {"N": "99"}},
                 ConditionExpression="attribute_not_exists(PK)", code=CCF, message=CCF_MSG)
    assert get(ddb, hash_table, "order-1") == item


def test_condition_failure_returns_old_item(server, ddb, hash_table):
    item = {**K("rv"), "v": {"N": "1"}, "tag": {"S": "x"}}
    ddb.put_item(TableName=hash_table, Item=item)
    resp = server.api("PutItem", {"TableName": hash_table, "Item": {**K("rv"), "v": {"N": "2"}},
                                  "ConditionExpression": "attribute_not_exists(PK)",
                                  "ReturnValuesOnConditionCheckFailure": "ALL_OLD"})
    expect_raw_error(resp, CCF, message=CCF_MSG)
    assert resp.json()["Item"] == item

    resp = server.api("UpdateItem", {"TableName": hash_table, "Key": K("rv"),
                                     "UpdateExpression": "SET v = :n",
                                     "ConditionExpression": "v = :old",
                                     "ExpressionAttributeValues": {":n": {"N": "3"},
                                                                   ":old": {"N": "0"}},
                                     "ReturnValuesOnConditionCheckFailure": "ALL_OLD"})
    expect_raw_error(resp, CCF, message=CCF_MSG)
    assert resp.json()["Item"] == item

    resp = server.api("DeleteItem", {"TableName": hash_table, "Key": K("rv"),
                                     "ConditionExpression": "attribute_not_exists(v)",
                                     "ReturnValuesOnConditionCheckFailure": "ALL_OLD"})
    expect_raw_error(resp, CCF, message=CCF_MSG)
    assert resp.json()["Item"] == item

    # Without the option (or with NONE) the error carries no item.
    resp = server.api("PutItem", {"TableName": hash_table, "Item": K("rv"),
                                  "ConditionExpression": "attribute_not_exists(PK)",
                                  "ReturnValuesOnConditionCheckFailure": "NONE"})
    expect_raw_error(resp, CCF, message=CCF_MSG)
    assert "Item" not in resp.json()
    assert get(ddb, hash_table, "rv") == item


def test_condition_failure_on_missing_item_has_no_item(server, hash_table):
    resp = server.api("UpdateItem", {"TableName": hash_table, "Key": K("ghost"),
                                     "UpdateExpression": "SET v = :n",
                                     "ConditionExpression": "attribute_exists(PK)",
                                     "ExpressionAttributeValues": {":n": {"N": "3"}},
                                     "ReturnValuesOnConditionCheckFailure": "ALL_OLD"})
    expect_raw_error(resp, CCF, message=CCF_MSG)
    assert "Item" not in resp.json()


def test_condition_on_delete(ddb, hash_table):
    ddb.put_item(TableName=hash_table, Item={**K("d"), "state": {"S": "open"}})
    expect_error(ddb.delete_item, TableName=hash_table, Key=K("d"),
                 ConditionExpression="#s = :closed", ExpressionAttributeNames={"#s": "state"},
                 ExpressionAttributeValues={":closed": {"S": "closed"}}, code=CCF,
                 message=CCF_MSG)
    assert get(ddb, hash_table, "d") is not None
    out = ddb.delete_item(TableName=hash_table, Key=K("d"),
                          ConditionExpression="attribute_exists(PK) AND #s = :open",
                          ExpressionAttributeNames={"#s": "state"},
                          ExpressionAttributeValues={":open": {"S": "open"}},
                          ReturnValues="ALL_OLD")
    assert out["Attributes"] == {**K("d"), "state": {"S": "open"}}
    assert get(ddb, hash_table, "d") is None
    expect_error(ddb.delete_item, TableName=hash_table, Key=K("d"),
                 ConditionExpression="attribute_exists(PK)", code=CCF, message=CCF_MSG)


def test_condition_functions_and_operators(ddb, hash_table):
    ddb.put_item(TableName=hash_table, Item={
        **K("c"), "n": {"N": "5"}, "s": {"S": "hello world"}, "l": {"L": [{"N": "1"}]},
        "ss": {"SS": ["a", "b"]}, "m": {"M": {"x": {"N": "1"}}}, "nul": {"NULL": True}})
    ok = [
        ("n = :five", {":five": {"N": "5.0"}}),
        ("n <> :six", {":six": {"N": "6"}}),
        ("n < :six AND n <= :five AND n > :four AND n >= :five",
         {":six": {"N": "6"}, ":five": {"N": "5"}, ":four": {"N": "4"}}),
        ("n BETWEEN :a AND :b", {":a": {"N": "1"}, ":b": {"N": "5"}}),
        ("n IN (:a, :b, :c)", {":a": {"N": "1"}, ":b": {"N": "5"}, ":c": {"N": "9"}}),
        ("begins_with(s, :p)", {":p": {"S": "hell"}}),
        ("contains(s, :p)", {":p": {"S": "o w"}}),
        ("contains(ss, :e)", {":e": {"S": "b"}}),
        ("contains(l, :e)", {":e": {"N": "1"}}),
        ("size(s) = :len", {":len": {"N": "11"}}),
        ("size(ss) = :two AND size(l) < :two", {":two": {"N": "2"}}),
        ("attribute_type(n, :t)", {":t": {"S": "N"}}),
        ("attribute_type(nul, :t)", {":t": {"S": "NULL"}}),
        ("attribute_exists(m.x) AND attribute_not_exists(m.y)", None),
        ("NOT (n = :six) OR n = :six", {":six": {"N": "6"}}),
        ("(n = :five OR n = :six) AND NOT attribute_not_exists(s)",
         {":five": {"N": "5"}, ":six": {"N": "6"}}),
        ("l[0] = :one AND m.x = :one", {":one": {"N": "1"}}),
    ]
    for expr, values in ok:
        ddb.update_item(TableName=hash_table, Key=K("c"), UpdateExpression="SET touched = :tv",
                        ConditionExpression=expr,
                        ExpressionAttributeValues={**(values or {}), ":tv": {"BOOL": True}})
    failing = [
        ("n = :s", {":s": {"S": "5"}}),
        ("n > :five", {":five": {"N": "5"}}),
        ("begins_with(s, :p)", {":p": {"S": "world"}}),
        ("attribute_type(n, :t)", {":t": {"S": "S"}}),
        ("nosuchattr = :v", {":v": {"N": "1"}}),
        ("size(nosuchattr) > :z", {":z": {"N": "0"}}),
    ]
    for expr, values in failing:
        expect_error(ddb.update_item, TableName=hash_table, Key=K("c"),
                     UpdateExpression="SET touched = :tv", ConditionExpression=expr,
                     ExpressionAttributeValues={**values, ":tv": {"BOOL": False}}, code=CCF,
                     message=CCF_MSG)
    assert get(ddb, hash_table, "c")["touched"] == {"BOOL": True}


def test_optimistic_locking(ddb, hash_table):
    ddb.put_item(TableName=hash_table, Item={**K("doc"), "version": {"N": "1"},
                                             "body": {"S": "v1"}})

    def save(expected, body):
        ddb.update_item(TableName=hash_table, Key=K("doc"),
                        UpdateExpression="SET body = :b, version = version + :one",
                        ConditionExpression="version = :expected",
                        ExpressionAttributeValues={":b": {"S": body}, ":one": {"N": "1"},
                                                   ":expected": {"N": str(expected)}})

    save(1, "v2")
    expect_error(save, 1, "stale", code=CCF, message=CCF_MSG)
    save(2, "v3")
    item = get(ddb, hash_table, "doc")
    assert item["version"] == {"N": "3"} and item["body"] == {"S": "v3"}


def test_optimistic_locking_concurrent(server, ddb, hash_table):
    ddb.put_item(TableName=hash_table, Item={**K("olc"), "version": {"N": "0"},
                                             "count": {"N": "0"}})
    per_thread, n_threads = 15, 4
    errors = []
    deadline = time.monotonic() + 60

    def worker():
        c = server.client()
        done = 0
        while done < per_thread and time.monotonic() < deadline:
            item = c.get_item(TableName=hash_table, Key=K("olc"), ConsistentRead=True)["Item"]
            v = int(item["version"]["N"])
            try:
                c.update_item(TableName=hash_table, Key=K("olc"),
                              UpdateExpression="SET version = :nv, #c = #c + :one",
                              ConditionExpression="version = :v",
                              ExpressionAttributeNames={"#c": "count"},
                              ExpressionAttributeValues={":nv": {"N": str(v + 1)},
                                                         ":v": {"N": str(v)},
                                                         ":one": {"N": "1"}})
                done += 1
            except c.exceptions.ConditionalCheckFailedException:
                continue
            except Exception as e:  # pragma: no cover - reported below
                errors.append(repr(e))
                return

    threads = [threading.Thread(target=worker) for _ in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=90)
    assert errors == []
    item = get(ddb, hash_table, "olc")
    assert item["version"] == {"N": str(per_thread * n_threads)}
    assert item["count"] == {"N": str(per_thread * n_threads)}


# ---- UpdateExpression ---------------------------------------------------------------------------

def test_atomic_counter_concurrent(server, ddb, hash_table):
    n_threads, per_thread = 8, 50
    errors = []

    def worker():
        c = server.client()
        for _ in range(per_thread):
            try:
                c.update_item(TableName=hash_table, Key=K("ctr"),
                              UpdateExpression="SET c2 = if_not_exists(c2, :zero) + :one "
                                               "ADD hits :one",
                              ExpressionAttributeValues={":one": {"N": "1"},
                                                         ":zero": {"N": "0"}})
            except Exception as e:  # pragma: no cover - reported below
                errors.append(repr(e))
                return

    threads = [threading.Thread(target=worker) for _ in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=90)
    assert errors == []
    item = get(ddb, hash_table, "ctr")
    assert item["hits"] == {"N": str(n_threads * per_thread)}
    assert item["c2"] == {"N": str(n_threads * per_thread)}


def test_if_not_exists(ddb, hash_table):
    upd = dict(TableName=hash_table, Key=K("ine"),
               UpdateExpression="SET created = if_not_exists(created, :now), seen = :now",
               ReturnValues="ALL_NEW")
    out = ddb.update_item(**upd, ExpressionAttributeValues={":now": {"N": "100"}})
    assert out["Attributes"] == {**K("ine"), "created": {"N": "100"}, "seen": {"N": "100"}}
    out = ddb.update_item(**upd, ExpressionAttributeValues={":now": {"N": "200"}})
    assert out["Attributes"] == {**K("ine"), "created": {"N": "100"}, "seen": {"N": "200"}}


def test_arithmetic(ddb, hash_table):
    ddb.put_item(TableName=hash_table, Item={**K("ar"), "a": {"N": "10.5"}, "b": {"N": "3"}})
    out = ddb.update_item(TableName=hash_table, Key=K("ar"),
                          UpdateExpression="SET s = a + b, d = a - b, n = b - :big",
                          ExpressionAttributeValues={":big": {"N": "1E+2"}},
                          ReturnValues="UPDATED_NEW")
    assert out["Attributes"] == {"s": {"N": "13.5"}, "d": {"N": "7.5"}, "n": {"N": "-97"}}
    err = expect_error(ddb.update_item, TableName=hash_table, Key=K("ar"),
                       UpdateExpression="SET s = nosuchattr + :one",
                       ExpressionAttributeValues={":one": {"N": "1"}},
                       code="ValidationException")
    assert err.response["Error"]["Message"] == (
        "The provided expression refers to an attribute that does not exist in the item")


def test_list_append_and_remove_elements(ddb, hash_table):
    ddb.put_item(TableName=hash_table, Item={**K("l"), "l": {"L": [{"S": "b"}, {"S": "c"}]}})
    ddb.update_item(TableName=hash_table, Key=K("l"),
                    UpdateExpression="SET l = list_append(l, :tail)",
                    ExpressionAttributeValues={":tail": {"L": [{"S": "d"}, {"S": "e"}]}})
    ddb.update_item(TableName=hash_table, Key=K("l"),
                    UpdateExpression="SET l = list_append(:head, l)",
                    ExpressionAttributeValues={":head": {"L": [{"S": "a"}]}})
    assert get(ddb, hash_table, "l")["l"] == {"L": [{"S": x} for x in "abcde"]}
    ddb.update_item(TableName=hash_table, Key=K("l"), UpdateExpression="REMOVE l[0], l[2]")
    assert get(ddb, hash_table, "l")["l"] == {"L": [{"S": x} for x in "bde"]}
    ddb.update_item(TableName=hash_table, Key=K("l"), UpdateExpression="REMOVE l[10]")
    assert get(ddb, hash_table, "l")["l"] == {"L": [{"S": x} for x in "bde"]}
    ddb.update_item(TableName=hash_table, Key=K("l"), UpdateExpression="SET l[1] = :x, l[9] = :y",
                    ExpressionAttributeValues={":x": {"S": "X"}, ":y": {"S": "Y"}})
    assert get(ddb, hash_table, "l")["l"] == {"L": [{"S": x} for x in "bXeY"]}
    # list_append with a missing list, via if_not_exists.
    ddb.update_item(TableName=hash_table, Key=K("l"),
                    UpdateExpression="SET fresh = list_append(if_not_exists(fresh, :e), :v)",
                    ExpressionAttributeValues={":e": {"L": []}, ":v": {"L": [{"N": "1"}]}})
    assert get(ddb, hash_table, "l")["fresh"] == {"L": [{"N": "1"}]}


def test_add_and_delete_on_sets(ddb, hash_table):
    ddb.put_item(TableName=hash_table, Item={**K("s"), "ss": {"SS": ["a", "b"]},
                                             "ns": {"NS": ["1"]}})
    ddb.update_item(TableName=hash_table, Key=K("s"), UpdateExpression="ADD ss :v, ns :n",
                    ExpressionAttributeValues={":v": {"SS": ["b", "c", "d"]},
                                               ":n": {"NS": ["2", "3"]}})
    item = get(ddb, hash_table, "s")
    assert set(item["ss"]["SS"]) == {"a", "b", "c", "d"}
    assert set(item["ns"]["NS"]) == {"1", "2", "3"}
    ddb.update_item(TableName=hash_table, Key=K("s"), UpdateExpression="DELETE ss :v",
                    ExpressionAttributeValues={":v": {"SS": ["a", "z"]}})
    assert set(get(ddb, hash_table, "s")["ss"]["SS"]) == {"b", "c", "d"}
    # Deleting every element removes the attribute.
    ddb.update_item(TableName=hash_table, Key=K("s"), UpdateExpression="DELETE ns :n",
                    ExpressionAttributeValues={":n": {"NS": ["1", "2", "3"]}})
    assert "ns" not in get(ddb, hash_table, "s")
    # ADD to a missing attribute creates the set; ADD of a number creates a number.
    ddb.update_item(TableName=hash_table, Key=K("s"), UpdateExpression="ADD bs :b, num :n",
                    ExpressionAttributeValues={":b": {"BS": [b"\x01"]}, ":n": {"N": "-2"}})
    item = get(ddb, hash_table, "s")
    assert item["bs"] == {"BS": [b"\x01"]}
    assert item["num"] == {"N": "-2"}
    # Type mismatches.
    expect_error(ddb.update_item, TableName=hash_table, Key=K("s"),
                 UpdateExpression="ADD ss :n", ExpressionAttributeValues={":n": {"N": "1"}},
                 code="ValidationException")
    expect_error(ddb.update_item, TableName=hash_table, Key=K("s"),
                 UpdateExpression="DELETE ss :n", ExpressionAttributeValues={":n": {"NS": ["1"]}},
                 code="ValidationException")
    assert set(get(ddb, hash_table, "s")["ss"]["SS"]) == {"b", "c", "d"}


def test_nested_map_updates(ddb, hash_table):
    ddb.put_item(TableName=hash_table, Item={**K("m"), "m": {"M": {
        "x": {"M": {"y": {"N": "1"}, "keep": {"S": "k"}}},
        "list": {"L": [{"N": "0"}, {"M": {"z": {"N": "2"}}}]}}}})
    ddb.update_item(TableName=hash_table, Key=K("m"),
                    UpdateExpression="SET m.x.y = :v, m.#l[1].z = :w, m.newk = :n "
                                     "REMOVE m.x.keep",
                    ExpressionAttributeNames={"#l": "list"},
                    ExpressionAttributeValues={":v": {"N": "10"}, ":w": {"S": "twenty"},
                                               ":n": {"M": {"deep": {"BOOL": True}}}})
    assert get(ddb, hash_table, "m")["m"] == {"M": {
        "x": {"M": {"y": {"N": "10"}}},
        "list": {"L": [{"N": "0"}, {"M": {"z": {"S": "twenty"}}}]},
        "newk": {"M": {"deep": {"BOOL": True}}}}}
    expect_error(ddb.update_item, TableName=hash_table, Key=K("m"),
                 UpdateExpression="SET m.nope.deep = :v",
                 ExpressionAttributeValues={":v": {"N": "1"}}, code="ValidationException",
                 message="The document path provided in the update expression is invalid for "
                 "update")
    # Dots inside a name need a placeholder.
    ddb.update_item(TableName=hash_table, Key=K("m"), UpdateExpression="SET #dotted = :v",
                    ExpressionAttributeNames={"#dotted": "a.b"},
                    ExpressionAttributeValues={":v": {"S": "literal"}})
    item = get(ddb, hash_table, "m")
    assert item["a.b"] == {"S": "literal"}
    assert "a" not in item


@pytest.mark.parametrize("rv, expected", [
    ("NONE", None),
    ("ALL_OLD", {"PK": {"S": "RVKEY"}, "a": {"N": "1"}, "b": {"S": "x"}, "gone": {"S": "g"}}),
    ("UPDATED_OLD", {"a": {"N": "1"}, "gone": {"S": "g"}}),
    ("ALL_NEW", {"PK": {"S": "RVKEY"}, "a": {"N": "2"}, "b": {"S": "x"}, "c": {"S": "new"}}),
    ("UPDATED_NEW", {"a": {"N": "2"}, "c": {"S": "new"}}),
])
def test_update_return_values(ddb, hash_table, rv, expected):
    ddb.put_item(TableName=hash_table, Item={"PK": {"S": "RVKEY"}, "a": {"N": "1"},
                                             "b": {"S": "x"}, "gone": {"S": "g"}})
    out = ddb.update_item(TableName=hash_table, Key={"PK": {"S": "RVKEY"}},
                          UpdateExpression="SET a = :two, c = :new REMOVE gone",
                          ExpressionAttributeValues={":two": {"N": "2"}, ":new": {"S": "new"}},
                          ReturnValues=rv)
    assert out.get("Attributes") == expected


def test_update_creates_missing_item(ddb, hash_table):
    out = ddb.update_item(TableName=hash_table, Key=K("new"), UpdateExpression="SET a = :v",
                          ExpressionAttributeValues={":v": {"S": "x"}}, ReturnValues="ALL_OLD")
    assert "Attributes" not in out
    assert get(ddb, hash_table, "new") == {**K("new"), "a": {"S": "x"}}
    out = ddb.update_item(TableName=hash_table, Key=K("new2"), UpdateExpression="SET a = :v",
                          ExpressionAttributeValues={":v": {"S": "y"}}, ReturnValues="ALL_NEW")
    assert out["Attributes"] == {**K("new2"), "a": {"S": "y"}}
    # Without an UpdateExpression a missing item is created with just its key.
    ddb.update_item(TableName=hash_table, Key=K("bare"))
    assert get(ddb, hash_table, "bare") == K("bare")


def test_update_range_table(ddb, range_table):
    key = {"PK": {"S": "p"}, "SK": {"S": "s"}}
    out = ddb.update_item(TableName=range_table, Key=key, UpdateExpression="ADD n :one",
                          ExpressionAttributeValues={":one": {"N": "1"}}, ReturnValues="ALL_NEW")
    assert out["Attributes"] == {**key, "n": {"N": "1"}}


def test_updating_key_attribute(ddb, range_table):
    key = {"PK": {"S": "p"}, "SK": {"S": "s"}}
    for expr in ("SET PK = :v", "SET SK = :v", "REMOVE SK"):
        values = {"ExpressionAttributeValues": {":v": {"S": "x"}}} if ":v" in expr else {}
        expect_error(ddb.update_item, TableName=range_table, Key=key, UpdateExpression=expr,
                     **values,
                     code="ValidationException",
                     message=INVALID + f"Cannot update attribute {expr.split()[1]}. "
                     "This attribute is part of the key")


# ---- ProjectionExpression -----------------------------------------------------------------------

def test_projection_expression(ddb, hash_table):
    ddb.put_item(TableName=hash_table, Item={
        **K("p"), "a": {"S": "A"}, "b": {"N": "2"},
        "m": {"M": {"x": {"S": "X"}, "y": {"M": {"z": {"N": "1"}, "w": {"N": "2"}}}}},
        "l": {"L": [{"S": "l0"}, {"M": {"q": {"S": "Q"}, "r": {"S": "R"}}}, {"S": "l2"}]},
        "name": {"S": "reserved"}})
    out = ddb.get_item(TableName=hash_table, Key=K("p"), ProjectionExpression="a, m.y.z, l[1].q")
    assert out["Item"] == {"a": {"S": "A"}, "m": {"M": {"y": {"M": {"z": {"N": "1"}}}}},
                           "l": {"L": [{"M": {"q": {"S": "Q"}}}]}}
    out = ddb.get_item(TableName=hash_table, Key=K("p"), ProjectionExpression="#n, l[2], nope",
                       ExpressionAttributeNames={"#n": "name"})
    assert out["Item"] == {"name": {"S": "reserved"}, "l": {"L": [{"S": "l2"}]}}
    out = ddb.get_item(TableName=hash_table, Key=K("p"), ProjectionExpression="nope, m.nope")
    assert out.get("Item", {}) == {}
    out = ddb.get_item(TableName=hash_table, Key=K("p"), ProjectionExpression="m.x, m.y.w")
    assert out["Item"] == {"m": {"M": {"x": {"S": "X"}, "y": {"M": {"w": {"N": "2"}}}}}}


def test_projection_overlapping_paths(ddb, hash_table):
    ddb.put_item(TableName=hash_table, Item={**K("po"), "m": {"M": {"x": {"N": "1"}}}})
    err = expect_error(ddb.get_item, TableName=hash_table, Key=K("po"),
                       ProjectionExpression="m, m.x", code="ValidationException")
    assert err.response["Error"]["Message"].startswith(
        "Invalid ProjectionExpression: Two document paths overlap with each other;")


# ---- legacy parameters --------------------------------------------------------------------------

def test_legacy_expected(ddb, hash_table):
    ddb.put_item(TableName=hash_table, Item={**K("lg"), "v": {"N": "1"}},
                 Expected={"PK": {"Exists": False}})
    expect_error(ddb.put_item, TableName=hash_table, Item={**K("lg"), "v": {"N": "9"}},
                 Expected={"PK": {"Exists": False}}, code=CCF, message=CCF_MSG)
    ddb.put_item(TableName=hash_table, Item={**K("lg"), "v": {"N": "2"}},
                 Expected={"v": {"Value": {"N": "1"}}})
    ddb.put_item(TableName=hash_table, Item={**K("lg"), "v": {"N": "3"}},
                 Expected={"v": {"ComparisonOperator": "GT",
                                 "AttributeValueList": [{"N": "1"}]}})
    expect_error(ddb.delete_item, TableName=hash_table, Key=K("lg"),
                 Expected={"v": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "1"}]},
                           "w": {"ComparisonOperator": "NULL"}},
                 ConditionalOperator="AND", code=CCF, message=CCF_MSG)
    ddb.delete_item(TableName=hash_table, Key=K("lg"),
                    Expected={"v": {"ComparisonOperator": "EQ",
                                    "AttributeValueList": [{"N": "1"}]},
                              "w": {"ComparisonOperator": "NULL"}},
                    ConditionalOperator="OR")
    assert get(ddb, hash_table, "lg") is None


def test_legacy_attribute_updates(ddb, hash_table):
    ddb.put_item(TableName=hash_table, Item={**K("au"), "gone": {"S": "x"}, "n": {"N": "1"},
                                             "ss": {"SS": ["a", "b"]}})
    out = ddb.update_item(TableName=hash_table, Key=K("au"), AttributeUpdates={
        "p": {"Action": "PUT", "Value": {"S": "put"}},
        "n": {"Action": "ADD", "Value": {"N": "5"}},
        "ss": {"Action": "DELETE", "Value": {"SS": ["a"]}},
        "gone": {"Action": "DELETE"},
    }, ReturnValues="ALL_NEW")
    assert out["Attributes"] == {**K("au"), "p": {"S": "put"}, "n": {"N": "6"},
                                 "ss": {"SS": ["b"]}}


def test_legacy_attributes_to_get(ddb, hash_table):
    ddb.put_item(TableName=hash_table, Item={**K("atg"), "a": {"S": "1"}, "b": {"S": "2"}})
    out = ddb.get_item(TableName=hash_table, Key=K("atg"), AttributesToGet=["a", "missing"])
    assert out["Item"] == {"a": {"S": "1"}}


def test_mixing_legacy_and_expression_params(ddb, hash_table):
    expect_error(ddb.put_item, TableName=hash_table, Item=K("mix"),
                 Expected={"PK": {"Exists": False}},
                 ConditionExpression="attribute_not_exists(PK)", code="ValidationException",
                 message="Can not use both expression and non-expression parameters in the same "
                 "request: Non-expression parameters: {Expected} Expression parameters: "
                 "{ConditionExpression}")
    expect_error(ddb.update_item, TableName=hash_table, Key=K("mix"),
                 AttributeUpdates={"a": {"Action": "PUT", "Value": {"S": "x"}}},
                 UpdateExpression="SET b = :v", ExpressionAttributeValues={":v": {"S": "y"}},
                 code="ValidationException",
                 message="Can not use both expression and non-expression parameters in the same "
                 "request: Non-expression parameters: {AttributeUpdates} Expression parameters: "
                 "{UpdateExpression}")
    expect_error(ddb.get_item, TableName=hash_table, Key=K("mix"), AttributesToGet=["a"],
                 ProjectionExpression="a", code="ValidationException",
                 message="Can not use both expression and non-expression parameters in the same "
                 "request: Non-expression parameters: {AttributesToGet} Expression parameters: "
                 "{ProjectionExpression}")


# ---- expression validation ----------------------------------------------------------------------

def test_syntax_errors(ddb, hash_table):
    err = expect_error(ddb.update_item, TableName=hash_table, Key=K("x"),
                       UpdateExpression="SET a = :v extra",
                       ExpressionAttributeValues={":v": {"N": "1"}}, code="ValidationException")
    assert err.response["Error"]["Message"].startswith(
        'Invalid UpdateExpression: Syntax error; token: "extra", near: ')
    err = expect_error(ddb.put_item, TableName=hash_table, Item=K("x"),
                       ConditionExpression="a = = :v",
                       ExpressionAttributeValues={":v": {"N": "1"}}, code="ValidationException")
    assert err.response["Error"]["Message"].startswith(
        "Invalid ConditionExpression: Syntax error; token: ")
    err = expect_error(ddb.get_item, TableName=hash_table, Key=K("x"),
                       ProjectionExpression="a,,b", code="ValidationException")
    assert err.response["Error"]["Message"].startswith(
        "Invalid ProjectionExpression: Syntax error; token: ")
    err = expect_error(ddb.update_item, TableName=hash_table, Key=K("x"),
                       UpdateExpression="SET a = :v SET b = :v",
                       ExpressionAttributeValues={":v": {"N": "1"}}, code="ValidationException")
    assert err.response["Error"]["Message"].startswith("Invalid UpdateExpression: ")
    assert get(ddb, hash_table, "x") is None


def test_unknown_function(ddb, hash_table):
    err = expect_error(ddb.put_item, TableName=hash_table, Item=K("x"),
                       ConditionExpression="frobnicate(a)", code="ValidationException")
    assert err.response["Error"]["Message"] == (
        "Invalid ConditionExpression: Invalid function name; function: frobnicate")


def test_reserved_word(ddb, hash_table):
    expect_error(ddb.update_item, TableName=hash_table, Key=K("x"),
                 UpdateExpression="SET status = :v", ExpressionAttributeValues={":v": {"N": "1"}},
                 code="ValidationException",
                 message="Invalid UpdateExpression: Attribute name is a reserved keyword; "
                 "reserved keyword: status")
    expect_error(ddb.get_item, TableName=hash_table, Key=K("x"), ProjectionExpression="name",
                 code="ValidationException",
                 message="Invalid ProjectionExpression: Attribute name is a reserved keyword; "
                 "reserved keyword: name")


def test_unused_placeholders(ddb, hash_table):
    expect_error(ddb.update_item, TableName=hash_table, Key=K("x"), UpdateExpression="SET a = :v",
                 ExpressionAttributeValues={":v": {"N": "1"}, ":unused": {"N": "2"}},
                 code="ValidationException",
                 message="Value provided in ExpressionAttributeValues unused in expressions: "
                 "keys: {:unused}")
    expect_error(ddb.update_item, TableName=hash_table, Key=K("x"), UpdateExpression="SET a = :v",
                 ExpressionAttributeValues={":v": {"N": "1"}},
                 ExpressionAttributeNames={"#unused": "b"}, code="ValidationException",
                 message="Value provided in ExpressionAttributeNames unused in expressions: "
                 "keys: {#unused}")


def test_undefined_placeholders(ddb, hash_table):
    expect_error(ddb.update_item, TableName=hash_table, Key=K("x"),
                 UpdateExpression="SET a = :missing", code="ValidationException",
                 message="Invalid UpdateExpression: An expression attribute value used in "
                 "expression is not defined; attribute value: :missing")
    expect_error(ddb.update_item, TableName=hash_table, Key=K("x"),
                 UpdateExpression="SET #missing = :v",
                 ExpressionAttributeValues={":v": {"N": "1"}}, code="ValidationException",
                 message="Invalid UpdateExpression: An expression attribute name used in the "
                 "document path is not defined; attribute name: #missing")


def test_same_path_twice_in_update(ddb, hash_table):
    err = expect_error(ddb.update_item, TableName=hash_table, Key=K("x"),
                       UpdateExpression="SET a = :v REMOVE a",
                       ExpressionAttributeValues={":v": {"N": "1"}}, code="ValidationException")
    assert err.response["Error"]["Message"].startswith(
        "Invalid UpdateExpression: Two document paths overlap with each other;")


def test_expression_attribute_value_validated(ddb, hash_table):
    err = expect_error(ddb.update_item, TableName=hash_table, Key=K("x"),
                       UpdateExpression="SET a = :v",
                       ExpressionAttributeValues={":v": {"SS": []}}, code="ValidationException")
    assert err.response["Error"]["Message"] == (
        "ExpressionAttributeValues contains invalid value: One or more parameter values were "
        "invalid: An string set  may not be empty for key :v")

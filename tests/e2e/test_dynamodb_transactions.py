"""TransactWriteItems and TransactGetItems: all or nothing, cancellation reasons in order, the
100-action limit, one action per item, ClientRequestToken idempotency, consistent snapshots,
and concurrent transfers that conserve the total."""

import random
import threading
import time

import pytest
from botocore.exceptions import ClientError

import gyre
from gyre import expect_error, expect_raw_error

VALIDATION = "ValidationException"
CANCELED = "TransactionCanceledException"
CCF = "ConditionalCheckFailed"
CCF_MSG = "The conditional request failed"


def H(pk):
    return {"PK": {"S": pk}}


def R(pk, sk):
    return {"PK": {"S": pk}, "SK": {"S": sk}}


def cancel_message(codes):
    return ("Transaction cancelled, please refer cancellation reasons for specific reasons "
            f"[{', '.join(codes)}]")


def get(ddb, table, key):
    return ddb.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")


def expect_cancel(ddb, items, codes, **kw):
    """TransactWriteItems must be cancelled with exactly these reason codes; returns reasons."""
    with pytest.raises(ClientError) as excinfo:
        ddb.transact_write_items(TransactItems=items, **kw)
    err = excinfo.value.response
    assert err["Error"]["Code"] == CANCELED, err["Error"]
    assert err["Error"]["Message"] == cancel_message(codes)
    reasons = err["CancellationReasons"]
    assert [r["Code"] for r in reasons] == codes
    for r in reasons:
        if r["Code"] == "None":
            assert set(r) == {"Code"}, r
        elif r["Code"] == CCF:
            assert r["Message"] == CCF_MSG
    return reasons


@pytest.fixture
def tables(ddb, name):
    h = name("-h")
    r = name("-r")
    gyre.create_table(ddb, h, "PK")
    gyre.create_table(ddb, r, "PK", "SK")
    return h, r


# ---- TransactWriteItems -------------------------------------------------------------------------

def test_put_update_delete_and_check_together(ddb, tables):
    h, r = tables
    ddb.put_item(TableName=h, Item={**H("upd"), "n": {"N": "5"}})
    ddb.put_item(TableName=h, Item={**H("del"), "x": {"S": "bye"}})
    ddb.put_item(TableName=r, Item={**R("chk", "1"), "status": {"S": "open"}})
    out = ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": h, "Item": {**H("new"), "v": {"S": "fresh"}},
                 "ConditionExpression": "attribute_not_exists(PK)"}},
        {"Update": {"TableName": h, "Key": H("upd"), "UpdateExpression": "SET n = n + :d, t = :t",
                    "ConditionExpression": "n = :five",
                    "ExpressionAttributeValues": {":d": {"N": "2"}, ":t": {"S": "tag"},
                                                  ":five": {"N": "5"}}}},
        {"Delete": {"TableName": h, "Key": H("del"), "ConditionExpression": "x = :x",
                    "ExpressionAttributeValues": {":x": {"S": "bye"}}}},
        {"ConditionCheck": {"TableName": r, "Key": R("chk", "1"),
                            "ConditionExpression": "#s = :o",
                            "ExpressionAttributeNames": {"#s": "status"},
                            "ExpressionAttributeValues": {":o": {"S": "open"}}}},
    ])
    assert set(out) == {"ResponseMetadata"}
    assert get(ddb, h, H("new")) == {**H("new"), "v": {"S": "fresh"}}
    assert get(ddb, h, H("upd")) == {**H("upd"), "n": {"N": "7"}, "t": {"S": "tag"}}
    assert get(ddb, h, H("del")) is None
    assert get(ddb, r, R("chk", "1")) == {**R("chk", "1"), "status": {"S": "open"}}


def test_one_failing_check_leaves_everything_unapplied(ddb, tables):
    h, r = tables
    ddb.put_item(TableName=h, Item={**H("a"), "n": {"N": "1"}})
    ddb.put_item(TableName=h, Item={**H("b"), "n": {"N": "1"}})
    ddb.put_item(TableName=r, Item={**R("c", "1"), "n": {"N": "1"}})
    before = {k: get(ddb, t, key) for k, t, key in (("a", h, H("a")), ("b", h, H("b")),
                                                    ("c", r, R("c", "1")))}
    items = [
        {"Update": {"TableName": h, "Key": H("a"), "UpdateExpression": "SET n = :nine",
                    "ExpressionAttributeValues": {":nine": {"N": "9"}}}},
        {"Put": {"TableName": h, "Item": {**H("z"), "n": {"N": "9"}}}},
        {"ConditionCheck": {"TableName": r, "Key": R("c", "1"),
                            "ConditionExpression": "n = :two",
                            "ExpressionAttributeValues": {":two": {"N": "2"}}}},
        {"Delete": {"TableName": h, "Key": H("b")}},
    ]
    expect_cancel(ddb, items, ["None", "None", CCF, "None"])
    assert get(ddb, h, H("a")) == before["a"]
    assert get(ddb, h, H("b")) == before["b"]
    assert get(ddb, r, R("c", "1")) == before["c"]
    assert get(ddb, h, H("z")) is None


def test_cancellation_reasons_in_order(ddb, tables):
    h, _ = tables
    ddb.put_item(TableName=h, Item={**H("exists"), "n": {"N": "1"}})
    items = [
        {"Put": {"TableName": h, "Item": H("exists"),
                 "ConditionExpression": "attribute_not_exists(PK)"}},
        {"Put": {"TableName": h, "Item": H("fine")}},
        {"Delete": {"TableName": h, "Key": H("missing"),
                    "ConditionExpression": "attribute_exists(PK)"}},
        {"Update": {"TableName": h, "Key": H("also-fine"), "UpdateExpression": "SET n = :n",
                    "ExpressionAttributeValues": {":n": {"N": "1"}}}},
        {"ConditionCheck": {"TableName": h, "Key": H("missing-2"),
                            "ConditionExpression": "attribute_exists(PK)"}},
    ]
    expect_cancel(ddb, items, [CCF, "None", CCF, "None", CCF])
    assert get(ddb, h, H("fine")) is None and get(ddb, h, H("also-fine")) is None


def test_return_values_on_condition_check_failure(server, ddb, tables):
    h, _ = tables
    old = {**H("rv"), "n": {"N": "3"}, "s": {"S": "keep"}}
    ddb.put_item(TableName=h, Item=old)
    resp = server.api("TransactWriteItems", {"TransactItems": [
        {"Update": {"TableName": h, "Key": H("rv"), "UpdateExpression": "SET n = :z",
                    "ConditionExpression": "n > :z",
                    "ExpressionAttributeValues": {":z": {"N": "10"}},
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
        {"Put": {"TableName": h, "Item": H("other")}},
        {"ConditionCheck": {"TableName": h, "Key": H("nobody"),
                            "ConditionExpression": "attribute_exists(PK)",
                            "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
    ]})
    expect_raw_error(resp, CANCELED, message=cancel_message([CCF, "None", CCF]))
    reasons = resp.json()["CancellationReasons"]
    assert reasons[0] == {"Code": CCF, "Message": CCF_MSG,
                          "Item": {"PK": {"S": "rv"}, "n": {"N": "3"}, "s": {"S": "keep"}}}
    assert reasons[1] == {"Code": "None"}
    # A missing item has nothing to return.
    assert reasons[2] == {"Code": CCF, "Message": CCF_MSG}


def test_hundred_actions(ddb, server, tables):
    h, r = tables
    items = [{"Put": {"TableName": h, "Item": {**H(f"k{i:03d}"), "i": {"N": str(i)}}}}
             for i in range(50)]
    items += [{"Put": {"TableName": r, "Item": R("p", f"{i:03d}")}} for i in range(50)]
    ddb.transact_write_items(TransactItems=items)
    assert ddb.scan(TableName=h, Select="COUNT")["Count"] == 50
    assert ddb.scan(TableName=r, Select="COUNT")["Count"] == 50

    too_many = [{"Put": {"TableName": h, "Item": {"PK": {"S": f"x{i:03d}"}}}} for i in range(101)]
    resp = server.api("TransactWriteItems", {"TransactItems": too_many})
    expect_raw_error(resp, VALIDATION,
                     contains="Member must have length less than or equal to 100")
    assert get(ddb, h, H("x000")) is None
    resp = server.api("TransactWriteItems", {"TransactItems": []})
    expect_raw_error(resp, VALIDATION,
                     contains="Member must have length greater than or equal to 1")


def test_two_actions_on_one_item(ddb, tables):
    h, r = tables
    msg = "Transaction request cannot include multiple operations on one item"
    for second in ({"Put": {"TableName": h, "Item": {**H("same"), "v": {"N": "2"}}}},
                   {"Delete": {"TableName": h, "Key": H("same")}},
                   {"ConditionCheck": {"TableName": h, "Key": H("same"),
                                       "ConditionExpression": "attribute_not_exists(PK)"}},
                   {"Update": {"TableName": h, "Key": H("same"), "UpdateExpression": "SET v = :v",
                               "ExpressionAttributeValues": {":v": {"N": "3"}}}}):
        expect_error(ddb.transact_write_items, TransactItems=[
            {"Put": {"TableName": h, "Item": {**H("same"), "v": {"N": "1"}}}},
            {"Put": {"TableName": h, "Item": H("different")}}, second],
            code=VALIDATION, message=msg)
    expect_error(ddb.transact_write_items, TransactItems=[
        {"Put": {"TableName": r, "Item": R("p", "1")}},
        {"Delete": {"TableName": r, "Key": R("p", "1")}}], code=VALIDATION, message=msg)
    assert get(ddb, h, H("same")) is None and get(ddb, h, H("different")) is None
    # The same key in two tables, or two sort keys of a partition, are different items.
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": h, "Item": H("p")}},
        {"Put": {"TableName": r, "Item": R("p", "1")}},
        {"Put": {"TableName": r, "Item": R("p", "2")}}])
    assert get(ddb, r, R("p", "2")) == R("p", "2")


def test_validation_errors_apply_nothing(ddb, tables):
    h, _ = tables
    expect_error(ddb.transact_write_items, TransactItems=[
        {"Put": {"TableName": h, "Item": H("v1")}},
        {"Put": {"TableName": h, "Item": {"PK": {"N": "1"}}}}],
        code=VALIDATION)
    expect_error(ddb.transact_write_items, TransactItems=[
        {"Put": {"TableName": h, "Item": H("v1")}},
        {"Update": {"TableName": h, "Key": H("v2"), "UpdateExpression": "SET"}}],
        code=VALIDATION, startswith="Invalid UpdateExpression: Syntax error")
    expect_error(ddb.transact_write_items, TransactItems=[
        {"Put": {"TableName": h, "Item": H("v1")}},
        {"Put": {"TableName": gyre.unique("missing"), "Item": H("v1")}}],
        code="ResourceNotFoundException", startswith="Requested resource not found")
    assert get(ddb, h, H("v1")) is None


def test_item_size_limit_in_transaction(ddb, tables):
    h, _ = tables
    expect_error(ddb.transact_write_items, TransactItems=[
        {"Put": {"TableName": h, "Item": H("ok")}},
        {"Put": {"TableName": h, "Item": {**H("huge"), "d": {"S": "x" * (400 * 1024)}}}}],
        code=VALIDATION)
    assert get(ddb, h, H("ok")) is None


# ---- ClientRequestToken -------------------------------------------------------------------------

def test_client_request_token_replay_applies_once(ddb, tables):
    h, _ = tables
    token = "tok-" + gyre.unique("x")
    items = [{"Update": {"TableName": h, "Key": H("counter"), "UpdateExpression": "ADD n :one",
                         "ExpressionAttributeValues": {":one": {"N": "1"}}}},
             {"Put": {"TableName": h, "Item": H("marker")}}]
    for _ in range(3):
        out = ddb.transact_write_items(TransactItems=items, ClientRequestToken=token)
        assert set(out) == {"ResponseMetadata"}
    assert get(ddb, h, H("counter")) == {**H("counter"), "n": {"N": "1"}}
    # The replay does not re-apply even after the item changed in between.
    ddb.delete_item(TableName=h, Key=H("marker"))
    ddb.transact_write_items(TransactItems=items, ClientRequestToken=token)
    assert get(ddb, h, H("marker")) is None
    assert get(ddb, h, H("counter"))["n"] == {"N": "1"}
    # A new token applies again.
    ddb.transact_write_items(TransactItems=items, ClientRequestToken=token + "-2")
    assert get(ddb, h, H("counter"))["n"] == {"N": "2"}
    # No token: every call applies.
    ddb.transact_write_items(TransactItems=items)
    ddb.transact_write_items(TransactItems=items)
    assert get(ddb, h, H("counter"))["n"] == {"N": "4"}


def test_client_request_token_mismatch(ddb, tables):
    h, _ = tables
    token = "mm-" + gyre.unique("x")
    first = [{"Put": {"TableName": h, "Item": {**H("idem"), "v": {"N": "1"}}}}]
    second = [{"Put": {"TableName": h, "Item": {**H("idem"), "v": {"N": "2"}}}}]
    ddb.transact_write_items(TransactItems=first, ClientRequestToken=token)
    err = expect_error(ddb.transact_write_items, TransactItems=second, ClientRequestToken=token,
                       code="IdempotentParameterMismatchException")
    assert err.response["Error"]["Message"]
    assert get(ddb, h, H("idem"))["v"] == {"N": "1"}
    # The original request is still an accepted replay.
    ddb.transact_write_items(TransactItems=first, ClientRequestToken=token)
    assert get(ddb, h, H("idem"))["v"] == {"N": "1"}


def test_client_request_token_length(server, tables):
    h, _ = tables
    resp = server.api("TransactWriteItems", {
        "TransactItems": [{"Put": {"TableName": h, "Item": {"PK": {"S": "t"}}}}],
        "ClientRequestToken": "x" * 37})
    expect_raw_error(resp, VALIDATION, contains="Member must have length less than or equal to 36")


def test_cancelled_transaction_with_token_can_be_replayed(ddb, tables):
    h, _ = tables
    token = "cx-" + gyre.unique("x")
    items = [{"Put": {"TableName": h, "Item": H("cond"),
                      "ConditionExpression": "attribute_exists(PK)"}}]
    for _ in range(2):
        expect_cancel(ddb, items, [CCF], ClientRequestToken=token)
    assert get(ddb, h, H("cond")) is None


# ---- TransactGetItems ---------------------------------------------------------------------------

def test_transact_get_items(ddb, tables):
    h, r = tables
    ddb.put_item(TableName=h, Item={**H("g1"), "a": {"S": "A"}, "b": {"N": "1"},
                                    "m": {"M": {"x": {"S": "X"}}}})
    ddb.put_item(TableName=r, Item={**R("g", "2"), "a": {"S": "B"}})
    out = ddb.transact_get_items(TransactItems=[
        {"Get": {"TableName": h, "Key": H("g1")}},
        {"Get": {"TableName": h, "Key": H("missing")}},
        {"Get": {"TableName": r, "Key": R("g", "2"), "ProjectionExpression": "#a",
                 "ExpressionAttributeNames": {"#a": "a"}}},
        {"Get": {"TableName": h, "Key": H("g1-other")}},
        {"Get": {"TableName": r, "Key": R("g", "1")}},
    ])
    assert out["Responses"] == [
        {"Item": {**H("g1"), "a": {"S": "A"}, "b": {"N": "1"}, "m": {"M": {"x": {"S": "X"}}}}},
        {},
        {"Item": {"a": {"S": "B"}}},
        {},
        {},
    ]
    out = ddb.transact_get_items(TransactItems=[
        {"Get": {"TableName": h, "Key": H("g1"), "ProjectionExpression": "m.x, b"}}],
        ReturnConsumedCapacity="TOTAL")
    assert out["Responses"] == [{"Item": {"m": {"M": {"x": {"S": "X"}}}, "b": {"N": "1"}}}]
    caps = {c["TableName"]: c["CapacityUnits"] for c in out["ConsumedCapacity"]}
    assert caps == {h: 2.0}  # transactional reads cost twice a strongly consistent read


def test_transact_get_errors(ddb, server, tables):
    h, _ = tables
    expect_error(ddb.transact_get_items, TransactItems=[
        {"Get": {"TableName": h, "Key": H("dup")}}, {"Get": {"TableName": h, "Key": H("dup")}}],
        code=VALIDATION,
        message="Transaction request cannot include multiple operations on one item")
    expect_error(ddb.transact_get_items, TransactItems=[
        {"Get": {"TableName": gyre.unique("missing"), "Key": H("a")}}],
        code="ResourceNotFoundException", startswith="Requested resource not found")
    expect_error(ddb.transact_get_items, TransactItems=[
        {"Get": {"TableName": h, "Key": {"PK": {"N": "1"}}}}],
        code=VALIDATION, message="The provided key element does not match the schema")
    resp = server.api("TransactGetItems", {"TransactItems": [
        {"Get": {"TableName": h, "Key": {"PK": {"S": f"k{i}"}}}} for i in range(101)]})
    expect_raw_error(resp, VALIDATION,
                     contains="Member must have length less than or equal to 100")
    out = ddb.transact_get_items(TransactItems=[
        {"Get": {"TableName": h, "Key": H(f"k{i}")}} for i in range(100)])
    assert out["Responses"] == [{}] * 100


# ---- concurrency --------------------------------------------------------------------------------

ACCOUNTS = 5
START_BALANCE = 1000
THREADS = 4
TRANSFERS = 50


def transfer(client, table, src, dst, amount):
    client.transact_write_items(TransactItems=[
        {"Update": {"TableName": table, "Key": H(src), "UpdateExpression": "SET bal = bal - :a",
                    "ConditionExpression": "bal >= :a",
                    "ExpressionAttributeValues": {":a": {"N": str(amount)}}}},
        {"Update": {"TableName": table, "Key": H(dst), "UpdateExpression": "SET bal = bal + :a",
                    "ConditionExpression": "attribute_exists(bal)",
                    "ExpressionAttributeValues": {":a": {"N": str(amount)}}}},
    ])


def test_concurrent_transfers_conserve_money(server, ddb, tables):
    h, _ = tables
    names = [f"acct{i}" for i in range(ACCOUNTS)]
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": h, "Item": {**H(n), "bal": {"N": str(START_BALANCE)}}}}
        for n in names])
    total = ACCOUNTS * START_BALANCE
    errors = []
    stats = {"ok": 0, "cancelled": 0, "snapshots": 0, "scans": 0}
    lock = threading.Lock()
    writers_done = threading.Event()

    def writer(seed):
        client = server.client()
        rng = random.Random(seed)
        try:
            for _ in range(TRANSFERS):
                src, dst = rng.sample(names, 2)
                try:
                    transfer(client, h, src, dst, rng.randint(1, 400))
                    with lock:
                        stats["ok"] += 1
                except ClientError as e:
                    code = e.response["Error"]["Code"]
                    if code not in (CANCELED, "TransactionConflictException"):
                        raise
                    with lock:
                        stats["cancelled"] += 1
        except Exception as e:  # noqa: BLE001 - reported by the main thread
            errors.append(e)

    def snapshot_reader():
        client = server.client()
        try:
            for _ in range(2000):
                if writers_done.is_set():
                    break
                out = client.transact_get_items(TransactItems=[
                    {"Get": {"TableName": h, "Key": H(n)}} for n in names])
                bals = [int(r["Item"]["bal"]["N"]) for r in out["Responses"]]
                assert sum(bals) == total, f"snapshot saw {bals}"
                assert min(bals) >= 0, bals
                with lock:
                    stats["snapshots"] += 1
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    def scanner():
        client = server.client()
        try:
            for _ in range(2000):
                if writers_done.is_set():
                    break
                out = client.scan(TableName=h, Limit=2)
                assert out["ScannedCount"] == len(out["Items"]) <= 2
                out = client.scan(TableName=h, ConsistentRead=True)
                assert sorted(it["PK"]["S"] for it in out["Items"]) == names
                with lock:
                    stats["scans"] += 1
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(seed,)) for seed in range(THREADS)]
    readers = [threading.Thread(target=snapshot_reader), threading.Thread(target=scanner)]
    for t in threads + readers:
        t.start()
    deadline = time.monotonic() + 60
    for t in threads:
        t.join(max(0.1, deadline - time.monotonic()))
    writers_done.set()
    for t in readers:
        t.join(max(0.1, deadline - time.monotonic()))
    assert not any(t.is_alive() for t in threads + readers), "threads did not finish in 60 s"
    assert not errors, errors
    assert stats["ok"] + stats["cancelled"] == THREADS * TRANSFERS
    assert stats["ok"] > 0
    assert stats["snapshots"] > 0 and stats["scans"] > 0
    out = ddb.scan(TableName=h, ConsistentRead=True)
    bals = {it["PK"]["S"]: int(it["bal"]["N"]) for it in out["Items"]}
    assert set(bals) == set(names)
    assert sum(bals.values()) == total
    assert min(bals.values()) >= 0


def test_concurrent_idempotent_retries(server, ddb, tables):
    """Several clients retrying one request with the same token apply it exactly once."""
    h, _ = tables
    ddb.put_item(TableName=h, Item={**H("once"), "n": {"N": "0"}})
    token = "race-" + gyre.unique("x")
    items = [{"Update": {"TableName": h, "Key": H("once"), "UpdateExpression": "ADD n :one",
                         "ExpressionAttributeValues": {":one": {"N": "1"}}}}]
    errors = []

    def retry():
        client = server.client()
        try:
            for _ in range(10):
                try:
                    client.transact_write_items(TransactItems=items, ClientRequestToken=token)
                except ClientError as e:
                    # A replay racing the first attempt may be told it is still in progress.
                    if e.response["Error"]["Code"] not in ("TransactionInProgressException",):
                        raise
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=retry) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not any(t.is_alive() for t in threads)
    assert not errors, errors
    assert get(ddb, h, H("once"))["n"] == {"N": "1"}

"""The e-commerce single-table design from the seed, run unchanged on Gyre: products
(PRODUCT#id / METADATA), customers (CUSTOMER#id / PROFILE) with their orders
(CUSTOMER#id / ORDER#date#id) and order lines (ORDER#id / ITEM#product), loaded with batches and
transactions, read with key-range queries, begins_with, both directions, tiny pages, the AWS CLI,
BatchGetItem and TransactGetItems."""

import datetime
import json
import random

import pytest
from botocore.exceptions import ClientError

import gyre

MAX_PAGES = 300
CUSTOMERS = [f"c{i:02d}" for i in range(6)]
PRODUCTS = [f"p{i:03d}" for i in range(30)]
CATEGORIES = ["books", "games", "tools"]


def batch_put(ddb, table, items):
    for start in range(0, len(items), 25):
        pending = {table: [{"PutRequest": {"Item": it}} for it in items[start:start + 25]]}
        for _ in range(10):
            pending = ddb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
            if not pending:
                break
        assert not pending


def query_all(ddb, **kw):
    items, pages = [], 0
    kw = dict(kw)
    for _ in range(MAX_PAGES):
        out = ddb.query(**kw)
        pages += 1
        items.extend(out["Items"])
        if "LastEvaluatedKey" not in out:
            return items, pages
        kw["ExclusiveStartKey"] = out["LastEvaluatedKey"]
    raise AssertionError("query did not finish")


def build_model(seed=11):
    """Products, customers, orders and order lines; returns (items, orders by customer)."""
    rng = random.Random(seed)
    items = []
    for i, p in enumerate(PRODUCTS):
        items.append({"PK": {"S": f"PRODUCT#{p}"}, "SK": {"S": "METADATA"},
                      "type": {"S": "product"}, "title": {"S": f"Product {p}"},
                      "category": {"S": CATEGORIES[i % 3]},
                      "price": {"N": f"{rng.randint(100, 9999) / 100}"},
                      "stock": {"N": str(rng.randint(0, 20))}})
    orders = {}
    day0 = datetime.date(2024, 1, 1)
    n = 0
    for ci, c in enumerate(CUSTOMERS):
        items.append({"PK": {"S": f"CUSTOMER#{c}"}, "SK": {"S": "PROFILE"},
                      "type": {"S": "customer"}, "email": {"S": f"{c}@example.com"}})
        orders[c] = []
        for k in range(3 + 3 * ci):  # 3, 6, 9, ... orders
            n += 1
            oid = f"o{n:04d}"
            date = (day0 + datetime.timedelta(days=rng.randint(0, 365))).isoformat()
            lines = rng.sample(PRODUCTS, rng.randint(1, 4))
            total = 0
            for p in lines:
                qty = rng.randint(1, 3)
                total += qty
                items.append({"PK": {"S": f"ORDER#{oid}"}, "SK": {"S": f"ITEM#{p}"},
                              "type": {"S": "line"}, "qty": {"N": str(qty)}})
            status = rng.choice(["PLACED", "SHIPPED", "DELIVERED"])
            items.append({"PK": {"S": f"CUSTOMER#{c}"}, "SK": {"S": f"ORDER#{date}#{oid}"},
                          "type": {"S": "order"}, "order_id": {"S": oid},
                          "date": {"S": date}, "status": {"S": status},
                          "units": {"N": str(total)}, "lines": {"N": str(len(lines))}})
            orders[c].append({"id": oid, "date": date, "status": status, "lines": lines})
    return items, orders


@pytest.fixture(scope="module")
def shop(server):
    ddb = server.client()
    table = gyre.unique("shop")
    gyre.create_table(ddb, table, "PK", "SK")
    items, orders = build_model()
    batch_put(ddb, table, items)
    return table, items, orders


def order_sk(o):
    return f"ORDER#{o['date']}#{o['id']}"


def test_everything_was_loaded(ddb, shop):
    table, items, _ = shop
    count = 0
    start = None
    for _ in range(MAX_PAGES):
        kw = {"TableName": table, "Select": "COUNT", "Limit": 50}
        if start:
            kw["ExclusiveStartKey"] = start
        out = ddb.scan(**kw)
        count += out["Count"]
        start = out.get("LastEvaluatedKey")
        if not start:
            break
    assert count == len(items)


@pytest.mark.parametrize("customer", CUSTOMERS)
def test_customer_orders_in_date_order(ddb, shop, customer):
    table, _, orders = shop
    want = sorted(orders[customer], key=order_sk)
    for forward in (True, False):
        out = ddb.query(TableName=table,
                        KeyConditionExpression="PK = :c AND begins_with(SK, :o)",
                        ExpressionAttributeValues={":c": {"S": f"CUSTOMER#{customer}"},
                                                   ":o": {"S": "ORDER#"}},
                        ScanIndexForward=forward)
        expected = want if forward else want[::-1]
        assert [it["order_id"]["S"] for it in out["Items"]] == [o["id"] for o in expected]
        assert [it["date"]["S"] for it in out["Items"]] == [o["date"] for o in expected]
        assert all(it["type"]["S"] == "order" for it in out["Items"])


@pytest.mark.parametrize("limit", [1, 2, 5])
@pytest.mark.parametrize("forward", [True, False])
def test_tiny_pages_until_exhausted(ddb, shop, limit, forward):
    table, _, orders = shop
    customer = CUSTOMERS[-1]  # the one with the most orders
    got, pages = query_all(ddb, TableName=table, Limit=limit, ScanIndexForward=forward,
                           KeyConditionExpression="PK = :c AND begins_with(SK, :o)",
                           ExpressionAttributeValues={":c": {"S": f"CUSTOMER#{customer}"},
                                                      ":o": {"S": "ORDER#"}})
    want = [o["id"] for o in sorted(orders[customer], key=order_sk)]
    ids = [it["order_id"]["S"] for it in got]
    assert ids == (want if forward else want[::-1])
    assert len(ids) == len(set(ids))
    assert pages == len(want) // limit + 1


def test_orders_in_a_date_range(ddb, shop):
    table, _, orders = shop
    for c in CUSTOMERS:
        out = ddb.query(TableName=table,
                        KeyConditionExpression="PK = :c AND SK BETWEEN :a AND :b",
                        ExpressionAttributeValues={":c": {"S": f"CUSTOMER#{c}"},
                                                   ":a": {"S": "ORDER#2024-03-01"},
                                                   ":b": {"S": "ORDER#2024-06-30~"}})
        want = sorted((o for o in orders[c] if "2024-03-01" <= o["date"] <= "2024-06-30"),
                      key=order_sk)
        assert [it["order_id"]["S"] for it in out["Items"]] == [o["id"] for o in want]
        # Orders before a date, newest first.
        out = ddb.query(TableName=table, ScanIndexForward=False,
                        KeyConditionExpression="PK = :c AND SK < :d",
                        FilterExpression="#t = :order",
                        ExpressionAttributeNames={"#t": "type"},
                        ExpressionAttributeValues={":c": {"S": f"CUSTOMER#{c}"},
                                                   ":d": {"S": "ORDER#2024-02-01"},
                                                   ":order": {"S": "order"}})
        want = sorted((o for o in orders[c] if o["date"] < "2024-02-01"), key=order_sk)[::-1]
        assert [it["order_id"]["S"] for it in out["Items"]] == [o["id"] for o in want]


def test_latest_order_and_order_count(ddb, shop):
    table, _, orders = shop
    for c in CUSTOMERS:
        latest = max(orders[c], key=order_sk)
        out = ddb.query(TableName=table, ScanIndexForward=False, Limit=1,
                        KeyConditionExpression="PK = :c AND begins_with(SK, :o)",
                        ExpressionAttributeValues={":c": {"S": f"CUSTOMER#{c}"},
                                                   ":o": {"S": "ORDER#"}},
                        ProjectionExpression="order_id, #s",
                        ExpressionAttributeNames={"#s": "status"})
        assert out["Items"] == [{"order_id": {"S": latest["id"]},
                                 "status": {"S": latest["status"]}}]
        out = ddb.query(TableName=table, Select="COUNT",
                        KeyConditionExpression="PK = :c AND begins_with(SK, :o)",
                        ExpressionAttributeValues={":c": {"S": f"CUSTOMER#{c}"},
                                                   ":o": {"S": "ORDER#"}})
        assert out["Count"] == len(orders[c])
        out = ddb.query(TableName=table, Select="COUNT",
                        KeyConditionExpression="PK = :c AND begins_with(SK, :o)",
                        FilterExpression="#s = :st",
                        ExpressionAttributeNames={"#s": "status"},
                        ExpressionAttributeValues={":c": {"S": f"CUSTOMER#{c}"},
                                                   ":o": {"S": "ORDER#"},
                                                   ":st": {"S": "SHIPPED"}})
        assert out["Count"] == sum(1 for o in orders[c] if o["status"] == "SHIPPED")
        assert out["ScannedCount"] == len(orders[c])


def test_customer_profile_and_orders_in_one_query(ddb, shop):
    table, _, orders = shop
    c = CUSTOMERS[2]
    out = ddb.query(TableName=table, KeyConditionExpression="PK = :c",
                    ExpressionAttributeValues={":c": {"S": f"CUSTOMER#{c}"}})
    sks = [it["SK"]["S"] for it in out["Items"]]
    # "ORDER#..." sorts before "PROFILE": the orders come first, the profile last.
    assert sks == sorted(order_sk(o) for o in orders[c]) + ["PROFILE"]
    assert out["Items"][-1]["email"] == {"S": f"{c}@example.com"}


def test_order_lines_and_product_lookup(ddb, shop):
    table, items, orders = shop
    products = {it["PK"]["S"]: it for it in items if it["SK"]["S"] == "METADATA"}
    for o in orders[CUSTOMERS[1]]:
        out = ddb.query(TableName=table,
                        KeyConditionExpression="PK = :o AND begins_with(SK, :i)",
                        ExpressionAttributeValues={":o": {"S": f"ORDER#{o['id']}"},
                                                   ":i": {"S": "ITEM#"}})
        assert [it["SK"]["S"] for it in out["Items"]] == sorted(f"ITEM#{p}" for p in o["lines"])
        keys = [{"PK": {"S": f"PRODUCT#{p}"}, "SK": {"S": "METADATA"}} for p in o["lines"]]
        got = ddb.batch_get_item(RequestItems={table: {
            "Keys": keys, "ProjectionExpression": "PK, title, price"}})
        assert got["UnprocessedKeys"] == {}
        assert sorted(got["Responses"][table], key=lambda it: it["PK"]["S"]) == [
            {"PK": products[f"PRODUCT#{p}"]["PK"], "title": products[f"PRODUCT#{p}"]["title"],
             "price": products[f"PRODUCT#{p}"]["price"]} for p in sorted(o["lines"])]


def test_products_by_category_with_parallel_scan(ddb, shop):
    table, items, _ = shop
    want = sorted(it["PK"]["S"] for it in items
                  if it["SK"]["S"] == "METADATA" and it["category"]["S"] == "games")
    got = []
    for seg in range(3):
        start = None
        for _ in range(MAX_PAGES):
            kw = {"TableName": table, "Segment": seg, "TotalSegments": 3, "Limit": 20,
                  "FilterExpression": "#t = :p AND category = :g",
                  "ExpressionAttributeNames": {"#t": "type"},
                  "ExpressionAttributeValues": {":p": {"S": "product"}, ":g": {"S": "games"}},
                  "ProjectionExpression": "PK"}
            if start:
                kw["ExclusiveStartKey"] = start
            out = ddb.scan(**kw)
            got.extend(it["PK"]["S"] for it in out["Items"])
            start = out.get("LastEvaluatedKey")
            if not start:
                break
    assert sorted(got) == want and len(got) == 10


def test_cli_query_paginates_with_tiny_pages(server, shop):
    table, _, orders = shop
    c = CUSTOMERS[3]
    _, out = server.cli("dynamodb", "query", "--table-name", table,
                        "--key-condition-expression", "PK = :c AND begins_with(SK, :o)",
                        "--expression-attribute-values",
                        json.dumps({":c": {"S": f"CUSTOMER#{c}"}, ":o": {"S": "ORDER#"}}),
                        "--no-scan-index-forward", "--page-size", "2")
    want = [o["id"] for o in sorted(orders[c], key=order_sk)][::-1]
    assert [it["order_id"]["S"] for it in out["Items"]] == want
    assert out["Count"] == len(want)


def test_place_order_transactionally(ddb, name):
    table = name("-shop")
    gyre.create_table(ddb, table, "PK", "SK")
    ddb.put_item(TableName=table, Item={"PK": {"S": "PRODUCT#p1"}, "SK": {"S": "METADATA"},
                                        "stock": {"N": "3"}})
    ddb.put_item(TableName=table, Item={"PK": {"S": "PRODUCT#p2"}, "SK": {"S": "METADATA"},
                                        "stock": {"N": "1"}})
    ddb.put_item(TableName=table, Item={"PK": {"S": "CUSTOMER#c1"}, "SK": {"S": "PROFILE"}})

    def place(oid, lines, date="2024-05-01"):
        actions = [
            {"ConditionCheck": {"TableName": table,
                                "Key": {"PK": {"S": "CUSTOMER#c1"}, "SK": {"S": "PROFILE"}},
                                "ConditionExpression": "attribute_exists(PK)"}},
            {"Put": {"TableName": table,
                     "Item": {"PK": {"S": "CUSTOMER#c1"}, "SK": {"S": f"ORDER#{date}#{oid}"},
                              "order_id": {"S": oid}},
                     "ConditionExpression": "attribute_not_exists(PK)"}},
        ]
        for p, qty in lines:
            actions.append({"Update": {
                "TableName": table, "Key": {"PK": {"S": f"PRODUCT#{p}"}, "SK": {"S": "METADATA"}},
                "UpdateExpression": "SET stock = stock - :q", "ConditionExpression": "stock >= :q",
                "ExpressionAttributeValues": {":q": {"N": str(qty)}}}})
            actions.append({"Put": {"TableName": table, "Item": {
                "PK": {"S": f"ORDER#{oid}"}, "SK": {"S": f"ITEM#{p}"}, "qty": {"N": str(qty)}}}})
        ddb.transact_write_items(TransactItems=actions, ClientRequestToken=f"order-{oid}")

    def stock(p):
        return ddb.get_item(TableName=table, ConsistentRead=True,
                            Key={"PK": {"S": f"PRODUCT#{p}"}, "SK": {"S": "METADATA"}}
                            )["Item"]["stock"]["N"]

    place("o1", [("p1", 2), ("p2", 1)])
    place("o1", [("p1", 2), ("p2", 1)])  # a client retry: applied once
    assert (stock("p1"), stock("p2")) == ("1", "0")
    with pytest.raises(ClientError) as excinfo:
        place("o2", [("p1", 1), ("p2", 1)])  # p2 is out of stock
    resp = excinfo.value.response
    assert resp["Error"]["Code"] == "TransactionCanceledException"
    assert [r["Code"] for r in resp["CancellationReasons"]] == [
        "None", "None", "None", "None", "ConditionalCheckFailed", "None"]
    assert (stock("p1"), stock("p2")) == ("1", "0")
    out = ddb.query(TableName=table, KeyConditionExpression="PK = :c AND begins_with(SK, :o)",
                    ExpressionAttributeValues={":c": {"S": "CUSTOMER#c1"},
                                               ":o": {"S": "ORDER#"}})
    assert [it["order_id"]["S"] for it in out["Items"]] == ["o1"]
    out = ddb.query(TableName=table, KeyConditionExpression="PK = :o",
                    ExpressionAttributeValues={":o": {"S": "ORDER#o2"}})
    assert out["Count"] == 0
    snap = ddb.transact_get_items(TransactItems=[
        {"Get": {"TableName": table, "Key": {"PK": {"S": "ORDER#o1"}, "SK": {"S": f"ITEM#{p}"}}}}
        for p in ("p1", "p2", "p3")])
    assert [r.get("Item", {}).get("qty") for r in snap["Responses"]] == [
        {"N": "2"}, {"N": "1"}, None]

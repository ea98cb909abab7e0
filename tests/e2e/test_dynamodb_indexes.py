"""Secondary indexes: GSIs and LSIs defined at CreateTable, GSIs added and dropped by UpdateTable
(background backfill while writes continue), sparse indexes, entries that follow updates,
Query/Scan with IndexName, DescribeTable's index statistics, capacity by index, and a kill -9
during heavy indexed writes after which base table and indexes agree exactly."""

import random
import threading
import time

import pytest

import gyre
from gyre import expect_error

S = "S"


def scan_all(client, table, index=None, **kw):
    """Every item of a table or index, following LastEvaluatedKey."""
    args = dict(TableName=table, **kw)
    if index:
        args["IndexName"] = index
    out = []
    while True:
        page = client.scan(**args)
        out.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            return out
        args["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def query_all(client, **kw):
    out = []
    while True:
        page = client.query(**kw)
        out.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            return out
        kw["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def wait_index_active(client, table, index, timeout=60):
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        desc = client.describe_table(TableName=table)["Table"]
        gsi = {g["IndexName"]: g for g in desc.get("GlobalSecondaryIndexes", [])}
        seen.append((desc["TableStatus"], gsi[index]["IndexStatus"], gsi[index].get("Backfilling")))
        if gsi[index]["IndexStatus"] == "ACTIVE":
            return desc, seen
        time.sleep(0.05)
    raise AssertionError(f"index {index} not ACTIVE after {timeout}s: {seen[-5:]}")


def create_orders(client, table):
    """The e-commerce model: orders by customer, a GSI on status and an LSI on order date."""
    return client.create_table(
        TableName=table, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": S}
                              for n in ("customer", "orderId", "status", "orderDate")],
        KeySchema=[{"AttributeName": "customer", "KeyType": "HASH"},
                   {"AttributeName": "orderId", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{
            "IndexName": "by-status",
            "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"},
                          {"AttributeName": "orderDate", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["total"]}}],
        LocalSecondaryIndexes=[{
            "IndexName": "by-date",
            "KeySchema": [{"AttributeName": "customer", "KeyType": "HASH"},
                          {"AttributeName": "orderDate", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"}}])["TableDescription"]


def order(customer, oid, status, date, total, **extra):
    item = {"customer": {S: customer}, "orderId": {S: oid}, "orderDate": {S: date},
            "total": {"N": str(total)}, "items": {"L": [{S: "sku-1"}]}}
    if status is not None:
        item["status"] = {S: status}
    item.update(extra)
    return item


def test_ecommerce_model_gsi_on_status_lsi_on_date(ddb, name):
    table = name()
    desc = create_orders(ddb, table)
    # As on AWS, CreateTable answers CREATING; the transition is instant by default.
    assert desc["GlobalSecondaryIndexes"][0]["IndexStatus"] == "CREATING"
    now = ddb.describe_table(TableName=table)["Table"]
    assert now["GlobalSecondaryIndexes"][0]["IndexStatus"] == "ACTIVE"
    assert desc["LocalSecondaryIndexes"][0]["IndexName"] == "by-date"
    orders = [
        order("alice", "o1", "PENDING", "2024-03-01", 10),
        order("alice", "o2", "SHIPPED", "2024-03-02", 20),
        order("alice", "o3", "PENDING", "2024-03-03", 30),
        order("bob", "o1", "PENDING", "2024-03-01", 40),    # same index key as alice/o1
        order("bob", "o2", "DELIVERED", "2024-02-27", 50),
        order("carol", "o9", None, "2024-03-05", 60),       # no status: not in the GSI
    ]
    for o in orders:
        ddb.put_item(TableName=table, Item=o)

    # GSI: orders by status, sorted by date; equal index keys all come back (table key order).
    got = ddb.query(TableName=table, IndexName="by-status",
                    KeyConditionExpression="#s = :s",
                    ExpressionAttributeNames={"#s": "status"},
                    ExpressionAttributeValues={":s": {S: "PENDING"}})
    assert [(i["customer"][S], i["orderId"][S]) for i in got["Items"]] == [
        ("alice", "o1"), ("bob", "o1"), ("alice", "o3")]
    # INCLUDE projection: keys of table and index plus `total`, never `items`.
    assert set(got["Items"][0]) == {"customer", "orderId", "status", "orderDate", "total"}
    back = ddb.query(TableName=table, IndexName="by-status", ScanIndexForward=False,
                     KeyConditionExpression="#s = :s AND orderDate BETWEEN :a AND :b",
                     ExpressionAttributeNames={"#s": "status"},
                     ExpressionAttributeValues={":s": {S: "PENDING"}, ":a": {S: "2024-03-01"},
                                                ":b": {S: "2024-03-02"}})
    assert [(i["customer"][S], i["orderId"][S]) for i in back["Items"]] == [
        ("bob", "o1"), ("alice", "o1")]

    # LSI: one customer's orders by date; KEYS_ONLY projects keys only by default...
    got = ddb.query(TableName=table, IndexName="by-date",
                    KeyConditionExpression="customer = :c AND orderDate >= :d",
                    ExpressionAttributeValues={":c": {S: "alice"}, ":d": {S: "2024-03-02"}})
    assert [i["orderId"][S] for i in got["Items"]] == ["o2", "o3"]
    assert set(got["Items"][0]) == {"customer", "orderId", "orderDate"}
    # ...and fetches the base item for non-projected attributes, as DynamoDB does.
    full = ddb.query(TableName=table, IndexName="by-date", Select="ALL_ATTRIBUTES",
                     ConsistentRead=True,
                     KeyConditionExpression="customer = :c AND orderDate >= :d",
                     ExpressionAttributeValues={":c": {S: "alice"}, ":d": {S: "2024-03-02"}})
    assert full["Items"][0] == orders[1]
    picked = ddb.query(TableName=table, IndexName="by-date", ProjectionExpression="#t",
                       KeyConditionExpression="customer = :c",
                       FilterExpression="#t > :t", ExpressionAttributeNames={"#t": "total"},
                       ExpressionAttributeValues={":c": {S: "alice"}, ":t": {"N": "15"}})
    assert picked["Items"] == [{"total": {"N": "20"}}, {"total": {"N": "30"}}]
    assert picked["ScannedCount"] == 3

    # Pagination: LastEvaluatedKey carries the table's and the index's keys.
    page = ddb.query(TableName=table, IndexName="by-status", Limit=1,
                     KeyConditionExpression="#s = :s", ExpressionAttributeNames={"#s": "status"},
                     ExpressionAttributeValues={":s": {S: "PENDING"}})
    assert page["LastEvaluatedKey"] == {"customer": {S: "alice"}, "orderId": {S: "o1"},
                                        "status": {S: "PENDING"}, "orderDate": {S: "2024-03-01"}}
    rest = query_all(ddb, TableName=table, IndexName="by-status",
                     KeyConditionExpression="#s = :s", ExpressionAttributeNames={"#s": "status"},
                     ExpressionAttributeValues={":s": {S: "PENDING"}}, Limit=1,
                     ExclusiveStartKey=page["LastEvaluatedKey"])
    assert [(i["customer"][S], i["orderId"][S]) for i in rest] == [("bob", "o1"), ("alice", "o3")]

    # Scan of the sparse GSI: five orders have a status; Select COUNT.
    assert len(scan_all(ddb, table, "by-status")) == 5
    cnt = ddb.scan(TableName=table, IndexName="by-status", Select="COUNT")
    assert cnt["Count"] == 5 and "Items" not in cnt

    # DescribeTable: index statistics are current.
    t = ddb.describe_table(TableName=table)["Table"]
    gsi, lsi = t["GlobalSecondaryIndexes"][0], t["LocalSecondaryIndexes"][0]
    assert gsi["ItemCount"] == 5 and lsi["ItemCount"] == 6
    assert gsi["IndexSizeBytes"] > 0 and lsi["IndexSizeBytes"] > 0
    assert gsi["IndexArn"] == t["TableArn"] + "/index/by-status"
    assert gsi["Projection"] == {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["total"]}
    assert gsi["ProvisionedThroughput"]["ReadCapacityUnits"] == 0
    assert {a["AttributeName"] for a in t["AttributeDefinitions"]} == {
        "customer", "orderId", "status", "orderDate"}


def test_index_read_errors(ddb, name):
    table = name()
    create_orders(ddb, table)
    kc = dict(KeyConditionExpression="#s = :s", ExpressionAttributeNames={"#s": "status"},
              ExpressionAttributeValues={":s": {S: "PENDING"}})
    expect_error(ddb.query, TableName=table, IndexName="by-status", ConsistentRead=True, **kc,
                 code="ValidationException",
                 message="Consistent reads are not supported on global secondary indexes")
    expect_error(ddb.scan, TableName=table, IndexName="by-status", ConsistentRead=True,
                 code="ValidationException",
                 message="Consistent reads are not supported on global secondary indexes")
    expect_error(ddb.query, TableName=table, IndexName="nope-idx", **kc,
                 code="ValidationException",
                 message="The table does not have the specified index: nope-idx")
    expect_error(ddb.query, TableName=table, IndexName="by-status", Select="ALL_ATTRIBUTES", **kc,
                 code="ValidationException",
                 message="One or more parameter values were invalid: Select type ALL_ATTRIBUTES is "
                         "not supported for global secondary index by-status because its "
                         "projection type is not ALL")
    expect_error(ddb.query, TableName=table, Select="ALL_PROJECTED_ATTRIBUTES",
                 KeyConditionExpression="customer = :c",
                 ExpressionAttributeValues={":c": {S: "a"}}, code="ValidationException",
                 message="ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an "
                         "IndexName")
    expect_error(ddb.query, TableName=table, IndexName="by-status",
                 KeyConditionExpression="customer = :c",
                 ExpressionAttributeValues={":c": {S: "a"}}, code="ValidationException",
                 message="Query condition missed key schema element: status")
    expect_error(ddb.query, TableName=table, IndexName="by-status",
                 FilterExpression="orderDate > :d", **dict(kc, ExpressionAttributeValues={
                     ":s": {S: "PENDING"}, ":d": {S: "x"}}),
                 code="ValidationException",
                 message="Filter Expression can only contain non-primary key attributes: Primary "
                         "key attribute: orderDate")
    # A starting key must name the table's and the index's keys.
    expect_error(ddb.query, TableName=table, IndexName="by-status", **kc,
                 ExclusiveStartKey={"customer": {S: "a"}, "orderId": {S: "b"}},
                 code="ValidationException", startswith="The provided starting key is invalid")
    ok = ddb.query(TableName=table, IndexName="by-status", Select="ALL_PROJECTED_ATTRIBUTES", **kc)
    assert ok["Count"] == 0


def test_create_table_index_validation(ddb, name):
    base = dict(BillingMode="PAY_PER_REQUEST",
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    defs = [{"AttributeName": "pk", "AttributeType": S}, {"AttributeName": "g", "AttributeType": S}]
    gsi = {"IndexName": "g-idx", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
           "Projection": {"ProjectionType": "ALL"}}
    expect_error(ddb.create_table, TableName=name(), AttributeDefinitions=defs[:1],
                 GlobalSecondaryIndexes=[gsi], **base, code="ValidationException",
                 message="One or more parameter values were invalid: Some index key attributes "
                         "are not defined in AttributeDefinitions. Keys: [g], "
                         "AttributeDefinitions: [pk]")
    expect_error(ddb.create_table, TableName=name(), AttributeDefinitions=defs,
                 GlobalSecondaryIndexes=[gsi, gsi], **base, code="ValidationException",
                 message="One or more parameter values were invalid: Duplicate index name: g-idx")
    expect_error(ddb.create_table, TableName=name(), AttributeDefinitions=defs, **base,
                 code="ValidationException",
                 message="One or more parameter values were invalid: Number of attributes in "
                         "KeySchema does not exactly match number of attributes defined in "
                         "AttributeDefinitions")
    expect_error(ddb.create_table, TableName=name(), AttributeDefinitions=defs,
                 LocalSecondaryIndexes=[{"IndexName": "l-idx", "KeySchema": [
                     {"AttributeName": "pk", "KeyType": "HASH"},
                     {"AttributeName": "g", "KeyType": "RANGE"}],
                     "Projection": {"ProjectionType": "ALL"}}], **base,
                 code="ValidationException",
                 message="One or more parameter values were invalid: Table KeySchema does not "
                         "have a range key, which is required when specifying a "
                         "LocalSecondaryIndex")
    expect_error(ddb.create_table, TableName=name(), AttributeDefinitions=defs,
                 GlobalSecondaryIndexes=[dict(gsi, Projection={
                     "ProjectionType": "KEYS_ONLY", "NonKeyAttributes": ["x"]})], **base,
                 code="ValidationException",
                 message="One or more parameter values were invalid: ProjectionType is "
                         "KEYS_ONLY, but NonKeyAttributes is specified")
    expect_error(ddb.create_table, TableName=name(), AttributeDefinitions=defs,
                 GlobalSecondaryIndexes=[dict(gsi, ProvisionedThroughput={
                     "ReadCapacityUnits": 1, "WriteCapacityUnits": 1})], **base,
                 code="ValidationException",
                 message="One or more parameter values were invalid: ProvisionedThroughput should "
                         "not be specified for index: g-idx when BillingMode is PAY_PER_REQUEST")
    # Provisioned tables give each GSI its throughput; DescribeTable shows it.
    table = name()
    ddb.create_table(TableName=table, AttributeDefinitions=defs,
                     KeySchema=base["KeySchema"],
                     ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
                     GlobalSecondaryIndexes=[dict(gsi, ProvisionedThroughput={
                         "ReadCapacityUnits": 3, "WriteCapacityUnits": 4})])
    pt = ddb.describe_table(TableName=table)["Table"]["GlobalSecondaryIndexes"][0][
        "ProvisionedThroughput"]
    assert (pt["ReadCapacityUnits"], pt["WriteCapacityUnits"]) == (3, 4)


def test_index_entries_follow_updates_sparse_and_types(ddb, name):
    table = name()
    ddb.create_table(
        TableName=table, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": S},
                              {"AttributeName": "g", "AttributeType": S},
                              {"AttributeName": "n", "AttributeType": "N"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[{"IndexName": "g-n", "Projection": {"ProjectionType": "KEYS_ONLY"},
                                 "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                               {"AttributeName": "n", "KeyType": "RANGE"}]}])

    def index_rows():
        return sorted((i["g"][S], i["n"]["N"], i["pk"][S]) for i in scan_all(ddb, table, "g-n"))

    ddb.put_item(TableName=table, Item={"pk": {S: "a"}, "g": {S: "x"}, "n": {"N": "1"}})
    ddb.put_item(TableName=table, Item={"pk": {S: "b"}, "g": {S: "x"}})          # sparse
    assert index_rows() == [("x", "1", "a")]
    # Change an index key.
    ddb.update_item(TableName=table, Key={"pk": {S: "a"}}, UpdateExpression="SET g = :g",
                    ExpressionAttributeValues={":g": {S: "y"}})
    assert index_rows() == [("y", "1", "a")]
    # Add the missing key: b enters the index.
    ddb.update_item(TableName=table, Key={"pk": {S: "b"}}, UpdateExpression="SET n = :n",
                    ExpressionAttributeValues={":n": {"N": "2"}})
    assert index_rows() == [("x", "2", "b"), ("y", "1", "a")]
    # Remove a key: a leaves the index; a non-key change keeps b's entry.
    ddb.update_item(TableName=table, Key={"pk": {S: "a"}}, UpdateExpression="REMOVE n")
    ddb.update_item(TableName=table, Key={"pk": {S: "b"}}, UpdateExpression="SET note = :o",
                    ExpressionAttributeValues={":o": {S: "z"}})
    assert index_rows() == [("x", "2", "b")]
    # Delete: the entry goes with the item.
    ddb.delete_item(TableName=table, Key={"pk": {S: "b"}})
    assert index_rows() == []
    ddb.put_item(TableName=table, Item={"pk": {S: "c"}, "g": {S: "q"}, "n": {"N": "3"}})
    gsi = ddb.describe_table(TableName=table)["Table"]["GlobalSecondaryIndexes"][0]
    assert gsi["ItemCount"] == 1


def test_wrong_index_key_type_is_rejected(ddb, name):
    table = name()
    ddb.create_table(
        TableName=table, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": S},
                              {"AttributeName": "g", "AttributeType": S}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[{"IndexName": "g-idx", "Projection": {"ProjectionType": "ALL"},
                                 "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}]}])
    expect_error(ddb.put_item, TableName=table, Item={"pk": {S: "a"}, "g": {"N": "1"}},
                 code="ValidationException",
                 message="One or more parameter values were invalid: Type mismatch for Index Key "
                         "g Expected: S Actual: N IndexName: g-idx")
    expect_error(ddb.update_item, TableName=table, Key={"pk": {S: "a"}},
                 UpdateExpression="SET g = :g", ExpressionAttributeValues={":g": {"N": "1"}},
                 code="ValidationException",
                 message="One or more parameter values were invalid: Type mismatch for Index Key "
                         "g Expected: S Actual: N IndexName: g-idx")
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": {S: "a"}})
    assert scan_all(ddb, table, "g-idx") == []


def test_parallel_scan_of_index_partitions_it(ddb, name):
    table = name()
    ddb.create_table(
        TableName=table, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": S},
                              {"AttributeName": "g", "AttributeType": S}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[{"IndexName": "g-idx", "Projection": {"ProjectionType": "ALL"},
                                 "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}]}])
    for i in range(60):
        ddb.put_item(TableName=table, Item={"pk": {S: f"p{i}"}, "g": {S: f"g{i % 7}"}})
    seen = []
    for seg in range(4):
        part = scan_all(ddb, table, "g-idx", Segment=seg, TotalSegments=4, Limit=5)
        seen.extend(i["pk"][S] for i in part)
    assert sorted(seen) == sorted(f"p{i}" for i in range(60))


def test_capacity_indexes_for_query(ddb, name):
    table = name()
    create_orders(ddb, table)
    ddb.put_item(TableName=table, Item=order("a", "o1", "NEW", "2024-01-01", 1))
    cap = ddb.query(TableName=table, IndexName="by-status", ReturnConsumedCapacity="INDEXES",
                    KeyConditionExpression="#s = :s", ExpressionAttributeNames={"#s": "status"},
                    ExpressionAttributeValues={":s": {S: "NEW"}})["ConsumedCapacity"]
    assert cap["TableName"] == table
    assert cap["CapacityUnits"] == 0.5
    assert cap["Table"]["CapacityUnits"] == 0
    assert cap["GlobalSecondaryIndexes"] == {"by-status": {"CapacityUnits": 0.5,
                                                           "ReadCapacityUnits": 0.5}}
    cap = ddb.query(TableName=table, IndexName="by-date", ReturnConsumedCapacity="INDEXES",
                    ConsistentRead=True, Select="ALL_ATTRIBUTES",
                    KeyConditionExpression="customer = :c",
                    ExpressionAttributeValues={":c": {S: "a"}})["ConsumedCapacity"]
    assert cap["LocalSecondaryIndexes"]["by-date"]["CapacityUnits"] == 1
    assert cap["Table"]["CapacityUnits"] == 1      # the base-item fetch
    assert cap["CapacityUnits"] == 2


def test_gsi_backfill_of_10000_items_while_writes_continue(ddb, name):
    table = name()
    gyre.create_table(ddb, table, "pk")
    n = 10000

    def load(lo, hi):
        client = ddb
        for start in range(lo, hi, 25):
            reqs = [{"PutRequest": {"Item": {"pk": {S: f"item-{i:05d}"},
                                             "cat": {S: f"c{i % 13}"},
                                             "rank": {"N": str(i)}}}}
                    for i in range(start, min(start + 25, hi))]
            out = client.batch_write_item(RequestItems={table: reqs})
            assert not out.get("UnprocessedItems")

    loaders = [threading.Thread(target=load, args=(k * n // 4, (k + 1) * n // 4))
               for k in range(4)]
    for t in loaders:
        t.start()
    for t in loaders:
        t.join()
    assert ddb.describe_table(TableName=table)["Table"]["ItemCount"] == n

    desc = ddb.update_table(
        TableName=table,
        AttributeDefinitions=[{"AttributeName": "cat", "AttributeType": S},
                              {"AttributeName": "rank", "AttributeType": "N"}],
        GlobalSecondaryIndexUpdates=[{"Create": {
            "IndexName": "by-cat", "Projection": {"ProjectionType": "ALL"},
            "KeySchema": [{"AttributeName": "cat", "KeyType": "HASH"},
                          {"AttributeName": "rank", "KeyType": "RANGE"}]}}]
    )["TableDescription"]
    gsi = desc["GlobalSecondaryIndexes"][0]
    assert gsi["IndexStatus"] == "CREATING" and gsi["Backfilling"] is True
    assert desc["TableStatus"] == "UPDATING"

    # Writes continue during the backfill: new items, changed index keys, removed keys, deletes.
    stop = threading.Event()
    done_writes = []

    def writer(seed):
        rnd = random.Random(seed)
        client = ddb
        k = 0
        while not stop.is_set() and k < 400:
            i = rnd.randrange(n + 500)
            key = {"pk": {S: f"item-{i:05d}"}}
            op = rnd.randrange(4)
            if op == 0:
                client.put_item(TableName=table, Item=dict(key, cat={S: f"c{rnd.randrange(13)}"},
                                                           rank={"N": str(rnd.randrange(10**6))}))
            elif op == 1:
                client.update_item(TableName=table, Key=key, UpdateExpression="SET cat = :c",
                                   ExpressionAttributeValues={":c": {S: "moved"}})
            elif op == 2:
                client.update_item(TableName=table, Key=key, UpdateExpression="REMOVE #r",
                                   ExpressionAttributeNames={"#r": "rank"})
            else:
                client.delete_item(TableName=table, Key=key)
            k += 1
        done_writes.append(k)

    writers = [threading.Thread(target=writer, args=(s,)) for s in range(3)]
    for t in writers:
        t.start()
    # Reads of a building index are refused, as DynamoDB does.
    try:
        ddb.scan(TableName=table, IndexName="by-cat", Limit=1)
    except Exception as e:  # noqa: BLE001 - the backfill may already be done
        assert "backfilling global secondary index" in str(e)
    desc, seen = wait_index_active(ddb, table, "by-cat")
    stop.set()
    for t in writers:
        t.join()
    assert sum(done_writes) > 0
    assert desc["TableStatus"] == "ACTIVE"

    base = {i["pk"][S]: i for i in scan_all(ddb, table)}
    expected = sorted((i["cat"][S], i["rank"]["N"], k) for k, i in base.items()
                      if "cat" in i and "rank" in i)
    index = scan_all(ddb, table, "by-cat")
    got = sorted((i["cat"][S], i["rank"]["N"], i["pk"][S]) for i in index)
    assert len(got) == len(set(got)), "an item appears twice in the index"
    assert got == expected
    assert all(i == base[i["pk"][S]] for i in index)   # ALL projection: the whole item
    gsi = ddb.describe_table(TableName=table)["Table"]["GlobalSecondaryIndexes"][0]
    assert gsi["ItemCount"] == len(expected) and "Backfilling" not in gsi
    # Every category is served by Query too.
    c5 = query_all(ddb, TableName=table, IndexName="by-cat",
                   KeyConditionExpression="cat = :c", ExpressionAttributeValues={":c": {S: "c5"}})
    assert sorted(i["pk"][S] for i in c5) == sorted(k for c, _, k in expected if c == "c5")
    ranks = [int(i["rank"]["N"]) for i in c5]
    assert ranks == sorted(ranks)


def test_update_table_gsi_delete_and_update(ddb, name):
    table = name()
    create_orders(ddb, table)
    ddb.put_item(TableName=table, Item=order("a", "o1", "NEW", "2024-01-01", 1))
    expect_error(ddb.update_table, TableName=table, GlobalSecondaryIndexUpdates=[
        {"Delete": {"IndexName": "missing"}}], code="ResourceNotFoundException")
    expect_error(ddb.update_table, TableName=table, AttributeDefinitions=[
        {"AttributeName": "status", "AttributeType": S}], GlobalSecondaryIndexUpdates=[
        {"Create": {"IndexName": "by-status", "Projection": {"ProjectionType": "ALL"},
                    "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}]}}],
        code="ValidationException", contains="already exists")
    desc = ddb.update_table(TableName=table, GlobalSecondaryIndexUpdates=[
        {"Delete": {"IndexName": "by-status"}}])["TableDescription"]
    assert "GlobalSecondaryIndexes" not in desc
    assert {a["AttributeName"] for a in desc["AttributeDefinitions"]} == {
        "customer", "orderId", "orderDate"}
    expect_error(ddb.query, TableName=table, IndexName="by-status",
                 KeyConditionExpression="#s = :s", ExpressionAttributeNames={"#s": "status"},
                 ExpressionAttributeValues={":s": {S: "NEW"}}, code="ValidationException",
                 message="The table does not have the specified index: by-status")
    # Writes keep working, and a re-created index of the same name starts empty then backfills.
    ddb.put_item(TableName=table, Item=order("a", "o2", "NEW", "2024-01-02", 2))
    ddb.update_table(TableName=table, AttributeDefinitions=[
        {"AttributeName": "status", "AttributeType": S}], GlobalSecondaryIndexUpdates=[
        {"Create": {"IndexName": "by-status", "Projection": {"ProjectionType": "KEYS_ONLY"},
                    "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}]}}])
    wait_index_active(ddb, table, "by-status")
    assert sorted(i["orderId"][S] for i in scan_all(ddb, table, "by-status")) == ["o1", "o2"]


def test_kill_9_during_indexed_writes_base_and_indexes_agree(gyre_factory):
    srv = gyre_factory()
    client = srv.client()
    table = gyre.unique("crash-ix")
    create_orders(client, table)
    stop = threading.Event()
    acks = []

    def writer(tid):
        c = srv.client()
        rnd = random.Random(tid)
        for k in range(100000):
            if stop.is_set():
                return
            cust = f"c{rnd.randrange(20)}"
            oid = f"o{rnd.randrange(200)}"
            try:
                if rnd.random() < 0.7:
                    c.put_item(TableName=table, Item=order(
                        cust, oid, rnd.choice(["NEW", "PAID", "SHIPPED", None]),
                        f"2024-01-{rnd.randrange(1, 29):02d}", rnd.randrange(1000)))
                elif rnd.random() < 0.5:
                    c.update_item(TableName=table, Key={"customer": {S: cust}, "orderId": {S: oid}},
                                  UpdateExpression="SET #s = :s",
                                  ConditionExpression="attribute_exists(orderDate)",
                                  ExpressionAttributeNames={"#s": "status"},
                                  ExpressionAttributeValues={":s": {S: "RETURNED"}})
                else:
                    c.delete_item(TableName=table, Key={"customer": {S: cust},
                                                        "orderId": {S: oid}})
                acks.append(1)
            except Exception:  # noqa: BLE001 - a condition failure, or the server died
                if stop.is_set():
                    return

    threads = [threading.Thread(target=writer, args=(t,)) for t in range(6)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 20
    while len(acks) < 800 and time.monotonic() < deadline:
        time.sleep(0.01)
    srv.kill()
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert len(acks) > 100
    srv.start()
    client = srv.client()
    base = scan_all(client, table)
    assert base, "no item survived"

    def key(i):
        return (i["customer"][S], i["orderId"][S])

    gsi = scan_all(client, table, "by-status")
    want_gsi = sorted((key(i), i["status"][S], i["orderDate"][S], i["total"]["N"])
                      for i in base if "status" in i)
    assert sorted((key(i), i["status"][S], i["orderDate"][S], i["total"]["N"])
                  for i in gsi) == want_gsi
    lsi = scan_all(client, table, "by-date")
    assert sorted((key(i), i["orderDate"][S]) for i in lsi) == sorted(
        (key(i), i["orderDate"][S]) for i in base)
    t = client.describe_table(TableName=table)["Table"]
    assert t["ItemCount"] == len(base)
    assert t["GlobalSecondaryIndexes"][0]["ItemCount"] == len(want_gsi)
    assert t["LocalSecondaryIndexes"][0]["ItemCount"] == len(base)

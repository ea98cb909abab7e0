"""DynamoDB correctness gaps of issue 20 (items 5-8), each against the shared server with
Debian's boto3: updates that only take away from a missing item, index keys at every key size
DynamoDB allows, inputs AWS accepts, and response shapes as AWS gives them."""

import time

import pytest

import gyre
from gyre import expect_error


@pytest.fixture(scope="module")
def streams(server):
    return server.client("dynamodbstreams")


def read_stream(streams, arn):
    shards = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    out = []
    for sh in shards:
        it = streams.get_shard_iterator(StreamArn=arn, ShardId=sh["ShardId"],
                                        ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while it:
            resp = streams.get_records(ShardIterator=it)
            out += resp["Records"]
            it = resp.get("NextShardIterator")
            if not resp["Records"]:
                break
    return out


# ---- item 5: REMOVE / DELETE on a missing item creates nothing ---------------------------------

@pytest.fixture(scope="module")
def stream_table(ddb):
    name = gyre.unique("upd")
    desc = gyre.create_table(ddb, name, "PK", StreamSpecification={
        "StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    yield name, desc["LatestStreamArn"]
    ddb.delete_table(TableName=name)


DELETION_ONLY = [
    dict(UpdateExpression="REMOVE a"),
    dict(UpdateExpression="REMOVE a, b"),
    dict(UpdateExpression="DELETE s :v", ExpressionAttributeValues={":v": {"SS": ["x"]}}),
    dict(UpdateExpression="REMOVE a DELETE s :v", ExpressionAttributeValues={":v": {"NS": ["1"]}}),
    dict(AttributeUpdates={"a": {"Action": "DELETE"}}),
    dict(AttributeUpdates={"a": {"Action": "DELETE"},
                           "s": {"Action": "DELETE", "Value": {"SS": ["x"]}}}),
]


@pytest.mark.parametrize("kw", DELETION_ONLY)
def test_deletion_only_update_of_missing_item_creates_nothing(ddb, streams, stream_table, kw):
    table, arn = stream_table
    pk = gyre.unique("missing")
    resp = ddb.update_item(TableName=table, Key={"PK": {"S": pk}}, ReturnValues="ALL_NEW",
                           ReturnConsumedCapacity="TOTAL", **kw)
    assert "Attributes" not in resp
    assert resp["ConsumedCapacity"]["CapacityUnits"] == 1.0
    assert "Item" not in ddb.get_item(TableName=table, Key={"PK": {"S": pk}})
    assert ddb.scan(TableName=table, ScanFilter={
        "PK": {"AttributeValueList": [{"S": pk}], "ComparisonOperator": "EQ"}})["Count"] == 0
    # A marker write after it: the stream holds the marker and nothing for pk.
    marker = gyre.unique("marker")
    ddb.put_item(TableName=table, Item={"PK": {"S": marker}})
    keys = [r["dynamodb"]["Keys"]["PK"]["S"] for r in read_stream(streams, arn)]
    assert marker in keys
    assert pk not in keys


def test_deletion_only_update_in_transaction_creates_nothing(ddb, streams, stream_table):
    table, arn = stream_table
    pk = gyre.unique("missing")
    ddb.transact_write_items(TransactItems=[{"Update": {
        "TableName": table, "Key": {"PK": {"S": pk}}, "UpdateExpression": "REMOVE a"}}])
    assert "Item" not in ddb.get_item(TableName=table, Key={"PK": {"S": pk}})
    assert pk not in [r["dynamodb"]["Keys"]["PK"]["S"] for r in read_stream(streams, arn)]


def test_updates_that_add_or_nothing_still_create(ddb, stream_table):
    """SET, ADD and an update with no actions create the item, as on AWS."""
    table, _ = stream_table
    cases = [
        (dict(UpdateExpression="SET a = :v", ExpressionAttributeValues={":v": {"S": "x"}}),
         {"a": {"S": "x"}}),
        (dict(UpdateExpression="REMOVE b ADD n :one", ExpressionAttributeValues={
            ":one": {"N": "1"}}), {"n": {"N": "1"}}),
        (dict(AttributeUpdates={"a": {"Action": "DELETE"},
                                "p": {"Action": "PUT", "Value": {"S": "v"}}}),
         {"p": {"S": "v"}}),
        ({}, {}),
    ]
    for kw, attrs in cases:
        pk = gyre.unique("made")
        ddb.update_item(TableName=table, Key={"PK": {"S": pk}}, **kw)
        got = ddb.get_item(TableName=table, Key={"PK": {"S": pk}})["Item"]
        assert got == {"PK": {"S": pk}, **attrs}


def test_deletion_only_update_of_existing_item_keeps_it(ddb, stream_table):
    table, _ = stream_table
    pk = gyre.unique("kept")
    ddb.put_item(TableName=table, Item={"PK": {"S": pk}, "a": {"S": "x"}})
    resp = ddb.update_item(TableName=table, Key={"PK": {"S": pk}}, UpdateExpression="REMOVE a",
                           ReturnValues="ALL_NEW")
    assert resp["Attributes"] == {"PK": {"S": pk}}
    assert ddb.get_item(TableName=table, Key={"PK": {"S": pk}})["Item"] == {"PK": {"S": pk}}


def test_deletion_only_update_condition_still_checked(ddb, stream_table):
    table, _ = stream_table
    pk = gyre.unique("cond")
    expect_error(ddb.update_item, TableName=table, Key={"PK": {"S": pk}},
                 UpdateExpression="REMOVE a", ConditionExpression="attribute_exists(PK)",
                 code="ConditionalCheckFailedException")


# ---- item 6: index keys at every key size DynamoDB allows --------------------------------------

@pytest.fixture(scope="module")
def big_key_table(ddb):
    """S keys on the table, an S-keyed LSI and GSI, and a B-keyed GSI (NUL bytes double when
    escaped, the largest storage encodings)."""
    name = gyre.unique("bigkey")
    attrs = [("PK", "S"), ("SK", "S"), ("L", "S"), ("G", "S"), ("H", "S"), ("BG", "B"),
             ("BH", "B")]
    ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": t} for n, t in attrs],
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"},
                   {"AttributeName": "SK", "KeyType": "RANGE"}],
        LocalSecondaryIndexes=[{
            "IndexName": "lsi", "Projection": {"ProjectionType": "ALL"},
            "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"},
                          {"AttributeName": "L", "KeyType": "RANGE"}]}],
        GlobalSecondaryIndexes=[
            {"IndexName": "gsi", "Projection": {"ProjectionType": "KEYS_ONLY"},
             "KeySchema": [{"AttributeName": "G", "KeyType": "HASH"},
                           {"AttributeName": "H", "KeyType": "RANGE"}]},
            {"IndexName": "bgsi", "Projection": {"ProjectionType": "ALL"},
             "KeySchema": [{"AttributeName": "BG", "KeyType": "HASH"},
                           {"AttributeName": "BH", "KeyType": "RANGE"}]}])
    yield name
    ddb.delete_table(TableName=name)


def query_index(ddb, table, index, hash_name, hash_value, **kw):
    items, start = [], None
    while True:
        extra = {"ExclusiveStartKey": start} if start else {}
        resp = ddb.query(TableName=table, IndexName=index,
                         KeyConditionExpression="#h = :h",
                         ExpressionAttributeNames={"#h": hash_name},
                         ExpressionAttributeValues={":h": hash_value}, **kw, **extra)
        items += resp["Items"]
        start = resp.get("LastEvaluatedKey")
        if not start:
            return items


@pytest.mark.parametrize("pk_len", [12, 2048])
def test_index_keys_at_maximum_sizes(ddb, big_key_table, pk_len):
    table = big_key_table
    tag = gyre.unique("")[-12:]
    pk = "p" * (pk_len - 12) + tag
    g = "g" * 2036 + tag
    made = []
    for i in range(3):
        sk = f"{i}" + "s" * 1023
        item = {"PK": {"S": pk}, "SK": {"S": sk}, "L": {"S": f"{i}" + "l" * 1023},
                "G": {"S": g}, "H": {"S": f"{i}" + "h" * 1023},
                "BG": {"B": b"\x00" * 2036 + tag.encode()},
                "BH": {"B": bytes([i]) + b"\x00" * 1023}}
        ddb.put_item(TableName=table, Item=item)
        made.append(item)
    # Every index answers, in sort-key order, one item per page with Limit=1.
    lsi = query_index(ddb, table, "lsi", "PK", {"S": pk}, Limit=1)
    assert [it["L"]["S"][0] for it in lsi] == ["0", "1", "2"]
    gsi = query_index(ddb, table, "gsi", "G", {"S": g}, Limit=1)
    assert [it["H"]["S"][0] for it in gsi] == ["0", "1", "2"]
    assert set(gsi[0]) == {"PK", "SK", "G", "H"}
    bgsi = query_index(ddb, table, "bgsi", "BG", made[0]["BG"], Limit=2)
    assert [it["BH"]["B"][0] for it in bgsi] == [0, 1, 2]
    assert bgsi[1] == made[1]
    # A range condition on a 1,024-byte index sort key.
    resp = ddb.query(TableName=table, IndexName="gsi",
                     KeyConditionExpression="G = :g AND H >= :h",
                     ExpressionAttributeValues={":g": {"S": g}, ":h": {"S": "1" + "h" * 1023}})
    assert resp["Count"] == 2
    # Moving and removing entries keeps the indexes exact.
    ddb.update_item(TableName=table, Key={"PK": {"S": pk}, "SK": made[0]["SK"]},
                    UpdateExpression="SET H = :h, L = :l",
                    ExpressionAttributeValues={":h": {"S": "9" + "h" * 1023},
                                               ":l": {"S": "9" + "l" * 1023}})
    ddb.delete_item(TableName=table, Key={"PK": {"S": pk}, "SK": made[1]["SK"]})
    lsi = query_index(ddb, table, "lsi", "PK", {"S": pk})
    assert [it["L"]["S"][0] for it in lsi] == ["2", "9"]
    gsi = query_index(ddb, table, "gsi", "G", {"S": g})
    assert [it["H"]["S"][0] for it in gsi] == ["2", "9"]
    assert len(query_index(ddb, table, "bgsi", "BG", made[0]["BG"])) == 2
    assert ddb.scan(TableName=table, IndexName="gsi",
                    FilterExpression="G = :g",
                    ExpressionAttributeValues={":g": {"S": g}})["Count"] == 2


def test_index_key_over_the_limit_is_refused(ddb, big_key_table):
    expect_error(ddb.put_item, TableName=big_key_table,
                 Item={"PK": {"S": "p"}, "SK": {"S": "s"}, "G": {"S": "g" * 2049},
                       "H": {"S": "h"}},
                 code="ValidationException", contains="2048")
    expect_error(ddb.put_item, TableName=big_key_table,
                 Item={"PK": {"S": "p"}, "SK": {"S": "s"}, "L": {"S": "l" * 1025}},
                 code="ValidationException", contains="1024")


def test_index_created_later_backfills_maximum_keys(ddb):
    name = gyre.unique("backfill")
    gyre.create_table(ddb, name, "PK", "SK")
    try:
        pk, sk = "p" * 2048, "s" * 1024
        ddb.put_item(TableName=name, Item={"PK": {"S": pk}, "SK": {"S": sk},
                                           "G": {"S": "g" * 2048}, "H": {"S": "h" * 1024}})
        ddb.update_table(
            TableName=name,
            AttributeDefinitions=[{"AttributeName": "G", "AttributeType": "S"},
                                  {"AttributeName": "H", "AttributeType": "S"}],
            GlobalSecondaryIndexUpdates=[{"Create": {
                "IndexName": "late", "Projection": {"ProjectionType": "ALL"},
                "KeySchema": [{"AttributeName": "G", "KeyType": "HASH"},
                              {"AttributeName": "H", "KeyType": "RANGE"}]}}])
        for _ in range(200):
            idx = ddb.describe_table(TableName=name)["Table"]["GlobalSecondaryIndexes"][0]
            if idx["IndexStatus"] == "ACTIVE" and not idx.get("Backfilling"):
                break
            time.sleep(0.05)
        items = query_index(ddb, name, "late", "G", {"S": "g" * 2048})
        assert [it["SK"]["S"] for it in items] == [sk]
    finally:
        ddb.delete_table(TableName=name)


# ---- item 7: accept what AWS accepts -----------------------------------------------------------

@pytest.fixture(scope="module")
def sorted_table(ddb):
    name = gyre.unique("accept")
    gyre.create_table(ddb, name, "PK", "SK", range_type="N")
    for i in range(6):
        ddb.put_item(TableName=name, Item={"PK": {"S": "p"}, "SK": {"N": str(i)},
                                           "a": {"N": str(i % 2)}, "s": {"S": "x" * i}})
    ddb.put_item(TableName=name, Item={"PK": {"S": "u"}, "SK": {"N": "0"},
                                       "s": {"S": "\u00e9\U0001d11e"}})
    yield name
    ddb.delete_table(TableName=name)


def sks(resp):
    return [int(it["SK"]["N"]) for it in resp["Items"]]


@pytest.mark.parametrize("expr, want", [
    (":p = PK", [0, 1, 2, 3, 4, 5]),
    (":p = PK AND :c = SK", [3]),
    (":p = PK AND :c < SK", [4, 5]),
    (":p = PK AND :c <= SK", [3, 4, 5]),
    (":p = PK AND :c > SK", [0, 1, 2]),
    (":p = PK AND :c >= SK", [0, 1, 2, 3]),
    ("SK > :c AND :p = PK", [4, 5]),
])
def test_key_condition_written_value_first(ddb, sorted_table, expr, want):
    values = {":p": {"S": "p"}}
    if ":c" in expr:
        values[":c"] = {"N": "3"}
    resp = ddb.query(TableName=sorted_table, KeyConditionExpression=expr,
                     ExpressionAttributeValues=values)
    assert sks(resp) == want


def test_key_conditions_with_projection_and_filter_expressions(ddb, sorted_table):
    kc = {"PK": {"AttributeValueList": [{"S": "p"}], "ComparisonOperator": "EQ"},
          "SK": {"AttributeValueList": [{"N": "1"}], "ComparisonOperator": "GE"}}
    resp = ddb.query(TableName=sorted_table, KeyConditions=kc, FilterExpression="a = :one",
                     ExpressionAttributeValues={":one": {"N": "1"}})
    assert sks(resp) == [1, 3, 5]
    resp = ddb.query(TableName=sorted_table, KeyConditions=kc, ProjectionExpression="SK, #a",
                     ExpressionAttributeNames={"#a": "a"})
    assert resp["Items"][0] == {"SK": {"N": "1"}, "a": {"N": "1"}}
    # Legacy and expression forms of the same parameter still conflict.
    expect_error(ddb.query, TableName=sorted_table, KeyConditions=kc,
                 KeyConditionExpression="PK = :p", ExpressionAttributeValues={":p": {"S": "p"}},
                 code="ValidationException", startswith="Can not use both expression and "
                                                        "non-expression parameters")
    expect_error(ddb.query, TableName=sorted_table, KeyConditions=kc, FilterExpression="a = :o",
                 QueryFilter={"a": {"AttributeValueList": [{"N": "1"}],
                                    "ComparisonOperator": "EQ"}},
                 ExpressionAttributeValues={":o": {"N": "1"}},
                 code="ValidationException", startswith="Can not use both expression and "
                                                        "non-expression parameters")


def test_size_of_string_counts_utf16_code_units(ddb, sorted_table):
    """size("é𝄞") is 3 on DynamoDB (é is one UTF-16 unit, 𝄞 a surrogate pair), not 6 bytes."""
    def count(n):
        return ddb.query(TableName=sorted_table, KeyConditionExpression="PK = :u",
                         FilterExpression="size(s) = :n",
                         ExpressionAttributeValues={":u": {"S": "u"},
                                                    ":n": {"N": str(n)}})["Count"]
    assert count(3) == 1
    assert count(6) == 0
    assert count(2) == 0
    resp = ddb.query(TableName=sorted_table, KeyConditionExpression="PK = :p",
                     FilterExpression="size(s) >= :n",
                     ExpressionAttributeValues={":p": {"S": "p"}, ":n": {"N": "4"}})
    assert sks(resp) == [4, 5]


def test_strings_and_names_with_nul_are_kept_exactly(ddb, server):
    name = gyre.unique("nul")
    gyre.create_table(ddb, name, "PK", "SK")
    try:
        items = [
            {"PK": {"S": "p\x00"}, "SK": {"S": "a\x00b"}, "v\x00w": {"S": "x\x00y\x00"},
             "l": {"L": [{"S": "\x00"}]}, "ss": {"SS": ["\x00", "\x00\x00", "a"]},
             "m": {"M": {"k\x00": {"S": "\x00z"}}}},
            {"PK": {"S": "p\x00"}, "SK": {"S": "a\x00c"}},
            {"PK": {"S": "p\x00"}, "SK": {"S": "a"}},
            {"PK": {"S": "p"}, "SK": {"S": "a\x00b"}},
        ]
        for it in items:
            ddb.put_item(TableName=name, Item=it)
        got = ddb.get_item(TableName=name, Key={"PK": {"S": "p\x00"}, "SK": {"S": "a\x00b"}})
        assert got["Item"]["v\x00w"] == {"S": "x\x00y\x00"}
        assert got["Item"]["m"] == {"M": {"k\x00": {"S": "\x00z"}}}
        assert sorted(got["Item"]["ss"]["SS"]) == ["\x00", "\x00\x00", "a"]
        assert got["Item"] == items[0]
        resp = ddb.query(TableName=name, KeyConditionExpression="PK = :p AND begins_with(SK, :s)",
                         ExpressionAttributeValues={":p": {"S": "p\x00"}, ":s": {"S": "a\x00"}})
        assert [it["SK"]["S"] for it in resp["Items"]] == ["a\x00b", "a\x00c"]
        resp = ddb.query(TableName=name, KeyConditionExpression="PK = :p",
                         FilterExpression="#n = :v",
                         ExpressionAttributeNames={"#n": "v\x00w"},
                         ExpressionAttributeValues={":p": {"S": "p\x00"},
                                                    ":v": {"S": "x\x00y\x00"}})
        assert resp["Count"] == 1
        # A name with U+0000 is not the name before it.
        resp = ddb.get_item(TableName=name, Key={"PK": {"S": "p\x00"}, "SK": {"S": "a\x00b"}},
                            ProjectionExpression="#n", ExpressionAttributeNames={"#n": "v"})
        assert resp["Item"] == {}
    finally:
        ddb.delete_table(TableName=name)


# ---- item 8: table status transitions as AWS reports them -------------------------------------

def test_status_transitions_are_reported_and_instant_by_default(ddb):
    name = gyre.unique("status")
    desc = ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"},
                              {"AttributeName": "G", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[{"IndexName": "gsi", "Projection": {"ProjectionType": "ALL"},
                                 "KeySchema": [{"AttributeName": "G", "KeyType": "HASH"}]}]
    )["TableDescription"]
    try:
        assert desc["TableStatus"] == "CREATING"
        assert desc["GlobalSecondaryIndexes"][0]["IndexStatus"] == "CREATING"
        assert "Backfilling" not in desc["GlobalSecondaryIndexes"][0]
        now = ddb.describe_table(TableName=name)["Table"]
        assert now["TableStatus"] == "ACTIVE"
        assert now["GlobalSecondaryIndexes"][0]["IndexStatus"] == "ACTIVE"
        ddb.put_item(TableName=name, Item={"PK": {"S": "a"}, "G": {"S": "g"}})
        upd = ddb.update_table(TableName=name, StreamSpecification={
            "StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})["TableDescription"]
        assert upd["TableStatus"] == "UPDATING"
        assert ddb.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE"
    finally:
        deleted = ddb.delete_table(TableName=name)["TableDescription"]
    assert deleted["TableStatus"] == "DELETING"


def test_creation_transition_lasts_as_configured(gyre_factory, monkeypatch):
    monkeypatch.setenv("GYRE_TABLE_TRANSITION_MS", "1500")
    srv = gyre_factory()
    ddb = srv.client()
    name = gyre.unique("slow")
    assert gyre.create_table(ddb, name)["TableStatus"] == "CREATING"
    seen = [ddb.describe_table(TableName=name)["Table"]["TableStatus"]]
    deadline = time.monotonic() + 30
    while seen[-1] != "ACTIVE" and time.monotonic() < deadline:
        time.sleep(0.1)
        seen.append(ddb.describe_table(TableName=name)["Table"]["TableStatus"])
    assert seen[0] == "CREATING", seen
    assert seen[-1] == "ACTIVE", seen
    assert set(seen) == {"CREATING", "ACTIVE"}
    upd = ddb.update_table(TableName=name, StreamSpecification={
        "StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})["TableDescription"]
    assert upd["TableStatus"] == "UPDATING"
    seen = [ddb.describe_table(TableName=name)["Table"]["TableStatus"]]
    deadline = time.monotonic() + 30
    while seen[-1] != "ACTIVE" and time.monotonic() < deadline:
        time.sleep(0.1)
        seen.append(ddb.describe_table(TableName=name)["Table"]["TableStatus"])
    assert seen[0] == "UPDATING" and seen[-1] == "ACTIVE", seen


# ---- item 8: ConsumedCapacity as AWS shapes it -------------------------------------------------

SPLIT = {"ReadCapacityUnits", "WriteCapacityUnits"}


def test_consumed_capacity_split_only_on_transactions(server, ddb, stream_table):
    table, _ = stream_table
    key = {"PK": {"S": gyre.unique("cap")}}
    for mode in ("TOTAL", "INDEXES"):
        responses = [
            ddb.put_item(TableName=table, Item=key, ReturnConsumedCapacity=mode),
            ddb.get_item(TableName=table, Key=key, ReturnConsumedCapacity=mode),
            ddb.update_item(TableName=table, Key=key, UpdateExpression="SET a = :a",
                            ExpressionAttributeValues={":a": {"N": "1"}},
                            ReturnConsumedCapacity=mode),
            ddb.query(TableName=table, KeyConditionExpression="PK = :p",
                      ExpressionAttributeValues={":p": key["PK"]}, ReturnConsumedCapacity=mode),
            ddb.scan(TableName=table, Limit=1, ReturnConsumedCapacity=mode),
            ddb.delete_item(TableName=table, Key=key, ReturnConsumedCapacity=mode),
        ]
        for resp in responses:
            cc = resp["ConsumedCapacity"]
            assert cc["CapacityUnits"] > 0 and not SPLIT & set(cc), (mode, cc)
            if mode == "INDEXES":
                assert set(cc["Table"]) == {"CapacityUnits"}, cc
        batch = [
            ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": key}}]},
                                 ReturnConsumedCapacity=mode),
            ddb.batch_get_item(RequestItems={table: {"Keys": [key]}},
                               ReturnConsumedCapacity=mode),
        ]
        for resp in batch:
            cc = resp["ConsumedCapacity"][0]
            assert cc["CapacityUnits"] > 0 and not SPLIT & set(cc), (mode, cc)
        tw = ddb.transact_write_items(TransactItems=[{"Put": {"TableName": table, "Item": key}}],
                                      ReturnConsumedCapacity=mode)["ConsumedCapacity"][0]
        assert tw["WriteCapacityUnits"] == tw["CapacityUnits"] > 0, tw
        tg = ddb.transact_get_items(TransactItems=[{"Get": {"TableName": table, "Key": key}}],
                                    ReturnConsumedCapacity=mode)["ConsumedCapacity"][0]
        assert tg["ReadCapacityUnits"] == tg["CapacityUnits"] > 0, tg


def test_delete_table_description_as_aws_gives_it(ddb):
    name = gyre.unique("deldesc")
    ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("p", "c", "x")],
        KeySchema=[{"AttributeName": "p", "KeyType": "HASH"},
                   {"AttributeName": "c", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{"IndexName": "hello", "Projection": {"ProjectionType": "ALL"},
                                 "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}]}],
        LocalSecondaryIndexes=[{"IndexName": "there", "Projection": {"ProjectionType": "ALL"},
                                "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"},
                                              {"AttributeName": "x", "KeyType": "RANGE"}]}])
    described = ddb.describe_table(TableName=name)["Table"]
    got = ddb.delete_table(TableName=name)["TableDescription"]
    for member in ("KeySchema", "AttributeDefinitions", "CreationDateTime",
                   "GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        assert member in described
        assert member not in got, got
    assert got["TableName"] == name and got["TableStatus"] == "DELETING"
    assert got["TableId"] == described["TableId"] and got["TableArn"] == described["TableArn"]
    assert got["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert got["BillingModeSummary"]["LastUpdateToPayPerRequestDateTime"]
    assert got["ProvisionedThroughput"] == {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 0,
                                            "WriteCapacityUnits": 0}
    assert got["ItemCount"] == 0 and got["TableSizeBytes"] == 0

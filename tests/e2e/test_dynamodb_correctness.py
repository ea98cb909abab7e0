"""DynamoDB correctness gaps of issue 20 (items 5-8), each against the shared server with
Debian's boto3: updates that only take away from a missing item, index keys at every key size
DynamoDB allows, inputs AWS accepts, and response shapes as AWS gives them."""

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

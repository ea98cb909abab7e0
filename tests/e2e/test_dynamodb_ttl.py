"""Time to Live: UpdateTimeToLive / DescribeTimeToLive with DynamoDB's errors, and the sweeper
that deletes expired items (a Number of epoch seconds in the past) while leaving every other
item alone. The sweeper's interval comes from GYRE_TTL_SWEEP_MS, so these tests start their own
server with a short interval."""

import time

import pytest

import gyre
from gyre import expect_error

S = "S"


def test_update_and_describe_time_to_live(ddb, name):
    table = name()
    gyre.create_table(ddb, table, "pk")
    assert ddb.describe_time_to_live(TableName=table)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "DISABLED"}
    out = ddb.update_time_to_live(TableName=table, TimeToLiveSpecification={
        "Enabled": True, "AttributeName": "expires"})
    assert out["TimeToLiveSpecification"] == {"Enabled": True, "AttributeName": "expires"}
    assert ddb.describe_time_to_live(TableName=table)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED", "AttributeName": "expires"}
    expect_error(ddb.update_time_to_live, TableName=table, TimeToLiveSpecification={
        "Enabled": True, "AttributeName": "other"}, code="ValidationException",
        message="TimeToLive is already enabled")
    expect_error(ddb.update_time_to_live, TableName=table, TimeToLiveSpecification={
        "Enabled": False, "AttributeName": "other"}, code="ValidationException",
        startswith="TimeToLive is active on a different AttributeName")
    ddb.update_time_to_live(TableName=table, TimeToLiveSpecification={
        "Enabled": False, "AttributeName": "expires"})
    assert ddb.describe_time_to_live(TableName=table)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "DISABLED"}
    expect_error(ddb.update_time_to_live, TableName=table, TimeToLiveSpecification={
        "Enabled": False, "AttributeName": "expires"}, code="ValidationException",
        message="TimeToLive is already disabled")
    expect_error(ddb.describe_time_to_live, TableName=name("-missing"),
                 code="ResourceNotFoundException")
    # The setting is part of the table: other table changes keep it.
    ddb.update_time_to_live(TableName=table, TimeToLiveSpecification={
        "Enabled": True, "AttributeName": "ttl"})
    ddb.update_table(TableName=table, TableClass="STANDARD")
    assert ddb.describe_time_to_live(TableName=table)["TimeToLiveDescription"][
        "AttributeName"] == "ttl"


@pytest.fixture
def fast_ttl_server(gyre_factory, monkeypatch):
    monkeypatch.setenv("GYRE_TTL_SWEEP_MS", "150")
    return gyre_factory()


def test_sweeper_deletes_expired_items_and_leaves_the_rest(fast_ttl_server):
    srv = fast_ttl_server
    ddb = srv.client()
    table = gyre.unique("ttl")
    gyre.create_table(ddb, table, "pk")
    other = gyre.unique("ttl-off")
    gyre.create_table(ddb, other, "pk")
    now = int(time.time())
    items = {
        "past": {"N": str(now - 60)},
        "past-fraction": {"N": f"{now - 30}.5"},
        "future": {"N": str(now + 3600)},
        "string": {S: str(now - 60)},
        "ancient": {"N": str(now - 6 * 365 * 24 * 3600)},  # more than 5 years: ignored
    }
    for key, exp in items.items():
        ddb.put_item(TableName=table, Item={"pk": {S: key}, "exp": exp})
    ddb.put_item(TableName=table, Item={"pk": {S: "absent"}})
    for start in range(0, 1200, 25):  # more than one sweep batch (1000 items)
        ddb.batch_write_item(RequestItems={table: [
            {"PutRequest": {"Item": {"pk": {S: f"bulk-{i}"}, "exp": {"N": str(now - 5)}}}}
            for i in range(start, start + 25)]})
    ddb.put_item(TableName=other, Item={"pk": {S: "past"}, "exp": {"N": str(now - 60)}})

    # Expired but not yet deleted items are still returned, as on DynamoDB.
    assert "Item" in ddb.get_item(TableName=table, Key={"pk": {S: "past"}})
    ddb.update_time_to_live(TableName=table, TimeToLiveSpecification={
        "Enabled": True, "AttributeName": "exp"})

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        left = ddb.describe_table(TableName=table)["Table"]["ItemCount"]
        if left == 4:
            break
        time.sleep(0.1)
    keys = sorted(i["pk"][S] for i in ddb.scan(TableName=table)["Items"])
    assert keys == ["absent", "ancient", "future", "string"]
    # A table without TTL keeps its expired-looking items.
    assert "Item" in ddb.get_item(TableName=other, Key={"pk": {S: "past"}})
    # Disabled TTL stops deletions.
    ddb.update_time_to_live(TableName=table, TimeToLiveSpecification={
        "Enabled": False, "AttributeName": "exp"})
    ddb.put_item(TableName=table, Item={"pk": {S: "late"}, "exp": {"N": str(now - 60)}})
    time.sleep(0.5)
    assert "Item" in ddb.get_item(TableName=table, Key={"pk": {S: "late"}})


def test_sweeper_keeps_indexes_in_step(fast_ttl_server):
    srv = fast_ttl_server
    ddb = srv.client()
    table = gyre.unique("ttl-ix")
    ddb.create_table(
        TableName=table, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": S},
                              {"AttributeName": "g", "AttributeType": S}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[{"IndexName": "g-idx", "Projection": {"ProjectionType": "ALL"},
                                 "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}]}])
    ddb.update_time_to_live(TableName=table, TimeToLiveSpecification={
        "Enabled": True, "AttributeName": "exp"})
    now = int(time.time())
    ddb.put_item(TableName=table, Item={"pk": {S: "old"}, "g": {S: "x"},
                                        "exp": {"N": str(now - 10)}})
    ddb.put_item(TableName=table, Item={"pk": {S: "new"}, "g": {S: "x"},
                                        "exp": {"N": str(now + 3600)}})
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if "Item" not in ddb.get_item(TableName=table, Key={"pk": {S: "old"}}):
            break
        time.sleep(0.1)
    got = ddb.query(TableName=table, IndexName="g-idx", KeyConditionExpression="g = :g",
                    ExpressionAttributeValues={":g": {S: "x"}})["Items"]
    assert [i["pk"][S] for i in got] == ["new"]
    gsi = ddb.describe_table(TableName=table)["Table"]["GlobalSecondaryIndexes"][0]
    assert gsi["ItemCount"] == 1

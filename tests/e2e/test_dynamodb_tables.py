"""Control plane: CreateTable, DescribeTable, ListTables, UpdateTable, DeleteTable, tags,
DescribeLimits, DescribeEndpoints, table ARNs in place of names."""

import datetime
import re

import pytest

import gyre
from gyre import expect_error, expect_raw_error

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
INVALID = "One or more parameter values were invalid: "


def _check_common(server, t, name, key_schema, attr_defs):
    assert t["TableName"] == name
    assert t["TableArn"] == server.table_arn(name)
    assert UUID_RE.match(t["TableId"]), t["TableId"]
    assert t["KeySchema"] == key_schema
    assert sorted(t["AttributeDefinitions"], key=lambda a: a["AttributeName"]) == \
        sorted(attr_defs, key=lambda a: a["AttributeName"])
    assert t["ItemCount"] == 0
    assert t["TableSizeBytes"] == 0
    created = t["CreationDateTime"]
    assert isinstance(created, datetime.datetime)
    now = datetime.datetime.now(datetime.timezone.utc)
    assert abs((now - created).total_seconds()) < 600, created


def test_create_hash_only_pay_per_request(server, ddb, name):
    table = name()
    ks = [{"AttributeName": "id", "KeyType": "HASH"}]
    ad = [{"AttributeName": "id", "AttributeType": "S"}]
    desc = ddb.create_table(TableName=table, KeySchema=ks, AttributeDefinitions=ad,
                            BillingMode="PAY_PER_REQUEST")["TableDescription"]
    _check_common(server, desc, table, ks, ad)
    assert desc["TableStatus"] in ("ACTIVE", "CREATING")
    assert desc["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert desc["ProvisionedThroughput"]["ReadCapacityUnits"] == 0
    assert desc["ProvisionedThroughput"]["WriteCapacityUnits"] == 0
    assert desc["ProvisionedThroughput"]["NumberOfDecreasesToday"] == 0

    t = ddb.describe_table(TableName=table)["Table"]
    _check_common(server, t, table, ks, ad)
    assert t["TableStatus"] == "ACTIVE"
    assert t["TableId"] == desc["TableId"]
    assert t["CreationDateTime"] == desc["CreationDateTime"]
    assert t["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"

    # DeletionProtectionEnabled is newer than Debian's botocore model: read it raw.
    raw = server.api("DescribeTable", {"TableName": table})
    assert raw.status == 200
    assert raw.json()["Table"]["DeletionProtectionEnabled"] is False
    assert raw.headers.get("x-amzn-requestid")


def test_create_hash_range_provisioned(server, ddb, name):
    table = name()
    ks = [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
    ad = [{"AttributeName": "pk", "AttributeType": "S"},
          {"AttributeName": "sk", "AttributeType": "N"}]
    ddb.create_table(TableName=table, KeySchema=ks, AttributeDefinitions=ad,
                     BillingMode="PROVISIONED",
                     ProvisionedThroughput={"ReadCapacityUnits": 7, "WriteCapacityUnits": 3})
    t = ddb.describe_table(TableName=table)["Table"]
    _check_common(server, t, table, ks, ad)
    assert t["TableStatus"] == "ACTIVE"
    assert t["ProvisionedThroughput"]["ReadCapacityUnits"] == 7
    assert t["ProvisionedThroughput"]["WriteCapacityUnits"] == 3
    assert t["ProvisionedThroughput"]["NumberOfDecreasesToday"] == 0
    if "BillingModeSummary" in t:
        assert t["BillingModeSummary"]["BillingMode"] == "PROVISIONED"


def test_create_default_billing_is_provisioned(ddb, name):
    table = name()
    gyre.create_table(ddb, table, "k", billing=None, rcu=2, wcu=4)
    t = ddb.describe_table(TableName=table)["Table"]
    assert t["ProvisionedThroughput"]["ReadCapacityUnits"] == 2
    assert t["ProvisionedThroughput"]["WriteCapacityUnits"] == 4
    assert t.get("BillingModeSummary", {"BillingMode": "PROVISIONED"})["BillingMode"] == \
        "PROVISIONED"


def test_create_binary_and_number_keys(ddb, name):
    table = name()
    gyre.create_table(ddb, table, "h", "r", hash_type="B", range_type="N")
    t = ddb.describe_table(TableName=table)["Table"]
    types = {a["AttributeName"]: a["AttributeType"] for a in t["AttributeDefinitions"]}
    assert types == {"h": "B", "r": "N"}


def test_create_duplicate_table(ddb, name):
    table = name()
    gyre.create_table(ddb, table)
    expect_error(gyre.create_table, ddb, table, code="ResourceInUseException",
                 message=f"Table already exists: {table}")


@pytest.mark.parametrize("bad, constraint", [
    ("ab", "Member must have length greater than or equal to 3"),
    ("a" * 256, "Member must have length less than or equal to 255"),
    ("bad name", "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"),
    ("bad/name", "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"),
    ("tábla", "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"),
])
def test_create_bad_table_name(server, bad, constraint):
    loose = server.client(validate=False)
    err = expect_error(gyre.create_table, loose, bad, code="ValidationException")
    msg = err.response["Error"]["Message"]
    assert constraint in msg, msg
    assert "tableName" in msg or "TableName" in msg, msg


def test_create_name_limits_accepted(ddb, name):
    base = gyre.unique("x")
    long_name = (base + "_.-" + "a" * 255)[:255]
    gyre.create_table(ddb, long_name)
    assert ddb.describe_table(TableName=long_name)["Table"]["TableName"] == long_name
    short = "A" + base[-2:]  # three characters, the minimum
    gyre.create_table(ddb, short)
    assert ddb.describe_table(TableName=short)["Table"]["TableName"] == short


def test_create_key_schema_attribute_not_defined(ddb, name):
    expect_error(ddb.create_table, TableName=name(),
                 AttributeDefinitions=[{"AttributeName": "b", "AttributeType": "S"}],
                 KeySchema=[{"AttributeName": "a", "KeyType": "HASH"}],
                 BillingMode="PAY_PER_REQUEST", code="ValidationException",
                 message=INVALID + "Some index key attributes are not defined in "
                 "AttributeDefinitions. Keys: [a], AttributeDefinitions: [b]")


def test_create_extra_attribute_definition(ddb, name):
    expect_error(ddb.create_table, TableName=name(),
                 AttributeDefinitions=[{"AttributeName": "a", "AttributeType": "S"},
                                       {"AttributeName": "b", "AttributeType": "S"}],
                 KeySchema=[{"AttributeName": "a", "KeyType": "HASH"}],
                 BillingMode="PAY_PER_REQUEST", code="ValidationException",
                 message=INVALID + "Number of attributes in KeySchema does not exactly match "
                 "number of attributes defined in AttributeDefinitions")


def test_create_range_key_without_definition(ddb, name):
    expect_error(ddb.create_table, TableName=name(),
                 AttributeDefinitions=[{"AttributeName": "a", "AttributeType": "S"}],
                 KeySchema=[{"AttributeName": "a", "KeyType": "HASH"},
                            {"AttributeName": "b", "KeyType": "RANGE"}],
                 BillingMode="PAY_PER_REQUEST", code="ValidationException",
                 message="Invalid KeySchema: Some index key attribute have no definition")


@pytest.mark.parametrize("schema", [
    [{"AttributeName": "a", "KeyType": "RANGE"}],
    [{"AttributeName": "a", "KeyType": "RANGE"}, {"AttributeName": "b", "KeyType": "HASH"}],
    [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "HASH"}],
])
def test_create_bad_key_schema_shape(ddb, name, schema):
    defs = [{"AttributeName": k["AttributeName"], "AttributeType": "S"} for k in schema]
    expect_error(ddb.create_table, TableName=name(), AttributeDefinitions=defs,
                 KeySchema=schema, BillingMode="PAY_PER_REQUEST", code="ValidationException")


def test_create_bad_attribute_type(server, name):
    resp = server.api("CreateTable", {
        "TableName": name(), "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "BOOL"}],
        "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}]})
    expect_raw_error(resp, "ValidationException")


def test_create_provisioned_without_throughput(ddb, name):
    expect_error(ddb.create_table, TableName=name(),
                 AttributeDefinitions=[{"AttributeName": "a", "AttributeType": "S"}],
                 KeySchema=[{"AttributeName": "a", "KeyType": "HASH"}],
                 BillingMode="PROVISIONED", code="ValidationException",
                 message=INVALID + "ReadCapacityUnits and WriteCapacityUnits must both be "
                 "specified when BillingMode is PROVISIONED")


def test_create_no_billing_mode_no_throughput(ddb, name):
    expect_error(ddb.create_table, TableName=name(),
                 AttributeDefinitions=[{"AttributeName": "a", "AttributeType": "S"}],
                 KeySchema=[{"AttributeName": "a", "KeyType": "HASH"}],
                 code="ValidationException")


def test_create_pay_per_request_with_throughput(ddb, name):
    expect_error(ddb.create_table, TableName=name(),
                 AttributeDefinitions=[{"AttributeName": "a", "AttributeType": "S"}],
                 KeySchema=[{"AttributeName": "a", "KeyType": "HASH"}],
                 BillingMode="PAY_PER_REQUEST",
                 ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
                 code="ValidationException",
                 message=INVALID + "Neither ReadCapacityUnits nor WriteCapacityUnits can be "
                 "specified when BillingMode is PAY_PER_REQUEST")


def test_create_zero_throughput(server, name):
    loose = server.client(validate=False)
    err = expect_error(gyre.create_table, loose, name(), billing="PROVISIONED", rcu=0, wcu=1,
                       code="ValidationException")
    assert "readCapacityUnits" in err.response["Error"]["Message"] or \
        "ReadCapacityUnits" in err.response["Error"]["Message"]


def test_create_bad_billing_mode(server, name):
    resp = server.api("CreateTable", {
        "TableName": name(), "BillingMode": "FREE",
        "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}]})
    expect_raw_error(resp, "ValidationException", contains="billingMode")


def test_create_missing_key_schema(server, name):
    resp = server.api("CreateTable", {"TableName": name(), "BillingMode": "PAY_PER_REQUEST",
                                      "AttributeDefinitions": [
                                          {"AttributeName": "a", "AttributeType": "S"}]})
    expect_raw_error(resp, "ValidationException",
                     contains="Value null at 'keySchema' failed to satisfy constraint: "
                     "Member must not be null")


def test_describe_missing_table(ddb):
    missing = gyre.unique("missing")
    expect_error(ddb.describe_table, TableName=missing, code="ResourceNotFoundException",
                 message=f"Requested resource not found: Table: {missing} not found")


def test_delete_missing_table(ddb):
    missing = gyre.unique("missing")
    expect_error(ddb.delete_table, TableName=missing, code="ResourceNotFoundException",
                 message=f"Requested resource not found: Table: {missing} not found")


def test_delete_returns_description_and_removes(server, ddb, name):
    table = name()
    created = gyre.create_table(ddb, table, "PK", "SK")
    ddb.put_item(TableName=table, Item={"PK": {"S": "a"}, "SK": {"S": "b"}})
    desc = ddb.delete_table(TableName=table)["TableDescription"]
    assert desc["TableName"] == table
    assert desc["TableArn"] == server.table_arn(table)
    assert desc["TableId"] == created["TableId"]
    assert desc["TableStatus"] in ("DELETING", "ACTIVE")
    # As on AWS, DeleteTable's description leaves out the schema and the creation time.
    assert not {"KeySchema", "AttributeDefinitions", "CreationDateTime"} & set(desc), desc
    expect_error(ddb.describe_table, TableName=table, code="ResourceNotFoundException")
    assert table not in _all_tables(ddb)
    # The name can be reused, and the new table starts empty.
    again = gyre.create_table(ddb, table, "PK", "SK")
    assert again["TableId"] != created["TableId"]
    assert "Item" not in ddb.get_item(TableName=table,
                                      Key={"PK": {"S": "a"}, "SK": {"S": "b"}})


def test_delete_table_by_arn(server, ddb, name):
    table = name()
    gyre.create_table(ddb, table)
    ddb.delete_table(TableName=server.table_arn(table))
    expect_error(ddb.describe_table, TableName=table, code="ResourceNotFoundException")


def _all_tables(ddb, **kw):
    names, start, pages = [], None, 0
    while True:
        args = dict(kw)
        if start:
            args["ExclusiveStartTableName"] = start
        out = ddb.list_tables(**args)
        names.extend(out["TableNames"])
        pages += 1
        assert pages < 10000
        start = out.get("LastEvaluatedTableName")
        if not start:
            return names


def test_list_tables_pagination(ddb, name):
    prefix = gyre.unique("lst")
    mine = [f"{prefix}-{i}" for i in range(5)]
    for t in reversed(mine):
        gyre.create_table(ddb, t)

    everything = ddb.list_tables()["TableNames"]
    assert len(everything) <= 100
    assert everything == sorted(everything)

    pages = []
    start = None
    for _ in range(1000):
        args = {"Limit": 2}
        if start:
            args["ExclusiveStartTableName"] = start
        out = ddb.list_tables(**args)
        assert len(out["TableNames"]) <= 2
        pages.append(out["TableNames"])
        start = out.get("LastEvaluatedTableName")
        if start:
            assert start == out["TableNames"][-1]
            assert len(out["TableNames"]) == 2
        else:
            break
    flat = [n for p in pages for n in p]
    assert flat == sorted(flat)
    assert len(flat) == len(set(flat))
    assert [n for n in flat if n.startswith(prefix + "-")] == mine

    out = ddb.list_tables(ExclusiveStartTableName=mine[1], Limit=3)
    assert out["TableNames"][:3] == mine[2:5]
    out = ddb.list_tables(ExclusiveStartTableName=mine[4], Limit=100)
    assert all(n > mine[4] for n in out["TableNames"])


def test_list_tables_bad_limit(server):
    loose = server.client(validate=False)
    err = expect_error(loose.list_tables, Limit=0, code="ValidationException")
    assert "limit" in err.response["Error"]["Message"]
    err = expect_error(loose.list_tables, Limit=101, code="ValidationException")
    assert "Member must have value less than or equal to 100" in err.response["Error"]["Message"]


def test_deletion_protection(server, ddb, name):
    table = name()
    gyre.create_table(ddb, table)
    resp = server.api("UpdateTable", {"TableName": table, "DeletionProtectionEnabled": True})
    assert resp.status == 200, resp
    assert resp.json()["TableDescription"]["DeletionProtectionEnabled"] is True
    assert server.api("DescribeTable", {"TableName": table}).json()["Table"][
        "DeletionProtectionEnabled"] is True

    expect_error(ddb.delete_table, TableName=table, code="ValidationException",
                 message="Resource cannot be deleted as it is currently protected against "
                 "deletion. Disable deletion protection first.")
    assert ddb.describe_table(TableName=table)["Table"]["TableStatus"] == "ACTIVE"

    resp = server.api("UpdateTable", {"TableName": table, "DeletionProtectionEnabled": False})
    assert resp.status == 200, resp
    ddb.delete_table(TableName=table)
    expect_error(ddb.describe_table, TableName=table, code="ResourceNotFoundException")


def test_create_with_deletion_protection(server, ddb, name):
    table = name()
    resp = server.api("CreateTable", {
        "TableName": table, "BillingMode": "PAY_PER_REQUEST", "DeletionProtectionEnabled": True,
        "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}]})
    assert resp.status == 200, resp
    assert resp.json()["TableDescription"]["DeletionProtectionEnabled"] is True
    expect_error(ddb.delete_table, TableName=table, code="ValidationException",
                 startswith="Resource cannot be deleted as it is currently protected")


def test_update_billing_mode_and_throughput(ddb, name):
    table = name()
    gyre.create_table(ddb, table, billing="PROVISIONED", rcu=5, wcu=5)

    out = ddb.update_table(TableName=table,
                           ProvisionedThroughput={"ReadCapacityUnits": 10,
                                                  "WriteCapacityUnits": 20})
    assert out["TableDescription"]["TableName"] == table
    t = ddb.describe_table(TableName=table)["Table"]
    assert t["TableStatus"] == "ACTIVE"
    assert t["ProvisionedThroughput"]["ReadCapacityUnits"] == 10
    assert t["ProvisionedThroughput"]["WriteCapacityUnits"] == 20

    ddb.update_table(TableName=table, BillingMode="PAY_PER_REQUEST")
    t = ddb.describe_table(TableName=table)["Table"]
    assert t["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert t["ProvisionedThroughput"]["ReadCapacityUnits"] == 0
    assert t["ProvisionedThroughput"]["WriteCapacityUnits"] == 0

    ddb.update_table(TableName=table, BillingMode="PROVISIONED",
                     ProvisionedThroughput={"ReadCapacityUnits": 3, "WriteCapacityUnits": 4})
    t = ddb.describe_table(TableName=table)["Table"]
    assert t["BillingModeSummary"]["BillingMode"] == "PROVISIONED"
    assert t["ProvisionedThroughput"]["ReadCapacityUnits"] == 3
    assert t["ProvisionedThroughput"]["WriteCapacityUnits"] == 4


def test_update_to_provisioned_requires_throughput(ddb, name):
    table = name()
    gyre.create_table(ddb, table)
    expect_error(ddb.update_table, TableName=table, BillingMode="PROVISIONED",
                 code="ValidationException")


def test_update_throughput_on_pay_per_request(ddb, name):
    table = name()
    gyre.create_table(ddb, table)
    expect_error(ddb.update_table, TableName=table,
                 ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
                 code="ValidationException")


def test_update_missing_table(ddb):
    missing = gyre.unique("missing")
    expect_error(ddb.update_table, TableName=missing, BillingMode="PAY_PER_REQUEST",
                 code="ResourceNotFoundException", startswith="Requested resource not found")


def test_describe_limits(ddb):
    out = ddb.describe_limits()
    for k in ("AccountMaxReadCapacityUnits", "AccountMaxWriteCapacityUnits",
              "TableMaxReadCapacityUnits", "TableMaxWriteCapacityUnits"):
        assert isinstance(out[k], int) and out[k] > 0, (k, out)
    assert out["AccountMaxReadCapacityUnits"] >= out["TableMaxReadCapacityUnits"]
    assert out["AccountMaxWriteCapacityUnits"] >= out["TableMaxWriteCapacityUnits"]


def test_describe_endpoints(ddb):
    out = ddb.describe_endpoints()
    assert len(out["Endpoints"]) >= 1
    ep = out["Endpoints"][0]
    assert isinstance(ep["Address"], str) and ep["Address"]
    assert isinstance(ep["CachePeriodInMinutes"], int) and ep["CachePeriodInMinutes"] > 0


def test_tags(server, ddb, name):
    table = name()
    gyre.create_table(ddb, table)
    arn = server.table_arn(table)
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == []
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "test"},
                                            {"Key": "team", "Value": "core"}])
    tags = ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]
    assert sorted(tags, key=lambda t: t["Key"]) == [{"Key": "env", "Value": "test"},
                                                    {"Key": "team", "Value": "core"}]
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "prod"}])
    tags = {t["Key"]: t["Value"] for t in ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]}
    assert tags == {"env": "prod", "team": "core"}
    ddb.untag_resource(ResourceArn=arn, TagKeys=["team", "absent"])
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "env",
                                                                    "Value": "prod"}]


def test_create_with_tags(server, ddb, name):
    table = name()
    gyre.create_table(ddb, table, Tags=[{"Key": "k1", "Value": "v1"}])
    arn = server.table_arn(table)
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "k1", "Value": "v1"}]


def test_tags_missing_table(server, ddb):
    arn = server.table_arn(gyre.unique("missing"))
    expect_error(ddb.list_tags_of_resource, ResourceArn=arn, code="ResourceNotFoundException")
    expect_error(ddb.tag_resource, ResourceArn=arn, Tags=[{"Key": "a", "Value": "b"}],
                 code="ResourceNotFoundException")


def test_tags_bad_arn(ddb):
    expect_error(ddb.list_tags_of_resource, ResourceArn="not-an-arn-at-all",
                 code="ValidationException")


def test_table_arn_as_table_name(server, ddb, name):
    table = name()
    gyre.create_table(ddb, table, "PK")
    arn = server.table_arn(table)
    assert ddb.describe_table(TableName=arn)["Table"]["TableName"] == table
    ddb.put_item(TableName=arn, Item={"PK": {"S": "x"}, "v": {"N": "1"}})
    assert ddb.get_item(TableName=table, Key={"PK": {"S": "x"}})["Item"] == \
        {"PK": {"S": "x"}, "v": {"N": "1"}}
    assert ddb.get_item(TableName=arn, Key={"PK": {"S": "x"}})["Item"] == \
        {"PK": {"S": "x"}, "v": {"N": "1"}}
    ddb.delete_item(TableName=arn, Key={"PK": {"S": "x"}})
    assert "Item" not in ddb.get_item(TableName=table, Key={"PK": {"S": "x"}})


def test_item_count_after_puts(ddb, name):
    table = name()
    gyre.create_table(ddb, table, "PK")
    for i in range(3):
        ddb.put_item(TableName=table, Item={"PK": {"S": f"k{i}"}, "d": {"S": "x" * 100}})
    t = ddb.describe_table(TableName=table)["Table"]
    # DynamoDB refreshes these about every six hours; a local server may be exact or lag.
    assert t["ItemCount"] in (0, 3)
    assert t["TableSizeBytes"] >= 0

"""The seed validation, driven through Debian's AWS CLI v2 (/usr/bin/aws)."""

import json
import time

import gyre

SEED_ITEM = {"PK": {"S": "PRODUCT#test123"}, "SK": {"S": "METADATA"},
             "Name": {"S": "Test Product"}, "Price": {"N": "29.99"}, "Stock": {"N": "50"}}


def test_seed_ecommerce_global(server):
    table = "ecommerce-global"
    if server.attached:
        table = gyre.unique("ecommerce-global")
    _, out = server.cli("dynamodb", "create-table", "--table-name", table,
                        "--attribute-definitions", "AttributeName=PK,AttributeType=S",
                        "AttributeName=SK,AttributeType=S",
                        "--key-schema", "AttributeName=PK,KeyType=HASH",
                        "AttributeName=SK,KeyType=RANGE",
                        "--billing-mode", "PAY_PER_REQUEST")
    desc = out["TableDescription"]
    assert desc["TableName"] == table
    assert desc["TableArn"] == server.table_arn(table)
    assert desc["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"

    # The waiter polls DescribeTable every 20 s: it must see ACTIVE on the first poll.
    started = time.monotonic()
    proc, _ = server.cli("dynamodb", "wait", "table-exists", "--table-name", table, timeout=60)
    assert proc.returncode == 0
    assert time.monotonic() - started < 15, "table-exists did not succeed on its first poll"

    _, out = server.cli("dynamodb", "describe-table", "--table-name", table)
    assert out["Table"]["TableStatus"] == "ACTIVE"

    proc, out = server.cli("dynamodb", "put-item", "--table-name", table,
                           "--item", json.dumps(SEED_ITEM))
    assert out is None or out == {}

    _, out = server.cli("dynamodb", "get-item", "--table-name", table, "--key",
                        json.dumps({"PK": SEED_ITEM["PK"], "SK": SEED_ITEM["SK"]}))
    assert out == {"Item": SEED_ITEM}

    _, out = server.cli("dynamodb", "get-item", "--table-name", table, "--consistent-read",
                        "--key", json.dumps({"PK": SEED_ITEM["PK"], "SK": SEED_ITEM["SK"]}))
    assert out == {"Item": SEED_ITEM}

    _, out = server.cli("dynamodb", "list-tables")
    assert table in out["TableNames"]


def test_cli_errors_exit_nonzero_with_aws_code(server):
    missing = gyre.unique("nope")
    proc, _ = server.cli("dynamodb", "describe-table", "--table-name", missing, check=False)
    assert proc.returncode == 254
    assert "ResourceNotFoundException" in proc.stderr
    assert f"Requested resource not found: Table: {missing} not found" in proc.stderr


def test_cli_bad_credentials(server):
    proc, _ = server.cli("dynamodb", "list-tables", check=False, access_key="AKIDUNKNOWN0000000",
                         secret_key="x" * 40)
    assert proc.returncode != 0
    assert "UnrecognizedClientException" in proc.stderr

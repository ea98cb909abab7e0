"""Limits DynamoDB puts on expressions and on Limit: at most 300 operators in any expression
(condition, filter, key-condition and update), nesting bounded without exhausting the stack,
and a JSON null Limit treated as absent."""

import pytest

from gyre import expect_error, expect_raw_error

V = {":v": {"N": "1"}}


def too_many(param):
    return f"Invalid {param}: The expression contains too many operators; operator count: 301"


def nots(k, tail="a = :v"):
    """k NOTs before one comparison: k + 1 operators."""
    return "NOT " * k + tail


def ands(n, term="a = :v"):
    """n comparisons joined by AND: 2n - 1 operators."""
    return " AND ".join([term] * n)


@pytest.fixture
def item_table(ddb, hash_table):
    ddb.put_item(TableName=hash_table, Item={"PK": {"S": "p"}, "a": {"N": "1"}})
    return hash_table


def test_filter_expression_operator_limit(ddb, item_table):
    # 299 NOTs (an odd count) and one comparison: exactly 300 operators, evaluated.
    resp = ddb.scan(TableName=item_table, FilterExpression=nots(299),
                    ExpressionAttributeValues=V)
    assert resp["Count"] == 0 and resp["ScannedCount"] == 1
    resp = ddb.scan(TableName=item_table, FilterExpression=nots(298),
                    ExpressionAttributeValues=V)
    assert resp["Count"] == 1
    # 150 comparisons and 149 ANDs are 299 operators; with 151 comparisons it is 301.
    assert ddb.scan(TableName=item_table, FilterExpression=ands(150),
                    ExpressionAttributeValues=V)["Count"] == 1
    for expr in (nots(300), nots(1000), ands(151), ands(303)):
        assert len(expr) <= 4096
        expect_error(ddb.scan, TableName=item_table, FilterExpression=expr,
                     ExpressionAttributeValues=V, code="ValidationException",
                     message=too_many("FilterExpression"))


def test_condition_expression_operator_limit(ddb, item_table):
    item = {"PK": {"S": "p"}, "a": {"N": "2"}}
    # Functions count: 150 attribute_exists calls joined by 149 ORs are 299 operators.
    ok = " OR ".join(["attribute_exists(a)"] * 150)
    ddb.put_item(TableName=item_table, Item=item, ConditionExpression=ok)
    bad = " OR ".join(["attribute_exists(a)"] * 151)
    expect_error(ddb.put_item, TableName=item_table, Item=item, ConditionExpression=bad,
                 code="ValidationException", message=too_many("ConditionExpression"))
    # BETWEEN and IN are operators too: 100 BETWEENs, 99 ANDs, 51 INs and 51 ORs are 301.
    between = " AND ".join(["a BETWEEN :v AND :v"] * 100) + " OR " + \
        " OR ".join(["a IN (:v)"] * 51)
    expect_error(ddb.delete_item, TableName=item_table, Key={"PK": {"S": "p"}},
                 ConditionExpression=between, ExpressionAttributeValues=V,
                 code="ValidationException", message=too_many("ConditionExpression"))
    assert ddb.get_item(TableName=item_table, Key={"PK": {"S": "p"}},
                        ConsistentRead=True)["Item"] == item


def test_key_condition_expression_operator_limit(ddb, item_table):
    expect_error(ddb.query, TableName=item_table,
                 KeyConditionExpression=ands(151, "PK = :p"),
                 ExpressionAttributeValues={":p": {"S": "p"}}, code="ValidationException",
                 message=too_many("KeyConditionExpression"))


def test_update_expression_operator_limit(ddb, item_table):
    key = {"PK": {"S": "p"}}
    # 150 SET actions each with one +, applied.
    sets = ",".join(f"n{i}=:v+:v" for i in range(150))
    ddb.update_item(TableName=item_table, Key=key, UpdateExpression="SET " + sets,
                    ExpressionAttributeValues=V)
    got = ddb.get_item(TableName=item_table, Key=key, ConsistentRead=True)["Item"]
    assert got["n149"] == {"N": "2"}
    sets = ",".join(f"m{i}=:v+:v" for i in range(301))
    assert len(sets) < 4090
    expect_error(ddb.update_item, TableName=item_table, Key=key,
                 UpdateExpression="SET " + sets, ExpressionAttributeValues=V,
                 code="ValidationException", message=too_many("UpdateExpression"))
    # Function calls in SET values count as well (the count stops the parse before the
    # repeated path would be refused).
    calls = ",".join(["c=if_not_exists(q,:v)+:v"] * 151)
    assert len(calls) < 4090
    expect_error(ddb.update_item, TableName=item_table, Key=key,
                 UpdateExpression="SET " + calls, ExpressionAttributeValues=V,
                 code="ValidationException", message=too_many("UpdateExpression"))
    assert "m0" not in ddb.get_item(TableName=item_table, Key=key, ConsistentRead=True)["Item"]


def test_nesting_depth(server, ddb, item_table):
    # Nesting that holds an operator at every level is accepted up to the operator limit:
    # 200 levels of NOT ( ... ) with an even count of NOTs.
    deep = "NOT (" * 200 + "a = :v" + ")" * 200
    assert ddb.scan(TableName=item_table, FilterExpression=deep,
                    ExpressionAttributeValues=V)["Count"] == 1
    deeper = "NOT (" * 350 + "a = :v" + ")" * 350
    expect_error(ddb.scan, TableName=item_table, FilterExpression=deeper,
                 ExpressionAttributeValues=V, code="ValidationException",
                 message=too_many("FilterExpression"))
    # Parentheses alone, thousands deep (balanced or not, around a condition or an operand,
    # in a condition or a SET value): refused, and the server keeps serving.
    redundant = "Invalid {}: The expression has redundant parentheses;"
    for expr in ("(" * 2000 + "a = :v" + ")" * 2000, "(" * 4000 + "a",
                 "(" * 2000 + "a" + ")" * 2000 + " = :v", "size(" * 800 + "a"):
        resp = server.api("Scan", {"TableName": item_table, "FilterExpression": expr,
                                   "ExpressionAttributeValues": V})
        assert resp.status == 400 and resp.error_code == "ValidationException", resp
        assert resp.message in (redundant.format("FilterExpression"),
                                too_many("FilterExpression")) or \
            resp.message.startswith("Invalid FilterExpression: Syntax error;"), resp.message
    resp = server.api("UpdateItem", {"TableName": item_table, "Key": {"PK": {"S": "p"}},
                                     "UpdateExpression": "SET a = " + "(" * 4000 + ":v",
                                     "ExpressionAttributeValues": V})
    expect_raw_error(resp, "ValidationException",
                     message='Invalid UpdateExpression: Syntax error; token: "<EOF>", near: ":v"')
    resp = server.api("UpdateItem", {"TableName": item_table, "Key": {"PK": {"S": "p"}},
                                     "UpdateExpression": "SET a = " + "(" * 2000 + ":v" +
                                     ")" * 2000, "ExpressionAttributeValues": V})
    expect_raw_error(resp, "ValidationException",
                     message=redundant.format("UpdateExpression"))
    assert ddb.scan(TableName=item_table)["Count"] == 1


def test_limit_null_is_absent(server, ddb, range_table):
    for i in range(3):
        ddb.put_item(TableName=range_table, Item={"PK": {"S": "p"}, "SK": {"S": f"s{i}"}})
    resp = server.api("Query", {"TableName": range_table, "Limit": None,
                                "KeyConditionExpression": "PK = :p",
                                "ExpressionAttributeValues": {":p": {"S": "p"}}})
    assert resp.status == 200, resp
    assert resp.json()["Count"] == 3 and "LastEvaluatedKey" not in resp.json()
    resp = server.api("Scan", {"TableName": range_table, "Limit": None})
    assert resp.status == 200, resp
    assert resp.json()["Count"] == 3
    resp = server.api("ExecuteStatement", {"Statement": f'SELECT * FROM "{range_table}"',
                                           "Limit": None})
    assert resp.status == 200, resp
    assert len(resp.json()["Items"]) == 3
    resp = server.api("ListTables", {"Limit": None, "ExclusiveStartTableName": None})
    assert resp.status == 200, resp
    assert "TableNames" in resp.json()
    # A present Limit is still checked.
    expect_raw_error(server.api("Scan", {"TableName": range_table, "Limit": 0}),
                     "ValidationException", contains="Member must have value greater than "
                     "or equal to 1")

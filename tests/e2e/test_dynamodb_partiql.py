"""PartiQL: ExecuteStatement (SELECT as GetItem / Query / Scan, INSERT, UPDATE, DELETE),
parameters, pagination, BatchExecuteStatement, ExecuteTransaction, and their errors."""

import pytest

import gyre
from gyre import expect_error

WF = "Statement wasn't well formed, can't be processed: "
NO_KEY = "Where clause does not contain a mandatory equality on all key attributes"
CCF = "ConditionalCheckFailedException"


@pytest.fixture
def table(ddb, name):
    """A table with PK (S) and SK (N)."""
    t = name("-pq")
    gyre.create_table(ddb, t, "PK", "SK", range_type="N")
    return t


def run(ddb, stmt, params=None, **kw):
    if params is not None:
        kw["Parameters"] = params
    return ddb.execute_statement(Statement=stmt, **kw)


def get(ddb, table, pk, sk):
    return ddb.get_item(TableName=table, Key={"PK": {"S": pk}, "SK": {"N": str(sk)}},
                        ConsistentRead=True).get("Item")


def norm(item):
    """Sets compare as sets."""
    out = {}
    for k, v in item.items():
        (t, x), = v.items()
        out[k] = {t: sorted(x)} if t in ("SS", "NS", "BS") else v
    return out


# ---- INSERT and SELECT ------------------------------------------------------------------------

def test_insert_then_select_by_key(ddb, table):
    resp = run(ddb, f"INSERT INTO \"{table}\" VALUE {{'PK': 'a', 'SK': 1, 'name': 'it''s', "
                    "'tags': <<'x', 'y'>>, 'm': {'n': [1, true, null]}}")
    assert resp["Items"] == []
    item = get(ddb, table, "a", 1)
    assert norm(item) == {"PK": {"S": "a"}, "SK": {"N": "1"}, "name": {"S": "it's"},
                          "tags": {"SS": ["x", "y"]},
                          "m": {"M": {"n": {"L": [{"N": "1"}, {"BOOL": True}, {"NULL": True}]}}}}
    resp = run(ddb, f"SELECT * FROM \"{table}\" WHERE PK = 'a' AND SK = 1")
    assert [norm(i) for i in resp["Items"]] == [norm(item)]
    assert "NextToken" not in resp
    assert run(ddb, f"SELECT * FROM \"{table}\" WHERE PK = 'a' AND SK = 2")["Items"] == []


def test_insert_duplicate_key(ddb, table):
    run(ddb, f"INSERT INTO \"{table}\" VALUE {{'PK': 'd', 'SK': 1, 'v': 1}}")
    expect_error(run, ddb, f"INSERT INTO \"{table}\" VALUE {{'PK': 'd', 'SK': 1, 'v': 2}}",
                 code="DuplicateItemException", message="Duplicate primary key exists in table")
    assert get(ddb, table, "d", 1)["v"] == {"N": "1"}


def test_select_query_with_filter_and_projection(ddb, table):
    for sk in range(1, 6):
        run(ddb, f"INSERT INTO \"{table}\" VALUE {{'PK': 'q', 'SK': {sk}, 'odd': {sk % 2}, "
                 f"'doc': {{'a': {sk}, 'b': 'x'}}, 'l': [{sk}, 0]}}")
    run(ddb, f"INSERT INTO \"{table}\" VALUE {{'PK': 'other', 'SK': 3, 'odd': 1}}")
    resp = run(ddb, f"SELECT SK, doc.a, l[0] FROM \"{table}\" WHERE PK = 'q' AND SK >= 2 "
                    "AND odd = 1")
    assert resp["Items"] == [
        {"SK": {"N": "3"}, "doc": {"M": {"a": {"N": "3"}}}, "l": {"L": [{"N": "3"}]}},
        {"SK": {"N": "5"}, "doc": {"M": {"a": {"N": "5"}}}, "l": {"L": [{"N": "5"}]}},
    ]
    resp = run(ddb, f"SELECT SK FROM \"{table}\" WHERE PK = 'q' AND SK BETWEEN 2 AND 4 "
                    "ORDER BY SK DESC")
    assert [i["SK"]["N"] for i in resp["Items"]] == ["4", "3", "2"]
    # Not a key lookup: a Scan with the whole WHERE as its filter.
    resp = run(ddb, f"SELECT PK, SK FROM \"{table}\" WHERE odd = 1 AND SK = 3")
    assert sorted((i["PK"]["S"], i["SK"]["N"]) for i in resp["Items"]) == [("other", "3"),
                                                                           ("q", "3")]
    resp = run(ddb, f"SELECT SK FROM \"{table}\" WHERE PK IN ['q', 'zz'] AND SK IN [1, 5]")
    assert sorted(i["SK"]["N"] for i in resp["Items"]) == ["1", "5"]


def test_select_functions_and_reserved_words(ddb, table):
    run(ddb, f"INSERT INTO \"{table}\" VALUE {{'PK': 'f', 'SK': 1, 'status': 'active', "
             "'size': 3, 'name': 'alpha', 'tags': <<'a', 'b'>>}")
    run(ddb, f"INSERT INTO \"{table}\" VALUE {{'PK': 'f', 'SK': 2, 'status': 'idle', "
             "'name': 'beta'}")
    def sks(where):
        items = run(ddb, f"SELECT SK FROM \"{table}\" WHERE PK = 'f' AND {where}")["Items"]
        return sorted(int(i["SK"]["N"]) for i in items)
    assert sks("\"status\" = 'active'") == [1]
    assert sks("status <> 'active'") == [2]
    assert sks("begins_with(name, 'be')") == [2]
    assert sks("contains(tags, 'b')") == [1]
    assert sks("\"size\" IS MISSING") == [2]
    assert sks("\"size\" IS NOT MISSING") == [1]
    assert sks("attribute_exists(tags)") == [1]
    assert sks("size(name) = 5") == [1]
    assert sks("NOT (status = 'idle' OR name = 'alpha')") == []
    assert sks("name IN ('alpha', 'beta')") == [1, 2]


def test_parameters(ddb, table):
    run(ddb, f"INSERT INTO \"{table}\" VALUE {{'PK': ?, 'SK': ?, 'b': ?, 'm': ?}}",
        [{"S": "p"}, {"N": "7"}, {"B": b"\x00\x01"}, {"M": {"x": {"SS": ["q"]}}}])
    assert get(ddb, table, "p", 7) == {"PK": {"S": "p"}, "SK": {"N": "7"}, "b": {"B": b"\x00\x01"},
                                       "m": {"M": {"x": {"SS": ["q"]}}}}
    resp = run(ddb, f"SELECT b FROM \"{table}\" WHERE PK = ? AND SK = ?", [{"S": "p"}, {"N": "7"}])
    assert resp["Items"] == [{"b": {"B": b"\x00\x01"}}]
    expect_error(run, ddb, f"SELECT * FROM \"{table}\" WHERE PK = ?", [{"S": "p"}, {"S": "q"}],
                 code="ValidationException",
                 message="Number of parameters in request and statement don't match.")
    expect_error(run, ddb, f"SELECT * FROM \"{table}\" WHERE PK = ?", code="ValidationException",
                 message="Number of parameters in request and statement don't match.")


def test_pagination_with_next_token(ddb, table):
    for sk in range(7):
        run(ddb, f"INSERT INTO \"{table}\" VALUE {{'PK': 'pg', 'SK': {sk}}}")
    stmt = f"SELECT SK FROM \"{table}\" WHERE PK = 'pg'"
    seen, token, pages = [], None, 0
    while True:
        kw = {"Limit": 3}
        if token:
            kw["NextToken"] = token
        resp = run(ddb, stmt, **kw)
        pages += 1
        seen += [int(i["SK"]["N"]) for i in resp["Items"]]
        token = resp.get("NextToken")
        if not token:
            break
        assert pages < 10
    assert seen == list(range(7))
    assert pages == 3
    # A Scan pages the same way.
    scan = f"SELECT SK FROM \"{table}\" WHERE SK >= 0"
    first = run(ddb, scan, Limit=4)
    assert len(first["Items"]) == 4 and "NextToken" in first
    rest = run(ddb, scan, Limit=4, NextToken=first["NextToken"])
    assert len(rest["Items"]) == 3
    expect_error(run, ddb, f"SELECT * FROM \"{table}\" WHERE PK = 'zz'",
                 NextToken=first["NextToken"], code="ValidationException",
                 message="NextToken does not match request")
    expect_error(run, ddb, stmt, NextToken="not-a-token", code="ValidationException",
                 message="Invalid NextToken")


# ---- UPDATE and DELETE ------------------------------------------------------------------------

def test_update_actions_and_returning(ddb, table):
    run(ddb, f"INSERT INTO \"{table}\" VALUE {{'PK': 'u', 'SK': 1, 'n': 1, 'l': [1], "
             "'s': <<'a', 'b'>>, 'gone': 'x', 'doc': {'c': 'old'}}")
    resp = run(ddb, f"UPDATE \"{table}\" SET n = n + 2, doc.c = 'new' SET l = list_append(l, [2]) "
                    "SET s = set_add(s, <<'c'>>) REMOVE gone WHERE PK = 'u' AND SK = 1 "
                    "RETURNING ALL NEW *")
    want = {"PK": {"S": "u"}, "SK": {"N": "1"}, "n": {"N": "3"},
            "l": {"L": [{"N": "1"}, {"N": "2"}]}, "s": {"SS": ["a", "b", "c"]},
            "doc": {"M": {"c": {"S": "new"}}}}
    assert [norm(i) for i in resp["Items"]] == [norm(want)]
    assert norm(get(ddb, table, "u", 1)) == norm(want)
    resp = run(ddb, f"UPDATE \"{table}\" SET s = set_delete(s, <<'a'>>) SET n = n - 1 "
                    "WHERE PK = 'u' AND SK = 1 RETURNING MODIFIED OLD *")
    assert [norm(i) for i in resp["Items"]] == [{"n": {"N": "3"}, "s": {"SS": ["a", "b", "c"]}}]
    resp = run(ddb, f"UPDATE \"{table}\" SET x = 1 WHERE PK = 'u' AND SK = 1")
    assert resp["Items"] == []


def test_update_conditions(ddb, table):
    # The item must exist.
    expect_error(run, ddb, f"UPDATE \"{table}\" SET a = 1 WHERE PK = 'nope' AND SK = 1",
                 code=CCF)
    assert get(ddb, table, "nope", 1) is None
    run(ddb, f"INSERT INTO \"{table}\" VALUE {{'PK': 'c', 'SK': 1, 'v': 5}}")
    expect_error(run, ddb, f"UPDATE \"{table}\" SET v = 6 WHERE PK = 'c' AND SK = 1 AND v > 5",
                 code=CCF)
    run(ddb, f"UPDATE \"{table}\" SET v = 6 WHERE PK = 'c' AND SK = 1 AND v = 5")
    assert get(ddb, table, "c", 1)["v"] == {"N": "6"}
    expect_error(run, ddb, f"UPDATE \"{table}\" SET v = 7 WHERE PK = 'c'",
                 code="ValidationException", message=NO_KEY)
    expect_error(run, ddb, f"UPDATE \"{table}\" SET SK = 7 WHERE PK = 'c' AND SK = 1",
                 code="ValidationException", contains="part of the key")


def test_delete(ddb, table):
    run(ddb, f"INSERT INTO \"{table}\" VALUE {{'PK': 'del', 'SK': 1, 'v': 1}}")
    run(ddb, f"INSERT INTO \"{table}\" VALUE {{'PK': 'del', 'SK': 2, 'v': 2}}")
    expect_error(run, ddb, f"DELETE FROM \"{table}\" WHERE PK = 'del' AND SK = 1 AND v = 9",
                 code=CCF)
    resp = run(ddb, f"DELETE FROM \"{table}\" WHERE PK = 'del' AND SK = 1 AND v = 1 "
                    "RETURNING ALL OLD *")
    assert resp["Items"] == [{"PK": {"S": "del"}, "SK": {"N": "1"}, "v": {"N": "1"}}]
    assert get(ddb, table, "del", 1) is None
    # A missing item deletes nothing and succeeds, with or without extra conditions.
    assert run(ddb, f"DELETE FROM \"{table}\" WHERE PK = 'del' AND SK = 1")["Items"] == []
    assert run(ddb, f"DELETE FROM \"{table}\" WHERE PK = 'del' AND SK = 1 AND v = 3")["Items"] == []
    expect_error(run, ddb, f"DELETE FROM \"{table}\" WHERE PK = 'del'",
                 code="ValidationException", message=NO_KEY)
    assert get(ddb, table, "del", 2) is not None


# ---- errors -----------------------------------------------------------------------------------

def test_statement_errors(ddb, table):
    expect_error(run, ddb, "SELEKT * FROM x", code="ValidationException",
                 message=WF + "Expected data manipulation")
    expect_error(run, ddb, f"SELECT * FROM \"{table}\" WHERE", code="ValidationException",
                 message=WF + "Unexpected end of statement")
    expect_error(run, ddb, f"SELECT * FROM \"{table}\" WHERE a = 'x", code="ValidationException",
                 startswith=WF + "Unterminated string literal")
    expect_error(run, ddb, "SELECT * FROM \"no-such-table\"", code="ResourceNotFoundException")
    expect_error(run, ddb, f"INSERT INTO \"{table}\" VALUE {{'PK': 'a', 'SK': 'text'}}",
                 code="ValidationException", contains="Type mismatch")
    expect_error(run, ddb, f"INSERT INTO \"{table}\" VALUE {{'PK': 'a', 'SK': 1}} "
                           "RETURNING ALL OLD *",
                 code="ValidationException", message="RETURNING is not supported in INSERT")


def test_request_limits(server, table):
    # Raw requests: boto3 refuses these before sending them.
    resp = server.api("ExecuteStatement",
                      {"Statement": "SELECT * FROM t WHERE a = '" + "x" * 8200 + "'"})
    assert resp.error_code == "ValidationException"
    assert "length less than or equal to 8192" in resp.message
    resp = server.api("ExecuteStatement", {"Statement": f"SELECT * FROM \"{table}\"", "Limit": 0})
    assert resp.error_code == "ValidationException"
    assert "greater than or equal to 1" in resp.message
    resp = server.api("ExecuteStatement", {"Statement": ""})
    assert resp.error_code == "ValidationException"
    assert "greater than or equal to 1" in resp.message
    resp = server.api("ExecuteStatement", {})
    assert resp.message == ("1 validation error detected: Value null at 'statement' failed to "
                            "satisfy constraint: Member must not be null")
    resp = server.api("ExecuteStatement", {"Statement": f"SELECT * FROM \"{table}\"",
                                           "Parameters": []})
    assert resp.error_code == "ValidationException"
    resp = server.api("BatchExecuteStatement", {"Statements": []})
    assert resp.error_code == "ValidationException"
    resp = server.api("ExecuteTransaction", {"TransactStatements": [
        {"Statement": f"SELECT * FROM \"{table}\" WHERE PK = 'a' AND SK = {i}"}
        for i in range(101)]})
    assert resp.error_code == "ValidationException"
    assert "less than or equal to 100" in resp.message


def test_condition_failure_returns_item(server, ddb, table):
    run(ddb, f"INSERT INTO \"{table}\" VALUE {{'PK': 'rv', 'SK': 1, 'v': 1}}")
    resp = server.api("ExecuteStatement", {
        "Statement": f"UPDATE \"{table}\" SET v = 2 WHERE PK = 'rv' AND SK = 1 AND v = 5",
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD"})
    assert resp.status == 400
    assert resp.error_code == CCF
    assert resp.json()["Item"] == {"PK": {"S": "rv"}, "SK": {"N": "1"}, "v": {"N": "1"}}


def test_consumed_capacity(ddb, table):
    run(ddb, f"INSERT INTO \"{table}\" VALUE {{'PK': 'cap', 'SK': 1}}")
    resp = run(ddb, f"SELECT * FROM \"{table}\" WHERE PK = 'cap' AND SK = 1",
               ReturnConsumedCapacity="TOTAL", ConsistentRead=True)
    assert resp["ConsumedCapacity"]["TableName"] == table
    assert resp["ConsumedCapacity"]["CapacityUnits"] == 1.0


# ---- BatchExecuteStatement --------------------------------------------------------------------

def test_batch_writes_each_result(ddb, table):
    run(ddb, f"INSERT INTO \"{table}\" VALUE {{'PK': 'b', 'SK': 0}}")
    run(ddb, f"INSERT INTO \"{table}\" VALUE {{'PK': 'b', 'SK': 5}}")
    resp = ddb.batch_execute_statement(Statements=[
        {"Statement": f"INSERT INTO \"{table}\" VALUE {{'PK': 'b', 'SK': 1}}"},
        {"Statement": f"INSERT INTO \"{table}\" VALUE {{'PK': 'b', 'SK': 0}}"},
        {"Statement": f"UPDATE \"{table}\" SET v = ? WHERE PK = 'b' AND SK = 9",
         "Parameters": [{"N": "1"}]},
        {"Statement": f"DELETE FROM \"{table}\" WHERE PK = 'b' AND SK = 5"},
        {"Statement": "INSERT INTO"},
        {"Statement": "INSERT INTO \"missing-table\" VALUE {'PK': 'x'}"},
    ])["Responses"]
    assert resp[0] == {"TableName": table}
    assert resp[1]["Error"] == {"Code": "DuplicateItem",
                                "Message": "Duplicate primary key exists in table"}
    assert resp[2]["Error"]["Code"] == "ConditionalCheckFailed"
    assert resp[3] == {"TableName": table}
    assert resp[4]["Error"] == {"Code": "ValidationError",
                                "Message": WF + "Unexpected end of statement"}
    assert resp[5]["Error"]["Code"] == "ResourceNotFound"
    assert get(ddb, table, "b", 1) is not None
    assert get(ddb, table, "b", 5) is None
    assert get(ddb, table, "b", 0) is not None


def test_batch_reads(ddb, table):
    run(ddb, f"INSERT INTO \"{table}\" VALUE {{'PK': 'br', 'SK': 1, 'v': 'one'}}")
    resp = ddb.batch_execute_statement(Statements=[
        {"Statement": f"SELECT v FROM \"{table}\" WHERE PK = 'br' AND SK = 1",
         "ConsistentRead": True},
        {"Statement": f"SELECT * FROM \"{table}\" WHERE PK = ? AND SK = ?",
         "Parameters": [{"S": "br"}, {"N": "2"}]},
        {"Statement": f"SELECT * FROM \"{table}\" WHERE PK = 'br'"},
    ], ReturnConsumedCapacity="TOTAL")
    r = resp["Responses"]
    assert r[0] == {"TableName": table, "Item": {"v": {"S": "one"}}}
    assert r[1] == {"TableName": table}
    assert r[2]["Error"] == {"Code": "ValidationError", "Message": NO_KEY}
    assert resp["ConsumedCapacity"] == [{"TableName": table, "CapacityUnits": 1.5}]


def test_batch_request_errors(ddb, table):
    expect_error(ddb.batch_execute_statement, Statements=[
        {"Statement": f"SELECT * FROM \"{table}\" WHERE PK = 'a' AND SK = 1"},
        {"Statement": f"DELETE FROM \"{table}\" WHERE PK = 'a' AND SK = 2"},
    ], code="ValidationException",
        message="Read and write requests together in the same batch is not supported.")
    expect_error(ddb.batch_execute_statement, Statements=[
        {"Statement": f"DELETE FROM \"{table}\" WHERE PK = 'a' AND SK = 2"},
        {"Statement": f"UPDATE \"{table}\" SET x = 1 WHERE SK = 2 AND PK = 'a'"},
    ], code="ValidationException", message="Provided list of item keys contains duplicates")
    many = [{"Statement": f"SELECT * FROM \"{table}\" WHERE PK = 'a' AND SK = {i}"}
            for i in range(26)]
    expect_error(ddb.batch_execute_statement, Statements=many, code="ValidationException",
                 contains="less than or equal to 25")


# ---- ExecuteTransaction -----------------------------------------------------------------------

def test_transaction_writes_commit_together(ddb, table):
    run(ddb, f"INSERT INTO \"{table}\" VALUE {{'PK': 't', 'SK': 1, 'n': 1}}")
    run(ddb, f"INSERT INTO \"{table}\" VALUE {{'PK': 't', 'SK': 3, 'n': 1}}")
    resp = ddb.execute_transaction(TransactStatements=[
        {"Statement": f"INSERT INTO \"{table}\" VALUE {{'PK': 't', 'SK': 2}}"},
        {"Statement": f"UPDATE \"{table}\" SET n = n + 1 WHERE PK = 't' AND SK = 1"},
        {"Statement": f"EXISTS(SELECT * FROM \"{table}\" WHERE PK = 't' AND SK = 3 AND n = 1)"},
    ], ClientRequestToken="tok-1")
    assert resp["Responses"] == [{}, {}, {}]
    assert get(ddb, table, "t", 2) is not None
    assert get(ddb, table, "t", 1)["n"] == {"N": "2"}


def test_transaction_client_request_token_replays(ddb, table):
    stmts = [{"Statement": f"INSERT INTO \"{table}\" VALUE {{'PK': 'idem', 'SK': 1}}"},
             {"Statement": f"INSERT INTO \"{table}\" VALUE {{'PK': 'idem', 'SK': 2}}"}]
    ddb.execute_transaction(TransactStatements=stmts, ClientRequestToken="idem-token-1")
    # The same token and statements again: a replay, not a duplicate-key failure.
    resp = ddb.execute_transaction(TransactStatements=stmts, ClientRequestToken="idem-token-1")
    assert resp["Responses"] == [{}, {}]
    # Without a token it runs again, and the keys now exist.
    err = expect_error(ddb.execute_transaction, TransactStatements=stmts,
                       code="TransactionCanceledException")
    assert [r["Code"] for r in err.response["CancellationReasons"]] == ["DuplicateItem",
                                                                       "DuplicateItem"]


def test_transaction_cancellation(ddb, table):
    run(ddb, f"INSERT INTO \"{table}\" VALUE {{'PK': 'tc', 'SK': 1, 'n': 1}}")
    run(ddb, f"INSERT INTO \"{table}\" VALUE {{'PK': 'tc', 'SK': 2}}")
    err = expect_error(ddb.execute_transaction, TransactStatements=[
        {"Statement": f"UPDATE \"{table}\" SET n = 5 WHERE PK = 'tc' AND SK = 1"},
        {"Statement": f"INSERT INTO \"{table}\" VALUE {{'PK': 'tc', 'SK': 2}}"},
        {"Statement": f"UPDATE \"{table}\" SET n = 5 WHERE PK = 'tc' AND SK = 9"},
    ], code="TransactionCanceledException")
    reasons = err.response["CancellationReasons"]
    assert [r["Code"] for r in reasons] == ["None", "DuplicateItem", "ConditionalCheckFailed"]
    assert reasons[1]["Message"] == "Duplicate primary key exists in table"
    assert "[None, DuplicateItem, ConditionalCheckFailed]" in err.response["Error"]["Message"]
    assert get(ddb, table, "tc", 1)["n"] == {"N": "1"}


def test_transaction_reads(ddb, table):
    run(ddb, f"INSERT INTO \"{table}\" VALUE {{'PK': 'tr', 'SK': 1, 'v': 'a'}}")
    resp = ddb.execute_transaction(TransactStatements=[
        {"Statement": f"SELECT v FROM \"{table}\" WHERE PK = 'tr' AND SK = 1"},
        {"Statement": f"SELECT * FROM \"{table}\" WHERE PK = ? AND SK = ?",
         "Parameters": [{"S": "tr"}, {"N": "2"}]},
    ])
    assert resp["Responses"] == [{"Item": {"v": {"S": "a"}}}, {}]
    expect_error(ddb.execute_transaction, TransactStatements=[
        {"Statement": f"SELECT * FROM \"{table}\" WHERE PK = 'tr'"}],
        code="ValidationException",
        message="Select statements within ExecuteTransaction must specify the primary key in "
                "the where clause.")
    expect_error(ddb.execute_transaction, TransactStatements=[
        {"Statement": f"SELECT * FROM \"{table}\" WHERE PK = 'tr' AND SK = 1"},
        {"Statement": f"DELETE FROM \"{table}\" WHERE PK = 'tr' AND SK = 2"}],
        code="ValidationException",
        message="ExecuteTransaction API does not support both read and write operations in the "
                "same request.")
    expect_error(ddb.execute_transaction, TransactStatements=[
        {"Statement": f"DELETE FROM \"{table}\" WHERE PK = 'tr' AND SK = 2 RETURNING ALL OLD *"}],
        code="ValidationException", contains="RETURNING clause is not supported")
    expect_error(ddb.execute_transaction, TransactStatements=[
        {"Statement": "SELECT * FROM"}], code="ValidationException",
        message=WF + "Unexpected end of statement")

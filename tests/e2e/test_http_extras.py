"""test_http_extras.py — HTTP conveniences real clients use, against a real gyre process.

Content-Encoding: gzip request bodies (signed over the compressed bytes, as SDKs sign them),
corrupt, unsupported and bomb bodies answered with AWS errors while other clients are served;
gzip responses when Accept-Encoding asks (q-values honoured); x-amz-crc32 on DynamoDB responses
(checked by botocore's own checker and recomputed here), not on DynamoDB Streams; CORS
preflights answered without credentials and CORS headers on ordinary responses.
"""

import gzip
import json
import threading
import zlib

import pytest
from botocore.awsrequest import AWSResponse
from botocore.retryhandler import CRC32Checker

import cluster as gcluster
import gyre
from gyre import expect_raw_error

BOMB_PLAIN = 17 << 20  # inflates past the 16 MiB request limit


@pytest.fixture(scope="module")
def table(server, ddb):
    name = gyre.unique("hx")
    gyre.create_table(ddb, name, hash_key="pk", range_key="sk")
    yield name
    ddb.delete_table(TableName=name)


def put_body(table, pk, sk, payload):
    return json.dumps({"TableName": table, "Item": {
        "pk": {"S": pk}, "sk": {"S": sk}, "data": {"S": payload}}}).encode()


def gz(data):
    return gzip.compress(data, mtime=0)


def crc(body):
    return str(zlib.crc32(body) & 0xFFFFFFFF)


# ---- request bodies ---------------------------------------------------------------------------

def test_gzip_put_item_signed_over_compressed_bytes(server, ddb, table):
    payload = "gyre " * 40000  # 200 KB of text: compresses well
    body = gz(put_body(table, "gz", "1", payload))
    assert len(body) < 10000
    hdrs = {"Content-Type": gyre.DDB_JSON, "X-Amz-Target": f"{gyre.DDB_TARGET}.PutItem",
            "Content-Encoding": "gzip"}
    r = server.signed("POST", "/", body, hdrs)
    assert r.status == 200, r
    assert r.json() == {}
    item = ddb.get_item(TableName=table, Key={"pk": {"S": "gz"}, "sk": {"S": "1"}})["Item"]
    assert item["data"]["S"] == payload


@pytest.mark.parametrize("encoding", ["GZIP", "x-gzip", "identity, gzip", "gzip, identity"])
def test_gzip_coding_names(server, ddb, table, encoding):
    body = gz(put_body(table, "names", encoding, "v"))
    hdrs = {"Content-Type": gyre.DDB_JSON, "X-Amz-Target": f"{gyre.DDB_TARGET}.PutItem",
            "Content-Encoding": encoding}
    r = server.signed("POST", "/", body, hdrs)
    assert r.status == 200, r
    got = ddb.get_item(TableName=table, Key={"pk": {"S": "names"}, "sk": {"S": encoding}})
    assert got["Item"]["data"]["S"] == "v"


def test_signature_covers_compressed_bytes(server, table):
    """Signing the plain JSON but sending gzip bytes must fail SigV4."""
    plain = put_body(table, "sig", "1", "v")
    hdrs = {"Content-Type": gyre.DDB_JSON, "X-Amz-Target": f"{gyre.DDB_TARGET}.PutItem",
            "Content-Encoding": "gzip"}
    signed = server.sign("POST", "/", plain, hdrs)
    r = server.raw("POST", "/", gz(plain), signed)
    expect_raw_error(r, "InvalidSignatureException")


@pytest.mark.parametrize("mangle", [
    lambda b: b[:-4],                  # truncated
    lambda b: b + b"trailing",         # garbage after the member
    lambda b: b[:-8] + b"\0" * 8,      # bad CRC and length
    lambda b: b"not gzip at all",
])
def test_corrupt_gzip_body(server, table, mangle):
    body = mangle(gz(put_body(table, "bad", "1", "v")))
    hdrs = {"Content-Type": gyre.DDB_JSON, "X-Amz-Target": f"{gyre.DDB_TARGET}.PutItem",
            "Content-Encoding": "gzip"}
    r = server.signed("POST", "/", body, hdrs)
    expect_raw_error(r, "SerializationException", contains="gzip")
    assert r.headers["x-amz-crc32"] == crc(r.body)  # DynamoDB's errors carry it too


@pytest.mark.parametrize("encoding", ["br", "deflate", "zstd", "gzip, br"])
def test_unsupported_content_encoding(server, table, encoding):
    body = put_body(table, "enc", "1", "v")
    hdrs = {"Content-Type": gyre.DDB_JSON, "X-Amz-Target": f"{gyre.DDB_TARGET}.PutItem",
            "Content-Encoding": encoding}
    r = server.signed("POST", "/", body, hdrs)
    expect_raw_error(r, "SerializationException", contains="Content-Encoding")


def test_gzip_bomb_answered_while_others_are_served(server, ddb, table):
    bomb = gz(b"\0" * BOMB_PLAIN)
    assert len(bomb) < 64 * 1024
    hdrs = {"Content-Type": gyre.DDB_JSON, "X-Amz-Target": f"{gyre.DDB_TARGET}.PutItem",
            "Content-Encoding": "gzip"}
    ddb.put_item(TableName=table, Item={"pk": {"S": "steady"}, "sk": {"S": "1"},
                                        "n": {"N": "7"}})
    failures = []
    served = [0]
    stop = threading.Event()

    def steady_client():
        client = server.client()
        while not stop.is_set() and served[0] < 400:
            try:
                item = client.get_item(TableName=table,
                                       Key={"pk": {"S": "steady"}, "sk": {"S": "1"}})["Item"]
                assert item["n"]["N"] == "7"
                served[0] += 1
            except Exception as e:  # noqa: BLE001 — any failure of the steady client counts
                failures.append(repr(e))
                return

    t = threading.Thread(target=steady_client)
    t.start()
    try:
        for _ in range(5):
            r = server.signed("POST", "/", bomb, hdrs)
            expect_raw_error(r, "RequestEntityTooLargeException", status=413,
                             message="Request size exceeded 16777216 bytes")
    finally:
        stop.set()
        t.join(60)
    assert not failures, failures
    assert served[0] > 0
    # The server is healthy afterwards and the bomb wrote nothing.
    assert ddb.get_item(TableName=table, Key={"pk": {"S": "steady"}, "sk": {"S": "1"}})["Item"]


def test_inflated_body_at_the_limit_is_accepted_by_http_but_judged_by_dynamodb(server, table):
    """Just under 16 MiB inflated passes the transport; DynamoDB then applies its item limit."""
    payload = "x" * ((16 << 20) - 1000)
    body = gz(put_body(table, "big", "1", payload))
    hdrs = {"Content-Type": gyre.DDB_JSON, "X-Amz-Target": f"{gyre.DDB_TARGET}.PutItem",
            "Content-Encoding": "gzip"}
    r = server.signed("POST", "/", body, hdrs)
    expect_raw_error(r, "ValidationException", contains="size")


# ---- responses --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def filled(server, ddb, table):
    for i in range(20):
        ddb.put_item(TableName=table, Item={"pk": {"S": "many"}, "sk": {"S": f"{i:04d}"},
                                            "text": {"S": "lorem ipsum " * 20}})
    return table


def query_body(table):
    return json.dumps({"TableName": table, "KeyConditionExpression": "pk = :p",
                       "ExpressionAttributeValues": {":p": {"S": "many"}}}).encode()


def query(server, table, accept=None):
    hdrs = {"Content-Type": gyre.DDB_JSON, "X-Amz-Target": f"{gyre.DDB_TARGET}.Query"}
    if accept is not None:
        hdrs["Accept-Encoding"] = accept
    return server.signed("POST", "/", query_body(table), hdrs)


@pytest.mark.parametrize("accept", ["gzip", "gzip, deflate, br", "*", "br;q=1, gzip;q=0.5",
                                    "identity;q=0.1, gzip"])
def test_gzip_response_when_asked(server, filled, accept):
    r = query(server, filled, accept)
    assert r.status == 200, r
    assert r.headers.get("content-encoding") == "gzip"
    assert "accept-encoding" in r.headers.get("vary", "").lower()
    assert r.headers["x-amz-crc32"] == crc(r.body)  # over the bytes sent, compressed
    out = json.loads(gzip.decompress(r.body))
    assert out["Count"] == 20


@pytest.mark.parametrize("accept", [None, "identity", "gzip;q=0", "deflate, br", "*;q=0, br",
                                    "gzip;q=0.5, identity;q=1"])
def test_identity_response_otherwise(server, filled, accept):
    r = query(server, filled, accept)
    assert r.status == 200, r
    assert "content-encoding" not in r.headers
    assert r.json()["Count"] == 20
    assert r.headers["x-amz-crc32"] == crc(r.body)


def test_small_responses_are_not_compressed(server, table):
    hdrs = {"Content-Type": gyre.DDB_JSON, "X-Amz-Target": f"{gyre.DDB_TARGET}.GetItem",
            "Accept-Encoding": "gzip"}
    body = json.dumps({"TableName": table, "Key": {"pk": {"S": "none"}, "sk": {"S": "0"}}})
    r = server.signed("POST", "/", body, hdrs)
    assert r.status == 200, r
    assert "content-encoding" not in r.headers
    assert r.json() == {}


def test_gzip_error_response(server):
    hdrs = {"Content-Type": gyre.DDB_JSON, "X-Amz-Target": f"{gyre.DDB_TARGET}.DescribeTable",
            "Accept-Encoding": "gzip, identity;q=0"}
    r = server.signed("POST", "/", json.dumps({"TableName": "no-such-table-hx"}), hdrs)
    assert r.status == 400
    assert r.headers.get("content-encoding") == "gzip"
    assert r.headers["x-amz-crc32"] == crc(r.body)
    err = json.loads(gzip.decompress(r.body))
    assert err["__type"].endswith("#ResourceNotFoundException")


# ---- x-amz-crc32 ------------------------------------------------------------------------------

def capture_responses(client):
    seen = []

    def on_response(response_dict=None, **kw):
        if response_dict is not None:
            seen.append(response_dict)

    client.meta.events.register("response-received", on_response)
    return seen


def test_crc32_checked_by_boto3(server, filled):
    client = server.client()
    seen = capture_responses(client)
    out = client.query(TableName=filled, KeyConditionExpression="pk = :p",
                       ExpressionAttributeValues={":p": {"S": "many"}})
    assert out["Count"] == 20
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.describe_table(TableName="no-such-table-hx")
    assert len(seen) == 2
    checker = CRC32Checker(header="x-amz-crc32")
    for rd in seen:
        headers = {k.lower(): v for k, v in rd["headers"].items()}
        assert headers["x-amz-crc32"] == crc(rd["body"])
        # botocore's own check (the one its retry handler runs on every DynamoDB response).
        resp = AWSResponse(server.endpoint, rd["status_code"], rd["headers"], None)
        resp._content = rd["body"]
        checker._check_response(1, (resp, {}))
    # The checker does reject a wrong value, so the check above is a real one.
    bad = AWSResponse(server.endpoint, 200, {"x-amz-crc32": "1"}, None)
    bad._content = seen[0]["body"]
    with pytest.raises(Exception, match="crc32"):
        checker._check_response(1, (bad, {}))


def test_crc32_with_aws_cli(server, filled):
    """The AWS CLI verifies x-amz-crc32 too: a scan of the table succeeds."""
    _, out = server.cli("dynamodb", "scan", "--table-name", filled)
    assert out["Count"] >= 20


def test_no_crc32_on_streams(server):
    r = server.api("ListStreams", {}, target_prefix="DynamoDBStreams_20120810")
    assert r.status == 200, r
    assert "x-amz-crc32" not in r.headers


# ---- CORS -------------------------------------------------------------------------------------

SDK_HEADERS = ("amz-sdk-invocation-id,amz-sdk-request,authorization,content-type,"
               "x-amz-content-sha256,x-amz-date,x-amz-target,x-amz-user-agent")


def split_list(v):
    return {x.strip().lower() for x in v.split(",") if x.strip()}


def test_preflight_without_credentials(server):
    r = server.raw("OPTIONS", "/", headers={
        "Origin": "http://localhost:3000",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": SDK_HEADERS,
    })
    assert r.status == 200, r
    assert r.body == b""
    assert r.headers["access-control-allow-origin"] == "http://localhost:3000"
    assert "post" in split_list(r.headers["access-control-allow-methods"])
    assert split_list(r.headers["access-control-allow-headers"]) == split_list(SDK_HEADERS)
    assert int(r.headers["access-control-max-age"]) > 0
    exposed = split_list(r.headers["access-control-expose-headers"])
    for h in ("x-amzn-requestid", "x-amz-crc32", "x-amzn-errortype", "x-amz-request-id",
              "x-amzn-query-error", "etag", "date"):
        assert h in exposed, h
    assert "x-amzn-requestid" not in r.headers  # not an AWS operation


def test_preflight_private_network(server):
    r = server.raw("OPTIONS", "/", headers={
        "Origin": "https://example.com", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Private-Network": "true"})
    assert r.status == 200
    assert r.headers["access-control-allow-private-network"] == "true"


def test_options_without_origin_is_not_a_preflight(server):
    r = server.raw("OPTIONS", "/", headers={"Access-Control-Request-Method": "POST"})
    # An ordinary (unsigned) request: refused for missing credentials, in whichever protocol
    # shape the router takes an OPTIONS for.
    assert r.status in (400, 403), r
    assert "Authentication Token" in r.body.decode(), r
    assert "access-control-allow-origin" not in r.headers


def test_cors_headers_on_responses(server, table):
    origin = "http://localhost:5173"
    hdrs = {"Content-Type": gyre.DDB_JSON, "X-Amz-Target": f"{gyre.DDB_TARGET}.GetItem",
            "Origin": origin}
    body = json.dumps({"TableName": table, "Key": {"pk": {"S": "none"}, "sk": {"S": "0"}}})
    r = server.signed("POST", "/", body, hdrs)
    assert r.status == 200, r
    assert r.headers["access-control-allow-origin"] == origin
    assert "x-amz-crc32" in split_list(r.headers["access-control-expose-headers"])
    # Errors carry them too, so a browser script can read the error.
    r = server.raw("POST", "/", body.encode(), {"Content-Type": gyre.DDB_JSON,
                                                "X-Amz-Target": f"{gyre.DDB_TARGET}.GetItem",
                                                "Origin": origin})
    expect_raw_error(r, "MissingAuthenticationTokenException")
    assert r.headers["x-amz-crc32"] == crc(r.body)
    assert r.headers["access-control-allow-origin"] == origin
    assert "x-amzn-requestid" in split_list(r.headers["access-control-expose-headers"])
    # No Origin, no CORS headers.
    r = server.signed("POST", "/", body, {k: v for k, v in hdrs.items() if k != "Origin"})
    assert "access-control-allow-origin" not in r.headers


# ---- other protocols: query (STS) --------------------------------------------------------------

FORM = "application/x-www-form-urlencoded; charset=utf-8"


def sts_call(server, form, headers=None):
    hdrs = {"Content-Type": FORM}
    hdrs.update(headers or {})
    return server.signed("POST", "/", form, hdrs, service="sts")


def test_gzip_query_request(server):
    """What newer SDKs do for CloudWatch PutMetricData: a gzip form body, signed compressed."""
    form = b"Action=GetCallerIdentity&Version=2011-06-15"
    r = sts_call(server, gz(form), {"Content-Encoding": "gzip"})
    assert r.status == 200, r
    assert b"<GetCallerIdentityResponse" in r.body
    assert b"<Account>" in r.body
    assert "x-amz-crc32" not in r.headers  # DynamoDB only


def test_gzip_query_errors_in_query_shape(server):
    r = sts_call(server, b"Action=GetCallerIdentity"[:-3], {"Content-Encoding": "gzip"})
    assert r.status == 400, r
    assert b"<ErrorResponse" in r.body
    r = sts_call(server, gz(b"\0" * BOMB_PLAIN), {"Content-Encoding": "gzip"})
    assert r.status == 413, r
    assert b"<ErrorResponse" in r.body and b"RequestEntityTooLarge" in r.body


def test_gzip_query_response_when_identity_refused(server):
    form = b"Action=GetCallerIdentity&Version=2011-06-15"
    r = sts_call(server, form, {"Accept-Encoding": "gzip, identity;q=0"})
    assert r.status == 200, r
    assert r.headers.get("content-encoding") == "gzip"
    assert b"<GetCallerIdentityResponse" in gzip.decompress(r.body)


# ---- forwarding to another region ---------------------------------------------------------------

def test_extras_through_forwarding():
    """A request signed for another region is relayed as sent (gzip body and all) and its
    gzip answer comes back with Content-Encoding, x-amz-crc32 and CORS intact."""
    import os
    if os.environ.get("GYRE_ENDPOINT") or not os.environ.get("GYRE_BIN"):
        pytest.skip("needs its own gyre processes")
    c = gcluster.Cluster(regions=("us-east-1", "eu-west-1")).start()
    try:
        us, eu = c["us-east-1"], c["eu-west-1"]
        name = gyre.unique("hxf")
        gyre.create_table(c.ddb("eu-west-1"), name, hash_key="pk", range_key="sk")
        base = {"Content-Type": gyre.DDB_JSON}
        for i in range(10):
            body = gz(put_body(name, "many", f"{i:03d}", "forwarded " * 30))
            r = us.signed("POST", "/", body, {**base, "Content-Encoding": "gzip",
                                              "X-Amz-Target": f"{gyre.DDB_TARGET}.PutItem"},
                          region="eu-west-1")
            assert r.status == 200, r
        got = c.ddb("eu-west-1").query(TableName=name, KeyConditionExpression="pk = :p",
                                       ExpressionAttributeValues={":p": {"S": "many"}})
        assert got["Count"] == 10
        q = json.dumps({"TableName": name, "KeyConditionExpression": "pk = :p",
                        "ExpressionAttributeValues": {":p": {"S": "many"}}})
        r = us.signed("POST", "/", q, {**base, "X-Amz-Target": f"{gyre.DDB_TARGET}.Query",
                                       "Accept-Encoding": "gzip", "Origin": "http://localhost:1"},
                      region="eu-west-1")
        assert r.status == 200, r
        assert r.headers.get("content-encoding") == "gzip"
        assert r.headers["x-amz-crc32"] == crc(r.body)
        assert r.headers["access-control-allow-origin"] == "http://localhost:1"
        assert json.loads(gzip.decompress(r.body))["Count"] == 10
        assert eu.raw("GET", "/_gyre/health").status == 200
    finally:
        c.close()

"""test_testsvc_protocols.py — the protocol layer against the real clients' parsers.

A gyre process with GYRE_TEST_SERVICES=1 serves one echo service per protocol (models in
tests/e2e/models/, given to botocore through AWS_DATA_PATH): Debian's boto3 and AWS CLI send
every shape kind through each codec and parse what comes back; modeled exceptions, generic
errors and model validation come back in each protocol's own shape. CBOR requests are built with
python3-cbor2 the way the Java SDK and smithy clients send them.
"""

import base64
import datetime
import json
import os

import boto3
import botocore.config
import pytest
from botocore.exceptions import ClientError

import gyre

MODELS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "models")
os.environ["AWS_DATA_PATH"] = MODELS

# Whole seconds: Debian's botocore sends JSON timestamps as integers.
T0 = datetime.datetime(2024, 2, 29, 12, 34, 56, tzinfo=datetime.timezone.utc)

FULL = {
    "Str": "héllo <&> \"quoted\" 'x' ✓",
    "Int": -42,
    "Long": 9007199254740991,  # 2**53 - 1: JSON trees hold doubles
    "Dbl": 0.1,
    "Flt": 1.5,
    "Bool": False,
    "Time": T0,
    "Data": b"\x00\x01binary\xff",
    "StrList": ["a", "b c", ""],
    "Structs": [{"Name": "n1", "Value": 1, "Children": [{"Name": "kid", "Value": 2}]},
                {"Name": "n2"}],
    "Tags": {"k1": "v1", "k 2": "v&2"},
    "InnerMap": {"m": {"Name": "inner", "Value": 7}},
    "Nested": {"Name": "deep", "Children": [{"Name": "deeper", "Children": []}]},
    "Color": "GREEN",
}


@pytest.fixture(scope="module")
def srv():
    s = gyre.GyreServer(region="us-east-1", extra_env={"GYRE_TEST_SERVICES": "1"}).start()
    yield s
    s.close()


def client(srv, name, **kw):
    cfg = botocore.config.Config(retries={"total_max_attempts": 1}, **kw)
    return boto3.session.Session().client(
        name, endpoint_url=srv.endpoint, region_name=srv.region,
        aws_access_key_id=srv.access_key, aws_secret_access_key=srv.secret_key, config=cfg)


def check_echo(out, sent):
    for k, v in sent.items():
        got = out[k]
        if k == "Long" and isinstance(got, float):
            pytest.fail("Long came back as a float")
        if isinstance(v, float):
            assert got == pytest.approx(v), k
        else:
            assert got == v, k


# ---- JSON 1.1 ------------------------------------------------------------------------------

def test_json_echo_every_shape(srv):
    out = client(srv, "gyretestjson").echo(**FULL)
    check_echo(out, FULL)
    assert out["ResponseMetadata"]["HTTPHeaders"]["content-type"] == "application/x-amz-json-1.1"


def test_json_modeled_errors(srv):
    c = client(srv, "gyretestjson")
    with pytest.raises(c.exceptions.NotFound) as e:
        c.fail(Code="NotFound")
    assert e.value.response["Error"]["Message"] == "Thing t-1 does not exist"
    assert e.value.response["Error"]["Code"] == "ResourceNotFound"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert e.value.response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-query-error"] == \
        "ResourceNotFound;Sender"
    with pytest.raises(c.exceptions.Conflict) as e:
        c.fail(Code="Conflict")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409


def test_json_validation_all_errors_together(srv):
    c = client(srv, "gyretestjson", parameter_validation=False)
    with pytest.raises(ClientError) as e:
        c.constrained(Name="AB", Count=0, Color="PINK", Items=[])
    err = e.value.response["Error"]
    assert err["Code"] == "ValidationException"
    # Violations are listed in model member order (this fixture's members are sorted).
    assert err["Message"] == (
        "5 validation errors detected: "
        "Value 'PINK' at 'color' failed to satisfy constraint: Member must satisfy enum value "
        "set: [RED, GREEN, BLUE]; "
        "Value '0' at 'count' failed to satisfy constraint: Member must have value greater "
        "than or equal to 1; "
        "Value '[]' at 'items' failed to satisfy constraint: Member must have length greater "
        "than or equal to 1; "
        "Value 'AB' at 'name' failed to satisfy constraint: Member must have length greater "
        "than or equal to 3; "
        "Value 'AB' at 'name' failed to satisfy constraint: Member must satisfy regular "
        "expression pattern: [a-z]+")


def expect_json_error(resp, code, message, status=400):
    assert resp.status == status, resp
    assert resp.error_code == code, resp
    assert resp.message == message, resp


def test_json_missing_required_and_wrong_types(srv):
    resp = srv.api("Constrained", {}, target_prefix="GyreTestJson", service="gyretestjson")
    expect_json_error(resp, "ValidationException",
                          message="1 validation error detected: Value null at 'name' failed to "
                                  "satisfy constraint: Member must not be null")
    resp = srv.api("Constrained", {"Name": 5}, target_prefix="GyreTestJson",
                   service="gyretestjson")
    expect_json_error(resp, "SerializationException",
                          message="NUMBER_VALUE cannot be converted to String")
    resp = srv.api("Constrained", {"Name": "abc", "Count": "many"},
                   target_prefix="GyreTestJson", service="gyretestjson")
    expect_json_error(resp, "SerializationException",
                          message="STRING_VALUE cannot be converted to Integer")
    resp = srv.api("Constrained", {"Name": "abc", "Items": {"a": 1}},
                   target_prefix="GyreTestJson", service="gyretestjson")
    expect_json_error(resp, "SerializationException",
                          message="Start of structure or map found where not expected")
    resp = srv.api("Nope", {}, target_prefix="GyreTestJson", service="gyretestjson")
    expect_json_error(resp, "UnknownOperationException", "")


def test_json_unknown_members_ignored_nulls_absent(srv):
    resp = srv.api("Constrained", {"Name": "abc", "Bogus": [1, 2], "Count": None},
                   target_prefix="GyreTestJson", service="gyretestjson")
    assert resp.status == 200, resp
    assert resp.json() == {"Name": "abc"}


# ---- rest-json -------------------------------------------------------------------------------

def test_rest_echo_binds_uri_query_headers_body(srv):
    c = client(srv, "gyretestrest")
    sent = dict(FULL, Label="arn:aws:thing/with spaces%", Q="q v&x", QList=["1", "two"], QInt=7,
                Hdr="header value", HdrInt=12)
    out = c.echo(**sent)
    body_keys = dict(FULL, Label=sent["Label"], Q="q v&x", QList=["1", "two"], QInt=7)
    check_echo(out, body_keys)
    assert out["OutHdr"] == "header value"
    assert out["OutInt"] == 12
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_rest_payload_status_and_greedy_label(srv):
    c = client(srv, "gyretestrest")
    blob = bytes(range(256)) * 3
    out = c.upload(Key="dir/sub/file.bin", Body=blob)
    assert out["Body"].read() == blob
    assert out["Length"] == len(blob)
    assert out["Key"] == "dir/sub/file.bin"
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert out["Status"] == 201


def test_rest_trailing_slash_and_querystring_ints(srv):
    c = client(srv, "gyretestrest")
    assert c.list(Max=5)["Items"] == ["even", "odd", "even", "odd", "even"]
    resp = srv.signed("GET", "/2026-01-01/echo?max=2", service="gyretestrest")
    assert resp.status == 200, resp
    assert resp.json() == {"Items": ["even", "odd"]}


def test_rest_errors(srv):
    c = client(srv, "gyretestrest")
    with pytest.raises(c.exceptions.NotFound) as e:
        c.fail(Code="NotFound")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert e.value.response["Error"]["Message"] == "Thing t-1 does not exist"
    assert c.fail(Code="fine")["ResponseMetadata"]["HTTPStatusCode"] == 204
    resp = srv.signed("GET", "/2026-01-01/nothing/here", service="gyretestrest")
    assert resp.status == 404
    assert resp.headers["x-amzn-errortype"] == "UnknownOperationException"
    resp = srv.signed("POST", "/2026-01-01/constrained", body=b"{not json",
                      headers={"Content-Type": "application/json"}, service="gyretestrest")
    assert resp.status == 400
    assert resp.headers["x-amzn-errortype"] == "SerializationException"
    c2 = client(srv, "gyretestrest", parameter_validation=False)
    with pytest.raises(ClientError) as e:
        c2.constrained(Name="toolongforthis")
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert "Member must have length less than or equal to 10" in \
        e.value.response["Error"]["Message"]
    resp = srv.raw("GET", "/2026-01-01/echo/")
    assert resp.status == 403
    assert resp.headers["x-amzn-errortype"] == "MissingAuthenticationTokenException"


def test_cli_json_and_rest(srv):
    env = {"AWS_DATA_PATH": MODELS}
    _, out = srv.cli("gyretestjson", "echo", "--str", "from the cli", "--int", "3",
                     "--str-list", "a", "b", "--tags", "k=v", "--time", "2024-01-02T03:04:05Z",
                     extra_env=env)
    assert out["Str"] == "from the cli" and out["Int"] == 3 and out["StrList"] == ["a", "b"]
    assert out["Tags"] == {"k": "v"}
    assert out["Time"].startswith("2024-01-02T03:04:05")
    proc, _ = srv.cli("gyretestjson", "fail", "--code", "NotFound", check=False, extra_env=env)
    assert proc.returncode != 0
    assert "An error occurred (ResourceNotFound) when calling the Fail operation" in proc.stderr
    assert "Thing t-1 does not exist" in proc.stderr
    _, out = srv.cli("gyretestrest", "list", "--max", "1", extra_env=env)
    assert out["Items"] == ["even"]


# ---- query + XML ---------------------------------------------------------------------------

def test_query_echo_every_shape(srv):
    c = client(srv, "gyretestquery")
    sent = dict(FULL, Flat=["f1", "f2"], Renamed="renamed value")
    out = c.echo(**sent)
    check_echo(out, sent)
    assert out["ResponseMetadata"]["HTTPHeaders"]["content-type"] == "text/xml"
    assert len(out["ResponseMetadata"]["RequestId"]) == 52
    # Empty lists travel as "Name=" and come back empty.
    assert c.echo(StrList=[]).get("StrList", []) == []


def test_query_errors(srv):
    c = client(srv, "gyretestquery")
    with pytest.raises(c.exceptions.NotFound) as e:
        c.fail(Code="NotFound")
    r = e.value.response
    assert r["Error"]["Code"] == "ResourceNotFound"
    assert r["Error"]["Type"] == "Sender"
    assert r["Error"]["Message"] == "Thing t-1 does not exist"
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(c.exceptions.Conflict) as e:
        c.fail(Code="Conflict")
    assert e.value.response["Error"]["Message"] == 'Thing is busy <&> "quoted"'
    c2 = client(srv, "gyretestquery", parameter_validation=False)
    with pytest.raises(ClientError) as e:
        c2.constrained(Name="X")
    assert e.value.response["Error"]["Code"] == "ValidationError"
    assert e.value.response["Error"]["Message"].startswith(
        "2 validation errors detected: Value 'X' at 'name' failed to satisfy constraint: Member "
        "must have length greater than or equal to 3")


def form(**params):
    import urllib.parse
    return urllib.parse.urlencode(params).encode()


def test_query_raw_shapes(srv):
    hdrs = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    resp = srv.signed("POST", "/", form(Action="Nope", Version="2026-01-01"), hdrs,
                      service="gyretestquery")
    assert resp.status == 400, resp
    assert b"<Code>InvalidAction</Code>" in resp.body
    assert resp.body.startswith(b"<ErrorResponse")
    resp = srv.signed("POST", "/", b"Action=Echo&Version=2026-01-01&Str=%G1", hdrs,
                      service="gyretestquery")
    assert resp.status == 400 and b"<Code>" in resp.body, resp
    resp = srv.signed("POST", "/", form(Action="Echo", Version="2026-01-01", Int="many"), hdrs,
                      service="gyretestquery")
    assert resp.status == 400 and b"<Code>" in resp.body, resp
    # Unsigned and badly signed requests get query-shaped errors.
    resp = srv.raw("POST", "/", form(Action="Echo", Version="2026-01-01"), hdrs)
    assert resp.status == 403 and b"<Code>MissingAuthenticationToken</Code>" in resp.body, resp
    resp = srv.signed("POST", "/", form(Action="Echo", Version="2026-01-01"), hdrs,
                      service="gyretestquery", secret_key="wrong" * 8)
    assert resp.status == 403 and b"<Code>SignatureDoesNotMatch</Code>" in resp.body, resp
    # GET with the parameters in the URL is the same protocol.
    resp = srv.signed("GET", "/?Action=Echo&Version=2026-01-01&Str=via%20get", b"", {},
                      service="gyretestquery")
    assert resp.status == 200 and b"<Str>via get</Str>" in resp.body, resp


def test_query_cli(srv):
    _, out = srv.cli("gyretestquery", "echo", "--str", "cli", "--flat", "a", "b",
                     "--tags", "x=1,y=2", extra_env={"AWS_DATA_PATH": MODELS})
    assert out["Str"] == "cli" and out["Flat"] == ["a", "b"] and out["Tags"] == {"x": "1", "y": "2"}


# ---- CBOR ----------------------------------------------------------------------------------

def cbor_call(srv, op, doc, kinesis=False, raw=None):
    import cbor2
    body = raw if raw is not None else cbor2.dumps(doc)
    if kinesis:
        hdrs = {"Content-Type": "application/x-amz-cbor-1.1",
                "X-Amz-Target": f"GyreTestJson.{op}"}
        path = "/"
    else:
        hdrs = {"Content-Type": "application/cbor", "Accept": "application/cbor",
                "smithy-protocol": "rpc-v2-cbor"}
        path = f"/service/GyreTestJson/operation/{op}"
    resp = srv.signed("POST", path, body, hdrs, service="gyretestjson")
    return resp, (loads_raw_tags(resp.body) if resp.body else None)


def loads_raw_tags(body):
    """CBOR with tag 1 left as a CBORTag (x-amz-cbor-1.1 puts milliseconds there)."""
    import io
    import cbor2
    import cbor2.decoder as dec
    saved = dec.semantic_decoders[1]
    dec.semantic_decoders[1] = lambda self: cbor2.CBORTag(1, self._decode())
    try:
        return dec.CBORDecoder(io.BytesIO(body)).decode()
    finally:
        dec.semantic_decoders[1] = saved


def test_cbor_rpcv2_echo(srv):
    import cbor2
    doc = {"Str": "héllo", "Int": -42, "Long": 2 ** 62, "Dbl": 0.1, "Bool": True,
           "Time": cbor2.CBORTag(1, 1709210096.5), "Data": b"\x00\xffbytes",
           "StrList": ["a", "b"], "Tags": {"k": "v"},
           "Structs": [{"Name": "n", "Children": [{"Name": "c"}]}]}
    resp, out = cbor_call(srv, "Echo", doc)
    assert resp.status == 200, resp
    assert resp.headers["smithy-protocol"] == "rpc-v2-cbor"
    assert resp.headers["content-type"] == "application/cbor"
    assert out["Str"] == "héllo" and out["Int"] == -42 and out["Bool"] is True
    assert out["Data"] == b"\x00\xffbytes"
    assert out["Time"] == cbor2.CBORTag(1, 1709210096.5)
    assert out["StrList"] == ["a", "b"] and out["Tags"] == {"k": "v"}
    assert out["Structs"][0]["Children"][0]["Name"] == "c"


def test_cbor_amz_echo_and_errors(srv):
    import cbor2
    resp, out = cbor_call(srv, "Echo", {"Str": "k", "Data": b"\x01\x02",
                                        "Time": cbor2.CBORTag(1, 1709210096123)}, kinesis=True)
    assert resp.status == 200, resp
    assert resp.headers["content-type"] == "application/x-amz-cbor-1.1"
    assert out["Data"] == b"\x01\x02"
    assert out["Time"] == cbor2.CBORTag(1, 1709210096123)
    resp, out = cbor_call(srv, "Fail", {"Code": "NotFound"}, kinesis=True)
    assert resp.status == 404
    assert out["__type"] == "NotFound" and out["message"] == "Thing t-1 does not exist"
    assert resp.headers["x-amzn-query-error"] == "ResourceNotFound;Sender"
    resp, out = cbor_call(srv, "Constrained", {"Name": "x"})
    assert resp.status == 400 and out["__type"] == "ValidationException", out
    resp, out = cbor_call(srv, "Nope", {})
    assert resp.status >= 400 and out["__type"] == "UnknownOperationException", out
    for bad in (b"\xbf\x61a", b"\x9f" * 100, b"\x1c", b"\xa1\x01\x02", b"\xa0\xa0",
                b"\x5f\x61a\xff"):
        resp, out = cbor_call(srv, "Echo", None, raw=bad)
        assert resp.status == 400 and out["__type"] == "SerializationException", (bad, out)


def test_json_operation_without_output_answers_empty_body(srv):
    """DynamoDB's TagResource has no output shape: AWS answers 200 with an empty body."""
    table = gyre.unique("tags")
    gyre.create_table(srv.client(), table)
    arn = srv.table_arn(table)
    resp = srv.api("TagResource", {"ResourceArn": arn, "Tags": [{"Key": "k", "Value": "v"}]})
    assert resp.status == 200 and resp.body == b"", resp
    resp = srv.api("UntagResource", {"ResourceArn": arn, "TagKeys": ["k"]})
    assert resp.status == 200 and resp.body == b"", resp
    resp = srv.api("ListTagsOfResource", {"ResourceArn": arn})
    assert resp.status == 200 and resp.json() == {"Tags": []}, resp


def test_services_not_built_answer_in_their_protocol(srv):
    """Real clients of services Gyre does not serve yet get an error they can parse."""
    proc, _ = srv.cli("cloudwatch", "list-metrics", check=False)
    assert proc.returncode != 0
    assert "InvalidAction" in proc.stderr and "invalid XML" not in proc.stderr, proc.stderr
    for name, call in (("lambda", lambda c: c.list_functions()),
                       ("events", lambda c: c.list_rules()),
                       ("logs", lambda c: c.describe_log_groups()),
                       ("cloudformation", lambda c: c.describe_stacks())):
        with pytest.raises(ClientError) as e:
            call(srv.client(name))
        code = e.value.response["Error"]["Code"]
        assert code in ("UnknownOperationException", "InvalidAction"), (name, code)


def test_scope_must_name_the_service(srv):
    """Issue 20 item 11 (service part): a request signed for another service is refused."""
    resp = srv.api("ListTables", {}, service="s3")
    assert resp.status == 400 and resp.error_code == "InvalidSignatureException", resp
    assert resp.message == "Credential should be scoped to correct service: 'dynamodb'. "
    resp = srv.api("ListStreams", {}, target_prefix="DynamoDBStreams_20120810", service="dynamodb")
    assert resp.status == 200, resp
    hdrs = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    resp = srv.signed("POST", "/", b"Action=GetCallerIdentity&Version=2011-06-15", hdrs,
                      service="dynamodb")
    assert resp.status == 403 and b"<Code>SignatureDoesNotMatch</Code>" in resp.body, resp


def test_cbor_rpcv2_with_target_refused(srv):
    import cbor2
    hdrs = {"Content-Type": "application/cbor", "smithy-protocol": "rpc-v2-cbor",
            "X-Amz-Target": "GyreTestJson.Echo"}
    resp = srv.signed("POST", "/service/GyreTestJson/operation/Echo", cbor2.dumps({}), hdrs,
                      service="gyretestjson")
    assert resp.status == 400, resp
    assert loads_raw_tags(resp.body)["__type"] == "SerializationException"

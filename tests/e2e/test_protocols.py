"""test_protocols.py — the protocol layer against the real clients' parsers.

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

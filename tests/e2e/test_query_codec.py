"""test_query_codec.py — Gyre's awsQuery codec (src/aws/query.c, src/aws/xml.c) against the
real client code in Debian's botocore, with no server in between.

Requests: botocore's QuerySerializer encodes parameters exactly as the AWS CLI and boto3 send
them; the C decoder (the tool mode of build/unit/aws/test_query) must turn the body back into
the same values in Gyre's protocol-neutral JSON (timestamps epoch seconds, blobs base64).
Responses: the C encoder writes XML from neutral JSON; botocore's QueryParser, given the real
output shapes, must read back the original values (timestamps, doubles, maps, lists, escaping).
Models: the generated CloudWatch, CloudFormation, STS and IAM tables, plus the unit test's own
model (flattened lists and maps, locationNames), which the tool prints as botocore JSON.
"""

import base64
import datetime
import fcntl
import json
import math
import subprocess
from pathlib import Path

import botocore.session
import pytest
from botocore.awsrequest import AWSRequest
from botocore.model import ServiceModel
from botocore.parsers import QueryParser
from botocore.serialize import QuerySerializer

ROOT = Path(__file__).resolve().parents[2]
TOOL = ROOT / "build" / "unit" / "aws" / "test_query"
UTC = datetime.timezone.utc


@pytest.fixture(scope="module")
def tool():
    # pytest-xdist workers may get here at once: one make at a time.
    (ROOT / "build").mkdir(exist_ok=True)
    with open(ROOT / "build" / ".test_query.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        r = subprocess.run(["make", "-s", "build/unit/aws/test_query"], cwd=ROOT,
                           capture_output=True, timeout=1200)
    assert r.returncode == 0, r.stderr.decode()
    return TOOL


def run(tool, *args, stdin=b""):
    r = subprocess.run([str(tool), *args], input=stdin, capture_output=True, timeout=120)
    assert r.returncode == 0, r.stderr.decode()
    return r.stdout


@pytest.fixture(scope="module")
def test_model(tool):
    return ServiceModel(json.loads(run(tool, "model")), service_name="gyretest")


def real_model(name):
    return botocore.session.get_session().get_service_model(name)


def neutral(shape, v):
    """A botocore value as Gyre's protocol-neutral JSON value."""
    t = shape.type_name
    if t == "structure":
        return {k: neutral(shape.members[k], x) for k, x in v.items()}
    if t == "list":
        return [neutral(shape.member, x) for x in v]
    if t == "map":
        return {k: neutral(shape.value, x) for k, x in v.items()}
    if t == "timestamp":
        return v.timestamp()
    if t == "blob":
        return base64.b64encode(v).decode()
    return v


def form_body(model, op, params):
    """The body botocore sends for op(**params)."""
    request = QuerySerializer().serialize_to_request(params, model.operation_model(op))
    return AWSRequest(method="POST", url="http://h/", data=request["body"]).prepare().body


def decode(tool, svc, model, op, params):
    body = form_body(model, op, params)
    if isinstance(body, str):
        body = body.encode()
    return json.loads(run(tool, "json", svc, op, stdin=body))


def check_request(tool, svc, model, op, params):
    got = decode(tool, svc, model, op, params)
    assert got == neutral(model.operation_model(op).input_shape, params)


def encode_and_parse(tool, svc, model, op, output, request_id="rid-42"):
    shape = model.operation_model(op).output_shape
    tree = neutral(shape, output) if shape is not None else {}
    xml = run(tool, "xml", svc, op, request_id, stdin=json.dumps(tree).encode())
    parsed = QueryParser().parse({"body": xml, "headers": {}, "status_code": 200}, shape)
    assert parsed.pop("ResponseMetadata")["RequestId"] == request_id
    return parsed, xml


def check_response(tool, svc, model, op, output):
    parsed, _ = encode_and_parse(tool, svc, model, op, output)
    assert parsed == output


T0 = datetime.datetime(2024, 1, 1, tzinfo=UTC)
T_MS = datetime.datetime(2024, 2, 29, 23, 59, 58, 123000, tzinfo=UTC)
T_US = datetime.datetime(2024, 1, 1, 0, 0, 0, 123456, tzinfo=UTC)
T_OLD = datetime.datetime(1969, 7, 20, 20, 17, 40, 500000, tzinfo=UTC)

EVERYTHING = {
    "Str": "h\u00e9llo & <x> \"q\" 'a' \u20ac \U0001F600",
    "Int": -5,
    "Long": 2 ** 40 + 1,
    "Dbl": 0.1,
    "Flt": 2.5,
    "Bool": True,
    "Ts": T_MS,
    "TsEpoch": T0,
    "Blob": b"\x00\xffbin",
    "List": ["a", "b"],
    "NamedList": ["x", "y"],
    "FlatList": ["f1", "f2"],
    "FlatNamed": ["t1", "t2"],
    "MemberFlat": ["m"],
    "Structs": [{"Name": "n", "Value": 2.5, "Tags": ["t"]}, {"Name": "m", "Tags": []}],
    "Map": {"k1": "v1", "k 2&": "v2"},
    "NamedMap": {"a": 1, "b": -2},
    "FlatMap": {"x": "y", "z": "w"},
    "MapOfStruct": {"m": {"Name": "q", "Tags": ["u"]}},
    "Renamed": "r",
    "Nested": {"Name": "a", "Value": 1e-3, "Tags": []},
    "Lists": [["a"], ["b", "c"], []],
    "Rec": {"Value": "top", "Child": {"Value": "c", "Child": {"Value": "deep"}}},
}


# ---- requests -------------------------------------------------------------------------------

def test_test_model_request(tool, test_model):
    params = dict(EVERYTHING, Ts=T_US, TsEpoch=T_OLD.replace(microsecond=0))
    check_request(tool, "test", test_model, "Echo", params)


def test_test_model_request_wire_names(tool, test_model):
    body = form_body(test_model, "Echo", EVERYTHING)
    # The names botocore uses for what the real models lack: the decoder relies on them.
    for name in ("renamedName=r", "Thing.2=t2", "FlatList.2=f2", "MemberFlat.1=m",
                 "NamedList.item.2=y", "NamedMap.entry.1.Name=a", "NamedMap.entry.1.Val=1",
                 "FlatMap.2.key=z", "Structs.member.2.Tags=&", "Lists.member.3=&"):
        assert name in body, name


def test_cloudwatch_requests(tool):
    cw = real_model("cloudwatch")
    check_request(tool, "cloudwatch", cw, "PutMetricData", {
        "Namespace": "App/Web \u00e9",
        "MetricData": [
            {"MetricName": "latency", "Dimensions": [{"Name": "host", "Value": "a=b&c"}],
             "Timestamp": T_US, "Value": 1.5, "Unit": "Milliseconds", "StorageResolution": 1},
            {"MetricName": "hist", "Values": [1.0, 2.25, 1e-7], "Counts": [3.0, 1.0, 2.0],
             "StatisticValues": {"SampleCount": 6.0, "Sum": 10.5, "Minimum": 1e-7,
                                 "Maximum": 2.25}},
        ],
    })
    check_request(tool, "cloudwatch", cw, "GetMetricStatistics", {
        "Namespace": "NS", "MetricName": "m", "Dimensions": [{"Name": "d", "Value": "v"}],
        "StartTime": T0, "EndTime": T_MS, "Period": 60, "Statistics": ["Average", "Sum"],
        "ExtendedStatistics": ["p99.9"], "Unit": "Count",
    })
    check_request(tool, "cloudwatch", cw, "PutMetricAlarm", {
        "AlarmName": "a1", "ActionsEnabled": False, "AlarmActions": [], "Threshold": 1.0,
        "EvaluationPeriods": 3, "ComparisonOperator": "GreaterThanThreshold",
        "Metrics": [{"Id": "m1", "ReturnData": True, "MetricStat": {
            "Metric": {"Namespace": "NS", "MetricName": "m",
                       "Dimensions": [{"Name": "d", "Value": "v"}]},
            "Period": 300, "Stat": "Sum"}},
            {"Id": "e1", "Expression": "m1 * 2", "Label": "twice", "ReturnData": False}],
        "Tags": [{"Key": "k", "Value": "v"}],
    })
    check_request(tool, "cloudwatch", cw, "ListMetrics", {"Namespace": "A/B c"})


def test_cloudformation_and_iam_and_sts_requests(tool):
    cfn = real_model("cloudformation")
    check_request(tool, "cloudformation", cfn, "CreateStack", {
        "StackName": "st1",
        "TemplateBody": json.dumps({"Description": "h\u00e9llo w\u00f6rld ~*+ /%&="}),
        "Parameters": [{"ParameterKey": "P1", "ParameterValue": "v1"},
                       {"ParameterKey": "P2", "UsePreviousValue": True}],
        "Capabilities": ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"],
        "NotificationARNs": [],
        "TimeoutInMinutes": 5,
        "Tags": [{"Key": "team", "Value": "db"}],
    })
    sts = real_model("sts")
    check_request(tool, "sts", sts, "AssumeRole", {
        "RoleArn": "arn:aws:iam::000000000000:role/r", "RoleSessionName": "s",
        "DurationSeconds": 900, "PolicyArns": [{"arn": "arn:aws:iam::aws:policy/P"}],
        "Tags": [{"Key": "k", "Value": "v"}], "TransitiveTagKeys": ["k"],
    })
    iam = real_model("iam")
    check_request(tool, "iam", iam, "CreateRole", {
        "RoleName": "r", "Path": "/a/",
        "AssumeRolePolicyDocument": json.dumps({"Version": "2012-10-17", "Statement": []}),
        "MaxSessionDuration": 3600, "Tags": [{"Key": "k", "Value": "v"}],
    })


def test_malformed_requests_are_rejected(tool):
    for body, needle in ((b"Action=ListMetrics&Namespace=%G1", b"percent-encoding"),
                         (b"Action=ListMetrics&Namespace=%FF", b"UTF-8"),
                         (b"Dimensions.member.0.Name=x", b"Invalid index (0)"),
                         (b"RecentlyActive=x&Dimensions.member.abc.Name=x", b"Invalid index")):
        r = subprocess.run([str(tool), "json", "cloudwatch", "ListMetrics"], input=body,
                           capture_output=True, timeout=60)
        assert r.returncode == 1 and needle in r.stderr, (body, r.stderr)


# ---- responses ------------------------------------------------------------------------------

def test_test_model_response(tool, test_model):
    check_response(tool, "test", test_model, "Echo", EVERYTHING)
    check_response(tool, "test", test_model, "Plain", EVERYTHING)
    parsed, xml = encode_and_parse(tool, "test", test_model, "Void", {})
    assert parsed == {} and b"<VoidResponse" in xml


def test_doubles_round_trip_exactly(tool, test_model):
    values = [0.1, 1 / 3, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 1e21,
              1e-7, 123456.789, 2.0 ** 53 + 2, 1704067200.123, -0.0, 100.0, 9007199254740993.0]
    out = {"Structs": [{"Value": v} for v in values]}
    parsed, xml = encode_and_parse(tool, "test", test_model, "Echo", out)
    got = [s["Value"] for s in parsed["Structs"]]
    assert got == values
    assert math.copysign(1.0, got[values.index(-0.0)]) == -1.0
    assert b"<Value>100</Value>" in xml and b"<Value>1e+21</Value>" in xml


def test_text_escaping(tool, test_model):
    tricky = "a\x01b\x1f\r\n\tc\x7f\u0085\u2028 <&>\"' ]]> \ufffd"
    parsed, _ = encode_and_parse(tool, "test", test_model, "Echo",
                                 {"Str": tricky, "Map": {tricky: tricky}})
    # XML 1.0 cannot carry C0 controls other than tab, LF and CR: they become U+FFFD.
    want = tricky.replace("\x01", "\ufffd").replace("\x1f", "\ufffd")
    assert parsed == {"Str": want, "Map": {want: want}}


def test_cloudwatch_responses(tool):
    cw = real_model("cloudwatch")
    check_response(tool, "cloudwatch", cw, "GetMetricStatistics", {
        "Label": "lat",
        "Datapoints": [
            {"Timestamp": T_MS, "SampleCount": 3.0, "Average": 0.1, "Sum": 0.30000000000000004,
             "Minimum": -1e-300, "Maximum": 1e300, "Unit": "Seconds",
             "ExtendedStatistics": {"p99": 1.25, "p50": 0.5}},
            {"Timestamp": T_OLD, "Sum": 7.0, "Unit": "Count"},
        ],
    })
    check_response(tool, "cloudwatch", cw, "GetMetricData", {
        "MetricDataResults": [{"Id": "m1", "Label": "L", "Timestamps": [T0, T_MS],
                               "Values": [1.5, 2.0 / 3], "StatusCode": "Complete",
                               "Messages": [{"Code": "c", "Value": "v"}]}],
        "NextToken": "tok",
        "Messages": [],
    })
    check_response(tool, "cloudwatch", cw, "DescribeAlarms", {
        "MetricAlarms": [{
            "AlarmName": "a1", "AlarmArn": "arn:aws:cloudwatch:us-east-1:0:alarm:a1",
            "ActionsEnabled": True, "OKActions": [], "AlarmActions": ["arn:x"],
            "StateValue": "ALARM", "StateReason": "Threshold Crossed: 1 < 2",
            "StateUpdatedTimestamp": T_MS, "AlarmConfigurationUpdatedTimestamp": T0,
            "MetricName": "m", "Namespace": "NS", "Statistic": "Average",
            "Dimensions": [{"Name": "d", "Value": "v"}], "Period": 60, "EvaluationPeriods": 2,
            "Threshold": 1.5, "ComparisonOperator": "GreaterThanThreshold"}],
        "CompositeAlarms": [],
    })
    parsed, xml = encode_and_parse(tool, "cloudwatch", cw, "PutMetricData", {})
    assert parsed == {}
    assert xml.startswith(b'<PutMetricDataResponse xmlns="http://monitoring.amazonaws.com/')


def test_cloudformation_sts_iam_responses(tool):
    cfn = real_model("cloudformation")
    check_response(tool, "cloudformation", cfn, "DescribeStacks", {"Stacks": [{
        "StackId": "arn:aws:cloudformation:us-east-1:0:stack/st1/1", "StackName": "st1",
        "Description": "d <&>", "Parameters": [{"ParameterKey": "P", "ParameterValue": "v"}],
        "CreationTime": T_MS, "StackStatus": "CREATE_COMPLETE", "DisableRollback": False,
        "Capabilities": ["CAPABILITY_IAM"], "Tags": [{"Key": "k", "Value": "v"}],
        "Outputs": [{"OutputKey": "O", "OutputValue": "x", "ExportName": "e"}],
        "EnableTerminationProtection": True,
        "DriftInformation": {"StackDriftStatus": "NOT_CHECKED"}}]})
    sts = real_model("sts")
    check_response(tool, "sts", sts, "GetCallerIdentity", {
        "UserId": "AKIDEXAMPLE", "Account": "000000000000",
        "Arn": "arn:aws:iam::000000000000:root"})
    check_response(tool, "sts", sts, "AssumeRole", {
        "Credentials": {"AccessKeyId": "ASIA1", "SecretAccessKey": "s/+=", "SessionToken": "t",
                        "Expiration": T_MS},
        "AssumedRoleUser": {"AssumedRoleId": "AROA1:s", "Arn": "arn:aws:sts::0:assumed-role/r/s"},
        "PackedPolicySize": 6})
    iam = real_model("iam")
    check_response(tool, "iam", iam, "GetRole", {"Role": {
        "Path": "/", "RoleName": "r", "RoleId": "AROA1", "Arn": "arn:aws:iam::0:role/r",
        "CreateDate": T0, "AssumeRolePolicyDocument": "%7B%7D", "MaxSessionDuration": 3600,
        "Tags": [{"Key": "k", "Value": "v"}]}})


def test_error_envelope(tool):
    msg = "Stack with id st\u00e9 <1> & \"2\" does not exist"
    xml = run(tool, "error", "http://cloudformation.amazonaws.com/doc/2010-05-15/",
              "ValidationError", stdin=msg.encode())
    parsed = QueryParser().parse({"body": xml, "headers": {}, "status_code": 400}, None)
    assert parsed["Error"] == {"Type": "Sender", "Code": "ValidationError", "Message": msg}
    assert parsed["ResponseMetadata"]["RequestId"] == "rid"

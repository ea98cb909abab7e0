"""Kinesis Data Streams end to end, with Debian's boto3 and AWS CLI.

Streams (provisioned and on-demand), waiters, the even hash-key split, MD5 routing and
ExplicitHashKey, per-shard ordering and sequence numbers, every iterator type, GetRecords
paging, pagination of DescribeStream/ListStreams/ListShards (and the CLI's auto-pagination),
resharding lineage (split, merge, uniform scaling), retention and trimming, tags, enhanced
monitoring, encryption, limits, stream modes, deletion, StreamARN addressing, AWS's errors for
bad input, and acknowledged PutRecords surviving kill -9. Servers with test knobs (short
iterator lifetime, short retention hours, slow status transitions, small shard limits) are
started per test with environment variables."""

import base64
import hashlib
import threading
import time

import pytest

import gyre
from gyre import expect_error

MAX_HASH = 2 ** 128 - 1


@pytest.fixture(scope="module")
def kin(server):
    return server.client("kinesis")


@pytest.fixture(scope="module")
def loose(server):
    """A client that sends what it is given (to reach the server's own validation)."""
    return server.client("kinesis", validate=False)


def kapi(server, op, payload):
    """A raw Kinesis call, for members Debian's botocore model predates (StreamARN on most
    operations, ListStreams' NextToken, CreateStream's Tags)."""
    return server.api(op, payload, target_prefix="Kinesis_20131202", service="kinesis")


def raw_error(resp, code, message=None):
    """A raw Kinesis error: HTTP 400 and the exception name (Kinesis may send the bare code)."""
    assert resp.status == 400, resp
    assert resp.error_code == code, resp
    if message is not None:
        assert resp.message == message, resp.message
    return resp


def start(gyre_factory, monkeypatch, **env):
    for k, v in env.items():
        monkeypatch.setenv(k, str(v))
    srv = gyre_factory()
    for k in env:
        monkeypatch.delenv(k)
    return srv, srv.client("kinesis")


def make_stream(kin, shards=1, name=None, **kw):
    name = name or gyre.unique("ks")
    kin.create_stream(StreamName=name, ShardCount=shards, **kw)
    kin.get_waiter("stream_exists").wait(StreamName=name,
                                         WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    return name


def shards_of(kin, name):
    return kin.list_shards(StreamName=name)["Shards"]


def shard_for(shards, hash_key):
    for s in shards:
        r = s["HashKeyRange"]
        if int(r["StartingHashKey"]) <= hash_key <= int(r["EndingHashKey"]) and \
                "EndingSequenceNumber" not in s["SequenceNumberRange"]:
            return s["ShardId"]
    raise AssertionError(f"no open shard for {hash_key}")


def md5_hash(pk):
    return int.from_bytes(hashlib.md5(pk.encode()).digest(), "big")


def read_all(kin, name, shard_id, kind="TRIM_HORIZON", **kw):
    """Every record of a shard from an iterator type, following NextShardIterator."""
    it = kin.get_shard_iterator(StreamName=name, ShardId=shard_id, ShardIteratorType=kind,
                                **kw)["ShardIterator"]
    out, last = [], None
    for _ in range(1000):
        resp = kin.get_records(ShardIterator=it, Limit=1000)
        out += resp["Records"]
        last = resp
        it = resp.get("NextShardIterator")
        if it is None or (not resp["Records"] and resp["MillisBehindLatest"] == 0):
            break
    return out, last


# ---- streams --------------------------------------------------------------------------------

def test_create_describe_and_even_split(kin, server):
    name = make_stream(kin, 3)
    d = kin.describe_stream(StreamName=name)["StreamDescription"]
    assert d["StreamStatus"] == "ACTIVE"
    assert d["StreamARN"] == f"arn:aws:kinesis:{server.region}:{server.account}:stream/{name}"
    assert d["RetentionPeriodHours"] == 24 and d["HasMoreShards"] is False
    assert d["StreamModeDetails"] == {"StreamMode": "PROVISIONED"}
    assert d["EncryptionType"] == "NONE"
    ids = [s["ShardId"] for s in d["Shards"]]
    assert ids == ["shardId-000000000000", "shardId-000000000001", "shardId-000000000002"]
    ranges = [(int(s["HashKeyRange"]["StartingHashKey"]), int(s["HashKeyRange"]["EndingHashKey"]))
              for s in d["Shards"]]
    step = 2 ** 128 // 3
    assert ranges == [(0, step - 1), (step, 2 * step - 1), (2 * step, MAX_HASH)]
    assert ranges[0][1] == 113427455640312821154458202477256070484
    for s in d["Shards"]:
        start = s["SequenceNumberRange"]["StartingSequenceNumber"]
        assert start.isdigit() and len(start) == 56
        assert "ParentShardId" not in s
    summary = kin.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    assert summary["OpenShardCount"] == 3 and summary["StreamStatus"] == "ACTIVE"
    # Two shards: AWS's split puts the boundary at 2^127.
    two = make_stream(kin, 2)
    r = shards_of(kin, two)
    assert r[0]["HashKeyRange"]["EndingHashKey"] == str(2 ** 127 - 1)
    assert r[1]["HashKeyRange"]["StartingHashKey"] == str(2 ** 127)


def test_on_demand_starts_with_four_shards(kin):
    name = gyre.unique("od")
    kin.create_stream(StreamName=name, StreamModeDetails={"StreamMode": "ON_DEMAND"})
    kin.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 1})
    s = kin.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    assert s["StreamModeDetails"] == {"StreamMode": "ON_DEMAND"} and s["OpenShardCount"] == 4
    expect_error(kin.split_shard, StreamName=name, ShardToSplit="shardId-000000000000",
                 NewStartingHashKey=str(2 ** 125), code="ValidationException")
    limits = kin.describe_limits()
    assert limits["OnDemandStreamCount"] >= 1 and limits["OnDemandStreamCountLimit"] == 50
    kin.update_stream_mode(StreamARN=s["StreamARN"],
                           StreamModeDetails={"StreamMode": "PROVISIONED"})
    s = kin.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    assert s["StreamModeDetails"] == {"StreamMode": "PROVISIONED"}


def test_cli_create_wait_put_get_delete(server):
    name = gyre.unique("cli")
    server.cli("kinesis", "create-stream", "--stream-name", name, "--shard-count", "2")
    server.cli("kinesis", "wait", "stream-exists", "--stream-name", name)
    _, out = server.cli("kinesis", "put-record", "--stream-name", name, "--partition-key", "k",
                        "--data", base64.b64encode(b"from the cli").decode())
    assert out["ShardId"].startswith("shardId-") and len(out["SequenceNumber"]) == 56
    _, it = server.cli("kinesis", "get-shard-iterator", "--stream-name", name, "--shard-id",
                       out["ShardId"], "--shard-iterator-type", "AT_SEQUENCE_NUMBER",
                       "--starting-sequence-number", out["SequenceNumber"])
    _, recs = server.cli("kinesis", "get-records", "--shard-iterator", it["ShardIterator"])
    assert [base64.b64decode(r["Data"]) for r in recs["Records"]] == [b"from the cli"]
    _, page = server.cli("kinesis", "list-shards", "--stream-name", name, "--max-results", "1")
    assert len(page["Shards"]) == 1 and page["NextToken"]
    _, rest = server.cli("kinesis", "list-shards", "--next-token", page["NextToken"])
    assert [s["ShardId"] for s in rest["Shards"]] == ["shardId-000000000001"]
    _, desc = server.cli("kinesis", "describe-stream", "--stream-name", name)
    assert desc["StreamDescription"]["StreamStatus"] == "ACTIVE"
    server.cli("kinesis", "delete-stream", "--stream-name", name)
    server.cli("kinesis", "wait", "stream-not-exists", "--stream-name", name)
    proc, _ = server.cli("kinesis", "describe-stream", "--stream-name", name, check=False)
    assert proc.returncode != 0 and "ResourceNotFoundException" in proc.stderr


def test_bad_names_counts_and_duplicates(kin, loose):
    expect_error(loose.create_stream, StreamName="x" * 129, ShardCount=1,
                 code="ValidationException",
                 message=f"1 validation error detected: Value '{'x' * 129}' at 'streamName' failed "
                         "to satisfy constraint: Member must have length less than or equal to 128")
    expect_error(loose.create_stream, StreamName="bad name!", ShardCount=1,
                 code="ValidationException",
                 message="1 validation error detected: Value 'bad name!' at 'streamName' failed to "
                         "satisfy constraint: Member must satisfy regular expression pattern: "
                         "[a-zA-Z0-9_.-]+")
    err = expect_error(loose.create_stream, StreamName="", ShardCount=0,
                       code="ValidationException")
    msg = err.response["Error"]["Message"]
    assert " validation errors detected: " in msg and "at 'streamName'" in msg and \
        "at 'shardCount'" in msg
    expect_error(loose.create_stream, StreamName="ok", ShardCount=0, code="ValidationException",
                 message="1 validation error detected: Value '0' at 'shardCount' failed to "
                         "satisfy constraint: Member must have value greater than or equal to 1")
    expect_error(loose.create_stream, StreamName=gyre.unique("nc"), code="InvalidArgumentException")
    name = make_stream(kin, 1)
    expect_error(kin.create_stream, StreamName=name, ShardCount=1, code="ResourceInUseException",
                 message=f"Stream {name} under account 000000000000 already exists.")
    expect_error(kin.describe_stream, StreamName="no-such-stream",
                 code="ResourceNotFoundException",
                 message="Stream no-such-stream under account 000000000000 not found.")
    expect_error(kin.put_record, StreamName="no-such-stream", Data=b"x", PartitionKey="k",
                 code="ResourceNotFoundException")
    # The server keeps serving after all that.
    assert kin.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]


def test_stream_arn_addressing(kin, server):
    name = make_stream(kin, 1)
    arn = f"arn:aws:kinesis:{server.region}:{server.account}:stream/{name}"
    r = kapi(server, "DescribeStream", {"StreamARN": arn})
    assert r.status == 200 and r.json()["StreamDescription"]["StreamName"] == name
    r = kapi(server, "PutRecord", {"StreamARN": arn, "Data": "YQ==", "PartitionKey": "k"})
    assert r.status == 200
    r = kapi(server, "GetShardIterator", {"StreamARN": arn, "ShardId": r.json()["ShardId"],
                                          "ShardIteratorType": "TRIM_HORIZON"})
    it = r.json()["ShardIterator"]
    assert [x["Data"] for x in kin.get_records(ShardIterator=it)["Records"]] == [b"a"]
    r = kapi(server, "DescribeStreamSummary", {"StreamARN": arn, "StreamName": name})
    assert r.json()["StreamDescriptionSummary"]["OpenShardCount"] == 1
    other = f"arn:aws:kinesis:ap-south-1:{server.account}:stream/{name}"
    raw_error(kapi(server, "DescribeStream", {"StreamARN": other}),
                          "ResourceNotFoundException",
                          message=f"Stream {name} under account {server.account} not found.")
    raw_error(kapi(server, "DescribeStream", {"StreamARN": arn, "StreamName": "x"}),
                          "InvalidArgumentException")
    raw_error(kapi(server, "DescribeStream", {"StreamARN": "arn:aws:kinesis:nope"}),
                          "ValidationException")
    raw_error(kapi(server, "DescribeStream", {}), "InvalidArgumentException")


def test_limits_and_shard_limit(gyre_factory, monkeypatch):
    srv, kin = start(gyre_factory, monkeypatch, GYRE_KINESIS_SHARD_LIMIT=5)
    make_stream(kin, 3)
    lim = kin.describe_limits()
    assert lim["ShardLimit"] == 5 and lim["OpenShardCount"] == 3
    err = expect_error(kin.create_stream, StreamName="more", ShardCount=3,
                       code="LimitExceededException")
    assert "This request would exceed the shard limit for the account 000000000000" in \
        err.response["Error"]["Message"]
    expect_error(kin.create_stream, StreamName="huge", ShardCount=6, code="LimitExceededException")
    make_stream(kin, 2)
    assert kin.describe_limits()["OpenShardCount"] == 5


def test_status_transitions(gyre_factory, monkeypatch):
    srv, kin = start(gyre_factory, monkeypatch, GYRE_KINESIS_TRANSITION_MS=1500)
    kin.create_stream(StreamName="slow", ShardCount=1)
    assert kin.describe_stream_summary(StreamName="slow")["StreamDescriptionSummary"][
        "StreamStatus"] == "CREATING"
    expect_error(kin.put_record, StreamName="slow", Data=b"x", PartitionKey="k",
                 code="ResourceNotFoundException")
    expect_error(kin.increase_stream_retention_period, StreamName="slow",
                 RetentionPeriodHours=48, code="ResourceInUseException",
                 message="Stream slow under account 000000000000 not ACTIVE, instead in state "
                         "CREATING")
    kin.get_waiter("stream_exists").wait(StreamName="slow",
                                         WaiterConfig={"Delay": 1, "MaxAttempts": 20})
    kin.split_shard(StreamName="slow", ShardToSplit="shardId-000000000000",
                    NewStartingHashKey=str(2 ** 127))
    assert kin.describe_stream_summary(StreamName="slow")["StreamDescriptionSummary"][
        "StreamStatus"] == "UPDATING"
    # Reads and writes keep working while UPDATING.
    kin.put_record(StreamName="slow", Data=b"during", PartitionKey="k")
    expect_error(kin.merge_shards, StreamName="slow", ShardToMerge="shardId-000000000001",
                 AdjacentShardToMerge="shardId-000000000002", code="ResourceInUseException")
    kin.get_waiter("stream_exists").wait(StreamName="slow",
                                         WaiterConfig={"Delay": 1, "MaxAttempts": 20})
    kin.delete_stream(StreamName="slow")
    assert kin.describe_stream_summary(StreamName="slow")["StreamDescriptionSummary"][
        "StreamStatus"] in ("DELETING",)
    kin.get_waiter("stream_not_exists").wait(StreamName="slow",
                                             WaiterConfig={"Delay": 1, "MaxAttempts": 20})


# ---- records --------------------------------------------------------------------------------

def test_md5_routing_and_per_shard_order(kin):
    name = make_stream(kin, 4)
    shards = shards_of(kin, name)
    sent = {}
    for i in range(60):
        pk = f"key-{i % 7}"
        out = kin.put_record(StreamName=name, Data=f"r{i}".encode(), PartitionKey=pk)
        assert out["ShardId"] == shard_for(shards, md5_hash(pk))
        sent.setdefault(out["ShardId"], []).append((int(out["SequenceNumber"]), f"r{i}".encode()))
    seen = set()
    for shard_id, recs in sent.items():
        seqs = [s for s, _ in recs]
        assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
        got, _ = read_all(kin, name, shard_id)
        assert [(int(r["SequenceNumber"]), r["Data"]) for r in got] == recs
        for r in got:
            assert r["SequenceNumber"] not in seen  # unique across shards too
            seen.add(r["SequenceNumber"])
            assert r["ApproximateArrivalTimestamp"].year >= 2024


def test_explicit_hash_key(kin, loose):
    name = make_stream(kin, 2)
    shards = shards_of(kin, name)
    for h in (0, 2 ** 127 - 1, 2 ** 127, MAX_HASH):
        out = kin.put_record(StreamName=name, Data=b"e", PartitionKey="ignored",
                             ExplicitHashKey=str(h))
        assert out["ShardId"] == shard_for(shards, h)
    expect_error(kin.put_record, StreamName=name, Data=b"e", PartitionKey="k",
                 ExplicitHashKey=str(2 ** 128), code="InvalidArgumentException",
                 message="Invalid ExplicitHashKey. ExplicitHashKey must be in the range: "
                         f"[0, 2^128-1]. Specified value was {2 ** 128}")
    expect_error(loose.put_record, StreamName=name, Data=b"e", PartitionKey="k",
                 ExplicitHashKey="-1", code="ValidationException")
    expect_error(loose.put_record, StreamName=name, Data=b"e", PartitionKey="k",
                 ExplicitHashKey="1" * 40, code="ValidationException",
                 contains="Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})")
    res = kin.put_records(StreamName=name, Records=[
        {"Data": b"a", "PartitionKey": "p", "ExplicitHashKey": "0"},
        {"Data": b"b", "PartitionKey": "p", "ExplicitHashKey": str(MAX_HASH)}])
    assert [r["ShardId"] for r in res["Records"]] == ["shardId-000000000000",
                                                      "shardId-000000000001"]


def test_record_and_key_sizes(kin, loose):
    name = make_stream(kin, 1)
    expect_error(loose.put_record, StreamName=name, Data=b"x", PartitionKey="k" * 257,
                 code="ValidationException",
                 contains="at 'partitionKey' failed to satisfy constraint: Member must have "
                          "length less than or equal to 256")
    kin.put_record(StreamName=name, Data=b"x", PartitionKey="k" * 256)
    expect_error(loose.put_record, StreamName=name, Data=b"x" * (1024 * 1024 + 1),
                 PartitionKey="k", code="ValidationException",
                 contains="at 'data' failed to satisfy constraint: Member must have length less "
                          "than or equal to 1048576")
    big = kin.put_record(StreamName=name, Data=b"y" * (1024 * 1024), PartitionKey="k")
    it = kin.get_shard_iterator(StreamName=name, ShardId=big["ShardId"],
                                ShardIteratorType="AT_SEQUENCE_NUMBER",
                                StartingSequenceNumber=big["SequenceNumber"])["ShardIterator"]
    assert kin.get_records(ShardIterator=it, Limit=1)["Records"][0]["Data"] == b"y" * (1024 * 1024)
    expect_error(loose.put_record, StreamName=name, Data=b"x", PartitionKey="",
                 code="ValidationException")
    expect_error(loose.put_records, StreamName=name,
                 Records=[{"Data": b"x", "PartitionKey": "k"}] * 501,
                 code="ValidationException",
                 contains="at 'records' failed to satisfy constraint: Member must have length "
                          "less than or equal to 500")
    expect_error(loose.put_records, StreamName=name, Records=[], code="ValidationException")
    expect_error(kin.put_records, StreamName=name,
                 Records=[{"Data": b"z" * (1024 * 1024), "PartitionKey": "k"}] * 6,
                 code="InvalidArgumentException")
    expect_error(loose.put_records, StreamName=name,
                 Records=[{"Data": b"x", "PartitionKey": "k"}, {"Data": b"x"}],
                 code="ValidationException",
                 message="1 validation error detected: Value null at 'records.2.member."
                         "partitionKey' failed to satisfy constraint: Member must not be null")


def test_put_records_results_and_ordering(kin):
    name = make_stream(kin, 3)
    recs = [{"Data": f"{i:04d}".encode(), "PartitionKey": f"p{i % 5}"} for i in range(500)]
    res = kin.put_records(StreamName=name, Records=recs)
    assert res["FailedRecordCount"] == 0 and len(res["Records"]) == 500
    by_shard = {}
    for rec, out in zip(recs, res["Records"]):
        assert "ErrorCode" not in out
        by_shard.setdefault(out["ShardId"], []).append((out["SequenceNumber"], rec["Data"]))
    for shard_id, expect in by_shard.items():
        got, _ = read_all(kin, name, shard_id)
        assert [(r["SequenceNumber"], r["Data"]) for r in got] == expect
    # SequenceNumberForOrdering: each next record sorts after the one named.
    first = kin.put_record(StreamName=name, Data=b"o1", PartitionKey="ord")
    second = kin.put_record(StreamName=name, Data=b"o2", PartitionKey="ord",
                            SequenceNumberForOrdering=first["SequenceNumber"])
    assert int(second["SequenceNumber"]) > int(first["SequenceNumber"])
    expect_error(kin.put_record, StreamName=name, Data=b"o3", PartitionKey="ord",
                 SequenceNumberForOrdering="12345", code="InvalidArgumentException",
                 message=f"ExclusiveMinimumSequenceNumber 12345 used in PutRecord on stream "
                         f"{name} under account 000000000000 is invalid.")


def test_iterator_types(kin):
    name = make_stream(kin, 1)
    sid = "shardId-000000000000"
    outs = [kin.put_record(StreamName=name, Data=f"a{i}".encode(), PartitionKey="k")
            for i in range(5)]
    latest = kin.get_shard_iterator(StreamName=name, ShardId=sid,
                                    ShardIteratorType="LATEST")["ShardIterator"]
    # botocore sends Timestamp in whole seconds: start the later records in a new second.
    mark = int(time.time()) + 1
    time.sleep(mark - time.time() + 0.05)
    later = [kin.put_record(StreamName=name, Data=f"b{i}".encode(), PartitionKey="k")
             for i in range(3)]
    data = lambda recs: [r["Data"] for r in recs]  # noqa: E731
    assert data(kin.get_records(ShardIterator=latest)["Records"]) == [b"b0", b"b1", b"b2"]
    got, _ = read_all(kin, name, sid)
    assert data(got) == [b"a0", b"a1", b"a2", b"a3", b"a4", b"b0", b"b1", b"b2"]
    got, _ = read_all(kin, name, sid, "AT_SEQUENCE_NUMBER",
                      StartingSequenceNumber=outs[3]["SequenceNumber"])
    assert data(got)[:2] == [b"a3", b"a4"]
    got, _ = read_all(kin, name, sid, "AFTER_SEQUENCE_NUMBER",
                      StartingSequenceNumber=outs[3]["SequenceNumber"])
    assert data(got)[:2] == [b"a4", b"b0"]
    got, _ = read_all(kin, name, sid, "AT_TIMESTAMP", Timestamp=mark)
    assert data(got) == [b"b0", b"b1", b"b2"]
    got, _ = read_all(kin, name, sid, "AT_TIMESTAMP", Timestamp=mark - 3600)
    assert len(got) == 8
    assert later[0]["SequenceNumber"] > outs[-1]["SequenceNumber"]
    # Paging with Limit.
    it = kin.get_shard_iterator(StreamName=name, ShardId=sid,
                                ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    pages = []
    for _ in range(5):
        r = kin.get_records(ShardIterator=it, Limit=3)
        pages.append(data(r["Records"]))
        it = r["NextShardIterator"]
        assert r["MillisBehindLatest"] >= 0
    assert pages[:3] == [[b"a0", b"a1", b"a2"], [b"a3", b"a4", b"b0"], [b"b1", b"b2"]]
    assert r["MillisBehindLatest"] == 0 and r["Records"] == []


def test_iterator_errors(kin, loose):
    name = make_stream(kin, 2)
    a = kin.put_record(StreamName=name, Data=b"x", PartitionKey="k", ExplicitHashKey="0")
    b = kin.put_record(StreamName=name, Data=b"x", PartitionKey="k", ExplicitHashKey=str(MAX_HASH))
    expect_error(kin.get_shard_iterator, StreamName=name, ShardId="shardId-000000000000",
                 ShardIteratorType="AT_SEQUENCE_NUMBER",
                 StartingSequenceNumber=b["SequenceNumber"], code="InvalidArgumentException",
                 message="Invalid StartingSequenceNumber. It encodes shardId-000000000001, while "
                         "it was used in a call to a shard with shardId-000000000000")
    expect_error(kin.get_shard_iterator, StreamName=name, ShardId="shardId-000000000000",
                 ShardIteratorType="TRIM_HORIZON", StartingSequenceNumber=a["SequenceNumber"],
                 code="InvalidArgumentException",
                 message="Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and "
                         "StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no "
                         "StartingSequenceNumber. Request specified TRIM_HORIZON and also a "
                         "StartingSequenceNumber.")
    expect_error(kin.get_shard_iterator, StreamName=name, ShardId="shardId-000000000000",
                 ShardIteratorType="AT_SEQUENCE_NUMBER", code="InvalidArgumentException",
                 contains="Request specified AT_SEQUENCE_NUMBER and no StartingSequenceNumber.")
    expect_error(kin.get_shard_iterator, StreamName=name, ShardId="shardId-000000000000",
                 ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber="1234",
                 code="InvalidArgumentException",
                 message=f"StartingSequenceNumber 1234 used in GetShardIterator on shard "
                         f"shardId-000000000000 in stream {name} under account 000000000000 is "
                         f"invalid.")
    expect_error(kin.get_shard_iterator, StreamName=name, ShardId="shardId-000000000000",
                 ShardIteratorType="AT_TIMESTAMP", code="InvalidArgumentException",
                 message="Must specify timestampInMillis parameter for iterator of type "
                         "AT_TIMESTAMP. Current request has no timestamp parameter.")
    expect_error(kin.get_shard_iterator, StreamName=name, ShardId="shardId-000000000009",
                 ShardIteratorType="LATEST", code="ResourceNotFoundException",
                 message=f"Shard shardId-000000000009 in stream {name} under account "
                         f"000000000000 does not exist")
    expect_error(loose.get_shard_iterator, StreamName=name, ShardId="shardId-000000000000",
                 ShardIteratorType="SOMETIMES", code="ValidationException")
    it = kin.get_shard_iterator(StreamName=name, ShardId="shardId-000000000000",
                                ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    forged = it[:20] + ("A" if it[20] != "A" else "B") + it[21:]
    expect_error(kin.get_records, ShardIterator=forged, code="InvalidArgumentException",
                 message="Invalid ShardIterator.")
    expect_error(kin.get_records, ShardIterator="not-an-iterator", code="InvalidArgumentException",
                 message="Invalid ShardIterator.")
    expect_error(loose.get_records, ShardIterator=it, Limit=0, code="ValidationException")
    # The model caps Limit at 10000 (validated before the operation runs).
    expect_error(loose.get_records, ShardIterator=it, Limit=10001, code="ValidationException",
                 contains="Member must have value less than or equal to 10000")
    assert kin.get_records(ShardIterator=it, Limit=10000)["Records"][0]["Data"] == b"x"


def test_iterator_expiry(gyre_factory, monkeypatch):
    srv, kin = start(gyre_factory, monkeypatch, GYRE_KINESIS_ITERATOR_TTL_MS=300)
    make_stream(kin, 1, name="exp")
    it = kin.get_shard_iterator(StreamName="exp", ShardId="shardId-000000000000",
                                ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    assert kin.get_records(ShardIterator=it)["Records"] == []
    time.sleep(0.5)
    expect_error(kin.get_records, ShardIterator=it, code="ExpiredIteratorException",
                 startswith="Iterator expired. The iterator was created at time ",
                 contains="which is further in the future than the tolerated delay of 300 "
                          "milliseconds.")
    # A fresh iterator from the same shard works.
    it = kin.get_shard_iterator(StreamName="exp", ShardId="shardId-000000000000",
                                ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    assert "NextShardIterator" in kin.get_records(ShardIterator=it)


def test_deleted_stream(kin):
    name = make_stream(kin, 1)
    kin.put_record(StreamName=name, Data=b"x", PartitionKey="k")
    it = kin.get_shard_iterator(StreamName=name, ShardId="shardId-000000000000",
                                ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    kin.delete_stream(StreamName=name)
    kin.get_waiter("stream_not_exists").wait(StreamName=name, WaiterConfig={"Delay": 1})
    expect_error(kin.put_record, StreamName=name, Data=b"x", PartitionKey="k",
                 code="ResourceNotFoundException")
    expect_error(kin.get_records, ShardIterator=it, code="ResourceNotFoundException")
    expect_error(kin.delete_stream, StreamName=name, code="ResourceNotFoundException")
    # The name can be used again, and the new stream starts empty.
    make_stream(kin, 1, name=name)
    got, _ = read_all(kin, name, "shardId-000000000000")
    assert got == []
    expect_error(kin.get_records, ShardIterator=it, code="ResourceNotFoundException")


# ---- pagination -----------------------------------------------------------------------------

def test_describe_stream_and_list_shards_pagination(kin):
    name = make_stream(kin, 7)
    d = kin.describe_stream(StreamName=name, Limit=3)["StreamDescription"]
    assert [s["ShardId"][-1] for s in d["Shards"]] == ["0", "1", "2"] and d["HasMoreShards"]
    d = kin.describe_stream(StreamName=name, Limit=3,
                            ExclusiveStartShardId="shardId-000000000005")["StreamDescription"]
    assert [s["ShardId"][-1] for s in d["Shards"]] == ["6"] and not d["HasMoreShards"]
    page = kin.list_shards(StreamName=name, MaxResults=4)
    assert len(page["Shards"]) == 4 and "NextToken" in page
    rest = kin.list_shards(NextToken=page["NextToken"], MaxResults=4)
    assert [s["ShardId"] for s in rest["Shards"]] == [f"shardId-00000000000{i}" for i in (4, 5, 6)]
    assert "NextToken" not in rest
    expect_error(kin.list_shards, StreamName=name, NextToken=page["NextToken"],
                 code="InvalidArgumentException")
    expect_error(kin.list_shards, NextToken=page["NextToken"][:-2] + "AA",
                 code="InvalidArgumentException")
    after = kin.list_shards(StreamName=name, ExclusiveStartShardId="shardId-000000000004")
    assert [s["ShardId"][-1] for s in after["Shards"]] == ["5", "6"]
    filt = kin.list_shards(StreamName=name, ShardFilter={"Type": "AFTER_SHARD_ID",
                                                          "ShardId": "shardId-000000000005"})
    assert [s["ShardId"][-1] for s in filt["Shards"]] == ["6"]
    # boto3's paginator repeats StreamName with NextToken, which AWS refuses (botocore #2009).
    pages = kin.get_paginator("list_shards").paginate(StreamName=name,
                                                       PaginationConfig={"PageSize": 2})
    expect_error(lambda: [p for p in pages], code="InvalidArgumentException",
                 message="NextToken and StreamName cannot be provided together.")
    expect_error(kin.list_shards, NextToken=page["NextToken"], MaxResults=4,
                 ShardFilter={"Type": "AT_LATEST"}, code="InvalidArgumentException",
                 message="NextToken and ShardFilter cannot be provided together.")


def test_list_streams_pagination(kin, server):
    prefix = gyre.unique("ls")
    names = [f"{prefix}-{i}" for i in range(5)]
    for n in names:
        kin.create_stream(StreamName=n, ShardCount=1)
    first = kin.list_streams(ExclusiveStartStreamName=f"{prefix}-", Limit=2)
    assert first["StreamNames"] == names[:2] and first["HasMoreStreams"]
    first_raw = kapi(server, "ListStreams", {"ExclusiveStartStreamName": f"{prefix}-",
                                             "Limit": 2}).json()
    assert [s["StreamName"] for s in first_raw["StreamSummaries"]] == names[:2]
    assert first_raw["StreamSummaries"][0]["StreamModeDetails"] == {"StreamMode": "PROVISIONED"}
    assert first_raw["StreamSummaries"][0]["StreamStatus"] == "ACTIVE"
    nxt = kapi(server, "ListStreams", {"NextToken": first_raw["NextToken"], "Limit": 2}).json()
    assert nxt["StreamNames"] == names[2:4]
    everything = []
    for p in kin.get_paginator("list_streams").paginate(PaginationConfig={"PageSize": 3}):
        everything += p["StreamNames"]
    assert all(n in everything for n in names) and everything == sorted(everything)
    raw_error(kapi(server, "ListStreams", {"NextToken": "garbage"}),
                          "InvalidArgumentException")


# ---- resharding -----------------------------------------------------------------------------

def test_split_merge_lineage(kin):
    name = make_stream(kin, 1)
    before = [kin.put_record(StreamName=name, Data=f"p{i}".encode(), PartitionKey=f"k{i}")
              for i in range(10)]
    kin.split_shard(StreamName=name, ShardToSplit="shardId-000000000000",
                    NewStartingHashKey=str(2 ** 127))
    kin.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 1})
    shards = {s["ShardId"]: s for s in shards_of(kin, name)}
    parent = shards["shardId-000000000000"]
    assert "EndingSequenceNumber" in parent["SequenceNumberRange"]
    assert int(parent["SequenceNumberRange"]["EndingSequenceNumber"]) >= \
        max(int(o["SequenceNumber"]) for o in before)
    a, b = shards["shardId-000000000001"], shards["shardId-000000000002"]
    assert a["ParentShardId"] == b["ParentShardId"] == "shardId-000000000000"
    assert a["HashKeyRange"] == {"StartingHashKey": "0", "EndingHashKey": str(2 ** 127 - 1)}
    assert b["HashKeyRange"] == {"StartingHashKey": str(2 ** 127), "EndingHashKey": str(MAX_HASH)}
    after = [kin.put_record(StreamName=name, Data=f"c{i}".encode(), PartitionKey=f"k{i}")
             for i in range(10)]
    for i, o in enumerate(after):
        assert o["ShardId"] == ("shardId-000000000001" if md5_hash(f"k{i}") < 2 ** 127
                                else "shardId-000000000002")
    # The parent drains: its records, then no NextShardIterator and its children.
    got, last = read_all(kin, name, "shardId-000000000000")
    assert [r["Data"] for r in got] == [f"p{i}".encode() for i in range(10)]
    assert "NextShardIterator" not in last
    assert sorted(c["ShardId"] for c in last["ChildShards"]) == ["shardId-000000000001",
                                                                 "shardId-000000000002"]
    assert all(c["ParentShards"] == ["shardId-000000000000"] for c in last["ChildShards"])
    # LATEST on a closed shard still hands out an iterator that ends at once.
    it = kin.get_shard_iterator(StreamName=name, ShardId="shardId-000000000000",
                                ShardIteratorType="LATEST")["ShardIterator"]
    end = kin.get_records(ShardIterator=it)
    assert end["Records"] == [] and "NextShardIterator" not in end and end["ChildShards"]
    # Errors.
    expect_error(kin.split_shard, StreamName=name, ShardToSplit="shardId-000000000000",
                 NewStartingHashKey="5", code="ResourceInUseException")
    expect_error(kin.split_shard, StreamName=name, ShardToSplit="shardId-000000000001",
                 NewStartingHashKey="1", code="InvalidArgumentException",
                 startswith="NewStartingHashKey 1 used in SplitShard() on shard "
                            "shardId-000000000001 in stream ")
    expect_error(kin.split_shard, StreamName=name, ShardToSplit="shardId-000000000042",
                 NewStartingHashKey="100", code="ResourceNotFoundException",
                 message=f"Could not find shard shardId-000000000042 in stream {name} under "
                         f"account 000000000000.")
    # Merge the two children back.
    kin.merge_shards(StreamName=name, ShardToMerge="shardId-000000000001",
                     AdjacentShardToMerge="shardId-000000000002")
    kin.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 1})
    shards = {s["ShardId"]: s for s in shards_of(kin, name)}
    m = shards["shardId-000000000003"]
    assert m["ParentShardId"] == "shardId-000000000001"
    assert m["AdjacentParentShardId"] == "shardId-000000000002"
    assert m["HashKeyRange"] == {"StartingHashKey": "0", "EndingHashKey": str(MAX_HASH)}
    open_ids = [s["ShardId"] for s in kin.list_shards(
        StreamName=name, ShardFilter={"Type": "AT_LATEST"})["Shards"]]
    assert open_ids == ["shardId-000000000003"]
    horizon = [s["ShardId"] for s in kin.list_shards(
        StreamName=name, ShardFilter={"Type": "AT_TRIM_HORIZON"})["Shards"]]
    assert horizon == ["shardId-000000000000"]
    assert kin.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"][
        "OpenShardCount"] == 1
    assert kin.put_record(StreamName=name, Data=b"m", PartitionKey="x")["ShardId"] == \
        "shardId-000000000003"


def test_merge_errors(kin):
    name = make_stream(kin, 3)
    expect_error(kin.merge_shards, StreamName=name, ShardToMerge="shardId-000000000000",
                 AdjacentShardToMerge="shardId-000000000002", code="InvalidArgumentException",
                 message=f"Shards shardId-000000000000 and shardId-000000000002 in stream {name} "
                         f"under account 000000000000 are not an adjacent pair of shards "
                         f"eligible for merging")


def test_update_shard_count(kin):
    name = make_stream(kin, 2)
    out = kin.update_shard_count(StreamName=name, TargetShardCount=4,
                                 ScalingType="UNIFORM_SCALING")
    assert out["CurrentShardCount"] == 2 and out["TargetShardCount"] == 4
    kin.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 1})
    open_shards = kin.list_shards(StreamName=name, ShardFilter={"Type": "AT_LATEST"})["Shards"]
    assert len(open_shards) == 4
    step = 2 ** 128 // 4
    assert [int(s["HashKeyRange"]["StartingHashKey"]) for s in open_shards] == \
        [0, step, 2 * step, 3 * step]
    assert [s["ParentShardId"] for s in open_shards] == [
        "shardId-000000000000", "shardId-000000000000", "shardId-000000000001",
        "shardId-000000000001"]
    expect_error(kin.update_shard_count, StreamName=name, TargetShardCount=9,
                 ScalingType="UNIFORM_SCALING", code="LimitExceededException",
                 message="UpdateShardCount cannot scale up over double your current open shard "
                         "count. Current open shard count: 4, Target shard count: 9")
    expect_error(kin.update_shard_count, StreamName=name, TargetShardCount=1,
                 ScalingType="UNIFORM_SCALING", code="LimitExceededException",
                 startswith="UpdateShardCount cannot scale down below half")
    out = kin.update_shard_count(StreamName=name, TargetShardCount=3,
                                 ScalingType="UNIFORM_SCALING")
    assert out["CurrentShardCount"] == 4
    three = kin.list_shards(StreamName=name, ShardFilter={"Type": "AT_LATEST"})["Shards"]
    assert len(three) == 3 and all("ParentShardId" in s for s in three)
    assert three[1]["AdjacentParentShardId"] != three[1]["ParentShardId"]
    for i in range(20):
        kin.put_record(StreamName=name, Data=b"s", PartitionKey=f"q{i}")


def test_update_shard_count_intermediate_shards(kin):
    # 5 -> 3: the middle child overlaps three old shards; lineage names two parents per shard,
    # so a short-lived merge shard of old shards 1 and 2 stands between them and the child.
    name = make_stream(kin, 5)
    for i in range(30):
        kin.put_record(StreamName=name, Data=f"old{i}".encode(), PartitionKey=f"k{i}")
    kin.update_shard_count(StreamName=name, TargetShardCount=3, ScalingType="UNIFORM_SCALING")
    shards = {s["ShardId"]: s for s in shards_of(kin, name)}
    open_ids = [s["ShardId"] for s in kin.list_shards(
        StreamName=name, ShardFilter={"Type": "AT_LATEST"})["Shards"]]
    assert len(open_ids) == 3
    first, middle, last = (shards[i] for i in open_ids)
    assert (first["ParentShardId"], first["AdjacentParentShardId"]) == (
        "shardId-000000000000", "shardId-000000000001")
    mid = shards[middle["ParentShardId"]]
    assert middle["AdjacentParentShardId"] == "shardId-000000000003"
    assert (mid["ParentShardId"], mid["AdjacentParentShardId"]) == (
        "shardId-000000000001", "shardId-000000000002")
    assert "EndingSequenceNumber" in mid["SequenceNumberRange"]
    assert (last["ParentShardId"], last["AdjacentParentShardId"]) == (
        "shardId-000000000003", "shardId-000000000004")
    # The merge shard is empty and ends at once, naming the middle child.
    got, end = read_all(kin, name, mid["ShardId"])
    assert got == [] and "NextShardIterator" not in end
    assert [c["ShardId"] for c in end["ChildShards"]] == [middle["ShardId"]]
    # Every old record is still in its old shard; new ones go to the children.
    total = sum(len(read_all(kin, name, f"shardId-00000000000{i}")[0]) for i in range(5))
    assert total == 30
    for i in range(30):
        out = kin.put_record(StreamName=name, Data=b"new", PartitionKey=f"k{i}")
        assert out["ShardId"] in open_ids


# ---- settings -------------------------------------------------------------------------------

def test_retention_periods(kin):
    name = make_stream(kin, 1)
    kin.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=48)
    assert kin.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"][
        "RetentionPeriodHours"] == 48
    expect_error(kin.increase_stream_retention_period, StreamName=name, RetentionPeriodHours=30,
                 code="InvalidArgumentException",
                 message=f"Requested retention period (30 hours) for stream {name} can not be "
                         f"shorter than existing retention period (48 hours). Use "
                         f"DecreaseRetentionPeriod API.")
    expect_error(kin.decrease_stream_retention_period, StreamName=name, RetentionPeriodHours=72,
                 code="InvalidArgumentException", contains="Use IncreaseRetentionPeriod API.")
    expect_error(kin.decrease_stream_retention_period, StreamName=name, RetentionPeriodHours=12,
                 code="InvalidArgumentException",
                 message="Minimum allowed retention period is 24 hours. Requested retention "
                         "period (12 hours) is too short.")
    expect_error(kin.increase_stream_retention_period, StreamName=name,
                 RetentionPeriodHours=8761, code="InvalidArgumentException",
                 startswith="Maximum allowed retention period is 8760 hours.")
    kin.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=8760)
    kin.decrease_stream_retention_period(StreamName=name, RetentionPeriodHours=24)
    assert kin.describe_stream(StreamName=name)["StreamDescription"]["RetentionPeriodHours"] == 24


def test_retention_trims(gyre_factory, monkeypatch):
    # An "hour" of 20 ms: 24 h of retention is 480 ms.
    srv, kin = start(gyre_factory, monkeypatch, GYRE_KINESIS_HOUR_MS=20)
    make_stream(kin, 1, name="trim")
    old = kin.put_record(StreamName="trim", Data=b"old", PartitionKey="k")
    time.sleep(0.8)
    kin.put_record(StreamName="trim", Data=b"new", PartitionKey="k")
    got, _ = read_all(kin, "trim", "shardId-000000000000")
    assert [r["Data"] for r in got] == [b"new"]
    # AT_SEQUENCE_NUMBER of a trimmed record starts at the trim horizon.
    got, _ = read_all(kin, "trim", "shardId-000000000000", "AT_SEQUENCE_NUMBER",
                      StartingSequenceNumber=old["SequenceNumber"])
    assert [r["Data"] for r in got] == [b"new"]
    # Longer retention keeps later records for longer.
    kin.increase_stream_retention_period(StreamName="trim", RetentionPeriodHours=1000)
    kin.put_record(StreamName="trim", Data=b"kept", PartitionKey="k")
    time.sleep(0.8)
    got, _ = read_all(kin, "trim", "shardId-000000000000")
    assert [r["Data"] for r in got] == [b"new", b"kept"]
    # Decreasing it again makes both older than the retention at once.
    kin.decrease_stream_retention_period(StreamName="trim", RetentionPeriodHours=24)
    got, _ = read_all(kin, "trim", "shardId-000000000000")
    assert got == []
    kin.put_record(StreamName="trim", Data=b"latest", PartitionKey="k")
    got, _ = read_all(kin, "trim", "shardId-000000000000")
    assert [r["Data"] for r in got] == [b"latest"]


def test_tags(kin, loose, server):
    name = make_stream(kin, 1)
    kin.add_tags_to_stream(StreamName=name, Tags={"env": "test", "team": "gyre", "z": ""})
    tags = kin.list_tags_for_stream(StreamName=name)
    assert tags["Tags"] == [{"Key": "env", "Value": "test"}, {"Key": "team", "Value": "gyre"},
                            {"Key": "z", "Value": ""}]
    assert tags["HasMoreTags"] is False
    page = kin.list_tags_for_stream(StreamName=name, Limit=1, ExclusiveStartTagKey="env")
    assert page["Tags"] == [{"Key": "team", "Value": "gyre"}] and page["HasMoreTags"]
    kin.add_tags_to_stream(StreamName=name, Tags={"env": "prod"})
    kin.remove_tags_from_stream(StreamName=name, TagKeys=["team", "absent"])
    assert kin.list_tags_for_stream(StreamName=name)["Tags"] == [
        {"Key": "env", "Value": "prod"}, {"Key": "z", "Value": ""}]
    for i in range(4):
        kin.add_tags_to_stream(StreamName=name, Tags={f"k{i}-{j}": "v" for j in range(10)})
    expect_error(kin.add_tags_to_stream, StreamName=name,
                 Tags={f"x{j}": "v" for j in range(10)}, code="LimitExceededException")
    expect_error(loose.remove_tags_from_stream, StreamName=name, TagKeys=[],
                 code="ValidationException")
    created = gyre.unique("tg")
    assert kapi(server, "CreateStream", {"StreamName": created, "ShardCount": 1,
                                         "Tags": {"a": "1"}}).status == 200
    assert kin.list_tags_for_stream(StreamName=created)["Tags"] == [{"Key": "a", "Value": "1"}]


def test_tag_resource_by_arn(kin, server):
    name = make_stream(kin, 1)
    arn = f"arn:aws:kinesis:{server.region}:{server.account}:stream/{name}"
    assert kapi(server, "TagResource", {"ResourceARN": arn, "Tags": {"a": "1", "b": "2"}}).status == 200
    assert kapi(server, "UntagResource", {"ResourceARN": arn, "TagKeys": ["a"]}).status == 200
    r = kapi(server, "ListTagsForResource", {"ResourceARN": arn})
    assert r.json() == {"Tags": [{"Key": "b", "Value": "2"}]}
    assert kin.list_tags_for_stream(StreamName=name)["Tags"] == [{"Key": "b", "Value": "2"}]
    raw_error(kapi(server, "ListTagsForResource",
                               {"ResourceARN": f"arn:aws:kinesis:us-west-1:{server.account}:stream/{name}"}),
                          "ResourceNotFoundException")
    raw_error(kapi(server, "TagResource", {"ResourceARN": arn}), "ValidationException")


def test_enhanced_monitoring_and_encryption(kin):
    name = make_stream(kin, 1)
    out = kin.enable_enhanced_monitoring(StreamName=name,
                                         ShardLevelMetrics=["IncomingBytes", "IncomingRecords"])
    assert out["CurrentShardLevelMetrics"] == []
    assert sorted(out["DesiredShardLevelMetrics"]) == ["IncomingBytes", "IncomingRecords"]
    out = kin.enable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=["ALL"])
    assert len(out["DesiredShardLevelMetrics"]) == 7
    out = kin.disable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=["IncomingBytes"])
    assert "IncomingBytes" not in out["DesiredShardLevelMetrics"]
    em = kin.describe_stream(StreamName=name)["StreamDescription"]["EnhancedMonitoring"]
    assert len(em[0]["ShardLevelMetrics"]) == 6
    kin.start_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId="alias/aws/kinesis")
    kin.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 1})
    d = kin.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    assert d["EncryptionType"] == "KMS" and d["KeyId"] == "alias/aws/kinesis"
    put = kin.put_record(StreamName=name, Data=b"secret", PartitionKey="k")
    assert put["EncryptionType"] == "KMS"
    got, _ = read_all(kin, name, put["ShardId"])
    assert got[-1]["EncryptionType"] == "KMS" and got[-1]["Data"] == b"secret"
    kin.stop_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId="alias/aws/kinesis")
    assert kin.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"][
        "EncryptionType"] == "NONE"
    assert "EncryptionType" not in kin.put_record(StreamName=name, Data=b"p", PartitionKey="k")


def test_shard_write_limits(gyre_factory, monkeypatch):
    srv, kin = start(gyre_factory, monkeypatch)
    make_stream(kin, 2, name="hot")
    # 1 MiB/s per shard: of five 1000 KB records for one shard in one call, two fit (the
    # second borrows from the next second), the rest are refused record by record.
    recs = [{"Data": bytes([65 + i]) * 1024000, "PartitionKey": "k", "ExplicitHashKey": "0"}
            for i in range(5)]
    out = kin.put_records(StreamName="hot", Records=recs)
    assert out["FailedRecordCount"] == 3
    assert [("SequenceNumber" in r) for r in out["Records"]] == [True, True, False, False, False]
    for r in out["Records"][2:]:
        assert r["ErrorCode"] == "ProvisionedThroughputExceededException"
        assert r["ErrorMessage"] == ("Rate exceeded for shard shardId-000000000000 in stream hot "
                                     "under account 000000000000.")
        assert "ShardId" not in r
    # The other shard has its own budget; the refused records were not stored.
    assert kin.put_record(StreamName="hot", Data=b"x", PartitionKey="k",
                          ExplicitHashKey=str(MAX_HASH))["ShardId"] == "shardId-000000000001"
    got, _ = read_all(kin, "hot", "shardId-000000000000")
    assert [r["Data"][:1] for r in got] == [b"A", b"B"]


# ---- CBOR, as the Java SDK and the KCL speak it --------------------------------------------

def cbor_kinesis(server, op, doc):
    import cbor2
    import io
    import cbor2.decoder as dec
    hdrs = {"Content-Type": "application/x-amz-cbor-1.1", "X-Amz-Target": f"Kinesis_20131202.{op}"}
    resp = server.signed("POST", "/", cbor2.dumps(doc), hdrs, service="kinesis")
    saved = dec.semantic_decoders[1]
    dec.semantic_decoders[1] = lambda self: cbor2.CBORTag(1, self._decode())
    try:
        out = dec.CBORDecoder(io.BytesIO(resp.body)).decode() if resp.body else None
    finally:
        dec.semantic_decoders[1] = saved
    return resp, out


def test_cbor_put_and_get(kin, server):
    import cbor2
    name = make_stream(kin, 1)
    payload = b"\x00\xff raw bytes \x80"
    resp, out = cbor_kinesis(server, "PutRecord", {"StreamName": name, "Data": payload,
                                                   "PartitionKey": "k"})
    assert resp.status == 200 and resp.headers["content-type"] == "application/x-amz-cbor-1.1"
    assert out["ShardId"] == "shardId-000000000000" and len(out["SequenceNumber"]) == 56
    resp, it = cbor_kinesis(server, "GetShardIterator", {
        "StreamName": name, "ShardId": "shardId-000000000000",
        "ShardIteratorType": "AT_SEQUENCE_NUMBER", "StartingSequenceNumber": out["SequenceNumber"]})
    resp, got = cbor_kinesis(server, "GetRecords", {"ShardIterator": it["ShardIterator"]})
    assert resp.status == 200
    rec = got["Records"][0]
    assert rec["Data"] == payload and rec["PartitionKey"] == "k"
    ts = rec["ApproximateArrivalTimestamp"]
    assert isinstance(ts, cbor2.CBORTag) and ts.tag == 1
    # AT_TIMESTAMP with a CBOR timestamp finds the record too.
    resp, it = cbor_kinesis(server, "GetShardIterator", {
        "StreamName": name, "ShardId": "shardId-000000000000",
        "ShardIteratorType": "AT_TIMESTAMP", "Timestamp": cbor2.CBORTag(1, 0)})
    assert resp.status == 200
    resp, got = cbor_kinesis(server, "GetRecords", {"ShardIterator": it["ShardIterator"]})
    assert [r["Data"] for r in got["Records"]] == [payload]
    resp, err = cbor_kinesis(server, "DescribeStream", {"StreamName": "no-such-cbor-stream"})
    assert resp.status == 400 and err["__type"].rsplit("#", 1)[-1] == "ResourceNotFoundException"
    assert err["message"] == "Stream no-such-cbor-stream under account 000000000000 not found."


# ---- consumers ------------------------------------------------------------------------------

def test_stream_consumers(kin, loose, server):
    name = make_stream(kin, 1)
    arn = f"arn:aws:kinesis:{server.region}:{server.account}:stream/{name}"
    c = kin.register_stream_consumer(StreamARN=arn, ConsumerName="app-1")["Consumer"]
    assert c["ConsumerName"] == "app-1" and c["ConsumerStatus"] in ("CREATING", "ACTIVE")
    assert c["ConsumerARN"].startswith(f"{arn}/consumer/app-1:")
    kin.register_stream_consumer(StreamARN=arn, ConsumerName="app-2")
    expect_error(kin.register_stream_consumer, StreamARN=arn, ConsumerName="app-1",
                 code="ResourceInUseException")
    d = kin.describe_stream_consumer(ConsumerARN=c["ConsumerARN"])["ConsumerDescription"]
    assert d["ConsumerStatus"] == "ACTIVE" and d["StreamARN"] == arn
    assert kin.describe_stream_consumer(StreamARN=arn, ConsumerName="app-1")[
        "ConsumerDescription"]["ConsumerARN"] == c["ConsumerARN"]
    page = kin.list_stream_consumers(StreamARN=arn, MaxResults=1)
    assert [x["ConsumerName"] for x in page["Consumers"]] == ["app-1"]
    rest = kin.list_stream_consumers(StreamARN=arn, NextToken=page["NextToken"])
    assert [x["ConsumerName"] for x in rest["Consumers"]] == ["app-2"] and "NextToken" not in rest
    assert kin.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"][
        "ConsumerCount"] == 2
    expect_error(kin.delete_stream, StreamName=name, code="ResourceInUseException")
    kin.deregister_stream_consumer(ConsumerARN=c["ConsumerARN"])
    expect_error(kin.describe_stream_consumer, ConsumerARN=c["ConsumerARN"],
                 code="ResourceNotFoundException")
    expect_error(kin.deregister_stream_consumer, StreamARN=arn, ConsumerName="app-1",
                 code="ResourceNotFoundException")
    expect_error(loose.register_stream_consumer, StreamARN=arn, ConsumerName="bad name",
                 code="ValidationException")
    expect_error(kin.describe_stream_consumer, ConsumerARN=f"{arn}/consumer/app-2:1",
                 code="ResourceNotFoundException")
    expect_error(kin.describe_stream_consumer, StreamARN=arn, code="InvalidArgumentException")
    for i in range(19):
        kin.register_stream_consumer(StreamARN=arn, ConsumerName=f"c{i:02d}")
    expect_error(kin.register_stream_consumer, StreamARN=arn, ConsumerName="one-too-many",
                 code="LimitExceededException")
    kin.delete_stream(StreamName=name, EnforceConsumerDeletion=True)
    kin.get_waiter("stream_not_exists").wait(StreamName=name, WaiterConfig={"Delay": 1})
    expect_error(kin.list_stream_consumers, StreamARN=arn, code="ResourceNotFoundException")


def test_shard_read_limits(gyre_factory, monkeypatch):
    srv, kin = start(gyre_factory, monkeypatch, GYRE_KINESIS_READ_LIMITS=1)
    make_stream(kin, 1, name="cold")
    kin.put_record(StreamName="cold", Data=b"r", PartitionKey="k")
    it = kin.get_shard_iterator(StreamName="cold", ShardId="shardId-000000000000",
                                ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    # 5 calls per second per shard: twenty calls in a row cannot all pass.
    refused = 0
    for _ in range(20):
        try:
            kin.get_records(ShardIterator=it)
        except kin.exceptions.ProvisionedThroughputExceededException as e:
            refused += 1
            assert e.response["Error"]["Message"] == (
                "Rate exceeded for shard shardId-000000000000 in stream cold under account "
                "000000000000.")
    assert refused > 0
    time.sleep(1.1)  # a second later the shard has call tokens again
    assert kin.get_records(ShardIterator=it)["Records"][0]["Data"] == b"r"


# ---- durability -----------------------------------------------------------------------------

THREADS = 6
BATCHES = 40
BATCH = 20


def _producer(srv, tid, acked, lock, stop):
    kin = srv.client("kinesis")
    for b in range(BATCHES):
        if stop.is_set():
            return
        recs = [{"Data": f"{tid}:{b}:{i}".encode(), "PartitionKey": f"t{tid}-{i % 4}"}
                for i in range(BATCH)]
        try:
            out = kin.put_records(StreamName="durable", Records=recs)
        except Exception:
            return  # refused or reset after the kill: not acknowledged
        with lock:
            for rec, res in zip(recs, out["Records"]):
                acked[rec["Data"]] = (res["ShardId"], res["SequenceNumber"])


def test_acknowledged_put_records_survive_kill_9(gyre_factory, monkeypatch):
    # Per-shard write limits off: this is a load test.
    srv, kin = start(gyre_factory, monkeypatch, GYRE_KINESIS_WRITE_LIMITS=0)
    make_stream(kin, 3, name="durable")
    big = [{"Data": b"L" * 1024000, "PartitionKey": "k", "ExplicitHashKey": "0"}] * 5
    assert kin.put_records(StreamName="durable", Records=big)["FailedRecordCount"] == 0
    kin.delete_stream(StreamName="durable")
    kin.get_waiter("stream_not_exists").wait(StreamName="durable", WaiterConfig={"Delay": 1})
    make_stream(kin, 3, name="durable")
    early = kin.get_shard_iterator(StreamName="durable", ShardId="shardId-000000000000",
                                   ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    acked, lock, stop = {}, threading.Lock(), threading.Event()
    threads = [threading.Thread(target=_producer, args=(srv, t, acked, lock, stop))
               for t in range(THREADS)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 45
    while time.monotonic() < deadline:
        with lock:
            n = len(acked)
        if n >= 1500 or not any(t.is_alive() for t in threads):
            break
        time.sleep(0.005)
    srv.kill()
    stop.set()
    for t in threads:
        t.join(timeout=60)
    with lock:
        snapshot = dict(acked)
    assert len(snapshot) >= 1000
    print(f"acknowledged before kill: {len(snapshot)} records")

    monkeypatch.setenv("GYRE_KINESIS_WRITE_LIMITS", "0")
    srv.start()
    kin = srv.client("kinesis")
    stored = {}
    for shard in kin.list_shards(StreamName="durable")["Shards"]:
        got, _ = read_all(kin, "durable", shard["ShardId"])
        seqs = [int(r["SequenceNumber"]) for r in got]
        assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
        datas = [r["Data"] for r in got]
        assert len(set(datas)) == len(datas), "a record is duplicated within a shard"
        for r in got:
            stored[r["Data"]] = (shard["ShardId"], r["SequenceNumber"])
    # An iterator handed out before the crash still opens (the secret is in the store).
    first = kin.get_records(ShardIterator=early, Limit=5)["Records"]
    assert first and all(stored[r["Data"]][0] == "shardId-000000000000" for r in first)
    lost = [d for d in snapshot if d not in stored]
    assert lost == [], f"{len(lost)} acknowledged records lost: {lost[:5]}"
    assert all(stored[d] == snapshot[d] for d in snapshot)
    # The restarted server keeps taking records, after the ones it had.
    out = kin.put_record(StreamName="durable", Data=b"after", PartitionKey="t0-0")
    last = max(int(s) for sh, s in stored.values() if sh == out["ShardId"])
    assert int(out["SequenceNumber"]) > last


def test_ordering_under_concurrent_writers(kin):
    name = make_stream(kin, 1)
    errors = []

    def writer(w):
        c = kin  # boto3 clients are thread-safe for calls
        last = 0
        for i in range(30):
            try:
                s = int(c.put_record(StreamName=name, Data=f"{w}-{i}".encode(),
                                     PartitionKey=f"w{w}")["SequenceNumber"])
            except Exception as e:  # pragma: no cover - reported below
                errors.append(e)
                return
            if s <= last:
                errors.append(f"sequence went backwards for writer {w}")
            last = s

    ts = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert errors == []
    got, _ = read_all(kin, name, "shardId-000000000000")
    assert len(got) == 120
    for w in range(4):
        mine = [r["Data"] for r in got if r["Data"].startswith(f"{w}-".encode())]
        assert mine == [f"{w}-{i}".encode() for i in range(30)]


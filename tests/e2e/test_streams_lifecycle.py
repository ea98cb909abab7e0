"""DynamoDB Streams over time, each test with its own gyre process and short periods.

Shard rotation (GYRE_STREAM_SHARD_MS) and a reader that follows shard lineage until every
shard is drained, DescribeStream pagination over many shards, retention trimming
(GYRE_STREAM_RETENTION_MS, GYRE_STREAM_TRIM_MS) and TrimmedDataAccessException, iterator
expiry (GYRE_STREAM_ITERATOR_TTL_MS), TTL deletions (GYRE_TTL_SWEEP_MS) carrying the service
identity, and records (and iterators) surviving a clean restart
and kill -9.

GyreServer has no per-server environment, but start() copies os.environ: the tests set the
variables with monkeypatch before the factory starts the server."""

import time

import pytest

import gyre
from gyre import expect_error


def start(gyre_factory, monkeypatch, **env):
    for k, v in env.items():
        monkeypatch.setenv(k, str(v))
    srv = gyre_factory()
    for k in env:
        monkeypatch.delenv(k)
    return srv, srv.client(), srv.client("dynamodbstreams")


def stream_table(ddb, name, view="KEYS_ONLY"):
    return gyre.create_table(ddb, name, "PK", StreamSpecification={
        "StreamEnabled": True, "StreamViewType": view})["LatestStreamArn"]


def all_shards(streams, arn, limit=None):
    shards, start = [], None
    for _ in range(1000):
        kw = {"StreamArn": arn}
        if limit:
            kw["Limit"] = limit
        if start:
            kw["ExclusiveStartShardId"] = start
        sd = streams.describe_stream(**kw)["StreamDescription"]
        if limit:
            assert len(sd["Shards"]) <= limit
        shards += sd["Shards"]
        start = sd.get("LastEvaluatedShardId")
        if not start:
            return shards
    raise AssertionError("DescribeStream pagination does not end")


def follow_lineage(streams, arn):
    """Read from the oldest shard, moving to the child whenever a shard is drained."""
    shards = all_shards(streams, arn)
    children = {s.get("ParentShardId"): s["ShardId"] for s in shards}
    shard = shards[0]["ShardId"]
    keys, visited = [], []
    while shard:
        visited.append(shard)
        it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                        ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while it:
            resp = streams.get_records(ShardIterator=it, Limit=2)
            keys += [(r["dynamodb"]["Keys"]["PK"]["S"], r["dynamodb"]["SequenceNumber"])
                     for r in resp["Records"]]
            it = resp.get("NextShardIterator")
            if not resp["Records"] and it:
                break  # the open shard at the tip
        shard = children.get(shard) if not it else None
    return keys, visited


def test_shard_rotation_and_lineage(gyre_factory, monkeypatch):
    srv, ddb, streams = start(gyre_factory, monkeypatch, GYRE_STREAM_SHARD_MS=150)
    table = gyre.unique("rot")
    arn = stream_table(ddb, table)
    written = []
    for i in range(5):
        for j in range(3):
            key = f"k{i}-{j}"
            ddb.put_item(TableName=table, Item={"PK": {"S": key}})
            written.append(key)
        time.sleep(0.2)
    shards = all_shards(streams, arn)
    assert len(shards) >= 4, shards
    for parent, child in zip(shards, shards[1:]):
        assert child["ParentShardId"] == parent["ShardId"]
        prng, crng = parent["SequenceNumberRange"], child["SequenceNumberRange"]
        assert int(prng["EndingSequenceNumber"]) + 1 == int(crng["StartingSequenceNumber"])
    assert "ParentShardId" not in shards[0]
    assert "EndingSequenceNumber" not in shards[-1]["SequenceNumberRange"]
    # Pages of one shard give the same list.
    assert all_shards(streams, arn, limit=1) == shards
    assert all_shards(streams, arn, limit=3) == shards

    keys, visited = follow_lineage(streams, arn)
    assert [k for k, _ in keys] == written  # every change exactly once, in order
    seqs = [int(s) for _, s in keys]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert visited == [s["ShardId"] for s in shards]

    # A closed shard's iterator ends with no NextShardIterator; reading it is stable.
    first = shards[0]["ShardId"]
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=first,
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    resp = streams.get_records(ShardIterator=it)
    assert resp["Records"] and resp.get("NextShardIterator") is None
    end = shards[0]["SequenceNumberRange"]["EndingSequenceNumber"]
    assert resp["Records"][-1]["dynamodb"]["SequenceNumber"] == end
    # A sequence number of the child is outside the parent.
    child_start = shards[1]["SequenceNumberRange"]["StartingSequenceNumber"]
    expect_error(streams.get_shard_iterator, StreamArn=arn, ShardId=first,
                 ShardIteratorType="AT_SEQUENCE_NUMBER", SequenceNumber=child_start,
                 code="ValidationException")


def test_retention_trims(gyre_factory, monkeypatch):
    srv, ddb, streams = start(gyre_factory, monkeypatch, GYRE_STREAM_RETENTION_MS=600,
                              GYRE_STREAM_TRIM_MS=100)
    table = gyre.unique("trim")
    arn = stream_table(ddb, table)
    for i in range(3):
        ddb.put_item(TableName=table, Item={"PK": {"S": f"old{i}"}})
    shard = all_shards(streams, arn)[0]["ShardId"]
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    first = streams.get_records(ShardIterator=it, Limit=1)
    old_seq = first["Records"][0]["dynamodb"]["SequenceNumber"]
    # The three records may age out in different trimming passes (a loaded machine spreads their
    # write times): wait until the last of them is gone too.
    deadline = time.monotonic() + 10
    while True:
        try:
            streams.get_records(ShardIterator=it)
            streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                       ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                                       SequenceNumber=old_seq)
        except streams.exceptions.TrimmedDataAccessException:
            try:
                tip = streams.get_shard_iterator(
                    StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
                if not streams.get_records(ShardIterator=tip["ShardIterator"])["Records"]:
                    break
            except streams.exceptions.TrimmedDataAccessException:
                pass
        assert time.monotonic() < deadline, "records were never trimmed"
        time.sleep(0.1)
    expect_error(streams.get_records, ShardIterator=it, code="TrimmedDataAccessException")
    for kind in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"):
        expect_error(streams.get_shard_iterator, StreamArn=arn, ShardId=shard,
                     ShardIteratorType=kind, SequenceNumber=old_seq,
                     code="TrimmedDataAccessException")
    # New writes are readable; TRIM_HORIZON starts at the oldest record still kept.
    ddb.put_item(TableName=table, Item={"PK": {"S": "new"}})
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    recs = streams.get_records(ShardIterator=it)["Records"]
    assert [r["dynamodb"]["Keys"]["PK"]["S"] for r in recs] == ["new"]


def test_iterator_expiry(gyre_factory, monkeypatch):
    srv, ddb, streams = start(gyre_factory, monkeypatch, GYRE_STREAM_ITERATOR_TTL_MS=300)
    table = gyre.unique("exp")
    arn = stream_table(ddb, table)
    ddb.put_item(TableName=table, Item={"PK": {"S": "a"}})
    shard = all_shards(streams, arn)[0]["ShardId"]
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    nxt = streams.get_records(ShardIterator=it)["NextShardIterator"]
    time.sleep(0.5)
    expect_error(streams.get_records, ShardIterator=it, code="ExpiredIteratorException",
                 message="Iterator expired")
    expect_error(streams.get_records, ShardIterator=nxt, code="ExpiredIteratorException")
    # A fresh iterator works; NextShardIterator is issued anew with each call.
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    assert len(streams.get_records(ShardIterator=it)["Records"]) == 1


def read_keys(streams, arn):
    shards = all_shards(streams, arn)
    assert len(shards) == 1
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shards[0]["ShardId"],
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    keys = []
    while True:
        resp = streams.get_records(ShardIterator=it)
        if not resp["Records"]:
            return keys, resp["NextShardIterator"]
        keys += [r["dynamodb"]["Keys"]["PK"]["S"] for r in resp["Records"]]
        it = resp["NextShardIterator"]


def test_records_survive_restart_and_kill_9(gyre_factory):
    srv = gyre_factory()
    ddb, streams = srv.client(), srv.client("dynamodbstreams")
    table = gyre.unique("durable")
    arn = stream_table(ddb, table, "NEW_IMAGE")
    acked = []
    for i in range(20):
        ddb.put_item(TableName=table, Item={"PK": {"S": f"a{i:02d}"}})
        acked.append(f"a{i:02d}")
    keys, tip = read_keys(streams, arn)
    assert keys == acked

    srv.restart()
    ddb, streams = srv.client(), srv.client("dynamodbstreams")
    keys, _ = read_keys(streams, arn)
    assert keys == acked
    # The iterator secret is kept in the store: iterators outlive a restart.
    assert streams.get_records(ShardIterator=tip)["Records"] == []

    for i in range(30):
        ddb.put_item(TableName=table, Item={"PK": {"S": f"b{i:02d}"}})
        acked.append(f"b{i:02d}")
    srv.kill()
    srv.start()
    ddb, streams = srv.client(), srv.client("dynamodbstreams")
    keys, _ = read_keys(streams, arn)
    assert keys == acked  # a record for every acknowledged write, once, in order
    recs = streams.get_records(ShardIterator=tip)["Records"]
    assert [r["dynamodb"]["Keys"]["PK"]["S"] for r in recs] == acked[20:]
    assert recs[0]["dynamodb"]["NewImage"] == {"PK": {"S": "b00"}}


def test_ttl_deletion_carries_service_identity(gyre_factory, monkeypatch):
    srv, ddb, streams = start(gyre_factory, monkeypatch, GYRE_TTL_SWEEP_MS=100)
    table = gyre.unique("ttl")
    arn = stream_table(ddb, table, "NEW_AND_OLD_IMAGES")
    try:
        ddb.update_time_to_live(TableName=table, TimeToLiveSpecification={
            "Enabled": True, "AttributeName": "exp"})
    except ddb.exceptions.ClientError as e:
        if e.response["Error"]["Code"] == "UnknownOperationException":
            pytest.skip("this build has no TTL")
        raise
    past = str(int(time.time()) - 60)
    ddb.put_item(TableName=table, Item={"PK": {"S": "gone"}, "exp": {"N": past}})
    ddb.put_item(TableName=table, Item={"PK": {"S": "user"}})
    ddb.delete_item(TableName=table, Key={"PK": {"S": "user"}})
    shard = all_shards(streams, arn)[0]["ShardId"]
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    recs, deadline = [], time.monotonic() + 10
    while len(recs) < 4 and time.monotonic() < deadline:
        resp = streams.get_records(ShardIterator=it)
        recs += resp["Records"]
        it = resp["NextShardIterator"]
        time.sleep(0.05)
    got = [(r["eventName"], r["dynamodb"]["Keys"]["PK"]["S"], r.get("userIdentity"))
           for r in recs]
    service = {"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}
    assert sorted(got, key=str) == sorted([("INSERT", "gone", None), ("INSERT", "user", None),
                                           ("REMOVE", "user", None),
                                           ("REMOVE", "gone", service)], key=str)
    ttl_rec = [r for r in recs if r.get("userIdentity")][0]
    assert ttl_rec["dynamodb"]["OldImage"] == {"PK": {"S": "gone"}, "exp": {"N": past}}
    assert "NewImage" not in ttl_rec["dynamodb"]

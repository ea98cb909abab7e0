"""DynamoDB Streams API against the shared server, with Debian boto3's dynamodbstreams client.

Records for every view type and event, unchanged writes, batch and transactional writes,
ListStreams and DescribeStream pagination, disabling and re-enabling a stream, iterator types
and the errors of each operation (forged iterators, unknown streams and shards, sequence
numbers outside a shard, bad limits)."""

import time

import pytest

import gyre
from gyre import expect_error

VIEWS = ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"]


@pytest.fixture(scope="module")
def streams(server):
    return server.client("dynamodbstreams")


@pytest.fixture(scope="module")
def loose_streams(server):
    """A client that sends what it is given (to reach the server's own validation)."""
    return server.client("dynamodbstreams", validate=False)


def stream_table(ddb, name, view="NEW_AND_OLD_IMAGES", range_key=None):
    desc = gyre.create_table(ddb, name, "PK", range_key,
                             StreamSpecification={"StreamEnabled": True, "StreamViewType": view})
    return desc["LatestStreamArn"]


def only_shard(streams, arn):
    shards = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    assert len(shards) == 1, shards
    return shards[0]


def read_shard(streams, arn, shard_id, kind="TRIM_HORIZON", **kw):
    """All records of a shard from an iterator of `kind` until an empty batch (or the end)."""
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id, ShardIteratorType=kind,
                                    **kw)["ShardIterator"]
    out = []
    while it:
        resp = streams.get_records(ShardIterator=it)
        out += resp["Records"]
        it = resp.get("NextShardIterator")
        if not resp["Records"]:
            break
    return out


def read_all(streams, arn):
    return read_shard(streams, arn, only_shard(streams, arn)["ShardId"])


def item(pk, **attrs):
    out = {"PK": {"S": pk}}
    for k, v in attrs.items():
        out[k] = {"N": str(v)} if isinstance(v, int) else {"S": v}
    return out


# ---- records ------------------------------------------------------------------------------


@pytest.mark.parametrize("view", VIEWS)
def test_view_types_images(server, ddb, streams, name, view):
    table = name()
    arn = stream_table(ddb, table, view)
    ddb.put_item(TableName=table, Item=item("a", v=1, s="x"))
    ddb.update_item(TableName=table, Key={"PK": {"S": "a"}}, UpdateExpression="SET v = :n",
                    ExpressionAttributeValues={":n": {"N": "2"}})
    ddb.delete_item(TableName=table, Key={"PK": {"S": "a"}})
    recs = read_all(streams, arn)
    assert [r["eventName"] for r in recs] == ["INSERT", "MODIFY", "REMOVE"]
    v1, v2 = item("a", v=1, s="x"), item("a", v=2, s="x")
    want_new = [v1, v2, None] if view in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES") else [None] * 3
    want_old = [None, v1, v2] if view in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES") else [None] * 3
    seqs = []
    for rec, new, old in zip(recs, want_new, want_old):
        d = rec["dynamodb"]
        assert d["Keys"] == {"PK": {"S": "a"}}
        assert d.get("NewImage") == new
        assert d.get("OldImage") == old
        assert d["StreamViewType"] == view
        assert d["SizeBytes"] >= 1
        assert len(d["SequenceNumber"]) == 21 and d["SequenceNumber"].isdigit()
        assert abs(d["ApproximateCreationDateTime"].timestamp() - time.time()) < 60
        assert rec["eventVersion"] == "1.1"
        assert rec["eventSource"] == "aws:dynamodb"
        assert rec["awsRegion"] == server.region
        assert len(rec["eventID"]) == 32 and int(rec["eventID"], 16) >= 0
        assert "userIdentity" not in rec
        seqs.append(int(d["SequenceNumber"]))
    assert seqs == sorted(seqs) and len(set(seqs)) == 3
    assert len({r["eventID"] for r in recs}) == 3
    if view == "NEW_AND_OLD_IMAGES":
        # Keys plus both images are counted: the MODIFY is the biggest record.
        assert recs[1]["dynamodb"]["SizeBytes"] > recs[0]["dynamodb"]["SizeBytes"]
    if view == "KEYS_ONLY":
        assert len({r["dynamodb"]["SizeBytes"] for r in recs}) == 1


def test_unchanged_put_appends_nothing(ddb, streams, name):
    table = name()
    arn = stream_table(ddb, table)
    ddb.put_item(TableName=table, Item=item("a", v=1))
    ddb.put_item(TableName=table, Item=item("a", v=1))
    ddb.update_item(TableName=table, Key={"PK": {"S": "a"}}, UpdateExpression="SET v = :n",
                    ExpressionAttributeValues={":n": {"N": "1"}})
    ddb.delete_item(TableName=table, Key={"PK": {"S": "missing"}})
    recs = read_all(streams, arn)
    assert [r["eventName"] for r in recs] == ["INSERT"]


def test_batch_and_transaction_one_record_per_item(ddb, streams, name):
    table = name()
    arn = stream_table(ddb, table, "NEW_IMAGE", range_key="SK")
    ddb.batch_write_item(RequestItems={table: [
        {"PutRequest": {"Item": {"PK": {"S": "b"}, "SK": {"S": str(i)}}}} for i in range(5)]})
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": table, "Item": {"PK": {"S": "t"}, "SK": {"S": "1"}}}},
        {"Put": {"TableName": table, "Item": {"PK": {"S": "t"}, "SK": {"S": "2"}}}},
        {"Delete": {"TableName": table, "Key": {"PK": {"S": "b"}, "SK": {"S": "0"}}}},
        {"Update": {"TableName": table, "Key": {"PK": {"S": "b"}, "SK": {"S": "1"}},
                    "UpdateExpression": "SET x = :x",
                    "ExpressionAttributeValues": {":x": {"S": "y"}}}},
    ])
    recs = read_all(streams, arn)
    got = [(r["eventName"], r["dynamodb"]["Keys"]["PK"]["S"], r["dynamodb"]["Keys"]["SK"]["S"])
           for r in recs]
    assert got[:5] == [("INSERT", "b", str(i)) for i in range(5)]
    assert sorted(got[5:]) == sorted([("INSERT", "t", "1"), ("INSERT", "t", "2"),
                                      ("REMOVE", "b", "0"), ("MODIFY", "b", "1")])
    mod = [r for r in recs if r["eventName"] == "MODIFY"][0]
    assert mod["dynamodb"]["NewImage"]["x"] == {"S": "y"}
    assert "OldImage" not in mod["dynamodb"]


def test_get_records_limit_and_paging(ddb, streams, name):
    table = name()
    arn = stream_table(ddb, table, "KEYS_ONLY")
    for i in range(7):
        ddb.put_item(TableName=table, Item=item(f"k{i}"))
    shard = only_shard(streams, arn)["ShardId"]
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    pages = []
    for _ in range(4):
        resp = streams.get_records(ShardIterator=it, Limit=3)
        pages.append([r["dynamodb"]["Keys"]["PK"]["S"] for r in resp["Records"]])
        it = resp["NextShardIterator"]  # the shard is open: always a next iterator
    assert pages == [["k0", "k1", "k2"], ["k3", "k4", "k5"], ["k6"], []]
    # The same iterator can be used again (it names a position, not a session).
    again = streams.get_records(ShardIterator=it, Limit=1)
    assert again["Records"] == [] and again["NextShardIterator"]


def test_get_records_one_megabyte_cap(ddb, streams, name):
    table = name()
    arn = stream_table(ddb, table, "NEW_IMAGE")
    blob = "x" * 300_000
    for i in range(4):
        ddb.put_item(TableName=table, Item=item(f"big{i}", blob=blob))
    shard = only_shard(streams, arn)["ShardId"]
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    first = streams.get_records(ShardIterator=it)
    body_len = int(first["ResponseMetadata"]["HTTPHeaders"]["content-length"])
    assert 900_000 < body_len <= 1 << 20
    assert [r["dynamodb"]["Keys"]["PK"]["S"] for r in first["Records"]] == ["big0", "big1",
                                                                           "big2"]
    rest = streams.get_records(ShardIterator=first["NextShardIterator"])
    assert [r["dynamodb"]["Keys"]["PK"]["S"] for r in rest["Records"]] == ["big3"]
    assert rest["Records"][0]["dynamodb"]["NewImage"]["blob"] == {"S": blob}


def test_iterator_types(ddb, streams, name):
    table = name()
    arn = stream_table(ddb, table, "KEYS_ONLY")
    for i in range(4):
        ddb.put_item(TableName=table, Item=item(f"k{i}"))
    shard = only_shard(streams, arn)["ShardId"]
    recs = read_shard(streams, arn, shard)
    seqs = [r["dynamodb"]["SequenceNumber"] for r in recs]
    assert len(seqs) == 4

    def keys(kind, **kw):
        return [r["dynamodb"]["Keys"]["PK"]["S"]
                for r in read_shard(streams, arn, shard, kind, **kw)]

    assert keys("AT_SEQUENCE_NUMBER", SequenceNumber=seqs[1]) == ["k1", "k2", "k3"]
    assert keys("AFTER_SEQUENCE_NUMBER", SequenceNumber=seqs[1]) == ["k2", "k3"]
    assert keys("AFTER_SEQUENCE_NUMBER", SequenceNumber=seqs[3]) == []
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                    ShardIteratorType="LATEST")["ShardIterator"]
    start = time.monotonic()
    resp = streams.get_records(ShardIterator=it)
    assert resp["Records"] == [] and resp["NextShardIterator"]
    assert time.monotonic() - start < 2  # a reader at the tip is answered at once
    ddb.put_item(TableName=table, Item=item("k4"))
    resp = streams.get_records(ShardIterator=resp["NextShardIterator"])
    assert [r["dynamodb"]["Keys"]["PK"]["S"] for r in resp["Records"]] == ["k4"]

    beyond = str(int(seqs[3]) + 5)
    before = str(int(seqs[0]) - 1)
    for seq in (beyond, before):
        expect_error(streams.get_shard_iterator, StreamArn=arn, ShardId=shard,
                     ShardIteratorType="AT_SEQUENCE_NUMBER", SequenceNumber=seq,
                     code="ValidationException", contains="SequenceNumber")


def test_table_created_with_stream_before_any_write(ddb, streams, name):
    table = name()
    arn = stream_table(ddb, table)
    listed = streams.list_streams(TableName=table)["Streams"]
    assert [s["StreamArn"] for s in listed] == [arn]
    desc = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert desc["StreamStatus"] == "ENABLED"
    assert len(desc["Shards"]) == 1
    shard = desc["Shards"][0]
    assert "EndingSequenceNumber" not in shard["SequenceNumberRange"]
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                    ShardIteratorType="LATEST")["ShardIterator"]
    ddb.put_item(TableName=table, Item=item("first"))
    resp = streams.get_records(ShardIterator=it)
    assert [r["eventName"] for r in resp["Records"]] == ["INSERT"]
    # The shard handed out before the first write is the one the write went to.
    assert only_shard(streams, arn)["ShardId"] == shard["ShardId"]


# ---- streams: description, listing, disable and re-enable ----------------------------------


def test_describe_stream(server, ddb, streams, name):
    table = name()
    desc = gyre.create_table(ddb, table, "PK", "SK", StreamSpecification={
        "StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    arn = desc["LatestStreamArn"]
    label = desc["LatestStreamLabel"]
    assert arn == f"{server.table_arn(table)}/stream/{label}"
    ddb.put_item(TableName=table, Item={"PK": {"S": "a"}, "SK": {"S": "b"}})
    sd = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert sd["StreamArn"] == arn
    assert sd["StreamLabel"] == label
    assert sd["StreamStatus"] == "ENABLED"
    assert sd["StreamViewType"] == "NEW_IMAGE"
    assert sd["TableName"] == table
    assert sd["KeySchema"] == [{"AttributeName": "PK", "KeyType": "HASH"},
                               {"AttributeName": "SK", "KeyType": "RANGE"}]
    assert abs(sd["CreationRequestDateTime"].timestamp() - time.time()) < 60
    assert "LastEvaluatedShardId" not in sd
    (shard,) = sd["Shards"]
    assert shard["ShardId"].startswith("shardId-")
    assert 28 <= len(shard["ShardId"]) <= 65
    assert "ParentShardId" not in shard
    rng = shard["SequenceNumberRange"]
    rec = read_shard(streams, arn, shard["ShardId"])[0]
    assert rng["StartingSequenceNumber"] == rec["dynamodb"]["SequenceNumber"]


def test_disable_and_reenable(ddb, streams, name):
    table = name()
    arn1 = stream_table(ddb, table, "KEYS_ONLY")
    ddb.put_item(TableName=table, Item=item("a"))
    ddb.put_item(TableName=table, Item=item("b"))
    ddb.update_table(TableName=table, StreamSpecification={"StreamEnabled": False})
    ddb.put_item(TableName=table, Item=item("not-recorded"))
    sd = streams.describe_stream(StreamArn=arn1)["StreamDescription"]
    assert sd["StreamStatus"] == "DISABLED"
    (shard,) = sd["Shards"]
    rng = shard["SequenceNumberRange"]
    assert "EndingSequenceNumber" in rng
    # Still readable; the closed shard drains: no NextShardIterator after its last record.
    it = streams.get_shard_iterator(StreamArn=arn1, ShardId=shard["ShardId"],
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    resp = streams.get_records(ShardIterator=it)
    assert [r["dynamodb"]["Keys"]["PK"]["S"] for r in resp["Records"]] == ["a", "b"]
    assert resp.get("NextShardIterator") is None
    assert rng["EndingSequenceNumber"] == resp["Records"][-1]["dynamodb"]["SequenceNumber"]
    it = streams.get_shard_iterator(StreamArn=arn1, ShardId=shard["ShardId"],
                                    ShardIteratorType="LATEST")["ShardIterator"]
    resp = streams.get_records(ShardIterator=it)
    assert resp["Records"] == [] and resp.get("NextShardIterator") is None

    time.sleep(0.01)  # labels have millisecond resolution
    desc = ddb.update_table(TableName=table, StreamSpecification={
        "StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})["TableDescription"]
    arn2 = desc["LatestStreamArn"]
    assert arn2 != arn1
    assert desc["LatestStreamLabel"] == arn2.rsplit("/", 1)[1]
    ddb.put_item(TableName=table, Item=item("c"))
    sd2 = streams.describe_stream(StreamArn=arn2)["StreamDescription"]
    assert sd2["StreamStatus"] == "ENABLED" and sd2["StreamViewType"] == "NEW_IMAGE"
    recs = read_all(streams, arn2)
    assert [(r["eventName"], r["dynamodb"]["Keys"]["PK"]["S"]) for r in recs] == [("INSERT", "c")]
    assert recs[0]["dynamodb"]["NewImage"] == item("c")
    # The old stream is unchanged by the new one.
    sd1 = streams.describe_stream(StreamArn=arn1)["StreamDescription"]
    assert sd1["StreamStatus"] == "DISABLED" and sd1["Shards"] == sd["Shards"]
    assert [s["StreamArn"] for s in streams.list_streams(TableName=table)["Streams"]] == [arn2,
                                                                                          arn1]


def test_reenable_without_writes_keeps_streams_apart(ddb, streams, name):
    table = name()
    arn1 = stream_table(ddb, table, "KEYS_ONLY")
    ddb.put_item(TableName=table, Item=item("a"))
    ddb.update_table(TableName=table, StreamSpecification={"StreamEnabled": False})
    time.sleep(0.01)
    arn2 = ddb.update_table(TableName=table, StreamSpecification={
        "StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})["TableDescription"][
        "LatestStreamArn"]
    ddb.update_table(TableName=table, StreamSpecification={"StreamEnabled": False})
    time.sleep(0.01)
    arn3 = ddb.update_table(TableName=table, StreamSpecification={
        "StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})["TableDescription"][
        "LatestStreamArn"]
    ddb.put_item(TableName=table, Item=item("b"))
    assert [r["dynamodb"]["Keys"]["PK"]["S"] for r in read_all(streams, arn1)] == ["a"]
    assert [r["dynamodb"]["Keys"]["PK"]["S"] for r in read_all(streams, arn3)] == ["b"]
    listed = [s["StreamArn"] for s in streams.list_streams(TableName=table)["Streams"]]
    assert listed[0] == arn3 and listed[-1] == arn1
    if arn2 in listed:  # a stream that never recorded anything may be forgotten
        assert read_all(streams, arn2) == []


def test_list_streams_pagination(server, ddb, streams, name):
    tables = sorted(name(f"-{i}") for i in range(3))
    arns = {}
    for t in tables:
        arns[t] = [stream_table(ddb, t, "KEYS_ONLY")]
        ddb.put_item(TableName=t, Item=item("x"))
    ddb.update_table(TableName=tables[1], StreamSpecification={"StreamEnabled": False})
    time.sleep(0.01)
    arns[tables[1]].insert(0, ddb.update_table(TableName=tables[1], StreamSpecification={
        "StreamEnabled": True, "StreamViewType": "OLD_IMAGE"})["TableDescription"][
        "LatestStreamArn"])
    gyre.create_table(ddb, name("-nostream"), "PK")

    # By table, one at a time: newest first.
    page1 = streams.list_streams(TableName=tables[1], Limit=1)
    assert [s["StreamArn"] for s in page1["Streams"]] == [arns[tables[1]][0]]
    assert page1["LastEvaluatedStreamArn"] == arns[tables[1]][0]
    page2 = streams.list_streams(TableName=tables[1], Limit=1,
                                 ExclusiveStartStreamArn=page1["LastEvaluatedStreamArn"])
    assert [s["StreamArn"] for s in page2["Streams"]] == [arns[tables[1]][1]]
    assert "LastEvaluatedStreamArn" not in page2
    s0 = page1["Streams"][0]
    assert s0["TableName"] == tables[1]
    assert s0["StreamLabel"] == s0["StreamArn"].rsplit("/stream/", 1)[1]

    # Everything, in pages of two: each stream exactly once, ours in table order.
    seen, start = [], None
    for _ in range(1000):
        kw = {"Limit": 2}
        if start:
            kw["ExclusiveStartStreamArn"] = start
        page = streams.list_streams(**kw)
        assert len(page["Streams"]) <= 2
        seen += [s["StreamArn"] for s in page["Streams"]]
        start = page.get("LastEvaluatedStreamArn")
        if not start:
            break
    assert len(seen) == len(set(seen))
    ours = [a for a in seen if any(f"table/{t}/" in a for t in tables)]
    assert ours == [a for t in tables for a in arns[t]]
    assert not any("-nostream" in a for a in seen)


def test_describe_stream_limit_and_exclusive_start(ddb, streams, name):
    table = name()
    arn = stream_table(ddb, table)
    ddb.put_item(TableName=table, Item=item("a"))
    sd = streams.describe_stream(StreamArn=arn, Limit=1)["StreamDescription"]
    assert len(sd["Shards"]) == 1 and "LastEvaluatedShardId" not in sd
    rest = streams.describe_stream(StreamArn=arn, ExclusiveStartShardId=sd["Shards"][0]["ShardId"])
    assert rest["StreamDescription"]["Shards"] == []


def test_describe_stream_exclusive_start_matching_no_shard(ddb, streams, name):
    """An ExclusiveStartShardId that names no shard starts after it in shard-id order."""
    table = name()
    arn = stream_table(ddb, table)
    ddb.put_item(TableName=table, Item=item("a"))
    shards = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    assert len(shards) == 1
    for before in ("shardId-00000000000000000000", "A" * 30, "shardId-" + "0" * 19 + "-x"):
        assert before < shards[0]["ShardId"]
        sd = streams.describe_stream(StreamArn=arn, ExclusiveStartShardId=before)
        assert sd["StreamDescription"]["Shards"] == shards
    for after in ("shardId-99999999999999999999-ffffffff", "shardId-zzzzzzzzzzzzzzzzzzzz",
                  shards[0]["ShardId"] + "0"):
        assert after > shards[0]["ShardId"]
        sd = streams.describe_stream(StreamArn=arn, ExclusiveStartShardId=after)
        assert sd["StreamDescription"]["Shards"] == []
        assert "LastEvaluatedShardId" not in sd["StreamDescription"]


# ---- errors ---------------------------------------------------------------------------------


def test_unknown_streams_and_tables(server, ddb, streams, name):
    table = name()
    arn = stream_table(ddb, table)
    missing = f"{server.table_arn('no-such-table')}/stream/2020-01-01T00:00:00.000"
    expect_error(streams.describe_stream, StreamArn=missing, code="ResourceNotFoundException",
                 message=f"Requested resource not found: Stream: {missing} not found")
    wrong_label = arn.rsplit("/", 1)[0] + "/2020-01-01T00:00:00.000"
    expect_error(streams.describe_stream, StreamArn=wrong_label,
                 code="ResourceNotFoundException",
                 message=f"Requested resource not found: Stream: {wrong_label} not found")
    other_region = arn.replace(f":{server.region}:", ":ap-south-2:")
    expect_error(streams.describe_stream, StreamArn=other_region,
                 code="ResourceNotFoundException")
    expect_error(streams.describe_stream, StreamArn=server.table_arn(table) + "/stream/xyz0000000",
                 code="ValidationException")
    expect_error(streams.list_streams, TableName="no-such-table-x",
                 code="ResourceNotFoundException",
                 message="Requested resource not found: Table: no-such-table-x not found")
    shard = only_shard(streams, arn)["ShardId"]
    expect_error(streams.get_shard_iterator, StreamArn=missing, ShardId=shard,
                 ShardIteratorType="LATEST", code="ResourceNotFoundException")
    bogus = "shardId-00000000000000000001-00000000"
    expect_error(streams.get_shard_iterator, StreamArn=arn, ShardId=bogus,
                 ShardIteratorType="LATEST", code="ResourceNotFoundException",
                 message="Requested resource not found: Shard does not exist")
    # A real shard id of another table's stream is no shard of this one.
    other = name("-o")
    other_arn = stream_table(ddb, other)
    other_shard = only_shard(streams, other_arn)["ShardId"]
    if other_shard != shard:
        expect_error(streams.get_shard_iterator, StreamArn=arn, ShardId=other_shard,
                     ShardIteratorType="LATEST", code="ResourceNotFoundException")


def test_deleted_table_stream_not_found(ddb, streams, name):
    table = name()
    arn = stream_table(ddb, table)
    ddb.put_item(TableName=table, Item=item("a"))
    shard = only_shard(streams, arn)["ShardId"]
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    ddb.delete_table(TableName=table)
    expect_error(streams.get_records, ShardIterator=it, code="ResourceNotFoundException")
    # A new table of the same name is another table: the old iterator does not read it.
    stream_table(ddb, table)
    ddb.put_item(TableName=table, Item=item("b"))
    expect_error(streams.get_records, ShardIterator=it, code="ResourceNotFoundException")


def test_forged_and_altered_iterators(ddb, streams, name):
    table_a, table_b = name("-a"), name("-b")
    arn_a = stream_table(ddb, table_a)
    stream_table(ddb, table_b)
    ddb.put_item(TableName=table_a, Item=item("secret-a"))
    ddb.put_item(TableName=table_b, Item=item("secret-b"))
    it = streams.get_shard_iterator(StreamArn=arn_a, ShardId=only_shard(streams, arn_a)["ShardId"],
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    assert streams.get_records(ShardIterator=it)["Records"]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    forged = [
        "x" * 100,
        it[:-1],
        it + "A",
        it[:10] + ("B" if it[10] != "B" else "C") + it[11:],
        # Well formed, but made under another secret.
        "AQAAAAEAAAGiEKoA1QAAAAAAAAABAAAAAAAAAAEAAAGiEKoA9gVzbW9rZRkgqqw0xUi72nS42mWv0xGF"
        "h_dXjoCGuvFFqV9dQTcq",
    ]
    for pos in range(0, len(it), max(1, len(it) // 12)):
        c = alphabet[(alphabet.index(it[pos]) + 1) % 64]
        forged.append(it[:pos] + c + it[pos + 1:])
    for bad in forged:
        if bad == it:
            continue
        expect_error(streams.get_records, ShardIterator=bad, code="ValidationException",
                     message="Invalid ShardIterator")


def test_parameter_validation(ddb, loose_streams, name):
    table = name()
    arn = stream_table(ddb, table)
    ddb.put_item(TableName=table, Item=item("a"))
    shard = only_shard(loose_streams, arn)["ShardId"]
    it = loose_streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    for limit in (0, 1001):
        expect_error(loose_streams.get_records, ShardIterator=it, Limit=limit,
                     code="ValidationException", contains="at 'limit'")
    assert len(loose_streams.get_records(ShardIterator=it, Limit=1000)["Records"]) == 1
    for limit in (0, 101):
        expect_error(loose_streams.list_streams, Limit=limit, code="ValidationException",
                     contains="at 'limit'")
        expect_error(loose_streams.describe_stream, StreamArn=arn, Limit=limit,
                     code="ValidationException", contains="at 'limit'")
    expect_error(loose_streams.get_shard_iterator, StreamArn=arn, ShardId=shard,
                 ShardIteratorType="SOMEWHERE", code="ValidationException",
                 contains="shardIteratorType")
    expect_error(loose_streams.get_shard_iterator, StreamArn=arn, ShardId=shard,
                 ShardIteratorType="AT_SEQUENCE_NUMBER", code="ValidationException",
                 contains="SequenceNumber")
    expect_error(loose_streams.get_shard_iterator, StreamArn=arn, ShardId=shard,
                 ShardIteratorType="AT_SEQUENCE_NUMBER", SequenceNumber="12x",
                 code="ValidationException",
                 message="1 validation error detected: Value '12x' at 'sequenceNumber' failed to "
                         "satisfy constraint: Member must have length greater than or equal to 21")
    expect_error(loose_streams.get_shard_iterator, StreamArn=arn, ShardId=shard,
                 ShardIteratorType="AT_SEQUENCE_NUMBER", SequenceNumber="1" * 20 + "x",
                 code="ValidationException", contains="SequenceNumber")
    # TRIM_HORIZON and LATEST take no sequence number.
    seq = loose_streams.get_records(ShardIterator=it)["Records"][0]["dynamodb"]["SequenceNumber"]
    for kind in ("TRIM_HORIZON", "LATEST"):
        expect_error(loose_streams.get_shard_iterator, StreamArn=arn, ShardId=shard,
                     ShardIteratorType=kind, SequenceNumber=seq, code="ValidationException",
                     message=f"Must not specify SequenceNumber for ShardIteratorType {kind}")
    expect_error(loose_streams.describe_stream, code="ValidationException",
                 contains="'streamArn'")
    expect_error(loose_streams.get_records, code="ValidationException",
                 contains="'shardIterator'")
    expect_error(loose_streams.list_streams, ExclusiveStartStreamArn="arn:nonsense" + "x" * 40,
                 code="ValidationException")


def test_raw_target_and_signing(server, ddb, name):
    """The service answers under its own target prefix, signed with service "dynamodb"."""
    table = name()
    arn = stream_table(ddb, table)
    resp = server.api("DescribeStream", {"StreamArn": arn},
                      target_prefix="DynamoDBStreams_20120810")
    assert resp.status == 200, resp
    assert resp.headers["content-type"] == "application/x-amz-json-1.0"
    assert resp.json()["StreamDescription"]["StreamArn"] == arn
    resp = server.api("NoSuchOperation", {}, target_prefix="DynamoDBStreams_20120810")
    gyre.expect_raw_error(resp, "UnknownOperationException")

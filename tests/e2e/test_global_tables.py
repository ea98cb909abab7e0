"""Global tables across three real regions (one gyre process each, peered with --peer).

The seed's validation (put with the AWS CLI in us-east-1, read in the other regions, directly
and through request forwarding), replica management with UpdateTable ReplicaUpdates and the
legacy global-table API, schema changes reaching every replica, conflicting concurrent writes
converging to the last writer's value, delete-versus-update races, atomic counters, and every
region's stream showing every change exactly once. Faults (kill -9, partitions, adding a replica
to a big table) and `gyre up` are in test_global_faults.py.
"""

import json
import os
import subprocess
import tempfile
import threading
import time

import pytest

import gyre
from cluster import REGIONS, ADMIN_KEY, cluster, make_cluster, scan_all, wait_until  # noqa: F401
from gyre import expect_error

US, EU, AP = REGIONS
SEED_KEY = {"PK": {"S": "PRODUCT#test123"}, "SK": {"S": "METADATA"}}
SEED_ITEM = {**SEED_KEY, "Name": {"S": "Test Product"}, "Price": {"N": "29.99"},
             "Stock": {"N": "50"}}


def aws_cli(endpoint, region, *args):
    """Run Debian's /usr/bin/aws with the cluster's admin key; returns parsed JSON (or None)."""
    home = tempfile.mkdtemp(prefix="gyre-cli-")
    akid, secret = ADMIN_KEY.split(":", 1)
    env = {"PATH": "/usr/bin:/bin", "HOME": home, "LANG": "C.UTF-8",
           "AWS_ACCESS_KEY_ID": akid, "AWS_SECRET_ACCESS_KEY": secret,
           "AWS_CONFIG_FILE": os.path.join(home, "none"),
           "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, "none"),
           "AWS_PAGER": "", "AWS_EC2_METADATA_DISABLED": "true", "AWS_MAX_ATTEMPTS": "1"}
    cmd = [gyre.AWS_CLI, "--endpoint-url", endpoint, "--region", region, "--output", "json",
           *args]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, f"{cmd} exited {proc.returncode}: {proc.stderr}"
    return json.loads(proc.stdout) if proc.stdout.strip() else None


def get(client, table, key):
    return client.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")


def wait_item(client, table, key, want, what=""):
    """Poll GetItem until it returns want (None: until the item is gone)."""
    wait_until(lambda: get(client, table, key) == want if want is not None
               else get(client, table, key) is None,
               what=what or f"{key} == {want}")


def k(pk, sk="A"):
    return {"PK": {"S": pk}, "SK": {"S": sk}}


# ---- the seed's validation -----------------------------------------------------------------


def test_seed_validation_put_in_us_read_everywhere(cluster):
    table = "ecommerce-global"
    cluster.global_table(table, StreamSpecification={"StreamEnabled": True,
                                                     "StreamViewType": "NEW_AND_OLD_IMAGES"})
    us = cluster[US]
    aws_cli(us.endpoint, US, "dynamodb", "put-item", "--table-name", table,
            "--item", json.dumps(SEED_ITEM))
    for region in (EU, AP):
        wait_item(cluster.ddb(region), table, SEED_KEY, SEED_ITEM, f"seed item in {region}")
        # The CLI pointed at the region's own endpoint sees it too.
        out = aws_cli(cluster[region].endpoint, region, "dynamodb", "get-item",
                      "--table-name", table, "--key", json.dumps(SEED_KEY), "--consistent-read")
        assert out["Item"] == SEED_ITEM
    # Forwarding: requests signed for eu-west-1 / ap-southeast-1 sent to us-east-1's endpoint.
    for region in (EU, AP):
        fwd = us.client(region=region)
        assert get(fwd, table, SEED_KEY) == SEED_ITEM
        arn = fwd.describe_table(TableName=table)["Table"]["TableArn"]
        assert arn == f"arn:aws:dynamodb:{region}:000000000000:table/{table}"
        out = aws_cli(us.endpoint, region, "dynamodb", "describe-table", "--table-name", table)
        assert out["Table"]["TableArn"] == arn
    # A write forwarded to eu-west-1 originates there and replicates back to us-east-1.
    fwd_item = {**k("PRODUCT#fwd", "METADATA"), "Name": {"S": "via forwarding"}}
    us.client(region=EU).put_item(TableName=table, Item=fwd_item)
    assert get(cluster.ddb(EU), table, k("PRODUCT#fwd", "METADATA")) == fwd_item
    for region in (US, AP):
        wait_item(cluster.ddb(region), table, k("PRODUCT#fwd", "METADATA"), fwd_item)


def test_replication_metrics_endpoint(cluster):
    table = cluster.global_table(gyre.unique("gt-metrics"))
    cluster.ddb(EU).put_item(TableName=table, Item={**k("m"), "v": {"N": "1"}})
    wait_item(cluster.ddb(US), table, k("m"), {**k("m"), "v": {"N": "1"}})
    resp = cluster[US].raw("GET", "/_gyre/replication")  # no auth needed
    assert resp.status == 200, resp
    m = resp.json()
    assert m["region"] == US
    assert sorted(p["region"] for p in m["peers"]) == sorted([EU, AP])
    for p in m["peers"]:
        assert p["url"] == cluster[p["region"]].endpoint
        assert p["reachable"] is True
    incoming = {o["origin"]: o for o in m["incoming"]}
    assert incoming[EU]["received"] >= 1
    assert incoming[EU]["latencyLastMs"] >= 0
    # EU shipped its own change to both peers.
    wait_until(lambda: all(p["shipped"] >= 1 for p in cluster.replication(EU)["peers"]),
               what="eu-west-1 to report shipped records")


# ---- replica management -----------------------------------------------------------------------


def test_replica_updates_create_describe_list_delete(cluster):
    table = gyre.unique("gt-replicas")
    us, eu, ap = cluster.ddb(US), cluster.ddb(EU), cluster.ddb(AP)
    gyre.create_table(us, table, "PK", "SK")  # no stream: making it global enables one
    desc = us.describe_table(TableName=table)["Table"]
    assert "Replicas" not in desc and "GlobalTableVersion" not in desc
    for c in (eu, ap):
        assert table not in c.list_tables()["TableNames"]
    us.put_item(TableName=table, Item={**k("before"), "v": {"S": "x"}})

    resp = us.update_table(TableName=table, ReplicaUpdates=[{"Create": {"RegionName": EU}}])
    td = resp["TableDescription"]
    assert td["Replicas"] == [{"RegionName": EU, "ReplicaStatus": "CREATING"}]
    assert td["GlobalTableVersion"] == "2019.11.21"
    cluster.wait_active(table, [US, EU])
    for region, other in ((US, EU), (EU, US)):
        d = cluster.ddb(region).describe_table(TableName=table)["Table"]
        assert d["GlobalTableVersion"] == "2019.11.21"
        assert d["Replicas"] == [{"RegionName": other, "ReplicaStatus": "ACTIVE"}]
        assert d["TableArn"] == f"arn:aws:dynamodb:{region}:000000000000:table/{table}"
        assert d["KeySchema"] == [{"AttributeName": "PK", "KeyType": "HASH"},
                                  {"AttributeName": "SK", "KeyType": "RANGE"}]
        assert d["StreamSpecification"] == {"StreamEnabled": True,
                                            "StreamViewType": "NEW_AND_OLD_IMAGES"}
        assert f":{region}:" in d["LatestStreamArn"]
    # The existing item was backfilled.
    assert get(eu, table, k("before")) == {**k("before"), "v": {"S": "x"}}

    # Add the third region from eu-west-1 (any replica can manage replicas).
    eu.update_table(TableName=table, ReplicaUpdates=[{"Create": {"RegionName": AP}}])
    cluster.wait_active(table, [US, EU, AP])
    for region in REGIONS:
        c = cluster.ddb(region)
        d = c.describe_table(TableName=table)["Table"]
        assert d["GlobalTableVersion"] == "2019.11.21"
        assert sorted(r["RegionName"] for r in d["Replicas"]) == sorted(set(REGIONS) - {region})
        assert table in c.list_tables()["TableNames"]
    assert get(ap, table, k("before")) == {**k("before"), "v": {"S": "x"}}

    # Errors: an existing replica, an unknown region.
    expect_error(us.update_table, TableName=table,
                 ReplicaUpdates=[{"Create": {"RegionName": AP}}], code="ValidationException")
    expect_error(us.update_table, TableName=table,
                 ReplicaUpdates=[{"Create": {"RegionName": "sa-east-1"}}],
                 code="ValidationException")
    expect_error(us.update_table, TableName=table,
                 ReplicaUpdates=[{"Delete": {"RegionName": "sa-east-1"}}],
                 code="ValidationException")

    # Deleting ap-southeast-1's replica removes its table and stops replication to it.
    us.update_table(TableName=table, ReplicaUpdates=[{"Delete": {"RegionName": AP}}])
    wait_until(lambda: table not in ap.list_tables()["TableNames"],
               what="ap-southeast-1's table to be removed")
    expect_error(ap.describe_table, TableName=table, code="ResourceNotFoundException")
    wait_until(lambda: all(cluster.replica_statuses(r, table) == {o: "ACTIVE"}
                           for r, o in ((US, EU), (EU, US))),
               what="us-east-1 and eu-west-1 to list only each other")
    us.put_item(TableName=table, Item={**k("after"), "v": {"S": "y"}})
    wait_item(eu, table, k("after"), {**k("after"), "v": {"S": "y"}})
    assert table not in ap.list_tables()["TableNames"]


def test_deleting_the_last_other_replica_removes_its_table(cluster):
    table = cluster.global_table(gyre.unique("gt-last"), replicas=[EU])
    us, eu = cluster.ddb(US), cluster.ddb(EU)
    us.update_table(TableName=table, ReplicaUpdates=[{"Delete": {"RegionName": EU}}])
    wait_until(lambda: table not in eu.list_tables()["TableNames"],
               what="eu-west-1's table to be removed when its replica is deleted", timeout=10)
    d = us.describe_table(TableName=table)["Table"]
    assert "Replicas" not in d or d["Replicas"] == []
    # us-east-1 keeps working as a single-region table.
    us.put_item(TableName=table, Item=k("solo"))
    assert get(us, table, k("solo")) == k("solo")


def test_legacy_global_table_api(cluster):
    table = gyre.unique("gt-legacy")
    stream = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    for region in (US, EU):  # the 2017.11.29 way: create the table in every region first
        gyre.create_table(cluster.ddb(region), table, "PK", "SK", StreamSpecification=stream)
    us, eu, ap = cluster.ddb(US), cluster.ddb(EU), cluster.ddb(AP)
    resp = us.create_global_table(GlobalTableName=table,
                                  ReplicationGroup=[{"RegionName": US}, {"RegionName": EU}])
    g = resp["GlobalTableDescription"]
    assert g["GlobalTableName"] == table
    assert g["GlobalTableStatus"] == "ACTIVE"
    assert g["GlobalTableArn"] == f"arn:aws:dynamodb::000000000000:global-table/{table}"
    assert sorted(r["RegionName"] for r in g["ReplicationGroup"]) == sorted([US, EU])
    cluster.wait_active(table, [US, EU])
    assert us.describe_table(TableName=table)["Table"]["GlobalTableVersion"] == "2017.11.29"

    for c in (us, eu):
        g = c.describe_global_table(GlobalTableName=table)["GlobalTableDescription"]
        assert sorted(r["RegionName"] for r in g["ReplicationGroup"]) == sorted([US, EU])
        listed = {t["GlobalTableName"]: t for t in c.list_global_tables()["GlobalTables"]}
        assert sorted(r["RegionName"] for r in listed[table]["ReplicationGroup"]) == \
            sorted([US, EU])
    in_eu = us.list_global_tables(RegionName=EU)["GlobalTables"]
    assert table in [t["GlobalTableName"] for t in in_eu]
    assert table not in [t["GlobalTableName"]
                         for t in us.list_global_tables(RegionName=AP)["GlobalTables"]]

    eu.put_item(TableName=table, Item={**k("legacy"), "v": {"N": "1"}})
    wait_item(us, table, k("legacy"), {**k("legacy"), "v": {"N": "1"}})

    expect_error(us.create_global_table, GlobalTableName=table,
                 ReplicationGroup=[{"RegionName": US}, {"RegionName": EU}],
                 code="GlobalTableAlreadyExistsException")
    expect_error(us.describe_global_table, GlobalTableName=gyre.unique("nope"),
                 code="GlobalTableNotFoundException")

    gyre.create_table(ap, table, "PK", "SK", StreamSpecification=stream)
    resp = us.update_global_table(GlobalTableName=table,
                                  ReplicaUpdates=[{"Create": {"RegionName": AP}}])
    assert AP in [r["RegionName"] for r in resp["GlobalTableDescription"]["ReplicationGroup"]]
    cluster.wait_active(table, list(REGIONS))
    wait_item(ap, table, k("legacy"), {**k("legacy"), "v": {"N": "1"}})
    g = ap.describe_global_table(GlobalTableName=table)["GlobalTableDescription"]
    assert sorted(r["RegionName"] for r in g["ReplicationGroup"]) == sorted(REGIONS)

    us.update_global_table(GlobalTableName=table, ReplicaUpdates=[{"Delete": {"RegionName": AP}}])
    wait_until(lambda: table not in ap.list_tables()["TableNames"],
               what="ap-southeast-1's legacy replica to be removed")
    g = us.describe_global_table(GlobalTableName=table)["GlobalTableDescription"]
    assert sorted(r["RegionName"] for r in g["ReplicationGroup"]) == sorted([US, EU])


def test_schema_changes_reach_every_replica(cluster):
    table = cluster.global_table(gyre.unique("gt-schema"))
    us = cluster.ddb(US)
    for region in REGIONS:
        d = cluster.ddb(region).describe_table(TableName=table)["Table"]
        assert d["StreamSpecification"] == {"StreamEnabled": True,
                                            "StreamViewType": "NEW_AND_OLD_IMAGES"}
        assert d["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"

    # Billing mode.
    us.update_table(TableName=table, BillingMode="PROVISIONED",
                    ProvisionedThroughput={"ReadCapacityUnits": 7, "WriteCapacityUnits": 9})

    def billing_everywhere():
        for region in REGIONS:
            d = cluster.ddb(region).describe_table(TableName=table)["Table"]
            if d.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED") != "PROVISIONED":
                return False
            if d["ProvisionedThroughput"]["WriteCapacityUnits"] != 9:
                return False
        return True
    wait_until(billing_everywhere, what="PROVISIONED billing in every region")

    # A new GSI created in eu-west-1 reaches every replica and indexes replicated items.
    cluster.ddb(EU).update_table(
        TableName=table,
        AttributeDefinitions=[{"AttributeName": "G", "AttributeType": "S"}],
        GlobalSecondaryIndexUpdates=[{"Create": {
            "IndexName": "byG", "KeySchema": [{"AttributeName": "G", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"},
            "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}}}])

    def gsi_everywhere():
        for region in REGIONS:
            d = cluster.ddb(region).describe_table(TableName=table)["Table"]
            names = [g["IndexName"] for g in d.get("GlobalSecondaryIndexes", [])]
            if names != ["byG"]:
                return False
        return True
    wait_until(gsi_everywhere, what="GSI byG in every region")
    item = {**k("gsi"), "G": {"S": "green"}}
    cluster.ddb(AP).put_item(TableName=table, Item=item)

    def indexed_everywhere():
        for region in REGIONS:
            got = cluster.ddb(region).query(
                TableName=table, IndexName="byG", KeyConditionExpression="G = :g",
                ExpressionAttributeValues={":g": {"S": "green"}})["Items"]
            if got != [item]:
                return False
        return True
    wait_until(indexed_everywhere, what="the replicated item in every region's GSI")

    # TTL.
    us.update_time_to_live(TableName=table, TimeToLiveSpecification={"Enabled": True,
                                                                     "AttributeName": "exp"})

    def ttl_everywhere():
        for region in REGIONS:
            d = cluster.ddb(region).describe_time_to_live(TableName=table)
            d = d["TimeToLiveDescription"]
            if d.get("TimeToLiveStatus") not in ("ENABLED", "ENABLING") or \
                    d.get("AttributeName") != "exp":
                return False
        return True
    wait_until(ttl_everywhere, what="TTL on attribute exp in every region")


def test_replica_stream_cannot_be_disabled(cluster):
    """DynamoDB refuses "Disabling Stream is not allowed for a Global Table replica"."""
    table = cluster.global_table(gyre.unique("gt-nostream"))
    expect_error(cluster.ddb(EU).update_table, TableName=table,
                 StreamSpecification={"StreamEnabled": False}, code="ValidationException")
    for region in REGIONS:
        d = cluster.ddb(region).describe_table(TableName=table)["Table"]
        assert d["StreamSpecification"] == {"StreamEnabled": True,
                                            "StreamViewType": "NEW_AND_OLD_IMAGES"}


# ---- conflicts -----------------------------------------------------------------------------


def test_concurrent_conflicting_writes_converge_to_a_last_write(cluster):
    table = cluster.global_table(gyre.unique("gt-conflict"))
    keys = [f"hot{i}" for i in range(8)]
    rounds = 40
    last = {}           # region -> {pk: the last value it wrote}
    errors = []
    barrier = threading.Barrier(len(REGIONS))

    def writer(region):
        try:
            c = cluster.ddb(region)
            mine = {}
            barrier.wait()
            for n in range(rounds):
                for pk in keys:
                    val = f"{region}:{n}"
                    if n % 3 == 2:
                        c.update_item(TableName=table, Key=k(pk),
                                      UpdateExpression="SET v = :v, w = :w",
                                      ExpressionAttributeValues={":v": {"S": val},
                                                                 ":w": {"S": region}})
                    else:
                        c.put_item(TableName=table, Item={**k(pk), "v": {"S": val},
                                                          "w": {"S": region}})
                    mine[pk] = val
            last[region] = mine
        except Exception as e:  # noqa: BLE001
            errors.append((region, e))

    threads = [threading.Thread(target=writer, args=(r,)) for r in REGIONS]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    state = cluster.wait_converged(table)
    assert sorted(state) == sorted((pk, "A") for pk in keys)
    for pk in keys:
        item = state[(pk, "A")]
        # Each region's writes to a key are sequential, so only a region's LAST write can win.
        finals = {last[r][pk] for r in REGIONS}
        assert item["v"]["S"] in finals, (pk, item, finals)
        assert item["w"]["S"] == item["v"]["S"].split(":")[0]
    cluster.wait_no_backlog()
    assert cluster.states(table) == {r: state for r in REGIONS}
    rc = cluster.verify(table)
    assert rc.returncode == 0, rc.stdout + rc.stderr


def test_causally_later_write_wins_everywhere(cluster):
    """A write made after another was visible in the writer's region is the one LWW keeps."""
    table = cluster.global_table(gyre.unique("gt-causal"))
    order = [US, EU, AP, EU, US, AP]
    for i, region in enumerate(order):
        item = {**k("chain"), "v": {"N": str(i)}, "by": {"S": region}}
        cluster.ddb(region).put_item(TableName=table, Item=item)
        nxt = order[i + 1] if i + 1 < len(order) else None
        if nxt:
            wait_item(cluster.ddb(nxt), table, k("chain"), item)
    final = {**k("chain"), "v": {"N": str(len(order) - 1)}, "by": {"S": order[-1]}}
    cluster.wait_converged(table, expect=lambda st: st.get(("chain", "A")) == final)


def test_delete_after_update_is_never_resurrected(cluster):
    table = cluster.global_table(gyre.unique("gt-delete"))
    us, eu, ap = cluster.ddb(US), cluster.ddb(EU), cluster.ddb(AP)
    # Update in us-east-1, then delete in eu-west-1 once eu sees the update.
    for i in range(5):
        key = k(f"del{i}")
        us.update_item(TableName=table, Key=key, UpdateExpression="SET v = :v",
                       ExpressionAttributeValues={":v": {"N": str(i)}})
        wait_item(eu, table, key, {**key, "v": {"N": str(i)}})
        eu.delete_item(TableName=table, Key=key)
    cluster.wait_converged(table, expect=lambda st: not st)
    cluster.wait_no_backlog()
    assert cluster.states(table) == {r: {} for r in REGIONS}

    # The late update: us-east-1 is cut off, updates the item, then eu-west-1 deletes it
    # (later in time). When the links heal, the older update must not bring the item back.
    key = k("late")
    item = {**key, "v": {"S": "orig"}}
    ap.put_item(TableName=table, Item=item)
    for region in (US, EU):
        wait_item(cluster.ddb(region), table, key, item)
    cluster.partition(US)
    us.update_item(TableName=table, Key=key, UpdateExpression="SET v = :v",
                   ExpressionAttributeValues={":v": {"S": "stale update"}})
    time.sleep(0.01)  # let the millisecond clock tick: the delete is strictly later
    eu.delete_item(TableName=table, Key=key)
    wait_item(ap, table, key, None, "the delete to reach ap-southeast-1")
    assert get(us, table, key)["v"] == {"S": "stale update"}
    cluster.heal()
    cluster.wait_converged(table, expect=lambda st: not st)
    cluster.wait_no_backlog()
    assert cluster.states(table) == {r: {} for r in REGIONS}

    # And the opposite order: a write made after the delete was seen does bring it back.
    us.delete_item(TableName=table, Key=k("again"))
    us.put_item(TableName=table, Item=k("again"))
    wait_item(ap, table, k("again"), k("again"))
    us.delete_item(TableName=table, Key=k("again"))
    wait_item(ap, table, k("again"), None)
    ap.put_item(TableName=table, Item={**k("again"), "v": {"S": "reborn"}})
    cluster.wait_converged(
        table, expect=lambda st: st.get(("again", "A")) == {**k("again"), "v": {"S": "reborn"}})


def test_concurrent_delete_update_races_converge(cluster):
    table = cluster.global_table(gyre.unique("gt-race"))
    keys = [f"r{i}" for i in range(20)]
    for pk in keys:
        cluster.ddb(US).put_item(TableName=table, Item={**k(pk), "v": {"S": "seed"}})
    cluster.wait_converged(table, expect=lambda st: len(st) == len(keys))
    errors = []

    def updater():
        try:
            c = cluster.ddb(US)
            for pk in keys:
                c.update_item(TableName=table, Key=k(pk), UpdateExpression="SET v = :v",
                              ExpressionAttributeValues={":v": {"S": "updated"}})
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    def deleter():
        try:
            c = cluster.ddb(AP)
            for pk in keys:
                c.delete_item(TableName=table, Key=k(pk))
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=updater), threading.Thread(target=deleter)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    state = cluster.wait_converged(table)
    for key, item in state.items():
        assert item == {**k(key[0]), "v": {"S": "updated"}}, item
    cluster.wait_no_backlog()
    assert cluster.states(table) == {r: state for r in REGIONS}


def test_atomic_counter_replicates_exactly(cluster):
    table = cluster.global_table(gyre.unique("gt-counter"))
    n = 200
    errors = []

    def bump(pk, times):
        try:
            c = cluster.ddb(EU)
            for _ in range(times):
                c.update_item(TableName=table, Key=k(pk), UpdateExpression="ADD hits :one",
                              ExpressionAttributeValues={":one": {"N": "1"}})
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    # Two threads on one counter and one on another, all in eu-west-1.
    threads = [threading.Thread(target=bump, args=("c1", n // 2)),
               threading.Thread(target=bump, args=("c1", n // 2)),
               threading.Thread(target=bump, args=("c2", n))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    want = {("c1", "A"): {**k("c1"), "hits": {"N": str(n)}},
            ("c2", "A"): {**k("c2"), "hits": {"N": str(n)}}}
    cluster.wait_converged(table, expect=lambda st: st == want)
    cluster.wait_no_backlog()
    assert cluster.states(table) == {r: want for r in REGIONS}


# ---- streams -------------------------------------------------------------------------------


def read_stream(streams, arn):
    """Every record of every shard of a stream (each shard read until it has no more)."""
    shards, kw = [], {"StreamArn": arn}
    while True:
        d = streams.describe_stream(**kw)["StreamDescription"]
        shards += d["Shards"]
        if "LastEvaluatedShardId" not in d:
            break
        kw["ExclusiveStartShardId"] = d["LastEvaluatedShardId"]
    records = []
    for sh in shards:
        it = streams.get_shard_iterator(StreamArn=arn, ShardId=sh["ShardId"],
                                        ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while it:
            resp = streams.get_records(ShardIterator=it)
            records += resp["Records"]
            it = resp.get("NextShardIterator")
            if not resp["Records"]:
                break
    return records


def test_each_region_stream_shows_every_change_once(cluster):
    if not os.path.isdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                      "src", "streams")):
        pytest.skip("the DynamoDB Streams API is not built yet (no src/streams/)")
    table = cluster.global_table(gyre.unique("gt-streams"))
    expected = []   # (pk, eventName, NewImage or None, OldImage or None)
    for region in REGIONS:
        c = cluster.ddb(region)
        for i in range(3):
            pk = f"{region}#{i}"
            v1 = {**k(pk), "v": {"N": "1"}, "origin": {"S": region}}
            v2 = {**k(pk), "v": {"N": "2"}, "origin": {"S": region}}
            c.put_item(TableName=table, Item=v1)
            c.update_item(TableName=table, Key=k(pk), UpdateExpression="SET v = :two",
                          ExpressionAttributeValues={":two": {"N": "2"}})
            expected += [(pk, "INSERT", v1, None), (pk, "MODIFY", v2, v1)]
            if i == 0:
                c.delete_item(TableName=table, Key=k(pk))
                expected.append((pk, "REMOVE", None, v2))
    final = {}
    for pk, ev, new, _ in expected:
        final[(pk, "A")] = new
    final = {kk: v for kk, v in final.items() if v is not None}
    cluster.wait_converged(table, expect=lambda st: st == final)
    cluster.wait_no_backlog()
    want = sorted(json.dumps(e, sort_keys=True) for e in expected)
    for region in REGIONS:
        srv = cluster[region]
        streams = srv.client("dynamodbstreams")
        arn = cluster.ddb(region).describe_table(TableName=table)["Table"]["LatestStreamArn"]
        assert f":{region}:" in arn

        def got_all():
            recs = read_stream(streams, arn)
            return recs if len(recs) >= len(expected) else None
        recs = wait_until(got_all, what=f"{len(expected)} stream records in {region}")
        got = sorted(json.dumps((r["dynamodb"]["Keys"]["PK"]["S"], r["eventName"],
                                 r["dynamodb"].get("NewImage"), r["dynamodb"].get("OldImage")),
                                sort_keys=True) for r in recs)
        assert got == want, f"{region}: stream records differ"
        seqs = [r["dynamodb"]["SequenceNumber"] for r in recs]
        assert len(set(seqs)) == len(seqs)
        # Per key, the region's stream keeps the order the changes were made in.
        for region2 in REGIONS:
            for i in range(3):
                pk = f"{region2}#{i}"
                evs = [r["eventName"] for r in recs if r["dynamodb"]["Keys"]["PK"]["S"] == pk]
                assert evs == (["INSERT", "MODIFY", "REMOVE"] if i == 0
                               else ["INSERT", "MODIFY"]), (region, pk, evs)


# ---- peer links ------------------------------------------------------------------------------


def test_peer_endpoints_refuse_untrusted_requests(cluster):
    """/_gyre/replicate, /_gyre/table and /_gyre/links take only requests signed by the
    cluster's key; a forged change signed by any other key (or unsigned) is refused."""
    table = cluster.global_table(gyre.unique("gt-auth"))
    eu = cluster[EU]
    stamp = str(((int(time.time() * 1000) + 10_000) << 16) + 1)

    def batch(pk):
        return json.dumps({"table": table, "origin": US, "records": [{
            "stamp": stamp, "origin": US, "ms": int(time.time() * 1000),
            "keys": k(pk), "item": {**k(pk), "forged": {"BOOL": True}}}]}).encode()

    hdrs = {"Content-Type": "application/json"}
    bad_key = dict(access_key="AKIAGYREUNTRUSTED001", secret_key="not-the-cluster-secret")
    for path, body in (("/_gyre/replicate", batch("forged")),
                       ("/_gyre/links", json.dumps({"cut": [US, AP]}).encode()),
                       ("/_gyre/table", json.dumps({"TableName": table}).encode())):
        unsigned = eu.raw("POST", path, body, hdrs)
        assert unsigned.status in (400, 403), (path, unsigned)
        forged = eu.signed("POST", path, body, hdrs, service="gyre", **bad_key)
        assert forged.status in (400, 403), (path, forged)
        assert forged.error_code in ("UnrecognizedClientException", "InvalidSignatureException",
                                     "AccessDeniedException", "MissingAuthenticationTokenException",
                                     "IncompleteSignatureException"), (path, forged)
    assert get(cluster.ddb(EU), table, k("forged")) is None
    # The forged /_gyre/links call cut nothing: us-east-1's writes still reach eu-west-1.
    cluster.ddb(US).put_item(TableName=table, Item=k("still-linked"))
    wait_item(cluster.ddb(EU), table, k("still-linked"), k("still-linked"))
    # Positive control: the same batch signed by the cluster's key is applied.
    ok = eu.signed("POST", "/_gyre/replicate", batch("genuine"), hdrs, service="gyre")
    assert ok.status == 200, ok
    assert get(cluster.ddb(EU), table, k("genuine")) == {**k("genuine"), "forged": {"BOOL": True}}


def test_ttl_deletions_replicate_as_deletes(make_cluster):
    c = make_cluster(GYRE_TTL_SWEEP_MS=50)
    table = c.global_table(gyre.unique("gt-ttl"))
    past, future = int(time.time()) - 3600, int(time.time()) + 3600
    live = {**k("live"), "exp": {"N": str(future)}}
    c.ddb(EU).put_item(TableName=table, Item=live)
    for i in range(5):
        c.ddb(EU).put_item(TableName=table, Item={**k(f"old{i}"), "exp": {"N": str(past)}})
    # Every region holds the expired items before any sweep may delete them: otherwise a region
    # that receives an item's put and its deletion together never stored it, and rightly shows
    # no REMOVE for it (a race a loaded machine used to win).
    c.wait_converged(table, expect=lambda st: len(st) == 6)
    c.ddb(US).update_time_to_live(TableName=table, TimeToLiveSpecification={
        "Enabled": True, "AttributeName": "exp"})
    wait_until(lambda: all(c.ddb(r).describe_time_to_live(TableName=table)
                           ["TimeToLiveDescription"].get("AttributeName") == "exp"
                           for r in REGIONS), what="TTL enabled in every region")
    state = c.wait_converged(table, expect=lambda st: list(st) == [("live", "A")])
    assert state[("live", "A")] == live
    c.wait_no_backlog()
    # Each region's stream shows each expired item's REMOVE once.
    for region in REGIONS:
        arn = c.ddb(region).describe_table(TableName=table)["Table"]["LatestStreamArn"]
        streams = c[region].client("dynamodbstreams")
        # Wait for all five (a sweep may still be deleting in some region), then check each once.
        removes = wait_until(lambda: (lambda rs: rs if len(rs) >= 5 else None)(
                                 [r for r in read_stream(streams, arn) if r["eventName"] == "REMOVE"]),
                             what=f"five REMOVE records in {region}")
        keys = sorted(r["dynamodb"]["Keys"]["PK"]["S"] for r in removes)
        assert keys == [f"old{i}" for i in range(5)], (region, keys)

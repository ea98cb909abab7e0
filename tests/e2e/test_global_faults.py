"""Global tables under faults, three real regions each: a region killed with kill -9 mid-load
and restarted, a partition (peer links cut on both sides) during writes on both sides, a replica
added to a table of 10,000 items while writes continue, and `gyre up` (the seed's deployment).
Every run ends with `gyre verify` agreeing across the regions."""

import os
import random
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading

import boto3
import botocore.config
import pytest

import gyre
from cluster import REGIONS, cluster, make_cluster, scan_all, wait_until  # noqa: F401

US, EU, AP = REGIONS


def k(pk, sk="A"):
    return {"PK": {"S": pk}, "SK": {"S": sk}}


class Writer(threading.Thread):
    """Writes unique items (and, optionally, conflicting ones to shared hot keys) to one region
    until stopped or until a request fails; remembers every acknowledged write."""

    def __init__(self, cluster, region, table, tag, hot=(), limit=None):
        super().__init__(daemon=True)
        self.cluster, self.region, self.table, self.tag = cluster, region, table, tag
        self.hot, self.limit = list(hot), limit
        self.stop = threading.Event()
        self.acked = {}          # key tuple -> item
        self.hot_last = {}       # hot pk -> the last value acknowledged
        self.error = None

    def run(self):
        c = self.cluster[self.region].client()
        n = 0
        try:
            while not self.stop.is_set() and (self.limit is None or n < self.limit):
                pk = f"{self.tag}#{n}"
                item = {**k(pk), "n": {"N": str(n)}, "region": {"S": self.region}}
                c.put_item(TableName=self.table, Item=item)
                self.acked[(pk, "A")] = item
                if self.hot:
                    hk = self.hot[n % len(self.hot)]
                    val = f"{self.tag}:{n}"
                    c.put_item(TableName=self.table, Item={**k(hk), "v": {"S": val}})
                    self.hot_last[hk] = val
                n += 1
        except Exception as e:  # noqa: BLE001
            self.error = e

    def count(self):
        return len(self.acked)

    def finish(self, timeout=60):
        self.stop.set()
        self.join(timeout)
        assert not self.is_alive(), f"writer {self.tag} did not stop"


def check_verify(cluster, table):
    rc = cluster.verify(table)
    assert rc.returncode == 0, f"gyre verify exited {rc.returncode}:\n{rc.stdout}\n{rc.stderr}"
    assert f"{table}: all {len(cluster.regions)} replicas agree" in rc.stdout, rc.stdout
    return rc


def check_acked(state, writers):
    for w in writers:
        for key, item in w.acked.items():
            assert state.get(key) == item, (w.tag, key, item, state.get(key))


def check_hot(state, writers, hot):
    for hk in hot:
        finals = {w.hot_last[hk] for w in writers if hk in w.hot_last}
        assert state[(hk, "A")]["v"]["S"] in finals, (hk, state[(hk, "A")], finals)


# ---- kill -9 ---------------------------------------------------------------------------------


def test_kill_9_one_region_mid_load_then_restart(cluster):
    table = cluster.global_table(gyre.unique("gt-kill"))
    hot = [f"hot{i}" for i in range(4)]
    writers = {r: Writer(cluster, r, table, f"{r}-1", hot) for r in REGIONS}
    for w in writers.values():
        w.start()
    wait_until(lambda: all(w.count() >= 30 for w in writers.values()),
               what="every region to take 30 writes")
    cluster[EU].kill()                    # eu-west-1's writer dies with its region
    writers[EU].join(30)
    assert not writers[EU].is_alive()
    base = {r: writers[r].count() for r in (US, AP)}
    wait_until(lambda: all(writers[r].count() >= base[r] + 50 for r in (US, AP)),
               what="us-east-1 and ap-southeast-1 to keep taking writes")
    assert writers[US].error is None and writers[AP].error is None
    wait_until(lambda: not {p["region"]: p["reachable"]
                            for p in cluster.replication(US)["peers"]}[EU],
               what="us-east-1 to notice eu-west-1 is down")

    cluster[EU].start()                   # same port, data dir and --peer flags
    cluster.forget_clients(EU)
    again = Writer(cluster, EU, table, f"{EU}-2", hot)
    again.start()
    wait_until(lambda: again.count() >= 30, what="eu-west-1 to take writes after restart")
    everyone = list(writers.values()) + [again]
    for w in everyone:
        w.finish()
    for w in (writers[US], writers[AP], again):
        assert w.error is None, (w.tag, w.error)

    state = cluster.wait_converged(table)
    check_acked(state, everyone)
    # Only the write in flight when eu-west-1 died may or may not have landed.
    extra = set(state) - {key for w in everyone for key in w.acked} - {(h, "A") for h in hot}
    assert len(extra) <= 1, extra
    check_hot(state, everyone, hot)
    cluster.wait_no_backlog()
    check_verify(cluster, table)
    assert {p["region"]: p["reachable"] for p in cluster.replication(US)["peers"]}[EU]


# ---- a region further behind than the retained log -------------------------------------------


def stream_keys(server, table):
    """The PKs of every record in the region's stream of table."""
    c = server.client()
    streams = server.client("dynamodbstreams")
    arn = c.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    shards, kw = [], {"StreamArn": arn}
    while True:
        d = streams.describe_stream(**kw)["StreamDescription"]
        shards += d["Shards"]
        if "LastEvaluatedShardId" not in d:
            break
        kw["ExclusiveStartShardId"] = d["LastEvaluatedShardId"]
    keys = []
    for sh in shards:
        it = streams.get_shard_iterator(StreamArn=arn, ShardId=sh["ShardId"],
                                        ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while it:
            resp = streams.get_records(ShardIterator=it)
            keys += [r["dynamodb"]["Keys"]["PK"]["S"] for r in resp["Records"]]
            it = resp.get("NextShardIterator")
            if not resp["Records"]:
                break
    return keys


def test_region_behind_the_retained_log_is_reseeded(make_cluster):
    """eu-west-1 is stopped while us-east-1 deletes, updates and adds items and trims its log
    (and its tombstones) past them; when eu-west-1 returns it must end identical, with the
    deleted items gone, though no log record or tombstone of those deletes is left."""
    c = make_cluster(GYRE_STREAM_RETENTION_MS=1500, GYRE_STREAM_TRIM_MS=100)
    table = c.global_table(gyre.unique("gt-reseed"))
    us = c.ddb(US)
    for i in range(30):
        us.put_item(TableName=table, Item={**k(f"i{i:02d}"), "v": {"N": "0"}})
    c.wait_converged(table, expect=lambda st: len(st) == 30)
    c.wait_no_backlog()
    assert c[EU].stop() == 0
    for i in range(10):
        us.delete_item(TableName=table, Key=k(f"i{i:02d}"))
    for i in range(10, 20):
        us.update_item(TableName=table, Key=k(f"i{i:02d}"), UpdateExpression="SET v = :v",
                       ExpressionAttributeValues={":v": {"N": "1"}})
    # Wait until us-east-1 has trimmed those changes from its log.
    wait_until(lambda: not {f"i{i:02d}" for i in range(20)} & set(stream_keys(c[US], table)),
               what="us-east-1 to trim the changes eu-west-1 missed")
    for i in range(30, 40):
        c.ddb(AP).put_item(TableName=table, Item={**k(f"i{i:02d}"), "v": {"N": "2"}})
    c[EU].start()
    c.forget_clients(EU)
    want = {(f"i{i:02d}", "A"): {**k(f"i{i:02d}"), "v": {"N": "1" if i < 20 else
                                                           "0" if i < 30 else "2"}}
            for i in range(10, 40)}
    c.wait_converged(table, expect=lambda st: st == want, timeout=30)
    c.wait_no_backlog()
    assert c.states(table) == {r: want for r in REGIONS}
    check_verify(c, table)


# ---- partition -------------------------------------------------------------------------------


def test_partition_during_writes_then_heal(cluster):
    table = cluster.global_table(gyre.unique("gt-part"))
    hot = [f"hot{i}" for i in range(4)]
    cluster.partition(AP)
    writers = [Writer(cluster, r, table, f"{r}-p", hot, limit=120) for r in REGIONS]
    for w in writers:
        w.start()
    for w in writers:
        w.join(120)
        assert w.error is None, (w.tag, w.error)
    by = {w.region: w for w in writers}
    us_key = max(by[US].acked)
    # The connected side still replicates...
    wait_until(lambda: scan_all(cluster.ddb(EU), table).get(us_key) is not None,
               what="us-east-1's writes to reach eu-west-1 during the partition")
    # ...but nothing crosses the cut, either way, and every side keeps serving reads and writes.
    for region in (US, EU):
        st = scan_all(cluster.ddb(region), table)
        assert not [key for key in by[AP].acked if key in st], f"ap writes leaked to {region}"
    st = scan_all(cluster.ddb(AP), table)
    assert not [key for key in list(by[US].acked) + list(by[EU].acked) if key in st]
    assert all(st[key] == item for key, item in by[AP].acked.items())
    # gyre verify sees the divergence and names the differing items.
    rc = cluster.verify(table)
    assert rc.returncode != 0, rc.stdout
    ap_pk = min(by[AP].acked)[0]
    assert f"missing in {US}" in rc.stdout and f'"{ap_pk}"' in rc.stdout, rc.stdout[-3000:]
    # Writes on both sides during the partition.
    more = [Writer(cluster, r, table, f"{r}-q", hot, limit=40) for r in (US, AP)]
    for w in more:
        w.start()
    cluster.heal()                        # healing while the writers still run
    for w in more:
        w.join(120)
        assert w.error is None, (w.tag, w.error)
    state = cluster.wait_converged(table)
    everyone = writers + more
    check_acked(state, everyone)
    assert set(state) == {key for w in everyone for key in w.acked} | {(h, "A") for h in hot}
    # The hot keys: the second US/AP writers wrote them last (after every first-phase write),
    # so the value is one of their last writes.
    for hk in hot:
        finals = {w.hot_last[hk] for w in more}
        assert state[(hk, "A")]["v"]["S"] in finals, (hk, state[(hk, "A")], finals)
    cluster.wait_no_backlog()
    check_verify(cluster, table)


# ---- a replica added to a big table --------------------------------------------------------


def batch_load(client, table, items):
    for i in range(0, len(items), 25):
        reqs = [{"PutRequest": {"Item": it}} for it in items[i:i + 25]]
        pending = {table: reqs}
        for _ in range(100):
            resp = client.batch_write_item(RequestItems=pending)
            pending = resp.get("UnprocessedItems") or {}
            if not pending:
                break
        assert not pending, "BatchWriteItem kept returning UnprocessedItems"


def test_replica_added_to_10000_item_table_while_writes_continue(cluster):
    table = cluster.global_table(gyre.unique("gt-big"), replicas=[EU])
    n = 10_000
    pad = "x" * 64
    items = [{**k(f"item{i:05d}"), "n": {"N": str(i)}, "pad": {"S": pad}} for i in range(n)]
    halves = [items[:n // 2], items[n // 2:]]
    loaders = [threading.Thread(target=batch_load, args=(cluster[US].client(), table, h))
               for h in halves]
    for t in loaders:
        t.start()
    for t in loaders:
        t.join(300)
    assert len(scan_all(cluster.ddb(US), table)) == n

    stop = threading.Event()
    errors = []
    changed = {US: set(), EU: set()}

    def churn(region, seed):
        rnd = random.Random(seed)
        c = cluster[region].client()
        try:
            i = 0
            while not stop.is_set():
                pk = f"item{rnd.randrange(n):05d}"
                if i % 5 == 4:
                    c.delete_item(TableName=table, Key=k(pk))
                else:
                    c.update_item(TableName=table, Key=k(pk), UpdateExpression="SET v = :v",
                                  ExpressionAttributeValues={":v": {"S": f"{region}:{i}"}})
                c.put_item(TableName=table, Item={**k(f"new-{region}-{i}"), "i": {"N": str(i)}})
                changed[region].add(pk)
                i += 1
        except Exception as e:  # noqa: BLE001
            errors.append((region, e))

    threads = [threading.Thread(target=churn, args=(r, s)) for s, r in enumerate((US, EU))]
    for t in threads:
        t.start()
    try:
        wait_until(lambda: len(changed[US]) >= 20 and len(changed[EU]) >= 20,
                   what="writes to start")
        resp = cluster.ddb(US).update_table(TableName=table,
                                           ReplicaUpdates=[{"Create": {"RegionName": AP}}])
        assert {"RegionName": AP, "ReplicaStatus": "CREATING"} in \
            resp["TableDescription"]["Replicas"]
        cluster.wait_active(table, list(REGIONS), timeout=90)
        # Keep writing a little after ACTIVE, so the replica also takes live changes.
        base = len(changed[US])
        wait_until(lambda: len(changed[US]) >= base + 20, what="writes after ACTIVE")
    finally:
        stop.set()
        for t in threads:
            t.join(60)
    assert not errors, errors
    state = cluster.wait_converged(table, timeout=90)
    assert len(state) > n // 2
    untouched = [it for it in items if it["PK"]["S"] not in changed[US] | changed[EU]]
    for it in untouched[:: max(1, len(untouched) // 500)]:
        assert state[(it["PK"]["S"], "A")] == it
    cluster.wait_no_backlog()
    check_verify(cluster, table)


# ---- gyre up -----------------------------------------------------------------------------------


def free_port_run(count):
    """A base port with `count` consecutive ports free on 127.0.0.1."""
    for _ in range(200):
        base = random.randrange(20000, 60000)
        socks = []
        try:
            for p in range(base, base + count):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                socks.append(s)
                s.bind(("127.0.0.1", p))
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no run of free ports")


def children(pid):
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            out.append(int(d))
    return out


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except OSError:
        return False


def test_gyre_up_starts_three_regions_and_stops_on_sigterm():
    if os.environ.get("GYRE_ENDPOINT"):
        pytest.skip("needs its own gyre processes (GYRE_ENDPOINT is set)")
    bin_path = os.environ.get("GYRE_BIN")
    if not bin_path:
        pytest.skip("GYRE_BIN is not set")
    data = tempfile.mkdtemp(prefix="gyre-up-")
    base = free_port_run(3)
    env = {k_: v for k_, v in os.environ.items() if k_ != "GYRE_ADMIN_KEY"}
    proc = subprocess.Popen([bin_path, "up", "--regions", ",".join(REGIONS), "--base-port",
                             str(base), "--data", data],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    lines = []
    ready = threading.Event()

    def reader():
        for line in proc.stdout:
            lines.append(line)
            if "Stop with Ctrl-C" in line:
                ready.set()
    t = threading.Thread(target=reader, daemon=True)
    t.start()
    kids = []
    try:
        assert ready.wait(60), "gyre up did not print its ready line:\n" + "".join(lines)
        out = "".join(lines)
        kids = children(proc.pid)
        assert len(kids) == 3, (kids, out)
        akid = re.search(r"AWS_ACCESS_KEY_ID=(\S+)", out).group(1)
        secret = re.search(r"AWS_SECRET_ACCESS_KEY=(\S+)", out).group(1)
        cfg = botocore.config.Config(retries={"total_max_attempts": 1})
        clients = {}
        for i, region in enumerate(REGIONS):
            url = f"http://127.0.0.1:{base + i}"
            assert url in out
            clients[region] = boto3.session.Session().client(
                "dynamodb", endpoint_url=url, region_name=region, aws_access_key_id=akid,
                aws_secret_access_key=secret, config=cfg)
        for region, c in clients.items():
            assert "ecommerce-global" in c.list_tables()["TableNames"], region
            d = c.describe_table(TableName="ecommerce-global")["Table"]
            assert d["GlobalTableVersion"] == "2019.11.21"
            assert d["StreamSpecification"] == {"StreamEnabled": True,
                                                "StreamViewType": "NEW_AND_OLD_IMAGES"}
            assert sorted(r["RegionName"] for r in d["Replicas"]) == \
                sorted(set(REGIONS) - {region})
            kin = boto3.session.Session().client(
                "kinesis", endpoint_url=c.meta.endpoint_url, region_name=region,
                aws_access_key_id=akid, aws_secret_access_key=secret, config=cfg)
            sd = kin.describe_stream_summary(StreamName="ecommerce-events")[
                "StreamDescriptionSummary"]
            assert (sd["StreamStatus"], sd["OpenShardCount"], sd["RetentionPeriodHours"],
                    sd["EncryptionType"]) == ("ACTIVE", 3, 24, "KMS"), (region, sd)
        seed = {**k("PRODUCT#test123", "METADATA"), "Name": {"S": "Test Product"},
                "Price": {"N": "29.99"}, "Stock": {"N": "50"}}
        clients[US].put_item(TableName="ecommerce-global", Item=seed)
        for region in (EU, AP):
            wait_until(lambda: clients[region].get_item(
                TableName="ecommerce-global", Key=k("PRODUCT#test123", "METADATA"),
                ConsistentRead=True).get("Item") == seed, what=f"seed item in {region}")

        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(60)
        assert rc == 0, "".join(lines)
        wait_until(lambda: not any(alive(p) for p in kids), timeout=10,
                   what="every gyre serve child to exit")
        for region in REGIONS:
            assert os.path.isdir(os.path.join(data, region))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for p in kids:
            if alive(p):
                os.kill(p, signal.SIGKILL)
        shutil.rmtree(data, ignore_errors=True)

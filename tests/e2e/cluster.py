"""cluster.py — three real `gyre serve` processes that replicate to each other (global tables).

Cluster picks a free port per region first, so every process is started with `--peer` flags
naming the others, and all share one admin key. It hands out boto3 clients per region, cuts and
heals peer links (POST /_gyre/links), runs `gyre verify`, and waits for convergence by polling
(never by sleeping a guessed time).
"""

import json
import os
import subprocess
import threading
import time

import pytest

import gyre

REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-1")
ADMIN_KEY = "AKIAGYREGLOBALTEST01:global-secret-0123456789abcdef"
CONVERGE_TIMEOUT = 60


def wait_until(pred, timeout=CONVERGE_TIMEOUT, what="condition", interval=0.02):
    """Poll pred() until it returns a truthy value; return it, or fail after timeout seconds."""
    deadline = time.monotonic() + timeout
    last_exc = None
    while True:
        try:
            value = pred()
            if value:
                return value
            last_exc = None
        except Exception as e:  # noqa: BLE001 - keep polling, report the last error
            last_exc = e
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}"
                                 + (f" (last error: {last_exc!r})" if last_exc else ""))
        time.sleep(interval)


def key_of(item, keys=("PK", "SK")):
    return tuple(item[k]["S"] if "S" in item[k] else item[k]["N"] for k in keys if k in item)


def scan_all(client, table):
    """Every item of table (strongly consistent Scan), as {key tuple: item}."""
    out = {}
    kw = {"TableName": table, "ConsistentRead": True}
    while True:
        resp = client.scan(**kw)
        for it in resp["Items"]:
            out[key_of(it)] = it
        if "LastEvaluatedKey" not in resp:
            return out
        kw["ExclusiveStartKey"] = resp["LastEvaluatedKey"]


class Cluster:
    """Three (or more) regions on 127.0.0.1, each peering with every other."""

    def __init__(self, regions=REGIONS):
        self.regions = list(regions)
        self.ports = {r: gyre.free_port() for r in self.regions}
        self.servers = {}
        for r in self.regions:
            extra = []
            for other in self.regions:
                if other != r:
                    extra += ["--peer", f"{other}=http://127.0.0.1:{self.ports[other]}"]
            self.servers[r] = gyre.GyreServer(region=r, admin_key=ADMIN_KEY, port=self.ports[r],
                                              extra_args=extra)
        self._clients = {}
        self._lock = threading.Lock()

    def start(self):
        for srv in self.servers.values():
            srv.start()
        return self

    def close(self):
        for srv in self.servers.values():
            srv.close()

    def __getitem__(self, region):
        return self.servers[region]

    def ddb(self, region):
        """A boto3 DynamoDB client for region (one per thread, since clients are not shared)."""
        k = (region, threading.get_ident())
        with self._lock:
            c = self._clients.get(k)
        if c is None:
            c = self.servers[region].client()
            with self._lock:
                self._clients[k] = c
        return c

    def forget_clients(self, region):
        """Drop cached clients of a region (after a restart their connections are dead)."""
        with self._lock:
            for k in [k for k in self._clients if k[0] == region]:
                del self._clients[k]

    # ---- tables --------------------------------------------------------------------------

    def global_table(self, table, origin="us-east-1", replicas=None, range_key="SK", **create):
        """Create table in origin, add replicas (default: every other region), wait ACTIVE."""
        replicas = [r for r in self.regions if r != origin] if replicas is None else replicas
        gyre.create_table(self.ddb(origin), table, "PK", range_key, **create)
        self.ddb(origin).update_table(
            TableName=table, ReplicaUpdates=[{"Create": {"RegionName": r}} for r in replicas])
        self.wait_active(table, [origin] + list(replicas))
        return table

    def replica_statuses(self, region, table):
        desc = self.ddb(region).describe_table(TableName=table)["Table"]
        return {r["RegionName"]: r["ReplicaStatus"] for r in desc.get("Replicas", [])}

    def wait_active(self, table, regions, timeout=CONVERGE_TIMEOUT):
        """Every region lists every other one as an ACTIVE replica."""
        def ok():
            for r in regions:
                st = self.replica_statuses(r, table)
                want = {o: "ACTIVE" for o in regions if o != r}
                if st != want:
                    return False
            return True
        wait_until(ok, timeout, f"replicas of {table} ACTIVE in {regions}")

    # ---- convergence ---------------------------------------------------------------------

    def states(self, table, regions=None):
        return {r: scan_all(self.ddb(r), table) for r in (regions or self.regions)}

    def wait_converged(self, table, regions=None, timeout=CONVERGE_TIMEOUT, expect=None):
        """Poll until every region holds the same items (and, if given, expect(state) holds)."""
        regions = regions or self.regions
        last = {}

        def same():
            st = self.states(table, regions)
            last["st"] = st
            first = st[regions[0]]
            if any(st[r] != first for r in regions[1:]):
                return False
            return expect is None or expect(first)
        try:
            wait_until(same, timeout, f"{table} to converge in {regions}")
        except AssertionError:
            st = last.get("st", {})
            detail = []
            if st:
                base = st[regions[0]]
                for r in regions[1:]:
                    diff = sorted(k for k in set(base) | set(st[r]) if base.get(k) != st[r].get(k))
                    detail.append(f"{regions[0]} vs {r}: {len(diff)} differ, e.g. "
                                  + "; ".join(f"{k}: {base.get(k)} / {st[r].get(k)}"
                                              for k in diff[:3]))
            raise AssertionError(f"{table} did not converge: " + " | ".join(detail)
                                 + f"\nreplication: {self.replication_all()}")
        return last["st"][regions[0]]

    def replication(self, region):
        return self.servers[region].raw("GET", "/_gyre/replication").json()

    def replication_all(self):
        out = {}
        for r in self.regions:
            try:
                out[r] = self.replication(r)
            except OSError as e:
                out[r] = repr(e)
        return out

    def wait_no_backlog(self, regions=None, timeout=CONVERGE_TIMEOUT):
        """Every region's shippers report an empty backlog to every peer."""
        regions = regions or self.regions

        def ok():
            for r in regions:
                for p in self.replication(r)["peers"]:
                    if p["region"] in regions and any(t["backlog"] for t in p["tables"]):
                        return False
            return True
        wait_until(ok, timeout, "replication backlogs to drain")

    # ---- links and verification ------------------------------------------------------------

    def set_cut(self, region, peers):
        srv = self.servers[region]
        body = json.dumps({"cut": list(peers)}).encode()
        resp = srv.signed("POST", "/_gyre/links", body, {"Content-Type": "application/json"},
                          service="gyre")
        assert resp.status == 200, resp
        assert sorted(resp.json()["cut"]) == sorted(peers), resp
        return resp

    def partition(self, region):
        """Cut every link between region and the others (on both sides)."""
        others = [r for r in self.regions if r != region]
        self.set_cut(region, others)
        for o in others:
            self.set_cut(o, [region])

    def heal(self):
        for r in self.regions:
            self.set_cut(r, [])

    def verify(self, table, regions=None, timeout=120):
        env = dict(os.environ)
        env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"] = ADMIN_KEY.split(":", 1)
        cmd = [os.environ["GYRE_BIN"], "verify", "--table", table]
        for r in regions or self.regions:
            cmd += ["--endpoint", self.servers[r].endpoint]
        return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def cluster():
    """A fresh three-region cluster for one test."""
    if os.environ.get("GYRE_ENDPOINT"):
        pytest.skip("needs its own gyre processes (GYRE_ENDPOINT is set)")
    if not os.environ.get("GYRE_BIN"):
        pytest.skip("GYRE_BIN is not set")
    c = Cluster()
    try:
        c.start()
        yield c
    finally:
        c.close()


@pytest.fixture
def make_cluster(monkeypatch):
    """make_cluster(**env): a started cluster whose processes get extra environment variables
    (e.g. GYRE_TTL_SWEEP_MS); stopped after the test (after its logs were attached)."""
    if os.environ.get("GYRE_ENDPOINT"):
        pytest.skip("needs its own gyre processes (GYRE_ENDPOINT is set)")
    if not os.environ.get("GYRE_BIN"):
        pytest.skip("GYRE_BIN is not set")
    made = []

    def make(**env):
        for name, value in env.items():
            monkeypatch.setenv(name, str(value))
        c = Cluster()
        made.append(c)
        return c.start()

    yield make
    for c in made:
        c.close()

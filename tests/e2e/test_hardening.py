"""Hardening: one client must never hurt the others (issue 20, items 9, 10 and 12).

Each test is a bounded load on loopback (a fixed count of requests or sockets, each with a
timeout) and asserts service continuity: the hostile request is answered or cut off, and an
ordinary client is still served. No test asserts a timing; the timeouts only bound a hang.
"""

import concurrent.futures
import http.client
import json
import resource
import select
import socket
import subprocess
import sys
import time

import pytest

import gyre
from cluster import REGIONS, cluster  # noqa: F401
from gyre import expect_raw_error

# DynamoDB's request limit is 16 MiB; stay just under it.
BODY_LIMIT = 16 * 1024 * 1024


def assert_still_serving(server, source=None):
    """Health and ListTables answered, each on a new connection (from source, an address of
    this host, when given)."""
    def conn():
        if source is None:
            return None
        return http.client.HTTPConnection(server.host, server.port, timeout=20,
                                          source_address=(source, 0))
    c = conn()
    try:
        assert server.raw("GET", "/_gyre/health", timeout=20, conn=c).status == 200
    finally:
        if c is not None:
            c.close()
    c = conn()
    try:
        resp = server.api("ListTables", {}, timeout=20, conn=c)
        assert resp.status == 200, resp
    finally:
        if c is not None:
            c.close()


def small_keys_body(prefix, tail, value, limit=BODY_LIMIT - 4096, dup=None, key="k"):
    """prefix + {"k0":value,"k1":value,...} + tail, as many keys as fit under limit bytes."""
    parts, size, i = [], len(prefix) + len(tail) + 2, 0
    while True:
        part = f'"{key}{i}":{value}'
        if size + len(part) + 1 > limit:
            break
        parts.append(part)
        size += len(part) + 1
        i += 1
    if dup is not None:
        parts.append(f'"{key}{dup}":{value}')
    return (prefix + "{" + ",".join(parts) + "}" + tail).encode(), i


@pytest.fixture(scope="module")
def keyed_table(server, ddb):
    name = gyre.unique("hard")
    gyre.create_table(ddb, name, range_key="SK")
    yield name
    ddb.delete_table(TableName=name)


# ---- item 9: duplicate-key checks in linear time ---------------------------------------------

def test_many_small_keys_answered_while_others_are_served(server, keyed_table):
    """A 16 MB body of ~1.3 M small keys is checked for duplicates without stalling anyone."""
    body, nkeys = small_keys_body(f'{{"TableName":"{keyed_table}","Key":', "}", '{"S":"x"}')
    assert nkeys > 600_000 and len(body) < BODY_LIMIT
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        big = pool.submit(server.api, "GetItem", None, raw_body=body, timeout=60)
        for _ in range(5):
            assert_still_serving(server)
        resp = big.result(timeout=90)
    expect_raw_error(resp, "ValidationException",
                     message="The provided key element does not match the schema")
    assert_still_serving(server)


def test_duplicate_among_many_keys_is_found(server, keyed_table):
    """The duplicate is the very last key of a 16 MB object: still found, still answered."""
    body, _ = small_keys_body(f'{{"TableName":"{keyed_table}","Key":', "}", "1", dup=7)
    resp = server.api("GetItem", None, raw_body=body, timeout=60)
    expect_raw_error(resp, "SerializationException")
    assert_still_serving(server)


def test_duplicate_key_in_nested_large_object(server, keyed_table):
    inner = ",".join(f'"a{i}":{{"N":"{i}"}}' for i in range(5000)) + ',"a17":{"N":"0"}'
    body = ('{"TableName":"%s","Item":{"PK":{"S":"p"},"SK":{"S":"s"},"m":{"M":{%s}}}}'
            % (keyed_table, inner)).encode()
    expect_raw_error(server.api("PutItem", None, raw_body=body), "SerializationException")


def test_many_expression_attribute_values_answered(server, keyed_table):
    """~1 M unused ExpressionAttributeValues: the unused-placeholder check is not quadratic."""
    body, nkeys = small_keys_body(
        f'{{"TableName":"{keyed_table}","KeyConditionExpression":"PK = :k0",'
        '"ExpressionAttributeValues":', "}", '{"S":"x"}', key=":k")
    assert len(body) < BODY_LIMIT
    resp = server.api("Query", None, raw_body=body, timeout=60)
    expect_raw_error(resp, "ValidationException",
                     startswith="Value provided in ExpressionAttributeValues unused in "
                                "expressions: keys: {")
    assert_still_serving(server)


# ---- item 10: idle and slow connections cannot lock others out --------------------------------

OTHER_CLIENT = "127.0.0.2"  # a loopback address of its own: another peer than the flood
FLOOD = 2000          # sockets opened before the first check
FLOOD_DURING = 1000   # more sockets opened while clients are being served
SERVER_NOFILE = 1024  # a common default `ulimit -n`: the flood exceeds what the server may hold


def raise_nofile(need):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= need:
        return
    if hard != resource.RLIM_INFINITY and hard < need:
        pytest.skip(f"needs {need} file descriptors, hard limit is {hard}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (need, hard))


def open_flood(server, count, sockets, slow_every=10):
    """Open `count` sockets that never finish a request (every slow_every-th sends half a
    header); failures to connect are counted, not raised."""
    failed = 0
    for i in range(count):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(5)
        try:
            s.connect((server.host, server.port))
            if i % slow_every == 0:
                s.send(b"POST / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        except OSError:
            failed += 1
            s.close()
            continue
        sockets.append(s)
    return failed


# Opens argv[3] sockets to argv[1]:argv[2] as open_flood does, prints how many it holds, and
# keeps them until its stdin closes.
FLOOD_SCRIPT = """
import socket, sys
host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
held = []
for i in range(n):
    s = socket.socket()
    s.settimeout(5)
    try:
        s.connect((host, port))
        if i % 10 == 0:
            s.send(b"POST / HTTP/1.1\\r\\nHost: x\\r\\nX-Slow: ")
        held.append(s)
    except OSError:
        s.close()
print(len(held), flush=True)
sys.stdin.read()
"""


@pytest.fixture
def low_fd_server(gyre_factory):
    """A server whose descriptor limit is well below the flood."""
    srv = gyre_factory(start=False)
    base = srv.command
    srv.command = lambda: ["/bin/sh", "-c", f'ulimit -n {SERVER_NOFILE} && exec "$@"', "sh",
                           *base()]
    return srv.start()


def test_idle_connection_flood_does_not_lock_out_new_clients(low_fd_server):
    server = low_fd_server
    raise_nofile(FLOOD + FLOOD_DURING + 256)
    sockets = []
    try:
        open_flood(server, FLOOD, sockets)
        assert len(sockets) > SERVER_NOFILE
        for _ in range(10):
            assert_still_serving(server)
        # Keep flooding, from another process, while new clients come and go.
        flooder = subprocess.Popen(
            [sys.executable, "-c", FLOOD_SCRIPT, server.host, str(server.port),
             str(FLOOD_DURING)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            checks, deadline = 0, time.monotonic() + 120
            flooded = None
            done = select.poll()  # select() cannot watch descriptors past 1023
            done.register(flooder.stdout, select.POLLIN)
            while (flooded is None or checks < 20) and time.monotonic() < deadline:
                # A client of another address is never caught by the flood's per-peer cap.
                # (One of the flood's own address may be evicted if it sends nothing while
                # the flood churns through its address's share, as any idle socket is.)
                assert_still_serving(server, source=OTHER_CLIENT)
                checks += 1
                if flooded is None and done.poll(0):
                    flooded = int(flooder.stdout.readline())
            assert flooded is not None and flooded > SERVER_NOFILE // 4, flooded
        finally:
            flooder.stdin.close()
            flooder.wait(timeout=60)
        ddb = server.client()
        name = gyre.unique("flood")
        gyre.create_table(ddb, name)
        ddb.put_item(TableName=name, Item={"PK": {"S": "x"}})
        assert ddb.get_item(TableName=name, Key={"PK": {"S": "x"}})["Item"]
    finally:
        for s in sockets:
            s.close()
    assert_still_serving(server)
    with open(server.log_path, encoding="utf-8", errors="replace") as f:
        errors = [line for line in f if " error [" in line]
    assert not errors, errors[:5]


# ---- item 12: the /_gyre/ peer endpoints validate their input --------------------------------

def peer_post(srv, path, body):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return srv.signed("POST", path, raw, {"Content-Type": "application/json"}, service="gyre")


def test_admin_endpoints_validate_input(cluster):  # noqa: F811
    us, eu, ap = REGIONS
    srv = cluster[us]
    table = cluster.global_table(gyre.unique("adm"))
    stamp = str(((int(time.time() * 1000) + 10_000) << 16) + 1)
    good_rec = {"stamp": stamp, "origin": eu, "ms": int(time.time() * 1000),
                "keys": {"PK": {"S": "p"}, "SK": {"S": "s"}},
                "item": {"PK": {"S": "p"}, "SK": {"S": "s"}, "v": {"N": "1"}}}

    links_bad = [
        {"cut": [1, {}, None, "xxx"]},
        {"cut": [eu, 7]},
        {"cut": ["xx-fake-9"]},
        {"cut": eu},
        {"cut": [], "heal": True},
    ]
    for body in links_bad:
        resp = peer_post(srv, "/_gyre/links", body)
        expect_raw_error(resp, "ValidationException")
    # A body that is not an object: refused (by the router's decoding or by the endpoint).
    for path in ("/_gyre/links", "/_gyre/replicate", "/_gyre/table"):
        resp = peer_post(srv, path, [eu])
        assert resp.status == 400, resp
        assert resp.error_code in ("SerializationException", "ValidationException"), resp
    # Nothing was cut by the refused requests.
    resp = peer_post(srv, "/_gyre/links", {})
    assert resp.status == 200 and resp.json()["cut"] == [], resp

    def batch(**over):
        b = {"origin": eu, "table": table, "records": [good_rec]}
        b.update(over)
        return {k: v for k, v in b.items() if v is not None}

    replicate_bad = [
        batch(records=[{**good_rec, "stamp": "12x"}]),
        batch(records=[{**good_rec, "stamp": "99999999999999999999999"}]),
        batch(records=[{**good_rec, "stamp": 5}]),
        batch(records=[{**good_rec, "origin": ""}]),
        batch(records=[{**good_rec, "ms": "soon"}]),
        batch(records=[{**good_rec, "svc": "yes"}]),
        batch(records=[{**good_rec, "keys": []}]),
        batch(records=[{**good_rec, "keys": {}}]),
        batch(records=[{**good_rec, "item": "x"}]),
        batch(records=[{**good_rec, "junk": 1}]),
        batch(records=[1, {}, None, "xxx"]),
        batch(records={"0": good_rec}),
        batch(table=7),
        batch(origin=None),
        batch(extra=[1]),
        batch(sweep={"after": "zz", "stamp": stamp}),
        batch(sweep={"after": "", "stamp": "-1"}),
        batch(sweep={"after": "", "until": 3, "stamp": stamp}),
    ]
    for body in replicate_bad:
        resp = peer_post(srv, "/_gyre/replicate", body)
        expect_raw_error(resp, "ValidationException")
    table_bad = [{"def": 3}, {"def": ""}, {}, {"def": "{}", "origin": 9}, {"def": "{}", "x": 1}]
    for body in table_bad:
        resp = peer_post(srv, "/_gyre/table", body)
        expect_raw_error(resp, "ValidationException")
    # None of the refused batches wrote anything; a well-formed one is applied.
    ddb = cluster.ddb(us)
    key = {"PK": {"S": "p"}, "SK": {"S": "s"}}
    assert "Item" not in ddb.get_item(TableName=table, Key=key)
    resp = peer_post(srv, "/_gyre/replicate", batch())
    assert resp.status == 200, resp
    assert resp.json() == {"applied": 1, "received": 1}
    assert ddb.get_item(TableName=table, Key=key)["Item"]["v"] == {"N": "1"}
    # The links endpoint still works for well-formed input.
    resp = peer_post(srv, "/_gyre/links", {"cut": [ap]})
    assert resp.status == 200 and resp.json()["cut"] == [ap], resp
    resp = peer_post(srv, "/_gyre/links", {"cut": []})
    assert resp.status == 200 and resp.json()["cut"] == [], resp


# ---- big legacy parameters: no deep recursion, no quadratic scans --------------------------------

LEGACY_N = 100_000


def answered(resp):
    """A client's answer (success or a 4xx AWS error), never a 5xx or a dropped connection."""
    assert resp.status < 500, resp
    if resp.status >= 400:
        assert resp.error_code, resp
    return resp


@pytest.mark.parametrize("op, make", [
    ("PutItem", lambda t, n: {"TableName": t, "Item": {"PK": {"S": "big"}, "SK": {"S": "e"}},
                              "Expected": {f"k{i}": {"Exists": False} for i in range(n)}}),
    ("PutItem", lambda t, n: {"TableName": t, "Item": {"PK": {"S": "big"}, "SK": {"S": "o"}},
                              "ConditionalOperator": "OR",
                              "Expected": {f"k{i}": {"Exists": False} for i in range(n)}}),
    ("Scan", lambda t, n: {"TableName": t, "ScanFilter": {
        f"k{i}": {"ComparisonOperator": "NULL"} for i in range(n)}}),
    ("Query", lambda t, n: {"TableName": t, "KeyConditions": {
        "PK": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "big"}]}},
        "QueryFilter": {f"k{i}": {"ComparisonOperator": "NOT_NULL"} for i in range(n)}}),
    ("GetItem", lambda t, n: {"TableName": t, "Key": {"PK": {"S": "big"}, "SK": {"S": "e"}},
                              "AttributesToGet": [f"a{i}" for i in range(n)]}),
])
def test_large_legacy_parameters_are_answered(server, ddb, keyed_table, op, make):
    """A legacy condition list of 100,000 entries once built a 100,000-deep tree whose walk
    overflowed the stack (SIGSEGV); AttributesToGet was checked and projected quadratically."""
    ddb.put_item(TableName=keyed_table, Item={"PK": {"S": "big"}, "SK": {"S": "e"}})
    resp = server.api(op, make(keyed_table, LEGACY_N), timeout=60)
    answered(resp)
    assert_still_serving(server)


def test_large_attributes_to_get_duplicate_is_reported(server, keyed_table):
    names = [f"a{i}" for i in range(LEGACY_N)] + ["a5", "a7"]
    resp = server.api("GetItem", {"TableName": keyed_table,
                                  "Key": {"PK": {"S": "big"}, "SK": {"S": "e"}},
                                  "AttributesToGet": names}, timeout=60)
    expect_raw_error(resp, "ValidationException", contains="Duplicate value in attribute name: a5")

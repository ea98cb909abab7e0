"""Durability: acknowledged writes survive kill -9.

Eight writer threads put up to 200 items each and record every put the server acknowledged;
the process is SIGKILLed while they run, restarted on the same data directory, and every
acknowledged item must be there with the value that was acknowledged."""

import threading
import time

import gyre

THREADS = 8
PUTS_PER_THREAD = 200
KILL_AFTER_ACKS = 500
DEADLINE_S = 45


def _writer(srv, table, tid, acked, lock, stop):
    client = srv.client()
    for i in range(PUTS_PER_THREAD):
        if stop.is_set():
            return
        key = f"w{tid:02d}-{i:04d}"
        payload = f"{tid}:{i}:" + "d" * (i % 50)
        try:
            client.put_item(TableName=table, Item={"PK": {"S": key}, "SK": {"N": str(i)},
                                                   "payload": {"S": payload}})
        except Exception:
            return  # connection refused/reset after the kill: this put is not acknowledged
        with lock:
            acked[key] = (i, payload)


def test_acknowledged_puts_survive_kill_9(gyre_factory):
    srv = gyre_factory()
    table = gyre.unique("durable")
    gyre.create_table(srv.client(), table, "PK", "SK", range_type="N")

    acked, lock, stop = {}, threading.Lock(), threading.Event()
    threads = [threading.Thread(target=_writer, args=(srv, table, t, acked, lock, stop))
               for t in range(THREADS)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        with lock:
            n = len(acked)
        if n >= KILL_AFTER_ACKS or not any(t.is_alive() for t in threads):
            break
        time.sleep(0.005)
    srv.kill()
    stop.set()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    with lock:
        snapshot = dict(acked)
    assert len(snapshot) >= min(KILL_AFTER_ACKS, THREADS * PUTS_PER_THREAD) - THREADS
    print(f"acknowledged before kill: {len(snapshot)} of {THREADS * PUTS_PER_THREAD}")

    srv.start()
    client = srv.client()
    lost, wrong = [], []
    for key, (i, payload) in sorted(snapshot.items()):
        out = client.get_item(TableName=table, Key={"PK": {"S": key}, "SK": {"N": str(i)}},
                              ConsistentRead=True)
        if "Item" not in out:
            lost.append(key)
        elif out["Item"]["payload"] != {"S": payload}:
            wrong.append(key)
    assert lost == [], f"{len(lost)} of {len(snapshot)} acknowledged puts lost: {lost[:10]}"
    assert wrong == []

    # The restarted server still takes writes to the same table.
    client.put_item(TableName=table, Item={"PK": {"S": "after"}, "SK": {"N": "0"}})
    assert "Item" in client.get_item(TableName=table, Key={"PK": {"S": "after"},
                                                           "SK": {"N": "0"}})


def test_repeated_kill_restart_cycles(gyre_factory):
    srv = gyre_factory()
    table = gyre.unique("cycles")
    gyre.create_table(srv.client(), table, "PK")
    written = []
    for cycle in range(3):
        client = srv.client()
        for i in range(20):
            key = f"c{cycle}-{i}"
            client.put_item(TableName=table, Item={"PK": {"S": key}, "c": {"N": str(cycle)}})
            written.append(key)
        srv.kill()
        srv.start()
    client = srv.client()
    for key in written:
        assert "Item" in client.get_item(TableName=table, Key={"PK": {"S": key}},
                                         ConsistentRead=True), key

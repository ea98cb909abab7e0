"""Process lifecycle: generated credentials, --admin-key / GYRE_ADMIN_KEY, --account,
graceful SIGTERM/SIGINT, and tables and items surviving a restart. Each test owns its servers."""

import configparser
import json
import os
import signal
import stat
import subprocess
import threading
import time

import gyre
from gyre import expect_error


def test_credentials_generated_and_reused(gyre_factory):
    srv = gyre_factory(region="us-west-2")
    path = os.path.join(srv.data_dir, "credentials")
    assert os.path.exists(path)
    cp = configparser.ConfigParser()
    cp.read(path)
    assert cp.sections() == ["gyre"]
    akid = cp["gyre"]["aws_access_key_id"]
    secret = cp["gyre"]["aws_secret_access_key"]
    assert len(akid) >= 16 and akid.isalnum()
    assert len(secret) >= 30
    mode = stat.S_IMODE(os.stat(path).st_mode)
    assert mode & 0o077 == 0, f"credentials file is readable by others: {oct(mode)}"

    c = srv.client()
    assert "TableNames" in c.list_tables()
    table = gyre.unique("cred")
    gyre.create_table(c, table)

    assert srv.stop() == 0
    srv.start()
    cp2 = configparser.ConfigParser()
    cp2.read(path)
    assert cp2["gyre"]["aws_access_key_id"] == akid
    assert cp2["gyre"]["aws_secret_access_key"] == secret
    assert table in srv.client().list_tables()["TableNames"]

    # A different data dir gets a different key.
    other = gyre_factory(region="us-west-2")
    assert other.access_key != akid or other.secret_key != secret
    expect_error(other.client(access_key=akid, secret_key=secret).list_tables,
                 code="UnrecognizedClientException")


def test_credentials_file_works_as_aws_profile(gyre_factory, tmp_path):
    srv = gyre_factory()
    empty = tmp_path / "config"
    empty.write_text("")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "AWS_PAGER": "",
           "AWS_CONFIG_FILE": str(empty),
           "AWS_SHARED_CREDENTIALS_FILE": os.path.join(srv.data_dir, "credentials"),
           "AWS_EC2_METADATA_DISABLED": "true"}
    proc = subprocess.run([gyre.AWS_CLI, "--profile", "gyre", "dynamodb", "list-tables",
                           "--endpoint-url", srv.endpoint, "--region", srv.region,
                           "--output", "json"], env=env, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["TableNames"] == []


def test_admin_key_flag(gyre_factory):
    srv = gyre_factory(admin_key="AKIAGYRETESTFLAG0001:flag-secret-0123456789")
    assert srv.access_key == "AKIAGYRETESTFLAG0001"
    assert "TableNames" in srv.client().list_tables()
    expect_error(srv.client(access_key="AKIAOTHER00000000000").list_tables,
                 code="UnrecognizedClientException",
                 message="The security token included in the request is invalid.")
    expect_error(srv.client(secret_key="wrong").list_tables, code="InvalidSignatureException")
    proc, out = srv.cli("dynamodb", "list-tables")
    assert out["TableNames"] == []


def test_admin_key_env(gyre_factory):
    srv = gyre_factory(env_admin_key="AKIAGYRETESTENV00001:env-secret-0123456789")
    assert "TableNames" in srv.client().list_tables()
    expect_error(srv.client(access_key="AKIAOTHER00000000000").list_tables,
                 code="UnrecognizedClientException")


def test_admin_key_overrides_credentials_file(gyre_factory):
    srv = gyre_factory()
    generated = (srv.access_key, srv.secret_key)
    assert srv.stop() == 0
    srv.cli_admin_key = "AKIAGYREOVERRIDE0001:override-secret-0123"
    srv.access_key, srv.secret_key = "AKIAGYREOVERRIDE0001", "override-secret-0123"
    srv.start()
    assert "TableNames" in srv.client().list_tables()
    expect_error(srv.client(access_key=generated[0], secret_key=generated[1]).list_tables,
                 code="UnrecognizedClientException")


def test_account_and_region_in_arns(gyre_factory):
    srv = gyre_factory(region="ap-southeast-1", account="123456789012")
    c = srv.client()
    table = gyre.unique("acct")
    desc = gyre.create_table(c, table)
    assert desc["TableArn"] == f"arn:aws:dynamodb:ap-southeast-1:123456789012:table/{table}"
    health = srv.raw("GET", "/_gyre/health")
    assert "ap-southeast-1" in health.body.decode()
    c.tag_resource(ResourceArn=desc["TableArn"], Tags=[{"Key": "a", "Value": "b"}])
    assert c.list_tags_of_resource(ResourceArn=desc["TableArn"])["Tags"] == \
        [{"Key": "a", "Value": "b"}]


def test_sigterm_exits_zero(gyre_factory):
    srv = gyre_factory()
    srv.client().list_tables()
    assert srv.stop() == 0


def test_sigint_exits_zero(gyre_factory):
    srv = gyre_factory()
    srv.client().list_tables()
    srv.proc.send_signal(signal.SIGINT)
    assert srv.proc.wait(timeout=30) == 0
    srv.proc = None


def test_sigterm_with_idle_keepalive_connection(gyre_factory):
    srv = gyre_factory()
    conn = srv.connection()
    try:
        assert srv.api("ListTables", {}, conn=conn).status == 200
        assert srv.stop() == 0  # an idle client connection must not hold the process up
    finally:
        conn.close()


def test_restart_keeps_tables_and_items(gyre_factory):
    srv = gyre_factory(region="eu-central-1")
    c = srv.client()
    t1, t2 = gyre.unique("keep-a"), gyre.unique("keep-b")
    d1 = gyre.create_table(c, t1, "PK", "SK")
    gyre.create_table(c, t2, "id", hash_type="N", billing="PROVISIONED", rcu=3, wcu=4)
    c.tag_resource(ResourceArn=d1["TableArn"], Tags=[{"Key": "k", "Value": "v"}])
    items = []
    for i in range(20):
        item = {"PK": {"S": f"p{i % 3}"}, "SK": {"S": f"s{i:03d}"}, "n": {"N": str(i)},
                "m": {"M": {"l": {"L": [{"S": "x"}, {"N": "1.5"}]}}},
                "ss": {"SS": ["a", "b"]}, "b": {"B": bytes([i, 255 - i])}}
        c.put_item(TableName=t1, Item=item)
        items.append(item)
    c.put_item(TableName=t2, Item={"id": {"N": "7"}, "v": {"BOOL": True}})
    c.delete_item(TableName=t1, Key={"PK": items[0]["PK"], "SK": items[0]["SK"]})
    c.delete_table(TableName=t2)
    t3 = gyre.unique("keep-c")
    gyre.create_table(c, t3, "id", hash_type="N", billing="PROVISIONED", rcu=3, wcu=4)
    c.put_item(TableName=t3, Item={"id": {"N": "7"}, "v": {"BOOL": True}})

    assert srv.stop() == 0
    srv.start()
    c = srv.client()

    names = c.list_tables()["TableNames"]
    assert t1 in names and t3 in names and t2 not in names
    after = c.describe_table(TableName=t1)["Table"]
    assert after["TableId"] == d1["TableId"]
    assert after["CreationDateTime"] == d1["CreationDateTime"]
    assert after["KeySchema"] == d1["KeySchema"]
    assert after["TableStatus"] == "ACTIVE"
    t3d = c.describe_table(TableName=t3)["Table"]
    assert t3d["ProvisionedThroughput"]["ReadCapacityUnits"] == 3
    assert t3d["ProvisionedThroughput"]["WriteCapacityUnits"] == 4
    assert c.list_tags_of_resource(ResourceArn=d1["TableArn"])["Tags"] == \
        [{"Key": "k", "Value": "v"}]

    assert "Item" not in c.get_item(TableName=t1, Key={"PK": items[0]["PK"],
                                                       "SK": items[0]["SK"]})
    for item in items[1:]:
        got = c.get_item(TableName=t1, Key={"PK": item["PK"], "SK": item["SK"]},
                         ConsistentRead=True)["Item"]
        got["ss"]["SS"] = sorted(got["ss"]["SS"])
        assert got == item
    assert c.get_item(TableName=t3, Key={"id": {"N": "7"}})["Item"]["v"] == {"BOOL": True}

    # And after a hard kill too.
    c.put_item(TableName=t1, Item={"PK": {"S": "late"}, "SK": {"S": "1"}})
    srv.kill()
    srv.start()
    c = srv.client()
    assert "Item" in c.get_item(TableName=t1, Key={"PK": {"S": "late"}, "SK": {"S": "1"}})


def test_restart_same_port(gyre_factory):
    srv = gyre_factory()
    port = srv.port
    srv.restart()
    assert srv.port == port
    assert srv.raw("GET", "/_gyre/health").status == 200


def test_second_process_on_same_data_dir(gyre_factory):
    srv = gyre_factory()
    twin = gyre.GyreServer(region=srv.region, data_dir=srv.data_dir, admin_key=srv.admin_key)
    try:
        try:
            twin.start(timeout=5)
        except RuntimeError:
            pass  # refusing to share a data directory is fine
        # Whatever the second process did, the first keeps serving.
        assert "TableNames" in srv.client().list_tables()
    finally:
        twin.kill()


def test_sigterm_finishes_in_flight_writes(gyre_factory):
    srv = gyre_factory()
    c = srv.client()
    table = gyre.unique("term")
    gyre.create_table(c, table)
    acked = []
    lock = threading.Lock()
    stop_at = time.monotonic() + 30

    def writer(tid):
        cl = srv.client()
        for i in range(300):
            if time.monotonic() > stop_at:
                return
            key = f"t{tid}-{i}"
            try:
                cl.put_item(TableName=table, Item={"PK": {"S": key}, "v": {"N": str(i)}})
            except Exception:
                return
            with lock:
                acked.append(key)

    threads = [threading.Thread(target=writer, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    while time.monotonic() < stop_at:
        with lock:
            if len(acked) >= 100:
                break
        time.sleep(0.01)
    srv.proc.send_signal(signal.SIGTERM)
    rc = srv.proc.wait(timeout=30)
    srv.proc = None
    for t in threads:
        t.join(timeout=60)
    assert rc == 0
    assert len(acked) >= 100

    srv.start()
    c = srv.client()
    missing = [k for k in acked
               if "Item" not in c.get_item(TableName=table, Key={"PK": {"S": k}},
                                           ConsistentRead=True)]
    assert missing == [], f"{len(missing)} acknowledged writes lost after SIGTERM"

"""gyre.py — start, stop and talk to real gyre processes for the end-to-end tests.

GyreServer owns one `gyre serve` process (or attaches to a running one through GYRE_ENDPOINT):
it picks a free port and a temporary data directory, waits for /_gyre/health, and hands out
boto3 clients, AWS CLI invocations and raw SigV4-signed HTTP requests (for protocol and auth
cases that botocore would refuse to send or would retry).

Only Debian's /usr/bin/python3 (python3-boto3, python3-pytest) and /usr/bin/aws are used.
"""

import configparser
import datetime
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
import zlib

import boto3
import botocore.config
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

AWS_CLI = "/usr/bin/aws"
DDB_TARGET = "DynamoDB_20120810"
DDB_JSON = "application/x-amz-json-1.0"
DEFAULT_ACCOUNT = "000000000000"
SIGV4_TIMESTAMP = "%Y%m%dT%H%M%SZ"

# Every server created in this process, so a failing test can print their logs.
ALL_SERVERS = []


def free_port():
    """A TCP port that was free a moment ago on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def unique(prefix="t"):
    """A table-name-safe unique name."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def amz_date(when=None):
    """X-Amz-Date for a datetime (UTC, naive or aware); now by default."""
    if when is None:
        when = datetime.datetime.utcnow()
    return when.strftime(SIGV4_TIMESTAMP)


class _FixedTimeSigV4(SigV4Auth):
    """botocore's SigV4 signer, but with a caller-chosen X-Amz-Date."""

    def __init__(self, credentials, service, region, timestamp):
        super().__init__(credentials, service, region)
        self._timestamp = timestamp

    def add_auth(self, request):
        request.context["timestamp"] = self._timestamp
        self._modify_request_before_signing(request)
        canonical = self.canonical_request(request)
        string_to_sign = self.string_to_sign(request, canonical)
        signature = self.signature(string_to_sign, request)
        self._inject_signature_to_request(request, signature)


class RawResponse:
    """One HTTP response read off the wire."""

    def __init__(self, status, reason, headers, body):
        self.status = status
        self.reason = reason
        self.header_list = headers  # [(name, value)] as received
        self.headers = {k.lower(): v for k, v in headers}
        self.body = body

    def json(self):
        return json.loads(self.body.decode("utf-8")) if self.body else {}

    @property
    def error_type(self):
        """The full __type of a JSON error body ("" when absent)."""
        try:
            return self.json().get("__type", "")
        except ValueError:
            return ""

    @property
    def error_code(self):
        """The exception name after the last '#' of __type."""
        return self.error_type.rsplit("#", 1)[-1]

    @property
    def message(self):
        body = self.json()
        return body.get("message", body.get("Message"))

    def __repr__(self):
        return f"<RawResponse {self.status} {self.body[:300]!r}>"


def check_crc32(resp):
    """x-amz-crc32, when present, must be the unsigned CRC32 of the body in decimal."""
    crc = resp.headers.get("x-amz-crc32")
    if crc is not None:
        assert crc == str(zlib.crc32(resp.body) & 0xFFFFFFFF), (
            f"x-amz-crc32 {crc} != crc32(body) {zlib.crc32(resp.body) & 0xFFFFFFFF}")


def read_response(conn):
    r = conn.getresponse()
    body = r.read()
    resp = RawResponse(r.status, r.reason, r.getheaders(), body)
    check_crc32(resp)
    return resp


def expect_error(fn, *args, code, message=None, startswith=None, contains=None, status=400,
                 **kwargs):
    """Call a boto3 operation that must fail with `code`; check the message; return the error."""
    with pytest.raises(ClientError) as excinfo:
        fn(*args, **kwargs)
    err = excinfo.value.response["Error"]
    assert err["Code"] == code, f"expected {code}, got {err['Code']}: {err.get('Message')}"
    msg = err.get("Message")
    if message is not None:
        assert msg == message
    if startswith is not None:
        assert msg is not None and msg.startswith(startswith), msg
    if contains is not None:
        assert msg is not None and contains in msg, msg
    if status is not None:
        assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    return excinfo.value


def expect_raw_error(resp, code, message=None, startswith=None, contains=None, status=400):
    """Check a RawResponse is a JSON error of the given exception name."""
    assert resp.status == status, resp
    assert resp.error_code == code, resp
    assert "#" in resp.error_type, resp
    if message is not None:
        assert resp.message == message
    if startswith is not None:
        assert resp.message.startswith(startswith), resp.message
    if contains is not None:
        assert contains in resp.message, resp.message
    return resp


class GyreServer:
    """One gyre process (owned) or an already-running endpoint (attached)."""

    def __init__(self, region="us-east-1", admin_key=None, env_admin_key=None, account=None,
                 data_dir=None, port=None, extra_args=(), endpoint=None, extra_env=None):
        self.region = region
        self.extra_env = dict(extra_env or {})  # added to the process environment
        self.account = account or DEFAULT_ACCOUNT
        self.attached = endpoint is not None
        self.cli_admin_key = admin_key        # passed as --admin-key
        self.env_admin_key = env_admin_key    # passed as GYRE_ADMIN_KEY
        self.extra_args = list(extra_args)
        self.proc = None
        self.returncodes = []
        self._owns_dir = False
        self._cli_dir = None
        if endpoint is not None:
            hostport = endpoint.split("://", 1)[-1].rstrip("/")
            self.host, port_s = hostport.rsplit(":", 1)
            self.port = int(port_s)
            self.data_dir = None
            key = admin_key or os.environ.get("GYRE_ADMIN_KEY", "")
            if ":" not in key:
                raise RuntimeError("GYRE_ENDPOINT needs GYRE_ADMIN_KEY=AKID:SECRET")
            self.access_key, self.secret_key = key.split(":", 1)
        else:
            self.host = "127.0.0.1"
            self.port = port or free_port()
            if data_dir is None:
                data_dir = tempfile.mkdtemp(prefix="gyre-e2e-")
                self._owns_dir = True
            self.data_dir = data_dir
            key = admin_key or env_admin_key
            self.access_key, self.secret_key = key.split(":", 1) if key else (None, None)
        ALL_SERVERS.append(self)

    # ---- lifecycle -------------------------------------------------------------------------

    @property
    def endpoint(self):
        return f"http://{self.host}:{self.port}"

    @property
    def log_path(self):
        return os.path.join(self.data_dir, "gyre.log") if self.data_dir else None

    def command(self):
        bin_path = os.environ.get("GYRE_BIN")
        if not bin_path:
            raise RuntimeError("set GYRE_BIN to the gyre binary")
        cmd = [bin_path, "serve", "--region", self.region, "--listen",
               f"{self.host}:{self.port}", "--data", self.data_dir]
        if self.cli_admin_key:
            cmd += ["--admin-key", self.cli_admin_key]
        if self.account != DEFAULT_ACCOUNT:
            cmd += ["--account", self.account]
        return cmd + self.extra_args

    def start(self, timeout=20):
        """Start the process and wait until /_gyre/health answers 200."""
        assert not self.attached
        env = dict(os.environ)
        env.pop("GYRE_ADMIN_KEY", None)
        env.update(self.extra_env)
        if self.env_admin_key:
            env["GYRE_ADMIN_KEY"] = self.env_admin_key
        log = open(self.log_path, "ab")
        log.write(f"\n===== start {' '.join(self.command())}\n".encode())
        log.flush()
        try:
            self.proc = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, env=env)
        finally:
            log.close()
        self.wait_healthy(timeout)
        if self.access_key is None:
            self.load_credentials_file()
        return self

    def wait_healthy(self, timeout=20):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"gyre exited with {self.proc.returncode} during startup:\n"
                                   f"{self.log_tail()}")
            try:
                resp = self.raw("GET", "/_gyre/health", timeout=2)
                if resp.status == 200:
                    return resp
                last = resp
            except OSError as e:
                last = e
            time.sleep(0.05)
        raise RuntimeError(f"gyre not healthy after {timeout}s (last: {last!r}):\n{self.log_tail()}")

    def load_credentials_file(self):
        """Read the [gyre] profile of DATA/credentials into access_key/secret_key."""
        cp = configparser.ConfigParser()
        path = os.path.join(self.data_dir, "credentials")
        assert cp.read(path), f"no credentials file at {path}"
        self.access_key = cp["gyre"]["aws_access_key_id"].strip()
        self.secret_key = cp["gyre"]["aws_secret_access_key"].strip()
        return self.access_key, self.secret_key

    def stop(self, timeout=30):
        """SIGTERM and wait; returns the exit status."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"gyre did not exit {timeout}s after SIGTERM:\n{self.log_tail()}")
        self.returncodes.append(rc)
        self.proc = None
        return rc

    def kill(self):
        """SIGKILL and reap."""
        if self.proc is None:
            return None
        self.proc.kill()
        rc = self.proc.wait()
        self.returncodes.append(rc)
        self.proc = None
        return rc

    def restart(self, timeout=20):
        """Stop (if running) and start again on the same data dir and port."""
        if self.proc is not None:
            self.stop()
        return self.start(timeout)

    def close(self):
        """Stop an owned process and remove its temporary data dir."""
        try:
            if self.proc is not None:
                self.stop()
        finally:
            if self._cli_dir:
                shutil.rmtree(self._cli_dir, ignore_errors=True)
                self._cli_dir = None
            if self._owns_dir and not os.environ.get("GYRE_KEEP_DATA"):
                shutil.rmtree(self.data_dir, ignore_errors=True)

    def log_tail(self, lines=80):
        if not self.log_path or not os.path.exists(self.log_path):
            return "(no log)"
        with open(self.log_path, "rb") as f:
            data = f.read().decode("utf-8", "replace").splitlines()
        return "\n".join(data[-lines:])

    # ---- clients ---------------------------------------------------------------------------

    @property
    def admin_key(self):
        return f"{self.access_key}:{self.secret_key}"

    def client(self, service="dynamodb", access_key=None, secret_key=None, validate=True,
               region=None, **config):
        """A boto3 client pointed at this server, without retries."""
        cfg = botocore.config.Config(retries={"total_max_attempts": 1}, connect_timeout=5,
                                     read_timeout=60, parameter_validation=validate, **config)
        return boto3.session.Session().client(
            service, endpoint_url=self.endpoint, region_name=region or self.region,
            aws_access_key_id=access_key or self.access_key,
            aws_secret_access_key=secret_key or self.secret_key, config=cfg)

    def cli(self, *args, check=True, access_key=None, secret_key=None, timeout=60, extra_env=None):
        """Run /usr/bin/aws against this server; returns (CompletedProcess, parsed JSON or None)."""
        if self._cli_dir is None:
            self._cli_dir = tempfile.mkdtemp(prefix="gyre-cli-")
            for name in ("config", "credentials"):
                open(os.path.join(self._cli_dir, name), "w").close()
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": self._cli_dir,
            "LANG": "C.UTF-8",
            "AWS_ACCESS_KEY_ID": access_key or self.access_key,
            "AWS_SECRET_ACCESS_KEY": secret_key or self.secret_key,
            "AWS_CONFIG_FILE": os.path.join(self._cli_dir, "config"),
            "AWS_SHARED_CREDENTIALS_FILE": os.path.join(self._cli_dir, "credentials"),
            "AWS_PAGER": "",
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_MAX_ATTEMPTS": "1",
        }
        env.update(extra_env or {})
        cmd = [AWS_CLI, *args, "--endpoint-url", self.endpoint, "--region", self.region,
               "--output", "json"]
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
        if check and proc.returncode != 0:
            raise AssertionError(f"{' '.join(cmd)} exited {proc.returncode}:\n"
                                 f"stdout: {proc.stdout}\nstderr: {proc.stderr}")
        out = json.loads(proc.stdout) if proc.stdout.strip() else None
        return proc, out

    # ---- raw HTTP ---------------------------------------------------------------------------

    def connection(self, timeout=30):
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def raw(self, method, path, body=b"", headers=None, timeout=30, conn=None):
        """Send one unsigned request; a fresh connection unless conn is given."""
        own = conn is None
        if own:
            conn = self.connection(timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            return read_response(conn)
        finally:
            if own:
                conn.close()

    def sign(self, method, path, body, headers, access_key=None, secret_key=None, region=None,
             service="dynamodb", when=None, timestamp=None):
        """Headers for a SigV4-signed request (X-Amz-Date chosen by `when` or `timestamp`)."""
        hdrs = {"Host": f"{self.host}:{self.port}"}
        hdrs.update(headers)
        req = AWSRequest(method=method, url=f"{self.endpoint}{path}", data=body, headers=hdrs)
        creds = Credentials(access_key or self.access_key, secret_key or self.secret_key)
        ts = timestamp or amz_date(when)
        _FixedTimeSigV4(creds, service, region or self.region, ts).add_auth(req)
        return dict(req.headers.items())

    def signed(self, method, path, body=b"", headers=None, conn=None, timeout=30, **sign_kw):
        """Send a signed request; returns RawResponse."""
        if isinstance(body, str):
            body = body.encode("utf-8")
        hdrs = self.sign(method, path, body, headers or {}, **sign_kw)
        return self.raw(method, path, body, hdrs, conn=conn, timeout=timeout)

    def api(self, operation, payload, target_prefix=DDB_TARGET, conn=None, raw_body=None,
            **sign_kw):
        """A signed JSON-protocol call (DynamoDB by default); payload is a dict."""
        body = raw_body if raw_body is not None else json.dumps(payload).encode("utf-8")
        headers = {"Content-Type": DDB_JSON, "X-Amz-Target": f"{target_prefix}.{operation}"}
        return self.signed("POST", "/", body, headers, conn=conn, **sign_kw)

    # ---- conveniences -------------------------------------------------------------------------

    def table_arn(self, name):
        return f"arn:aws:dynamodb:{self.region}:{self.account}:table/{name}"

    def __repr__(self):
        return f"<GyreServer {self.endpoint} region={self.region} data={self.data_dir}>"


def server_from_env(region="us-east-1"):
    """A GyreServer attached to GYRE_ENDPOINT, or None when the variable is unset."""
    endpoint = os.environ.get("GYRE_ENDPOINT")
    if not endpoint:
        return None
    return GyreServer(region=os.environ.get("GYRE_REGION", region), endpoint=endpoint,
                      account=os.environ.get("GYRE_ACCOUNT"))


def create_table(client, name, hash_key="PK", range_key=None, hash_type="S", range_type="S",
                 billing="PAY_PER_REQUEST", rcu=5, wcu=5, **extra):
    """CreateTable with a simple key schema; returns the TableDescription."""
    attrs = [{"AttributeName": hash_key, "AttributeType": hash_type}]
    schema = [{"AttributeName": hash_key, "KeyType": "HASH"}]
    if range_key:
        attrs.append({"AttributeName": range_key, "AttributeType": range_type})
        schema.append({"AttributeName": range_key, "KeyType": "RANGE"})
    kw = dict(TableName=name, AttributeDefinitions=attrs, KeySchema=schema, **extra)
    if billing == "PAY_PER_REQUEST":
        kw["BillingMode"] = "PAY_PER_REQUEST"
    else:
        kw["ProvisionedThroughput"] = {"ReadCapacityUnits": rcu, "WriteCapacityUnits": wcu}
        if billing == "PROVISIONED":
            kw["BillingMode"] = "PROVISIONED"
    return client.create_table(**kw)["TableDescription"]

"""STS over the query protocol with Debian's AWS CLI and boto3: GetCallerIdentity, AssumeRole
and GetSessionToken, then the temporary credentials they return (X-Amz-Security-Token) on
DynamoDB and STS; tampered, forged, mismatched and expired tokens; acceptance by another region
that shares the admin key and by the same region after a restart. See docs/sts.md.

Expired credentials cannot be waited for (the shortest session is 15 minutes), so
`mint_token` seals one with an expiry in the past exactly as src/aws/session.c does, from the
admin secret the test gave the server: the format is part of what is tested.
"""

import base64
import datetime
import hashlib
import hmac
import json
import os
import secrets
import struct
import subprocess
import tempfile

import boto3
import botocore.config
import pytest

from gyre import AWS_CLI, expect_error

ADMIN_KEY = "AKIAGYRESTSTEST00001:sts-admin-secret-0123456789abcdefABCDEF"
ADMIN_SECRET = ADMIN_KEY.split(":", 1)[1]
INVALID_TOKEN = "The security token included in the request is invalid."
EXPIRED_TOKEN = "The security token included in the request is expired"


# ---- helpers ---------------------------------------------------------------------------------

def client(srv, service, creds, region=None, validate=True):
    """A boto3 client for srv signed with temporary credentials (dict with the STS names)."""
    cfg = botocore.config.Config(retries={"total_max_attempts": 1}, connect_timeout=5,
                                 read_timeout=60, parameter_validation=validate)
    return boto3.session.Session().client(
        service, endpoint_url=srv.endpoint, region_name=region or srv.region,
        aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds.get("SessionToken"), config=cfg)


def role_arn(srv, name="e2e-role", path="/"):
    return f"arn:aws:iam::{srv.account}:role{path}{name}"


def cli(srv, *args, creds=None, check=True):
    """/usr/bin/aws against srv; creds (temporary) go in the environment as the CLI reads them."""
    with tempfile.TemporaryDirectory(prefix="gyre-sts-cli-") as home:
        return _cli(srv, home, args, creds, check)


def _cli(srv, home, args, creds, check):
    env = {
        "PATH": "/usr/bin:/bin", "HOME": home, "LANG": "C.UTF-8",
        "AWS_CONFIG_FILE": os.path.join(home, "config"),
        "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, "credentials"),
        "AWS_PAGER": "", "AWS_EC2_METADATA_DISABLED": "true", "AWS_MAX_ATTEMPTS": "1",
        "AWS_ACCESS_KEY_ID": creds["AccessKeyId"] if creds else srv.access_key,
        "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"] if creds else srv.secret_key,
    }
    if creds and creds.get("SessionToken"):
        env["AWS_SESSION_TOKEN"] = creds["SessionToken"]
    for name in ("config", "credentials"):
        open(os.path.join(home, name), "w").close()
    cmd = [AWS_CLI, *args, "--endpoint-url", srv.endpoint, "--region", srv.region,
           "--output", "json"]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stderr}")
    return proc, (json.loads(proc.stdout) if proc.stdout.strip() else None)


def mint_token(admin_secret, arn, user_id, expires_ms):
    """Seal credentials as src/aws/session.c does; returns the STS-shaped credentials dict."""
    k = hmac.new(admin_secret.encode(), b"gyre-sts-v1", hashlib.sha256).digest()
    mac_key = hmac.new(k, b"token", hashlib.sha256).digest()
    sec_key = hmac.new(k, b"secret", hashlib.sha256).digest()
    akid_raw = secrets.token_bytes(10)
    akid = "ASIA" + base64.b32encode(akid_raw).decode()
    raw = (bytes([1]) + akid_raw + secrets.token_bytes(8) + struct.pack(">q", expires_ms)
           + bytes([len(arn)]) + arn.encode() + bytes([len(user_id)]) + user_id.encode())
    raw += hmac.new(mac_key, raw, hashlib.sha256).digest()
    secret = base64.b64encode(hmac.new(sec_key, akid.encode(), hashlib.sha256).digest())
    return {"AccessKeyId": akid, "SecretAccessKey": secret.decode()[:40],
            "SessionToken": base64.b64encode(raw).decode()}


def tamper(token):
    """The token with one character in its middle replaced by another base64 character."""
    i = len(token) // 2
    return token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1:]


@pytest.fixture
def sts_server(gyre_factory):
    """A server whose admin secret the test knows (to mint tokens)."""
    return gyre_factory(region="us-east-1", admin_key=ADMIN_KEY)


# ---- GetCallerIdentity -----------------------------------------------------------------------

def test_cli_get_caller_identity(server):
    _, out = cli(server, "sts", "get-caller-identity")
    assert out == {"UserId": server.account, "Account": server.account,
                   "Arn": f"arn:aws:iam::{server.account}:root"}


def test_boto3_get_caller_identity(server):
    out = server.client("sts").get_caller_identity()
    assert out["Arn"] == f"arn:aws:iam::{server.account}:root"
    assert out["Account"] == server.account
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert out["ResponseMetadata"]["RequestId"]


# ---- AssumeRole ------------------------------------------------------------------------------

def test_assume_role_and_use_credentials(server):
    sts = server.client("sts")
    before = datetime.datetime.now(datetime.timezone.utc)
    out = sts.assume_role(RoleArn=role_arn(server), RoleSessionName="e2e-session")
    creds, user = out["Credentials"], out["AssumedRoleUser"]
    assert creds["AccessKeyId"].startswith("ASIA") and len(creds["AccessKeyId"]) == 20
    assert len(creds["SecretAccessKey"]) == 40
    assert creds["SessionToken"]
    left = (creds["Expiration"] - before).total_seconds()
    assert 3590 <= left <= 3601, left
    assert user["Arn"] == f"arn:aws:sts::{server.account}:assumed-role/e2e-role/e2e-session"
    assert user["AssumedRoleId"].startswith("AROA")
    assert user["AssumedRoleId"].endswith(":e2e-session")
    assert "PackedPolicySize" not in out

    # The role id is stable for the role.
    again = sts.assume_role(RoleArn=role_arn(server), RoleSessionName="other")
    assert again["AssumedRoleUser"]["AssumedRoleId"].split(":")[0] == \
        user["AssumedRoleId"].split(":")[0]
    assert again["Credentials"]["AccessKeyId"] != creds["AccessKeyId"]

    # The temporary credentials work on DynamoDB and on STS, as the assumed role.
    ddb = client(server, "dynamodb", creds)
    assert "TableNames" in ddb.list_tables()
    me = client(server, "sts", creds).get_caller_identity()
    assert me["Arn"] == user["Arn"]
    assert me["UserId"] == user["AssumedRoleId"]
    assert me["Account"] == server.account


def test_assume_role_with_path_policy_and_tags(server):
    out = server.client("sts").assume_role(
        RoleArn=role_arn(server, "builder", "/team/ci/"), RoleSessionName="s-1",
        DurationSeconds=900, ExternalId="ext-42", SourceIdentity="alice",
        Policy='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
               '"Action": "dynamodb:*", "Resource": "*"}]}',
        Tags=[{"Key": "team", "Value": "ci"}], TransitiveTagKeys=["team"])
    assert out["AssumedRoleUser"]["Arn"] == \
        f"arn:aws:sts::{server.account}:assumed-role/builder/s-1"
    assert 1 <= out["PackedPolicySize"] <= 100
    assert out["SourceIdentity"] == "alice"
    left = (out["Credentials"]["Expiration"] - datetime.datetime.now(datetime.timezone.utc))
    assert 880 <= left.total_seconds() <= 901


def test_cli_assume_role_then_use(server):
    _, out = cli(server, "sts", "assume-role", "--role-arn", role_arn(server, "cli-role"),
                 "--role-session-name", "cli")
    creds = out["Credentials"]
    assert creds["Expiration"].endswith("Z") or "+00:00" in creds["Expiration"]
    _, me = cli(server, "sts", "get-caller-identity", creds=creds)
    assert me["Arn"] == f"arn:aws:sts::{server.account}:assumed-role/cli-role/cli"
    _, tables = cli(server, "dynamodb", "list-tables", creds=creds)
    assert "TableNames" in tables


def test_role_chaining_limit(server):
    creds = server.client("sts").assume_role(
        RoleArn=role_arn(server), RoleSessionName="first")["Credentials"]
    chained = client(server, "sts", creds)
    out = chained.assume_role(RoleArn=role_arn(server, "second"), RoleSessionName="second")
    assert out["AssumedRoleUser"]["Arn"].endswith(":assumed-role/second/second")
    expect_error(chained.assume_role, RoleArn=role_arn(server, "second"),
                 RoleSessionName="second", DurationSeconds=7200, code="ValidationError",
                 message="The requested DurationSeconds exceeds the 1 hour session limit for "
                         "roles assumed by role chaining.")


def test_assume_role_errors(server):
    sts = server.client("sts", validate=False)
    expect_error(sts.assume_role, RoleArn=f"arn:aws:iam::{server.account}:user/bob",
                 RoleSessionName="x1", code="ValidationError", message="Request ARN is invalid")
    expect_error(sts.assume_role, RoleArn="arn:aws:iam::999999999999:role/elsewhere",
                 RoleSessionName="x1", code="AccessDenied", status=403,
                 message=f"User: arn:aws:iam::{server.account}:root is not authorized to "
                         f"perform: sts:AssumeRole on resource: "
                         f"arn:aws:iam::999999999999:role/elsewhere")
    expect_error(sts.assume_role, RoleArn=role_arn(server), RoleSessionName="x1",
                 DurationSeconds=899, code="ValidationError",
                 message="1 validation error detected: Value '899' at 'durationSeconds' failed "
                         "to satisfy constraint: Member must have value greater than or equal "
                         "to 900")
    expect_error(sts.assume_role, RoleArn=role_arn(server), RoleSessionName="bad name",
                 code="ValidationError", contains="roleSessionName")
    expect_error(sts.assume_role, RoleArn=role_arn(server), RoleSessionName="x1",
                 Policy="{not json", code="MalformedPolicyDocument")
    expect_error(sts.assume_role, RoleArn=role_arn(server), RoleSessionName="x1",
                 Tags=[{"Key": "a", "Value": "b"}], TransitiveTagKeys=["c"],
                 code="InvalidParameterValue")
    # The process keeps serving.
    assert server.client("sts").get_caller_identity()["Account"] == server.account


# ---- GetSessionToken -------------------------------------------------------------------------

def test_get_session_token(server):
    sts = server.client("sts")
    now = datetime.datetime.now(datetime.timezone.utc)
    creds = sts.get_session_token(DurationSeconds=7200)["Credentials"]
    # The account root's sessions last at most an hour, as on AWS.
    left = (creds["Expiration"] - now).total_seconds()
    assert 3590 <= left <= 3601, left
    me = client(server, "sts", creds).get_caller_identity()
    assert me["Arn"] == f"arn:aws:iam::{server.account}:root"
    assert "TableNames" in client(server, "dynamodb", creds).list_tables()
    expect_error(client(server, "sts", creds).get_session_token, code="AccessDenied",
                 status=403, message="Cannot call GetSessionToken with session credentials")
    # Session credentials may assume a role.
    out = client(server, "sts", creds).assume_role(RoleArn=role_arn(server),
                                                   RoleSessionName="from-session")
    assert out["AssumedRoleUser"]["Arn"].endswith(":assumed-role/e2e-role/from-session")


def test_cli_get_session_token(server):
    _, out = cli(server, "sts", "get-session-token", "--duration-seconds", "900")
    creds = out["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA")
    _, me = cli(server, "sts", "get-caller-identity", creds=creds)
    assert me["Account"] == server.account


# ---- bad credentials -------------------------------------------------------------------------

def test_tampered_token_rejected(server):
    creds = server.client("sts").assume_role(
        RoleArn=role_arn(server), RoleSessionName="tamper")["Credentials"]
    bad = dict(creds, SessionToken=tamper(creds["SessionToken"]))
    expect_error(client(server, "dynamodb", bad).list_tables,
                 code="UnrecognizedClientException", message=INVALID_TOKEN)
    expect_error(client(server, "sts", bad).get_caller_identity, code="InvalidClientTokenId",
                 status=403, message=INVALID_TOKEN)
    # A temporary access key without its token, and a token under another access key.
    no_token = dict(creds)
    no_token.pop("SessionToken")
    expect_error(client(server, "dynamodb", no_token).list_tables,
                 code="UnrecognizedClientException", message=INVALID_TOKEN)
    other = server.client("sts").get_session_token()["Credentials"]
    swapped = dict(creds, SessionToken=other["SessionToken"])
    expect_error(client(server, "dynamodb", swapped).list_tables,
                 code="UnrecognizedClientException", message=INVALID_TOKEN)
    # The right token with a wrong secret fails the signature, not the token.
    wrong_secret = dict(creds, SecretAccessKey="x" * 40)
    expect_error(client(server, "dynamodb", wrong_secret).list_tables,
                 code="InvalidSignatureException")
    expect_error(client(server, "sts", wrong_secret).get_caller_identity,
                 code="SignatureDoesNotMatch", status=403)


def test_minted_token_accepted_and_expired_rejected(sts_server):
    """A token sealed with the shared admin secret opens; one past its expiry is refused."""
    srv = sts_server
    arn = f"arn:aws:sts::{srv.account}:assumed-role/minted/s"
    now_ms = int(datetime.datetime.now(datetime.timezone.utc).timestamp() * 1000)
    good = mint_token(ADMIN_SECRET, arn, "AROAMINTEDMINTEDMINTE:s", now_ms + 600_000)
    assert client(srv, "sts", good).get_caller_identity()["Arn"] == arn
    expired = mint_token(ADMIN_SECRET, arn, "AROAMINTEDMINTEDMINTE:s", now_ms - 1000)
    expect_error(client(srv, "dynamodb", expired).list_tables,
                 code="ExpiredTokenException", message=EXPIRED_TOKEN)
    expect_error(client(srv, "sts", expired).get_caller_identity, code="ExpiredToken",
                 status=403, message=EXPIRED_TOKEN)
    forged = mint_token("some-other-admin-secret", arn, "AROAMINTEDMINTEDMINTE:s",
                        now_ms + 600_000)
    expect_error(client(srv, "dynamodb", forged).list_tables,
                 code="UnrecognizedClientException", message=INVALID_TOKEN)


def test_token_survives_restart(sts_server):
    creds = sts_server.client("sts").assume_role(
        RoleArn=role_arn(sts_server), RoleSessionName="restart")["Credentials"]
    sts_server.restart()
    me = client(sts_server, "sts", creds).get_caller_identity()
    assert me["Arn"].endswith(":assumed-role/e2e-role/restart")


def test_token_accepted_by_another_region(gyre_factory):
    """Regions that share the admin key accept each other's temporary credentials."""
    east = gyre_factory(region="us-east-1", admin_key=ADMIN_KEY)
    west = gyre_factory(region="eu-west-1", admin_key=ADMIN_KEY)
    other = gyre_factory(region="ap-southeast-1",
                         admin_key="AKIAGYRESTSOTHER0001:a-different-admin-secret-000000")
    out = east.client("sts").assume_role(RoleArn=role_arn(east), RoleSessionName="x-region")
    creds = out["Credentials"]
    me = client(west, "sts", creds).get_caller_identity()
    assert me["Arn"] == out["AssumedRoleUser"]["Arn"]
    assert "TableNames" in client(west, "dynamodb", creds).list_tables()
    # A region with another admin key does not.
    expect_error(client(other, "dynamodb", creds).list_tables,
                 code="UnrecognizedClientException", message=INVALID_TOKEN)

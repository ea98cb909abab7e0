"""SigV4 verification against the admin key: missing, unknown, wrong, skewed and tampered
signatures, through boto3 and through hand-signed raw requests."""

import datetime
import json

import pytest

import gyre
from gyre import DDB_JSON, expect_error, expect_raw_error

TARGET = "DynamoDB_20120810.ListTables"
BAD_SIG_PREFIX = "The request signature we calculated does not match the signature you provided."


def _headers(target=TARGET):
    return {"Content-Type": DDB_JSON, "X-Amz-Target": target}


def test_valid_signature(server):
    resp = server.signed("POST", "/", b"{}", _headers())
    assert resp.status == 200, resp


def test_missing_authentication(server):
    hdrs = {**_headers(), "X-Amz-Date": gyre.amz_date()}
    resp = server.raw("POST", "/", b"{}", hdrs)
    expect_raw_error(resp, "MissingAuthenticationTokenException",
                     message="Request is missing Authentication Token")
    assert resp.headers.get("x-amzn-requestid")


def test_missing_authentication_no_date(server):
    resp = server.raw("POST", "/", b"{}", _headers())
    expect_raw_error(resp, "MissingAuthenticationTokenException",
                     message="Request is missing Authentication Token")


def test_unknown_access_key_boto3(server):
    c = server.client(access_key="AKIAUNKNOWNKEY000000", secret_key="s" * 40)
    expect_error(c.list_tables, code="UnrecognizedClientException",
                 message="The security token included in the request is invalid.")


def test_unknown_access_key_raw(server):
    resp = server.signed("POST", "/", b"{}", _headers(), access_key="AKIAUNKNOWNKEY000000",
                         secret_key="s" * 40)
    expect_raw_error(resp, "UnrecognizedClientException",
                     message="The security token included in the request is invalid.")


def test_wrong_secret_boto3(server):
    c = server.client(secret_key=server.secret_key + "x")
    expect_error(c.list_tables, code="InvalidSignatureException", startswith=BAD_SIG_PREFIX)


def test_wrong_secret_raw(server):
    resp = server.signed("POST", "/", b"{}", _headers(), secret_key="wrong-secret")
    expect_raw_error(resp, "InvalidSignatureException", startswith=BAD_SIG_PREFIX)


def test_wrong_secret_on_data_plane(server, ddb, hash_table):
    c = server.client(secret_key="not-the-secret")
    expect_error(c.put_item, TableName=hash_table, Item={"PK": {"S": "a"}},
                 code="InvalidSignatureException")
    assert "Item" not in ddb.get_item(TableName=hash_table, Key={"PK": {"S": "a"}})


def test_tampered_body(server):
    body = json.dumps({"Limit": 5}).encode()
    hdrs = server.sign("POST", "/", body, _headers())
    resp = server.raw("POST", "/", json.dumps({"Limit": 6}).encode(), hdrs)
    expect_raw_error(resp, "InvalidSignatureException", startswith=BAD_SIG_PREFIX)


def test_tampered_signed_header(server):
    hdrs = server.sign("POST", "/", b"{}", _headers())
    hdrs["X-Amz-Target"] = "DynamoDB_20120810.DescribeLimits"
    resp = server.raw("POST", "/", b"{}", hdrs)
    expect_raw_error(resp, "InvalidSignatureException", startswith=BAD_SIG_PREFIX)


def test_tampered_signature(server):
    hdrs = server.sign("POST", "/", b"{}", _headers())
    auth = hdrs["Authorization"]
    sig = auth.rsplit("Signature=", 1)[1]
    flipped = ("0" if sig[0] != "0" else "1") + sig[1:]
    hdrs["Authorization"] = auth[:-len(sig)] + flipped
    resp = server.raw("POST", "/", b"{}", hdrs)
    expect_raw_error(resp, "InvalidSignatureException", startswith=BAD_SIG_PREFIX)


def test_unsigned_header_may_change(server):
    hdrs = server.sign("POST", "/", b"{}", _headers())
    hdrs["User-Agent"] = "something-else/1.0"
    resp = server.raw("POST", "/", b"{}", hdrs)
    assert resp.status == 200, resp


@pytest.mark.parametrize("minutes", [-20, -60 * 24])
def test_signature_expired(server, minutes):
    when = datetime.datetime.utcnow() + datetime.timedelta(minutes=minutes)
    resp = server.signed("POST", "/", b"{}", _headers(), when=when)
    expect_raw_error(resp, "InvalidSignatureException", startswith="Signature expired: ")
    assert gyre.amz_date(when) in resp.message


def test_signature_in_the_future(server):
    when = datetime.datetime.utcnow() + datetime.timedelta(minutes=20)
    resp = server.signed("POST", "/", b"{}", _headers(), when=when)
    expect_raw_error(resp, "InvalidSignatureException", startswith="Signature ")


@pytest.mark.parametrize("minutes", [-10, 10])
def test_small_skew_accepted(server, minutes):
    when = datetime.datetime.utcnow() + datetime.timedelta(minutes=minutes)
    resp = server.signed("POST", "/", b"{}", _headers(), when=when)
    assert resp.status == 200, resp


def test_malformed_authorization_header(server):
    hdrs = {**_headers(), "X-Amz-Date": gyre.amz_date(),
            "Authorization": "AWS4-HMAC-SHA256 this-is-not-a-valid-header"}
    resp = server.raw("POST", "/", b"{}", hdrs)
    assert resp.status == 400, resp
    assert resp.error_code in ("IncompleteSignatureException", "InvalidSignatureException"), resp
    assert resp.headers.get("x-amzn-requestid")


def test_unsupported_algorithm(server):
    hdrs = server.sign("POST", "/", b"{}", _headers())
    hdrs["Authorization"] = hdrs["Authorization"].replace("AWS4-HMAC-SHA256", "AWS4-HMAC-MD5", 1)
    resp = server.raw("POST", "/", b"{}", hdrs)
    assert resp.status == 400, resp
    assert resp.error_code in ("IncompleteSignatureException", "InvalidSignatureException",
                               "MissingAuthenticationTokenException"), resp


def test_scope_date_mismatch(server):
    hdrs = server.sign("POST", "/", b"{}", _headers())
    real = hdrs["X-Amz-Date"][:8]
    other = (datetime.datetime.strptime(real, "%Y%m%d") - datetime.timedelta(days=1))
    hdrs["Authorization"] = hdrs["Authorization"].replace(f"/{real}/",
                                                          f"/{other.strftime('%Y%m%d')}/", 1)
    resp = server.raw("POST", "/", b"{}", hdrs)
    assert resp.status == 400, resp
    assert resp.error_code in ("IncompleteSignatureException", "InvalidSignatureException"), resp


def test_cli_signature_accepted(server):
    proc, out = server.cli("dynamodb", "list-tables")
    assert proc.returncode == 0
    assert isinstance(out["TableNames"], list)


def test_auth_errors_do_not_stop_server(server):
    for _ in range(3):
        server.signed("POST", "/", b"{}", _headers(), secret_key="bad")
        server.raw("POST", "/", b"{}", _headers())
    assert server.api("ListTables", {}).status == 200

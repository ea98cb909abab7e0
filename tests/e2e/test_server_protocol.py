"""HTTP and JSON-protocol behaviour on the wire: health, keep-alive, error shapes, request ids,
CRC32, unknown operations, malformed bodies, size limits. Every bad request is followed by a
check that the process still serves."""

import http.client
import json
import socket

import pytest

import gyre
from gyre import DDB_JSON, expect_raw_error

DDB_NS = "com.amazonaws.dynamodb.v20120810"
VALIDATE_NS = "com.amazon.coral.validate"


def assert_still_serving(server):
    assert server.raw("GET", "/_gyre/health").status == 200
    resp = server.api("ListTables", {})
    assert resp.status == 200, resp
    assert isinstance(resp.json()["TableNames"], list)


def test_health(server):
    resp = server.raw("GET", "/_gyre/health")
    assert resp.status == 200
    assert server.region in resp.body.decode("utf-8", "replace")


def test_success_response_headers(server):
    resp = server.api("ListTables", {})
    assert resp.status == 200
    assert resp.headers.get("x-amzn-requestid")
    assert resp.headers.get("content-type", "").startswith("application/x-amz-json-1.0")
    assert int(resp.headers["content-length"]) == len(resp.body)
    if "x-amz-crc32" in resp.headers:
        gyre.check_crc32(resp)
    json.loads(resp.body)


def test_request_ids_are_unique(server):
    ids = {server.api("ListTables", {}).headers["x-amzn-requestid"] for _ in range(5)}
    assert len(ids) == 5


def test_error_shape_resource_not_found(server):
    missing = gyre.unique("missing")
    resp = server.api("DescribeTable", {"TableName": missing})
    expect_raw_error(resp, "ResourceNotFoundException",
                     message=f"Requested resource not found: Table: {missing} not found")
    assert resp.error_type == f"{DDB_NS}#ResourceNotFoundException"
    assert resp.headers.get("x-amzn-requestid")
    assert resp.headers.get("content-type", "").startswith("application/x-amz-json-1.0")


def test_error_shape_validation(server):
    resp = server.api("DescribeTable", {})
    expect_raw_error(resp, "ValidationException")
    assert resp.error_type == f"{VALIDATE_NS}#ValidationException"
    assert resp.headers.get("x-amzn-requestid")


def test_keep_alive(server):
    conn = server.connection()
    try:
        resp = server.api("ListTables", {}, conn=conn)
        assert resp.status == 200
        sock = conn.sock
        assert sock is not None, "server closed a keep-alive connection"
        for i in range(6):
            resp = server.api("ListTables", {"Limit": 1 + i}, conn=conn)
            assert resp.status == 200, resp
            assert conn.sock is sock, "connection was not reused"
        assert server.raw("GET", "/_gyre/health", conn=conn).status == 200
        assert conn.sock is sock
    finally:
        conn.close()


def test_keep_alive_survives_client_errors(server):
    conn = server.connection()
    try:
        assert server.api("ListTables", {}, conn=conn).status == 200
        sock = conn.sock
        resp = server.api("DescribeTable", {"TableName": gyre.unique("nope")}, conn=conn)
        assert resp.status == 400
        resp = server.api("ListTables", {}, raw_body=b"{not json", conn=conn)
        assert resp.status == 400
        resp = server.api("ListTables", {}, conn=conn)
        assert resp.status == 200
        assert conn.sock is sock
    finally:
        conn.close()


def test_unknown_operation(server):
    resp = server.api("FrobnicateTable", {})
    expect_raw_error(resp, "UnknownOperationException")
    assert resp.headers.get("x-amzn-requestid")
    assert_still_serving(server)


def test_unknown_target_prefix(server):
    resp = server.api("ListTables", {}, target_prefix="NoSuchService_20991231")
    assert 400 <= resp.status < 500, resp
    assert_still_serving(server)


@pytest.mark.parametrize("body", [
    b"{not json",
    b"{\"TableName\": ",
    b"\xff\xfe\xfd",
    b"{\"a\": 1} trailing",
])
def test_malformed_json(server, body):
    resp = server.api("ListTables", {}, raw_body=body)
    expect_raw_error(resp, "SerializationException")
    assert resp.headers.get("x-amzn-requestid")
    assert_still_serving(server)


@pytest.mark.parametrize("body", [b"[]", b"\"str\"", b"42", b"null"])
def test_json_body_not_an_object(server, body):
    resp = server.api("ListTables", {}, raw_body=body)
    assert resp.status == 400, resp
    assert resp.error_code in ("SerializationException", "ValidationException"), resp
    assert_still_serving(server)


def test_wrong_member_type(server):
    resp = server.api("ListTables", {"Limit": "ten"})
    assert resp.status == 400, resp
    assert resp.error_code in ("SerializationException", "ValidationException"), resp


def test_empty_body_is_empty_object(server):
    # botocore sends "{}" for no-argument calls; an empty body is also a valid empty request.
    resp = server.api("ListTables", {}, raw_body=b"")
    assert resp.status in (200, 400), resp
    if resp.status == 400:
        assert resp.error_code == "SerializationException", resp
    assert_still_serving(server)


def test_missing_target(server):
    resp = server.signed("POST", "/", b"{}", {"Content-Type": DDB_JSON})
    assert 400 <= resp.status < 500, resp
    assert_still_serving(server)


def _raw_exchange(server, head, body_chunks=(), timeout=30):
    """Write a request by hand; tolerate the server answering early and closing."""
    sock = socket.create_connection((server.host, server.port), timeout=timeout)
    try:
        try:
            sock.sendall(head)
            for chunk in body_chunks:
                sock.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        resp = http.client.HTTPResponse(sock)
        resp.begin()
        body = resp.read()
        out = gyre.RawResponse(resp.status, resp.reason, resp.getheaders(), body)
        gyre.check_crc32(out)
        return out
    finally:
        sock.close()


def test_body_over_16mb_is_413(server):
    size = 16 * 1024 * 1024 + 1
    body = b"{" + b" " * (size - 2) + b"}"
    hdrs = server.sign("POST", "/", body, {"Content-Type": DDB_JSON,
                                           "X-Amz-Target": "DynamoDB_20120810.ListTables"})
    hdrs["Content-Length"] = str(size)
    head = "POST / HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in hdrs.items()) + "\r\n"
    chunks = [body[i:i + (1 << 20)] for i in range(0, size, 1 << 20)]
    resp = _raw_exchange(server, head.encode(), chunks)
    assert resp.status == 413, resp
    if resp.body:
        assert resp.error_code == "RequestEntityTooLargeException", resp
    assert_still_serving(server)


def test_declared_length_over_16mb_is_413(server):
    head = ("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\n"
            "X-Amz-Target: DynamoDB_20120810.ListTables\r\n"
            f"Content-Length: {64 * 1024 * 1024}\r\n\r\n{{}}")
    resp = _raw_exchange(server, head.encode())
    assert resp.status == 413, resp
    assert_still_serving(server)


def test_header_section_over_64k_is_431(server):
    head = ("GET /_gyre/health HTTP/1.1\r\nHost: x\r\n" +
            "".join(f"X-Pad-{i}: {'p' * 1000}\r\n" for i in range(70)) + "\r\n")
    resp = _raw_exchange(server, head.encode())
    assert resp.status == 431, resp
    assert_still_serving(server)


def test_single_huge_header_is_431(server):
    head = f"GET /_gyre/health HTTP/1.1\r\nHost: x\r\nX-Big: {'b' * 70000}\r\n\r\n"
    resp = _raw_exchange(server, head.encode())
    assert resp.status == 431, resp
    assert_still_serving(server)


def test_garbage_request(server):
    sock = socket.create_connection((server.host, server.port), timeout=10)
    try:
        sock.sendall(b"\x16\x03\x01garbage that is not http\r\n\r\n")
        data = b""
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
                if b"\r\n\r\n" in data:
                    break
        except (ConnectionResetError, socket.timeout):
            pass
        if data:
            assert data.startswith(b"HTTP/1.1 4"), data[:200]
    finally:
        sock.close()
    assert_still_serving(server)


def test_truncated_body_then_close(server):
    sock = socket.create_connection((server.host, server.port), timeout=10)
    try:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\n"
                     b"X-Amz-Target: DynamoDB_20120810.ListTables\r\nContent-Length: 1000\r\n\r\n"
                     b"{\"Limit\":")
    finally:
        sock.close()
    assert_still_serving(server)


def test_many_idle_connections_do_not_block(server):
    socks = [socket.create_connection((server.host, server.port), timeout=10) for _ in range(50)]
    try:
        assert_still_serving(server)
    finally:
        for s in socks:
            s.close()
    assert_still_serving(server)


class _SharedReader:
    """One buffered reader shared by several HTTPResponse objects (pipelining)."""

    def __init__(self, fp):
        self._fp = fp

    def makefile(self, *args, **kwargs):
        return self

    def close(self):
        pass

    def __getattr__(self, attr):
        return getattr(self._fp, attr)


def test_pipelined_requests(server):
    h1 = server.sign("POST", "/", b"{}", {"Content-Type": DDB_JSON,
                                          "X-Amz-Target": "DynamoDB_20120810.ListTables"})
    one = ("POST / HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in h1.items()) +
           "Content-Length: 2\r\n\r\n{}").encode()
    sock = socket.create_connection((server.host, server.port), timeout=10)
    try:
        sock.sendall(one + one)
        shared = _SharedReader(sock.makefile("rb"))
        statuses = []
        for _ in range(2):
            resp = http.client.HTTPResponse(shared)
            resp.begin()
            resp.read()
            statuses.append(resp.status)
        assert statuses == [200, 200]
    finally:
        sock.close()

"""conftest.py — fixtures for the gyre end-to-end suite.

`server` is one gyre process shared by the session (or the endpoint in GYRE_ENDPOINT, with
GYRE_ADMIN_KEY, when debugging against a server started by hand). `gyre_factory` starts
function-scoped servers for restart, credentials and durability tests; those tests are skipped
when attached. A failing test gets the tail of every server log attached to its report.
"""

import os
import re

import pytest

pytest.register_assert_rewrite("gyre")

import gyre  # noqa: E402

SESSION_REGION = "eu-west-1"


@pytest.fixture(scope="session")
def server():
    srv = gyre.server_from_env(region=SESSION_REGION)
    if srv is None:
        if not os.environ.get("GYRE_BIN"):
            pytest.exit("set GYRE_BIN to the gyre binary (or GYRE_ENDPOINT + GYRE_ADMIN_KEY)", 2)
        srv = gyre.GyreServer(region=SESSION_REGION).start()
    yield srv
    srv.close()


@pytest.fixture(scope="session")
def attached(server):
    return server.attached


@pytest.fixture
def gyre_factory():
    """Start owned servers for one test: gyre_factory(region=..., admin_key=..., ...)."""
    if os.environ.get("GYRE_ENDPOINT"):
        pytest.skip("needs its own gyre process (GYRE_ENDPOINT is set)")
    if not os.environ.get("GYRE_BIN"):
        pytest.skip("GYRE_BIN is not set")
    made = []

    def make(start=True, **kw):
        srv = gyre.GyreServer(**kw)
        made.append(srv)
        if start:
            srv.start()
        return srv

    yield make
    for srv in made:
        srv.close()


@pytest.fixture(scope="session")
def ddb(server):
    return server.client()


@pytest.fixture
def name(request):
    """A unique table name derived from the test name."""
    base = re.sub(r"[^a-zA-Z0-9_.-]", "-", request.node.name)[:40]

    def make(suffix=""):
        return gyre.unique(f"{base}{suffix}")

    return make


@pytest.fixture
def hash_table(ddb, name):
    """A fresh PAY_PER_REQUEST table with a string hash key PK."""
    table = name("-h")
    gyre.create_table(ddb, table, "PK")
    return table


@pytest.fixture
def range_table(ddb, name):
    """A fresh PAY_PER_REQUEST table with string keys PK (hash) and SK (range)."""
    table = name("-r")
    gyre.create_table(ddb, table, "PK", "SK")
    return table


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.when != "call" or not rep.failed:
        return
    for srv in gyre.ALL_SERVERS:
        if srv.attached or not srv.log_path or not os.path.exists(srv.log_path):
            continue
        rep.sections.append((f"gyre log {srv.endpoint} ({srv.region})", srv.log_tail()))

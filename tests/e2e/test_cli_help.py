"""test_cli_help.py — every flag the gyre commands parse is documented in their --help.

For `gyre`, `gyre serve`, `gyre up` and `gyre verify`: --help (and -h) prints usage to stdout
and exits 0; the help lists every flag in FLAGS with a one-line description; FLAGS matches the
getopt tables in the C sources (so a flag added to the code but not to the help fails here);
and an unknown flag prints usage to stderr and exits 2. Needs GYRE_BIN; starts no server.
"""

import os
import re
import signal
import subprocess
import tempfile

import pytest

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src")

# The flags each command parses, and the source file whose getopt table parses them.
FLAGS = {
    "serve": {
        "source": "main.c",
        "flags": ["--region", "--listen", "--data", "--admin-key", "--account", "--peer",
                  "--threads", "--map-size-gb", "--max-connections", "--max-per-peer",
                  "--header-timeout-ms", "--log-level", "--help"],
    },
    "up": {
        "source": "cli/up.c",
        "flags": ["--regions", "--base-port", "--data", "--help"],
    },
    "verify": {
        "source": "cli/verify.c",
        "flags": ["--table", "--endpoint", "--segments", "--help"],
    },
}
TOP_LEVEL_FLAGS = ["--help", "--version"]
COMMANDS = ["serve", "up", "verify", "version", "help"]

# "  -h, --help    text" or "  --map-size-gb N    text": the flag, then 2+ spaces, then text.
FLAG_LINE = re.compile(r"^\s+(?:-[a-zA-Z], )?(--[a-z0-9-]+)(?:[ =][^ ]+)?\s{2,}(\S.*)$")


def gyre_bin():
    path = os.environ.get("GYRE_BIN")
    if not path:
        pytest.skip("GYRE_BIN is not set")
    return path


def run(*args):
    """Run gyre in its own process group in a scratch directory; a binary that wrongly starts
    serving (`gyre up` spawns children) is killed with its whole group after 10 s."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("GYRE_ADMIN_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    with tempfile.TemporaryDirectory(prefix="gyre-cli-") as cwd:
        p = subprocess.Popen([gyre_bin(), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env=env, cwd=cwd, start_new_session=True)
        try:
            out, err = p.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.communicate()
            pytest.fail(f"gyre {' '.join(args)} did not exit")
    return subprocess.CompletedProcess(p.args, p.returncode, out, err)


def documented_flags(text):
    """{flag: description} for every flag line of a help text."""
    found = {}
    for line in text.splitlines():
        m = FLAG_LINE.match(line)
        if m:
            assert m.group(1) not in found, f"{m.group(1)} documented twice"
            found[m.group(1)] = m.group(2).strip()
    return found


def source_flags(relpath):
    """The long options in the getopt tables of a source file: { "name", ...argument, ... }."""
    path = os.path.join(SRC, relpath)
    if not os.path.exists(path):
        pytest.skip(f"{path} is not available")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return {"--" + name for name in
            re.findall(r'\{\s*"([a-z0-9-]+)",\s*(?:no|required|optional)_argument', text)}


def test_top_level_help():
    for arg in ("--help", "-h", "help"):
        r = run(arg)
        assert r.returncode == 0, r.stderr
        assert r.stderr == ""
        assert r.stdout.startswith("usage: gyre")
        for cmd in COMMANDS:
            assert re.search(rf"^\s+{cmd}\s{{2,}}\S", r.stdout, re.M), f"{cmd} not listed"
        flags = documented_flags(r.stdout)
        for flag in TOP_LEVEL_FLAGS:
            assert flags.get(flag), f"gyre --help does not describe {flag}"


def test_version():
    for arg in ("version", "--version"):
        r = run(arg)
        assert r.returncode == 0
        assert re.fullmatch(r"gyre \d+\.\d+\.\d+\n", r.stdout)


@pytest.mark.parametrize("cmd", sorted(FLAGS))
def test_command_help_lists_every_flag(cmd):
    r = run(cmd, "--help")
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    assert r.stdout.startswith(f"usage: gyre {cmd}")
    flags = documented_flags(r.stdout)
    for flag in FLAGS[cmd]["flags"]:
        assert flag in flags, f"gyre {cmd} --help does not list {flag}:\n{r.stdout}"
        assert len(flags[flag]) >= 10, f"{flag}: description too short: {flags[flag]!r}"
    assert set(flags) == set(FLAGS[cmd]["flags"]), f"undocumented or unknown: {flags}"
    short = run(cmd, "-h")
    assert short.returncode == 0
    assert short.stdout == r.stdout


@pytest.mark.parametrize("cmd", sorted(FLAGS))
def test_list_matches_source(cmd):
    """The list above is the getopt table: a flag added to the code must be added here too."""
    assert source_flags(FLAGS[cmd]["source"]) == set(FLAGS[cmd]["flags"])


@pytest.mark.parametrize("args", [
    ["--no-such-flag"],
    ["serve", "--no-such-flag"],
    ["serve", "--region", "us-east-1", "--listen", "127.0.0.1:0", "--data", "/nonexistent",
     "--bogus"],
    ["up", "--no-such-flag"],
    ["up", "stray-argument"],
    ["verify", "--no-such-flag"],
    ["no-such-command"],
    [],
])
def test_unknown_flag_prints_usage_and_exits_2(args):
    r = run(*args)
    assert r.returncode == 2, (args, r.stdout, r.stderr)
    assert r.stdout == ""
    assert "usage: gyre" in r.stderr


@pytest.mark.parametrize("args", [
    ["serve"],                                   # required flags missing
    ["serve", "--region", "us-east-1", "--listen", "127.0.0.1:0", "--data", "/tmp/x",
     "--threads", "0"],
    ["serve", "--region", "us-east-1", "--listen", "127.0.0.1:0", "--data", "/tmp/x",
     "--log-level", "loud"],
    ["serve", "--region", "us-east-1", "--listen", "127.0.0.1:0", "--data", "/tmp/x",
     "--max-connections", "0"],
    ["verify", "--table", "t", "--endpoint", "http://127.0.0.1:1"],  # one endpoint
])
def test_bad_values_print_usage_and_exit_2(args):
    r = run(*args)
    assert r.returncode == 2, (args, r.stdout, r.stderr)
    assert "usage: gyre" in r.stderr

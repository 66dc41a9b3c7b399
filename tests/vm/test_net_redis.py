"""Redis under amphi, talked to from the host with Debian's redis-cli and
redis-benchmark (issue 4, item 6).

One VM for the module: build/redis/redis-server (Debian's redis source, static
with musl: tools/build-redis.sh) runs under `amphi run -p HOSTPORT:6379`, and
every test talks to it through QEMU's user networking.  Answers are checked
exactly; redis-benchmark checks nothing itself, so the database state it
leaves behind is checked afterwards.  BGSAVE (a fork) leaves a dump that
Debian's redis-check-rdb finds correct.  The last test shuts redis down and
expects the run to end with status 0.

redis-benchmark's 50 simultaneous connects also check that `amphi run -p`
copes with QEMU's user networking listening with a backlog of 1
(tools/amphi-slirp.c).
"""

import os
import signal
import socket
import subprocess
import tempfile
import time

import pytest

from conftest import ROOT, amphi_argv, free_port

pytestmark = pytest.mark.usefixtures("amphi_works")

REDIS = os.path.join("build", "redis", "redis-server")
GUEST_PORT = 6379
START_LIMIT = 120   # seconds from spawning amphi to the first PONG (TCG)
CLIENT_LIMIT = 120  # seconds one redis-cli / redis-benchmark call may take
BENCH_DB = 3        # redis-benchmark's database, apart from the other tests'


def redis_argv():
    # protected-mode no: the host's connections reach redis from slirp's
    # 10.0.2.2, not from loopback, and redis refuses those without a password.
    # bind 0.0.0.0: the forwarded port arrives over IPv4.
    return [REDIS, "--port", str(GUEST_PORT), "--bind", "0.0.0.0",
            "--protected-mode", "no", "--save", "", "--appendonly", "no"]


class Server:
    """amphi running redis; its output goes to a file so it never blocks."""

    def __init__(self):
        for f in (REDIS, os.path.join("build", "amphi")):
            if not os.path.isfile(os.path.join(ROOT, f)):
                pytest.fail("%s not built (run `make vmtest`)" % f, pytrace=False)
        self.port = free_port()
        self.log = tempfile.TemporaryFile()
        argv = amphi_argv(REDIS, *redis_argv()[1:], mem="128M",
                          options=["-p", "%d:%d" % (self.port, GUEST_PORT)])
        self.argv = argv
        self.proc = subprocess.Popen(argv, cwd=ROOT, stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)

    def output(self):
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")[-4000:]

    def fail(self, why):
        pytest.fail("%s\n`%s`\n--- amphi's output ---\n%s"
                    % (why, " ".join(self.argv), self.output()), pytrace=False)

    def wait_ready(self):
        t0 = time.monotonic()
        while time.monotonic() - t0 < START_LIMIT:
            if self.proc.poll() is not None:
                self.fail("amphi exited with status %d before redis answered PING"
                          % self.proc.returncode)
            r = cli_run(self.port, "PING", limit=10, check=False)
            if r is not None and r.returncode == 0 and r.stdout == b"PONG\n":
                return
            time.sleep(0.5)
        self.fail("redis did not answer PING within %d s" % START_LIMIT)

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.log.close()


def cli_run(port, *args, limit=CLIENT_LIMIT, check=True, stdin=None):
    """Debian's redis-cli against the forwarded port; its CompletedProcess
    (None if it did not finish in time and check is false)."""
    argv = ["redis-cli", "-h", "127.0.0.1", "-p", str(port)] + [str(a) for a in args]
    try:
        r = subprocess.run(argv, input=stdin, capture_output=True, timeout=limit)
    except subprocess.TimeoutExpired:
        if check:
            pytest.fail("`%s` did not finish within %d s" % (" ".join(argv), limit))
        return None
    if check and r.returncode != 0:
        pytest.fail("`%s` exited with %d: %r %r"
                    % (" ".join(argv), r.returncode, r.stdout, r.stderr))
    return r


def cli(port, *args):
    """redis-cli's answer (raw mode, as when not on a terminal) as text lines."""
    return cli_run(port, *args).stdout.decode().splitlines()


@pytest.fixture(scope="module")
def redis():
    if subprocess.run(["sh", "-c", "command -v redis-cli && command -v redis-benchmark"],
                      capture_output=True).returncode != 0:
        pytest.fail("redis-cli or redis-benchmark missing (Debian package redis-tools; "
                    "`make deps`)", pytrace=False)
    server = Server()
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def test_set_get(redis):
    assert cli(redis.port, "SET", "greeting", "hello from the host") == ["OK"]
    assert cli(redis.port, "GET", "greeting") == ["hello from the host"]
    assert cli(redis.port, "GET", "no-such-key") == [""]
    assert cli(redis.port, "EXISTS", "greeting", "no-such-key") == ["1"]


def test_incr(redis):
    assert cli(redis.port, "INCR", "visits") == ["1"]
    assert cli(redis.port, "INCRBY", "visits", "41") == ["42"]
    assert cli(redis.port, "INCR", "visits") == ["43"]
    assert cli(redis.port, "GET", "visits") == ["43"]


def test_lpush_lrange(redis):
    assert cli(redis.port, "LPUSH", "letters", "c", "b", "a") == ["3"]
    assert cli(redis.port, "RPUSH", "letters", "d") == ["4"]
    assert cli(redis.port, "LRANGE", "letters", "0", "-1") == ["a", "b", "c", "d"]
    assert cli(redis.port, "LRANGE", "letters", "1", "2") == ["b", "c"]
    assert cli(redis.port, "LLEN", "letters") == ["4"]


def test_lua_script(redis):
    """The bundled Lua is in the musl build (tools/build-redis.sh)."""
    script = "return redis.call('INCRBY', KEYS[1], ARGV[1]) * 2"
    assert cli(redis.port, "EVAL", script, "1", "scripted", "21") == ["42"]


def resp(*words):
    """One command in the RESP protocol."""
    out = b"*%d\r\n" % len(words)
    for w in words:
        w = w if isinstance(w, bytes) else str(w).encode()
        out += b"$%d\r\n%s\r\n" % (len(w), w)
    return out


def bulk(value):
    return b"$%d\r\n%s\r\n" % (len(value), value)


def test_pipelining_every_reply(redis):
    """3000 commands in one send, before reading anything; every reply is
    checked, in order, byte for byte."""
    n = 1000
    request, expected = b"", b""
    for i in range(n):
        value = b"value-%d-" % i + b"x" * (i % 97)
        request += resp("SET", "pipe:%d" % i, value)
        expected += b"+OK\r\n"
        request += resp("GET", "pipe:%d" % i)
        expected += bulk(value)
        request += resp("INCR", "pipe:count")
        expected += b":%d\r\n" % (i + 1)
    with socket.create_connection(("127.0.0.1", redis.port), timeout=CLIENT_LIMIT) as s:
        s.sendall(request)
        got = b""
        while len(got) < len(expected):
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
    assert len(got) == len(expected), "got %d of %d reply bytes" % (len(got), len(expected))
    assert got == expected
    assert cli(redis.port, "GET", "pipe:count") == [str(n)]


def test_redis_cli_pipe(redis):
    """redis-cli --pipe: mass insertion, as redis's documentation does it."""
    n = 2000
    data = b"".join(resp("RPUSH", "mass", "item-%d" % i) for i in range(n))
    r = cli_run(redis.port, "--pipe", stdin=data)
    text = r.stdout.decode()
    assert "errors: 0, replies: %d" % n in text, text
    assert cli(redis.port, "LLEN", "mass") == [str(n)]
    assert cli(redis.port, "LINDEX", "mass", "1234") == ["item-1234"]


def test_redis_benchmark_50_clients(redis):
    """Debian's redis-benchmark, 50 connections at once.  It verifies no
    reply, so the state it leaves is checked: without -r its keys are the
    literal key:__rand_int__, counter:__rand_int__ and mylist."""
    n = 2000
    argv = ["redis-benchmark", "-h", "127.0.0.1", "-p", str(redis.port), "-q",
            "-n", str(n), "-c", "50", "--dbnum", str(BENCH_DB),
            "-t", "set,get,incr,lpush,lrange_100"]
    try:
        r = subprocess.run(argv, capture_output=True, timeout=300)
    except subprocess.TimeoutExpired:
        pytest.fail("`%s` did not finish within 300 s" % " ".join(argv))
    out = (r.stdout + r.stderr).decode("utf-8", "replace")
    assert r.returncode == 0, out
    # -q ends each test with "NAME: N requests per second"; progress lines
    # are overwritten with \r.
    finals = [seg.strip() for seg in out.replace("\r", "\n").splitlines()
              if "requests per second" in seg and "rps=" not in seg]
    for name in ("SET", "GET", "INCR", "LPUSH", "LRANGE_100"):
        assert any(f.startswith(name) for f in finals), out
    assert "rror" not in out, out
    db = ["-n", BENCH_DB]
    assert cli(redis.port, *db, "GET", "counter:__rand_int__") == [str(n)]
    # LPUSH, then LPUSH again to fill the list for LRANGE_100.
    assert cli(redis.port, *db, "LLEN", "mylist") == [str(2 * n)]
    assert cli(redis.port, *db, "STRLEN", "key:__rand_int__") == ["3"]
    assert sorted(cli(redis.port, *db, "KEYS", "*")) == [
        "counter:__rand_int__", "key:__rand_int__", "mylist"]


def test_state_survives_the_others(redis):
    """What the first tests wrote is still there after 50 clients came and went."""
    assert cli(redis.port, "GET", "greeting") == ["hello from the host"]
    assert cli(redis.port, "GET", "visits") == ["43"]
    # greeting, visits, letters, scripted; pipe:0..999, pipe:count; mass.
    assert cli(redis.port, "DBSIZE") == [str(4 + 1000 + 1 + 1)]


def test_bgsave_leaves_a_correct_dump(redis, tmp_path):
    """BGSAVE forks: the child writes the dump while the parent serves.
    The dump is then fetched as a replica would (SYNC, a disk save: another
    fork) and checked by Debian's redis-check-rdb: every key of both
    databases is in it, and a value the first test wrote."""
    assert cli(redis.port, "BGSAVE") == ["Background saving started"]
    deadline = time.monotonic() + 60
    while True:
        info = dict(l.split(":", 1) for l in cli(redis.port, "INFO", "persistence") if ":" in l)
        if info.get("rdb_bgsave_in_progress") == "0":
            break
        assert time.monotonic() < deadline, "BGSAVE still running after 60 s\n" + redis.output()
        time.sleep(0.5)
    assert (info["rdb_last_bgsave_status"], info["rdb_changes_since_last_save"]) == ("ok", "0")
    keys = int(cli(redis.port, "DBSIZE")[0]) + int(cli(redis.port, "-n", BENCH_DB, "DBSIZE")[0])
    assert cli(redis.port, "CONFIG", "SET", "repl-diskless-sync", "no") == ["OK"]
    dump = str(tmp_path / "dump.rdb")
    cli_run(redis.port, "--rdb", dump)
    check = subprocess.run(["redis-check-rdb", dump], capture_output=True, timeout=60)
    out = check.stdout.decode("utf-8", "replace")
    assert check.returncode == 0 and "RDB looks OK" in out, out
    assert "[info] %d keys read" % keys in out, out
    with open(dump, "rb") as f:
        assert b"hello from the host" in f.read()


def test_shutdown_ends_the_run(redis):
    """SHUTDOWN NOSAVE: redis exits 0, so amphi does."""
    cli_run(redis.port, "SHUTDOWN", "NOSAVE", check=False)
    try:
        status = redis.proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        redis.fail("amphi did not exit within 60 s of SHUTDOWN")
    assert status == 0, redis.output()

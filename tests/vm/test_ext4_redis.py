"""A real database on a real disk: Debian's redis (tools/build-redis.sh)
with `appendonly yes` and `appendfsync always` keeps its file on an ext4
image made by `amphi disk create`.  The host sets keys with Debian's
redis-cli, then kills the VM's QEMU with SIGKILL, as a power cut would.
Every write redis acknowledged was fsynced first, so the host's e2fsck
must find the file system clean, and a second VM on the same image must
load every key back from the append-only file."""

import os
import signal
import subprocess
import time

import pytest

from conftest import AMPHI, ROOT, free_port
from netvm import Guest
from test_net_redis import GUEST_PORT, REDIS, cli, cli_run

pytestmark = pytest.mark.usefixtures("amphi_works")

KEYS = 200


def redis_on_disk(image, port):
    return Guest(REDIS, "--port", GUEST_PORT, "--bind", "0.0.0.0", "--protected-mode", "no",
                 "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--dir", "/data",
                 options=["-p", "%d:%d" % (port, GUEST_PORT), "--disk", "%s:/data" % image],
                 mem="128M")


def wait_ready(g, port, limit=120):
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        assert g.alive(), g.describe()
        r = cli_run(port, "PING", limit=10, check=False)
        if r is not None and r.returncode == 0 and r.stdout == b"PONG\n":
            return
        time.sleep(0.5)
    pytest.fail("redis did not answer PING within %d s\n%s" % (limit, g.describe()))


def qemu_of(amphi_pid):
    """The QEMU that amphi started (its one child)."""
    with open("/proc/%d/task/%d/children" % (amphi_pid, amphi_pid)) as f:
        kids = [int(p) for p in f.read().split()]
    assert len(kids) == 1, kids
    return kids[0]


def test_acknowledged_writes_survive_a_killed_vm(tmp_path):
    image = tmp_path / "redis.img"
    subprocess.run([AMPHI, "disk", "create", str(image), "64M"], cwd=ROOT, check=True)
    port = free_port()
    script = "".join("SET key:%d value-%d-%s\n" % (k, k, "x" * (k % 50)) for k in range(KEYS))
    with redis_on_disk(image, port) as g:
        wait_ready(g, port)
        r = cli_run(port, stdin=script.encode())
        assert r.stdout.decode().split() == ["OK"] * KEYS, g.describe()
        os.kill(qemu_of(g.proc.pid), signal.SIGKILL)
        g.wait(30)

    fsck = subprocess.run(["e2fsck", "-fn", str(image)], capture_output=True, text=True)
    assert fsck.returncode == 0, fsck.stdout + fsck.stderr

    port = free_port()
    with redis_on_disk(image, port) as g:
        wait_ready(g, port)
        assert cli(port, "DBSIZE") == [str(KEYS)], g.describe()
        for k in (0, 1, 49, 50, KEYS - 1):
            assert cli(port, "GET", "key:%d" % k) == ["value-%d-%s" % (k, "x" * (k % 50))]
        assert cli(port, "SET", "after", "restart") == ["OK"]
        assert g.stop() == 0, g.describe()
    fsck = subprocess.run(["e2fsck", "-fn", str(image)], capture_output=True, text=True)
    assert fsck.returncode == 0, fsck.stdout + fsck.stderr

"""Shared helpers for the tests that boot amphi under QEMU.

Every test here runs `build/amphi run --accel tcg ...` from the repository
root, the way a user would, and checks what the user sees: standard output,
standard error and the exit status.  Programs come from build/progs/ (built
from tests/progs/ by `make vmtest`).  See docs/testing.md.
"""

import contextlib
import difflib
import os
import random
import shutil
import signal
import socket
import subprocess
import threading
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
AMPHI = os.path.join("build", "amphi")
KERNEL = os.path.join("build", "amphi.elf")
PROGS = os.path.join("build", "progs")

# Seconds one VM run may take before the test fails (and the VM is killed).
RUN_TIMEOUT = 60

# The environment a program gets when no -e is given (docs: amphi run).
DEFAULT_ENV = ["PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/"]


class Result:
    """What one `amphi run` showed: status, stdout, stderr, wall seconds."""

    def __init__(self, status, stdout, stderr, seconds):
        self.status, self.stdout, self.stderr, self.seconds = status, stdout, stderr, seconds

    def __iter__(self):  # status, stdout, stderr = run(...)
        return iter((self.status, self.stdout, self.stderr))

    def describe(self):
        return ("status %s after %.2f s\n--- stdout ---\n%r\n--- stderr ---\n%s"
                % (self.status, self.seconds, self.stdout[:2000],
                   self.stderr.decode("utf-8", "replace")[-3000:]))

    def diff(self, want):
        """describe(), with stdout shown as its differences from want
        (a long transcript's first 2000 bytes may all match)."""
        got = self.stdout.decode("utf-8", "replace").splitlines()
        lines = difflib.unified_diff(want.splitlines(), got, "expected", "stdout", lineterm="")
        return ("status %s after %.2f s\n--- stdout against the expected ---\n%s\n--- stderr ---\n%s"
                % (self.status, self.seconds, "\n".join(list(lines)[:80]),
                   self.stderr.decode("utf-8", "replace")[-3000:]))


def expect(r, want):
    """Status 0, exactly want on stdout, nothing on stderr."""
    assert (r.status, r.stdout.decode(), r.stderr) == (0, want, b""), r.diff(want)


def free_port(kind=socket.SOCK_STREAM):
    """A port nobody on the host's loopback uses now, for QEMU (or a server)
    to bind a moment later: below Linux's ephemeral range (32768-60999),
    because one bind(0) picks can be taken in that moment by a
    connection's local end (it was once: "Address already in use")."""
    rng = random.Random()
    while True:
        port = rng.randrange(20000, 32000)
        with socket.socket(socket.AF_INET, kind) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port


def prog_path(prog):
    """A bare name means build/progs/NAME; anything with a slash is a path.
    Returned relative to ROOT, as a user would type it from there."""
    return prog if "/" in prog else os.path.join(PROGS, prog)


def amphi_argv(prog, *args, machine="pc", smp=2, mem=None, env=(), boot=None,
               verbose=False, timeout=None, options=()):
    argv = [AMPHI, "run", "--accel", "tcg", "--machine", machine, "--smp", str(smp)]
    if mem is not None:
        argv += ["-m", mem]
    for e in env:
        argv += ["-e", e]
    if boot is not None:
        argv += ["--boot", boot]
    if verbose:
        argv.append("-v")
    if timeout is not None:
        argv += ["--timeout", str(timeout)]
    argv += list(options)
    return argv + [prog_path(prog)] + [str(a) for a in args]


def spawn(argv, stdin=b"", limit=RUN_TIMEOUT):
    """Runs argv from ROOT in its own process group.  Returns a Result, with
    status None if it did not finish within `limit` seconds (the whole group,
    amphi and its QEMU, is then killed)."""
    t0 = time.monotonic()
    p = subprocess.Popen(argv, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = p.communicate(stdin, timeout=limit)
        status = p.returncode
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        status = None
    return Result(status, out, err, time.monotonic() - t0)


def run_argv(argv, stdin=b"", limit=RUN_TIMEOUT):
    """spawn(), failing the test when the run does not finish in time."""
    r = spawn(argv, stdin, limit)
    if r.status is None:
        pytest.fail("`%s` did not finish within %d s\n--- stdout ---\n%r\n--- stderr ---\n%s"
                    % (" ".join(argv), limit, r.stdout[-2000:],
                       r.stderr.decode("utf-8", "replace")[-3000:]))
    return r


def run(prog, *args, machine="pc", smp=2, mem=None, stdin=b"", env=(), boot=None,
        verbose=False, timeout=None, options=(), limit=RUN_TIMEOUT):
    """`amphi run` PROG ARGS... under TCG; returns a Result, which unpacks as
    (status, stdout, stderr)."""
    return run_argv(amphi_argv(prog, *args, machine=machine, smp=smp, mem=mem, env=env,
                               boot=boot, verbose=verbose, timeout=timeout,
                               options=options),
                    stdin=stdin, limit=limit)


def refused(argv, *words, prefix="amphi: "):
    """Runs argv, which amphi must refuse as bad usage: status 2, nothing
    on stdout, one line on stderr starting with prefix and holding each
    of words."""
    r = run_argv(argv)
    text = r.stderr.decode("utf-8", "replace")
    assert r.status == 2 and r.stdout == b"", r.describe()
    assert text.count("\n") == 1 and text.startswith(prefix), r.describe()
    for w in words:
        assert w in text, "the message should say %r\n%s" % (w, r.describe())
    return r


def qemu_wrapper(tmp_path, append=None, body=None):
    """A --qemu wrapper script in tmp_path: QEMU with `-append APPEND` (the
    kernel's command line), or the given shell body instead."""
    if body is None:
        body = 'exec %s "$@" -append "%s"' % (shutil.which("qemu-system-x86_64"), append)
    path = tmp_path / "qemu-wrapper"
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)
    return str(path)


def require_static(path):
    """Fails the test, blaming the build, when `path` has a PT_INTERP (a
    dynamic program where the test wants a static or static-pie one)."""
    with open(path, "rb") as f:
        img = f.read()
    phoff = int.from_bytes(img[32:40], "little")
    size, num = int.from_bytes(img[54:56], "little"), int.from_bytes(img[56:58], "little")
    if any(int.from_bytes(img[phoff + i * size:phoff + i * size + 4], "little") == 3
           for i in range(num)):
        pytest.fail("%s has a PT_INTERP: the build made a dynamic PIE, not a static-pie "
                    "(see docs/testing.md, 'static-pie')" % path, pytrace=False)


def lines(b):
    return b.decode("utf-8", "replace").splitlines()


_boot_failure = None


@pytest.fixture(scope="session")
def amphi_works():
    """Fails every VM test at once, with the reason, when amphi cannot run
    the simplest program (instead of letting each test wait for its own
    time-out).  Modules that boot VMs use it through `pytestmark`; test_hello.py
    does not, so each machine and boot protocol there reports its own result."""
    global _boot_failure
    if _boot_failure is None:
        missing = [p for p in (AMPHI, KERNEL, os.path.join(PROGS, "hello"))
                   if not os.path.isfile(os.path.join(ROOT, p))]
        if missing:
            _boot_failure = "not built: %s (run `make vmtest`)" % ", ".join(missing)
        else:
            argv = amphi_argv("hello")
            r = spawn(argv)
            if r.status == 0 and r.stdout == b"hello from amphi\n":
                _boot_failure = ""
            elif r.status is None:
                _boot_failure = "`%s` did not finish within %d s" % (" ".join(argv),
                                                                      RUN_TIMEOUT)
            else:
                _boot_failure = "`%s` gave %s" % (" ".join(argv), r.describe())
    if _boot_failure:
        pytest.fail("amphi cannot run hello, so this test cannot run: " + _boot_failure,
                    pytrace=False)


def sh(*argv):
    r = subprocess.run(argv, capture_output=True)
    assert r.returncode == 0, "%s: %s" % (" ".join(argv), r.stderr.decode())
    return r.stdout


@contextlib.contextmanager
def network_namespace(tag="ns", multi_queue=False):
    """A network namespace holding tap0, 192.168.79.1/24 and fd00::1/64 on
    the host side, for `amphi run --net tap=tap0` under `ip netns exec`;
    removed whatever happens.  Needs root and ip(8).  multi_queue: a tap
    that takes a queue per vCPU (amphi then asks for multiqueue)."""
    if os.geteuid() != 0:
        pytest.skip("creating a network namespace and a tap needs root")
    if not shutil.which("ip") or not os.path.exists("/dev/net/tun"):
        pytest.skip("needs ip (iproute2) and /dev/net/tun")
    ns = "amphi-%s-%d" % (tag, os.getpid())
    sh("ip", "netns", "add", ns)
    try:
        sh("ip", "-n", ns, "link", "set", "lo", "up")
        sh("ip", "-n", ns, "tuntap", "add", "tap0", "mode", "tap", *(["multi_queue"] if multi_queue else []))
        sh("ip", "-n", ns, "addr", "add", "192.168.79.1/24", "dev", "tap0")
        sh("ip", "-n", ns, "addr", "add", "fd00::1/64", "dev", "tap0", "nodad")
        sh("ip", "-n", ns, "link", "set", "tap0", "up")
        yield ns
    finally:
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)


@contextlib.contextmanager
def routed_namespace(tag="route"):
    """network_namespace() made a router (IPv4 forwarding) to a second
    namespace beyond a veth pair, 10.9.9.1 on its side and 10.9.9.2 on
    the far one, whose default route comes back: a guest on tap0 with
    `--gw 192.168.79.1` reaches 10.9.9.2 one router away.  Yields the
    first namespace; both are removed whatever happens."""
    with network_namespace(tag) as ns:
        far = ns + "-far"
        sh("ip", "netns", "add", far)
        try:
            sh("ip", "link", "add", "v0", "netns", ns, "type", "veth", "peer", "name", "v1", "netns", far)
            sh("ip", "-n", ns, "addr", "add", "10.9.9.1/24", "dev", "v0")
            sh("ip", "-n", ns, "link", "set", "v0", "up")
            sh("ip", "-n", far, "addr", "add", "10.9.9.2/24", "dev", "v1")
            sh("ip", "-n", far, "link", "set", "v1", "up")
            sh("ip", "-n", far, "route", "add", "default", "via", "10.9.9.1")
            sh("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv4.ip_forward=1")
            yield ns
        finally:
            subprocess.run(["ip", "netns", "del", far], capture_output=True)


@pytest.fixture
def netns():
    """network_namespace() for one test."""
    with network_namespace() as ns:
        yield ns


def pytest_configure(config):
    config.addinivalue_line("markers", "vm: boots amphi under QEMU (tests/vm)")


def pytest_collection_modifyitems(config, items):
    here = os.path.dirname(os.path.abspath(__file__))
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.vm)


@pytest.fixture
def lab(tmp_path):
    """A Lab in the test's own runtime directory, closed after the test
    (every VM and supervisor it started killed by PID)."""
    from netserver import Lab  # netserver.py imports this file

    runtime = tmp_path / "rt"
    runtime.mkdir(mode=0o700)
    lab = Lab(runtime)
    yield lab
    lab.close()


@pytest.fixture
def host_echo():
    """A TCP server on the host's loopback (the guests reach it as 10.0.2.2
    through user networking): answers a line with its reverse."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)

    def serve():
        while True:
            try:
                c, _ = srv.accept()
            except OSError:
                return
            with c:
                data = b""
                while b"\n" not in data:
                    chunk = c.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                c.sendall(data.strip()[::-1] + b"\n")

    threading.Thread(target=serve, daemon=True).start()
    yield srv.getsockname()[1]
    srv.close()

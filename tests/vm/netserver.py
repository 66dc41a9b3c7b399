"""Helpers for the tests of `amphi server` (docs/netserver.md).

Each test gets its own runtime folder (AMPHI_RUNTIME_DIR), so servers of
one test never meet another's.  Until the kernel knows role=server, the
server VM cannot say it forwards; these tests give `amphi server start` a
`--qemu` wrapper that stands in for that:

- it writes the console's sync string and an R frame on QEMU's stdout (the
  supervisor's pipe) before it execs QEMU: start then returns at once, as
  it will when the kernel sends R itself;
- it keeps a copy of each initrd the supervisor wrote (initrd-1, -2...),
  so a test can read the server VM's config;
- it swaps that initrd for one that runs a long `sleep`, so the VM stays
  up whatever the kernel makes of role=server;
- it adds a QMP socket, through which a test asks QEMU what the VM sees
  (`info pci`, `xp`), and writes QEMU's pid to a file.

What this cannot check without the kernel's side: that the server VM
forwards anything.  These tests check the host side: the command line,
the ivshmem-server protocol as QEMU takes it, the regions, the control
socket, restarts, and what the commands print."""

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest

from conftest import AMPHI, ROOT, Result, amphi_argv, free_port, prog_path, sh, spawn

QEMU = shutil.which("qemu-system-x86_64") or "qemu-system-x86_64"
CURL = shutil.which("curl")


def env_for(runtime):
    env = dict(os.environ)
    env["AMPHI_RUNTIME_DIR"] = str(runtime)
    return env


def amphi(runtime, *args, limit=90):
    """Runs `amphi ARGS` from ROOT with the runtime folder; returns a
    conftest Result (status None if it did not end within limit s)."""
    t0 = time.monotonic()
    try:
        p = subprocess.run([AMPHI] + [str(a) for a in args], cwd=ROOT, env=env_for(runtime),
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=limit)
        status, out, err = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        status, out, err = None, e.stdout or b"", e.stderr or b""
    return Result(status, out, err, time.monotonic() - t0)


def one_line(r, *words):
    """Checks a refusal: status 2, nothing on stdout, one line on stderr
    holding each of words."""
    text = r.stderr.decode("utf-8", "replace")
    assert r.status == 2, r.describe()
    assert r.stdout == b"", r.describe()
    assert text.endswith("\n") and text.count("\n") == 1, (
        "expected exactly one line on stderr\n" + r.describe())
    for w in words:
        assert w in text, "the message should say %r\n%s" % (w, r.describe())


def sleep_initrd(tmp_path):
    """The initrd `amphi run build/progs/sleep 600000` would boot, taken by
    a --qemu wrapper that copies it and stops."""
    out = tmp_path / "sleep.cpio"
    grab = tmp_path / "grab-initrd"
    grab.write_text("#!/bin/sh\n"
                    "while [ $# -gt 0 ]; do\n"
                    "  [ \"$1\" = -initrd ] && cp \"$2\" %s\n"
                    "  shift\n"
                    "done\n"
                    "exit 1\n" % out)
    grab.chmod(0o755)
    spawn(amphi_argv("sleep", 600000, options=["--qemu", str(grab)]))
    assert out.exists(), "could not capture the initrd of sleep"
    return out


def server_wrapper(tmp_path, initrd=None, paused=False, name="server-qemu"):
    """The --qemu wrapper described at the top.  Files go to tmp_path/NAME.d:
    qmp (the socket), pid (QEMU's, the latest), initrd-G (each generation's;
    once it is there, the old VM's qmp socket is gone).
    initrd=None keeps the supervisor's; paused adds -S (no guest runs)."""
    d = tmp_path / (name + ".d")
    d.mkdir()
    path = tmp_path / name
    path.write_text('''#!/usr/bin/python3
import os, shutil, sys
d = %r
args = sys.argv[1:]
qmp = os.path.join(d, "qmp")
if os.path.exists(qmp):
    os.unlink(qmp)
with open(os.path.join(d, "pid"), "w") as f:
    f.write("%%d\\n" %% os.getpid())
i = args.index("-initrd")
n = len([f for f in os.listdir(d) if f.startswith("initrd-")]) + 1
shutil.copy(args[i + 1], os.path.join(d, "initrd-%%d.tmp" %% n))
os.rename(os.path.join(d, "initrd-%%d.tmp" %% n), os.path.join(d, "initrd-%%d" %% n))
if %r:
    args[i + 1] = %r
args += ["-qmp", "unix:%%s,server=on,wait=off" %% qmp]
if %r:
    args.append("-S")
sys.stdout.buffer.write(b"\\x01AMPHI1\\nR\\x00\\x00")
sys.stdout.flush()
os.execv(%r, [%r] + args)
''' % (str(d), initrd is not None, str(initrd), paused, QEMU, QEMU))
    path.chmod(0o755)
    return str(path), d


def app_wrapper(tmp_path, name="app-qemu"):
    """A --qemu wrapper for amphi run: a QMP socket and QEMU's pid, in
    tmp_path/NAME.d."""
    d = tmp_path / (name + ".d")
    d.mkdir()
    path = tmp_path / name
    path.write_text('''#!/usr/bin/python3
import os, sys
d = %r
with open(os.path.join(d, "pid"), "w") as f:
    f.write("%%d\\n" %% os.getpid())
os.execv(%r, [%r] + sys.argv[1:] + ["-qmp", "unix:%%s/qmp,server=on,wait=off" %% d])
''' % (str(d), QEMU, QEMU))
    path.chmod(0o755)
    return str(path), d


def wait_for(what, check, timeout=30):
    """Polls check() until it returns something true; fails with `what`."""
    deadline = time.monotonic() + timeout
    while True:
        v = check()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError("%s: not within %d s" % (what, timeout))
        time.sleep(0.1)


class Qmp:
    """QEMU's QMP socket; hmp() runs a human monitor command."""

    def __init__(self, path, timeout=30):
        self.s = wait_for("QMP socket %s" % path, lambda: self._connect(path), timeout)
        self.s.settimeout(timeout)
        self.f = self.s.makefile("rwb")
        json.loads(self.f.readline())
        self.cmd("qmp_capabilities")

    @staticmethod
    def _connect(path):
        s = socket.socket(socket.AF_UNIX)
        try:
            s.connect(str(path))
            return s
        except OSError:
            s.close()
            return None

    def cmd(self, name, **args):
        self.f.write(json.dumps({"execute": name, "arguments": args}).encode() + b"\n")
        self.f.flush()
        while True:
            r = json.loads(self.f.readline())
            if "error" in r:
                raise AssertionError("QMP %s: %s" % (name, r["error"]))
            if "return" in r:
                return r["return"]

    def hmp(self, line):
        return self.cmd("human-monitor-command", **{"command-line": line})

    def close(self):
        self.s.close()


def pci_devices(info_pci):
    """`info pci` as a list of dicts: slot, fn, id ("1af4:1110"), bars
    {n: address}."""
    devs = []
    for line in info_pci.splitlines():
        line = line.strip()
        if line.startswith("Bus"):
            parts = line.replace(",", "").replace(":", "").split()
            devs.append({"slot": int(parts[3]), "fn": int(parts[5]), "bars": {}})
        elif "PCI device" in line and devs:
            devs[-1]["id"] = line.split("PCI device")[1].strip()
        elif line.startswith("BAR") and devs:
            n = int(line[3])
            addr = int(line.split(" at ")[1].split()[0], 16)
            devs[-1]["bars"][n] = addr
    return devs


def wait_kernel(qmp):
    """Waits until the guest runs the kernel (RIP in its higher half): the
    firmware is done placing BARs, so `info pci` holds their final
    addresses and `xp` reads what is there."""
    wait_for("the guest kernel running",
             lambda: "RIP=ffffffff8" in qmp.hmp("info registers"), timeout=60)


def xp(qmp, addr, n, unit):
    """n units ("w": 32 bits, "b": bytes) of guest physical memory at addr.
    Retried while QEMU cannot read there: a booting kernel turns a
    device's decoding off for a moment while it sizes the BARs."""
    def read():
        out = qmp.hmp("xp /%d%sx 0x%x" % (n, unit, addr))
        if "Cannot access" in out:
            return None
        return [int(w, 16) for line in out.splitlines() for w in line.split(":")[1].split()]
    return wait_for("reading 0x%x" % addr, read)


def xp_words(qmp, addr, n):
    return xp(qmp, addr, n, "w")


def xp_bytes(qmp, addr, n):
    return bytes(xp(qmp, addr, n, "b"))


def config_pairs(initrd):
    """The /.amphi/config of a cpio (newc) archive, as (key, value) pairs."""
    data = open(initrd, "rb").read()
    off = 0
    while off < len(data):
        assert data[off:off + 6] == b"070701", "not a newc archive"
        size = int(data[off + 54:off + 62], 16)
        namesize = int(data[off + 94:off + 102], 16)
        name = data[off + 110:off + 110 + namesize - 1].decode()
        off = (off + 110 + namesize + 3) & ~3
        body = data[off:off + size]
        off = (off + size + 3) & ~3
        if name == ".amphi/config":
            words = body.split(b"\0")[:-1]
            return [(words[i].decode(), words[i + 1].decode())
                    for i in range(0, len(words), 2)]
        if name == "TRAILER!!!":
            break
    raise AssertionError("%s has no .amphi/config" % initrd)


def eventfd_ids(pid):
    """The eventfd-ids (Linux's fdinfo) of every eventfd process pid holds;
    None where fdinfo does not show them."""
    ids = set()
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            if os.readlink("/proc/%d/fd/%s" % (pid, fd)) != "anon_inode:[eventfd]":
                continue
            info = open("/proc/%d/fdinfo/%s" % (pid, fd)).read()
        except OSError:
            continue
        for line in info.splitlines():
            if line.startswith("eventfd-id:"):
                ids.add(int(line.split()[1]))
                break
        else:
            return None
    return ids


class Control:
    """A connection to a server's control socket, speaking its line protocol."""

    def __init__(self, runtime, name):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.settimeout(30)
        self.s.connect(str(runtime / name / "control"))
        self.buf = b""

    def request(self, line):
        """Sends one request; returns the reply's lines (the empty line
        that ends it dropped)."""
        self.s.sendall(line.encode() + b"\n")
        while b"\n\n" not in self.buf:
            d = self.s.recv(65536)
            assert d, "the supervisor closed the connection; got %r" % self.buf
            self.buf += d
        reply, self.buf = self.buf.split(b"\n\n", 1)
        return reply.decode().split("\n")

    def close(self):
        self.s.close()


def supervisor_pid(runtime, name):
    try:
        return int(open(runtime / name / "pid").read())
    except (OSError, ValueError):
        return None


def stop_server(runtime, name):
    """amphi server stop; if that fails, the supervisor is killed (its QEMU
    dies with it)."""
    pid = supervisor_pid(runtime, name)
    r = amphi(runtime, "server", "stop", name)
    if r.status != 0 and pid:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return r


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open("/proc/%d/stat" % pid) as f:
        return f.read().rsplit(")", 1)[1].split()[0] != "Z"


def listening(port):
    """Something accepts TCP connections on 127.0.0.1:port."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return True
    except OSError:
        return False



# ---- servers and apps that really run (test_netserver.py, test_switch.py) ------------

def free_ports(n):
    """n distinct free ports on the host's loopback."""
    ports = set()
    while len(ports) < n:
        ports.add(free_port())
    return sorted(ports)


class Lab:
    """The servers and apps of one test, all killed at the end."""

    def __init__(self, runtime, netns=None):
        self.runtime, self.netns = runtime, netns
        self.servers, self.procs = [], []

    def wrap(self, argv):
        return ["ip", "netns", "exec", self.netns] + argv if self.netns else argv

    def server(self, name, *opts):
        argv = self.wrap([AMPHI, "server", "start", name, "--accel", "tcg"] + list(opts))
        r = subprocess.run(argv, cwd=ROOT, env=env_for(self.runtime), capture_output=True,
                           timeout=120)
        assert r.returncode == 0, "server start failed: %s" % r.stderr.decode()
        self.servers.append(name)

    def app(self, server, name, prog, *args, opts=()):
        argv = [AMPHI, "run", "--accel", "tcg", "--server", server, "--name", name] + \
            list(opts) + [prog_path(prog)] + [str(a) for a in args]
        p = subprocess.Popen(argv, cwd=ROOT, env=env_for(self.runtime),
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, start_new_session=True)
        self.procs.append(p)
        return p

    def status(self, server):
        r = amphi(self.runtime, "server", "status", "--json", server)
        assert r.status == 0, r.describe()
        return json.loads(r.stdout)

    def app_status(self, server, name):
        apps = [a for a in self.status(server)["apps"] if a["name"] == name]
        return apps[0] if apps else None

    def end_app(self, p):
        """Kills an app (its process group); returns its stdout and stderr."""
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
        return p.communicate()

    def close(self):
        for p in self.procs:
            self.end_app(p)
        for s in self.servers:
            stop_server(self.runtime, s)


def http_get(url, ns=None, timeout=10, extra=()):
    argv = [CURL, "-s", "-S", "-f", "-m", str(timeout)] + list(extra) + [url]
    if ns:
        argv = ["ip", "netns", "exec", ns] + argv
    return subprocess.run(argv, capture_output=True)


def wait_http(url, ns=None, timeout=60):
    return wait_for("HTTP at %s" % url,
                    lambda: http_get(url, ns, timeout=5).returncode == 0, timeout)


HTTPLOAD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "httpload.py")


class HttpLoad:
    """tests/vm/httpload.py (a keep-alive load that notices every failure)
    in namespace ns; stop() returns its JSON report."""

    def __init__(self, ns, host, port, path="/", connections=2, times=False):
        argv = ["ip", "netns", "exec", ns, sys.executable, HTTPLOAD, host, str(port), path,
                str(connections)] + (["--times"] if times else [])
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        line = self.p.stdout.readline()
        if line != b"ready\n":
            self.p.kill()
            raise AssertionError("httpload did not start: %r %r" % (line, self.p.stderr.read()))

    def stop(self):
        out, err = self.p.communicate(b"", timeout=120)
        assert self.p.returncode == 0, err.decode()
        return json.loads(out)


@contextlib.contextmanager
def bridge_lab(tmp_path, tag, *server_opts):
    """A namespace holding bridge br0 (192.168.90.1/24, fd00:90::1/64) and
    a Lab whose server "s" runs in it on a tap of its own on br0
    (192.168.90.2, fd00:90::2, 4 slots, and server_opts).  Root only."""
    if os.geteuid() != 0:
        pytest.skip("network namespaces and bridges need root")
    ns = "amphi-%s-%d" % (tag, os.getpid())
    sh("ip", "netns", "add", ns)
    runtime = tmp_path / "rt"
    runtime.mkdir(mode=0o700)
    lab = Lab(runtime, ns)
    try:
        sh("ip", "-n", ns, "link", "set", "lo", "up")
        sh("ip", "-n", ns, "link", "add", "br0", "type", "bridge")
        sh("ip", "-n", ns, "addr", "add", "192.168.90.1/24", "dev", "br0")
        sh("ip", "-n", ns, "addr", "add", "fd00:90::1/64", "dev", "br0", "nodad")
        sh("ip", "-n", ns, "link", "set", "br0", "up")
        lab.server("s", "--net", "bridge=br0", "--ip", "192.168.90.2/24",
                   "--ip6", "fd00:90::2/64", "--slots", "4", *server_opts)
        yield lab
    finally:
        lab.close()
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)


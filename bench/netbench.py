"""The network benchmarks: the same static server binary in amphi and in a
Linux VM (bench/linux_net.py), both under QEMU TCG, -M pc, one vCPU of at most
two, the same -m, a virtio-net NIC on QEMU's user networking (slirp) with a
host port forwarded to the server.  Clients run on the host:

  HTTP   build/progs/net_httpd PORT DOCROOT; `wrk -t1 -c10 -d10s --latency`
         with keep-alive: requests/s and latency (average, p50, p99), for a
         small file (the head and the body go out in two sends) and for the
         server's built-in page (one send).
  redis  build/redis/redis-server; `redis-benchmark -t set,get -n 20000
         -c 50 --csv`: SET and GET requests/s (and p50/p99).

Each server gets a warm-up run first; the VM is killed afterwards.  Method
and caveats: docs/bench.md.
"""

import contextlib
import csv
import ctypes
import io
import os
import re
import signal
import socket
import subprocess
import tempfile
import time

import linux_net

MEM_MIB = 128
READY_LIMIT = 120    # seconds from spawning a VM to the server answering
HTTP_PORT, REDIS_PORT, MEMCACHED_PORT = 8080, 6379, 11211
PAGE = ("<!DOCTYPE html>\n<html><head><title>amphi bench</title></head><body>\n"
        + "<p>A small static page for the HTTP benchmark.</p>\n" * 8
        + "</body></html>\n").encode()
PAGE_PATH = "/index.html"
# The wrk runs: what each measures, and the path it asks for.
HTTP_PAGES = (("file", PAGE_PATH), ("builtin", "/"))
REDIS_ARGS = ["--port", str(REDIS_PORT), "--bind", "0.0.0.0", "--protected-mode", "no",
              "--save", "", "--appendonly", "no"]


class NetError(Exception):
    """A server that did not come up, or a client that failed."""


def free_ports(n):
    """n distinct free ports on the loopback (all held until all are chosen)."""
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def free_port():
    return free_ports(1)[0]


# ---- readiness probes: True once the server answers correctly ---------------

def http_answers(port, path=PAGE_PATH, page=PAGE, host="127.0.0.1"):
    """A 200 with the whole page, read by its Content-Length (keep-alive or
    not, the probe does not wait for the server's close)."""
    try:
        with socket.create_connection((host, port), timeout=5) as s:
            s.sendall(b"GET %s HTTP/1.1\r\nHost: bench\r\n\r\n" % path.encode())
            reply = b""
            while b"\r\n\r\n" not in reply or len(reply) < reply.index(b"\r\n\r\n") + 4 \
                    + len(page):
                chunk = s.recv(65536)
                if not chunk:
                    break
                reply += chunk
    except OSError:
        return False
    head, _, body = reply.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    length = [l.split(b":", 1)[1].strip() for l in lines[1:]
              if l.lower().startswith(b"content-length:")]
    return lines[0].startswith(b"HTTP/1.") and b" 200 " in lines[0] \
        and length == [b"%d" % len(page)] and body == page


def redis_answers(port, host="127.0.0.1"):
    try:
        with socket.create_connection((host, port), timeout=5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(64) == b"+PONG\r\n"
    except OSError:
        return False


def memcached_answers(port, host="127.0.0.1"):
    """memcached's text protocol: `version` gives one line, VERSION and the
    release."""
    try:
        with socket.create_connection((host, port), timeout=5) as s:
            s.sendall(b"version\r\n")
            return re.fullmatch(rb"VERSION \S+\r\n", s.recv(64)) is not None
    except OSError:
        return False


# ---- a tap in a network namespace ---------------------------------------------

CLONE_NEWNET = 0x40000000


@contextlib.contextmanager
def tap_namespace():
    """Moves this process into a new network namespace holding a multiqueue
    tap0 at linux_net.TAP_HOST_IP/24, for the VMs and clients it starts
    meanwhile; back, and the namespace removed, after.  Gives the
    namespace's name.  Root."""
    ns = "amphi-bench-%d" % os.getpid()
    libc = ctypes.CDLL(None, use_errno=True)
    subprocess.run(["ip", "netns", "add", ns], check=True)
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    try:
        for argv in (["link", "set", "lo", "up"],
                     ["tuntap", "add", "tap0", "mode", "tap", "multi_queue"],
                     ["addr", "add", "%s/24" % linux_net.TAP_HOST_IP, "dev", "tap0"],
                     ["link", "set", "tap0", "up"]):
            subprocess.run(["ip", "-n", ns] + argv, check=True)
        there = os.open("/run/netns/" + ns, os.O_RDONLY)
        try:
            if libc.setns(there, CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), "setns into " + ns)
        finally:
            os.close(there)
        try:
            yield ns
        finally:
            if libc.setns(home, CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), "setns back from " + ns)
    finally:
        os.close(home)
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)


# ---- one VM running one server ------------------------------------------------

class VM:
    """A server VM (amphi or QEMU for Linux) in its own process group, its
    output in a temporary file so it never blocks on a full pipe."""

    def __init__(self, name, argv, env):
        self.name, self.argv = name, argv
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True,
                                     env=env)

    def output(self):
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")[-1500:]

    def wait_ready(self, answers, port):
        t0 = time.monotonic()
        while time.monotonic() - t0 < READY_LIMIT:
            if self.proc.poll() is not None:
                raise NetError("%s exited with status %d before the server answered; "
                               "output ends with: %r"
                               % (self.name, self.proc.returncode, self.output()))
            if answers(port):
                return time.monotonic() - t0
            time.sleep(0.5)
        raise NetError("%s: the server did not answer within %d s; output ends with: %r"
                       % (self.name, READY_LIMIT, self.output()))

    def cpu_seconds(self):
        """Host CPU time (user and system) of every process the VM runs
        as: amphi and its QEMU, or QEMU for Linux, all in the session the
        VM was started in."""
        total = 0
        for pid in os.listdir("/proc"):
            try:
                with open("/proc/%s/stat" % pid) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue    # not a process, or it just ended
            if pid.isdigit() and int(fields[3]) == self.proc.pid:    # the session id
                total += int(fields[11]) + int(fields[12])          # utime, stime
        return total / os.sysconf("SC_CLK_TCK")

    def stop(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait()
        self.log.close()


# ---- clients --------------------------------------------------------------------

def to_ms(text):
    """wrk's durations: 136.00us, 1.75ms, 2.01s."""
    m = re.fullmatch(r"([0-9.]+)(us|ms|s|m)", text)
    if not m:
        raise NetError("wrk: cannot read the duration %r" % text)
    scale = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}[m.group(2)]
    return float(m.group(1)) * scale


def run_wrk(port, path, seconds, conns, host="127.0.0.1"):
    argv = ["wrk", "-t1", "-c%d" % conns, "-d%ds" % seconds, "--latency",
            "http://%s:%d%s" % (host, port, path)]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60)
    out = r.stdout + r.stderr
    if r.returncode != 0:
        raise NetError("`%s` exited with %d: %s" % (" ".join(argv), r.returncode, out[-500:]))
    res = {}
    m = re.search(r"Requests/sec:\s+([0-9.]+)", out)
    lat = re.search(r"^\s+Latency\s+(\S+)", out, re.M)
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M)
    if not (m and lat and p50 and p99):
        raise NetError("wrk printed no rate or latency: %s" % out[-500:])
    res = {"rps": float(m.group(1)), "avg": to_ms(lat.group(1)),
           "p50": to_ms(p50.group(1)), "p99": to_ms(p99.group(1))}
    errors = re.search(r"Socket errors: (.*)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    res["errors"] = "; ".join(x.group(0) for x in (errors, non2xx) if x)
    xfer = re.search(r"Transfer/sec:\s+([0-9.]+)([KMG]?B)", out)
    if xfer:
        res["mbps"] = float(xfer.group(1)) * {"B": 1e-6, "KB": 1024 / 1e6, "MB": 1048576 / 1e6,
                                              "GB": 1073741824 / 1e6}[xfer.group(2)]
    return res


def stream_answers(host, port):
    """net_stream is up when a tiny download arrives whole."""
    try:
        with socket.create_connection((host, port), timeout=2) as c:
            c.sendall(b"send 100\n")
            got = b""
            while len(got) < 100:
                part = c.recv(100)
                if not part:
                    break
                got += part
        return got == bytes(range(100))
    except OSError:
        return False


def run_stream(port, direction, seconds, host="127.0.0.1"):
    """One net_stream connection (tests/progs/net_stream.c) for `seconds`:
    "down" reads what it sends, "up" sends and takes its count; MB/s
    (10^6 bytes) of what arrived."""
    with socket.create_connection((host, port), timeout=seconds + 60) as c:
        t = time.monotonic()
        end = t + seconds
        if direction == "down":
            c.sendall(b"send %d\n" % (1 << 50))
            buf, got = bytearray(1 << 20), 0
            while time.monotonic() < end:
                n = c.recv_into(buf)
                if not n:
                    raise NetError("net_stream closed the download after %d bytes" % got)
                got += n
        else:
            c.sendall(b"recv\n")
            chunk = os.urandom(1 << 20)
            while time.monotonic() < end:
                c.sendall(chunk)
            c.shutdown(socket.SHUT_WR)
            answer = b""
            while not answer.endswith(b"\n"):
                part = c.recv(64)
                if not part:
                    raise NetError("net_stream gave no count: %r" % answer)
                answer += part
            got = int(answer)
        return got / (time.monotonic() - t) / 1e6


def run_redis_benchmark(port, requests, clients, host="127.0.0.1"):
    argv = ["redis-benchmark", "-h", host, "-p", str(port), "--csv",
            "-t", "set,get", "-n", str(requests), "-c", str(clients)]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        raise NetError("`%s` exited with %d: %s"
                       % (" ".join(argv), r.returncode, (r.stdout + r.stderr)[-500:]))
    res = {}
    for row in csv.DictReader(io.StringIO(r.stdout)):
        res[row["test"]] = {"rps": float(row["rps"]), "p50": float(row["p50_latency_ms"]),
                            "p99": float(row["p99_latency_ms"])}
    if set(res) != {"SET", "GET"}:
        raise NetError("redis-benchmark gave no SET/GET rows: %r" % r.stdout[-500:])
    return res


def run_memcaslap(port, seconds, conns, host="127.0.0.1"):
    """libmemcached's memaslap (Debian's memcaslap), one thread with `conns`
    connections, its default mix: 9 gets to 1 set, 64-byte keys and 1 KiB
    values.  A window of 1k keys per connection keeps every value in the
    guest's memcached (-m 64), so no get misses.  Gives (operations/s, the
    run's seconds as memaslap timed them): it spends about a second making
    its keys first, and a caller's CPU share should be over the run."""
    argv = ["memcaslap", "-s", "%s:%d" % (host, port), "-T", "1", "-c", str(conns),
            "-w", "1k", "-t", "%ds" % seconds]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60)
    out = r.stdout + r.stderr
    m = re.search(r"^Run time: ([0-9.]+)s Ops: (\d+) TPS: (\d+)", out, re.M)
    if r.returncode != 0 or not m:
        raise NetError("`%s` exited with %d: %s" % (" ".join(argv), r.returncode, out[-500:]))
    return int(m.group(2)) / float(m.group(1)), float(m.group(1))


# ---- the two sides ------------------------------------------------------------------

class Setup:
    """What both sides need: paths, and the environment QEMU runs in."""

    def __init__(self, root, amphi, vmlinuz, busybox, env, log, seconds, redis_n):
        self.root, self.amphi, self.vmlinuz, self.busybox = root, amphi, vmlinuz, busybox
        self.moddir = linux_net.moddir_for(vmlinuz)
        self.env, self.log, self.seconds, self.redis_n = env, log, seconds, redis_n


def amphi_vm(s, program, args, host_port, guest_port, files=(), smp=1, tap=None):
    """tap: the tap_namespace to be on, on tap0 at linux_net.TAP_GUEST_IP,
    instead of slirp.  amphi runs under `ip netns exec` there: it reads the
    tap's flags in /sys, which that mounts for the namespace."""
    argv = [s.amphi, "run", "--accel", "tcg", "--machine", "pc", "--smp", str(smp),
            "-m", "%dM" % MEM_MIB]
    if tap:
        argv = ["ip", "netns", "exec", tap] + argv + [
            "--net", "tap=tap0", "--ip", "%s/24" % linux_net.TAP_GUEST_IP]
    else:
        argv += ["-p", "%d:%d" % (host_port, guest_port)]
    for host_dir, guest_dir in files:
        argv += ["--files", "%s:%s" % (host_dir, guest_dir)]
    return VM("amphi", argv + [program] + list(args), s.env)


def linux_vm(s, tmp, program, args, host_port, guest_port, files=(), smp=1, tap=None):
    initrd = os.path.join(tmp, "net-initramfs.cpio")
    pages = []
    for host_dir, guest_dir in files:
        for f in sorted(os.listdir(host_dir)):
            pages.append((guest_dir.rstrip("/") + "/" + f, os.path.join(host_dir, f)))
    linux_net.build_initramfs(initrd, s.busybox, s.moddir, program, args, pages, bool(tap))
    argv = linux_net.qemu_argv(s.vmlinuz, initrd, MEM_MIB, host_port, guest_port, smp, bool(tap))
    return VM("Linux VM", argv, s.env)


def measure(s, name, start, answers, client):
    """Boots one VM, waits for its server, warms up, measures, stops it."""
    port = free_port()
    vm = start(port)
    try:
        t = vm.wait_ready(answers, port)
        s.log("  %s: server answers %.1f s after the VM was started" % (name, t))
        client(port, warmup=True)
        res = client(port, warmup=False)
        if vm.proc.poll() is not None:
            raise NetError("%s exited during the benchmark: %r" % (name, vm.output()))
        return res
    finally:
        vm.stop()


def http_side(s, tmp, side, httpd):
    docroot = os.path.join(tmp, "www")
    os.makedirs(docroot, exist_ok=True)
    with open(os.path.join(docroot, "index.html"), "wb") as f:
        f.write(PAGE)
    args = [str(HTTP_PORT), "/www"]
    files = [(docroot, "/www")]
    if side == "amphi":
        start = lambda port: amphi_vm(s, httpd, args, port, HTTP_PORT, files)
    else:
        start = lambda port: linux_vm(s, tmp, httpd, args, port, HTTP_PORT, files)

    def client(port, warmup):
        out = {}
        for page, path in HTTP_PAGES:
            res = out[page] = run_wrk(port, path, 2 if warmup else s.seconds, 10)
            if not warmup:
                s.log("  %s HTTP %s: %.0f requests/s, latency avg %.2f ms, p50 %.2f ms, "
                      "p99 %.2f ms%s" % (side, path, res["rps"], res["avg"], res["p50"],
                                         res["p99"],
                                         " (%s)" % res["errors"] if res["errors"] else ""))
        return out
    return measure(s, side, start, http_answers, client)


def redis_side(s, tmp, side, redis):
    if side == "amphi":
        start = lambda port: amphi_vm(s, redis, REDIS_ARGS, port, REDIS_PORT)
    else:
        start = lambda port: linux_vm(s, tmp, redis, REDIS_ARGS, port, REDIS_PORT)

    def client(port, warmup):
        res = run_redis_benchmark(port, max(500, s.redis_n // 10) if warmup else s.redis_n, 50)
        if not warmup:
            s.log("  %s redis: SET %.0f/s (p99 %.1f ms), GET %.0f/s (p99 %.1f ms)"
                  % (side, res["SET"]["rps"], res["SET"]["p99"],
                     res["GET"]["rps"], res["GET"]["p99"]))
        return res
    return measure(s, side, start, redis_answers, client)


def run_all(s, sides, problems):
    """Both benchmarks on the given sides ("linux", "amphi").  Returns
    {(bench, side): result}; what fails is appended to `problems`."""
    httpd = os.path.join(s.root, "build", "progs", "net_httpd")
    redis = os.path.join(s.root, "build", "redis", "redis-server")
    res = {}
    tmp = tempfile.mkdtemp(prefix="amphi-netbench-")
    try:
        for bench, binary, fn in (("http", httpd, http_side), ("redis", redis, redis_side)):
            if not os.path.isfile(binary):
                problems.append("%s: %s not built" % (bench, binary))
                continue
            for side in sides:
                s.log("%s: %s benchmark" % (side, bench))
                try:
                    res[(bench, side)] = fn(s, tmp, side, binary)
                except (NetError, subprocess.TimeoutExpired, RuntimeError, OSError) as e:
                    problems.append("%s %s: %s" % (side, bench, str(e).splitlines()[0][:300]))
    finally:
        subprocess.run(["rm", "-rf", tmp])
    return res


def rows(res, ratio):
    """Table rows (what, amphi, Linux, amphi better by, target)."""
    def get(bench, side, *keys):
        r = res.get((bench, side))
        for k in keys:
            if r is None:
                return None
            r = r.get(k)
        return r

    def rate(x):
        return "%.0f /s" % x if x is not None else "n/a"

    def ms(x):
        return "%.2f ms" % x if x is not None else "n/a"

    out = []
    for page, path in HTTP_PAGES:
        a, l = get("http", "amphi", page, "rps"), get("http", "linux", page, "rps")
        out.append(("HTTP %s requests/s" % path, rate(a), rate(l), ratio(l, a, True),
                    "amphi >= 1.5x"))
        for key in ("avg", "p50", "p99"):
            a, l = get("http", "amphi", page, key), get("http", "linux", page, key)
            out.append(("HTTP %s latency %s" % (path, key), ms(a), ms(l), ratio(l, a), ""))
    for op in ("SET", "GET"):
        a, l = get("redis", "amphi", op, "rps"), get("redis", "linux", op, "rps")
        out.append(("redis %s requests/s" % op, rate(a), rate(l), ratio(l, a, True),
                    "amphi >= 1.5x"))
        a, l = get("redis", "amphi", op, "p99"), get("redis", "linux", op, "p99")
        out.append(("redis %s latency p99" % op, ms(a), ms(l), ratio(l, a), ""))
    return out


def targets(res):
    lines = []
    measured = [("HTTP %s requests/s" % path, "http", (page, "rps")) for page, path in HTTP_PAGES]
    measured += [("redis %s requests/s" % op, "redis", (op, "rps")) for op in ("SET", "GET")]
    for label, bench, keys in measured:
        a, l = res.get((bench, "amphi")), res.get((bench, "linux"))
        for k in keys:
            a = a.get(k) if a else None
            l = l.get(k) if l else None
        if a and l:
            lines.append("%s amphi/Linux %.2fx (target >= 1.5x): %s"
                         % (label, a / l, "met" if a / l >= 1.5 else "NOT met"))
    return lines

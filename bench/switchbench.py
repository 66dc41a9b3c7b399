"""Mode switching's benchmark (docs/netserver.md, "Switching"), in the same
run as bench/serverbench.py.  Root only: it makes a network namespace with
a bridge, runs itself inside it (--inside), and removes it afterwards.

Inside: a server VM on a tap of its own on the bridge (`amphi server start
--net bridge=br0`), one own-address app (q35, -m 64M, net_httpd serving
netbench's page), and a keep-alive load from this process (4 connections,
tests/vm/httpload.py in a process of its own, every answer checked and
timed).  Then:

  before   server mode for --net-seconds: requests/s, and the longest gap
           between two answers on one connection (the steady reference);
  during   CYCLES round trips server -> direct -> server with `amphi
           switch`, each mode held HOLD s: requests/s over that time;
  after    direct mode for --net-seconds: requests/s.

For each switch: how long `amphi switch` took (the supervisor's own figure,
from the request to the region showing the new mode and, for server mode,
QEMU's DEVICE_DELETED); how long until the first frame from the app's MAC
on the new path (a packet socket on every interface of the namespace: the
NIC's tap for direct mode, the server VM's tap for server mode); and the
longest gap a client connection saw between two answers around it."""

import ctypes
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "vm"))

import httpload	# noqa: E402  (tests/vm: the checked keep-alive load)
import netbench	# noqa: E402

CYCLES = 5
HOLD = 2.0		# seconds in each mode between switches
CONNECTIONS = 4
BRIDGE_IP, SERVER_IP, APP_IP = "192.168.91.1/24", "192.168.91.2/24", "192.168.91.10"
PACKET_OUTGOING = 4


# ---- outside the namespace: bench.py's part ---------------------------------------

def run_all(s, problems):
    """Runs the benchmark in a namespace of its own; None when not root."""
    if os.geteuid() != 0:
        print("switching: skipped (it needs root, for a bridge in a network namespace)")
        return None
    ns = "amphi-swbench-%d" % os.getpid()
    params = {"amphi": s.amphi, "root": s.root, "seconds": s.seconds}
    try:
        for argv in (["ip", "netns", "add", ns],
                     ["ip", "-n", ns, "link", "set", "lo", "up"],
                     ["ip", "-n", ns, "link", "add", "br0", "type", "bridge"],
                     ["ip", "-n", ns, "addr", "add", BRIDGE_IP, "dev", "br0"],
                     ["ip", "-n", ns, "link", "set", "br0", "up"]):
            subprocess.run(argv, check=True, capture_output=True)
        s.log("amphi switching: %d round trips under load" % CYCLES)
        r = subprocess.run(["ip", "netns", "exec", ns, sys.executable, os.path.abspath(__file__),
                            "--inside", json.dumps(params)], env=s.env, capture_output=True,
                           text=True, timeout=600)
        if r.returncode != 0:
            raise netbench.NetError(r.stderr.strip()[-400:])
        res = json.loads(r.stdout.splitlines()[-1])
        s.log("  switch to direct mode %.0f ms, to server mode %.0f ms (medians)"
              % (median(res["direct"]["switch_ms"]), median(res["server"]["switch_ms"])))
        return res
    except (netbench.NetError, subprocess.SubprocessError, OSError, ValueError) as e:
        problems.append("switching: %s" % str(e).splitlines()[0][:300] if str(e) else repr(e))
        return None
    finally:
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2] if xs else None


def rows(res):
    """(what, value, how) for bench.py's table."""
    def ms(xs):
        if not xs:
            return "n/a"
        return "%.0f ms (%.0f-%.0f)" % (median(xs), min(xs), max(xs))

    out = []
    for mode, name in (("direct", "to direct mode"), ("server", "to server mode")):
        m = res[mode]
        out += [("switch %s: amphi switch" % name, ms(m["switch_ms"]),
                 "request to done, the supervisor's figure: median (min-max)"),
                ("switch %s: first frame on the new path" % name, ms(m["first_frame_ms"]),
                 "request to the app's first frame on the %s"
                 % ("NIC's tap" if mode == "direct" else "server VM's tap")),
                ("switch %s: longest gap on a connection" % name, ms(m["gap_ms"]),
                 "between two answers, around the switch")]
    out += [("longest gap on a connection, steady", "%.0f ms" % res["steady_gap_ms"],
             "server mode, %d s, no switch" % res["seconds"])]
    for what, key in (("before (server mode)", "before"), ("during the switches", "during"),
                      ("after (direct mode)", "after")):
        out.append(("requests/s %s" % what, "%.0f /s" % res["rps"][key],
                    "%d keep-alive connections, %s" % (CONNECTIONS, netbench.PAGE_PATH)))
    return out


def print_notes(res):
    print("switching: an own-address app (q35, -m 64M) behind a server VM on a bridge in a "
          "network namespace; %d round trips server -> direct -> server, each mode held %.0f s; "
          "%d failed answers, %d broken connections over %d requests."
          % (CYCLES, HOLD, len(res["failures"]), CONNECTIONS - res["alive"], res["requests"]))


# ---- inside the namespace ------------------------------------------------------

class Sniffer:
    """Frames from one MAC on every interface of the namespace, as (time,
    interface): a packet socket with a filter on the source address."""

    def __init__(self, mac):
        m = bytes.fromhex(mac.replace(":", ""))
        prog = [(0x20, 0, 0, 6),				# ld [6]: source MAC, high 4 bytes
                (0x15, 0, 3, struct.unpack(">I", m[:4])[0]),
                (0x28, 0, 0, 10),				# ldh [10]: its low 2 bytes
                (0x15, 0, 1, struct.unpack(">H", m[4:])[0]),
                (0x06, 0, 0, 14),				# the Ethernet header is enough
                (0x06, 0, 0, 0)]
        self.filt = ctypes.create_string_buffer(b"".join(struct.pack("HBBI", *i) for i in prog))
        fprog = struct.pack("HL", len(prog), ctypes.addressof(self.filt))
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
        self.sock.setsockopt(socket.SOL_SOCKET, 26, fprog)	# SO_ATTACH_FILTER
        self.sock.setsockopt(socket.SOL_SOCKET, 35, 1)		# SO_TIMESTAMPNS
        self.sock.settimeout(0.2)
        self.events, self.stop = [], False
        self.thread = threading.Thread(target=self.run)
        self.thread.start()

    def run(self):
        # The kernel's receive time (SO_TIMESTAMPNS, wall clock) moved to
        # the monotonic clock: this thread may run late (the GIL), the
        # time must not.
        offset = time.time() - time.monotonic()
        last = {}
        while not self.stop:
            try:
                _, anc, _, addr = self.sock.recvmsg(64, socket.CMSG_SPACE(16))
            except socket.timeout:
                continue
            if addr[2] == PACKET_OUTGOING or not anc:
                continue
            sec, nsec = struct.unpack("qq", anc[0][2][:16])
            t = sec + nsec / 1e9 - offset
            # The first frame after a quiet spell on an interface is what
            # matters; keep one per 50 ms per interface.
            if t - last.get(addr[0], 0) > 0.05:
                self.events.append((t, addr[0]))
            last[addr[0]] = t

    def first(self, after, want):
        return next((t for t, ifname in self.events if t >= after and want(ifname)), None)

    def close(self):
        self.stop = True
        self.thread.join()
        self.sock.close()


def amphi(p, env, *args, timeout=60):
    return subprocess.run([p["amphi"]] + list(args), env=env, capture_output=True, text=True,
                          timeout=timeout)


def longest_gap(conns, start, end):
    """The longest time between two answers on one connection, over the
    pairs that overlap [start, end]."""
    gap = 0.0
    for times in conns:
        for a, b in zip(times, times[1:]):
            if b >= start and a <= end:
                gap = max(gap, b - a)
    return gap


def answers_between(conns, start, end):
    return sum(1 for times in conns for t in times if start <= t < end)


def start_app(p, env, tmp):
    www = os.path.join(tmp, "www")
    os.makedirs(www)
    with open(os.path.join(www, netbench.PAGE_PATH.lstrip("/")), "wb") as f:
        f.write(netbench.PAGE)
    httpd = os.path.join(p["root"], "build", "progs", "net_httpd")
    app = netbench.VM("app", [p["amphi"], "run", "--accel", "tcg", "--smp", "1", "-m", "64M",
                              "--server", "bench", "--name", "web", "--ip", APP_IP + "/24",
                              "--files", "%s:/www" % www, httpd, "80", "/www"], env)
    deadline = time.monotonic() + netbench.READY_LIMIT
    while True:
        try:
            httpload.Load(APP_IP, 80, netbench.PAGE_PATH, 1, False)
            return app
        except OSError:
            if time.monotonic() > deadline or app.proc.poll() is not None:
                raise netbench.NetError("the app did not answer: %r" % app.output())
            time.sleep(0.5)


def switch(p, env, mode):
    t0 = time.monotonic()
    r = amphi(p, env, "switch", "web", mode)
    t1 = time.monotonic()
    m = re.match(r"web: %s mode after (\d+\.\d+) s" % mode, r.stdout)
    if r.returncode != 0 or not m:
        raise netbench.NetError("amphi switch web %s: %s" % (mode, r.stderr.strip()))
    return {"mode": mode, "t0": t0, "t1": t1, "ms": float(m.group(1)) * 1000}


def measure(p, env, load, sniffer, server_tap):
    seconds = p["seconds"]
    time.sleep(1)	# warm-up
    before = (time.monotonic(), time.monotonic() + seconds)
    time.sleep(seconds)
    switches, during_start = [], time.monotonic()
    for _ in range(CYCLES):
        for mode in ("direct", "server"):
            switches.append(switch(p, env, mode))
            time.sleep(HOLD)
    during = (during_start, time.monotonic())
    switches.append(switch(p, env, "direct"))
    time.sleep(0.5)
    after = (time.monotonic(), time.monotonic() + seconds)
    time.sleep(seconds)
    switch(p, env, "server")
    res = json.loads(load.communicate(b"", timeout=120)[0])
    sniffer.close()
    conns = res["times"]
    out = {"seconds": seconds, "requests": res["requests"], "failures": res["failures"],
           "alive": res["alive"],
           "steady_gap_ms": longest_gap(conns, *before) * 1000,
           "rps": {k: answers_between(conns, *w) / (w[1] - w[0])
                   for k, w in (("before", before), ("during", during), ("after", after))}}
    for mode in ("direct", "server"):
        mine = [sw for sw in switches if sw["mode"] == mode]
        new_path = ((lambda i: i.startswith("amphi") and i != server_tap) if mode == "direct"
                    else (lambda i: i == server_tap))
        first = [sniffer.first(sw["t0"], new_path) for sw in mine]
        out[mode] = {"switch_ms": [sw["ms"] for sw in mine],
                     "first_frame_ms": [(f - sw["t0"]) * 1000 for f, sw in zip(first, mine) if f],
                     "gap_ms": [longest_gap(conns, sw["t0"], sw["t1"]) * 1000 for sw in mine]}
    return out


def inside(p):
    tmp = tempfile.mkdtemp(prefix="amphi-switchbench-")
    runtime = os.path.join(tmp, "rt")
    os.mkdir(runtime, 0o700)
    env = dict(os.environ, AMPHI_RUNTIME_DIR=runtime)
    app = None
    try:
        r = amphi(p, env, "server", "start", "bench", "--accel", "tcg", "--net", "bridge=br0",
                  "--ip", SERVER_IP, "--slots", "2", timeout=180)
        if r.returncode != 0:
            raise netbench.NetError("amphi server start: %s" % r.stderr.strip()[-300:])
        app = start_app(p, env, tmp)
        st = json.loads(amphi(p, env, "server", "status", "--json", "bench").stdout)
        server_tap = re.search(r"\(tap (\S+)\)", st["net"]).group(1)
        sniffer = Sniffer(st["apps"][0]["mac"])
        load = subprocess.Popen([sys.executable, httpload.__file__, APP_IP, "80",
                                 netbench.PAGE_PATH, str(CONNECTIONS), "--times"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        if load.stdout.readline() != b"ready\n":
            raise netbench.NetError("the load did not start")
        print(json.dumps(measure(p, env, load, sniffer, server_tap)), flush=True)
    finally:
        if app:
            app.stop()
        amphi(p, env, "server", "stop", "bench")
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__" and sys.argv[1:2] == ["--inside"]:
    inside(json.loads(sys.argv[2]))

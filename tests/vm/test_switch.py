"""Live mode switching (docs/netserver.md, "Switching"): an own-address app
moves between the network server's link and a NIC of its own while it
serves, keeping every connection.

- (root) an app serving two big downloads (IPv4 and IPv6) and a keep-alive
  load over both versions is switched server -> direct -> server 10 times
  with `amphi switch`: every byte arrives, no answer fails, no connection
  breaks, each mode carries the traffic while it lasts, and the bridge
  keeps its MAC;
- (root) the app's own policy (--switch auto:HIGH,LOW) asks for a NIC
  under load and gives it back when the load stops;
- (root) the NIC taken away while the app writes a download at full tilt;
- (root) --max-direct: a switch beyond it is refused (one line, status 2),
  a policy's request too (counted, and the app says so);
- (root) a NIC added before the app's kernel runs: it boots on the link
  and moves onto the NIC once eth0 exists;
- (root) an app whose QEMU dies in the middle of a switch: amphi switch
  fails in one line, the supervisor carries on, the tap is gone;
- refusals that need no VM: an unknown app, a shared-address app, an app
  not on q35, a server not on a bridge, an app on two servers; and
  amphi run --switch's checks.

Every VM and client is started here and killed by PID (process group) at
the end; the bridge lives in a namespace the tests make."""

import hashlib
import json
import os
import re
import signal
import subprocess
import time

import pytest

from conftest import AMPHI, ROOT, prog_path
from netserver import (CURL, Control, HttpLoad, Qmp, alive, amphi, bridge_lab, http_get,
                       one_line, server_wrapper, sleep_initrd, stop_server, wait_for, wait_http)

pytestmark = pytest.mark.usefixtures("amphi_works")

HOLD = 1.0	# seconds each mode carries the load between switches


@pytest.fixture
def bridged(tmp_path):
    with bridge_lab(tmp_path, "swt", "--max-direct", "1") as lab:
        yield lab


def web_app(lab, tmp_path, name, host, data=None, opts=()):
    """net_httpd on [::]:80 in own-address app NAME at 192.168.90.HOST and
    fd00:90::HOST, serving data as /big; -v, so its kernel log is on its
    stderr."""
    site = tmp_path / ("site-" + name)
    site.mkdir()
    if data is not None:
        (site / "big").write_bytes(data)
    p = lab.app("s", name, "net_httpd", "-6", 80, "/srv",
                opts=["-m", "192M", "-v", "--files", "%s:/srv" % site,
                      "--ip", "192.168.90.%d/24" % host, "--ip6", "fd00:90::%d/64" % host]
                + list(opts))
    wait_http("http://192.168.90.%d/" % host, lab.netns, timeout=90)
    return p


def switch(lab, app, mode):
    r = amphi(lab.runtime, "switch", app, mode)
    assert r.status == 0, r.describe()
    assert re.fullmatch(r"%s: %s mode after \d+\.\d\d\d s\n" % (app, mode), r.stdout.decode()), \
        r.describe()


def download(lab, url, out, rate=None):
    argv = ["ip", "netns", "exec", lab.netns, CURL, "-s", "-S", "-f", "-g", "-m", "240",
            "-o", str(out)] + (["--limit-rate", rate] if rate else []) + [url]
    return subprocess.Popen(argv, stderr=subprocess.PIPE)


def same(path, data):
    return hashlib.sha256(path.read_bytes()).digest() == hashlib.sha256(data).digest()


def tap_packets(lab, tap):
    """(from the app, to the app) on the app's NIC's tap."""
    def get(what):
        return int(subprocess.run(["ip", "netns", "exec", lab.netns, "cat",
                                   "/sys/class/net/%s/statistics/%s" % (tap, what)],
                                  capture_output=True, check=True).stdout)
    return get("rx_packets"), get("tx_packets")


def link_mac(lab, ifname):
    """An interface's MAC: the bridge's must not change as NICs come and
    go (its hosts' neighbours would send to a MAC it no longer has)."""
    out = subprocess.run(["ip", "-n", lab.netns, "-j", "link", "show", ifname],
                         capture_output=True, check=True).stdout
    return json.loads(out)[0]["address"]


def kernel_log(lab, p):
    _, err = lab.end_app(p)
    return err.decode("utf-8", "replace")


def test_ten_round_trips_under_load(bridged, tmp_path):
    lab, ns = bridged, bridged.netns
    data = os.urandom(8 << 20)
    app = web_app(lab, tmp_path, "web", 10, data)
    wait_http("http://[fd00:90::10]/", ns)
    mac = lab.app_status("s", "web")["mac"]
    bridge_mac = link_mac(lab, "br0")
    loads = [HttpLoad(ns, "192.168.90.10", 80), HttpLoad(ns, "fd00:90::10", 80)]
    got4, got6 = tmp_path / "got4", tmp_path / "got6"
    curls = [download(lab, "http://192.168.90.10/big", got4, "250k"),
             download(lab, "http://[fd00:90::10]/big", got6, "250k")]
    for i in range(10):
        switch(lab, "web", "direct")
        st = lab.app_status("s", "web")
        assert (st["direct"], st["switches"]) == (True, 2 * i + 1), st
        before = tap_packets(lab, st["nic"])
        time.sleep(HOLD)
        after = tap_packets(lab, st["nic"])
        assert after[0] > before[0] and after[1] > before[1], \
            "round %d: the NIC carried nothing: %s -> %s" % (i, before, after)
        assert link_mac(lab, "br0") == bridge_mac, "round %d: the bridge took the NIC's MAC" % i
        switch(lab, "web", "server")
        before = lab.app_status("s", "web")["from_app"]["frames"]
        time.sleep(HOLD)
        st = lab.app_status("s", "web")
        assert (st["direct"], st["nic"], st["switches"]) == (False, None, 2 * i + 2), st
        assert st["from_app"]["frames"] > before, "round %d: the link carried nothing" % i
        assert link_mac(lab, "br0") == bridge_mac, "round %d: the bridge's MAC changed" % i
    results = [load.stop() for load in loads]
    for r in results:
        assert r["failures"] == [] and r["alive"] == r["connections"], r
        assert r["requests"] > 100, r
    for c, got in zip(curls, (got4, got6)):
        _, err = c.communicate(timeout=250)
        assert c.returncode == 0, err.decode()
        assert same(got, data), "%s: %d bytes, not the file" % (got.name, got.stat().st_size)
    log = kernel_log(lab, app)
    assert len(re.findall(r"net: eth0 moved to virtio-net\d+ \(direct mode\)", log)) == 10, log
    assert log.count("net: eth0 back on link0 (server mode)") == 10, log
    assert re.findall(r"virtio-net\d+: (\S+) on virtio-pci", log) == [mac] * 10, log
    taps = subprocess.run(["ip", "-n", ns, "-o", "link"], capture_output=True).stdout.decode()
    assert len(re.findall(r"\bamphi\d+:", taps)) == 1, "the NICs' taps stay: " + taps


def test_policy_asks_for_a_nic_under_load_and_gives_it_back(bridged, tmp_path):
    lab, ns = bridged, bridged.netns
    app = web_app(lab, tmp_path, "auto", 11, opts=["--switch", "auto:300,30"])
    load = HttpLoad(ns, "192.168.90.11", 80)
    wait_for("direct mode under load",
             lambda: lab.app_status("s", "auto")["direct"], timeout=90)
    time.sleep(HOLD)
    r = load.stop()
    assert r["failures"] == [] and r["alive"] == r["connections"], r
    st = wait_for("server mode once the load stopped",
                  lambda: (lambda a: a if not a["direct"] and not a["switching"] else None)(
                      lab.app_status("s", "auto")), timeout=90)
    assert (st["switches"], st["nic"], st["refusals"]) == (2, None, 0), st
    log = kernel_log(lab, app)
    for line in ("net: switching policy: a NIC above 300 frames/s, back below 30",
                 "asking for a NIC", "asking for server mode",
                 "net: eth0 back on link0 (server mode)"):
        assert line in log, log
    assert re.search(r"net: eth0 moved to virtio-net\d+ \(direct mode\)", log), log


def test_nic_removed_while_the_app_writes(bridged, tmp_path):
    lab = bridged
    data = os.urandom(24 << 20)
    app = web_app(lab, tmp_path, "writer", 12, data)
    switch(lab, "writer", "direct")
    got = tmp_path / "got"
    curl = download(lab, "http://192.168.90.12/big", got, "3M")
    wait_for("the download under way", lambda: got.exists() and got.stat().st_size > (2 << 20))
    switch(lab, "writer", "server")
    assert curl.poll() is None and got.stat().st_size < len(data), \
        "the download ended before the NIC left: nothing was in flight"
    _, err = curl.communicate(timeout=250)
    assert curl.returncode == 0, err.decode()
    assert same(got, data)
    log = kernel_log(lab, app)
    assert "pcie hotplug: 1af4:1041 leaves bus" in log and "virtio-net0: removed" in log, log
    assert "panic" not in log, log


def test_max_direct_refuses_manual_and_policy_requests(bridged, tmp_path):
    lab, ns = bridged, bridged.netns
    web_app(lab, tmp_path, "first", 13)
    second = web_app(lab, tmp_path, "second", 14, opts=["--switch", "auto:300,30"])
    switch(lab, "first", "direct")
    r = amphi(lab.runtime, "switch", "second", "direct")
    one_line(r, "no NIC for app second", "1 app of server s is in direct mode (--max-direct 1)")
    assert lab.app_status("s", "second")["refusals"] == 1
    load = HttpLoad(ns, "192.168.90.14", 80)
    wait_for("the policy's request refused",
             lambda: lab.app_status("s", "second")["refusals"] >= 2, timeout=90)
    r = load.stop()
    assert r["failures"] == [], r
    st = lab.status("s")
    assert (st["direct_apps"], st["max_direct"]) == (1, 1), st
    assert [a["direct"] for a in st["apps"]] == [True, False], st
    assert "link: the supervisor has no NIC for us" in kernel_log(lab, second)


def paused_app(lab, tmp_path, name, host, prog, *args, opts=()):
    """An own-address app whose VM waits at its first instruction (-S), with
    a QMP socket of the test's own (tmp_path/NAME.d/qmp; QEMU's pid in
    NAME.d/pid); returns (the process, that folder)."""
    d = tmp_path / (name + ".d")
    d.mkdir()
    wrapper = tmp_path / (name + "-qemu")
    wrapper.write_text("#!/bin/sh\necho $$ > %s/pid\nexec qemu-system-x86_64 \"$@\" -S "
                       "-qmp unix:%s/qmp,server=on,wait=off\n" % (d, d))
    wrapper.chmod(0o755)
    p = lab.app("s", name, prog, *args,
                opts=["--ip", "192.168.90.%d/24" % host, "--qemu", str(wrapper)] + list(opts))
    wait_for("the app's QEMU on its slot",
             lambda: (lab.app_status("s", name) or {}).get("connected"), timeout=60)
    return p, d


def switch_in_background(lab, app, mode):
    p = subprocess.Popen([AMPHI, "switch", app, mode], cwd=ROOT,
                         env=dict(os.environ, AMPHI_RUNTIME_DIR=str(lab.runtime)),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wait_for("the switch under way", lambda: lab.app_status("s", app)["switching"] == mode)
    time.sleep(0.5)	# the NIC is in (device_add answers at once)
    return p


def test_nic_there_before_the_kernel_boots(bridged, tmp_path):
    """The NIC is added while the VM has not run yet: the kernel finds it
    at boot, puts eth0 on the link all the same (its home) and moves it
    onto the NIC once eth0 exists."""
    lab = bridged
    app, d = paused_app(lab, tmp_path, "early", 16, "net_httpd", 80, opts=["-v"])
    sw = switch_in_background(lab, "early", "direct")
    Qmp(d / "qmp").cmd("cont")
    out, err = sw.communicate(timeout=40)
    assert sw.returncode == 0 and out.startswith(b"early: direct mode after "), (out, err)
    wait_http("http://192.168.90.16/", lab.netns)
    switch(lab, "early", "server")
    assert http_get("http://192.168.90.16/", lab.netns).returncode == 0
    log = kernel_log(lab, app)
    assert "net: eth0 back on link0 (server mode)" in log, log


def test_qemu_dies_in_the_middle_of_a_switch(bridged, tmp_path):
    """A paused VM never takes the NIC, so the switch waits; its QEMU is
    killed meanwhile."""
    lab, ns = bridged, bridged.netns
    _, d = paused_app(lab, tmp_path, "frozen", 15, "sleep", 600000)
    sw = switch_in_background(lab, "frozen", "direct")
    qemu = int((d / "pid").read_text())
    os.kill(qemu, signal.SIGKILL)
    out, err = sw.communicate(timeout=40)
    assert sw.returncode == 125 and out == b"", (out, err)
    assert err.count(b"\n") == 1 and err.startswith(b"amphi: switch: app frozen: "), err
    wait_for("the app gone", lambda: lab.status("s")["apps"] == [], timeout=30)
    st = lab.status("s")
    assert st["state"] == "running" and st["direct_apps"] == 0, st
    taps = subprocess.run(["ip", "-n", ns, "-o", "link"], capture_output=True).stdout.decode()
    assert len(re.findall(r"\bamphi\d+:", taps)) == 1, "the NIC's tap stays: " + taps
    assert not alive(qemu)


# ---- refusals that need no VM ---------------------------------------------------------

@pytest.fixture
def fake_servers(tmp_path):
    """Servers whose VM only sleeps (netserver.server_wrapper): enough for
    the supervisor to answer."""
    runtime = tmp_path / "rt"
    runtime.mkdir(mode=0o700)
    initrd, started = sleep_initrd(tmp_path), []

    def start(name):
        qemu, _ = server_wrapper(tmp_path, initrd=initrd, name="qemu-" + name)
        r = amphi(runtime, "server", "start", "--accel", "tcg", "--slots", "4", "--qemu", qemu,
                  name)
        assert r.status == 0, r.describe()
        started.append(name)
    yield runtime, start
    for name in started:
        stop_server(runtime, name)


def test_refusals(fake_servers):
    runtime, start = fake_servers
    start("u")
    me = os.getpid()
    conns = [Control(runtime, "u") for _ in range(3)]
    try:
        assert conns[0].request("attach sh %d shared" % me)[0].startswith("ok 0 ")
        assert conns[1].request("attach pc %d own" % me)[0].endswith(" -")
        ok = conns[2].request("attach q35 %d own hotplug" % me)[0].split()
        assert ok[4] == str(runtime / "u" / "qmp-2"), ok
        one_line(amphi(runtime, "switch", "nosuch", "direct"),
                 "switch: no app named 'nosuch' on any server")
        one_line(amphi(runtime, "switch", "--server", "u", "nosuch", "server"),
                 "switch: no app named nosuch on server u")
        one_line(amphi(runtime, "switch", "--server", "nos", "sh", "direct"),
                 "no server named 'nos'")
        one_line(amphi(runtime, "switch", "sh", "direct"), "app sh uses the server's shared address")
        one_line(amphi(runtime, "switch", "pc", "direct"), "app pc cannot take a NIC",
                 "does not run on q35")
        one_line(amphi(runtime, "switch", "q35", "direct"), "server u is not on a bridge")
        one_line(amphi(runtime, "switch", "q35", "sideways"), "the mode is direct or server")
        one_line(amphi(runtime, "switch", "q35"), "wants APP and direct or server")
        r = amphi(runtime, "switch", "q35", "server")
        assert (r.status, r.stdout) == (0, b"q35: in server mode already\n"), r.describe()
        start("v")
        other = Control(runtime, "v")
        assert other.request("attach q35 %d own" % me)[0].startswith("ok 0 ")
        one_line(amphi(runtime, "switch", "q35", "direct"),
                 "app 'q35' is on servers 'u' and 'v': say which with --server")
        other.close()
        st = {a["name"]: a for a in json.loads(
            amphi(runtime, "server", "status", "--json", "u").stdout)["apps"]}
        assert [st[n]["switchable"] for n in ("sh", "pc", "q35")] == [False, False, True], st
        assert all(a["refusals"] == 0 and a["switches"] == 0 for a in st.values()), st
    finally:
        for c in conns:
            c.close()


@pytest.mark.parametrize("opts,words", [
    (["--switch", "sometimes"], ["--switch wants auto or auto:HIGH,LOW"]),
    (["--switch", "auto:5,x"], ["--switch wants auto or auto:HIGH,LOW"]),
    (["--switch", "auto:100,100", "--server", "s", "--address", "own"], ["HIGH above LOW"]),
    (["--switch", "auto"], ["--switch needs --server and --address own"]),
    (["--switch", "auto", "--server", "s"], ["--switch needs --server and --address own"]),
    (["--switch", "auto:10,1", "--server", "s", "--address", "own", "--machine", "pc"],
     ["--switch needs --machine q35"]),
])
def test_run_switch_option_checks(tmp_path, opts, words):
    runtime = tmp_path / "rt"
    runtime.mkdir(mode=0o700)
    one_line(amphi(runtime, "run", *opts, prog_path("hello")), *words)

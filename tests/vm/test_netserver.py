"""The network server end to end (docs/netserver.md): a real server VM
forwarding for real app VMs, with real clients on the host.

- two apps behind one server on user networking, each serving its own
  port through the server's -p (an HTTP page with curl, an echo server
  with a Python client, every byte checked);
- a port bound by a second app is refused (EADDRINUSE);
- apps joining and leaving while another serves without a failed request;
- outbound connections from a shared-address and an own-address app;
- (root) shared-address and own-address apps side by side over a bridge
  in a network namespace, IPv4 and IPv6;
- (root) a bulk stream each way through the server's tap;
- (root) the server VM killed with SIGKILL while a download streams: the
  supervisor restarts it, the download completes byte for byte;
- an app that writes garbage all over its region: its link is shut, the
  others keep being served;
- 64 apps attached at once, each answering on its own port.

Every VM and host process is started here and killed by PID (process
group) at the end; taps and bridges live in namespaces the tests make."""

import hashlib
import os
import signal
import socket
import subprocess
import threading

import pytest

from netserver import CURL, bridge_lab, free_port, free_ports, http_get, wait_for, \
    wait_http
from netvm import stream_in_namespace

pytestmark = pytest.mark.usefixtures("amphi_works")


def echo_roundtrip(port, data):
    """data through a TCP echo server on 127.0.0.1:port; what came back."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        got = bytearray()

        def reader():
            try:
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        return
                    got.extend(chunk)
            except OSError:
                return	# the socket closed under us: what came is what counts

        t = threading.Thread(target=reader)
        t.start()
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        t.join(60)
    return bytes(got)


def echo_answers(port):
    try:
        return echo_roundtrip(port, b"x") == b"x"
    except OSError:	# slirp took the connection before the app listened
        return False


# ---- user networking ------------------------------------------------------------------

def test_two_apps_each_serve_their_port(lab):
    web, echo = free_ports(2)
    lab.server("s", "-p", "%d:8081" % web, "-p", "%d:9000" % echo, "--slots", "4")
    lab.app("s", "web", "net_httpd", 8081)
    lab.app("s", "echo", "net_echo", 9000)
    wait_http("http://127.0.0.1:%d/" % web)
    page = http_get("http://127.0.0.1:%d/" % web)
    assert b"Hello from amphi" in page.stdout
    data = os.urandom(300 * 1024)
    wait_for("the echo server", lambda: echo_answers(echo))
    assert echo_roundtrip(echo, data) == data
    st = lab.status("s")
    ports = {a["name"]: a["ports"] for a in st["apps"]}
    assert ports == {"web": ["tcp/8081"], "echo": ["tcp/9000"]}, st
    for a in st["apps"]:
        assert a["link"] == "ready" and a["to_app"]["frames"] > 0 and a["from_app"]["frames"] > 0
    assert st["apps"][1]["to_app"]["bytes"] > len(data) or st["apps"][0]["to_app"]["bytes"] > len(data)


def test_a_port_has_one_owner(lab):
    port = free_port()
    lab.server("s", "-p", "%d:8081" % port, "--slots", "4")
    lab.app("s", "first", "net_httpd", 8081)
    wait_http("http://127.0.0.1:%d/" % port)
    second = lab.app("s", "second", "net_httpd", 8081)
    out, err = second.communicate(timeout=60)
    assert second.returncode == 1, (out, err)
    assert b"bind: Address in use" in err, err
    assert b"Hello from amphi" in http_get("http://127.0.0.1:%d/" % port).stdout


def test_apps_join_and_leave_while_one_serves(lab):
    port = free_port()
    lab.server("s", "-p", "%d:8081" % port, "--slots", "4")
    lab.app("s", "steady", "net_httpd", 8081)
    wait_http("http://127.0.0.1:%d/" % port)
    failures, done = [], threading.Event()

    def load():
        n = 0
        while not done.is_set():
            r = http_get("http://127.0.0.1:%d/" % port)
            if r.returncode != 0 or b"Hello from amphi" not in r.stdout:
                failures.append(r.stderr)
            n += 1
        failures.append(n)

    t = threading.Thread(target=load)
    t.start()
    try:
        for i in range(3):
            p = lab.app("s", "visitor%d" % i, "hello")
            out, _ = p.communicate(timeout=60)
            assert p.returncode == 0 and out == b"hello from amphi\n"
    finally:
        done.set()
        t.join(60)
    requests = failures.pop()
    assert failures == [] and requests > 0, failures
    assert [a["name"] for a in lab.status("s")["apps"]] == ["steady"]



@pytest.mark.parametrize("address", ["shared", "own"])
def test_outbound_connection(lab, host_echo, address):
    lab.server("s", "--slots", "4")
    p = lab.app("s", "client", "net_connect", "10.0.2.2", host_echo, "amphi outbound",
                opts=["--address", address])
    out, err = p.communicate(timeout=90)
    assert p.returncode == 0, err.decode()
    assert out == b"dnuobtuo ihpma\n"


# ---- a bridge in a network namespace (root) ----------------------------------------------

@pytest.fixture
def bridged(tmp_path):
    """A namespace holding bridge br0 (192.168.90.1/24, fd00:90::1/64) and
    a Lab whose server runs in it."""
    with bridge_lab(tmp_path, "nsrv") as lab:
        yield lab


def test_shared_and_own_address_apps_over_both_ip_versions(bridged):
    bridged.app("s", "shared", "net_httpd", "-6", 80)
    bridged.app("s", "own", "net_httpd", "-6", 80,
                opts=["--ip", "192.168.90.10/24", "--ip6", "fd00:90::10/64"])
    ns = bridged.netns
    for url in ("http://192.168.90.2/", "http://[fd00:90::2]/", "http://192.168.90.10/",
                "http://[fd00:90::10]/"):
        wait_http(url, ns)
        assert b"Hello from amphi" in http_get(url, ns).stdout
    own = bridged.app_status("s", "own")
    assert own["mode"] == "own" and "192.168.90.10" in own["addresses"], own
    assert bridged.app_status("s", "shared")["ports"] == ["tcp/80"]


def test_bulk_both_ways_through_the_server(bridged):
    """A stream to and from a shared-address app through the server's tap,
    every byte counted or compared: the server's NIC takes frames of one
    MTU only (no GUEST_TSO), as its switch passes on no larger ones."""
    bridged.app("s", "stream", "net_stream", 5001, opts=["-m", "128M"])
    ns = bridged.netns
    size = 16 << 20
    wait_for("the app listening", lambda: bridged.app_status("s", "stream") and
             bridged.app_status("s", "stream")["ports"] == ["tcp/5001"])
    r = stream_in_namespace(ns, "192.168.90.2", 5001, size)
    assert r.returncode == 0, r.stderr.decode()[-2000:]
    assert r.stdout.split() == [b"%d" % size] * 2, r.stdout


def test_server_killed_mid_stream(bridged, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    data = os.urandom(6 << 20)
    (site / "big").write_bytes(data)
    bridged.app("s", "web", "net_httpd", 80, "/srv", opts=["-m", "128M", "--files",
                                                          "%s:/srv" % site])
    ns = bridged.netns
    wait_http("http://192.168.90.2/", ns)
    before = bridged.status("s")
    out = tmp_path / "got"
    curl = subprocess.Popen(["ip", "netns", "exec", ns, CURL, "-s", "-S", "-f", "-m", "240",
                             "--limit-rate", "1500k", "-o", str(out),
                             "http://192.168.90.2/big"], stderr=subprocess.PIPE)
    wait_for("the download under way", lambda: out.exists() and out.stat().st_size > 0)
    os.kill(before["qemu_pid"], signal.SIGKILL)
    _, err = curl.communicate(timeout=250)
    assert curl.returncode == 0, err.decode()
    assert hashlib.sha256(out.read_bytes()).digest() == hashlib.sha256(data).digest()
    after = bridged.status("s")
    assert after["restarts"] == 1 and after["qemu_pid"] != before["qemu_pid"], after
    assert after["apps"][0]["link"] == "ready"


# ---- a hostile app ------------------------------------------------------------------------

def test_garbage_writing_app_is_shut_out(lab, tmp_path):
    port = free_port()
    lab.server("s", "-p", "%d:8081" % port, "--slots", "4")
    lab.app("s", "good", "net_httpd", 8081)
    wait_http("http://127.0.0.1:%d/" % port)
    chaos = tmp_path / "chaos-qemu"
    chaos.write_text("#!/bin/sh\nexec qemu-system-x86_64 \"$@\" -append amphi.link_chaos\n")
    chaos.chmod(0o755)
    lab.app("s", "evil", "sleep", 600000, opts=["--qemu", str(chaos)])
    wait_for("the evil app's link shut",
             lambda: (lab.app_status("s", "evil") or {}).get("link") == "shut", 60)
    for _ in range(30):
        r = http_get("http://127.0.0.1:%d/" % port)
        assert r.returncode == 0 and b"Hello from amphi" in r.stdout, r.stderr
    evil = lab.app_status("s", "evil")
    assert evil["link"] == "shut" and evil["shuts"] >= 1, evil
    assert lab.app_status("s", "good")["link"] == "ready"


# ---- many apps ------------------------------------------------------------------------------

def test_64_apps_at_once(lab):
    n = 64
    ports = free_ports(n)
    opts = ["--slots", str(n), "-m", "96M"]
    for i, p in enumerate(ports):
        opts += ["-p", "%d:%d" % (p, 10000 + i)]
    lab.server("s", *opts)
    for i in range(n):
        lab.app("s", "app%d" % i, "net_httpd", 10000 + i, opts=["-m", "16M"])
    for p in ports:
        wait_http("http://127.0.0.1:%d/" % p, timeout=300)
    st = lab.status("s")
    assert st["slots_used"] == n
    assert sorted(a["ports"][0] for a in st["apps"]) == sorted("tcp/%d" % (10000 + i)
                                                             for i in range(n))

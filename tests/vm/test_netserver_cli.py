"""`amphi server` and `amphi run --server`: bad usage is refused with one
line on stderr and status 2, before anything starts (docs/amphi.md,
docs/netserver.md).  The refusals that need a live server (a name in use,
a port taken, no free slot) run against one started with the wrapper of
netserver.py, whose VM boots but cannot yet forward."""

import json
import os
import socket

import pytest

from conftest import PROGS, free_port
from netserver import (Control, amphi, listening, one_line, server_wrapper, sleep_initrd,
                       stop_server, supervisor_pid, wait_for)

pytestmark = pytest.mark.usefixtures("amphi_works")

HELLO = os.path.join(PROGS, "hello")


@pytest.fixture
def runtime(tmp_path):
    d = tmp_path / "rt"
    d.mkdir(mode=0o700)
    return d


def no_servers(runtime):
    assert os.listdir(runtime) == [], "something was left in the runtime folder"


def test_unknown_subcommand(runtime):
    one_line(amphi(runtime, "server", "begin", "x"), "'begin' is not a server command")


@pytest.mark.parametrize("cmd", [["server", "status", "nosuch"], ["server", "stop", "nosuch"],
                                 ["server", "status", "--json", "nosuch"],
                                 ["run", "--server", "nosuch", HELLO]])
def test_unknown_server(runtime, cmd):
    one_line(amphi(runtime, *cmd), "no server named 'nosuch'")


@pytest.mark.parametrize("name", ["bad/name", "a" * 33, ".hidden", "sp ace"])
def test_bad_name(runtime, name):
    one_line(amphi(runtime, "server", "start", "--accel", "tcg", name), "not a server name")
    one_line(amphi(runtime, "server", "status", name), "no server named")
    no_servers(runtime)


@pytest.mark.parametrize("args,words", [
    ([], "missing NAME"),
    (["a", "b"], "one NAME only"),
    (["--slots", "0", "a"], "--slots wants a whole number from 1 to 128"),
    (["--slots", "129", "a"], "--slots wants"),
    (["-p", "80", "a"], "-p wants"),
    (["--net", "none", "a"], "--net wants user, tap=IFNAME or bridge=BRIDGE"),
    (["--net", "bridge=", "a"], "--net wants"),
    (["--net", "tap=nosuchtap0", "a"], "no such tap device"),
    (["--net", "bridge=nosuchbr0", "a"], "no such bridge"),
    (["--net", "tap=tap0", "-p", "8080:80", "a"], "-p forwards ports through --net user"),
    (["--gw", "10.0.2.2", "a"], "--gw needs --ip"),
    (["--ip", "10.0.2.300/24", "a"], "--ip wants"),
    (["--bogus", "a"], "unknown option '--bogus'"),
    (["--kernel", "/nonexistent/amphi.elf", "a"], "/nonexistent/amphi.elf"),
    (["-m", "2M", "a"], "-m 2048K is too little for the kernel"),
    (["-m", "2.5M", "a"], "-m wants a size"),
])
def test_start_bad_usage(runtime, args, words):
    one_line(amphi(runtime, "server", "start", "--accel", "tcg", *args), words)
    no_servers(runtime)


def test_start_without_memory_for_its_nic(runtime):
    """A server VM too small for its NIC's rings stops at start and says
    why; it ran with no NIC before, forwarding nothing out, saying
    nothing."""
    r = amphi(runtime, "server", "start", "--accel", "tcg", "-m", "3000K", "--slots", "1", "s")
    assert r.status not in (0, None), r.describe()
    assert b"netserver: out of memory starting a device" in r.stderr, r.describe()
    assert b"stopped before it was ready" in r.stderr, r.describe()


def test_start_port_bound(runtime):
    """A -p host port something else listens on is refused before the
    server starts."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        one_line(amphi(runtime, "server", "start", "--accel", "tcg", "-p", "%d:80" % port, "a"),
                 "127.0.0.1:%d/tcp cannot be used" % port)
    no_servers(runtime)


def test_start_port_twice(runtime):
    one_line(amphi(runtime, "server", "start", "--accel", "tcg", "-p", "18123:80",
                   "-p", "0.0.0.0:18123:81", "a"), "forwarded twice")


@pytest.mark.parametrize("args,words", [
    (["-p", "8080:80"], "-p belongs to amphi server start"),
    (["--net", "user"], "--net belongs to amphi server start"),
    (["--machine", "microvm"], "--server needs a PCI machine"),
    (["--address", "shared", "--ip", "10.0.2.30/24"], "--ip, --gw and --ip6 need --address own"),
    (["--address", "both"], "--address wants shared or own"),
    (["--name", "-x"], "--name wants"),
])
def test_run_server_bad_usage(runtime, args, words):
    one_line(amphi(runtime, "run", "--accel", "tcg", "--server", "web", *args, HELLO), words)


@pytest.mark.parametrize("args,words", [
    (["--address", "own"], "--address needs --server"),
])
def test_run_link_options_need_server(runtime, args, words):
    one_line(amphi(runtime, "run", "--accel", "tcg", *args, HELLO), words)


def test_stale_folder_is_removed(runtime):
    """A folder whose supervisor died (its pid file unlocked) does not hold
    the name: status says so once and removes it."""
    d = runtime / "old"
    d.mkdir()
    (d / "pid").write_text("999999\n")
    (d / "control").write_text("")
    one_line(amphi(runtime, "server", "status", "old"), "its supervisor had died")
    no_servers(runtime)


# ---- against a live server ---------------------------------------------------


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """One server for the module: 'web', two slots, a -p port."""
    tmp = tmp_path_factory.mktemp("live")
    runtime = tmp / "rt"
    runtime.mkdir(mode=0o700)
    qemu, _ = server_wrapper(tmp, initrd=sleep_initrd(tmp))
    port = free_port()
    r = amphi(runtime, "server", "start", "--accel", "tcg", "--slots", "2", "--qemu", qemu,
              "-p", "%d:80" % port, "web")
    assert r.status == 0, r.describe()
    wait_for("QEMU listening on port %d" % port, lambda: listening(port))
    yield runtime, port
    r = stop_server(runtime, "web")
    assert r.status == 0, r.describe()


def test_name_in_use(live, tmp_path):
    runtime, _ = live
    pid = supervisor_pid(runtime, "web")
    one_line(amphi(runtime, "server", "start", "--accel", "tcg", "web"),
             "a server named 'web' is running already")
    assert supervisor_pid(runtime, "web") == pid
    assert amphi(runtime, "server", "status", "web").status == 0


def test_second_server_same_port(live):
    runtime, port = live
    one_line(amphi(runtime, "server", "start", "--accel", "tcg", "-p", "%d:80" % port, "other"),
             "127.0.0.1:%d/tcp cannot be used" % port)
    assert not (runtime / "other").exists()


def test_list(live):
    runtime, _ = live
    r = amphi(runtime, "server", "list")
    assert r.status == 0 and r.stderr == b"", r.describe()
    name, pid, apps, up = r.stdout.decode().split()
    assert (name, int(pid), apps) == ("web", supervisor_pid(runtime, "web"), "0/2")
    assert up.endswith("s") or up.endswith("m"), r.describe()


def test_status_json_parses(live):
    runtime, port = live
    r = amphi(runtime, "server", "status", "--json", "web")
    assert r.status == 0, r.describe()
    st = json.loads(r.stdout)
    assert st["name"] == "web" and st["state"] == "running" and st["apps"] == []
    assert st["forwards"] == ["127.0.0.1:%d->80/tcp" % port]
    assert (st["slots_used"], st["slots_total"]) == (0, 2)


def test_control_protocol_errors(live):
    """Each bad request gets one `error` line; the connection stays usable."""
    runtime, _ = live
    c = Control(runtime, "web")
    try:
        assert c.request("frobnicate")[0] == "error unknown request 'frobnicate'"
        assert c.request("attach a")[0] == \
            "error usage: attach NAME PID shared|own [MAC] [hotplug]"
        assert c.request("attach a 1 shared")[0].startswith("error PID must be")
        me = os.getpid()
        assert c.request("attach a %d both" % me)[0].startswith("error the mode is")
        assert c.request("attach a %d shared 02:00:00:00:00:01" % me)[0].startswith(
            "error the mode is")
        assert c.request("attach a %d own 01:00:00:00:00:01" % me)[0].startswith(
            "error a MAC is")
        assert c.request("attach a %d shared hotplug" % me)[0].startswith("error the mode is")
        assert c.request("attach -a %d shared" % me)[0].startswith("error an app name")
        assert c.request("switch a") == ["error usage: switch NAME direct|server"]
        assert c.request("switch a sideways") == ["error usage: switch NAME direct|server"]
        assert c.request("switch a direct") == ["error no app named a on server web"]
        assert c.request("app a") == ["error no app named a on server web"]
        assert c.request("status yaml")[0] == "error status text|json"
        assert c.request("x" * 600)[0] == "error request longer than 511 bytes"
    finally:
        c.close()


def test_attach_name_taken_and_no_free_slot(live):
    """Two slots: the same name twice is refused, a third app finds no
    slot, and `amphi run --server` says so in one line."""
    runtime, _ = live
    a, b = Control(runtime, "web"), Control(runtime, "web")
    try:
        me = os.getpid()
        ok = a.request("attach first %d own" % me)[0].split()
        assert ok[0] == "ok" and ok[1] == "0" and ok[2] == str(runtime / "web" / "slot-0"), ok
        mac = bytes.fromhex(ok[3].replace(":", ""))
        assert mac[0] & 3 == 2, "a locally administered unicast MAC, not %s" % ok[3]
        assert b.request("attach first %d shared" % me) == [
            "error an app named first is attached already"]
        assert b.request("attach second %d own %s" % (me, ok[3])) == [
            "error that MAC is in use on this server"]
        assert b.request("attach second %d shared" % me) == [
            "ok 1 %s - -" % (runtime / "web" / "slot-1")]
        assert b.request("app second") == ["ok 1"]
        assert a.request("attach third %d shared" % me) == [
            "error this connection holds an app already"]
        r = amphi(runtime, "run", "--accel", "tcg", "--server", "web", HELLO)
        one_line(r, "no free slot (all 2 are taken)")
    finally:
        a.close()
        b.close()
    wait_for("both slots free again",
             lambda: json.loads(amphi(runtime, "server", "status", "--json", "web").stdout)
             ["slots_used"] == 0)


def test_client_that_does_not_read_is_dropped(live):
    """A client that asks and asks and never reads its replies is cut off
    once they pile up, and everyone else is served all along."""
    runtime, _ = live
    flood = socket.socket(socket.AF_UNIX)
    flood.settimeout(30)
    flood.connect(str(runtime / "web" / "control"))
    try:
        try:
            for _ in range(400):	# some 13 MB of replies
                flood.sendall(b"status json\n" * 100)
        except OSError:
            pass	# dropped while we were still sending: what we want
        r = amphi(runtime, "server", "status", "web")
        assert r.status == 0 and r.stdout.startswith(b"server web\n"), r.describe()
        got = 0
        try:
            while True:
                d = flood.recv(1 << 20)
                if not d:
                    break
                got += len(d)
        except ConnectionResetError:
            pass
        assert got < 8 << 20, "the supervisor kept %d bytes of replies for it" % got
    finally:
        flood.close()

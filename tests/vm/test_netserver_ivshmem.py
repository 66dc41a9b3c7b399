"""The host side of the network server with real QEMUs (docs/netserver.md):
the server VM's machine and config, the ivshmem-server protocol as QEMU
takes it, the regions both VMs see, slots assigned and freed, a server VM
killed and replaced, a server VM that fails to start, and a bridge tap.

The server VM runs through netserver.py's wrapper (a stand-in R frame, a
`sleep` initrd, QMP): the kernel does not know role=server yet, so nothing
here checks forwarding; the end-to-end tests come with the kernel's side.
What QEMU shows through QMP (`info pci`, `xp`) and /proc (which eventfds
each QEMU holds) is what is checked: QEMU accepted what the supervisor
sent, and each VM holds the other's doorbells."""

import json
import os
import signal
import socket
import struct
import subprocess

import pytest

from conftest import ROOT, amphi_argv, sh
from netserver import (Control, Qmp, alive, amphi, app_wrapper, config_pairs, env_for,
                       eventfd_ids, pci_devices, server_wrapper, sleep_initrd,
                       stop_server, wait_for, wait_kernel, xp_bytes, xp_words)
from netvm import Guest

pytestmark = pytest.mark.usefixtures("amphi_works")

MAGIC = (0x4948504d, 0x4b4e494c)	# "MPHILINK" (lib/link.h), as two little-endian words
IVSHMEM = "1af4:1110"


@pytest.fixture
def runtime(tmp_path):
    d = tmp_path / "rt"
    d.mkdir(mode=0o700)
    return d


def status_json(runtime, name):
    r = amphi(runtime, "server", "status", "--json", name)
    assert r.status == 0, r.describe()
    return json.loads(r.stdout)


def bar2(qmp, slot, fn):
    """The guest-physical address of BAR2 of the ivshmem device at slot.fn,
    once the firmware has placed it."""
    wait_kernel(qmp)

    def placed():
        for d in pci_devices(qmp.hmp("info pci")):
            if (d["slot"], d["fn"]) == (slot, fn) and d.get("id") == IVSHMEM:
                a = d["bars"].get(2)
                return a if a and a != 0xffffffffffffffff else None
        return None
    return wait_for("BAR2 of %d.%d placed" % (slot, fn), placed)


def host_part(qmp, addr):
    """link_host (lib/link.h) as the VM sees it at addr: magic, version,
    region_size, slot, nslots, attach_seq, app_peer, server_peer, mode,
    app_pid, app_name."""
    w = xp_words(qmp, addr, 10)
    name = xp_bytes(qmp, addr + 40, 64).split(b"\0")[0].decode()
    return {"magic": (w[0], w[1]), "version": w[2], "region_size": w[3], "slot": w[4],
            "nslots": w[5], "attach_seq": w[6], "app_peer": w[7] & 0xffff,
            "server_peer": w[7] >> 16, "mode": w[8], "app_pid": w[9], "app_name": name}


def test_start_failure_is_reported(runtime, tmp_path):
    """A server VM that dies before it is ready: start says why (QEMU's own
    words, then one line of amphi's), exits 125, and leaves nothing behind,
    so the name can be used again at once.  A folder a dead supervisor left
    does not hold the name either."""
    (runtime / "web").mkdir()
    (runtime / "web" / "pid").write_text("999999\n")
    q = tmp_path / "dying-qemu"
    q.write_text("#!/bin/sh\necho 'pretend QEMU failed' >&2\nexit 1\n")
    q.chmod(0o755)
    r = amphi(runtime, "server", "start", "--accel", "tcg", "--slots", "2", "--qemu", q, "web")
    text = r.stderr.decode()
    assert r.status == 125, r.describe()
    assert "qemu: pretend QEMU failed\n" in text, r.describe()
    assert text.endswith("amphi: server start: server 'web': the server VM stopped before it "
                         "was ready (qemu exited with 1)\n"), r.describe()
    assert os.listdir(runtime) == [], "the folder was left behind"
    assert amphi(runtime, "server", "start", "--accel", "tcg", "--slots", "2", "--qemu", q,
                 "web").status == 125


def test_machine_layout_64_slots(runtime, tmp_path):
    """The default 64 slots: the NIC at PCI 2.0, then 64 ivshmem-doorbell
    functions at 3.0 to 10.7 in order, then the ledger (ivshmem-plain) at
    31.0, after every slot; QEMU created them all, so it took
    the supervisor's version, id and region on every socket.  The config
    has the keys the kernel reads.  (QEMU paused: no guest runs.)"""
    qemu, d = server_wrapper(tmp_path, paused=True)
    r = amphi(runtime, "server", "start", "--accel", "tcg", "--qemu", qemu,
              "--ip", "10.0.2.40/24", "--gw", "10.0.2.2", "--dns", "10.0.2.3", "web")
    assert r.status == 0, r.describe()
    try:
        qmp = Qmp(d / "qmp")
        devs = pci_devices(qmp.hmp("info pci"))
        nic = [x for x in devs if x.get("id") == "1af4:1000"]
        assert [(x["slot"], x["fn"]) for x in nic] == [(2, 0)]
        ivs = [(x["slot"], x["fn"]) for x in devs if x.get("id") == IVSHMEM]
        assert ivs == [(3 + k // 8, k % 8) for k in range(64)] + [(31, 0)]
        cfg = config_pairs(d / "initrd-1")
        keys = dict(cfg)
        assert keys["role"] == "server" and keys["link.slots"] == "64"
        assert keys["link.gen"] == "1"
        assert len(keys["link.key"]) == 32 and int(keys["link.key"], 16) >= 0
        assert (keys["net.ip"], keys["net.gw"], keys["net.dns"]) == (
            "10.0.2.40/24", "10.0.2.2", "10.0.2.3")
        assert not any(k in ("exe", "arg", "env") for k, _ in cfg), cfg
        st = status_json(runtime, "web")
        assert (st["slots_used"], st["slots_total"], st["generation"]) == (0, 64, 1)
        assert st["qemu_pid"] == int((d / "pid").read_text())
        qmp.close()
    finally:
        assert stop_server(runtime, "web").status == 0
    assert os.listdir(runtime) == []


def test_regions_doorbells_restart(runtime, tmp_path):
    """Two VMs on one slot: both see the region the supervisor wrote, each
    holds the other's doorbell eventfds; the slot's state follows apps
    that come and go; killed server VMs are replaced by the next
    generations, which ring on and receive from the eventfds the app's
    QEMU already holds, so it is told nothing and keeps running.  (Told
    that peer 0 left and came back, QEMU 7.2 writes into memory it freed:
    this test caught app QEMUs dying of it, about one run in twelve.)"""
    initrd = sleep_initrd(tmp_path)
    sq, sd = server_wrapper(tmp_path, initrd=initrd)
    aq, ad = app_wrapper(tmp_path)
    r = amphi(runtime, "server", "start", "--accel", "tcg", "--slots", "4", "--qemu", sq, "web")
    assert r.status == 0, r.describe()
    holder = Control(runtime, "web")
    app = None
    try:
        # A client of our own holds slot 0; the app gets slot 1.
        assert holder.request("attach holder %d shared" % os.getpid())[0].startswith("ok 0 ")
        argv = amphi_argv("sleep", 600000, options=["--qemu", aq, "--server", "web",
                                                    "--name", "app1", "-v"])
        app = Guest(None, argv=argv, env=env_for(runtime))
        server = Qmp(sd / "qmp")
        appq = Qmp(ad / "qmp", timeout=60)
        s0, s1 = bar2(server, 3, 0), bar2(server, 3, 1)
        a1 = bar2(appq, *next((x["slot"], x["fn"]) for x in pci_devices(appq.hmp("info pci"))
                              if x.get("id") == IVSHMEM))

        # The host part, identical through both VMs' BARs.
        h = host_part(server, s1)
        assert h == host_part(appq, a1)
        assert h["magic"] == MAGIC and h["version"] == 1 and h["region_size"] == 2 << 20
        assert (h["slot"], h["nslots"], h["app_peer"], h["server_peer"]) == (1, 4, 1, 0)
        assert (h["mode"], h["app_name"], h["app_pid"]) == (1, "app1", app.proc.pid)
        assert h["attach_seq"] not in (0, host_part(server, s0)["attach_seq"])
        assert host_part(server, bar2(server, 3, 2))["magic"] == (0, 0)

        # Doorbells: the app's QEMU and the server's share exactly four
        # eventfds (each side's two), all of them the supervisor's.
        sup = int((runtime / "web" / "pid").read_text())
        spid, apid = int((sd / "pid").read_text()), int((ad / "pid").read_text())
        fdinfo = eventfd_ids(sup) is not None

        def wired():
            s, a = eventfd_ids(spid), eventfd_ids(apid)
            return len(s & a) == 4 and s & a <= eventfd_ids(sup)
        if fdinfo:	# QEMU takes the eventfds after the device is made
            wait_for("the app QEMU and the server's sharing four eventfds", wired)

        st = status_json(runtime, "web")
        apps = {a["name"]: a for a in st["apps"]}
        assert set(apps) == {"holder", "app1"}
        assert apps["app1"]["slot"] == 1 and apps["app1"]["pid"] == app.proc.pid
        assert apps["app1"]["connected"] and not apps["holder"]["connected"]
        assert apps["app1"]["link"] == "waiting" and apps["app1"]["addresses"] == ["shared"]
        text = amphi(runtime, "server", "status", "web").stdout.decode()
        assert "app app1\n  pid          %d\n  slot         1\n" % app.proc.pid in text, text

        # The server VM dies, twice: each time the next generation starts,
        # with the same key, and the app's QEMU lives on.
        for gen in (2, 3):
            os.kill(spid, signal.SIGKILL)
            wait_for("generation %d" % gen,
                     lambda: status_json(runtime, "web")["generation"] == gen)
            st = status_json(runtime, "web")
            assert st["restarts"] == gen - 1 and st["qemu_pid"] != spid, st
            spid = st["qemu_pid"]
            wait_for("the wrapper's copy of initrd %d" % gen,
                     lambda: (sd / ("initrd-%d" % gen)).exists())
            c1, cg = (dict(config_pairs(sd / ("initrd-%d" % g))) for g in (1, gen))
            assert cg["link.gen"] == str(gen) and cg["link.key"] == c1["link.key"]
            server = Qmp(sd / "qmp")
            assert host_part(server, bar2(server, 3, 1)) == h
            if fdinfo:
                wait_for("the app QEMU wired to server VM %d" % gen, wired)
            assert alive(apid), app.describe()

        # The holder leaves: slot 0 is free (attach_seq 0) and unlisted.
        holder.close()
        wait_for("slot 0 freed", lambda: host_part(server, bar2(server, 3, 0))["attach_seq"] == 0)
        assert [a["name"] for a in status_json(runtime, "web")["apps"]] == ["app1"]

        # The app ends: its slot is freed too.
        assert app.stop() == 143, app.describe()
        wait_for("slot 1 freed", lambda: status_json(runtime, "web")["apps"] == [])
        assert host_part(server, bar2(server, 3, 1))["attach_seq"] == 0
        assert "qemu:" not in app.err.decode(), "QEMU complained:\n" + app.describe()
        log = (runtime / "web" / "server.log").read_text()
        assert "ended: qemu was killed by signal 9" in log and "qemu:" not in log, log
    finally:
        if app:
            app.kill()
        holder.close()
        assert stop_server(runtime, "web").status == 0
    assert os.listdir(runtime) == []


def test_bridge_tap(netns, tmp_path):
    """--net bridge=BR: the supervisor's own tap, up and on the bridge, for
    the server's whole life; gone when it stops."""
    sh("ip", "-n", netns, "link", "add", "br0", "type", "bridge")
    sh("ip", "-n", netns, "link", "set", "br0", "up")
    runtime = tmp_path / "rt"
    runtime.mkdir(mode=0o700)
    qemu, _ = server_wrapper(tmp_path, paused=True)
    env = env_for(runtime)

    def ns_amphi(*args):
        return subprocess.run(["ip", "netns", "exec", netns, os.path.join(ROOT, "build", "amphi")]
                              + list(args), env=env, capture_output=True, cwd=ROOT, timeout=60)

    r = ns_amphi("server", "start", "--accel", "tcg", "--slots", "1", "--net", "bridge=br0",
                 "--qemu", qemu, "web")
    assert r.returncode == 0, r.stderr.decode()
    try:
        ports = sh("ip", "-n", netns, "-o", "link", "show", "master", "br0").decode()
        assert "amphi0" in ports and "UP" in ports, ports
        status = ns_amphi("server", "status", "web").stdout.decode()
        assert "bridge br0 (tap amphi0)" in status, status
    finally:
        assert ns_amphi("server", "stop", "web").returncode == 0
    assert "amphi0" not in sh("ip", "-n", netns, "-o", "link", "show").decode()


def test_stranger_is_refused_on_a_slot(runtime, tmp_path):
    """Only the server VM's QEMU and the slot's app (or their children) may
    join a slot's socket: anyone else is closed on at once, and logged."""
    qemu, _ = server_wrapper(tmp_path, paused=True)
    assert amphi(runtime, "server", "start", "--accel", "tcg", "--slots", "1", "--qemu", qemu,
                 "web").status == 0
    holder = subprocess.Popen(["/usr/bin/python3", "-c", """
import os, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(b"attach holder %d shared\\n" % os.getpid())
print(s.recv(200).decode().split()[0], flush=True)
sys.stdin.read()
""", str(runtime / "web" / "control")], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline() == b"ok\n"
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(30)
            s.connect(str(runtime / "web" / "slot-0"))
            assert s.recv(100) == b"", "a stranger got ivshmem messages"
        log = (runtime / "web" / "server.log").read_text()
        assert "slot 0: refused a connection from pid %d" % os.getpid() in log, log
    finally:
        holder.stdin.close()
        holder.wait(30)
        assert stop_server(runtime, "web").status == 0


# Offsets in lib/link.h's region (checked with offsetof when this was written).
SRV, APP = 0x1000, 0x4000
SRV_STATE, SRV_SHUT, SRV_SEQ, SRV_VERDICTS = 4, 8, 12, 168
LEDGER_MAGIC, LEDGER_SLOT, LEDGER_SLOT_SIZE = 0x524744454c4b4e4c, 64, 64	# lib/link.h
APP_SWITCHES, APP_DIRECT, APP_CLAIMS = 8, 12, 72
HOST_SEQ = 0x18


def region_of(sup, name, slot):
    """The supervisor's memfd of a slot, opened read-write through /proc."""
    for fd in os.listdir("/proc/%d/fd" % sup):
        if os.readlink("/proc/%d/fd/%s" % (sup, fd)).startswith(
                "/memfd:amphi-%s-slot-%d " % (name, slot)):
            return open("/proc/%d/fd/%s" % (sup, fd), "r+b", buffering=0)
    raise AssertionError("no memfd for slot %d in the supervisor" % slot)


def ledger_of(sup, name):
    """The supervisor's ledger memfd, opened read-write through /proc."""
    for fd in os.listdir("/proc/%d/fd" % sup):
        if os.readlink("/proc/%d/fd/%s" % (sup, fd)).startswith("/memfd:amphi-%s-ledger " % name):
            return open("/proc/%d/fd/%s" % (sup, fd), "r+b", buffering=0)
    raise AssertionError("no ledger memfd in the supervisor")


def ledger_entry(f, slot, attach_seq, state, reason=0, shuts=0, counters=(0,) * 6):
    poke(f, LEDGER_SLOT + LEDGER_SLOT_SIZE * slot, "IIIIQQQQQQ", attach_seq, state, reason,
         shuts, *counters)


def poke(f, off, fmt, *values):
    f.seek(off)
    f.write(struct.pack("<" + fmt, *values))


def claim(f, i, req, kind, port=0, addr=b"", verdict_req=None, result=1):
    """App claim i, and the server's verdict at the same index."""
    poke(f, APP + APP_CLAIMS + 24 * i, "IBBH16s", req, kind, 0, port, addr)
    poke(f, SRV + SRV_VERDICTS + 24 * i, "IIQQ", req if verdict_req is None else verdict_req,
         result, 1, 0)


def test_status_reads_the_regions(runtime, tmp_path):
    """What status shows: from the ledger, the link state, reason, shuts
    and counters, and nothing from an entry that belongs to an older
    attach; from the regions, granted claims only (the verdict must answer
    the claim's very request); nothing but numbers from garbage.  Mode
    switches are what the supervisor did, never what a region claims."""
    qemu, _ = server_wrapper(tmp_path, paused=True)
    assert amphi(runtime, "server", "start", "--accel", "tcg", "--slots", "3", "--qemu", qemu,
                 "web").status == 0
    c = Control(runtime, "web")
    try:
        me = os.getpid()
        mac = c.request("attach own1 %d own" % me)[0].split()[3]
        c2, c3 = Control(runtime, "web"), Control(runtime, "web")
        assert c2.request("attach shared1 %d shared" % me)[0].startswith("ok 1 ")
        assert c3.request("attach old %d shared" % me)[0].startswith("ok 2 ")
        sup = int((runtime / "web" / "pid").read_text())
        r0, r1, r2 = (region_of(sup, "web", k) for k in range(3))
        seq = []
        for f in (r0, r1, r2):
            f.seek(HOST_SEQ)
            seq.append(struct.unpack("<I", f.read(4))[0])

        led = ledger_of(sup, "web")
        poke(led, 0, "QII", LEDGER_MAGIC, 1, 3)
        poke(r0, SRV + SRV_STATE, "III", 1, 0, seq[0])
        ledger_entry(led, 0, seq[0], 1, counters=(10, 1500, 1, 20, 3000, 2))
        claim(r0, 0, 5, 4, addr=bytes([10, 0, 2, 30]))
        claim(r0, 1, 6, 5, addr=bytes.fromhex("fd00" + "00" * 12 + "0030"))
        claim(r0, 2, 7, 4, addr=bytes([10, 9, 9, 9]), verdict_req=6)	# an old verdict
        claim(r0, 3, 8, 99, port=1)					# no such kind
        claim(r0, 4, 9, 3, addr=bytes(6))				# MAC: shown already
        poke(r0, APP + APP_SWITCHES, "II", 3, 1)

        poke(r1, SRV + SRV_STATE, "III", 2, 2, seq[1])
        ledger_entry(led, 1, seq[1], 2, reason=2, shuts=1)
        claim(r1, 0, 1, 1, port=80)
        claim(r1, 1, 2, 2, port=53)
        claim(r1, 2, 3, 1, port=81, result=2)				# refused
        claim(r1, 127, 0xffffffff, 2, port=65535)

        poke(r2, SRV + SRV_STATE, "III", 1, 0, seq[2] + 1)		# another attach's
        ledger_entry(led, 2, seq[2] + 1, 1, shuts=5, counters=(7, 7, 7, 7, 7, 7))
        claim(r2, 0, 1, 1, port=8080)
        poke(r2, APP + APP_SWITCHES, "II", 0xffffffff, 0xdeadbeef)

        text = amphi(runtime, "server", "status", "web").stdout.decode()
        apps = [a.rstrip("\n") + "\n" for a in text.split("\napp ")[1:]]
        assert apps[0] == (
            "own1\n  pid          %d\n  slot         0\n  mode         own\n"
            "  addresses    %s 10.0.2.30 fd00::30\n  ports        none\n"
            "  to app       10 frames, 1500 bytes, 1 drops\n"
            "  from app     20 frames, 3000 bytes, 2 drops\n"
            "  link         ready\n  shuts        0\n  qemu         not connected\n"
            "  switchable   no\n  direct       no\n  nic          none\n"
            "  switching    no\n  switches     0\n  refusals     0\n" % (me, mac)), text
        assert "  ports        tcp/80 udp/53 udp/65535\n" in apps[1], text
        assert "  link         shut (ring)\n" in apps[1], text
        assert apps[2] == (
            "old\n  pid          %d\n  slot         2\n  mode         shared\n"
            "  addresses    shared\n  ports        none\n"
            "  to app       0 frames, 0 bytes, 0 drops\n"
            "  from app     0 frames, 0 bytes, 0 drops\n"
            "  link         waiting\n  shuts        5\n  qemu         not connected\n"
            "  switchable   no\n  direct       no\n  nic          none\n"
            "  switching    no\n  switches     0\n  refusals     0\n" % me), text

        st = {a["name"]: a for a in status_json(runtime, "web")["apps"]}
        assert st["own1"]["addresses"] == [mac, "10.0.2.30", "fd00::30"]
        assert st["own1"]["to_app"] == {"frames": 10, "bytes": 1500, "drops": 1}
        assert (st["own1"]["switches"], st["own1"]["direct"], st["own1"]["nic"]) == (0, False, None)
        assert (st["shared1"]["link"], st["shared1"]["shut_reason"]) == ("shut", "ring")
        assert st["shared1"]["shuts"] == 1
        assert st["shared1"]["ports"] == ["tcp/80", "udp/53", "udp/65535"]
        assert (st["old"]["link"], st["old"]["ports"], st["old"]["mac"]) == ("waiting", [], None)
        for f in (r0, r1, r2, led):
            f.close()
        c2.close()
        c3.close()
    finally:
        c.close()
        assert stop_server(runtime, "web").status == 0

"""Hostile apps against the network server's trust in its supervisor
(docs/netserver.md, "Who sees what"): an app writes anything it likes into
its own region, and the server must take the supervisor's decisions
(which app holds a slot, in which mode, with which MAC) from where no app
writes.

- an app that rewrites its slot's assignment in its region gets neither a
  new mode nor out of SHUT, and does not fill server.log;
- an own-address app is granted only the MAC its supervisor gave it, so
  it cannot take the gateway's frames from another app;
- a slot shut for one app, freed and assigned to the next while the
  server VM did not look (paused), serves the next app.

The hostile apps are the app kernel's test modes (kernel/dev/link_hostile.c,
link_chaos.c), chosen on the app's kernel command line through a --qemu
wrapper.  Every VM is started here and killed by PID at the end."""

import threading
import time

import pytest

from netserver import Qmp, app_wrapper, wait_for

pytestmark = pytest.mark.usefixtures("amphi_works")

INVALID = 3	# enum link_result: LINK_REFUSED_INVALID




def qemu_appending(tmp_path, name, words):
    path = tmp_path / name
    path.write_text('#!/bin/sh\nexec qemu-system-x86_64 "$@" -append "%s"\n' % words)
    path.chmod(0o755)
    return str(path)


class Hostile:
    """An app VM in a hostile test mode; its kernel's "hostile:" lines."""

    def __init__(self, lab, tmp_path, name, mode, opts=()):
        wrapper = qemu_appending(tmp_path, "hostile-" + mode,
                                 "amphi.link_chaos amphi.link_hostile=" + mode)
        self.p = lab.app("s", name, "sleep", 600000,
                         opts=["-v", "--qemu", wrapper] + list(opts))
        self.lines = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.p.stderr:
            self.lines.append(line.decode("utf-8", "replace").rstrip())

    def said(self, timeout=180):
        """Its "hostile:" lines, once it said it is done."""
        wait_for("the hostile app done", lambda: "hostile: done" in self.hostile_lines(),
                 timeout)
        return self.hostile_lines()

    def hostile_lines(self):
        return [l[l.index("hostile:"):] for l in self.lines if "hostile:" in l]


def test_an_app_cannot_rewrite_its_assignment(lab, tmp_path):
    lab.server("s", "--slots", "4")
    evil = Hostile(lab, tmp_path, "evil", "rewrite")
    said = evil.said()
    assert "hostile: re-taken as own: 0" in said, said
    assert "hostile: claim of the gateway's MAC: result %d" % INVALID in said, said
    assert "hostile: shut: 1" in said, said
    assert "hostile: out of shut: 0" in said, said
    st = lab.app_status("s", "evil")
    assert st["mode"] == "shared" and st["link"] == "shut" and st["shuts"] == 1, st
    log = (lab.runtime / "s" / "server.log").read_text(errors="replace")
    lines = [l for l in log.splitlines() if "netserver: slot %d" % st["slot"] in l]
    assert len(lines) <= 10, "server.log:\n" + "\n".join(lines[:20])


def test_an_own_address_app_gets_only_its_mac(lab, tmp_path, host_echo):
    lab.server("s", "--slots", "4")
    evil = Hostile(lab, tmp_path, "evil", "mac", opts=["--address", "own"])
    said = evil.said()
    victim = lab.app("s", "victim", "net_connect", "10.0.2.2", host_echo, "amphi outbound")
    out, err = victim.communicate(timeout=120)
    assert victim.returncode == 0 and out == b"dnuobtuo ihpma\n", (err.decode(), said)
    assert "hostile: claim of the gateway's MAC: result %d" % INVALID in said, said
    assert "hostile: claim of nobody's MAC: result %d" % INVALID in said, said


def test_a_shut_slot_serves_its_next_app(lab, tmp_path, host_echo):
    wrapper, d = app_wrapper(tmp_path, "server-qemu")
    lab.server("s", "--slots", "2", "--qemu", wrapper)
    chaos = qemu_appending(tmp_path, "chaos-qemu", "amphi.link_chaos")
    evil = lab.app("s", "evil", "sleep", 600000, opts=["--qemu", chaos])
    wait_for("the evil app's link shut",
             lambda: (lab.app_status("s", "evil") or {}).get("link") == "shut", 60)
    slot = lab.app_status("s", "evil")["slot"]
    qmp = Qmp(d / "qmp")
    # The server VM does not look while its slot is freed and given again.
    qmp.cmd("stop")
    try:
        lab.end_app(evil)
        wait_for("the slot freed", lambda: lab.app_status("s", "evil") is None)
        nxt = lab.app("s", "next", "net_connect", "10.0.2.2", host_echo, "amphi")
        wait_for("the next app attached", lambda: lab.app_status("s", "next"))
        assert lab.app_status("s", "next")["slot"] == slot
    finally:
        qmp.cmd("cont")
        qmp.close()
    t0 = time.monotonic()
    out, err = nxt.communicate(timeout=120)
    assert nxt.returncode == 0 and out == b"ihpma\n", (time.monotonic() - t0, err.decode())

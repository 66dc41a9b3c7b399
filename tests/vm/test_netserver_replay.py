"""A grant token replayed across server restarts (docs/netserver.md,
"Claims"): a hostile app (kernel test mode amphi.link_hostile=replay,
link_replay.c) keeps the token of TCP port 8081, granted and given back
under the first server VM, and writes it back into its region under the
second, where only the third reads it.  Meanwhile an honest app binds 8081
under the second: after the third server rebuilds its tables from the
regions, the honest app must still own the port and answer through it.

Before each generation's grant numbers started above every earlier
generation's, the old token carried the higher number (the hostile app ran
its numbers up first) and took the port: the honest app's requests timed
out.

The server VM and both apps are started here and killed by PID (process
group) at the end; the server VM is killed twice with SIGKILL to make the
restarts."""

import os
import signal
import subprocess
import threading

import pytest

from conftest import AMPHI, ROOT, free_port, prog_path
from netserver import env_for, http_get, wait_for, wait_http

pytestmark = pytest.mark.usefixtures("amphi_works")


class Logged:
    """`amphi run -v` of an app whose kernel lines a test waits for."""

    def __init__(self, lab, server, name, prog, *args, opts=()):
        argv = [AMPHI, "run", "-v", "--accel", "tcg", "--server", server, "--name", name] + \
            list(opts) + [prog_path(prog)] + [str(a) for a in args]
        self.p = subprocess.Popen(argv, cwd=ROOT, env=env_for(lab.runtime),
                                  stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, start_new_session=True)
        self.lines = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.p.stderr:
            self.lines.append(line.decode("utf-8", "replace"))

    def said(self, words):
        return any(words in line for line in self.lines)

    def kill(self):
        if self.p.poll() is None:
            os.killpg(self.p.pid, signal.SIGKILL)
        self.p.wait()



def kill_server_vm(lab, gen):
    """SIGKILLs the server VM; returns once generation `gen` forwards (its
    tables rebuilt from the regions)."""
    os.kill(lab.status("s")["qemu_pid"], signal.SIGKILL)
    log = lab.runtime / "s" / "server.log"
    wait_for("server VM generation %d forwarding" % gen,
             lambda: "generation %d forwarding" % gen in log.read_text(errors="replace"), 120)


def test_replayed_old_grant_takes_nothing_from_a_newer_one(lab, tmp_path):
    port = free_port()
    url = "http://127.0.0.1:%d/" % port
    lab.server("s", "-p", "%d:8081" % port, "--slots", "4")
    wrapper = tmp_path / "replay-qemu"
    wrapper.write_text("#!/bin/sh\nexec qemu-system-x86_64 \"$@\" "
                       "-append 'amphi.link_chaos amphi.link_hostile=replay'\n")
    wrapper.chmod(0o755)
    evil = Logged(lab, "s", "evil", "sleep", 600000, opts=["--qemu", str(wrapper)])
    try:
        wait_for("the hostile app's token", lambda: evil.said("link_replay: kept"), 120)
        assert evil.said("(result 1,"), "".join(evil.lines)	# it was granted
        kill_server_vm(lab, 2)
        wait_for("the old grant planted", lambda: evil.said("link_replay: planted"), 60)

        lab.app("s", "victim", "net_httpd", 8081)
        wait_http(url, timeout=90)
        kill_server_vm(lab, 3)

        r = http_get(url, timeout=5)
        for _ in range(5):	# slirp's connection may meet the restart: a second chance
            if r.returncode == 0:
                break
            r = http_get(url, timeout=5)
        assert r.returncode == 0 and b"Hello from amphi" in r.stdout, r.stderr
        assert lab.app_status("s", "victim")["ports"] == ["tcp/8081"]
    finally:
        evil.kill()

"""The guest the network attack tests attack, and how they check it
survived (test_net_attacks.py, test_net_attacks_full.py).

One VM per module: net_httpd on port 8080, dual-stack (its page, and a
1 MiB file /big for attacks on a sender), on a tap in a network
namespace the module makes (192.168.79.2/24 and fd00::2/64 in the guest, .1
and ::1 on the host side).  The attacks themselves are netattack.py's, run
inside the namespace with scapy; nothing leaves it.  After each one the
guest must still serve the page over IPv4 and IPv6 and answer ping over
both, and at the end a SIGTERM must still end the program (a kernel that
panicked would give 125)."""

import importlib.util
import os
import subprocess
import sys
import time

import pytest

from conftest import ROOT, amphi_argv, network_namespace
from netvm import HTTPD_PAGE, Guest, check_stopped

GUEST4, GUEST6 = "192.168.79.2", "fd00::2"
BUSYBOX = "/bin/busybox"


def require_scapy():
    if importlib.util.find_spec("scapy") is None:
        pytest.fail("python3-scapy is missing (tools/install-deps.sh installs it)", pytrace=False)


class Target:
    """The guest, its namespace, and the checks."""

    def __init__(self, ns, guest):
        self.ns, self.guest = ns, guest

    def in_ns(self, *argv, timeout=120):
        return subprocess.run(["ip", "netns", "exec", self.ns, *argv], capture_output=True,
                              cwd=ROOT, timeout=timeout)

    def attack(self, name, *args, timeout=300):
        """Runs one of netattack.py's attacks; fails the test if it could
        not be carried out (or, for the TCP ones, the guest did not answer
        as a live TCP stack must)."""
        r = self.in_ns(sys.executable, os.path.join("tests", "vm", "netattack.py"), name,
                       *[str(a) for a in args], timeout=timeout)
        assert r.returncode == 0, "attack %s %s: %s\n%s" % (
            name, " ".join(map(str, args)), (r.stdout + r.stderr).decode(), self.guest.describe())

    def get(self, url, family, tries=1, max_time=10):
        """curl's (status, body) for url, the last of up to `tries` tries."""
        for k in range(tries):
            r = self.in_ns("curl", "-sS", family, "--max-time", str(max_time), "-o", "-",
                           "-w", "\n%{http_code}", url)
            if r.returncode == 0 or k == tries - 1:
                return r
            time.sleep(1)

    def ping(self, family, addr):
        """One echo answered, of up to two tries."""
        if not os.path.isfile(BUSYBOX):
            return True
        for _ in range(2):
            r = self.in_ns(BUSYBOX, "ping", family, "-c", "1", "-W", "5", addr)
            if r.returncode == 0 and b"1 packets received" in r.stdout:
                return True
        return False

    def check_alive(self, after, tries=1):
        """The page over both versions and ping over both, as a user would
        try them (curl waits up to 10 s: a SYN sent again is fine)."""
        assert self.guest.alive(), "the VM ended after %s\n%s" % (after, self.guest.describe())
        for family, url in (("-4", "http://%s:8080/" % GUEST4),
                            ("-6", "http://[%s]:8080/" % GUEST6)):
            r = self.get(url, family, tries)
            assert r.returncode == 0 and r.stdout == HTTPD_PAGE + b"\n200", (
                "no page over IPv%s after %s: %s\n%s" % (family[1], after, r.stderr.decode(),
                                                       self.guest.describe()))
        for family, addr in (("-4", GUEST4), ("-6", GUEST6)):
            assert self.ping(family, addr), "no ping over IPv%s after %s\n%s" % (
                family[1], after, self.guest.describe())


def target_fixture(tag, params=None):
    """A module-scoped fixture function giving a Target (see the top);
    with params, one per NIC model (amphi run --nic) in the list."""
    @pytest.fixture(scope="module", params=params)
    def target(amphi_works, request, tmp_path_factory):
        require_scapy()
        nic = ["--nic", request.param] if params else []
        www = tmp_path_factory.mktemp("www")
        (www / "big").write_bytes(bytes(range(256)) * 4096)  # for attacks on a sender
        with network_namespace(tag) as ns:
            argv = amphi_argv("net_httpd", "-6", 8080, "/www", mem="256M",
                              options=nic + ["--net", "tap=tap0", "--ip", GUEST4 + "/24",
                                       "--ip6", GUEST6 + "/64", "--files", "%s:/www" % www])
            with Guest(None, argv=argv, prefix=["ip", "netns", "exec", ns]) as g:
                g.wait_for(b"listening")
                t = Target(ns, g)
                # The guest may still be checking its address is unique (DAD).
                t.get("http://[%s]:8080/" % GUEST6, "-6", tries=15, max_time=3)
                t.check_alive("boot")
                yield t
                check_stopped(g)
    return target

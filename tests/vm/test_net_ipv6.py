"""IPv6 from a real client: the test makes a network namespace with a tap
(fd00::1/64 and 192.168.79.1/24 on the host side), runs amphi inside it
with --net tap=tap0 and static addresses, and curl and busybox ping reach
net_httpd in the guest over IPv6 (and IPv4).  Needs root and ip(8); the
namespace is removed whatever happens."""

import os
import subprocess
import time

import pytest

from conftest import amphi_argv
from netvm import HTTPD_PAGE, Guest, check_stopped

pytestmark = pytest.mark.usefixtures("amphi_works")

BUSYBOX = "/bin/busybox"


def curl_in(ns, *args):
    return subprocess.run(["ip", "netns", "exec", ns, "curl", "-sS", "--max-time", "10",
                           "-w", "\n%{http_code}", *args], capture_output=True)


@pytest.mark.parametrize("nic", ["virtio", "e1000e"])
def test_ipv6_over_tap(netns, nic):
    argv = amphi_argv("net_httpd", "-6", 8080, mem="128M",
                      options=["--nic", nic, "--net", "tap=tap0", "--ip", "192.168.79.2/24",
                               "--ip6", "fd00::2/64"])
    with Guest(None, argv=argv, prefix=["ip", "netns", "exec", netns]) as g:
        g.wait_for(b"listening")
        # The guest may still be checking its new address is unique (DAD).
        deadline = time.monotonic() + 15
        while True:
            r = curl_in(netns, "-6", "http://[fd00::2]:8080/")
            if r.returncode == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert r.returncode == 0, "curl -6: %s\n%s" % (r.stderr.decode(), g.describe())
        assert r.stdout == HTTPD_PAGE + b"\n200"
        r = curl_in(netns, "-4", "http://192.168.79.2:8080/")
        assert (r.returncode, r.stdout) == (0, HTTPD_PAGE + b"\n200"), r.stderr
        r = curl_in(netns, "-6", "http://[fd00::2]:8080/nothing")
        assert r.stdout.endswith(b"\n404"), r.stdout
        if os.path.isfile(BUSYBOX):
            p = subprocess.run(["ip", "netns", "exec", netns, BUSYBOX, "ping", "-6", "-c", "3",
                                "-W", "3", "fd00::2"], capture_output=True)
            assert p.returncode == 0 and b"3 packets received" in p.stdout, p.stdout + p.stderr
        check_stopped(g)

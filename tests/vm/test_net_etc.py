"""/etc/resolv.conf and /etc/hosts follow the network settings (static or
DHCP), and musl's resolver finds the names there; --hostname is also the
name uname gives.  (A lease that comes late: test_net_dhcp_late.py.)"""

import os

import pytest

from conftest import run

BUSYBOX = "/bin/busybox"
STATIC = ["--net", "user", "--ip", "10.0.2.20/24", "--gw", "10.0.2.2",
          "--dns", "10.0.2.3", "--dns", "fd00::53", "--hostname", "box"]


def lines(r):
    assert r.status == 0, r.describe()
    return r.stdout.decode().splitlines()


@pytest.mark.skipif(not os.path.isfile(BUSYBOX), reason="needs Debian's busybox-static")
def test_static_settings_written():
    resolv = lines(run(BUSYBOX, "cat", "/etc/resolv.conf", options=STATIC))
    assert [l for l in resolv if l.startswith("nameserver")] == \
        ["nameserver 10.0.2.3", "nameserver fd00::53"]
    hosts = [l.split() for l in lines(run(BUSYBOX, "cat", "/etc/hosts", options=STATIC))]
    assert ["10.0.2.20", "box"] in [h[:2] for h in hosts], hosts
    assert any(h[0] == "127.0.0.1" and "localhost" in h for h in hosts), hosts


@pytest.mark.skipif(not os.path.isfile(BUSYBOX), reason="needs Debian's busybox-static")
def test_hostname_is_unames():
    assert lines(run(BUSYBOX, "uname", "-n", options=STATIC)) == ["box"]
    assert lines(run(BUSYBOX, "hostname")) == ["amphi"]


@pytest.mark.skipif(not os.path.isfile(BUSYBOX), reason="needs Debian's busybox-static")
def test_dhcp_settings_written():
    resolv = lines(run(BUSYBOX, "cat", "/etc/resolv.conf", options=["--net", "user"]))
    assert "nameserver 10.0.2.3" in resolv, resolv


def test_musl_resolver_reads_them():
    out = lines(run("net_resolve", "box", "localhost", options=STATIC))
    assert "box 10.0.2.20" in out, out
    assert "localhost 127.0.0.1" in out, out

"""A DHCP lease that comes after the 5 s amphi waits at boot: the program
starts without an address, and when the lease does come, /etc/resolv.conf
takes its name server while an /etc/hosts the program wrote itself stays.

The guest runs on a tap in conftest's network namespace; busybox udhcpd
(Debian's busybox-static) starts there only once the guest has given up
waiting, and its server is the only one the guest can hear."""

import os
import subprocess

import pytest

from netvm import Guest

pytestmark = pytest.mark.usefixtures("amphi_works")

BUSYBOX = "/bin/busybox"
DNS = "192.168.79.53"
OWN_HOSTS = "10.1.1.1 mine"
UDHCPD_CONF = """interface tap0
start 192.168.79.100
end 192.168.79.110
lease_file {dir}/leases
pidfile {dir}/udhcpd.pid
option subnet 255.255.255.0
option router 192.168.79.1
option dns {dns}
option lease 3600
"""


def start_udhcpd(ns, tmp_path):
    conf = tmp_path / "udhcpd.conf"
    conf.write_text(UDHCPD_CONF.format(dir=tmp_path, dns=DNS))
    (tmp_path / "leases").write_bytes(b"")
    return subprocess.Popen(["ip", "netns", "exec", ns, BUSYBOX, "udhcpd", "-f", str(conf)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def test_late_lease_rewrites_resolv_conf_only(netns, tmp_path):
    if not os.path.isfile(BUSYBOX):
        pytest.skip("needs %s (Debian's busybox-static) for udhcpd" % BUSYBOX)
    with Guest("net_wait_etc", "nameserver " + DNS, OWN_HOSTS, options=["--net", "tap=tap0"],
               prefix=["ip", "netns", "exec", netns]) as g:
        g.wait_for(b"waiting", timeout=60)
        assert b"no DHCP lease within 5 s" in g.err, g.describe()
        udhcpd = start_udhcpd(netns, tmp_path)
        try:
            status = g.wait(timeout=90)
        finally:
            udhcpd.kill()
            server_log = udhcpd.communicate()[0].decode("utf-8", "replace")
        assert status == 0, g.describe() + "\n--- udhcpd ---\n" + server_log
        out = g.out.decode()
        resolv = out.split("--- /etc/resolv.conf\n")[1].split("--- /etc/hosts\n")[0]
        hosts = out.split("--- /etc/hosts\n")[1]
        assert resolv.splitlines() == ["nameserver " + DNS], out
        assert hosts.splitlines() == [OWN_HOSTS], out

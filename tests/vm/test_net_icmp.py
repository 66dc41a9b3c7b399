"""ICMP and ICMPv6 on a tap.  Echo from the host to amphi: the guest's lwIP
answers pings to its static IPv4 address, its static IPv6 address and its
link-local address (derived from the NIC's MAC, so this also checks that
SLAAC's interface identifier is the MAC's EUI-64); a router advertisement
gives the guest a SLAAC address.

The test runs QEMU inside the network namespace conftest's netns fixture
makes (a tap, 192.168.79.1/24 and fd00::1/64 on the host side), so it needs
root and iproute2; without them it skips and says why."""

import os
import re
import subprocess
import sys
import time

import pytest

from conftest import amphi_argv, run_argv
from netvm import Guest

BUSYBOX = "/bin/busybox"


def ping(ns, addr, count):
    """busybox ping inside the namespace; (number of replies, output)."""
    r = subprocess.run(["ip", "netns", "exec", ns, BUSYBOX, "ping", "-c", str(count), "-W", "2",
                        addr], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = r.stdout.decode("utf-8", "replace")
    m = re.search(r"(\d+) packets received", out)
    return (int(m.group(1)) if m else 0), out


def ping_when_ready(ns, addr, timeout=15):
    """Pings once a second until the first reply (the guest's IPv6
    addresses are usable only after duplicate address detection)."""
    deadline = time.monotonic() + timeout
    while True:
        got, out = ping(ns, addr, 1)
        if got or time.monotonic() > deadline:
            return got, out


def link_local(mac):
    """fe80:: plus the modified EUI-64 of a MAC, as lwIP forms it."""
    b = [int(x, 16) for x in mac.split(":")]
    b[0] ^= 0x02
    words = [b[0] << 8 | b[1], b[2] << 8 | 0xff, 0xfe << 8 | b[3], b[4] << 8 | b[5]]
    return "fe80::" + ":".join("%x" % w for w in words)


def test_ping_ipv4_ipv6_and_link_local_over_tap(netns):
    if not os.path.exists(BUSYBOX):
        pytest.skip("needs %s (Debian's busybox-static) as the guest and for ping" % BUSYBOX)
    options = ["-v", "--net", "tap=tap0", "--ip", "192.168.79.2/24", "--ip6", "fd00::2/64"]
    with Guest(BUSYBOX, "sh", "-c", "echo ready; read line", options=options,
               prefix=["ip", "netns", "exec", netns]) as g:
        g.wait_for(b"ready", timeout=60)
        g.wait_for(b"net: eth0 MAC", stream="err")
        m = re.search(rb"net: eth0 MAC ([0-9a-f:]{17}) 192\.168\.79\.2/24", g.err)
        assert m, g.describe()
        mac = m.group(1).decode()

        for addr in ("192.168.79.2", "fd00::2", link_local(mac) + "%tap0"):
            got, out = ping_when_ready(netns, addr)
            assert got == 1, "no reply from %s\n%s\n%s" % (addr, out, g.describe())
            got, out = ping(netns, addr, 3)
            assert got == 3, "%s: %d of 3 replies\n%s\n%s" % (addr, got, out, g.describe())
        assert g.alive(), g.describe()
        assert b"panic" not in g.err, g.describe()


def test_udp_port_unreachable_over_tap(netns):
    """The namespace's Linux answers UDP to a closed port with ICMP (and
    ICMPv6) port unreachable, checksummed: the guest's connected socket
    reports ECONNREFUSED, as it would on Linux."""
    options = ["--net", "tap=tap0", "--ip", "192.168.79.2/24", "--ip6", "fd00::2/64"]
    r = run_argv(["ip", "netns", "exec", netns] +
                 amphi_argv("net_udp_refused", "192.168.79.1", "9", "fd00::1", "9",
                            options=options))
    assert r.status == 0, r.describe()
    assert r.stdout.decode().splitlines() == ["192.168.79.1 9: ECONNREFUSED",
                                               "fd00::1 9: ECONNREFUSED"], r.describe()


# Sent inside the namespace from tap0's link-local address, as a router
# would: an ICMPv6 router advertisement (RFC 4861 4.2) for ff02::1 with one
# prefix, fd00:1::/64, on-link and for autonomous configuration (SLAAC).
# Not a default router (lifetime 0).  The host kernel fills the checksum.
SEND_RA = r"""
import socket, struct
ifindex = socket.if_nametoindex("tap0")
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, ifindex)
ra = struct.pack(">BBHBBHII", 134, 0, 0, 64, 0, 0, 0, 0)
prefix = struct.pack(">BBBBIII", 3, 4, 64, 0xc0, 3600, 3600, 0) + socket.inet_pton(socket.AF_INET6, "fd00:1::")
s.sendto(ra + prefix, ("ff02::1", 0, 0, ifindex))
"""


def test_slaac_address_from_a_router_advertisement(netns):
    """A router advertisement's prefix gives the guest an address of its
    own, the prefix plus its MAC's EUI-64, which the host can ping."""
    if not os.path.exists(BUSYBOX):
        pytest.skip("needs %s (Debian's busybox-static) as the guest and for ping" % BUSYBOX)
    subprocess.run(["ip", "-n", netns, "addr", "add", "fd00:1::1/64", "dev", "tap0", "nodad"],
                   check=True)
    options = ["-v", "--net", "tap=tap0", "--ip", "192.168.79.2/24"]
    with Guest(BUSYBOX, "sh", "-c", "echo ready; read line", options=options,
               prefix=["ip", "netns", "exec", netns]) as g:
        g.wait_for(b"ready", timeout=60)
        g.wait_for(b"net: eth0 MAC", stream="err")
        m = re.search(rb"net: eth0 MAC ([0-9a-f:]{17})", g.err)
        assert m, g.describe()
        addr = link_local(m.group(1).decode()).replace("fe80::", "fd00:1::")
        deadline, got, out = time.monotonic() + 30, 0, ""
        while not got and time.monotonic() < deadline:
            # tap0's own link-local address may still be tentative: then
            # the advertisement cannot be sent yet, and the loop tries again.
            subprocess.run(["ip", "netns", "exec", netns, sys.executable, "-c", SEND_RA],
                           capture_output=True)
            got, out = ping(netns, addr, 1)
        assert got == 1, "no reply from %s\n%s\n%s" % (addr, out, g.describe())
        assert g.alive(), g.describe()

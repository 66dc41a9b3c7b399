"""Raw sockets that send whole packets, IP header and all: IPPROTO_RAW,
IP_HDRINCL and IPV6_HDRINCL, against Linux 6.18.

The transcript is tests/progs/raw_hdrincl's on the host, as root, in a
network namespace of its own with lo up (`unshare -n`): an IPPROTO_RAW
socket (IP_HDRINCL 1, SO_PROTOCOL 255) sends an ICMP echo request to
127.0.0.1 with the length, identification, checksum and source left zero,
and a raw ICMP socket sees it filled in (and TOS, TTL, protocol and
destination kept) and the echo reply, whose header's sum must be good too;
then with an identification, source and a wrong length of its own (the
kernel's length wins); too short (EINVAL), a header longer than the
packet (EINVAL), 65536 bytes (EMSGSIZE); the IPPROTO_RAW socket receives
nothing; IP_HDRINCL set on the ICMP socket, which then sends a whole
packet too; a UDP socket refuses it (ENOPROTOOPT) but reports 0; and over
IPv6 an IPPROTO_RAW socket's packet sent as built (hop limit 44), seen
with its reply by a raw ICMPv6 socket, and 39 bytes refused.  Before,
IPPROTO_RAW was EPROTONOSUPPORT and IP_HDRINCL ENOPROTOOPT; lwIP's lo
also left an echo reply's IPv4 header sum as the request's, wrong once
the TTL changed."""

import os
import re

import pytest

from conftest import ROOT, amphi_argv, expect, routed_namespace, run, run_argv
from netvm import Guest

pytestmark = pytest.mark.usefixtures("amphi_works")

LINUX = """\
IPv4:
 IPPROTO_RAW: IP_HDRINCL 1, SO_PROTOCOL 255
 echo request, length, id, sum and source left 0: 35
  35 bytes: length 35, tos 0x10, id set, ttl 33, protocol 1, 127.0.0.1 -> 127.0.0.1, header sum good, icmp type 8 seq 1 "hdrincl"
  35 bytes: length 35, tos 0x10, id set, ttl 64, protocol 1, 127.0.0.1 -> 127.0.0.1, header sum good, icmp type 0 seq 1 "hdrincl"
 with id, source and a wrong length: 35
  35 bytes: length 35, tos 0x10, id set, ttl 33, protocol 1, 127.0.0.1 -> 127.0.0.1, header sum good, icmp type 8 seq 2 "hdrincl"
  35 bytes: length 35, tos 0x10, id set, ttl 64, protocol 1, 127.0.0.1 -> 127.0.0.1, header sum good, icmp type 0 seq 2 "hdrincl"
 19 bytes: EINVAL
 header longer than the packet: EINVAL
 65536 bytes: EMSGSIZE
 IPPROTO_RAW recv: EAGAIN
 ICMP socket: IP_HDRINCL 0
 set IP_HDRINCL 1: 0
 ICMP socket: IP_HDRINCL 1
 echo request through it: 35
  35 bytes: length 35, tos 0x10, id set, ttl 33, protocol 1, 127.0.0.1 -> 127.0.0.1, header sum good, icmp type 8 seq 3 "hdrincl"
  35 bytes: length 35, tos 0x10, id set, ttl 64, protocol 1, 127.0.0.1 -> 127.0.0.1, header sum good, icmp type 0 seq 3 "hdrincl"
 UDP socket: set IP_HDRINCL ENOPROTOOPT, get 0
IPv6:
 IPPROTO_RAW: IPV6_HDRINCL 1, SO_PROTOCOL 255
 echo request: 55
  15 bytes: icmp type 128 seq 4, hop limit 44
  15 bytes: icmp type 129 seq 4, hop limit 64
 39 bytes: EINVAL
"""


def test_whole_packets_as_linux_sends_them():
    expect(run("raw_hdrincl"), LINUX)


MTR = os.path.join(ROOT, "deps", "deb", "mtr-tiny", "root", "usr", "bin")


def mtr_argv(*args, options=()):
    """Debian's mtr (mtr-tiny, unpacked by `tools/fetch-deb.sh mtr-tiny`),
    with its mtr-packet in the guest's /usr/bin, where mtr runs it from."""
    return amphi_argv(os.path.join(MTR, "mtr"), "--report", "-n", "-c", "2", *args,
                      options=["--files", MTR + ":/usr/bin", *options])


def test_mtr_over_loopback():
    """mtr-packet sends its probes through an IPPROTO_RAW socket: before,
    mtr said "Packet type unsupported"."""
    r = run_argv(mtr_argv("127.0.0.1"))
    out = r.stdout.decode()
    assert r.status == 0 and re.search(r"1\.\|-- 127\.0\.0\.1 +0\.0% +2 ", out), r.describe()


@pytest.mark.parametrize("mode", [[], ["-u"], ["-T", "-P", "7"]], ids=["icmp", "udp", "tcp"])
def test_mtr_finds_the_router_between(mode):
    """Through routed_namespace()'s router to the far namespace: the
    router's "time exceeded" as hop 1, the far end as hop 2, with ICMP,
    UDP and TCP probes (the far end answers the TCP ones with a reset)."""
    with routed_namespace("mtr") as ns:
        argv = mtr_argv(*mode, "10.9.9.2", options=["--net", "tap=tap0", "--ip", "192.168.79.2/24",
                                                      "--gw", "192.168.79.1"])
        with Guest(None, argv=argv, prefix=["ip", "netns", "exec", ns]) as g:
            assert g.wait(120) == 0, g.describe()
    out = g.out.decode()
    assert re.search(r"1\.\|-- 192\.168\.79\.1 +0\.0% +2 ", out), g.describe()
    assert re.search(r"2\.\|-- 10\.9\.9\.2 +0\.0% +2 ", out), g.describe()

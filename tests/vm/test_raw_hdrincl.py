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

import pytest

from conftest import expect, run

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

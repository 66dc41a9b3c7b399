"""Receive timestamps, against Linux 6.18: SO_TIMESTAMP, SO_TIMESTAMPNS
and their _NEW forms, SIOCGSTAMP and SIOCGSTAMPNS.

The transcript is tests/progs/sock_tstamp's on the host, as root, in a
network namespace of its own with lo up (`unshare -n`).  Linux stamps
arriving packets only while some socket asks (a static key, switched a
moment after); the program keeps one such socket open from its start, so
both kernels stamp every packet as it arrives.  A time is never printed,
only where it lies: between the send and the moment poll saw the packet
waiting ("on arrival"), after that, or before the send.  Covered: the
options set and read back (which of the four each reads as), the message
each gives a UDP receive over IPv4 and IPv6 (type, length, microseconds
or nanoseconds in range), a peek and the read after it, a control buffer
cut short (MSG_CTRUNC), the order beside IP_PKTINFO and IPV6_PKTINFO
(the time first), the option off again; SIOCGSTAMP and SIOCGSTAMPNS
before any packet (ENOENT), after a receive without the option (that
packet's arrival, as iputils' ping reads it) and after receives with it
(the older time Linux keeps); a raw ICMP socket's echo; TCP (a message
with the time, ENOENT from the ioctls); AF_UNIX streams (no message,
ENOTTY) and datagrams (stamped as sent to a socket that asks).  Before,
the options were ENOPROTOOPT and the ioctls ENOTTY."""

import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

LINUX = """\
udp over IPv4:
 set SO_TIMESTAMP 0: 0; get TIMESTAMP off TIMESTAMPNS off TIMESTAMP_NEW off TIMESTAMPNS_NEW off
 SIOCGSTAMP: ENOENT; SIOCGSTAMPNS: ENOENT
 recvmsg control 256: 7
  0 cmsgs, controllen 0, flags
 SIOCGSTAMP: 0, on arrival; SIOCGSTAMPNS: 0, on arrival
 set SO_TIMESTAMP 1: 0; get TIMESTAMP on TIMESTAMPNS off TIMESTAMP_NEW off TIMESTAMPNS_NEW off
 recvmsg control 256 peek: 7
  cmsg level 1 type 29 len 32: on arrival (microseconds valid)
  1 cmsgs, controllen 32, flags
 recvmsg control 256: 7
  cmsg level 1 type 29 len 32: on arrival (microseconds valid)
  1 cmsgs, controllen 32, flags
 SIOCGSTAMP: 0, before it was sent; SIOCGSTAMPNS: 0, before it was sent
 recvmsg control 20: 7
  cmsg level 1 type 29 len 20
  1 cmsgs, controllen 20, flags CTRUNC
 set SO_TIMESTAMPNS 1: 0; get TIMESTAMP off TIMESTAMPNS on TIMESTAMP_NEW off TIMESTAMPNS_NEW off
 recvmsg control 256: 7
  cmsg level 1 type 35 len 32: on arrival (nanoseconds valid)
  1 cmsgs, controllen 32, flags
 SIOCGSTAMP: 0, before it was sent; SIOCGSTAMPNS: 0, before it was sent
 set SO_TIMESTAMP_NEW 1: 0; get TIMESTAMP off TIMESTAMPNS off TIMESTAMP_NEW on TIMESTAMPNS_NEW off
 recvmsg control 256: 7
  cmsg level 1 type 63 len 32: on arrival (microseconds valid)
  1 cmsgs, controllen 32, flags
 set SO_TIMESTAMPNS_NEW 1: 0; get TIMESTAMP off TIMESTAMPNS off TIMESTAMP_NEW on TIMESTAMPNS_NEW on
 recvmsg control 256: 7
  cmsg level 1 type 64 len 32: on arrival (nanoseconds valid)
  1 cmsgs, controllen 32, flags
 set SO_TIMESTAMP 1: 0; get TIMESTAMP on TIMESTAMPNS off TIMESTAMP_NEW off TIMESTAMPNS_NEW off
 with packet information:
 recvmsg control 256: 7
  cmsg level 1 type 29 len 32: on arrival (microseconds valid)
  cmsg level 0 type 8 len 28
  2 cmsgs, controllen 64, flags
 set SO_TIMESTAMPNS 0: 0; get TIMESTAMP off TIMESTAMPNS off TIMESTAMP_NEW off TIMESTAMPNS_NEW off
 recvmsg control 256: 7
  cmsg level 0 type 8 len 28
  1 cmsgs, controllen 32, flags
udp over IPv6:
 set SO_TIMESTAMP 0: 0; get TIMESTAMP off TIMESTAMPNS off TIMESTAMP_NEW off TIMESTAMPNS_NEW off
 SIOCGSTAMP: ENOENT; SIOCGSTAMPNS: ENOENT
 recvmsg control 256: 7
  0 cmsgs, controllen 0, flags
 SIOCGSTAMP: 0, on arrival; SIOCGSTAMPNS: 0, on arrival
 set SO_TIMESTAMP 1: 0; get TIMESTAMP on TIMESTAMPNS off TIMESTAMP_NEW off TIMESTAMPNS_NEW off
 recvmsg control 256 peek: 7
  cmsg level 1 type 29 len 32: on arrival (microseconds valid)
  1 cmsgs, controllen 32, flags
 recvmsg control 256: 7
  cmsg level 1 type 29 len 32: on arrival (microseconds valid)
  1 cmsgs, controllen 32, flags
 SIOCGSTAMP: 0, before it was sent; SIOCGSTAMPNS: 0, before it was sent
 recvmsg control 20: 7
  cmsg level 1 type 29 len 20
  1 cmsgs, controllen 20, flags CTRUNC
 set SO_TIMESTAMPNS 1: 0; get TIMESTAMP off TIMESTAMPNS on TIMESTAMP_NEW off TIMESTAMPNS_NEW off
 recvmsg control 256: 7
  cmsg level 1 type 35 len 32: on arrival (nanoseconds valid)
  1 cmsgs, controllen 32, flags
 SIOCGSTAMP: 0, before it was sent; SIOCGSTAMPNS: 0, before it was sent
 set SO_TIMESTAMP_NEW 1: 0; get TIMESTAMP off TIMESTAMPNS off TIMESTAMP_NEW on TIMESTAMPNS_NEW off
 recvmsg control 256: 7
  cmsg level 1 type 63 len 32: on arrival (microseconds valid)
  1 cmsgs, controllen 32, flags
 set SO_TIMESTAMPNS_NEW 1: 0; get TIMESTAMP off TIMESTAMPNS off TIMESTAMP_NEW on TIMESTAMPNS_NEW on
 recvmsg control 256: 7
  cmsg level 1 type 64 len 32: on arrival (nanoseconds valid)
  1 cmsgs, controllen 32, flags
 set SO_TIMESTAMP 1: 0; get TIMESTAMP on TIMESTAMPNS off TIMESTAMP_NEW off TIMESTAMPNS_NEW off
 with packet information:
 recvmsg control 256: 7
  cmsg level 1 type 29 len 32: on arrival (microseconds valid)
  cmsg level 41 type 50 len 36
  2 cmsgs, controllen 72, flags
 set SO_TIMESTAMPNS 0: 0; get TIMESTAMP off TIMESTAMPNS off TIMESTAMP_NEW off TIMESTAMPNS_NEW off
 recvmsg control 256: 7
  cmsg level 41 type 50 len 36
  1 cmsgs, controllen 40, flags
raw icmp:
 set SO_TIMESTAMPNS 1: 0; get TIMESTAMP off TIMESTAMPNS on TIMESTAMP_NEW off TIMESTAMPNS_NEW off
 sendto: 8
 recvmsg control 256: 28
  cmsg level 1 type 35 len 32: on arrival (nanoseconds valid)
  1 cmsgs, controllen 32, flags
tcp stream:
 set SO_TIMESTAMP 1: 0; get TIMESTAMP on TIMESTAMPNS off TIMESTAMP_NEW off TIMESTAMPNS_NEW off
 write: 7
 recvmsg control 256: 7
  cmsg level 1 type 29 len 32: on arrival (microseconds valid)
  1 cmsgs, controllen 32, flags
 SIOCGSTAMP: ENOENT; SIOCGSTAMPNS: ENOENT
unix stream:
 set SO_TIMESTAMP 1: 0; get TIMESTAMP on TIMESTAMPNS off TIMESTAMP_NEW off TIMESTAMPNS_NEW off
 write: 7
 recvmsg control 256: 7
  0 cmsgs, controllen 0, flags
 SIOCGSTAMP: errno 25; SIOCGSTAMPNS: errno 25
unix datagram:
 set SO_TIMESTAMPNS 1: 0; get TIMESTAMP off TIMESTAMPNS on TIMESTAMP_NEW off TIMESTAMPNS_NEW off
 write: 7
 recvmsg control 256: 7
  cmsg level 1 type 35 len 32: on arrival (nanoseconds valid)
  1 cmsgs, controllen 32, flags
 SIOCGSTAMP: errno 25; SIOCGSTAMPNS: errno 25
"""


def test_receive_timestamps_as_linux_gives_them():
    expect(run("sock_tstamp"), LINUX)

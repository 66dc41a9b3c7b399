"""IP_RECVERR and IPV6_RECVERR: a socket's error queue, against Linux 6.18.

The loopback transcript is tests/progs/udp_recverr's on the host, as root,
in a network namespace of its own with lo up (`unshare -n`): over IPv4 and
IPv6, a UDP socket sends to a closed port (a port bound and closed again)
and each step waits until the "port unreachable" is in (another socket's
datagram to itself, twice: lo keeps order).  Without the option nothing
is heard; with it the error shows as POLLERR, fails the next call once
(recv ECONNREFUSED, a sendto then not sent), is pending in SO_ERROR, and
each one queued reads with MSG_ERRQUEUE as the datagram's bytes, its
destination, MSG_ERRQUEUE in the flags and a control message with the
extended error (ECONNREFUSED, origin ICMP or ICMP6, type and code) and
the offender's address; a short buffer (MSG_TRUNC), a short control
buffer (MSG_CTRUNC), an empty queue (EAGAIN, never waiting), and the
option off (the queue emptied, the pending error kept).  Then, through a
router (a namespace forwarding to a second one; on Linux the client a
namespace too), a UDP datagram and a raw ICMP echo with TTL 1: the
router's "time exceeded" (EHOSTUNREACH, type 11) in each one's queue,
with what it sent.  Before, the options were ENOPROTOOPT, and lwIP's
ICMP errors quoted only 8 bytes past the IP header (tools/patches/lwip/20)."""

import pytest

from conftest import amphi_argv, expect, routed_namespace, run
from netvm import Guest

pytestmark = pytest.mark.usefixtures("amphi_works")

LINUX = """\
IPv4:
 without the option:
 sendto the closed port: 7
 poll: 0 revents
 SO_ERROR: 0
 recvmsg MSG_ERRQUEUE room 64 control 256: EAGAIN
 set IP_RECVERR 1: 0; get 0 value 1
 sendto the closed port: 9
 poll: 1 revents POLLERR
 recvmsg MSG_ERRQUEUE room 64 control 256: 9
  "probe one" to 127.0.0.1 port CLOSED, namelen 16, flags ERRQUEUE
  cmsg level 0 type 11 len 48: errno ECONNREFUSED origin 2 type 3 code 3 info 0 data 0, offender 127.0.0.1 port other
 SO_ERROR: 0
 poll: 0 revents
 recvmsg MSG_ERRQUEUE room 64 control 256: EAGAIN
 the error fails the next call:
 sendto the closed port: 9
 recv: ECONNREFUSED
 SO_ERROR: 0
 recvmsg MSG_ERRQUEUE room 3 control 256: 3
  "pro" to 127.0.0.1 port CLOSED, namelen 16, flags ERRQUEUE TRUNC
  cmsg level 0 type 11 len 48: errno ECONNREFUSED origin 2 type 3 code 3 info 0 data 0, offender 127.0.0.1 port other
 sendto the closed port: 11
 SO_ERROR: 111
 recvmsg MSG_ERRQUEUE room 64 control 20: 11
  "probe three" to 127.0.0.1 port CLOSED, namelen 16, flags ERRQUEUE CTRUNC
  cmsg level 0 type 11 len 20
 two errors queued:
 sendto the closed port: 10
 sendto the closed port: ECONNREFUSED
 recvmsg MSG_ERRQUEUE room 64 control 256: 10
  "probe four" to 127.0.0.1 port CLOSED, namelen 16, flags ERRQUEUE
  cmsg level 0 type 11 len 48: errno ECONNREFUSED origin 2 type 3 code 3 info 0 data 0, offender 127.0.0.1 port other
 SO_ERROR: 0
 recvmsg MSG_ERRQUEUE room 64 control 256: EAGAIN
 recvmsg MSG_ERRQUEUE room 64 control 256: EAGAIN
 sendto the closed port: 9
 set IP_RECVERR 0: 0; get 0 value 0
 poll: 1 revents POLLERR
 recvmsg MSG_ERRQUEUE room 64 control 256: EAGAIN
 SO_ERROR: 111
IPv6:
 without the option:
 sendto the closed port: 7
 poll: 0 revents
 SO_ERROR: 0
 recvmsg MSG_ERRQUEUE room 64 control 256: EAGAIN
 set IPV6_RECVERR 1: 0; get 0 value 1
 sendto the closed port: 9
 poll: 1 revents POLLERR
 recvmsg MSG_ERRQUEUE room 64 control 256: 9
  "probe one" to ::1 port CLOSED, namelen 28, flags ERRQUEUE
  cmsg level 41 type 25 len 60: errno ECONNREFUSED origin 3 type 1 code 4 info 0 data 0, offender ::1 port other
 SO_ERROR: 0
 poll: 0 revents
 recvmsg MSG_ERRQUEUE room 64 control 256: EAGAIN
 the error fails the next call:
 sendto the closed port: 9
 recv: ECONNREFUSED
 SO_ERROR: 0
 recvmsg MSG_ERRQUEUE room 3 control 256: 3
  "pro" to ::1 port CLOSED, namelen 28, flags ERRQUEUE TRUNC
  cmsg level 41 type 25 len 60: errno ECONNREFUSED origin 3 type 1 code 4 info 0 data 0, offender ::1 port other
 sendto the closed port: 11
 SO_ERROR: 111
 recvmsg MSG_ERRQUEUE room 64 control 20: 11
  "probe three" to ::1 port CLOSED, namelen 28, flags ERRQUEUE CTRUNC
  cmsg level 41 type 25 len 20
 two errors queued:
 sendto the closed port: 10
 sendto the closed port: ECONNREFUSED
 recvmsg MSG_ERRQUEUE room 64 control 256: 10
  "probe four" to ::1 port CLOSED, namelen 28, flags ERRQUEUE
  cmsg level 41 type 25 len 60: errno ECONNREFUSED origin 3 type 1 code 4 info 0 data 0, offender ::1 port other
 SO_ERROR: 0
 recvmsg MSG_ERRQUEUE room 64 control 256: EAGAIN
 recvmsg MSG_ERRQUEUE room 64 control 256: EAGAIN
 sendto the closed port: 9
 set IPV6_RECVERR 0: 0; get 0 value 0
 poll: 1 revents POLLERR
 recvmsg MSG_ERRQUEUE room 64 control 256: EAGAIN
 SO_ERROR: 111
"""

LINUX_TTL1 = r"""UDP with TTL 1:
 sendto: 4
 poll: 1 revents POLLERR
 recvmsg MSG_ERRQUEUE room 64 control 256: 4
  "ttl1" to 10.9.9.2 port CLOSED, namelen 16, flags ERRQUEUE
  cmsg level 0 type 11 len 48: errno EHOSTUNREACH origin 2 type 11 code 0 info 0 data 0, offender 192.168.79.1 port other
raw ICMP echo with TTL 1:
 sendto: 12
 poll: 1 revents POLLERR
 recvmsg MSG_ERRQUEUE room 64 control 256: 12
  "\x08\x00\x05%\x124\x00\x01ttl1" to 10.9.9.2 port other, namelen 16, flags ERRQUEUE
  cmsg level 0 type 11 len 48: errno EHOSTUNREACH origin 2 type 11 code 0 info 0 data 0, offender 192.168.79.1 port other
"""


def test_error_queue_over_loopback_as_linux_gives_it():
    expect(run("udp_recverr"), LINUX)


def test_time_exceeded_from_a_router_reaches_the_queue():
    with routed_namespace("recverr") as ns:
        argv = amphi_argv("udp_recverr", "-ttl1", "10.9.9.2",
                          options=["--net", "tap=tap0", "--ip", "192.168.79.2/24", "--gw", "192.168.79.1"])
        with Guest(None, argv=argv, prefix=["ip", "netns", "exec", ns]) as g:
            assert g.wait(120) == 0, g.describe()
    assert g.out.decode() == LINUX_TTL1, g.describe()

"""IP multicast on UDP sockets, against Linux 6.18.

The transcript is tests/progs/mcast's on the host, as root, in a network
namespace whose eth0 (192.168.79.2/24, fd00::2/64, default route through
.1) is a veth pair's end; the other end, tap0 in a second namespace
(192.168.79.1, fd00::1), has PEER below answering.  amphi runs the same
program with the same addresses, its eth0 a tap in a namespace where PEER
runs.  The options' defaults, values and errors (IP_MULTICAST_TTL, _LOOP,
_IF, _ALL, IP_ADD and IP_DROP_MEMBERSHIP with ip_mreq and ip_mreqn,
MCAST_JOIN and MCAST_LEAVE_GROUP, the 20-group limit, what TCP refuses,
IPv6's kin and IPV6_UNICAST_HOPS); then over IPv4 and IPv6 a group's
datagram looped back to a member on the same machine or not, the groups
/proc/net/igmp and igmp6 list meanwhile (each interface's, how many
joined each, IPv6's flags), one to the
peer's group with TTL 5 (the peer says what TTL came), the peer's reaching
a member and no longer once it left (a unicast datagram sent after it
comes first), and IP_MULTICAST_ALL: a socket that joined nothing hears a
group another socket joined only with it on, and nothing once that socket
closed; last, an IPv6 socket's datagrams to IPv4-mapped addresses (a
unicast one, a group, connected) leaving with IP_TTL and IP_MULTICAST_TTL,
its IPv6 ones with IPv6's (and getsockname showing the source the connect
bound, gone after a disconnect); and a group on lo, each datagram heard once,
looped or not.  Before, every option was ENOPROTOOPT.  Also
Debian's iputils ping with `-t`, which sets IP_MULTICAST_TTL and refused
to start before."""

import pytest

from conftest import amphi_argv, network_namespace, run
from netvm import Guest
from test_raw_sockets import IPUTILS_PING

pytestmark = pytest.mark.usefixtures("amphi_works")

# The peer: on port 5001, "send GROUP PORT TEXT" sends TEXT to the group
# and "uni PORT TEXT" to the asker's address, each answered "sent"; on
# 239.1.2.3 and ff15::1:2, port 5002, each datagram is answered with its
# TTL or hop limit, as is "ping" on port 5001.
PEER = """\
import select, socket, struct

IF_NAME, ADDR4 = "tap0", "192.168.79.1"


def main():
    index = socket.if_nametoindex(IF_NAME)
    ctl4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    ctl4.bind(("0.0.0.0", 5001))
    ctl6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    ctl6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    ctl6.bind(("::", 5001))
    ctl4.setsockopt(socket.IPPROTO_IP, 12, 1)  # IP_RECVTTL, which Python does not name
    ctl6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPLIMIT, 1)
    g4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    g4.bind(("0.0.0.0", 5002))
    g4.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                  socket.inet_aton("239.1.2.3") + socket.inet_aton(ADDR4))
    g4.setsockopt(socket.IPPROTO_IP, 12, 1)
    g6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    g6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    g6.bind(("::", 5002))
    g6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP,
                  socket.inet_pton(socket.AF_INET6, "ff15::1:2") + struct.pack("I", index))
    g6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPLIMIT, 1)
    out4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    out4.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(ADDR4))
    out6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    out6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, index)
    print("ready", flush=True)
    while True:
        for s in select.select([ctl4, ctl6, g4, g6], [], [])[0]:
            data, anc, _, src = s.recvmsg(512, 256)
            ttl = [struct.unpack("i", d)[0] for _, _, d in anc]
            ttl = ttl[0] if ttl else -1
            if s in (g4, g6):
                s.sendto(b"peer heard '%s' ttl %d" % (data, ttl), src)
                continue
            if data == b"ping":
                s.sendto(b"pong ttl %d" % ttl, src)
                continue
            out = out4 if s is ctl4 else out6
            words = data.split(b" ", 3)
            if words[0] == b"send":
                out.sendto(words[3], (words[1].decode(), int(words[2])))
            elif words[0] == b"uni":
                text = data.split(b" ", 2)[2]
                out.sendto(text, (src[0], int(words[1])))
            s.sendto(b"sent", src)


main()
"""

LINUX = """\
IPv4 options:
 get IP_MULTICAST_TTL (room 4): len 4 value 1
 get IP_MULTICAST_TTL (room 1): len 1 value 1
 get IP_MULTICAST_LOOP (room 4): len 4 value 1
 get IP_MULTICAST_ALL (room 4): len 4 value 1
 get IP_MULTICAST_IF: 0 len 4 0.0.0.0
 set IP_MULTICAST_TTL 256 (len 4): EINVAL
 set IP_MULTICAST_TTL 7 (len 1): 0
 get IP_MULTICAST_TTL (room 4): len 4 value 7
 set IP_MULTICAST_TTL -1 (len 4): 0
 get IP_MULTICAST_TTL (room 4): len 4 value 1
 set IP_MULTICAST_TTL 0 (len 0): EINVAL
 set IP_MULTICAST_LOOP 5 (len 4): 0
 get IP_MULTICAST_LOOP (room 4): len 4 value 1
 set IP_MULTICAST_LOOP 0 (len 1): 0
 get IP_MULTICAST_LOOP (room 4): len 4 value 0
 set IP_MULTICAST_ALL 5 (len 4): EINVAL
 set IP_MULTICAST_ALL 0 (len 4): 0
 get IP_MULTICAST_ALL (room 4): len 4 value 0
 set IP_MULTICAST_IF 192.168.79.2 index 0 (len 4): 0
 get IP_MULTICAST_IF: 0 len 4 192.168.79.2
 set IP_MULTICAST_IF 10.1.1.1 index 0 (len 4): EADDRNOTAVAIL
 set IP_MULTICAST_IF 0.0.0.0 index eth0 (len 12): 0
 get IP_MULTICAST_IF: 0 len 4 0.0.0.0
 set IP_MULTICAST_IF 0.0.0.0 index 99 (len 12): EADDRNOTAVAIL
 set IP_MULTICAST_IF 0.0.0.0 index 0 (len 2): EINVAL
 set IP_MULTICAST_IF 0.0.0.0 index 0 (len 4): 0
 get IP_MULTICAST_IF: 0 len 4 0.0.0.0
 join 192.168.79.9 via 192.168.79.2 index 0 (len 8): EINVAL
 join 239.1.2.3 via 192.168.79.2 index 0 (len 8): 0
 join 239.1.2.3 via 192.168.79.2 index 0 (len 8): EADDRINUSE
 join 239.1.2.3 via 0.0.0.0 index eth0 (len 12): EADDRINUSE
 join 239.1.2.4 via 0.0.0.0 index 0 (len 7): EINVAL
 join 239.1.2.4 via 0.0.0.0 index 99 (len 12): ENODEV
 join 239.1.2.4 via 10.1.1.1 index 0 (len 8): ENODEV
 join 239.1.2.4 via 0.0.0.0 index 0 (len 8): 0
 join 224.0.0.1 via 0.0.0.0 index 0 (len 8): 0
 join 239.1.2.7 via 0.0.0.0 index eth0 (len 12): 0
 drop 239.1.2.7 via 192.168.79.2: 0
 drop 239.1.2.9: EADDRNOTAVAIL
 drop 239.1.2.4: 0
 drop 239.1.2.4: EADDRNOTAVAIL
 drop 224.0.0.1: 0
 MCAST_JOIN_GROUP 239.1.2.5 index eth0: 0
 MCAST_JOIN_GROUP 239.1.2.5 index eth0: EADDRINUSE
 MCAST_LEAVE_GROUP 239.1.2.5 index eth0: 0
 MCAST_LEAVE_GROUP 239.1.2.5 index eth0: EADDRNOTAVAIL
 MCAST_JOIN_GROUP ff15::1:6 index eth0: ENOPROTOOPT
 groups joined until ENOBUFS: 20
 TCP:
 join 239.1.2.3 via 0.0.0.0 index 0 (len 8): EPROTO
 set IP_MULTICAST_TTL 3 (len 4): EINVAL
 get IP_MULTICAST_TTL (room 4): len 4 value 1
IPv6 options:
 get IPV6_MULTICAST_HOPS (room 4): len 4 value 1
 get IPV6_MULTICAST_LOOP (room 4): len 4 value 1
 get IPV6_MULTICAST_IF (room 4): len 4 value 0
 get IPV6_MULTICAST_ALL (room 4): len 4 value 1
 get IPV6_UNICAST_HOPS (room 4): len 4 value 64
 set IPV6_MULTICAST_HOPS 256 (len 4): EINVAL
 set IPV6_MULTICAST_HOPS -2 (len 4): EINVAL
 set IPV6_MULTICAST_HOPS 9 (len 1): EINVAL
 set IPV6_MULTICAST_HOPS 9 (len 4): 0
 get IPV6_MULTICAST_HOPS (room 4): len 4 value 9
 set IPV6_MULTICAST_HOPS -1 (len 4): 0
 get IPV6_MULTICAST_HOPS (room 4): len 4 value 1
 set IPV6_UNICAST_HOPS 200 (len 4): 0
 get IPV6_UNICAST_HOPS (room 4): len 4 value 200
 set IPV6_UNICAST_HOPS -1 (len 4): 0
 get IPV6_UNICAST_HOPS (room 4): len 4 value 64
 set IPV6_MULTICAST_LOOP 2 (len 4): EINVAL
 set IPV6_MULTICAST_LOOP 0 (len 4): 0
 get IPV6_MULTICAST_LOOP (room 4): len 4 value 0
 set IPV6_MULTICAST_IF 99 (len 4): ENODEV
 set IPV6_MULTICAST_IF eth0 (len 4): 0
 get IPV6_MULTICAST_IF (room 4): len 4 value eth0
 set IPV6_MULTICAST_ALL 0 (len 4): 0
 get IPV6_MULTICAST_ALL (room 4): len 4 value 0
 get IPV6_MULTICAST_IF (room 4): len 4 value eth0
 join fd00::9 eth0: EINVAL
 join ff15::1:2 eth0: 0
 join ff15::1:2 eth0: EADDRINUSE
 join ff15::1:3 index 99: ENODEV
 join ff15::1:3 index 0: 0
 leave ff15::1:9 eth0: EADDRNOTAVAIL
 leave ff15::1:3 index 0: 0
 leave ff15::1:3 index 0: EADDRNOTAVAIL
 MCAST_JOIN_GROUP ff15::1:5 index eth0: 0
 MCAST_LEAVE_GROUP ff15::1:5 index eth0: 0
 MCAST_JOIN_GROUP 239.1.2.6 index eth0: 0
 MCAST_LEAVE_GROUP 239.1.2.6 index eth0: 0
 TCP:
 join ff15::1:2 eth0: EPROTO
 set IPV6_MULTICAST_HOPS 3 (len 4): ENOPROTOOPT
 set IPV6_MULTICAST_LOOP 0 (len 4): 0
 set IPV6_MULTICAST_IF eth0 (len 4): ENOPROTOOPT
 set IPV6_UNICAST_HOPS 9 (len 4): 0
 get IPV6_MULTICAST_HOPS (room 4): len 4 value 1
 get IPV6_UNICAST_HOPS (room 4): len 4 value 9
 IPv4's on an IPv6 socket:
 set IP_MULTICAST_TTL 4 (len 4): 0
 get IP_MULTICAST_TTL (room 4): len 4 value 4
 get IPV6_MULTICAST_HOPS (room 4): len 4 value 1
 join 239.1.2.3 via 0.0.0.0 index 0 (len 8): 0
 drop 239.1.2.3: 0
 IPv6's on an IPv4 socket:
 set IPV6_MULTICAST_HOPS 4 (len 4): ENOPROTOOPT
 get IPV6_MULTICAST_HOPS: EOPNOTSUPP
IPv4 traffic:
 looped back, or not:
  member: "looped" from 192.168.79.2, to 239.1.2.3 on eth0, local 192.168.79.2, ttl 1
 /proc/net/igmp:
  lo: 1
   224.0.0.1 users 1
  eth0: 2
   239.1.2.3 users 1
   224.0.0.1 users 1
 to the peer's group with TTL 5:
  sender: "peer heard 'ttl five' ttl 5" from 192.168.79.1
 the peer's datagram to the group:
  peer: "sent" from 192.168.79.1
  member: "from the peer" from 192.168.79.1, to 239.1.2.3 on eth0, local 192.168.79.2, ttl 1
 after leaving the group:
 drop: 0
  peer: "sent" from 192.168.79.1
  peer: "sent" from 192.168.79.1
  member: "unicast after it" from 192.168.79.1, to 192.168.79.2 on eth0, local 192.168.79.2, ttl 64
 IP_MULTICAST_ALL:
  other: "unicast after it" from 192.168.79.2
  other: "all on" from 192.168.79.2
 after the member closed:
  other: "unicast after it" from 192.168.79.2
IPv6 traffic:
 looped back, or not:
  member: "looped" from fd00::2, to ff15::1:2 on eth0, hop limit 1
 /proc/net/igmp6:
  lo ff020000000000000000000000000001 users 1 flags c
  lo ff010000000000000000000000000001 users 1 flags 8
  eth0 ff150000000000000000000000010002 users 1 flags 4
  eth0 ff0200000000000000000001ff000002 users 1 flags 4
  eth0 ff020000000000000000000000000001 users 1 flags c
  eth0 ff010000000000000000000000000001 users 1 flags 8
 to the peer's group with TTL 5:
  sender: "peer heard 'ttl five' ttl 5" from fd00::1
 the peer's datagram to the group:
  peer: "sent" from fd00::1
  member: "from the peer" from fd00::1, to ff15::1:2 on eth0, hop limit 1
 after leaving the group:
 leave: 0
  peer: "sent" from fd00::1
  peer: "sent" from fd00::1
  member: "unicast after it" from fd00::1, to fd00::2 on eth0, hop limit 64
 IP_MULTICAST_ALL:
  other: "unicast after it" from fd00::2
  other: "all on" from fd00::2
 after the member closed:
  other: "unicast after it" from fd00::2
IPv6 socket, IPv4 and IPv6 destinations:
  peer: "pong ttl 33" from ::ffff:192.168.79.1
  peer: "pong ttl 44" from fd00::1
  peer: "peer heard 'mapped group' ttl 6" from ::ffff:192.168.79.1
  peer: "peer heard 'IPv6 group' ttl 7" from fd00::1
 connected: 0
 getsockname: ::ffff:192.168.79.2
 send: 4
  peer: "pong ttl 33" from ::ffff:192.168.79.1
 disconnected: 0
 getsockname: ::
IPv4 group on lo:
 join: 0
 set IP_MULTICAST_IF 127.0.0.1 index 0 (len 4): 0
  member: "loop on" from 127.0.0.1
  member: "loop off" from 127.0.0.1
  member: "unicast after them" from 127.0.0.1
"""


def test_multicast_as_linux_gives_it():
    with network_namespace("mcast") as ns:
        prefix = ["ip", "netns", "exec", ns]
        with Guest(None, argv=["python3", "-c", PEER], prefix=prefix) as peer:
            peer.wait_for(b"ready")
            argv = amphi_argv("mcast", options=["--net", "tap=tap0", "--ip", "192.168.79.2/24",
                                                "--gw", "192.168.79.1", "--ip6", "fd00::2/64"])
            with Guest(None, argv=argv, prefix=prefix) as g:
                assert g.wait(300) == 0, g.describe()
    assert g.out.decode() == LINUX, g.describe()


def test_iputils_ping_sets_the_multicast_ttl():
    r = run(IPUTILS_PING, "-c", "1", "-t", "3", "127.0.0.1")
    assert r.status == 0 and "1 packets transmitted, 1 received" in r.stdout.decode(), r.describe()

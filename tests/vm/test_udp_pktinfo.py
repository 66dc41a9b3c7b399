"""UDP's control messages, against Linux 6.18: IP_PKTINFO, IP_RECVTTL,
IP_RECVTOS and their IPv6 counterparts on receive, and what a send takes.

The transcript is tests/progs/udp_pktinfo's on the host, as root, in a
network namespace of its own with lo and a veth pair (`unshare -n`, then
`ip link add v0 type veth peer name v1`, both up, 10.9.0.1/24 and
fd00:9::1/64 nodad on v0), given 10.9.0.1 and fd00:9::1 (printed as ADDR
and ADDR6; the guest's are 10.0.2.15 and fd00:9::1): the options
set and read back on IPv4, IPv6, dual-stack and TCP sockets; what a
receive gives: the interface (by name), the address the datagram was
sent to and the one a reply would come from, for IPv4, IPv6 and an IPv4
datagram on a dual-stack socket (both messages, the mapped address
first), with a peek, a control buffer cut short (MSG_CTRUNC) and none,
and the TTL or hop limit and TOS or traffic class of the header, which
a send's message set;
what an IPv4 send takes: IP_PKTINFO's source (the datagram comes from
ADDR) and interface, IP_TTL and IP_TOS, and what it refuses; and an IPv6
send's IPV6_PKTINFO, IPV6_HOPLIMIT and IPV6_TCLASS, to an IPv6 address
and to a mapped IPv4 one, where Linux's IPv4 rules apply.
Before, IP_PKTINFO was ENOPROTOOPT, no inet socket gave any control
message, and a send's were not read (every send went through).  A
datagram from the host through `-p .../udp` names eth0 and the guest's
address, and one sent over a tap with IP_TTL 7 or IP_TOS 0x10 reaches
the host's stack with that TTL or TOS in its header."""

import socket
import subprocess
import sys
import time

import pytest

from conftest import amphi_argv, expect, free_port, network_namespace, run
from netvm import Guest

pytestmark = pytest.mark.usefixtures("amphi_works")

LINUX = """\
ipv4:
 recvmsg control 256: 5
  0 cmsgs, controllen 0, flags
 set IP_PKTINFO 1: 0; get 0 value 1
 set IPV6_RECVPKTINFO 1: ENOPROTOOPT; get EOPNOTSUPP value -1
 recvmsg control 256 peek: 5
  cmsg level 0 type 8 len 28: ifindex of lo, spec_dst 127.0.0.1, addr 127.0.0.1
  1 cmsgs, controllen 32, flags
 recvmsg control 256: 5
  cmsg level 0 type 8 len 28: ifindex of lo, spec_dst 127.0.0.1, addr 127.0.0.1
  1 cmsgs, controllen 32, flags
 recvmsg control 20: 5
  cmsg level 0 type 8 len 20
  1 cmsgs, controllen 20, flags CTRUNC
 recvmsg control 8: 5
  0 cmsgs, controllen 0, flags CTRUNC
 recvmsg control 0: 5
  0 cmsgs, controllen 0, flags CTRUNC
 set IP_PKTINFO 0: 0; get 0 value 0
 recvmsg control 256: 5
  0 cmsgs, controllen 0, flags
ipv6:
 set IPV6_RECVPKTINFO 1: 0; get 0 value 1
 set IP_PKTINFO 1: 0; get 0 value 1
 recvmsg control 256: 5
  cmsg level 41 type 50 len 36: ifindex of lo, addr ::1
  1 cmsgs, controllen 40, flags
dual stack, from IPv4:
 set IPV6_RECVPKTINFO 1: 0; get 0 value 1
 set IP_PKTINFO 1: 0; get 0 value 1
 recvmsg control 256: 5
  cmsg level 41 type 50 len 36: ifindex of lo, addr ::ffff:127.0.0.1
  cmsg level 0 type 8 len 28: ifindex of lo, spec_dst 127.0.0.1, addr 127.0.0.1
  2 cmsgs, controllen 72, flags
 set IPV6_RECVPKTINFO 0: 0; get 0 value 0
 recvmsg control 256: 5
  cmsg level 0 type 8 len 28: ifindex of lo, spec_dst 127.0.0.1, addr 127.0.0.1
  1 cmsgs, controllen 32, flags
tcp:
 set IP_PKTINFO 1: 0; get 0 value 1
ipv4 send:
 IP_PKTINFO source ADDR: 5
  came from ADDR
 IP_PKTINFO no source: 5
  came from 127.0.0.1
 IP_PKTINFO source not ours: ENETUNREACH
 IP_PKTINFO short: EINVAL
 IP_PKTINFO ifindex 999: ENODEV
 IP_PKTINFO ifindex of lo: 5
  came from 127.0.0.1
 IP_TTL 0: EINVAL
 IP_TTL 256: EINVAL
 IP_TTL 7: 5
  came from 127.0.0.1
 IP_TTL as a byte: EINVAL
 IP_TOS as a byte: 5
  came from 127.0.0.1
 IP_TOS 300: EINVAL
 IP type 99: EINVAL
 SCM_RIGHTS: 5
  came from 127.0.0.1
 SOL_SOCKET type 29: EINVAL
 level TCP: 5
  came from 127.0.0.1
ipv6 send:
 IPV6_PKTINFO source ADDR6: 5
  came from ADDR6
 IPV6_PKTINFO no source: 5
  came from ::1
 IPV6_PKTINFO source not ours: EINVAL
 IPV6_PKTINFO mapped source: EINVAL
 IPV6_PKTINFO short: EINVAL
 IPV6_PKTINFO ifindex 999: ENODEV
 IPV6_HOPLIMIT -2: EINVAL
 IPV6_HOPLIMIT 256: EINVAL
 IPV6_HOPLIMIT -1: 5
 IPV6_HOPLIMIT 9: 5
  came from ::1
  came from ::1
 IPV6_TCLASS 0x20: 5
  came from ::1
 IP_TTL to IPv6: 5
  came from ::1
 IPv6 type 99: EINVAL
ipv6 send to a mapped address:
 IPV6_PKTINFO source ::ffff:ADDR: 5
  came from ADDR
 IPV6_PKTINFO no source: EINVAL
 IP_PKTINFO source ADDR: 5
  came from ADDR
 IPV6_HOPLIMIT: 5
  came from 127.0.0.1
header fields, ipv4:
 set IP_RECVTTL 1: 0; get 0 value 1
 set IP_RECVTOS 1: 0; get 0 value 1
 set IP_PKTINFO 1: 0; get 0 value 1
 set IPV6_RECVHOPLIMIT 1: ENOPROTOOPT; get EOPNOTSUPP value -1
 recvmsg control 256: 5
  cmsg level 0 type 8 len 28: ifindex of lo, spec_dst 127.0.0.1, addr 127.0.0.1
  cmsg level 0 type 2 len 20: 64
  cmsg level 0 type 1 len 17: 0x10
  3 cmsgs, controllen 80, flags
 recvmsg control 256: 5
  cmsg level 0 type 8 len 28: ifindex of lo, spec_dst 127.0.0.1, addr 127.0.0.1
  cmsg level 0 type 2 len 20: 9
  cmsg level 0 type 1 len 17: 0
  3 cmsgs, controllen 80, flags
header fields, ipv6:
 set IPV6_RECVHOPLIMIT 1: 0; get 0 value 1
 set IPV6_RECVTCLASS 1: 0; get 0 value 1
 set IP_RECVTTL 1: 0; get 0 value 1
 recvmsg control 256: 5
  cmsg level 41 type 52 len 20: 64
  cmsg level 41 type 67 len 20: 32
  2 cmsgs, controllen 48, flags
 recvmsg control 256: 5
  cmsg level 41 type 52 len 20: 5
  cmsg level 41 type 67 len 20: 0
  2 cmsgs, controllen 48, flags
"""


def test_packet_information_over_loopback_as_linux_gives_it():
    expect(run("udp_pktinfo", "10.0.2.15", "fd00:9::1",
               options=["--net", "user", "--ip6", "fd00:9::1/64"]), LINUX)


def test_a_datagram_from_outside_names_eth0_and_the_guests_address():
    hp = free_port(socket.SOCK_DGRAM)
    with Guest("udp_pktinfo", "-outside", 5353, options=["-p", "%d:5353/udp" % hp]) as g:
        g.wait_for(b"ready")
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        # The first datagrams may be lost while the guest resolves slirp's
        # address: send until one is taken.
        deadline = time.monotonic() + 30
        while b"recvmsg" not in g.out and time.monotonic() < deadline:
            s.sendto(b"hello", ("127.0.0.1", hp))
            time.sleep(0.5)
        assert g.wait() == 0, g.describe()
    assert g.out.decode() == (
        "ready\n"
        " recvmsg control 256: 5\n"
        "  cmsg level 0 type 8 len 28: ifindex of eth0, spec_dst 10.0.2.15, addr 10.0.2.15\n"
        "  1 cmsgs, controllen 32, flags\n"), g.describe()


# In the namespace: the TTL and TOS (IP_RECVTTL, IP_RECVTOS), or hop
# limit and traffic class (IPV6_RECVHOPLIMIT, IPV6_RECVTCLASS), of the
# first datagram of each kind, one line each.
HEADERS_IN_NS = r"""
import select, socket, struct
s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s4.setsockopt(socket.IPPROTO_IP, 12, 1)      # IP_RECVTTL
s4.setsockopt(socket.IPPROTO_IP, 13, 1)      # IP_RECVTOS
s4.bind(("192.168.79.1", 9999))
s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s6.setsockopt(socket.IPPROTO_IPV6, 51, 1)    # IPV6_RECVHOPLIMIT
s6.setsockopt(socket.IPPROTO_IPV6, 66, 1)    # IPV6_RECVTCLASS
s6.bind(("fd00::1", 9999))
print("ready", flush=True)
seen = {}
while len(seen) < 6:
    ready, _, _ = select.select([s4, s6], [], [], 60)
    if not ready:
        break
    for s in ready:
        data, anc, _, _ = s.recvmsg(64, 256)
        head = {t: (struct.unpack("i", d)[0] if len(d) == 4 else d[0]) for _, t, d in anc}
        if s is s4:
            seen.setdefault(data.decode(), "ttl %d tos %#x" % (head[2], head[1]))
        else:
            seen.setdefault(data.decode(), "hop limit %d class %#x" % (head[52], head[67]))
for k in sorted(seen):
    print(k, seen[k])
"""


def test_a_send_s_ttl_and_tos_reach_the_wire():
    with network_namespace("pktinfo") as ns:
        host = subprocess.Popen(["ip", "netns", "exec", ns, sys.executable, "-c", HEADERS_IN_NS],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            assert host.stdout.readline() == b"ready\n"
            argv = amphi_argv("udp_pktinfo", "-send", "192.168.79.1", "fd00::1", 9999,
                              options=["--net", "tap=tap0", "--ip", "192.168.79.2/24",
                                       "--ip6", "fd00::2/64"])
            with Guest(None, argv=argv, prefix=["ip", "netns", "exec", ns]) as g:
                assert g.wait(60) == 0, g.describe()
            out, err = host.communicate(timeout=60)
        finally:
            host.kill()
    assert out.decode() == (
        "hop9 hop limit 9 class 0x0\n"
        "plain ttl 64 tos 0x0\n"
        "plain6 hop limit 64 class 0x0\n"
        "tclass32 hop limit 64 class 0x20\n"
        "tos16 ttl 64 tos 0x10\n"
        "ttl7 ttl 7 tos 0x0\n"), err.decode()

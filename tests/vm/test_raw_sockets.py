"""Raw IP sockets (SOCK_RAW), what ping and traceroute use, against
Linux 6.18.

The transcript is tests/progs/raw_icmp's on the host, as root, in a
network namespace of its own with lo up (`unshare -n`): the protocols
socket() takes (not 0, not negative or past IPPROTO_MAX) and the names a
raw socket gives (its protocol as the port); an ICMP echo to 127.0.0.1
as an IPv4 raw socket receives it, the request itself and then the
reply, each with its IPv4 header and a good sum; ICMP_FILTER dropping
the requests; MSG_OOB refused, a send without an address before
connect, connect with getpeername, bind (again, to an address not ours,
with a short address); a raw UDP socket's copy of a datagram over lo;
over IPv6 no header, the kernel summing what the program left at zero,
IPV6_CHECKSUM (ICMPv6's at 2, not to be moved from IPPROTO_IPV6's level,
no odd offset), ICMP6_FILTER, the hop limit as IPV6_RECVHOPLIMIT and RFC
2292's IPV6_2292HOPLIMIT give it, a destination port other than 0 or the
protocol refused; /proc/net/raw and raw6 (sl, a hash bucket on Linux,
and how much rx_queue holds, skb memory there, left out); and no raw
socket for a process without CAP_NET_RAW.
Before, socket(AF_INET, SOCK_RAW, ...) was ESOCKTNOSUPPORT, and ping
could not run.  Then Debian's busybox ping, unmodified, over loopback and
over a tap to the host's own stack, each way of IPv4 and IPv6."""

import os

from conftest import ROOT, amphi_argv, expect, network_namespace, routed_namespace, run
from netvm import Guest

import pytest

pytestmark = pytest.mark.usefixtures("amphi_works")

BUSYBOX = "/bin/busybox"
# Debian's iputils ping, dynamically linked; unpacked by make vmtest
# (tools/fetch-deb.sh iputils-ping), never installed.
IPUTILS_PING = os.path.join(ROOT, "deps", "deb", "iputils-ping", "root", "bin", "ping")

LINUX = """\
create:
 socket(AF_INET, SOCK_RAW, 0): EPROTONOSUPPORT
 socket(AF_INET, SOCK_RAW, 1): a socket
  SO_TYPE 3 SO_PROTOCOL 1
  getsockname: len 16 port 1 addr 0.0.0.0
 socket(AF_INET, SOCK_RAW, 17): a socket
  SO_TYPE 3 SO_PROTOCOL 17
  getsockname: len 16 port 17 addr 0.0.0.0
 socket(AF_INET, SOCK_RAW, -1): EINVAL
 socket(AF_INET, SOCK_RAW, 263): EINVAL
 socket(AF_INET6, SOCK_RAW, 0): EPROTONOSUPPORT
 socket(AF_INET6, SOCK_RAW, 58): a socket
  SO_TYPE 3 SO_PROTOCOL 58
  getsockname: len 28 port 58 addr ::
ipv4 echo:
 echo 1: 17
  37 bytes from 127.0.0.1 port 0 namelen 16: version 4 ihl 20 total 37 ttl 64 protocol 1 127.0.0.1 -> 127.0.0.1
  icmp type 8 code 0 id 0x1234 seq 1 payload "amphi raw" sum good
  37 bytes from 127.0.0.1 port 0 namelen 16: version 4 ihl 20 total 37 ttl 64 protocol 1 127.0.0.1 -> 127.0.0.1
  icmp type 0 code 0 id 0x1234 seq 1 payload "amphi raw" sum good
 get ICMP_FILTER: 0 mask 0 len 4
 set ICMP_FILTER 1 << 8: 0; get 0 mask 0x100
 echo 2: 17
  37 bytes from 127.0.0.1 port 0 namelen 16: version 4 ihl 20 total 37 ttl 64 protocol 1 127.0.0.1 -> 127.0.0.1
  icmp type 0 code 0 id 0x1234 seq 2 payload "amphi raw" sum good
 echo 3 MSG_OOB: EOPNOTSUPP
 echo 4 (connected): errno 89
 connect 127.0.0.1: 0
 getpeername: len 16 port 7 addr 127.0.0.1
 echo 5 (connected): 17
  37 bytes from 127.0.0.1 port 0 namelen 16: version 4 ihl 20 total 37 ttl 64 protocol 1 127.0.0.1 -> 127.0.0.1
  icmp type 0 code 0 id 0x1234 seq 5 payload "amphi raw" sum good
 poll: 1 revents 0x4
 recv when empty: EAGAIN
 bind 127.0.0.1 port 7: 0
 getsockname: len 16 port 1 addr 127.0.0.1
 bind again: 0
 bind 10.99.99.99: EADDRNOTAVAIL
 bind with a short address: EINVAL
raw udp:
 sendto: 8
  36 bytes from 127.0.0.1 port 0 namelen 16: version 4 ihl 20 total 36 ttl 64 protocol 17 127.0.0.1 -> 127.0.0.1
  udp 40124 -> 40123 length 16 "datagram"
 the UDP socket's recv: 8
ipv6 echo:
 get IPV6_CHECKSUM at SOL_RAW: 0 value 2
 set IPV6_CHECKSUM 4 at IPPROTO_IPV6: EINVAL
 set IPV6_CHECKSUM 3 at SOL_RAW: EINVAL
 set IPV6_RECVHOPLIMIT: 0
 echo 1: 17
  17 bytes from ::1 port 0 namelen 28 cmsg 41/52 64
  icmp type 128 code 0 id 0x4321 seq 1 payload "amphi raw" sum good
  17 bytes from ::1 port 0 namelen 28 cmsg 41/52 64
  icmp type 129 code 0 id 0x4321 seq 1 payload "amphi raw" sum good
 get ICMP6_FILTER: 0 len 32 passes all 1
 set ICMP6_FILTER replies only: 0
 set ICMP6_FILTER 8 bytes: 0
 echo 2: 17
  17 bytes from ::1 port 0 namelen 28 cmsg 41/52 64
  icmp type 129 code 0 id 0x4321 seq 2 payload "amphi raw" sum good
 sendto port 7: EINVAL
 set IPV6_2292PKTINFO: 0
 set IPV6_2292HOPLIMIT: 0
 sendto port 58: 17
  17 bytes from ::1 port 0 namelen 28 cmsg 41/52 64 cmsg 41/2 0 cmsg 41/8 64
  icmp type 129 code 0 id 0x4321 seq 3 payload "amphi raw" sum good
 getsockname: len 28 port 58 addr ::
proc:
 /proc/net/raw:
  sl local_address rem_address st tx_queue rx_queue tr tm->when retrnsmt uid timeout inode ref pointer drops
  0100007F:0001 00000000:0000 07 rx:queued 00:00000000 00000000 0 0 2 0
  0100007F:0011 0100007F:0000 01 rx:queued 00:00000000 00000000 0 0 2 0
 /proc/net/raw6:
  sl local_address remote_address st tx_queue rx_queue tr tm->when retrnsmt uid timeout inode ref pointer drops
  00000000000000000000000000000000:003A 00000000000000000000000000000000:0000 07 rx:empty 00:00000000 00000000 0 0 2 0
as nobody:
 socket(AF_INET, SOCK_RAW, 1): EPERM
 socket(AF_INET6, SOCK_RAW, 58): EPERM
"""


def test_raw_sockets_over_loopback_as_linux_gives_them():
    expect(run("raw_icmp"), LINUX)


def ping_summary(out, sent):
    return ("%d packets transmitted, %d packets received, 0%% packet loss" % (sent, sent)) in out


def test_busybox_ping_over_loopback():
    for args in (["127.0.0.1"], ["-6", "::1"]):
        r = run(BUSYBOX, "ping", "-c", "2", *args)
        assert r.status == 0 and ping_summary(r.stdout.decode(), 2), r.describe()
        assert b"ttl=64" in r.stdout, r.describe()


def test_iputils_ping_over_loopback_and_to_the_host():
    """Debian's own ping (iputils, with libcap and libidn2): a raw ICMP
    socket, SO_TIMESTAMP for each reply's time (it says "no SO_TIMESTAMP
    support" and falls back to SIOCGSTAMP without), IP_RECVERR (else "your
    kernel is veeery old") and IPV6_RECVERR (without which its IPv6 side
    refuses to start), over lo and over a tap."""
    for args, source in ((["127.0.0.1"], "127.0.0.1"), (["-6", "::1"], "::1")):
        r = run(IPUTILS_PING, "-c", "2", *args)
        out, err = r.stdout.decode(), r.stderr.decode()
        assert r.status == 0 and "2 packets transmitted, 2 received, 0% packet loss" in out, r.describe()
        assert "64 bytes from %s: icmp_seq=1 ttl=64" % source in out, r.describe()
        assert "SO_TIMESTAMP" not in err and "old" not in err, r.describe()
    with network_namespace("iputils") as ns:
        argv = amphi_argv(IPUTILS_PING, "-c", "2", "192.168.79.1",
                          options=["--net", "tap=tap0", "--ip", "192.168.79.2/24"])
        with Guest(None, argv=argv, prefix=["ip", "netns", "exec", ns]) as g:
            assert g.wait(120) == 0, g.describe()
    assert "2 packets transmitted, 2 received, 0% packet loss" in g.out.decode(), g.describe()


# The guest's IPv6 address answers nothing until its duplicate check ends,
# and busybox's ping ends at a send that fails: it is tried until one
# reply comes (at most 50 times), then counted.
PING_THE_HOST = """\
ping -c 2 192.168.79.1
i=0
until ping -6 -c 1 -W 2 fd00::1 >/dev/null 2>&1 || [ $i -ge 50 ]; do i=$((i+1)); sleep 0.2; done
ping -6 -c 2 fd00::1
"""


def test_busybox_ping_reaches_the_host_over_a_tap():
    with network_namespace("ping") as ns:
        argv = amphi_argv(BUSYBOX, "sh", "-c", PING_THE_HOST,
                          options=["--net", "tap=tap0", "--ip", "192.168.79.2/24",
                                   "--ip6", "fd00::2/64"])
        with Guest(None, argv=argv, prefix=["ip", "netns", "exec", ns]) as g:
            assert g.wait(120) == 0, g.describe()
            out = g.out.decode()
    assert out.count("2 packets transmitted, 2 packets received, 0% packet loss") == 2, out
    assert "64 bytes from 192.168.79.1: seq=0 ttl=64" in out, out
    assert "64 bytes from fd00::1: seq=0 ttl=64" in out, out


def test_busybox_traceroute_finds_the_router_between():
    """The guest on tap0 behind the namespace's forwarding (192.168.79.1),
    a second namespace at 10.9.9.2 beyond a veth pair: traceroute's probes
    with TTL 1 come back as the router's "time exceeded", the next ones as
    the far end's "port unreachable" (UDP probes) or echo reply (-I), each
    read by a raw ICMP socket."""
    with routed_namespace() as ns:
        for probe in ([], ["-I"]):
            argv = amphi_argv(BUSYBOX, "traceroute", *probe, "-n", "-m", "4", "-q", "1", "-w", "5",
                              "10.9.9.2", options=["--net", "tap=tap0", "--ip", "192.168.79.2/24",
                                                   "--gw", "192.168.79.1"])
            with Guest(None, argv=argv, prefix=["ip", "netns", "exec", ns]) as g:
                assert g.wait(120) == 0, g.describe()
            hops = [line.split()[:2] for line in g.out.decode().splitlines()[1:]]
            assert hops == [["1", "192.168.79.1"], ["2", "10.9.9.2"]], g.describe()

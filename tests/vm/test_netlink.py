"""NETLINK_ROUTE sockets (kernel/net/netlink*.c, rtnetlink*.c).

Before, socket(AF_NETLINK) was EAFNOSUPPORT: iproute2's and busybox's ip
failed at once, and musl's getifaddrs and if_nameindex found nothing.

The transcript (tests/progs/netlink_calls.c, as uid 65534 with a NIC) is the
same program's on Linux 6.18, also as uid 65534; it prints lo and never
eth0, whose addresses differ between machines.  The tools' outputs are
amphi's under QEMU's user networking, each line checked by hand against
what Linux prints for the same addresses.  netlink_fuzz.c sends random
requests from four threads, leaves replies unread and dumps half read:
every reply must be well formed and the queue bounded."""
import json
import re
import shutil

import pytest

from conftest import PROGS, expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

USER_NET = ["--net", "user"]
AS_USER = ["--user", "65534:65534"]
IP = shutil.which("ip")
BUSYBOX = "/bin/busybox"

TRANSCRIPT = (
    'socket raw: 0\n'
    'socket dgram: 0\n'
    'socket stream: ESOCKTNOSUPPORT\n'
    'socket seqpacket: ESOCKTNOSUPPORT\n'
    'socket protocol 32: EPROTONOSUPPORT\n'
    'socket protocol -1: EPROTONOSUPPORT\n'
    'socketpair: EOPNOTSUPP\n'
    'getsockname unbound: 0 len 12 family 16 pid 0 groups 0\n'
    'bind short: EINVAL\n'
    'bind inet: EINVAL\n'
    'bind 0: 0 pid is getpid 1\n'
    'bind again other pid: EINVAL\n'
    'bind again same pid: 0\n'
    'bind taken pid: EADDRINUSE\n'
    'bind 0 second: 0 negative 1\n'
    'bind groups: 0\n'
    'getsockname groups: 0x11\n'
    'getpeername: 0 len 12 pid 0 groups 0\n'
    'connect unspec: 0\n'
    'connect short: EINVAL\n'
    'connect kernel: 0\n'
    'connect other pid: EPERM\n'
    'listen: EOPNOTSUPP\n'
    'accept: EOPNOTSUPP\n'
    'shutdown: EOPNOTSUPP\n'
    'add membership 0: EINVAL\n'
    'add membership 1000: EINVAL\n'
    'add membership 5: 0\n'
    'add membership 33: 0\n'
    'list memberships: 0 len 8 0x10 0x1\n'
    'drop membership 5: 0\n'
    'list memberships short: len 8 0x0\n'
    'ext ack: 0\n'
    'get ext ack short: EINVAL\n'
    'get ext ack: 0 1 len 4\n'
    'set short: 0\n'
    'unknown option: ENOPROTOOPT\n'
    'level ip: ENOPROTOOPT\n'
    'rcvbuf: 0 now 200000\n'
    'so_type: 0 3\n'
    'so_protocol: 0 0\n'
    'getlink lo: 32\n'
    ' NEWLINK flags 0x0 seq ok pid ok\n'
    '  index 1 type 772 flags 0x10049\n'
    '  ifname lo\n'
    '  txqlen 1000\n'
    '  operstate 0\n'
    '  linkmode 0\n'
    '  mtu 65536\n'
    '  numtxqueues 1\n'
    '  carrier 1\n'
    '  address 00:00:00:00:00:00\n'
    '  broadcast 00:00:00:00:00:00\n'
    '  stats64 200 bytes\n'
    '  qdisc noqueue\n'
    ' recv EAGAIN\n'
    'getlink lo with ack: 32\n'
    ' NEWLINK flags 0x0 seq ok pid ok\n'
    '  index 1 type 772 flags 0x10049\n'
    '  ifname lo\n'
    '  txqlen 1000\n'
    '  operstate 0\n'
    '  linkmode 0\n'
    '  mtu 65536\n'
    '  numtxqueues 1\n'
    '  carrier 1\n'
    '  address 00:00:00:00:00:00\n'
    '  broadcast 00:00:00:00:00:00\n'
    '  stats64 200 bytes\n'
    '  qdisc noqueue\n'
    ' ERROR flags 0x100 seq ok pid ok len 36 error 0 echoes type 18 len 32\n'
    ' recv EAGAIN\n'
    'getlink by name: 40\n'
    ' NEWLINK flags 0x0 seq ok pid ok\n'
    '  index 1 type 772 flags 0x10049\n'
    '  ifname lo\n'
    '  txqlen 1000\n'
    '  operstate 0\n'
    '  linkmode 0\n'
    '  mtu 65536\n'
    '  numtxqueues 1\n'
    '  carrier 1\n'
    '  address 00:00:00:00:00:00\n'
    '  broadcast 00:00:00:00:00:00\n'
    '  stats64 200 bytes\n'
    '  qdisc noqueue\n'
    ' recv EAGAIN\n'
    'getlink named 23 bytes: 60\n'
    ' ERROR flags 0x0 seq ok pid ok len 80 error -34 echoes type 18 len 60\n'
    ' recv EAGAIN\n'
    'getlink named 16 bytes, no NUL: 52\n'
    ' ERROR flags 0x0 seq ok pid ok len 72 error -34 echoes type 18 len 52\n'
    ' recv EAGAIN\n'
    'getlink named empty: 36\n'
    ' ERROR flags 0x0 seq ok pid ok len 56 error -34 echoes type 18 len 36\n'
    ' recv EAGAIN\n'
    'getlink named 15 bytes: 52\n'
    ' ERROR flags 0x0 seq ok pid ok len 72 error -19 echoes type 18 len 52\n'
    ' recv EAGAIN\n'
    'getlink 9999: 32\n'
    ' ERROR flags 0x0 seq ok pid ok len 52 error -19 echoes type 18 len 32\n'
    ' recv EAGAIN\n'
    'getlink no index, no name: 32\n'
    ' ERROR flags 0x0 seq ok pid ok len 52 error -22 echoes type 18 len 32\n'
    ' recv EAGAIN\n'
    'getlink short body: 20\n'
    ' ERROR flags 0x0 seq ok pid ok len 40 error -22 echoes type 18 len 20\n'
    ' recv EAGAIN\n'
    'getlink no body, ack: 16\n'
    ' ERROR flags 0x100 seq ok pid ok len 36 error 0 echoes type 18 len 16\n'
    ' recv EAGAIN\n'
    'newlink no body, ack: 16\n'
    ' ERROR flags 0x100 seq ok pid ok len 36 error 0 echoes type 16 len 16\n'
    ' recv EAGAIN\n'
    'dump links: 32\n'
    ' NEWLINK flags 0x2 seq ok pid ok\n'
    '  index 1 type 772 flags 0x10049\n'
    '  ifname lo\n'
    '  txqlen 1000\n'
    '  operstate 0\n'
    '  linkmode 0\n'
    '  mtu 65536\n'
    '  numtxqueues 1\n'
    '  carrier 1\n'
    '  address 00:00:00:00:00:00\n'
    '  broadcast 00:00:00:00:00:00\n'
    '  stats64 200 bytes\n'
    '  qdisc noqueue\n'
    ' DONE flags 0x2 seq ok pid ok len 20 status 0\n'
    ' (and messages for other interfaces)\n'
    ' recv EAGAIN\n'
    'dump v4 addresses: 24\n'
    ' NEWADDR flags 0x2 seq ok pid ok len 76\n'
    '  family 2 prefixlen 8 flags 0x80 scope 254 index 1\n'
    '  address 127.0.0.1\n'
    '  local 127.0.0.1\n'
    '  label lo\n'
    '  flags 0x80\n'
    '  cacheinfo prefered -1 valid -1\n'
    ' DONE flags 0x2 seq ok pid ok len 20 status 0\n'
    ' (and messages for other interfaces)\n'
    ' recv EAGAIN\n'
    'dump v6 addresses: 24\n'
    ' NEWADDR flags 0x2 seq ok pid ok len 80\n'
    '  family 10 prefixlen 128 flags 0x80 scope 254 index 1\n'
    '  address 0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1\n'
    '  cacheinfo prefered -1 valid -1\n'
    '  flags 0x80\n'
    '  proto 1\n'
    ' DONE flags 0x2 seq ok pid ok len 20 status 0\n'
    ' (and messages for other interfaces)\n'
    ' recv EAGAIN\n'
    'newaddr as user: 24\n'
    ' ERROR flags 0x0 seq ok pid ok len 44 error -1 echoes type 20 len 24\n'
    ' recv EAGAIN\n'
    'type 200: 24\n'
    ' ERROR flags 0x0 seq ok pid ok len 44 error -95 echoes type 200 len 24\n'
    ' recv EAGAIN\n'
    'noop with ack: 24\n'
    ' ERROR flags 0x100 seq ok pid ok len 36 error 0 echoes type 1 len 24\n'
    ' recv EAGAIN\n'
    'no request flag: 24\n'
    ' ERROR flags 0x100 seq ok pid ok len 36 error 0 echoes type 18 len 24\n'
    ' recv EAGAIN\n'
    'short header: 8\n'
    ' recv EAGAIN\n'
    'shorter than a header: 4\n'
    ' recv EAGAIN\n'
    'empty: ENODATA\n'
    ' recv EAGAIN\n'
    'to another pid: EPERM\n'
    'to a group: EPERM\n'
    'to short name: EINVAL\n'
    'to inet name: EINVAL\n'
    'oob: EOPNOTSUPP\n'
    'recv oob: EOPNOTSUPP\n'
    'poll empty: 1 revents 0x4\n'
    'poll ready: 1 revents 0x5\n'
    'peek trunc 0: size over 100 1\n'
    'peek 16: 16 flags 0x20\n'
    'recv 16 trunc: equals full 1 flags 0x20\n'
    'then: EAGAIN\n'
    'read: equals full 1\n'
    'write garbage: 8\n'
    'then: EAGAIN\n'
    'getifaddrs: 0\n'
    ' lo family 17 flags 0x10049 data yes\n'
    ' lo family 2 flags 0x10049 addr 0100007f mask 000000ff data no\n'
    ' lo family 10 flags 0x10049 addr ends 1 data no\n'
    'if_nameindex: 1 lo\n'
    'if_nametoindex lo: 1\n'
    'if_indextoname 1: lo\n'
)


def test_netlink_calls_match_linux():
    expect(run("netlink_calls", options=AS_USER + USER_NET), TRANSCRIPT)


@pytest.mark.parametrize("user", [False, True], ids=["root", "user"])
@pytest.mark.parametrize("smp", [1, 4])
def test_hostile_requests(smp, user):
    want = ("fuzz: bad datagrams 0\n"
            "unread: ENOBUFS once 1, queued under twice the buffer 1\n"
            "dribble: datagrams 1, ends with done 1\n"
            "after: lo answers 1\n")
    expect(run("netlink_fuzz", smp=smp, options=(AS_USER if user else []) + USER_NET), want)


BUSYBOX_ADDR = (
    "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue qlen 1000\n"
    "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n"
    "    inet 127.0.0.1/8 scope host lo\n"
    "       valid_lft forever preferred_lft forever\n"
    "    inet6 ::1/128 scope host \n"
    "       valid_lft forever preferred_lft forever\n"
    "2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue qlen 1000\n"
    "    link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff\n"
    "    inet 10.0.2.15/24 brd 10.0.2.255 scope global eth0\n"
    "       valid_lft forever preferred_lft forever\n"
    "    inet6 fe80::5054:ff:fe12:3456/64 scope link \n"
    "       valid_lft forever preferred_lft forever\n"
    "default via 10.0.2.2 dev eth0 \n"
    "10.0.2.0/24 dev eth0 scope link  src 10.0.2.15 \n")


def without_tentative(out):
    """The link-local address is tentative until duplicate detection ends,
    a second or so after boot: either is right."""
    return out.decode().replace("scope link tentative ", "scope link ")


@pytest.mark.skipif(not shutil.which(BUSYBOX), reason="needs busybox-static")
def test_busybox_ip():
    r = run(BUSYBOX, "sh", "-c", "ip addr && ip route", options=USER_NET)
    assert (r.status, without_tentative(r.stdout), r.stderr) == (0, BUSYBOX_ADDR, b""), r.describe()


IPROUTE2 = {
    ("-br", "addr"): (
        "lo               UNKNOWN        127.0.0.1/8 ::1/128 \n"
        "eth0             UP             10.0.2.15/24 fe80::5054:ff:fe12:3456/64 \n"),
    ("link",): (
        "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT "
        "group default qlen 1000\n"
        "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n"
        "2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT "
        "group default qlen 1000\n"
        "    link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff\n"),
    ("route", "get", "8.8.8.8"): "8.8.8.8 via 10.0.2.2 dev eth0 src 10.0.2.15 \n    cache \n",
    ("route", "get", "10.0.2.3"): "10.0.2.3 dev eth0 src 10.0.2.15 \n    cache \n",
    ("route", "get", "10.0.2.15"): "local 10.0.2.15 dev lo src 10.0.2.15 \n    cache <local> \n",
}


@pytest.mark.skipif(not IP, reason="needs iproute2's ip")
@pytest.mark.parametrize("args", sorted(IPROUTE2), ids=" ".join)
def test_iproute2(args):
    r = run(IP, *args, options=USER_NET)
    assert (r.status, without_tentative(r.stdout), r.stderr) == (0, IPROUTE2[args], b""), r.describe()


# Once eth0's addresses are past duplicate detection (route_dad waits for
# its link-local one and the one from the router's prefix): Linux 6's
# routes for them, main table before local, as /proc/net/ipv6_route has
# them too (both come from net/route_list.c).  Linux would add "expires"
# to the prefix and default routes a router gave; amphi does not.
SETTLED_ROUTES = (
    "valid: prefix route yes, local route yes\n"
    "default via 10.0.2.2 dev eth0 proto dhcp \n"
    "10.0.2.0/24 dev eth0 proto kernel scope link src 10.0.2.15 \n"
    "local 10.0.2.15 dev eth0 table local proto kernel scope host src 10.0.2.15 \n"
    "broadcast 10.0.2.255 dev eth0 table local proto kernel scope link src 10.0.2.15 \n"
    "local 127.0.0.0/8 dev lo table local proto kernel scope host src 127.0.0.1 \n"
    "local 127.0.0.1 dev lo table local proto kernel scope host src 127.0.0.1 \n"
    "broadcast 127.255.255.255 dev lo table local proto kernel scope link src 127.0.0.1 \n"
    "fe80::/64 dev eth0 proto kernel metric 256 pref medium\n"
    "fec0::/64 dev eth0 proto kernel metric 256 pref medium\n"
    "default via fe80::2 dev eth0 proto ra metric 1024 pref medium\n"
    "local ::1 dev lo table local proto kernel metric 0 pref medium\n"
    "local fe80::5054:ff:fe12:3456 dev eth0 table local proto kernel metric 0 pref medium\n"
    "local fec0::5054:ff:fe12:3456 dev eth0 table local proto kernel metric 0 pref medium\n"
    "multicast ff00::/8 dev eth0 table local proto kernel metric 256 pref medium\n")


@pytest.mark.skipif(not IP, reason="needs iproute2's ip")
def test_iproute2_routes_settled():
    r = run(IP, "route", "show", "table", "all",
            options=USER_NET + ["--before", PROGS + "/route_dad wait"])
    assert (r.status, r.stdout.decode(), r.stderr) == (0, SETTLED_ROUTES, b""), r.describe()


def test_routes_during_duplicate_detection():
    """A tentative address's prefix is routed at once, the address itself
    only once detection has passed it, as on Linux (before, /proc/net
    routed neither and rtnetlink both)."""
    r = run("route_dad", options=USER_NET)
    if r.stdout.startswith(b"valid"):
        pytest.skip("duplicate detection ended before the program looked")
    expect(r, "tentative: prefix route yes, local route no\n")


@pytest.mark.skipif(not IP, reason="needs iproute2's ip")
@pytest.mark.parametrize("user, why", [(False, "Operation not supported"),
                                       (True, "Operation not permitted")], ids=["root", "user"])
def test_iproute2_changes_refused(user, why):
    """Nothing changes the network through netlink yet: root is told so,
    a user is refused first, as on Linux."""
    r = run(IP, "addr", "add", "192.0.2.9/24", "dev", "eth0",
            options=(AS_USER if user else []) + USER_NET)
    assert (r.status, r.stdout, r.stderr.decode()) == (2, b"", "RTNETLINK answers: %s\n" % why), \
        r.describe()


def test_address_notification():
    """eth0's link-local address is tentative for a second or so after
    the NIC comes up; a listener to RTMGRP_IPV6_IFADDR hears it become
    valid, as from Linux (before, nothing was ever sent to a group)."""
    r = run("netlink_watch", options=USER_NET)
    if r.stdout.startswith(b"dump: link-local valid"):
        pytest.skip("duplicate detection ended before the program looked")
    expect(r, "dump: link-local tentative\n"
              "notification: new link-local valid, seq 0 pid 0, from pid 0 group 0x100\n")


@pytest.mark.skipif(not IP, reason="needs iproute2's ip")
def test_iproute2_link_counters():
    """ip -s link reads IFLA_STATS64: eth0 has taken DHCP's answers and sent
    its requests by the time the program runs; lo has carried nothing."""
    r = run(IP, "-s", "-j", "link", options=USER_NET)
    assert (r.status, r.stderr) == (0, b""), r.describe()
    links = {x["ifname"]: x["stats64"] for x in json.loads(r.stdout)}
    assert links["lo"]["rx"]["packets"] == links["lo"]["tx"]["packets"] == 0, r.describe()
    assert links["eth0"]["rx"]["packets"] > 0 and links["eth0"]["tx"]["packets"] > 0, r.describe()
    assert links["eth0"]["rx"]["bytes"] > 60 * links["eth0"]["rx"]["packets"], r.describe()


@pytest.mark.skipif(not shutil.which(BUSYBOX), reason="needs busybox-static")
def test_neighbours():
    """ip -4 neigh (RTM_GETNEIGH) lists lwIP's ARP table: empty at first,
    the gateway once a connection was tried (before, EOPNOTSUPP and "Dump
    terminated")."""
    r = run(BUSYBOX, "sh", "-c", "echo first:; ip -4 neigh; wget -q -O /dev/null http://10.0.2.2:1/; "
            "echo then:; ip -4 neigh", options=USER_NET)
    assert r.stdout == (b"first:\nthen:\n10.0.2.2 dev eth0 lladdr 52:55:0a:00:02:02 "
                        b"used 0/0/0 probes 0 REACHABLE\n"), r.describe()
    if IP:
        r = run(IP, "-4", "neigh", options=USER_NET)
        assert (r.status, r.stdout, r.stderr) == (0, b"", b""), r.describe()


@pytest.mark.skipif(not IP, reason="needs iproute2's ip")
def test_ipv6_neighbours():
    """Once eth0 has its address from the router's prefix, the router is
    in lwIP's neighbour cache, and ip neigh shows it after the (empty)
    ARP table, flagged a router, as Linux does (before, IPv6's cache was
    never listed)."""
    r = run(IP, "neigh", options=USER_NET + ["--before", PROGS + "/route_dad wait"])
    assert r.status == 0 and r.stderr == b"", r.describe()
    assert re.fullmatch(rb"valid: prefix route yes, local route yes\n"
                        rb"fe80::2 dev eth0 lladdr 52:56:00:00:00:02 router (REACHABLE|STALE|DELAY|PROBE) \n",
                        r.stdout), r.describe()

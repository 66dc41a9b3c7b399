"""iproute2 commands beyond tests/vm/test_netlink.py's, each against the
host's Linux 6.18 for the same request.

Before, `ip mroute` (a route dump of RTNL_FAMILY_IPMR) got every unicast
route and said "Non multicast route received, kernel does support IP
multicast?"; Linux answers with its multicast forwarding routes, of
which amphi has none.  RTM_GETRULE was EOPNOTSUPP, so `ip rule` said
"RTNETLINK answers: Operation not supported"; Linux lists its default
rules, which amphi's routing matches.  `ip route get` sent 0.0.0.0 (and
a request naming no address) out through the gateway, where Linux
answers "local ... dev lo", sent multicast and broadcast addresses to the
gateway as unicast, took a 2-byte RTA_DST for 0.0.0.0 (Linux: ERANGE)
and said EAFNOSUPPORT for a family Linux has no handler for
(EOPNOTSUPP).  `ip -6 route get` was EOPNOTSUPP; Linux answers from its
local table, then the main table's longest prefix, with the source its
address selection picks."""
import shutil

import pytest

from conftest import PROGS, expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")
needs_ip = pytest.mark.skipif(not shutil.which("ip"), reason="needs iproute2's ip")

IP = shutil.which("ip")
USER_NET = ["--net", "user"]


@needs_ip
def test_ip_maddr_lists_lo_groups_as_on_linux():
    """iproute2 reads /proc/net/igmp and igmp6 (Linux 6.18, `unshare -n`
    with lo up, gives exactly this); before, amphi had neither file and
    ip printed only the interface's name."""
    r = run(IP, "maddr", "show", "dev", "lo", options=USER_NET)
    expect(r, "1:\tlo\n\tinet  224.0.0.1\n\tinet6 ff02::1\n\tinet6 ff01::1\n")


@needs_ip
def test_ip_mroute_lists_nothing():
    r = run(IP, "mroute", options=USER_NET + ["--user", "65534:65534"])
    assert (r.status, r.stdout, r.stderr) == (0, b"", b""), r.describe()


# tests/progs/netlink_rules.c on Linux 6.18 as uid 65534, its rules the defaults.
RULES = (
    'family 2 flags 0x301:\n'
    ' datagram 192\n'
    '  type 32 flags 0x2 len 52: 02000000 ff000001 00000000 08000f00 ff000000 08000e00 ffffffff 05001500 02000000\n'
    '  type 32 flags 0x2 len 60: 02000000 fe000001 00000000 08000f00 fe000000 08000e00 ffffffff 05001500 02000000 08000600 fe7f0000\n'
    '  type 32 flags 0x2 len 60: 02000000 fd000001 00000000 08000f00 fd000000 08000e00 ffffffff 05001500 02000000 08000600 ff7f0000\n'
    '  type 3 flags 0x2 len 20: 00000000\n'
    'family 10 flags 0x301:\n'
    ' datagram 132\n'
    '  type 32 flags 0x2 len 52: 0a000000 ff000001 00000000 08000f00 ff000000 08000e00 ffffffff 05001500 02000000\n'
    '  type 32 flags 0x2 len 60: 0a000000 fe000001 00000000 08000f00 fe000000 08000e00 ffffffff 05001500 02000000 08000600 fe7f0000\n'
    '  type 3 flags 0x2 len 20: 00000000\n'
    'family 0 flags 0x301:\n'
    ' datagram 304\n'
    '  type 32 flags 0x2 len 52: 02000000 ff000001 00000000 08000f00 ff000000 08000e00 ffffffff 05001500 02000000\n'
    '  type 32 flags 0x2 len 60: 02000000 fe000001 00000000 08000f00 fe000000 08000e00 ffffffff 05001500 02000000 08000600 fe7f0000\n'
    '  type 32 flags 0x2 len 60: 02000000 fd000001 00000000 08000f00 fd000000 08000e00 ffffffff 05001500 02000000 08000600 ff7f0000\n'
    '  type 32 flags 0x2 len 52: 0a000000 ff000001 00000000 08000f00 ff000000 08000e00 ffffffff 05001500 02000000\n'
    '  type 32 flags 0x2 len 60: 0a000000 fe000001 00000000 08000f00 fe000000 08000e00 ffffffff 05001500 02000000 08000600 fe7f0000\n'
    '  type 3 flags 0x2 len 20: 00000000\n'
    'family 2 flags 0x5:\n'
    ' datagram 48\n'
    '  type 2 flags 0x0 len 48: a1ffffff 1c000000 22000500 09000000 00000000 02000000 00000000 00000000\n'
    'family 7 flags 0x301:\n'
    ' datagram 20\n'
    '  type 3 flags 0x2 len 20: 9fffffff\n'
)


def test_rule_dumps_match_linux():
    expect(run("netlink_rules", options=["--user", "65534:65534"]), RULES)


@needs_ip
@pytest.mark.parametrize("family, out", [
    ("-4", "0:\tfrom all lookup local\n32766:\tfrom all lookup main\n"
           "32767:\tfrom all lookup default\n"),
    ("-6", "0:\tfrom all lookup local\n32766:\tfrom all lookup main\n")], ids=["4", "6"])
def test_ip_rule(family, out):
    r = run(IP, family, "rule", options=USER_NET)
    assert (r.status, r.stdout.decode(), r.stderr) == (0, out, b""), r.describe()


# tests/progs/netlink_routeget.c on Linux 6.18 as uid 65534.
ROUTEGET = (
    'no dst: type 24 type 2 dst_len 32 flags 0x80000200 table 254 scope 0 proto 0 attr15 254 attr1 0.0.0.0 attr4 1 attr7 127.0.0.1\n'
    'dst 127.0.0.1: type 24 type 2 dst_len 32 flags 0x80000200 table 254 scope 0 proto 0 attr15 254 attr1 127.0.0.1 attr4 1 attr7 127.0.0.1\n'
    'dst 2 bytes: type 2 err -34\n'
    'dst 8 bytes: type 24 type 2 dst_len 32 flags 0x80000200 table 254 scope 0 proto 0 attr15 254 attr1 127.0.0.1 attr4 1 attr7 127.0.0.1\n'
    'body 1 byte: type 2 err -22\n'
    'body 8 bytes: type 2 err -22\n'
    'family 0: type 2 err -95\n'
    'family 7: type 2 err -95\n'
    'dst 127.0.0.5: type 24 type 2 dst_len 32 flags 0x80000200 table 254 scope 0 proto 0 attr15 254 attr1 127.0.0.5 attr4 1 attr7 127.0.0.1\n'
    'dst 0.0.0.0: type 24 type 2 dst_len 32 flags 0x80000200 table 254 scope 0 proto 0 attr15 254 attr1 0.0.0.0 attr4 1 attr7 127.0.0.1\n'
    'v6 dst ::1: type 24 type 2 dst_len 128 src_len 128 flags 0x0 table 255 scope 0 proto 2 15/8=255 1/20=::1 2/20=:: 7/20=::1 6/8=0 4/8=1 12/36 20/5\n'
    'v6 dst 4 bytes: type 2 err -22\n'
    'v6 dst 20 bytes: type 24 type 2 dst_len 128 src_len 128 flags 0x0 table 255 scope 0 proto 2 15/8=255 1/20=::1 2/20=:: 7/20=::1 6/8=0 4/8=1 12/36 20/5\n'
    'v6 oif 2 bytes: type 2 err -34\n'
    'v6 body 8 bytes: type 2 err -22\n'
)


def test_route_get_requests_match_linux():
    expect(run("netlink_routeget", options=["--user", "65534:65534"] + USER_NET), ROUTEGET)


# What Linux 6.18 prints for the same addresses on eth0 10.0.2.15/24 via
# 10.0.2.2 (multicast's "rt_offload_failed" is iproute2 reading
# RTCF_MULTICAST's bit as RTM_F_OFFLOAD_FAILED, on Linux too).
ROUTE_GET = {
    "0.0.0.0": "local 0.0.0.0 dev lo src 127.0.0.1 \n    cache <local> \n",
    "224.0.0.1": "multicast 224.0.0.1 dev eth0 src 10.0.2.15 rt_offload_failed \n"
                 "    cache <local,mc> \n",
    "224.1.2.3": "multicast 224.1.2.3 dev eth0 src 10.0.2.15 rt_offload_failed \n    cache <mc> \n",
    "255.255.255.255": "broadcast 255.255.255.255 dev eth0 src 10.0.2.15 \n    cache <local,brd> \n",
    "10.0.2.255": "broadcast 10.0.2.255 dev eth0 src 10.0.2.15 \n    cache <local,brd> \n",
}


@needs_ip
@pytest.mark.parametrize("dst", sorted(ROUTE_GET))
def test_ip_route_get(dst):
    r = run(IP, "route", "get", dst, options=USER_NET)
    assert (r.status, r.stdout.decode(), r.stderr) == (0, ROUTE_GET[dst], b""), r.describe()


# Linux 6.18's answers for the same routes (eth0 with fe80::5054:ff:fe12:3456
# and fec0::5054:ff:fe12:3456 from the router fe80::2's prefix), the
# addresses past duplicate detection: a global destination from the
# site-local address (RFC 6724's larger scope), link scope from the
# link-local one, our own address through lo.  Linux would add "expires"
# to the router's route; amphi gives none.
ROUTE_GET6 = {
    "2001:db8::1": "2001:db8::1 from :: via fe80::2 dev eth0 proto ra src fec0::5054:ff:fe12:3456 "
                   "metric 1024 pref medium\n",
    "fec0::5": "fec0::5 from :: dev eth0 proto kernel src fec0::5054:ff:fe12:3456 metric 256 pref medium\n",
    "fec0::5054:ff:fe12:3456": "local fec0::5054:ff:fe12:3456 from :: dev lo table local proto kernel "
                               "src fec0::5054:ff:fe12:3456 metric 0 pref medium\n",
    "ff02::1": "multicast ff02::1 from :: dev eth0 table local proto kernel src fe80::5054:ff:fe12:3456 "
               "metric 256 pref medium\n",
    "fe80::9": "fe80::9 from :: dev eth0 proto kernel src fe80::5054:ff:fe12:3456 metric 256 pref medium\n",
}


@needs_ip
@pytest.mark.parametrize("dst", sorted(ROUTE_GET6))
def test_ip6_route_get(dst):
    r = run(IP, "-6", "route", "get", dst, options=USER_NET + ["--before", PROGS + "/route_dad wait"])
    assert (r.status, r.stdout.decode(), r.stderr) == \
        (0, "valid: prefix route yes, local route yes\n" + ROUTE_GET6[dst], b""), r.describe()

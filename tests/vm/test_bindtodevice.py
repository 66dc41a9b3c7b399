"""SO_BINDTODEVICE and SO_BINDTOIFINDEX on inet sockets, against Linux 6.18:
the names and indexes they take and give back, a TCP listener or UDP
receiver bound to the NIC deaf to what comes through lo, an accepted
connection keeping its listener's binding, an ordinary user's binding
fixed once made, and AF_UNIX and netlink sockets keeping a binding they
make nothing of.  Before, binding to a real interface was ENOPROTOOPT on
inet sockets and EINVAL on the others.

The transcript is tests/progs/bindtodevice's on the host, as root, in a
network namespace of its own with lo and a veth pair (`unshare -n`, then
`ip link add v0 type veth peer name v1`, both up, 10.9.0.1/24 on v0),
given v0: it prints the NIC's name as IF."""

import os

import pytest

from conftest import expect, run
from test_proc_net import TOOLS, guest_tree

LINUX = """\
fresh tcp: bound to "" (length 0, 0), index 0 0
tcp: set nosuch: ENODEV
tcp: set lo: 0
tcp: bound to "lo" (its length, 0), index 0 1 (lo)
tcp: get into 2 bytes: EINVAL
tcp: set IF: 0
tcp: bound to "IF" (its length, 0), index 0 IF's
tcp: set : 0
tcp: bound to "" (length 0, 0), index 0 0
tcp: set index -1: EINVAL
tcp: set index 999: 0
tcp: set index 1: 0
tcp: bound to "lo" (its length, 0), index 0 1 (lo)
tcp: set index 0: 0
tcp: bound to "" (length 0, 0), index 0 0
tcp listener on IF: connect to 127.0.0.1: ECONNREFUSED
tcp listener on lo: connect to 127.0.0.1: 0
  accepted: bound to "lo" (its length, 0), index 0 1 (lo)
udp receiver on IF: datagram to 127.0.0.1 did not come
udp receiver on lo: datagram to 127.0.0.1 came
unix stream: set lo: 0
unix stream: get: 0 "lo"
unix stream: set index 0: 0
unix stream: bound to "" (length 0, 0), index 0 0
unix datagram: set lo: 0
unix datagram: get: 0 "lo"
unix datagram: set index 0: 0
unix datagram: bound to "" (length 0, 0), index 0 0
netlink: set lo: 0
netlink: get: 0 "lo"
netlink: set index 0: 0
netlink: bound to "" (length 0, 0), index 0 0
user: set lo: 0
user: set IF: EPERM
user: set : EPERM
user: set index 0: EPERM
user: bound to "lo" (its length, 0), index 0 1 (lo)
user, fresh socket: set IF: 0
"""


def test_bindtodevice_as_linux_has_it():
    expect(run("bindtodevice", "eth0", options=["--net", "user"]), LINUX)


# `ss -tln`, then `ss -tln dev lo`, with a listener bound to lo (Linux 6.18,
# the same namespace): the binding shows as %lo, and the filter keeps it.
SS = """\
State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess
LISTEN 0      4         0.0.0.0%lo:40200      0.0.0.0:*          
""" * 2


def test_ss_shows_the_binding(tmp_path):
    if not all(os.path.exists(t) for t in TOOLS):
        pytest.skip("needs %s (iproute2)" % " ".join(TOOLS))
    tree = str(tmp_path / "tree")
    guest_tree(tree)
    expect(run("bindtodevice", "eth0", "ss", mem="256M",
               options=["--net", "user", "--files", tree + ":/"]), SS)

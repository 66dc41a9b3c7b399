"""All of 127/8 is local, as on Linux, against Linux 6.18.

The transcript is tests/progs/bind_local's on the host in a network
namespace of its own with lo up (`unshare -n`): UDP sockets bound to
127.0.0.2 and 127.1.2.3 receive what an unbound socket sends there (from
127.0.0.1) and answer from their own address; a TCP listener on
127.0.0.2 accepts a connection whose ends name 127.0.0.1 and 127.0.0.2;
an address no interface has is still EADDRNOTAVAIL.  Before, binding to
127.0.0.2 was EADDRNOTAVAIL: lwIP's lo took only 127.0.0.1, in and out
(tools/patches/lwip/21)."""

import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

LINUX = """\
udp 127.0.0.2:
 bind: 0, name 127.0.0.2
 sendto: 4
 recvfrom: 4 from 127.0.0.1
 answer: 4
 the sender's recvfrom: 4 from 127.0.0.2
udp 127.1.2.3:
 bind: 0, name 127.1.2.3
 sendto: 4
 recvfrom: 4 from 127.0.0.1
 answer: 4
 the sender's recvfrom: 4 from 127.1.2.3
tcp 127.0.0.2:
 bind: 0; listen: 0
 connect: 0
 accept: a socket
 client 127.0.0.1 -> 127.0.0.2
 server 127.0.0.2 <- 127.0.0.1
 write: 4; read: 4
bind 10.99.99.99: EADDRNOTAVAIL
"""


def test_all_of_127_8_is_local_as_on_linux():
    expect(run("bind_local"), LINUX)

"""AF_UNIX SOCK_SEQPACKET (tests/progs/unix_seqpacket.c): connections as a
stream's (socketpair, listen, connect, accept; a stream cannot connect to
a sequenced-packet listener), messages as datagrams (an empty one, one
truncated by a short read with MSG_TRUNC, MSG_PEEK, EMSGSIZE past sndbuf,
EAGAIN when full, a descriptor passed with SCM_RIGHTS, an address given
to sendto ignored), and a peer's end: its queued messages, then end of
file to blocking and non-blocking reads alike, ECONNRESET once if it left
ours unread, EPIPE to a sender, POLLHUP.  The transcript is Linux
6.18's for the same static program.  Before, socket() said
ESOCKTNOSUPPORT."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

LINUX = """\
send hello: 5
send empty: 0
send world: 7
send again: 5
recv: 5 "hello"
recv empty: 0 ""
peek 3: 3 "wor" MSG_TRUNC
recv 3: 3 "wor" MSG_TRUNC
recv MSG_TRUNC 2: 5 "ag" MSG_TRUNC
recv nonblocking: EAGAIN
SO_TYPE: 5
send past sndbuf: EMSGSIZE
filled: EAGAIN after some
after close: queued: 4 "last"
after close: blocking: 0 ""
after close: nonblocking: 0 ""
send to closed: EPIPE
poll: IN OUT HUP RDHUP
peer closed with our data unread: ECONNRESET
  and again: 0 ""
  send: EPIPE
after SHUT_WR: 0 ""
send after SHUT_WR: EPIPE
send with a pipe's end: 2
received 2 bytes and a descriptor
the pipe carries: z
send unconnected: ENOTCONN
recv unconnected: ENOTCONN
bind: 0
listen: 0
stream connects to it: ECONNREFUSED
connect: 0
accept: 0
sendto another address: 7
accepted side: 7 "to peer"
send back: 5
client side: 5 "reply"
"""


def test_seqpacket_matches_linux():
    expect(run("unix_seqpacket"), LINUX)

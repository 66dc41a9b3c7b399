"""MSG_OOB on AF_UNIX stream sockets (tests/progs/unix_oob.c), as Linux has
it since 5.15: the last byte of a MSG_OOB send is the out-of-band one;
a read stops before the mark and, starting at it, passes over the byte
unless SO_OOBINLINE; recv(MSG_OOB) takes it (EINVAL with none, or with
SO_OOBINLINE; a bad buffer loses it), MSG_PEEK leaves it; SIOCATMARK,
FIONREAD (which on Linux 6.18 still counts a byte a read passed over),
POLLPRI, select's exceptfds and epoll's EPOLLPRI (edge-triggered: again
for a new mark); a second mark makes the first byte ordinary; SIGURG to
the F_SETOWN owner only (none without one, none for the other end's
data), and F_SETSIG's signal with POLL_PRI and its band only with
O_ASYNC; MSG_WAITALL stopping at the mark, a peek offset passing over it;
EOPNOTSUPP for an empty MSG_OOB send and on datagram and
sequenced-packet sockets (SIOCATMARK too), EINVAL unconnected, EPIPE
after the reader's shutdown.  The transcript is Linux 6.18's for the same
static program, run natively as uid 65534.  Before, every MSG_OOB send
said EOPNOTSUPP and SIOCATMARK ENOTTY."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

LINUX = """\
empty: poll OUT, atmark 0, inq 0
send ab: 2
send cd OOB: 2
queued: poll IN PRI OUT, atmark 0, inq 4
recv: 3 "abc"
at the mark: poll IN PRI OUT, atmark 1, inq 1
recv OOB: 1 "d" MSG_OOB
after: poll IN OUT, atmark 1, inq 0
recv OOB again: EINVAL
recv: EAGAIN
send ef: 2
more: poll IN OUT, atmark 0, inq 2
recv: 2 "ef"
send ab: 2
send c OOB: 1
send de: 2
queued: poll IN PRI OUT, atmark 0, inq 5
recv: 2 "ab"
at the mark: poll IN PRI OUT, atmark 1, inq 3
recv: 2 "de"
recv OOB: EINVAL
after: poll OUT, atmark 0, inq 1
send ab: 2
send c OOB: 1
send de: 2
recv OOB: 1 "c" MSG_OOB
taken: poll IN OUT, atmark 0, inq 4
recv: 2 "ab"
at the mark: poll IN OUT, atmark 1, inq 2
recv: 2 "de"
after: poll OUT, atmark 0, inq 0
SO_OOBINLINE 1: ok
SO_OOBINLINE: 1
send ab: 2
send c OOB: 1
send de: 2
inline: poll IN PRI OUT, atmark 0, inq 5
recv OOB: EINVAL
peek: 2 "ab"
recv: 2 "ab"
at the mark: poll IN PRI OUT, atmark 1, inq 3
peek: 3 "cde"
recv: 3 "cde"
after: poll OUT, atmark 0, inq 0
send ab: 2
send c OOB: 1
send de: 2
peek: 2 "ab"
peek OOB: 1 "c" MSG_OOB
recv 1: 1 "a"
peek: 1 "b"
recv OOB: 1 "c" MSG_OOB
peek: 1 "b"
recv: 1 "b"
peek: 2 "de"
send ab: 2
send c OOB: 1
send de: 2
recv 100 MSG_WAITALL: 2 "ab"
SO_PEEK_OFF 0: ok
peek 1: 1 "d"
peek: 1 "e"
SO_PEEK_OFF 0: ok
send f OOB: 1
send gh: 2
peek 2: 2 "cd"
peek: 1 "e"
peek: 3 "fgh"
recv: 3 "cde"
recv: 2 "gh"
recv: EAGAIN
send a OOB: 1
send b OOB: 1
two: poll IN PRI OUT, atmark 0, inq 2
recv OOB: 1 "b" MSG_OOB
recv: 1 "a"
after: poll IN OUT, atmark 1, inq 0
send x OOB: 1
only the byte: poll IN PRI OUT, atmark 1, inq 1
recv: EAGAIN
passed over: poll OUT, atmark 0, inq 1
recv OOB: EINVAL
send y OOB: 1
recv OOB: 1 "y" MSG_OOB
send z OOB: 1
recv OOB: 1 "z" MSG_OOB
two taken: poll IN OUT, atmark 1, inq 1
send w: 1
recv: 1 "w"
send empty OOB: EOPNOTSUPP
send q OOB: 1
recv OOB into 0 bytes: 1
then: EINVAL
send r OOB: 1
recv OOB into a bad pointer: EFAULT
then: EINVAL
shutdown RD: ok
send OOB after the reader's shutdown: EPIPE
unconnected: send OOB: ENOTCONN
unconnected: recv OOB: EINVAL
unconnected: poll OUT, atmark 0, inq 0
dgram: send OOB: EOPNOTSUPP
dgram: send: 1
dgram: recv OOB: EOPNOTSUPP
dgram: poll IN OUT, atmark -95, inq 1
dgram: send empty: 0
dgram: recv: 1 "u"
dgram: poll IN OUT, atmark -95, inq 0
seqpacket: send OOB: EOPNOTSUPP
seqpacket: send: 1
seqpacket: recv OOB: EOPNOTSUPP
seqpacket: poll IN OUT, atmark -95, inq 1
no owner: send OOB: 1
SIGURG: 0
F_SETOWN: 0
F_GETOWN is us: 1
send OOB: 1
SIGURG: 1
send: 1
SIGURG: 1
send OOB to the other end: 1
SIGURG: 1
select: 2
select: read 1 except 1
epoll: 1
epoll: IN 1 PRI 1
epoll again (edge): 0
recv OOB: 1 "b" MSG_OOB
send OOB: 1
epoll: 1
epoll: IN 1 PRI 1
recv OOB: 1 "e" MSG_OOB
select except: 0
SIGURG: 2
F_SETSIG: 0
F_SETSIG, no O_ASYNC: send OOB: 1
SIGURG: 3, POLL_PRI signals: 0
O_ASYNC: 0
F_SETSIG, O_ASYNC: send OOB: 1
SIGURG: 4, POLL_PRI signals: 1, band 0x82
F_SETOWN 0: 0
no owner: send OOB: 1
SIGURG: 4, POLL_PRI signals: 1
send 100000 OOB: 100000
inq 100000
read before the mark: 99999
recv OOB: EINVAL
"""


def test_unix_oob():
    expect(run("unix_oob"), LINUX)


@pytest.mark.parametrize("smp", [1, 2])
def test_unix_oob_race(smp):
    """Two threads send with and without MSG_OOB while two take the
    out-of-band byte, peek at it, read (some with MSG_PEEK), ask
    SIOCATMARK and FIONREAD and turn SO_OOBINLINE on, with SIGURG going
    to the process each time: no hang, no crash, and the stream drains
    to its end once the sender closes."""
    expect(run("unix_oob", "race", smp=smp), "race: drained, last read end of file\n")

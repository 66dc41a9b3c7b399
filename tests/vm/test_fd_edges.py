"""Edges of descriptor objects where amphi answered otherwise than Linux
(tests/progs/fd_edges.c), against Linux 6.18's transcript: a 0-byte
recv on an empty AF_UNIX stream socket gave 0 (end of file) instead of
EAGAIN; a 0-byte send queued an empty record, so the receiver's close
became ECONNRESET for the sender (and files sent with no byte were kept in
flight, never received); select read its sets as far as nfds said, up to
4096 descriptors, so a descriptor number past the table was EBADF and a
set at a page's end EFAULT, where Linux looks no further than its table;
an eventfd took writes longer than 8 bytes; a datagram socket shut for
reading gave 0 to a non-blocking receive (Linux: EAGAIN); abstract names
were shared by all socket types (a datagram bind of a stream socket's name
EADDRINUSE, a datagram connect to it EPROTOTYPE); shutdown of an AF_UNIX
socket not connected (a listener, a fresh stream or datagram socket) was
ENOTCONN, so a shut listener went on taking connections nobody would
accept and an accept blocked on it never ended."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

LINUX = """\
recv 0 bytes, nothing queued: Resource temporarily unavailable
read 0 bytes, nothing queued (non-blocking): 0
recv 0 bytes, 2 queued: 0
recv 8 bytes: 2
recv 0 bytes after the peer closed: 0
send 0 bytes: 0
peer's recv: Resource temporarily unavailable
recv after the peer closed: 0
sendmsg of a file and 0 bytes: 0
recvmsg: Resource temporarily unavailable
controllen 24
select on descriptor 900, never opened: 0
select(4096) with a 256-bit set at a page's end: 1
bit still set: 1
eventfd write of 7 bytes: Invalid argument
eventfd write of 9 bytes: Invalid argument
eventfd write of 16 bytes: Invalid argument
eventfd write of 8 bytes: 8
eventfd read of 16 bytes: 8
shut datagram socket, recv MSG_DONTWAIT: Resource temporarily unavailable
shut datagram socket, blocking recv: 0
stream binds an abstract name: 0
datagram connect to it: Connection refused
datagram binds the same name: 0
datagram connect to it now: 0
datagram connect to a stream socket's path: Protocol wrong type for socket
shutdown of an unconnected stream socket: 0
its poll: 0x2015
shutdown of an unconnected datagram socket: 0
shutdown of a listener: 0
its poll: 0x2011
accept of the connection made before: 0
connect after: Connection refused
accept after (non-blocking): Resource temporarily unavailable
accept blocked when the listener was shut: Invalid argument
fd_edges done
"""


@pytest.mark.parametrize("smp", [1, 2])
def test_descriptor_edges_as_on_linux(smp):
    expect(run("fd_edges", smp=smp), LINUX)


def test_empty_transfers_on_counter_files():
    """eventfd, timerfd and signalfd refuse 0-byte reads and writes as any
    transfer too short for a record (tests/progs/empty_io.c), and a
    signalfd refuses writes: Linux 6.18's lines.  Before, both 0-byte
    transfers gave 0, and a signalfd write EBADF."""
    expect(run("empty_io"),
           "eventfd: read 0 EINVAL, write 0 EINVAL, write 8 8\n"
           "timerfd: read 0 EINVAL, write 0 EINVAL, write 8 EINVAL\n"
           "signalfd: read 0 EINVAL, write 0 EINVAL, write 8 EINVAL\n")

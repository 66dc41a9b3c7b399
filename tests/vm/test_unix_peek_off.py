"""SO_PEEK_OFF on AF_UNIX sockets (tests/progs/unix_peek_off.c): -1 (off)
at first; on, each MSG_PEEK starts that many bytes in and moves it on by
what it copied, each read moves it back (a datagram's by its whole
length), to 0 at least; a stream peek past the data is EAGAIN, and so is
a datagram one, while a blocking stream peek there waits and starts at
the offset once more comes; datagrams are passed over whole, an empty one only once
peeked; MSG_TRUNC gives what is left after the offset; a negative value
turns it off and is kept; INT_MAX; EINVAL for a short option, EFAULT for
a bad pointer.  Stream, datagram and sequenced-packet sockets alike.  The
transcript is Linux 6.18's for the same static program, run natively as
uid 65534.  Before, the option was ENOPROTOOPT and peeks started at the
first byte."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

LINUX = """\
stream: default: -1 (len 4)
stream: set 0: ok
stream: now: 0 (len 4)
send abc: 3
send defgh: 5
peek 2: 2 "ab"
offset: 2 (len 4)
peek 2: 2 "cd"
offset: 4 (len 4)
peek 100: 4 "efgh"
offset: 8 (len 4)
peek past the data: EAGAIN
recv 3: 3 "abc"
offset: 5 (len 4)
set 1: ok
peek 3: 3 "efg"
offset: 4 (len 4)
recv 100: 5 "defgh"
offset: 0 (len 4)
send xyz: 3
peek: 3 "xyz"
set 10: ok
peek at 10: EAGAIN
offset: 10 (len 4)
send 0123456789: 10
peek at 10: 3 "789"
offset: 13 (len 4)
set -1: ok
peek off: 4 "xyz0"
offset: -1 (len 4)
set -5: ok
offset: -5 (len 4)
peek: 4 "xyz0"
set INT_MAX: ok
peek: EAGAIN
recv 4: 4 "xyz0"
offset: 2147483643 (len 4)
set with 2 bytes: EINVAL
set from a bad pointer: EFAULT
get into 2 bytes: len 2
send abc: 3
set 5: ok
blocking peek at 5, then 5 more sent: 3 "fgh"
offset: 8 (len 4)
dgram: default: -1 (len 4)
dgram: set 0: ok
send abc: 3
send empty: 0
send defgh: 5
peek 2: 2 "ab" MSG_TRUNC
offset: 2 (len 4)
peek 100: 1 "c"
offset: 3 (len 4)
peek 100: 0 ""
offset: 3 (len 4)
peek 2: 2 "de" MSG_TRUNC
offset: 5 (len 4)
peek 2 MSG_TRUNC: 3 "fg" MSG_TRUNC
offset: 7 (len 4)
peek past the data: 1 "h"
recv 1: 1 "a" MSG_TRUNC
offset: 5 (len 4)
peek: EAGAIN
offset: 5 (len 4)
recv: 0 ""
offset: 5 (len 4)
recv: 5 "defgh"
offset: 0 (len 4)
set 1: ok
peek past the data: EAGAIN
seqpacket: default: -1 (len 4)
seqpacket: set 0: ok
send abc: 3
send empty: 0
send defgh: 5
peek 2: 2 "ab" MSG_TRUNC
offset: 2 (len 4)
peek 100: 1 "c"
offset: 3 (len 4)
peek 100: 0 ""
offset: 3 (len 4)
peek 2: 2 "de" MSG_TRUNC
offset: 5 (len 4)
peek 2 MSG_TRUNC: 3 "fg" MSG_TRUNC
offset: 7 (len 4)
peek past the data: 1 "h"
recv 1: 1 "a" MSG_TRUNC
offset: 5 (len 4)
peek: EAGAIN
offset: 5 (len 4)
recv: 0 ""
offset: 5 (len 4)
recv: 5 "defgh"
offset: 0 (len 4)
set 1: ok
peek past the data: EAGAIN
"""


def test_unix_peek_off():
    expect(run("unix_peek_off"), LINUX)


@pytest.mark.parametrize("smp", [1, 2])
def test_unix_peek_off_hostile(smp):
    """Two threads set the offset (far past the data, off, small) and peek
    and read while two send, on each type: no hang, no crash; a peek at
    INT_MAX finds nothing."""
    expect(run("unix_peek_off", "hostile", smp=smp),
           "type 1: peek at INT_MAX: EAGAIN\n"
           "type 2: peek at INT_MAX: EAGAIN\n"
           "type 5: peek at INT_MAX: EAGAIN\n")

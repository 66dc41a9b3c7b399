"""splice, tee and vmsplice (tests/progs/splice_calls.c) against Linux 6.18's
transcript of the same program built with musl, run as root: files, pipes
and sockets each way, offsets, tee leaving its source, pipe to pipe,
vmsplice both ways, SPLICE_F_NONBLOCK, EPIPE with SIGPIPE, the refusals.
"bulk" moves 4 MiB socket -> pipe -> file (every byte checked) and fills a
non-blocking socket from a pipe: what splice says it moved is what the
peer reads, and the rest is still in the pipe.  Before, the three calls
were ENOSYS (Go's io.Copy between sockets, haproxy and others use
splice)."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

LINES = (
    "file at 5 into pipe: 8, offset now 13, file's own 20\n"
    "file's own offset into pipe: 3, now 5\n"
    'pipe to file at 100: 6 "56789a", offset now 106\n'
    'tee 5 to another pipe: 5\n'
    '  the copy: "bc234", the source still: "bc234"\n'
    'pipe to socket: 13, the peer reads "to the socket"\n'
    'socket to pipe: 15, "from the socket"\n'
    'pipe to pipe: 4, "pipe", left " to pipe"\n'
    'vmsplice into the pipe: 8, out of it: 8 "vms" "plice"\n'
    'empty pipe, NONBLOCK: EAGAIN\n'
    'tee from an empty pipe, NONBLOCK: EAGAIN\n'
    'length 0: 0\n'
    'two files: EINVAL\n'
    'offset on the pipe: ESPIPE\n'
    'offset on the socket: EINVAL\n'
    "one pipe's two ends: EINVAL\n"
    'tee of a file: EINVAL\n'
    'bad flag: EINVAL\n'
    'write end read: EBADF\n'
    'to an O_APPEND file: EINVAL\n'
    'vmsplice on a file: EBADF\n'
    'to a pipe nobody reads: EPIPE, SIGPIPE 1\n'
    'pipe with no writer left: 0\n')

BULK = ("bulk: 4194304 in, 4194304 out, 0 bytes wrong, file 4194304\n"
        "to a full socket: ends with EAGAIN, moved = read by the peer: yes, "
        "moved + left in the pipe = written: yes\n")


def test_splice_calls():
    expect(run("splice_calls"), LINES)


@pytest.mark.parametrize("smp", [1, 2])
def test_splice_bulk(smp):
    expect(run("splice_calls", "bulk", smp=smp), BULK)

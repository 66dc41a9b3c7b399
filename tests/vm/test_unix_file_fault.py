"""AF_UNIX receives into pages of a mapped 9p file not yet in the guest
(tests/progs/unix_file_fault.c): a stream receive and a datagram peek copy
out of the queue holding the socket's spinlock, where the fault must not
sleep on 9p.  Before the fix the receiver slept there holding the lock,
woken on the CPU of a sender spinning on it: "kernel panic: lockup:
spinlock ... not released for 10 s", for the stream and for the datagram
peek alike.  Now the copy fails without sleeping, the lock is dropped, the
pages are brought in and the queue looked at again, as for pipes."""
import os

import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")


@pytest.fixture
def shared_file(tmp_path):
    """A fresh 1 MiB file of random bytes in a --share folder: no page of
    it is in the guest yet."""
    (tmp_path / "big").write_bytes(os.urandom(1 << 20))
    return ["--share", "%s:/mnt" % tmp_path]


def test_unix_receive_into_a_9p_mapping_under_the_socket_lock(shared_file):
    r = run("unix_file_fault", "/mnt/big", 1, options=shared_file)
    expect(r, "stream: received 524160 bytes, sum matches\n"
              "datagram: received 524160 bytes, sum matches\n")

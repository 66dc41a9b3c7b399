"""mq_notify's SIGEV_THREAD against a netlink socket nobody reads
(tests/progs/mq_notify_flood.c), as uid 65534, against the same program's
transcript on Linux 6.18: registering and removing in a loop queues a
cookie each time until the receive buffer is full, then registration
waits (Linux's netlink_attachskb) until a signal (EINTR); reading the
socket makes room again; a registration waiting on a socket another
thread closes is EBADF (the descriptor looked up again, as Linux's
retry).  Before, nothing waited and the kernel queued as many cookies as
the program asked for (100000 here); then, before the retry, the closed
socket's registration was taken (0)."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

TRANSCRIPT = (
    'the loop ended: EINTR\n'
    'cookies queued: bounded by the buffer\n'
    'register once read: 0\n'
    'another socket filled: EINTR\n'
    'register while it is closed: EBADF\n'
)


def test_mq_notify_waits_for_room():
    expect(run("mq_notify_flood", options=["--user", "65534:65534"]), TRANSCRIPT)

"""An epoll registration neither keeps its file open nor depends on which
process looks: it goes when the file is released, as on Linux (epoll(7)
Q6).  Items used to hold their files, and were dropped at a close only if
nothing else held the file at that instant, so a socket closed while
another thread was blocked reading it never sent its FIN and a pipe's
writer never got EPIPE; and they were dropped as stale when the caller's
own table no longer had the descriptor, losing a dup's or another
process's registration.  The transcript is Linux's (run natively)."""

import pytest

from conftest import run

pytestmark = pytest.mark.usefixtures("amphi_works")


@pytest.mark.parametrize("smp", [2, 4])
def test_epoll_registration_goes_with_the_file(smp):
    r = run("epoll_file_release", smp=smp)
    want = (b"blocked pipe reader ok\nblocked tcp reader ok\ndup keeps it ok\n"
            b"shared by fork ok\nepoll_file_release ok\n")
    assert (r.status, r.stdout, r.stderr) == (0, want, b""), r.describe()

"""Files released while epolls use them (tests/progs/stress_epoll_release.c)
on 4 vCPUs: closes of watched pipe ends and of nested epolls racing
epoll_wait, epoll_ctl and a blocked read.  Every writer must then get
EPIPE.  (Before epoll items stopped holding their files, a read end closed
under a blocked reader stayed open for good, and an item dropping the last
reference of an epoll under another epoll's mutex could deadlock: this hung
within 5 rounds.)"""

import pytest

from .budget import repeat, run, short

pytestmark = pytest.mark.usefixtures("amphi_works")


def test_closing_watched_files_and_nested_epolls_racing_their_users():
    rounds = 40 if short() else 400

    def body(n):
        r = run("stress_epoll_release", n + 1, rounds, smp=4, limit=300)
        assert r.status != 125, "kernel failure, seed %d\n%s" % (n + 1, r.describe())
        assert (r.status, r.stdout, r.stderr) == (0, b"epoll release ok\n", b""), (
            "seed %d\n%s" % (n + 1, r.describe()))

    repeat(body)

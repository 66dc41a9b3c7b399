"""A process that sleeps in exit, after its memory went, ends cleanly.

Exit takes the address space down first and closes the descriptors
after; closing an inet socket waits for the network stack's lock, which
another CPU may hold.  While the exiting thread slept there, its CPU ran
another process and let go of the address space's last reference; the
thread came back to an address space already freed and loaded its
root, a page that by then could be anything (a CI run saw the kernel's
text vanish, and a triple fault).  exit_closing ends 16 children at a
time, each holding 4 sockets, 200 times over on 2 vCPUs.  The kernel
before the fix failed 4 runs of 4 (a panic at the second free), and the
page allocator now stops at any page freed twice."""

import pytest

from conftest import amphi_argv, spawn

pytestmark = pytest.mark.usefixtures("amphi_works")

ROUNDS, CHILDREN, SOCKETS = 200, 16, 4


def test_children_that_sleep_in_exit_all_end_with_their_status():
    r = spawn(amphi_argv("exit_closing", ROUNDS, CHILDREN, SOCKETS, smp=2), limit=300)
    assert (r.status, r.stdout, r.stderr) == (
        0, b"%d rounds of %d children: all exited 0\n" % (ROUNDS, CHILDREN), b""), r.describe()

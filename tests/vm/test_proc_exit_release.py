"""/proc/PID/maps read over and over while PID exits holding the only
reference to a TCP connection with SO_LINGER (600 s) and unsent data
(proc_exit_release): every child ends at once and the reader goes on, as
on Linux, where an ending process does not linger and a /proc reader
closes none of its files.  amphi's /proc/PID files once held the process's
descriptor table while making their text at open, under vfs_lock: an exit
in that window left the table's last reference, and so the connection's
close with its 600 s linger, to the reader, which waited with vfs_lock
held, every path lookup in the machine behind it (the run did not finish,
checked on main before the fix).  /proc/PID/fd and pidfd_getfd now take
the one file they want under sig_lock, holding no table either."""

import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

WANT = """children ended: 10 of 10
/proc/self/status readable: yes
proc_exit_release done
"""


def test_exit_while_maps_are_read():
    # Two vCPUs: the kernel does not preempt itself, so on one the child
    # cannot end while the reader is inside the kernel making the text.
    expect(run("proc_exit_release", smp=2), WANT)

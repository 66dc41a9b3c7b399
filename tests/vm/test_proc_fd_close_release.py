"""readlink of /proc/self/fd/N over and over in one thread while another
closes N, a TCP connection with SO_LINGER (600 s) and unsent data, and a
third then looks a path up (proc_fd_close_release): every lookup is
answered.  A reader taking the last reference closes the connection (as
Linux's deferred fput does in the reader); amphi ran that release where
the reference went, inside the lookup under vfs_lock, so the lingering
reader would hold the lock 600 s.  Releases of a vfs_lock holder's last
references now wait for its vfs_unlock.  The window (between the fd
entry's file lookup and its put) is narrow: the run did not hang on main
in two tries, so this guards the fix rather than proving the bug."""

import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

WANT = """lookups after the closes: 12 of 12
proc_fd_close_release done
"""


def test_lookup_while_fd_link_reader_gets_last_reference():
    expect(run("proc_fd_close_release", smp=2), WANT)

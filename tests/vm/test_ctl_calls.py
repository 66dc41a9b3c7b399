"""fcntl's control calls as daemons use them: a file's owner and SIGIO
from pipes, a FIFO and sockets (F_SETOWN, F_SETOWN_EX, F_SETSIG, O_ASYNC,
FIOASYNC), pipe capacities (F_GETPIPE_SZ, F_SETPIPE_SZ) and mmap's errno
for every kind of file: tests/progs/ctl_calls.c's transcript must be
Linux's (ctl_expected.py)."""

import os

import pytest

from conftest import PROGS, ROOT, run
from ctl_expected import CTL_CALLS
from netvm import Guest

pytestmark = pytest.mark.usefixtures("amphi_works")


@pytest.mark.parametrize("smp", [1, 2])
def test_ctl_calls_as_on_linux(smp):
    r = run(os.path.join(ROOT, PROGS, "ctl_calls"), smp=smp)
    assert (r.status, r.stdout.decode()) == (0, CTL_CALLS), r.describe()


def test_sigio_from_the_console():
    """A line typed after the program set O_ASYNC on its standard input
    (the console) brings F_SETSIG's signal, as a tty or pipe does on Linux."""
    with Guest(os.path.join(ROOT, PROGS, "ctl_calls"), "stdin") as g:
        g.wait_for(b"ready\n")
        g.proc.stdin.write(b"a line\n")
        g.proc.stdin.flush()
        assert g.wait() == 0, g.describe()
    assert g.out == b"ready\nstdin: RT_SIG code 1 band 0x41 fd right\nread: a line\n", g.describe()

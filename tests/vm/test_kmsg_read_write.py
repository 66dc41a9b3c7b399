"""One /dev/kmsg open file, one thread reading it (waiting for a record)
and another writing to it (tests/progs/kmsg_read_write.c): the write goes
in and the reader gets its line, as on Linux, whose devkmsg_write takes no
lock a reader holds.  Before, the write's rate limit took the reader's
lock, held across the reader's wait: the write waited for a record only
it would add, and both threads hung (until SIGALRM here)."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")


@pytest.mark.parametrize("smp", [1, 2])
def test_kmsg_write_beside_a_waiting_read(smp):
    expect(run("kmsg_read_write", smp=smp), "write: 10\nread: wake up\n")

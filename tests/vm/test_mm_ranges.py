"""Every call that takes an address range checks it against the user half
without overflowing and answers with Linux's errno; ranges cost what they
map, not their length."""

import pytest

from conftest import run
from mm_expected import MM_RANGES

pytestmark = pytest.mark.usefixtures("amphi_works")


@pytest.mark.parametrize("smp", [2, 4])
def test_range_sweep_answers_as_linux(smp):
    """Kernel, non-canonical, straddling and wrapping ranges for mmap,
    munmap, mprotect, mremap (both ranges), madvise, mlock, msync and brk.
    Before the audit, mremap put a user page over the kernel and brk to a
    far address hung the VM."""
    r = run("mm_ranges", smp=smp)
    assert r.status != 125, "kernel failure\n" + r.describe()
    assert (r.status, r.stdout.decode(), r.stderr) == (0, MM_RANGES, b""), r.describe()


@pytest.mark.parametrize("smp", [2, 4])
def test_huge_reservations_are_cheap(smp):
    """8 x 4 TiB PROT_NONE reservations, protected, counted, discarded and
    dropped while another thread faults: page-table walks skip what is
    absent (walking every 4 KiB page took minutes under the VM lock)."""
    r = run("mm_reserve", smp=smp)
    assert r.status != 125, "kernel failure\n" + r.describe()
    assert (r.status, r.stdout, r.stderr) == (
        0, b"reserved and dropped 8 x 4 TiB\nfaults on the side ok\n", b""), r.describe()

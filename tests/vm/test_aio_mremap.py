"""An AIO ring moved by mremap (tests/progs/aio_mremap.c), as uid 65534,
against the same program's transcript on Linux 6.18: the new address
names the context (Linux's ring mremap hook), the old one is EINVAL, a
ring cannot grow (EFAULT), io_destroy by the new address unmaps it there.
Before, the moved context answered to no address (EINVAL for every call,
so it could not even be destroyed) and the ring grew."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

TRANSCRIPT = (
    'setup: 0\n'
    'mremap: moved\n'
    'submit at the old address: EINVAL\n'
    'submit at the new address: 1\n'
    'getevents at the new address: 1 data 7 res 3\n'
    'mremap bigger: EFAULT\n'
    'destroy old: EINVAL\n'
    'destroy new: 0\n'
    'ring unmapped: yes\n'
)


def test_aio_ring_mremap_matches_linux():
    expect(run("aio_mremap", options=["--user", "65534:65534"]), TRANSCRIPT)

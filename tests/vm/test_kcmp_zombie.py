"""kcmp on a zombie child (tests/progs/kcmp_zombie.c), as uid 65534,
against the same program's transcript on Linux 6.18: an ended process not
yet reaped is found, holding no memory, descriptors or file-system
context (different from its parent's, the same as its own), and no
descriptor (EBADF); reaped, it is ESRCH.  Before, a zombie was ESRCH for
every kind."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

TRANSCRIPT = (
    'zombie vm: different\n'
    'zombie files: different\n'
    'zombie fs: different\n'
    'zombie sighand: different\n'
    'zombie io: 0\n'
    'zombie file 0: EBADF\n'
    'zombie vm vs zombie: 0\n'
    'reaped: ESRCH\n'
)


def test_kcmp_zombie_matches_linux():
    expect(run("kcmp_zombie", options=["--user", "65534:65534"]), TRANSCRIPT)

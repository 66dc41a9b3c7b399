"""unshare with a bit above the low 32 (tests/progs/unshare_high_flags.c),
against Linux 6.x's lines: EINVAL, as for any unknown flag.  Before, the
flags were cut to an int, so such a call did what the low half asked and
said 0."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")


def test_unshare_high_flags():
    expect(run("unshare_high_flags"), "bit 32: EINVAL\nbit 63 with CLONE_FS: EINVAL\nCLONE_FS: 0\n")

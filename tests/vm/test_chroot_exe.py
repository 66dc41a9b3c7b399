"""/proc/PID/exe across a chroot (tests/progs/chroot_exe.c) against Linux
6.x's lines: the link leads to the program's own file whatever the
reader's root, for a program exec'd before its chroot (through a /proc
descriptor from before) and for one exec'd inside, read from outside.
Before, the link was followed as the path exec saw, resolved in the
reader's root: ENOENT both times (or another file of that name)."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")


def test_exe_link_across_chroot():
    expect(run("chroot_exe"),
           "after chroot, its exe opens: the program\n"
           "from outside, its exe opens: the program\n")

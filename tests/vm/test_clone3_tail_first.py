"""clone3's extensible struct (tests/progs/clone3_tail_first.c) against
the same program's transcript on Linux 6.18 (as uid 65534): bytes past
the kernel's struct are checked before its own part is read, so an
unreadable struct with a non-zero tail is E2BIG (before, EFAULT), with a
zero tail EFAULT."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

TRANSCRIPT = (
    'clone3, unreadable struct, non-zero tail: E2BIG\n'
    'clone3, unreadable struct, zero tail: EFAULT\n'
)


def test_clone3_tail_checked_first():
    expect(run("clone3_tail_first", options=["--user", "65534:65534"]), TRANSCRIPT)

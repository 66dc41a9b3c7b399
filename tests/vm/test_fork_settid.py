"""fork's CLONE_CHILD_SETTID stores the child's pid as a store of the child
would be: never through a read-only mapping (tests/progs/settid_readonly.c).
It once went through the loader's write-anything path, so a program wrote
into a read-only MAP_SHARED mapping of a file it could not open for
writing.  The expected transcript is Linux's (the same program on the host,
as root)."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

SETTID_READONLY = """\
open O_RDWR as uid 1000: Permission denied
read-only file: clone ok; file unchanged; mapping unchanged
read-only shared memory: clone ok; word still 0
writable shared memory: word is the child's pid
private memory: clone ok; parent's word still 0
"""


def test_child_tid_is_not_stored_through_a_read_only_mapping():
    expect(run("settid_readonly"), SETTID_READONLY)

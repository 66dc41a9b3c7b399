"""Process-shared futex keys in a file's memory, against Linux 6.18's
transcript (tests/progs/futex_file_keys.c): a word waited on through a
read-only MAP_PRIVATE mapping of a file is keyed by the file's page, as on
Linux, so a process waking it through a MAP_SHARED mapping reaches the
waiter; amphi keyed it by the waiter's address space, and the waiter slept
until its timeout (for ever without one)."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

FUTEX_FILE_KEYS = """\
shared, shared: woken
shared read-only, shared: woken
private read-only, shared: woken
private read-only, private: timed out
private writable, shared: timed out
shared, private writable: timed out
"""


def test_read_only_private_file_word_meets_other_processes():
    expect(run("futex_file_keys"), FUTEX_FILE_KEYS)

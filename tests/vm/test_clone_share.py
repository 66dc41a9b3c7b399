"""A thread made without CLONE_FILES or CLONE_FS works on copies of the
descriptor table and working directory, as on Linux
(tests/progs/clone_share.c; the transcript is Linux's).  Every thread used
to share both whatever the flags said, so a thread's close() or chdir()
reached a caller that had asked to keep its own."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

CLONE_SHARE = """\
CLONE_FILES|CLONE_FS: descriptor closed, directory /
neither: descriptor open, directory /tmp
CLONE_FILES: descriptor closed, directory /tmp
CLONE_FS: descriptor open, directory /
"""


@pytest.mark.parametrize("smp", [1, 2])
def test_thread_shares_files_and_directory_only_when_asked(smp):
    expect(run("clone_share", smp=smp), CLONE_SHARE)

"""Page faults inside the kernel's copies to and from the program's memory
(core/uaccess.h): out of memory there runs the OOM killer only on the way
back to user mode, with no lock held (tests/progs/oom_copy.c), and a copy
made under a spinlock never sleeps for a file's page: it fails, the page
is brought in with the lock dropped, and the copy is made again
(tests/progs/pipe_file_fault.c, futex_file_fault.c, on a 9p share).

All but the second ended in a kernel panic or the wrong process killed
before (a lockup, or the OOM killer called again from inside the thread's
own exit); the second checks that a call whose copy found no page is made
again rather than failing with EFAULT."""

import os

import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")


def oom_lines(r):
    return [l for l in r.stderr.decode().splitlines() if "out of memory" in l]


def test_reader_killed_for_memory_inside_a_pipe_copy():
    """The reader, the largest process, finds no page for a pipe read's copy
    while holding the pipe's lock: it is killed, and the writer, which
    waits for that lock, is not left spinning."""
    r = run("oom_copy", "self", mem="64M")
    assert (r.status, r.stdout) == (0, b"reader: killed by 9\n"), r.describe()
    lines = oom_lines(r)
    assert len(lines) == 1 and "killed process 3 (oom_copy)" in lines[0], r.describe()


def test_copy_out_of_memory_kills_the_largest_and_the_call_goes_on():
    """B's pipe reads find no page while A holds more: A is killed, and
    B's read is made again rather than failing with EFAULT; B gets every
    byte, in order."""
    r = run("oom_copy", "other", mem="64M")
    assert (r.status, r.stdout) == (0, b"B: exit 0\nA: killed by 9\n"), r.describe()
    lines = oom_lines(r)
    assert len(lines) == 1 and "killed process 2 (oom_copy)" in lines[0], r.describe()


def test_no_page_for_the_clear_child_tid_store_as_a_process_ends():
    """A process killed for memory has no page left for its
    clear_child_tid word as it ends: the store fails quietly (the OOM
    killer is not called again from inside its exit, which killed the
    parent too)."""
    r = run("oom_copy", "cleartid", mem="64M")
    assert (r.status, r.stdout) == (0, b"process: killed by 9\n"), r.describe()
    lines = oom_lines(r)
    assert len(lines) == 1 and "killed process 2 (oom_copy)" in lines[0], r.describe()


@pytest.fixture
def shared_file(tmp_path):
    """A fresh 1 MiB file of random bytes in a --share folder: no page of
    it is in the guest yet."""
    (tmp_path / "big").write_bytes(os.urandom(1 << 20))
    return ["--share", "%s:/mnt" % tmp_path]


def test_pipe_write_from_a_9p_mapping_under_the_pipe_lock(shared_file):
    r = run("pipe_file_fault", "/mnt/big", 1, options=shared_file)
    expect(r, "readers got 1048576 bytes, sum matches\n")


def test_futex_words_in_a_9p_mapping_under_the_bucket_lock(shared_file):
    r = run("futex_file_fault", "/mnt/big", 1, options=shared_file)
    expect(r, "256 pages, 0 calls answered wrongly\n")

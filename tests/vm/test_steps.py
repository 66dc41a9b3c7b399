"""`amphi run --before CMD`: several programs, one after another, in one VM
and one file system.  Each starts afresh (memory, descriptors, signal
actions); a failing one ends the run with its status."""

import pytest

from conftest import PROGS, run

pytestmark = pytest.mark.usefixtures("amphi_works")

BUSYBOX = "/bin/busybox"


def test_a_file_written_first_is_read_after():
    r = run(BUSYBOX, "cat", "/tmp/note",
            options=["--before", BUSYBOX + " cp /proc/self/exe /tmp/copy",
                     "--before", BUSYBOX + " sh -c echo>/tmp/x",
                     "--before", BUSYBOX + " cp /tmp/x /tmp/note"])
    assert (r.status, r.stdout) == (0, b"\n"), r.describe()


def test_output_of_every_step_in_order():
    r = run("hello", options=["--before", PROGS + "/exitcode 0",
                              "--before", PROGS + "/hello"])
    assert (r.status, r.stdout) == (0, b"hello from amphi\nhello from amphi\n"), r.describe()


def test_a_failing_step_ends_the_run_with_its_status():
    r = run("hello", options=["--before", PROGS + "/exitcode 7"])
    assert (r.status, r.stdout) == (7, b""), r.describe()


def test_a_step_killed_by_a_signal_ends_the_run():
    r = run("hello", options=["--before", PROGS + "/segv"])
    assert r.status == 139 and b"SIGSEGV" in r.stderr, r.describe()


def test_threads_of_a_step_end_with_it():
    """A step whose threads are still running when it exits (threads N M
    returns from main with its workers done; futex_counter too), then
    another step: nothing of the first is left to disturb the second."""
    r = run("threads", "2", "1", smp=2,
            options=["--before", PROGS + "/futex_counter 4 1000 10"])
    assert r.status == 0, r.describe()
    assert r.stdout.count(b"ok") >= 3, r.describe()


def test_memory_starts_afresh():
    """The second mmap run finds the same empty address space."""
    r = run("mmap", options=["--before", PROGS + "/mmap"])
    assert (r.status, r.stdout) == (0, b"mmap ok\nmmap ok\n"), r.describe()

"""execve from a process with several threads: the others end first, all
the way (their hold on the descriptor table too), and a thread parked for
a stop ends as well."""

import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")


@pytest.mark.parametrize("threads", [1, 3])
def test_exec_keeps_the_processs_fcntl_locks(threads):
    """The exec went on once the other threads had left the thread list,
    before they let go of the descriptor table: it found the table shared,
    copied it, and the POSIX locks (the old table's) went with the last
    old thread.  Each old thread here walks a long robust list on its way
    out, which widens that window: without the fix 10 rounds of 10 (1
    thread) and 8 of 10 (2 threads) lost the lock; main's kernel, which
    walked no robust list, lost 1 of 10."""
    expect(run("exec_keeps_locks", 10, threads),
           "locks lost across execve: 0 of 10\n")


def test_exec_while_another_thread_parks_for_a_stop():
    """SIGSTOP taken by one thread while another copies a megabyte of
    execve arguments: the stopped thread parked and, before the fix, stayed
    parked, while the exec waited for it to end: every round hung (until
    SIGCONT, which nobody sends: the stop never completed)."""
    expect(run("exec_while_stopping"), "rounds that hung: 0 of 3\n")

"""Robust futex lists (set_robust_list, get_robust_list): when a thread
ends, or execs, the kernel marks each lock on its list that it still holds
with FUTEX_OWNER_DIED and wakes a waiter, as Linux's exit_robust_list, so
the next locker of a process-shared robust mutex gets EOWNERDEAD."""

import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

OWNER_DIED = "lock: EOWNERDEAD\nconsistent: ok, relock: ok\n"


@pytest.mark.parametrize("how", ["shared", "thread", "exec"])
def test_a_dead_owners_mutex_gives_eownerdead(how):
    """The owner (another process, another thread ending with the exit
    system call, a process that execs) holds the mutex while the locker
    waits.  Before the fix the kernel had no get_robust_list (musl then
    makes no mutex robust) and never walked the lists: the locker's 5 s
    timedlock ran out (a plain lock hangs)."""
    expect(run("robust_owner_died", how), OWNER_DIED)


def test_a_looping_list_with_a_bad_pointer_ends_the_walk():
    """The list is the program's: a loop is walked 2048 entries at most
    and a bad pointer ends the walk; the process still ends."""
    expect(run("robust_owner_died", "loop"), "loop: exited\n")

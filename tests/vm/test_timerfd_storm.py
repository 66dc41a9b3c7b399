"""Periodic timerfds with a 1 ns interval that nobody reads must not take
the CPUs (tests/progs/timerfd_storm.c): with 3800 of them armed the program
still passes a byte between threads 20000 times, forks, and reads at least
one expiration.  Before the fix each timer's callback re-armed it for its
next period at once, so the CPUs did little but take timer interrupts
(each walking the sorted list of 3800 timers once per timer): the run took
about two minutes under TCG and failed the time limit; now about four
seconds.  Linux, and now amphi, re-arm a periodic timerfd when it is
read."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")


@pytest.mark.parametrize("smp", [1, 2])
def test_unread_periodic_timerfds_leave_the_cpus_alone(smp):
    expect(run("timerfd_storm", smp=smp), "timerfd_storm ok\n")

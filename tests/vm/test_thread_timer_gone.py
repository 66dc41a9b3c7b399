"""A POSIX timer on CLOCK_THREAD_CPUTIME_ID after its thread has ended
(tests/progs/thread_timer_gone.c), against Linux 6.x's lines:
timer_gettime finds it disarmed and timer_settime is ESRCH.  Before,
timer_settime said 0, arming nothing on a clock that no longer runs."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")


def test_thread_timer_after_its_thread():
    expect(run("thread_timer_gone"),
           "timer_create: 0\n"
           "timer_settime: 0\n"
           "its thread gone, timer_gettime: 0, 0.000000000 left\n"
           "timer_settime: ESRCH\n"
           "absolute: ESRCH\n"
           "disarming: ESRCH\n"
           "timer_delete: 0\n")

"""Timers on CPU-time clocks (tests/progs/cpu_timers.c), one case per run:
ITIMER_VIRTUAL, ITIMER_PROF and POSIX timers on CLOCK_PROCESS_CPUTIME_ID
and CLOCK_THREAD_CPUTIME_ID count CPU time, so a sleeping program hears
nothing from them and a busy one hears them at their period.  The lines
are Linux 6.18's for the same program built with musl; their counts and
times have margins wide enough for TCG.  Before, these timers counted the
wall clock: 15 signals in a 0.3 s sleep, and the one-shots fired asleep."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

LINES = {
    "itimer": (
        "ITIMER_VIRTUAL: after 0.3 s asleep, 0 signals\n"
        "ITIMER_VIRTUAL: one-shot 0.2 s, 0.3 s asleep: most left\n"
        "ITIMER_VIRTUAL: 0.4 s busy at 20 ms: in range (2 to 24)\n"
        "ITIMER_PROF: after 0.3 s asleep, 0 signals\n"
        "ITIMER_PROF: one-shot 0.2 s, 0.3 s asleep: most left\n"
        "ITIMER_PROF: 0.4 s busy at 20 ms: in range (2 to 24)\n"),
    "ptimer": (
        "process clock: one-shot 0.2 s, 0.3 s asleep: 0 signals, most left\n"
        "process clock: then 0.3 s busy: 1 signal\n"
        "process clock: 0.4 s busy at 20 ms: in range (2 to 24)\n"
        "thread clock: one-shot 0.2 s, 0.3 s asleep: 0 signals, most left\n"
        "thread clock: then 0.3 s busy: 1 signal\n"
        "thread clock: 0.4 s busy at 20 ms: in range (2 to 24)\n"
        "absolute, 0.1 s of CPU on: 0 signals asleep, 1 busy\n"
        "a thread busy, the caller asleep: 0 signals from the caller's clock, "
        "the process's clock 0.3 s on: yes\n"),
}


@pytest.mark.parametrize("smp", [1, 2])
@pytest.mark.parametrize("case", sorted(LINES))
def test_cpu_timer(case, smp):
    expect(run("cpu_timers", case, smp=smp), LINES[case])

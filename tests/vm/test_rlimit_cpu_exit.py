"""RLIMIT_CPU set by another process's prlimit as the process exits
(tests/progs/rlimit_cpu_exit_race.c, 300 children, each reaped while its
parent sets its limit in a loop).  Before, a prlimit that came between
the exiting process stopping its limit's timer and becoming a zombie
armed the timer again, so it fired on the freed process: a kernel panic
in timer_arm within a few rounds.  Linux 6.x prints the same line."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")


def test_prlimit_cpu_on_exiting_process():
    expect(run("rlimit_cpu_exit_race"), "rounds: 300, bad: 0\n")

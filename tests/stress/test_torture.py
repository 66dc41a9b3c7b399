"""Concurrency torture on 4 vCPUs (docs/testing.md, "Stress"): each test
runs its program again and again with new seeds while its share of the
budget lasts, once and short without one.  A run must end with status 0
and its exact output; a kernel panic, a hang (the lockup detector makes it
a panic) or a wrong answer fails the test, naming the seed."""

import re

import pytest

from .budget import repeat, run, short

pytestmark = pytest.mark.usefixtures("amphi_works")


def torture(prog, expected, *args, limit=300):
    r = run(prog, *args, smp=4, limit=limit)
    what = "%s %s" % (prog, " ".join(str(a) for a in args))
    assert r.status != 125, "kernel failure in `%s`\n%s" % (what, r.describe())
    if isinstance(expected, bytes):
        assert (r.status, r.stdout, r.stderr) == (0, expected, b""), what + "\n" + r.describe()
    else:	# a pattern
        assert r.status == 0 and r.stderr == b"" and expected.fullmatch(r.stdout), (
            what + "\n" + r.describe())


def test_timed_condition_variables_with_requeue_and_signals():
    rounds = 1000 if short() else 5000
    repeat(lambda n: torture("stress_cond", b"cond ok: %d tokens\n" % (2 * rounds), rounds))


def test_mapping_protecting_unmapping_while_others_fault():
    rounds = 300 if short() else 3000
    repeat(lambda n: torture("stress_mm", b"mm ok\n", n + 1, rounds))


def test_epoll_ctl_racing_close_and_close_racing_blocked_calls():
    rounds = 100 if short() else 1000
    repeat(lambda n: torture("stress_fds", b"epoll ok\nblocked ok\n", n + 1, rounds))


def test_signals_racing_every_blocking_call():
    rounds = 150 if short() else 1500
    repeat(lambda n: torture("stress_signals", b"signals ok\n", n + 1, rounds))


def test_requeued_waiters_leaving_on_their_own():
    rounds = 2000 if short() else 10000
    repeat(lambda n: torture("futex_requeue", b"requeue torture ok: %d rounds\n" % rounds,
                             rounds, 2 + n % 3))


def test_fuzzer_new_targets():
    """The memory calls at bad ranges, futexes from four threads, and the
    random calls, a new seed each round."""
    count = 1000 if short() else 4000

    def body(n):
        seed = 100 + n
        torture("fuzz", b"ranges ok %d\n" % count, "ranges", seed, count)
        torture("fuzz", b"futex ok %d\n" % (4 * count), "futex", seed, count)
        torture("fuzz", re.compile(rb"fuzz ok \d+\n"), seed, count)
    repeat(body)


def test_threads_and_children_ending_as_soon_as_woken():
    """A sleeper woken and ended on another CPU while the CPU it left still
    switches away from it: freed once (a double free crashed redis's
    BGSAVE child in CI)."""
    rounds = 100 if short() else 1000
    repeat(lambda n: torture("stress_exit", b"exit ok: %d rounds\n" % rounds, n + 1, rounds))


def test_stops_and_continues_racing_a_busy_process():
    rounds = 100 if short() else 1000
    repeat(lambda n: torture("stress_jobctl", b"jobctl ok\n", n + 1, rounds))

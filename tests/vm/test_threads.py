"""Threads run on several CPUs at once and synchronise through futex."""

import re

import pytest

from conftest import lines, run

pytestmark = pytest.mark.usefixtures("amphi_works")


def threads_output(r, nthreads, millions):
    """Checks the deterministic lines; returns the number of CPUs seen."""
    m = millions * 1000000
    out = lines(r.stdout)
    assert r.status == 0 and len(out) == 3, r.describe()
    assert out[0] == "threads=%d" % nthreads, r.describe()
    assert out[1] == "sum=%d ok" % (m * (m - 1) // 2), r.describe()
    match = re.fullmatch(r"cpus=(\d+)", out[2])
    assert match, r.describe()
    return int(match.group(1))


def test_threads_spread_over_4_cpus():
    r = run("threads", 4, 200, smp=4)
    cpus = threads_output(r, 4, 200)
    assert 1 < cpus <= 4, "4 busy threads on 4 vCPUs ran on %d CPU(s)\n%s" % (
        cpus, r.describe())


def test_threads_on_one_cpu():
    r = run("threads", 4, 40, smp=1)
    assert threads_output(r, 4, 40) == 1, r.describe()


def test_more_threads_than_cpus():
    r = run("threads", 16, 40, smp=2)
    assert 1 <= threads_output(r, 16, 40) <= 2, r.describe()


@pytest.mark.parametrize("smp", [1, 4])
def test_futex_counter(smp):
    r = run("futex_counter", 4, 20000, 2000, smp=smp)
    assert (r.status, r.stdout, r.stderr) == (
        0, b"counter=80000 ok\npingpong=2000 ok\n", b""), r.describe()


def test_futex_counter_many_threads():
    r = run("futex_counter", 16, 5000, 5000, smp=4)
    assert (r.status, r.stdout, r.stderr) == (
        0, b"counter=80000 ok\npingpong=5000 ok\n", b""), r.describe()

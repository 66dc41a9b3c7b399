"""Sleeping, idle CPUs, and amphi's --timeout."""

import resource

import pytest

from conftest import run

pytestmark = pytest.mark.usefixtures("amphi_works")


def test_sleep():
    r = run("sleep")
    assert (r.status, r.stdout, r.stderr) == (0, b"slept ok\n", b""), r.describe()


def test_idle_cpus_do_not_burn_the_host():
    """A 4-vCPU VM whose only thread sleeps 3 s must halt its CPUs.

    One vCPU spinning through the sleep would cost about one host core for
    3 s; the bound (half the wall time, in host CPU seconds, boot included)
    is far above an idle VM's cost and below even one spinning vCPU's.
    QEMU's CPU time reaches us through amphi, which waits for it."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    r = run("sleep", 3000, smp=4)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    assert (r.status, r.stdout) == (0, b"slept ok\n"), r.describe()
    assert cpu > 0.02, ("amphi's QEMU used %.3f s of CPU: was it waited for? "
                        "(amphi must reap QEMU)" % cpu)
    assert cpu < 0.5 * r.seconds, (
        "host CPU %.2f s for %.2f s of wall time: idle vCPUs are spinning"
        % (cpu, r.seconds))


def test_timeout_stops_the_vm():
    r = run("sleep", 30000, timeout=2)
    assert r.status == 124, r.describe()
    assert r.stdout == b"", r.describe()
    assert r.seconds < 20, r.describe()

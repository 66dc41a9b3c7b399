"""Bounded kernel memory: every kind of kernel object a program can make
the kernel allocate stops at a limit with an errno the call may give, the
same limit is reached again once everything is freed (nothing leaked), and
the kernel still answers afterwards.  Descriptors in flight over AF_UNIX
are collected when only cycles hold them, as on Linux."""

import pytest

from conftest import run
from unix_gc_expected import UNIX_GC_CYCLES, UNIX_GC_LIMIT

pytestmark = pytest.mark.usefixtures("amphi_works")

# resource: the errno that stops it in a 32 MiB VM.
RESOURCES = {
    "pipes": "ENOMEM",      # rings stop at the kernel's reserve
    "sockets": "ENOBUFS",   # AF_UNIX data, likewise
    "epoll": "ENOSPC",      # Linux's max_user_watches: 4% of RAM
    "timers": "EMFILE",     # one descriptor each
    "signals": "EAGAIN",    # 256 queued siginfos
    "threads": "EAGAIN",    # Linux's threads-max: stacks in an eighth of RAM
    "files": "ENOSPC",      # tmpfs's nr_inodes: half as many as RAM pages
    "locks": "ENOLCK",      # 8192 record locks
}


@pytest.mark.parametrize("resource", sorted(RESOURCES))
def test_exhausting_a_resource_leaves_the_kernel_healthy(resource):
    r = run("exhaust", resource, mem="32M", smp=2)
    assert r.status != 125, "kernel failure\n" + r.describe()
    expected = "%s: stopped by %s\n%s: again as far\nkernel still answers\n" % (
        resource, RESOURCES[resource], resource)
    assert (r.status, r.stdout.decode(), r.stderr) == (0, expected, b""), r.describe()


@pytest.mark.parametrize("smp", [2, 4])
def test_in_flight_cycles_are_collected(smp):
    """25000 rounds of each kind of cycle in 32 MiB: before the collector,
    the first kind alone ran out of memory after about 17000."""
    r = run("unix_gc", "cycles", mem="32M", smp=smp, limit=120)
    assert r.status != 125, "kernel failure\n" + r.describe()
    assert (r.status, r.stdout.decode(), r.stderr) == (0, UNIX_GC_CYCLES, b""), r.describe()


def test_too_many_descriptors_in_flight():
    r = run("unix_gc", "limit", mem="32M")
    assert (r.status, r.stdout.decode(), r.stderr) == (0, UNIX_GC_LIMIT, b""), r.describe()

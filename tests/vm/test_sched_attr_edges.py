"""sched_setattr and sched_getattr at their edges (tests/progs/
sched_attr_edges.c), as uid 65534, against the same program's transcript
on Linux 6.18 (also as uid 65534, a kernel without CONFIG_UCLAMP_TASK):
a utilization clamp is refused before anything changes (before, the
policy was set and then EOPNOTSUPP said it was not); a size past a page
is E2BIG even when the struct is read-only (before, EFAULT); the flags
arguments are unsigned int, so a set upper half is ignored (before,
EINVAL)."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

TRANSCRIPT = (
    'setattr batch with a clamp: EOPNOTSUPP, policy now 0\n'
    'setattr size 4097, read-only: E2BIG, size 4097\n'
    'setattr flags argument 1 << 32: 0\n'
    'setattr flags argument 1 << 32 | 1: EINVAL\n'
    'getattr flags argument 1 << 32: 0, size 56 nice 1\n'
    'getattr flags argument 1 << 32 | 1: EINVAL\n'
)


def test_sched_attr_edges_match_linux():
    expect(run("sched_attr_edges", options=["--user", "65534:65534"]), TRANSCRIPT)

"""sched_setattr and sched_getattr (tests/progs/sched_attr_calls.c), as
uid 65534, against the same program's transcript on Linux 6.18 (also as
uid 65534): the extensible struct's sizes (E2BIG with the kernel's size
written back, a zero tail accepted), the flags (reset-on-fork, keeping the
policy or the parameters), nice values for the fair policies and their
limits, SCHED_IDLE, and the real-time and deadline policies refused to a
user.  Before, both calls were ENOSYS."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

TRANSCRIPT = (
    'start: getattr 0 size 48 policy 0 flags 0x0 nice 0 prio 0 deadline 0, getscheduler 0x0 getpriority 0\n'
    'getattr size 47: EINVAL\n'
    'getattr size 4097: EINVAL\n'
    'getattr flags 1: EINVAL\n'
    'getattr pid -1: EINVAL\n'
    'getattr no such pid: ESRCH\n'
    'getattr NULL: EINVAL\n'
    'getattr bad pointer: EFAULT\n'
    'getattr size 72: 0 size 56 beyond untouched 0\n'
    'setattr nice 5: 0\n'
    'nice 5: getattr 0 size 48 policy 0 flags 0x0 nice 5 prio 0 deadline 0, getscheduler 0x0 getpriority 5\n'
    'setattr nice 2 (lower): EPERM\n'
    'setattr nice 30 (clamped): 0\n'
    'nice 30: getattr 0 size 48 policy 0 flags 0x0 nice 19 prio 0 deadline 0, getscheduler 0x0 getpriority 19\n'
    'setattr batch: 0\n'
    'batch: getattr 0 size 48 policy 3 flags 0x0 nice 19 prio 0 deadline 0, getscheduler 0x3 getpriority 19\n'
    'setattr idle: 0\n'
    'idle: getattr 0 size 48 policy 5 flags 0x0 nice 19 prio 0 deadline 0, getscheduler 0x5 getpriority 19\n'
    'setattr out of idle: EPERM\n'
    'setattr fifo 10: EPERM\n'
    'setattr fifo 0: EINVAL\n'
    'setattr other prio 1: EINVAL\n'
    'setattr deadline: EPERM\n'
    'setattr deadline runtime > deadline: EINVAL\n'
    'setattr policy 7: EINVAL\n'
    'setattr policy -1: EINVAL\n'
    'setattr unknown flag: EINVAL\n'
    'setattr flags argument 1: EINVAL\n'
    'setattr pid -1: EINVAL\n'
    'setattr no such pid: ESRCH\n'
    'setattr NULL: EINVAL\n'
    'setattr size 20: E2BIG size now 56\n'
    'setattr size 0: 0\n'
    'setattr size 72, zero tail: 0\n'
    'setattr size 72, tail not zero: E2BIG size now 56\n'
    'setattr size 8192: E2BIG size now 56\n'
    'setattr reset on fork: 0\n'
    'reset on fork: getattr 0 size 48 policy 5 flags 0x1 nice 19 prio 0 deadline 0, getscheduler 0x40000005 getpriority 19\n'
    'setattr keep both: 0\n'
    'kept: getattr 0 size 48 policy 5 flags 0x1 nice 19 prio 0 deadline 0, getscheduler 0x40000005 getpriority 19\n'
    'setattr drop reset on fork: EPERM\n'
    'end: getattr 0 size 48 policy 5 flags 0x1 nice 19 prio 0 deadline 0, getscheduler 0x40000005 getpriority 19\n'
)


def test_sched_attr_calls_match_linux():
    expect(run("sched_attr_calls", options=["--user", "65534:65534"]), TRANSCRIPT)

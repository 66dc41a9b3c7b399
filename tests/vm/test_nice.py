"""Nice values and scheduling policies (tests/progs/nice_calls.c), one case
per run.  Each line is the same program's (built with musl) on Linux 6.18,
run as root, except four lines of "user": this host's root lacks
CAP_SYS_RESOURCE, so there its raise of RLIMIT_NICE's hard limit to 25 is
EPERM and what follows from it differs; those lines are what Linux's rules
(can_nice: 20 - nice <= RLIMIT_NICE) give a root that has it.

"share" runs two busy processes on one CPU at nice 0 and nice 10: Linux
gives the first about 9 times the second's share, as amphi does (its
slices are 10 ms against 1.07 ms); the line asks for more than 3 times.
"ioprio" sets and reads I/O priorities, and busybox's ionice reads them
back as on the host.  Before these calls existed every line was ENOSYS
and the shares equal."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

LINES = {
    "nice": (
        "getpriority self: 20\n"
        "nice(5): 5\n"
        "getpriority self: 15\n"
        "getpriority by pid: 15\n"
        "/proc/self/stat priority 25 nice 5\n"
        "setpriority 100: 0\n"
        "now 1\n"
        "setpriority -100 as root: 0\n"
        "now 40\n"
        "/proc/self/stat priority 0 nice -20\n"
        "setpriority which 3: EINVAL\n"
        "getpriority which -1: EINVAL\n"
        "getpriority nobody: ESRCH\n"
        "setpriority nobody: ESRCH\n"
        "getpriority pid -5: ESRCH\n"),
    "threads": (
        "setpriority 2: 0\n"
        "new thread starts at 18\n"
        "thread sets its own 7: 0\n"
        "thread now 13\n"
        "main thread still 18\n"
        "forked child starts at 18\n"),
    "groups": (
        "getpriority pgrp: 19\n"
        "setpriority pgrp 9: 0\n"
        "first now 11\n"
        "second now 11\n"
        "getpriority user 1000: 14\n"
        "setpriority user 1000 to 12: 0\n"
        "its process now 8\n"
        "getpriority user 4242: ESRCH\n"
        "getpriority pgrp nobody's: ESRCH\n"),
    "user": (
        "as root, RLIMIT_NICE 25: 0\n"
        "as 1000 up to 3: 0\n"
        "down to -5: 0\n"
        "down to -6: EACCES\n"
        "now 25\n"
        "root's process to 5: EPERM\n"
        "read root's: 20\n"
        "RLIMIT_NICE 0, up to 0: 0\n"
        "down to -1: EACCES\n"),
    "policy": (
        "getscheduler: 0\n"
        "BATCH: 0\n"
        "get 3\n"
        "IDLE: 0\n"
        "get 5\n"
        "OTHER prio 1: EINVAL\n"
        "FIFO prio 0: EINVAL, 100: EINVAL\n"
        "policy 4: EINVAL, 7: EINVAL, -1: EINVAL\n"
        "NULL param: EINVAL\n"
        "bad param: EFAULT\n"
        "pid -1: EINVAL, nobody: ESRCH\n"
        "OTHER|RESET_ON_FORK: 0\n"
        "get 1073741824\n"
        "setpriority -3: 0\n"
        "child of RESET_ON_FORK: policy 0, priority 20\n"
        "getparam: 0\n"
        "its priority 0\n"
        "getparam NULL: EINVAL, bad: EFAULT, nobody: ESRCH\n"
        "getscheduler -1: EINVAL, nobody: ESRCH\n"
        "max/min FIFO 99 1, RR 99 1, OTHER 0 0, IDLE 0 0, 9: EINVAL EINVAL\n"
        "rr_get_interval: 0, under a second: yes\n"
        "rr_get_interval -1: EINVAL, bad: EFAULT\n"
        "1000: FIFO 10: EPERM\n"
        "1000: RR 10: EPERM\n"
        "1000: IDLE: 0\n"
        "1000: back to OTHER: EPERM\n"
        "1000: BATCH of root's process: EPERM\n"
        "1000: RESET_ON_FORK: 0\n"
        "1000: cleared: EPERM\n"
        "1000: setparam 0: 0\n"),
    "share": (
        "nice 0 ran more than 3 times as much as nice 10: yes\n"),
    "ioprio": (
        "get: 0\n"
        "set 0x4007: 0, get 0x4007\n"
        "set 0x4038: 0, get 0x4038\n"
        "set 0x6000: 0, get 0x6000\n"
        "set 0x2002: 0, get 0x2002\n"
        "set 0x1: EINVAL, get 0x2002\n"
        "set 0x8000: EINVAL, get 0x2002\n"
        "set 0xe000: EINVAL, get 0x2002\n"
        "set 0xffffffff: EINVAL, get 0x2002\n"
        "set 0: 0, get 0\n"
        "which 0: EINVAL, 4: EINVAL, nobody: ESRCH\n"
        "group of two: 0x4004\n"
        "set the group idle: 0, the child's now 0x6000\n"
        "1000: real-time: EPERM\n"
        "1000: idle: 0\n"
        "1000: root's process: EPERM\n"
        "1000: read root's: 0x6000\n"),
}

# busybox's renice, and /proc/PID/stat's priority and nice fields, as on
# the host: an increment clamped at 19, then down below 0 as root.
RENICE = ('cut -d" " -f18,19 /proc/$$/stat; busybox renice -n 4 -p $$; '
          'cut -d" " -f18,19 /proc/$$/stat; busybox renice -n 30 -p $$; '
          'cut -d" " -f19 /proc/$$/stat; busybox renice -n -25 $$; '
          'cut -d" " -f19 /proc/$$/stat; sh -c "cut -d\\" \\" -f19 /proc/self/stat"')


@pytest.mark.parametrize("case", sorted(LINES))
def test_nice_case(case):
    # amphi takes sched_setaffinity and ignores it: one CPU, so that the
    # two busy processes of "share" share it.
    expect(run("nice_calls", case, smp=1), LINES[case])


IONICE = ('busybox ionice -p $$; busybox ionice -c 3 -p $$; busybox ionice -p $$; '
          'busybox ionice -c 2 -n 7 -p $$; busybox ionice -p $$')


def test_busybox_ionice():
    expect(run("/bin/busybox", "sh", "-c", IONICE, env=["PATH=/bin"]),
           "none: prio 0\nidle\nbest-effort: prio 7\n")


def test_busybox_renice():
    expect(run("/bin/busybox", "sh", "-c", RENICE, env=["PATH=/bin"]),
           "20 0\n24 4\n19\n-6\n-6\n")

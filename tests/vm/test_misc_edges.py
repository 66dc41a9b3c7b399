"""Bad arguments a hostile program may give the time, credential and
miscellaneous calls (tests/progs/misc_edges.c), one case per run: each line
is the same program's (built with musl) on Linux 6.18, run as root, on a
machine with no RTC alarm (the alarm clocks: EOPNOTSUPP for sleeps and
POSIX timers; with one Linux would take them from root).

Checked to fail without the fixes:
  comm       "EFAULT, name misc_edges": PR_SET_NAME read a 16th byte, so a
             15-byte name ending before unmapped memory was refused.
  grnd       getrandom took GRND_RANDOM with GRND_INSECURE, gave EFAULT,
             not the 8 bytes that fit, to a buffer mapped for 8, and cut
             40 MiB at 32 MiB - 1 (a cap Linux 6.x no longer has), never
             stopping for a signal.
  affinity   sched_setaffinity said 0 to everything (an empty mask, a
             bad pointer, nobody's pid, another user's process), and
             getaffinity took a size that is not whole longs and any pid.
  tz         gettimeofday left the struct timezone as it was (-1 -1) and
             took a bad pointer for it.
  sleeps     clock_nanosleep: EINVAL for the clocks Linux has but cannot
             sleep on (EOPNOTSUPP), CLOCK_TAI refused, the time read
             before the clock was checked; a process's CPU-time clock id
             refused by clock_gettime.
  timers     timer_create refused CLOCK_TAI (EINVAL).
  ids        setgroups as uid 1000 with too many groups: EINVAL, not EPERM.
  rlimit     an RLIMIT_NOFILE hard limit above Linux's fs.nr_open taken.
  timerfd    timerfd_create on the alarm clocks taken from uid 1000
             (Linux: CAP_WAKE_ALARM).
  prctl      the parent-death signal kept when the effective or fs ids
             changed (Linux forgets it, so a parent cannot signal a
             process whose privileges changed).
  pdeath     likewise kept by the exec of a set-uid root program and by
             a secure exec (real uid 0, effective 1000).
  children   "less": getrusage(RUSAGE_CHILDREN) and times() gave 0 for
             the children waited for.
  cpuclocks  "No such process": clock_getcpuclockid and
             pthread_getcpuclockid's clocks were refused (both C libraries
             ask clock_getres about them).
"""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

LINES = {
    "sysinfo": (
        "sysinfo: 0, padding zero\n"),
    "comm": (
        "PR_SET_NAME, 15 bytes before a hole: 0, name nnnnnnnnnnnnnnn\n"
        "PR_SET_NAME, 3 bytes before a hole: EFAULT\n"),
    "grnd": (
        "getrandom RANDOM|INSECURE: EINVAL\n"
        "getrandom flag 8: EINVAL\n"
        "getrandom INSECURE: 8\n"
        "getrandom 2^40 into 8 bytes before a hole: 8\n"
        "getrandom 300 into 300 bytes before a hole: 300\n"
        "getrandom into the hole: EFAULT\n"
        "getrandom 0 bytes to NULL: 0\n"
        "getrandom 40 MiB: all, or whole pages before a signal\n"),
    "affinity": (
        "setaffinity empty: EINVAL\n"
        "setaffinity CPU 63 only: EINVAL\n"
        "setaffinity bad pointer: EFAULT\n"
        "setaffinity pid 99999: ESRCH\n"
        "setaffinity CPU 0, 3 bytes: 0\n"
        "setaffinity CPU 0: 0\n"
        "setaffinity all: 0\n"
        "getaffinity 9 bytes: EINVAL\n"
        "getaffinity pid 99999: ESRCH\n"
        "getaffinity pid 1: 8\n"
        "setaffinity of root's process as 1000: EPERM\n"
        "setaffinity of its own as 1000: 0\n"),
    "tz": (
        "gettimeofday with tz: 0, tz 0 0\n"
        "gettimeofday bad tz: EFAULT\n"),
    "sleeps": (
        "nanosleep nsec 1e9: EINVAL\n"
        "nanosleep -1 s: EINVAL\n"
        "clock_nanosleep nsec -1: EINVAL\n"
        "clock_nanosleep clock 99: EINVAL\n"
        "clock_nanosleep clock -1: EINVAL\n"
        "clock_nanosleep THREAD_CPUTIME: EOPNOTSUPP\n"
        "clock_nanosleep MONOTONIC_RAW: EOPNOTSUPP\n"
        "clock_nanosleep REALTIME_COARSE: EOPNOTSUPP\n"
        "clock_nanosleep REALTIME_ALARM: EOPNOTSUPP\n"
        "clock_nanosleep BOOTTIME_ALARM: EOPNOTSUPP\n"
        "clock_nanosleep TAI abs 1: 0\n"
        "clock_nanosleep REALTIME abs 1: 0\n"
        "clock_nanosleep MONOTONIC abs 1: 0\n"
        "clock_nanosleep bad ts: EFAULT\n"
        "clock_nanosleep bad clock, bad ts: EINVAL\n"
        "clock_gettime clock 99: EINVAL\n"
        "clock_gettime pid 1's CPU clock: 0\n"
        "clock_getres clock 99: EINVAL\n"
        "clock_getres NULL: 0\n"
        "setitimer usec 1e6: EINVAL\n"
        "setitimer usec -1: EINVAL\n"
        "setitimer which 3: EINVAL\n"
        "getitimer which -1: EINVAL\n"
        "alarm 0xffffffff: 0\n"
        "alarm 0: 4294967295\n"),
    "timers": (
        "timer_create signal 0: EINVAL\n"
        "timer_create signal 65: EINVAL\n"
        "timer_create notify 99: EINVAL\n"
        "timer_create THREAD_ID of another process: EINVAL\n"
        "timer_create THREAD_ID of nobody: EINVAL\n"
        "timer_create clock 99: EINVAL\n"
        "timer_create bad sigevent: EFAULT\n"
        "timer_create bad id pointer: EFAULT\n"
        "timer_create: 0\n"
        "timer_settime nsec 1e9: EINVAL\n"
        "timer_settime interval -1 s: EINVAL\n"
        "timer_settime id 1000: EINVAL\n"
        "timer_settime id -1: EINVAL\n"
        "timer_settime bad value: EFAULT\n"
        "timer_gettime bad pointer: EFAULT\n"
        "timer_create REALTIME_ALARM: EOPNOTSUPP\n"
        "timer_create BOOTTIME_ALARM: EOPNOTSUPP\n"
        "timer_create TAI: 0\n"
        "timer_settime TAI abs 1 s: 0\n"
        "its signal: 14\n"
        "timer_delete: 0\n"
        "timer_delete again: EINVAL\n"),
    "ids": (
        "setgroups 65537: EINVAL\n"
        "setgroups -1: EINVAL\n"
        "setgroups 3: 0\n"
        "getgroups 2: EINVAL\n"
        "getgroups 3: 3: 5 3 4\n"
        "setresuid 1000, 1000, 0: 0\n"
        "setresuid -1, 0, -1: 0\n"
        "setresuid -1, 1000, -1: 0\n"
        "setresuid -1, -1, 1000: 0\n"
        "setresuid -1, 0, -1: EPERM\n"
        "setuid 0: EPERM\n"
        "setreuid 0, -1: EPERM\n"
        "setreuid -1, 0: EPERM\n"
        "setfsuid 0: 1000\n"
        "setfsuid -1: 1000\n"
        "setgroups as 1000: EPERM\n"
        "setgroups 65537 as 1000: EPERM\n"
        "setresgid 0, 0, 0: 0\n"
        "setgid 7: EPERM\n"
        "setuid -1: EINVAL\n"
        "now 1000 1000 1000\n"
        "getresuid bad pointer: EFAULT\n"),
    "caps": (
        "capget bad version: EINVAL, version 0x20080522\n"
        "capget bad version, NULL data: 0, version 0x20080522\n"
        "capget pid -1: EINVAL\n"
        "capget pid 99999: ESRCH\n"
        "capset parent: EPERM\n"
        "capget: 0\n"
        "capset bad data: EFAULT\n"
        "capset CAP_SETUID in all: 0\n"
        "capset effective not permitted: EPERM\n"
        "capset permitted grown: EPERM\n"
        "capset inheritable grown: EPERM\n"
        "setuid 5 with CAP_SETUID: 0\n"
        "setuid 0 after: EPERM\n"
        "CAPBSET_READ 64: EINVAL\n"
        "CAPBSET_DROP 1 unprivileged: EPERM\n"
        "AMBIENT_RAISE 7: EPERM\n"),
    "prctl": (
        "PDEATHSIG 65: EINVAL\n"
        "PDEATHSIG -1: EINVAL\n"
        "PDEATHSIG 64: 0\n"
        "GET_PDEATHSIG bad pointer: EFAULT\n"
        "GET_PDEATHSIG: 64\n"
        "NO_NEW_PRIVS 2: EINVAL\n"
        "NO_NEW_PRIVS 1, 1: EINVAL\n"
        "NO_NEW_PRIVS 1: 0\n"
        "GET_NO_NEW_PRIVS: 1\n"
        "SET_DUMPABLE 2: EINVAL\n"
        "SET_KEEPCAPS 2: EINVAL\n"
        "SET_NAME bad pointer: EFAULT\n"
        "GET_NAME bad pointer: EFAULT\n"
        "option 9999: EINVAL\n"
        "PDEATHSIG after setresuid(-1, -1, -1): 10\n"
        "PDEATHSIG after setresuid(-1, 1000, -1): 0\n"
        "PDEATHSIG after setresuid(-1, 0, -1): 0\n"
        "PDEATHSIG after setfsuid(5): 0\n"
        "PDEATHSIG after setresgid(-1, 7, -1): 0\n"
        "PDEATHSIG after setuid(0): 0\n"),
    "rlimit": (
        "getrlimit 16: EINVAL\n"
        "getrlimit bad pointer: EFAULT\n"
        "setrlimit cur above max: EINVAL\n"
        "setrlimit NOFILE max 2000000: EPERM\n"
        "setrlimit NOFILE 10, 20: 0\n"
        "opened up to fd 9: EMFILE\n"
        "setrlimit raising max as 1000: EPERM\n"
        "setrlimit cur to max as 1000: 0\n"
        "prlimit parent as 1000: EPERM\n"
        "prlimit pid 99999: ESRCH\n"),
    "cpuclocks": (
        "clock_getcpuclockid(0): 0\n"
        "clock_gettime on it: 0\n"
        "clock_getcpuclockid(parent): 0\n"
        "clock_gettime on it: 0\n"
        "pthread_getcpuclockid(self): 0\n"
        "clock_gettime on it: 0\n"
        "pthread_getcpuclockid(another thread): 0\n"
        "clock_getres on it: 0\n"
        "thread clock of the other thread by its tid: 0\n"
        "process clock by the other thread's tid: EINVAL\n"
        "process clock, own tid: 0\n"
        "thread clock of the parent: EINVAL\n"
        "process clock of pid 99999: EINVAL\n"
        "process clock kind 3: EINVAL\n"
        "thread clock kind 0: 0\n"
        "clock_nanosleep on a thread clock: EINVAL\n"),
    "timerfd": (
        "timerfd_create flags 1: EINVAL\n"
        "timerfd_create clock 99: EINVAL\n"
        "timerfd_create MONOTONIC_RAW: EINVAL\n"
        "timerfd_create CPU clock: EINVAL\n"
        "timerfd_settime nsec 1e9: EINVAL\n"
        "timerfd_settime interval -1: EINVAL\n"
        "timerfd_settime flags 4: EINVAL\n"
        "timerfd_settime bad pointer: EFAULT\n"
        "timerfd_settime on stdout: EINVAL\n"
        "timerfd_settime fd 999: EBADF\n"
        "timerfd_settime bad old: EFAULT\n"
        "timerfd_gettime bad pointer: EFAULT\n"
        "timerfd_gettime on stdout: EINVAL\n"
        "read 4 bytes: EINVAL\n"
        "timerfd_create REALTIME_ALARM as 1000: EPERM\n"
        "timerfd_create BOOTTIME_ALARM as 1000: EPERM\n"),
    "children": (
        "before a child: rusage 0, times 0\n"
        "after a 200 ms child: rusage >= 0.19 s, times >= 19 ticks\n"
        "getrusage who 5: EINVAL\n"
        "getrusage bad pointer: EFAULT\n"
        "times bad pointer: EFAULT\n"),
    "pdeath": (
        "exec of a plain copy: euid 1000, PDEATHSIG 10\n"
        "exec of a set-uid root copy: euid 0, PDEATHSIG 0\n"
        "exec of a plain copy, real uid 0 (a secure exec): euid 1000, PDEATHSIG 0\n"),
}


@pytest.mark.parametrize("case", sorted(LINES))
def test_misc_edge_case(case):
    expect(run("misc_edges", case), LINES[case] + "done\n")

"""Setting the clock (tests/progs/clock_set.c).  "refused": as user 65534,
each call's refusal in Linux's order, Linux 6.18's lines for the same
program built with musl (safe to take on the host: nobody may change its
clock).  "set": as root, settimeofday, clock_settime and adjtimex's
ADJ_SETOFFSET step the wall clock and new files' times follow it, the
timezone comes back, a time before the boot is EINVAL, adjtimex answers
TIME_ERROR (5) while unsynchronized and keeps the values it is given
(maxerror clamped); these lines follow Linux's rules, since taking them on
the host would change its clock.  And busybox's `date -s`.  Before, all
four calls were ENOSYS."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

REFUSED = (
    'settimeofday: EPERM\n'
    'settimeofday of nothing: EPERM\n'
    'timezone only: EPERM\n'
    'usec 1000001: EINVAL\n'
    'bad pointer: EFAULT\n'
    'clock_settime REALTIME: EPERM, MONOTONIC: EINVAL, PROCESS_CPUTIME: EINVAL, 99: EINVAL\n'
    'adjtimex read: ok, tolerance 32768000, precision 1\n'
    'ADJ_FREQUENCY: EPERM\n'
    'ADJ_TICK 1: EPERM\n'
    'ADJ_OFFSET_SS_READ: ok\n'
    'ADJ_ADJTIME alone: EINVAL\n'
    'clock_adjtime MONOTONIC: EOPNOTSUPP, 99: EINVAL\n')

SET = (
    "settimeofday 2000000000: 0, now there\n"
    "timezone back: 60 west\n"
    "a new file's mtime: the new time\n"
    "clock_settime 1900000000: 0, now there\n"
    "before the boot: EINVAL\n"
    "adjtimex read: 5, status 0x40, maxerror 16000000\n"
    "ADJ_SETOFFSET +100 s: 5, now there\n"
    "ADJ_STATUS 0 (synchronized): 0, status 0, maxerror 16000000, freq 65536\n"
    "adjtime's slew read back: 0 5000\n")


@pytest.mark.parametrize("case, want", [("refused", REFUSED), ("set", SET)])
def test_clock_set(case, want):
    expect(run("clock_set", case), want)


def test_busybox_date_s():
    script = ("busybox date -s '2031-05-06 07:08:09' >/dev/null; busybox date +%Y-%m-%d; "
              "touch /tmp/f; busybox stat -c %y /tmp/f | busybox cut -c1-10")
    expect(run("/bin/busybox", "sh", "-c", script, env=["PATH=/bin"]), "2031-05-06\n2031-05-06\n")

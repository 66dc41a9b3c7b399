"""Advisory locks at their edges (tests/progs/fs_lock_edges.c), against
the transcript of the same static program on the host's Linux 6.18 (on a
tmpfs).

- Two processes each holding the byte the other asks for with F_SETLKW:
  Linux refuses one of them with EDEADLK.  amphi used to put both to sleep
  for ever (the program's alarms ended it: "0 of 2 refused").
- flock(2) converts a lock by dropping it first: two holders of LOCK_SH
  that both ask for LOCK_EX both get it in turn, and a conversion refused
  under LOCK_NB has lost its LOCK_SH.  amphi kept the old lock while it
  waited, so both slept (the child's alarm ended it: "signal 14").
- Record lock ranges: a start or end past 2^63 - 1 is EOVERFLOW (amphi
  said EINVAL), and a negative length reaching below 0 is EINVAL whatever
  the sum would wrap to (amphi took start -1 with length INT64_MIN, a sum
  that overflowed into a positive start, as a lock)."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

LOCK_EDGES = """\
deadlock: 1 of 2 refused with EDEADLK, the other got its lock
flock: LOCK_SH to LOCK_EX beside another holder converting: ok
flock: the other holder: exit 0
flock: LOCK_EX|LOCK_NB beside another LOCK_SH: EAGAIN
flock: the other's LOCK_EX|LOCK_NB (the first lock is gone): ok
flock: LOCK_SH again on the first: EAGAIN
range: start -1: EINVAL
range: 0, len -1: EINVAL
range: 3, len -5: EINVAL
range: 3, len -3: ok
range: max, len 1: ok
range: max, len 2: EOVERFLOW
range: 1, len max: ok
range: 2, len max: EOVERFLOW
range: -1, len min: EINVAL
range: max - 1, len min: EINVAL
range: min, len min: EINVAL
range: cur + max: EOVERFLOW
range: cur - 101: EINVAL
range: cur + min: EINVAL
range: end - 1: EINVAL
range: -1, len min once more: EINVAL
range: another process sees no lock
fs_lock_edges done
"""


def test_lock_edges_as_linux():
    expect(run("fs_lock_edges", "/tmp"), LOCK_EDGES)

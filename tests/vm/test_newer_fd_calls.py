"""Descriptor calls newer programs make (tests/progs/newer_fd_calls.c), one
case per run: close_range (glibc's closefrom, Python's subprocess),
preadv2 and pwritev2, sync_file_range and readahead.  Each line is the
same program's (built with musl) on Linux 6.18, run as root; every case
was all ENOSYS before these calls existed."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

LINES = {
    "close_range": (
        "open: 1110111111\n"
        "close_range 12..15: 0\n"
        "now 1100001111\n"
        "bad flags: EINVAL\n"
        "reversed: EINVAL\n"
        "nothing open in 100..200: 0\n"
        "child after UNSHARE 10..14: 0000011111\n"
        "parent after the child's: 1111111111\n"
        "CLOEXEC 15..~0U: 0\n"
        "still open: 1111111111\n"
        "after exec: 1111100000\n"
        "close_range 3..~0U: 0\n"
        "now 11100000000000000000\n"),
    "rw2": (
        "pwritev2 at 2, DSYNC: 8\n"
        "pwritev2 at -1, SYNC: 4\n"
        "offset now 4\n"
        'preadv2 at 0, HIPRI: 8 "abcdcdWX"\n'
        'preadv2 at 2: 8 "cdcdWXYZ"\n'
        'preadv2 at -1: 8 "bcdcdWXY"\n'
        "offset now 9\n"
        "flag 0x40000000: EOPNOTSUPP, with nothing to read: 0\n"
        "offset -2: EINVAL\n"
        "bad vector: EFAULT\n"
        "bad descriptor with a bad flag: EBADF\n"
        "pipe at 0: ESPIPE, at -1 with DSYNC: 4\n"
        "pipe read at -1: 4\n"
        "read end written: EBADF\n"),
    "syncrange": (
        "WRITE|WAIT_AFTER: 0\n"
        "all flags, a range: 0\n"
        "flag 8: EINVAL\n"
        "negative offset: EINVAL, length: EINVAL\n"
        "overflowing: EINVAL\n"
        "pipe: ESPIPE\n"
        "bad descriptor: EBADF\n"),
    "readahead": (
        "file: 0\n"
        "pipe: EINVAL\n"
        "write-only: EBADF\n"
        "bad descriptor: EBADF\n"),
}


@pytest.mark.parametrize("case", sorted(LINES))
def test_newer_fd_call(case):
    expect(run("newer_fd_calls", case), LINES[case])

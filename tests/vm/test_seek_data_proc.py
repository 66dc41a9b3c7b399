"""lseek's SEEK_DATA and SEEK_HOLE on /proc's files (tests/progs/
seek_data_proc.c): EINVAL, the offset kept, as Linux 6.18's seq_lseek (the
transcript taken on this host as user 65534).  Since SEEK_DATA came (this
stop) they went to tmpfs's page walk and said ENXIO, as for an empty file,
though a read gives the text."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

LINUX = "".join(
    "%s: SEEK_DATA 0 EINVAL, SEEK_HOLE 0 EINVAL, SEEK_DATA -1 EINVAL, offset 1\n" % p
    for p in ("/proc/version", "/proc/self/status", "/proc/meminfo"))


def test_seek_data_on_proc_is_einval():
    expect(run("seek_data_proc"), LINUX)

"""lseek's SEEK_DATA and SEEK_HOLE on /proc's and /sys's files (tests/
progs/seek_data_proc.c), as Linux 6.18 answers (the transcript taken on
this host as user 65534): EINVAL for /proc's seq_files, the offset kept;
ENXIO for /proc's others (size 0); a sysfs attribute all data up to its
size, a page, which stat shows too.  Since SEEK_DATA came (this stop)
every one went to tmpfs's page walk and said ENXIO, as for an empty file,
though a read gives the text; /sys's files had size 0.  (/proc/sys's
files, default_llseek on Linux, say EINVAL for SEEK_DATA at -1 where
amphi says ENXIO, as for /proc/self/cmdline: left out.)"""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

LINUX = (
    "/proc/version: SEEK_DATA 0 EINVAL, SEEK_HOLE 0 EINVAL, SEEK_DATA -1 EINVAL, offset 1\n"
    "/proc/self/status: SEEK_DATA 0 EINVAL, SEEK_HOLE 0 EINVAL, SEEK_DATA -1 EINVAL, offset 1\n"
    "/proc/meminfo: SEEK_DATA 0 EINVAL, SEEK_HOLE 0 EINVAL, SEEK_DATA -1 EINVAL, offset 1\n"
    "/proc/self/cmdline: SEEK_DATA 0 ENXIO, SEEK_HOLE 0 ENXIO, SEEK_DATA -1 ENXIO, offset 1\n"
    "/sys/devices/system/cpu/online: SEEK_DATA 0 0, SEEK_HOLE 0 4096, SEEK_DATA -1 ENXIO, "
    "offset 4096\n"
    "/sys/kernel/mm/transparent_hugepage/enabled: SEEK_DATA 0 0, SEEK_HOLE 0 4096, "
    "SEEK_DATA -1 ENXIO, offset 4096\n")


def test_seek_data_on_generated_files():
    expect(run("seek_data_proc"), LINUX)

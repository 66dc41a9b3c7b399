"""Pages cut from a file leave every process's mappings
(tests/progs/mmap_cut.c): a truncation, a punched hole and MADV_REMOVE in
one process, seen through a child's shared mapping, its private mapping
(one page its own copy, the others the file's), that private mapping
moved by mremap, and a grandchild that inherited them by fork.  As on
Linux, past the new end is SIGBUS even for a private copy, a hole reads
zero except where a private mapping has its own copy, and a store through
a shared mapping after the punch reaches the file; the same for O_DIRECT
I/O on ext4, which drops the cached pages of its range.  Before, the
other processes kept the old pages: the truncated range read the old
bytes, a store through the mapping after a punch never reached the file
(the file no longer had the page), and mappings read the bytes from
before an O_DIRECT write.  The transcript is Linux 6.18's for the
same static program, on tmpfs (/dev/shm) and on ext4 (a loop mount).
Faults and forks racing truncations keep no stale page either."""
import subprocess

import pytest

from conftest import AMPHI, expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

LINUX = """\
truncate to 1.5 pages: shared A B BUS BUS; private A x BUS BUS; moved BUS
  forked: shared BUS; private x BUS
punch pages 1-2: shared A 0 0 D; private A x 0 D; moved 0
  store through shared page 1: ok
  read() of page 1 after: Q
  forked: shared 0; private x 0
MADV_REMOVE page 2: shared A B 0 D; private A x 0 D; moved 0
  forked: shared 0; private x 0
"""


def test_cuts_reach_other_processes_on_tmpfs():
    expect(run("mmap_cut", "/tmp"), LINUX)


def test_cuts_reach_other_processes_on_ext4(tmp_path):
    img = str(tmp_path / "cut.img")
    subprocess.run([AMPHI, "disk", "create", img, "16M"], check=True, capture_output=True)
    expect(run("mmap_cut", "/data", options=["--disk", img + ":/data"]), LINUX)


def test_direct_io_on_ext4(tmp_path):
    img = str(tmp_path / "direct.img")
    subprocess.run([AMPHI, "disk", "create", img, "16M"], check=True, capture_output=True)
    expect(run("mmap_cut", "/data", "direct", options=["--disk", img + ":/data"]), """\
O_DIRECT read page 1, write page 2: shared A B W D; private A x W D; moved W
  store through shared page 1: ok
  read() of page 1 after: Q
  forked: shared W; private x W
""")


def test_faults_and_forks_racing_truncation_keep_no_stale_page(tmp_path):
    """tests/progs/mmap_cut_race.c: a thread faulting the pages in and
    another forking while the file is truncated and extended, 4 vCPUs.
    Before, a page of the old bytes survived in round 2; without the
    fault's check of the cut count, within 300 rounds in 2 of 3 runs."""
    expect(run("mmap_cut_race", "/tmp", 300, smp=4), "ok\n")
    img = str(tmp_path / "race.img")
    subprocess.run([AMPHI, "disk", "create", img, "16M"], check=True, capture_output=True)
    expect(run("mmap_cut_race", "/data", 100, options=["--disk", img + ":/data"]), "ok\n")

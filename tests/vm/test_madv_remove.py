"""madvise(MADV_REMOVE) punches the backing store of a shared mapping
(tests/progs/madv_remove.c): shared anonymous memory and a tmpfs file read
zero after it, through the mapping and read(), and the file's pages are
freed (st_blocks); private and read-only mappings get Linux's EINVAL and
EACCES.  It once only dropped the page-table entries, so the old data came
back and nothing was freed.  The transcript is the same static program's
on the host's Linux 6.18 (as root, /tmp a tmpfs); on an ext4 disk the page
reads 0 after it, as with Linux 6.x's ext4 (a loop mount of the same
image); it was EOPNOTSUPP, the data kept, before ext4 could punch."""
import subprocess

import pytest

from conftest import AMPHI, expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

MADV_REMOVE = """\
shared anonymous: madvise ok; pages read a 0 c
shared tmpfs file: madvise ok; pages read a 0 c
  size 12288; blocks 24 -> 16
  read(): a 0 c
  store after: read() sees x
private anonymous: madvise Invalid argument; reads p
private file: madvise Permission denied
read-only shared file: madvise Permission denied
shared anonymous with a hole: madvise Out of memory; pages read 0 0
"""


def test_remove_frees_shared_memory_and_tmpfs_pages():
    expect(run("madv_remove"), MADV_REMOVE)


def test_remove_on_ext4(tmp_path):
    img = str(tmp_path / "mr.img")
    subprocess.run([AMPHI, "disk", "create", img, "16M"], check=True, capture_output=True)
    expect(run("madv_remove", "/data/f", options=["--disk", img + ":/data"]),
           "shared file on a store: madvise ok; reads 0\n")

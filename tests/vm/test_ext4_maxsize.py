"""A program at ext4's largest file size (tests/progs/ext4_maxsize.c):
an extent-mapped file may hold (2^32 - 1) blocks, as Linux's s_maxbytes,
so that an extent's end fits its 32 bits and e2fsck's size check passes.
A write that crosses the limit is short, one at it EFBIG; ftruncate and
fallocate past it are EFBIG, whatever the mode; the transcript is the
same static program's on the host's Linux 6.x ext4 (4 KiB blocks).  A
file ending at the limit, with 4 KiB and 1 KiB blocks (where the last
page holds a block past the limit), reads back and passes `e2fsck -fn`.
Before, amphi took block 2^32 - 1 too: writes there whole, a size of
2^44 that e2fsck rejects ("i_size is 17592186044416, should be ...")."""
import re
import subprocess

import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

LINUX = """\
pwrite 20 at max-4096: 20 ok
pwrite 20 at max-10: 10 ok
pwrite 20 at max-1: 1 ok
pwrite 20 at max+0: -1 File too large
pwrite 20 at max+1: -1 File too large
pwrite 20 at max+4096: -1 File too large
pwrite 20 at max+1099511627776: -1 File too large
pwrite 20 at 2^63-4: Invalid argument
  size max+0
ftruncate at max-4096: 0 ok
ftruncate at max-10: 0 ok
ftruncate at max-1: 0 ok
ftruncate at max+0: 0 ok
ftruncate at max+1: -1 File too large
ftruncate at max+4096: -1 File too large
ftruncate at max+1099511627776: -1 File too large
  size max+0
fallocate +10 at max-4096: 0 ok
fallocate keep -8192+8192 at max-4096: 0 ok
fallocate +10 at max-10: 0 ok
fallocate keep -8192+8192 at max-10: 0 ok
fallocate +10 at max-1: -1 File too large
fallocate keep -8192+8192 at max-1: 0 ok
fallocate +10 at max+0: -1 File too large
fallocate keep -8192+8192 at max+0: 0 ok
fallocate +10 at max+1: -1 File too large
fallocate keep -8192+8192 at max+1: -1 File too large
fallocate +10 at max+4096: -1 File too large
fallocate keep -8192+8192 at max+4096: -1 File too large
fallocate +10 at max+1099511627776: -1 File too large
fallocate keep -8192+8192 at max+1099511627776: -1 File too large
  size max+0
fallocate at 2^63-10: File too large
punch at 2^63-10: File too large
zero range 4096 at max-100: -1 File too large
punch 4096 at max-100: -1 File too large
  size max+0
pwrite 3 at max-3: 3 ok
pread 8 at max-4: 4 [0 XYZ]
write 1 at max+0: -1 File too large
write 4 at max-2: 2 ok
  offset max+0
  size max+0
O_APPEND write 1 at max+0: -1 File too large
pwrite 20 at max-10: 10 ok
pwrite 20 at max-5000: 20 ok
"""


@pytest.mark.parametrize("block", [4096, 1024])
def test_writes_stop_at_the_largest_size(tmp_path, block):
    img = str(tmp_path / "max.img")
    subprocess.run(["truncate", "-s", "64M", img], check=True)
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-b", str(block), img], check=True)
    expect(run("ext4_maxsize", "/data", str(block), options=["--disk", img + ":/data"]), LINUX)
    fsck = subprocess.run(["e2fsck", "-fn", img], capture_output=True, text=True)
    assert fsck.returncode == 0, fsck.stdout + fsck.stderr
    stat = subprocess.run(["debugfs", "-R", "stat /top", img], capture_output=True, text=True).stdout
    assert re.search(r"\bSize: %d\n" % (((1 << 32) - 1) * block), stat), stat

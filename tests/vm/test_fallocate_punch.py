"""fallocate(PUNCH_HOLE | KEEP_SIZE) on tmpfs (tests/progs/fallocate_punch.c):
the range reads zero, the size stays, whole pages are freed (st_blocks),
the bytes around it are kept; PUNCH_HOLE without KEEP_SIZE is EOPNOTSUPP,
an empty or negative range EINVAL, a read-only descriptor EBADF;
ZERO_RANGE is EOPNOTSUPP on tmpfs, as on Linux's.  Every punch was
EOPNOTSUPP before.  The transcript is the same
static program's on the host's Linux 6.x (/dev/shm, a tmpfs), where
glibc words EOPNOTSUPP "Operation not supported" and musl "Not supported".
On an ext4 disk (1 KiB blocks) the same with Linux 6.x ext4's block counts
(a loop mount of the same image), and ZERO_RANGE zeroes, with KEEP_SIZE
and past the end without (tests/vm/test_ext4_punch.py goes further).
ZERO_RANGE was EOPNOTSUPP on ext4 before."""
import subprocess

import pytest

from conftest import AMPHI, expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

PUNCHED = """\
  size 12788, blocks 32
punch 1000+8192: ok
  size 12788, blocks 24
  bytes: a*1000 0*8192 c*3596
punch 12688+40960: ok
  size 12788, blocks 24
  bytes: a*1000 0*8192 c*3496 0*100
punch without KEEP_SIZE: Not supported
zero range: Not supported
punch of nothing: Invalid argument
punch at a negative offset: Invalid argument
punch through a read-only descriptor: Bad file descriptor
punch 0+12788: ok
  size 12788, blocks 8
  bytes: 0*12788
zero range 2000+5000 (keep size): Not supported
  size 12788, blocks 32
  bytes: d*12788
zero range 12000+4000: Not supported
  size 12788, blocks 32
  bytes: d*12788
"""

# Linux 6.x ext4's transcript (1 KiB blocks), but for the last zeroing's
# st_blocks, 32 there: a punched hole and then blocks allocated for it leave
# six extents, which take a tree block of their own (Linux zeroes in place).
PUNCHED_EXT4 = """\
  size 12788, blocks 26
punch 1000+8192: ok
  size 12788, blocks 12
  bytes: a*1000 0*8192 c*3596
punch 12688+40960: ok
  size 12788, blocks 12
  bytes: a*1000 0*8192 c*3496 0*100
punch without KEEP_SIZE: Not supported
zero range: ok
punch of nothing: Invalid argument
punch at a negative offset: Invalid argument
punch through a read-only descriptor: Bad file descriptor
punch 0+12788: ok
  size 12788, blocks 2
  bytes: 0*12788
zero range 2000+5000 (keep size): ok
  size 12788, blocks 26
  bytes: d*2000 0*5000 d*5788
zero range 12000+4000: ok
  size 16000, blocks 34
  bytes: d*2000 0*5000 d*5000 0*4000
"""


def test_punch_on_tmpfs():
    expect(run("fallocate_punch"), PUNCHED)


def test_punch_on_ext4(tmp_path):
    img = str(tmp_path / "fp.img")
    subprocess.run([AMPHI, "disk", "create", img, "16M"], check=True, capture_output=True)
    expect(run("fallocate_punch", "/data", options=["--disk", img + ":/data"]), PUNCHED_EXT4)

"""fallocate(PUNCH_HOLE | KEEP_SIZE) on tmpfs (tests/progs/fallocate_punch.c):
the range reads zero, the size stays, whole pages are freed (st_blocks),
the bytes around it are kept; PUNCH_HOLE without KEEP_SIZE and ZERO_RANGE
are EOPNOTSUPP, an empty or negative range EINVAL, a read-only descriptor
EBADF.  Every punch was EOPNOTSUPP before.  The transcript is the same
static program's on the host's Linux 6.x (/dev/shm, a tmpfs), where
glibc words EOPNOTSUPP "Operation not supported" and musl "Not supported".
On an ext4 disk (1 KiB blocks) the same, with Linux 6.x ext4's block
counts (a loop mount of the same image), but for ZERO_RANGE, which
Linux's ext4 does and amphi's refuses (tests/vm/test_ext4_punch.py goes
further)."""
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
"""


def test_punch_on_tmpfs():
    expect(run("fallocate_punch"), PUNCHED)


def test_punch_on_ext4(tmp_path):
    img = str(tmp_path / "fp.img")
    subprocess.run([AMPHI, "disk", "create", img, "16M"], check=True, capture_output=True)
    want = (PUNCHED.replace("blocks 32", "blocks 26").replace("blocks 24", "blocks 12")
            .replace("blocks 8", "blocks 2"))
    expect(run("fallocate_punch", "/data", options=["--disk", img + ":/data"]), want)

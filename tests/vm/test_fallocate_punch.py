"""fallocate(PUNCH_HOLE | KEEP_SIZE) on tmpfs (tests/progs/fallocate_punch.c):
the range reads zero, the size stays, whole pages are freed (st_blocks),
the bytes around it are kept; PUNCH_HOLE without KEEP_SIZE and ZERO_RANGE
are EOPNOTSUPP, an empty or negative range EINVAL, a read-only descriptor
EBADF.  Every punch was EOPNOTSUPP before.  The transcript is the same
static program's on the host's Linux 6.x (/dev/shm, a tmpfs), where
glibc words EOPNOTSUPP "Operation not supported" and musl "Not supported".
On an ext4 disk amphi cannot punch: EOPNOTSUPP, the data kept."""
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


def test_punch_on_ext4_is_refused(tmp_path):
    img = str(tmp_path / "fp.img")
    subprocess.run([AMPHI, "disk", "create", img, "16M"], check=True, capture_output=True)
    r = run("fallocate_punch", "/data", options=["--disk", img + ":/data"])
    assert r.status == 0, r.describe()
    assert "punch 1000+8192: Not supported\n" in r.stdout.decode(), r.describe()
    assert "bytes: a*4096 b*4096 c*4596\n" in r.stdout.decode(), r.describe()

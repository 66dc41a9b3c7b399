"""Names of 255 bytes, the longest ext4 takes, 12000 of them in one
directory (tests/progs/ext4_longnames.c: hard links, so no inode each):
two names to a 1 KiB block, a 6000-block directory indexed two levels
deep.  Every name is found again and every one removed, as on Linux
6.x's ext4 (the same static program on the host; 256 bytes is
ENAMETOOLONG, which musl words "Filename too long"), and `e2fsck -fn`
is clean.  A removal finds its name in
the leaf the index names: it read every block before, so removing all
the names took quadratic time (minutes under TCG, past the run's
limit)."""
import subprocess

import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

LINUX = """\
256 bytes: Filename too long
linked 12000
found 12000
removed 12000
links 1
"""


def test_removing_many_long_names(tmp_path):
    img = str(tmp_path / "names.img")
    subprocess.run(["truncate", "-s", "64M", img], check=True)
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-b", "1024", img], check=True)
    expect(run("ext4_longnames", "/data", "12000", mem="256M", options=["--disk", img + ":/data"]), LINUX)
    fsck = subprocess.run(["e2fsck", "-fn", img], capture_output=True, text=True)
    assert fsck.returncode == 0, fsck.stdout + fsck.stderr

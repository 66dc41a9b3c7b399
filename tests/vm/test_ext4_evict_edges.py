"""Changes to directories whose cached entries were given back
(tests/progs/ext4_evict_edges.c): in a 16 MiB VM each round of 3000 new
files pushes the cache of the ext4 disk past its mark, so the small
directories the program works in are dropped from memory between its
steps (once nothing holds them: the open file's directory and the paused
listing's only after their close) and read again from the disk.  O_TMPFILE then linkat into one,
rename between two, a hard link's count after the other name went, a
listing paused half way across the churn, a file open across it, a
symlink, rmdir: as on Linux 6.x (the same static program on the host),
and `e2fsck -fn` is clean after.  O_TMPFILE in a dropped directory was
EIO before it loaded its entries itself (fs/vfs_mount.c, may_change).  A
new empty file's and its directory's times read back the same after a
drop: they moved by microseconds before every stamp of one change took one
time (fs/vfs_inode.c, vfs_now)."""
import subprocess

import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

LINUX = """\
times the same after a drop: yes
linkat ok
a/t tmp
rename ok
a: t
b: moved x
b/moved a
unlink ok
e/link nlink 1 linked
paused listing saw 21
open file written
b/x B2
f/sym tmp
rmdir Directory not empty
rmdir ok
d: x
"""


def test_changes_to_evicted_directories(tmp_path):
    img = str(tmp_path / "edges.img")
    subprocess.run(["truncate", "-s", "1G", img], check=True)
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", img], check=True)
    expect(run("ext4_evict_edges", "/data", "3000", mem="16M", options=["--disk", img + ":/data"]), LINUX)
    fsck = subprocess.run(["e2fsck", "-fn", img], capture_output=True, text=True)
    assert fsck.returncode == 0, fsck.stdout + fsck.stderr

"""More files on an ext4 disk than the VM's memory held inodes for
(tests/progs/ext4_many_files.c): 21000 files in a 32 MiB VM, 16000 of
them across eight directories and 5000 in one, each written, listed,
stat'ed and read back, while a file open but unlinked, a hard link across
two directories, a current directory three levels down, an inotify watch
and a /proc/self/fd link stay right; `e2fsck -fn` is clean after.  As on
Linux 6.x's ext4 (the same static program on the host).  The cache of a
mounted file system kept every inode it read until the unmount, capped at
half as many inodes as RAM has pages: the 3756th create was ENOSPC though
the disk had room (and /proc lookups, which need inodes too, failed after
it).  Now cold directories' entries leave memory past that mark and load
again when looked into (fs/mount_cache.c, "Eviction"); here the eight
directories are each dropped and read back."""
import subprocess

import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

LINUX = """\
created 21000
checked 21000
link ok
unlinked ok
cwd ok
fd link ok
watch ok
relative ok
"""


def test_more_files_than_cached_inodes(tmp_path):
    img = str(tmp_path / "many.img")
    subprocess.run(["truncate", "-s", "1G", img], check=True)
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", img], check=True)
    expect(run("ext4_many_files", "/data", "8", "2000", "5000", mem="32M",
               options=["--disk", img + ":/data"]), LINUX)
    fsck = subprocess.run(["e2fsck", "-fn", img], capture_output=True, text=True)
    assert fsck.returncode == 0, fsck.stdout + fsck.stderr

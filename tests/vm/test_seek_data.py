"""lseek's SEEK_DATA and SEEK_HOLE (tests/progs/seek_data.c), as cp, tar
and rsync use them to skip holes.  LINUX is the program's transcript on
this host's Linux 6.18, the same on its ext4 (4 KiB blocks) and its tmpfs:
amphi matches it on an ext4 disk made with 4 KiB blocks (holes from
truncate, punch and writes far apart, a file past 4 GiB, blocks stored
through a shared mapping, unwritten extents from fallocate) and on its
tmpfs (whose fallocated pages are holes until written or mapped, as
Linux's; they counted as data before).  A
host folder shared over 9p is all data, as Linux's 9p (generic_file_llseek)
has it.  Before, both whences were EINVAL."""
import os
import re
import shutil
import subprocess

import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

LINUX = (
    'empty: (then ENXIO)\n'
    '  SEEK_DATA 0: ENXIO, offset now 0\n'
    '  SEEK_HOLE 0: ENXIO, offset now 0\n'
    'small: [0, 10) (then ENXIO)\n'
    '  SEEK_DATA 5: 5, offset now 5\n'
    '  SEEK_HOLE 9: 10, offset now 10\n'
    '  SEEK_DATA 10: ENXIO, offset now 10\n'
    '  SEEK_HOLE 10: ENXIO, offset now 10\n'
    '  SEEK_DATA -1: ENXIO, offset now 10\n'
    '  SEEK_HOLE -1: ENXIO, offset now 10\n'
    'sparse: [262144, 266240) [696320, 700416) (then ENXIO)\n'
    '  SEEK_DATA 262244: 262244, offset now 262244\n'
    '  SEEK_HOLE 262244: 266240, offset now 266240\n'
    '  SEEK_DATA 600000: 696320, offset now 696320\n'
    '  SEEK_HOLE 699999: 700416, offset now 700416\n'
    '  SEEK_DATA 800000: ENXIO, offset now 700416\n'
    '  SEEK_HOLE 1048575: 1048575, offset now 1048575\n'
    'huge: [5368709120, 5368713216) [8589930496, 8589934592) (then ENXIO)\n'
    'punch 16K at 16K: 0\n'
    'punched: [0, 16384) [32768, 65536) (then ENXIO)\n'
    'fallocate 64K: 0\n'
    'preallocated: (then ENXIO)\n'
    'preallocated, written at 32K: [32768, 36864) (then ENXIO)\n'
    'mapped, stored into: [131072, 135168) (then ENXIO)\n'
    'grown by writes: [0, 4096) [98304, 100001) (then ENXIO)\n'
    'cut to 50000: [0, 4096) (then ENXIO)\n'
    'pipe SEEK_DATA: ESPIPE\n')


# Linux's 9p: the whole file is data; fallocate and punching are
# EOPNOTSUPP there, and a shared writable mapping EINVAL (docs/status.md).
SHARE = (
    'empty: (then ENXIO)\n'
    '  SEEK_DATA 0: ENXIO, offset now 0\n'
    '  SEEK_HOLE 0: ENXIO, offset now 0\n'
    'small: [0, 10) (then ENXIO)\n'
    '  SEEK_DATA 5: 5, offset now 5\n'
    '  SEEK_HOLE 9: 10, offset now 10\n'
    '  SEEK_DATA 10: ENXIO, offset now 10\n'
    '  SEEK_HOLE 10: ENXIO, offset now 10\n'
    '  SEEK_DATA -1: ENXIO, offset now 10\n'
    '  SEEK_HOLE -1: ENXIO, offset now 10\n'
    'sparse: [0, 1048576) (then ENXIO)\n'
    '  SEEK_DATA 262244: 262244, offset now 262244\n'
    '  SEEK_HOLE 262244: 1048576, offset now 1048576\n'
    '  SEEK_DATA 600000: 600000, offset now 600000\n'
    '  SEEK_HOLE 699999: 1048576, offset now 1048576\n'
    '  SEEK_DATA 800000: 800000, offset now 800000\n'
    '  SEEK_HOLE 1048575: 1048576, offset now 1048576\n'
    'huge: [0, 8589934592) (then ENXIO)\n'
    'punch 16K at 16K: EOPNOTSUPP\n'
    'punched: [0, 65536) (then ENXIO)\n'
    'fallocate 64K: EOPNOTSUPP\n'
    'preallocated: (then ENXIO)\n'
    'preallocated, written at 32K: [0, 32769) (then ENXIO)\n'
    'mmap: EINVAL\n'
    'grown by writes: [0, 100001) (then ENXIO)\n'
    'cut to 50000: [0, 50000) (then ENXIO)\n'
    'pipe SEEK_DATA: ESPIPE\n')


def test_seek_data_tmpfs():
    expect(run("seek_data", "/tmp"), LINUX)


def test_seek_data_ext4(tmp_path):
    img = str(tmp_path / "seek.img")
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-b", "4096", img, "64M"], check=True)
    expect(run("seek_data", "/data", options=["--disk", img + ":/data"]), LINUX)
    fsck = subprocess.run(["e2fsck", "-fn", img], capture_output=True)
    assert fsck.returncode == 0, fsck.stdout.decode()


def test_seek_data_share(tmp_path):
    expect(run("seek_data", "/share", options=["--share", "%s:/share" % tmp_path]), SHARE)


@pytest.mark.skipif(not shutil.which("debugfs") or not os.path.exists("/usr/bin/cp"),
                    reason="needs e2fsprogs' debugfs and coreutils' cp")
def test_coreutils_cp_keeps_holes(tmp_path):
    """Debian's cp copies a sparse 256 MiB file on ext4 by its data
    (SEEK_DATA, SEEK_HOLE): the copy has the source's bytes and only its
    blocks.  (Before, cp read every zero: 4.7 s against 0.34 s for 1 GiB
    on this machine.)"""
    src = tmp_path / "src"
    src.mkdir()
    with open(src / "sparse", "wb") as f:
        f.truncate(256 << 20)
        f.seek(1 << 20)
        f.write(b"A" * 5000)
        f.seek(200 << 20)
        f.write(b"B" * 3)
    img = str(tmp_path / "cp.img")
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-b", "4096", "-d", str(src), img, "64M"],
                   check=True)
    r = run("/usr/bin/cp", "/data/sparse", "/data/copy", options=["--disk", img + ":/data"])
    assert (r.status, r.stdout, r.stderr) == (0, b"", b""), r.describe()

    def blocks(name):
        out = subprocess.run(["debugfs", "-R", "stat /" + name, img], capture_output=True).stdout
        return re.search(rb"Blockcount: (\d+)", out).group(1)
    assert blocks("copy") == blocks("sparse") == b"24"
    subprocess.run(["debugfs", "-R", "dump /copy %s" % (tmp_path / "copy"), img],
                   check=True, capture_output=True)
    with open(src / "sparse", "rb") as a, open(tmp_path / "copy", "rb") as b:
        assert a.read() == b.read()
    fsck = subprocess.run(["e2fsck", "-fn", img], capture_output=True)
    assert fsck.returncode == 0, fsck.stdout.decode()

"""fallocate(PUNCH_HOLE | KEEP_SIZE) on ext4 (tests/progs/ext4_punch.c): a
file whose extent tree is two levels deep (every page an extent of its own,
checked with debugfs) and one of a few long extents each get 60 holes,
from a byte to 600 KiB, over holes already made and past the end; after
each the file reads as a copy with those ranges zeroed.  The files' hashes
are those Linux 6.x's ext4 gives the same static program (a loop mount of
the same kind of image), e2fsck finds the file system clean, and a new
boot reads the same bytes; the same for files an ext3 mapped by indirect
blocks, on a file system with extents since.  On ext2 (no extents)
PUNCH_HOLE is EOPNOTSUPP, as Linux's ext2.  Before, every punch on a disk
was EOPNOTSUPP."""
import re
import subprocess

import pytest

from conftest import AMPHI, run

pytestmark = pytest.mark.usefixtures("amphi_works")

LINUX_HASH = "c3b162821cdb42ee"	# both files, on Linux 6.x's ext4


def in_guest(img, *args):
    r = run("ext4_punch", *args, "/data", options=["--disk", img + ":/data"])
    assert r.status == 0 and r.stderr == b"", r.describe()
    return r.stdout.decode()


def punch_and_check(img):
    """ext4_punch punch: Linux's hashes; e2fsck clean; a new boot agrees."""
    punched = in_guest(img, "punch")
    m = re.fullmatch(r"frag (\w+) \d+ long (\w+) \d+\n", punched)
    assert m and m.groups() == (LINUX_HASH, LINUX_HASH), punched
    fsck = subprocess.run(["e2fsck", "-fn", img], capture_output=True, text=True)
    assert fsck.returncode == 0, fsck.stdout + fsck.stderr
    assert in_guest(img, "check") == punched


def test_punch_deep_and_long_extent_trees(tmp_path):
    img = str(tmp_path / "punch.img")
    subprocess.run([AMPHI, "disk", "create", img, "16M"], check=True, capture_output=True)
    assert in_guest(img, "make") == "made\n"
    tree = subprocess.run(["debugfs", "-R", "ex /frag", img], capture_output=True, text=True).stdout
    assert re.search(r"^\s*2/\s*2\s", tree, re.M), "frag's tree is not two levels deep:\n" + tree
    punch_and_check(img)


def test_punch_on_ext2_is_refused(tmp_path):
    img = str(tmp_path / "ext2.img")
    subprocess.run(["truncate", "-s", "16M", img], check=True)
    subprocess.run(["mke2fs", "-q", "-t", "ext2", "-F", img], check=True)
    r = run("fallocate_punch", "/data", options=["--disk", img + ":/data"])
    assert r.status == 0, r.describe()
    out = r.stdout.decode()
    assert "punch 1000+8192: Not supported\n" in out, r.describe()
    assert "bytes: a*4096 b*4096 c*4596\n" in out, r.describe()


def ext4_punch_bytes():
    """ext4_punch's file contents: its xorshift generator, 8 bytes a step."""
    rng, out, mask = 88172645463325252, bytearray(), (1 << 64) - 1
    for _ in range((2 << 20) // 8):
        rng ^= (rng << 13) & mask
        rng ^= rng >> 7
        rng ^= (rng << 17) & mask
        out += rng.to_bytes(8, "little")
    return bytes(out)


def test_punch_indirect_mapped_files(tmp_path):
    """Files an ext3 made (block maps: direct, single and double indirect
    blocks of 1 KiB) on a file system that has extents since: the same
    holes, the same hashes, e2fsck clean."""
    src, img = tmp_path / "src", str(tmp_path / "ext3.img")
    src.mkdir()
    for name in ("frag", "long"):
        (src / name).write_bytes(ext4_punch_bytes())
    subprocess.run(["truncate", "-s", "16M", img], check=True)
    subprocess.run(["mke2fs", "-q", "-t", "ext3", "-b", "1024", "-d", str(src), "-F", img], check=True)
    subprocess.run(["tune2fs", "-O", "extents", img], capture_output=True, check=True)
    stat = subprocess.run(["debugfs", "-R", "stat /frag", img], capture_output=True, text=True).stdout
    assert "DIND" in stat and "Extents" not in stat, "frag is not block-mapped:\n" + stat
    punch_and_check(img)

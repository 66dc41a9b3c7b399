"""A block a MAP_SHARED store into a hole takes is recorded in the
inode (docs/storage.md, "The page cache"): the page cache maps the block
under a fault, with no write() after it to store the inode, so the inode
goes into its table block as the block is taken.  Checked on the host
with debugfs and e2fsck after the run."""
import subprocess

from conftest import run


def sh(*argv):
    return subprocess.run(argv, check=True, capture_output=True)


def test_store_into_hole_reaches_the_disk(tmp_path):
    img = str(tmp_path / "hole.img")
    sh("mke2fs", "-q", "-F", "-t", "ext4", "-b", "4096", img, "32M")
    r = run("ext4_fault_hole", "/data/h", options=["--disk", img + ":/data"])
    assert (r.status, r.stdout) == (0, b"ok\n"), r.describe()
    assert sh("debugfs", "-R", "cat /h", img).stdout == bytes(4096) + b"FAULTED-IN" + bytes(4086)
    fsck = subprocess.run(["e2fsck", "-fn", img], capture_output=True, text=True)
    assert fsck.returncode == 0, fsck.stdout + fsck.stderr

"""A page fault racing ftruncate on ext4 (tests/progs/ext4_trunc_fault.c):
the fault's page look-up shares the file's fault_lock, which a truncation
holds whole, so no page comes back between the cache's drop and the
blocks' free.  Before, such a page survived with the old bytes: the file
read 0xab after a truncate to 0 and an extend (and its writeback could
reach blocks given to another file).  The race needs a commit holding the
file system's lock (the program's syncfs thread); each round is slow under
TCG, so the run is bounded by time as well as rounds: a pass never depends
on how many rounds ran."""
import subprocess

from conftest import run


def sh(*argv):
    return subprocess.run(argv, check=True, capture_output=True)


def test_truncate_leaves_no_stale_page(tmp_path):
    img = str(tmp_path / "trunc.img")
    sh("mke2fs", "-q", "-F", "-t", "ext4", "-b", "4096", img, "32M")
    r = run("ext4_trunc_fault", "/data/t", 200, 12, mem="256", options=["--disk", img + ":/data"],
            limit=120)
    assert (r.status, r.stdout) == (0, b"ok\n"), r.describe()
    fsck = subprocess.run(["e2fsck", "-fn", img], capture_output=True, text=True)
    assert fsck.returncode == 0, fsck.stdout + fsck.stderr

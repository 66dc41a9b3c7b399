"""The page fault vs ftruncate race on ext4 (tests/progs/ext4_trunc_fault.c,
tests/vm/test_ext4_trunc_fault.py) for longer: a fresh 32 MiB image each
time, rounds bounded by time as well, every byte zero after each truncate
and extend, e2fsck -fn clean after.  (Before the fault_lock a stale page
showed within a round or two in most runs.)"""
import subprocess

import pytest

from .budget import repeat, run, short

pytestmark = pytest.mark.usefixtures("amphi_works")


def test_faults_racing_truncate_leave_no_stale_page(tmp_path):
    rounds, seconds = (20, 5) if short() else (2000, 120)

    def body(n):
        img = str(tmp_path / "trunc.img")
        subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-b", "4096", img, "32M"], check=True,
                       capture_output=True)
        r = run("ext4_trunc_fault", "/data/t", rounds, seconds, mem="256",
                options=["--disk", img + ":/data"], limit=seconds + 120)
        assert (r.status, r.stdout) == (0, b"ok\n"), "round %d\n%s" % (n, r.describe())
        fsck = subprocess.run(["e2fsck", "-fn", img], capture_output=True, text=True)
        assert fsck.returncode == 0, fsck.stdout + fsck.stderr

    repeat(body)

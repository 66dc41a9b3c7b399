"""msync(MS_SYNC) of a shared mapping of a file on an ext4 disk makes the
stores durable, as fsync does for write(): records stored through the
mapping and msync'ed are on the disk after QEMU is killed at once
(tests/progs/pagecache.c msynced).  msync did nothing but check the range,
so they reached the disk only if the writeback thread (every 5 s) came by
first."""
import pytest

from test_pagecache import debugfs_cat, disk, fsck_clean, killed_after, records

pytestmark = pytest.mark.usefixtures("amphi_works")


def test_msync_makes_mapped_stores_durable(tmp_path):
    img = disk(tmp_path)
    out = killed_after(img, "msynced", b"msynced\n")
    assert out == b"msynced\n", out
    fsck_clean(img)
    assert debugfs_cat(img, "/f") == records()

"""A directory at ext4's link limit (tests/progs/ext4_dirlinks.c): each
subdirectory's ".." is a link of its parent, a 16-bit count.  As Linux's
ext4 keeps it: with dir_nlink an indexed directory's count becomes 1 past
65000 links and stays 1 through removals; without dir_nlink the 64999th
subdirectory, made or renamed in, is EMLINK.  `e2fsck -fn` is clean
after each step.  Before, a removal took the count from 1 to 0 (e2fsck
then finds the directory deleted and its 65000 children orphaned), and
without dir_nlink the count went on past 65000 ("Directory exceeds max
links, but no DIR_NLINK feature").  A directory's size as stat shows it
follows the blocks its names took, as on Linux 6.x's ext4 (the same
static program on the host); it stayed at 4096 before."""
import re
import subprocess

import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")


# mke2fs picks a random hash seed, and how an indexed directory's names
# split into leaf blocks follows their hashes.  Linux 6.18 gave 69632 for
# six random seeds out of six, amphi for eight out of eight; yet one CI
# run of 2026-12-07 saw 65536 (16 blocks) here, for a reason not found
# (docs/status.md): the seed, or something else.  The seed (and the UUID,
# which the metadata checksums take in) is fixed, so that at least the
# seed cannot make the sizes differ; Linux gives 69632 for this one.
SEED = ["-E", "hash_seed=2a8e1b4c-5d6f-4a7b-8c9d-0e1f2a3b4c5d", "-U", "7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"]


def image(tmp_path, *features):
    img = str(tmp_path / "links.img")
    subprocess.run(["truncate", "-s", "512M", img], check=True)
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-N", "70000", *SEED, *features, img], check=True)
    return img


def in_guest(img, *ops, want):
    """The 65000 directories' inodes stay cached: 1 GiB of memory."""
    r = run("ext4_dirlinks", "/data", *ops, mem="1G", limit=300, options=["--disk", img + ":/data"])
    expect(r, want)


def links_and_fsck(img):
    """M's link count on the disk, after a clean e2fsck."""
    fsck = subprocess.run(["e2fsck", "-fn", img], capture_output=True, text=True)
    assert fsck.returncode == 0, (fsck.stdout + fsck.stderr)[-3000:]
    stat = subprocess.run(["debugfs", "-R", "stat /M", img], capture_output=True, text=True).stdout
    return int(re.search(r"Links: (\d+)", stat).group(1))


def test_dir_nlink_count_stays_one(tmp_path):
    img = image(tmp_path)
    in_guest(img, "mkdir:0:64998", want="mkdir 0..64998: ok\n")
    assert links_and_fsck(img) == 65000
    in_guest(img, "mkdir:64998:65000", "rmdir:0:3", want="mkdir 64998..65000: ok\nrmdir 0..3: ok\n")
    assert links_and_fsck(img) == 1


def test_without_dir_nlink_the_limit_is_emlink(tmp_path):
    img = image(tmp_path, "-O", "^dir_nlink")
    in_guest(img, "mkdir:0:65000", "movein",
             want="mkdir 0..65000: stopped at d64998: Too many links\nrename x to M/x: Too many links\n")
    assert links_and_fsck(img) == 65000


GROWN = """\
M: 2 links, size 4096
mkdir 0..3000: ok
M: 3002 links, size 69632
rmdir 0..3000: ok
M: 2 links, size 69632
rename x to M/x: ok
M: 3 links, size 69632
"""


def test_a_directory_size_follows_its_blocks(tmp_path):
    img = image(tmp_path)
    r = run("ext4_dirlinks", "/data", "stat", "mkdir:0:3000", "stat", "rmdir:0:3000", "stat", "movein", "stat",
            options=["--disk", img + ":/data"])
    expect(r, GROWN)
    links_and_fsck(img)

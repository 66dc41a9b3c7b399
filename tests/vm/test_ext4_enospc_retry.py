"""Blocks freed on a journaled ext4 wait for the next commit before they
are handed out again (docs/storage.md, "The journal"); an allocation that
finds the disk full while some wait commits and tries again, as Linux's
ext4_should_retry_alloc.  A file rewritten and truncated in a loop, by
write(), through a MAP_SHARED mapping, by O_DIRECT writes or by
fallocate, never runs out of space on an
almost empty 32 MiB disk; a store into a mapping on a really full disk is
SIGBUS, as on Linux, not the out-of-memory killer
(tests/progs/ext4_enospc_retry.c)."""
import subprocess

import pytest

from conftest import run


def sh(*argv):
    return subprocess.run(argv, check=True, capture_output=True)


def image(tmp_path):
    img = str(tmp_path / "enospc.img")
    sh("mke2fs", "-q", "-F", "-t", "ext4", "-b", "4096", img, "32M")
    return img


def fsck_clean(img):
    r = subprocess.run(["e2fsck", "-fn", img], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.parametrize("how", ["write", "fault", "direct", "falloc"])
def test_rewrite_and_truncate_never_fills_the_disk(tmp_path, how):
    """2000 rounds of 64 KiB are 125 MiB through a 32 MiB disk: without
    the commit the first ENOSPC came at round ~415 and the fault was
    killed "out of memory"."""
    img = image(tmp_path)
    r = run("ext4_enospc_retry", how, "/data/w", 2000, mem="256", options=["--disk", img + ":/data"])
    assert (r.status, r.stdout.decode()) == (0, how + " ok\n"), r.describe()
    fsck_clean(img)


def test_store_on_a_full_disk_is_sigbus(tmp_path):
    img = image(tmp_path)
    r = run("ext4_enospc_retry", "full", "/data/f", mem="256", options=["--disk", img + ":/data"])
    assert (r.status, r.stdout.decode(), r.stderr) == (0, "filled: ENOSPC\n"
                                                          "store: SIGBUS\n"
                                                          "write: -1 No space left on device\n"
                                                          "full ok\n", b""), r.describe()
    fsck_clean(img)

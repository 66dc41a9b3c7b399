"""The page cache (docs/storage.md, "The page cache") on an ext4 disk, seen
from tests/progs/pagecache.c and checked on the host with debugfs: mmap
shared with read()/write() and reaching the disk, read() into a mapping of
the same file, a file bigger than the guest's RAM, clean pages given back
to a program that needs the memory, O_DIRECT, and fsync'd (or written
back) data surviving a SIGKILL of QEMU."""
import hashlib
import os
import select
import signal
import subprocess
import time

import pytest

from conftest import AMPHI, ROOT, amphi_argv, run
from test_ext4_redis import qemu_of

PG = 4096


def sh(*argv):
    return subprocess.run(argv, check=True, capture_output=True)


def disk(tmp_path, size="64M", block=None):
    img = str(tmp_path / "pc.img")
    if block:  # mke2fs itself: `amphi disk create` takes the default
        sh("mke2fs", "-q", "-F", "-t", "ext4", "-b", str(block), "-E", "root_owner=0:0", img, size)
    else:
        sh(AMPHI, "disk", "create", img, size)
    return img


def fsck_clean(img):
    r = subprocess.run(["e2fsck", "-fn", img], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def debugfs_cat(img, path):
    return sh("debugfs", "-R", "cat " + path, img).stdout


def page(k):
    return (b"%08xpcache-page-data" % k) * 170 + b"." * 16


@pytest.mark.parametrize("block", [4096, 1024, 65536])
def test_mmap_shared_read_write_and_direct(tmp_path, block):
    """With 1 KiB blocks a page is four blocks, and the store into the
    hole gets one of them; with 64 KiB blocks a page is a part of its
    block, and the hole's new block is zeroed around it."""
    img = disk(tmp_path, block=block)
    opts = ["--disk", img + ":/data"]
    for t in ("shared", "readself"):
        r = run("pagecache", t, "/data/" + t, options=opts)
        assert (r.status, r.stdout) == (0, b"%s ok\n" % t.encode()), r.describe()
    r = run("pagecache", "direct", "/data/direct", options=opts)
    # Linux 6.1 on ext4 over a 512-byte-sector disk says the same.
    assert (r.status, r.stdout.decode()) == (0, "offset 100: -1 Invalid argument\n"
                                                "buffer +1: -1 Invalid argument\n"
                                                "length 100: -1 Invalid argument\n"
                                                "at the end: 0 \n"
                                                "direct ok\n"), r.describe()
    fsck_clean(img)
    want = bytearray(page(0) + page(1) + page(2) + b"tail" + bytes(61 * PG - 4))
    want[5000:5017] = b"MMAP-SHARED-WRITE"
    want[8000:8010] = b"WRITE-SEEN"
    want[40 * PG + 7:40 * PG + 18] = b"HOLE-FILLED"
    assert debugfs_cat(img, "/shared") == bytes(want)
    assert debugfs_cat(img, "/readself") == b"".join(page(k) for k in (0, 1, 1, 3, 0, 1, 2, 3))
    assert debugfs_cat(img, "/direct") == (page(0) + page(1) + b"BUFFERED" + page(2)[8:] + page(3) +
                                           bytes(PG) + page(0))


def pattern(size):
    """fs_parallel_read's pattern: byte o is (o * 131 + (o >> 12) * 7 + 1) mod 256."""
    return bytes((o * 131 + (o >> 12) * 7 + 1) & 0xff for o in range(size))


@pytest.mark.parametrize("block,smp", [(4096, 1), (4096, 2), (1024, 2)])
def test_parallel_readers_of_one_file(tmp_path, block, smp):
    """16 threads read one 6 MiB file from a fresh disk at once (reads share
    the file's lock): pieces at random places and 16 KiB runs, so a page
    one thread is filling is wanted by others and readahead meets misses;
    every byte read must be the file's."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "pattern").write_bytes(pattern(6 << 20))
    img = str(tmp_path / "par.img")
    sh("mke2fs", "-q", "-F", "-t", "ext4", "-b", str(block), "-d", str(src), img, "32M")
    r = run("fs_parallel_read", "/data/pattern", 16, 300, smp=smp, mem="64M",
            options=["--disk", img + ":/data,ro"])
    assert r.status == 0 and r.stdout.endswith(b" bytes checked, 0 errors\n"), r.describe()
    assert int(r.stdout.split()[0]) > 300 * 16 * 4096, r.describe()


def test_file_bigger_than_memory(tmp_path):
    """200 MiB through a 128 MiB guest: the writer is held to the dirty
    limit and writes back itself; then reading it all fills the cache with
    clean pages, which a program allocating 70% of RAM gets back."""
    img = disk(tmp_path, "400M")
    opts = ["--disk", img + ":/data"]
    r = run("pagecache", "big", "/data/big", 200, mem="128M", options=opts, limit=600)
    assert (r.status, r.stdout) == (0, b"big ok\n"), r.describe()
    r = run("pagecache", "fill", "/data/big", mem="128M", options=opts, limit=600)
    assert r.status == 0 and r.stdout.endswith(b"fill ok\n"), r.describe()
    fsck_clean(img)
    out = str(tmp_path / "big.out")
    sh("debugfs", "-R", "dump /big " + out, img)
    h = hashlib.md5()
    for k in range(200 * 256):
        h.update(page(k))
    with open(out, "rb") as f:
        got = hashlib.md5(f.read()).hexdigest()
    assert got == h.hexdigest()


def killed_after(img, test, word, limit=300):
    """Runs pagecache TEST /data/f, SIGKILLs its QEMU once it printed WORD."""
    p = subprocess.Popen(amphi_argv("pagecache", test, "/data/f", options=["--disk", img + ":/data"]),
                         cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    out = b""
    t0 = time.monotonic()
    try:
        while word not in out:
            assert time.monotonic() - t0 < limit and p.poll() is None, out + p.stderr.read()
            if select.select([p.stdout], [], [], 1)[0]:
                out += os.read(p.stdout.fileno(), 4096)
        os.kill(qemu_of(p.pid), signal.SIGKILL)
        p.wait(30)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    return out


def records():
    return b"".join((b"record %d " % k).ljust(99, b"abcdefghijklmnopqrstuvwxyz"[k % 26:k % 26 + 1]) + b"\n"
                    for k in range(100))


@pytest.mark.parametrize("test,word", [("synced", b"synced\n"), ("later", b"waited\n")])
def test_data_survives_a_killed_vm(tmp_path, test, word):
    """fsync'd records, and records the writeback thread had 7 s to write
    (its interval is 5 s), are on the disk after QEMU is killed."""
    img = disk(tmp_path)
    out = killed_after(img, test, word)
    assert out == word, out
    fsck_clean(img)
    assert debugfs_cat(img, "/f") == records()


def test_raw_device_direct(tmp_path):
    """O_DIRECT on /dev/vda with the buffer 512 bytes into a page: straight
    between the device and the program's pages (no bounce buffer)."""
    img = str(tmp_path / "raw.img")
    with open(img, "wb") as f:
        f.truncate(1 << 20)
    r = run("pagecache", "raw", "/dev/vda", options=["--disk", img])
    assert (r.status, r.stdout) == (0, b"raw ok\n"), r.describe()
    with open(img, "rb") as f:
        data = f.read()
    assert data[8192:8192 + 4 * PG] == b"".join(page(k) for k in range(4))
    assert data[:8192] == bytes(8192) and data[8192 + 4 * PG:] == bytes(len(data) - 8192 - 4 * PG)

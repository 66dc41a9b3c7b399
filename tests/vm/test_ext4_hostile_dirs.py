"""ext4 images made hostile on the host (mke2fs, then debugfs and a few
bytes written by hand): a directory the disk gets wrong gives busybox an
error ("Structure needs cleaning", with one kernel log line saying what is
wrong), never a lockup or a write past a block; a sane directory on the
same image still works, and the VM ends normally.  See docs/storage.md."""
import re
import struct
import subprocess

from conftest import run

BUSYBOX = "/bin/busybox"
BS = 4096


def sh(*argv):
    return subprocess.run(argv, check=True, capture_output=True)


def make_image(tmp_path, *features, kind="ext4"):
    """A 16 MiB ext4 image holding /bad/d (the directory made hostile
    afterwards, with an empty file e) and /good/f."""
    src = tmp_path / "src"
    (src / "bad" / "d").mkdir(parents=True)
    (src / "bad" / "d" / "e").write_text("")
    (src / "good").mkdir()
    (src / "good" / "f").write_text("good file\n")
    img = str(tmp_path / "hostile.img")
    opts = ["-O", ",".join(features)] if features else []
    sh("mke2fs", "-q", "-F", "-t", kind, "-b", str(BS), *opts, "-d", str(src), img, "16M")
    return img


def debugfs_w(img, *requests):
    for req in requests:
        sh("debugfs", "-w", "-R", req, img)


def debugfs_out(img, request):
    return sh("debugfs", "-R", request, img).stdout.decode()


def inode_bitmap0(img):
    out = sh("dumpe2fs", img).stdout.decode()
    return int(re.search(r"Inode bitmap at (\d+)", out).group(1))


def run_sh(img, script):
    # -v: the kernel's log lines (the corruption it found) on stderr.
    return run(BUSYBOX, "sh", "-c", script, verbose=True, options=["--disk", img + ":/data"])


def assert_ended_normally(r):
    text = (r.stdout + r.stderr).decode("utf-8", "replace")
    assert r.status == 0 and "lockup" not in text and "kernel panic" not in text, r.describe()


GOOD = "cat /data/good/f; echo new > /data/good/g; cat /data/good/g; ls /data/good; "
GOOD_OUT = "good file\nnew\nf\ng\n"


def test_directory_block_that_is_a_bitmap(tmp_path):
    # /bad/d's one block is the inode bitmap of group 0, whose first bytes
    # read as a record for "x" and then one of length 0.  Creating /data/f1
    # reads that bitmap first: the buffer was checked as a bitmap, which
    # once let the directory skip its own checks and loop forever on the
    # record of length 0 (under the file system's lock: a lockup panic).
    # s_first_ino 200 keeps inode allocation off those bytes.
    img = make_image(tmp_path, "^metadata_csum", "^has_journal")
    bitmap = inode_bitmap0(img)
    debugfs_w(img, "ssv first_ino 200", "sif /bad/d block[5] %d" % bitmap)  # extent 0's start
    with open(img, "r+b") as f:
        f.seek(bitmap * BS)
        f.write(struct.pack("<IHBB", 2, 12, 1, 2) + b"x\0\0\0" + bytes(12))
    r = run_sh(img, "echo a > /data/f1; cat /data/bad/d/x; echo cat $?; "
                    "echo b > /data/bad/d/y; echo create $?; " + GOOD + "cat /data/f1")
    assert_ended_normally(r)
    assert r.stdout.decode() == "cat 1\ncreate 1\n" + GOOD_OUT + "a\n", r.describe()
    err = r.stderr.decode()
    assert "cat: can't open '/data/bad/d/x': Structure needs cleaning" in err, r.describe()
    assert "sh: can't create /data/bad/d/y: Structure needs cleaning" in err, r.describe()
    assert "ext4: vda: bad directory record length" in err, r.describe()


def test_directory_size_beyond_4g_without_largedir(tmp_path):
    # i_size_high of a directory is only used with largedir (as in
    # Linux): 1 TiB here once made every walk of /bad/d step through
    # 2^28 blocks, holes, one at a time under the file system's lock.
    img = make_image(tmp_path, "^metadata_csum")
    debugfs_w(img, "sif /bad/d size 0x10000000000")
    r = run_sh(img, "ls /data/bad/d; echo ls $?; echo b > /data/bad/d/y; echo create $?; " + GOOD)
    assert_ended_normally(r)
    assert r.stdout.decode() == "ls 1\ncreate 1\n" + GOOD_OUT, r.describe()
    err = r.stderr.decode()
    assert "ls: /data/bad/d: Structure needs cleaning" in err, r.describe()
    assert "ext4: vda: bad inode size" in err, r.describe()


def test_largedir_directory_of_holes(tmp_path):
    # With largedir the size may be 16 TiB (2^32 blocks, all the extent
    # map can name): block 0, then one hole of 2^32 - 1 blocks, which the
    # walks step over at once.  Each operation walks the directory.
    img = make_image(tmp_path, "large_dir")
    debugfs_w(img, "sif /bad/d size 0x100000000000")
    r = run_sh(img, "ls /data/bad/d; echo b > /data/bad/d/y; cat /data/bad/d/y; "
                    "rm /data/bad/d/e; ls /data/bad/d; " + GOOD)
    assert_ended_normally(r)
    assert r.stdout.decode() == "e\nb\ny\n" + GOOD_OUT, r.describe()
    assert b"Structure needs cleaning" not in r.stderr, r.describe()


def test_ext2_directory_of_holes_finds_its_far_block(tmp_path):
    # An ext2 (block-mapped) directory of 4 GiB - 4 KiB: block 0, holes,
    # and one block far out under the double indirect block, logical
    # block 12 + 1024 + 5 * 1024 + 7, naming e again as "far".  The walks
    # step over a missing indirect block's whole subtree at once; this
    # checks they land on the block after the holes, not past it.
    img = make_image(tmp_path, kind="ext2")
    dind, ind, leaf = map(int, re.search(r"Free blocks found: (\d+) (\d+) (\d+)",
                                         debugfs_out(img, "ffb 3")).groups())
    ino = int(re.search(r"Inode (\d+)", debugfs_out(img, "imap /bad/d/e")).group(1))
    debugfs_w(img, "setb %d 3" % dind, "sif /bad/d block[DIND] %d" % dind,
              "sif /bad/d size 0xfffff000")
    with open(img, "r+b") as f:
        f.seek(dind * BS + 5 * 4)
        f.write(struct.pack("<I", ind))
        f.seek(ind * BS + 7 * 4)
        f.write(struct.pack("<I", leaf))
        f.seek(leaf * BS)
        f.write(struct.pack("<IHBB", ino, BS, 3, 1) + b"far")
    r = run_sh(img, "ls /data/bad/d; cat /data/bad/d/far; echo b > /data/bad/d/y; ls /data/bad/d; " + GOOD)
    assert_ended_normally(r)
    assert r.stdout.decode() == "e\nfar\ne\nfar\ny\n" + GOOD_OUT, r.describe()

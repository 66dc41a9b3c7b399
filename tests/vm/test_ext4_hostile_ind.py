"""ext4 images (journal on) whose block maps name one block many times,
made on the host: a triple-indirect block whose 1024 entries all name one
double-indirect block, whose entries all name one single, whose entries all
name one data block (a billion frees of one block); and an extent tree whose
two index entries name one leaf.  Truncating such a file gives "Structure
needs cleaning" at once with one kernel log line (the kernel used to spend
~15 s under the file system's lock, keep 64 MB and then find "freeing a free
block" at the commit, making the file system read-only); rm then works, and
so does another file on the same image.  See docs/storage.md."""
import struct
import subprocess

from conftest import run

BUSYBOX = "/bin/busybox"
BS = 4096
TIND, DIND, IND, DATA = 5000, 5001, 5002, 5003
LEAF = 6000

# Well above what this takes when the walk stops at the first repeated
# block (a few seconds under TCG), well below the old walk's minutes or its
# 20 s lockup panic on a loaded host: not a timing assertion.
LIMIT = 50


def sh(*argv, stdin=None):
    return subprocess.run(argv, check=True, capture_output=True, input=stdin)


def make_image(tmp_path):
    """A 32 MiB ext4 image with a journal (no metadata_csum, so hand-made
    blocks need no checksums): /good/f and /e (two blocks, extents)."""
    src = tmp_path / "src"
    (src / "good").mkdir(parents=True)
    (src / "good" / "f").write_text("good file\n")
    (src / "e").write_bytes(b"e" * 2 * BS)
    img = str(tmp_path / "hostile.img")
    sh("mke2fs", "-q", "-F", "-t", "ext4", "-O", "^metadata_csum", "-b", str(BS), "-d", str(src), img, "32M")
    return img


def debugfs_w(img, script):
    sh("debugfs", "-w", "-f", "-", img, stdin=script.encode())


def write_block(img, blk, data):
    with open(img, "r+b") as f:
        f.seek(blk * BS)
        f.write(data)


def make_shared_indirect(img, taken):
    """/f: an indirect-mapped file (as tests/rv_mkimg_ind.sh of the storage
    review) whose triple-indirect tree names one block at each level 1024
    times; taken: the four blocks marked in use in the bitmap (else the
    bitmap already says the disk is wrong)."""
    debugfs_w(img, "write /dev/null f\nsif f flags 0\n"
              # The extent header left in i_block by "write": no blocks.
              "sif f block[0] 0\nsif f block[1] 0\nsif f block[2] 0\n"
              "sif f block[TIND] %d\nsif f size 4096\n%s"
              % (TIND, "setb %d 4\n" % TIND if taken else ""))
    for blk, child in ((TIND, DIND), (DIND, IND), (IND, DATA)):
        write_block(img, blk, struct.pack("<I", child) * (BS // 4))


def make_shared_leaf(img):
    """/e: a depth-1 extent tree whose two index entries (for blocks 0 and
    1) both name one leaf, holding /e's own extent."""
    data = int(sh("debugfs", "-R", "bmap e 0", img).stdout.split()[0])
    leaf = struct.pack("<HHHHI", 0xF30A, 1, (BS - 12) // 12, 0, 0)
    leaf += struct.pack("<IHHI", 0, 2, 0, data)
    write_block(img, LEAF, leaf.ljust(BS, b"\0"))
    root = [0xF30A | 2 << 16, 4 | 1 << 16, 0, 0, LEAF, 0, 1, LEAF, 0] + [0] * 6
    debugfs_w(img, "setb %d\n" % LEAF + "".join("sif e block[%d] %d\n" % (k, w) for k, w in enumerate(root)))


# After the failed truncate: rm, and a sane file still read and written,
# and a sync (a commit) that finds nothing wrong.
AFTER = ("rm %s; echo rm=$?; cat /data/good/f; echo new > /data/good/g; cat /data/good/g; "
         "sync; echo sync=$?")


def check(img, path, what):
    script = "truncate -s 0 %s; echo truncate=$?; " % path + AFTER % path
    r = run(BUSYBOX, "sh", "-c", script, verbose=True, mem="256", options=["--disk", img + ":/data"],
            limit=LIMIT)
    out, err = r.stdout.decode(), r.stderr.decode("utf-8", "replace")
    assert r.status == 0 and "lockup" not in err and "kernel panic" not in err, r.describe()
    assert out == "truncate=1\nrm=0\ngood file\nnew\nsync=0\n", r.describe()
    # One line for the truncate and one for rm's (whose error, as on
    # Linux, only the log shows); the commit finds nothing more.
    ext4_lines = [line for line in err.splitlines() if "ext4:" in line]
    assert "Structure needs cleaning" in err and len(ext4_lines) == 2, r.describe()
    assert all("ext4: vda: " + what in line for line in ext4_lines), r.describe()

def test_shared_indirect_tree_marked_in_use(tmp_path):
    img = make_image(tmp_path)
    make_shared_indirect(img, taken=True)
    check(img, "/data/f", "freeing a block twice")


def test_shared_indirect_tree_marked_free(tmp_path):
    # The storage review's image as made: the bitmap says the tree's blocks
    # are free, which the truncation now sees before it walks anything.
    img = make_image(tmp_path)
    make_shared_indirect(img, taken=False)
    check(img, "/data/f", "freeing a free block")


def test_shared_extent_leaf(tmp_path):
    img = make_image(tmp_path)
    make_shared_leaf(img)
    check(img, "/data/e", "freeing a block twice")

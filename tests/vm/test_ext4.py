"""ext2 and ext4 on a virtio disk (`amphi run --disk IMG:/data`): images
made on the host by Debian's mke2fs -d read back byte for byte in the
guest; what the guest writes, e2fsck -fn finds clean and debugfs reads
back; a corrupt image gives errors, not a crash.  See docs/storage.md."""
import hashlib
import os
import signal
import stat
import subprocess

import pytest

import fs_expected
import net_inet_expected
from conftest import ROOT, amphi_argv, run

BUSYBOX = "/bin/busybox"
NMANY = 2000


def sh(*argv):
    return subprocess.run(argv, check=True, capture_output=True)


def make_tree(root):
    os.makedirs(os.path.join(root, "sub/deep/er"))
    os.makedirs(os.path.join(root, "many"))
    with open(os.path.join(root, "hello"), "w") as f:
        f.write("hello, world\n")
    with open(os.path.join(root, "big"), "wb") as f:
        f.write(bytes((i * 7 + (i >> 12)) & 0xff for i in range(1 << 20)))
    with open(os.path.join(root, "sparse"), "wb") as f:
        for k in range(8):
            f.seek(k * (1 << 20) + k * 4096)
            f.write(b"piece %d\n" % k * 100)
        f.truncate(10 << 20)
    for k in range(NMANY):
        with open(os.path.join(root, "many", "entry-%05d" % k), "w") as f:
            f.write("" if k % 100 else "entry %d\n" % k)
    os.link(os.path.join(root, "hello"), os.path.join(root, "sub/hello-link"))
    os.symlink("hello", os.path.join(root, "fast"))
    os.symlink("sub/" + "x" * 150, os.path.join(root, "slow"))
    with open(os.path.join(root, "sub/deep/er/leaf"), "w") as f:
        f.write("leaf\n")
    os.chmod(os.path.join(root, "sub"), 0o751)


def make_image(tmp_path, kind):
    src = tmp_path / "src"
    make_tree(str(src))
    img = str(tmp_path / ("%s.img" % kind))
    sh("mke2fs", "-q", "-F", "-t", kind, "-d", str(src), img, "32M")
    if kind == "ext4":  # index the big directory, as Linux would have
        subprocess.run(["e2fsck", "-fyD", img], capture_output=True)
    sh("e2fsck", "-fn", img)
    return str(src), img


# The guest describes every file in one pass (few processes: TCG is slow).
# Command substitution rather than xargs: busybox xargs garbles its input
# past 32 KiB under amphi, on tmpfs too (not an ext4 bug; reported).
DESCRIBE = ("cd /data && stat -c '%n %s %h %f %u' "
            "$(find . -path ./lost+found -prune -o ! -type d -print | sort) && "
            "stat -c '%n %h %f' $(find . -path ./lost+found -prune -o -type d -print | sort) && "
            "md5sum $(find . -type f ! -path './lost+found*' | sort) && "
            "readlink fast && readlink slow && stat -c %b sparse")


def expected(src):
    """The guest's DESCRIBE output, from the host's tree."""
    files, dirs, sums = [], [], []
    for top, dnames, fnames in os.walk(src):
        rel = "." + top[len(src):]
        st = os.lstat(top)
        subdirs = len(dnames) + (1 if rel == "." else 0)  # lost+found
        dirs.append("%s %d %x" % (rel, 2 + subdirs, st.st_mode))
        for n in dnames:
            if os.path.islink(os.path.join(top, n)):
                files.append(os.path.join(rel, n))
        for n in fnames:
            p = os.path.join(top, n)
            st = os.lstat(p)
            files.append("%s %d %d %x %d" % (os.path.join(rel, n), st.st_size, st.st_nlink,
                                             st.st_mode, st.st_uid))
            if stat.S_ISREG(st.st_mode):
                with open(p, "rb") as f:
                    sums.append("%s  %s" % (hashlib.md5(f.read()).hexdigest(), os.path.join(rel, n)))
    key = lambda line: line.split(" ")[0]
    return "\n".join(sorted(files, key=key) + sorted(dirs, key=key) +
                     sorted(sums, key=lambda l: l.split("  ")[1])) + "\n"


@pytest.mark.parametrize("kind", ["ext2", "ext4"])
def test_ext4_reads_mke2fs_image(tmp_path, kind):
    src, img = make_image(tmp_path, kind)
    r = run(BUSYBOX, "sh", "-c", DESCRIBE, options=["--disk", img + ":/data"])
    assert r.status == 0, r.describe()
    out = r.stdout.decode().split("\n")
    want = expected(src).split("\n")[:-1]
    assert out[:len(want)] == want, r.diff("\n".join(want))
    # readlink, then the sparse file's blocks: its pieces, not its size.
    assert out[len(want):len(want) + 2] == ["hello", "sub/" + "x" * 150]
    assert int(out[len(want) + 2]) < 200, r.describe()


WRITES = """
cd /data
seq 1 20000 > new
mkdir -p d1/d2/d3
echo tiny > d1/f
ln d1/f f-link
ln -s ../new d1/fast
ln -s $(seq -s / 1 60) d1/slow
mv hello d1/hello2
mv sub moved
rm fast
truncate -s 5000 big
truncate -s 3000000 sparse
i=0; while [ $i -lt 300 ]; do : > many/new-$i-with-a-long-name; i=$((i+1)); done
i=0; while [ $i -lt 2000 ]; do rm -f many/entry-$(printf %05d $i); i=$((i+7)); done
mkdir gone && echo x > gone/x && rm -r gone
dd if=/dev/zero of=zeros bs=4096 count=64 2>/dev/null
echo end >> new
sync
echo done
"""


def debugfs_cat(img, path):
    return subprocess.run(["debugfs", "-R", "cat " + path, img], check=True,
                          capture_output=True).stdout


@pytest.mark.parametrize("kind", ["ext2", "ext4"])
def test_ext4_guest_writes_fsck_clean(tmp_path, kind):
    src, img = make_image(tmp_path, kind)
    r = run(BUSYBOX, "sh", "-c", WRITES, options=["--disk", img + ":/data"])
    assert (r.status, r.stdout) == (0, b"done\n"), r.describe()
    fsck = subprocess.run(["e2fsck", "-fn", img], capture_output=True)
    assert fsck.returncode == 0, fsck.stdout.decode()
    seq = "".join("%d\n" % i for i in range(1, 20001)) + "end\n"
    assert debugfs_cat(img, "/new") == seq.encode()
    assert debugfs_cat(img, "/d1/hello2") == b"hello, world\n"
    assert debugfs_cat(img, "/f-link") == b"tiny\n"
    assert debugfs_cat(img, "/big") == bytes((i * 7 + (i >> 12)) & 0xff for i in range(5000))
    assert debugfs_cat(img, "/zeros") == bytes(64 * 4096)
    sparse = debugfs_cat(img, "/sparse")
    assert len(sparse) == 3000000 and sparse[1 << 20:(1 << 20) + 4096 + 7] == bytes(4096) + b"piece 1"
    ls = subprocess.run(["debugfs", "-R", "ls -p /many", img], check=True,
                        capture_output=True).stdout.decode()
    # debugfs lists a block's emptied first entry as inode 0, as Linux leaves it.
    names = [l.split("/")[5] for l in ls.splitlines() if l.count("/") >= 6 and not l.startswith("/0/")]
    names = [n for n in names if n not in (".", "..")]
    assert len(names) == NMANY - len(range(0, 2000, 7)) + 300
    if kind == "ext4":  # the index was kept up to date, not dropped
        st = subprocess.run(["debugfs", "-R", "stat /many", img], check=True,
                            capture_output=True).stdout.decode()
        assert int(st.split("Flags: ")[1].split()[0], 16) & 0x1000, st
    # A slow symlink's target is its data block: debugfs cat shows it.
    assert debugfs_cat(img, "/d1/slow") == "/".join(str(i) for i in range(1, 61)).encode()
    # The run left the file system clean: the next run may write again.
    r = run(BUSYBOX, "sh", "-c", "echo again > /data/again && cat /data/d1/f",
            options=["--disk", img + ":/data"])
    assert (r.status, r.stdout, r.stderr) == (0, b"tiny\n", b""), r.describe()
    assert subprocess.run(["e2fsck", "-fn", img], capture_output=True).returncode == 0
    assert debugfs_cat(img, "/again") == b"again\n"


def needs_recovery(img):
    out = sh("dumpe2fs", "-h", img).stdout.decode()
    return "needs_recovery" in next(l for l in out.splitlines() if l.startswith("Filesystem features:"))


def killed_after(img, script, mark):
    """busybox sh -c script on the disk at /data; QEMU killed with SIGKILL
    once the output has `mark`.  Returns the output."""
    argv = amphi_argv(BUSYBOX, "sh", "-c", script, options=["--disk", img + ":/data"])
    p = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         start_new_session=True)
    out = b""
    try:
        while mark not in out:
            chunk = p.stdout.read1(4096)
            if not chunk:
                break
            out += chunk
    finally:
        os.killpg(p.pid, signal.SIGKILL)  # amphi and its QEMU, at once
        p.communicate()
    return out


def test_ext4_remount_read_only_leaves_it_clean(tmp_path):
    """mount -o remount,ro leaves the disk as an unmount would (the log
    empty, needs_recovery cleared, as Linux does), so a VM killed after it
    needs no replay; writes then fail with EROFS; remount,rw starts the
    journal again, and a kill after that leaves a log e2fsck replays."""
    _, img = make_image(tmp_path, "ext4")
    out = killed_after(img, "echo before > /data/before && mount -o remount,ro /data && "
                       "{ echo x > /data/nope || echo refused; } && echo remounted && sleep 600",
                       b"remounted\n")
    assert out.endswith(b"refused\nremounted\n"), out
    assert not needs_recovery(img)
    fsck = subprocess.run(["e2fsck", "-fn", img], capture_output=True)
    assert fsck.returncode == 0, fsck.stdout.decode()
    assert debugfs_cat(img, "/before") == b"before\n"
    out = killed_after(img, "mount -o remount,ro /data && mount -o remount,rw /data && "
                       "echo after > /data/after && sync && echo synced && sleep 600", b"synced\n")
    assert out == b"synced\n", out
    assert needs_recovery(img)  # writing again, as a live read-write mount
    fix = subprocess.run(["e2fsck", "-fy", img], capture_output=True)
    assert fix.returncode in (0, 1), fix.stdout.decode()
    assert subprocess.run(["e2fsck", "-fn", img], capture_output=True).returncode == 0
    assert debugfs_cat(img, "/after") == b"after\n"


@pytest.mark.parametrize("prog", ["fs_files", "fs_meta", "fs_dirs"])
def test_ext4_file_system_calls_as_linux(tmp_path, prog):
    """The file system call programs of test_fs.py on an ext4 disk give
    Linux's transcripts: open flags, holes, truncate, fallocate, O_TMPFILE
    and linkat, sendfile (fs_files); stat, statfs, chmod, times (fs_meta);
    mkdir, rmdir, rename with RENAME_EXCHANGE, links, symlinks, mknod, a
    removed current directory (fs_dirs).  The run leaves the file system
    clean: files unlinked while still open are freed when it ends."""
    img = str(tmp_path / "calls.img")
    sh("mke2fs", "-q", "-F", "-t", "ext4", "-b", "4096", img, "64M")
    r = run(prog, "/data", options=["--disk", img + ":/data"])
    assert (r.status, r.stdout.decode()) == (0, getattr(fs_expected, prog.upper())), r.describe()
    fsck = subprocess.run(["e2fsck", "-fn", img], capture_output=True)
    assert fsck.returncode == 0, fsck.stdout.decode()


def test_ext4_sendfile_lends_the_page_cache(tmp_path):
    """sendfile from an ext4 file to a TCP socket sends the page cache's
    pages where they lie: net_sendfile's transcript on 2 vCPUs, as on
    tmpfs, the bytes still queued when the file is cut and written again
    (16 MiB, the cache's pages let go and taken again) arriving as sendfile
    found them; the file system is clean after."""
    img = str(tmp_path / "sendfile.img")
    sh("mke2fs", "-q", "-F", "-t", "ext4", "-b", "4096", img, "64M")
    r = run("net_sendfile", "/data", smp=2, mem="128M", timeout=120,
            options=["--disk", img + ":/data"])
    assert (r.status, r.stdout.decode()) == (0, net_inet_expected.NET_SENDFILE), r.describe()
    fsck = subprocess.run(["e2fsck", "-fn", img], capture_output=True)
    assert fsck.returncode == 0, fsck.stdout.decode()


PREALLOC = """
cd /data
printf START | dd of=pre bs=1 conv=notrunc 2>/dev/null
printf MIDDLE | dd of=pre bs=1024 seek=100 conv=notrunc 2>/dev/null
printf END | dd of=pre bs=1024 seek=299 conv=notrunc 2>/dev/null
fallocate -l 1048576 seq
dd if=/dev/zero bs=4096 count=128 2>/dev/null | tr '\\0' s | dd of=seq bs=4096 conv=notrunc 2>/dev/null
wc -c < pre; wc -c < seq; tail -c 524288 seq | tr -d '\\0' | wc -c
"""


def test_ext4_preallocated_extents(tmp_path):
    """Blocks preallocated as unwritten extents (by e2fsprogs, as Linux's
    fallocate leaves them, and by the guest's fallocate) read as zeroes and
    take writes at their start, middle and end; sequential writes into
    them stay one extent; e2fsck -fn finds the result clean."""
    img = str(tmp_path / "prealloc.img")
    sh("mke2fs", "-q", "-F", "-t", "ext4", "-b", "1024", img, "32M")
    sh("debugfs", "-w", "-R", "write /dev/null /pre", img)
    sh("debugfs", "-w", "-R", "fallocate /pre 0 299", img)
    r = run(BUSYBOX, "sh", "-c", PREALLOC, options=["--disk", img + ":/data"])
    assert (r.status, r.stdout) == (0, b"%d\n1048576\n0\n" % (299 * 1024 + 3)), r.describe()
    fsck = subprocess.run(["e2fsck", "-fn", img], capture_output=True)
    assert fsck.returncode == 0, fsck.stdout.decode()
    want = bytearray(299 * 1024 + 3)
    want[0:5] = b"START"
    want[100 * 1024:100 * 1024 + 6] = b"MIDDLE"
    want[299 * 1024:] = b"END"
    assert debugfs_cat(img, "/pre") == bytes(want)
    assert debugfs_cat(img, "/seq") == b"s" * 524288 + bytes(524288)
    ex = subprocess.run(["debugfs", "-R", "ex /seq", img], check=True,
                        capture_output=True).stdout.decode().splitlines()[1:]
    assert [l.split()[-1] == "Uninit" for l in ex] == [False, True], ex


def corrupt_inode(img, path):
    """Flips a byte inside path's inode (its checksum then fails; on ext2,
    the mode becomes nonsense)."""
    out = subprocess.run(["debugfs", "-R", "imap " + path, img], check=True,
                         capture_output=True).stdout.decode()
    where = out.split("located at block ")[1].split(", offset ")
    block, offset = int(where[0]), int(where[1].split()[0], 16)
    bs = int(subprocess.run(["dumpe2fs", "-h", img], check=True, capture_output=True)
             .stdout.decode().split("Block size:")[1].split()[0])
    with open(img, "r+b") as f:
        f.seek(block * bs + offset + 1)  # the mode's high byte
        b = f.read(1)[0]
        f.seek(block * bs + offset + 1)
        f.write(bytes([b ^ 0xf0]))


@pytest.mark.parametrize("kind", ["ext2", "ext4"])
def test_ext4_corrupt_image_gives_errors(tmp_path, kind):
    src, img = make_image(tmp_path, kind)
    # The directory naming a corrupt inode cannot be read (the VFS loads a
    # directory's entries with their inodes); everything else still can.
    corrupt_inode(img, "/sub/deep/er/leaf")
    r = run(BUSYBOX, "sh", "-c", "cat /data/hello; cat /data/sub/deep/er/leaf; echo status $?",
            options=["--disk", img + ":/data"])
    assert r.status == 0, r.describe()
    out = r.stdout.decode()
    assert out.startswith("hello, world\n") and out.endswith("status 1\n"), r.describe()
    assert b"Structure needs cleaning" in r.stderr + r.stdout, r.describe()


def test_ext4_unsupported_feature_refused(tmp_path):
    src = tmp_path / "s"
    src.mkdir()
    (src / "a").write_text("a\n")
    img = str(tmp_path / "inline.img")
    sh("mke2fs", "-q", "-F", "-t", "ext4", "-O", "inline_data", "-d", str(src), img, "8M")
    r = run(BUSYBOX, "true", verbose=True, options=["--disk", img + ":/data"])
    assert r.status not in (0, None), r.describe()
    assert r.stderr.splitlines().count(b"ext4: vda: unsupported feature inline_data: not mounted") == 1, \
        r.describe()
    # Without -v the run's one line says why, not just that it failed.
    r = run(BUSYBOX, "true", options=["--disk", img + ":/data"])
    assert (r.status, r.stderr) == (125, b"amphi: cannot mount disk vda on /data: "
                                         b"ext4: vda: unsupported feature inline_data: not mounted\n"), \
        r.describe()

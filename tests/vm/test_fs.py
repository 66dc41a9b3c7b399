"""Files: every file system call a program makes, step by step against what
Linux gives (fs_expected.py holds the native transcripts); /dev, /proc and
/etc as programs read them; filling the file system; and Debian's busybox
working on files.

Each fs_* program makes its own directory under the base it is given (/tmp
in the guest) and prints one line per step.  Every run is a fresh VM, so
files a run leaves behind are gone the next time."""

import hashlib
import os
import random
import re

import pytest

import fs_expected
from conftest import PROGS, ROOT, expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

BUSYBOX = "/bin/busybox"


@pytest.mark.parametrize("prog", ["fs_files", "fs_meta", "fs_dirs"])
def test_file_system_calls(prog):
    """open flags, read/write/seek, holes, truncate, fallocate, sync, memfd,
    sendfile, copy_file_range (fs_files); stat, statx, statfs, access,
    chmod, chown, times, umask (fs_meta); mkdir, rmdir, unlink, rename,
    link, symlink, readlink, mknod, getdents, cwd, path resolution with
    ELOOP and ENAMETOOLONG (fs_dirs)."""
    expect(run(prog, "/tmp"), getattr(fs_expected, prog.upper()))


@pytest.mark.parametrize("smp", [1, 2])
def test_locks(smp):
    """POSIX, OFD and flock locks; a second thread releases a blocked one."""
    expect(run("fs_locks", "/tmp", smp=smp), fs_expected.FS_LOCKS)


@pytest.mark.parametrize("smp", [1, 2])
def test_fifo(smp):
    """mkfifo; a blocking open waits for a writer thread that writes and closes."""
    expect(run("fs_fifo", "/tmp", smp=smp), fs_expected.FS_FIFO)


@pytest.mark.parametrize("smp", [1, 4])
def test_dev_proc_etc(smp):
    """The memory devices, /dev/std* links, /proc/self, the machine files
    (one cpuinfo block per CPU), the default /etc."""
    exe = os.path.realpath(os.path.join(ROOT, PROGS, "fs_proc"))
    expect(run("fs_proc", exe, "/tmp", smp=smp), fs_expected.FS_PROC)


@pytest.mark.parametrize("smp", [1, 4])
def test_threads_at_once(smp):
    """8 threads create, write, rename, read back and remove files in one
    directory and append to one O_APPEND log, while another lists the
    directory and reads /proc: nothing lost, no record torn."""
    r = run("fs_threads", "/tmp", 8, 200, smp=smp)
    expect(r, "errors: 0\nfiles left: 800 (want 800)\n"
              "log: 102400 bytes, 1600 records (want 1600), all whole: 1\n")


def test_full_file_system_gives_enospc():
    """Files filling the VM's memory end in ENOSPC, not a kernel panic or
    an out-of-memory kill, and the room comes back when they are removed."""
    expect(run("fs_full", "/tmp", mem="32M"), fs_expected.FS_FULL)


def test_limits():
    """A fallocate that fails for want of room gives back every page it took
    (they stayed, 58 MiB of a 64 MiB VM); a FIFO's bytes and buffer go with
    its last end (they stayed: 942 FIFOs written once filled the VM); reads
    and writes that would pass LLONG_MAX are EINVAL and files may grow to
    it (both were EFBIG past 2^48, or read 0); /proc's seq files refuse
    SEEK_END, cmdline and environ count it from 0."""
    expect(run("fs_limits", "/tmp", mem="64M"), fs_expected.FS_LIMITS)


def test_big_directory_listing():
    """60,000 entries listed one per getdents64 call, five times over, while
    a seventh of them go: each name once per pass.  getdents used to walk
    the directory from its start on every call, under the global file
    system lock: this took some 90 s (and held up every other file
    operation), so the run's time-out fails it; now about 2."""
    r = run("fs_bigdir", "/tmp", 60000, 5, mem="512M")  # tmpfs: inodes up to half the pages
    assert (r.status, r.stdout, r.stderr) == (0, b"60000 entries, 5 passes ok\n", b""), r.describe()


# ---- busybox ---------------------------------------------------------------

def busybox(*args, **kw):
    return run(BUSYBOX, *args, env=["PATH=/bin", "LC_ALL=C", "TZ=UTC"], **kw)


def test_busybox_ls_root():
    r = busybox("ls", "-la", "/")
    assert (r.status, r.stderr) == (0, b""), r.describe()
    modes = {line.split()[-1]: line.split()[0] for line in r.stdout.decode().splitlines()[1:]}
    want = {".": "drwxr-xr-x", "..": "drwxr-xr-x", "dev": "drwxr-xr-x", "etc": "drwxr-xr-x",
            "home": "drwxr-xr-x", "proc": "dr-xr-xr-x", "root": "drwx------", "tmp": "drwxrwxrwt"}
    assert {k: modes.get(k) for k in want} == want, r.describe()


def test_busybox_cat_etc_passwd():
    r = busybox("cat", "/etc/passwd")
    assert (r.status, r.stdout, r.stderr) == (
        0, b"root:x:0:0:root:/root:/bin/sh\n"
           b"nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n", b""), r.describe()


def test_busybox_ls_dev():
    r = busybox("ls", "/dev")
    want = b"console\nfd\nfull\nkmsg\nnull\nrandom\nshm\nstderr\nstdin\nstdout\ntty\nurandom\nzero\n"
    assert (r.status, r.stdout, r.stderr) == (0, want, b""), r.describe()


def test_busybox_ls_proc_self_fd():
    """The standard streams are pipes from amphi: links to pipe:[N]."""
    r = busybox("ls", "-la", "/proc/self/fd")
    assert r.status in (0, 1), r.describe()
    links = dict(re.findall(r"^l\S+ .* (\d+) -> (.*)$", r.stdout.decode(), re.M))
    assert [links.get(fd, "") .startswith("pipe:[") for fd in "012"] == [True] * 3, r.describe()


def test_busybox_meminfo_and_df():
    r = busybox("head", "-n", "1", "/proc/meminfo")
    assert r.status == 0 and re.match(rb"MemTotal: +\d+ kB\n$", r.stdout), r.describe()
    r = busybox("df", "/")
    assert r.status == 0 and r.stdout.splitlines()[-1].split()[-1] == b"/", r.describe()


def test_busybox_readlink_proc_self_exe():
    r = busybox("readlink", "/proc/self/exe")
    want = os.path.realpath(BUSYBOX).encode() + b"\n"
    assert (r.status, r.stdout, r.stderr) == (0, want, b""), r.describe()


def test_busybox_cat_dev_stdin():
    r = busybox("cat", "/dev/stdin", stdin=b"through /dev/stdin\n")
    assert (r.status, r.stdout, r.stderr) == (0, b"through /dev/stdin\n", b""), r.describe()


def test_busybox_cat_missing_file():
    r = busybox("cat", "/nonexistent")
    assert (r.status, r.stdout, r.stderr) == (
        1, b"", b"cat: can't open '/nonexistent': No such file or directory\n"), r.describe()


def test_busybox_mkdir_p():
    r = busybox("mkdir", "-p", "/tmp/a/b/c")
    assert (r.status, r.stdout, r.stderr) == (0, b"", b""), r.describe()


def test_busybox_shell_redirections():
    """Builtins only (amphi cannot fork yet): >, >>, <, noclobber, exec 3>,
    test, cd, pwd, umask."""
    script = ("echo one > /tmp/f; echo two >> /tmp/f; "
              "while read l; do echo \"<$l>\"; done < /tmp/f; "
              "set -C; { echo x > /tmp/f; } 2>/dev/null || echo noclobber; set +C; "
              "exec 3> /tmp/g; echo via-3 >&3; exec 3>&-; read g < /tmp/g; echo $g; "
              "test -s /tmp/g && echo non-empty; [ -d /proc/self/fd ] && echo dir; "
              "[ -e /tmp/none ] || echo absent; cd /tmp && pwd; umask 027; umask")
    r = busybox("sh", "-c", script)
    want = b"<one>\n<two>\nnoclobber\nvia-3\nnon-empty\ndir\nabsent\n/tmp\n0027\n"
    assert (r.status, r.stdout, r.stderr) == (0, want, b""), r.describe()


@pytest.fixture
def tree(tmp_path):
    """A small host tree for --files: directories, a 0600 file, a symlink."""
    os.makedirs(tmp_path / "a" / "b" / "c")
    (tmp_path / "a" / "b" / "f.txt").write_text("hi\n")
    os.chmod(tmp_path / "a" / "b" / "f.txt", 0o600)
    os.symlink("b/f.txt", tmp_path / "a" / "link")
    return ["--files", "%s:/data" % tmp_path]


def test_files_from_the_host(tree):
    """What --files puts in the initrd appears with its modes and links."""
    r = busybox("ls", "-R", "/data", options=tree)
    want = b"/data:\na\n\n/data/a:\nb\nlink\n\n/data/a/b:\nc\nf.txt\n\n/data/a/b/c:\n"
    assert (r.status, r.stdout, r.stderr) == (0, want, b""), r.describe()
    r = busybox("stat", "-c", "%n %a %F", "/data/a/b/f.txt", "/data/a/link", "/data/a/b/c",
                options=tree)
    want = (b"/data/a/b/f.txt 600 regular file\n/data/a/link 777 symbolic link\n"
            b"/data/a/b/c 755 directory\n")
    assert (r.status, r.stdout, r.stderr) == (0, want, b""), r.describe()
    r = busybox("cat", "/data/a/link", options=tree)
    assert (r.status, r.stdout, r.stderr) == (0, b"hi\n", b""), r.describe()


@pytest.mark.skipif(not os.path.exists("/usr/bin/cat") or not os.path.islink("/lib"),
                    reason="needs a merged-/usr host's cat")
def test_files_under_a_symlinked_lib(tree):
    """A dynamically linked program brings /lib as the host has it, a link
    to usr/lib: --files under /lib goes through the link, as Linux's
    initramfs unpacker walks it (before, every entry was refused, ENOTDIR,
    and top found no terminfo under /lib/terminfo)."""
    options = ["--files", tree[1].replace(":/data", ":/lib/extra")]
    r = run("/usr/bin/cat", "/lib/extra/a/link", "/usr/lib/extra/a/b/f.txt", options=options)
    assert (r.status, r.stdout, r.stderr) == (0, b"hi\nhi\n", b""), r.describe()


PAGE_SIZES = {"page-1": 4095, "page": 4096, "page+1": 4097, "2pages": 8192, "3pages+1": 12289}


@pytest.fixture
def big_files(tmp_path):
    """--files with one file of 40 MiB and small ones around a page."""
    rng = random.Random(7)
    for name, size in dict(PAGE_SIZES, big=40 << 20).items():
        (tmp_path / name).write_bytes(rng.randbytes(size))
    return tmp_path


def test_files_take_the_initrd_pages(big_files):
    """The files keep the initrd's pages instead of copies: 40 MiB of files
    fit a 64 MiB VM (with copies they needed 80), their bytes are right, a
    write to one stays, and removing one gives its memory back."""
    script = ("sha256sum /data/*; printf X | dd of=/data/page+1 bs=1 seek=4096 conv=notrunc "
              "2>/dev/null; sha256sum /data/page+1; grep MemFree /proc/meminfo; rm /data/big; "
              "grep MemFree /proc/meminfo")
    r = busybox("sh", "-c", script, options=["--files", "%s:/data" % big_files], mem="64M")
    assert (r.status, r.stderr) == (0, b""), r.describe()
    lines = r.stdout.decode().splitlines()
    names = sorted(os.listdir(big_files))
    sums = dict(reversed(line.split()) for line in lines[:len(names)])
    want = {"/data/" + n: hashlib.sha256((big_files / n).read_bytes()).hexdigest() for n in names}
    assert {k: sums.get(k) for k in want} == want, r.describe()
    written = bytearray((big_files / "page+1").read_bytes())
    written[4096:4097] = b"X"
    assert lines[len(names)].split()[0] == hashlib.sha256(written).hexdigest(), r.describe()
    free = [int(line.split()[1]) for line in lines[-2:]]
    assert free[1] - free[0] >= 39 << 10, "removing 40 MiB freed %d KiB\n%s" % (
        free[1] - free[0], r.describe())

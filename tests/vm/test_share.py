"""Host folders shared live over 9p (amphi run --share): bytes both ways,
changes to the tree seen on the host with their modes and targets, a file
the host makes while the guest runs, :ro, /proc/mounts and statfs, mount(2)
and umount2(2) from a program (tests/progs/mount_calls.c), and bad usage.

Linux's own answers for mount_calls are the rules of mount(2), umount2(2)
and mount_namespaces(7) (ENODEV for an unknown type, ENOENT for a 9p tag no
device has, EBUSY while a file or cwd is inside, EXDEV across mounts, EROFS
on a read-only mount); a native run needs a 9p server, so the transcript
below is written from them rather than recorded."""

import hashlib
import os
import select
import shutil
import subprocess

import pytest

import fs_expected
from conftest import AMPHI, ROOT, amphi_argv, expect, qemu_wrapper, refused, run

pytestmark = pytest.mark.usefixtures("amphi_works")

BUSYBOX = "/bin/busybox"


def share(host, guest="/mnt", ro=False):
    return ["--share", "%s:%s%s" % (host, guest, ":ro" if ro else "")]


def sh(script, *options, machine="pc"):
    return run(BUSYBOX, "sh", "-c", script, options=list(options), machine=machine)


@pytest.mark.parametrize("machine", ["pc", "microvm"])
def test_bytes_both_ways(tmp_path, machine):
    """A file the host wrote reads byte for byte in the guest, and one the
    guest writes (in pieces larger than a 9P message) lands on the host."""
    data = os.urandom(300000)
    (tmp_path / "from_host").write_bytes(data)
    r = sh("md5sum /mnt/from_host; head -c 200000 /dev/urandom > /mnt/from_guest && "
           "md5sum /mnt/from_guest; wc -c < /mnt/from_guest", *share(tmp_path), machine=machine)
    assert r.status == 0, r.describe()
    out = r.stdout.decode().split()
    assert out[0] == hashlib.md5(data).hexdigest(), r.describe()
    written = (tmp_path / "from_guest").read_bytes()
    assert (out[2], out[4], len(written)) == (hashlib.md5(written).hexdigest(), "200000", 200000), \
        r.describe()


def test_tree_changes_reach_the_host(tmp_path):
    """mkdir, rename, unlink, rmdir, symlink, hard link, chmod, chown and
    append in the guest, as the host then sees them."""
    (tmp_path / "old").write_text("old\n")
    (tmp_path / "gone").write_text("x")
    (tmp_path / "emptydir").mkdir()
    r = sh("cd /mnt && mkdir -p d/e && echo one > d/e/f && mv d/e/f d/g && mv old d/renamed && "
           "rm gone && rmdir emptydir && ln -s ../d/g d/sym && ln d/g d/hard && "
           "chmod 4751 d/g && chmod 1777 d/e && chown 1234:567 d/renamed && echo two >> d/hard",
           *share(tmp_path))
    assert (r.status, r.stderr) == (0, b""), r.describe()
    d = tmp_path / "d"
    assert sorted(os.listdir(tmp_path)) == ["d"]
    assert sorted(os.listdir(d)) == ["e", "g", "hard", "renamed", "sym"]
    assert (d / "g").read_text() == "one\ntwo\n"
    assert os.readlink(d / "sym") == "../d/g"
    assert os.stat(d / "g").st_ino == os.stat(d / "hard").st_ino
    assert os.stat(d / "g").st_nlink == 2
    assert oct(os.stat(d / "g").st_mode & 0o7777) == oct(0o4751)
    assert oct(os.stat(d / "e").st_mode & 0o7777) == oct(0o1777)
    st = os.stat(d / "renamed")
    assert (st.st_uid, st.st_gid, (d / "renamed").read_text()) == (1234, 567, "old\n")


def test_guest_sees_host_files_and_modes(tmp_path):
    """What the host made before the run: modes, owners, links, sizes; ".."
    from the share's root leads out of it, getcwd inside it."""
    (tmp_path / "f").write_text("12345")
    os.chmod(tmp_path / "f", 0o640)
    os.chown(tmp_path / "f", 42, 43)
    os.symlink("f", tmp_path / "l")
    os.mkdir(tmp_path / "sub")
    os.link(tmp_path / "f", tmp_path / "sub" / "f2")
    r = sh("cd /mnt && stat -c '%n %a %u %g %s %h' f sub/f2 && readlink l && cat l && "
           "stat -c %i /mnt/sub/../.. / | uniq | wc -l && cd sub && pwd -P && ls /mnt",
           *share(tmp_path))
    expect(r, "f 640 42 43 5 2\nsub/f2 640 42 43 5 2\nf\n123451\n/mnt/sub\nf\nl\nsub\n")


def test_file_the_host_makes_while_the_guest_runs(tmp_path):
    """The share is live: a file and a directory the host makes after the
    guest listed the folder show in the next listing and look-up, and a file
    the host removes goes."""
    (tmp_path / "early").write_text("e")
    argv = amphi_argv(BUSYBOX, "sh", "-c",
                      "ls /mnt; echo ready; read x; ls /mnt; cat /mnt/late; cat /mnt/dir/inner",
                      options=share(tmp_path))
    p = subprocess.Popen(argv, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, start_new_session=True)
    try:
        got = b""
        while b"ready\n" not in got:
            ready, _, _ = select.select([p.stdout], [], [], 120)
            assert ready, "the guest never said it was ready: %r" % got
            chunk = os.read(p.stdout.fileno(), 4096)
            assert chunk, "the guest ended early: %r %r" % (got, p.stderr.read())
            got += chunk
        (tmp_path / "late").write_text("made by the host\n")
        (tmp_path / "dir").mkdir()
        (tmp_path / "dir" / "inner").write_text("inner\n")
        os.unlink(tmp_path / "early")
        out, err = p.communicate(b"go\n", timeout=120)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 0, (got, out, err)
    assert got + out == b"early\nready\ndir\nlate\nmade by the host\ninner\n", (got, out, err)


def test_program_on_a_share(tmp_path):
    """A program the share holds runs (its pages are private copies read
    from the host when touched)."""
    shutil.copy(os.path.join(ROOT, "build", "progs", "hello"), tmp_path / "hello")
    r = sh("/mnt/hello; echo $?", *share(tmp_path))
    expect(r, "hello from amphi\n0\n")


def test_file_system_calls_on_a_share(tmp_path):
    """fs_meta (stat, statx, statfs, access, chmod, chown, times, umask) on
    a share gives Linux's transcript but for statfs's block size, which is
    the host's (9P reports the host folder's)."""
    r = run("fs_meta", "/mnt", options=share(tmp_path))
    want = [l for l in fs_expected.FS_META.splitlines() if not l.startswith("statfs block size")]
    got = [l for l in r.stdout.decode().splitlines() if not l.startswith("statfs block size")]
    assert (r.status, got, r.stderr) == (0, want, b""), r.describe()


def test_read_only_share(tmp_path):
    """:ro: reading works, every change is EROFS, /proc/mounts says ro."""
    (tmp_path / "f").write_text("keep\n")
    r = sh("cat /mnt/f; grep ' /mnt ' /proc/mounts; echo x > /mnt/f; touch /mnt/new; "
           "mkdir /mnt/d; rm /mnt/f; chmod 600 /mnt/f; cat /mnt/f",
           *share(tmp_path, ro=True))
    assert r.stdout == b"keep\nshare0 /mnt 9p ro,relatime 0 0\nkeep\n", r.describe()
    assert r.stderr.count(b"Read-only file system") == 5, r.describe()
    assert sorted(os.listdir(tmp_path)) == ["f"]
    assert (tmp_path / "f").read_text() == "keep\n"
    assert oct(os.stat(tmp_path / "f").st_mode & 0o777) == oct(0o644)


def test_mounts_and_statfs(tmp_path):
    """/proc/mounts and mountinfo list each share where it is; statfs has
    the 9p magic; two shares, one under a directory made for it."""
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    r = sh("grep 9p /proc/mounts; grep -c ' - 9p share' /proc/self/mountinfo; "
           "stat -f -c %t /mnt /deep/er/dir; stat -c %d /mnt / | uniq | wc -l; grep 9p /proc/filesystems",
           *share(a), *share(b, "/deep/er/dir"))
    expect(r, "share0 /mnt 9p rw,relatime 0 0\nshare1 /deep/er/dir 9p rw,relatime 0 0\n2\n"
              "1021997\n1021997\n2\nnodev\t9p\n")


MOUNT_CALLS = """\
mount unknown type: ENODEV
mount unknown tag: ENOENT
mount bad option: EINVAL
mount bind: EINVAL
mount on a file: ENOTDIR
mount: ok
mount again: ok
mounts: rw,relatime 0 0
mounts: rw,relatime 0 0
statfs type: V9FS_MAGIC
read: spare file
mmap private: spare file
mmap shared of a file open for writing: EINVAL
umount with a file open: EBUSY
umount with a cwd inside: EBUSY
umount lazily: EINVAL
rename across mounts: EXDEV
link across mounts: EXDEV
umount: ok
umount again: ok
mounts: /m not listed
host file gone with it: ENOENT
mount ro: ok
mounts: ro,relatime 0 0
create on ro: EROFS
remount rw: ok
mounts: rw,relatime 0 0
create after remount rw: ok
remount ro with a file open for writing: EBUSY
umount with a file open: EBUSY
remount ro: ok
unlink after remount ro: EROFS
remount a directory that is no mount: EINVAL
umount: ok
mounts: ro,relatime 0 0
statfs ro flag: yes
read: ro file
open for writing: EROFS
create: EROFS
mkdir: EROFS
unlink: EROFS
chmod: EROFS
truncate: EROFS
"""


def test_mount_calls(tmp_path):
    """mount(2)/umount2(2) of a share the run did not mount (a second
    virtio-9p device, added by a QEMU wrapper), and the read-only rules of
    one it did."""
    spare, ro = tmp_path / "spare", tmp_path / "ro"
    spare.mkdir()
    ro.mkdir()
    (spare / "host.txt").write_text("spare file\n")
    (ro / "host.txt").write_text("ro file\n")
    body = ('exec %s "$@" -fsdev local,id=fsx,path=%s,security_model=none '
            "-device virtio-9p-pci,fsdev=fsx,mount_tag=spare"
            % (shutil.which("qemu-system-x86_64"), spare))
    wrapper = qemu_wrapper(tmp_path, body=body)
    r = run("mount_calls", "spare", "/m", "share0", "/ro",
            options=["--qemu", wrapper] + share(ro, "/ro", ro=True))
    expect(r, MOUNT_CALLS)
    assert sorted(os.listdir(spare)) == ["host.txt", "new"]
    assert (spare / "host.txt").read_text() == "spare file\n"  # the private store stayed private


def test_boot_mount_failure(tmp_path):
    """A share the kernel cannot mount (no device has the tag) fails the
    start with one line and status 125."""
    wrapper = qemu_wrapper(tmp_path, append="share=nosuchtag:/mnt")
    r = run("hello", options=["--qemu", wrapper])
    assert r.status == 125 and r.stdout == b"", r.describe()
    assert r.stderr.decode().strip().endswith(
        "amphi: cannot mount share nosuchtag on /mnt: No such file or directory"), r.describe()


@pytest.mark.parametrize("spec,words", [
    ("{missing}:/mnt", ["--share", "No such file or directory"]),
    ("{file}:/mnt", ["--share", "Not a directory"]),
    ("{dir}:mnt", ["--share", "absolute"]),
    ("{dir}", ["--share", "HOSTDIR:GUESTDIR"]),
    ("{dir}:/", ["--share", "below /"]),
])
def test_bad_usage(tmp_path, spec, words):
    (tmp_path / "file").write_text("")
    arg = spec.format(missing=tmp_path / "missing", file=tmp_path / "file", dir=tmp_path)
    refused([AMPHI, "run", "--share", arg, "hello"], *words)

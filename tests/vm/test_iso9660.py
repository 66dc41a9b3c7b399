"""ISO 9660 discs: `amphi run --disk image.iso:/cdrom` mounts a disc that
Debian's xorriso made of a tree on the host, read-only, and Debian's
busybox in the guest sees that tree: names, modes, owners, sizes, times,
link targets and every byte.  A disc with its metadata scrambled gives
errors to the program, never a crashed kernel."""

import hashlib
import os
import random
import subprocess

import pytest

from conftest import run
from test_busybox import BUSYBOX, busybox_installed  # noqa: F401 (an autouse fixture)

pytestmark = pytest.mark.usefixtures("amphi_works")

# One line per path under the mount: name, mode (hex, as stat %f), owner,
# group, mtime, size (not of a directory: a disc's are whole blocks); then
# the md5 of a file or the target of a link.
LIST = r"""
cd /cdrom || exit 9
find . -mindepth 1 | sort | while read p; do
  if [ -d "$p" ]; then stat -c '%n %f %u %g %Y -' "$p"; else stat -c '%n %f %u %g %Y %s' "$p"; fi
  if [ -L "$p" ]; then readlink "$p"
  elif [ -f "$p" ]; then md5sum < "$p"
  fi
done
"""


def make_tree(top):
    os.makedirs(top / "a" / "b")
    (top / "Hello.txt").write_text("hello\n")
    rnd = random.Random(7)
    (top / "a" / "b" / "a-file-with-a-name-longer-than-eight-dot-three.bin").write_bytes(
        rnd.randbytes(300 * 1024 + 17))
    (top / "a" / "script").write_text("#!/bin/sh\necho hi\n")
    os.chmod(top / "a" / "script", 0o750)
    os.chown(top / "a" / "script", 1234, 5678)
    os.symlink("a/b/a-file-with-a-name-longer-than-eight-dot-three.bin", top / "link")
    os.symlink("/etc/passwd", top / "abs")
    os.makedirs(top / "many")
    for k in range(200):
        (top / "many" / ("entry-%03d" % k)).write_text("entry %d\n" % k)
    os.utime(top / "Hello.txt", (1600000000, 1600000000))


def expected_listing(top):
    out = []
    paths = []
    for d, dirs, files in os.walk(top):
        rel = os.path.relpath(d, top)
        for n in dirs + files:
            paths.append(os.path.normpath(os.path.join(".", rel, n)))
    for p in sorted("./" + q for q in paths):
        st = os.lstat(top / p)
        size = "-" if os.path.isdir(top / p) and not os.path.islink(top / p) else st.st_size
        out.append("%s %x %d %d %d %s" % (p, st.st_mode, st.st_uid, st.st_gid, int(st.st_mtime), size))
        if os.path.islink(top / p):
            out.append(os.readlink(top / p))
        elif os.path.isfile(top / p):
            out.append(hashlib.md5((top / p).read_bytes()).hexdigest() + "  -")
    return "\n".join(out) + "\n"


def make_disc(tmp_path):
    top = tmp_path / "tree"
    make_tree(top)
    iso = tmp_path / "disc.iso"
    subprocess.run(["xorriso", "-as", "mkisofs", "-quiet", "-R", "-o", str(iso), str(top)],
                   check=True, capture_output=True)
    return top, iso


def test_disc_shows_the_host_tree(tmp_path):
    top, iso = make_disc(tmp_path)
    want = expected_listing(top)
    r = run(BUSYBOX, "sh", "-c", LIST, options=["--disk", "%s:/cdrom,ro" % iso])
    assert (r.status, r.stdout.decode(), r.stderr) == (0, want, b""), r.diff(want)


def test_disc_is_read_only_and_listed(tmp_path):
    _, iso = make_disc(tmp_path)
    script = ("touch /cdrom/new; echo touch=$?; rm /cdrom/Hello.txt; echo rm=$?; "
              "grep cdrom /proc/mounts; stat -f -c '%t %S' /cdrom")
    r = run(BUSYBOX, "sh", "-c", script, options=["--disk", "%s:/cdrom,ro" % iso])
    out = r.stdout.decode()
    assert r.status == 0, r.describe()
    assert "touch=1" in out and "rm=1" in out, r.describe()
    assert b"Read-only file system" in r.stderr, r.describe()
    assert "/dev/vda /cdrom iso9660 ro" in out, r.describe()
    assert out.rstrip().endswith("9660 2048"), r.describe()


def test_scrambled_disc_gives_errors_not_a_crash(tmp_path):
    _, iso = make_disc(tmp_path)
    data = bytearray(iso.read_bytes())
    rnd = random.Random(3)
    # Directory records and Rock Ridge entries sit in the blocks after the
    # volume descriptors; flip bytes all over them.
    for _ in range(400):
        data[rnd.randrange(17 * 2048, 40 * 2048)] ^= rnd.randrange(1, 256)
    iso.write_bytes(bytes(data))
    r = run(BUSYBOX, "sh", "-c", "find /cdrom -type f -exec cat {} + > /dev/null; echo done",
            options=["--disk", "%s:/cdrom,ro" % iso])
    assert r.status in (0, 125), r.describe()
    assert b"panic" not in r.stderr.lower(), r.describe()
    if r.status == 0:
        assert r.stdout.decode().endswith("done\n"), r.describe()
    else:  # the root itself did not decode: the mount was refused, in one line
        assert r.stderr.decode().count("\n") == 1, r.describe()

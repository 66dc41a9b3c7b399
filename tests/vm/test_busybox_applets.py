"""Debian's busybox-static, unmodified, under amphi: each applet's output
compared with the same applet's output on the host (run in a chroot holding
the same files at the same paths), alone or started by busybox's shell
(pipelines, substitutions, subshells, background jobs, exec)."""

import os
import shutil
import subprocess

import pytest

import busybox_tree
from conftest import ROOT, run

BUSYBOX = "/bin/busybox"
CHROOT = shutil.which("chroot") or "/usr/sbin/chroot"
ENV = ["PATH=/bin", "HOME=/root", "TZ=UTC", "LC_ALL=C"]

pytestmark = [
    pytest.mark.usefixtures("amphi_works"),
    pytest.mark.skipif(not os.path.exists(BUSYBOX), reason="busybox-static is not installed"),
    pytest.mark.skipif(os.geteuid() != 0, reason="the host reference runs in a chroot (root only)"),
]


@pytest.fixture(scope="module")
def tree():
    """Under build/, on the same file system as the checkout: ls shows a
    directory's size, which is 4096 on a disk file system but not on a
    tmpfs /tmp."""
    root = os.path.join(ROOT, "build", "busybox-root")
    shutil.rmtree(root, ignore_errors=True)
    return busybox_tree.build(root)


def on_host(tree, args, stdin=b""):
    p = subprocess.run([CHROOT, tree, "/bin/busybox"] + args, input=stdin,
                       capture_output=True, env=dict(e.split("=", 1) for e in ENV), timeout=30)
    return p.returncode, p.stdout, p.stderr


def on_amphi(tree, args, stdin=b""):
    r = run(BUSYBOX, *args, stdin=stdin, env=ENV,
            options=["--files", os.path.join(tree, "data") + ":/data",
                     "--files", os.path.join(tree, "etc") + ":/etc"])
    return r.status, r.stdout, r.stderr


def unordered(result, args):
    """find and du list a directory in the order the file system keeps its
    entries, which differs between file systems (and between ext4 volumes:
    its hash has a per-volume seed): compare their lines as a set."""
    status, out = result[:2]
    if args[0] in ("find", "du"):
        out = b"\n".join(sorted(out.splitlines()))
    if args[0] == "ls":
        # A listing's ".." under /tmp shows /tmp's time, which is the
        # moment each run wrote there: a minute may pass between the two.
        out = b"\n".join(l for l in out.splitlines() if not l.endswith(b" .."))
    return status, out


def same_as_host(tree, args, stdin=b""):
    host_run, guest_run = on_host(tree, args, stdin), on_amphi(tree, args, stdin)
    host, guest = unordered(host_run, args), unordered(guest_run, args)
    assert guest == host, ("busybox %s\nhost:  %r\namphi: %r\namphi stderr: %s"
                                   % (" ".join(args), host, guest, guest_run[2][-2000:]))


# Applets whose whole output (and status) must equal the host's.
SAME = {
    "echo": ["echo", "-e", "a\\tb", "c"],
    "printf": ["printf", "%05d|%-4s|%x\\n", "42", "ab", "255"],
    "cat": ["cat", "/data/fruits.txt", "/data/poem.txt"],
    "cat-missing": ["cat", "/data/nope"],
    "ls-la": ["ls", "-la", "/data/dir"],
    "ls-ln": ["ls", "-ln", "/data"],
    "ls-R": ["ls", "-R", "/data"],
    "find": ["find", "/data", "-name", "*.txt"],
    "find-type": ["find", "/data", "-type", "d"],
    "grep-E": ["grep", "-E", "an+a|rr", "/data/fruits.txt"],
    "grep-rn": ["grep", "-rn", "deep", "/data"],
    "grep-none": ["grep", "zebra", "/data/fruits.txt"],
    "sed": ["sed", "-e", "s/a/A/g", "-e", "2d", "/data/fruits.txt"],
    "awk": ["awk", "-F,", "NR>1 { t += $2 * $3 } END { printf \"%.2f\\n\", t }", "/data/table.csv"],
    "sort": ["sort", "/data/fruits.txt"],
    "sort-n": ["sort", "-n", "-r", "/data/numbers.txt"],
    "wc": ["wc", "/data/poem.txt", "/data/fruits.txt"],
    "head": ["head", "-n", "3", "/data/poem.txt"],
    "tail": ["tail", "-n", "2", "/data/poem.txt"],
    "cut": ["cut", "-d,", "-f1,3", "/data/table.csv"],
    "md5sum": ["md5sum", "/data/fruits.txt", "/data/poem.txt"],
    "sha256sum": ["sha256sum", "/data/table.csv"],
    "base64": ["base64", "/data/poem.txt"],
    "dd": ["dd", "if=/data/poem.txt", "bs=5", "skip=2", "count=3", "status=none"],
    "stat-c": ["stat", "-c", "%n %s %F %a %U %G %Y", "/data/poem.txt", "/data/dir", "/data/link-to-poem"],
    "du": ["du", "-a", "/data/dir"],
    "seq": ["seq", "3", "4", "20"],
    "expr": ["expr", "7", "*", "6"],
    "expr-false": ["expr", "0", "+", "0"],
    "env": ["env"],
    "readlink": ["readlink", "/data/link-to-poem"],
    "basename": ["basename", "/data/dir/notes.md", ".md"],
    "sh-builtins": ["sh", "-c",
                    "f() { echo \"f:$1\"; return 3; }; for i in 1 2 3; do f $i; done; echo $?; "
                    "i=0; while [ $i -lt 3 ]; do i=$((i+1)); done; echo i=$i; "
                    "case abc in a*) echo glob;; esac; set -- x y; echo $# \"$@\""],
    "sh-redirect": ["sh", "-c",
                    "echo one > /tmp/f; echo two >> /tmp/f; while read l; do echo \"<$l>\"; done < /tmp/f"],
    "sh-heredoc": ["sh", "-c", "while read a b; do echo \"$b $a\"; done <<EOF\nx 1\ny 2\nEOF\n"],
    "sh-exit": ["sh", "-c", "exit 42"],
    "sh-pipeline": ["sh", "-c", "cat /data/fruits.txt | sort | uniq -c | sort -rn | head -3"],
    "sh-substitution": ["sh", "-c", "n=$(wc -l < /data/poem.txt); echo lines=$n; "
                        "echo entries=$(ls /data | wc -l)"],
    "sh-subshell-jobs": ["sh", "-c", "(cd /data/dir && ls) | wc -l; sleep 0.1 & wait $!; "
                         "echo bg=$?; (exit 4); echo sub=$?; pwd"],
    "sh-find-xargs": ["sh", "-c", "find /data -name '*.txt' | sort | xargs wc -l; "
                      "find /data -type f -name '*.md' -exec cat {} \\;"],
    "sh-exec": ["sh", "-c", "exec ls /data/dir"],
    "sh-external-status": ["sh", "-c", "grep -q zebra /data/fruits.txt; echo $?; "
                           "grep -c a /data/fruits.txt && test -d /data && echo dir"],
}

# Applets that read standard input.
STDIN = {
    "tr": (["tr", "a-z", "A-Z"], b"hello, world\n"),
    "uniq": (["uniq", "-c"], b"a\na\nb\nc\nc\nc\n"),
    "sort-stdin": (["sort", "-u"], b"b\na\nb\nc\n"),
    "wc-stdin": (["wc", "-l", "-w", "-c"], b"one two\nthree\n"),
    "md5sum-stdin": (["md5sum"], bytes(range(256)) * 10),
}


@pytest.mark.parametrize("name", sorted(SAME))
def test_same_as_host(tree, name):
    same_as_host(tree, SAME[name])


@pytest.mark.parametrize("name", sorted(STDIN))
def test_stdin_same_as_host(tree, name):
    args, data = STDIN[name]
    same_as_host(tree, args, data)


def test_gzip_round_trip(tree):
    """gzip under amphi, gunzip on the host, and the other way round."""
    original = open(os.path.join(tree, "data/poem.txt"), "rb").read() * 50
    status, packed, _ = on_amphi(tree, ["gzip", "-c"], original)
    assert status == 0
    assert subprocess.run(["gzip", "-dc"], input=packed, capture_output=True).stdout == original
    host_packed = subprocess.run(["gzip", "-c"], input=original, capture_output=True).stdout
    status, unpacked, _ = on_amphi(tree, ["gunzip", "-c"], host_packed)
    assert (status, unpacked) == (0, original)


def test_tar_create_is_readable_on_the_host(tree):
    status, archive, err = on_amphi(tree, ["tar", "-cf", "-", "-C", "/data", "."])
    assert status == 0, err
    mine = subprocess.run(["tar", "-tvf", "-"], input=archive, capture_output=True)
    _, host_archive, _ = on_host(tree, ["tar", "-cf", "-", "-C", "/data", "."])
    host = subprocess.run(["tar", "-tvf", "-"], input=host_archive, capture_output=True)
    assert mine.stdout and mine.stdout == host.stdout, (mine.stdout, host.stdout)


def test_tar_extract_lists_what_it_extracts(tree):
    archive = subprocess.run(["tar", "-cf", "-", "-C", os.path.join(tree, "data"), "."],
                             capture_output=True).stdout
    status, out, err = on_amphi(tree, ["tar", "-xvf", "-", "-C", "/tmp"], archive)
    host = on_host(tree, ["tar", "-xvf", "-", "-C", "/tmp"], archive)
    assert (status, out) == host[:2], err


def test_uname(tree):
    status, out, _ = on_amphi(tree, ["uname", "-a"])
    assert (status, out) == (0, b"Linux amphi 6.1.0-amphi #1 SMP amphi x86_64 GNU/Linux\n")


def test_date_is_now(tree):
    status, out, _ = on_amphi(tree, ["date", "+%Y"])
    host_year = subprocess.run(["date", "-u", "+%Y"], capture_output=True).stdout
    assert (status, out) == (0, host_year)


def test_sleep(tree):
    status, out, _ = on_amphi(tree, ["sleep", "0.3"])
    assert (status, out) == (0, b"")


def test_df_lists_the_root(tree):
    status, out, _ = on_amphi(tree, ["df", "/"])
    assert status == 0
    assert out.splitlines()[-1].split()[-1] == b"/"


def test_yes_stops_when_the_reader_does(tree):
    """`amphi run busybox yes | head -3`: the pipe is on the host side."""
    from conftest import amphi_argv, ROOT
    p1 = subprocess.Popen(amphi_argv(BUSYBOX, "yes"), cwd=ROOT, stdout=subprocess.PIPE)
    out = subprocess.run(["head", "-3"], stdin=p1.stdout, capture_output=True).stdout
    p1.stdout.close()
    assert p1.wait(timeout=60) == 141
    assert out == b"y\ny\ny\n"


# Applets that change the file system, checked by what a second program in
# the same VM sees (`amphi run --before`): the same pair on the host, in the
# chroot, with a fresh copy of the tree each time.
CHANGES = {
    "cp-r": (["cp", "-r", "/data", "/tmp/copy"], ["ls", "-lR", "/tmp/copy"]),
    "cp-a": (["cp", "-a", "/data/dir", "/tmp/a"], ["ls", "-laR", "/tmp/a"]),
    "mv": (["mv", "/tmp/w/poem.txt", "/tmp/w/dir/moved.txt"], ["find", "/tmp/w"]),
    "rm-r": (["rm", "-r", "/tmp/w/dir"], ["find", "/tmp/w"]),
    "mkdir-p": (["mkdir", "-p", "/tmp/a/b/c"], ["find", "/tmp/a"]),
    "ln-s": (["ln", "-s", "/data/poem.txt", "/tmp/l"], ["cat", "/tmp/l"]),
    "touch": (["touch", "-d", "2020-01-02 03:04:05", "/tmp/t"], ["ls", "-l", "/tmp/t"]),
    "tar-x": (["tar", "-cf", "/tmp/t.tar", "-C", "/data", "."], ["tar", "-tvf", "/tmp/t.tar"]),
    "gzip-file": (["gzip", "-k", "/tmp/w/poem.txt"], ["gunzip", "-c", "/tmp/w/poem.txt.gz"]),
    "dd-file": (["dd", "if=/data/fruits.txt", "of=/tmp/d", "bs=4", "count=3", "status=none"],
                ["cat", "/tmp/d"]),
}


def changed_on_host(tree, first, then):
    """first, then `then`, in the chroot; /tmp and /tmp/w start fresh."""
    tmp = os.path.join(tree, "tmp")
    shutil.rmtree(tmp)
    shutil.copytree(os.path.join(tree, "data"), os.path.join(tmp, "w"), symlinks=True)
    os.chmod(tmp, 0o1777)
    status, _, _ = on_host(tree, first)
    assert status == 0, "busybox %s fails on the host" % first
    return on_host(tree, then)


def changed_on_amphi(tree, first, then):
    r = run(BUSYBOX, *then, env=ENV,
            options=["--files", os.path.join(tree, "data") + ":/data",
                     "--files", os.path.join(tree, "data") + ":/tmp/w",
                     "--files", os.path.join(tree, "etc") + ":/etc",
                     "--before", " ".join([BUSYBOX] + first)])
    return r.status, r.stdout, r.stderr


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_changes_same_as_host(tree, name):
    first, then = CHANGES[name]
    host = changed_on_host(tree, first, then)
    guest = changed_on_amphi(tree, first, then)
    assert unordered(guest, then) == unordered(host, then), (
        "busybox %s; busybox %s\nhost:  %r\namphi: %r\namphi stderr: %s"
        % (" ".join(first), " ".join(then), host[:2], guest[:2], guest[2][-2000:]))

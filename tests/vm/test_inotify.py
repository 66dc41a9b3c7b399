"""inotify (tests/progs/inotify_calls.c), one case per run: the events
of a directory's and a file's watches for every kind of change, the
flags, reads, and the queue's overflow.  Each line is the same program's
(built with musl) on Linux 6.18, run as root on the host's /tmp; amphi's
/tmp is its memory file system, and the events are the VFS's, the same on
every file system.  Before these calls existed every line was ENOSYS.

Debian's coreutils tail -f, unmodified, then follows a file through
inotify (its trace shows the watch): with events that never came it
would wait for ever, having no other way once the watch is made."""
import os
import re
import shutil

import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

LINES = {
    "dir": (
        "inotify_init1: ok, bad flags: EINVAL\n"
        "create a:\n"
        "  dir CREATE a\n"
        "  dir OPEN a\n"
        "two writes:\n"
        "  dir MODIFY a\n"
        "close:\n"
        "  dir CLOSE_WRITE a\n"
        "open, read, close:\n"
        "  dir OPEN a\n"
        "  dir ACCESS a\n"
        "  dir CLOSE_NOWRITE a\n"
        "chmod:\n"
        "  dir ATTRIB a\n"
        "rename a b:\n"
        "  dir MOVED_FROM a (cookie)\n"
        "  dir MOVED_TO b (cookie same)\n"
        "link b c:\n"
        "  dir CREATE c\n"
        "unlink c:\n"
        "  dir DELETE c\n"
        "unlink b:\n"
        "  dir DELETE b\n"
        "mkdir, rmdir sub:\n"
        "  dir CREATE|ISDIR sub\n"
        "  dir DELETE|ISDIR sub\n"
        "symlink:\n"
        "  dir CREATE ln\n"
        "list itself (a small buffer):\n"
        "  dir OPEN|ISDIR\n"
        "  dir ACCESS|ISDIR\n"
        "  dir CLOSE_NOWRITE|ISDIR\n"
        "create t, truncate, open O_TRUNC:\n"
        "  dir CREATE t\n"
        "  dir OPEN t\n"
        "  dir CLOSE_WRITE t\n"
        "  dir MODIFY t\n"
        "  dir OPEN t\n"
        "  dir MODIFY t\n"
        "  dir CLOSE_WRITE t\n"),
    "file": (
        "inotify_init1: ok, bad flags: EINVAL\n"
        "write, ftruncate, close:\n"
        "  f OPEN\n"
        "  f MODIFY\n"
        "  f CLOSE_WRITE\n"
        "chown, utimes:\n"
        "  f ATTRIB\n"
        "rename f other/g:\n"
        "  dir MOVED_FROM f (cookie)\n"
        "  other MOVED_TO g (cookie same)\n"
        "  f MOVE_SELF\n"
        "link other/g h:\n"
        "  f ATTRIB\n"
        "  dir CREATE h\n"
        "unlink other/g:\n"
        "  f ATTRIB\n"
        "  other DELETE g\n"
        "rename k over h:\n"
        "  dir CREATE k\n"
        "  dir MOVED_FROM k (cookie)\n"
        "  dir MOVED_TO h (cookie same)\n"
        "  f ATTRIB\n"
        "  f DELETE_SELF\n"
        "  f IGNORED\n"
        "rmdir other:\n"
        "  other DELETE_SELF\n"
        "  other IGNORED\n"
        "  dir DELETE|ISDIR other\n"
        "unlink h, its last name:\n"
        "  h ATTRIB\n"
        "  h DELETE_SELF\n"
        "  h IGNORED\n"
        "  dir DELETE h\n"
        "rename d2 d3, chmod d3:\n"
        "  dir CREATE|ISDIR d2\n"
        "  dir MOVED_FROM|ISDIR d2 (cookie)\n"
        "  dir MOVED_TO|ISDIR d3 (cookie same)\n"
        "  d2 MOVE_SELF\n"
        "  d2 ATTRIB|ISDIR\n"),
    "flags": (
        "inotify_init1: ok, bad flags: EINVAL\n"
        "IN_ONESHOT, two chmods:\n"
        "  oneshot ATTRIB\n"
        "  oneshot IGNORED\n"
        "same file, same wd: yes\n"
        "chmod after the mask became IN_MODIFY:\n"
        "IN_MASK_ADD: the wd\n"
        "write and chmod:\n"
        "  f MODIFY\n"
        "  f ATTRIB\n"
        "IN_MASK_CREATE on it: EEXIST\n"
        "IN_MASK_CREATE|IN_MASK_ADD: EINVAL\n"
        "IN_ONLYDIR on a file: ENOTDIR\n"
        "mask 0: EINVAL\n"
        "no such path: ENOENT\n"
        "not an instance: EINVAL, fd 99: EBADF\n"
        "IN_DONT_FOLLOW: its own wd\n"
        "chmod f:\n"
        "  f ATTRIB\n"
        "rm_watch f: 0\n"
        "again: EINVAL, wd 0: EINVAL, another fd: EINVAL\n"
        "after rm_watch:\n"
        "  f IGNORED\n"
        "oneshot's wd gone: EINVAL\n"
        "1000 on root's 0700 directory: EACCES\n"),
    "read": (
        "inotify_init1: ok, bad flags: EINVAL\n"
        "empty, O_NONBLOCK: EAGAIN\n"
        "poll: 0\n"
        "FIONREAD: 48, poll: 1\n"
        "into 16 bytes: EINVAL\n"
        "read: 48, len 32, name a-long-name-of-twenty\n"
        "a read that waited: 32, late\n"
        "into a bad buffer: EFAULT\n"
        "then: EAGAIN\n"),
    "overflow": (
        "inotify_init1: ok, bad flags: EINVAL\n"
        "events 16385, overflows 1, the last one: yes\n"),
}


@pytest.mark.parametrize("case", sorted(LINES))
def test_inotify(case):
    expect(run("inotify_calls", case), LINES[case])


FOLLOW = """: > /tmp/log
/app/tail -n 0 -f /tmp/log &
/app/sleep 1
echo first >> /tmp/log
/app/sleep 1
echo second >> /tmp/log
/app/sleep 1
kill %1
wait
echo done
"""


@pytest.mark.skipif(not all(shutil.which(t) for t in ("bash", "tail", "sleep")),
                    reason="needs Debian's bash and coreutils")
def test_coreutils_tail_follows_a_file_through_inotify(tmp_path):
    for tool in ("bash", "tail", "sleep"):
        shutil.copy(os.path.realpath(shutil.which(tool)), str(tmp_path / tool))
    (tmp_path / "follow.sh").write_text(FOLLOW)
    trace = tmp_path / "trace"
    r = run(str(tmp_path / "bash"), "/app/follow.sh", mem="256M",
            options=["--files", "%s:/app" % tmp_path,
                     "--trace=inotify_init,inotify_init1,inotify_add_watch",
                     "--trace-file", str(trace)])
    expect(r, "first\nsecond\ndone\n")
    watched = re.search(r'inotify_add_watch\(\d+, "/tmp/log", 0x[0-9a-f]+\) = [1-9]', trace.read_text())
    assert watched, trace.read_text()

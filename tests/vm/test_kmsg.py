"""The kernel's log: syslog(2) (klogctl) and /dev/kmsg
(tests/progs/kmsg_calls.c), and the dmesg programs that read it.

"look" reads only, so it ran on the host too: its transcript is Linux
6.18's, as root and as user 65534 (dmesg_restrict = 1, as Debian sets it).
amphi runs it as "fill-look", after writing three records, since its log
is only a few lines long after boot.  "write" writes, clears and sets the
console level, which on the host would change the host's log; its lines
follow Linux 6.18's rules (kernel/printk/printk.c: devkmsg_write's "<N>"
prefix and LOG_USER facility, the escaping of a /dev/kmsg record, a
record's lines each with its prefix in syslog's READ_ALL, EPIPE for a
reader overrun, ten writes per open file per five seconds).  Before,
syslog was ENOSYS and /dev/kmsg did not exist."""
import os
import re

import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

BUSYBOX = "/bin/busybox"
DMESG = "/usr/bin/dmesg"

LOOK = (
    'SIZE_BUFFER: positive\n'
    'READ_ALL NULL: EINVAL\n'
    'READ_ALL len -1: EINVAL\n'
    'READ_ALL len 0: 0\n'
    'READ_ALL unmapped: EFAULT\n'
    'READ_ALL past user space: EFAULT\n'
    'READ_ALL 64 bytes: whole lines\n'
    'READ_ALL: well-formed lines\n'
    'SIZE_UNREAD: not negative\n'
    'CLOSE: 0, OPEN: 0\n'
    'CONSOLE_LEVEL 0: EINVAL\n'
    'CONSOLE_LEVEL 9: EINVAL\n'
    'action 11: EINVAL, -1: EINVAL\n'
    'open O_RDONLY: fd\n'
    'fstat: char device, rdev 1:11\n'
    'read 8 bytes: EINVAL\n'
    'read: a record\n'
    'poll after a read: 1, revents 0x1\n'
    'next read: the next record\n'
    'lseek 1 SEEK_SET: ESPIPE\n'
    'lseek 0 SEEK_CUR: EINVAL\n'
    'lseek 0 whence 5: EINVAL\n'
    'lseek 1 whence 5: EINVAL\n'
    'lseek 0 SEEK_HOLE: EINVAL\n'
    'lseek 0 SEEK_END: 0\n'
    'read at the end: EAGAIN\n'
    'lseek 0 SEEK_SET: 0\n'
    'poll at the start: 1, revents 0x1\n'
    'lseek 0 SEEK_DATA: 0\n'
    'read after SEEK_DATA: a record, or EPIPE\n'
    'open O_WRONLY: fd\n'
    'read of a write-only open: EBADF\n'
    'as 65534: SIZE_BUFFER EPERM, READ_ALL EPERM, CLEAR EPERM, action 11 EPERM\n'
    'as 65534: open O_RDONLY EPERM, O_WRONLY EACCES\n')

WRITE = (
    'write <5>hello: 8\n'
    'read: 13;hello\n'
    'write plain\\n: 6\n'
    'read: 12;plain\n'
    'write <30>daemon: 10\n'
    'read: 30;daemon\n'
    'write <3>kernel facility: 7\n'
    'read: 11;kern\n'
    'write <abc>x: 6\n'
    'read: 12;<abc>x\n'
    'write escapes: 18\n'
    'read: 12;tab\\x09here\\x5cback\\x01\\x7f\\xc3\\xa9\n'
    'write a\\nb: 3\n'
    'read: 12;a\\x0ab\n'
    'write 0 bytes: 0\n'
    'read: 12;\n'
    'write with NUL: 10\n'
    'read: 14;be\n'
    'write 1025 bytes: EINVAL\n'
    'write 1024 bytes: 1024\n'
    'read it: 1023 bytes of text\n'
    'write unmapped: EFAULT\n'
    'nothing recorded: EAGAIN\n'
    '15 writes: 15 returned 8, 10 recorded\n'
    'after close: 4;printk: kmsg_calls: 5 output lines suppressed due to ratelimiting\n'
    'poll behind: 1, revents 0x9\n'
    'read behind: EPIPE\n'
    'poll after: 1, revents 0x1\n'
    'read after: a record\n'
    'CLEAR: 0\n'
    'READ_ALL after CLEAR: nothing\n'
    'READ_ALL: <14> one | <14> two | <14> lines\n'
    'READ_CLEAR: <14> one | <14> two | <14> lines\n'
    'READ_ALL after READ_CLEAR: nothing\n'
    'READ_ALL 10 bytes: 0\n'
    'READ_ALL 26 bytes: 25, three\n'
    'kmsg SEEK_DATA: 0\n'
    'read: 14;three\n'
    'READ NULL: EINVAL, len -1: EINVAL, len 0: 0\n'
    'SIZE_UNREAD when all read: 0\n'
    'READ 5 bytes: 5 "<14>["\n'
    'SIZE_UNREAD after: 5 less\n'
    'READ the rest: all of it, ends "four\n'
    'SIZE_UNREAD: 0\n'
    'READ waits for: late\n'
    'READ with nothing, a signal: EINTR\n'
    'kmsg read with nothing, a signal: EINTR\n'
    'CONSOLE_LEVEL 8: 0\n'
    'CONSOLE_OFF: 0\n'
    'printk: 1\t4\t1\t7\n'
    'CONSOLE_ON: 0\n'
    'printk: 8\t4\t1\t7\n'
    'CONSOLE_LEVEL 5 after OFF: 0\n'
    'CONSOLE_ON: 0\n'
    'printk: 5\t4\t1\t7\n')


def test_kmsg_look_as_linux():
    expect(run("kmsg_calls", "fill-look"), LOOK)


@pytest.mark.parametrize("smp", [1, 2])
def test_kmsg_write(smp):
    expect(run("kmsg_calls", "write", smp=smp), WRITE)


@pytest.mark.parametrize("smp", [1, 4])
def test_kmsg_churn(smp):
    """Two threads write 3000 records of 24 to 1023 bytes (the ring wraps
    at every offset) while a reader checks each record it gets."""
    expect(run("kmsg_calls", "churn", smp=smp),
           "churn: many read back intact, 0 broken, 0 out of order\n"
           "churn: READ_ALL well-formed lines\n")


def test_console_level_hides_lines():
    """syslog's console level decides what reaches the console (-v shows
    it): the probe's "hidden" lines were written below it."""
    r = run("kmsg_calls", "write", verbose=True)
    assert r.status == 0, r.describe()
    console = r.stdout + r.stderr
    assert b"shown on the console" in console, r.describe()
    assert b"hidden from the console" not in console and b"also hidden" not in console, r.describe()


@pytest.mark.skipif(not os.path.exists(BUSYBOX), reason="needs busybox-static")
def test_busybox_dmesg():
    script = ('echo "<3>from the shell" > /dev/kmsg; dmesg | tail -1; dmesg -r | tail -1; '
              'dmesg -c > /dev/null; echo after -c: $(dmesg | wc -l) lines')
    r = run(BUSYBOX, "sh", "-c", script)
    assert r.status == 0, r.describe()
    lines = r.stdout.decode().splitlines()
    assert len(lines) == 3, r.describe()
    assert re.fullmatch(r"\[ *\d+\.\d{6}\] from the shell", lines[0]), r.describe()
    assert re.fullmatch(r"<11>\[ *\d+\.\d{6}\] from the shell", lines[1]), r.describe()
    assert lines[2] == "after -c: 0 lines", r.describe()


@pytest.mark.skipif(not os.path.exists(DMESG), reason="needs util-linux's dmesg")
def test_util_linux_dmesg():
    """Debian's dmesg reads /dev/kmsg: the boot's lines, with their
    facility and level decoded; refused to a user as on Linux."""
    r = run(DMESG, "-x")
    assert r.status == 0, r.describe()
    text = r.stdout.decode()
    assert re.search(r"^kern  :info  : \[ *\d+\.\d{6}\] amphi: 2 CPUs", text, re.M), r.describe()
    r = run(DMESG, "--level=warn,err")
    assert (r.status, r.stdout) == (0, b""), r.describe()
    r = run(DMESG, options=["--user", "65534"])
    assert (r.status, r.stdout, r.stderr) == (
        1, b"", b"dmesg: read kernel buffer failed: Operation not permitted\n"), r.describe()


@pytest.mark.parametrize("user, want", [
    (None, "boot's records read: 1, then EAGAIN\n"
           "poll with nothing unread: 0\n"
           "poll after a record: 1 revents 0x1\n"
           "read: the record\n"
           "again: EAGAIN\n"
           "write: EBADF\n"),
    ("65534", "open: EACCES\n")], ids=["root", "user"])
def test_proc_kmsg(user, want):
    """/proc/kmsg (tests/progs/proc_kmsg.c), as rsyslog's imklog reads it:
    the records syslog's READ has not consumed, EAGAIN when non-blocking
    and none is left, readable for poll when one comes; mode 0400, so a
    user is refused.  Before, there was no such file.  (Not compared with
    the host's: reading it consumes the host's log.)"""
    expect(run("proc_kmsg", options=["--user", user] if user else []), want)

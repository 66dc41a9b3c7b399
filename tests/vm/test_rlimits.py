"""Resource limits that amphi enforces as Linux does (tests/progs/rlimit_calls.c),
one case per run.  Each line is the same program's (built with musl) on
Linux 6.18, run as root.  Before, setrlimit kept these limits and nothing
looked at them: every write and truncate went through, no SIGXFSZ, SIGXCPU
or SIGKILL came, and each fork was made.

"nproc" counts the processes of user 65534 on the whole machine, so on
Linux it gives 2 forks only while the host runs none of that user's."""
import subprocess

import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

LINES = {
    "fsize": (
        "write 6000: 6000, SIGXFSZ 0\n"
        "write 6000 more, cut: 4000, SIGXFSZ 0\n"
        "write at the limit: EFBIG, SIGXFSZ 1\n"
        "pwrite past it: EFBIG, SIGXFSZ 1\n"
        "pwrite just under: 5, SIGXFSZ 0\n"
        "pwritev at 9998: 2, SIGXFSZ 0\n"
        "ftruncate 20000: EFBIG, SIGXFSZ 1\n"
        "ftruncate 10000: 0, SIGXFSZ 0\n"
        "ftruncate 100: 0, SIGXFSZ 0\n"
        "truncate 10001: EFBIG, SIGXFSZ 1\n"
        "fallocate to 20000: EFBIG, SIGXFSZ 1\n"
        "fallocate KEEP_SIZE to 20000: 0, SIGXFSZ 0\n"
        "size 100\n"
        "append 20 at 9990: 10, SIGXFSZ 0\n"
        "append 1 more: EFBIG, SIGXFSZ 1\n"
        "sendfile 20000: 10000, SIGXFSZ 1\n"
        "sendfile 1 more: EFBIG, SIGXFSZ 1\n"
        "copy_file_range 20000 at 9000: 1000, SIGXFSZ 0\n"
        "size 10000\n"
        "pipe 6000 twice: 12000, SIGXFSZ 0\n"
        "limit 0, write: EFBIG, SIGXFSZ 0\n"
        "limit 0, ftruncate 0: 0; SIGXFSZ 1 in all\n"),
    "xfsz": "child killed by signal 25\n",
    "cpu": (
        "SIGXCPU, soft limit now 2\n"
        "child killed by signal 9\n"),
    "cputhreads": (
        "SIGXCPU, soft limit now 2\n"
        "child killed by signal 9\n"),
    "xcpu": "child killed by signal 24\n",
    "nproc": (
        "uid 65534, limit 3: 2 forks, then EAGAIN; a thread then: EAGAIN\n"
        "after they end, fork: made\n"
        "uid 0, limit 1: 8 forks, then none refused; a thread then: made\n"
        "after they end, fork: made\n"),
}


@pytest.mark.parametrize("case", sorted(LINES))
def test_rlimit(case):
    expect(run("rlimit_calls", case), LINES[case])


@pytest.mark.parametrize("smp", [1, 4])
def test_nproc_not_passed_by_racing_forks(smp):
    """Eight processes of one user fork at once until refused: they end
    with the limit's 40 tasks, as on Linux (the check and the new task's
    count were apart, and racing forks made 41 to 43 at 4 CPUs)."""
    expect(run("rlimit_calls", "nprocrace", smp=smp), "limit 40: 40 tasks\n")


APPENDRACE = ("limit 100000, 50 rounds of 4 appenders: largest file 100000, within; "
              "200 ended by EFBIG\n")


@pytest.mark.parametrize("smp", [1, 4])
def test_fsize_not_passed_by_racing_appenders(smp):
    """Four threads append 1000 bytes at a time to one tmpfs file until
    EFBIG: no round ends past the limit, as on Linux (the limit was
    checked against the size before the write, outside the file's lock,
    and racing appends ended at 103000 at 4 CPUs)."""
    expect(run("rlimit_calls", "appendrace", smp=smp), APPENDRACE)


def appendrace_on_ext4(tmp_path, case, want):
    """rlimit_calls CASE on a fresh ext4 disk at /data, 4 vCPUs: exactly
    want, and the file system left clean."""
    img = str(tmp_path / "append.img")
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-b", "4096", img, "64M"],
                   check=True, capture_output=True)
    expect(run("rlimit_calls", case, "/data", smp=4, options=["--disk", img + ":/data"]), want)
    fsck = subprocess.run(["e2fsck", "-fn", img], capture_output=True)
    assert fsck.returncode == 0, fsck.stdout.decode()


def test_fsize_not_passed_by_racing_appenders_on_ext4(tmp_path):
    """The same on an ext4 disk, whose write finds the end under its own
    lock (103000 before); the file system is left clean."""
    appendrace_on_ext4(tmp_path, "appendrace", APPENDRACE)


def test_fsize_not_passed_by_racing_direct_appenders_on_ext4(tmp_path):
    """The same with O_DIRECT, whole 4 KiB blocks under a limit of 24, on
    ext4, whose direct writes find the end on a path of their own (110592
    before); the file system is left clean."""
    appendrace_on_ext4(tmp_path, "appendracedirect",
                       "limit 98304, 50 rounds of 4 appenders: largest file 98304, within; "
                       "200 ended by EFBIG\n")


def test_fsize_not_passed_by_racing_appenders_on_a_share(tmp_path):
    """The same in a 9p share, whose write asks the host where the end is
    (103000 before)."""
    expect(run("rlimit_calls", "appendrace", "/mnt", smp=4,
               options=["--share", "%s:/mnt" % tmp_path]), APPENDRACE)


def test_busybox_ulimit_f():
    """ash's `ulimit -f` counts 512-byte blocks: the writer is cut at 2048
    bytes and ended by SIGXFSZ (128 + 25), as under Linux."""
    script = ("ulimit -f 4; head -c 10000 /dev/zero > /tmp/cut; echo status $?; "
              "wc -c < /tmp/cut")
    r = run("/bin/busybox", "sh", "-c", script, env=["PATH=/bin"])
    assert (r.status, r.stdout.decode()) == (0, "status 153\n2048\n"), r.describe()

"""Linux native AIO (tests/progs/aio_calls.c, raw system calls), one case
per run.  Each transcript is the same program's (built with musl) on Linux
6.18 with 2 CPUs, run as uid 65534 in /tmp (the program drops to 65534
when root): how many requests one CPU may have outstanding depends on the
number of CPUs, so these run with 2.  Before, the six calls were ENOSYS.

The stress case has threads submitting and reaping on one context while
another makes, uses and destroys contexts, and threads submitting to a
context that is being destroyed: no failure, the data right, nothing
left counted in aio-nr."""
import subprocess

import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

LINES = {
    "setup": (
        "io_setup NULL: EFAULT\n"
        "io_setup ctx not 0: EINVAL\n"
        "io_setup 0: EINVAL\n"
        "io_setup 0x80000000: EAGAIN\n"
        "io_setup 0xffffffff: EINVAL\n"
        "io_setup 4194304: EAGAIN\n"
        "io_setup 4194305: EINVAL\n"
        "io_setup 65537: EAGAIN\n"
        "io_setup 1: 0\n"
        "ring of 1: id 0 nr 127 head 0 tail 0 magic 0xa10a10a1 compat 1 incompat 0 header 32\n"
        "aio-nr: +1\n"
        "ring mapping: rw-s /[aio] (deleted)\n"
        "io_setup 128: 0\n"
        "ring of 128: id 1 nr 383 head 0 tail 0 magic 0xa10a10a1 compat 1 incompat 0 header 32\n"
        "io_setup 1000: 0\n"
        "ring of 1000: id 2 nr 2047 head 0 tail 0 magic 0xa10a10a1 compat 1 incompat 0 header 32\n"
        "aio-nr: +1129\n"
        "io_setup 65536 beside them: EAGAIN\n"
        "io_destroy first: 0\n"
        "ring after io_destroy: gone\n"
        "io_destroy again: EINVAL\n"
        "io_destroy 0: EINVAL\n"
        "io_destroy bad pointer: EINVAL\n"
        "io_destroy inside ring: EINVAL\n"
        "io_setup 1 again: 0\n"
        "its ring: id 0 nr 127 head 0 tail 0 magic 0xa10a10a1 compat 1 incompat 0 header 32\n"
        "io_getevents, ring id changed: EINVAL\n"
        "io_getevents, id back: 0\n"
        "io_destroy 128: 0\n"
        "io_destroy 1000: 0\n"
        "aio-nr: +1\n"
        "munmap ring: 0\n"
        "io_getevents after munmap: EINVAL\n"
        "io_submit after munmap: EINVAL\n"
        "io_destroy after munmap: EINVAL\n"
        "aio-nr: +1\n"
        "io_setup 65536 with the unmapped one: EAGAIN\n"
        "io_setup 65535: 0\n"
        "ring of 65535: id 1 nr 131199 head 0 tail 0 magic 0xa10a10a1 compat 1 incompat 0 header 32\n"
        "child io_getevents on parent's: EINVAL\n"
        "child io_destroy on parent's: EINVAL\n"
        "child io_setup 1: EAGAIN\n"
        "parent io_getevents after child: 0\n"
        "io_destroy 65535: 0\n"
        "aio-nr: +1\n"
        "io_setup read-only ctx pointer: EFAULT\n"
        "aio-nr: +1\n"),
    "rw": (
        "PWRITE 12 at 0: res 12 data ok\n"
        "aio_key after: 0\n"
        "PREAD 5 at 7: res 5 data ok\n"
        "read: world\n"
        "PWRITEV 3+5 at 100: res 8 data ok\n"
        "PREADV 2+0+10 at 99: res 9 data ok\n"
        "read: 0 abcdefgh\n"
        "PREAD past the end: res 0 data ok\n"
        "PREAD at 1 TiB: res 0 data ok\n"
        "FSYNC: res 0 data ok\n"
        "FDSYNC: res 0 data ok\n"
        "PWRITE RWF_DSYNC: res 3 data ok\n"
        "PWRITE RWF_APPEND: res 4 data ok\n"
        "PREAD the appended: res 4 data ok\n"
        "read: tail\n"
        "PREAD on O_WRONLY: EBADF\n"
        "PWRITE on O_RDONLY: EBADF\n"
        "io_submit nr 0: 0\n"
        "io_submit nr -1: EINVAL\n"
        "io_submit bad ctx: EINVAL\n"
        "io_submit bad vector: EFAULT\n"
        "io_submit bad iocb: EFAULT\n"
        "reserved2 set: EINVAL\n"
        "nbytes -1: EINVAL\n"
        "bad fd: EBADF\n"
        "NOOP: EINVAL\n"
        "opcode 4: EINVAL\n"
        "opcode 9: EINVAL\n"
        "offset -1: EINVAL\n"
        "offset near the end: EINVAL\n"
        "buffer in the kernel half: EFAULT\n"
        "buffer unmapped: res -EFAULT data ok\n"
        "PREADV bad vector: EFAULT\n"
        "PREADV 1025: EINVAL\n"
        "PREADV len -1: EINVAL\n"
        "PREADV of nothing: res 0 data ok\n"
        "FSYNC nbytes 1: EINVAL\n"
        "FSYNC rw_flags: EINVAL\n"
        "FDSYNC offset: EINVAL\n"
        "RWF 0x200: EOPNOTSUPP\n"
        "RWF_NOSIGNAL: res 4 data ok\n"
        "RWF_APPEND|RWF_NOAPPEND: EINVAL\n"
        "RWF_ATOMIC read: EOPNOTSUPP\n"
        "RWF_HIPRI: res 4 data ok\n"
        "RWF_NOWAIT: res 4 data ok\n"
        "IOPRIO class 7: EINVAL\n"
        "IOPRIO none level 1: EINVAL\n"
        "IOPRIO best effort 4: res 4 data ok\n"
        "IOPRIO real time as a user: EPERM\n"
        "IOPRIO idle: res 4 data ok\n"
        "io_submit good, bad fd, good: 1\n"
        "its event: res 4 data ok\n"
        "io_submit good, NULL: 1\n"
        "its event: res 4 data ok\n"
        "PWRITE to a pipe at 12345: res 4 data ok\n"
        "PREAD from a pipe: res 4 data ok\n"
        "read: pipe\n"
        "FSYNC a pipe: EINVAL\n"
        "PREAD RWF_NOWAIT of an empty pipe: res -EAGAIN data ok\n"
        "PWRITE to a socket: res 4 data ok\n"
        "PREAD from a socket: res 4 data ok\n"
        "read: sock\n"
        "PWRITE with RESFD: res 1 data ok\n"
        "eventfd: 1\n"
        "RESFD a pipe: EINVAL\n"
        "RESFD bad fd: EBADF\n"
        "FSYNC an eventfd: EINVAL\n"
        "PWRITE RWF_NOSIGNAL to a broken pipe: res -EPIPE data ok\n"
        "PWRITE to a broken pipe: res -EPIPE data ok\n"
        "ring holds: 2\n"
        "user reaps: res 4 data ok\n"
        "io_getevents the other: 1\n"
        "io_getevents none left: 0\n"
        "io_getevents to a bad buffer: EFAULT\n"
        "io_getevents it is still there: 1\n"
        "io_getevents min > nr: EINVAL\n"
        "io_getevents min -1: EINVAL\n"
        "io_getevents nr 0: 0\n"
        "io_getevents bad timeout: EFAULT\n"
        "io_getevents bad ctx: EINVAL\n"
        "io_getevents after head 12345: 1\n"
        "io_cancel a done PREAD: EINVAL\n"
        "io_cancel key 1: EINVAL\n"
        "io_cancel bad iocb: EFAULT\n"
        "io_destroy: 0\n"),
    "poll": (
        "POLL an empty pipe: 1\n"
        "io_getevents now: 0\n"
        "after a write: events 0x1 data ok\n"
        "POLL a pipe for POLLOUT: res 4 data ok\n"
        "POLL a regular file: res 1 data ok\n"
        "POLL events 0x10001: EINVAL\n"
        "POLL offset 1: EINVAL\n"
        "POLL nbytes 1: EINVAL\n"
        "POLL rw_flags: EINVAL\n"
        "POLL again: 1\n"
        "io_cancel it: EINPROGRESS\n"
        "its event: res 0 data ok\n"
        "io_cancel again: EINVAL\n"
        "POLL with RESFD: 1\n"
        "eventfd ready before: 0\n"
        "after a write: events 0x1 data ok\n"
        "eventfd: 1\n"
        "POLL, then its fd closed: 1\n"
        "after a write: events 0x1 data ok\n"
        "POLL, then the writer closed: 1\n"
        "its event: events 0x10 data ok\n"
        "POLL an eventfd: 1\n"
        "after a write: events 0x1 data ok\n"
        "POLL a socket: 1\n"
        "after the peer's shutdown: events 0x2001 data ok\n"
        "io_cancel the second of three: EINPROGRESS\n"
        "io_getevents: 1\n"
        "cancelled: data 1 res 0\n"
        "io_destroy with two pending: 0\n"
        "aio-nr: -8\n"
        "POLL in a new context: 1\n"
        "exit with it pending: 0\n"),
    "wait": (
        "io_getevents 50 ms, nothing: 0\n"
        "io_getevents min 2, one there, 50 ms: 1\n"
        "io_getevents, SA_RESTART signal: EINTR\n"
        "handler ran: 1\n"
        "io_getevents timeout -1 s waits, then a signal: EINTR\n"
        "io_pgetevents, mask opened to a pending one: EINTR\n"
        "handler ran: 1\n"
        "mask back: 1\n"
        "io_pgetevents sigsetsize 4: EINVAL\n"
        "io_pgetevents bad sigset: EFAULT\n"
        "io_pgetevents no mask: 0\n"
        "io_pgetevents NULL sigset: 1\n"
        "4 waiters, 4 events: each once: yes\n"
        "io_destroy under a waiter: 0\n"
        "the waiter: EINVAL\n"),
    "limits": (
        "outstanding in a ring of 127: 120, then EAGAIN\n"
        "io_getevents 10: 10\n"
        "then again: 10\n"
        "io_getevents all: 120\n"
        "io_submit 300 at once: 120\n"
        "polls pending in a ring of 127: 120, then EAGAIN\n"
        "io_destroy with them: 0\n"
        "contexts of 512: 128, then EAGAIN\n"
        "aio-nr: +65536\n"
        "aio-nr: +0\n"),
}


@pytest.mark.parametrize("case", sorted(LINES))
def test_aio(case):
    expect(run("aio_calls", case), LINES[case])


@pytest.mark.parametrize("smp", [2, 4])
def test_aio_stress(smp):
    expect(run("aio_calls", "stress", smp=smp),
           "threads submitting and reaping: 0 failures\n"
           "last writes read back: 4 of 4\n"
           "nothing left over: 0\n"
           "io_destroy racing submits: 0 failures\n"
           "aio-nr: 0\n")


# Linux 6.18's output for 256 blocks of 4 KiB (the program built against
# Debian's libaio, run natively as uid 65534 in /tmp).
LIBAIO = (
    "wrote: 256 of 256 blocks\n"
    "fsync: 1\n"
    "fdatasync: 1\n"
    "poll submitted: 1\n"
    "io_cancel: in progress\n"
    "cancelled poll's event: 1\n"
    "poll after a write: POLLIN\n"
    "empty ring, zero timeout: 0\n"
    "read: 256 of 256 blocks\n"
    "eventfd: 256\n"
    "crc32c: 425ab4d3 verified\n"
    "file size: 1048576\n"
    "io_queue_release: 0\n")


def test_libaio_tmpfs():
    """Debian's libaio (Debian's fio would bring 19 MB of Ceph and
    Gluster libraries with it): 1 MiB written in batches, synced, read
    back by vectors in reverse order, CRC-32C checked."""
    expect(run("aio_libaio", 256, "/tmp"), LIBAIO)


def test_libaio_ext4(tmp_path):
    """The same on an ext4 disk, which e2fsck then finds clean."""
    img = str(tmp_path / "aio.img")
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-b", "4096", img, "16M"],
                   check=True, capture_output=True)
    expect(run("aio_libaio", 256, "/data", options=["--disk", img + ":/data"]), LIBAIO)
    r = subprocess.run(["e2fsck", "-fn", img], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr

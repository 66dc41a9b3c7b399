"""The newer calls as a hostile program uses them (tests/progs/
newcalls_abuse.c), one case per run.  The lines are those of the same
program (built with musl) on Linux 6.18 run as nobody, except the hog
cases, which check amphi's own rule that what a program makes the kernel
allocate leaves the kernel its reserve.

Each failed on main before its fix: hog-sem and hog-msg were killed for
out of memory (semaphore sets and messages came out of the kernel's
reserve, so the program's next page had none left); hog-inotify's
watches ate the reserve (its line said "no"); msgrcv's type
LONG_MIN found nothing (Linux reads it as LONG_MAX); shmat past user
space was EINVAL (Linux: ENOMEM); close_range saw flag bits above its
unsigned int (EINVAL, the descriptor left open); a read of inotify events
into a bad buffer lost every event that would have fitted (Linux: the one
it was copying); a read of 0 bytes from an inotify instance gave 0, end
of file (Linux: EINVAL with an event queued, else EAGAIN or a wait)."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

LINES = {
    "hog-sem": (
        "semget of 32000 until refused: ENOMEM\n"
        "sets: the kernel's reserve left: yes\n"
        "again, all removed: memory back: yes\n"),
    "hog-inotify": (
        "watches until refused: ENOMEM\n"
        "watches: the kernel's reserve left: yes\n"),
    "hog-msg": (
        "msgsnd of 8192 until refused: ENOMEM\n"
        "messages: the kernel's reserve left: yes\n"
        "again, all removed: memory back: yes\n"),
    "inotify-read-zero": (
        "read of 0 with an event queued: EINVAL\n"
        "the event: 32 bytes\n"
        "read of 0 with none: EAGAIN\n"),
    "msg-type-min": (
        "msgrcv type LONG_MIN: 6, type 5 \"hello\"\n"),
    "shm-far": (
        "shmat at 0x7ffffffff000: ENOMEM, SHM_REMAP: ENOMEM\n"
        "shmat at 0x800000000000: ENOMEM, SHM_REMAP: ENOMEM\n"
        "shmat at 0xffff800000000000: ENOMEM, SHM_REMAP: ENOMEM\n"
        "shmat at 0xfffffffffffff000: EINVAL, SHM_REMAP: ENOMEM\n"
        "2^62 bytes SHM_NORESERVE at 256M: EINVAL, SHM_REMAP: ENOMEM\n"),
    "close-range-flags": (
        "close_range with flags 1<<33: 0\n"
        "the descriptor after: closed\n"),
    "inotify-fault": (
        "read into a bad buffer: EFAULT\n"
        "then: 64 bytes\n"),
}


@pytest.mark.parametrize("case", sorted(LINES))
def test_newcalls_abuse(case):
    expect(run("newcalls_abuse", case), LINES[case])

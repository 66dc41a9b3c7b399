"""kcmp(2) (tests/progs/kcmp_calls.c), as root, against the same
program's transcript on Linux 6.18: every kind between the program and
itself, a thread, a forked child and a clone sharing the address space,
descriptors and file-system context; descriptors and their dups, a pipe's
two ends, an epoll's targets (KCMP_EPOLL_TFD) and each error; a child that
became another user refused its parent.  Before, kcmp was ENOSYS."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

TRANSCRIPT = (
    'itself: file 0 same, vm same, files same, fs same, sighand same, io same, sysvsem same\n'
    'a thread: file 0 same, vm same, files same, fs same, sighand same, io same, sysvsem same\n'
    'a forked child: file 0 same, vm different, files different, fs different, sighand different, io same, sysvsem different\n'
    'a clone sharing vm, files, fs: file 0 same, vm same, files same, fs same, sighand different, io same, sysvsem different\n'
    'fd and its dup: same\n'
    "pipe's two ends: different\n"
    'a closed fd: EBADF\n'
    'fd -1: EBADF\n'
    "epoll's target: same\n"
    "epoll's target against the dup: same\n"
    "epoll's target against the other end: different\n"
    'second item for that fd: ENOENT\n'
    'an fd it does not watch: ENOENT\n'
    'not an epoll: EINVAL\n'
    'no such epoll fd: EBADF\n'
    'slot bad pointer: EFAULT\n'
    'type 8: EINVAL\n'
    'type -1: EINVAL\n'
    'no such pid: ESRCH\n'
    'pid 0: ESRCH\n'
    'no such pid, bad type: ESRCH\n'
    "user's child about root parent: EPERM\n"
    "user's child about itself: same\n"
)


@pytest.mark.parametrize("smp", [1, 2])
def test_kcmp_calls_match_linux(smp):
    expect(run("kcmp_calls", smp=smp), TRANSCRIPT)

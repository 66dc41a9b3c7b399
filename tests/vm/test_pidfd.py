"""pidfds (tests/progs/pidfd_calls.c), one case per run: pidfd_open,
pidfd_send_signal (with Linux 6.9's flags), pidfd_getfd, waitid's
P_PIDFD and CLONE_PIDFD.  Each line is the same program's (built with
musl) on Linux 6.18, run as root.  Before these calls existed every line
was ENOSYS or EINVAL."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

LINES = {
    "open": (
        "itself: ok, close-on-exec: yes\n"
        "its name: anon_inode:[pidfd]\n"
        "read: EINVAL\n"
        "a child, PIDFD_NONBLOCK: ok, O_NONBLOCK: yes\n"
        "pid 0: EINVAL, -1: EINVAL, nobody: ESRCH\n"
        "flag 1: EINVAL\n"
        "a thread: ENOENT\n"
        "a child waited for: ESRCH\n"),
    "poll": (
        "running: poll none, epoll 0\n"
        "ended: IN\n"
        "epoll: 1\n"
        "waited for: IN HUP\n"
        "pidfd_send_signal now: ESRCH\n"),
    "signal": (
        "signal 0: 0\n"
        "flags 1: 0, signal 99: EINVAL\n"
        "a pipe: EBADF, fd 99: EBADF\n"
        "siginfo with SI_USER: EPERM\n"
        "signo mismatch: EINVAL\n"
        "bad siginfo: EFAULT\n"
        "SIGTERM: 0\n"
        "child: killed by SIGTERM\n"
        "after it was waited for: ESRCH\n"
        "child got SIGUSR1, code -1, value 42\n"
        "siginfo with SI_QUEUE: 0\n"
        "1000 to root's process: EPERM\n"),
    "waitid": (
        "non-blocking, still running: EAGAIN\n"
        "WNOHANG: 0, pid 0\n"
        "P_PIDFD: 0, pid the child's: yes, code 1, status 3\n"
        "again: ECHILD\n"
        "of itself: ECHILD, a pipe: EBADF, -1: EINVAL, fd 99: EBADF\n"),
    "clone": (
        "clone3 CLONE_PIDFD: ok, a pidfd: yes\n"
        "waitid on it: 0, status 7\n"
        "clone CLONE_PIDFD: ok, a pidfd: yes, status 8\n"
        "with CLONE_PARENT_SETTID: EINVAL\n"
        "with CLONE_DETACHED: EINVAL\n"
        "number to a bad address: EFAULT\n"
        "then a child to wait for: ECHILD\n"),
    "getfd": (
        "its fd 9: ok, close-on-exec: yes\n"
        "written through it, read here: z\n"
        "its fd 50: EBADF, -1: EBADF\n"
        "flags 1: EINVAL, not a pidfd: EBADF\n"
        "1000 from root's process: EPERM\n"
        "from one waited for: ESRCH\n"),
}


@pytest.mark.parametrize("case", sorted(LINES))
def test_pidfd(case):
    expect(run("pidfd_calls", case), LINES[case])

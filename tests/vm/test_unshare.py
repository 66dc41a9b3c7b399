"""personality(2) and unshare(2) (tests/progs/unshare_calls.c) against Linux
6.18's transcripts of the same program built with musl, run as root: the
persona kept by fork and exec (READ_IMPLIES_EXEC dropped at exec, as on
x86_64), and unshare's FILES and FS leaving a CLONE_FILES|CLONE_FS child's
table and directory to itself, its checks for one thread and two, SYSVSEM
making the adjustments, and namespaces refused to an ordinary user.
Before, both calls were ENOSYS (busybox's setarch and unshare failed)."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

LINES = {
    "personality": (
        'query: 0\n'
        'set ADDR_NO_RANDOMIZE: 0\n'
        'query: 0x40000\n'
        'set PER_BSD: 0x40000, then: 0x6\n'
        'forked child: 0x440000\n'
        'after exec: 0x40000\n'),
    "unshare": (
        'child unshare none: 0\n'
        '  parent: fd 10 closed, cwd /tmp\n'
        'child unshare FILES: 0\n'
        '  parent: fd 10 open, cwd /tmp\n'
        'child unshare FS: 0\n'
        '  parent: fd 10 closed, cwd /\n'
        'THREAD|SIGHAND|VM, one thread: 0\n'
        'exit signal bits (0x1): EINVAL\n'
        'CLONE_PTRACE: EINVAL, nothing: 0\n'
        'semaphore after +5 with SEM_UNDO: 5\n'
        'unshare SYSVSEM: 0\n'
        'semaphore now: 0\n'
        'two threads: THREAD EINVAL, SIGHAND EINVAL, VM EINVAL, FILES 0\n'
        'as nobody: NEWNS EPERM, NEWUTS EPERM, NEWNET EPERM, NEWPID EPERM\n'),
}


@pytest.mark.parametrize("case", sorted(LINES))
def test_unshare_calls(case):
    expect(run("unshare_calls", case), LINES[case])
